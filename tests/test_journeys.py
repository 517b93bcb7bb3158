"""The three journeys of issue 12, each walked as one story in Chromium on the real platform,
from the command that starts it to the feedback the learner reads, with a reload and a
platform restart (Ctrl-C, start again on the same ports and data) in the middle:
the teacher (her personal link, her path, her app, her feedback), the trainer (cohort,
links, grading, report) and the pupil (class link, pseudonym, hand-in), the last one also on
a phone. Screenshots of every story land in build/journeys/."""

import csv

import pytest
from conftest import restart_platform
from stories import MODULE, RIGHT, exercise, hand_in, http, leerpad, open_app, screenshot

PATH = "bootcamp-basisonderwijs"
OPEN_ANSWER = "Mijn klas schrijft samen het stappenplan om de boekentas te maken."
REMARK = "Mooi concreet. Laat de leerlingen het stappenplan ook eens door een ander volgen."

pytestmark = [pytest.mark.servers, pytest.mark.browser]


def trainer_makes_links(platform, cohort, learners, tmp_path) -> dict:
    """The trainer's part before a teacher starts: a cohort for a path, her roster, links."""
    roster = tmp_path / f"{cohort}.csv"
    roster.write_text("id\n" + "\n".join(learners) + "\n", encoding="utf-8")
    leerpad(platform, "cohort", "create", cohort, "--path", PATH, "--roster", str(roster))
    leerpad(
        platform,
        "cohort",
        "links",
        cohort,
        "--apps-url",
        platform["apps"],
        "--site-url",
        platform["site"],
    )
    with open(platform["var"] / "cohorts" / cohort / "links.csv", encoding="utf-8") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def answer_five(page):
    """Five exercises of module 1, one of them wrong first (a second attempt)."""
    choice = exercise(page, "Welke beschrijving is een algoritme?")
    choice.get_by_label(RIGHT).check()
    choice.get_by_role("button", name="Controleer").click()
    choice.get_by_text("Juist!").wait_for(timeout=30_000)
    truth = exercise(page, "Herhaal: stap vooruit.")
    truth.get_by_label("Juist", exact=True).check()
    truth.get_by_role("button", name="Controleer").click()
    truth.get_by_text("Kijk nog eens").wait_for(timeout=30_000)
    truth.get_by_label("Fout", exact=True).check()
    truth.get_by_role("button", name="Controleer").click()
    truth.get_by_text("Inderdaad.").wait_for(timeout=30_000)
    number = exercise(page, "Hoeveel keer moet juf Leen")
    number.locator("input[type=text]").fill("6")
    number.get_by_role("button", name="Controleer").click()
    number.get_by_text("Juist!").wait_for(timeout=30_000)
    blanks = exercise(page, "Vul de twee ontbrekende woorden in.").locator("input[type=text]")
    blanks.nth(0).fill("precieze")
    blanks.nth(1).fill("volgorde")
    exercise(page, "Ontwerp een korte activiteit").locator("textarea").fill(OPEN_ANSWER)


def test_teacher(platform, browser, tmp_path):
    links = trainer_makes_links(platform, "demo", ["els-wouters"], tmp_path)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(links["els-wouters"]["leerpad"])
    page.get_by_text("Je bent herkend als els-wouters").wait_for(timeout=30_000)
    screenshot(page, "teacher-1-path")
    page.locator(f'a[href*="modules/{MODULE}/"]').first.click()
    page.get_by_role("link", name="Open als app").wait_for()
    screenshot(page, "teacher-2-module")
    page.get_by_role("link", name="Open als app").click()
    page.locator(".leerpad-handin").wait_for(timeout=120_000)
    name = page.get_by_label("Je naam of schuilnaam")
    print("APP FROM SITE url", page.url, "name", name.input_value(), name.is_disabled())
    page.locator(".leerpad-handin").scroll_into_view_if_needed()
    screenshot(page, "teacher-3-app-from-site")
    page.close()

    page = open_app(browser, links["els-wouters"][MODULE])
    answer_five(page)
    page.wait_for_timeout(3000)
    screenshot(page, "teacher-4-answered")
    page.reload()
    page.locator(".leerpad-handin").wait_for(timeout=120_000)
    page.wait_for_timeout(8000)
    report_state(page, "after reload")
    screenshot(page, "teacher-5-reloaded")
    page.close()
    restart_platform(platform)
    page = open_app(browser, links["els-wouters"][MODULE])
    page.wait_for_timeout(8000)
    report_state(page, "after restart")
    screenshot(page, "teacher-6-restarted")
    page.close()


def report_state(page, when):
    choice = exercise(page, "Welke beschrijving is een algoritme?")
    truth = exercise(page, "Herhaal: stap vooruit.")
    number = exercise(page, "Hoeveel keer moet juf Leen").locator("input[type=text]")
    blanks = exercise(page, "Vul de twee ontbrekende woorden in.").locator("input[type=text]")
    text = exercise(page, "Ontwerp een korte activiteit").locator("textarea")
    print(when, choice.get_by_label(RIGHT).is_checked(), truth.get_by_label("Fout", exact=True).is_checked(),
          number.input_value(), blanks.nth(0).input_value(), text.input_value())
    print(when, "choice:", choice.inner_text()[-300:])
    print(when, "truth:", truth.inner_text()[-300:])
