"""Effects: which parameters a user function may write into in place.

s2s treats a call's arguments as values: the derivative of ``zero_first(y)``
knows nothing of a write the callee makes into ``y``. So a call that passes
a name to a parameter its callee may write into is refused (`check_calls`),
except where the callee writes only with ``y += e`` (which rebinds a number)
and the name is dead after the call (`dead_arguments`): then the callee is
given a copy of it and of all it holds (`deep_copy_of`), and the write
changes nothing anyone reads.

The summary of a function (`written_parameters`) follows, statement by
statement on normal form, which parameters each name may share memory with,
and which part of them (`parts`: the parameter itself, only an entry of it,
each entry of a list display by position; a strong update at each
assignment: ``a = a.copy()`` leaves the caller's array alone) and records a
parameter as written (a `Write`) when a name sharing it is written:
``a[i] = v``, ``a += v`` on an array or list (see
`aliasing.inplace_augmented`), a mutating method (``a.fill(0)``,
``xs.append(v)``), a NumPy function's ``out=`` or first argument
(``np.copyto(a, b)``), or a call to a user function that writes into the
parameter it is passed (summaries of recursive functions grow to a fixed
point, see `driver`). ``v += e`` with ``v = b[0]`` writes into `b` only
where `b`'s entries are arrays or lists (a 2-D array's rows): the check that
runs with the call asks. It also records the parameters the function may
put into an object its caller or a global can see (`STORED`): a copy given
for such a parameter would not be the object the caller later reads.

Runs on normal form.
"""
from __future__ import annotations

import inspect
import operator
import re
from typing import NamedTuple

import gast
import numpy as np

from s2s import runtime
from s2s.errors import UnsupportedError

from .aliasing import _insert_before, _is_view, _shared_operands, _variable, inplace_augmented, mutable_names
from .callees import _MISSING
from .dead_arguments import COPIES, RETURNS, STORED, why_not_dead
from .nodes import assign, call, const, expr_stmt, name, name_nodes, param_names, subscript_write, walk, walk_statements
from .parts import (COPY, COPY_IF_LISTED, ENTRY, ENTRY_IF_LISTED, HOLDS_ANY, NOTHING, Display, Value, copied, display,
                    entry, entry_at, held, join, own, parameter, parameters, unpack, viewed)
from .scalars import python_scalars
from .shapes import containers

MUTATING_METHODS = {"fill", "sort", "append", "extend", "insert", "pop", "remove", "clear", "update",
                     "setdefault", "popitem", "resize", "put", "itemset", "setfield", "partition", "reverse",
                     "__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__"}
WRITES_FIRST = tuple(getattr(np, n) for n in ("copyto", "put", "place", "putmask", "fill_diagonal",
                                               "put_along_axis") if hasattr(np, n))
OUTER = "\0outer"   # {name: line} of the module's (or enclosing functions') variables written in place
# Functions of the operator module that change their first argument in place (`operator.setitem(y, i, v)`).
_OPERATOR_WRITES = tuple(getattr(operator, n) for n in ("setitem", "delitem", "iadd", "isub", "imul", "itruediv",
                                                        "ipow", "imatmul", "ifloordiv", "imod", "iconcat"))
_MUTABLE_TYPES = (np.ndarray, list, dict)


