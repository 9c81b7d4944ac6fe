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

A lambda written elsewhere (an argument, `return lambda t: ...`) is lifted
into a helper of its own, named ``<lambda:LINE:COL>`` (not an identifier, so
it never meets a user name), and the lambda replaced by that name; what a
helper's name may then be used for (called, passed to a function, bound to
a name) is `function_values`' business.

What is accepted: definitions at the top level of the body, each name
defined once, positional and keyword parameters with constant defaults, ``*args`` and ``**kwargs``
(a tuple and a dict display where the call is inlined) (``-1``, ``2 * np.pi``,
``(1, None)``: a default is evaluated where the function is called, which gives Python's value
only if it reads no variable of the enclosing function), and
no recursion. Lambdas inside a comprehension or inside a local function are
not lifted. Anything else is rejected with a hint.
"""
from __future__ import annotations

import gast

from s2s.errors import UnsupportedError

from .nodes import name_nodes, walk
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
    inner = body + [s for h in found.values() for s in h.body]
    lambdas = False
    for node in walk(gast.Module(body=inner, type_ignores=[])):
        if isinstance(node, gast.FunctionDef):
            fail(node, "a nested `def` is supported only at the top level of the function's body",
                 "move the definition out of the if or loop (define it once, before its first use)")
        lambdas = lambdas or isinstance(node, gast.Lambda)
    lifted = _Lift(fail)
    if lambdas:   # (else lifting changes nothing: it was most of this pass on a long function)
        body = [lifted.visit(s) for s in body]
    for helper in found.values():
        if any(isinstance(n, gast.Lambda) for n in walk(gast.Module(body=helper.body, type_ignores=[]))):
            lam = next(n for n in walk(gast.Module(body=helper.body, type_ignores=[])) if isinstance(n, gast.Lambda))
            fail(lam, f"a lambda inside the local function `{helper.name}` is not supported",
                 "define it with def at the top of the function, or at module level")
    for helper in lifted.helpers:
        _check_signature(helper, fail, _local_names(fn))
        found[helper.name] = helper
    if not found:
        return fn, {}
    for node in name_nodes(gast.Module(body=body + list(found.values()), type_ignores=[])):
        if node.id in found and isinstance(node.ctx, gast.Store):
            fail(node, f"`{node.id}` names a local function and is assigned again", "use another name for the variable")
    _check_not_recursive(found, fail)
    fn.body = body
    return fn, {n: structure(h, namer) for n, h in found.items()}


def _definition(s):
    """The local function `s` defines (a nested def, or `name = lambda ...`), else None."""
    if isinstance(s, gast.FunctionDef):
        return s
    if (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
            and isinstance(s.value, gast.Lambda)):
        return _lambda_helper(s.targets[0].id, s.value, s)
    return None


def _lambda_helper(name, lam, origin):
    helper = gast.FunctionDef(name=name, args=lam.args, body=[gast.Return(value=lam.body)], decorator_list=[],
                              returns=None, type_comment=None, type_params=[])
    for node in (helper, helper.body[0]):
        node.lineno, node.col_offset = origin.lineno, origin.col_offset
    helper.s2s_lambda = lam
    return helper


def lambda_name(lam) -> str:
    """The name a lifted lambda's helper gets: `<lambda:7:12>` (its line and column)."""
    return f"<lambda:{lam.lineno}:{lam.col_offset + 1}>"


class _Lift(gast.NodeTransformer):
    """Replace each lambda (outside comprehensions) by the name of a helper made of it."""

    def __init__(self, fail):
        self.fail, self.helpers = fail, []

    def visit_Lambda(self, node):
        self.generic_visit(node)
        if any(isinstance(n, gast.Lambda) for n in walk(node.body)):
            self.fail(node, "a lambda inside a lambda is not supported", "define the outer one with def")
        helper = _lambda_helper(lambda_name(node), node, node)
        self.helpers.append(helper)
        return gast.Name(id=helper.name, ctx=gast.Load(), annotation=None, type_comment=None, lineno=node.lineno,
                         col_offset=node.col_offset)

    def visit_ListComp(self, node):
        return self._comprehension(node)

    def visit_GeneratorExp(self, node):
        return self._comprehension(node)

    def _comprehension(self, node):
        for n in walk(node):
            if isinstance(n, gast.Lambda):
                self.fail(n, "a lambda inside a comprehension is not supported",
                          "define the function before the comprehension (with def, or `f = lambda ...`)")
        return node


def _local_names(fn) -> set:
    names = {n.id for n in name_nodes(fn) if isinstance(n.ctx, (gast.Store, gast.Param))}
    return names | {s.name for s in fn.body if isinstance(s, gast.FunctionDef)}


def _check_signature(helper, fail, local_names):
    args = helper.args
    if getattr(helper, "decorator_list", None):
        fail(helper, f"the local function `{helper.name}` has a decorator", "remove it, or define it at module level")
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
    read = sorted({n.id for n in name_nodes(node) if n.id in local_names})
    if not read:
        return ""
    return (f": it reads `{read[0]}` of the enclosing function, which Python reads when the function is "
            "defined, and s2s where it is called")


def _check_not_recursive(found, fail):
    calls = {n: {c.func.id for c in walk(h) if isinstance(c, gast.Call) and isinstance(c.func, gast.Name)
                 and c.func.id in found} for n, h in found.items()}

    def reaches(start, target, seen=()):
        return any(c == target or (c not in seen and reaches(c, target, seen + (c,))) for c in calls[start])

    for n, h in found.items():
        if reaches(n, n):
            fail(h, f"the local function `{n}` calls itself (directly or through another local function)",
                 "define it at module level: s2s differentiates recursive module-level functions")
