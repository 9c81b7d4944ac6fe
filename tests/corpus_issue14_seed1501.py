"""The random-programs test's deep run with seed 1501, pinned: hvp of a checkpointed gradient
crashed (`TypeError: Cannot interpret 'range(1, 2)' as a data type`) where a helper's loop is
checkpointed: its forward sweep saves the loop's `_range1` for the backward sweep, and forward
mode made that saved value's zero tangent with `zeros_like`, which took a range for an array."""
import math

import numpy as np


def h1(a, b):
    for i0 in range(1, 2):
        a = np.cos(np.where(-b > math.cos(np.mean(a)), -b, math.cos(np.mean(a))))
    v0 = -(a + b)
    a = np.sqrt(v0 * v0 + 1.0)
    b = np.minimum(a / (v0 * v0 + 1.0), np.tanh(b))
    v0 *= math.exp(np.cos(np.sum(np.sqrt(b * b + 1.0))))
    return v0


def h2(a, b):
    w0 = np.sin(a)
    w1 = np.sum(w0)
    return w1


def f(x, y, n):
    hl0 = [x] * 3
    hr0 = sum(hl0)
    w0 = y
    v0 = h1(y * x, y * x)
    v1 = h2(v0 * x, y * x)
    return v1 + hr0
