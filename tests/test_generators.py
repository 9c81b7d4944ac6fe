"""Generator functions consumed by a loop (autograd's `unpack_layers`), differentiated as the list of
what they yield: every mode against finite differences; generators that may not end are refused."""
import numpy as np
import pytest

import s2s

SHAPES = [(2, 3), (3, 1)]


def unpack_layers(w_vect):
    for m, n in SHAPES:
        yield w_vect[:m * n].reshape((m, n)), w_vect[m * n:m * n + n]
        w_vect = w_vect[(m + 1) * n:]


def predictions(w_vect, inputs):
    for W, b in unpack_layers(w_vect):
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs


def loss(w_vect, x):
    return np.sum(predictions(w_vect, x) ** 2)


def squares(xs):
    for x in xs:
        if x > 0:
            yield x * x
            continue
        yield -x
    return


def sum_of_squares(a):
    return sum(squares([a[0], a[1], 2.0 * a[2]]))


def forever(x):
    while True:
        yield x


def first_of_forever(x):
    for v in forever(x):
        return v


def sends(x):
    y = yield x
    yield y


def takes_sent(x):
    return sum(sends(x))


N = 3 * 3 + 4 * 1
W = np.random.default_rng(0).standard_normal(N)
X = np.random.default_rng(1).standard_normal((4, 2))
A = np.array([0.7, -1.3, 0.4])


def _numerical(f, x, *rest, eps=1e-6):
    return np.array([(f(x + e, *rest) - f(x - e, *rest)) / (2 * eps) for e in np.eye(x.size) * eps])


@pytest.mark.parametrize("f, x, rest", [(loss, W, (X,)), (sum_of_squares, A, ())], ids=["layers", "branches"])
def test_a_generator_consumed_by_a_loop_in_every_mode(f, x, rest):
    numeric = _numerical(f, x, *rest)
    assert np.allclose(s2s.grad(f)(x, *rest), numeric, rtol=1e-5, atol=1e-7)
    v = np.random.default_rng(2).standard_normal(x.size)
    assert np.isclose(s2s.jvp(f)(x, *rest, v)[1], numeric @ v, rtol=1e-5, atol=1e-7)
    df, eps = s2s.grad(f), 1e-5
    hv = (df(x + eps * v, *rest) - df(x - eps * v, *rest)) / (2 * eps)
    assert np.allclose(s2s.hvp(f)(x, *rest, v), hv, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("f, what", [(first_of_forever, "while"), (takes_sent, "used as a value")])
@pytest.mark.parametrize("make", [s2s.grad, s2s.jvp])
def test_a_generator_that_may_not_end_or_is_sent_values_is_refused(f, what, make):
    with pytest.raises(s2s.UnsupportedError, match=what):
        make(f)


def kept_then_rebound(x):
    g = (x * k for k in (1.0, 2.0))
    x = x * 10.0
    return sum(g)   # Python: 10x + 20x (the generator reads x when it runs)


def kept_in_a_loop(x):
    total = 0.0
    for _ in range(2):
        g = (x * k for k in (1.0, 2.0))
        x = x * 2.0
        total = total + sum(g)
    return total


def consumed_before_it_is_rebound(x):
    total = 0.0
    for _ in range(2):
        g = (x * k for k in (1.0, 2.0))
        total = total + sum(g)   # (consumed here, before x is assigned again)
        x = x * 2.0
    return total


def kept_and_consumed(x, ks):
    g = (x * k for k in ks)   # nothing it reads is assigned again: it is what s2s computes
    return sum(g)


def test_a_generator_expression_kept_while_what_it_reads_is_assigned_again_is_refused():
    for f in (kept_then_rebound, kept_in_a_loop):
        with pytest.raises(s2s.S2SError, match="generator expression kept in a variable reads `x`"):
            s2s.grad(f)
    assert s2s.grad(kept_and_consumed)(1.5, (1.0, 2.0)) == pytest.approx(3.0)
    assert s2s.grad(consumed_before_it_is_rebound)(1.5) == pytest.approx(3.0 + 6.0)


def kept_then_written_into(u):
    new = u.copy()
    g = (new[j] * 1.0 for j in range(3))
    new[0] = new[0] * 5.0   # Python's generator reads new[0] after this
    return sum(g)


def kept_then_appended_to(u):
    xs = [u[0], u[1]]
    g = (v * 1.0 for v in xs)
    xs.append(u[2] * u[1])   # ... and iterates the appended entry too
    return sum(g)


def reversed_kept_then_written_into(u):
    xs = [u[0], u[1]]
    r = reversed(xs)
    xs[0] = u[2] * u[1]
    return sum(v * w for v, w in zip(r, (1.0, 2.0)))


def map_kept_then_written_into(u):
    new = u.copy()
    m = map(lambda z: z * 2.0, new)
    new[0] = new[0] * 5.0
    return sum(m)


def map_of_a_lambda_kept(u):   # (nothing written: what s2s computes; it raised AttributeError)
    m = map(lambda z: z * 2.0, u * 1.0)
    return sum(m)


def test_a_lazy_iterator_kept_while_what_it_reads_is_changed_in_place_is_refused():
    # each was evaluated where it is written: wrong gradients with no error
    for f in (kept_then_written_into, kept_then_appended_to, reversed_kept_then_written_into):
        with pytest.raises(s2s.S2SError, match=r"kept in a variable reads what `\w+` holds when it is consumed, after "
                                               r"`\w+` is changed in place"):
            s2s.grad(f)
    u = np.array([1.0, 2.0, 3.0])   # (a map kept is read where it is consumed, as Python does)
    np.testing.assert_allclose(s2s.grad(map_kept_then_written_into)(u), [10.0, 2.0, 2.0])
    np.testing.assert_allclose(s2s.grad(map_of_a_lambda_kept)(u), [2.0, 2.0, 2.0])
