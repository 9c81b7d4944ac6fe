"""Writes into arrays, containers, dicts, comprehensions and lambdas (tests/corpus_data.py),
in reverse mode, forward mode and second order, against finite differences of the function."""
import numpy as np
import pytest

import corpus_data as c
import s2s
from oracles import assert_grads_close

RNG = np.random.default_rng(5)


def _v(*shape):
    return RNG.normal(size=shape)


CASES = [
    (c.fill_in_loop, [(_v(4),)], 0),
    (c.write_slices, [(_v(3),)], 0),
    (c.write_columns, [(_v(3), _v(2))], (0, 1)),
    (c.augmented_slice, [(_v(4),)], 0),
    (c.recurrence, [(_v(5), 0.7)], (0, 1)),
    (c.read_before_overwrite, [(_v(3),)], 0),
    (c.masked_write, [(np.array([0.5, -1.0, 2.0, -0.3]),)], 0),
    (c.write_into_parameter, [(_v(3),)], 0),
    (c.tuple_of_writes, [(_v(2),)], 0),
    (c.outer_in_loops, [(_v(3),)], 0),
    (c.broadcast_write, [(_v(3), 0.8)], (0, 1)),
    (c.rows_in_loop, [(_v(4), _v(4))], (0, 1)),
    (c.write_in_branch, [(np.array([0.5, -1.0, 2.0]),)], 0),
]
PARAMS = [pytest.param(f, args, wrt, id=f"{f.__name__}-{k}")
          for f, argsets, wrt in CASES for k, args in enumerate(argsets)]


def _copies(args):
    return tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in args)


def _pure(func):
    """`func` on copies of its arguments (some cases write into their parameters)."""
    return lambda *args: func(*_copies(args))


def _wrt(wrt):
    return wrt if isinstance(wrt, tuple) else (wrt,)


def _directions(args, wrt):
    return [_v(*np.shape(args[i])) if np.ndim(args[i]) else float(RNG.normal()) for i in wrt]


def _along(f, args, wrt, us, s):
    moved = list(args)
    for i, u in zip(wrt, us):
        moved[i] = args[i] + s * u
    return f(*moved)


@pytest.mark.parametrize("func, args, wrt", PARAMS)
def test_gradient_matches_finite_differences(func, args, wrt):
    grads = s2s.grad(func, wrt=wrt)(*_copies(args))
    assert_grads_close(_pure(func), grads, args, wrt, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("func, args, wrt", PARAMS)
def test_jvp_matches_directional_finite_differences(func, args, wrt):
    wrt = _wrt(wrt)
    us = _directions(args, wrt)
    value, tangent = s2s.jvp(func, wrt=wrt)(*_copies(args), *us)
    f, h = _pure(func), 1e-6
    assert value == pytest.approx(f(*args), rel=1e-12)
    expected = (_along(f, args, wrt, us, h) - _along(f, args, wrt, us, -h)) / (2 * h)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("func, args, wrt", PARAMS)
def test_curvature_along_a_direction(func, args, wrt):
    """<v, H v> from s2s.hvp against the second central difference of f along v."""
    i = _wrt(wrt)[0]
    v = _directions(args, (i,))[0]
    hv = s2s.hvp(func, wrt=i)(*_copies(args), v)
    f, h = _pure(func), 1e-4
    expected = (_along(f, args, (i,), [v], h) - 2 * f(*args) + _along(f, args, (i,), [v], -h)) / h ** 2
    assert np.sum(hv * v) == pytest.approx(expected, rel=1e-4, abs=1e-5)
