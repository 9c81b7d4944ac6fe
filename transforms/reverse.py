"""Reverse mode: primal statements with recording, then adjoints in reverse.

Before: a normal-form ``FunctionDef`` and its `Activity`.
After: a `Sweeps` -- the forward sweep (the primal, with pushes where
`to_record` says so, trip counters on loops whose bodies have adjoints, and
calls to user functions replaced by their ``fwd_`` derivative) and the
backward sweep (the adjoint of each statement, in reverse order, with pops
restoring what the forward sweep overwrote).

How it works:

1. Calls to user functions with active arguments become
   ``y, _saved1 = fwd_g(a, b)``; their adjoint is ``bwd_g(_saved1, d_y)``.
2. Adjoints are generated walking the body backwards, while tracking which
   adjoints are *known to be zero*: the first contribution to ``d_x`` is
   ``d_x = c`` rather than ``d_x = d_x + c``, assigning ``x`` makes ``d_x``
   zero again without any code, and a statement whose output adjoint is
   zero has no adjoint at all. Where control flow merges a zero with a
   non-zero adjoint, ``d_x = zeros_like(x)`` materialises it.
3. What each adjoint reads decides, through `to_record`, what is pushed.

Adjoints are accumulated functionally (``d_x = d_x + c``), never in place,
so adjoints may share arrays safely and generated code can be
differentiated again.
"""
from __future__ import annotations

import copy
import dataclasses
import operator

import gast
import numpy as np

from s2s import rules
from s2s.errors import UnsupportedError

from .callees import receiver_args, call_arguments, entries_read
from .aliasing import sharing
from .nodes import (assign, at, call, clone, const, expr_stmt, index_names, name, name_nodes, param_names, popped,
                    pushed, stack_names, subscript_write, target_names, walk_statements)
from .shapes import containers, dicts, lazy_temporaries, lists, range_indices, same_shapes
from .checkpoint import Checkpoints, carried_names, loop_inputs, upward_exposed
from .checkpoint_candidates import candidates, write_once
from .known_shapes import element
from .known_values import Known
from .recompute import Recompute
from .specialise import specialise
from .to_record import maybe_undefined, recorded_after, to_record
from .to_record import written as _written
from .zeros import Zeros


@dataclasses.dataclass
class Sweeps:
    params: list            # primal parameters (with defaults, from the FunctionDef)
    inits: list             # statements run first (None for names recorded before assignment)
    forward: list           # primal with recording
    out: str                # the returned variable
    backward: list          # adjoint statements
    zero_at_end: set        # active names whose adjoint is zero when the backward pass ends
    restored: set           # names the backward pass pops (their final value is not kept)
    mutated: bool           # the backward pass writes into arrays and lists (undoing `y[i] = v`, appends)
    uses_stack: bool
    saved: list             # primal names the backward pass reads (for split mode)
    saved_inits: list       # None for saved names some path leaves unassigned
    active_wrt: set         # the wrt parameters that are active
    scalar_out: bool = False   # the output is known to be a number or 0-d (its seed is 1.0)


@dataclasses.dataclass
class UserCall:
    """A call to a user function with active arguments: its derivative functions."""
    fwd: str                # fwd_g (reverse mode) or jvp_g (forward mode)
    bwd: str | None         # bwd_g (reverse mode)
    active_args: list       # argument atoms (Names) in the order bwd returns their adjoints
    params: list = dataclasses.field(default_factory=list)  # the callee's parameters they are bound to


