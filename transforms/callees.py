"""What a call or attribute in user code refers to, decided at generation time.

`Callees` resolves a call's function expression the way Python would when
the function runs (a free variable from its closure cell only; any other
name from the function's globals, then builtins) and classifies it: a
primitive with a derivative rule, a non-differentiable function, a user
function to differentiate by reading its source, or something unknown (a
function of an installed library, such as SciPy, that has no rule is
unknown: `library_of`).

Every name it resolves, and every rule it looks up for a callee, is
recorded as a binding (where it was looked up, the name or key, the object
found): a derivative generated from these decisions holds only while
`still_bound` finds each bound to the same object (a helper redefined in a
notebook cell, a module attribute replaced, a rule registered again).
`entries_read` uses the classification to find the container entries no
derivative can flow out of (both modes give them structural zeros).
"""
from __future__ import annotations

import builtins
import dataclasses
import functools
import inspect
import math
import os
import site
import sys
import sysconfig
import types

import gast
import numpy as np

from s2s import rules, runtime
from s2s.errors import UnsupportedError

from .nodes import name_nodes, walk

_MISSING = object()


@dataclasses.dataclass
class Callee:
    kind: str              # "rule", "nondiff", "user", "unknown"; "field": `p.w` of a namedtuple or dataclass
    rule: object = None    # rules.Rule for "rule"/"nondiff"
    obj: object = None     # the Python object called (functions, rules' targets)
    receiver: object = None  # for methods: the atom the method is called on
    label: str = ""        # how errors name it


