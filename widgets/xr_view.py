"""What the two XR types share: the browser view (an anywidget with its JavaScript in
``widgets/static``), the three.js library it loads, and checks of 3D numbers.

three.js ships in ``widgets/static/three`` (MIT, see its LICENSE); nothing is fetched from
a CDN. The view asks the kernel for the library once per page (a custom widget message) and
imports it from a blob URL, so a page with five scenes loads it once.
"""

import math
from pathlib import Path

import anywidget
from traitlets import Dict, Unicode

from .base import ExerciseConfigError

STATIC = Path(__file__).resolve().parent / "static"
THREE = STATIC / "three"
# name -> files the browser imports, in order; a later file imports an earlier one by the
# name it has in the three.js package (three.module.min.js imports ./three.core.min.js).
LIBRARIES = {
    "three": ("three.core.min.js", "three.module.min.js"),
    "vrbutton": ("VRButton.js",),
    "scene": ("xr-scene.js",),
    "ruimte": ("ruimte-view.js",),
    "panorama": ("panorama-view.js",),
}


def library_files(name: str) -> list[Path]:
    folder = THREE if name in ("three", "vrbutton") else STATIC
    return [folder / file for file in LIBRARIES[name]]


class XRView(anywidget.AnyWidget):
    """The canvas and its controls. ``scene`` is public configuration (never a key),
    ``state`` is the learner's work that the exercise stores and grades, ``labels`` are the
    words the view shows (from the translation catalogue)."""

    _esm = STATIC / "xr.js"
    _css = STATIC / "xr.css"
    scene = Dict().tag(sync=True)
    state = Dict().tag(sync=True)
    labels = Dict().tag(sync=True)
    description = Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.on_msg(self._on_library_request)

    def _on_library_request(self, _, content, buffers):
        name = content.get("name") if isinstance(content, dict) else None
        if content.get("type") != "lib" or name not in LIBRARIES:
            return
        files = library_files(name)
        self.send(
            {"type": "lib", "name": name, "files": [f.name for f in files]},
            buffers=[f.read_bytes() for f in files],
        )


def number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def vector(exercise_id, field, value, allow_none=False, positive=False) -> list:
    """Three numbers [x, y, z] (None for "any" where allowed), else a clear error."""
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise ExerciseConfigError(
            exercise_id,
            field,
            f"moet drie getallen [x, y, z] zijn, niet {value!r}.",
            "schrijf bv. [2, 0.5, -1].",
        )
    result = []
    for item in value:
        if item is None and allow_none:
            result.append(None)
        elif number(item) and (not positive or item > 0):
            result.append(float(item))
        else:
            kind = "positieve getallen" if positive else "getallen"
            raise ExerciseConfigError(
                exercise_id,
                field,
                f"moet drie {kind} [x, y, z] zijn, niet {value!r}.",
                "schrijf bv. [2, 0.5, -1]"
                + (" of null voor 'om het even'." if allow_none else "."),
            )
    return result


def state_vector(value, positive=False) -> list[float]:
    """Three numbers from a stored answer; ValueError when it has another shape."""
    if not isinstance(value, list) or len(value) != 3 or not all(number(v) for v in value):
        raise ValueError("geen drie getallen")
    if positive and min(value) <= 0:
        raise ValueError("schaal moet positief zijn")
    return [float(v) for v in value]


def fmt(value: float) -> str:
    """A coordinate as a Flemish reader writes it: 0,25 and -1."""
    value = round(value, 2) or 0.0  # no "-0"
    return f"{value:g}".replace(".", ",")


def fmt_vector(values) -> str:
    return "(" + "; ".join(fmt(v) for v in values) + ")"
