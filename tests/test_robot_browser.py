"""A teacher solves a grid-robot task in the Voilà app of module 2 with the keyboard only, sees
the robot reach the goal and "Juist!", and after a reload finds the program back."""

import os
import secrets

import pytest
from test_app_browser import SCREENSHOTS

MODULE = "ct-02-gridrobot"
APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"
TASK = "De robot moet de trap op"
LEARNER = "juf-robot"
DEVICE = secrets.token_hex(12)
PROGRAM = [  # as the program list shows it (indents collapsed)
    "1. herhaal 4 keer:",
    "2. vooruit",
    "3. draai links",
    "4. vooruit",
    "5. draai rechts",
    "6. einde",
]

pytestmark = [pytest.mark.servers, pytest.mark.browser]


def open_robot_task(browser, platform):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    # the device id the site gives this browser: the app keeps the answers under it
    page.goto(f"{platform['apps']}{APP}?toestel={DEVICE}", timeout=120_000)
    task = page.locator(".leerpad-exercise", has_text=TASK)
    task.wait_for(timeout=120_000)
    page.get_by_label("Je naam of schuilnaam").fill(LEARNER)  # typed, not clicked
    return page, task


def press(page, control, key="Enter"):
    """Move the keyboard focus to a control and press a key: no mouse involved."""
    control.focus()
    page.keyboard.press(key)


def program_lines(task):
    options = task.get_by_label("Programma").locator("option")
    texts = [" ".join(text.split()) for text in options.all_inner_texts()]
    return texts[1:]  # without the start line


def test_grid_robot_by_keyboard_in_the_app(browser, platform):
    page, task = open_robot_task(browser, platform)
    times = task.get_by_label("Aantal keer")
    press(page, times, "ArrowDown")  # 3 -> 4
    repeat = task.get_by_role("button", name="Herhaal 4 keer")
    repeat.wait_for(timeout=30_000)
    page.keyboard.press("Tab")  # from the count to its button
    assert repeat.evaluate("b => b === document.activeElement")
    page.keyboard.press("Enter")
    for name in ("Vooruit", "Draai links", "Vooruit", "Draai rechts"):
        press(page, task.get_by_role("button", name=name))  # icon + name
    page.wait_for_function(
        "([el, n]) => el.querySelectorAll('option').length === n",
        arg=[task.get_by_label("Programma").element_handle(), len(PROGRAM) + 1],
        timeout=30_000,
    )
    assert program_lines(task) == PROGRAM

    press(page, task.get_by_role("button", name="Stap"))
    task.get_by_text("Stap 1: de robot staat op B1").wait_for(timeout=30_000)
    press(page, task.get_by_role("button", name="Uitvoeren"))
    task.get_by_text("De robot bereikt het doel").first.wait_for(timeout=30_000)
    svg = task.locator("svg[role=img]")
    assert "staat op E5" in svg.get_attribute("aria-label")

    press(page, task.get_by_role("button", name="Controleer"))
    task.get_by_text("Juist!").wait_for(timeout=30_000)
    assert "Score: 2 van 2" in task.inner_text()
    if os.environ.get("LEERPAD_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        task.scroll_into_view_if_needed()
        task.screenshot(path=str(SCREENSHOTS / "gridrobot.png"))
    page.close()

    # Reload: a new kernel in the same browser; the program comes back.
    page, task = open_robot_task(browser, platform)
    page.wait_for_function(
        "([el, n]) => el.querySelectorAll('option').length === n",
        arg=[task.get_by_label("Programma").element_handle(), len(PROGRAM) + 1],
        timeout=30_000,
    )
    assert program_lines(task) == PROGRAM
    task.get_by_text("Juist!").wait_for(timeout=30_000)  # the check is restored too
    page.close()
