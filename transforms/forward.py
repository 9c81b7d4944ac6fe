"""Forward mode: a tangent statement beside each primal statement.

Before: a normal-form ``FunctionDef`` and its `Activity`.
After: a `Tangents` -- the body with, right after each primal statement whose
target is active, the statement computing its tangent ``t_<name>``; calls
to user functions with active arguments replaced by their ``jvp_g``
derivative (``y, t_y = jvp_g(a, t_a=t_x)``); control flow kept as it is.

Tangents are the forward parts of the rules (`Rule.jvp_terms`): one term
per active argument, summed. Tangents known to be zero are tracked while
generating, as adjoints are in reverse mode: a statement whose inputs all
have zero tangents gets none, and where control flow merges a zero with a
non-zero tangent, ``t_x = zeros_like(x)`` materialises it. Nothing is
recorded: forward mode needs no stack.
"""
from __future__ import annotations

import copy
import dataclasses

import gast

from s2s import rules
from s2s.errors import NoRuleError, UnsupportedError

from .callees import receiver_args, call_arguments, entries_read
from .nodes import (assign, at, call, const, expr_stmt, name, name_nodes, param_names, popped, pushed, stack_names,
                    subscript_write, target_names)
from .reverse import UserCall  # noqa: F401  (the same record of a derived call)
from .shapes import containers, range_indices, same_shapes


@dataclasses.dataclass
class Tangents:
    params: object          # the primal's arguments node
    body: list              # primal and tangent statements, without the return
    out: str                # the returned variable
    out_is_zero: bool       # its tangent is known to be zero


