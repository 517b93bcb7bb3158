"""``leerpad grade COHORT [MODULE]``: autograde every hand-in that has not been graded since
it came in. Interrupted? Run it again: graded hand-ins are skipped."""

import sys
from pathlib import Path

from leerpad.grading.autograde import grade_one
from leerpad.grading.cohort import Cohort
from leerpad.grading.handin import prepare_grading
from leerpad.grading.preprocessors import grading_notes
from leerpad.grading.sandbox import sandbox_refusal


def pending(cohort: Cohort, module: str | None = None) -> list[tuple[str, str]]:
    """(learner, module) pairs whose hand-in is newer than its grading."""
    todo = []
    for stamp in sorted((cohort.dir / "submitted").glob("*/*/timestamp.txt")):
        learner, mod = stamp.parent.parent.name, stamp.parent.name
        if module and mod != module:
            continue
        graded = cohort.dir / "autograded" / learner / mod / "timestamp.txt"
        if not graded.exists() or graded.read_text() != stamp.read_text():
            todo.append((learner, mod))
    return todo


def grade_cohort(name: str, module: str | None = None, out=sys.stdout) -> int:
    cohort = Cohort(name)
    if not cohort.exists():
        print(
            f"Cohort '{name}' bestaat niet. Maak het met: leerpad cohort create {name}",
            file=sys.stderr,
        )
        return 2
    if refusal := sandbox_refusal():  # say it once, not once per hand-in
        print(refusal, file=sys.stderr)
        return 2
    prepare_grading(cohort)  # leerpad: deadlines to the gradebook, JupyterLab hand-ins in
    todo = pending(cohort, module)
    failures = 0
    for n, (learner, mod) in enumerate(todo, 1):
        try:
            score, max_score = grade_one(Path(cohort.dir), mod, learner)
            result = f"{score:g}/{max_score:g}"
        except Exception as err:  # one broken hand-in must not stop the others
            failures += 1
            result = f"MISLUKT: {str(err).splitlines()[0]}"
        print(f"[{n}/{len(todo)}] {learner} {mod}: {result}", file=out, flush=True)
        for note in grading_notes(cohort.dir / "autograded" / learner / mod / f"{mod}.ipynb"):
            print(f"    let op: {note}", file=out, flush=True)  # what the sandbox stopped
    print(f"{len(todo) - failures} verbeterd, {failures} mislukt.", file=out)
    return 1 if failures else 0
