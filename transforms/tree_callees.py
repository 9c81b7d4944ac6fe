"""Tree callees: a function of the user's given the tree of parameters is inlined, for
`unroll_trees` to unroll its loops too.

autograd's models pass their list of layers on, as ``neural_net_predict(params, inputs)`` and
``l2_norm(params)`` in its examples, and the loops over the layers are in those functions. In
code for known shapes of the list, such a call is replaced by the callee's body: its parameters
are assigned the call's arguments (one it never assigns, given a name, reads that name: the
list's is the caller's own), its other names are renamed where the caller uses them, and its
returned value is assigned to ``<callee>_out``, which the call's place reads::

    log_lik = np.sum(neural_net_predict(params, inputs) * targets)

    ->  inputs_1 = inputs
        for W, b in params:
            outputs = np.dot(inputs_1, W) + b
            inputs_1 = np.tanh(outputs)
        neural_net_predict_out = outputs - logsumexp(outputs, axis=1, keepdims=True)
        log_lik = np.sum(neural_net_predict_out * targets)

Only where that is the same computation: the callee is a plain function of the caller's module
(the same globals, so its global names mean what they meant; none of them a name of the
caller's), called with an argument for each parameter, by position or keyword, or leaving it to
a default that is a number, a string, None or a tuple of them (`_bound`: a parameter given such a
literal and never assigned reads it, ``axis=-1``), its one ``return`` its last statement, no local function or lambda in it, and the list's parameter never assigned
in it; the call is not inside a conditional expression, a boolean operator, a comprehension or a
lambda (where it might not run), so the body runs where the call did. It may come after another
call of its statement only where neither can see what the other does: the calls before it change
nothing (a NumPy function without ``out=``, not of ``np.random``; `len`, `range`, ...) and the
callee's body writes nothing in place and calls only such functions, as ``l2(params)`` in
``np.mean((predict(params, X) - y) ** 2) + 0.01 * l2(params)``. Callees it calls with the list
are inlined in turn, a few levels deep.

`inline_helpers` does the same for any call of such a function in the entry of code for known
shapes (a softmax, a layer), so that the helper's code has known shapes too, where it can: a call
it cannot inline stays a call (nothing fails), and so does one of a function that writes into
what it is given or calls a method that would (``x *= k``, ``x[i] = v``, ``xs.append(v)``): s2s
gives such a function copies of its arguments, which its inlined body would not have.
"""
from __future__ import annotations

import copy
import inspect
import math

import gast

from .nodes import assign, name, rewrite, walk
from .versions import versions

_DEPTH = 4   # levels of callees inlined
_BUDGET = 400   # statements `inline_helpers` may add to a function (each call's copy of its callee)
# methods that change their array, list, dict or set in place (`z.max()`, `e.sum()` do not)
_IN_PLACE_METHODS = frozenset({"sort", "fill", "put", "resize", "itemset", "setfield", "partition", "byteswap",
                               "setflags", "append", "extend", "insert", "pop", "remove", "clear", "reverse",
                               "update", "setdefault", "popitem", "add", "discard", "__setitem__", "__delitem__"})
_CONDITIONAL = (gast.IfExp, gast.BoolOp, gast.Lambda, gast.ListComp, gast.GeneratorExp, gast.SetComp,
                gast.DictComp)


def inline_helpers(fn, resolve, parse, taken: set, harmless=lambda call: False, writes=lambda call: True):
    """`fn` with the calls of the user's functions that can be inlined as above inlined (in place),
    whatever their arguments, a few levels deep; the others stay calls. For code for known shapes,
    where the helpers' code (a softmax, a layer) then has known shapes too."""
    local = _local_names(fn)
    cache, budget = {}, [_BUDGET]
    for _ in range(_DEPTH):
        found = _Inliner(None, lambda n: None if n in local else resolve(n), parse, taken, local, cache, harmless,
                         writes, budget)
        fn.body = found.statements(fn.body)
        if not found.changed:
            break
    if budget[0] < _BUDGET:   # (something was inlined: its names assigned again take new ones, as in
        fn.body = versions(fn.body, taken, {a.id for a in fn.args.args + fn.args.kwonlyargs})   # unroll_trees)
    return fn


def inline_tree_callees(fn, trees, resolve, parse, taken: set, harmless=lambda call: False,
                        writes=lambda call: True):
    """`fn` with the calls that pass a parameter of `trees` on inlined (in place), or None if a
    call could not be. `resolve(name)`: the object a global or builtin name of `fn`'s reads;
    `parse(function)`: its fenced gast `FunctionDef`, or None; `taken`: the names in use (grows);
    `harmless(call)`: does the call change nothing (and depend on nothing but its arguments)?
    `writes(call)`: may it write into an argument in place (``np.copyto(a, b)``, ``out=a``)?"""
    local = _local_names(fn)
    cache = {}   # function -> its parsed tree, or None
    for _ in range(_DEPTH):
        found = _Inliner(trees, lambda n: None if n in local else resolve(n), parse, taken, local, cache, harmless,
                         writes)
        fn.body = found.statements(fn.body)
        if found.failed:
            return None
        if not found.changed:
            return fn
    return None


