"""The fast path for notebooks whose exercises are all widgets.

Such a notebook holds no code of the learner: its code cells are the locked import, the
locked exercise calls, the locked ``score('id')`` tests and the hand-in bar. What its
grade cells print depends only on the learner's answers (``leerpad-answers.json``) and the
answer keys on the server. ``ScoreWidgets`` takes the place of nbgrader's ``Execute``: it
builds each exercise with the widgets' own classes, in this process and without a kernel,
and gives each grade cell the output that ``score('id')`` gives in a kernel. nbgrader's
own preprocessors then read the grades from those outputs, exactly as after a full run.
"""

import ast
import contextlib
import copy
import io
import json
import traceback
from pathlib import Path

from leerpad.grading.cells import SCORE_TEST, add_note, cell_name, cell_role, parse_call
from leerpad.grading.preprocessors import SandboxedExecute
from leerpad.widgets.base import TYPES
from leerpad.widgets.store import AnswerStore, KeyStore
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode
from traitlets.config import Configurable


def _error_output(err: BaseException) -> NotebookNode:
    return NotebookNode(
        output_type="error",
        ename=type(err).__name__,
        evalue=str(err),
        traceback=traceback.format_exception_only(type(err), err),
    )


def _state_key(source: str, state) -> str:
    """What of a stored state decides an exercise's outputs. The number of attempts only
    counts for an exercise with a maximum; elsewhere learners who gave the same answer share
    one key however often they checked it. (An attempts value that is not a number stays
    in: the widget treats that state as no answer.)"""
    if isinstance(state, dict) and type(state.get("attempts")) is int:
        if "max_attempts" not in source:
            state = {k: v for k, v in state.items() if k != "attempts"}
    return json.dumps(state, sort_keys=True, default=repr)


def _outputs(text: str) -> list:
    """Fresh outputs from their JSON text (faster than a deep copy of NotebookNodes)."""
    return [from_dict(output) for output in json.loads(text)]


def _stream(name: str, text: str) -> NotebookNode:
    return NotebookNode(output_type="stream", name=name, text=text)


@contextlib.contextmanager
def no_frontend():
    """No frontend listens here: build widgets without opening a comm, so no state is
    serialised for nobody and no widget is kept in ipywidgets' registry afterwards."""
    from ipywidgets import Widget

    original = Widget.open
    Widget.open = lambda self: None
    try:
        yield
    finally:
        Widget.open = original


class WidgetCells:
    """Gives widget cells (the import, the exercise calls, the ``score('id')`` tests) the
    outputs a kernel would give them, computed here from the answers and the keys.

    Used as a context for one notebook: ``with WidgetCells(keys, folder) as cells:`` and
    then ``cells.run(cell)`` for each widget cell, in order.

    An exercise's outputs depend only on its cell and the learner's stored state for it, and
    in a cohort many learners store the same state (the right answer, no answer): `seen`
    keeps the outputs of each (cell, state) once built, for the next hand-in.
    """

    def __init__(self, keys: KeyStore, folder, seen: dict | None = None):
        self.keys, self.folder = keys, folder
        self.seen = {} if seen is None else seen
        self.scores: dict = {}  # exercise id -> outputs of its score('id') cell
        self._context = contextlib.ExitStack()

    def __enter__(self):
        from leerpad.widgets.session import Session, active

        self.answers = AnswerStore.of_folder(self.folder)  # never written: kept as handed in
        self._context.enter_context(no_frontend())
        self._context.enter_context(active(Session(self.answers, self.keys)))
        return self

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)

    def run(self, cell) -> bool:
        """Fill in the outputs of a widget cell; False (and nothing done) for other cells."""
        role = cell_role(cell)
        if role is None:
            return False
        cell.outputs = []
        if role == "exercise":
            self._build(cell)
        elif role == "score":
            self._score(cell)
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = cell.execution_count
        return True

    def _capture(self, cell, job):
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                value = job()
        except Exception as error:  # the cell fails in a kernel too
            value, failure = None, error
        else:
            failure = None
        if out.getvalue():
            cell.outputs.append(_stream("stdout", out.getvalue()))
        if err.getvalue():
            cell.outputs.append(_stream("stderr", err.getvalue()))
        if failure is not None:
            cell.outputs.append(_error_output(failure))
        return value

    def _build(self, cell):
        name, shared_kwargs = parse_call(cell.source)  # parsed once per process: not ours
        if name == "HandIn":
            return
        exercise_id = shared_kwargs.get("id")
        seen_key = (cell.source, _state_key(cell.source, self.answers.data.get(exercise_id)))
        if seen_key not in self.seen:
            kwargs = copy.deepcopy(shared_kwargs)  # the widget may change what it gets
            exercise = self._capture(cell, lambda: TYPES[name](**kwargs))
            if exercise is not None:
                cell.outputs.append(self._summary(exercise, cell.execution_count))
            scored = NotebookNode(cell_type="code", source="", outputs=[], execution_count=None)
            if isinstance(exercise_id, str) and exercise is not None:
                self._score_into(scored, exercise_id)
            self.seen[seen_key] = (json.dumps(cell.outputs), json.dumps(scored.outputs))
        outputs, score_outputs = self.seen[seen_key]
        cell.outputs = _outputs(outputs)
        if isinstance(exercise_id, str):
            self.scores[exercise_id] = score_outputs

    def _score(self, cell):
        exercise_id = ast.literal_eval(SCORE_TEST.match(cell.source.strip())["id"])
        if exercise_id in self.scores:  # scored right after it was built
            cell.outputs = _outputs(self.scores[exercise_id])
        else:
            self._score_into(cell, exercise_id)

    def _score_into(self, cell, exercise_id):
        from leerpad.widgets.session import score

        value = self._capture(cell, lambda: score(exercise_id))
        if value is not None:
            cell.outputs.append(
                NotebookNode(
                    output_type="execute_result",
                    execution_count=cell.execution_count,
                    data={"text/plain": repr(value)},
                    metadata={},
                )
            )

    @staticmethod
    def _summary(exercise, count) -> NotebookNode:
        """What the feedback page shows for an exercise: the question, the learner's answer
        and the widget's own feedback (a static picture of the widget)."""
        import html

        answer = exercise.get_answer()
        values = answer if isinstance(answer, list) else [answer]
        shown = "—" if answer is None else ", ".join(map(str, values))
        body = (
            f"{exercise.question_html.value}"
            f"<p><strong>Jouw antwoord:</strong> {html.escape(shown)}</p>"
            f"{exercise.feedback.value}"
        )
        return NotebookNode(
            output_type="execute_result",
            execution_count=count,
            data={"text/html": body, "text/plain": f"{type(exercise).__name__}({exercise.id!r})"},
            metadata={},
        )


