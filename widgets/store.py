"""The learner record: where a learner's answers live, and the one code that reads and
writes them. Also the answer keys (which never travel to the learner).

Answers are one JSON file per learner and module, ``{exercise id: state}``, where a state is
what ``Exercise.state()`` returns: the answer, the attempts, whether it was checked (the
feedback shown is computed again from these on restore) and whether the solution was shown.

- In an app the server keeps it in the learner's record, one per cohort,
  ``$LEERPAD_DATA/answers/<cohort>/<learner>/<module>/leerpad-answers.json``
  (:class:`LearnerRecord`; :func:`record_root` is the one place that says where). The same
  learner id (or pseudonym) in two cohorts is two people: two records. A record made before
  records were kept per cohort (``answers/<learner>/<module>/``) moves into the cohort that
  opens it first, so nobody loses answers on an upgrade.
- In JupyterLab it lies beside the notebook, and a hand-in carries a copy along; the
  grader, the feedback and the report read that copy with :func:`read_answers`.

Many tabs and devices of one learner write the same file at once. A write therefore takes
an exclusive ``fcntl.flock`` on a lock file beside it, reads the file again, changes the
one exercise and replaces the file atomically: no tab overwrites another's answers, and a
crash never leaves half a file. Hand-ins use :func:`locked` too (see
``leerpad.grading.handin``).
"""

import fcntl
import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from leerpad.settings import settings

ANSWERS_FILE = "leerpad-answers.json"
LEARNER_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MODULE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}$")  # a folder name, no path
COHORT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}$")
# Records made outside any cohort (a notebook, a test). No cohort or learner starts with "_".
NO_COHORT = "_zonder-cohort"


def write_json_atomic(path: Path, data) -> None:
    """Write JSON so that a reader sees the old file or the new one, never a mix."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def lock_path(path: Path) -> Path:
    """The lock file beside `path` (hidden, so nbgrader and the pages pass it by)."""
    path = Path(path)
    return path.parent / f".{path.name}.lock"


@contextmanager
def locked(path: Path, shared: bool = False):
    """Hold the lock of `path` (a file or folder, existing or not). Exclusive for writers;
    `shared` for readers that need a consistent view of several files. The lock is per open
    file, so threads of one process exclude each other as processes do. Never nest the same
    lock in one thread: it would wait for itself."""
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load(path: Path) -> dict | None:
    """The answers in a file; {} when there is no file; None when it is damaged."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def read_answers(folder: Path, log=None) -> dict:
    """The answers kept in `folder` (a hand-in, a notebook's folder, a record), read-only.
    A missing or damaged file counts as no answers: graded as empty, never an error."""
    data = _load(Path(folder) / ANSWERS_FILE)
    if data is None:
        if log is not None:
            log.warning("%s is beschadigd; telt als geen antwoorden", Path(folder) / ANSWERS_FILE)
        return {}
    return data


def write_answers(folder: Path, answers: dict) -> None:
    """Put a copy of the answers in `folder` (a hand-in being built; nobody else writes
    there, so no lock is needed)."""
    write_json_atomic(Path(folder) / ANSWERS_FILE, answers)


class AnswerStore:
    """The saved state of each exercise in one module for one learner.

    With a `path`, every :meth:`put` merges into the file under its lock. Without one (an
    app before it knows the learner, the grader) the answers stay in memory."""

    def __init__(self, path: Path | None, data: dict | None = None):
        self.path = Path(path) if path else None
        self.data: dict = dict(data or {})
        if self.path:
            data = _load(self.path)  # replaced atomically: a read needs no lock
            if data is None:
                with locked(self.path):
                    data = self._read_or_set_aside()
            self.data = data

    @classmethod
    def of_folder(cls, folder: Path) -> "AnswerStore":
        """A read-only view of the answers in `folder` (a hand-in being graded)."""
        return cls(None, read_answers(folder))

    def _read_or_set_aside(self) -> dict:
        """The file's answers. A damaged file must not stop the learner: it is kept aside
        as ``*.damaged.json`` and the record starts fresh. Call with the lock held."""
        data = _load(self.path)
        if data is None:
            try:
                self.path.replace(self.path.with_suffix(".damaged.json"))
            except OSError:
                pass
            return {}
        return data

    def get(self, exercise_id: str) -> dict:
        state = self.data.get(exercise_id)
        return state if isinstance(state, dict) else {}

    def put(self, exercise_id: str, state: dict) -> None:
        """Keep one exercise's state; the others in the file stay as other tabs left them."""
        self.put_many({exercise_id: state})

    def put_many(self, states: dict, only_new: bool = False) -> None:
        """Keep several states in one write. `only_new`: leave exercises that already have
        a state in the file alone (a tab joining a record that other tabs filled)."""
        if not states:
            return  # nothing to keep: no lock, no file
        if not self.path:
            for exercise_id, state in states.items():
                if not (only_new and exercise_id in self.data):
                    self.data[exercise_id] = state
            return
        with locked(self.path):
            current = self._read_or_set_aside()
            changed = False
            for exercise_id, state in states.items():
                if only_new and exercise_id in current:
                    continue
                current[exercise_id] = state
                changed = True
            if changed:
                write_json_atomic(self.path, current)
            self.data = current

    def reload(self) -> dict:
        """The answers as the file holds them now (with every tab's saves); kept here too."""
        if self.path:
            data = _load(self.path)
            if data is not None:
                self.data = data
        return dict(self.data)


