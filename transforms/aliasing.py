"""Aliasing: which names may share memory with an array written in place.

``y[i] = v`` changes every name that shares ``y``'s memory: a view made by
slicing or reshaping ``y``, the array ``y`` is itself a view of, a list
holding it. Derivatives treat names as values, so s2s accepts an in-place
write only where no other name sharing ``y``'s memory is read afterwards
(`check_writes`); elsewhere the write is indistinguishable from rebinding
``y`` to a new array. Reverse mode also needs the sharing to decide what to
record: an adjoint reading a view of ``y`` reads ``y`` (`sharing`).

Sharing is over-approximated: any primitive that may return (a view of) an
operand shares memory with it -- names, subscripts, attributes, containers,
unpacking, calls to user or unknown functions, and the NumPy functions and
methods that return views. Arithmetic, comparisons, elementwise and other
rules, and non-differentiable calls (``len``, ``x.shape``) make new objects.
A list or dict holds what is written into it (``t["a"] = y`` puts ``y``
itself in ``t``, where an array copies ``y``'s numbers).

A write ``y[k] = v`` into a list or dict replaces an entry: it changes ``y``
and what may be or hold ``y``, not what was read from it (``e = y[k]``
before), which `_may_be_or_hold` tells apart -- but for an entry of what holds
``y``, which may be ``y`` itself.

Runs on normal form.
"""
from __future__ import annotations

import builtins
import types

import gast
import numpy as np

from s2s import runtime
from s2s.errors import S2SError, UnsupportedError

from .nodes import (ENTRY_AUGMENTED, assign, augmented, call, const, expr_stmt, name, name_nodes, param_names, pushed,
                    subscript_write, walk, walk_statements)
from .callees import _MISSING
from .parts import COPY, COPY_IF_LISTED, ENTRY_IF_LISTED, HOLDS_ANY
from .shapes import containers
from .to_record import maybe_undefined

# NumPy functions, methods and attributes whose result may be a view of (or be) an argument.
_VIEW_FUNCTION_NAMES = (
    "reshape transpose matrix_transpose permute_dims ravel swapaxes moveaxis rollaxis expand_dims squeeze "
    "broadcast_to broadcast_arrays diagonal diag flip fliplr flipud rot90 asarray asanyarray asarray_chkfinite "
    "ascontiguousarray asfortranarray require atleast_1d atleast_2d atleast_3d split array_split hsplit vsplit "
    "dsplit unstack real imag real_if_close einsum")
VIEW_FUNCTIONS = tuple(getattr(np, n) for n in _VIEW_FUNCTION_NAMES.split() if hasattr(np, n)) + (
    np.lib.stride_tricks.as_strided, np.lib.stride_tricks.sliding_window_view)
VIEW_METHODS = {"reshape", "transpose", "ravel", "swapaxes", "squeeze", "view", "diagonal", "__array__"}
VIEW_ATTRIBUTES = {"T", "mT", "real", "imag", "flat", "base"}
# Runtime helpers that passes put into user code whose result holds its operands' elements themselves
# (`a + b` of lists, `*xs` in a call or display, `zip(*pairs)`, `a, *rest = xs`, `for v in xs`).
CONTAINER_HELPERS = (runtime.concat, runtime.repeat, runtime.as_tuple, runtime.as_list, runtime.transposed,
                     runtime.unstarred, runtime.iterated, runtime.built, runtime.replaced)
# `np.array(x, copy=False)` and `x.astype(t, copy=False)` may return `x` itself.
_COPY_KEYWORD = (np.array, np.nan_to_num)
# Functions that may return an operand itself: `max(a, b)` of two arrays of one element,
# `np.linalg.matrix_power(a, 1)`, `np.diff(a, n=0)`, `s2s.stop_gradient(a)`.
_RETURNS_OPERAND = (builtins.max, builtins.min, np.linalg.matrix_power, np.diff, runtime.stop_gradient)


