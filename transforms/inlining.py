"""Inlining a user function that is given a function, or that makes one (see `function_values`).

`Inlining` is the part of a `function_values` scope that reads other user
functions: `specialise` makes a helper of a function (or of a local `def`) given
a function, with that function put in place of its parameter, for normal form to
inline; `inline_factory` puts a factory's body in place of its call, its names
made fresh, and gives the local function it returns; `made` makes the
derivative of `s2s.grad(inner)` now. The free names of what is inlined must
mean in the differentiated function what they mean in their own module, and
must not be variables of the functions it is inlined into.
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import inspect
import weakref

import gast

from .callees import Callees, resolve
from .fence import fence
from .lifting import LiftError, lift
from .local_functions import local_functions
from .nodes import assign, name, param_names, stored_names, walk
from .structure import structure

_MISSING = resolve((), "")   # what an unbound name resolves to


@dataclasses.dataclass
class Path:
    expr: object      # a name or attribute path that evaluates to `obj` in the differentiated function
    obj: object


@dataclasses.dataclass
class Helper:
    name: str         # a local function (see `local_functions`), inlined where called


@dataclasses.dataclass
class Partial:
    func: object      # the value it wraps
    args: list        # atoms, evaluated where the partial was made
    keywords: list


@dataclasses.dataclass
class Frozen:
    """`norm(m, s)`: a SciPy distribution with its parameters fixed; `rv.logpdf(x)` is
    `norm.logpdf(x, m, s)`."""
    dist: Path        # the distribution (`scipy.stats.norm`)
    args: list        # atoms, evaluated where it was frozen
    keywords: list

    X_METHODS = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf", "pmf", "logpmf")


def is_distribution(obj) -> bool:
    """Is `obj` a SciPy distribution that freezes when called (`scipy.stats.norm`)?"""
    return (not isinstance(obj, type) and type(obj).__module__.startswith("scipy.stats")
            and callable(obj) and (hasattr(obj, "logpdf") or hasattr(obj, "logpmf")))


@dataclasses.dataclass
class Made:
    name: str         # bound in the generated code's namespace to `obj`
    obj: object
    free: list = dataclasses.field(default_factory=list)   # passed by keyword to a lifted local function



_NOT_FACTORIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # function -> its code, read: not a factory


class Inlining:
    def read(self, func, node):
        """(FunctionDef, its helpers, SourceInfo for its nodes) of the user function `func`,
        its lines those of `node` when it comes from another file."""
        fn, info = self.ctx.parse(func)
        fence(fn, info)
        fn, helpers = local_functions(fn, info, self.ctx.namer)
        if info.filename != self.ctx.info.filename or info.lines != self.ctx.info.lines:
            for tree in [fn] + list(helpers.values()):
                for n in walk(tree):
                    if hasattr(n, "lineno"):
                        n.lineno, n.col_offset = node.lineno, node.col_offset
            info = self.ctx.info
        return fn, helpers, info

    def factory(self, func):
        """The helper a user function returns (`return lambda t: ...`, `return s` of a local def),
        or the tuple of helpers (`return predict, loss`), if that is what it does, else None.
        A function found not to be one is not read again while its code is the same (a runtime
        helper called at every line of a gradient differentiated again)."""
        if _NOT_FACTORIES.get(func) is func.__code__:
            return None
        try:
            fn, helpers = local_functions(*self.ctx.parse(func), self.ctx.namer)[0:2]
        except Exception:  # noqa: BLE001 -- not a factory s2s can read: the call is what it was
            return None
        last = fn.body[-1] if fn.body else None
        returns = [n for n in walk(fn) if isinstance(n, gast.Return)]
        names = [] if not isinstance(last, gast.Return) or returns != [last] else \
            last.value.elts if isinstance(last.value, gast.Tuple) else [last.value]
        if names and all(isinstance(n, gast.Name) and n.id in helpers for n in names):
            return [n.id for n in names]
        _NOT_FACTORIES[func] = func.__code__
        return None

    def bind_parameters(self, func, fn, call):
        """{parameter: argument or default node} of a call, and {parameter: function value}."""
        try:
            bound = inspect.signature(func).bind(*call.args, **{k.arg: k.value for k in call.keywords}).arguments
        except TypeError as exc:
            self.fail(call, f"cannot match this call to `{func.__name__}`: {exc}")
        a = fn.args
        params = a.posonlyargs + a.args
        defaults = dict(zip([p.id for p in params[len(params) - len(a.defaults):]], a.defaults))
        defaults.update({p.id: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
        signature = inspect.signature(func).parameters
        given, values = {}, {}
        for p in param_names(fn):
            if p in bound:
                value = self.value_of(bound[p])
                if not _function(value):
                    given[p] = bound[p]
                else:
                    values[p] = value
                continue
            default = signature[p].default
            if _function(Path(None, default)):
                if not isinstance(defaults[p], (gast.Name, gast.Attribute)):
                    self.fail(call, f"the default of `{p}` in `{func.__name__}` is a function s2s cannot name here",
                              f"pass `{p}` explicitly")
                values[p] = Path(defaults[p], default)
            elif not _constant(defaults[p]):
                self.fail(call, f"`{func.__name__}` is inlined here (it receives a function), and the default of "
                                f"`{p}` is not a constant", f"pass `{p}` explicitly")
            else:
                given[p] = copy.deepcopy(defaults[p])
        return given, values

    def check_free_names(self, func, trees, own, call):
        """Refuse an inlined function whose free names mean something else in the differentiated one.
        A function or module of its own module that the differentiated function does not name
        (`onp` for `import numpy as onp` there) is bound under that name in the generated code's
        namespace; a value (a float, an array) is read when the code runs, and is refused."""
        theirs = Callees(func, own)
        self.ctx.lookups.append(theirs)
        top = self.ctx.lookups[0]
        for tree in trees:
            mine = own | stored_names(tree)
            for n in walk(tree):
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id not in mine \
                        and n.id not in self.ctx.helpers:
                    local = n.id in self.ctx.top_locals or any(n.id in s.locals for s in self.chain())
                    found, here = theirs.lookup(n), top.lookup(n)
                    if not local and found is here:
                        continue
                    if not local and here is _MISSING and found is not _MISSING and self.ctx.bind is not None \
                            and (inspect.ismodule(found) or callable(found)) \
                            and self.ctx.bind(found, n.id, exact=True) == n.id:
                        continue
                    self.fail(call, f"s2s inlines `{func.__name__}` here, but `{n.id}` in it means something "
                                    f"else in `{self.ctx.func.__name__}`",
                              f"rename `{n.id}`, or define `{func.__name__}` in the same module")

    def specialise(self, value, call):
        """A call to a function that is given a function (or uses a function default): a helper
        with the function put in place of its parameter; None if nothing is a function."""
        if isinstance(value, Helper):
            return self.specialise_helper(value, call)
        func = value.obj
        if not any(_function(self.value_of(a)) for a in list(call.args) + [k.value for k in call.keywords]) \
                and not any(_function(Path(None, p.default)) for p in inspect.signature(func).parameters.values()):
            return None
        if func in self.ctx.stack:
            self.fail(call, f"`{func.__name__}` calls itself through a function argument; s2s inlines a function "
                            "that is given a function, and cannot inline a recursion",
                      "pass the function's result instead, or write the recursion as a loop")
        fn, helpers, info = self.read(func, call)
        given, values = self.bind_parameters(func, fn, call)
        own = set(param_names(fn)) | stored_names(gast.Module(body=fn.body, type_ignores=[])) | set(helpers)
        self.check_free_names(func, [gast.Module(body=fn.body, type_ignores=[])] + list(helpers.values())
                              + [v.expr for v in values.values() if isinstance(v, Path)
                                 and v.expr in fn.args.defaults + fn.args.kw_defaults], own, call)
        renamed = {h: self.ctx.helper_name(f"{func.__name__}.{h}") for h in helpers}
        for tree in [fn] + list(helpers.values()):
            _Rename(renamed).visit(tree)
        for old, new in renamed.items():
            self.ctx.helpers[new] = helpers[old]
        for p, v in values.items():
            if self.binds_in(fn, p):
                self.fail(call, f"`{func.__name__}` assigns to its parameter `{p}`, which holds a function")
        _drop_parameters(fn, set(values))
        scope = type(self)(self.ctx, func, info, values, fn.body + [helpers[h] for h in helpers], param_names(fn), self)
        scope.created += renamed.values()
        self.ctx.homes.update({new: scope for new in renamed.values()})
        self.ctx.stack.append(func)
        fn.body = scope.block(fn.body)
        for new in renamed.values():
            self.ctx.helpers[new].body = scope.block(self.ctx.helpers[new].body)
            self.ctx.helpers[new].s2s_done = True
        self.ctx.stack.pop()
        fn = structure(fn, self.ctx.namer)
        fn.s2s_nested = scope.created  # helpers made later in its scope (a specialised copy) join
        return self.called_helper(fn, func.__name__, self, given, call)

    def specialise_helper(self, value, call):
        """A local function given a function: a copy with the function put in place of its parameter."""
        arguments = list(call.args) + [k.value for k in call.keywords]
        if not any(_function(self.value_of(a)) for a in arguments):
            return None
        if value.name in self.ctx.stack:
            self.fail(call, f"the local function `{value.name}` calls itself through a function argument")
        fn = copy.deepcopy(self.ctx.helpers[value.name])
        params = param_names(fn)
        if len(call.args) > len(fn.args.posonlyargs + fn.args.args) or any(k.arg not in params for k in call.keywords):
            self.fail(call, f"this call does not match the parameters of `{fn.name}`")
        bound = dict(zip(params, call.args)) | {k.arg: k.value for k in call.keywords}
        values = {p: self.value_of(a) for p, a in bound.items() if _function(self.value_of(a))}
        given = {p: a for p, a in bound.items() if p not in values}
        for p in values:
            if self.binds_in(fn, p):
                self.fail(call, f"`{fn.name}` assigns to its parameter `{p}`, which holds a function")
        _drop_parameters(fn, set(values))
        home = self.ctx.homes.get(value.name, self)
        scope = type(self)(self.ctx, home.func, home.info, {**home.env, **values}, fn.body, param_names(fn), home)
        self.ctx.stack.append(value.name)
        fn.body = scope.block(fn.body)
        self.ctx.stack.pop()
        fn.s2s_nested = scope.created
        return self.called_helper(fn, fn.name, home, given, call, reads_home=True)

    def called_helper(self, fn, base, home, given, call, reads_home=False):
        """`fn`, done, as a new helper of `home`'s scope (whose names its body reads, if `reads_home`),
        and the call of it that passes `given` by keyword."""
        fn.s2s_done = True
        key = self.ctx.helper_name(base)
        self.ctx.helpers[key] = fn
        if reads_home:
            self.ctx.homes[key] = home
        home.created.append(key)
        out = gast.Call(func=name(key), args=[], keywords=[gast.keyword(arg=p, value=self.expr(a))
                                                            for p, a in given.items()])
        out.lineno, out.col_offset = call.lineno, call.col_offset
        return out

    def binds_in(self, fn, p):
        return any(isinstance(n, gast.Name) and n.id == p and isinstance(n.ctx, gast.Store) for n in walk(fn))

    def inline_factory(self, func, call):
        """`make(a)` where the user function `make` returns a local function: make's body here,
        its names made fresh; the value is its local function, which reads those names."""
        if self.comprehensions:
            self.fail(call, f"calling the factory `{func.__name__}` inside a comprehension is not supported",
                      "call it before the comprehension")
        if func in self.ctx.stack:
            self.fail(call, f"`{func.__name__}` calls itself to make a function; s2s cannot inline a recursion")
        fn, helpers, info = self.read(func, call)
        given, values = self.bind_parameters(func, fn, call)
        body = gast.Module(body=fn.body, type_ignores=[])
        own = set(param_names(fn)) | stored_names(body) | set(helpers)
        self.check_free_names(func, [body] + list(helpers.values()), own, call)
        fresh = {v: self.ctx.temp() for v in sorted(own - set(helpers) - set(values))}
        fresh.update({h: self.ctx.helper_name(f"{func.__name__}.{h}") for h in helpers})
        for p, a in given.items():
            self.pending.append(assign(fresh[p], self.expr(a), call))
        *stmts, ret = fn.body
        stmts = [_Rename(fresh).visit(s) for s in stmts]
        for h, helper in helpers.items():
            self.ctx.helpers[fresh[h]] = _Rename(fresh).visit(helper)
        scope = type(self)(self.ctx, func, info, values, stmts + [self.ctx.helpers[fresh[h]] for h in helpers],
                       fresh.values(), self)
        scope.created = self.created   # what it makes reads names of this scope
        self.ctx.homes.update({fresh[h]: scope for h in helpers})
        self.ctx.stack.append(func)
        self.pending += scope.block(stmts)
        for h in helpers:
            self.ctx.helpers[fresh[h]].body = scope.block(self.ctx.helpers[fresh[h]].body)
            self.ctx.helpers[fresh[h]].s2s_done = True
        self.ctx.stack.pop()
        self.created += [fresh[h] for h in helpers]
        if isinstance(ret.value, gast.Tuple):  # several local functions: unpacked where it is called
            return tuple(Helper(fresh[n.id]) for n in ret.value.elts)
        return Helper(fresh[ret.value.id])

    def made(self, maker, call):
        """`s2s.grad(inner, ...)` in differentiated code: made now; calls to it call what it made."""
        if self.ctx.bind is None:
            self.fail(call, f"`{maker.obj.__name__}` is not supported here")
        if not call.args:
            self.fail(call, f"`{maker.obj.__name__}` needs the function to differentiate")
        target = self.value_of(call.args[0])
        free = []
        if isinstance(target, Helper):   # a local function: made a function of its own, its free names parameters
            try:
                lifted, free = lift(self.ctx.helpers[target.name], self.func, self.ctx.parse, self.locals,
                                    self.ctx.helpers)
            except LiftError as exc:
                self.fail(call.args[0], exc.args[1], exc.args[2])
            target = Path(call.args[0], lifted)
        if not isinstance(target, (Path, Made)) or not inspect.isfunction(getattr(target, "obj", None)):
            self.fail(call.args[0], "s2s differentiates a function named at module level inside differentiated "
                                    "code, not this one", "define the function with def at module level")
        try:
            args = [_literal(a) for a in call.args[1:]]
            keywords = {k.arg: _literal(k.value) for k in call.keywords}
        except ValueError:
            self.fail(call, f"the options of `{maker.obj.__name__}` inside differentiated code must be constants")
        made = maker.obj(target.obj, *args, **keywords)
        made = getattr(made, "__s2s_function__", made)
        return Made(self.ctx.bind(made, made.__name__), made, free)



class _Rename(gast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if node.id in self.mapping:
            node.id = self.mapping[node.id]
        return node

def _function(value) -> bool:
    """Is `value` a function (not None, not a class such as `float` passed as a dtype)?"""
    return value is not None and not isinstance(value, tuple) and not (
        isinstance(value, Path) and (isinstance(value.obj, type) or not callable(value.obj)))


def _drop_parameters(fn, names):
    a = fn.args
    params = a.posonlyargs + a.args
    defaults = [None] * (len(params) - len(a.defaults)) + list(a.defaults)
    kept = [(p, d) for p, d in zip(params, defaults) if p.id not in names]
    a.posonlyargs = []
    a.args = [p for p, _ in kept]
    first = next((i for i, (_, d) in enumerate(kept) if d is not None), len(kept))
    a.defaults = [d for _, d in kept[first:]]
    if any(d is None for d in a.defaults):  # a parameter without default after one with: pass them by name
        a.kwonlyargs, a.kw_defaults = a.args + a.kwonlyargs, [d for _, d in kept] + a.kw_defaults
        a.args, a.defaults = [], []
    kw = [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if p.id not in names]
    a.kwonlyargs, a.kw_defaults = [p for p, _ in kw], [d for _, d in kw]


def _constant(node) -> bool:
    try:
        _literal(node)
        return True
    except ValueError:
        return False


def _literal(node):
    try:
        return ast.literal_eval(gast.gast_to_ast(gast.Expression(body=copy.deepcopy(node))).body)
    except (ValueError, TypeError, SyntaxError):
        raise ValueError("not a constant") from None


def _is_maker(obj) -> bool:
    from s2s import api  # the public API imports the driver, which imports this pass
    return any(obj is getattr(api, n)
               for n in ("grad", "value_and_grad", "vjp", "jvp", "hvp", "jacobian", "elementwise_grad"))
