"""Renest: a temporary read once, by a statement soon after it, is written inside that statement.

Before and after: a generated function (code for known shapes or for numbers, optimised). Normal
form gives every operation a temporary of its own; where the code reads one only once, the
statement that reads it gets the expression back, as its user wrote it::

    _5 = X @ w
    _4 = _5 + b
    _3 = _4 / 2                 ->      p = 0.5 * (np.tanh((X @ w + b) / 2) + 1)
    _2 = np.tanh(_3)
    _1 = _2 + 1
    p = 0.5 * _1

which also lets NumPy free each intermediate array as soon as the next operation has read it,
where a name kept it until the function returned.

`_k = e` goes into the statement that reads `_k` when:

- `_k` is a temporary (`naming.Namer.is_temp`) assigned once and read once in the function, by an
  assignment, a `return`, an `if`'s test or a `for`'s iterable in the same block;
- every statement between them is an assignment of names only (no element written), none of which
  `e` reads, and every call in them, in `e` and in the statement that reads `_k` is pure: `e` is
  then evaluated later with the same values, and nothing it did is missed in between.

A `while` test is evaluated again at every trip, so nothing goes into one.
"""
from __future__ import annotations

import gast

from .nodes import load_counts, name_nodes, walk


def renest(fn: gast.FunctionDef, is_temp, pure_call) -> gast.FunctionDef:
    """Fold `fn`'s single-use temporaries into their readers (above), in place; returns `fn`."""
    stores: dict = {}
    for n in name_nodes(fn):
        if type(n.ctx) is not gast.Load:
            stores[n.id] = stores.get(n.id, 0) + 1
    once = {n for n, k in load_counts(fn).items() if k == 1 and stores.get(n) == 1 and is_temp(n)}
    _block(fn.body, once, pure_call)
    return fn


def _block(stmts, once, pure_call):
    for s in stmts:
        for field in ("body", "orelse"):
            inner = getattr(s, field, None)
            if isinstance(inner, list) and not isinstance(s, gast.FunctionDef):
                _block(inner, once, pure_call)
    k = 0
    while k < len(stmts):
        s = stmts[k]
        temp = _temp_assignment(s, once)
        j = _reader(stmts, k, temp, pure_call) if temp is not None and _pure(s.value, pure_call) else None
        if j is None:
            k += 1
            continue
        _substitute(stmts[j], temp, s.value)
        del stmts[k]
        k = max(k - 1, 0)   # (the statement before may now be read once, by the one it went into)


def _temp_assignment(s, once):
    if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) \
            and s.targets[0].id in once:
        return s.targets[0].id
    return None


def _reader(stmts, k, temp, pure_call):
    """The index of the statement after `stmts[k]` that reads `temp`, if `stmts[k]`'s value may go
    into it; else None."""
    reads = {n.id for n in name_nodes(stmts[k].value)}
    for j in range(k + 1, len(stmts)):
        s = stmts[j]
        parts = _evaluated(s)
        if parts is not None and temp in _names(parts):
            return j if all(_pure(part, pure_call) for part in parts) else None
        if not (isinstance(s, gast.Assign) and all(isinstance(t, gast.Name) for t in s.targets)
                and _pure(s.value, pure_call) and not reads & {t.id for t in s.targets}):
            return None
    return None


def _evaluated(s):
    """What `s` evaluates once, before anything else it does: the parts a temporary may go into;
    None for a statement nothing goes into."""
    if isinstance(s, gast.Assign):
        return [s.value] + [t for t in s.targets if not isinstance(t, gast.Name)]   # (y[i] = v: i too)
    if isinstance(s, gast.Return) and s.value is not None:
        return [s.value]
    if isinstance(s, gast.If):
        return [s.test]
    if isinstance(s, gast.For):
        return [s.iter]
    return None   # (a `while` test runs at every trip; an expression statement is a push or a pop)


def _substitute(s, temp, value):
    """`value` for the one read of `temp` in `s` (the function reads it nowhere else)."""
    for parent in walk(s):
        for field, child in gast.iter_fields(parent):
            for i, c in enumerate(child) if isinstance(child, list) else [(None, child)]:
                if isinstance(c, gast.Name) and c.id == temp and isinstance(c.ctx, gast.Load):
                    if i is None:
                        setattr(parent, field, value)
                    else:
                        child[i] = value
                    return
    raise AssertionError(f"{temp} is read by the statement it goes into")   # (found by _reader)


def _pure(node, pure_call) -> bool:
    return all(pure_call(c) for c in walk(node) if isinstance(c, gast.Call))


def _names(parts) -> set:
    return {n.id for p in parts for n in name_nodes(p)}
