"""Forward mode and what is built on it: jvp, hvp, hessian, jacobian (SPEC §3).

Oracles: directional finite differences of f, derivatives worked out by hand,
and the adjoint identity <jvp(u), w> = <u, vjp(w)> between the two modes.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

import corpus as c
import s2s
from oracles import numerical_grad
from test_language import CASES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import course  # noqa: E402

RNG = np.random.default_rng(11)


def _directional(f, args, wrt, us, h=1e-6):
    def at(s):
        shifted = list(args)
        for i, u in zip(wrt, us):
            shifted[i] = args[i] + s * h * u
        return f(*shifted)
    return (at(1) - at(-1)) / (2 * h)


@pytest.mark.parametrize("func, args, wrt", [
    pytest.param(f, args, wrt, id=f"{f.__name__}-{k}") for f, argsets, wrt in CASES for k, args in enumerate(argsets)])
def test_jvp_matches_directional_finite_differences(func, args, wrt):
    wrt = wrt if isinstance(wrt, tuple) else (wrt,)
    if func is c.keyword_default:
        args = args + (2.0,)  # jvp takes every parameter positionally
    us = [RNG.normal(size=np.shape(args[i])) if np.ndim(args[i]) else float(RNG.normal()) for i in wrt]
    value, tangent = s2s.jvp(func, wrt=wrt)(*args, *us)
    assert value == pytest.approx(func(*args), rel=1e-12)
    np.testing.assert_allclose(tangent, _directional(func, args, wrt, us), rtol=1e-5, atol=1e-7)


def test_jvp_of_square_by_hand():
    square = s2s.jvp(lambda_free_square)
    assert square(3.0, 1.0) == (9.0, 6.0)
    value, tangent = square(np.array([1.0, -2.0]), np.array([0.5, 1.0]))
    np.testing.assert_array_equal(tangent, [1.0, -4.0])


def lambda_free_square(x):
    return x ** 2


def vector_function(x, A):
    return np.tanh(A @ x) * x[0] + np.sin(x).sum()


def test_adjoint_identity_between_the_modes():
    x, A = RNG.normal(size=3), RNG.normal(size=(3, 3))
    for _ in range(3):
        u, w = RNG.normal(size=3), RNG.normal(size=3)
        _, ju = s2s.jvp(vector_function)(x, A, u)
        vw = s2s.vjp(vector_function)(x, A, w)
        assert np.dot(ju, w) == pytest.approx(np.dot(u, vw), rel=1e-12)


def test_hessian_of_the_course_polynomial():
    H = s2s.hessian(course.poly, wrt=(0, 1))(3.0, 4.0)
    assert H == ((8.0, 6.0), (6.0, 0.0))


def quadratic_energy(theta, x):
    return (x @ theta) ** 2


def test_hvp_of_a_quadratic_energy_by_hand():
    theta, x, v = RNG.normal(size=4), RNG.normal(size=4), RNG.normal(size=4)
    np.testing.assert_allclose(s2s.hvp(quadratic_energy)(theta, x, v), 2 * (x @ v) * x, rtol=1e-13)
    np.testing.assert_allclose(s2s.hessian(quadratic_energy)(theta, x), 2 * np.outer(x, x), rtol=1e-13)


@pytest.mark.parametrize("k", range(4))
def test_mlp_hvp_against_finite_differences_of_its_gradient(k):
    args = (RNG.normal(size=(4, 6)), RNG.normal(size=6), RNG.normal(size=(6, 3)), RNG.normal(size=3),
            RNG.normal(size=(5, 4)), RNG.normal(size=(5, 3)))
    v = RNG.normal(size=np.shape(args[k]))
    # the gradient itself is checked against finite differences of the loss in test_course
    gradient = s2s.grad(course.mlp_loss, wrt=k)
    expected = _directional(gradient, args, (k,), (v,), h=1e-5)
    np.testing.assert_allclose(s2s.hvp(course.mlp_loss, wrt=k)(*args, v), expected, rtol=1e-6, atol=1e-8)


def test_hvp_through_a_recurrence_with_records():
    args = (0.4 * RNG.normal(size=(8, 3)), 0.4 * RNG.normal(size=(8, 8)), RNG.normal(size=8), RNG.normal(size=(20, 3)))
    v = RNG.normal(size=(8, 8))
    gradient = s2s.grad(course.rnn_loss, wrt=1)
    expected = _directional(gradient, args, (1,), (v,), h=1e-5)
    np.testing.assert_allclose(s2s.hvp(course.rnn_loss, wrt=1)(*args, v), expected, rtol=1e-6, atol=1e-8)


def sine_weighted(x):
    return np.sum(np.sin(x) * x ** 2)


def test_hessian_of_a_vector_argument_by_hand():
    x = RNG.normal(size=4)
    diagonal = 2 * np.sin(x) + 4 * x * np.cos(x) - x ** 2 * np.sin(x)  # d2/dx2 of x^2 sin x
    H = s2s.hessian(sine_weighted)(x)
    assert H.shape == (4, 4)
    np.testing.assert_allclose(H, np.diag(diagonal), rtol=1e-12, atol=1e-14)


def test_jacobian_in_both_modes_against_finite_differences():
    x, A = RNG.normal(size=3), RNG.normal(size=(3, 3))
    J = s2s.jacobian(vector_function)(x, A)  # square: forward mode
    expected = np.stack([numerical_grad(lambda x, A, i=i: vector_function(x, A)[i], (x, A), 0) for i in range(3)])
    np.testing.assert_allclose(J, expected, rtol=1e-6, atol=1e-8)
    JA = s2s.jacobian(vector_function, wrt=1)(x, A)  # 9 inputs, 3 outputs: reverse mode
    assert JA.shape == (3, 3, 3)
    expected_A = np.stack([numerical_grad(lambda x, A, i=i: vector_function(x, A)[i], (x, A), 1) for i in range(3)])
    np.testing.assert_allclose(JA, expected_A, rtol=1e-6, atol=1e-8)


def test_forward_over_reverse_equals_reverse_over_reverse():
    for x in (0.3, -1.1):
        hvp = s2s.hvp(c.while_loop)(x, 1.0)
        assert hvp == pytest.approx(s2s.grad(s2s.grad(c.while_loop))(x), rel=1e-12)


def test_jvp_source_is_readable():
    text = s2s.source(s2s.jvp(course.poly, wrt=(0, 1)))
    assert "def jvp_poly(x, y, t_x, t_y):" in text
    assert "return _out, t_" in text


def test_source_of_every_transform():
    assert "def hvp_quadratic_energy(" in s2s.source(s2s.hvp(quadratic_energy))
    assert "def hvp_quadratic_energy(" in s2s.source(s2s.hessian(quadratic_energy))
    text = s2s.source(s2s.jacobian(vector_function))
    assert "def jvp_vector_function(" in text and "def vjp_vector_function(" in text
