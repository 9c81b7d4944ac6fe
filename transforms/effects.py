"""Effects: which parameters a user function may write into in place.

s2s treats a call's arguments as values: the derivative of ``zero_first(y)``
knows nothing of a write the callee makes into ``y``. So a call that passes
a name to a parameter its callee may write into is refused (`check_calls`),
except where the callee writes only with ``y += e`` (which rebinds a number)
and the name is dead after the call (`dead_arguments`): then the callee is
given a copy, and the write changes nothing anyone reads.

The summary of a function (`written_parameters`) follows, statement by
statement on normal form, which parameters each name may share memory with
(a strong update at each assignment: ``a = a.copy()`` leaves the caller's
array alone) and records a parameter as written when a name sharing it is
written: ``a[i] = v``, ``a += v`` on an array or list (see
`aliasing.inplace_augmented`), a mutating method (``a.fill(0)``,
``xs.append(v)``), a NumPy function's ``out=`` or first argument
(``np.copyto(a, b)``), or a call to a user function that writes into the
parameter it is passed (summaries of recursive functions grow to a fixed
point, see `driver`). It also records the parameters the function may put
into an object its caller or a global can see (`STORED`): a copy given for
such a parameter would not be the object the caller later reads.

Runs on normal form.
"""
from __future__ import annotations

import inspect
import re

import gast
import numpy as np

from s2s.errors import UnsupportedError

from .aliasing import _insert_before, _shared_operands, inplace_augmented, mutable_names
from .dead_arguments import RETURNS, STORED, why_not_dead
from .nodes import assign, call, const, expr_stmt, name, param_names, pushed, subscript_write, walk, walk_statements
from .shapes import containers

_MUTATING_METHODS = {"fill", "sort", "append", "extend", "insert", "pop", "remove", "clear", "update",
                     "setdefault", "popitem", "resize", "put", "itemset", "setfield", "partition", "reverse",
                     "__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__"}
_WRITES_FIRST = tuple(getattr(np, n) for n in ("copyto", "put", "place", "putmask", "fill_diagonal",
                                               "put_along_axis") if hasattr(np, n))




