"""One Markdown module with a block of every exercise type: it passes `leerpad check`,
compiles, is released by nbgrader, and a hand-in of it is autograded with the scores the
widgets themselves give."""

import os
import sys
from pathlib import Path

import pytest
import yaml
from authoring_fixtures import MODULE_YML, PNG, make_catalogue
from test_widgets_media import HOTSPOT, VIDEO
from test_widgets_pairs import MATCH, RIGHT_MATCH, SORT
from test_widgets_scenario import SCENARIO
from test_widgets_sets import RIGHT as SET_RIGHT
from test_widgets_sets import SET
from test_widgets_words import DRAG, MARK

from leerpad.authoring import KINDS, Block, parse
from leerpad.catalogue import Catalogue
from leerpad.check import check

MODULE = "alle-types"

# kind -> (the block's fields, a learner's answer or None for no answer)
EXERCISES = {
    "meerkeuze": (
        {"vraag": "Wat is een algoritme?", "opties": ["Een stappenplan", "Een foto"],
         "antwoord": "Een stappenplan", "punten": 2},
        "Een stappenplan",
    ),
    "juist-fout": ({"vraag": "Een lus herhaalt.", "antwoord": True}, False),
    "meerdere-keuzes": (
        {"vraag": "Welke zijn dieren?", "opties": ["kat", "steen", "mus"],
         "antwoord": ["kat", "mus"], "punten": 2},
        ["kat", "mus"],
    ),
    "volgorde": ({"vraag": "Orden.", "antwoord": ["a", "b", "c"], "punten": 2}, ["a", "b", "c"]),
    "invullen": ({"tekst": "Een ___ herhaalt.", "antwoord": [["lus"]]}, ["lus"]),
    "getal": ({"vraag": "Hoeveel is 6 x 7?", "antwoord": 42, "tolerantie": 0}, "42"),
    "open-vraag": ({"vraag": "Beschrijf je les.", "punten": 3}, "Mijn les over lussen."),
    "koppelen": ({k: v for k, v in MATCH.items() if k != "id"}, RIGHT_MATCH),
    "sorteren": ({k: v for k, v in SORT.items() if k != "id"}, SORT["answer"]),
    "sleep-de-woorden": ({k: v for k, v in DRAG.items() if k != "id"}, ["groen", "blauw"]),
    "markeer-de-woorden": ({k: v for k, v in MARK.items() if k != "id"}, ["kat"]),
    "hotspot-zoeken": ({k: v for k, v in HOTSPOT.items() if k != "id"}, "hart"),
    "interactieve-video": ({k: v for k, v in VIDEO.items() if k != "id"}, None),
    "scenario": ({k: v for k, v in SCENARIO.items() if k != "id"}, None),
    "vragenreeks": ({k: v for k, v in SET.items() if k != "id"}, SET_RIGHT),
    "flitskaarten": ({"cards": [["lus", "herhaling"], ["als", "keuze"]]}, None),
    "afbeelding-verkennen": (
        {"image": "lichaam.png", "alt": "Bovenlichaam", "hotspots": {"Hart": "Pompt bloed."}},
        None,
    ),
    "code-oefening": (
        {"vraag": "Schrijf dubbel(x).", "start": "def dubbel(x):\n    pass\n",
         "solution": "def dubbel(x):\n    return 2 * x\n",
         "hidden_tests": ["assert dubbel(3) == 6"], "timeout": 5},
        None,
    ),
    "robot": (
        {"vraag": "Naar het doel.", "rooster": ["# # #", "> . D"],
         "antwoord": [{"herhaal": 2, "doe": ["vooruit"]}]},
        None,
    ),
    "pixels": (
        {"vraag": "Teken.", "code": ["010", "111"], "antwoord": ["010", "111"]},
        None,
    ),
    "stappenteller": (
        {"vraag": "Zoek 8.", "modus": "zoeken", "zoek": 8, "max-stappen": 3,
         "antwoord": [1, 3, 5, 8, 13]},
        None,
    ),
    "bebras": (
        {"vraag": "Hoeveel uur?", "verhaal": "Bevers bouwen een dam.",
         "afbeelding": "dam.svg", "alt": "Een dam van takken.", "bron": "Bebras 2021",
         "licentie": "CC BY-NC-SA 4.0", "leeftijd": "10-12 jaar", "moeilijkheid": "gemiddeld",
         "soort": "getal", "antwoord": 5, "uitleg": "De langste keten duurt 5 uur.",
         "informatica": "Planning met afhankelijkheden."},
        None,
    ),
    "ruimte": (
        {"vraag": "Zet de kubus op de tafel.",
         "objecten": [{"id": "tafel", "vorm": "balk", "naam": "tafel", "positie": [2, 0.35, -1],
                       "schaal": [1.5, 0.7, 1], "kleur": "bruin"},
                      {"id": "kubus", "vorm": "kubus", "naam": "kubus", "positie": [0, 0.25, 0],
                       "schaal": [0.5, 0.5, 0.5], "kleur": "rood", "aanpasbaar": ["positie"]}],
         "antwoord": {"kubus": {"positie": [2, 0.95, -1]}}, "tolerantie": {"positie": 0.2}},
        None,
    ),
    "panorama": (
        {"vraag": "Waar hangt de brandblusser?",
         "hotspots": [{"id": "deur", "naam": "A", "yaw": 120, "pitch": -7},
                      {"id": "blusser", "naam": "B", "yaw": 104, "pitch": -14}],
         "antwoord": "blusser"},
        None,
    ),
    "cijferherkenning": ({"vraag": "Teken een 1.", "antwoord": 1}, None),
    "buren": (
        {"vraag": "Zet een punt.", "breedte": 6, "hoogte": 6, "klassen": ["appel", "peer"],
         "k": 3, "max-punten": 2,
         "voorbeelden": [[5, 2, "A"], [6, 3, "A"], [5, 4, "A"], [1, 5, "B"], [2, 6, "B"],
                         [1, 3, "B"]],
         "nieuwe-punten": [[4, 3]], "antwoord": ["B"]},
        None,
    ),
    "beslisboom": (
        {"vraag": "Bouw een boom.", "max-diepte": 2, "kolommen": ["Regen", "Wind", "Tocht"],
         "rijen": [["ja", "zwak", "nee"], ["nee", "zwak", "ja"], ["nee", "sterk", "nee"],
                   ["ja", "sterk", "nee"]],
         "antwoord": 4},
        None,
    ),
    "overfitten": (
        {"vraag": "Kies de diepte.", "aantal-punten": 80, "ruis": 0.15, "zaad": 21,
         "max-diepte": 8, "assen": ["x", "y"], "klassen": ["a", "b"], "antwoord": "beste-test"},
        None,
    ),
    "tekstgenerator": (
        {"vraag": "Maak een zin.", "tekst": "tekst.txt", "orde": 1, "begin": "de kat",
         "antwoord": "De kat zit op de mat."},
        None,
    ),
    "scheve-data": (
        {"vraag": "Train.", "eisen": {"volwassenen": "minstens 90"},
         "antwoord": {"volwassenen": 100, "kinderen": 0}},
        None,
    ),
}  # fmt: skip
TEXT = "De kat zit op de mat. De hond zit in de tuin. De kat speelt in de tuin met de hond."
CODE_BLOCK = {
    "punten": 2,
    "opdracht": "Schrijf `drie()` die 3 teruggeeft.",
    "start": "def drie():",
    "oplossing": "return 3",
    "testen": "assert drie() == 3",
}


