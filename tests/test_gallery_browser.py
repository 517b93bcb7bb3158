"""Eight exercise types of the gallery app in a real Chromium: once with the mouse, once with
the keyboard only (Tab, Space, Enter, arrows, typing). Each check shows the instant Dutch
feedback; after a reload in the same browser (its device id) the learner finds every answer
back, and another browser finds none of them."""

import json
import re
import secrets
import time

import pytest
from gallery import MODULE, ORDER
from leerpad.grading.identity import device_storage
from leerpad.widgets.order import in_order_run

APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"
VERDICT = {"right": "Juist!", "wrong": "Nog niet juist.", "partial": "Gedeeltelijk juist."}

pytestmark = [pytest.mark.servers, pytest.mark.browser]


def open_app(browser, platform, device):
    """The app as the site opens it: with this browser's device id (see leerpad.js)."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    # 729 widgets: on a loaded machine a page without a preheated kernel takes minutes
    page.goto(f"{platform['apps']}{APP}?toestel={device}", timeout=300_000)
    page.get_by_label("Je naam of schuilnaam").wait_for(timeout=300_000)
    return page


def exercise(page, question):
    return page.locator(".leerpad-exercise", has_text=question).first


def tab_to(page, target, limit=250):
    """Press Tab until `target` has the keyboard focus (and fail if it never gets it)."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("el => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab bereikt {target} niet")


def arrow_to(page, select, label):
    """Open a focused dropdown (Alt+ArrowDown), walk to `label` with the arrows, take it with
    Enter."""
    labels = select.evaluate("e => [...e.options].map(o => o.text)")
    steps = labels.index(label) - select.evaluate("e => e.selectedIndex")
    page.keyboard.press("Alt+ArrowDown")
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    page.keyboard.press("Enter")
    assert selected(select) == label


def selected(select) -> str:
    return select.evaluate("e => e.options[e.selectedIndex].text")


def check_with_mouse(page, ex):
    ex.get_by_role("button", name="Controleer").click()


def check_with_keyboard(page, ex):
    tab_to(page, ex.get_by_role("button", name="Controleer"))
    page.keyboard.press("Enter")


def verdict(ex, outcome):
    """Wait for the instant feedback `outcome` ("Juist!", ...) of an exercise."""
    feedback = ex.locator(".leerpad-feedback")
    try:
        feedback.get_by_text(VERDICT[outcome], exact=True).wait_for(timeout=30_000)
    except Exception as error:
        shown = feedback.all_inner_texts()
        raise AssertionError(f"verwacht '{VERDICT[outcome]}', te zien: {shown}") from error
    return feedback


# -- the exercises: how the mouse and the keyboard answer, and what comes back ----------------
CHOICE = "Wanneer gaat de klas naar de speelplaats?"
CHOICE_RIGHT = "Na het tweede lesuur, bij de bel van de speeltijd."
CHOICE_WRONG = "Wanneer iemand klaar is met zijn werk."
MULTI = "Wat steek je in je zwemzak voor de zwemles?"
BLANKS = "Vul de ontbrekende woorden in."
WORDS = "Kies voor elk leeg vak het juiste woord."
MARK = "Markeer alle werkwoorden in de zin."
ORDERING = "De klas zaait boontjes voor de moestuin. Zet de stappen in de juiste volgorde."
NUMBER = "Hoeveel is dat per leerling?"
HOTSPOT = "Waar heeft de klas turnles?"


def move(ex, item, direction):
    """The button "Omhoog" or "Omlaag" in the row of `item`."""
    row = ex.locator(".widget-hbox", has=ex.page.get_by_text(item, exact=True))
    return row.get_by_role("button", name=direction)


def order_shown(ex) -> list[str]:
    return [
        text.strip()
        for text in ex.locator(".widget-hbox > .widget-html").all_inner_texts()
        if text.strip() and not re.fullmatch(r"\d+\.", text.strip())
    ]


