"""The course examples (examples/course.py), against values worked out by hand
and against finite differences or the complex step."""
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import s2s
from oracles import assert_grads_close, complex_step_grad

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import course  # noqa: E402

RNG = np.random.default_rng(0)


def test_poly_value_and_gradient_by_hand():
    value, (dx, dy) = s2s.value_and_grad(course.poly, wrt=(0, 1))(3.0, 4.0)
    assert value == 42.0
    assert (dx, dy) == (24.0, 10.0)


def test_poly3_by_hand():
    assert s2s.grad(course.poly3, wrt=(0, 1, 2))(2.0, 3.0, 4.0) == (12.0, 12.0, 9.0)


def test_sin_square_by_hand():
    assert s2s.grad(course.sin_square)(3.0) == pytest.approx(6 * math.cos(9), rel=1e-14)


def test_cos_sin_by_hand():
    x1, x2 = 0.4, 1.3
    common = -math.sin(math.sin(x1 * x2)) * math.cos(x1 * x2)
    assert s2s.grad(course.cos_sin, wrt=(0, 1))(x1, x2) == pytest.approx((common * x2, common * x1), rel=1e-13)


def test_loop_against_complex_step():
    # 100 dependent steps amplify rounding: finite differences are unreliable here,
    # the complex step is exact to rounding.
    args = (1.3, 0.7)
    grads = s2s.grad(course.loop, wrt=(0, 1))(*args)
    assert_grads_close(course.loop, grads, args, (0, 1), oracle=complex_step_grad, rtol=1e-10)


def test_logistic_regression():
    X = RNG.normal(size=(30, 4))
    y = (RNG.random(30) > 0.5).astype(float)
    args = (RNG.normal(size=4), 0.3, X, y)
    grads = s2s.grad(course.logistic_nll, wrt=(0, 1))(*args)
    assert_grads_close(course.logistic_nll, grads, args, (0, 1), oracle=complex_step_grad, rtol=1e-10)


def test_mlp():
    args = (RNG.normal(size=(4, 6)), RNG.normal(size=6), RNG.normal(size=(6, 3)), RNG.normal(size=3),
            RNG.normal(size=(5, 4)), RNG.normal(size=(5, 3)))
    grads = s2s.grad(course.mlp_loss, wrt=(0, 1, 2, 3))(*args)
    assert_grads_close(course.mlp_loss, grads, args, (0, 1, 2, 3), oracle=complex_step_grad, rtol=1e-10)


def test_rnn_over_50_steps():
    args = (0.4 * RNG.normal(size=(8, 3)), 0.4 * RNG.normal(size=(8, 8)), RNG.normal(size=8),
            RNG.normal(size=(50, 3)))
    grads = s2s.grad(course.rnn_loss, wrt=(0, 1, 2))(*args)
    assert_grads_close(course.rnn_loss, grads, args, (0, 1, 2), oracle=complex_step_grad, rtol=1e-9)


def test_stencil_64x64_over_10_steps():
    u, c = RNG.random((64, 64)), 0.1
    du, dc = s2s.grad(course.stencil, wrt=(0, 1))(u, c)
    assert du.shape == (64, 64)
    # the complex step in c, and in a few grid points of u (all 4096 would be slow)
    assert dc == pytest.approx(complex_step_grad(course.stencil, (u, c), 1), rel=1e-10)
    for k in [(0, 0), (13, 50), (63, 7)]:
        uc = u.astype(complex)
        uc[k] += 1e-30j
        assert du[k] == pytest.approx(course.stencil(uc, c).imag / 1e-30, rel=1e-10)