def _shared_operands(value, callees, effects_of=None) -> set[str]:
    """Names whose memory the result of the primitive `value` may share. A call to a user function
    shares all its arguments, or with `effects_of` (the summaries of `transforms.effects`) those its
    summary says its result may share."""
    def names(nodes):  # variables only: `np` in `np.transpose(V)` is a module, not memory
        return {n.id for n in nodes if isinstance(n, gast.Name) and _variable(n, callees)}

    if effects_of is not None:
        from .effects import returned_arguments   # effects builds on this module
        returned = returned_arguments(value, callees, effects_of)
        if returned is not None:
            return names([name(r) for r in returned])

    if isinstance(value, gast.Name):
        return names([value])
    if isinstance(value, gast.Subscript):
        return names([value.value])
    if isinstance(value, gast.Attribute):
        return names([value.value]) if value.attr in VIEW_ATTRIBUTES or callees.classify_attribute(value).kind \
            in ("unknown", "field") else set()
    if isinstance(value, (gast.Tuple, gast.List)):
        return names(value.elts)
    if isinstance(value, gast.Dict):
        return names(value.values)
    if isinstance(value, gast.Call):
        callee = callees.classify_call(value)
        operands = list(value.args) + [k.value for k in value.keywords]
        method = isinstance(value.func, gast.Attribute) and (callee.receiver is not None or isinstance(
            value.func.value, gast.Name) and _variable(value.func.value, callees))   # (of a global: `C.reshape(3)`)
        copy_false = any(k.arg == "copy" for k in value.keywords)
        if method and callee.kind != "nondiff" and (
                value.func.attr in VIEW_METHODS or callee.kind == "unknown" or copy_false):
            operands.append(value.func.value)
        sharing = VIEW_FUNCTIONS + CONTAINER_HELPERS + _RETURNS_OPERAND
        if callee.kind in ("user", "unknown") or any(callee.obj is f for f in sharing) or (
                copy_false and any(callee.obj is f for f in _COPY_KEYWORD)):
            return names(operands)
        if method and (value.func.attr in VIEW_METHODS or copy_false
                       or value.func.attr == "astype" and len(value.args) >= 5):   # (copy, by position)
            return names([value.func.value])
    return set()


def _is_view(value, callees) -> bool:
    """Is `value` a name, a slice or a NumPy view of one name?"""
    if isinstance(value, gast.Name):
        return True
    if isinstance(value, gast.Subscript):
        index = value.slice.elts if isinstance(value.slice, gast.Tuple) else [value.slice]
        return all(isinstance(i, gast.Slice) for i in index)  # `y[0]` may be a number
    if isinstance(value, gast.Attribute):
        return value.attr in ("T", "mT")
    if isinstance(value, gast.Call):
        callee = callees.classify_call(value)
        if callee.receiver is not None:
            return value.func.attr in VIEW_METHODS
        return any(callee.obj is f for f in VIEW_FUNCTIONS) and len(value.args) >= 1
    return False


def _variable(node, callees) -> bool:
    """Is the name `node` a variable (not a module, function or class it refers to)?"""
    if node.id in callees.locals:
        return True
    obj = callees.lookup(node)
    return not isinstance(obj, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type))


def sharing(fn, callees, inplace=(), direct=False, effects_of=None, every=False) -> dict[str, set[str]]:
    """{name: every name that may share its memory (itself included)}, for the names
    written in place (``y[i] = v``, and the statements `inplace`) and those sharing with them.
    `direct`: only through copies of names and views (``z = y``, ``v = y[1:]``,
    ``v = y.T``), which surely share memory when ``y`` is an array. `every`: for every name."""
    written = {_written_name(s) for s in walk_statements(fn.body) if subscript_write(s) is not None} | {
        _written_name(s) for s in inplace}
    if not written:   # (most functions)
        return {}
    parent: dict = {}

    def find(v):   # (halving the path as it goes: chains `h = h + 1` are as long as the function)
        while parent.setdefault(v, v) != v:
            parent[v] = v = parent[parent[v]]
        return v

    holders = _lists_and_dicts(fn, callees) if not direct else set()
    for s in walk_statements(fn.body):
        edges = []
        if isinstance(s, gast.Assign) and subscript_write(s) is None and (not direct or (
                isinstance(s.targets[0], gast.Name) and _is_view(s.value, callees))):
            shared = _shared_operands(s.value, callees, effects_of)
            edges = [(t.id, m) for t in _target_nodes(s) for m in shared]
        elif subscript_write(s) is not None and _written_name(s) in holders:   # `t["a"] = y`: t holds y itself
            edges = [(_written_name(s), m) for m in _shared_operands(s.value, callees, effects_of)]
        push = pushed(s)
        if push and isinstance(push[1], gast.Name) and not direct:
            edges.append((push[0], push[1].id))
        for a, b in edges:
            parent[find(a)] = find(b)
    classes: dict = {}
    for v in list(parent) + list(written):
        classes.setdefault(find(v), set()).add(v)
    return {v: classes[find(v)] for c in classes.values() if every or c & written for v in c}


