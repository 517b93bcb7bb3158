"""Run one nbgrader command for a cohort, as nbgrader's own command line does."""

import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    pass


def run_nbgrader(cohort_dir: Path, *args: str, env: dict | None = None, timeout=600) -> str:
    environment = {**os.environ, "LEERPAD_KEYS": str(Path(cohort_dir) / "keys"), **(env or {})}
    environment.pop("LEERPAD_ANSWERS", None)
    environment.pop("LEERPAD_COHORT", None)
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
