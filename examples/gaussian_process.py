"""Gaussian process regression: fit the kernel's parameters by maximising the marginal likelihood.

autograd's examples/gaussian_process.py with its imports changed to s2s and
SciPy: `make_gp_funs` is a factory that takes the covariance function as an
argument and returns closures over it; the marginal likelihood is SciPy's
own `multivariate_normal.logpdf`; the objective is a lambda, and
`scipy.optimize.minimize` gets `value_and_grad(objective)` with `jac=True`.
The plot of the original is replaced by printing the posterior at a few
points.

Run:  python examples/gaussian_process.py [--small]
"""
import sys

from scipy.optimize import minimize

import numpy as np
import numpy.random as npr
from numpy.linalg import solve
from scipy.stats import multivariate_normal as mvn

from s2s import value_and_grad


def make_gp_funs(cov_func, num_cov_params):
    """Functions that perform Gaussian process regression.
    cov_func has signature (cov_params, x, x')"""

    def unpack_kernel_params(params):
        mean = params[0]
        cov_params = params[2:]
        noise_scale = np.exp(params[1]) + 0.0001
        return mean, cov_params, noise_scale

    def predict(params, x, y, xstar):
        """Returns the predictive mean and covariance at locations xstar,
        of the latent function value f (without observation noise)."""
        mean, cov_params, noise_scale = unpack_kernel_params(params)
        cov_f_f = cov_func(cov_params, xstar, xstar)
        cov_y_f = cov_func(cov_params, x, xstar)
        cov_y_y = cov_func(cov_params, x, x) + noise_scale * np.eye(len(y))
        pred_mean = mean + np.dot(solve(cov_y_y, cov_y_f).T, y - mean)
        pred_cov = cov_f_f - np.dot(solve(cov_y_y, cov_y_f).T, cov_y_f)
        return pred_mean, pred_cov

    def log_marginal_likelihood(params, x, y):
        mean, cov_params, noise_scale = unpack_kernel_params(params)
        cov_y_y = cov_func(cov_params, x, x) + noise_scale * np.eye(len(y))
        prior_mean = mean * np.ones(len(y))
        return mvn.logpdf(y, prior_mean, cov_y_y)

    return num_cov_params + 2, predict, log_marginal_likelihood


# Define an example covariance function.
def rbf_covariance(kernel_params, x, xp):
    output_scale = np.exp(kernel_params[0])
    lengthscales = np.exp(kernel_params[1:])
    diffs = np.expand_dims(x / lengthscales, 1) - np.expand_dims(xp / lengthscales, 0)
    return output_scale * np.exp(-0.5 * np.sum(diffs**2, axis=2))


def build_toy_dataset(D=1, n_data=20, noise_std=0.1):
    rs = npr.RandomState(0)
    inputs = np.concatenate([np.linspace(0, 3, num=n_data // 2), np.linspace(6, 8, num=n_data // 2)])
    targets = (np.cos(inputs) + rs.randn(n_data) * noise_std) / 2.0
    inputs = (inputs - 4.0) / 2.0
    inputs = inputs.reshape((len(inputs), D))
    return inputs, targets


def main(small=False):
    """Fit; return (objective, predict, X, y, init_params, result, log likelihoods per iteration)."""
    D = 1

    # Build model and objective function.
    num_params, predict, log_marginal_likelihood = make_gp_funs(rbf_covariance, num_cov_params=D + 1)

    X, y = build_toy_dataset(D=D, n_data=12 if small else 20)
    objective = lambda params: -log_marginal_likelihood(params, X, y)

    log_likelihoods = []

    def callback(params):
        log_likelihoods.append(-objective(params))
        print(f"Log likelihood {log_likelihoods[-1]}")

    def show_posterior(params):
        # Show posterior marginals.
        plot_xs = np.reshape(np.linspace(-3, 3, 7), (7, 1))
        pred_mean, pred_cov = predict(params, X, y, plot_xs)
        marg_std = np.sqrt(np.diag(pred_cov))
        for x, m, s in zip(plot_xs[:, 0], pred_mean, marg_std):
            print(f"  f({x:+.1f}) = {m:+.3f} +- {1.96 * s:.3f}")

    # Initialize covariance parameters
    rs = npr.RandomState(0)
    init_params = 0.1 * rs.randn(num_params)

    print("Optimizing covariance parameters...")
    cov_params = minimize(value_and_grad(objective), init_params, jac=True, method="CG", callback=callback)
    print("Posterior (mean +- 1.96 std) at a few points:")
    show_posterior(cov_params.x)
    return objective, predict, X, y, init_params, cov_params, log_likelihoods


if __name__ == "__main__":
    main(small="--small" in sys.argv[1:])
