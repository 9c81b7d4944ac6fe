"""Optimise: constant folding, copy propagation, shared subexpressions and dead code, on generated functions.

Before and after: a derivative ``FunctionDef`` (see `assemble`). After, no
assignment computes a value nobody reads, no adjoint is a mere copy of
another within a block, and arithmetic on literals is folded.

Folding keeps shapes and NaN: ``e * 1``, ``1 * e``, ``e ** 1`` and
``--e`` become ``e`` (same value, same shape, NaN stays NaN), literal
arithmetic is evaluated, and a conditional on a literal picks its branch.
``e * 0`` is *not* folded: ``nan * 0`` is ``nan`` and ``x * 0`` has
``x``'s shape.

Zero adjoints are not created in the first place (reverse mode tracks which
adjoints are known to be zero as it generates them).
"""
from __future__ import annotations

import operator

import gast

from .cse import share_subexpressions
from .nodes import NameMap, loaded_names, name_nodes, rewrite, subscript_write, target_names, walk

_FOLD = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
         gast.Div: operator.truediv, gast.Pow: operator.pow, gast.FloorDiv: operator.floordiv}
_COMPARE = {gast.Is: operator.is_, gast.IsNot: operator.is_not, gast.Eq: operator.eq, gast.NotEq: operator.ne}


def optimize(fn: gast.FunctionDef, pure_call, derivative_name, fresh_name=None, simplify=None) -> gast.FunctionDef:
    """`pure_call(call_node)`: may the call go when its result is unused?
    `derivative_name(name)`: is it an adjoint or tangent s2s made (copies of those propagate)?
    `fresh_name()`: a new temporary, for a call a statement repeats (`cse`); None: none shared.
    `simplify(fn)`: in code for known shapes or for numbers, `algebra.simplify_adjoint_arithmetic`."""
    fn = rewrite(fn, _FOLDS)
    fn.body = _propagate_copies(fn.body, derivative_name)
    if simplify is not None:
        fn = simplify(fn)
        fn.body = _propagate_copies(fn.body, derivative_name)
    if fresh_name is not None:
        fn = share_subexpressions(fn, pure_call, fresh_name)
    _eliminate_dead_code(fn, pure_call)   # one sweep: what it removes reads nothing in it (see there)
    return fn


# ---- constant folding ------------------------------------------------------------------
def _number(node):
    return isinstance(node, gast.Constant) and type(node.value) in (int, float, bool)  # (2 - True: 1)


def _is_one(node):
    return isinstance(node, gast.Constant) and type(node.value) is int and node.value == 1


