"""Issue 15: the 3D scene ({ruimte}) and the 360° viewer ({panorama}) of the gallery app in a
real Chromium, once with the mouse and once with the keyboard only. The canvases draw (a
screenshot holds many colours, and changes when the learner looks around), the exercises are
graded from the scene the learner left, and the exported WebXR page opens, draws the scene
and offers VR, without any key.

WebGL in headless Chromium runs on SwiftShader (the CPU); ``--enable-unsafe-swiftshader``
keeps it on in the Chromium versions that no longer fall back to it by themselves.
"""

import base64
import os
import secrets
from urllib.request import urlopen

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS
from gallery import MODULE, all_secrets, module
from test_app_browser import SCREENSHOTS
from test_gallery_browser import exercise, tab_to, verdict

APP = f"/voila/render/{MODULE}/{MODULE}.ipynb"
SCENE = "Zet de rode kubus bovenop de tafel"
PANORAMA = "Waar hangt de brandblusser?"

pytestmark = [pytest.mark.servers, pytest.mark.browser]


@pytest.fixture(scope="module")
def webgl_browser(browser):
    """Chromium as the other browser tests start it (from the same Playwright), with WebGL on
    SwiftShader."""
    webgl = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--enable-unsafe-swiftshader"]
    )
    yield webgl
    webgl.close()


def open_gallery(browser, platform):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{platform['apps']}{APP}?toestel={secrets.token_hex(12)}", timeout=300_000)
    page.get_by_label("Je naam of schuilnaam").wait_for(timeout=300_000)
    return page


def canvas_of(ex):
    canvas = ex.locator("canvas.leerpad-xr-canvas")
    canvas.wait_for(timeout=120_000)
    canvas.scroll_into_view_if_needed()
    return canvas


# The pixels of a screenshot, counted by the page itself (it decodes PNG; Python here has no
# image library): the number of colours, the pixels that differ from the most common colour
# (the background), and where the pixels of a colour are.
PIXELS = """async ([src, wanted]) => {
  const image = new Image();
  image.src = src;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const px = context.getImageData(0, 0, image.width, image.height).data;
  const counts = new Map();
  let sx = 0, sy = 0, n = 0;
  for (let i = 0; i < px.length; i += 4) {
    const key = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
    counts.set(key, (counts.get(key) || 0) + 1);
    const off = wanted ? [0, 1, 2].reduce((s, c) => s + Math.abs(px[i + c] - wanted[c]), 0) : 999;
    if (off < 90) {
      const p = i / 4;
      sx += p % image.width; sy += Math.floor(p / image.width); n += 1;
    }
  }
  return {
    colours: counts.size,
    other: px.length / 4 - Math.max(...counts.values()),
    at: n ? [sx / n, sy / n, n] : null,
  };
}"""


def pixels(page, canvas, wanted=None) -> dict:
    shot = base64.b64encode(canvas.screenshot()).decode("ascii")
    return page.evaluate(PIXELS, [f"data:image/png;base64,{shot}", wanted])


def drawn(page, canvas, minimum_colours=50) -> dict:
    """Wait until the canvas shows a scene, not a blank rectangle."""
    for _ in range(60):
        seen = pixels(page, canvas)
        if seen["colours"] >= minimum_colours and seen["other"] > 2000:
            return seen
        page.wait_for_timeout(1000)
    raise AssertionError(f"het canvas blijft leeg: {seen}")


def changed(page, canvas, before: dict) -> dict:
    for _ in range(30):
        now = pixels(page, canvas)
        if now != before:
            return now
        page.wait_for_timeout(500)
    raise AssertionError("het beeld veranderde niet")


def description(ex) -> str:
    return ex.locator(".leerpad-xr-description").text_content()


def wait_for_text(ex, text, timeout=60):
    for _ in range(timeout * 2):
        if text in description(ex):
            return
        ex.page.wait_for_timeout(500)
    raise AssertionError(f"'{text}' niet in: {description(ex)}")


