"""SciPy's distributions: densities of `scipy.stats` singletons (``norm.logpdf(x, loc=m, scale=s)``).

A call ``norm.logpdf(...)`` resolves to a bound method of the `norm` object,
which is what these rules are registered for (bound methods of one object
and function compare equal). Location and scale are ``loc`` and ``scale``,
positional or by keyword; with z = (x - loc) / scale each rule is a formula
of z. Integer arguments (the ``k`` of a Poisson pmf) are refused where they
carry a derivative.
"""
import scipy.stats

from .. import runtime
from . import nondiff, rule

_Z = "((x - loc) / scale)"
_PSI = "scipy.special.digamma"


def stats(method, **kwargs):
    """Register the bound method `scipy.stats.<method>` (e.g. "norm.logpdf")."""
    name, attribute = method.split(".")
    rule(getattr(getattr(scipy.stats, name), attribute), name="scipy.stats." + method, elementwise=True, **kwargs)


def _density(method, args, **log_terms):
    """logpdf from the derivatives of log p per argument; pdf = p is the same times ans."""
    stats(method + ".logpdf", args=args, **{p: f"g * {d}" for p, d in log_terms.items()})
    stats(method + ".pdf", args=args, **{p: f"g * ans * {d}" for p, d in log_terms.items()})


# ---- normal: d log p / dz = -z ----------------------------------------------------------------------
_density("norm", "x, loc=0, scale=1", x=f"-{_Z} / scale", loc=f"{_Z} / scale", scale=f"({_Z} ** 2 - 1) / scale")
_PHI = f"np.exp(-{_Z} ** 2 / 2) / (math.sqrt(2 * math.pi) * scale)"      # the density, d cdf / dx
_PHI_OVER_CDF = f"np.exp(-{_Z} ** 2 / 2 - ans) / (math.sqrt(2 * math.pi) * scale)"  # for logcdf = ans
stats("norm.cdf", args="x, loc=0, scale=1", x=f"g * {_PHI}", loc=f"-g * {_PHI}", scale=f"-g * {_PHI} * {_Z}")
stats("norm.logcdf", args="x, loc=0, scale=1",
      x=f"g * {_PHI_OVER_CDF}", loc=f"-g * {_PHI_OVER_CDF}", scale=f"-g * {_PHI_OVER_CDF} * {_Z}")

# ---- Student t: log p = const(df) - log scale - (df + 1) / 2 log(1 + z² / df) ------------------------------
_DT = f"(-(df + 1) * {_Z} / (df + {_Z} ** 2))"   # d log p / dz
_density("t", "x, df, loc=0, scale=1", x=f"{_DT} / scale", loc=f"-{_DT} / scale", scale=f"-(1 + {_DT} * {_Z}) / scale",
         df=f"({_PSI}((df + 1) / 2) - {_PSI}(df / 2) - 1 / df - np.log1p({_Z} ** 2 / df) "
            f"+ (df + 1) * {_Z} ** 2 / (df * (df + {_Z} ** 2))) / 2")

# ---- gamma: log p = (a - 1) log z - z - log Γ(a) - log scale ------------------------------------------------
_DG = f"((a - 1) / {_Z} - 1)"
_density("gamma", "x, a, loc=0, scale=1", x=f"{_DG} / scale", loc=f"-{_DG} / scale", scale=f"({_Z} - a) / scale",
         a=f"(np.log({_Z}) - {_PSI}(a))")

# ---- beta: log p = (a - 1) log z + (b - 1) log(1 - z) - log B(a, b) - log scale -----------------------------
_DB = f"((a - 1) / {_Z} - (b - 1) / (1 - {_Z}))"
_density("beta", "x, a, b, loc=0, scale=1", x=f"{_DB} / scale", loc=f"-{_DB} / scale",
         scale=f"-({_DB} * {_Z} + 1) / scale",
         a=f"(np.log({_Z}) - {_PSI}(a) + {_PSI}(a + b))", b=f"(np.log1p(-{_Z}) - {_PSI}(b) + {_PSI}(a + b))")

# ---- Poisson: log p = (k - loc) log mu - mu - log (k - loc)!; 0 log 0 is 0 ------------------------------------
_COUNTS = {"k": "pass the counts as a constant: they are integers", "loc": "pass loc as a constant integer"}
_DMU = "((k - loc) / (mu + (k == loc)) - 1)"
stats("poisson.logpmf", args="k, mu, loc=0", constant=_COUNTS, mu=f"g * {_DMU}")
stats("poisson.pmf", args="k, mu, loc=0", constant=_COUNTS, mu=f"g * ans * {_DMU}")

# ---- chi²: log p = (df/2 - 1) log z - z/2 - (df/2) log 2 - log Γ(df/2) - log scale -------------------------------
_DC = f"((df / 2 - 1) / {_Z} - 0.5)"
_density("chi2", "x, df, loc=0, scale=1", x=f"{_DC} / scale", loc=f"-{_DC} / scale",
         scale=f"-({_DC} * {_Z} + 1) / scale", df=f"(np.log({_Z} / 2) - {_PSI}(df / 2)) / 2")

# ---- Dirichlet: x holds the K components along its first axis (or K - 1 of them, the last being
# 1 - their sum); log p = Σ (alpha - 1) log x + log Γ(Σ alpha) - Σ log Γ(alpha), one per column. The
# cotangent of x is that of this formula (x is only defined on the simplex, where it is exact). pdf = p:
# the same with g times ans.
_FULL = "len(x) == len(alpha)"
_X = f"(x if {_FULL} else np.concatenate([x, 1 - np.sum(x, 0, keepdims=True)]))"
_TX = f"(t_x if {_FULL} else np.concatenate([t_x, -np.sum(t_x, 0, keepdims=True)]))"
_A1 = "np.reshape(alpha - 1, np.shape(alpha) + (1,) * (np.ndim(x) - 1))"   # alpha - 1 along the first axis
_LOGX = f"np.reshape(np.log({_X}), (len(alpha), -1))"
_NORM = f"({_PSI}(np.sum(alpha)) - {_PSI}(alpha))"


