"""The catalogue: courses, modules and learning paths read from ``courses/``.

One source of truth. Every problem becomes a ``Problem`` that names the file, the place and
the fix; ``leerpad check`` prints them all at once instead of stopping at the first.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import nbformat
import yaml

from leerpad.paths import courses_dir, frameworks_dir

ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
LICENCES = {"CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"}
LEVELS = {"A1", "A2", "B1", "B2", "C1", "C2"}
MODULE_FIELDS = {
    "id": str,
    "title": str,
    "summary": str,
    "goals": list,
    "duration": int,
    "level": str,
    "audience": list,
    "digcompedu": list,
    "eindtermen": list,
    "topics": list,
    "licence": str,
    "authors": list,
    "last_reviewed": dt.date,
}
# Optional fields of module.yml, with their default: whatever else a file holds is a typo.
MODULE_OPTIONAL = {"app": True, "pupils": False}
COURSE_FIELDS = ("id", "title", "description", "audience", "modules")
PATH_FIELDS = ("id", "title", "goal", "audience", "steps", "gepland")
STEP_FIELDS = ("id", "title", "duration", "level", "digcompedu", "eindtermen")
AUTHOR_FIELDS = ("name",)
# Names a Flemish author may write in Dutch: the hint then gives the English field.
DUTCH_FIELDS = {
    "titel": "title",
    "samenvatting": "summary",
    "doelen": "goals",
    "leerdoelen": "goals",
    "duur": "duration",
    "niveau": "level",
    "doelgroep": "audience",
    "onderwerpen": "topics",
    "licentie": "licence",
    "auteurs": "authors",
    "naam": "name",
    "beschrijving": "description",
    "doel": "goal",
    "stappen": "steps",
    "nagekeken": "last_reviewed",
    "leerlingen": "pupils",
}
TYPE_FIXES = {
    str: "schrijf tekst na de dubbelepunt.",
    int: "schrijf een getal zonder aanhalingstekens, bv. 60.",
    list: "schrijf een lijst: [a, b] of regels die met '- ' beginnen.",
    dt.date: "schrijf een datum als 2026-11-23.",
}


@dataclass
class Problem:
    path: Path
    place: str
    problem: str
    fix: str = ""
    warning: bool = False  # worth a look, but the module still works (leerpad check exits 0)

    def __str__(self):
        root = courses_dir().parent
        try:
            shown = self.path.relative_to(root)
        except ValueError:
            shown = self.path
        label = "waarschuwing: " if self.warning else ""
        return f"{shown}: {self.place}: {label}{self.problem}" + (
            f" Oplossing: {self.fix}" if self.fix else ""
        )


class Frameworks:
    """The ids modules may be tagged with, from ``courses/frameworks``."""

    def __init__(self, directory: Path | None = None):
        directory = directory or frameworks_dir()
        dce = yaml.safe_load((directory / "digcompedu.yml").read_text(encoding="utf-8"))
        et = yaml.safe_load(
            (directory / "eindtermen-digitale-competentie.yml").read_text(encoding="utf-8")
        )
        topics = yaml.safe_load((directory / "topics.yml").read_text(encoding="utf-8"))
        self.digcompedu = {
            c["id"]: {**c, "area": a["nl"]} for a in dce["areas"] for c in a["competences"]
        }
        self.eindtermen = {
            t["id"]: {"level": b.get("level", ""), **t, "block": b["nl"]}
            for b in et["building_blocks"]
            for t in b["targets"]
        }
        self.audiences = {a["id"]: a for a in topics.pop("audiences")}
        self.topics = {t["id"]: t for group in topics.values() for t in group}


def load_yaml(path: Path, problems: list) -> dict | None:
    # leerpad.authoring reads strictly: UTF-8, bounded, no aliases, no duplicate keys
    from leerpad.authoring import AuthoringError, read_text
    from leerpad.authoring import load_yaml as strict_yaml

    try:
        data = strict_yaml(read_text(path), path, invalid="geen geldige YAML.")
    except AuthoringError as err:
        problems.append(Problem(path, f"regel {err.line}", err.problem, err.fix))
        return None
    if not isinstance(data, dict):
        own_id = path.stem if path.parent.name == "paths" else path.parent.name
        problems.append(
            Problem(
                path,
                "bestand",
                "moet velden bevatten (naam: waarde), één per regel.",
                f"schrijf bv. 'id: {own_id}' en 'title: ...' (zie de gids voor auteurs, of "
                "maak het bestand met leerpad new).",
            )
        )
        return None
    return data


@dataclass
class Module:
    folder: Path
    meta: dict
    course: "Course | None" = None

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def markdown_path(self) -> Path:
        return self.folder / "module.md"

    @property
    def notebook_path(self) -> Path:
        return self.folder / f"{self.id}.ipynb"

    @cached_property
    def notebook(self):
        """The nbgrader source notebook: compiled from Markdown, or the author's own.

        Without trainer material: everything learners get (release, apps, site, feedback) is
        made from this notebook. The trainer material is in ``trainer_notes``."""
        from leerpad.authoring import compile_markdown, read_text, without_trainer_cells

        if self.markdown_path.exists():
            text = read_text(self.markdown_path)
            return compile_markdown(text, self.markdown_path, self.id)
        return without_trainer_cells(nbformat.read(self.notebook_path, as_version=4))

    @cached_property
    def trainer_notes(self):
        """The module's trainer material (``{trainer}`` blocks or cells tagged trainer)."""
        from leerpad.authoring import notebook_trainer_notes, read_text, trainer_notes

        if self.markdown_path.exists():
            text = read_text(self.markdown_path)
            return trainer_notes(text, self.markdown_path)
        return notebook_trainer_notes(nbformat.read(self.notebook_path, as_version=4))

    def assets(self) -> list[Path]:
        skip = {"module.yml", "module.md", self.notebook_path.name}
        return [p for p in sorted(self.folder.rglob("*")) if p.is_file() and p.name not in skip]

    def published_files(self) -> list[str]:
        """The module's files the site copies beside its page (as paths relative to the
        folder): its assets, without Markdown (MkDocs would make pages of it)."""
        return [p.relative_to(self.folder).as_posix() for p in self.assets() if p.suffix != ".md"]


