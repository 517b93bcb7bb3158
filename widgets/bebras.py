"""Bebras-style tasks: a short story, a picture and one question of an existing type, with
the attribution the Bebras licence asks for.

Bebras tasks are shared under CC BY-NC-SA: whoever reuses one names the source and keeps the
licence. The task block holds one question of an existing type (``type: meerkeuze``,
``getal``, ``robot``, ...): the question's own fields sit next to the story, and its key
(``answer``, ``feedback``) is stripped from the released notebook like any other key.
"""

import ipywidgets as w

from leerpad.i18n import phrases
from leerpad.markup import markdown_html

from .base import TYPES, Exercise, ExerciseConfigError, escape, require, rich
from .helpers import image_widget, media_file

say = phrases("bebras")
LICENCE = "CC BY-NC-SA 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.nl"
OWN = ("story", "src", "alt", "source", "licence", "type", "age", "difficulty")
DIFFICULTIES = ("makkelijk", "gemiddeld", "moeilijk")
# The Bebras task form's answer explanation and "Dit is informatica": key material, shown
# to the learner once she checked (see BebrasTask.check).
EXPLANATION_FIELDS = {"explanation": "uitleg", "informatics": "informatica"}


def task_types() -> dict:
    """The types a Bebras task can ask: graded, keyed by answer/feedback, no derived fields."""
    return {
        cls.kind: cls
        for cls in TYPES.values()
        if cls.kind
        and cls.graded
        and cls.key_fields
        and set(cls.key_fields) <= set(BebrasTask.key_fields)
        and cls.public_fields.__func__ is Exercise.public_fields.__func__
        and cls is not BebrasTask
    }


EXPLANATION_FIX = {
    "uitleg": "schrijf uitleg: | met waarom het juiste antwoord juist is en waarom elk vaak "
    "gekozen fout antwoord fout is.",
    "informatica": "schrijf informatica: | met de sectie 'Dit is informatica': welk "
    "informaticabegrip achter de taak zit.",
}


