"""autograd's public API, as s2s spells it: what `tests/autograd_suite.py` binds autograd's names to.

The suite rewrites `from autograd import grad, jacobian` in autograd's own tests into
`from autograd_shim import grad, jacobian`. grad, value_and_grad, jacobian, hessian and
elementwise_grad ARE s2s's functions (the suite renames `argnum=` to `wrt=` where they are
called); each other name calls s2s (autograd's nesting of calls -> s2s's flat signatures)
and does nothing else:

    grad_and_aux(f, argnum)                       s2s.grad(f, wrt, has_aux=True)
    deriv(f)(x)                                   s2s.jvp(f)(x, ones)[1]
    make_jvp(f)(*args)(v)                         s2s.jvp(f)(*args, v)
    make_vjp(f)(*args) -> (vjp, value)            s2s.vjp(f)(*args, g)
    make_hvp(f)(*args) -> (hvp, gradient)         s2s.hvp(f)(*args, v)
    hessian_tensor_product(f)(*args, V)           s2s.hvp(f)(*args, V)      (V shaped like the argument)
    tensor_jacobian_product(f)(*args, V)          s2s.vjp(f)(*args, V)      (V shaped like the output)
    isinstance, list, tuple, dict                 the builtins (autograd's versions trace containers)
    isbox(x)                                      False: s2s has no boxes
    flatten(tree) -> (vector, unflatten)          s2s.flatten (not applicable where s2s has none)

autograd's extension API and internals (primitive, defvjp, vspace, const_graph,
make_ggnvp, checkpoint, holomorphic_grad...) have no s2s equivalent: `not_applicable(name)`
stands in for them and raises `NotApplicable` when used, and the suite reports the test as
not applicable with that reason.
"""
from __future__ import annotations

import builtins

import numpy as np

import s2s

from .checks import check_equivalent, check_grads, combo_check, scalar_close  # noqa: F401

isinstance = builtins.isinstance
list = builtins.list
tuple = builtins.tuple
dict = builtins.dict


class NotApplicable(Exception):
    """The test uses a part of autograd that s2s does not have by design."""


REASONS = {
    "holomorphic_grad": "complex differentiation: s2s refuses complex values by design (SPEC 6)",
    "make_ggnvp": "no s2s equivalent (Gauss-Newton products are composed from jvp and vjp)",
    "checkpoint": "autograd's checkpoint wrapper; s2s checkpoints with s2s.grad(checkpoint=...)",
    "quick_grad_check": "removed autograd API",
}


class _Missing:
    """Stands for an autograd name with no s2s equivalent; using it raises NotApplicable."""

    def __init__(self, name):
        self._name = name

    def _raise(self):
        short = self._name.rsplit(".", 1)[-1]
        raise NotApplicable(f"uses {self._name}: "
                            + REASONS.get(short, "autograd's own API or internals, no s2s equivalent"))

    def __call__(self, *args, **kwargs):
        self._raise()

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._raise()

    def __enter__(self):
        self._raise()

    def __repr__(self):
        return f"<not applicable: {self._name}>"


def not_applicable(name: str):
    return _Missing(name)


def _wrt(argnum):
    return builtins.tuple(argnum) if builtins.isinstance(argnum, (builtins.list, builtins.tuple)) else argnum


# s2s's own functions, so that `grad(f)(x)` inside differentiated code is s2s.grad as s2s knows it;
# the suite renames the keyword `argnum=` to `wrt=` in calls of these names.
grad, value_and_grad, jacobian, hessian = s2s.grad, s2s.value_and_grad, s2s.jacobian, s2s.hessian


def _no_elementwise_grad(fun, wrt=0):
    raise AttributeError("module 's2s' has no attribute 'elementwise_grad'")


elementwise_grad = getattr(s2s, "elementwise_grad", _no_elementwise_grad)


def grad_and_aux(fun, argnum=0):
    return s2s.grad(fun, wrt=_wrt(argnum), has_aux=True)  # TypeError until s2s has has_aux


def _ones(x):
    return np.ones(np.shape(x)) if np.shape(x) else 1.0


def deriv(fun, argnum=0):
    forward = s2s.jvp(fun, wrt=argnum)
    return lambda *args: forward(*args, _ones(args[argnum]))[1]


def make_jvp(fun, argnum=0):
    forward = s2s.jvp(fun, wrt=_wrt(argnum))
    return lambda *args: (lambda v: forward(*args, v))


def make_vjp(fun, argnum=0):
    backward = s2s.vjp(fun, wrt=_wrt(argnum))
    return lambda *args: ((lambda g: backward(*args, g)), fun(*args))


def make_hvp(fun, argnum=0):
    product = s2s.hvp(fun, wrt=_wrt(argnum))
    gradient = s2s.grad(fun, wrt=_wrt(argnum))
    return lambda *args: ((lambda v: product(*args, v)), gradient(*args))


def _same_shape(what, v, like):
    if np.shape(v) != np.shape(like):
        raise NotApplicable(f"{what} with a tensor of shape {np.shape(v)} against {np.shape(like)}: "
                            "no s2s equivalent (s2s's products take a vector shaped like the argument or output)")


def hessian_tensor_product(fun, argnum=0):
    product = s2s.hvp(fun, wrt=argnum)

    def htp(*args):
        *primal, v = args
        _same_shape("hessian_tensor_product", v, primal[argnum])
        return product(*primal, v)
    return htp


hessian_vector_product = hessian_tensor_product


def tensor_jacobian_product(fun, argnum=0):
    backward = s2s.vjp(fun, wrt=argnum)

    def tjp(*args):
        *primal, v = args
        _same_shape("tensor_jacobian_product", v, fun(*primal))
        return backward(*primal, v)
    return tjp


vector_jacobian_product = tensor_jacobian_product


def isbox(x):
    return False


def flatten(value):
    """autograd.misc.flatten: (vector, unflatten), as s2s.flatten where s2s has it."""
    if not hasattr(s2s, "flatten"):
        not_applicable("autograd.misc.flatten")()
    return s2s.flatten(value)


class _Autograd:
    """`autograd.numpy.x`, `autograd.scipy.signal.convolve`: for tests that import `autograd.X` unaliased."""

    numpy = np

    @property
    def scipy(self):
        import scipy
        return scipy


autograd_namespace = _Autograd()


def __getattr__(name):
    if name == "scipy":
        import scipy
        return scipy
    return not_applicable(f"autograd.{name}")
