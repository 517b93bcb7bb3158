"""Bad input, one row each, through the real command in its own process: a Dutch error
that names the problem, exit code not 0, no traceback, no hang, and nothing written.

The rows are the inputs of issue 19 and their neighbours: what authors get wrong by
accident (a capital in a block type, a misspelled field, a date without quotes, a file
saved as Latin-1) and what a crafted file does on purpose (a "billion laughs", a package
with .git/hooks, names with escape codes, a zip that lies about its sizes). The commands
that publish (release, site, preview, start) must refuse what `leerpad check` refuses.

Helpers and the small catalogue come from test_authoring_errors and authoring_fixtures;
those rows run in-process, these in a subprocess each so that a hang or a crash shows.
"""

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from authoring_fixtures import MODULE_MD, MODULE_YML, make_catalogue, module_b, snapshot
from conftest import free_port
from test_authoring_errors import Case, block, both, edit, package, raw_zip

# A hang fails the row; the time itself never does (the machine is shared and loaded).
HANG = 300

MD = "cursus-a/mod-a/module.md"
YML = "cursus-a/mod-a/module.yml"
CHOICE = "```{meerkeuze} mod-a-vraag\npunten: 1\n"
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{','.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)


def choice(fields: str) -> str:
    """A meerkeuze block with other fields."""
    return block(f"{CHOICE}{fields}```\n")


def module_b_zip(name="mod-b.leerpad.zip", **changes):
    return package(name, files=module_b(**changes))


def info(name, mode):
    entry = zipfile.ZipInfo(name)
    entry.create_system = 3
    entry.external_attr = mode << 16
    return entry


def manifest_zip(manifest: bytes, extra=()):
    return raw_zip("mod-b.leerpad.zip", [("leerpad.json", manifest), *extra])


def deep_json() -> bytes:
    """JSON nested 100 000 deep, with random spaces so that it is no zip bomb too."""
    import random

    spaces = random.Random(19).choices([b"", b" ", b"  ", b"\n"], k=100_000)
    return b"".join(b"[" + s for s in spaces) + b"]" * 100_000


def encrypted_zip(name="mod-b.leerpad.zip"):
    """A package whose module.md says it is encrypted (zipfile itself never writes that)."""

    def setup(courses: Path, root: Path):
        package(name)(courses, root)
        data = bytearray((root / name).read_bytes())
        for signature, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = 0
            while (at := data.find(signature, at)) >= 0:
                data[at + flags] |= 0x1
                at += 4
        (root / name).write_bytes(bytes(data))

    return setup


def lying_zip(name="mod-b.leerpad.zip"):
    """A package whose central directory says one file is 10 bytes; it holds 1 MB."""

    def setup(courses: Path, root: Path):
        package(name, files=module_b(**{"mod-b/data.bin": bytes(2**20)}))(courses, root)
        data = bytearray((root / name).read_bytes())
        central = data.rfind(b"PK\x01\x02" + data[data.find(b"PK\x01\x02") + 4 :][:0])
        # patch the uncompressed size of every central-directory entry for data.bin
        at = 0
        while (at := data.find(b"PK\x01\x02", at)) >= 0:
            length = int.from_bytes(data[at + 28 : at + 30], "little")
            if data[at + 46 : at + 46 + length] == b"mod-b/data.bin":
                data[at + 24 : at + 28] = (10).to_bytes(4, "little")
            at += 4
        assert central >= 0
        (root / name).write_bytes(bytes(data))

    return setup


def new_folder(relative: str, files: dict):
    def setup(courses: Path, root: Path):
        for name, text in files.items():
            path = courses / relative / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))

    return setup


def link_out(relative: str):
    """A folder in courses/ that is a link to a folder outside it."""

    def setup(courses: Path, root: Path):
        (root / "elders").mkdir()
        (courses / relative).symlink_to(root / "elders", target_is_directory=True)

    return setup


def latin1(relative: str, old: str, new: str):
    def setup(courses: Path, root: Path):
        path = courses / relative
        path.write_bytes(path.read_text(encoding="utf-8").replace(old, new).encode("latin-1"))

    return setup


PATH_YML = """\
id: pad-a
title: Pad A
goal: Een doel.
audience: [basisonderwijs]
steps: [mod-a, mod-a]
"""
ZIP = ["unpack", "{root}/mod-b.leerpad.zip"]

