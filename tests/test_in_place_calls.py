"""Calls made as statements that change an array, list or dict in place (``g.sort()``,
``np.copyto(g, x)``, ``np.add.at(g, i, x)``, ``xs.extend(ys)``): where what they change or write
depends on a differentiated input, the derivative is refused when it is made. The backward pass
differentiates values assigned to names; such a change would be run forward and not seen
backward, a wrong derivative with no error."""
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


def scattered(x):
    g = np.zeros(3)
    np.add.at(g, [0, 0, 2], x)
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


@pytest.mark.parametrize("f", [sort_in_place, fill, written_through_out, copied_into, scattered, put, extended,
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
