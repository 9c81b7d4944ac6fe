"""Functions for tests/test_api.py."""
import numpy as np

import s2s


def model(w, b, x):
    return np.sum(np.tanh(x @ w + b) ** 2)


@s2s.differentiate
def decorated(x):
    return np.sin(x) * x


@s2s.differentiate(wrt=("w", "b"))
def decorated_wrt(w, b, x):
    return np.sum((x * w + b) ** 2)


@s2s.differentiate
def uses_helper_defined_later(x):
    return later_helper(x) * 2.0


def later_helper(x):
    return x * x


@s2s.rule(x="g * 3 * x ** 2")
def cube(x):
    return x * x * x


def uses_user_rule(x):
    return np.sum(cube(x))


def vector_valued(x):
    return np.sin(x) * 2.0


def power_sum(x, n):
    """n is a count, not differentiated: an int is fine there."""
    return np.sum(x ** n)


def params_loss(params, x):
    return np.sum(params["w"] * x) + params["b"][0] ** 2


def calls_decorated(w, b, x):   # a function under @s2s.differentiate, called as before
    return decorated_wrt(w, b, x) * decorated(b)


class Scaled:
    def __init__(self, scale):
        self.scale = scale

    @s2s.differentiate
    def penalty(self, w):
        return self.scale * np.sum(w ** 2)

    def loss(self, w):
        return self.penalty(w) + np.sum(w)


def free_energy(m, beta=1.5):
    return beta ** 3 * np.sum(m ** 2) + np.sum(np.sin(m)) * beta


def pair_energy(ps, w):
    return np.sum(ps[0] ** 2) * ps[1] + np.sum(w)
