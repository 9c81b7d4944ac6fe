"""The random-programs test's deep run with seed 1504 (checkpointed), pinned: s2s refused this
program, saying that `d0` is modified in place at `d0["bias"] = x * 1.0` while `hs0`, a list
holding `d0["wt"]`, shares its memory and is read later. Replacing an entry of a dict changes
the dict, not what was read from it: the aliasing check took the dict's entries, and what holds
them, for the dict (tests/test_aliasing_soundness.py)."""
import math

import numpy as np


def f(x, y, n):
    d0 = {"wt": x[n % 3] * 1.0, "bias": x * 1.0, "scale": x * 1.0}
    for e0 in x:
        w0 = x
        if np.sum(x) > np.sum(x) and np.sum(x) > np.sum(x):
            for i0 in range(n):
                w1 = x
        else:
            w2 = x
            v0 = (np.sqrt(x * x + 1.0) if np.sum(x) > 0.0 else x * math.sin(np.sum(x)))
            hs0 = [d0["wt"]]
            for i1 in range(n):
                d0["bias"] = x * 1.0
                hs0.append(np.tanh(np.sum(x)))
            w3 = sum(hs0)
    return np.sum(y)
