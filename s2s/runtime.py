"""The few helpers generated code calls.

Each is small, pure (never mutates its arguments) and depends on NumPy only,
so the command line can copy them into a standalone module. Every helper is
itself registered with a derivative rule (`s2s.rules.runtime_helpers`), so
generated code can be differentiated again.
"""
import numpy as np

__all__ = ["grad_seed", "unbroadcast", "rebroadcast", "unsum", "unmax", "max_tangent", "unindex", "zeros_like", "add", "matmul_grad_a", "matmul_grad_b",
           "dot_grad_a", "dot_grad_b", "untranspose", "retranspose", "stop_gradient",
           "uncast", "unarray", "unconcatenate", "reconcatenate", "untile", "untake", "unrepeat", "unpad", "repad"]


def unbroadcast(g, x):
    """Sum `g` over the axes along which `x` was broadcast, giving `x`'s shape."""
    shape = getattr(x, "shape", ())  # Python numbers have no shape: ()
    if getattr(g, "shape", ()) == shape:
        return g
    shape = np.shape(x)
    if np.ndim(g) < len(shape) or any(n < m for n, m in zip(np.shape(g)[::-1], shape[::-1])):
        g = np.broadcast_to(g, np.broadcast_shapes(np.shape(g), shape))  # a broadcast cotangent
    g = np.sum(g, axis=tuple(range(np.ndim(g) - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and np.shape(g)[i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    g = np.reshape(g, shape) if np.shape(g) != shape else g
    return g if getattr(g, "flags", None) is None or g.flags.writeable else g.copy()


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
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        g = np.expand_dims(g, tuple(a % len(shape) for a in axes))
    if not shape:
        return g
    out = np.empty(shape, dtype=np.result_type(x, g))  # a Python-float g keeps x's float32
    out[...] = g
    return out


def unmax(g, x, ans, axis=None, keepdims=False):
    """Cotangent of a max (or min) over `axis`: `g` goes to the entries equal to the
    extreme value, split evenly between ties."""
    mask = x == unsum(ans, x, axis, keepdims)
    return unsum(g, x, axis, keepdims) * mask / np.sum(mask, axis=axis, keepdims=True)


def max_tangent(t, x, ans, axis=None, keepdims=False):
    """Tangent of a max (or min) over `axis`: the mean of `t` over the extreme entries."""
    mask = x == unsum(ans, x, axis, keepdims)
    return np.sum(t * mask, axis=axis, keepdims=keepdims) / np.sum(mask, axis=axis, keepdims=keepdims)


def unindex(g, x, index):
    """Cotangent of `x[index]`: zeros shaped like `x` with `g` added at `index`."""
    if isinstance(x, (list, tuple)):
        out = [zeros_like(v) for v in x]
        if isinstance(index, slice):
            for i, gi in zip(range(*index.indices(len(x))), g):
                out[i] = gi
        else:
            out[index] = g
        return type(x)(out) if isinstance(x, tuple) else out
    out = np.zeros(np.shape(x), dtype=np.result_type(x, g) if np.ndim(x) else np.result_type(g))
    np.add.at(out, index, g)
    return out


def zeros_like(x):
    """A zero cotangent for `x`: same shape and float dtype; containers elementwise."""
    if isinstance(x, (list, tuple)):
        return type(x)(zeros_like(v) for v in x)
    if isinstance(x, dict):
        return {k: zeros_like(v) for k, v in x.items()}
    if isinstance(x, (float, int)) or x is None:  # None: a name not yet assigned on this path
        return 0.0
    return np.zeros_like(x, dtype=np.result_type(x, 1.0))


def add(a, b):
    """Sum two cotangents, elementwise through tuples, lists and dicts."""
    if isinstance(a, (list, tuple)):
        return type(a)(add(u, v) for u, v in zip(a, b))
    if isinstance(a, dict):
        return {k: add(a[k], b[k]) for k in a}
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


# ---- shape operations ----

def uncast(g, x, dtype=float):
    """Cotangent of `x` in `x.astype(dtype)`: `g` in `x`'s float dtype. A cast to an
    integer or bool dtype is piecewise constant, so its derivative is zero."""
    if not np.issubdtype(dtype, np.inexact):
        return zeros_like(x)
    return np.asarray(g, dtype=np.result_type(x, 1.0))


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
    across = np.size(g) // np.shape(g)[axis] if np.size(g) else 1  # entries per slice along axis
    bounds = np.cumsum([np.size(a) // across for a in arrays])[:-1]
    parts = [uncast(np.reshape(p, np.shape(a)), a) for p, a in zip(np.split(g, bounds, axis), arrays)]
    return np.stack(parts) if isinstance(arrays, np.ndarray) else type(arrays)(parts)


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
    out = np.zeros(np.shape(a), dtype=np.result_type(a, 1.0))
    target = np.reshape(out, -1) if axis is None else out  # a view of out
    n = np.shape(target)[0 if axis is None else axis]
    if mode == "wrap":
        indices = np.mod(indices, n)
    elif mode == "clip":
        indices = np.clip(indices, 0, n - 1)
    index = indices if axis is None else (slice(None),) * (axis % np.ndim(out)) + (indices,)
    np.add.at(target, index, g)
    return out


def unrepeat(g, a, repeats, axis=None):
    """Cotangent of `a` in `np.repeat(a, repeats, axis)`: each entry gets the sum of its copies."""
    copied_from = np.repeat(np.reshape(np.arange(np.size(a)), np.shape(a)), repeats, axis)
    return untake(g, a, copied_from)


def unpad(g, pad_width, mode="constant"):
    """Cotangent of the array in `np.pad(array, pad_width)`: `g` without the padding."""
    if mode != "constant":
        raise NotImplementedError(f"s2s differentiates np.pad only with mode='constant', not mode={mode!r}")
    widths = np.broadcast_to(pad_width, (np.ndim(g), 2))
    return g[tuple(slice(before, n - after) for (before, after), n in zip(widths, np.shape(g)))]


def repad(t, pad_width, mode="constant"):
    """Tangent of `np.pad(array, pad_width)` (the adjoint of `unpad`): `t` padded with zeros."""
    if mode != "constant":
        raise NotImplementedError(f"s2s differentiates np.pad only with mode='constant', not mode={mode!r}")
    return np.pad(t, pad_width)
