"""SciPy's special functions (registered only when SciPy imports; see `s2s.rules`).

The templates call SciPy as ``scipy.special.digamma(x)``: generated code that
mentions ``scipy.<module>.`` imports that module (`s2s.driver`), and each
function it calls has a rule here, so the derivative differentiates again.
Integer orders (``n`` of polygamma, ``d`` of multigammaln, ``v`` of iv and jv) and the shape
parameters of the incomplete gamma and beta functions (``a``, ``b``) are
refused when they carry a derivative.
"""
import math

import scipy.special

from . import nondiff, rule

_SPECIAL = "scipy.special."


def special(name, **kwargs):
    """Register `scipy.special.<name>`, named so in errors and documentation."""
    rule(getattr(scipy.special, name), name=_SPECIAL + name, **kwargs)


_ORDER = "pass an integer constant: the derivative in the order is not defined"

# ---- gamma, beta and their logarithms -------------------------------------------------------
special("gamma",    x="g * ans * scipy.special.digamma(x)")
special("gammaln",  x="g * scipy.special.digamma(x)")
special("digamma",  x="g * scipy.special.zeta(2, x)")  # the trigamma function, in x's precision
# math's gamma and lgamma (of Python floats) need digamma too, which SciPy has
rule(math.gamma, args="x", x="g * ans * scipy.special.digamma(x)")
rule(math.lgamma, args="x", x="g * scipy.special.digamma(x)")
special("polygamma", args="n, x", elementwise=True, constant={"n": _ORDER}, x="g * scipy.special.polygamma(n + 1, x)")
# Hurwitz zeta: d/dq ζ(s, q) = -s ζ(s + 1, q)
special("zeta", args="x, q=None", elementwise=True, constant={"x": "pass a constant exponent"},
        q="-g * x * scipy.special.zeta(x + 1, q)")
special("beta",   args="a, b", a="g * ans * (scipy.special.digamma(a) - scipy.special.digamma(a + b))",
        b="g * ans * (scipy.special.digamma(b) - scipy.special.digamma(a + b))")
special("betaln", args="a, b", a="g * (scipy.special.digamma(a) - scipy.special.digamma(a + b))",
        b="g * (scipy.special.digamma(b) - scipy.special.digamma(a + b))")
# log Γ_d(a) = d(d-1)/4 log π + Σ_{j<d} log Γ(a - j/2)
special("multigammaln", args="a, d", elementwise=True, constant={"d": _ORDER},
        a="g * sum([scipy.special.digamma(a - j / 2) for j in range(d)])")

special("rgamma", x="-g * ans * scipy.special.digamma(x)")   # 1 / Γ(x)
nondiff(scipy.special.gammasgn)   # the sign of Γ: piecewise constant, derivative zero (as np.sign)

# ---- regularized incomplete gamma and beta functions: derivatives in x only (in a and b they are not
# elementary). d/dx P(a, x) = x^(a-1) e^-x / Γ(a), d/dx I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b), as logs.
_SHAPE = ("pass a constant: the derivative in a shape parameter of an incomplete gamma or beta function "
          "is not elementary")
# (in the output's dtype, `uncast`: SciPy's xlogy of a Python float and a float32 array is float64)
_DGAMMAINC = "uncast(np.exp(scipy.special.xlogy(a - 1, x) - x - scipy.special.gammaln(a)), ans)"
special("gammainc", args="a, x", elementwise=True, constant={"a": _SHAPE}, x=f"g * {_DGAMMAINC}")
special("gammaincc", args="a, x", elementwise=True, constant={"a": _SHAPE}, x=f"-g * {_DGAMMAINC}")
special("betainc", args="a, b, x", elementwise=True, constant={"a": _SHAPE, "b": _SHAPE},
        x="g * uncast(np.exp(scipy.special.xlogy(a - 1, x) + scipy.special.xlog1py(b - 1, -x) "
          "- scipy.special.betaln(a, b)), ans)")

# ---- logistic ---------------------------------------------------------------------------------
special("expit", x="g * ans * (1 - ans)")
special("logit", x="g / (x * (1 - x))")

