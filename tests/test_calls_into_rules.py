"""Calls as autograd's test suite writes them (issue 10): `f(*args, **kwargs)` into a function
that s2s differentiates by a rule (a SciPy density held in a closure), `f(x, *rest)` where rest
turns out empty, and derivatives called with f's keyword arguments and defaults (the seed, the
tangents or the vector are the last positional arguments). Oracles: central finite differences."""
import functools

import numpy as np
import pytest
from scipy.stats import multivariate_normal as mvn

import s2s
from oracles import numerical_grad


def symmetrize_matrix_arg(fun, argnum):   # as in autograd's tests/test_scipy.py
    def symmetrized_fun(*args, **kwargs):
        args = list(args)
        args[argnum] = 0.5 * (args[argnum] + args[argnum].T)
        return fun(*args, **kwargs)
    return symmetrized_fun


def star_into_rule(x, mean, cov):
    args = (x, mean, cov)
    return mvn.logpdf(*args)


def check_symmetric(fun):   # as in autograd's tests/test_linalg.py
    def symmetrize(A):
        L = np.tril(A)
        return (L + L.T) / 2.0
    return lambda *args: np.sum(fun(symmetrize(args[0]), *args[1:]))


symmetric_logpdf = symmetrize_matrix_arg(mvn.logpdf, 2)
cholesky_sum = check_symmetric(lambda A: np.linalg.cholesky(A))


def power_sum(x, k=2.0, *, m=1.0):
    return np.sum(x ** k) * m


X, MEAN = np.array([0.3, -0.2, 0.5]), np.array([0.1, 0.0, -0.1])
COV = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, 0.2], [0.1, 0.2, 1.8]])
DIRECTION = np.array([[0.5, -1.0, 0.2], [0.3, 0.7, -0.4], [1.0, 0.1, 0.6]])


def fd_hvp(f, args, wrt, v, h=1e-5, **kwargs):
    g = s2s.grad(f, wrt)
    plus = [a + h * v if i == wrt else a for i, a in enumerate(args)]
    minus = [a - h * v if i == wrt else a for i, a in enumerate(args)]
    return (g(*plus, **kwargs) - g(*minus, **kwargs)) / (2 * h)


@pytest.mark.parametrize("wrt", [0, 1, 2])
@pytest.mark.parametrize("kwargs", [{}, {"allow_singular": False}])
def test_star_and_double_star_into_a_rule(wrt, kwargs):
    f = symmetric_logpdf
    args = (X, MEAN, COV)
    expected = numerical_grad(lambda *a: f(*a, **kwargs), args, wrt)
    np.testing.assert_allclose(s2s.grad(f, wrt)(*args, **kwargs), expected, rtol=1e-6, atol=1e-8)
    v = DIRECTION if wrt == 2 else DIRECTION[0]
    value, tangent = s2s.jvp(f, wrt)(*args, v, **kwargs)
    assert value == pytest.approx(f(*args, **kwargs))
    assert tangent == pytest.approx(np.sum(expected * v), rel=1e-6)
    np.testing.assert_allclose(s2s.hvp(f, wrt)(*args, v, **kwargs), fd_hvp(f, args, wrt, v, **kwargs),
                               rtol=1e-5, atol=1e-7)


def test_a_shorter_star_leaves_the_defaults():
    np.testing.assert_allclose(s2s.grad(star_into_rule, 2)(X, MEAN, COV),
                               numerical_grad(star_into_rule, (X, MEAN, COV), 2), rtol=1e-6, atol=1e-8)

    def two(x, mean):
        args = [x, mean]
        return mvn.logpdf(*args)   # cov is left at 1
    np.testing.assert_allclose(s2s.grad(two)(X, MEAN), -(X - MEAN), rtol=1e-12)


def test_a_value_the_rule_does_not_cover_raises_when_called():
    f = symmetric_logpdf
    with pytest.raises(s2s.S2SError, match="allow_singular=False, but this call passes allow_singular=True"):
        s2s.grad(f)(X, MEAN, COV, allow_singular=True)


def test_too_many_arguments_through_star_raise_as_python_would():
    def five(x, mean, cov):
        args = (x, mean, cov, False, 1)
        return mvn.logpdf(*args)
    with pytest.raises(TypeError, match="positional arguments through"):
        s2s.grad(five)(X, MEAN, COV)


def test_a_star_that_is_empty_when_called():
    A = COV
    np.testing.assert_allclose(s2s.grad(cholesky_sum)(A), numerical_grad(cholesky_sum, (A,), 0), rtol=1e-6)
    np.testing.assert_allclose(s2s.hvp(cholesky_sum)(A, DIRECTION), fd_hvp(cholesky_sum, (A,), 0, DIRECTION),
                               rtol=1e-5, atol=1e-7)
    with pytest.raises(TypeError, match="takes 1 positional arguments but 2 were given"):
        s2s.grad(cholesky_sum)(A, A)


def test_derivatives_take_keywords_and_defaults_before_the_directions():
    x, t = np.array([0.5, 1.0, 2.0]), np.array([1.0, -1.0, 0.5])
    assert s2s.jvp(power_sum)(x, t)[1] == pytest.approx(np.sum(2 * x * t))                    # k left at 2
    assert s2s.jvp(power_sum)(x, t, k=3.0, m=2.0)[1] == pytest.approx(np.sum(6 * x ** 2 * t))
    assert s2s.jvp(power_sum)(x, 3.0, t)[1] == pytest.approx(np.sum(3 * x ** 2 * t))          # all positional
    np.testing.assert_allclose(s2s.vjp(power_sum)(x, 2.0, k=3.0), 6 * x ** 2)
    np.testing.assert_allclose(s2s.hvp(power_sum)(x, t, k=3.0), 6 * x * t)
    np.testing.assert_allclose(s2s.hvp(power_sum)(x, 3.0, t, m=2.0), 12 * x * t)
    with pytest.raises(TypeError):
        s2s.hvp(power_sum)(x)


def test_hvp_of_a_partial():
    x, t = np.array([0.5, 1.0, 2.0]), np.array([1.0, -1.0, 0.5])
    np.testing.assert_allclose(s2s.hvp(functools.partial(power_sum, k=3.0))(x, t), 6 * x * t)
    in_k = s2s.hvp(functools.partial(power_sum, x), wrt="k")(3.0, 1.0)
    expected = np.sum(x ** 3 * np.log(x) ** 2)
    assert in_k == pytest.approx(expected, rel=1e-12)


def test_jvp_of_a_function_with_a_rule_takes_its_keywords():
    from scipy.special import logsumexp
    a, t = np.array([[0.1, 0.5], [1.0, -0.3]]), np.array([[1.0, 0.0], [0.5, 2.0]])
    value, tangent = s2s.jvp(logsumexp)(a, t, axis=0, keepdims=True)
    soft = np.exp(a - logsumexp(a, axis=0, keepdims=True))
    np.testing.assert_allclose(value, logsumexp(a, axis=0, keepdims=True))
    np.testing.assert_allclose(tangent, np.sum(soft * t, axis=0, keepdims=True), rtol=1e-12)
