"""Build the site: generate Markdown from the catalogue (``leerpad.site``), then let MkDocs
render it. Skipped when nothing that shapes the site has changed."""

import hashlib
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


def build_site(apps_url: str, lab_url: str, force=False, log=print) -> Path:
    from leerpad.site import generate

    out = build_dir()
    site_dir, docs_dir, stamp = out / "site", out / "docs", out / "site.stamp"
    mark = fingerprint(apps_url, lab_url)
    if not force and stamp.exists() and stamp.read_text() == mark and site_dir.exists():
        return site_dir
    log("  website bouwen...")
    generate(docs_dir, apps_url=apps_url, lab_url=lab_url)
    render(docs_dir, site_dir)
    stamp.write_text(mark)
    return site_dir


def render(docs_dir: Path, site_dir: Path) -> None:
    """MkDocs renders the generated pages; mkdocs.yml stays the one configuration."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    config = load_config(
        str(ROOT / "mkdocs.yml"), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True
    )
    try:
        build(config)
    except MkDocsException as err:
        raise SystemExit(f"De website bouwen mislukte: {err}") from err