def written_parameters(fn, callees, effects_of) -> dict:
    """{parameter: (line of a statement that may write into it in place, surely)}: not
    surely where the write is `y += e` with `y` perhaps a number (then it rebinds `y`); and
    under the key `RETURNS`, the parameters the returned value may share memory with; under
    `STORED`, those it may put into an object its caller can see (a parameter, a global).
    `effects_of(function)`: the same summary for a user function `fn` calls."""
    params = param_names(fn)
    written: dict = {}
    inplace = set(inplace_augmented(fn, callees))
    holders = containers(fn) | set(params)
    mutable = mutable_names(fn, callees)
    fresh = _fresh_displays(fn) - set(params)

    def write(state, names, s, surely=True):
        # `y += e` with `y` perhaps a number: counted as not surely, for every parameter `y`
        # may be (an array parameter is written, a number rebound) or be an entry of (an array
        # held in a tuple the caller passes is written): checked when the call runs
        for v in names:
            for p in state.get(v, ()):
                line, before = written.get(p, (s.lineno, False))
                written[p] = (line, before or surely)

    def shares(state, names):
        return frozenset().union(*(state.get(v, frozenset()) for v in names))

    def store(state, into, names):
        """`into` (a list, dict or object) may now hold what `names` hold."""
        if any(v not in callees.locals or shares(state, [v]) for v in into):
            stored.update(shares(state, names))

    def call_effects(state, value, s):
        if not isinstance(value, gast.Call):
            return
        callee = callees.classify_call(value)
        if any(k.arg == "out" for k in value.keywords):
            write(state, _names([k.value for k in value.keywords if k.arg == "out"]), s)
        operands = _names(value.args + [k.value for k in value.keywords])
        if callee.kind == "unknown":
            stored.update(shares(state, operands + _names([callee.receiver])))
        if callee.receiver is not None and value.func.attr in _MUTATING_METHODS:
            store(state, _names([callee.receiver]), operands)
            # a list made here (`ys = []`, a comprehension): the method changes the list, not what it holds
            if not (isinstance(callee.receiver, gast.Name) and callee.receiver.id in fresh):
                write(state, _names([callee.receiver]), s)
        elif any(callee.obj is f for f in _WRITES_FIRST) and value.args:
            write(state, _names(value.args[:1]), s)
        elif callee.kind == "user":
            effects = effects_of(callee.obj)
            for p, a in _bound(callee, value, effects):
                write(state, _names([a]), s, effects[p][1])
            for p, a in _bound(callee, value, dict.fromkeys(effects.get(STORED, ()))):
                stored.update(shares(state, _names([a])))

    def _returned(value):
        return returned_arguments(value, callees, effects_of)

    def stmt(s, state, breaks):
        if isinstance(s, gast.Return):
            returned.update(shares(state, _names([s.value])))
            return state
        if isinstance(s, gast.Assign):
            target = subscript_write(s)
            for t in s.targets:  # `y[i] = v`, `p.w = v`
                if isinstance(t, (gast.Subscript, gast.Attribute)):
                    store(state, _names([t.value]), _names([s.value]))
            if target is not None:
                write(state, [target.value.id], s)
                if target.value.id in holders:  # a list or dict holds the value itself; an array copies it
                    state[target.value.id] = shares(state, [target.value.id]) | shares(state, _names([s.value]))
                return state
            call_effects(state, s.value, s)
            if s in inplace:  # `y += e`: surely in place only if y is surely an array or a list
                write(state, [s.targets[0].id], s, s.targets[0].id in mutable)
                return state  # the same object, changed
            through = _returned(s.value)
            operands = _shared_operands(s.value, callees) if through is None else through
            value = shares(state, operands)
            for t in s.targets:
                for n in walk(t):
                    if isinstance(n, gast.Name):
                        state[n.id] = value
            return state
        if isinstance(s, gast.Expr):
            call_effects(state, s.value, s)
            push = pushed(s)
            if push:
                state[push[0]] = shares(state, [push[0]]) | shares(state, _names([push[1]]))
            return state
        if isinstance(s, gast.If):
            return _join(block(s.body, dict(state), breaks), block(s.orelse, dict(state), breaks))
        if isinstance(s, (gast.For, gast.While)):
            inner: list = []
            current = dict(state)
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

    def block(stmts, state, breaks):
        for s in stmts:
            state = stmt(s, state, breaks)
        return state

    returned: set = set()
    stored: set = set()
    block(fn.body, {p: frozenset([p]) for p in params}, [])
    summary = {p: written[p] for p in params if p in written}
    summary[RETURNS] = frozenset(returned)
    summary[STORED] = frozenset(stored)
    return summary


def check_calls(fn, info, callees, effects_of, namer=None):
    """Refuse a call that passes a name to a parameter its (user) callee may write into. Where
    the callee writes only with `y += e` (in place only on an array or a list): if the name is
    dead after the call (`dead_arguments`), pass a copy, and the derivative of `y = y + e` is
    exact; else check the argument when the call runs (`passed_as_value`: neither it nor what it
    holds may be an array or a list)."""
    helper = namer.helper if namer is not None else (lambda n: n)
    refused, candidates = {}, {}
    for s in walk_statements(fn.body):
        value = s.value if isinstance(s, (gast.Assign, gast.Expr)) else None
        if not isinstance(value, gast.Call):
            continue
        callee = callees.classify_call(value)
        if callee.kind != "user":
            continue
        effects = effects_of(callee.obj)
        for p, arg in _bound(callee, value, effects):
            # an expression statement keeps its arguments whole: `h(y[1:])` writes into y
            shared = [n for n in walk(arg) if isinstance(n, gast.Name) and n.id in callees.locals][:1]
            for a in shared:
                line, surely = effects[p]
                where = f"{callee.obj.__code__.co_filename.rsplit('/', 1)[-1]}:{line}"
                error = UnsupportedError(
                    f"`{callee.label}` writes into its argument `{p}` in place ({where}), here `{a.id}`; s2s treats "
                    f"arguments as values", info.location(s),
                    f"return the new array from `{callee.label}` instead (`{a.id} = {callee.label}(...)` with "
                    f"`{p} = {p}.copy()` first in it)")
                if surely:
                    raise error
                message = f"{error.location}: `{callee.label}` changes its argument `{p}` in place with an " \
                          f"augmented assignment ({where}), here the array `{a.id}` (or an array or list " \
                          f"it holds); s2s treats arguments as values"
                if p in effects.get(STORED, ()):
                    message += f" (`{callee.label}` may keep `{p}` where the caller sees it)"
                elif a is arg and any(arg is x for x in value.args + [k.value for k in value.keywords if k.arg]):
                    candidates.setdefault(s, []).append(a.id)  # passed as it is: perhaps dead after the call
                refused.setdefault(s, []).append((a.id, arg, message))
    if not refused:
        return
    why = why_not_dead(fn, callees, effects_of, candidates) if candidates and namer is not None else {}
    before: dict = {}
    temps = _temps_after(fn, namer) if namer is not None else None
    for s, args in refused.items():
        for a, arg, message in args:
            reason = why.get((s, a), "")
            if reason is None:  # dead: the callee may write into a copy
                copy = next(temps)
                callees.locals.add(copy)
                before.setdefault(s, []).append(assign(copy, call(helper("copy_of"), a), s))
                _replace_argument(s.value, arg, name(copy))
                continue
            message += f" ({reason})" if reason else ""
            before.setdefault(s, []).append(expr_stmt(call(helper("passed_as_value"), a, const(message)), s))
    _insert_before(fn, before)


