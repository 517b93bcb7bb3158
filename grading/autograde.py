"""Autograde a hand-in and produce its feedback: the grading engine, for one hand-in."""

from leerpad.grading.engine import grade_one

__all__ = ["grade_one"]
