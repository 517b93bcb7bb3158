"""Images and video: find the hotspot, explore an image, answer questions along a video.

Files (images, video, audio) lie next to the notebook and are sent as bytes, so they work
the same in JupyterLab and in Voilà. Every image needs ``alt``: a description for whoever
cannot see it. The named regions and hotspots are buttons, so a keyboard reaches them.
"""

import ipywidgets as w

from .base import Exercise, ExerciseConfigError, Result, escape, require, rich
from .choice import feedback_per_option
from .helpers import image_widget, media_file, media_widget, say, status_line
from .sets import Compound


def _regions(exercise_id, config):
    regions = require(exercise_id, config, "regions", dict, "geef {naam: [x, y, breedte, hoogte]}.")
    if len(regions) < 2:
        raise ExerciseConfigError(exercise_id, "regions", "heeft minstens 2 gebieden nodig.")
    for name, box in regions.items():
        if not (
            isinstance(box, list | tuple)
            and len(box) == 4
            and all(isinstance(v, int | float) and v >= 0 for v in box)
        ):
            raise ExerciseConfigError(
                exercise_id, "regions", f"gebied '{name}' moet [x, y, breedte, hoogte] zijn."
            )
    return {str(name): list(box) for name, box in regions.items()}


class FindTheHotspot(Exercise):
    """Hotspot zoeken: pick the right region of an image (``answer`` = its name).

    The regions are buttons named by the author: the accessible way to point at a part of
    the image. Their coordinates stay with the configuration for a future pointer layer.
    """

    kind = "hotspot-zoeken"
    fields = {"afbeelding": "image", "beschrijving": "alt", "gebieden": "regions"}
    key_fields = ("answer", "feedback")

    @classmethod
    def validate(cls, exercise_id, config):
        config = media_file(exercise_id, config, "image")
        return {**config, "regions": _regions(exercise_id, config)}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key.get("answer")
        if answer not in config["regions"]:
            raise ExerciseConfigError(
                exercise_id, "answer", f"'{answer}' is geen van de gebieden in 'regions'."
            )
        feedback = feedback_per_option(
            exercise_id, list(config["regions"]), key.get("feedback"), "gebied"
        )
        return {"answer": answer, "feedback": feedback}

    def build_input(self):
        names = list(self.config["regions"])
        self.choice = w.ToggleButtons(
            options=names,
            value=None,
            description=say("regions"),
            tooltips=[say("region", name=n) for n in names],
            style={"button_width": "auto"},
        )
        self.choice.observe(self._save, "value")
        self.choice.observe(self._show_chosen, "value")
        self.chosen = w.HTML("")  # which region is chosen, also for a screen reader
        self._show_chosen()
        image = image_widget(self.config["image"], self.config["alt"])
        return w.VBox([image, self.choice, self.chosen])

    def _show_chosen(self, *_):
        self.chosen.value = status_line(say("chosen_now", name=self.choice.value or "-"))

    def get_answer(self):
        return self.choice.value

    def set_answer(self, answer):
        self.choice.value = answer if answer in self.config["regions"] else None

    @classmethod
    def evaluate(cls, config, key, answer):
        messages = [rich(key["feedback"][answer])] if answer in key.get("feedback", {}) else []
        return Result(1.0 if answer == key["answer"] else 0.0, messages)

    @classmethod
    def missing_feedback(cls, config, key):
        """Like a multiple-choice question: every wrong region explains why it is wrong."""
        return [
            f"feedback bij het gebied '{name}'"
            for name in config["regions"]
            if name != key["answer"] and name not in key.get("feedback", {})
        ]

    @classmethod
    def solution_html(cls, config, key):
        return escape(key["answer"])


class ImageHotspots(Exercise):
    """Afbeelding verkennen: buttons on an image that each show an explanation. Not graded.

    ``hotspots`` is {naam: uitleg}; the explanation appears below the image.
    """

    kind = "afbeelding-verkennen"
    fields = {"afbeelding": "image", "beschrijving": "alt", "uitleg": "hotspots"}
    key_fields = ()
    graded = False

    @classmethod
    def validate(cls, exercise_id, config):
        config = media_file(exercise_id, config, "image")
        hotspots = require(exercise_id, config, "hotspots", dict, "geef {naam: uitleg}.")
        if not hotspots:
            raise ExerciseConfigError(exercise_id, "hotspots", "heeft minstens 1 hotspot nodig.")
        return {**config, "hotspots": {str(k): str(v) for k, v in hotspots.items()}}

    def build_input(self):
        self.info = w.HTML("")
        buttons = []
        for name in self.config["hotspots"]:
            button = w.Button(description=name, tooltip=say("hotspot", name=name))
            button.on_click(lambda _, name=name: self.show_hotspot(name))
            buttons.append(button)
        row = w.HBox(buttons, layout=w.Layout(flex_flow="row wrap"))
        return w.VBox([image_widget(self.config["image"], self.config["alt"]), row, self.info])

    def show_hotspot(self, name):
        self.opened = name
        self.info.value = (
            f"<div role='status' aria-live='polite'><strong>{escape(name)}</strong>"
            f"<p>{rich(self.config['hotspots'][name])}</p></div>"
        )

    def get_answer(self):
        return None  # nothing to grade or keep

    def set_answer(self, answer):
        self.info.value = ""


def _clock(seconds) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


class InteractiveVideo(Compound):
    """Interactieve video: a video or audio file with questions at moments in it.

    ``questions`` are child exercises like in a question set, each with ``at`` (seconds);
    they are listed in time order as "Bij 1:30", scored like a question set.
    """

    kind = "interactieve-video"
    fields = {
        **Compound.fields,
        "bestand": "src",
        "uitgeschreven-tekst": "transcript",
        "tijd": "at",
    }
    extra_part_fields = ("at",)

    @classmethod
    def validate(cls, exercise_id, config):
        config = media_file(exercise_id, config, "src", need_alt=False)
        last = 0
        for n, part in enumerate(config.get("parts") or [], 1):
            at = part.get("at") if isinstance(part, dict) else None
            if not isinstance(at, int | float) or isinstance(at, bool) or at < last:
                raise ExerciseConfigError(
                    exercise_id,
                    "questions",
                    f"vraag {n} heeft geen goed tijdstip 'at' (seconden).",
                    "geef elke vraag een tijdstip, in volgorde van de video.",
                )
            last = at
        return super().validate(exercise_id, config)

    def build_input(self):
        parts = [media_widget(self.config["src"])]
        if self.config.get("transcript"):
            text = escape(self.config["transcript"])
            parts.append(
                w.HTML(f"<details><summary>{say('transcript')}</summary><p>{text}</p></details>")
            )
        for part, child in zip(self.config["parts"], self.build_children(), strict=True):
            parts.append(w.HTML(f"<h4>{say('at', time=_clock(part['at']))}</h4>"))
            parts.append(child)
        return w.VBox(parts)