@dataclass
class Course:
    folder: Path
    meta: dict
    modules: list[Module] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.meta["id"]


@dataclass
class LearningPath:
    """A path file: ordered ``steps`` (module ids) and, for modules not written yet, a
    ``gepland`` list (id, title, duration, digcompedu) or the same fields on the step."""

    path: Path
    meta: dict

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def steps(self) -> list[dict]:
        steps = self.meta.get("steps") or []
        return [
            {"id": str(s)} if not isinstance(s, dict) else dict(s)
            for s in (steps if isinstance(steps, list) else [])
        ]

    @property
    def planned(self) -> dict[str, dict]:
        """Planned modules by id: the ``gepland`` list, then fields given on a step."""
        planned = {}
        entries = self.meta.get("gepland") or []
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("id"):
                planned[str(entry["id"])] = dict(entry)
        for step in self.steps:
            if len(step) > 1 and step.get("id"):
                planned[str(step["id"])] = {**planned.get(str(step["id"]), {}), **step}
        return planned


class Catalogue:
    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else courses_dir()
        self.problems: list[Problem] = []
        self.frameworks = Frameworks(self.root / "frameworks")
        self.courses: list[Course] = []
        self.modules: dict[str, Module] = {}
        self.paths: list[LearningPath] = []
        self._load()
        self._locate()

    LOCATED = ("module.yml", "course.yml")

    def _locate(self):
        """Name the line of a metadata field, so an author finds it: 'duration (regel 8)'."""
        texts = {}
        for problem in self.problems:
            key = problem.place.split("[")[0]
            if problem.path.name not in self.LOCATED or not re.fullmatch(r"[a-z_]+", key):
                continue
            if problem.path not in texts:
                texts[problem.path] = problem.path.read_text(encoding="utf-8", errors="replace")
            match = re.search(rf"^{key}[ \t]*:", texts[problem.path], re.M)
            if match:
                line = texts[problem.path].count("\n", 0, match.start()) + 1
                problem.place = f"{problem.place} (regel {line})"

    def _load(self):
        for course_yml in sorted(self.root.glob("*/course.yml")):
            meta = load_yaml(course_yml, self.problems)
            if meta is None:
                continue
            self.problems += check_course_meta(course_yml, meta, self.frameworks)
            meta.setdefault("id", course_yml.parent.name)
            course = Course(course_yml.parent, meta)
            self.courses.append(course)
            for module_yml in sorted(course_yml.parent.glob("*/module.yml")):
                module = self._load_module(module_yml, course)
                if module:
                    course.modules.append(module)
            self._order_modules(course_yml, course)
        for path_yml in sorted((self.root / "paths").glob("*.yml")):
            meta = load_yaml(path_yml, self.problems)
            if meta is not None:
                self.paths.append(LearningPath(path_yml, meta))
                self._check_path(path_yml, meta)
        self._check_planned_agree()

    def _order_modules(self, course_yml: Path, course: Course) -> None:
        """Put a course's modules in the teaching order its ``modules:`` list gives; modules
        it does not name follow in folder order (a module being written, a merge)."""
        order = course.meta.get("modules")
        if order is None:
            return
        if not isinstance(order, list):
            self.problems.append(
                Problem(course_yml, "modules", "moet een lijst met module-id's zijn.")
            )
            return
        present = {m.id: m for m in course.modules}
        for number, module_id in enumerate(order, 1):
            if module_id not in present:
                self.problems.append(
                    Problem(
                        course_yml,
                        f"modules[{number}]",
                        f"module '{module_id}' bestaat niet in deze cursus.",
                        f"maak de map {course_yml.parent.name}/{module_id} of schrap de id.",
                    )
                )
        rank = {module_id: n for n, module_id in enumerate(order)}
        course.modules.sort(key=lambda m: rank.get(m.id, len(rank)))

    def _load_module(self, module_yml: Path, course: Course) -> Module | None:
        meta = load_yaml(module_yml, self.problems)
        if meta is None:
            return None
        problems = check_module_meta(module_yml, meta, self.frameworks)
        self.problems += problems
        if any(p.place == "id" for p in problems):
            return None
        module = Module(module_yml.parent, meta, course)
        if module.id in self.modules:
            other = self.modules[module.id].folder
            self.problems.append(
                Problem(
                    module_yml,
                    "id",
                    f"'{module.id}' is al de id van {other.relative_to(self.root)}: "
                    "is deze map een kopie?",
                    "geef een gekopieerde module een nieuwe id (en de map dezelfde naam).",
                )
            )
            return None
        if module.folder.name != module.id:
            self.problems.append(
                Problem(
                    module_yml,
                    "id",
                    f"de id '{module.id}' verschilt van de mapnaam '{module.folder.name}'.",
                    f"hernoem de map naar {module.id} of pas de id aan.",
                )
            )
        if not module.markdown_path.exists() and not module.notebook_path.exists():
            self.problems.append(
                Problem(
                    module_yml.parent,
                    "inhoud",
                    "geen module.md en geen notebook.",
                    f"maak module.md of {module.id}.ipynb.",
                )
            )
            return None
        self.modules[module.id] = module
        return module

    def _check_path(self, path_yml: Path, meta: dict):
        from leerpad.authoring import did_you_mean

        for name in ("id", "title", "goal", "audience", "steps"):
            if not meta.get(name):
                self.problems.append(
                    Problem(path_yml, name, "ontbreekt.", f"voeg '{name}:' toe aan het bestand.")
                )
        if isinstance(meta.get("id"), str) and meta["id"] != path_yml.stem:
            self.problems.append(
                Problem(
                    path_yml,
                    "id",
                    f"de id '{meta['id']}' verschilt van de bestandsnaam '{path_yml.name}'.",
                    f"noem het bestand {meta['id']}.yml of pas de id aan.",
                )
            )
        learning_path = LearningPath(path_yml, meta)
        self.problems += unknown_fields(path_yml, meta, PATH_FIELDS)
        self.problems += check_text_fields(path_yml, meta, ("title", "goal"))
        entries = [*(meta.get("gepland") or [])] if isinstance(meta.get("gepland"), list) else []
        for entry in [*learning_path.steps, *entries]:
            if isinstance(entry, dict):
                where = f" bij module '{entry.get('id')}'"
                self.problems += unknown_fields(path_yml, entry, STEP_FIELDS, where)
        self.problems += check_audience(path_yml, meta.get("audience"), self.frameworks)
        planned = learning_path.planned
        for number, step in enumerate(learning_path.steps, 1):
            step_id = step.get("id")
            if not step_id:
                self.problems.append(
                    Problem(path_yml, f"steps[{number}]", "een stap heeft een id nodig.")
                )
            elif step_id not in self.modules and step_id not in planned:
                self.problems.append(
                    Problem(
                        path_yml,
                        f"steps[{number}]",
                        f"module '{step_id}' bestaat niet.",
                        did_you_mean(step_id, self.modules, "{}", n=3)
                        + "verbeter de id, of beschrijf de module onder 'gepland:' met id, "
                        "title, duration en digcompedu.",
                    )
                )
        for planned_id, entry in planned.items():
            if planned_id not in self.modules:
                self.problems += check_planned(path_yml, entry, self.frameworks)

    def _check_planned_agree(self):
        """A module planned in two paths is described the same way in both."""
        seen = {}
        for learning_path in self.paths:
            for planned_id, entry in learning_path.planned.items():
                if planned_id in self.modules:
                    continue
                facts = (entry.get("title"), entry.get("duration"))
                first = seen.setdefault(planned_id, (learning_path.path, facts))
                if first[1] != facts:
                    self.problems.append(
                        Problem(
                            learning_path.path,
                            f"gepland '{planned_id}'",
                            f"titel of duur verschilt van {first[0].name}.",
                            "geef een geplande module in elk leerpad dezelfde title en duration.",
                        )
                    )

    def eindterm_misfits(self) -> list[Problem]:
        """A module's eindtermen must be goals of the teachers it is for: each tag's audience
        (courses/frameworks/eindtermen-digitale-competentie.yml) is the audience of a path the
        module is in. A module in no path yet is not judged."""
        audiences: dict[str, set] = {}
        for learning_path in self.paths:
            audience = learning_path.meta.get("audience") or []
            audience = {str(a) for a in (audience if isinstance(audience, list) else [audience])}
            for step in learning_path.steps:
                audiences.setdefault(step.get("id"), set()).update(audience)
        problems = []
        for module in self.modules.values():
            if module.id not in audiences:
                continue
            tags = module.meta.get("eindtermen")
            for tag in tags if isinstance(tags, list) else []:
                goal = self.frameworks.eindtermen.get(str(tag))
                if goal is None or goal.get("audience") in audiences[module.id]:
                    continue
                problems.append(
                    Problem(
                        module.folder / "module.yml",
                        "eindtermen",
                        f"'{tag}' is een doel voor {goal.get('audience')} "
                        f"({goal.get('level')}), maar de leerpaden met deze module zijn voor "
                        f"{', '.join(sorted(audiences[module.id]))}.",
                        "geef alleen doelen van de doelgroep van een leerpad waarin de module "
                        "staat (zie courses/frameworks/eindtermen-digitale-competentie.yml), "
                        "of laat de lijst leeg: eindtermen: [].",
                        warning=True,
                    )
                )
        return problems

    def path_steps(self, learning_path: LearningPath) -> list[dict]:
        """Steps of a path: the step's fields plus 'module' (the Module, or None while it is
        planned) and 'planned' (its planned fields: title, duration, digcompedu, ...)."""
        planned = learning_path.planned
        steps = []
        for step in learning_path.steps:
            module = self.modules.get(step.get("id"))
            info = {} if module else planned.get(step.get("id"), {})
            steps.append({**info, **step, "module": module, "planned": info})
        return steps