CASES = [
    # -- block types ----------------------------------------------------------------------
    Case("blok met hoofdletter", ["check"], "onbekend bloktype 'Meerkeuze'", edit(MD, "{meerkeuze}", "{Meerkeuze}")),  # noqa: E501
    Case("blok met spatie", ["check"], "in kleine letters, zonder spaties", edit(MD, "{meerkeuze}", "{meerkeuze }")),  # noqa: E501
    Case("trainerblok met hoofdletter", ["check"], "onbekend bloktype 'Trainer'", block("```{Trainer}\nHet antwoord is Juist.\n```\n")),  # noqa: E501
    Case("blok verkeerd gespeld", ["check"], "bedoelde je {meerkeuze}?", edit(MD, "{meerkeuze}", "{meerkeuse}")),  # noqa: E501
    Case("blok met tildes", ["check"], "onbekend bloktype 'Getal'", block("~~~{Getal} mod-a-x\nvraag: Hoeveel?\nantwoord: 3\n~~~\n")),  # noqa: E501
    Case("blok ingesprongen", ["check"], "onbekend bloktype 'MEERKEUZE'", edit(MD, "```{meerkeuze}", "  ```{MEERKEUZE}")),  # noqa: E501
    Case("id met spatie", ["check"], "is geen geldige id", edit(MD, "mod-a-vraag", "mod-a-vraag extra")),  # noqa: E501
    # -- fields ---------------------------------------------------------------------------
    Case("veld verkeerd gespeld", ["check"], "onbekend veld 'vraaag' in een {meerkeuze}-blok. Oplossing: bedoelde je 'vraag'?", edit(MD, "vraag:", "vraaag:")),  # noqa: E501
    Case("antwoord verkeerd gespeld", ["check"], "bedoelde je 'antwoord'?", edit(MD, "antwoord:", "antwoordt:")),  # noqa: E501
    Case("veld met hoofdletter", ["check"], "onbekend veld 'Vraag'", edit(MD, "vraag:", "Vraag:")),
    Case("feedback verkeerd gespeld", ["check"], "onbekend veld 'feedbak' in een {meerkeuze}-blok. Oplossing: bedoelde je 'feedback'?", choice("vraag: Wat?\nopties: [A, B]\nantwoord: A\nfeedbak: {B: Nee.}\n")),  # noqa: E501
    Case("veld in een vragenreeks", ["check"], "onbekend veld 'vraaag' (onderdeel 1)", block("```{vragenreeks} mod-a-reeks\nvraag: Toets.\nvragen:\n  - soort: meerkeuze\n    vraaag: Wat?\n    opties: [A, B]\n    antwoord: A\n```\n")),  # noqa: E501
    Case("codeveld verkeerd gespeld", ["check"], "bedoelde je 'oplossing'?", block("```{code} mod-a-code\nopdracht: Tel op.\noplosing: x = 1\ntesten: assert x == 1\n```\n")),  # noqa: E501
    Case("veld is geen naam", ["check"], "is geen naam", choice("vraag: Wat?\nopties: [A, B]\nantwoord: A\n1: een\n")),  # noqa: E501
    Case("blok is een lijst", ["check"], "het blok moet velden bevatten", block("```{meerkeuze} mod-a-vraag\n- vraag\n- antwoord\n```\n")),  # noqa: E501
    # -- duplicate keys -------------------------------------------------------------------
    Case("antwoord twee keer", ["check"], "regel 10: veld 'antwoord' staat twee keer (ook op regel 9); alleen het laatste zou tellen", choice("vraag: Wat?\nopties: [A, B]\nantwoord: A\nantwoord: B\n")),  # noqa: E501
    Case("vraag twee keer", ["check"], "veld 'vraag' staat twee keer", choice("vraag: Wat?\nvraag: Of toch?\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("codeveld twee keer", ["check"], "veld 'testen' staat twee keer", block("```{code} mod-a-code\noplossing: x = 1\ntesten: assert x == 1\ntesten: assert True\n```\n")),  # noqa: E501
    Case("metadata twee keer", ["check"], "module.yml: regel 3: veld 'title' staat twee keer (ook op regel 2)", edit(YML, "summary:", "title: Nog een titel\nsummary:")),  # noqa: E501
    # -- anchors and aliases --------------------------------------------------------------
    Case("billion laughs in een blok", ["check"], "YAML-verwijzingen (&naam en *naam) zijn niet toegestaan", choice(LAUGHS + "vraag: Wat?\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("anker in een blok", ["check"], "regel 7: YAML-verwijzingen", choice("vraag: &v Wat?\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("samenvoegen met <<", ["check"], "YAML-verwijzingen", choice("basis: &b {vraag: Wat?}\n<<: *b\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("billion laughs in module.yml", ["check"], "module.yml: regel 18: YAML-verwijzingen", edit(YML, "pupils: false\n", "pupils: false\n" + LAUGHS)),  # noqa: E501
    Case("billion laughs in een leerpad", ["check"], "pad-a.yml: regel 1: YAML-verwijzingen", new_folder("paths", {"pad-a.yml": LAUGHS})),  # noqa: E501
    Case("billion laughs in course.yml", ["check"], "course.yml: regel 5: YAML-verwijzingen", edit("cursus-a/course.yml", "audience: [basisonderwijs]\n", "audience: [basisonderwijs]\n" + LAUGHS)),  # noqa: E501
    # -- values that are not text ---------------------------------------------------------
    Case("datum als vraag", ["check"], "regel 7: hier staat een datum, waar tekst of een getal hoort. Oplossing: zet de datum tussen aanhalingstekens", choice("vraag: 2026-01-15\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("datum als optie", ["check"], "hier staat een datum", choice("vraag: Wanneer?\nopties: [2026-01-15, 2026-02-01]\nantwoord: '2026-01-15'\n")),  # noqa: E501
    Case("datum in een code-opdracht", ["check"], "hier staat een datum", block("```{code} mod-a-code\nopdracht: 2026-01-15\noplossing: x = 1\ntesten: assert x == 1\n```\n")),  # noqa: E501
    Case("ja/nee als vraag", ["check"], "veld 'vraag' moet tekst zijn, niet ja/nee", choice("vraag: yes\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("getal als vraag", ["check"], "veld 'vraag' moet tekst zijn, niet een getal", choice("vraag: 42\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("getallen als tips", ["check"], "veld 'tips' moet tekst zijn", choice("vraag: Wat?\nopties: [A, B]\nantwoord: A\ntips: [1, 2]\n")),  # noqa: E501
    Case("oneindig als antwoord", ["check"], "'.inf' is geen gewoon getal", block("```{getal} mod-a-getal\nvraag: Hoeveel?\nantwoord: .inf\n```\n")),  # noqa: E501
    Case("binaire gegevens", ["check"], "binaire gegevens is geen tekst", choice("vraag: !!binary aGFsbG8=\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("een verzameling", ["check"], "een verzameling (!!set)", choice("vraag: Wat?\nopties: !!set {A, B}\nantwoord: A\n")),  # noqa: E501
    Case("Python-object", ["check"], "de YAML in dit blok klopt niet", choice("vraag: !!python/object/apply:os.system [ls]\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("tab in YAML", ["check"], "de YAML in dit blok klopt niet", choice("vraag: Wat?\n\topties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("lege vraag", ["check"], "regel 7: veld 'vraag' is leeg. Oplossing: schrijf de tekst op dezelfde regel", choice("vraag:\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("lijst als veldnaam", ["check"], "kijk deze regel na (YAML zegt: found unhashable key)", choice("? [a, b]\n: x\nvraag: Wat?\n")),  # noqa: E501
    Case("stappen zijn geen lijst", ["check"], "pad-a.yml: steps: moet een lijst van module-ids zijn", new_folder("paths", {"pad-a.yml": PATH_YML.replace("[mod-a, mod-a]", "mod-a")})),  # noqa: E501
    # -- limits ---------------------------------------------------------------------------
    Case("te diep genest", ["check"], "te diep genest (meer dan 20 niveaus)", choice("vraag: Wat?\nopties: " + "[" * 5000 + "]" * 5000 + "\nantwoord: A\n")),  # noqa: E501
    Case("te groot blok", ["check"], "te veel YAML", choice("vraag: Wat?\nopties: [A, B]\nantwoord: A\ntips: [" + ", ".join(["tip"] * 30000) + "]\n")),  # noqa: E501
    Case("te grote module.md", ["check"], "het bestand is te groot", edit(MD, "# Een kleine module\n", "# Een kleine module\n" + "Tekst. " * 400_000 + "\n")),  # noqa: E501
    # -- files that are not UTF-8 ---------------------------------------------------------
    Case("Latin-1 module.md", ["check"], "module.md: regel 3: het bestand is niet in UTF-8 opgeslagen (byte 0xe9", latin1(MD, "Tekst met", "Tekst mét")),  # noqa: E501
    Case("Latin-1 module.yml", ["check"], "module.yml: regel 2: het bestand is niet in UTF-8", latin1(YML, "Een kleine module", "Een kleine modulé")),  # noqa: E501
    Case("UTF-16 course.yml", ["check"], "course.yml: regel 1: het bestand is niet in UTF-8", new_folder("cursus-a", {"course.yml": "id: cursus-a\n".encode("utf-16")})),  # noqa: E501
    Case("module.md is een map", ["check"], "module.md: regel 1: is een map, geen bestand", both(lambda c, r: (c / MD).unlink(), lambda c, r: (c / MD).mkdir())),  # noqa: E501
    Case("kapotte notebook", ["check"], "kan niet gelezen worden", both(lambda c, r: (c / MD).unlink(), new_folder("cursus-a/mod-a", {"mod-a.ipynb": b"\xff\xfe{kapot"}))),  # noqa: E501
    # -- what the catalogue cannot see ----------------------------------------------------
    Case("module zonder module.yml", ["check"], "mod-c: module.yml: deze module heeft geen module.yml", new_folder("cursus-a/mod-c", {"module.md": "# C\n"})),  # noqa: E501
    Case("cursus zonder course.yml", ["check"], "cursus-b: course.yml: deze map heeft geen course.yml", new_folder("cursus-b/mod-c", {"module.yml": MODULE_YML.replace("mod-a", "mod-c")})),  # noqa: E501
    Case("module twee keer in een leerpad", ["check"], "pad-a.yml: steps[2]: module 'mod-a' staat twee keer in het leerpad (ook bij stap 1)", new_folder("paths", {"pad-a.yml": PATH_YML})),  # noqa: E501
    # -- the commands that publish refuse what check refuses ------------------------------
    Case("release: blok met hoofdletter", ["release", "mod-a"], "leerpad release: niets gepubliceerd", edit(MD, "{meerkeuze}", "{Meerkeuze}")),  # noqa: E501
    Case("release: Latin-1", ["release"], "het bestand is niet in UTF-8", latin1(MD, "Tekst met", "Tekst mét")),  # noqa: E501
    Case("release: onbekende module", ["release", "mod-q"], "Module 'mod-q' bestaat niet; er is niets vrijgegeven. Oplossing: bedoelde je mod-a?"),  # noqa: E501
    Case("site: billion laughs", ["site"], "leerpad site: niets gepubliceerd", choice(LAUGHS + "vraag: Wat?\nopties: [A, B]\nantwoord: A\n")),  # noqa: E501
    Case("site: leerpad met een module twee keer", ["site"], "staat twee keer in het leerpad", new_folder("paths", {"pad-a.yml": PATH_YML})),  # noqa: E501
    Case("preview: verkeerd gespeld veld", ["preview", "mod-a", "--no-browser"], "onbekend veld 'vraaag'", edit(MD, "vraag:", "vraaag:")),  # noqa: E501
    Case("start: module zonder module.yml", ["start"], "leerpad start: niets gepubliceerd", new_folder("cursus-a/mod-c", {"module.md": "# C\n"})),  # noqa: E501
    # -- packages: names ------------------------------------------------------------------
    Case("pakket met .git/hooks", ZIP, "'mod-b/.git/hooks/post-checkout' is een verborgen bestand of map", module_b_zip(**{"mod-b/.git/hooks/post-checkout": "#!/bin/sh\nrm -rf ~\n"})),  # noqa: E501
    Case("pakket met verborgen bestand", ZIP, "'mod-b/.env' is een verborgen bestand", module_b_zip(**{"mod-b/.env": "SECRET=1"})),  # noqa: E501
    Case("pakket met __MACOSX", ZIP, "is een verborgen bestand of map", module_b_zip(**{"mod-b/__MACOSX/robot.png": b"x"})),  # noqa: E501
    Case("naam met regeleinde", ZIP, "'mod-b/a\\nb.png' bevat een onzichtbaar teken", module_b_zip(**{"mod-b/a\nb.png": b"x"})),  # noqa: E501
    Case("naam met stuurcode", ZIP, "bevat een onzichtbaar teken", module_b_zip(**{"mod-b/\x1b[31mrood.png": b"x"})),  # noqa: E501
    Case("naam met RTL-teken", ZIP, "bevat een onzichtbaar teken", module_b_zip(**{"mod-b/foto\u202egnp.py": b"x"})),  # noqa: E501
    Case("naam met backslash", ZIP, "is een absoluut pad", raw_zip("mod-b.leerpad.zip", [("mod-b\\..\\..\\evil.py", b"x")])),  # noqa: E501
    Case("naam met schijfletter", ZIP, "'C:/evil.py' is een absoluut pad", raw_zip("mod-b.leerpad.zip", [("C:/evil.py", b"x")])),  # noqa: E501
    Case("te diep genest pakket", ZIP, "is te diep genest", module_b_zip(**{"mod-b/" + "d/" * 9 + "x.png": b"x"})),  # noqa: E501
    Case("te lange naam", ZIP, "te lange naam", module_b_zip(**{"mod-b/" + "a" * 240 + ".png": b"x"})),  # noqa: E501
    # -- packages: entries that are not plain files ---------------------------------------
    Case("pijp in het pakket", ZIP, "is geen gewoon bestand", raw_zip("mod-b.leerpad.zip", [(info("mod-b/pijp", stat.S_IFIFO | 0o644), b"")])),  # noqa: E501
    Case("link naar een map", ZIP, "is een symbolische link", raw_zip("mod-b.leerpad.zip", [(info("mod-b/img", stat.S_IFLNK | 0o777), b"/etc")])),  # noqa: E501
    Case("versleuteld bestand", ZIP, "is versleuteld", encrypted_zip()),  # noqa: E501
    Case("bestand twee keer", ZIP, "'mod-b/module.md' staat twee keer in het pakket", raw_zip("mod-b.leerpad.zip", [("mod-b/module.md", b"a"), ("mod-b/module.md", b"b")])),  # noqa: E501
    Case("bestand en map met dezelfde naam", ZIP, "kan niet uitgepakt worden", module_b_zip(**{"mod-b/x": b"a", "mod-b/x/y": b"b"})),  # noqa: E501
    # -- packages: sizes ------------------------------------------------------------------
    Case("te veel bestanden", ZIP, "501 bestanden, meer dan 500", raw_zip("mod-b.leerpad.zip", [(f"mod-b/{n}.txt", b"x") for n in range(501)])),  # noqa: E501
    Case("zip liegt over de grootte", ZIP, "beschadigd", lying_zip()),
    Case("afgebroken zip", ZIP, "geen geldig zip-bestand", both(module_b_zip("heel.zip"), lambda c, r: (r / "mod-b.leerpad.zip").write_bytes((r / "heel.zip").read_bytes()[:-40]))),  # noqa: E501
    # -- packages: the manifest -----------------------------------------------------------
    Case("manifest geen JSON", ZIP, "leerpad.json of een bestand is beschadigd", manifest_zip(b"{kapot")),  # noqa: E501
    Case("manifest te diep", ZIP, "te diep genest", manifest_zip(deep_json())),  # noqa: E501
    Case("manifest met vreemde id", ZIP, "'../evil' is geen geldige module-id", manifest_zip(json.dumps({"format": 1, "module": "../evil", "files": {}}).encode())),  # noqa: E501
    Case("manifest met tekst per bestand", ZIP, "'mod-b/module.md' staat niet in leerpad.json", manifest_zip(json.dumps({"format": 1, "module": "mod-b", "files": {"mod-b/module.md": "x"}}).encode(), [("mod-b/module.md", b"x")])),  # noqa: E501
    # -- packages: what check refuses -----------------------------------------------------
    Case("pakket met billion laughs", ZIP, "mod-b/module.yml: regel 18: YAML-verwijzingen", module_b_zip(**{"mod-b/module.yml": MODULE_YML.replace("mod-a", "mod-b") + LAUGHS})),  # noqa: E501
    Case("pakket met blok met hoofdletter", ZIP, "onbekend bloktype 'Meerkeuze'", module_b_zip(**{"mod-b/module.md": MODULE_MD.replace("mod-a", "mod-b").replace("{meerkeuze}", "{Meerkeuze}")})),  # noqa: E501
    Case("pakket in Latin-1", ZIP, "mod-b/module.md: regel 3: het bestand is niet in UTF-8", module_b_zip(**{"mod-b/module.md": MODULE_MD.replace("mod-a", "mod-b").replace("Tekst met", "Tekst mét").encode("latin-1")})),  # noqa: E501
    Case("pakket met verkeerd gespeld veld", ZIP, "bedoelde je 'vraag'?", module_b_zip(**{"mod-b/module.md": MODULE_MD.replace("mod-a", "mod-b").replace("vraag:", "vraaag:")})),  # noqa: E501
    Case("pakket met datum als vraag", ZIP, "hier staat een datum", module_b_zip(**{"mod-b/module.md": MODULE_MD.replace("mod-a", "mod-b").replace("Welk antwoord is juist?", "2026-01-15")})),  # noqa: E501
    Case("pakket zonder module.yml", ZIP, "mod-b/module.yml ontbreekt", module_b_zip(**{"mod-b/module.yml": None})),  # noqa: E501
    Case("link naar buiten de module", ["check"], "robot-link.png: bestand: is een link naar /etc/passwd, buiten de module", lambda c, r: (c / "cursus-a/mod-a/robot-link.png").symlink_to("/etc/passwd")),  # noqa: E501
    Case("release: link naar buiten de module", ["release", "mod-a"], "leerpad release: niets gepubliceerd", lambda c, r: (c / "cursus-a/mod-a/robot-link.png").symlink_to("/etc/passwd")),  # noqa: E501
    Case("pack: module met een link", ["pack", "mod-a", "--out", "{root}"], "robot-link.png: is een link; een pakket bevat alleen gewone bestanden", lambda c, r: (c / "cursus-a/mod-a/robot-link.png").symlink_to("robot.png")),  # noqa: E501
    Case("pakket is een map", ["unpack", "{root}/map.leerpad.zip"], "bestand niet gevonden", lambda c, r: (r / "map.leerpad.zip").mkdir()),  # noqa: E501
    # -- unknown fields in the metadata files ---------------------------------------------
    Case("module.yml: veld verkeerd gespeld", ["check"], "module.yml: titel (regel 18): onbekend veld 'titel'; leerpad leest het niet. Oplossing: bedoelde je 'title'?", edit(YML, "pupils: false\n", "pupils: false\ntitel: Nog een titel\n")),  # noqa: E501
    Case("module.yml: Engels verkeerd gespeld", ["check"], "onbekend veld 'sumary'; leerpad leest het niet. Oplossing: bedoelde je 'summary'?", edit(YML, "summary:", "sumary:")),  # noqa: E501
    Case("module.yml: veld in het Nederlands", ["check"], "duur (regel 7): onbekend veld 'duur'; leerpad leest het niet. Oplossing: bedoelde je 'duration'?", edit(YML, "duration: 30", "duration: 30\nduur: 30")),  # noqa: E501
    Case("module.yml: veld bij een auteur", ["check"], "onbekend veld 'naam' bij auteur 1; leerpad leest het niet. Oplossing: bedoelde je 'name'?", edit(YML, "  - name: An Peeters", "  - name: An Peeters\n    naam: An")),  # noqa: E501
    Case("module.yml: app is geen ja/nee", ["check"], "app (regel 16): moet true of false zijn, niet 'ja'", edit(YML, "app: true", "app: ja")),  # noqa: E501
    Case("release: module.yml verkeerd gespeld", ["release", "mod-a"], "onbekend veld 'pupil'", edit(YML, "pupils:", "pupil:")),  # noqa: E501
    Case("course.yml: veld verkeerd gespeld", ["check"], "course.yml: modulse (regel 5): onbekend veld 'modulse'; leerpad leest het niet. Oplossing: bedoelde je 'modules'?", edit("cursus-a/course.yml", "audience: [basisonderwijs]\n", "audience: [basisonderwijs]\nmodulse: [mod-a]\n")),  # noqa: E501
    Case("leerpad: veld verkeerd gespeld", ["check"], "pad-a.yml: goall (regel 4): onbekend veld 'goall'; leerpad leest het niet. Oplossing: bedoelde je 'goal'?", new_folder("paths", {"pad-a.yml": PATH_YML.replace("goal:", "goal: Een doel.\ngoall:").replace("[mod-a, mod-a]", "[mod-a]")})),  # noqa: E501
    Case("leerpad: veld van een geplande stap", ["check"], "onbekend veld 'titel' bij module 'mod-z'; leerpad leest het niet. Oplossing: bedoelde je 'title'?", new_folder("paths", {"pad-a.yml": PATH_YML.replace("[mod-a, mod-a]", "[mod-a, {id: mod-z, title: Z, titel: Z, duration: 30, digcompedu: ['6.5']}]")})),  # noqa: E501
    # -- links and images the site's strict build would refuse ----------------------------
    Case("link naar een .md-bestand", ["check"], "module.md: regel 3: link 'uitleg.md' wijst naar uitleg.md, dat niet op de website komt", both(new_folder("cursus-a/mod-a", {"uitleg.md": "# Uitleg\n"}), edit(MD, "(uitleg.pdf)", "(uitleg.md)"))),  # noqa: E501
    Case("link naar module.yml", ["check"], "link 'module.yml#id' wijst naar module.yml, dat niet op de website komt", edit(MD, "(uitleg.pdf)", "(module.yml#id)")),  # noqa: E501
    Case("link met titel wijst naar niets", ["check"], "regel 3: link 'uitlegg.pdf' wijst naar niets. Oplossing: bedoelde je 'uitleg.pdf'?", edit(MD, "(uitleg.pdf)", '(uitlegg.pdf "De uitleg")')),  # noqa: E501
    Case("verwijzing wijst naar niets", ["check"], "link 'weg.pdf' wijst naar niets", edit(MD, "[link](uitleg.pdf).", "[link][u].\n\n[u]: weg.pdf")),  # noqa: E501
    Case("afbeelding in een vraag bestaat niet", ["check"], "afbeelding 'robott.png' bestaat niet in de modulemap. Oplossing: bedoelde je 'robot.png'?", edit(MD, "vraag: Welk antwoord is juist?", "vraag: Welk antwoord past bij ![de robot](robott.png)?")),  # noqa: E501
    Case("absolute link", ["check"], "link '/etc/passwd' wijst naar niets", edit(MD, "(uitleg.pdf)", "(/etc/passwd)")),  # noqa: E501
    Case("link tussen < >", ["check"], "een adres tussen < > wordt op de website tekst", edit(MD, "(uitleg.pdf)", "(<uitleg.pdf>)")),  # noqa: E501
    Case("site: link naar een .md-bestand", ["site"], "leerpad site: niets gepubliceerd", both(new_folder("cursus-a/mod-a", {"uitleg.md": "# Uitleg\n"}), edit(MD, "(uitleg.pdf)", "(uitleg.md)"))),  # noqa: E501
    # -- tried as a new author (issue 19, "tried again") ----------------------------------
    Case("module.yml is een map", ["check"], "module.yml: regel 1: is een map, geen bestand", both(lambda c, r: (c / YML).unlink(), lambda c, r: (c / YML).mkdir())),  # noqa: E501
    Case("lege course.yml", ["check"], "course.yml: bestand: moet velden bevatten (naam: waarde), één per regel. Oplossing: schrijf bv. 'id: cursus-a'", new_folder("cursus-a", {"course.yml": ""})),  # noqa: E501
    Case("datum die niet bestaat", ["check"], "module.yml: regel 15: '2026-13-45' is geen bestaande datum", edit(YML, "2026-01-15", "2026-13-45")),  # noqa: E501
    Case("NUL in module.md", ["check"], "module.md: regel 3: het bestand bevat een stuurteken (U+0000)", edit(MD, "Tekst met", "Tekst\x00 met")),  # noqa: E501
    Case("lege module.md", ["check"], "module.md is leeg", new_folder("cursus-a/mod-a", {"module.md": "\n\n"})),  # noqa: E501
    Case("titel met RTL-teken", ["check"], "title (regel 2): bevat een onzichtbaar teken (U+202E, RIGHT-TO-LEFT OVERRIDE)", edit(YML, "title: Een kleine module", "title: Een kleine module \u202egnp.exe")),  # noqa: E501
    Case("titel met nulbreedte-spatie", ["check"], "bevat een onzichtbaar teken (U+200B", edit(YML, "title: Een kleine module", "title: Een klei\u200bne module")),  # noqa: E501
    Case("te lange titel", ["check"], "de titel is 1001 tekens lang (hoogstens 200)", edit(YML, "title: Een kleine module", "title: E" + " lang" * 200)),  # noqa: E501
    Case("leerpad als .yaml", ["check"], "pad-a.yaml: bestand: leerpad leest alleen bestanden die op .yml eindigen", new_folder("paths", {"pad-a.yaml": PATH_YML})),  # noqa: E501
    Case("leerpad met onbekende module", ["check"], "module 'mod-aa' bestaat niet. Oplossing: bedoelde je mod-a?", new_folder("paths", {"pad-a.yml": PATH_YML.replace("[mod-a, mod-a]", "[mod-aa]")})),  # noqa: E501
    Case("modulemap is een link naar buiten", ["check"], "mod-x: map: is een link naar", link_out("cursus-a/mod-x")),  # noqa: E501
    Case("cursusmap is een link naar buiten", ["check"], "cursus-b: map: is een link naar", link_out("cursus-b")),  # noqa: E501
    Case("release: bestandsnaam met regeleinde", ["release", "mod-a"], "de naam 'a\\nb.png' bevat een onzichtbaar teken (U+000A)", new_folder("cursus-a/mod-a", {"a\nb.png": b"x"})),  # noqa: E501
    Case("cohortnaam van één letter", ["cohort", "create", "k"], "'k' is geen geldige cohortnaam. Oplossing: kies 2 tot 41 tekens"),  # noqa: E501
]  # fmt: skip


def test_enough_cases():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def clean_catalogue(tmp_path_factory):
    """The small catalogue, checked once: every row starts from a copy of it."""
    base = tmp_path_factory.mktemp("schoon")
    courses = make_catalogue(base)
    result = run(["check"], base)
    assert result.returncode == 0, result.stdout + result.stderr
    return courses


def run(argv, root: Path) -> subprocess.CompletedProcess:
    return run_with(argv, root, {})


def leerpad_env(root: Path, extra: dict | None = None) -> dict:
    """The environment of a leerpad command on the catalogue and data under `root`."""
    env = {
        **os.environ,
        "LEERPAD_COURSES": str(root / "courses"),
        "LEERPAD_VAR": str(root / "var"),
        "LEERPAD_BUILD": str(root / "build"),
        **{name: str(free_port()) for name in ("PORT", "APPS_PORT", "LAB_PORT", "TRAINER_PORT")},
        **(extra or {}),
    }
    env.pop("LEERPAD_DEBUG", None)
    return env


def run_with(argv, root: Path, extra: dict) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [sys.executable, "-m", "leerpad", *argv],
            cwd=root,
            env=leerpad_env(root, extra),
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"leerpad {' '.join(argv)} hangt (na {HANG} s gestopt)")


@pytest.mark.filterwarnings("ignore:Duplicate name")  # the row that means it
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case, clean_catalogue, tmp_path):
    import shutil

    shutil.copytree(clean_catalogue, tmp_path / "courses")
    # a site that was built before: a refused command leaves it as it was
    (tmp_path / "build" / "site").mkdir(parents=True)
    (tmp_path / "build" / "site" / "index.html").write_text("de vorige website\n")
    if case.setup:
        case.setup(tmp_path / "courses", tmp_path)
    before = snapshot(tmp_path)
    result = run([a.format(root=tmp_path) for a in case.argv], tmp_path)
    text = result.stdout + result.stderr
    assert result.returncode != 0, text
    assert "Traceback" not in text, text
    assert case.expected in text, text
    assert "Oplossing:" in text, "every error says how to fix it"
    assert snapshot(tmp_path) == before, "er werd iets geschreven"


# -- builds are atomic; errors name the real cause ---------------------------------------
def files(folder: Path) -> dict:
    return snapshot(folder) if folder.exists() else {}


def kill_midway(argv, root: Path, started) -> None:
    """Start `leerpad argv` in a process group of its own and kill the group with SIGKILL
    (the command and what it started, as a crash or a closed laptop would) as soon as
    `started(pid)` says it is in the middle of its work."""
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "leerpad", *argv],
        cwd=root,
        env=leerpad_env(root),
        start_new_session=True,
    )
    try:
        while proc.poll() is None and not started(proc.pid):  # no deadline of our own
            time.sleep(0.02)
        assert proc.poll() is None, f"leerpad {' '.join(argv)} was klaar voor hij stopte"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=HANG)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=HANG)


def child_running(pid: int, word: str) -> bool:
    """A process that `pid` started runs with `word` in its command line."""
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(status.read_text().rsplit(")", 1)[1].split()[1])
            if parent == pid and word.encode() in (status.parent / "cmdline").read_bytes():
                return True
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    return False


def leftovers(*folders: Path) -> list[str]:
    """What an interrupted build or release left in these folders (see leerpad.atomic)."""
    from leerpad.atomic import LEFTOVER

    return [
        p.name for folder in folders if folder.is_dir() for p in folder.iterdir()
        if LEFTOVER.match(p.name)
    ]  # fmt: skip


def test_site_killed_midway_leaves_the_previous_site(clean_catalogue, tmp_path):
    """A real `leerpad site`, killed with SIGKILL once it writes the new site: the old site
    is served as it was, and the next build (as `make start` does it) completes."""
    import shutil

    shutil.copytree(clean_catalogue, tmp_path / "courses")
    first = run(["site"], tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    build = tmp_path / "build"
    old_site, old_stamp = files(build / "site"), (build / "site.stamp").read_text()
    assert "index.html" in old_site

    edit(YML, "Een kleine module", "Een vernieuwde module")(tmp_path / "courses", tmp_path)
    env = leerpad_env(tmp_path)
    # killed once MkDocs writes pages of the new site
    kill_midway(["site"], tmp_path, lambda pid: any(build.glob(".site-bouw-*/site/**/*.html")))
    assert files(build / "site") == old_site, "de vorige website is veranderd"
    assert (build / "site.stamp").read_text() == old_stamp
    assert leftovers(build), "the kill came during the build"

    # the next `make start` builds (force=False, as leerpad.platform does): the stamp is stale
    code = (
        "from leerpad.site_build import build_site; "
        "build_site('http://127.0.0.1:1/', 'http://127.0.0.1:2/')"
    )
    again = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=HANG,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert "website bouwen" in again.stdout
    assert (build / "site" / "index.html").exists()
    page = (build / "site" / "modules" / "mod-a" / "index.html").read_text(encoding="utf-8")
    assert "Een vernieuwde module" in page
    assert not leftovers(build), "what the killed build left is cleaned up"
    assert (build / "site.stamp").read_text() != old_stamp


def test_release_killed_midway_leaves_the_previous_release(clean_catalogue, tmp_path):
    """A real `leerpad release`, killed with SIGKILL (with the nbgrader it started) twice:
    while nbgrader makes the learners' version, and while it copies that version into the
    exchange. Apps and JupyterLab keep a whole module each time, never half a new one; the
    stamp stays old, so the next release completes and clears what the kills left."""
    import shutil

    import nbformat

    shutil.copytree(clean_catalogue, tmp_path / "courses")
    release = ["release", "mod-a", "--cohort", "kohort"]
    first = run(release, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    cohort = tmp_path / "var" / "cohorts" / "kohort"
    released = cohort / "release" / "mod-a"  # what the apps (Voilà) serve
    fetched = tmp_path / "var" / "exchange" / "kohort" / "outbound" / "mod-a"  # JupyterLab's
    stamps = cohort / "release-stamps.json"
    old = files(released), files(fetched), stamps.read_text()
    assert "Welk antwoord is juist?" in (released / "mod-a.ipynb").read_text(encoding="utf-8")
    edit(MD, "Welk antwoord is juist?", "Welk antwoord is nu juist?")(tmp_path / "courses", None)

    kill_midway(release, tmp_path, lambda pid: child_running(pid, "generate_assignment"))
    assert (files(released), files(fetched), stamps.read_text()) == old, "half vrijgegeven"

    kill_midway(release, tmp_path, lambda pid: child_running(pid, "release_assignment"))
    nb = nbformat.read(released / "mod-a.ipynb", as_version=4)  # the new version, whole
    assert "Welk antwoord is nu juist?" in "".join(c.source for c in nb.cells)
    assert files(fetched) == old[1], "JupyterLab keeps the previous version whole"
    assert stamps.read_text() == old[2], "not called up to date"
    code = (
        "from leerpad.grading.cohort import Cohort; from leerpad.servers.site import "
        "released_modules; print(released_modules(Cohort('kohort')))"
    )
    listed = subprocess.run(
        [sys.executable, "-c", code], env=leerpad_env(tmp_path), capture_output=True,
        text=True, timeout=HANG, check=True,
    )  # fmt: skip
    assert listed.stdout.strip() == "['mod-a']", listed.stdout

    again = run(release, tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "vrijgegeven: mod-a" in again.stdout
    assert "Welk antwoord is nu juist?" in (fetched / "mod-a.ipynb").read_text(encoding="utf-8")
    folders = cohort, cohort / "source", cohort / "release", fetched.parent
    assert not leftovers(*folders), "what the kills left is cleared by the next release"


def test_a_kill_between_the_two_renames_of_a_swap_is_undone(tmp_path):
    """Killed after the old version stepped aside and before the new one came in: the next
    run puts the old one back (and clears the half-built new one); a live run's folders and
    what is no leftover stay."""
    from leerpad.atomic import remove_leftovers

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True, timeout=HANG)  # fmt: skip
    pid = int(dead.stdout)
    (tmp_path / f".mod-a-oud-{pid}").mkdir()
    (tmp_path / f".mod-a-oud-{pid}" / "mod-a.ipynb").write_text("de vorige versie")
    (tmp_path / f".mod-a-bouw-{pid}-x1y2z3").mkdir()
    (tmp_path / f".mod-b-bouw-{os.getpid()}-a1b2c3").mkdir()  # a release under way
    (tmp_path / ".nbgrader.log").write_text("")
    remove_leftovers(tmp_path)
    assert (tmp_path / "mod-a" / "mod-a.ipynb").read_text() == "de vorige versie"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f".mod-b-bouw-{os.getpid()}-a1b2c3",
        ".nbgrader.log",
        "mod-a",
    ]


def test_read_only_gradebook_names_the_cause(clean_catalogue, tmp_path):
    """A gradebook that cannot be written: the first line says so in Dutch, with SQLite's
    own words, and no traceback (nbgrader's rollback log included)."""
    import shutil

    shutil.copytree(clean_catalogue, tmp_path / "courses")
    assert run(["cohort", "create", "ro"], tmp_path).returncode == 0
    db = tmp_path / "var" / "cohorts" / "ro" / "gradebook.db"
    code = (
        "from leerpad.grading.cohort import Cohort; c = Cohort('ro'); c.gradebook().close(); "
        f"c.update_settings(db_url='sqlite:///file:{db}?mode=ro&uri=true')"
    )
    env = {**os.environ, "LEERPAD_VAR": str(tmp_path / "var")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env["PATH"]
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=HANG)
    result = run(["release", "mod-a", "--cohort", "ro"], tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith(
        "leerpad release: het puntenboek is alleen-lezen (attempt to write a readonly database)."
    ), result.stderr
    assert "Oplossing:" in first

    debug = run(["--debug", "release", "mod-a", "--cohort", "ro"], tmp_path)
    assert "Traceback" in debug.stderr and "readonly database" in debug.stderr


def test_full_disk_names_the_cause(clean_catalogue, tmp_path):
    """A site built onto a full disk (a real 256 kB tmpfs): the cause in Dutch on the first
    line, no traceback, and nothing half-built left behind."""
    import shutil

    shutil.copytree(clean_catalogue, tmp_path / "courses")
    full = tmp_path / "vol"
    full.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(full)], check=True)
    try:
        env = {"LEERPAD_BUILD": str(full / "build")}
        result = run_with(["site"], tmp_path, env)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr, result.stderr
        first = result.stderr.strip().splitlines()[0]
        assert first.startswith("leerpad site: de schijf is vol"), result.stderr
        assert "Oplossing: maak ruimte vrij" in first
        assert list((full / "build").iterdir()) == [], "a failed build leaves nothing behind"
    finally:
        subprocess.run(["umount", str(full)], check=True)
