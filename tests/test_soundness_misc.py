"""Issue 9, classes 8 (an unread container entry), 9, 12 and 13: programs that gave a
wrong derivative or crashed inside s2s. Each is checked in reverse mode, forward mode
and to second order (grad of grad and hvp) against central differences of the plain
function."""
import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def second_difference(f, x, h=1e-4):
    return (f(x + h) - 2.0 * f(x) + f(x - h)) / (h * h)


def first_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2.0 * h)


def check_all_modes(f, s, rtol=1e-5, atol=1e-6):
    """grad, jvp, grad of grad and hvp of a function of one float, against differences."""
    slope, curvature = first_difference(f, s), second_difference(f, s)
    np.testing.assert_allclose(s2s.grad(f)(s), slope, rtol=rtol, atol=atol)
    value, tangent = s2s.jvp(f)(s, 1.0)
    np.testing.assert_allclose(value, f(s))
    np.testing.assert_allclose(tangent, slope, rtol=rtol, atol=atol)
    np.testing.assert_allclose(s2s.grad(s2s.grad(f))(s), curvature, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(s2s.hvp(f)(s, 1.0), curvature, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(s2s.jvp(s2s.grad(f))(s, 1.0)[1], curvature, rtol=1e-4, atol=1e-4)


# ---- class 13: bitwise operators are non-differentiable (integers and booleans only) ----

def bitwise(s):
    n = 5
    m = (n >> 1) | 1
    k = ~n ^ 2
    both = (s > 0) & (s < 10)
    y = s * s * m + s * k + (n << 2) * s
    if both:
        y = y * 2.0
    return y


def test_bitwise_operators_are_non_differentiable():
    check_all_modes(bitwise, 0.7)
    check_all_modes(bitwise, -0.7)


# ---- class 13: a local function's default may be any constant expression ----

def constant_defaults(s):
    def h(t, c=-0.5, d=+2.0, e=(1, 2), n=None, b=True, k=-1, q=1 / 4):
        if n is None and b:
            return t * c * d * e[1] * k + q * t * t * t
        return t
    g = lambda t, a=-3.0: t * a
    return h(s) * s + g(s)


def test_negative_and_other_constant_defaults_of_local_functions():
    check_all_modes(constant_defaults, 0.7)


def test_a_default_that_reads_a_variable_is_still_refused():
    def f(s):
        c = s * 2.0
        def h(t, k=c):
            return t * k
        return h(s)
    with pytest.raises(s2s.S2SError, match="not a constant"):
        s2s.grad(f)


# ---- class 13: a local function called in a test (if, while, conditional expression) ----

def lambda_in_tests(s):
    positive = lambda t: t > 0
    small = lambda t: t * t < 5.0
    y = s
    if positive(s):
        y = s * 3.0
    while small(y):
        y = y * 1.5
    z = s * s if positive(y - 4.0) else -s
    return y * z


@pytest.mark.parametrize("s", [0.7, -0.7, 0.2])
def test_local_functions_called_in_if_while_and_conditional_tests(s):
    check_all_modes(lambda_in_tests, s)


# ---- class 12: second order through early returns ----

def early_return_in_loop(s):
    for i in range(2):
        if s < 0:
            return 0.0
    v = s * np.ones(3)
    return np.sum(v * v)


@pytest.mark.parametrize("s", [0.7, -0.7])
def test_second_order_through_an_early_return_in_a_loop(s):
    check_all_modes(early_return_in_loop, s)


# ---- class 13: grad of grad of loops that fill and pop ----

def fill_loop(s):
    w = np.zeros(3)
    for i in range(3):
        w[i] = s + i
    return np.sum(w * w)


def append_and_rewrite(s):
    p = []
    for i in range(3):
        p.append(s * (i + 1.0))
        p[i] = p[i]
    return np.sum(np.stack(p) ** 2)


def pop_as_a_statement(s):
    p = [s, s * s, np.sin(s)]
    p.pop()
    p.append(s * 3.0)
    p.pop(); p.pop()
    return np.sum(np.stack(p) ** 3) + len(p)


@pytest.mark.parametrize("f", [fill_loop, append_and_rewrite, pop_as_a_statement])
def test_second_order_of_loops_that_write_append_and_pop(f):
    check_all_modes(f, 0.7)


# ---- class 8: an entry of a container that is never read gets no cotangent ----

def unread_tuple_entry(t):
    pair = (np.sqrt(t - t), 2.0)
    return pair[1] * t


def unread_dict_entry(t):
    d = {"root": np.sqrt(t - t), "scale": 3.0}
    d["log"] = np.log(t - t + 1.0) * t
    d["cube"] = t ** 3
    return d["scale"] * d["cube"] + len(d)


def unread_list_entry_after_a_write(t):
    xs = [np.cos(t), t * 2.0]
    xs[0] = np.sqrt(t - t)
    return xs[1] * xs[1] * t


@pytest.mark.parametrize("f", [unread_tuple_entry, unread_dict_entry, unread_list_entry_after_a_write])
def test_an_unread_container_entry_gives_no_nan(f):
    with np.errstate(divide="ignore", invalid="ignore"):  # the plain function computes sqrt'(0) nowhere
        check_all_modes(f, 0.7)


def test_a_read_entry_still_gets_its_cotangent():
    def f(t):
        pair = (t * t, np.sin(t), 2.0)
        return pair[0] * pair[2] + pair[1]
    check_all_modes(f, 0.7)


# ---- class 13: writing a new key into a dict (its recorded old value does not exist) ----

def dict_new_keys(s):
    d = {"a": np.sin(s)}
    d["a"] = d["a"] * 2.0
    d["k"] = 1.37
    for key in ["b", "c"]:
        d[key] = d["a"] * s
    d["b"] = d["b"] * d["k"]
    return d["k"] * d["a"] * d["b"] + d["c"] ** 2


def test_writes_of_new_dict_keys():
    check_all_modes(dict_new_keys, 0.7)


# ---- class 13: grad of grad through a helper whose backward sweep pops its saved stack ----

def _clip_after_loop(a, b):
    for i in range(1):
        b = np.cos(1.2)
    b = np.minimum(a, b)
    return a + b


def _clip(a, b):
    b = np.minimum(a, b)
    return a + b


def helper_pops_its_saved_stack(s):
    v = _clip(s, 0.3) * s + _clip_after_loop(s, 0.3) * s
    return v + _clip(v, -0.3) + _clip_after_loop(v, -0.3)


@pytest.mark.parametrize("s", [0.5, 0.2])
def test_second_order_through_a_helper_that_pops_its_saved_stack(s):
    check_all_modes(helper_pops_its_saved_stack, s)


# ---- mode parity: second order of x ** y in y reads np.result_type (a dtype) ----

def power_in_the_exponent(y):
    return 1.7 ** y + np.power(2.5, y * y)


def test_second_order_in_the_exponent_of_a_power():
    check_all_modes(power_in_the_exponent, 1.3)


# ---- class 13: grad of grad once popped a recorded test where a trip count was expected ----

def _total(a, b):
    return np.sum(a) + b


def _first(a, d):
    return a


def early_return_in_nested_loops(x):
    y = np.array([0.36, -1.25, 1.55])
    n = 3
    for e in y:
        if np.maximum(e, e) < -0.3 or _total(y - e, np.mean(y)) > 1.5:
            v = _first(y[n % 3], n)
        else:
            for i in range(1, n):
                if np.tanh(0.5) > 1.5:
                    return np.exp(np.cos(y[i - 1] ** 3))
    w = (y - x) ** 3
    return (x + np.sum(y) - np.sum(w)) * 0.5


@pytest.mark.parametrize("x", [-0.69, 0.4])
def test_second_order_with_an_early_return_in_nested_loops(x):
    check_all_modes(early_return_in_nested_loops, x)


def swaps_in_a_while_in_a_for(s):
    a = s
    b = 2.0 * s
    for i in range(3):
        k = 0
        while k < 2 and a < 3.0:
            if a > b:
                a, b = b, a
            k = k + 1
        a = a * 1.5
    return a * b + np.sin(a)


@pytest.mark.parametrize("s", [0.7, -0.4])
def test_second_order_of_a_swap_in_an_if_in_a_while_in_a_for(s):
    check_all_modes(swaps_in_a_while_in_a_for, s)


# ---- class 13: a helper's backward sweep run as a plain call must leave its saved stack whole ----

def _loop_helper(a, b):
    v = np.exp(np.tanh(b)) ** 3
    for i in range(3):
        d = {"wt": -2.0, "bias": np.maximum(b * v, np.cos(v))}
        j, v = (i, d["wt"] ** 2 + b)
    return (np.exp(np.tanh(v ** 2)) - a * b) * 1.5


def calls_a_helper_whose_backward_sweep_is_not_differentiated(y):
    z = np.ones(3)
    z[-1] = np.sum(_loop_helper(3, np.mean(z)) - z * y)
    return y * y - np.sum(z) * y


def test_second_order_when_a_helper_backward_sweep_is_a_plain_call():
    check_all_modes(calls_a_helper_whose_backward_sweep_is_not_differentiated, 0.3)


def unpacked_entries(x):
    a, b, c = x   # the entries of a parameter vector, named
    return a * b + c ** 2 + 0.1 * np.sum(x ** 2)


def unpacked_rows(W):
    top, bottom = W
    return np.sum(top * bottom) + np.sum(np.sin(W))


def lotka_volterra(y, theta):
    a, b, c, d = theta
    prey, pred = y
    return np.array([a * prey - b * prey * pred, -c * pred + d * prey * pred])


def euler_steps(theta, y0):
    y = y0
    for _ in range(3):
        y = y + 0.1 * lotka_volterra(y, theta)
    return np.sum(y ** 2)


def test_an_array_unpacked_into_its_entries_or_rows_has_an_array_gradient():
    x = np.array([1.0, 2.0, 3.0])
    W = np.array([[0.5, -1.0], [2.0, 0.25]])
    theta, y0 = np.array([1.0, 0.4, 0.8, 0.3]), np.array([2.0, 1.0])
    g1, g2, g3 = s2s.grad(unpacked_entries), s2s.grad(unpacked_rows), s2s.grad(euler_steps, wrt=(0, 1))
    for _ in range(3):   # (the gradient was a tuple, then a TypeError adding it to an array)
        got = g1(x)
        assert type(got) is np.ndarray
        np.testing.assert_allclose(got, [2.0, 1.0, 6.0] + 0.2 * x)
        np.testing.assert_allclose(g2(W), W[::-1] + np.cos(W))
        for got, i in zip(g3(theta, y0), (0, 1)):
            np.testing.assert_allclose(got, numerical_grad(euler_steps, (theta, y0), i), rtol=1e-6)


def test_the_hessian_of_an_array_unpacked_into_its_entries():
    x, v = np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0])
    H = np.array([[0.2, 1.0, 0.0], [1.0, 0.2, 0.0], [0.0, 0.0, 2.2]])
    for _ in range(3):
        np.testing.assert_allclose(s2s.hvp(unpacked_entries)(x, v), H @ v)