def written_operands(value, callee) -> list:
    """The operands (nodes) that the call `value` (classified as `callee`) changes in place: what
    `out=` names, by keyword or by position (``np.multiply(y, u, y)``, ``y.clip(lo, hi, y)``), the
    first argument of `WRITES_FIRST` functions by position or name (``np.copyto(dst=x, src=v)``), the
    receiver of a mutating method, bound or not (``np.ndarray.sort(y)``, ``list.append(xs, v)``), and
    the first argument of `operator.setitem` and the in-place operators."""
    out = [k.value for k in value.keywords if k.arg == "out"]
    args = [a for a in value.args if not isinstance(a, gast.Starred)]
    obj, receiver = callee.obj, callee.receiver
    if isinstance(obj, np.ufunc) and len(args) > obj.nin:
        out += args[obj.nin:]
    elif receiver is None and (getattr(obj, "__module__", None) or "").split(".")[0] == "numpy":   # (its `out`)
        bound = _binding(obj, args, value.keywords)
        if bound is not None and "out" in bound:
            out.append(bound["out"])
    if receiver is not None and not isinstance(obj, np.ufunc) and isinstance(value.func, gast.Attribute):
        function = getattr(np, value.func.attr, None)   # `y.clip(lo, hi, y)`: np.clip's `out`
        bound = _binding(function, [receiver] + args, value.keywords) if callable(function) else None
        if bound is not None and "out" in bound and bound["out"] is not receiver:
            out.append(bound["out"])
    if any(obj is f for f in WRITES_FIRST):
        bound = _binding(obj, args, value.keywords)
        first = next(iter(inspect.signature(obj).parameters), None) if bound is not None else None
        out += [bound[first]] if first in (bound or {}) else args[:1]
    if receiver is not None and isinstance(value.func, gast.Attribute) and value.func.attr in MUTATING_METHODS \
            and callee.kind != "user":
        out.append(receiver)
    unbound = getattr(obj, "__objclass__", None)   # `np.ndarray.sort`, `list.append`: a method of a type
    if receiver is None and args and (any(obj is f for f in _OPERATOR_WRITES) or isinstance(unbound, type) and issubclass(
            unbound, _MUTABLE_TYPES) and getattr(obj, "__name__", None) in MUTATING_METHODS):
        out.append(args[0])
    return out


def _binding(function, args, keywords):
    """{parameter: node} of the call `function(*args, **keywords)`, or None where its signature is
    not known or they do not bind."""
    try:
        signature = inspect.signature(function)
        return signature.bind(*args, **{k.arg: k.value for k in keywords if k.arg is not None}).arguments
    except (TypeError, ValueError):
        return None


# Runtime helpers (put in by normal form) whose result holds by position what their first argument holds.
_SAME_ENTRIES = (runtime.iterated, runtime.as_list, runtime.as_tuple, runtime.unstarred)
# Calls whose result is a new list or tuple holding what their argument's entries are (a shallow copy).
_COPYING = (list, tuple, sorted)
_COPIED = (COPY, COPY_IF_LISTED, ENTRY_IF_LISTED, HOLDS_ANY)   # returned: in `COPIES` (not `RETURNS`)


class Write(NamedTuple):
    """How a function may write into one of its parameters in place."""
    line: int        # a statement that may write into it
    surely: bool     # False: only with `v += e`, where `v` may be a number (then it rebinds `v`)
    entries: bool    # only into what an entry of the parameter holds (see `parts`)
    listed: bool = False   # ... and only where the parameter is a list, tuple or dict (`parts.ENTRY_IF_LISTED`)

    def __or__(self, other):
        stronger = (other.surely, not other.entries, not other.listed) > (self.surely, not self.entries,
                                                                           not self.listed)
        return Write((other if stronger else self).line, self.surely or other.surely, self.entries and other.entries,
                     self.listed and other.listed)


