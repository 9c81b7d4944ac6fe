"""A list built by appends (a loop's `ys.append(v)`, a comprehension) and then read as an array
(`np.sum(ys)`, `np.max(ys)`, unpacked): the backward pass pops its elements' cotangents from the
list's, which must be a list, whatever the rule that read the list gave (NumPy's reductions give
an array). Before, such a gradient raised AttributeError ('numpy.ndarray' object has no attribute
'pop') when called. Checked against values worked out by hand and central differences."""
import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def appended(x):
    ys = []
    for i in range(3):
        ys.append(x[i] * x[i])
    return np.sum(ys)


def comprehension(x):
    ys = [x[i] * x[i] for i in range(3)]
    return np.max(ys) + np.mean(ys)


def unpacked(x):
    ys = []
    for v in x:
        ys.append(np.sin(v))
    a, b, c = ys
    return a * b + c


def layers(params, x):
    return np.sum(x) * np.sum([np.sum(b * b) for W, b in params]) + np.max([np.sum(W) for W, b in params])


@pytest.mark.parametrize("f", [appended, comprehension, unpacked])
def test_a_list_built_by_appends_and_read_as_an_array(f):
    x = np.array([0.3, -1.2, 2.1])
    g = s2s.grad(f)
    for _ in range(3):   # the general code, then the code for these shapes
        np.testing.assert_allclose(g(x), numerical_grad(f, [x], 0), rtol=1e-6, atol=1e-8)


def test_its_hessian_vector_product():
    x, v = np.array([0.3, -1.2, 2.1]), np.array([1.0, 0.5, -2.0])
    np.testing.assert_allclose(s2s.hvp(appended)(x, v), 2.0 * v)   # the Hessian of sum(x * x): 2 I


def test_a_comprehension_over_a_list_of_layers():
    rng = np.random.default_rng(4)
    params = [(rng.normal(size=(3, 3)), rng.normal(size=3)) for _ in range(3)]
    x = rng.normal(size=3)
    got = s2s.grad(layers)(params, x)   # (the general code)
    for i, layer in enumerate(params):
        for j in range(2):
            def at(leaf, i=i, j=j):
                changed = [list(p) for p in params]
                changed[i][j] = leaf
                return layers([tuple(p) for p in changed], x)
            np.testing.assert_allclose(got[i][j], numerical_grad(at, [layer[j]], 0), rtol=1e-6, atol=1e-8)


def replaces_an_entry(pairs, x):   # a list entry that is a tuple, overwritten
    pairs[0] = (2.0 * pairs[0][0], pairs[0][1])
    return np.sum(x * pairs[0][0]) + np.sum(pairs[1][0] * pairs[0][1])


def test_an_overwritten_entry_that_is_a_tuple():
    # its cotangent is zeroed (`setindex(d_pairs, 0, 0.0)`) and then a tuple is added to it: that
    # recursed without end (RecursionError) in `runtime.add`
    x = np.array([0.5, -1.0])
    pairs = [(np.array([1.0, 2.0]), np.array([0.3, 0.4])), (np.array([-1.0, 0.5]), np.array([2.0, 1.0]))]
    got = s2s.grad(replaces_an_entry)(list(pairs), x)
    np.testing.assert_allclose(got[0][0], 2.0 * x)             # d/dw of sum(x * 2 w)
    np.testing.assert_allclose(got[0][1], pairs[1][0])         # d/dc of sum(v * c)
    np.testing.assert_allclose(got[1][0], pairs[0][1])
    np.testing.assert_allclose(got[1][1], np.zeros(2))


def scale(p, x):   # a helper that unpacks the tuple it is given
    a, b = p
    return a * x + b


def scaled_twice(p, x):
    return scale(p, scale(p, x))


def nested(q, x):
    (a, b), c = q
    return a * b * x + c


def nested_twice(q, x):
    return nested(q, x) + nested(q, 2.0 * x)


