"""Functions whose result carries no derivative: sizes, indices, predicates, constants.

A call to one of these is kept in the primal code and contributes nothing to
any gradient (its output is piecewise constant, or does not depend on the
values of its inputs).
"""
import numpy as np

from .. import runtime
from . import nondiff, nondiff_attribute, nondiff_method, rule

nondiff(len, range, int, bool, round, isinstance, print, enumerate, zip, runtime.stop_gradient)
nondiff(np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.sign, np.floor, np.ceil,
        np.round, np.rint, np.isnan, np.isinf, np.isfinite, np.zeros_like, np.ones_like,
        np.empty_like, np.full_like, np.zeros, np.ones, np.empty, np.full, np.arange, np.linspace,
        np.eye, np.identity, np.equal, np.not_equal, np.less, np.less_equal, np.greater,
        np.greater_equal, np.logical_and, np.logical_or, np.logical_not, np.all, np.any, np.heaviside)
nondiff(np.result_type)  # a dtype, as generated code reads it (`np.log(x, dtype=np.result_type(ans))`)
nondiff_attribute("shape", "ndim", "size", "dtype")
nondiff_method("argmax", "argmin", "argsort", "all", "any")

# float(x) is the identity on real numbers, so its derivative is one.
rule(float, args="x", elementwise=True, x="g")
rule(abs, args="x", x="g * np.sign(x)")