class _Reverse:
    def __init__(self, fn, info, namer, act, callees, derive_call, scalars):
        self.fn, self.info, self.namer, self.act, self.callees = fn, info, namer, act, callees
        self.derive_call = derive_call  # (function, args, kwargs, call node) -> UserCall
        self.scalars = scalars          # names known to hold Python numbers (range loop indices)
        self.numbers: set = set()       # in code for numbers, the names that are (transforms/scalars.py)
        self.known: dict = {}           # in code for known shapes, name -> Known (transforms/known_shapes.py)
        self.recompute = None           # transforms.recompute.Recompute of the body, as it is now
        self.index_loops = index_loops(fn, callees)   # `for i in range(...)` whose backward loop sets i
        self.reads: dict = {}
        self.branch_reads: dict = {}
        self.pop_sites: dict = {}       # assignment -> marker statement at the end of its adjoint
        self.pop_owner: dict = {}       # id(marker) -> its assignment, once the backward pass is final
        self.trips: dict = {}           # loop -> name of its trip counter
        self.calls: dict = {}           # assignment -> UserCall
        self.results: dict = {}         # assignment -> names of bwd results
        self.containers = containers(fn)
        self.dicts = dicts(fn)
        self.entries_read = entries_read(fn, callees, act.is_active)  # container -> the constant keys it is read at
        self.lazy = lazy_temporaries(fn, namer, callees)
        self.inexact: set = set()       # lazy temporaries whose adjoint may be larger than they are
        self.wide: dict = {}            # in code for known shapes, inexact name -> Known of its adjoint
        self.shapes: dict = {}          # assignment -> {name: same-shaped representative} (see shapes.py)
        self.stacks = {v for v in stack_names(fn.body) if act.is_active(v)}
        self.list_helpers = {namer.helper(h) for h in ("spread", "zeros_like", "unindex", "add")}   # (of a list: a list)
        self.lists = lists(fn, self.stacks, {namer.helper(h) for h in ("concat", "repeat", "head", "tail", "as_list")})
        self.primal = set(param_names(fn)) | {n for s in walk_statements(fn.body)
                                              for n in _written(s)}
        self.counter = {"saved": 0, "trips": 0, "result": 0, "it": 0}
        self.force: set = set()         # loops and ifs that need a backward counterpart for their pops
        self.counterparts: dict = {}    # loop or if -> has it a backward counterpart (the last generation's)
        self.backward_blocks: dict = {}  # loop or if -> its backward loop or if (the last generation's)

    def reset(self):
        """Forget what a generation of the backward pass decided (names, reads)."""
        self.reads, self.branch_reads, self.pop_sites, self.backward_blocks = {}, {}, {}, {}
        self.trips, self.results = {}, {}
        self.counter["trips"] = self.counter["result"] = 0

    def fresh(self, kind):
        self.counter[kind] += 1
        k = self.counter[kind]
        return self.namer.numbered({"result": "r"}.get(kind, kind), k)

    def fail(self, node, message, hint=None, error=UnsupportedError):
        raise error(message, self.info.location(node), hint)

    # ---- 1. calls to user functions --------------------------------------------------
    def rewrite_calls(self, stmts):
        for s in walk_statements(stmts):
            if not (isinstance(s, gast.Assign) and isinstance(s.value, gast.Call)):
                continue
            callee = self.callees.classify_call(s.value)
            target = s.targets[0]
            if callee.kind != "user" or not (isinstance(target, gast.Name) and self.act.is_active(target.id)):
                continue
            args, kwargs = call_arguments(callee, s.value)
            if not any(isinstance(a, gast.Name) and self.act.is_active(a.id) for a in args + list(kwargs.values())):
                continue
            user_call = self.derive_call(callee.obj, args, kwargs, s, self.act)
            saved = self.fresh("saved")
            self.primal.add(saved)
            s.targets = [gast.Tuple(elts=[name(target.id, store=True), name(saved, store=True)], ctx=gast.Store())]
            s.value = gast.Call(func=name(user_call.fwd), args=receiver_args(callee) + s.value.args, keywords=s.value.keywords)
            self.calls[s] = (user_call, target.id, saved)

    # ---- 2. adjoints -----------------------------------------------------------------
    def block(self, stmts, zero):
        """The adjoint of `stmts`, and the names whose adjoint is zero before them. `zero` (those
        zero after them) is copied once here; the statements update the copy in place."""
        out = []
        zero = zero.copy()
        for s in reversed(stmts):
            code, zero = self.stmt(s, zero)
            out += code
        return out, zero

    def stmt(self, s, zero):
        if isinstance(s, gast.Assign):
            return self.assignment(s, zero)
        if pushed(s):
            code, zero = self.push_adjoint(s, zero) if pushed(s)[0] in self.stacks else ([], zero)
            self.pop_sites[s] = marker = at(gast.Pass(), s)  # where the append may be undone
            self.reads[s] = self.primal_reads(code)
            return code + [marker], zero
        if isinstance(s, gast.If):
            return self.if_(s, zero)
        if isinstance(s, (gast.For, gast.While)):
            return self.loop(s, zero)
        return [], zero

    def if_(self, s, zero):
        body, z1 = self.block(s.body, zero)
        orelse, z2 = self.block(s.orelse, zero)
        for code, mine, other, field in ((body, z1, z2, "body"), (orelse, z2, z1, "orelse")):
            missing = sorted(mine - other)
            code += [self.materialise(v, s) for v in missing]
            self.branch_reads[(s, field)] = set(missing)
        self.counterparts[s] = bool(_real(body) or _real(orelse) or s in self.force)
        if not self.counterparts[s]:
            return [], z1 & z2  # no code, but both branches may have zeroed an adjoint
        self.reads[s] = {s.test.id}
        self.backward_blocks[s] = back = at(gast.If(test=name(s.test.id), body=body, orelse=orelse), s)
        return [back], z1 & z2

    def loop(self, s, zero):
        start = zero.copy()
        while True:
            body, end = self.block(s.body, start)
            new_start = zero & end
            if new_start == start:
                break
            start = new_start
        # the back edge merges too: an adjoint the body leaves zero, but that may be
        # non-zero when the loop is entered, is zeroed for the next (earlier) iteration
        stale = sorted(end - start)
        self.counterparts[s] = bool(_real(body) or stale or s in self.force)
        if not self.counterparts[s]:
            return [], zero
        trips = self.fresh("trips")
        self.primal.add(trips)
        # the counter's statements are created here, so that their pop sites exist
        start_count = assign(trips, const(0), s)
        count = assign(trips, gast.BinOp(left=name(trips), op=gast.Add(), right=const(1)), s)
        self.trips[s] = (start_count, count)
        for counter in (start_count, count):
            self.pop_sites[counter] = at(gast.Pass(), s)
            self.reads[counter] = set()
        self.branch_reads[(s, "body")] = set(stale)
        body = body + [self.pop_sites[count]] + [self.materialise(v, s) for v in stale]
        used = {n.id for st in body for n in name_nodes(st)}
        missing = sorted(v for v in zero - start if self.namer.adjoint(v) in used)
        self.reads[s] = {trips} | set(missing)
        target, iterated = name(self.namer.ignored, store=True), call("range", name(trips))
        if s in self.index_loops and (s.target.id in used or _restores_read(s)):   # the backward loop
            # sets the index again (an element the loop overwrites is restored at its index)
            target, iterated = name(s.target.id, store=True), self.indices_backward(s, trips)
            self.reads[s] |= {n.id for n in name_nodes(s.iter) if n.id in self.primal}
        loop = at(gast.For(target=target, iter=iterated, body=body, orelse=[], type_comment=None), s)
        self.backward_blocks[s] = loop
        return [self.materialise(v, s) for v in missing] + [loop, self.pop_sites[start_count]], start.copy()

    def indices_backward(self, s, trips):
        """`reversed(range(...))` (its first `trips` indices, where the loop may break): the
        indices of the `range` loop `s`, last first."""
        indices = clone(s.iter)
        if any(isinstance(t, gast.Break) for t in _own_statements(s.body)):
            indices = gast.Subscript(value=indices, slice=gast.Slice(lower=None, upper=name(trips), step=None),
                                     ctx=gast.Load())
        return call("reversed", indices)

    def materialise(self, v, origin):
        if v in self.numbers or (v in self.known and self.known[v].python is not False   # the zero of a number
                                 and self.known[v].dtype.kind in "biuf" and not self.known[v].shape):  # is 0.0
            return assign(self.namer.adjoint(v), const(0.0), origin)
        k = self.known.get(v)
        if k is not None and k.python is False and k.dtype == _F8 and k.ndim:   # of a float64 array of known shape
            return assign(self.namer.adjoint(v), call("np.zeros", _tuple(k.shape)), origin)
        return assign(self.namer.adjoint(v), call(self.namer.helper("zeros_like"), name(v)), origin)

    def assignment(self, s, zero):
        code: list = []
        marker = at(gast.Pass(), s)
        self.pop_sites[s] = marker
        targets = target_names(s)
        if subscript_write(s) is not None:
            self.write_adjoint(s, zero, code)
            if self.recompute is not None and self.recompute.wanted([n for st in code for n in name_nodes(st)], s):
                code = self.recompute.substitute(code, s)   # (an index `t + 1`)
            self.reads[s] = self.primal_reads(code)
            return code + [marker], zero
        if s in self.calls:
            self.user_call_adjoint(s, zero, code)
        elif isinstance(s.targets[0], gast.Tuple):
            self.unpack_adjoint(s, zero, code)
        elif popped(s.value) in self.stacks:
            self.pop_adjoint(s, targets[0], zero, code)
        else:
            t = targets[0]
            if self.act.is_active(t) and t not in zero:
                self.value_adjoint(s, t, zero, code)
        zero |= {t for t in targets if self.act.is_active(t)}
        names = [n for st in code for n in name_nodes(st)]
        if self.recompute is not None and self.recompute.wanted(names, s):   # cheap temporaries
            code = self.recompute.substitute(code, s)                          # computed again, not recorded
            names = [n for st in code for n in name_nodes(st)]
        self.reads[s] = {n.id for n in names if type(n.ctx) is gast.Load and n.id in self.primal}
        return code + [marker], zero

    def write_adjoint(self, s, zero, code):
        """`y[i] = v`: v's adjoint is the slice `d_y[i]` (summed back to v's shape), and the
        overwritten elements of y no longer reach the output: `d_y[i]` becomes zero."""
        target = subscript_write(s)
        y, v = target.value.id, s.value
        if not self.act.is_active(y) or y in zero:
            return
        d_y = name(self.namer.adjoint(y))
        cleared = call(self.namer.helper("setindex"), name(d_y.id), _index_value(_copy_index(target.slice)), const(0.0))
        part = self.written_part(d_y, target.slice)
        if isinstance(v, gast.Name) and v.id == y:  # y[i] = y: read d_y[i] before clearing it
            part = call(self.namer.helper("unbroadcast"), part, name(y))
            code.append(assign(d_y.id, gast.BinOp(left=cleared, op=gast.Add(), right=part), s))
            return
        if isinstance(v, gast.Name) and self.act.is_active(v.id) and not self.never_read(y, target.slice):
            if self.known_element(y, target.slice, v.id):
                pass   # the element has v's shape: its cotangent is exact
            elif v.id in self.lazy:  # it takes a broadcast cotangent (see shapes.lazy_temporaries)
                self.widen(v.id, element(self.known, y, target.slice))
            else:
                part = call(self.namer.helper("unbroadcast"), part, name(v.id))
            self.accumulate(v.id, part, zero, code, s)
        code.append(assign(d_y.id, cleared, s))

    def written_part(self, d_y, index):
        """The cotangent of what `y[index] = v` wrote: `d_y[index]`, or `last_write(d_y, index)`
        where an integer array in the index may name an element twice (NumPy keeps the last value)."""
        parts = index.elts if isinstance(index, gast.Tuple) else [index]
        if all(isinstance(p, gast.Slice) or self.is_scalar(p) or self.known_int(p) for p in parts):
            return gast.Subscript(value=d_y, slice=_copy_index(index), ctx=gast.Load())
        return call(self.namer.helper("last_write"), d_y, _index_value(_copy_index(index)))

    def never_read(self, container, key, length=None):
        """Is the entry `key` (a constant node) of `container` (of `length` entries, if known) never
        read, its cotangent a structural zero (as in autograd and JAX: no 0 * inf from what it holds)?"""
        read = self.entries_read.get(container)
        if read is None or not isinstance(key, gast.Constant):
            return False
        k = key.value
        if isinstance(k, str):
            return k not in read
        if length is not None:
            return not ({k, k - length} & read)
        return k >= 0 and k not in read and all(isinstance(r, str) or r >= 0 for r in read)

    def primal_reads(self, code):
        return {n.id for st in code for n in name_nodes(st)
                if isinstance(n.ctx, gast.Load) and n.id in self.primal}

    def accumulate(self, v, contribution, zero, code, origin):
        if not self.act.is_active(v):
            return
        d = self.namer.adjoint(v)
        stack = v in self.stacks   # a list its appends' adjoints pop from: a list (`np.sum(xs)` gives an array)
        if stack and v in zero and not isinstance(contribution, gast.List) and not (
                isinstance(contribution, gast.Call) and isinstance(contribution.func, gast.Name)
                and contribution.func.id in self.list_helpers):
            listed = call("list", contribution)   # (a list where a branch may bind an array: as it is then)
            contribution = listed if v in self.lists else gast.IfExp(
                test=call("isinstance", name(v), name("list")), body=listed, orelse=clone(contribution))
        if v in zero:
            code.append(_located(d, contribution, origin))
            zero.discard(v)
        elif v in self.containers or stack:
            code.append(_located(d, call(self.namer.helper("add"), name(d), contribution), origin))
        else:
            code.append(_located(d, gast.BinOp(left=name(d), op=gast.Add(), right=contribution), origin))

    # ---- stacks: the adjoint of a list is the list of its elements' adjoints ---------
    def push_adjoint(self, s, zero):
        """`xs.append(v)`: v's adjoint is the last element of d_xs (nothing if d_xs is zero)."""
        stack, value = pushed(s)
        if stack in zero:
            return [], zero
        item = call(self.namer.adjoint(stack) + ".pop")
        code = []
        if isinstance(value, gast.Name) and self.act.is_active(value.id):
            self.accumulate(value.id, item, zero, code, s)
        else:
            code.append(expr_stmt(item, s))
        return code, zero

    def pop_adjoint(self, s, t, zero, code):
        """`v = xs.pop()`: d_xs gets v's adjoint back (a zero of v's shape if it has none)."""
        stack = popped(s.value)
        if not self.act.is_active(t) or t in zero:
            if stack in zero:  # a zero list stays zero
                return
            item = call(self.namer.helper("zeros_like"), name(t))  # an element's zero, read when it is pushed again
        else:
            item = name(self.namer.adjoint(t))
        if stack in zero:  # the zero cotangent of the list as it is now (restored: after the pop)
            code.append(self.materialise(stack, s))
            zero.discard(stack)
        code.append(expr_stmt(call(self.namer.adjoint(stack) + ".append", item), s))

    def value_adjoint(self, s, t, zero, code):
        value, g = s.value, name(self.namer.adjoint(t))
        if isinstance(value, gast.Name):
            self.accumulate(value.id, g, zero, code, s)
        elif isinstance(value, gast.BinOp):
            self.apply_rule(rules.lookup(rules.BINOPS[type(value.op)]), [value.left, value.right], {}, s, t, zero, code)
        elif isinstance(value, gast.UnaryOp):
            if not isinstance(value.op, gast.Not):
                self.apply_rule(rules.lookup(rules.UNARYOPS[type(value.op)]), [value.operand], {}, s, t, zero, code)
        elif isinstance(value, gast.Call):
            callee = self.callees.classify_call(value)
            args, kwargs = call_arguments(callee, value)
            if callee.kind == "rule":  # (check_differentiable refused unknown calls with active arguments)
                self.apply_rule(callee.rule, args, kwargs, s, t, zero, code, callee.label)
        elif isinstance(value, gast.Subscript):
            self.apply_rule(rules.lookup(operator.getitem), [value.value, _index_value(value.slice)], {}, s, t, zero, code)
        elif isinstance(value, gast.Attribute):
            callee = self.callees.classify_attribute(value)
            if callee.kind == "rule":  # (and unknown attributes of active values)
                self.apply_rule(callee.rule, [value.value], {}, s, t, zero, code, callee.label)
            elif callee.kind == "field":
                self.apply_rule(callee.rule, [value.value, const(value.attr)], {}, s, t, zero, code, callee.label)
        elif isinstance(value, (gast.Tuple, gast.List, gast.Dict)):
            keys = value.keys if isinstance(value, gast.Dict) else [const(i) for i in range(len(value.elts))]
            for key, e in zip(keys, value.values if isinstance(value, gast.Dict) else value.elts):
                if isinstance(e, gast.Name) and not self.never_read(t, key, len(keys)):  # else a structural zero
                    part = gast.Subscript(value=name(g.id), slice=const(key.value), ctx=gast.Load())
                    self.accumulate(e.id, part, zero, code, s)

    def apply_rule(self, rule, args, kwargs, s, t, zero, code, label=None):
        try:
            bound = rule.bind(args, kwargs)
        except TypeError as exc:
            self.fail(s, f"this call to `{label or rule.name}` does not match its derivative rule's parameters "
                         f"({exc})", "check the arguments, or the rule's args=")
        operands = [p for p in rule.params if p in bound]
        for p in rule.diff_params():
            arg = bound.get(p)
            if not (isinstance(arg, gast.Name) and self.act.is_active(arg.id)):
                continue
            contribution = specialise(rule.instantiate(p, bound, name(self.namer.adjoint(t)), name(t),
                                                      self.namer.helper), self.known, self.namer.helper)
            others = [bound[q] for q in operands if q != p]
            exact = True
            if rule.elementwise:
                # an elementwise contribution is shaped like the broadcast of g and the
                # operands: sum it back, unless the argument accepts a broadcast cotangent
                # (`lazy`) or nothing can be shaped differently from the argument
                shapes = self.shapes.get(s, {})
                doubling = rule is rules.lookup(operator.add)  # `xs + xs` of a list doubles its length
                exact = t not in self.inexact and (shapes.get(t, t) == shapes.get(arg.id, arg.id) or all(
                    self.is_scalar(o) or (isinstance(o, gast.Name) and o.id == arg.id and not doubling)
                    for o in others) or self.known_alike(t, arg.id))
            if not exact and arg.id not in self.lazy:
                shape_of = self.shapes.get(s, {}).get(arg.id, arg.id)  # a same-shaped name read anyway
                summed = self.known_sum(contribution, t, arg.id)
                contribution, exact = summed or call(self.namer.helper("unbroadcast"), contribution, name(shape_of)), True
            if exact:
                self.inexact.discard(arg.id)
            else:
                self.widen(arg.id, self.adjoint_known(t))
            self.accumulate(arg.id, contribution, zero, code, s)

    def adjoint_known(self, t):
        """The Known of `t`'s adjoint (code for known shapes), or None: `t`'s own, or the wider one
        of an inexact lazy temporary (`widen`)."""
        return self.wide.get(t) if t in self.inexact else self.known.get(t)

    def widen(self, v, part):
        """Lazy temporary `v` takes a cotangent shaped like Known `part` (None: unknown), possibly
        larger than `v`: broadcast with what `v`'s adjoint already holds."""
        before = self.adjoint_known(v) if v in self.known else None
        self.inexact.add(v)
        if part is None or before is None or part.dtype != before.dtype:
            self.wide.pop(v, None)
            return
        try:
            self.wide[v] = Known(np.broadcast_shapes(before.shape, part.shape), part.dtype)
        except ValueError:
            self.wide.pop(v, None)

    def known_sum(self, contribution, t, arg):
        """`unbroadcast(contribution, arg)` as the sum it is, where `t`'s shape (the contribution's)
        and `arg`'s are known float64 shapes and `arg`'s is `t`'s without leading axes (``c.sum()``,
        ``c.sum(axis=0)``) or with some of length one (``c.sum(axis=1, keepdims=True)``); else None.
        (The method, as a person writes it: `np.sum` costs a few microseconds more per call, on
        arrays of any size.)"""
        kt, ka = self.adjoint_known(t), self.known.get(arg)
        if kt is None or ka is None or kt.dtype != _F8 or ka.dtype != _F8:
            return None
        method = gast.Attribute(value=contribution, attr="sum", ctx=gast.Load())
        lead = kt.ndim - ka.ndim
        kept = [i for i, (a, b) in enumerate(zip(kt.shape, ka.shape)) if a != b]
        if lead == 0 and kept and all(ka.shape[i] == 1 for i in kept):   # axes of length one: kept
            axis = const(kept[0]) if len(kept) == 1 else _tuple(kept)
            return call(method, keywords=[gast.keyword(arg="axis", value=axis),
                                          gast.keyword(arg="keepdims", value=const(True))])
        if lead <= 0 or kt.shape[lead:] != ka.shape:
            return None
        if ka.ndim == 0:
            return call(method)
        axis = const(0) if lead == 1 else _tuple(range(lead))
        return call(method, keywords=[gast.keyword(arg="axis", value=axis)])

    def known_element(self, y, index, v) -> bool:
        """Is `y[index]` known to be a float64 value of `v`'s known shape (code for known shapes)?"""
        kv, part = self.known.get(v), element(self.known, y, index) if v in self.known else None
        return part is not None and kv.shape == part.shape and kv.dtype == part.dtype == _F8

    def known_int(self, node) -> bool:
        """Does `node` hold one int (code for known shapes)? An index naming one element."""
        k = self.known.get(node.id) if isinstance(node, gast.Name) else None
        return k is not None and not k.shape and k.dtype.kind in "iu"

    def known_alike(self, a, b) -> bool:
        """Do `a` and `b` hold float64 values of one known shape (code for known shapes)?"""
        ka, kb = self.known.get(a), self.known.get(b)
        return ka is not None and kb is not None and ka.shape == kb.shape and ka.dtype == kb.dtype == _F8

    def is_scalar(self, node):
        return isinstance(node, gast.Constant) or (isinstance(node, gast.Name) and node.id in self.scalars)

    def unpack_adjoint(self, s, zero, code):
        source = s.value
        targets = target_names(s)
        if not (isinstance(source, gast.Name) and self.act.is_active(source.id)):
            return
        live = [t for t in targets if self.act.is_active(t) and t not in zero]
        if not live:
            return
        parts = [name(self.namer.adjoint(t)) if t in live else call(self.namer.helper("zeros_like"), name(t)) for t in targets]
        # (an array unpacked into its entries or rows: the parts stacked back into an array)
        self.accumulate(source.id, call(self.namer.helper("unpacked"), name(source.id),
                                        gast.Tuple(elts=parts, ctx=gast.Load())), zero, code, s)

    def user_call_adjoint(self, s, zero, code):
        user_call, t, saved = self.calls[s]
        if t in zero:
            return
        result = call(user_call.bwd, name(saved), name(self.namer.adjoint(t)))
        args = user_call.active_args
        if len(args) == 1:
            self.accumulate(args[0].id, result, zero, code, s)
            return
        # a result goes straight into its adjoint when that is still zero (and the name
        # is passed once); otherwise into a temporary that is then added
        ids = [a.id for a in args]
        direct = [a.id in zero and self.act.is_active(a.id) and ids.count(a.id) == 1 for a in args]
        names = self.results.setdefault(s, [None] * len(args))  # stable across re-generation
        for i, d in enumerate(direct):
            if not d and names[i] is None:
                names[i] = self.fresh("result")
        targets = [self.namer.adjoint(a.id) if d else n for a, d, n in zip(args, direct, names)]
        code.append(assign(gast.Tuple(elts=[name(t, store=True) for t in targets], ctx=gast.Store()), result, s))
        for a, d, n in zip(args, direct, names):
            if d:
                zero.discard(a.id)
            else:
                self.accumulate(a.id, name(n), zero, code, s)

    # ---- 3. recording ------------------------------------------------------------------
    def add_trip_counters(self, stmts):
        out = []
        for s in stmts:
            if isinstance(s, (gast.For, gast.While)):
                s.body = self.add_trip_counters(s.body)
                if s in self.trips:
                    start_count, count = self.trips[s]
                    out.append(start_count)
                    s.body.insert(0, count)
            elif isinstance(s, gast.If):
                s.body = self.add_trip_counters(s.body)
                s.orelse = self.add_trip_counters(s.orelse)
            out.append(s)
        return out

    def rename_loop_targets(self, stmts, read):
        """A loop target the backward pass reads is copied into the body, so an ordinary
        assignment (which can record what it overwrites) sets it."""
        renamed = False
        for s in walk_statements(stmts):
            if s in self.index_loops:
                continue   # its backward loop sets its index again
            if isinstance(s, gast.For) and s.target.id in read:
                it = self.fresh("it")
                self.primal.add(it)
                s.body.insert(0, assign(s.target.id, name(it), s))
                s.target = name(it, store=True)
                renamed = True
        return renamed

    def insert_pushes(self, stmts, record):
        out = []
        for s in stmts:
            written = subscript_write(s)
            undone = popped(s.value) if isinstance(s, gast.Assign) else None
            for v in (record.get(s, ()) if not pushed(s) else ()):  # an append is undone, not saved
                if v == undone:  # nor is a pop
                    continue
                value = name(v) if written is None else call(  # the elements about to be overwritten
                    self.namer.helper("copy_of"), gast.Subscript(value=name(v), slice=_copy_index(written.slice),
                                                                 ctx=gast.Load()))
                if written is not None and v in self.dicts:  # a new key has no old value: its pop sets the new one
                    value = gast.IfExp(test=gast.Compare(left=_copy_index(written.slice), ops=[gast.In()],
                                                         comparators=[name(v)]),
                                       body=value, orelse=copy.deepcopy(s.value))
                out.append(expr_stmt(call(self.namer.stack + ".append", value), s))
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    setattr(s, field, self.insert_pushes(getattr(s, field), record))
            out.append(s)
        return out

    def place_pops(self, stmts, record):
        out = []
        for s in stmts:
            site = self.pop_owner.get(id(s))
            if site is not None and pushed(site):  # undo `xs.append(v)`
                out += [expr_stmt(call(v + ".pop"), site) for v in record.get(site, ())]
                continue
            if site is not None:
                written = subscript_write(site)
                undone = popped(site.value) if isinstance(site, gast.Assign) else None
                for v in reversed(record.get(site, ())):
                    if v == undone:  # undo `v = xs.pop()`: v still holds the popped value
                        out.append(expr_stmt(call(v + ".append", name(target_names(site)[0])), site))
                        continue
                    target = v if written is None else gast.Subscript(
                        value=name(v), slice=_copy_index(written.slice), ctx=gast.Store())
                    out.append(assign(target, call(self.namer.stack + ".pop"), site))
                continue
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    setattr(s, field, self.place_pops(getattr(s, field), record))
            out.append(s)
        return out


