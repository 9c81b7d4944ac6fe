"""Algebra: the adjoint arithmetic of a block, simplified as a person simplifies it by hand.

Before and after: a generated function. In code where every value the arithmetic touches is a
float64 array of a known shape or a real number (code for known shapes, code for numbers), the
chain of statements that computes an adjoint is rewritten as the expression a person writes::

    d_3 = d_out * y                         d_x = 2.0 * x * y
    d_x = d_3 * x                   ->      d_y = _3 + 1.0
    d_x = d_x + d_3 * x
    d_y = d_out + d_out * _3

    (p = 0.5 * (np.tanh(t) + 1), the log-likelihood of a Bernoulli)
    d_13 = d_12 / _13; d_p = -d_13 ...      d_4 = p - y
    d_3 = d_1 * (1 - _2 ** 2); d_4 = d_3 / 2

How: within one block, each adjoint statement's value is expanded, through the arithmetic
statements before it (adjoint or primal), into a rational function of the values nothing
simplifies further (`transforms.rational`: exact coefficients, common factors cancelled). The
adjoints some other statement reads ("roots": read by a call, returned, live after the block) are
written back from their rational functions: common factors taken out (arrays first, so number
arithmetic is done on numbers), terms of an earlier statement's value replaced by its name where
that is cheaper (``0.5 * _2 + 0.5 - y`` is ``p - y``), and the adjoint statements nobody else
reads dropped. The block is rewritten only if the new arithmetic costs less (array operations
weighted by size, number operations by Python's overhead); otherwise it is left as it was.

The identities are exact over the reals; the floating-point result can differ in the last bits,
and where the original divides 0 by 0 at a point where the function has a limit (``y / p`` times
``p``, at ``p = 0``), the rewritten code gives the limit.

Nothing moves across a statement that may change an array in place (``y[i] = v``, ``y += v``, a
call that is not known to be pure, a loop or a branch): those end the stretch of statements
expanded together. A rewritten adjoint keeps its kind: an array adjoint's expression must still
have an array of its shape in it, and a number adjoint a float in it (a Python int times a Python
int stays an int).
"""
from __future__ import annotations

import gast
import numpy as np

from . import rational as ra
from .expressions import ExpressionWriter, cost, joined, op_cost
from .float_arrays import ELEMENTWISE, NUMBER, float_arrays, kind_of, loop_indices, np_call
from .known_values import Known
from .nodes import ADJOINT, assign, clone, is_adjoint, loaded_names, name, name_nodes, walk

_OPERATORS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**"}


class NotArithmetic(Exception):
    """An expression the pass does not expand (its statement stays as it is)."""


def specialised_simplifier(helper, derivative_name, pure_call, known=None, numbers=(), wrt=()):
    """`optimize`'s `simplify` step for code for known shapes (`known`: name -> Known of the primal
    names) or for numbers (`numbers`: the names that hold numbers; those in `wrt` are floats, the
    others may be ints)."""
    if numbers:
        known = {n: Known((), np.dtype(float if n in wrt else int), True) for n in numbers}

    def simplify(fn):
        kinds = {n: k for n in known for k in [kind_of(name(n), {}, known, helper)] if k}
        kinds.update(float_arrays(fn, helper, known))
        kinds.update((i, NUMBER) for i in loop_indices(fn))   # (ints)

        def floats(n):
            return kinds[n] != NUMBER or derivative_name(n) or n in known and known[n].dtype.kind == "f"
        ints = {**known, **{i: Known((), np.dtype(int), True) for i in loop_indices(fn)}}
        return simplify_adjoint_arithmetic(fn, kinds, floats, derivative_name, pure_call,
                                           lambda node: kind_of(node, kinds, ints, helper))
    return simplify


def simplify_adjoint_arithmetic(fn, kinds: dict, floats, movable, pure_call, kind=None):
    """Rewrite `fn`'s blocks as above. `kinds`: name -> shape tuple, or NUMBER, for every name that
    holds a float64 array of a known shape or a real number wherever it is read; `floats(name)`:
    does that number surely hold a float (not an int)? `movable(name)`: may the statements that
    assign it be rewritten or dropped (the adjoints)? `pure_call(call)`: does the call change
    nothing? `kind(node)`: the kind (as in `kinds`) of a part of an array taken by ints
    (``xs[t + 1]``) or of ``np.roll(a, k)``, else False; None: ``xs[0]`` only, by constants."""
    if kind is None:
        kind = lambda node: kind_of(node, kinds, {}, lambda n: "\0" + n)   # noqa: E731 (no helpers here)
    _Block(kinds, floats, movable, pure_call, _loads(fn.body), _written_in_place(fn), kind).run(fn.body)
    return fn