class Penalised:
    act = staticmethod(np.tanh)

    def __init__(self):
        self.out = np.exp

    @staticmethod
    def penalty(w):
        return np.sum(w ** 2)

    def loss(self, w):
        return Penalised.penalty(w) * 3.0

    def loss_through_self(self, w):
        return self.penalty(w) + np.sum(self.act(w))

    def through_an_attribute(self, w):
        return np.sum(self.out(w))


class Regularised(Penalised):
    def loss(self, w):
        return super().loss(w) + super().penalty(w) + np.sum(w)


class Twice(Regularised):
    def loss(self, w):   # (super() from here reaches Regularised.loss, whose super() reaches Penalised.loss)
        return 2.0 * super().loss(w)


def test_a_staticmethod_is_differentiated_by_its_class_and_through_self():
    w = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2s.grad(Penalised.penalty)(w), 2 * w)   # (its decorator gives the function itself)
    for _ in range(3):
        np.testing.assert_allclose(s2s.grad(Penalised().loss)(w), 6 * w)
        # (it was refused through self, as was `act = staticmethod(np.tanh)`)
        np.testing.assert_allclose(s2s.grad(Penalised().loss_through_self)(w), 2 * w + 1 - np.tanh(w) ** 2)
    with pytest.raises(s2s.S2SError, match=r"`out` is no method of `Penalised`"):
        s2s.grad(Penalised().through_an_attribute)


def test_super_calls_reach_the_parents_methods():
    # super().loss(w) was refused ("no derivative rule for `.loss()`")
    w = np.array([1.0, -2.0])
    for _ in range(3):
        np.testing.assert_allclose(s2s.grad(Regularised().loss)(w), 6 * w + 2 * w + 1)
        np.testing.assert_allclose(s2s.grad(Twice().loss)(w), 2 * (8 * w + 1))
    np.testing.assert_allclose(s2s.hvp(Twice().loss)(w, np.array([1.0, 0.5])), 16 * np.array([1.0, 0.5]))


def starred_head(x):
    head, *rest = x
    return head * 2.0 + np.sum(x) + 0.5 * sum(rest)


def test_an_array_unpacked_with_a_star_has_an_array_gradient():
    x = np.array([1.0, 2.0, 3.0])
    g = s2s.grad(starred_head)
    for _ in range(3):
        got = g(x)
        assert type(got) is np.ndarray
        np.testing.assert_allclose(got, [3.0, 1.5, 1.5])
