"""Compile a module written in Markdown into the nbgrader source notebook.

A teacher writes ordinary Markdown with exercise blocks::

    ```{meerkeuze} ct01-recept
    punten: 1
    vraag: Welke beschrijving is een algoritme?
    opties: [Een recept voor pannenkoeken, Een foto van een taart]
    antwoord: Een recept voor pannenkoeken
    ```

Each block becomes a locked exercise cell and a hidden-tests cell that nbgrader grades with
the points the widget showed. ``{code}`` blocks become an nbgrader answer cell plus tests.
The notebook is generated from the Markdown every time, so the two cannot drift.

Material for trainers only (misconceptions, answers, grading advice) goes in a ``{trainer}``
block::

    ```{trainer}
    - Veel cursisten kiezen eerst ...
    ```

It never enters the notebook, so no release, app, site page or feedback can show it; it
reaches the trainer page of the module (``leerpad.trainerpage``).
"""

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from leerpad.widgets.base import TYPES

# Three backticks or more: a trainer block with a code example inside opens with four.
FENCE = re.compile(r"^(?P<fence>`{3,})\{(?P<kind>[a-z-]+)\}[ \t]*(?P<id>\S*)[ \t]*$")
TRAINER = "trainer"  # the block kind (and, in a notebook, the cell tag) of trainer material
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t#]*$")

# Dutch field names for authors -> keyword arguments of the widget classes.
FIELDS = {
    "vraag": "question",
    "opties": "options",
    "antwoord": "answer",
    "punten": "points",
    "tips": "hints",
    "tekst": "text",
    "tolerantie": "tolerance",
    "eenheid": "unit",
    "pogingen": "max_attempts",
    "opnieuw": "retry",
    "oplossing-tonen": "show_solution",
    "hoofdlettergevoelig": "case_sensitive",
}
KINDS = {cls.kind: cls for cls in TYPES.values() if cls.kind}
OPEN_ANSWER_PLACEHOLDER = "_Je antwoord op de open vraag hierboven komt hier bij het inleveren._"
CODE_FIELDS = {"opdracht", "start", "oplossing", "testen", "punten"}


class AuthoringError(ValueError):
    """A mistake in a Markdown module: names the file, the line and the fix."""

    def __init__(self, path, line, problem, fix=""):
        self.path, self.line, self.problem, self.fix = str(path), line, problem, fix
        super().__init__(f"{path}:{line}: {problem}" + (f" Oplossing: {fix}" if fix else ""))


@dataclass
class Block:
    kind: str
    id: str
    body: str
    line: int  # line of the opening fence, 1-based


def parse(text: str, path="module.md"):
    """Split Markdown into text chunks (str) and exercise blocks (Block)."""
    parts, buffer = [], []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            buffer.append(lines[i])
            i += 1
            continue
        start = i + 1
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != match["fence"]:
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise AuthoringError(
                path, start, "dit blok wordt niet afgesloten.", f"sluit af met {match['fence']}."
            )
        i += 1
        if "\n".join(buffer).strip():
            parts.append("\n".join(buffer).strip("\n"))
        buffer = []
        parts.append(Block(match["kind"], match["id"], "\n".join(body), start))
    if "\n".join(buffer).strip():
        parts.append("\n".join(buffer).strip("\n"))
    return parts


@dataclass
class TrainerNote:
    """A piece of trainer material, with the learner section it belongs to."""

    markdown: str
    line: int  # 1-based line of module.md; 0 for a cell of an author's notebook
    section: str = ""  # the title of the nearest heading above it in the learner text


def is_trainer(part) -> bool:
    return isinstance(part, Block) and part.kind == TRAINER


def is_trainer_cell(cell) -> bool:
    """A notebook cell an author tagged ``trainer`` (Property Inspector > Cell Tags)."""
    return TRAINER in (cell.get("metadata", {}).get("tags") or [])


def last_heading(text: str, before: str = "") -> str:
    titles = [m["title"] for m in map(HEADING.match, text.splitlines()) if m]
    return titles[-1] if titles else before


def trainer_notes(text: str, path="module.md") -> list[TrainerNote]:
    """The ``{trainer}`` blocks of a Markdown module, in order."""
    notes, section = [], ""
    for part in parse(text, path):
        if is_trainer(part):
            _check_trainer_block(part, path)
            notes.append(TrainerNote(part.body.strip("\n"), part.line, section))
        elif isinstance(part, str):
            section = last_heading(part, section)
    return notes


