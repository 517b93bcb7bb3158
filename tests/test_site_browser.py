"""The site in a real Chromium: accessibility (axe-core), the catalogue filter, progress along
a path, the zelfscan, printing a module page, and the README's screenshots.

The site is built from ``courses/`` into a temporary folder and served by leerpad's own site
server on a free port. axe-core is the npm package pinned in ``tests/package.json``
(``make test`` and ``.ci/run`` install it with ``npm ci``)."""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import free_port, leerpad_var, missing
from leerpad.site import generate

from leerpad.catalogue import Catalogue
from leerpad.site_build import render

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "site" / "docs" / "assets" / "screenshots"
APPS = "http://127.0.0.1:8866"
LAB = "http://127.0.0.1:8888"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}

# The real paths have no planned modules left: one test path keeps "nog in voorbereiding" covered.
PLANNED_PATH = (
    "id: testpad-gepland\ntitle: Testpad met een geplande module\n"
    "goal: Een pad om een geplande module op de website te testen.\naudience: [secundair]\n"
    "steps: [ct-01-algoritme, ai-01-wat-is-ai, ct-99-gepland]\ngepland:\n"
    "  - {id: ct-99-gepland, title: Een module die nog komt, duration: 45, digcompedu: ['6.5']}\n"
)

# Every kind of page: home, paths (one with planned modules), catalogue, module, course,
# competence and eindterm (lists and pages), zelfscan and the guides.
PAGES = [
    "",
    "paden/",
    "paden/bootcamp-basisonderwijs/",
    "paden/testpad-gepland/",
    "modules/",
    "modules/ct-01-algoritme/",
    "modules/galerij-oefentypes/werkblad/",
    "cursussen/",
    "cursussen/computationeel-denken/",
    "competenties/",
    "competenties/6-5/",
    "eindtermen/",
    "eindtermen/4-4/",
    "zelfscan/",
    "gids-trainer/",
    "gids-auteur/",
    "architectuur/",
]

pytestmark = pytest.mark.browser


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """The real catalogue, plus a path with a planned module (PLANNED_PATH)."""
    courses = tmp_path_factory.mktemp("catalogue") / "courses"
    shutil.copytree(ROOT / "courses", courses)
    (courses / "paths" / "testpad-gepland.yml").write_text(PLANNED_PATH, encoding="utf-8")
    catalogue = Catalogue(courses)
    assert not catalogue.problems, catalogue.problems
    return catalogue


@pytest.fixture(scope="module")
def built_site(tmp_path_factory, catalogue) -> Path:
    """The whole catalogue built with mkdocs --strict."""
    tmp = tmp_path_factory.mktemp("site-browser")
    generate(tmp / "docs", APPS, LAB, catalogue=catalogue)
    render(tmp / "docs", tmp / "site")
    return tmp / "site"


@contextmanager
def serving(directory: Path, env=None):
    """leerpad's site server on `directory`, on 127.0.0.1; stopped after."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "leerpad.servers.site", str(directory), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("de siteserver stopte meteen")
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="module")
def site(built_site):
    with serving(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        missing(
            f"axe-core ontbreekt ({AXE.relative_to(ROOT)}): installeer het met "
            "'npm ci --prefix tests' (make test doet dat)."
        )
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 850}, locale="nl-BE")
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, axe_source) -> list[dict]:
    """Run axe-core in the page; the serious and critical violations, described."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    # Check what the reader sees once it has settled: mid-fade colours are not the real ones.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    results = page.evaluate(
        "async (tags) => (await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})).violations",
        AXE_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "where": [n["target"] for n in v["nodes"]][:5],
            "why": v["nodes"][0].get("failureSummary", "").splitlines()[-1:],
            "html": v["nodes"][0].get("html", "")[:200],
        }
        for v in results
        if v["impact"] in BLOCKING
    ]


def assert_accessible(page, axe_source, where: str):
    found = axe_violations(page, axe_source)
    assert not found, f"{where}: " + "\n".join(str(v) for v in found)


def open_site(page, site, path=""):
    page.goto(site + path)
    page.wait_for_load_state("load")


# -- accessibility ----------------------------------------------------------------------------
# The dark theme changes colours only: one page of each layout is enough there.
DARK_PAGES = ["", "paden/ict-team-ai-xr/", "modules/", "modules/ct-01-algoritme/", "zelfscan/"]
CASES = [(path, "light") for path in PAGES] + [(path, "dark") for path in DARK_PAGES]