class Callees:
    def __init__(self, func, local_names: set[str], info=None, self_class=None):
        rules.load_optional()  # SciPy's rules, once the program has imported SciPy
        self.func = func
        # A method whose instance's class is known (a bound method, or one called on such an instance):
        # `self.m(...)` is the function `m` of that class, called with `self` first.
        self.self_class = self_class
        self.self_name = next(iter(inspect.signature(func).parameters), None) if self_class is not None else None
        self.on_method = lambda method, cls: None   # told of each method resolved so (the driver records it)
        self.locals = local_names
        self.info = info   # parsing.SourceInfo, for errors
        self.cells = dict(zip(func.__code__.co_freevars, func.__closure__ or ()))   # free variable -> cell
        self.bindings: dict = {}   # (ids of scopes, name) -> (scopes, name, object found)
        self.helpers: dict = {}  # runtime helpers that passes put into user code (`list_operators`)
        self.classified: dict = {}   # (path, root local?, root a helper?) -> (Callee, has a receiver)

    def lookup(self, node):
        """The object `node` (a name or attribute path) refers to, or _MISSING."""
        if isinstance(node, gast.Name):
            if node.id in self.locals:
                return _MISSING
            if node.id in self.helpers:
                return self.helpers[node.id]
            cell = self.cells.get(node.id)
            scopes = (cell,) if cell is not None else (self.func.__globals__, vars(builtins))
            return self._bind(scopes, node.id)
        if isinstance(node, gast.Attribute):
            base = self.lookup(node.value)
            if base is _MISSING:
                return _MISSING
            if isinstance(base, types.ModuleType):
                return self._bind((base,), node.attr)
            return getattr(base, node.attr, _MISSING)
        return _MISSING

    def _bind(self, scopes, name):
        key = (tuple(map(id, scopes)), name)
        bound = self.bindings.get(key)
        if bound is not None:   # looked up already (nothing the user wrote runs while a derivative is made)
            return bound[2]
        found = resolve(scopes, name)
        self.bindings[key] = (scopes, name, found)
        return found

    def classify_call(self, call: gast.Call) -> Callee:
        """What `call` calls. The same for every call of one name or attribute path (`np.sin`,
        `self.step`, `xs.append`): kept per path, whether its root is local and a helper (passes
        classify each call several times; errors are not kept, they are raised again)."""
        path = _path(call.func)
        if path is None:
            return self._classify_call(call)
        key = (path, path[0] in self.locals, path[0] in self.helpers)
        kept = self.classified.get(key)
        if kept is None:
            callee = self._classify_call(call)
            kept = self.classified[key] = (callee, callee.receiver is not None)
        callee, has_receiver = kept
        if callee.kind == "user" and callee.receiver is not None:
            self.on_method(callee.obj, self.self_class)
        return dataclasses.replace(callee, receiver=call.func.value) if has_receiver else callee

    def _classify_call(self, call: gast.Call) -> Callee:
        func = call.func
        label = _label(func)
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id == self.self_name:
            method = self._method(func.attr)
            if method is not None:
                self.on_method(method, self.self_class)
                return Callee("user", obj=method, receiver=func.value,
                              label=f"{self.self_class.__name__}.{func.attr}")
            static = self._method(func.attr, staticmethod)   # `self.kernel(x)` of a @staticmethod: no self
            label_ = f"{self.self_class.__name__}.{func.attr}"
            if static is not None and self._rule(rules._BY_FUNCTION, static) is not None:
                rule = self._rule(rules._BY_FUNCTION, static)   # (`act = staticmethod(np.tanh)`)
                return Callee("nondiff" if rule.nondiff else "rule", rule, static, label=label_)
            if inspect.isfunction(static):
                return Callee("user", obj=static, label=label_)
        if isinstance(func, gast.Attribute) and self.lookup(func) is _MISSING and _rooted_in_local(func.value, self.locals):
            rule = self._rule(rules._BY_METHOD, func.attr)
            if rule is None:
                return Callee("unknown", receiver=func.value, label=f".{func.attr}()")
            return Callee("nondiff" if rule.nondiff else "rule", rule, receiver=func.value, label=f".{func.attr}()")
        obj = self.lookup(func)
        if obj is _MISSING:
            if isinstance(func, gast.Name) and func.id in self.cells and func.id not in self.locals:
                raise UnsupportedError(
                    f"`{func.id}` is a variable of the function enclosing `{self.func.__name__}` that has no value "
                    "yet: s2s reads what a call refers to when the derivative is made",
                    self.info.location(func) if self.info else None,
                    f"make the derivative after `{func.id}` is assigned")
            return Callee("unknown", label=label)
        rule = self._rule(rules._BY_FUNCTION, obj)
        if rule is not None:
            return Callee("nondiff" if rule.nondiff else "rule", rule, obj, label=label)
        if library_of(obj):  # SciPy's, NumPy's: no rule, and its source is not the user's to differentiate
            return Callee("unknown", obj=obj, label=public_name(obj) or label)
        if inspect.isfunction(obj):
            return Callee("user", obj=obj, label=label)
        if inspect.isfunction(getattr(obj, "__s2s_function__", None)):   # `@s2s.differentiate`: the function itself
            return Callee("user", obj=obj.__s2s_function__, label=label)
        return Callee("unknown", obj=obj, label=label)

    def classify_attribute(self, node: gast.Attribute) -> Callee:
        if self.lookup(node) is not _MISSING:
            return Callee("nondiff", label=_label(node))  # a module constant such as np.pi
        rule = self._rule(rules._BY_ATTRIBUTE, node.attr)
        if rule is None and not hasattr(np.ndarray, node.attr):  # a field of a namedtuple or dataclass, or refused
            return Callee("field", rules.lookup(runtime.field), receiver=node.value, label=f".{node.attr}")
        if rule is None:
            return Callee("unknown", receiver=node.value, label=f".{node.attr}")
        return Callee("nondiff" if rule.nondiff else "rule", rule, receiver=node.value, label=f".{node.attr}")

    def _method(self, attr, kind=None):
        """The plain function `attr` of the class of `self`, recorded as a binding, or None; with
        `kind` (`staticmethod`), what a method of that kind wraps (a function, or a NumPy function)."""
        for klass in self.self_class.__mro__:
            if attr in vars(klass):
                found = self._bind((vars(klass),), attr)
                if kind is not None:
                    return getattr(found.__func__, "__s2s_function__", found.__func__) if isinstance(found, kind) \
                        else None
                found = getattr(found, "__s2s_function__", found)   # (a method under `@s2s.differentiate`)
                return found if inspect.isfunction(found) else None
        return None

    def _rule(self, table, key):
        """The rule registered for `key`, recorded as a binding: a rule registered later is seen too."""
        try:
            hash(key)
        except TypeError:  # unhashable callables have no rules
            return None
        found = self._bind((table,), key)
        return None if found is _MISSING else found


