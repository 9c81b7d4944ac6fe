"""Generated code is itself differentiable: s2s.grad(s2s.grad(f)) (reverse over reverse).

Oracles: second derivatives worked out by hand, and second differences of f itself.
"""
import math

import numpy as np
import pytest

import corpus as c
import s2s


def second_difference(f, x, h=1e-4):
    return (f(x + h) - 2 * f(x) + f(x - h)) / h ** 2


def cubic(x):
    return x ** 3 + np.sin(x)


def test_grad_of_grad_by_hand():
    d2 = s2s.grad(s2s.grad(cubic))
    for x in (-1.3, 0.2, 2.0):
        assert d2(x) == pytest.approx(6 * x - math.sin(x), rel=1e-12)


@pytest.mark.parametrize("func, x", [
    (c.branches, 1.5), (c.branches, 0.5), (c.while_loop, 0.3), (c.break_and_continue, 0.7),
    (c.early_return, -0.7), (c.return_in_loop, 0.3), (c.recursion, 0.6), (c.nested_calls_with_keywords, 0.4),
    (c.conditional_expression, 0.8), (c.math_module, 0.7), (c.augmented, 0.7), (c.tuple_from_call, 0.6),
])
def test_grad_of_grad_through_control_flow_and_calls(func, x):
    others = {c.branches: (2.0,), c.break_and_continue: (6,)}.get(func, ())
    d2 = s2s.grad(s2s.grad(func))
    expected = second_difference(lambda v: func(v, *others), x)
    assert d2(x, *others) == pytest.approx(expected, rel=1e-5, abs=1e-6)


def short_loop(a, b):
    z = 0.0
    for i in range(10):
        z = a * np.cos(z + i) + z * np.sin(b - i)
    return z


def test_grad_of_grad_of_a_loop_with_records():
    a, b = 1.3, 0.7
    d2 = s2s.grad(s2s.grad(short_loop, wrt=0), wrt=0)
    assert d2(a, b) == pytest.approx(second_difference(lambda v: short_loop(v, b), a), rel=1e-5)
    assert "_stack.pop()" in s2s.source(s2s.grad(short_loop, wrt=0))  # the records were differentiated too


@pytest.mark.parametrize("n", [1, 3])
def test_hvp_with_a_return_inside_a_loop(n):
    x, v = np.array([0.1, 0.2, 0.3]), np.array([1.0, -0.5, 0.25])
    gradient = s2s.grad(c.return_array_sum_in_loop)
    expected = (gradient(x + 1e-5 * v, n) - gradient(x - 1e-5 * v, n)) / 2e-5
    np.testing.assert_allclose(s2s.hvp(c.return_array_sum_in_loop)(x, n, v), expected, rtol=1e-6)


# ---- second order through the rules of sort, diff, convolve, polyval, matrix_power, multi_dot, pinv ----
# (forward over the generated gradient, against second differences of the function itself)

def sorted_weighted(x): return np.sum(np.sort(x) ** 3 * np.arange(1.0, 6.0))
def second_difference_cubed(x): return np.sum(np.diff(x, 2) ** 3)
def self_convolution(x): return np.sum(np.convolve(x, x[::-1] ** 2, "same") ** 2)
def polynomial_of_itself(x): return np.sum(np.polyval(x, x) ** 2)
def cube_of_matrix(x): return np.sum(np.sin(np.linalg.matrix_power(x, 3)))
def inverse_square_of_matrix(x): return np.sum(np.sin(np.linalg.matrix_power(x, -2)))
def chain_of_products(x): return np.sum(np.sin(np.linalg.multi_dot([x[:2], x, x[:, 1]])))
def pseudo_inverse(x): return np.sum(np.linalg.pinv(x) ** 3)


def hessian_by_differences(f, x, h=1e-4):
    """Central second differences of scalar `f` at array `x`, flattened: (x.size, x.size)."""
    n = x.size
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            def at(si, sj):
                y = x.copy().ravel()
                y[i] += si * h
                y[j] += sj * h
                return f(y.reshape(x.shape))
            out[i, j] = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)
    return out


_R = np.random.default_rng(7)