def written_parameters(fn, callees, effects_of) -> dict:
    """{parameter: `Write`} for the parameters `fn` may write into in place; under the key
    `RETURNS`, the parameters the returned value may share memory with; under `STORED`, those
    it may put into an object its caller can see (a parameter, a global). `effects_of(function)`:
    the same summary for a user function `fn` calls."""
    params = param_names(fn)
    written: dict = {}
    inplace = set(inplace_augmented(fn, callees))
    holders = containers(fn) | set(params)
    mutable = mutable_names(fn, callees)
    fresh = _fresh_displays(fn) - set(params)
    numbers = python_scalars(fn, callees, ())

    def write(value, s, surely=True, into_entry=False, listed=False):
        """A write into the object `value` (with `into_entry`, into an entry of it; with `listed`
        too, only where `value` is a list, tuple or dict). Not surely: `v += e` with `v` perhaps
        a number, which changes an array parameter `v` may be, or an array an entry of the
        parameter holds (when the call runs, `check_calls` checks which)."""
        if into_entry:
            value = held(copied(value, listed=False)) if listed else entry(value)
        for part in own(value):
            new = Write(s.lineno, surely, part.how in (ENTRY, ENTRY_IF_LISTED), part.how == ENTRY_IF_LISTED)
            written[part.param] = written[part.param] | new if part.param in written else new

    def evaluate(state, node) -> Value:
        """The value (`parts`) of the primitive `node`."""
        if isinstance(node, gast.Name):
            return state.get(node.id, NOTHING)
        if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name):
            return entry_at(state.get(node.value.id, NOTHING), node.slice, numbers)
        if isinstance(node, (gast.Tuple, gast.List)) and not any(isinstance(e, gast.Starred) for e in node.elts):
            return display(evaluate(state, e) for e in node.elts)
        if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Mult)):  # lists: + and * hold
            return join(*(copied(evaluate(state, v), listed=False) for v in (node.left, node.right)))  # their entries
        if isinstance(node, gast.Call):
            callee = callees.classify_call(node)
            if node.args and not isinstance(node.args[0], gast.Starred):
                if any(callee.obj is f for f in _SAME_ENTRIES):   # what `for v in xs`, `[*xs]` and `a, *b = xs` index
                    value = evaluate(state, node.args[0])
                    return held(value) if callee.obj is runtime.unstarred and isinstance(value, Display) else value
                if callee.kind != "user" and any(callee.obj is f for f in _COPYING):
                    return copied(evaluate(state, node.args[0]))
            if callee.kind == "rule" and callee.receiver is not None and node.func.attr == "copy":  # of a list too
                return copied(evaluate(state, callee.receiver), listed=False)
        through = returned_arguments(node, callees, effects_of)
        operands = _shared_operands(node, callees) if through is None else through
        value = join(*(state.get(v, NOTHING) for v in operands))
        value = viewed(value) if through is None and _is_view(node, callees) else held(value)  # (of a copy: new)
        if through is not None:   # the copies of its arguments a user function returns
            value = join(value, *(_as_returned(how, evaluate(state, a))
                                  for how, a in returned_copies(node, callees, effects_of)))
        return value

    def store(state, into, nodes):
        """`into` (a list, dict or object) may now hold what `nodes` hold."""
        if any(v not in callees.locals or own(state.get(v, NOTHING)) for v in _names([into])):
            stored.update(*(parameters(evaluate(state, n)) for n in nodes))

    def outer_write(node, s):   # a write into an array, list or dict of the module or an enclosing function
        if isinstance(node, gast.Name) and node.id not in callees.locals and node.id not in params \
                and _variable(node, callees) and callees.lookup(node) is not _MISSING:
            outer.setdefault(node.id, s.lineno)

    def call_effects(state, value, s):
        if not isinstance(value, gast.Call):
            return
        callee = callees.classify_call(value)
        written = [] if callee.kind == "user" else written_operands(value, callee)
        for n in written + ([value.func.value] if callee.kind != "user" and isinstance(value.func, gast.Attribute)
                            and value.func.attr in MUTATING_METHODS else []):   # (`STORE.append(x)` of a global)
            outer_write(n, s)
        if callee.kind == "user":
            for v, line in effects_of(callee.obj).get(OUTER, {}).items():
                outer.setdefault(v, line)
        for n in written:
            if n is not callee.receiver:   # (`out=`, np.copyto's `dst`, `np.ndarray.sort(y)`: what they name)
                write(evaluate(state, n), s)
        operands = [a.value if isinstance(a, gast.Starred) else a for a in value.args] + [
            k.value for k in value.keywords]
        if callee.kind == "unknown":
            stored.update(*(parameters(evaluate(state, n)) for n in operands + [callee.receiver] if n is not None))
        if callee.receiver is not None and value.func.attr in MUTATING_METHODS:
            store(state, callee.receiver, operands)
            # a list made here (`ys = []`, a comprehension): the method changes the list, not what it holds
            if not (isinstance(callee.receiver, gast.Name) and callee.receiver.id in fresh):
                write(evaluate(state, callee.receiver), s)
            if isinstance(callee.receiver, gast.Name):  # it may now hold what it is given, at any position
                r = callee.receiver.id
                state[r] = join(viewed(state.get(r, NOTHING)), *(held(evaluate(state, n)) for n in operands))
        elif callee.kind == "user":
            effects = effects_of(callee.obj)
            for p, a in _bound(callee, value, effects):
                write(evaluate(state, a), s, effects[p].surely, effects[p].entries, effects[p].listed)
            for p, a in _bound(callee, value, dict.fromkeys(effects.get(STORED, ()))):
                stored.update(parameters(evaluate(state, a)))

    def bind(state):
        def set_value(v, value):
            state[v] = value
        return set_value

    def stmt(s, state, breaks):
        if isinstance(s, gast.Return):
            value = evaluate(state, s.value) if s.value is not None else NOTHING
            parts = held(value) if isinstance(value, Display) else value
            returned.update(p.param for p in parts if p.how not in _COPIED)
            copies.update(p for p in parts if p.how in _COPIED)
            return state
        if isinstance(s, gast.Assign):
            target = subscript_write(s)
            for t in s.targets:  # `y[i] = v`, `p.w = v`
                if isinstance(t, (gast.Subscript, gast.Attribute)):
                    store(state, t.value, [s.value])
            if target is not None:
                outer_write(target.value, s)
                y = target.value.id
                if y not in fresh:   # a key or position of a list or dict made here: the write changes it alone
                    write(state.get(y, NOTHING), s)
                if y in holders:  # a list or dict holds the value itself; an array copies it
                    state[y] = _holding(state.get(y, NOTHING), target.slice, evaluate(state, s.value))
                return state
            call_effects(state, s.value, s)
            if s in inplace:  # `y += e`: surely in place only if y is surely an array or a list
                y = s.targets[0].id
                write(state.get(y, NOTHING), s, y in mutable)
                # the same object, changed (a list: it now also holds what `t += [a]` adds), or rebound
                state[y] = join(state.get(y, NOTHING), evaluate(state, s.value))
                return state
            value = evaluate(state, s.value)
            for t in s.targets:
                unpack(t, value, bind(state))
            return state
        if isinstance(s, gast.Expr):
            call_effects(state, s.value, s)
            return state
        if isinstance(s, gast.If):
            return _join(block(s.body, dict(state), breaks), block(s.orelse, dict(state), breaks))
        if isinstance(s, (gast.For, gast.While)):
            inner: list = []
            current = dict(state)
            if isinstance(s, gast.For):  # normal form: `for k in range(n)`, k a number
                looped = NOTHING if _is_range(s.iter) else entry(evaluate(state, s.iter))
                unpack(s.target, looped, bind(current))
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
    copies: set = set()
    stored: set = set()
    outer: dict = {}
    block(fn.body, {p: parameter(p) for p in params}, [])
    summary = {p: written[p] for p in params if p in written}
    summary[RETURNS] = frozenset(returned)
    summary[STORED] = frozenset(stored)
    if outer:
        summary[OUTER] = outer
    if copies:
        summary[COPIES] = frozenset(copies)
    return summary


