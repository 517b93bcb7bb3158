"""One grading process: nbgrader's autograde and feedback pipelines, set up once and run on
many hand-ins, without starting nbgrader (or Python) again for each.

The pipelines are nbgrader's own lists of preprocessors, read from the cohort's
``nbgrader_config.py``, with three substitutions:

- ``OverwriteCells`` reads the trusted cells from a copy of the gradebook's source cells
  loaded once per process instead of once per cell;
- ``Execute`` becomes ``ScoreWidgets`` for widget-only notebooks (the fast path: no
  kernel), and ``LearnerCodeExecute`` for the others: only the learner's code runs in the
  sandboxed kernel, the widget cells are scored in this process on both paths;
- ``SaveAutoGrades`` and ``AssignLatePenalties`` become ``CollectGrades``: this process
  computes each grade with nbgrader's ``determine_grade`` and hands them to the one process
  that writes the gradebook (``leerpad.grading.record``).

A grading writes nothing where the trainer looks: the autograded folder is built in a
staging folder; the writer moves it into place and commits the grades.
"""

import json
import os
import shutil
import time
import traceback
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import nbformat
from leerpad.grading.cells import widget_only
from leerpad.grading.fastpath import (
    KeysOfCohort,
    LearnerCodeExecute,
    RecomputeWidgetScores,
    ScoreWidgets,
)
from leerpad.grading.handin import hand_in_lock, not_data
from leerpad.grading.nbgrader_run import grading_environment
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    Execute,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets.config.loader import PyFileConfigLoader

from leerpad.atomic import swap

STAGING = ".leerpad-grading"


class GradingFailure(Exception):
    """A hand-in that cannot be graded, said in Dutch for the trainer. It is recorded as
    failed (``leerpad grade``, the report), never as a score."""


class HandInMissing(GradingFailure):
    """The hand-in is not there, has no notebook, or vanished while it was graded."""


def load_config(cohort_dir, db_url: str | None = None):
    """The cohort's nbgrader configuration, as ``nbgrader`` itself would load it."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(cohort_dir)).load_config()
    if db_url:
        config.CourseDirectory.db_url = db_url
    return config


def kernel_manager_class(config):
    """The kernel manager of the configuration; else the sandbox when it is there."""
    for section in ("Execute", "ExecutePreprocessor", "NotebookClient"):
        if "kernel_manager_class" in config[section]:
            value = config[section]["kernel_manager_class"]
            if isinstance(value, str):
                from traitlets.utils.importstring import import_item

                value = import_item(value)
            return value
    try:
        from leerpad.sandbox import SandboxedKernelManager
    except ImportError:
        from jupyter_client.manager import AsyncKernelManager

        return AsyncKernelManager
    return SandboxedKernelManager


class SourceCells:
    """The trusted cells of one notebook, read from the gradebook once; answers the two
    questions ``OverwriteCells`` asks the gradebook."""

    def __init__(self, gradebook, notebook: str, assignment: str):
        nb = gradebook.find_notebook(notebook, assignment)
        self.kernelspec = json.loads(nb.kernelspec) if nb.kernelspec else None
        fields = ("name", "cell_type", "locked", "checksum", "source")
        self.cells = {
            c.name: SimpleNamespace(**{f: getattr(c, f) for f in fields}) for c in nb.source_cells
        }
        self.graded = {c.name: SimpleNamespace(max_score=c.max_score) for c in nb.grade_cells}
        for c in nb.task_cells:
            self.graded.setdefault(c.name, SimpleNamespace(max_score=c.max_score))

    def find_source_cell(self, grade_id, notebook, assignment):
        if grade_id not in self.cells:
            raise MissingEntry()
        return self.cells[grade_id]

    def find_graded_cell(self, grade_id, notebook, assignment):
        if grade_id not in self.graded:
            raise MissingEntry()
        return self.graded[grade_id]


class CachedOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, reading the source cells from a per-process copy."""

    def preprocess(self, nb, resources):
        if self.add_missing_cells:
            return super().preprocess(nb, resources)  # needs the full gradebook
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.gradebook = resources["leerpad"]["source_cells"]
        return NbGraderPreprocessor.preprocess(self, nb, resources)


class CachedOverwriteKernelspec(OverwriteKernelspec):
    """nbgrader's OverwriteKernelspec, with the source kernelspec from the per-process copy."""

    def preprocess(self, nb, resources):
        kernelspec = resources["leerpad"]["source_cells"].kernelspec
        if kernelspec:
            nb.metadata["kernelspec"] = kernelspec
        return nb, resources


