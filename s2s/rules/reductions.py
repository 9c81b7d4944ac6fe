"""Reductions over axes (``np.sum``, ``x.mean(axis=0)``...)."""
import numpy as np

from . import rule

_SUM = "a, axis=None, dtype=None, out=None, keepdims=False"

rule(np.sum,  args=_SUM, method="sum", a="unsum(g, a, axis, keepdims)",
     jvp="np.sum(t_a, axis, keepdims=keepdims)")
rule(np.mean, args=_SUM, method="mean", a="unsum(g * (size_of(ans) / size_of(a)), a, axis, keepdims)",
     jvp="np.mean(t_a, axis, keepdims=keepdims)")

# The cotangent goes to the extreme entries, split evenly between ties (as autograd and JAX do).
# A constant `initial` that wins gives the entries no cotangent; a differentiated one, and where=, are refused.
_MAX = "a, axis=None, out=None, keepdims=False, initial=None, where=True"
_LIMITS = dict(constant=("initial",), only={"where": (True,)})
for _fn, _method in ((np.max, "max"), (np.min, "min"), (np.amax, None), (np.amin, None)):
    rule(_fn, args=_MAX, method=_method, **_LIMITS, a="unmax(g, a, ans, axis, keepdims)",
         jvp="max_tangent(t_a, a, ans, axis, keepdims)")

# The product of the other entries, from exclusive products at both ends: no division, zeros are fine.
rule(np.prod, args="a, axis=None, dtype=None, out=None, keepdims=False", method="prod",
     a="unsum(g, a, axis, keepdims) * prod_grad(a, axis)",
     jvp="np.sum(t_a * prod_grad(a, axis), axis, keepdims=keepdims)")

# var = sum((a - mean)²) / (n - ddof), n = size_of(a) / size_of(ans) entries per output; std = sqrt(var).
# Where std is 0 (one entry, or all equal) its derivative is taken as 0 (the entries equal their mean):
# `_NONZERO(ans)` is ans with its zeros replaced by ones (also for the norms below).
_VAR = "a, axis=None, dtype=None, out=None, ddof=0, keepdims=False"
_CENTRED = "(a - np.mean(a, axis, keepdims=True))"
_DOF = "(size_of(a) / size_of(ans) - ddof)"
_NONZERO = "({0} + ({0} == 0))".format
rule(np.var, args=_VAR, method="var", constant=("ddof",),
     a=f"unsum(g, a, axis, keepdims) * {_CENTRED} * (2 / {_DOF})",
     jvp=f"np.sum(t_a * {_CENTRED}, axis, keepdims=keepdims) * (2 / {_DOF})")
rule(np.std, args=_VAR, method="std", constant=("ddof",),
     a=f"unsum(g / {_NONZERO('ans')}, a, axis, keepdims) * {_CENTRED} / {_DOF}",
     jvp=f"np.sum(t_a * {_CENTRED}, axis, keepdims=keepdims) / ({_NONZERO('ans')} * {_DOF})")

# Cumulative sums run backwards in the cotangent (total - cumsum + g); axis=None works on the flattened array.
_CUM = "a, axis=None, dtype=None, out=None"
rule(np.cumsum, args=_CUM, method="cumsum",
     a="np.reshape(g - np.cumsum(g, axis) + np.sum(g, axis, keepdims=True), np.shape(a))",
     jvp="np.cumsum(t_a, axis)")
# d ans_i / d a_k = ans_i / a_k for k <= i where no entry is zero; otherwise (O(n²) along the axis) ans_i is
# the product over k of P_ki = a_k for k <= i (else 1), whose derivatives `prod_grad` gives without dividing.
_AX = "(0 if axis is None else axis)"
_LAST = "np.moveaxis(np.ravel({0}) if axis is None else {0}, {1}, -1)".format
_UPPER = f"np.triu(np.ones((np.shape(ans)[{_AX}],) * 2, dtype=bool))"
_OTHERS = f"prod_grad(np.where({_UPPER}, {_LAST('a', _AX)}[..., :, None], 1.0), -2)"
rule(np.cumprod, args=_CUM, method="cumprod",
     a="np.reshape((g * ans - np.cumsum(g * ans, axis) + np.sum(g * ans, axis, keepdims=True)) / np.reshape(a, np.shape(ans)), np.shape(a)) "
       f"if np.all(a != 0) else np.reshape(np.moveaxis(np.sum({_LAST('g', _AX)}[..., None, :] * {_OTHERS} * {_UPPER}, -1), -1, {_AX}), np.shape(a))",
     jvp=f"ans * np.cumsum(t_a / a, axis) if np.all(a != 0) else "
         f"np.moveaxis(np.sum({_LAST('t_a', _AX)}[..., :, None] * {_OTHERS} * {_UPPER}, -2), -1, {_AX})")

