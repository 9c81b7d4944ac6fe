"""NumPy's elementwise functions. Each line is both modes (see `s2s.rules`)."""
import numpy as np

from . import rule

# ---- exponentials and logarithms ----------------------------------------------------
rule(np.exp,        x="g * ans")
rule(np.exp2,       x="g * ans * math.log(2.0)")
rule(np.expm1,      x="g * (ans + 1)")
rule(np.log,        args="x, *, dtype=None", elementwise=True, x="g / x")
rule(np.log2,       x="g / (x * math.log(2.0))")
rule(np.log10,      x="g / (x * math.log(10.0))")
rule(np.log1p,      x="g / (1 + x)")
rule(np.sqrt,       x="g * 0.5 / ans")
rule(np.cbrt,       x="g / (3 * ans ** 2)")
rule(np.square,     x="g * 2 * x")
rule(np.reciprocal, x="-g * ans ** 2")

# ---- trigonometric and hyperbolic ---------------------------------------------------
rule(np.sin,     x="g * np.cos(x)")
rule(np.cos,     x="-g * np.sin(x)")
rule(np.tan,     x="g * (1 + ans ** 2)")
rule(np.arcsin,  x="g / np.sqrt(1 - x ** 2)")
rule(np.arccos,  x="-g / np.sqrt(1 - x ** 2)")
rule(np.arctan,  x="g / (1 + x ** 2)")
rule(np.sinh,    x="g * np.cosh(x)")
rule(np.cosh,    x="g * np.sinh(x)")
rule(np.tanh,    x="g * (1 - ans ** 2)")
rule(np.arcsinh, x="g / np.sqrt(x ** 2 + 1)")
rule(np.arccosh, x="g / np.sqrt(x ** 2 - 1)")
rule(np.arctanh, x="g / (1 - x ** 2)")

# ---- signs ----------------------------------------------------------------------------
rule(np.negative, x="-g")
rule(np.positive, x="g")
rule(np.absolute, x="g * np.sign(x)")
rule(np.fabs,     x="g * np.sign(x)")

# ---- two arguments (broadcasting: contributions are summed back to each shape) --------
rule(np.add,      x="g",      y="g")
rule(np.subtract, x="g",      y="-g")
rule(np.multiply, x="g * y",  y="g * x")
rule(np.divide,   x="g / y",  y="-g * ans / y")
# At x = 0 (as autograd and JAX): the derivative in y is 0 (log of 1 for 0), and x ** 0 has derivative 0 in x.
# The part in y is exactly 0 where g (or the tangent) is: log(x) is NaN at x < 0 (x ** 2.0 there, y constant).
rule(np.power,    x="g * y * x ** (y - (y != 0))",
     y="np.where(g == 0, 0.0, g * ans * np.log(x + (x == 0), dtype=np.result_type(ans)))")
rule(np.arctan2,  x="g * y / (x ** 2 + y ** 2)", y="-g * x / (x ** 2 + y ** 2)")
rule(np.hypot,    x="g * x / (ans + (ans == 0))", y="g * y / (ans + (ans == 0))")  # 0 at the origin
rule(np.logaddexp, x="g * np.exp(x - ans)", y="g * np.exp(y - ans)")
# x - floor(x / y) y (mod, remainder) and x - trunc(x / y) y (fmod), away from their jumps.
rule(np.remainder, x="g", y="-g * np.floor_divide(x, y)")  # also np.mod
rule(np.fmod,      x="g", y="-g * np.trunc(x / y)")
# At a tie, maximum and minimum split the cotangent evenly (as autograd and JAX do).
rule(np.maximum,  x="np.where(x == y, 0.5 * g, g * (x > y))", y="np.where(x == y, 0.5 * g, g * (y > x))")
rule(np.minimum,  x="np.where(x == y, 0.5 * g, g * (x < y))", y="np.where(x == y, 0.5 * g, g * (y < x))")
rule(np.where, args="condition, x, y", elementwise=True,
     x="np.where(condition, g, 0.0)", y="np.where(condition, 0.0, g)")
