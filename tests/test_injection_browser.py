"""Authored text is text (issue 19): script planted in every authored field never runs.

A module, its course and a learning path carry script in every field an author writes (see
injection_fixtures). ``leerpad check`` passes them, as it would a shared module: the fields
are text. The real ``leerpad site`` build is served and every page is visited in Chromium; the
module is opened as its app in the real Voilà server (``leerpad preview``) and every exercise
is used. On no page does a payload run (the flag it would set stays unset, no dialog, the
title is untouched), no link leads to ``javascript:``, and the text is shown as written.
"""

import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from conftest import free_port, stop_process_group
from injection_fixtures import IMG, MODULE_ID, SCRIPT, SVG, make_poisoned_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.servers]

# What a page must show on its own: no payload ran, nothing can run later from a link or an
# event attribute, and no script element holds authored text.
PROBE = """() => ({
  flag: window.__xss === undefined ? null : String(window.__xss),
  title: document.title,
  jsLinks: [...document.querySelectorAll('a[href]')]
    .map(a => a.getAttribute('href'))
    .filter(h => /^\\s*javascript:/i.test(h.replace(/[\\x00-\\x20]/g, ''))),
  handlers: [...document.querySelectorAll('*')].flatMap(el =>
    [...el.attributes].filter(a => /^on/i.test(a.name) && a.value.includes('__xss'))
      .map(a => el.tagName + ' ' + a.name)),
  scripts: [...document.scripts]
    .filter(s => s.type !== 'application/json' && s.textContent.includes('__xss')).length,
})"""


