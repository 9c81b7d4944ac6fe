"""Random small Python/NumPy programs, and a finite-difference oracle, for s2s tests.

The generator writes the source text of a module that defines

    def f(x, y, n): ...        # x, y: float64 arrays of shape (3,) or Python floats
                               # n: int in 1..4, used for loop bounds; returns a scalar

plus up to two helper functions ``h1``/``h2`` and, optionally, a recursive
helper ``r(a, d)``.  Everything it writes is in the language s2s promises to
support (SPEC section 7): assignments, ``+=``/``*=``, tuple (un)packing,
``if``/``elif``/``else``, ``for`` over ``range`` and over arrays, ``while``,
``break``/``continue``, early ``return``, conditional expressions, user calls
(also in loops, and recursion), NumPy elementwise functions, ``np.roll`` and
reductions (``np.sum(e)``, ``e.sum()``) and ``math`` functions on scalars; and
the data constructs: arrays made with
``np.zeros(3)``/``np.ones(3)``/``x * 1.0``/``x.copy()`` (and ``(2, 3)``
matrices) then written in place -- at constant and loop indices (``i``,
``i - 1``, ``i % 3``), through slices with steps, with ``=``/``+=``/``-=``/
``*=``, broadcast scalars, boolean masks -- also in branches and loops (fill
loops ``for i in range(1, len(z)): z[i] = z[i - 1] * c + ...``, and trajectories
``for t in range(3): tr[t + 1] = r + 0.3 * np.tanh(...)`` with ``r = tr[t] * 1.0``); reads
``x[i]``; ``for i, e in enumerate(x)``, ``for a, b in zip(x, y)`` and
``enumerate(zip(...))``; dicts with string keys built, read and written.

Every choice goes through a *chooser*: ``integer(lo, hi)`` (inclusive bounds)
and ``span(fn)``, which groups the choices ``fn`` makes (a statement, an
expression).  ``RandomChooser`` is a seeded ``random.Random``; ``DrawChooser``
wraps a Hypothesis ``draw`` so examples shrink: option 0 of every choice is
the simplest one (a leaf, no further statement, no extras).

The programs are built to be easy on a finite-difference check:

* values stay bounded: ``exp`` only of ``sin``/``cos``/``tanh``, division only
  by a constant or by ``b * b + 1.0``, ``sqrt``/``log`` only of ``v * v + 1.0``,
  and values carried from one loop trip to the next are squashed;
* no array is ever changed in place while another name can see it, so the
  Python meaning of ``v += e`` and the ``v = v + e`` meaning agree;
* the kind of every name (array, float or int) is known while generating, so
  ``math`` functions only see scalars and ``for e in v`` only arrays;
* every index is in bounds: ints carry an upper bound (loop indices, ``n <= 4``);
* an array written in place (role ``buf``, names ``z``/``m``, and dicts whose
  entries are written) is never bound to another name, put in a container or
  passed to a user function as it is (``Gen.clean``), so neither Python nor
  s2s's aliasing check (which over-approximates) sees another name share its
  memory.  ``stale_view=True`` breaks this on purpose, for the test that s2s
  rejects such programs;
* masks compare with the thresholds of the conditions (``z[z < 0.5] = ...``):
  values are piecewise smooth, and points near a switch are rejected by the
  finite-difference oracle as for ``if``s.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import random
import re
import sys
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

ARRAY, SCALAR, INT = "A", "S", "I"
MATRIX, DICT = "M", "D"  # a (2, 3) array written in place; a dict with string keys
CONSTS = ("0.5", "1.5", "2.0", "-0.3")
PARAMS = frozenset(("x", "y", "a", "b"))  # float parameters of f and of the helpers
THRESHOLDS = ("0.0", "0.5", "-0.3", "1.5")
SHAPE = (3,)
F_BUDGET = 20  # about how many statements f gets (compound ones count once per statement inside)
HELPER_BUDGET = 6
INACTIVE_PERCENT = 20  # of assignments whose value does not depend on x or y

# Fixed, "ugly" offsets added to drawn inputs so that Hypothesis' favourite
# values (0.0, 1.0, equal elements) never put an input on a kink or a tie.
X_OFFSETS = np.array([0.0123, 0.0457, 0.0789])
Y_OFFSETS = np.array([0.0234, 0.0568, 0.0891])
X_SCALAR_OFFSET = 0.0135
Y_SCALAR_OFFSET = 0.0246


# --------------------------------------------------------------------------
# choosers


class RandomChooser:
    """Choices from a seeded ``random.Random`` (deterministic)."""

    def __init__(self, seed):
        self._rng = random.Random(seed)

    def integer(self, lo, hi):
        return self._rng.randint(lo, hi)

    def span(self, fn):
        return fn()


class DrawChooser:
    """Choices drawn through a Hypothesis ``draw``; shrinks towards ``lo``.

    Every choice is drawn from the same range and reduced modulo the number
    of options.  With ranges that change from draw to draw, Hypothesis'
    mutations replay choices that no longer fit and replace them with the
    simplest value, which made its programs much smaller than random ones.
    """

    def __init__(self, draw):
        self._draw = draw

    def integer(self, lo, hi):
        choice, _ = _strategies()
        return lo + self._draw(choice) % (hi - lo + 1)

    def span(self, fn):
        """Run ``fn`` (which makes choices) as one nested draw.

        Hypothesis' shrinker then sees a statement or an expression as a
        unit it can delete or simplify as a whole.
        """
        _, span = _strategies()
        return self._draw(span(self, fn))


@functools.cache
def _strategies():
    from hypothesis import strategies as st

    @st.composite
    def span(draw, chooser, fn):
        outer, chooser._draw = chooser._draw, draw
        try:
            return fn()
        finally:
            chooser._draw = outer

    return st.integers(0, 255), span


# --------------------------------------------------------------------------
# generator state


@dataclass(frozen=True)
class Var:
    kind: str  # ARRAY, SCALAR, INT, MATRIX or DICT
    role: str  # "own": sole owner, may be augmented; "ref": may alias; "ro": read-only;
    #            "buf": an array written in place (y[i] = v), see ``tainted``
    active: bool = False  # (may) depend on the float parameters
    hi: int = 99  # for an INT: an upper bound of its value (all ints are >= 0)
    tainted: bool = False  # s2s must never see this name share memory with another
    keys: tuple = ()  # for a DICT: ((key, kind), ...)


@dataclass(frozen=True)
class E:
    """A generated expression."""

    src: str
    kind: str
    bare: frozenset = frozenset()  # array names whose very object the value may be
    atom: bool = True  # safe as an operand without parentheses
    bounded: bool = False  # |value| is bounded whatever the operands
    shares: frozenset = frozenset()  # names s2s takes the value to share memory with


@dataclass(frozen=True)
class Sig:
    name: str
    params: tuple  # kinds, or None for the recursive helper r(a, d)
    ret: str


@dataclass(frozen=True)
class Ctx:
    loop_depth: int = 0
    if_depth: int = 0
    carried: frozenset = frozenset()  # names live across loop trips
    locked: frozenset = frozenset()  # own arrays being iterated by ``for e in``
    echo: tuple = ()  # (name, kind) bound by the first branch of the enclosing ``if``


@dataclass
class Fn:
    name: str
    ret: str
    bounds: tuple  # loop bound tokens
    callables: list
    budget: int
    counters: dict = field(default_factory=dict)
    uncalled: set = field(default_factory=set)  # helpers f should still call

    def fresh(self, prefix):
        i = self.counters.get(prefix, 0)
        self.counters[prefix] = i + 1
        return f"{prefix}{i}"


def _par(e):
    return e.src if e.atom else f"({e.src})"


def _join(*kinds):
    if ARRAY in kinds:
        return ARRAY
    if SCALAR in kinds:
        return SCALAR
    return INT


def kind_class(kind):
    return ARRAY if kind == ARRAY else SCALAR


def _compat(a, b):
    return (a == ARRAY) == (b == ARRAY)


def _indent(lines):
    return ["    " + line for line in lines]


@dataclass
class Program:
    source: str
    x_kind: str
    y_kind: str

    def __repr__(self):  # the source as lines, not one escaped string
        return f"Program(x_kind={self.x_kind!r}, y_kind={self.y_kind!r}, source=\n{self.source})"


class Gen:
    def __init__(self, chooser, *, allow_math=True, stale_view=False):
        self.ch = chooser
        self.allow_math = allow_math
        # make the program invalid on purpose: a view of an array read after a write into it
        self.stale_view = stale_view

    # ---- choices (option 0 is always the simplest) -----------------------

    def integer(self, lo, hi):
        return lo if lo == hi else self.ch.integer(lo, hi)

    def pick(self, seq):
        seq = list(seq)
        return seq[self.integer(0, len(seq) - 1)]

    def maybe(self, percent):
        """True with the given probability; shrinks to False."""
        return self.ch.integer(0, 99) >= 100 - percent

    def weighted(self, options):
        options = [(w, v) for w, v in options if w > 0]
        r = self.integer(0, sum(w for w, _ in options) - 1)
        for w, v in options:
            if r < w:
                return v
            r -= w
        raise AssertionError("unreachable")

    # ---- expressions -----------------------------------------------------

    @staticmethod
    def _names(sc, kinds):
        return [name for name, var in sc.items() if var.kind in kinds]

    def leaf(self, sc):
        floats = self._names(sc, (ARRAY, SCALAR))
        ints = self._names(sc, (INT,))
        arrays, mats, dicts = (self._names(sc, (k,)) for k in (ARRAY, MATRIX, DICT))
        cat = self.weighted(
            [
                (6 if floats else 0, "var"),
                (2, "const"),
                (1 if ints else 0, "int"),
                (2 if arrays else 0, "index"),
                (2 if mats else 0, "matrix"),
                (3 if dicts else 0, "dict"),
            ]
        )
        if cat == "index":  # x[1], x[i], x[i - 1]
            a = self.pick(arrays)
            return E(f"{a}[{self.index(sc, 3)}]", SCALAR, shares=frozenset([a]))
        if cat == "matrix":
            m = self.pick(mats)
            form = self.integer(0, 4)
            if form == 0:  # an element
                return E(f"{m}[{self.index(sc, 2)}, {self.index(sc, 3)}]", SCALAR, shares=frozenset([m]))
            if form == 1:  # a row: a view
                return E(f"{m}[{self.index(sc, 2)}]", ARRAY, frozenset([m]), shares=frozenset([m]))
            shifted = f"({m} - np.max({m}, axis=1, keepdims=True))"   # (rows shifted by their maximum)
            if form == 3:  # log-softmax of the rows, as numerically careful code writes it
                return E(f"np.sum({shifted} - np.log(np.sum(np.exp({shifted}), axis=1, keepdims=True)), axis=0)",
                         ARRAY)
            if form == 4:  # softmax of the rows
                return E(f"np.sum(np.exp({shifted}) / np.sum(np.exp({shifted}), axis=-1, keepdims=True), axis=0)",
                         ARRAY)
            return E(f"np.sum({m}, axis=0)", ARRAY)
        if cat == "dict":
            d = self.pick(dicts)
            key, kind = self.pick(sc[d].keys)
            return E(f'{d}["{key}"]', kind, frozenset([d]) if kind == ARRAY else frozenset(), shares=frozenset([d]))
        if cat == "const":
            c = self.pick(CONSTS)
            return E(c, SCALAR, atom=not c.startswith("-"), bounded=True)
        name = self.pick(floats if cat == "var" else ints)
        kind = sc[name].kind
        return E(name, kind, frozenset([name]) if kind == ARRAY else frozenset(), shares=frozenset([name]))

    def index(self, sc, size):
        """An index into an axis of length ``size``, in bounds whatever the values of the ints."""
        ints = [n for n in self._names(sc, (INT,)) if sc[n].role == "ro"]
        consts = [str(k) for k in range(size)] + ["-1"]
        if not ints or self.maybe(40):
            return self.pick(consts)
        i = self.pick(ints)
        hi = sc[i].hi
        forms = [f"{i} % {size}"]
        if hi < size:
            forms += [i, i]
        if hi <= size:
            forms += [f"{i} - 1", f"-{i}"]
        return self.pick(forms)

    def clean(self, sc, e):
        """``e`` as a value s2s does not take to share memory with an array written in place.

        s2s's aliasing check (transforms/aliasing.py) groups names into classes
        that may share memory, over-approximately: a name bound to a name, a
        subscript, a conditional expression, a tuple or a user call's result
        joins the class of their operands.  An array written in place must stay
        alone in its class, so such values are made arithmetic (`` * 1.0``).
        """
        if any(sc[n].tainted for n in e.shares if n in sc):
            return E(f"{_par(e)} * 1.0", _join(e.kind, SCALAR), atom=False, bounded=e.bounded)
        return e

    def bounded_fn(self, e):
        """Wrap e in a bounded elementwise function; keeps array-ness."""
        if self.allow_math and e.kind != ARRAY and self.maybe(30):
            fn = self.pick(("math.sin", "math.cos"))
        else:
            fn = self.pick(("np.tanh", "np.sin", "np.cos"))
        return E(f"{fn}({e.src})", _join(e.kind, SCALAR), bounded=True)

    def coerce(self, sc, e, want):
        if want is None or _compat(e.kind, want):
            return e
        if want != ARRAY:  # array -> scalar
            fn = self.pick(("np.sum", "np.mean"))
            return E(f"{fn}({e.src})", SCALAR)
        arrays = self._names(sc, (ARRAY,))
        arr = self.pick(arrays) if arrays else "np.ones(3)"  # only written arrays are ever not of x or y
        op = self.pick(("*", "+", "-"))
        return E(f"{arr} {op} {_par(e)}", ARRAY, atom=False)

    def expr(self, sc, fx, depth, want=None):
        return self.coerce(sc, self._expr(sc, fx, depth), want)

    def _expr(self, sc, fx, depth):
        if depth <= 0:
            return self.leaf(sc)
        return self.ch.span(lambda: self._node(sc, fx, depth))

    def _node(self, sc, fx, depth):
        has_array = bool(self._names(sc, (ARRAY,)))
        calls = self._callable(sc, fx)
        form = self.weighted(
            [
                (3, "leaf"),
                (6, "binop"),
                (4, "unary"),
                (2, "exp"),
                (1, "neg"),
                (2, "pow"),
                (2, "div"),
                (2, "sqrtlog"),
                (2, "maxmin"),
                (1, "where"),
                (1 if has_array else 0, "reduce"),
                (1 if has_array else 0, "roll"),
                (2 if self.allow_math else 0, "math"),
                (1, "ifexp"),
                ((8 if fx.uncalled & {s.name for s in calls} else 3) if calls else 0, "call"),
            ]
        )
        sub = depth - 1
        if form == "leaf":
            return self.leaf(sc)
        if form == "binop":
            a, b = self._expr(sc, fx, sub), self._expr(sc, fx, sub)
            op = self.pick(("+", "*", "-"))
            return E(f"{_par(a)} {op} {_par(b)}", _join(a.kind, b.kind), atom=False)
        if form == "unary":
            a = self._expr(sc, fx, sub)
            fn = self.pick(("np.sin", "np.cos", "np.tanh"))
            return E(f"{fn}({a.src})", _join(a.kind, SCALAR), bounded=True)
        if form == "exp":
            inner = self.bounded_fn(self._expr(sc, fx, sub))
            fn = "math.exp" if self.allow_math and inner.src.startswith("math.") else "np.exp"
            return E(f"{fn}({inner.src})", inner.kind, bounded=True)
        if form == "neg":
            a = self._expr(sc, fx, sub)
            return E(f"-{_par(a)}", a.kind, atom=False, bounded=a.bounded)
        if form == "pow":
            a = self._expr(sc, fx, sub)
            return E(f"{_par(a)} ** {self.pick(('2', '3'))}", a.kind, atom=False)
        if form == "div":
            a = self._expr(sc, fx, sub)
            if self.maybe(50):
                b = self._expr(sc, fx, sub)
                return E(f"{_par(a)} / ({_par(b)} * {_par(b)} + 1.0)", _join(a.kind, b.kind, SCALAR), atom=False)
            c = self.pick(CONSTS)
            c = c if not c.startswith("-") else f"({c})"
            return E(f"{_par(a)} / {c}", _join(a.kind, SCALAR), atom=False)
        if form == "sqrtlog":
            a = self._expr(sc, fx, sub)
            fn = self.pick(("np.sqrt", "np.log"))
            return E(f"{fn}({_par(a)} * {_par(a)} + 1.0)", _join(a.kind, SCALAR))
        if form == "maxmin":
            a, b = self._expr(sc, fx, sub), self._expr(sc, fx, sub)
            fn = self.pick(("np.maximum", "np.minimum"))
            return E(f"{fn}({a.src}, {b.src})", _join(a.kind, b.kind), bounded=a.bounded and b.bounded)
        if form == "where":
            a, b = self._expr(sc, fx, sub), self._expr(sc, fx, sub)
            op = self.pick((">", "<"))
            if _join(a.kind, b.kind) == ARRAY:
                if self.maybe(30):  # np.where(a > b, c, d)
                    c, d = self._expr(sc, fx, sub), self._expr(sc, fx, sub)
                    if c.kind == INT and d.kind == INT:  # an int array would break `v *= 0.5`
                        d = self.leaf({})
                    return E(f"np.where({a.src} {op} {b.src}, {c.src}, {d.src})", ARRAY)
                return E(f"np.where({a.src} {op} {b.src}, {a.src}, {b.src})", ARRAY)
            # np.where of scalars gives a 0-d array; use a conditional expression
            a, b = self.clean(sc, a), self.clean(sc, b)
            return E(f"({a.src} if {a.src} {op} {b.src} else {b.src})", _join(a.kind, b.kind), a.bare | b.bare,
                     shares=a.shares | b.shares)
        if form == "reduce":
            a = self.expr(sc, fx, sub, ARRAY)
            fn = self.pick(("np.sum", "np.mean", ".sum"))
            return E(f"({a.src}).sum()" if fn == ".sum" else f"{fn}({a.src})", SCALAR)
        if form == "roll":   # the same values, moved (a stencil's neighbours)
            a = self.expr(sc, fx, sub, ARRAY)
            return E(f"np.roll({a.src}, {self.pick(('1', '-1'))})", ARRAY, bounded=a.bounded)
        if form == "math":
            a = self.expr(sc, fx, sub, SCALAR)
            fn = self.pick(("math.sin", "math.cos", "math.exp"))
            if fn == "math.exp":
                a = self.bounded_fn(a)
            return E(f"{fn}({a.src})", SCALAR, bounded=True)
        if form == "ifexp":
            a = self.clean(sc, self._expr(sc, fx, sub))
            b = self.clean(sc, self.expr(sc, fx, sub, a.kind))
            c = self.cond(sc, fx, 0)
            return E(f"({a.src} if {c} else {b.src})", _join(a.kind, b.kind), a.bare | b.bare, shares=a.shares | b.shares)
        if form == "call":
            return self.call(sc, fx, self.pick([s for s in calls if s.name in fx.uncalled] or calls), sub)
        raise AssertionError(form)

    def _callable(self, sc, fx):
        has_array = bool(self._names(sc, (ARRAY,)))
        return [s for s in fx.callables if s.params is None or has_array or ARRAY not in s.params]

    def call(self, sc, fx, sig, depth):
        fx.uncalled.discard(sig.name)
        if sig.params is None:  # recursive helper r(a, d)
            a = self.clean(sc, self._expr(sc, fx, depth))
            d = self.pick(("1", "2", "n") if "n" in sc else ("1", "2"))
            shares = a.shares | ({d} if d == "n" else set())  # s2s: the result may share any argument
            return E(f"{sig.name}({a.src}, {d})", _join(a.kind, SCALAR), shares=frozenset(shares))
        args = [self.clean(sc, self.expr(sc, fx, depth, k)) for k in sig.params]
        shares = frozenset().union(*(a.shares for a in args))
        return E(f"{sig.name}({', '.join(a.src for a in args)})", sig.ret, shares=shares)

    def cond(self, sc, fx, depth=1):
        c = self.compare(sc, fx)
        if depth <= 0:
            return c
        how = self.weighted([(6, "plain"), (2, "and"), (2, "or"), (1, "not")])
        if how == "plain":
            return c
        if how == "not":
            return f"not ({c})"
        return f"{c} {how} {self.compare(sc, fx)}"

    def compare(self, sc, fx):
        ints = [n for n in self._names(sc, (INT,)) if sc[n].role == "ro"]
        form = self.weighted([(5, "const"), (3, "expr"), (2 if ints else 0, "int")])
        if form == "int":
            name = self.pick(ints)
            return self.pick((f"{name} > 1", f"{name} > 2", f"{name} % 2 == 0", f"{name} < 3"))
        a = self.expr(sc, fx, 1, SCALAR)
        op = self.pick((">", "<"))
        if form == "const":
            return f"{a.src} {op} {self.pick(THRESHOLDS)}"
        b = self.expr(sc, fx, 1, SCALAR)
        return f"{a.src} {op} {b.src}"

    # ---- statements ------------------------------------------------------

    def block(self, sc, fx, cx, lo, hi):
        """lo..hi statements; after lo, each one more with probability 65%."""
        lines = []
        for i in range(hi):
            if i >= lo and not self.maybe(65) or i and fx.budget <= 0:
                break
            lines += self.ch.span(lambda: self.stmt(sc, fx, cx))
        return lines

    def stmt(self, sc, fx, cx):
        fx.budget -= 1
        compound = fx.budget >= 2
        own_free = [n for n, v in sc.items() if v.role == "own" and n not in cx.locked]
        iterables = self._names(sc, (ARRAY,))
        uncalled = [s for s in self._callable(sc, fx) if s.name in fx.uncalled]
        form = self.weighted(
            [
                (10, "assign"),
                (5 if uncalled else 0, "call"),
                (4 if own_free else 0, "aug"),
                (2, "tuple"),
                (1, "packed"),
                (4 if compound and cx.if_depth < 2 else 0, "if"),
                (3 if compound and cx.loop_depth < 2 else 0, "for"),
                (2 if compound and cx.loop_depth < 2 and iterables else 0, "foreach"),
                (2 if compound and cx.loop_depth < 2 else 0, "while"),
                (3, "buffer"),
                (6 if self._buffers(sc, cx) else 0, "write"),
                (2 if compound and cx.loop_depth < 2 else 0, "fill"),
                (2 if compound and cx.loop_depth < 2 and iterables else 0, "enumerate"),
                (2 if compound and cx.loop_depth < 2 else 0, "collect"),
                (1 if compound and cx.loop_depth < 2 else 0, "trajectory"),
                (1 if compound and cx.loop_depth < 2 else 0, "recurrence"),
                (2, "dict"),
                (4 if self._buffers(sc, cx, (DICT,)) else 0, "dict_write"),
            ]
        )
        return getattr(self, "s_" + form)(sc, fx, cx)

    def _rhs(self, sc, fx, cx, target, kind=None):
        """An expression for ``target = ...`` (target None: a new name).

        ``kind``: the kind the target has now (or, in an ``if``, in the first
        branch); kept where it must be: across loop trips and for parameters.
        """
        carried = target is not None and target in cx.carried
        want = None
        if carried or target in PARAMS:  # parameters keep their kind
            want = kind_class(sc[target].kind)
        elif kind is not None and target is None:
            want = kind
        inactive = {n: v for n, v in sc.items() if not v.active}
        if want != ARRAY and self.maybe(INACTIVE_PERCENT):
            # a value that does not depend on x or y, which may overwrite one
            # that does: exercises activity analysis and adjoint zeroing
            e = self.expr(inactive, fx, self.integer(0, 2), want)
            if self.maybe(30):  # piecewise constant: the condition may depend on x, y
                b = self.clean(sc, self.expr(inactive, fx, self.integer(0, 1), kind_class(e.kind)))
                e = self.clean(sc, e)
                e = E(f"({e.src} if {self.cond(sc, fx, 0)} else {b.src})", _join(e.kind, b.kind), e.bare | b.bare,
                      shares=e.shares | b.shares)
        else:
            e = self.expr(sc, fx, self.integer(1, 2), want)
        if carried and not e.bounded and self.maybe(70):
            e = self.bounded_fn(e)
        return self.clean(sc, e)

    def _fix_ref_rhs(self, sc, e):
        """A name that may alias must never see an own array."""
        if any(sc[b].role == "own" for b in e.bare if b in sc):
            return E(f"np.tanh({e.src})", _join(e.kind, SCALAR), bounded=True)
        return e

    @staticmethod
    def _active(sc, src):
        return any(sc[t].active for t in re.findall(r"[A-Za-z_]\w*", src) if t in sc)

    def _bind(self, sc, name, kind, role, active):
        sc.pop(name, None)
        sc[name] = Var(kind, role, active)

    def s_assign(self, sc, fx, cx):
        own = [n for n, v in sc.items() if v.role == "own"]
        refs = [n for n, v in sc.items() if v.role == "ref"]
        w_old = 6 if cx.loop_depth or cx.if_depth else 3  # loops and branches mostly update what exists
        how = self.weighted([(5, "new_own"), (w_old if own else 0, "old_own"), (1, "new_ref"), (1 if refs else 0, "old_ref")])
        name = None
        echo = [(n, k) for n, k in cx.echo if k != ARRAY or self._names(sc, (ARRAY,))]
        if echo and self.maybe(50):
            # bind what the first branch bound, so the value merges after the `if`
            name, kind = self.pick(echo)
            if name not in sc:
                e = self._rhs(sc, fx, cx, None, ARRAY if kind == ARRAY else SCALAR)
                role = "own" if name.startswith("v") else "ref"
                if role == "own" and e.bare:
                    e = E(f"np.tanh({e.src})", _join(e.kind, SCALAR), bounded=True)
                elif role == "ref":
                    e = self._fix_ref_rhs(sc, e)
                self._bind(sc, name, e.kind, role, self._active(sc, e.src))
                return [f"{name} = {e.src}"]
            how = "old_own" if sc[name].role == "own" else "old_ref"
        elif how == "old_own":
            name = self.pick(own)
        elif how == "old_ref":
            name = self.pick(refs)
        e = self._rhs(sc, fx, cx, name, None if name is None else kind_class(sc[name].kind))
        if how == "new_own" and e.bare:
            how = "new_ref"  # the value may be an existing array: not ours to own
        if how == "new_own":
            name = fx.fresh("v")
        elif how == "new_ref":
            name = fx.fresh("w")
        if sc.get(name, Var(SCALAR, "own" if how == "new_own" else "ref")).role == "own":
            if e.bare - {name}:
                e = E(f"np.tanh({e.src})", _join(e.kind, SCALAR), bounded=True)
            role = "own"
        else:
            e = self._fix_ref_rhs(sc, e)
            role = "ref"
        self._bind(sc, name, e.kind, role, self._active(sc, e.src))
        return [f"{name} = {e.src}"]

    def s_call(self, sc, fx, cx):
        """``v = h(...)``: makes sure f calls its helpers (also in loops)."""
        sig = self.pick([s for s in self._callable(sc, fx) if s.name in fx.uncalled])
        e = self.call(sc, fx, sig, self.integer(0, 1))
        name = fx.fresh("v")
        self._bind(sc, name, e.kind, "own", self._active(sc, e.src))
        return [f"{name} = {e.src}"]

    def s_aug(self, sc, fx, cx):
        name = self.pick([n for n, v in sc.items() if v.role == "own" and n not in cx.locked])
        var = sc[name]
        op = self.pick(("+=", "*="))
        if cx.loop_depth and self.maybe(30):
            e = self.leaf({})  # a constant
        else:
            e = self._rhs(sc, fx, cx, name)
            if cx.loop_depth and op == "*=" and not e.bounded:
                e = self.bounded_fn(e)
        self._bind(sc, name, _join(var.kind, e.kind), "own", var.active or self._active(sc, e.src))
        return [f"{name} {op} {e.src}"]

    def _tuple_parts(self, sc, fx, cx):
        """Targets and values of a two-element tuple assignment."""
        own_free = [n for n, v in sc.items() if v.role == "own" and n not in cx.locked]
        if len(own_free) >= 2 and self.maybe(50):
            a = self.pick(own_free)
            b = self.pick([n for n in own_free if n != a])
            if a not in cx.carried or _compat(sc[a].kind, sc[b].kind):
                kb = sc[b].kind
                eb = E(b, kb, frozenset([b]) if kb == ARRAY else frozenset())
                return [a, b], [eb, self._rhs(sc, fx, cx, b)]  # a, b = b, <expr>
        targets, values = [], []
        for _ in range(2):
            own = [n for n, v in sc.items() if v.role == "own" and n not in targets]
            how = self.weighted([(4, "new_own"), (2 if own else 0, "old_own"), (1, "new_ref")])
            name = self.pick(own) if how == "old_own" else None
            values.append(self._rhs(sc, fx, cx, name))
            if name is None:
                name = fx.fresh("v" if how == "new_own" else "w")
            targets.append(name)
        return targets, values

    def _tuple_stmt(self, sc, fx, cx):
        targets, values = self._tuple_parts(sc, fx, cx)
        used = set()
        fixed = []
        for t, e in zip(targets, values):
            role = sc[t].role if t in sc else ("own" if t.startswith("v") else "ref")
            if role == "own":
                ok = all(b in targets and b not in cx.locked and b not in used for b in e.bare)
                if not ok:
                    e = E(f"np.tanh({e.src})", _join(e.kind, SCALAR), bounded=True)
                used |= e.bare
            else:
                e = self._fix_ref_rhs(sc, e)
            fixed.append((t, e, role, self._active(sc, e.src)))
        for t, e, role, active in fixed:
            self._bind(sc, t, e.kind, role, active)
        return [t for t, *_ in fixed], [e.src for _, e, *_ in fixed]

    def s_tuple(self, sc, fx, cx):
        targets, srcs = self._tuple_stmt(sc, fx, cx)
        return [f"{', '.join(targets)} = {', '.join(srcs)}"]

    def s_packed(self, sc, fx, cx):
        targets, srcs = self._tuple_stmt(sc, fx, cx)
        t = fx.fresh("t")
        packed = f"({', '.join(srcs)})" if self.maybe(50) else f"[{', '.join(srcs)}]"
        return [f"{t} = {packed}", f"{', '.join(targets)} = {t}"]

    def _return(self, sc, fx):
        # an early return of z[0] in a loop that writes z is valid, but s2s rejects it: see
        # early_return_after_write in tests/corpus_data.py (xfail); drop the clean once it is fixed
        e = self.clean(sc, self.expr(sc, fx, self.integer(1, 2), fx.ret))
        if fx.ret == ARRAY and any(sc[b].role != "own" for b in e.bare if b in sc):
            e = E(f"np.tanh({e.src})", ARRAY, bounded=True)
        return f"return {e.src}"

    def s_if(self, sc, fx, cx):
        heads = [f"if {self.cond(sc, fx)}:"]
        if self.maybe(25):
            heads.append(f"elif {self.cond(sc, fx)}:")
        has_else = self.maybe(50)
        if has_else:
            heads.append("else:")
        inner = Ctx(cx.loop_depth, cx.if_depth + 1, cx.carried, cx.locked)
        bodies, scopes, terminated = [], [], []
        for _ in heads:
            bsc = dict(sc)
            body = self.block(bsc, fx, inner, 1, 3)
            if not bodies:  # later branches may bind the same names
                echo = tuple((n, v.kind) for n, v in bsc.items() if v.role in ("own", "ref") and sc.get(n) is not v)
                inner = Ctx(cx.loop_depth, cx.if_depth + 1, cx.carried, cx.locked, echo)
            opts = [(6, None), (1, "return")]
            if cx.loop_depth:
                opts += [(2, "break"), (2, "continue")]
            term = self.weighted(opts)
            if term == "return":
                body.append(self._return(bsc, fx))
            elif term:
                body.append(term)
            bodies.append(body)
            scopes.append(bsc)
            terminated.append(term is not None)
        if has_else and all(terminated):  # keep the code after the `if` reachable
            bodies[-1].pop()
            terminated[-1] = False
        live = [s for s, t in zip(scopes, terminated) if not t]
        if not has_else:
            live.append(dict(sc))
        joined = {}
        for name, var in live[0].items():
            others = [s.get(name) for s in live[1:]]
            if var.kind in (MATRIX, DICT):  # the same object in every branch
                if all(o is not None and o.kind == var.kind and o.keys == var.keys for o in others):
                    joined[name] = replace(var, active=var.active or any(o.active for o in others))
                continue
            if all(o is not None and _compat(o.kind, var.kind) for o in others):
                kind = _join(var.kind, *(o.kind for o in others))
                joined[name] = replace(var, kind=kind, active=var.active or any(o.active for o in others),
                                       hi=max([var.hi] + [o.hi for o in others]))
        sc.clear()
        sc.update(joined)
        lines = []
        for head, body in zip(heads, bodies):
            lines.append(head)
            lines += _indent(body)
        return lines

    def _loop_body(self, sc, fx, cx, extra, locked=frozenset(), first=()):
        bsc = dict(sc)
        bsc.update(extra)
        inner = Ctx(cx.loop_depth + 1, cx.if_depth, cx.carried | frozenset(sc), cx.locked | locked)
        return list(first) + self.block(bsc, fx, inner, 1, 3)

    def s_for(self, sc, fx, cx):
        i = fx.fresh("i")
        bound = self.pick(fx.bounds)
        rng = self.pick((f"range({bound})", f"range(1, {bound})", f"range(0, {bound}, 2)"))
        hi = int(bound) - 1 if bound.isdigit() else 3  # n <= 4
        body = self._loop_body(sc, fx, cx, {i: Var(INT, "ro", hi=hi)})
        return [f"for {i} in {rng}:"] + _indent(body)

    def s_foreach(self, sc, fx, cx):
        seq = self.pick(self._names(sc, (ARRAY,)))
        e = fx.fresh("e")
        locked = frozenset([seq]) if sc[seq].role in ("own", "buf") else frozenset()
        body = self._loop_body(sc, fx, cx, {e: Var(SCALAR, "ro", sc[seq].active, tainted=sc[seq].tainted)}, locked)
        return [f"for {e} in {seq}:"] + _indent(body)

    def s_while(self, sc, fx, cx):
        k = fx.fresh("k")
        bound = self.pick(fx.bounds)
        test = f"{k} < {bound}"
        if self.maybe(25):
            test += f" and {self.compare(sc, fx)}"
        step = self.pick((f"{k} += 1", f"{k} = {k} + 1", f"{k} += 2"))
        body = self._loop_body(sc, fx, cx, {k: Var(INT, "ro", hi=5)}, first=[step])
        sc[k] = Var(INT, "ro", hi=5)
        return [f"{k} = 0", f"while {test}:"] + _indent(body)

    # ---- writes into arrays, enumerate/zip, dicts ---------------------------

    # slices of an axis of length 3, by the length they select
    SLICES = {
        3: (":", "::-1", "0:3"),
        2: ("1:", ":2", "::2", "1:3", ":-1", "-2:", "2::-2"),
        1: ("1:2", "2:", "-1:", "::3", ":1"),
    }

    def _buffers(self, sc, cx, kinds=(ARRAY, MATRIX)):
        return [n for n, v in sc.items() if v.role == "buf" and v.kind in kinds and n not in cx.locked]

    def _written(self, sc, name, src):
        sc[name] = replace(sc[name], active=sc[name].active or self._active(sc, src))

    def _write_value(self, sc, fx, cx, op, want, length=None):
        """The value of ``target op value`` for a write into an array; ``length``: that of a
        slice (an array of that length, or a scalar broadcast into it)."""
        if op == "*=":  # a bounded factor: products in loops stay small
            if self.maybe(40):
                return self.pick(CONSTS[:3])
            e = self.bounded_fn(self.expr(sc, fx, self.integer(0, 1), SCALAR if want == SCALAR else None))
            return e.src if length in (None, 3) or e.kind != ARRAY else f"{e.src}[{self.pick(self.SLICES[length])}]"
        if want == ARRAY and length is not None and length < 3 and self.maybe(75):
            arrays = self._names(sc, (ARRAY,))
            sl = self.pick(self.SLICES[length])
            if arrays and self.maybe(50):  # z[1:] = x[:2] * 0.5
                e = E(f"{self.pick(arrays)}[{sl}]", ARRAY, atom=True)
                if self.maybe(50):
                    e = E(f"{e.src} * {self.pick(CONSTS[:3])}", ARRAY, atom=False)
                return e.src
            e = self.expr(sc, fx, self.integer(0, 2), ARRAY)
            return f"{_par(e)}[{sl}]"
        want = SCALAR if want == SCALAR or length is not None and length < 3 else self.pick((SCALAR, ARRAY))
        if self.maybe(15):
            return self.leaf({}).src  # a constant
        e = self.expr(sc, fx, self.integer(0, 2), want)
        if cx.loop_depth and not e.bounded and self.maybe(70):
            e = self.bounded_fn(e)
        return e.src

    def s_write(self, sc, fx, cx, target=None):
        """``z[i] = v``, ``z[1:] += v``, ``z[z < c] = v`` ... into a buffer."""
        name = target or self.pick(self._buffers(sc, cx))
        if sc[name].kind == MATRIX:
            return self._matrix_write(sc, fx, cx, name)
        op = self.weighted([(6, "="), (2, "+="), (1, "-="), (1, "*=")])
        form = self.weighted([(4, "index"), (4, "slice"), (2, "mask"), (1, "whole")])
        lines = []
        if form == "index":
            where = self.index(sc, 3)
            value = self._write_value(sc, fx, cx, op, SCALAR)
        elif form == "slice":
            length = self.pick((1, 2, 2, 3))
            where = self.pick(self.SLICES[length])
            value = self._write_value(sc, fx, cx, op, ARRAY, length)
        elif form == "whole":
            where = ":"
            value = self._write_value(sc, fx, cx, op, ARRAY, 3)
        else:  # a mask; the value is piecewise constant in the compared values, off the threshold
            arrays = self._names(sc, (ARRAY,))
            a = self.pick(arrays) if self.maybe(70) else _par(self.expr(sc, fx, 1, ARRAY))
            where = f"{a} {self.pick(('<', '>'))} {self.pick(THRESHOLDS)}"
            if op == "=" and self.maybe(40):  # z[mask] = w[mask]
                mask = fx.fresh("q")
                lines.append(f"{mask} = {where}")
                where = mask
                e = self.expr(sc, fx, self.integer(0, 1), ARRAY)
                value = f"{_par(e)}[{mask}]"
            else:
                value = self._write_value(sc, fx, cx, op, SCALAR)
        lines.append(f"{name}[{where}] {op} {value}")
        self._written(sc, name, lines[-1])
        if self.stale_view and fx.name == "f":
            self.stale_view = False
            view, total = fx.fresh("w"), fx.fresh("v")
            lines = [f"{view} = {name}[{self.pick(('1:', ':2', '::2'))}]"] + lines
            lines.append(f"{total} = np.sum({view}) * 1.0  # stale: {name} changed since {view} was taken")
            self._bind(sc, total, SCALAR, "own", True)
        return lines

    def _matrix_write(self, sc, fx, cx, name):
        op = self.weighted([(6, "="), (2, "+="), (1, "*=")])
        form = self.integer(0, 3)
        if form == 0:  # a row
            where = self.pick((self.index(sc, 2), f"{self.index(sc, 2)}, :"))
            value = self._write_value(sc, fx, cx, op, ARRAY, 3)
        elif form == 1:  # a column
            where = f":, {self.index(sc, 3)}"
            value = self._write_value(sc, fx, cx, op, ARRAY, 2)
        elif form == 2:  # an element
            where = f"{self.index(sc, 2)}, {self.index(sc, 3)}"
            value = self._write_value(sc, fx, cx, op, SCALAR)
        else:  # a block
            where = self.pick((":, 1:", "1:, ::2", ":, :2"))
            value = self._write_value(sc, fx, cx, op, SCALAR)
        line = f"{name}[{where}] {op} {value}"
        self._written(sc, name, line)
        return [line]

    def s_buffer(self, sc, fx, cx):
        """A new array to write into: ``np.zeros(3)``, ``x * 1.0``, ``x.copy()`` ..., often filled at once."""
        arrays = self._names(sc, (ARRAY,))
        form = self.weighted([(3, "zeros"), (2, "ones"), (2 if arrays else 0, "times"), (2 if arrays else 0, "copy"),
                              (1 if arrays else 0, "len"), (2, "matrix")])
        if form == "matrix":
            name = fx.fresh("m")
            sc[name] = Var(MATRIX, "buf", False, tainted=True)
            lines = [f"{name} = {self.pick(('np.zeros((2, 3))', 'np.ones((2, 3))'))}"]
        else:
            name = fx.fresh("z")
            a = self.pick(arrays) if arrays else None
            src = {"zeros": "np.zeros(3)", "ones": "np.ones(3)", "times": f"{a} * 1.0", "copy": f"{a}.copy()",
                   "len": f"np.zeros(len({a}))"}[form]
            sc[name] = Var(ARRAY, "buf", form in ("times", "copy") and sc[a].active, tainted=True)
            lines = [f"{name} = {src}"]
        for _ in range(self.integer(0, 2)):
            lines += self.ch.span(lambda: self.s_write(sc, fx, cx, name))
        return lines

    def s_fill(self, sc, fx, cx):
        """A loop over the indices of a buffer that writes z[i] (maybe from z[i - 1])."""
        lines = []
        bufs = self._buffers(sc, cx, (ARRAY,))
        if not bufs or self.maybe(50):
            name = fx.fresh("z")
            lines.append(f"{name} = {self.pick(('np.zeros(3)', 'np.ones(3)'))}")
            sc[name] = Var(ARRAY, "buf", False, tainted=True)
        else:
            name = self.pick(bufs)
        i = fx.fresh("i")
        start = self.pick(("", "1, "))
        stop = self.pick(("3", f"len({name})"))
        bsc = dict(sc)
        bsc[i] = Var(INT, "ro", hi=2)
        inner = Ctx(cx.loop_depth + 1, cx.if_depth, cx.carried | frozenset(sc), cx.locked)
        body = self.block(bsc, fx, inner, 0, 1)
        op = self.weighted([(4, "="), (1, "+=")])
        value = self._write_value(bsc, fx, inner, "=", SCALAR)
        if self.maybe(60):  # a recurrence
            value = f"{name}[{i} - 1] * {self.pick(CONSTS)} + {value}"
        body.append(f"{name}[{i}] {op} {value}")
        self._written(bsc, name, body[-1])
        body += self.block(bsc, fx, inner, 0, 1)
        sc[name] = replace(sc[name], active=bsc[name].active)
        return lines + [f"for {i} in range({start}{stop}):"] + _indent(body)

    def s_trajectory(self, sc, fx, cx):
        """A trajectory kept as simulations keep one: ``tr[0] = v``, each row made from the one
        before (``for t in range(3): r = tr[t] * 1.0; ...; tr[t + 1] = r + 0.3 * tanh(...)``), then
        its last row, another row or all of it read. (In code for known shapes, the backward loop
        neither zeroes nor copies the rows no later step reads: transforms/dead_rows.py.)"""
        tr, t, r, w = fx.fresh("tr"), fx.fresh("t"), fx.fresh("r"), fx.fresh("w")
        first = self.expr(sc, fx, self.integer(0, 1), ARRAY)
        lines = [f"{tr} = np.zeros((4, 3))", f"{tr}[0] = {first.src}"]
        bsc = dict(sc)
        bsc[t] = Var(INT, "ro", hi=2)
        bsc[r] = Var(ARRAY, "ro", active=True)
        inner = Ctx(cx.loop_depth + 1, cx.if_depth, cx.carried | frozenset(sc), cx.locked)
        body = [f"{r} = {tr}[{t}] * 1.0"] + self.block(bsc, fx, inner, 0, 1)
        step = self.bounded_fn(self.expr(bsc, fx, self.integer(1, 2), ARRAY))
        body.append(f"{tr}[{t} + 1] = {r} + {self.pick(('0.3', '-0.5'))} * {step.src}")
        lines += [f"for {t} in range(3):"] + _indent(body)
        last, kind = self.pick(((f"{tr}[-1] * 1.0", ARRAY), (f"{tr}[{self.integer(0, 3)}] * 1.0", ARRAY),
                                (f"np.sum({tr} * {tr})", SCALAR), (f"np.sum({tr}[1:] * 0.5, axis=0)", ARRAY)))
        sc[w] = Var(kind, "own", True)
        return lines + [f"{w} = {last}"]

    def s_recurrence(self, sc, fx, cx):
        """A state carried over the indices of a range, as an RNN's is: ``st0 = v0 * 1.0``, then
        ``for t in range(3): st0 = np.tanh(0.5 * st0 + step * a[t])``, `a` an array read at the index.
        (In code for known shapes, the state each trip overwrites goes into a tape: transforms/tapes.py.)"""
        h, t = fx.fresh("st"), fx.fresh("t")
        first = self.expr(sc, fx, self.integer(0, 1), ARRAY)
        arrays = [n for n in self._names(sc, (ARRAY,)) if n not in cx.locked]
        at_t = f"{self.pick(arrays)}[{t}]" if arrays else f"(1.0 + {t})"
        bsc = dict(sc)
        bsc[t] = Var(INT, "ro", hi=2)
        bsc[h] = Var(ARRAY, "own", True)
        step = self.bounded_fn(self.expr(bsc, fx, self.integer(0, 2), ARRAY))
        body = [f"{h} = np.tanh({self.pick(('0.5', '-0.7'))} * {h} + {step.src} * {at_t})"]
        sc[h] = Var(ARRAY, "own", True)
        return [f"{h} = {_par(first)} * 1.0", f"for {t} in range(3):"] + _indent(body)

    def s_collect(self, sc, fx, cx):
        """A loop that appends to a list made before it, summed after it: ``hs = [v0]``, then
        ``hs.append(v)`` at each trip (v may read the last entry, ``hs[-1]``), ``w = sum(hs)``, or
        the list bound again to its array first (``hs = np.stack(hs)``, then ``w = np.sum(hs, axis=0)``)."""
        kind = self.pick((SCALAR, ARRAY))
        hs, i, w = fx.fresh("hs"), fx.fresh("i"), fx.fresh("w")
        first = self.expr(sc, fx, self.integer(0, 1), kind)
        if first.bare or first.shares:   # the list would hold that very array (or what s2s takes for a
            first = E(f"{_par(first)} * 1.0", first.kind, atom=False)   # view of it), which a write may change
        bound = self.pick(fx.bounds)
        bsc = dict(sc)
        bsc[i] = Var(INT, "ro", hi=int(bound) - 1 if bound.isdigit() else 3)
        inner = Ctx(cx.loop_depth + 1, cx.if_depth, cx.carried | frozenset(sc), cx.locked)
        body = self.block(bsc, fx, inner, 0, 2)
        value = self.bounded_fn(self.expr(bsc, fx, self.integer(0, 2), kind))
        if value.bare or value.shares:
            value = E(f"{_par(value)} * 1.0", value.kind, atom=False)
        src = value.src if value.kind == kind else f"{value.src} + np.zeros(3)" if kind == ARRAY else \
            f"np.sum({value.src})"
        if self.maybe(30):
            src = f"{src} + 0.5 * {hs}[-1]"
        elif self.maybe(15):   # the length each trip sees
            src = f"{src} + 0.1 * len({hs})"
        body.append(f"{hs}.append({src})")
        active = self._active(sc, first.src) or self._active(bsc, src)
        for name, var in bsc.items():   # what the loop body assigned
            if name in sc and var.active != sc[name].active:
                sc[name] = replace(sc[name], active=sc[name].active or var.active)
        self._bind(sc, w, kind, "own", active)
        after = [f"{w} = sum({hs})"]
        if self.maybe(30):   # the list bound again to the array made of it, as RNN code keeps its states
            after = [f"{hs} = np.stack({hs})" if kind == ARRAY else f"{hs} = np.array({hs})",
                     f"{w} = np.sum({hs}, axis=0)" if kind == ARRAY else f"{w} = np.sum({hs})"]
        return [f"{hs} = [{first.src}]", f"for {i} in range({bound}):"] + _indent(body) + after

    def s_enumerate(self, sc, fx, cx):
        """``for i, e in enumerate(x)``, ``for a, b in zip(x, y)``, ``for k, (a, b) in enumerate(zip(x, y))``."""
        arrays = self._names(sc, (ARRAY,))
        seqs = [self.pick(arrays), self.pick(arrays)]
        form = self.integer(0, 2)
        extra = {}

        def element(seq):
            e = fx.fresh("e")
            extra[e] = Var(SCALAR, "ro", sc[seq].active, tainted=sc[seq].tainted)
            return e

        if form == 0:
            i, e = fx.fresh("i"), element(seqs[0])
            start = self.pick(("", ", 1"))
            extra[i] = Var(INT, "ro", hi=3 if start else 2)
            head, seqs = f"for {i}, {e} in enumerate({seqs[0]}{start}):", seqs[:1]
        elif form == 1:
            a, b = element(seqs[0]), element(seqs[1])
            head = f"for {a}, {b} in zip({seqs[0]}, {seqs[1]}):"
        else:
            i, a, b = fx.fresh("i"), element(seqs[0]), element(seqs[1])
            extra[i] = Var(INT, "ro", hi=2)
            head = f"for {i}, ({a}, {b}) in enumerate(zip({seqs[0]}, {seqs[1]})):"
        locked = frozenset(s for s in seqs if sc[s].role in ("own", "buf"))
        return [head] + _indent(self._loop_body(sc, fx, cx, extra, locked))

    DICT_KEYS = ("wt", "bias", "scale", "lr")

    def s_dict(self, sc, fx, cx):
        """A dict of parameters, ``p = {"wt": ..., "bias": ...}``; read as ``p["wt"]`` later.

        A dict whose entries are written (``p["wt"] = ...``) holds fresh values only.
        """
        name = fx.fresh("d")
        writable = self.maybe(60)
        keys, items = [], []
        for key in self.DICT_KEYS[: self.integer(2, len(self.DICT_KEYS))]:
            e = self._rhs(sc, fx, cx, None)
            if writable and (e.shares or e.kind == INT):
                e = E(f"{_par(e)} * 1.0", _join(e.kind, SCALAR), atom=False)
            e = self._fix_ref_rhs(sc, e)
            keys.append((key, kind_class(e.kind)))
            items.append(f'"{key}": {e.src}')
        active = self._active(sc, " ".join(items))
        sc[name] = Var(DICT, "buf" if writable else "dict", active, tainted=writable, keys=tuple(keys))
        return [f"{name} = {{{', '.join(items)}}}"]

    def s_dict_write(self, sc, fx, cx):
        name = self.pick(self._buffers(sc, cx, (DICT,)))
        key, kind = self.pick(sc[name].keys)
        op = self.weighted([(4, "="), (2, "+="), (1, "*=")])
        if op == "=":
            e = self.expr(sc, fx, self.integer(1, 2), kind)
            if cx.loop_depth and not e.bounded and self.maybe(70):
                e = self.bounded_fn(e)
            if e.shares or e.kind == INT:
                e = E(f"{_par(e)} * 1.0", _join(e.kind, SCALAR), atom=False)
            value = e.src
        else:
            value = self._write_value(sc, fx, cx, op, kind, None if kind == SCALAR else 3)
        line = f'{name}["{key}"] {op} {value}'
        self._written(sc, name, line)
        return [line]

    # ---- functions -------------------------------------------------------

    def final_return(self, sc, fx):
        floats = [n for n, v in sc.items() if v.kind in (ARRAY, SCALAR)]
        # prefer the function's own results that depend on its parameters
        recent = sorted(floats, key=lambda n: (sc[n].active, n not in PARAMS))[-3:]
        terms = recent[-self.integer(1, len(recent)):] if recent else []
        if not terms:
            return self._return(sc, fx)
        parts = []
        for name in terms:
            if fx.ret == SCALAR and sc[name].kind == ARRAY:
                parts.append(f"{self.pick(('np.sum', 'np.mean'))}({name})")
            else:
                parts.append(name)
        src = parts[0]
        for p in parts[1:]:
            src += f" {self.pick(('+', '-'))} {p}"
        kind = _join(*(sc[n].kind for n in terms)) if fx.ret == ARRAY else SCALAR
        if fx.ret == ARRAY and kind != ARRAY:
            src = f"{self.pick(self._names(sc, (ARRAY,)))} * ({src})"
        elif fx.ret == ARRAY and len(terms) == 1 and sc[terms[0]].role != "own":
            src = f"{src} * {self.pick(CONSTS[:3])}"
        elif self.maybe(30):
            src = f"({src}) * {self.pick(CONSTS[:3])}"
        return f"return {src}"

    def function(self, name, params, fx):
        sc = dict(params)
        body = self.block(sc, fx, Ctx(), 2 if fx.name == "f" else 1, 6)
        while [s for s in self._callable(sc, fx) if s.name in fx.uncalled]:
            body += self.s_call(sc, fx, Ctx())
        body.append(self.final_return(sc, fx))
        return [f"def {name}({', '.join(params)}):"] + _indent(body)

    def helper(self, name, kinds, callables):
        pk = (self.pick(kinds), self.pick(kinds))
        ret = ARRAY if ARRAY in pk and self.maybe(50) else SCALAR
        fx = Fn(name, ret, ("2", "3"), callables, budget=HELPER_BUDGET)
        lines = self.function(name, {"a": Var(pk[0], "ref", True), "b": Var(pk[1], "ref", True)}, fx)
        return lines, Sig(name, pk, ret)

    def recursive_helper(self):
        step = self.pick(
            (
                ["return r(np.sin(a) * 1.1, d - 1)"],
                ["return np.sin(r(a * 0.5, d - 1)) + a"],
                ["b = np.tanh(a) * 1.5 + 0.5", "return r(b, d - 1) * 0.5"],
            )
        )
        lines = ["def r(a, d):", "    if d <= 0:", "        return a"] + _indent(step)
        return lines, Sig("r", None, SCALAR)

    def program(self, x_kind, y_kind):
        kinds = (SCALAR, ARRAY) if ARRAY in (x_kind, y_kind) else (SCALAR,)
        chunks, sigs = [], []
        for i in range(self.integer(0, 2)):
            lines, sig = self.helper(f"h{i + 1}", kinds, list(sigs))
            chunks.append(lines)
            sigs.append(sig)
        if self.maybe(30):
            lines, sig = self.recursive_helper()
            chunks.append(lines)
            sigs.append(sig)
        fx = Fn("f", SCALAR, ("n",), sigs, budget=F_BUDGET)
        fx.uncalled = {s.name for s in sigs}
        params = {"x": Var(x_kind, "ref", True), "y": Var(y_kind, "ref", True), "n": Var(INT, "ro", hi=4)}
        chunks.append(self.function("f", params, fx))
        text = "import math\n\nimport numpy as np\n"
        for lines in chunks:
            text += "\n\n" + "\n".join(lines) + "\n"
        return text


def generate(chooser, x_kind, y_kind, *, allow_math=True, stale_view=False):
    """Generate one program; returns a ``Program``.

    ``stale_view``: make f read a view of an array after a write into the array
    (``w = z[1:]``, ``z[...] = ...``, ``np.sum(w)``), which s2s must reject,
    at the first write into an array generated in f (if there is one).
    """
    source = Gen(chooser, allow_math=allow_math, stale_view=stale_view).program(x_kind, y_kind)
    return Program(source, x_kind, y_kind)


def random_program(seed, *, allow_math=True):
    """A program (kinds included) from an integer seed."""
    ch = RandomChooser(seed)
    x_kind = (SCALAR, ARRAY)[ch.integer(0, 1)]
    y_kind = (SCALAR, ARRAY)[ch.integer(0, 1)]
    return generate(ch, x_kind, y_kind, allow_math=allow_math)


def random_inputs(seed, program):
    """Inputs (x, y, n) for a program from an integer seed."""
    rng = np.random.default_rng(seed)

    def one(kind, offsets, offset):
        if kind == ARRAY:
            return rng.uniform(-2.0, 2.0, SHAPE) + offsets
        return float(rng.uniform(-2.0, 2.0) + offset)

    x = one(program.x_kind, X_OFFSETS, X_SCALAR_OFFSET)
    y = one(program.y_kind, Y_OFFSETS, Y_SCALAR_OFFSET)
    return x, y, int(rng.integers(1, 5))


# --------------------------------------------------------------------------
# Hypothesis strategies


def programs(*, stale_view=False):
    from hypothesis import strategies as st

    @st.composite
    def _programs(draw):
        x_kind = draw(st.sampled_from((SCALAR, ARRAY)))
        y_kind = draw(st.sampled_from((SCALAR, ARRAY)))
        return generate(DrawChooser(draw), x_kind, y_kind, stale_view=stale_view)

    return _programs()


def inputs_for(program):
    """Strategy for (x, y, n) matching a program's argument kinds."""
    from hypothesis import strategies as st

    value = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)

    def one(kind, offsets, offset):
        if kind == ARRAY:
            return st.lists(value, min_size=SHAPE[0], max_size=SHAPE[0]).map(lambda v: np.array(v) + offsets)
        return value.map(lambda v: float(v + offset))

    return st.tuples(
        one(program.x_kind, X_OFFSETS, X_SCALAR_OFFSET),
        one(program.y_kind, Y_OFFSETS, Y_SCALAR_OFFSET),
        st.integers(1, 4),
    )


