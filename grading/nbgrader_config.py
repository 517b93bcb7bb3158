"""nbgrader configuration shared by every cohort: leerpad's preprocessors in nbgrader's
pipelines, the sandbox for learner code, the gradebook URL."""

from pathlib import Path

from leerpad.grading.preprocessors import FillOpenAnswers, StripAnswerKeys
from nbgrader.converters import GenerateAssignment

from leerpad.authoring import OPEN_ANSWER_PLACEHOLDER


def generate_preprocessors() -> list:
    """nbgrader's own list, with the answer keys moved out right after the solutions."""
    steps = list(GenerateAssignment.class_traits()["preprocessors"].default())
    names = [p.__name__ for p in steps]
    steps.insert(names.index("ClearSolutions") + 1, StripAnswerKeys)
    return steps


def sanitize_preprocessors() -> list:
    """nbgrader's list, with open answers from the app put in their cells for formgrader."""
    from nbgrader.converters import Autograde

    steps = list(Autograde.class_traits()["sanitize_preprocessors"].default())
    names = [p.__name__ for p in steps]
    steps.insert(names.index("OverwriteCells") + 1, FillOpenAnswers)
    return steps


def configure(c, cohort_dir: str, course_id: str, exchange: str, db_url: str) -> None:
    c.CourseDirectory.root = cohort_dir
    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.db_url = db_url
    c.Exchange.root = exchange
    c.Exchange.assignment_dir = cohort_dir
    c.GenerateAssignment.preprocessors = generate_preprocessors()
    c.StripAnswerKeys.keys_directory = str(Path(cohort_dir) / "keys")
    c.ExecutePreprocessor.timeout = 60
    c.Execute.timeout = 60
    c.ClearSolutions.code_stub = {
        "python": "# Schrijf hier je code\nraise NotImplementedError()",
    }
    c.ClearSolutions.text_stub = OPEN_ANSWER_PLACEHOLDER
    c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
