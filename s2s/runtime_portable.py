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


def checkpoint_schedule(trips, snapshots):
    """What the backward pass of a loop checkpointed with at most `snapshots` snapshots does, in
    order: a list of `(action, lo, hi)`. The snapshot of the loop's start is on the stack when it
    begins, and the loop's names hold what they held after its last trip. Actions:

    - "restore": the names take the values of the newest snapshot (it stays);
    - "snapshot": a snapshot of the names is pushed; "drop": the newest snapshot is popped;
    - "advance": trips lo..hi-1 run, recording nothing;
    - "reverse": trips lo..hi-1 run recording, then their adjoints run.

    The schedule is binomial (Griewank's revolve): with s snapshots free and t runs of each trip
    allowed, C(s + t, s) trips can be reversed, so a loop of T trips runs each trip forward about
    t times, where C(s + t, s) >= T, and never holds more than `snapshots` snapshots and one trip's
    records. One snapshot gives T(T+1)/2 trips run: each trip from the start again."""
    actions = [("restore", 0, 0)]
    _binomial_reversal(0, trips, max(0, snapshots - 1), actions)
    return actions


def _binomial_reversal(lo, hi, free, actions):
    """Actions that reverse trips lo..hi-1, the names holding trip lo's values and the newest
    snapshot being theirs, with `free` more snapshots allowed; they end as they began."""
    while hi - lo > 1 and free > 0:
        repeats = 0
        while _binomial(free + repeats, free) < hi - lo:
            repeats += 1
        middle = hi - min(_binomial(free - 1 + repeats, free - 1), hi - lo - 1)
        actions += [("advance", lo, middle), ("snapshot", middle, middle)]
        _binomial_reversal(middle, hi, free - 1, actions)
        actions += [("drop", middle, middle), ("restore", lo, lo)]
        hi = middle
    for j in range(hi - 1, lo - 1, -1):   # no snapshot free (or one trip): from lo each time
        if j > lo:
            actions.append(("advance", lo, j))
        actions.append(("reverse", j, j + 1))
        if j > lo:
            actions.append(("restore", lo, lo))


def _binomial(n, k):
    out = 1
    for j in range(1, k + 1):
        out = out * (n - k + j) // j
    return out
