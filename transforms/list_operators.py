"""List operators: ``a + b`` and ``a * n`` on lists and tuples become calls.

On arrays and numbers ``+`` and ``*`` are elementwise; on lists and tuples
they concatenate and repeat, with other derivatives: the cotangent of
``a + b`` is split between ``a`` and ``b``, that of ``a * n`` is the sum of
its ``n`` parts. Where an operand is known to be a list or a tuple -- a
literal, a comprehension, a name every binding of which is one, or the
result of such an operator -- the operation becomes a call to the runtime helper
`concat` or `repeat`, which has those derivatives.

Before and after: normal form.
"""
from __future__ import annotations

import gast

from .aliasing import _definitions
from .nodes import at, call, walk_statements


def list_operators(fn, helper=lambda n: n):
    known = _sequences(fn, helper)
    for s in walk_statements(fn.body):
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name):
            replacement = _rewrite(s.value, known, helper)
            if replacement is not None:
                s.value = at(replacement, s.value)
    return fn


def _sequences(fn, helper) -> set[str]:
    """Names every binding of which is a list or tuple: a display, a name of this kind, or `+`
    or `*` with an operand of this kind (a parameter, a loop or unpacking target is unknown).
    The greatest fixed point, as in `aliasing.mutable_names`: `t = t + [s]` after `t = []` counts."""
    bindings = _definitions(fn)
    known = set(bindings)

    def sequence(value):
        if isinstance(value, (gast.List, gast.Tuple)):
            return True
        if isinstance(value, gast.Name):
            return value.id in known
        return _rewrite(value, known, helper) is not None or _is_call_of(value, helper)

    changed = True
    while changed:
        changed = False
        for v, values in bindings.items():
            if v in known and not all(value is not None and sequence(value) for value in values):
                known.discard(v)
                changed = True
    return known


def _rewrite(value, known, helper):
    if not isinstance(value, gast.BinOp) or not isinstance(value.op, (gast.Add, gast.Mult)):
        return None
    left, right = (isinstance(v, gast.Name) and v.id in known for v in (value.left, value.right))
    if isinstance(value.op, gast.Add) and (left or right):
        return call(helper("concat"), value.left, value.right)
    if left:
        return call(helper("repeat"), value.left, value.right)
    if right:
        return call(helper("repeat"), value.right, value.left)
    return None


def _is_call_of(value, helper):
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and value.func.id in (
        helper("concat"), helper("repeat"))