def module_markdown() -> str:
    parts = ["# Alle types\n\nEen module met een blok van elk type.\n"]
    for kind, (fields, _) in EXERCISES.items():
        body = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)
        parts.append(f"```{{{kind}}} {MODULE}-{kind}\n{body}```\n")
    body = yaml.safe_dump(CODE_BLOCK, allow_unicode=True, sort_keys=False)
    parts.append(f"```{{code}} {MODULE}-code\n{body}```\n")
    return "\n".join(parts)


def test_every_type_is_in_the_module():
    kinds = {part.kind for part in parse(module_markdown()) if isinstance(part, Block)}
    assert kinds == {*KINDS, "code"}


@pytest.fixture
def catalogue(tmp_path, monkeypatch):
    courses = make_catalogue(tmp_path)
    folder = courses / "cursus-a" / MODULE
    folder.mkdir()
    (folder / "module.yml").write_text(MODULE_YML.replace("mod-a", MODULE), encoding="utf-8")
    (folder / "module.md").write_text(module_markdown(), encoding="utf-8")
    (folder / "lichaam.png").write_bytes(PNG)
    (folder / "lus.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    (folder / "dam.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (folder / "tekst.txt").write_text(TEXT, encoding="utf-8")
    monkeypatch.setenv("LEERPAD_COURSES", str(courses))
    monkeypatch.setenv("LEERPAD_VAR", str(tmp_path / "var"))
    # nbgrader calls `alembic` by name: this environment's copy.
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    return Catalogue(courses)


def expected_scores(module) -> tuple[float, float]:
    """What the widgets give for the answers above, with the key inline; and the maximum."""
    from leerpad.widgets import TYPES

    score = maximum = 0.0
    for kind, (fields, answer) in EXERCISES.items():
        cls = KINDS[kind]
        if not cls.graded:
            continue
        maximum += fields.get("punten", 1)
        if answer is None or not cls.key_fields:
            continue  # no answer, or graded by a person (the open question)
        from leerpad.authoring import FIELDS

        names = {**FIELDS, **cls.fields}
        widget = TYPES[cls.__name__](
            id=f"{MODULE}-{kind}", **{names.get(k, k): v for k, v in fields.items()}
        )
        widget.set_answer(answer)
        score += widget.score()
    return score, maximum + CODE_BLOCK["punten"]


def test_module_with_every_type_is_checked_released_and_graded(catalogue):
    from leerpad.grading.autograde import grade_one
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.handin import submit_from_app
    from leerpad.grading.release import release_module

    module = catalogue.modules[MODULE]
    assert not catalogue.problems, catalogue.problems
    # no error (a missing explanation per wrong answer is a warning: see test_ct_formats)
    assert [p for p in check(module.folder, catalogue) if not p.warning] == []
    cohort = Cohort("alle-types").create()
    release_module(cohort, module)
    released = cohort.release_dir / MODULE / f"{MODULE}.ipynb"
    text = released.read_text(encoding="utf-8")
    assert "Een stappenplan" in text and "return 2 * x" not in text  # solution stays home
    answers = {
        f"{MODULE}-{kind}": {"answer": answer}
        for kind, (_, answer) in EXERCISES.items()
        if answer is not None
    }
    submit_from_app(cohort.dir, MODULE, "juf-an", answers)
    score, maximum = grade_one(cohort.dir, MODULE, "juf-an")
    want_score, want_max = expected_scores(module)
    assert maximum == pytest.approx(want_max)
    assert score == pytest.approx(want_score)
    assert 0 < score < maximum
    with cohort.gradebook() as gb:
        grades = {g.name: g for g in gb.find_submission_notebook(MODULE, MODULE, "juf-an").grades}
    graded_kinds = [k for k in EXERCISES if KINDS[k].graded]
    assert {f"{MODULE}-{k}" for k in graded_kinds} | {f"{MODULE}-code"} == set(grades)
    assert grades[f"{MODULE}-open-vraag"].needs_manual_grade
    assert grades[f"{MODULE}-meerkeuze"].auto_score == 2
    assert grades[f"{MODULE}-juist-fout"].auto_score == 0
    assert grades[f"{MODULE}-code"].auto_score == 0  # the learner wrote no code
