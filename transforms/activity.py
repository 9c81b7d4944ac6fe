"""Activity analysis: which variables carry derivatives.

A variable is *varied* if its value depends, through differentiable
operations, on a ``wrt`` parameter, and *useful* if the returned value
depends on it through differentiable operations. It is *active* if both.
Only active variables get adjoints (reverse mode) or tangents (forward mode).

The analysis is flow-insensitive (a variable is active if any of its
assignments makes it so): an over-approximation, which can cost an unneeded
adjoint but never a missing one. It runs on normal form, where every
assignment is one primitive, and reads derivative rules to know which
operands of a call are differentiable.
"""
from __future__ import annotations

import dataclasses

import gast

from s2s import rules

from .callees import Callees, call_arguments
from .nodes import name_nodes, pushed, walk_statements


@dataclasses.dataclass
class Activity:
    varied: set
    useful: set

    @property
    def active(self) -> set:
        return self.varied & self.useful

    def is_active(self, name: str) -> bool:
        return name in self.varied and name in self.useful


def diff_operands(value, callees: Callees) -> set[str]:
    """Names whose derivative flows into the primitive `value`."""
    if isinstance(value, gast.Name):
        return {value.id}
    if isinstance(value, gast.BinOp):
        if rules.lookup(rules.BINOPS[type(value.op)]).nondiff:
            return set()
        return _names(value.left) | _names(value.right)
    if isinstance(value, gast.UnaryOp):
        return set() if rules.lookup(rules.UNARYOPS[type(value.op)]).nondiff else _names(value.operand)
    if isinstance(value, gast.Call):
        callee = callees.classify_call(value)
        args, kwargs = call_arguments(callee, value)
        if callee.kind == "nondiff":
            return set()
        if callee.kind == "rule":
            try:
                bound = callee.rule.bind(args, kwargs)
            except TypeError:
                return set().union(*map(_names, args + list(kwargs.values())))
            refused = callee.rule.constant  # (so that a call refused for them is reached)
            return set().union(*(_names(bound[p]) for p in callee.rule.diff_params() + list(refused) if p in bound))
        called = _names(value.func) & callees.locals  # a function value made here may close over active values
        return called.union(*map(_names, args + list(kwargs.values())))
    if isinstance(value, gast.Subscript):
        if isinstance(value.value, gast.Attribute):  # `np.r_[a, b]`: refused if a or b carries a derivative
            return {n.id for n in name_nodes(value.slice)}
        return _names(value.value)
    if isinstance(value, gast.Attribute):
        callee = callees.classify_attribute(value)
        return set() if callee.kind == "nondiff" else _names(value.value)
    if isinstance(value, (gast.Tuple, gast.List)):
        return set().union(*map(_names, value.elts)) if value.elts else set()
    if isinstance(value, gast.Dict):
        return set().union(*map(_names, value.values)) if value.values else set()
    return set()  # constants, comparisons, strings


def _names(node) -> set[str]:
    if isinstance(node, tuple):  # the arguments bound to a rule's *varargs
        return set().union(*map(_names, node))
    return {node.id} if isinstance(node, gast.Name) else set()


def activity(fn: gast.FunctionDef, wrt: list[str], callees: Callees) -> Activity:
    assigns = [s for s in walk_statements(fn.body) if isinstance(s, gast.Assign)]
    flows = []  # (targets, operands)
    for s in assigns:
        targets = {n.id for t in s.targets for n in name_nodes(t)}
        flows.append((targets, diff_operands(s.value, callees)))
    for s in walk_statements(fn.body):  # `xs.append(v)`: the list now holds v
        push = pushed(s)
        if push and isinstance(push[1], gast.Name):
            flows.append(({push[0]}, {push[1].id}))
    varied = set(wrt)
    changed = True
    while changed:
        changed = False
        for targets, operands in flows:
            if operands & varied and not targets <= varied:
                varied |= targets
                changed = True
    returns = [s for s in walk_statements(fn.body) if isinstance(s, gast.Return)]
    useful = {s.value.id for s in returns if isinstance(s.value, gast.Name)}
    changed = True
    while changed:
        changed = False
        for targets, operands in flows:
            if targets & useful and not operands <= useful:
                useful |= operands
                changed = True
    return Activity(varied, useful)

