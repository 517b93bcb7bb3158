"""`make bench`'s class figures in their quick mode (a handful of learners): each figure
line is produced, with its load average. Times are printed, never judged here."""

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.servers, pytest.mark.browser]

NUMBER = r"\d+(\.\d+)?"
LOAD = rf"load {NUMBER} {NUMBER} {NUMBER}"


def quick_bench(name: str, isolated_env) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", f"tests.bench.{name}"],
        cwd=ROOT,
        env={**isolated_env, "LEERPAD_BENCH_QUICK": "1"},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(proc.stdout)
    return proc.stdout.splitlines()


def test_handin_lines_compare_the_service_with_a_process_per_click(isolated_env):
    lines = quick_bench("bench_handin", isolated_env)
    lines = [line for line in lines if line.startswith("handin:")]
    assert len(lines) == 2, lines  # widget-only and with code
    for line in lines:
        assert re.search(rf"verbeterdienst p50 {NUMBER} s, p95 {NUMBER} s \(n=4\)", line), line
        assert re.search(rf"vroeger .* p50 {NUMBER} s, p95 {NUMBER} s \(n=4\)", line), line
        assert len(re.findall(LOAD, line)) == 2, line  # the load at each of the two runs


def test_apps_and_memory_lines(isolated_env, browser):
    """The old behaviour and the class pool side by side: each has its warm line, its class
    line on devices of their own (protocol-level learners and one quiet Chromium), its line
    of Chromiums on this machine and its memory line; the class pool also says what it holds
    before the class."""
    lines = quick_bench("bench_apps", isolated_env)
    apps = [line for line in lines if line.startswith("apps:")]
    memory = [line for line in lines if line.startswith("memory:")]
    assert len(apps) == 6 and len(memory) == 3, lines
    for label, (warm, devices, opened) in zip(
        ("vroeger", "klaspool"), (apps[:3], apps[3:]), strict=True
    ):
        assert all(line.startswith(f"apps: [{label}") for line in (warm, devices, opened))
        assert re.search(rf"warm, een voor een: mediaan {NUMBER} s", warm), apps
        assert re.search(rf"waarvan de browser {NUMBER} s", warm), apps
        assert re.search(rf"dezelfde browser \(zijn cache\) mediaan {NUMBER} s", warm), apps
        server = rf"eigen toestel: de server .* p50 {NUMBER} s, p95 {NUMBER} s \(n=\d\), \d mis"
        assert re.search(server, devices), apps
        if label == "klaspool":  # with the class pool every learner got her widgets' state
            assert re.search(r"\(n=3\), 0 mislukt", devices), apps
        assert re.search(rf"samen p95 ongeveer {NUMBER} s", devices), apps
        every = rf"3 Chromiums .*: p50 {NUMBER} s, p95 {NUMBER} s \(n=3\), 0 zonder"
        assert re.search(every, opened), apps  # every learner got a working app
        assert re.search(rf"van de server binnen p50 {NUMBER} s, p95 {NUMBER} s", opened), apps
        assert re.search(r"CPU: server en kernels \d+ s, browsers \d+ s", opened), apps
    prepared = r"memory: \[klaspool.*klaar voor de klas: (\d+) kernels, PSS samen \d+ MB"
    found = re.search(prepared, memory[1])
    assert found and int(found.group(1)) >= 1 + 2 * 2 + 3, memory  # its own, 2×2 warm, 3
    for line in (memory[0], memory[2]):
        assert re.search(r"RSS mediaan \d+ MB .* PSS mediaan \d+ MB", line), memory
        assert re.search(r"kernels weg na \d+ s", line), memory  # closed pages free them
    assert all(re.search(LOAD, line) for line in apps + memory), lines


def test_start_lines_compare_the_old_preheating_with_the_path_order(isolated_env, browser):
    """A second start, old preheating and leerpad's side by side: each line says when the
    servers listened and when a learner's app was usable, for the path's first module and
    for one at its end."""
    lines = [line for line in quick_bench("bench_start", isolated_env) if line.startswith("start:")]
    assert len(lines) == 2, lines
    for label, line in zip(("vroeger", "nu"), lines, strict=True):
        assert line.startswith(f"start: [{label}"), line
        assert re.search(rf"alle servers luisteren na {NUMBER} s", line), line
        usable = rf"pad \(\S+\) na {NUMBER} s, .* achteraan \(\S+\) na {NUMBER} s"
        assert re.search(usable, line), line
        assert re.search(LOAD, line), line
