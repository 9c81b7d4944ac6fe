"""Function values: calls through names and arguments whose function is known at generation time.

Before: a fenced ``FunctionDef`` after `local_functions` (its local functions
and lifted lambdas are helpers, by name). After: every call calls a function
named by a path of the module (``np.sin``, ``pw``), a helper (which normal
form inlines), or a derivative s2s made (bound in the generated code's
namespace); no name holds a function that the code calls through any more::

    f = functools.partial(pw, a)      ->   _1 = a
    y = f(x)                               y = pw(_1, x)
    act = np.tanh; z = act(y)         ->   z = np.tanh(y)
    h = make(3.0); h(x)               ->   make's body, its names made fresh; h(x) calls its local function
    apply(np.sin, x)                  ->   <apply:1>(x): `apply` with `np.sin` put for its parameter
    map(f, xs, ys)                    ->   [f(_1, _2) for _1, _2 in zip(xs, ys)]
    s2s.grad(inner)(x)                ->   grad_inner(x): made now, called as a user function

A user function is inlined (as a helper) where it receives a function, or
uses a function default; its free names must mean here what they mean in its
module. A function value that s2s cannot follow is refused with its
location: one stored in a container, returned, passed to a function that is
not read, bound to a name that is assigned twice (a function chosen at run
time), recursion through a function argument. A function s2s cannot see (a
parameter of the differentiated function, an element of a list) is left as
a call; `differentiable` refuses it when a derivative flows through it.
"""
from __future__ import annotations

import ast
import builtins
import collections
import copy
import dataclasses
import functools
import inspect
import sysconfig

import gast

from s2s import rules
from s2s.errors import UnsupportedError

from .callees import Callees, resolve
from .fence import fence
from .local_functions import local_functions
from .nodes import assign, name, param_names, stored_names
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
class Made:
    name: str         # bound in the generated code's namespace to `obj`
    obj: object


@dataclasses.dataclass
class Context:
    """What one run of the pass over a function shares with the functions it inlines."""
    func: object
    info: object
    namer: object
    helpers: dict
    parse: object     # user function -> (FunctionDef, SourceInfo), fresh each time
    bind: object      # (made function, hint) -> the name generated code calls it by; None: refuse
    top_locals: set = dataclasses.field(default_factory=set)
    lookups: list = dataclasses.field(default_factory=list)   # Callees whose bindings the derivative holds under
    stack: list = dataclasses.field(default_factory=list)     # user functions being inlined
    homes: dict = dataclasses.field(default_factory=dict)     # helper -> the scope its body reads
    temps: int = 0
    count: int = 0

    def temp(self) -> str:
        self.temps += 1
        return self.namer.temp(self.temps)

    def helper_name(self, base) -> str:
        self.count += 1
        return f"<{base}:{self.count}>"


def function_values(fn, info, func, namer, helpers, parse, bind=None):
    """Resolve the function values of `fn` (the function `func`); `helpers` grows by the
    functions inlined. Returns `fn` and the Callees whose bindings the result depends on."""
    ctx = Context(func, info, namer, helpers, parse, bind)
    ctx.top_locals = set(param_names(fn)) | stored_names(fn)
    scope = _Scope(ctx, func, info, {}, fn.body + [h for h in helpers.values()])
    ctx.homes = {h: scope for h in helpers}
    fn.body = scope.block(fn.body)
    for h in list(helpers.values()):
        if not getattr(h, "s2s_done", False):
            h.body = scope.block(h.body)
    fn.s2s_temps = ctx.temps
    return fn, ctx.lookups


