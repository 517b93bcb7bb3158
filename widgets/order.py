"""Putting in order: steps of an algorithm, or lines of code (a Parsons problem)."""

import random

import ipywidgets as w

from leerpad.i18n import t

from .base import Exercise, ExerciseConfigError, Result, escape, require


class Ordering(Exercise):
    """Volgorde: the learner moves items up and down with buttons (keyboard and touch).

    The author lists the items in the right order; the learner sees them shuffled with a
    fixed seed, so every learner and every reload sees the same start.
    Partial credit: the share of items in the right place.
    """

    kind = "volgorde"
    fields = {"als-code": "code"}

    def __init__(self, id, **kwargs):
        # The author writes the right order as `answer`; the learner gets it shuffled.
        if "items" not in kwargs and isinstance(kwargs.get("answer"), list):
            kwargs["items"] = self.public_fields(id, {"answer": kwargs["answer"]})["items"]
        super().__init__(id, **kwargs)

    @classmethod
    def public_fields(cls, exercise_id, key):
        return {"items": cls.start_order(exercise_id, [str(i) for i in key["answer"]])}

    @classmethod
    def validate(cls, exercise_id, config):
        items = require(exercise_id, config, "items", list, "geef de items in de juiste volgorde.")
        if len(items) < 2:
            raise ExerciseConfigError(exercise_id, "items", "heeft minstens 2 items nodig.")
        if len(set(map(str, items))) != len(items):
            raise ExerciseConfigError(exercise_id, "items", "bevat twee keer hetzelfde item.")
        return {**config, "items": [str(i) for i in items], "code": bool(config.get("code"))}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key.get("answer")
        if not isinstance(answer, list) or sorted(map(str, answer)) != sorted(config["items"]):
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                "moet precies dezelfde items bevatten, in de juiste volgorde.",
            )
        return {"answer": [str(a) for a in answer]}

    def build_input(self):
        self.order = list(self.config["items"])
        self.rows = w.VBox()
        self._build_rows()
        return self.rows

    @staticmethod
    def start_order(exercise_id, items):
        shuffled = list(items)
        rng = random.Random(exercise_id)
        for _ in range(20):
            rng.shuffle(shuffled)
            if shuffled != list(items):
                break
        return shuffled

    def _build_rows(self):
        """One row per place, built once: a move changes the labels, not the buttons, so the
        keyboard focus stays on the button the learner pressed."""
        rows = []
        self.buttons = []
        for i in range(len(self.order)):
            # Text as well as an icon: an icon alone gives a screen reader no name to read.
            up = w.Button(description=t("up"), icon="arrow-up", layout=w.Layout(width="auto"))
            down = w.Button(description=t("down"), icon="arrow-down", layout=w.Layout(width="auto"))
            up.on_click(lambda _, i=i: self.move(i, -1))
            down.on_click(lambda _, i=i: self.move(i, +1))
            self.buttons.append((up, down, w.HTML()))
            rows.append(w.HBox([w.HTML(f"{i + 1}."), up, down, self.buttons[-1][2]]))
        self.rows.children = rows
        self._draw_rows()

    def _draw_rows(self):
        for i, (item, (up, down, label)) in enumerate(zip(self.order, self.buttons, strict=True)):
            up.tooltip, down.tooltip = f"{t('up')}: {item}", f"{t('down')}: {item}"
            up.disabled, down.disabled = i == 0, i == len(self.order) - 1
            label.value = f"<code>{escape(item)}</code>" if self.config["code"] else escape(item)

    def move(self, index, step):
        target = index + step
        if 0 <= target < len(self.order):
            self.order[index], self.order[target] = self.order[target], self.order[index]
            self._draw_rows()
            self.moved = True
            self._save()

    def get_answer(self):
        return list(self.order) if getattr(self, "moved", False) else None

    def set_answer(self, answer):
        items = self.config["items"]
        if answer and sorted(answer) == sorted(items):
            self.order, self.moved = list(answer), True
        else:
            self.order, self.moved = list(items), False
        self._draw_rows()

    @classmethod
    def evaluate(cls, config, key, answer):
        right = key["answer"]
        in_place = sum(a == b for a, b in zip(answer, right, strict=False))
        return Result(in_place / len(right))

    @classmethod
    def solution_html(cls, config, key):
        return "<ol>" + "".join(f"<li>{escape(i)}</li>" for i in key["answer"]) + "</ol>"
