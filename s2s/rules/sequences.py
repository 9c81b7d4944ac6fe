"""Sequences along an axis: differences, gradients, interpolation, integrals, convolutions and polynomials.

`np.diff`, `np.gradient` and `np.convolve` are linear in each argument: their
cotangents are the transposed maps (`undiff`, `ungradient`; a convolution's
transpose is a correlation with the other argument, of the cotangent padded to
the full-mode length). `np.interp` is linear in its values and piecewise linear
in its points; `np.trapezoid` bilinear in the samples and their spacing.
"""
import numpy as np

from .. import runtime as rt
from . import nondiff, rule

nondiff(np.searchsorted, rt.ends_count)

# With prepend= or append= (a number stands for a slice along the axis), diff takes differences of the
# array with its ends joined (`with_ends`): the cotangent of the joined array is split back.
_PRE, _APP = "ends_count(prepend, a, axis)", "ends_count(append, a, axis)"
_PARTS = dict(  # cotangents of a, prepend, append from the cotangent {g} of the joined array (one form for None)
    a=f"np.take({{g}}, range({_PRE}, {_PRE} + np.shape(a)[axis]), axis)",
    prepend=f"unbroadcast(np.take({{g}}, range({_PRE}), axis), prepend)",
    append=f"unbroadcast(np.take({{g}}, range({_PRE} + np.shape(a)[axis], {_PRE} + np.shape(a)[axis] + {_APP}), axis), append)")
_ZERO = "None if {0} is None else 0.0 * {0}".format
_ENDS = dict(a=f"with_ends(t_a, {_ZERO('prepend')}, {_ZERO('append')}, axis)",
             prepend=f"with_ends(0.0 * a, t_prepend, {_ZERO('append')}, axis)",
             append=f"with_ends(0.0 * a, {_ZERO('prepend')}, t_append, axis)")
rule(np.diff, args="a, n=1, axis=-1, prepend=None, append=None",
     a=f"(undiff(g, n, axis) if append is None else {_PARTS['a'].format(g='undiff(g, n, axis)')}) "
       f"if prepend is None else {_PARTS['a'].format(g='undiff(g, n, axis)')}",
     prepend=_PARTS["prepend"].format(g="undiff(g, n, axis)"), append=_PARTS["append"].format(g="undiff(g, n, axis)"),
     jvp="((np.diff(t_a, n, axis) if append is None else np.diff({0}, n, axis)) if prepend is None else "
         "np.diff({0}, n, axis)) + np.diff({1}, n, axis) + np.diff({2}, n, axis)".format(*_ENDS.values()))
rule(rt.with_ends, args="a, prepend, append, axis", **{p: t.format(g="g") for p, t in _PARTS.items()},
     jvp=" + ".join(_ENDS.values()))

# gradient is linear in f along each axis (`ungradient` applies the transposed stencil); the spacing,
# scalars or coordinates, is refused when differentiated.
rule(np.gradient, args="f, *varargs, axis=None, edge_order=1",
     constant={"varargs": "pass the spacing as constants, or wrap it in s2s.stop_gradient()"},
     f="ungradient(g, f, varargs, axis, edge_order)", jvp="regradient(t_f, varargs, axis, edge_order)")
rule(rt.ungradient, args="c, f, spacing=(), axis=None, edge_order=1",
     c="regradient(g, spacing, axis, edge_order)", jvp="ungradient(t_c, f, spacing, axis, edge_order)")
rule(rt.regradient, args="c, spacing=(), axis=None, edge_order=1",
     c="ungradient(g, c, spacing, axis, edge_order)", jvp="regradient(t_c, spacing, axis, edge_order)")

# interp(x, xp, fp): linear in fp (and in left, right: the values outside [xp[0], xp[-1]]); in x, the slope of
# the segment x falls in (zero outside). The knots xp are refused when differentiated.
_OUT = "None if {0} is None else 0.0".format
_SEGMENT = "np.clip(np.searchsorted(xp, x, 'right') - 1, 0, len(xp) - 2)"
_INSIDE = "((x > xp[0]) & (x < xp[-1]))"
_SLOPE = f"(np.diff(fp) / np.diff(xp))[{_SEGMENT}] * {_INSIDE}"
# `uninterp` splits g between the knots around each x; in x, it moves the split at the rate 1 / (knot step).
rule(rt.uninterp, args="c, x, xp, left=None, right=None", elementwise=False,
     c=f"uncast(np.interp(x, xp, g, {_OUT('left')}, {_OUT('right')}), c)", x=f"uncast(c * {_SLOPE.replace('fp', 'g')}, x)",
     jvp=f"uninterp(t_c, x, xp, left, right) + uncast(undiff(untake(c * t_x * {_INSIDE} / np.diff(xp)[{_SEGMENT}], "
         f"np.diff(xp), {_SEGMENT}), 1, -1), ans)")
