"""Aliasing: which names may share memory with an array written in place.

``y[i] = v`` changes every name that shares ``y``'s memory: a view made by
slicing or reshaping ``y``, the array ``y`` is itself a view of, a list
holding it. Derivatives treat names as values, so s2s accepts an in-place
write only where no other name sharing ``y``'s memory is read afterwards
(`check_writes`); elsewhere the write is indistinguishable from rebinding
``y`` to a new array. Reverse mode also needs the sharing to decide what to
record: an adjoint reading a view of ``y`` reads ``y`` (`sharing`).

Sharing is over-approximated: any primitive that may return (a view of) an
operand shares memory with it -- names, subscripts, attributes, containers,
unpacking, calls to user or unknown functions, and the NumPy functions and
methods that return views. Arithmetic, comparisons, elementwise and other
rules, and non-differentiable calls (``len``, ``x.shape``) make new objects.

Runs on normal form.
"""
from __future__ import annotations

import gast
import numpy as np

from s2s.errors import UnsupportedError

from .nodes import pushed, subscript_write, walk_statements

# NumPy functions, methods and attributes whose result may be a view of (or be) an argument.
VIEW_FUNCTIONS = (np.reshape, np.transpose, np.ravel, np.swapaxes, np.moveaxis, np.expand_dims, np.squeeze,
                  np.broadcast_to, np.diagonal, np.flip, np.fliplr, np.flipud, np.asarray, np.asanyarray,
                  np.atleast_1d, np.atleast_2d, np.atleast_3d, np.split, np.array_split, np.real, np.imag)
VIEW_METHODS = {"reshape", "transpose", "ravel", "swapaxes", "squeeze", "view", "diagonal"}
VIEW_ATTRIBUTES = {"T", "real", "imag", "flat", "mT"}


def _shared_operands(value, callees) -> set[str]:
    """Names whose memory the result of the primitive `value` may share."""
    def names(nodes):
        return {n.id for n in nodes if isinstance(n, gast.Name)}

    if isinstance(value, gast.Name):
        return {value.id}
    if isinstance(value, gast.Subscript):
        return names([value.value])
    if isinstance(value, gast.Attribute):
        return names([value.value]) if value.attr in VIEW_ATTRIBUTES or callees.classify_attribute(value).kind \
            in ("unknown",) else set()
    if isinstance(value, (gast.Tuple, gast.List)):
        return names(value.elts)
    if isinstance(value, gast.Dict):
        return names(value.values)
    if isinstance(value, gast.Call):
        callee = callees.classify_call(value)
        operands = list(value.args) + [k.value for k in value.keywords]
        if isinstance(value.func, gast.Attribute) and callee.kind != "nondiff" and (
                value.func.attr in VIEW_METHODS or callee.kind == "unknown"):
            operands.append(value.func.value)
        if callee.kind in ("user", "unknown") or any(callee.obj is f for f in VIEW_FUNCTIONS):
            return names(operands)
        if isinstance(value.func, gast.Attribute) and value.func.attr in VIEW_METHODS:
            return names([value.func.value])
    return set()


def sharing(fn, callees) -> dict[str, set[str]]:
    """{name: every name that may share its memory (itself included)}, for the names
    written in place (``y[i] = v``) and those sharing with them."""
    parent: dict = {}

    def find(v):
        while parent.setdefault(v, v) != v:
            v = parent[v]
        return v

    for s in walk_statements(fn.body):
        edges = []
        if isinstance(s, gast.Assign) and subscript_write(s) is None:
            shared = _shared_operands(s.value, callees)
            edges = [(t.id, m) for t in _target_nodes(s) for m in shared]
        push = pushed(s)
        if push and isinstance(push[1], gast.Name):
            edges.append((push[0], push[1].id))
        for a, b in edges:
            parent[find(a)] = find(b)
    written = {subscript_write(s).value.id for s in walk_statements(fn.body) if subscript_write(s) is not None}
    classes: dict = {}
    for v in list(parent) + list(written):
        classes.setdefault(find(v), set()).add(v)
    return {v: classes[find(v)] for c in classes.values() if c & written for v in c}


def _target_nodes(s):
    return [n for t in s.targets for n in gast.walk(t) if isinstance(n, gast.Name)]


def check_writes(fn, info, callees, temp):
    """Raise `UnsupportedError` where a name sharing memory with an array written in
    place is read after the write: its value changed behind its back."""
    shares = sharing(fn, callees)
    if not shares:
        return
    for s, live in _live_after_writes(fn.body).items():
        y = subscript_write(s).value.id
        stale = sorted(v for v in shares.get(y, ()) if v != y and v in live)
        if stale:
            users = [v for v in stale if not temp(v)]
            if users:
                raise UnsupportedError(
                    f"`{y}` is modified in place here, but `{users[0]}` shares its memory and is read later",
                    info.location(s), f"copy first (`{users[0]} = {y}.copy()` or `{y} = {y}.copy()`), "
                                      "so that each name holds its own array")
            raise UnsupportedError(
                f"`{y}` is modified in place here while a part of it read earlier in this statement is still "
                f"to be used (NumPy may give a view, which the write changes)", info.location(s),
                f"write all the elements at once with index arrays (`{y}[[0, 1]] = {y}[[1, 0]]`), or copy first")


def _live_after_writes(body) -> dict:
    """{write statement: names live just after it} (backward liveness on normal form)."""
    result: dict = {}
    exits: list = []

    def uses(s):
        return {n.id for n in gast.walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}

    def block(stmts, live):
        for s in reversed(stmts):
            live = stmt(s, live)
        return live

    def stmt(s, live):
        if isinstance(s, gast.Break):
            return set(exits[-1])
        if isinstance(s, gast.Assign):
            if subscript_write(s) is not None:
                result[s] = set(live) | result.get(s, set())
                return live | uses(s)  # a partial write: y's other elements live on
            defs = {n.id for n in _target_nodes(s)}
            return (live - defs) | uses(s.value)
        if isinstance(s, gast.If):
            return block(s.body, live) | block(s.orelse, live) | uses(s.test)
        if isinstance(s, (gast.For, gast.While)):
            header = uses(s.iter) if isinstance(s, gast.For) else uses(s.test)
            exits.append(set(live))
            head = set(live) | header
            while True:
                new = head | block(s.body, head)
                if new == head:
                    break
                head = new
            exits.pop()
            return head
        return live | uses(s)

    block(body, set())
    return result
