"""The pupil on a phone (issue 12, point 4): the gallery app, with every exercise type and
the hand-in row, in Chromium at 360 and 390 px wide with touch. Every control is reachable
(inside the screen, no sideways scrolling), every touch target is at least 44 px, no button's
text is cut off, and the hand-in row wraps: name, "Inleveren" and "Bekijk feedback" each
get the full width (the feedback link appears once there is feedback)."""

import os
from pathlib import Path

import pytest
from gallery_app import APP, gallery_app  # noqa: F401

SCREENSHOTS = Path(__file__).resolve().parent.parent / "site" / "docs" / "assets" / "screenshots"
CHOICE = "Wanneer gaat de klas naar de speelplaats?"
RIGHT = "Na het tweede lesuur, bij de bel van de speeltijd."

pytestmark = [pytest.mark.servers, pytest.mark.browser]

# Boxes of everything a pupil touches; radio buttons and checkboxes by their label.
MEASURE = """() => {
  const controls = '.jupyter-button, .widget-text input, .widget-dropdown select, textarea, '
    + '.widget-radio-box label, .widget-checkbox label';
  const shown = [...document.querySelectorAll('#rendered_cells :is(' + controls + ')')]
    .filter(el => el.getClientRects().length);
  return {
    width: innerWidth,
    pageWidth: document.documentElement.scrollWidth,
    controls: shown.map(el => {
      const box = el.getBoundingClientRect();
      return {
        text: (el.innerText || el.getAttribute('aria-label') || el.placeholder || el.tagName)
          .trim().slice(0, 40),
        button: el.matches('.jupyter-button'),
        left: box.left, right: box.right, width: box.width, height: box.height,
        scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
      };
    }),
  };
}"""


@pytest.fixture(params=[360, 390])
def phone(request, browser, gallery_app):  # noqa: F811
    context = browser.new_context(
        viewport={"width": request.param, "height": 844},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.goto(gallery_app["url"] + APP, timeout=600_000)
    page.locator(".leerpad-handin-row").wait_for(timeout=600_000)
    yield page
    context.close()


def test_every_control_is_reachable_readable_and_big_enough(phone):
    found = phone.evaluate(MEASURE)
    width, controls = found["width"], found["controls"]
    assert found["pageWidth"] <= width, "de pagina scrolt zijwaarts"
    assert len(controls) > 100  # the gallery: eighteen exercise types and the hand-in
    problems = []
    for c in controls:
        if c["height"] < 44 or c["width"] < 44:
            problems.append(f"te klein ({c['width']:.0f}x{c['height']:.0f} px): {c['text']}")
        if c["left"] < 0 or c["right"] > width + 0.5:
            problems.append(f"buiten het scherm ({c['left']:.0f}-{c['right']:.0f}): {c['text']}")
        if c["button"] and c["scrollWidth"] > c["clientWidth"]:
            problems.append(f"tekst afgesneden: {c['text']}")
    assert not problems, "\n".join(problems)
    names = {c["text"] for c in controls if c["button"]}
    assert {"Controleer", "Probeer opnieuw", "Toon oplossing", "Inleveren"} <= names


def test_the_hand_in_row_wraps_to_the_full_width(phone):
    row = phone.locator(".leerpad-handin-row")
    row_width = row.bounding_box()["width"]
    parts = [
        phone.get_by_label("Je naam of schuilnaam"),
        row.get_by_role("button", name="Inleveren"),
    ]
    feedback = row.get_by_role("link", name="Bekijk feedback")  # once there is feedback
    parts += [feedback] if feedback.count() else []
    tops = []
    for part in parts:
        box = part.bounding_box()
        assert box["width"] >= 0.9 * row_width, f"{part}: {box['width']} van {row_width} px"
        tops.append(box["y"])
    assert tops == sorted(tops) and len(set(tops)) == len(parts)  # one below the other


def test_a_pupil_answers_by_touch(phone):
    choice = phone.locator(".leerpad-exercise", has_text=CHOICE).first
    choice.get_by_label(RIGHT).tap()
    choice.get_by_role("button", name="Controleer").tap()
    choice.locator(".leerpad-feedback").get_by_text("Juist!", exact=True).wait_for(timeout=60_000)
    if os.environ.get("LEERPAD_UPDATE_SCREENSHOTS") and phone.viewport_size["width"] == 390:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        choice.scroll_into_view_if_needed()
        phone.evaluate("window.scrollBy(0, -120)")
        phone.screenshot(path=str(SCREENSHOTS / "pupil-phone.png"))
