"""Open answers graded by a person, criterion by criterion.

An open answer (``OpenAnswer(rubric=[...])``) becomes an nbgrader manually graded cell; its
grade waits in nbgrader's gradebook with ``needs_manual_grade``. The trainer's rubric page
(``leerpad.servers.trainer``) reads the criteria from the released notebook and the
learner's text from the hand-in, and :func:`save_rubric_grade` writes the sum as nbgrader's
``manual_score`` and the trainer's comment as its ``manual_comment``: formgrader, the
report and the feedback read them from there. The level chosen per criterion is kept next
to the hand-in, so the page shows it again.
"""

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from leerpad.grading.cells import exercise_calls
from leerpad.grading.cohort import Cohort
from leerpad.grading.handin import submission_dir
from leerpad.widgets.store import read_answers, write_json_atomic

CHOICES_FILE = "leerpad-rubric.json"  # in autograded/<learner>/<module>/
POINTS_IN_TEXT = re.compile(r"\((\d+(?:[.,]\d+)?)\s*punt(?:en)?\)\s*$", re.IGNORECASE)


class RubricError(ValueError):
    pass


@dataclass
class Criterion:
    text: str
    points: float

    @property
    def levels(self) -> list[float]:
        """The scores a trainer can give: 0, 1, ... up to the points (and a half-point top)."""
        levels = [float(n) for n in range(int(self.points) + 1)]
        return levels if self.points == int(self.points) else [*levels, self.points]


@dataclass
class OpenAnswer:
    """One learner's answer to one open question, with its grade in the gradebook."""

    learner: str
    module: str
    exercise: str
    question: str
    criteria: list[Criterion]
    max_score: float
    answer: str
    manual_score: float | None
    needs_manual: bool
    comment: str = ""
    choices: list = field(default_factory=list)

    @property
    def waiting(self) -> bool:
        """Waits for a trainer: flagged by nbgrader, or never scored by a person."""
        return self.needs_manual or self.manual_score is None


def criteria(rubric: list, max_score: float) -> list[Criterion]:
    """Criteria from the rubric's lines: 'Doel is duidelijk (1 punt)' is worth 1 point. A line
    without points gets an equal share of what the points of the others leave."""
    found = []
    for line in rubric:
        match = POINTS_IN_TEXT.search(str(line))
        points = float(match.group(1).replace(",", ".")) if match else None
        text = POINTS_IN_TEXT.sub("", str(line)).strip() if match else str(line).strip()
        found.append([text, points])
    unpriced = [c for c in found if c[1] is None]
    if unpriced:
        left = max(0.0, max_score - sum(c[1] for c in found if c[1] is not None))
        for c in unpriced:
            c[1] = round(left / len(unpriced), 2) or 1.0
    return [Criterion(text, points) for text, points in found]


