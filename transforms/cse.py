"""Common subexpressions: a call written more than once in one statement is computed once.

Part of `optimize`. Before: a generated function whose statements may repeat a call -- a
rule's template writes ``mvn_cov(c, mvn_dim(m, c))`` three times in one line, the inverse of a
matrix four times. After: each repeated call is computed once, in a temporary assigned just
before its statement, innermost first, and the statement reads the temporary::

    d_c = f(np.linalg.inv(L) @ g, np.linalg.inv(L))   ->   _e1 = np.linalg.inv(L)
                                                            d_c = f(_e1 @ g, _e1)

Only calls that `pure_call` accepts are shared (functions of NumPy, SciPy's special functions and
s2s's runtime helpers, which have no effects), and of those none that makes a new object its
caller may change in place (`np.zeros`, `np.array`, `copy_of`, `list`, ...) or draws random
numbers. A call is shared only where each of its occurrences is evaluated whenever the statement
is: not inside a branch of ``a if c else b``, after the first operand of ``and``/``or``, or in a
lambda or a comprehension. Statements are never merged with each other, so a value is never
read at another place than where the user's code (or the rule) computes it.
"""
from __future__ import annotations

import gast

from .nodes import ADJOINT, is_adjoint, walk

# Calls that make a new object (which code may change in place) or a new random draw: never shared.
_FRESH = {"zeros", "ones", "empty", "full", "array", "asarray", "asanyarray", "copy", "zeros_like", "ones_like",
          "empty_like", "full_like", "eye", "identity", "arange", "linspace", "copy_of", "deep_copy_of", "list", "tuple", "dict",
          "set", "append", "pop", "grad_seed"}
_STATEMENTS = (gast.Assign, gast.Return, gast.Expr)


def share_subexpressions(fn: gast.FunctionDef, pure_call, fresh_name) -> gast.FunctionDef:
    """`fn` with repeated pure calls of a statement computed once (see above); `fresh_name()` gives
    a new temporary's name."""
    fn.body = _block(fn.body, pure_call, fresh_name)
    return fn


def _block(stmts, pure_call, fresh_name):
    out = []
    for s in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, _block(getattr(s, field), pure_call, fresh_name))
        if isinstance(s, _STATEMENTS) and getattr(s, "value", None) is not None:
            while True:
                repeated = _innermost_repeated(s.value, pure_call)
                if repeated is None:
                    break
                temp = fresh_name()
                assign = gast.Assign(targets=[gast.Name(id=temp, ctx=gast.Store(), annotation=None, type_comment=None)],
                                     value=repeated, type_comment=None)
                gast.copy_location(assign, s)
                setattr(assign, ADJOINT, is_adjoint(s))   # cited with its statement
                out.append(assign)
                s.value = _Replace(gast.dump(repeated), temp).visit(s.value)
        out.append(s)
    return out


def _innermost_repeated(expr, pure_call):
    """A call occurring at least twice where `expr` always evaluates it, with no repeated call
    inside it; None if there is none."""
    names = [_callee_name(node) for node in walk(expr) if type(node) is gast.Call]
    if len(set(names)) == len(names):   # most statements (a quick look first: a call repeated names
        return None                     # its callee twice)
    calls = [node for node in _unconditional(expr) if isinstance(node, gast.Call)]
    if len(calls) < 2:   # nothing to compare (gast.dump is the cost here)
        return None
    seen: dict = {}
    order = []
    for node in calls:
        if _shareable(node, pure_call):
            key = gast.dump(node)
            if key not in seen:
                order.append(key)
            seen.setdefault(key, []).append(node)
    for key in order:   # post-order: inner calls come before the calls that contain them
        if len(seen[key]) > 1:
            return seen[key][0]
    return None


def _unconditional(node):
    """The nodes of `node` that are evaluated whenever it is, children before parents."""
    if isinstance(node, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp)):
        return
    if isinstance(node, gast.IfExp):
        yield from _unconditional(node.test)
        return
    if isinstance(node, gast.BoolOp):
        yield from _unconditional(node.values[0])
        return
    for child in gast.iter_child_nodes(node):
        yield from _unconditional(child)
    yield node


def _shareable(call, pure_call) -> bool:
    calls = [n for n in walk(call) if isinstance(n, gast.Call)]
    if any(not pure_call(c) or _callee_name(c) in _FRESH or "random" in _path(c.func) for c in calls):
        return False
    return not any(isinstance(n, (gast.Lambda, gast.ListComp, gast.SetComp, gast.DictComp, gast.GeneratorExp,
                                  gast.NamedExpr, gast.Yield, gast.Await)) for n in walk(call))


def _callee_name(call) -> str:
    func = call.func
    return func.attr if isinstance(func, gast.Attribute) else getattr(func, "id", "")


def _path(func) -> str:
    parts = []
    while isinstance(func, gast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, gast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


class _Replace(gast.NodeTransformer):
    """Every occurrence of the expression dumped as `key`, where it is evaluated unconditionally,
    read from the name `temp` (conditional occurrences are left as they are)."""

    def __init__(self, key, temp):
        self.key, self.temp = key, temp

    def visit(self, node):
        if isinstance(node, gast.Call) and gast.dump(node) == self.key:
            return gast.copy_location(gast.Name(id=self.temp, ctx=gast.Load(), annotation=None, type_comment=None),
                                      node)
        return super().visit(node)

    def visit_IfExp(self, node):
        node.test = self.visit(node.test)
        return node

    def visit_BoolOp(self, node):
        node.values[0] = self.visit(node.values[0])
        return node

    def visit_Lambda(self, node):
        return node

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda
