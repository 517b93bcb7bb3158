import pytest
from leerpad.widgets import ExerciseConfigError, QuestionSet
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

QUESTIONS = [
    {"type": "SingleChoice", "question": "Hoeveel is 1 + 1?", "options": ["1", "2"], "answer": "2"},
    {"type": "FillInTheBlanks", "text": "De hoofdstad is ___.", "answer": ["Brussel"]},
    {"type": "Ordering", "question": "Orden", "answer": ["a", "b", "c"], "points": 2},
]
SET = {"id": "reeks-basis", "questions": QUESTIONS, "pass_mark": 0.6}
RIGHT = ["2", ["Brussel"], ["a", "b", "c"]]


def test_one_question_at_a_time_with_progress():
    exercise = QuestionSet(**SET)
    assert "Vraag 1 van 3" in exercise.position.value
    assert exercise.page.children == (exercise.parts[0],)
    assert exercise.previous.disabled and not exercise.next.disabled
    exercise.next.click()
    exercise.next.click()
    assert "Vraag 3 van 3" in exercise.position.value
    assert exercise.page.children == (exercise.parts[2],)
    assert exercise.next.disabled
    assert all(child._key is None for child in exercise.parts)  # only the set holds keys


def test_right_wrong_partial_weighted_by_points():
    exercise = QuestionSet(**SET)
    exercise.set_answer(RIGHT)
    result = exercise.result()
    assert result.fraction == 1
    assert "Geslaagd: je haalde 100% (nodig: 60%)." in result.messages
    exercise.set_answer(["1", ["Gent"], None])
    assert exercise.result().fraction == 0
    exercise.set_answer(["2", ["Gent"], None])
    result = exercise.result()
    assert result.fraction == 0.25  # 1 of 4 points
    assert "Vraag 3: nog niet beantwoord." in result.messages
    assert "Nog niet geslaagd: je haalde 25% (nodig: 60%)." in result.messages


def test_empty_and_round_trip():
    exercise = QuestionSet(**SET)
    assert exercise.get_answer() is None
    assert exercise.result().empty
    exercise.parts[1].fields[0].value = "Brussel"
    assert exercise.get_answer() == [None, ["Brussel"], None]
    exercise.set_answer(RIGHT)
    assert exercise.get_answer() == RIGHT
    exercise.check()
    again = QuestionSet(**SET)  # restored: the children and the set
    assert again.get_answer() == RIGHT
    assert again.checked and "Score: 1 van 1" in again.feedback.value


def test_evaluate_is_pure():
    exercise = QuestionSet(**SET)
    result = QuestionSet.evaluate(exercise.config, exercise._key, [None, ["brussel"], None])
    assert result.fraction == 0.25


@pytest.mark.parametrize(
    "change, field",
    [
        ({"questions": []}, "questions"),
        ({"questions": [{"type": "Onbekend", "answer": 1}]}, "questions"),
        ({"questions": [{"type": "SingleChoice", "options": ["a"], "answer": "a"}]}, "options"),
        ({"questions": [{"type": "SingleChoice", "options": ["a", "b"]}]}, "questions"),
        ({"questions": [{**QUESTIONS[0], "points": 0}]}, "questions"),
        ({"pass_mark": 60}, "pass_mark"),
    ],
)
def test_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        QuestionSet(**{**SET, **change})
    assert err.value.field == field
    assert err.value.exercise_id.startswith(SET["id"])


def test_parts_with_an_answer_are_refused():
    with pytest.raises(ExerciseConfigError) as err:
        QuestionSet(id="reeks-lek", parts=[QUESTIONS[0]])
    assert (err.value.exercise_id, err.value.field) == ("reeks-lek", "parts")


def test_key_stays_on_server():
    source = assert_key_only_on_server(QuestionSet, SET, ["Brussel", "answer"])
    assert "parts=" in source and "'items': [" in source
