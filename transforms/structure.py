"""Structure: give every function one exit and every loop body one shape of jump.

Before: a fenced ``FunctionDef`` with any mix of ``return`` (also inside
loops), ``break`` and ``continue``.

After:
- ``continue`` does not occur;
- ``break`` occurs only as the last statement of a block;
- a ``return`` inside a loop has become ``_out = value; _returned = True;
  break`` with an ``if _returned:`` after each enclosing loop;
- the statements that followed a block which may jump now sit in that
  block's fall-through branch (``if c: break`` + rest becomes
  ``if c: break`` / ``else: rest``), so every statement runs either to its
  end or to a jump at its tail;
- the body ends with the one ``return``.

Reverse mode relies on this: with jumps only at block tails, each ``if``'s
recorded branch tells the backward pass exactly which statements ran.
"""
from __future__ import annotations

import copy

import gast

from .nodes import at as _at, name as _name, walk

_LOOPS = (gast.For, gast.While)


def structure(fn: gast.FunctionDef, namer) -> gast.FunctionDef:
    fn.body = _returns_out_of_loops(fn.body, namer, in_loop=False)
    fn.body = _restructure(fn.body)
    fn.body = _single_exit(fn, namer)
    return fn


# ---- returns inside loops ------------------------------------------------------------
def _contains_return(stmts) -> bool:
    return any(isinstance(n, gast.Return) for s in stmts for n in walk(s))


def _returns_out_of_loops(stmts, namer, in_loop):
    out = []
    for s in stmts:
        if isinstance(s, gast.Return) and in_loop:
            value = s.value if s.value is not None else gast.Constant(value=None, kind=None)
            out += [_at(gast.Assign(targets=[_name(namer.out, store=True)], value=value, type_comment=None), s),
                    _at(gast.Assign(targets=[_name(namer.returned, store=True)],
                                    value=gast.Constant(value=True, kind=None), type_comment=None), s),
                    _at(gast.Break(), s)]
            continue
        if isinstance(s, _LOOPS) and _contains_return(s.body):
            s.body = _returns_out_of_loops(s.body, namer, in_loop=True)
            if not in_loop:
                out.append(_at(gast.Assign(targets=[_name(namer.returned, store=True)],
                                           value=gast.Constant(value=False, kind=None), type_comment=None), s))
            out.append(s)
            jump = gast.Break() if in_loop else gast.Return(value=_name(namer.out))
            out.append(_at(gast.If(test=_name(namer.returned), body=[_at(jump, s)], orelse=[]), s))
            continue
        if isinstance(s, gast.If):
            s.body = _returns_out_of_loops(s.body, namer, in_loop)
            s.orelse = _returns_out_of_loops(s.orelse, namer, in_loop)
        out.append(s)
    return out


# ---- continuation into fall-through branches ------------------------------------------
def _may_jump(stmts) -> bool:
    """Does control possibly leave `stmts` by break/continue (of this loop) or return?"""
    for s in stmts:
        if isinstance(s, (gast.Break, gast.Continue, gast.Return)):
            return True
        if isinstance(s, gast.If) and (_may_jump(s.body) or _may_jump(s.orelse)):
            return True
        if isinstance(s, _LOOPS) and _contains_return(s.body):
            return True
    return False


def _always_jumps(stmts) -> bool:
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (gast.Break, gast.Continue, gast.Return)):
        return True
    return isinstance(last, gast.If) and _always_jumps(last.body) and _always_jumps(last.orelse)


def _restructure(stmts):
    out = []
    for i, s in enumerate(stmts):
        if isinstance(s, (gast.Break, gast.Continue, gast.Return)):
            out.append(s)
            return out  # what follows a jump never runs
        if isinstance(s, _LOOPS):
            s.body = _drop_tail_continues(_restructure(s.body))
        if isinstance(s, gast.If) and (_may_jump(s.body) or _may_jump(s.orelse)):
            rest = stmts[i + 1:]
            body_rest = [] if _always_jumps(s.body) else rest
            else_rest = [] if _always_jumps(s.orelse) else (copy.deepcopy(rest) if body_rest else rest)
            s.body = _restructure(s.body + body_rest)
            s.orelse = _restructure(s.orelse + else_rest)
            out.append(s)
            return out
        if isinstance(s, gast.If):
            s.body = _restructure(s.body)
            s.orelse = _restructure(s.orelse)
        out.append(s)
    return out


def _drop_tail_continues(stmts):
    """A `continue` at the tail of a loop body's block jumps to where control goes anyway."""
    if stmts and isinstance(stmts[-1], gast.Continue):
        return stmts[:-1]
    if stmts and isinstance(stmts[-1], gast.If):
        stmts[-1].body = _drop_tail_continues(stmts[-1].body)
        stmts[-1].orelse = _drop_tail_continues(stmts[-1].orelse)
    return stmts


# ---- one exit ------------------------------------------------------------------------
def _single_exit(fn, namer):
    returns = [n for s in fn.body for n in walk(s) if isinstance(n, gast.Return)]
    if len(returns) == 1 and fn.body and fn.body[-1] is returns[0]:
        return fn.body
    if not returns:
        last = fn.body[-1] if fn.body else fn
        return fn.body + [_at(gast.Return(value=gast.Constant(value=None, kind=None)), last)]
    body = _replace_returns(fn.body, namer)
    return body + [_at(gast.Return(value=_name(namer.out)), returns[-1])]


def _replace_returns(stmts, namer):
    out = []
    for s in stmts:
        if isinstance(s, gast.Return):
            value = s.value if s.value is not None else gast.Constant(value=None, kind=None)
            if not (isinstance(value, gast.Name) and value.id == namer.out):
                out.append(_at(gast.Assign(targets=[_name(namer.out, store=True)], value=value, type_comment=None), s))
            continue
        if isinstance(s, gast.If):
            s.body = _replace_returns(s.body, namer)
            s.orelse = _replace_returns(s.orelse, namer)
        out.append(s)
    return out
