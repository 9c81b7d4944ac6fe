"""The random-forward test's deep run with seed 1406, pinned: s2s refused this program, saying that
`h2` writes into its argument `a` (at `d0["wt"] = a * 1.0`), where the write puts a new value
under a key of `d0`, a dict made in `h2`: it changes the dict, not the array `d0["bias"]` may share
with `a` (tests/test_language.py: the effects analysis, transforms/effects.py, took a key written
into a dict display for a write into what its entries hold)."""

import numpy as np


def h1(a, b):
    v0 = a
    return v0


def h2(a, b):
    d0 = {"wt": b * 1.0, "bias": h1(a, a) * 1.0}
    v2 = a
    d0["wt"] = a * 1.0
    return v2 + np.sum(d0["wt"])


def f(x, y, n):
    v3 = h2(x, x)
    return v3 * y
