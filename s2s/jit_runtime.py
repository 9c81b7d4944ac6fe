"""The runtime helpers of generated code, as Numba compiles them (`s2s.jit`; needs numba).

Each helper of `s2s.runtime` that generated code for arrays and numbers calls has here a function
of the same name and signature, which only Numba calls: compiled, it is the implementation its
`@overload` picks for the argument types -- Numba specialises per type, so what `s2s.runtime`
decides at every call (a number or an array? of which rank?) is decided here once, when the code
is compiled; shapes are still compared at run time (`unbroadcast` of a cotangent that was
broadcast). Families of helpers have modules of their own, written the same way, which import
what they share from here and whose helpers this module exports (`HELPERS`, at the end): the
checks of in-place writes (`s2s.jit_runtime_checks`), the cotangents of indexing and the writes
into an entry (`s2s.jit_runtime_indexing`). A user's function that compiled code calls is
compiled with the user's functions it calls (`njit_with_callees`).

These modules read nothing else of s2s's than the error classes they raise: the command line
copies what a module it writes with `--jit` needs from them (and those classes, as it does for
any module it writes), so that the module runs with NumPy and Numba only. Helpers for lists,
dicts and trees have no Numba form: code that calls them is refused by `s2s.jit`, naming the
helper.
"""
from __future__ import annotations

from types import CodeType, FunctionType

import numpy as np
from numba import njit, types
from numba.extending import overload

from .runtime import ArgumentShapeError, stop_gradient   # (a module the command line writes gets copies)


NUMBER = (types.Number, types.Boolean)


def _is_number(t):
    return isinstance(t, NUMBER)


def _is_array(t):
    return isinstance(t, types.Array)


# ---- the helpers: what generated code calls; Numba compiles their overloads ----------------

_COMPILED_ONLY = "an s2s helper for code compiled by Numba (s2s.jit), not to be called from Python"


def grad_seed(out):
    raise NotImplementedError(_COMPILED_ONLY)


def unbroadcast(g, x):
    raise NotImplementedError(_COMPILED_ONLY)


def rebroadcast(g, c):
    raise NotImplementedError(_COMPILED_ONLY)


def zeros_like(x):
    raise NotImplementedError(_COMPILED_ONLY)


def unsum(g, x, axis=None, keepdims=False):
    raise NotImplementedError(_COMPILED_ONLY)


def matmul_grad_a(g, a, b):
    raise NotImplementedError(_COMPILED_ONLY)


def matmul_grad_b(g, a, b):
    raise NotImplementedError(_COMPILED_ONLY)


def dot_grad_a(g, a, b):
    raise NotImplementedError(_COMPILED_ONLY)


def dot_grad_b(g, a, b):
    raise NotImplementedError(_COMPILED_ONLY)


def add(a, b):
    raise NotImplementedError(_COMPILED_ONLY)


def copy_of(x):
    raise NotImplementedError(_COMPILED_ONLY)


def iterated(xs):
    raise NotImplementedError(_COMPILED_ONLY)


def uniterated(c, xs):
    raise NotImplementedError(_COMPILED_ONLY)


def reiterated(c, xs):
    raise NotImplementedError(_COMPILED_ONLY)


def roll_along(x, shift, axis):
    """`np.roll(x, shift, axis=axis)`: Numba's np.roll has no axis."""
    raise NotImplementedError(_COMPILED_ONLY)


def stack_rows(rows):
    """`np.array(rows)` of a list: Numba's np.array takes a list of numbers, not of arrays."""
    raise NotImplementedError(_COMPILED_ONLY)


def sum_rows(x):
    """`x.sum(axis=0)`: Numba's sum along an axis takes seconds to compile."""
    raise NotImplementedError(_COMPILED_ONLY)


def expect_like(value, name, shape, dtype):
    """`s2s.runtime.expect_like`: refuse an argument that code for known shapes (`s2s grad --shape`,
    `--like`) was not written for. Compiled, the type (an array's rank and dtype, a number's kind)
    is checked when Numba compiles for it, the shape when the code runs; its message cannot name
    the argument's shape, which Python's does."""
    raise NotImplementedError(_COMPILED_ONLY)


# ---- what Numba compiles ---------------------------------------------------------------------