@pytest.mark.parametrize(("path", "scheme"), CASES)
def test_no_serious_accessibility_violations(browser, site, axe_source, path, scheme):
    context = browser.new_context(viewport={"width": 1200, "height": 850}, color_scheme=scheme)
    page = context.new_page()
    open_site(page, site, path)
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    found = axe_violations(page, axe_source)
    context.close()
    assert not found, f"/{path} ({scheme}): {found}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_violations_in_interactive_states(browser, site, axe_source, scheme):
    """What the script adds: the filter, the path progress, the scan result, the search."""
    context = browser.new_context(viewport={"width": 1200, "height": 850}, color_scheme=scheme)
    page = context.new_page()
    open_site(page, site, "modules/")
    page.select_option("#filter-eindterm", "4.4")
    assert_accessible(page, axe_source, "gefilterde catalogus")
    open_site(page, site, "zelfscan/")
    answer_scan(page, [3, 4, 2, 5, 1, 3, 4, 2], "secundair")
    page.locator(".leerpad-radar").wait_for()
    assert_accessible(page, axe_source, "zelfscan met resultaat")
    open_site(page, site, "paden/bootcamp-basisonderwijs/")
    page.locator(".leerpad-voortgang progress").wait_for()
    page.keyboard.press("/")  # Material's search shortcut opens the search dialog
    assert_accessible(page, axe_source, "leerpad met voortgang en zoekvenster")
    page.keyboard.type("algoritme")
    page.locator(".md-search-result__item").first.wait_for()
    assert_accessible(page, axe_source, "zoekresultaten")
    context.close()


def test_axe_check_can_fail(page, axe_source):
    page.set_content(
        '<html lang="nl"><body><main><h1>Test</h1><img src="x.png">'
        '<p style="color:#bbb;background:#fff">te licht</p></main></body></html>'
    )
    found = {v["id"] for v in axe_violations(page, axe_source)}
    assert {"image-alt", "color-contrast"} <= found


