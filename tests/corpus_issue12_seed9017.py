"""The differential tester's seed 9017 (hazards "all"), pinned: its gradient of a gradient crashed
when index loops (``for i in range(...)``, whose backward loop sets the index again) were new: an
inner loop's index reached the head of the loop around it (transforms/to_record.py). Checked by
tests/test_recompute.py."""

import math

import numpy as np


def h1(a, b):
    k0 = 0
    while k0 < 3:
        k0 += 2
        if not (np.cos(a) > -0.3):
            if not (k0 < 3):
                v0, v1 = -a, 0.5
            elif b - k0 < 0.5 and a / 2.0 < b ** 2:
                v2 = np.maximum(a, a)
                break
            else:
                v1 = 0.5
    return b


def h2(a, b):
    for i0 in range(1, 2):
        w0, v0 = i0, np.tanh(np.log(b * b + 1.0))
    v1 = np.cos(b)
    k0 = 0
    while k0 < 3:
        k0 += 2
        a = math.sin(h1(k0 ** 2, math.sin(v1)))
        v1 = a ** 3
    return v1


def r(a, d):
    if d <= 0:
        return a
    return r(np.sin(a) * 1.1, d - 1)


def f(x, y, n):
    d0 = {"wt": h2(h1(2.0, -0.3), n * 0.5), "bias": np.exp(np.tanh(x ** 3))}
    if r(d0["bias"] * 1.0, n) < -0.3 and np.sin(2.0) > -0.3:
        m0 = np.zeros((2, 3))
        hq0 = lambda u: u * u
        hr0 = math.sin(x) * 1.0
        if hq0(math.exp(np.cos(np.mean(y)))) > 0.25:
            hr0 = hr0 + math.exp(np.cos(np.mean(y)))
        hr0 *= np.minimum(r(m0[n % 2, n % 3] * 1.0, 2), np.log(1.5 * 1.5 + 1.0))
    else:
        if h1(0.5, 2.0) > 0.0:
            for i0, e0 in enumerate(y, 1):
                w0 = np.sin(r(i0, 2))
                k0 = 0
                while k0 < n:
                    k0 += 2
                    hr1 = np.tanh(np.sum(np.abs(((y - d0["bias"]) * 1.0) + 1j)))
                hr2 = np.tanh(np.sum(np.abs((np.exp(np.sin(y)) * 1.0) * (1 + 2j)) ** 2))
            d0["bias"] += np.sin((-0.3 if n > 1 else x))
            v0 = np.maximum(d0["bias"], d0["bias"])
        elif d0["wt"] > -0.3:
            d0["wt"] = np.exp(np.tanh((1.5 if 1.5 < x else x)))
            for i1, e1 in enumerate(y):
                v1 = (h2(0.5, 1.5) if np.log(e1 * e1 + 1.0) > 0.0 else r(i1, n))
                k1 = 0
                while k1 < n and i1 > 1:
                    k1 = k1 + 1
                    t0 = [y[n % 3], np.tanh(y)]
                    v2, v3 = t0
                    d0["bias"] += np.cos(np.maximum(x - d0["wt"], e1 + v2))
                    d0["bias"] = np.tanh(np.sqrt((e1 ** 3) * (e1 ** 3) + 1.0))
        else:
            v0 = np.mean((y * d0["bias"]) - (n + d0["bias"]))
        return np.maximum(1.5 / (-0.3), x + 2.0)
    return np.sum(y) - hr0
