"""The trainer's journey after the hand-ins: `leerpad grade` says what it found, the report
follows the cohort's path in Belgian time, and open answers are graded against their rubric
in the trainer's own JupyterLab server (real server, real gradebook, real Chromium)."""

import http.cookiejar
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import leerpad_var
from leerpad.grading.handin import submission_time, submit_from_app

from leerpad.catalogue import Catalogue
from leerpad.cli import main
from leerpad.preview import free_port

PATH = "bootcamp-basisonderwijs"  # ct-01, ct-02, ct-03, ct-05: in that order
FIRST, LATER, OFF_PATH = "ct-01-algoritme", "ct-05-zoeken-sorteren", "ct-04-abstractie-data"
ROSTER = "id\nAn Peeters\nTom Maes\nEls Janssens\n"
TRANSFER = "ct01-transfer"
ANSWER = (
    "Mijn derde leerjaar schrijft een stappenplan voor het klaarzetten van de refter.\n"
    "Een klasgenoot voert het letterlijk uit; waar het misloopt, verbeteren ze de stap."
)
ELS = (
    "Vijfde leerjaar. De leerlingen schrijven in duo's een stappenplan om de boekentassen na de "
    "speeltijd op te bergen. Een ander duo speelt 'robot' en voert het letterlijk uit.\n\n"
    "Wat niet precies genoeg is, markeren ze in het rood en herschrijven ze."
)
SCREENSHOT = Path(__file__).resolve().parent.parent / "site/docs/assets/screenshots/rubriek.png"


@pytest.fixture(scope="module")
def cohort(isolated_env, tmp_path_factory):
    """Cohort 'kamp' on the basic-education path, with three hand-ins of its first module:
    two graded by the app at hand-in (as the app does), one not yet."""
    base = tmp_path_factory.mktemp("trainer")
    with leerpad_var(isolated_env, base / "var"):
        from leerpad.grading.autograde import grade_one
        from leerpad.grading.cohort import Cohort
        from leerpad.grading.release import release_all

        roster = base / "cursisten.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        assert main(["cohort", "create", "kamp", "--path", PATH, "--roster", str(roster)]) == 0
        cohort = Cohort("kamp")
        modules = Catalogue().modules
        release_all(cohort, [modules[m] for m in (OFF_PATH, LATER, FIRST)], log=lambda *_: None)
        for learner in ("an-peeters", "tom-maes", "els-janssens"):
            answer = {"an-peeters": ANSWER, "els-janssens": ELS}.get(learner, "Kort antwoord.")
            submit_from_app(cohort.dir, FIRST, learner, {TRANSFER: {"answer": answer}})
        for learner in ("an-peeters", "tom-maes"):
            grade_one(cohort.dir, FIRST, learner)  # what the app does at hand-in
        yield cohort


def test_grade_says_what_it_found(cohort, capsys):
    assert main(["grade", "kamp"]) == 0
    out = capsys.readouterr().out
    assert (
        "Samengevat: 3 ingeleverd, 2 al verbeterd bij het inleveren of eerder, 1 nu verbeterd, "
        "3 wachten op een trainer (open vragen)." in out
    ), out
    assert "els-janssens ct-01-algoritme: " in out and "(wacht op een trainer)" in out
    assert "/leerpad/beoordelen/" in out
    # a second run: nothing new, and it says so instead of "0 verbeterd" alone
    assert main(["grade", "kamp"]) == 0
    out = capsys.readouterr().out
    assert "3 ingeleverd, 3 al verbeterd bij het inleveren of eerder, 0 nu verbeterd" in out


def test_report_follows_the_path_in_belgian_time(cohort, capsys):
    submit_from_app(cohort.dir, OFF_PATH, "tom-maes", {})  # released, but not on the path
    submit_from_app(cohort.dir, LATER, "tom-maes", {})
    assert main(["grade", "kamp"]) == 0
    capsys.readouterr()
    assert main(["report", "kamp"]) == 0
    out = capsys.readouterr().out
    assert "/leerpad/rapport/" in out and "/files/" not in out
    page = (cohort.dir / "rapport" / "index.html").read_text(encoding="utf-8")
    header = (cohort.dir / "rapport" / "punten.csv").read_text(encoding="utf-8-sig")
    assert header.splitlines()[0] == f"cursist;{FIRST};{LATER};totaal;te laat"
    assert OFF_PATH not in page and page.index(FIRST) < page.index(LATER)
    assert PATH in page and "wacht op een trainer" in page
    # every time in Belgian time: Tom's hand-in as a Flemish reader reads it
    when = submission_time(cohort.dir / "submitted" / "tom-maes" / LATER)
    local = when.astimezone(ZoneInfo("Europe/Brussels"))
    shown = f"ingeleverd {local.day}/{local.month}/{local.year} om {local:%H:%M}"
    assert shown in page
    utc = f"om {when:%H:%M}"
    assert local.utcoffset() and utc not in page  # no UTC time next to it


