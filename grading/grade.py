"""``leerpad grade COHORT [MODULE]``: autograde every hand-in that has not been graded since
it came in, on every core, with a progress bar. Interrupted? Run it again: what has a
stored grade is skipped, the rest is graded (see ``leerpad.grading.engine``)."""

import sys
import time

from leerpad.grading.cohort import Cohort
from leerpad.grading.engine import grade, report


def grade_cohort(
    name: str,
    module: str | None = None,
    jobs: int | None = None,
    db_url: str | None = None,
    feedback: bool = True,
    out=sys.stdout,
) -> int:
    cohort = Cohort(name)
    if not cohort.exists():
        print(
            f"Cohort '{name}' bestaat niet. Maak het met: leerpad cohort create {name}",
            file=sys.stderr,
        )
        return 2
    if module and not (cohort.release_dir / module).is_dir():
        print(
            f"Module '{module}' is niet vrijgegeven in cohort '{name}'. "
            f"Geef ze vrij met: leerpad release {module} --cohort {name}",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    summary = grade(cohort.dir, module, jobs=jobs, db_url=db_url, feedback=feedback)
    report(summary, time.perf_counter() - started, out)
    return 0 if summary.ok else 1
