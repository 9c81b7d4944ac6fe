"""Scalars: the names that hold a number wherever they are read, when the parameters do.

A derivative called with Python floats for every parameter runs code generated for that case
(see `s2s.api`): there, ``x * y + np.sin(x)`` is a number, so its adjoints need no summing back
over broadcast axes (``unbroadcast``) and the gradient's seed is ``1.0``, not
``grad_seed(_out)``. This pass says which names of a function in normal form are such numbers,
given the parameters that are; reverse mode treats them as it treats a ``range`` loop's index.

A name is a number if every assignment to it is one of: a numeric constant, a number, ``a op b``
or ``-a`` of numbers (arithmetic, not ``@``), a comparison of numbers (a bool), a call of an elementwise rule (``np.sin``,
``np.maximum``: the broadcast of numbers has shape ``()``), of a function of the ``math`` module,
or ``max``/``min`` of two or more, on numbers, with constant keyword arguments. Anything else (a container, an
element of one, a loop's target other than a ``range`` index, a call that may make an array,
``y[i] = v``) is not. Names assigned in loops are numbers if they are on every pass: the
largest set closed under these rules (iterated to a fixed point from all candidates).
"""
from __future__ import annotations

import builtins
import math

import gast

from .nodes import param_names, walk_statements
from .shapes import _written, range_indices

_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.FloorDiv, gast.Mod, gast.Pow)
_NOT_NUMBERS = (math.frexp, math.modf)   # math functions that return a pair


def python_scalars(fn, callees, params) -> set:
    """Names of `fn` (normal form) that hold numbers (shape ``()``) when the parameters `params` do."""
    values: dict = {p: [] for p in params}
    for s in walk_statements(fn.body):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            values.setdefault(s.targets[0].id, []).append(s.value)
        elif not isinstance(s, gast.For):
            for n in _written(s):
                values.setdefault(n, []).append(None)
    indices = range_indices(fn)
    for s in walk_statements(fn.body):
        if isinstance(s, gast.For):
            for n in _written(s):
                if n not in indices:
                    values.setdefault(n, []).append(None)
    numbers = (set(values) - (set(param_names(fn)) - set(params))) | indices   # a parameter is one if said so
    changed = True
    while changed:
        changed = False
        for n in list(numbers):
            if n in indices:
                continue
            if any(v is None or not _number(v, numbers, callees) for v in values.get(n, [])):
                numbers.discard(n)
                changed = True
    return numbers


def _number(value, numbers, callees) -> bool:
    def atom(node):
        if isinstance(node, gast.Constant):
            return type(node.value) in (int, float)
        return isinstance(node, gast.Name) and node.id in numbers

    if atom(value):
        return True
    if isinstance(value, gast.BinOp):
        return isinstance(value.op, _ARITHMETIC) and atom(value.left) and atom(value.right)
    if isinstance(value, gast.UnaryOp):
        return isinstance(value.op, (gast.USub, gast.UAdd, gast.Not)) and atom(value.operand)
    if isinstance(value, gast.Compare):   # a bool: shape () too
        return all(atom(v) for v in [value.left] + value.comparators) and not any(
            isinstance(op, (gast.In, gast.NotIn, gast.Is, gast.IsNot)) for op in value.ops)
    if isinstance(value, gast.Call) and not any(isinstance(a, gast.Starred) for a in value.args):
        callee = callees.classify_call(value)
        if callee.kind != "rule" or callee.receiver is not None:
            return False
        of_math = getattr(callee.obj, "__module__", None) == "math" and callee.obj not in _NOT_NUMBERS
        of_numbers = callee.obj in (builtins.max, builtins.min) and len(value.args) > 1   # max(a, b), not max(xs)
        if not (callee.rule.elementwise or of_math or of_numbers):
            return False
        if not (all(atom(a) for a in value.args) and all(
                k.arg is not None and isinstance(k.value, gast.Constant) and k.arg not in ("out", "where")
                for k in value.keywords)):
            return False
        try:   # the rule's own form of the call (`np.where(c)`, one argument, gives index arrays)
            callee.rule.bind(list(value.args), {k.arg: k.value for k in value.keywords})
        except TypeError:
            return False
        return True
    return False
