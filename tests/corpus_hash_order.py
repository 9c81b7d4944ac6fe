"""Random program 85 (tests/proggen.py): a user function returns what may hold copies of two of
its arguments, and an in-place write follows. The checks s2s inserts before that call came in the
order of a set of strings, which differs from process to process (PYTHONHASHSEED): the code s2s
wrote was not the same twice, and `s2s grad --check` could call a committed module out of date.
Pinned by tests/test_deterministic_output.py."""
import math
import numpy as np


def h1(a, b):
    t0 = ((1.5 + (-0.3)) / 0.5, (-a if -a < 0.5 + a else 0.5 + a))
    v0, v1 = t0
    return a + b + v1


def r(a, d):
    if d <= 0:
        return a
    return np.sin(r(a * 0.5, d - 1)) + a


def f(x, y, n):
    v0 = h1(1.5 * y, r(x, 1))
    for i0 in range(0, n, 2):
        v0 *= math.cos((v0 + y) + (y + 1.5))
        t0 = (0.5, i0 ** 2)
        v1, w0 = t0
        m0 = np.ones((2, 3))
        m0[:, -1] = (np.ones(3) - np.cos(v0))[-2:]
    hs0 = [np.ones(3) + 2.0]
    for i1 in range(n):
        hs0.append(np.tanh(np.ones(3) + y))
    w1 = sum(hs0)
    return y - v0 + np.sum(w1)

