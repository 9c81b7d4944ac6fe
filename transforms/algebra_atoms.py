"""Atoms for `transforms.algebra`: an expression of a block, expanded into a rational function
(`transforms.rational`) of the values nothing simplifies further, and what each of those is.

An atom is a name at one of its versions (``u@0``: the block's names are versioned as they are
assigned), or a part of an expression kept whole, named by its text with the versions of the
names it reads: an elementwise call (``cos(u@0)``), a row taken by ints (``xs@0[t@0 + 1]``),
``np.roll`` of an array, and a sum (``e.sum()`` of terms that differ by number factors only, those
factors taken out; ``np.vdot(u, v)`` for two arrays of one shape). `ExpressionWriter` writes the
functions back (`atoms.node(a)`, `atoms.kind(a)`, ...).
"""
from __future__ import annotations

import gast

from . import rational as ra
from .expressions import cost, joined
from .float_arrays import ELEMENTWISE, NUMBER, np_call
from .nodes import clone, name, name_nodes

_OPERATORS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**"}


class NotArithmetic(Exception):
    """An expression the pass does not expand (its statement stays as it is)."""


class Atoms:
    """The atoms of one block's stretch, and the versions, values and definitions of its names that
    expanding reads (`transforms.algebra` scans the statements and fills them in)."""

    def __init__(self, ctx, keep=frozenset()):
        self.ctx = ctx               # the pass: kinds, floats, movable, pure_call, kind_of
        self.keep = keep             # (name, version) of movable statements to read as they are
        self.inlined: dict = {}      # (name, version) with a call in its value -> times expanded into another
        self.atoms: list = []        # atom number -> (name, version), or the text of a call (a str)
        self.numbered: dict = {}     # those -> atom number
        self.calls: dict = {}        # text of a call -> (the call, the (name, version)s it reads, its kind)
        self.version: dict = {}      # name -> its current version (0: as the block starts)
        self.values: dict = {}       # name -> rational function of its current version, while expandable
        self.defs: dict = {}         # (name, version) -> (index, rational or None, movable)
        self.roots: set = set()      # (name, version) of movable statements read as they are

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
        those factors times the atom of the sum of the array part, ``2.0 * k * (u * v * w).sum()``,
        or ``np.vdot(u, v)`` for two arrays of one shape (as a person writes it)."""
        num, factors = self.expand(node)
        arrays = {tuple((a, e) for a, e in m if self.kind(a) != NUMBER) for m in num}
        if factors or len(arrays) != 1 or not next(iter(arrays)):
            raise NotArithmetic
        (part,) = arrays
        kind = NUMBER
        for a, _ in part:
            kind = joined(kind, self.kind(a))
        if kind != self.ctx.kind_of(node):   # (terms that cancelled may have broadcast the rest)
            raise NotArithmetic
        factors = [a for a, e in part for _ in range(e)]
        if len(factors) == 2 and self.kind(factors[0]) == self.kind(factors[1]):   # (no broadcasting)
            call = gast.Call(func=gast.Attribute(value=name("np"), attr="vdot", ctx=gast.Load()),
                             args=[self.node(a) for a in factors], keywords=[])   # (no product made)
        else:
            product = self.node(factors[0])
            for a in factors[1:]:
                product = gast.BinOp(left=product, op=gast.Mult(), right=self.node(a))
            call = gast.Call(func=gast.Attribute(value=product, attr="sum", ctx=gast.Load()), args=[], keywords=[])
        key = "sum(" + ", ".join(f"{self.atoms[a]}**{e}" for a, e in part) + ")"
        self.calls[key] = (call, {r for a, _ in part for r in self.reads(a)}, NUMBER)
        s = self.atom_number(key)
        return {ra.mono_mul(tuple(x for x in m if x not in part), ((s, 1),)): c for m, c in num.items()}, ()

    def reads_of(self, value) -> set:
        return {r for p in (value[0], *value[1]) for m in p for a, _ in m for r in self.reads(a)}

    def atom_number(self, key) -> int:
        if key not in self.numbered:
            self.numbered[key] = len(self.atoms)
            self.atoms.append(key)
        return self.numbered[key]

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


def _summed(node):
    """`e` of ``e.sum()`` or ``np.sum(e)`` (no other argument), else None."""
    f = node.func
    if node.keywords or type(f) is not gast.Attribute or f.attr != "sum":
        return None
    if np_call(node, ("sum",)):
        return node.args[0] if len(node.args) == 1 else None
    return f.value if not node.args else None
