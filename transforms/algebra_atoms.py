"""Atoms for `transforms.algebra`: an expression of a block, expanded into a rational function
(`transforms.rational`) of the values nothing simplifies further, and what each of those is.

An atom is a name at one of its versions (``u@0``: the block's names are versioned as they are
assigned), or a part of an expression kept whole, named by its text with the versions of the
names it reads: an elementwise call (``cos(u@0)``), a row taken by ints (``xs@0[t@0 + 1]``),
``np.roll`` of an array, a sum (``e.sum()`` of terms that differ by number factors only, those
factors taken out; ``np.vdot(u, v)`` for two arrays of one shape), and a sum over one axis
(``e.sum(axis=1, keepdims=True)``: linear, so each factor constant along that axis comes out, and
one atom stands for the sum of each rest; a name that holds such a sum stands for it). Sums are
expanded through the values kept as names where what comes out reads nothing new: so the
cotangent of the maximum a log-softmax subtracts, ``-d.sum(axis=1, keepdims=True) + (s / e.sum(
axis=1, keepdims=True) * e).sum(axis=1, keepdims=True)`` with ``s = d.sum(...)``, is zero, and a
helper linear in its first argument (`unmax`) of a zero is zero. `ExpressionWriter` writes the
functions back (`atoms.node(a)`, `atoms.kind(a)`, ...).

A value may have fewer axes than the array it stands for (``np.full((64, 5), v)`` is ``v``, and
``m + u - m`` is ``u``): everything it meets broadcasts it. Where a shape matters -- what a sum
adds up, and the kind of an adjoint written back -- the kind is the expression's own
(`ctx.kind_of`), not its value's.
"""
from __future__ import annotations

import gast