def mouse_answers(page, synced):
    ex = exercise(page, CHOICE)
    ex.get_by_label(CHOICE_RIGHT).check()
    synced("galerij-meerkeuze", CHOICE_RIGHT)
    check_with_mouse(page, ex)
    verdict(ex, "right")

    ex = exercise(page, MULTI)
    ex.get_by_label("Zwembroek of badpak").check()
    ex.get_by_label("Handdoek").check()
    synced("galerij-meerdere", ["Zwembroek of badpak", "Handdoek"])
    check_with_mouse(page, ex)
    verdict(ex, "partial")

    ex = exercise(page, BLANKS)
    ex.get_by_label("Leeg vak 1").fill("Bordwisser")
    ex.get_by_label("Leeg vak 2").fill("papier")
    synced("galerij-invullen", ["Bordwisser", "papier"])
    check_with_mouse(page, ex)
    verdict(ex, "partial")

    ex = exercise(page, WORDS)
    ex.get_by_label("Leeg vak 1").select_option(label="speeltijd")
    ex.get_by_label("Leeg vak 2").select_option(label="turnzaal")
    synced("galerij-sleep", ["speeltijd", "turnzaal"])
    check_with_mouse(page, ex)
    verdict(ex, "right")

    ex = exercise(page, MARK)
    ex.get_by_role("button", name="leest", exact=True).click()
    ex.get_by_text("Gemarkeerd: leest").wait_for()
    ex.get_by_role("button", name="luisteren", exact=True).click()
    ex.get_by_text("Gemarkeerd: leest, luisteren").wait_for()
    check_with_mouse(page, ex)
    verdict(ex, "right")

    ex = exercise(page, ORDERING)
    for place, item in enumerate(ORDER):  # move each item up to its place, top to bottom
        while order_shown(ex).index(item) > place:
            before = order_shown(ex)
            move(ex, item, "Omhoog").click()
            _wait_changed(ex, before)
    assert order_shown(ex) == ORDER
    synced("galerij-volgorde", ORDER)
    check_with_mouse(page, ex)
    verdict(ex, "right")

    ex = exercise(page, NUMBER)
    ex.get_by_label("Jouw antwoord").fill("13,75")
    synced("galerij-getal", "13,75")
    check_with_mouse(page, ex)
    verdict(ex, "right")

    ex = exercise(page, HOTSPOT)
    ex.get_by_role("button", name="rechtsboven").click()
    ex.get_by_text("Gekozen gebied: rechtsboven").wait_for()
    check_with_mouse(page, ex)
    verdict(ex, "right")


def _wait_changed(ex, before, tries=100):
    """Wait until the move has been drawn whole: a swap redraws two labels one after the
    other, and in between one item shows twice. Acting on that half-drawn order clicks the
    wrong row."""
    for _ in range(tries):
        shown = order_shown(ex)
        if shown != before and sorted(shown) == sorted(before):
            return
        ex.page.wait_for_timeout(100)
    raise AssertionError(f"de volgorde veranderde niet: {order_shown(ex)}")


def keyboard_answers(page, synced):
    kb = page.keyboard
    ex = exercise(page, CHOICE)
    tab_to(page, ex.get_by_label(CHOICE_RIGHT))
    kb.press("Space")
    kb.press("ArrowDown")  # the radio buttons are one group: the arrow picks the next option
    assert ex.get_by_label(CHOICE_WRONG).is_checked()
    synced("galerij-meerkeuze", CHOICE_WRONG)
    check_with_keyboard(page, ex)
    verdict(ex, "wrong").get_by_text("vast uur").wait_for()  # the feedback for this option

    ex = exercise(page, MULTI)
    for option in ("Zwembroek of badpak", "Handdoek", "Badmuts"):
        tab_to(page, ex.get_by_label(option))
        kb.press("Space")
    synced("galerij-meerdere", ["Zwembroek of badpak", "Handdoek", "Badmuts"])
    check_with_keyboard(page, ex)
    verdict(ex, "right")

    ex = exercise(page, BLANKS)
    tab_to(page, ex.get_by_label("Leeg vak 1"))
    kb.type("natte spons")
    kb.press("Tab")
    kb.type("doekje")
    synced("galerij-invullen", ["natte spons", "doekje"])
    check_with_keyboard(page, ex)
    verdict(ex, "right")

    ex = exercise(page, WORDS)
    first, second = ex.get_by_label("Leeg vak 1"), ex.get_by_label("Leeg vak 2")
    tab_to(page, first)
    arrow_to(page, first, "speeltijd")
    tab_to(page, second)
    arrow_to(page, second, "mediatheek")
    synced("galerij-sleep", ["speeltijd", "mediatheek"])
    check_with_keyboard(page, ex)
    verdict(ex, "partial")

    ex = exercise(page, MARK)
    tab_to(page, ex.get_by_role("button", name="leest", exact=True))
    kb.press("Space")
    ex.get_by_text("Gemarkeerd: leest").wait_for()
    check_with_keyboard(page, ex)
    verdict(ex, "partial")

    ex = exercise(page, ORDERING)
    start = order_shown(ex)
    top = start[0]
    tab_to(page, move(ex, top, "Omlaag"))
    kb.press("Enter")
    _wait_changed(ex, start)
    assert order_shown(ex)[:2] == [start[1], top]
    synced("galerij-volgorde", order_shown(ex))
    check_with_keyboard(page, ex)
    in_order = len(in_order_run(order_shown(ex), ORDER))  # scored by the longest run in order
    verdict(ex, "right" if in_order == 4 else "partial" if in_order >= 2 else "wrong")

    ex = exercise(page, NUMBER)
    tab_to(page, ex.get_by_label("Jouw antwoord"))
    kb.type("14")
    synced("galerij-getal", "14")
    check_with_keyboard(page, ex)
    verdict(ex, "wrong")

    ex = exercise(page, HOTSPOT)
    tab_to(page, ex.get_by_role("button", name="linksonder"))
    kb.press("Enter")
    ex.get_by_text("Gekozen gebied: linksonder").wait_for()
    check_with_keyboard(page, ex)
    verdict(ex, "wrong")