class CollectGrades(NbGraderPreprocessor):
    """What ``SaveAutoGrades`` would store, computed here and kept in the resources."""

    def preprocess(self, nb, resources):
        self.grades, self.comments = {}, {}
        nb, resources = super().preprocess(nb, resources)
        resources["leerpad"]["grades"] = self.grades
        resources["leerpad"]["comments"] = self.comments
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if utils.is_grade(cell):
            self.grades[grade_id] = utils.determine_grade(cell, self.log)[0]
        if utils.is_solution(cell) or utils.is_task(cell):
            unchanged = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
            self.comments[grade_id] = (
                "No response." if unchanged and not utils.is_task(cell) else None
            )
        return cell, resources


class SchemaCheckedOnce(BaseMetadataValidator):
    """The schema part of nbgrader's check of a cell's metadata. nbgrader's
    ``jsonschema.validate`` checks nbgrader's own schema against JSON Schema's metaschema for
    every cell before it checks the cell: half the CPU time of a widget hand-in. Here the
    schema is checked once, when the validator is built, and each cell's metadata against
    it, with the same error (``best_match``); a cell of another schema version goes to
    nbgrader, which says what is wrong."""

    def __init__(self):
        super().__init__()
        schema_class = jsonschema.validators.validator_for(self.schema)
        schema_class.check_schema(self.schema)
        self.checker = schema_class(self.schema)

    def validate_cell(self, cell):
        meta = cell.metadata.get("nbgrader")
        if meta is None or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)
        error = jsonschema.exceptions.best_match(self.checker.iter_errors(meta))
        if error is not None:
            raise error


class Validator(MetadataValidator, SchemaCheckedOnce):
    """nbgrader's MetadataValidator (its checks of versions, grade ids, points, unique
    ids), whose call to the schema check lands on ``SchemaCheckedOnce``."""


class CheckCellMetadataOnce(CheckCellMetadata):
    """nbgrader's CheckCellMetadata with one validator per process."""

    validator = None

    def preprocess(self, nb, resources):
        if CheckCellMetadataOnce.validator is None:
            CheckCellMetadataOnce.validator = Validator()
        try:
            self.validator.validate_nb(nb)
        except ValidationError as err:  # as nbgrader's CheckCellMetadata says it
            self.log.error("".join(traceback.format_exception(err)))
            msg = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(msg)
            raise ValidationError(msg) from err
        return nb, resources


def _replace(steps, old, new):
    """The steps with each `old` (or a subclass of it, such as ``SandboxedExecute`` for
    ``Execute``) replaced by `new`, or left out when `new` is None."""
    replaced = [new if issubclass(step, old) else step for step in steps]
    return [step for step in replaced if step is not None]


def write_notebook(nb, path: Path) -> None:
    """A graded notebook to disk. ``nbformat.write`` checks it against the schema again and
    deep-copies it to split its strings into lines, a tenth of a widget hand-in's time; this
    notebook was read and checked on the way in and changed only by preprocessors, and
    nbformat reads strings whole or split alike."""
    path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n")


