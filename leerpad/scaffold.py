"""``leerpad new course|module|path``: a new folder or file from ``leerpad/templates``.

Metadata comes from flags, or from prompts when a value is missing and someone is typing
(stdin is a terminal); otherwise the error names the missing flag. Everything is checked
before anything is written, and the result is written in one step (temporary folder, then
rename), so a refused ``new`` leaves the catalogue exactly as it was.
"""

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from string import Template

from leerpad.authoring import AuthoringError, compile_markdown
from leerpad.catalogue import ID, Catalogue, check_audience, check_module_meta
from leerpad.paths import courses_dir

TEMPLATES = Path(__file__).resolve().parent / "templates"
RESERVED = {"paths", "frameworks"}


class ScaffoldError(ValueError):
    """A value that cannot become a course, module or path; the message says what to do."""


@dataclass
class Option:
    key: str  # the name in the template, in the values dict and in module.yml
    question: str  # the prompt, in Dutch
    many: bool = False
    default: object = None
    example: str = ""
    separator: str = ","  # between several values typed at once

    @property
    def flag(self) -> str:
        """The command-line flag: the field's own name, as in module.yml."""
        return "--" + self.key.replace("_", "-")


COMMON = [
    Option("title", "Titel", example="'Wat is een algoritme?'"),
    Option(
        "audience",
        "Doelgroep(en), gescheiden door komma's (bv. basisonderwijs, secundair)",
        many=True,
        example="basisonderwijs",
    ),
]
OPTIONS = {
    "module": [
        Option("course", "Id van de cursus", example="computationeel-denken"),
        *COMMON,
        Option(
            "authors",
            "Auteur(s), gescheiden door ';'",
            many=True,
            example="'Voornaam Naam'",
            separator=";",
        ),
        Option(
            "digcompedu",
            "DigCompEdu-competentie(s), bv. 6.5",
            many=True,
            example="6.5",
        ),
        Option("eindtermen", "Eindterm(en), bv. 4.4", many=True, example="4.4"),
        Option(
            "topics",
            "Onderwerp(en), bv. algoritmen",
            many=True,
            example="algoritmen",
        ),
        Option(
            "summary",
            "Samenvatting in één zin",
            default="Vervang deze samenvatting: wat leert de cursist in deze module?",
        ),
        Option("duration", "Duur in minuten", default="60"),
        Option("level", "DigCompEdu-niveau (A1 tot C2)", default="A2"),
        Option("licence", "Licentie", default="CC-BY-SA-4.0"),
    ],
    "course": [
        *COMMON,
        Option(
            "description",
            "Beschrijving in één of twee zinnen",
            default="Vervang deze beschrijving: voor wie is de cursus en wat leer je?",
        ),
    ],
    "path": [
        *COMMON,
        Option(
            "goal",
            "Doel van het leerpad in één zin",
            example="'Je team geeft een eerste les over algoritmen.'",
        ),
        Option(
            "steps",
            "Module-id's in volgorde, gescheiden door komma's",
            many=True,
            example="ct-01-algoritme",
        ),
    ],
}


def collect(kind: str, given: dict, ask=None) -> dict:
    """Every option's value: given by a flag, asked for, or its default. Raises
    ScaffoldError naming the flag when a required value is missing and nobody can answer."""
    values, missing = {}, []
    for option in OPTIONS[kind]:
        value = given.get(option.key)
        if value in (None, "", []) and option.default is None and ask is not None:
            value = ask(option.question + ": ").strip()
        if value in (None, "", []):
            if option.default is None:
                missing.append(option)
                continue
            value = option.default
        if option.many:
            items = value if isinstance(value, list) else [value]
            parts = (str(item).split(option.separator) for item in items)
            value = [part.strip() for group in parts for part in group]
            value = [v for v in value if v]
        values[option.key] = value
    if missing:
        flags = ", ".join(o.flag for o in missing)
        example = " ".join(f"{o.flag} {o.example}" for o in missing)
        raise ScaffoldError(f"ontbreekt: {flags}. Oplossing: leerpad new {kind} ... {example}")
    return values


def _render(template: Path, values: dict) -> str:
    try:
        return Template(template.read_text(encoding="utf-8")).substitute(values)
    except KeyError as err:  # a template that names a value we do not have: our bug
        raise RuntimeError(f"sjabloon {template} gebruikt onbekende waarde {err}") from err


def _yaml(value) -> str:
    """A YAML scalar or flow list: JSON is valid YAML and quotes what needs quoting."""
    return json.dumps(value, ensure_ascii=False)


def _check_id(kind: str, new_id: str) -> None:
    if not ID.match(new_id or ""):
        raise ScaffoldError(
            f"'{new_id}' is geen geldige id voor een {kind}. Oplossing: gebruik 2 tot 63 "
            "kleine letters, cijfers en '-', bv. ct-08-mijn-module."
        )
    if new_id in RESERVED:
        raise ScaffoldError(f"'{new_id}' is een gereserveerde naam. Oplossing: kies een andere id.")


def module_files(new_id: str, values: dict) -> dict[str, str]:
    authors = "\n".join(f"  - name: {_yaml(name)}" for name in values["authors"])
    fields = {
        "id": new_id,
        "title": _yaml(values["title"]),
        "title_text": values["title"],
        "summary": _yaml(values["summary"]),
        "duration": values["duration"],
        "level": _yaml(values["level"]),
        "audience": _yaml(values["audience"]),
        "digcompedu": _yaml(values["digcompedu"]),
        "eindtermen": _yaml(values["eindtermen"]),
        "topics": _yaml(values["topics"]),
        "licence": _yaml(values["licence"]),
        "authors": authors,
        "today": dt.date.today().isoformat(),
    }
    names = ("module.yml", "module.md")
    return {name: _render(TEMPLATES / "module" / name, fields) for name in names}