@pytest.mark.servers
def test_app_page_has_no_serious_violations(browser, platform, axe_source):
    """A module as a Voilà app, as learners and pupils open it."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    module = "ct-01-algoritme"
    page.goto(f"{platform['apps']}/voila/render/{module}/{module}.ipynb", timeout=120_000)
    page.locator(".leerpad-exercise").nth(3).wait_for(timeout=120_000)
    found = axe_violations(page, axe_source)
    page.close()
    assert not found, found


# -- catalogue filter -------------------------------------------------------------------------
def shown_rows(page) -> list[str]:
    return page.eval_on_selector_all(
        ".leerpad-rij",
        "spans => spans.filter(s => !s.closest('tr').hidden)"
        ".map(s => s.closest('tr').querySelector('a').getAttribute('href'))",
    )


def module_ids(hrefs) -> list[str]:
    return sorted(h.strip("/").split("/")[-1] for h in hrefs)


def test_catalogue_filters(page, site, catalogue):
    open_site(page, site, "modules/")
    modules = catalogue.modules.values()
    count = page.locator(".leerpad-filter-count")
    assert page.locator("#leerpad-filter").is_visible()
    assert count.inner_text() == f"{len(modules)} van {len(modules)} modules getoond."

    eindterm = sorted({t for m in modules for t in m.meta["eindtermen"]})[0]
    page.select_option("#filter-eindterm", eindterm)
    expected = sorted(m.id for m in modules if eindterm in m.meta["eindtermen"])
    assert module_ids(shown_rows(page)) == expected
    assert count.inner_text() == f"{len(expected)} van {len(modules)} modules getoond."

    page.select_option("#filter-eindterm", "")
    page.select_option("#filter-duration", "60")
    expected = sorted(m.id for m in modules if m.meta["duration"] <= 60)
    assert module_ids(shown_rows(page)) == expected

    competence = "6.3"
    page.select_option("#filter-competence", competence)
    expected = sorted(
        m.id for m in modules if m.meta["duration"] <= 60 and competence in m.meta["digcompedu"]
    )
    assert module_ids(shown_rows(page)) == expected  # filters combine

    page.select_option("#filter-duration", "91")
    page.select_option("#filter-competence", "")
    expected = sorted(m.id for m in modules if m.meta["duration"] > 90)
    assert module_ids(shown_rows(page)) == expected

    # from the keyboard: focus the audience list and choose with the arrow keys
    page.select_option("#filter-duration", "")
    page.focus("#filter-audience")
    page.keyboard.press("ArrowDown")
    chosen = page.input_value("#filter-audience")
    assert chosen
    expected = sorted(m.id for m in modules if chosen in m.meta["audience"])
    assert module_ids(shown_rows(page)) == expected


# -- progress along a path --------------------------------------------------------------------
def test_marking_modules_done_shows_progress_along_the_path(page, site, catalogue):
    path = next(p for p in catalogue.paths if p.id == "bootcamp-basisonderwijs")
    steps = [s["module"].id for s in catalogue.path_steps(path) if s["module"]]
    open_site(page, site, f"paden/{path.id}/")
    progress = page.locator(".leerpad-voortgang p")
    assert progress.inner_text() == f"Voortgang: 0 van {len(steps)} modules klaar."

    for module_id in steps[:2]:
        open_site(page, site, f"modules/{module_id}/")
        button = page.get_by_role("button", name="Markeer als klaar")
        assert button.get_attribute("aria-pressed") == "false"
        button.focus()
        page.keyboard.press("Enter")  # from the keyboard
        assert button.get_attribute("aria-pressed") == "true"  # the label stays the same
        assert button.inner_text().startswith("\u2713")
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('leerpad:klaar'))")
    assert sorted(stored) == sorted(steps[:2])

    open_site(page, site, f"paden/{path.id}/")
    assert progress.inner_text() == f"Voortgang: 2 van {len(steps)} modules klaar."
    assert page.locator(".leerpad-voortgang progress").evaluate("p => [p.value, p.max]") == [
        2,
        len(steps),
    ]
    marks = page.eval_on_selector_all(
        ".leerpad-stap", "els => els.map(e => [e.dataset.module, e.textContent])"
    )
    assert marks == [[m, "\u2713 klaar" if m in steps[:2] else ""] for m in steps]

    # undo: the module is no longer done, on its page and on the path
    open_site(page, site, f"modules/{steps[0]}/")
    page.get_by_role("button", name="Markeer als klaar", pressed=True).click()
    open_site(page, site, f"paden/{path.id}/")
    assert progress.inner_text() == f"Voortgang: 1 van {len(steps)} modules klaar."


def test_path_with_planned_modules(page, site, catalogue):
    path = next(p for p in catalogue.paths if p.id == "testpad-gepland")
    steps = catalogue.path_steps(path)
    planned = [s for s in steps if not s["module"]]
    ready = [s for s in steps if s["module"]]
    assert planned and ready
    open_site(page, site, f"paden/{path.id}/")
    waiting = f"{len(planned)} module" if len(planned) == 1 else f"{len(planned)} modules"
    assert page.locator(".leerpad-voortgang p").inner_text() == (
        f"Voortgang: 0 van {len(ready)} modules klaar. Nog {waiting} in voorbereiding."
    )
    items = page.locator("article ol > li")
    assert items.count() == len(steps)
    for item, step in zip(items.all(), steps, strict=True):
        if step["module"]:
            assert item.get_by_role("link", name=step["module"].title).is_visible()
        else:
            assert "nog in voorbereiding" in item.inner_text()
            assert item.get_by_role("link", name=step["title"]).count() == 0


# -- a learner's progress, from the server -----------------------------------------------------
LEARNER = "els-wouters"
GRADED, HANDED_IN, STARTED, UNTOUCHED = (
    "ct-01-algoritme",
    "ct-02-gridrobot",
    "ct-03-decompositie",
    "ct-05-zoeken-sorteren",
)


@pytest.fixture(scope="module")
def cohort_site(built_site, isolated_env, tmp_path_factory):
    """The site served with a cohort behind it, where Els has one module graded (7 of 9
    points, in the real gradebook), one handed in and not graded yet, one started (an answer
    in her learner record) and one untouched. Yields the site's address and her link."""
    var = tmp_path_factory.mktemp("voortgang") / "var"
    env = {**isolated_env, "LEERPAD_VAR": str(var)}
    with leerpad_var(isolated_env, var):
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.handin import submit_from_app
        from leerpad.grading.identity import personal_query
        from leerpad.widgets.store import LearnerRecord

        cohort = Cohort("kring").create("bootcamp-basisonderwijs")
        for module in cohort.path_modules():
            (cohort.release_dir / module).mkdir(parents=True)  # released (no notebook needed)
        with cohort.gradebook() as gb:
            gb.update_or_create_student(LEARNER)
            gb.add_assignment(GRADED)
            gb.add_notebook(GRADED, GRADED)
            gb.add_grade_cell("oefening", GRADED, GRADED, max_score=9, cell_type="code")
            gb.add_submission(GRADED, LEARNER)
            grade = gb.find_grade("oefening", GRADED, GRADED, LEARNER)
            grade.auto_score, grade.needs_manual_grade = 7, False
            gb.db.commit()
        cohort.update_settings(roster=[LEARNER])
        submit_from_app(cohort.dir, HANDED_IN, LEARNER, {"x": {"answer": "ja"}})
        LearnerRecord(LEARNER, STARTED, cohort=cohort.name).answers().put(
            "y", {"answer": "half af"}
        )
        link = f"paden/bootcamp-basisonderwijs/?cohort=kring&{personal_query(cohort.dir, LEARNER)}"
    with serving(built_site, env) as url:
        yield url, url + link


