"""Calls made as statements that change an array, list or dict in place (``g.sort()``,
``np.copyto(g, x)``, ``np.multiply.at(g, i, x)``, ``xs.extend(ys)``): where what they change or write
depends on a differentiated input, the derivative is refused when it is made. The backward pass
differentiates values assigned to names; such a change would be run forward and not seen
backward, a wrong derivative with no error. (``np.add.at`` and ``np.subtract.at`` are differentiated, as
``g += ...``.)"""
import operator

import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def sort_in_place(x):
    g = x * 1.0
    g.sort()
    return g[0] + 10.0 * g[2]


def fill(x):
    g = x * 1.0
    g.fill(2.0)
    return np.sum(g * x)


def written_through_out(x):
    g = x * 1.0
    np.exp(g, out=g)
    return np.sum(g)


def copied_into(x):
    g = np.zeros(3)
    np.copyto(g, x)   # (g depends on x only through the write)
    return np.sum(g ** 2)


def multiplied_at(x):
    g = np.ones(3)
    np.multiply.at(g, [0, 0, 2], x)
    return np.sum(g ** 2)


def put(x):
    g = np.zeros(3)
    np.put(g, [0, 2], x[:2])
    return np.sum(g * g)


def extended(x):
    xs = [x[0]]
    xs.extend([x[1], x[2]])
    return xs[0] + 7.0 * xs[2]


def updated(x):
    d = {"a": x[0], "b": x[1]}
    d.update({"a": 3.0 * x[2]})
    return d["a"] + d["b"]


def shuffled(x):
    g = x * 1.0
    np.random.default_rng(0).shuffle(g)
    return g[0]


@pytest.mark.parametrize("f", [sort_in_place, fill, written_through_out, copied_into, multiplied_at, put, extended,
                               updated, shuffled], ids=lambda f: f.__name__)
def test_a_change_in_place_of_what_depends_on_the_input_is_refused(f):
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.S2SError, match="changes an array, list or dict in place|writes into an existing array"):
            transform(f)


def sorted_indices(x):
    order = np.argsort(x)
    order.sort()   # an index array: nothing differentiated changes
    rows = []
    rows.append(x[order[0]] * 2.0)   # append is differentiated
    print("rows", len(rows))   # a call that changes nothing
    return np.sum(rows[0] * x)


def test_changes_in_place_of_what_no_derivative_flows_through_are_kept():
    x = np.array([0.3, -0.7, 1.1])
    g = s2s.grad(sorted_indices)
    for _ in range(3):
        np.testing.assert_allclose(g(x), numerical_grad(sorted_indices, (x,), 0), rtol=1e-6)


def scattered(x, W):   # a graph's messages summed into its nodes (repeated indices add up)
    src, dst = np.array([0, 1, 2, 2]), np.array([1, 2, 0, 1])
    msg = np.tanh(x[src] @ W)
    agg = np.zeros((3, W.shape[1]))
    np.add.at(agg, dst, msg)
    np.subtract.at(agg, src, 0.5 * msg)
    return np.sum(agg ** 2)


def scattered_into_a_shared_array(x):
    g = np.zeros(3)
    h = g
    np.add.at(g, [0, 0, 2], x)
    return np.sum(h ** 2)


def test_np_add_at_and_subtract_at_are_differentiated_as_an_update_in_place():
    rng = np.random.default_rng(0)
    x, W = rng.normal(size=(3, 2)), rng.normal(size=(2, 4))
    g = s2s.grad(scattered, wrt=(0, 1))
    for _ in range(3):
        for got, i in zip(g(x, W), (0, 1)):
            np.testing.assert_allclose(got, numerical_grad(scattered, (x, W), i), rtol=1e-6, atol=1e-9)
    t = s2s.jvp(scattered, wrt=(0, 1))(x, W, np.ones_like(x), np.zeros_like(W))[1]
    assert t == pytest.approx(np.sum(numerical_grad(scattered, (x, W), 0)), rel=1e-6)
    with pytest.raises(s2s.S2SError, match="`h` shares its memory"):   # (as `g += ...` would be)
        s2s.grad(scattered_into_a_shared_array)


# ---- found by an adversarial hunt (session 22): each gave a wrong derivative with no error -----------

W = np.array([1.0, 2.0, 3.0])


def out_by_position(u):
    y = u * 1.0
    np.multiply(y, u, y)
    return np.sum(y * W)


def out_of_a_method_by_position(u):
    y = u * 2.0
    y.clip(0.0, 1.5, y)
    return np.sum(y * W)


def out_of_a_kept_call(u):
    y = u * 2.0
    z = np.clip(u, 0.0, 1.5, out=y)
    return np.sum(y * W) + np.sum(z)


def unbound_sort(u):
    y = u * 1.0
    np.ndarray.sort(y)
    return np.sum(y * W)


def operator_setitem(u):
    y = u * 1.0
    operator.setitem(y, 0, u[1] * u[2])
    return np.sum(y * u)


