"""Rule cases for s2s/rules (linalg family); the helpers and conventions are in rulecases.py."""
import numpy as np  # noqa: F401

from rulecases import ANY, NONZERO, POS, _rng, _shape_id, add  # noqa: F401
from s2s import runtime as rt


def _tag(shape, **options):
    return ",".join([_shape_id(shape)] + [f"{k}={v}" for k, v in options.items()]).replace(" ", "")


def _distinct_magnitudes(shape):
    """Entries whose absolute values are at least 0.1 apart (no ties in an inf-norm), of either sign."""
    n = int(np.prod(shape))
    return (_rng.permutation(np.linspace(0.3, 0.3 + 0.15 * n, n)) * _rng.choice([-1.0, 1.0], n)).reshape(shape)


def _well_conditioned(shape):
    """Random square matrices (stacked) plus n times the identity: far from singular."""
    n = shape[-1]
    return ANY.draw(shape) + n * np.eye(n)


# ---- reductions: prod, var, std, cumsum, cumprod ------------------------------------------------------

def red_prod(x, axis, keepdims, w): return np.sum(np.prod(x, axis=axis, keepdims=keepdims) * w)
def red_var(x, axis, keepdims, w): return np.sum(np.var(x, axis=axis, keepdims=keepdims) * w)
def red_std(x, axis, keepdims, w): return np.sum(np.std(x, axis=axis, keepdims=keepdims) * w)
def red_var_ddof(x, axis, ddof, w): return np.sum(np.var(x, axis, ddof=ddof) * w)
def red_std_ddof(x, axis, ddof, w): return np.sum(np.std(x, axis=axis, ddof=ddof) * w)
def red_prod_plain(x, w): return np.prod(x) * w
def red_cumsum(x, axis, w): return np.sum(np.cumsum(x, axis=axis) * w)
def red_cumprod(x, axis, w): return np.sum(np.cumprod(x, axis=axis) * w)
def red_cumsum_plain(x, w): return np.sum(np.cumsum(x) * w)
def meth_prod(x, w): return np.sum(x.prod(axis=1) * w)
def meth_var(x, w): return np.sum(x.var(axis=0) * w)
def meth_std(x, w): return np.sum(x.std(-1, keepdims=True) * w)
def meth_std_ddof(x, w): return x.std(ddof=1) * w
def meth_cumsum(x, w): return np.sum(x.cumsum(0) * w)
def meth_cumprod(x, w): return np.sum(x.cumprod(axis=-1) * w)


_AXES = {(4,): [None, 0, -1], (2, 3): [None, 0, 1, -1, (0, 1)], (2, 3, 4): [None, (0, 2), -2, (1,)]}
for _shape, _axes in _AXES.items():
    for _axis in _axes:
        for _keep in (False, True):
            for _fn in (red_prod, red_var, red_std):
                add(_fn, (NONZERO if _fn is red_prod else ANY).draw(_shape), _axis, _keep, wrt=(0,),
                    tag=_tag(_shape, axis=_axis, keepdims=_keep))
# zeros: one zero, two zeros in one product, a zero in each of two products
for _name, _x in [("one_zero", [1.5, 0.0, -2.0, 0.7]), ("zero_per_row", [[1.5, 0.0, -2.0], [0.0, 0.7, 1.2]]),
                  ("two_zeros_in_a_row", [[1.5, 0.0, 0.0], [0.3, 0.7, 1.2]])]:
    for _axis in (None, -1):
        add(red_prod, np.array(_x), _axis, False, wrt=(0,), tag=_tag(np.shape(_x), axis=_axis) + "," + _name)
add(red_prod_plain, NONZERO.draw((2, 3)))
add(red_prod_plain, np.array([0.0, 1.3, -0.4]), tag="3,zero")
for _shape, _axis, _ddof in [((5,), None, 1), ((2, 3), 1, 1), ((3, 4), 0, 2), ((2, 3, 4), (0, 2), 1)]:
    add(red_var_ddof, ANY.draw(_shape), _axis, _ddof, wrt=(0,), tag=_tag(_shape, axis=_axis, ddof=_ddof))
    add(red_std_ddof, ANY.draw(_shape), _axis, _ddof, wrt=(0,), tag=_tag(_shape, axis=_axis, ddof=_ddof))
