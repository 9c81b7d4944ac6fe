"""Rule cases for s2s/rules/scipy_*.py (SciPy's special functions, distributions and linear algebra);
the helpers and conventions are in rulecases.py. Imported only where SciPy imports.

`SECOND_ORDER` names one case per rule (the first registered) whose Hessian-vector products
test_rules.py also checks, in both orders of composition, against second differences of the function.
"""
import math

import numpy as np  # noqa: F401
import scipy.linalg as sl
import scipy.special as sp
from scipy import stats
from scipy.stats import norm

from rulecases import ANY, NONZERO, POS, CASES, Domain, _rng, _shape_id, add  # noqa: F401
from rulecases_linalg import _spread, _tag, _well_conditioned
from s2s import runtime as rt

_FIRST = len(CASES)
UNIT01 = Domain(0.1, 0.9)


# ---- scipy.special, elementwise -----------------------------------------------------------------------------
def sp_gamma(x, w): return np.sum(sp.gamma(x) * w)
def sp_gammaln(x, w): return np.sum(sp.gammaln(x) * w)
def sp_digamma(x, w): return np.sum(sp.digamma(x) * w)
def sp_polygamma(x, w): return np.sum(sp.polygamma(1, x) * w)
def sp_polygamma2(x, w): return np.sum(sp.polygamma(2, x) * w)
def sp_zeta(x, w): return np.sum(sp.zeta(3, x) * w)
def sp_expit(x, w): return np.sum(sp.expit(x) * w)
def sp_logit(x, w): return np.sum(sp.logit(x) * w)
def sp_erf(x, w): return np.sum(sp.erf(x) * w)
def sp_erfc(x, w): return np.sum(sp.erfc(x) * w)
def sp_erfinv(x, w): return np.sum(sp.erfinv(x) * w)
def sp_erfcinv(x, w): return np.sum(sp.erfcinv(x) * w)
def sp_ndtr(x, w): return np.sum(sp.ndtr(x) * w)
def sp_ndtri(x, w): return np.sum(sp.ndtri(x) * w)
def sp_log_ndtr(x, w): return np.sum(sp.log_ndtr(x) * w)
def sp_i0(x, w): return np.sum(sp.i0(x) * w)
def sp_i1(x, w): return np.sum(sp.i1(x) * w)
def sp_i0e(x, w): return np.sum(sp.i0e(x) * w)
def sp_i1e(x, w): return np.sum(sp.i1e(x) * w)
def sp_iv(x, w): return np.sum(sp.iv(1.5, x) * w)
def sp_ive(x, w): return np.sum(sp.ive(2, x) * w)
def sp_multigammaln(x, w): return np.sum(sp.multigammaln(x, 3) * w)


_UNARY = [(sp_gamma, POS), (sp_gammaln, POS), (sp_digamma, POS), (sp_polygamma, POS), (sp_polygamma2, POS), (sp_zeta, POS),
          (sp_expit, ANY), (sp_logit, UNIT01), (sp_erf, ANY), (sp_erfc, ANY), (sp_erfinv, Domain(-0.9, 0.9)),
          (sp_erfcinv, Domain(0.1, 1.9)), (sp_ndtr, ANY), (sp_ndtri, UNIT01), (sp_log_ndtr, Domain(-6.0, 2.0)),
          (sp_i0, ANY), (sp_i1, ANY), (sp_i0e, NONZERO), (sp_i1e, NONZERO), (sp_iv, POS), (sp_ive, NONZERO),
          (sp_multigammaln, Domain(1.5, 4.0))]
for _k, (_fn, _dom) in enumerate(_UNARY):   # a float or an array, in turn (broadcasting is s2s's, not the rule's)
    add(_fn, _dom.draw((2, 3) if _k % 2 else ()))
    add(_fn, _dom.draw((3,)))
add(sp_i1, np.array([0.0, 0.7, -1.1]), tag="3,zero")  # I1'(0) = 1/2


def math_lgamma(x, w): return math.lgamma(x) * w
def math_gamma(x, w): return math.gamma(x) * w


for _fn in (math_lgamma, math_gamma):
    add(_fn, float(POS.draw(())))


def sp_beta(x, y, w): return np.sum(sp.beta(x, y) * w)
def sp_betaln(x, y, w): return np.sum(sp.betaln(x, y) * w)
def sp_xlogy(x, y, w): return np.sum(sp.xlogy(x, y) * w)
def sp_xlog1py(x, y, w): return np.sum(sp.xlog1py(x, y) * w)


