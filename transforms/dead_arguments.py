"""Dead arguments: is the name a call passes one that nothing reads after the call?

A callee that writes into its parameter with ``y += e`` changes the caller's
array in place, while its derivative, like every derivative, treats ``y``
as a value (``y = y + e``). The two agree where the caller's name is dead
after the call: not read later (liveness through loops: a later iteration
reads it unless the loop body assigns it first), not passed twice to the
call, and sharing its memory with no other name that is read later or
passed to the same call, nor with a value from outside the function
(globals, closures, a parameter, unless the function's own summary says it
may write into that parameter: then its callers are checked in turn).
`check_calls` (in `effects`) then passes a copy, so that nothing the
caller or its backward pass holds is written.

Sharing is followed statement by statement (a strong update at each
assignment) over abstract objects: one per parameter, one per statement
that may make an object, and one for everything outside the function. The
objects one statement makes in different iterations of a loop are one
abstract object, so sharing is over-approximated, never missed.

Runs on normal form; changes nothing.
"""
from __future__ import annotations

import inspect

import gast

from .aliasing import _live_after_writes, _shared_operands, inplace_augmented
from .nodes import name_nodes, param_names, subscript_write, walk

OUTSIDE = "outside"   # the abstract object of everything the function did not make or receive
# keys of a summary (`effects.written_parameters`) besides the parameters it writes into:
RETURNS = None        # the parameters the function's result may share memory with
STORED = "\0stored"   # the parameters it may put into an object its caller (or a global) can see
COPIES = "\0copies"   # the `parts.Part`s (COPY, ...) of its parameters its result may be (not in RETURNS)
# Methods whose result is surely a new object (or a number): others may return their receiver or a part of it.
_FRESH_METHODS = {"copy", "astype", "sum", "mean", "prod", "max", "min", "std", "var", "dot", "item", "tolist",
                  "any", "all", "argmax", "argmin", "cumsum", "cumprod", "round", "clip", "conj", "conjugate"}


def why_not_dead(fn, callees, effects_of, candidates) -> dict:
    """{(call statement, argument name): None if the name is dead after the call, else why
    not}, for `candidates` {call statement: [argument names]} (names of locals, passed as
    they are). `effects_of(function)`: a user function's summary (`effects.written_parameters`)."""
    params = param_names(fn)
    own = effects_of(callees.func) if callees.func is not None else {}
    checked = {p for p in params if p in own and p is not RETURNS}  # the callers check these
    live_after = _live_after_writes(fn.body, at=set(candidates))
    before = _states_before(fn, callees, effects_of, set(candidates))
    result = {}
    for s, names in candidates.items():
        stored = {n.id for t in getattr(s, "targets", []) for n in name_nodes(t)
                  if isinstance(n.ctx, gast.Store)}
        live = live_after.get(s, set()) - stored
        used = [n.id for n in name_nodes(s.value) if isinstance(n.ctx, gast.Load)]
        state = before.get(s, {})
        for a in names:
            result[(s, a)] = _reason(a, state, live, used, checked)
    return result


def _reason(a, state, live, used, checked):
    if a in live:
        return f"`{a}` is read after the call"
    if used.count(a) > 1:
        return f"`{a}` is passed twice"
    objects = state.get(a, frozenset())
    if OUTSIDE in objects:
        return f"`{a}` may share memory with a value from outside the function"
    for o in sorted(o[1] for o in objects if isinstance(o, tuple) and o[0] == "param" and o[1] not in checked):
        return f"`{a}` may share memory with the parameter `{o}`"
    for v in sorted(state):
        if v != a and state[v] & objects and (v in live or v in used):
            return f"`{v}` may share memory with `{a}` and is " + (
                "read after the call" if v in live else "passed to the same call")
    return None


