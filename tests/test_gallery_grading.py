"""Real ``nbgrader autograde`` grades a hand-in of the gallery module (one exercise of each
type, compiled from Markdown) and gives each exercise exactly the points its widget reported.

The answers are set through the widgets' own API (``set_answer``, ``check``, ``score``) in
the learner's released notebook, with the key read from the cohort's key store, as in the app.
"""

import importlib

import nbformat
import pytest
from conftest import leerpad_var
from gallery import ANSWERS, MODULE, calls
from leerpad.grading.handin import submit_from_app

from leerpad.catalogue import Catalogue

LEARNER = "juf-galerij"
OPEN_TEXT = "Ik kies de vragenreeks voor mijn toets over de schooldag: één score en een slaaggrens."


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    base = tmp_path_factory.mktemp("gallery-grading")
    with leerpad_var(isolated_env, base / "var"):
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        cohort = Cohort("galerij").create()
        release_all(cohort, [Catalogue().modules[MODULE]], log=lambda *_: None)
        yield cohort


def outcome_for(n, cases):
    """A mix over the exercises: right, wrong, partial, right, ... (partial where it exists)."""
    wanted = ("right", "wrong", "partial")[n % 3]
    return wanted if wanted in cases else "right"


@pytest.fixture
def learner_session(cohort, tmp_path, monkeypatch):
    """A fresh widget session in the released module's folder, keys from the key store."""
    session_module = importlib.import_module("leerpad.widgets.session")
    monkeypatch.chdir(cohort.release_dir / MODULE)  # the images and sound lie here
    monkeypatch.setenv("LEERPAD_ANSWERS", str(tmp_path / "leerpad-answers.json"))
    monkeypatch.setenv("LEERPAD_KEYS", str(cohort.keys_dir))
    for name in ("VOILA_KERNEL_ID", "VOILA_PREHEAT", "LEERPAD_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(session_module, "_session", None)
    return session_module.session()


def test_autograde_gives_each_exercise_the_points_its_widget_showed(cohort, learner_session):
    from leerpad.grading.autograde import grade_one

    released = nbformat.read(cohort.release_dir / MODULE / f"{MODULE}.ipynb", as_version=4)
    text = nbformat.writes(released)
    assert "answer=" not in text and "hidden_tests=" not in text  # the learner's copy
    shown, outcomes = {}, {}
    for n, (exercise_id, (cls, kwargs)) in enumerate(calls(released).items()):
        widget = cls(**kwargs)  # public fields only: the key comes from the server's store
        if exercise_id in ANSWERS:
            outcomes[exercise_id] = outcome_for(n, ANSWERS[exercise_id])
            answer, fraction = ANSWERS[exercise_id][outcomes[exercise_id]]
            widget.set_answer(answer)
            widget.check()
            assert widget.result().fraction == pytest.approx(fraction, abs=1e-3)
            shown[exercise_id] = widget.score()
        elif exercise_id == "galerij-open":
            widget.set_answer(OPEN_TEXT)
            widget.check()
    assert set(outcomes.values()) == {"right", "wrong", "partial"}
    assert 0 < sum(shown.values()) < sum(calls(released)[e][1]["points"] for e in shown)

    answers = learner_session.answers.data  # what the app hands in
    submit_from_app(cohort.dir, MODULE, LEARNER, answers)
    score, max_score = grade_one(cohort.dir, MODULE, LEARNER)

    with cohort.gradebook() as gb:
        notebook = gb.find_submission_notebook(MODULE, MODULE, LEARNER)
        grades = {grade.name: grade for grade in notebook.grades}
        for exercise_id, points in shown.items():
            assert grades[exercise_id].auto_score == pytest.approx(points, abs=0.01), exercise_id
        assert grades["galerij-open"].needs_manual_grade
        graded = {name for name, grade in grades.items() if grade.max_score}
    assert graded == {*shown, "galerij-open"}  # every scored type has its grade cell
    assert score == pytest.approx(sum(shown.values()), abs=0.05)
    assert max_score == sum(
        kwargs.get("points", 1)
        for cls, kwargs in calls(released).values()
        if cls.graded and "points" in kwargs
    )


def test_autograde_gives_no_points_after_the_solution_was_shown(cohort, learner_session):
    """ "Toon oplossing" ends an exercise's scoring: nbgrader reads that from the stored state.
    Checked right before the solution: the points stay. Solution first, then a right check:
    no points."""
    from leerpad.grading.autograde import grade_one

    released = nbformat.read(cohort.release_dir / MODULE / f"{MODULE}.ipynb", as_version=4)
    exercises = calls(released)
    expected = {}
    for exercise_id, checked_first in (("galerij-getal", True), ("galerij-meerkeuze", False)):
        cls, kwargs = exercises[exercise_id]
        widget = cls(**kwargs)
        answer, _ = ANSWERS[exercise_id]["right"]
        if checked_first:
            widget.set_answer(answer)
            widget.check()
        widget.show_solution()
        widget.set_answer(answer)
        widget.check()
        assert "telt niet meer mee" in widget.feedback.value
        expected[exercise_id] = widget.score()
    assert expected == {"galerij-getal": kwargs_points(exercises, "galerij-getal")} | {
        "galerij-meerkeuze": 0
    }

    submit_from_app(cohort.dir, MODULE, "juf-oplossing", learner_session.answers.data)
    grade_one(cohort.dir, MODULE, "juf-oplossing")
    with cohort.gradebook() as gb:
        notebook = gb.find_submission_notebook(MODULE, MODULE, "juf-oplossing")
        grades = {grade.name: grade.auto_score for grade in notebook.grades}
    assert {e: grades[e] for e in expected} == expected


def kwargs_points(exercises, exercise_id):
    return exercises[exercise_id][1].get("points", 1)
