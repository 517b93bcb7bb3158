"""``leerpad check``: everything an author can get wrong, reported at once, each with the
file, the place and the fix."""

import re
from pathlib import Path

from leerpad.authoring import AuthoringError
from leerpad.catalogue import Catalogue, Problem
from leerpad.grading.preprocessors import AnswerKeyError, exercise_calls, split_keys

IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)")
LINK = re.compile(r"(?<!!)\[[^\]]+\]\((?P<href>[^)\s]+)\)")


def check_module(module, seen_ids: dict) -> list[Problem]:
    problems = []
    source = module.markdown_path if module.markdown_path.exists() else module.notebook_path
    try:
        nb = module.notebook
    except AuthoringError as err:
        return [Problem(Path(err.path), f"regel {err.line}", err.problem, err.fix)]
    except Exception as err:  # an unreadable notebook: report it, check the rest
        return [Problem(source, "bestand", f"kan niet gelezen worden: {err}")]
    grade_ids = {}
    for index, cell in enumerate(nb.cells, 1):
        place = f"cel {index}"
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id:
            if grade_id in grade_ids:
                problems.append(
                    Problem(
                        source,
                        place,
                        f"grade_id '{grade_id}' komt twee keer voor.",
                        "geef elke nbgrader-cel een eigen grade_id.",
                    )
                )
            grade_ids[grade_id] = index
            if meta.get("grade") and not meta.get("points"):
                problems.append(
                    Problem(source, place, f"'{grade_id}' telt mee maar heeft geen punten.")
                )
        if cell.cell_type == "markdown":
            problems += check_markdown(module, source, place, cell.source)
        if cell.cell_type != "code":
            continue
        for call, cls in exercise_calls(cell.source):
            kwargs = {k.arg: k for k in call.keywords if k.arg}
            try:
                _, keys = split_keys(cell.source, f"{source.name}, {place}")
            except AnswerKeyError as err:
                problems.append(Problem(source, place, str(err)))
                continue
            exercise_id = keys and next(iter(keys)) or _literal(kwargs.get("id"))
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
            if (
                cls.graded
                and cls.key_fields
                and "answer" in cls.key_fields
                and "answer" not in kwargs
            ):
                problems.append(
                    Problem(
                        source,
                        place,
                        f"oefening '{exercise_id}' heeft geen antwoord.",
                        "voeg 'antwoord:' toe.",
                    )
                )
            if (
                cls.graded
                and exercise_id not in grade_ids
                and f"{exercise_id}" not in _grade_ids(nb)
            ):
                problems.append(
                    Problem(
                        source,
                        place,
                        f"oefening '{exercise_id}' wordt niet verbeterd.",
                        f"voeg een cel met score({exercise_id!r}) toe.",
                    )
                )
    return problems


def _grade_ids(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}


def _literal(node):
    import ast

    try:
        return ast.literal_eval(node.value) if node is not None else None
    except ValueError:
        return None


def check_markdown(module, source: Path, place: str, text: str) -> list[Problem]:
    problems = []
    for match in IMAGE.finditer(text):
        if not match["alt"].strip():
            problems.append(
                Problem(
                    source,
                    place,
                    f"afbeelding '{match['src']}' heeft geen alt-tekst.",
                    "beschrijf de afbeelding tussen de [ ].",
                )
            )
        if not re.match(r"^[a-z]+:", match["src"]) and not (module.folder / match["src"]).exists():
            problems.append(
                Problem(
                    source,
                    place,
                    f"afbeelding '{match['src']}' bestaat niet.",
                    "zet het bestand in de modulemap of pas het pad aan.",
                )
            )
    for match in LINK.finditer(text):
        href = match["href"].split("#")[0]
        if href and not re.match(r"^[a-z]+:", href) and not (module.folder / href).exists():
            problems.append(
                Problem(
                    source,
                    place,
                    f"link '{href}' wijst naar niets.",
                    "pas de link aan of zet het bestand in de modulemap.",
                )
            )
    return problems


def check(path: Path | None = None, catalogue: Catalogue | None = None) -> list[Problem]:
    catalogue = catalogue or Catalogue()
    problems = list(catalogue.problems)
    seen_ids: dict = {}
    target = path.resolve() if path else None
    for module in catalogue.modules.values():
        module_problems = check_module(module, seen_ids)
        if (
            target is None
            or target == module.folder.resolve()
            or module.folder.resolve() in target.parents
        ):
            problems += module_problems
    if target is not None:
        problems = [
            p
            for p in problems
            if target == p.path.resolve()
            or target in p.path.resolve().parents
            or p.path.resolve() == target
        ]
    return problems