def _validate_module(new_id: str, files: dict, catalogue: Catalogue, target: Path) -> None:
    import yaml

    meta = yaml.safe_load(files["module.yml"])
    problems = check_module_meta(target / "module.yml", meta, catalogue.frameworks)
    if problems:
        raise ScaffoldError("\n".join(_flagged(p) for p in problems))
    try:
        compile_markdown(files["module.md"], target / "module.md", new_id)
    except AuthoringError as err:
        raise ScaffoldError(f"{err} Oplossing: kies een kortere module-id.") from err


# module.yml's field names are the option keys: a metadata problem names the flag.
FLAGS = {o.key: o.flag for o in OPTIONS["module"]}


def _flagged(problem) -> str:
    """A metadata problem in the words of the command line: the flag, not the YAML field."""
    flag = FLAGS.get(problem.place.split("[")[0], problem.place)
    return f"{flag}: {problem.problem}" + (f" Oplossing: {problem.fix}" if problem.fix else "")


def _existing(catalogue: Catalogue, new_id: str) -> str | None:
    """Where ``new_id`` is already used, as a course, module or path id or folder."""
    root = catalogue.root
    if new_id in catalogue.modules:
        return str(catalogue.modules[new_id].folder.relative_to(root.parent))
    for course in catalogue.courses:
        if course.id == new_id or course.folder.name == new_id:
            return str(course.folder.relative_to(root.parent))
        if (course.folder / new_id).exists():
            return str((course.folder / new_id).relative_to(root.parent))
    for learning_path in catalogue.paths:
        if learning_path.id == new_id or learning_path.path.stem == new_id:
            return str(learning_path.path.relative_to(root.parent))
    for candidate in (root / new_id, root / "paths" / f"{new_id}.yml"):
        if candidate.exists():
            return str(candidate.relative_to(root.parent))
    return None


def _write_folder(target: Path, files: dict[str, str]) -> None:
    """All files at once: a temporary folder next to the target, renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        os.rename(tmp, target)  # fails if target appeared meanwhile: nothing overwritten
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_file(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.link(tmp, target)  # fails if target exists: nothing overwritten
    finally:
        os.unlink(tmp)
    target.chmod(0o644)


def new(kind: str, new_id: str, given: dict, ask=None, root: Path | None = None) -> Path:
    """Make a course, module or path; returns what was written."""
    if kind not in OPTIONS:
        raise ScaffoldError(f"onbekend soort '{kind}'. Oplossing: kies course, module of path.")
    _check_id(kind, new_id)
    catalogue = Catalogue(root or courses_dir())
    used = _existing(catalogue, new_id)
    if used:
        raise ScaffoldError(
            f"de id '{new_id}' bestaat al: {used}. Oplossing: kies een andere id; "
            "leerpad overschrijft nooit bestaand werk."
        )
    if kind == "module" and "course" not in given and len(catalogue.courses) == 1:
        given = {**given, "course": catalogue.courses[0].id}
    values = collect(kind, given, ask)
    if kind == "module":
        return _new_module(catalogue, new_id, values)
    if kind == "course":
        return _new_course(catalogue, new_id, values)
    return _new_path(catalogue, new_id, values)


def _known(values: list, known: dict, flag: str, what: str) -> None:
    for value in values:
        if value not in known:
            raise ScaffoldError(
                f"{flag}: '{value}' is onbekend. Oplossing: kies {what}: "
                + ", ".join(sorted(known))
                + "."
            )


def _new_module(catalogue: Catalogue, new_id: str, values: dict) -> Path:
    courses = {course.id: course for course in catalogue.courses}
    if values["course"] not in courses:
        known = ", ".join(sorted(courses)) or "(nog geen: maak er een met leerpad new course)"
        raise ScaffoldError(
            f"--course: '{values['course']}' bestaat niet. Oplossing: kies {known}."
        )
    if not str(values["duration"]).isdigit():
        raise ScaffoldError(
            f"--duration: '{values['duration']}' is geen aantal minuten. "
            "Oplossing: bv. --duration 60."
        )
    target = courses[values["course"]].folder / new_id
    files = module_files(new_id, values)
    _validate_module(new_id, files, catalogue, target)
    _write_folder(target, files)
    return target


def _check_audience(catalogue: Catalogue, target: Path, values: dict) -> None:
    problems = check_audience(target, values["audience"], catalogue.frameworks)
    if problems:
        raise ScaffoldError("\n".join(_flagged(p) for p in problems))


def _new_course(catalogue: Catalogue, new_id: str, values: dict) -> Path:
    _check_audience(catalogue, catalogue.root / new_id, values)
    fields = {
        "id": new_id,
        "title": _yaml(values["title"]),
        "description": _yaml(values["description"]),
        "audience": _yaml(values["audience"]),
    }
    target = catalogue.root / new_id
    _write_folder(target, {"course.yml": _render(TEMPLATES / "course" / "course.yml", fields)})
    return target


def _new_path(catalogue: Catalogue, new_id: str, values: dict) -> Path:
    _check_audience(catalogue, catalogue.root / "paths", values)
    _known(values["steps"], catalogue.modules, "--steps", "een bestaande module-id")
    fields = {
        "id": new_id,
        "title": _yaml(values["title"]),
        "goal": _yaml(values["goal"]),
        "audience": _yaml(values["audience"]),
        "steps": "\n".join(f"  - {step}" for step in values["steps"]),
    }
    target = catalogue.root / "paths" / f"{new_id}.yml"
    _write_file(target, _render(TEMPLATES / "path" / "path.yml", fields))
    return target
