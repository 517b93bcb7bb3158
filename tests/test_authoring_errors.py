"""Malformed input, one row each: the Dutch error it gives, and nothing written.

Every row runs the real command line (``leerpad.cli.main``) on a small catalogue in a
temporary folder. The whole folder (catalogue, packages, output) is compared before and
after: a refused command leaves no trace.
"""

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from authoring_fixtures import (
    MODULE_MD,
    MODULE_YML,
    make_catalogue,
    module_b,
    snapshot,
    write_package,
)

from leerpad.cli import main

NEW_MODULE = [
    "new", "module", "mod-nieuw", "--title", "Nieuw", "--authors", "An", "--audience",
    "secundair", "--digcompedu", "6.5", "--eindtermen", "4.4", "--topics", "algoritmen",
]  # fmt: skip


def new_module(flag, value):
    """The `new module` command line above, with one flag's value replaced (or added)."""
    argv = list(NEW_MODULE)
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    return argv


@dataclass
class Case:
    name: str
    argv: list  # "{...}" placeholders: {root}, {courses}, {module}
    expected: str
    setup: object = None  # setup(courses, root) before the snapshot


def edit(relative: str, old: str, new: str):
    def setup(courses: Path, root: Path):
        path = courses / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} staat niet in {relative}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return setup


def block(body: str):
    """A module.md with one exercise block (or any Markdown) in place of the meerkeuze."""
    start = MODULE_MD.index("```{meerkeuze}")
    return edit("cursus-a/mod-a/module.md", MODULE_MD[start:], body)


def copy_module(new_id=None):
    def setup(courses: Path, root: Path):
        import shutil

        target = courses / "cursus-a" / (new_id or "mod-a-kopie")
        shutil.copytree(courses / "cursus-a" / "mod-a", target)
        if new_id:
            yml = target / "module.yml"
            yml.write_text(yml.read_text().replace("id: mod-a", f"id: {new_id}"))

    return setup


def notebook_module(change):
    """Replace module.md by the compiled notebook, with one change an author made by hand."""

    def setup(courses: Path, root: Path):
        from leerpad.authoring import compile_markdown

        folder = courses / "cursus-a" / "mod-a"
        nb = compile_markdown((folder / "module.md").read_text(), "module.md", "mod-a")
        change(nb)
        (folder / "module.md").unlink()
        nbformat.write(nb, folder / "mod-a.ipynb")

    return setup


def grade_cell(nb):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))


def exercise_cell(nb):
    return next(c for c in nb.cells if "SingleChoice(" in c.source)


def package(name="mod-b.leerpad.zip", **kwargs):
    files = kwargs.pop("files", None)

    def setup(courses: Path, root: Path):
        write_package(root / name, files if files is not None else module_b(), **kwargs)

    return setup


