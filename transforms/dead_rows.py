"""Dead rows: a backward loop's zeroing of an adjoint row that nothing reads again is dropped.

Before and after: a generated function in functional form, code for known shapes. The adjoint of
``xs[t + 1] = v`` in a loop over ``t`` reads that row's cotangent and then zeroes it, because the
value the write overwrote contributed nothing::

    for t in reversed(range(200)):              for t in reversed(range(200)):
        d_4 = d_xs[t + 1]                           d_4 = d_xs[t + 1]
        d_xs = setindex(d_xs, t + 1, 0.0)   ->      ...
        ...                                         d_xs = d_xs + unindex(d_6, xs, t)
        d_xs = d_xs + unindex(d_6, xs, t)       d_x0 = d_xs[0]
    d_x0 = d_xs[0]

When every later read of ``d_xs`` is of a row the zeroing cannot have reached, the zero is never
seen, and the statement goes (and with it the copy `transforms.inplace` takes of the row read just
before it). The loop must be a statement of the function's body, over ``reversed(range(...))``
(each trip's index below the last one's) with a start of 0 or more, and the zeroed row ``t + c``
(c >= 0 an int). What may follow, in the loop and after it, and read the array:

- in the loop, a row ``d_xs[t + c2]`` (or a part of one, ``d_xs[t + c2, 0]``, also within
  arithmetic, ``d_acc + d_y[i]``): in a later trip, ``t`` is smaller, so the row is one the
  zeroing reached only if ``c2 > c``; after the zeroing in the same trip, only if ``c2 == c``;
- in the loop, the updates ``d_xs = d_xs + unindex(g, x, t + c2)`` and
  ``d_xs = setindex(d_xs, t + c2, v)`` (they keep the other rows as they are);
- after the loop, a row ``d_xs[r]``, ``r`` an int constant with ``0 <= r < start + c`` (the rows
  zeroed are ``start + c`` and up), and the two updates.

Any other read of the array (it is returned, passed on, added whole, kept under another name)
keeps the statement. Rows ``t + c`` with ``t >= 0`` and ``c >= 0`` are never negative, so no two
such indices name one row unless they are equal.
"""
from __future__ import annotations

import gast

from .float_arrays import index_plus, range_start
from .nodes import name_nodes, walk, walk_statements


def drop_dead_rows(fn: gast.FunctionDef, helper, kinds: dict) -> gast.FunctionDef:
    """Drop the dead zeroings in `fn` (see above); `helper(name)` spells a runtime helper; `kinds`:
    name -> shape tuple of the float64 arrays of known shape (`float_arrays.float_arrays`)."""
    for k, loop in enumerate(fn.body):
        start = _counting_down(loop)
        if start is None:
            continue
        index = loop.target.id
        after = fn.body[k + 1:]
        for z in [s for s in loop.body if _zeroing(s, helper, index)]:
            d, c = z.targets[0].id, _offset(z.value.args[1], index)
            if isinstance(kinds.get(d), tuple) and _unseen(loop.body, z, d, c, index, helper) \
                    and _unseen_after(after, d, start + c, helper):
                loop.body.remove(z)
    return fn


def _counting_down(loop):
    """The first index of `for t in reversed(range(...))` if it is an int >= 0, else None."""
    if not (isinstance(loop, gast.For) and isinstance(loop.target, gast.Name) and not loop.orelse):
        return None
    it = loop.iter
    if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "reversed"
            and len(it.args) == 1 and not it.keywords):
        return None
    r, start = it.args[0], range_start(it.args[0])
    if start is not None and len(r.args) == 3 and not (_int(r.args[2]) is not None and _int(r.args[2]) > 0):
        return None   # (a step that is not a positive constant: the order is not known)
    return start if start is not None and start >= 0 else None


def _int(node):
    return node.value if isinstance(node, gast.Constant) and type(node.value) is int else None


def _row_of(index):
    """The index of the row `index` reads: itself, or the first of a tuple (a part of that row)."""
    return index.elts[0] if isinstance(index, gast.Tuple) and index.elts else index