for _shapes in (((), ()), ((2, 3), (3,))):
    add(sp_beta, POS.draw(_shapes[0]), POS.draw(_shapes[1]))
    add(sp_betaln, POS.draw(_shapes[0]), POS.draw(_shapes[1]))
    add(sp_xlogy, ANY.draw(_shapes[0]), POS.draw(_shapes[1]))
    add(sp_xlog1py, ANY.draw(_shapes[0]), Domain(-0.5, 2.0).draw(_shapes[1]))
add(sp_xlogy, np.array([0.0, 1.3, 0.0]), np.array([0.0, 0.4, 2.0]), wrt=(1,), tag="3,3,zeros")  # 0 log 0


# ---- scipy.special over axes ----------------------------------------------------------------------------------
def sp_logsumexp(x, axis, keepdims, w): return np.sum(sp.logsumexp(x, axis=axis, keepdims=keepdims) * w)
def sp_logsumexp_b(x, b, axis, w): return np.sum(sp.logsumexp(x, axis, b) * w)
def sp_softmax(x, axis, w): return np.sum(sp.softmax(x, axis=axis) * w)
def sp_log_softmax(x, axis, w): return np.sum(sp.log_softmax(x, axis) * w)


for _shape, _axis, _keep in [((4,), None, False), ((2, 3), None, True), ((2, 3), 0, False), ((2, 3), -1, True),
                             ((2, 3, 2), (0, 2), False)]:
    add(sp_logsumexp, ANY.draw(_shape), _axis, _keep, wrt=(0,), tag=_tag(_shape, axis=_axis, keepdims=_keep))
for _sx, _sb, _axis in [((4,), (4,), None), ((2, 3), (2, 3), 1), ((2, 3), (3,), -1)]:
    add(sp_logsumexp_b, ANY.draw(_sx), POS.draw(_sb), _axis, wrt=(0, 1), tag=_tag(_sx, b=_sb, axis=_axis))
for _shape, _axis in [((4,), None), ((2, 3), None), ((2, 3), 0), ((2, 3), -1)]:
    add(sp_softmax, ANY.draw(_shape), _axis, wrt=(0,), tag=_tag(_shape, axis=_axis))
    add(sp_log_softmax, ANY.draw(_shape), _axis, wrt=(0,), tag=_tag(_shape, axis=_axis))


# ---- scipy.stats: densities of the distribution objects ---------------------------------------------------------
def st_norm_pdf(x, m, s, w): return np.sum(norm.pdf(x, m, s) * w)
def st_norm_logpdf(x, m, s, w): return np.sum(norm.logpdf(x, loc=m, scale=s) * w)
def st_norm_logpdf_plain(x, w): return np.sum(norm.logpdf(x) * w)
def st_norm_cdf(x, m, s, w): return np.sum(stats.norm.cdf(x, scale=s, loc=m) * w)
def st_norm_logcdf(x, m, s, w): return np.sum(norm.logcdf(x, m, scale=s) * w)
def st_t_logpdf(x, df, m, s, w): return np.sum(stats.t.logpdf(x, df, loc=m, scale=s) * w)
def st_t_pdf(x, df, w): return np.sum(stats.t.pdf(x, df) * w)
def st_gamma_logpdf(x, a, m, s, w): return np.sum(stats.gamma.logpdf(x, a, loc=m, scale=s) * w)
def st_gamma_pdf(x, a, s, w): return np.sum(stats.gamma.pdf(x, a, scale=s) * w)
def st_beta_logpdf(x, a, b, m, s, w): return np.sum(stats.beta.logpdf(x, a, b, loc=m, scale=s) * w)
def st_beta_pdf(x, a, b, w): return np.sum(stats.beta.pdf(x, a, b) * w)
def st_poisson_logpmf(k, mu, w): return np.sum(stats.poisson.logpmf(k, mu) * w)
def st_poisson_pmf(k, mu, w): return np.sum(stats.poisson.pmf(k, mu) * w)


for _sx, _sp in (((3,), ()), ((2, 3), (3,))):
    for _fn in (st_norm_pdf, st_norm_logpdf, st_norm_cdf, st_norm_logcdf):
        add(_fn, ANY.draw(_sx), ANY.draw(_sp), POS.draw(_sp))
    add(st_t_logpdf, ANY.draw(_sx), POS.draw(_sp), ANY.draw(_sp), POS.draw(_sp))
    add(st_gamma_logpdf, Domain(1.0, 3.0).draw(_sx), POS.draw(_sp), Domain(-0.5, 0.5).draw(_sp), POS.draw(_sp))
    add(st_beta_logpdf, UNIT01.draw(_sx), POS.draw(_sp), POS.draw(_sp), Domain(-0.1, 0.0).draw(_sp),
        Domain(1.2, 1.5).draw(_sp))
