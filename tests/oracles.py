"""Independent oracles for gradients: central finite differences and the complex step.

Tests compare s2s against these (or against values worked out by hand),
never against s2s itself.
"""
import contextlib
import os

import numpy as np


def _replace(args, i, value):
    args = list(args)
    args[i] = value
    return args


def numerical_grad(f, args, i, eps=1e-6):
    """Central differences of scalar `f` in argument `i` (float or array)."""
    x = args[i]
    if np.ndim(x) == 0:
        h = eps * max(1.0, abs(float(x)))
        return (f(*_replace(args, i, x + h)) - f(*_replace(args, i, x - h))) / (2 * h)
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        h = eps * max(1.0, abs(x[k]))
        xp, xm = x.copy(), x.copy()
        xp[k] += h
        xm[k] -= h
        g[k] = (f(*_replace(args, i, xp)) - f(*_replace(args, i, xm))) / (2 * h)
    return g


def complex_step_grad(f, args, i, h=1e-30):
    """The complex-step derivative: exact to rounding for real-analytic `f`."""
    x = args[i]
    if np.ndim(x) == 0:
        return f(*_replace(args, i, complex(x) + 1j * h)).imag / h
    x = np.asarray(x, dtype=complex)
    g = np.zeros(x.shape)
    for k in np.ndindex(x.shape):
        xc = x.copy()
        xc[k] += 1j * h
        g[k] = f(*_replace(args, i, xc)).imag / h
    return g


def assert_grads_close(f, grads, args, wrt, oracle=numerical_grad, rtol=1e-6, atol=1e-8):
    """Each gradient has its argument's shape and matches the oracle."""
    if not isinstance(wrt, tuple):
        grads, wrt = (grads,), (wrt,)
    assert isinstance(grads, tuple) and len(grads) == len(wrt)
    for g, i in zip(grads, wrt):
        expected = oracle(f, args, i)
        assert np.shape(g) == np.shape(args[i]), (np.shape(g), np.shape(args[i]))
        np.testing.assert_allclose(g, expected, rtol=rtol, atol=atol)


@contextlib.contextmanager
def general_code(df):
    """Calls of the gradient `df` made within run its general code, not the code s2s makes for
    the shapes of their arguments (see s2s.specialised); what it had made is kept for later."""
    from s2s import api
    shapes = api._SHAPES.get(df)
    saved = (dict(shapes.table), dict(shapes.made)) if shapes is not None else None
    before = os.environ.get("S2S_SPECIALISE")
    os.environ["S2S_SPECIALISE"] = "0"
    if shapes is not None:
        shapes.table.clear()
    try:
        yield
    finally:
        if before is None:
            del os.environ["S2S_SPECIALISE"]
        else:
            os.environ["S2S_SPECIALISE"] = before
        if shapes is not None:
            shapes.table.clear()
            shapes.table.update(saved[0])
            shapes.made.clear()
            shapes.made.update(saved[1])