@njit(cache=False)
def _sum_to(g, shape):
    """`g` summed to `shape`: over its leading axes, and over the axes where `shape` has 1 (what
    broadcasting an array of `shape` against `g`'s would spread)."""
    out = np.zeros(shape, dtype=g.dtype)
    flat_out = out.reshape(-1)
    flat_g = np.ascontiguousarray(g).reshape(-1)
    lead = g.ndim - len(shape)
    for f in range(flat_g.size):
        rest, at, scale = f, 0, 1
        for axis in range(g.ndim - 1, lead - 1, -1):
            i = rest % g.shape[axis]
            rest //= g.shape[axis]
            n = shape[axis - lead]
            if n != 1:
                at += i * scale
            scale *= n
        flat_out[at] += flat_g[f]
    return out


@overload(grad_seed)
def _grad_seed(out):
    if _is_number(out):
        return lambda out: 1.0
    if _is_array(out):
        def seed(out):
            if out.size != 1:
                raise ValueError("s2s.grad needs a function that returns a scalar; use s2s.vjp for array outputs")
            return np.ones(out.shape)
        return seed
    return None


@overload(unbroadcast)
def _unbroadcast(g, x):
    if _is_number(x):
        if _is_number(g):
            return lambda g, x: g
        if _is_array(g):
            return lambda g, x: np.sum(g)
        return None
    if not _is_array(x):
        return None
    if _is_number(g):
        return lambda g, x: np.full(x.shape, g)
    if not _is_array(g):
        return None
    if g.ndim < x.ndim:   # a cotangent that was broadcast
        return lambda g, x: np.broadcast_to(g, x.shape).copy()
    if g.ndim > x.ndim:
        return lambda g, x: _sum_to(g, x.shape)

    def same_rank(g, x):
        if g.shape == x.shape:
            return np.ascontiguousarray(g)
        return _sum_to(g, x.shape)
    return same_rank


@overload(rebroadcast)
def _rebroadcast(g, c):
    if _is_number(c):
        if _is_number(g):
            return lambda g, c: g
        return (lambda g, c: np.sum(g)) if _is_array(g) else None
    if not _is_array(c):
        return None
    if _is_number(g):
        return lambda g, c: np.full(c.shape, g)
    if not _is_array(g):
        return None
    if g.ndim > c.ndim:
        return lambda g, c: _sum_to(g, c.shape)
    if g.ndim < c.ndim:
        return lambda g, c: np.broadcast_to(g, c.shape).copy()

    def same_rank(g, c):
        if g.shape == c.shape:
            return np.ascontiguousarray(g)
        if _fits(g.shape, c.shape):
            return np.broadcast_to(g, c.shape).copy()
        return _sum_to(g, c.shape)
    return same_rank


@njit(cache=False)
def _fits(small, shape):
    """Does an array of shape `small` broadcast to `shape` (each axis equal, or 1)?"""
    for k in range(len(shape)):
        if small[k] != shape[k] and small[k] != 1:
            return False
    return True


@overload(zeros_like)
def _zeros_like(x):
    if _is_number(x) or isinstance(x, types.NoneType):   # None: a name not assigned yet on this path
        return lambda x: 0.0
    if _is_array(x):
        if isinstance(x.dtype, types.Float):
            return lambda x: np.zeros(x.shape, dtype=x.dtype)
        return lambda x: np.zeros(x.shape)
    return None


@overload(unsum, prefer_literal=True)
def _unsum(g, x, axis=None, keepdims=False):
    if _is_number(x):
        return lambda g, x, axis=None, keepdims=False: g
    if not _is_array(x):
        return None
    if _is_number(g):
        return lambda g, x, axis=None, keepdims=False: np.full(x.shape, g)
    if not _is_array(g):
        return None
    if g.ndim == x.ndim:   # keepdims, or a sum of every axis of a 0-d array
        return lambda g, x, axis=None, keepdims=False: np.broadcast_to(g, x.shape).copy()
    if g.ndim == x.ndim - 1 and isinstance(axis, types.Integer):
        return lambda g, x, axis=None, keepdims=False: \
            np.broadcast_to(np.expand_dims(g, axis % x.ndim), x.shape).copy()
    if g.ndim == 0:
        return lambda g, x, axis=None, keepdims=False: np.full(x.shape, g[()])
    return None


