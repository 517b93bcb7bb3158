"""A cohort on one hub: 50 teachers log in through the hub with their school account (the
OpenID Connect login of tests/test_hub.py, a real oidc-provider), get their own JupyterLab
server, open a module's app through the hub (Voilà as the hub service /services/apps/), answer
an exercise, check it and hand it in; then the hand-ins are counted in the cohort's gradebook
(PostgreSQL). The hub, its proxy, PostgreSQL and every teacher's server are the real ones of
`leerpad hub` (tests/hubrun.py), stopped at the end, also on Ctrl-C or SIGTERM.

The client: one Chromium (Playwright), one browser context per teacher, at most WINDOW
teachers at a time (a rolling window): fifty browsers do not fit two cores. A teacher's
login starts when a place in the window is free; the run stops after CAP seconds and
reports what it got (journeys still running count as not finished).

    make bench
    .venv/bin/python -m tests.bench.bench_hub       # as root: the hub makes Unix users
    LEERPAD_BENCH_CLASS=20 ...                      # another number of teachers
    LEERPAD_BENCH_QUICK=1 ...                       # 3 teachers: the lines are produced
    LEERPAD_BENCH_WINDOW=5 LEERPAD_BENCH_CAP=900 ...  # teachers at a time; seconds at most

Prints ``hub: ...`` and ``memory: ...`` lines with the load average; never asserts a time.
"""

import asyncio
import os
import pwd
import re
import secrets
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.bench.apps_server import pss_mb, rss_mb
from tests.bench.figures import class_size, load, percentile, quick, seconds
from tests.hubrun import COHORT, MODULE, PASSWORD, problems, running_hub
from tests.stories import RIGHT

STEP = 600_000  # ms: one step (a login, a server, an app, a check, a hand-in) at most
QUESTION = "Welke beschrijving is een algoritme?"


def window() -> int:
    return int(os.environ.get("LEERPAD_BENCH_WINDOW") or 8)


def cap() -> float:
    return float(os.environ.get("LEERPAD_BENCH_CAP") or (600 if quick() else 1500))


@dataclass
class Journey:
    """One teacher's way through the hub, with what it reached."""

    name: str
    started: bool = False
    logged_in: bool = False
    server: float | None = None  # seconds from the login page to her own server answering
    app: float | None = None  # seconds from the app link to a usable first exercise
    checked: float | None = None  # seconds from "Controleer" to "Juist!"
    clicked: bool = False  # "Inleveren" clicked
    confirmed: bool = False  # the app showed her score
    rss: int | None = None  # MB: her server and her app's kernel together
    pss: int | None = None
    kernel_pss: int | None = None  # MB: of which her app's kernel
    error: str = ""


def processes() -> dict[int, tuple[int, bytes]]:
    """{pid: (real uid, command line)} of every process."""
    found = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{entry}/status").read_text().splitlines()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        uid = next(int(ln.split()[1]) for ln in status if ln.startswith("Uid:"))
        found[int(entry)] = (uid, cmdline)
    return found


def teacher_memory(name: str, kernel_id: str) -> tuple[int, int, int]:
    """(RSS MB, PSS MB, PSS MB of the kernel) of a teacher: the processes of her Unix user
    (her JupyterLab server and what it runs) and her app's kernel in the apps service (the
    processes with its connection file on their command line)."""
    uid = pwd.getpwnam(name).pw_uid
    mark = f"kernel-{kernel_id}".encode()
    found = processes()
    kernel = [pid for pid, (_, cmd) in found.items() if mark in cmd]
    pids = {pid for pid, (owner, _) in found.items() if owner == uid} | set(kernel)
    return (
        sum(rss_mb(pid) for pid in pids),
        sum(pss_mb(pid) for pid in pids),
        sum(pss_mb(pid) for pid in kernel),
    )


