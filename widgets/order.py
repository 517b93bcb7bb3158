"""Putting in order: steps of an algorithm, or lines of code (a Parsons problem)."""

import random

import ipywidgets as w

from leerpad.i18n import t

from .base import (
    Exercise,
    ExerciseConfigError,
    Result,
    escape,
    require,
    rich,
    typical_wrong_answer,
)


def in_order_run(answer, right) -> set:
    """The items of the longest subsequence of `answer` whose items stand in the same order
    as in `right` (the longest increasing subsequence of their right places). Items `right`
    does not hold (a tampered answer) are never part of it."""
    place = {item: i for i, item in enumerate(right)}
    places = [place[item] for item in answer if item in place]
    best: list[list[int]] = []  # best[i]: the longest run ending at places[i]
    for i, p in enumerate(places):
        longest = max((best[j] for j in range(i) if places[j] < p), key=len, default=[])
        best.append([*longest, p])
    run = max(best, key=len, default=[])
    return {right[p] for p in run}


class Ordering(Exercise):
    """Volgorde: the learner moves items up and down with buttons (keyboard and touch).

    The author lists the items in the right order; the learner sees them shuffled with a
    fixed seed, so every learner and every reload sees the same start.
    Partial credit: the longest run of items that stand in the right order relative to each
    other (not necessarily side by side), as a share of all items: one item moved to the
    front costs that item, not every place after it. A run of one item is no order at all
    (the reversed list scores 0). ``feedback`` (key) explains an item
    that is not part of that run: a typical misplacement.
    """

    kind = "volgorde"
    fields = {"als-code": "code"}
    key_fields = ("answer", "feedback")

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
        feedback = key.get("feedback") or {}
        if not isinstance(feedback, dict):
            raise ExerciseConfigError(
                exercise_id,
                "feedback",
                "moet per item een uitleg geven (item: uitleg).",
                'bv. feedback: {"raap de bal op": "De robot moet eerst op C5 staan."}',
            )
        for item, text in feedback.items():
            if str(item) not in config["items"]:
                raise ExerciseConfigError(
                    exercise_id,
                    "feedback",
                    f"noemt '{item}', maar dat is geen item van het antwoord.",
                    "schrijf de tekst van het item precies zoals in 'antwoord'.",
                )
            if not isinstance(text, str) or not text.strip():
                raise ExerciseConfigError(
                    exercise_id, "feedback", f"de uitleg bij '{item}' is leeg.", "schrijf een zin."
                )
        return {
            "answer": [str(a) for a in answer],
            "feedback": {str(k): v for k, v in feedback.items()},
        }

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
        if sorted(map(str, answer)) != sorted(right):
            return Result(0.0)  # not these items (a tampered answers file)
        run = in_order_run(answer, right)
        if len(run) < 2:
            run = set()  # one item alone is in no order: no two items stand right (reversed)
        feedback = key.get("feedback", {})
        messages = [rich(feedback[item]) for item in answer if item not in run and item in feedback]
        return Result(len(run) / len(right), messages)

    @classmethod
    def missing_feedback(cls, config, key):
        return typical_wrong_answer(key, 'bv. feedback: {"een item": "waarom het elders hoort"}')

    @classmethod
    def solution_html(cls, config, key):
        return "<ol>" + "".join(f"<li>{escape(i)}</li>" for i in key["answer"]) + "</ol>"