class _Scope:
    """One function's body being rewritten: the differentiated one, or one inlined into it."""

    def __init__(self, ctx, func, info, env, nodes, own_locals=(), parent=None):
        self.ctx, self.func, self.info, self.env, self.parent = ctx, func, info, env, parent
        tree = gast.Module(body=list(nodes), type_ignores=[])
        self.locals = stored_names(tree) | set(own_locals)
        self.binds = collections.Counter(n.id for n in gast.walk(tree) if isinstance(n, gast.Name)
                                         and isinstance(n.ctx, (gast.Store, gast.Param)))
        self.loops = _enclosing_loops(tree)
        self.callees = Callees(func, self.locals, info)
        ctx.lookups.append(self.callees)
        self.pending: list = []
        self.comprehensions = 0
        self.created: list = []   # helpers made here (they read this scope's variables)
        self.lazy: dict = {}      # name bound to `map(...)` -> the loops around that assignment
        self.unresolved: dict = {}  # local name called before any function was bound to it -> the call

    def chain(self):
        scope = self
        while scope is not None:
            yield scope
            scope = scope.parent

    def fail(self, node, message, hint=None):
        raise UnsupportedError(message, self.info.location(node), hint)

    # ---- statements ---------------------------------------------------------------------
    def block(self, stmts):
        saved, out = self.pending, []
        for s in stmts:
            self.pending = []
            kept = self.stmt(s)
            out += self.pending + kept
        self.pending = saved
        return out

    def stmt(self, s):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            target = s.targets[0].id
            value = self.value_of(s.value)
            if _function(value):
                if self.binds[target] > 1:
                    self.fail(s.targets[0], f"`{target}` is bound to a function here and assigned elsewhere too: "
                                            "s2s resolves the function a call refers to when it generates code, "
                                            "so it cannot follow a function chosen at run time",
                              "give each function its own name, or call the functions under an if")
                if target in self.unresolved:
                    self.fail(self.unresolved[target], f"`{target}` is called here before the function it is "
                                                       "bound to below: s2s resolves functions in the order of the "
                                                       "source", f"bind `{target}` before this call")
                self.env[target] = self.snapshot(value)
                return []
            if self.is_map(s.value):
                self.lazy[target] = self.loops.get(id(s))
        if isinstance(s, (gast.If, gast.While)):
            s.test = self.expr(s.test)
            s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            return [s]
        if isinstance(s, gast.For):
            s.iter = self.expr(s.iter)
            s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            return [s]
        return [_Exprs(self).visit(s)]

    def snapshot(self, value):
        """A partial bound to a name keeps the values its arguments had where it was made."""
        if not isinstance(value, Partial):
            return value
        args = [self.keep(a) for a in value.args]
        keywords = [gast.keyword(arg=k.arg, value=self.keep(k.value)) for k in value.keywords]
        return Partial(self.snapshot(value.func), args, keywords)

    def keep(self, node):
        if isinstance(node, gast.Constant):
            return node
        t = self.ctx.temp()
        self.pending.append(assign(t, self.expr(node), node))
        return name(t)

    # ---- values -------------------------------------------------------------------------
    def value_of(self, node):
        """The function `node` evaluates to, if it is one s2s knows now; else None."""
        if isinstance(node, gast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if node.id in self.ctx.helpers:
                return Helper(node.id)
        if isinstance(node, (gast.Name, gast.Attribute)):
            obj = self.callees.lookup(node)
            if obj is not _MISSING and callable(obj):
                return Path(node, obj)
            return None
        if isinstance(node, gast.Call):
            if not hasattr(node, "s2s_value"):  # evaluated once: it may inline a factory or make a derivative
                node.s2s_value = self.call_value(node)
            return node.s2s_value
        return None

    def call_value(self, node):
        if isinstance(node.func, (gast.Name, gast.Attribute)):
            func = self.value_of(node.func)
            if not isinstance(func, Path):
                return None
            if func.obj is functools.partial:
                if not node.args:
                    self.fail(node, "functools.partial without a function")
                inner = self.value_of(node.args[0])
                if inner is None:
                    self.fail(node.args[0], "s2s cannot tell which function this partial wraps when it generates "
                                            "code", "pass a function defined with def, a lambda or a NumPy function")
                return Partial(inner, [self.expr(a) for a in node.args[1:]],
                               [gast.keyword(arg=k.arg, value=self.expr(k.value)) for k in node.keywords])
            if _is_maker(func.obj):
                return self.made(func, node)
            if self.is_user(func.obj) and self.factory(func.obj) is not None:
                return self.inline_factory(func.obj, node)
        return None

    def is_map(self, node):
        if not isinstance(node, gast.Call):
            return False
        func = self.value_of(node.func) if isinstance(node.func, (gast.Name, gast.Attribute)) else None
        return isinstance(func, Path) and func.obj is builtins.map

    def is_user(self, obj) -> bool:
        """A Python function whose source s2s reads (not a library's, not one with a rule)."""
        if not inspect.isfunction(obj) or self.callees._rule(rules._BY_FUNCTION, obj) is not None:
            return False
        try:
            path = inspect.getsourcefile(obj) or ""
        except TypeError:
            return False
        return not path.startswith(_LIBRARIES)

    def expr(self, node):
        return _Exprs(self).visit(node)

    # ---- calls --------------------------------------------------------------------------
    def call(self, node):
        func = node.func
        value = self.value_of(func) if isinstance(func, (gast.Name, gast.Attribute, gast.Call)) else None
        if value is None:
            if isinstance(func, gast.Name) and func.id in self.locals:
                self.unresolved.setdefault(func.id, func)
            if not isinstance(func, gast.Name):
                node.func = self.expr(func)
            return self.arguments(node)
        args, keywords = list(node.args), list(node.keywords)
        while isinstance(value, Partial):  # partial(partial(f, a), b)(x) is f(a, b, x)
            given = {k.arg for k in keywords}
            args = list(value.args) + args
            keywords = [k for k in value.keywords if k.arg not in given] + keywords
            value = value.func
        call = gast.Call(func=self.callee_expr(value, func), args=args, keywords=keywords)
        call.lineno, call.col_offset = node.lineno, node.col_offset
        if isinstance(value, Path) and value.obj is builtins.map:
            return self.map_comprehension(call)
        if isinstance(value, Helper) or isinstance(value, Path) and self.is_user(value.obj):
            inlined = self.specialise(value, call)
            if inlined is not None:
                return inlined
        return self.arguments(call)

    def callee_expr(self, value, at):
        if isinstance(value, Path):
            return copy.deepcopy(value.expr)
        node = name(value.name)
        node.lineno, node.col_offset = at.lineno, at.col_offset
        return node

    def arguments(self, call):
        call.args = [self.expr(a) for a in call.args]
        for k in call.keywords:
            k.value = self.expr(k.value)
        return call

    def map_comprehension(self, call):
        """`map(f, xs, ys)` -> `[f(_1, _2) for _1, _2 in zip(xs, ys)]`."""
        if call.keywords or len(call.args) < 2:
            self.fail(call, "this use of map is not supported", "write map(f, xs) or map(f, xs, ys)")
        f, *iterables = call.args
        value = self.value_of(f)
        if value is None:
            self.fail(f, "s2s cannot tell which function this map applies when it generates code",
                      "pass a function defined with def, a lambda, or a NumPy function")
        if len(iterables) > 1 and self.callees.lookup(name("zip")) is not builtins.zip:
            self.fail(call, "map over several iterables is written with `zip`, which is not the builtin here",
                      "rename your `zip`")
        variables = [self.ctx.temp() for _ in iterables]
        inner = gast.Call(func=f, args=[name(v) for v in variables], keywords=[])
        inner.lineno, inner.col_offset = call.lineno, call.col_offset
        element = self.call(inner)
        if len(variables) == 1:
            target, source = name(variables[0], store=True), self.expr(iterables[0])
        else:
            target = gast.Tuple(elts=[name(v, store=True) for v in variables], ctx=gast.Store())
            source = gast.Call(func=name("zip"), args=[self.expr(i) for i in iterables], keywords=[])
        comp = gast.ListComp(elt=element, generators=[gast.comprehension(target=target, iter=source, ifs=[],
                                                                              is_async=0)])
        comp.lineno, comp.col_offset = call.lineno, call.col_offset
        comp.s2s_done = True
        return comp

    # ---- inlining user functions --------------------------------------------------------
    def read(self, func, node):
        """(FunctionDef, its helpers, SourceInfo for its nodes) of the user function `func`,
        its lines those of `node` when it comes from another file."""
        fn, info = self.ctx.parse(func)
        fence(fn, info)
        fn, helpers = local_functions(fn, info, self.ctx.namer)
        if info.filename != self.ctx.info.filename or info.lines != self.ctx.info.lines:
            for tree in [fn] + list(helpers.values()):
                for n in gast.walk(tree):
                    if hasattr(n, "lineno"):
                        n.lineno, n.col_offset = node.lineno, node.col_offset
            info = self.ctx.info
        return fn, helpers, info

    def factory(self, func):
        """The helper a user function returns (`return lambda t: ...`, `return s` of a local def),
        if that is what it does, else None."""
        try:
            fn, helpers = local_functions(*self.ctx.parse(func), self.ctx.namer)[0:2]
        except Exception:  # noqa: BLE001 -- not a factory s2s can read: the call is what it was
            return None
        last = fn.body[-1] if fn.body else None
        returns = [n for n in gast.walk(fn) if isinstance(n, gast.Return)]
        if isinstance(last, gast.Return) and returns == [last] and isinstance(last.value, gast.Name) \
                and last.value.id in helpers:
            return last.value.id
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
        """Refuse an inlined function whose free names mean something else in the differentiated one."""
        theirs = Callees(func, own)
        self.ctx.lookups.append(theirs)
        top = self.ctx.lookups[0]
        for tree in trees:
            mine = own | stored_names(tree)
            for n in gast.walk(tree):
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id not in mine \
                        and n.id not in self.ctx.helpers:
                    if n.id in self.ctx.top_locals or any(n.id in s.locals for s in self.chain()) \
                            or theirs.lookup(n) is not top.lookup(n):
                        self.fail(call, f"s2s inlines `{func.__name__}` here (it is given a function), but "
                                        f"`{n.id}` in it means something else in `{self.ctx.func.__name__}`",
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
        scope = _Scope(self.ctx, func, info, values, fn.body + [helpers[h] for h in helpers], param_names(fn), self)
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
        fn.s2s_done = True
        key = self.ctx.helper_name(func.__name__)
        self.ctx.helpers[key] = fn
        self.created.append(key)
        out = gast.Call(func=name(key), args=[], keywords=[gast.keyword(arg=p, value=self.expr(a))
                                                            for p, a in given.items()])
        out.lineno, out.col_offset = call.lineno, call.col_offset
        return out

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
        scope = _Scope(self.ctx, home.func, home.info, {**home.env, **values}, fn.body, param_names(fn), home)
        self.ctx.stack.append(value.name)
        fn.body = scope.block(fn.body)
        self.ctx.stack.pop()
        fn.s2s_nested = scope.created
        fn.s2s_done = True
        key = self.ctx.helper_name(fn.name)
        self.ctx.helpers[key] = fn
        self.ctx.homes[key] = home
        home.created.append(key)
        out = gast.Call(func=name(key), args=[], keywords=[gast.keyword(arg=p, value=self.expr(a))
                                                            for p, a in given.items()])
        out.lineno, out.col_offset = call.lineno, call.col_offset
        return out

    def binds_in(self, fn, p):
        return any(isinstance(n, gast.Name) and n.id == p and isinstance(n.ctx, gast.Store) for n in gast.walk(fn))

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
        scope = _Scope(self.ctx, func, info, values, stmts + [self.ctx.helpers[fresh[h]] for h in helpers],
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
        return Helper(fresh[ret.value.id])

    def made(self, maker, call):
        """`s2s.grad(inner, ...)` in differentiated code: made now; calls to it call what it made."""
        if self.ctx.bind is None:
            self.fail(call, f"`{maker.obj.__name__}` is not supported here")
        if not call.args:
            self.fail(call, f"`{maker.obj.__name__}` needs the function to differentiate")
        target = self.value_of(call.args[0])
        if not isinstance(target, (Path, Made)) or not inspect.isfunction(getattr(target, "obj", None)):
            self.fail(call.args[0], f"s2s differentiates a function named at module level inside differentiated "
                                    f"code, not this one", "define the function with def at module level")
        try:
            args = [_literal(a) for a in call.args[1:]]
            keywords = {k.arg: _literal(k.value) for k in call.keywords}
        except ValueError:
            self.fail(call, f"the options of `{maker.obj.__name__}` inside differentiated code must be constants")
        made = maker.obj(target.obj, *args, **keywords)
        made = getattr(made, "__s2s_function__", made)
        return Made(self.ctx.bind(made, made.__name__), made)

    # ---- names used as values -----------------------------------------------------------
    def name_value(self, node):
        """A name read as a value (not called): a known function here is refused, or put in place."""
        value = self.env.get(node.id)
        if isinstance(value, Path):
            return copy.deepcopy(value.expr)
        if value is not None or node.id in self.ctx.helpers:
            what = f"the local function `{node.id}`" if not node.id.startswith("<lambda") else "this lambda"
            self.fail(node, f"{what} is used as a value here; s2s follows a function only where it is called, "
                            "passed to a function whose source it reads, partially applied, or mapped",
                      "call it here, or define it at module level")
        if node.id in self.lazy and self.lazy[node.id] != self.loops.get(id(node)):
            self.fail(node, f"`{node.id}` is an iterator made by map and read in another loop than where it was "
                            "made; s2s makes map a list", "write list(map(...))")
        return node


class _Exprs(gast.NodeTransformer):
    """The expressions of one statement, rewritten by a scope (nested blocks are the scope's)."""

    def __init__(self, scope):
        self.scope = scope

    def visit_Call(self, node):
        return self.scope.call(node)

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load):
            return self.scope.name_value(node)
        return node

    def visit_ListComp(self, node):
        if getattr(node, "s2s_done", False):
            return node
        self.scope.comprehensions += 1
        self.generic_visit(node)
        self.scope.comprehensions -= 1
        return node

    visit_GeneratorExp = visit_ListComp


class _Rename(gast.NodeTransformer):
    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if node.id in self.mapping:
            node.id = self.mapping[node.id]
        return node


def _function(value) -> bool:
    """Is `value` a function (not None, not a class such as `float` passed as a dtype)?"""
    return value is not None and not (isinstance(value, Path) and (isinstance(value.obj, type)
                                                                   or not callable(value.obj)))


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


def _enclosing_loops(tree) -> dict:
    """{id(node): the ids of the loops and comprehensions around it}."""
    out = {}

    def walk(node, loops):
        out[id(node)] = loops
        inner = loops + (id(node),) if isinstance(node, (gast.For, gast.While, gast.ListComp, gast.GeneratorExp)) \
            else loops
        for child in gast.iter_child_nodes(node):
            walk(child, inner)
    walk(tree, ())
    return out


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
    return any(obj is getattr(api, n) for n in ("grad", "value_and_grad", "vjp", "jvp"))


_LIBRARIES = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib")})
