"""The author guide's steps, from `leerpad new module` to a page on the site, run as written."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "site" / "docs" / "gids-auteur.md"
SECTION = "## Stap voor stap: van `leerpad new` tot een pagina op de website"


def guide_steps() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    assert SECTION in text, "the step-by-step section of the author guide is missing"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```bash\n(.*?)^```$", section, re.S | re.M)


def test_guide_steps_are_the_ones_we_expect():
    steps = guide_steps()
    joined = "\n".join(steps)
    assert steps[0].strip() == "source .venv/bin/activate"
    assert "leerpad new module" in joined and "leerpad check" in joined
    assert steps[-1].strip() == "leerpad site"


def test_author_guide_from_new_module_to_published_page(tmp_path):
    """A copy of the catalogue and a working folder like the repository's: courses/ and .venv.
    The shell runs the guide's bash blocks one after the other, exactly as written."""
    shutil.copytree(ROOT / "courses", tmp_path / "courses")
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    env = {
        **os.environ,
        "LEERPAD_COURSES": str(tmp_path / "courses"),
        "LEERPAD_BUILD": str(tmp_path / "build"),
        "LEERPAD_VAR": str(tmp_path / "var"),
        "NO_MKDOCS_2_WARNING": "1",
    }
    script = "set -euo pipefail\n" + "\n".join(guide_steps())
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "OK: geen problemen gevonden." in proc.stdout
    module = tmp_path / "courses" / "computationeel-denken" / "ct-08-mijn-module"
    assert (module / "module.yml").exists() and (module / "module.md").exists()
    modules = tmp_path / "build" / "site" / "modules"
    page = modules / "ct-08-mijn-module" / "index.html"
    assert page.exists(), sorted(p.name for p in modules.iterdir())
    html = page.read_text(encoding="utf-8")
    assert "Mijn eerste module" in html and "Voornaam Naam" in html
    catalogue = (modules / "index.html").read_text(encoding="utf-8")
    assert "ct-08-mijn-module" in catalogue
