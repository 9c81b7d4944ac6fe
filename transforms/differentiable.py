"""Refusals shared by both modes: active primitives s2s cannot differentiate.

Before: a normal-form ``FunctionDef``, its `Activity` and `Callees`.
After: the same function, unchanged -- or an `S2SError` at the first
assignment whose target is active and whose value reads an active name
through something without a derivative: an unknown attribute (``p.w``,
``x.real``, ``x.flat``), a module's object indexed (``np.r_[x, y]``), a
call with no rule whose source cannot be read, a call its rule refuses
(`Rule.refusal`: ``np.pad(x, mode="edge")``), or
a call that does not match its rule's parameters.

Reverse and forward mode both run this check before generating anything, so
they accept exactly the same language (SPEC §6). It looks at activity only,
not at which derivatives are known to be zero at a point, so neither mode's
zero tracking can let such a primitive through as a constant.

`refuse_bool_output` refuses a derivative of a function that returns a bool
(``np.allclose(x, y)``): the error is also a `TypeError`, as in autograd and JAX.
"""
from __future__ import annotations

import inspect
import os

import gast
import numpy as np

from s2s.errors import BoolOutputError, NoRuleError, UnsupportedError
from s2s.rules.no_derivative import PREDICATES

from .callees import call_arguments, indexed_object, library_of, no_rule_hint, user_class
from .effects import _OPERATOR_WRITES, MUTATING_METHODS, WRITES_FIRST, written_operands
from .nodes import param_names, popped, pushed, walk, walk_statements


def check_differentiable(fn, info, act, callees):
    """Raise for the first active primitive of `fn` that has no derivative."""
    def active(node):
        return isinstance(node, gast.Name) and act.is_active(node.id)

    for s in walk_statements(fn.body):
        if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and not pushed(s):
            _refuse_changes_in_place(s.value, info, act, callees)
        elif isinstance(s, gast.Assign) and isinstance(s.value, gast.Call) and not popped(s.value):
            _refuse_changes_in_place(s.value, info, act, callees, kept=True)   # `z = np.clip(u, a, b, out=y)`
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and act.is_active(s.targets[0].id)):
            continue
        value = s.value
        if popped(value):  # `v = xs.pop()`: an element of a list, differentiated as such
            continue
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Attribute):
            message, hint = indexed_object(value.value)
            raise NoRuleError(message, info.location(value), hint)
        if isinstance(value, gast.Attribute):
            callee = callees.classify_attribute(value)
            if callee.kind == "unknown" and active(value.value):
                raise NoRuleError(f"s2s does not know how to differentiate the attribute `{callee.label}`",
                                  info.location(value),
                                  "use the equivalent NumPy function, or register a rule with s2s.rule(attribute=...)")
        elif isinstance(value, gast.Call):
            callee = callees.classify_call(value)
            args, kwargs = call_arguments(callee, value)
            if callee.kind == "unknown" and active(value.func):
                raise NoRuleError(f"`{value.func.id}` is a function value that depends on a differentiated input "
                                  "(a closure over it, or a function chosen by it): s2s cannot differentiate "
                                  "through a call of it", info.location(value),
                                  "call a function defined with def or lambda in this function or at module "
                                  "level, and pass the value as an argument")
            if not any(active(a) for a in args + list(kwargs.values())):
                continue
            if callee.kind == "unknown" and isinstance(value.func, gast.Name) and value.func.id in callees.locals:
                raise NoRuleError(*_function_variable(value.func.id, fn, callees), info.location(value),
                                  "call the function by its name (under an if if it is chosen), or pass it to the "
                                  "function that calls it: s2s inlines a function where it is given one")
            if callee.kind == "unknown" and isinstance(value.func, gast.Name) and callee.obj is None:
                raise NoRuleError(f"`{value.func.id}` is not defined: no global, builtin or enclosing variable "
                                  "has that name when the derivative is made", info.location(value),
                                  f"define or import `{value.func.id}` before making the derivative")
            if callee.kind == "unknown" and user_class(callee.obj):
                raise NoRuleError(f"`{callee.label}` is a class: s2s differentiates making a namedtuple or a "
                                  "dataclass (one whose `__init__` only stores its fields, with no __post_init__), "
                                  "not other objects", info.location(value),
                                  "keep the values in a namedtuple or such a dataclass, or compute with the arrays "
                                  "themselves and pass them as arguments")
            if callee.kind == "unknown":
                library = library_of(callee.obj)
                why = f"a function of {library}, whose source s2s does not read" if library else \
                    "and s2s cannot read its source"
                raise NoRuleError(f"no derivative rule for `{callee.label}`, {why}", info.location(value),
                                  no_rule_hint(callee, value, callees.self_class))
            if callee.kind == "user":
                _check_arguments(callee, args, kwargs, info.location(value))
            if callee.kind == "rule":
                try:
                    bound = callee.rule.bind(args, kwargs)
                except TypeError as exc:
                    raise UnsupportedError(f"this call to `{callee.label}` does not match its derivative rule's "
                                           f"parameters ({exc})", info.location(value),
                                           "check the arguments, or the rule's args=") from None
                refusal = callee.rule.refusal(bound, act.is_active, callee.label)  # `Rule.refusal`
                if refusal:
                    raise UnsupportedError(refusal[0], info.location(value), refusal[1])


