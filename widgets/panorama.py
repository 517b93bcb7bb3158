"""360°-beeld: a viewer on an equirectangular image; the learner looks around and chooses.

Directions are degrees: ``yaw`` 0 is the middle of the image (where the viewer starts),
positive to the right, -180 to 180; ``pitch`` 0 is the horizon, positive up, -90 to 90.
With ``hotspots`` the learner chooses one marker (the key is its id); without, the learner
points at a spot (the key is a direction and a tolerance in degrees). The key never reaches
the browser: the view gets the image and the markers, the choice comes back as plain data.
"""

import base64
import math
import mimetypes
from pathlib import Path

import ipywidgets as w

from leerpad.i18n import phrases

from .base import ExerciseConfigError, Result, escape, rich
from .helpers import AuthoredExercise
from .xr_view import STATIC, XRView, fmt, number

say = phrases("panorama")

# Panoramas that ship with leerpad: name -> file in widgets/static (see make_panorama.py).
SHIPPED = {"werkplaats": STATIC / "panorama-werkplaats.png"}
TOLERANCE = 20.0  # degrees between the chosen and the asked direction


def direction(exercise_id, field, value) -> dict:
    """{yaw, pitch} in degrees, checked."""
    if not isinstance(value, dict) or set(value) - {"yaw", "pitch"} or "yaw" not in value:
        raise ExerciseConfigError(
            exercise_id,
            field,
            "geef een richting als {yaw: graden, pitch: graden}.",
            "bv. {yaw: 90, pitch: -10}: 90° naar rechts, 10° naar beneden.",
        )
    yaw, pitch = value["yaw"], value.get("pitch", 0)
    if not number(yaw) or not -180 <= yaw <= 180 or not number(pitch) or not -90 <= pitch <= 90:
        raise ExerciseConfigError(
            exercise_id, field, "yaw ligt tussen -180 en 180, pitch tussen -90 en 90 (graden)."
        )
    return {"yaw": float(yaw), "pitch": float(pitch)}


def angle(a: dict, b: dict) -> float:
    """Degrees between two directions on the sphere."""

    def unit(d):
        yaw, pitch = math.radians(d["yaw"]), math.radians(d["pitch"])
        return (math.cos(pitch) * math.cos(yaw), math.sin(pitch), math.cos(pitch) * math.sin(yaw))

    dot = sum(p * q for p, q in zip(unit(a), unit(b), strict=True))
    return math.degrees(math.acos(max(-1.0, min(1.0, dot))))


