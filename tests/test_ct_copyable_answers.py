"""No auto-graded answer of the computational-thinking course can be copied from the text above
it: a number that answers an exercise must not be printed before the learner meets the
exercise (a worked example computes for one case, the exercise asks another).

The rule, read in the order a learner reads the module (Markdown, then each exercise's own
question, text and tips):
- an answer of 10 or more must not appear anywhere above it in the module;
- any numeric answer must not appear in its own section (since the last heading).
Numbers count however they are written: "2 073 600", "2.073.600", "2073600" or "twaalf"."""

import re

import pytest

from leerpad.catalogue import Catalogue
from leerpad.leaks import TEXT_FIELDS, exercises, hints

CATALOGUE = Catalogue()
MODULES = sorted(m for m in CATALOGUE.modules if m.startswith("ct-"))
NUMERIC_KINDS = ("getal", "invullen", "meerkeuze")
# A choice's own options hold its answer, of course; what else it shows must not.
OWN_TEXT = [name for name in TEXT_FIELDS if name not in ("options", "items")]
MODULE_WIDE = 10  # small numbers turn up everywhere; only their own section counts

WORDS = (
    "nul één twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien "
    "vijftien zestien zeventien achttien negentien twintig"
).split()
NUMBER_WORDS = {word: value for value, word in enumerate(WORDS)}
NUMBER = re.compile(
    r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?![\d,])"  # 2 073 600, 2.073.600
    r"|\d+(?:,\d+)?"  # 2073600, 2,5
    r"|\b(?:" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")\b",
    re.I,
)


def numbers_in(text: str) -> set[float]:
    found = set()
    for match in NUMBER.finditer(text):
        token = match[0].lower()
        if token in NUMBER_WORDS:
            found.add(float(NUMBER_WORDS[token]))
        else:
            found.add(float(re.sub(r"[ \u00a0\u202f.]", "", token).replace(",", ".")))
    return found


def numeric_answers(exercise) -> set[float]:
    """The numbers a learner types or picks to answer the exercise."""
    key = exercise.key.get("answer")
    if exercise.kind == "getal" and isinstance(key, int | float) and not isinstance(key, bool):
        return {float(key)}
    if exercise.kind == "invullen" and isinstance(key, list):
        variants = [v for blank in key for v in (blank if isinstance(blank, list) else [blank])]
        return {n for v in variants if re.fullmatch(r"[\d ,.]+", str(v)) for n in numbers_in(v)}
    if exercise.kind == "meerkeuze" and isinstance(key, str) and re.fullmatch(r"[\d ,.]+", key):
        return numbers_in(key)
    return set()


def reading_order(nb):
    """(exercise or None, text) in the order a learner reads them: each cell's Markdown, or an
    exercise's question, text and tips."""
    found = {e.cell: [] for e in exercises(nb)}
    for exercise in exercises(nb):
        found[exercise.cell].append(exercise)
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("solution"):
            yield None, cell.source
        for exercise in found.get(index, []):
            own = []
            for name in OWN_TEXT:
                value = exercise.public.get(name)
                own += [v for v in (value if isinstance(value, list) else [value]) if v]
            yield exercise, "\n".join(map(str, [*own, *hints(exercise)]))


def copyable(nb) -> list[tuple[str, float, str]]:
    """(exercise id, answer, where) for each numeric answer printed above its exercise."""
    module_text, section_text, problems = "", "", []
    for exercise, text in reading_order(nb):
        if exercise is None:
            module_text += "\n" + text
            headings = [m.end() for m in re.finditer(r"^#+ .*$", text, re.M)]
            section_text = text[headings[-1] :] if headings else section_text + "\n" + text
            continue
        module_text += "\n" + text
        section_text += "\n" + text
        if exercise.kind not in NUMERIC_KINDS:
            continue
        for answer in numeric_answers(exercise):
            if answer >= MODULE_WIDE and answer in numbers_in(module_text):
                problems.append((exercise.id, answer, "in de module erboven"))
            elif answer in numbers_in(section_text):
                problems.append((exercise.id, answer, "in hetzelfde deel erboven"))
    return problems


@pytest.mark.parametrize("module_id", MODULES)
def test_no_answer_is_printed_above_its_exercise(module_id):
    assert copyable(CATALOGUE.modules[module_id].notebook) == []


def test_the_check_finds_a_copyable_answer():
    """The text of the first edition, where ct-04 printed '= 2 073 600 pixels' above
    ct04-pixels and ct-02 said 'twaalf bevelen' above ct02-herhaling-tellen."""
    from leerpad.authoring import compile_markdown

    source = """# Pixels

## 3. Beelden

Een foto van 1920 op 1080 pixels heeft 1920 × 1080 = 2 073 600 pixels.

```{getal} demo-pixels
punten: 1
vraag: "Hoeveel pixels heeft een foto van 1920 op 1080 pixels?"
antwoord: 2073600
```

## 4. Herhaling

Het lange programma heeft twaalf bevelen.

```{getal} demo-bevelen
punten: 1
vraag: "Hoeveel bevelen voert de robot uit?"
antwoord: 12
```

## 5. Zoeken

Na hoogstens **5 vergelijkingen** heb je de naam.

```{getal} demo-zoeken
punten: 1
vraag: "Hoeveel vergelijkingen zijn het hoogstens?"
antwoord: 5
```

## 6. Elders

```{getal} demo-elders
punten: 1
vraag: "Hoeveel is 3 × 4?"
antwoord: 12
```

```{invullen} demo-byte
punten: 1
vraag: Vul aan.
tekst: "Vijf kaarten tonen 5 + 1. Zes bits geven ___ waarden; vier bits ___."
antwoord: [["64"], ["16"]]
```

```{invullen} demo-kaarten
punten: 1
vraag: Vul aan.
tekst: "Dat is ___ stippen."
antwoord: [["7"]]
```
"""
    nb = compile_markdown(source, "module.md", "demo")
    assert copyable(nb) == [
        ("demo-pixels", 2073600.0, "in de module erboven"),
        ("demo-bevelen", 12.0, "in de module erboven"),
        ("demo-zoeken", 5.0, "in hetzelfde deel erboven"),
        ("demo-elders", 12.0, "in de module erboven"),
    ]
