"""The one writer of grades: puts a graded hand-in in place and stores its grades in the
gradebook, as nbgrader's autograde does, in one transaction.

A hand-in counts as graded when the gradebook holds its submission with the timestamp of
the hand-in, and ``autograded/<learner>/<module>/timestamp.txt`` holds that same timestamp.
The autograded folder is moved into place first, then one commit stores the grades and the
timestamp together: killed at any moment, the gradebook and the folders never say
"graded" for a hand-in whose grades are not all stored.
"""

import fcntl
import json
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from leerpad.widgets.store import locked, write_json_atomic
from nbgrader import utils
from nbgrader.api import (
    Comment,
    Grade,
    Gradebook,
    MissingEntry,
    SubmittedAssignment,
    SubmittedNotebook,
    new_uuid,
)
from nbgrader.preprocessors import AssignLatePenalties
from sqlalchemy import insert

from leerpad.atomic import swap

LOCK_FILE = ".leerpad-grading.lock"
FAILURES_FILE = "verbeteren-mislukt.json"
TABLES = (SubmittedAssignment, SubmittedNotebook, Grade, Comment)


def read_timestamp(folder: Path) -> str | None:
    path = Path(folder) / "timestamp.txt"
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return text or None


def same_time(recorded, text: str | None) -> bool:
    return recorded is not None and text is not None and recorded == utils.parse_utc(text)


def graded_timestamps(gradebook: Gradebook, assignment: str | None = None) -> dict:
    """{(learner, module): timestamp} of every submission the gradebook holds."""
    from nbgrader.api import Assignment, Student

    query = (
        gradebook.db.query(Student.id, Assignment.name, SubmittedAssignment.timestamp)
        .join(SubmittedAssignment.student)
        .join(SubmittedAssignment.assignment)
    )
    if assignment:
        query = query.filter(Assignment.name == assignment)
    return {(learner, module): stamp for learner, module, stamp in query}


