"""A teacher does module 1 in the app in a real Chromium, hands in, and the autograded
score lands in nbgrader's gradebook; the answers come back after a reload."""

import os
import secrets
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import expect

MODULE = "ct-01-algoritme"
APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"
RIGHT = (
    "Zet de stoelen op de bank, veeg van voor naar achter, leeg het vuilbakje, doe het licht uit."
)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "site" / "docs" / "assets" / "screenshots"

pytestmark = [pytest.mark.servers, pytest.mark.browser]


def open_app(browser, platform, device=""):
    """The app as the site's "Open als app" opens it: with this browser's device id."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    external = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if "127.0.0.1" not in r.url and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    page.goto(platform["apps"] + APP + (f"?toestel={device}" if device else ""), timeout=120_000)
    page.locator(".leerpad-exercise").nth(5).wait_for(timeout=120_000)
    return page, external


def exercise(page, text):
    return page.locator(".leerpad-exercise", has_text=text)


def test_hand_in_from_the_app_is_graded(browser, platform):
    device = secrets.token_hex(12)
    page, external = open_app(browser, platform, device)
    choice = exercise(page, "Welke beschrijving is een algoritme?")
    choice.get_by_label(RIGHT).check()
    choice.get_by_role("button", name="Controleer").click()
    choice.get_by_text("Juist!").wait_for(timeout=30_000)

    number = exercise(page, "Hoeveel keer moet juf Leen")
    field = number.locator("input[type=text]")
    field.fill("7")
    field.press("Tab")  # keyboard: focus moves on, then Enter on the focused button
    number.get_by_role("button", name="Controleer").focus()
    page.keyboard.press("Enter")
    number.get_by_text("Nog niet juist.").wait_for(timeout=30_000)
    field.fill("6")
    number.get_by_role("button", name="Controleer").click()
    number.get_by_text("Juist!").wait_for(timeout=30_000)

    page.get_by_label("Je naam of schuilnaam").fill("juf-browser")
    if os.environ.get("LEERPAD_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        choice.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "app.png"))
    page.get_by_role("button", name="Inleveren").click()
    page.get_by_text("Verbeterd:").wait_for(timeout=180_000)
    assert "Verbeterd: 2 van 13 punten" in page.inner_text("body")

    cohort = platform["var"] / "cohorts" / "demo"
    with Gradebook(f"sqlite:///{cohort / 'gradebook.db'}", course_id="demo") as gb:
        submission = gb.find_submission(MODULE, "juf-browser")
        assert submission.score == 2
        grades = {
            g.name: g.score
            for g in gb.find_submission_notebook(MODULE, MODULE, "juf-browser").grades
        }
        assert grades["ct01-herken"] == 1 and grades["ct01-stappen"] == 1
        assert grades["ct01-eindig"] == 0

    # The feedback opens in a tab of its own: the site's page, in Dutch, with her answers.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Bekijk feedback").click()
    feedback = opened.value
    feedback.get_by_text("Je score: 2 van 13 punten").wait_for(timeout=60_000)
    herken = feedback.locator('[data-oefening="ct01-herken"]')
    expect(herken).to_contain_text(RIGHT)
    expect(herken).to_contain_text("Juist!")
    assert feedback.url.startswith(platform["site"]) and "sig=" not in feedback.url
    feedback.close()
    assert external == []
    page.close()

    # Another browser (another device id, or none) gets none of these answers, nor the
    # feedback under her name.
    for other in (secrets.token_hex(12), ""):
        page, _ = open_app(browser, platform, other)
        page.get_by_label("Je naam of schuilnaam").fill("juf-browser")
        page.get_by_label("Je naam of schuilnaam").press("Enter")
        page.get_by_role("button", name="Inleveren").click()
        page.get_by_text("al ingeleverd vanop een ander toestel").wait_for(timeout=30_000)
        assert not exercise(page, "Welke beschrijving").get_by_label(RIGHT).is_checked()
        assert page.get_by_role("link", name="Bekijk feedback").count() == 0
        page.close()

    # Reload: a new kernel; the same browser (device id) finds every answer back.
    page, _ = open_app(browser, platform, device)
    choice = exercise(page, "Welke beschrijving is een algoritme?")
    choice.get_by_label(RIGHT).wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('input[type=radio]')].some(r => r.checked)",
        timeout=30_000,
    )
    assert choice.get_by_label(RIGHT).is_checked()
    # The answers come back one exercise after another: wait for the number too.
    number = exercise(page, "Hoeveel keer moet juf Leen").locator("input[type=text]")
    expect(number).to_have_value("6", timeout=30_000)
    page.close()


def test_site_screenshots(browser, platform):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(platform["site"] + "/paden/bootcamp-basisonderwijs/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bootcamp")
    if os.environ.get("LEERPAD_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "leerpad.png"))
    page.close()
