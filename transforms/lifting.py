"""Lambda lifting: a local function differentiated inside differentiated code.

Part of `function_values` (`Inlining.made`). For

    def fun(x):
        inner = lambda y: x * y
        return x * s2s.grad(inner)(2.0)

the local function is read again from the user's source and made a function of
its own whose free variables are keyword-only parameters,

    def inner(y, *, x): return x * y

which s2s differentiates like any user function (its lines are the user's
lines); the call passes them, `grad_inner(2.0, x=x)`, so the outer derivative
flows through `x` into the generated inner derivative. A free name must be a
variable of the enclosing function (a value, read when the derivative is
called, as a closure reads it) or of the module; a local function calling
another local function is refused.
"""
from __future__ import annotations

import ast
import copy
import types
import weakref

import gast

from .nodes import name_nodes, param_names, stored_names, walk

# lifted function -> (FunctionDef, SourceInfo): what `s2s.parsing.parse_function` gives for it
PARSED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class LiftError(Exception):
    """Why a local function cannot be lifted: (node, message, hint)."""


def lift(helper, func, parse, enclosing_locals, helpers):
    """(function, free names) for the local function `helper` (a FunctionDef of `local_functions`)
    of the user function `func`. `parse(func)` gives func's FunctionDef and SourceInfo afresh;
    `enclosing_locals` are the variables of the scope `helper` was defined in; `helpers` the
    names of the local functions there."""
    fn, info = parse(func)
    original = _find(fn, helper)
    if original is None:
        raise LiftError(helper, "s2s cannot find the source of this local function to differentiate it", None)
    name = helper.name if helper.name.isidentifier() else f"lambda_{original.lineno}"
    if isinstance(original, gast.Lambda):
        body = gast.Return(value=original.body)
        gast.copy_location(body, original.body)
        original = gast.FunctionDef(name=name, args=original.args, body=[body], decorator_list=[], returns=None,
                                    type_comment=None, type_params=[])
        gast.copy_location(original, body)
    original.name = name
    own = set(param_names(original)) | stored_names(original)
    read = {n.id for n in name_nodes(original) if isinstance(n.ctx, gast.Load)}
    calls_local = sorted((read - own) & set(helpers))
    if calls_local:
        raise LiftError(helper, f"the local function `{helper.name}` calls the local function `{calls_local[0]}`: "
                                "s2s differentiates a local function inside differentiated code when it calls "
                                "functions of the module only", f"define `{calls_local[0]}` at module level")
    free = sorted((read - own) & set(enclosing_locals) | (read - own) & set(func.__code__.co_freevars))
    original.args.kwonlyargs += [gast.Name(id=v, ctx=gast.Param(), annotation=None, type_comment=None)
                                 for v in free]
    original.args.kw_defaults += [None] * len(free)
    for n in walk(original.args):
        if isinstance(n, gast.Name) and getattr(n, "lineno", None) is None:
            gast.copy_location(n, original)
    module = gast.gast_to_ast(gast.Module(body=[copy.deepcopy(original)], type_ignores=[]))
    ast.fix_missing_locations(module)
    for node in ast.walk(module):   # lines as the user's; each node ends where it starts (a lambda's ends are its own)
        if getattr(node, "lineno", None) is not None:
            node.end_lineno, node.end_col_offset = node.lineno, node.col_offset
    namespace = dict(func.__globals__)
    try:
        exec(compile(module, info.filename, "exec"), namespace)
    except Exception as exc:   # a default that reads a variable of the enclosing function
        raise LiftError(helper, f"the local function `{helper.name}` cannot be made a function of its own "
                                f"({type(exc).__name__}: {exc})", "define it at module level") from None
    made = namespace[name]
    lifted = types.FunctionType(made.__code__, func.__globals__, name, made.__defaults__, None)
    lifted.__kwdefaults__ = made.__kwdefaults__
    lifted.__qualname__ = name
    lifted.__module__ = func.__module__
    PARSED[lifted] = (original, info)
    return lifted, free


def _find(fn, helper):
    """The node in `fn` (func parsed afresh) that `helper` was made of: a nested def, or a lambda."""
    lam = getattr(helper, "s2s_lambda", None)
    for node in walk(fn):
        if lam is not None and isinstance(node, gast.Lambda) and (node.lineno, node.col_offset) == (
                lam.lineno, lam.col_offset):
            return node
        if lam is None and isinstance(node, gast.FunctionDef) and node is not fn and node.name == helper.name \
                and node.lineno == helper.lineno:
            return node
    return None