def running_cohort() -> str:
    """The cohort this app runs for: the folder ``$LEERPAD_COHORT`` names (the platform sets
    it for the apps; the signed and class links are checked against the same cohort)."""
    folder = settings().cohort
    return Path(folder).name if folder else NO_COHORT


def _answers_root(root: Path | None) -> Path:
    if root is None:
        from leerpad.paths import data_dir

        root = data_dir()
    return Path(root) / "answers"


def record_root(cohort: str, learner: str, root: Path | None = None) -> Path:
    """The folder of everything the server keeps of one learner in one cohort, one
    subfolder per module: ``$LEERPAD_DATA/answers/<cohort>/<learner>/``. The one place that
    knows the layout (the record, and deleting a learner everywhere, use it)."""
    if not isinstance(cohort, str) or not (cohort == NO_COHORT or COHORT_PATTERN.match(cohort)):
        raise ValueError(f"Ongeldige cohortnaam: {cohort!r}")
    if not isinstance(learner, str) or not LEARNER_PATTERN.match(learner):
        raise ValueError(f"Ongeldige leerling-id: {learner!r}")
    return _answers_root(root) / cohort / learner


def legacy_record_root(learner: str, root: Path | None = None) -> Path:
    """Where a learner's record lay before records were kept per cohort
    (``answers/<learner>/``). Only read, to move it into a cohort (:class:`LearnerRecord`)."""
    if not isinstance(learner, str) or not LEARNER_PATTERN.match(learner):
        raise ValueError(f"Ongeldige leerling-id: {learner!r}")
    return _answers_root(root) / learner


class LearnerRecord:
    """What the server keeps of one learner in one module of one cohort (the running cohort
    unless named), in ``record_root(cohort, learner)/<module>/``. Hand-ins, grades and
    feedback of a cohort live in the cohort's nbgrader folders (``leerpad.grading.handin``)."""

    def __init__(
        self, learner: str, module: str, root: Path | None = None, cohort: str | None = None
    ):
        if not isinstance(module, str) or not MODULE_PATTERN.match(module):
            raise ValueError(f"Ongeldige module-id: {module!r}")
        self.cohort = cohort or running_cohort()
        self.learner, self.module = learner, module
        self.folder = record_root(self.cohort, learner, root) / module
        self._legacy = legacy_record_root(learner, root) / module / ANSWERS_FILE

    @property
    def answers_path(self) -> Path:
        return self.folder / ANSWERS_FILE

    def _move_legacy(self) -> None:
        """Once: a record from before the cohort level moves here. A file at
        ``answers/<learner>/<module>/`` can only be old: in the new layout that depth holds
        folders. Two cohorts that ask at once: one gets it (as before, they shared it)."""
        if self.answers_path.exists() or not self._legacy.is_file():
            return
        with locked(self.answers_path):
            if self.answers_path.exists():
                return
            try:
                os.replace(self._legacy, self.answers_path)
            except FileNotFoundError:
                return  # another cohort took it a moment ago
        lock_path(self._legacy).unlink(missing_ok=True)
        for folder in (self._legacy.parent, self._legacy.parent.parent):
            try:
                folder.rmdir()  # only when empty: other modules may still wait there
            except OSError:
                break

    def answers(self) -> AnswerStore:
        """The learner's answers, to read and to save into (merging under the lock)."""
        self._move_legacy()
        return AnswerStore(self.answers_path)

    def read(self) -> dict:
        """The answers as they are now, read-only."""
        self._move_legacy()
        return read_answers(self.folder)


class KeyStore:
    """Answer keys by exercise id, read from the directory named by ``$LEERPAD_KEYS``."""

    def __init__(self, directory: Path | None = None):
        env = settings().keys
        self.directory = Path(directory) if directory else (Path(env) if env else None)
        self._keys: dict | None = None

    def _load(self) -> dict:
        keys: dict = {}
        if self.directory and self.directory.is_dir():
            for path in sorted(self.directory.glob("*.json")):
                keys.update(json.loads(path.read_text(encoding="utf-8")))
        return keys

    def get(self, exercise_id: str) -> dict | None:
        if self._keys is None:
            self._keys = self._load()
        return self._keys.get(exercise_id)
