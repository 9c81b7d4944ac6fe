"""The few helpers generated code calls.

Each is small, pure (never mutates its arguments) and depends on NumPy only,
so the command line can copy them into a standalone module. Every helper is
itself registered with a derivative rule (`s2s.rules.runtime_helpers`), so
generated code can be differentiated again.

Arrays of other libraries (dask, CuPy: an "array of another library" below is
one whose type implements NumPy's `__array_function__`, NEP 18) go through
NumPy's functions, which hand them to their library: a helper never turns one
into a NumPy array (no `np.asarray`, no `np.size`, which dask does not
implement, no NumPy array written into), and what it makes in the shape of
one is an array of that library (`np.zeros_like(x)`, `np.asarray(g, like=x)`).
What a library cannot compute as NumPy would (dask adds at repeated indices
in no way) raises `ForeignArrayError`, naming the helper.
"""
import copy
import dataclasses

import numpy as np

from .errors import S2SError

__all__ = ["grad_seed", "expect_like", "expect_tree_like", "unbroadcast", "rebroadcast", "unsum", "unmax", "max_tangent", "unindex", "zeros_like", "add", "unpacked", "matmul_grad_a", "matmul_grad_b",
           "dot_grad_a", "dot_grad_b", "untranspose", "retranspose", "stop_gradient", "setindex", "set_at", "add_at", "added_at", "copy_of", "deep_copy_of", "copied",
           "spread", "unspread", "size_of", "select_of", "lower_factor", "checkpoint_every",
           "checkpoint_schedule",
           "prod_grad", "undiagonal", "einsum_of", "einsum_grad", "tensordot_subscripts", "kron_subscripts",
           "kron_shape", "kron_padding", "norm_order",
           "uncast", "unarray", "unconcatenate", "reconcatenate", "untile", "untake", "unrepeat", "unpad", "repad",
           "untake_along", "median_weights", "chain_product", "undiff", "convolve_pad", "rebinds", "passed_as_value",
           "entries_passed_as_value", "copied_entries_passed_as_value",
           "last_write", "concat", "repeat", "head", "tail", "unrepeat_list", "field", "field_key",
           "ravel", "unravel", "ravel_like", "unflatten_into", "as_tuple", "as_list", "like", "transposed", "untransposed", "unstarred", "restarred", "padded", "unpadded", "keeps_default", "nothing_left", "unit_vectors",
           "keywords_in", "ends_count", "with_ends", "ungradient", "regradient", "uninterp", "along", "svd_identity",
           "eig_identity", "matrix_axes", "mvn_dim", "mvn_cov", "unmvn_cov", "mvn_solve", "mvn_nonsingular",
           "band_matrix", "band_of", "real_root", "signal_pad", "other_triangle_kept", "column", "joined_dtype", "first",
           "quantile_cotangent", "quantile_tangent", "quantile_weights"]

# Helpers of a family kept in a module of their own, exported from here (`s2s.standalone` reads them too).
from .runtime_sequences import (ComplexValueError, UndefinedDerivativeError, along, column, ends_count, eig_identity, first, joined_dtype,  # noqa: E402
                                matrix_axes, regradient, svd_identity, ungradient, uninterp, with_ends)
from .runtime_scipy import band_matrix, band_of, other_triangle_kept, real_root, signal_pad  # noqa: E402
from .runtime_quantiles import quantile_cotangent, quantile_tangent, quantile_weights  # noqa: E402
from .runtime_portable import (ForeignArrayError, checkpoint_every, checkpoint_schedule, lower_factor,  # noqa: E402
                               select_of, size_of)


class _Elementwise:
    """`+` adds elementwise: the cotangent of a list or tuple is the list (tuple) of its
    elements' cotangents, and generated code accumulates cotangents with `+`."""

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __mul__(self, other):  # only a list repeated (`xs * 2`) gets here, in the adjoint of arithmetic
        raise ListOperatorError(_CONCATENATED)

    __rmul__ = __mul__


class CotangentList(_Elementwise, list):
    """A list of cotangents (or tangents); prints and compares as a list."""


class CotangentTuple(_Elementwise, tuple):
    """A tuple of cotangents (or tangents); prints and compares as a tuple."""


class CotangentDict(_Elementwise, dict):
    """A dict of cotangents (or tangents), one per key; prints and compares as a dict."""


def cotangents(like, items):
    """`items` as a list or tuple of cotangents, after the container `like`."""
    return CotangentTuple(items) if isinstance(like, tuple) else CotangentList(items)


class ListOperatorError(S2SError, TypeError):
    """A list or tuple reached `+` or `*` that s2s differentiated as arithmetic (it could not see an
    operand is one): Python concatenates or repeats it, whose derivative is another. Also a `TypeError`."""


_CONCATENATED = ("a list or tuple reached `+` or `*`, which s2s differentiated as arithmetic: Python "
                 "concatenates or repeats it. s2s differentiates `+` and `*` of lists where it can see an "
                 "operand is one (a display `[a, b]`, a comprehension, or a name bound only to one): "
                 "build the list that way, or use np.concatenate / np.tile on arrays")


def foreign_array(x):
    """Is `x` an array of another library: not NumPy's, but one NumPy's functions hand over
    (`__array_function__`, NEP 18), as dask's and CuPy's?"""
    return not isinstance(x, np.ndarray) and hasattr(type(x), "__array_function__")


def _like(g, x, dtype=None):
    """`g` (a number, a NumPy array, or an array of `x`'s library) as an array of `x`'s library
    (NEP 35's `like=`): never a NumPy array met by a CuPy one, which CuPy refuses."""
    if foreign_array(g):
        return g if dtype is None or g.dtype == dtype else g.astype(dtype)
    return np.asarray(g, dtype=dtype, like=x)


