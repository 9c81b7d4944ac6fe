"""Gradients called with Python floats run code generated for numbers (issue 12): no helper
for broadcasting, a seed of 1.0. Each case is checked against central differences through
that code and through the general code (an array argument), and the code for numbers is read:
what stays a number (arithmetic, math, elementwise NumPy on numbers) loses its helpers, what
may be an array (anything made by np.ones, a list, a loop over one) keeps them."""
import math
import traceback

import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def poly(x, y):
    return x * x * y + y + 2


def trig(x, y):
    z = math.sin(x) * np.cos(y) - np.exp(-x * x) / (1.0 + y ** 2)
    return np.tanh(z) + math.log1p(x * x) + abs(y)


def branches_and_loops(x, y):
    s = 0.0
    for k in range(4):
        if s > 1.0:
            s = s - 0.5 * x
        else:
            s = s + k * x * y
    while abs(s) < 10.0:
        s = s * 1.5 + 2.0 + y * y
    return np.where(x > y, s, -s) + max(x, y)


def makes_an_array(x, y):
    v = np.ones(3) * x        # an array from here on: its adjoint is summed back to x
    w = np.linspace(0.0, 1.0, 3) + y
    return np.sum(v * w) + x * y


def through_a_list(x, y):
    xs = [x, y, x * y]
    total = 0.0
    for t in xs:
        total = total + t * t
    return total


def _helper(a, b):
    return a * np.sin(b)


def calls_a_helper(x, y):
    return _helper(x, y) + _helper(y, x) ** 2


CASES = [poly, trig, branches_and_loops, makes_an_array, through_a_list, calls_a_helper]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("point", [(0.7, -0.3), (1.9, 0.4)])
def test_floats_and_arrays_give_the_gradient_of_finite_differences(f, point):
    g = s2s.grad(f, wrt=(0, 1))
    # code for numbers: called at its first call, then run in the wrapper (inlined); then the general code
    for args in (point, point, (np.array(point[0]), point[1])):
        grads = g(*args)
        for k in (0, 1):
            np.testing.assert_allclose(grads[k], numerical_grad(f, list(point), k), rtol=1e-6, atol=1e-8)
    for _ in range(2):   # made at the first call, in the wrapper at the second
        value, grads = s2s.value_and_grad(f, wrt=(0, 1))(*point)
        assert value == f(*point)
        np.testing.assert_allclose(grads, [numerical_grad(f, list(point), k) for k in (0, 1)], rtol=1e-6, atol=1e-8)


def test_code_for_numbers_has_no_broadcast_helpers():
    text = s2s.source(s2s.grad(poly, wrt=(0, 1)), numbers=True)
    assert "unbroadcast" not in text and "grad_seed" not in text
    assert "d_x = 2.0 * x * y" in text and "d_y = x * x + 1.0" in text   # as a person writes them
    assert "unbroadcast" in s2s.source(s2s.grad(poly, wrt=(0, 1)))   # the general code keeps them
    kept = s2s.source(s2s.grad(makes_an_array, wrt=(0, 1)), numbers=True)
    assert "unbroadcast(" in kept   # np.ones(3) * x is an array: its adjoint is summed back to x


def test_only_python_floats_take_the_code_for_numbers():
    g = s2s.grad(poly, wrt=(0, 1))
    assert type(g(0.5, 2.0)[0]) is float
    assert type(g(np.array(0.5), 2.0)[0]) is np.ndarray   # a 0-d array keeps its type (general code)
    with pytest.raises(s2s.IntegerArgumentError):
        g(1, 2.0)


def vector_output(x, y):
    return np.array([x, y]) * 2.0


def test_a_gradient_of_an_array_output_is_still_refused():
    with pytest.raises(s2s.OutputShapeError):
        s2s.grad(vector_output)(1.0, 2.0)


def test_source_for_numbers_of_what_has_none_is_an_error():
    with pytest.raises(s2s.S2SError, match="no code for numbers"):
        s2s.source(s2s.jvp(poly), numbers=True)


# ---- the code for numbers, once made, is the wrapper's first branch (calling.inline_numbers) -------------

def poly_again(x, y):   # (s2s.grad caches its derivatives: one no other test has called)
    return x * x * y + y + 2


def test_the_code_for_numbers_becomes_the_wrappers_own():
    g = s2s.grad(poly_again, wrt=(0, 1))
    assert "__s2s_numbers" in g.__code__.co_names   # before: a call of the code made at the first call
    first = g(0.7, -0.3)
    assert "__s2s_numbers" not in g.__code__.co_names   # after: its body, in the wrapper
    assert g(0.7, -0.3) == first == (2.0 * 0.7 * -0.3, 0.7 * 0.7 + 1.0)
    grads = g(np.array(0.7), -0.3)   # other arguments: the rest of the wrapper, as before
    assert type(grads[0]) is np.ndarray and grads[0].ndim == 0
    np.testing.assert_allclose(grads, first, rtol=1e-15)


SCALE = 2.0


def scaled(x):
    return SCALE * x * x


def test_code_reading_a_global_stays_a_call_and_sees_it_rebound(monkeypatch):
    g = s2s.grad(scaled)
    assert g(1.5) == g(1.5) == 2.0 * 2.0 * 1.5
    assert "__s2s_numbers" in g.__code__.co_names   # a user's global is read live: not moved
    monkeypatch.setattr(__import__(__name__), "SCALE", 3.0)
    assert g(1.5) == 2.0 * 3.0 * 1.5


def _power_of(k):
    def f(x):
        return x ** k * 0.5
    return f


def test_code_from_a_closure_gives_its_gradient_twice():
    g = s2s.grad(_power_of(3.0))
    for _ in range(2):
        assert g(2.0) == pytest.approx(1.5 * 2.0 ** 2, rel=1e-14)


def reciprocal(x):
    return 1.0 / x


def test_an_error_in_the_inlined_code_shows_its_line():
    g = s2s.grad(reciprocal)
    assert g(2.0) == -0.25
    with pytest.raises(ZeroDivisionError) as caught:
        g(0.0)
    assert "1.0 / x" in "".join(traceback.format_exception(caught.value))


def weighted_by(x, type, float):   # parameters named as the builtins the argument checks call
    return np.sum(x * x) * type + float


def test_parameters_named_type_or_float_reach_the_gradient():
    g = s2s.grad(weighted_by, wrt=(0, 1, 2))
    x = np.array([1.0, -2.0, 0.5])
    for _ in range(3):   # general code, the code for these shapes, then that code at once
        gx, gtype, gfloat = g(x, 3.0, 1.0)
        np.testing.assert_allclose(gx, 6.0 * x)
        assert gtype == pytest.approx(np.sum(x * x)) and gfloat == 1.0
    assert g(1.5, 2.0, 0.5) == (6.0, 2.25, 1.0)   # code for numbers
