"""Issue 18: one translation catalogue for the words leerpad says (leerpad/locale/).

Every key the code asks for is in the Dutch catalogue with the context it asks in, and a
translation keeps the placeholders of the Dutch text, so no learner ever meets a KeyError
or an unfilled ``{score}``."""

import ast
import re
import string
from pathlib import Path

import pytest

from leerpad.i18n import LOCALE, catalogue, phrases, t, text

ROOT = Path(__file__).resolve().parent.parent
CODE = [*sorted((ROOT / "widgets").glob("*.py")), *sorted((ROOT / "grading").glob("*.py"))]


def placeholders(message: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(message) if field}


def asked_for(path: Path) -> set[tuple[str | None, str]]:
    """(context, key) of each literal key in `path`: ``t("key")`` and, after
    ``say = phrases("context")``, ``say("key")`` (both keys of ``say("a" if x else "b")``)."""
    tree = ast.parse(path.read_text(), str(path))
    context = None
    for node in tree.body:
        value = getattr(node, "value", None)
        if isinstance(node, ast.Assign) and isinstance(value, ast.Call):
            if getattr(value.func, "id", None) == "phrases":
                context = value.args[0].value
    if context is None and "from .helpers import" in path.read_text():
        context = "exercise"  # helpers' say, imported
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None)
        if name not in ("t", "say"):
            continue
        first = node.args[0]
        keys = [first, first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
        for key in keys:
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.add((None if name == "t" else context, key.value))
    return found


def test_every_key_the_code_asks_for_is_in_the_dutch_catalogue():
    dutch = catalogue("nl")
    asked = set().union(*(asked_for(path) for path in CODE))
    assert len(asked) > 200  # the widgets and grading ask for most of the catalogue
    assert sorted(asked - dutch.keys()) == []


# The page templates ask with t("key") too (leerpad.templating passes t in).
TEMPLATES = sorted(
    path
    for folder in ("site/generator/templates", "grading/templates", "leerpad/page_templates")
    for path in (ROOT / folder).glob("*.j2")
)
TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([^"']+)["']""")


def test_every_key_a_template_asks_for_is_in_the_dutch_catalogue():
    asked = {(None, key) for path in TEMPLATES for key in TEMPLATE_KEY.findall(path.read_text())}
    assert (None, "waiting_for_trainer") in asked  # the report asks; the scan finds it
    assert sorted(asked - catalogue("nl").keys()) == []


@pytest.mark.parametrize("language", sorted(p.name for p in LOCALE.iterdir() if p.is_dir()))
def test_a_translation_keeps_the_placeholders_and_adds_no_keys(language):
    dutch, other = catalogue("nl"), catalogue(language)
    assert other.keys() <= dutch.keys()
    for key, message in other.items():
        assert placeholders(message) == placeholders(dutch[key]), key


def test_a_missing_translation_is_said_in_dutch(monkeypatch):
    say = phrases("robot")
    monkeypatch.setenv("LEERPAD_LANG", "en")
    assert t("check") == "Check"  # the shared words have an English translation
    assert say("crash", cell="B2") == text("robot", "crash", cell="B2")
    assert "B2" in say("crash", cell="B2") and "robot" in say("crash", cell="B2").lower()
    monkeypatch.setenv("LEERPAD_LANG", "xx")  # no such catalogue: Dutch
    assert t("check") == "Controleer"


def test_the_check_finds_a_key_that_is_not_in_the_catalogue(tmp_path):
    """The first test can fail: a widget that asks for a key nobody wrote."""
    widget = tmp_path / "nieuw.py"
    widget.write_text('say = phrases("robot")\nsay("crash", cell="A1")\nsay("vergeten")\n')
    assert asked_for(widget) - catalogue("nl").keys() == {("robot", "vergeten")}