# select picks, entry by entry, the first choice whose condition holds (else the default): each choice
# gets g where it was picked. (`select_of` is np.select made of np.where: see s2s.runtime_portable.)
SELECT = dict(args="condlist, choicelist, default=0", elementwise=False,
              choicelist="[unbroadcast(select_of(condlist, [g * (j == i) for j in range(len(choicelist))], 0.0), "
                         "choicelist[i]) for i in range(len(choicelist))]",
              default="unbroadcast(select_of(condlist, [0.0 * g for c in condlist], g), default)",
              jvp="select_of(condlist, t_choicelist, 0.0) + select_of(condlist, [0.0 for c in condlist], t_default)")
rule(np.select, **SELECT)   # (and select_of: s2s.rules.runtime_helpers)
# nan_to_num replaces NaN and infinities by constants (the replacements are refused when differentiated).
rule(np.nan_to_num, args="x, copy=True, nan=0.0, posinf=None, neginf=None", elementwise=True,
     constant=("nan", "posinf", "neginf"), x="np.where(np.isfinite(x), g, 0.0)")

# ---- more functions of one argument ---------------------------------------------------
rule(np.deg2rad, x="g * (np.pi / 180)")
rule(np.radians, x="g * (np.pi / 180)")
rule(np.rad2deg, x="g * (180 / np.pi)")
rule(np.degrees, x="g * (180 / np.pi)")
# sinc'(x) = (cos(pi x) - sinc(x)) / x, and 0 at x = 0 (where the numerator is exactly 0).
rule(np.sinc, elementwise=True, x="g * (np.cos(np.pi * x) - ans) / (x + (x == 0))")

# ---- more functions of two arguments ----------------------------------------------------
rule(np.logaddexp2, x="g * np.exp2(x - ans)", y="g * np.exp2(y - ans)")
# float_power computes in float64: the cotangents go back in each argument's own dtype.
rule(np.float_power, elementwise=True,
     x="uncast(g * y * np.float_power(x, y - 1), x)", y="uncast(g * ans * np.log(x), y)",
     jvp="t_x * y * np.float_power(x, y - 1) + t_y * ans * np.log(x)")
# fmax and fmin are maximum and minimum where a NaN loses: the other argument gets g (half
# each at a tie). The masks are floats of the arguments' dtype, as a Python-float tangent is weak.
rule(np.fmax, x="g * np.fmax(np.heaviside(x - y, 0.5), np.isnan(y))",
     y="g * np.fmax(np.heaviside(y - x, 0.5), np.isnan(x))")
rule(np.fmin, x="g * np.fmax(np.heaviside(y - x, 0.5), np.isnan(y))",
     y="g * np.fmax(np.heaviside(x - y, 0.5), np.isnan(x))")
# |x| with the sign of y (piecewise constant in y): ans / x is exactly +1 or -1, and 0 at x = 0.
rule(np.copysign, x="g * ans / (x + (x == 0))")
# clip: one inside the bounds (and at them), zero outside, where the bound that is hit gets g.
rule(np.clip, args="a, a_min=None, a_max=None, out=None, *, min=None, max=None", elementwise=True,
     a="g * (ans == a)",
     a_min="g * np.heaviside(a_min - a, 0.0) * (ans == a_min)",
     a_max="g * np.heaviside(a - a_max, 0.0) * (ans == a_max)",
     min="g * np.heaviside(min - a, 0.0) * (ans == min)", max="g * np.heaviside(a - max, 0.0) * (ans == max)")
rule(method="clip", args="a, min=None, max=None, out=None", elementwise=True, a="g * (ans == a)",
     min="g * np.heaviside(min - a, 0.0) * (ans == min)", max="g * np.heaviside(a - max, 0.0) * (ans == max)")

# ---- complex parts of real inputs (s2s differentiates real arithmetic): the identity ------
rule(np.conjugate, x="g")  # also np.conj
rule(np.real, args="val", elementwise=True, val="g")
rule(np.real_if_close, args="a, tol=100", elementwise=True, a="g")
# The imaginary part (0) and the angle (0 or pi) of a real number are constant where it is not 0. Zero
# derivatives, not `nondiff`: a value that turns out complex when run (eig's eigenvalues) still gets its
# cotangent, so that the rule that made it raises.
rule(np.imag, args="val", elementwise=True, val="0.0 * g")
rule(np.angle, args="z, deg=False", elementwise=True, z="0.0 * g")