def _lists_and_dicts(fn, callees, surely=False) -> set:
    """Names that may hold a list or a dict (`y[k] = v` puts `v` itself in it, where an array
    copies `v`'s numbers): assigned a display or a comprehension, `list(...)`, `dict(...)` or
    what list operators make (`[0.0] * n`, `xs + ys`: `CONTAINER_HELPERS`), or indexed with a
    string. `surely`: those every binding of which is one of these (not a parameter)."""
    made, other = set(), set(param_names(fn))
    for s in walk_statements(fn.body):
        if isinstance(s, gast.For):
            other |= {t.id for t in name_nodes(s.target)}
        if not (isinstance(s, gast.Assign) and subscript_write(s) is None):
            continue
        value = s.value
        kind = isinstance(value, (gast.List, gast.Dict, gast.ListComp, gast.DictComp, gast.Set, gast.SetComp)) or (
            isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult)
            and (isinstance(value.left, gast.List) or isinstance(value.right, gast.List)))
        if isinstance(value, gast.Call) and isinstance(value.func, gast.Name):
            try:
                obj = callees.lookup(value.func)
            except S2SError:
                obj = None
            kind = kind or obj in (list, dict) or any(obj is h for h in CONTAINER_HELPERS)   # (`[0.0] * n`: `repeat`)
        targets = {t.id for t in _target_nodes(s)}
        if kind and isinstance(s.targets[0], gast.Name):
            made |= targets
        else:
            other |= targets
    return made - other if surely else made | set(containers(fn))


def _holding_graph(fn, callees, effects_of=None) -> tuple:
    """(alias, holds, entries) of `fn`'s names, for `_may_be_or_hold`: {name: names that may be
    the same object}, {holder: names it holds}, {u: names read from it, `t = u[k]`}."""
    alias: dict = {}
    holds: dict = {}     # holder -> names it holds
    entries: dict = {}   # u -> names read from it, `t = u[k]`

    def link(a, b):
        alias.setdefault(a, set()).add(b)
        alias.setdefault(b, set()).add(a)

    for s in walk_statements(fn.body):
        push = pushed(s)
        if push and isinstance(push[1], gast.Name):
            holds.setdefault(push[0], set()).add(push[1].id)
        if not isinstance(s, gast.Assign):
            continue
        written = subscript_write(s)
        if written is not None:
            if isinstance(written.value, gast.Name):
                holds.setdefault(written.value.id, set()).update(_shared_operands(s.value, callees, effects_of))
            continue
        targets, value = [t.id for t in _target_nodes(s)], s.value
        if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and len(targets) == 1:
            entries.setdefault(value.value.id, set()).add(targets[0])
        elif isinstance(value, (gast.List, gast.Tuple, gast.Dict)) and len(targets) == 1:
            holds.setdefault(targets[0], set()).update(_shared_operands(value, callees, effects_of))
        else:
            for t in targets:
                for m in _shared_operands(value, callees, effects_of):
                    link(t, m)
    return alias, holds, entries


def _may_be_or_hold(graph, y, surely=True) -> set:
    """The names that may be the list or dict `y`, or hold it (through any depth of lists and
    dicts, and their aliases): what a write `y[k] = v` changes. Not what `y` holds (`t = y[k]`,
    an entry: the write replaces it in `y` and leaves it alone) -- unless `y` may be an array (not
    `surely` a list or dict), whose entries are views of it. `graph`: `_holding_graph`'s."""
    alias, holds, entries = graph

    def closure(names):
        out, todo = set(), list(names)
        while todo:
            n = todo.pop()
            if n not in out:
                out.add(n)
                todo.extend(alias.get(n, ()))
        return out

    # `is_y`: names that may be `y`; `holding`: names that may hold it, at any depth. An entry of
    # what may hold `y` may be `y` or hold it: it is counted as holding it (its own entries may be
    # `y`); an entry of `y` itself is not changed by the write, but where `y` may be an array,
    # whose entries are views of it.
    is_y, holding = closure([y]), set()
    while True:
        found = {h for h, held in holds.items() if held & (is_y | holding)}
        found |= {t for u, ts in entries.items() if u in holding or (not surely and u in is_y) for t in ts}
        grown = closure(found | holding)
        if grown <= holding:
            return is_y | holding
        holding |= grown


# Calls whose result is a new list or tuple holding the entries of their argument.
_COPYING = (list, tuple, sorted)


