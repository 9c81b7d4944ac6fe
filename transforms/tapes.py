"""Tapes: what a loop over a range records at each trip, in one array, in code for known shapes.

The forward sweep records the value a loop's statement overwrites by pushing it on the one list
`_stack`, and the backward loop pops it back: for the RNN, 50 arrays of 16 numbers, each with its
own header, alive until the backward sweep. Where the loop runs over the indices of a range and
the value is a float64 array of a known shape, one array indexed by the trip holds them instead,
as a person writes it::

    _tape1 = np.empty((50, 16))                 (before the forward loop)
    for t in range(50):
        ...
        _tape1[t] = h                           (was `_stack.append(h)`)
        h = np.tanh(_1)
    ...
    for t in reversed(range(50)):
        ...
        h = _tape1[t]                           (was `h = _stack.pop()`)

A pair is rewritten where:

- the forward loop is ``for t in range(a, b)`` at the top of the forward sweep (`a` an int constant
  of 0 or more, or absent; `b` an int constant or ``len(xs)``), left only at its end (no `break`,
  `continue`, `return`), assigning neither `t` nor what `b` reads, and it is the only such loop
  over those bounds; its backward loop is the only ``for t in reversed(range(a, b))`` of the
  backward sweep;
- the push and the pop are statements of those loops' bodies themselves (not inside an `if` or an
  inner loop: those run a number of times the index does not tell), and the backward body pops
  those names in the reverse order of the forward body's pushes;
- the name pushed is a float64 array of one known shape (`transforms.known_shapes`) with one axis
  or more;
- no statement writes into an array (`y[i] = v`): a tape row is a copy of what was pushed, and a
  view read back from it, where the pushed object was itself; with no writes, nothing can tell.

The other pushes and pops keep the stack: a matched pair, removed from a sequence in which each
pop undoes the push it mirrors, leaves one in which that still holds.
"""
from __future__ import annotations

import gast

from .nodes import (assign, at, call, clone, const, name, popped, pushed, stored_names, subscript_write, walk,
                    walk_statements)


def record_in_tapes(forward: list, backward: list, known: dict, stack: str, namer) -> bool:
    """Rewrite the pairs of `forward` and `backward` (top-level statement lists, changed in place)
    described above; `stack` is the stack's name. Returns whether any was."""
    if any(subscript_write(s) is not None for s in walk_statements(forward + backward)):
        return False
    loops = [s for s in forward if range_loop(s, reverse=False) is not None]
    backs = [s for s in backward if range_loop(s, reverse=True) is not None]
    tapes = [0]   # (how many so far: `_tape1`, `_tape2`, ...)
    for loop in loops:
        key = _key(loop, reverse=False)
        twins = [b for b in loops if _key(b, reverse=False) == key]
        mirrors = [b for b in backs if _key(b, reverse=True) == key]
        if len(twins) == 1 and len(mirrors) == 1:
            _taped(loop, mirrors[0], forward, known, stack, namer, tapes)
    return tapes[0] > 0


def _taped(loop, back, forward, known, stack, namer, tapes):
    pushes = [(k, pushed(s)[1]) for k, s in enumerate(loop.body) if pushed(s) and pushed(s)[0] == stack]
    pops = [(k, s.targets[0].id) for k, s in enumerate(back.body)
            if isinstance(s, gast.Assign) and popped(s.value) == stack and len(s.targets) == 1
            and isinstance(s.targets[0], gast.Name)]
    if not all(isinstance(value, gast.Name) for _, value in pushes) \
            or [value.id for _, value in pushes][::-1] != [v for _, v in pops]:
        return   # (every push of the body a name, popped back in the mirror order)
    index, count, first, _ = range_loop(loop, reverse=False)
    row = trip_row(index, first)
    made = []
    for (k, value), (j, _) in zip(pushes, pops[::-1]):
        v = value.id
        shape = _array_shape(known.get(v))
        if shape is None:
            continue
        tapes[0] += 1
        tape = namer.numbered("tape", tapes[0])
        made.append(assign(tape, call("np.empty", gast.Tuple(elts=[clone(count)] + [const(n) for n in shape],
                                                              ctx=gast.Load())), loop))
        loop.body[k] = at(gast.Assign(targets=[gast.Subscript(value=name(tape), slice=clone(row), ctx=gast.Store())],
                                      value=name(v), type_comment=None), loop.body[k])
        back.body[j] = at(gast.Assign(targets=[name(v, store=True)],
                                      value=gast.Subscript(value=name(tape), slice=clone(row), ctx=gast.Load()),
                                      type_comment=None), back.body[j])
    if made:
        at_loop = forward.index(loop)
        forward[at_loop:at_loop] = made


def trip_row(index, first):
    """The row of a trip's value in an array of the trips of a loop over ``range(first, b)``:
    ``index``, or ``index - first``."""
    return name(index) if first == 0 else gast.BinOp(left=name(index), op=gast.Sub(), right=const(first))


def range_loop(loop, reverse, counted=True):
    """(index, count, first, bounds) where `loop` is ``for index in range(*bounds)`` (``reversed(...)``
    of it with `reverse`), `bounds` ``[b]`` or ``[first, b]`` with `first` an int constant of 0 or
    more, left only at the end of its body (no `break`, `continue`, `return`), which assigns neither
    `index` nor what `b` reads; `count` is the number of trips where `b` is an int constant or
    ``len(xs)`` (`first` 0), else None. None for any other loop, and with `counted`, for one with no
    `count`."""
    if not (isinstance(loop, gast.For) and isinstance(loop.target, gast.Name) and not loop.orelse):
        return None
    it = loop.iter
    if reverse:
        if not (_is_call(it, "reversed") and len(it.args) == 1):
            return None
        it = it.args[0]
    if not (_is_call(it, "range") and 1 <= len(it.args) <= 2):
        return None
    bounds = it.args
    first = 0
    if len(bounds) == 2:
        if not (isinstance(bounds[0], gast.Constant) and type(bounds[0].value) is int and bounds[0].value >= 0):
            return None   # (xs[-1] is the last row, and xs[-1:b] another slice)
        first = bounds[0].value
    last, count = bounds[-1], None
    if isinstance(last, gast.Constant) and type(last.value) is int:
        count = const(max(last.value - first, 0))
    elif first == 0 and _is_call(last, "len") and len(last.args) == 1 and isinstance(last.args[0], gast.Name):
        count = last
    if count is None and counted:
        return None
    if any(isinstance(t, (gast.Break, gast.Continue, gast.Return)) for t in walk_statements(loop.body)):
        return None
    assigned = {n for t in walk_statements(loop.body) for n in stored_names(t)}
    if loop.target.id in assigned or any(isinstance(n, gast.Name) and n.id in assigned for n in walk(last)):
        return None
    return loop.target.id, count, first, bounds


def _key(loop, reverse) -> str:
    """The index and bounds of a loop over a range, as text (a forward loop and its backward one
    have the same)."""
    it = loop.iter.args[0] if reverse else loop.iter
    return gast.dump(gast.Tuple(elts=[loop.target] + list(it.args), ctx=gast.Load()))


def _is_call(node, fname) -> bool:
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == fname \
        and not node.keywords


def _array_shape(k):
    """The shape of a float64 array of one axis or more that `k` (a Known, or None) says it is."""
    if k is None or k.python is not False or not k.shape or k.dtype.kind != "f" or k.dtype.itemsize != 8:
        return None
    return k.shape
