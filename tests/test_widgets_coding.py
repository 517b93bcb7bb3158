import json

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


# -- the verdict is the runner's: every test form judged from plain values -----------------
HONEST = (
    "def f(x):\n    return sorted(x) if isinstance(x, list) else 2 * x\n"
    "def is_even(n):\n    return n % 2 == 0\n"
)
# Each form a test can take; on the old runner all but the first ran whole in a child with
# the learner's code, and that child said whether the test passed.
FORMS = [
    "assert sorted(f([3, 1])) == [1, 3]",
    "assert sorted(f([3, 1])) == sorted([1, 3])",
    "assert is_even(4)",
    "assert f(2) < f(3)",
    "x = f(2); assert x == 4",
    "assert not is_even(3) and f(1) in [2, 3]",
    "verwacht = 6\nassert gelijk(f(3), verwacht)",
]
# The child's report forged: a passing verdict on every descriptor, then out before the test.
FORGED_VERDICT = """import os
for fd in range(3, 64):
    try:
        os.write(fd, b'{"problem": null}\\n')
    except OSError:
        pass
os._exit(0)
"""
# An object that says yes to everything: ==, <, bool(), and iterates as the right list.
ALWAYS_YES = """class Altijd:
    def __eq__(self, other):
        return True
    def __lt__(self, other):
        return True
    def __gt__(self, other):
        return True
    def __bool__(self):
        return True
    def __contains__(self, item):
        return True
    def __iter__(self):
        return iter([1, 3])
    __hash__ = object.__hash__
def f(x):
    return Altijd()
def is_even(n):
    return Altijd()
"""


def test_every_form_passes_with_honest_code():
    assert run_python(HONEST, FORMS, show_output=False)["tests"] == [True] * len(FORMS)
    wrong = (
        "def f(x):\n    return x + [0] if isinstance(x, list) else -x\n"
        "is_even = lambda n: n % 2 == 1\n"
    )
    assert run_python(wrong, FORMS, show_output=False)["tests"] == [False] * len(FORMS)


@pytest.mark.parametrize("attack", [FORGED_VERDICT, ALWAYS_YES], ids=["verdict", "altijd"])
def test_a_forged_verdict_or_an_always_yes_object_passes_no_form(attack):
    assert run_python(attack, FORMS, show_output=False)["tests"] == [False] * len(FORMS)
    exercise = CodeExercise(
        **{
            **CODE,
            "id": "vormen",
            "tests": FORMS[:4],
            "hidden_tests": FORMS[4:],
            "solution": HONEST,
        }
    )
    exercise.set_answer(attack)
    result = exercise.result()
    assert result.fraction == 0
    assert f"Verborgen testen: 0 van {len(FORMS) - 4} geslaagd." in result.messages


def test_an_object_of_the_learner_is_explained_in_dutch():
    outcome = run_python(ALWAYS_YES, ["assert f(2) == 4", "assert is_even(4)"])
    from leerpad.widgets.coding import friendly

    texts = [friendly(problem, in_test=True) for problem in outcome["tests"]]
    assert (
        texts
        == [
            "De test kreeg een Altijd terug, maar verwacht een gewone waarde (een getal, tekst, "
            "lijst, ...): geef zo'n waarde terug, geen eigen object.",
        ]
        * 2
    )
    ones = run_python("def is_even(n):\n    return 1\n", ["assert is_even(4)"])["tests"]
    assert friendly(ones[0]) == "De test verwacht True of False, maar kreeg een int."


def test_no_child_gets_an_expected_value():
    from leerpad.widgets.coding import test_plan

    for test, secret in [
        ("assert f(3) == 9", "9"),
        ("assert sorted(f([3, 1])) == [1, 3]", "[1, 3]"),
        ("verwacht = [4, 2]\nassert gelijk(f(2), verwacht)", "[4, 2]"),
        ("assert bijna_gelijk(f(0.5), 1.25, 0.01)", "1.25"),
    ]:
        steps = json.dumps(test_plan(test)["steps"])
        assert secret not in steps and "verwacht" not in steps, test
    # a helper name the learner's code may change stays the child's: judged as Python would
    plan = test_plan("data = [3, 1]\nf(data)\nassert data == [1, 3]")
    assert plan["runner_vars"] == [] and {"run": "data = [3, 1]"} in plan["steps"]
    outcome = run_python(
        "def f(x):\n    x.sort()\n", ["data = [3, 1]; f(data); assert data == [1, 3]"]
    )
    assert outcome["tests"] == [None]


@pytest.mark.parametrize(
    "test",
    [
        "f(2)",
        "for x in range(3): assert f(x) == 2 * x",
        "assert all(gelijk(f(x), 2 * x) for x in range(3))",
    ],
)
def test_a_test_the_runner_cannot_judge_is_refused_with_the_reason(test):
    from leerpad.widgets.coding import test_warnings

    with pytest.raises(ExerciseConfigError, match="kan de runner niet beoordelen"):
        CodeExercise(**{**CODE, "id": "onbeoordeelbaar", "hidden_tests": [test]})
    assert test_warnings(test)
    outcome = run_python(HONEST, [test], show_output=False)
    assert outcome["tests"] == [False]


def test_leerpad_check_warns_about_a_test_the_runner_cannot_judge(tmp_path):
    from leerpad.catalogue import Module
    from leerpad.check import check_module

    (tmp_path / "module.md").write_text(
        """# Proef

```{code} proef-lus
punten: 1
opdracht: Schrijf `dubbel(x)`.
start: |
  def dubbel(x):
oplossing: |
      return 2 * x
testen: |
  for x in range(3):
      assert dubbel(x) == 2 * x
```

```{code} proef-goed
punten: 1
opdracht: Schrijf `drie(x)`.
start: |
  def drie(x):
oplossing: |
      return 3 * x
testen: |
  assert gelijk(drie(2), 6), "drie(2) geeft 6"
  assert drie(1) < drie(2), "drie(x) groeit met x"
```
""",
        encoding="utf-8",
    )
    problems = check_module(Module(tmp_path, {"id": "proef", "title": "Proef"}), {})
    runner = [p for p in problems if "beoordeelt alleen assert-regels" in p.problem]
    assert len(runner) == 1 and runner[0].warning
    assert "proef-lus" in runner[0].problem and runner[0].place == "regel 3"
    assert not [p for p in problems if "proef-goed" in p.problem]
