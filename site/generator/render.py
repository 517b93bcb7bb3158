"""A module's notebook as a read-only Markdown page, without answer keys and without running it.

Markdown cells are shown as Markdown. An exercise call becomes a short description with its
public fields (question, options, text, ...): the answer-key arguments are cut out with
``split_keys`` before the call is parsed, so no key can reach the page. Hidden test cells and
answer cells are left out; a code exercise is shown as its prompt and starting code.
"""

import ast
import copy
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote as urlunquote

from leerpad.grading.cells import exercise_calls, only_imports_from, split_keys

from leerpad.markup import clean_markdown

from .layout import TEMPLATES, fence

# Public fields an exercise description may show. Anything else in a call is ignored.
PUBLIC_FIELDS = (
    "question",
    "options",
    "text",
    "items",
    "words",
    "categories",
    "left",
    "right",
    "unit",
    "rubric",
    "points",
    "code",
)
# How a block type reads in a sentence; other types read as their block name without dashes.
KIND_NAMES = {
    "juist-fout": "juist of fout",
    "code-oefening": "code",
    "robot": "gridrobot",
    "pixels": "pixeleditor",
    "bebras": "Bebras-taak",
    "ruimte": "3D-ruimte",
    "panorama": "360°-beeld",
}
SOLUTION = re.compile(
    r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$", re.S | re.M
)
HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*\n?", re.S | re.M
)
HEADING = re.compile(r"^(#{1,5})(\s)")
FENCE = re.compile(r"^\s*(```|~~~)")
# A link target as Markdown reads it: inline `](target "title")`, `](<a b.pdf>)`, and the
# target of a reference definition `[id]: target`.
LINK = re.compile(r"(!?\[[^\]]*\]\(\s*)(<[^>\n]*>|[^)\s]+)")
REFERENCE = re.compile(r"^([ ]{0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)", re.M)
MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\](?:\((?P<src>[^)\s]*)[^)]*\)|\[(?P<ref>[^\]]*)\])")
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.I)
HTML_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
HTML_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
CODE_SPAN = re.compile(r"(`+).*?\1")


@dataclass
class Exercise:
    id: str
    kind: str
    points: float
    fields: dict = field(default_factory=dict)


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def points_label(points) -> str:
    number = f"{points:g}".replace(".", ",")
    return f"{number} punt" if points == 1 else f"{number} punten"


def public_call_fields(call: ast.Call) -> dict:
    """The public keyword arguments of an exercise call (after split_keys)."""
    values = {}
    for keyword in call.keywords:
        if keyword.arg in PUBLIC_FIELDS or keyword.arg == "id":
            try:
                values[keyword.arg] = ast.literal_eval(keyword.value)
            except ValueError:
                continue
    return values


def exercises_in(source: str) -> list[Exercise]:
    """The exercises a code cell declares, read from its source with the keys removed."""
    public, _keys = split_keys(source)
    found = []
    for call, cls in exercise_calls(public):
        values = public_call_fields(call)
        exercise_id = str(values.pop("id", ""))
        points = values.pop("points", 1)
        found.append(Exercise(exercise_id, cls.kind, points if cls.graded else 0, values))
    return found


def strip_solutions(source: str, stub: str = "# JOUW CODE HIER") -> str:
    source = HIDDEN.sub("", source)
    return SOLUTION.sub(lambda m: "\n".join(m[1] + line for line in stub.splitlines()), source)


def code_start(source: str) -> str:
    """The starting code of an answer cell: what comes before the solution."""
    return strip_solutions(source).rstrip()


def shift_headings(text: str, by: int = 1) -> str:
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            line = HEADING.sub(lambda m: "#" * min(6, len(m[1]) + by) + m[2], line)
        out.append(line)
    return "\n".join(out)


def asset_target(target: str, assets) -> str | None:
    """The module file a relative link target names ('uitleg.pdf#p=2' -> 'uitleg.pdf'), if
    it is one the site publishes beside the page; else None. ``leerpad check`` asks the same
    question of every link, so what it accepts the site can serve."""
    path = urlunquote(re.split(r"[?#]", target, maxsplit=1)[0])
    if not path or path.startswith("/"):
        return None
    path = posixpath.normpath(path)
    return path if path in assets else None


def rebase_links(text: str, prefix: str, assets: set[str]) -> str:
    """Point relative links to module assets at their copy beside the page."""

    def fix(match):
        target = match[2]
        angled = target.startswith("<")
        if not asset_target(target[1:-1] if angled else target, assets):
            return match.group()
        return f"{match[1]}<{prefix}/{target[1:]}" if angled else f"{match[1]}{prefix}/{target}"

    return REFERENCE.sub(fix, LINK.sub(fix, text))


def images_without_alt(text: str) -> list[tuple[int, str]]:
    """(line, image) for every image in Markdown text without an alt text.

    Markdown images (``![alt](src)``, ``![alt][ref]``) and HTML ``<img>``; examples inside
    code blocks and code spans are not images and are skipped."""
    found, fence_mark = [], None
    for number, line in enumerate(text.splitlines(), 1):
        opening = re.match(r"^\s*(`{3,}|~{3,})", line)
        if fence_mark:
            if opening and opening[1][0] == fence_mark[0] and len(opening[1]) >= len(fence_mark):
                fence_mark = None
            continue
        if opening:
            fence_mark = opening[1]
            continue
        line = CODE_SPAN.sub("", line)
        for match in MD_IMAGE.finditer(line):
            if not match["alt"].strip():
                found.append((number, match["src"] or match["ref"] or match[0]))
        for tag in HTML_IMAGE.findall(line):
            alt = HTML_ALT.search(tag)
            if not alt or not "".join(g or "" for g in alt.groups()).strip():
                src = HTML_SRC.search(tag)
                found.append((number, "".join(g or "" for g in src.groups()) if src else tag))
    return found


