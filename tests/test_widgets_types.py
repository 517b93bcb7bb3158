"""Every exercise type, one table: right, wrong, partly right and empty answers, and a
malformed configuration whose error names the exercise and the field.

The exercises are the gallery module's own (``courses/galerij/galerij-oefentypes``), built
twice: as the author wrote them (key in the call) and as the learner's released notebook
declares them (key removed by ``split_keys``, read back from the server's key store).
"""

import json
import re
from pathlib import Path

import pytest
from gallery import ANSWERS, calls, module, released
from leerpad.widgets import TYPES, ExerciseConfigError
from test_widgets_support import fresh_session  # noqa: F401

from leerpad.authoring import FIELDS, KINDS

NB = module().notebook
AUTHOR = calls(NB)
PUBLIC, KEYS = released(NB)
VERDICT = {"right": "Juist!", "wrong": "Nog niet juist.", "partial": "Gedeeltelijk juist."}
# Types whose score can be a fraction of the points.
PARTIAL = {
    "MultipleChoice",
    "FillInTheBlanks",
    "DragTheWords",
    "MarkTheWords",
    "Ordering",
    "Matching",
    "Categorize",
    "InteractiveVideo",
    "QuestionSet",
    "BranchingScenario",
    "CodeExercise",
    "Scene3D",
    "GridRobot",
    "PixelEditor",
    "StepCounter",
}
SCORED = [(eid, outcome) for eid, cases in ANSWERS.items() for outcome in cases]


@pytest.fixture
def key_store(fresh_session, monkeypatch):  # noqa: F811
    """The server's key store, as the release writes it."""
    folder = fresh_session / "keys"
    folder.mkdir()
    (folder / "galerij-oefentypes.json").write_text(json.dumps(KEYS))
    monkeypatch.setenv("LEERPAD_KEYS", str(folder))
    return folder


# The eighteen H5P-like types of the gallery, the four computational-thinking types and the two
# XR types (3D scene, 360° image); the AI interactives are graded in their own modules.
GALLERY_TYPES = {
    "SingleChoice", "MultipleChoice", "TrueFalse", "FillInTheBlanks", "DragTheWords",
    "MarkTheWords", "Ordering", "Matching", "Categorize", "NumericAnswer", "FindTheHotspot",
    "ImageHotspots", "Flashcards", "OpenAnswer", "QuestionSet", "CodeExercise",
    "InteractiveVideo", "BranchingScenario", "GridRobot", "PixelEditor", "StepCounter",
    "BebrasTask", "Scene3D", "Panorama360",
}  # fmt: skip


def test_the_gallery_shows_every_type():
    shown = {cls.__name__ for cls, _ in AUTHOR.values()}
    assert shown == GALLERY_TYPES and GALLERY_TYPES <= set(TYPES)


def test_the_table_covers_every_scored_type():
    graded = {eid for eid, (cls, _) in AUTHOR.items() if cls.graded and cls.key_fields}
    assert set(ANSWERS) == graded
    for eid in graded:
        cls = AUTHOR[eid][0]
        assert {"right", "wrong"} <= set(ANSWERS[eid]), eid
        assert ("partial" in ANSWERS[eid]) == (cls.__name__ in PARTIAL), eid


@pytest.mark.parametrize("exercise_id, outcome", SCORED)
def test_score_and_feedback(key_store, exercise_id, outcome):
    answer, fraction = ANSWERS[exercise_id][outcome]
    cls, kwargs = AUTHOR[exercise_id]
    author = cls(**kwargs)
    author.set_answer(answer)
    result = author.result()
    assert result.fraction == pytest.approx(fraction, abs=1e-3)
    author.check()
    assert VERDICT[outcome] in author.feedback.value
    assert author.attempts == 1
    assert author.score() == pytest.approx(result.points(kwargs.get("points", 1)))
    # The learner's widget, built from the released call and the server's key, agrees.
    public_cls, public_kwargs = PUBLIC[exercise_id]
    assert not set(public_cls.key_fields) & set(public_kwargs)
    learner = public_cls(**public_kwargs)
    learner.set_answer(answer)
    assert learner.result().fraction == pytest.approx(result.fraction)


