"""The full site build (generate the pages, then mkdocs build --strict) for the catalogue,
topped up with synthetic modules to 20: issue 6 targets under 15 s for 20 modules.

Synthetic modules are copies of the real ones under new ids, in a temporary courses folder;
``courses/`` itself is not touched. Notebooks are not executed during the build."""

import shutil
import tempfile
import time
from pathlib import Path

import yaml

from leerpad.catalogue import Catalogue
from leerpad.paths import courses_dir

TARGET_MODULES = 20
TARGET_SECONDS = 15


def synthetic_courses(target: Path, modules: int = TARGET_MODULES) -> Catalogue:
    """A copy of courses/ with copies of its modules added until there are ``modules``."""
    shutil.copytree(courses_dir(), target)
    real = list(Catalogue(target).modules.values())
    for number in range(len(real), modules):
        source = real[number % len(real)]
        new_id = f"bench-{number + 1:02d}-{source.id}"[:60]
        folder = source.folder.parent / new_id
        shutil.copytree(source.folder, folder)
        meta = {**source.meta, "id": new_id, "title": f"{source.title} (kopie {number + 1})"}
        (folder / "module.yml").write_text(
            yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        notebook = folder / f"{source.id}.ipynb"
        if notebook.exists():
            notebook.rename(folder / f"{new_id}.ipynb")
    return Catalogue(target)


def build(catalogue: Catalogue, out: Path) -> float:
    from leerpad.site import generate

    from leerpad.site_build import render

    start = time.perf_counter()
    generate(out / "docs", catalogue=catalogue)
    render(out / "docs", out / "site")
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="leerpad-bench-site-") as tmp:
        tmp = Path(tmp)
        real = Catalogue()
        seconds = build(real, tmp / "real")
        print(f"site: {len(real.modules)} modules, build {seconds:.1f} s (the catalogue as it is)")
        catalogue = synthetic_courses(tmp / "courses")
        if catalogue.problems:
            raise SystemExit("\n".join(str(p) for p in catalogue.problems))
        seconds = build(catalogue, tmp / "synthetic")
        print(
            f"site: {len(catalogue.modules)} modules, build {seconds:.1f} s "
            f"(target < {TARGET_SECONDS} s)"
        )


if __name__ == "__main__":
    main()
