"""Fence: reject, with a location and a hint, what s2s does not differentiate.

Before: a parsed user ``FunctionDef``. After: the same tree, unchanged, known
to use only the supported subset of Python (SPEC §7). Anything outside it
raises `UnsupportedError` here, at generation time, so no construct that is
not understood can produce a silently wrong gradient later.
"""
from __future__ import annotations

import gast

from s2s.errors import UnsupportedError

from .nodes import walk

_STATEMENTS = {
    gast.Global: ("`global` is not supported", "pass the value in as an argument, or read the global without assigning it"),
    gast.Nonlocal: ("`nonlocal` is not supported", "return the new value instead of assigning an enclosing variable"),
    gast.Try: ("`try` is not supported", "move the try/except outside the differentiated function"),
    gast.With: ("`with` is not supported", "move the with-block outside the differentiated function"),
    gast.AsyncWith: ("`async with` is not supported", "differentiate a plain (non-async) function"),
    gast.AsyncFor: ("`async for` is not supported", "differentiate a plain (non-async) function"),
    gast.AsyncFunctionDef: ("async functions are not supported", "differentiate a plain (non-async) function"),
    gast.ClassDef: ("class definitions are not supported inside a differentiated function", "define the class at module level"),
    gast.Delete: ("`del` is not supported", "let the variable go out of scope instead"),
    gast.Import: ("`import` inside a differentiated function is not supported", "import at module level"),
    gast.ImportFrom: ("`import` inside a differentiated function is not supported", "import at module level"),
    gast.Match: ("`match` is not supported", "use if/elif/else"),
}
_EXPRESSIONS = {
    gast.Yield: ("`yield` is not supported: generators cannot be differentiated", "return a value (or a list of values) instead"),
    gast.YieldFrom: ("`yield from` is not supported", "return a value instead"),
    gast.Await: ("`await` is not supported", "differentiate a plain (non-async) function"),
    gast.SetComp: ("set comprehensions are not supported", "write the loop out with a for statement"),
    gast.DictComp: ("dict comprehensions are not supported", "write the loop out with a for statement"),
    gast.Set: ("set literals are not supported", "use a tuple or list"),
    gast.NamedExpr: ("the walrus operator `:=` is not supported", "assign with `=` on its own line"),
}
_STARRED = ("`*xs` is supported in a call (`f(*xs)`), a tuple or list (`(*shape, 2)`) and as an assignment "
            "target (`a, *rest = xs`), not here", "pass the values explicitly")
_FORBIDDEN_CALLS = {"exec", "eval", "globals", "locals", "vars", "setattr", "delattr", "compile", "__import__"}


def fence(fn: gast.FunctionDef, info) -> gast.FunctionDef:
    """Raise `UnsupportedError` at the first unsupported construct in `fn`."""
    def fail(node, message, hint):
        raise UnsupportedError(message, info.location(node), hint)

    body = gast.Module(body=fn.body, type_ignores=[])
    nodes = list(walk(body))
    allowed: set = set()
    if any(type(n) is gast.Starred for n in nodes):   # where `*xs` may be
        allowed = {id(a) for n in nodes if isinstance(n, gast.Call) for a in n.args}  # f(*xs)
        allowed |= {id(e) for n in nodes if isinstance(n, (gast.Assign, gast.For))
                    for t in (n.targets if isinstance(n, gast.Assign) else [n.target])
                    for e in walk(t) if isinstance(t, (gast.Tuple, gast.List))}  # a, *rest = xs
        allowed |= {id(e) for n in nodes if isinstance(n, (gast.Tuple, gast.List)) for e in n.elts}  # (*s, 2)
    for node in nodes:
        kind = type(node)
        if kind is gast.Starred and id(node) not in allowed:
            fail(node, *_STARRED)
        if kind in _STATEMENTS:
            fail(node, *_STATEMENTS[kind])
        if kind in _EXPRESSIONS:
            fail(node, *_EXPRESSIONS[kind])
        if isinstance(node, (gast.ListComp, gast.GeneratorExp)) and any(g.is_async for g in node.generators):
            fail(node, "`async for` in a comprehension is not supported", "differentiate a plain (non-async) function")
        if isinstance(node, (gast.For, gast.While)) and node.orelse:
            fail(node, "`else` on a loop is not supported", "set a flag before `break` and test it after the loop")
        if isinstance(node, (gast.Assign, gast.AugAssign, gast.AnnAssign)):
            targets = node.targets if isinstance(node, gast.Assign) else [node.target]
            for target in targets:
                for t in walk(target):
                    if isinstance(t, gast.Subscript) and isinstance(t.ctx, gast.Store) \
                            and not isinstance(t.value, gast.Name):
                        fail(t, "assigning into a subscript of an expression (`y[i][j] = ...`) is not supported",
                             "index once, with a tuple: `y[i, j] = ...`, or assign the inner object to a name")
                    if isinstance(t, gast.Attribute) and isinstance(t.ctx, gast.Store):
                        fail(t, "assigning to an attribute is not supported", "use a local variable")
        if isinstance(node, gast.Dict) and not all(
                isinstance(k, gast.Constant) and isinstance(k.value, str) for k in node.keys):
            fail(node, "a dict literal needs string constants as keys (and no `**` unpacking)",
                 "write the keys out as strings: {\"W\": W, \"b\": b}")
        if isinstance(node, gast.Call):
            if isinstance(node.func, gast.Name) and node.func.id in _FORBIDDEN_CALLS:
                fail(node, f"`{node.func.id}()` is not supported: s2s cannot see the code it runs",
                     "write the code out directly")
    _refuse_kept_generators(fn, nodes, fail)
    return fn


