"""Random programs with the hazards of issue 9, on top of ``proggen``'s generator.

``proggen.Gen`` writes programs in the language s2s promises to support, and
keeps away from what s2s might not understand exactly.  ``HazardGen`` adds,
inside ``f``, statements from the classes of issue 9, each behind its own
option (``HAZARDS``), so that a deep run can turn classes on one at a time:

* ``views``: ``v = b[1:]`` / ``b.T`` / ``np.einsum('ij->ji', b)`` / ``v = b``
  ..., then writes through ``v`` or ``b`` (``v *= c``, ``b[0] = s``), then
  reads of both, and of ``b[0]`` read before the writes too (class 1, and the
  view functions of class 4);
* ``mutating``: module-level helpers that write into an argument
  (``def mut_first(a): a[0] = a[1] * 2.0``), called as statements, also on a
  view or a dict (class 2);
* ``repeated``: writes at repeated indices, ``b[[1, 1]] = v``,
  ``b[[0, 0]] += s`` (class 3);
* ``lists``: ``[s] * 3``, ``[s, t] + [s]``, ``2 * [s, t]``, tuples alike (class 4);
* ``closures``: factories ``make_*(c)`` returning closures over ``c`` with a
  module-level ``c`` of the same name, a free variable named ``ord``, a cell
  rebound after the ``def``, local functions with a default ``k=-0.5``,
  closures over active values (class 5);
* ``attributes``: dataclass fields, ``.real``, ``.T``, ``.flat[1]``,
  ``.imag`` (class 9);
* ``complex``: real results computed through complex constants,
  ``np.abs(s * (1 + 2j)) ** 2`` (class 10);
* ``singular``: functions at points where the chain rule multiplies a zero by
  an infinity: ``np.std`` of one element, ``np.power(0.0, s)``,
  ``math.hypot(0, 0)``, unused container entries holding ``np.sqrt(0)``,
  ``np.maximum(s, s)`` (class 8);
* ``constructors``: ``np.full``, ``np.full_like``, ``np.linspace``, ``np.r_``,
  ``np.c_``, ``np.einsum`` with sublists (class 6);
* ``linalg``: ``np.linalg.eigh``/``eigvalsh`` of a non-symmetric matrix,
  with ``UPLO`` (class 7);
* ``crashers``: constructs that crashed s2s (class 13): ``&``/``|`` of
  comparisons, a lambda used only in an ``if`` condition, a dict entry added
  after another is rebound.

Every hazard statement builds fresh arrays (never writes into ``x`` or ``y``)
and binds one fresh float result (``hr0`` ...) that the final return uses, so
the hazard reaches the output.  For these programs the correct outcome is:
s2s's derivative is right, or s2s raises ``S2SError`` when it is built.
"""
from __future__ import annotations

import re

import proggen
from proggen import ARRAY, INT, SCALAR, Ctx, DrawChooser, Program, RandomChooser, Var

HAZARDS = {  # option -> class of issue 9
    "views": 1, "mutating": 2, "repeated": 3, "lists": 4, "closures": 5,
    "attributes": 9, "complex": 10, "singular": 8, "constructors": 6, "linalg": 7, "crashers": 13,
}
HAZARD_PERCENT = 25  # of statements of f that are hazards (when any class is on)

MUTATORS = {
    "mut_first": ["def mut_first(a):", "    a[0] = a[1] * 2.0"],
    "mut_scale": ["def mut_scale(a, s):", "    a *= s"],
    "mut_shift": ["def mut_shift(a):", "    a[1:] += a[:-1] * 0.5"],
    "mut_sin": ["def mut_sin(a):", "    a[:] = np.sin(a)"],
    "mut_ret": ["def mut_ret(a, s):", "    a[-1] = s", "    return np.sum(a * a)"],
    "mut_nested": ["def mut_nested(a):", "    mut_first(a)", "    a[-1] = a[-1] * 3.0"],
    "mut_view": ["def mut_view(a):", "    v = a[1:]", "    v *= 0.5"],
    "mut_dict": ["def mut_dict(d):", '    d["w"] = d["w"] * 2.0'],
}
FACTORIES = {
    "make_sq": ["def make_sq(c):", "    def s(t):", "        return c * t ** 2", "", "    return s"],
    "make_lam": ["def make_lam(c):", "    return lambda t: c * np.sin(t)"],
    "make_ord": ["def make_ord(ord):", "    def s(t):", "        return ord * t + 0.5", "", "    return s"],
    "make_late": ["def make_late(c):", "    def s(t):", "        return c * t", "", "    c = c * 2.0",
                  "    return s"],
    "make_default": ["def make_default(c):", "    def s(t, k=-0.5):", "        return c * t + k * t * t", "",
                     "    return s"],
    "make_nested": ["def make_nested(c):", "    def outer(t):", "        def inner(u):",
                    "            return c * u", "", "        return inner(t) * t", "", "    return outer"],
}
DATACLASS = ["@dataclass", "class Pair:", "    w: object", "    b: object"]


