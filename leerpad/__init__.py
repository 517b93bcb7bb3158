"""leerpad: courseware and learning paths on the Jupyter stack.

Subpackages live in their own top-level folders: ``leerpad.widgets`` (``widgets/``),
``leerpad.grading`` (``grading/``), ``leerpad.site`` (``site/generator/``). This core package
holds the catalogue, authoring, the command line and the platform launcher.
"""

__version__ = "0.1.0"
