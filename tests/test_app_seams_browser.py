"""Seams of the app in a real Chromium (issue 12, point 5): Enter checks a typed number, and
a check right after typing grades the typed value even when the kernel is busy.

The race: ipywidgets sends a widget's first change at once and holds later ones back until
the kernel has handled the first; a click goes out at once. With the kernel busy (here: a
code exercise that loops until its time limit), "Controleer" reached the kernel before the
typed "13,76" and graded "1". The app page now holds clicks and Enter back until the values
typed before them have gone out (leerpad-order.js in the app template).
"""

import re

import pytest
from gallery_app import APP, gallery_app  # noqa: F401

NUMBER = "Hoeveel is dat per leerling?"
CODE = "Schrijf een functie"
VERDICT = ".leerpad-feedback"

pytestmark = [pytest.mark.servers, pytest.mark.browser]


@pytest.fixture
def page(browser, gallery_app):  # noqa: F811
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(gallery_app["url"] + APP, timeout=600_000)
    page.locator(".leerpad-exercise", has_text=NUMBER).first.wait_for(timeout=600_000)
    yield page
    page.close()


def exercise(page, text):
    return page.locator(".leerpad-exercise", has_text=text).first


def keep_the_kernel_busy(page):
    """Check a code exercise that loops: the kernel handles nothing else for 5 seconds."""
    code = exercise(page, CODE)
    code.locator("textarea").fill("def aanwezig(lijst):\n    while True:\n        pass\n")
    code.get_by_role("button", name="Controleer").click()


def test_enter_checks_a_number_and_editing_clears_the_verdict(page):
    number = exercise(page, NUMBER)
    field = number.locator("input[type=text]").first
    field.fill("14")
    field.press("Enter")
    number.locator(VERDICT).get_by_text("Nog niet juist.", exact=True).wait_for(timeout=60_000)
    field.press_sequentially("5")  # "145": the verdict on "14" is stale
    number.locator(VERDICT).wait_for(state="detached", timeout=60_000)
    field.fill("13,76")
    field.press("Enter")
    number.locator(VERDICT).get_by_text("Juist!", exact=True).wait_for(timeout=60_000)


@pytest.mark.parametrize("how", ["click", "enter"])
def test_a_check_right_after_typing_grades_the_typed_value(page, how):
    number = exercise(page, NUMBER)
    field = number.locator("input[type=text]").first
    keep_the_kernel_busy(page)
    field.press_sequentially("13,76")  # the first key goes out, the rest is held back
    if how == "click":
        number.get_by_role("button", name="Controleer").click()
    else:
        field.press("Enter")
    feedback = number.locator(VERDICT)
    feedback.wait_for(timeout=120_000)
    page.wait_for_function(
        "el => !el.isConnected || el.innerText.includes('Score')",
        arg=feedback.element_handle(),
        timeout=120_000,
    )
    assert "Juist!" in feedback.inner_text(), feedback.inner_text()
    assert field.input_value() == "13,76"


def test_the_app_loads_only_what_it_uses_and_logs_no_errors(browser, gallery_app):  # noqa: F811
    """The page's widgets come from the app's own front-end (widgets/frontend), one bundle:
    not Voilà's JupyterLab application, whose extensions (nbgrader's and Jupyter Notebook's
    among them) cost the learner's device a download and logged errors in its console. The
    bundle comes compressed, and the browser keeps it (its address holds its hash)."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors, requested, headers = [], [], {}
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requested.append(r.url))
    page.on("response", lambda r: headers.setdefault(r.url, r.headers))
    try:
        page.goto(gallery_app["url"] + APP, timeout=600_000)
        number = exercise(page, NUMBER)
        number.locator("input[type=text]").first.fill("13,76")
        number.get_by_role("button", name="Controleer").click()
        number.locator(VERDICT).get_by_text("Juist!", exact=True).wait_for(timeout=120_000)
    finally:
        page.close()
    bundle = [url for url in requested if "/leerpad-app.js?v=" in url]
    assert len(bundle) == 1, requested  # the widgets do load, from the app's bundle
    voila = [u for u in requested if "labextensions" in u or "voila.js" in u or "pygments" in u]
    assert not voila, voila
    assert not errors, errors
    assert headers[bundle[0]].get("content-encoding") == "gzip", headers[bundle[0]]
    kept = re.search(r"max-age=(\d+)", headers[bundle[0]].get("cache-control", ""))
    assert kept and int(kept.group(1)) >= 365 * 24 * 3600, headers[bundle[0]]


def test_a_widget_description_in_html_keeps_only_what_is_allowed(browser, gallery_app):  # noqa: F811
    """The app's bundle sanitizes a description with HTML (description_allow_html) with the
    browser's parser (widgets/frontend/src/sanitize.js): the allowed tags and attributes stay,
    scripts, event handlers and javascript: addresses go."""
    page = browser.new_page()
    try:
        page.goto(gallery_app["url"] + APP, timeout=600_000)
        exercise(page, NUMBER)
        clean = page.evaluate(
            """html => window.leerpadApp.manager.inline_sanitize(html)""",
            '<b onclick="steal()">vet</b><script>steal()</script><style>*{}</style>'
            '<a href=" java\tscript:steal()" title="t">link</a><a href="/feedback">ok</a>'
            '<img src="x.png" onerror="steal()"><div aria-label="d">tekst</div>'
            '<span style="color:red">rood</span>',
        )
    finally:
        page.close()
    assert clean == (
        '<b>vet</b><a title="t">link</a><a href="/feedback">ok</a><img src="x.png">tekst'
        '<span style="color:red">rood</span>'
    ), clean


def test_a_page_whose_kernel_is_gone_says_so_in_dutch(browser, gallery_app):  # noqa: F811
    """A kernel can go while its page stays open (the server restarted, the laptop slept):
    the learner reads that the exercises no longer work and what to do, not a silent page."""
    page = browser.new_page()
    try:
        page.goto(gallery_app["url"] + APP, timeout=600_000)
        exercise(page, NUMBER)
        assert page.locator("#leerpad-lost").count() == 0
        stopped = page.evaluate(
            """() => {
                const form = new FormData();
                form.append("_xsrf", (document.cookie.match(/\\b_xsrf=([^;]*)/) || [])[1] || "");
                const kernel = window.leerpadApp.kernel.id;
                return fetch(`${document.body.dataset.baseUrl}api/shutdown/${kernel}`,
                             {method: "POST", body: form}).then(r => r.status);
            }"""
        )
        assert stopped == 204, stopped
        lost = page.get_by_role("alert").filter(has_text="de verbinding met de server is weg")
        lost.wait_for(timeout=120_000)
        assert "Herlaad de pagina" in lost.inner_text()
    finally:
        page.close()
