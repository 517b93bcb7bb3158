"""A cohort is one nbgrader course: its own folder, configuration, gradebook and roster."""

import csv
import json
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from leerpad.grading.identity import (
    DEFAULT_DAYS,
    class_query,
    new_pseudonyms,
    normalize_learner,
    personal_query,
    pseudonym_code,
    rotate_secret,
)
from leerpad.widgets.store import COHORT_PATTERN, write_json_atomic

from leerpad.paths import cohorts_dir, exchange_dir

CONFIG = """# Written by leerpad; change it with `leerpad cohort create`.
from leerpad.grading.nbgrader_config import configure

configure(get_config(), cohort_dir={cohort_dir!r}, course_id={course_id!r},
          exchange={exchange!r}, db_url={db_url!r})
"""


LOCAL_TIME = ZoneInfo("Europe/Brussels")
ALL_MODULES = "*"


class CohortError(ValueError):
    pass


def parse_deadline(text: str) -> datetime:
    """'2026-12-01' (end of that day), '2026-12-01 18:00' or '2026-12-01T18:00', Belgian time
    unless an offset is given. Returns an aware datetime."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CohortError(
            f"'{text}' is geen datum: schrijf bv. 2026-12-01 of 2026-12-01T18:00."
        ) from None
    if len(text.strip()) == 10:
        when = datetime.combine(when.date(), time(23, 59, 59))
    return when if when.tzinfo else when.replace(tzinfo=LOCAL_TIME)


def parse_deadline_option(option: str) -> tuple[str, datetime]:
    """'[MODULE=]WHEN' -> (module or '*', when)."""
    module, sep, when = option.rpartition("=")
    return (module if sep else ALL_MODULES), parse_deadline(when)


def show_time(when: datetime) -> str:
    """A deadline as a Flemish reader expects it: 1/12/2026 om 18:00."""
    local = when.astimezone(LOCAL_TIME)
    return f"{local.day}/{local.month}/{local.year} om {local:%H:%M}"


class Cohort:
    def __init__(self, name: str, root: Path | None = None):
        if not COHORT_PATTERN.match(name):
            raise CohortError(
                f"'{name}' is geen geldige cohortnaam. Oplossing: kies 2 tot 41 tekens: kleine "
                "letters, cijfers en '-', bv. school-2026."
            )
        self.name = name
        self.dir = (root or cohorts_dir()) / name

    @property
    def keys_dir(self) -> Path:
        return self.dir / "keys"

    @property
    def release_dir(self) -> Path:
        return self.dir / "release"

    @classmethod
    def at(cls, folder) -> "Cohort":
        """The cohort in this folder (the apps know their cohort by its folder)."""
        folder = Path(folder)
        return cls(folder.name, folder.parent)

    @property
    def settings(self) -> dict:
        path = self.dir / "cohort.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def update_settings(self, **changes) -> dict:
        settings = {**self.settings, **changes}
        write_json_atomic(self.dir / "cohort.json", settings)
        return settings

    @property
    def roster(self) -> list[str]:
        """Learner ids with a personal link; nobody else may hand in under these names."""
        return self.settings.get("roster", [])

    @property
    def pseudonyms(self) -> list[str]:
        """The class list: pseudonyms pupils hand in under, with no personal data."""
        return self.settings.get("pseudonyms", [])

    @property
    def is_open(self) -> bool:
        """Whether a learner without a link may hand in under a name of their own: when the
        cohort has no roster (no personal links), or the trainer made it open."""
        return bool(self.settings.get("open")) or not self.roster

    @property
    def link_days(self) -> int:
        """How long new links stay valid, in days."""
        return int(self.settings.get("link_days") or DEFAULT_DAYS)

    def pseudonym_codes(self) -> dict[str, str]:
        """Each pseudonym with the code the pupil gets with it."""
        return {name: pseudonym_code(self.dir, name) for name in self.pseudonyms}

    def rotate_secret(self) -> None:
        """A new secret: all links and pseudonym codes made before stop working."""
        rotate_secret(self.dir)

    def deadline(self, module: str) -> datetime | None:
        deadlines = self.settings.get("deadlines", {})
        text = deadlines.get(module) or deadlines.get(ALL_MODULES)
        return datetime.fromisoformat(text) if text else None

    def is_late(self, module: str, when: datetime) -> bool:
        deadline = self.deadline(module)
        return deadline is not None and when > deadline

    def path_modules(self, path_id: str | None = None) -> list[str]:
        """Module ids of the cohort's learning path, in order (all modules without a path)."""
        from leerpad.catalogue import Catalogue

        catalogue = Catalogue()
        path_id = self.settings.get("path") if path_id is None else path_id
        if not path_id:
            return list(catalogue.modules)
        for learning_path in catalogue.paths:
            if learning_path.id == path_id:
                return [s["id"] for s in catalogue.path_steps(learning_path) if s["module"]]
        known = ", ".join(p.id for p in catalogue.paths) or "(geen)"
        raise CohortError(
            f"Leerpad '{path_id}' bestaat niet in {catalogue.root / 'paths'}. "
            f"Kies een van: {known}."
        )

    def set_deadlines(self, deadlines: dict[str, datetime]) -> None:
        from leerpad.catalogue import Catalogue

        unknown = sorted(set(deadlines) - {ALL_MODULES} - set(Catalogue().modules))
        if unknown:
            raise CohortError(
                f"--deadline: module '{unknown[0]}' bestaat niet. Gebruik de id van een module, "
                "bv. ct-01-algoritme=2026-12-01, of laat 'MODULE=' weg voor alle modules."
            )
        stored = dict(self.settings.get("deadlines", {}))
        stored.update({module: when.isoformat() for module, when in deadlines.items()})
        self.update_settings(deadlines=stored)
        self.sync_deadlines()

    def sync_deadlines(self) -> None:
        """Write the deadlines into the gradebook as nbgrader due dates, so that nbgrader's
        own late-submission handling marks late hand-ins."""
        deadlines = self.settings.get("deadlines", {})
        if not deadlines:
            return
        modules = set(self.path_modules()) | set(deadlines) - {ALL_MODULES}
        with self.gradebook() as gb:
            modules |= {a.name for a in gb.assignments}
            for module in sorted(modules):
                when = self.deadline(module)
                if when:
                    gb.update_or_create_assignment(module, duedate=when.astimezone(UTC))

    def exists(self) -> bool:
        return (self.dir / "nbgrader_config.py").exists()

    def create(self, path_id: str = "", db_url: str = "", open_: bool | None = None) -> "Cohort":
        """Make the cohort, or change its path or gradebook; the roster and links stay.
        `open_`: whether names without a link may hand in (None leaves it as it was)."""
        if path_id:
            self.path_modules(path_id)  # an unknown path stops here, with the known ones
        self.dir.mkdir(parents=True, exist_ok=True)
        db_url = db_url or self.settings.get("db_url") or f"sqlite:///{self.dir / 'gradebook.db'}"
        config = CONFIG.format(
            cohort_dir=str(self.dir),
            course_id=self.name,
            exchange=str(exchange_dir()),
            db_url=db_url,
        )
        (self.dir / "nbgrader_config.py").write_text(config)
        self.update_settings(name=self.name, path=path_id or self.settings.get("path", ""))
        self.update_settings(db_url=db_url)
        if open_ is not None:
            self.update_settings(open=open_)
        exchange_dir().mkdir(parents=True, exist_ok=True)
        exchange_dir().chmod(0o777)
        return self

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.settings["db_url"], course_id=self.name)

    def import_roster(self, csv_path: Path) -> list[str]:
        """Add learners from a CSV with a column 'id' or 'naam' (and optional first/last names)."""
        added = []
        if not Path(csv_path).is_file():
            raise CohortError(f"{csv_path}: bestand niet gevonden. Geef het pad van een CSV.")
        with open(csv_path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        for n, row in enumerate(rows, 2):
            raw = row.get("id") or row.get("naam") or ""
            learner = normalize_learner(raw)
            if not learner:
                raise CohortError(
                    f"{csv_path}:{n}: geen bruikbare id of naam in '{raw}'. Zorg voor een "
                    "kolom 'id' of 'naam' in de eerste regel en een waarde op elke regel."
                )
            added.append(learner)
        with self.gradebook() as gb:
            for learner, row in zip(added, rows, strict=True):
                gb.update_or_create_student(
                    learner,
                    first_name=row.get("voornaam") or None,
                    last_name=row.get("achternaam") or None,
                )
        self.update_settings(roster=sorted(set(self.roster) | set(added)))
        return added

    def personal_links(self, apps_url: str, site_url: str | None = None) -> list[dict]:
        """One row per participant: id, a signed link to the learning path on the site
        (where the learner's graded results show), then a signed app link per module."""
        modules = self.path_modules()
        path_id = self.settings.get("path")
        page = f"paden/{path_id}/" if path_id else ""
        rows = []
        for learner in self.roster:
            query = personal_query(self.dir, learner, self.link_days)
            row = {"id": learner}
            if site_url:
                row["leerpad"] = f"{site_url.rstrip('/')}/{page}?cohort={self.name}&{query}"
            for module in modules:
                row[module] = f"{app_url(apps_url, module)}?{query}"
            rows.append(row)
        return rows

    def add_pseudonyms(self, count: int) -> list[str]:
        """Add `count` pseudonyms to the class list; the ones already handed out stay valid."""
        fresh = new_pseudonyms(count, taken=self.pseudonyms + self.roster)
        self.update_settings(pseudonyms=self.pseudonyms + fresh)
        return fresh

    def class_links(self, apps_url: str) -> dict[str, str]:
        query = class_query(self.dir, self.link_days)
        return {module: f"{app_url(apps_url, module)}?{query}" for module in self.path_modules()}


def app_url(apps_url: str, module: str) -> str:
    return f"{apps_url.rstrip('/')}/voila/render/{module}/{module}.ipynb"
