"""Learning paths: the four paths of the seeds' audiences, planned modules, and the checks."""

import shutil
from pathlib import Path

import pytest

from leerpad.catalogue import Catalogue

ROOT = Path(__file__).resolve().parent.parent
PATHS = {
    "Bootcamp basisonderwijs: computationeel denken in de klas": "basisonderwijs",
    "ICT-team: AI en XR verkennen": "ict-team",
    "AI in de klas (secundair)": "secundair",
    "XR in tso/bso": "tso-bso",
}


def test_the_four_paths_of_the_seeds():
    catalogue = Catalogue()
    assert not [p for p in catalogue.problems if "paths" in str(p.path)], catalogue.problems
    by_title = {p.meta["title"]: p for p in catalogue.paths}
    assert set(PATHS) <= set(by_title)
    for title, audience in PATHS.items():
        learning_path = by_title[title]
        audiences = learning_path.meta["audience"]
        assert audience in (audiences if isinstance(audiences, list) else [audiences])
        assert len(str(learning_path.meta["goal"]).split()) >= 15, title
        steps = catalogue.path_steps(learning_path)
        assert len(steps) >= 4, title
        for step in steps:
            if step["module"] is None:  # planned: enough to show and to count the time
                assert step["title"] and step["duration"] >= 30 and step["digcompedu"], step
            else:
                assert step["module"].id == step["id"]


@pytest.fixture
def courses(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", target)
    for extra in (target / "paths").glob("*.yml"):
        extra.unlink()
    return target


def write_path(courses, name, text):
    path = courses / "paths" / f"{name}.yml"
    path.write_text(
        f"id: {name}\ntitle: Pad {name}\ngoal: Een doel.\naudience: [secundair]\n" + text,
        encoding="utf-8",
    )
    return path


def test_unknown_step_is_a_problem_that_names_file_step_and_fix(courses):
    write_path(courses, "pad-a", "steps:\n  - ct-01-algoritme\n  - ai-99-bestaat-niet\n")
    problems = [str(p) for p in Catalogue(courses).problems]
    assert len(problems) == 1, problems
    assert "pad-a.yml: steps[2]: module 'ai-99-bestaat-niet' bestaat niet." in problems[0]
    assert "gepland:" in problems[0]


def test_planned_module_is_accepted_and_shown_as_planned(courses):
    write_path(
        courses,
        "pad-a",
        "steps:\n  - ct-01-algoritme\n  - ai-90-gepland\ngepland:\n"
        '  - {id: ai-90-gepland, title: "Wat is AI?", duration: 60, digcompedu: ["6.1"]}\n'
        # a planned entry for a module that exists: the module wins
        '  - {id: ct-01-algoritme, title: Oud, duration: 30, digcompedu: ["6.5"]}\n',
    )
    catalogue = Catalogue(courses)
    assert not catalogue.problems, catalogue.problems
    first, second = catalogue.path_steps(catalogue.paths[0])
    assert first["module"].id == "ct-01-algoritme" and first["planned"] == {}
    assert second["module"] is None and second["title"] == "Wat is AI?"
    assert second["duration"] == 60 and second["digcompedu"] == ["6.1"]


def test_planned_module_needs_its_fields(courses):
    write_path(
        courses,
        "pad-a",
        "steps:\n  - ai-90-gepland\ngepland:\n"
        '  - {id: ai-90-gepland, title: "Wat is AI?", digcompedu: ["9.9"]}\n',
    )
    problems = [str(p) for p in Catalogue(courses).problems]
    assert any("gepland 'ai-90-gepland': duration: ontbreekt" in p for p in problems), problems
    assert any("gepland 'ai-90-gepland': digcompedu: '9.9' is onbekend" in p for p in problems)
    assert all("pad-a.yml" in p for p in problems)


def test_planned_module_described_alike_in_every_path(courses):
    entry = "  - {{id: ai-90-gepland, title: 'Wat is AI?', duration: {}, digcompedu: ['6.1']}}\n"
    write_path(courses, "pad-a", "steps: [ai-90-gepland]\ngepland:\n" + entry.format(60))
    write_path(courses, "pad-b", "steps: [ai-90-gepland]\ngepland:\n" + entry.format(90))
    problems = [str(p) for p in Catalogue(courses).problems]
    assert len(problems) == 1 and "pad-b.yml" in problems[0] and "pad-a.yml" in problems[0]


def test_unknown_audience_is_a_problem(courses):
    path = write_path(courses, "pad-a", "steps: [ct-01-algoritme]\n")
    path.write_text(path.read_text().replace("[secundair]", "[kleuters]"))
    problems = [str(p) for p in Catalogue(courses).problems]
    assert problems == [p for p in problems if "audience: 'kleuters' is onbekend" in p]
    assert problems