def copy_sources(value, callees, effects_of=None) -> list:
    """[(name, check, new)] for the names whose entries the value of `value` may hold without
    sharing the names' own memory, a shallow copy: ``list(xs)``, ``tuple(xs)``, ``sorted(xs)``
    hold the entries of ``xs`` whatever it is (`check`: ``runtime.entries_passed_as_value``);
    ``xs.copy()``, ``xs + zs``, ``xs * 2`` where ``xs`` is a list, tuple or dict, a new array of
    numbers where it is an array of numbers (``runtime.copied_entries_passed_as_value``); a user
    function's result, as its summary says (`effects.returned_copies`). `new`: the object of the
    value is new (a write into it changes nothing of the name); not for the entry of a copy a
    function returns."""
    if isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Mult)):
        return [(v.id, "copied_entries_passed_as_value", True) for v in (value.left, value.right)
                if isinstance(v, gast.Name) and _variable(v, callees)]
    if not isinstance(value, gast.Call):
        return []
    callee = callees.classify_call(value)
    if callee.kind == "user":
        if effects_of is None:
            return []
        from .effects import returned_copies   # effects builds on this module
        checks = {COPY: "entries_passed_as_value", COPY_IF_LISTED: "copied_entries_passed_as_value"}
        return [(a.id, checks.get(how, "passed_as_value" if how == HOLDS_ANY else "copied_entries_passed_as_value"),
                 how != ENTRY_IF_LISTED) for how, a in returned_copies(value, callees, effects_of)]
    if value.args and isinstance(value.args[0], gast.Name) and any(callee.obj is f for f in _COPYING):
        return [(value.args[0].id, "entries_passed_as_value", True)]
    if callee.kind == "rule" and callee.receiver is not None and value.func.attr == "copy" and isinstance(
            callee.receiver, gast.Name):
        return [(callee.receiver.id, "copied_entries_passed_as_value", True)]
    return []


def _written_name(s) -> str:
    return subscript_write(s).value.id if subscript_write(s) is not None else s.targets[0].id


def _target_nodes(s):
    return [n for t in s.targets for n in name_nodes(t)]


def inplace_augmented(fn, callees) -> list:
    """The statements `y = _1` made of `y += e` where `y` may be an array or a list, whose
    memory NumPy (or Python) changes in place; on numbers and tuples `+=` rebinds."""
    candidates = [s for s in walk_statements(fn.body) if augmented(s)]
    immutable = immutable_names(fn, callees) if candidates else set()
    return [s for s in candidates if s.targets[0].id not in immutable]


# Calls whose result is a number, a string or a tuple: never an array.
_NUMBER_FUNCTIONS = (len, int, float, bool, round, str, np.ndim, np.size, np.shape, runtime.size_of)
# ... and the reductions to one number when called with one argument (`np.sum(x)`, `x.sum()`).
_REDUCTIONS = (np.sum, np.mean, np.prod, np.max, np.min, np.amax, np.amin, np.vdot, np.median, np.std, np.var)
_REDUCTION_METHODS = {"sum", "mean", "prod", "max", "min", "std", "var", "item"}


def _definitions(fn, range_index=None) -> dict:
    """{name: the values assigned to it}: None for one not known (a parameter, an unpacked or a
    loop target; a ``range`` loop index is `range_index`)."""
    defs: dict = {}
    for s in walk_statements(fn.body):
        if isinstance(s, gast.Assign) and subscript_write(s) is None:
            for t in _target_nodes(s):
                defs.setdefault(t.id, []).append(s.value if isinstance(s.targets[0], gast.Name) else None)
        elif isinstance(s, gast.For):
            is_range = isinstance(s.iter, gast.Call) and isinstance(s.iter.func, gast.Name) and s.iter.func.id == "range"
            for t in walk(s.target):
                if isinstance(t, gast.Name):
                    defs.setdefault(t.id, []).append(range_index if is_range else None)
    for p in param_names(fn):
        defs.setdefault(p, []).append(None)
    return defs


def immutable_names(fn, callees) -> set[str]:
    """Names that only ever hold numbers, strings or tuples (so ``y += e`` rebinds ``y``)."""
    defs = _definitions(fn, range_index=gast.Constant(value=0, kind=None))
    known: set = set()

    def atom(node):
        return isinstance(node, gast.Constant) or (isinstance(node, gast.Name) and node.id in known)

    def number(value):
        if value is None:
            return False
        if isinstance(value, gast.Constant):
            return True
        if isinstance(value, gast.Name):
            return value.id in known
        if isinstance(value, gast.Tuple):
            return True
        if isinstance(value, gast.BinOp):
            return atom(value.left) and atom(value.right)
        if isinstance(value, gast.UnaryOp):
            return atom(value.operand)
        if isinstance(value, gast.Compare):
            return atom(value.left) and all(atom(c) for c in value.comparators)
        if isinstance(value, gast.Attribute):
            return value.attr in ("shape", "ndim", "size")
        if isinstance(value, gast.Call):
            callee = callees.classify_call(value)
            plain = len(value.args) <= 1 and not value.keywords
            if callee.receiver is not None:
                return plain and not value.args and value.func.attr in _REDUCTION_METHODS
            obj = callee.obj
            if any(obj is f for f in _NUMBER_FUNCTIONS) or getattr(obj, "__module__", None) == "math":
                return True
            return plain and any(obj is f for f in _REDUCTIONS)
        return False

    known |= set(defs)  # the greatest fixed point: `s = 0.0` then `s = s + 1.0` in a loop is a number
    changed = True
    while changed:
        changed = False
        for v, values in defs.items():
            if v in known and not all(number(x) for x in values):
                known.discard(v)
                changed = True
    return known