def mouse_restored(page):
    assert exercise(page, CHOICE).get_by_label(CHOICE_RIGHT).is_checked()
    verdict(exercise(page, CHOICE), "right")  # it was checked: the feedback comes back too
    multi = exercise(page, MULTI)
    assert multi.get_by_label("Handdoek").is_checked()
    assert not multi.get_by_label("Badmuts").is_checked()
    assert exercise(page, BLANKS).get_by_label("Leeg vak 1").input_value() == "Bordwisser"
    assert selected(exercise(page, WORDS).get_by_label("Leeg vak 2")) == "turnzaal"
    exercise(page, MARK).get_by_text("Gemarkeerd: leest, luisteren").wait_for()
    assert order_shown(exercise(page, ORDERING)) == ORDER
    assert exercise(page, NUMBER).get_by_label("Jouw antwoord").input_value() == "13,75"
    exercise(page, HOTSPOT).get_by_text("Gekozen gebied: rechtsboven").wait_for()


def keyboard_restored(page, order):
    assert exercise(page, CHOICE).get_by_label(CHOICE_WRONG).is_checked()
    verdict(exercise(page, CHOICE), "wrong")
    assert exercise(page, MULTI).get_by_label("Badmuts").is_checked()
    assert exercise(page, BLANKS).get_by_label("Leeg vak 2").input_value() == "doekje"
    assert selected(exercise(page, WORDS).get_by_label("Leeg vak 2")) == "mediatheek"
    exercise(page, MARK).get_by_text("Gemarkeerd: leest").wait_for()
    assert order_shown(exercise(page, ORDERING)) == order
    assert exercise(page, NUMBER).get_by_label("Jouw antwoord").input_value() == "14"
    exercise(page, HOTSPOT).get_by_text("Gekozen gebied: linksonder").wait_for()


def name_with_mouse(page, learner):
    page.get_by_label("Je naam of schuilnaam").fill(learner)


def name_with_keyboard(page, learner):
    tab_to(page, page.get_by_label("Je naam of schuilnaam"))
    page.keyboard.type(learner)


def wait_restored(page):
    """The app restores the device's answers (the checked ones re-check)."""
    exercise(page, HOTSPOT).locator(".leerpad-feedback").get_by_text(
        re.compile("Juist!|Nog niet juist.")
    ).wait_for(timeout=30_000)


def wait_saved(platform, device, exercise_id, answer=None, tries=300):
    """The learner's answers file once it holds `exercise_id` (with `answer`, if given).

    Typed text reaches the kernel message by message, and ipywidgets may hold a value back
    while earlier messages are on their way, so a click can overtake it. A learner types
    slower than a test; the test waits until the kernel has saved what was typed.
    """
    from leerpad.widgets.store import LearnerRecord

    root = platform["var"] / "data"
    path = LearnerRecord(
        device_storage(device), MODULE, root, cohort=platform["cohort"]
    ).answers_path
    for _ in range(tries):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        state = data.get(exercise_id)
        if state and (answer is None or state.get("answer") == answer):
            return data
        time.sleep(0.1)
    raise AssertionError(f"{path} kreeg geen antwoord {answer!r} op {exercise_id}")


def test_gallery_with_the_mouse(browser, platform):
    learner = f"galerij-muis-{secrets.token_hex(3)}"
    device = secrets.token_hex(12)  # a browser without saved answers
    page = open_app(browser, platform, device)
    name_with_mouse(page, learner)
    mouse_answers(page, lambda eid, answer: wait_saved(platform, device, eid, answer))
    assert wait_saved(platform, device, "galerij-hotspot")["galerij-hotspot"]["checked"]
    page.close()

    page = open_app(browser, platform, secrets.token_hex(12))  # another browser: nothing
    name_with_mouse(page, learner)
    page.get_by_label("Je naam of schuilnaam").press("Enter")
    exercise(page, CHOICE).get_by_label(CHOICE_RIGHT).wait_for()
    assert not exercise(page, CHOICE).get_by_label(CHOICE_RIGHT).is_checked()
    page.close()

    page = open_app(browser, platform, device)
    wait_restored(page)
    mouse_restored(page)
    page.close()


def test_gallery_with_the_keyboard_only(browser, platform):
    learner = f"galerij-toetsenbord-{secrets.token_hex(3)}"
    device = secrets.token_hex(12)
    page = open_app(browser, platform, device)
    name_with_keyboard(page, learner)  # at the end of the page; Tab goes round to the top
    keyboard_answers(page, lambda eid, answer: wait_saved(platform, device, eid, answer))
    order = order_shown(exercise(page, ORDERING))
    saved = wait_saved(platform, device, "galerij-hotspot")
    assert saved["galerij-hotspot"]["answer"] == "linksonder"
    page.close()

    page = open_app(browser, platform, device)
    name_with_keyboard(page, learner)
    wait_restored(page)
    keyboard_restored(page, order)
    page.close()