def _written_in_place(fn) -> set:
    """Names whose value some statement of `fn` changes in place (`y[i] = v`, `y.a = v`, `y += v`):
    an adjoint written as just such a name would share its array, and change with it."""
    out = set()
    for s in walk(fn):
        if type(s) is gast.AugAssign:
            bases = [s.target]
        elif type(s) is gast.Assign:
            bases = [n.value for t in s.targets for n in walk(t)
                     if type(n) in (gast.Subscript, gast.Attribute) and type(n.ctx) is gast.Store]
        else:
            continue
        for b in bases:
            while type(b) in (gast.Subscript, gast.Attribute):
                b = b.value
            if type(b) is gast.Name:
                out.add(b.id)
    return out


def _loads(stmts) -> dict:
    counts: dict = {}
    for s in stmts:
        for n in walk(s):
            if type(n) is gast.Name and type(n.ctx) is gast.Load:
                counts[n.id] = counts.get(n.id, 0) + 1
    return counts


class _Block:
    def __init__(self, kinds, floats, movable, pure_call, loads, mutated, kind):
        self.kinds, self.floats, self.movable, self.pure_call = kinds, floats, movable, pure_call
        self.kind_of = kind   # the kind of `xs[t]` or of `np.roll(a, k)`
        self.loads = loads   # name -> how many times the function reads it
        self.mutated = mutated   # names some statement changes in place

    def run(self, stmts):
        for s in stmts:
            for field in ("body", "orelse"):
                inner = getattr(s, field, None)
                if isinstance(inner, list) and inner and not isinstance(s, gast.FunctionDef):
                    self.run(inner)
        here = _loads(stmts)
        outside = {n for n, k in self.loads.items() if k > here.get(n, 0)}   # read after the block, or before it
        try:
            keep: set = set()
            for _ in range(3):   # a value with a call in it, expanded into two places, is kept instead
                stretch = _Stretch(self, outside, keep)
                stretch.scan(stmts)
                shared = {key for key, n in stretch.inlined.items() if n > 1}
                if shared <= keep:
                    break
                keep |= shared
            new = stretch.rewrite(stmts)
        except (ra.TooLarge, ZeroDivisionError, ValueError):
            new = None
        if new is not None:
            stmts[:] = new or [gast.Pass()]


