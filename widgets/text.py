"""Typing: fill in the blanks, a number, an open answer graded by the trainer."""

import ipywidgets as w

from leerpad.i18n import t

from .base import (
    Exercise,
    ExerciseConfigError,
    Result,
    escape,
    normalize_text,
    require,
    rich,
    typical_wrong_answer,
)

BLANK = "___"


class FillInTheBlanks(Exercise):
    """Invullen: a text with ``___`` for each blank; each blank accepts alternatives. Feedback
    per typical wrong word, shown where a blank holds it."""

    kind = "invullen"
    key_fields = ("answer", "feedback")

    @classmethod
    def validate(cls, exercise_id, config):
        text = require(exercise_id, config, "text", str, f"schrijf een tekst met {BLANK}.")
        if BLANK not in text:
            raise ExerciseConfigError(exercise_id, "text", f"bevat geen leeg vak ({BLANK}).")
        return {**config, "blanks": text.count(BLANK)}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answers = key.get("answer")
        if not isinstance(answers, list) or len(answers) != config["blanks"]:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                f"moet {config['blanks']} antwoord(en) geven, één per leeg vak.",
            )
        alternatives = [[str(x) for x in (a if isinstance(a, list) else [a])] for a in answers]
        feedback = key.get("feedback") or {}
        if not isinstance(feedback, dict) or not all(
            isinstance(v, str) and v for v in feedback.values()
        ):
            raise ExerciseConfigError(
                exercise_id,
                "feedback",
                "moet per fout woord een uitleg geven.",
                'schrijf per fout woord een regel als kleur: "Dat is geen kenmerk van ...".',
            )
        return {"answer": alternatives, "feedback": {str(k): v for k, v in feedback.items()}}

    def build_input(self):
        parts = self.config["text"].split(BLANK)
        self.fields = []
        row = []
        for i, part in enumerate(parts):
            if part:
                row.append(w.HTML(escape(part)))
            if i < len(parts) - 1:
                field = w.Text(placeholder="...", layout=w.Layout(width="12em"))
                field.description = t("blank", n=i + 1)
                field.style.description_width = "0px"  # label for screen readers only
                field.observe(self._save, "value")
                self.submit_on_enter(field)
                self.fields.append(field)
                row.append(field)
        return w.HBox(row, layout=w.Layout(flex_flow="row wrap", align_items="center"))

    def get_answer(self):
        values = [f.value for f in self.fields]
        return values if any(v.strip() for v in values) else None

    def set_answer(self, answer):
        for i, field in enumerate(self.fields):
            field.value = answer[i] if answer and i < len(answer) else ""

    @classmethod
    def evaluate(cls, config, key, answer):
        case = config.get("case_sensitive", False)
        right = 0
        messages = []
        why = {normalize_text(k, case): v for k, v in key.get("feedback", {}).items()}
        for n, (given, accepted) in enumerate(zip(answer, key["answer"], strict=False), 1):
            if normalize_text(given, case) in {normalize_text(a, case) for a in accepted}:
                right += 1
            elif given.strip():
                message = f"{t('blank', n=n)}: '{escape(given)}' {t('wrong').lower()}"
                explained = why.get(normalize_text(given, case))
                messages.append(f"{message} {rich(explained)}" if explained else message)
        return Result(right / len(key["answer"]), messages)

    @classmethod
    def solution_html(cls, config, key):
        return ", ".join(" / ".join(escape(a) for a in alts) for alts in key["answer"])

    @classmethod
    def missing_feedback(cls, config, key):
        return typical_wrong_answer(key, 'bv. feedback: {"fout woord": "uitleg"}')


