"""The grading service: one long-lived process that grades the hand-ins of an app's
"Inleveren" button, with warm workers and a bounded queue.

Before it, each click started a thread that started ``python -m leerpad.grading.engine``:
thirty clicks in ten seconds were thirty Pythons importing nbgrader on two cores. Now
``leerpad start`` starts this service once per cohort (``python -m
leerpad.grading.service <cohort>``). It

- keeps ``workers`` grading processes (the engine's workers, :class:`~leerpad.grading.worker.Grader`
  set up once, from a fork server with nbgrader imported); widget-only hand-ins take the
  fast path there and start no kernel, code runs in the sandboxed kernel as before;
- is the one writer of the gradebook (the engine's :class:`~leerpad.grading.record.Recorder`,
  one thread), then makes the feedback in a worker;
- holds at most ``queue_size`` hand-ins waiting or being graded; a learner who clicks
  again while theirs waits joins it; beyond the bound a hand-in is refused with a Dutch
  message (it stays stored and ``leerpad grade`` grades it).

It listens on a Unix socket in ``var/servers/grading/`` (a folder only its user can open):
the app kernels get its path, sandboxed learner code never sees ``var/``. The protocol is
one JSON line per message: the app sends ``{"learner": ..., "module": ...}``; the service
answers ``{"queued": n}`` (n hand-ins before it) whenever n changes, ``{"grading": true}``
once a worker has it, and ends with ``{"score": s, "max_score": m}``, ``{"error": text}``
or ``{"full": text}``.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

# as in the engine: no IRI grammar compiled in every process for a format no notebook uses
sys.modules.setdefault("rfc3987_syntax", None)

from leerpad.grading import engine  # noqa: E402
from leerpad.grading.engine import Job  # noqa: E402

FULL = (
    "De verbeterdienst heeft nu te veel werk. Je werk is wel ingeleverd en bewaard: "
    "klik over een minuut opnieuw op Inleveren voor je score, of je trainer verbetert het."
)
LONG_PATH = 100  # a Unix socket's path has room for 107 bytes on Linux


class ServiceFull(Exception):
    """The service's queue is full; the message says so in Dutch."""


class ServiceGone(Exception):
    """No grading service answers at the socket."""


def socket_path(cohort_name: str) -> Path:
    """Where the service of a cohort listens (in a folder only this user can open)."""
    from leerpad.paths import var_dir

    return var_dir() / "servers" / "grading" / f"{cohort_name}.sock"


# -- the worker processes (forked from a fork server with nbgrader imported) ---------------
def _start_worker(cohort_dir: str, db_url: str, modules: list[str]) -> None:
    engine._start_worker(cohort_dir, db_url)
    for module in modules:  # the gradebook's source cells, read once now, not at a hand-in
        try:
            engine._grader.notebooks(module)
        except Exception:  # a module not in the gradebook yet: read at its first hand-in
            pass


def _ready() -> int:
    return os.getpid()


