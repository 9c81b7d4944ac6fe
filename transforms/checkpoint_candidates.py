"""Which loops `checkpoint` may run again: a loop's trips must compute, the second time, what they
computed the first, and leave what others read as it was.

A candidate is a `for` loop over `range(...)` without `else`, not inside another candidate, whose
calls are deterministic (`deterministic`: rules, NumPy outside `numpy.random`, pure builtins,
user functions that are themselves deterministic) and whose effects s2s can repeat: none, but
for `print` and appends to lists it does not read (both left out of the runs again), and
writes `y[i + c] = v` that each trip makes into elements of its own of an array nothing before
the loop reads, and the loop only where earlier trips wrote (`_writes_repeatable`).
Pops, augmented assignments and other call statements keep the loop recorded as without
checkpointing.
"""
from __future__ import annotations

import copy
import inspect

import gast
import numpy as np

from s2s.errors import S2SError
from .nodes import name_nodes, popped, pushed, subscript_write, walk, walk_statements


def candidates(body, is_range, callees, user_deterministic, shares) -> dict:
    """{loop: (a copy of it as it is now, nested)}: the loops of `body` (normal form, before
    `reverse` changes it) that may be checkpointed -- `for` loops over `range(...)`
    (`is_range(call)`) without `else`, whose trips change no array or list in place but by writes
    that running them again repeats harmlessly (`_writes_repeatable`; `shares`: what
    `aliasing.sharing` says of the function) and compute the same values when they run again
    (`deterministic`), and which are not inside such a loop -- with their plain form (without its
    `print`s: `printed`); `nested`: inside another loop (a `while`, or a loop that writes in place
    otherwise), whose trips each run it anew."""
    found = {}

    def take(loop, nested, seen):
        if is_range(loop.iter) and not loop.orelse and _writes_repeatable(loop, nested, seen, shares, callees) \
                and deterministic(loop.body, callees, user_deterministic):
            found[loop] = (copy.deepcopy(loop), nested)
            return True
        return False
    _visit_loops(body, callees, take)
    return found


def write_once(body, is_range, callees, shares) -> set:
    """The writes `y[.., i + c, ..] = v` of loops over `range(...)` (not inside another loop)
    whose old values no adjoint reads, so that reverse mode need not record them: into an array
    that nothing before the loop reads, that each trip writes elements of its own of, and that the
    loop reads only where earlier trips wrote (`_array_offsets`). The backward sweep reads the
    array where the loop did, or where code after it did: once the loop has run, every element
    there holds what it held when it was read."""
    found = set()
    if not any(subscript_write(s) is not None for s in walk_statements(body)):
        return found   # (no write to find: the walk below reads every statement for what it reads)

    def take(loop, nested, seen):
        if not nested and is_range(loop.iter):
            arrays = {y for y, offset in _array_offsets(loop, callees).items()
                      if offset is not None and not shares.get(y, {y}) & seen}
            found.update(s for s in walk_statements(loop.body)
                         if subscript_write(s) is not None and subscript_write(s).value.id in arrays)
        return False
    _visit_loops(body, callees, take)
    return found


def _visit_loops(body, callees, take):
    """Calls `take(loop, nested, seen)` for each `for` loop of `body` over a call with a target
    name, in the order they run, not inside a loop `take` returned True for (`nested`: inside
    another loop; `seen`: the names whose values the statements before read)."""
    seen: set = set()

    def visit(stmts, nested):
        for s in stmts:
            if isinstance(s, gast.If):
                seen.update(_value_reads(s.test, callees))
                visit(s.body, nested)
                visit(s.orelse, nested)
                continue
            if isinstance(s, (gast.For, gast.While)) and not (
                    isinstance(s, gast.For) and isinstance(s.iter, gast.Call) and isinstance(s.target, gast.Name)
                    and take(s, nested, frozenset(seen))):
                seen.update(_value_reads(s.iter if isinstance(s, gast.For) else s.test, callees))
                visit(s.body, True)
                continue
            for inner in walk_statements([s]):
                seen.update(_value_reads(inner, callees))
    visit(body, False)


def deterministic(stmts, callees, user_deterministic) -> bool:
    """Do `stmts` compute the same values each time they run from the same values? Every call is
    of a function with a rule (NumPy's, s2s's helpers: pure), or of a user function for which
    `user_deterministic(function)` holds -- not of a function s2s knows nothing of (a random draw,
    a clock, a file read), which a run again would not repeat."""
    for s in walk_statements(stmts):
        if pushed(s):   # (`xs.append(v)`: what it does `_only_appended` says)
            continue
        for node in _expressions(s):
            if not isinstance(node, gast.Call):
                continue
            try:
                callee = callees.classify_call(node)
            except S2SError:
                return False
            if (callee.kind == "unknown" and not _repeatable(callee.obj)) or \
                    (callee.kind == "user" and not user_deterministic(callee.obj)):
                return False
    return True


