"""Where things are. Source folders are read-only at run time; everything generated goes to
``build/`` (site) and ``var/`` (cohorts, answers, servers), both ignored by git."""

import os
from pathlib import Path

ROOT = Path(os.environ.get("LEERPAD_ROOT", Path(__file__).resolve().parent.parent))


def courses_dir() -> Path:
    return Path(os.environ.get("LEERPAD_COURSES", ROOT / "courses"))


def frameworks_dir() -> Path:
    return courses_dir() / "frameworks"


def var_dir() -> Path:
    return Path(os.environ.get("LEERPAD_VAR", ROOT / "var"))


def build_dir() -> Path:
    return Path(os.environ.get("LEERPAD_BUILD", ROOT / "build"))


def cohorts_dir() -> Path:
    return var_dir() / "cohorts"


def exchange_dir() -> Path:
    return var_dir() / "exchange"


def data_dir() -> Path:
    """Learner answers kept by the apps, per learner and module."""
    return Path(os.environ.get("LEERPAD_DATA", var_dir() / "data"))
