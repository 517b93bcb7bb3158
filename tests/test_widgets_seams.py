"""Small seams of the exercise widgets (issue 12, point 5): Enter checks a typed answer,
editing an answer clears the verdict of the old one, and "Toon oplossing" ends the scoring of
an exercise, in the widget and in what the grader reads back from the stored answers."""

import json

import pytest
from leerpad.widgets import FillInTheBlanks, NumericAnswer
from leerpad.widgets.session import Session, active
from leerpad.widgets.store import AnswerStore
from test_widgets_support import fresh_session  # noqa: F401


def number():
    return NumericAnswer(id="seam-getal", question="3 + 3?", answer=6, points=2)


def blanks():
    return FillInTheBlanks(id="seam-invullen", text="Een ___ heeft vier poten.", answer=["tafel"])


def press_enter(field):
    """What the browser's text field sends when the learner presses Enter."""
    data = {"method": "custom", "content": {"event": "submit"}}
    field._handle_msg({"content": {"data": data}, "buffers": []})


def stored(fresh_session, exercise_id):  # noqa: F811
    return json.loads((fresh_session / "leerpad-answers.json").read_text())[exercise_id]


@pytest.mark.parametrize("make, field, right", [(number, "field", "6"), (blanks, None, "tafel")])
def test_enter_checks_a_typed_answer(fresh_session, make, field, right):  # noqa: F811
    exercise = make()
    box = getattr(exercise, field) if field else exercise.fields[0]
    box.value = right
    press_enter(box)
    assert "Juist!" in exercise.feedback.value
    assert exercise.checked and exercise.attempts == 1


def test_enter_in_an_exercise_without_check_button_does_nothing(fresh_session):  # noqa: F811
    exercise = NumericAnswer(id="seam-getal", answer=6, check=False)
    exercise.field.value = "6"
    press_enter(exercise.field)
    assert exercise.feedback.value == "" and not exercise.checked


def test_editing_an_answer_clears_the_stale_verdict(fresh_session):  # noqa: F811
    exercise = number()
    exercise.field.value = "6"
    exercise.check()
    assert "Juist!" in exercise.feedback.value
    exercise.field.value = "7"
    assert exercise.feedback.value == "" and not exercise.checked
    assert stored(fresh_session, "seam-getal")["checked"] is False
    exercise.check()
    assert "Nog niet juist." in exercise.feedback.value


def test_a_hint_stays_while_typing(fresh_session):  # noqa: F811
    exercise = NumericAnswer(id="seam-getal", answer=6, hints=["Tel op."])
    exercise.show_hint()
    exercise.field.value = "6"
    assert "Tel op." in exercise.feedback.value


def test_showing_the_solution_then_checking_gives_no_points(fresh_session):  # noqa: F811
    exercise = number()
    exercise.show_solution()
    exercise.field.value = "6"
    exercise.check()
    assert "Juist!" in exercise.feedback.value
    assert "telt niet meer mee" in exercise.feedback.value
    assert "Score: 0 van 2" in exercise.feedback.value
    assert exercise.score() == 0
    exercise.retry()  # no way back to points
    exercise.field.value = "6"
    exercise.check()
    assert exercise.score() == 0 and "Score: 0 van 2" in exercise.feedback.value


def test_points_checked_before_the_solution_stay_and_later_checks_do_not_count(
    fresh_session,  # noqa: F811
):
    exercise = number()
    exercise.field.value = "6"
    exercise.check()
    exercise.show_solution()
    assert exercise.score() == 2
    exercise.field.value = "5"
    exercise.check()
    assert exercise.score() == 2 and "Score: 2 van 2" in exercise.feedback.value
    unchecked = NumericAnswer(id="seam-ander", answer=6)
    unchecked.field.value = "6"  # typed, never checked, then the solution
    unchecked.show_solution()
    assert unchecked.score() == 0


@pytest.mark.parametrize("checked_first, points", [(False, 0), (True, 2)])
def test_the_grader_reads_the_end_of_scoring_from_the_stored_state(
    fresh_session,  # noqa: F811
    checked_first,
    points,
):
    exercise = number()
    if checked_first:
        exercise.field.value = "6"
        exercise.check()
    exercise.show_solution()
    exercise.field.value = "6"
    exercise.check()
    answers = AnswerStore(fresh_session / "leerpad-answers.json")
    with active(Session(answers=answers)):  # as the grader rebuilds the exercise
        graded = number()
        assert graded.score() == points
        assert graded.solution_shown and graded.checked


def test_a_tampered_solution_answer_scores_nothing(fresh_session):  # noqa: F811
    state = {"type": "NumericAnswer", "answer": "6", "attempts": 1, "checked": True}
    state |= {"solution_shown": True, "solution_answer": ["niet", "een", "getal"]}
    (fresh_session / "leerpad-answers.json").write_text(json.dumps({"seam-getal": state}))
    answers = AnswerStore(fresh_session / "leerpad-answers.json")
    with active(Session(answers=answers)):
        assert number().score() == 0
