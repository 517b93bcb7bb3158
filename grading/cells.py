"""What the cells of a leerpad notebook are: exercise calls with their answer keys, the role
of each locked code cell, a cell's name in messages, and the notes grading leaves.

Plain functions on notebook data: the release (keys out), the site (public exercises), the
check, the fast path and nbgrader's pipeline all read cells through this module.
"""

import ast
import functools
import re

from leerpad.widgets.base import TYPES


class AnswerKeyError(ValueError):
    pass


def _offsets(source: bytes):
    """Byte offset of the start of each line (AST columns are UTF-8 byte offsets)."""
    starts = [0]
    for i, byte in enumerate(source):
        if byte == 0x0A:
            starts.append(i + 1)
    return starts


def exercise_calls(source: str):
    """Yield (call node, class) for each call of a leerpad exercise type in `source`."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", None)
            )
            if name in TYPES:
                yield node, TYPES[name]


def split_keys(source: str, where: str = "") -> tuple[str, dict]:
    """Remove the answer-key arguments from every exercise call in `source`.

    Returns the public source and {exercise id: key}. Public replacements (for example the
    shuffled items of an ordering) take the key's place.
    """
    data = source.encode("utf-8")
    starts = _offsets(data)
    edits = []  # (start, end, replacement bytes)
    keys = {}
    for call, cls in exercise_calls(source):
        kwargs = {k.arg: k for k in call.keywords if k.arg}
        if "id" not in kwargs:
            raise AnswerKeyError(f"{where}: een {cls.__name__} zonder id.")
        try:
            exercise_id = ast.literal_eval(kwargs["id"].value)
        except ValueError as err:
            raise AnswerKeyError(f"{where}: de id van een {cls.__name__} moet tekst zijn.") from err
        key = {}
        for name in cls.key_fields:
            if name not in kwargs:
                continue
            node = kwargs[name]
            try:
                key[name] = ast.literal_eval(node.value)
            except ValueError as err:
                raise AnswerKeyError(
                    f"{where}: oefening '{exercise_id}', veld '{name}': schrijf het antwoord "
                    "letterlijk (tekst, getal, lijst), niet als berekening."
                ) from err
            begin = starts[node.lineno - 1] + node.col_offset
            end = starts[node.end_lineno - 1] + node.end_col_offset
            # take the comma and spaces after the argument too
            while end < len(data) and data[end : end + 1] in (b",", b" "):
                end += 1
            if data[end : end + 1] == b"\n" and data[begin - 1 : begin] == b" ":
                # an argument on a line of its own: drop the whole line
                line_start = data.rfind(b"\n", 0, begin) + 1
                if not data[line_start:begin].strip():
                    begin, end = line_start, end + 1
            edits.append((begin, end, b""))
        if key:
            keys[exercise_id] = key
            public = {
                k: v for k, v in cls.public_fields(exercise_id, key).items() if k not in kwargs
            }
            if public:
                extra = "".join(f"{k}={v!r}, " for k, v in public.items())
                at = starts[kwargs["id"].lineno - 1] + kwargs["id"].col_offset
                edits.append((at, at, extra.encode("utf-8")))
    for begin, end, replacement in sorted(edits, reverse=True):
        data = data[:begin] + replacement + data[end:]
    return data.decode("utf-8"), keys


SCORE_TEST = re.compile(
    r"\A### BEGIN HIDDEN TESTS\n"
    r"score\((?P<id>'[a-z0-9-]+'|\"[a-z0-9-]+\")\)\n"
    r"### END HIDDEN TESTS\Z"
)
TRUSTED_CALLS = {*TYPES, "HandIn"}
# what the generated import cell imports from: the exercises and the hand-in bar
NOTEBOOK_IMPORTS = {"leerpad.widgets", "leerpad.grading.handin_bar"}


@functools.lru_cache(maxsize=4096)
def parse_call(source: str):
    """('SingleChoice', {kwargs}) for a cell that is one call with literal arguments, else
    None. The same cells come back in every hand-in of a module: parse each once (and
    copy the arguments before handing them to anything that may change them)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.args:
        return None
    if call.func.id not in TRUSTED_CALLS:
        return None
    try:
        return call.func.id, {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
    except ValueError:
        return None


def only_imports_from(source: str, accept) -> bool:
    """Whether `source` holds nothing but ``from <module> import ...`` lines whose module
    `accept(module)` takes."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return all(isinstance(node, ast.ImportFrom) and accept(node.module or "") for node in tree.body)


@functools.lru_cache(maxsize=1024)
def _is_widget_import(source: str) -> bool:
    return only_imports_from(source, NOTEBOOK_IMPORTS.__contains__)


def cell_role(cell) -> str | None:
    """What a code cell is in a widget-only notebook, or None when it is anything else."""
    meta = cell.metadata.get("nbgrader", {})
    if not meta.get("locked") or meta.get("solution"):
        return None  # only cells the learner cannot change
    source = cell.source.strip()
    if meta.get("grade"):
        return "score" if SCORE_TEST.match(source) else None
    if _is_widget_import(source):
        return "import"
    return "exercise" if parse_call(source) is not None else None


def widget_only(nb) -> bool:
    """Whether every code cell is one the fast path knows (checked after nbgrader's
    OverwriteCells has put back the locked cells, so the learner cannot fake it)."""
    return all(cell_role(c) is not None for c in nb.cells if c.cell_type == "code")


def add_note(nb, text: str, log=None) -> None:
    notes = nb.metadata.setdefault("leerpad", {}).setdefault("notes", [])
    if text not in notes:
        notes.append(text)
    if log is not None:
        log.warning(text)


def cell_name(cell, index: int) -> str:
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    return f"cel {index + 1}" + (f" ('{grade_id}')" if grade_id else "")
