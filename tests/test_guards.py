"""The wrapper's guard for a signature (s2s.guards): true exactly where the arguments' signature
is that one, and the gradients a call takes through it are those of the general code."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import s2s
from oracles import numerical_grad
from s2s import api
from s2s.guards import READS, guard
from s2s.transforms.known_values import signature_key


class Key(str):
    """A str subclass: a dict keyed by it is no tree (`tree_key` gives `dict`)."""


_SHAPES = st.sampled_from([(), (1,), (2,), (3,), (2, 3), (3, 2)])
_DTYPES = st.sampled_from([np.float64, np.float32, np.int64, np.complex128])
_ARRAYS = st.builds(lambda shape, dtype: np.ones(shape, dtype), _SHAPES, _DTYPES)
_LEAVES = st.one_of(_ARRAYS, _ARRAYS, st.sampled_from([1.5, 2, True, None, "s", np.float64(1.0)]))


def _containers(children):
    keys = st.sampled_from(["a", "b", "c", Key("a"), 1])
    return st.one_of(st.lists(children, max_size=3), st.lists(children, max_size=3).map(tuple),
                     st.dictionaries(keys, children, max_size=3))


_VALUES = st.recursive(_LEAVES, _containers, max_leaves=6)
# mostly trees of float64 arrays, the signatures that have guards
_FLOATS = st.builds(lambda shape: np.ones(shape), st.sampled_from([(1,), (2,), (3,), (2, 3), (3, 2)]))
_TREES = st.recursive(st.one_of(_FLOATS, _FLOATS, _FLOATS, _ARRAYS), lambda children: st.one_of(
    st.lists(children, min_size=1, max_size=3), st.lists(children, min_size=1, max_size=3).map(tuple),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), children, min_size=1, max_size=3)), max_leaves=6)


def _evaluate(key, args):
    """The guard of `key` for parameters a0, a1, ... evaluated on `args`; None if it has none."""
    names = [f"a{k}" for k in range(len(key))]
    found = guard(key, names)
    if found is None:
        return None
    test, constants = found
    return eval(test, {**READS, **constants}, dict(zip(names, args)))


def _like(value, draw):
    """`value` with some of its parts changed (shapes, dtypes, lengths, key order), or the same."""
    if type(value) is np.ndarray:
        return draw(st.one_of(st.just(value.copy()), st.just(value.copy()), _FLOATS, _ARRAYS))
    if type(value) in (list, tuple):
        items = [_like(v, draw) for v in value]
        if draw(st.integers(0, 3)) == 0 and items:
            items = items[:-1] if draw(st.booleans()) else items + [items[0]]
        return type(value)(items)
    if type(value) is dict:
        items = [(k, _like(v, draw)) for k, v in value.items()]
        if draw(st.integers(0, 3)) == 0:
            items.reverse()
        if draw(st.integers(0, 3)) == 0 and items and type(items[0][0]) is str:
            items[0] = (Key(items[0][0]), items[0][1])
        return dict(items)
    return draw(st.one_of(st.just(value), _LEAVES))


@given(st.lists(st.one_of(_TREES, _TREES, _TREES, _FLOATS, _VALUES), min_size=1, max_size=2), st.data())
def test_a_guard_is_true_exactly_where_the_signature_is_its_own(first, data):
    key = signature_key(first)
    assert _evaluate(key, first) in (True, None)
    for _ in range(4):
        other = [_like(v, data.draw) for v in first]
        passed = _evaluate(key, other)
        if passed is not None:
            assert passed == (signature_key(other) == key), (key, signature_key(other))


def test_signatures_without_an_exact_test_have_no_guard():
    assert guard(signature_key([[1.0, 2.0]]), ["a"]) is None   # a list that is no tree
    assert guard(signature_key([{Key("a"): np.ones(2)}]), ["a"]) is None
    assert guard(signature_key([np.ones(2), 1.0]), ["a", "b"]) is not None


def layers(params, X):
    h = X
    for W, b in params:
        h = np.tanh(h @ W + b)
    return np.sum(h * h)


def weights(p, X):
    return np.sum(np.tanh(X @ p["W"] + p["b"]) ** 2)


def _point(seed, sizes=(3, 4, 2)):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(m, n)), rng.normal(size=n)) for m, n in zip(sizes, sizes[1:])]


def _check(g, f, params, X):
    got = g(params, X)
    flat = [a for layer in params for a in layer]

    def again(*arrays):
        return f([(arrays[2 * k], arrays[2 * k + 1]) for k in range(len(params))], X)
    expected = [numerical_grad(again, flat, i) for i in range(len(flat))]
    assert type(got) is list and all(type(layer) is tuple for layer in got)
    for (gW, gb), eW, eb in zip(got, expected[::2], expected[1::2]):
        np.testing.assert_allclose(gW, eW, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(gb, eb, rtol=1e-6, atol=1e-8)


def test_calls_past_the_guard_and_around_it_give_the_gradient():
    g = s2s.grad(layers)
    X = np.random.default_rng(0).normal(size=(5, 3))
    for seed in range(3):   # the general code, then the code for these shapes, then through the guard
        _check(g, layers, _point(seed), X)
    assert "__s2s_guarded" in g.__code__.co_names
    params = _point(3)
    _check(g, layers, params, X)
    params.append((np.ones((2, 2)), np.zeros(2)))   # a layer more: another signature
    for _ in range(3):
        _check(g, layers, params, X)
    narrow = _point(4, sizes=(3, 2, 2))   # other shapes
    for _ in range(2):
        _check(g, layers, narrow, X)
    wide = _point(5)
    wide[0] = (wide[0][0].astype(np.float32), wide[0][1])   # a float32 weight: no tree
    _check(g, layers, wide, X)
    reshaped = _point(6)
    reshaped[1][0].shape = (2, 4)   # an array reshaped in place between calls
    with pytest.raises(ValueError):
        g(reshaped, X)   # what `layers` itself raises: the general code ran


def test_a_dict_passes_its_guard_only_with_the_same_keys_in_the_same_order():
    g = s2s.grad(weights)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 3))

    def expected(p):
        t = np.tanh(X @ p["W"] + p["b"])
        d = 2 * t * (1 - t * t)
        return X.T @ d, d.sum(axis=0)
    for p in ({"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)},) * 3 + (
            {"b": rng.normal(size=2), "W": rng.normal(size=(3, 2))},
            {Key("W"): rng.normal(size=(3, 2)), "b": rng.normal(size=2)}):
        got = g(p, X)
        assert list(got) == list(p)
        for k, e in zip(("W", "b"), expected(p)):
            np.testing.assert_allclose(got[k], e, rtol=1e-12)
    assert "__s2s_guarded" in g.__code__.co_names
    assert len(api._SHAPES[g].seen) == 3   # three signatures: the others ran the general code


_A, _B = np.ones((2, 3)), np.ones(3)
# (the arguments a signature is taken from, arguments that differ from them in one thing)
_NEAR = [
    ([[(_A, _B)]], [[(_A, _B.astype(np.float32))]]),            # a leaf's dtype
    ([[(_A, _B)]], [[(_A, _B, _B)]]),                            # a nested tuple's length
    ([[(_A, _B)]], [[(_A, _B), (_A, _B)]]),                      # the list's length
    ([[(_A, _B)]], [((_A, _B),)]),                               # a tuple for the list
    ([[(_A, _B)]], [[[_A, _B]]]),                                # a list for a nested tuple
    ([[(_A, _B)]], [[(_A, np.ones(2))]]),                        # a leaf's shape
    ([[(_A, _B)]], [[(_A, np.ones(()))]]),                       # a 0-d leaf
    ([{"W": _A, "b": _B}], [{"b": _B, "W": _A}]),                # the keys' order
    ([{"W": _A, "b": _B}], [{Key("W"): _A, "b": _B}]),           # a key of a str subclass
    ([{"W": _A, "b": _B}], [{"W": _A, "b": _B, "c": _B}]),       # a key more
    ([{"W": _A, "b": _B}], [{"W": _A, "c": _B}]),                # another key
    ([_A, 1.0], [_A.astype(np.float32), 1.0]),                   # an array's dtype
    ([_A, 1.0], [_A.T, 1.0]),                                    # an array's shape
    ([_A, 1.0], [_A, 1]),                                        # a type
    ([_A.astype(np.float32)], [_A]),                             # float64 for another dtype
    ([_A.astype(np.float32)], [_A.T.astype(np.float32)]),
]


@pytest.mark.parametrize("first, other", _NEAR)
def test_a_guard_tells_signatures_that_differ_in_one_thing(first, other):
    key = signature_key(first)
    assert signature_key(other) != key
    assert _evaluate(key, first) is True and _evaluate(key, other) is False