@contextmanager
def cohort_lock(cohort_dir):
    """Serialises writers of one cohort (a batch and a hand-in graded at the same time)."""
    with open(Path(cohort_dir) / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- hand-ins that could not be graded ------------------------------------------------------
# Kept in the cohort until a later grading of the same hand-in succeeds, so that the trainer
# sees them in ``leerpad grade`` and in the report instead of a score of zero.


def grading_failures(cohort_dir) -> dict[tuple[str, str], dict]:
    """{(learner, module): {"message", "when"}} of hand-ins whose last grading failed."""
    try:
        data = json.loads((Path(cohort_dir) / FAILURES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found = {}
    for entry in data if isinstance(data, list) else []:
        if isinstance(entry, dict) and {"learner", "module", "message"} <= set(entry):
            found[entry["learner"], entry["module"]] = entry
    return found


def update_grading_failures(cohort_dir, failed: dict, graded=()) -> None:
    """Note `failed` ({(learner, module): message}) and forget the failures of `graded`."""
    path = Path(cohort_dir) / FAILURES_FILE
    if not failed and not path.exists():
        return
    with locked(path):
        current = grading_failures(cohort_dir)
        for key in graded:
            current.pop(tuple(key), None)
        when = datetime.now(UTC).isoformat(timespec="seconds")
        for (learner, module), message in failed.items():
            current[learner, module] = {
                "learner": learner, "module": module, "message": message, "when": when
            }  # fmt: skip
        write_json_atomic(path, [current[key] for key in sorted(current)])


class Recorder:
    """Writes graded hand-ins of one cohort into its gradebook and autograded folder."""

    def __init__(self, grader_config, cohort_dir, db_url: str, course_id: str):
        self.cohort_dir = Path(cohort_dir)
        self.gradebook = Gradebook(db_url, course_id=course_id)
        self.late = AssignLatePenalties(config=grader_config)
        self.late.init_plugin()
        self._students: dict = {}  # per batch: nbgrader's rows of learners and modules
        self._shapes: dict = {}
        self._existing: set = set()
        self._rows: dict = {t.__tablename__: [] for t in TABLES}

    def close(self):
        self.gradebook.close()

    def is_graded(self, learner: str, module: str, stamp: str | None) -> bool:
        autograded = self.cohort_dir / "autograded" / learner / module
        if read_timestamp(autograded) != stamp:
            return False
        try:
            submission = self.gradebook.find_submission(module, learner)
        except MissingEntry:
            return False
        return same_time(submission.timestamp, stamp)

    # -- one transaction for a batch of hand-ins -----------------------------------------
    def begin(self) -> None:
        """Start a batch: take the cohort's writer lock, see what others committed."""
        self._lock = cohort_lock(self.cohort_dir)
        self._lock.__enter__()
        self.gradebook.db.rollback()
        self._students.clear()
        self._shapes.clear()
        self._existing = set(graded_timestamps(self.gradebook))  # one query per batch
        self._commit, self.gradebook.db.commit = self.gradebook.db.commit, self.gradebook.db.flush

    def commit(self) -> None:
        """Store the batch (one commit), release the lock."""
        db = self.gradebook.db
        try:
            del db.commit  # nbgrader's helpers commit again from here on
            self._insert_rows()
            self._commit()
        except Exception:
            db.rollback()
            raise
        finally:
            self._lock.__exit__(None, None, None)

    def record(self, result: dict) -> bool:
        """Add one worker's result to the batch. False when it was graded meanwhile."""
        learner, module = result["learner"], result["assignment"]
        staging = Path(result["staging"])
        stamp = read_timestamp(staging)
        gb = self.gradebook
        if stamp and self.is_graded(learner, module, stamp):
            return False
        submission = None
        if (learner, module) in self._existing:  # handed in again: its rows are updated
            submission = gb.find_submission(module, learner)
        if submission is None and self._rows_for_new(module, learner, result, stamp):
            swap(staging, self.cohort_dir / "autograded" / learner / module)
            return True
        if submission is None:  # first and late: nbgrader's own, the penalty needs its scores
            self._student(learner)
            with gb.db.no_autoflush:  # no half-built rows written while it builds them
                submission = gb.add_submission(module, learner)  # no timestamp yet
        swap(staging, self.cohort_dir / "autograded" / learner / module)
        self._store(submission, result, stamp)
        return True

    def _rows_for_new(self, module: str, learner: str, result: dict, stamp) -> bool:
        """A learner's first hand-in of a module, on time (the common case): the rows that
        ``add_submission`` and ``_store`` would leave, queued for one INSERT per table at the
        batch's commit instead of an ORM object per cell. False (nothing queued) for a late
        hand-in: its penalty needs the ORM's computed scores."""
        shape = self._shape(module)
        timestamp = utils.parse_utc(stamp) if stamp else None
        if timestamp is not None and shape["duedate"] is not None and timestamp > shape["duedate"]:
            return False
        self._student(learner)
        submission_id = new_uuid()
        rows = self._rows
        rows["submitted_assignment"].append(
            {"id": submission_id, "assignment_id": shape["id"], "student_id": learner,
             "timestamp": timestamp, "extension": None}
        )  # fmt: skip
        for notebook_id, name, graded, commented in shape["notebooks"]:
            got = result["notebooks"].get(name)
            row_id = new_uuid()
            rows["submitted_notebook"].append(
                {"id": row_id, "assignment_id": submission_id, "notebook_id": notebook_id,
                 "flagged": False, "late_submission_penalty": None}
            )  # fmt: skip
            for cell_id, cell_name in graded:
                if got is None:  # no such notebook handed in: zero, as nbgrader does
                    auto, manual = 0, False
                elif cell_name in got["grades"]:
                    auto = got["grades"][cell_name]
                    manual = auto is None
                else:
                    auto, manual = None, True  # the column's default
                rows["grade"].append(
                    {"id": new_uuid(), "notebook_id": row_id, "cell_id": cell_id,
                     "auto_score": auto, "manual_score": None, "extra_credit": None,
                     "needs_manual_grade": manual}
                )  # fmt: skip
            for cell_id, cell_name in commented:
                comment = got["comments"].get(cell_name) if got is not None else None
                rows["comment"].append(
                    {"id": new_uuid(), "notebook_id": row_id, "cell_id": cell_id,
                     "auto_comment": comment, "manual_comment": None}
                )  # fmt: skip
        return True

    def _shape(self, module: str) -> dict:
        """A module's notebooks and cells as plain ids and names, read once per batch."""
        if module not in self._shapes:
            assignment = self.gradebook.find_assignment(module)
            notebooks = []
            for nb in assignment.notebooks:
                graded = [(c.id, c.name) for c in [*nb.grade_cells, *nb.task_cells]]
                commented = [(c.id, c.name) for c in [*nb.solution_cells, *nb.task_cells]]
                notebooks.append((nb.id, nb.name, graded, commented))
            self._shapes[module] = {
                "id": assignment.id, "duedate": assignment.duedate, "notebooks": notebooks
            }  # fmt: skip
        return self._shapes[module]

    def _student(self, learner: str):
        if learner not in self._students:
            try:
                self._students[learner] = self.gradebook.find_student(learner)
            except MissingEntry:
                self._students[learner] = self.gradebook.update_or_create_student(learner)
        return self._students[learner]

    def _insert_rows(self) -> None:
        """The queued rows of first hand-ins, one INSERT per table, parents first."""
        for table in TABLES:  # parents before children
            rows = self._rows[table.__tablename__]
            if rows:
                self.gradebook.db.execute(insert(table.__table__), rows)
            rows.clear()

    def _store(self, submission, result, stamp):
        gb = self.gradebook
        for notebook in submission.notebooks:
            got = result["notebooks"].get(notebook.notebook.name)
            for grade in notebook.grades:
                if got is None:  # no such notebook handed in: zero, as nbgrader does
                    grade.auto_score, grade.needs_manual_grade = 0, False
                elif grade.name in got["grades"]:
                    # as nbgrader's SaveAutoGrades: never touch a manual score, but flag it
                    grade.auto_score = got["grades"][grade.name]
                    grade.needs_manual_grade = (
                        grade.manual_score is not None or grade.auto_score is None
                    )
            for comment in notebook.comments:
                if got is not None and comment.name in got["comments"]:
                    comment.auto_comment = got["comments"][comment.name]
        submission.timestamp = utils.parse_utc(stamp) if stamp else None
        late = submission.total_seconds_late > 0
        for notebook in submission.notebooks:
            if notebook.notebook.name in result["notebooks"]:
                notebook.late_submission_penalty = None
                if late:
                    gb.db.flush()
                    gb.db.expire(notebook, ["score"])  # a computed column: read it back
                    self._late_penalty(submission, notebook)

    def _late_penalty(self, submission, notebook):
        """As nbgrader's AssignLatePenalties, with the plugin of the configuration."""
        notebook.late_submission_penalty = None
        if submission.total_seconds_late > 0:
            penalty = self.late.plugin_inst.late_submission_penalty(
                submission.student.id, notebook.score, submission.total_seconds_late
            )
            if penalty is not None:
                notebook.late_submission_penalty = self.late._check_late_penalty(notebook, penalty)
