"""3D-ruimte: an interactive 3D scene (three.js) the learner arranges or builds.

The author places objects made of primitives (``vorm``: kubus, balk, bol, cilinder, kegel,
vlak, pijl) and says which properties the learner may change (``aanpasbaar``). In the mode
``schikken`` the key says where objects must end up (position, rotation in degrees, scale,
each axis or ``null`` for "any") within a tolerance. In the mode ``bouwen`` the learner adds
primitives and sets the camera; the key is a list of conditions ("minstens twee stoelen
tussen ...", "de camera kijkt naar de tafel"). The key never reaches the browser: the view
gets the public scene, and the learner's scene comes back as plain data that ``evaluate``
grades, the same in the app and in nbgrader.
"""

import copy
import math
import re
from pathlib import Path

import ipywidgets as w

from leerpad.i18n import phrases

from .base import ExerciseConfigError, Result, escape, rich
from .helpers import AuthoredExercise
from .session import in_voila
from .xr_view import XRView, fmt, fmt_vector, number, state_vector, vector

say = phrases("ruimte")

SHAPES = ("kubus", "balk", "bol", "cilinder", "kegel", "vlak", "pijl")
COLORS = {
    "rood": "#d62828",
    "oranje": "#f77f00",
    "geel": "#f4c430",
    "groen": "#2a9d46",
    "blauw": "#1d4ed8",
    "paars": "#7b2cbf",
    "roze": "#f472b6",
    "bruin": "#8b5a2b",
    "wit": "#f5f5f5",
    "grijs": "#9ca3af",
    "zwart": "#222222",
}
PROPERTIES = {"positie": "position", "rotatie": "rotation", "schaal": "scale"}
MODES = ("schikken", "bouwen")
TOLERANCE = {"position": 0.25, "rotation": 10.0, "scale": 0.1}  # units, degrees, factor
CAMERA = {"position": [4.0, 3.5, 5.5], "target": [0.0, 0.0, 0.0]}
MAX_OBJECTS = 40  # a scene a laptop draws smoothly; also bounds a tampered answer
CAMERA_TOLERANCE = 15.0  # degrees between where the camera looks and the point asked for


def color(exercise_id, field, value) -> str:
    """A colour name from COLORS or #rrggbb, as #rrggbb."""
    text = str(value).strip().lower()
    if text in COLORS:
        return COLORS[text]
    if len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdef" for c in text[1:]):
        return text
    raise ExerciseConfigError(
        exercise_id,
        field,
        f"kleur '{value}' ken ik niet.",
        f"kies {', '.join(COLORS)} of een code als #336699.",
    )


def scene_object(exercise_id, n, item, mode) -> dict:
    """One authored object (Dutch keys) as the public scene holds it (English keys)."""
    where = f"objecten (object {n})"
    if not isinstance(item, dict):
        raise ExerciseConfigError(exercise_id, where, "moet velden hebben: id, vorm, positie, ...")
    known = {"id", "vorm", "positie", "rotatie", "schaal", "kleur", "naam", "aanpasbaar"}
    unknown = sorted(set(map(str, item)) - known)
    if unknown:
        raise ExerciseConfigError(
            exercise_id,
            where,
            f"onbekend veld '{unknown[0]}'.",
            f"gebruik {', '.join(sorted(known))}.",
        )
    object_id = str(item.get("id", ""))
    if not object_id or not object_id.replace("-", "").isalnum():
        raise ExerciseConfigError(
            exercise_id, where, "heeft een id nodig (letters, cijfers, '-').", "bv. id: kubus"
        )
    shape = item.get("vorm", "kubus")
    if shape not in SHAPES:
        raise ExerciseConfigError(
            exercise_id, where, f"vorm '{shape}' ken ik niet.", f"kies {', '.join(SHAPES)}."
        )
    editable = item.get("aanpasbaar", [])
    if editable is True:
        editable = list(PROPERTIES)
    if not isinstance(editable, list) or set(map(str, editable)) - set(PROPERTIES):
        raise ExerciseConfigError(
            exercise_id,
            where,
            f"'aanpasbaar' moet een lijst uit {', '.join(PROPERTIES)} zijn.",
            "bv. aanpasbaar: [positie, rotatie]",
        )
    return {
        "id": object_id,
        "shape": shape,
        "name": str(item.get("naam") or f"{shape} {object_id}"),
        "position": vector(exercise_id, f"{where}, positie", item.get("positie", [0, 0.5, 0])),
        "rotation": vector(exercise_id, f"{where}, rotatie", item.get("rotatie", [0, 0, 0])),
        "scale": vector(
            exercise_id, f"{where}, schaal", item.get("schaal", [1, 1, 1]), positive=True
        ),
        "color": color(exercise_id, f"{where}, kleur", item.get("kleur", "grijs")),
        "editable": [PROPERTIES[p] for p in PROPERTIES if p in editable],
    }


