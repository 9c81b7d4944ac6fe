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
    sum(map(f, xs, ys))               ->   sum([f(_1, _2) for _1, _2 in zip(xs, ys)])
    for v in map(f, xs): ...          ->   for _1 in xs: v = f(_1); ...   (as lazy as Python's map)
    s2s.grad(inner)(x)                ->   grad_inner(x): made now, called as a user function

A map bound to a name is expanded where the name is read (once, in the loop
it was made in). A user function is inlined (as a helper) where it receives
a function, or uses a function default (`inlining`); its free names must
mean here what they mean in its module. A function value that s2s cannot follow is refused with its
location: one stored in a container, returned, passed to a function that is
not read, bound to a name that is assigned twice (a function chosen at run
time), recursion through a function argument. A function s2s cannot see (a
parameter of the differentiated function, an element of a list) is left as
a call; `differentiable` refuses it when a derivative flows through it.
"""
from __future__ import annotations

import builtins
import collections
import dataclasses
import functools
import inspect
import sysconfig

import gast

from s2s import rules
from s2s.errors import UnsupportedError

from .callees import Callees, public_name, resolve
from .inlining import Frozen, Helper, Inlining, Made, Partial, Path, _function, _is_maker, is_distribution
from .nodes import assign, at as assign_at, child_fields, clone, const, name, name_nodes, param_names, stored_names
from .nodes import walk

_MISSING = resolve((), "")   # what an unbound name resolves to


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
    scope = _Scope(ctx, func, info, {}, fn.body + [h for h in helpers.values()], param_names(fn))
    ctx.homes = {h: scope for h in helpers}
    guards = scope.function_defaults(fn)
    fn.body = guards + scope.block(fn.body)
    for h in list(helpers.values()):
        if not getattr(h, "s2s_done", False):
            h.body = scope.block(h.body)
    fn.s2s_temps = ctx.temps
    return fn, ctx.lookups


class _Scope(Inlining):
    """One function's body being rewritten: the differentiated one, or one inlined into it."""

    def __init__(self, ctx, func, info, env, nodes, own_locals=(), parent=None):
        self.ctx, self.func, self.info, self.env, self.parent = ctx, func, info, env, parent
        tree = gast.Module(body=list(nodes), type_ignores=[])
        names = name_nodes(tree)   # (one walk: a function may be long)
        self.binds = collections.Counter(n.id for n in names if isinstance(n.ctx, (gast.Store, gast.Param)))
        self.locals = set(self.binds) | set(own_locals)
        self.loops = _enclosing_loops(tree)
        self.callees = Callees(func, self.locals, info)
        ctx.lookups.append(self.callees)
        self.pending: list = []
        self.comprehensions = 0
        self.created: list = []   # helpers made here (they read this scope's variables)
        self.loads = collections.Counter(n.id for n in names if isinstance(n.ctx, gast.Load))
        self.maps: dict = {}      # name bound to `map(f, ...)` -> (name f is bound to, iterables kept, loops)
        self.unresolved: dict = {}  # local name called before any function was bound to it -> the call

    def chain(self):
        scope = self
        while scope is not None:
            yield scope
            scope = scope.parent

    def fail(self, node, message, hint=None):
        raise UnsupportedError(message, self.info.location(node), hint)

    def function_defaults(self, fn):
        """A parameter of the differentiated function whose default is a function that it calls:
        that function is the one called, and the derivative checks that it is given no other."""
        try:
            signature = inspect.signature(self.func).parameters
        except (TypeError, ValueError):
            return []
        a = fn.args
        params = a.posonlyargs + a.args
        defaults = dict(zip([p.id for p in params[len(params) - len(a.defaults):]], a.defaults))
        defaults.update({p.id: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
        written = {id(d): (a.defaults, k) for k, d in enumerate(a.defaults)}
        written.update({id(d): (a.kw_defaults, k) for k, d in enumerate(a.kw_defaults) if d is not None})
        guards = []
        for p, node in defaults.items():
            if not self.loads[p] or self.binds[p] > 1 or p not in signature:
                continue
            value = self.value_of(node) if isinstance(node, (gast.Name, gast.Attribute)) else None
            default = signature[p].default
            if (value is None or _function(value) and value.obj is not default) and self.ctx.bind is not None \
                    and callable(default) and not isinstance(default, type) and self.loads[p]:
                # `def f(a, _r=reduction)` in a loop: the name now holds another function than the default
                # (or none), which the derivative names (its own default too)
                where, k = written[id(node)]
                node = where[k] = name(self.ctx.bind(default, f"default_{p.strip('_')}"))
                value = Path(node, default)
            if not _function(value) or value.obj is not default:
                continue
            self.env[p] = value
            text = _dotted(node) if node is defaults[p] else public_name(default) or default.__name__
            message = (f"this derivative of `{self.func.__name__}` calls {text} for `{p}`, its default: s2s "
                       "resolves functions when it makes a derivative; differentiate a function that passes "
                       f"the other `{p}`")
            test = gast.Compare(left=name(p), ops=[gast.IsNot()], comparators=[clone(node)])
            error = gast.Call(func=name("TypeError"), args=[gast.Constant(value=message, kind=None)], keywords=[])
            guards.append(assign_at(gast.If(test=test, body=[assign_at(gast.Raise(exc=error, cause=None), node)],
                                            orelse=[]), node))
        return guards

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
                return self.bind_map(target, s)
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Tuple) \
                and all(isinstance(t, gast.Name) for t in s.targets[0].elts):
            values = self.value_of(s.value)
            if isinstance(values, tuple) and len(values) == len(s.targets[0].elts):  # f, g = make_funs(a)
                for t, value in zip(s.targets[0].elts, values):
                    if self.binds[t.id] > 1:
                        self.fail(t, f"`{t.id}` is bound to a function here and assigned elsewhere too")
                    self.env[t.id] = value
                return []
        if isinstance(s, (gast.If, gast.While)):
            s.test = self.expr(s.test)
            s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            return [s]
        if isinstance(s, gast.For):
            parts = self.map_parts(s.iter, s)
            if parts is not None:  # for v in map(f, xs): f is called in the body, as Python's lazy map does
                key, iterables = parts
                variables = [self.ctx.temp() for _ in iterables]
                element = gast.Call(func=name(key), args=[name(v) for v in variables], keywords=[])
                s.body = [assign(s.target, element, s)] + s.body
                s.target = _targets(variables)
                s.iter = iterables[0] if len(iterables) == 1 else gast.Call(func=name("zip"), args=iterables,
                                                                             keywords=[])
            elif any(self.is_map(n) for n in walk(s.iter)):
                self.fail(s.iter, "map inside what a for loop iterates over is not supported: s2s makes it a "
                                  "list, and Python would call its function as the loop runs",
                          "loop over the iterables and call the function in the loop's body")
            s.iter = self.expr(s.iter)
            s.body, s.orelse = self.block(s.body), self.block(s.orelse)
            return [s]
        return [_Exprs(self).visit(s)]

    def snapshot(self, value):
        """A partial (or a frozen distribution) bound to a name keeps the values its arguments had
        where it was made."""
        if not isinstance(value, (Partial, Frozen)):
            return value
        args = [self.keep(a) for a in value.args]
        keywords = [gast.keyword(arg=k.arg, value=self.keep(k.value)) for k in value.keywords]
        if isinstance(value, Frozen):
            return Frozen(value.dist, args, keywords)
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
            if isinstance(obj, functools.partial) and self.ctx.bind is not None:
                return self.partial_object(node, obj)
            if obj is not _MISSING and callable(obj):
                return Path(node, obj)
            return None
        if isinstance(node, gast.Call):
            if not hasattr(node, "s2s_value"):  # evaluated once: it may inline a factory or make a derivative
                node.s2s_value = self.call_value(node)
            return node.s2s_value
        return None

    def partial_object(self, node, p):
        """A `functools.partial` made outside the differentiated code (a global, a cell, the unflatten of
        `s2s.flatten`): its function and arguments named in the generated code, as if made here."""
        base = _dotted(node).replace(".", "_")
        func = Path(name(self.ctx.bind(p.func, getattr(p.func, "__name__", base + "_func"))), p.func)

        def value(v, hint):
            return const(v) if type(v) in (int, float, str, bool, type(None)) else name(self.ctx.bind(v, hint))
        return Partial(func, [value(a, f"{base}_arg{k}") for k, a in enumerate(p.args)],
                       [gast.keyword(arg=k, value=value(v, f"{base}_{k}")) for k, v in p.keywords.items()])

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
            if is_distribution(func.obj):   # norm(m, s): frozen
                return Frozen(func, [self.expr(a) for a in node.args],
                              [gast.keyword(arg=k.arg, value=self.expr(k.value)) for k in node.keywords])
            if self.is_user(func.obj) and self.factory(func.obj) is not None:
                return self.inline_factory(func.obj, node)
        return None

    def bind_map(self, target, s):
        """`m = map(f, xs)`: expanded where `m` is read (once, in the same loop), with f and the
        iterables as they are here."""
        if self.loads[target] > 1 or self.binds[target] > 1:
            self.fail(s.targets[0], f"`{target}` is an iterator made by map and is read more than once or bound "
                                    "again; s2s makes map a list", "write list(map(...))")
        self.map_arguments(s.value)
        key = f"<map:{id(s)}>"
        self.env[key] = self.snapshot(self.value_of(s.value.args[0]))
        iterables = [a if isinstance(a, gast.Name) and self.binds[a.id] == 1 else self.keep(a)  # the object it is
                     for a in s.value.args[1:]]
        self.maps[target] = (key, iterables, self.loops.get(id(s), ()))
        return []

    def map_arguments(self, call):
        if call.keywords or len(call.args) < 2:
            self.fail(call, "this use of map is not supported", "write map(f, xs) or map(f, xs, ys)")
        if self.value_of(call.args[0]) is None:
            self.fail(call.args[0], "s2s cannot tell which function this map applies when it generates code",
                      "pass a function defined with def, a lambda, or a NumPy function")
        if len(call.args) > 2 and self.callees.lookup(name("zip")) is not builtins.zip:
            self.fail(call, "map over several iterables is written with `zip`, which is not the builtin here",
                      "rename your `zip`")

    def map_parts(self, node, at):
        """(name its function is bound to, iterables) if `node` is `map(...)` or a name bound to one."""
        if isinstance(node, gast.Name) and node.id in self.maps:
            key, iterables, loops = self.maps.pop(node.id)
            if loops != self.loops.get(id(at), ()):
                self.fail(node, f"`{node.id}` is an iterator made by map and read in another loop than where it "
                                "was made; s2s makes map a list", "write list(map(...))")
            return key, iterables
        if self.is_map(node):
            self.map_arguments(node)
            key = f"<map:{id(node)}>"
            self.env[key] = self.snapshot(self.value_of(node.args[0]))
            return key, node.args[1:]
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
        if isinstance(func, gast.Attribute) and isinstance(func.value, (gast.Name, gast.Call)) \
                and isinstance(self.value_of(func.value), Frozen):   # rv.logpdf(x): norm.logpdf(x, m, s)
            frozen = self.value_of(func.value)
            if any(isinstance(a, gast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
                self.fail(node, "`*` or `**` in a call to a method of a frozen distribution is not supported")
            given = [self.expr(a) for a in node.args]
            first, rest = (given[:1], given[1:]) if func.attr in Frozen.X_METHODS else ([], given)
            method = gast.Attribute(value=clone(frozen.dist.expr), attr=func.attr, ctx=gast.Load())
            call = gast.Call(func=method, args=first + list(frozen.args) + rest,
                             keywords=list(frozen.keywords) + [gast.keyword(arg=k.arg, value=self.expr(k.value))
                                                               for k in node.keywords])
            call.lineno, call.col_offset = node.lineno, node.col_offset
            method.lineno, method.col_offset = node.lineno, node.col_offset
            return call
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
        if isinstance(value, Made):   # a lifted local function's derivative: its free variables passed on
            keywords = keywords + [gast.keyword(arg=v, value=name(v)) for v in value.free]
        call = gast.Call(func=self.callee_expr(value, func), args=args, keywords=keywords)
        call.lineno, call.col_offset = node.lineno, node.col_offset
        if isinstance(value, Path) and value.obj is builtins.map:
            return self.map_comprehension(call)
        if isinstance(value, Path) and value.obj is builtins.sorted and self.local_key(call) is not None:
            return self.sorted_by_pairs(call)
        if isinstance(value, Helper) or isinstance(value, Path) and self.is_user(value.obj):
            inlined = self.specialise(value, call)
            if inlined is not None:
                return inlined
        return self.arguments(call)

    def callee_expr(self, value, at):
        if isinstance(value, Path):
            return clone(value.expr)
        node = name(value.name)
        if hasattr(at, "lineno"):   # (a lifted lambda's name, made here, has no place of its own)
            node.lineno, node.col_offset = at.lineno, at.col_offset
        return node

    def arguments(self, call):
        call.args = [self.expr(a) for a in call.args]
        for k in call.keywords:
            k.value = self.expr(k.value)
        return call

    def map_comprehension(self, call):
        """`map(f, xs, ys)` -> `[f(_1, _2) for _1, _2 in zip(xs, ys)]`."""
        self.map_arguments(call)
        f, *iterables = call.args
        variables = [self.ctx.temp() for _ in iterables]
        inner = gast.Call(func=f, args=[name(v) for v in variables], keywords=[])
        inner.lineno, inner.col_offset = call.lineno, call.col_offset
        element = self.call(inner)
        target = _targets(variables)
        if len(variables) == 1:
            source = self.expr(iterables[0])
        else:
            source = gast.Call(func=name("zip"), args=[self.expr(i) for i in iterables], keywords=[])
        comp = gast.ListComp(elt=element, generators=[gast.comprehension(target=target, iter=source, ifs=[],
                                                                              is_async=0)])
        comp.lineno, comp.col_offset = call.lineno, call.col_offset
        comp.s2s_done = True
        return comp

    def local_key(self, call):
        """The `key=` of `sorted(xs, key=f)` if `f` is a local function or a partial, else None."""
        key = next((k.value for k in call.keywords if k.arg == "key"), None)
        return key if len(call.args) == 1 and isinstance(self.value_of(key), (Helper, Partial)) else None

    def sorted_by_pairs(self, call):
        """`sorted(xs, key=f)` -> `[_2[1] for _2 in sorted([(f(_1), _1) for _1 in xs], key=first)]`: f is
        called where it is inlined; the pairs are sorted by their first entry (the order Python's sort
        gives xs, both being stable)."""
        v, p = self.ctx.temp(), self.ctx.temp()
        inner = gast.Call(func=self.local_key(call), args=[name(v)], keywords=[])
        inner.lineno, inner.col_offset = call.lineno, call.col_offset
        pair = gast.Tuple(elts=[self.call(inner), name(v)], ctx=gast.Load())
        pairs = gast.ListComp(elt=pair, generators=[gast.comprehension(
            target=name(v, store=True), iter=self.expr(call.args[0]), ifs=[], is_async=0)])
        keywords = [gast.keyword(arg="key", value=name(self.ctx.namer.helper("first")))] + [
            gast.keyword(arg=k.arg, value=self.expr(k.value)) for k in call.keywords if k.arg != "key"]
        ordered = gast.Call(func=call.func, args=[pairs], keywords=keywords)
        second = gast.Subscript(value=name(p), slice=gast.Constant(value=1, kind=None), ctx=gast.Load())
        comp = gast.ListComp(elt=second, generators=[gast.comprehension(
            target=name(p, store=True), iter=ordered, ifs=[], is_async=0)])
        for node in (inner, pairs, ordered, comp):
            node.lineno, node.col_offset = call.lineno, call.col_offset
        pairs.s2s_done = comp.s2s_done = True
        return comp

    # ---- names used as values -----------------------------------------------------------
    def name_value(self, node):
        """A name read as a value (not called): a known function here is refused, or put in place."""
        value = self.env.get(node.id)
        if isinstance(value, Path):
            return clone(value.expr)
        if isinstance(value, Frozen):
            self.fail(node, f"the frozen distribution `{node.id}` is used as a value here; s2s follows one where "
                            "its methods are called (`rv.logpdf(x)`)", "call its method here, or pass its parameters")
        if value is not None or node.id in self.ctx.helpers:
            what = f"the local function `{node.id}`" if not node.id.startswith("<lambda") else "this lambda"
            self.fail(node, f"{what} is used as a value here; s2s follows a function only where it is called, "
                            "passed to a function whose source it reads, partially applied, or mapped",
                      "call it here, or define it at module level")
        if node.id in self.maps:  # m = map(f, xs) read here: the list, made here
            key, iterables = self.map_parts(node, node)
            call = gast.Call(func=name("map"), args=[name(key)] + iterables, keywords=[])
            call.lineno, call.col_offset = node.lineno, node.col_offset
            return self.map_comprehension(call)
        return node


class _Exprs:
    """The expressions of one statement, rewritten by a scope (nested blocks are the scope's):
    what a `gast.NodeTransformer` with `visit_Call`, `visit_Name` and `visit_ListComp` did, top
    down, without its method lookup by name and its look into every field of every node (most of
    this pass's time on a long function)."""

    def __init__(self, scope):
        self.scope = scope

    def visit(self, node):
        kind = type(node)
        if kind is gast.Call:
            return self.scope.call(node)
        if kind is gast.Name:
            return self.scope.name_value(node) if isinstance(node.ctx, gast.Load) else node
        if kind in (gast.ListComp, gast.GeneratorExp):
            if getattr(node, "s2s_done", False):
                return node
            self.scope.comprehensions += 1
            self.generic_visit(node)
            self.scope.comprehensions -= 1
            return node
        self.generic_visit(node)
        return node

    def generic_visit(self, node):
        """As `ast.NodeTransformer.generic_visit`, over the fields that may hold nodes (the others
        hold contexts and operators, which it leaves as they are)."""
        for field in child_fields(type(node)):
            value = getattr(node, field, None)
            if isinstance(value, list):
                new = []
                for item in value:
                    if isinstance(item, gast.AST):
                        item = self.visit(item)
                        if item is None:
                            continue
                        if not isinstance(item, gast.AST):
                            new.extend(item)
                            continue
                    new.append(item)
                value[:] = new
            elif isinstance(value, gast.AST):
                new = self.visit(value)
                if new is None:
                    delattr(node, field)
                else:
                    setattr(node, field, new)
        return node


def _dotted(node):
    return node.id if isinstance(node, gast.Name) else f"{_dotted(node.value)}.{node.attr}"


def _targets(variables):
    if len(variables) == 1:
        return name(variables[0], store=True)
    return gast.Tuple(elts=[name(v, store=True) for v in variables], ctx=gast.Store())


def _enclosing_loops(tree) -> dict:
    """{id(node): the ids of the loops and comprehensions around it}, for the nodes inside one (the
    others have none: `.get(id(node), ())`)."""
    out = {}

    def inside(node, loops):
        out[id(node)] = loops
        inner = loops + (id(node),) if isinstance(node, _LOOPS) else loops
        for child in gast.iter_child_nodes(node):
            inside(child, inner)
    for node in walk(tree):   # outermost loops first (breadth first); each records what it holds
        if isinstance(node, _LOOPS) and id(node) not in out:
            for child in gast.iter_child_nodes(node):
                inside(child, (id(node),))
    return out


_LOOPS = (gast.For, gast.While, gast.ListComp, gast.GeneratorExp)


_LIBRARIES = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib")})