def unknown_fields(path: Path, data: dict, known, where="") -> list[Problem]:
    """A field leerpad does not read is a typo that would silently do nothing (a 'titel:'
    beside no 'title:', an 'app: flase' spelled 'ap:'): an error with its line and a hint."""
    from leerpad.authoring import did_you_mean

    problems = []
    for key in data:
        if isinstance(key, str) and key in known:
            continue
        dutch = DUTCH_FIELDS.get(str(key).lower())
        hint = f"bedoelde je '{dutch}'? " if dutch in known else did_you_mean(key, known)
        line = _key_line(path, str(key))
        problems.append(
            Problem(
                path,
                f"{key} (regel {line})" if line else str(key),
                f"onbekend veld '{key}'{where}; leerpad leest het niet.",
                f"{hint}de velden hier zijn: {', '.join(known)}.",
            )
        )
    return problems


MAX_TITLE = 200  # characters: a title, not a text (the longest real one has 66)


def check_text_fields(path: Path, meta: dict, names) -> list[Problem]:
    """Text that learners read holds no invisible characters (a right-to-left override
    that turns 'gnp.exe' into 'exe.png', a zero-width space), and a title stays a title."""
    from leerpad.authoring import invisible_character

    problems = []
    for name in names:
        values = meta.get(name) if isinstance(meta.get(name), list) else [meta.get(name)]
        texts = [v.get("name") if isinstance(v, dict) else v for v in values]
        for text in (t for t in texts if isinstance(t, str)):
            hidden = invisible_character(text)
            if hidden:
                problems.append(
                    Problem(
                        path,
                        name,
                        f"bevat een onzichtbaar teken (U+{ord(hidden):04X}, "
                        f"{unicodedata.name(hidden, 'zonder naam')}).",
                        "typ de tekst opnieuw, of plak hem als platte tekst (zonder opmaak).",
                    )
                )
        title = meta.get("title")
        if name == "title" and isinstance(title, str) and len(title) > MAX_TITLE:
            problems.append(
                Problem(
                    path,
                    name,
                    f"de titel is {len(title)} tekens lang (hoogstens {MAX_TITLE}).",
                    "kort de titel in; wat meer uitleg vraagt, hoort in summary of description.",
                )
            )
    return problems