# Vector p-norms (ord None or 'fro' is p = 2 over all the reduced axes): g * |a|^(p-1) sign(a) / ans^(p-1);
# ord=±inf sends g to the extreme entries. At a zero vector the derivative is taken as 0 (the subgradient
# of least norm), not NaN.
_VECTOR = dict(
    x="unmax(g, np.abs(x), ans, axis, keepdims) * np.sign(x) if np.isinf(norm_order(x, ord, axis)) else "
      f"unsum(g * {_NONZERO('ans')} ** (1 - norm_order(x, ord, axis)), x, axis, keepdims) * np.sign(x) * np.abs(x) ** (norm_order(x, ord, axis) - 1)",
    jvp="max_tangent(t_x * np.sign(x), np.abs(x), ans, axis, keepdims) if np.isinf(norm_order(x, ord, axis)) else "
        "np.sum(t_x * np.sign(x) * np.abs(x) ** (norm_order(x, ord, axis) - 1), axis, keepdims=keepdims) "
        f"* {_NONZERO('ans')} ** (1 - norm_order(x, ord, axis))")
# Other matrix norms (never for ord=None, the case written first: generated code keeps only it), of the
# matrices along the two axes `matrix_axes` gives (moved last): 'nuc', 2 and -2
# are the sum, the largest and the smallest singular value (g U diag(ds) Vᵀ, ds their derivatives in s);
# ±1 and ±inf the extreme column (row) sum of |x| (g to the entries of the extreme columns, times sign x).
_AXES = "matrix_axes(x, ord, axis)"
_XM, _TM = f"np.moveaxis(x, {_AXES}, (-2, -1))", f"np.moveaxis(t_x, {_AXES}, (-2, -1))"
_SV = f"np.linalg.svd({_XM}, compute_uv=False)"
_DS = (f"(np.ones_like({_SV}) if ord == 'nuc' else "
       f"unmax(np.ones_like({_SV}[..., 0]), {_SV}, np.max({_SV}, -1) if ord == 2 else np.min({_SV}, -1), -1))")
_UDV = f"(np.linalg.svd({_XM}, full_matrices=False)[0] * {_DS}[..., None, :]) @ np.linalg.svd({_XM}, full_matrices=False)[2]"
_SUMMED, _EXTREME = "(-2 if ord in (1, -1) else -1)", "(-1 if ord in (1, -1) else -2)"
_SUMS = f"np.sum(np.abs({_XM}), {_SUMMED}, keepdims=True)"
_PICKED = f"(np.max({_SUMS}, {_EXTREME}, keepdims=True) if ord > 0 else np.min({_SUMS}, {_EXTREME}, keepdims=True))"
_GM = f"np.reshape(g, np.shape({_XM})[:-2] + (1, 1))"
_MATRIX = dict(
    x=f"np.moveaxis({_GM} * {_UDV} if ord in ('nuc', 2, -2) else "
      f"unmax({_GM}, {_SUMS}, {_PICKED}, {_EXTREME}, True) * np.sign({_XM}), (-2, -1), {_AXES})",
    jvp=f"np.reshape(np.sum({_UDV} * {_TM}, (-2, -1)) if ord in ('nuc', 2, -2) else "
        f"max_tangent(np.sum({_TM} * np.sign({_XM}), {_SUMMED}, keepdims=True), {_SUMS}, {_PICKED}, {_EXTREME}, True), "
        "np.shape(ans))")
rule(np.linalg.norm, args="x, ord=None, axis=None, keepdims=False", constant=("ord",),
     x=f"({_VECTOR['x']}) if ord is None else (({_VECTOR['x']}) if {_AXES} is None else {_MATRIX['x']})",
     jvp=f"({_VECTOR['jvp']}) if ord is None else (({_VECTOR['jvp']}) if {_AXES} is None else {_MATRIX['jvp']})")

# Weighted mean: sum(a * weights) / sum(weights) (weights of a's shape, or None for the plain mean).
rule(np.average, args="a, axis=None, weights=None, *, keepdims=False",
     a="unsum(g * (size_of(ans) / size_of(a)), a, axis, keepdims) if weights is None else "
       "unsum(g / np.sum(weights, axis, keepdims=keepdims), a, axis, keepdims) * weights",
     weights="unsum(g / np.sum(weights, axis, keepdims=keepdims), a, axis, keepdims) * (a - unsum(ans, a, axis, keepdims))",
     jvp="np.average(t_a, axis, weights, keepdims=keepdims) + "
         "np.sum(t_weights * (a - unsum(ans, a, axis, keepdims)), axis, keepdims=keepdims) / np.sum(weights, axis, keepdims=keepdims)")