def assert_clean(page, where, dialogs):
    found = page.evaluate(PROBE)
    assert found["flag"] is None, f"{where}: een script uit de module liep"
    assert found["title"] != "XSS", where
    assert not dialogs, (where, dialogs)
    assert found["jsLinks"] == [], (where, found["jsLinks"])
    assert found["handlers"] == [], (where, found["handlers"])
    assert found["scripts"] == 0, where


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.3)


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory, isolated_env):
    """The poisoned catalogue: checked, built into a site that is served, and its module
    previewed as an app in Voilà. Both servers are stopped at the end."""
    base = tmp_path_factory.mktemp("injectie")
    courses = make_poisoned_catalogue(base)
    env = {
        **isolated_env,
        "LEERPAD_COURSES": str(courses),
        "LEERPAD_VAR": str(base / "var"),
        "LEERPAD_BUILD": str(base / "build"),
        "BROWSER": "",
    }
    env.pop("DISPLAY", None)
    check = subprocess.run(
        [sys.executable, "-m", "leerpad", "check"], env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr  # text, so a valid module
    built = subprocess.run(
        [sys.executable, "-m", "leerpad", "site"], env=env, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stdout + built.stderr
    site_port, app_port = free_port(), free_port()
    served = base / "build" / "site"
    site = subprocess.Popen(
        [sys.executable, "-m", "leerpad.servers.site", str(served), str(site_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log_path = base / "preview.log"
    with open(log_path, "w") as log:
        preview = subprocess.Popen(
            [sys.executable, "-m", "leerpad", "preview", MODULE_ID, "--port", str(app_port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        site_url = f"http://127.0.0.1:{site_port}/"

        def site_up():
            try:
                urllib.request.urlopen(site_url, timeout=5).close()
                return True
            except OSError:
                assert site.poll() is None, "de siteserver stopte"
                return False

        wait_until(site_up, 120, "de siteserver startte niet")

        def preview_up():
            assert preview.poll() is None, log_path.read_text()
            return "Voorbeeld van" in log_path.read_text()

        wait_until(preview_up, 600, "leerpad preview was niet klaar")
        app_url = re.search(r"http://127\.0\.0\.1:\d+/\S+", log_path.read_text())[0]
        yield {"site": site_url, "app": app_url}
    finally:
        stop_process_group(preview)
        stop_process_group(site)


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def site_pages(page, start: str) -> list[str]:
    """Every page of the site reachable from the start page by its own links."""
    seen, queue = set(), [start]
    host = urllib.parse.urlsplit(start).netloc
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url, wait_until="load")
        yield url
        for href in page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)"):
            parts = urllib.parse.urlsplit(href)
            if parts.scheme != "http" or parts.netloc != host:
                continue
            target = urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
            if target.endswith("/") and target not in seen:
                queue.append(target)


def test_no_authored_script_runs_on_any_site_page(poisoned, page):
    visited = []
    for url in site_pages(page, poisoned["site"]):
        visited.append(url)
        assert_clean(page, url, page.dialogs)
    paths = {urllib.parse.urlsplit(u).path for u in visited}
    for expected in (
        f"/modules/{MODULE_ID}/",
        "/modules/",
        "/paden/xss-pad/",
        "/cursussen/cursus-a/",
        "/competenties/6-5/",
        "/eindtermen/4-4/",
        "/zelfscan/",
    ):
        assert expected in paths, (expected, sorted(paths))


def test_the_site_shows_authored_text_as_written(poisoned, page):
    site = poisoned["site"]
    page.goto(site + f"modules/{MODULE_ID}/")
    text = page.inner_text("article")
    for shown in (
        f"Titel </title>{SCRIPT} {IMG}",  # the title, as the heading
        f"Kop {SCRIPT}",
        f"Tekst {IMG} {SCRIPT} {SVG}",
        f"Vraag {IMG}",
        f"Optie {SVG}",
        f"Doel {SVG}",
        f"Rubric {IMG}",
    ):
        assert shown in text, shown
    assert page.title().startswith(f"Titel </title>{SCRIPT}")  # the tab shows it too
    # The javascript: link keeps its words and leads nowhere.
    link = page.get_by_role("link", name="klik hier").first
    assert not link.get_attribute("href").lower().startswith("javascript")
    page.goto(site + "modules/")
    assert f"Titel </title>{SCRIPT} {IMG}" in page.inner_text("article")
    page.goto(site + "paden/xss-pad/")
    text = page.inner_text("article")
    assert f"Pad {IMG}" in text and f"Gepland {SCRIPT}" in text
    page.goto(site + "cursussen/cursus-a/")
    assert f"Beschrijving {SCRIPT}" in page.inner_text("article")
    assert_clean(page, "cursus", page.dialogs)


def test_search_results_show_authored_text_as_written(poisoned, page):
    page.goto(poisoned["site"])
    page.wait_for_load_state("networkidle")  # the page and its search index are in
    page.keyboard.press("/")  # Material's search shortcut opens the search dialog
    page.keyboard.type("onerror")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=60_000)
    assert "<img src=x" in page.inner_text(".md-search-result")
    assert_clean(page, "zoeken", page.dialogs)


def test_no_authored_script_runs_in_the_app(poisoned, page):
    page.goto(poisoned["app"], wait_until="load", timeout=300_000)
    questions = page.locator(".leerpad-question")
    questions.first.wait_for(timeout=300_000)
    wait_until(lambda: questions.count() >= 8, 300, "niet alle oefeningen verschenen")
    text = page.inner_text("body")
    for shown in (
        f"Titel </title>{SCRIPT} {IMG}",
        f"Vraag {IMG}",
        f"Optie {IMG}",
        f"Optie {SVG}",
        f"Optie {SCRIPT}",
        f"Keuze {IMG}",
        f"Volgorde {SVG}",
        f"Scene {IMG}",
        f"Open {SVG}",
        f"Rubric {IMG}",
    ):
        assert shown in text, shown
    assert_clean(page, "app", page.dialogs)
    # Use the exercises: feedback, hints, solutions and the next scene are authored text too.
    choice = page.locator(".leerpad-exercise").first
    choice.get_by_text(f"Optie {SVG}").click()
    choice.get_by_role("button", name="Controleer").click()
    feedback = choice.locator(".leerpad-feedback")
    feedback.wait_for(timeout=60_000)
    wait_until(lambda: "Feedback" in feedback.inner_text(), 60, "geen feedback")
    assert f"Feedback {IMG}" in feedback.inner_text()
    choice.get_by_role("button", name="Tip").click()
    wait_until(lambda: f"Tip {SVG}" in choice.inner_text(), 60, "geen tip")
    for button in page.get_by_role("button", name="Toon oplossing").all():
        button.click()
    page.get_by_role("button", name=f"Keuze {SVG}").click()
    wait_until(lambda: f"Einde {SCRIPT}" in page.inner_text("body"), 60, "geen volgende scène")
    page.get_by_role("button", name="Draai om").first.click()
    wait_until(lambda: f"Achter {SVG}" in page.inner_text("body"), 60, "kaart niet omgedraaid")
    page.wait_for_timeout(1000)  # let a late onerror or onload fire, if any would
    assert_clean(page, "app na gebruik", page.dialogs)
