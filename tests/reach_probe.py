"""A probe that walks the file system and the environment from inside a place where learner
code runs (a learner's JupyterLab kernel, a code exercise's runner, a grading kernel) and
reports what it can reach.

``PROBE`` is plain Python (standard library only) to run there; it prints one line
``LEERPAD-PROBE {json}``. ``targets`` names what must stay out of reach; ``summary`` turns
the report into the lines the tests print (and the architecture page quotes).
"""

import json
from pathlib import Path

MARK = "LEERPAD-PROBE "

PROBE = r"""
import json as _json, os as _os, socket as _socket

def _leerpad_probe(targets, skip, port, limit=20000):
    reached = {}
    for label, path in targets:
        try:
            if _os.path.isdir(path):
                names = sorted(_os.listdir(path))
                reached[label] = "map met %d namen" % len(names)
            else:
                with open(path, "rb") as handle:
                    reached[label] = "%d bytes gelezen" % len(handle.read(1 << 20))
        except OSError:
            reached[label] = None
    # Everything there is, outside the read-only system and Python folders.
    found, seen = [], 0
    for top, folders, files in _os.walk("/"):
        if any(top == s or top.startswith(s.rstrip("/") + "/") for s in skip):
            folders[:] = []
            continue
        for name in files:
            seen += 1
            path = _os.path.join(top, name)
            secret = name in (".leerpad-secret", "token", "gradebook.db")
            secret = secret or (_os.path.basename(top) == "keys" and name.endswith(".json"))
            if not secret and name.endswith((".ipynb", ".md")):
                try:
                    with open(path, "rb") as handle:
                        secret = b"BEGIN " + b"SOLUTION" in handle.read(1 << 18)
                except OSError:
                    pass
            if secret and _os.access(path, _os.R_OK):
                found.append(path)
        if seen > limit:
            break
    try:
        _socket.create_connection(("127.0.0.1", port), timeout=2).close()
        network = True
    except OSError:
        network = False
    report = {
        "uid": _os.getuid(),
        "reached": reached,
        "found": found[:40],
        "walked": seen,
        "env": dict(_os.environ),
        "network": network,
    }
    print("LEERPAD-PROBE " + _json.dumps(report))
"""


def call(targets, skip, port) -> str:
    """The probe and its call, as code to run."""
    return PROBE + f"\n_leerpad_probe({targets!r}, {skip!r}, {port!r})\n"


def targets(var: Path, root: Path, cohort_dir: Path, other: str) -> list:
    """(label, host path) of what no learner code may reach."""
    keys = sorted((cohort_dir / "keys").glob("*.json"))
    sources = sorted((cohort_dir / "source").glob("*/*.ipynb"))
    found = [
        ("sleutelmap", cohort_dir / "keys"),
        ("een sleutelbestand", keys[0] if keys else cohort_dir / "keys" / "x.json"),
        ("puntenboek", cohort_dir / "gradebook.db"),
        ("cohortgeheim (.leerpad-secret)", cohort_dir / ".leerpad-secret"),
        ("bronnotebook (met de oplossingen)", sources[0] if sources else cohort_dir / "source"),
        ("cursusbronnen (courses/)", root / "courses"),
        ("trainertoken", var / "servers" / "trainer" / "token"),
        ("token van de cursisten-Lab", var / "servers" / "learner-lab" / "token"),
        ("inzendingen (submitted/)", cohort_dir / "submitted"),
        ("antwoorden van de apps (data/)", var / "data"),
        ("map van een andere cursist", var / "learners" / other),
        ("logboeken van de servers", var / "logs"),
    ]
    return [(label, str(path)) for label, path in found]


def skipped() -> list[str]:
    """Read-only folders every sandbox shows: the system, Python, leerpad's packages."""
    from leerpad.sandbox import SYSTEM_PATHS, leerpad_package_paths, python_paths

    return ["/proc", "/sys", "/dev", *SYSTEM_PATHS, *python_paths(), *leerpad_package_paths()]


def parse(text: str) -> dict:
    for line in text.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise AssertionError(f"de probe gaf geen verslag:\n{text[-2000:]}")


SECRET_NAMES = ("KEY", "SECRET", "TOKEN", "PASSWORD", "LEERPAD_COHORT", "LEERPAD_DATA")


def leaks(report: dict, secrets: list[str]) -> list[str]:
    """What the probe reached that it should not have: paths, secret values, env names."""
    out = [f"{label}: {what}" for label, what in report["reached"].items() if what]
    out += [f"gevonden: {path}" for path in report["found"]]
    for name, value in report["env"].items():
        if any(word in name.upper() for word in SECRET_NAMES):
            out.append(f"omgevingsvariabele {name}")
        if any(secret and secret in value for secret in secrets):
            out.append(f"geheim in omgevingsvariabele {name}")
    if report["network"]:
        out.append("netwerk: de site van het platform is bereikbaar")
    return out


def summary(boundary: str, report: dict, secrets: list[str]) -> str:
    lines = [f"[{boundary}] uid {report['uid']}, {report['walked']} bestanden bekeken"]
    for label, what in report["reached"].items():
        lines.append(f"  {label}: {what or 'niet bereikbaar'}")
    lines.append(f"  gevoelige bestanden gevonden bij het doorlopen: {len(report['found'])}")
    lines.append(f"  omgeving: {', '.join(sorted(report['env'])) or '(leeg)'}")
    lines.append(f"  netwerk: {'bereikbaar' if report['network'] else 'geen'}")
    problems = leaks(report, secrets)
    lines.append("  BEREIKT: " + "; ".join(problems) if problems else "  niets bereikt")
    return "\n".join(lines)


def host_secrets(var: Path, cohort_dir: Path) -> list[str]:
    """The secret values themselves (tokens, the cohort secret), to look for in the env."""
    paths = [
        var / "servers" / "trainer" / "token",
        var / "servers" / "learner-lab" / "token",
        cohort_dir / ".leerpad-secret",
    ]
    return [p.read_text().strip() for p in paths if p.exists() and p.read_text().strip()]
