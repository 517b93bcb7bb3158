"""Build the site: generate Markdown from the catalogue (``leerpad.site``), then let MkDocs
render it. Skipped when nothing that shapes the site has changed.

The build is atomic: it happens in a temporary folder beside ``build/site`` and is swapped
in only when complete, and the stamp that says "fresh" is written last. A build that is
stopped halfway leaves the previous site serving, and the next build starts again.
"""

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

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
    out.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    work = Path(tempfile.mkdtemp(prefix=f".bouw-{os.getpid()}-", dir=out))
    try:
        generate(work / "docs", apps_url=apps_url, lab_url=lab_url, catalogue=catalogue)
        render(work / "docs", work / "site")
        swap(work / "docs", docs_dir)
        swap(work / "site", site_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_atomic(stamp, mark)  # last: only a complete site is ever called fresh
    return site_dir


def remove_leftovers(out: Path) -> None:
    """What a stopped build left behind (its folders carry its process id)."""
    for folder in [*out.glob(".bouw-*"), *out.glob(".*-oud-*")]:
        pid = folder.name.split("-")[-1 if "-oud-" in folder.name else 1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap(new: Path, target: Path) -> None:
    """Put the folder `new` in the place of `target`; the old one goes only after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-oud-{os.getpid()}")
        os.rename(target, old)
    os.rename(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


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
