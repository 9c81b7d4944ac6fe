"""`s2s.check_grads` (autograd's `check_grads`): it passes where s2s's derivatives agree with
finite differences, and raises AssertionError where a derivative is wrong -- shown with rules
registered wrong on purpose, in the first derivative and in the second only."""
import numpy as np
import pytest

import s2s


@s2s.rule(x="g * 3 * stop_gradient(x) ** 2", elementwise=True)   # right, but its own derivative is zero
def cube(x):
    return x ** 3


@s2s.rule(x="g * 2 * x ** 2", elementwise=True)   # wrong: d/dx x**3 is 3 x**2
def bad_cube(x):
    return x ** 3


def loss(w, x, y):
    p = 0.5 * (np.tanh(x @ w) + 1)
    return -np.sum(np.log(p * y + (1 - p) * (1 - y)))


def tree_loss(params, x):
    return np.sum(np.tanh(x @ params[0]) * params[1]["b"])


RNG = np.random.default_rng(3)
X, W = RNG.standard_normal((5, 3)), RNG.standard_normal(3)
Y = (RNG.random(5) > 0.5).astype(float)


def test_passes_where_the_derivatives_are_right():
    s2s.check_grads(loss)(W, X, Y)
    s2s.check_grads(loss, modes=["rev"], wrt=(0, 1))(W, X, Y)
    s2s.check_grads(tree_loss)([W, {"b": 2.0}], X)
    s2s.check_grads(lambda v: np.tanh(v) * v[0], argnum=0)(W)       # an array output
    s2s.check_grads(cube, order=1)(np.array([0.5, -1.2]))           # wrong only in the second derivative


@pytest.mark.parametrize("modes", [["fwd"], ["rev"]])
def test_raises_on_a_wrong_first_derivative(modes):
    with pytest.raises(AssertionError, match="differs from finite differences"):
        s2s.check_grads(bad_cube, modes=modes, order=1)(np.array([0.5, -1.2]))


@pytest.mark.parametrize("modes", [["fwd"], ["rev"]])
def test_raises_on_a_wrong_second_derivative(modes):
    with pytest.raises(AssertionError, match="differs from finite differences"):
        s2s.check_grads(cube, modes=modes, order=2)(np.array([0.5, -1.2]))


def test_rejects_unknown_modes():
    with pytest.raises(ValueError, match="'fwd' and 'rev'"):
        s2s.check_grads(loss, modes=["forward"])
