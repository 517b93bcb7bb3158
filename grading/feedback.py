"""The feedback a learner reads on a graded hand-in, built from data on the server.

Per exercise: the question, the learner's answer as text, the points (from nbgrader's
gradebook, with the trainer's manual score and comment from formgrader) and the widget's
own feedback for that answer. The sources are the gradebook, the hand-in's stored answers,
the released notebook (exercise settings without keys) and the answer keys, which are read
here, on the server, and never sent. What is sent is plain text: no source code, no hidden
tests, no tracebacks, no solutions, no trainer material (the learner's own code excepted).
"""

import copy
import threading
from html.parser import HTMLParser
from pathlib import Path

from leerpad.i18n import t

NO_CODE = "Je schreef hier geen code."
ALL_TESTS_PASSED = "Alle testen geslaagd."
SOME_TESTS_FAILED = (
    "Niet alle testen slaagden. Test je code opnieuw in JupyterLab en lees de opdracht nog eens."
)
WAITING = "Je trainer moet dit antwoord nog beoordelen."
# Building widgets uses the process's one widget session: one request at a time.
_building = threading.Lock()


def autograded_dir(cohort_dir, learner: str, module: str) -> Path:
    return Path(cohort_dir) / "autograded" / learner / module


def feedback_ready(cohort_dir, module: str, learner: str) -> bool:
    """Whether the learner has a graded hand-in of this module (and so feedback)."""
    return any(autograded_dir(cohort_dir, learner, module).glob("*.ipynb"))