from . import rational as ra
from .expressions import cost, joined
from .float_arrays import ELEMENTWISE, NUMBER, int_constant, np_call
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
        self.named: dict = {}        # text of a sum -> the (name, version) a statement that stays gave it
        self.barriers: list = []     # indices of the statements that may change an array in place
        self.at = 0                  # the index of the statement being expanded
        self.zeroed: set = set()     # indices of the statements with a helper's call found to be zero

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
        if kind is gast.Call and _axis_summed(node) is not None:
            return self.axis_summed(*_axis_summed(node))
        if kind is gast.Call and self.zero_through(node):
            return ra.constant(0)
        if kind is gast.Call and np_call(node, ("full",)) and len(node.args) == 2 and type(self.ctx.kind_of(node)) is tuple:
            return self.expand(node.args[1])   # (np.full(shape, v) is v broadcast: its kind is the node's)
        if kind is gast.Call and not np_call(node, ("roll",)):
            return ra.atom(self.atom_number(self.call(node)))
        if kind is gast.Subscript and self.number_view(node) is not None:
            return self.number_view(node)
        if kind in (gast.Subscript, gast.Call):
            return ra.atom(self.atom_number(self.opaque(node)))
        raise NotArithmetic

    def number_view(self, node):
        """The value of ``a[:, None]`` (full slices and new axes), `a` a name whose value is a number
        (``a = np.full((64,), v)``: that number, broadcast), else None."""
        value = self.values.get(node.value.id) if type(node.value) is gast.Name else None
        parts = node.slice.elts if type(node.slice) is gast.Tuple else [node.slice]
        if value is None or (node.value.id, self.version.get(node.value.id, 0)) in self.keep \
                or any(self.kind(a) != NUMBER for p in (value[0], *value[1]) for m in p for a, _ in m):
            return None
        if all(type(p) is gast.Constant and p.value is None
               or type(p) is gast.Slice and p.lower is None and p.upper is None and p.step is None for p in parts):
            return value
        return None

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
        if self.joined(a for a, _ in part) != self.ctx.kind_of(node):   # (terms that cancelled may
            raise NotArithmetic                                          # have broadcast the rest)
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

    def axis_summed(self, node, axis):
        """``e.sum(axis=k, keepdims=True)`` of arithmetic `e` of arrays: each factor that is
        constant along axis k (a number, or an array of size 1 there, or of fewer axes) taken out
        of the sum, denominators included, and one atom for the sum of each distinct rest:
        ``(d / s).sum(axis=1, keepdims=True)`` is ``d.sum(axis=1, keepdims=True) / s`` where `s`
        is (64, 1). So sums of one array written in several places are one atom, and a cotangent
        that cancels over the reals (the shift of a log-softmax by its row maximum) cancels."""
        num, factors = self.through_kept(node)
        full = self.ctx.kind_of(node)   # (not its atoms': terms that cancelled may have broadcast them)
        if type(full) is not tuple or not -len(full) <= axis < len(full):
            raise NotArithmetic
        axis %= len(full)

        def constant(a):
            kind = self.kind(a)
            at = axis - (len(full) - len(kind)) if kind != NUMBER else -1
            return at < 0 or kind[at] == 1

        if not all(constant(a) for p in factors for m in p for a, _ in m):
            raise NotArithmetic
        out: dict = {}
        for m, c in num.items():
            rest = tuple((a, e) for a, e in m if not constant(a))
            kept = tuple((a, e) for a, e in m if constant(a))
            if not rest:   # summed over the axis, as broadcast: n times itself
                out[kept] = out.get(kept, 0) + c * full[axis]
                continue
            kind = self.joined(a for a, _ in rest)
            if kind == NUMBER or len(kind) != len(full):
                raise NotArithmetic
            atoms = [a for a, e in rest for _ in range(e)]
            product = self.node(atoms[0])
            for a in atoms[1:]:
                product = gast.BinOp(left=product, op=gast.Mult(), right=self.node(a))
            call = gast.Call(func=gast.Attribute(value=product, attr="sum", ctx=gast.Load()), args=[],
                             keywords=[gast.keyword(arg="axis", value=gast.Constant(value=axis, kind=None)),
                                       gast.keyword(arg="keepdims", value=gast.Constant(value=True, kind=None))])
            key = f"sum{axis}(" + ", ".join(f"{self.atoms[a]}**{e}" for a, e in rest) + ")"
            self.calls[key] = (call, {r for a, _ in rest for r in self.reads(a)},
                               kind[:axis] + (1,) + kind[axis + 1:])
            m2 = ra.mono_mul(kept, ((self.sum_atom(key), 1),))
            out[m2] = out.get(m2, 0) + c
        return {m: c for m, c in out.items() if c}, factors

    def joined(self, atoms):
        """The kind of the product of `atoms`."""
        kind = NUMBER
        for a in atoms:
            kind = joined(kind, self.kind(a))
        return kind

    def sum_atom(self, key) -> int:
        """The atom of the sum `key`: the name a statement that stays assigned it to, while it holds
        that value (``_11 = np.sum(_12, axis=1, keepdims=True)``, then ``_12.sum(axis=1,
        keepdims=True)`` is ``_11``), else the sum's own."""
        held = self.named.get(key)
        if held is not None and self.version.get(held[0], 0) == held[1]:
            return self.atom_number(held)
        return self.atom_number(key)

    def name_call(self, value, key):
        """`key` (name, version) is assigned `value` by a statement that stays: if that is one sum,
        `sum_atom` reads the name for it."""
        (num, factors) = value
        if not factors and len(num) == 1:
            ((m, c),) = num.items()
            if c == 1 and len(m) == 1 and m[0][1] == 1 and type(self.atoms[m[0][0]]) is str \
                    and self.atoms[m[0][0]].startswith("sum"):
                self.named[self.atoms[m[0][0]]] = key

    def through_kept(self, node):
        """`node` expanded through the values kept as names (`keep`: each has a call in it), where
        what comes out reads no atom that was not there before (it cancels: the sum of a softmax's
        cotangent over its row), else as `expand` expands it."""
        roots, inlined, keep, known = set(self.roots), dict(self.inlined), self.keep, len(self.atoms)
        self.keep = frozenset()
        try:
            value = self.expand(node)
            kept = {a: self.defs[self.atoms[a]][1] for p in (value[0], *value[1]) for m in p for a, _ in m
                    if self.atoms[a] in keep and self.current(self.atoms[a])}
            if kept:   # (the values expanded before read those as names)
                value = _substituted(value, kept)
        except (NotArithmetic, ra.TooLarge, ZeroDivisionError):
            value = None
        finally:
            self.keep = keep
        self.roots, self.inlined = roots, inlined
        if value is not None and all(a < known for p in (value[0], *value[1]) for m in p for a, _ in m):
            for r in self.reads_of(value):
                if r in self.defs and self.defs[r][2]:
                    self.roots.add(r)
            return value
        return self.expand(node)

    def current(self, key) -> bool:
        """May the value `key` (name, version) was assigned be read here for it: it is arithmetic, no
        statement since may have changed an array in place, and the names it reads hold the
        versions it read?"""
        index, value, _ = self.defs[key]
        return value is not None and not any(index <= b < self.at for b in self.barriers) \
            and all(self.version.get(n, 0) == v for n, v in self.reads_of(value))

    def zero_through(self, node) -> bool:
        """Is `node` a call of a helper linear in its first argument (`unmax(g, x, m, 1, True)`),
        that argument a name whose value here is zero? Then so is the call's."""
        f, args = node.func, node.args
        if type(f) is not gast.Name or f.id not in self.ctx.linear or not args or type(args[0]) is not gast.Name:
            return False
        value = self.values.get(args[0].id)
        zero = value is not None and not value[0] and (args[0].id, self.version.get(args[0].id, 0)) not in self.keep
        if zero:
            self.zeroed.add(self.at)
        return zero

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


def _substituted(value, values):
    """The rational function `value` with each atom in `values` (atom -> rational function)
    replaced by its value."""
    def poly(p):
        out = ra.constant(0)
        for m, c in p.items():
            term = ra.constant(c)
            for a, e in m:
                term = ra.mul(term, ra.power(values[a], e) if a in values else ({((a, e),): 1}, ()))
            out = ra.add(out, term)
        return out
    out = poly(value[0])
    for f in value[1]:
        out = ra.div(out, poly(f))
    return out


def _axis_summed(node):
    """(`e`, k) of ``e.sum(axis=k, keepdims=True)`` or ``np.sum(e, axis=k, keepdims=True)``, k an
    int, else None."""
    f = node.func
    if type(f) is not gast.Attribute or f.attr != "sum":
        return None
    words = {k.arg: k.value for k in node.keywords}
    axis, keep = int_constant(words.get("axis")), words.get("keepdims")
    if set(words) != {"axis", "keepdims"} or axis is None or type(keep) is not gast.Constant or keep.value is not True:
        return None
    if np_call(node, ("sum",)):
        return (node.args[0], axis) if len(node.args) == 1 else None
    return (f.value, axis) if not node.args else None


def _summed(node):
    """`e` of ``e.sum()`` or ``np.sum(e)`` (no other argument), else None."""
    f = node.func
    if node.keywords or type(f) is not gast.Attribute or f.attr != "sum":
        return None
    if np_call(node, ("sum",)):
        return node.args[0] if len(node.args) == 1 else None
    return f.value if not node.args else None