class _Forward:
    def __init__(self, fn, info, namer, act, callees, derive_call):
        self.fn, self.info, self.namer, self.act, self.callees = fn, info, namer, act, callees
        self.derive_call = derive_call
        self.containers = containers(fn)
        self.entries_read = entries_read(fn, callees, act.is_active)  # as in reverse mode: entries never read get a zero tangent
        self.stacks = {v for v in stack_names(fn.body) if act.is_active(v)}
        self.scalars = range_indices(fn)
        self.shapes = same_shapes(fn.body, callees, self.scalars)
        self.breaks: list = []   # per enclosing loop: the zero-tangent states at its breaks
        self.exits: list = []    # per enclosing loop: its exit state, once known

    def fail(self, node, message, hint=None, error=UnsupportedError):
        raise error(message, self.info.location(node), hint)

    def t(self, v):
        return self.namer.tangent(v)

    def tangent_or_zero(self, v, zero):
        """The tangent of name `v`, or an explicit zero of its shape."""
        if self.act.is_active(v) and v not in zero:
            return name(self.t(v))
        return call(self.namer.helper("zeros_like"), name(v))

    # ---- blocks and control flow -------------------------------------------------------
    def block(self, stmts, zero):
        """(code, zero tangents after it, or None if control never falls out of it). `zero` (those
        zero before it) is copied once here; the statements update the copy in place."""
        out = []
        zero = set(zero)
        for s in stmts:
            code, zero = self.stmt(s, zero)
            out += code
            if zero is None:
                break
        return out, zero

    def stmt(self, s, zero):
        if isinstance(s, gast.Assign):
            return self.assignment(s, zero), zero
        push = pushed(s)
        if push and push[0] in self.stacks:
            stack, value = push
            live = isinstance(value, gast.Name) and self.act.is_active(value.id) and value.id not in zero
            if stack in zero and not live:  # a zero list stays zero
                return [s], zero
            before = [self.materialise(stack, s)] if stack in zero else []  # zeros for what it holds now
            zero.discard(stack)
            item = self.tangent_or_zero(value.id, zero) if isinstance(value, gast.Name) else const(0.0)
            return before + [s, expr_stmt(call(self.t(stack) + ".append", item), s)], zero
        if isinstance(s, gast.Break):
            # control goes to the loop's exit: record this state, and zero there what the
            # exit state (known on the final pass over the loop) takes to be non-zero
            self.breaks[-1].append(frozenset(zero))
            exit_zero = self.exits[-1]
            before = [] if exit_zero is None else [self.materialise(v, s) for v in sorted(zero - exit_zero)]
            return before + [s], None
        if isinstance(s, gast.If):
            body, z1 = self.block(s.body, zero)
            orelse, z2 = self.block(s.orelse, zero)
            if z1 is not None and z2 is not None:
                body += [self.materialise(v, s) for v in sorted(z1 - z2)]
                orelse += [self.materialise(v, s) for v in sorted(z2 - z1)]
                merged = z1 & z2
            else:  # a branch that breaks does not reach the statement after the if
                merged = z2 if z1 is None else z1
            return [at(gast.If(test=s.test, body=body, orelse=orelse), s)], merged
        if isinstance(s, (gast.For, gast.While)):
            start = frozenset(zero)
            self.exits.append(None)
            while True:
                self.breaks.append([])
                body, end = self.block(s.body, start)
                breaks = self.breaks.pop()
                new_start = frozenset(zero) & (end if end is not None else start)
                if new_start == start:
                    break
                start = new_start
            exit_zero = frozenset(start).intersection(*breaks)
            self.exits[-1] = exit_zero
            self.breaks.append([])
            body, end = self.block(s.body, start)  # the final pass, with zeros before each break
            self.breaks.pop()
            self.exits.pop()
            used = {n.id for st in body for n in name_nodes(st)}
            before = [self.materialise(v, s) for v in sorted(set(zero) - start) if self.t(v) in used]
            # zero on every path that does not break, but not after the loop: zero it up front,
            # for the loop's normal exit (the body leaves it alone until it breaks)
            before += [self.materialise(v, s) for v in sorted(start - exit_zero)]
            if end is not None:
                body += [self.materialise(v, s) for v in sorted(end - start)]  # the back edge merges too
            loop = (gast.For(target=s.target, iter=s.iter, body=body, orelse=[], type_comment=None)
                    if isinstance(s, gast.For) else gast.While(test=s.test, body=body, orelse=[]))
            return before + [at(loop, s)], set(exit_zero)
        return [s], zero

    def materialise(self, v, origin):
        return assign(self.t(v), call(self.namer.helper("zeros_like"), name(v)), origin)

    # ---- assignments ---------------------------------------------------------------------
    def assignment(self, s, zero):
        targets = target_names(s)
        value = s.value
        if subscript_write(s) is not None:
            return self.write(s, zero)
        if isinstance(s.targets[0], gast.Tuple):  # a, b = t
            source = value.id if isinstance(value, gast.Name) else None
            if source and self.act.is_active(source) and source not in zero:
                zero -= set(targets)
                tangents = gast.Tuple(elts=[name(self.t(v), store=True) for v in targets], ctx=gast.Store())
                return [s, assign(tangents, name(self.t(source)), s)]
            zero |= set(targets)
            return [s]
        t = targets[0]
        if t in self.stacks and isinstance(value, gast.List) and not value.elts:  # a new stack, a new tangent list
            zero.discard(t)
            return [s, assign(self.t(t), gast.List(elts=[], ctx=gast.Load()), s)]
        if popped(value) in self.stacks:
            if popped(value) in zero:  # an element of a zero list
                zero.add(t)
                return [s]
            zero.discard(t)
            return [s, assign(self.t(t), call(self.t(popped(value)) + ".pop"), s)]
        if not self.act.is_active(t):
            return [s]
        if isinstance(value, gast.Call):
            callee = self.callees.classify_call(value)
            if callee.kind == "user":
                return self.user_call(s, t, value, callee, zero)
        tangent = self.tangent_of(s, t, value, zero)
        if tangent is None:
            zero.add(t)
            return [s]
        zero.discard(t)
        return [s, assign(self.t(t), tangent, s)]

    def write(self, s, zero):
        """`y[i] = v`: t_y with its elements at i replaced by v's tangent (a new array)."""
        from .reverse import _index_value
        target = subscript_write(s)
        y, v = target.value.id, s.value
        live = isinstance(v, gast.Name) and self.act.is_active(v.id) and v.id not in zero
        if not self.act.is_active(y) or (y in zero and not live):
            return [s]
        base = name(self.t(y)) if y not in zero else call(self.namer.helper("zeros_like"), name(y))
        part = name(self.t(v.id)) if live else const(0.0)
        zero.discard(y)
        index = _index_value(copy.deepcopy(target.slice))
        return [s, assign(self.t(y), call(self.namer.helper("setindex"), base, index, part), s)]

    def user_call(self, s, t, value, callee, zero):
        args, kwargs = call_arguments(callee, value)
        live = [a for a in args + list(kwargs.values()) if isinstance(a, gast.Name) and self.act.is_active(a.id)
                and a.id not in zero]
        if not live:
            zero.add(t)
            return [s]
        user_call = self.derive_call(callee.obj, args, kwargs, s, self.act, zero)
        keywords = [gast.keyword(arg=self.namer.tangent(p), value=self.tangent_or_zero(a.id, zero))
                    for p, a in zip(user_call.params, user_call.active_args)]
        targets = gast.Tuple(elts=[name(t, store=True), name(self.t(t), store=True)], ctx=gast.Store())
        jvp_call = gast.Call(func=name(user_call.fwd), args=receiver_args(callee) + value.args,
                             keywords=value.keywords + keywords)
        zero.discard(t)
        return [assign(targets, jvp_call, s)]

    def tangent_of(self, s, t, value, zero):
        """The tangent of `t = value`, or None if it is zero."""
        def live(node):
            return isinstance(node, gast.Name) and self.act.is_active(node.id) and node.id not in zero

        if isinstance(value, gast.Name):
            return name(self.t(value.id)) if live(value) else None
        if isinstance(value, (gast.Tuple, gast.List)):
            read = self.entries_read.get(t)
            n = len(value.elts)
            elts = [e if read is None or {k, k - n} & read else None for k, e in enumerate(value.elts)]
            if not any(live(e) for e in elts):
                return None
            parts = [self.tangent_or_zero(e.id, zero) if isinstance(e, gast.Name) else const(0.0) for e in elts]
            return type(value)(elts=parts, ctx=gast.Load())
        if isinstance(value, gast.Dict):
            if not any(live(v) for v in value.values):
                return None
            return gast.Dict(keys=[const(k.value) for k in value.keys], values=[
                self.tangent_or_zero(v.id, zero) if isinstance(v, gast.Name) else const(0.0) for v in value.values])
        rule, args, kwargs, label = self.rule_of(s, value)
        if rule is None:
            return None
        try:
            bound = rule.bind(args, kwargs)
        except TypeError as exc:
            self.fail(s, f"this call to `{label}` does not match its derivative rule's parameters ({exc})")
        terms = []
        operands = [bound[q] for q in rule.params if q in bound]
        for p in rule.diff_params():
            arg = bound.get(p)
            if live(arg):
                if p not in rule.jvp_terms():
                    self.fail(value, f"`{label}` has no forward (jvp) rule", "add jvp=... to its s2s.rule", NoRuleError)
                terms.append((arg, rule.instantiate_jvp(p, bound, name(t), name(self.t(arg.id)), self.namer.helper)))
        if not terms:
            return None
        total = terms[0][1]
        for _, term in terms[1:]:
            total = (call(self.namer.helper("add"), total, term) if t in self.containers
                     else gast.BinOp(left=total, op=gast.Add(), right=term))
        if rule.elementwise and not self.full_shape(s, t, terms, operands):
            # a tangent has its variable's shape: spread out a sum that misses an operand's shape
            total = call(self.namer.helper("rebroadcast"), total, name(t))
        return total

    def full_shape(self, s, t, terms, operands):
        """Does the sum of the forward `terms` of the elementwise `t = op(operands)` have
        t's shape? It does if every operand that can shape t enters some term: t's shape
        is the broadcast of the operands' shapes."""
        shapes = self.shapes.get(s, {})
        covered = {arg.id for arg, _ in terms}
        for _, term in terms:
            covered |= {n.id for n in name_nodes(term)}
        if any(shapes.get(arg.id, arg.id) == shapes.get(t, t) for arg, _ in terms):
            return True
        return all(isinstance(o, gast.Constant) or (isinstance(o, gast.Name) and (o.id in covered or o.id in self.scalars))
                   for o in operands)

    def rule_of(self, s, value):
        """(rule, args, kwargs, label) of the primitive `value`, None if it has no derivative."""
        import operator

        from .reverse import _index_value
        if isinstance(value, (gast.BinOp, gast.UnaryOp)) and not isinstance(value.op, gast.Not):
            rule = rules.lookup((rules.BINOPS if isinstance(value, gast.BinOp) else rules.UNARYOPS)[type(value.op)])
            if rule is None or rule.nondiff:   # (`~m`, `m & n`: integers and booleans, no tangent)
                return None, None, None, None
            operands = [value.left, value.right] if isinstance(value, gast.BinOp) else [value.operand]
            return rule, operands, {}, "operator"
        if isinstance(value, gast.UnaryOp):
            return None, None, None, None
        if isinstance(value, gast.Subscript):
            return rules.lookup(operator.getitem), [value.value, _index_value(value.slice)], {}, "indexing"
        if isinstance(value, gast.Attribute):
            callee = self.callees.classify_attribute(value)
            if callee.kind == "rule":
                return callee.rule, [value.value], {}, callee.label
            if callee.kind == "field":
                return callee.rule, [value.value, const(value.attr)], {}, callee.label
            return None, None, None, None
        if isinstance(value, gast.Call):
            callee = self.callees.classify_call(value)
            args, kwargs = call_arguments(callee, value)
            if callee.kind == "rule":  # (check_differentiable refused unknown calls with active arguments)
                return callee.rule, args, kwargs, callee.label
        return None, None, None, None


