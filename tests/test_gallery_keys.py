"""No answer key of the gallery reaches a learner: not in the Voilà page, not in any websocket
message between the page and its kernel, not in the released notebook (or any file released
with it), not on the module's page of the site.

The secrets are derived from the source of every exercise with ``split_keys``, the same
function the release uses (see ``gallery.secrets``). Positive controls prove the scanner can
see them: it finds every exercise's secrets in the source notebook, and it finds a key in the
websocket messages once the learner asks for the solution.
"""

import html
import json
import re
from urllib.request import urlopen

import nbformat
import pytest
from gallery import MODULE, all_secrets, module

pytestmark = [pytest.mark.servers, pytest.mark.browser]

SECRETS = all_secrets(module().notebook)


def forms(secret: str) -> set[str]:
    """A secret as it may be written: as is, escaped in JSON, escaped in HTML."""
    return {secret, json.dumps(secret)[1:-1], html.escape(secret), html.escape(secret, False)}


def leaks(text: str) -> dict[str, list[str]]:
    """{exercise id: the secrets of that exercise found in `text`}."""
    found = {}
    for exercise_id, secrets in SECRETS.items():
        hits = sorted(s for s in secrets if any(f in text for f in forms(s)))
        if hits:
            found[exercise_id] = hits
    return found


def test_every_exercise_has_secrets_and_the_source_gives_them_away(platform):
    assert len(SECRETS) == 17  # every type with a key (open answer, flashcards and hotspot
    # exploration have none), the 3D scene and the 360° image included
    assert all(SECRETS.values())
    source = nbformat.writes(module().notebook)
    assert set(leaks(source)) == set(SECRETS)  # positive control: the scanner sees keys
    cohort_source = platform["var"] / "cohorts" / "demo" / "source" / MODULE / f"{MODULE}.ipynb"
    assert set(leaks(cohort_source.read_text(encoding="utf-8"))) == set(SECRETS)


def test_released_files_hold_no_key(platform):
    released = platform["var"] / "cohorts" / "demo" / "release" / MODULE
    files = sorted(p for p in released.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {f"{MODULE}.ipynb", "schoolplan.png", "schoolbel.wav"}
    for path in files:
        assert leaks(path.read_bytes().decode("utf-8", "replace")) == {}, path


def test_site_page_holds_no_key(platform):
    page_url = f"{platform['site']}/modules/{MODULE}/"
    with urlopen(page_url) as response:  # noqa: S310 - our own server on 127.0.0.1
        page = response.read().decode("utf-8")
    assert "Galerij: alle oefentypes" in page and "Wanneer gaat de klas" in page
    assert leaks(page) == {}
    downloads = {h for h in re.findall(r'href="([^"]+\.ipynb)"', page) if "/voila/" not in h}
    assert downloads, "the page offers the notebook for download"
    for href in downloads:
        url = href if href.startswith("http") else f"{page_url}{href}"
        with urlopen(url) as response:  # noqa: S310
            assert leaks(response.read().decode("utf-8")) == {}, url


def test_voila_page_and_websocket_hold_no_key(browser, platform):
    frames = []

    def record(ws):
        ws.on("framereceived", lambda payload: frames.append(payload))
        ws.on("framesent", lambda payload: frames.append(payload))

    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.on("websocket", record)
    response = page.goto(f"{platform['apps']}/voila/render/{MODULE}/{MODULE}.ipynb")
    page.get_by_label("Je naam of schuilnaam").wait_for(timeout=120_000)
    first_html = response.text()
    # Answer a few exercises without checking: their state travels over the websocket.
    page.get_by_label("Wanneer iemand klaar is met zijn werk.").check()
    page.get_by_role("button", name="leest", exact=True).click()
    page.get_by_text("Gemarkeerd: leest").wait_for()
    rendered = page.content()

    def text(frame):
        return frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame

    # The preheated kernel put the widgets' state into the page; the websocket carries the
    # learner's changes (comm messages) both ways: it was recorded.
    assert sum("comm_msg" in text(f) for f in frames) >= 2
    assert "widget-state" in first_html or "application/vnd.jupyter.widget" in first_html
    assert leaks(first_html) == {}
    assert leaks(rendered) == {}
    assert leaks("\n".join(text(f) for f in frames)) == {}

    # Positive control: "Toon oplossing" sends a key on purpose; the scanner must see it.
    seen = len(frames)
    blanks = page.locator(".leerpad-exercise", has_text="Vul de ontbrekende woorden in.").first
    blanks.get_by_role("button", name="Toon oplossing").click()
    blanks.get_by_text("bordenwisser").wait_for(timeout=30_000)
    assert "galerij-invullen" in leaks("\n".join(text(f) for f in frames[seen:]))
    page.close()