def _negated(node):
    """`b` if `node` is `-b` or `-b * c` (as `b * c`); IEEE negation is exact."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return node.operand
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)) and _negated(node.left) is not None:
        return gast.BinOp(left=_negated(node.left), op=node.op, right=node.right)
    return None


# each folds a node whose children are folded already (`nodes.rewrite`)
def _fold_BinOp(node):
    left, right = node.left, node.right
    if _number(left) and _number(right) and type(node.op) in _FOLD:
        try:
            value = _FOLD[type(node.op)](left.value, right.value)
        except (ArithmeticError, ValueError):
            return node
        if isinstance(value, (int, float)) and abs(value) < 1e15:
            return gast.Constant(value=value, kind=None)
    if isinstance(node.op, gast.Add) and _negated(right) is not None:  # a + -b -> a - b (exact)
        return gast.BinOp(left=left, op=gast.Sub(), right=_negated(right))
    if isinstance(node.op, gast.Mult) and _is_one(right):
        return left
    if isinstance(node.op, gast.Mult) and _is_one(left):
        return right
    if isinstance(node.op, (gast.Div, gast.Pow)) and _is_one(right):
        return left
    return node


def _fold_UnaryOp(node):
    operand = node.operand
    if isinstance(node.op, gast.USub):
        if _number(operand):
            return gast.Constant(value=-operand.value, kind=None)
        if isinstance(operand, gast.UnaryOp) and isinstance(operand.op, gast.USub):
            return operand.operand
    return node


def _fold_Compare(node):
    if len(node.ops) == 1 and type(node.ops[0]) in _COMPARE and isinstance(node.left, gast.Constant) \
            and isinstance(node.comparators[0], gast.Constant):
        value = _COMPARE[type(node.ops[0])](node.left.value, node.comparators[0].value)
        return gast.Constant(value=bool(value), kind=None)
    return node


def _fold_Call(node):
    func = node.func
    if (isinstance(func, gast.Attribute) and func.attr == "negative" and isinstance(func.value, gast.Name)
            and func.value.id == "np" and len(node.args) == 1 and not node.keywords):
        arg = node.args[0]
        if _number(arg):
            return gast.Constant(value=-arg.value, kind=None)
        if isinstance(arg, gast.Tuple) and all(_number(e) for e in arg.elts):
            return gast.Tuple(elts=[gast.Constant(value=-e.value, kind=None) for e in arg.elts], ctx=gast.Load())
    return node


def _fold_IfExp(node):
    if isinstance(node.test, gast.Constant):
        return node.body if node.test.value else node.orelse
    return node


_FOLDS = {gast.BinOp: _fold_BinOp, gast.UnaryOp: _fold_UnaryOp, gast.Compare: _fold_Compare,
          gast.Call: _fold_Call, gast.IfExp: _fold_IfExp}


# ---- copy propagation ------------------------------------------------------------------
def _propagate_copies(stmts, derivative_name):
    """Within one block: after `d_a = d_b` (both adjoints, or both tangents), read
    `d_b` for `d_a` until either is assigned again; nested blocks on their own."""
    for s in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, _propagate_copies(getattr(s, field), derivative_name))
    copies = NameMap()
    for s in stmts:
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and _self_copy(s):
            continue   # `d = d` (unbroadcast of an array of its own shape) changes nothing: dead code drops it
        compound = isinstance(s, (gast.If, gast.For, gast.While))
        written = _written_inside(s) if compound else set(target_names(s)) if isinstance(s, gast.Assign) else set()
        if compound:  # a loop body runs again after its own assignments: drop what it breaks first
            copies.forget(written)
        if copies:
            for n in name_nodes(s):
                if type(n.ctx) is gast.Load and n.id in copies:
                    n.id = copies[n.id]
        copies.forget(written)
        if isinstance(s, gast.Assign) and isinstance(s.value, gast.Name) and isinstance(s.targets[0], gast.Name) \
                and s.targets[0].id != s.value.id and derivative_name(s.targets[0].id) and derivative_name(s.value.id):
            copies.put(s.targets[0].id, s.value.id)
    return stmts


def _written_inside(s):
    return {n.id for n in name_nodes(s) if isinstance(n.ctx, gast.Store)}


# ---- dead code -------------------------------------------------------------------------
def _self_copy(s) -> bool:
    target = s.targets[0]
    return isinstance(target, gast.Name) and isinstance(s.value, gast.Name) and s.value.id == target.id


def _eliminate_dead_code(fn, pure_call) -> bool:
    """One backward liveness sweep that drops dead pure assignments and empty
    blocks; returns whether anything was removed. A statement it drops adds nothing to
    what is live, and liveness around a loop's back edge is found before its body is
    edited, so a second sweep finds nothing more (none did, over the whole test suite)."""
    changed = [False]

    def removable(s, live):
        if not isinstance(s, gast.Assign) or subscript_write(s) is not None:
            return False
        if _self_copy(s):  # `x = x`, left behind by copy propagation
            return True
        return (not any(t in live for t in target_names(s))
                and all(pure_call(c) for c in walk(s.value) if isinstance(c, gast.Call)))

    exits: list = []  # live sets after the enclosing loops: what a break leads to

    def block(stmts, live, edit):
        out = []
        live = set(live)   # updated in place below
        for s in reversed(stmts):
            if isinstance(s, gast.Break):
                live = set(exits[-1])
            elif isinstance(s, gast.Assign):
                if removable(s, live):
                    changed[0] |= edit
                    continue
                if subscript_write(s) is not None:  # y[i] = v: y's other elements live on
                    live |= loaded_names(s)
                else:
                    live.difference_update(target_names(s))
                    live |= loaded_names(s.value)
            elif isinstance(s, gast.If):
                body, l1 = block(s.body, live, edit)
                orelse, l2 = block(s.orelse, live, edit)
                if edit:
                    s.body, s.orelse = body, orelse
                if not body and not orelse and all(pure_call(c) for c in walk(s.test) if isinstance(c, gast.Call)):
                    changed[0] |= edit
                    continue
                if not body and not orelse and edit:   # (an empty body with an else: `if not c:`, written so)
                    s.body = [gast.Pass()]
                live = l1 | l2 | loaded_names(s.test)
            elif isinstance(s, (gast.For, gast.While)):
                header = s.iter if isinstance(s, gast.For) else s.test
                # a while test runs again after every iteration
                head = set(live) | (loaded_names(header) if isinstance(s, gast.While) else set())
                exits.append(set(live))
                while True:  # liveness around the back edge, without editing
                    _, body_live = block(s.body, head, False)
                    if head | body_live == head:
                        break
                    head |= body_live
                body, body_live = block(s.body, head, edit)
                exits.pop()
                if edit:
                    s.body = body
                if not body and isinstance(s, gast.For) and all(
                        pure_call(c) for c in walk(header) if isinstance(c, gast.Call)) \
                        and not set(target_names(s)) & live:   # (its names, read after it, are what it leaves)
                    changed[0] |= edit
                    continue
                if not body and edit:
                    s.body = [gast.Pass()]
                live = head | body_live | loaded_names(header)
            else:
                live |= loaded_names(s)
            out.append(s)
        return list(reversed(out)), live

    fn.body, _ = block(fn.body, set(), True)
    return changed[0]