# -- plain text ------------------------------------------------------------------------
class _Text(HTMLParser):
    BREAKS = {"p", "br", "li", "div", "pre", "tr", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def plain(markup) -> str:
    """HTML (a widget's question or message) as text: tags out, entities resolved."""
    parser = _Text()
    parser.feed(str(markup or ""))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def answer_lines(exercise, answer) -> list[str]:
    """A widget answer (JSON data) as lines of text a person reads."""
    kind = type(exercise).__name__
    if answer is None:
        return []
    if kind == "MarkTheWords":
        words = exercise.config["words"]
        return [words[i] for i in answer if isinstance(i, int) and 0 <= i < len(words)]
    if kind == "PixelEditor":
        return [row.replace("1", "■").replace("0", "□") for row in answer]
    if kind == "FillInTheBlanks":
        return [f"{t('blank', n=n)}: {value}" for n, value in enumerate(answer, 1)]
    if hasattr(exercise, "parts") and isinstance(answer, list):  # a question set
        lines = []
        for n, (part, value) in enumerate(zip(exercise.parts, answer, strict=False), 1):
            shown = "; ".join(answer_lines(part, value)) or "—"
            lines.append(f"Vraag {n}: {shown}")
        return lines
    return _data_lines(answer)


def _data_lines(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {'; '.join(_data_lines(v)) or '—'}" for k, v in value.items()]
    if isinstance(value, list):
        return [" ".join(_data_lines(v)) if isinstance(v, list) else str(v) for v in value]
    if value is None:
        return []
    return [str(value)]


def verdict(fraction: float) -> str:
    return t("right") if fraction >= 1 else t("partial") if fraction > 0 else t("wrong")


# -- the widget exercises ---------------------------------------------------------------
def widget_feedback(released_nb, keys_dir, answers: dict) -> dict:
    """{exercise id: {title, kind, answer, verdict, messages}} for the widget exercises of
    a released notebook, built as the grader builds them, with the learner's answers."""
    from leerpad.grading.cells import cell_role, parse_call
    from leerpad.grading.fastpath import no_frontend
    from leerpad.widgets.base import TYPES, rich
    from leerpad.widgets.coding import CodeExercise
    from leerpad.widgets.session import Session, active
    from leerpad.widgets.store import AnswerStore, KeyStore

    found, keys = {}, KeyStore(Path(keys_dir))
    with _building, no_frontend():
        for cell in released_nb.cells:
            if cell.cell_type != "code" or cell_role(cell) != "exercise":
                continue
            name, kwargs = parse_call(cell.source)
            cls = TYPES.get(name)
            exercise_id = kwargs.get("id")
            if cls is None or not isinstance(exercise_id, str):
                continue
            state = answers.get(exercise_id)
            state = dict(state) if isinstance(state, dict) else {}
            # Not checked again while building: a code exercise would run the learner's
            # code here, and the messages are computed below for every type alike.
            state.pop("checked", None)
            store = AnswerStore(None)
            store.data = {exercise_id: state} if state else {}
            with active(Session(store, keys)):
                try:
                    exercise = cls(**copy.deepcopy(kwargs))
                except Exception:  # an exercise that cannot be built has no feedback
                    continue
                answer = exercise.get_answer()
                item = {
                    "titel": plain(rich(exercise.question)) or cls.kind,
                    "soort": cls.kind,
                    "antwoord": answer_lines(exercise, answer),
                    "code": isinstance(exercise, CodeExercise),
                    "oordeel": None,
                    "feedback": [],
                }
                if isinstance(exercise, CodeExercise) or not cls.key_fields:
                    found[exercise_id] = item  # graded by tests or by the trainer
                    continue
                result = exercise.result()
                if result is not None:
                    item["oordeel"] = None if result.empty else verdict(result.fraction)
                    item["feedback"] = [plain(m) for m in result.messages if plain(m)]
                found[exercise_id] = item
    return found


# -- the whole hand-in -------------------------------------------------------------------
def learner_feedback(cohort, module: str, learner: str) -> dict | None:
    """The feedback page's data for one learner's graded hand-in, or None when there is
    none yet. `cohort` is a leerpad Cohort."""
    import nbformat
    from leerpad.grading.cohort import show_time
    from leerpad.widgets.store import read_answers
    from nbgrader.api import MissingEntry

    graded = autograded_dir(cohort.dir, learner, module)
    if not feedback_ready(cohort.dir, module, learner):
        return None
    with cohort.gradebook() as gb:
        try:
            submission = gb.find_submission(module, learner)
        except MissingEntry:
            return None
        answers = read_answers(graded)
        exercises, notes = [], []
        for notebook in submission.notebooks:
            name = notebook.notebook.name
            released = cohort.release_dir / module / f"{name}.ipynb"
            mine = graded / f"{name}.ipynb"
            if not released.exists() or not mine.exists():
                continue
            released_nb = nbformat.read(released, as_version=4)
            my_nb = nbformat.read(mine, as_version=4)
            notes += list(my_nb.metadata.get("leerpad", {}).get("notes", []))
            grades = {g.name: g for g in notebook.grades}
            comments = {c.name: c.manual_comment for c in notebook.comments if c.manual_comment}
            widgets = widget_feedback(released_nb, cohort.keys_dir, answers)
            exercises += _exercises(released_nb, my_nb, widgets, grades, comments)
        late = submission.total_seconds_late > 0
        deadline = cohort.deadline(module)
        return {
            "cohort": cohort.name,
            "cursist": learner,
            "module": module,
            "leerpad": cohort.settings.get("path") or None,
            "score": submission.score,
            "max": submission.max_score,
            "ingeleverd": _local(submission.timestamp),
            "te_laat": late,
            "deadline": show_time(deadline) if late and deadline else None,
            "wacht_op_trainer": submission.needs_manual_grade,
            "opmerkingen": [plain(n) for n in notes],
            "oefeningen": exercises,
        }


def _local(stamp) -> str | None:
    """nbgrader's timestamps are naive UTC; shown in Belgian time."""
    from datetime import UTC

    from leerpad.grading.cohort import show_time

    if stamp is None:
        return None
    return show_time(stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC))


def _exercises(released_nb, my_nb, widgets: dict, grades: dict, comments: dict) -> list[dict]:
    """One entry per graded cell, in the notebook's order. A code exercise is the learner's
    solution cells before its test cell; its title the text just before them."""
    mine = {
        c.metadata.get("nbgrader", {}).get("grade_id"): c
        for c in my_nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id")
    }
    found, solutions, last_text, title = [], [], "", ""
    for cell in released_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if cell.cell_type == "markdown" and not meta:
            last_text = cell.source
            continue
        if meta.get("solution") and not meta.get("grade"):
            solutions.append(cell)
            title = title or last_text
            continue
        if not meta.get("grade") or grade_id not in grades:
            continue
        if grade_id in widgets:
            item = dict(widgets[grade_id])
        elif cell.cell_type == "markdown":  # an open answer written in the notebook
            text = mine[grade_id].source if grade_id in mine else ""
            answered = text.strip() and text.strip() != cell.source.strip()
            item = _item(last_text, "open-vraag", [text.strip()] if answered else [])
        else:
            item = _code_item(title or last_text, solutions, mine, grades[grade_id])
        grade = grades[grade_id]
        item.update(
            id=grade_id,
            punten=grade.score,
            max=grade.max_score,
            wacht_op_trainer=bool(grade.needs_manual_grade),
            door_trainer=grade.manual_score is not None,
        )
        if grade.needs_manual_grade:
            item["feedback"] = [WAITING]
            item["oordeel"] = None
        elif item["code"] and item["antwoord"]:
            item.update(_test_outcome(grade))
        names = [grade_id, *(s.metadata["nbgrader"]["grade_id"] for s in solutions)]
        remarks = [comments[n] for n in names if comments.get(n)]
        item["trainer"] = "\n\n".join(remarks) or None
        found.append(item)
        solutions, title = [], ""
    return found


def _item(title_markdown: str, kind: str, answer: list[str], code=False) -> dict:
    title = plain(_markdown_html(title_markdown)) if title_markdown else kind
    return {"titel": title, "soort": kind, "antwoord": answer, "code": code, "oordeel": None,
            "feedback": []}  # fmt: skip


def _code_item(title_markdown: str, solutions: list, mine: dict, grade) -> dict:
    code = []
    for cell in solutions:
        handed_in = mine.get(cell.metadata["nbgrader"]["grade_id"])
        if handed_in is not None and handed_in.source.strip() != cell.source.strip():
            code.append(handed_in.source.rstrip())
    answer = ["\n\n".join(code)] if code else []
    item = _item(title_markdown, "code-oefening", answer, code=True)
    if not code:
        item["feedback"] = [NO_CODE]
    return item


def _test_outcome(grade) -> dict:
    """What the tests of a code exercise said, from its points alone: the tests are
    hidden, and what they raised may quote them."""
    if grade.score is None or not grade.max_score:
        return {}
    full = grade.score >= grade.max_score
    return {
        "oordeel": verdict(grade.score / grade.max_score),
        "feedback": [ALL_TESTS_PASSED if full else SOME_TESTS_FAILED],
    }


def _markdown_html(text: str) -> str:
    """Markdown of the notebook (the exercise's text) as HTML, to be made plain text."""
    from leerpad.markup import markdown_html

    return markdown_html(text)
