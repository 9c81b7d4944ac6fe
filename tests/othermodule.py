"""A helper in another module, with a global of its own (tests/test_language.py)."""
import numpy as onp  # not `np`: generated code must still find this module's names

SCALE = 1.5


def scaled_sine(a):
    return onp.sin(a) * SCALE


def _squash(t):
    return onp.tanh(t) * 0.5


def apply_squashed(f, a):
    return _squash(f(a)) + onp.cos(a)


def apply_scaled(f, a):
    return f(a) * SCALE
