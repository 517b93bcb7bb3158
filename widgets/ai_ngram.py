"""Text generator: an n-gram language model that the learner trains on a Dutch text and
uses to write a sentence, word by word, as a (very small) large language model does.

The model counts, for every run of `order` words in the text, which words come next and
how often. The learner picks the next word from those candidates (or lets the model draw
one by its chances) until the sentence ends. The author's text is a file in the module
folder (``tekst: verhaal.txt``); the Markdown compiler puts its content in the exercise,
so the grader needs no file. Graded: every step must be one the model can make (each run
of order + 1 words comes from the text), and the goals of the block (start, words,
length, a sentence the text does not hold) must be met. The key is a model sentence that
`leerpad check` grades, as the grid robot's model program.
"""

import functools
import random
import re
from collections import Counter, defaultdict

import ipywidgets as w

from leerpad.i18n import phrases

from .base import Exercise, ExerciseConfigError, Result, escape, require
from .helpers import status_line

END = "."
MAX_ORDER = 3
MAX_WORDS = 40
SHOWN = 8  # candidates shown as buttons: the most frequent first
WORD = re.compile(r"[\w'’-]+|[.!?]", re.UNICODE)
say = phrases("ngram")


def tokens(text: str) -> list[str]:
    """Words in lower case; '!' and '?' end a sentence as '.' does."""
    return [END if t in ".!?" else t.lower() for t in WORD.findall(text)]


def show(words) -> str:
    """Words as a sentence: a capital first, no space before the full stop."""
    text = " ".join(words).replace(" .", ".")
    return text[:1].upper() + text[1:]


@functools.lru_cache(maxsize=8)
def ngrams(text: str) -> frozenset:
    """Every run of 1 to MAX_ORDER + 1 words in the text (the steps the model can make)."""
    words = tokens(text)
    return frozenset(
        tuple(words[i : i + n]) for n in range(1, MAX_ORDER + 2) for i in range(len(words) - n + 1)
    )


@functools.lru_cache(maxsize=8)
def sentences(text: str) -> frozenset:
    runs, current = set(), []
    for word in tokens(text):
        current.append(word)
        if word == END:
            runs.add(tuple(current))
            current = []
    return frozenset(runs)


@functools.lru_cache(maxsize=32)
def counts(text: str, order: int) -> dict:
    """Training: context (the last `order` words, fewer at the start) -> Counter of next."""
    words, table = tokens(text), defaultdict(Counter)
    for n in range(1, order + 1):
        for i in range(len(words) - n):
            table[tuple(words[i : i + n])][words[i + n]] += 1
    return dict(table)


def context(words, order) -> tuple:
    return tuple(words[-order:])


def candidates(text, order, words) -> list[tuple[str, int]]:
    """The possible next words after `words`, most frequent first (ties alphabetically)."""
    if not words or words[-1] == END:
        return []
    found = counts(text, order).get(context(words, order), Counter())
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))


def bad_step(text, order, words) -> str | None:
    """The first run of words the model cannot have made, as text; None if all can."""
    known = ngrams(text)
    for i in range(len(words)):
        piece = tuple(words[max(0, i - order) : i + 1])
        if piece not in known:
            return show(piece).rstrip(END)
    return None


def goals_met(config, words) -> tuple[int, int, list[str]]:
    """(goals met, goals set, messages) for a sentence the model can make."""
    met, total, messages = 0, 0, []
    start = tokens(config.get("start") or "")
    checks = []
    if start:
        checks.append((words[: len(start)] == start, say("wrong_start", start=show(start))))
    for word in config.get("must_contain") or []:
        checks.append((word.lower() in words, say("missing", word=word)))
    if config.get("min_words"):
        n = len([x for x in words if x != END])
        checks.append((n >= config["min_words"], say("short", n=n, min=config["min_words"])))
    if config.get("new") is not None:
        copied = tuple(words) in sentences(config["text"])
        if config["new"]:
            checks.append((not copied, say("copied")))
        else:
            checks.append((copied, say("not_copied")))
    for ok, message in checks:
        total += 1
        met += ok
        if not ok:
            messages.append(message)
    return met, total, messages


def valid_answer(answer) -> bool:
    return (
        isinstance(answer, dict)
        and answer.get("order") in range(1, MAX_ORDER + 1)
        and isinstance(answer.get("words"), list)
        and 0 < len(answer["words"]) <= MAX_WORDS
        and all(isinstance(word, str) for word in answer["words"])
    )