def _dirichlet(method, g, times):
    dx = f"({_A1} / {_X} * {g})"
    rule(getattr(scipy.stats.dirichlet, method), args="x, alpha", name="scipy.stats.dirichlet." + method,
         x=f"{dx} if {_FULL} else {dx}[:-1] - {dx}[-1:]",
         alpha=f"{_LOGX} @ np.reshape({g}, (-1,)) + np.sum({g}) * {_NORM}",
         jvp=f"{times}np.sum({_A1} / {_X} * {_TX}, 0) + {times}np.reshape(t_alpha @ {_LOGX}, np.shape(ans)) "
             f"+ {times}np.sum(t_alpha * {_NORM})")


_dirichlet("logpdf", "g", "")
_dirichlet("pdf", "(g * ans)", "ans * ")

# ---- multivariate normal: x (..., d); cov a (d, d) matrix of which the lower triangle is read (as SciPy
# does), a vector (its diagonal) or a number (times the identity): the matrix C = `mvn_cov`. With r = x - mean
# per point, s = C⁻¹ r: log p = -(d log 2π + log det C + rᵀ s) / 2, so x gets -g s, mean g s, and C
# -(g C⁻¹ - g s sᵀ) / 2, taken back to cov by `unmvn_cov` (the adjoint of `mvn_cov`). With
# allow_singular=True and a singular C, SciPy's density lives on the range of C, with C's
# pseudo-inverse for C⁻¹: x and mean get the same formulas with it (the derivative along that
# subspace; off it the density is zero), and C none (`mvn_nonsingular` raises).
nondiff(runtime.mvn_dim)
rule(runtime.mvn_cov, args="cov, dim", cov="unmvn_cov(g, cov)", jvp="mvn_cov(t_cov, dim)")
rule(runtime.unmvn_cov, args="c, cov", c="mvn_cov(g, np.shape(c)[-1])", jvp="unmvn_cov(t_c, cov)")
# C⁺ Rᵀ (C⁻¹ unless singular and allowed): linear in Rᵀ; d(C⁻¹B) = -C⁻¹ dC C⁻¹B (C symmetric), refused
# where C is singular (`mvn_nonsingular`)
rule(runtime.mvn_solve, args="c, rt, allow_singular", constant={"allow_singular": "pass a bool"},
     rt="mvn_solve(c, g, allow_singular)",
     c="-mvn_solve(mvn_nonsingular(c, allow_singular), g, allow_singular) @ np.swapaxes(ans, -1, -2)",
     jvp="mvn_solve(c, t_rt, allow_singular) - mvn_solve(mvn_nonsingular(c, allow_singular), t_c @ ans, "
         "allow_singular)")
rule(runtime.mvn_nonsingular, args="c, allow_singular", constant={"allow_singular": "pass a bool"}, c="g",
     jvp="t_c")
_D = "mvn_dim(mean, cov)"
_C = f"mvn_cov(cov, {_D})"
_R = f"(np.reshape(x, (-1, {_D})) - (0.0 if mean is None else mean))"   # (points, d)
_ST = f"mvn_solve({_C}, np.transpose({_R}), allow_singular)"   # sᵀ, one column per point
_CC = f"mvn_nonsingular({_C}, allow_singular)"   # C, where cov is differentiated: singular is refused
_S = f"np.transpose({_ST})"
_JVP_TERMS = (f"-np.reshape(np.sum(np.reshape(t_x, (-1, {_D})) * {_S}, -1), np.shape(ans))",
              f"np.reshape({_S} @ (t_mean * np.ones({_D})), np.shape(ans))",
              f"np.reshape(0.5 * np.sum(({_S} @ mvn_cov(t_cov, {_D})) * {_S}, -1) "
              f"- 0.5 * np.trace(np.linalg.solve({_CC}, mvn_cov(t_cov, {_D}))), np.shape(ans))")


def _mvn(method, weight, jvp):
    """logpdf's cotangents with each point's g replaced by `weight` (pdf: g * ans, as d p = p d log p)."""
    gv = f"np.reshape({weight}, (-1, 1))"
    rule(getattr(scipy.stats.multivariate_normal, method), args="x, mean=None, cov=1, allow_singular=False",
         name="scipy.stats.multivariate_normal." + method, only={"allow_singular": (False, True)},
         x=f"np.reshape(-{gv} * {_S}, np.shape(x))", mean=f"unbroadcast(np.sum({gv} * {_S}, 0), mean)",
         cov=f"unmvn_cov(-0.5 * (np.sum({weight}) * np.linalg.inv({_CC}) - {_ST} @ ({gv} * {_S})), cov)", jvp=jvp)


_mvn("logpdf", "g", " + ".join(_JVP_TERMS))
_mvn("pdf", "(g * ans)", " + ".join(f"ans * ({term})" for term in _JVP_TERMS))
# entropy = (d log 2πe + log det C) / 2: C gets g C⁻¹ / 2; the mean does not enter it
rule(scipy.stats.multivariate_normal.entropy, args="mean=None, cov=1", name="scipy.stats.multivariate_normal.entropy",
     mean="zeros_like(mean)", cov=f"unmvn_cov(0.5 * g * np.linalg.inv({_C}), cov)",
     jvp=f"0.0 * np.sum(t_mean) + 0.5 * np.trace(np.linalg.solve({_C}, mvn_cov(t_cov, {_D})))")
