"""Build the site: generate Markdown from the catalogue (``leerpad.site``), then let MkDocs
render it. Skipped when nothing that shapes the site has changed.

The build is atomic (``leerpad.atomic``): it happens in a hidden folder beside
``build/site`` and is swapped in only when complete, and the stamp that says "fresh" is
written last. A build that is stopped halfway leaves the previous site serving, and the next
build starts again.
"""

import hashlib
import logging
import shutil
from pathlib import Path

from leerpad.atomic import remove_leftovers, staging, swap, write_atomic
from leerpad.paths import ROOT, build_dir, courses_dir

INPUTS = ("site", "mkdocs.yml")


def fingerprint(*extra: str) -> str:
    digest = hashlib.sha256("\n".join(extra).encode())
    roots = [courses_dir(), *(ROOT / name for name in INPUTS)]
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_site(apps_url: str, lab_url: str, force=False, log=print, catalogue=None) -> Path:
    """The site in build/site, built only from a catalogue that `leerpad check` accepts."""
    from leerpad.check import gate
    from leerpad.site import generate

    out = build_dir()
    site_dir, docs_dir, stamp = out / "site", out / "docs", out / "site.stamp"
    mark = fingerprint(apps_url, lab_url)
    fresh = stamp.exists() and stamp.read_text() == mark
    if not force and fresh and (site_dir / "index.html").exists():
        return site_dir
    catalogue = gate("leerpad site", catalogue)
    log("  website bouwen...")
    remove_leftovers(out)
    work = staging(out, "site")
    try:
        generate(work / "docs", apps_url=apps_url, lab_url=lab_url, catalogue=catalogue)
        render(work / "docs", work / "site")
        swap(work / "docs", docs_dir)
        swap(work / "site", site_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_atomic(stamp, mark)  # last: only a complete site is ever called fresh
    return site_dir


def render(docs_dir: Path, site_dir: Path) -> None:
    """MkDocs renders the generated pages; mkdocs.yml stays the one configuration."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config = load_config(
        str(ROOT / "mkdocs.yml"), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True
    )
    warnings = Warnings()
    logging.getLogger("mkdocs").addHandler(warnings)
    try:
        build(config)
    except MkDocsException as err:
        said = "".join(f"\n  {w}" for w in warnings.messages)
        raise SystemExit(
            f"De website bouwen mislukte: {err}{said}\nOplossing: los op wat MkDocs meldt; "
            "de vorige website blijft intussen staan."
        ) from err
    finally:
        logging.getLogger("mkdocs").removeHandler(warnings)


class Warnings(logging.Handler):
    """What MkDocs warns about: in strict mode the reason a build stops."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())
