import pytest
from leerpad.widgets import DragTheWords, ExerciseConfigError, MarkTheWords
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

DRAG = {
    "id": "sleep-kleuren",
    "text": "Het gras is ___ en de lucht is ___.",
    "answer": ["groen", "blauw"],
    "distractors": ["paars"],
}
MARK = {
    "id": "markeer-dieren",
    "text": "De kat en de hond spelen in de tuin.",
    "answer": ["kat", "hond"],
}


# -- DragTheWords ----------------------------------------------------------------------
def test_drag_bank_holds_answers_and_distractors_shuffled():
    exercise = DragTheWords(**DRAG)
    assert sorted(exercise.config["bank"]) == ["blauw", "groen", "paars"]
    assert exercise.config["bank"][:2] != ["groen", "blauw"]
    assert [p.options[0][1] for p in exercise.pickers] == [None, None]


def test_drag_right_wrong_partial():
    exercise = DragTheWords(**DRAG)
    exercise.set_answer(["groen", "blauw"])
    assert exercise.result().fraction == 1
    exercise.set_answer(["paars", "groen"])
    assert exercise.result().fraction == 0
    exercise.set_answer(["groen", "paars"])
    result = exercise.result()
    assert result.fraction == 0.5
    assert result.messages == ["Leeg vak 2 is nog niet juist."]


def test_drag_empty_and_half_empty():
    exercise = DragTheWords(**DRAG)
    assert exercise.get_answer() is None
    assert exercise.result().empty
    exercise.set_answer([None, "blauw"])
    assert exercise.result().fraction == 0.5
    assert "Leeg vak 1 is nog leeg." in exercise.result().messages


def test_drag_round_trip_and_restore():
    exercise = DragTheWords(**DRAG)
    exercise.pickers[0].value = "paars"
    exercise.pickers[1].value = "blauw"
    assert exercise.get_answer() == ["paars", "blauw"]
    again = DragTheWords(**DRAG)  # same id: restored from the saved answers
    assert again.get_answer() == ["paars", "blauw"]
    again.set_answer(["onbekend", "groen"])
    assert again.get_answer() == [None, "groen"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"text": "geen vakjes"}, "text"),
        ({"answer": ["groen"]}, "answer"),
        ({"answer": "groen"}, "answer"),
        ({"distractors": "paars"}, "distractors"),
        ({"answer": ["groen", "groen"], "distractors": []}, "words"),
    ],
)
def test_drag_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        DragTheWords(**{**DRAG, **change})
    assert (err.value.exercise_id, err.value.field) == (DRAG["id"], field)


def test_drag_key_stays_on_server():
    source = assert_key_only_on_server(DragTheWords, DRAG, ['"groen", "blauw"'])
    assert "words=" in source and "distractors=" not in source


# -- MarkTheWords ----------------------------------------------------------------------
def test_mark_words_by_word_or_index():
    assert MarkTheWords(**MARK)._key == {"answer": [1, 4]}
    assert MarkTheWords(**{**MARK, "answer": [1, "hond"]})._key == {"answer": [1, 4]}


def test_mark_right_wrong_partial():
    exercise = MarkTheWords(**MARK)
    exercise.toggles[1].value = exercise.toggles[4].value = True
    assert exercise.result().fraction == 1
    exercise.set_answer([0, 2])
    assert exercise.result().fraction == 0
    exercise.set_answer([1])
    assert exercise.result().fraction == 0.5
    exercise.set_answer([1, 4, 8])  # one wrong mark costs one right mark
    assert exercise.result().fraction == 0.5
    exercise.set_answer([1, 0, 2])
    assert exercise.result().fraction == 0  # never below 0


def test_mark_empty_and_round_trip():
    exercise = MarkTheWords(**MARK)
    assert exercise.get_answer() is None
    assert exercise.result().empty
    exercise.set_answer([4, 1])
    assert exercise.get_answer() == [1, 4]
    assert [t.value for t in exercise.toggles].count(True) == 2
    assert all(t.tooltip.startswith("Markeer") for t in exercise.toggles)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"text": "Eén"}, "text"),
        ({"answer": ["vogel"]}, "answer"),
        ({"answer": [20]}, "answer"),
        ({"answer": []}, "answer"),
    ],
)
def test_mark_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        MarkTheWords(**{**MARK, **change})
    assert (err.value.exercise_id, err.value.field) == (MARK["id"], field)


def test_mark_key_stays_on_server():
    assert_key_only_on_server(MarkTheWords, MARK, ['"kat", "hond"', "[1, 4]"])
