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
from pathlib import Path

import nbformat
from leerpad.grading.cohort import Cohort
from leerpad.grading.nbgrader_run import run_nbgrader
from leerpad.widgets.store import write_json_atomic
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment

from leerpad.atomic import remove_leftovers, staging, swap
from leerpad.catalogue import Module
from leerpad.paths import exchange_dir
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
    # Built beside its target and swapped in when complete (leerpad.atomic): a release
    # stopped halfway leaves the previous one in place (and no stamp, so the next run
    # releases again); what it left behind is hidden, and cleared here.
    remove_leftovers(*release_folders(cohort))
    staged = staging(cohort.dir / "source", module.id)
    staged.chmod(0o755)  # as a folder nbgrader makes
    work = f".vrijgave-bouw-{os.getpid()}"
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


def release_folders(cohort: Cohort) -> list[Path]:
    """Where a release writes: nbgrader's source and release folders and the exchange."""
    outbound = exchange_dir() / cohort.name / "outbound"
    return [cohort.dir, cohort.dir / "source", cohort.release_dir, outbound]


class AtomicReleaseAssignment(ExchangeReleaseAssignment):
    """nbgrader's release into the exchange, whole or not at all: JupyterLab's assignment
    list never offers half a module (nbgrader itself deletes the old copy, then copies)."""

    def copy_files(self):
        dest = Path(self.dest_path)
        if dest.is_dir() and not self.force:
            self.fail(f"{dest} bestaat al; geef --force om te vervangen.")
        shared = self.coursedir.groupshared
        staged = staging(dest.parent, dest.name)
        shutil.rmtree(staged)  # do_copy makes the folder itself
        try:
            self.do_copy(self.src_path, str(staged))
            self.set_perms(  # as nbgrader's own release sets them
                str(staged),
                fileperms=0o644 | (0o020 if shared else 0),
                dirperms=0o755 | (0o2020 if shared else 0),
            )
            swap(staged, dest)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
        self.log.info("Released as: %s %s", self.coursedir.course_id, self.coursedir.assignment_id)


def release_all(cohort: Cohort, modules, force=False, log=print) -> list[str]:
    modules, done = list(modules), []
    for module in modules:
        if release_module(cohort, module, force):
            log(f"  vrijgegeven: {module.id}")
            done.append(module.id)
    write_trainer_index(cohort.dir, modules)
    return done
