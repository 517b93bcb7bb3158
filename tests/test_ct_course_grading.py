"""Every module of the computational-thinking course, graded end to end: compiled from
Markdown, released to one cohort, answered from the answer keys through the widgets' own
API (as a learner in the app would), handed in, and autograded by real nbgrader with full
points for everything that is graded automatically."""

import ast
import contextlib
import importlib
import json
import os

import nbformat
import pytest
from leerpad.grading.handin import submit_from_app
from leerpad.grading.nbgrader_run import run_nbgrader
from leerpad.widgets import TYPES

from leerpad.catalogue import Catalogue

COURSE = "computationeel-denken"
LEARNER = "juf-alles-juist"
CATALOGUE = Catalogue()
MODULES = sorted(m for m in CATALOGUE.modules if m.startswith("ct-"))
session_module = importlib.import_module("leerpad.widgets.session")


@contextlib.contextmanager
def released_cohort(isolated_env, base, name, modules):
    """A cohort of its own under `base`, with `modules` released to it; the widgets built in
    the test keep their answers there too."""
    old = dict(os.environ)
    os.environ.update({**isolated_env, "LEERPAD_VAR": str(base / "var")})
    os.environ["LEERPAD_ANSWERS"] = str(base / "widget-answers.json")  # widgets built here
    os.environ.pop("LEERPAD_KEYS", None)
    session_module._session = None
    try:
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        cohort = Cohort(name).create()
        release_all(cohort, [CATALOGUE.modules[m] for m in modules], log=lambda *_: None)
        yield cohort
    finally:
        session_module._session = None
        os.environ.clear()
        os.environ.update(old)


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("ct-grading")
    with released_cohort(isolated_env, base, "ct", MODULES) as cohort:
        yield cohort


def released_exercises(cohort, module):
    """(class, id, public keyword arguments) for each exercise in the released notebook."""
    nb = nbformat.read(cohort.release_dir / module / f"{module}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in TYPES:
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
                yield TYPES[node.func.id], kwargs.pop("id"), kwargs


def right_answer(cls_name, config, key):
    """The right answer for the simple types, read from the key as the widget stores it."""
    answer = key["answer"]
    if cls_name in ("SingleChoice", "TrueFalse"):
        return config["options"][answer]
    if cls_name == "MultipleChoice":
        return [config["options"][i] for i in answer]
    if cls_name == "FillInTheBlanks":
        return [alternatives[0] for alternatives in answer]
    if cls_name == "NumericAnswer":
        return f"{answer:g}".replace(".", ",")
    if cls_name in ("Ordering", "GridRobot", "Categorize"):
        return answer
    raise AssertionError(f"no solver for {cls_name}")


def solve(widget):
    """Answer one exercise right, through the widget's controls where it has them."""
    name, key = type(widget).__name__, widget._key
    if name == "OpenAnswer":
        widget.set_answer("Mijn klas doet dit met een rubric.")
    elif name == "PixelEditor":
        for r, row in enumerate(key["answer"]):
            for c, bit in enumerate(row):
                if bit == "1":
                    widget.toggle(r, c)
    elif name == "StepCounter" and widget.config["mode"] == "zoeken":
        low, high = 0, len(key["answer"]) - 1  # binary search, one card at a time
        while True:
            middle = (low + high) // 2
            widget.open_card(middle)
            value = key["answer"][middle]
            if value == widget.config["target"]:
                break
            low, high = (middle + 1, high) if value < widget.config["target"] else (low, middle - 1)
    elif name == "StepCounter":
        weights = list(key["answer"])  # bubble sort on the balance
        for end in range(len(weights) - 1, 0, -1):
            for i in range(end):
                widget.cards[i].value = widget.cards[i + 1].value = True
                widget.compare()
                if weights[i] > weights[i + 1]:
                    widget.swap()
                    weights[i], weights[i + 1] = weights[i + 1], weights[i]
                for card in widget.cards:
                    card.value = False
    elif name == "BebrasTask":
        widget.set_answer(right_answer(widget.config["child"], widget.config["child_config"], key))
    else:
        widget.set_answer(right_answer(name, widget.config, key))
    return widget


def fill_code_cells(cohort, module):
    """The {code} exercises are done in JupyterLab: put the author's solution in the learner's
    cells of the submitted notebook, as a learner types it."""
    path = cohort.dir / "submitted" / LEARNER / module / f"{module}.ipynb"
    submitted = nbformat.read(path, as_version=4)
    solutions = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in CATALOGUE.modules[module].notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-code")
    }
    for cell in submitted.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            lines = solutions[grade_id].splitlines()
            cell.source = "\n".join(line for line in lines if "### " not in line)
    nbformat.write(submitted, path)
    return len(solutions)


def test_every_module_is_fully_graded(cohort):
    from nbgrader.api import Gradebook

    for module in MODULES:
        keys = json.loads((cohort.keys_dir / f"{module}.json").read_text())
        answers, kinds = {}, set()
        for cls, exercise_id, public in released_exercises(cohort, module):
            key = {k: v for k, v in keys.get(exercise_id, {}).items() if k != "notebook"}
            widget = solve(cls(id=exercise_id, **public, **key))
            kinds.add(cls.__name__)
            if cls.key_fields:
                assert widget.score() == widget.points, (module, exercise_id)
            answers[exercise_id] = widget.state()
        submit_from_app(cohort.dir, module, LEARNER, answers)
        graded = [k for k in answers if TYPES[answers[k]["type"]].key_fields]
        assert len(graded) + fill_code_cells(cohort, module) >= 5, module
        assert "OpenAnswer" in kinds, f"{module}: a transfer task graded by the trainer"

    # One nbgrader run grades the hand-ins of all modules ("*" is nbgrader's own glob).
    run_nbgrader(cohort.dir, "autograde", "*", "--student", LEARNER, "--create", "--force")

    with Gradebook(cohort.settings["db_url"], course_id=cohort.name) as gb:
        for module in MODULES:
            notebook = gb.find_submission_notebook(module, module, LEARNER)
            manual = [g for g in notebook.grades if g.needs_manual_grade]
            assert [g.name for g in manual] == [f"ct{module[3:5]}-transfer"]
            lost = {
                g.name: (g.score, g.max_score)
                for g in notebook.grades
                if not g.needs_manual_grade and g.score != g.max_score
            }
            assert lost == {}, module
            auto = sum(g.max_score for g in notebook.grades if g not in manual)
            assert notebook.score == pytest.approx(auto) and auto > 0