for _shape, _axis in [((4,), None), ((4,), 0), ((2, 3), None), ((2, 3), 0), ((2, 3), 1), ((2, 3), -1),
                      ((2, 3, 4), -2)]:
    add(red_cumsum, ANY.draw(_shape), _axis, wrt=(0,), tag=_tag(_shape, axis=_axis))
    add(red_cumprod, NONZERO.draw(_shape), _axis, wrt=(0,), tag=_tag(_shape, axis=_axis))
add(red_cumsum_plain, ANY.draw((2, 3)))
for _fn in (meth_prod, meth_var, meth_std, meth_std_ddof, meth_cumsum, meth_cumprod):
    add(_fn, NONZERO.draw((2, 3)))


# ---- norm, average, nansum, nanmean ---------------------------------------------------------------------

def np_norm(x, w): return np.linalg.norm(x) * w
def np_norm_ord(x, ord, axis, keepdims, w): return np.sum(np.linalg.norm(x, ord, axis, keepdims) * w)
def np_norm_fro(x, w): return np.linalg.norm(x, "fro") * w
def np_norm_inf_keyword(x, w): return np.sum(np.linalg.norm(x, ord=np.inf, axis=-1) * w)


add(np_norm, ANY.draw((4,)))
add(np_norm, ANY.draw((2, 3)))
add(np_norm, ANY.draw((2, 3, 2)))
add(np_norm_fro, ANY.draw((3, 2)))
add(np_norm_inf_keyword, _distinct_magnitudes((2, 4)))
for _shape, _ord, _axis, _keep in [((4,), None, None, False), ((4,), 1, None, False), ((4,), 2, 0, True),
                                   ((4,), 3, None, False), ((4,), 0.5, None, False), ((4,), np.inf, None, False),
                                   ((4,), -np.inf, 0, False), ((2, 3), None, 1, False), ((2, 3), 1, 0, True),
                                   ((2, 3), 2, -1, True), ((2, 3), np.inf, 1, False), ((2, 3), "fro", (0, 1), True),
                                   ((2, 3, 4), None, (0, 2), False), ((2, 3, 4), "fro", (-1, 0), True),
                                   ((2, 3, 4), 1, 1, False)]:
    _x = _distinct_magnitudes(_shape) if _ord in (np.inf, -np.inf) else NONZERO.draw(_shape)
    add(np_norm_ord, _x, _ord, _axis, _keep, wrt=(0,), tag=_tag(_shape, ord=_ord, axis=_axis, keepdims=_keep))


def np_average(x, w): return np.sum(np.average(x) * w)
def np_average_axis(x, axis, keepdims, w): return np.sum(np.average(x, axis, keepdims=keepdims) * w)
def np_average_weights(x, u, axis, w): return np.sum(np.average(x, axis=axis, weights=u) * w)
def np_nansum(x, axis, w): return np.sum(np.nansum(np.where(x > 1.0, np.nan, x), axis=axis) * w)
def np_nanmean(x, axis, keepdims, w): return np.sum(np.nanmean(np.where(x > 1.0, np.nan, x), axis, keepdims=keepdims) * w)


add(np_average, ANY.draw((2, 3)))
for _shape, _axis, _keep in [((4,), 0, False), ((2, 3), 1, True), ((2, 3, 4), (0, 2), False)]:
    add(np_average_axis, ANY.draw(_shape), _axis, _keep, wrt=(0,), tag=_tag(_shape, axis=_axis, keepdims=_keep))
for _shape, _axis in [((4,), None), ((2, 3), None), ((2, 3), 0), ((2, 3), -1), ((2, 3, 4), (1, 2))]:
    add(np_average_weights, ANY.draw(_shape), POS.draw(_shape), _axis, wrt=(0, 1), tag=_tag(_shape, axis=_axis))
_WITH_NAN = np.array([[0.3, 1.6, -0.7], [1.9, -1.2, 0.4], [-0.5, 0.8, 1.4], [0.6, -1.7, 0.2]])  # > 1: nan
for _axis in (None, 0, 1, -1):
    add(np_nansum, _WITH_NAN, _axis, wrt=(0,), tag=_tag((4, 3), axis=_axis))
    add(np_nanmean, _WITH_NAN, _axis, _axis == 0, wrt=(0,), tag=_tag((4, 3), axis=_axis))


# ---- products and contractions: vdot, inner, tensordot, einsum, cross ----------------------------------

