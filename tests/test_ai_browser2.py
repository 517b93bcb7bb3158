"""The three AI interactives in the real app (Voilà in Chromium), each driven with the mouse
and with the keyboard: a teacher draws a 3 that the model reads, writes a sentence with the
text generator, and trains the speech app on a balanced set; each check says "Juist!"."""

import os
import re
import secrets

import pytest
from leerpad.widgets.ai_digits import predict, training_data
from test_app_browser import SCREENSHOTS

DEVICE = secrets.token_hex(12)

pytestmark = [pytest.mark.servers, pytest.mark.browser]


def open_task(browser, platform, module, text):
    """The app of `module` as the site opens it, and the exercise that shows `text`; every
    request the page makes is noted, to find any to another host."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    external = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if "127.0.0.1" not in r.url and not r.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    app = f"/voila/render/{module}/{module}.ipynb?toestel={DEVICE}"
    page.goto(platform["apps"] + app, timeout=300_000)
    task = page.locator(".leerpad-exercise", has_text=text)
    task.wait_for(timeout=300_000)  # a loaded machine renders slowly
    return page, task, external


def press(page, control, key="Enter"):
    """Keyboard only: move the focus to a control and press a key."""
    control.focus()
    page.keyboard.press(key)


def check_by_keyboard(page, task, points):
    press(page, task.get_by_role("button", name="Controleer"))
    task.get_by_text("Juist!").wait_for(timeout=60_000)
    assert f"Score: {points} van {points}" in task.inner_text()


def screenshot(task, name):
    if os.environ.get("LEERPAD_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        task.scroll_into_view_if_needed()
        task.screenshot(path=str(SCREENSHOTS / name))


def a_three():
    bits, labels = training_data()
    for image, label in zip(bits, labels, strict=True):
        rows = ["".join(map(str, image[r * 8 : (r + 1) * 8])) for r in range(8)]
        if label == 3 and predict(rows) == 3:
            return rows
    raise AssertionError("no 3")


def test_draw_a_digit_the_model_reads(browser, platform):
    page, task, external = open_task(
        browser, platform, "ai-07-beeldherkenning", "Teken een 3 die het model"
    )
    task.get_by_text("Het model wacht op je tekening").wait_for(timeout=30_000)
    black = [(r, c) for r, row in enumerate(a_three()) for c, bit in enumerate(row) if bit == "1"]
    for r, c in black[:-1]:  # the mouse draws all pixels but one
        pixel = task.locator(f"button[title^='Pixel rij {r + 1}, kolom {c + 1}:']")
        pixel.click()
        task.locator(f"button[title='Pixel rij {r + 1}, kolom {c + 1}: zwart']").wait_for()
    r, c = black[-1]  # the keyboard draws the last one
    press(page, task.locator(f"button[title^='Pixel rij {r + 1}, kolom {c + 1}:']"))
    task.get_by_text("Het model leest een 3").wait_for(timeout=30_000)
    assert "□" in task.locator("pre.leerpad-digit").inner_text()  # the nearest example, as text
    check_by_keyboard(page, task, 2)
    screenshot(task, "cijferherkenning.png")
    assert external == []
    page.close()


def test_write_a_sentence_with_the_text_generator(browser, platform):
    page, task, external = open_task(browser, platform, "ai-03-taalmodellen", "begint met 'noor'")
    assert task.get_by_label("Beginwoorden").input_value() == "noor"
    press(page, task.get_by_role("button", name="Begin de zin"))
    task.get_by_text("Jouw zin: Noor").wait_for(timeout=30_000)
    task.get_by_role("button", name=re.compile(r"^vangt \(")).click()  # mouse
    press(page, task.get_by_role("button", name=re.compile(r"^de \(")))  # keyboard
    task.get_by_role("button", name=re.compile(r"^bal \(")).click()
    press(page, task.get_by_role("button", name=re.compile(r"^\. \(")))
    task.get_by_text("Jouw zin: Noor vangt de bal.").wait_for(timeout=30_000)
    task.get_by_text("De zin is af").wait_for(timeout=30_000)
    check_by_keyboard(page, task, 2)
    assert "herhaalt het model een zin uit de tekst" in task.inner_text()
    screenshot(task, "tekstgenerator.png")
    assert external == []
    page.close()


def test_train_on_a_balanced_set(browser, platform):
    page, task, external = open_task(
        browser, platform, "ai-05-verantwoorde-ai", "je mag er hoogstens 100 gebruiken"
    )
    adults, children = task.get_by_role("slider").all()
    adults.click()  # the mouse puts the focus on the handle; the arrows move it
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    for _ in range(5):
        press(page, children, "ArrowRight")
    task.get_by_text("Kinderen", exact=False).first.wait_for()
    task.get_by_role("button", name="Train het model").click()
    task.get_by_text("Trainingsset: 100 voorbeelden").wait_for(timeout=30_000)
    assert "Kinderen: 96% juist" in task.inner_text()
    plot = task.locator("svg[role=img]")
    assert "kinderen: " in plot.get_attribute("aria-label")
    check_by_keyboard(page, task, 2)
    screenshot(task, "scheve-data.png")
    assert external == []
    page.close()
