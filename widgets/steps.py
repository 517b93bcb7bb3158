"""Step counter: search or sort hidden cards yourself, and count the steps it takes.

The key is the row of hidden numbers on the cards. In ``zoeken`` the learner opens cards
one at a time until the card with the number ``zoek`` shows up; each opened card is a step.
In ``sorteren`` the learner compares two cards on a balance (which one is heavier?) and
swaps cards, without ever seeing the numbers; each comparison is a step. The answer is the
list of actions, so the grader replays it against the key exactly as the widget did.
"""

import ipywidgets as w

from leerpad.i18n import phrases

from .base import ExerciseConfigError, Result, escape
from .helpers import AuthoredExercise

MODES = ("zoeken", "sorteren")
say = phrases("steps")


def card_name(index: int) -> str:
    return chr(ord("A") + index)


def replay(mode, values, target, actions):
    """Play the actions on the cards: (steps, done, order, swaps); raises ValueError."""
    order = list(range(len(values)))  # order[position] = card
    steps = swaps = 0
    done = False
    opened = set()
    for n, action in enumerate(actions, 1):
        if not isinstance(action, list) or not action:
            raise ValueError(say("bad_action", n=n))
        name, places = action[0], action[1:]
        if any(not isinstance(p, int) or not 0 <= p < len(values) for p in places):
            raise ValueError(say("bad_action", n=n))
        if mode == "zoeken" and name == "open" and len(places) == 1:
            if done or places[0] in opened:
                continue
            opened.add(places[0])
            steps += 1
            done = values[places[0]] == target
        elif mode == "sorteren" and name in ("vergelijk", "wissel") and len(places) == 2:
            a, b = places
            if name == "vergelijk":
                steps += 1
            else:
                order[a], order[b] = order[b], order[a]
                swaps += 1
        else:
            raise ValueError(say("bad_action", n=n))
    if mode == "sorteren":
        weights = [values[card] for card in order]
        done = weights == sorted(weights)
    return steps, done, order, swaps


