import pytest
from leerpad.widgets import BranchingScenario, ExerciseConfigError
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

STEPS = {
    "begin": {"text": "Een leerling stoort de les.", "choices": {"Praat": "praat", "Roep": "roep"}},
    "praat": {"text": "Je praat na de les.", "choices": {"Samen afspraken": "goed"}},
    "roep": {"text": "De klas schrikt.", "choices": {}},
    "goed": {"text": "Jullie maken afspraken.", "score": 1},
}
STEPS["roep"]["score"] = 0.25
SCENARIO = {"id": "scenario-klas", "start": "begin", "steps": STEPS}


def walk(exercise, *labels):
    for label in labels:
        button = next(b for b in exercise.choices.children if b.description == label)
        button.click()


def test_right_wrong_partial():
    exercise = BranchingScenario(**SCENARIO)
    walk(exercise, "Praat", "Samen afspraken")
    assert exercise.get_answer() == ["begin", "praat", "goed"]
    assert exercise.result().fraction == 1
    assert "Dit is een einde" in exercise.scene.value
    exercise.set_answer(["begin", "roep"])
    assert exercise.result().fraction == 0.25
    exercise.set_answer(["begin", "praat"])
    assert exercise.result().fraction == 0
    assert exercise.result().messages == ["Je bent nog niet aan een einde gekomen."]


def test_evaluate_refuses_impossible_paths():
    exercise = BranchingScenario(**SCENARIO)
    for path in (["begin", "goed"], ["praat", "goed"], ["begin", 3], "begin"):
        assert BranchingScenario.evaluate(exercise.config, exercise._key, path).fraction == 0


def test_empty_and_round_trip():
    exercise = BranchingScenario(**SCENARIO)
    assert exercise.get_answer() is None
    assert exercise.result().empty
    walk(exercise, "Praat")
    assert BranchingScenario(**SCENARIO).get_answer() == ["begin", "praat"]  # restored
    exercise.restart.click()
    assert exercise.get_answer() is None
    exercise.set_answer(["begin", "roep"])
    assert exercise.get_answer() == ["begin", "roep"]
    assert exercise.choices.children == ()


def test_solution_follows_the_best_path():
    exercise = BranchingScenario(**SCENARIO)
    assert exercise.solution_html(exercise.config, exercise._key).endswith(
        "Jullie maken afspraken."
    )


@pytest.mark.parametrize(
    "steps, field",
    [
        ({**STEPS, "begin": {"text": "x", "choices": {"Ga": "nergens"}}}, "steps"),
        ({"begin": {"text": "x", "choices": {"Lus": "begin"}}}, "steps"),
        ({**STEPS, "roep": {"text": "De klas schrikt."}}, "steps"),
        ({**STEPS, "goed": {"text": "x", "score": 2}}, "steps"),
        ({**STEPS, "praat": {"choices": {"Samen afspraken": "goed"}}}, "steps"),
        ("begin -> goed", "steps"),
    ],
)
def test_malformed(steps, field):
    with pytest.raises(ExerciseConfigError) as err:
        BranchingScenario(**{**SCENARIO, "steps": steps})
    assert (err.value.exercise_id, err.value.field) == (SCENARIO["id"], field)


def test_unknown_start():
    with pytest.raises(ExerciseConfigError) as err:
        BranchingScenario(**{**SCENARIO, "start": "einde"})
    assert (err.value.exercise_id, err.value.field) == (SCENARIO["id"], "start")


def test_scores_in_the_public_scenes_are_refused():
    with pytest.raises(ExerciseConfigError) as err:
        BranchingScenario(id="scenario-lek", start="begin", scenes=STEPS)
    assert (err.value.exercise_id, err.value.field) == ("scenario-lek", "scenes")


def test_key_stays_on_server():
    source = assert_key_only_on_server(BranchingScenario, SCENARIO, ["score", "0.25"])
    assert "scenes=" in source and "'score'" not in source