def raw_zip(name, entries):
    """A zip with hand-made entries: [(ZipInfo or name, bytes)]."""

    def setup(courses: Path, root: Path):
        with zipfile.ZipFile(root / name, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, data in entries:
                archive.writestr(info, data)

    return setup


def symlink_info():
    info = zipfile.ZipInfo("mod-b/module.md")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def write_file(name, data: bytes):
    def setup(courses: Path, root: Path):
        (root / name).write_bytes(data)

    return setup


def both(*setups):
    def setup(courses: Path, root: Path):
        for s in setups:
            s(courses, root)

    return setup


CASES = [
    # -- leerpad new ------------------------------------------------------------------------
    Case("new: ongeldige id", ["new", "module", "Mijn_Module"], "is geen geldige id"),
    Case("new: id bestaat al", ["new", "module", "mod-a", "--title", "X"], "bestaat al"),
    Case("new: cursus-id als module-id", ["new", "module", "cursus-a"], "bestaat al"),
    Case("new: titel ontbreekt", ["new", "module", "mod-nieuw"], "ontbreekt: --title"),
    Case(
        "new: onbekende competentie",
        new_module("--digcompedu", "9.9"),
        "--digcompedu: '9.9' is onbekend",
    ),
    Case(
        "new: onbekende eindterm",
        new_module("--eindtermen", "99.1"),
        "--eindtermen: '99.1' is onbekend",
    ),
    Case(
        "new: geen open licentie",
        new_module("--licence", "alle-rechten-voorbehouden"),
        "is geen open licentie",
    ),
    Case("new: duur geen getal", new_module("--duration", "zestig"), "is geen aantal minuten"),
    Case("new: duur ongewoon", new_module("--duration", "5"), "5 minuten is ongewoon"),
    Case("new: onbekend niveau", new_module("--level", "Z9"), "is geen DigCompEdu-niveau"),
    Case(
        "new: onbekende doelgroep",
        new_module("--audience", "iedereen"),
        "'iedereen' is onbekend",
    ),
    Case(
        "new: onbekende cursus",
        new_module("--course", "bestaat-niet"),
        "--course: 'bestaat-niet' bestaat niet",
    ),
    Case("new: gereserveerde cursus-id", ["new", "course", "paths"], "gereserveerde naam"),
    Case(
        "new: cursus voor onbekende doelgroep",
        ["new", "course", "cursus-b", "--title", "B", "--audience", "secundair,kleuters"],
        "--audience: 'kleuters' is onbekend. Oplossing: kies een doelgroep uit basisonderwijs",
    ),
    Case(
        "new: pad met onbekende stap",
        [
            "new",
            "path",
            "pad-x",
            "--title",
            "P",
            "--audience",
            "secundair",
            "--goal",
            "D.",
            "--steps",
            "mod-a,mod-bestaat-niet",
        ],
        "--steps: 'mod-bestaat-niet' is onbekend",
    ),  # fmt: skip
    # -- leerpad check: module.yml -----------------------------------------------------------
    Case(
        "check: map bestaat niet",
        ["check", "courses/cursus-a/mod-b"],
        "'courses/cursus-a/mod-b' is geen map, bestand of module-id.",
    ),
    Case(
        "check: module-id in plaats van map",
        ["check", "mod-a"],
        "afbeelding 'robot.png' heeft geen alt-tekst.",
        edit("cursus-a/mod-a/module.md", "![Een robot op een rooster]", "![]"),
    ),
    Case(
        "check: licentie ontbreekt",
        ["check"],
        "module.yml: licence (regel 12): ontbreekt.",
        edit("cursus-a/mod-a/module.yml", "licence: CC-BY-4.0", "licence:"),
    ),
    Case(
        "check: onbekende eindterm",
        ["check"],
        "eindtermen (regel 10): '9.9' is onbekend. Oplossing: kies een eindterm",
        edit("cursus-a/mod-a/module.yml", '["4.4"]', '["9.9"]'),
    ),
    Case(
        "check: nazicht in de toekomst",
        ["check"],
        "last_reviewed (regel 15): 2999-01-01 ligt in de toekomst.",
        edit("cursus-a/mod-a/module.yml", "2026-01-15", "2999-01-01"),
    ),
    Case(
        "check: nazicht te oud",
        ["check"],
        "niet meer nagekeken (meer dan 3 jaar)",
        edit("cursus-a/mod-a/module.yml", "2026-01-15", "2019-01-15"),
    ),
    Case(
        "check: datum is tekst",
        ["check"],
        "last_reviewed (regel 15): moet date zijn, niet str.",
        edit("cursus-a/mod-a/module.yml", "2026-01-15", "gisteren"),
    ),
    Case(
        "check: auteur zonder naam",
        ["check"],
        "authors[1] (regel 13): een auteur heeft een naam nodig.",
        edit("cursus-a/mod-a/module.yml", "- name: An Peeters", "- email: an@school.test"),
    ),
    Case(
        "check: duur als tekst",
        ["check"],
        "duration (regel 6): moet int zijn, niet str.",
        edit("cursus-a/mod-a/module.yml", "duration: 30", "duration: een halfuur"),
    ),
    Case(
        "check: id verschilt van de map",
        ["check"],
        "de id 'mod-z' verschilt van de mapnaam 'mod-a'.",
        edit("cursus-a/mod-a/module.yml", "id: mod-a", "id: mod-z"),
    ),
    Case(
        "check: ongeldige YAML",
        ["check"],
        "module.yml: regel 3: geen geldige YAML.",
        edit("cursus-a/mod-a/module.yml", "title: Een kleine module", "title: [niet af"),
    ),
    Case(
        "check: onbekende doelgroep van de cursus",
        ["check"],
        "course.yml: audience (regel 4): 'iedereen' is onbekend.",
        edit("cursus-a/course.yml", "[basisonderwijs]", "[iedereen]"),
    ),
    Case(
        "check: pad met onbekende stap",
        ["check"],
        "pad-x.yml: steps[1]: module 'mod-x' bestaat niet.",
        write_file(
            "courses/paths/pad-x.yml",
            b"id: pad-x\ntitle: P\ngoal: D.\naudience: [secundair]\nsteps: [mod-x]\n",
        ),
    ),
    # -- leerpad check: exercise blocks ------------------------------------------------------
    Case(
        "check: blok niet afgesloten",
        ["check"],
        "module.md: regel 5: dit blok wordt niet afgesloten.",
        block("```{meerkeuze} mod-a-vraag\nvraag: Wat?\n"),
    ),
    Case(
        "check: onbekend bloktype",
        ["check"],
        "module.md: regel 5: onbekend bloktype 'meerkeuse'.",
        block("```{meerkeuse} mod-a-vraag\nvraag: Wat?\n```\n"),
    ),
    Case(
        "check: blok zonder id",
        ["check"],
        "module.md: regel 5: dit blok heeft geen id. Oplossing: schrijf ```{getal} mijn-id",
        block("```{getal}\nvraag: Hoeveel?\nantwoord: 3\n```\n"),
    ),
    Case(
        "check: antwoord ontbreekt",
        ["check"],
        "module.md: regel 5: oefening 'mod-a-vraag' heeft geen antwoordsleutel ('antwoord').",
        block("```{getal} mod-a-vraag\nvraag: Hoeveel?\n```\n"),
    ),
    Case(
        "check: nul punten",
        ["check"],
        "module.md: regel 5: oefening 'mod-a-vraag', veld 'punten': moet een getal groter dan 0",
        block("```{getal} mod-a-vraag\npunten: 0\nvraag: Hoeveel?\nantwoord: 3\n```\n"),
    ),
    Case(
        "check: YAML in blok klopt niet",
        ["check"],
        "de YAML in dit blok klopt niet.",
        block("```{getal} mod-a-vraag\nvraag: [Hoeveel?\nantwoord: 3\n```\n"),
    ),
    Case(
        "check: twee keer dezelfde oefening-id",
        ["check"],
        "id 'mod-a-vraag' komt twee keer voor.",
        block(
            "```{getal} mod-a-vraag\nvraag: A?\nantwoord: 3\n```\n\n"
            "```{getal} mod-a-vraag\nvraag: B?\nantwoord: 4\n```\n"
        ),
    ),
    Case(
        "check: gekopieerde modulemap",
        ["check"],
        "mod-a-kopie/module.yml: id (regel 1): 'mod-a' is al de id van cursus-a/mod-a",
        copy_module(),
    ),
    Case(
        "check: oefening-id al in een andere module",
        ["check"],
        "mod-c/module.md: regel 5: oefening-id 'mod-a-vraag' bestaat al in module mod-a.",
        copy_module("mod-c"),
    ),
    Case(
        "check: afbeelding zonder alt-tekst",
        ["check"],
        "module.md: regel 3: afbeelding 'robot.png' heeft geen alt-tekst.",
        edit("cursus-a/mod-a/module.md", "![Een robot op een rooster]", "![]"),
    ),
    Case(
        "check: afbeelding bestaat niet",
        ["check"],
        "module.md: regel 3: afbeelding 'robott.png' bestaat niet in de modulemap.",
        edit("cursus-a/mod-a/module.md", "(robot.png)", "(robott.png)"),
    ),
    Case(
        "check: link wijst naar niets",
        ["check"],
        "module.md: regel 3: link 'uitleg2.md' wijst naar niets.",
        edit("cursus-a/mod-a/module.md", "(uitleg.pdf)", "(uitleg2.md)"),
    ),
    Case(
        "check: link buiten de module",
        ["check"],
        "link '../course.yml' wijst naar niets.",
        edit("cursus-a/mod-a/module.md", "(uitleg.pdf)", "(../course.yml)"),
    ),
    Case(
        "check: notebook naast module.md",
        ["check"],
        "zowel module.md als een notebook",
        write_file("courses/cursus-a/mod-a/mod-a.ipynb", b"{}"),
    ),
    Case(
        "check: oefeningcel niet vergrendeld",
        ["check"],
        "mod-a.ipynb: cel 3: de cel van oefening 'mod-a-vraag' is niet vergrendeld",
        notebook_module(lambda nb: exercise_cell(nb).metadata.nbgrader.update(locked=False)),
    ),
    Case(
        "check: testcel zonder punten",
        ["check"],
        "ongeldige nbgrader-metadata: nbgrader cell 'mod-a-vraag' does not have points",
        notebook_module(lambda nb: grade_cell(nb).metadata.nbgrader.pop("points")),
    ),
    Case(
        "check: testcel met 0 punten",
        ["check"],
        "mod-a.ipynb: cel 4: 'mod-a-vraag' telt mee maar heeft geen punten (0).",
        notebook_module(lambda nb: grade_cell(nb).metadata.nbgrader.update(points=0)),
    ),
    Case(
        "check: grade_id met spatie",
        ["check"],
        "grade_id 'mijn vraag' mag alleen letters, cijfers",
        notebook_module(
            lambda nb: exercise_cell(nb).metadata.nbgrader.update(grade_id="mijn vraag")
        ),
    ),
    Case(
        "check: testcel niet vergrendeld",
        ["check"],
        "de testcel 'mod-a-vraag' is niet vergrendeld",
        notebook_module(lambda nb: grade_cell(nb).metadata.nbgrader.update(locked=False)),
    ),
    Case(
        "check: oefening zonder testcel",
        ["check"],
        "oefening 'mod-a-vraag' wordt niet verbeterd.",
        notebook_module(lambda nb: nb.cells.remove(grade_cell(nb))),
    ),
    Case(
        "check --execute: cel geeft een fout",
        ["check", "--execute"],
        "geeft een fout bij het uitvoeren: ZeroDivisionError",
        block(
            "```{code} mod-a-deel\nopdracht: Deel door nul.\nstart: |\n  def deel(a):\n"
            "oplossing: |\n  return a / 0\ntesten: |\n  assert deel(1) == 1\n```\n"
        ),
    ),
    # -- leerpad pack / unpack ---------------------------------------------------------------
    Case("pack: onbekende module", ["pack", "mod-q", "--out", "{root}"], "geen module met"),
    Case(
        "pack: module met fouten",
        ["pack", "mod-a", "--out", "{root}"],
        "leerpad verpakt alleen een module die `leerpad check` doorstaat",
        edit("cursus-a/mod-a/module.md", "(uitleg.pdf)", "(weg.md)"),
    ),
    Case("unpack: bestand bestaat niet", ["unpack", "{root}/weg.zip"], "bestand niet gevonden"),
    Case(
        "unpack: geen zip",
        ["unpack", "{root}/kapot.leerpad.zip"],
        "geen geldig zip-bestand",
        write_file("kapot.leerpad.zip", b"dit is geen zip"),
    ),
    Case(
        "unpack: zip-slip",
        ["unpack", "{root}/slip.leerpad.zip"],
        "'mod-b/../../evil.py' wijst buiten de module (..)",
        raw_zip("slip.leerpad.zip", [("mod-b/../../evil.py", b"print('weg')")]),
    ),
    Case(
        "unpack: absoluut pad",
        ["unpack", "{root}/abs.leerpad.zip"],
        "'/tmp/evil.py' is een absoluut pad",
        raw_zip("abs.leerpad.zip", [("/tmp/evil.py", b"x")]),
    ),
    Case(
        "unpack: symbolische link",
        ["unpack", "{root}/link.leerpad.zip"],
        "is een symbolische link",
        raw_zip("link.leerpad.zip", [(symlink_info(), b"/etc/passwd")]),
    ),
    Case(
        "unpack: zip-bom",
        ["unpack", "{root}/bom.leerpad.zip"],
        "pakt verdacht sterk uit (zip-bom?)",
        raw_zip("bom.leerpad.zip", [("mod-b/nullen.bin", bytes(5 * 2**20))]),
    ),
    Case(
        "unpack: te groot bestand",
        ["unpack", "{root}/groot.leerpad.zip"],
        "is groter dan 20 MB",
        raw_zip("groot.leerpad.zip", [("mod-b/film.mp4", os.urandom(21 * 2**20))]),
    ),
    Case(
        "unpack: geen manifest",
        ["unpack", "{root}/mod-b.leerpad.zip"],
        "leerpad.json ontbreekt; dit is geen leerpad-pakket",
        package(manifest=False),
    ),
    Case(
        "unpack: beschadigd bestand",
        ["unpack", "{root}/mod-b.leerpad.zip"],
        "'mod-b/module.md' is gewijzigd of beschadigd (controlesom klopt niet)",
        package(checksums={"mod-b/module.md": "0" * 64}),
    ),
    Case(
        "unpack: id bestaat al",
        ["unpack", "{root}/mod-a.leerpad.zip"],
        "module 'mod-a' bestaat al in de catalogus (courses/cursus-a/mod-a)",
        package(
            "mod-a.leerpad.zip",
            module="mod-a",
            files={f"mod-a/{k[6:]}": v for k, v in module_b().items()},
        ),
    ),
    Case(
        "unpack: oefening-id bestaat al",
        ["unpack", "{root}/mod-b.leerpad.zip"],
        "mod-b/module.md: regel 5: oefening-id 'mod-a-vraag' bestaat al in module mod-a.",
        package(files=module_b(**{"mod-b/module.md": MODULE_MD})),
    ),
    Case(
        "unpack: onbekende competentie",
        ["unpack", "{root}/mod-b.leerpad.zip"],
        "mod-b/module.yml: digcompedu: '9.9' is onbekend.",
        package(
            files=module_b(
                **{
                    "mod-b/module.yml": MODULE_YML.replace("mod-a", "mod-b").replace(
                        '"6.5"', '"9.9"'
                    )
                }
            )
        ),
    ),  # fmt: skip
    Case(
        "unpack: Markdown compileert niet",
        ["unpack", "{root}/mod-b.leerpad.zip"],
        "mod-b/module.md: regel 5: dit blok wordt niet afgesloten.",
        package(
            files=module_b(**{"mod-b/module.md": "# B\n\nTekst.\n\n```{getal} mod-b-x\nvraag: ?\n"})
        ),
    ),
    Case(
        "unpack: ontbrekende afbeelding",
        ["unpack", "{root}/mod-b.leerpad.zip"],
        "afbeelding 'robot.png' bestaat niet in de modulemap.",
        package(files=module_b(**{"mod-b/robot.png": None})),
    ),
    Case(
        "unpack: onbekende cursus",
        ["unpack", "{root}/mod-b.leerpad.zip", "--course", "cursus-z"],
        "--course: cursus 'cursus-z' bestaat niet",
        package(),
    ),
]


def test_enough_cases():
    assert len(CASES) >= 20
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_input(case, tmp_path, monkeypatch, capsys):
    courses = make_catalogue(tmp_path)
    monkeypatch.setenv("LEERPAD_COURSES", str(courses))
    monkeypatch.setenv("LEERPAD_VAR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 0, capsys.readouterr().out  # the catalogue starts clean
    if case.setup:
        case.setup(courses, tmp_path)
    capsys.readouterr()
    before = snapshot(tmp_path)
    argv = [a.format(root=tmp_path) for a in case.argv]
    code = main(argv)
    out = capsys.readouterr()
    text = out.out + out.err
    assert code != 0, text
    assert case.expected in text, text
    assert "Oplossing:" in text, "every error says how to fix it"
    if argv[0] == "check":
        problems = [line for line in out.out.splitlines() if line.strip()]
        assert all("Oplossing:" in line for line in problems), problems
    assert snapshot(tmp_path) == before, "er werd iets geschreven"


def test_error_names_the_fix(tmp_path, monkeypatch, capsys):
    """The rows above check the problem; each message of `check` also carries a fix."""
    courses = make_catalogue(tmp_path)
    monkeypatch.setenv("LEERPAD_COURSES", str(courses))
    edit("cursus-a/mod-a/module.yml", '["4.4"]', '["9.9"]')(courses, tmp_path)
    edit("cursus-a/mod-a/module.md", "![Een robot op een rooster]", "![]")(courses, tmp_path)
    assert main(["check"]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 2 and all("Oplossing:" in line for line in lines), lines
