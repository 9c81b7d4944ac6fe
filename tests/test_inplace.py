"""In-place adjoints (issue 12, transforms/inplace.py): element writes and reads in loops update the
adjoint arrays the generated code owns where they are (`set_at`, `add_at`), so that the gradient of
an element loop is linear in its length; what s2s differentiates again is the functional form.
Every derivative here is checked against central differences."""
import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def running(x):
    y = np.zeros_like(x)
    acc = 0.0
    for i in range(len(x)):
        acc = acc + np.sin(x[i])
        y[i] = acc
    return np.sum(y * y)


def rows(x):
    """Row writes of a matrix: `d_y[i]` is a view of a row, read after the row's adjoint is zeroed."""
    y = np.zeros((3, 2))
    for i in range(3):
        y[i] = x * (i + 1.0) + y[i - 1] * 0.5
    return np.sum(y * y) + np.sum(y[1] * x)


def repeated_index(x):
    y = x * 1.0
    idx = [0, 0, 2]
    y[idx] = y[idx] * 2.0 + x[idx]
    return np.sum(y ** 2) + np.sum(x[idx] * y[1])


def into_a_list(x):
    """Element writes whose values also go into a list (the list's cotangent holds arrays)."""
    y = np.zeros_like(x)
    kept = []
    for i in range(len(x)):
        y[i] = np.cos(x[i]) * (i + 1.0)
        kept.append(y * 1.0)
    return np.sum(kept[-1] * kept[0]) + np.sum(y * y)


CASES = [running, rows, repeated_index, into_a_list]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_in_place_adjoints_give_the_gradient_of_finite_differences(f):
    x = np.array([0.3, -0.7, 1.1])
    if f is rows:
        x = x[:2]
    np.testing.assert_allclose(s2s.grad(f)(x.copy()), numerical_grad(f, [x.copy()], 0), rtol=1e-6, atol=1e-8)
    v = np.linspace(1.0, -1.0, x.size)
    value, tangent = s2s.jvp(f)(x.copy(), v)
    assert tangent == pytest.approx(numerical_grad(f, [x.copy()], 0) @ v, rel=1e-6)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_second_order_reads_the_functional_form(f):
    x = np.array([0.3, -0.7, 1.1])
    if f is rows:
        x = x[:2]
    v = np.linspace(1.0, -1.0, x.size)
    g = s2s.grad(f)
    eps = 1e-5
    numeric = (g(x + eps * v) - g(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(f)(x.copy(), v), numeric, rtol=1e-5, atol=1e-8)

    def norm_of_gradient(x):
        return np.sum(g(x) ** 2)
    np.testing.assert_allclose(s2s.grad(norm_of_gradient)(x.copy()), numerical_grad(norm_of_gradient, [x], 0),
                               rtol=1e-5, atol=1e-7)


def test_the_element_loop_updates_its_adjoints_in_place():
    text = s2s.source(s2s.grad(running))
    assert "d_y = set_at(d_y, i, 0.0)" in text and "d_x = add_at(d_x, x, i, " in text
    assert "setindex" not in text and "unindex" not in text
    text = s2s.source(s2s.grad(rows))
    assert "copy_of(d_y[i])" in text   # the row is read, then zeroed in place: a copy, not a view
