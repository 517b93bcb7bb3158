"""A pupil's data can be deleted and exported (GDPR; pupils are minors).

Everything leerpad keeps of a learner lies in a few places, all named here:

- the cohort folder: ``cohort.json`` (roster and pseudonyms), ``links.csv``,
  ``schuilnamen.txt``, the gradebook (``gradebook.db``, or the PostgreSQL database its URL
  names), nbgrader's ``submitted/``, ``autograded/`` and ``feedback/``, the hand-in history
  (``history/``), leftover grading folders (``.leerpad-grading/``), the report (``rapport/``),
  failed gradings (``verbeteren-mislukt.json``), failed pseudonym attempts (``pogingen.json``)
  and the names taken in an open cohort (``open-namen.json``);
- nbgrader's exchange (JupyterLab hand-ins and their feedback) and the server logs (`var/logs/`);
- the learner's record in the apps (``$LEERPAD_DATA/answers/...``; ``widgets.store`` is the
  one place that knows where).

``forget_learner`` removes one learner or pseudonym from all of them, ``delete_cohort`` a
whole cohort, ``export_cohort`` writes the points per exercise and a copy of the gradebook.
Each first makes a plan (what it will remove) that the command shows before asking.
"""

import csv
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from leerpad.grading.cohort import Cohort, CohortError
from leerpad.grading.identity import ATTEMPTS_FILE, CLAIMS_FILE, _locked_json, normalize_learner
from leerpad.grading.record import FAILURES_FILE
from leerpad.grading.worker import STAGING
from leerpad.widgets import store
from leerpad.widgets.store import LEARNER_PATTERN, locked, write_json_atomic

from leerpad.paths import exchange_dir, var_dir

NBGRADER_FOLDERS = ("submitted", "autograded", "feedback", "history")
REPORT_DIR = "rapport"


@dataclass
class Plan:
    """What a deletion will remove: folders and files, and entries inside files."""

    folders: list[Path] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)  # Dutch lines: "cohort.json: ..."
    logs: list[Path] = field(default_factory=list)  # server logs with lines about learners
    learners: list[str] = field(default_factory=list)  # whose lines go from those logs
    gradebook: bool = False

    def lines(self, base: Path) -> list[str]:
        def shown(path: Path) -> str:
            try:
                return str(path.relative_to(base))
            except ValueError:
                return str(path)

        return [f"  {shown(p)}" for p in self.folders] + [f"  {e}" for e in self.entries]

    @property
    def empty(self) -> bool:
        return not (self.folders or self.entries or self.gradebook)


# -- where a learner's answers in the apps are ------------------------------------------
def answer_records(cohort: str, learner: str) -> list[Path]:
    """The folders of the learner's records in the apps. widgets.store knows the layout;
    with records per cohort that is ``record_root``, else ``answers/<learner>/`` (then shared
    by every cohort the learner is in)."""
    if hasattr(store, "record_root"):
        folders = [store.record_root(cohort, learner)]
        if hasattr(store, "legacy_record_root"):
            folders.append(store.legacy_record_root(learner))
        return folders
    return [store.LearnerRecord(learner, "module").folder.parent]


def cohort_answer_records(cohort: str, learners) -> list[Path]:
    """The folders of all records of a cohort's learners in the apps."""
    if hasattr(store, "record_root"):
        return [store.record_root(cohort, "leerling").parent]
    return [store.LearnerRecord(learner, "module").folder.parent for learner in learners]


# -- one learner -------------------------------------------------------------------------
def resolve_learner(cohort: Cohort, who: str) -> str:
    """The learner id or pseudonym of `who` (an id, a pseudonym or a name as in the CSV)."""
    learner = who if LEARNER_PATTERN.match(who or "") else normalize_learner(who)
    if not learner:
        raise CohortError(
            f"'{who}' is geen cursist-id, schuilnaam of naam. Geef de id zoals in "
            f"links.csv of `leerpad report {cohort.name}`, bv. an-peeters of mier-82."
        )
    return learner


