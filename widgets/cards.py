"""Flashcards: turn a card over, say whether you knew it. Practice, not graded."""

import ipywidgets as w

from .base import Exercise, ExerciseConfigError, escape, require
from .helpers import say


class Flashcards(Exercise):
    """Flitskaarten: ``cards`` = [[voorkant, achterkant], ...] or [{front, back}, ...].

    The learner turns a card ("Draai om"), goes on ("Volgende", "Vorige") and says whether
    they knew it; how many they knew is kept with their answers.
    """

    kind = "flitskaarten"
    fields = {"kaarten": "cards", "voorkant": "front", "achterkant": "back"}
    nested_fields = ("cards",)
    key_fields = ()
    graded = False

    @classmethod
    def validate(cls, exercise_id, config):
        cards = require(exercise_id, config, "cards", list, "geef [[voorkant, achterkant], ...].")
        if not cards:
            raise ExerciseConfigError(exercise_id, "cards", "heeft minstens 1 kaart nodig.")
        clean = []
        for n, card in enumerate(cards, 1):
            if isinstance(card, dict) and {"front", "back"} <= set(card):
                card = [card["front"], card["back"]]
            if not isinstance(card, list | tuple) or len(card) != 2:
                raise ExerciseConfigError(
                    exercise_id, "cards", f"kaart {n} moet een voorkant en een achterkant hebben."
                )
            clean.append([str(card[0]), str(card[1])])
        return {**config, "cards": clean}

    def build_input(self):
        self.index, self.flipped, self.known = 0, False, {}
        self.card = w.HTML("")
        self.position = w.HTML("")
        self.buttons = {
            name: w.Button(description=say(name), tooltip=say(name))
            for name in ("previous", "flip", "next", "known", "unknown")
        }
        self.buttons["previous"].on_click(lambda _: self.go(self.index - 1))
        self.buttons["next"].on_click(lambda _: self.go(self.index + 1))
        self.buttons["flip"].on_click(lambda _: self.flip())
        self.buttons["known"].on_click(lambda _: self.assess(True))
        self.buttons["unknown"].on_click(lambda _: self.assess(False))
        self._show()
        return w.VBox([self.position, self.card, w.HBox(list(self.buttons.values()))])

    def _show(self):
        cards = self.config["cards"]
        side = "back" if self.flipped else "front"
        text = cards[self.index][1 if self.flipped else 0]
        self.card.value = (
            "<div class='leerpad-card' role='status' aria-live='polite'>"
            f"<small>{say(side)}</small><p><strong>{escape(text)}</strong></p></div>"
        )
        count = sum(self.known.values())
        self.position.value = (
            f"<p>{say('card_of', n=self.index + 1, total=len(cards))} · "
            f"{say('card_score', known=count, total=len(cards))}</p>"
        )
        self.buttons["previous"].disabled = self.index == 0
        self.buttons["next"].disabled = self.index == len(cards) - 1
        self.buttons["known"].disabled = self.buttons["unknown"].disabled = not self.flipped

    def go(self, index):
        self.index = max(0, min(index, len(self.config["cards"]) - 1))
        self.flipped = False
        self._show()
        self._save()

    def flip(self):
        self.flipped = not self.flipped
        self._show()

    def assess(self, knew):
        self.known[self.index] = knew
        if self.index < len(self.config["cards"]) - 1:
            self.go(self.index + 1)
        else:
            self._show()
            self._save()

    def get_answer(self):
        if not self.known and self.index == 0:
            return None
        return {
            "index": self.index,
            "known": [i for i, k in sorted(self.known.items()) if k],
            "unknown": [i for i, k in sorted(self.known.items()) if not k],
        }

    def set_answer(self, answer):
        answer = answer if isinstance(answer, dict) else {}
        last = len(self.config["cards"]) - 1
        self.known = {i: True for i in answer.get("known", []) if 0 <= i <= last}
        self.known.update({i: False for i in answer.get("unknown", []) if 0 <= i <= last})
        self.index = min(max(int(answer.get("index", 0)), 0), last)
        self.flipped = False
        self._show()
