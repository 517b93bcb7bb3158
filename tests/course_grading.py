"""Grading a whole course end to end, shared by the course tests (CT, AI): one cohort with
every module released, learners answering through the widgets' own controls (as in the app)
from the answer keys the server holds, hand-ins, and real nbgrader. Holds no tests itself."""

import ast
import contextlib
import importlib
import json
import os

import nbformat
from conftest import leerpad_var
from leerpad.grading.handin import submit_from_app
from leerpad.widgets import TYPES
from leerpad.widgets.ai_knn import example_answer
from leerpad.widgets.ai_overfit import accepted
from leerpad.widgets.ai_tree import best_tree

from leerpad.catalogue import Catalogue

CATALOGUE = Catalogue()
session_module = importlib.import_module("leerpad.widgets.session")


@contextlib.contextmanager
def released_cohort(isolated_env, base, name, modules):
    """A cohort `name` under `base` with `modules` released; the environment as before after."""
    with leerpad_var(isolated_env, base / "var"):
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        cohort = Cohort(name).create()
        release_all(cohort, [CATALOGUE.modules[m] for m in modules], log=lambda *_: None)
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
    if cls_name in ("Ordering", "GridRobot", "Categorize", "Matching"):
        return answer
    raise AssertionError(f"no solver for {cls_name}")


def place_points(widget, answer):
    """A k-nearest-neighbours answer through the playground's controls: k, then each point
    with the brush of its class."""
    if answer["k"] != widget.k:
        widget.k_picker.value = answer["k"]
    for x, y, label in answer["points"]:
        widget.brush.value = label
        widget.place(x, y)


def build_tree(widget, tree):
    """A decision tree through the builder's pick lists, the top node first."""
    for path in sorted(tree, key=len):
        widget.pickers[path].value = tree[path]


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
    elif name == "KnnPlayground":
        place_points(widget, example_answer(widget.config, key))
    elif name == "TreeBuilder":
        build_tree(widget, best_tree(widget.config)[1])
    elif name == "OverfitExplorer":
        widget.choose(accepted(widget.config, key["answer"])[0])
    else:
        widget.set_answer(right_answer(name, widget.config, key))
    return widget


def fill_code_cells(cohort, module, learner):
    """The {code} exercises are done in JupyterLab: put the author's solution in the learner's
    cells of the submitted notebook, as a learner types it."""
    path = cohort.dir / "submitted" / learner / module / f"{module}.ipynb"
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


def hand_in(cohort, module, learner, answer):
    """Build every exercise of the released module with its key from the server, in a
    session of the learner's own, let `answer(widget)` answer it (or leave it), and hand in
    what the widgets stored.
    Returns {exercise id: the widget after answering}."""
    keys = json.loads((cohort.keys_dir / f"{module}.json").read_text())
    # each learner's own answers file: a widget restores what was saved under its id
    os.environ["LEERPAD_ANSWERS"] = str(cohort.dir.parent / f"answers-{learner}.json")
    session_module._session = None
    widgets, states = {}, {}
    for cls, exercise_id, public in released_exercises(cohort, module):
        key = {k: v for k, v in keys.get(exercise_id, {}).items() if k != "notebook"}
        widget = cls(id=exercise_id, **public, **key)
        answer(widget)
        widgets[exercise_id] = widget
        states[exercise_id] = widget.state()
    submit_from_app(cohort.dir, module, learner, states)
    return widgets
