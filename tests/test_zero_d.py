"""0-d array arguments: the gradient is a 0-d array of the argument's dtype (SPEC §3, "a
gradient has the shape and float dtype of its argument"), not the NumPy scalar most
NumPy operations make of a 0-d array. Python floats keep getting floats.

Rule-style: one small function per primitive form, differentiated in reverse mode
(grad, vjp, hvp) and forward mode (jvp); values against central differences
(tests/oracles.py), never against s2s.
"""
import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def sin(x, y):
    return np.sin(x) * 2.0


def exp_tanh(x, y):
    return np.exp(np.tanh(x))


def negate_square(x, y):
    return -x ** 2


def add(x, y):
    return np.sum(np.add(x, y))


def multiply(x, y):
    return np.sum(x * y)


def divide(x, y):
    return np.sum(y / x)


def subtract_power(x, y):
    return np.sum((x - y) ** 2)


def maximum(x, y):
    return np.sum(np.maximum(x, y))


def sum_(x, y):
    return np.sum(x) * 3.0


def mean_exp(x, y):
    return np.mean(np.exp(x) * y)


def max_(x, y):
    return np.max(x * y)


def prod(x, y):
    return np.prod(x + y)


def method_sum(x, y):
    return (x * y).sum()


def identity_times(x, y):
    return x * 1.0


FUNCTIONS = [sin, exp_tanh, negate_square, add, multiply, divide, subtract_power, maximum, sum_, mean_exp,
             max_, prod, method_sum, identity_times]
OTHERS = {"0-d": np.array(1.5), "(2, 3)": np.array([[0.5, 1.5, 2.5], [-0.5, 1.25, 3.0]]), "float": 0.75}
IGNORE_Y = {sin, exp_tanh, negate_square, identity_times}  # one y is enough


def cases():
    for f in FUNCTIONS:
        for label, y in OTHERS.items():
            if f in IGNORE_Y and label != "0-d":
                continue
            yield pytest.param(f, y, id=f"{f.__name__}-y{label}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("f, y", list(cases()))
def test_grad_of_a_0d_array_is_a_0d_array(f, y, dtype):
    x = np.array(0.7, dtype=dtype)
    for g in (s2s.grad(f)(x, y), s2s.value_and_grad(f)(x, y)[1], s2s.vjp(f)(x, y, 1.0)):
        assert type(g) is np.ndarray and g.shape == () and g.dtype == dtype, repr(g)
        expected = numerical_grad(f, [np.array(0.7), y], 0)
        np.testing.assert_allclose(g, expected, rtol=1e-3 if dtype == np.float32 else 1e-6)


@pytest.mark.parametrize("f, y", list(cases()))
def test_both_arguments_0d_in_a_tuple_wrt(f, y):
    x = np.array(0.7)
    gx, gy = s2s.grad(f, wrt=(0, 1))(x, y)
    assert type(gx) is np.ndarray and gx.shape == ()
    assert np.shape(gy) == np.shape(y) and (isinstance(gy, np.ndarray) or not isinstance(y, np.ndarray)), repr(gy)
    np.testing.assert_allclose(gy, numerical_grad(f, [x, y], 1), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("f, y", [c for c in cases() if c.values[0] is not method_sum])  # float.sum()
def test_python_floats_get_what_they_got_before(f, y):
    g = s2s.grad(f)(0.7, y)
    assert np.shape(g) == (), repr(g)  # a float or NumPy float; a 0-d array for some rules (SPEC §3 allows it)
    if f not in (maximum,):
        assert isinstance(g, float), repr(g)
    np.testing.assert_allclose(g, numerical_grad(f, [0.7, y], 0), rtol=1e-6)


@pytest.mark.parametrize("f, y", list(cases()))
def test_jvp_tangent_has_the_type_of_the_output(f, y):
    x = np.array(0.7)
    value, tangent = s2s.jvp(f)(x, y, np.array(1.0))
    assert np.shape(tangent) == np.shape(value)
    assert isinstance(tangent, np.ndarray) == isinstance(value, np.ndarray), (repr(value), repr(tangent))
    np.testing.assert_allclose(tangent, numerical_grad(f, [x, y], 0), rtol=1e-6)


def test_hvp_of_a_0d_array_is_a_0d_array():
    x = np.array(0.7)
    hv = s2s.hvp(sin)(x, 1.5, np.array(2.0))
    assert type(hv) is np.ndarray and hv.shape == ()
    assert hv == pytest.approx(-2.0 * np.sin(0.7) * 2.0, rel=1e-12)
    assert isinstance(s2s.hvp(sin)(0.7, 1.5, 2.0), float)

