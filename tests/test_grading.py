"""Release, hand-in from the app, autograde: scores land in nbgrader's gradebook."""

import json

import nbformat
import pytest
from conftest import leerpad_var
from leerpad.grading.handin import submit_from_app
from leerpad.widgets import TYPES

from leerpad.catalogue import Catalogue

MODULE = "ct-01-algoritme"


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    # Own folders, so this test does not share a gradebook with the platform test.
    base = tmp_path_factory.mktemp("grading")
    with leerpad_var(isolated_env, base / "var"):
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        catalogue = Catalogue()
        cohort = Cohort("test").create()
        release_all(cohort, [catalogue.modules[MODULE]], log=lambda *_: None)
        yield cohort


def released_notebook(cohort):
    return nbformat.read(cohort.release_dir / MODULE / f"{MODULE}.ipynb", as_version=4)


def test_released_notebook_holds_no_answer_key(cohort):
    keys = json.loads((cohort.keys_dir / f"{MODULE}.json").read_text())
    assert keys, "the release must have moved keys to the key store"
    text = nbformat.writes(released_notebook(cohort))
    assert "answer=" not in text and "feedback=" not in text
    for exercise_id, key in keys.items():
        answer = key["answer"]
        # a key that is also an option or an item is visible as such, never marked as answer;
        # free-text and numeric keys must not appear at all
        if isinstance(answer, list) and answer and isinstance(answer[0], list):
            for alternatives in answer:
                for word in alternatives:
                    assert f"'{word}'" not in text, (exercise_id, word)
        if isinstance(answer, int | float) and not isinstance(answer, bool):
            assert f"answer={answer}" not in text


def test_released_ordering_is_shuffled(cohort):
    keys = json.loads((cohort.keys_dir / f"{MODULE}.json").read_text())
    right = keys["ct01-volgorde-kleinste"]["answer"]
    text = nbformat.writes(released_notebook(cohort))
    assert repr(right) not in text


def test_app_hand_in_is_autograded_with_the_widget_scores(cohort):
    from leerpad.grading.autograde import grade_one

    keys = json.loads((cohort.keys_dir / f"{MODULE}.json").read_text())
    order = keys["ct01-volgorde-kleinste"]["answer"]
    answers = {
        "ct01-herken": {"answer": "Maak de klas netjes."},  # wrong: 0 of 1
        "ct01-eindig": {"answer": "Fout"},  # right: 1 of 1
        "ct01-volgorde-kleinste": {"answer": [order[1], order[0], *order[2:]]},  # 4/5 of 2
        "ct01-begrippen": {"answer": ["Precieze", "kleur"]},  # 1 of 2
        "ct01-stappen": {"answer": "6 keer"},  # right: 1 of 1
        "ct01-transfer": {"answer": "Mijn klas schrijft een stappenplan voor de refter."},
    }
    # the widget classes score the same answers the same way
    expected = 0.0
    for exercise_id, state in answers.items():
        cls = {
            "ct01-herken": "SingleChoice",
            "ct01-eindig": "TrueFalse",
            "ct01-volgorde-kleinste": "Ordering",
            "ct01-begrippen": "FillInTheBlanks",
            "ct01-stappen": "NumericAnswer",
        }.get(exercise_id)
        if cls:
            widget = TYPES[cls](
                id=exercise_id, **_public_config(cohort, exercise_id), **keys[exercise_id]
            )
            widget.set_answer(state["answer"])
            expected += widget.score()
    assert expected == pytest.approx(0 + 1 + 1.6 + 1 + 1)
    submit_from_app(cohort.dir, MODULE, "juf-an", answers)
    score, max_score = grade_one(cohort.dir, MODULE, "juf-an")
    assert score == pytest.approx(expected)
    assert max_score == 13
    with cohort.gradebook() as gb:
        submission = gb.find_submission_notebook(MODULE, MODULE, "juf-an")
        transfer = next(g for g in submission.grades if g.name == "ct01-transfer")
        assert transfer.needs_manual_grade
    autograded = nbformat.read(
        cohort.dir / "autograded" / "juf-an" / MODULE / f"{MODULE}.ipynb", as_version=4
    )
    open_cell = next(
        c
        for c in autograded.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "ct01-transfer"
    )
    assert "refter" in open_cell.source  # the trainer reads it in formgrader
    feedback = cohort.dir / "feedback" / "juf-an" / MODULE / f"{MODULE}.html"
    assert feedback.exists()


def test_a_second_hand_in_keeps_the_first(cohort):
    submit_from_app(cohort.dir, MODULE, "meester-tom", {})
    submit_from_app(cohort.dir, MODULE, "meester-tom", {"ct01-stappen": {"answer": "6"}})
    history = list((cohort.dir / "history" / "meester-tom" / MODULE).iterdir())
    assert len(history) == 1
    latest = json.loads(
        (cohort.dir / "submitted" / "meester-tom" / MODULE / "leerpad-answers.json").read_text()
    )
    assert latest["ct01-stappen"]["answer"] == "6"


def _public_config(cohort, exercise_id):
    """The public keyword arguments of an exercise, read from the released notebook."""
    import ast

    for cell in released_notebook(cohort).cells:
        if cell.cell_type == "code" and f"id='{exercise_id}'" in cell.source:
            call = ast.parse(cell.source).body[0].value
            return {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg != "id"}
    raise KeyError(exercise_id)