def resolve(scopes, name):
    """What `name` means in the first of `scopes` (a closure cell, a module, a namespace) that binds it."""
    for scope in scopes:
        if isinstance(scope, types.CellType):
            try:
                return scope.cell_contents
            except ValueError:  # an empty cell: Python does not look further either
                return _MISSING
        if isinstance(scope, types.ModuleType):
            found = getattr(scope, name, _MISSING)
        else:
            try:  # not `in`: generated code's globals fall back to the user's module on lookup
                found = scope[name]
            except KeyError:
                continue
            except NameError:  # an empty cell behind generated code's globals (s2s.load)
                return _MISSING
        if found is not _MISSING:
            return found
    return _MISSING


def _library_folders() -> tuple:
    paths = sysconfig.get_paths()
    folders = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    folders |= set(getattr(site, "getsitepackages", lambda: [])()) | {site.getusersitepackages()}
    return tuple(os.path.join(os.path.realpath(f), "") for f in folders if f)


_LIBRARY_FOLDERS = _library_folders()


def library_of(obj) -> str:
    """The top-level package (`scipy`) of a Python function that comes from an installed library
    (a file under site-packages or the standard library), or "" for user code and s2s's own."""
    obj = getattr(obj, "__func__", obj)  # a bound method: its function (`scipy.stats.norm.sf`)
    code = getattr(obj, "__code__", None)
    if not inspect.isfunction(obj) or code is None:
        return ""
    package = (getattr(obj, "__module__", None) or "").split(".")[0]
    if package == "s2s" or package.startswith("s2s_"):
        return ""
    if package in ("numpy", "scipy") or _installed(code.co_filename):
        return package or os.path.basename(code.co_filename)
    return ""


@functools.lru_cache(maxsize=None)
def _installed(filename) -> bool:
    return os.path.realpath(filename).startswith(_LIBRARY_FOLDERS)


def user_class(obj) -> bool:
    """Is `obj` a class of the user's (not a builtin such as `zip`, nor one of an installed library)?"""
    if not inspect.isclass(obj) or obj.__module__ in ("builtins", "collections", "typing", "dataclasses"):
        return False
    filename = getattr(sys.modules.get(obj.__module__), "__file__", None)
    return filename is None or not _installed(filename)


def public_name(obj) -> str:
    """How a library's function is reached from its package (`scipy.special.logsumexp`, not the
    private module it is defined in), among the modules already imported; "" if none."""
    if inspect.ismethod(obj):
        return ""
    name = getattr(obj, "__name__", "")
    module = getattr(obj, "__module__", None) or ""
    parts = module.split(".")
    for k in range(1, len(parts) + 1):
        prefix = ".".join(parts[:k])
        if getattr(sys.modules.get(prefix), name, None) is obj:
            return f"{prefix}.{name}"
    return f"{module}.{name}" if module and name else ""


def first_param(fn) -> str:
    """The name of `fn`'s first parameter, for a hint (`x` where there is none to read)."""
    try:
        return next(iter(inspect.signature(fn).parameters), "x")
    except (TypeError, ValueError):
        return "x"


def still_bound(bindings) -> bool:
    """Does every (scopes, name, object) binding still resolve to the same object?"""
    for scopes, name, found in bindings:
        if resolve(scopes, name) is not found:
            return False
    return True


def _rooted_in_local(node, local_names) -> bool:
    while isinstance(node, gast.Attribute):
        node = node.value
    return not isinstance(node, gast.Name) or node.id in local_names