@pytest.mark.parametrize("func, x", [
    (sorted_weighted, np.array([0.3, -1.1, 0.8, 1.6, -0.4])),
    (second_difference_cubed, _R.standard_normal(5)),
    (self_convolution, _R.standard_normal(4)),
    (polynomial_of_itself, _R.standard_normal(3)),
    (cube_of_matrix, _R.standard_normal((3, 3)) / 2),
    (inverse_square_of_matrix, _R.standard_normal((3, 3)) + 3 * np.eye(3)),
    (chain_of_products, _R.standard_normal((3, 3))),
    (pseudo_inverse, _R.standard_normal((3, 2)) / 2 + np.eye(3, 2)),  # well conditioned
], ids=lambda v: getattr(v, "__name__", ""))
def test_hessian_through_new_rules(func, x):
    got = np.reshape(s2s.hessian(func)(x), (x.size, x.size))
    np.testing.assert_allclose(got, hessian_by_differences(func, x), rtol=1e-5, atol=1e-5)


def test_user_functions_named_like_runtime_helpers_at_every_order():
    import helper_names as h
    x, y, v = np.array([0.3, 0.7]), np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -2.0])
    diagonal = -np.sin(x) * np.sum(y + 1.0, axis=0)  # the Hessian in x is diagonal
    np.testing.assert_allclose(s2s.grad(h.broadcast_sum)(x, y), np.sum(y * y, axis=0) + np.cos(x) * np.sum(y + 1.0, axis=0))
    np.testing.assert_allclose(s2s.hvp(h.broadcast_sum)(x, y, v), diagonal * v, rtol=1e-12)
    np.testing.assert_allclose(s2s.hessian(h.broadcast_sum)(x, y), np.diag(diagonal), rtol=1e-12)
    d = h.quartic  # 6 x^4 + 2 x
    expected = {1: lambda t: 24 * t ** 3 + 2, 2: lambda t: 72 * t ** 2, 3: lambda t: 144 * t, 4: lambda t: 144.0,
                5: lambda t: 0.0}
    for order in range(1, 6):  # each order is generated from the one before, and mentions its helper names
        d = s2s.grad(d)
        assert d(0.5) == pytest.approx(expected[order](0.5), rel=1e-12, abs=1e-12), order


def test_user_function_named_like_a_derivative_function():
    import helper_names as h  # calls_square(x) = 102 x^2
    assert s2s.grad(h.calls_square)(3.0) == pytest.approx(612.0, rel=1e-12)
    assert s2s.grad(s2s.grad(h.calls_square))(3.0) == pytest.approx(204.0, rel=1e-12)


def cubic_times(x, y):
    return x ** 3 * y


def test_grad_of_a_gradient_whose_name_another_gradient_shares():
    # grad_cubic_times three times over: the one generated last must not stand in for the others
    by_x, by_both, by_y = (s2s.grad(cubic_times, wrt=w) for w in (0, (0, 1), 1))
    x, y = 2.0, 5.0
    assert s2s.grad(by_x)(x, y) == pytest.approx(6 * x * y, rel=1e-12)          # d/dx 3x^2 y
    assert s2s.grad(by_y, wrt=0)(x, y) == pytest.approx(3 * x ** 2, rel=1e-12)  # d/dx x^3
    assert s2s.jvp(by_x)(x, y, 1.0)[1] == pytest.approx(6 * x * y, rel=1e-12)
    assert s2s.hvp(cubic_times)(x, y, 1.0) == pytest.approx(6 * x * y, rel=1e-12)
    assert by_both(x, y) == pytest.approx((3 * x ** 2 * y, x ** 3), rel=1e-12)


def outer_sine(x):
    return np.sin(np.outer(x, x)) + np.cos(np.dot(x, x))


def sum_sin_of_jacobian(x):   # as in autograd's tests/test_jacobian.py
    return np.sum(np.sin(s2s.jacobian(outer_sine)(x)))


def numerical_jacobian(f, x, h=1e-6):
    columns = []
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        columns.append((f(x + e) - f(x - e)) / (2 * h))
    return np.stack(columns, -1)


def test_jacobian_of_a_jacobian():
    x = np.array([0.3, -0.5])
    jacobian = s2s.jacobian(outer_sine)
    np.testing.assert_allclose(jacobian(x), numerical_jacobian(outer_sine, x), rtol=1e-6, atol=1e-9)
    twice = s2s.jacobian(jacobian)(x)
    assert twice.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(twice, numerical_jacobian(jacobian, x), rtol=1e-6, atol=1e-8)
    tall = s2s.jacobian(lambda v: np.outer(v, v))   # forward columns: the input is the smaller
    np.testing.assert_allclose(tall(x), numerical_jacobian(lambda v: np.outer(v, v), x), rtol=1e-6, atol=1e-9)


