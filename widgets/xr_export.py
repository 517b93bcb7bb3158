"""The WebXR page of a built scene: one self-contained HTML page that a headset's browser
opens ("Start VR"), and that a laptop shows as a 3D view to look around in.

In the app, "Exporteer als WebXR-pagina" stores the learner's scene (shapes, numbers and
colours, no key and nothing about the learner) under a random token in
``$LEERPAD_DATA/xr-export/``; the apps server serves it as ``<base>/xr/<token>``
(``leerpad.servers.apps``). Outside an app (JupyterLab) the page is written beside the
notebook. The page holds three.js and the scene itself: nothing is fetched from elsewhere.
"""

import hashlib
import json
import re
from pathlib import Path

from leerpad.i18n import phrases
from leerpad.paths import ROOT
from leerpad.settings import settings
from leerpad.templating import Templates

from .xr_view import STATIC, THREE

say = phrases("ruimte")
TOKEN = re.compile(r"^[0-9a-f]{32}$")
PAGES = Templates(ROOT / "leerpad" / "page_templates")
# The files the page imports, in order (see importFiles in xr.js).
FILES = (
    STATIC / "xr.js",
    THREE / "three.core.min.js",
    THREE / "three.module.min.js",
    THREE / "VRButton.js",
    STATIC / "xr-scene.js",
    STATIC / "xr-export.js",
)
# Security headers of the served page: its own inline code and blob: modules only.
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; "
        "img-src data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, max-age=300",
}


def export_dir() -> Path:
    return settings().data / "xr-export"


def save(scene: dict) -> str:
    """Keep a scene for the apps server; its token (the page's address) back. The same
    scene gets the same token, so exporting twice keeps one file."""
    text = json.dumps(scene, sort_keys=True)
    token = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{token}.json").write_text(text, encoding="utf-8")
    return token


def load(token: str) -> dict | None:
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    path = export_dir() / f"{token}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def script_json(data) -> str:
    """JSON that can stand inside a <script> element (no '</script>' can end it early)."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(scene: dict, title: str) -> str:
    """The HTML page of one scene (already checked by Scene3D.clean_state)."""
    labels = {
        key: say(f"webxr_{key}")
        for key in ("help", "enter", "exit", "unsupported", "not_allowed", "https", "no_webgl")
    }
    data = {
        "files": {path.name: path.read_text(encoding="utf-8") for path in FILES},
        "scene": scene,
        "labels": labels,
    }
    return PAGES.render("xr-webxr.html.j2", title=title, data=script_json(data), labels=labels)
