"""Hand-ins from the app become nbgrader submissions: the released notebook, the learner's
answers and a timestamp in ``submitted/<learner>/<module>/``, exactly where ``nbgrader
collect`` would put them. A new hand-in keeps the previous one in ``history/``."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

from leerpad.grading.identity import LEARNER_PATTERN
from leerpad.widgets.store import ANSWERS_FILE, write_json_atomic

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


def submission_dir(cohort_dir: Path, learner: str, module: str) -> Path:
    return Path(cohort_dir) / "submitted" / learner / module


def submit_from_app(cohort_dir, module: str, learner: str, answers: dict) -> Path:
    if not LEARNER_PATTERN.match(learner):
        raise ValueError(f"ongeldige naam '{learner}'")
    cohort_dir = Path(cohort_dir)
    released = cohort_dir / "release" / module
    if not released.is_dir():
        raise ValueError(f"module '{module}' is niet vrijgegeven in dit cohort")
    target = submission_dir(cohort_dir, learner, module)
    now = datetime.now(UTC)
    # Build the new hand-in next to the old one, then swap: never half a submission.
    staging = target.parent / f".{module}.new"
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(released, staging)
    write_json_atomic(staging / ANSWERS_FILE, answers)
    (staging / "timestamp.txt").write_text(now.strftime(TIMESTAMP_FORMAT))
    if target.exists():
        old_stamp = (target / "timestamp.txt").read_text().strip().replace(" ", "_")
        history = cohort_dir / "history" / learner / module / old_stamp.replace(":", "-")
        history.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(target, history)
    staging.rename(target)
    return target
