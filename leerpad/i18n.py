"""The words leerpad says to people, from one gettext catalogue per language.

The catalogues are ``leerpad/locale/<language>/LC_MESSAGES/leerpad.po``: a translator edits
one file with any PO editor, and a new language is a new folder. A message is found by its
context (the exercise type that says it; none for the words every exercise shares) and its
key. Dutch (Flemish usage) is complete; a message another language leaves out is said in
Dutch. ``LEERPAD_LANG`` chooses the language.
"""

import functools
from pathlib import Path

from babel.messages.pofile import read_po

from leerpad.settings import settings

LOCALE = Path(__file__).resolve().parent / "locale"
DEFAULT = "nl"


def catalogue_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "leerpad.po"


@functools.cache
def catalogue(language: str) -> dict[tuple[str | None, str], str]:
    """{(context, key): text} of one language's catalogue (read once per process)."""
    with catalogue_path(language).open("rb") as po:
        return {(m.context, m.id): m.string for m in read_po(po) if m.id and m.string}


def language() -> str:
    chosen = settings().lang or DEFAULT
    return chosen if has_catalogue(chosen) else DEFAULT


@functools.cache
def has_catalogue(language: str) -> bool:
    return catalogue_path(language).is_file()


def text(context: str | None, key: str, /, **values) -> str:
    """The text of `key` in `context`, in the current language, with `values` filled in."""
    found = catalogue(language()).get((context, key)) or catalogue(DEFAULT)[(context, key)]
    return found.format(**values)


def t(key: str, /, **values) -> str:
    """A word every exercise shares (Controleer, Juist!, Inleveren, ...)."""
    return text(None, key, **values)


def phrases(context: str):
    """``say(key, **values)`` for the texts of one exercise type."""
    return functools.partial(text, context)
