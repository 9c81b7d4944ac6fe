"""The differential tester's seed 1511 (deep profile), pinned: a silently wrong gradient. A `range`
loop that overwrites an element at its index (`z0[i] = v`) and whose adjoints read the whole array
restored the overwritten element at the index of the last trip: its backward loop counted trips
(`for _ in range(_trips1)`) without setting the index again, because the restores that read the
index were placed after that choice was made. Checked by tests/test_inplace.py."""

import numpy as np


def r(a, d):
    if d <= 0:
        return a
    return r(np.sin(a) * 1.1, d - 1)


def f(x, y, n):   # as the tester wrote it
    v0 = (-0.5) + np.exp(np.cos(n))
    x = np.exp(np.tanh(x))
    v1, v2 = np.tanh(y), np.tanh(y)
    v0 += y
    if np.sum(x + y) > 0.0 or np.sum(r(y, 1)) > 0.0:
        z0 = np.zeros(3)
        for i0 in range(3):
            v1 = np.tanh(y)
            z0[i0] = 0.5
            for i1 in range(3):
                z0[i1] = np.exp(np.tanh(i0))
                v2 *= np.tanh(z0 * ((x + v0[n % 3]) + np.maximum(n, y[i1 % 3])))
        w0 = y
        w1 = y
    elif 0.5 / 1.5 > 0.0 or np.sum(y) > x:
        w2 = y
        w3 = y
    else:
        w4 = y
    return np.sum(v1) + np.sum(v2) + np.sum(v0)


def one_loop(x, y):   # the smallest: one write per trip, the array read whole after it
    v = np.tanh(y)
    z = np.zeros(3)
    for i in range(3):
        z[i] = 2.0
        v = v * np.tanh(z * x)
    return np.sum(v)


def nested(x, y):   # the inner loop's index
    v = y * 1.0
    z = np.zeros(3)
    for i in range(2):
        for j in range(2):
            z[j] = 1.5 + i
            v = v * (z * x)
    return np.sum(v)


def two_writes(x, y):   # two writes of one element per trip
    v = y * 1.0
    z = np.zeros(3)
    for i in range(2):
        z[i] = 0.5
        v = v * (z * x)
        z[i] = 1.5
        v = v * (z * x)
    return np.sum(v)
