"""Runtime helpers written so that every array library, and Numba, runs them as they are.

`s2s.runtime` exports them (it imports them from here; `s2s.standalone` copies them as it copies
its own). They live in a module of their own because `s2s.jit` compiles a function of any module
but `s2s.runtime` as the plain function it is: these need no compiled form of their own.
"""
import numpy as np

from .errors import S2SError


class ForeignArrayError(S2SError, TypeError):
    """A helper met an array of another library (dask, CuPy) where that library cannot compute as NumPy
    would: dask adds at repeated indices in no way, and its np.linalg.cholesky gives the upper factor.
    Also a `TypeError`."""


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


def lower_factor(L):
    """`L`, the lower triangular factor `np.linalg.cholesky` gave, which its rule reads. dask's
    np.linalg.cholesky gives the upper one (`dask.array.linalg.cholesky(a, lower=False)`): on a dask
    array (`__dask_graph__`, dask's protocol) this raises `ForeignArrayError`, where a derivative
    written for NumPy's factor would be wrong."""
    if hasattr(L, "__dask_graph__"):
        raise ForeignArrayError("lower_factor: np.linalg.cholesky of a dask array gives the upper triangular "
                                "factor (NumPy's gives the lower one), so s2s cannot differentiate it with "
                                "NumPy's rule: compute the factor in NumPy, or differentiate NumPy arrays")
    return L


def checkpoint_every(trips, snapshots=None):
    """How many trips of a checkpointed loop of `trips` trips run between its snapshots: about
    sqrt(trips) (so about sqrt(trips) snapshots) when `snapshots` is None, else few enough that
    at most `snapshots` snapshots are taken (see `s2s.grad`'s `checkpoint`)."""
    if snapshots is None:
        snapshots = 1
        while snapshots * snapshots < trips:
            snapshots += 1
    return max(1, -(-trips // max(1, snapshots)))