# --------------------------------------------------------------------------
# loading and the finite-difference oracle

_loaded = 0


def load_program(source, directory):
    """Write ``source`` to a fresh .py file in ``directory`` and import it.

    The module gets a unique name (and file), so ``inspect.getsource`` and
    ``linecache`` never see stale text.  The caller should pass the module
    to ``unload`` when done.
    """
    global _loaded
    _loaded += 1
    name = f"s2s_randprog_{_loaded}_{zlib.crc32(source.encode()):08x}"
    path = Path(directory) / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def unload(module):
    sys.modules.pop(module.__name__, None)


class Unreliable(Exception):
    """Finite differences cannot be trusted at this point (reason in args)."""


def evaluate(f, args):
    """f(*args) as a float, on copies; nan if it overflows."""
    args = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    with np.errstate(all="ignore"):
        try:
            value = f(*args)
        except (OverflowError, np.linalg.LinAlgError):  # math.exp, a Python float ** 3; eigvalsh of inf
            return math.nan
        except ValueError as exc:  # math.sin/cos of an overflowed (inf) value
            if "math domain error" not in str(exc):
                raise
            return math.nan
    return float(value)


def overflows(f, args) -> bool:
    """Does evaluating f at ``args`` overflow, or compute inf - inf, anywhere (a value it may then
    discard)? Its derivative there is not the chain rule's: every AD tool multiplies that value's
    zero cotangent by inf and gets nan (0 * inf), where finite differences see no change."""
    args = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args]
    with np.errstate(over="raise", invalid="raise", divide="ignore", under="ignore"):
        try:
            f(*args)
        except (FloatingPointError, OverflowError):
            return True
        except Exception:
            return False   # (what evaluate makes of it decides)
    return False


