"""A cohort is one nbgrader course: its own folder, configuration, gradebook and roster."""

import csv
import json
import re
from pathlib import Path

from leerpad.grading.identity import normalize_learner

from leerpad.paths import cohorts_dir, exchange_dir

CONFIG = """# Written by leerpad; change it with `leerpad cohort create`.
from leerpad.grading.nbgrader_config import configure

configure(get_config(), cohort_dir={cohort_dir!r}, course_id={course_id!r},
          exchange={exchange!r}, db_url={db_url!r})
"""


class CohortError(ValueError):
    pass


class Cohort:
    def __init__(self, name: str, root: Path | None = None):
        if not re.match(r"^[a-z0-9][a-z0-9-]{1,40}$", name):
            raise CohortError(
                f"'{name}' is geen geldige cohortnaam: gebruik kleine letters, cijfers en '-'."
            )
        self.name = name
        self.dir = (root or cohorts_dir()) / name

    @property
    def keys_dir(self) -> Path:
        return self.dir / "keys"

    @property
    def release_dir(self) -> Path:
        return self.dir / "release"

    @property
    def settings(self) -> dict:
        path = self.dir / "cohort.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def exists(self) -> bool:
        return (self.dir / "nbgrader_config.py").exists()

    def create(self, path_id: str = "", db_url: str = "") -> "Cohort":
        self.dir.mkdir(parents=True, exist_ok=True)
        db_url = db_url or f"sqlite:///{self.dir / 'gradebook.db'}"
        config = CONFIG.format(
            cohort_dir=str(self.dir),
            course_id=self.name,
            exchange=str(exchange_dir()),
            db_url=db_url,
        )
        (self.dir / "nbgrader_config.py").write_text(config)
        settings = {**self.settings, "name": self.name, "path": path_id, "db_url": db_url}
        (self.dir / "cohort.json").write_text(json.dumps(settings, indent=1))
        exchange_dir().mkdir(parents=True, exist_ok=True)
        exchange_dir().chmod(0o777)
        return self

    def gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.settings["db_url"], course_id=self.name)

    def import_roster(self, csv_path: Path) -> list[str]:
        """Add learners from a CSV with a column 'id' or 'naam' (and optional first/last names)."""
        added = []
        with open(csv_path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
        for n, row in enumerate(rows, 2):
            raw = row.get("id") or row.get("naam") or ""
            learner = normalize_learner(raw)
            if not learner:
                raise CohortError(f"{csv_path}:{n}: geen bruikbare id of naam in '{raw}'.")
            added.append(learner)
        with self.gradebook() as gb:
            for learner, row in zip(added, rows, strict=True):
                gb.update_or_create_student(
                    learner,
                    first_name=row.get("voornaam") or None,
                    last_name=row.get("achternaam") or None,
                )
        return added