def reverse(fn, info, namer, act, callees, derive_call, wrt, numbers=frozenset(), known=None, checkpoint=None,
            deterministic=None):
    """Build the forward and backward sweeps of `fn` (normal form) for the `wrt` names. `numbers`:
    names known to hold numbers (`transforms.scalars`, for code specialised to float arguments);
    `known`: name -> Known, for code specialised to the arguments' shapes (`transforms.known_shapes`)."""
    r = _Reverse(fn, info, namer, act, callees, derive_call, range_indices(fn) | set(numbers))
    r.numbers = set(numbers)
    r.known = dict(known or {})
    body = [s for s in fn.body if not isinstance(s, gast.Return)]
    ret = fn.body[-1]
    out = ret.value.id if isinstance(ret, gast.Return) and isinstance(ret.value, gast.Name) else None
    if out is None:  # `return <constant>`: nothing is differentiable
        r.primal.add(namer.out)
        body.append(assign(namer.out, ret.value if isinstance(ret, gast.Return) else const(None), ret))
        out = namer.out
    is_range = lambda c: isinstance(c.func, gast.Name) and callees.lookup(c.func) is range   # noqa: E731
    classes = sharing(fn, callees)
    plain = candidates(body, is_range, callees, deterministic or (lambda g: False), classes) if checkpoint else {}
    once = write_once(body, is_range, callees, classes)   # writes whose old values no adjoint reads
    r.rewrite_calls(body)
    r.shapes = same_shapes(body, callees, r.scalars)
    zero_start = Zeros(frozenset(act.active), {out} & set(act.active))
    # an adjoint that reads an array, or a view of one, written in place (through any name that
    # shares its memory) needs those writes undone: it reads the names they write into
    shares = sharing(fn, callees)
    written_into = {subscript_write(s).value.id for s in walk_statements(fn.body) if subscript_write(s) is not None}
    shares = {v: c & written_into for v, c in shares.items()}

    # A generation tells what the backward pass reads; a loop (or if) whose body overwrites
    # any of that needs a backward counterpart to pop in, even with no adjoints. Such a
    # counterpart reads more (an if its test, a loop its trip count), which may need more
    # counterparts: generate again until nothing changes.
    r.recompute = Recompute(body, namer.is_temp, callees, r.containers, r.known,
                            {loop.target.id for loop in r.index_loops})
    backward, zero_end = r.block(body, zero_start)
    rerun_reads(r, plain)
    def widen(names):
        return set(names).union(*(shares.get(v, ()) for v in names))

    # a list unpacked from a tuple (`_stack, a = _saved`) is part of it: where the tuple is read
    # (its zero cotangent at the end), the list must be as it was, so pops from it are undone
    stacks = stack_names(body)
    unpacks = [s for s in walk_statements(body) if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Tuple)
               and isinstance(s.value, gast.Name) and set(target_names(s)) & stacks]
    def unpacked_lists(read):
        return {s: set(target_names(s)) & stacks for s in unpacks if s.value.id in read}

    while True:
        entry = {p for p in wrt if p in zero_end or not act.is_active(p)}
        read = widen(set(entry).union(*r.reads.values(), *r.branch_reads.values()))
        read = read.union(*unpacked_lists(read).values())
        # a recorded write's pop writes the old elements back: it reads the index too
        read |= {v for s in walk_statements(body) if subscript_write(s) is not None
                 and subscript_write(s).value.id in read for v in index_names(subscript_write(s))}
        renamed = r.rename_loop_targets(body, read)
        force = {s for s in walk_statements(body) if isinstance(s, (gast.If, gast.For, gast.While))
                 and any(set(_written(t)) & read for t in walk_statements(s.body + s.orelse))}
        if all(r.counterparts.get(s) for s in force) and not renamed:   # (a counterpart it has already
            break                                                         # is the same when forced)
        r.force |= force
        r.reset()
        r.recompute = Recompute(body, namer.is_temp, callees, r.containers, r.known,
                            {loop.target.id for loop in r.index_loops})
        backward, zero_end = r.block(body, zero_start)
        rerun_reads(r, plain)

    body = r.add_trip_counters(body)
    reads = {k: widen(v) for k, v in r.reads.items()}
    for s, lists in unpacked_lists(read).items():
        reads[s] = reads.get(s, set()) | lists
    branch_reads = {k: widen(v) for k, v in r.branch_reads.items()}
    record = to_record(body, reads, branch_reads, widen(entry), r.index_loops, once)
    after = {v: found for v, found in recorded_after(body, record, reads, branch_reads, widen(entry)).items()
             if found[1] in r.backward_blocks}
    for v, (s, _, _) in after.items():
        record[s] = [u for u in record[s] if u != v]
        if not record[s]:
            del record[s]
    plain = {s: p for s, p in plain.items() if s in r.backward_blocks}
    for s in plain:   # its trip counter counts from 0 again where its trips run again
        record.pop(r.trips.get(s, (None,))[0], None)
    forward = r.insert_pushes(body, record)
    r.pop_owner = {id(marker): site for site, marker in r.pop_sites.items()}
    backward = r.place_pops(backward, record)
    for v, (_, owner, field) in sorted(after.items()):   # pushed last in the block, popped first in its
        block, back = getattr(owner, field), getattr(r.backward_blocks[owner], field)   # backward block
        block.append(expr_stmt(call(namer.stack + ".append", name(v)), block[-1]))   # (under the comments
        back.insert(0, assign(v, call(namer.stack + ".pop"), back[0] if back else owner))   # around them)
    loop_reads = {s: r.reads.get(s, set()) for s in walk_statements(body) if isinstance(s, (gast.For, gast.While))}
    for s in plain:   # a snapshot reads what the loop carries at its start
        loop_reads[s] = loop_reads[s] | set(carried_names(s, r.trips.get(s, (None,))[0]))
    undefined, assigned_at_end = maybe_undefined(body, param_names(fn), record, r.branch_reads, loop_reads)
    rerun = {v for s in plain for t in walk_statements(s.body) for v in _written(t)}
    snapshots = False
    if plain:
        points = Checkpoints(namer, None if checkpoint == "sqrt" else checkpoint, callees)
        forward, backward = points.rewrite(forward, backward, plain, r.trips, r.backward_blocks)
        r.primal |= points.names
        snapshots = any(points.carried.values()) or points.bookkeeping
    read_back = r.primal_reads(backward)
    if plain:   # a segment's trips run again in the backward pass: what they assign is not saved
        read_back &= upward_exposed(backward, set())
    saved = sorted((read_back | entry) - set(after))   # (popped before they are read)
    return Sweeps(
        params=fn.args,
        inits=[assign(v, const(None), fn) for v in sorted(undefined)],
        forward=forward, out=out, backward=backward, zero_at_end=zero_end,
        restored={v for names in record.values() for v in names} | set(after) | rerun,
        mutated=any(subscript_write(s) is not None or pushed(s) or popped(getattr(s, "value", None))
                    for s in record),
        uses_stack=bool(after) or snapshots or any(v != popped(getattr(s, "value", None)) for s, names in record.items()
                                      if not pushed(s) for v in names),  # undoing an append or a pop needs no stack
        saved=saved,
        saved_inits=[assign(v, const(None), fn) for v in saved if v not in assigned_at_end and v not in undefined],
        active_wrt={p for p in wrt if act.is_active(p)},
        scalar_out=out in numbers or (out in r.known and r.known[out].shape == ()),
    )


