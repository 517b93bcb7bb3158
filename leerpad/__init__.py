"""leerpad: courseware and learning paths on the Jupyter stack.

Subpackages live in their own top-level folders: ``leerpad.widgets`` (``widgets/``),
``leerpad.grading`` (``grading/``), ``leerpad.site`` (``site/generator/``). This core package
holds the catalogue, authoring, the command line and the platform launcher.
"""

import importlib.util
import sys
from pathlib import Path

__version__ = "0.1.0"

_ROOT = Path(__file__).resolve().parent.parent
_FOLDERS = {
    "leerpad.widgets": "widgets",
    "leerpad.grading": "grading",
    "leerpad.site": "site/generator",
}


class _SourceTreeFinder:
    """pyproject's package-dir mapping, for when a checkout itself is on sys.path
    (``python -m`` from the repository root puts ``leerpad/`` before the installed finder)."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        folder = _FOLDERS.get(fullname)
        if folder and (_ROOT / folder / "__init__.py").exists():
            return importlib.util.spec_from_file_location(
                fullname,
                _ROOT / folder / "__init__.py",
                submodule_search_locations=[str(_ROOT / folder)],
            )
        return None


if not any(isinstance(f, _SourceTreeFinder) for f in sys.meta_path):
    sys.meta_path.append(_SourceTreeFinder)
