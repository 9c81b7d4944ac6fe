"""Super calls: ``super().loss(w)`` in a method as the call of the method it reaches, by its class.

A method of a subclass that adds to its parent's (``return super().loss(w) + penalty``) calls the
parent's function on the same object. Where s2s knows the class of ``self`` (a bound method
differentiated, `s2s.grad(model.loss)`, and the methods it calls through ``self``), this pass, on the
parsed method before normal form, writes each ``super().m(...)`` as ``Base.m(self, ...)`` (a
@staticmethod: ``Base.m(...)``): Base is the class after the method's own class (its ``__class__``
cell, as Python's ``super()`` reads it) in the order of ``type(self).__mro__`` that defines ``m``.
Only where that name means that class in the method's module, and ``super`` is Python's; other super
calls are left as they are, and refused with a hint where they carry a derivative.
"""
from __future__ import annotations

import builtins

import gast

from .nodes import name, walk


def super_calls(fn, func, self_class, local_names, on_method):
    """`fn` (the parsed method `func`, in place) with its ``super().m(...)`` calls written by class;
    `on_method(m, self_class)` for each method so reached (its ``self`` is of that class too)."""
    if self_class is None or "__class__" not in func.__code__.co_freevars or "super" in local_names \
            or func.__globals__.get("super", builtins.super) is not builtins.super:
        return fn
    own = func.__closure__[func.__code__.co_freevars.index("__class__")].cell_contents
    mro = self_class.__mro__
    if own not in mro:
        return fn
    params = [a.id for a in fn.args.args]
    for node in walk(fn):
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and _is_super(node.func.value)
                and params):
            continue
        attr = node.func.attr
        owner = next((k for k in mro[mro.index(own) + 1:] if attr in vars(k)), None)
        if owner is None or func.__globals__.get(owner.__name__) is not owner or owner.__name__ in local_names:
            continue
        found = vars(owner)[attr]
        if isinstance(found, classmethod):
            continue
        node.func.value = name(owner.__name__)
        if not isinstance(found, staticmethod):
            node.args.insert(0, name(params[0]))
            on_method(getattr(found, "__s2s_function__", found), self_class)
    return fn


def _is_super(node) -> bool:
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == "super" \
        and not node.args and not node.keywords