rule(np.interp, args="x, xp, fp, left=None, right=None, period=None", elementwise=False,
     constant={"xp": "pass the knots xp as constants, or wrap them in s2s.stop_gradient()"}, only={"period": (None,)},
     x=f"g * {_SLOPE}",
     fp="uninterp(g, x, xp, left, right)",
     left="np.sum(g * (x < xp[0]))", right="np.sum(g * (x > xp[-1]))",
     jvp=f"t_x * {_SLOPE} + np.interp(x, xp, t_fp, {_OUT('left')}, {_OUT('right')}) + t_left * (x < xp[0]) "
         "+ t_right * (x > xp[-1])")

# trapezoid(y, x, dx) = sum(D * S, axis): D the steps (dx, or the differences of the sample points x, a 1-d
# x laid along the axis by `along`), S the means of neighbouring samples (y[:-1] + diff(y) / 2). Bilinear:
# y gets Sᵀ(g D), x the differences' adjoint of g S, dx the sum of g S.
_HEAD = "np.take({}, range(np.shape(y)[axis] - 1), axis)".format
_MEANS = f"({_HEAD('y')} + np.diff(y, 1, axis) / 2)"
_STEPS = "(dx if x is None else np.diff(along(x, y, axis), 1, axis))"
_GD = f"np.broadcast_to(np.expand_dims(g, axis) * {_STEPS}, np.shape(np.diff(y, 1, axis)))"
for _fn in [getattr(np, n) for n in ("trapezoid", "trapz") if hasattr(np, n)]:
    rule(_fn, args="y, x=None, dx=1.0, axis=-1",
         y=f"untake({_GD}, y, range(np.shape(y)[axis] - 1), axis) + undiff({_GD}, 1, axis) / 2",
         x=f"np.reshape(unbroadcast(undiff(np.expand_dims(g, axis) * {_MEANS}, 1, axis), along(x, y, axis)), np.shape(x))",
         dx=f"np.sum(g * np.sum({_MEANS}, axis))",
         jvp=f"np.sum({_STEPS} * ({_HEAD('t_y')} + np.diff(t_y, 1, axis) / 2), axis) "
             f"+ np.sum(np.diff(along(t_x, y, axis), 1, axis) * {_MEANS}, axis) + t_dx * np.sum({_MEANS}, axis)")
rule(rt.along, args="x, y, axis", x="np.reshape(g, np.shape(x))", jvp="along(t_x, y, axis)")

# convolve(a, v) = correlate(a, v[::-1]) (real inputs); the cotangent of one argument is the full-length
# cotangent correlated with the other ('valid' gives that argument's length).
_FULL = "np.pad(g, convolve_pad(a, v, mode))"
rule(np.convolve, args="a, v, mode='full'",
     a=f"np.correlate({_FULL}, v, 'valid')", v=f"np.correlate({_FULL}, a, 'valid')",
     jvp="np.convolve(t_a, v, mode) + np.convolve(a, t_v, mode)")
rule(np.correlate, args="a, v, mode='valid'",
     a=f"np.convolve({_FULL}, v, 'valid')", v=f"np.correlate({_FULL}, a, 'valid')[::-1]",
     jvp="np.correlate(t_a, v, mode) + np.correlate(a, t_v, mode)")

# p[0] x^(N-1) + ... + p[N-1]: linear in p; in x, the derivative polynomial (coefficients p[k] (N-1-k)).
_DP = "[p[k] * (len(p) - 1 - k) for k in range(len(p) - 1)]"
rule(np.polyval, args="p, x",
     p="uncast(np.array([np.sum(g * x ** (len(p) - 1 - k)) for k in range(len(p))]), p)",
     x=f"g * np.polyval({_DP}, x)",
     jvp=f"np.polyval(t_p, x) + t_x * np.polyval({_DP}, x)")