def check_writes(fn, info, callees, temp, helper=lambda n: n, effects_of=None):
    """Raise `UnsupportedError` where a name sharing memory with an array written in
    place is read after the write: its value changed behind its back.

    ``y += e`` writes all of ``y`` in place when ``y`` is an array or a list (normal
    form made it ``y = y + e``). Where ``y`` may also be a number (a parameter), the
    derivative is exact if it is one: a call to `rebinds` is put before the statement,
    which raises if it is not.

    A shallow copy (`copy_sources`: ``ys = xs.copy()``, ``list(xs)``, ``xs + zs``) is a new
    object holding ``xs``'s entries: a write into ``ys`` itself changes nothing of ``xs``, but a
    write into a name that may be an entry of it (``v = ys[0]; v += 1.0``) changes ``xs[0]``
    where ``xs`` is a list, tuple or dict holding arrays or lists. Where a name that may share
    memory that way only is read after such a write, a check is put before the copy
    (`runtime.entries_passed_as_value`, ...), which raises if ``xs``'s entries are arrays or
    lists (a copy of an array of numbers holds numbers of its own)."""
    _refuse_writes_into_globals(fn, info, callees, effects_of)
    inplace = inplace_augmented(fn, callees)
    shares = sharing(fn, callees, inplace, effects_of=effects_of)
    if not shares:
        return
    guards, checks = _entries_augmented(fn, callees, inplace, effects_of, temp, info, helper), {}
    holders, surely, graph = _lists_and_dicts(fn, callees), _lists_and_dicts(fn, callees, surely=True), None
    mutable = mutable_names(fn, callees) if inplace else set()
    strong = sharing(fn, callees, inplace, direct=True) if inplace else {}
    copies = [(c, c.targets[0].id, source, check) for c in walk_statements(fn.body)
              if isinstance(c, gast.Assign) and isinstance(c.targets[0], gast.Name) and subscript_write(c) is None
              for source, check, _ in copy_sources(c.value, callees, effects_of)]
    if copies:
        classes = sharing(fn, callees, inplace, effects_of=effects_of, every=True)
        new = _new_copies(fn, callees, effects_of)
    since_made = _since_made(fn, callees, effects_of, temp)
    bindings = [(t.id, _shared_operands(c.value, callees, effects_of)) for c in walk_statements(fn.body)
                if isinstance(c, gast.Assign) and subscript_write(c) is None for t in _target_nodes(c)
                if isinstance(t, gast.Name)]
    for s, live in _live_after_writes(fn.body, set(inplace)).items():
        y = _written_name(s)
        seen, through = _through_copies(y, copies, classes, new) if copies else (set(), [])
        stale = sorted(v for v in seen - shares[y] if v in live)
        if stale:
            reader = next((v for v in stale if not temp(v)), stale[0])
            what = f"`{y} {augmented(s)} ...`" if augmented(s) else f"`{y}[...] = ...`"
            for c, target, source, check in through:
                message = (
                    f"{info.location(s)}: {what} changes `{y}` in place, and what `{y}` is may be held by `{source}` "
                    f"and by its copy `{target}` (line {c.lineno}: `.copy()`, `list(...)`, `+` and `*` copy a "
                    f"list, not the arrays or lists it holds); `{reader}` is read later and changes too: copy the "
                    f"entries (`[a.copy() for a in {source}]`), or write `{y} = {y} "
                    f"{augmented(s)[:-1] if augmented(s) else '+'} ...` for a new array")
                checks.setdefault((c, source), expr_stmt(call(helper(check), source, const(message)), c))
        group = shares.get(y, ())
        if subscript_write(s) is not None and y in holders:   # a key or position of a list or dict
            graph = graph or _holding_graph(fn, callees, effects_of)
            group = _may_be_or_hold(graph, y, y in surely)
        stale = sorted(v for v in group if v != y and v in live)
        if not stale:
            continue
        users = [v for v in stale if not temp(v)]
        made_of_y = {t for t, operands in bindings if y in operands}   # (named first: `a = y`, `v = y[1:]`)
        users.sort(key=lambda v: v not in made_of_y)
        if augmented(s):  # (only temporaries: the value of a call that may return its argument)
            users = users or stale
            error = UnsupportedError(
                f"`{y} {augmented(s)} ...` changes the array `{y}` in place, but `{users[0]}` shares its memory "
                f"and is read later (NumPy changes it too)", info.location(s),
                f"copy first (`{y} = {y}.copy()` before this line, or make `{users[0]}` with `.copy()`), or "
                f"write `{y} = {y} {augmented(s)[:-1]} ...` for a new array")
            if y in mutable and set(users) & strong.get(y, set()):
                raise error
            message = f"{error.location}: `{y} {augmented(s)} ...` changes `{y}` in place, but a name that shares " \
                      f"its memory is read later; s2s differentiated it as `{y} = {y} {augmented(s)[:-1]} ...` (copy first)"
            others = gast.Tuple(elts=[name(v) for v in stale], ctx=gast.Load())
            guards[s] = expr_stmt(call(helper("rebinds"), y, others, const(message)), s)
            continue
        if users and subscript_write(s) is not None and y in holders:   # a list or dict `users[0]` holds
            raise UnsupportedError(
                f"`{y}` is modified in place here, but `{users[0]}` may be it or hold it, and is read later",
                info.location(s), f"replace `{y}` by a copy before the write (`{y} = {y}.copy()`), so that "
                                  f"`{users[0]}` keeps what it had")
        if users and s in since_made:   # only what the statements since `y` was made new may share
            local = sharing(_region(fn, since_made[s]), callees, effects_of=effects_of).get(y, {y})
            users = [v for v in users if v in local]
            if not users and not [v for v in stale if v in local]:
                continue
        if users:
            raise UnsupportedError(
                f"`{y}` is modified in place here, but `{users[0]}` shares its memory and is read later",
                info.location(s), f"copy first: `{y} = {y}.copy()` before this line (the write then changes "
                                  f"only the copy), or make `{users[0]}` with `.copy()` where it is made, so that "
                                  "each name holds its own array")
        raise UnsupportedError(
            f"`{y}` is modified in place here while a part of it read earlier in this statement is still "
            f"to be used (NumPy may give a view, which the write changes)", info.location(s),
            f"write all the elements at once with index arrays (`{y}[[0, 1]] = {y}[[1, 0]]`), or copy first")
    if checks:
        before: dict = {}
        for (c, _), check in checks.items():
            before.setdefault(c, []).append(check)
        _insert_before(fn, before)
    if guards:
        _insert_before(fn, guards)
        # a name a guard reads may be unassigned on some path there (a loop target): it starts as None
        reads = {s: {n.id for n in guards[s].value.args[1].elts} for s in guards}
        undefined, _ = maybe_undefined(fn.body, param_names(fn), reads)
        fn.body[:0] = [assign(v, const(None), fn.body[0]) for v in sorted(undefined)]


