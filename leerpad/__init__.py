"""leerpad: courseware and learning paths on the Jupyter stack.

Subpackages: ``leerpad.widgets`` (folder ``widgets/``), ``leerpad.grading`` (``grading/``),
``leerpad.site`` (``site/generator/``). This core package holds the catalogue, the command
line and the platform launcher.
"""

__version__ = "0.1.0"
