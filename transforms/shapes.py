"""Same-shape analysis: which variables provably have the same shape as another.

Within one straight-line block, ``t = op(x, ...)`` gives ``t`` the shape of
``x`` when ``op`` is a copy, a negation, an elementwise operation whose
other operands are scalars or already of ``x``'s shape, or a rule marked
``keeps_shape`` (``np.roll``). Each variable maps to a *representative*: the
earliest variable of its shape class still holding the value it had.
Assigning a variable removes it (and everything it represents) from the
map; a nested block removes every name it assigns, and starts empty.

Reverse mode uses this to skip summing a cotangent back over broadcast axes
when the two shapes are provably equal, and to read a shape from a variable
it reads anyway, so that nothing is recorded only for its shape.
"""
from __future__ import annotations

import gast

from s2s import rules

from .callees import call_arguments
from .nodes import target_names


def same_shapes(body, callees, scalars) -> dict:
    """{assignment: {name: representative}} valid right after each assignment."""
    after: dict = {}

    def is_scalar(node):
        return isinstance(node, gast.Constant) or (isinstance(node, gast.Name) and node.id in scalars)

    def shape_source(value, rep):
        """The representative whose shape `value` has, or None."""
        def of(node):
            return rep.get(node.id, node.id) if isinstance(node, gast.Name) else None

        if isinstance(value, gast.Name):
            return of(value)
        if isinstance(value, gast.UnaryOp) and not isinstance(value.op, gast.Not):
            return of(value.operand)
        operands, rule = None, None
        if isinstance(value, gast.BinOp):
            rule = rules.lookup(rules.BINOPS[type(value.op)])
            operands = [value.left, value.right]
        elif isinstance(value, gast.Call):
            callee = callees.classify_call(value)
            if callee.kind != "rule":
                return None
            rule = callee.rule
            args, kwargs = call_arguments(callee, value)
            try:
                bound = rule.bind(args, kwargs)
            except TypeError:
                return None
            if rule.keeps_shape:
                return of(bound[rule.params[0]])
            operands = [bound[p] for p in rule.params if p in bound]
        if rule is None or not rule.elementwise:
            return None
        classes = {of(o) for o in operands if not is_scalar(o)}
        return classes.pop() if len(classes) == 1 and None not in classes else None

    def block(stmts):
        rep: dict = {}
        for s in stmts:
            if isinstance(s, gast.Assign):
                written = set(target_names(s))
                source = shape_source(s.value, rep) if len(written) == 1 else None
                rep = {k: v for k, v in rep.items() if k not in written and v not in written}
                if source is not None and source not in written:
                    rep[next(iter(written))] = source
                after[s] = dict(rep)
            elif isinstance(s, (gast.If, gast.For, gast.While)):
                written = {n.id for n in gast.walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
                rep = {k: v for k, v in rep.items() if k not in written and v not in written}
                for field in ("body", "orelse"):
                    block(getattr(s, field))
        return after

    return block(body)
