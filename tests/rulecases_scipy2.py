"""Rule cases for the SciPy rules of issue 10, item 4 (incomplete gamma and beta, Bessel J and Y, rgamma,
distribution functions, chi², the Dirichlet pdf, banded solves, n-dimensional convolution); the helpers
and conventions are in rulecases.py. Imported by rulecases_scipy.py (only where SciPy imports).
"""
import numpy as np  # noqa: F401
import scipy.linalg as sl
import scipy.signal
import scipy.special as sp
from scipy import stats

from rulecases import ANY, POS, Domain, _rng, add
from rulecases_linalg import _tag
from s2s import runtime as rt

UNIT01 = Domain(0.1, 0.9)
FAR = Domain(0.5, 6.0)


# ---- scipy.special ---------------------------------------------------------------------------------------------
def sp_gammainc(x, w): return np.sum(sp.gammainc(1.7, x) * w)
def sp_gammaincc(x, w): return np.sum(sp.gammaincc(0.8, x) * w)
def sp_betainc(x, w): return np.sum(sp.betainc(2.0, 1.5, x) * w)
def sp_j0(x, w): return np.sum(sp.j0(x) * w)
def sp_j1(x, w): return np.sum(sp.j1(x) * w)
def sp_jn(x, w): return np.sum(sp.jn(2, x) * w)
def sp_jv(x, w): return np.sum(sp.jv(1.5, x) * w)
def sp_y0(x, w): return np.sum(sp.y0(x) * w)
def sp_y1(x, w): return np.sum(sp.y1(x) * w)
def sp_yn(x, w): return np.sum(sp.yn(3, x) * w)
def sp_yv(x, w): return np.sum(sp.yv(0.5, x) * w)
def sp_rgamma(x, w): return np.sum(sp.rgamma(x) * w)
def sp_gammasgn(x, w): return np.sum(sp.gammasgn(x) * x * w)   # the sign's derivative is zero


for _k, (_fn, _dom) in enumerate([(sp_gammainc, POS), (sp_gammaincc, POS), (sp_betainc, UNIT01), (sp_j0, FAR),
                                  (sp_j1, FAR), (sp_jn, FAR), (sp_jv, FAR), (sp_y0, FAR), (sp_y1, FAR), (sp_yn, FAR),
                                  (sp_yv, FAR),
                                  (sp_rgamma, POS)]):
    add(_fn, _dom.draw((2, 3) if _k % 2 else ()))
    add(_fn, _dom.draw((3,)))
add(sp_rgamma, np.array([-0.5, -1.7, -2.2]), tag="3,negative")
add(sp_gammasgn, np.array([-0.5, -1.7, 0.4, 2.5]), tag="4,both signs")


# ---- scipy.stats: distribution functions (location-scale, shape parameters constant), chi², Dirichlet pdf -----
def st_norm_sf(x, m, s, w): return np.sum(stats.norm.sf(x, m, s) * w)
def st_norm_logsf(x, m, s, w): return np.sum(stats.norm.logsf(x, loc=m, scale=s) * w)
def st_t_cdf(x, m, s, w): return np.sum(stats.t.cdf(x, 3.5, m, s) * w)
def st_t_logcdf(x, df, m, s, w): return np.sum(stats.t.logcdf(x, df, loc=m, scale=s) * w)
def st_gamma_cdf(x, m, s, w): return np.sum(stats.gamma.cdf(x, 2.5, loc=m, scale=s) * w)
def st_chi2_cdf(x, df, w): return np.sum(stats.chi2.cdf(x, df) * w)
def st_beta_cdf(x, a, b, w): return np.sum(stats.beta.cdf(x, a, b) * w)
def st_chi2_logpdf(x, df, m, s, w): return np.sum(stats.chi2.logpdf(x, df, loc=m, scale=s) * w)
def st_chi2_pdf(x, df, w): return np.sum(stats.chi2.pdf(x, df) * w)
def st_poisson_cdf(k, mu, w): return np.sum(stats.poisson.cdf(k, mu) * w)
def st_dirichlet_pdf(x, alpha, w): return np.sum(stats.dirichlet.pdf(x, alpha) * w)


for _sx, _sp in (((3,), ()), ((2, 3), (3,))):
    add(st_norm_sf, ANY.draw(_sx), ANY.draw(_sp), POS.draw(_sp))
    add(st_norm_logsf, ANY.draw(_sx), ANY.draw(_sp), POS.draw(_sp))
    add(st_t_cdf, ANY.draw(_sx), ANY.draw(_sp), POS.draw(_sp))
    add(st_t_logcdf, ANY.draw(_sx), Domain(2.0, 5.0).draw(_sp), ANY.draw(_sp), POS.draw(_sp), wrt=(0, 2, 3))
    add(st_gamma_cdf, Domain(1.0, 3.0).draw(_sx), Domain(-0.5, 0.5).draw(_sp), POS.draw(_sp))
    add(st_chi2_logpdf, Domain(1.0, 3.0).draw(_sx), POS.draw(_sp), Domain(-0.5, 0.5).draw(_sp), POS.draw(_sp))
