"""Small gradient-based optimisers over trees of arrays, in plain NumPy.

autograd's examples import `adam` from `autograd.misc.optimizers`; code moved
to s2s takes it from here. Each optimiser has autograd's calling
convention: `gradient(x, i)` returns the gradient at `x` on iteration `i`,
`callback(x, i, g)` (optional) is called before each step, and `x` may be
an array, a number, or a tree of them: lists, tuples (namedtuples too) and
dicts, nested. The result has the structure of `x`; so do `x` and `g` as the
callback sees them.

The optimisers only call the gradient they are given; trees become vectors
with `s2s.flatten` (autograd's `flatten`).
"""
import numpy as np

from s2s import flatten


def _on_vectors(optimize):
    """Wrap an optimiser over flat vectors so that it takes and returns trees."""

    def optimize_tree(gradient, x, callback=None, **options):
        x_flat, unflatten = flatten(x)
        flat_gradient = lambda v, i: flatten(gradient(unflatten(v), i))[0]
        flat_callback = None
        if callback is not None:
            flat_callback = lambda v, i, g: callback(unflatten(v), i, unflatten(g))
        return unflatten(optimize(flat_gradient, x_flat, flat_callback, **options))

    optimize_tree.__name__ = optimize.__name__
    optimize_tree.__doc__ = optimize.__doc__
    return optimize_tree


@_on_vectors
def sgd(gradient, x, callback=None, num_iters=200, step_size=0.1, mass=0.9):
    """Gradient descent with momentum `mass` (0 is plain gradient descent)."""
    velocity = np.zeros(len(x))
    for i in range(num_iters):
        g = gradient(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@_on_vectors
def rmsprop(gradient, x, callback=None, num_iters=100, step_size=0.1, gamma=0.9, eps=1e-8):
    """Steps scaled by a running root mean square of the gradient."""
    mean_square = np.ones(len(x))
    for i in range(num_iters):
        g = gradient(x, i)
        if callback:
            callback(x, i, g)
        mean_square = gamma * mean_square + (1 - gamma) * g * g
        x = x - step_size * g / (np.sqrt(mean_square) + eps)
    return x


@_on_vectors
def adam(gradient, x, callback=None, num_iters=100, step_size=0.001, b1=0.9, b2=0.999, eps=1e-8):
    """Adam (Kingma and Ba, 2015): momentum on the gradient and on its square, bias-corrected."""
    m = np.zeros(len(x))
    v = np.zeros(len(x))
    for i in range(num_iters):
        g = gradient(x, i)
        if callback:
            callback(x, i, g)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** (i + 1))
        v_hat = v / (1 - b2 ** (i + 1))
        x = x - step_size * m_hat / (np.sqrt(v_hat) + eps)
    return x