def test_feedback_per_option_is_shown_after_a_check(key_store):
    cls, kwargs = AUTHOR["galerij-meerkeuze"]
    exercise = cls(**kwargs)
    exercise.set_answer("Wanneer iemand klaar is met zijn werk.")
    exercise.check()
    assert "vast uur" in exercise.feedback.value


def test_feedback_per_wrong_number_comes_from_the_server_key(key_store):
    """A typical wrong number gets its own explanation, read from the key on the server (the
    released call holds no feedback); another wrong number gets none."""
    public_cls, public_kwargs = PUBLIC["galerij-getal"]
    assert "feedback" not in public_kwargs and "feedback" in KEYS["galerij-getal"]
    learner = public_cls(**public_kwargs)
    learner.set_answer("1,375")
    learner.check()
    assert "Nog niet juist." in learner.feedback.value and "door 300" in learner.feedback.value
    learner.set_answer("14")
    learner.check()
    assert "Nog niet juist." in learner.feedback.value and "door 300" not in learner.feedback.value
    cls, kwargs = AUTHOR["galerij-getal"]
    with pytest.raises(ExerciseConfigError, match="noemt 13,75, maar dat is het juiste"):
        cls(**{**kwargs, "feedback": {"13,75": "Juist."}})


def test_feedback_per_wrong_word_is_shown_at_its_blank(key_store):
    public_cls, public_kwargs = PUBLIC["galerij-invullen"]
    assert "feedback" not in public_kwargs and "feedback" in KEYS["galerij-invullen"]
    learner = public_cls(**public_kwargs)
    learner.set_answer(["krijt", "Papier"])
    learner.check()
    shown = learner.feedback.value
    assert "Leeg vak 2" in shown and "Papier laat pluisjes" in shown
    assert shown.count("pluisjes") == 1  # 'krijt' in blank 1 has no explanation


@pytest.mark.parametrize("exercise_id", list(AUTHOR))
def test_empty_answer(key_store, exercise_id):
    cls, kwargs = AUTHOR[exercise_id]
    exercise = cls(**kwargs)
    exercise.set_answer(None)
    assert exercise.get_answer() is None
    result = exercise.result()
    if cls.graded and cls.key_fields:
        assert result.empty and result.fraction == 0 and exercise.score() == 0
        exercise.check()
        assert "nog niets ingevuld" in exercise.feedback.value
        assert exercise.attempts == 0  # an empty check does not cost an attempt
    else:
        assert result is None  # practice or graded by the trainer: nothing to score here


# exercise id -> (changed or removed author arguments, the field the error must name)
MALFORMED = {
    "galerij-meerkeuze": ({"answer": "Na de middag"}, "answer"),
    "galerij-meerdere": ({"options": ["Handdoek"]}, "options"),
    "galerij-juistfout": ({"answer": "misschien"}, "answer"),
    "galerij-invullen": ({"text": "Het krijtbord maak je schoon."}, "text"),
    "galerij-sleep": ({"distractors": "mediatheek"}, "distractors"),
    "galerij-markeer": ({"answer": ["zwemmen"]}, "answer"),
    "galerij-volgorde": ({"answer": ["Je hangt je jas aan de kapstok."]}, "items"),
    "galerij-koppelen": ({"distractors": "boterhammen eten"}, "distractors"),
    "galerij-sorteren": ({"categories": ["Mag mee op fruitdag"]}, "categories"),
    "galerij-getal": ({"tolerance": -1}, "tolerance"),
    "galerij-hotspot": ({"alt": ""}, "alt"),
    "galerij-verkennen": ({"hotspots": {}}, "hotspots"),
    "galerij-video": ({"src": None}, "src"),
    "galerij-flitskaarten": ({"cards": [["alleen een voorkant"]]}, "cards"),
    "galerij-reeks": ({"pass_mark": 60}, "pass_mark"),
    "galerij-scenario": ({"start": "nergens"}, "start"),
    "galerij-open": ({"rubric": "netjes"}, "rubric"),
    "galerij-code": ({"solution": "def aanwezig(lijst):\n    return 0\n"}, "solution"),
    "galerij-ruimte": ({"answer": {"tafel": {"positie": [0, 1, 0]}}}, "answer"),
    "galerij-panorama": ({"answer": "brandblusser"}, "answer"),
}


