"""Polynomials and rational functions of `transforms.rational`, written back as Python expressions
the way a person writes them, with what they cost (for `transforms.algebra`).

A polynomial is written with its most shared factor taken out, recursively (Horner's rule over
several variables), array factors before number factors, so that number arithmetic is done on
numbers before it meets an array: ``x * (2.0 * d_out * y)``; or as a plain sum where that is
cheaper. Number terms come first, positive terms before negative ones, a coefficient of -1 is a
minus sign, and a rational function is its numerator divided by each factor of its denominator.

Costs are in units of one NumPy operation's fixed cost: an array operation costs
``1 + size / ELEMENTS_PER_OP``, a number operation `SCALAR_OP` (Python's own overhead).
"""
from __future__ import annotations

from fractions import Fraction

import gast
import numpy as np

from . import rational as ra
from .float_arrays import NUMBER

SCALAR_OP = 0.05     # a number operation, in units of one NumPy operation's fixed cost
ELEMENTS_PER_OP = 256   # elements of an array operation that cost as much as its fixed cost
VIEW = 0.3           # taking a view (`xs[t]`)
ROLL = 4.0           # `np.roll(x, k)`: a copy in two slices, made in Python


class ExpressionWriter:
    """Writes rational functions of atoms as expressions. `atoms` says what atom `a` is:
    `atoms.node(a)` (a new expression node for it: a name, or a call), `atoms.kind(a)` (a shape
    tuple or NUMBER), `atoms.is_float(a)` (does that number surely hold a float?) and
    `atoms.cost(a)` (of evaluating it once: 0 for a name)."""

    def __init__(self, atoms):
        self.atoms = atoms

    def rational(self, num, factors):
        """(expression, cost, kind, has a float) of ``num / (product of factors)``."""
        expr, spent, kind, floaty = self.poly(num)
        for f in factors:
            den, c, k, fl = self.poly(f)
            expr = gast.BinOp(left=expr, op=gast.Div(), right=den)
            kind = joined(kind, k)
            spent += c + op_cost(kind)
            floaty = floaty or fl
        return expr, spent, kind, floaty

    def refold(self, num, candidates):
        """`num` with terms replaced by atoms that hold them, `candidates` [(atom, its polynomial)]
        (greedy, while it gets cheaper): ``0.5 * _2 + 0.5 - y`` with ``p = 0.5 * _2 + 0.5`` is
        ``p - y``."""
        best = self.poly(num)[1]
        for _ in range(4):
            improved = None
            for a, poly in candidates:
                for m in poly:
                    if m not in num:
                        continue
                    k = num[m] / poly[m]
                    trial = ra.padd(ra.padd(num, poly, -k), ra.atom(a)[0], k)
                    spent = self.poly(trial)[1]
                    if spent < best - 1e-9:
                        best, improved = spent, trial
                if len(poly) > 1 and len(num) > len(poly):   # a product of it: (out - y) * (1 - x * x)
                    quotient = ra.exact_quotient(num, poly)
                    if quotient:
                        trial = ra.pmul(ra.atom(a)[0], quotient)
                        spent = self.poly(trial)[1]
                        if spent < best - 1e-9:
                            best, improved = spent, trial
            if improved is None:
                return num
            num = improved
        return num

    def kind_of_atom(self, a):
        return self.atoms.kind(a)

    def poly(self, p):
        """(expression, cost, kind, has a float) of the polynomial `p`: common array factors first."""
        if not p:
            return _const(0.0), 0.0, NUMBER, True
        best = None
        counts: dict = {}
        for m in p:
            for a, _ in m:
                counts[a] = counts.get(a, 0) + 1
        shared = [a for a, n in counts.items() if n > 1]
        if shared:   # a * q + r, the factor in most terms (arrays before numbers)
            a = max(shared, key=lambda a: (self.kind_of_atom(a) != NUMBER, counts[a], -a))
            q = {_divide_once(m, a): c for m, c in p.items() if any(b == a for b, _ in m)}
            r = {m: c for m, c in p.items() if not any(b == a for b, _ in m)}
            qe, qc, qk, qf = self.poly(q)
            ae, ak = self.name_of(a), self.kind_of_atom(a)
            kind = joined(qk, ak)
            expr = gast.BinOp(left=ae, op=gast.Mult(), right=qe) if ak != NUMBER or qk == NUMBER else \
                gast.BinOp(left=qe, op=gast.Mult(), right=ae)
            spent = qc + self.atoms.cost(a) + op_cost(kind)
            floaty = qf or self.atoms.is_float(a)
            if r:
                negative = all(c < 0 for c in r.values())   # a * q - r
                re_, rc, rk, rf = self.poly(ra.pscale(r, Fraction(-1)) if negative else r)
                kind = joined(kind, rk)
                expr = gast.BinOp(left=expr, op=gast.Sub() if negative else gast.Add(), right=re_)
                spent += rc + op_cost(kind)
                floaty = floaty or rf
            best = (expr, spent, kind, floaty)
            flat = self.sum_of(p)
            if flat[1] < best[1]:
                best = flat
        return best if best is not None else self.sum_of(p)

    def sum_of(self, p):
        """The terms of `p` added: number terms first (added as numbers), positive before negative,
        a constant last among them, or last of all where it is the only number term and a positive
        term can come first (``p - 1.0``, ``1.0 - p``)."""
        def order(m):
            arrays = any(self.kind_of_atom(a) != NUMBER for a, _ in m)
            return (arrays, p[m] < 0, -sum(e for _, e in m), [a for a, _ in m])
        terms = sorted(p, key=order)
        if terms[0] == ra.ONE and len(terms) > 1 and p[terms[1]] > 0:   # (not -p + 1.0 for 1.0 - p)
            terms = terms[1:] + terms[:1]
        expr, spent, kind, floaty = None, 0.0, NUMBER, False
        for m in terms:
            c = p[m]
            negative = expr is not None and c < 0
            te, tc, tk, tf = self.monomial(m, -c if negative else c)
            floaty = floaty or tf
            if expr is None:
                expr, spent, kind = te, tc, tk
                continue
            kind = joined(kind, tk)
            expr = gast.BinOp(left=expr, op=gast.Sub() if negative else gast.Add(), right=te)
            spent += tc + op_cost(kind)
        return expr, spent, kind, floaty

    def monomial(self, m, c):
        """c * the atoms of `m` (numbers first, then arrays; a square as `a * a`)."""
        parts = []   # (expression, kind, cost of making it)
        for a, e in sorted(m, key=lambda ae: (self.kind_of_atom(ae[0]) != NUMBER, ae[0])):
            k = self.kind_of_atom(a)
            if e <= 2:
                parts += [(self.name_of(a), k, self.atoms.cost(a)) for _ in range(e)]
            else:
                parts.append((gast.BinOp(left=self.name_of(a), op=gast.Pow(), right=_const(e)), k,
                              self.atoms.cost(a) + op_cost(k)))
        floaty = any(self.atoms.is_float(a) for a, _ in m)
        negate = c == -1 and len(parts) > 0
        if not (c == 1 and parts) and not negate:
            parts.insert(0, (_const(float(c)), NUMBER, 0.0))
            floaty = True
        expr, kind, spent = parts[0]
        for term, k, made in parts[1:]:
            kind = joined(kind, k)
            expr = gast.BinOp(left=expr, op=gast.Mult(), right=term)
            spent += made + op_cost(kind)
        if negate:
            expr = gast.UnaryOp(op=gast.USub(), operand=expr)
            spent += op_cost(kind)
        return expr, spent, kind, floaty

    def name_of(self, a):
        return self.atoms.node(a)


