"""Namedtuples and dataclasses made or changed in differentiated code (transforms/records.py,
s2s/runtime_records.py): a simulation's state kept in one, stepped by `_replace` or
`dataclasses.replace`. They were refused ("no derivative rule for `State`, and s2s cannot read its
source"). Checked against central differences and values worked out by hand, in both modes, at
second order and with checkpointed loops."""
import dataclasses
from collections import namedtuple
from typing import NamedTuple

import numpy as np
import pytest

import s2s
from oracles import numerical_grad

State = namedtuple("State", ["pos", "vel", "t"])


def step(state, k, dt):
    acc = -k * state.pos - 0.1 * state.vel
    vel = state.vel + dt * acc
    return state._replace(pos=state.pos + dt * vel, vel=vel, t=state.t + dt)


def oscillator(k, x0):
    state = State(pos=x0, vel=np.zeros_like(x0), t=0.0)
    for _ in range(20):
        state = step(state, k, 0.05)
    return np.sum(state.pos ** 2) + 0.1 * np.sum(state.vel ** 2) + state.t * k


class Pair(NamedTuple):
    a: float
    b: float = 2.0


def pairs(x):
    p = Pair(x * x)           # b left to its default
    q = Pair(p.b * x, b=p.a)  # by position and by name
    return q.a * q.b + p.b


@dataclasses.dataclass
class SIR:
    s: float
    i: float
    r: float = 0.0


def epidemic(beta, gamma):
    st = SIR(0.99, 0.01)
    for _ in range(10):
        new = beta * st.s * st.i
        st = SIR(st.s - new, st.i + new - gamma * st.i, r=st.r + gamma * st.i)
    st = dataclasses.replace(st, r=st.r * 2.0)
    return st.r + st.i


def moved(state, x):   # a namedtuple parameter, changed here
    return np.sum(state._replace(pos=state.pos * x).pos ** 2) + np.sum(state.vel * x)


CASES = [
    (oscillator, (1.3, np.array([0.5, -0.2, 1.0])), (0, 1)),
    (pairs, (0.7,), (0,)),
    (epidemic, (0.5, 0.2), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_records_made_and_changed_here(f, args, wrt):
    g = s2s.grad(f, wrt=wrt)
    expected = [numerical_grad(f, list(args), i) for i in wrt]
    for _ in range(3):   # the general code, then the code for these arguments
        got = g(*args)
        for a, b in zip(got if len(wrt) > 1 else [got], expected):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    tangents = [np.ones_like(a) if isinstance(a, np.ndarray) else 1.0 for a in args]
    _, tangent = s2s.jvp(f, wrt=wrt)(*args, *tangents)
    assert tangent == pytest.approx(sum(np.sum(e * t) for e, t in zip(expected, tangents)), rel=1e-6)
    eps, v = 1e-4, tangents[0]
    second = (numerical_grad(f, [args[0] + eps * v, *args[1:]], 0)
              - numerical_grad(f, [args[0] - eps * v, *args[1:]], 0)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(f)(*args, v), second, rtol=1e-4, atol=1e-6)


def test_a_pair_by_hand_and_a_checkpointed_simulation():
    # q = (2x, x^2): q.a q.b + 2 = 2 x^3 + 2, d/dx = 6 x^2
    assert s2s.grad(pairs)(0.7) == pytest.approx(6 * 0.7 ** 2, rel=1e-12)
    args = (1.3, np.array([0.5, -0.2, 1.0]))
    dk, dx0 = s2s.grad(oscillator, wrt=(0, 1), checkpoint=True)(*args)
    assert dk == pytest.approx(numerical_grad(oscillator, list(args), 0), rel=1e-6)
    np.testing.assert_allclose(dx0, numerical_grad(oscillator, list(args), 1), rtol=1e-6)


def test_a_namedtuple_parameter_replaced():
    state, x = State(np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.0), 1.5
    d_state, dx = s2s.grad(moved, wrt=(0, 1))(state, x)
    np.testing.assert_allclose(d_state[0], 2 * state.pos * x ** 2)
    np.testing.assert_allclose(d_state[1], [x, x])
    assert dx == pytest.approx(np.sum(2 * state.pos ** 2 * x) + np.sum(state.vel))


@dataclasses.dataclass
class Checked:
    x: float

    def __post_init__(self):
        self.x = abs(self.x)


class Opaque:
    def __init__(self, x):
        self.x = x * 2.0


class Shifted(State):
    def __new__(cls, pos, vel):
        return super().__new__(cls, pos + 1.0, vel, 0.0)


def makes_checked(x):
    return Checked(x).x


def makes_opaque(x):
    return Opaque(x).x


def makes_shifted(x):
    return Shifted(x, x).pos


@dataclasses.dataclass
class Named:
    x: float
    y: float = dataclasses.field(default=1.0, kw_only=True)


def makes_named(x):
    return Named(x, y=x).y


def replaces_checked(c, x):   # a parameter whose __post_init__ would change what replace gives it
    return dataclasses.replace(c, x=x * 2.0).x


@pytest.mark.parametrize("f", [makes_checked, makes_opaque, makes_shifted, makes_named])
def test_other_classes_are_refused_with_what_is_differentiated(f):
    with pytest.raises(s2s.S2SError, match=r"is a class: s2s differentiates making a namedtuple or a dataclass"):
        s2s.grad(f)


def test_replacing_a_field_of_a_dataclass_with_post_init_is_refused_when_run():
    with pytest.raises(s2s.S2SError, match=r"Checked has a __post_init__"):
        s2s.grad(replaces_checked, wrt=1)(Checked(1.0), -3.0)


def field_written_through_a_name(u):   # a record holds its fields' arrays themselves
    s = State(u * 1.0, u * 2.0, 0.0)
    p = s.pos
    p[0] = p[0] * u[1]
    return np.sum(s.pos * u)


def field_added_into(u):
    s = SIR(u * 1.0, u * 3.0)
    v = s.i
    v += u   # (s.i is now 4 u)
    return np.sum(s.i * u)


@pytest.mark.parametrize("f", [field_written_through_a_name, field_added_into])
def test_a_write_into_a_field_read_back_through_the_record_is_refused(f):
    # both gave wrong gradients with no error: making a record was not taken to share its fields
    with pytest.raises(s2s.S2SError, match="shares its memory|in place"):
        s2s.grad(f)(np.array([1.0, 2.0, 3.0]))
