"""Derivative rules: one line per primitive, reverse and forward together.

A rule says how a primitive's output cotangent ``g`` flows back to each
differentiable argument, as a Python expression that is inlined, as source,
into generated code::

    rule(np.exp,      x="g * ans")
    rule(np.multiply, x="g * y", y="g * x")
    rule(np.sum, args="a, axis=None, keepdims=False",
         a="unsum(g, a, axis, keepdims)", jvp="np.sum(t_a, axis, keepdims=keepdims)")

In a template, ``g`` is the cotangent of the output, ``ans`` the output, and
each parameter name the argument passed for it. ``t_<param>`` is the tangent
of an argument (forward mode).

*Elementwise* rules (the default for ufuncs, ``math`` functions and
arithmetic operators) give, per argument, an expression that is linear in
``g`` and diagonal; s2s sums each contribution back to the argument's shape
(``unbroadcast``) where broadcasting may have happened, and the forward part
is the same expression with ``g`` replaced by the argument's tangent, summed
over arguments: written once, both modes. Other rules give ``jvp=``
explicitly.

The same function registers user rules, as a decorator::

    @s2s.rule(x="g * 2 * x")
    def square(x):
        return x * x

s2s then calls ``square`` as an opaque primitive instead of reading its
source. Templates may use ``np``, ``math``, the helpers of `s2s.runtime`, and
names visible from the module of the function being differentiated; SciPy's
rules (registered once the program imports SciPy: `load_optional`) call ``scipy.special.digamma``
and the like, and generated code that does imports that module.
"""
from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import operator
import sys
import types
from typing import Callable

import gast
import numpy as np

from .. import runtime
from ..errors import RuleError
from ..transforms.nodes import clone, parse

REQUIRED = inspect.Parameter.empty