# ---- error functions and the normal distribution function ----------------------------------------
special("erf",     x="g * (2 / math.sqrt(math.pi)) * np.exp(-x ** 2)")
special("erfc",    x="-g * (2 / math.sqrt(math.pi)) * np.exp(-x ** 2)")
special("erfinv",  x="g * (math.sqrt(math.pi) / 2) * np.exp(ans ** 2)")
special("erfcinv", x="-g * (math.sqrt(math.pi) / 2) * np.exp(ans ** 2)")
special("ndtr",     x="g * np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi)")
special("ndtri",    x="g * math.sqrt(2 * math.pi) * np.exp(ans ** 2 / 2)")
special("log_ndtr", x="g * np.exp(-x ** 2 / 2 - ans) / math.sqrt(2 * math.pi)")  # pdf / cdf, stable in the tail

# ---- x log y (0 where x is 0, whatever y) ------------------------------------------------------------
special("xlogy",   x="g * np.log(y)", y="g * x / (y + (x == 0))")
special("xlog1py", x="g * np.log1p(y)", y="g * x / (1 + y + (x == 0))")

# ---- modified Bessel functions: I0' = I1, Iv' = (Iv-1 + Iv+1) / 2, and the scaled ones e^-|x| Iv ------
special("i0",  x="g * scipy.special.i1(x)")
special("i1",  x="g * (scipy.special.i0(x) + scipy.special.iv(2, x)) / 2")
special("i0e", x="g * (scipy.special.i1e(x) - np.sign(x) * ans)")
special("i1e", x="g * ((scipy.special.i0e(x) + scipy.special.ive(2, x)) / 2 - np.sign(x) * ans)")
special("iv",  args="v, z", elementwise=True, constant={"v": _ORDER},
        z="g * (scipy.special.iv(v - 1, z) + scipy.special.iv(v + 1, z)) / 2")
special("ive", args="v, z", elementwise=True, constant={"v": _ORDER},
        z="g * ((scipy.special.ive(v - 1, z) + scipy.special.ive(v + 1, z)) / 2 - np.sign(z) * ans)")

# ---- Bessel functions of the first and second kind: J0' = -J1, Jv' = (Jv-1 - Jv+1) / 2, the same for Y
# (scipy.special.jn is jv; yn takes integer orders, yv any) ---------------------------------------------------------
special("j0", x="-g * scipy.special.j1(x)")
special("j1", x="g * (scipy.special.j0(x) - scipy.special.jv(2, x)) / 2")
special("jv", args="v, z", elementwise=True, constant={"v": _ORDER},
        z="g * (scipy.special.jv(v - 1, z) - scipy.special.jv(v + 1, z)) / 2")
special("y0", x="-g * scipy.special.y1(x)")
special("y1", x="g * (scipy.special.y0(x) - scipy.special.yv(2, x)) / 2")
special("yn", args="n, x", elementwise=True, constant={"n": _ORDER},
        x="g * (scipy.special.yn(n - 1, x) - scipy.special.yn(n + 1, x)) / 2")
special("yv", args="v, z", elementwise=True, constant={"v": _ORDER},
        z="g * (scipy.special.yv(v - 1, z) - scipy.special.yv(v + 1, z)) / 2")

# ---- log-sum-exp and softmax over axes ----------------------------------------------------------
# logsumexp = log Σ b e^a: a gets g b e^(a - ans), b gets g e^(a - ans) (summed back to b's shape).
_SOFT = "np.exp(a - unsum(ans, a, axis, keepdims))"
special("logsumexp", args="a, axis=None, b=None, keepdims=False, return_sign=False", only={"return_sign": (False,)},
        a=f"unsum(g, a, axis, keepdims) * {_SOFT} * (1 if b is None else b)",
        b=f"unbroadcast(unsum(g, a, axis, keepdims) * {_SOFT}, b)",
        jvp=f"np.sum(t_a * {_SOFT} * (1 if b is None else b), axis, keepdims=keepdims) "
            f"+ np.sum(t_b * {_SOFT}, axis, keepdims=keepdims)")
special("softmax", args="x, axis=None", x="ans * (g - np.sum(g * ans, axis, keepdims=True))",
        jvp="ans * (t_x - np.sum(t_x * ans, axis, keepdims=True))")
special("log_softmax", args="x, axis=None", x="g - np.exp(ans) * np.sum(g, axis, keepdims=True)",
        jvp="t_x - np.sum(t_x * np.exp(ans), axis, keepdims=True)")
