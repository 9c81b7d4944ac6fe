"""Frozen SciPy distributions (issue 10): `rv = norm(m, s); rv.logpdf(x)` is `norm.logpdf(x, m, s)`,
with m and s as they were where rv was made. Run in every mode by tests/test_data.py (SciPy installed)."""
import numpy as np
from scipy import stats
from scipy.stats import multivariate_normal as mvn
from scipy.stats import norm

_X = np.array([0.3, -0.2, 0.5])


def frozen_bound_to_a_name(x, m, s):
    rv = norm(m, s)
    return np.sum(rv.logpdf(x)) + np.sum(rv.cdf(x))


def frozen_called_at_once(x, m, s):
    return np.sum(norm(loc=m, scale=s).logpdf(x)) + norm(m, s).logcdf(x[0]) * s


def frozen_with_a_shape_parameter(x, df):
    return np.sum(stats.t(df, loc=x[0]).logpdf(x))


def frozen_multivariate(x, m):
    return mvn(m, np.eye(3) * 2.0).logpdf(x)


def frozen_keeps_its_parameters(x, m, s):
    rv = norm(m, s)
    m = m * 2.0   # rv still has the m it was made with
    return np.sum(rv.logpdf(x)) * m


ISSUE_10_FROZEN = [  # (function, argument sets, wrt)
    (frozen_bound_to_a_name, [(_X, 0.1, 1.3)], (0, 1, 2)),
    (frozen_called_at_once, [(_X, 0.1, 1.3)], (0, 1, 2)),
    (frozen_with_a_shape_parameter, [(_X, 5.0)], 0),
    (frozen_multivariate, [(_X, _X * 0.5)], (0, 1)),
    (frozen_keeps_its_parameters, [(_X, 0.1, 1.3)], (0, 1, 2)),
]
