"""Parameter trees: gradients of the argument's own type and structure, checked against finite
differences over every leaf, in reverse mode, forward mode and second order."""
import dataclasses
import functools
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import s2s
from oracles import numerical_grad
from s2s.runtime import CotangentDict, CotangentList, CotangentTuple

Layer = namedtuple("Layer", "W b")


@dataclasses.dataclass
class Params:
    layers: list
    scale: float


@dataclasses.dataclass(frozen=True)
class Frozen:
    w: np.ndarray
    c: float


def mlp_loss(params, x):
    h = x
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h ** 2)


def namedtuple_loss(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(h @ layer.W + layer.b)
    return np.sum(h ** 2)


def dataclass_loss(p, x):
    h = x
    for layer in p.layers:
        h = np.sin(h @ layer.W + layer.b)
    return p.scale * np.sum(h ** 2)


def frozen_loss(p):
    return np.sum(p.w ** 3) * p.c


def dict_loss(p):
    return np.sum(p["w"] ** 2 * p["inner"]["v"]) + p["inner"]["s"] ** 2


def field_unused(p):
    return np.sum(p.W ** 2)


def _leaves(tree):
    return s2s.tree_flatten(tree)[0]


def _numerical(f, tree, *rest, eps=1e-6):
    """Central differences of f over every leaf entry, as a flat vector in tree_flatten order."""
    vector, unflatten = s2s.flatten(tree)
    out = np.zeros_like(vector)
    for k in range(vector.size):
        e = np.zeros_like(vector)
        e[k] = eps
        out[k] = (f(unflatten(vector + e), *rest) - f(unflatten(vector - e), *rest)) / (2 * eps)
    return out


def _no_cotangent_containers(tree):
    leaves, _ = s2s.tree_flatten(tree)
    def walk(x):
        assert not isinstance(x, (CotangentList, CotangentTuple, CotangentDict)), type(x)
        if isinstance(x, (list, tuple)):
            for v in x:
                walk(v)
        elif isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif dataclasses.is_dataclass(x):
            for f in dataclasses.fields(x):
                walk(getattr(x, f.name))
    walk(tree)
    return leaves


def _same_structure(a, b):
    la, da = s2s.tree_flatten(a)
    lb, db = s2s.tree_flatten(b)
    assert da == db, (da, db)
    for x, y in zip(la, lb):
        assert np.shape(x) == np.shape(y)


rng = np.random.default_rng(0)
X = rng.standard_normal((4, 3))
LIST_OF_TUPLES = [(rng.standard_normal((3, 5)), rng.standard_normal(5)), (rng.standard_normal((5, 2)), rng.standard_normal(2))]
LAYERS = [Layer(*p) for p in LIST_OF_TUPLES]
PARAMS = Params([Layer(*p) for p in LIST_OF_TUPLES], 1.5)
FROZEN = Frozen(rng.standard_normal(3), 0.7)
DICT = OrderedDict(w=rng.standard_normal(3), inner={"v": rng.standard_normal(3), "s": 0.3})

CASES = [(mlp_loss, LIST_OF_TUPLES, (X,)), (namedtuple_loss, LAYERS, (X,)), (dataclass_loss, PARAMS, (X,)),
         (frozen_loss, FROZEN, ()), (dict_loss, DICT, ())]


@pytest.mark.parametrize("f, tree, rest", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_has_the_type_and_structure_of_the_argument(f, tree, rest):
    expected = _numerical(f, tree, *rest)
    df = s2s.grad(f)
    for _ in range(3):   # the general code, then the code for these shapes (lists and dicts: unrolled)
        g = df(tree, *rest)
        assert type(g) is type(tree)
        _same_structure(g, tree)
        _no_cotangent_containers(g)
        flat = s2s.flatten(g)[0]
        assert np.allclose(flat, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, tree, rest", CASES, ids=[c[0].__name__ for c in CASES])
def test_value_and_grad_and_vjp_give_plain_trees(f, tree, rest):
    value, g = s2s.value_and_grad(f)(tree, *rest)
    assert np.isclose(value, f(tree, *rest))
    assert type(g) is type(tree)
    gv = s2s.vjp(f)(tree, *rest, 1.0)
    _same_structure(gv, tree)
    _no_cotangent_containers(gv)


@pytest.mark.parametrize("f, tree, rest", CASES, ids=[c[0].__name__ for c in CASES])
def test_jvp_along_a_tree_tangent_matches_finite_differences(f, tree, rest):
    vector, unflatten = s2s.flatten(tree)
    direction = np.random.default_rng(1).standard_normal(vector.size)
    value, tangent = s2s.jvp(f)(tree, *rest, unflatten(direction))
    assert np.isclose(value, f(tree, *rest))
    assert np.isclose(tangent, _numerical(f, tree, *rest) @ direction, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, tree, rest", CASES, ids=[c[0].__name__ for c in CASES])
def test_hvp_of_a_tree_is_a_tree_matching_differences_of_the_gradient(f, tree, rest):
    vector, unflatten = s2s.flatten(tree)
    direction = np.random.default_rng(2).standard_normal(vector.size)
    hv = s2s.hvp(f)(tree, *rest, unflatten(direction))
    assert type(hv) is type(tree)
    _no_cotangent_containers(hv)
    df = s2s.grad(f)
    eps = 1e-5
    numeric = (s2s.flatten(df(unflatten(vector + eps * direction), *rest))[0]
               - s2s.flatten(df(unflatten(vector - eps * direction), *rest))[0]) / (2 * eps)
    assert np.allclose(s2s.flatten(hv)[0], numeric, rtol=1e-4, atol=1e-6)


def test_a_field_not_read_gets_zeros_of_its_shape():
    g = s2s.grad(field_unused)(Layer(np.ones((2, 2)), np.ones(3)))
    assert type(g) is Layer and np.array_equal(g.W, 2 * np.ones((2, 2))) and np.array_equal(g.b, np.zeros(3))


def test_a_tuple_wrt_gives_a_tuple_of_trees():
    gl, gx = s2s.grad(mlp_loss, wrt=(0, 1))(LIST_OF_TUPLES, X)
    assert type(gl) is list and type(gl[0]) is tuple and gx.shape == X.shape


def test_tree_flatten_and_unflatten_round_trip():
    for tree in (LIST_OF_TUPLES, LAYERS, PARAMS, FROZEN, DICT):
        leaves, treedef = s2s.tree_flatten(tree)
        again = s2s.tree_unflatten(treedef, leaves)
        assert type(again) is type(tree)
        assert all(a is b for a, b in zip(s2s.tree_flatten(again)[0], leaves))
    with pytest.raises(ValueError):
        s2s.tree_unflatten(s2s.tree_flatten([1.0])[1], [1.0, 2.0])


def test_flatten_gives_a_vector_and_its_inverse():
    vector, unflatten = s2s.flatten(PARAMS)
    assert vector.shape == (sum(np.size(v) for v in _leaves(PARAMS)),)
    again = unflatten(vector)
    assert type(again) is Params and type(again.scale) is float
    assert np.array_equal(s2s.flatten(again)[0], vector)
    with pytest.raises(ValueError, match="expects a vector"):
        unflatten(vector[:-1])


def test_flatten_keeps_complex_leaves():   # autograd's test_flatten_complex
    vector, unflatten = s2s.flatten(1 + 1j)
    assert unflatten(vector) == 1 + 1j and type(unflatten(vector)) is complex
    tree = [1.5, (np.array([1j, 2.0]), {"a": 2.0})]
    again = s2s.flatten(tree)[1](s2s.flatten(tree)[0])
    assert type(again[0]) is float and again[0] == 1.5 and again[2 - 1][1] == {"a": 2.0}
    np.testing.assert_array_equal(again[1][0], tree[1][0])


def test_an_optimiser_written_for_the_parameters_accepts_the_gradients():
    def sgd_step(params, grads, lr=0.1):  # what users write for autograd: zip over the same structure
        return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
    params = LIST_OF_TUPLES
    before = mlp_loss(params, X)
    for _ in range(5):
        params = sgd_step(params, s2s.grad(mlp_loss)(params, X))
    assert mlp_loss(params, X) < before


def l2_norm(params):
    flattened, _ = s2s.flatten(params)
    return np.dot(flattened, flattened)


def penalised_loss(params, x):
    return mlp_loss(params, x) + 0.1 * l2_norm(params)


def test_flatten_in_differentiated_code_all_modes():
    f, tree = penalised_loss, LIST_OF_TUPLES
    g = s2s.grad(f)(tree, X)
    assert type(g) is list and type(g[0]) is tuple
    assert np.allclose(s2s.flatten(g)[0], _numerical(f, tree, X), rtol=1e-5, atol=1e-7)
    vector, unflatten = s2s.flatten(tree)
    d = np.random.default_rng(3).standard_normal(vector.size)
    assert np.isclose(s2s.jvp(f)(tree, X, unflatten(d))[1], _numerical(f, tree, X) @ d, rtol=1e-5)
    df, eps = s2s.grad(f), 1e-5
    numeric = (s2s.flatten(df(unflatten(vector + eps * d), X))[0]
               - s2s.flatten(df(unflatten(vector - eps * d), X))[0]) / (2 * eps)
    assert np.allclose(s2s.flatten(s2s.hvp(f)(tree, X, unflatten(d)))[0], numeric, rtol=1e-4, atol=1e-6)


FLAT0, UNFLATTEN = s2s.flatten(LIST_OF_TUPLES)


def loss_of_vector(v):   # the unflatten of s2s.flatten called in differentiated code
    return mlp_loss(UNFLATTEN(v), X)


def scaled_loss(scale, params, x):
    return scale * mlp_loss(params, x)


half_loss = functools.partial(scaled_loss, 0.5)


def loss_through_a_module_partial(params):
    return half_loss(params, X) ** 2


def test_unflatten_and_flatten_func_in_differentiated_code():
    expected = numerical_grad(loss_of_vector, [FLAT0], 0)
    np.testing.assert_allclose(s2s.grad(loss_of_vector)(FLAT0), expected, rtol=1e-6, atol=1e-9)
    flat_loss, unflatten, vector = s2s.flatten_func(mlp_loss, LIST_OF_TUPLES)
    np.testing.assert_array_equal(vector, FLAT0)
    assert type(unflatten(vector)) is list and type(unflatten(vector)[0]) is tuple
    np.testing.assert_allclose(s2s.grad(flat_loss)(vector, X), expected, rtol=1e-6, atol=1e-9)
    t = np.linspace(-1.0, 1.0, vector.size)
    assert s2s.jvp(flat_loss)(vector, X, t)[1] == pytest.approx(expected @ t, rel=1e-6)
    h = 1e-5
    g = s2s.grad(flat_loss)
    np.testing.assert_allclose(s2s.hvp(flat_loss)(vector, X, t), (g(vector + h * t, X) - g(vector - h * t, X)) / (2 * h),
                               rtol=1e-5, atol=1e-7)


def test_a_partial_made_at_module_level_is_followed():
    grads = s2s.grad(loss_through_a_module_partial)(LIST_OF_TUPLES)
    flat_grads = s2s.flatten(grads)[0]
    expected = numerical_grad(lambda v: loss_through_a_module_partial(UNFLATTEN(v)), [FLAT0], 0)
    np.testing.assert_allclose(flat_grads, expected, rtol=1e-6, atol=1e-9)


def _poly(p):
    return p[0] ** 2 * p[1] + np.sin(p[1])


def _cube(x):
    return x ** 3


def test_a_jvp_of_a_derivative_gives_values_and_tangents_of_its_types():
    """The derivative of a list argument is a list, of a float a float, of a 0-d array a 0-d
    array: a jvp of that derivative (forward over reverse) returns the same types, for its value
    and its tangent (autograd's test_simple_append_list, checked at second order)."""
    p = [1.0, 2.0]
    value, tangent = s2s.jvp(s2s.grad(_poly))(p, [1.0, 0.0])
    assert type(value) is list and type(tangent) is list and all(type(v) is float for v in value + tangent)
    np.testing.assert_allclose(value, [2 * p[0] * p[1], p[0] ** 2 + np.cos(p[1])])
    np.testing.assert_allclose(tangent, [2 * p[1], 2 * p[0]])
    (x, dx), (t, dt) = s2s.jvp(s2s.value_and_grad(_poly))(p, [0.0, 1.0])
    assert type(dx) is list and type(dt) is list
    np.testing.assert_allclose(dt, [2 * p[0], -np.sin(p[1])])
    assert s2s.jvp(s2s.grad(_cube))(2.0, 1.0) == (12.0, 12.0)
    value, tangent = s2s.jvp(s2s.grad(_cube))(np.array(2.0), np.array(1.0))
    assert type(value) is np.ndarray and value.shape == () and type(tangent) is np.ndarray and tangent == 12.0
    vjp = s2s.vjp(lambda a, b: np.append(a, b), wrt=(0, 1))
    (da, db), (ta, tb) = s2s.jvp(vjp, wrt=(0, 1, 2))([1.0, 2.0], 4.0, np.arange(3.0), [1.0, 0.0], 1.0, np.ones(3))
    assert da == [0.0, 1.0] and ta == [1.0, 1.0] and db == 2.0 and tb == 1.0
