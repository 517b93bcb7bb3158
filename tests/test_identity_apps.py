"""Who is answering, on the real platform in Chromium: a pupil's pseudonym cannot be taken
over (issue 13, attack 2), a teacher's personal link travels from the site to her app and
survives a reload, and an anonymous visitor's answers survive a reload in her browser only."""

import csv

import pytest
from stories import MODULE, RIGHT, leerpad

COHORT = "demo"  # the cohort `leerpad start` serves
APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"
QUESTION = "Welke beschrijving is een algoritme?"

pytestmark = [pytest.mark.servers, pytest.mark.browser]


def new_page(browser):
    """A page in a browser of its own: its own localStorage, as on another device."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    return context.new_page()


def wait_for_app(page):
    page.locator(".leerpad-handin").wait_for(timeout=120_000)
    page.locator(".leerpad-exercise", has_text=QUESTION).wait_for(timeout=120_000)


def choice(page):
    return page.locator(".leerpad-exercise", has_text=QUESTION)


def answer_right(page):
    choice(page).get_by_label(RIGHT).check()
    choice(page).get_by_role("button", name="Controleer").click()
    choice(page).get_by_text("Juist!").wait_for(timeout=30_000)


def wait_checked(page):
    """The app restores saved answers while it starts: wait for the radio to come back."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('input[type=radio]')].some(r => r.checked)",
        timeout=60_000,
    )
    assert choice(page).get_by_label(RIGHT).is_checked()


def status(page) -> str:
    return page.locator(".leerpad-handin [role=status]").inner_text()


def files_of(cohort_var, learner) -> dict:
    """Every file the platform keeps for one learner: hand-ins, history, feedback, answers."""
    return {
        str(p): p.read_bytes()
        for p in sorted(cohort_var.rglob("*"))
        if p.is_file() and learner in p.relative_to(cohort_var).parts
    }


def test_a_pupil_pseudonym_cannot_be_taken_over(platform, browser):
    apps = platform["apps"]
    leerpad(platform, "cohort", "create", COHORT, "--open")  # names without a link are welcome
    out = leerpad(platform, "cohort", "class-link", COHORT, "--count", "2", "--apps-url", apps)
    class_link = next(line.split(": ", 1)[1] for line in out.splitlines() if f"{MODULE}:" in line)
    cohort = platform["var"] / "cohorts" / COHORT
    pseudonym, code = (cohort / "schuilnamen.txt").read_text().splitlines()[-1].split()

    # Pupil A: the class link, her pseudonym and code; she answers and hands in.
    a = new_page(browser)
    a.goto(class_link, timeout=120_000)
    wait_for_app(a)
    a.get_by_label("Je schuilnaam (van je leerkracht)").fill(pseudonym)
    a.get_by_label("Je code").fill(code)
    a.get_by_label("Je code").press("Enter")
    a.get_by_text(f"Aangemeld als {pseudonym}").wait_for(timeout=30_000)
    answer_right(a)
    a.get_by_role("button", name="Inleveren").click()
    a.locator(".leerpad-handin [role=status]", has_text="Verbeterd:").wait_for(timeout=180_000)
    a.context.close()
    before = files_of(platform["var"], pseudonym)
    assert any("submitted" in path for path in before), before.keys()

    # Pupil B, without klas=: the pseudonym is refused, and the refusal does not name it.
    b = new_page(browser)
    b.goto(f"{apps}{APP}?toestel={'b' * 24}", timeout=120_000)
    wait_for_app(b)
    name = b.get_by_label("Je naam of schuilnaam")
    name.fill(pseudonym)
    name.press("Enter")
    b.get_by_role("button", name="Inleveren").click()
    b.get_by_text("hoort bij een persoonlijke link of bij een klaslink").wait_for(timeout=30_000)
    assert pseudonym not in status(b)
    assert not choice(b).get_by_label(RIGHT).is_checked()  # A's answer is not shown to B
    assert b.get_by_role("link", name="Bekijk feedback").count() == 0
    b.context.close()

    # Pupil B with the class link but without A's code: refused, whatever B tries.
    b = new_page(browser)
    b.goto(class_link, timeout=120_000)
    wait_for_app(b)
    b.get_by_label("Je schuilnaam (van je leerkracht)").fill(pseudonym)
    b.get_by_role("button", name="Inleveren").click()
    b.get_by_text("Vul ook de code in").wait_for(timeout=30_000)
    wrong = "AAAA" if code != "AAAA" else "CCCC"
    b.get_by_label("Je code").fill(wrong)
    b.get_by_label("Je code").press("Enter")
    b.get_by_text("Deze schuilnaam en code horen niet bij elkaar").wait_for(timeout=30_000)
    b.get_by_role("button", name="Inleveren").click()
    assert pseudonym not in status(b) and "horen niet bij elkaar" in status(b)
    assert not choice(b).get_by_label(RIGHT).is_checked()
    assert b.get_by_role("link", name="Bekijk feedback").count() == 0
    b.context.close()

    # A's hand-in, feedback and answers are untouched: nothing moved to history.
    assert files_of(platform["var"], pseudonym) == before


