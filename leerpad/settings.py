"""leerpad's configuration, in one place.

Every process of the platform (the command, the servers, an app's kernel, a grading
worker) reads its settings here and nowhere else: :func:`settings` gives them, read from
the environment the process was started with. A process that starts another passes them
on explicitly with :func:`variables`, naming only what differs for the child
(``variables(cohort=..., keys=...)``). The table :data:`VARIABLES` is the
whole list: a trainer can set any of them by hand (``LEERPAD_VAR=/srv/leerpad make
start``); ``tests/test_settings.py`` checks that no other module names one.
"""

import functools
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YES = ("1", "ja", "yes", "true")

# field -> (environment variable, what it is)
VARIABLES = {
    "root": ("LEERPAD_ROOT", "de map van leerpad (courses/, var/, build/ staan eronder)"),
    "courses": ("LEERPAD_COURSES", "de cursussen (standaard courses/)"),
    "var": ("LEERPAD_VAR", "wat leerpad bewaart: cohorten, inzendingen, servers (var/)"),
    "build": ("LEERPAD_BUILD", "wat leerpad bouwt: de website (build/)"),
    "data": ("LEERPAD_DATA", "de antwoorden die de apps bewaren (var/data/)"),
    "cohort": ("LEERPAD_COHORT", "de map van het cohort waarvoor een app of verbeteraar werkt"),
    "keys": ("LEERPAD_KEYS", "de antwoordsleutels van dat cohort (alleen op de server)"),
    "answers": ("LEERPAD_ANSWERS", "het antwoordbestand van een notebook in JupyterLab"),
    "module": ("LEERPAD_MODULE", "de module van een app-kernel"),
    "lang": ("LEERPAD_LANG", "de taal van de oefeningen (nl of en)"),
    "site_url": ("LEERPAD_SITE_URL", "het adres van de website, voor links uit de apps"),
    "apps_url": ("LEERPAD_APPS_URL", "het adres van de apps, voor de knoppen op de website"),
    "lab_url": ("LEERPAD_LAB_URL", "het adres van JupyterLab, voor de knoppen op de website"),
    "grading_socket": ("LEERPAD_GRADING_SOCKET", "de socket van de verbeterdienst"),
    "without_sandbox": ("LEERPAD_ZONDER_SANDBOX", "1: leerlingcode zonder bubblewrap"),
    "hub_settings": ("LEERPAD_HUB_SETTINGS", "de instellingen van de hub (leerpad hub)"),
    "debug": ("LEERPAD_DEBUG", "1: toon bij een fout de Python-traceback"),
}
# What an app's kernel has that a grading kernel started from it must not inherit: it
# would believe it is an app too, and learner code has no business with the service.
APP_ONLY = tuple(VARIABLES[name][0] for name in ("cohort", "answers", "grading_socket"))


@dataclass(frozen=True)
class Settings:
    root: Path = ROOT
    courses: Path | None = None
    var: Path | None = None
    build: Path | None = None
    data: Path | None = None
    cohort: str = ""
    keys: str = ""
    answers: str = ""
    module: str = ""
    lang: str = ""
    site_url: str = ""
    apps_url: str = ""
    lab_url: str = ""
    grading_socket: str = ""
    without_sandbox: bool = False
    hub_settings: str = ""
    debug: bool = False

    def __post_init__(self):
        # folders default to the layout under root, as the README describes it
        defaults = {"courses": "courses", "var": "var", "build": "build"}
        for name, folder in defaults.items():
            value = getattr(self, name)
            object.__setattr__(self, name, Path(value) if value else Path(self.root) / folder)
        object.__setattr__(self, "root", Path(self.root))
        object.__setattr__(self, "data", Path(self.data) if self.data else self.var / "data")

    @classmethod
    def from_environment(cls, environ=None) -> "Settings":
        environ = os.environ if environ is None else environ
        values = {}
        for name, (variable, _) in VARIABLES.items():
            raw = environ.get(variable, "")
            if not raw:
                continue
            is_flag = cls.__dataclass_fields__[name].type is bool
            values[name] = raw.strip().lower() in YES if is_flag else raw
        return cls(**values)


def variables(**values) -> dict[str, str]:
    """The environment variables that carry these settings (field=value) to a child
    process: ``variables(cohort=..., keys=...)``; empty values are left out."""
    return {
        VARIABLES[name][0]: ("1" if value else "") if isinstance(value, bool) else str(value)
        for name, value in values.items()
        if value not in (None, "", False)
    }


def variable(name: str) -> str:
    """The environment variable of one setting, for a message that tells a trainer to set it."""
    return VARIABLES[name][0]


def settings() -> Settings:
    """This process's settings (read each time: a test or a command may change them). Built
    once per set of values: the widgets ask for them for every word they say."""
    return _settings_of(tuple((v, os.environ.get(v, "")) for v, _ in VARIABLES.values()))


@functools.lru_cache(maxsize=16)
def _settings_of(values: tuple) -> Settings:
    return Settings.from_environment(dict(values))
