"""List operators: ``a + b`` and ``a * n`` on lists and tuples become calls.

On arrays and numbers ``+`` and ``*`` are elementwise; on lists and tuples
they concatenate and repeat, with other derivatives: the cotangent of
``a + b`` is split between ``a`` and ``b``, that of ``a * n`` is the sum of
its ``n`` parts. Where an operand is known to be a list or a tuple -- a
literal, a comprehension, a name only ever bound to one, or the result of
such an operator -- the operation becomes a call to the runtime helper
`concat` or `repeat`, which has those derivatives.

Before and after: normal form.
"""
from __future__ import annotations

import gast

from .nodes import at, call, walk_statements
from .shapes import containers


def list_operators(fn, helper=lambda n: n):
    known = containers(fn)
    sequences = {s.targets[0].id for s in walk_statements(fn.body) if isinstance(s, gast.Assign)
                 and isinstance(s.targets[0], gast.Name) and isinstance(s.value, (gast.List, gast.Tuple))}
    known = (known & _only_sequences(fn, known)) | sequences
    changed = True
    while changed:
        changed = False
        for s in walk_statements(fn.body):
            if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name)):
                continue
            t = s.targets[0].id
            replacement = _rewrite(s.value, known, helper)
            if replacement is not None:
                s.value = at(replacement, s.value)
            if t not in known and (replacement is not None or _is_call_of(s.value, helper) or (
                    isinstance(s.value, gast.Name) and s.value.id in known)):
                known.add(t)
                changed = True
    return fn


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


def _only_sequences(fn, names):
    """Of `names`, those never bound to a dict."""
    dicts = {s.targets[0].id for s in walk_statements(fn.body) if isinstance(s, gast.Assign)
             and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Dict)}
    return set(names) - dicts
