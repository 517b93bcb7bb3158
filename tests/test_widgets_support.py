"""Shared fixtures and checks for the tests of the H5P-like exercise types.

Imported by the other ``test_widgets_*`` files; it holds no tests itself.
"""

import importlib
import json
import re

import ipywidgets as w
import leerpad.widgets as widgets
import pytest
from leerpad.grading.cells import split_keys

session_module = importlib.import_module("leerpad.widgets.session")

MODEL_ID = re.compile(r"IPY_MODEL_[0-9a-f]+")


@pytest.fixture(autouse=True)
def fresh_session(tmp_path, monkeypatch):
    """Every test: an empty answers file in a temporary folder, no key store, no Voilà."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEERPAD_ANSWERS", str(tmp_path / "leerpad-answers.json"))
    for name in ("LEERPAD_KEYS", "VOILA_KERNEL_ID", "VOILA_PREHEAT", "LEERPAD_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(session_module, "_session", None)
    return tmp_path


def _tree(widget):
    yield widget
    for name in ("layout", "style"):
        part = getattr(widget, name, None)
        if isinstance(part, w.Widget):
            yield part
    for child in getattr(widget, "children", ()):
        yield from _tree(child)


def synced_states(widget) -> list[str]:
    """What the browser receives for `widget` and everything inside it, as JSON texts.

    Model ids differ between two builds of the same exercise, so they are blanked.
    """
    states = []
    for part in _tree(widget):
        text = json.dumps(part.get_state(), sort_keys=True, default=lambda b: "<bytes>")
        states.append(MODEL_ID.sub("IPY_MODEL", text))
    return states


def assert_not_synced(widget, secrets):
    """None of the `secrets` appears in any synced state of the widget tree."""
    text = "\n".join(synced_states(widget))
    for secret in secrets:
        assert secret not in text, f"the key leaks to the browser: {secret!r}"


def call_source(cls, kwargs) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"{cls.__name__}({args})\n"


def released(cls, kwargs):
    """Build the exercise as a learner gets it: the notebook source after ``split_keys``.

    Returns (widget, public source, keys).
    """
    source, keys = split_keys(call_source(cls, kwargs))
    widget = eval(source, vars(widgets).copy())  # noqa: S307 - our own generated source
    return widget, source, keys


def assert_key_only_on_server(cls, kwargs, secrets=()):
    """The key is stripped from the source, and the learner's widget is the same with or
    without it: nothing the browser gets depends on the key."""
    author = cls(**kwargs)
    assert author._key is not None
    assert_not_synced(author, secrets)
    learner, source, keys = released(cls, kwargs)
    assert learner._key is None
    assert_not_synced(learner, secrets)
    for name in cls.key_fields:
        if name in kwargs:
            assert f"{name}=" not in source
            assert keys[kwargs["id"]][name] == kwargs[name]
    assert synced_states(author) == synced_states(learner)
    return source