def _offset(index, t):
    """c where `index` is `t + c` (or `t`), c >= 0 an int constant, or a tuple that starts so (a
    part of that row); else None."""
    found = index_plus(_row_of(index))
    return found[1] if found is not None and found[0] == t else None


def _zeroing(s, helper, t) -> bool:
    """Is `s` `d = setindex(d, t + c, 0.0)`?"""
    return isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) \
        and _call_of(s.value, helper("setindex"), 3) and _is(s.value.args[0], s.targets[0].id) \
        and _offset(s.value.args[1], t) is not None \
        and isinstance(s.value.args[2], gast.Constant) and s.value.args[2].value == 0.0


def _unseen(body, z, d, c, t, helper) -> bool:
    """Does no statement of the loop's `body` read a row of `d` the zeroing `z` reached (above)?
    `t` is not assigned in the body."""
    if any(isinstance(n.ctx, gast.Store) and n.id == t for s in body for n in name_nodes(s)):
        return False
    seen_zeroing = False
    for s in body:
        if s is z:
            seen_zeroing = True
            continue
        if not isinstance(s, gast.Assign):
            if d in _names(s):
                return False
            continue
        for row in _rows_read(s, d, helper):
            c2 = _offset(row, t)
            if c2 is None or c2 > c or (seen_zeroing and c2 == c):
                return False
    return True


def _rows_read(s, d, helper):
    """The indices of the rows of `d` the assignment `s` reads, where it reads `d` no other way:
    `v = d[i]` (or `v = e + d[i] * ...`: rows of `d` only), `d = d + unindex(g, x, i)`,
    `d = setindex(d, i, v)` (i: the row each keeps as it was, an index that reads it). [None]
    where `s` reads `d` some other way."""
    if d not in _names(s.value) | {n.id for t in s.targets for n in name_nodes(t)}:
        return []
    target = s.targets[0] if len(s.targets) == 1 else None
    value = s.value
    if isinstance(target, gast.Name) and target.id != d:
        parts = [n for n in walk(value) if isinstance(n, gast.Subscript) and _is(n.value, d)]
        if len(parts) == sum(1 for n in name_nodes(value) if n.id == d) \
                and not any(d in _names(p.slice) for p in parts):
            return [p.slice for p in parts]   # (`d_acc + d_y[i]`: rows only)
    if _is(target, d):
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and _is(value.left, d) \
                and _call_of(value.right, helper("unindex"), 3) and d not in _names(value.right):
            return [value.right.args[2]]
        if _call_of(value, helper("setindex"), 3) and _is(value.args[0], d) \
                and d not in _names(value.args[1]) | _names(value.args[2]):
            return [value.args[1]]
    return [None]


def _unseen_after(stmts, d, first, helper) -> bool:
    """Do `stmts` read `d` only as rows `d[r]`, r an int constant with 0 <= r < `first`, and
    update it only as the loop may, until they assign it whole?"""
    for s in stmts:
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.value, gast.Subscript) \
                and _is(s.value.value, d) and d not in _names(s.targets[0]):
            r = _int(_row_of(s.value.slice))
            if r is None or not 0 <= r < first:
                return False
            continue
        if isinstance(s, gast.Assign) and any(_is(t, d) for t in s.targets) and d not in _names(s.value):
            return True   # (assigned whole: what follows reads another array)
        if isinstance(s, gast.Assign) and _is(s.targets[0], d) and _rows_read(s, d, helper) != [None]:
            continue   # d = setindex(d, i, v), d = d + unindex(g, x, i): the other rows as they were
        if any(d in _names(inner) for inner in walk_statements([s])):
            return False
    return True


def _call_of(node, func, nargs) -> bool:
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == func \
        and len(node.args) == nargs and not node.keywords


def _is(node, id_) -> bool:
    return isinstance(node, gast.Name) and node.id == id_


def _names(node) -> set:
    return {n.id for n in name_nodes(node)}