class Grader:
    """Grades hand-ins of one cohort, one after another, in this process."""

    def __init__(self, cohort_dir, db_url: str | None = None):
        self.cohort_dir = Path(cohort_dir).resolve()
        self.config = load_config(self.cohort_dir, db_url)
        self.coursedir = CourseDirectory(config=self.config)
        self.coursedir.root = str(self.cohort_dir)
        self.db_url = self.coursedir.db_url
        converter = Autograde(coursedir=self.coursedir, config=self.config)
        self.permissions = int(str(converter.permissions), 8)
        self.exclude_overwriting = converter.exclude_overwriting
        sanitize = _replace(converter.sanitize_preprocessors, OverwriteCells, CachedOverwriteCells)
        sanitize = _replace(sanitize, CheckCellMetadata, CheckCellMetadataOnce)
        self.sanitize = self._build(
            _replace(sanitize, OverwriteKernelspec, CachedOverwriteKernelspec)
        )
        collected = _replace(
            _replace(converter.autograde_preprocessors, SaveAutoGrades, CollectGrades),
            AssignLatePenalties,
            None,
        )
        # Widget cells are scored here from the keys, on both paths: what
        # RecomputeWidgetScores would do again after a kernel run.
        collected = _replace(collected, RecomputeWidgetScores, None)
        collected = _replace(collected, CheckCellMetadata, CheckCellMetadataOnce)
        self.fast = self._build(_replace(collected, Execute, ScoreWidgets))
        self.full = self._build(
            _replace(collected, Execute, LearnerCodeExecute),
            kernel_manager_class=kernel_manager_class(self.config),
            # the notebook has run: stop its kernel at once instead of waiting for it to exit
            shutdown_kernel="immediate",
        )
        for step in self.fast + self.full:
            if isinstance(step, KeysOfCohort):
                step.keys_directory = str(self.cohort_dir / "keys")
        self.staging_root = self.cohort_dir / STAGING / str(os.getpid())
        self._source_cells: dict = {}
        self._notebooks: dict = {}
        self._feedback = None
        clean = grading_environment(self.cohort_dir)
        for name in set(os.environ) - set(clean):
            del os.environ[name]
        os.environ.update(clean)

    def _build(self, classes, **execute_options):
        steps = []
        for cls in classes:
            options = execute_options if issubclass(cls, Execute) else {}
            steps.append(cls(config=self.config, **options))
        return steps

    # -- reading the gradebook (once per process) ----------------------------------------
    def _gradebook(self):
        return Gradebook(self.db_url, course_id=self.coursedir.course_id)

    def notebooks(self, assignment: str) -> list[str]:
        if assignment not in self._notebooks:
            with self._gradebook() as gb:
                names = [nb.name for nb in gb.find_assignment(assignment).notebooks]
                for name in names:
                    self._source_cells[assignment, name] = SourceCells(gb, name, assignment)
            self._notebooks[assignment] = names
        return self._notebooks[assignment]

    # -- grading -------------------------------------------------------------------------
    def grade(self, learner: str, assignment: str) -> dict:
        """Autograde one hand-in into a staging folder; return what the writer records.
        A hand-in that is not there, has no notebook, or is gone by the end raises
        HandInMissing: a failure the trainer sees, never a grade of zero."""
        started = time.perf_counter()
        known = self.notebooks(assignment)
        submitted = Path(
            self.coursedir.format_path(self.coursedir.submitted_directory, learner, assignment)
        )
        staging = self.staging_root / learner / assignment
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        notebooks = self._take_hand_in(submitted, staging, learner, assignment, known)
        result = {"learner": learner, "assignment": assignment, "staging": str(staging)}
        result["notebooks"], fast = {}, []
        for name, nb in notebooks.items():
            nb, resources = self._grade_notebook(nb, staging, learner, assignment, name)
            write_notebook(nb, staging / f"{name}.ipynb")
            result["notebooks"][name] = {
                "grades": resources["leerpad"]["grades"],
                "comments": resources["leerpad"]["comments"],
                "notes": list(nb.metadata.get("leerpad", {}).get("notes", [])),
            }
            fast.append(resources["leerpad"]["fast"])
        if not self._still_there(submitted, learner, assignment):
            raise HandInMissing(
                f"de inlevering van {learner} voor {assignment} verdween tijdens het "
                "verbeteren; er is geen score bewaard. Laat opnieuw inleveren en verbeter "
                "dan opnieuw met leerpad grade."
            )
        for path in staging.rglob("*"):
            if path.is_file():
                path.chmod(self.permissions)
        result["fast"] = bool(fast) and all(fast)
        result["seconds"] = time.perf_counter() - started
        return result

    def _still_there(self, submitted: Path, learner: str, assignment: str) -> bool:
        """Whether the hand-in (or a newer one) is still in place. Asked under the lock:
        while a new hand-in is swapped in, the folder is briefly absent."""
        if not submitted.parent.is_dir():
            return False
        with hand_in_lock(self.cohort_dir, learner, assignment, shared=True):
            return submitted.is_dir()

    def _take_hand_in(self, submitted: Path, staging: Path, learner, assignment, known) -> dict:
        """Copy the hand-in's files to `staging` and read its notebooks, holding the
        hand-in's lock (shared), so that a hand-in swapped in at the same time is read
        either whole or not at all. Returns {notebook name: notebook}."""
        missing = (
            f"de inlevering van {learner} voor {assignment} is er niet (meer); er is geen "
            "score bewaard. Laat opnieuw inleveren en verbeter dan opnieuw met leerpad grade."
        )
        if not submitted.parent.is_dir():
            raise HandInMissing(missing)
        with hand_in_lock(self.cohort_dir, learner, assignment, shared=True):
            if not submitted.is_dir():
                raise HandInMissing(missing)
            self._copy_files(submitted, staging, assignment)
            notebooks, links = {}, set(not_data(submitted))
            for name in known:
                path = submitted / f"{name}.ipynb"
                if "." in links or path.name in links:
                    continue  # a link is no notebook: never read what it points to
                if path.exists():  # a notebook not handed in: the writer gives it zero
                    notebooks[name] = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if not notebooks:
            expected = ", ".join(f"{name}.ipynb" for name in known)
            raise HandInMissing(
                f"de inlevering van {learner} voor {assignment} bevat geen notebook (verwacht: "
                f"{expected}); er is geen score bewaard. Laat opnieuw inleveren."
            )
        return notebooks

    def _copy_files(self, submitted: Path, staging: Path, assignment: str) -> None:
        """As nbgrader's autograde: the learner's other files, then the master copies of the
        source files over them (except those the configuration lets the learner keep)."""
        ignore = self.coursedir.ignore
        links = set(not_data(submitted))  # a hand-in is data: never follow a link
        for filename in utils.find_all_files(str(submitted), ignore + ["*.ipynb"]):
            if "." in links or os.path.relpath(filename, submitted) in links:
                continue  # RefuseLinks notes it in each notebook
            target = staging / os.path.relpath(filename, submitted)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(filename, target)
        source = Path(self.coursedir.format_path(self.coursedir.source_directory, ".", assignment))
        keep = {str(source / x) for x in self.exclude_overwriting.get(assignment, [])}
        for filename in utils.find_all_files(str(source), ignore + ["*.ipynb"]):
            if filename in keep:
                continue
            target = staging / os.path.relpath(filename, source)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.unlink()
            shutil.copy(filename, target)

    def _grade_notebook(self, nb, staging, learner, assignment, name):
        resources = {
            "unique_key": name,
            "output_files_dir": f"{name}_files",
            "metadata": {"name": name, "path": str(staging)},
            "nbgrader": {
                "student": learner,
                "assignment": assignment,
                "notebook": name,
                "db_url": self.db_url,
            },
            "leerpad": {"source_cells": self._source_cells[assignment, name]},
        }
        _, nb = nbformat.validator.normalize(nb)
        nb = nbformat.from_dict(nb)
        for step in self.sanitize:
            nb, resources = step(nb, resources)
        fast = widget_only(nb)
        resources["leerpad"]["fast"] = fast
        with utils.setenv(NBGRADER_EXECUTION="autograde"):
            for step in self.fast if fast else self.full:
                nb, resources = step(nb, resources)
        return nb, resources

    # -- feedback ------------------------------------------------------------------------
    def feedback(self, learner: str, assignment: str) -> None:
        """nbgrader's feedback for a graded hand-in (scores read back from the gradebook)."""
        if self._feedback is None:
            converter = GenerateFeedback(coursedir=self.coursedir, config=self.config)
            exporter = converter.exporter_class(parent=converter, config=converter.config)
            for step in converter.preprocessors:
                exporter.register_preprocessor(step)
            self._feedback = (exporter, int(str(converter.permissions), 8))
        exporter, permissions = self._feedback
        autograded = Path(
            self.coursedir.format_path(self.coursedir.autograded_directory, learner, assignment)
        )
        target = Path(
            self.coursedir.format_path(self.coursedir.feedback_directory, learner, assignment)
        )
        staging = self.staging_root / "feedback" / learner / assignment
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        for filename in utils.find_all_files(str(autograded), self.coursedir.ignore + ["*.ipynb"]):
            dest = staging / os.path.relpath(filename, autograded)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(filename, dest)
        for name in self.notebooks(assignment):
            path = autograded / f"{name}.ipynb"
            if not path.exists():
                continue
            resources = {
                "unique_key": name,
                "output_files_dir": f"{name}_files",
                "metadata": {"name": name, "path": str(autograded)},
                "nbgrader": {
                    "student": learner,
                    "assignment": assignment,
                    "notebook": name,
                    "db_url": self.db_url,
                },
            }
            output, _ = exporter.from_filename(str(path), resources=resources)
            (staging / f"{name}{exporter.file_extension}").write_text(output, encoding="utf-8")
        for path in staging.rglob("*"):
            if path.is_file():
                path.chmod(permissions)
        swap(staging, target)