def states(page) -> dict:
    """What the path says per module: {module: (state, text)}."""
    page.locator(".leerpad-resultaat [data-staat]").first.wait_for(timeout=120_000)
    found = page.eval_on_selector_all(
        ".leerpad-resultaat",
        "els => els.map(e => [e.dataset.module, e.firstChild && e.firstChild.dataset.staat,"
        " e.innerText.trim()])",
    )
    return {module: (state, text) for module, state, text in found}


def test_a_learners_path_progress_comes_from_the_server(browser, cohort_site):
    """Els's progress is what the server knows of her hand-ins and grades: the same in a
    browser that marked other modules as done, after clearing it, and on another device.
    Without her link the browser's own marks count, as before."""
    site, link = cohort_site
    laptop = browser.new_context(viewport={"width": 1280, "height": 720}, locale="nl-BE")
    page = laptop.new_page()
    page.goto(site + "paden/bootcamp-basisonderwijs/")  # marked as done here, long ago
    page.evaluate(f"() => localStorage.setItem('leerpad:klaar', '[\"{UNTOUCHED}\"]')")
    page.goto(link)
    seen = states(page)
    assert seen[GRADED] == ("verbeterd", "Verbeterd: 7 van 9 punten."), seen
    state, text = seen[HANDED_IN]
    assert (
        state == "ingeleverd"
        and text.startswith("Ingeleverd op ")
        and (text.endswith(", nog niet verbeterd."))
    ), seen
    assert seen[STARTED] == ("bezig", "Bezig: je antwoorden zijn bewaard, nog niet ingeleverd.")
    assert seen[UNTOUCHED] == ("nog-niet-gestart", "Nog niet gestart."), seen
    summary = page.locator(".leerpad-voortgang").inner_text()
    assert f"Je bent herkend als {LEARNER} (cohort kring)." in summary, summary
    assert "Ingeleverd: 2 van 4 modules. Verbeterd: 1 van 4 modules, samen 7 van 9 punten." in (
        summary
    ), summary
    assert "klaar" not in summary  # not this browser's marks...
    assert page.locator(".leerpad-stap", has_text="klaar").count() == 0
    bar = page.locator(".leerpad-voortgang progress")
    assert bar.evaluate("p => [p.value, p.max]") == [2, 4]
    # ...and her module page says it too, without a button that marks only this browser
    page.goto(site + f"modules/{HANDED_IN}/")
    result = page.locator(f'.leerpad-resultaat[data-module="{HANDED_IN}"]')
    result.get_by_text("nog niet verbeterd").wait_for(timeout=120_000)
    assert page.locator("button.leerpad-klaar").is_hidden()

    # She clears her browser, then opens her link again: the same progress.
    page.evaluate("() => localStorage.clear()")
    page.goto(link)
    assert states(page) == seen
    laptop.close()
    # Another device (her phone): the same.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(link)
    assert states(page) == seen
    phone.close()

    # Without a personal link: the browser's own marks, no state from the server.
    other = browser.new_context()
    page = other.new_page()
    page.goto(site + "paden/bootcamp-basisonderwijs/")
    page.locator(".leerpad-voortgang progress").wait_for()
    assert page.locator(".leerpad-voortgang p").inner_text() == "Voortgang: 0 van 4 modules klaar."
    assert page.locator(".leerpad-resultaat [data-staat]").count() == 0
    other.close()


# -- zelfscan ---------------------------------------------------------------------------------
def answer_scan(page, values, audience):
    page.select_option("#zelfscan-doelgroep", audience)
    for number, value in enumerate(values, 1):
        page.locator(f"input[name=s{number}][value='{value}']").check()
    page.get_by_role("button", name="Toon mijn resultaat").click()


def scan_data(page) -> dict:
    return page.evaluate(
        "() => JSON.parse(document.getElementById('leerpad-zelfscan-data').textContent)"
    )