@dataclasses.dataclass
class Rule:
    """A primitive's derivative: templates per argument, parsed once."""

    fn: object
    name: str
    signature: inspect.Signature
    defaults: dict            # param -> gast expr of its default
    vjps: dict                # param -> gast expr (template)
    jvp: object | None        # gast expr or None (derived for elementwise rules)
    elementwise: bool
    nondiff: bool = False
    source: dict = dataclasses.field(default_factory=dict)  # param -> template text
    origin: str = ""          # module that registered the rule ("s2s.rules..." for built-ins)
    keeps_shape: bool = False  # output has the shape of the first argument (np.roll, ...)
    constant: dict = dataclasses.field(default_factory=dict)  # param -> hint: no derivative in it (refused)
    only: dict = dataclasses.field(default_factory=dict)  # param -> the constant values the rule covers
    _terms: dict | None = dataclasses.field(default=None, repr=False, compare=False)  # jvp_terms(), made once
    _plain: tuple | None = dataclasses.field(default=None, repr=False, compare=False)  # _positional(), made once

    @property
    def params(self) -> list[str]:
        return list(self.signature.parameters)

    def bind(self, args: list, kwargs: dict) -> dict:
        """Map call arguments (AST atoms) to parameter names, Python's way (positional arguments
        only, to plain parameters: directly, as `Signature.bind` would; it was a tenth of the time
        of the backward pass)."""
        if not kwargs:
            names, required = self._positional()
            if names is not None and required <= len(args) <= len(names):
                return dict(zip(names, args))
        bound = self.signature.bind(*args, **kwargs)
        return dict(bound.arguments)

    def _positional(self):
        """(parameter names, how many have no default) if every parameter is a plain positional
        one, else (None, 0)."""
        if self._plain is None:
            ps = list(self.signature.parameters.values())
            plain = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in ps)
            self._plain = ([p.name for p in ps], sum(p.default is p.empty for p in ps)) if plain else (None, 0)
        return self._plain

    def diff_params(self) -> list[str]:
        return [p for p in self.params if p in self.vjps]

    def refusal(self, bound: dict, is_active, label=None):
        """(message, hint) if this call is outside what the rule covers, checked when the
        derivative is built: an argument carrying a derivative into a `constant` parameter,
        or an argument of an `only` parameter that is not one of its covered constants."""
        what = label or self.name
        out = bound.get("out")
        if "out" in self.params and out is not None and not (isinstance(out, gast.Constant) and out.value is None):
            return (f"`{what}` with out= writes into an existing array, which s2s does not differentiate",
                    "drop out= and assign the result")
        for p in self.constant:
            arg = bound.get(p)
            args = arg if isinstance(arg, tuple) else (arg,)  # *varargs
            if any(isinstance(a, gast.Name) and is_active(a.id) for a in args):
                return (f"s2s has no derivative of `{what}` with respect to its argument `{p}`, "
                        f"which here depends on a differentiated input",
                        self.constant[p] or f"pass a constant for `{p}`, wrap it in s2s.stop_gradient(), "
                                            f"or register a rule with s2s.rule")
        for p, allowed in self.only.items():
            arg = bound.get(p)
            if arg is not None and not (isinstance(arg, gast.Constant) and any(
                    arg.value is v or (type(arg.value) is type(v) and arg.value == v) for v in allowed)):
                shown = " or ".join(f"{p}={v!r}" for v in allowed)
                return (f"s2s differentiates `{what}` only with {shown}",
                        f"write {shown} as a constant, or register a rule with s2s.rule")
        return None

    def jvp_terms(self) -> dict:
        """{param: term}: the forward rule as one term per argument, each linear in that
        argument's tangent ``t_<param>``. Elementwise rules reuse their reverse
        templates with ``g`` standing for the tangent; others split ``jvp=`` at its
        top-level ``+``/``-`` (a ``-`` term is negated; terms with the same tangent are
        summed back into one). Made once per rule; callers copy a term before editing it."""
        if self._terms is None:
            self._terms = self._split_jvp()
        return self._terms

    def _split_jvp(self) -> dict:
        if self.jvp is None:
            if not self.elementwise:
                return {}
            return {p: _rename(t, {"g": "t_" + p}) for p, t in self.vjps.items()}
        terms: dict = {}
        for sign, term in _split_sum(self.jvp):
            used = [p for p in self.params if any(isinstance(n, gast.Name) and n.id == "t_" + p
                                                  for n in gast.walk(term))]
            if len(used) != 1:
                raise RuleError(f"the jvp of {self.name} must be a sum of terms, each with one tangent; "
                                f"a term uses {['t_' + p for p in used] or 'none'}")
            p = used[0]
            if p in terms:
                terms[p] = gast.BinOp(left=terms[p], op=gast.Add() if sign > 0 else gast.Sub(), right=term)
            else:
                terms[p] = term if sign > 0 else gast.UnaryOp(op=gast.USub(), operand=term)
        return terms

    def instantiate_jvp(self, param, bound, ans, tangent, helper=lambda n: n):
        """The forward term of `param` with `t_<param>` replaced by `tangent`."""
        return _substitute(self.jvp_terms()[param], self, bound, tangent, ans, helper,
                           tangent_of={"t_" + param: tangent})

    def instantiate(self, param, bound, g, ans, helper=lambda n: n):
        """The reverse template of `param` as an expression: ``g``, ``ans`` and the
        parameter names replaced by the given nodes; runtime helpers' names go
        through `helper` (see `Namer.helper`)."""
        return _substitute(self.vjps[param], self, bound, g, ans, helper)


_BY_FUNCTION: dict = {}
_BY_METHOD: dict[str, Rule] = {}
_BY_ATTRIBUTE: dict[str, Rule] = {}
_NAMES: dict = {}


def _parse_expr(text: str, what: str):
    try:
        tree = parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"bad template for {what}: {text!r} ({exc.msg})") from None
    return tree.body


def _parse_signature(text: str, what: str):
    try:
        tree = parse(f"def _({text}):\n    pass\n")
    except SyntaxError as exc:
        raise RuleError(f"bad argument list for {what}: {text!r} ({exc.msg})") from None
    namespace: dict = {}
    exec(compile(f"def _({text}):\n    pass\n", "<rule>", "exec"), {"np": np, "math": __import__("math")}, namespace)
    fn = tree.body[0]
    positional = fn.args.posonlyargs + fn.args.args
    defaults = {}
    for arg, default in zip(positional[len(positional) - len(fn.args.defaults):], fn.args.defaults):
        defaults[arg.id] = default
    for arg, default in zip(fn.args.kwonlyargs, fn.args.kw_defaults):
        if default is not None:
            defaults[arg.id] = default
    return inspect.signature(namespace["_"]), defaults


def _default_args(fn) -> str:
    if isinstance(fn, np.ufunc):
        return {1: "x", 2: "x, y"}.get(fn.nin) or ", ".join(f"x{i}" for i in range(fn.nin))
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        raise RuleError(f"cannot read the parameters of {fn!r}; pass args='...' to rule()") from None
    return str(sig)[1:-1]


