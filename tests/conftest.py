"""Shared fixtures: free ports, an isolated platform, a real Chromium."""

import asyncio
import concurrent.futures
import contextlib
import importlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def free_port() -> int:
    """A free port below the ranges Linux hands out by itself (outgoing connections from
    32768, ZeroMQ's kernel ports from 49152): a platform restarted on its ports finds them
    free again, not taken in the meantime by a new kernel or connection."""
    while True:
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


@pytest.fixture(scope="session")
def isolated_env(tmp_path_factory):
    """Environment variables that send all generated data to a temporary folder."""
    base = tmp_path_factory.mktemp("leerpad")
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "LEERPAD_VAR": str(base / "var"),
        "LEERPAD_BUILD": str(base / "build"),
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
    }


@pytest.fixture(scope="session")
def platform(isolated_env):
    """`leerpad start` for real, on free ports; stopped with Ctrl-C (SIGINT) at the end."""
    ports = {name: free_port() for name in ("PORT", "APPS_PORT", "LAB_PORT", "TRAINER_PORT")}
    env = {**isolated_env, **{k: str(v) for k, v in ports.items()}}
    info = {
        "site": f"http://127.0.0.1:{ports['PORT']}",
        "apps": f"http://127.0.0.1:{ports['APPS_PORT']}",
        "lab": f"http://127.0.0.1:{ports['LAB_PORT']}",
        "trainer": f"http://127.0.0.1:{ports['TRAINER_PORT']}",
        "var": Path(env["LEERPAD_VAR"]),
        "env": env,
        "log": Path(env["LEERPAD_VAR"]).parent / "start.log",
    }
    small_class_pools(info["var"])
    launch_platform(info)
    yield info
    stop_process_group(info["proc"])


@contextlib.contextmanager
def leerpad_var(isolated_env: dict, var: Path):
    """This process (and what it starts) uses the isolated environment with `var` as leerpad's
    var/; the environment is as before afterwards. No learner session carries over."""
    session_module = importlib.import_module("leerpad.widgets.session")
    old = dict(os.environ)
    os.environ.update({**isolated_env, "LEERPAD_VAR": str(var)})
    os.environ.pop("LEERPAD_KEYS", None)
    session_module._session = None
    try:
        yield var
    finally:
        session_module._session = None
        os.environ.clear()
        os.environ.update(old)


def run_in_own_loop(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (the browser tests in the
    same session) keeps an event loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def small_class_pools(var: Path) -> None:
    """The apps of a test server grow a module's pool by 2 kernels for a class, not 30: tests
    open a module twice within minutes all the time, and thirty kernels preheating in the
    background would slow every other test down. Voilà reads var/voila.json (its working
    folder); an option on the command line still wins."""
    var.mkdir(parents=True, exist_ok=True)
    (var / "voila.json").write_text('{"AppLimits": {"class_pool": 2}}\n')


def launch_platform(info, cohort="demo", options=()):
    """Start `leerpad start --cohort ... [options]` on the ports and data of `info`, and wait
    until it says it runs; `info` gets the process, the cohort and the trainer token. Returns
    what this start printed."""
    with open(info["log"], "a") as log:  # the child keeps its own handle
        start = log.tell()  # bytes: this start's own lines begin here
        proc = subprocess.Popen(
            [sys.executable, "-m", "leerpad", "start", "--cohort", cohort, *options],
            env=info["env"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # generous: a release of every module takes minutes on a loaded machine
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        text = info["log"].read_bytes()[start:].decode(errors="replace")
        if "leerpad draait" in text:
            break
        if proc.poll() is not None:
            pytest.fail(f"leerpad start stopte:\n{text[-3000:]}")
        time.sleep(0.5)
    else:
        stop_process_group(proc)
        pytest.fail("leerpad start was niet binnen 30 minuten klaar")
    token = (info["var"] / "servers" / "trainer" / "token").read_text().strip()
    info.update(proc=proc, cohort=cohort, trainer_token=token)
    return text


def restart_platform(info, cohort=None):
    """What a trainer does: Ctrl-C, then start again on the same ports and the same data
    (another cohort if named). Other tests see the same `platform`, running again."""
    stop_process_group(info["proc"])
    return launch_platform(info, cohort or info["cohort"])


def stop_process_group(proc):
    """Ctrl-C first, so that leerpad stops its own servers and kernels; then the hard way."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


async def settle(rounds: int = 5) -> None:
    """Let every ready asyncio task take its next steps (the apps server's gate stories)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def missing(reason: str) -> None:
    """A tool a test needs is not installed: under `make test` (LEERPAD_REQUIRE_BROWSER=1,
    which installs everything) that is a failure, elsewhere a skip that names the fix."""
    if os.environ.get("LEERPAD_REQUIRE_BROWSER"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. Fails in CI when missing; skips elsewhere."""
    if not Path(CHROMIUM).exists():
        missing(f"Chromium ontbreekt op {CHROMIUM}: installeer het met apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def uses_platform(test_file: str) -> bool:
    """Whether a test file takes the shared `platform` (a test or a fixture of its asks for it)."""
    text = (ROOT / test_file).read_text(encoding="utf-8")
    return re.search(r"def \w+\([^)]*\bplatform\b", text) is not None


def pytest_xdist_make_scheduler(config, log):
    """For `pytest -n 2` (make test): every file on the shared `platform` runs in one worker,
    in file order, as in one process (they share its demo cohort: a roster one test gives it
    closes it for the next), and the platform starts once; every other file is whole in
    either worker, so its module fixtures are made once. (xdist's loadgroup does not work
    with pytest 9: it renames a node id that pytest no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class SharedPlatformInOneWorker(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            test_file = nodeid.split("::")[0]
            return "platform" if uses_platform(test_file) else test_file

    return SharedPlatformInOneWorker(config, log)
