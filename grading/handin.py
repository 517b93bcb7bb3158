"""Hand-ins become nbgrader submissions: the released notebook, the learner's answers and a
timestamp in ``submitted/<learner>/<module>/``, exactly where ``nbgrader collect`` puts them.
From the app they are written here directly; from JupyterLab nbgrader's assignment list puts
them in the exchange and :func:`collect_from_exchange` brings them in. Either way a new hand-in
keeps the previous one in ``history/``, and nbgrader's due date (the cohort's deadline)
marks a late one."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

from leerpad.grading.identity import LEARNER_PATTERN
from leerpad.widgets.store import ANSWERS_FILE, write_json_atomic

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


def submission_dir(cohort_dir: Path, learner: str, module: str) -> Path:
    return Path(cohort_dir) / "submitted" / learner / module


def submission_time(folder: Path) -> datetime | None:
    """The hand-in time nbgrader reads (timestamp.txt), as an aware UTC datetime."""
    from nbgrader.utils import parse_utc

    stamp = Path(folder) / "timestamp.txt"
    if not stamp.exists() or not stamp.read_text().strip():
        return None
    return parse_utc(stamp.read_text().strip()).replace(tzinfo=UTC)


def archive(cohort_dir, learner: str, module: str) -> Path | None:
    """Move the current hand-in to ``history/<learner>/<module>/<its time>``."""
    target = submission_dir(cohort_dir, learner, module)
    if not target.exists():
        return None
    when = submission_time(target) or datetime.now(UTC)
    stamp = when.strftime(TIMESTAMP_FORMAT)
    history = Path(cohort_dir) / "history" / learner / module
    history = history / stamp.replace(" ", "_").replace(":", "-")
    history.parent.mkdir(parents=True, exist_ok=True)
    if history.exists():
        shutil.rmtree(history)
    shutil.move(target, history)
    return history


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
    archive(cohort_dir, learner, module)
    staging.rename(target)
    return target


def inbound_hand_ins(cohort) -> dict[tuple[str, str], datetime]:
    """The newest JupyterLab hand-in per (learner, module) in the cohort's exchange inbox.
    nbgrader names each one ``<learner>+<module>+<timestamp>+<random>``."""
    from nbgrader.utils import parse_utc

    from leerpad.paths import exchange_dir

    newest: dict[tuple[str, str], datetime] = {}
    inbound = exchange_dir() / cohort.name / "inbound"
    for folder in inbound.glob("*+*+*") if inbound.is_dir() else []:
        learner, module, stamp = folder.name.split("+")[:3]
        if not LEARNER_PATTERN.match(learner):
            continue
        when = parse_utc(stamp).replace(tzinfo=UTC)
        if when > newest.get((learner, module), datetime.min.replace(tzinfo=UTC)):
            newest[(learner, module)] = when
    return newest


def nbgrader_api(cohort):
    """nbgrader's own Python API on the cohort's course, configured as its command line is."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(cohort.dir)).load_config()
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir, Authenticator(config=config), config=config)


def collect_from_exchange(cohort) -> list[tuple[str, str]]:
    """Bring new JupyterLab hand-ins into ``submitted/`` with nbgrader's collect (as
    ``nbgrader collect --update``), after moving the hand-in each one replaces to
    ``history/``. Returns what was collected."""
    newer = []
    for (learner, module), when in sorted(inbound_hand_ins(cohort).items()):
        current = submission_time(submission_dir(cohort.dir, learner, module))
        if current is None or when > current:
            newer.append((learner, module))
    for learner, module in newer:
        archive(cohort.dir, learner, module)
    for module in sorted({module for _, module in newer}):
        result = nbgrader_api(cohort).collect(module, update=True)
        if not result["success"]:
            raise RuntimeError(
                f"nbgrader collect {module} faalde voor cohort {cohort.name}:\n{result['error']}"
            )
    return newer


def prepare_grading(cohort) -> list[tuple[str, str]]:
    """Before grading: deadlines into the gradebook, JupyterLab hand-ins into the cohort."""
    cohort.sync_deadlines()
    return collect_from_exchange(cohort)
