"""Working with the words of a text: drag the words into blanks, mark the right words."""

import ipywidgets as w

from .base import Exercise, ExerciseConfigError, Result, escape, require
from .helpers import AuthoredExercise, key_value, picker, say, shuffled, status_line, unique

BLANK = "___"
PUNCTUATION = ".,;:!?\"'()[]«»“”‘’"


class DragTheWords(AuthoredExercise):
    """Sleep de woorden: pick each blank's word from the word bank (a dropdown per blank).

    The author writes the right word per blank as ``answer`` and may add wrong words as
    ``distractors`` (also part of the key: knowing them tells which words are not used);
    the released notebook gets the shuffled word bank ``words`` instead.
    """

    kind = "sleep-de-woorden"
    fields = {"afleiders": "distractors"}
    key_fields = ("answer", "distractors")

    @classmethod
    def public_fields(cls, exercise_id, key):
        answer = key_value(exercise_id, key, "answer", list, "geef een woord per leeg vak.")
        distractors = key.get("distractors") or []
        if not isinstance(distractors, list):
            raise ExerciseConfigError(
                exercise_id, "distractors", "moet een lijst met woorden zijn."
            )
        return {"words": shuffled(exercise_id, unique(str(a) for a in [*answer, *distractors]))}

    @classmethod
    def validate(cls, exercise_id, config):
        text = require(exercise_id, config, "text", str, f"schrijf een tekst met {BLANK}.")
        if BLANK not in text:
            raise ExerciseConfigError(exercise_id, "text", f"bevat geen leeg vak ({BLANK}).")
        words = require(exercise_id, config, "words", list, "geef de woorden (via answer).")
        bank = unique(str(x) for x in words)
        if len(bank) < 2:
            raise ExerciseConfigError(
                exercise_id,
                "words",
                "heeft minstens 2 verschillende woorden nodig.",
                "voeg foute woorden toe in 'distractors'.",
            )
        return {**config, "blanks": text.count(BLANK), "bank": bank}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key_value(exercise_id, key, "answer", list, "geef een woord per leeg vak.")
        if len(answer) != config["blanks"]:
            raise ExerciseConfigError(
                exercise_id, "answer", f"moet {config['blanks']} woord(en) geven, één per leeg vak."
            )
        for word in map(str, answer):
            if word not in config["bank"]:
                raise ExerciseConfigError(exercise_id, "answer", f"'{word}' staat niet in 'words'.")
        return {"answer": [str(a) for a in answer], "distractors": key.get("distractors") or []}

    def build_input(self):
        parts = self.config["text"].split(BLANK)
        self.pickers, row = [], []
        for i, part in enumerate(parts):
            if part:
                row.append(w.HTML(escape(part)))
            if i < len(parts) - 1:
                box = picker(self.config["bank"], say("blank", n=i + 1), hide_label=True)
                box.observe(self._save, "value")
                self.pickers.append(box)
                row.append(box)
        return w.HBox(row, layout=w.Layout(flex_flow="row wrap", align_items="center"))

    def get_answer(self):
        values = [p.value for p in self.pickers]
        return values if any(v is not None for v in values) else None

    def set_answer(self, answer):
        for i, box in enumerate(self.pickers):
            value = answer[i] if answer and i < len(answer) else None
            box.value = value if value in self.config["bank"] else None

    @classmethod
    def evaluate(cls, config, key, answer):
        right, messages = 0, []
        for n, (given, wanted) in enumerate(zip(answer, key["answer"], strict=False), 1):
            if given == wanted:
                right += 1
            else:
                messages.append(say("blank_empty" if given is None else "blank_wrong", n=n))
        return Result(right / len(key["answer"]), messages)

    @classmethod
    def solution_html(cls, config, key):
        return ", ".join(escape(a) for a in key["answer"])


def _bare(word: str) -> str:
    return word.strip(PUNCTUATION).casefold()


class MarkTheWords(Exercise):
    """Markeer de woorden: the learner toggles the words that fit the question.

    ``answer`` lists word positions (0 is the first word) or words (every occurrence).
    Score: (right marks - wrong marks) / right marks, at least 0.
    """

    kind = "markeer-de-woorden"

    @classmethod
    def validate(cls, exercise_id, config):
        text = require(exercise_id, config, "text", str, "schrijf de zin met de woorden.")
        words = text.split()
        if len(words) < 2:
            raise ExerciseConfigError(exercise_id, "text", "heeft minstens 2 woorden nodig.")
        return {**config, "words": words}

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        answer = key_value(exercise_id, key, "answer", list, "geef de te markeren woorden.")
        words, marked = config["words"], set()
        for item in answer:
            if isinstance(item, int) and not isinstance(item, bool):
                if not 0 <= item < len(words):
                    raise ExerciseConfigError(exercise_id, "answer", f"er is geen woord {item}.")
                marked.add(item)
                continue
            found = {i for i, word in enumerate(words) if _bare(word) == _bare(str(item))}
            if not found:
                raise ExerciseConfigError(
                    exercise_id, "answer", f"'{item}' staat niet in de tekst."
                )
            marked |= found
        return {"answer": sorted(marked)}

    def build_input(self):
        self.toggles = []
        for word in self.config["words"]:
            toggle = w.ToggleButton(
                value=False,
                description=word,
                tooltip=say("mark", word=word),
                layout=w.Layout(width="auto"),
            )
            toggle.observe(self._save, "value")
            toggle.observe(self._show_marked, "value")
            self.toggles.append(toggle)
        # A toggle button does not tell a screen reader whether it is pressed: say it here.
        self.marked = w.HTML("")
        self._show_marked()
        return w.VBox([w.HBox(self.toggles, layout=w.Layout(flex_flow="row wrap")), self.marked])

    def _show_marked(self, *_):
        words = [t.description for t in self.toggles if t.value]
        self.marked.value = status_line(say("marked_now", words=", ".join(words) or "-"))

    def get_answer(self):
        marked = [i for i, toggle in enumerate(self.toggles) if toggle.value]
        return marked or None

    def set_answer(self, answer):
        for i, toggle in enumerate(self.toggles):
            toggle.value = bool(answer) and i in answer

    @classmethod
    def evaluate(cls, config, key, answer):
        right, picked = set(key["answer"]), set(answer)
        good, bad = len(picked & right), len(picked - right)
        message = say("marked", good=good, bad=bad, missed=len(right - picked))
        return Result(round(max(0.0, (good - bad) / len(right)), 4), [message])

    @classmethod
    def solution_html(cls, config, key):
        return " ".join(
            f"<mark>{escape(word)}</mark>" if i in key["answer"] else escape(word)
            for i, word in enumerate(config["words"])
        )