def np_vdot(x, y, w): return np.vdot(x, y) * w
def np_inner(x, y, w): return np.sum(np.inner(x, y) * w)
def np_tensordot(x, y, axes, w): return np.sum(np.tensordot(x, y, axes) * w)
def np_tensordot_default(x, y, w): return np.sum(np.tensordot(x, y) * w)
def np_tensordot_keyword(x, y, w): return np.sum(np.tensordot(x, y, axes=([1, 0], [0, 2])) * w)
def np_kron(x, y, w): return np.sum(np.kron(x, y) * w)
def np_cross(x, y, w): return np.sum(np.cross(x, y) * w)


for _shapes in [((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (6,))]:
    add(np_vdot, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))
for _shapes in [((3,), (3,)), ((2, 3), (3,)), ((3,), (4, 3)), ((2, 3), (4, 3)), ((2, 2, 3), (4, 3))]:
    add(np_inner, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))
for _sx, _sy, _axes in [((2, 3), (3, 4), 1), ((2, 3, 4), (3, 4, 2), 2), ((2, 3), (4,), 0),
                        ((2, 3, 4), (4, 3), ([1, 2], [1, 0])), ((3, 2), (3, 4), ((0,), (0,))),
                        ((2, 3, 4), (2, 5), ([0], [-2]))]:
    add(np_tensordot, ANY.draw(_sx), ANY.draw(_sy), _axes, wrt=(0, 1), tag=_tag(_sx, y=_sy, axes=_axes))
add(np_tensordot_default, ANY.draw((2, 3, 4)), ANY.draw((3, 4)))
add(np_tensordot_keyword, ANY.draw((3, 2)), ANY.draw((2, 4, 3)))
for _shapes in [((3,), (2,)), ((2, 3), (2, 2)), ((3,), (2, 2)), ((2, 2), (3,)), ((2, 1, 2), (2, 3))]:
    add(np_kron, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))
for _shapes in [((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 3))]:
    add(np_cross, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))


def einsum1(subscripts, x, w): return np.sum(np.einsum(subscripts, x) * w)
def einsum2(subscripts, x, y, w): return np.sum(np.einsum(subscripts, x, y) * w)
def einsum3(subscripts, x, y, z, w): return np.sum(np.einsum(subscripts, x, y, z) * w)
def einsum_literal(x, y, w): return np.sum(np.einsum("ij,jk->ik", x, y) * w)
def einsum_same_operand(x, w): return np.sum(np.einsum("ij,kj->ik", x, x) * w)


for _subscripts, _shapes in [("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("ij->i", [(2, 3)]), ("ii->", [(3, 3)]),
                             ("ii->i", [(3, 3)]), ("iij->ji", [(2, 2, 3)]), ("ij", [(2, 3)]), ("ji", [(2, 3)]),
                             ("...ij->...ji", [(2, 2, 3)]), ("i,i->", [(3,), (3,)]), ("i,j->ij", [(2,), (3,)]),
                             ("ij,j->i", [(2, 3), (3,)]), ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]),
                             ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ij,kl->", [(2, 3), (2, 2)]),
                             ("ii,j->j", [(2, 2), (3,)]), ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
                             ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]), ("i,ij,j->", [(2,), (2, 3), (3,)]),
                             ("ij,ik,il->jkl", [(2, 3), (2, 2), (2, 2)]),
                             ("mnd,mdo->mno", [(1, 4, 3), (2, 3, 2)])]:   # a size-1 label broadcast (autograd's BNN)
    _fn = {1: einsum1, 2: einsum2, 3: einsum3}[len(_shapes)]
    add(_fn, _subscripts, *[ANY.draw(s) for s in _shapes], wrt=tuple(range(1, len(_shapes) + 1)),
        tag=_subscripts + "," + ",".join(map(_shape_id, _shapes)))
add(einsum_literal, ANY.draw((2, 3)), ANY.draw((3, 2)))
add(einsum_same_operand, ANY.draw((2, 3)))


# ---- traces and diagonals ---------------------------------------------------------------------------------

def np_trace(x, w): return np.trace(x) * w
def np_trace_axes(x, offset, axis1, axis2, w): return np.sum(np.trace(x, offset, axis1, axis2) * w)
def meth_trace(x, w): return x.trace(1) * w
def np_diagonal(x, offset, axis1, axis2, w): return np.sum(np.diagonal(x, offset, axis1, axis2) * w)
def meth_diagonal(x, w): return np.sum(x.diagonal(offset=-1) * w)
def np_diag(x, k, w): return np.sum(np.diag(x, k) * w)
def np_diag_default(x, w): return np.sum(np.diag(x) * w)