def notebook_trainer_notes(nb) -> list[TrainerNote]:
    """The cells tagged ``trainer`` of an author's notebook, in order."""
    notes, section = [], ""
    for cell in nb.cells:
        if is_trainer_cell(cell):
            notes.append(TrainerNote(cell.source.strip("\n"), 0, section))
        elif cell.cell_type == "markdown":
            section = last_heading(cell.source, section)
    return notes


def without_trainer_cells(nb):
    """The notebook without its cells tagged ``trainer``: what learners may see."""
    nb.cells = [cell for cell in nb.cells if not is_trainer_cell(cell)]
    return nb


def _check_trainer_block(block: Block, path) -> None:
    if block.id:
        raise AuthoringError(
            path,
            block.line,
            f"een trainer-blok heeft geen id ('{block.id}').",
            "schrijf alleen ```{trainer} op de eerste regel.",
        )


def _fields(block: Block, path) -> dict:
    try:
        data = yaml.safe_load(block.body) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = block.line + 1 + (mark.line if mark else 0)
        raise AuthoringError(
            path, line, "de YAML in dit blok klopt niet.", str(err).split("\n")[0]
        ) from err
    if not isinstance(data, dict):
        raise AuthoringError(path, block.line, "het blok moet velden bevatten (naam: waarde).")
    return data


def _call(cls_name: str, kwargs: dict) -> str:
    lines = [f"{cls_name}("]
    lines += [f"    {k}={v!r}," for k, v in kwargs.items()]
    lines.append(")")
    return "\n".join(lines)


def _meta(grade_id, *, locked=True, solution=False, grade=False, points=0):
    meta = {
        "grade_id": grade_id,
        "locked": locked,
        "solution": solution,
        "grade": grade,
        "schema_version": 3,
    }
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def author_kwargs(cls, data: dict) -> dict:
    """An author's Dutch fields -> keyword arguments of `cls`, also inside nested fields
    (the questions of a question set, the steps of a scenario)."""
    names = {**FIELDS, **cls.fields}
    kwargs = {names.get(key, key): value for key, value in data.items()}
    for name in cls.nested_fields:
        value = kwargs.get(name)
        if isinstance(value, list):
            kwargs[name] = [_nested(cls, item) for item in value]
        elif isinstance(value, dict):
            kwargs[name] = {k: _nested(cls, item) for k, item in value.items()}
    return kwargs


def _nested(parent, item):
    if not isinstance(item, dict):
        return item
    names = {**FIELDS, **parent.fields}
    item = {names.get(key, key): value for key, value in item.items()}
    child = KINDS.get(item.get("type"))  # a child may name its type as a block: meerkeuze
    if child is not None:
        item["type"] = child.__name__
    child = child or TYPES.get(item.get("type"))
    return author_kwargs(child, item) if child is not None else item


def exercise_cells(block: Block, path):
    """The cells for one exercise block."""
    if not block.id:
        raise AuthoringError(
            path, block.line, "dit blok heeft geen id.", f"schrijf ```{{{block.kind}}} mijn-id"
        )
    data = _fields(block, path)
    if block.kind == "code":
        return code_cells(block, data, path)
    if block.kind not in KINDS:
        known = ", ".join(sorted([*KINDS, "code"]))
        raise AuthoringError(
            path, block.line, f"onbekend bloktype '{block.kind}'.", f"kies uit: {known}."
        )
    cls = KINDS[block.kind]
    kwargs = {"id": block.id, **author_kwargs(cls, data)}
    for name, keep in getattr(cls, "file_fields", {}).items():
        if isinstance(kwargs.get(name), str):
            kwargs[keep] = kwargs[name]
            kwargs[name] = _module_file(block, path, name, kwargs[name])
    # Build it once now, so a configuration error names the file and the line.
    from leerpad.widgets.base import ExerciseConfigError

    try:
        cls(**kwargs)
    except ExerciseConfigError as err:
        # Name the field as the author wrote it (tolerantie, not tolerance).
        names = {**FIELDS, **cls.fields}
        written = {names.get(key, key): key for key in data}.get(err.field, err.field)
        problem = f"oefening '{err.exercise_id}', veld '{written}': {err.problem}"
        fix = err.fix or f"pas '{written}' aan in het blok (zie de gids voor auteurs)."
        raise AuthoringError(path, block.line, problem, fix) from err
    except TypeError as err:
        raise AuthoringError(path, block.line, f"oefening '{block.id}': {err}") from err
    cells = [
        nbformat.v4.new_code_cell(
            _call(cls.__name__, kwargs), metadata=_meta(f"{block.id}-oefening")
        )
    ]
    if cls.graded and not cls.key_fields:
        # Graded by a person: an nbgrader "manually graded answer" cell that receives the
        # learner's text at grading time (see FillOpenAnswers), shown in formgrader.
        cells.append(
            nbformat.v4.new_markdown_cell(
                OPEN_ANSWER_PLACEHOLDER,
                metadata=_meta(
                    block.id,
                    locked=False,
                    solution=True,
                    grade=True,
                    points=kwargs.get("points", 1),
                ),
            )
        )
    elif cls.graded:
        points = kwargs.get("points", 1)
        cells.append(
            nbformat.v4.new_code_cell(
                f"### BEGIN HIDDEN TESTS\nscore({block.id!r})\n### END HIDDEN TESTS",
                metadata=_meta(block.id, grade=True, points=points),
            )
        )
    return cells