def _replace_argument(value, arg, new):
    value.args = [new if x is arg else x for x in value.args]
    for k in value.keywords:
        if k.value is arg:
            k.value = new


def _temps_after(fn, namer):
    """Fresh temporaries: numbered after every one `fn` holds."""
    prefix = re.escape(namer.temp_prefix)
    taken = [int(m.group(1)) for n in walk(fn) if isinstance(n, gast.Name)
             for m in [re.fullmatch(prefix + r"(\d+)", n.id)] if m]
    k = max(taken, default=0)
    while True:
        k += 1
        yield namer.temp(k)


def returned_arguments(value, callees, effects_of):
    """For a call to a user function: the arguments its result may share memory with, from the
    function's summary (`effects_of`); None for any other value, or a call it cannot bind."""
    if not isinstance(value, gast.Call):
        return None
    callee = callees.classify_call(value)
    if callee.kind != "user":
        return None
    summary = effects_of(callee.obj)
    try:
        bound = inspect.signature(callee.obj).bind(*_receiver(callee), *value.args, **{
            k.arg: k.value for k in value.keywords if k.arg})
    except TypeError:
        return None
    if any(not isinstance(a, (gast.Name, gast.Constant)) for a in bound.arguments.values()):
        return None  # *args, **kwargs
    return [a.id for p, a in bound.arguments.items() if p in summary.get(RETURNS, ()) and isinstance(a, gast.Name)]


def _bound(callee, call, effects):
    """(parameter, argument atom) for the parameters in `effects` this call (to the user
    function `callee`) passes."""
    if not effects:
        return []
    sig = inspect.signature(callee.obj)
    try:
        bound = dict(sig.bind(*_receiver(callee), *[a for a in call.args if not isinstance(a, gast.Starred)],
                              **{k.arg: k.value for k in call.keywords if k.arg}).arguments)
    except TypeError:
        return []
    for p in sig.parameters.values():  # what *rest and **opts receive in a packed call (see `packing`)
        if p.kind is p.VAR_POSITIONAL:
            bound[p.name] = next((a.value for a in call.args if isinstance(a, gast.Starred)), None)
        elif p.kind is p.VAR_KEYWORD:
            bound[p.name] = next((k.value for k in call.keywords if k.arg is None), None)
    return [(p, a) for p, a in bound.items() if p in effects and a is not None]


def _receiver(callee):
    """`self` of a method of a known class (`self.m(a)` calls `m(self, a)`), as the first argument."""
    return [callee.receiver] if callee.kind == "user" and callee.receiver is not None else []


def _names(nodes):
    return [n.id for n in nodes if isinstance(n, gast.Name)]


def _fresh_displays(fn) -> set:
    """Names every binding of which is a display (`[]`, `[a, b]`, `{"k": v}`): objects made here."""
    bound: dict = {}
    for s in walk_statements(fn.body):
        targets = s.targets if isinstance(s, gast.Assign) else [s.target] if isinstance(s, gast.For) else []
        for t in targets:
            for n in walk(t):
                if isinstance(n, gast.Name):
                    display = isinstance(t, gast.Name) and isinstance(s, gast.Assign) and isinstance(
                        s.value, (gast.List, gast.Dict))
                    bound[n.id] = bound.get(n.id, True) and display
    return {v for v, display in bound.items() if display}


def _join(a, b):
    return {v: a.get(v, frozenset()) | b.get(v, frozenset()) for v in set(a) | set(b)}

