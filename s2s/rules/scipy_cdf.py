"""SciPy's distribution functions: cdf, sf and their logarithms (``norm.logsf(x, loc, scale)``).

With z = (x - loc) / scale, a cdf F(z) has derivative pdf in x, -pdf in loc and
-pdf z in scale: each rule is written with the distribution's own ``pdf`` (or, for
the logarithms, ``exp(logpdf - ans)``, which stays finite far in the tails where
pdf and cdf both underflow), which has a rule, so the derivative differentiates
again. Shape parameters (degrees of freedom, a, b) are refused: the derivative of a
cdf in them is not elementary. A Poisson cdf is a step function of its counts,
which are refused too.
"""
from .scipy_stats import _Z, stats

_SHAPE = ("pass a constant `{}`: the derivative of this distribution function in its shape parameter "
          "is not elementary").format


def _cdf(method, args, pdf, sign="", **kwargs):
    """Register `method` (a cdf with sign "", an sf with "-") whose density is the expression `pdf`."""
    stats(method, args=args, x=f"{sign}g * {pdf}", loc=f"{'-' if not sign else ''}g * {pdf}",
          scale=f"{'-' if not sign else ''}g * {pdf} * {_Z}", **kwargs)


# ---- normal: the density is written out; log Φ and log(1 - Φ) as density / (1 - Φ) = exp(log φ - ans) -------
_PHI = f"np.exp(-{_Z} ** 2 / 2) / (math.sqrt(2 * math.pi) * scale)"
_PHI_OVER = f"np.exp(-{_Z} ** 2 / 2 - ans) / (math.sqrt(2 * math.pi) * scale)"
_cdf("norm.sf", "x, loc=0, scale=1", _PHI, sign="-")
_cdf("norm.logsf", "x, loc=0, scale=1", _PHI_OVER, sign="-")

# ---- Student t, gamma, chi², beta: the density is the distribution's pdf ----------------------------------------
_T_PDF = "scipy.stats.t.pdf(x, df, loc, scale)"
_cdf("t.cdf", "x, df, loc=0, scale=1", _T_PDF, constant={"df": _SHAPE("df")})
_cdf("t.logcdf", "x, df, loc=0, scale=1", "np.exp(scipy.stats.t.logpdf(x, df, loc, scale) - ans)",
     constant={"df": _SHAPE("df")})
_cdf("gamma.cdf", "x, a, loc=0, scale=1", "scipy.stats.gamma.pdf(x, a, loc, scale)", constant={"a": _SHAPE("a")})
_cdf("chi2.cdf", "x, df, loc=0, scale=1", "scipy.stats.chi2.pdf(x, df, loc, scale)", constant={"df": _SHAPE("df")})
_cdf("beta.cdf", "x, a, b, loc=0, scale=1", "scipy.stats.beta.pdf(x, a, b, loc, scale)",
     constant={"a": _SHAPE("a"), "b": _SHAPE("b")})

# ---- Poisson: P(K <= k) = Q(floor(k - loc) + 1, mu), whose derivative in mu is minus the pmf at floor(k - loc)
stats("poisson.cdf", args="k, mu, loc=0",
      constant={"k": "pass the counts as a constant: the cdf is a step function of them",
                "loc": "pass loc as a constant integer"},
      mu="-g * scipy.stats.poisson.pmf(np.floor(k - loc), mu)")
