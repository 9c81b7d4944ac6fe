"""transforms/tapes.py: in code for known shapes, what a loop over a range records at each trip goes
into an array indexed by the trip (a tape), not onto the list `_stack`. Gradients are checked
against central differences at the first call (general code) and the next ones (code for these
shapes); where a condition does not hold, the stack stays."""
import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def elman(W, U, xs):
    h = np.zeros(3)
    for t in range(4):
        h = np.tanh(W @ xs[t] + U @ h)
    return np.sum(h * h)


def offset(W, U, xs):
    h = np.zeros(3)
    for t in range(1, 4):
        h = np.tanh(W @ xs[t] + U @ h)
    return np.sum(h * h)


def over_rows(W, U, xs):
    h = np.zeros(3)
    for x in xs:
        h = np.tanh(W @ x + U @ h)
    return np.sum(h * h)


def two_states(W, U, xs):
    """Two names recorded at each trip (an LSTM-like cell): two tapes, popped in the mirror order."""
    h, c = np.zeros(3), np.ones(3)
    for t in range(len(xs)):
        c = 0.5 * c + np.tanh(W @ xs[t])
        h = np.tanh(c) * np.cos(U @ h)
    return np.sum(h * h) + np.sum(c)


def with_write(W, U, xs):
    hs = np.zeros((4, 3))
    h = np.zeros(3)
    for t in range(4):
        h = np.tanh(W @ xs[t] + U @ h)
        hs[t] = h
    return np.sum(hs * hs)


def with_break(W, U, xs):
    h = np.zeros(3)
    for t in range(4):
        h = np.tanh(W @ xs[t] + U @ h)
        if np.sum(h) > 10.0:
            break
    return np.sum(h * h)


def in_a_branch(W, U, xs):
    h = np.zeros(3)
    for t in range(4):
        if t % 2 == 0:
            h = np.tanh(W @ xs[t] + U @ h)
    return np.sum(h * h)


def twice(W, U, xs):
    """Two loops over the same range: which backward loop undoes which is not told by the bounds."""
    h = np.zeros(3)
    for t in range(4):
        h = np.tanh(W @ xs[t] + U @ h)
    for t in range(4):
        h = np.sin(U @ h)
    return np.sum(h * h)


def _args():
    rng = np.random.default_rng(5)
    return [0.5 * rng.normal(size=(3, 2)), 0.5 * rng.normal(size=(3, 3)), rng.normal(size=(4, 2))]


TAPED = {elman: "_tape1[t] = h", offset: "_tape1[t - 1] = h", over_rows: "_tape1[_1] = h",
         two_states: "_tape2[t] = h"}
STACKED = [with_write, with_break, in_a_branch, twice]


@pytest.mark.parametrize("f", list(TAPED) + STACKED, ids=lambda f: f.__name__)
def test_gradients_are_those_of_central_differences(f):
    args = _args()
    g = s2s.grad(f, wrt=(0, 1))
    for _ in range(3):   # the general code, then the code for these shapes
        for k, got in enumerate(g(*args)):
            np.testing.assert_allclose(got, numerical_grad(f, args, k), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("f", list(TAPED), ids=lambda f: f.__name__)
def test_a_loop_over_a_range_records_into_a_tape(f):
    text = s2s.source(s2s.grad(f, wrt=(0, 1)), like=_args())
    assert TAPED[f] in text and "_stack" not in text, text
    assert "_tape1 = np.empty((" in text and "= _tape1[" in text, text


@pytest.mark.parametrize("f", STACKED, ids=lambda f: f.__name__)
def test_where_the_trip_does_not_tell_the_value_the_stack_stays(f):
    text = s2s.source(s2s.grad(f, wrt=(0, 1)), like=_args())
    assert "_stack.append(" in text and "_tape1" not in text, text
