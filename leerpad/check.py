"""``leerpad check``: everything an author can get wrong, reported at once, each with the
file, the place and the fix."""

import ast
import copy
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from leerpad.authoring import FIELDS, AuthoringError
from leerpad.catalogue import Catalogue, Problem
from leerpad.grading.cells import AnswerKeyError, exercise_calls, split_keys
from leerpad.leaks import contains, find_leaks, normal
from leerpad.settings import variable

IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)")
HTML_IMAGE = re.compile(r"<img\b(?P<attrs>[^>]*)>", re.I)
CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$|`[^`\n]+`", re.S | re.M)
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


class Where:
    """Names the place of a problem: a line of module.md when the module is Markdown,
    otherwise the cell of the author's notebook."""

    def __init__(self, module):
        self.markdown = module.markdown_path.exists()
        self.source = module.markdown_path if self.markdown else module.notebook_path
        # only to find lines: a file that cannot be read is reported by Module.notebook
        try:
            self.text = (
                self.source.read_text(encoding="utf-8", errors="replace") if self.markdown else ""
            )
        except OSError:
            self.text = ""

    def __call__(self, cell_index: int, needle: str = "") -> str:
        if self.markdown and needle:
            at = self.text.find(needle)
            if at >= 0:
                return f"regel {self.text.count(chr(10), 0, at) + 1}"
        return f"cel {cell_index}"

    def text_line(self, cell_index: int, text: str, needle: str, exercise_id="") -> str:
        """The line of module.md where `needle` stands inside `text` (a cell or a field),
        else the exercise's block, else the cell."""
        if self.markdown and text.strip():
            at = self.text.find(text.strip())
            if at >= 0:
                first = self.text.count(chr(10), 0, at) + 1
                start = " ".join(normal(needle).split()[:2])
                for offset, line in enumerate(text.strip().splitlines()):
                    if contains(line, start):
                        return f"regel {first + offset}"
                return f"regel {first}"
        return self.block(cell_index, exercise_id) if exercise_id else f"cel {cell_index}"

    def block(self, cell_index: int, exercise_id: str) -> str:
        if self.markdown:
            match = re.search(
                rf"^```\{{[a-z-]+\}}[ \t]*{re.escape(str(exercise_id))}[ \t]*$", self.text, re.M
            )
            if match:
                return f"regel {self.text.count(chr(10), 0, match.start()) + 1}"
        return f"cel {cell_index}"


def check_module(module, seen_ids: dict, execute=False) -> list[Problem]:
    where = Where(module)
    source = where.source
    problems = []
    if module.markdown_path.exists() and module.notebook_path.exists():
        problems.append(
            Problem(
                module.notebook_path,
                "bestand",
                "de module heeft zowel module.md als een notebook; ze kunnen uit elkaar lopen.",
                f"verwijder {module.notebook_path.name}: leerpad maakt de notebook uit module.md.",
            )
        )
    try:
        nb = module.notebook
    except AuthoringError as err:
        return [*problems, Problem(Path(err.path), f"regel {err.line}", err.problem, err.fix)]
    except Exception as err:  # an unreadable notebook: report it, check the rest
        return [
            *problems,
            Problem(
                source,
                "bestand",
                f"kan niet gelezen worden: {err}",
                "open en bewaar de notebook opnieuw in JupyterLab, of schrijf de module als "
                "module.md.",
            ),
        ]
    problems += check_links(module)
    problems += check_site_links(module, nb, where)
    if where.markdown and not where.text.strip():
        problems.append(
            Problem(
                source,
                "bestand",
                "module.md is leeg; de module zou als lege pagina verschijnen.",
                "schrijf de inhoud (begin met '# Titel'), of verwijder de module.",
            )
        )
    problems += check_nbgrader(nb, where)
    grade_ids = _grade_ids(nb)
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type == "markdown":
            problems += check_markdown(module, where, index, cell.source)
        if cell.cell_type != "code":
            continue
        for call, cls in exercise_calls(cell.source):
            kwargs = {k.arg: k for k in call.keywords if k.arg}
            try:
                _, keys = split_keys(cell.source, f"{source.name}, cel {index}")
            except AnswerKeyError as err:
                problems.append(Problem(source, f"cel {index}", str(err)))
                continue
            exercise_id = keys and next(iter(keys)) or _literal(kwargs.get("id"))
            place = where.block(index, exercise_id)
            if not cell.metadata.get("nbgrader", {}).get("locked"):
                problems.append(
                    Problem(
                        source,
                        place,
                        f"de cel van oefening '{exercise_id}' is niet vergrendeld; een cursist "
                        "kan de oefening dan aanpassen.",
                        "zet in de nbgrader-metadata van de cel locked: true "
                        "(Read-only in de Create Assignment-werkbalk).",
                    )
                )
            if exercise_id in seen_ids and seen_ids[exercise_id] != module.id:
                problems.append(
                    Problem(
                        source,
                        place,
                        f"oefening-id '{exercise_id}' bestaat al in "
                        f"module {seen_ids[exercise_id]}.",
                        "geef elke oefening een id die in de hele catalogus uniek is.",
                    )
                )
            seen_ids.setdefault(exercise_id, module.id)
            problems += check_graded(cls, kwargs, exercise_id, grade_ids, source, place)
    problems += check_leaks(nb, where)
    problems += check_code_tests(nb, where)
    problems += check_feedback(module, nb, where)
    if execute:
        problems += execute_module(module, nb, where)
    return problems