def test_the_banner_says_which_cohort_runs_on_which_path(cohort, capsys):
    from leerpad.platform import Platform, Ports, addresses

    where = addresses()  # nothing runs here: the configured ports, as the banner reads them
    banner = Platform(Ports(), cohort.name).banner(cohort)
    assert "leerpad draait cohort 'kamp' (leerpad Bootcamp basisonderwijs" in banner
    assert f"{where.site}/paden/{PATH}/" in banner
    assert f"{where.trainer}/leerpad/beoordelen/" in banner
    # a cohort that does not exist is not started (a typo would start an empty one)
    assert main(["start", "--cohort", "kmap"]) == 2
    assert "leerpad cohort create kmap" in capsys.readouterr().err


# -- the trainer's JupyterLab server, with leerpad's pages ---------------------------------
@pytest.fixture(scope="module")
def trainer(cohort):
    from leerpad.platform import Platform, Ports

    port = free_port()
    platform = Platform(Ports(trainer=port), cohort.name)
    platform.start_trainer(cohort)
    try:
        platform.wait_until_listening(timeout=180, names=("trainer",))
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/api/status", platform.trainer_token())
        yield {"url": url, "token": platform.trainer_token(), "platform": platform}
    finally:
        platform.stop()


def wait_for_http(url, token, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30):
                return
        except (TimeoutError, urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener_with_cookies():
    """A browser's way in: the token once in the URL, then Jupyter's login cookie."""
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect), jar


def fetch(opener, url, data=None):
    try:
        with opener.open(url, data=data, timeout=60) as response:
            return response.status, response.read().decode("utf-8"), response.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), err.headers


def test_counts_are_dutch_singular_or_plural():
    from leerpad.servers.trainer import count, points

    assert count(1, "open antwoord", "open antwoorden") == "1 open antwoord"
    assert count(3, "open antwoord", "open antwoorden") == "3 open antwoorden"
    assert count(0, "wacht", "wachten") == "0 wachten"
    assert points(1) == "1 punt" and points(2.5) == "2,5 punten"


def test_trainer_pages_need_the_trainer_login(trainer):
    opener, _ = opener_with_cookies()
    for page in ("/leerpad/beoordelen/", "/leerpad/rapport/", "/leerpad/klas/"):
        status, _, headers = fetch(opener, trainer["url"] + page)
        assert status in (302, 403) and "/login" in headers.get("Location", "/login"), page


