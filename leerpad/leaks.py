"""Find learner text that names an exercise's answer.

The answer key never leaves the server, but an author can still write the answer in the text
around the exercise, or in one of its tips. ``leerpad check`` warns about:

- a tip of the exercise that holds its answer (a number, a word to fill in, the right option);
- learner text outside the exercise that holds a distinctive answer: the text of the right
  option, or a filled-in sentence of an ``invullen`` exercise;
- learner text that puts an answer (also a short one: a number, a letter) right after the
  word "antwoord" or "oplossing", or in a sentence that names the exercise's id;
- learner text that lists the items of a ``volgorde`` exercise in their right order;
- learner text that shows a code exercise's model solution: all of its lines that the
  starting code does not show, in order (a buggy version to debug shares most of them, but
  not the fix).

Only text learners see is searched: the notebook without trainer material (``{trainer}``
blocks may name every answer). Short answers (a letter, "ja") are only looked for in tips and
next to "antwoord", so that ordinary text does not raise false alarms.
"""

import ast
import re
from dataclasses import dataclass

from leerpad.grading.cells import exercise_calls, split_keys

BLANK = "___"
ANSWER_WORDS = re.compile(r"\b(antwoord\w*|oplossing\w*|uitkomst\w*)\b", re.I)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n\s*[-*]\s")
DISTINCT_CHARS = 15  # an answer this long (or of 3+ words) does not turn up by chance
# Public fields whose text a learner reads.
TEXT_FIELDS = ("question", "text", "story", "options", "items", "opdracht")


@dataclass
class Leak:
    exercise_id: str
    answer: str  # the answer as the author wrote it
    cell: int  # 1-based index of the cell where learners read it
    text: str  # the learner text that holds it (to find the line)
    in_hint: bool = False
    owner: str = ""  # the exercise whose field or tip holds the text; "" for Markdown


def normal(text) -> str:
    """Lower case, words only: Markdown marks, quotes and punctuation do not count."""
    text = re.sub(r"[*_`\"'“”‘’«»()\[\]]", " ", str(text).lower())
    text = re.sub(r"[^\w,.\-+/ ]+", " ", text)
    text = re.sub(r"[.,](?!\d)", " ", text)  # keep 2,5 and 1.000 whole
    return " ".join(text.split())


def contains(haystack: str, needle: str) -> bool:
    """Whole words of `needle` in `haystack`, both normalized."""
    needle = normal(needle)
    return bool(needle) and f" {needle} " in f" {normal(haystack)} "


def number_forms(value) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return []
    if float(value).is_integer():
        return [str(int(value))]
    text = repr(float(value))
    return [text, text.replace(".", ",")]


def distinctive(text: str) -> bool:
    return len(normal(text)) >= DISTINCT_CHARS or len(normal(text).split()) >= 3


@dataclass
class Exercise:
    id: str
    kind: str
    cell: int
    public: dict  # public fields, as literals
    key: dict


def exercises(nb) -> list[Exercise]:
    found = []
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        try:
            public_source, keys = split_keys(cell.source)
        except ValueError:
            continue  # leerpad check reports a broken key on its own
        for call, cls in exercise_calls(public_source):
            public = {}
            for keyword in call.keywords:
                try:
                    public[keyword.arg] = ast.literal_eval(keyword.value)
                except ValueError:
                    continue
            exercise_id = str(public.get("id", ""))
            kind = cls.kind
            if kind == "bebras":  # a Bebras task asks a question of another type
                child = str(public.get("type", ""))
                kind = next((c.kind for n, c in _types().items() if child in (n, c.kind)), kind)
            found.append(Exercise(exercise_id, kind, index, public, keys.get(exercise_id, {})))
    return found


def _types():
    from leerpad.widgets.base import TYPES

    return TYPES


def learner_texts(nb, found: list[Exercise]) -> list[tuple[int, str, str]]:
    """(cell, exercise id or "", text) for everything a learner reads outside tips."""
    texts = []
    for index, cell in enumerate(nb.cells, 1):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and not meta.get("solution"):
            texts.append((index, "", cell.source))
    for exercise in found:
        for name in TEXT_FIELDS:
            value = exercise.public.get(name)
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str):
                    texts.append((exercise.cell, exercise.id, text))
    return texts


def hints(exercise: Exercise) -> list[str]:
    value = exercise.public.get("hints") or []
    return [str(h) for h in (value if isinstance(value, list) else [value])]


def answers(exercise: Exercise) -> list:
    """The answer values of an exercise: strings and numbers, flattened."""
    value = exercise.key.get("answer")
    if exercise.kind == "koppelen" and isinstance(value, dict):
        return [f"{k} {v}" for k, v in value.items()]
    if exercise.kind in ("meerkeuze", "meerdere-keuzes", "getal", "invullen", "volgorde"):
        flat = []
        for item in value if isinstance(value, list) else [value]:
            flat += item if isinstance(item, list) else [item]
        return [a for a in flat if isinstance(a, str | int | float) and not isinstance(a, bool)]
    return []