def check_links(module) -> list[Problem]:
    """A link in the module folder to a file outside it would publish that file; a name
    with an invisible character is one a package refuses (and a reader cannot tell)."""
    from leerpad.authoring import invisible_character

    inside = module.folder.resolve()
    problems = []
    for path in sorted(module.folder.rglob("*")):
        if path.is_symlink() and inside not in path.resolve().parents:
            problems.append(_outside_link(path, "bestand", "de module"))
        hidden = invisible_character(path.name, allowed="")
        if hidden:
            problems.append(
                Problem(
                    path.parent,
                    "bestand",
                    f"de naam {path.name!r} bevat een onzichtbaar teken "
                    f"(U+{ord(hidden):04X}); een pakket met die naam wordt geweigerd.",
                    "hernoem het bestand: letters, cijfers, '-', '_' en '.'.",
                )
            )
    return problems


def _outside_link(path: Path, place: str, outside: str) -> Problem:
    return Problem(
        path,
        place,
        f"is een link naar {path.resolve()}, buiten {outside}; leerpad zou wat daar staat "
        "mee publiceren.",
        "vervang de link door een kopie, of verwijder hem.",
    )


def check_leaks(nb, where: Where) -> list[Problem]:
    """Warn where learner text or a tip names an exercise's answer (see leerpad.leaks)."""
    problems = []
    for leak in find_leaks(nb):
        answer = leak.answer if len(leak.answer) <= 60 else leak.answer[:57] + "..."
        place = where.text_line(leak.cell, leak.text, leak.answer, leak.owner)
        if leak.in_hint:
            problem = f"een tip van oefening '{leak.exercise_id}' noemt het antwoord ('{answer}')."
            fix = "geef een tip die helpt zoeken zonder het antwoord te noemen."
        else:
            problem = (
                f"de tekst voor cursisten noemt het antwoord van oefening "
                f"'{leak.exercise_id}' ('{answer}')."
            )
            fix = (
                "herschrijf de zin zonder het antwoord, of zet ze in een ```{trainer}-blok "
                "(dat lezen alleen trainers)."
            )
        problems.append(Problem(where.source, place, problem, fix, warning=True))
    return problems


def check_graded(cls, kwargs, exercise_id, grade_ids, source, place) -> list[Problem]:
    """A graded exercise needs its answer key, points above zero and a grade cell."""
    if not cls.graded:
        return []
    problems = []
    dutch = {v: k for k, v in {**FIELDS, **cls.fields}.items()}
    if cls.key_fields and cls.key_fields[0] not in kwargs:
        name = dutch.get(cls.key_fields[0], cls.key_fields[0])
        problems.append(
            Problem(
                source,
                place,
                f"oefening '{exercise_id}' heeft geen antwoordsleutel ('{name}').",
                f"voeg '{name}:' toe aan het blok.",
            )
        )
    points = _literal(kwargs.get("points")) if "points" in kwargs else 1
    if not isinstance(points, int | float) or isinstance(points, bool) or points <= 0:
        problems.append(
            Problem(
                source,
                place,
                f"oefening '{exercise_id}' heeft geen geldig aantal punten ({points!r}).",
                "schrijf 'punten:' met een getal groter dan 0.",
            )
        )
    if exercise_id not in grade_ids:
        problems.append(
            Problem(
                source,
                place,
                f"oefening '{exercise_id}' wordt niet verbeterd.",
                f"voeg een cel met score({exercise_id!r}) toe.",
            )
        )
    return problems


