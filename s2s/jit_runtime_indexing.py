"""The helpers of indexing, as Numba compiles them (`s2s.jit`; needs numba): the cotangent of
`x[index]` (`unindex`), the functional form of a write `y[index] = v` (`setindex`) and the
cotangent of the values it wrote (`last_write`). As in `s2s.jit_runtime` (which imports this module
and exports its helpers), each has a stub of the same name and signature and a Numba `@overload`
chosen by the argument types: an index of ints and slices, an array of ints of one axis (a
position named twice gets both cotangents, and keeps the last value written), or a boolean mask --
of one axis, as Numba indexes, or of as many axes as the array, through flat views of both, which
read in NumPy's order.
"""
from __future__ import annotations

import numpy as np
from numba import types
from numba.extending import overload

from .jit_runtime import _COMPILED_ONLY, _is_array


def unindex(g, x, index):
    raise NotImplementedError(_COMPILED_ONLY)


def setindex(a, index, v):
    raise NotImplementedError(_COMPILED_ONLY)


def last_write(g, index):
    raise NotImplementedError(_COMPILED_ONLY)


def _plain_index(index):
    """An index Numba reads and writes as NumPy does: an int, a slice, or a tuple of them."""
    if isinstance(index, (types.Integer, types.SliceType)):
        return True
    return isinstance(index, types.BaseTuple) and all(isinstance(t, (types.Integer, types.SliceType))
                                                      for t in index.types)


@overload(unindex)
def _unindex(g, x, index):
    if not _is_array(x):
        return None
    if _is_array(g) and g.ndim == 0:   # (`np.where` of numbers gives one)
        return lambda g, x, index: unindex(g[()], x, index)
    if _plain_index(index):
        def plain(g, x, index):
            out = np.zeros(x.shape)
            out[index] += g
            return out
        return plain
    if isinstance(index, types.Array) and index.ndim == 1 and isinstance(index.dtype, types.Integer):
        def listed(g, x, index):   # a position listed twice gets both entries of g (np.add.at)
            out = np.zeros(x.shape)
            for k in range(index.size):
                out[index[k]] += g[k]
            return out
        return listed
    if _mask(index, x):   # (names no position twice)
        def masked(g, x, index):
            out = np.zeros(x.shape)
            out[index] = g
            return out
        return masked
    if _mask(index, x, flat=True):
        def masked_flat(g, x, index):
            out = np.zeros(x.shape)
            out.reshape(-1)[np.ascontiguousarray(index).reshape(-1)] = g
            return out
        return masked_flat
    return None


def _mask(index, x, flat=False):
    """Is `index` a boolean mask Numba indexes `x` with as NumPy does: of one axis (`flat`: of as
    many axes as `x`, which a flat view of both reads in the same order)?"""
    if not (isinstance(index, types.Array) and isinstance(index.dtype, types.Boolean)):
        return False
    return index.ndim == x.ndim > 1 if flat else index.ndim == 1


@overload(setindex)
def _setindex(a, index, v):
    if not _is_array(a):
        return None
    if _plain_index(index) or _mask(index, a) or isinstance(index, types.Array) and index.ndim == 1 \
            and isinstance(index.dtype, types.Integer):
        def write(a, index, v):
            out = a.astype(np.float64)
            out[index] = v
            return out
        return write
    if _mask(index, a, flat=True):
        def write_flat(a, index, v):
            out = a.astype(np.float64)   # (a new array: its flat view writes into it)
            out.reshape(-1)[np.ascontiguousarray(index).reshape(-1)] = v
            return out
        return write_flat
    return None


@overload(last_write)
def _last_write(g, index):
    if not _is_array(g):
        return None
    if _plain_index(index):
        return lambda g, index: g[index]
    if isinstance(index, types.Array) and index.ndim == 1 and isinstance(index.dtype, types.Integer) \
            and g.ndim == 1:
        def last(g, index):   # a position written twice keeps the last value: the earlier writes get 0
            writer = np.full(g.shape[0], -1)
            for k in range(index.size):
                writer[index[k]] = k
            out = np.zeros(index.size)
            for k in range(index.size):
                if writer[index[k]] == k:
                    out[k] = g[index[k]]
            return out
        return last
    if _mask(index, g):   # (names no position twice)
        return lambda g, index: g[index]
    if _mask(index, g, flat=True):
        return lambda g, index: np.ascontiguousarray(g).reshape(-1)[np.ascontiguousarray(index).reshape(-1)]
    return None