# Builtins without rules whose result depends on their arguments only (not `next`, `iter`, `id`,
# `input`, `open`, nor those that call functions they are given: `map`, `getattr`).
_BUILTINS = {slice, range, len, int, float, bool, complex, abs, min, max, sum, round, pow, divmod, tuple, list,
             dict, set, frozenset, zip, enumerate, reversed, sorted, isinstance, type, any, all, str, repr, format,
             callable, chr, ord, hasattr}


def _repeatable(obj) -> bool:
    """Is `obj`, a function s2s has no rule for, one that gives the same result for the same
    arguments? A builtin of `_BUILTINS`, or a NumPy function but those of `numpy.random` (s2s
    knows nothing else of it: a random draw, a clock, a read is not run again)."""
    if obj in _BUILTINS if _hashable(obj) else False:
        return True
    if isinstance(obj, np.ufunc):
        return True
    module = getattr(obj, "__module__", None) or ""
    return callable(obj) and not inspect.ismethod(obj) and (module == "numpy" or module.startswith("numpy.")) \
        and not module.startswith("numpy.random")


def _hashable(obj) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def _expressions(s):
    """The expression nodes of statement `s` itself (not of the statements in its blocks)."""
    for field in s._fields:
        if field in ("body", "orelse"):
            continue
        value = getattr(s, field)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, gast.AST):
                yield from walk(v)


def _writes_repeatable(loop, nested, seen, shares, callees) -> bool:
    """May `loop` run again, in the backward pass, though its trips change arrays in place?
    Yes where it changes none, and where its only such changes are writes that `_array_offsets`
    allows into arrays that nothing before the loop reads (`seen`: but for their shapes), nor any
    name sharing their memory (`shares`). Each trip then writes elements of its own, and reads
    only elements that earlier trips wrote (or that no trip writes): once the loop has run, a trip
    run again reads what it read the first time and writes what is there already, so the array
    needs no record and no snapshot. (The loop must not be inside another, whose next trip could
    read it.)"""
    for s in walk_statements(loop.body):
        if pushed(s):
            continue
        if (isinstance(s, gast.Assign) and popped(s.value)) or isinstance(s, gast.AugAssign) \
                or (isinstance(s, gast.Expr) and not printed(s, callees)):
            return False   # (an effect s2s knows how to undo is one of these; be safe with the rest)
    arrays = _array_offsets(loop, callees)
    lists = appended_lists(loop)
    if not arrays and not lists:
        return True
    return not nested and all(offset is not None and not shares.get(y, {y}) & seen for y, offset in arrays.items()) \
        and _only_appended(loop, lists, shares, callees)


def appended_lists(loop) -> set:
    """The lists `loop` appends to (`xs.append(v)`)."""
    return {pushed(s)[0] for s in walk_statements(loop.body) if pushed(s)}


def _only_appended(loop, lists, shares, callees) -> bool:
    """Does `loop` do nothing with the lists `lists` but append to them (no other read, by them or
    by a name sharing them, not even of their length, which each append changes; no assignment)?
    Then the runs again of its trips need not append: the lists hold what they appended the first
    time, and the backward sweep takes off (`xs.pop()`), last first, what each trip appended,
    where it reads them."""
    if not lists:
        return True
    if lists & assigned_names(loop.body):
        return False
    receivers = {id(s.value.func.value) for s in walk_statements(loop.body) if pushed(s)}
    sharing = set().union(*(shares.get(xs, {xs}) for xs in lists))
    return not any(isinstance(n, gast.Name) and n.id in sharing and isinstance(n.ctx, gast.Load)
                   and id(n) not in receivers for s in walk_statements(loop.body) for n in _expressions(s))


def _array_offsets(loop, callees) -> dict:
    """{y: (axis, c)} for each array `y` that `loop` (over `range(...)`) writes into -- or None
    where its writes and reads are not these: writes `y[.., i + c, ..] = v`, the loop's index plus
    a constant at one axis (the other parts ints, slices of ints or names the loop does not
    assign; the parts before it each taking one axis), with the one c; reads only
    `y[.., i + r, ..]` at that axis with r < c (or of its shape); `y` not assigned in the loop."""
    writes = [subscript_write(s) for s in walk_statements(loop.body) if subscript_write(s) is not None]
    if not writes:
        return {}
    assigned, appended = assigned_names(loop.body), appended_lists(loop)
    offsets = _index_offsets(loop)
    arrays: dict = {}
    for target in writes:
        y = target.value
        if not isinstance(y, gast.Name):
            return {None: None}
        parts = target.slice.elts if isinstance(target.slice, gast.Tuple) else [target.slice]
        axis = _offset_axis(parts, offsets) if all(
            (isinstance(p, gast.Name) and (p.id in offsets or p.id not in assigned)) or _fixed(p) for p in parts) else None
        # (two offsets: `y[i] = a; y[i + 1] = b` writes an element at two trips; a list appended
        # to grows: its positions hold other elements as it does)
        arrays[y.id] = axis if arrays.get(y.id, axis) == axis and y.id not in assigned | appended else None
    for s in walk_statements(loop.body):
        for node in _value_reads(s, callees, arrays):
            y = node.value.id if isinstance(node, gast.Subscript) else node.id
            if arrays[y] is None:
                continue
            read = None
            if isinstance(node, gast.Subscript):   # (else the whole array, or its memory through another name)
                read = _offset_axis(node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice], offsets)
            if read is None or read[0] != arrays[y][0] or read[1] >= arrays[y][1]:
                arrays[y] = None
    return arrays


