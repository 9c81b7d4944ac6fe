"""Runtime helpers written so that every array library, and Numba, runs them as they are.

`s2s.runtime` exports them (it imports them from here; `s2s.standalone` copies them as it copies
its own). They live in a module of their own because `s2s.jit` compiles a function of any module
but `s2s.runtime` as the plain function it is: these need no compiled form of their own.
"""
import numpy as np


def size_of(x):
    """`np.size(x)`, the number of entries, from `np.shape(x)`: every array library implements
    `np.shape` (dask does not implement `np.size`, and computes the array to give it)."""
    n = 1
    for k in np.shape(x):
        n *= k
    return n


def select_of(condlist, choicelist, default=0):
    """`np.select(condlist, choicelist, default)` made of `np.where`s (the first condition that holds
    picks its choice), for the rules of np.select: dask names every result of its np.select
    "select", so that two in one graph are taken for one (a derivative would be wrong); every
    library implements np.where in full."""
    out = np.where(condlist[-1], choicelist[-1], default)
    for k in range(len(condlist) - 2, -1, -1):
        out = np.where(condlist[k], choicelist[k], out)
    return out
