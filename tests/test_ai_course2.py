"""Modules ai-03, ai-05 and ai-07 of the course "AI in de klas", end to end: each passes
`leerpad check`, is released to a cohort, and two hand-ins per module (a strong and a weak
learner, answered through the widgets' own controls as in the app) are autograded by real
nbgrader to the points the test expects.

The helpers of the computational-thinking course test do the releasing, the reading of the
released calls and the right answers for the simple types; this file adds the learners for
the three AI interactives."""

import importlib
import json
import os

import pytest
from course_grading import CATALOGUE, released_cohort, released_exercises, solve
from leerpad.grading.handin import submit_from_app
from leerpad.grading.nbgrader_run import run_nbgrader
from leerpad.widgets import TYPES
from leerpad.widgets.ai_digits import training_data
from leerpad.widgets.ai_ngram import tokens

from leerpad.check import check

session_module = importlib.import_module("leerpad.widgets.session")
MODULES = ["ai-03-taalmodellen", "ai-05-verantwoorde-ai", "ai-07-beeldherkenning"]
STRONG, WEAK = "juf-sterk", "meester-zwak"
# A wide 3 as people write it on paper: the model (trained on narrow, tall digits) reads a 9.
WIDE_THREE = ["01111100", "00000110", "00000110", "00111100", "00000110", "00000110", "01111100"]
WIDE_THREE.append("00000000")
# A small 4 in the top left corner: a person sees a 4, the model another digit.
SMALL_FOUR = ["10100000", "10100000", "11100000", "00100000", *["00000000"] * 4]


def draw(widget, rows):
    """Click the pixels of a drawing, one by one, as a learner does."""
    for r, row in enumerate(rows):
        for c, bit in enumerate(row):
            if bit == "1":
                widget.toggle(r, c)
    return widget


def example_of(digit):
    """A training image of `digit` that the model reads as `digit` (what a careful learner
    ends up drawing after reading the nearest example under the canvas)."""
    from leerpad.widgets.ai_digits import predict

    bits, labels = training_data()
    for image, label in zip(bits, labels, strict=True):
        rows = ["".join(map(str, image[r * 8 : (r + 1) * 8])) for r in range(8)]
        if label == digit and predict(rows) == digit:
            return rows
    raise AssertionError(digit)


def write(widget, sentence, order=None):
    """Write a sentence with the text generator: the order, the first word, then a click on
    each next word the model offers."""
    widget.order_box.value = order or widget.config["order"] or 1
    words = tokens(sentence)
    widget.start_box.value = words[0]
    widget.begin()
    for word in words[1:]:
        widget.pick(word)
    assert widget.words == words, "the model did not offer every word"
    return widget


def train(widget, counts):
    for group, n in counts.items():
        widget.sliders[group].value = n
    widget.train()
    return widget


def leave(widget):
    """The weak learner writes a thin transfer task and leaves the other exercises open."""
    if type(widget).__name__ == "OpenAnswer":
        widget.set_answer("Ik laat de leerlingen de app gebruiken.")


def solve_ai(widget):
    """The strong learner: every graded exercise right."""
    name, key = type(widget).__name__, widget._key
    if name == "DigitRecognition":
        return draw(widget, SMALL_FOUR if widget.config["must_fail"] else example_of(key["answer"]))
    if name == "TextGenerator":
        return write(widget, key["answer"])
    if name == "BiasTrainer":
        return train(widget, key["answer"])
    return solve(widget)