def test_zelfscan_draws_a_radar_and_recommends_without_sending_anything(page, site, catalogue):
    open_site(page, site, "zelfscan/")
    page.wait_for_load_state("networkidle")  # the page and its search index are in
    requests = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url} {r.post_data or ''}"))
    data = scan_data(page)
    areas = [a["id"] for a in data["areas"]]
    statements = [s["area"] for s in data["statements"]]
    # every area 5, except "lesgeven" (3): the weakest, for a teacher in tso/bso
    values = [2 if area == "3" else 5 for area in statements]
    answer_scan(page, values, "tso-bso")
    result = page.locator("#leerpad-zelfscan-resultaat")
    result.wait_for()

    # the radar: one axis and one score point per area, scores as the averages of the answers
    radar = page.locator("svg.leerpad-radar")
    assert radar.get_attribute("role") == "img"
    assert radar.locator("line").count() == len(areas)
    points = radar.locator("polygon.leerpad-radar-score").get_attribute("points").split()
    assert len(points) == len(areas)
    described = radar.locator("desc").text_content()
    for area in areas:
        mine = [v for v, a in zip(values, statements, strict=True) if a == area]
        average = f"{sum(mine) / len(mine):.1f}".replace(".", ",")
        assert f"{average} op 5" in described

    # the recommendation: the path for the weakest area and the audience, a ready module
    by_id = {p.id: p for p in catalogue.paths}
    text = result.inner_text()
    assert "Je laagste score is 3." in text
    path_link = result.locator("a").nth(0)
    path_id = path_link.get_attribute("href").strip("/").split("/")[-1]
    assert path_id == "xr-in-tso-bso"
    assert path_link.inner_text() == by_id[path_id].meta["title"]
    ready = [s["module"] for s in catalogue.path_steps(by_id[path_id]) if s["module"]]
    start = next((m for m in ready if any(c.startswith("3.") for c in m.meta["digcompedu"])), None)
    start = start or ready[0]
    module_link = result.locator("a").nth(1)
    assert module_link.get_attribute("href").strip("/").endswith(f"modules/{start.id}")
    assert requests == [], requests  # nothing left the browser

    # the links lead to real pages; the answers are kept in this browser and come back
    path_link.click()
    page.wait_for_url(f"**/paden/{path_id}/")
    page.go_back()
    page.reload()
    assert page.locator("svg.leerpad-radar").is_visible()
    assert page.input_value("#zelfscan-doelgroep") == "tso-bso"
    page.get_by_role("button", name="Wis mijn antwoorden").click()
    assert not result.is_visible()
    assert page.evaluate("() => localStorage.getItem('leerpad:zelfscan')") is None


@pytest.mark.parametrize("weak", ["1", "4"])
def test_zelfscan_proposes_a_module_that_trains_the_weak_area_or_says_there_is_none(
    page, site, weak
):
    """Weak in an area that no module trains yet (1): the scan says so. Weak in one that some
    module trains (4): it names such a module, not any first module."""
    open_site(page, site, "zelfscan/")
    data = scan_data(page)
    statements = [s["area"] for s in data["statements"]]
    answer_scan(page, [1 if area == weak else 5 for area in statements], "tso-bso")
    result = page.locator("#leerpad-zelfscan-resultaat")
    result.wait_for()
    training = [m["id"] for m in data["modules"] if weak in m["areas"]]
    name = next(a["name"] for a in data["areas"] if a["id"] == weak)
    text = result.inner_text()
    assert f"Je laagste score is {weak}. {name}." in text
    links = [a.get_attribute("href") for a in result.locator("a").all()]
    proposed = [h.strip("/").split("/")[-1] for h in links if "/modules/" in h]
    if not training:
        assert f"Er is nog geen module die {weak}. {name} traint" in text
        assert proposed == []
    else:  # a module that trains it: on the proposed path, or named apart when off it
        on_path = ", te beginnen met de module " in text
        assert on_path != (f"Een module die {weak}. {name} traint:" in text), text
        assert len(proposed) == 1 and proposed[0] in training


def test_zelfscan_asks_every_statement(page, site):
    open_site(page, site, "zelfscan/")
    page.locator("input[name=s1][value='3']").check()
    page.get_by_role("button", name="Toon mijn resultaat").click()
    assert not page.locator("#leerpad-zelfscan-resultaat").is_visible()
    assert page.evaluate("() => document.querySelector('input[name=s2]').validity.valueMissing")


