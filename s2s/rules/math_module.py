"""The `math` module: scalar functions of Python floats (gamma and lgamma are covered where SciPy is
imported, whose digamma their derivatives need: `rules.scipy_special`)."""
import math

from . import nondiff, rule

rule(math.exp,   args="x",    x="g * ans")
rule(math.expm1, args="x",    x="g * (ans + 1)")
rule(math.log,   args="x, base=None", x="g / x if base is None else g / (x * math.log(base))",
     base="-g * ans / (base * math.log(base))")
rule(math.log2,  args="x",    x="g / (x * math.log(2.0))")
rule(math.log10, args="x",    x="g / (x * math.log(10.0))")
rule(math.log1p, args="x",    x="g / (1 + x)")
rule(math.sqrt,  args="x",    x="g * 0.5 / ans")
rule(math.pow,   args="x, y", x="g * y * x ** (y - (y != 0))", y="g * ans * math.log(x + (x == 0))")  # as np.power
rule(math.sin,   args="x",    x="g * math.cos(x)")
rule(math.cos,   args="x",    x="-g * math.sin(x)")
rule(math.tan,   args="x",    x="g * (1 + ans ** 2)")
rule(math.asin,  args="x",    x="g / math.sqrt(1 - x ** 2)")
rule(math.acos,  args="x",    x="-g / math.sqrt(1 - x ** 2)")
rule(math.atan,  args="x",    x="g / (1 + x ** 2)")
rule(math.atan2, args="x, y", x="g * y / (x ** 2 + y ** 2)", y="-g * x / (x ** 2 + y ** 2)")
rule(math.sinh,  args="x",    x="g * math.cosh(x)")
rule(math.cosh,  args="x",    x="g * math.sinh(x)")
rule(math.tanh,  args="x",    x="g * (1 - ans ** 2)")
rule(math.asinh, args="x",    x="g / math.sqrt(x ** 2 + 1)")
rule(math.acosh, args="x",    x="g / math.sqrt(x ** 2 - 1)")
rule(math.atanh, args="x",    x="g / (1 - x ** 2)")
rule(math.hypot, args="x, y", x="g * x / (ans + (ans == 0))", y="g * y / (ans + (ans == 0))")  # 0 at (0, 0)
rule(math.fabs,  args="x",    x="g * math.copysign(1.0, x)")
rule(math.erf,   args="x",    x="g * 2 / math.sqrt(math.pi) * math.exp(-x ** 2)")
rule(math.erfc,  args="x",    x="-g * 2 / math.sqrt(math.pi) * math.exp(-x ** 2)")
# Integers and booleans; ulp is piecewise constant (derivative zero). nextafter has no rule.
nondiff(math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite)
# copysign(x, y) = |x| sign(y): piecewise constant in y.
rule(math.copysign, args="x, y", x="g * math.copysign(1.0, x) * math.copysign(1.0, y)")
if hasattr(math, "cbrt"):  # Python 3.11 and later
    rule(math.cbrt,  args="x",    x="g / (3 * ans ** 2)")
    rule(math.exp2,  args="x",    x="g * ans * math.log(2.0)")
rule(math.degrees,   args="x",    x="g * (180.0 / math.pi)")
rule(math.radians,   args="x",    x="g * (math.pi / 180.0)")
rule(math.ldexp,     args="x, i", x="g * 2.0 ** i")
# fmod(x, y) = x - trunc(x / y) y and remainder(x, y) = x - round(x / y) y, away from their jumps.
rule(math.fmod,      args="x, y", x="g", y="-g * math.trunc(x / y)")
rule(math.remainder, args="x, y", x="g", y="-g * round(x / y)")
rule(math.fsum,  args="seq", elementwise=False, seq="spread(g, seq)", jvp="math.fsum(t_seq)")
nondiff(math.comb, math.factorial, math.gcd, math.lcm, math.perm, math.isqrt, math.isclose, math.ulp)