class _Stretch:
    """One block's statements, scanned once."""

    def __init__(self, ctx, outside, keep=frozenset()):
        self.ctx = ctx
        self.outside = outside       # names read outside the block: their last values may be read there
        self.keep = keep             # (name, version) of movable statements to read as they are
        self.inlined: dict = {}      # (name, version) with a call in its value -> times expanded into another
        self.exposed: set = set()    # names the block reads before it assigns them (a loop's next pass)
        self.atoms: list = []        # atom number -> (name, version), or the text of a call (a str)
        self.numbered: dict = {}     # those -> atom number
        self.calls: dict = {}        # text of a call -> (the call, the (name, version)s it reads, its kind)
        self.version: dict = {}      # name -> its current version (0: as the block starts)
        self.values: dict = {}       # name -> rational function of its current version, while expandable
        self.defs: dict = {}         # (name, version) -> (index, rational or None, movable)
        self.roots: set = set()      # (name, version) of movable statements read as they are
        self.barriers: list = []     # indices of the statements that may change an array in place

    # ---- scanning --------------------------------------------------------------------------
    def atom(self, name):
        key = (name, self.version.get(name, 0))
        if key in self.defs and self.defs[key][2]:
            self.roots.add(key)
        return ra.atom(self.atom_number(key))

    def expand(self, node):
        """The rational function `node` computes, in atoms; NotArithmetic if it is not arithmetic."""
        kind = type(node)
        if kind is gast.Name:
            if node.id not in self.ctx.kinds:
                raise NotArithmetic
            value = self.values.get(node.id)
            key = (node.id, self.version.get(node.id, 0))
            if value is None or key in self.keep:
                return self.atom(node.id)
            if self.has_call(value):
                self.inlined[key] = self.inlined.get(key, 0) + 1
            return value
        if kind is gast.Constant:
            if type(node.value) not in (int, float):
                raise NotArithmetic
            return ra.constant(node.value)
        if kind is gast.UnaryOp and type(node.op) in (gast.USub, gast.UAdd):
            value = self.expand(node.operand)
            return ra.neg(value) if type(node.op) is gast.USub else value
        if kind is gast.BinOp:
            op = type(node.op)
            if op is gast.Pow:
                k = node.right.value if type(node.right) is gast.Constant else None
                if type(k) not in (int, float) or k != int(k) or abs(k) > ra.MAX_EXPONENT:
                    raise NotArithmetic
                return ra.power(self.expand(node.left), int(k))
            if op not in (gast.Add, gast.Sub, gast.Mult, gast.Div):
                raise NotArithmetic
            left, right = self.expand(node.left), self.expand(node.right)
            if op is gast.Add:
                return ra.add(left, right)
            if op is gast.Sub:
                return ra.add(left, right, -1)
            return ra.mul(left, right) if op is gast.Mult else ra.div(left, right)
        if kind is gast.Call and _summed(node) is not None:
            return self.summed(_summed(node))
        if kind is gast.Call and not np_call(node, ("roll",)):
            return ra.atom(self.atom_number(self.call(node)))
        if kind in (gast.Subscript, gast.Call):
            return ra.atom(self.atom_number(self.opaque(node)))
        raise NotArithmetic

    def has_call(self, value) -> bool:
        return any(type(self.atoms[a]) is str for p in (value[0], *value[1]) for m in p for a, _ in m)

    def call(self, node):
        """The atom of `np.<f>(e)`, f an elementwise function of a real that gives a float (never an
        int, never an exception), `e` arithmetic of names with kinds: its text, which names each
        name's version (``cos(u@0)``). (No value expanded before a barrier is read after it, so
        the same text on each side of one, `np.cos(u)` and `u[0] = 1.0`, is never confused.)"""
        if not (np_call(node, ELEMENTWISE) and len(node.args) == 1 and not node.keywords):
            raise NotArithmetic
        reads: set = set()
        text, kind = self.text(node.args[0], reads)
        key = f"{node.func.attr}({text})"
        for n, _ in reads:
            self.atom(n)   # (a movable statement it reads stays)
        self.calls[key] = (node, reads, kind)
        return key

    def text(self, node, reads):
        """(text, kind) of an argument of an elementwise call; NotArithmetic for anything else."""
        t = type(node)
        if t is gast.Name and node.id in self.ctx.kinds:
            reads.add((node.id, self.version.get(node.id, 0)))
            return f"{node.id}@{self.version.get(node.id, 0)}", self.ctx.kinds[node.id]
        if t is gast.Constant and type(node.value) in (int, float):
            return repr(node.value), NUMBER
        if t is gast.UnaryOp and type(node.op) is gast.USub:
            text, kind = self.text(node.operand, reads)
            return f"-({text})", kind
        if t is gast.BinOp and type(node.op) in _OPERATORS:
            (lt, lk), (rt, rk) = self.text(node.left, reads), self.text(node.right, reads)
            if type(node.op) is gast.Pow and rk != NUMBER:
                raise NotArithmetic
            return f"({lt}){_OPERATORS[type(node.op)]}({rt})", joined(lk, rk)
        if t is gast.Call or t is gast.Subscript:
            key = self.opaque(node) if t is gast.Subscript or np_call(node, ("roll",)) else self.call(node)
            reads |= self.calls[key][1]
            return key, self.calls[key][2]
        raise NotArithmetic

    def opaque(self, node):
        """The atom of a part of an array taken by ints (``xs[t + 1]``) or of ``np.roll(a, k)``, of a
        known kind: its text names each name's version (``xs@0[t@3 + 1]``), as a call's does."""
        kind = self.ctx.kind_of(node)
        if kind is None or kind is False or type(node) is gast.Call and kind == NUMBER:
            raise NotArithmetic
        marked, reads = clone(node), set()
        for n in name_nodes(marked):
            key = (n.id, self.version.get(n.id, 0))
            reads.add(key)
            if key in self.defs and self.defs[key][2]:
                self.roots.add(key)   # (a movable statement it reads stays)
            n.id = f"{n.id}@{key[1]}"
        key = gast.dump(marked)
        self.calls[key] = (node, reads, kind)
        return key

    def summed(self, node):
        """``e.sum()`` (or ``np.sum(e)``) of arithmetic `e` whose terms differ by number factors only:
        those factors times the atom of the sum of the array part, ``2.0 * k * (u * v).sum()``."""
        num, factors = self.expand(node)
        arrays = {tuple((a, e) for a, e in m if self.kind(a) != NUMBER) for m in num}
        if factors or len(arrays) != 1 or not next(iter(arrays)):
            raise NotArithmetic
        (part,) = arrays
        product = None
        for a, e in part:
            for _ in range(e):
                product = self.node(a) if product is None else gast.BinOp(left=product, op=gast.Mult(),
                                                                         right=self.node(a))
        call = gast.Call(func=gast.Attribute(value=product, attr="sum", ctx=gast.Load()), args=[], keywords=[])
        key = "sum(" + ", ".join(f"{self.atoms[a]}**{e}" for a, e in part) + ")"
        self.calls[key] = (call, {r for a, _ in part for r in self.reads(a)}, NUMBER)
        s = self.atom_number(key)
        return {ra.mono_mul(tuple(x for x in m if x not in part), ((s, 1),)): c for m, c in num.items()}, ()

    def scan(self, stmts):
        for i, s in enumerate(stmts):
            target = s.targets[0].id if type(s) is gast.Assign and len(s.targets) == 1 \
                and type(s.targets[0]) is gast.Name else None
            value = None
            if target is not None and target in self.ctx.kinds:
                try:
                    value = self.expand(s.value)
                except NotArithmetic:
                    value = None
            movable = value is not None and self.ctx.movable(target)
            read = loaded_names(s)
            if target is None and type(s) is not gast.Assign:   # a branch or a loop may leave what it
                read |= set(_stored(s))                         # assigns as it was: that value is read
            self.exposed |= {n for n in read if n not in self.version}
            if not movable:   # it stays as it is, and reads the names it reads
                for n in read:
                    key = (n, self.version.get(n, 0))
                    if key in self.defs and self.defs[key][2]:
                        self.roots.add(key)
            if self._barrier(s):
                self.values.clear()   # nothing expanded before it is moved past it
                self.barriers.append(i)
            for n in [target] if target is not None else _stored(s):
                before = (n, self.version.get(n, 0))
                if not movable:   # this statement stays: what reads `before` cannot be expanded after it
                    self.forget_reads_of(before)
                self.version[n] = before[1] + 1
                self.defs[(n, self.version[n])] = (i, value, movable)
                if value is not None and (movable or not self.has_call(value) and before not in self.reads_of(value)):
                    self.values[n] = value   # (a name that stays is cheaper than its call; `z = 2.0 * z`
                else:                        # that stays reads z as it was)
                    self.values.pop(n, None)
        for n, v in self.version.items():   # what the block leaves behind may be read after it
            if self.defs[(n, v)][2] and (n in self.outside or n in self.exposed):
                self.roots.add((n, v))

    def forget_reads_of(self, key):
        """`key` (name, version) is about to be rebound by a statement that stays: no value that
        reads it is expanded after that, where it would read the new one (the names assigned those
        values are read as they are there)."""
        for n, value in list(self.values.items()):
            if key in self.reads_of(value):
                del self.values[n]

    def reads_of(self, value) -> set:
        return {r for p in (value[0], *value[1]) for m in p for a, _ in m for r in self.reads(a)}

    def _barrier(self, s) -> bool:
        """May `s` change an array in place?"""
        if type(s) not in (gast.Assign, gast.Return, gast.Expr, gast.Pass):
            return True
        if type(s) is gast.Assign and any(type(n) in (gast.Subscript, gast.Attribute) and type(n.ctx) is gast.Store
                                          for t in s.targets for n in walk(t)):
            return True
        return any(type(c) is gast.Call and not self.ctx.pure_call(c) and not _stack_call(c, self.ctx.kinds)
                   for c in walk(s))

    # ---- writing back ----------------------------------------------------------------------
    def rewrite(self, stmts):
        """The statements rewritten, after `scan`; None where that would not pay."""
        moved = [key for key, (_, value, movable) in self.defs.items() if movable]
        if not moved:
            return None
        kinds = self.ctx.kinds
        old = sum(cost(stmts[self.defs[k][0]].value, kinds)[0] for k in moved)
        surviving = {}   # name -> sorted [(index, version)] of its assignments that stay
        for (n, v), (i, _, movable) in self.defs.items():
            if not movable or (n, v) in self.roots:
                surviving.setdefault(n, []).append((i, v))
        writer = ExpressionWriter(self)
        new, total = {}, 0.0
        for key in sorted(self.roots, key=lambda k: self.defs[k][0]):
            i, (num, factors), _ = self.defs[key]
            num = writer.refold(num, [(self.atom_number(k), p) for k, p in self.candidates(i, surviving)])
            if any(not self.valid(r, i, surviving) for p in (num, *factors) for m in p for a, _ in m
                   for r in self.reads(a)):
                return None
            num, added = self.peeled(num, factors, kinds[key[0]])
            expr, spent, kind, floaty = writer.rational(num, factors)
            if kind != kinds[key[0]] or (kind == NUMBER and not floaty):   # a kind kept, a float kept a float
                return None
            if type(expr) is gast.Name and expr.id in self.ctx.mutated:   # (not an alias of what changes)
                return None
            if type(expr) is gast.Subscript and gast.dump(expr) != gast.dump(stmts[i].value):
                return None   # (a view of an array: only where the statement was that view already)
            new[i] = [expr] + [gast.BinOp(left=name(key[0]), op=gast.Add() if c > 0 else gast.Sub(),
                                          right=self.node(a)) for c, a in added]
            total += spent + sum(self.cost(a) + op_cost(kind) for _, a in added)
        if total >= old - 1e-9:
            return None
        dropped = {i for key, (i, _, movable) in self.defs.items() if movable and key not in self.roots}
        out = []
        for i, s in enumerate(stmts):
            if i in new:
                s.value = new[i][0]
                out.append(s)
                for value in new[i][1:]:
                    out.append(assign(s.targets[0].id, value, s))
                    setattr(out[-1], ADJOINT, is_adjoint(s))   # (cited with its statement)
            elif i not in dropped:
                out.append(s)
        return out

    def peeled(self, num, factors, kind):
        """(the rest of `num`, [(sign, atom)] of its terms ``np.roll(a, k)`` with a coefficient of
        1 or -1), for an array adjoint that has a rest: each such term is added on its own after the
        rest (``d_u = d_u * (...)``, ``d_u = d_u + np.roll(d_3, 1)``), which `transforms.inplace`
        makes an update in place; as one sum, each would be a new array."""
        if factors or kind == NUMBER:
            return num, []
        added = [(c, m[0][0]) for m, c in num.items() if len(m) == 1 and m[0][1] == 1 and c in (1, -1)
                 and type(self.atoms[m[0][0]]) is str and np_call(self.calls[self.atoms[m[0][0]]][0], ("roll",))
                 and self.kind(m[0][0]) == kind]
        if len(added) == len(num):
            return num, []
        return {m: c for m, c in num.items() if not (len(m) == 1 and (c, m[0][0]) in added)}, added

    def atom_number(self, key) -> int:
        if key not in self.numbered:
            self.numbered[key] = len(self.atoms)
            self.atoms.append(key)
        return self.numbered[key]

    # ---- what the atoms are (for ExpressionWriter) ---------------------------------------------
    def reads(self, a):
        key = self.atoms[a]
        return self.calls[key][1] if type(key) is str else (key,)

    def node(self, a):
        key = self.atoms[a]
        if type(key) is str:
            return clone(self.calls[key][0])
        return gast.Name(id=key[0], ctx=gast.Load(), annotation=None, type_comment=None)

    def kind(self, a):
        key = self.atoms[a]
        return self.calls[key][2] if type(key) is str else self.ctx.kinds[key[0]]

    def is_float(self, a) -> bool:
        key = self.atoms[a]
        return type(key) is str or self.ctx.floats(key[0])

    def cost(self, a) -> float:
        key = self.atoms[a]
        return cost(self.calls[key][0], self.ctx.kinds)[0] if type(key) is str else 0.0

    def valid(self, key, index, surviving) -> bool:
        """Does `key` = (name, version) hold that version at statement `index`, once the dropped
        statements are gone?"""
        name, version = key
        before = [v for i, v in surviving.get(name, []) if i < index]
        return (before[-1] if before else 0) == version

    def candidates(self, index, surviving):
        """Earlier statements whose value may stand for part of a later one: (key, polynomial)."""
        out = []
        for key, (i, value, movable) in self.defs.items():
            if i >= index or value is None or value[1] or len(value[0]) < 2 or (movable and key not in self.roots):
                continue
            if self.valid(key, index, surviving) and not any(i < b < index for b in self.barriers):
                out.append((key, value[0]))
        return out


def _summed(node):
    """`e` of ``e.sum()`` or ``np.sum(e)`` (no other argument), else None."""
    f = node.func
    if node.keywords or type(f) is not gast.Attribute or f.attr != "sum":
        return None
    if np_call(node, ("sum",)):
        return node.args[0] if len(node.args) == 1 else None
    return f.value if not node.args else None


def _stack_call(c, kinds) -> bool:
    """`xs.append(v)` or `xs.pop()` on a list (no array changes)."""
    f = c.func
    return type(f) is gast.Attribute and f.attr in ("append", "pop") and type(f.value) is gast.Name \
        and f.value.id not in kinds


def _stored(s) -> list:
    return [n.id for n in name_nodes(s) if type(n.ctx) is gast.Store]