def _path(node):
    """`("np", "linalg", "norm")` for the expression `np.linalg.norm`, None for one not made of
    names and attributes."""
    parts = []
    while type(node) is gast.Attribute:
        parts.append(node.attr)
        node = node.value
    if type(node) is not gast.Name:
        return None
    parts.append(node.id)
    return tuple(reversed(parts))


def _label(node) -> str:
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Attribute):
        return _label(node.value) + "." + node.attr
    return type(node).__name__


def no_rule_hint(callee: Callee, call: gast.Call, self_class=None) -> str:
    """What a user can do about a call with no derivative rule: register one for the function or
    method it names, in a form `s2s.rule` accepts, or call it so that s2s can read its source.
    `self_class`: the class of `self` in a method differentiated, if known."""
    unwrap = " or wrap a non-differentiable argument in s2s.stop_gradient()"
    receiver = call.func.value if isinstance(call.func, gast.Attribute) else None
    through_super = isinstance(receiver, gast.Call) and isinstance(receiver.func, gast.Name) \
        and receiver.func.id == "super"
    if through_super or isinstance(receiver, gast.Name) and receiver.id in ("self", "cls"):
        attr = call.func.attr
        owners = [k for k in getattr(self_class, "__mro__", ())[1 if through_super else 0:] if attr in vars(k)]
        if owners and isinstance(vars(owners[0])[attr], staticmethod):
            return (f"call the @staticmethod by its class, so that s2s reads its source: "
                    f"`{owners[0].__name__}.{attr}(...)`;{unwrap}")
        if owners:
            return (f"call the method by the class that defines it, so that s2s reads its source: "
                    f"`{owners[0].__name__}.{attr}(self, ...)`;{unwrap}")
        if self_class is not None and not through_super:
            return (f"`{attr}` is no method of `{self_class.__name__}` (an attribute of the object, set in "
                    f"`__init__`?): s2s reads the functions of the class; call the function itself, or make it a "
                    f"method or a @staticmethod of the class;{unwrap}")
        return (f"call it by its class, so that s2s reads its source: `Base.{attr}(self, ...)` for a "
                f"parent's method reached through super(), `Model.{attr}(...)` for a @staticmethod "
                f"(Base, Model: the classes that define it);{unwrap}")
    if callee.receiver is not None:  # x.conj(), self.forward_pass(x): a method of a value of this function
        attr = call.func.attr
        instead = f"use `np.{attr}(...)`, " if callable(getattr(np, attr, None)) else ""
        params = ["self"] + ["x", "y", "z", "u", "v", "w"][:len(call.args)]
        return (f"{instead}call a module-level function s2s can read instead, or register a rule for the method: "
                f"`s2s.rule(method=\"{attr}\", args=\"{', '.join(params)}\", {params[-1]}=\"g * ...\")` "
                f"(see s2s.rules);{unwrap}")
    obj = callee.obj
    if obj is math.gamma or obj is math.lgamma:
        return (f"its derivative needs the digamma function, which s2s takes from SciPy: import scipy in your "
                f"program, or call scipy.special.{'gammaln' if obj is math.lgamma else 'gamma'};{unwrap}")
    if inspect.ismethod(obj) and inspect.isfunction(obj.__func__) and not library_of(obj):  # model.forward_pass
        cls = type(obj.__self__).__name__
        return (f"`{callee.label}` is a method bound to an object: call the function, "
                f"`{cls}.{obj.__func__.__name__}({_label(call.func.value)}, ...)`, so that s2s reads its source;{unwrap}")
    param = first_param(obj)
    return f"register one: `s2s.rule({callee.label}, {param}=\"g * ...\")` (see s2s.rules);{unwrap}"