add(np_trace, ANY.draw((3, 3)))
add(np_trace, ANY.draw((2, 3)))
for _shape, _offset, _a1, _a2 in [((3, 4), 1, 0, 1), ((3, 4), -1, 0, 1), ((4, 3), 0, 1, 0), ((2, 3, 4), 0, 1, 2),
                                  ((2, 3, 4), 1, 0, -1), ((3, 2, 3), -1, 2, 0)]:
    _options = dict(offset=_offset, axis1=_a1, axis2=_a2)
    add(np_trace_axes, ANY.draw(_shape), _offset, _a1, _a2, wrt=(0,), tag=_tag(_shape, **_options))
    add(np_diagonal, ANY.draw(_shape), _offset, _a1, _a2, wrt=(0,), tag=_tag(_shape, **_options))
add(meth_trace, ANY.draw((3, 3)))
add(meth_diagonal, ANY.draw((3, 4)))
for _shape, _k in [((3,), 0), ((3,), 1), ((3,), -2), ((3, 3), 0), ((3, 4), 1), ((4, 3), -1)]:
    add(np_diag, ANY.draw(_shape), _k, wrt=(0,), tag=_tag(_shape, k=_k))
add(np_diag_default, ANY.draw((3,)))
add(np_diag_default, ANY.draw((2, 3)))


# ---- inverse, solve, determinants ---------------------------------------------------------------------------

def np_inv(x, w): return np.sum(np.linalg.inv(x) * w)
def np_solve(x, y, w): return np.sum(np.linalg.solve(x, y) * w)
def np_det(x, w): return np.sum(np.linalg.det(x) * w)
def np_slogdet(x, w):
    sign, logdet = np.linalg.slogdet(x)
    return np.sum(logdet * w)
def np_slogdet_sign(x, w):
    sign, logdet = np.linalg.slogdet(x)
    return np.sum(sign * logdet * w)


for _shape in ((3, 3), (2, 3, 3), (1, 1)):
    add(np_inv, _well_conditioned(_shape))
    add(np_det, _well_conditioned(_shape))
    add(np_slogdet, _well_conditioned(_shape))
add(np_slogdet, -_well_conditioned((3, 3)), tag="3x3,negative")
add(np_slogdet_sign, -_well_conditioned((3, 3)))
for _sa, _sb in [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2)), ((2, 3, 3), (3, 2))]:
    add(np_solve, _well_conditioned(_sa), ANY.draw(_sb))


# ---- Cholesky and eigh (symmetric input built inside the case) ------------------------------------------------

def np_cholesky(b, w):
    a = b @ b.T + 3.0 * np.eye(3, dtype=b.dtype)
    return np.sum(np.linalg.cholesky(a) * w)
def np_cholesky_batched(b, w):
    a = b @ np.transpose(b, (0, 2, 1)) + 3.0 * np.eye(3, dtype=b.dtype)
    return np.sum(np.linalg.cholesky(a) * w)
def np_cholesky_logdet(b, w):
    a = b @ b.T + 4.0 * np.eye(4, dtype=b.dtype)
    return 2.0 * np.sum(np.log(np.diagonal(np.linalg.cholesky(a)))) * w
def np_eigh_values(b, w):
    a = (b + b.T) / 2.0 + np.diag(np.arange(3, dtype=b.dtype) * 2.0)   # eigenvalues well apart
    vals, vecs = np.linalg.eigh(a)
    return np.sum(vals * w)
def np_eigh_vectors(b, w):
    a = (b + b.T) / 2.0 + np.diag(np.arange(3, dtype=b.dtype) * 2.0)
    vals, vecs = np.linalg.eigh(a)
    return np.sum(vecs * vecs * w)   # v_ij² does not depend on the sign of each eigenvector
def np_eigh_both(b, w):
    a = (b + np.transpose(b, (0, 2, 1))) / 2.0 + np.diag(np.arange(4, dtype=b.dtype) * 2.0)
    vals, vecs = np.linalg.eigh(a)
    return np.sum((vals[..., None, :] * vecs * vecs + vecs[..., 0:1] * vecs[..., 0:1]) * w)