def _matmul_a(g, a, b):
    """The implementation of the cotangent of `a` in `a @ b`, chosen by ranks (None: none)."""
    ranks = (a.ndim, b.ndim)
    if ranks == (2, 2):
        return lambda g, a, b: g @ b.T
    if ranks == (2, 1):
        return lambda g, a, b: np.outer(g, b)
    if ranks == (1, 1):
        return lambda g, a, b: g * b
    if ranks == (1, 2):
        return lambda g, a, b: b @ g
    return None


def _matmul_b(g, a, b):
    ranks = (a.ndim, b.ndim)
    if ranks == (2, 2):
        return lambda g, a, b: a.T @ g
    if ranks == (2, 1):
        return lambda g, a, b: g @ a
    if ranks == (1, 1):
        return lambda g, a, b: g * a
    if ranks == (1, 2):
        return lambda g, a, b: np.outer(a, g)
    return None


@overload(matmul_grad_a)
def _matmul_grad_a(g, a, b):
    return _matmul_a(g, a, b) if _is_array(a) and _is_array(b) else None


@overload(matmul_grad_b)
def _matmul_grad_b(g, a, b):
    return _matmul_b(g, a, b) if _is_array(a) and _is_array(b) else None


@overload(dot_grad_a)
def _dot_grad_a(g, a, b):
    if _is_number(a) or _is_number(b):
        return lambda g, a, b: unbroadcast(g * b, a)
    return _matmul_a(g, a, b)


@overload(dot_grad_b)
def _dot_grad_b(g, a, b):
    if _is_number(a) or _is_number(b):
        return lambda g, a, b: unbroadcast(g * a, b)
    return _matmul_b(g, a, b)


@overload(add)
def _add(a, b):
    if (_is_number(a) or _is_array(a)) and (_is_number(b) or _is_array(b)):
        return lambda a, b: a + b
    return None


@overload(copy_of)
def _copy_of(x):
    if isinstance(x, types.List):
        return lambda x: list(x)
    if _is_array(x):
        return lambda x: x.copy()
    return lambda x: x


@overload(iterated)
def _iterated(xs):
    if _is_array(xs) or isinstance(xs, (types.List, types.UniTuple)):
        return lambda xs: xs
    return None


@overload(uniterated)
def _uniterated(c, xs):
    return (lambda c, xs: c) if _iterated(xs) is not None else None


@overload(reiterated)
def _reiterated(c, xs):
    return (lambda c, xs: c) if _iterated(xs) is not None else None


@overload(stop_gradient)
def _stop_gradient(x):   # (code that calls `s2s.stop_gradient(x)` keeps the call in its forward sweep)
    return lambda x: x


@overload(roll_along)
def _roll_along(x, shift, axis):
    if not _is_array(x):
        return None
    if isinstance(axis, (types.NoneType, types.Omitted)):   # np.roll's own: flattened, rolled, reshaped
        return lambda x, shift, axis: np.roll(x, shift)

    def roll(x, shift, axis):
        # x as (before, along, after) C-ordered blocks; copied in runs, without a modulo per element
        # (the slice assignments of a 2-D roll took Numba seconds to compile)
        if not -x.ndim <= axis < x.ndim:
            raise ValueError("axis is out of bounds for the array's dimension")
        along = axis % x.ndim
        n = x.shape[along]
        before, after = 1, 1
        for k in range(x.ndim):
            if k < along:
                before *= x.shape[k]
            elif k > along:
                after *= x.shape[k]
        s = shift % n if n else 0
        blocks = np.ascontiguousarray(x)
        if after == 1:
            rows = blocks.reshape((before, n))
            out = np.empty_like(rows)
            for p in range(before):
                for i in range(n - s):
                    out[p, i + s] = rows[p, i]
                for i in range(s):
                    out[p, i] = rows[p, n - s + i]
            return out.reshape(x.shape)
        cube = blocks.reshape((before, n, after))
        out3 = np.empty_like(cube)
        for p in range(before):
            for i in range(n):
                to = i + s - n if i + s >= n else i + s
                for q in range(after):
                    out3[p, to, q] = cube[p, i, q]
        return out3.reshape(x.shape)
    return roll


