"""The gallery shows every exercise type leerpad registers, except the AI interactives (shown
in their own gallery and modules), and the texts that count them say the number that is true:
the module, its metadata, the author guide and the README."""

from pathlib import Path

from leerpad.grading.cells import exercise_calls
from leerpad.widgets import TYPES

from leerpad.catalogue import Catalogue

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = Catalogue()
AI = {cls.kind for cls in TYPES.values() if cls.__module__.split(".")[-1].startswith("ai_")}
ALL = {cls.kind for cls in TYPES.values()}


def kinds(module_id: str) -> set[str]:
    """The block types a module uses (a Bebras task counts as bebras, whatever it asks)."""
    cells = CATALOGUE.modules[module_id].notebook.cells
    return {
        cls.kind
        for cell in cells
        if cell.cell_type == "code"
        for _, cls in exercise_calls(cell.source)
    }


def test_the_gallery_shows_every_type_but_the_ai_interactives():
    assert len(ALL) == 30 and len(AI) == 6  # counted from the registry, not guessed
    assert kinds("galerij-oefentypes") == ALL - AI
    assert {"robot", "pixels", "stappenteller", "bebras"} <= kinds("galerij-oefentypes")
    shown_elsewhere = kinds("galerij-ai-interactief")
    named = (CATALOGUE.modules["galerij-oefentypes"].markdown_path).read_text(encoding="utf-8")
    assert all(kind in shown_elsewhere or f"`{kind}`" in named for kind in AI)


def test_the_texts_say_the_true_number():
    shown, total = len(ALL - AI), len(ALL)
    module = CATALOGUE.modules["galerij-oefentypes"]
    text = module.markdown_path.read_text(encoding="utf-8")
    assert f"leerpad kent {total} soorten oefeningen" in text
    assert f"Deze galerij toont er {shown}" in text
    # each type: when to use it, and when to avoid it
    assert text.count("Gebruik het") == text.count("Vermijd") == shown
    assert module.meta["summary"].startswith(f"{shown} soorten")
    assert f"de {shown} oefentypes" in " ".join(module.meta["goals"])
    guide = (ROOT / "site" / "docs" / "gids-auteur.md").read_text(encoding="utf-8")
    assert f"{shown} soorten oefeningen" in guide and f"leerpad kent er {total}" in guide
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"each of {shown} of the {total}" in readme
    for old in ("achttien", "eighteen", "of the 18 exercise"):
        assert old not in text + guide + readme + module.meta["summary"]