def _through_copies(y, copies, classes, new):
    """(names, [(statement, target, source, check)]): the names that may hold, through shallow
    copies, what a write into `y` changes, and the copies they are made by. `y` may be (or be an
    entry of) a copy's target: then it may be an entry of the copy's source too (unless `y` is
    the new object of that copy, `new`); one that may be or hold what the write changes is a
    copy's source: the copy holds it too (unless the source is `y`, whose copy holds its entries,
    not `y` itself; `list(y)` of an array of two dimensions holds views of its rows)."""
    up = set(classes.get(y, {y}))
    down: set = set()
    through = []
    changed = True
    while changed:
        changed = False
        for c, target, source, check in copies:
            if target in up and source not in up and not (target == y and y in new):
                up |= classes.get(source, {source})
            elif (source in up or source in down) and target not in down and target not in up and not (
                    source == y and check != "entries_passed_as_value"):
                down |= classes.get(target, {target})
            else:
                continue
            through.append((c, target, source, check))
            changed = True
    return up | down, through


def _new_copies(fn, callees, effects_of) -> set[str]:
    """Names every assignment to which makes a new object (a shallow copy: `copy_sources`)."""
    return {v for v, values in _definitions(fn).items()
            if all(x is not None and (sources := copy_sources(x, callees, effects_of)) and all(
                n for _, _, n in sources) for x in values)}


def _insert_before(node, guards):
    for field in ("body", "orelse"):
        stmts = getattr(node, field, None)
        if isinstance(stmts, list):
            out = []
            for s in stmts:
                if s in guards:  # a statement, or a list of them
                    out += guards[s] if isinstance(guards[s], list) else [guards[s]]
                _insert_before(s, guards)
                out.append(s)
            setattr(node, field, out)


# Calls that make a new array (or list), and the view attributes and methods of one.
_NEW_ARRAYS = (np.array, np.zeros, np.ones, np.empty, np.full, np.arange, np.linspace, np.copy, np.zeros_like,
               np.ones_like, np.empty_like, np.full_like, np.eye, np.identity, np.stack, np.concatenate, np.vstack,
               np.hstack, np.column_stack, np.outer, np.kron, np.tile, np.repeat, np.cumsum, np.cumprod, np.sort, list)