@overload(stack_rows)
def _stack_rows(rows):
    if _is_array(rows):
        return lambda rows: rows.copy()
    if not isinstance(rows, types.List):
        return None
    if _is_number(rows.dtype):
        return lambda rows: np.array(rows)
    if not _is_array(rows.dtype):
        return None
    dtype, empty = rows.dtype.dtype, (0,) * (rows.dtype.ndim + 1)   # (no rows: a (0, 0) array, say)

    def stack(rows):
        # copied element by element through flat views (`out[k] = rows[k]` took Numba seconds to compile)
        n = len(rows)
        if n == 0:
            return np.empty(empty, dtype)
        shape, size = rows[0].shape, rows[0].size
        out = np.empty(n * size, dtype)
        for k in range(n):
            if rows[k].shape != shape:
                raise ValueError("setting an array element with a sequence: the rows differ in shape")
            flat = np.ascontiguousarray(rows[k]).reshape(size)
            for i in range(size):
                out[k * size + i] = flat[i]
        return out.reshape((n,) + shape)
    return stack


_NOT_LIKE = ("this code was generated for arguments of other shapes or types (s2s grad --shape/--like): generate "
             "it again for these arguments, or without --shape/--like for any")


@overload(expect_like, prefer_literal=True)
def _expect_like(value, name, shape, dtype):
    wanted = getattr(dtype, "literal_value", None)
    rank = len(shape.types) if isinstance(shape, types.BaseTuple) else None
    if _is_array(value) and rank == value.ndim and wanted == str(value.dtype):
        def check(value, name, shape, dtype):
            if value.shape != shape:
                raise ArgumentShapeError(_NOT_LIKE)
        return check
    if _is_number(value) and (rank is None and wanted == ("float" if isinstance(value, types.Float) else "int")
                              or rank == 0 and wanted == str(value)):   # a Python number, a NumPy scalar
        return lambda value, name, shape, dtype: None

    raise ArgumentShapeError(_NOT_LIKE)   # (when Numba compiles for these types: the first error it reports)


@overload(sum_rows)
def _sum_rows(x):
    if not _is_array(x):
        return None
    if x.ndim == 1 or not isinstance(x.dtype, types.Float):
        return lambda x: x.sum(axis=0)

    def rows(x):
        # row after row from zeros, as NumPy adds them; along flat views of the rows
        n, m = x.shape[0], 1
        for k in range(1, x.ndim):
            m *= x.shape[k]
        flat = np.ascontiguousarray(x).reshape((n, m))
        out = np.zeros(m, x.dtype)
        for i in range(n):
            for j in range(m):
                out[j] += flat[i, j]
        return out.reshape(x.shape[1:])
    return rows


# ---- the user's functions compiled code calls -------------------------------------------------

_LIBRARIES = ("numpy", "scipy", "numba", "math", "s2s")   # what Numba knows, or s2s compiles its own way


def njit_with_callees(fn, done=None):
    """`fn`, a user's function that compiled code calls, compiled by Numba with the user's functions
    it calls compiled too, and those they call: a copy of it whose globals are a copy of its
    module's, those functions replaced (Numba reads a function's globals when it compiles it; the
    user's module is left as it is). `done`: {function: compiled} so far, each compiled once."""
    done = {} if done is None else done
    if fn in done:
        return done[fn]
    space = dict(fn.__globals__)
    done[fn] = compiled = njit(FunctionType(fn.__code__, space, fn.__name__, fn.__defaults__, fn.__closure__))
    for name in _code_names(fn.__code__):
        value = space.get(name)
        if isinstance(value, FunctionType) and str(getattr(value, "__module__", "")).partition(".")[0] \
                not in _LIBRARIES:
            space[name] = njit_with_callees(value, done)
    return compiled


def _code_names(code) -> set:
    """The global names `code` reads, in nested functions and comprehensions too."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _code_names(const)
    return names


# ---- the helpers of other families, in modules of their own that import the above ------------

from .jit_runtime_checks import (copied_entries_passed_as_value, deep_copy_of, entries_passed_as_value,  # noqa: E402
                                 passed_as_value, rebinds)
from .jit_runtime_indexing import last_write, setindex, unindex  # noqa: E402
from .jit_runtime_loops import checkpoint_every, range_part, reversed_range  # noqa: E402

HELPERS = {f.__name__: f for f in (grad_seed, unbroadcast, rebroadcast, zeros_like, unsum, matmul_grad_a,
                                   matmul_grad_b, dot_grad_a, dot_grad_b, add, copy_of, iterated, uniterated,
                                   reiterated, unindex, setindex, last_write, roll_along, stack_rows, sum_rows,
                                   expect_like,
                                   passed_as_value, entries_passed_as_value, copied_entries_passed_as_value,
                                   rebinds, deep_copy_of, checkpoint_every, range_part, reversed_range)}
