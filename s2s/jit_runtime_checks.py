"""The run-time checks of in-place writes, as Numba compiles them (`s2s.jit`; needs numba).

s2s differentiates `y += e` as `y = y + e`. That is exact where `+=` rebinds `y` (a number), and
where it writes into an array nothing else that is read later can see; generated code checks
what it cannot decide when it is generated (`s2s.runtime.rebinds`, `passed_as_value`, ...), or
hands a callee that writes into its argument a copy (`deep_copy_of`). Here, as in
`s2s.jit_runtime` (which imports this module and exports its helpers), each check has a stub of
the same name and signature and a Numba `@overload` chosen by the argument types: a number
passes when the code is compiled; an array is tested at run time as NumPy tests it, and the
check raises the same `InPlaceWriteError`, with the same message, where the Python helper does.

Whether two arrays may share memory is NumPy's bounds test (`np.may_share_memory`, which Numba
lacks): the byte ranges `[lo, hi)` their elements span, from the data pointer, shape, strides
and item size, overlap -- or the two are the same array (same pointer, shape and strides), which
the Python helper finds by identity (`v is y`) even when it holds no element.
"""
from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

from .jit_runtime import _COMPILED_ONLY, _is_array, _is_number
from .runtime import InPlaceWriteError


def passed_as_value(y, message):
    raise NotImplementedError(_COMPILED_ONLY)


def entries_passed_as_value(y, message):
    raise NotImplementedError(_COMPILED_ONLY)


def copied_entries_passed_as_value(y, message):
    raise NotImplementedError(_COMPILED_ONLY)


def rebinds(y, others, message):
    raise NotImplementedError(_COMPILED_ONLY)


def deep_copy_of(x):
    raise NotImplementedError(_COMPILED_ONLY)


# The checks that a callee's `v += e`, differentiated as `v = v + e`, rebinds `v` (s2s.runtime):
# decided by the argument's type, so here when the code is compiled. Numbers and arrays only.

@overload(passed_as_value)
def _passed_as_value(y, message):
    if _is_number(y):
        return lambda y, message: None
    if _is_array(y):   # `+=` on an array writes into it
        def refuse(y, message):
            raise InPlaceWriteError(message)
        return refuse
    return None


@overload(entries_passed_as_value)
def _entries_passed_as_value(y, message):
    if _is_number(y) or _is_array(y) and y.ndim == 1:   # (an entry of a vector is a number)
        return lambda y, message: None
    if _is_array(y):   # the entries of a matrix are views of its rows
        def refuse(y, message):
            raise InPlaceWriteError(message)
        return refuse
    return None


@overload(copied_entries_passed_as_value)
def _copied_entries_passed_as_value(y, message):
    if _is_number(y) or _is_array(y):   # a copy of an array of numbers holds numbers of its own
        return lambda y, message: None
    return None


# `y += e` where names read later may share `y`'s memory: a number is rebound; an array is
# written into, which none of `others` (arrays, numbers, tuples and lists of them) may see.

@overload(rebinds)
def _rebinds(y, others, message):
    if _is_number(y):
        return lambda y, others, message: None
    if not _is_array(y) or _seeing(others, y) is None:
        return None

    def check(y, others, message):
        if _sees(others, y):
            raise InPlaceWriteError(message)
    return check


def _sees(v, y):
    """May `v` (an array, or a tuple or list of them) see a write into the array `y`?"""
    raise NotImplementedError(_COMPILED_ONLY)


@overload(_sees)
def _seeing(v, y):
    if _is_number(v):
        return lambda v, y: False
    if _is_array(v):
        return lambda v, y: _may_share(v, y)
    if isinstance(v, types.BaseTuple):   # each entry, whatever its type: the first, then the rest
        if len(v.types) == 0:
            return lambda v, y: False
        if any(_seeing(t, y) is None for t in v.types):
            return None
        return lambda v, y: _sees(v[0], y) or _sees(v[1:], y)
    if isinstance(v, types.List) and _seeing(v.dtype, y) is not None:
        def any_entry(v, y):
            for u in v:
                if _sees(u, y):
                    return True
            return False
        return any_entry
    return None


@njit(cache=False)
def _span(a):
    """The bytes `a`'s elements occupy, `[lo, hi)`, empty where it has none: NumPy's
    `get_array_memory_extents`."""
    base = np.int64(a.ctypes.data)
    lo, hi = 0, a.itemsize
    for k in range(a.ndim):
        if a.shape[k] == 0:
            return base, base
        reach = a.strides[k] * (a.shape[k] - 1)
        if reach > 0:
            hi += reach
        else:
            lo += reach
    return base + lo, base + hi


@njit(cache=False)
def _may_share(a, b):
    """`np.may_share_memory(a, b)` (its bounds test), or `a` is `b` as far as compiled code can
    tell: the same data pointer, shape and strides."""
    if a.ctypes.data == b.ctypes.data and a.shape == b.shape and a.strides == b.strides:
        return True
    lo_a, hi_a = _span(a)
    lo_b, hi_b = _span(b)
    return lo_a < hi_b and lo_b < hi_a and lo_a < hi_a and lo_b < hi_b


@overload(deep_copy_of)
def _deep_copy_of(x):
    if _is_number(x):
        return lambda x: x
    if _is_array(x):
        return lambda x: x.copy()
    if isinstance(x, types.BaseTuple) and all(_deep_copy_of(t) is not None for t in x.types):
        if len(x.types) == 0:
            return lambda x: x
        return lambda x: (deep_copy_of(x[0]),) + deep_copy_of(x[1:])
    if isinstance(x, types.List) and _deep_copy_of(x.dtype) is not None:
        return lambda x: [deep_copy_of(v) for v in x]
    return None
