"""`s2s.check_grads`: a generated derivative against central finite differences of the function.

autograd's `check_grads(f, modes=["fwd", "rev"], order=2)(*args)` under the same name, so that a
program written for autograd checks its gradients unchanged: along a random direction `v` of the
arguments (and a random seed `u` of the output), forward mode is checked as ``jvp(x, v)`` against
``(f(x + h v) - f(x - h v)) / 2h``, reverse mode as ``<vjp(x, u), v>`` against ``<u, that>``. Order
2 checks the derivative functions s2s made the same way (forward over each), so both the first
and the second derivatives are compared with the function itself, never with s2s.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from . import api
from .trees import flatten

_STEP = 1e-6


def check_grads(func: Callable[..., Any], modes: Iterable[str] = ("fwd", "rev"), order: int = 2, wrt: Any = None,
                *, argnum: Any = None, argnums: Any = None, rtol: float = 1e-5, atol: float = 1e-6,
                seed: int = 0) -> Callable[..., None]:
    """`check(*args, **kwargs)`: raise AssertionError unless s2s's derivatives of `func` at the point
    agree with central finite differences, in every mode of `modes` ("fwd", "rev") up to `order`.

        >>> s2s.check_grads(np.tanh, modes=["rev"], order=1)(np.array([0.1, 0.5]))

    `wrt` (or autograd's `argnum`, JAX's `argnums`) names the arguments checked, by default the first.
    """
    wrt = _wrt(wrt, argnum, argnums)
    modes = list(modes)
    for mode in modes:
        if mode not in ("fwd", "rev"):
            raise ValueError(f"check_grads checks modes 'fwd' and 'rev', not {mode!r}")

    def check(*args, **kwargs):
        rng = np.random.default_rng(seed)
        _check(func, args, kwargs, wrt, modes, order, rng, rtol, atol)
    return check


def _wrt(wrt, argnum, argnums):
    given = [w for w in (wrt, argnum, argnums) if w is not None]
    if len(given) > 1:
        raise TypeError("check_grads takes one of wrt=, argnum= and argnums=")
    w = given[0] if given else 0
    return tuple(w) if isinstance(w, (list, tuple)) else (w,)


def _check(func, args, kwargs, wrt, modes, order, rng, rtol, atol):
    names = list(api.inspect.signature(api._target(func)).parameters)
    index = [w if isinstance(w, int) else names.index(w) for w in wrt]
    label = wrt[0] if len(wrt) == 1 else tuple(wrt)
    x0, unflatten = flatten(tuple(args[i] for i in index))

    def at(xflat):
        new = list(args)
        for i, value in zip(index, unflatten(xflat)):
            new[i] = value
        return new

    v = rng.standard_normal(x0.shape)
    h = _STEP * max(1.0, float(np.max(np.abs(x0))) if x0.size else 1.0)
    out0 = func(*args, **kwargs)
    flat_out, unflatten_out = flatten(out0)
    numeric = (flatten(func(*at(x0 + h * v), **kwargs))[0] - flatten(func(*at(x0 - h * v), **kwargs))[0]) / (2 * h)
    tangents = tuple(unflatten(v))
    if "fwd" in modes:
        tangent = api.jvp(func, label)(*args, *tangents, **kwargs)[1]
        _close(flatten(tangent)[0], numeric, f"forward mode (jvp) of {_name(func)}", rtol, atol)
    seed = unflatten_out(rng.standard_normal(flat_out.shape))
    if "rev" in modes:
        cotangent = api.vjp(func, label)(*args, seed, **kwargs)
        _close(np.dot(flatten(cotangent if len(wrt) > 1 else (cotangent,))[0], v),
               np.dot(flatten(seed)[0], numeric), f"reverse mode (vjp) of {_name(func)}", rtol, atol)
    if order > 1:   # the derivative functions, forward mode over each, at the same point
        if "fwd" in modes:
            _check(api.jvp(func, label), (*args, *tangents), kwargs, wrt, ["fwd"], order - 1, rng, rtol, atol)
        if "rev" in modes:
            _check(api.vjp(func, label), (*args, seed), kwargs, wrt, ["fwd"], order - 1, rng, rtol, atol)


def _close(ours, numeric, what, rtol, atol):
    ours, numeric = np.asarray(ours, dtype=float), np.asarray(numeric, dtype=float)
    if not np.allclose(ours, numeric, rtol=rtol, atol=atol):
        raise AssertionError(f"{what} differs from finite differences: s2s gives {ours}, finite differences "
                             f"{numeric}")


def _name(func):
    return getattr(api._target(func), "__name__", repr(func))