@pytest.mark.parametrize("kind", [tuple, list])
def test_a_tuple_given_to_two_calls_gets_the_sum_of_their_cotangents(kind):
    # each call's backward sweep returns the tuple of (d_a, d_b) and the caller added them with
    # `+`, which concatenated them: (1.7, 1.0, 1.4, 0.7), where (3.1, 1.7) is right, at the first
    # call (the general code), with no error
    g = s2s.grad(scaled_twice)
    for _ in range(3):
        got = g(kind([0.7, 0.3]), 2.0)
        assert type(got) is kind and len(got) == 2
        # a (a x + b) + b: d/da = 2 a x + b, d/db = a + 1
        np.testing.assert_allclose(got, [2 * 0.7 * 2.0 + 0.3, 0.7 + 1.0])


def test_a_nested_tuple_given_to_two_calls():
    g = s2s.grad(nested_twice)
    for _ in range(3):
        (da, db), dc = g(((0.7, 0.4), 0.3), 2.0)
        # a b x + c + a b 2 x + c: d/da = 3 b x, d/db = 3 a x, d/dc = 2
        np.testing.assert_allclose([da, db, dc], [3 * 0.4 * 2.0, 3 * 0.7 * 2.0, 2.0])


def stacked_under_its_name(x):   # the usual RNN idiom: the list of states, then the array of them
    outs = []
    for t in range(3):
        outs.append(np.sin(x * (t + 1.0)))
    outs = np.stack(outs)
    return np.sum(outs ** 2)


def stacked_in_a_loop(x):
    total = 0.0
    for k in range(2):
        outs = []
        for t in range(3):
            outs.append(x * (t + k + 1.0))
        outs = np.concatenate(outs)
        total = total + np.sum(np.cos(outs))
    return total


def popped_then_stacked_then_listed(x):
    outs = []
    for t in range(3):
        outs.append(x * (t + 1.0))
    last = outs.pop()
    outs = np.stack(outs)
    outs = list(outs * 2.0)
    outs.append(last)
    return np.sum(np.stack(outs) ** 3)


def stacked_in_a_branch(x):   # a list on one path, an array on the other
    outs = []
    for t in range(3):
        outs.append(x * (t + 1.0))
    if x[0] > 0:
        outs = np.stack(outs)
    return np.sum(np.asarray(outs) ** 2 * x[0])


@pytest.mark.parametrize("f", [stacked_under_its_name, stacked_in_a_loop, popped_then_stacked_then_listed,
                               stacked_in_a_branch])
def test_a_list_of_appends_bound_again_to_its_array(f):
    # the name's cotangent was made a list (`list(d_3 * 2 * outs)`) where it held the array too:
    # TypeError at every call ("list indices must be integers or slices, not tuple")
    g = s2s.grad(f)
    for x in (np.array([0.3, -1.2]), np.array([-0.4, 0.7]), np.array([1.1, 0.2])):   # (both branches)
        np.testing.assert_allclose(g(x), numerical_grad(f, [x], 0), rtol=1e-6, atol=1e-8)
    x, v = np.array([0.3, -1.2]), np.array([1.0, 0.5])
    eps = 1e-4   # (differences of central differences)
    expected = (numerical_grad(f, [x + eps * v], 0) - numerical_grad(f, [x - eps * v], 0)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(f)(x, v), expected, rtol=1e-4, atol=1e-6)


def test_the_seed_1547_program_has_its_second_derivative():
    import corpus_issue12_seed1547 as corpus
    x, y, n = corpus.ARGS
    gg = s2s.grad(s2s.grad(corpus.f))
    h = 1e-4
    for x in (x, 0.3, -0.7):   # (the code for numbers: the same at every call)
        expected = (corpus.f(x + h, y, n) - 2 * corpus.f(x, y, n) + corpus.f(x - h, y, n)) / h ** 2
        assert gg(x, y, n) == pytest.approx(expected, rel=1e-5)