def check_calls(fn, info, callees, effects_of, namer=None):
    """Refuse a call that passes a name to a parameter its (user) callee may write into. Where
    the callee writes only with `y += e` (in place only on an array or a list): if the name is
    dead after the call (`dead_arguments`), pass a copy, and the derivative of `y = y + e` is
    exact; else check the argument when the call runs (`passed_as_value`: neither it nor what it
    holds may be an array or a list; `entries_passed_as_value` where `y` is an entry of the
    parameter: no entry of the argument may be or hold one; `copied_entries_passed_as_value`
    where `y` is an entry of a copy of it, `p.copy()[0]` or `(p + q)[0]`, also where the callee
    writes into `y` surely: the argument may be an array of numbers, whose copy holds numbers of
    its own)."""
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
        parameters_ = inspect.signature(callee.obj).parameters
        given = {p for p, _ in _bound(callee, value, dict.fromkeys(parameters_))}
        for p in parameters_:
            default = parameters_[p].default
            if p in effects and p not in given and isinstance(default, (np.ndarray, list, dict, set)):
                raise UnsupportedError(
                    f"`{callee.label}` writes into its parameter `{p}` in place "
                    f"({callee.obj.__code__.co_filename.rsplit('/', 1)[-1]}:{effects[p].line}), left here to its "
                    f"default: one {type(default).__name__} made when `{callee.label}` was defined, which every "
                    "call shares and changes", info.location(s),
                    f"give `{p}` a new value at each call (`{p}=None`, then `{p} = np.zeros(...)` inside)")
        for v, line in effects.get(OUTER, {}).items():
            where = f"{callee.obj.__code__.co_filename.rsplit('/', 1)[-1]}:{line}"
            raise UnsupportedError(
                f"`{callee.label}` changes `{v}`, a variable of its module (or of an enclosing function), in place "
                f"({where}): s2s reads such names as constants, and the change would stay for every later call",
                info.location(s), f"pass `{v}` to `{callee.label}` as an argument and return the new value")
        for p, arg in _bound(callee, value, effects):
            # an expression statement keeps its arguments whole: `h(y[1:])` writes into y
            shared = [n for n in name_nodes(arg) if n.id in callees.locals][:1]
            for a in shared:
                line, surely, entries, listed = effects[p]
                entries = entries and a is arg   # `h(y.reshape(2, -1))`: the entries of y's view are not y's
                listed = listed and entries
                where = f"{callee.obj.__code__.co_filename.rsplit('/', 1)[-1]}:{line}"
                error = UnsupportedError(
                    f"`{callee.label}` writes into its argument `{p}` in place ({where}), here `{a.id}`; s2s treats "
                    f"arguments as values", info.location(s),
                    f"return the new array from `{callee.label}` instead (`{a.id} = {callee.label}(...)` with "
                    f"`{p} = {p}.copy()` first in it)")
                if surely and not listed:
                    raise error
                if listed:
                    message = f"{error.location}: `{callee.label}` writes in place into an entry of a copy of its " \
                              f"argument `{p}` ({where}; `{p}.copy()`, `{p} + ...` or `{p} * n` of a list holds the " \
                              f"list's entries), here `{a.id}`, whose entries are arrays or lists; s2s treats " \
                              f"arguments as values"
                elif entries:
                    message = f"{error.location}: `{callee.label}` changes its argument `{p}` in place with an " \
                              f"augmented assignment on an entry of it ({where}), here `{a.id}`, whose entries are " \
                              f"arrays or lists (the rows of an array of two or more dimensions, the arrays of a " \
                              f"list); s2s treats arguments as values"
                else:
                    message = f"{error.location}: `{callee.label}` changes its argument `{p}` in place with an " \
                              f"augmented assignment ({where}), here the array `{a.id}` (or an array or list " \
                              f"it holds); s2s treats arguments as values"
                if p in effects.get(STORED, ()):
                    message += f" (`{callee.label}` may keep `{p}` where the caller sees it)"
                elif a is arg and not surely and any(arg is x for x in value.args + [k.value for k in value.keywords
                                                                                     if k.arg]):
                    candidates.setdefault(s, []).append(a.id)  # passed as it is: perhaps dead after the call
                check = "copied_entries_passed_as_value" if listed else \
                    "entries_passed_as_value" if entries else "passed_as_value"
                refused.setdefault(s, []).append((a.id, arg, check, message))
    if not refused:
        return
    why = why_not_dead(fn, callees, effects_of, candidates) if candidates and namer is not None else {}
    before: dict = {}
    temps = _temps_after(fn, namer) if namer is not None else None
    for s, args in refused.items():
        for a, arg, check, message in args:
            reason = why.get((s, a), "")
            if reason is None:  # dead: the callee may write into a copy
                copy = next(temps)
                callees.locals.add(copy)
                before.setdefault(s, []).append(assign(copy, call(helper("deep_copy_of"), a), s))
                _replace_argument(s.value, arg, name(copy))
                continue
            message += f" ({reason})" if reason else ""
            before.setdefault(s, []).append(expr_stmt(call(helper(check), a, const(message)), s))
    _insert_before(fn, before)