class HazardGen(proggen.Gen):
    def __init__(self, chooser, hazards, **kwargs):
        super().__init__(chooser, **kwargs)
        unknown = set(hazards) - set(HAZARDS)
        assert not unknown, f"unknown hazard classes {unknown}"
        self.hazards = tuple(h for h in HAZARDS if h in hazards)
        self.prelude = {}  # name -> module-level lines
        self.results = []  # names of hazard results, for the final return
        self.in_f = False

    # ---- hooks into proggen.Gen ---------------------------------------------

    def stmt(self, sc, fx, cx):
        if self.in_f and self.hazards and self.maybe(HAZARD_PERCENT):
            fx.budget -= 1
            return self.hazard(sc, fx, cx)
        return super().stmt(sc, fx, cx)

    def function(self, name, params, fx):
        if name != "f":
            return super().function(name, params, fx)
        self.in_f = True
        sc = dict(params)
        body = self.block(sc, fx, Ctx(), 2, 6)
        while [s for s in self._callable(sc, fx) if s.name in fx.uncalled]:
            body += self.s_call(sc, fx, Ctx())
        if self.hazards and not self.results:
            body += self.ch.span(lambda: self.hazard(sc, fx, Ctx()))
        body.append(self.final_return(sc, fx))
        self.in_f = False
        return [f"def {name}({', '.join(params)}):"] + proggen._indent(body)

    def final_return(self, sc, fx):
        line = super().final_return(sc, fx)
        if fx.name != "f":
            return line
        for name in self.results:
            if name in sc and not re.search(rf"\b{name}\b", line):
                term = f"np.sum({name})" if sc[name].kind == ARRAY else name
                line += f" + {term}"
        return line

    def program(self, x_kind, y_kind):
        text = super().program(x_kind, y_kind)
        head = "import math\n\nimport numpy as np\n"
        assert text.startswith(head)
        body = text[len(head):]
        if "Pair" in self.prelude:
            head = "import math\nfrom dataclasses import dataclass\n\nimport numpy as np\n"
        extra = "".join("\n\n" + "\n".join(lines) + "\n" for lines in self.prelude.values())
        return head + extra + body

    # ---- pieces ---------------------------------------------------------------

    def need(self, name, table):
        if name == "mut_nested":
            self.need("mut_first", table)
        if name not in self.prelude:
            self.prelude[name] = table[name]

    def arr(self, sc, fx):
        """A fresh (3,) float array that may depend on x and y."""
        e = self.expr(sc, fx, self.integer(0, 1), ARRAY)
        return f"({proggen._par(e)} * 1.0)"

    def sca(self, sc, fx, bounded=False):
        """A float expression (maybe an int: ``n``); ``bounded``: in [-1, 1]."""
        e = self.expr(sc, fx, self.integer(0, 1), SCALAR)
        if bounded and not e.bounded:
            e = self.bounded_fn(e)
        return e.src if e.atom else f"({e.src})"

    def result(self, sc, fx, cx, lines, src, kind=SCALAR):
        name = fx.fresh("hr")
        if cx.loop_depth:  # values carried from trip to trip stay bounded
            src = f"np.tanh({src})"
        lines.append(f"{name} = {src}")
        active = self._active(sc, " ".join(lines))
        self._bind(sc, name, kind, "own", active)
        self.results.append(name)
        return lines

    def hazard(self, sc, fx, cx):
        cls = self.pick(self.hazards)
        return getattr(self, "hz_" + cls)(sc, fx, cx)

    def write(self, sc, fx, target):
        """An in-place write into ``target`` (an array of any shape, ndim >= 1)."""
        s = self.sca(sc, fx, bounded=True)
        return self.pick((f"{target}[0] = {s}", f"{target}[-1] += {s}", f"{target} *= {self.pick(('0.5', '1.5', '-2.0'))}",
                          f"{target} += {s}", f"{target} -= {s}", f"{target}[:] = np.sin({target})"))

    # ---- the classes ----------------------------------------------------------

    VIEWS_1D = ("{b}[1:]", "{b}[:2]", "{b}[::2]", "{b}[::-1]", "{b}", "{b}", "{b}.reshape(3)", "{b}.ravel()",
                "np.ravel({b})", "{b}.T", "np.asarray({b})", "np.expand_dims({b}, 0)", "{b}[None]",
                "np.squeeze({b}[None])", "np.einsum('i->i', {b})", "{b}.real", "np.real({b})",
                "np.reshape({b}, (3, 1))", "np.atleast_1d({b})", "np.broadcast_to({b}, (2, 3))", "{b}[1:][::-1]")
    VIEWS_2D = ("{b}.T", "np.transpose({b})", "np.swapaxes({b}, 0, 1)", "np.moveaxis({b}, 0, 1)",
                "np.einsum('ij->ji', {b})", "{b}.reshape(6)", "{b}.ravel()", "{b}[:, 0]", "{b}[1]",
                "np.diagonal({b})", "{b}.reshape(2, 3)", "{b}[::2, :]")
    READ_ONLY = ("broadcast_to", "diagonal")

    def hz_views(self, sc, fx, cx):
        base, view = fx.fresh("hb"), fx.fresh("hv")
        if self.maybe(30):
            lines = [f"{base} = np.outer({self.arr(sc, fx)}, np.array([1.0, -0.5]))"]
            form = self.pick(self.VIEWS_2D)
        else:
            lines = [f"{base} = {self.arr(sc, fx)}"]
            form = self.pick(self.VIEWS_1D)
        lines.append(f"{view} = {form.format(b=base)}")
        writable = not any(r in form for r in self.READ_ONLY)
        before = fx.fresh("hp") if self.maybe(50) else None
        if before:   # a part read before the writes, and read again after them
            lines.append(f"{before} = {base}[0] * 1.5")
        for _ in range(self.integer(1, 2)):
            target = view if writable and self.maybe(60) else base
            lines.append(self.write(sc, fx, target))
        again = f" + np.sum({base}[0] * {before})" if before else ""
        return self.result(sc, fx, cx, lines, f"np.sum(np.sin({base})) + np.sum({view} * {view}) * 0.5{again}")

    def hz_mutating(self, sc, fx, cx):
        base = fx.fresh("hb")
        lines = [f"{base} = {self.arr(sc, fx)}"]
        name = self.pick(tuple(MUTATORS))
        self.need(name, MUTATORS)
        if name == "mut_dict":
            d = fx.fresh("hd")
            lines[0] = f'{d} = {{"w": {self.arr(sc, fx)}, "b": {self.sca(sc, fx)}}}'
            lines.append(f"mut_dict({d})")
            return self.result(sc, fx, cx, lines, f'np.sum({d}["w"]) * {d}["b"]')
        arg = self.pick((base, base, base, f"{base}[1:]", f"{base}[::-1]"))
        if name == "mut_scale":
            lines.append(f"mut_scale({arg}, {self.sca(sc, fx, bounded=True)})")
        elif name == "mut_ret":
            got = fx.fresh("hs")
            lines.append(f"{got} = mut_ret({arg}, {self.sca(sc, fx, bounded=True)})")
            return self.result(sc, fx, cx, lines, f"{got} + np.sum(np.cos({base}))")
        else:
            lines.append(f"{name}({arg})")
        return self.result(sc, fx, cx, lines, f"np.sum({base} * {base})")

    def hz_repeated(self, sc, fx, cx):
        base = fx.fresh("hb")
        lines = [f"{base} = {self.arr(sc, fx)}"]
        s = self.sca(sc, fx, bounded=True)
        idx = self.pick(("[1, 1]", "[0, 0]", "[0, 2, 0]", "np.array([2, 2])", "[-1, 2]"))
        count = idx.count(",") + 1
        op = self.pick(("=", "=", "+=", "-=", "*="))
        if op == "*=":
            value = self.pick(("0.5", "1.5", s))
        elif self.maybe(50):
            value = s
        else:
            value = f"{self.arr(sc, fx)}[:{count}]" if count < 3 else self.arr(sc, fx)
        lines.append(f"{base}[{idx}] {op} {value}")
        read = self.pick((f"np.sum({base} * {base})", f"np.sum({base}[[0, 0]] * {base}[1])",
                          f"np.sum(np.sin({base}))"))
        return self.result(sc, fx, cx, lines, read)

    def hz_lists(self, sc, fx, cx):
        t = fx.fresh("hl")
        array = self.maybe(25)
        one = (lambda: self.arr(sc, fx)) if array else (lambda: self.sca(sc, fx))
        a, b = one(), one()
        forms = [f"[{a}] * 3", f"[{a}, {b}] + [{a}]", f"2 * [{a}, {b}]", f"[{a}, {b}] * 2", f"({a},) * 3",
                 f"({a}, {b}) + ({a},)", f"[{a}] + [{b}] * 2"]
        if "n" in sc and not array:
            forms.append(f"[{a}] * n + [{b}]")  # n may be 1: two entries at least
        lines = [f"{t} = {self.pick(forms)}"]
        if self.maybe(30) and lines[0].split(" = ")[1].startswith("["):
            lines.append(f"{t} += [{one()}]")
        read = self.pick((f"sum({t})", f"{t}[0] * {t}[-1] + {t}[1]", f"np.sum(np.array({t}) ** 2)",
                          f"np.sum(np.stack({t}))", f"len({t}) * {t}[-1]"))
        if array:
            read = f"np.sum({read})"
        return self.result(sc, fx, cx, lines, read)

    def hz_closures(self, sc, fx, cx):
        form = self.integer(0, 3)
        g = fx.fresh("hg")
        if form <= 1:  # a factory at module level; a global of the free variable's name
            name = self.pick(tuple(FACTORIES))
            self.need(name, FACTORIES)
            self.prelude.setdefault("c", ["c = 1.0"])
            arg = self.pick(self.CONSTS_C) if form == 0 else self.sca(sc, fx, bounded=True)
            lines = [f"{g} = {name}({arg})"]
        elif form == 2:  # a local function with a negative default
            lines = [f"def {g}(t, k=-0.5):", "    return k * t * t + t"]
        else:  # a local closure over an active value
            c = fx.fresh("hc")
            lines = [f"{c} = {self.sca(sc, fx, bounded=True)}", f"def {g}(t):", f"    return {c} * np.cos(t)"]
        arg = self.arr(sc, fx) if self.maybe(30) else self.sca(sc, fx, bounded=True)
        return self.result(sc, fx, cx, lines, f"np.sum({g}({arg}))")

    CONSTS_C = ("3.0", "-0.5", "0.25")

    def hz_attributes(self, sc, fx, cx):
        form = self.integer(0, 3)
        if form == 0:  # a dataclass
            self.prelude["Pair"] = DATACLASS
            p = fx.fresh("hp")
            w = self.arr(sc, fx) if self.maybe(30) else self.sca(sc, fx)
            lines = [f"{p} = Pair({w}, {self.sca(sc, fx)})"]
            if self.maybe(30):
                lines.append(f"{p}.w = {p}.w * 2.0")
            return self.result(sc, fx, cx, lines, f"np.sum({p}.w * {p}.b) + np.sum({p}.w)")
        a = fx.fresh("ha")
        lines = [f"{a} = {self.arr(sc, fx)}"]
        read = self.pick((f"np.sum({a}.real * {a})", f"np.sum({a}.T * {a}.T)", f"{a}.flat[1] * {a}[0]",
                          f"np.sum({a}.imag + {a})", f"np.sum(np.real({a}) ** 2)", f"np.sum({a}.conj() * {a})",
                          f"{self.sca(sc, fx)}.real" if form == 3 else f"np.sum({a}.real)"))
        return self.result(sc, fx, cx, lines, read)

    def hz_complex(self, sc, fx, cx):
        v = self.arr(sc, fx) if self.maybe(40) else self.sca(sc, fx)
        read = self.pick((f"np.abs({v} * (1 + 2j)) ** 2", f"({v} * (2 - 1j)).real", f"np.real({v} * 1j * 1j)",
                          f"np.abs(np.exp(1j * {v}))", f"({v} * 1j).imag", f"np.abs({v} + 1j)"))
        return self.result(sc, fx, cx, [], f"np.sum({read})")

    def hz_singular(self, sc, fx, cx):
        s = self.sca(sc, fx)
        a = self.arr(sc, fx)
        lines = []
        form = self.integer(0, 6)
        if form == 0:
            term = self.pick((f"np.std({a}[:1])", f"np.std(np.array([{s}]))", f"np.var({a}[:1])"))
        elif form == 1:
            term = self.pick((f"np.power(0.0, {s} * {s} + 1.0)", f"0.0 ** ({s} * {s} + 0.5)"))
        elif form == 2:
            term = self.pick((f"math.hypot(0.0 * {s}, 0.0 * {s})", f"np.sum(np.hypot({a} * 0.0, {a} * 0.0))"))
        elif form in (3, 4):
            t = fx.fresh("ht")
            holder = self.pick((f"({{z}}, {s} * 2.0)", f"[{{z}}, {s} * 2.0]", f'{{{{"a": {{z}}, "b": {s} * 2.0}}}}'))
            zero = self.pick((f"np.sqrt({s} - {s})", f"np.sqrt({a} - {a})", f"np.log({s} - {s} + 1.0) ** 0.5"))
            lines.append(f"{t} = {holder.format(z=zero)}")
            term = f'{t}["b"]' if holder.startswith("{") else f"{t}[1]"
            term = f"{term} * {s}"
        elif form == 5:
            term = self.pick((f"np.maximum({s}, {s})", f"np.sum(np.minimum({a}, {a}))", f"max({s}, {s})"))
        else:
            term = self.pick((f"np.abs({s} - {s})", f"np.sum(np.abs({a} - {a}))"))
        return self.result(sc, fx, cx, lines, f"{term} + {s} * 0.5")

    def hz_constructors(self, sc, fx, cx):
        s, t, a = self.sca(sc, fx), self.sca(sc, fx), self.arr(sc, fx)
        made = self.pick((f"np.full(3, {s})", f"np.full_like({a}, {s})", f"np.full((2, 3), {s})",
                          f"np.linspace({s}, {t}, 3)", f"np.r_[{s}, {t}]", f"np.r_[{a}, {s}]", f"np.c_[{a}, {a}]",
                          f"np.einsum({a}, (0,), ())", f"np.einsum(np.outer({a}, {a}), (0, 1), (1, 0))",
                          f"np.array([{s}, {t}])", f"np.stack([{a}, {a} * {t}])", f"np.tile({a}, 2)"))
        h = fx.fresh("hk")
        return self.result(sc, fx, cx, [f"{h} = {made}"], f"np.sum({h} * np.cos({h}))")

    def hz_linalg(self, sc, fx, cx):
        m = fx.fresh("hm")
        a, b = self.arr(sc, fx), self.arr(sc, fx)
        lines = [f"{m} = np.outer({a}, np.tanh({b})) + np.diag([3.0, 5.0, 7.0])"]
        dec = self.pick((f"np.linalg.eigh({m})[0]", f"np.linalg.eigvalsh({m})", f"np.linalg.eigh({m}, UPLO='U')[0]",
                         f"np.linalg.eigvalsh({m}, UPLO='U')", f"np.linalg.eigh({m})[1][:, 0] ** 2",
                         f"np.linalg.cholesky({m} @ {m}.T)[:, 0]", f"np.linalg.inv({m})[0]",
                         f"np.linalg.solve({m}, np.ones(3))"))
        return self.result(sc, fx, cx, lines, f"np.sum({dec} * np.array([1.0, 2.0, 3.0]))")


    def hz_crashers(self, sc, fx, cx):
        s, t = self.sca(sc, fx, bounded=True), self.sca(sc, fx, bounded=True)
        res = fx.fresh("hr")
        form = self.integer(0, 2)
        if form == 0:  # & or | of comparisons
            op = self.pick(("&", "|"))
            lines = [f"{res} = {s} * 1.0", f"if ({s} > {self.pick(proggen.THRESHOLDS)}) {op} ({t} < 0.5):",
                     f"    {res} = {res} * {t}"]
        elif form == 1:  # a lambda used only in a condition
            q = fx.fresh("hq")
            lines = [f"{q} = lambda u: u * u", f"{res} = {s} * 1.0", f"if {q}({t}) > 0.25:", f"    {res} = {res} + {t}"]
        else:  # a dict entry added after another is rebound
            d = fx.fresh("hd")
            lines = [f'{d} = {{"a": {self.arr(sc, fx)}}}', f'{d}["a"] = {d}["a"] * 2.0', f'{d}["k"] = {s}',
                     f'{res} = {d}["k"] * np.sum({d}["a"])']
        if cx.loop_depth:
            lines.append(f"{res} = np.tanh({res})")
        self._bind(sc, res, SCALAR, "own", self._active(sc, " ".join(lines)))
        self.results.append(res)
        return lines


# --------------------------------------------------------------------------


def generate(chooser, x_kind, y_kind, hazards=tuple(HAZARDS)):
    gen = HazardGen(chooser, hazards)
    return Program(gen.program(x_kind, y_kind), x_kind, y_kind)


def random_program(seed, hazards=tuple(HAZARDS)):
    ch = RandomChooser(seed)
    x_kind = (SCALAR, ARRAY)[ch.integer(0, 1)]
    y_kind = (SCALAR, ARRAY)[ch.integer(0, 1)]
    return generate(ch, x_kind, y_kind, hazards)


def programs(hazards=tuple(HAZARDS)):
    from hypothesis import strategies as st

    @st.composite
    def _programs(draw):
        x_kind = draw(st.sampled_from((SCALAR, ARRAY)))
        y_kind = draw(st.sampled_from((SCALAR, ARRAY)))
        return generate(DrawChooser(draw), x_kind, y_kind, hazards)

    return _programs()