def _refuse_kept_generators(fn, nodes, fail):
    """A generator expression kept in a name (``g = (x * k for k in ks)``) runs when it is consumed:
    it reads the variables of its function then, not where it is written, which is where s2s
    evaluates it. Refused where one of them is assigned in between: after its line and before the
    first line that reads the generator (anywhere after it, where nothing reads it)."""
    for s in nodes:
        if not (isinstance(s, gast.Assign) and (isinstance(s.value, gast.GeneratorExp) or _lazy_call(s.value))):
            continue
        gen = s.value
        if isinstance(gen, gast.GeneratorExp):
            own = {n.id for c in gen.generators for n in walk(c.target) if isinstance(n, gast.Name)}
            first = {id(n) for n in walk(gen.generators[0].iter)}   # (evaluated where it is written)
            what = "a generator expression kept in a variable"
        else:   # `r = reversed(xs)`, `m = map(f, xs)`: the objects are taken here, what they hold later
            own, first, what = set(), {id(n) for n in walk(gen)}, f"`{gen.func.id}(...)` kept in a variable"
        lazy = {n.id for n in walk(gen) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
                and id(n) not in first} - own
        iterated = {n.id for n in walk(gen) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
                    and id(n) in first} | lazy
        kept = {t.id for t in s.targets if isinstance(t, gast.Name)}
        reads = [n.lineno for n in nodes if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)
                 and n.id in kept and (getattr(n, "lineno", 0) or 0) > s.lineno]
        consumed = min(reads, default=float("inf"))
        for n in nodes:
            if not s.lineno < (getattr(n, "lineno", 0) or 0) < consumed:
                continue
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store) and n.id in lazy:
                fail(gen, f"{what} reads `{n.id}` when it is consumed, after `{n.id}` is assigned again; s2s "
                          "evaluates it where it is written",
                     "make it a list comprehension `[...]` (`list(...)`), or pass it straight to what consumes it")
            changed = _changed_in_place(n)
            if changed in iterated:
                fail(gen, f"{what} reads what `{changed}` holds when it is consumed, after `{changed}` is changed "
                          "in place; s2s evaluates it where it is written",
                     "make it a list comprehension `[...]` (`list(...)`), or pass it straight to what consumes it")


_LAZY_BUILTINS = ("reversed", "filter", "zip", "enumerate", "iter")   # (`map` is read where it is consumed)
_CHANGING_METHODS = ("append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem", "sort",
                     "reverse", "fill", "resize", "put", "partition", "itemset", "__setitem__", "__iadd__")


def _lazy_call(value) -> bool:
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and value.func.id in _LAZY_BUILTINS


def _changed_in_place(node):
    """The name the statement `node` changes in place (``y[i] = v``, ``y += v``, ``ys.append(v)``), or None."""
    target = node.targets[0] if isinstance(node, gast.Assign) else node.target if isinstance(node, gast.AugAssign) \
        else None
    if isinstance(node, gast.Expr) and isinstance(node.value, gast.Call) and isinstance(node.value.func, gast.Attribute) \
            and node.value.func.attr in _CHANGING_METHODS:
        target = node.value.func.value
    if target is None or isinstance(node, gast.Assign) and isinstance(target, gast.Name):
        return None
    while isinstance(target, (gast.Subscript, gast.Attribute)):
        target = target.value
    return target.id if isinstance(target, gast.Name) else None