def _replace_argument(value, arg, new):
    value.args = [new if x is arg else x for x in value.args]
    for k in value.keywords:
        if k.value is arg:
            k.value = new


def _temps_after(fn, namer):
    """Fresh temporaries: numbered after every one `fn` holds."""
    prefix = re.escape(namer.temp_prefix)
    taken = [int(m.group(1)) for n in name_nodes(fn)
             for m in [re.fullmatch(prefix + r"(\d+)", n.id)] if m]
    k = max(taken, default=0)
    while True:
        k += 1
        yield namer.temp(k)


def returned_arguments(value, callees, effects_of):
    """For a call to a user function: the arguments its result may share memory with, from the
    function's summary (`effects_of`); None for any other value, or a call it cannot bind."""
    bound = _bound_call(value, callees, effects_of)
    if bound is None:
        return None
    summary, arguments = bound
    return [a.id for p, a in arguments.items() if p in summary.get(RETURNS, ()) and isinstance(a, gast.Name)]


def returned_copies(value, callees, effects_of) -> list:
    """For a call to a user function: [(how, argument)] for the arguments its result may be or
    hold a copy of (`COPIES` in its summary: `parts.COPY`, ...), [] where it cannot tell."""
    bound = _bound_call(value, callees, effects_of)
    if bound is None:
        return []
    summary, arguments = bound
    # (the summary's parts are a set, which a string's hash orders: the code s2s writes from them
    # follows the order of the arguments instead, the same in every process)
    order = {p: k for k, p in enumerate(arguments)}
    parts = sorted(summary.get(COPIES, ()), key=lambda part: (order.get(part.param, len(order)), part.how))
    return [(part.how, arguments[part.param]) for part in parts if isinstance(arguments.get(part.param), gast.Name)]