class NumericAnswer(Exercise):
    """Getal: a number, right within a tolerance, with an optional unit. Feedback per typical
    wrong number (the author's list of what learners often type, and why)."""

    kind = "getal"
    key_fields = ("answer", "feedback")

    @classmethod
    def validate(cls, exercise_id, config):
        tolerance = config.get("tolerance", 0)
        if not isinstance(tolerance, int | float) or tolerance < 0:
            raise ExerciseConfigError(exercise_id, "tolerance", "moet een getal >= 0 zijn.")
        return {**config, "tolerance": tolerance, "unit": str(config.get("unit", ""))}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        value = key.get("answer")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ExerciseConfigError(exercise_id, "answer", "moet een getal zijn.")
        wrong = cls._wrong_numbers(exercise_id, key.get("feedback"))
        for number, _ in wrong:
            if abs(number - value) <= config.get("tolerance", 0) + 1e-9:
                raise ExerciseConfigError(
                    exercise_id,
                    "feedback",
                    f"noemt {number:g}, maar dat is het juiste antwoord.".replace(
                        f"{number:g}", f"{number:g}".replace(".", ",")
                    ),
                    "geef feedback bij foute getallen; het juiste antwoord krijgt 'Juist!'.",
                )
        return {"answer": value, "feedback": wrong}

    @classmethod
    def _wrong_numbers(cls, exercise_id, feedback):
        """{wrong number: why} as [[number, text], ...]: JSON keeps no number as a key."""
        pairs = feedback.items() if isinstance(feedback, dict) else feedback or []
        wrong = []
        for pair in pairs:
            number, text = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (pair, "")
            try:
                value = number if isinstance(number, int | float) else cls.parse(str(number))
            except ValueError:
                value = None
            if value is None or isinstance(value, bool) or not isinstance(text, str) or not text:
                raise ExerciseConfigError(
                    exercise_id,
                    "feedback",
                    f"'{number}' is geen getal met een uitleg.",
                    'schrijf per fout getal een regel als 12: "Je telde ...".',
                )
            wrong.append([value, text])
        return wrong

    def build_input(self):
        self.field = w.Text(
            placeholder="getal",
            description=t("your_answer"),
            style={"description_width": "initial"},
            layout=w.Layout(width="16em"),
        )
        self.field.observe(self._save, "value")
        self.submit_on_enter(self.field)
        unit = w.HTML(escape(self.config["unit"]))
        return w.HBox([self.field, unit])

    def get_answer(self):
        return self.field.value.strip() or None

    def set_answer(self, answer):
        self.field.value = answer or ""

    @staticmethod
    def parse(text, unit=""):
        text = text.strip()
        if unit and text.endswith(unit):
            text = text[: -len(unit)]
        text = text.replace(" ", "").replace(",", ".")  # Flemish decimal comma
        return float(text)

    @classmethod
    def evaluate(cls, config, key, answer):
        try:
            value = cls.parse(answer, config["unit"])
        except ValueError:
            return Result(0.0, [f"'{escape(answer)}' is geen getal. Schrijf bv. 12,5."])
        near = config["tolerance"] + 1e-9
        if abs(value - key["answer"]) <= near:
            return Result(1.0)
        why = [rich(text) for wrong, text in key.get("feedback", []) if abs(value - wrong) <= near]
        return Result(0.0, why[:1])

    @classmethod
    def solution_html(cls, config, key):
        number = f"{key['answer']:g}".replace(".", ",")
        return escape(f"{number} {config['unit']}".strip())

    @classmethod
    def missing_feedback(cls, config, key):
        return typical_wrong_answer(key, 'bv. feedback: {12: "uitleg bij 12"}')


class OpenAnswer(Exercise):
    """Open vraag: free text that a trainer grades in formgrader with a rubric."""

    kind = "open-vraag"
    key_fields = ()

    @classmethod
    def validate(cls, exercise_id, config):
        rubric = config.get("rubric", [])
        if not isinstance(rubric, list):
            raise ExerciseConfigError(exercise_id, "rubric", "moet een lijst met criteria zijn.")
        return {**config, "rubric": [str(r) for r in rubric]}

    def __init__(self, id, **kwargs):
        kwargs.setdefault("show_solution", False)
        kwargs.setdefault("retry", False)
        super().__init__(id, **kwargs)

    def build_input(self):
        self.text = w.Textarea(
            placeholder="Typ hier je antwoord.", layout=w.Layout(width="100%", height="10em")
        )
        self.text.observe(self._save, "value")
        parts = [self.text]
        if self.config["rubric"]:
            items = "".join(f"<li>{escape(r)}</li>" for r in self.config["rubric"])
            parts.insert(0, w.HTML(f"<p>Je trainer let op:</p><ul>{items}</ul>"))
        return w.VBox(parts)

    def get_answer(self):
        return self.text.value if self.text.value.strip() else None

    def set_answer(self, answer):
        self.text.value = answer or ""

    def result(self):
        return None  # graded by a person

    def check(self):
        if self.get_answer() is None:
            self._say([t("no_answer")])
            return
        self.checked = True
        self._say([t("open_answer_saved")])
        self._persist()