def camera_config(exercise_id, value) -> dict:
    if value is None:
        return dict(CAMERA)
    if not isinstance(value, dict) or set(value) - {"positie", "kijkt-naar"}:
        raise ExerciseConfigError(
            exercise_id,
            "camera",
            "geef 'positie' en 'kijkt-naar', elk [x, y, z].",
            "bv. camera: {positie: [6, 5, 8], kijkt-naar: [0, 0, 0]}",
        )
    return {
        "position": vector(
            exercise_id, "camera, positie", value.get("positie", CAMERA["position"])
        ),
        "target": vector(
            exercise_id, "camera, kijkt-naar", value.get("kijkt-naar", CAMERA["target"])
        ),
    }


def between(exercise_id, field, value) -> list:
    """'tussen: [[x1, y1, z1], [x2, y2, z2]]': a box, as [lowest corner, highest corner]."""
    if not isinstance(value, list) or len(value) != 2:
        raise ExerciseConfigError(
            exercise_id,
            field,
            "'tussen' moet twee hoekpunten [[x, y, z], [x, y, z]] zijn.",
            "bv. tussen: [[-1, 0, -1], [1, 2, 1]]",
        )
    a, b = (vector(exercise_id, field, corner) for corner in value)
    return [
        [min(p, q) for p, q in zip(a, b, strict=True)],
        [max(p, q) for p, q in zip(a, b, strict=True)],
    ]


def inside(point, box) -> bool:
    return all(lo <= p <= hi for p, lo, hi in zip(point, box[0], box[1], strict=True))


def angle_between(a, b) -> float:
    """Degrees between two vectors (180 when one has no length)."""
    dot = sum(p * q for p, q in zip(a, b, strict=True))
    size = math.dist(a, (0, 0, 0)) * math.dist(b, (0, 0, 0))
    return math.degrees(math.acos(max(-1.0, min(1.0, dot / size)))) if size else 180.0


def rotation_off(a, b) -> float:
    """How far two angles in degrees are apart, the short way round."""
    return abs((a - b + 180) % 360 - 180)