class TextGenerator(Exercise):
    """Tekstgenerator: train an n-gram model on a text and write a sentence with it, word by
    word. Right when every step comes from the text and the goals of the block are met."""

    kind = "tekstgenerator"
    fields = {  # 'tekst' (text) is a field every type shares: here it names a file
        "orde": "order",
        "begin": "start",
        "moet-bevatten": "must_contain",
        "min-woorden": "min_words",
        "nieuw": "new",
    }
    # A field that names a file in the module folder -> where its name is kept: the Markdown
    # compiler puts the file's content in the field, so the released notebook and the grader
    # have the text without the file.
    file_fields = {"text": "text_file"}

    @classmethod
    def validate(cls, exercise_id, config):
        text = require(exercise_id, config, "text", str, "geef in 'tekst' een tekstbestand.")
        words = tokens(text)
        if len(words) < 20:
            raise ExerciseConfigError(
                exercise_id, "text", "is te kort om iets uit te leren (minstens 20 woorden)."
            )
        order = config.get("order")
        if order is not None and order not in range(1, MAX_ORDER + 1):
            raise ExerciseConfigError(
                exercise_id, "order", f"moet 1, 2 of {MAX_ORDER} zijn (woorden context)."
            )
        start = config.get("start")
        if start is not None and (not isinstance(start, str) or bad_step(text, 1, tokens(start))):
            raise ExerciseConfigError(
                exercise_id,
                "start",
                f"'{start}' staat niet in de tekst.",
                "kies woorden uit de tekst.",
            )
        must = config.get("must_contain") or []
        if not isinstance(must, list) or any(str(m).lower() not in words for m in must):
            raise ExerciseConfigError(
                exercise_id, "must_contain", "moet een lijst met woorden uit de tekst zijn."
            )
        minimum = config.get("min_words")
        if minimum is not None and (not isinstance(minimum, int) or not 1 <= minimum <= MAX_WORDS):
            raise ExerciseConfigError(
                exercise_id, "min_words", f"moet een getal van 1 tot {MAX_WORDS} zijn."
            )
        if config.get("new") not in (None, True, False):
            raise ExerciseConfigError(exercise_id, "new", "moet true of false zijn.")
        return {
            **config,
            "text_file": str(config.get("text_file") or "de tekst"),
            "order": order,
            "must_contain": [str(m) for m in must],
        }

    @classmethod
    def validate_key(cls, exercise_id, config, key):
        sentence = key.get("answer")
        if not isinstance(sentence, str) or not sentence.strip():
            raise ExerciseConfigError(exercise_id, "answer", "moet een voorbeeldzin zijn.")
        answer = {"order": config["order"] or 1, "words": tokens(sentence)}
        result = cls.evaluate(config, {"answer": sentence}, answer)
        if result.fraction < 1:
            raise ExerciseConfigError(
                exercise_id,
                "answer",
                f"de voorbeeldzin haalt de opdracht niet: {' '.join(result.messages[1:])}",
                "schrijf een zin die het model kan maken en die aan alle eisen voldoet.",
            )
        return {"answer": sentence}

    @classmethod
    def evaluate(cls, config, key, answer):
        if not valid_answer(answer):
            return Result(0.0, [say("no_sentence")])
        order, words = answer["order"], [word.lower() for word in answer["words"]]
        lines = [say("sentence", text=escape(show(words)))]  # always first
        if config["order"] and order != config["order"]:
            return Result(0.0, [*lines, say("wrong_order", n=config["order"])])
        piece = bad_step(config["text"], order, words)
        if piece:
            return Result(0.0, [*lines, say("bad_step", piece=escape(piece))])
        if words[-1] != END:
            return Result(0.0, [*lines, say("no_end")])
        met, total, messages = goals_met(config, words)
        if met == total and config.get("new") is not None:
            messages.append(say("new_ok" if config["new"] else "copy_ok"))
        return Result(met / total if total else 1.0, lines + messages)

    @classmethod
    def solution_html(cls, config, key):
        return escape(say("solution", text=show(tokens(key["answer"]))))

    # -- the widget ----------------------------------------------------------------
    def build_input(self):
        self.order = self.config["order"] or 1
        self.words: list[str] = []
        self.random = random.Random()
        text = self.config["text"]
        trained = say(
            "trained",
            name=self.config["text_file"],
            words=len(tokens(text)),
            distinct=len(set(tokens(text))),
        )
        self.order_box = w.Dropdown(
            options=[(say("order_words", n=n), n) for n in range(1, MAX_ORDER + 1)],
            value=self.order,
            description=say("order"),
            disabled=bool(self.config["order"]),
            style={"description_width": "initial"},
        )
        self.order_box.observe(self._order_changed, "value")
        self.start_box = w.Text(
            value=self.config.get("start") or "",
            description=say("start"),
            style={"description_width": "initial"},
        )
        begin = w.Button(description=say("begin"), button_style="info")
        begin.on_click(lambda _: self.begin())
        self.sentence = w.HTML()
        self.options = w.HBox(layout=w.Layout(flex_flow="row wrap"))
        self.options.add_class("leerpad-actions")
        tools = []
        for name, action in (
            ("draw", self.draw),
            ("finish", self.finish),
            ("undo", self.undo),
            ("restart", self.restart),
        ):
            button = w.Button(description=say(name))
            button.on_click(lambda _, action=action: action())
            tools.append(button)
        row = w.HBox(tools)
        row.add_class("leerpad-actions")
        self._show()
        return w.VBox(
            [
                w.HTML(f"<p>{escape(trained)}</p>"),
                self.order_box,
                w.HBox([self.start_box, begin]),
                self.sentence,
                self.options,
                row,
            ]
        )

    def _order_changed(self, change):
        if getattr(self, "_restoring", False):
            return
        self.order = change["new"]
        self.words = []  # a sentence is made with one order from start to end
        self._show()
        self._save()

    def begin(self):
        words = tokens(self.start_box.value)
        if not words or bad_step(self.config["text"], self.order, words):
            self.words = []
            self._show(say("unknown_start", words=self.start_box.value.strip()))
            return
        self.words = words
        self._show()
        self._save()

    def pick(self, word):
        """Add a word the model offers (a candidate button, or the model's own draw)."""
        if word not in dict(candidates(self.config["text"], self.order, self.words)):
            return
        self.words.append(word)
        self._show()
        self._save()

    def draw(self):
        """The model chooses: a candidate at random, by its number of times in the text."""
        found = candidates(self.config["text"], self.order, self.words)
        if found:
            words, weights = zip(*found, strict=True)
            self.pick(self.random.choices(words, weights)[0])

    def finish(self):
        while len(self.words) < MAX_WORDS and candidates(
            self.config["text"], self.order, self.words
        ):
            self.draw()

    def undo(self):
        if self.words:
            self.words.pop()
            self._show()
            self._save()

    def restart(self):
        self.set_answer(None)
        self._save()

    def _show(self, problem=""):
        text, words = self.config["text"], self.words
        if problem:
            self.sentence.value = status_line(problem)
        elif not words:
            self.sentence.value = status_line(say("no_sentence"))
        else:
            self.sentence.value = status_line(say("sentence", text=show(words)))
        found = candidates(text, self.order, words)
        total = sum(n for _, n in found)
        buttons = []
        for word, count in found[:SHOWN]:
            percent = round(100 * count / total)
            button = w.Button(
                description=say("candidate", word=word, count=count, percent=percent),
                tooltip=say("candidate_label", word=word, count=count, percent=percent),
                layout=w.Layout(width="auto"),
            )
            button.on_click(lambda _, word=word: self.pick(word))
            buttons.append(button)
        shown = " ".join(words[-self.order :])
        if words and words[-1] == END:
            head = say("ended")
        elif words and not found:
            head = say("none", context=shown)
        elif words:
            head = say("next", context=shown)
        else:
            head = ""
        self.options.children = [w.HTML(f"<p>{escape(head)}</p>"), *buttons] if head else []

    def get_answer(self):
        return {"order": self.order, "words": list(self.words)} if self.words else None

    def set_answer(self, answer):
        fixed = self.config["order"]
        if answer is not None and not valid_answer(answer):
            raise ValueError("geen zin")
        self.order = answer["order"] if answer else (fixed or 1)
        self.words = [word.lower() for word in answer["words"]] if answer else []
        restoring = getattr(self, "_restoring", False)
        self._restoring = True
        try:
            self.order_box.value = self.order
        finally:
            self._restoring = restoring
        self._show()
