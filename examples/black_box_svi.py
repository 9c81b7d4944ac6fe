"""Black-box stochastic variational inference of a two-dimensional funnel-shaped density.

autograd's examples/black_box_svi.py with its imports changed to s2s and
SciPy: `black_box_variational_inference` is a factory that takes the log
density as an argument, keeps a `RandomState` in its closure, draws fresh
samples (the reparameterization trick) on every call of the objective, and
returns the objective, its gradient and an unpacking helper; the log
density uses SciPy's own `norm.logpdf`. The contour plots of the original
are replaced by printing the bound and the fitted Gaussian.

Run:  python examples/black_box_svi.py [--small]
"""
import sys

import numpy as np
import numpy.random as npr
from scipy.stats import norm

from optimizers import adam
from s2s import grad


def black_box_variational_inference(logprob, D, num_samples):
    """Implements http://arxiv.org/abs/1401.0118, and uses the
    local reparameterization trick from http://arxiv.org/abs/1506.02557"""

    def unpack_params(params):
        # Variational dist is a diagonal Gaussian.
        mean, log_std = params[:D], params[D:]
        return mean, log_std

    def gaussian_entropy(log_std):
        return 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)

    rs = npr.RandomState(0)

    def variational_objective(params, t):
        """Provides a stochastic estimate of the variational lower bound."""
        mean, log_std = unpack_params(params)
        samples = rs.randn(num_samples, D) * np.exp(log_std) + mean
        lower_bound = gaussian_entropy(log_std) + np.mean(logprob(samples, t))
        return -lower_bound

    gradient = grad(variational_objective)

    return variational_objective, gradient, unpack_params


def main(small=False):
    """Fit; return (objective, gradient, unpack_params, init_var_params, variational_params, bounds)."""
    # Specify an inference problem by its unnormalized log-density.
    D = 2

    def log_density(x, t):
        mu, log_sigma = x[:, 0], x[:, 1]
        sigma_density = norm.logpdf(log_sigma, 0, 1.35)
        mu_density = norm.logpdf(mu, 0, np.exp(log_sigma))
        return sigma_density + mu_density

    # Build variational objective.
    objective, gradient, unpack_params = black_box_variational_inference(
        log_density, D, num_samples=200 if small else 2000)

    bounds = []

    def callback(params, t, g):
        if t % 20 == 0:
            bounds.append(-objective(params, t))
            print(f"Iteration {t} lower bound {bounds[-1]}")

    print("Optimizing variational parameters...")
    init_mean = -1 * np.ones(D)
    init_log_std = -5 * np.ones(D)
    init_var_params = np.concatenate([init_mean, init_log_std])
    variational_params = adam(gradient, init_var_params, step_size=0.1, num_iters=200 if small else 2000,
                              callback=callback)
    mean, log_std = unpack_params(variational_params)
    print(f"q(mu, log_sigma) = N(mean {np.round(mean, 2)}, std {np.round(np.exp(log_std), 2)})")
    print("(the target: log_sigma ~ N(0, 1.35); given log_sigma, mu ~ N(0, exp(log_sigma)))")
    return objective, gradient, unpack_params, init_var_params, variational_params, bounds


if __name__ == "__main__":
    main(small="--small" in sys.argv[1:])
