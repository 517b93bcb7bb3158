"""The three AI interactives in the real app (Voilà, Chromium), from the gallery module:
once with the mouse, once with the keyboard only. The learner trains the model in the kernel
and sees the region, the tree or the plot redraw, with the same news in words; each check
ends with "Juist!"."""

import os
import secrets

import pytest
from test_app_browser import SCREENSHOTS
from test_gallery_browser import arrow_to, exercise, tab_to, verdict

MODULE = "galerij-ai-interactief"
APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"
KNN = "de nieuwe vrucht ★1"
TREE = "gaat de fietstocht van de klas door?"
OVERFIT = "hoogste score op de testdata"

pytestmark = [pytest.mark.servers, pytest.mark.browser]


def open_gallery(browser, platform):
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto(f"{platform['apps']}{APP}?toestel={secrets.token_hex(12)}", timeout=120_000)
    page.get_by_label("Je naam of schuilnaam").wait_for(timeout=180_000)
    return page


def shown(option):
    """An option as a dropdown shows it: ipywidgets writes its spaces as no-break spaces."""
    return option.replace(" ", "\xa0")


def cell(ex, x, y):
    return ex.locator(f"button[title^='Vak ({x}, {y}):']")


def see(ex, text):
    ex.get_by_text(text).first.wait_for(timeout=60_000)


def screenshot(ex, name):
    if os.environ.get("LEERPAD_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        ex.scroll_into_view_if_needed()
        ex.screenshot(path=str(SCREENSHOTS / name))


def test_ai_interactives_with_the_mouse(browser, platform):
    page = open_gallery(browser, platform)

    knn = exercise(page, KNN)
    knn.get_by_role("button", name="Punt peer").click()
    cell(knn, 3, 3).click()
    see(knn, "Nieuw punt ★1 op (4, 3) wordt appel: van de 3 dichtste buren zijn er 2 appel")
    cell(knn, 4, 2).click()
    see(knn, "Nieuw punt ★1 op (4, 3) wordt peer: van de 3 dichtste buren zijn er 1 appel")
    assert "jouw punt peer, gebied peer" in cell(knn, 4, 2).get_attribute("title")
    knn.get_by_role("button", name="Controleer").click()
    assert "Score: 2 van 2" in verdict(knn, "right").inner_text()
    screenshot(knn, "ai-buren.png")

    tree = exercise(page, TREE)
    tree.get_by_label("Vraag bovenaan").select_option("Regen = ja?")
    tree.get_by_label("Vraag na nee op 'Regen = ja?'").select_option("Wind = zwak?")
    see(tree, "Jouw boom zet 6 van de 6 rijen juist.")
    tree.get_by_role("button", name="Laat de computer een boom leren").click()
    see(tree, "De boom die scikit-learn leerde (diepte 2) zet 6 van de 6 rijen juist.")
    tree.get_by_role("button", name="Controleer").click()
    verdict(tree, "right")

    overfit = exercise(page, OVERFIT)
    for depth in (2, 3, 4):
        overfit.get_by_role("button", name="Complexer").click()
        see(overfit, f"Diepte {depth}: ")
    see(overfit, "Diepte 4: 89% juist op de trainingsdata (56 punten), 75% op de testdata")
    chart = overfit.locator("svg[role=img]").nth(1).get_attribute("aria-label")
    assert "Diepte 3: training 84%, test 67%. Diepte 4: training 89%, test 75%." in chart
    overfit.get_by_role("button", name="Controleer").click()
    verdict(overfit, "right")
    screenshot(overfit, "ai-overfitten.png")
    page.close()


def test_ai_interactives_with_the_keyboard_only(browser, platform):
    page = open_gallery(browser, platform)
    page.get_by_label("Je naam of schuilnaam").fill("meester-toetsenbord")

    knn = exercise(page, KNN)
    tab_to(page, knn.get_by_role("button", name="Punt peer"))
    page.keyboard.press("Space")
    for x, y in ((3, 3), (4, 2)):
        tab_to(page, cell(knn, x, y))
        page.keyboard.press("Enter")
    see(knn, "Nieuw punt ★1 op (4, 3) wordt peer")
    tab_to(page, knn.get_by_role("button", name="Controleer"))
    page.keyboard.press("Enter")
    verdict(knn, "right")

    tree = exercise(page, TREE)
    tab_to(page, tree.get_by_label("Vraag bovenaan"))
    arrow_to(page, tree.get_by_label("Vraag bovenaan"), shown("Regen = ja?"))
    branch = tree.get_by_label("Vraag na nee op 'Regen = ja?'")
    tab_to(page, branch)
    arrow_to(page, branch, shown("Wind = zwak?"))
    see(tree, "Jouw boom zet 6 van de 6 rijen juist.")
    tab_to(page, tree.get_by_role("button", name="Controleer"))
    page.keyboard.press("Enter")
    verdict(tree, "right")

    overfit = exercise(page, OVERFIT)
    tab_to(page, overfit.locator(".noUi-handle"))  # the slider's handle
    for depth in (2, 3, 4):
        page.keyboard.press("ArrowRight")
        see(overfit, f"Diepte {depth}: ")
    tab_to(page, overfit.get_by_role("button", name="Controleer"))
    page.keyboard.press("Enter")
    verdict(overfit, "right")
    page.close()
