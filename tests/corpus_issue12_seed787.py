"""The differential tester's seed 787 (hazards "all"), pinned: the second call of its gradient (code
for known shapes) raised UnboundLocalError when adjoint arithmetic was new (transforms/algebra.py):
an adjoint assigned before an `if` that may assign it again was taken as dead. Checked by
tests/test_algebra.py."""

import math

import numpy as np


def h1(a, b):
    v0 = math.exp(np.tanh(math.exp(np.sin(1.5))))
    v0 = np.tanh(np.cos(b))
    return (v0) * 0.5


def h2(a, b):
    z0 = np.zeros(3)
    z0[-1] = np.cos(a / 0.5)
    z0[2] = 0.5 ** 2
    z0[:-1] *= 1.5
    v0 = (2.0 if np.maximum(z0[0], b) > math.exp(np.tanh(b)) else (-0.3) ** 3)
    k0 = 0
    while k0 < 2 and np.tanh(b) > np.mean(z0 - a):
        k0 += 1
        v0 = 0.5
        v0 *= np.cos((z0[k0 % 3] - 2.0) / (np.sin(a) * np.sin(a) + 1.0))
    return v0


def f(x, y, n):
    for i0, (e0, e1) in enumerate(zip(y, y)):
        hd0 = {"a": ((n * y) * 1.0)}
        hd0["a"] = hd0["a"] * 2.0
        hd0["k"] = math.sin(e1)
        hr0 = hd0["k"] * np.sum(hd0["a"])
        hr0 = np.tanh(hr0)
    v0 = h2(2.0, np.mean(y))
    if n % 2 == 0 and np.sum(x + 0.5) < h1(x * (-0.3), v0):
        v0 = (np.exp(np.cos(np.maximum(0.5, 1.5))) if n > 2 else np.log(2.0 * 2.0 + 1.0))
        hq0 = lambda u: u * u
        hr1 = math.cos(y[n % 3] * n) * 1.0
        if hq0(math.cos(h1(x - v0, 2.0))) > 0.25:
            hr1 = hr1 + math.cos(h1(x - v0, 2.0))
        v1 = h1(x * h2(hr1, y[n % 3]), np.mean(y))
    return np.mean(y) - v0
