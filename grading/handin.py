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

import os
import shutil
import stat
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from leerpad.widgets.store import LEARNER_PATTERN, locked, write_answers
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import ignore_patterns

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


def not_data(folder) -> list[str]:
    """What in a hand-in folder is not plain data, as paths relative to it: symbolic links
    (to a file or a folder, inside or outside), devices, fifos and sockets. A folder that
    is itself a link is not data at all: ``["."]``."""
    folder = str(folder)
    if os.path.islink(folder):
        return ["."]
    found = []
    for top, folders, files in os.walk(folder):
        for name in folders + files:
            path = os.path.join(top, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append(os.path.relpath(path, folder))
    return sorted(found)


def note_not_data(names: list[str]) -> str:
    """The Dutch note for a hand-in from which `names` were left out."""
    if names == ["."]:
        shown = "de hele inzending (de map is een link naar een andere plaats)"
    else:
        shown = ", ".join(f"'{n}'" for n in names[:10]) + (" en meer" if len(names) > 10 else "")
    return (
        f"Niet meegenomen uit de inzending: {shown}. Een inzending bestaat uit gewone bestanden "
        "en mappen: links (snelkoppelingen) naar andere bestanden, apparaatbestanden en wat "
        "buiten de inzending ligt worden niet gekopieerd, uitgevoerd of verbeterd."
    )


def copy_data(src, dest, ignore=None) -> list[str]:
    """``shutil.copytree`` for a hand-in: regular files and folders only, never following a
    link. Returns what it left out (see `not_data`)."""
    left_out = not_data(src)
    if left_out == ["."]:
        return left_out
    skip = set(left_out)

    def ignored(folder, names):
        own = {n for n in names if os.path.relpath(os.path.join(folder, n), src) in skip}
        return own | set(ignore(folder, names) if ignore else ())

    shutil.copytree(src, dest, symlinks=True, ignore=ignored)
    return left_out


class DataOnlyCopy:
    """nbgrader's exchange copy (submit from JupyterLab, collect by the trainer), with
    `copy_data`: a link in the learner's folder never brings the file it points to."""

    def do_copy(self, src, dest, log=None):
        if self.get_size(src) > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"De map {src} is te groot om in te leveren.")
        patterns = ignore_patterns(
            exclude=self.coursedir.ignore,
            include=self.coursedir.include,
            max_file_size=self.coursedir.max_file_size,
            log=self.log,
        )
        left_out = copy_data(src, dest, patterns)
        if left_out:
            self.log.warning("%s (%s)", note_not_data(left_out), src)


class DataOnlySubmit(DataOnlyCopy, ExchangeSubmit):
    pass


class DataOnlyCollect(DataOnlyCopy, ExchangeCollect):
    pass


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