def test_her_personal_link_travels_from_the_site_to_her_app(platform, browser, tmp_path):
    roster = tmp_path / "cursisten.csv"
    roster.write_text("id\nan-declercq\n", encoding="utf-8")
    options = ["--path", "bootcamp-basisonderwijs", "--roster", str(roster), "--no-open"]
    leerpad(platform, "cohort", "create", COHORT, *options)
    try:
        travels(platform, browser)
    finally:  # later tests on this platform hand in under names of their own
        leerpad(platform, "cohort", "create", COHORT, "--open")


def travels(platform, browser):
    """Path link -> module page -> "Open als app" -> her app, and a reload keeps her."""
    apps, site = platform["apps"], platform["site"]
    leerpad(platform, "cohort", "links", COHORT, "--apps-url", apps, "--site-url", site)
    with open(platform["var"] / "cohorts" / COHORT / "links.csv", encoding="utf-8") as f:
        path_link = next(r["leerpad"] for r in csv.DictReader(f) if r["id"] == "an-declercq")

    # Her path link on the site; then path -> module page -> "Open als app".
    page = new_page(browser)
    page.goto(path_link)
    page.get_by_text("Je bent herkend als an-declercq").wait_for(timeout=30_000)
    assert "sig=" not in page.url
    page.locator(f'.md-content a[href*="modules/{MODULE}"]').first.click()
    page.wait_for_url(f"**/modules/{MODULE}/**")
    page.get_by_role("link", name="Open als app").click()
    wait_for_app(page)
    assert page.url.startswith(apps) and "leerling=an-declercq" in page.url
    name = page.get_by_label("Je naam of schuilnaam")
    assert name.input_value() == "an-declercq" and name.is_disabled()
    assert page.get_by_role("button", name="Inleveren").is_enabled()
    answer_right(page)

    # A reload keeps her: the same learner, her answer back.
    page.reload()
    wait_for_app(page)
    assert page.get_by_label("Je naam of schuilnaam").input_value() == "an-declercq"
    wait_checked(page)
    page.context.close()

    # Someone without a link in this closed cohort: her answers are kept in her browser
    # (the site gives it a random device id), but she cannot hand in under a name.
    visitor = new_page(browser)
    visitor.goto(f"{site}/modules/{MODULE}/")
    visitor.get_by_role("link", name="Open als app").click()
    wait_for_app(visitor)
    assert "toestel=" in visitor.url and "leerling=" not in visitor.url
    visitor.get_by_text("Dit cohort werkt met persoonlijke links").wait_for(timeout=30_000)
    assert visitor.get_by_role("button", name="Inleveren").is_disabled()
    assert not choice(visitor).get_by_label(RIGHT).is_checked()  # not An's answers
    answer_right(visitor)
    visitor.reload()
    wait_for_app(visitor)
    wait_checked(visitor)
    visitor.context.close()

    # Another browser, from the same module page: a device of its own, none of her answers.
    other = new_page(browser)
    other.goto(f"{site}/modules/{MODULE}/")
    other.get_by_role("link", name="Open als app").click()
    wait_for_app(other)
    assert "toestel=" in other.url
    assert not choice(other).get_by_label(RIGHT).is_checked()
    other.context.close()
