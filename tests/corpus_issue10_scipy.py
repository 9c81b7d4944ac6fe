"""Programs that use SciPy as people write them (issue 10, item 4), for tests/test_data.py: each is
checked in reverse mode, forward mode and second order against finite differences of the function.
Imported only where SciPy imports."""
import numpy as np
import scipy.linalg
import scipy.special as sp
from scipy import stats
from scipy.linalg import cho_factor, cho_solve
from scipy.special import logsumexp
from scipy.stats import multivariate_normal as mvn
from scipy.stats import norm


def gp_log_marginal(log_length, log_noise, x, y):
    """A Gaussian process's log marginal likelihood through a Cholesky factorisation."""
    d = x[:, None] - x[None, :]
    k = np.exp(-0.5 * d ** 2 / np.exp(2 * log_length)) + np.exp(log_noise) * np.eye(len(x))
    c, lower = cho_factor(k, lower=True)
    alpha = cho_solve((c, lower), y)
    return -0.5 * y @ alpha - np.sum(np.log(np.diag(c))) - 0.5 * len(x) * np.log(2 * np.pi)


def gp_log_marginal_mvn(log_length, x, y):
    """The same with scipy.stats: the covariance is a differentiated argument of the density."""
    d = x[:, None] - x[None, :]
    k = np.exp(-0.5 * d ** 2 / np.exp(2 * log_length)) + 0.1 * np.eye(len(x))
    return mvn.logpdf(y, np.zeros(len(x)), k)


def mixture_log_likelihood(means, log_scales, logits, x):
    """A mixture of normals: log-weights by log_softmax, components by norm.logpdf, summed by logsumexp."""
    log_weights = sp.log_softmax(logits)
    parts = norm.logpdf(x[:, None], loc=means, scale=np.exp(log_scales)) + log_weights
    return np.sum(logsumexp(parts, axis=1))


def logistic_regression(w, features, labels):
    """Cross entropy with expit and xlogy (labels of 0 and 1 give 0 log 0 terms)."""
    p = sp.expit(features @ w)
    return -np.sum(sp.xlogy(labels, p) + sp.xlogy(1 - labels, 1 - p))


def robust_regression(w, log_df, features, targets):
    """Student-t residuals with a gamma prior on the degrees of freedom."""
    df = np.exp(log_df)
    residuals = targets - features @ w
    return np.sum(stats.t.logpdf(residuals, df, scale=0.5)) + stats.gamma.logpdf(df, 2.0, scale=3.0)


def whitened_residual(params, rhs):
    """A triangular solve against a Cholesky factor built from the parameters."""
    a = np.outer(params, params) + 2.0 * np.eye(len(params))
    factor = scipy.linalg.cholesky(a, lower=True)
    z = scipy.linalg.solve_triangular(factor, rhs, lower=True)
    return np.sum(z ** 2) + np.sum(sp.gammaln(params ** 2 + 1.0))


_R = np.random.default_rng(10)
_X = np.linspace(-1.0, 1.0, 5)
_Y = np.sin(2 * _X) + 0.1 * _R.standard_normal(5)
_F = _R.standard_normal((6, 3))

ISSUE_10_SCIPY = [
    (gp_log_marginal, [(0.2, -1.5, _X, _Y)], (0, 1)),
    (gp_log_marginal_mvn, [(-0.3, _X, _Y)], 0),
    (mixture_log_likelihood, [(np.array([-0.5, 0.8]), np.array([-0.2, 0.1]), np.array([0.3, -0.4]),
                               _R.standard_normal(6))], (0, 1, 2)),
    (logistic_regression, [(_R.standard_normal(3), _F, np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0]))], 0),
    (robust_regression, [(_R.standard_normal(3), 0.7, _F, _R.standard_normal(6))], (0, 1)),
    (whitened_residual, [(_R.standard_normal(3), _R.standard_normal(3))], (0, 1)),
]