async def log_in(page, hub: str, provider: str, name: str) -> None:
    """The school account's login as she does it: the hub sends her to the provider, she
    fills in its login page and confirms its consent page, the provider sends her back."""
    await page.goto(f"{hub}/hub/oauth_login", timeout=STEP)
    for _ in range(4):
        if not page.url.startswith(provider):
            return
        login = page.locator("input[name=login]")
        if await login.count():
            await login.fill(name)
            await page.locator("input[name=password]").fill(PASSWORD)
        async with page.expect_navigation(timeout=STEP, wait_until="commit"):
            await page.locator("button[type=submit]").first.click()


async def seen(page) -> str:
    """What the teacher saw when she gave up: the start of the page's text."""
    try:
        text = await page.locator("body").inner_text(timeout=10_000)
    except Exception:  # a page that never arrived
        return "(geen pagina)"
    return " ".join(text.split())[:200]


async def journey(browser, hub: dict, me: Journey) -> None:
    from leerpad.grading.cohort import app_url

    me.started = True
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    try:
        started = time.monotonic()
        await log_in(page, hub["url"], hub["provider"], me.name)
        cookies = {c["name"] for c in await context.cookies()}
        if "jupyterhub-hub-login" not in cookies:
            me.error = f"niet aangemeld, op {page.url}"
            return
        me.logged_in = True
        # The hub starts her server and its waiting page goes there once it answers (her
        # Lab's HTML: not rendering it saves the shared CPU for the other teachers).
        own = re.compile(rf"^{re.escape(hub['url'])}/user/{me.name}/")
        await page.wait_for_url(own, timeout=STEP, wait_until="commit")
        me.server = time.monotonic() - started
        started = time.monotonic()
        await page.goto(app_url(f"{hub['url']}/services/apps", MODULE), timeout=STEP)
        exercise = page.locator(".leerpad-exercise", has_text=QUESTION)
        check = exercise.get_by_role("button", name="Controleer")
        await check.wait_for(timeout=STEP)
        me.app = time.monotonic() - started
        await exercise.get_by_label(RIGHT).check()
        started = time.monotonic()
        await check.click()
        await exercise.get_by_text("Juist!").wait_for(timeout=STEP)
        me.checked = time.monotonic() - started
        config = "JSON.parse(document.getElementById('jupyter-config-data').textContent)"
        kernel_id = await page.evaluate(f"{config}.kernelId")
        me.rss, me.pss, me.kernel_pss = await asyncio.to_thread(teacher_memory, me.name, kernel_id)
        await page.get_by_role("button", name="Inleveren").click()
        me.clicked = True
        status = page.locator(".leerpad-handin [role=status]", has_text="Verbeterd:")
        await status.wait_for(timeout=STEP)
        me.confirmed = True
    except Exception as error:  # counted and shown with the figures: a failure is news
        me.error = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
        me.error += f"; op {page.url}: {await seen(page)}"
    finally:
        await context.close()


async def journeys(hub: dict, names: list[str], at_once: int, within: float) -> list[Journey]:
    """Every teacher's journey, at most `at_once` at a time, for at most `within` seconds."""
    from playwright.async_api import async_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    found = [Journey(name) for name in names]
    places = asyncio.Semaphore(at_once)

    async def one(browser, me):
        async with places:
            await journey(browser, hub, me)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tasks = [asyncio.ensure_future(one(browser, me)) for me in found]
            done, running = await asyncio.wait(tasks, timeout=within)
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        finally:
            await browser.close()
    return found


def gradebook_rows(var: Path, names: list[str]) -> set[str]:
    """The teachers with a submission of MODULE in the cohort's gradebook (PostgreSQL), as
    the trainer's formgrader reads it."""
    from leerpad.grading.cohort import Cohort
    from nbgrader.api import Gradebook

    db_url = Cohort(COHORT, var / "cohorts").settings["db_url"]
    with Gradebook(db_url, course_id=COHORT) as gb:
        found = {s.student.id for s in gb.find_assignment(MODULE).submissions}
    return found & set(names)


