"""Putting things together: match pairs, sort items into categories."""

import ipywidgets as w

from .base import ExerciseConfigError, Result, escape
from .helpers import AuthoredExercise, key_value, picker, say, shuffled, text_list


class _PickPerItem(AuthoredExercise):
    """Shared by Matching and Categorize: one dropdown per item, the key maps item -> choice.

    Subclasses say which config field holds the items (``items_field``), which holds the
    choices (``choices_field``) and how an item's label reads.
    """

    items_field = choices_field = ""
    label_text = wrong_text = ""

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key_value(exercise_id, key, "answer", dict, "geef per item het juiste antwoord.")
        answer = {str(k): str(v) for k, v in answer.items()}
        items, choices = config[cls.items_field], config[cls.choices_field]
        if set(answer) != set(items):
            raise ExerciseConfigError(
                exercise_id, "answer", f"moet precies de items uit '{cls.items_field}' noemen."
            )
        for value in answer.values():
            if value not in choices:
                raise ExerciseConfigError(
                    exercise_id, "answer", f"'{value}' staat niet in '{cls.choices_field}'."
                )
        return {"answer": answer}

    def build_input(self):
        self.pickers = {}
        for item in self.config[self.items_field]:
            box = picker(self.config[self.choices_field], say(self.label_text, item=item))
            box.observe(self._save, "value")
            self.pickers[item] = box
        return w.VBox(list(self.pickers.values()))

    def get_answer(self):
        answer = {item: box.value for item, box in self.pickers.items()}
        return answer if any(v is not None for v in answer.values()) else None

    def set_answer(self, answer):
        choices = self.config[self.choices_field]
        for item, box in self.pickers.items():
            value = (answer or {}).get(item)
            box.value = value if value in choices else None

    @classmethod
    def evaluate(cls, config, key, answer):
        right = {item: answer.get(item) == wanted for item, wanted in key["answer"].items()}
        messages = [say(cls.wrong_text, item=item) for item, ok in right.items() if not ok]
        return Result(sum(right.values()) / len(right), messages)

    @classmethod
    def solution_html(cls, config, key):
        rows = "".join(
            f"<li>{escape(item)} → {escape(value)}</li>" for item, value in key["answer"].items()
        )
        return f"<ul>{rows}</ul>"


class Matching(_PickPerItem):
    """Koppelen: pick for every left item its partner from the (shuffled) right items.

    The author writes ``answer={left: right}``; the released notebook gets ``left`` in the
    author's order and ``right`` shuffled, together with the wrong partners the author
    may add as ``distractors`` (part of the key, like the answer).
    """

    kind = "koppelen"
    fields = {"afleiders": "distractors"}
    key_fields = ("answer", "distractors")
    items_field, choices_field = "left", "right"
    label_text, wrong_text = "match_for", "pair_wrong"

    @classmethod
    def public_fields(cls, exercise_id, key):
        answer = key_value(exercise_id, key, "answer", dict, "geef {links: rechts}.")
        left = [str(k) for k in answer]
        distractors = key.get("distractors") or []
        if not isinstance(distractors, list):
            raise ExerciseConfigError(exercise_id, "distractors", "moet een lijst zijn.")
        right = list(dict.fromkeys(str(v) for v in [*answer.values(), *distractors]))
        return {"left": left, "right": shuffled(exercise_id, right)}

    @classmethod
    def validate(cls, exercise_id, config):
        left = text_list(exercise_id, config, "left", 2, "geef de linkse items (via answer).")
        right = text_list(exercise_id, config, "right", 2, "geef de rechtse items (via answer).")
        return {**config, "left": left, "right": right}


class Categorize(_PickPerItem):
    """Sorteren: put every item in the right category.

    The author writes ``categories`` (public) and ``answer={item: category}``; the released
    notebook gets the items shuffled.
    """

    kind = "sorteren"
    fields = {"categorieën": "categories", "categorieen": "categories"}
    items_field, choices_field = "items", "categories"
    label_text, wrong_text = "category_for", "item_wrong"

    @classmethod
    def public_fields(cls, exercise_id, key):
        answer = key_value(exercise_id, key, "answer", dict, "geef {item: categorie}.")
        return {"items": shuffled(exercise_id, [str(k) for k in answer])}

    @classmethod
    def validate(cls, exercise_id, config):
        categories = text_list(exercise_id, config, "categories", 2, "geef de categorieën.")
        items = text_list(exercise_id, config, "items", 1, "geef de items (via answer).")
        return {**config, "categories": categories, "items": items}
