"""Fusion: single-use temporaries put back into the expression that reads them (`s2s.jit`).

Before: generated code in its normal form, one operation per line (`_3 = _4 + _5`,
`lap = _1 - _8`), as s2s writes it so that every value has a name the backward sweep can read.
After: a value assigned once and read once, later in the same block, with nothing in between
that rebinds or writes into what it reads, is written where it is read:
`lap = roll_along(u, 1, 0) + roll_along(u, -1, 0) - 4 * u`. The expression tree is the one that
was computed, in the same order of operations, so the numbers are the same to the last bit.

Why: Numba compiles each statement of array arithmetic into a loop of its own, with an array
for its result; within one expression it fuses the element-wise operations into one loop (no
temporaries). Fewer statements also compile faster. Only pure expressions move -- arithmetic,
comparisons, reading names, attributes and entries, and calls of NumPy or of the helpers in
`pure` -- and never into a loop or a branch (where they would run another number of times), nor
past a statement that calls anything else.
"""
from __future__ import annotations

import gast

from .nodes import walk

_PURE_NODES = (gast.BinOp, gast.UnaryOp, gast.Compare, gast.BoolOp, gast.IfExp, gast.Name, gast.Constant,
               gast.Attribute, gast.Subscript, gast.Slice, gast.Tuple, gast.Call, gast.keyword)
_SIMPLE = (gast.Assign, gast.AugAssign, gast.Expr, gast.Return)


def fuse(fn: gast.FunctionDef, pure: set) -> gast.FunctionDef:
    """`fn` with its single-use temporaries in the expressions that read them; `pure`: names of
    functions (helpers) that have no effect but their result."""
    loads, stores = {}, {}
    for node in walk(fn):
        if isinstance(node, gast.Name):
            counts = stores if isinstance(node.ctx, (gast.Store, gast.Param, gast.Del)) else loads
            counts[node.id] = counts.get(node.id, 0) + 1
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            loads[node.target.id] = loads.get(node.target.id, 0) + 1   # (`a += b` reads a)
    once = {v for v, k in stores.items() if k == 1 and loads.get(v) == 1}
    _block(fn.body, once, pure)
    return fn


def _block(stmts, once, pure):
    for s in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                _block(getattr(s, field), once, pure)
    k = 0
    while k < len(stmts):
        s = stmts[k]
        target = _single_target(s)
        if target in once and _is_pure(s.value, pure) and _moved(stmts, k, target, pure):
            del stmts[k]
            k = max(k - 1, 0)   # (the statement before may now read its value once, where it is read)
            continue
        k += 1


def _single_target(s):
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
        return s.targets[0].id
    return None


def _is_pure(expr, pure) -> bool:
    for node in walk(expr):
        if not isinstance(node, _PURE_NODES):
            return False
        if isinstance(node, gast.Call) and not _pure_call(node.func, pure):
            return False
    return True


def _pure_call(func, pure) -> bool:
    if isinstance(func, gast.Name):
        return func.id in pure
    while isinstance(func, gast.Attribute):
        func = func.value
    return isinstance(func, gast.Name) and func.id == "np"


def _moved(stmts, k, target, pure) -> bool:
    """Put the value of `stmts[k]` (`target = value`) where the statement after it reads `target`,
    if nothing between changes what the value reads; return whether it was."""
    value = stmts[k].value
    reads = {n.id for n in walk(value) if isinstance(n, gast.Name)}
    for later in stmts[k + 1:]:
        site = _read_in(later, target) if isinstance(later, _SIMPLE) else None
        if site is not None and not _is_pure_statement(later, pure):
            return False   # (a call there may run first, and change what the value reads)
        if site is not None:
            parent, field, index = site
            if index is None:
                setattr(parent, field, value)
            else:
                getattr(parent, field)[index] = value
            return True
        if any(isinstance(n, gast.Name) and n.id == target for n in walk(later)):
            return False   # read inside a loop or a branch: it would run another number of times
        if _writes(later) & reads or not _is_pure_statement(later, pure):
            return False
    return False


def _read_in(s, target):
    """(node, field, index) where `s` reads `target` in its own expressions, or None."""
    for node in walk(s):
        for field in getattr(node, "_fields", ()):
            value = getattr(node, field, None)
            if isinstance(value, gast.Name) and value.id == target and isinstance(value.ctx, gast.Load):
                return node, field, None
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, gast.Name) and item.id == target and isinstance(item.ctx, gast.Load):
                        return node, field, i
    return None


def _writes(s) -> set:
    """The names `s` rebinds or writes into (`y[i] = v` writes into y; `y.append(v)` into y)."""
    out = set()
    for node in walk(s):
        if isinstance(node, gast.Name) and isinstance(node.ctx, (gast.Store, gast.Del)):
            out.add(node.id)
        elif isinstance(node, (gast.Subscript, gast.Attribute)) and isinstance(node.ctx, (gast.Store, gast.Del)):
            base = node.value
            while isinstance(base, (gast.Subscript, gast.Attribute)):
                base = base.value
            if isinstance(base, gast.Name):
                out.add(base.id)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            out.add(node.target.id)
        elif isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) \
                and isinstance(node.func.value, gast.Name) and node.func.attr in ("append", "pop"):
            out.add(node.func.value.id)
    return out


def _is_pure_statement(s, pure) -> bool:
    """Does `s` call nothing but NumPy, the helpers in `pure` and a list's append and pop (whose
    writes `_writes` sees)?"""
    for node in walk(s):
        if isinstance(node, gast.Call) and not _pure_call(node.func, pure) and not (
                isinstance(node.func, gast.Attribute) and node.func.attr in ("append", "pop")):
            return False
    return True