def _divide_once(m, a):
    return tuple((b, e - 1) if b == a else (b, e) for b, e in m if not (b == a and e == 1))


def _const(value):
    return gast.Constant(value=value, kind=None)


def joined(a, b):
    """The kind of an operation's result on kinds `a` and `b` (broadcasting)."""
    if a == NUMBER:
        return b
    return a if b == NUMBER else tuple(np.broadcast_shapes(a, b))


def op_cost(kind) -> float:
    if kind == NUMBER:
        return SCALAR_OP
    size = 1
    for n in kind:
        size *= n
    return 1.0 + size / ELEMENTS_PER_OP


def call_cost(kind) -> float:
    """An elementwise NumPy function: a NumPy operation's fixed cost, even on a number."""
    return op_cost(kind) if kind != NUMBER else 1.0


def _summed_kind(node, kind):
    """The kind of a sum of an array of kind `kind`: a number, or a shape where an int `axis=` is
    given (its axis kept as 1 with ``keepdims=True``)."""
    words = {k.arg: k.value for k in node.keywords}
    axis, keep = words.get("axis"), words.get("keepdims")
    if kind == NUMBER or type(axis) is not gast.Constant or type(axis.value) is not int \
            or not -len(kind) <= axis.value < len(kind):
        return NUMBER
    k = axis.value % len(kind)
    kept = type(keep) is gast.Constant and keep.value is True
    return kind[:k] + ((1,) if kept else ()) + kind[k + 1:] or NUMBER


def cost(node, kinds):
    """(cost, kind) of the arithmetic in `node`, the calls `transforms.algebra` reads or writes
    included (an elementwise call, a view, a sum, `np.vdot`, `np.roll`); other nodes cost nothing here."""
    kind = type(node)
    if kind is gast.Name:
        return 0.0, kinds.get(node.id, NUMBER)
    if kind is gast.Subscript:   # a view of a part (an element: a number)
        c, k = cost(node.value, kinds)
        parts = len(node.slice.elts) if type(node.slice) is gast.Tuple else 1
        k = k[parts:] or NUMBER if k != NUMBER else NUMBER
        return c + VIEW, k
    if kind is gast.Call and type(node.func) is gast.Attribute and node.func.attr == "sum" and len(node.args) < 2:
        c, k = cost(node.args[0] if node.args else node.func.value, kinds)   # e.sum(), np.sum(e)
        return c + call_cost(k), _summed_kind(node, k)
    if kind is gast.Call and len(node.args) == 2 and type(node.func) is gast.Attribute and node.func.attr == "vdot":
        (c, k), (c2, _) = cost(node.args[0], kinds), cost(node.args[1], kinds)   # np.vdot(u, v)
        return c + c2 + call_cost(k), NUMBER
    if kind is gast.Call and node.args and type(node.func) is gast.Attribute and node.func.attr == "roll":
        c, k = cost(node.args[0], kinds)   # np.roll(x, k)
        return c + ROLL * call_cost(k), k
    if kind is gast.Call and len(node.args) == 1:   # np.cos(x)
        c, k = cost(node.args[0], kinds)
        return c + call_cost(k), k
    if kind is gast.BinOp:
        lc, lk = cost(node.left, kinds)
        rc, rk = cost(node.right, kinds)
        k = joined(lk, rk)
        return lc + rc + op_cost(k), k
    if kind is gast.UnaryOp:
        c, k = cost(node.operand, kinds)
        return c + op_cost(k), k
    return 0.0, NUMBER