# NaN entries are left out: they get no cotangent (nanmean divides by the count of the others).
rule(np.nansum, args=_SUM, a="np.where(np.isnan(a), 0.0, unsum(g, a, axis, keepdims))",
     jvp="np.nansum(np.where(np.isnan(a), np.nan, t_a), axis, keepdims=keepdims)")
rule(np.nanmean, args=_SUM, a="np.where(np.isnan(a), 0.0, unsum(g, a, axis, keepdims) / np.sum(np.logical_not(np.isnan(a)), axis, keepdims=True, dtype=ans.dtype))",
     jvp="np.nanmean(np.where(np.isnan(a), np.nan, t_a), axis, keepdims=keepdims)")

# ptp = max - min; the median is a weighted sum of its middle entries (`median_weights`).
rule(np.ptp, args="a, axis=None, out=None, keepdims=False",
     a="unmax(g, a, np.max(a, axis, keepdims=keepdims), axis, keepdims) - "
       "unmax(g, a, np.min(a, axis, keepdims=keepdims), axis, keepdims)",
     jvp="max_tangent(t_a, a, np.max(a, axis, keepdims=keepdims), axis, keepdims) - "
         "max_tangent(t_a, a, np.min(a, axis, keepdims=keepdims), axis, keepdims)")
rule(np.median, args="a, axis=None, out=None, overwrite_input=False, keepdims=False",
     only={"overwrite_input": (False,)},   # (True sorts `a` in place)
     a="unsum(g, a, axis, keepdims) * median_weights(a, axis)",
     jvp="np.sum(t_a * median_weights(a, axis), axis, keepdims=keepdims)")
# a quantile (method 'linear') is a weighted sum of two order statistics of each slice (s2s/runtime_quantiles.py);
# in q it is piecewise linear, and q is taken as given
_QUANTILE = dict(args="a, q, axis=None, out=None, overwrite_input=False, method='linear', keepdims=False, *, "
                      "weights=None, interpolation=None",
                 only={"method": ("linear",), "weights": (None,), "interpolation": (None,), "overwrite_input": (False,)},
                 constant={"q": "the quantile's level is taken as given: wrap it in s2s.stop_gradient()"})
rule(np.quantile, a="quantile_cotangent(g, a, q, axis, keepdims)", jvp="quantile_tangent(t_a, a, q, axis, keepdims)",
     **_QUANTILE)
rule(np.percentile, a="quantile_cotangent(g, a, np.divide(q, 100), axis, keepdims)",
     jvp="quantile_tangent(t_a, a, np.divide(q, 100), axis, keepdims)", **_QUANTILE)

# NaN-ignoring max, min, prod, var and std: NaN entries get no cotangent (a NaN never equals the
# max; it counts as 1 in a product and is left out of the count and the mean of var and std).
for _fn in (np.nanmax, np.nanmin):
    rule(_fn, args=_MAX, **_LIMITS, a="unmax(g, a, ans, axis, keepdims)", jvp="max_tangent(t_a, a, ans, axis, keepdims)")
_OTHERS = "prod_grad(np.where(np.isnan(a), 1.0, a), axis)"
rule(np.nanprod, args="a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=True",
     only={"initial": (None,), "where": (True,)},
     a=f"np.where(np.isnan(a), 0.0, unsum(g, a, axis, keepdims) * {_OTHERS})",
     jvp=f"np.sum(np.where(np.isnan(a), 0.0, t_a) * {_OTHERS}, axis, keepdims=keepdims)")
_COUNT = "np.sum(np.logical_not(np.isnan(a)), axis, keepdims={}, dtype=ans.dtype)".format
_CENTRED = "(a - np.nanmean(a, axis, keepdims=True))"
_NANVAR = "a, axis=None, dtype=None, out=None, ddof=0, keepdims=False"
rule(np.nanvar, args=_NANVAR, constant=("ddof",),
     a=f"np.where(np.isnan(a), 0.0, unsum(g, a, axis, keepdims) * {_CENTRED}) * 2 / ({_COUNT(True)} - ddof)",
     jvp=f"np.sum(np.where(np.isnan(a), 0.0, t_a * {_CENTRED}), axis, keepdims=keepdims) * 2 "
         f"/ ({_COUNT('keepdims')} - ddof)")
rule(np.nanstd, args=_NANVAR, constant=("ddof",),
     a=f"np.where(np.isnan(a), 0.0, unsum(g / {_NONZERO('ans')}, a, axis, keepdims) * {_CENTRED}) "
       f"/ ({_COUNT(True)} - ddof)",
     jvp=f"np.sum(np.where(np.isnan(a), 0.0, t_a * {_CENTRED}), axis, keepdims=keepdims) "
         f"/ ({_NONZERO('ans')} * ({_COUNT('keepdims')} - ddof))")
