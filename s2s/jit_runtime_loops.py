"""The ranges of checkpointed loops, as Numba compiles them (`s2s.jit`; needs numba): how many trips
run between two snapshots (`checkpoint_every`, as `s2s.runtime` computes it), a part ``r[lo:hi]``
of a range (`range_part`: Numba's ranges take no slices) and a range backwards (`reversed_range`:
Numba's ``reversed`` takes none). As in `s2s.jit_runtime` (which imports this module and exports
its helpers), each has a stub of the same name and signature and a Numba `@overload`.
"""
from __future__ import annotations

from numba import types
from numba.extending import overload

from .jit_runtime import _COMPILED_ONLY


def checkpoint_every(trips, snapshots=None):
    raise NotImplementedError(_COMPILED_ONLY)


def range_part(r, lo, hi):
    """``r[lo:hi]`` of a range `r`."""
    raise NotImplementedError(_COMPILED_ONLY)


def reversed_range(r):
    """``reversed(r)`` of a range `r`, as a range."""
    raise NotImplementedError(_COMPILED_ONLY)


@overload(checkpoint_every)
def _checkpoint_every(trips, snapshots=None):
    if not isinstance(trips, types.Integer):
        return None
    if snapshots is None or isinstance(snapshots, (types.NoneType, types.Omitted)):
        def about_sqrt(trips, snapshots=None):
            k = 1
            while k * k < trips:
                k += 1
            return max(1, -(-trips // k))
        return about_sqrt
    if isinstance(snapshots, types.Integer):
        def at_most(trips, snapshots=None):
            return max(1, -(-trips // max(1, snapshots)))
        return at_most
    return None


@overload(range_part)
def _range_part(r, lo, hi):
    if not (isinstance(r, types.RangeType) and isinstance(lo, types.Integer) and isinstance(hi, types.Integer)):
        return None

    def part(r, lo, hi):   # a slice's bounds as Python takes them: from the end if negative, clipped
        n = len(r)
        lo = min(max(lo + n if lo < 0 else lo, 0), n)
        hi = min(max(hi + n if hi < 0 else hi, 0), n)
        return range(r.start + lo * r.step, r.start + hi * r.step, r.step)
    return part


@overload(reversed_range)
def _reversed_range(r):
    if not isinstance(r, types.RangeType):
        return None
    return lambda r: range(r.start + (len(r) - 1) * r.step, r.start - r.step, -r.step)