def test_zelfscan_from_the_keyboard(page, site):
    """Tab from group to group, Space chooses, the arrows change the choice, Enter sends."""
    open_site(page, site, "zelfscan/")
    statements = len(scan_data(page)["statements"])
    page.focus("#zelfscan-doelgroep")
    for _ in range(statements):
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # the first value of the group
        page.keyboard.press("ArrowRight")  # one more: 2
    checked = page.eval_on_selector_all(
        "#leerpad-zelfscan input[type=radio]:checked", "els => els.map(e => e.value)"
    )
    assert checked == ["2"] * statements
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Toon mijn resultaat"
    page.keyboard.press("Enter")
    page.locator("svg.leerpad-radar").wait_for()
    assert "2,0 op 5" in page.locator("svg.leerpad-radar desc").text_content()


# -- print ------------------------------------------------------------------------------------
def test_module_page_prints_cleanly(page, site, catalogue):
    module = catalogue.modules["ct-01-algoritme"]
    open_site(page, site, f"modules/{module.id}/")
    page.emulate_media(media="print")
    for hidden in (".md-header", ".md-sidebar--primary", ".md-footer", ".leerpad-knoppen"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert not page.get_by_role("button", name="Markeer als klaar").is_visible()
    assert page.get_by_role("heading", name=module.title, level=1).is_visible()
    assert page.locator(".leerpad-oefening").first.is_visible()
    competence = page.locator("article a[href*='competenties/']").first
    after = competence.evaluate("a => getComputedStyle(a, '::after').content")
    assert re.search(r"http://127\.0\.0\.1:\d+/competenties/", after), after
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    assert page.locator(".md-header").is_visible()
    after = competence.evaluate("a => getComputedStyle(a, '::after').content")
    assert "http" not in after  # on screen, the address is not repeated


def test_worksheet_prints_the_sheet_alone(page, site):
    """The {werkblad} print page: on paper no navigation, no title bar, no link back; the
    sheet with its own title and a table with room to write."""
    open_site(page, site, "modules/galerij-oefentypes/werkblad/")
    sheet = page.get_by_role("heading", name="Werkblad: de schoolweg in stappen", level=2)
    assert sheet.is_visible() and page.get_by_role("link", name="Terug naar de module").is_visible()
    page.emulate_media(media="print")
    for hidden in (".md-header", ".md-sidebar--primary", ".md-footer", ".leerpad-werkblad-kop"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert not page.get_by_role("heading", level=1).is_visible()
    assert not page.get_by_role("link", name="Terug naar de module").is_visible()
    assert sheet.is_visible()
    cell = page.locator(".leerpad-werkblad td").first
    assert cell.evaluate("td => getComputedStyle(td).borderTopStyle") == "solid"
    assert page.pdf(format="A4").startswith(b"%PDF")


# -- screenshots for the README ---------------------------------------------------------------
def test_pages_shown_in_the_readme(page, site):
    """Home, a path, a module and the zelfscan as a newcomer sees them. With
    LEERPAD_UPDATE_SCREENSHOTS=1 they are saved for the README."""
    save = os.environ.get("LEERPAD_UPDATE_SCREENSHOTS")
    if save:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name):
        if save:
            page.screenshot(path=str(SCREENSHOTS / name))

    open_site(page, site, "")
    assert page.get_by_role("heading", name="Leerpaden").is_visible()
    shot("site-home.png")
    open_site(page, site, "modules/ct-02-gridrobot/")
    page.get_by_role("button", name="Markeer als klaar").click()
    open_site(page, site, "paden/bootcamp-basisonderwijs/")
    assert "Voortgang: 1 van" in page.locator(".leerpad-voortgang").inner_text()
    shot("site-leerpad.png")
    open_site(page, site, "modules/ct-01-algoritme/")
    assert page.get_by_role("link", name="Open als app").is_visible()
    shot("site-module.png")
    open_site(page, site, "zelfscan/")
    answer_scan(page, [4, 3, 3, 4, 2, 3, 4, 2], "basisonderwijs")
    page.locator("svg.leerpad-radar").wait_for()
    page.evaluate(
        "() => window.scrollTo(0, document.getElementById('leerpad-zelfscan-resultaat')"
        ".getBoundingClientRect().top + window.scrollY - 70)"
    )
    page.wait_for_function(
        "() => Math.abs(window.scrollY - (window.__y || -1)) < 1 || "
        "(window.__y = window.scrollY, false)",
        polling=100,
    )
    shot("site-zelfscan.png")
