"""Runtime helpers that general code calls at every step, against NumPy written out: `unbroadcast`
sums a cotangent over the axes its point was broadcast along (and gives the point's float dtype)."""
import itertools

import numpy as np
import pytest

from s2s.runtime import unbroadcast


def summed_by_hand(g, shape):
    """`g` summed back to `shape`, one axis at a time: the leading axes broadcasting added, then
    each axis of length 1 in `shape` that `g` spread."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


SHAPES = [(2, 3, 4), (5, 1, 4), (3,)]


@pytest.mark.parametrize("g_shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: d.__name__)
def test_unbroadcast_sums_over_the_axes_a_point_was_broadcast_along(g_shape, dtype):
    rng = np.random.default_rng(1)
    g = rng.normal(size=g_shape)
    for k in range(len(g_shape) + 1):
        for shape in itertools.product(*[(1, n) for n in g_shape[len(g_shape) - k:]]):
            x = np.ones(shape, dtype=dtype)
            got = unbroadcast(g, x)
            assert np.shape(got) == shape and got.dtype == dtype, (shape, got)
            np.testing.assert_allclose(got, summed_by_hand(g, shape), rtol=1e-6)


def test_unbroadcast_of_a_cotangent_of_the_points_shape_is_that_cotangent():
    g, x = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    assert unbroadcast(g, x) is g
    assert unbroadcast(2.5, 1.0) == 2.5
    assert unbroadcast(g[0], np.ones((2, 3))).shape == (2, 3)   # (a broadcast cotangent is spread out)


def test_unbroadcast_gives_a_number_the_precision_of_its_point():
    for x in (1.0, np.float64(1.0), np.float32(1.0)):
        for g in (2.5, np.float64(2.5)):
            got = unbroadcast(g, x)
            assert got == 2.5
            assert type(got) is (type(g) if type(x) is float else type(x))
