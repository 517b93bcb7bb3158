"""Run one nbgrader command for a cohort, as nbgrader's own command line does."""

import os
import subprocess
import sys
from pathlib import Path

from leerpad.settings import APP_ONLY, variables

APP_REQUEST_VARIABLES = {
    *APP_ONLY,
    "QUERY_STRING",
    "SCRIPT_NAME",
    "PATH_INFO",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "SERVER_SOFTWARE",
}


class NbgraderError(RuntimeError):
    pass


def grading_environment(cohort_dir, base: dict | None = None) -> dict:
    """The environment grading kernels run in: the cohort's answer keys, and nothing of an
    app. A hand-in from an app starts grading from inside a Voilà kernel: the grading
    kernel must not believe it is an app too (it would keep answers in memory and grade
    nothing)."""
    environment = {**(os.environ if base is None else base)}
    environment.update(variables(keys=Path(cohort_dir) / "keys"))
    for name in list(environment):
        if name.startswith("VOILA_") or name in APP_REQUEST_VARIABLES:
            del environment[name]
    return environment


def run_nbgrader(cohort_dir: Path, *args: str, env: dict | None = None, timeout=600) -> str:
    environment = {**grading_environment(cohort_dir), **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cohort_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise NbgraderError(f"nbgrader {' '.join(args)} faalde:\n{tail}")
    return proc.stdout + proc.stderr
