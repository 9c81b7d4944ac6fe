"""The differential tester's seed 1547 (deep profile), pinned: a crash at second order.
grad(grad(f)) raised TypeError ('float' object is not iterable) at `dd_hs1 = list(dd__stack.pop())`:
the backward pass of the first gradient's own list `hs1` (built by appends, read by `sum`) made its
cotangent a list wherever the name was read. Checked by tests/test_list_cotangents.py."""
import math

import numpy as np


def h1(a, b):
    tr0 = np.zeros((4, 3))
    tr0[0] = np.ones(3) + (a + b)
    for t0 in range(3):
        r0 = tr0[t0] * 1.0
        tr0[t0 + 1] = r0 + -0.5 * np.tanh(r0 - np.cos(2.0))
    w0 = np.sum(tr0 * tr0)
    v0 = math.exp(np.tanh(w0 / (a * a + 1.0)))
    return v0


def r(a, d):
    if d <= 0:
        return a
    return np.sin(r(a * 0.5, d - 1)) + a


def f(x, y, n):
    v0 = r(x, 1)
    hs0 = [np.ones(3) - np.exp(np.cos(v0))]
    for i0 in range(n):
        v0 *= np.sin((0.5 if n < 3 else v0) * h1(2.0, v0))
        hs1 = [np.ones(3) - v0]
        for i1 in range(n):
            hs1.append(np.tanh(np.ones(3) - v0))
        w1 = sum(hs1)
        hs0.append(np.cos(h1(y, v0) + np.tanh(w1)))
    w0 = sum(hs0)
    hr0 = np.sum((np.log(y * y + 1.0) * 1j).imag)
    return v0 + np.sum(w0) - hr0


ARGS = (0.0135, 0.0246, 1)