# The weak learner: what they do per exercise (others left open), and the points it earns.
WEAK_ANSWERS = {
    "ai-07-beeldherkenning": {
        "ai07-teken-drie": lambda w: draw(w, WIDE_THREE),  # read as a 9: 0 of 2
        "ai07-misleid": lambda w: draw(w, example_of(4)),  # the model is not fooled: 0 of 2
        "ai07-nauwkeurigheid": lambda w: w.set_answer("94"),  # right: 2
        "ai07-fouten": lambda w: w.set_answer("Juist"),  # wrong: 0
    },
    "ai-03-taalmodellen": {
        # in the text word for word and without 'robot': 2 of 4 goals, 1 of 2 points
        "ai03-nieuwe-zin": lambda w: write(w, "De leerlingen lezen het verhaal samen."),
        "ai03-drie-woorden": lambda w: write(w, "Noor vangt de bal."),  # right: 2
        "ai03-ontkenning": solve,  # right: 1
        "ai03-saai": lambda w: w.set_answer(w.config["options"][1]),  # wrong: 0
    },
    "ai-05-verantwoorde-ai": {
        "ai05-scheef": lambda w: train(w, {"volwassenen": 300, "kinderen": 0}),  # right: 2
        # adults right, children 60%: 1 of 2 requirements, 1 of 2 points
        "ai05-eerlijk": lambda w: train(w, {"volwassenen": 100, "kinderen": 0}),
        "ai05-hoeveel": lambda w: w.set_answer("10"),  # wrong: 0
        "ai05-detector": lambda w: w.set_answer("Juist"),  # wrong: 0
    },
}
WEAK_POINTS = {"ai-07-beeldherkenning": 2, "ai-03-taalmodellen": 4, "ai-05-verantwoorde-ai": 3}


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("ai-grading")
    with released_cohort(isolated_env, base, "ai2", MODULES) as cohort:
        yield cohort


def test_modules_pass_check():
    for module in MODULES:
        assert check(CATALOGUE.modules[module].folder, CATALOGUE) == [], module


def hand_in(cohort, module, learner, answer):
    """Build each released exercise with its key, let `answer` act on it, hand the states in.
    Returns {exercise id: points the widget shows} for the graded ones."""
    keys = json.loads((cohort.keys_dir / f"{module}.json").read_text())
    # each learner starts from empty widgets: a session of their own with its answers file
    os.environ["LEERPAD_ANSWERS"] = str(cohort.dir / f"widget-answers-{learner}.json")
    session_module._session = None
    states, points, kinds = {}, {}, set()
    for cls, exercise_id, public in released_exercises(cohort, module):
        key = {k: v for k, v in keys.get(exercise_id, {}).items() if k != "notebook"}
        widget = cls(id=exercise_id, **public, **key)
        kinds.add(cls.__name__)
        answer(widget)
        states[exercise_id] = widget.state()
        if cls.key_fields:
            points[exercise_id] = widget.score()
    submit_from_app(cohort.dir, module, learner, states)
    return points, kinds


def test_strong_and_weak_learners_are_graded(cohort):
    from nbgrader.api import Gradebook

    shown = {}
    for module in MODULES:
        points, kinds = hand_in(cohort, module, STRONG, solve_ai)
        assert {"DigitRecognition", "TextGenerator", "BiasTrainer"} & kinds, module
        assert "OpenAnswer" in kinds, f"{module}: a transfer task graded by the trainer"
        assert len(points) >= 6, f"{module}: at least 6 graded exercises"
        shown[module, STRONG] = points
        weak = WEAK_ANSWERS[module]
        points, _ = hand_in(cohort, module, WEAK, lambda w, weak=weak: weak.get(w.id, leave)(w))
        shown[module, WEAK] = points

    run_nbgrader(cohort.dir, "autograde", "*", "--create", "--force")

    with Gradebook(cohort.settings["db_url"], course_id=cohort.name) as gb:
        for module in MODULES:
            for learner in (STRONG, WEAK):
                notebook = gb.find_submission_notebook(module, module, learner)
                manual = [g.name for g in notebook.grades if g.needs_manual_grade]
                assert manual == [f"ai{module[3:5]}-transfer"], (module, learner)
                auto = {g.name: g.score for g in notebook.grades if not g.needs_manual_grade}
                # the gradebook holds exactly what the learner saw in the app
                assert auto == pytest.approx(shown[module, learner]), (module, learner)
                maximum = sum(g.max_score for g in notebook.grades if not g.needs_manual_grade)
                want = maximum if learner == STRONG else WEAK_POINTS[module]
                assert notebook.score == pytest.approx(want), (module, learner)
    assert set(TYPES) >= {"DigitRecognition", "TextGenerator", "BiasTrainer"}