def test_trainer_jupyterlab_has_a_leerpad_menu(trainer):
    """The trainer finds the pages from JupyterLab itself: a 'leerpad' menu."""
    url = f"{trainer['url']}/lab/api/settings/@jupyterlab/mainmenu-extension:plugin"
    request = urllib.request.Request(url, headers={"Authorization": f"token {trainer['token']}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        settings = json.loads(response.read())
    menus = settings["schema"]["properties"]["menus"]["default"]  # the server's override
    menu = next(m for m in menus if m["id"] == "jp-mainmenu-leerpad")
    urls = {item["args"]["text"]: item["args"]["url"] for item in menu["items"]}
    assert urls == {
        "Open vragen beoordelen": "/leerpad/beoordelen/",
        "Rapport van het cohort": "/leerpad/rapport/",
        "Klaslinks met QR-code": "/leerpad/klas/",
    }


def test_rubric_page_saves_a_manual_score_in_the_gradebook(trainer, cohort):
    opener, jar = opener_with_cookies()
    base = trainer["url"]
    status, _, _ = fetch(opener, f"{base}/leerpad/beoordelen/?token={trainer['token']}")
    assert status == 200 and any(c.name.startswith("username-") for c in jar)  # logged in
    status, listing, _ = fetch(opener, f"{base}/leerpad/beoordelen/")  # the cookie alone
    assert status == 200
    # three of the first module, and Tom's two other hand-ins (each with an open question)
    assert "5 open antwoorden, 5 wachten op een trainer" in listing
    assert listing.count("wacht op een trainer</span>") == 5
    link = f"/leerpad/beoordelen/{FIRST}/an-peeters/{TRANSFER}"
    status, form, _ = fetch(opener, base + link)
    assert status == 200
    assert "refter" in form and "Doel en leerjaar zijn duidelijk" in form
    assert form.count("type='radio'") == 8  # 4 criteria of 1 point: 0 or 1 each
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
    fields = {"_xsrf": xsrf, "c0": "1", "c1": "1", "c2": "0", "c3": "1"}
    body = urllib.parse.urlencode({**fields, "commentaar": "Mooi concreet; laat ze testen."})
    status, _, headers = fetch(opener, base + link, body.encode())
    assert status == 302 and "bewaard=" in headers["Location"]
    with cohort.gradebook() as gb:
        grade = gb.find_grade(TRANSFER, FIRST, FIRST, "an-peeters")
        assert grade.manual_score == 3 and not grade.needs_manual_grade and grade.score == 3
        comment = gb.find_comment(TRANSFER, FIRST, FIRST, "an-peeters")
        assert comment.manual_comment == "Mooi concreet; laat ze testen."
        assert not gb.find_submission(FIRST, "an-peeters").needs_manual_grade
    # the learner's feedback is made again, with the trainer's comment in it
    feedback = cohort.dir / "feedback" / "an-peeters" / FIRST / f"{FIRST}.html"
    deadline = time.monotonic() + 300
    while not (feedback.exists() and "laat ze testen" in feedback.read_text(encoding="utf-8")):
        assert time.monotonic() < deadline, "de feedback kreeg het commentaar niet"
        time.sleep(0.5)
    status, listing, _ = fetch(opener, f"{base}/leerpad/beoordelen/")
    assert "4 wachten op een trainer" in listing and "beoordeeld: 3 punten" in listing
    status, form, _ = fetch(opener, base + link)  # the chosen levels come back
    assert form.count(" checked") == 4 and "laat ze testen" in form
    # a level that is not on the rubric is refused in Dutch, nothing stored
    bad = urllib.parse.urlencode({**fields, "c0": "7", "commentaar": ""}).encode()
    status, answer, _ = fetch(opener, base + link, bad)
    assert status == 400 and "geen niveau" in answer
    with cohort.gradebook() as gb:
        assert gb.find_grade(TRANSFER, FIRST, FIRST, "an-peeters").manual_score == 3
    # the report, from the same server with the same cookie, shows the trainer's points
    status, report, _ = fetch(opener, f"{base}/leerpad/rapport/")
    assert status == 200 and "Rapport cohort kamp" in report
    assert "/leerpad/beoordelen/'>Open vragen beoordelen</a>" in report  # a way on and back
    status, csv_text, _ = fetch(opener, f"{base}/leerpad/rapport/punten.csv")
    row = next(line for line in csv_text.splitlines() if line.startswith("an-peeters;"))
    assert row.split(";")[1] == "3"


def test_trainer_grades_an_open_answer_by_criteria_in_chromium(trainer, cohort, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-BE")
    lab = context.new_page()
    # the trainer opens the workspace with the link from `make start`, then the leerpad menu
    lab.goto(f"{trainer['url']}/lab?token={trainer['token']}", timeout=180_000)
    lab.get_by_role("menuitem", name="leerpad").click(timeout=180_000)
    with context.expect_page() as opened:
        lab.get_by_role("menuitem", name="Open vragen beoordelen").click()
    page = opened.value
    page.wait_for_load_state()
    assert "token" not in page.url  # no token pasted: the workspace's login is enough
    lab.close()
    page.get_by_role("link", name=f"Beoordeel els-janssens, {TRANSFER}").click()
    page.wait_for_url(re.compile(r"/leerpad/beoordelen/ct-01-algoritme/els-janssens/"))
    answer = page.locator(".answer")
    rubric = page.get_by_role("group").first
    assert "boekentassen" in answer.inner_text()
    # the criteria next to the answer: side by side, both in view
    a, r = answer.bounding_box(), rubric.bounding_box()
    assert r["x"] > a["x"] + a["width"] - 1 and abs(r["y"] - a["y"]) < 200
    groups = page.get_by_role("group")
    assert groups.count() == 4
    output = page.locator("output")
    assert output.inner_text() == "Totaal: 0 van 4 punten (nog 4 criteria te kiezen)"
    for n, level in enumerate(["1 punt", "0 punten", "1 punt", "1 punt"]):
        if n == 3:
            assert output.inner_text() == "Totaal: 2 van 4 punten (nog 1 criterium te kiezen)"
        groups.nth(n).get_by_label(level, exact=True).check()
    page.get_by_label("Commentaar voor de cursist").fill(
        "Sterk: de robot maakt 'precies' voelbaar. Geef nog aan hoe je het einde controleert."
    )
    assert page.locator("output").inner_text() == "Totaal: 3 van 4 punten"
    if os.environ.get("LEERPAD_UPDATE_SCREENSHOTS"):  # the README's picture
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.get_by_role("button", name="Bewaar beoordeling").click()
    saved = page.get_by_role("status")
    saved.wait_for(timeout=60_000)
    assert "Bewaard: els-janssens ct01-transfer, 3 punten van 4" in saved.inner_text()
    row = page.locator("tr", has_text=TRANSFER).filter(has_text="els-janssens")
    assert "beoordeeld: 3 punten" in row.inner_text()
    # said once: the address forgets it, so a reload (or a bookmark) does not repeat it
    assert "/leerpad/beoordelen/" in page.url and "bewaard" not in page.url, page.url
    page.reload()
    page.locator("tr", has_text="els-janssens").first.wait_for()
    assert page.get_by_role("status").count() == 0
    assert "Bewaard" not in page.locator("main").inner_text()
    with cohort.gradebook() as gb:
        assert gb.find_grade(TRANSFER, FIRST, FIRST, "els-janssens").manual_score == 3
    context.close()