def open_questions(cohort: Cohort, module: str) -> dict[str, dict]:
    """{exercise id: {'question', 'rubric'}} of the module's open answers, as released."""
    found = {}
    for path in sorted((cohort.release_dir / module).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for call, cls in exercise_calls(cell.source):
                if cls.__name__ != "OpenAnswer":
                    continue
                kwargs = {k.arg: k.value for k in call.keywords if k.arg}
                try:
                    values = {k: ast.literal_eval(v) for k, v in kwargs.items()}
                except ValueError:
                    continue  # not written literally: no rubric to show
                if isinstance(values.get("id"), str):
                    found[values["id"]] = {
                        "question": str(values.get("question", "")),
                        "rubric": list(values.get("rubric", [])),
                    }
    return found


def _answer_text(cohort: Cohort, learner: str, module: str, exercise: str) -> str:
    state = read_answers(submission_dir(cohort.dir, learner, module)).get(exercise)
    answer = state.get("answer") if isinstance(state, dict) else None
    return answer if isinstance(answer, str) else ""


def _choices_path(cohort: Cohort, learner: str, module: str) -> Path:
    return cohort.dir / "autograded" / learner / module / CHOICES_FILE


def _read_choices(cohort: Cohort, learner: str, module: str) -> dict:
    try:
        return json.loads(_choices_path(cohort, learner, module).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def open_answers(cohort: Cohort, module: str | None = None, learner: str | None = None):
    """Every handed-in open answer of the cohort (or of one module or learner), waiting ones
    first, then by module in path order and learner."""
    found = []
    order = {m: n for n, m in enumerate(cohort.path_modules())}
    with cohort.gradebook() as gb:
        for assignment in gb.assignments:
            if module and assignment.name != module:
                continue
            questions = open_questions(cohort, assignment.name)
            if not questions:
                continue
            for submission in assignment.submissions:
                who = submission.student.id
                if learner and who != learner:
                    continue
                kept = _read_choices(cohort, who, assignment.name)
                for notebook in submission.notebooks:
                    comments = {c.name: c for c in notebook.comments}
                    for grade in notebook.grades:
                        if grade.name not in questions:
                            continue
                        q = questions[grade.name]
                        comment = comments.get(grade.name)
                        found.append(
                            OpenAnswer(
                                learner=who,
                                module=assignment.name,
                                exercise=grade.name,
                                question=q["question"],
                                criteria=criteria(q["rubric"], grade.max_score),
                                max_score=grade.max_score,
                                answer=_answer_text(cohort, who, assignment.name, grade.name),
                                manual_score=grade.manual_score,
                                needs_manual=grade.needs_manual_grade,
                                comment=(comment.manual_comment or "") if comment else "",
                                choices=kept.get(grade.name, {}).get("choices", []),
                            )
                        )
    found.sort(key=lambda a: (not a.waiting, order.get(a.module, len(order)), a.module, a.learner))
    return found


def save_rubric_grade(
    cohort: Cohort, learner: str, module: str, exercise: str, choices: list, comment: str
) -> float:
    """Store a trainer's rubric grading: the sum of the chosen levels as nbgrader's manual
    score (at most the exercise's points), the comment as nbgrader's manual comment.
    Returns the score."""
    from nbgrader.api import MissingEntry

    answers = open_answers(cohort, module, learner)
    answer = next((a for a in answers if a.exercise == exercise), None)
    if answer is None:
        raise RubricError(
            f"Geen ingeleverd antwoord op '{exercise}' van {learner} in {module}: "
            "kies een inzending uit de lijst."
        )
    if len(choices) != len(answer.criteria):
        raise RubricError(
            f"Kies een niveau voor elk criterium ({len(choices)} van "
            f"{len(answer.criteria)} gekozen)."
        )
    for criterion, chosen in zip(answer.criteria, choices, strict=True):
        if chosen not in criterion.levels:
            raise RubricError(
                f"'{chosen:g}' is geen niveau van het criterium '{criterion.text}': "
                f"kies uit {', '.join(f'{lv:g}' for lv in criterion.levels)}."
            )
    score = min(float(sum(choices)), answer.max_score)
    with cohort.gradebook() as gb:
        try:
            grade = gb.find_grade(exercise, _notebook_of(gb, module, exercise), module, learner)
            remark = gb.find_comment(exercise, grade.notebook.name, module, learner)
        except MissingEntry as err:
            problem = f"{learner} {module}: het puntenboek kent '{exercise}' niet."
            raise RubricError(problem) from err
        grade.manual_score = score
        grade.needs_manual_grade = False  # as formgrader does when a person gives a score
        remark.manual_comment = comment.strip() or None
        gb.db.commit()
    kept = _read_choices(cohort, learner, module)
    kept[exercise] = {"choices": choices, "criteria": [c.text for c in answer.criteria]}
    write_json_atomic(_choices_path(cohort, learner, module), kept)
    # The feedback was made before this score and comment: the next grading run (or
    # refresh_feedback) makes it again.
    (cohort.dir / "feedback" / learner / module / "timestamp.txt").unlink(missing_ok=True)
    return score


async def refresh_feedback(cohort: Cohort, learner: str, module: str) -> int:
    """Make the hand-in's feedback again, with the trainer's score and comment, by the same
    engine that grades (it only makes what is missing). Returns its exit code."""
    import asyncio
    import sys

    from leerpad.grading.nbgrader_run import grading_environment

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "leerpad.grading.engine", str(cohort.dir), module,
        "--learner", learner, "--jobs", "1",
        env=grading_environment(cohort.dir),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await proc.wait()


def _notebook_of(gb, module: str, exercise: str) -> str:
    for notebook in gb.find_assignment(module).notebooks:
        if any(cell.name == exercise for cell in notebook.grade_cells):
            return notebook.name
    raise RubricError(f"{module}: geen beoordeelde cel '{exercise}' in het puntenboek.")
