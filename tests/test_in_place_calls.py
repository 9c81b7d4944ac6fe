"""Calls made as statements that change an array, list or dict in place (``g.sort()``,
``np.copyto(g, x)``, ``np.multiply.at(g, i, x)``, ``xs.extend(ys)``): where what they change or write
depends on a differentiated input, the derivative is refused when it is made. The backward pass
differentiates values assigned to names; such a change would be run forward and not seen
backward, a wrong derivative with no error. (``np.add.at`` and ``np.subtract.at`` are differentiated, as
``g += ...``.)"""
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
        with pytest.raises(s2s.S2SError, match="changes an array, list or dict in place"):
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