def _refuse_changes_in_place(value, info, act, callees, kept=False):
    """Refuse a call, made as a statement, that changes in place an array, list or dict that
    depends on a differentiated input, or one it puts such values into (``g.sort()``, ``g.fill(0.0)``,
    ``xs.extend(ys)``, ``d.update(e)``, ``np.exp(g, out=g)``, ``np.copyto(g, x)``,
    ``np.multiply.at(g, i, x)``, ``rng.shuffle(g)``): the derivative would not see the change.
    (``xs.append(v)`` is differentiated, and ``np.add.at`` is ``g += ...`` in normal form; a user
    function's writes are checked with its call.) `kept`: the call's value is assigned; only what it
    writes into other than its receiver counts (`v = xs.pop()` is differentiated)."""
    callee = callees.classify_call(value)
    operands = [a.value if isinstance(a, gast.Starred) else a for a in value.args] + [k.value for k in value.keywords]
    if callee.receiver is not None:
        operands.append(callee.receiver)
    if not any(isinstance(n, gast.Name) and n.id in act.varied for o in operands for n in walk(o)):
        return   # (varied, not active: what it writes into is no operand of what the output depends on)
    obj, label = callee.obj, callee.label
    method = value.func.attr if isinstance(value.func, gast.Attribute) else None
    written = [] if callee.kind == "user" else written_operands(value, callee)
    if kept:
        written = [n for n in written if n is not callee.receiver]
        if not written:
            return
    if any(k.arg == "out" for k in value.keywords) or written and written[0] is not callee.receiver and not any(
            obj is f for f in WRITES_FIRST) and getattr(obj, "__objclass__", None) is None \
            and obj not in _OPERATOR_WRITES:
        hint = _OUT_HINT
    elif callee.receiver is not None and callee.kind != "user" and method in MUTATING_METHODS:
        hint = _ASSIGN_INSTEAD.get(method, "assign a new value to the name instead of changing it in place")
    elif written or method == "at" and isinstance(getattr(obj, "__self__", None), np.ufunc) \
            or method in ("shuffle", "permuted"):
        hint = "compute a new array and assign it, instead of changing this one in place"
    else:
        return
    if hint == _OUT_HINT:
        raise UnsupportedError(f"`{label}` with out= (by name or position) writes into an existing array, which s2s "
                               "does not differentiate", info.location(value), hint)
    raise UnsupportedError(f"`{label}` changes an array, list or dict in place, and what it changes or writes "
                           "depends on a differentiated input: s2s differentiates values assigned to names, and "
                           "would not see this change",
                           info.location(value), hint)


_OUT_HINT = "drop out= and assign the result"


_ASSIGN_INSTEAD = {"sort": "assign a sorted copy: `g = np.sort(g)`",
                   "fill": "assign a new array: `g = np.full_like(g, v)`",
                   "extend": "make a new list: `xs = xs + [...]` (or append each value)",
                   "update": "make a new dict: `d = {**d, **e}`"}


def refuse_bool_output(fn, info, callees):
    """Raise `BoolOutputError` if `fn` (the function a derivative is asked of) returns a bool on
    every path: a bool constant, or a predicate's result (`np.allclose`: `no_derivative.PREDICATES`),
    as autograd raises a TypeError there. A bool carries no derivative, and a zero would hide the mistake."""
    returned = [s.value for s in walk_statements(fn.body) if isinstance(s, gast.Return)]   # (no `try`: fenced)
    if len(returned) != 1 or not isinstance(returned[0], gast.Name):
        return
    values = [s.value for s in walk_statements(fn.body) if isinstance(s, gast.Assign)
              and isinstance(s.targets[0], gast.Name) and s.targets[0].id == returned[0].id]
    if values and all(_is_bool(v, callees) for v in values):
        what = "this lambda" if fn.name == "<lambda>" else f"`{fn.name}`"
        raise BoolOutputError(f"{what} returns a bool, which carries no derivative", info.location(values[-1]),
                              "differentiate a real-valued function of the inputs instead (for a test such as "
                              "np.allclose(a, b), a measure such as np.sum((a - b) ** 2))")


def _is_bool(value, callees) -> bool:
    """A Python bool: a predicate's result or a constant. (A comparison of arrays is an array of
    bools, whose derivative is zero wherever it is defined, as in autograd: not refused.)"""
    if isinstance(value, gast.Constant):
        return isinstance(value.value, bool)
    return isinstance(value, gast.Call) and any(callees.classify_call(value).obj is p for p in PREDICATES)


def _check_arguments(callee, args, kwargs, where):
    """Refuse a call to a user function that Python would refuse (it would raise TypeError). A call
    with `*xs` or `**d` (`call_arguments` keys "*" and "**") is bound by `packing`, which checks it."""
    if "*" in kwargs or "**" in kwargs:
        return
    try:
        signature = inspect.signature(callee.obj)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise UnsupportedError(f"this call to `{callee.label}` does not match {_described(callee.obj, signature)}: "
                               f"{exc}", where, "pass the arguments the function takes") from None


def _described(func, signature) -> str:
    """`name(params)`, or for a lambda `lambda params` and where it is defined (file:line)."""
    if func.__name__ != "<lambda>":
        return f"`{func.__name__}{signature}`"
    code = func.__code__
    return f"`lambda {str(signature)[1:-1]}` ({os.path.basename(code.co_filename)}:{code.co_firstlineno})"


def _function_variable(name, fn, callees):
    """(message,) for a call through a variable whose function s2s cannot know when it generates code."""
    if name in param_names(fn):
        return (f"`{name}` is a parameter of `{callees.func.__name__}` that holds a function: s2s resolves the "
                "function a call refers to when it generates code, and cannot know which one a caller passes",)
    return (f"`{name}` holds a function that s2s cannot know when it generates code (an element of a list or "
            "tuple, a loop variable, or a value chosen at run time)",)
