"""Hand-ins become nbgrader submissions: the released notebook, the learner's answers and a
timestamp in ``submitted/<learner>/<module>/``, exactly where ``nbgrader collect`` puts them.
From the app they are written here directly; from JupyterLab nbgrader's assignment list puts
them in the exchange and :func:`collect_from_exchange` brings them in. Either way a new hand-in
keeps the previous one in ``history/``, and nbgrader's due date (the cohort's deadline)
marks a late one.

Every change to ``submitted/<learner>/<module>`` (a hand-in from an app, a JupyterLab hand-in
collected) holds the lock of that folder (:func:`hand_in_lock`); the grader holds it shared
while it copies a hand-in. Each hand-in is built in a folder of its own and swapped in
whole, so two hand-ins at once both end up kept (the newer current, the older in
``history/``), each with its notebook and its answers."""

import shutil
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from leerpad.widgets.store import LEARNER_PATTERN, locked, write_answers

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
STAGING_PREFIX = ".new-"


class HandInError(ValueError):
    """A hand-in that cannot be taken. The message is for the learner: Dutch, no paths."""


SERVER_FAILURE = (
    "er ging iets mis op de server. Je antwoorden zijn bewaard; probeer over een minuutje "
    "opnieuw in te leveren. Lukt het dan nog niet, meld het aan je trainer."
)


def submission_dir(cohort_dir: Path, learner: str, module: str) -> Path:
    return Path(cohort_dir) / "submitted" / learner / module


def hand_in_lock(cohort_dir, learner: str, module: str, shared: bool = False):
    """The lock of one learner's hand-in of one module (a file beside the folder)."""
    return locked(submission_dir(cohort_dir, learner, module), shared=shared)


def submission_time(folder: Path) -> datetime | None:
    """The hand-in time nbgrader reads (timestamp.txt), as an aware UTC datetime."""
    from nbgrader.utils import parse_utc

    stamp = Path(folder) / "timestamp.txt"
    if not stamp.exists() or not stamp.read_text().strip():
        return None
    return parse_utc(stamp.read_text().strip()).replace(tzinfo=UTC)


def archive(cohort_dir, learner: str, module: str) -> Path | None:
    """Move the current hand-in to ``history/<learner>/<module>/<its time>``. Call with the
    hand-in's lock held. A folder of that name already there is kept: this one gets a
    number behind its name."""
    target = submission_dir(cohort_dir, learner, module)
    if not target.exists():
        return None
    when = submission_time(target) or datetime.now(UTC)
    stamp = when.strftime(TIMESTAMP_FORMAT).replace(" ", "_").replace(":", "-")
    history = Path(cohort_dir) / "history" / learner / module / stamp
    history.parent.mkdir(parents=True, exist_ok=True)
    number = 1
    while history.exists():
        number += 1
        history = history.with_name(f"{stamp}-{number}")
    target.rename(history)
    return history


def _remove_leftovers(parent: Path, module: str) -> None:
    """Staging folders of hand-ins that crashed halfway (only called with the lock held,
    so no hand-in is building one right now)."""
    for folder in parent.glob(f".{module}{STAGING_PREFIX}*"):
        shutil.rmtree(folder, ignore_errors=True)


def submit_from_app(cohort_dir, module: str, learner: str, answers: dict) -> Path:
    """Hand in `answers` with the released notebook; the previous hand-in goes to history.
    Raises HandInError (Dutch, for the learner) when it cannot."""
    if not isinstance(learner, str) or not LEARNER_PATTERN.match(learner):
        raise HandInError(f"ongeldige naam '{learner}'")
    cohort_dir = Path(cohort_dir)
    released = cohort_dir / "release" / module
    if not released.is_dir():
        raise HandInError(f"module '{module}' is niet vrijgegeven in dit cohort")
    target = submission_dir(cohort_dir, learner, module)
    try:
        with hand_in_lock(cohort_dir, learner, module):
            _remove_leftovers(target.parent, module)
            # Built in a folder of its own, then swapped in: never half a hand-in in place.
            staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{module}{STAGING_PREFIX}"))
            try:
                shutil.copytree(released, staging, dirs_exist_ok=True)
                write_answers(staging, answers)
                now = datetime.now(UTC)
                (staging / "timestamp.txt").write_text(now.strftime(TIMESTAMP_FORMAT))
                previous = archive(cohort_dir, learner, module)
                try:
                    staging.rename(target)
                except BaseException:
                    if previous is not None and not target.exists():
                        previous.rename(target)  # the hand-in before stays the current one
                    raise
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except OSError as error:
        # the details (with server paths) go to the server's log, not to the learner
        print(f"leerpad: inleveren van {learner} {module} faalde: {error!r}", file=sys.stderr)
        raise HandInError(SERVER_FAILURE) from error
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
    for module in sorted({module for _, module in newer}):
        learners = sorted(learner for learner, m in newer if m == module)
        with hand_in_locks(cohort.dir, learners, module):
            for learner in learners:
                archive(cohort.dir, learner, module)
            result = nbgrader_api(cohort).collect(module, update=True)
        if not result["success"]:
            raise RuntimeError(
                f"nbgrader collect {module} faalde voor cohort {cohort.name}:\n{result['error']}"
            )
    return newer


@contextmanager
def hand_in_locks(cohort_dir, learners, module: str):
    """The hand-in locks of several learners, always taken in the same (sorted) order."""
    with ExitStack() as stack:
        for learner in sorted(learners):
            stack.enter_context(hand_in_lock(cohort_dir, learner, module))
        yield


def prepare_grading(cohort) -> list[tuple[str, str]]:
    """Before grading: deadlines into the gradebook, JupyterLab hand-ins into the cohort."""
    cohort.sync_deadlines()
    return collect_from_exchange(cohort)
