"""Release modules to a cohort: the source notebook into nbgrader's ``source/``, then
``nbgrader generate_assignment`` (answer keys and solutions out) and ``release_assignment``
(into the exchange, for JupyterLab's assignment list). Unchanged modules are skipped.

The trainer page of each module (its trainer material and answers) is written beside them,
in the cohort's ``trainer/`` folder: the trainer's JupyterLab shows it, learners never get it.
"""

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from leerpad.grading.cohort import Cohort
from leerpad.grading.nbgrader_run import run_nbgrader
from leerpad.widgets.store import write_json_atomic

from leerpad.catalogue import Module
from leerpad.site_build import swap
from leerpad.trainerpage import write_trainer_index, write_trainer_page

STAMP = "release-stamps.json"


def fingerprint(module: Module) -> str:
    digest = hashlib.sha256(nbformat.writes(module.notebook).encode())
    for asset in module.assets():
        digest.update(str(asset.relative_to(module.folder)).encode())
        digest.update(asset.read_bytes())
    # The code that shapes a release counts too: a new leerpad re-releases.
    from leerpad import grading, widgets

    for package in (grading, widgets):
        for path in sorted(Path(package.__path__[0]).glob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()


def release_module(cohort: Cohort, module: Module, force=False) -> bool:
    """Release one module. Returns False when it was already up to date."""
    write_trainer_page(cohort.dir, module)  # cheap, and trainer notes are not in the stamp
    stamps_path = cohort.dir / STAMP
    stamps = json.loads(stamps_path.read_text()) if stamps_path.exists() else {}
    mark = fingerprint(module)
    released = cohort.release_dir / module.id / f"{module.id}.ipynb"
    if not force and stamps.get(module.id) == mark and released.exists():
        return False
    # Built beside its target and swapped in when complete: a release stopped halfway
    # leaves the previous one in place (and no stamp, so the next run releases again).
    (cohort.dir / "source").mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{module.id}-", dir=cohort.dir / "source"))
    staged.chmod(0o755)  # as a folder nbgrader makes
    work = f".vrijgave-{os.getpid()}"
    try:
        nbformat.write(module.notebook, staged / f"{module.id}.ipynb")
        for asset in module.assets():
            target = staged / asset.relative_to(module.folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(asset, target)
        swap(staged, cohort.dir / "source" / module.id)
        with cohort.gradebook() as gb:
            gb.update_or_create_assignment(module.id)
        run_nbgrader(
            cohort.dir,
            "generate_assignment",
            module.id,
            "--force",
            f"--CourseDirectory.release_directory={work}",
        )
        cohort.release_dir.mkdir(exist_ok=True)
        swap(cohort.dir / work / module.id, cohort.release_dir / module.id)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(cohort.dir / work, ignore_errors=True)
    run_nbgrader(cohort.dir, "release_assignment", module.id, "--force")
    stamps[module.id] = mark
    write_json_atomic(stamps_path, stamps)  # last: only a complete release is up to date
    return True


def release_all(cohort: Cohort, modules, force=False, log=print) -> list[str]:
    modules, done = list(modules), []
    for module in modules:
        if release_module(cohort, module, force):
            log(f"  vrijgegeven: {module.id}")
            done.append(module.id)
    write_trainer_index(cohort.dir, modules)
    return done
