"""The hazard test's deep run with seed 1506 (checkpointed, hvp), pinned: the generated code
crashed (`TypeError: 'float' object is not subscriptable`). `h1`'s loop, checkpointed, saves its
range for the backward sweep of a call from `f`; forward mode over that sweep takes the range's
tangent (`zeros_like`, 0.0 since seed 1501) and slices it for each segment."""
import math

import numpy as np


def h1(a, b):
    hs0 = [b * 1.0]
    for i0 in range(2):
        if np.mean(np.exp(np.tanh(b))) > np.sum(a / 1.5):
            w1, v0 = -0.3, b / (-0.3)
            b = v0 - b
            continue
        else:
            b = b
            v1, v2 = a / (i0 * i0 + 1.0), np.tanh(np.cos(i0))
        hs0.append(np.cos(v1 + (v1[i0 - 1] + 2.0)))
    w0 = sum(hs0)
    return np.mean(a) + np.sum(b) - np.mean(w0)


def h2(a, b):
    k0 = 0
    while k0 < 2:
        k0 += 2
        v0 = h1(np.minimum(b, a), b * math.exp(np.sin(-0.3)))
        for i0, (e0, e1) in enumerate(zip(b, b)):
            if h1(a - k0, b - 1.5) > 1.5:
                v0 *= math.cos(np.sum(a))
            else:
                v0 += h1(b * a[i0], a)
                break
    return b * 1.5


def f(x, y, n):
    hr0 = max(np.mean(y), np.mean(y)) + np.mean(y) * 0.5
    v0 = h2(y - y, y * np.mean(x + n))
    v1 = h1(x * hr0, y)
    return np.sum(v0) - v1 + hr0


