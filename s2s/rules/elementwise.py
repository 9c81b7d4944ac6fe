"""NumPy's elementwise functions. Each line is both modes (see `s2s.rules`)."""
import numpy as np

from . import rule

# ---- exponentials and logarithms ----------------------------------------------------
rule(np.exp,        x="g * ans")
rule(np.exp2,       x="g * ans * math.log(2.0)")
rule(np.expm1,      x="g * (ans + 1)")
rule(np.log,        x="g / x")
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
rule(np.power,    x="g * y * x ** (y - 1)", y="g * ans * np.log(x, dtype=np.result_type(ans))")
rule(np.arctan2,  x="g * y / (x ** 2 + y ** 2)", y="-g * x / (x ** 2 + y ** 2)")
rule(np.hypot,    x="g * x / ans", y="g * y / ans")
rule(np.logaddexp, x="g * np.exp(x - ans)", y="g * np.exp(y - ans)")
# At a tie, maximum and minimum split the cotangent evenly (as autograd and JAX do).
rule(np.maximum,  x="np.where(x == y, 0.5 * g, g * (x > y))", y="np.where(x == y, 0.5 * g, g * (y > x))")
rule(np.minimum,  x="np.where(x == y, 0.5 * g, g * (x < y))", y="np.where(x == y, 0.5 * g, g * (y < x))")
rule(np.where, args="condition, x, y", elementwise=True,
     x="np.where(condition, g, 0.0)", y="np.where(condition, 0.0, g)")
