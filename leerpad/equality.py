"""Equality that learner objects cannot fake.

``assert f(x) == y`` calls ``f(x).__eq__``: an object of the learner's whose ``__eq__``
always answers True passes every such test. ``gelijk`` looks at the kind of value first
(a number, a text, a list, ...) and compares only plain Python values, so only the right
answer passes. ``bijna_gelijk`` does the same for a number with a margin.

This file imports nothing: the code-exercise runner includes its text as it is (the runner
is a fresh ``python -I`` in the sandbox that does not import leerpad).
"""

NUMBERS = (int, float)
PLAIN_KEYS = (int, float, str, bool, type(None), tuple, frozenset, bytes)


def gelijk(value, expected) -> bool:
    """``value == expected``, and of the same kind: a number (int or float, not bool), a
    bool, a text, None, or a list, tuple, dict or set of such values."""
    kind = type(expected)
    if kind is bool or type(value) is bool:
        return type(value) is kind and value is expected
    if kind in NUMBERS:
        return type(value) in NUMBERS and value == expected
    if kind in (list, tuple):
        return (
            type(value) is kind
            and len(value) == len(expected)
            and all(gelijk(v, e) for v, e in zip(value, expected, strict=True))
        )
    if kind is dict:
        if type(value) is not dict or not all(type(k) in PLAIN_KEYS for k in value):
            return False
        return set(value) == set(expected) and all(gelijk(value[k], expected[k]) for k in value)
    if kind in (set, frozenset):
        return (
            type(value) is kind
            and all(type(v) in PLAIN_KEYS for v in value)
            and set(value) == set(expected)
        )
    return type(value) is kind and value == expected


def bijna_gelijk(value, expected, marge=1e-9) -> bool:
    """A number within `marge` of `expected` (for results of a division)."""
    return type(value) in NUMBERS and type(expected) in NUMBERS and abs(value - expected) <= marge
