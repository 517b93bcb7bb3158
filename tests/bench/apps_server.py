"""The apps server for the floods in tests/bench (and the kernel count for their tests): the
gallery module released into a temporary cohort, the server started as `leerpad start` does
(Platform.start_apps), and what it holds measured from /proc."""

import os
import socket
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

MODULE = "galerij-oefentypes"


def page_of(module: str) -> str:
    return f"/voila/render/{module}/{module}.ipynb"


PAGE = page_of(MODULE)


def rss_mb(pid: int) -> int:
    """Resident memory of one process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def kernel_pids(server_pid: int) -> list[int]:
    """The kernels an apps server runs: its ipykernel child processes."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        parent = next((ln.split()[1] for ln in status.splitlines() if ln.startswith("PPid:")), "")
        if parent == str(server_pid) and b"ipykernel" in cmdline:
            pids.append(int(entry))
    return pids


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, in seconds; 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def browser_pids(ancestor: int) -> list[int]:
    """The Chromium processes below `ancestor` (Playwright's browser and its renderers)."""
    parents, names = {}, {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{entry}/status").read_text().splitlines()
        except OSError:
            continue
        names[int(entry)] = status[0].split(":", 1)[1].strip()
        ppid = next((ln.split()[1] for ln in status if ln.startswith("PPid:")), "0")
        parents[int(entry)] = int(ppid)

    def below(pid):
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == ancestor:
                return True
        return False

    return [pid for pid, name in names.items() if "chrom" in name and below(pid)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports():
    """Ports for a whole platform (site, apps, lab, trainer), each free."""
    from leerpad.platform import Ports

    return Ports(site=free_port(), apps=free_port(), lab=free_port(), trainer=free_port())


def pss_mb(pid: int) -> int:
    """Proportional memory of one process (its shared pages split among their users), MB."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


@contextmanager
def started_apps(options=(), name="flood", module=MODULE):
    """(url, server pid) of an apps server on one released module (the gallery's by
    default); stopped afterwards."""
    os.environ["LEERPAD_VAR"] = tempfile.mkdtemp(prefix=f"leerpad-{name}-")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.release import release_module

    from leerpad.catalogue import Catalogue
    from leerpad.platform import Platform

    cohort = Cohort(name).create()
    release_module(cohort, Catalogue().modules[module])
    ports = free_ports()
    platform = Platform(ports, name)
    platform.start_apps(cohort, options=options)
    try:
        platform.wait_until_listening(names=("apps",))
        yield f"http://127.0.0.1:{ports.apps}", platform.processes[0][1].pid
    finally:
        platform.stop()
