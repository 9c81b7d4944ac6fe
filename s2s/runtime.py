"""The few helpers generated code calls.

Each is small, pure (never mutates its arguments) and depends on NumPy only,
so the command line can copy them into a standalone module. Every helper is
itself registered with a derivative rule (`s2s.rules.runtime_helpers`), so
generated code can be differentiated again.
"""
import numpy as np

__all__ = ["grad_seed", "unbroadcast", "rebroadcast", "unsum", "unmax", "max_tangent", "unindex", "zeros_like", "add", "matmul_grad_a", "matmul_grad_b",
           "dot_grad_a", "dot_grad_b", "untranspose", "retranspose", "stop_gradient", "setindex", "copy_of"]


class _Elementwise:
    """`+` adds elementwise: the cotangent of a list or tuple is the list (tuple) of its
    elements' cotangents, and generated code accumulates cotangents with `+`."""

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)


class CotangentList(_Elementwise, list):
    """A list of cotangents (or tangents); prints and compares as a list."""


class CotangentTuple(_Elementwise, tuple):
    """A tuple of cotangents (or tangents); prints and compares as a tuple."""


class CotangentDict(_Elementwise, dict):
    """A dict of cotangents (or tangents), one per key; prints and compares as a dict."""


def cotangents(like, items):
    """`items` as a list or tuple of cotangents, after the container `like`."""
    return CotangentTuple(items) if isinstance(like, tuple) else CotangentList(items)


def unbroadcast(g, x):
    """Sum `g` over the axes along which `x` was broadcast, giving `x`'s shape (and, for a
    NumPy float `x`, its dtype: a float32 argument gets a float32 cotangent)."""
    shape = getattr(x, "shape", ())  # Python numbers have no shape: ()
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
    """`g` in `x`'s floating dtype when `x` is a NumPy float of another precision."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or dtype.kind != "f" or getattr(g, "dtype", dtype) == dtype:
        return g
    return g.astype(dtype)


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
    return np.transpose(g, np.mod(axes, np.ndim(g)))


def unsum(g, x, axis=None, keepdims=False):
    """Spread the cotangent of a sum over `axis` back over `x`'s shape."""
    shape = np.shape(x)
    dtype = np.result_type(x, g)  # before expand_dims: a Python-float g keeps x's float32
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        g = np.expand_dims(g, tuple(a % len(shape) for a in axes))
    if not shape:
        return g
    out = np.empty(shape, dtype=dtype)
    out[...] = g
    return out


def unmax(g, x, ans, axis=None, keepdims=False):
    """Cotangent of a max (or min) over `axis`: `g` goes to the entries equal to the
    extreme value, split evenly between ties."""
    mask = x == unsum(ans, x, axis, keepdims)
    spread = unsum(g, x, axis, keepdims)
    return spread * mask / np.sum(mask, axis=axis, keepdims=True, dtype=spread.dtype)


def max_tangent(t, x, ans, axis=None, keepdims=False):
    """Tangent of a max (or min) over `axis`: the mean of `t` over the extreme entries."""
    mask = x == unsum(ans, x, axis, keepdims)
    total = np.sum(t * mask, axis=axis, keepdims=keepdims)
    return total / np.sum(mask, axis=axis, keepdims=keepdims, dtype=np.result_type(total))


def unindex(g, x, index):
    """Cotangent of `x[index]`: zeros shaped like `x` with `g` added at `index`."""
    if isinstance(x, dict):
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
    out = np.zeros(np.shape(x), dtype=dtype if dtype is not None and dtype.kind == "f" else np.result_type(g, 1.0))
    np.add.at(out, index, g)
    return out


def setindex(a, index, v):
    """A copy of `a` with `a[index] = v` (arrays and lists): the functional form of a write."""
    if isinstance(a, dict):
        out = CotangentDict(a)
    else:
        out = list(a) if isinstance(a, (list, tuple)) else np.array(a, dtype=np.result_type(a, 1.0))
    out[index] = v
    return cotangents(a, out) if isinstance(a, (list, tuple)) else out


def copy_of(x):
    """`x` as a value that later in-place writes cannot change."""
    return x.copy() if isinstance(x, np.ndarray) else x


def zeros_like(x):
    """A zero cotangent for `x`: same shape and float dtype; containers elementwise."""
    if isinstance(x, (list, tuple)):
        return cotangents(x, [zeros_like(v) for v in x])
    if isinstance(x, dict):
        return CotangentDict((k, zeros_like(v)) for k, v in x.items())
    if isinstance(x, (float, int)) or x is None:  # None: a name not yet assigned on this path
        return 0.0
    return np.zeros_like(x, dtype=np.result_type(x, 1.0))


def add(a, b):
    """Sum two cotangents, elementwise through tuples, lists and dicts (an empty list is
    the zero cotangent of a list of any length)."""
    if isinstance(a, list) and not a:
        return b
    if isinstance(b, list) and not b:
        return a
    if isinstance(a, (list, tuple)):
        return cotangents(a, [add(u, v) for u, v in zip(a, b)])
    if isinstance(a, dict):
        return CotangentDict((k, add(a[k], b[k])) for k in a)
    return a + b


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
    return np.transpose(g, np.argsort(np.mod(axes, np.ndim(g))))


def stop_gradient(x):
    """The identity, with zero derivative."""
    return x


def grad_seed(out):
    """The cotangent that starts a gradient: one, for a scalar output."""
    if getattr(out, "ndim", 0) == 0 and not isinstance(out, (list, tuple, dict)):
        return 1.0
    if np.ndim(out) != 0:
        raise TypeError(f"s2s.grad needs a function that returns a scalar, but it returned an array of "
                        f"shape {np.shape(out)}; use s2s.vjp for functions with array outputs")
    return 1.0