class Scene3D(AuthoredExercise):
    """3D-ruimte: arrange objects (schikken) or build a scene (bouwen) in three.js."""

    kind = "ruimte"
    fields = {
        "objecten": "objects",
        "modus": "mode",
        "bouwstenen": "palette",
        "maximum": "max_objects",
        "camera": "camera",
    }
    key_fields = ("answer", "tolerance", "feedback")

    # -- configuration -------------------------------------------------------------
    @classmethod
    def validate(cls, exercise_id, config):
        mode = config.get("mode", "schikken")
        if mode not in MODES:
            raise ExerciseConfigError(
                exercise_id, "mode", f"'{mode}' ken ik niet.", f"kies {' of '.join(MODES)}."
            )
        items = config.get("objects", [])
        if not isinstance(items, list) or (mode == "schikken" and not items):
            raise ExerciseConfigError(
                exercise_id,
                "objects",
                "moet een lijst met minstens één object zijn.",
                "bv. objecten: [{id: kubus, vorm: kubus, aanpasbaar: [positie]}]",
            )
        objects = [scene_object(exercise_id, n, item, mode) for n, item in enumerate(items, 1)]
        ids = [o["id"] for o in objects]
        if len(set(ids)) != len(ids):
            raise ExerciseConfigError(exercise_id, "objects", "twee objecten hebben dezelfde id.")
        if mode == "schikken" and not any(o["editable"] for o in objects):
            raise ExerciseConfigError(
                exercise_id,
                "objects",
                "geen enkel object is aanpasbaar.",
                "geef minstens één object 'aanpasbaar: [positie]' (of rotatie, schaal).",
            )
        palette = config.get("palette", list(SHAPES[:5]) if mode == "bouwen" else [])
        if not isinstance(palette, list) or set(palette) - set(SHAPES):
            raise ExerciseConfigError(
                exercise_id, "palette", f"moet een lijst uit {', '.join(SHAPES)} zijn."
            )
        if mode == "bouwen" and not palette:
            raise ExerciseConfigError(exercise_id, "palette", "geef minstens één bouwsteen.")
        limit = config.get("max_objects", 12)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_OBJECTS:
            raise ExerciseConfigError(
                exercise_id, "max_objects", f"moet een getal van 1 tot {MAX_OBJECTS} zijn."
            )
        return {
            **config,
            "mode": mode,
            "objects": objects,
            "palette": list(dict.fromkeys(palette)),
            "max_objects": limit,
            "camera": camera_config(exercise_id, config.get("camera")),
        }

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        tolerance = dict(TOLERANCE)
        given = key.get("tolerance")
        if number(given) and given > 0:
            tolerance["position"] = float(given)
        elif isinstance(given, dict):
            for dutch, name in PROPERTIES.items():
                if dutch in given:
                    if not number(given[dutch]) or given[dutch] <= 0:
                        raise ExerciseConfigError(
                            exercise_id, "tolerance", f"'{dutch}' moet > 0 zijn."
                        )
                    tolerance[name] = float(given[dutch])
        elif given is not None:
            raise ExerciseConfigError(
                exercise_id,
                "tolerance",
                "geef een getal (voor de positie) of {positie: 0.25, rotatie: 10, schaal: 0.1}.",
            )
        feedback = key.get("feedback") or {}
        if not isinstance(feedback, dict):
            raise ExerciseConfigError(exercise_id, "feedback", "geef {object-id: tekst}.")
        answer = key.get("answer")
        if config["mode"] == "bouwen":
            conditions = cls._conditions(exercise_id, config, answer)
            return {"answer": conditions, "tolerance": tolerance, "feedback": {}}
        targets = cls._targets(exercise_id, config, answer)
        unknown = set(map(str, feedback)) - set(targets)
        if unknown:
            raise ExerciseConfigError(
                exercise_id, "feedback", f"'{sorted(unknown)[0]}' is geen object uit 'antwoord'."
            )
        feedback = {str(k): str(v) for k, v in feedback.items()}
        return {"answer": targets, "tolerance": tolerance, "feedback": feedback}

    @classmethod
    def _targets(cls, exercise_id, config, answer) -> dict:
        """Schikken: {object id: {positie/rotatie/schaal: [x, y, z] with null = any}}."""
        objects = {o["id"]: o for o in config["objects"]}
        if not isinstance(answer, dict) or not answer:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                "geef per object waar het moet komen.",
                "bv. antwoord: {kubus: {positie: [2, 0.5, -1]}}",
            )
        targets = {}
        for object_id, wanted in answer.items():
            object_id = str(object_id)
            if object_id not in objects:
                raise ExerciseConfigError(
                    exercise_id, "answer", f"'{object_id}' is geen object uit 'objecten'."
                )
            if not isinstance(wanted, dict) or not wanted or set(wanted) - set(PROPERTIES):
                raise ExerciseConfigError(
                    exercise_id, "answer", f"geef voor '{object_id}' positie, rotatie en/of schaal."
                )
            targets[object_id] = {}
            for dutch, value in wanted.items():
                name = PROPERTIES[dutch]
                if name not in objects[object_id]["editable"]:
                    raise ExerciseConfigError(
                        exercise_id,
                        "answer",
                        f"de {dutch} van '{object_id}' is niet aanpasbaar.",
                        f"zet '{dutch}' in 'aanpasbaar' van dat object.",
                    )
                field = f"antwoord, {object_id}, {dutch}"
                targets[object_id][name] = vector(
                    exercise_id, field, value, allow_none=True, positive=name == "scale"
                )
        return targets

    @classmethod
    def _conditions(cls, exercise_id, config, answer) -> list:
        """Bouwen: a list of conditions, each {vorm, kleur, aantal, tussen, uitleg} on the
        objects, or {camera: {kijkt-naar, tolerantie, tussen}, uitleg}."""
        if not isinstance(answer, list) or not answer:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                "geef in de modus 'bouwen' een lijst met voorwaarden.",
                "bv. antwoord: [{vorm: bol, aantal: 2, uitleg: 'Zet twee bollen in de scène.'}]",
            )
        conditions = []
        for n, item in enumerate(answer, 1):
            field = f"antwoord (voorwaarde {n})"
            if not isinstance(item, dict):
                raise ExerciseConfigError(exercise_id, field, "moet velden hebben.")
            unknown = set(map(str, item)) - {
                "vorm",
                "kleur",
                "aantal",
                "tussen",
                "uitleg",
                "camera",
            }
            if unknown:
                raise ExerciseConfigError(
                    exercise_id,
                    field,
                    f"onbekend veld '{sorted(unknown)[0]}'.",
                    "gebruik vorm, kleur, aantal, tussen, uitleg of camera.",
                )
            condition = {"explain": str(item.get("uitleg", ""))}
            if "camera" in item:
                camera = item["camera"]
                if not isinstance(camera, dict) or set(camera) - {
                    "kijkt-naar",
                    "tolerantie",
                    "tussen",
                }:
                    raise ExerciseConfigError(
                        exercise_id,
                        field,
                        "'camera' heeft 'kijkt-naar' [x, y, z], en mag "
                        "'tolerantie' (graden) en 'tussen' (waar de camera staat) hebben.",
                    )
                limit = camera.get("tolerantie", CAMERA_TOLERANCE)
                if not number(limit) or not 0 < limit <= 90:
                    raise ExerciseConfigError(
                        exercise_id, field, "'tolerantie' is 1 tot 90 graden."
                    )
                condition["camera"] = {
                    "looks_at": vector(exercise_id, field, camera["kijkt-naar"])
                    if "kijkt-naar" in camera
                    else None,
                    "tolerance": float(limit),
                    "between": between(exercise_id, field, camera["tussen"])
                    if "tussen" in camera
                    else None,
                }
                conditions.append(condition)
                continue
            shape = item.get("vorm")
            if shape is not None and shape not in SHAPES:
                raise ExerciseConfigError(exercise_id, field, f"vorm '{shape}' ken ik niet.")
            count = item.get("aantal", 1)
            if (
                not isinstance(count, int)
                or isinstance(count, bool)
                or not 1 <= count <= MAX_OBJECTS
            ):
                raise ExerciseConfigError(exercise_id, field, f"'aantal' is 1 tot {MAX_OBJECTS}.")
            condition.update(
                shape=shape,
                color=color(exercise_id, field, item["kleur"]) if "kleur" in item else None,
                count=count,
                between=between(exercise_id, field, item["tussen"]) if "tussen" in item else None,
            )
            conditions.append(condition)
        return conditions

    # -- grading: plain data in, a Result out --------------------------------------
    @classmethod
    def clean_state(cls, config, answer) -> dict:
        """The learner's scene from a stored answer; ValueError when it is malformed."""
        if not isinstance(answer, dict) or not isinstance(answer.get("objects"), list):
            raise ValueError("geen scène")
        if len(answer["objects"]) > config["max_objects"] + len(config["objects"]):
            raise ValueError("te veel objecten")
        objects = []
        for item in answer["objects"]:
            if not isinstance(item, dict) or item.get("shape") not in SHAPES:
                raise ValueError("geen object")
            objects.append(
                {
                    "id": str(item.get("id", "")),
                    "shape": item["shape"],
                    "position": state_vector(item.get("position")),
                    "rotation": state_vector(item.get("rotation")),
                    "scale": state_vector(item.get("scale"), positive=True),
                    "color": state_color(item.get("color")),
                    "name": str(item.get("name", item["shape"])),
                }
            )
        camera = answer.get("camera") or config["camera"]
        if not isinstance(camera, dict):
            raise ValueError("geen camera")
        camera = {
            "position": state_vector(camera.get("position")),
            "target": state_vector(camera.get("target")),
        }
        return {"objects": objects, "camera": camera}

    @classmethod
    def evaluate(cls, config, key, answer):
        try:
            scene = cls.clean_state(config, answer)
        except ValueError:
            return Result(0.0, [say("malformed")])
        if config["mode"] == "bouwen":
            return cls._evaluate_build(config, key, scene)
        objects = {o["id"]: o for o in scene["objects"]}
        names = {o["id"]: o["name"] for o in config["objects"]}
        right, total, messages = 0, 0, []
        for object_id, wanted in key["answer"].items():
            wrong = []
            for name, target in wanted.items():
                total += 1
                have = objects.get(object_id, {}).get(name)
                if have is not None and cls._close(name, have, target, key["tolerance"][name]):
                    right += 1
                else:
                    wrong.append(say(name))
            if wrong:
                text = key["feedback"].get(object_id) or say(
                    "object_wrong", name=names[object_id], what=" en ".join(wrong)
                )
                messages.append(rich(text))
        return Result(right / total, messages)

    @staticmethod
    def _close(name, have, target, tolerance) -> bool:
        axes = [(h, t) for h, t in zip(have, target, strict=True) if t is not None]
        if name == "position":
            return math.dist([h for h, _ in axes], [t for _, t in axes]) <= tolerance + 1e-9
        if name == "rotation":
            return all(rotation_off(h, t) <= tolerance + 1e-9 for h, t in axes)
        return all(abs(h - t) <= tolerance + 1e-9 for h, t in axes)

    @classmethod
    def _evaluate_build(cls, config, key, scene):
        met, messages = 0, []
        for n, condition in enumerate(key["answer"], 1):
            if cls._met(condition, scene):
                met += 1
            else:
                text = condition["explain"] or say("condition_unmet", n=n)
                messages.append(rich(text))
        return Result(met / len(key["answer"]), messages)

    @staticmethod
    def _met(condition, scene) -> bool:
        camera = condition.get("camera")
        if camera:
            position, target = scene["camera"]["position"], scene["camera"]["target"]
            if camera["between"] and not inside(position, camera["between"]):
                return False
            if camera["looks_at"] is None:
                return True
            view = [t - p for t, p in zip(target, position, strict=True)]
            wanted = [t - p for t, p in zip(camera["looks_at"], position, strict=True)]
            return angle_between(view, wanted) <= camera["tolerance"]
        found = [
            o
            for o in scene["objects"]
            if (condition["shape"] is None or o["shape"] == condition["shape"])
            and (condition["color"] is None or o["color"] == condition["color"])
            and (condition["between"] is None or inside(o["position"], condition["between"]))
        ]
        return len(found) >= condition["count"]

    @classmethod
    def solution_html(cls, config, key):
        if config["mode"] == "bouwen":
            items = [cls.describe_condition(c) for c in key["answer"]]
        else:
            names = {o["id"]: o["name"] for o in config["objects"]}
            items = [
                f"{escape(names[object_id])}: "
                + ", ".join(f"{say(name)} {target_text(v)}" for name, v in wanted.items())
                for object_id, wanted in key["answer"].items()
            ]
        return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"

    @staticmethod
    def describe_condition(condition) -> str:
        if condition.get("camera"):
            camera = condition["camera"]
            parts = [say("camera_condition")]
            if camera["looks_at"]:
                parts.append(say("looks_at", point=fmt_vector(camera["looks_at"])))
            if camera["between"]:
                parts.append(
                    say(
                        "between",
                        low=fmt_vector(camera["between"][0]),
                        high=fmt_vector(camera["between"][1]),
                    )
                )
            return escape(" ".join(parts))
        what = condition["shape"] or say("object")
        if condition["color"]:
            named = {v: k for k, v in COLORS.items()}.get(condition["color"], condition["color"])
            what = f"{what} ({named})"
        text = say("count_condition", count=condition["count"], what=what)
        if condition["between"]:
            box = condition["between"]
            text += " " + say("between", low=fmt_vector(box[0]), high=fmt_vector(box[1]))
        return escape(text)

    # -- the widget ------------------------------------------------------------------
    def build_input(self):
        self.touched = False
        self.view = XRView(
            scene=self.public_scene(),
            state=self.start_state(),
            labels=self.labels(),
        )
        self.view.observe(self._changed, "state")
        self.view.on_msg(self._on_export)
        self.description = w.HTML("")
        self._describe()
        return w.VBox([self.view, self.description])

    def _on_export(self, _, content, buffers):
        """ "Exporteer als WebXR-pagina": in the app a page the apps server serves, in
        JupyterLab a file beside the notebook. The view shows the link."""
        if not isinstance(content, dict) or content.get("type") != "export":
            return
        from . import xr_export

        try:
            scene = self.clean_state(self.config, self.view.state)
        except ValueError:
            return
        if in_voila():
            self.view.send({"type": "exported", "token": xr_export.save(scene)})
        else:
            path = Path(f"{self.id}-webxr.html")
            path.write_text(xr_export.page(scene, self.id), encoding="utf-8")
            self.view.send({"type": "exported", "file": path.name})

    def public_scene(self) -> dict:
        """What the browser may know: the objects, the camera, what may change. No key."""
        return {
            "kind": "ruimte",
            "mode": self.config["mode"],
            "objects": self.config["objects"],
            "camera": self.config["camera"],
            "palette": self.config["palette"],
            "colors": COLORS,
            "max_objects": self.config["max_objects"],
        }

    def start_state(self) -> dict:
        objects = [
            {k: copy.deepcopy(v) for k, v in o.items() if k != "editable"}
            for o in self.config["objects"]
        ]
        return {"objects": objects, "camera": copy.deepcopy(self.config["camera"])}

    def labels(self) -> dict:
        keys = (
            "canvas",
            "help",
            "objects",
            "position",
            "rotation",
            "scale",
            "add",
            "remove",
            "color",
            "no_webgl",
            "selected",
            "reset_view",
            "degrees",
            "loading",
            "export",
            "exported",
        )
        return (
            {key: say(f"ui_{key}") for key in keys}
            | {shape: say(f"shape_{shape}") for shape in SHAPES}
            | {"exported_file": say("ui_exported_file", file="{file}")}  # the view fills it in
        )

    def _changed(self, change):
        if getattr(self, "_restoring", False):
            return
        self.touched = True
        self._describe()
        self._save()

    def _describe(self):
        """The scene in words for screen readers (and anyone who wants to check numbers)."""
        try:
            scene = self.clean_state(self.config, self.view.state)
        except ValueError:
            scene = self.clean_state(self.config, self.start_state())
        lines = [say("scene_intro", n=len(scene["objects"]))]
        for o in scene["objects"]:
            lines.append(
                say(
                    "object_line",
                    name=o["name"],
                    shape=say(f"shape_{o['shape']}"),
                    position=fmt_vector(o["position"]),
                    rotation=", ".join(f"{fmt(v)}°" for v in o["rotation"]),
                    scale=fmt_vector(o["scale"]),
                )
            )
        camera = scene["camera"]
        lines.append(
            say(
                "camera_line",
                position=fmt_vector(camera["position"]),
                target=fmt_vector(camera["target"]),
            )
        )
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        self.description.value = (
            f"<details class='leerpad-xr-description' open><summary>{escape(say('description'))}"
            f"</summary><ul role='status' aria-live='polite'>{items}</ul></details>"
        )

    def get_answer(self):
        return dict(self.view.state) if self.touched else None

    def set_answer(self, answer):
        if answer is None:
            self.touched = False
            state = self.start_state()
        else:
            self.clean_state(self.config, answer)  # ValueError: counts as no answer
            self.touched, state = True, answer
        restoring = getattr(self, "_restoring", False)
        self._restoring = True
        try:
            self.view.state = state
        finally:
            self._restoring = restoring
        self._describe()


def state_color(value) -> str:
    """A colour from a stored answer: #rrggbb, else ValueError."""
    if not isinstance(value, str) or not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError("geen kleur")
    return value.lower()


def target_text(values) -> str:
    return "(" + "; ".join("…" if v is None else fmt(v) for v in values) + ")"
