"""A class opens an app: the apps server as `leerpad start` runs it, on ct-01, in Chromium.
Times from navigation to a usable first exercise (its "Controleer" button on screen): warm,
one learner at a time, and a class opening the module within ten seconds; then the memory
of each learner's kernel while the class has its pages open (RSS, and PSS: shared pages
split among the processes that share them), and how long the kernels outlive the closed
pages. Side by side, on two servers one after the other: the old behaviour (one preheated
kernel per module, ``class_pool=0``, Voilà's own front-end) and the class pool
(leerpad.servers.apps.ClassPools) with the app's light front-end (widgets/frontend),
prepared as a teacher does: she opens the class link before the lesson; what the prepared
pool holds in memory is printed too. The class line also says when the server had sent each
page (its share of the time) and the CPU the server with its kernels and the browsers used
while the class opened: here thirty Chromiums share the machine's two cores with the
server, in a classroom each learner brings her own device.

    make bench
    .venv/bin/python -m tests.bench.bench_apps
    LEERPAD_BENCH_CLASS=10 ...        # another class size
    LEERPAD_BENCH_QUICK=1 ...         # 3 learners: the lines are produced

Prints ``apps: ...`` and ``memory: ...`` lines with the load average; never asserts a time.
"""

import asyncio
import base64
import os
import statistics
import time
from collections import Counter

from tests.bench import protocol_learner
from tests.bench.apps_server import (
    browser_pids,
    cpu_seconds,
    kernel_pids,
    page_of,
    pss_mb,
    rss_mb,
    started_apps,
)
from tests.bench.figures import class_size, load, percentile, quick, seconds

MODULE = "ct-01-algoritme"
CLASS_IDLE = 30  # s: the bench's pause between two lessons (AppLimits.class_idle)
OPEN_TIMEOUT = 600_000  # ms: a page that is not usable by then counts as failed
GB = 1024


async def open_app(browser, url: str, query: str = "", context=None, watch=None):
    """(seconds to a usable first exercise, page, its context): a learner of their own, or
    one who opened an app before in `context` (its HTTP cache). `query`: a link's query,
    e.g. a class link's ``?klas=...``. `watch`: a dict that gets the moments the kernel's
    part starts and ends (see :func:`watch_kernel`)."""
    context = context or await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    if watch is not None:
        await watch_kernel(context, page, watch)
    started = time.monotonic()
    await page.goto(url + page_of(MODULE) + query, timeout=OPEN_TIMEOUT, wait_until="commit")
    first = page.locator(".leerpad-exercise").first
    await first.get_by_role("button", name="Controleer").wait_for(timeout=OPEN_TIMEOUT)
    return time.monotonic() - started, page, context


async def watch_kernel(context, page, marks: dict) -> None:
    """Note in `marks` when the page opens its kernel websocket ("socket") and when the
    widgets' state arrives ("states"): the server's part after the HTML, seen through the
    Chrome DevTools Protocol."""
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")

    def frame(event):
        data = event["response"]["payloadData"]
        if event["response"]["opcode"] == 2:  # binary: base64
            data = base64.b64decode(data)
        if b"update_states" in (data if isinstance(data, bytes) else data.encode()):
            marks.setdefault("states", time.monotonic())

    cdp.on("Network.webSocketCreated", lambda _: marks.setdefault("socket", time.monotonic()))
    cdp.on("Network.webSocketFrameReceived", frame)


async def quiet_open(browser, url: str, context=None) -> tuple[float, float, object]:
    """(seconds to a usable first exercise, the browser's part of them, the context): the
    browser's part is what remains without the server's (the HTML, and the kernel from its
    websocket to the widgets' state)."""
    marks: dict = {}
    took, page, context = await open_app(browser, url, context=context, watch=marks)
    server = await html_seconds(page) + marks["states"] - marks["socket"]
    await page.close()
    return took, took - server, context


async def html_seconds(page) -> float:
    """Seconds from navigation until the server had sent the whole page (its part)."""
    timing = await page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
    return timing / 1000


def cpu(server: int) -> tuple[float, float]:
    """(CPU seconds used by the apps server and its kernels, by the browsers) so far."""
    server_side = sum(cpu_seconds(pid) for pid in [server, *kernel_pids(server)])
    return server_side, sum(cpu_seconds(pid) for pid in browser_pids(os.getpid()))