def _shifted(arg, j, h):
    if isinstance(arg, np.ndarray):
        out = np.array(arg, dtype=float, copy=True)
        out.flat[j] += h
        return out
    return float(arg) + h


FD_STEPS = (1e-6, 1e-5)
MAX_ABS_VALUE = 1e6


def fd_gradient(f, args, wrt, steps=FD_STEPS):
    """Central finite-difference gradients of scalar ``f`` w.r.t. ``args[i], i in wrt``.

    Returns ``(value, grads, noise)``: each gradient is shaped like its
    argument (a float for a float argument) and uses the smaller step;
    ``noise`` holds, with the same shapes, ``|FD(small) - FD(large)|``, an
    estimate of the rounding error of the gradient (rounding error grows
    as the step shrinks, truncation error falls).  Raises
    ``Unreliable`` when the value is not finite or huge, an intermediate value overflows
    (`overflows`), or when the point is
    (near) a kink or a branch switch: the two step sizes disagree, or the
    one-sided differences on either side of the point disagree.
    """
    small, large = steps
    f0 = evaluate(f, args)
    if not math.isfinite(f0) or abs(f0) > MAX_ABS_VALUE:
        raise Unreliable(f"value {f0!r}")
    if overflows(f, args):
        raise Unreliable("an intermediate value overflows at the point")
    grads, noise = [], []
    for i in wrt:
        arg = args[i]
        size = arg.size if isinstance(arg, np.ndarray) else 1
        g = np.zeros(size)
        err = np.zeros(size)
        for j in range(size):
            vals = {}
            for h in (small, -small, large, -large):
                shifted = list(args)
                shifted[i] = _shifted(arg, j, h)
                vals[h] = evaluate(f, shifted)
            if not all(math.isfinite(v) for v in vals.values()):
                raise Unreliable("non-finite value near the point")
            c_small = (vals[small] - vals[-small]) / (2 * small)
            c_large = (vals[large] - vals[-large]) / (2 * large)
            forward = (vals[small] - f0) / small
            backward = (f0 - vals[-small]) / small
            scale = max(1.0, abs(c_small))
            if abs(c_small - c_large) > 1e-3 * scale:
                raise Unreliable(f"step sizes disagree for arg {i}[{j}]: {c_small!r} vs {c_large!r}")
            if abs(forward - backward) > 1e-2 * scale:
                raise Unreliable(f"one-sided differences disagree for arg {i}[{j}]: {forward!r} vs {backward!r}")
            g[j] = c_small
            err[j] = abs(c_small - c_large)
        if isinstance(arg, np.ndarray):
            grads.append(g.reshape(arg.shape))
            noise.append(err.reshape(arg.shape))
        else:
            grads.append(float(g[0]))
            noise.append(float(err[0]))
    return f0, tuple(grads), tuple(noise)
