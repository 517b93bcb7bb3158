"""A small catalogue for the authoring tests: the real frameworks, one course, one module."""

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODULE_YML = """\
id: mod-a
title: Een kleine module
summary: Een module om leerpad check en pack te testen.
goals:
  - Je test leerpad.
duration: 30
level: A2
audience: [basisonderwijs]
digcompedu: ["6.5"]
eindtermen: ["4.4"]
topics: [algoritmen]
licence: CC-BY-4.0
authors:
  - name: An Peeters
last_reviewed: 2026-01-15
app: true
pupils: false
"""

MODULE_MD = """\
# Een kleine module

Tekst met een ![Een robot op een rooster](robot.png) en een [link](uitleg.pdf).

```{meerkeuze} mod-a-vraag
punten: 1
vraag: Welk antwoord is juist?
opties: [Juist, Fout]
antwoord: Juist
feedback:
  Fout: Lees de vraag nog eens.
```
"""

COURSE_YML = """\
id: cursus-a
title: Cursus A
description: Een cursus voor de testen.
audience: [basisonderwijs]
"""

# One transparent pixel, so that the image exists.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da636060606000000005000186a7c31e0000000049454e44ae426082"
)
# A minimal PDF, so that the module links a file the site publishes beside its page.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_catalogue(base: Path) -> Path:
    courses = base / "courses"
    shutil.copytree(ROOT / "courses" / "frameworks", courses / "frameworks")
    (courses / "paths").mkdir()
    module = courses / "cursus-a" / "mod-a"
    module.mkdir(parents=True)
    (courses / "cursus-a" / "course.yml").write_text(COURSE_YML, encoding="utf-8")
    (module / "module.yml").write_text(MODULE_YML, encoding="utf-8")
    (module / "module.md").write_text(MODULE_MD, encoding="utf-8")
    (module / "robot.png").write_bytes(PNG)
    (module / "uitleg.pdf").write_bytes(PDF)
    return courses


def snapshot(base: Path) -> dict:
    """Every file and folder under base, with the hash of each file's content."""
    return {
        str(p.relative_to(base)): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "map"
        )
        for p in sorted(base.rglob("*"))
        if "__pycache__" not in p.parts
    }


def write_package(path: Path, files: dict, module="mod-b", manifest=True, checksums=None):
    """A zip shaped like a leerpad package; files: {name: bytes or str}."""
    data = {n: v.encode("utf-8") if isinstance(v, str) else v for n, v in files.items()}
    listed = {
        n: {"size": len(v), "sha256": (checksums or {}).get(n, hashlib.sha256(v).hexdigest())}
        for n, v in data.items()
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if manifest:
            archive.writestr(
                "leerpad.json", json.dumps({"format": 1, "module": module, "files": listed})
            )
        for name, value in data.items():
            archive.writestr(name, value)
    return path


def module_b(**changes) -> dict:
    """The files of a valid package for a second module, mod-b, with some changed."""
    yml = MODULE_YML.replace("mod-a", "mod-b")
    md = MODULE_MD.replace("mod-a", "mod-b")
    files = {
        "mod-b/module.yml": yml,
        "mod-b/module.md": md,
        "mod-b/robot.png": PNG,
        "mod-b/uitleg.pdf": PDF,
        "mod-b/LICENSE.txt": "CC-BY-4.0\n",
    }
    files.update(changes)
    return {k: v for k, v in files.items() if v is not None}