@pytest.mark.parametrize("exercise_id", list(MALFORMED))
def test_malformed_configuration_names_exercise_and_field(key_store, exercise_id):
    change, field = MALFORMED[exercise_id]
    cls, kwargs = AUTHOR[exercise_id]
    with pytest.raises(ExerciseConfigError) as caught:
        cls(**{**kwargs, **change})
    error = caught.value
    assert (error.exercise_id, error.field) == (exercise_id, field)
    assert f"oefening '{exercise_id}', veld '{field}'" in str(error)


@pytest.mark.parametrize(
    "written, wrong, field",
    [
        ("tolerantie: 0.01", "tolerantie: -1", "tolerantie"),
        ("slaaggrens: 0.6", "slaaggrens: 60", "slaaggrens"),
        ("afleiders: [mediatheek]", "afleiders: mediatheek", "afleiders"),
        ("bestand: schoolbel.wav", "bestand: 3", "bestand"),
    ],
)
def test_authoring_error_names_file_line_exercise_and_dutch_field(written, wrong, field):
    from leerpad.authoring import AuthoringError, compile_markdown

    path = module().markdown_path
    text = path.read_text(encoding="utf-8")
    assert text.count(written) == 1
    with pytest.raises(AuthoringError) as caught:
        compile_markdown(text.replace(written, wrong), path, "galerij-oefentypes")
    error = caught.value
    fence = text[: text.index(written)].rindex("```{")
    assert error.line == text[:fence].count("\n") + 1  # the line of the block's fence
    assert f"veld '{field}'" in str(error) and str(path) in str(error)
    assert "oefening 'galerij-" in str(error)


def test_malformed_points_and_id(key_store):
    cls, kwargs = AUTHOR["galerij-getal"]
    with pytest.raises(ExerciseConfigError, match="veld 'points'"):
        cls(**{**kwargs, "points": 0})
    with pytest.raises(ExerciseConfigError, match="veld 'id'"):
        cls(**{**kwargs, "id": "Getal met spaties"})


def test_a_question_set_says_whether_the_pass_mark_is_reached(key_store):
    cls, kwargs = AUTHOR["galerij-reeks"]
    exercise = cls(**kwargs)
    exercise.set_answer(ANSWERS["galerij-reeks"]["partial"][0])
    exercise.check()
    assert "Geslaagd: je haalde 67% (nodig: 60%)" in exercise.feedback.value
    exercise.set_answer(["50 minuten", "Juist", ["rapport"]])
    exercise.check()
    assert "Nog niet geslaagd: je haalde 33% (nodig: 60%)" in exercise.feedback.value


# -- the author guide documents every block type and its Dutch fields ------------------------
GUIDE = (Path(__file__).resolve().parent.parent / "site" / "docs" / "gids-auteur.md").read_text(
    encoding="utf-8"
)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_author_guide_documents_every_block_type(kind):
    cls = KINDS[kind]
    row = re.search(rf"^\| `{re.escape(kind)}` \|.*$", GUIDE, re.M)
    assert row, f"no row for {kind} in the table of gids-auteur.md"
    for dutch in cls.fields:
        assert f"`{dutch}`" in row.group(0), (kind, dutch)


def test_dutch_field_names_never_clash():
    for cls in KINDS.values():
        for dutch, english in cls.fields.items():
            assert FIELDS.get(dutch, english) == english, (cls.__name__, dutch)
