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
    Assignment,
    Comment,
    Grade,
    Gradebook,
    MissingEntry,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
)
from nbgrader.preprocessors import AssignLatePenalties

from leerpad.atomic import swap

LOCK_FILE = ".leerpad-grading.lock"
FAILURES_FILE = "verbeteren-mislukt.json"


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
    """Writes graded hand-ins of one cohort into its gradebook and autograded folder,
    through nbgrader's public gradebook API: ``Gradebook``'s finders and its ORM objects
    (``SubmittedAssignment``, ``SubmittedNotebook``, ``Grade``, ``Comment``, ``Student``),
    all of a batch added to its session and stored with one ``gb.db.commit()``."""

    def __init__(self, grader_config, cohort_dir, db_url: str, course_id: str):
        self.cohort_dir = Path(cohort_dir)
        self.gradebook = Gradebook(db_url, course_id=course_id)
        self.late = AssignLatePenalties(config=grader_config)
        self.late.init_plugin()
        self.students: dict = {}  # per batch: nbgrader's rows of learners and modules
        self.assignments: dict = {}
        self.existing: set = set()
        self.lock = None

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
        self.lock = cohort_lock(self.cohort_dir)
        self.lock.__enter__()
        self.gradebook.db.rollback()
        self.students.clear()
        self.assignments.clear()
        self.existing = set(graded_timestamps(self.gradebook))  # one query per batch

    def commit(self) -> None:
        """Store the batch (one commit), release the lock."""
        db = self.gradebook.db
        try:
            db.commit()
        except Exception:
            db.rollback()
            raise
        finally:
            self.lock.__exit__(None, None, None)

    def record(self, result: dict) -> bool:
        """Add one worker's result to the batch. False when it was graded meanwhile."""
        learner, module = result["learner"], result["assignment"]
        staging = Path(result["staging"])
        stamp = read_timestamp(staging)
        if stamp and self.is_graded(learner, module, stamp):
            return False
        timestamp = utils.parse_utc(stamp) if stamp else None
        if (learner, module) in self.existing:  # handed in again: its rows are updated
            submission = self.gradebook.find_submission(module, learner)
            self._update(submission, result)
        else:
            submission = self._add(module, learner, result)
        swap(staging, self.cohort_dir / "autograded" / learner / module)
        submission.timestamp = timestamp
        self._penalise(submission, result)
        return True

    def _add(self, module: str, learner: str, result: dict):
        """A first hand-in: the rows ``Gradebook.add_submission`` makes, filled in with the
        grades at once and left to the batch's commit (``add_submission`` commits each)."""
        assignment, student = self._assignment(module), self._student(learner)
        with self.gradebook.db.no_autoflush:  # no half-built rows written while built
            submission = SubmittedAssignment(assignment=assignment, student=student)
            for notebook in assignment.notebooks:
                got = result["notebooks"].get(notebook.name)
                nb = SubmittedNotebook(notebook=notebook, assignment=submission)
                for cell in [*notebook.grade_cells, *notebook.task_cells]:
                    auto, manual = auto_grade(got, cell.name, None)
                    Grade(cell_id=cell.id, notebook=nb, auto_score=auto, needs_manual_grade=manual)
                for cell in [*notebook.solution_cells, *notebook.task_cells]:
                    Comment(cell_id=cell.id, notebook=nb, auto_comment=auto_comment(got, cell.name))
            self.gradebook.db.add(submission)
        self.existing.add((learner, module))
        return submission

    @staticmethod
    def _update(submission, result: dict) -> None:
        """A hand-in graded before: its grades and comments changed as ``SaveAutoGrades``
        changes them."""
        for notebook in submission.notebooks:
            got = result["notebooks"].get(notebook.notebook.name)
            for grade in notebook.grades:
                grade.auto_score, grade.needs_manual_grade = auto_grade(
                    got,
                    grade.name,
                    grade.manual_score,
                    (grade.auto_score, grade.needs_manual_grade),
                )
            for comment in notebook.comments:
                comment.auto_comment = auto_comment(got, comment.name, comment.auto_comment)

    def _assignment(self, module: str):
        if module not in self.assignments:
            self.assignments[module] = self.gradebook.find_assignment(module)
        return self.assignments[module]

    def _student(self, learner: str):
        """nbgrader's row of a learner; a new one joins the batch (``add_student`` would
        commit on its own)."""
        if learner not in self.students:
            try:
                self.students[learner] = self.gradebook.find_student(learner)
            except MissingEntry:
                self.students[learner] = Student(id=learner)
                self.gradebook.db.add(self.students[learner])
        return self.students[learner]

    def _penalise(self, submission, result: dict) -> None:
        """As nbgrader's AssignLatePenalties, with the plugin of the configuration: the
        penalty of each handed-in notebook of a late hand-in, at most its score."""
        late = submission.total_seconds_late
        for notebook in submission.notebooks:
            if notebook.notebook.name not in result["notebooks"]:
                continue
            notebook.late_submission_penalty = None
            if late > 0:
                self.gradebook.db.flush()  # the score is computed by the database
                self.gradebook.db.expire(notebook, ["score"])
                penalty = self.late.plugin_inst.late_submission_penalty(
                    submission.student.id, notebook.score, late
                )
                if penalty is not None:
                    notebook.late_submission_penalty = min(max(penalty, 0), notebook.score)


def auto_grade(got: dict | None, cell: str, manual_score, current=(None, True)) -> tuple:
    """(auto_score, needs_manual_grade) of a grade cell, as nbgrader's SaveAutoGrades leaves
    it: a manual score is never touched, but flagged. `got`: the notebook's grades and
    comments from the worker, None when it was not handed in (zero, as nbgrader gives);
    `current`: kept when the worker has no grade for the cell (a new row's defaults)."""
    if got is None:
        return 0, False
    if cell not in got["grades"]:
        return current
    auto = got["grades"][cell]
    return auto, manual_score is not None or auto is None


def auto_comment(got: dict | None, cell: str, current=None):
    if got is None or cell not in got["comments"]:
        return current
    return got["comments"][cell]