class BebrasTask(Exercise):
    """Bebras: story, picture, one question of an existing type, source and licence."""

    kind = "bebras"
    key_fields = ("answer", "feedback", "explanation", "informatics")
    fields = {
        "verhaal": "story",
        "afbeelding": "src",
        "bron": "source",
        "licentie": "licence",
        "soort": "type",
        "uitleg": "explanation",
        "informatica": "informatics",
        "leeftijd": "age",
        "moeilijkheid": "difficulty",
    }

    @classmethod
    def child_type(cls, exercise_id, config):
        name = require(exercise_id, config, "type", str, "bv. soort: meerkeuze.")
        types = task_types()
        by_class = {c.__name__: c for c in types.values()}
        child = types.get(name) or by_class.get(name)
        if child is None:
            raise ExerciseConfigError(
                exercise_id,
                "type",
                f"'{name}' kan niet in een Bebras-taak.",
                f"kies uit: {', '.join(sorted(types))}.",
            )
        return child

    @classmethod
    def validate(cls, exercise_id, config):
        child = cls.child_type(exercise_id, config)
        story = require(exercise_id, config, "story", str, "vertel de situatie van de taak.")
        source = config.get("source")
        if not isinstance(source, str) or not source.strip():
            raise ExerciseConfigError(
                exercise_id,
                "source",
                "ontbreekt: de Bebras-licentie vraagt dat je de bron noemt.",
                "bv. bron: \"Bebras 2021, taak 2021-BE-04 'Bevers in de rij'\".",
            )
        licence = config.get("licence", LICENCE)
        if licence != LICENCE:
            raise ExerciseConfigError(
                exercise_id,
                "licence",
                f"Bebras-taken staan onder {LICENCE}, niet '{licence}'.",
                f"schrijf licentie: {LICENCE} (of laat het veld weg).",
            )
        age = config.get("age")
        if not isinstance(age, str) or not age.strip():
            raise ExerciseConfigError(
                exercise_id,
                "age",
                "ontbreekt: een Bebras-taak noemt de leeftijdsgroep waarvoor ze bedoeld is.",
                'bv. leeftijd: "10-12 jaar".',
            )
        difficulty = config.get("difficulty")
        if difficulty not in DIFFICULTIES:
            raise ExerciseConfigError(
                exercise_id,
                "difficulty",
                "ontbreekt." if difficulty is None else f"'{difficulty}' is geen moeilijkheid.",
                f"kies uit: {', '.join(DIFFICULTIES)} (bv. moeilijkheid: gemiddeld).",
            )
        if config.get("src"):
            media_file(exercise_id, config)
        own = {k: config[k] for k in OWN if k in config}
        rest = {k: v for k, v in config.items() if k not in OWN}
        return {
            **own,
            "story": story,
            "licence": licence,
            "child": child.__name__,
            "child_kwargs": rest,
            "child_config": child.validate(exercise_id, dict(rest)),
        }

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        form = {}
        for name, dutch in EXPLANATION_FIELDS.items():
            text = key.get(name)
            if not isinstance(text, str) or not text.strip():
                raise ExerciseConfigError(
                    exercise_id,
                    name,
                    "ontbreekt: een Bebras-taak heeft een volledige taakfiche."
                    if text is None
                    else "moet tekst zijn.",
                    EXPLANATION_FIX[dutch],
                )
            form[name] = text
        child_key = {k: v for k, v in key.items() if k not in EXPLANATION_FIELDS}
        child = TYPES[config["child"]]
        return {**child.validate_key(exercise_id, config["child_config"], child_key), **form}

    @classmethod
    def evaluate(cls, config, key, answer):
        return TYPES[config["child"]].evaluate(config["child_config"], key, answer)

    @classmethod
    def solution_html(cls, config, key):
        return TYPES[config["child"]].solution_html(config["child_config"], key) + (
            cls.explanation_html(key)
        )

    @classmethod
    def missing_feedback(cls, config, key):
        """The rule of its question's type; uitleg and informatica are required anyway."""
        return TYPES[config["child"]].missing_feedback(config["child_config"], key)

    @staticmethod
    def explanation_html(key) -> str:
        """The answer explanation and "Dit is informatica", as the Bebras task form has them."""
        return "".join(
            f"<div class='leerpad-bebras-{dutch}'><strong>{escape(say(dutch))}</strong>"
            f"{markdown_html(key[name])}</div>"
            for name, dutch in EXPLANATION_FIELDS.items()
        )

    def check(self):
        """After a check that ends the task (right, or the solution already seen, or no
        attempts left) the learner reads the explanation and "Dit is informatica". Before
        that it would give the right answer away for the next try."""
        super().check()
        result = self.result() if self.checked else None
        if result is None or result.empty:
            return
        done = (
            result.fraction >= 1
            or self.solution_shown
            or bool(self.max_attempts and self.attempts >= self.max_attempts)
        )
        if done:
            self.feedback.value += self.explanation_html(self._key)

    def build_input(self):
        child = TYPES[self.config["child"]]
        self.task = child(
            id=f"{self.id}-vraag",
            check=False,
            retry=False,
            show_solution=False,
            **self.config["child_kwargs"],
        )
        parts = [
            w.HTML(f"<p class='leerpad-bebras-niveau'>{escape(self.level())}</p>"),
            w.HTML(
                f"<div class='leerpad-bebras-story'>{markdown_html(self.config['story'])}</div>"
            ),
        ]
        if self.config.get("src"):
            parts.append(image_widget(self.config["src"], self.config["alt"]))
        if self.question:  # the question comes after the story, not above it
            parts.append(w.HTML(f"<div class='leerpad-question'>{rich(self.question)}</div>"))
        parts.append(self.task.input)
        parts.append(w.HTML(self.attribution()))
        return w.VBox(parts, layout=w.Layout(border="1px solid #d1d5db", padding="0.5em"))

    def _draw(self):
        super()._draw()
        self.question_html.value = ""

    def level(self) -> str:
        return say("level", age=self.config["age"], difficulty=self.config["difficulty"])

    def attribution(self) -> str:
        return (
            "<p class='leerpad-bebras-bron'><small>Bron: "
            f"{escape(self.config['source'])} · <a href='{LICENCE_URL}' rel='license'>"
            f"{LICENCE}</a> · Bebras, internationale wedstrijd informatica en computationeel "
            "denken (bebras.org)</small></p>"
        )

    def get_answer(self):
        return self.task.get_answer()

    def set_answer(self, answer):
        self.task.set_answer(answer)
