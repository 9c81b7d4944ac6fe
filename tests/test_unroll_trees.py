"""Code for known shapes of a list of layers (`transforms.unroll_trees`): the loops over it are
unrolled into straight-line code on its arrays, and what cannot be unrolled exactly stays general.
Every gradient is checked against central differences, leaf by leaf, at the general code's call
and at two calls of the code for these shapes."""
import importlib.util
import pathlib
import sys

import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def mlp(params, X, Y):
    h = X
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    out = h @ W + b
    m = np.max(out, axis=1, keepdims=True)
    logp = out - np.log(np.sum(np.exp(out - m), axis=1, keepdims=True)) - m
    penalty = 0.0
    for W, b in params:
        penalty += np.sum(W * W)
    return -np.mean(np.sum(Y * logp, axis=1)) + 0.001 * penalty


def predict(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return x


def calls_a_helper(params, x):   # the list passed on: the helper inlined, then unrolled
    return np.sum(predict(params, x) ** 2)


def indexed(params, x):
    for k in range(len(params)):
        W, b = params[k]
        x = np.sin(x @ W) + b * (k + 1.0)
    last = params[-1]
    return np.sum(x * x) + np.sum(last[0]) + sum(np.sum(b) for W, b in params)


def enumerated(params, x):
    for i, (W, b) in enumerate(params):
        x = x + (i + 0.5) * np.tanh(x @ W + b)
    for W, b in reversed(params[1:]):
        x = np.cos(x @ W.T) * b
    return np.sum(x) + 0.1 * np.sum([np.sum(W) for W, b in params])


def breaks(params, x):   # a loop with a break of its own stays a loop
    for W, b in params:
        if np.sum(x) > 1e6:
            break
        x = np.tanh(x @ W + b)
    return np.sum(x ** 2)


def branches(params, x):   # a leaf read on one path only, others never: their gradients zeros
    W0, b0 = params[0]
    if np.sum(x) > 0:
        x = np.tanh(x @ W0)
    else:
        x = x + b0
    for W, b in params[1:]:
        x = np.sin(x @ W)
    return np.sum(x * x)


def widths(sizes, rng):
    return [(0.5 * rng.normal(size=(m, n)), 0.1 * rng.normal(size=n)) for m, n in zip(sizes[:-1], sizes[1:])]


def square_layers(rng, count=3):
    return widths([3] * (count + 1), rng)


def leaf_grads(f, params, rest):
    """Central differences of `f(params, *rest)` in each array of `params`."""
    def at(i, j):
        def g(leaf):
            layers = [list(layer) for layer in params]
            layers[i][j] = leaf
            return f([tuple(layer) for layer in layers], *rest)
        return numerical_grad(g, [params[i][j]], 0)
    return [tuple(at(i, j) for j in range(len(layer))) for i, layer in enumerate(params)]


def assert_layers_close(got, expected):
    """A list of tuples of arrays, against `leaf_grads`' (central differences)."""
    for layer, want in zip(got, expected):
        for a, b in zip(layer, want):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


def checked_code(f, params, *rest, copy=lambda layers: layers):
    """Check f's gradient against central differences at three calls (the general code, then
    twice the code for these shapes), each given `copy(params)`; the code for these shapes."""
    expected = leaf_grads(lambda layers, *rest: f(copy(layers), *rest), params, rest)
    g = s2s.grad(f)
    for _ in range(3):
        assert_layers_close(g(copy(params), *rest), expected)
    return s2s.source(g, like=(params, *rest))


CASES = [
    (mlp, lambda r: (widths([4, 6, 5, 3], r), r.normal(size=(7, 4)), np.eye(3)[r.integers(0, 3, size=7)])),
    (calls_a_helper, lambda r: (square_layers(r), r.normal(size=(2, 3)))),
    (indexed, lambda r: (square_layers(r), r.normal(size=(2, 3)))),
    (enumerated, lambda r: (square_layers(r, 4), r.normal(size=(2, 3)))),
    (breaks, lambda r: (square_layers(r), r.normal(size=(2, 3)))),
    (branches, lambda r: (square_layers(r), np.abs(r.normal(size=(2, 3))))),
    (branches, lambda r: (square_layers(r), -np.abs(r.normal(size=(2, 3))))),
]


@pytest.mark.parametrize("f, make", CASES, ids=[f"{c[0].__name__}{k}" for k, c in enumerate(CASES)])
def test_gradients_of_a_list_of_layers_are_those_of_finite_differences(f, make):
    params, *rest = make(np.random.default_rng(0))
    expected = leaf_grads(f, params, rest)
    g = s2s.grad(f)
    for _ in range(3):   # the general code, then twice the code for these shapes
        got = g(params, *rest)
        assert type(got) is list and all(type(layer) is tuple for layer in got)
        assert_layers_close(got, expected)
    value, got = s2s.value_and_grad(f)(params, *rest)
    assert value == f(params, *rest) and type(got) is list


def test_the_code_for_a_list_of_layers_reads_as_backpropagation_by_hand():
    rng = np.random.default_rng(1)
    args = (widths([4, 6, 5, 3], rng), rng.normal(size=(7, 4)), np.eye(3)[rng.integers(0, 3, size=7)])
    text = s2s.source(s2s.grad(mlp), like=args)
    for general in ("add_at", "iterated", "zeros_like", "_stack", "unbroadcast(", "matmul_grad"):
        assert general not in text, general
    assert "params_0_0, params_0_1 = _1" in text
    assert "d_params_1_0 += h_1.T @ d_" in text   # the layers' names: one shape each (added in place)


def test_a_tuple_of_layers_gets_a_tuple_and_a_list_of_other_things_the_general_code():
    rng = np.random.default_rng(3)
    layers, x = tuple(square_layers(rng)), rng.normal(size=(2, 3))
    g = s2s.grad(indexed)
    for _ in range(3):
        got = g(layers, x)
        assert type(got) is tuple and all(type(layer) is tuple for layer in got)
    mixed = [(layers[0][0], 1.5)] + list(layers[1:])   # a float among the arrays: not a tree of arrays
    for _ in range(3):
        assert type(s2s.grad(indexed)(mixed, x)[0][1]) is float


def predict_early(params, x):   # a return inside the loop: not inlined
    for W, b in params:
        if np.sum(x) > 1e9:
            return x
        x = np.tanh(x @ W + b)
    return x


def calls_one_that_returns_early(params, x):
    return np.sum(predict_early(params, x) ** 2)


scale = 2.0


def scaled(params, x):
    return np.sum(np.sin(x @ params[0][0])) * scale


def shadows_a_global_of_its_callee(params, x):   # inlined, `scale` would be the local: not inlined
    scale = 3.0
    return scaled(params, x) + scale * np.sum(params[1][1])


def predict_scaled(params, x, scale=1.0, last=None):
    for W, b in params:
        x = np.tanh(scale * (x @ W) + b)
    return x if last is None else x * last


def calls_it_by_keywords(params, x):   # the list given by keyword, defaults left: inlined
    return np.sum(predict_scaled(x=x, params=params, scale=0.5) ** 2)


INLINED = [
    (calls_a_helper, True),
    (calls_it_by_keywords, True),
    (calls_one_that_returns_early, False),
    (shadows_a_global_of_its_callee, False),
]


@pytest.mark.parametrize("f, inlined", INLINED, ids=[c[0].__name__ for c in INLINED])
def test_a_function_given_the_list_is_inlined_only_where_that_is_the_same_computation(f, inlined):
    rng = np.random.default_rng(5)
    params, x = square_layers(rng), rng.normal(size=(2, 3))
    text = checked_code(f, params, x)
    assert ("fwd_" not in text) == inlined


def test_autograds_neural_net_example_runs_as_backpropagation_by_hand():
    path = pathlib.Path(__file__).parent.parent / "examples" / "neural_net.py"
    spec = importlib.util.spec_from_file_location("neural_net_example", path)
    nn = importlib.util.module_from_spec(spec)
    sys_path = list(sys.path)
    sys.path.insert(0, str(path.parent))   # (it imports its optimizers module)
    try:
        spec.loader.exec_module(nn)
    finally:
        sys.path[:] = sys_path
    rng = np.random.default_rng(6)
    params = nn.init_random_params(0.1, [5, 4, 3])
    X, T = rng.normal(size=(6, 5)), np.eye(3)[rng.integers(0, 3, size=6)]
    text = checked_code(nn.log_posterior, params, X, T, 1.0)
    assert "fwd_" not in text and "neural_net_predict_out = " in text and "add_at" not in text


@pytest.mark.parametrize("f", [breaks, calls_one_that_returns_early])
def test_what_cannot_be_unrolled_exactly_is_not(f):
    rng = np.random.default_rng(2)
    text = s2s.source(s2s.grad(f), like=(square_layers(rng), rng.normal(size=(2, 3))))
    assert "for " in text


def replaces_a_layer(params, x):   # writes into the caller's list: its later reads see the new layer
    params[0] = (2.0 * params[0][0], params[0][1])
    for W, b in params:
        x = np.tanh(x @ W + b)
    return np.sum(x ** 2)


def test_a_list_written_into_is_not_unrolled():
    rng = np.random.default_rng(7)
    params, x = square_layers(rng), rng.normal(size=(2, 3))
    # (each call is given a copy: the function writes into its list)
    assert "params_0_0" not in checked_code(replaces_a_layer, params, x, copy=list)


# -- dicts of arrays (JAX's examples keep parameters so) -----------------------------------------


def dict_mlp(p, X):
    h = np.tanh(X @ p["W1"] + p["b1"])
    out = h @ p["W2"] + p["b2"]
    penalty = sum(np.sum(v * v) for k, v in p.items())
    return np.mean(out ** 2) + 0.01 * penalty + 0.1 * len(p)


def dict_loops(p, x):
    for k in p:
        x = np.sin(x @ p[k][0]) + p[k][1]
    return np.sum(x * x) + sum(np.sum(W) for W, b in p.values())


def dict_get(p, x):   # a method of the dict kept: general code
    return np.sum(np.tanh(x @ p.get("W1")) * p["b1"])


def dict_written_into(p, x):
    p["W1"] = 2.0 * p["W1"]
    return np.sum(np.tanh(x @ p["W1"]) * p["b1"])


def dict_filtered(p, x):   # a comprehension with a condition, not unrolled: over the dict's keys
    return sum(np.sum((x @ p[k]) ** 2) for k in p if k.startswith("W"))


def dict_loop_left_early(p, x):   # a loop with a break, not unrolled: over the dict's keys
    s = 0.0
    for k in p:
        if k == "W2":
            break
        s = s + np.sum(np.tanh(x @ p[k]))
    return s


def dict_grads(f, p, rest):
    def at(key, j):
        def g(leaf):
            moved = dict(p)
            moved[key] = leaf if j is None else tuple(leaf if i == j else e for i, e in enumerate(p[key]))
            return f(moved, *rest)
        return numerical_grad(g, [p[key] if j is None else p[key][j]], 0)
    return {k: at(k, None) if isinstance(v, np.ndarray) else tuple(at(k, j) for j in range(len(v)))
            for k, v in p.items()}


DICTS = [
    (dict_mlp, lambda r: ({"W1": r.normal(size=(3, 4)), "b1": r.normal(size=4), "W2": r.normal(size=(4, 2)),
                           "b2": r.normal(size=2)}, r.normal(size=(5, 3))), True),
    (dict_loops, lambda r: ({"one": (r.normal(size=(3, 3)), r.normal(size=3)),
                             "two": (r.normal(size=(3, 3)), r.normal(size=3))}, r.normal(size=(2, 3))), True),
    (dict_get, lambda r: ({"W1": r.normal(size=(3, 4)), "b1": r.normal(size=4)}, r.normal(size=(5, 3))), False),
    (dict_written_into, lambda r: ({"W1": r.normal(size=(3, 4)), "b1": r.normal(size=4)}, r.normal(size=(5, 3))),
     False),
    (dict_filtered, lambda r: ({"W1": r.normal(size=(3, 4)), "b1": r.normal(size=3), "W2": r.normal(size=(3, 2))},
                               r.normal(size=(5, 3))), False),
    (dict_loop_left_early, lambda r: ({"W1": r.normal(size=(3, 4)), "b1": r.normal(size=3),
                                       "W2": r.normal(size=(3, 2))}, r.normal(size=(5, 3))), False),
]


@pytest.mark.parametrize("f, make, unrolled", DICTS, ids=[c[0].__name__ for c in DICTS])
def test_a_dict_of_arrays(f, make, unrolled):
    p, x = make(np.random.default_rng(8))
    expected = dict_grads(f, p, [x])
    g = s2s.grad(f)
    for _ in range(3):   # (a copy each time: one of them writes into its dict)
        got = g(dict(p), x)
        assert type(got) is dict and list(got) == list(p)
        for k in p:
            for a, b in zip(got[k] if isinstance(got[k], tuple) else [got[k]],
                            expected[k] if isinstance(expected[k], tuple) else [expected[k]]):
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    text = s2s.source(g, like=(p, x))
    assert ("unindex" not in text and "add(" not in text) == unrolled


def test_expect_tree_like_checks_types_keys_lengths_and_shapes():
    from s2s.runtime import ArgumentShapeError, expect_tree_like
    tree = {"W": (3, 4), "layers": ((4,), (4, 2))}
    expect_tree_like({"W": np.ones((3, 4)), "layers": (np.ones(4), np.ones((4, 2)))}, "p", tree)
    for wrong in ({"layers": (np.ones(4), np.ones((4, 2))), "W": np.ones((3, 4))},   # another order
                  {"W": np.ones((3, 4)), "layers": [np.ones(4), np.ones((4, 2))]},   # a list for a tuple
                  {"W": np.ones((3, 5)), "layers": (np.ones(4), np.ones((4, 2)))},   # another shape
                  {"W": np.ones((3, 4), dtype=np.float32), "layers": (np.ones(4), np.ones((4, 2)))},
                  {"W": np.ones((3, 4))}):
        with pytest.raises(ArgumentShapeError, match="p = a dict of float64 arrays"):
            expect_tree_like(wrong, "p", tree)


def scale_in_place(params, x):   # writes into x: what a call before it in the statement reads
    x *= 2.0
    return np.sum(np.tanh(x @ params[0][0]))


def reads_first(x):
    return np.sum(x * x)


def calls_before_the_callee(params, x):   # reads_first(x) sees x before scale_in_place doubles it
    x = x + 0.0
    return reads_first(x) * np.sum(params[1][1]) + scale_in_place(params, x)


def test_a_callee_is_not_inlined_after_another_call_of_its_statement():
    rng = np.random.default_rng(9)
    params, x = square_layers(rng), rng.normal(size=(2, 3))
    assert "scale_in_place_out" not in checked_code(calls_before_the_callee, params, x)


def last_layer_linear(params, x):   # `layer is not params[-1]`: true of the argument's tuples, not of copies
    for layer in params:
        W, b = layer
        x = x @ W + b
        if layer is not params[-1]:
            x = np.tanh(x)
    return np.sum(x ** 2)


def test_entries_compared_by_identity_are_not_unrolled():
    rng = np.random.default_rng(10)
    params, x = square_layers(rng), rng.normal(size=(2, 3))
    assert "params_0_0" not in checked_code(last_layer_linear, params, x)


def predict(params, x):
    for W, b in params:
        x = np.tanh(x @ W + b)
    return x


def l2(params):
    return sum(np.sum(W * W) for W, _ in params)


def loss_and_penalty(params, x):   # l2 comes after np.mean and predict: neither sees what the other does
    return np.mean((predict(params, x) - 0.5) ** 2) + 0.01 * l2(params)


def test_a_callee_that_writes_nothing_is_inlined_after_calls_that_change_nothing():
    rng = np.random.default_rng(11)
    params, x = square_layers(rng), rng.normal(size=(2, 3))
    text = checked_code(loss_and_penalty, params, x)
    assert "params_1_0" in text and "def fwd_" not in text, text   # (both inlined, the list unrolled)
    assert "spread(" not in text and "unbroadcast(" not in text, text   # (l2's `sum`: 0 + e0 + e1 + e2)


def penalised_in_place(params, x):   # np.sum(x) is evaluated before scale_in_place doubles x
    x = x + 0.0
    return np.sum(x) + scale_in_place(params, x)


def test_a_callee_that_writes_in_place_is_not_inlined_after_a_call():
    rng = np.random.default_rng(12)
    params, x = square_layers(rng), rng.normal(size=(2, 3))
    assert "scale_in_place_out" not in checked_code(penalised_in_place, params, x)


def decay(params):
    return sum(np.sum(W * W) for W, _ in params)


s2s.nondiff(decay)   # registered by a call, not a decorator: its source does not say so


def with_a_nondiff_helper(params, x):
    return np.sum(x * x) + decay(params)


def test_a_function_with_a_rule_is_not_inlined():
    rng = np.random.default_rng(13)
    params, x = square_layers(rng), rng.normal(size=(2, 3))
    g = s2s.grad(with_a_nondiff_helper, wrt=(0, 1))
    for _ in range(3):   # the general code, then twice the code for these shapes
        d_params, d_x = g(params, x)
        assert all(not np.any(d) for layer in d_params for d in layer)
        np.testing.assert_allclose(d_x, 2.0 * x)
