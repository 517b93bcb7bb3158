"""Issue 13, page loads: a script that loads an app page over and over (every load starts a
kernel). Prints the kernels and the memory (server RSS, and all kernels together) before,
at the peak and after. Figures only, never asserted (the assertions are in
tests/test_apps_bounded.py).

    .venv/bin/python -m tests.bench.flood_pages [LOADS] [--AppLimits.option=value ...]

The script runs 4 clients at once: two keep their device cookie (one browser), two drop it
on every load (a new device each time), all from 127.0.0.1. None opens a websocket, so the
server frees their kernels after its grace time; the figures after show that.
"""

import sys
import threading
import time
from collections import Counter

import requests

from tests.bench.apps_server import PAGE, kernel_pids, rss_mb, started_apps


def measure(pid: int) -> tuple[int, int, int]:
    """(kernels, server RSS MB, RSS MB of all kernels)."""
    kernels = kernel_pids(pid)
    return len(kernels), rss_mb(pid), sum(rss_mb(k) for k in kernels)


def show(label: str, figures: tuple[int, int, int]) -> None:
    kernels, server, total = figures
    print(f"{label}: {kernels} kernels ({total} MB together), server {server} MB", flush=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    loads = int(argv[0]) if argv and not argv[0].startswith("--") else 100
    options = [a for a in argv if a.startswith("--")]
    with started_apps(options, name="pages") as (url, pid):
        requests.get(url + PAGE, timeout=600)  # the pool is warm, as for a pupil
        time.sleep(5)
        before = measure(pid)
        show("before", before)
        statuses: Counter = Counter()
        peak = [before]
        done = threading.Event()

        def client(keeps_cookie: bool, count: int) -> None:
            session = requests.Session()
            for _ in range(count):
                if not keeps_cookie:
                    session.cookies.clear()
                try:
                    statuses[session.get(url + PAGE, timeout=600).status_code] += 1
                except requests.RequestException as error:
                    statuses[type(error).__name__] += 1

        def watch() -> None:
            while not done.is_set():
                peak.append(measure(pid))
                time.sleep(0.5)

        start = time.monotonic()
        clients = [
            threading.Thread(target=client, args=(n < 2, loads // 4 + (n < loads % 4)))
            for n in range(4)
        ]
        watcher = threading.Thread(target=watch)
        watcher.start()
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        done.set()
        watcher.join()
        print(f"{loads} loads in {time.monotonic() - start:.0f} s: {dict(statuses)}")
        show("peak", max(peak))
        waited = 0
        for seconds in (10, 30, 60):
            time.sleep(seconds - waited)
            waited = seconds
            show(f"{seconds} s after", measure(pid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