def display_name(fn) -> str:
    """`np.exp`, `math.sin`, `mymodule.f`: how generated code and errors name `fn`."""
    if fn in _NAMES:
        return _NAMES[fn]
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
    if isinstance(fn, np.ufunc) or module.startswith("numpy"):
        if getattr(np, getattr(fn, "__name__", ""), None) is fn:
            return "np." + fn.__name__
        for sub in ("linalg", "fft"):
            if getattr(getattr(np, sub), getattr(fn, "__name__", ""), None) is fn:
                return f"np.{sub}.{fn.__name__}"
    if module in ("math", "builtins", ""):
        return name if module != "math" else "math." + name
    return f"{module}.{name}"


def rule(fn=None, /, *, args: str | None = None, jvp: str | None = None,
         elementwise: bool | None = None, keeps_shape: bool = False, method: str | None = None,
         attribute: str | None = None, name: str | None = None, constant=(), only: dict | None = None,
         **vjps: str):
    """Register the derivative of a primitive. Usable directly or as a decorator.

    ``rule(np.exp, x="g * ans")`` registers ``np.exp``; ``@rule(x=...)`` on a
    ``def`` registers that function and returns it unchanged. ``method=`` and
    ``attribute=`` also (or only) register array methods (``x.sum()``) and
    attributes (``x.T``); the array is the first parameter. ``keeps_shape``
    says the output always has the first argument's shape (as ``np.roll``).
    ``constant=("ord",)`` names parameters the rule has no derivative for (a dict gives
    each a hint), ``only={"mode": ("constant",)}`` the constant values a parameter may
    take: other calls are refused when the derivative is built (`Rule.refusal`).

    In a template, ``g`` is the output's cotangent, ``ans`` the output, each
    parameter name the argument passed for it, and (in ``jvp=``) ``t_<param>``
    the argument's tangent. A rule with ``jvp=`` (or ``elementwise=True``)
    serves forward mode and second order too; without one, forward mode
    refuses the call with a `NoRuleError`.

        >>> @s2s.rule(x="g * 3.0 * x ** 2", jvp="3.0 * x ** 2 * t_x")
        ... def cube(x):
        ...     return x ** 3
        >>> s2s.grad(cube)(2.0), s2s.hvp(cube)(2.0, 1.0)
        (12.0, 12.0)
    """
    origin = sys._getframe(1).f_globals.get("__name__", "")
    if not origin.startswith(__name__):
        load_optional()  # a built-in rule registered later would replace the user's

    def register(target):
        what = name or (display_name(target) if target is not None else f".{method}()" if method else f".{attribute}")
        sig_text = args if args is not None else _default_args(target)
        signature, defaults = _parse_signature(sig_text, what)
        unknown = (set(vjps) | set(constant) | set(only or {})) - set(signature.parameters)
        if unknown:
            raise RuleError(f"rule for {what} names unknown parameters {sorted(unknown)}; its parameters are ({sig_text})")
        is_elementwise = elementwise
        if is_elementwise is None:
            is_elementwise = jvp is None and (isinstance(target, (np.ufunc, types.BuiltinFunctionType)) or target is None)
        parsed = {p: _parse_expr(t, f"{what} ({p})") for p, t in vjps.items()}
        r = Rule(target, what, signature, defaults, parsed,
                 _parse_expr(jvp, f"{what} (jvp)") if jvp else None,
                 bool(is_elementwise), source=dict(vjps), origin=origin, keeps_shape=keeps_shape,
                 constant=dict(constant) if isinstance(constant, dict) else dict.fromkeys(constant, ""),
                 only=dict(only or {}))
        if method:
            _BY_METHOD[method] = r
        if attribute:
            _BY_ATTRIBUTE[attribute] = r
        if target is not None:
            _BY_FUNCTION[target] = r
            if name:
                _NAMES[target] = name
        return target

    if fn is None:
        if method or attribute:
            return register(None)
        return register
    return register(fn)


def nondiff(*functions: Callable, names: dict | None = None) -> Callable | tuple[Callable, ...]:
    """Register functions whose output carries no derivative (len, argmax, ...): calls to them
    run in derivative code, and nothing flows back through them. Returns the function (or
    the tuple of functions) given, so it may decorate a `def`.

        >>> @s2s.nondiff
        ... def bucket(x):
        ...     return int(x * 10)
        >>> s2s.grad(lambda x: x * bucket(x))(0.25)
        2.0
    """
    origin = sys._getframe(1).f_globals.get("__name__", "")
    for f in functions:
        _BY_FUNCTION[f] = Rule(f, display_name(f), inspect.Signature(), {}, {}, None, False, nondiff=True,
                               origin=origin)
    return functions[0] if len(functions) == 1 else functions


