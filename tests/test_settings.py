"""Configuration in one place: leerpad.settings reads every LEERPAD_* variable and writes
them for child processes; no other module of leerpad names one."""

import ast
from pathlib import Path

import pytest

from leerpad.settings import VARIABLES, Settings, settings, variables

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("leerpad", "grading", "widgets", "site/generator")


def variable_names_in(path: Path) -> list[tuple[int, str]]:
    """(line, name) of each string that is exactly a LEERPAD_* variable name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith("LEERPAD_") and node.value.replace("_", "").isalnum():
                found.append((node.lineno, node.value))
    return found


def test_no_module_but_settings_names_a_variable():
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative == "leerpad/settings.py":
                continue
            offenders += [f"{relative}:{line} {name}" for line, name in variable_names_in(path)]
    assert offenders == [], "lees en schrijf ze via leerpad.settings:\n" + "\n".join(offenders)


def test_the_scan_finds_a_variable_named_in_code(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('import os\nos.environ.get("LEERPAD_KEYS")\n"""uses $LEERPAD_KEYS"""\n')
    assert variable_names_in(probe) == [(2, "LEERPAD_KEYS")]


def test_settings_come_from_the_environment_with_the_layout_as_default(monkeypatch, tmp_path):
    for variable, _ in VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LEERPAD_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("LEERPAD_ZONDER_SANDBOX", "ja")
    current = settings()
    assert current.var == tmp_path / "var"
    assert current.data == tmp_path / "var" / "data"
    assert current.courses == ROOT / "courses"
    assert current.without_sandbox is True and current.debug is False
    assert current.cohort == "" and current.lang == ""


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_a_setting_passed_to_a_child_comes_back_the_same(name):
    value = True if Settings.__dataclass_fields__[name].type is bool else "/tmp/iets"
    environment = variables(**{name: value})
    assert list(environment) == [VARIABLES[name][0]]
    child = Settings.from_environment(environment)
    assert getattr(child, name) == (
        value if isinstance(value, bool) else type(getattr(child, name))(value)
    )