def learner_plan(cohort: Cohort, learner: str) -> Plan:
    plan = Plan()
    settings = cohort.settings
    for key, label in (("roster", "cursistenlijst"), ("pseudonyms", "schuilnamen")):
        if learner in settings.get(key, []):
            plan.entries.append(f"cohort.json: {learner} uit de {label}")
    for name in ("links.csv", "schuilnamen.txt"):
        if _rows_of(cohort.dir / name, learner):
            plan.entries.append(f"{name}: de regel van {learner}")
    for name in (FAILURES_FILE, ATTEMPTS_FILE, CLAIMS_FILE):
        if _json_mentions(cohort.dir / name, learner):
            plan.entries.append(f"{name}: wat over {learner} bewaard is")
    plan.logs = [p for p in _log_files() if _file_mentions(p, learner)]
    plan.entries += [f"{p.name} (log): de regels over {learner}" for p in plan.logs]
    if cohort.exists() and _in_gradebook(cohort, learner):
        plan.gradebook = True
        plan.entries.append(f"puntenboek: {learner} met alle inzendingen, punten en commentaar")
    for folder in NBGRADER_FOLDERS:
        plan.folders.append(cohort.dir / folder / learner)
    plan.folders += list((cohort.dir / STAGING).glob(f"*/{learner}"))
    plan.folders += list((cohort.dir / STAGING).glob(f"*/*/{learner}"))
    exchange = exchange_dir() / cohort.name
    plan.folders += list((exchange / "inbound").glob(f"{learner}+*"))
    plan.folders += list((exchange / "outbound").glob(f"{learner}+*"))
    plan.folders += [
        p for p in (exchange / "feedback").glob("*") if p.is_file() and _file_mentions(p, learner)
    ]
    plan.folders += answer_records(cohort.name, learner)
    plan.folders = [p for p in plan.folders if p.exists() or p.is_symlink()]
    if (cohort.dir / REPORT_DIR).exists() and (plan.gradebook or plan.folders):
        plan.entries.append(f"{REPORT_DIR}/: opnieuw gemaakt zonder {learner}")
    return plan


def forget_learner(cohort: Cohort, learner: str, plan: Plan | None = None) -> Plan:
    """Remove one learner or pseudonym from the cohort, everywhere. Returns what was done."""
    plan = plan or learner_plan(cohort, learner)
    if plan.gradebook:
        with cohort.gradebook() as gb:
            gb.remove_student(learner)  # nbgrader removes their submissions and grades too
        _compact(cohort)
    for path in plan.folders:
        _remove(path)
    settings = cohort.settings
    changes = {
        key: [x for x in settings.get(key, []) if x != learner]
        for key in ("roster", "pseudonyms")
        if learner in settings.get(key, [])
    }
    if changes:
        cohort.update_settings(**changes)
    for path in [cohort.dir / "links.csv", cohort.dir / "schuilnamen.txt", *plan.logs]:
        _drop_rows(path, learner)
    _drop_from_failures(cohort.dir / FAILURES_FILE, learner)
    for name in (ATTEMPTS_FILE, CLAIMS_FILE):
        _drop_keys(cohort.dir / name, learner)
    if (cohort.dir / REPORT_DIR).exists():
        _remake_report(cohort)
    return plan


# -- a whole cohort ----------------------------------------------------------------------
def cohort_learners(cohort: Cohort) -> list[str]:
    learners = set(cohort.roster) | set(cohort.pseudonyms)
    if cohort.exists():
        try:
            with cohort.gradebook() as gb:
                learners |= {s.id for s in gb.students}
        except Exception:  # noqa: BLE001 - a broken gradebook goes with the folder anyway
            pass
    for folder in NBGRADER_FOLDERS:
        if (cohort.dir / folder).is_dir():
            learners |= {p.name for p in (cohort.dir / folder).iterdir() if p.is_dir()}
    return sorted(x for x in learners if LEARNER_PATTERN.match(x))


def cohort_plan(cohort: Cohort) -> Plan:
    learners = cohort_learners(cohort)
    plan = Plan(folders=[cohort.dir, exchange_dir() / cohort.name], learners=learners)
    plan.folders += cohort_answer_records(cohort.name, learners)
    plan.folders = [p for p in plan.folders if p.exists()]
    plan.logs = [p for p in _log_files() if any(_file_mentions(p, x) for x in learners)]
    plan.entries += [f"{p.name} (log): de regels over cursisten van het cohort" for p in plan.logs]
    url = cohort.settings.get("db_url", "")
    if url and not url.startswith("sqlite"):
        plan.gradebook = True
        plan.entries.append("puntenboek (PostgreSQL): alle cursisten, opdrachten en punten")
    return plan


def delete_cohort(cohort: Cohort, plan: Plan | None = None) -> Plan:
    plan = plan or cohort_plan(cohort)
    if plan.gradebook:  # a database outside the folder: empty it through nbgrader's API
        with cohort.gradebook() as gb:
            for student in list(gb.students):
                gb.remove_student(student.id)
            for assignment in list(gb.assignments):
                gb.remove_assignment(assignment.name)
    for path in plan.folders:
        _remove(path)
    for path in plan.logs:
        for learner in plan.learners:
            _drop_rows(path, learner)
    return plan