add(st_norm_logpdf_plain, ANY.draw((3,)))
add(st_norm_logcdf, np.array([-7.0, -3.5, 0.4]), 0.0, 1.0, tag="3,tail")
add(st_t_pdf, ANY.draw((3,)), 4.5)
add(st_gamma_pdf, POS.draw((3,)), 2.5, 1.3)
add(st_beta_pdf, UNIT01.draw((2, 3)), POS.draw((3,)), 2.0)
for _k, _mu in ((np.array([0, 2, 5]), POS.draw((3,))), (np.array([[0, 1, 3], [2, 0, 4]]), POS.draw((3,))),
                (3, 2.5)):
    add(st_poisson_logpmf, _k, _mu, wrt=(1,))
    add(st_poisson_pmf, _k, _mu, wrt=(1,))


def st_dirichlet(x, alpha, w): return stats.dirichlet.logpdf(x, alpha) * w
def st_dirichlet_columns(x, alpha, w): return np.sum(stats.dirichlet.logpdf(x, alpha) * w)


# x with K - 1 components (the last is 1 - their sum): any small perturbation stays on the simplex.
add(st_dirichlet, np.array([0.2, 0.3, 0.1]), POS.draw((4,)))
add(st_dirichlet_columns, np.array([[0.2, 0.5], [0.3, 0.1]]), POS.draw((3,)))


def st_mvn(x, mean, cov, w): return np.sum(stats.multivariate_normal.logpdf(x, mean, cov) * w)
def st_mvn_keywords(x, cov, w): return np.sum(stats.multivariate_normal.logpdf(x, cov=cov) * w)


# cov: SciPy reads its lower triangle (the upper one here differs, so a wrong triangle shows).
add(st_mvn, ANY.draw((3,)), ANY.draw((3,)), _spread((3, 3)))
add(st_mvn, ANY.draw((4, 3)), ANY.draw((3,)), _spread((3, 3)))
add(st_mvn, ANY.draw((2, 2, 3)), ANY.draw((3,)), POS.draw((3,)), tag="2x2x3,3,diagonal")
add(st_mvn, ANY.draw((4,)), ANY.draw(()), POS.draw(()), tag="4,float,float")
add(st_mvn_keywords, ANY.draw((4, 3)), _spread((3, 3)))
add(st_mvn_keywords, ANY.draw((5,)), POS.draw(()), tag="5,float,one-dimensional")


def rt_mvn_cov(cov, w): return np.sum(rt.mvn_cov(cov, 3) * w)
def rt_unmvn_cov(c, cov, w): return np.sum(rt.unmvn_cov(c, cov) * w)


for _shape in ((3, 3), (3,), ()):
    add(rt_mvn_cov, ANY.draw(_shape))
    add(rt_unmvn_cov, ANY.draw((3, 3)), ANY.draw(_shape), wrt=(0,))


# mvn_solve and mvn_nonsingular take the symmetric matrix mvn_cov makes: a + aᵀ here, with a spread diagonal
def rt_mvn_solve(a, rt_, w): return np.sum(rt.mvn_solve(a + np.transpose(a), rt_, False) * w)
def rt_mvn_solve_pinv(a, rt_, w): return np.sum(rt.mvn_solve(a + np.transpose(a), rt_, True) * w)
def rt_mvn_nonsingular(a, w): return np.sum(rt.mvn_nonsingular(a + np.transpose(a), True) * w)
def st_mvn_allowed(x, mean, cov, w):
    return np.sum(stats.multivariate_normal.logpdf(x, mean, cov, allow_singular=True) * w)


add(rt_mvn_solve, _spread((3, 3)), ANY.draw((3, 2)))
add(rt_mvn_solve_pinv, _spread((3, 3)), ANY.draw((3, 2)))
add(rt_mvn_nonsingular, _spread((3, 3)))
add(st_mvn_allowed, ANY.draw((4, 3)), ANY.draw((3,)), _spread((3, 3)))


# ---- scipy.linalg -------------------------------------------------------------------------------------------------
def sl_solve_triangular(a, b, trans, lower, unit, w):
    return np.sum(sl.solve_triangular(a, b, trans, lower, unit) * w)
def sl_solve_triangular_keywords(a, b, w): return np.sum(sl.solve_triangular(a, b, lower=True, trans="T") * w)
def sl_cholesky(a, lower, w): return np.sum(sl.cholesky(a, lower) * w)
def sl_cholesky_default(a, w): return np.sum(sl.cholesky(a) * w)
def sl_cho_factor(a, lower, w): return np.sum(sl.cho_factor(a, lower)[0] * w)
def sl_cho_solve(a, b, lower, w):
    c, low = sl.cho_factor(a, lower=lower)
    return np.sum(sl.cho_solve((c, low), b) * w)