def rerun_reads(r, plain):
    """A checkpointed loop runs again in the backward pass: what it reads and does not assign must
    hold, when its backward loop starts, what it held when the loop ran (recorded where it is
    overwritten later, as any value the backward pass reads). What it assigns it computes again,
    or takes from its snapshots -- which are the very objects it carried: one written into in
    place after the loop (the last trips did not rebind it) must be written back too."""
    for s in plain:
        if s in r.reads:   # (it has a backward loop)
            r.reads[s] = r.reads[s] | ((loop_inputs(s) | set(carried_names(s))) & r.primal)


_F8 = np.dtype(float)


def _located(target, value, origin):
    """`target = value` at the line of `origin`, set on the statement only (`nodes.assign` sets it
    on every expression too, which was a tenth of the backward pass): nothing reads the line of an
    expression of the backward sweep (errors cite the user's statements, comments cite statements,
    and what s2s differentiates again it reads from the emitted source)."""
    line = getattr(origin, "lineno", None)
    return gast.Assign(targets=[name(target, store=True)], value=value, type_comment=None,
                       lineno=line, col_offset=getattr(origin, "col_offset", 0))


def _tuple(values):
    return gast.Tuple(elts=[const(v) for v in values], ctx=gast.Load())


def index_loops(fn, callees) -> set:
    """The loops `for i in range(...)` whose index the backward loop can set again, last first
    (`reversed(range(...))`), rather than record: `i` is assigned nowhere else and read only in
    the loop (after it, the backward loop of a later trip of an outer loop would have changed it),
    and nothing the `range` call reads is assigned in the loop (so it gives the same indices
    after it)."""
    counts: dict = {}
    for s in walk_statements(fn.body):
        for n in _written(s):
            counts[n] = counts.get(n, 0) + 1
    uses: dict = {}
    for n in name_nodes(fn):
        uses[n.id] = uses.get(n.id, 0) + 1
    found = set()
    for s in walk_statements(fn.body):
        if not (isinstance(s, gast.For) and isinstance(s.target, gast.Name) and isinstance(s.iter, gast.Call)
                and isinstance(s.iter.func, gast.Name) and callees.lookup(s.iter.func) is range
                and not s.iter.keywords and not any(isinstance(a, gast.Starred) for a in s.iter.args)):
            continue
        read = {n.id for n in name_nodes(s.iter)} - {s.iter.func.id}
        written = {n for t in walk_statements(s.body + s.orelse) for n in _written(t)}
        mine = sum(1 for t in [s.target] + s.body + s.orelse for n in name_nodes(t)
                   if n.id == s.target.id)
        if counts.get(s.target.id) == 1 and not (read & (written | {s.target.id})) and uses[s.target.id] == mine:
            found.add(s)
    return found


def _restores_read(loop) -> bool:
    """Does a write into an element in `loop` (`y[i] = v`, in loops nested in it too) have an index
    that reads the loop's index? Restoring what it overwrote reads that index then."""
    for t in walk_statements(loop.body):
        written = subscript_write(t)
        if written is not None and any(n.id == loop.target.id for n in name_nodes(written.slice)):
            return True
    return False


def _own_statements(stmts):
    """The statements of a loop's body, not those of loops nested in it (their `break` is theirs)."""
    for s in stmts:
        yield s
        if isinstance(s, gast.If):
            yield from _own_statements(s.body + s.orelse)


def _real(code) -> bool:
    """Does `code` hold anything but pop markers?"""
    return any(not isinstance(s, gast.Pass) for s in code)


def _index_value(index):
    """An index as an ordinary value: `1:n` becomes `slice(1, n, None)`."""
    if isinstance(index, gast.Slice):
        return call("slice", *[const(None) if p is None else p for p in (index.lower, index.upper, index.step)])
    if isinstance(index, gast.Tuple):
        return gast.Tuple(elts=[_index_value(e) for e in index.elts], ctx=gast.Load())
    return index


def _copy_index(index):
    return copy.deepcopy(index)
