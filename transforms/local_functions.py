"""Local functions: nested ``def``s and lambdas assigned to a name, taken out to be inlined.

Before: a fenced ``FunctionDef`` whose body may define helpers::

    def f(x):
        scale = 3.0
        sq = lambda t: t * t
        def cube(t, k=1.0):
            return k * t * sq(t)
        return cube(x) + scale * sq(x)

After: the body without those definitions, and ``{name: FunctionDef}`` of the
helpers, each already given one exit by `structure` (a lambda is a function
whose body is ``return <expression>``). Normal form inlines every call to a
helper: the arguments are bound to fresh names, the helper's body follows
with its own names made fresh, and its returned value stands for the call.
A helper reads the enclosing function's variables at the time of the call,
as a closure does.

What is accepted: definitions at the top level of the body, each name
defined once and only ever called (not passed on or stored), positional and
keyword parameters with constant defaults (``-1``, ``2 * np.pi``, ``(1, None)``: a default
is evaluated where the function is called, which gives Python's value only if it reads no variable of
the enclosing function), and no recursion. Anything else
is rejected with a hint.
"""
from __future__ import annotations

import gast

from s2s.errors import UnsupportedError

from .structure import structure


def local_functions(fn: gast.FunctionDef, info, namer):
    """Return `fn` without its local function definitions, and those definitions."""
    def fail(node, message, hint):
        raise UnsupportedError(message, info.location(node), hint)

    found: dict = {}
    body = []
    for s in fn.body:
        helper = _definition(s)
        if helper is None:
            body.append(s)
            continue
        if helper.name in found:
            fail(s, f"`{helper.name}` is defined twice", "give each local function its own name")
        _check_signature(helper, fail, _local_names(fn))
        found[helper.name] = helper
    allowed = {id(_definition(s)) for s in fn.body if _definition(s) is not None}
    for node in gast.walk(gast.Module(body=fn.body, type_ignores=[])):
        if isinstance(node, gast.Lambda) and not any(id(h.s2s_lambda) == id(node) for h in found.values()
                                                     if getattr(h, "s2s_lambda", None) is not None):
            fail(node, "a lambda is supported only when assigned to a name at the top of the function "
                       "(`sq = lambda t: t * t`)", "assign it to a name, or define it with def")
        if isinstance(node, gast.FunctionDef) and id(node) not in allowed:
            fail(node, "a nested `def` is supported only at the top level of the function's body",
                 "move the definition out of the if or loop (define it once, before its first use)")
    if not found:
        return fn, {}
    calls = {id(c.func) for c in gast.walk(gast.Module(body=body, type_ignores=[])) if isinstance(c, gast.Call)}
    for helper in found.values():
        calls |= {id(c.func) for c in gast.walk(helper) if isinstance(c, gast.Call)}
    for node in gast.walk(gast.Module(body=body + list(found.values()), type_ignores=[])):
        if isinstance(node, gast.Name) and node.id in found:
            if isinstance(node.ctx, gast.Store):
                fail(node, f"`{node.id}` names a local function and is assigned again",
                     "use another name for the variable")
            if isinstance(node.ctx, gast.Load) and id(node) not in calls:
                fail(node, f"the local function `{node.id}` is used as a value; s2s inlines local functions "
                           "where they are called", "call it directly, or define it at module level")
    _check_not_recursive(found, fail)
    fn.body = body
    return fn, {n: structure(h, namer) for n, h in found.items()}


def _definition(s):
    """The local function `s` defines (a nested def, or `name = lambda ...`), else None."""
    if isinstance(s, gast.FunctionDef):
        return s
    if (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
            and isinstance(s.value, gast.Lambda)):
        lam = s.value
        helper = gast.FunctionDef(name=s.targets[0].id, args=lam.args,
                                  body=[gast.Return(value=lam.body)], decorator_list=[], returns=None,
                                  type_comment=None, type_params=[])
        for node in (helper, helper.body[0]):
            node.lineno, node.col_offset = s.lineno, s.col_offset
        helper.s2s_lambda = lam
        return helper
    return None


def _local_names(fn) -> set:
    names = {n.id for n in gast.walk(fn) if isinstance(n, gast.Name) and isinstance(n.ctx, (gast.Store, gast.Param))}
    return names | {s.name for s in fn.body if isinstance(s, gast.FunctionDef)}


def _check_signature(helper, fail, local_names):
    args = helper.args
    if getattr(helper, "decorator_list", None):
        fail(helper, f"the local function `{helper.name}` has a decorator", "remove it, or define it at module level")
    if args.vararg or args.kwarg:
        fail(helper, f"the local function `{helper.name}` takes *args or **kwargs", "give every parameter a name")
    for default in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
        if not _constant(default, local_names):
            fail(default, f"a default of the local function `{helper.name}` is not a constant"
                          + _reads(default, local_names),
                 "pass the value as an argument")


def _constant(node, local_names) -> bool:
    """Is `node` a constant expression (`-0.5`, `+2`, `1 / 3`, `(1, None)`, `2 * np.pi`), whose value
    does not depend on when the default is evaluated? A module's attribute or a global name is one:
    the function cannot assign a global (`fence` refuses `global`)."""
    if isinstance(node, gast.Constant):
        return True
    if isinstance(node, gast.UnaryOp):
        return _constant(node.operand, local_names)
    if isinstance(node, gast.BinOp):
        return _constant(node.left, local_names) and _constant(node.right, local_names)
    if isinstance(node, gast.Tuple):
        return all(_constant(e, local_names) for e in node.elts)
    if isinstance(node, (gast.Compare, gast.BoolOp)):
        parts = [node.left] + node.comparators if isinstance(node, gast.Compare) else node.values
        return all(_constant(e, local_names) for e in parts)
    if isinstance(node, gast.Attribute):
        return _constant(node.value, local_names)
    if isinstance(node, gast.Name):
        return node.id not in local_names
    return False


def _reads(node, local_names) -> str:
    read = sorted({n.id for n in gast.walk(node) if isinstance(n, gast.Name) and n.id in local_names})
    if not read:
        return ""
    return (f": it reads `{read[0]}` of the enclosing function, which Python reads when the function is "
            "defined, and s2s where it is called")


def _check_not_recursive(found, fail):
    calls = {n: {c.func.id for c in gast.walk(h) if isinstance(c, gast.Call) and isinstance(c.func, gast.Name)
                 and c.func.id in found} for n, h in found.items()}

    def reaches(start, target, seen=()):
        return any(c == target or (c not in seen and reaches(c, target, seen + (c,))) for c in calls[start])

    for n, h in found.items():
        if reaches(n, n):
            fail(h, f"the local function `{n}` calls itself (directly or through another local function)",
                 "define it at module level: s2s differentiates recursive module-level functions")
