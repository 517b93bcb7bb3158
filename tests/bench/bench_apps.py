"""A class opens an app: the apps server as `leerpad start` runs it, on ct-01, in Chromium.
Times from navigation to a usable first exercise (its "Controleer" button on screen): warm,
one learner at a time, and a class opening the module within ten seconds; then the memory
of each learner's kernel while the class has its pages open (RSS, and PSS: shared pages
split among the processes that share them), and how long the kernels outlive the closed
pages.

    make bench
    .venv/bin/python -m tests.bench.bench_apps
    LEERPAD_BENCH_CLASS=10 ...        # another class size
    LEERPAD_BENCH_QUICK=1 ...         # 3 learners: the lines are produced

Prints ``apps: ...`` and ``memory: ...`` lines with the load average; never asserts a time.
"""

import asyncio
import statistics
import time

from tests.bench.apps_server import kernel_pids, page_of, pss_mb, rss_mb, started_apps
from tests.bench.figures import class_size, load, percentile, quick, seconds

MODULE = "ct-01-algoritme"
OPEN_TIMEOUT = 600_000  # ms: a page that is not usable by then counts as failed
GB = 1024


async def open_app(browser, url: str) -> tuple[float, object, object]:
    """(seconds to a usable first exercise, page, its context): a learner of their own."""
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    started = time.monotonic()
    await page.goto(url + page_of(MODULE), timeout=OPEN_TIMEOUT, wait_until="commit")
    first = page.locator(".leerpad-exercise").first
    await first.get_by_role("button", name="Controleer").wait_for(timeout=OPEN_TIMEOUT)
    return time.monotonic() - started, page, context


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


async def bench(url: str, server: int) -> None:
    from playwright.async_api import async_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    count = class_size(30, 3)
    warm_runs = 2 if quick() else 7
    within = 2.0 if quick() else 10.0
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        first, page, context = await open_app(browser, url)
        await context.close()
        warm = []
        for _ in range(warm_runs):
            await asyncio.sleep(3)  # the pool refills between two learners
            took, page, context = await open_app(browser, url)
            warm.append(took)
            await context.close()
        print(
            f"apps: warm, een voor een: mediaan {statistics.median(warm):.1f} s (n={len(warm)}; "
            f"de eerste na de start {first:.1f} s); {load()}",
            flush=True,
        )
        await until_kernels(server, 1, 120)  # the warm runs' kernels gone: a fresh class
        results = await spread(browser, url, count, within)
        opened = [r for r in results if not isinstance(r, BaseException)]
        failed = [r for r in results if isinstance(r, BaseException)]
        print(
            f"apps: {count} leerlingen openen {MODULE} binnen {within:.0f} s: "
            f"{seconds([took for took, _, _ in opened])}, {len(failed)} zonder werkende app "
            f"binnen {OPEN_TIMEOUT // 1000} s; {load()}",
            flush=True,
        )
        rss, pss = memory(server)
        per_learner = statistics.median(pss) if pss else float("nan")
        for context in browser.contexts:
            await context.close()
        gone = await until_kernels(server, 1, 600)
        await browser.close()
    print(
        f"memory: per leerlingkernel RSS mediaan {statistics.median(rss):.0f} MB "
        f"(p95 {percentile(rss, 95):.0f}), PSS mediaan {per_learner:.0f} MB; {len(pss)} "
        f"kernels, apps-server {rss_mb(server)} MB; {24 * GB / per_learner:.0f} leerlingen "
        f"per 24 GB; gesloten pagina's: kernels weg na "
        f"{'meer dan 600' if gone is None else f'{gone:.0f}'} s; {load()}",
        flush=True,
    )


def main() -> None:
    with started_apps(name="klas", module=MODULE) as (url, server):
        asyncio.run(bench(url, server))


if __name__ == "__main__":
    main()
