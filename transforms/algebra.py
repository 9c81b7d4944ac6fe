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

    (a log-softmax less its row maximum m, the cross-entropy of soft labels Y)
    d_m = (-d_logp).sum(axis=1, keepdims=True)        d_3 = 0.125 * Y.sum(axis=1, keepdims=True)
    d_3 = (-d_logp / _3).sum(axis=1, keepdims=True)           / np.sum(_4, axis=1, keepdims=True)
    d_5 = d_3 * _4; d_Z = d_logp + d_5          ->    d_Z = _4 * d_3 - 0.125 * Y
    d_m = d_m + (-d_5).sum(axis=1, keepdims=True)
    d_Z = d_Z + unmax(d_m, Z, m, 1, True)     (d_m is zero over the reals: the shift cancels)

How: within one block, each adjoint statement's value is expanded, through the arithmetic
statements before it (adjoint or primal), into a rational function of the values nothing
simplifies further (`transforms.rational`: exact coefficients, common factors cancelled; the
values, `transforms.algebra_atoms`: names, elementwise calls, rows ``xs[t]``, ``np.roll``,
sums with their number factors taken out, ``-0.05 * np.vdot(d_4, np.sin(xs[t]))``, and sums over
one axis with the factors constant along it taken out). The
adjoints some other statement reads ("roots": read by a call, returned, live after the block) are
written back from their rational functions: common factors taken out (arrays first, so number
arithmetic is done on numbers), terms of an earlier statement's value replaced by its name where
that is cheaper (``0.5 * _2 + 0.5 - y`` is ``p - y``), and the adjoint statements nobody else
reads dropped; a rolled array added to an array adjoint is added by a statement of its own, which
`transforms.inplace` makes an update in place. The block is rewritten only if the new arithmetic
costs less (array operations weighted by size, number operations by Python's overhead); otherwise
it is left as it was.

The identities are exact over the reals; the floating-point result can differ in the last bits,
and where the original divides 0 by 0 at a point where the function has a limit (``y / p`` times
``p``, at ``p = 0``), the rewritten code gives the limit. A cotangent that is zero over the reals
is dropped with the path it would take (the maximum a log-softmax subtracts: what is left is
softmax minus the labels, as a person writes it), though in floating point it was a rounding
error's worth.

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
from .algebra_atoms import Atoms, NotArithmetic
from .expressions import ExpressionWriter, cost, op_cost
from .float_arrays import NUMBER, float_arrays, kind_of, loop_indices, np_call
from .known_values import Known
from .nodes import ADJOINT, assign, is_adjoint, load_counts, loaded_names, name, name_nodes, walk

# runtime helpers linear in their first argument, a cotangent: zero where it is zero
LINEAR_HELPERS = ("unmax", "unsum", "unbroadcast", "unindex")


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
                                           lambda node: kind_of(node, kinds, ints, helper),
                                           frozenset(helper(h) for h in LINEAR_HELPERS))
    return simplify


def simplify_adjoint_arithmetic(fn, kinds: dict, floats, movable, pure_call, kind=None, linear=frozenset()):
    """Rewrite `fn`'s blocks as above. `kinds`: name -> shape tuple, or NUMBER, for every name that
    holds a float64 array of a known shape or a real number wherever it is read; `floats(name)`:
    does that number surely hold a float (not an int)? `movable(name)`: may the statements that
    assign it be rewritten or dropped (the adjoints)? `pure_call(call)`: does the call change
    nothing? `kind(node)`: the kind (as in `kinds`) of a part of an array taken by ints
    (``xs[t + 1]``) or of ``np.roll(a, k)``, else False; None: ``xs[0]`` only, by constants.
    `linear`: the names of runtime helpers linear in their first argument, as generated code calls them."""
    if kind is None:
        kind = lambda node: kind_of(node, kinds, {}, lambda n: "\0" + n)   # noqa: E731 (no helpers here)
    _Block(kinds, floats, movable, pure_call, load_counts(fn.body), _written_in_place(fn), kind, linear).run(fn.body)
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


class _Block:
    def __init__(self, kinds, floats, movable, pure_call, loads, mutated, kind, linear):
        self.kinds, self.floats, self.movable, self.pure_call = kinds, floats, movable, pure_call
        self.linear = linear   # helpers whose value is zero where their first argument is
        self.kind_of = kind   # the kind of `xs[t]` or of `np.roll(a, k)`
        self.loads = loads   # name -> how many times the function reads it
        self.mutated = mutated   # names some statement changes in place

    def run(self, stmts):
        for s in stmts:
            for field in ("body", "orelse"):
                inner = getattr(s, field, None)
                if isinstance(inner, list) and inner and not isinstance(s, gast.FunctionDef):
                    self.run(inner)
        here = load_counts(stmts)
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


class _Stretch(Atoms):
    """One block's statements, scanned once."""

    def __init__(self, ctx, outside, keep=frozenset()):
        super().__init__(ctx, keep)
        self.outside = outside       # names read outside the block: their last values may be read there
        self.exposed: set = set()    # names the block reads before it assigns them (a loop's next pass)

    # ---- scanning --------------------------------------------------------------------------
    def scan(self, stmts):
        for i, s in enumerate(stmts):
            self.at = i
            target = s.targets[0].id if type(s) is gast.Assign and len(s.targets) == 1 \
                and type(s.targets[0]) is gast.Name else None
            value = None
            fill = target is not None and np_call(s.value, ("full",))   # (it stays: as a number, its value
            if target is not None and target in self.ctx.kinds:          # would not have its kind; it is
                try:                                                     # read as that number)
                    value = self.expand(s.value)
                except NotArithmetic:
                    value = None
            movable = value is not None and self.ctx.movable(target) and not fill
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
                self.named.clear()
                self.barriers.append(i)
            for n in [target] if target is not None else _stored(s):
                before = (n, self.version.get(n, 0))
                if not movable:   # this statement stays: what reads `before` cannot be expanded after it
                    self.forget_reads_of(before)
                self.version[n] = before[1] + 1
                self.defs[(n, self.version[n])] = (i, value, movable)
                if value is not None and not movable:
                    self.name_call(value, (n, self.version[n]))
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
        cited = {i: self.defs[(n, v - 1)][0] for (n, v), (i, _, movable) in self.defs.items()
                 if i in self.zeroed and i in new and (n, v - 1) in self.defs}
        for i, s in enumerate(stmts):
            if i in new:
                s.value = new[i][0]
                if i in cited:   # (what it added was zero: it cites the line of what it holds)
                    gast.copy_location(s, stmts[cited[i]])
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
            if i >= index or value is None or value[1] or not value[0] or (movable and key not in self.roots):
                continue
            if self.valid(key, index, surviving) and not any(i < b < index for b in self.barriers):
                out.append((key, value[0]))
        return out


def _stack_call(c, kinds) -> bool:
    """`xs.append(v)` or `xs.pop()` on a list (no array changes)."""
    f = c.func
    return type(f) is gast.Attribute and f.attr in ("append", "pop") and type(f.value) is gast.Name \
        and f.value.id not in kinds


def _stored(s) -> list:
    return [n.id for n in name_nodes(s) if type(n.ctx) is gast.Store]
