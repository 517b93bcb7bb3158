"""What the browser stories share: the `leerpad` command, the trainer workspace's API, and
the few steps every learner takes in an app (open it, find an exercise, hand in)."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parent.parent / "site" / "docs" / "assets" / "screenshots"
MODULE = "ct-01-algoritme"
RIGHT = (
    "Zet de stoelen op de bank, veeg van voor naar achter, leeg het vuilbakje, doe het licht uit."
)


PORT_VARIABLES = ("PORT", "APPS_PORT", "LAB_PORT", "TRAINER_PORT")


def leerpad(platform, *args) -> str:
    """Run a `leerpad` command as the trainer types it, on the platform's data and without
    the port variables: the running platform's addresses must come from the platform."""
    bare = {k: v for k, v in platform["env"].items() if k not in PORT_VARIABLES}
    proc = subprocess.run(
        [sys.executable, "-m", "leerpad", *args],
        env=bare,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def http(method, url, token, data=None, json_body=None):
    body, headers = None, {"Authorization": f"token {token}"}
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or "null")
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {url}: {error.code} {error.read()[:500]!r}") from None


def execute(ws, code: str, username="leerkracht") -> tuple[str, list[str]]:
    """Run `code` over an open kernel websocket as a Jupyter client does: (what it printed,
    its error tracebacks)."""
    import uuid

    msg_id = uuid.uuid4().hex
    header = {"msg_id": msg_id, "msg_type": "execute_request", "username": username}
    header.update(session=uuid.uuid4().hex, version="5.3", date="")
    content = {"code": code, "silent": False, "store_history": False}
    content.update(user_expressions={}, allow_stdin=False, stop_on_error=True)
    message = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    ws.send(json.dumps({**message, "channel": "shell", "buffers": []}))
    printed, errors = [], []
    while True:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "stream":
            printed.append(msg["content"]["text"])
        elif kind == "error":
            errors.append("\n".join(msg["content"]["traceback"]))
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(printed), errors


def exercise(page, text):
    return page.locator(".leerpad-exercise", has_text=text)


def open_app(browser, link, context=None):
    """A new tab on an app link, once the app shows its hand-in row: in `context` (one
    person's browser, as they keep it between visits) or in a fresh one."""
    if context:
        page = context.new_page()
    else:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
    response = page.goto(link, timeout=300_000)  # the first app after a start waits for its kernel
    try:
        page.locator(".leerpad-handin").wait_for(timeout=300_000)
    except Exception as error:  # say what the learner saw, not only that it timed out
        text = page.locator("body").inner_text()[-1500:] if page.locator("body").count() else ""
        raise AssertionError(
            f"{link}: no hand-in row (HTTP {response.status if response else '?'}). "
            f"The page shows:\n{text}"
        ) from error
    return page


def hand_in(page) -> str:
    page.get_by_role("button", name="Inleveren").click()
    status = page.locator(".leerpad-handin [role=status]", has_text="Verbeterd:")
    status.wait_for(timeout=180_000)
    return status.inner_text()


def screenshot(page, name, readme=False):
    """Every story leaves its screenshots in build/journeys/ for a person to look at; with
    LEERPAD_UPDATE_SCREENSHOTS=1 the README's own pictures are renewed too."""
    folder = SCREENSHOTS.parents[3] / "build" / "journeys"  # git ignores build/
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    if readme and os.environ.get("LEERPAD_UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def wait_in_view(page, locator, timeout=30_000) -> None:
    """Wait until what `locator` shows lies wholly inside the window, as the person at the
    screen sees it without scrolling."""
    locator.wait_for(timeout=timeout)
    page.wait_for_function(
        """e => { const r = e.getBoundingClientRect();
                  return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""",
        arg=locator.element_handle(),
        timeout=timeout,
    )


def assert_open_answer_roomy(page) -> None:
    """The open question's text area takes the exercise's whole width and shows five lines
    at least."""
    box = page.evaluate(
        """() => { const t = document.querySelector('.leerpad-exercise textarea');
                   const x = t.closest('.leerpad-exercise');
                   const r = t.getBoundingClientRect(), o = x.getBoundingClientRect();
                   const cs = getComputedStyle(t);
                   const line = parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize);
                   return {width: r.width, room: o.width, left: r.left - o.left,
                           right: o.right - r.right, lines: t.clientHeight / line}; }"""
    )
    assert box["width"] >= box["room"] - 40 and box["right"] >= 0, box  # no squeezing
    assert box["lines"] >= 5, box