class KeysOfCohort(Configurable):
    """The answer keys of a cohort, read once per process."""

    keys_directory = Unicode("", help="Folder with the answer keys of the cohort.").tag(config=True)

    _keys: KeyStore | None = None

    def widget_cells(self, resources) -> WidgetCells:
        if self._keys is None or self._keys.directory != Path(self.keys_directory):
            self._keys = KeyStore(Path(self.keys_directory))
            self._seen: dict = {}
        if len(self._seen) > 4096:  # a bound on memory in a long run
            self._seen.clear()
        return WidgetCells(self._keys, resources["metadata"]["path"], self._seen)


class ScoreWidgets(NbGraderPreprocessor, KeysOfCohort):
    """In place of ``Execute`` for a widget-only notebook: every code cell gets the output
    a kernel would give it, and no kernel is started."""

    def preprocess(self, nb, resources):
        self.count = 0
        with self.widget_cells(resources) as self.cells:
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            self.count += 1
            cell.execution_count = self.count
            self.cells.run(cell)
        return cell, resources


class LearnerCodeExecute(SandboxedExecute, KeysOfCohort):
    """In place of ``Execute`` for a notebook with code of the learner: only that code (and
    the cells that are not widgets) runs in the sandboxed kernel; widget cells are scored
    here, as on the fast path. The kernel imports no widgets and builds none, and whatever
    the learner's code does to ``score`` in the kernel cannot touch a widget's grade."""

    def preprocess(self, nb, resources, *args, **kwargs):
        with self.widget_cells(resources) as self.cells:
            return super().preprocess(nb, resources, *args, **kwargs)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and self.cells.run(cell):
            cell.execution_count = None
            return cell, resources
        if cell.cell_type == "code" and _learner_imports_widgets(cell):
            add_note(
                self.nb,
                f"De code in {cell_name(cell, index)} laadt leerpad zelf in. Widgetscores "
                "worden bij het verbeteren berekend uit de antwoorden en de sleutels: wat die "
                "code aan score() verandert, telt niet mee.",
                self.log,
            )
        return super().preprocess_cell(cell, resources, index)


def _learner_imports_widgets(cell) -> bool:
    """Whether a cell the learner may change imports leerpad (to fake a score, say)."""
    if cell.metadata.get("nbgrader", {}).get("locked"):
        return False
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(name.split(".")[0] == "leerpad" for name in names):
            return True
    return False


class RecomputeWidgetScores(NbGraderPreprocessor, KeysOfCohort):
    """After a kernel run (stock ``nbgrader autograde``, formgrader's button): every widget
    cell gets the outputs the fast path gives it, computed here from the stored answers and
    the keys by the same ``WidgetCells``, so both pipelines score a widget with one piece of
    code (the widget's own ``score``).

    The kernel in the sandbox has no keys, so whatever it printed for ``score(...)`` does not
    count; nor does learner code that replaced ``score`` or the session's exercises.
    """

    def preprocess(self, nb, resources):
        self.nb = nb
        with self.widget_cells(resources) as self.cells:
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        kernel_said = _result_text(cell)
        if not self.cells.run(cell):
            return cell, resources
        points = _number(_result_text(cell))
        if points is not None and _number(kernel_said) not in (None, 0.0, points):
            add_note(
                self.nb,
                f"In {cell_name(cell, index)} gaf de code in de notebook score {kernel_said}, "
                f"maar de antwoorden zijn {points:g} punten waard; die score telt.",
                self.log,
            )
        return cell, resources


def _result_text(cell) -> str | None:
    shown = [o for o in cell.outputs if o.output_type == "execute_result"]
    return shown[0].get("data", {}).get("text/plain") if shown else None


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None