def check_nbgrader(nb, where: Where) -> list[Problem]:
    """nbgrader's own metadata validator, cell by cell, plus unique and usable grade ids."""
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    validator = MetadataValidator()
    problems, seen = [], {}
    for index, cell in enumerate(nb.cells, 1):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id", "")
        place = where(index, grade_id if grade_id else "")
        if grade_id and not GRADE_ID.match(str(grade_id)):
            problems.append(
                Problem(
                    where.source,
                    place,
                    f"grade_id '{grade_id}' mag alleen letters, cijfers, '-' en '_' bevatten.",
                    "kies een grade_id zonder spaties of leestekens.",
                )
            )
            continue
        try:
            validator.validate_cell(validator.upgrade_cell_metadata(copy.deepcopy(cell)))
        except ValidationError as err:
            problems.append(
                Problem(
                    where.source,
                    place,
                    f"ongeldige nbgrader-metadata: {str(err).splitlines()[0]}.",
                    "zet de cel opnieuw met de Create Assignment-werkbalk van JupyterLab.",
                )
            )
            continue
        if not (meta.get("grade") or meta.get("solution") or meta.get("locked")):
            continue
        if grade_id in seen:
            problems.append(
                Problem(
                    where.source,
                    place,
                    f"grade_id '{grade_id}' komt twee keer voor (ook in cel {seen[grade_id]}).",
                    "geef elke nbgrader-cel een eigen grade_id.",
                )
            )
        seen.setdefault(grade_id, index)
        points = meta.get("points")
        if meta.get("grade") and (not isinstance(points, int | float) or points <= 0):
            problems.append(
                Problem(
                    where.source,
                    place,
                    f"'{grade_id}' telt mee maar heeft geen punten ({points!r}).",
                    "geef de cel een aantal punten groter dan 0 (Points in de werkbalk).",
                )
            )
        if meta.get("grade") and not meta.get("solution") and not meta.get("locked"):
            problems.append(
                Problem(
                    where.source,
                    place,
                    f"de testcel '{grade_id}' is niet vergrendeld; een cursist kan de testen "
                    "dan wissen.",
                    "zet locked: true in de nbgrader-metadata (Autograder tests).",
                )
            )
    return problems