def filled_sentences(exercise: Exercise) -> list[str]:
    """For each blank of an invullen exercise: a few words around it with the answer in."""
    text, key = exercise.public.get("text"), exercise.key.get("answer")
    if exercise.kind != "invullen" or not isinstance(text, str) or not isinstance(key, list):
        return []
    parts = text.split(BLANK)
    phrases = []
    for blank, variants in enumerate(key[: len(parts) - 1]):
        before = normal(parts[blank]).split()[-3:]
        after = normal(parts[blank + 1]).split()[:2]
        for variant in variants if isinstance(variants, list) else [variants]:
            words = [*before, *normal(variant).split(), *after]
            if len(words) >= 4:
                phrases.append(" ".join(words))
    return phrases


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE.split(text) if s.strip()]


def in_order(text: str, items: list[str]) -> bool:
    """All items appear in `text`, one after the other."""
    haystack, at = f" {normal(text)} ", 0
    for item in items:
        found = haystack.find(f" {normal(item)} ", at)
        if found < 0:
            return False
        at = found + 1
    return True


SOLUTION = re.compile(r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION", re.S | re.M)
CODE_LINE_CHARS = 8  # shorter lines (`else:`, `pass`) say nothing about the solution


def code(text: str) -> str:
    return " ".join(str(text).replace("`", " ").split())


def solution_lines(nb, found: list[Exercise]) -> dict[str, list[str]]:
    """{exercise id: the lines of its model solution that its starting code does not show}."""
    lines = []
    for cell in nb.cells:
        match = SOLUTION.search(cell.source) if cell.cell_type == "code" else None
        if match:
            exercise_id = str(cell.metadata.get("nbgrader", {}).get("grade_id", ""))
            start = SOLUTION.sub("", cell.source)
            for line in match[1].splitlines():
                lines.append((exercise_id.removesuffix("-code"), line, start))
    for exercise in found:
        solution = exercise.key.get("solution")
        if isinstance(solution, str):
            start = str(exercise.public.get("start", ""))
            lines += [(exercise.id, line, start) for line in solution.splitlines()]
    solutions = {}
    for exercise_id, line, start in lines:
        if len(code(line)) >= CODE_LINE_CHARS and code(line) not in code(start):
            solutions.setdefault(exercise_id, []).append(code(line))
    return solutions


def _lines_in_order(text: str, lines: list[str]) -> bool:
    at = 0
    for line in lines:
        at = text.find(line, at)
        if at < 0:
            return False
        at += len(line)
    return True


def find_leaks(nb) -> list[Leak]:
    """Every place where learner text (or a tip) names the answer of an exercise."""
    found = exercises(nb)
    texts = learner_texts(nb, found)
    leaks = []
    for exercise_id, lines in solution_lines(nb, found).items():
        for cell, owner, text in texts:
            if owner != exercise_id and _lines_in_order(code(text), lines):
                leaks.append(Leak(exercise_id, lines[0], cell, text, owner=owner))
    for exercise in found:
        values = answers(exercise)
        shown = {str(v) for v in values}
        forms = {str(v): number_forms(v) or [str(v)] for v in values}
        for hint in hints(exercise):
            leak = _leak_in_hint(exercise, values, forms, hint)
            if leak:
                leaks.append(Leak(exercise.id, leak, exercise.cell, hint, True, exercise.id))
        for cell, owner, text in texts:
            if owner == exercise.id and exercise.kind != "invullen":
                continue  # the options of a choice hold the answer, of course
            leak = _leak_in_text(exercise, values, forms, text)
            if leak and (leak not in shown or owner != exercise.id):
                leaks.append(Leak(exercise.id, leak, cell, text, owner=owner))
    return _first_per_place(leaks)


def _leak_in_hint(exercise: Exercise, values, forms, hint: str) -> str:
    if exercise.kind == "volgorde":  # naming one step is help; the whole order is the answer
        return " → ".join(map(str, values)) if len(values) >= 2 and in_order(hint, values) else ""
    for value in values:
        if any(contains(hint, form) for form in forms[str(value)]):
            return str(value)
    return ""


def _leak_in_text(exercise: Exercise, values, forms, text: str) -> str:
    for value in values:
        if isinstance(value, str) and distinctive(value) and contains(text, value):
            if exercise.kind != "volgorde":
                return value
    for phrase in filled_sentences(exercise):
        if contains(text, phrase):
            return phrase
    if exercise.kind == "volgorde" and len(values) >= 3 and in_order(text, values):
        return " → ".join(str(v) for v in values)
    for sentence in sentences(text):
        for value in values:
            if any(_named_as_answer(sentence, f, exercise.id) for f in forms[str(value)]):
                return str(value)
    return ""


def _named_as_answer(sentence: str, answer: str, exercise_id: str) -> bool:
    """'het antwoord is 6', 'oplossing: D4', or the answer in a sentence about the exercise."""
    if exercise_id and exercise_id in sentence:
        return contains(sentence, answer)
    words, needle = normal(sentence).split(), normal(answer).split()
    return bool(needle) and any(
        words[start : start + len(needle)] == needle
        for at, word in enumerate(words)
        if ANSWER_WORDS.fullmatch(word)
        for start in range(at + 1, at + 4)
    )


def _first_per_place(leaks: list[Leak]) -> list[Leak]:
    seen, unique = set(), []
    for leak in leaks:
        place = (leak.exercise_id, leak.cell, leak.text, leak.in_hint)
        if place not in seen:
            seen.add(place)
            unique.append(leak)
    return unique
