"""What a call or attribute in user code refers to, decided at generation time.

`Callees` resolves a call's function expression the way Python would when
the function runs (closure cells, then the function's globals, then
builtins) and classifies it: a primitive with a derivative rule, a
non-differentiable function, a user function to differentiate by reading its
source, or something unknown.
"""
from __future__ import annotations

import builtins
import dataclasses
import inspect

import gast

from s2s import rules

_MISSING = object()


@dataclasses.dataclass
class Callee:
    kind: str              # "rule", "nondiff", "user", "unknown"
    rule: object = None    # rules.Rule for "rule"/"nondiff"
    obj: object = None     # the Python object called (functions, rules' targets)
    receiver: object = None  # for methods: the atom the method is called on
    label: str = ""        # how errors name it


class Callees:
    def __init__(self, func, local_names: set[str]):
        self.func = func
        self.locals = local_names
        self.closure = {}
        self.helpers: dict = {}  # runtime helpers that passes put into user code (`list_operators`)
        if func.__closure__:
            for var, cell in zip(func.__code__.co_freevars, func.__closure__):
                try:
                    self.closure[var] = cell.cell_contents
                except ValueError:
                    pass

    def lookup(self, node):
        """The object `node` (a name or attribute path) refers to, or _MISSING."""
        if isinstance(node, gast.Name):
            if node.id in self.locals:
                return _MISSING
            for scope in (self.helpers, self.closure, self.func.__globals__, vars(builtins)):
                try:  # not `in`: generated code's globals fall back to the user's module on lookup
                    return scope[node.id]
                except KeyError:
                    pass
            return _MISSING
        if isinstance(node, gast.Attribute):
            base = self.lookup(node.value)
            if base is _MISSING:
                return _MISSING
            return getattr(base, node.attr, _MISSING)
        return _MISSING

    def classify_call(self, call: gast.Call) -> Callee:
        func = call.func
        label = _label(func)
        if isinstance(func, gast.Attribute) and self.lookup(func) is _MISSING and _rooted_in_local(func.value, self.locals):
            rule = rules.lookup_method(func.attr)
            if rule is None:
                return Callee("unknown", receiver=func.value, label=f".{func.attr}()")
            return Callee("nondiff" if rule.nondiff else "rule", rule, receiver=func.value, label=f".{func.attr}()")
        obj = self.lookup(func)
        if obj is _MISSING:
            return Callee("unknown", label=label)
        rule = rules.lookup(obj)
        if rule is not None:
            return Callee("nondiff" if rule.nondiff else "rule", rule, obj, label=label)
        if inspect.isfunction(obj):
            return Callee("user", obj=obj, label=label)
        return Callee("unknown", obj=obj, label=label)

    def classify_attribute(self, node: gast.Attribute) -> Callee:
        if self.lookup(node) is not _MISSING:
            return Callee("nondiff", label=_label(node))  # a module constant such as np.pi
        rule = rules.lookup_attribute(node.attr)
        if rule is None:
            return Callee("unknown", receiver=node.value, label=f".{node.attr}")
        return Callee("nondiff" if rule.nondiff else "rule", rule, receiver=node.value, label=f".{node.attr}")


def _rooted_in_local(node, local_names) -> bool:
    while isinstance(node, gast.Attribute):
        node = node.value
    return not isinstance(node, gast.Name) or node.id in local_names


def _label(node) -> str:
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Attribute):
        return _label(node.value) + "." + node.attr
    return type(node).__name__


def call_arguments(callee: Callee, call: gast.Call):
    """Positional and keyword argument atoms, with a method's receiver first."""
    args = list(call.args)
    if callee.receiver is not None:
        args = [callee.receiver] + args
    return args, {k.arg: k.value for k in call.keywords}