def _local_names(fn) -> set:
    """The names `fn` binds: parameters, assigned names, and the names of the functions and classes
    it defines and of the modules it imports (a local `def log(v)` is not the module's `log`)."""
    a = fn.args
    names = {p.id for p in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if p is not None}
    for n in walk(fn):
        if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load):
            names.add(n.id)
        elif isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef, gast.ClassDef)) and n is not fn:
            names.add(n.name)
        elif isinstance(n, (gast.Import, gast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in n.names)
    return names


class _Inliner:
    def __init__(self, trees, resolve, parse, taken, local, cache, harmless, writes, budget=None):
        self.trees, self.resolve, self.parse, self.taken, self.local = trees, resolve, parse, taken, local
        self.cache, self.harmless, self.writes = cache, harmless, writes
        self.budget = budget   # [statements left]: inline what can be, leave the other calls (trees: None)
        self.skipped: set = set()   # ids of the calls left as they are
        self.changed = self.failed = False

    def statements(self, body):
        out = []
        for s in body:
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    setattr(s, field, self.statements(getattr(s, field)))
            while True:
                call = self.call_in(s)
                if call is None:
                    break
                inlined = self.inlined(call)
                if inlined is not None and self.budget is not None:
                    size = sum(1 for st in inlined[0] for n in walk(st) if isinstance(n, gast.stmt))
                    inlined = inlined if size <= self.budget[0] else None
                    self.budget[0] -= size if inlined is not None else 0
                if inlined is None and self.budget is not None:
                    self.skipped.add(id(call))   # (it stays a call)
                    continue
                if inlined is None:
                    self.failed = True
                    return body
                before, result = inlined
                out.extend(before)
                _replace(s, call, result)
                self.changed = True
            out.append(s)
        return out

    def call_in(self, s):
        """The first call in `s` (outside its nested statements) to inline: one that passes a tree on
        (or, for `inline_helpers`, any that can be)."""
        called_before = [False, False]   # a call evaluated before it; one that may change something

        def visit(node, conditional):
            if isinstance(node, gast.stmt) and node is not s:
                return None
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and id(node) not in self.skipped \
                    and (self.trees is None or any(isinstance(a, gast.Name) and a.id in self.trees
                                                   for a in node.args + [k.value for k in node.keywords])) \
                    and self.parsed(self.resolve(node.func.id)) is not None:
                # (after another call: the body, run first, could change what that call sees, or see
                # what it changes)
                blocked = conditional or called_before[0] and (called_before[1] or not self.writes_nothing(node))
                if self.trees is not None:   # a tree's callee: inlined, or the list stays general
                    self.failed = blocked
                    return None if blocked else node
                if not blocked and self.writes_nothing(node, calls_harmless=False):
                    return node   # (any other is inlined where it can be, else stays a call; one that writes
                self.skipped.add(id(node))   # into what it is given keeps the copies s2s makes for a call)
            for child in gast.iter_child_nodes(node):   # (in the order Python evaluates them)
                if isinstance(child, gast.stmt):
                    continue   # (a loop's or branch's own statements: their own turn)
                # (a while loop's test runs at every trip)
                found = visit(child, conditional or isinstance(node, _CONDITIONAL + (gast.While,)))
                if found is not None or self.failed:
                    return found
                calls = [n for n in walk(child) if isinstance(n, gast.Call)]
                called_before[0] = called_before[0] or bool(calls)
                called_before[1] = called_before[1] or not all(self.harmless(c) for c in calls)
            return None
        return visit(s, False)

    def inlined(self, call):
        """(the statements that compute `call`, the name of its value), or None."""
        callee = self.resolve(call.func.id)
        fn = self.parsed(callee)
        bound = _bound(callee, call)
        if bound is None or fn.decorator_list:
            return None
        body = fn.body[1:] if fn.body and isinstance(fn.body[0], gast.Expr) \
            and isinstance(fn.body[0].value, gast.Constant) and isinstance(fn.body[0].value.value, str) else fn.body
        returns = [n for n in walk(fn) if isinstance(n, gast.Return)]
        if not body or returns != [body[-1]] or body[-1].value is None or any(
                isinstance(n, (gast.FunctionDef, gast.Lambda, gast.Yield, gast.YieldFrom, gast.Global, gast.Nonlocal))
                for n in walk(fn) if n is not fn):
            return None   # (a generator, or names of another scope)
        stored = {n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
        local = {p for p, _ in bound} | stored
        free = {n.id for n in walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)} - local
        if free & self.local:
            return None   # a global of the callee's that the caller has a variable of
        self.taken |= free   # (no new name may be one the callee reads from its module: `s_1`, `helper_out`)
        renamed, constants = {}, {}
        for p, a in bound:
            if isinstance(a, gast.Name) and self.trees is not None and a.id in self.trees and p in stored:
                return None   # (the caller's list assigned)
            if isinstance(a, gast.Name) and p not in stored:
                renamed[p] = a.id   # read, never assigned: the caller's own name (no copy `x_1 = x`)
            elif _literal(a) and p not in stored:
                constants[p] = a    # read, never assigned: the number itself (`axis=-1`)
        for n in sorted(local - set(renamed) - set(constants)):
            renamed[n] = self.fresh(n)
        before = [assign(name(renamed[p], store=True), a, origin=call) for p, a in bound
                  if p not in constants and (p not in renamed or renamed[p] != getattr(a, "id", None))]
        result = self.fresh(f"{call.func.id}_out")
        statements = [copy.deepcopy(s) for s in body]
        for k, s in enumerate(statements):
            if constants:   # (first: a parameter renamed to the caller's name may be one of them, `h(mu)`)
                s = statements[k] = rewrite(s, {gast.Name: lambda n: copy.deepcopy(constants[n.id])
                                                if n.id in constants else n})
            for n in walk(s):
                if isinstance(n, gast.Name) and n.id in renamed:
                    n.id = renamed[n.id]
        last = statements.pop()
        statements.append(gast.copy_location(assign(name(result, store=True), last.value, origin=last), last))
        return before + statements, result

    def writes_nothing(self, call, calls_harmless=True) -> bool:
        """Does the callee of `call` write nothing in place (nor call a method of its names), and,
        with `calls_harmless`, call only harmless functions?"""
        fn = self.parsed(self.resolve(call.func.id))
        stored = {a.id for a in fn.args.args} | {n.id for n in walk(fn) if isinstance(n, gast.Name)
                                                 and isinstance(n.ctx, gast.Store)}
        for n in walk(fn):
            if isinstance(n, (gast.Subscript, gast.Attribute)) and isinstance(n.ctx, (gast.Store, gast.Del)) \
                    or isinstance(n, (gast.Global, gast.Nonlocal, gast.AugAssign)):   # (`x *= 2.0`: x's array)
                return False
            if isinstance(n, gast.Call) and _root(n.func) in stored and (
                    calls_harmless or not isinstance(n.func, gast.Attribute) or n.func.attr in _IN_PLACE_METHODS):
                return False   # (a local's method or function: anything)
            if isinstance(n, gast.Call) and (self.writes(n) or calls_harmless and not self.harmless(n)):
                return False
        return True

    def parsed(self, callee):
        """The gast of a function of the user's to inline (a copy: one per call), or None."""
        if not inspect.isfunction(callee):
            return None
        if callee not in self.cache:
            self.cache[callee] = self.parse(callee)
        return copy.deepcopy(self.cache[callee])

    def fresh(self, base):
        candidate, k = base, 0
        while candidate in self.taken:
            k += 1
            candidate = f"{base}_{k}"
        self.taken.add(candidate)
        self.local.add(candidate)
        return candidate


def _bound(callee, call):
    """The callee's parameters and what `call` gives each (its argument, or its default), in the
    order Python evaluates them; None where the call is not that simple: ``*args`` or ``**kwargs``
    on either side, or a default that is not a number, string, None or a tuple of them (its value
    is written in: one computed when the function was defined, an array, stays a call)."""
    if any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    try:
        signature = inspect.signature(callee)
        given = signature.bind(*call.args, **{k.arg: k.value for k in call.keywords}).arguments
    except (TypeError, ValueError):
        return None   # (as Python would refuse it)
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()):
        return None
    param = {id(node): p for p, node in given.items()}
    bound = [(param[id(node)], node) for node in call.args + [k.value for k in call.keywords]]
    for p, parameter in signature.parameters.items():
        if p not in given:
            if not _plain_value(parameter.default):
                return None
            bound.append((p, _constant_node(parameter.default)))
    return bound


