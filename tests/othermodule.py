"""A helper in another module, with a global of its own (tests/test_language.py)."""
import numpy as onp  # not `np`: generated code must still find this module's names

SCALE = 1.5


def scaled_sine(a):
    return onp.sin(a) * SCALE