def _list(items) -> list[str]:
    return [str(i) for i in items] if isinstance(items, list | tuple) else []


def describe(exercise: Exercise, extra: str = "") -> str:
    """The exercise as exercise.md.j2 shows it, from its public fields."""
    fields = exercise.fields
    text = fields.get("text")
    return TEMPLATES.render(
        "exercise.md.j2",
        exercise=exercise,
        kind=KIND_NAMES.get(exercise.kind, exercise.kind.replace("-", " ")),
        points=points_label(exercise.points),
        question=str(fields.get("question") or "").strip(),
        # a blank (___) shows as a line, not as bold or italic marks
        text=clean_markdown(text).replace("___", "\\_\\_\\_\\_\\_")
        if isinstance(text, str)
        else None,
        options=_list(fields.get("options")),
        items=_list(fields.get("items")),
        code=bool(fields.get("code")),  # a Parsons problem: lines of code, indentation matters
        groups=[
            (label, _list(fields.get(name)))
            for name, label in (
                ("categories", "Groepen"),
                ("words", "Woorden"),
                ("left", "Links"),
                ("right", "Rechts"),
            )
        ],
        unit=fields.get("unit"),
        rubric=_list(fields.get("rubric")),
        extra=extra,
    )


@dataclass
class Rendered:
    markdown: str
    exercises: list[Exercise]

    @property
    def graded(self) -> list[Exercise]:
        """The exercises that count for points (not practice such as flashcards)."""
        return [e for e in self.exercises if e.points]


def _points_after(cells, index) -> float:
    for cell in cells[index + 1 :]:
        meta = _nbgrader(cell)
        if meta.get("grade") and not meta.get("solution"):
            return meta.get("points", 1)
        if cell.cell_type == "markdown" and not meta:
            break
    return 1


def render_notebook(nb, title: str = "", asset_prefix: str = "", assets=()) -> Rendered:
    """Markdown for the read-only view of a notebook, and the exercises it holds."""
    assets = set(assets)
    grade_points = {
        _nbgrader(c).get("grade_id"): _nbgrader(c).get("points", 1)
        for c in nb.cells
        if _nbgrader(c).get("grade")
    }
    parts, exercises = [], []
    for index, cell in enumerate(nb.cells):
        meta = _nbgrader(cell)
        source = cell.source
        if cell.cell_type == "markdown":
            if meta.get("solution"):
                continue  # an answer cell the learner fills in
            text = source.strip()
            if title and index <= 2 and text.startswith("# "):
                first, _, rest = text.partition("\n")
                if first[2:].strip() == title.strip():
                    text = rest.strip()
            if text:
                text = clean_markdown(shift_headings(text))
                parts.append(rebase_links(text, asset_prefix, assets))
            continue
        if cell.cell_type != "code":
            continue
        if "### BEGIN HIDDEN TESTS" in source or (meta.get("grade") and not meta.get("solution")):
            continue  # hidden tests: never shown
        found = exercises_in(source)
        if found:
            for exercise in found:
                if exercise.id in grade_points and exercise.points:
                    exercise.points = grade_points[exercise.id]
                exercises.append(exercise)
                parts.append(rebase_links(describe(exercise), asset_prefix, assets))
            continue
        if meta.get("solution"):
            exercise_id = str(meta.get("grade_id", "")).removesuffix("-code")
            points = meta.get("points") if meta.get("grade") else _points_after(nb.cells, index)
            exercise = Exercise(exercise_id, "code", points)
            exercises.append(exercise)
            extra = "Deze oefening maak je in JupyterLab."
            if code_start(source):
                extra += "\n\n" + fence(code_start(source))
            parts.append(describe(exercise, extra))
            continue
        stripped = source.strip()
        if (
            not stripped
            or stripped == "HandIn()"
            or only_imports_from(stripped, lambda module: module.startswith("leerpad"))
        ):
            continue
        parts.append(fence(strip_solutions(split_keys(source)[0]).rstrip()))
    return Rendered("\n\n".join(parts) + "\n", exercises)


def public_notebook(nb):
    """A copy of the notebook without answer keys, solutions and hidden tests."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        meta = _nbgrader(cell)
        if cell.cell_type == "code":
            if "### BEGIN HIDDEN TESTS" in cell.source or (
                meta.get("grade") and not meta.get("solution")
            ):
                continue
            source = split_keys(cell.source)[0]
            cell.source = strip_solutions(source, "# JOUW CODE HIER\nraise NotImplementedError()")
            cell.outputs, cell.execution_count = [], None
        elif cell.cell_type == "markdown" and meta.get("solution"):
            cell.source = "JOUW ANTWOORD HIER"
        cells.append(cell)
    nb.cells = cells
    return nb