def _key_line(path: Path, key: str) -> int:
    """The first line of a YAML file where `key:` is written (block or flow style)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0
    match = re.search(rf"(?:^|[\s{{,-])[\"']?{re.escape(key)}[\"']?[ \t]*:", text, re.M)
    return text.count("\n", 0, match.end()) + 1 if match else 0


def check_audience(path: Path, audience, frameworks: Frameworks) -> list[Problem]:
    values = audience if isinstance(audience, list) else [audience] if audience else []
    return [
        Problem(
            path,
            "audience",
            f"'{value}' is onbekend.",
            "kies een doelgroep uit " + ", ".join(sorted(frameworks.audiences)) + ".",
        )
        for value in values
        if str(value) not in frameworks.audiences
    ]


def check_course_meta(path: Path, meta: dict, frameworks: Frameworks) -> list[Problem]:
    problems = [
        Problem(path, name, "ontbreekt.", f"voeg '{name}:' toe aan course.yml.")
        for name in ("id", "title", "description")
        if not meta.get(name)
    ]
    problems += unknown_fields(path, meta, COURSE_FIELDS)
    problems += check_text_fields(path, meta, ("title", "description"))
    if meta.get("id") and meta["id"] != path.parent.name:
        problems.append(
            Problem(
                path,
                "id",
                f"de id '{meta['id']}' verschilt van de mapnaam '{path.parent.name}'.",
                f"hernoem de map naar {meta['id']} of pas de id aan.",
            )
        )
    return problems + check_audience(path, meta.get("audience"), frameworks)


PLANNED_FIELDS = {"id": str, "title": str, "duration": int, "digcompedu": list}


def check_planned(path: Path, entry: dict, frameworks: Frameworks) -> list[Problem]:
    """A planned module in a path file: enough to show it as 'nog in voorbereiding'."""
    place = f"gepland '{entry.get('id')}'"
    problems = []
    for name, kind in PLANNED_FIELDS.items():
        if not isinstance(entry.get(name), kind) or entry.get(name) in ("", []):
            problems.append(
                Problem(
                    path,
                    f"{place}: {name}",
                    "ontbreekt of heeft het verkeerde type.",
                    f"geef een geplande module '{name}:' ({kind.__name__}).",
                )
            )
    if isinstance(entry.get("duration"), int) and not 10 <= entry["duration"] <= 240:
        problems.append(
            Problem(
                path,
                f"{place}: duration",
                f"{entry['duration']} minuten is ongewoon.",
                "een module duurt 30 tot 90 minuten.",
            )
        )
    if isinstance(entry.get("id"), str) and not ID.match(entry["id"]):
        problems.append(
            Problem(
                path, f"{place}: id", "geen geldige id.", "gebruik kleine letters, cijfers en '-'."
            )
        )
    for name, known in (
        ("digcompedu", frameworks.digcompedu),
        ("eindtermen", frameworks.eindtermen),
    ):
        values = entry.get(name) or []
        for value in values if isinstance(values, list) else [values]:
            if str(value) not in known:
                problems.append(Problem(path, f"{place}: {name}", f"'{value}' is onbekend."))
    return problems


REVIEW_YEARS = 3


def check_module_meta(path: Path, meta: dict, frameworks: Frameworks) -> list[Problem]:
    problems = unknown_fields(path, meta, (*MODULE_FIELDS, *MODULE_OPTIONAL))
    problems += check_text_fields(path, meta, ("title", "summary", "goals", "authors"))
    for name in MODULE_OPTIONAL:
        if name in meta and not isinstance(meta[name], bool):
            problems.append(
                Problem(
                    path,
                    name,
                    f"moet true of false zijn, niet {meta[name]!r}.",
                    f"schrijf {name}: true of {name}: false (zonder aanhalingstekens).",
                )
            )
    for name, kind in MODULE_FIELDS.items():
        # eindtermen: [] is an answer too: no goal of its paths' teachers fits the module
        if (
            name not in meta
            or meta[name] in (None, "")
            or (meta[name] == [] and name != "eindtermen")
        ):
            problems.append(
                Problem(path, name, "ontbreekt.", f"voeg '{name}:' toe aan module.yml.")
            )
        elif not isinstance(meta[name], kind):
            problems.append(
                Problem(
                    path,
                    name,
                    f"moet {kind.__name__} zijn, niet {type(meta[name]).__name__}.",
                    TYPE_FIXES[kind],
                )
            )
    if isinstance(meta.get("id"), str) and not ID.match(meta["id"]):
        problems.append(
            Problem(
                path,
                "id",
                f"'{meta['id']}' is geen geldige id.",
                "gebruik kleine letters, cijfers en '-'.",
            )
        )
    if isinstance(meta.get("duration"), int) and not 10 <= meta["duration"] <= 240:
        problems.append(
            Problem(
                path,
                "duration",
                f"{meta['duration']} minuten is ongewoon.",
                "een module duurt 30 tot 90 minuten.",
            )
        )
    checks = [
        ("digcompedu", frameworks.digcompedu, 'een DigCompEdu-competentie zoals "6.5"'),
        ("eindtermen", frameworks.eindtermen, 'een eindterm zoals "4.4"'),
        ("audience", frameworks.audiences, "een doelgroep uit courses/frameworks/topics.yml"),
        ("topics", frameworks.topics, "een onderwerp uit courses/frameworks/topics.yml"),
    ]
    for name, known, fix in checks:
        values = meta.get(name) if isinstance(meta.get(name), list) else []
        for value in values:
            if str(value) not in known:
                problems.append(Problem(path, name, f"'{value}' is onbekend.", f"kies {fix}."))
    if meta.get("licence") and meta["licence"] not in LICENCES:
        problems.append(
            Problem(
                path,
                "licence",
                f"'{meta['licence']}' is geen open licentie.",
                f"kies uit {', '.join(sorted(LICENCES))}.",
            )
        )
    if meta.get("level") and meta["level"] not in LEVELS:
        problems.append(
            Problem(
                path,
                "level",
                f"'{meta['level']}' is geen DigCompEdu-niveau.",
                "kies A1, A2, B1, B2, C1 of C2.",
            )
        )
    reviewed = meta.get("last_reviewed")
    if isinstance(reviewed, dt.date):
        today = dt.date.today()
        if reviewed > today:
            problems.append(
                Problem(
                    path,
                    "last_reviewed",
                    f"{reviewed} ligt in de toekomst.",
                    f"schrijf de datum van je laatste nazicht, uiterlijk {today}.",
                )
            )
        elif (today - reviewed).days > 365 * REVIEW_YEARS:
            problems.append(
                Problem(
                    path,
                    "last_reviewed",
                    f"de module is sinds {reviewed} niet meer nagekeken "
                    f"(meer dan {REVIEW_YEARS} jaar).",
                    "kijk de module na en zet de datum van vandaag.",
                )
            )
    goals = meta.get("goals") if isinstance(meta.get("goals"), list) else []
    for i, goal in enumerate(goals):
        if not isinstance(goal, str) or not goal.strip():
            problems.append(
                Problem(
                    path,
                    f"goals[{i + 1}]",
                    "een leerdoel moet een zin zijn.",
                    "schrijf '- Je ...' met een zin per doel.",
                )
            )
    authors = meta.get("authors") if isinstance(meta.get("authors"), list) else []
    for i, author in enumerate(authors):
        if not isinstance(author, dict) or not author.get("name"):
            problems.append(
                Problem(
                    path,
                    f"authors[{i + 1}]",
                    "een auteur heeft een naam nodig.",
                    "schrijf '- name: Voornaam Naam'.",
                )
            )
        else:
            problems += unknown_fields(path, author, AUTHOR_FIELDS, f" bij auteur {i + 1}")
    return problems