def unbound_append(u):
    xs = [u[0]]
    list.append(xs, u[1] * u[2])
    return sum(xs)


def copied_by_keyword(u):
    y = u * 1.0
    np.copyto(dst=y, src=u * u)
    return np.sum(y * W)


def median_overwriting(u):
    y = u * 1.0
    m = np.median(y, overwrite_input=True)
    return m + np.sum(y * W)


@pytest.mark.parametrize("f", [out_by_position, out_of_a_method_by_position, out_of_a_kept_call, unbound_sort,
                               operator_setitem, unbound_append, copied_by_keyword, median_overwriting],
                         ids=lambda f: f.__name__)
def test_writes_by_position_keyword_unbound_method_or_option_are_refused(f):
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.S2SError, match="in place|existing array|overwrite_input=False"):
            transform(f)


def max_returns_an_operand(u):   # of two arrays of one element, max returns one of them
    a, b = u[:1] * 1.0, u[1:2] * 1.0
    m = max(a, b)
    m[0] = m[0] * u[2]
    return np.sum(a) + np.sum(b)


def stop_gradient_returns_its_argument(u):
    a = u * 1.0
    m = s2s.stop_gradient(a)
    m[0] = 0.0
    return np.sum(a * u)


@pytest.mark.parametrize("f", [max_returns_an_operand, stop_gradient_returns_its_argument], ids=lambda f: f.__name__)
def test_a_call_that_may_return_its_operand_shares_its_memory(f):
    with pytest.raises(s2s.S2SError, match="shares its memory"):
        s2s.grad(f)


def entry_of_a_display_added_into(u):
    a = u * 1.0
    xs = [a, u]
    xs[0] += u * u   # NumPy's += changes the array `a` itself
    return np.sum(a * u)


def entry_of_a_copy_multiplied(u):
    xs = [u * 1.0, u * 2.0]
    ys = list(xs)    # ys[1] is xs[1]
    ys[1] *= u
    return np.sum(xs[1] * u)


def entries_of_numbers_added_into(u):
    a = float(u[0])
    ps = [a, float(u[1])]
    ps[0] += u[2] * u[2]   # a number: rebound, `a` keeps its value
    return ps[0] * a + ps[1]


def rows_of_an_array_added_into(u):
    m = np.outer(u, u)
    m[1] += u * 2.0
    return np.sum(m * m)


@pytest.mark.parametrize("f", [entry_of_a_display_added_into, entry_of_a_copy_multiplied], ids=lambda f: f.__name__)
def test_an_array_entry_of_a_list_changed_by_augmented_assignment_is_refused_when_run(f):
    # it was differentiated as a new array: wrong gradients, no error
    with pytest.raises(s2s.S2SError, match=r"changes the array in that entry of .* in place"):
        s2s.grad(f)(np.array([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("f", [entries_of_numbers_added_into, rows_of_an_array_added_into], ids=lambda f: f.__name__)
def test_numbers_and_rows_of_an_array_changed_by_augmented_assignment_are_exact(f):
    x = np.array([1.0, 2.0, 3.0])
    eps = 1e-6
    expected = np.array([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(3)])
    g = s2s.grad(f)
    for _ in range(3):
        np.testing.assert_allclose(g(x), expected, rtol=1e-6)


BUFFER = np.zeros(3)
ONES = np.ones(3)
STORE = []


def _write_buffer(x):
    BUFFER[1] = x[0] * x[2]


def written_global_through_a_helper(u):
    _write_buffer(u)
    return np.sum(BUFFER * u)


def written_view_of_a_global(u):
    m = ONES.reshape(3)
    m[0] = u[0] * u[1]
    return np.sum(ONES * u)


def _keep(x):
    STORE.append(x)
    return 0.0


def kept_in_a_global_list(u):
    new = u.copy()
    _keep(new)
    new[0] = new[0] * 3.0
    return np.sum(STORE[-1] * u)


@pytest.mark.parametrize("f", [written_global_through_a_helper, written_view_of_a_global, kept_in_a_global_list],
                         ids=lambda f: f.__name__)
def test_a_write_into_a_variable_of_the_module_is_refused(f):
    # each read the global back as a constant: wrong gradients with no error (and changed the module)
    before = (BUFFER.copy(), ONES.copy(), len(STORE))
    for make in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.S2SError, match=r"a variable of (its|the) module"):
            make(f)
    assert np.array_equal(BUFFER, before[0]) and np.array_equal(ONES, before[1]) and len(STORE) == before[2]


def _fill_default(x, buf=np.zeros(3)):
    buf[0] = x[0] * x[1]
    return buf


def default_written_twice(u):
    b = _fill_default(u)
    c = _fill_default(u * 2.0)   # the same array: b[0] is now 4 u0 u1
    return np.sum(b * u) + np.sum(c)


def test_a_helper_writing_into_its_mutable_default_is_refused():
    with pytest.raises(s2s.S2SError, match=r"writes into its parameter `buf` in place .* left here to its default"):
        s2s.grad(default_written_twice)