def call_arguments(callee: Callee, call: gast.Call):
    """Positional and keyword argument atoms, with a method's receiver first; what a call to a
    user function passes as `*rest` and `**opts` (see `packing`) under the keys "*" and "**"."""
    args = [a for a in call.args if not isinstance(a, gast.Starred)]
    if callee.receiver is not None:
        args = [callee.receiver] + args
    kwargs = {k.arg if k.arg is not None else "**": k.value for k in call.keywords}
    kwargs.update({"*": a.value for a in call.args if isinstance(a, gast.Starred)})
    return args, kwargs


def receiver_args(callee: Callee) -> list:
    """[the receiver] of a method resolved to a user function (`self.forward(x)` calls
    `forward(self, x)`), else []."""
    return [callee.receiver] if callee.kind == "user" and callee.receiver is not None else []


def entries_read(fn, callees: Callees, active=lambda name: True) -> dict:
    """{name: {constant keys}} for the names that are read only as `name[k]` with constant ints or strings k,
    or unpacked (`a, b = name`: the entries whose targets are `active`), or where no derivative flows
    (`len(xs)`, a rule's parameter without one), with no write into them: the entries of their values
    that can get a cotangent."""
    body = gast.Module(body=fn.body, type_ignores=[])
    read: dict = {}
    plain, calls = set(), []
    for node in walk(body):
        if isinstance(node, gast.Assign) and isinstance(node.value, gast.Name) and len(node.targets) == 1 \
                and isinstance(node.targets[0], (gast.Tuple, gast.List)) \
                and all(isinstance(e, gast.Name) for e in node.targets[0].elts):
            read.setdefault(node.value.id, set()).update(
                k for k, e in enumerate(node.targets[0].elts) if active(e.id))
            plain.add(id(node.value))
        elif isinstance(node, gast.Call):
            calls.append(node)
        elif isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) and isinstance(
                node.slice, gast.Constant) and type(node.slice.value) in (int, str):
            if isinstance(node.ctx, gast.Load):
                read.setdefault(node.value.id, set()).add(node.slice.value)
            plain.add(id(node.value))  # a write `xs[k] = v` at a constant key reads no entry
    if not read:
        return read
    for node in calls:   # (only an argument that is one of those names may be read where no derivative flows)
        if not _passes_one_of(node, read):
            continue
        callee = callees.classify_call(node)
        if callee.kind in ("rule", "nondiff"):
            args, kwargs = call_arguments(callee, node)
            try:
                bound = callee.rule.bind(args, kwargs) if callee.kind == "rule" else {}
            except TypeError:
                continue
            flows = {id(bound[p]) for p in callee.rule.diff_params() + list(callee.rule.constant) if p in bound}
            plain |= {id(a) for a in args + list(kwargs.values()) if id(a) not in flows}
    for node in name_nodes(body):
        if isinstance(node.ctx, gast.Load) and id(node) not in plain:
            read.pop(node.id, None)
    return read


def _passes_one_of(call, names) -> bool:
    """Is one of `names` an argument of `call` (or its receiver, or starred)?"""
    for a in call.args + [k.value for k in call.keywords] + ([call.func.value] if isinstance(call.func, gast.Attribute)
                                                             else []):
        a = a.value if isinstance(a, gast.Starred) else a
        if isinstance(a, gast.Name) and a.id in names:
            return True
    return False


def indexed_object(path):
    """(message, hint) refusing `np.mgrid[a]` (a module's object indexed) where a carries a derivative;
    `np.r_[...]` and `np.c_[...]` are joins (`concatenators`) but with a string directive (`np.r_['0,2', a]`)."""
    what = ".".join(reversed([p.attr for p in walk(path) if isinstance(p, gast.Attribute)]))
    root = next(n.id for n in name_nodes(path))
    hint = "build the array with np.concatenate, np.stack, np.column_stack or np.arange instead"
    if what in ("r_", "c_"):
        return (f"s2s differentiates `{root}.{what}[...]` with a string directive ('r', 'c', '0,2', ...) "
                "only where no item carries a derivative", hint)
    return f"s2s has no derivative rule for indexing `{root}.{what}` with values that carry a derivative", hint
