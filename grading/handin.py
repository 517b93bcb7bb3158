"""Hand-ins become nbgrader submissions: the released notebook, the learner's answers and a
timestamp in ``submitted/<learner>/<module>/``, exactly where ``nbgrader collect`` puts them.
From the app they are written here directly; from JupyterLab nbgrader's assignment list puts
them in the exchange and :func:`collect_from_exchange` brings them in. Either way a new hand-in
keeps the previous one in ``history/``, and nbgrader's due date (the cohort's deadline)
marks a late one."""

import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

from leerpad.grading.identity import LEARNER_PATTERN
from leerpad.widgets.store import ANSWERS_FILE, write_json_atomic
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import ignore_patterns

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


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