add(np_cholesky, ANY.draw((3, 3)))
add(np_cholesky_batched, ANY.draw((2, 3, 3)))
add(np_cholesky_logdet, ANY.draw((4, 4)))
add(np_eigh_values, ANY.draw((3, 3)))
add(np_eigh_vectors, ANY.draw((3, 3)))
add(np_eigh_both, ANY.draw((2, 4, 4)))


# NumPy reads one triangle of the input (UPLO): differentiated with respect to every entry of a
# non-symmetric matrix, the other triangle has derivative zero.
def _spread(shape):
    """Non-symmetric matrices whose read symmetric matrix has eigenvalues well apart (and is positive definite)."""
    n = shape[-1]
    return ANY.draw(shape) * 0.5 + np.diag(np.arange(n) * 2.0 + n)
def np_eigh_raw(x, uplo, w):
    vals, vecs = np.linalg.eigh(x, uplo)
    return np.sum((vals[..., None, :] * vecs * vecs) * w)
def np_eigh_raw_values(x, w): return np.sum(np.linalg.eigh(x, UPLO="U")[0] * w)
def np_eigvalsh(x, w): return np.sum(np.linalg.eigvalsh(x) * w)
def np_eigvalsh_upper(x, w): return np.sum(np.linalg.eigvalsh(x, "U") * w)
def np_cholesky_raw(x, w): return np.sum(np.linalg.cholesky(x) * w)


for _shape in ((3, 3), (2, 4, 4)):
    for _uplo in ("L", "U"):
        add(np_eigh_raw, _spread(_shape), _uplo, wrt=(0,), tag=_tag(_shape, UPLO=_uplo))
    add(np_eigvalsh, _spread(_shape))
    add(np_eigvalsh_upper, _spread(_shape))
    add(np_cholesky_raw, _spread(_shape))
add(np_eigh_raw_values, _spread((3, 3)))


# ---- runtime helpers of this family ------------------------------------------------------------------------------

def rt_prod_grad(x, w): return np.sum(rt.prod_grad(x, 1) * w)
def rt_prod_grad_dirs(x, t, u, w): return np.sum(rt.prod_grad(x, None, (t, u)) * w)
def rt_undiagonal(c, x, w): return np.sum(rt.undiagonal(c, x, 1, 0, 1) * w)
def rt_einsum_of(x, y, w): return np.sum(rt.einsum_of("ij,jk->ik", x, y) * w)
def rt_einsum_grad(c, x, y, w): return np.sum(rt.einsum_grad(c, "ij,jk->ik", 1, x, y) * w)
def rt_einsum_grad_trace(c, x, y, w): return np.sum(rt.einsum_grad(c, "ii,j->j", 0, x, y) * w)


add(rt_prod_grad, np.array([[1.5, 0.0, -2.0], [0.4, 0.7, 1.2]]))
add(rt_prod_grad_dirs, np.array([1.5, 0.0, -2.0, 0.9]), ANY.draw((4,)), ANY.draw((4,)))
add(rt_undiagonal, ANY.draw((2,)), ANY.draw((3, 3)), wrt=(0,))
add(rt_einsum_of, ANY.draw((2, 3)), ANY.draw((3, 4)))
add(rt_einsum_grad, ANY.draw((2, 4)), ANY.draw((2, 3)), ANY.draw((3, 4)))
add(rt_einsum_grad_trace, ANY.draw((3,)), ANY.draw((2, 2)), ANY.draw((3,)))


# ---- ptp, median, quantile, percentile, NaN-ignoring max, min, prod, var, std -------------------------------------------------------

def red_ptp(x, axis, keepdims, w): return np.sum(np.ptp(x, axis, keepdims=keepdims) * w)
def red_median(x, axis, keepdims, w): return np.sum(np.median(x, axis, keepdims=keepdims) * w)
def red_median_plain(x, w): return np.median(x) * w
def np_nanmax(x, axis, w): return np.sum(np.nanmax(np.where(x > 1.0, np.nan, x), axis=axis) * w)
def np_nanmin(x, axis, w): return np.sum(np.nanmin(np.where(x > 1.0, np.nan, x), axis, keepdims=True) * w)
def np_nanprod(x, axis, w): return np.sum(np.nanprod(np.where(x > 1.0, np.nan, x), axis=axis) * w)
def np_nanvar(x, axis, ddof, w): return np.sum(np.nanvar(np.where(x > 1.0, np.nan, x), axis, ddof=ddof) * w)
def np_nanstd(x, axis, keepdims, w): return np.sum(np.nanstd(np.where(x > 1.0, np.nan, x), axis, keepdims=keepdims) * w)
def rt_median_weights(x, w): return np.sum(x * rt.median_weights(x, 1) * w)
def red_quantile(x, axis, keepdims, w): return np.sum(np.quantile(x, [0.1, 0.55, 1.0], axis, keepdims=keepdims) * w)
def red_percentile(x, axis, keepdims, w): return np.sum(np.percentile(x, 37.5, axis, keepdims=keepdims) * w)
def red_quantile_plain(x, w): return np.quantile(x, 0.3) * w + np.percentile(x, 0.0) * w


