"""Functions whose result carries no derivative, and functions that make arrays.

A call registered with `nondiff` is kept in the primal code and contributes
nothing to any gradient. That is right only when its result cannot carry a
derivative (SPEC §6): integers, booleans, shapes, indices, dtypes; results that
do not depend on the values of the inputs (``np.zeros_like``); and piecewise
constant functions (``np.floor``, ``np.sign``), whose derivative is zero
almost everywhere (the convention of autograd and JAX). Anything else has a
rule, or a call with a differentiated argument raises "no derivative rule".
"""
import numpy as np

from .. import runtime
from . import nondiff, nondiff_attribute, nondiff_method, rule

# ---- integers, booleans, shapes, indices; Python's control helpers ---------------------------
nondiff(len, range, int, print, runtime.stop_gradient)
nondiff(np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.result_type)
nondiff_attribute("shape", "ndim", "size", "dtype")
# Predicates: their result is a bool (or bools), so a derivative *of* one is refused (`refuse_bool_output`).
PREDICATES = (np.allclose, np.isclose, np.array_equal, np.array_equiv, np.isnan, np.isinf, np.isfinite, np.equal,
              np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal, np.logical_and, np.logical_or,
              np.logical_not, np.all, np.any, isinstance, bool)
nondiff(*PREDICATES)
nondiff_method("argmax", "argmin", "argsort", "all", "any")
# methods of strings (a dict's keys, names): strings and booleans, no derivative
nondiff_method("startswith", "endswith", "lower", "upper", "strip", "split", "isdigit", "isalpha", "format")

# ---- results that do not depend on the values of the inputs ------------------------------------
nondiff(np.zeros_like, np.ones_like, np.empty_like, np.zeros, np.ones, np.empty, np.eye, np.identity)

# ---- piecewise constant: derivative zero (round(x) is an int; round(x, n) a float) ---------------
nondiff(round, np.sign, np.floor, np.ceil, np.round, np.rint, np.trunc, np.fix, np.floor_divide)
# heaviside(x, h) is h exactly where x == 0: the derivative in h is that mask, in x zero.
rule(np.heaviside, y="g * (x == 0)")

# ---- arrays filled from values: the cotangent of the value is the sum over what it filled --------
_FILLED = "unbroadcast(uncast(g, ans, ans.dtype), fill_value)"
_FILL_TANGENT = "np.full(np.shape(ans), uncast(t_fill_value, ans, ans.dtype))"
rule(np.full, args="shape, fill_value, dtype=None, order='C', *, device=None, like=None",
     fill_value=_FILLED, jvp=_FILL_TANGENT)
rule(np.full_like, args="a, fill_value, dtype=None, order='K', subok=True, shape=None, *, device=None",
     fill_value=_FILLED, jvp=_FILL_TANGENT)
# linspace: ans = (1 - s) start + s stop along `axis`, s = linspace(0, 1, num, endpoint) (the ramp).
_RAMP = "np.linspace(0.0, 1.0, num, endpoint)"
_ALONG = "np.moveaxis(uncast(g, ans, ans.dtype), axis, -1)"
rule(np.linspace, args="start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None",
     only={"retstep": (False,)},
     start=f"unbroadcast({_ALONG} @ (1.0 - {_RAMP}), start)", stop=f"unbroadcast({_ALONG} @ {_RAMP}, stop)",
     jvp="uncast(np.linspace(t_start, np.zeros_like(stop), num, endpoint, axis=axis), ans, ans.dtype) + "
         "uncast(np.linspace(np.zeros_like(start), t_stop, num, endpoint, axis=axis), ans, ans.dtype)")
# arange(start, stop, step) is start + k step; with one argument that argument is the stop (length only).
rule(np.arange, args="start, stop=None, step=None, dtype=None, *, device=None, like=None",
     start="unbroadcast(uncast(g, ans, ans.dtype), start) * (stop is not None)",
     step="unbroadcast(uncast(g, ans, ans.dtype) * np.arange(np.size(ans)), step)",
     jvp="uncast(np.full(np.shape(ans), t_start * (stop is not None)), ans, ans.dtype) + "
         "uncast(t_step * np.arange(np.size(ans)), ans, ans.dtype)")

# float(x) is the identity on real numbers, so its derivative is one.
rule(float, args="x", elementwise=True, x="g")
rule(abs, args="x", x="g * np.sign(x)")