def test_a_jacobian_inside_differentiated_code():
    x = np.array([0.3, -0.5])
    expected = numerical_jacobian(sum_sin_of_jacobian, x)
    np.testing.assert_allclose(s2s.grad(sum_sin_of_jacobian)(x), expected, rtol=1e-6, atol=1e-8)
    t = np.array([1.0, 2.0])
    assert s2s.jvp(sum_sin_of_jacobian)(x, t)[1] == pytest.approx(expected @ t, rel=1e-6)


def cube_minus(a, b):
    return a ** 3 - b


def sum_of_helper(x, y):
    return np.sum(cube_minus(x, y))


def test_a_value_unpacked_from_a_one_tuple_keeps_its_own_shape():
    """`a, = _saved` in generated code: `a` does not have the tuple's shape (a random program
    found grad(grad(f)) returning array([9.]) for 9.0)."""
    second = s2s.grad(s2s.grad(sum_of_helper))(0.5, np.array([1.0, 2.0, 3.0]))
    assert np.shape(second) == () and second == pytest.approx(3 * 6 * 0.5)   # f = 3 x^3 - sum(y)


def _shift_negatives(x):   # a helper writing through a mask made with `~` and `&`
    x = x.copy()
    m = x > 0
    x[~m] = x[~m] - 1.0
    n = x < 1
    x[m & n] = x[m & n] ** 2
    return x


def _cubed_shifted(x):
    return np.sum(_shift_negatives(x) ** 3)


def test_masks_made_with_bitwise_operators_at_second_order():
    # forward mode over the helper's generated forward sweep looked up the rule of `~` (a
    # no-derivative rule, with no parameters) and refused: "this call to `operator` does not match
    # its derivative rule's parameters"
    x, v = np.array([0.5, -1.0, 2.0, 0.1]), np.array([1.0, -0.5, 2.0, 0.3])
    # entries in (0, 1): x ** 6; <= 0: (x - 1) ** 3; >= 1: x ** 3
    second = np.where((x > 0) & (x < 1), 30 * x ** 4, np.where(x <= 0, 6 * (x - 1), 6 * x))
    np.testing.assert_allclose(s2s.hvp(_cubed_shifted)(x, v), second * v, rtol=1e-12)
    np.testing.assert_allclose(s2s.hessian(_cubed_shifted)(x), np.diag(second), rtol=1e-12)


def _swish(x, beta=1.5):
    return x / (1.0 + np.exp(-beta * x))


def _sin_x2(x):
    return np.sum(np.sin(x) * x ** 2)


def test_third_order_through_hvp_and_elementwise_grad_twice_with_a_default():
    # both were refused with messages about s2s's own api.py ("positional arguments after a `*`",
    # "assigning to an attribute is not supported")
    x = np.linspace(-2.0, 2.0, 5)
    s = 1 / (1 + np.exp(-1.5 * x))
    second = 1.5 * s * (1 - s) * (2 + 1.5 * x * (1 - 2 * s))   # d2/dx2 of x s(1.5 x), worked out by hand
    np.testing.assert_allclose(s2s.elementwise_grad(s2s.elementwise_grad(_swish))(x), second, rtol=1e-12)
    x, v, u = np.array([0.3, -1.2, 0.8]), np.array([1.0, 2.0, -0.5]), np.array([0.2, -1.0, 1.5])
    third = -np.cos(x) * x ** 2 - 6 * x * np.sin(x) + 6 * np.cos(x)   # d3/dx3 of sin(x) x^2
    np.testing.assert_allclose(s2s.jvp(s2s.hvp(_sin_x2), wrt=0)(x, v, u)[1], third * u * v, rtol=1e-12)
    np.testing.assert_allclose(s2s.grad(lambda z: s2s.hvp(_sin_x2)(z, v) @ u)(x), third * u * v, rtol=1e-12)


def _named_terms(x):
    d = {"w1": x, "b": 2.0 * x, "w2": x * x}
    return np.sum(sum(d[k] ** 2 for k in d if k.startswith("w") and not k.endswith("0")))


def test_string_methods_of_keys_at_second_order():
    # forward mode over the gradient took `k.startswith("w")` for an unknown method of an active
    # value (the keys of a dict of differentiated values) and refused
    x, v = np.array([0.5, -1.0]), np.array([1.0, 2.0])
    np.testing.assert_allclose(s2s.hvp(_named_terms)(x, v), (2.0 + 12 * x ** 2) * v, rtol=1e-12)