for _shape, _axes in [((5,), [None, 0]), ((4,), [None]), ((3, 4), [None, 0, 1, -1]), ((2, 3, 4), [(0, 2), 1])]:
    for _axis in _axes:
        for _keep in (False, True):
            for _fn in (red_ptp, red_median, red_quantile, red_percentile):
                add(_fn, _distinct_magnitudes(_shape), _axis, _keep, wrt=(0,),
                    tag=_tag(_shape, axis=_axis, keepdims=_keep))
add(red_median_plain, _distinct_magnitudes((6,)))
add(red_median_plain, _distinct_magnitudes((2, 3)))
for _axis in (None, 0, 1, -1):
    for _fn in (np_nanmax, np_nanmin, np_nanprod):
        add(_fn, _WITH_NAN, _axis, wrt=(0,), tag=_tag((4, 3), axis=_axis))
    add(np_nanvar, _WITH_NAN, _axis, 1 if _axis == 1 else 0, wrt=(0,), tag=_tag((4, 3), axis=_axis))
    add(np_nanstd, _WITH_NAN, _axis, _axis == 0, wrt=(0,), tag=_tag((4, 3), axis=_axis))
add(rt_median_weights, _distinct_magnitudes((2, 3)))
add(red_quantile_plain, _distinct_magnitudes((7,)))


# ---- matrix_power, multi_dot, pinv ----------------------------------------------------------------------------

def np_matrix_power(x, n, w): return np.sum(np.linalg.matrix_power(x, n) * w)
def np_multi_dot(x, y, z, w): return np.sum(np.linalg.multi_dot([x, y, z]) * w)
def np_multi_dot_two(x, y, w): return np.sum(np.linalg.multi_dot((x, y)) * w)
def np_multi_dot_four(x, y, w): return np.sum(np.linalg.multi_dot([x, y, np.ones((4, 3)), x]) * w)
def np_multi_dot_repeated(x, y, w): return np.sum(np.linalg.multi_dot([x, y, x]) * w)
def np_pinv(x, w): return np.sum(np.linalg.pinv(x) * w)
def rt_chain_product(x, y, w): return np.sum(rt.chain_product([x, y, x]) * w)


for _shape, _n in [((3, 3), 0), ((3, 3), 1), ((3, 3), 2), ((3, 3), 3), ((3, 3), 5), ((2, 3, 3), 2), ((1, 1), 3)]:
    add(np_matrix_power, ANY.draw(_shape) / 2.0, _n, wrt=(0,), tag=_tag(_shape, n=_n))
for _shape, _n in [((3, 3), -1), ((3, 3), -2), ((2, 3, 3), -3)]:
    add(np_matrix_power, _well_conditioned(_shape), _n, wrt=(0,), tag=_tag(_shape, n=_n))
for _shapes in [((2, 3), (3, 4), (4, 2)), ((3,), (3, 4), (4, 2)), ((2, 3), (3, 4), (4,)), ((3,), (3, 4), (4,))]:
    add(np_multi_dot, *[ANY.draw(s) for s in _shapes])
add(np_multi_dot_two, ANY.draw((2, 3)), ANY.draw((3,)))
add(np_multi_dot_four, ANY.draw((3, 3)), ANY.draw((3, 4)))
add(np_multi_dot_repeated, ANY.draw((3, 3)), ANY.draw((3, 3)))
for _shape in [(3, 3), (4, 2), (2, 4), (2, 4, 3), (1, 3)]:
    add(np_pinv, ANY.draw(_shape) + (np.eye(*_shape[-2:]) * 2.0 if _shape[-1] == _shape[-2] else 0.0))
add(rt_chain_product, ANY.draw((2, 2)), ANY.draw((2, 2)))
