import pytest
from leerpad.widgets import CodeExercise, ExerciseConfigError
from leerpad.widgets.coding import run_python
from test_widgets_support import assert_key_only_on_server, fresh_session  # noqa: F401

CODE = {
    "id": "code-dubbel",
    "question": "Schrijf een functie dubbel(x).",
    "start": "def dubbel(x):\n    pass\n",
    "tests": ["assert dubbel(2) == 4"],
    "hidden_tests": ["assert dubbel(0) == 0", "assert dubbel(-21) == -42"],
    "solution": "def dubbel(x):\n    return 2 * x\n",
    "timeout": 2,
}


def score(code):
    exercise = CodeExercise(**CODE)
    exercise.set_answer(code)
    return exercise.result()


def test_right_wrong_partial():
    assert score("def dubbel(x):\n    return x + x\n").fraction == 1
    assert score("def dubbel(x):\n    return 7\n").fraction == 0
    result = score("def dubbel(x):\n    return abs(2 * x)\n")
    assert result.fraction == pytest.approx(2 / 3)
    assert "Verborgen testen: 1 van 2 geslaagd." in result.messages
    assert "assert dubbel(-21)" not in " ".join(result.messages)


def test_empty_and_round_trip():
    exercise = CodeExercise(**CODE)
    assert exercise.editor.value == CODE["start"]
    assert exercise.get_answer() is None  # the start code alone is no answer
    assert exercise.result().empty
    exercise.set_answer("x = 1")
    assert exercise.get_answer() == "x = 1"
    assert CodeExercise(**CODE).get_answer() == "x = 1"  # restored
    exercise.set_answer(None)
    assert exercise.get_answer() is None


@pytest.mark.parametrize(
    "code, message",
    [
        ("def dubbel(x)\n    return 2 * x", "in regel 1 (SyntaxError)"),
        ("def dubbel(x):\nreturn 2 * x", "De inspringing klopt niet in regel 2"),
        ("def dubbel(x):\n    return 2 * y\nprint(dubbel(1))", "Je gebruikt 'y' in regel 2, maar"),
        ("print(1 / 0)", "Je deelt door nul in regel 1"),
        ("x = input()", "input()"),
        ("def dubble(x):\n    return 2 * x", "De test gebruikt 'dubbel'"),
    ],
)
def test_friendly_dutch_messages(code, message):
    result = score(code)
    assert result.fraction == 0
    assert message in " ".join(result.messages)


def test_endless_loop_stops_at_the_time_limit():
    result = score("while True:\n    pass\n")
    assert result.fraction == 0
    assert result.messages == [
        "Je code stopte niet binnen 2 seconden: zit er een oneindige lus in?"
    ]


def test_runs_isolated_in_a_fresh_folder_with_limits(tmp_path):
    # Each test runs in a Python of its own, after the learner's code: a test line is whole.
    checks = [
        "import sys; assert sys.flags.isolated == 1",
        "import os; assert os.getcwd() != start",
        "import os; assert os.listdir('.') == []",
        "import resource; assert resource.getrlimit(resource.RLIMIT_AS)[0] <= 512 * 2**20",
        "import resource; assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] <= 2**20",
    ]
    outcome = run_python(f"start = {str(tmp_path)!r}\nprint('hoi')", checks)
    assert outcome["tests"] == [None] * len(checks)
    assert outcome["output"] == "hoi\n"


def test_too_much_memory_is_a_friendly_error():
    result = score("x = 'a' * (2 * 1024 ** 3)")
    assert "te veel geheugen" in " ".join(result.messages)


def test_hidden_run_reports_only_pass_or_fail():
    outcome = run_python("print('geheim')", ["assert False", "assert True"], show_output=False)
    assert outcome["tests"] == [False, True]
    assert "output" not in outcome


@pytest.mark.parametrize(
    "change, field",
    [
        ({"solution": "def dubbel(x):\n    return x\n"}, "solution"),
        ({"solution": ""}, "solution"),
        ({"tests": ["assert dubbel(2) =="]}, "tests"),
        ({"hidden_tests": 12}, "hidden_tests"),
        ({"tests": [], "hidden_tests": []}, "tests"),
        ({"timeout": 0}, "timeout"),
        ({"start": 3}, "start"),
    ],
)
def test_malformed(change, field):
    with pytest.raises(ExerciseConfigError) as err:
        CodeExercise(**{**CODE, **change})
    assert (err.value.exercise_id, err.value.field) == (CODE["id"], field)


def test_tests_as_one_text_count_per_line():
    exercise = CodeExercise(
        **{**CODE, "tests": "assert dubbel(1) == 2\n# uitleg\nassert dubbel(3) == 6"}
    )
    assert exercise.config["tests"] == ["assert dubbel(1) == 2", "assert dubbel(3) == 6"]


def test_key_stays_on_server():
    source = assert_key_only_on_server(
        CodeExercise, CODE, ["dubbel(-21)", "return 2 * x", "dubbel(0) == 0"]
    )
    assert "tests=" in source and "solution=" not in source


def test_the_solution_is_checked_once_per_process(monkeypatch):
    """Building the exercise again (each page load, each hand-in graded) does not run the
    author's solution again; a wrong solution is refused every time."""
    import leerpad.widgets.coding as coding

    runs = []
    real = coding.run_python
    monkeypatch.setattr(coding, "run_python", lambda *a, **k: runs.append(1) or real(*a, **k))
    changed = {**CODE, "solution": CODE["solution"] + "\n# een keer\n"}
    CodeExercise(**changed)
    first = len(runs)
    assert first >= 1  # the visible tests, and the hidden ones in a second run
    for _ in range(3):
        CodeExercise(**changed)
    assert len(runs) == first
    wrong = {**CODE, "solution": "def dubbel(x):\n    return x + 1\n"}
    for _ in range(2):
        with pytest.raises(ExerciseConfigError, match="slaagt niet"):
            CodeExercise(**wrong)