class Panorama360(AuthoredExercise):
    """360°-beeld: look around an equirectangular image and choose a hotspot or a spot."""

    kind = "panorama"
    fields = {
        "afbeelding": "image",
        "beschrijving": "alt",
        "hotspots": "hotspots",
        "start": "start",
    }
    key_fields = ("answer", "tolerance", "feedback")

    @classmethod
    def validate(cls, exercise_id, config):
        image = config.get("image", "werkplaats")
        if not isinstance(image, str) or not image.strip():
            raise ExerciseConfigError(
                exercise_id,
                "image",
                "geef de bestandsnaam van het 360°-beeld.",
                f"een bestand naast module.md, of een beeld van leerpad: {', '.join(SHIPPED)}.",
            )
        alt = config.get("alt") or (say(f"alt_{image}") if image in SHIPPED else "")
        if not isinstance(alt, str) or not alt.strip():
            raise ExerciseConfigError(
                exercise_id,
                "alt",
                "ontbreekt: beschrijf wat er in het 360°-beeld te zien is.",
                "schrijf in 'beschrijving' wat er rondom staat, voor wie het beeld niet ziet.",
            )
        hotspots = config.get("hotspots") or []
        if not isinstance(hotspots, list):
            raise ExerciseConfigError(exercise_id, "hotspots", "moet een lijst zijn.")
        markers = []
        for n, item in enumerate(hotspots, 1):
            field = f"hotspots (hotspot {n})"
            if (
                not isinstance(item, dict)
                or not item.get("id")
                or set(item) - {"id", "naam", "yaw", "pitch"}
            ):
                raise ExerciseConfigError(
                    exercise_id,
                    field,
                    "geef id, yaw, pitch en eventueel naam.",
                    "bv. {id: blusser, naam: B, yaw: 95, pitch: -5}",
                )
            spot = direction(
                exercise_id, field, {k: item[k] for k in ("yaw", "pitch") if k in item}
            )
            markers.append({"id": str(item["id"]), "label": str(item.get("naam", n)), **spot})
        if len({m["id"] for m in markers}) != len(markers):
            raise ExerciseConfigError(exercise_id, "hotspots", "twee hotspots hebben dezelfde id.")
        start = direction(exercise_id, "start", config.get("start", {"yaw": 0, "pitch": 0}))
        return {**config, "image": image, "alt": alt.strip(), "hotspots": markers, "start": start}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key.get("answer")
        ids = [m["id"] for m in config["hotspots"]]
        feedback = key.get("feedback") or {}
        if not isinstance(feedback, dict):
            raise ExerciseConfigError(exercise_id, "feedback", "geef {hotspot-id: tekst}.")
        if ids:
            if str(answer) not in ids:
                raise ExerciseConfigError(
                    exercise_id,
                    "answer",
                    f"'{answer}' is geen hotspot.",
                    f"kies uit {', '.join(ids)}.",
                )
            unknown = set(map(str, feedback)) - set(ids)
            if unknown:
                raise ExerciseConfigError(
                    exercise_id, "feedback", f"'{sorted(unknown)[0]}' is geen hotspot."
                )
            answer = str(answer)
        else:
            answer = direction(exercise_id, "answer", answer)
        tolerance = key.get("tolerance", TOLERANCE)
        if not number(tolerance) or not 0 < tolerance <= 90:
            raise ExerciseConfigError(exercise_id, "tolerance", "geef 1 tot 90 graden.")
        return {
            "answer": answer,
            "tolerance": float(tolerance),
            "feedback": {str(k): str(v) for k, v in feedback.items()},
        }

    @classmethod
    def evaluate(cls, config, key, answer):
        if not isinstance(answer, dict):
            return Result(0.0, [say("malformed")])
        if isinstance(key["answer"], str):
            chosen = answer.get("hotspot")
            if chosen == key["answer"]:
                return Result(1.0)
            text = key["feedback"].get(str(chosen)) or say("wrong_hotspot")
            return Result(0.0, [rich(text)])
        try:
            chosen = direction("", "", {"yaw": answer["yaw"], "pitch": answer["pitch"]})
        except (KeyError, ExerciseConfigError):
            return Result(0.0, [say("malformed")])
        off = angle(chosen, key["answer"])
        if off <= key["tolerance"]:
            return Result(1.0)
        return Result(0.0, [say("off_by", degrees=round(off))])

    @classmethod
    def solution_html(cls, config, key):
        if isinstance(key["answer"], str):
            spot = next(m for m in config["hotspots"] if m["id"] == key["answer"])
            return escape(say("solution_hotspot", label=spot["label"], where=where(spot)))
        return escape(say("solution_direction", where=where(key["answer"])))

    # -- the widget ------------------------------------------------------------------
    def build_input(self):
        self.touched = False
        self.view = XRView(
            scene=self.public_scene(),
            state={},
            labels=self.labels(),
        )
        self.view.observe(self._changed, "state")
        self.description = w.HTML("")
        self._describe()
        return w.VBox([self.view, self.description])

    def public_scene(self) -> dict:
        return {
            "kind": "panorama",
            "image": image_url(self.config["image"]),
            "hotspots": self.config["hotspots"],
            "start": self.config["start"],
        }

    def labels(self) -> dict:
        keys = ("canvas", "help", "choose_here", "no_webgl", "loading", "chosen")
        # the view fills in {label} of each marker itself
        return {key: say(f"ui_{key}") for key in keys} | {
            "hotspot": say("ui_hotspot", label="{label}")
        }

    def _changed(self, change):
        if getattr(self, "_restoring", False):
            return
        self.touched = bool(change["new"])
        self._describe()
        self._save()

    def _describe(self):
        lines = [say("alt", alt=self.config["alt"])]
        state = self.view.state
        if state.get("hotspot"):
            spot = next((m for m in self.config["hotspots"] if m["id"] == state["hotspot"]), None)
            if spot:
                lines.append(say("chosen_hotspot", label=spot["label"], where=where(spot)))
        elif number(state.get("yaw")) and number(state.get("pitch")):
            lines.append(say("chosen_direction", where=where(state)))
        items = "".join(f"<p>{escape(line)}</p>" for line in lines)
        self.description.value = f"<div role='status' aria-live='polite'>{items}</div>"

    def get_answer(self):
        return dict(self.view.state) if self.touched and self.view.state else None

    def set_answer(self, answer):
        if answer is not None and not isinstance(answer, dict):
            raise ValueError("geen keuze")
        restoring = getattr(self, "_restoring", False)
        self._restoring = True
        try:
            self.view.state = dict(answer or {})
        finally:
            self._restoring = restoring
        self.touched = bool(answer)
        self._describe()


def where(direction: dict) -> str:
    """'90° naar rechts en 10° omlaag' for a reader who does not see the image."""
    yaw, pitch = direction["yaw"], direction["pitch"]
    side = say("ahead") if abs(yaw) < 1 else say("right" if yaw > 0 else "left", deg=fmt(abs(yaw)))
    if abs(pitch) < 1:
        return side
    return f"{side}, {say('up' if pitch > 0 else 'down', deg=fmt(abs(pitch)))}"


def image_url(image: str) -> str:
    """The panorama as a data URL: a shipped one by name, else a file next to the notebook."""
    path = SHIPPED.get(image) or Path(image)
    if not path.is_file():
        return ""
    kind = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