def _module_file(block: Block, path, name, filename) -> str:
    """The text of a file next to module.md that a type takes in its exercise (the text a
    text generator learns from): the released notebook and the grader need no file then."""
    names = {v: k for k, v in {**FIELDS, **KINDS[block.kind].fields}.items()}
    file = Path(path).parent / filename
    if Path(filename).name != filename or not file.is_file():
        raise AuthoringError(
            path,
            block.line,
            f"oefening '{block.id}', veld '{names.get(name, name)}': het bestand '{filename}' "
            "staat niet in de map van de module.",
            "zet het tekstbestand naast module.md en geef alleen de bestandsnaam.",
        )
    return file.read_text(encoding="utf-8")


def code_cells(block: Block, data, path):
    unknown = set(data) - CODE_FIELDS
    if unknown:
        raise AuthoringError(
            path,
            block.line,
            f"onbekend veld '{sorted(unknown)[0]}'.",
            f"gebruik: {', '.join(sorted(CODE_FIELDS))}.",
        )
    for required in ("oplossing", "testen"):
        if not data.get(required):
            raise AuthoringError(path, block.line, f"code-oefening '{block.id}' mist '{required}'.")
    points = data.get("punten", 1)
    cells = []
    if data.get("opdracht"):
        cells.append(nbformat.v4.new_markdown_cell(str(data["opdracht"]), metadata={}))
    start = str(data.get("start", "")).rstrip()
    solution = str(data["oplossing"]).rstrip()
    last = start.splitlines()[-1] if start else ""
    if last.endswith(":"):
        # YAML strips the indent of a block; a body after `def ...:` gets it back.
        body_indent = last[: len(last) - len(last.lstrip())] + "    "
        solution = "\n".join(body_indent + line if line else line for line in solution.splitlines())
    first = solution.lstrip("\n").splitlines()[0]
    indent = first[: len(first) - len(first.lstrip())]  # nbgrader keeps the marker's indent
    source = (
        start + "\n" if start else ""
    ) + f"{indent}### BEGIN SOLUTION\n{solution}\n{indent}### END SOLUTION"
    cells.append(
        nbformat.v4.new_code_cell(
            source, metadata=_meta(f"{block.id}-code", locked=False, solution=True)
        )
    )
    tests = "### BEGIN HIDDEN TESTS\n" + str(data["testen"]).rstrip() + "\n### END HIDDEN TESTS"
    if re.search(r"\b(bijna_)?gelijk\(", tests):
        # in the cell itself: whatever the learner's code called these names, the test
        # uses leerpad's, which look at the kind of value before comparing
        tests = "from leerpad.equality import bijna_gelijk, gelijk\n" + tests
    cells.append(
        nbformat.v4.new_code_cell(tests, metadata=_meta(block.id, grade=True, points=points))
    )
    return cells


def compile_markdown(text: str, path="module.md", module_id="module"):
    """Markdown module -> nbgrader source notebook (nbformat v4)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "leerpad": {"module": module_id},
    }
    used = [cls.__name__ for cls in KINDS.values() if f"{{{cls.kind}}}" in text]
    imports = ", ".join(sorted({*used, "HandIn", "score"}))
    cells = [
        nbformat.v4.new_code_cell(
            f"from leerpad.widgets import {imports}", metadata=_meta("imports")
        )
    ]
    seen = set()
    for part in parse(text, path):
        if is_trainer(part):
            _check_trainer_block(part, path)
            continue  # trainer material never enters the notebook
        if isinstance(part, Block):
            if part.id in seen:
                raise AuthoringError(
                    path,
                    part.line,
                    f"id '{part.id}' komt twee keer voor.",
                    "geef elke oefening een eigen id.",
                )
            seen.add(part.id)
            cells.extend(exercise_cells(part, path))
        else:
            cells.append(nbformat.v4.new_markdown_cell(part, metadata={}))
    cells.append(nbformat.v4.new_code_cell("HandIn()", metadata=_meta("inleveren")))
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    nb.cells = cells
    return nb