def screenshot(ex, name):
    if os.environ.get("LEERPAD_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        ex.scroll_into_view_if_needed()
        ex.screenshot(path=str(SCREENSHOTS / name))


def test_scene_and_panorama_with_the_mouse(webgl_browser, platform):
    page = open_gallery(webgl_browser, platform)
    scene = exercise(page, SCENE)
    canvas = canvas_of(scene)
    first = drawn(page, canvas)

    # Drag where nothing stands: the camera orbits.
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 140, box["y"] + 60, steps=8)
    page.mouse.up()
    changed(page, canvas, first)
    scene.get_by_role("button", name="Terug naar het startbeeld").click()

    # Drag the red cube over the floor: the scene in words follows.
    cube = pixels(page, canvas, [214, 40, 40])["at"]
    assert cube and cube[2] > 30, "de rode kubus is niet te zien"
    x, y = box["x"] + cube[0], box["y"] + cube[1]  # a screenshot pixel is a CSS pixel here
    assert "rode kubus (kubus) staat op (-2; 0,25; 1)" in description(scene)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y - 30, steps=10)
    page.mouse.up()
    for _ in range(60):
        if "rode kubus (kubus) staat op (-2; 0,25; 1)" not in description(scene):
            break
        page.wait_for_timeout(500)
    else:
        raise AssertionError(f"de kubus bewoog niet: {description(scene)}")

    # Typed values for the exact spot, and the arrow turned with its own values.
    scene.get_by_role("button", name="rode kubus").click()
    for axis, value in zip("xyz", ("2", "0.95", "-1"), strict=True):
        field = scene.get_by_label(f"rode kubus: Positie {axis}")
        field.fill(value)
        field.press("Enter")
    scene.get_by_role("button", name="blauwe pijl").click()
    turn = scene.get_by_label("blauwe pijl: Rotatie y")
    turn.fill("90")
    turn.press("Enter")
    wait_for_text(scene, "blauwe pijl (pijl) staat op (0; 0,3; 1,5), gedraaid 0°, 90°, 0°")
    wait_for_text(scene, "rode kubus (kubus) staat op (2; 0,95; -1)")
    scene.get_by_role("button", name="Controleer").click()
    assert "Score: 2 van 2" in verdict(scene, "right").inner_text()
    screenshot(scene, "xr-ruimte.png")

    # Export: the WebXR page draws the scene, offers VR, and holds no key.
    scene.get_by_role("button", name="Exporteer als WebXR-pagina").click()
    link = scene.get_by_role("link", name="Open de WebXR-pagina")
    link.wait_for(timeout=60_000)
    href = link.get_attribute("href")
    assert href.startswith("/xr/") and len(href) == len("/xr/") + 32
    check_webxr_page(webgl_browser, platform, href)

    # The panorama: look right by dragging, a wrong hotspot, then the right one.
    pano = exercise(page, PANORAMA)
    view = canvas_of(pano)
    before = drawn(page, view, minimum_colours=20)
    box = view.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] / 2, steps=12)
    page.mouse.up()
    changed(page, view, before)
    door = pano.get_by_role("button", name="Hotspot D")
    door.click()
    pano.get_by_role("button", name="Controleer").click()
    assert "Dat is de deur naar de gang" in verdict(pano, "wrong").inner_text()
    pano.get_by_role("button", name="Hotspot C").click()
    assert pano.get_by_role("button", name="Hotspot C").get_attribute("aria-pressed") == "true"
    pano.get_by_role("button", name="Controleer").click()
    verdict(pano, "right")
    screenshot(pano, "xr-panorama.png")
    page.close()


def check_webxr_page(browser, platform, href):
    page = browser.new_page(viewport={"width": 900, "height": 600})
    response = page.goto(f"{platform['apps']}{href}")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page.locator("body[data-ready=true]").wait_for(timeout=120_000)
    button = page.locator("#xr-button")
    assert button.inner_text() in {
        "Start VR",
        "Geen VR-bril gevonden: kijk rond met de muis of het toetsenbord",
        "VR werkt alleen via https",
    }
    canvas = page.locator("canvas")
    before = drawn(page, canvas)
    canvas.focus()
    page.keyboard.press("ArrowLeft")
    changed(page, canvas, before)
    with urlopen(f"{platform['apps']}{href}") as served:  # noqa: S310 - our own server
        text = served.read().decode("utf-8")
    secrets_of_scene = all_secrets(module().notebook)["galerij-ruimte"]
    assert not [s for s in secrets_of_scene if s in text]
    assert "De bovenkant van de tafel" not in text  # the feedback stays on the server
    page.close()


def test_scene_and_panorama_with_the_keyboard_only(webgl_browser, platform):
    page = open_gallery(webgl_browser, platform)
    scene = exercise(page, SCENE)
    canvas = canvas_of(scene)
    before = drawn(page, canvas)
    # Start the Tab walk at this exercise (a click on its question sets no focus).
    scene.locator(".leerpad-question").click()
    tab_to(page, canvas)
    page.keyboard.press("ArrowLeft")  # the arrow keys orbit
    page.keyboard.press("+")
    changed(page, canvas, before)

    tab_to(page, scene.get_by_role("button", name="rode kubus"))
    for key, times in (("ArrowRight", 16), ("ArrowUp", 8), ("PageUp", 3)):
        for _ in range(times):
            page.keyboard.press(key)
    wait_for_text(scene, "rode kubus (kubus) staat op (2; 1; -1)")
    tab_to(page, scene.get_by_role("button", name="blauwe pijl"))
    for _ in range(6):
        page.keyboard.press("[")
    wait_for_text(scene, "gedraaid 0°, 90°, 0°")
    tab_to(page, scene.get_by_role("button", name="Controleer"))
    page.keyboard.press("Enter")
    verdict(scene, "right")

    pano = exercise(page, PANORAMA)
    view = canvas_of(pano)
    before = drawn(page, view, minimum_colours=20)
    tab_to(page, view)
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # look to the right
    changed(page, view, before)
    tab_to(page, pano.get_by_role("button", name="Hotspot C"))
    page.keyboard.press("Enter")
    # the words for the choice come from the kernel, a round trip after it
    chosen = "Gekozen: hotspot C (104° naar rechts, 14° omlaag)"
    page.wait_for_function(
        "([el, text]) => el.textContent.includes(text)",
        arg=[pano.element_handle(), chosen],
        timeout=60_000,
    )
    tab_to(page, pano.get_by_role("button", name="Controleer"))
    page.keyboard.press("Enter")
    verdict(pano, "right")
    page.close()
