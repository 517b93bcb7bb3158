"""A second start of the platform: the trainer's laptop restarts `leerpad start` on a
cohort it served before (its modules released, its site built). Times from the start until
every server listens (the banner) and until a learner's app is usable in Chromium (its first
"Controleer" button on screen): the path's first module, and a module at the end of the
path, opened by learners who come right after the banner while the apps server preheats a
kernel for every module. Side by side, one start after the other on the same cohort: the
old preheating (every module's kernel at once, at the server's CPU priority) and leerpad's
(leerpad.servers.apps.PreheatGate: one at a time in path order, a learner's module skips the
line, kernels yield the CPU to the server).

    make bench
    .venv/bin/python -m tests.bench.bench_start

Prints ``start: ...`` lines with the load average; never asserts a time.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.apps_server import free_ports, page_of
from tests.bench.figures import load

OPEN_TIMEOUT = 600_000  # ms


def platform_class():
    from leerpad.platform import Platform

    class BenchPlatform(Platform):
        """The platform as `leerpad start` runs it, with extra options for its apps server."""

        app_options: tuple = ()

        def start_apps(self, cohort, name="apps", options=()):
            super().start_apps(cohort, name, [*options, *self.app_options])

    return BenchPlatform


def usable(browser, url: str, module: str, started: float) -> float:
    """Seconds from `started` until the module's first exercise can be checked."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        page.goto(url + page_of(module), timeout=OPEN_TIMEOUT, wait_until="commit")
        button = page.locator(".leerpad-exercise").first.get_by_role("button", name="Controleer")
        button.wait_for(timeout=OPEN_TIMEOUT)
        return time.monotonic() - started
    finally:
        page.close()


def start_once(label: str, options: tuple, browser, modules: tuple[str, str]) -> None:
    platform = platform_class()(free_ports(), "start")
    platform.app_options = options
    started = time.monotonic()
    try:
        cohort = platform.prepare(log=lambda *a, **k: None)
        prepared = time.monotonic() - started
        platform.start_servers(cohort)
        platform.wait_until_listening()
        banner = time.monotonic() - started
        url = platform.urls()["apps"]
        first, last = (usable(browser, url, module, started) for module in modules)
        print(
            f"start: [{label}] tweede start: klaargezet na {prepared:.1f} s, alle servers "
            f"luisteren na {banner:.1f} s; bruikbare app, eerste module van het pad "
            f"({modules[0]}) na {first:.1f} s, daarna een module achteraan ({modules[1]}) "
            f"na {last:.1f} s (vanaf de start); {os.cpu_count()} kernen; {load()}",
            flush=True,
        )
    finally:
        platform.stop()


def main() -> None:
    from leerpad.grading.cohort import Cohort
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    os.environ["LEERPAD_VAR"] = tempfile.mkdtemp(prefix="leerpad-start-")
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    cohort = Cohort("start").create()
    order = cohort.path_modules()  # every module, in the catalogue's order (no path)
    modules = (order[0], order[-1])
    # The first start releases every module and builds the site: what a second start finds.
    platform_class()(free_ports(), "start").prepare(log=lambda *a, **k: None)
    variants = [
        (
            "vroeger: alle kernels tegelijk",
            (
                f"--PreheatingKernelManager.preheat_parallel={len(order)}",
                "--AppLimits.kernel_nice=0",
            ),
        ),
        ("nu: een voor een in padvolgorde", ()),
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for label, options in variants:
                start_once(label, options, browser, modules)
                time.sleep(5)  # the stopped kernels' memory is back
        finally:
            browser.close()


if __name__ == "__main__":
    main()
