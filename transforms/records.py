"""Records: namedtuples and dataclasses made or changed in differentiated code.

Part of normal form (`normal_form` calls these on every call it flattens, with the object the
call's function names)::

    State(x, vel=v)              ->  built(State, (x, v, 0.0))        (its default, 0.0, for t)
    state._replace(pos=p)        ->  replaced(state, ('pos',), (p,))
    dataclasses.replace(s, t=1)  ->  replaced(s, ('t',), (1,))

whose rules (`s2s.runtime_records`) give the cotangents of the fields' values. Only where that is
what the call does: a namedtuple class, or a dataclass whose ``__init__`` is the one `dataclasses`
wrote (no ``__post_init__``, every field an argument), given its fields by position or name, the
others left to defaults that are constants (numbers, strings, None, tuples of them). Other calls of
classes stay calls, which s2s refuses where they carry a derivative.
"""
from __future__ import annotations

import inspect

import gast

from s2s.runtime_records import plain_dataclass

from .nodes import call, const

_CONSTANT_TYPES = (int, float, complex, str, bool, type(None))


def record_class(cls) -> bool:
    """Does calling `cls` only store its arguments as the fields of a namedtuple or a dataclass?"""
    if not isinstance(cls, type):
        return False
    if issubclass(cls, tuple):   # (the `__new__` it runs is the one `namedtuple` made, with `_fields`)
        owner = next((k for k in cls.__mro__ if "__new__" in vars(k)), None)
        return owner is not tuple and "_fields" in vars(owner) and "_make" in vars(owner)
    return plain_dataclass(cls)


def built(node, cls, helper):
    """`node`, a call of the record class `cls`, as `built(cls, (values...))`; None where its
    arguments do not bind, are starred, or leave a field to a default that is no constant."""
    if any(isinstance(a, gast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    try:
        bound = inspect.signature(cls).bind(*node.args, **{k.arg: k.value for k in node.keywords})
    except TypeError:
        return None   # (Python raises it when the call runs)
    values = []
    for p in inspect.signature(cls).parameters.values():
        if p.name in bound.arguments:
            values.append(bound.arguments[p.name])
        elif _constant(p.default):
            values.append(const(p.default) if not isinstance(p.default, tuple) else
                          gast.Tuple(elts=[const(v) for v in p.default], ctx=gast.Load()))
        else:
            return None
    return call(helper("built"), node.func, gast.Tuple(elts=values, ctx=gast.Load()))


def replaced(node, receiver, helper):
    """`receiver._replace(**changes)` (`receiver` None: `dataclasses.replace(obj, **changes)`, which
    `node` is) as `replaced(obj, names, values)`; None where the changes are not keywords."""
    args = node.args if receiver is None else [receiver] + list(node.args)
    if len(args) != 1 or any(k.arg is None for k in node.keywords) or not node.keywords:
        return None
    names = gast.Tuple(elts=[const(k.arg) for k in node.keywords], ctx=gast.Load())
    values = gast.Tuple(elts=[k.value for k in node.keywords], ctx=gast.Load())
    return call(helper("replaced"), args[0], names, values)


def is_replace_method(node) -> bool:
    """Is `node` a call ``<expression>._replace(...)``?"""
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr == "_replace"


def _constant(value) -> bool:
    if isinstance(value, tuple):
        return all(_constant(v) for v in value)
    return type(value) in _CONSTANT_TYPES and value is not inspect.Parameter.empty

