"""Mutations: a list or dict changed by a method, read later through another name.

``xs.append(v)``, ``xs.extend(ys)``, ``xs.insert(i, v)``, ``v = xs.pop()``,
``d.update(e)`` ... change the container object itself. Derivatives treat names
as values, so where another name is that same object (``k = xs``) or holds it
(``pair = (xs, 1.0)``) and is read after the change, it would keep the old
value in the derivative but not in Python: `check_mutations` refuses that.

Which names may be or hold the changed object is over-approximated, over the
whole function (not per program point), from the statements of normal form:

- ``t = a`` or a view of ``a``: ``t`` is ``a`` (in both directions);
- ``t = a[i]``: ``t`` may be an element of ``a``, so if ``a`` holds the
  object ``t`` may be it, and if ``t`` is it or holds it, ``a`` holds it;
- ``t = [a, b]``, ``(a, b)``, a container helper, ``t[i] = a``,
  ``t.append(a)``: ``t`` holds what ``a`` is or holds;
- ``t = list(a)``, ``a + b`` of lists, ``sorted(a)``: ``t`` is new and holds what ``a``
  holds;
- ``t = f(a)`` of a user or unknown function: ``t`` may be ``a`` or hold it.

An element taken out of the changed list before the change (``h = hs[-1]``)
is not changed by it, and a list made from it (``ys = xs + [v]``,
``list(xs)``) is a new one.

Before and after: normal form; the function is unchanged, or
`UnsupportedError` is raised at the changing statement.
"""
from __future__ import annotations

import gast

from s2s.errors import UnsupportedError

from s2s import runtime

from .aliasing import CONTAINER_HELPERS, _is_view, _live_after_writes, _shared_operands, _target_nodes
from .nodes import subscript_write, walk_statements

# Methods that change a list or a dict in place.
CHANGING_METHODS = {"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update",
                    "setdefault", "popitem"}
_DICT_METHODS = {"update", "setdefault", "popitem"}
# Calls whose result is a new container of their operands' elements.
_ELEMENTS_OF = tuple(f for f in CONTAINER_HELPERS if f is not runtime.iterated) + (list, tuple, sorted, reversed)


def check_mutations(fn, info, callees, temp):
    """Raise `UnsupportedError` where another name that may be (or hold) a list or dict
    changed by one of its methods is read after the change; `temp(v)`: is `v` a temporary."""
    changes = {s: y for s in walk_statements(fn.body) if (y := _changed(s, callees)) is not None}
    if not changes:
        return
    for s, live in _live_after_writes(fn.body, set(changes)).items():
        if s not in changes:
            continue
        y = changes[s]
        same, holds = _related(fn, callees, y)
        stale = sorted(v for v in (same | holds) - {y} if v in live)
        if not stale:
            continue
        users = [v for v in stale if not temp(v)]
        method = s.value.func.attr
        who = f"`{users[0]}` is the same object or holds it" if users else \
            "a value read later in this function is the same object (a loop over it, or a call that returns it)"
        raise UnsupportedError(
            f"`{y}.{method}(...)` changes `{y}` in place, but {who} and is read later; s2s treats "
            f"lists and dicts as values, so it would keep the old one", info.location(s),
            _hint(y, method, users[0] if users else "k"))


def _hint(y, method, other):
    if method in _DICT_METHODS:
        return f"make a copy where the other name is made (`{other} = dict({y})`)"
    return f"make a copy where the other name is made (`{other} = list({y})`), or build a new list instead of " \
           f"changing it (`{y} = {y} + [v]`)"


def _changed(s, callees):
    """The name `s` changes with a method call (`xs.append(v)`, `v = xs.pop()`), else None."""
    value = s.value if isinstance(s, (gast.Expr, gast.Assign)) else None
    if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute)
            and isinstance(value.func.value, gast.Name) and value.func.attr in CHANGING_METHODS):
        return None
    if isinstance(s, gast.Assign) and subscript_write(s) is not None:
        return None
    return value.func.value.id if callees.classify_call(value).receiver is not None else None


def _related(fn, callees, y):
    """(names that may be the object `y` holds, names that may hold it), to a fixed point."""
    same, holds = {y}, set()
    edges = list(_edges(fn, callees))
    changed = True
    while changed:
        changed = False
        for kind, t, ops in edges:
            before = len(same) + len(holds)
            related = ops & (same | holds)
            if kind == "alias":      # t = a (or a view of a)
                if ops & same or t in same:
                    same |= ops | {t}
                if ops & holds or t in holds:
                    holds |= ops | {t}
            elif kind == "element":  # t = a[i]
                if ops & holds:
                    same.add(t)
                    holds.add(t)
                if t in same or t in holds:
                    holds |= ops
            elif kind == "elements":  # t = list(a), a + b
                if ops & holds or t in holds:
                    holds |= ops | {t}
            elif kind == "holder":   # t = [a, b], t[i] = a, t.append(a)
                if related:
                    holds.add(t)
                if t in holds:
                    same |= ops
                    holds |= ops
            else:                    # t = f(a): may be a or hold it
                if related or t in same or t in holds:
                    same |= ops | {t}
                    holds |= ops | {t}
            holds.discard(y)  # a list does not hold itself
            changed = changed or len(same) + len(holds) != before
    return same, holds


def _edges(fn, callees):
    """(kind, target name, operand names) per statement of `fn` that relates names."""
    for s in walk_statements(fn.body):
        if isinstance(s, gast.Assign):
            write = subscript_write(s)
            if write is not None:
                yield "holder", write.value.id, _shared_operands(s.value, callees)
                continue
            if _changed(s, callees) is not None:  # v = xs.pop(): an element of xs
                yield from (("element", t.id, {_changed(s, callees)}) for t in _target_nodes(s))
                continue
            if isinstance(s.value, gast.Call) and any(callees.classify_call(s.value).obj is f for f in _ELEMENTS_OF):
                ops = {n.id for n in s.value.args if isinstance(n, gast.Name)}
                yield from (("elements", t.id, ops) for t in _target_nodes(s) if ops)
                continue
            ops = _shared_operands(s.value, callees)
            if not ops:
                continue
            unpacked = not isinstance(s.targets[0], gast.Name)
            if isinstance(s.value, gast.Subscript) and not _is_view(s.value, callees) or unpacked and (
                    isinstance(s.value, gast.Name)):
                kind = "element"
            elif _is_view(s.value, callees):
                kind = "alias"
            elif isinstance(s.value, (gast.List, gast.Tuple, gast.Dict)):
                kind = "holder"
            else:
                kind = "call"
            for t in _target_nodes(s):
                yield kind, t.id, ops
        elif isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Attribute) \
                and isinstance(s.value.func.value, gast.Name) and s.value.func.attr in CHANGING_METHODS:
            ops = _shared_operands(gast.List(elts=list(s.value.args), ctx=gast.Load()), callees)
            if ops:
                yield "holder", s.value.func.value.id, ops