def execute_module(module, nb, where: Where, timeout=120) -> list[Problem]:
    """Run the notebook as its author wrote it (keys inline), in a copy of its folder."""
    import os
    import tempfile

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = copy.deepcopy(nb)
    with tempfile.TemporaryDirectory() as tmp:
        for asset in module.assets():
            target = Path(tmp) / asset.relative_to(module.folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(asset.read_bytes())
        keys = os.environ.pop(variable("keys"), None)  # no cohort's keys in an author's run
        try:
            NotebookClient(
                nb, timeout=timeout, allow_errors=True, resources={"metadata": {"path": tmp}}
            ).execute()
        except CellExecutionError as err:  # pragma: no cover - allow_errors collects them
            return [Problem(where.source, "uitvoeren", str(err))]
        except Exception as err:
            return [Problem(where.source, "uitvoeren", f"de notebook start niet: {err}")]
        finally:
            if keys is not None:
                os.environ[variable("keys")] = keys
    problems = []
    for index, cell in enumerate(nb.cells, 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
                problems.append(
                    Problem(
                        where.source,
                        where(index, grade_id.removesuffix("-oefening").removesuffix("-code")),
                        f"de cel geeft een fout bij het uitvoeren: {output.get('ename')}: "
                        f"{output.get('evalue')}",
                        "pas de cel aan tot ze zonder fout loopt (probeer ze in JupyterLab).",
                    )
                )
    return problems


def check_code_tests(nb, where: Where) -> list[Problem]:
    """Warn about a test of learner code that the runner cannot judge from values (a
    ``{code}`` block's tests, a code exercise's test lines; see leerpad.widgets.coding)."""
    from leerpad.grading.preprocessors import judged_by_runner
    from leerpad.widgets.coding import test_warnings

    problems = []
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        tests = [(cell.source, grade_id)] if judged_by_runner(cell) else []
        for call, cls in exercise_calls(cell.source):
            fields = {k.arg: _literal(k) for k in call.keywords if k.arg}
            for field in ("tests", "hidden_tests") if cls.kind == "code-oefening" else ():
                lines = fields.get(field) or []
                lines = lines.splitlines() if isinstance(lines, str) else lines
                tests += [(str(line), fields.get("id", "")) for line in lines if str(line).strip()]
        for source, owner in tests:
            try:
                warnings = test_warnings(source)
            except SyntaxError:
                continue  # reported where the exercise is built
            for warning in warnings:
                problems.append(
                    Problem(
                        where.source,
                        where.block(index, owner) if owner else where(index),
                        f"een test van '{owner}': {warning}.",
                        "schrijf elke test als assert <uitdrukking> == <verwachte waarde> "
                        "(of gelijk(...), bijna_gelijk(...), <, in, not, and, or).",
                        warning=True,
                    )
                )
    return problems


@dataclass
class FeedbackGap:
    """An auto-graded exercise whose per-answer feedback is not complete (issue 17)."""

    cell: int  # 1-based cell of the notebook
    exercise_id: str
    kind: str  # the block name, "code" for a {code} block
    missing: list[str]


def feedback_gaps(nb) -> list[FeedbackGap]:
    """Every auto-graded exercise of a notebook (as its author wrote it, keys inline) that
    lacks feedback for its most common wrong answers, by the rule of its type
    (``Exercise.missing_feedback``; a ``{code}`` block's tests each need a name)."""
    from leerpad.grading.preprocessors import judged_by_runner
    from leerpad.widgets.base import BAD_ANSWER, Exercise, ExerciseConfigError
    from leerpad.widgets.coding import split_tests, unnamed_tests

    gaps = []
    for index, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code":
            continue
        if judged_by_runner(cell):
            grade_id = cell.metadata["nbgrader"].get("grade_id", "")
            try:
                missing = unnamed_tests(split_tests(cell.source))
            except SyntaxError:
                continue  # reported where the tests are checked
            if missing:
                gaps.append(FeedbackGap(index, grade_id, "code", missing))
            continue
        for call, cls in exercise_calls(cell.source):
            if (
                not cls.graded
                or cls.missing_feedback.__func__ is Exercise.missing_feedback.__func__
            ):
                continue
            try:
                kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
                exercise = cls(**kwargs)
            except (ValueError, ExerciseConfigError, *BAD_ANSWER):
                continue  # not literal, or an error reported where the exercise is built
            missing = exercise.feedback_gaps()  # none without a key: check_graded reports it
            if missing:
                gaps.append(FeedbackGap(index, exercise.id, cls.kind, missing))
    return gaps


def check_feedback(module, nb, where: Where) -> list[Problem]:
    """Warn where an auto-graded exercise gives no feedback for its common wrong answers."""
    return [
        Problem(
            where.source,
            where.block(gap.cell, gap.exercise_id),
            f"module '{module.id}', oefening '{gap.exercise_id}' ({gap.kind}) geeft geen "
            f"uitleg bij veelgemaakte fouten; er ontbreekt: {'; '.join(gap.missing)}.",
            "schrijf die feedback in het blok (de regel per type staat in de gids voor "
            "auteurs, 'Feedback die iets leert').",
            warning=True,
        )
        for gap in feedback_gaps(nb)
    ]


def _grade_ids(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}


def _literal(node):
    try:
        return ast.literal_eval(node.value) if node is not None else None
    except ValueError:
        return None


def check_markdown(module, where: Where, index: int, text: str) -> list[Problem]:
    """Images have alt text (where links lead: check_site_links). Code is not checked."""
    problems = []
    source = where.source
    text = CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    images = [(m["alt"], m["src"], m.group(0)) for m in IMAGE.finditer(text)]
    for match in HTML_IMAGE.finditer(text):
        src = re.search(r"""src\s*=\s*["']([^"']+)""", match["attrs"])
        alt = re.search(r"""alt\s*=\s*["']([^"']*)""", match["attrs"])
        images.append((alt[1] if alt else "", src[1] if src else "", match.group(0)))
    for alt, src, raw in images:
        place = where(index, raw)
        if not alt.strip():
            problems.append(
                Problem(
                    source,
                    place,
                    f"afbeelding '{src}' heeft geen alt-tekst.",
                    'beschrijf wat er op de afbeelding staat tussen de [ ] (of in alt="...").',
                )
            )
    return problems


class _Targets(HTMLParser):
    """The links and images of a rendered page: (tag, target)."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        name = {"a": "href", "img": "src"}.get(tag)
        value = dict(attrs).get(name) if name else None
        if value:
            self.found.append((tag, value))


def check_site_links(module, nb, where: Where) -> list[Problem]:
    """Every relative link and image of the module's page leads to a file the site
    publishes beside it. The page is made as the site makes it (``render_notebook``) and
    read as MkDocs reads it, so a link that its strict build refuses (to uitleg.md, to a
    missing file) is found here, with its line; what passes here, the site serves."""
    import markdown

    from leerpad.authoring import did_you_mean
    from leerpad.site.render import asset_target, render_notebook

    published = module.published_files()
    page = render_notebook(nb, module.title).markdown
    parser = _Targets()
    parser.feed(markdown.markdown(page, extensions=PAGE_EXTENSIONS))
    problems, seen = [], set()
    for tag, target in parser.found:
        if EXTERNAL.match(target) or target.startswith("#") or (tag, target) in seen:
            continue
        seen.add((tag, target))
        if asset_target(target, published):
            continue
        shown = re.split(r"[?#]", target, maxsplit=1)[0]
        what = "afbeelding" if tag == "img" else "link"
        file = (module.folder / unquote(shown)).resolve()
        if target.startswith("<"):
            problem = f"{what} '{target}': een adres tussen < > wordt op de website tekst."
            fix = "geef het bestand een naam zonder spaties en schrijf [tekst](naam.pdf)."
        elif file.is_file() and module.folder.resolve() in file.parents:
            problem = (
                f"{what} '{target}' wijst naar {file.name}, dat niet op de website komt "
                "(module.yml, module.md, de notebook en andere .md-bestanden worden geen "
                "bestand naast de pagina)."
            )
            fix = (
                "zet die tekst in module.md zelf, of bewaar hem als PDF of afbeelding naast "
                "module.md en link daarnaar."
            )
        else:
            problem = (
                f"afbeelding '{target}' bestaat niet in de modulemap."
                if tag == "img"
                else f"link '{target}' wijst naar niets."
            )
            fix = did_you_mean(Path(shown).name, published) + (
                "zet het bestand in de modulemap of pas het pad aan (relatief ten opzichte "
                "van module.md, zonder '/' vooraan)."
            )
        problems.append(Problem(where.source, _place(where, nb, target), problem, fix))
    return problems


# The Markdown extensions of mkdocs.yml that shape links: the site reads pages with these.
PAGE_EXTENSIONS = ["attr_list", "md_in_html", "fenced_code", "tables", "admonition"]


def _place(where: Where, nb, target: str) -> str:
    """The line of module.md, or the cell of the notebook, where a link target is written."""
    cell = next(
        (n for n, c in enumerate(nb.cells, 1) if target in c.source),
        next((n for n, c in enumerate(nb.cells, 1) if unquote(target) in c.source), 0),
    )
    return where(cell, target)


RESERVED = {"frameworks", "paths"}  # folders of courses/ that are not courses


def check_folders(catalogue: Catalogue) -> list[Problem]:
    """Folders that look like content but that the catalogue cannot read: they would
    vanish from the site without a word."""
    problems = []
    root = catalogue.root.resolve()
    for file in sorted(catalogue.root.rglob("*.yaml")):
        if "frameworks" not in file.relative_to(catalogue.root).parts:
            problems.append(
                Problem(
                    file,
                    "bestand",
                    "leerpad leest alleen bestanden die op .yml eindigen; dit bestand blijft "
                    "ongelezen.",
                    f"hernoem het naar {file.stem}.yml.",
                )
            )
    for folder in sorted(p for p in catalogue.root.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        if folder.is_symlink() and root not in folder.resolve().parents:
            problems.append(_outside_link(folder, "map", "courses/"))
            continue
        if folder.name in RESERVED:
            continue
        if not (folder / "course.yml").exists():
            problems.append(
                Problem(
                    folder,
                    "course.yml",
                    "deze map heeft geen course.yml; haar modules verschijnen nergens.",
                    f"maak {folder.name}/course.yml (leerpad new course {folder.name}) of "
                    "verplaats de map buiten courses/.",
                )
            )
            continue
        for module in sorted(p for p in folder.iterdir() if p.is_dir()):
            if module.is_symlink() and folder.resolve() not in module.resolve().parents:
                problems.append(_outside_link(module, "map", "de cursus"))
            content = (module / "module.md").exists() or any(module.glob("*.ipynb"))
            if content and not (module / "module.yml").exists():
                problems.append(
                    Problem(
                        module,
                        "module.yml",
                        "deze module heeft geen module.yml; ze verschijnt nergens.",
                        "maak module.yml met id, title, ... (zie de gids voor auteurs, of "
                        f"leerpad new module {module.name} en kopieer je tekst erin).",
                    )
                )
    return problems


def check_paths(catalogue: Catalogue) -> list[Problem]:
    """A learning path names each module once."""
    problems = []
    for learning_path in catalogue.paths:
        steps = learning_path.meta.get("steps")
        if steps and not isinstance(steps, list):
            problems.append(
                Problem(
                    learning_path.path,
                    "steps",
                    f"moet een lijst van module-ids zijn, niet {steps!r}.",
                    "schrijf steps: [module-a, module-b] of elke stap op een regel met '- '.",
                )
            )
        first = {}
        for number, step in enumerate(learning_path.steps, 1):
            step_id = step.get("id")
            if step_id in first:
                problems.append(
                    Problem(
                        learning_path.path,
                        f"steps[{number}]",
                        f"module '{step_id}' staat twee keer in het leerpad "
                        f"(ook bij stap {first[step_id]}).",
                        "laat elke module één keer voorkomen in 'steps:'.",
                    )
                )
            first.setdefault(step_id, number)
    return problems


class CheckFailed(SystemExit):
    """A command that publishes refuses what ``leerpad check`` refuses, with its messages."""

    def __init__(self, action: str, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"{action}: niets gepubliceerd, want leerpad check vindt {len(problems)} "
            f"fout(en):\n{lines}\nOplossing: los ze op (leerpad check toont ze ook) en probeer "
            "opnieuw."
        )


def gate(action: str, catalogue: Catalogue | None = None, modules=None) -> Catalogue:
    """The one check before anything is published (release, site, start): the catalogue,
    or CheckFailed. With `modules`, only problems in those modules' folders count."""
    catalogue = catalogue or Catalogue()
    problems = getattr(catalogue, "checked", None)
    if problems is None:
        problems = [p for p in check(None, catalogue) if not p.warning]
        catalogue.checked = problems  # one check per catalogue, however many steps ask
    if modules is not None:
        problems = [p for p in problems if any(_within(p.path, m.folder) for m in modules)]
    if problems:
        raise CheckFailed(action, problems)
    return catalogue


def _within(path: Path, folder: Path) -> bool:
    """`path` is `folder` or lies in it; a link counts where it stands, not where it points."""
    pairs = ((os.path.abspath(path), os.path.abspath(folder)), (path.resolve(), folder.resolve()))
    return any(Path(b) == Path(a) or Path(b) in Path(a).parents for a, b in pairs)


def check(
    path: Path | None = None, catalogue: Catalogue | None = None, execute=False
) -> list[Problem]:
    catalogue = catalogue or Catalogue()
    problems = [
        *catalogue.problems,
        *check_folders(catalogue),
        *check_paths(catalogue),
        *catalogue.eindterm_misfits(),
    ]
    seen_ids: dict = {}
    target = path.resolve() if path else None
    for module in catalogue.modules.values():
        mine = (
            target is None
            or target == module.folder.resolve()
            or module.folder.resolve() in target.parents
            or target in module.folder.resolve().parents
        )
        # Every module is read, so that ids are compared across the whole catalogue.
        module_problems = check_module(module, seen_ids, execute=execute and mine)
        if mine:
            problems += module_problems
    if target is not None:
        problems = [p for p in problems if _within(p.path, path)]
    return problems
