"""Choosing: one right option, several right options, true or false."""

import ipywidgets as w

from leerpad.i18n import t

from .base import Exercise, ExerciseConfigError, Result, escape, require, rich


def _options(exercise_id, config):
    options = require(exercise_id, config, "options", list, "geef een lijst met opties.")
    if len(options) < 2:
        raise ExerciseConfigError(exercise_id, "options", "heeft minstens 2 opties nodig.")
    if len({str(o) for o in options}) != len(options):
        raise ExerciseConfigError(exercise_id, "options", "bevat twee keer dezelfde optie.")
    return {**config, "options": [str(o) for o in options]}


def feedback_per_option(exercise_id, options, feedback, what="optie"):
    """Feedback per option (or per region of an image) is part of the key: it tells which
    option is right."""
    feedback = feedback or {}
    if not isinstance(feedback, dict):
        raise ExerciseConfigError(exercise_id, "feedback", f"moet per {what} een tekst geven.")
    for option in feedback:
        if option not in options:
            raise ExerciseConfigError(
                exercise_id, "feedback", f"noemt '{option}', maar dat is geen {what}."
            )
    return {str(k): str(v) for k, v in feedback.items()}


def _index(exercise_id, options, value, field="answer"):
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(options):
        return value
    if isinstance(value, str) and value in options:
        return options.index(value)
    raise ExerciseConfigError(
        exercise_id, field, f"'{value}' is geen van de opties.", "geef de tekst van een optie."
    )


class SingleChoice(Exercise):
    """Meerkeuze: one right option. Feedback per option."""

    kind = "meerkeuze"
    key_fields = ("answer", "feedback")

    @classmethod
    def validate(cls, exercise_id, config):
        return _options(exercise_id, config)

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        return {
            "answer": _index(exercise_id, config["options"], key.get("answer")),
            "feedback": feedback_per_option(exercise_id, config["options"], key.get("feedback")),
        }

    def build_input(self):
        self.choice = w.RadioButtons(
            options=self.config["options"], value=None, layout=w.Layout(width="auto")
        )
        self.choice.observe(self._save, "value")
        return self.choice

    def get_answer(self):
        return self.choice.value

    def set_answer(self, answer):
        self.choice.value = answer if answer in self.config["options"] else None

    @classmethod
    def evaluate(cls, config, key, answer):
        right = config["options"][key["answer"]]
        messages = [rich(key["feedback"][answer])] if answer in key["feedback"] else []
        return Result(1.0 if answer == right else 0.0, messages)

    @classmethod
    def solution_html(cls, config, key):
        return escape(config["options"][key["answer"]])

    @classmethod
    def missing_feedback(cls, config, key):
        """Every wrong option explains why it is wrong."""
        right = config["options"][key["answer"]]
        return options_without_feedback(config["options"], key, skip=right)


def options_without_feedback(options, key, skip=None) -> list[str]:
    return [
        f"feedback bij de optie '{option}'"
        for option in options
        if option != skip and option not in key.get("feedback", {})
    ]


class TrueFalse(SingleChoice):
    """Juist/fout: a statement that is true or false."""

    kind = "juist-fout"

    @classmethod
    def validate(cls, exercise_id, config):
        return _options(exercise_id, {**config, "options": [t("true"), t("false")]})

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        value = key.get("answer")
        if not isinstance(value, bool):
            raise ExerciseConfigError(
                exercise_id, "answer", "moet true (juist) of false (fout) zijn."
            )
        mapped = {}
        for k, v in (key.get("feedback") or {}).items():
            if k in (True, "juist", "Juist", "true"):
                mapped[t("true")] = v
            elif k in (False, "fout", "Fout", "false"):
                mapped[t("false")] = v
            else:
                raise ExerciseConfigError(exercise_id, "feedback", f"'{k}' is niet juist of fout.")
        return {
            "answer": 0 if value else 1,
            "feedback": feedback_per_option(exercise_id, config["options"], mapped),
        }

    @classmethod
    def missing_feedback(cls, config, key):
        """Both answers explain: a learner who guessed right learns why, too."""
        return [
            f"feedback bij '{word}'"
            for word, option in (("juist", t("true")), ("fout", t("false")))
            if option not in key.get("feedback", {})
        ]


class MultipleChoice(Exercise):
    """Meerkeuze met meer juiste antwoorden. Partial credit: right picks minus wrong picks."""

    kind = "meerdere-keuzes"
    key_fields = ("answer", "feedback")

    @classmethod
    def validate(cls, exercise_id, config):
        return _options(exercise_id, config)

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answers = key.get("answer")
        if not isinstance(answers, list) or not answers:
            raise ExerciseConfigError(
                exercise_id, "answer", "moet een lijst met juiste opties zijn."
            )
        return {
            "answer": sorted({_index(exercise_id, config["options"], a) for a in answers}),
            "feedback": feedback_per_option(exercise_id, config["options"], key.get("feedback")),
        }

    def build_input(self):
        self.boxes = [
            w.Checkbox(value=False, description=o, indent=False, layout=w.Layout(width="auto"))
            for o in self.config["options"]
        ]
        for box in self.boxes:
            box.observe(self._save, "value")
        return w.VBox(self.boxes)

    def get_answer(self):
        picked = [b.description for b in self.boxes if b.value]
        return picked or None

    def set_answer(self, answer):
        for box in self.boxes:
            box.value = bool(answer) and box.description in answer

    @classmethod
    def evaluate(cls, config, key, answer):
        right = {config["options"][i] for i in key["answer"]}
        picked = set(answer)
        good, bad = len(picked & right), len(picked - right)
        fraction = max(0.0, (good - bad) / len(right))
        messages = [rich(key["feedback"][a]) for a in answer if a in key["feedback"]]
        return Result(round(fraction, 4), messages)

    @classmethod
    def solution_html(cls, config, key):
        return "<br>".join(escape(config["options"][i]) for i in key["answer"])

    @classmethod
    def missing_feedback(cls, config, key):
        """Every option explains: why to pick it, or why not."""
        return options_without_feedback(config["options"], key)
