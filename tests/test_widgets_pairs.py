import pytest
from leerpad.widgets import Categorize, ExerciseConfigError, Matching
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

MATCH = {
    "id": "koppel-dieren",
    "question": "Welk geluid maakt elk dier?",
    "answer": {"hond": "blaft", "kat": "miauwt", "koe": "loeit"},
    "distractors": ["zingt"],
}
SORT = {
    "id": "sorteer-dieren",
    "categories": ["zoogdier", "vogel"],
    "answer": {"mus": "vogel", "hond": "zoogdier", "merel": "vogel", "walvis": "zoogdier"},
}
RIGHT_MATCH = {"hond": "blaft", "kat": "miauwt", "koe": "loeit"}


# -- Matching ----------------------------------------------------------------------------
def test_matching_public_fields():
    exercise = Matching(**MATCH)
    assert exercise.config["left"] == ["hond", "kat", "koe"]
    assert sorted(exercise.config["right"]) == ["blaft", "loeit", "miauwt", "zingt"]
    assert exercise.config["right"][:3] != ["blaft", "miauwt", "loeit"]
    assert [p.description for p in exercise.pickers.values()][0] == "Koppel aan 'hond'"


def test_matching_right_wrong_partial():
    exercise = Matching(**MATCH)
    exercise.set_answer(RIGHT_MATCH)
    assert exercise.result().fraction == 1
    exercise.set_answer({"hond": "zingt", "kat": "loeit", "koe": "blaft"})
    assert exercise.result().fraction == 0
    exercise.set_answer({"hond": "blaft", "kat": "zingt"})
    result = exercise.result()
    assert result.fraction == pytest.approx(1 / 3)
    assert "'kat' is nog niet goed gekoppeld." in result.messages


def test_matching_empty_and_round_trip():
    exercise = Matching(**MATCH)
    assert exercise.get_answer() is None
    assert exercise.result().empty
    exercise.pickers["kat"].value = "miauwt"
    assert exercise.get_answer() == {"hond": None, "kat": "miauwt", "koe": None}
    exercise.set_answer(RIGHT_MATCH)
    assert exercise.get_answer() == RIGHT_MATCH
    assert Matching(**MATCH).get_answer() == RIGHT_MATCH  # restored from the saved answers


@pytest.mark.parametrize(
    "change, field",
    [
        ({"answer": ["hond", "blaft"]}, "answer"),
        ({"answer": {"hond": "blaft"}, "distractors": []}, "left"),
        ({"distractors": "zingt"}, "distractors"),
        ({"left": ["hond", "kat", "koe", "koe"]}, "left"),
    ],
)
def test_matching_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        Matching(**{**MATCH, **change})
    assert (err.value.exercise_id, err.value.field) == (MATCH["id"], field)


def test_matching_key_must_fit_the_public_items():
    with pytest.raises(ExerciseConfigError) as err:
        Matching(**{**MATCH, "left": ["hond", "kat"], "right": ["blaft", "miauwt"]})
    assert err.value.field == "answer"


def test_matching_key_stays_on_server():
    source = assert_key_only_on_server(Matching, MATCH, ["hond: blaft", '"hond": "blaft"'])
    assert "left=" in source and "right=" in source


# -- Categorize --------------------------------------------------------------------------
def test_categorize_right_wrong_partial():
    exercise = Categorize(**SORT)
    assert sorted(exercise.config["items"]) == sorted(SORT["answer"])
    exercise.set_answer(SORT["answer"])
    assert exercise.result().fraction == 1
    exercise.set_answer({item: "vogel" for item in ("hond", "walvis")})
    assert exercise.result().fraction == 0
    exercise.set_answer({"mus": "vogel", "hond": "vogel", "merel": "vogel"})
    result = exercise.result()
    assert result.fraction == 0.5
    assert "'hond' staat nog niet in de juiste categorie." in result.messages


def test_categorize_empty_and_round_trip():
    exercise = Categorize(**SORT)
    assert exercise.get_answer() is None
    assert exercise.result().empty
    exercise.pickers["walvis"].value = "zoogdier"
    expected = {"mus": None, "hond": None, "merel": None, "walvis": "zoogdier"}
    assert exercise.get_answer() == expected
    exercise.set_answer(None)
    assert exercise.get_answer() is None
    exercise.set_answer(SORT["answer"])
    assert exercise.get_answer() == SORT["answer"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"categories": ["zoogdier"]}, "categories"),
        ({"categories": "zoogdier, vogel"}, "categories"),
        ({"answer": {"mus": "vis", "hond": "zoogdier"}}, "answer"),
        ({"answer": "mus=vogel"}, "answer"),
    ],
)
def test_categorize_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        Categorize(**{**SORT, **change})
    assert (err.value.exercise_id, err.value.field) == (SORT["id"], field)


def test_categorize_key_stays_on_server():
    source = assert_key_only_on_server(Categorize, SORT, ['"mus": "vogel"'])
    assert "items=" in source and "categories=" in source
