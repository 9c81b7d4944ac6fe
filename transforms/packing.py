"""Packing: the arguments of a call to a user function, bound to its parameters when the derivative is built.

Part of normal form (`normal_form` calls `pack` for every call it flattens).

Before: a call as the user wrote it, `g(a, b, *xs, k=c, **d)`, to a user
function `def g(p, *rest, k=1.0, **opts)`, or any call with `*xs` or `**d`.

After: a call in which every argument is an atom and each parameter of `g`
gets exactly one: the named parameters their atoms (positional or keyword,
as written), `*rest` one name holding a tuple, `**opts` one holding a dict:

    _1 = b,
    _2 = as_tuple(xs)
    _3 = concat(_1, _2)               # what *rest receives
    _4 = {'z': c}                     # what **opts receives (or d itself)
    _out = g(a, *_3, k=c, **_4)

so that the derivative of the call has one argument per parameter and the
cotangent of `*rest` flows back into `_3`, then into `b` and `xs`. `*xs`
that fills named parameters (`loss(*params)` for `def loss(W, b)`) is
unpacked first (`_3, _4 = params`: a different length raises, as the call
would), up to the first parameter the call names by keyword (`f(*xs, k=v)`); `**d` to a function without **kwargs gives each open parameter its
entry or its (constant) default, after a check of d's keys. What cannot be
bound when the derivative is built is refused: `**d` where an entry could
fill a named parameter or go into **kwargs, `*xs` in a call to a function
with a derivative rule (`zip(*pairs)` transposes; a function without a
derivative, `range(*bounds)`, gets the arguments as written).

Starred assignment, `a, *rest = xs`, is unpacking too (`unstar`), and a display with a
starred part, `(*shape, 2)` or `[x, *xs]`, a concatenation (`display`).
"""
from __future__ import annotations

import inspect

import gast

from .nodes import assign, at, call, const, name


NO_DERIVATIVE = "no derivative"   # what `signature_of` gives for a function without one (len, range, print)


class RuleSignature:
    """What `signature_of` gives for a function differentiated by a rule (`np.tanh`, a SciPy
    density): its signature, so that `f(*xs, **d)` is bound as for a user function. A `*xs`
    shorter than f's positional parameters leaves the last ones at their defaults, which must be
    constants (`padded`): the rule's derivative then sees one argument per parameter. `fixed`
    holds the parameters the rule covers at their defaults only (`allow_singular=False`): `*xs` stops
    before them, and `**d` is checked to leave them at their default (`keeps_default`)."""

    def __init__(self, signature: inspect.Signature, fixed: dict, defaults_hold: bool):
        self.signature, self.fixed = signature, fixed
        self.defaults_hold = defaults_hold   # are the rule's defaults the function's? (np.einsum's are not)


def parameters(positional_only, positional, star, keyword_only, stars, default) -> inspect.Signature:
    """An `inspect.Signature` from parameter names (`star`, `stars`: the names of *args and **kwargs,
    or None); `default(name)` gives a parameter's default or `inspect.Parameter.empty`."""
    P = inspect.Parameter
    named = [(positional_only, P.POSITIONAL_ONLY), (positional, P.POSITIONAL_OR_KEYWORD), (keyword_only, P.KEYWORD_ONLY)]
    params = [P(n, kind, default=default(n)) for names, kind in named for n in names]
    if star:
        params.insert(len(positional_only) + len(positional), P(star, P.VAR_POSITIONAL))
    if stars:
        params.append(P(stars, P.VAR_KEYWORD))
    return inspect.Signature(params)


