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


# ---- runtime helpers of this family ------------------------------------------------------------------------------

def rt_prod_grad(x, w): return np.sum(rt.prod_grad(x, 1) * w)
def rt_prod_grad_dirs(x, t, u, w): return np.sum(rt.prod_grad(x, None, (t, u)) * w)


add(rt_prod_grad, np.array([[1.5, 0.0, -2.0], [0.4, 0.7, 1.2]]))
add(rt_prod_grad_dirs, np.array([1.5, 0.0, -2.0, 0.9]), ANY.draw((4,)), ANY.draw((4,)))