def _plain_value(value) -> bool:
    if type(value) is float:
        return math.isfinite(value)   # (`inf` is no literal)
    return type(value) in (int, bool, str, type(None)) or type(value) is tuple and all(map(_plain_value, value))


def _constant_node(value):
    if type(value) is tuple:
        return gast.Tuple(elts=[_constant_node(v) for v in value], ctx=gast.Load())
    if type(value) in (int, float) and value < 0:   # (as the source writes it)
        return gast.UnaryOp(op=gast.USub(), operand=gast.Constant(value=-value, kind=None))
    return gast.Constant(value=value, kind=None)


def _literal(node) -> bool:
    """Is `node` a number, string, None, or a tuple of them, as source writes them (`-1`)?"""
    if isinstance(node, gast.Constant):
        return True
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return isinstance(node.operand, gast.Constant) and type(node.operand.value) in (int, float)
    return isinstance(node, gast.Tuple) and all(map(_literal, node.elts))


def _root(func):
    """The name a call's function is read from (``np`` of ``np.linalg.norm``), else None."""
    while isinstance(func, gast.Attribute):
        func = func.value
    return func.id if isinstance(func, gast.Name) else None


def _replace(s, call, result):
    for node in walk(s):
        for field, value in gast.iter_fields(node):
            if value is call:
                setattr(node, field, name(result))
                return
            if isinstance(value, list) and any(v is call for v in value):
                setattr(node, field, [name(result) if v is call else v for v in value])
                return