def pack(flat, node, out, signature):
    """`node` (a call) with its arguments bound as above, statements before it in `out`; None
    when `node` is an ordinary call (no `*`/`**`, and not to a user function with them).
    `flat` is the normal-form flattener (for atoms and temporaries), `signature` the
    `inspect.Signature` of the user function called, `NO_DERIVATIVE`, or None."""
    starred = any(isinstance(a, gast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords)
    if isinstance(signature, RuleSignature):
        if not starred:
            return None
        params = signature.signature.parameters.values()
        if signature.defaults_hold and all(p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
            return _Binder(flat, node, out, signature.signature, fixed=signature.fixed).bind()
        signature = None
    if signature is NO_DERIVATIVE:  # range(*bounds): nothing to bind, the arguments made atoms
        signature = None
        if starred:
            return gast.Call(func=flat.callee(node.func, out), args=[
                gast.Starred(value=flat.atom(a.value, out), ctx=gast.Load()) if isinstance(a, gast.Starred)
                else flat.atom(a, out) for a in node.args],
                keywords=[gast.keyword(arg=k.arg, value=flat.atom(k.value, out)) for k in node.keywords])
    takes_var = signature is not None and any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                                              for p in signature.parameters.values())
    if not starred and not takes_var:
        return None
    if signature is None:
        if _is_zip(node, flat) and len(node.args) == 1 and not node.keywords:
            return call(flat.namer.helper("transposed"), flat.atom(node.args[0].value, out))
        flat.fail(node, f"`*` or `**` in a call to `{_label(node.func)}` is not supported: s2s binds the "
                        "arguments of a call to a function it has no source for when the derivative is built",
                  "pass the arguments one by one, or the list itself where the function takes one (np.stack(xs))")
    return _Binder(flat, node, out, signature).bind()


class _Binder:
    def __init__(self, flat, node, out, signature, fixed=None):
        self.flat, self.node, self.out = flat, node, out
        self.padded, self.fixed = fixed is not None, fixed or {}   # a rule's signature (`RuleSignature`)
        params = list(signature.parameters.values())
        self.params, self.order = signature.parameters, [p.name for p in params]
        self.positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if self.fixed:   # *xs fills the positional parameters before the first fixed one
            self.positional = self.positional[:min(self.positional.index(p) if p in self.positional else
                                                   len(self.positional) for p in self.fixed)]
        self.by_keyword = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        self.star = next((p.name for p in params if p.kind is p.VAR_POSITIONAL), None)
        self.stars = next((p.name for p in params if p.kind is p.VAR_KEYWORD), None)
        self.fname = _label(node.func)

    def fail(self, message, hint=None):
        self.flat.fail(self.node, message, hint)

    def bind(self):
        flat, out = self.flat, self.out
        args, rest, filled = [], [], 0   # rest: ("one", atom) or ("all", atom) for *rest
        for k, a in enumerate(self.node.args):
            if isinstance(a, gast.Starred):
                value = flat.atom(a.value, out)
                if filled < len(self.positional) and not rest:
                    if k + 1 < len(self.node.args):
                        self.fail(f"positional arguments after a `*` that fills parameters of `{self.fname}` are "
                                  "not supported: s2s binds arguments when the derivative is built",
                                  "pass them by name")
                    names, remainder = self.unpack(value, filled)
                    args += names
                    filled += len(names)
                    if remainder is not None:
                        rest.append(("all", remainder))
                    continue
                rest.append(("all", value))
            elif filled < len(self.positional) and not rest:
                args.append(flat.atom(a, out))
                filled += 1
            else:
                rest.append(("one", flat.atom(a, out)))
        if rest and self.star is None:
            if any(kind == "one" for kind, _ in rest):
                self.fail(f"`{self.fname}` takes {len(self.positional)} positional arguments, but this call passes "
                          "more")
            for _, value in rest:   # `f(x, *xs[1:])` with every parameter filled: xs[1:] must be empty
                out.append(at(gast.Expr(value=call(flat.namer.helper("nothing_left"), value,
                                                   const(len(self.positional)), const(self.fname))), flat.origin))
            rest = []
        keywords, extra, mapping = [], [], None
        given = set(self.positional[:filled])
        for k in self.node.keywords:
            value = flat.atom(k.value, out)
            if k.arg is None:
                mapping = value
            elif k.arg in given:
                self.fail(f"`{self.fname}` got multiple values for argument `{k.arg}`")
            elif k.arg in self.by_keyword:
                keywords.append(gast.keyword(arg=k.arg, value=value))
                given.add(k.arg)
            elif self.stars is not None:
                extra.append((k.arg, value))
            else:
                self.fail(f"`{self.fname}` got an unexpected keyword argument `{k.arg}`")
        if mapping is not None and self.stars is None:  # g(x, **d), no **kwargs: d's entries are parameters
            keywords += self.from_mapping(mapping, [p for p in self.order if p in self.by_keyword - given])
            mapping = None
        if mapping is not None:
            open_ = [p for p in self.order if p in self.by_keyword - given]
            if open_ or extra:
                starred = next(k.value for k in self.node.keywords if k.arg is None)
                what = (f"`**{_label(starred)}` may hold `{open_[0]}`, a parameter of `{self.fname}`, or go "
                        "into its **kwargs" if open_ else "keyword arguments besides `**` go into the same **kwargs")
                self.fail(f"`**` in this call is not supported: {what}, and s2s binds keyword arguments "
                          "when the derivative is built", "pass the keyword arguments by name")
        if self.star is not None and rest:
            args.append(gast.Starred(value=name(self.tuple_of(rest)), ctx=gast.Load()))
        if self.stars is not None and (extra or mapping is not None):
            if mapping is None:
                t = flat.temp()
                out.append(assign(t, gast.Dict(keys=[const(k) for k, _ in extra], values=[v for _, v in extra]),
                                  flat.origin))
                mapping = name(t)
            keywords.append(gast.keyword(arg=None, value=mapping))
        return gast.Call(func=flat.callee(self.node.func, out), args=args, keywords=keywords)

    def from_mapping(self, mapping, names):
        """`g(x, **d)` for a `g` without **kwargs: `d`'s keys checked as Python would, then each open
        parameter `p` its entry, `_1 = d['p'] if 'p' in d else <default>` (a constant default)."""
        flat, out = self.flat, self.out
        required = [p for p in names if self.params[p].default is inspect.Parameter.empty]
        out.append(at(gast.Expr(value=call(flat.namer.helper("keywords_in"), name(mapping.id),
                                           gast.Tuple(elts=[const(p) for p in names], ctx=gast.Load()),
                                           gast.Tuple(elts=[const(p) for p in required], ctx=gast.Load()),
                                           const(self.fname))), flat.origin))
        keywords = []
        for p in [p for p in names if p in self.fixed]:   # left to its default: checked at run time
            out.append(at(gast.Expr(value=call(flat.namer.helper("keeps_default"), name(mapping.id), const(p),
                                               const(self.fixed[p]), const(self.fname))), flat.origin))
        for p in [p for p in names if p not in self.fixed]:
            value = gast.Subscript(value=name(mapping.id), slice=const(p), ctx=gast.Load())
            default = self.params[p].default
            if default is not inspect.Parameter.empty:
                if type(default) not in (float, int, bool, str, type(None)):
                    self.fail(f"`**` in this call may leave `{p}` of `{self.fname}` at its default, which is not a "
                              "number, string or None: s2s cannot write it into the derivative",
                              f"pass `{p}` by name")
                value = gast.IfExp(test=gast.Compare(left=const(p), ops=[gast.In()], comparators=[name(mapping.id)]),
                                   body=value, orelse=const(default))
            t = flat.temp()
            flat.assign_name(t, value, out)
            keywords.append(gast.keyword(arg=p, value=name(t)))
        return keywords

    def unpack(self, value, filled):
        """`*xs` filling the named positional parameters from `filled` on: `_1, _2 = xs` (a length
        that differs raises, as the call would), or, for a `g` that also takes *args,
        `_1, _2, _3 = unstarred(xs, 2, 0)` with `_3` what *args receives. Returns the atoms and `_3`."""
        flat = self.flat
        filling = self.positional[filled:]
        by_keyword = [p for p in filling if any(k.arg == p for k in self.node.keywords)]
        if by_keyword and self.star is not None:
            self.fail(f"`{self.fname}` may get multiple values for an argument")
        if by_keyword:   # `f(*xs, k=v)`: xs fills the parameters before k (more would be an error in Python too)
            filling = filling[:filling.index(by_keyword[0])]
        names = [flat.temp() for _ in filling]
        remainder = None
        defaults = [self.params[p].default for p in filling
                    if self.params[p].default is not inspect.Parameter.empty]
        if self.padded and defaults:   # *xs may stop short: the parameters it leaves keep their defaults
            if any(type(d) not in (float, int, bool, str, type(None)) for d in defaults):
                self.fail(f"`*` in a call to `{self.fname}` may leave a parameter at a default that is not a number, "
                          "string or None: s2s cannot write it into the derivative", "pass the arguments one by one")
            t = flat.temp()
            self.out.append(assign(t, call(flat.namer.helper("padded"), value, const(len(names)),
                                           gast.Tuple(elts=[const(d) for d in defaults], ctx=gast.Load())),
                                   flat.origin))
            value = name(t)
        if self.star is not None:
            remainder = flat.temp()
            t = flat.temp()
            self.out.append(assign(t, call(flat.namer.helper("unstarred"), value, const(len(names)), const(0)),
                                   flat.origin))
            value = name(t)
        targets = names + ([remainder] if remainder else [])
        self.out.append(assign(gast.Tuple(elts=[name(n, store=True) for n in targets], ctx=gast.Store()), value,
                               flat.origin))
        return [name(n) for n in names], (name(remainder) if remainder else None)

    def tuple_of(self, rest):
        """A name holding the tuple that `*rest` receives."""
        t = self.flat.temp()
        self.out.append(assign(t, joined(self.flat, rest, gast.Tuple, self.out), self.flat.origin))
        return t


def display(flat, node, out):
    """`(a, *xs, b)` or `[a, *xs]` (a display with a starred part) as one primitive."""
    parts = [("all", flat.atom(e.value, out)) if isinstance(e, gast.Starred) else ("one", flat.atom(e, out))
             for e in node.elts]
    return joined(flat, parts, type(node), out)


def joined(flat, parts, kind, out):
    """The tuple (or list: `kind`) of `parts`, ("one", atom) or ("all", atom) each, as a primitive
    after statements for its pieces: `_1 = (b, c)`, `_2 = as_tuple(xs)`, then `concat(_1, _2)`."""
    pieces, ones = [], []
    for what, atom in parts + [("end", None)]:
        if what == "one":
            ones.append(atom)
            continue
        if ones:
            pieces.append(kind(elts=ones, ctx=gast.Load()))
            ones = []
        if what == "all":
            pieces.append(call(flat.namer.helper("as_tuple" if kind is gast.Tuple else "as_list"), atom))
    if len(pieces) == 1:
        return pieces[0]
    names = []
    for piece in pieces:
        names.append(flat.temp())
        out.append(assign(names[-1], piece, flat.origin))
    while len(names) > 2:
        t = flat.temp()
        out.append(assign(t, call(flat.namer.helper("concat"), name(names[0]), name(names[1])), flat.origin))
        names[:2] = [t]
    return call(flat.namer.helper("concat"), name(names[0]), name(names[1]))


def unstar(flat, target, value, out):
    """`a, *b, c = xs` as `_1 = unstarred(xs, 1, 1)` (b a list, a ValueError when xs is too
    short, as Python's) and the target without its star, to unpack `_1`."""
    at = next(k for k, e in enumerate(target.elts) if isinstance(e, gast.Starred))
    source = flat.atom(value, out)
    t = flat.temp()
    out.append(assign(t, call(flat.namer.helper("unstarred"), source, const(at), const(len(target.elts) - at - 1)),
                      flat.origin))
    elts = [e.value if isinstance(e, gast.Starred) else e for e in target.elts]
    return type(target)(elts=elts, ctx=gast.Store()), name(t)


def _is_zip(node, flat):
    return isinstance(node.func, gast.Name) and node.func.id == "zip" and node.func.id not in flat.locals \
        and len(node.args) == 1 and isinstance(node.args[0], gast.Starred)


def _label(node) -> str:
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Attribute):
        return _label(node.value) + "." + node.attr
    return "the expression"