def _bound_call(value, callees, effects_of):
    """(summary, {parameter: argument}) of a call to a user function, or None (another value, a
    call it cannot bind, `*args` or `**kwargs`)."""
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
    return summary, bound.arguments


def _as_returned(how, value) -> Value:
    """The value of what a function returns where it returns `how` (`parts.COPY`, ...) of its
    parameter, here `value`."""
    if how == COPY:
        return copied(value)
    if how == HOLDS_ANY:
        return copied(held(value))
    made = copied(value, listed=False)
    return made if how == COPY_IF_LISTED else held(made)


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
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):   # (`y[k] = v` binds no name)
                    display = isinstance(t, gast.Name) and isinstance(s, gast.Assign) and isinstance(
                        s.value, (gast.List, gast.Dict))
                    bound[n.id] = bound.get(n.id, True) and display
    return {v for v, display in bound.items() if display}


def _holding(value, key, new) -> Value:
    """The value of the list or dict `u` of value `value` after ``u[key] = <new>``."""
    position = key.value if isinstance(key, gast.Constant) else None
    if isinstance(value, Display) and type(position) is int and -len(value.entries) <= position < len(value.entries):
        entries = list(value.entries)
        entries[position] = join(entries[position], new)
        return display(entries)
    return join(held(value), held(new)) if isinstance(value, Display) else join(value, held(new))


def _is_range(node) -> bool:
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == "range"


def _join(a, b):
    return {v: join(*(state[v] for state in (a, b) if v in state)) for v in set(a) | set(b)}