def _offset_axis(parts, offsets):
    """(axis, c) where the index `parts` holds the loop's index plus c, the parts before it each
    taking one axis (an int, a slice, the loop's index plus a constant); else None."""
    for axis, p in enumerate(parts):
        if isinstance(p, gast.Name) and p.id in offsets:
            return axis, offsets[p.id]
        if not (_fixed(p) or (isinstance(p, gast.Name) and p.id in offsets)):
            return None
    return None


def _index_offsets(loop) -> dict:
    """{name: c} for the names that hold the index of `loop` plus c at every trip, where that is
    never below zero (a negative index would name an element from the end): the index, and
    temporaries assigned once, at the top of the body before anything reads them, `i + c` (or
    `i - c`, with the range starting at c or above)."""
    args = loop.iter.args
    start = args[0].value if len(args) >= 2 and isinstance(args[0], gast.Constant) else 0 if len(args) == 1 else None
    step = args[2].value if len(args) == 3 and isinstance(args[2], gast.Constant) else 1 if len(args) < 3 else None
    if not (type(start) is int and start >= 0 and type(step) is int and step > 0):
        return {}
    i = loop.target.id
    counts: dict = {}
    for s in walk_statements(loop.body):
        for n in assigned_names([s]) if not is_block(s) else ():
            counts[n] = counts.get(n, 0) + 1
    if i in counts:
        return {}
    offsets, read = {i: 0}, set()
    for s in loop.body:
        if isinstance(s, gast.Assign) and isinstance(s.targets[0], gast.Name) and counts.get(s.targets[0].id) == 1 \
                and s.targets[0].id not in read and isinstance(s.value, gast.BinOp) \
                and isinstance(s.value.op, (gast.Add, gast.Sub)):
            left, right, add = s.value.left, s.value.right, isinstance(s.value.op, gast.Add)
            if isinstance(left, gast.Constant) and add:
                left, right = right, left
            if isinstance(left, gast.Name) and left.id == i and isinstance(right, gast.Constant) \
                    and type(right.value) is int and (right.value >= 0 if add else right.value <= start):
                offsets[s.targets[0].id] = right.value if add else -right.value
        read |= {n.id for n in name_nodes(s) if isinstance(n.ctx, gast.Load)}
    return offsets


def _fixed(part) -> bool:
    """A part of an index that names the same elements at every trip: an int, a slice of ints."""
    if isinstance(part, gast.Constant):
        return type(part.value) is int
    if isinstance(part, gast.Slice):
        return all(b is None or (isinstance(b, gast.Constant) and (b.value is None or type(b.value) is int))
                   for b in (part.lower, part.upper, part.step))
    return False


_SHAPE_CALLS = (len, np.shape, np.ndim, np.size)
_SHAPE_ATTRIBUTES = {"shape", "ndim", "size", "dtype"}


def _value_reads(node, callees, arrays=None):
    """The names `node` (a statement or an expression) reads the values of: not the array of a
    write `y[i] = v` (its index and value, yes), not one whose shape only it reads (`len(y)`,
    `y.shape`). With `arrays`, the reads of those names: each the `y[...]` it is read by, or the
    name itself where it is read whole."""
    shape_only, reads, indexed = set(), set(), {}
    for n in walk(node):
        if isinstance(n, gast.Assign) and subscript_write(n) is not None:
            shape_only.add(id(n.targets[0].value))
        elif isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name):
            indexed[id(n.value)] = n
            if isinstance(n.ctx, gast.Store):
                shape_only.add(id(n.value))
        elif isinstance(n, gast.Call) and len(n.args) == 1 and not n.keywords and isinstance(n.args[0], gast.Name):
            try:
                shape = any(callees.lookup(n.func) is f for f in _SHAPE_CALLS)
            except S2SError:
                shape = False
            if shape:
                shape_only.add(id(n.args[0]))
        elif isinstance(n, gast.Attribute) and n.attr in _SHAPE_ATTRIBUTES and isinstance(n.value, gast.Name):
            shape_only.add(id(n.value))
        elif isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load):
            reads.add(n)
    if arrays is not None:
        return [indexed.get(id(n), n) for n in reads if id(n) not in shape_only and n.id in arrays]
    return {n.id for n in reads if id(n) not in shape_only}


def printed(s, callees) -> bool:
    """Is `s` the statement `print(...)`? (A checkpointed loop prints once: its runs again do not.)"""
    return isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Name) \
        and callees.lookup(s.value.func) is print


def assigned_names(stmts) -> set:
    return {n.id for s in walk_statements(stmts) for n in name_nodes(s)
            if isinstance(n.ctx, gast.Store) and not is_block(s)} | \
           {s.target.id for s in walk_statements(stmts) if isinstance(s, gast.For) and isinstance(s.target, gast.Name)}


def is_block(s) -> bool:
    return isinstance(s, (gast.If, gast.For, gast.While))