def _states_before(fn, callees, effects_of, watched) -> dict:
    """{statement in `watched`: {local name: the abstract objects it may share}} just before it."""
    before: dict = {}
    inplace = set(inplace_augmented(fn, callees))

    def objects(state, names):
        out = set()
        for v in names:
            out |= state.get(v, frozenset()) if v in callees.locals else {OUTSIDE}
        return frozenset(out)

    def loads(node):
        return [n.id for n in name_nodes(node) if isinstance(n.ctx, gast.Load)]

    def shared(value):
        """The names whose memory the result of `value` may share."""
        if isinstance(value, gast.Call):
            callee = callees.classify_call(value)
            out = set(_shared_operands(value, callees))
            if callee.kind == "user":
                out = _returned(value, callee, effects_of, out)
            out |= {v for k in value.keywords if k.arg == "out" for v in loads(k.value)}
            if callee.kind != "user" and callee.receiver is not None and value.func.attr not in _FRESH_METHODS:
                out |= set(loads(callee.receiver))
            return out
        return set(_shared_operands(value, callees))

    def call_effects(state, value):
        """A user or unknown function, or a method, may store one argument in another, and
        in an object from outside (a global): then the argument is seen from outside."""
        if not isinstance(value, gast.Call):
            return
        callee = callees.classify_call(value)
        if callee.kind in ("user", "unknown") or callee.receiver is not None:
            operands = [v for v in loads(value) if v in callees.locals]
            together = objects(state, operands)
            for v in operands:
                state[v] = together
        kept = []
        if callee.kind == "unknown":
            kept = loads(value)
        elif callee.kind == "user" and effects_of(callee.obj).get(STORED):
            stores, bound = effects_of(callee.obj)[STORED], _bind(value, callee)
            kept = loads(value) if bound is None else [a.id for p, a in bound if p in stores and isinstance(
                a, gast.Name)]
        for v in kept:
            if v in callees.locals:
                state[v] = state.get(v, frozenset()) | {OUTSIDE}

    def stmt(s, state, breaks):
        if s in watched:
            before[s] = _join(before.get(s, {}), state)
        if isinstance(s, gast.Assign):
            target = subscript_write(s)
            if target is not None or isinstance(s.targets[0], gast.Attribute):
                # `y[i] = v`, `p.w = v`: y (or p) may now hold v
                base = [n.id for n in name_nodes(s.targets[0])][:1]
                for v in base:
                    state[v] = state.get(v, frozenset()) | objects(state, loads(s.value))
                return state
            call_effects(state, s.value)
            value = objects(state, shared(s.value)) | {s}
            if s in inplace:  # `y += e`: perhaps the same object, changed
                value |= state.get(s.targets[0].id, frozenset())
            for n in walk(s.targets[0]):
                if isinstance(n, gast.Name):
                    state[n.id] = frozenset(value)
            return state
        if isinstance(s, gast.Expr):
            call_effects(state, s.value)
            return state
        if isinstance(s, gast.If):
            return _join(block(s.body, dict(state), breaks), block(s.orelse, dict(state), breaks))
        if isinstance(s, (gast.For, gast.While)):
            inner: list = []
            current = dict(state)
            if isinstance(s, gast.For):  # normal form: `for k in range(n)`, k a number
                for n in walk(s.target):
                    if isinstance(n, gast.Name):
                        current[n.id] = frozenset({s})
            while True:
                after = _join(current, block(s.body, dict(current), inner))
                if after == current:
                    break
                current = after
            for b in inner:
                current = _join(current, b)
            return current
        if isinstance(s, gast.Break):
            breaks.append(dict(state))
            return state
        if isinstance(s, (gast.Return, gast.Raise, gast.Assert)):
            return state
        for n in walk(s):  # nothing else binds names in normal form; if it did, assume the worst
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                state[n.id] = frozenset({OUTSIDE})
        return state

    def block(stmts, state, breaks):
        for s in stmts:
            state = stmt(s, state, breaks)
        return state

    block(fn.body, {p: frozenset({("param", p)}) for p in param_names(fn)}, [])
    return before


def _returned(value, callee, effects_of, operands):
    """The names a user function's result may share: the arguments bound to the parameters
    its summary says the result may share (all of `operands` where the call cannot be bound)."""
    bound = _bind(value, callee)
    if bound is None:
        return operands
    returns = effects_of(callee.obj).get(RETURNS, ())
    return {a.id for p, a in bound if p in returns and isinstance(a, gast.Name)}


def _bind(value, callee):
    """[(parameter, argument)] of a call to the user function `callee`, or None where the
    arguments are not all names and constants (`*args`, `**kwargs`) or do not bind."""
    receiver = [callee.receiver] if callee.receiver is not None else []  # a method of a known class: self
    try:
        bound = inspect.signature(callee.obj).bind(*receiver, *value.args, **{k.arg: k.value for k in value.keywords
                                                                              if k.arg})
    except TypeError:
        return None
    if any(not isinstance(a, (gast.Name, gast.Constant)) for a in bound.arguments.values()):
        return None
    return list(bound.arguments.items())


def _join(a, b):
    return {v: a.get(v, frozenset()) | b.get(v, frozenset()) for v in set(a) | set(b)}