add(st_norm_logsf, np.array([3.5, 7.0, 10.0]), 0.0, 1.0, tag="3,tail")   # sf underflows toward 1e-23
add(st_t_logcdf, np.array([-30.0, -8.0, 0.5]), 3.0, 0.0, 1.0, wrt=(0, 2, 3), tag="3,tail")
add(st_chi2_cdf, POS.draw((2, 3)), np.array([1.0, 2.0, 3.0]), wrt=(0,))
add(st_beta_cdf, UNIT01.draw((3,)), POS.draw((3,)), POS.draw(()), wrt=(0,))
add(st_chi2_pdf, POS.draw((3,)), 3.0, wrt=(0,), tag="3,float,in x")
add(st_chi2_pdf, POS.draw((3,)), 2.5)
for _k in (np.array([0.0, 2.0, 5.0]), np.array([[0.0, 1.5, 3.0], [2.0, 0.0, 4.0]])):
    add(st_poisson_cdf, _k, POS.draw((3,)), wrt=(1,))
add(st_dirichlet_pdf, np.array([0.2, 0.3, 0.1]), POS.draw((4,)) + 0.5)            # the last component implied
add(st_dirichlet_pdf, np.array([[0.2, 0.5], [0.3, 0.1]]), POS.draw((3,)) + 0.5)   # one density per column


# ---- scipy.linalg.solve_banded and the band helpers ---------------------------------------------------------------
def sl_solve_banded(ab, b, w): return np.sum(sl.solve_banded((1, 1), ab, b) * w)
def sl_solve_banded_lower(ab, b, w): return np.sum(sl.solve_banded((2, 0), ab, b) * w)
def rt_band_matrix(ab, w): return np.sum(rt.band_matrix(ab, (1, 2)) * w)
def rt_band_of(a, w): return np.sum(rt.band_of(a, (2, 1)) * w)
def rt_real_root(x, w): return np.sum(rt.real_root(x) * w)   # sqrtm's check that its root is real


def _banded(lower, upper, n):
    """ab of a banded matrix with a dominant diagonal (row `upper` of ab), random elsewhere, corners too."""
    ab = ANY.draw((lower + upper + 1, n))
    ab[upper] = _rng.uniform(3.0, 4.0, n) * _rng.choice([-1.0, 1.0], n)
    return ab


add(sl_solve_banded, _banded(1, 1, 4), ANY.draw((4,)))
add(sl_solve_banded, _banded(1, 1, 5), ANY.draw((5, 2)))
add(sl_solve_banded_lower, _banded(2, 0, 4), ANY.draw((4, 3)))
add(rt_band_matrix, ANY.draw((4, 5)))
add(rt_band_of, ANY.draw((4, 4)))
add(rt_real_root, ANY.draw((3, 3)))


# ---- scipy.signal.convolve: each mode, ranks 1 to 3, either operand the larger ----------------------------------
def sg_convolve_full(a, b, w): return np.sum(scipy.signal.convolve(a, b) * w)
def sg_convolve_valid(a, b, w): return np.sum(scipy.signal.convolve(a, b, "valid") * w)
def sg_convolve_same(a, b, w): return np.sum(scipy.signal.convolve(a, b, mode="same") * w)
def sg_convolve_fft(a, b, w): return np.sum(scipy.signal.convolve(a, b, "same", method="fft") * w)
def sg_convolve_mode(a, b, mode, w): return np.sum(scipy.signal.convolve(a, b, mode) * w)   # a mode when run


for _sa, _sb in (((5,), (3,)), ((3,), (4,)), ((4, 3), (2, 2)), ((2, 3, 2), (3, 4, 2))):
    for _fn in (sg_convolve_full, sg_convolve_valid, sg_convolve_same):
        add(_fn, ANY.draw(_sa), ANY.draw(_sb), tag=_tag(_sa, b=_sb))
add(sg_convolve_fft, ANY.draw((6, 4)), ANY.draw((3, 2)))
for _mode in ("full", "valid", "same"):
    add(sg_convolve_mode, ANY.draw((3, 4)), ANY.draw((2, 3)), _mode, tag=_tag((3, 4), b=(2, 3), mode=_mode))
add(sg_convolve_full, ANY.draw(()), ANY.draw(()))   # SciPy multiplies 0-d operands

# ---- multivariate normal: pdf (logpdf's rule weighted by the density) and entropy ----------------------------------
def _psd(n):
    a = 0.3 * _rng.standard_normal((n, n))
    return a @ a.T + np.eye(n)


def st_mvn_pdf(x, mean, cov, w): return np.sum(stats.multivariate_normal.pdf(x, mean, cov) * w)
def st_mvn_entropy(cov, w): return stats.multivariate_normal.entropy(None, cov) * w


add(st_mvn_pdf, 0.5 * ANY.draw((4, 2)), 0.5 * ANY.draw((2,)), _psd(2), tag="4x2,2,2x2")
add(st_mvn_entropy, _psd(3), tag="3x3")


# Left out of second order (to keep the run short): other forms of a rule with a case above, and t.logcdf
# (its template is t.cdf's, checked to second order, over ans). Reverse over reverse: one per family.
FORMS = ("sp_jv", "sp_gammasgn", "st_chi2_pdf", "sg_convolve_fft", "sg_convolve_mode", "sl_solve_banded_lower",
         "st_t_logcdf")
REVERSE_TWICE = {"sp_betainc", "st_norm_logsf", "sl_solve_banded", "sg_convolve_same"}
