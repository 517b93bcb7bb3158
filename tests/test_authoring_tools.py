"""`leerpad new`, `pack`/`unpack` and the Markdown source that cannot drift from its notebook."""

import io
import shlex
import shutil
import sys
import zipfile

import nbformat
import pytest
import yaml
from authoring_fixtures import ROOT, make_catalogue, snapshot

from leerpad.authoring import compile_markdown
from leerpad.catalogue import Catalogue
from leerpad.cli import main


@pytest.fixture
def catalogue_dir(tmp_path, monkeypatch):
    courses = make_catalogue(tmp_path)
    monkeypatch.setenv("LEERPAD_COURSES", str(courses))
    monkeypatch.setenv("LEERPAD_VAR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    return courses


# -- leerpad new ------------------------------------------------------------------------------
def test_new_course_module_and_path_pass_check(catalogue_dir, capsys):
    commands = [
        "new course xr-in-de-klas --title 'XR in de klas' --audience secundair,tso-bso",
        "new module xr-01-eerste-bril --course xr-in-de-klas --title 'Je eerste VR-bril'"
        " --authors 'An Peeters' --authors 'Claes, Jan; Els Wouters' --audience secundair"
        " --digcompedu 2.1 --digcompedu 3.1 --eindtermen 4.4 --topics vr --duration 45"
        " --licence CC-BY-4.0",
        "new path xr-starter --title 'XR voor starters' --audience secundair"
        " --goal 'Je gebruikt VR in een les.' --steps xr-01-eerste-bril --steps mod-a",
    ]
    for command in commands:
        assert main(shlex.split(command)) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["check"]) == 0, capsys.readouterr().out
    folder = catalogue_dir / "xr-in-de-klas" / "xr-01-eerste-bril"
    meta = yaml.safe_load((folder / "module.yml").read_text(encoding="utf-8"))
    assert meta["title"] == "Je eerste VR-bril" and meta["duration"] == 45
    assert [a["name"] for a in meta["authors"]] == ["An Peeters", "Claes, Jan", "Els Wouters"]
    assert meta["digcompedu"] == ["2.1", "3.1"] and meta["licence"] == "CC-BY-4.0"
    catalogue = Catalogue(catalogue_dir)
    assert not catalogue.problems
    assert catalogue.modules["xr-01-eerste-bril"].course.id == "xr-in-de-klas"
    nb = catalogue.modules["xr-01-eerste-bril"].notebook
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(graded) == 3, "the template holds three graded exercises"
    path = yaml.safe_load((catalogue_dir / "paths" / "xr-starter.yml").read_text())
    assert path["steps"] == ["xr-01-eerste-bril", "mod-a"]
    # A second `new` with the same id is refused and changes nothing.
    before = snapshot(catalogue_dir)
    assert main(["new", "module", "xr-01-eerste-bril", "--title", "Opnieuw"]) == 2
    assert snapshot(catalogue_dir) == before


def test_new_asks_for_what_is_missing_at_a_terminal(catalogue_dir, monkeypatch, capsys):
    answers = ["Mijn module", "basisonderwijs", "Els Peeters", "6.5", "4.3, 4.4", "algoritmen"]

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("\n".join(answers) + "\n"))
    assert main(["new", "module", "mod-gevraagd"]) == 0
    prompts = capsys.readouterr().out
    assert "Titel:" in prompts and "Eindterm(en)" in prompts
    meta = yaml.safe_load((catalogue_dir / "cursus-a" / "mod-gevraagd" / "module.yml").read_text())
    assert meta["title"] == "Mijn module" and meta["eindtermen"] == ["4.3", "4.4"]
    assert meta["authors"] == [{"name": "Els Peeters"}]
    assert main(["check"]) == 0


def test_new_without_terminal_names_every_missing_flag(catalogue_dir, capsys):
    assert main(["new", "module", "mod-x", "--title", "X"]) == 2
    err = capsys.readouterr().err
    for flag in ("--audience", "--authors", "--digcompedu", "--eindtermen", "--topics"):
        assert flag in err, err
    assert not (catalogue_dir / "cursus-a" / "mod-x").exists()


# -- pack and unpack --------------------------------------------------------------------------
def test_pack_then_unpack_in_another_catalogue(tmp_path, monkeypatch, capsys):
    source = make_catalogue(tmp_path / "auteur")
    monkeypatch.setenv("LEERPAD_COURSES", str(source))
    out = tmp_path / "gedeeld"
    out.mkdir()
    assert main(["pack", "mod-a", "--out", str(out)]) == 0
    package = out / "mod-a.leerpad.zip"
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        licence = archive.read("mod-a/LICENSE.txt").decode()
    assert {
        "leerpad.json",
        "mod-a/module.yml",
        "mod-a/module.md",
        "mod-a/robot.png",
        "mod-a/uitleg.pdf",
        "mod-a/LICENSE.txt",
    } == names
    assert "An Peeters" in licence and "CC-BY-4.0" in licence and "Naamsvermelding" in licence
    assert main(["pack", "mod-a", "--out", str(out)]) == 1, "an existing package is kept"

    # Another trainer's catalogue, with its own course and no mod-a.
    other = make_catalogue(tmp_path / "school")
    shutil.rmtree(other / "cursus-a" / "mod-a")
    monkeypatch.setenv("LEERPAD_COURSES", str(other))
    assert main(["unpack", str(package), "--course", "cursus-a"]) == 0
    unpacked = other / "cursus-a" / "mod-a"
    for name in ("module.yml", "module.md", "robot.png", "uitleg.pdf"):
        assert (unpacked / name).read_bytes() == (source / "cursus-a" / "mod-a" / name).read_bytes()
    assert [p.name for p in (other / "cursus-a").iterdir() if p.name.startswith(".")] == []
    capsys.readouterr()
    assert main(["check"]) == 0, capsys.readouterr().out
    assert main(["unpack", str(package)]) == 1, "a second unpack would overwrite"


# -- the Markdown source and the notebook cannot drift -----------------------------------------
REAL = Catalogue(ROOT / "courses")
MARKDOWN_MODULES = sorted(m for m, module in REAL.modules.items() if module.markdown_path.exists())


@pytest.mark.parametrize("module_id", MARKDOWN_MODULES)
def test_markdown_module_has_one_source(module_id):
    """A Markdown module keeps no notebook beside it: the notebook that nbgrader releases,
    Voilà shows and the site renders is compiled from module.md each time."""
    module = REAL.modules[module_id]
    assert not list(module.folder.glob("*.ipynb")), "a stale notebook beside module.md"
    text = module.markdown_path.read_text(encoding="utf-8")
    fresh = compile_markdown(text, str(module.markdown_path), module_id)
    assert nbformat.writes(module.notebook) == nbformat.writes(fresh)
    nbformat.validate(module.notebook)


def test_release_follows_every_edit_of_the_markdown(tmp_path, monkeypatch):
    from leerpad.grading.release import fingerprint

    courses = make_catalogue(tmp_path)
    module = Catalogue(courses).modules["mod-a"]
    before = fingerprint(module)
    path = module.markdown_path
    path.write_text(path.read_text().replace("Welk antwoord", "Welk ander antwoord"))
    edited = Catalogue(courses).modules["mod-a"]
    assert fingerprint(edited) != before
    assert any("Welk ander antwoord" in c.source for c in edited.notebook.cells)