class StepCounter(AuthoredExercise):
    """Stappenteller: search or sort hidden cards; right when done within the step limit."""

    kind = "stappenteller"
    fields = {"modus": "mode", "zoek": "target", "max-stappen": "max_steps"}

    @classmethod
    def public_fields(cls, exercise_id, key):
        return {"size": len(key["answer"])} if isinstance(key.get("answer"), list) else {}

    @classmethod
    def validate(cls, exercise_id, config):
        mode = config.get("mode", "zoeken")
        if mode not in MODES:
            raise ExerciseConfigError(
                exercise_id, "mode", f"'{mode}' ken ik niet.", "kies zoeken of sorteren."
            )
        size = config.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or not 2 <= size <= 26:
            raise ExerciseConfigError(
                exercise_id, "size", "moet een aantal kaarten van 2 tot 26 zijn."
            )
        steps = config.get("max_steps")
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise ExerciseConfigError(
                exercise_id, "max_steps", "moet een geheel getal groter dan 0 zijn."
            )
        target = config.get("target")
        if mode == "zoeken" and (not isinstance(target, int | float) or isinstance(target, bool)):
            raise ExerciseConfigError(
                exercise_id, "target", "moet het getal zijn dat de leerling zoekt."
            )
        return {**config, "mode": mode}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        values = key.get("answer")
        if (
            not isinstance(values, list)
            or len(values) != config["size"]
            or any(not isinstance(v, int | float) or isinstance(v, bool) for v in values)
        ):
            raise ExerciseConfigError(
                exercise_id, "answer", f"moet {config['size']} getallen geven, één per kaart."
            )
        if config["mode"] == "zoeken" and config["target"] not in values:
            raise ExerciseConfigError(
                exercise_id, "answer", f"bevat het gezochte getal {config['target']} niet."
            )
        if config["mode"] == "sorteren" and (
            len(set(values)) != len(values) or values == sorted(values)
        ):
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                "moet verschillende getallen geven die nog niet gesorteerd zijn.",
            )
        return {"answer": values}

    @classmethod
    def evaluate(cls, config, key, answer):
        mode, limit = config["mode"], config["max_steps"]
        try:
            steps, done, _, _ = replay(mode, key["answer"], config.get("target"), answer)
        except ValueError as err:
            return Result(0.0, [str(err)])
        if not done:
            return Result(
                0.0,
                [
                    say("not_found", target=config.get("target"))
                    if mode == "zoeken"
                    else say("not_sorted")
                ],
            )
        message = say("search_ok" if mode == "zoeken" else "sorted_ok", n=steps)
        if steps > limit:
            return Result(0.5, [message, say("too_many", max=limit)])
        return Result(1.0, [message])

    @classmethod
    def solution_html(cls, config, key):
        values = key["answer"]
        cards = ", ".join(f"{card_name(i)} = {escape(v)}" for i, v in enumerate(values))
        return f"<p>{cards}</p>"

    # -- the widget ----------------------------------------------------------------
    def build_input(self):
        self.actions: list[list] = []
        self.news = w.HTML()
        self.counter = w.HTML()
        sorting = self.config["mode"] == "sorteren"
        self.cards = []
        for i in range(self.config["size"]):
            if sorting:
                card = w.ToggleButton(
                    description=card_name(i), tooltip=say("select", name=card_name(i))
                )
                card.observe(self._mark, "value")
            else:
                card = w.Button(description=card_name(i), tooltip=say("open", name=card_name(i)))
                card.on_click(lambda _, i=i: self.open_card(i))
            card.layout = w.Layout(width="3.2em", height="3.6em")
            self.cards.append(card)
        buttons = []
        if sorting:
            for label, handler in (("compare", self.compare), ("swap", self.swap)):
                button = w.Button(description=say(label))
                button.on_click(lambda _, handler=handler: handler())
                buttons.append(button)
        restart = w.Button(description=say("restart"), icon="undo")
        restart.on_click(lambda _: self.set_answer(None) or self._save())
        self._redraw()
        return w.VBox(
            [
                w.HBox(self.cards, layout=w.Layout(flex_flow="row wrap")),
                w.HBox([*buttons, restart]),
                self.counter,
                self.news,
            ]
        )

    def _values(self):
        if self._key is None:
            self._tell(say("no_cards"))
            return None
        return self._key["answer"]

    def _tell(self, text):
        self.news.value = f"<p role='status' aria-live='polite'>{escape(text)}</p>"

    def open_card(self, index):
        values = self._values()
        if values is None:
            return
        self.actions.append(["open", index])
        self._redraw()
        value, target = values[index], self.config["target"]
        if value == target:
            self._tell(say("found", target=target, name=card_name(index)))
        else:
            hint = say("smaller" if value < target else "larger", target=target)
            self._tell(say("value", name=card_name(index), value=value, hint=hint))
        self._save()

    def _selected(self):
        chosen = [i for i, card in enumerate(self.cards) if card.value]
        if len(chosen) != 2:
            self._tell(say("pick_two"))
            return None
        return chosen

    def compare(self):
        chosen, values = self._selected(), self._values()
        if chosen is None or values is None:
            return
        a, b = chosen
        self.actions.append(["vergelijk", a, b])
        order = self._order()
        wa, wb = values[order[a]], values[order[b]]
        names = card_name(order[a]), card_name(order[b])
        if wa == wb:
            self._tell(say("equal", a=names[0], b=names[1]))
        else:
            heavy, light = names if wa > wb else names[::-1]
            self._tell(say("heavier", a=heavy, b=light))
        self._redraw()
        self._save()

    def swap(self):
        chosen = self._selected()
        if chosen is None:
            return
        a, b = chosen
        self.actions.append(["wissel", a, b])
        order = self._order()
        self._tell(say("swapped", a=card_name(order[a]), b=card_name(order[b])))
        for card in self.cards:
            card.value = False
        self._redraw()
        self._save()

    def _order(self):
        order = list(range(self.config["size"]))
        for action in self.actions:
            if action[0] == "wissel":
                a, b = action[1:]
                order[a], order[b] = order[b], order[a]
        return order

    @staticmethod
    def _mark(change):
        """A chosen card shows a check mark, not only a colour."""
        change["owner"].icon = "check" if change["new"] else ""

    def _redraw(self):
        values = self._key["answer"] if self._key else None
        limit = self.config["max_steps"]
        if self.config["mode"] == "sorteren":
            order = self._order()
            for card, number in zip(self.cards, order, strict=True):
                card.description = card_name(number)
                card.tooltip = say("select", name=card_name(number))
            compares = sum(a[0] == "vergelijk" for a in self.actions)
            swaps = len(self.actions) - compares
            self.counter.value = (
                f"<p>{say('steps_max', n=compares, max=limit)} · "
                f"{say('sort_counts', compares=compares, swaps=swaps)}</p>"
            )
            return
        opened = {a[1] for a in self.actions}
        for i, card in enumerate(self.cards):
            shown = values is not None and i in opened
            card.description = f"{card_name(i)}\n{values[i]}" if shown else card_name(i)
            card.button_style = "info" if shown else ""
        self.counter.value = f"<p>{say('steps_max', n=len(opened), max=limit)}</p>"

    def get_answer(self):
        return [list(a) for a in self.actions] if self.actions else None

    def set_answer(self, answer):
        self.actions = (
            [list(a) for a in answer if isinstance(a, list)] if isinstance(answer, list) else []
        )
        for card in self.cards:
            if isinstance(card, w.ToggleButton):
                card.value = False
        self.news.value = ""
        self._redraw()