def unbroadcast(g, x):
    """Sum `g` over the axes along which `x` was broadcast, giving `x`'s shape (and, for a
    NumPy float `x`, its dtype: a float32 argument gets a float32 cotangent)."""
    if type(g) is np.ndarray and type(x) is np.ndarray and g.shape == x.shape and g.dtype is x.dtype:
        return g   # (most calls: nothing was broadcast)
    if (type(x) is float or type(x) is np.float64) and (type(g) is float or type(g) is np.float64):
        return g if type(x) is float or type(g) is np.float64 else np.float64(g)   # (a number: x's precision)
    if type(g) is np.ndarray and type(x) is np.ndarray and 0 < x.ndim <= g.ndim and g.dtype.kind == "f":
        lead = g.ndim - x.ndim   # a float array broadcast to g's shape: one sum over the axes it was spread along
        tail = g.shape[lead:]
        if all(n == m or n == 1 for n, m in zip(x.shape, tail)):
            axes = tuple(range(lead)) + tuple(lead + i for i, (n, m) in enumerate(zip(x.shape, tail)) if n != m)
            out = np.add.reduce(g, axis=axes).reshape(x.shape)
            return out if out.dtype is x.dtype or x.dtype.kind != "f" else out.astype(x.dtype)
    shape = getattr(x, "shape", None)
    if shape is None:  # a Python number (shape ()), or a list or tuple
        if x.__class__ is not float and isinstance(x, (list, tuple)) and isinstance(g, (list, tuple)) \
                and len(g) != len(x):
            raise ListOperatorError(_CONCATENATED)
        shape = ()
    if getattr(g, "shape", ()) == shape:
        return _as_dtype_of(g, x)
    shape = np.shape(x)
    if np.ndim(g) < len(shape) or any(n < m for n, m in zip(np.shape(g)[::-1], shape[::-1])):
        g = np.broadcast_to(g, np.broadcast_shapes(np.shape(g), shape))  # a broadcast cotangent
    g = np.sum(g, axis=tuple(range(np.ndim(g) - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and np.shape(g)[i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    g = np.reshape(g, shape) if np.shape(g) != shape else g
    g = _as_dtype_of(g, x)
    return g if getattr(g, "flags", None) is None or g.flags.writeable else g.copy()


def _as_dtype_of(g, x):
    """`g` in `x`'s floating dtype when `x` is a NumPy float of another precision; an array of
    `x`'s library when `x` is an array of another library (a cotangent has its point's kind)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return g
    if foreign_array(x) and not foreign_array(g):
        return _like(g, x, dtype if dtype.kind == "f" else None)
    if dtype.kind != "f":
        return g
    g_dtype = getattr(g, "dtype", None)
    if g_dtype == dtype:
        return g
    return dtype.type(g) if g_dtype is None else g.astype(dtype)  # a Python number: a NumPy scalar


def rebroadcast(g, c):
    """The adjoint of `unbroadcast(c, x)` in `c`: `g` spread back to `c`'s shape.

    Where `unbroadcast` summed axes, they are broadcast again; where it
    broadcast a smaller `c`, they are summed.
    """
    shape = getattr(c, "shape", ())
    if getattr(g, "shape", ()) == shape:
        return g
    full = np.broadcast_to(g, np.broadcast_shapes(np.shape(g), np.shape(c)))
    return unbroadcast(full, c)


def retranspose(g, axes):
    """The adjoint of `untranspose(c, axes)`: transpose by `axes` itself."""
    if axes is not None and len(axes) == 1 and np.ndim(axes[0]) == 1:
        axes = tuple(axes[0])
    if axes is None or len(axes) == 0:
        return np.transpose(g)
    return np.transpose(g, _ints(np.mod(axes, np.ndim(g))))


def _ints(axes):
    """An array of axes as a tuple of ints (dask's transpose takes no array)."""
    return tuple(int(a) for a in axes)


def spread(g, xs):
    """Cotangent of `sum(xs)` (Python's sum): `g` for every element, in its shape."""
    if isinstance(xs, np.ndarray) or foreign_array(xs):
        return unsum(g, xs, 0)
    return cotangents(xs, [unbroadcast(g, v) for v in xs])


def unspread(gs, c):
    """The adjoint of `spread(c, xs)` in `c`: the elements' cotangents, summed in `c`'s shape."""
    if isinstance(gs, np.ndarray) or foreign_array(gs):
        return unbroadcast(np.sum(gs, axis=0), c)
    total = 0.0
    for gi in gs:
        total = total + rebroadcast(gi, c)
    return total


def unsum(g, x, axis=None, keepdims=False):
    """Spread the cotangent of a sum over `axis` back over `x`'s shape (a list of numbers and arrays,
    as in `np.sum([a, b])`, gets an array: its rows are the elements' cotangents)."""
    if x.__class__ in (list, tuple):
        x = np.asarray(x)
    shape = np.shape(x)
    dtype = np.result_type(x, g)  # before expand_dims: a Python-float g keeps x's float32
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        g = np.expand_dims(g, tuple(a % len(shape) for a in axes))
    if not shape:
        return g
    if foreign_array(x):   # in x's chunks (dask), of x's library
        return np.zeros_like(x, dtype=dtype) + _like(g, x, dtype)
    out = np.empty(shape, dtype=dtype)
    out[...] = g
    return out


_F8 = np.dtype(float)


def unmax(g, x, ans, axis=None, keepdims=False):
    """Cotangent of a max (or min) over `axis`: `g` goes to the entries equal to the
    extreme value, split evenly between ties (none, if a constant `initial=` won)."""
    if x.__class__ in (list, tuple):
        x = np.asarray(x)
    if axis is not None and not keepdims:   # ans and g broadcast against x, not spread over it
        axes = tuple(a % np.ndim(x) for a in ((axis,) if np.ndim(axis) == 0 else axis))
        ans, g = np.expand_dims(ans, axes), np.expand_dims(g, axes)
    mask = x == ans
    if x.__class__ is np.ndarray and x.dtype is _F8 and (g.__class__ is float or g.__class__ is np.ndarray
                                                           and g.dtype is _F8):   # (the same, in fewer calls)
        return g * mask / np.maximum(mask.sum(axis=axis, keepdims=True), 1)
    dtype = np.result_type(x, g)  # (a Python-float g keeps x's float32)
    if not np.ndim(x):
        return np.multiply(g, mask, dtype=dtype)
    return np.multiply(g, mask, dtype=dtype) / np.maximum(np.sum(mask, axis=axis, keepdims=True, dtype=dtype), 1)


def max_tangent(t, x, ans, axis=None, keepdims=False):
    """Tangent of a max (or min) over `axis`: the mean of `t` over the extreme entries."""
    mask = x == unsum(ans, x, axis, keepdims)
    total = np.sum(t * mask, axis=axis, keepdims=keepdims)
    return total / np.maximum(np.sum(mask, axis=axis, keepdims=keepdims, dtype=np.result_type(total)), 1)


def unindex(g, x, index):
    """Cotangent of `x[index]`: zeros shaped like `x` with `g` added at `index`."""
    if isinstance(x, dict) or _is_dataclass(x):
        out = zeros_like(x)
        out[index] = g
        return out
    if isinstance(x, (list, tuple)):
        out = [zeros_like(v) for v in x]
        if isinstance(index, slice):
            for i, gi in zip(range(*index.indices(len(x))), g):
                out[i] = gi
        else:
            out[index] = g
        return cotangents(x, out)
    dtype = getattr(x, "dtype", None)
    dtype = dtype if dtype is not None and dtype.kind == "f" else np.result_type(g, 1.0)
    if foreign_array(x):
        return _scattered(np.zeros_like(x, dtype=dtype), index, g, "unindex")
    out = np.zeros(np.shape(x), dtype=dtype)
    np.add.at(out, index, g)
    return out


def _scattered(out, index, g, helper):
    """`out` (a new array of another library) with `g` added at `index`: written where `index`
    names each entry once, else added by `np.add.at` (CuPy's ufuncs have `.at`; dask's do not)."""
    g = _like(g, out) if isinstance(g, np.ndarray) else g
    parts = index if isinstance(index, tuple) else (index,)
    try:
        if any(p is None for p in parts) and all(_index_kind(p) == "basic" for p in parts):
            index = tuple(p for p in parts if p is not None)   # (dask writes at no new axis): g without them
            out[index] = np.reshape(g, np.shape(out[index]))
        elif _names_once(index, np.shape(out)):
            out[index] = g
        else:
            np.add.at(out, index, g)
    except (TypeError, ValueError, IndexError, NotImplementedError) as error:
        raise ForeignArrayError(f"{helper}: {type(out).__module__.split('.')[0]} cannot write a cotangent into an "
                                f"array of its own at this index ({error}): read the entries with basic indices "
                                f"(integers, slices) or with an integer array that names each entry once") from error
    return out


def _names_once(index, shape):
    """Does `index` name each entry of an array of `shape` at most once? Integers, slices and masks do;
    integer arrays (NumPy's: their values are known here) where no two of them name the same entry."""
    parts = index if isinstance(index, tuple) else (index,)
    kinds = [_index_kind(p) for p in parts]
    if "integers" not in kinds and "unknown" not in kinds:
        return True
    if "unknown" in kinds:
        return False   # an integer array of another library: its values are not known here
    free = len(shape) - sum(map(_axes_taken, kinds, parts))
    axis, columns = 0, []
    for kind, p in zip(kinds, parts):
        if kind == "integers":
            columns.append(np.mod(np.asarray(p), shape[axis]))   # (an index, not an argument)
        axis += free if p is Ellipsis else _axes_taken(kind, p)
    flat = np.stack([np.ravel(c) for c in np.broadcast_arrays(*columns)])
    return np.unique(flat, axis=1).shape[1] == flat.shape[1]


def _index_kind(p):
    """"basic" (an integer, a slice, None, ...), "mask", "integers" (a NumPy integer array or a list),
    or "unknown" (an integer array of another library)."""
    if foreign_array(p):
        return "mask" if p.dtype == np.bool_ else "unknown"
    if isinstance(p, (list, np.ndarray)):
        return "mask" if np.asarray(p).dtype == np.bool_ else "integers"
    return "basic"


def _axes_taken(kind, p):
    """How many axes of the indexed array the index part `p` (of `kind`) stands for."""
    return 0 if p is None or p is Ellipsis else np.ndim(p) if kind == "mask" else 1


def setindex(a, index, v):
    """A copy of `a` with `a[index] = v` (arrays and lists): the functional form of a write."""
    if isinstance(a, dict):
        out = CotangentDict(a)
    else:
        out = list(a) if isinstance(a, (list, tuple)) else _fresh(a, np.result_type(a, 1.0))
    out[index] = _like(v, out) if foreign_array(out) and isinstance(v, np.ndarray) else v
    return cotangents(a, out) if isinstance(a, (list, tuple)) else out


def _fresh(a, dtype):
    """A copy of the array `a` in `dtype` that writes into it do not reach `a` (nor the value
    whose copy `a` is): NumPy's, or one of `a`'s library."""
    if not foreign_array(a):
        return np.array(a, dtype=dtype)
    out = a.astype(dtype)
    return out.copy() if out is a else out   # (a dask array's copy is a new name for the same graph)


def set_at(a, index, v):
    """`setindex(a, index, v)` (a zero written where `y[index] = v` wrote, in an adjoint; the new
    tangent, in a jvp), written into `a` itself: generated code calls it only where nothing
    else can see `a` (`transforms.inplace`). Anything but a writable float array gets the copy."""
    if type(a) is np.ndarray and a.dtype.kind == "f" and a.flags.writeable:
        a[index] = v
        return a
    return setindex(a, index, v)


def add_at(d, x, index, g):
    """`d + unindex(g, x, index)`, added into `d` itself: generated code calls it only where nothing
    else can see `d` (`transforms.inplace`). Where that sum would have another shape or dtype than
    `d` (or `x` is not an array), the sum is made as a new value."""
    if type(d) is np.ndarray and type(x) is np.ndarray and d.shape == x.shape and d.flags.writeable:
        if type(index) is int and d.dtype is x.dtype and d.dtype.kind == "f":   # one element, as a loop reads it
            d[index] += g
            return d
        dtype = x.dtype if x.dtype.kind == "f" else np.result_type(g, 1.0)
        if d.dtype == np.result_type(d.dtype, dtype):
            parts = index if isinstance(index, tuple) else (index,)
            if all(isinstance(p, (int, np.integer, slice)) and not isinstance(p, bool) for p in parts):
                d[index] += g   # no element named twice
            else:
                np.add.at(d, index, g)
            return d
    return added_at(d, x, index, g)


def added_at(d, x, index, g):
    """`d + unindex(g, x, index)`, as a new value where `d` may be seen elsewhere: for the
    cotangent of a list, tuple or dict, a new container of `d`'s entries with `g` added at `index`
    (no zeros for the others); for anything else, that sum."""
    container = _entry_added(d, x, index, g)
    return container if container is not None else d + unindex(g, x, index)


def _entry_added(d, x, index, g):
    """`d + unindex(g, x, index)` where `d` is the cotangent of the list, tuple or dict `x` (with
    an entry for each of its entries) and `index` an integer, a slice or a key: a new container
    of `d`'s entries with `g` added at `index`, without the zeros of every other entry (each of
    which may be a layer's weights: a loop over a list of parameters would make and add them all
    at every trip). None for any other `d`."""
    if isinstance(d, (list, tuple)) and isinstance(x, (list, tuple)) and len(d) == len(x):
        if isinstance(index, (int, np.integer)) and not isinstance(index, bool) and -len(x) <= index < len(x):
            out = list(d)
            out[index] = add(d[index], g)
            return cotangents(d, out)
        if isinstance(index, slice):
            out = list(d)
            for i, gi in zip(range(*index.indices(len(x))), g):
                out[i] = add(d[i], gi)
            return cotangents(d, out)
        return None
    if isinstance(d, dict) and (isinstance(x, dict) or _is_dataclass(x)) and _hashable(index) and index in d \
            and len(d) == (len(x) if isinstance(x, dict) else len(dataclasses.fields(x))):
        out = CotangentDict(d)
        out[index] = add(d[index], g)
        return out
    return None


def _hashable(key) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


def last_write(g, index):
    """Cotangent of the values written by `y[index] = v`, given `g`, the cotangent of `y`.

    It is `g[index]`, except where an integer index array names an element twice
    (`y[[1, 1]] = v`): NumPy keeps the last value written there, so the earlier
    ones get zero.
    """
    parts = index if isinstance(index, tuple) else (index,)
    if isinstance(g, (dict, list, tuple)) or not any(
            isinstance(p, (list, np.ndarray)) and np.asarray(p).dtype.kind in "iu" for p in parts):
        return g[index]
    if foreign_array(g):   # no NumPy array of g's shape
        if _names_once(index, np.shape(g)):
            return g[index]
        raise ForeignArrayError("last_write: an in-place write into an array of another library at an integer "
                                "array index that names an entry twice (which of the values is kept is NumPy's "
                                "rule, and this library's may differ): name each entry once")
    ranks = np.arange(np.size(g[index])).reshape(np.shape(g[index]))
    writer = np.full(np.shape(g), -1)
    writer[index] = ranks
    return np.where(writer[index] == ranks, g[index], 0.0)


def copy_of(x):
    """`x` as a value that later in-place writes (and appends and pops) cannot change."""
    if isinstance(x, list):
        return type(x)(x)
    return x.copy() if isinstance(x, np.ndarray) or foreign_array(x) else x


def copied(x):
    """`np.copy(x)`, or a dict's own copy: the tangent of `d.copy()` on a dict is a dict (and an array
    of another library its own copy: dask does not implement `np.copy`)."""
    return x.copy() if isinstance(x, dict) or foreign_array(x) else np.copy(x)


def deep_copy_of(x):
    """`x` with everything it holds copied (`copy.deepcopy`): what a helper given it changes in
    place, with `+=` on it or on an array or list it holds, nothing else holds."""
    return x.copy() if type(x) is np.ndarray and x.dtype != object or foreign_array(x) else copy.deepcopy(x)


def zeros_like(x):
    """A zero cotangent for `x`: same shape and float dtype; containers elementwise."""
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return np.zeros_like(x)
    if isinstance(x, (list, tuple)):
        return cotangents(x, [zeros_like(v) for v in x])
    if isinstance(x, dict):
        return CotangentDict((k, zeros_like(v)) for k, v in x.items())
    if _is_dataclass(x):
        return CotangentDict((f.name, zeros_like(getattr(x, f.name))) for f in dataclasses.fields(x))
    if isinstance(x, range):   # (a checkpointed loop's, saved: its segments slice it, its trips index it)
        return np.zeros(len(x))
    if isinstance(x, (float, int, str)) or x is None or callable(x):  # None: a name not yet assigned on this
        return 0.0                                                # path; a key or a function value: no derivative
    return np.zeros_like(x, dtype=np.result_type(x, 1.0))


def _is_dataclass(x):
    """Is `x` a dataclass instance (not a dataclass itself)? Arrays, numbers and the usual
    containers are answered by their type alone: trees of them pass here at every node."""
    kind = type(x)
    return kind not in _NO_FIELDS and not isinstance(x, type) and hasattr(kind, "__dataclass_fields__")


_NO_FIELDS = frozenset({np.ndarray, float, int, bool, str, type(None), list, tuple, dict, np.float64, np.float32,
                        CotangentList, CotangentTuple, CotangentDict})


def field(obj, name):
    """`obj.name`, where `obj` is a namedtuple or a dataclass instance (a node of a parameter
    tree) and `name` one of its fields; the cotangent of a dataclass is a dict of its fields (a dict
    `obj` is read at key `name`)."""
    if isinstance(obj, tuple) and name in getattr(obj, "_fields", ()) or isinstance(obj, dict):
        return obj[field_key(obj, name)]
    if _is_dataclass(obj) and name in {f.name for f in dataclasses.fields(obj)}:
        return getattr(obj, name)
    raise TypeError(f"s2s differentiates `.{name}` of a namedtuple or a dataclass (a field), but it was read from "
                    f"{type(obj).__name__!r}: an attribute of another object may be computed (a property), and s2s "
                    f"cannot see how; pass the arrays it is made of as arguments, or use a namedtuple or a dataclass")


def field_key(obj, name):
    """Where field `name` of `obj` is in its cotangent: its index (a namedtuple) or its name."""
    if isinstance(obj, tuple) and not isinstance(obj, CotangentTuple):
        fields = getattr(obj, "_fields", ())
        if name in fields:
            return fields.index(name)
    elif _is_dataclass(obj) or isinstance(obj, dict):
        return name
    return field(obj, name)  # raises: not a field


def _leaves(tree):
    kind = tree.__class__
    if kind is np.ndarray:
        return [tree]
    if kind is list or kind is tuple:   # (the same as below, in fewer calls: parameters are such lists)
        out = []
        for v in tree:
            if v.__class__ is np.ndarray:
                out.append(v)
            else:
                out += _leaves(v)
        return out
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in _leaves(v)]
    if _is_dataclass(tree):
        return [leaf for f in dataclasses.fields(tree) for leaf in _leaves(getattr(tree, f.name))]
    if isinstance(tree, (list, tuple)):
        return [leaf for v in tree for leaf in _leaves(v)]
    return [tree]


def ravel(tree):
    """The leaves of `tree` (nested lists, tuples, dicts, namedtuples, dataclasses) as one float vector."""
    leaves = [leaf.ravel() if leaf.__class__ is np.ndarray else np.ravel(leaf) for leaf in _leaves(tree)]
    if not leaves:
        return np.zeros(0)
    if all(leaf.dtype is _F8 for leaf in leaves):   # (float64 already: no common type to find)
        return np.concatenate(leaves)
    return np.concatenate(leaves).astype(np.result_type(*leaves, 1.0), copy=False)


def unravel(v, like):
    """The cotangent of `like` whose leaves are read in order from the vector `v` (ravel's adjoint)."""
    start = 0

    def build(x):
        nonlocal start
        kind = x.__class__
        if kind is np.ndarray and x.ndim:   # (the same as below, in fewer calls)
            part = v[start:start + x.size]
            start += x.size
            return part.reshape(x.shape)
        if kind is list or kind is tuple:
            return cotangents(x, [build(item) for item in x])
        if type(x) is not np.ndarray and (isinstance(x, dict) or _is_dataclass(x)):
            items = x.items() if isinstance(x, dict) else ((f.name, getattr(x, f.name)) for f in dataclasses.fields(x))
            return CotangentDict((k, build(item)) for k, item in items)
        if isinstance(x, (list, tuple)):
            return cotangents(x, [build(item) for item in x])
        size = int(np.size(x))
        part = v[start:start + size]
        start += size
        return np.reshape(part, np.shape(x)) if np.ndim(x) else part[0]
    return build(like)


def unflatten_into(like, v):
    """The tree of `like`'s types, structure, shapes and dtypes whose leaves are read in order from
    the vector `v` (`ravel`'s inverse): the unflatten of `s2s.flatten(like)`, a Python float for a
    number, an array of the leaf's dtype for an array."""
    v = np.asarray(v)
    size = sum(int(np.size(leaf)) for leaf in _leaves(like))
    if v.shape != (size,):
        raise ValueError(f"unflatten expects a vector of {size} entries, got shape {v.shape}")
    start = 0

    def build(x):
        nonlocal start
        if type(x) is not np.ndarray and (isinstance(x, dict) or _is_dataclass(x)):
            out = copy.copy(x)
            for k in (list(x) if isinstance(x, dict) else [f.name for f in dataclasses.fields(x)]):
                if isinstance(x, dict):
                    out[k] = build(x[k])
                else:
                    object.__setattr__(out, k, build(getattr(x, k)))
            return out
        if isinstance(x, tuple) and hasattr(x, "_fields"):
            return type(x)._make([build(item) for item in x])
        if isinstance(x, (list, tuple)):
            return type(x)([build(item) for item in x])
        a = np.asarray(x)
        part = v[start:start + a.size].reshape(a.shape)
        start += a.size
        if a.dtype.kind != "c":   # a real leaf of a vector that is complex because another leaf is
            part = np.real(part)
        if not isinstance(x, np.ndarray):
            return complex(part) if a.dtype.kind == "c" else float(part)
        return part.astype(a.dtype if a.dtype.kind in "fc" else part.dtype)
    return build(like)


def ravel_like(c, like):
    """`ravel` of the cotangent `c` of the tree `like`, read in `like`'s order, with zeros where `c`
    holds none (an empty list, a missing key): the adjoint of `unravel`."""
    parts = []

    def walk(c, x):
        if isinstance(x, dict) or _is_dataclass(x):
            keys = list(x) if isinstance(x, dict) else [f.name for f in dataclasses.fields(x)]
            for k in keys:
                item = x[k] if isinstance(x, dict) else getattr(x, k)
                walk(None if c is None else c.get(k) if isinstance(c, dict) else getattr(c, k, None), item)
        elif isinstance(x, (list, tuple)):
            for i, item in enumerate(x):
                walk(c[i] if c is not None and len(c) else None, item)
        else:
            parts.append(np.zeros(np.size(x)) if c is None else np.ravel(c))
    walk(c, like)
    return np.concatenate(parts).astype(np.result_type(*parts, 1.0)) if parts else np.zeros(0)


def add(a, b):
    """Sum two cotangents, elementwise through tuples, lists and dicts (an empty list is
    the zero cotangent of a list of any length)."""
    if isinstance(a, list) and not a:
        return b
    if isinstance(b, list) and not b:
        return a
    if isinstance(a, (list, tuple, dict)) != isinstance(b, (list, tuple, dict)):
        # a container's entry zeroed where it was overwritten (`xs[0] = (u, v)`: setindex(d_xs, 0, 0.0))
        zero, other = (a, b) if isinstance(b, (list, tuple, dict)) else (b, a)
        if type(zero) in (int, float) and zero == 0:
            return other
        raise TypeError(f"s2s cannot add a cotangent {type(a).__name__} to a {type(b).__name__}; please report this")
    if isinstance(a, (list, tuple)):
        return cotangents(a, [add(u, v) for u, v in zip(a, b)])
    if isinstance(a, dict):
        return CotangentDict((k, add(a[k], b[k])) for k in a)
    return a + b


def unpacked(x, parts):
    """The cotangent of `x`, unpacked as ``a, b, c = x``, from its parts' cotangents `parts` (a
    tuple): the tuple for a tuple or list, an array of `x`'s shape for an array (its entries or
    rows, stacked)."""
    if isinstance(x, np.ndarray) or foreign_array(x):
        return np.stack([np.asarray(p) for p in parts]) if parts else np.zeros_like(x)
    if isinstance(x, (list, tuple)):   # (added with `+` to other cotangents of x: elementwise)
        return cotangents(x, parts)
    return parts


def matmul_grad_a(g, a, b):
    """Cotangent of `a` in `a @ b`, for every combination of ranks."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 2 and nb == 2:
        return g @ b.T
    if na == 2 and nb == 1:
        return np.multiply.outer(g, b)
    if na == 1 and nb == 1:
        return g * b
    if na == 1:
        return unbroadcast((b @ g[..., None])[..., 0], a)
    if nb == 1:
        return unbroadcast(g[..., None] * b, a)
    return unbroadcast(g @ np.swapaxes(b, -1, -2), a)


def matmul_grad_b(g, a, b):
    """Cotangent of `b` in `a @ b`, for every combination of ranks."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 2:
        return a.T @ g if nb == 2 else (g @ a if nb == 1 else unbroadcast(np.swapaxes(a, -1, -2) @ g, b))
    if na == 1 and nb == 1:
        return g * a
    if na == 1:
        return unbroadcast(a[:, None] * g[..., None, :], b)
    if nb == 1:
        return unbroadcast((np.swapaxes(a, -1, -2) @ g[..., None])[..., 0], b)
    return unbroadcast(np.swapaxes(a, -1, -2) @ g, b)


def dot_grad_a(g, a, b):
    """Cotangent of `a` in `np.dot(a, b)`, for every combination of ranks."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    if np.ndim(b) <= 2:
        return matmul_grad_a(g, a, b)
    q = np.ndim(b)  # g's last q - 1 axes are b's axes other than the contracted one (q - 2)
    return np.tensordot(g, b, axes=(list(range(np.ndim(a) - 1, np.ndim(g))), list(range(q - 2)) + [q - 1]))


def dot_grad_b(g, a, b):
    """Cotangent of `b` in `np.dot(a, b)`, for every combination of ranks."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    if np.ndim(b) <= 2 and np.ndim(a) <= 2:
        return matmul_grad_b(g, a, b)
    p = np.ndim(a) - 1  # a's free axes lead g
    if np.ndim(b) == 1:
        return np.tensordot(a, g, axes=(list(range(p)), list(range(p))))
    out = np.tensordot(a, g, axes=(list(range(p)), list(range(p))))  # (n, *b.shape[:-2], m)
    return np.moveaxis(out, 0, np.ndim(b) - 2)


def untranspose(g, axes):
    """Cotangent of `np.transpose(a, axes)` (also `a.transpose(*axes)`): the inverse permutation."""
    if axes is not None and len(axes) == 1 and np.ndim(axes[0]) == 1:
        axes = tuple(axes[0])  # a.transpose((1, 0))
    if axes is None or len(axes) == 0:
        return np.transpose(g)
    return np.transpose(g, _ints(np.argsort(np.mod(axes, np.ndim(g)))))


def concat(a, b):
    """`a + b` of two lists (or tuples): their concatenation, also of (co)tangent lists."""
    if isinstance(a, _Elementwise) or isinstance(b, _Elementwise):
        return cotangents(a, list(a) + list(b))
    return a + b


def repeat(a, n):
    """`a * n` of a list (or tuple): `a` repeated `n` times, also for a (co)tangent list."""
    if isinstance(a, _Elementwise):
        return cotangents(a, list(a) * n)
    return a * n


def head(c, a):
    """The part of the cotangent `c` of `a + b` that belongs to `a`."""
    return cotangents(a, c[:len(a)]) if len(c) else c  # [] stands for zero


def tail(c, a, b):
    """The part of the cotangent `c` of `a + b` that belongs to `b`."""
    return cotangents(b, c[len(a):]) if len(c) else c


def unrepeat_list(c, a):
    """The cotangent of `a` from the cotangent `c` of `a * n`: its `n` parts summed."""
    if not len(c) or not len(a):
        return c
    total = cotangents(a, c[:len(a)])
    for start in range(len(a), len(c), len(a)):
        total = add(total, cotangents(a, c[start:start + len(a)]))
    return total


class InPlaceWriteError(S2SError, ValueError):
    """`y += e` met an array (or list) that another name still shares: NumPy writes it in
    place, which the derivative, made for `y = y + e`, cannot follow (copy first)."""


def rebinds(y, others, message):
    """Check that `y += e`, differentiated as `y = y + e`, may rebind `y`: it does on numbers
    and tuples; on an array (or a list) it writes in place, which `others` must not see."""
    if isinstance(y, (np.ndarray, list)) and any(_sees(v, y) for v in others):
        raise InPlaceWriteError(message)


def passed_as_value(y, message):
    """Check that a callee's `v += e` on the argument `y` or on an entry of it, differentiated as
    `v = v + e`, rebinds `v`: neither `y` nor anything it holds (in a tuple, a dict, a field of a
    dataclass) is an array or a list, which `+=` would change in place (numbers and tuples are
    rebound); nor an object this cannot look into."""
    if _changeable(y):
        raise InPlaceWriteError(message)


def entries_passed_as_value(y, message):
    """Check that a callee's `v += e` on an entry `v` of the argument `y` (`y[i]`, a target of
    unpacking `y`, or what one holds), differentiated as `v = v + e`, rebinds `v`: no entry of
    `y` is or holds an array or a list. The entries of an array of numbers of one dimension
    are numbers; those of an array of more dimensions are views of its rows."""
    if _entries_changeable(y):
        raise InPlaceWriteError(message)


def copied_entries_passed_as_value(y, message):
    """Check that a callee's write into an entry `v` of a copy of the argument `y` (`y.copy()`,
    `y + z` or `y * n`, indexed or iterated) changes nothing `y` holds: the copy of an array of
    numbers holds numbers of its own; that of a list, tuple or dict holds the entries of `y`,
    none of which may then be or hold an array or a list (as `entries_passed_as_value`)."""
    if not (type(y) is np.ndarray and y.dtype.kind in "biufc") and _entries_changeable(y):
        raise InPlaceWriteError(message)


def _entries_changeable(y):
    if type(y) is np.ndarray:
        return y.ndim > 1 or y.dtype.kind not in "biufc"   # rows, or objects, or views of records
    if isinstance(y, (list, tuple)):
        return any(_changeable(v) for v in y)
    if isinstance(y, dict):
        return any(_changeable(v) for v in (*y, *y.values()))
    return not isinstance(y, _UNCHANGEABLE)


# What `+=` rebinds and nothing writes into (a NumPy record's scalar is a view: not here).
_UNCHANGEABLE = (int, float, complex, np.number, np.bool_, str, bytes, type(None))
_IN_PLACE = ("__iadd__", "__isub__", "__imul__", "__imatmul__", "__itruediv__", "__ifloordiv__", "__imod__",
             "__ipow__", "__ilshift__", "__irshift__", "__iand__", "__ixor__", "__ior__")


def _changeable(v, seen=None):
    """Is `v`, or anything it holds, an array or a list, or anything else an augmented assignment
    may change in place (or an object this cannot look into)?"""
    if isinstance(v, _UNCHANGEABLE):
        return False
    seen = set() if seen is None else seen
    if id(v) in seen:
        return False   # looked into already, higher up
    seen.add(id(v))
    if type(v) is dict:   # (its `|=` is not `+=`: what it holds is what matters)
        return any(_changeable(u, seen) for u in (*v, *v.values()))
    if any(hasattr(type(v), m) for m in _IN_PLACE):
        return True
    if isinstance(v, tuple):
        return any(_changeable(u, seen) for u in v)
    if _is_dataclass(v):
        return any(_changeable(getattr(v, f.name), seen) for f in dataclasses.fields(v))
    return True   # an object whose contents cannot be seen from here


def _sees(v, y):
    """May `v` (an array, or a container of them) see a write into the array or list `y`?"""
    if v is y:
        return True
    if isinstance(v, (list, tuple)):
        return any(_sees(u, y) for u in v)
    if isinstance(v, dict):
        return any(_sees(u, y) for u in v.values())
    if _is_dataclass(v):   # (a record made here holds its fields' arrays themselves)
        return any(_sees(getattr(v, f.name), y) for f in dataclasses.fields(v))
    return isinstance(v, np.ndarray) and isinstance(y, np.ndarray) and np.may_share_memory(v, y)


def stop_gradient(x):
    """The identity, with zero derivative: `x` is used as a constant.

        >>> s2s.grad(lambda x: x * s2s.stop_gradient(x))(3.0)
        3.0
    """
    return x


class OutputShapeError(S2SError, TypeError):
    """A gradient was asked of a function whose output has more than one entry."""


class ArgumentShapeError(S2SError, TypeError):
    """Code written for arguments of given shapes and dtypes (`s2s grad --shape/--like`) was called
    with an argument of another."""


def expect_like(value, name, shape, dtype):
    """Refuse an argument that code specialised to it was not written for: `shape` None means a
    Python number of type `dtype` ("float", "int"); else a NumPy array or scalar of that shape and dtype."""
    if shape is None:
        if type(value).__name__ == dtype:
            return
        wanted = f"a Python {dtype}"
    else:
        if (type(value) is np.ndarray or isinstance(value, np.generic)) and value.shape == shape \
                and value.dtype.name == dtype:
            return
        wanted = f"a {dtype} array of shape {shape}"
    got = (f"a {value.dtype.name} array of shape {value.shape}" if hasattr(value, "shape") and hasattr(value, "dtype")
           else f"of type {type(value).__name__}")
    raise ArgumentShapeError(f"this code was generated for {name} = {wanted} (s2s grad --shape/--like), but {name} "
                             f"is {got}: generate it again for these arguments, or without --shape/--like for any")


def expect_tree_like(value, name, tree):
    """Refuse an argument that code specialised to a list, tuple or dict of float64 arrays was not
    written for: `tree` is its structure, a list, tuple or dict (as the argument was) of the
    arrays' shapes, or of tuples of them."""
    if not _tree_matches(value, tree):
        raise ArgumentShapeError(f"this code was generated for {name} = a {type(tree).__name__} of float64 arrays "
                                 f"of shapes {tree} (s2s grad --like), but {name} is not one: generate it again "
                                 "for these arguments, or without --like for any")


def _tree_matches(value, tree) -> bool:
    if type(value) is not type(tree) or len(value) != len(tree):
        return False
    if type(tree) is dict:   # the same keys, in the same order (the code iterates in it)
        if list(value) != list(tree):
            return False
        value, tree = list(value.values()), list(tree.values())
    for v, t in zip(value, tree):
        if all(type(n) is int for n in t):   # an array's shape
            if not (type(v) is np.ndarray and v.dtype == np.float64 and v.shape == t):
                return False
        elif not _tree_matches(v, t):
            return False
    return True


def grad_seed(out):
    """The cotangent that starts a gradient: one, for a scalar output (ones, for an array of one entry)."""
    if getattr(out, "ndim", 0) == 0 and not isinstance(out, (list, tuple, dict)):
        return 1.0
    if isinstance(out, (list, tuple, dict)) or size_of(out) != 1:
        raise OutputShapeError(f"s2s.grad needs a function that returns a scalar, but it returned an array of "
                               f"shape {np.shape(out)}; use s2s.vjp for functions with array outputs")
    if foreign_array(out):
        return np.ones_like(out, dtype=np.result_type(out, 1.0))
    return np.ones(np.shape(out), dtype=np.result_type(out, 1.0))


# ---- reductions and linear algebra ----

def _grouped(x, axis):
    """`x` with the axes of `axis` (None: all) moved last and merged into one, and
    the function that takes an array of that layout back to `x`'s."""
    nd = np.ndim(x)
    axes = tuple(range(nd)) if axis is None else tuple(int(a) % nd for a in np.atleast_1d(axis))
    perm = [a for a in range(nd) if a not in axes] + list(axes)
    moved = np.transpose(x, perm)
    return (np.reshape(moved, moved.shape[:nd - len(axes)] + (-1,)),
            lambda y: np.transpose(np.reshape(y, moved.shape), _ints(np.argsort(perm))))


def _poly_mul(p, q, terms):
    """Product of two polynomials in ε_1..ε_m with ε_r² = 0, stored by subset of {1..m}."""
    out = [0.0] * terms
    for s in range(terms):
        sub = s
        while True:
            out[s] = out[s] + p[sub] * q[s ^ sub]
            if sub == 0:
                break
            sub = (sub - 1) & s
    return out


def prod_grad(x, axis=None, dirs=()):
    """The gradient in `x` of the derivative of `np.prod(x, axis)` along each of `dirs`
    (arrays shaped like `x`), summed over the output. Without `dirs`: each entry gets
    the product of the other entries it is multiplied with. Exclusive products from
    both ends, never a division, so zeros are fine; the rule of this helper is this
    helper with one more direction, so every order of derivative is available."""
    flat, back = _grouped(x, axis)
    if not dirs:
        ones = np.ones_like(flat[..., :1])
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        return back(left * right)
    terms = 2 ** len(dirs)
    factors = [_grouped(d, axis)[0] for d in dirs]
    one = [np.ones_like(flat[..., 0])] + [0.0] * (terms - 1)
    prefix, suffix = [one], [one]
    n = flat.shape[-1]
    for j in range(n - 1):  # prefix[j]: entries before j; suffix[j]: entries after n - 1 - j
        for acc, k in ((prefix, j), (suffix, n - 1 - j)):
            factor = [flat[..., k]] + [0.0] * (terms - 1)
            for r, d in enumerate(factors):
                factor[1 << r] = d[..., k]
            acc.append(_poly_mul(acc[-1], factor, terms))
    out = np.stack([_poly_mul(prefix[k], suffix[n - 1 - k], terms)[-1] + np.zeros_like(flat[..., 0])
                    for k in range(n)], axis=-1)
    return back(out)


def undiagonal(g, x, offset=0, axis1=0, axis2=1):
    """Cotangent of `np.diagonal(x, offset, axis1, axis2)`: zeros shaped like `x` with
    `g` on that diagonal."""
    dtype, like = np.result_type(x, g, 1.0), _foreign_of(g, x)
    if like is not None and np.ndim(g):   # no view to write into: g's rows times a mask of the diagonal
        rows, columns = np.shape(x)[axis1], np.shape(x)[axis2]
        start = max(-offset, 0)
        padded = np.pad(g, [(0, 0)] * (np.ndim(g) - 1) + [(start, rows - start - np.shape(g)[-1])])
        mask = np.asarray(np.eye(rows, columns, k=offset, dtype=dtype), like=like)
        return np.moveaxis(_like(padded, like, dtype)[..., :, None] * mask, (-2, -1), (axis1, axis2))
    out = np.zeros(np.shape(x), dtype=dtype)
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    n = np.shape(g)[-1] if np.ndim(g) else 0
    rows = np.arange(n) + max(-offset, 0)
    view[..., rows, rows + offset] = g
    return out


_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # sublist labels 0..51, as NumPy orders them


def _sublist_form(args, k):
    """(subscripts, operands, k) of `np.einsum(*args)` in the sublist form, `np.einsum(a, [0, 1], b, [1, 2], [0, 2])`
    (operands and their sublists alternate, then an optional output sublist), as the string form says it:
    `('AB,BC->AC', [a, b], k // 2)`; `k` is the position of an operand among `args`."""
    if k % 2:
        raise TypeError("a sublist of np.einsum (np.einsum(a, [0, 1], ...)) carries no derivative")

    def letters(sublist):
        return "".join("..." if label is Ellipsis else _LABELS[int(label)] for label in sublist)
    pairs = len(args) // 2
    subscripts = ",".join(letters(args[2 * i + 1]) for i in range(pairs))
    if len(args) % 2:
        subscripts += "->" + letters(args[-1])
    return subscripts, [args[2 * i] for i in range(pairs)], k // 2


def _einsum_parts(subscripts, operands):
    """(input subscripts, output subscripts) of an einsum, explicit, without `...`."""
    subscripts = subscripts.replace(" ", "")
    ins, arrow, out = subscripts.partition("->")
    ins = ins.split(",")
    if not arrow:
        letters = "".join(ins).replace(".", "")
        out = ("..." if "..." in subscripts else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if "..." in subscripts:
        free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in subscripts]
        ranks = [np.ndim(o) - len(s.replace("...", "")) for s, o in zip(ins, operands)]
        width = max(ranks)
        ins = [s.replace("...", "".join(free[width - r:width])) for s, r in zip(ins, ranks)]
        out = out.replace("...", "".join(free[:width]))
    return ins, out


def einsum_of(subscripts, a, b=None, c=None, d=None, e=None, f=None):
    """`np.einsum(subscripts, a, b, ...)` of the operands that are not None."""
    return np.einsum(subscripts, *[o for o in (a, b, c, d, e, f) if o is not None])


def einsum_grad(g, subscripts, k, a, b=None, c=None, d=None, e=None, f=None):
    """Cotangent of operand `k` of `np.einsum(subscripts, a, b, ...)`: an einsum of `g` with
    the other operands, spread over the axes that only operand `k` has and put on
    the diagonals it takes (``'ii->'``). Operand `k` gives only its shape. In the sublist
    form, `np.einsum(a, [0, 1], b, [1, 2])`, `subscripts` is the first operand and `k` the
    position of the operand after it (-1: `subscripts` itself)."""
    operands = [o for o in (a, b, c, d, e, f) if o is not None]
    if not isinstance(subscripts, str):
        subscripts, operands, k = _sublist_form([subscripts] + operands, k + 1)
    ins, out = _einsum_parts(subscripts, operands)
    target = ins[k]
    others = [(s, o) for i, (s, o) in enumerate(zip(ins, operands)) if i != k]
    known = set(out).union(*[s for s, _ in others])
    letters = "".join(dict.fromkeys(target))                  # target's letters, each once
    kept = "".join(c for c in letters if c in known)
    spec = ",".join([out] + [s for s, _ in others]) + "->" + kept
    dtype = np.result_type(g, *operands, 1.0)
    like = _foreign_of(g, *operands)
    if like is not None:   # of that library: g spread over the axes the operand has alone, no view written
        if len(letters) != len(target):
            raise ForeignArrayError(f"einsum_grad: an operand of an einsum of arrays of another library has a "
                                    f"repeated subscript ({target!r}, a diagonal), whose cotangent s2s writes into a "
                                    f"view, which that library does not give: differentiate NumPy arrays there")
        summed = np.einsum(spec, _like(g, like, dtype), *[_like(o, like, dtype) for _, o in others])
        summed = np.expand_dims(summed, tuple(i for i, c in enumerate(letters) if c not in known))
        broadcast = tuple(i for i, (n, m) in enumerate(zip(np.shape(operands[k]), np.shape(summed))) if n == 1 and m != 1)
        summed = np.sum(summed, axis=broadcast, keepdims=True) if broadcast else summed
        return np.zeros(np.shape(operands[k]), dtype=dtype, like=like) + summed
    summed = np.einsum(spec, np.asarray(g, dtype), *[np.asarray(o, dtype) for _, o in others])
    result = np.zeros(np.shape(operands[k]), dtype=dtype)
    view = np.einsum(f"{target}->{letters}", result) if target else result  # a writable view on the diagonals
    summed = np.expand_dims(summed, tuple(i for i, c in enumerate(letters) if c not in known))
    broadcast = tuple(i for i, (n, m) in enumerate(zip(np.shape(view), np.shape(summed))) if n == 1 and m != 1)
    view[...] = np.sum(summed, axis=broadcast, keepdims=True) if broadcast else summed  # a size-1 axis einsum broadcast
    return result


def tensordot_subscripts(a, b, axes=2):
    """The einsum subscripts of `np.tensordot(a, b, axes)`."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 0 or nb == 0:  # np.inner with a number: a product
        axes = ((), ())
    elif np.ndim(axes) == 0:
        axes = (list(range(na - axes, na)), list(range(axes)))
    left, right = ([int(i) % n for i in np.atleast_1d(ax)] for ax, n in zip(axes, (na, nb)))
    sa = "abcdefghijklm"[:na]
    sb = ["nopqrstuvwxyz"[i] for i in range(nb)]
    for i, j in zip(left, right):
        sb[j] = sa[i]
    sb = "".join(sb)
    return (f"{sa},{sb}->" + "".join(c for i, c in enumerate(sa) if i not in left)
            + "".join(c for j, c in enumerate(sb) if j not in right))


def kron_subscripts(a, b):
    """Einsum subscripts of `np.kron(a, b)`, both operands padded to the same rank (`kron_padding`),
    with its output split as (a0, b0, a1, b1, ...): every output letter is an input's."""
    n = max(np.ndim(a), np.ndim(b))
    sa, sb = "abcdefghijklm"[:n], "nopqrstuvwxyz"[:n]
    return f"{sa},{sb}->" + "".join(x + y for x, y in zip(sa, sb))


def kron_padding(x, other):
    """The shape of `x` padded with 1s in front to the rank of `np.kron(x, other)`."""
    return (1,) * (max(np.ndim(x), np.ndim(other)) - np.ndim(x)) + np.shape(x)


def kron_shape(a, b):
    """The shape (a0, b0, a1, b1, ...) of `np.kron(a, b)` split by factor (shapes padded with 1s in front)."""
    n = max(np.ndim(a), np.ndim(b))
    sa, sb = (1,) * (n - np.ndim(a)) + np.shape(a), (1,) * (n - np.ndim(b)) + np.shape(b)
    return tuple(d for pair in zip(sa, sb) for d in pair)


def norm_order(x, ord=None, axis=None):
    """The p of the vector p-norm that `np.linalg.norm(x, ord, axis)` computes (2 for the
    Frobenius norm); the other matrix norms are not p-norms (see `matrix_axes`)."""
    matrix = (axis is None and np.ndim(x) == 2 and ord is not None) or np.ndim(axis) == 1 and len(axis) == 2
    if ord is None or ord == "fro":
        return 2.0
    if matrix or isinstance(ord, str) or ord == 0:
        raise NotImplementedError(f"s2s has no derivative rule for np.linalg.norm with ord={ord!r} over a matrix; "
                                  "register one with s2s.rule(np.linalg.norm, ...)")
    return float(ord)

def median_weights(a, axis=None):
    """Weights `w` shaped like `a` with `np.median(a, axis) == np.sum(a * w, axis)` near `a`:
    1 on the middle entry of each slice, 1/2 on each of the two middle entries of an even
    count, 0 elsewhere. Piecewise constant (ties are broken by position)."""
    flat, back = _grouped(a, axis)
    n = flat.shape[-1]
    ranks = np.argsort(np.argsort(flat, axis=-1), axis=-1)
    middle = (ranks == (n - 1) // 2).astype(np.result_type(a, 1.0)) + (ranks == n // 2)
    return back(middle / 2)


def chain_product(arrays):
    """`arrays[0] @ arrays[1] @ ...`: `np.linalg.multi_dot`, and for one array that array."""
    out = arrays[0]
    for x in arrays[1:]:
        out = out @ x
    return out


# ---- sorted(xs): a permutation of the elements; list(xs), tuple(xs) ----

__all__ += ["unsort", "resort", "unlist", "relist", "iterated", "uniterated", "reiterated"]


def _sort_order(xs, reverse, key=None):
    """The positions of `xs`'s elements in the order `sorted(xs, key=key, reverse=reverse)` lists them
    (both sorts are stable)."""
    values = list(xs) if key is None else [key(v) for v in xs]
    return sorted(range(len(values)), key=values.__getitem__, reverse=reverse)


def unsort(c, xs, reverse=False, key=None):
    """Cotangent of `sorted(xs, key=key)`: the k-th element's cotangent goes back where that element came
    from (a dict's sorted keys carry none)."""
    if isinstance(xs, dict):
        return zeros_like(xs)
    out = [None] * len(c)
    for c_k, j in zip(c, _sort_order(xs, reverse, key)):
        out[j] = c_k
    if isinstance(xs, np.ndarray) or foreign_array(xs):
        return _rows(out, xs)
    return cotangents(xs, out)


def resort(c, xs, reverse=False, key=None):
    """Tangent of `sorted(xs, key=key)`: the tangents in the sorted order (the adjoint of `unsort`)."""
    if isinstance(xs, dict):
        return CotangentList([0.0] * len(xs))
    return CotangentList([c[j] for j in _sort_order(xs, reverse, key)])


def _rows(items, xs):
    """The cotangents `items` of the rows of the array `xs`, as one array like `xs` (of its library)."""
    if foreign_array(xs) and items:
        return np.reshape(np.stack([_like(v, xs, np.result_type(xs, 1.0)) for v in items]), np.shape(xs))
    return np.array(items, dtype=np.result_type(xs, 1.0)).reshape(np.shape(xs))


def unlist(c, xs):
    """Cotangent of `list(xs)` or `tuple(xs)`: the elements' cotangents, in `xs`'s kind of container
    (a dict's keys carry none)."""
    if isinstance(xs, dict):
        return zeros_like(xs)
    if isinstance(xs, np.ndarray) or foreign_array(xs):
        return _rows(list(c), xs)
    return cotangents(xs, list(c))


def relist(c, xs, kind=list):
    """Tangent of `list(xs)` (`kind` list) or `tuple(xs)` (tuple): `c`'s elements in that container."""
    items = [0.0] * len(xs) if isinstance(xs, dict) else list(c)
    return CotangentTuple(items) if kind is tuple else CotangentList(items)


def iterated(xs):
    """What `for v in xs` iterates over, indexable by position: `xs` itself for a list, tuple,
    array, range or string; a dict's keys as a list (Python iterates a dict's keys)."""
    if isinstance(xs, (list, tuple, np.ndarray, range, str)) or foreign_array(xs):
        return xs
    if isinstance(xs, dict):
        return list(xs)
    raise TypeError(f"s2s iterates a for loop by position, which a {type(xs).__name__} does not have: "
                    f"loop over list(...) of it, or over a list, tuple, array or dict")


def uniterated(c, xs):
    """Cotangent of `iterated(xs)`: the elements' cotangents as they are (a dict's keys carry none)."""
    return zeros_like(xs) if isinstance(xs, dict) else c


def reiterated(c, xs):
    """Tangent of `iterated(xs)`: `c` (a dict's keys carry none)."""
    return CotangentList([0.0] * len(xs)) if isinstance(xs, dict) else c


# ---- sequences along an axis ----

def undiff(g, n=1, axis=-1):
    """Cotangent of `a` in `np.diff(a, n, axis)`: the transposed difference, n times, which
    is the difference of `g` padded with n zeros at both ends along `axis`, times (-1)^n."""
    widths = [(0, 0)] * np.ndim(g)
    widths[axis] = (n, n)
    return np.diff(np.pad(g, widths), n, axis) * (-1) ** n


def convolve_pad(a, v, mode="full"):
    """(before, after): the zeros around the output of `np.convolve(a, v, mode)` (or of
    `np.correlate`) that give the output of mode 'full'."""
    m, n = np.size(a), np.size(v)
    kind = mode[0].lower()
    start = {"f": 0, "s": (min(m, n) - 1) // 2, "v": min(m, n) - 1}[kind]
    length = {"f": m + n - 1, "s": max(m, n), "v": max(m, n) - min(m, n) + 1}[kind]
    return (start, m + n - 1 - start - length)


# ---- shape operations ----

def uncast(g, x, dtype=float):
    """Cotangent of `x` in `x.astype(dtype)`: `g` in `x`'s float dtype. A cast to an
    integer or bool dtype is piecewise constant, so its derivative is zero. A complex dtype
    raises: s2s differentiates real values only."""
    if np.issubdtype(dtype, np.complexfloating):
        raise TypeError("a cast to a complex dtype in a differentiated computation: s2s differentiates real values only")
    if not np.issubdtype(dtype, np.inexact):
        return zeros_like(x)
    dtype = np.result_type(x if hasattr(x, "dtype") else np.asarray(x), 1.0)  # x: also a list
    return _like(g, x, dtype) if foreign_array(g) else np.asarray(g, dtype=dtype)   # (np.asarray computes a dask g)


def unarray(g, x):
    """Cotangent of `x` in `np.array(x)`: `g` split into `x`'s nesting of lists and
    tuples, each part in its own shape and float dtype."""
    if isinstance(x, (list, tuple)):
        while np.ndim(g) > 0 and len(g) != len(x):  # leading axes added by ndmin=
            g = g[0]
        return type(x)(unarray(gi, xi) for gi, xi in zip(g, x))
    return uncast(np.reshape(g, np.shape(x)), x)


def unconcatenate(g, arrays, axis=0):
    """Cotangents of the parts of a join along `axis` (None: of the flattened parts), each
    shaped like its part. `np.concatenate`, `np.stack`, `np.hstack`, `np.vstack` and
    `np.column_stack` differ only in how they reshape the parts before joining them."""
    if axis is None:
        g, axis = np.ravel(g), 0
    axis = axis % np.ndim(g)
    across = size_of(g) // np.shape(g)[axis] if size_of(g) else 1  # entries per slice along axis
    ends = np.cumsum([size_of(a) // across for a in arrays])
    pieces = [g[(slice(None),) * axis + (slice(start, end),)] for start, end in zip([0, *ends[:-1]], ends)]
    parts = [uncast(np.reshape(p, np.shape(a)), a) for p, a in zip(pieces, arrays)]
    return np.stack(parts) if isinstance(arrays, np.ndarray) or foreign_array(arrays) else type(arrays)(parts)


def reconcatenate(parts, c, axis=0):
    """The adjoint of `unconcatenate(c, arrays, axis)` in `c`: `parts` joined back into `c`'s shape."""
    if axis is None:
        return np.reshape(np.concatenate([np.ravel(p) for p in parts]), np.shape(c))
    shape = list(np.shape(c))
    shape[axis] = -1
    return np.concatenate([np.reshape(p, shape) for p in parts], axis)


def untile(g, a, reps):
    """Cotangent of `a` in `np.tile(a, reps)`: the sum of `g` over the tiles."""
    shape, reps = np.shape(a), (reps,) if np.ndim(reps) == 0 else tuple(reps)
    d = max(len(shape), len(reps))
    pairs = zip((1,) * (d - len(reps)) + reps, (1,) * (d - len(shape)) + shape)
    g = np.reshape(g, [n for pair in pairs for n in pair])  # (tile, entry) axis pairs
    return np.reshape(np.sum(g, axis=tuple(range(0, 2 * d, 2))), shape)


def untake(g, a, indices, axis=None, mode="raise"):
    """Cotangent of `a` in `np.take(a, indices, axis, mode=mode)`: zeros shaped like `a`
    with `g` added at `indices` (repeated indices accumulate)."""
    dtype = np.result_type(a, 1.0)
    n = size_of(a) if axis is None else np.shape(a)[axis]
    if mode == "wrap":
        indices = np.mod(indices, n)
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    like = _foreign_of(g, a)
    if like is not None:   # written into a new array of that library, flat where `axis` is None
        if axis is None:
            return np.reshape(_scattered(np.zeros(n, dtype=dtype, like=like), indices, g, "untake"), np.shape(a))
        index = (slice(None),) * (axis % np.ndim(a)) + (indices,)
        return _scattered(np.zeros(np.shape(a), dtype=dtype, like=like), index, g, "untake")
    out = np.zeros(np.shape(a), dtype=dtype)
    target = np.reshape(out, -1) if axis is None else out  # a view of out
    index = indices if axis is None else (slice(None),) * (axis % np.ndim(out)) + (indices,)
    np.add.at(target, index, g)
    return out


def _foreign_of(*values):
    """The first of `values` that is an array of another library, or None."""
    return next((v for v in values if foreign_array(v)), None)


def untake_along(g, arr, indices, axis=-1):
    """Cotangent of `arr` in `np.take_along_axis(arr, indices, axis)` (and of `np.sort`, with
    the sorting permutation): zeros shaped like `arr` with `g` added where the entries
    came from (repeated indices accumulate)."""
    if axis is None:
        return untake(g, arr, indices)
    like, dtype = _foreign_of(g, arr), np.result_type(arr, 1.0)
    out = np.zeros(np.shape(arr), dtype=dtype) if like is None else np.zeros(np.shape(arr), dtype=dtype, like=like)
    axis = axis % np.ndim(out)
    index = tuple(indices if d == axis else np.reshape(np.arange(k), (-1,) + (1,) * (np.ndim(out) - 1 - d))
                  for d, k in enumerate(np.shape(g)))
    if like is not None:
        return _scattered(out, index, g, "untake_along")
    np.add.at(out, index, g)
    return out


def unrepeat(g, a, repeats, axis=None):
    """Cotangent of `a` in `np.repeat(a, repeats, axis)`: each entry gets the sum of its copies."""
    copied_from = np.repeat(np.reshape(np.arange(np.size(a)), np.shape(a)), repeats, axis)
    return untake(g, a, copied_from)


_COPYING_PADS = ("edge", "reflect", "symmetric", "wrap")


def unpad(g, pad_width, mode="constant"):
    """Cotangent of the array in `np.pad(array, pad_width, mode)`: `g` without the padding, and for the
    modes that pad with copies of entries, the copies' cotangents added to the entries they copy."""
    if mode != "constant" and mode not in _COPYING_PADS:
        raise NotImplementedError(f"s2s differentiates np.pad only with mode='constant', 'edge', 'reflect', "
                                  f"'symmetric' or 'wrap', not mode={mode!r}")
    widths = np.broadcast_to(pad_width, (np.ndim(g), 2))
    inner = tuple(slice(before, n - after) for (before, after), n in zip(widths, np.shape(g)))
    if mode == "constant":
        return g[inner]
    shape = np.shape(g[inner])
    copied_from = np.pad(np.reshape(np.arange(np.prod(shape, dtype=int)), shape), pad_width, mode)
    return untake(g, np.zeros(shape, dtype=np.result_type(g)), copied_from)


def repad(t, pad_width, mode="constant"):
    """Tangent of `np.pad(array, pad_width, mode)` (the adjoint of `unpad`): `t` padded with zeros, or
    with copies of its entries."""
    if mode != "constant" and mode not in _COPYING_PADS:
        raise NotImplementedError(f"s2s differentiates np.pad only with mode='constant', 'edge', 'reflect', "
                                  f"'symmetric' or 'wrap', not mode={mode!r}")
    return np.pad(t, pad_width, mode)


# ---- *args and zip(*pairs) (see transforms/packing.py) ----
def as_tuple(xs):
    """`tuple(xs)`: what `*rest` receives from `*xs`; a (co)tangent list stays one."""
    return CotangentTuple(xs) if isinstance(xs, _Elementwise) else tuple(xs)


def as_list(xs):
    """`list(xs)`: what `[*xs]` holds; a (co)tangent tuple stays one."""
    return CotangentList(xs) if isinstance(xs, _Elementwise) else list(xs)


def like(c, xs):
    """The cotangent `c` of `as_tuple(xs)` or `as_list(xs)`, as a list or tuple like `xs`."""
    return cotangents(xs, list(c)) if len(c) else c  # [] stands for zero


def transposed(xs):
    """`tuple(zip(*xs))`: rows of columns (Python's `zip(*pairs)`), also of (co)tangents."""
    if isinstance(xs, _Elementwise):  # a row [] is a zero row
        n = min((len(row) for row in xs if len(row)), default=0)
        rows = [row if len(row) else [0.0] * n for row in xs]
        return CotangentTuple(CotangentTuple(column) for column in zip(*rows))
    return tuple(zip(*xs))


def untransposed(c, xs):
    """The cotangent of `xs` from the cotangent `c` of `transposed(xs)`: entry (i, j) is c[j][i]
    (zero where zip stopped at the shortest row or `c` is a zero `[]`)."""
    def entry(i, j):
        row = c[j] if j < len(c) else []
        return row[i] if len(row) else zeros_like(xs[i][j])

    def row(i, x):  # zip(*arrays) iterates their rows: an array gets an array
        items = [entry(i, j) for j in range(len(x))]
        return np.array(items, dtype=np.result_type(x, 1.0)) if isinstance(x, np.ndarray) else cotangents(x, items)
    return cotangents(xs, [row(i, x) for i, x in enumerate(xs)])


def unstarred(xs, before, after):
    """The values of `a, *b, c = xs` (`before` targets before the starred one, `after` after it),
    the starred part a list; a ValueError, as Python's, when `xs` is too short."""
    items, n = list(xs), len(xs)
    if n < before + after:
        raise ValueError(f"not enough values to unpack (expected at least {before + after}, got {n})")
    if isinstance(xs, _Elementwise):
        return CotangentTuple(items[:before] + [CotangentList(items[before:n - after])] + items[n - after:])
    return tuple(items[:before]) + (items[before:n - after],) + tuple(items[n - after:])


def restarred(c, xs, before, after):
    """The cotangent of `xs` from the cotangent `c` of `unstarred(xs, before, after)`."""
    if not len(c):
        return c
    n = len(xs)
    middle = list(c[before]) if len(c[before]) else [zeros_like(x) for x in list(xs)[before:n - after]]
    items = list(c[:before]) + middle + list(c[before + 1:])
    return unpacked(xs, tuple(items)) if isinstance(xs, np.ndarray) or foreign_array(xs) else cotangents(xs, items)


def padded(xs, n, defaults):
    """`xs` as the `n` positional arguments it fills in a call `f(*xs)`, the last `len(defaults)` of
    which have those defaults: a tuple of `n`, or a TypeError, as Python's, when `xs` is too long
    or too short."""
    items = list(xs)
    if not n - len(defaults) <= len(items) <= n:
        raise TypeError(f"this call passes {len(items)} positional arguments through `*`, where "
                        f"{n - len(defaults)} to {n} are expected")
    if isinstance(xs, _Elementwise):   # a tangent: the defaults are constants
        return CotangentTuple(items + [zeros_like(d) for d in defaults[len(defaults) - (n - len(items)):]])
    return tuple(items) + tuple(defaults[len(defaults) - (n - len(items)):])


def unpadded(c, xs):
    """The cotangent of `xs` from the cotangent `c` of `padded(xs, n, defaults)`."""
    return cotangents(xs, list(c[:len(xs)])) if len(c) else c


def unit_vectors(a):
    """The unit vectors of `a`'s space, each shaped like `a`, in C order (1.0 for a number):
    the seeds of a Jacobian's rows (or the tangents of its columns)."""
    if isinstance(a, (list, tuple, dict)) or _is_dataclass(a):
        raise S2SError(f"s2s.jacobian is made of arrays and numbers (the argument it is taken with respect to, and "
                       f"the output), not of a {type(a).__name__}",
                       hint="take it with respect to one vector made by s2s.flatten_func, or use s2s.jvp and s2s.vjp")
    if np.ndim(a) == 0:
        return [1.0]
    n = np.size(a)   # (in `a`'s float dtype: a float32 Jacobian stays float32)
    return list(np.reshape(np.eye(n, dtype=np.result_type(a, 1.0)), (n,) + np.shape(a)))


def nothing_left(xs, n, fname):
    """Check that `*xs` in a call to `fname`, whose `n` positional parameters are filled, is empty."""
    if len(xs):
        raise TypeError(f"{fname}() takes {n} positional arguments but {n + len(xs)} were given")


def keeps_default(d, name, default, fname):
    """Check that `f(**d)` leaves `name` at `default`, the only value s2s differentiates `fname` with."""
    if name in d and not (d[name] is default or type(d[name]) is type(default) and d[name] == default):
        raise S2SError(f"s2s differentiates `{fname}` only with {name}={default!r}, but this call passes "
                       f"{name}={d[name]!r} through `**`")


def keywords_in(d, names, required, fname):
    """Check `g(**d)` as Python would: every key of `d` is one of `names` (the parameters the call
    leaves open), and each of `required` is one."""
    for key in d:
        if key not in names:
            raise TypeError(f"{fname}() got an unexpected keyword argument {key!r}, or a second value for it")
    for key in required:
        if key not in d:
            raise TypeError(f"{fname}() missing required argument: {key!r}")


def mvn_dim(mean, cov):
    """The dimension scipy.stats.multivariate_normal takes from its `mean` (else its `cov`)."""
    if mean is not None:
        return np.size(mean)
    return np.shape(cov)[0] if np.ndim(cov) else 1


def mvn_cov(cov, dim):
    """The covariance matrix multivariate_normal reads from `cov` (linear in cov; rules in
    `s2s.rules.scipy_stats`): a matrix's lower triangle mirrored, a vector's diagonal matrix, or a
    number times the identity."""
    if np.ndim(cov) == 2:
        return np.tril(cov) + np.swapaxes(np.tril(cov, -1), -1, -2)
    return np.diag(cov) if np.ndim(cov) == 1 else cov * np.eye(dim, dtype=np.result_type(cov, 1.0))


def mvn_solve(c, rt, allow_singular):
    """C⁻¹ Rᵀ for multivariate_normal's covariance matrix `c`; where `allow_singular`, SciPy's
    pseudo-inverse (eigenvalues at most 1e6 machine epsilons of the largest taken as zero), which is
    C⁻¹ for a C that is not singular. `c` is symmetric (`mvn_cov`). Linear in `rt`; rules in
    `s2s.rules.scipy_stats`."""
    if not allow_singular:
        return np.linalg.solve(c, rt)
    s, u = np.linalg.eigh(c)
    kept = s > 1e6 * np.finfo(np.result_type(c, 1.0)).eps * np.max(np.abs(s))
    return (u * np.where(kept, 1.0 / np.where(kept, s, 1.0), 0.0)) @ (np.swapaxes(u, -1, -2) @ rt)


def mvn_nonsingular(c, allow_singular):
    """`c`, after a check that it is not singular where `allow_singular` lets SciPy take a singular
    covariance: there the density lives on a subspace, and has no derivative with respect to cov."""
    if allow_singular:
        s = np.linalg.eigvalsh(c)
        if np.min(s) <= 1e6 * np.finfo(np.result_type(c, 1.0)).eps * np.max(np.abs(s)):
            raise UndefinedDerivativeError(
                "scipy.stats.multivariate_normal with allow_singular=True has a singular covariance here: its "
                "density lives on a subspace and has no derivative with respect to cov (x and mean are "
                "differentiated along that subspace); differentiate at a covariance that is not singular")
    return c


def unmvn_cov(c, cov):
    """The adjoint of `mvn_cov`: the cotangent of `cov` from the cotangent `c` of the matrix."""
    if np.ndim(cov) == 2:
        return np.tril(c) + np.tril(np.swapaxes(c, -1, -2), -1)
    return np.diagonal(c) if np.ndim(cov) == 1 else np.trace(c)


# Helpers for namedtuples and dataclasses made in differentiated code: they read the helpers above.
from .runtime_records import (as_fields, built, field_tangent, fields_of, parts_in, replaced,  # noqa: E402
                              replaced_parts, unreplaced)

__all__ += ["built", "fields_of", "as_fields", "field_tangent", "replaced", "unreplaced", "replaced_parts", "parts_in"]
