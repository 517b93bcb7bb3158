"""Grade a cohort's hand-ins: on every core, with a progress bar, resumable.

The main process finds what is left to grade (``pending``: from the gradebook and the
hand-ins' timestamps, nothing else), hands the hand-ins to a pool of worker processes
(``leerpad.grading.worker.Grader``: nbgrader's pipelines, set up once per process) and is
the only one that writes the gradebook (``leerpad.grading.record.Recorder``). Feedback is
made by the workers once a grade is stored. Killed at any point, a new run picks up what
has no stored grade yet; nothing is graded twice.
"""

import argparse
import ctypes
import multiprocessing
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# jsonschema (nbformat's validator) loads an optional IRI checker that compiles a grammar on
# import: a second of CPU in every grading process, for a format no notebook uses.
sys.modules.setdefault("rfc3987_syntax", None)

from leerpad.grading.record import (  # noqa: E402
    graded_timestamps,
    read_timestamp,
    same_time,
    update_grading_failures,
)

BAR_WIDTH = 30


@dataclass(frozen=True)
class Job:
    learner: str
    module: str
    grade: bool = True  # False: graded already, only the feedback is missing


@dataclass
class Summary:
    graded: list = field(default_factory=list)  # (learner, module, fast)
    notes: dict = field(default_factory=dict)  # (learner, module) -> the grading's notes
    feedback: int = 0
    failed: list = field(default_factory=list)  # (learner, module, message)
    ungraded: dict = field(default_factory=dict)  # (learner, module) -> why grading failed
    skipped: int = 0  # graded meanwhile by another grader
    handed_in: int = 0  # hand-ins found (graded before or now)
    to_grade: int = 0  # of those, not graded yet when this run started

    @property
    def graded_before(self) -> int:
        """Hand-ins graded before this run: by the app at hand-in, or by an earlier run."""
        return self.handed_in - self.to_grade

    @property
    def ok(self) -> bool:
        return not self.failed


def handed_in(cohort_dir, module=None, learner=None) -> list[Path]:
    """The cohort's hand-in folders (``submitted/<learner>/<module>``), or one module's or
    one learner's."""
    found = []
    for folder in sorted((Path(cohort_dir) / "submitted").glob("*/*")):
        who, what = folder.parent.name, folder.name
        if not folder.is_dir() or what.startswith(".") or (module and what != module):
            continue
        if not learner or who == learner:
            found.append(folder)
    return found


def pending(
    cohort_dir, db_url: str, course_id: str, module=None, learner=None, feedback=True
) -> list[Job]:
    """Hand-ins whose grade or feedback is missing or older than the hand-in."""
    from nbgrader.api import Gradebook

    cohort_dir = Path(cohort_dir)
    with Gradebook(db_url, course_id=course_id) as gb:
        recorded = graded_timestamps(gb, module)
    jobs = []
    for folder in handed_in(cohort_dir, module, learner):
        who, what = folder.parent.name, folder.name
        stamp = read_timestamp(folder)
        autograded = cohort_dir / "autograded" / who / what
        if stamp is None:
            graded = autograded.is_dir()
        else:
            graded = read_timestamp(autograded) == stamp and same_time(
                recorded.get((who, what)), stamp
            )
        if not graded:
            jobs.append(Job(who, what))
        elif feedback and read_timestamp(cohort_dir / "feedback" / who / what) != stamp:
            jobs.append(Job(who, what, grade=False))
    return jobs


class Progress:
    """``[####......] 37/200 ingeleverd werk verbeterd`` on stderr."""

    def __init__(self, total: int, out=None):
        # sys.stderr as it is now (a test may have swapped it since this module loaded)
        out = sys.stderr if out is None else out
        self.total, self.done, self.out = total, 0, out
        self.live = hasattr(out, "isatty") and out.isatty()

    def step(self, n=1):
        self.done += n
        filled = BAR_WIDTH * self.done // max(self.total, 1)
        line = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total}"
        line += " ingeleverd werk verbeterd"
        print(("\r" + line) if self.live else line, end="" if self.live else "\n", file=self.out)
        self.out.flush()

    def say(self, text: str):
        print(("\r" if self.live else "") + text, file=self.out, flush=True)

    def close(self):
        if self.live:
            print(file=self.out, flush=True)