def mutable_names(fn, callees) -> set[str]:
    """Names that only ever hold arrays or lists (a superset of none: a name whose value
    may be a number is not here)."""
    defs = _definitions(fn)
    known: set = set()

    def mutable(value):
        if isinstance(value, gast.Name):
            return value.id in known
        if isinstance(value, (gast.List, gast.ListComp)):
            return True
        if isinstance(value, gast.BinOp) and not isinstance(value.op, gast.MatMult):
            return mutable(value.left) or mutable(value.right)
        if isinstance(value, gast.Subscript):
            return mutable(value.value) and (isinstance(value.slice, gast.Slice) or (
                isinstance(value.slice, gast.Tuple) and any(isinstance(e, gast.Slice) for e in value.slice.elts)))
        if isinstance(value, gast.Attribute):
            return value.attr in ("T", "mT") and mutable(value.value)
        if isinstance(value, gast.Call):
            callee = callees.classify_call(value)
            if callee.receiver is not None:
                return value.func.attr == "copy" or (value.func.attr in VIEW_METHODS and mutable(callee.receiver))
            return any(callee.obj is f for f in _NEW_ARRAYS)
        return False

    known |= set(defs)  # the greatest fixed point, as in `immutable_names`
    changed = True
    while changed:
        changed = False
        for v, values in defs.items():
            if v in known and not all(x is not None and mutable(x) for x in values):
                known.discard(v)
                changed = True
    return known


def _refuse_writes_into_globals(fn, info, callees, effects_of):
    """Refuse a write in place into an array, list or dict of the module or of an enclosing
    function (a global `BUF[1] = v`, `STORE.append(x)`, a view of one written): s2s reads such
    names as constants, and the write would change them for every later call."""
    from .effects import MUTATING_METHODS, written_operands   # effects builds on this module
    params = set(param_names(fn))
    writes = []
    for s in walk_statements(fn.body):
        if subscript_write(s) is not None:
            writes.append((s, _written_name(s)))
        value = s.value if isinstance(s, (gast.Expr, gast.Assign)) else None
        if isinstance(value, gast.Call):
            callee = callees.classify_call(value)
            if callee.kind != "user":
                operands = written_operands(value, callee)
                if isinstance(value.func, gast.Attribute) and value.func.attr in MUTATING_METHODS:
                    operands.append(value.func.value)   # (a global's too: `STORE.append(x)`)
                writes += [(s, n.id) for n in operands if isinstance(n, gast.Name)]
    if not writes:
        return
    classes = sharing(fn, callees, every=True, effects_of=effects_of)

    def outer(v):   # a name of the module or of an enclosing function, holding a value (not a module, function)
        return v not in callees.locals and v not in params and _variable(name(v), callees) \
            and callees.lookup(name(v)) is not _MISSING
    for s, y in writes:
        found = sorted(v for v in classes.get(y, {y}) if outer(v))
        if found:
            raise UnsupportedError(
                f"`{y}` is changed in place here, and it is or may share the memory of `{found[0]}`, a variable of "
                "the module (or of an enclosing function): s2s reads it as a constant, and the change would stay "
                "for every later call", info.location(s),
                f"pass `{found[0]}` as an argument and return the new value, or work on a copy "
                f"(`{found[0]}.copy()`)")


def _entries_augmented(fn, callees, inplace, effects_of, temp, info, helper) -> dict:
    """{`_1 = _2 + v` of ``y[i] += v``: a check put before it}. Where `y` is a list or a dict and
    its entry `_2` an array, NumPy's `+=` changes that array itself (`__iadd__`), which s2s
    differentiated as a new one: the check raises when it runs if a name read later may see the
    entry (`a` of ``xs = [a, u]``); it lets numbers, and the row of an array, through."""
    holders = _lists_and_dicts(fn, callees) | set(param_names(fn))   # (an array's entries: its own writes)
    marked = [s for s in walk_statements(fn.body) if getattr(s, ENTRY_AUGMENTED, None) in holders]
    if not marked:
        return {}
    classes = sharing(fn, callees, inplace, effects_of=effects_of, every=True)
    copies = [(c.targets[0].id, source) for c in walk_statements(fn.body)
              if isinstance(c, gast.Assign) and isinstance(c.targets[0], gast.Name) and subscript_write(c) is None
              for source, _, _ in copy_sources(c.value, callees, effects_of)]
    guards = {}
    for s, live in _live_after_writes(fn.body, set(inplace), at=set(marked)).items():
        if s not in marked:
            continue
        y, entry = getattr(s, ENTRY_AUGMENTED), s.value.left.id
        group, grown = set(classes.get(y, {y})), True
        while grown:   # (a shallow copy, `ys = list(xs)`, holds the entries of what it copies: both ways)
            grown = False
            for target, source in copies:
                if target in group or source in group:
                    more = classes.get(target, {target}) | classes.get(source, {source})
                    grown, group = grown or not more <= group, group | more
        others = sorted(v for v in group if v not in (y, entry) and v in live and not temp(v))
        if not others:
            continue
        symbol = {gast.Add: "+=", gast.Sub: "-=", gast.Mult: "*=", gast.Div: "/="}.get(type(s.value.op), "op=")
        which = ", ".join(f"`{v}`" for v in others)
        message = (f"{info.location(s)}: `{y}[...] {symbol} ...` changes the array in that entry of `{y}` in place "
                   f"(NumPy's `{symbol}`), and a name read later holds that array ({which}: one of them); s2s "
                   f"differentiated it as a new array: write `{y}[...] = {y}[...] {symbol[:-1]} ...`")
        guards[s] = expr_stmt(call(helper("rebinds"), name(entry), gast.Tuple(elts=[name(v) for v in others],
                                                                              ctx=gast.Load()), const(message)), s)
    return guards