def forward(fn, info, namer, act, callees, derive_call, wrt):
    """The primal statements of `fn` (normal form) with tangents for the `wrt` names."""
    f = _Forward(fn, info, namer, act, callees, derive_call)
    body = [s for s in fn.body if not isinstance(s, gast.Return)]
    ret = fn.body[-1]
    out = ret.value.id if isinstance(ret, gast.Return) and isinstance(ret.value, gast.Name) else None
    if out is None:
        body.append(assign(namer.out, ret.value if isinstance(ret, gast.Return) else const(None), ret))
        out = namer.out
    zero = set(act.active) - set(wrt)
    code, zero = f.block(body, zero)
    inits = [assign(v, const(None), fn) for v in sorted(_unassigned_at_materialisation(code, fn, namer))]
    return Tangents(fn.args, inits + code, out, out in zero or not act.is_active(out))


def _unassigned_at_materialisation(code, fn, namer):
    """Names that `t_v = zeros_like(v)` may read before any assignment to v.

    Such a zero is never used (every use of t_v lies on a path that assigned
    v), but v must exist: these names start as None (`zeros_like(None)` is 0.0).
    """
    undefined: set = set()
    zeros_like = namer.helper("zeros_like")

    def block(stmts, assigned):
        for s in stmts:
            if isinstance(s, gast.Assign):
                v = s.value
                if (isinstance(v, gast.Call) and isinstance(v.func, gast.Name) and v.func.id == zeros_like
                        and isinstance(v.args[0], gast.Name) and v.args[0].id not in assigned):
                    undefined.add(v.args[0].id)
                assigned.update(target_names(s))
            elif isinstance(s, gast.If):
                assigned = block(s.body, set(assigned)) & block(s.orelse, set(assigned))
            elif isinstance(s, (gast.For, gast.While)):
                block(s.body, assigned | (set(target_names(s)) if isinstance(s, gast.For) else set()))
        return assigned

    block(code, set(param_names(fn)))
    return undefined