def sl_cho_solve_factor(c, b, w): return np.sum(sl.cho_solve((c, True), b) * w)
def sl_solve(a, b, w): return np.sum(sl.solve(a, b) * w)
def sl_inv(a, w): return np.sum(sl.inv(a) * w)
def sl_det(a, w): return sl.det(a) * w
def sl_expm(a, w): return np.sum(sl.expm(a) * w)
def sl_sqrtm(a, w): return np.sum(sl.sqrtm(a) * w)
def sl_solve_sylvester(a, b, q, w): return np.sum(sl.solve_sylvester(a, b, q) * w)


def _triangular_ok(n):
    """A full matrix whose triangles both have a diagonal well away from zero."""
    return ANY.draw((n, n)) * 0.5 + np.diag(_rng.uniform(1.5, 2.5, n) * _rng.choice([-1.0, 1.0], n))


for _sb, _trans, _lower, _unit in (((3,), 0, True, False), ((3, 2), 1, False, False), ((3,), "T", True, True),
                                   ((3, 2), 0, False, True), ((3, 2), "N", True, False), ((3,), 2, False, False)):
    add(sl_solve_triangular, _triangular_ok(3), ANY.draw(_sb), _trans, _lower, _unit, wrt=(0, 1),
        tag=_tag((3, 3), b=_sb, trans=_trans, lower=_lower, unit=_unit))
add(sl_solve_triangular_keywords, _triangular_ok(3), ANY.draw((3, 2)))
for _lower in (True, False):
    add(sl_cholesky, _spread((3, 3)), _lower, wrt=(0,), tag=_tag((3, 3), lower=_lower))
    add(sl_cho_factor, _spread((3, 3)), _lower, wrt=(0,), tag=_tag((3, 3), lower=_lower))
    _sb = (3,) if _lower else (3, 2)
    add(sl_cho_solve, _spread((3, 3)), ANY.draw(_sb), _lower, wrt=(0, 1), tag=_tag((3, 3), b=_sb, lower=_lower))
add(sl_cholesky_default, _spread((4, 4)))
add(sl_cho_solve_factor, _triangular_ok(3), ANY.draw((3,)))
for _sb in ((3,), (3, 2)):
    add(sl_solve, _well_conditioned((3, 3)), ANY.draw(_sb))
add(sl_inv, _well_conditioned((3, 3)))
add(sl_det, _well_conditioned((3, 3)))
add(sl_expm, ANY.draw((3, 3)) * 0.5)
add(sl_expm, ANY.draw((2, 3, 3)) * 0.5)   # a stack of matrices
add(sl_sqrtm, _spread((3, 3)) + np.transpose(_spread((3, 3))))  # symmetric positive definite: a real root
add(sl_solve_sylvester, _well_conditioned((3, 3)), _well_conditioned((2, 2)), ANY.draw((3, 2)))

import rulecases_scipy2  # noqa: E402  (issue 10, item 4: registers its cases here, before SECOND_ORDER is taken)

# One case per rule (the first of its case function; other forms of a rule and densities whose log is
# there are left out) for the second-order test: forward over reverse (hvp) for all, reverse over reverse
# too for those in REVERSE_TWICE (one per family). Every function a template calls has a rule with both
# modes checked above, so what second order adds is that templates compose; generating code three times
# per case is what makes it slow.
_FORMS = ("sp_polygamma2", "st_norm_logpdf_plain", "st_mvn_keywords", "sl_solve_triangular_keywords",
          "sl_cho_solve_factor", "sl_cholesky_default", "rt_mvn_cov", "rt_unmvn_cov", "rt_mvn_solve_pinv", "st_t_pdf", "st_gamma_pdf",
          "st_beta_pdf", "st_poisson_pmf", "sp_erfc", "sp_erfcinv", "st_dirichlet", *rulecases_scipy2.FORMS)
SECOND_ORDER = [c for c in {c.fn.__name__: c for c in reversed(CASES[_FIRST:])}.values()
                if c.fn.__name__ not in _FORMS]
REVERSE_TWICE = {"sp_gammaln", "sp_i1e", "sp_logsumexp_b", "st_t_logpdf", "st_mvn", "sl_solve_triangular",
                 "sl_cho_solve", "sl_sqrtm", *rulecases_scipy2.REVERSE_TWICE}
