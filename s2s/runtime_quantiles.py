"""Runtime helpers for the rules of `np.quantile` and `np.percentile` (NumPy's default method,
'linear'), which `s2s.runtime` exports (it imports them from here; `s2s.standalone` copies them as
it copies its own). Each depends on NumPy only; the two linear ones have rules in
`s2s.rules.runtime_helpers`.

Of a slice of n entries sorted as s, the quantile at q is (1 - f) s[lo] + f s[hi], where
q (n - 1) = lo + f, hi = lo + 1 (lo = n - 2 at q = 1, so that f is 1 there). Near a point
without ties it is the sum of the entries weighted by `quantile_weights`: 1 - f on the entry of
rank lo and f on the entry of rank hi (ties broken by position, as the median's), so its derivative
in the array is those weights, and they are piecewise constant.
"""
import numpy as np


def _slices(a, axis):
    """(`a` with the axes of `axis` (None: all) moved last and merged into one, the axes reduced, the
    permutation that moved them, the moved array's shape)."""
    nd = np.ndim(a)
    axes = tuple(range(nd)) if axis is None else tuple(int(k) % nd for k in np.atleast_1d(axis))
    perm = [k for k in range(nd) if k not in axes] + list(axes)
    moved = np.transpose(a, perm)
    return np.reshape(moved, moved.shape[:nd - len(axes)] + (-1,)), axes, perm, moved.shape


def quantile_weights(a, q, axis=None):
    """Weights `w` shaped ``np.shape(q) + np.shape(a)`` with ``np.quantile(a, q, axis)[k] ==
    np.sum(a * w[k], axis)`` near `a` (for a number q, `w` is shaped like `a`)."""
    flat, _, perm, moved_shape = _slices(a, axis)
    n = flat.shape[-1]
    ranks = np.argsort(np.argsort(flat, axis=-1, kind="stable"), axis=-1, kind="stable")
    q = np.asarray(q, dtype=float)
    pos = q.reshape(-1) * (n - 1)
    lo = np.clip(np.floor(pos), 0, max(n - 2, 0))
    hi = np.minimum(lo + 1, n - 1)
    f = pos - lo
    dtype = np.result_type(a, 1.0)
    back = np.argsort(perm)
    weights = [np.transpose((((ranks == l) * (1.0 - fk) + (ranks == h) * fk).astype(dtype)).reshape(moved_shape), back)
               for l, h, fk in zip(lo, hi, f)]
    return np.reshape(np.stack(weights), q.shape + np.shape(a))


def _result_axes(a, q, axis, keepdims):
    """The shape, without q's axes, that `g` of ``np.quantile(a, q, axis, keepdims=keepdims)`` takes
    to broadcast against `a` (a 1 on each axis reduced), and the axes of `a` reduced."""
    _, axes, _, _ = _slices(a, axis)
    return tuple(1 if k in axes else n for k, n in enumerate(np.shape(a))), axes


def quantile_cotangent(c, a, q, axis=None, keepdims=False):
    """The cotangent of `a` in ``np.quantile(a, q, axis, keepdims=keepdims)`` given the result's `c`."""
    kept, _ = _result_axes(a, q, axis, keepdims)
    qshape = np.shape(q)
    c = np.reshape(c, qshape + kept)
    return np.sum(c * quantile_weights(a, q, axis), axis=tuple(range(len(qshape))))


def quantile_tangent(t, a, q, axis=None, keepdims=False):
    """The tangent of ``np.quantile(a, q, axis, keepdims=keepdims)`` given the tangent `t` of `a`."""
    _, axes = _result_axes(a, q, axis, keepdims)
    qdims = np.ndim(q)
    return np.sum(np.multiply(t, quantile_weights(a, q, axis)), axis=tuple(qdims + k for k in axes), keepdims=keepdims)