# -- the service ---------------------------------------------------------------------------
class GradingService:
    def __init__(self, cohort_dir, workers: int | None = None, queue_size: int = 200):
        from leerpad.grading.worker import load_config

        self.cohort_dir = Path(cohort_dir).resolve()
        config = load_config(self.cohort_dir)
        self.config = config
        self.db_url = config.CourseDirectory.db_url
        self.course_id = config.CourseDirectory.course_id
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.queue_size = queue_size
        self.jobs: dict[tuple[str, str], asyncio.Task] = {}
        self.waiting: list[tuple[str, str]] = []  # in order; the rest of `jobs` is graded now
        self.slots = asyncio.Semaphore(self.workers)
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="gradebook")
        self.recorder = None
        self.pool = None

    def modules(self) -> list[str]:
        release = self.cohort_dir / "release"
        return sorted(p.name for p in release.iterdir() if p.is_dir()) if release.is_dir() else []

    def start_pool(self) -> None:
        """Workers forked from a fork server that imported nbgrader and the widgets once,
        each with its Grader set up; all started now, so the first hand-in finds them warm."""
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["leerpad.grading.worker", "leerpad.grading.fastpath"])
        self.pool = ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(str(self.cohort_dir), self.db_url, self.modules()),
        )
        for future in [self.pool.submit(_ready) for _ in range(self.workers)]:
            future.result()

    # -- the gradebook writer (one thread) -----------------------------------------------
    def _open_recorder(self) -> None:
        from leerpad.grading.record import Recorder

        engine._clean_staging(self.cohort_dir)
        self.recorder = Recorder(self.config, self.cohort_dir, self.db_url, self.course_id)

    def _store(self, job: Job, result: dict) -> None:
        from leerpad.grading.record import update_grading_failures

        self.recorder.begin()
        self.recorder.record(result)  # False: graded meanwhile (leerpad grade); same score
        self.recorder.commit()
        update_grading_failures(self.cohort_dir, {}, [(job.learner, job.module)])

    def _failed(self, job: Job, message: str) -> None:
        from leerpad.grading.record import update_grading_failures

        update_grading_failures(self.cohort_dir, {(job.learner, job.module): message})

    def _score(self, job: Job) -> tuple[float, float]:
        gradebook = self.recorder.gradebook
        gradebook.db.rollback()  # see what was committed since
        submission = gradebook.find_submission(job.module, job.learner)
        return submission.score, submission.max_score

    async def _write(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.writer, function, *args)

    # -- grading ---------------------------------------------------------------------------
    async def _in_pool(self, function, job: Job):
        pool, loop = self.pool, asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(pool, function, job)
        except BrokenProcessPool:  # a worker died (killed, out of memory): start them again
            if self.pool is pool:  # once, not once per hand-in that was under way
                pool.shutdown(wait=False)
                await loop.run_in_executor(None, self.start_pool)
            raise RuntimeError("een verbeterproces stopte onverwacht") from None

    async def grade(self, job: Job) -> tuple[float, float]:
        key = (job.learner, job.module)
        try:
            async with self.slots:
                self.waiting.remove(key)
                _, result, error = await self._in_pool(engine._grade, job)
                if error:
                    await self._write(self._failed, job, error)
                    raise RuntimeError(error)
                await self._write(self._store, job, result)
                _, error = await self._in_pool(engine._feedback, job)
                if error:
                    await self._write(self._failed, job, f"feedback: {error}")
                return await self._write(self._score, job)
        finally:
            if key in self.waiting:
                self.waiting.remove(key)
            self.jobs.pop(key, None)

    def submit(self, learner: str, module: str) -> asyncio.Task:
        """The grading of this hand-in: the one under way, or a new one in the queue."""
        key = (learner, module)
        if key in self.jobs:
            return self.jobs[key]
        if len(self.jobs) >= self.queue_size:
            raise ServiceFull(FULL)
        self.waiting.append(key)
        self.jobs[key] = asyncio.ensure_future(self.grade(Job(learner, module)))
        return self.jobs[key]

    def check(self, learner, module) -> str | None:
        """Why this request cannot be graded, or None."""
        if not isinstance(learner, str) or not isinstance(module, str):
            return "een inlevering heeft een leerling en een module nodig"
        if not engine.handed_in(self.cohort_dir, module, learner) or "/" in learner + module:
            return f"er is geen inlevering van {learner} voor {module}"
        return None

    # -- the socket ------------------------------------------------------------------------
    async def handle(self, reader, writer) -> None:
        def send(message: dict) -> None:
            writer.write(json.dumps(message).encode() + b"\n")

        try:
            request = json.loads(await reader.readline() or b"{}")
            learner, module = request.get("learner"), request.get("module")
            problem = self.check(learner, module)
            if problem:
                send({"error": problem})
                return
            try:
                task = self.submit(learner, module)
            except ServiceFull as full:
                send({"full": str(full)})
                return
            said = None
            while not task.done():
                key = (learner, module)
                now = (
                    {"queued": self.waiting.index(key)}
                    if key in self.waiting
                    else {"grading": True}
                )
                if now != said:
                    send(now)
                    await writer.drain()
                    said = now
                await asyncio.wait([task], timeout=0.2)
            try:
                score, max_score = task.result()
                send({"score": score, "max_score": max_score})
            except Exception as error:
                send({"error": str(error)})
        except (ConnectionError, ValueError, AttributeError):
            pass  # the page went away or sent nonsense; a queued grading goes on
        finally:
            try:
                await writer.drain()
                writer.close()
            except ConnectionError:
                pass

    async def serve(self, path: Path) -> None:
        if not path.parent.exists():  # a folder of its own, that only this user opens;
            path.parent.mkdir(parents=True, mode=0o700)  # never chmod one given (e.g. /tmp)
        path.unlink(missing_ok=True)
        await self._write(self._open_recorder)
        server = await asyncio.start_unix_server(self.handle, path=str(path))
        os.chmod(path, 0o600)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        print(
            f"Verbeterdienst klaar: {self.workers} verbeterprocessen, wachtrij van "
            f"{self.queue_size}, op {path}",
            flush=True,
        )
        async with server:
            await stop.wait()
        path.unlink(missing_ok=True)
        self.pool.shutdown(wait=False, cancel_futures=True)
        await self._write(self.recorder.close)


# -- the client (the app's hand-in bar) ----------------------------------------------------
def grade_by_service(path, module: str, learner: str, on_wait=None, timeout=900):
    """(score, max score) of a hand-in, graded by the service at `path`. `on_wait(n)` is
    called while n hand-ins wait before it, and `on_wait(None)` once it is being graded.
    Raises ServiceGone, ServiceFull, or RuntimeError with the service's Dutch reason."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except OSError as error:
            raise ServiceGone(f"geen verbeterdienst op {path}: {error}") from error
        sock.sendall(json.dumps({"learner": learner, "module": module}).encode() + b"\n")
        for line in sock.makefile("rb"):
            message = json.loads(line)
            if "queued" in message or "grading" in message:
                if on_wait:
                    on_wait(message.get("queued"))
            elif "full" in message:
                raise ServiceFull(message["full"])
            elif "error" in message:
                raise RuntimeError(message["error"])
            elif "score" in message:
                return message["score"], message["max_score"]
    raise ServiceGone(f"de verbeterdienst op {path} stopte zonder antwoord")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leerpad.grading.service")
    parser.add_argument("cohort_dir")
    parser.add_argument("--socket", help="default: var/servers/grading/<cohort>.sock")
    parser.add_argument("--workers", type=int, help="grading processes (default: the cores)")
    parser.add_argument("--queue-size", type=int, default=200)
    args = parser.parse_args(argv)
    cohort_dir = Path(args.cohort_dir).resolve()
    path = Path(args.socket) if args.socket else socket_path(cohort_dir.name)
    if len(str(path)) > LONG_PATH:
        print(
            f"Het pad van de verbeterdienst is te lang voor een Unix-socket ({path}). "
            "Kies een kortere map met LEERPAD_VAR.",
            file=sys.stderr,
        )
        return 2
    service = GradingService(cohort_dir, args.workers, args.queue_size)
    service.start_pool()  # before the event loop and the writer's thread exist
    asyncio.run(service.serve(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