# -- export ------------------------------------------------------------------------------
def export_cohort(cohort: Cohort, folder: Path) -> list[Path]:
    """One CSV per module (cursist, oefening, punten, maximum) and a copy of the gradebook
    in `folder`. Returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with cohort.gradebook() as gb:
        for assignment in gb.assignments:
            rows = []
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in sorted(notebook.grades, key=lambda g: g.name):
                        rows.append(
                            [submission.student.id, grade.name, grade.score, grade.max_score]
                        )
            path = folder / f"{assignment.name}.csv"
            with open(path, "w", newline="", encoding="utf-8-sig") as f:
                writer = csv.writer(f, delimiter=";")
                writer.writerow(["cursist", "oefening", "punten", "maximum"])
                writer.writerows(sorted(rows, key=lambda r: (r[0], r[1])))
            written.append(path)
    written.append(_backup_gradebook(cohort, folder))
    return written


def _backup_gradebook(cohort: Cohort, folder: Path) -> Path:
    url = cohort.settings["db_url"]
    if url.startswith("sqlite:///"):
        target = folder / "gradebook.db"
        target.unlink(missing_ok=True)
        source = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)  # a consistent copy, also while the platform writes
        source.close()
        copy.close()
        return target
    target = folder / "gradebook.sql"
    pg_url = url.replace("postgresql+psycopg2://", "postgresql://")
    try:
        subprocess.run(["pg_dump", "--file", str(target), pg_url], check=True)
    except (OSError, subprocess.CalledProcessError) as err:
        raise CohortError(
            f"Het puntenboek van '{cohort.name}' staat in PostgreSQL en pg_dump lukte niet "
            f"({err}). Installeer de PostgreSQL-clienttools of maak de kopie met je databank."
        ) from err
    return target


# -- helpers -----------------------------------------------------------------------------
def _in_gradebook(cohort: Cohort, learner: str) -> bool:
    from nbgrader.api import MissingEntry

    with cohort.gradebook() as gb:
        try:
            gb.find_student(learner)
        except MissingEntry:
            return False
    return True


def _compact(cohort: Cohort) -> None:
    """SQLite keeps deleted rows in free pages until VACUUM: a forgotten name must be gone."""
    url = cohort.settings.get("db_url", "")
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            connection.execute("VACUUM")
        finally:
            connection.close()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    store.lock_path(path).unlink(missing_ok=True)  # a record's or hand-in's lock file


def _log_files() -> list[Path]:
    folder = var_dir() / "logs"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _mentions(text: str, learner: str) -> bool:
    import re

    return re.search(rf"(?<![a-z0-9_-]){re.escape(learner)}(?![a-z0-9_-])", text) is not None


def _file_mentions(path: Path, learner: str) -> bool:
    try:
        return _mentions(path.read_text(encoding="utf-8", errors="replace"), learner)
    except OSError:
        return False


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)


def _rows_of(path: Path, learner: str) -> list[str]:
    return [x for x in _lines(path) if _mentions(x, learner)] if path.is_file() else []


def _drop_rows(path: Path, learner: str) -> None:
    """links.csv, schuilnamen.txt, a log: every line that names the learner goes. Written
    in place, so a server that appends to its log keeps writing into the same file."""
    if _rows_of(path, learner):
        path.write_text(
            "".join(x for x in _lines(path) if not _mentions(x, learner)), encoding="utf-8"
        )


def _json_mentions(path: Path, learner: str) -> bool:
    return path.exists() and _file_mentions(path, learner)


def _drop_from_failures(path: Path, learner: str) -> None:
    if not _json_mentions(path, learner):
        return
    with locked(path):
        entries = json.loads(path.read_text(encoding="utf-8"))
        kept = [e for e in entries if not (isinstance(e, dict) and e.get("learner") == learner)]
        write_json_atomic(path, kept)


def _drop_keys(path: Path, learner: str) -> None:
    """pogingen.json ('schuilnaam:mier-82': ...) and open-namen.json (name: device)."""
    if not _json_mentions(path, learner):
        return
    with _locked_json(path) as data:
        for key in [k for k in data if k == learner or k.rpartition(":")[2] == learner]:
            del data[key]


def _remake_report(cohort: Cohort) -> None:
    from leerpad.grading.reports import write_report

    shutil.rmtree(cohort.dir / REPORT_DIR, ignore_errors=True)
    write_report(cohort)
