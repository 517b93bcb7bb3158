"""Exercises made of exercises: a question set; the interactive video builds on it.

The author writes the child exercises in ``questions`` as plain dicts, each with its
``type`` (a class name such as "SingleChoice") and that type's keyword arguments, answers
included. ``questions`` is the key: the released notebook gets ``parts`` instead, the same
children without their key fields (and with their public fields, e.g. shuffled items).
"""

import ipywidgets as w

from .base import TYPES, ExerciseConfigError, Result, escape
from .helpers import AuthoredExercise, say, verdict

CHILD_BASE = ("question", "points", "hints")  # Exercise arguments a child may set
NOT_CONFIG = ("type", "id", "at", *CHILD_BASE)  # ... and what is not the type's config


class Compound(AuthoredExercise):
    """Child exercises scored together: each child's fraction weighted by its points."""

    key_fields = ("questions",)
    fields = {"vragen": "questions", "soort": "type", "slaaggrens": "pass_mark"}
    nested_fields = ("questions",)  # lists of child exercises, written with Dutch fields
    extra_part_fields: tuple[str, ...] = ()  # per-part fields of a subclass, e.g. "at"

    @classmethod
    def _child_type(cls, exercise_id, n, part):
        if not isinstance(part, dict):
            raise ExerciseConfigError(exercise_id, "questions", f"vraag {n} moet een dict zijn.")
        child = TYPES.get(part.get("type"))
        if child is None or not child.graded or issubclass(child, Compound):
            names = ", ".join(sorted(n for n, c in TYPES.items() if c.graded and c.kind))
            raise ExerciseConfigError(
                exercise_id,
                "questions",
                f"vraag {n} heeft een onbekend type '{part.get('type')}'.",
                f"kies uit: {names}.",
            )
        return child

    @classmethod
    def _child_id(cls, exercise_id, n, part):
        return str(part.get("id") or f"{exercise_id}-{n}")

    @classmethod
    def public_fields(cls, exercise_id, key):
        questions = key.get("questions")
        if not isinstance(questions, list) or not questions:
            raise ExerciseConfigError(exercise_id, "questions", "moet een lijst met vragen zijn.")
        parts = []
        for n, question in enumerate(questions, 1):
            child = cls._child_type(exercise_id, n, question)
            child_key = {k: question[k] for k in child.key_fields if k in question}
            public = {k: v for k, v in question.items() if k not in child.key_fields}
            if child_key:
                extra = child.public_fields(cls._child_id(exercise_id, n, question), child_key)
                public.update({k: v for k, v in extra.items() if k not in public})
            parts.append(public)
        return {"parts": parts}

    @classmethod
    def validate(cls, exercise_id, config):
        parts = config.get("parts")
        if not isinstance(parts, list) or not parts:
            raise ExerciseConfigError(
                exercise_id, "questions", "ontbreekt: geef een lijst met vragen."
            )
        checked = []
        for n, part in enumerate(parts, 1):
            child = cls._child_type(exercise_id, n, part)
            child_id = cls._child_id(exercise_id, n, part)
            leaked = [k for k in child.key_fields if k in part]
            if leaked:
                raise ExerciseConfigError(
                    exercise_id,
                    "parts",
                    f"vraag {n} bevat het antwoord ('{leaked[0]}').",
                    "schrijf de vragen met hun antwoorden in 'questions'.",
                )
            points = part.get("points", 1)
            if not isinstance(points, int | float) or isinstance(points, bool) or points <= 0:
                raise ExerciseConfigError(exercise_id, "questions", f"vraag {n}: punten > 0.")
            own = {k: v for k, v in part.items() if k not in NOT_CONFIG}
            checked.append(
                {
                    "type": part["type"],
                    "id": child_id,
                    "points": points,
                    "config": child.validate(child_id, dict(own)),
                    "kwargs": {k: v for k, v in part.items() if k not in ("type", "id", "at")},
                    **{k: part[k] for k in cls.extra_part_fields if k in part},
                }
            )
        return {**config, "parts": checked, "pass_mark": _pass_mark(exercise_id, config)}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        questions = key.get("questions")
        parts = config["parts"]
        if not isinstance(questions, list) or len(questions) != len(parts):
            raise ExerciseConfigError(
                exercise_id, "questions", f"moet {len(parts)} vragen met antwoord geven."
            )
        children = []
        for n, (part, question) in enumerate(zip(parts, questions, strict=True), 1):
            child = TYPES[part["type"]]
            if not isinstance(question, dict) or question.get("type") != part["type"]:
                raise ExerciseConfigError(exercise_id, "questions", f"vraag {n} past niet.")
            child_key = {k: question[k] for k in child.key_fields if k in question}
            if not child_key:
                raise ExerciseConfigError(
                    exercise_id, "questions", f"vraag {n} heeft geen antwoord."
                )
            children.append(child.validate_key(part["id"], part["config"], child_key))
        return {"children": children}

    @classmethod
    def missing_feedback(cls, config, key):
        """Each question by the rule of its own type."""
        return [
            f"vraag {n}: {gap}"
            for n, (part, child_key) in enumerate(
                zip(config["parts"], key["children"], strict=True), 1
            )
            for gap in TYPES[part["type"]].missing_feedback(part["config"], child_key)
        ]

    # -- the children as widgets -----------------------------------------------------
    def build_children(self):
        """One widget per part; they save themselves, the set only reads them."""
        self.parts = []
        for part in self.config["parts"]:
            child = TYPES[part["type"]](
                id=part["id"], check=False, retry=False, show_solution=False, **part["kwargs"]
            )
            self.parts.append(child)
        return self.parts

    def get_answer(self):
        answers = [child.get_answer() for child in self.parts]
        return answers if any(a is not None for a in answers) else None

    def set_answer(self, answer):
        restoring = getattr(self, "_restoring", False)
        for i, child in enumerate(self.parts):
            value = answer[i] if isinstance(answer, list) and i < len(answer) else None
            if restoring and child.get_answer() is not None:
                continue  # the child restored its own, newer answer
            child.set_answer(value)

    @classmethod
    def evaluate(cls, config, key, answer):
        total = sum(part["points"] for part in config["parts"])
        earned, messages = 0.0, []
        for n, (part, child_key) in enumerate(zip(config["parts"], key["children"], strict=True)):
            given = answer[n] if n < len(answer) else None
            if given is None:
                messages.append(say("part_empty", n=n + 1))
                continue
            result = TYPES[part["type"]].evaluate(part["config"], child_key, given)
            earned += result.fraction * part["points"]
            messages.append(say("part_result", n=n + 1, verdict=verdict(result.fraction)))
            messages += result.messages
        fraction = round(earned / total, 4)
        pass_mark = config.get("pass_mark")
        if pass_mark is not None:
            values = {"percent": round(fraction * 100), "needed": round(pass_mark * 100)}
            messages.append(say("passed" if fraction >= pass_mark else "not_passed", **values))
        return Result(fraction, messages)

    @classmethod
    def solution_html(cls, config, key):
        items = "".join(
            f"<li>{escape(part['kwargs'].get('question', ''))}<br>"
            f"{TYPES[part['type']].solution_html(part['config'], child_key)}</li>"
            for part, child_key in zip(config["parts"], key["children"], strict=True)
        )
        return f"<ol>{items}</ol>"


