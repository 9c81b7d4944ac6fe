"""Generators: a generator function that a `for` loop consumes, as the list of what it yields.

Before: a parsed `FunctionDef` (before `fence`). After: if its body yields,
the same function building and returning a list::

    def unpack_layers(weights):            def unpack_layers(weights):
        for m, n in shapes:                    _yielded = []
            yield weights[:m * n], ...  ->     for m, n in shapes:
            weights = weights[...]                 _yielded.append((weights[:m * n], ...))
                                                   weights = weights[...]
                                               return _yielded

Iterating the list gives what iterating the generator gives, in the same
order, as long as nothing else runs between the items (s2s's functions have
no effects but their values) and the generator ends by itself: so a
generator with a `while` loop (which may run forever, waiting for its
consumer to stop), `yield` used as a value (`x = yield v`), `yield from`,
and `return v` are refused, as before.
"""
from __future__ import annotations

import gast

from s2s.errors import UnsupportedError

from .nodes import walk


def generators(fn: gast.FunctionDef, info, name: str) -> gast.FunctionDef:
    """`fn` with its `yield`s appending to a list it returns, if it is a generator s2s can list."""
    if not any(isinstance(n, (gast.Yield, gast.YieldFrom)) for n in walk(fn)):   # (most functions: the
        return fn                                                                 # quick walk first)
    yields = [n for n in _own_nodes(fn) if isinstance(n, (gast.Yield, gast.YieldFrom))]
    if not yields:
        return fn
    for node in _own_nodes(fn):
        problem = _problem(node, fn)
        if problem:
            raise UnsupportedError(f"a generator is differentiated as the list of what it yields; {problem}",
                                   info.location(node), "return a list of the values instead")
    items = gast.Name(id=name, ctx=gast.Load(), annotation=None, type_comment=None)
    _Append(name).visit(fn)
    start = gast.Assign(targets=[gast.Name(id=name, ctx=gast.Store(), annotation=None, type_comment=None)],
                        value=gast.List(elts=[], ctx=gast.Load()))
    fn.body = [gast.copy_location(start, fn.body[0])] + fn.body
    fn.body.append(gast.copy_location(gast.Return(value=items), fn.body[-1]))
    return fn


def _own_nodes(fn):
    """The nodes of `fn`'s body, not of functions or lambdas defined in it."""
    todo = list(fn.body)
    while todo:
        node = todo.pop()
        yield node
        for child in gast.iter_child_nodes(node):
            if not isinstance(child, (gast.FunctionDef, gast.AsyncFunctionDef, gast.Lambda)):
                todo.append(child)


def _problem(node, fn):
    if isinstance(node, gast.YieldFrom):
        return "`yield from` is not supported"
    if isinstance(node, gast.While):
        return "one with a `while` loop may not end by itself, and is not supported"
    if isinstance(node, gast.Return) and node.value is not None:
        return "`return` with a value in a generator is not supported"
    if isinstance(node, gast.Yield) and not _statement_yields(fn, node):
        return "`yield` used as a value is not supported"
    return None


def _statement_yields(fn, node) -> bool:
    return any(isinstance(s, gast.Expr) and s.value is node for s in _own_nodes(fn))


class _Append(gast.NodeTransformer):
    """`yield v` -> `items.append(v)`; `return` -> `return items`."""

    def __init__(self, name):
        self.name = name

    def visit_FunctionDef(self, node):
        if getattr(self, "_inside", False):
            return node   # a nested def keeps its own yields
        self._inside = True
        self.generic_visit(node)
        return node

    visit_Lambda = visit_AsyncFunctionDef = lambda self, node: node

    def visit_Expr(self, node):
        if isinstance(node.value, gast.Yield):
            value = node.value.value or gast.Constant(value=None, kind=None)
            append = gast.Attribute(value=gast.Name(id=self.name, ctx=gast.Load(), annotation=None, type_comment=None),
                                    attr="append", ctx=gast.Load())
            return gast.copy_location(gast.Expr(value=gast.Call(func=append, args=[value], keywords=[])), node)
        return node

    def visit_Return(self, node):
        return gast.copy_location(gast.Return(value=gast.Name(id=self.name, ctx=gast.Load(), annotation=None,
                                                              type_comment=None)), node)
