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

import ast
import difflib
import inspect
import math
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import nbformat
import yaml

from leerpad.widgets.base import TYPES

# Three backticks or more: a trainer block with a code example inside opens with four. Any
# text between the braces opens a block, so that {Meerkeuze} or {meerkeuze } is an error
# rather than a plain code block that shows the answer to learners.
FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})[ \t]*\{(?P<kind>[^}]*)\}(?P<id>.*)$")
TRAINER = "trainer"  # the block kind (and, in a notebook, the cell tag) of trainer material
WORKSHEET = "werkblad"  # a printable sheet for the unplugged activity (not an exercise)
WORKSHEET_FIELDS = {"titel", "inhoud"}
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


# -- reading what authors wrote: strict, bounded, fails fast ----------------------------------
# Far above any real module, far below what hurts: a file is read whole and parsed at once.
MAX_TEXT_BYTES = 2 * 1024 * 1024  # module.md, module.yml, course.yml, a path file
MAX_YAML_CHARS = 100_000  # one exercise block or one metadata file
MAX_YAML_DEPTH = 20  # lists in lists in ...: a scenario needs 5


def read_text(path) -> str:
    """A text file an author wrote, as UTF-8; else an error naming the file and the line."""
    path = Path(path)
    if path.is_dir():
        raise AuthoringError(
            path,
            1,
            "is een map, geen bestand.",
            f"verwijder of hernoem de map en maak {path.name} als tekstbestand.",
        )
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise AuthoringError(
            path,
            1,
            f"het bestand is te groot ({size // 1024} kB, hoogstens {MAX_TEXT_BYTES // 1024} kB).",
            "splits de module, of zet grote gegevens in een apart bestand in de modulemap.",
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise AuthoringError(
            path,
            line,
            f"het bestand is niet in UTF-8 opgeslagen (byte 0x{data[err.start]:02x} op deze "
            "regel is geen UTF-8).",
            "sla het bestand op met de codering UTF-8 (in je editor: Opslaan als > Codering).",
        ) from None
    control = CONTROL_CHARACTER.search(text)
    if control:
        raise AuthoringError(
            path,
            text.count("\n", 0, control.start()) + 1,
            f"het bestand bevat een stuurteken (U+{ord(control[0]):04X}) dat geen tekst is.",
            "verwijder het teken (kopieer de regel opnieuw uit een gewone teksteditor).",
        )
    return text


# Characters no author types: NUL, escape codes, ... (tab and line ends are text).
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What Unicode does not show: a right-to-left override (a title 'gnp.exe' that reads as
# 'exe.png'), zero-width characters, line separators, unassigned code points. The joiner
# of emoji such as a teacher (U+200D) is allowed in text.
INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def invisible_character(text: str, allowed="\t\n\u200d") -> str | None:
    """The first character of `text` that a reader cannot see (see INVISIBLE), or None."""
    return next(
        (c for c in text if c not in allowed and unicodedata.category(c) in INVISIBLE), None
    )


class YamlRefused(yaml.YAMLError):
    """YAML that is valid but that leerpad refuses, with the place and the fix."""

    def __init__(self, mark, problem, fix):
        self.problem_mark, self.problem, self.fix = mark, problem, fix
        super().__init__(problem)


def _refuse_type(what, fix):
    def construct(loader, node):
        raise YamlRefused(node.start_mark, what, fix)

    return construct


class StrictLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases (a 'billion laughs' stops at its first anchor,
    before anything is expanded), without duplicate keys and without deep nesting."""

    depth = 0
    first_line = 1  # the line of the file where the YAML starts (a block in module.md)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlRefused(
                event.start_mark,
                "YAML-verwijzingen (&naam en *naam) zijn niet toegestaan.",
                "schrijf elke waarde volledig uit, zonder & of *.",
            )
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                raise YamlRefused(
                    event.start_mark,
                    f"de velden zijn te diep genest (meer dan {MAX_YAML_DEPTH} niveaus).",
                    "schrijf de lijsten en velden platter.",
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                raise YamlRefused(
                    key_node.start_mark,
                    f"veld '{key}' staat twee keer (ook op regel "
                    f"{seen[key] + self.first_line}); alleen het laatste zou tellen.",
                    f"houd één '{key}:' over.",
                )
            seen.setdefault(key, key_node.start_mark.line)
        return super().construct_mapping(node, deep)


def _construct_date(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise YamlRefused(
            node.start_mark,
            f"'{node.value}' is geen bestaande datum.",
            "schrijf een datum die bestaat, als jjjj-mm-dd, bv. 2026-01-15.",
        ) from None


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_date)
for _tag, _name in (("binary", "binaire gegevens"), ("set", "een verzameling (!!set)")):
    StrictLoader.add_constructor(
        f"tag:yaml.org,2002:{_tag}",
        _refuse_type(f"{_name} is geen tekst, getal of lijst.", "schrijf tekst of een lijst."),
    )
for _tag in ("omap", "pairs"):
    StrictLoader.add_constructor(
        f"tag:yaml.org,2002:{_tag}",
        _refuse_type(f"!!{_tag} wordt niet gebruikt.", "schrijf gewone velden (naam: waarde)."),
    )


class BlockLoader(StrictLoader):
    """An exercise block: text, numbers, yes/no, lists and fields; nothing that becomes a
    Python object the app cannot show (a date, infinity)."""

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise YamlRefused(
                node.start_mark,
                f"'{node.value}' is geen gewoon getal.",
                "schrijf een getal, of zet tekst tussen aanhalingstekens.",
            )
        return value


BlockLoader.add_constructor("tag:yaml.org,2002:float", BlockLoader.construct_yaml_float)
BlockLoader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    _refuse_type(
        "hier staat een datum, waar tekst of een getal hoort.",
        "zet de datum tussen aanhalingstekens, bv. '2026-01-15'.",
    ),
)


def load_yaml(text: str, path, first_line=1, invalid="de YAML klopt niet.", loader=StrictLoader):
    """YAML an author wrote -> data; or an AuthoringError that names the line and the fix.
    `first_line` is the line of the file where `text` starts."""
    if len(text) > MAX_YAML_CHARS:
        raise AuthoringError(
            path,
            first_line,
            f"te veel YAML ({len(text) // 1000}000 tekens, hoogstens {MAX_YAML_CHARS}).",
            "maak het blok korter of verdeel het over meer oefeningen.",
        )
    reader = loader(text)
    reader.first_line = first_line
    try:
        return reader.get_single_data()
    except YamlRefused as err:
        raise AuthoringError(
            path, first_line + err.problem_mark.line, err.problem, err.fix
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        said = getattr(err, "problem", None) or str(err).split("\n")[0]
        fix = (
            f"kijk deze regel na (YAML zegt: {said}). Schrijf 'naam: waarde'; zet tekst met "
            "een ':' of '#' tussen aanhalingstekens; spring in met spaties, niet met tabs."
        )
        raise AuthoringError(path, line, invalid, fix) from None
    finally:
        reader.dispose()


@dataclass
class Block:
    kind: str
    id: str
    body: str
    line: int  # line of the opening fence, 1-based


def parse(text: str, path="module.md"):
    """Split Markdown into text chunks (str) and exercise blocks (Block). A block's kind is
    checked later (``check_kind``), so a mistyped kind is an error, never plain text."""
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
        parts.append(Block(match["kind"], match["id"].strip(), "\n".join(body), start))
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


def is_worksheet(part) -> bool:
    return isinstance(part, Block) and part.kind == WORKSHEET


@dataclass
class Worksheet:
    """A ``{werkblad}`` block: shown in the module as text, and printed from its own page on
    the site (``<module>/werkblad/``). Not graded, not trainer material."""

    title: str
    content: str  # Markdown
    line: int

    def markdown(self) -> str:
        return f"### {self.title}\n\n{self.content.strip()}"


def worksheet(block: Block, path) -> Worksheet:
    """A ``{werkblad}`` block's fields, checked: `titel` and `inhoud`, both text."""
    if block.id:
        raise AuthoringError(
            path,
            block.line,
            f"een werkblad heeft geen id ('{block.id}').",
            "schrijf alleen ```{werkblad} op de eerste regel.",
        )
    data = _fields(block, path)
    for key in data:
        if key not in WORKSHEET_FIELDS:
            raise AuthoringError(
                path,
                field_line(block, key),
                f"onbekend veld '{key}' in een {{werkblad}}-blok.",
                did_you_mean(key, WORKSHEET_FIELDS) + "een werkblad heeft 'titel' en 'inhoud'.",
            )
    for key in ("titel", "inhoud"):
        value = data.get(key)
        if value is None:
            raise AuthoringError(
                path,
                block.line,
                f"het werkblad mist '{key}'.",
                'schrijf titel: "Werkblad: ..." en daaronder inhoud: | met de tekst in Markdown.',
            )
        if not isinstance(value, str) or not value.strip():
            _not_text(block, path, key, value or None, "")
    return Worksheet(data["titel"].strip(), data["inhoud"], block.line)


def notebook_worksheets(nb) -> list[tuple[str, str]]:
    """(title, Markdown content) of each worksheet cell of a compiled notebook."""
    found = []
    for cell in nb.cells:
        title = cell.get("metadata", {}).get("leerpad", {}).get(WORKSHEET)
        if cell.cell_type == "markdown" and isinstance(title, str):
            first, _, rest = cell.source.partition("\n")
            found.append((title, rest.strip() if first.startswith("### ") else cell.source))
    return found


def worksheets(text: str, path="module.md") -> list[Worksheet]:
    """The ``{werkblad}`` blocks of a Markdown module, in order (for the site's print page)."""
    return [worksheet(part, path) for part in parse(text, path) if is_worksheet(part)]


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


def did_you_mean(word, names, shown="'{}'", n=1) -> str:
    """'bedoelde je 'vraag'? ' for the known names nearest to a misspelled one, else ''."""
    close = difflib.get_close_matches(str(word).lower(), sorted(map(str, names)), n=n)
    return f"bedoelde je {' of '.join(shown.format(c) for c in close)}? " if close else ""


def check_kind(block: Block, path) -> None:
    """The kind between the braces is one leerpad knows, exactly as written in the guide."""
    known = sorted([*KINDS, "code", TRAINER, WORKSHEET])
    if block.kind in known:
        return
    kind = block.kind.strip().lower()
    if kind in known:
        fix = f"schrijf ```{{{kind}}}: in kleine letters, zonder spaties tussen de haakjes."
    else:
        fix = did_you_mean(kind, known, "{{{}}}") + f"kies uit: {', '.join(known)}."
    raise AuthoringError(path, block.line, f"onbekend bloktype '{block.kind}'.", fix)


def _fields(block: Block, path) -> dict:
    data = load_yaml(
        block.body, path, block.line + 1, "de YAML in dit blok klopt niet.", loader=BlockLoader
    )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AuthoringError(
            path,
            block.line,
            "het blok moet velden bevatten (naam: waarde).",
            "schrijf elk veld op een eigen regel, bv. 'vraag: ...'.",
        )
    return data


def field_line(block: Block, name) -> int:
    """The line of module.md where the block's field `name` is written (else the fence)."""
    pattern = re.compile(rf"^[ \t]*(- )?[\"']?{re.escape(str(name))}[\"']?[ \t]*:")
    for offset, line in enumerate(block.body.splitlines(), 1):
        if pattern.match(line):
            return block.line + offset
    return block.line


# Fields that authors write as text and learners read: a number, a date or yes/no here is
# a slip of YAML (a question '2026-01-15' or 'yes' would not be the question meant).
TEXT_FIELDS = {"vraag", "tekst", "eenheid", "opdracht", "beschrijving"}
TYPE_NAMES = {bool: "ja/nee", int: "een getal", float: "een getal", list: "een lijst"}


@cache
def known_names(cls) -> frozenset:
    """Every keyword argument a widget class can use: the base's, its Dutch fields' and
    every name its code reads (the names as strings in the modules that define it)."""
    from leerpad.widgets.base import Exercise

    names = set(inspect.signature(Exercise.__init__).parameters) - {"self", "config"}
    names |= {*FIELDS.values(), *cls.fields.values(), *cls.key_fields, *cls.nested_fields}
    for klass in cls.__mro__:
        module = sys.modules.get(klass.__module__)
        if module is None or not getattr(module, "__file__", None):
            continue
        for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"[a-z_]+", node.value):
                    names.add(node.value)
    return frozenset(names)


def check_fields(cls, data: dict, block: Block, path, where="", parent=None) -> None:
    """Unknown or misspelled fields are errors with a 'bedoelde je'; text fields hold text.
    A child (a question of a set) may also use its parent's Dutch names (see _nested)."""
    dutch = {**FIELDS, **(parent.fields if parent else {}), **cls.fields}
    known = known_names(cls) | (known_names(parent) if parent else frozenset())
    for key, value in data.items():
        if not isinstance(key, str):
            raise AuthoringError(
                path,
                block.line,
                f"veld {key!r}{where} is geen naam.",
                "schrijf een naam voor de dubbelepunt, bv. 'vraag:'.",
            )
        if key not in dutch and key not in known:
            names = sorted({*dutch, *cls.key_fields, "type"})
            hint = did_you_mean(key, names)
            raise AuthoringError(
                path,
                field_line(block, key),
                f"onbekend veld '{key}'{where} in een {{{block.kind}}}-blok.",
                f"{hint}de velden staan in de gids voor auteurs; velden van dit type: "
                f"{', '.join(sorted(dutch))}.",
            )
        if key in TEXT_FIELDS and not isinstance(value, str):
            _not_text(block, path, key, value, where)
        if key == "tips" and isinstance(value, list):
            for item in value:
                if not isinstance(item, str):
                    _not_text(block, path, key, item, where)
    for name in cls.nested_fields:  # the questions of a set, the steps of a scenario
        items = data.get({v: k for k, v in dutch.items()}.get(name, name))
        items = items.values() if isinstance(items, dict) else items or []
        for number, item in enumerate(items, 1):
            if not isinstance(item, dict):
                continue
            child = KINDS.get(item.get("type") or item.get("soort")) or TYPES.get(
                item.get("type") or item.get("soort")
            )
            check_fields(child or cls, item, block, path, f" (onderdeel {number})", cls)


def _not_text(block, path, key, value, where):
    if value is None:
        raise AuthoringError(
            path,
            field_line(block, key),
            f"veld '{key}'{where} is leeg.",
            f"schrijf de tekst op dezelfde regel na '{key}:' (of laat het veld weg).",
        )
    shown = TYPE_NAMES.get(type(value), type(value).__name__)
    raise AuthoringError(
        path,
        field_line(block, key),
        f"veld '{key}'{where} moet tekst zijn, niet {shown} ({value!r}).",
        f'zet de tekst tussen aanhalingstekens: {key}: "{value}"',
    )


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
    check_kind(block, path)
    if not block.id:
        raise AuthoringError(
            path, block.line, "dit blok heeft geen id.", f"schrijf ```{{{block.kind}}} mijn-id"
        )
    data = _fields(block, path)
    if block.kind == "code":
        return code_cells(block, data, path)
    check_kind(block, path)
    cls = KINDS[block.kind]
    check_fields(cls, data, block, path)
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
        dutch = {english: key for key, english in names.items()}  # a field left out
        written = {names.get(key, key): key for key in data}.get(
            err.field, dutch.get(err.field, err.field)
        )
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
    unknown = sorted(map(str, set(data) - CODE_FIELDS))
    if unknown:
        raise AuthoringError(
            path,
            field_line(block, unknown[0]),
            f"onbekend veld '{unknown[0]}'.",
            did_you_mean(unknown[0], CODE_FIELDS) + f"gebruik: {', '.join(sorted(CODE_FIELDS))}.",
        )
    if "opdracht" in data and not isinstance(data["opdracht"], str):
        _not_text(block, path, "opdracht", data["opdracht"], "")
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
    imports = ", ".join(sorted({*used, "score"}))
    cells = [
        nbformat.v4.new_code_cell(
            f"from leerpad.widgets import {imports}\nfrom leerpad.grading.handin_bar import HandIn",
            metadata=_meta("imports"),
        )
    ]
    seen = set()
    for part in parse(text, path):
        if isinstance(part, Block):
            check_kind(part, path)  # {Trainer} too: a mistyped trainer block is no text
        if is_trainer(part):
            _check_trainer_block(part, path)
            continue  # trainer material never enters the notebook
        if is_worksheet(part):  # text in the notebook; its print page is the site's
            sheet = worksheet(part, path)
            cells.append(
                nbformat.v4.new_markdown_cell(
                    sheet.markdown(), metadata={"leerpad": {WORKSHEET: sheet.title}}
                )
            )
            continue
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