def _since_made(fn, callees, effects_of, temp) -> dict:
    """{subscript write `y[k] = v`: the statements that may have run since `y` was last bound to a
    new array (one sharing no memory: ``y = u.copy()``, ``y = np.zeros(n)``, arithmetic), in the
    same block as that binding or one enclosing it: the binding, and what follows it up to the
    statement that holds the write, loops (their back edges) included}. Nothing else can share
    `y`'s memory at the write (``new = u.copy(); for i...: new[i] = ...; u = new``: `u` is `new`
    only after the loop). Writes without such a binding are left out."""
    written = {_written_name(s) for s in walk_statements(fn.body) if subscript_write(s) is not None}
    found: dict = {}

    def made_new(stmts, k):
        s = stmts[k]
        if not (isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and s.targets[0].id in written
                and subscript_write(s) is None):
            return False
        if isinstance(s.value, gast.Name) and temp(s.value.id) and k:   # `_1 = u.copy(); new = _1`
            before = stmts[k - 1]
            return isinstance(before, gast.Assign) and isinstance(before.targets[0], gast.Name) \
                and before.targets[0].id == s.value.id and subscript_write(before) is None \
                and not _shared_operands(before.value, callees, effects_of)
        return not _shared_operands(s.value, callees, effects_of)

    def block(stmts):
        for k, s in enumerate(stmts):
            if made_new(stmts, k):
                y = s.targets[0].id
                for j in range(k + 1, len(stmts)):
                    for w in walk_statements([stmts[j]]):
                        if subscript_write(w) is not None and _written_name(w) == y:
                            found[w] = stmts[k:j + 1]
        for s in stmts:
            for part in (getattr(s, "body", None), getattr(s, "orelse", None)):
                if isinstance(part, list) and not isinstance(s, gast.FunctionDef):
                    block(part)   # (inner blocks after: a binding nearer the write wins)

    block(fn.body)
    return found


def _region(fn, stmts):
    """A function of `fn`'s parameters whose body is `stmts` (for `sharing` over them only)."""
    return gast.FunctionDef(name=fn.name, args=fn.args, body=list(stmts), decorator_list=[], returns=None,
                            type_comment=None, type_params=[])


def _live_after_writes(body, inplace=frozenset(), at=frozenset()) -> dict:
    """{write statement: names live just after it} (backward liveness on normal form), for
    the subscript writes and the statements `inplace` (assignments or expression statements); and for
    the statements `at`."""
    result: dict = {}
    exits: list = []

    def uses(s):
        return {n.id for n in name_nodes(s) if isinstance(n.ctx, gast.Load)}

    def block(stmts, live):
        for s in reversed(stmts):
            live = stmt(s, live)
        return live

    def stmt(s, live):
        if s in at:
            result[s] = set(live) | result.get(s, set())
        if isinstance(s, gast.Break):
            return set(exits[-1])
        if isinstance(s, gast.Assign):
            if subscript_write(s) is not None:
                result[s] = set(live) | result.get(s, set())
                return live | uses(s)  # a partial write: y's other elements live on
            if s in inplace:
                result[s] = set(live) | result.get(s, set())
            defs = {n.id for n in _target_nodes(s)}
            return (live - defs) | uses(s.value)
        if isinstance(s, gast.If):
            return block(s.body, live) | block(s.orelse, live) | uses(s.test)
        if isinstance(s, (gast.For, gast.While)):
            header = uses(s.iter) if isinstance(s, gast.For) else uses(s.test)
            exits.append(set(live))
            head = set(live) | header
            while True:
                new = head | block(s.body, head)
                if new == head:
                    break
                head = new
            exits.pop()
            return head
        if s in inplace:  # an expression statement: `xs.append(v)` (see `mutations`)
            result[s] = set(live) | result.get(s, set())
        return live | uses(s)

    block(body, set())
    return result
