"""Runtime helpers for the rules of sequences along an axis and of linear algebra that
`s2s.runtime` exports (it imports them from here; `s2s.standalone` copies them as it
copies its own): the pieces of `np.r_`/`np.c_`, the key of `sorted` by a local function, `np.diff`
with ends, `np.gradient`, `np.interp`, `np.trapezoid`, the axes of matrix norms, and the checks that
the derivatives of `np.linalg.svd` and `np.linalg.eig` rely on. Each is pure and depends on
NumPy only, as the helpers of `s2s.runtime` do; the differentiable ones have rules in
`s2s.rules.runtime_helpers`.
"""
import numpy as np

from .errors import S2SError


class ComplexValueError(S2SError, ValueError):
    """A derivative ran into a complex value inside the differentiated computation (the eigenvalues
    of `np.linalg.eig`, the square root of `scipy.linalg.sqrtm`): s2s differentiates real values only."""


class UndefinedDerivativeError(S2SError, ValueError):
    """A derivative ran at a point where what it computes has no derivative: the extra singular
    vectors `np.linalg.svd(full_matrices=True)` adds to a matrix that is not square (any basis would
    do), a multivariate normal's singular covariance (`allow_singular=True`) differentiated."""


def first(pair):
    """`pair[0]`: the key `sorted(xs, key=f)` sorts by, once it is made a sort of `(f(x), x)` pairs."""
    return pair[0]


def column(x):
    """`x` as `np.c_[...]` joins it: a number as a 1x1 array, a vector as a column, others as they are."""
    return np.reshape(x, (-1, 1)) if np.ndim(x) < 2 else np.asarray(x)


def joined_dtype(*items):
    """The dtype of `np.r_[items]` and `np.c_[items]`: NumPy's promotion, a Python number being weak."""
    return np.result_type(*[i if type(i) in np.ScalarType else np.asarray(i).dtype for i in items])


def ends_count(end, a, axis):
    """How many entries `np.diff(a, prepend=end)` (or `append=end`) adds along `axis`."""
    if end is None:
        return 0
    return 1 if np.ndim(end) == 0 else np.shape(end)[axis]


def with_ends(a, prepend, append, axis):
    """The array `np.diff(a, n, axis, prepend=prepend, append=append)` takes differences of:
    `a` with the ends (None: none) joined along `axis`, a number standing for a slice of them."""
    parts = []
    for end in (prepend, a, append):
        if end is not None:
            if np.ndim(end) == 0:
                shape = list(np.shape(a))
                shape[axis] = 1
                end = np.broadcast_to(end, shape)
            parts.append(end)
    return np.concatenate(parts, axis) if len(parts) > 1 else a


def ungradient(g, f, spacing=(), axis=None, edge_order=1):
    """Cotangent of `f` in `np.gradient(f, *spacing, axis=axis, edge_order=edge_order)`: along each
    axis, the gradient is a matrix D (out_i = sum_j D_ij f_j, D = np.gradient(I) with the same
    spacing) and the cotangent is Dᵀ g, summed over the axes."""
    ndim = np.ndim(f)
    axes = range(ndim) if axis is None else [axis] if np.ndim(axis) == 0 else axis
    axes = [a % ndim for a in axes]
    parts = [g] if len(axes) == 1 else g
    steps = list(spacing) * len(axes) if len(spacing) == 1 else list(spacing) or [1.0] * len(axes)
    dtype = np.result_type(f, 1.0)
    out = np.zeros(np.shape(f), dtype=dtype)
    for a, part, step in zip(axes, parts, steps):
        d = np.gradient(np.eye(np.shape(f)[a], dtype=dtype), step, axis=0, edge_order=edge_order)
        out = out + np.moveaxis(np.tensordot(d, part, axes=([0], [a])), 0, a)
    return out.astype(dtype, copy=False)


def regradient(c, spacing=(), axis=None, edge_order=1):
    """`np.gradient(c, *spacing, axis=axis, edge_order=edge_order)`: the adjoint of `ungradient` in its
    cotangent (and the tangent of np.gradient)."""
    return np.gradient(c, *spacing, axis=axis, edge_order=edge_order)


def uninterp(g, x, xp, left=None, right=None):
    """Cotangent of `fp` in `np.interp(x, xp, fp, left, right)`: each entry of `g` split between the two
    knots around its x by the weights of linear interpolation (outside the knots, all to the end knot,
    or none where `left` / `right` gives the value)."""
    g, x = np.ravel(np.broadcast_to(g, np.shape(x))), np.ravel(x)
    n = len(xp)
    i = np.clip(np.searchsorted(xp, x, "right") - 1, 0, n - 2)
    t = np.clip((x - xp[i]) / (xp[i + 1] - xp[i]), 0.0, 1.0)
    lower, upper = 1.0 - t, t
    if left is not None:
        lower = np.where(x < xp[0], 0.0, lower)
    if right is not None:
        upper = np.where(x > xp[-1], 0.0, upper)
    out = np.zeros(n, dtype=np.result_type(g, 1.0))
    np.add.at(out, i, g * lower)
    np.add.at(out, i + 1, g * upper)
    return out


def along(x, y, axis):
    """`x` laid along `axis` of `y` (a 1-d `x`, as np.trapezoid takes sample points, reshaped to broadcast
    against `y` there), else `x` itself."""
    if np.ndim(x) == 1 and np.ndim(y) > 1:
        return np.reshape(x, (-1,) + (1,) * (np.ndim(y) - 1 - axis % np.ndim(y)))
    return x


def svd_identity(a, full_matrices=True, compute_uv=True):
    """np.eye(k), k = min(m, n) for an m x n matrix `a`; raises UndefinedDerivativeError where the
    derivative of `np.linalg.svd(a, full_matrices, compute_uv)` is not defined: the extra columns of U (or rows
    of Vᵀ) that full_matrices=True adds to a matrix that is not square are any basis."""
    m, n = np.shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise UndefinedDerivativeError(f"the derivative of np.linalg.svd with full_matrices=True is not defined "
                                       f"for a {m} x {n} matrix (the extra singular vectors are arbitrary): pass "
                                       f"full_matrices=False")
    return np.eye(min(m, n), dtype=np.result_type(a, 1.0))


def eig_identity(w):
    """np.eye(n) for the n eigenvalues `w` of `np.linalg.eig`; raises ComplexValueError if they are complex,
    which s2s does not differentiate."""
    if np.iscomplexobj(w) and np.any(np.imag(w) != 0):   # NumPy 2.5 gives real eigenvalues a complex dtype
        raise ComplexValueError("np.linalg.eig returned complex eigenvalues here (a real matrix may have them): s2s "
                         "differentiates np.linalg.eig only where every eigenvalue is real, as complex values are "
                         "not differentiated yet. For a symmetric matrix use np.linalg.eigh; otherwise differentiate "
                         "at matrices whose eigenvalues are real, or wrap the eigendecomposition in "
                         "s2s.stop_gradient() where its derivative is not needed")
    return np.eye(np.shape(w)[-1], dtype=np.result_type(np.real(w), 1.0))


def matrix_axes(x, ord=None, axis=None):
    """The two axes (normalised) of the matrix norm `np.linalg.norm(x, ord, axis)` takes when it is not
    the Frobenius norm (ord 'nuc', ±2, ±1, ±inf over two axes); None for a vector norm or Frobenius."""
    if ord is None or ord == "fro" or not (axis is None and np.ndim(x) == 2 or np.ndim(axis) == 1 and len(axis) == 2):
        return None
    return tuple(int(a) % np.ndim(x) for a in ((0, 1) if axis is None else axis))
