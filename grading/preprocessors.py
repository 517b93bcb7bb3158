"""nbgrader preprocessors that leerpad adds to nbgrader's own pipelines.

One transformation per preprocessor, as in nbgrader itself.
"""

import functools
import json
import os
import shutil
import time
from pathlib import Path
from queue import Empty

from jupyter_core.utils import ensure_async, run_sync
from leerpad.grading.cells import add_note, cell_name, cell_role, split_keys
from leerpad.widgets.store import read_answers, write_json_atomic
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Float, Integer, Unicode, default


class StripAnswerKeys(NbGraderPreprocessor):
    """Move exercise answer keys out of the released notebook into the key store."""

    keys_directory = Unicode(
        "", help="Folder where answer keys are kept, one JSON file per assignment."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self.keys = {}
        nb, resources = super().preprocess(nb, resources)
        if self.keys and self.keys_directory:
            assignment = resources["nbgrader"]["assignment"]
            path = Path(self.keys_directory) / f"{assignment}.json"
            existing = json.loads(path.read_text()) if path.exists() else {}
            notebook = resources["nbgrader"]["notebook"]
            existing = {k: v for k, v in existing.items() if v.get("notebook") != notebook}
            for exercise_id, key in self.keys.items():
                existing[exercise_id] = {**key, "notebook": notebook}
            write_json_atomic(path, existing)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            where = f"{resources['nbgrader']['notebook']}.ipynb, cel {index + 1}"
            cell.source, keys = split_keys(cell.source, where)
            self.keys.update(keys)
        return cell, resources


class RemoveTrainerCells(NbGraderPreprocessor):
    """Leave cells tagged ``trainer`` out of the released notebook.

    leerpad's own source notebooks hold no trainer material (``Module.notebook``); this guards
    a notebook a trainer put in ``source/`` by hand, for example through formgrader."""

    def preprocess(self, nb, resources):
        from leerpad.authoring import without_trainer_cells

        return without_trainer_cells(nb), resources


class CleanAuthoredMarkdown(NbGraderPreprocessor):
    """Authored text is text: the released notebook's Markdown cells hold no raw HTML and no
    script links, so Voilà and JupyterLab show what the author wrote (see leerpad.markup)."""

    def preprocess_cell(self, cell, resources, index):
        from leerpad.markup import clean_markdown

        if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = clean_markdown(cell.source)
        return cell, resources


class FillOpenAnswers(NbGraderPreprocessor):
    """Put the learner's open answers (kept by the widgets in ``leerpad-answers.json``) into
    their manually graded cells, so that the trainer reads them in formgrader."""

    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path", "."))
        self.answers = read_answers(folder, log=self.log)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade"):
            state = self.answers.get(meta.get("grade_id"), {})
            text = state.get("answer") if isinstance(state, dict) else None
            if isinstance(text, str) and text.strip():
                cell.source = text
        return cell, resources


# -- grading learner code safely ------------------------------------------------------------
# Each step below leaves a Dutch note for the trainer in the notebook's metadata
# (``leerpad.notes``); ShowGradingNotes puts them on top of the graded notebook, so they show
# in formgrader and in the feedback, and ``grading_notes`` reads them for the command line.

NOT_RUN = "NietUitgevoerd"


def grading_notes(notebook_path) -> list[str]:
    """The notes the grading left in an autograded notebook."""
    import nbformat

    path = Path(notebook_path)
    if not path.exists():
        return []
    nb = nbformat.read(path, as_version=4)
    return list(nb.metadata.get("leerpad", {}).get("notes", []))


def not_run_output(reason: str):
    """An error output: a grade cell that did not run earns nothing."""
    import nbformat

    return nbformat.v4.new_output("error", ename=NOT_RUN, evalue=reason, traceback=[reason])


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in the sandbox (``SandboxedKernelManager``, whose
    kernels start through ``leerpad.sandbox.SandboxProvisioner``).

    When the learner's code kills the kernel, or a cell keeps running after the interrupt,
    the remaining cells are not run: they get an error output (a grade cell earns nothing)
    and the notebook gets a note, instead of the whole hand-in failing.
    """

    interrupt_grace = Float(
        5.0, help="Seconds an interrupted kernel gets to answer before it is stopped."
    ).tag(config=True)

    @default("error_on_timeout")
    def _error_on_timeout_default(self):
        text = f"de cel stopte niet binnen {self.timeout} seconden"
        return {
            "ename": "CellTimeoutError",
            "evalue": text,
            "traceback": [f"CellTimeoutError: {text} en werd onderbroken (een oneindige lus?)."],
        }

    def __init__(self, *args, **kwargs):
        from leerpad.sandbox import SandboxedKernelManager

        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources, *args, **kwargs):
        self.stopped = None
        return super().preprocess(nb, resources, *args, **kwargs)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if judged_by_runner(cell):  # JudgeCodeTests does; its tests never enter the kernel
            cell.outputs, cell.execution_count = [], None
            return cell, resources
        if self.stopped:
            cell.outputs = [not_run_output(self.stopped)]
            return cell, resources
        provisioner = getattr(self.km, "provisioner", None)
        if getattr(provisioner, "sandboxed", True) is False:
            from leerpad.sandbox import bwrap_problem, warning_without_sandbox

            add_note(self.nb, warning_without_sandbox(bwrap_problem(provisioner.bwrap)), self.log)
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            cell.outputs.append(not_run_output("De Python-kernel stopte."))
            return self.stop(
                cell,
                index,
                f"De code in {cell_name(cell, index)} heeft de Python-kernel gestopt (of te veel "
                "geheugen gebruikt). De cellen daarna zijn niet uitgevoerd en leveren geen "
                "punten op.",
            )
        except CellTimeoutError:  # not even the output after the interrupt came
            cell.outputs.append(nbformat_output("error", **self.error_on_timeout))
            return self.stop(cell, index, self.stuck_note(cell, index))
        timed_out = any(o.get("ename") == "CellTimeoutError" for o in cell.outputs)
        if timed_out and not self.kernel_answers():
            return self.stop(cell, index, self.stuck_note(cell, index))
        return cell, resources

    @staticmethod
    def stuck_note(cell, index):
        return (
            f"De code in {cell_name(cell, index)} liet zich niet onderbreken na de tijdslimiet; "
            "de kernel is gestopt en de cellen daarna leveren geen punten op."
        )

    def stop(self, cell, index, note):
        """Stop the kernel; the cells after this one are not run."""
        self.stopped = f"Niet uitgevoerd: de kernel is gestopt bij {cell_name(cell, index)}."
        add_note(self.nb, note, self.log)
        run_sync(self.km.shutdown_kernel)(now=True)
        return cell, self.resources

    def kernel_answers(self) -> bool:
        """Whether the kernel, interrupted after a timeout, answers again."""

        async def ask():
            msg_id = self.kc.kernel_info()
            deadline = time.monotonic() + self.interrupt_grace
            while (left := deadline - time.monotonic()) > 0:
                try:
                    reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
                except Empty:
                    return False
                if reply["parent_header"].get("msg_id") == msg_id:
                    return True
            return False

        return run_sync(ask)()


# What learner code runs into inside the sandbox, by error name: (pattern in the error
# message or "", Dutch note). The first match wins.
CONTAINED_ERRORS = [
    (
        "CellTimeoutError",
        "",
        "stopte niet binnen de tijdslimiet en werd onderbroken (een oneindige lus?).",
    ),
    ("MemoryError", "", "vroeg meer geheugen dan de sandbox toelaat en werd gestopt."),
    (
        "BlockingIOError",
        "temporarily unavailable",
        "probeerde te veel processen te starten (een fork-bom?); de sandbox liet dat niet toe.",
    ),
    ("OSError", "File too large", "schreef een te groot bestand; de sandbox liet dat niet toe."),
    (
        "ConnectionRefusedError",
        "",
        "probeerde een netwerkverbinding te openen; de sandbox heeft geen netwerk.",
    ),
    (
        "OSError",
        "Network is unreachable",
        "probeerde een netwerkverbinding te openen; de sandbox heeft geen netwerk.",
    ),
    ("gaierror", "", "probeerde een netwerkverbinding te openen; de sandbox heeft geen netwerk."),
    (
        "FileNotFoundError",
        "'/",
        "probeerde een bestand buiten de eigen inzending te openen; in "
        "de sandbox bestaat het niet (andere inzendingen, bronnen en het puntenboek zijn "
        "afgeschermd).",
    ),
    (
        "PermissionError",
        "",
        "probeerde iets buiten de eigen inzending te openen of te wijzigen; de sandbox weigerde.",
    ),
    (
        "OperationalError",
        "unable to open database",
        "probeerde een database buiten de eigen inzending te openen (het puntenboek?); in de "
        "sandbox bestaat ze niet.",
    ),
    (
        "OSError",
        "Read-only file system",
        "probeerde een afgeschermd bestand te wijzigen; de sandbox weigerde.",
    ),
]


class ExplainContainment(NbGraderPreprocessor):
    """A Dutch note for every cell whose code ran into a limit of the sandbox."""

    def preprocess(self, nb, resources):
        self.nb = nb
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.output_type != "error":
                continue
            for ename, pattern, text in CONTAINED_ERRORS:
                if output.ename == ename and pattern in str(output.get("evalue", "")):
                    add_note(self.nb, f"De code in {cell_name(cell, index)} {text}", self.log)
                    break
        return cell, resources


class LimitOutputSize(NbGraderPreprocessor):
    """Cut text outputs to a size a person can read (nbgrader's LimitOutput counts lines,
    and a single line can be hundreds of megabytes)."""

    max_characters = Integer(20_000, help="Characters kept of each text output of a cell.").tag(
        config=True
    )

    def preprocess(self, nb, resources):
        self.nb = nb
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        cut = False
        for output in cell.outputs:
            if output.output_type == "stream" and len(output.text) > self.max_characters:
                output.text = output.text[: self.max_characters] + "\n… (uitvoer ingekort)"
                cut = True
            for mime, value in dict(output.get("data", {})).items():
                if isinstance(value, str) and len(value) > self.max_characters:
                    output.data[mime] = value[: self.max_characters] + "\n… (uitvoer ingekort)"
                    cut = True
        if cut:
            add_note(
                self.nb,
                f"De code in {cell_name(cell, index)} gaf zeer veel uitvoer; die is ingekort tot "
                f"{self.max_characters} tekens.",
                self.log,
            )
        return cell, resources


class ClearGradingNotes(NbGraderPreprocessor):
    """Start with no notes: a hand-in cannot bring its own."""

    def preprocess(self, nb, resources):
        nb.metadata.get("leerpad", {}).pop("notes", None)
        nb.cells = [c for c in nb.cells if not c.metadata.get("leerpad_notes")]
        return nb, resources


class RefuseLinks(NbGraderPreprocessor):
    """A hand-in is data, not links. nbgrader copies the learner's other files with
    ``shutil.copy``, which follows a link (to the keys, the gradebook, the cohort secret):
    what was a link in the hand-in is removed from the grading folder before any learner
    code runs, a notebook that was a link is graded empty, and the trainer gets a note."""

    def preprocess(self, nb, resources):
        from leerpad.grading.handin import not_data, note_not_data

        info = resources.get("nbgrader", {})
        grading = Path(resources.get("metadata", {}).get("path", "."))
        submitted = self._submitted(grading, info)
        if submitted is None or grading.resolve() == submitted.resolve():
            return nb, resources  # only copies are cleaned; the hand-in stays as it came
        left_out = not_data(submitted)
        notebook = f"{info.get('notebook')}.ipynb"
        if left_out == ["."] or notebook in left_out:
            nb.cells = []
        for name in left_out if left_out != ["."] else []:
            copy = grading / name
            if copy.is_dir() and not copy.is_symlink():
                shutil.rmtree(copy, ignore_errors=True)
            elif (copy.exists() or copy.is_symlink()) and name != notebook:
                copy.unlink()
        if left_out:
            add_note(nb, note_not_data(left_out), self.log)
        return nb, resources

    def _submitted(self, grading: Path, info: dict) -> Path | None:
        """The hand-in folder this notebook was graded from (``submitted/<learner>/<module>``
        next to the grading folder's ``autograded`` or the engine's staging)."""
        learner, assignment = info.get("student"), info.get("assignment")
        if not learner or not assignment:
            return None
        for parent in grading.parents:
            candidate = parent / "submitted" / learner / assignment
            if os.path.lexists(candidate):
                return candidate
        return None


class NoteChangedCells(NbGraderPreprocessor):
    """A note for every locked or grade cell the learner changed. nbgrader's OverwriteCells
    (which runs next) puts the original back; this only tells the trainer."""

    def preprocess(self, nb, resources):
        from nbgrader.preprocessors import ClearHiddenTests

        hide = ClearHiddenTests(parent=self)  # the delimiters as configured
        begin, end = hide.begin_test_delimeter, hide.end_test_delimeter
        self.nb = nb
        self.sources = {
            grade_id: (locked, released_source(source, begin, end))
            for grade_id, (locked, source) in source_cells(resources).items()
        }
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        locked, source = self.sources.get(meta.get("grade_id"), (False, None))
        if source is None or meta.get("solution"):
            return cell, resources
        if locked or meta.get("grade"):
            if cell.source.strip() != source.strip():
                add_note(
                    self.nb,
                    f"Een vergrendelde cel ({cell_name(cell, index)}) was gewijzigd in de "
                    "inzending; de originele cel is teruggezet en zo verbeterd.",
                    self.log,
                )
        return cell, resources


def source_cells(resources) -> dict:
    """{grade_id: (locked, source)} of the notebook's cells as the gradebook keeps them;
    from the grading process's copy when there is one (``leerpad.grading.worker``)."""
    cached = resources.get("leerpad", {}).get("source_cells")
    if cached is not None:
        return {name: (c.locked, c.source) for name, c in cached.cells.items()}
    from nbgrader.api import Gradebook

    info = resources["nbgrader"]
    with Gradebook(info["db_url"]) as gb:
        notebook = gb.find_notebook(info["notebook"], info["assignment"])
        return {c.name: (c.locked, c.source) for c in notebook.source_cells}


def hide_hidden_tests(clear, cell):
    """`cell` without its hidden tests, through nbgrader's ClearHiddenTests (`clear`) as the
    release runs it; a cell here may hold tests without being a grade cell."""
    clear.enforce_metadata = False
    cell, _resources = clear.preprocess_cell(cell, {}, 0)
    return cell


@functools.lru_cache(maxsize=4096)
def released_source(source: str, begin: str, end: str) -> str:
    """A source cell as released: its hidden tests (between `begin` and `end`) taken out."""
    from nbgrader.preprocessors import ClearHiddenTests

    released = nbformat_cell(source)
    return hide_hidden_tests(
        ClearHiddenTests(begin_test_delimeter=begin, end_test_delimeter=end), released
    ).source


def nbformat_cell(source):
    import nbformat

    return nbformat.v4.new_code_cell(source)


def nbformat_output(kind, **fields):
    import nbformat

    return nbformat.v4.new_output(kind, **fields)


class HideHiddenTests(NbGraderPreprocessor):
    """For the feedback: take the hidden tests out of every cell, as the release does, and
    the tracebacks of those cells too (a traceback quotes the test that failed). Hidden
    tests never leave the grader, not even in nbgrader's own feedback files."""

    def preprocess_cell(self, cell, resources, index):
        from nbgrader.preprocessors import ClearHiddenTests

        hide = ClearHiddenTests(parent=self)  # the delimiters as configured
        before = cell.source
        if cell.cell_type == "code" and hide_hidden_tests(hide, cell).source != before:
            failed = any(o.output_type == "error" for o in cell.get("outputs", []))
            cell.outputs = [o for o in cell.outputs if o.output_type != "error"]
            if failed:
                cell.outputs.append(
                    nbformat_output("stream", name="stdout", text="Niet alle testen slaagden.\n")
                )
        return cell, resources


class ShowGradingNotes(NbGraderPreprocessor):
    """Put the grading notes on top of the graded notebook, for formgrader and feedback."""

    def preprocess(self, nb, resources):
        import nbformat

        notes = nb.metadata.get("leerpad", {}).get("notes", [])
        if notes:
            lines = "\n".join(f"- {note}" for note in notes)
            cell = nbformat.v4.new_markdown_cell(
                f"### Opmerkingen bij het verbeteren\n\n{lines}",
                metadata={"leerpad_notes": True},
            )
            cell["id"] = "leerpad-opmerkingen"
            nb.cells.insert(0, cell)
        return nb, resources


# -- test cells of learner code, judged by the code exercises' runner ------------------------
NOT_PASSED = "TestNietGeslaagd"


def judged_by_runner(cell) -> bool:
    """An autograder test cell of learner code (a ``{code}`` block's tests): judged by the
    runner, never in the kernel. A widget's ``score('id')`` cell is scored on the grader
    from the answers and the keys (``leerpad.grading.fastpath``)."""

    meta = cell.metadata.get("nbgrader", {})
    return (
        cell.cell_type == "code"
        and bool(meta.get("grade"))
        and not meta.get("solution")
        and cell_role(cell) != "score"
    )


def as_python(source: str) -> str:
    """A cell as plain Python: IPython's ``%`` and ``!`` lines become calls (which fail in
    the runner's plain Python, on their own line, as a cell that fails)."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return TransformerManager().transform_cell(source)
    except (SyntaxError, ValueError):  # a learner's broken indentation, as Python reads it:
        return source  # the runner reports it, and that cell's tests fail, not the grading


class JudgeCodeTests(NbGraderPreprocessor):
    """Judge every test cell of learner code with the runner of the code exercises.

    nbgrader would run a test cell in the kernel that ran the learner's code, where that code
    can swallow a failed assert (``get_ipython().set_custom_exc``) or replace what the tests
    use. Here the learner's cells before the test cell run in fresh, limited Pythons in the
    sandbox (``leerpad.widgets.coding.run_python``), which only give the values the asserts
    need; the runner judges them. The cell's outputs become that verdict: none when it
    passes, one error output in Dutch when it fails, so that nbgrader's ``SaveAutoGrades``
    (or leerpad's ``CollectGrades``) scores it. Hidden tests go in as hidden: only True or
    False comes back."""

    cell_timeout = Integer(
        60, help="Seconds each learner cell may run before it is interrupted (as in a kernel)."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        from nbgrader.preprocessors import ClearHiddenTests

        self.nb, self.code = nb, []
        self.hidden_marker = ClearHiddenTests(parent=self).begin_test_delimeter
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        if judged_by_runner(cell):
            cell.outputs = self.verdict_outputs(cell, index)
        elif self._is_learner_code(cell):
            self.code.append(as_python(cell.source))
        return cell, resources

    @staticmethod
    def _is_learner_code(cell) -> bool:
        """Cells that ran before the test in the notebook, except leerpad's widget cells
        (scored on the grader) and the tests."""

        return cell_role(cell) is None

    def verdict_outputs(self, cell, index) -> list:
        """The test cell's outputs: none when every test passes (all points); else, for a
        cell of several tests (one per assert, ``split_tests``), what each named test did
        and the points for the share that passed (nbgrader's partial credit: the number in
        an ``execute_result``), and an error when none passed or the cell is one test."""
        from leerpad.widgets.coding import split_tests, test_name, test_report

        tests = split_tests(cell.source)
        hidden = self.hidden_marker in cell.source  # split tests no longer hold the marker
        failures = self.judge(tests, index, cell, hidden)
        passed = [failure is None for failure in failures]
        if all(passed):
            return []
        if len(tests) == 1:
            return [not_passed_output(failures[0])]
        points = float(cell.metadata["nbgrader"].get("points", 0))
        score = round(points * sum(passed) / len(tests), 2)
        lines = test_report([test_name(test) for test in tests], passed, score, points)
        report = nbformat_output("stream", name="stdout", text="\n".join(lines) + "\n")
        if not any(passed):
            return [report, not_passed_output(next(f for f in failures if f))]
        partial = nbformat_output(
            "execute_result",
            data={"text/plain": repr(score)},
            metadata={},
            execution_count=cell.get("execution_count"),
        )
        return [report, partial]

    def judge(self, tests: list[str], index: int, cell, hidden: bool) -> list[str | None]:
        """Per test: None when its asserts pass, else why not (Dutch). One runner judges
        them all; hidden tests come back as True or False only."""
        from leerpad.widgets.coding import run_python, test_plan

        for source in tests:
            reason = test_plan(source)["unjudgeable"]
            if reason:
                add_note(
                    self.nb,
                    f"De testen in {cell_name(cell, index)} kan de runner niet beoordelen: "
                    f"{reason}. Ze leveren geen punten op; pas de module aan.",
                    self.log,
                )
                return [f"Deze testen kunnen niet beoordeeld worden: {reason}."] * len(tests)
        timeout = self.cell_timeout * (len(self.code) + 1) + 5
        outcome = run_python(
            self.code, tests, timeout, show_output=not hidden, cell_timeout=self.cell_timeout
        )
        if outcome["timeout"]:
            return ["De code stopte niet binnen de tijdslimiet (een oneindige lus?)."] * len(tests)
        if outcome.get("crashed") or len(outcome["tests"]) != len(tests):
            return ["De code stopte Python onverwacht (te veel geheugen?)."] * len(tests)
        return [self.reason(verdict, hidden) for verdict in outcome["tests"]]

    @staticmethod
    def reason(verdict, hidden: bool) -> str | None:
        from leerpad.widgets.coding import friendly

        if hidden:
            return None if verdict is True else "Niet alle testen slaagden."
        if verdict is None:
            return None
        if verdict["type"] == "AssertionError":
            return "Niet alle testen slaagden."
        return "Niet alle testen slaagden: " + friendly(verdict, in_test=True)


def not_passed_output(reason: str):
    """The one output of a test cell that failed: an error, so it earns nothing."""
    return nbformat_output(
        "error",
        ename=NOT_PASSED,
        evalue=reason,
        traceback=[f"{reason} (beoordeeld door de testrunner van leerpad)"],
    )