def mb(values: list[int]) -> str:
    if not values:
        return "geen metingen"
    return f"p50 {percentile(values, 50):.0f} MB, max {max(values):.0f} MB"


def figures(found: list[Journey], rows: set[str], took: float, at_once: int) -> list[str]:
    """The figure lines of a run."""
    n = len(found)
    started = [j for j in found if j.started]
    failed_logins = [j for j in started if not j.logged_in and j.error]
    cut = [j for j in started if not j.confirmed and not j.error]  # still going at the cap
    clicked = {j.name for j in found if j.clicked}
    lost = clicked - rows
    unfinished = [j for j in found if not j.confirmed]
    lines = [
        f"hub: {n} leerkrachten, {at_once} tegelijk in een Chromium, {took:.0f} s "
        f"(grens {cap():.0f} s): {sum(j.confirmed for j in found)} ingeleverd, "
        f"{n - len(started)} niet gestart, {len(cut)} onderbroken door de grens, "
        f"{len(failed_logins)} aanmeldingen mislukt; "
        f"aanmelden tot eigen server {seconds([j.server for j in found if j.server])}; "
        f"{os.cpu_count()} kernen; {load()}",
        f"hub: tot een bruikbare app via de hub {seconds([j.app for j in found if j.app])}; "
        f"tot een gecontroleerd antwoord {seconds([j.checked for j in found if j.checked])}"
        f"; {load()}",
        f"hub: inleveringen {len(clicked)} geklikt, {sum(j.confirmed for j in found)} "
        f"bevestigd in de app, {len(rows)} in het puntenboek (PostgreSQL), {len(lost)} "
        f"verloren; {load()}",
        f"memory: per leerkracht (eigen server + app-kernel) RSS "
        f"{mb([j.rss for j in found if j.rss])}, PSS {mb([j.pss for j in found if j.pss])} "
        f"(n={sum(1 for j in found if j.pss)}), waarvan app-kernel PSS "
        f"{mb([j.kernel_pss for j in found if j.kernel_pss])}; {load()}",
    ]
    for j in [j for j in unfinished if j.error][:5]:
        lines.append(f"  MISLUKT {j.name}: {j.error}")
    return lines


def measure(hub: dict, names: list[str], at_once: int, within: float) -> list[str]:
    """Run the journeys against a running hub (one whose provider knows `names` as
    teachers); the figure lines. Runs in a thread of its own: its asyncio loop and
    Playwright's stay apart from any the caller has."""
    result = {}

    def run():
        started = time.monotonic()
        try:
            result["found"] = asyncio.run(journeys(hub, names, at_once, within))
        except BaseException as error:  # re-raised in the caller's thread
            result["error"] = error
        result["took"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    found = result["found"]
    return figures(found, gradebook_rows(hub["var"], names), result["took"], at_once)


def teachers(count: int) -> tuple[list[str], dict]:
    """`count` teacher logins and their accounts at the school's provider."""
    suffix = secrets.token_hex(2)
    names = [f"lk{n:02d}-{suffix}" for n in range(1, count + 1)]
    accounts = {n: {"name": f"Leerkracht {n}", "roles": ["leerkracht"]} for n in names}
    return names, accounts


def _stop_on_sigterm() -> None:
    """SIGTERM as Ctrl-C: the `finally` blocks stop the hub and all it started."""

    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main() -> None:
    found = problems()
    if found:
        print(f"hub: overgeslagen: {'; '.join(found)}", flush=True)
        return
    _stop_on_sigterm()
    count = class_size(50, 3)
    names, accounts = teachers(count)
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    with running_hub(accounts, names, name="bench-hub") as hub:
        print(f"hub: de hub draait; {count} leerkrachten beginnen; {load()}", flush=True)
        for line in measure(hub, names, window(), cap()):
            print(line, flush=True)


if __name__ == "__main__":
    main()
