"""The differential tester's seed 1524 (deep profile), pinned: a crash. Batching the outer products
of a backward loop looked for a `for` loop's iterable on a `while` loop (`transforms.batching`,
rows of an array at the step's index), in the code for known shapes of this checkpointed gradient.
Checked by tests/test_batching.py."""
import math

import numpy as np


def h1(a, b):
    for i0 in range(0, 2, 2):
        k0 = 0
        while k0 < 2 and math.sin(0.5) > 0.5:
            k0 += 2
            v0 = 2.0
        d0 = {"wt": i0 / (-0.3), "bias": (b - i0) - (2.0 + a), "scale": np.cos(a), "lr": math.exp(math.cos(b)) + math.sin(k0)}
    return (a + b) * 0.5


def f(x, y, n):   # as the tester wrote it
    for i0 in range(n):
        z0 = np.zeros(3)
        for i1 in range(3):
            w0 = x
            z0[i1] = z0[i1 - 1] * 0.5 + np.tanh(n)
        w1 = x
        for i2, e0 in enumerate(x):
            v0 = h1(np.sum(x), 0.5)
            w2 = x
    for i3 in range(n):
        v1 = np.exp(np.tanh(n))
        k0 = 0
        while k0 < n:
            k0 += 1
            w3 = x
            x = x * x[n % 3]
    return np.sum(y)


ARGS = (np.array([0.0123, 0.0457, 0.0789]), np.array([0.0234, 0.0568, 0.0891]), 1)