# -- worker processes -----------------------------------------------------------------
_grader = None


def _die_with_parent():
    """A worker whose grader is killed stops too (Linux); no orphans keep grading."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start_worker(cohort_dir, db_url):
    global _grader
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process
    from leerpad.grading.worker import Grader

    _grader = Grader(cohort_dir, db_url)


def _grade(job: Job):
    try:
        return job, _grader.grade(job.learner, job.module), None
    except Exception as err:  # one broken hand-in must not stop the others
        return job, None, _describe(err)


def _feedback(job: Job):
    try:
        _grader.feedback(job.learner, job.module)
        return job, None
    except Exception as err:
        return job, _describe(err)


def _describe(err: BaseException) -> str:
    from leerpad.grading.worker import GradingFailure

    if isinstance(err, GradingFailure):
        return str(err)  # already said in Dutch, for the trainer
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0] if text else ''}".strip()


def _clean_staging(cohort_dir: Path):
    """Remove staging folders of graders that no longer run."""
    from leerpad.grading.worker import STAGING

    root = cohort_dir / STAGING
    for folder in root.glob("*") if root.is_dir() else []:
        try:
            os.kill(int(folder.name), 0)
        except (ValueError, ProcessLookupError):
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass


# -- the run --------------------------------------------------------------------------
def grade(
    cohort_dir,
    module: str | None = None,
    learner: str | None = None,
    jobs: int | None = None,
    db_url: str | None = None,
    feedback: bool = True,
    out=None,
    commit_every: float | None = None,
) -> Summary:
    """Grade every hand-in of the cohort (or of one module/learner) that needs it."""
    from leerpad.grading.record import Recorder
    from leerpad.grading.worker import load_config

    cohort_dir = Path(cohort_dir).resolve()
    config = load_config(cohort_dir, db_url)
    db_url = config.CourseDirectory.db_url
    course_id = config.CourseDirectory.course_id
    todo = pending(cohort_dir, db_url, course_id, module, learner, feedback)
    summary = Summary(handed_in=len(handed_in(cohort_dir, module, learner)))
    summary.to_grade = sum(1 for j in todo if j.grade)
    if not todo:
        return summary
    _clean_staging(cohort_dir)
    progress = Progress(sum(1 for j in todo if j.grade) or len(todo), out)
    processes = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    recorder = Recorder(config, cohort_dir, db_url, course_id)
    try:
        if processes == 1:
            _run_here(cohort_dir, db_url, todo, recorder, summary, progress, feedback, commit_every)
        else:
            _run_pool(
                cohort_dir, db_url, todo, processes, recorder, summary, progress, feedback,
                commit_every,
            )  # fmt: skip
    finally:
        recorder.close()
        progress.close()
        graded = [(learner, module) for learner, module, _ in summary.graded]
        update_grading_failures(cohort_dir, summary.ungraded, graded)
    return summary


class Batch:
    """Graded hand-ins stored together: one gradebook commit per second at most, so the
    writer keeps up with the workers. Feedback starts after the commit (it reads the
    gradebook)."""

    SECONDS = 1.0

    def __init__(self, recorder, summary, progress, on_stored, seconds=None):
        self.recorder, self.summary, self.progress = recorder, summary, progress
        self.seconds = self.SECONDS if seconds is None else seconds
        self.on_stored = on_stored
        self.jobs, self.started = [], None

    def add(self, job, result):
        if self.started is None:
            self.recorder.begin()
            self.started = time.monotonic()
        if self.recorder.record(result):
            notes = [n for nb in result["notebooks"].values() for n in nb.get("notes", [])]
            self.jobs.append((job, result["fast"], notes))
        else:
            self.summary.skipped += 1
        if time.monotonic() - self.started >= self.seconds:
            self.close()

    def close(self):
        if self.started is None:
            return
        self.recorder.commit()
        self.started = None
        for job, fast, notes in self.jobs:
            self.summary.graded.append((job.learner, job.module, fast))
            self.summary.notes[job.learner, job.module] = notes
        self.progress.step(len(self.jobs))
        stored, self.jobs = self.jobs, []
        for job, *_ in stored:
            self.on_stored(job)


def _note_failure(job, message, summary, progress, counted=True):
    """`counted`: the grading itself failed (not only the feedback): no score is stored,
    and the failure is kept for the report until a later grading succeeds."""
    summary.failed.append((job.learner, job.module, message))
    progress.say(f"MISLUKT: {job.learner} {job.module}: {message}")
    if counted:
        summary.ungraded[job.learner, job.module] = message
        progress.step()


def _run_here(cohort_dir, db_url, todo, recorder, summary, progress, feedback, commit_every):
    from leerpad.grading.worker import Grader

    grader = Grader(cohort_dir, db_url)

    def make_feedback(job):
        if not feedback:
            return
        try:
            grader.feedback(job.learner, job.module)
            summary.feedback += 1
        except Exception as err:
            _note_failure(job, f"feedback: {_describe(err)}", summary, progress, counted=False)

    batch = Batch(recorder, summary, progress, make_feedback, commit_every)
    for job in todo:
        if not job.grade:
            make_feedback(job)
            continue
        try:
            result = grader.grade(job.learner, job.module)
        except Exception as err:
            _note_failure(job, _describe(err), summary, progress)
            continue
        batch.add(job, result)
        batch.close()  # one process: store each before its feedback


def _run_pool(
    cohort_dir, db_url, todo, processes, recorder, summary, progress, feedback, commit_every
):
    # Fork: the workers start with nbgrader and the widgets imported already.
    context = multiprocessing.get_context("fork")
    recorder.gradebook.engine.dispose()  # no database connection crosses the fork
    with context.Pool(processes, _start_worker, (str(cohort_dir), db_url)) as pool:
        waiting = [pool.apply_async(_feedback, (job,)) for job in todo if not job.grade]

        def make_feedback(job):
            if feedback:
                waiting.append(pool.apply_async(_feedback, (job,)))

        batch = Batch(recorder, summary, progress, make_feedback, commit_every)
        try:
            for job, result, error in pool.imap_unordered(_grade, [j for j in todo if j.grade]):
                if error:
                    _note_failure(job, error, summary, progress)
                else:
                    batch.add(job, result)
        finally:
            batch.close()
        for task in waiting:
            job, error = task.get()
            if error:
                _note_failure(job, f"feedback: {error}", summary, progress, counted=False)
            else:
                summary.feedback += 1


def report(summary: Summary, seconds: float, out=None) -> None:
    out = sys.stdout if out is None else out
    fast = sum(1 for *_, f in summary.graded if f)
    print(
        f"{len(summary.graded)} verbeterd ({fast} via het snelle pad voor widgets), "
        f"{len(summary.failed)} mislukt, {summary.feedback} feedback gemaakt "
        f"in {seconds:.1f} s.",
        file=out,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leerpad.grading.engine")
    parser.add_argument("cohort_dir")
    parser.add_argument("module", nargs="?")
    parser.add_argument("--learner")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--db-url")
    parser.add_argument("--no-feedback", action="store_true")
    parser.add_argument(
        "--commit-every", type=float, help="seconds between gradebook commits (default: 1)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = grade(
        args.cohort_dir,
        args.module,
        args.learner,
        args.jobs,
        args.db_url,
        not args.no_feedback,
        commit_every=args.commit_every,
    )
    report(summary, time.perf_counter() - started)
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