async def spread(browser, url: str, count: int, within: float) -> list:
    """`count` learners opening the app over `within` seconds; their (seconds, page, ctx)."""

    async def learner(n):
        await asyncio.sleep(n * within / count)
        return await open_app(browser, url)

    return await asyncio.gather(*(learner(n) for n in range(count)), return_exceptions=True)


def memory(server: int) -> tuple[list[int], list[int]]:
    """(RSS MB, PSS MB) of each kernel of the server."""
    kernels = kernel_pids(server)
    return [rss_mb(k) for k in kernels], [pss_mb(k) for k in kernels]


async def until_kernels(server: int, at_most: int, timeout: float) -> float | None:
    """Seconds until the server runs at most `at_most` kernels (None: not within timeout)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if len(kernel_pids(server)) <= at_most:
            return time.monotonic() - started
        await asyncio.sleep(1)
    return None


async def until_pool_ready(server: int, kernels: int, timeout: float = 900) -> None:
    """Until the server runs `kernels` kernels, and the last one ran its notebook."""
    started = time.monotonic()
    while len(kernel_pids(server)) < kernels and time.monotonic() - started < timeout:
        await asyncio.sleep(1)
    await asyncio.sleep(10)  # the last preheated kernel runs its notebook


def pool_memory(label: str, server: int) -> None:
    """What the prepared class pool holds before the class comes."""
    rss, pss = memory(server)
    print(
        f"memory: [{label}] klaar voor de klas: {len(pss)} kernels, PSS samen {sum(pss)} MB "
        f"(RSS samen {sum(rss)} MB), apps-server {rss_mb(server)} MB; {load()}",
        flush=True,
    )


async def warm_opens(browser, url: str, runs: int) -> tuple[list, list, list]:
    """One quiet Chromium, one learner at a time: (seconds with a cold HTTP cache, the
    browser's part of them, seconds of a second open in the same browser: its cache)."""
    cold, parts, cached = [], [], []
    for _ in range(runs):
        await asyncio.sleep(3)  # the pool refills between two learners
        took, part, context = await quiet_open(browser, url)
        cold.append(took)
        parts.append(part)
        await asyncio.sleep(3)
        took, _, context = await open_app(browser, url, context=context)
        cached.append(took)
        await context.close()
    return cold, parts, cached


async def protocol_class(url: str, label: str, count: int, within: float, parts: list) -> None:
    """The class on devices of their own: the server's part by protocol-level learners
    (tests/bench/protocol_learner.py), the browser's part from one quiet Chromium."""
    opened, failed = await protocol_learner.class_opens(url + page_of(MODULE), count, within)
    states = [o.state for o in opened]
    estimate = percentile(states, 95) + percentile(parts, 95)
    print(
        f"apps: [{label}] {count} leerlingen openen {MODULE} binnen {within:.0f} s, elk op "
        f"een eigen toestel: de server (pagina, kernel, widgettoestand) {seconds(states)}, "
        f"{len(failed)} mislukt{reasons(failed)}; "
        f"de browser (een rustige Chromium) {seconds(parts)}; "
        f"samen p95 ongeveer {estimate:.1f} s; {load()}",
        flush=True,
    )


def reasons(failed: list) -> str:
    """' (ConnectionError: ... ×3)': why learners failed, the most frequent first."""
    counted = Counter(f"{type(e).__name__}: {str(e)[:60]}" for e in failed)
    return f" ({', '.join(f'{r} ×{n}' for r, n in counted.most_common(3))})" if failed else ""


async def bench(url: str, server: int, label: str, prepare: str | None) -> None:
    """One server's figures. `prepare`: the class link a teacher opens before the lesson
    (the class pool is then filled before anyone comes); None: the old behaviour."""
    from playwright.async_api import async_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    count, devices, warm_runs, within = sizes()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        first, page, context = await open_app(browser, url, prepare or "")
        await context.close()
        if prepare:  # the pool's own kernel, the class's, and the teacher's page
            await until_pool_ready(server, 1 + 2 * warm_runs + max(count, devices))
            pool_memory(label, server)
        cold, parts, cached = await warm_opens(browser, url, warm_runs)
        print(
            f"apps: [{label}] warm, een voor een: mediaan {statistics.median(cold):.1f} s "
            f"(n={len(cold)}; de eerste na de start {first:.1f} s), waarvan de browser "
            f"{statistics.median(parts):.1f} s; opnieuw in dezelfde browser (zijn cache) "
            f"mediaan {statistics.median(cached):.1f} s; {load()}",
            flush=True,
        )
        if not prepare:
            await until_kernels(server, 1, 120)  # the warm runs' kernels gone: a fresh class
        await protocol_class(url, label, devices, within, parts)
        await until_kernels(server, 1, 600)  # the class's pages closed: a fresh class
        if prepare:  # the next lesson: the pool shrank back, the teacher prepares it again
            await asyncio.sleep(CLASS_IDLE)
            _, page, context = await open_app(browser, url, prepare)
            await context.close()
            await until_pool_ready(server, 1 + 2 * warm_runs + max(count, devices))
        before = cpu(server)
        results = await spread(browser, url, count, within)
        after = cpu(server)
        opened = [r for r in results if not isinstance(r, BaseException)]
        failed = [r for r in results if isinstance(r, BaseException)]
        html = [await html_seconds(page) for _, page, _ in opened]
        print(
            f"apps: [{label}] {count} leerlingen openen {MODULE} binnen {within:.0f} s, "
            f"{count} Chromiums op deze machine: "
            f"{seconds([took for took, _, _ in opened])}, {len(failed)} zonder werkende app "
            f"binnen {OPEN_TIMEOUT // 1000} s; de pagina van de server binnen "
            f"{seconds(html)}; CPU: server en kernels {after[0] - before[0]:.0f} s, "
            f"browsers {after[1] - before[1]:.0f} s; {load()}",
            flush=True,
        )
        rss, pss = memory(server)
        per_learner = statistics.median(pss) if pss else float("nan")
        for context in browser.contexts:
            await context.close()
        gone = await until_kernels(server, 1, 600)
        await browser.close()
    print(
        f"memory: [{label}] per leerlingkernel RSS mediaan {statistics.median(rss):.0f} MB "
        f"(p95 {percentile(rss, 95):.0f}), PSS mediaan {per_learner:.0f} MB; {len(pss)} "
        f"kernels, apps-server {rss_mb(server)} MB; {24 * GB / per_learner:.0f} leerlingen "
        f"per 24 GB; gesloten pagina's: kernels weg na "
        f"{'meer dan 600' if gone is None else f'{gone:.0f}'} s; {load()}",
        flush=True,
    )


def sizes() -> tuple[int, int, int, int]:
    """(learners in the class of Chromiums, learners of the class on devices of their own,
    warm runs one at a time, seconds the class opens within)."""
    devices = 3 if quick() else 30
    return class_size(30, 3), devices, 2 if quick() else 5, 2.0 if quick() else 10.0


def main() -> None:
    from leerpad.grading.cohort import Cohort
    from leerpad.grading.identity import class_query

    count, devices, warm_runs, _ = sizes()
    # The old behaviour (one preheated kernel per module, refilled after it is handed out,
    # kernels at the server's CPU priority, Voilà's front-end with every JupyterLab extension
    # on the page) and the class pool, prepared by the teacher's class link (a kernel for
    # each warm run and each learner of the class), with the app's light front-end.
    old = [
        "--AppLimits.class_pool=0",
        "--AppLimits.kernel_nice=0",  # kernels as busy as the server
        # every JupyterLab extension loaded (an already disabled one is denied instead)
        "--VoilaConfiguration.extension_denylist=@voila-dashboards/jupyterlab-preview",
        "--LearnerApps.static_cache=False",  # Voilà's static files: uncompressed, no-cache
        "--LearnerApps.light_frontend=False",  # Voilà's JupyterLab application on the page
    ]
    variants = [
        ("vroeger: pool_size=1", old, False),
        (
            "klaspool, klaslink vooraf, lichte app",
            [
                # each warm run opens twice (a fresh browser, then its cache)
                f"--AppLimits.class_pool={2 * warm_runs + max(count, devices)}",
                # a pool nobody opens shrinks back soon: the next lesson is prepared anew
                f"--AppLimits.class_idle={CLASS_IDLE}",
            ],
            True,
        ),
    ]
    for label, options, prepared in variants:
        with started_apps(options, name="klas", module=MODULE) as (url, server):
            prepare = f"?{class_query(Cohort('klas').dir)}" if prepared else None
            asyncio.run(bench(url, server, label, prepare))


if __name__ == "__main__":
    main()
