"""The other automatic differentiation tools bench_grad.py measures s2s against, where installed.

Each peer differentiates the same workload source: the function's code object is re-bound to
globals in which ``np`` is the peer's NumPy (``autograd.numpy``, ``jax.numpy``, or a small
namespace of ``torch`` functions with NumPy's names), so no workload is rewritten for a peer.

- autograd: ``autograd.grad`` (a tape, built at every call);
- jax.jit: ``jax.jit(jax.grad(f))`` with 64-bit floats, its arguments moved to JAX arrays once,
  outside the timing; each call waits for its result (``block_until_ready``);
- torch: eager PyTorch, ``torch.autograd.grad`` of the function run on float64 tensors (a tape,
  built at every call). It makes one tensor of each argument, which a tree (a list of (W, b)
  tuples) is not: a workload differentiated with respect to one is not measured (n/a).

autograd and jax take trees (lists, tuples, dicts of arrays) as arguments and return gradients
of the same containers; jax's arguments are moved to JAX arrays leaf by leaf.

`gradient(peer, w, args)` gives ``(fn, call_args, first_call_seconds)``: the peer's gradient of
workload `w` returning a tuple in ``w.wrt`` order, the arguments to time it with, and how long its
first call took (for jax.jit: tracing and compiling); it raises `NotApplicable` where the peer
cannot take the workload as it is written.
"""
from __future__ import annotations

import inspect
import time
import types

import numpy as np

from trees import CONTAINERS, tree_map

NAMES = ("autograd", "jax", "torch")


class NotApplicable(Exception):
    """The peer cannot differentiate the workload as it is written (not a failure of the peer's)."""


def available() -> dict:
    """{peer name: its modules} for the peers that import here."""
    found = {}
    try:
        import autograd
        import autograd.numpy as anp
        found["autograd"] = (autograd, anp)
    except ImportError:
        pass
    try:
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        found["jax"] = (jax, jnp)
    except ImportError:
        pass
    try:
        import torch
        found["torch"] = (torch, _torch_numpy(torch))
    except ImportError:
        pass
    return found


def _torch_numpy(torch):
    """The NumPy functions the workloads call, as torch functions."""
    f64 = torch.float64

    def of_numbers(fn):   # np.cos(z + i) of a Python number: torch wants a tensor
        return lambda x, *rest, **kw: fn(x if isinstance(x, torch.Tensor) else torch.tensor(x, dtype=f64),
                                         *rest, **kw)
    return types.SimpleNamespace(
        **{name: of_numbers(getattr(torch, name)) for name in ("sin", "cos", "tanh", "log", "exp", "sum",
                                                               "mean", "sqrt")},
        zeros=lambda shape: torch.zeros(shape, dtype=f64),
        roll=lambda a, shift, axis=None: torch.roll(a, shift, dims=axis))


def _rebound(f, np_module):
    return types.FunctionType(f.__code__, dict(f.__globals__, np=np_module), f.__name__, f.__defaults__,
                              f.__closure__)


def gradient(peer: str, modules, w, args):
    params = list(inspect.signature(w.f).parameters)
    argnums = tuple(params.index(name) for name in w.wrt)
    lib, numpy_like = modules
    traced = _rebound(w.f, numpy_like)
    if peer == "autograd":
        fn, call_args = lib.grad(traced, argnum=argnums), args
    elif peer == "jax":
        jitted = lib.jit(lib.grad(traced, argnums=argnums))
        call_args = tuple(a if isinstance(a, float) else tree_map(numpy_like.asarray, a) for a in args)

        def fn(*xs):
            return lib.block_until_ready(jitted(*xs))
    else:
        trees = [f"{params[k]} is a {type(args[k]).__name__}" for k in argnums if isinstance(args[k], CONTAINERS)]
        if trees:
            raise NotApplicable(f"{', '.join(trees)}, the torch peer takes one tensor per argument")
        call_args = tuple(lib.tensor(a, dtype=lib.float64, requires_grad=k in argnums) for k, a in enumerate(args))

        def fn(*xs):
            return lib.autograd.grad(traced(*xs), [xs[k] for k in argnums])
    start = time.perf_counter()
    fn(*call_args)
    first = time.perf_counter() - start
    return fn, call_args, first


def as_numpy(grads) -> tuple:
    """A peer's gradients (a tuple, one per ``wrt``) as NumPy values (jax arrays, torch tensors),
    leaf by leaf: a gradient that is a list of tuples stays a list of tuples."""
    grads = grads if isinstance(grads, (tuple, list)) else (grads,)
    return tuple(tree_map(_numpy_leaf, g) for g in grads)


def _numpy_leaf(g):
    return np.asarray(g.detach() if hasattr(g, "detach") else g)