def _pass_mark(exercise_id, config):
    pass_mark = config.get("pass_mark")
    if pass_mark is not None and (
        not isinstance(pass_mark, int | float)
        or isinstance(pass_mark, bool)
        or not 0 <= pass_mark <= 1
    ):
        raise ExerciseConfigError(
            exercise_id, "pass_mark", "moet een deel tussen 0 en 1 zijn.", "bv. 0.6 voor 60%."
        )
    return pass_mark


class QuestionSet(Compound):
    """Vragenreeks: the questions one after another, "Vraag 2 van 5", one score in the end."""

    kind = "vragenreeks"

    def build_input(self):
        self.build_children()
        self.position = w.HTML("")
        self.previous = w.Button(description=say("previous"), icon="arrow-left")
        self.next = w.Button(description=say("next"), icon="arrow-right")
        self.previous.on_click(lambda _: self.show(self.current - 1))
        self.next.on_click(lambda _: self.show(self.current + 1))
        self.page = w.VBox()
        self.show(0)
        return w.VBox([self.position, self.page, w.HBox([self.previous, self.next])])

    def show(self, index):
        self.current = max(0, min(index, len(self.parts) - 1))
        self.page.children = [self.parts[self.current]]
        total = len(self.parts)
        self.position.value = (
            f"<p role='status' aria-live='polite'>"
            f"{say('question_of', n=self.current + 1, total=total)}</p>"
        )
        self.previous.disabled = self.current == 0
        self.next.disabled = self.current == total - 1
