"""Eindtermen fit the teachers a module is for: every goal in the framework file names its
audience, a module only carries goals of the audience of a learning path it is in, and a path
only promises goals its modules carry. A catalogue with a wrong tag is caught."""

import re

from authoring_fixtures import make_catalogue

from leerpad.catalogue import Catalogue
from leerpad.check import check

CATALOGUE = Catalogue()


def test_every_goal_names_a_known_audience_and_level():
    goals = CATALOGUE.frameworks.eindtermen
    assert {"4.3", "4.4", "ICT-3"} <= set(goals)
    for goal_id, goal in goals.items():
        assert goal.get("audience") in CATALOGUE.frameworks.audiences, goal_id
        assert goal.get("level"), goal_id
    assert goals["4.4"]["audience"] == "secundair"
    assert goals["ICT-3"]["audience"] == "basisonderwijs"


def test_every_module_tag_fits_the_audience_of_its_paths():
    assert CATALOGUE.eindterm_misfits() == []
    # the modules only in the primary path carry no goal of secondary school (issue 17)
    for module_id in ("ct-02-gridrobot", "ct-03-decompositie", "ct-05-zoeken-sorteren"):
        tags = CATALOGUE.modules[module_id].meta["eindtermen"]
        assert all(CATALOGUE.frameworks.eindtermen[t]["audience"] != "secundair" for t in tags)


def promised(goal: str) -> set[str]:
    """The goal ids a path's text promises: "eindtermen 4.3 en 4.4", "ICT-eindterm 3"."""
    ids = set()
    for match in re.finditer(r"eindterm(?:en)?\s+([\d.,\sen]+)", goal):
        ids |= set(re.findall(r"\d\.\d", match.group(1)))
    ids |= {f"ICT-{n}" for n in re.findall(r"ICT-eindterm\s+(\d)", goal)}
    return ids


def test_a_path_promises_only_goals_its_modules_carry():
    assert promised("les (eindtermen 4.3 en 4.4)") == {"4.3", "4.4"}  # the reader works
    assert promised("oefenen (ICT-eindterm 3).") == {"ICT-3"}
    for learning_path in CATALOGUE.paths:
        carried = {
            t
            for step in CATALOGUE.path_steps(learning_path)
            for t in (step["module"].meta if step["module"] else step).get("eindtermen", [])
        }
        assert promised(learning_path.meta["goal"]) <= carried, learning_path.id


PATH = """\
id: pad-a
title: Pad A
goal: Een doel.
audience: [{audience}]
steps: [mod-a]
"""


def test_a_wrong_tag_is_caught(tmp_path):
    courses = make_catalogue(tmp_path)  # mod-a: audience basisonderwijs, eindtermen ["4.4"]
    (courses / "paths" / "pad-a.yml").write_text(PATH.format(audience="basisonderwijs"))
    catalogue = Catalogue(courses)
    misfits = catalogue.eindterm_misfits()
    assert len(misfits) == 1
    assert "'4.4' is een doel voor secundair" in str(misfits[0]) and "basisonderwijs" in str(
        misfits[0]
    )
    assert misfits[0].path.parent.name == "mod-a"
    # leerpad check shows it, as a warning with the fix
    found = [p for p in check(None, catalogue) if p.place == "eindtermen"]
    assert found and found[0].warning and "Oplossing:" in str(found[0])

    # the same module in a secondary path fits
    (courses / "paths" / "pad-a.yml").write_text(PATH.format(audience="secundair"))
    assert Catalogue(courses).eindterm_misfits() == []
    # a primary goal in a primary path fits; a primary goal in a secondary path does not
    module_yml = courses / "cursus-a" / "mod-a" / "module.yml"
    module_yml.write_text(module_yml.read_text().replace('["4.4"]', '["ICT-3"]'))
    assert len(Catalogue(courses).eindterm_misfits()) == 1
    (courses / "paths" / "pad-a.yml").write_text(PATH.format(audience="basisonderwijs"))
    assert Catalogue(courses).eindterm_misfits() == []
