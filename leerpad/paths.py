"""Where things are. Source folders are read-only at run time; everything generated goes to
``build/`` (site) and ``var/`` (cohorts, answers, servers), both ignored by git."""

from pathlib import Path

from leerpad.settings import settings

ROOT = settings().root


def courses_dir() -> Path:
    return settings().courses


def frameworks_dir() -> Path:
    return courses_dir() / "frameworks"


def var_dir() -> Path:
    return settings().var


def build_dir() -> Path:
    return settings().build


def cohorts_dir() -> Path:
    return var_dir() / "cohorts"


def exchange_dir() -> Path:
    return var_dir() / "exchange"


def data_dir() -> Path:
    """Learner answers kept by the apps, per learner and module."""
    return settings().data