def nondiff_method(*methods):
    origin = sys._getframe(1).f_globals.get("__name__", "")
    for m in methods:
        _BY_METHOD[m] = Rule(None, f".{m}()", inspect.Signature(), {}, {}, None, False, nondiff=True, origin=origin)


def nondiff_attribute(*attrs):
    origin = sys._getframe(1).f_globals.get("__name__", "")
    for a in attrs:
        _BY_ATTRIBUTE[a] = Rule(None, f".{a}", inspect.Signature(), {}, {}, None, False, nondiff=True, origin=origin)


def lookup(fn) -> Rule | None:
    try:
        found = _BY_FUNCTION.get(fn)
    except TypeError:  # unhashable callables have no rules
        return None
    if found is None and _OPTIONAL:   # a library imported since (scipy.signal, on first use of scipy.signal.x)
        load_optional()
        found = _BY_FUNCTION.get(fn)
    return found


def lookup_method(name: str) -> Rule | None:
    return _BY_METHOD.get(name)


def lookup_attribute(name: str) -> Rule | None:
    return _BY_ATTRIBUTE.get(name)


def all_rules() -> list[Rule]:
    load_optional()
    return list(_BY_FUNCTION.values()) + list(_BY_METHOD.values()) + list(_BY_ATTRIBUTE.values())


def _split_sum(expr, sign=1):
    """[(sign, term)] of a top-level sum like `a @ t_b + t_a @ b - c`."""
    if isinstance(expr, gast.BinOp) and isinstance(expr.op, (gast.Add, gast.Sub)):
        right_sign = sign if isinstance(expr.op, gast.Add) else -sign
        return _split_sum(expr.left, sign) + _split_sum(expr.right, right_sign)
    return [(sign, expr)]


def _rename(template, mapping):
    """A copy of `template` with names renamed."""
    class Rename(gast.NodeTransformer):
        def visit_Name(self, node):
            if node.id in mapping:
                node.id = mapping[node.id]
            return node
    return Rename().visit(copy.deepcopy(template))


def _substitute(template, rule, bound, g, ans, helper, tangent_of=None):
    """The template expression with g, ans and parameter names replaced.

    Names of runtime helpers go through `helper` (see `Namer.helper`).
    """
    replace = {"g": g, "ans": ans, **(tangent_of or {})}
    for p, param in rule.signature.parameters.items():
        if p in bound:
            value = bound[p]
            replace[p] = gast.Tuple(elts=list(value), ctx=gast.Load()) if isinstance(value, tuple) else value
        elif p in rule.defaults:
            replace[p] = rule.defaults[p]
        elif param.kind is param.VAR_POSITIONAL:
            replace[p] = gast.Tuple(elts=[], ctx=gast.Load())

    def name(node):
        if isinstance(node.ctx, gast.Load) and node.id in replace:
            return clone(replace[node.id])
        if node.id in runtime.__all__:
            return gast.Name(id=helper(node.id), ctx=node.ctx, annotation=None, type_comment=None)
        return None

    return clone(template, name)


# Arithmetic operators are looked up through these functions.
BINOPS = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
    gast.Div: operator.truediv, gast.Pow: operator.pow, gast.MatMult: operator.matmul,
    gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod,
    gast.BitAnd: operator.and_, gast.BitOr: operator.or_, gast.BitXor: operator.xor,
    gast.LShift: operator.lshift, gast.RShift: operator.rshift,
}
UNARYOPS = {gast.USub: operator.neg, gast.UAdd: operator.pos, gast.Not: operator.not_, gast.Invert: operator.invert}

from . import (decompositions, elementwise, joining, linalg, math_module, no_derivative,  # noqa: E402,F401
               operators, python_builtins, reductions, runtime_helpers, sequences, shape, trees)

# Rules for optional libraries: registered once the program has imported the library (s2s never imports
# it: `import scipy.stats` alone takes longer than importing s2s), before a derivative is generated or a
# user registers a rule of their own (which then wins over the built-in one).
_OPTIONAL = {"scipy": ("scipy_linalg", "scipy_special", "scipy_stats", "scipy_cdf", "scipy_integrate"),
             "scipy.signal": ("scipy_signal",)}


def load_optional():
    """Register the rules of the optional libraries that are imported by now (SciPy's)."""
    for package in [p for p in _OPTIONAL if sys.modules.get(p) is not None]:
        for family in _OPTIONAL.pop(package):
            importlib.import_module(f"{__name__}.{family}")
