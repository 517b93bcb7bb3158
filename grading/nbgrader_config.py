"""nbgrader configuration shared by every cohort: leerpad's preprocessors in nbgrader's
pipelines, the sandbox for learner code, the gradebook URL."""

from pathlib import Path

from leerpad.grading.fastpath import RecomputeWidgetScores
from leerpad.grading.preprocessors import (
    CleanAuthoredMarkdown,
    ClearGradingNotes,
    ExplainContainment,
    FillOpenAnswers,
    HideHiddenTests,
    JudgeCodeTests,
    LimitOutputSize,
    NoteChangedCells,
    RefuseLinks,
    RemoveTrainerCells,
    SandboxedExecute,
    ShowGradingNotes,
    StripAnswerKeys,
)
from nbgrader.converters import GenerateAssignment

from leerpad.authoring import OPEN_ANSWER_PLACEHOLDER
from leerpad.sandbox import SandboxedKernelManager

CELL_TIMEOUT = 60  # seconds per cell of learner code


def generate_preprocessors() -> list:
    """nbgrader's own list, with trainer cells left out and authored Markdown cleaned first,
    and the answer keys moved out right after the solutions."""
    steps = list(GenerateAssignment.class_traits()["preprocessors"].default())
    names = [p.__name__ for p in steps]
    steps.insert(names.index("ClearSolutions") + 1, StripAnswerKeys)
    return [RemoveTrainerCells, CleanAuthoredMarkdown, *steps]


def sanitize_preprocessors() -> list:
    """nbgrader's list; changed locked cells noted before nbgrader puts them back, and open
    answers from the app put in their cells for formgrader."""
    from nbgrader.converters import Autograde

    steps = list(Autograde.class_traits()["sanitize_preprocessors"].default())
    names = [p.__name__ for p in steps]
    at = names.index("OverwriteCells")
    return [
        *steps[:at],
        ClearGradingNotes,
        NoteChangedCells,
        steps[at],
        FillOpenAnswers,
        *steps[at + 1 :],
    ]


def autograde_preprocessors() -> list:
    """nbgrader's list with links in the hand-in refused first, Execute in the sandbox, what
    the sandbox stopped explained, outputs kept readable, the test cells of learner code
    judged by the code runner and widget scores computed on the grader."""
    from nbgrader.converters import Autograde

    steps = [RefuseLinks, *Autograde.class_traits()["autograde_preprocessors"].default()]
    names = [p.__name__ for p in steps]
    steps[names.index("Execute")] = SandboxedExecute
    at = names.index("Execute") + 1
    steps[at:at] = [ExplainContainment, LimitOutputSize, JudgeCodeTests]
    names = [p.__name__ for p in steps]
    steps[names.index("SaveAutoGrades") : names.index("SaveAutoGrades")] = [
        RecomputeWidgetScores,
        ShowGradingNotes,
    ]
    return steps


def feedback_preprocessors() -> list:
    """nbgrader's list, with the hidden tests (and what they raised) taken out first."""
    from nbgrader.converters import GenerateFeedback

    return [HideHiddenTests, *GenerateFeedback.class_traits()["preprocessors"].default()]


def configure_sandbox(c, cell_timeout: int = CELL_TIMEOUT) -> None:
    """Learner code runs in bubblewrap with limits; see leerpad.sandbox. nbgrader's
    own Execute (and nbconvert's ExecutePreprocessor) take the sandboxed kernel manager from
    this configuration too; SandboxedExecute inherits the Execute section."""
    for section in (c.Execute, c.ExecutePreprocessor):
        section.kernel_manager_class = SandboxedKernelManager
        section.timeout = cell_timeout
        section.interrupt_on_timeout = True
    c.JudgeCodeTests.cell_timeout = cell_timeout  # the runner interrupts a cell alike


def configure(c, cohort_dir: str, course_id: str, exchange: str, db_url: str) -> None:
    c.CourseDirectory.root = cohort_dir
    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.db_url = db_url
    c.Exchange.root = exchange
    c.Exchange.assignment_dir = cohort_dir
    c.ExchangeFactory.collect = "leerpad.grading.handin.DataOnlyCollect"
    c.ExchangeFactory.release_assignment = "leerpad.grading.release.AtomicReleaseAssignment"
    c.GenerateAssignment.preprocessors = generate_preprocessors()
    keys = str(Path(cohort_dir) / "keys")
    c.StripAnswerKeys.keys_directory = keys
    c.RecomputeWidgetScores.keys_directory = keys
    configure_sandbox(c)
    c.ClearSolutions.code_stub = {
        "python": "# Schrijf hier je code\nraise NotImplementedError()",
    }
    c.ClearSolutions.text_stub = OPEN_ANSWER_PLACEHOLDER
    c.Autograde.sanitize_preprocessors = sanitize_preprocessors()
    c.Autograde.autograde_preprocessors = autograde_preprocessors()
    c.GenerateFeedback.preprocessors = feedback_preprocessors()
