"""Programs that use the SciPy functions of issue 10, item 4 as people write them, for tests/test_data.py:
each is checked in reverse mode, forward mode and second order against finite differences of the function.
Imported only where SciPy imports."""
import numpy as np
import scipy.linalg
import scipy.signal
import scipy.special as sp
from scipy import stats


def tobit_log_likelihood(w, log_sigma, features, y, low, high):
    """Censored regression: exact observations by the density, censored ones by log cdf and log sf."""
    mean, sigma = features @ w, np.exp(log_sigma)
    exact = (y > low) & (y < high)
    return (np.sum(np.where(exact, stats.norm.logpdf(y, mean, sigma), 0.0))
            + np.sum(np.where(y <= low, stats.norm.logcdf(low, mean, sigma), 0.0))
            + np.sum(np.where(y >= high, stats.norm.logsf(high, loc=mean, scale=sigma), 0.0)))


def deblur_loss(signal, kernel, observed, image, laplacian):
    """A 1-D deblurring fit with a smoothness penalty on a 2-D image, both through scipy.signal.convolve."""
    fit = np.sum((scipy.signal.convolve(signal, kernel, mode="same") - observed) ** 2)
    rough = scipy.signal.convolve(image * np.sum(signal), laplacian, "valid")
    return fit + 0.1 * np.sum(rough ** 2)


def tridiagonal_smoother(log_lam, y):
    """Whittaker smoothing: (I + lam D'D) z = y with a banded solve; the fitted curve's roughness."""
    n, lam = len(y), np.exp(log_lam)
    upper = np.concatenate([[0.0], -lam * np.ones(n - 1)])
    lower = np.concatenate([-lam * np.ones(n - 1), [0.0]])
    diag = 1.0 + lam * np.concatenate([[1.0], 2.0 * np.ones(n - 2), [1.0]])
    z = scipy.linalg.solve_banded((1, 1), np.stack([upper, diag, lower]), y)
    return np.sum(np.diff(z) ** 2) + np.sum((z - y) ** 2)


def waiting_time_fit(log_rate, times, counts):
    """Gamma waiting times seen only as 'done by t' fractions, and Poisson counts by their cdf."""
    rate = np.exp(log_rate)
    done = sp.gammainc(2.5, rate * times)
    by_cdf = stats.gamma.cdf(times, 2.5, scale=1 / rate)
    return np.sum(np.log(done) + by_cdf) + np.sum(np.log(stats.poisson.cdf(counts, rate * 3.0)))


def membrane_modes(k, r):
    """Bessel modes of a drum: energies of J and Y terms at radii r."""
    return np.sum(sp.jn(2, k * r) ** 2 + sp.j0(k * r) * sp.j1(r) + sp.y0(r + k) * sp.rgamma(r + 1.0))


def chi2_and_t(df, x, loc):
    """A chi² density in its degrees of freedom and argument, and a t cdf of shifted data."""
    return (np.sum(stats.chi2.logpdf(x, df)) + np.sum(stats.t.logcdf(x - loc, 4.0))
            + np.sum(sp.betainc(2.0, 3.0, x / 10)))


_R = np.random.default_rng(104)
_F = _R.standard_normal((7, 2))
_Y = np.clip(_F @ np.array([0.7, -0.4]) + 0.3 * _R.standard_normal(7), -0.8, 0.8)
_Y[[1, 4]] = [-0.8, 0.8]   # censored below and above

ISSUE_10_SCIPY2 = [
    (tobit_log_likelihood, [(np.array([0.5, -0.3]), -0.4, _F, _Y, -0.8, 0.8)], (0, 1)),
    (deblur_loss, [(_R.standard_normal(6), np.array([0.25, 0.5, 0.25]), _R.standard_normal(6),
                    _R.standard_normal((4, 5)), np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]))],
     (0, 1, 3)),
    (tridiagonal_smoother, [(0.3, _R.standard_normal(6))], (0, 1)),
    (waiting_time_fit, [(0.2, np.array([0.5, 1.2, 2.0, 3.5]), np.array([1.0, 3.0, 4.0]))], 0),
    (membrane_modes, [(1.3, np.array([0.5, 1.1, 2.3]))], (0, 1)),
    (chi2_and_t, [(3.5, np.array([0.8, 2.2, 4.1]), 0.3)], (0, 1, 2)),
]
