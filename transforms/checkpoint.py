"""Checkpointing: loops whose backward sweep runs their forward sweep again, a segment at a time.

Before: the two sweeps of `reverse` -- the forward sweep records every trip of a loop, the
backward sweep pops those records in reverse -- so memory grows with the trip count.
After (`s2s.grad(f, checkpoint=True)`), for each loop `for i in range(...)` (a loop over a list or
an array is such a loop in normal form) not inside one checkpointed already, the forward sweep
runs the plain loop, recording nothing but a *snapshot* every `_every1` trips, and the backward
sweep takes the snapshots back last first, running each segment's recording loop again just
before its backward loop:

    _range1 = range(n)                                 # the forward sweep
    _every1 = checkpoint_every(len(_range1))           # trips per segment: about sqrt(n)
    _steps1 = 0
    for i in _range1:
        if _steps1 % _every1 == 0:
            _stack.append(h)                           # the snapshot: what the loop carries
        _steps1 = _steps1 + 1
        h = np.tanh(W @ h + xs[i])                     # the loop as written, recording nothing
    ...
    for _start1 in reversed(range(0, _steps1, _every1)):   # the backward sweep
        h = _stack.pop()                               # back to the segment's first trip
        for i in _range1[_start1:_start1 + _every1]:
            ...                                        # the segment's trips, recording
        for i in reversed(_range1[_start1:_start1 + _every1]):
            ...                                        # their adjoints, popping

Memory: the snapshots and one segment's records, where plain reverse mode keeps the records of
every trip: O(sqrt(n)). Time: the loop's forward sweep runs twice.

`checkpoint=k` bounds the memory to k snapshots and one trip's records instead: the forward
sweep pushes one snapshot, of the loop's start, and the backward sweep follows the actions of
`checkpoint_schedule(_steps1, k)` (revolve's binomial schedule, `s2s.runtime_portable`):

    for _action1, _lo1, _hi1 in checkpoint_schedule(_steps1, k):
        if _action1 == 'reverse':      # trips _lo1.._hi1-1 recording, then their adjoints
        elif _action1 == 'advance':    # trips _lo1.._hi1-1, recording nothing
        elif _action1 == 'restore':    # h = _stack[-1]: the newest snapshot
        elif _action1 == 'snapshot':   # _stack.append(h)
        else:                          # 'drop': h = _stack.pop()
    h = _stack.pop()                   # the snapshot of the loop's start

Why it is exact: reverse mode's invariant is that when a statement's adjoint runs, every name
holds the value it had just after the statement ran forward. Running a segment forward again
from the values the loop carried into its first trip gives every trip of it the values it had
the first time: the code is deterministic, and what it reads and does not write holds what it
held then (`reverse.rerun_reads` makes the backward loop read it, so that `to_record` records it
where it is overwritten later). Its backward loop restores them trip by trip, as without
checkpointing; at the end of it, names hold what they held at the segment's start, as the next
segment's restore expects. A `break` breaks the segment's recording loop at the same trip as the
first time.

The snapshot is what a trip reads before writing (its upward-exposed names) among what the loop
assigns: the names, not copies. The one write in place a checkpointed loop may make is
`y[i + c] = v`, each trip into elements of its own of an array that nothing before the loop
reads and the loop reads only where earlier trips wrote (`y[t + 1] = f(y[t])`;
`checkpoint_candidates` says which loops qualify): once the loop has run, a trip run again reads
what it read and writes what is there already, so `y` needs no snapshot and no record. It may
append to a list it does not read (`hs.append(h)`): its runs again leave the appends out, as they
do prints (the list holds what the first run appended; the backward sweep pops each trip's
element, last first, where it reads the list). A loop that changes something else in place is
recorded as without checkpointing.

A loop inside another that is not checkpointed (a `while`, a loop that pops) is checkpointed
on each trip of it: the trip pushes the loop's trip count `_steps1` after it, and the backward
pass pops it and makes `_range1` (and `_every1`) again from what the loop read.
"""
from __future__ import annotations

import copy

import gast

from .checkpoint_candidates import appended_lists, assigned_names, printed
from .nodes import ADJOINT, at, assign, call, const, expr_stmt, name, name_nodes, pushed, subscript_write, \
    walk_statements

HELPER = "checkpoint_every"
SCHEDULE = "checkpoint_schedule"


class Checkpoints:
    """Rewrites the sweeps of the loops `plain` (from `candidates`) that have a backward loop:
    in segments of about sqrt(n) trips (`snapshots` None), or on the binomial schedule of at
    most `snapshots` snapshots."""

    def __init__(self, namer, snapshots, callees):
        self.namer, self.snapshots, self.callees = namer, snapshots, callees
        self.count = 0
        self.names: set = set()       # the primal names this adds (`_range1`, `_every1`, ...)
        self.carried: dict = {}       # loop -> the names its snapshot holds
        self.bookkeeping = False      # are `_range1` and co. recorded (a loop inside another)?

    def rewrite(self, forward, backward, plain, trips, backward_loops):
        """`forward` and `backward` (lists, changed in place below their top) with each loop of
        `plain` checkpointed; `trips[loop]`: (its counter's first assignment, ...) where it has
        one, `backward_loops[loop]`: its loop in the backward sweep."""
        for loop, (original, nested) in plain.items():
            back = backward_loops.get(loop)
            if back is None:
                continue
            self.count += 1
            kinds = ("range", "every", "steps", "start") if self.snapshots is None else \
                ("range", "steps", "action", "lo", "hi")
            names = {what: self.namer.numbered(what, self.count) for what in kinds}
            self.names |= set(names.values())
            start_count = trips.get(loop, (None,))[0]
            carried = self.carried[loop] = carried_names(loop, start_count)
            _drop_repeated(loop, self.callees, appended_lists(original))   # (it runs again)
            rerun = ([copy.deepcopy(start_count)] if start_count is not None else []) + [loop]
            for s in walk_statements(rerun):   # forward code: cited as such (`nodes.mark_adjoint`)
                setattr(s, ADJOINT, False)
            if self.snapshots is None:
                made_forward = self.plain_loop(original, names, carried, loop)
                made_backward = [self.segments(loop, back, rerun, names, carried)]
            else:
                made_forward = self.binomial_forward(original, names, carried, loop)
                made_backward = self.binomial_backward(original, loop, back, rerun, names, carried)
            if nested:   # each trip of the loop around it has its own trip count (recorded), range
                made_forward += self.push([names["steps"]], loop)   # and segments (made again)
                again = self.pop([names["steps"]], loop) + copy.deepcopy(made_forward[:1 + (self.snapshots is None)])
                for s in again:
                    setattr(s, ADJOINT, False)
                made_backward[:0] = again
            self.bookkeeping = self.bookkeeping or nested
            forward[:] = _replace(forward, {id(loop): made_forward, id(start_count): []})
            backward[:] = _replace(backward, {id(back): made_backward})
        return forward, backward

    # ---- segments of about sqrt(n) trips ---------------------------------------------
    def plain_loop(self, original, names, carried, origin):
        steps, every = names["steps"], names["every"]
        snapshot = [at(gast.If(test=gast.Compare(left=gast.BinOp(left=name(steps), op=gast.Mod(), right=name(every)),
                                                 ops=[gast.Eq()], comparators=[const(0)]),
                               body=self.push(carried, origin), orelse=[]), origin)] if carried else []
        return [assign(names["range"], original.iter, origin),
                assign(every, call(self.namer.helper(HELPER), call("len", name(names["range"]))), origin),
                assign(steps, const(0), origin),
                at(gast.For(target=original.target, iter=name(names["range"]),
                            body=snapshot + [self.count_trip(names, origin)] + original.body,
                            orelse=[], type_comment=None), origin)]

    def segments(self, loop, back, rerun, names, carried):
        """The backward loop over segments, last first: restore, run forward recording, run backward."""
        self.limit(loop, back, names["start"], gast.BinOp(left=name(names["start"]), op=gast.Add(),
                                                          right=name(names["every"])), names)
        starts = call("reversed", call("range", const(0), name(names["steps"]), name(names["every"])))
        return at(gast.For(target=name(names["start"], store=True), iter=starts,
                           body=self.pop(carried, loop) + rerun + [back], orelse=[], type_comment=None), loop)

    # ---- the binomial schedule of k snapshots ------------------------------------------
    def binomial_forward(self, original, names, carried, origin):
        return [assign(names["range"], original.iter, origin)] + self.push(carried, origin) + [
            assign(names["steps"], const(0), origin),
            at(gast.For(target=original.target, iter=name(names["range"]),
                        body=[self.count_trip(names, origin)] + original.body, orelse=[], type_comment=None), origin)]

    def binomial_backward(self, original, loop, back, rerun, names, carried):
        """The loop over `checkpoint_schedule`'s actions, then the pop of the first snapshot."""
        lo, hi = name(names["lo"]), name(names["hi"])
        self.limit(loop, back, names["lo"], hi, names)
        advance = copy.deepcopy(original)
        advance.iter = _range_part(names, lo, hi)
        _drop_repeated(advance, self.callees, appended_lists(original))
        for s in walk_statements([advance]):
            setattr(s, ADJOINT, False)
        stack = self.namer.stack
        n = len(carried)
        restore = [assign(v, gast.Subscript(value=name(stack), slice=const(k - n), ctx=gast.Load()), loop)
                   for k, v in enumerate(carried)]
        branches = [("reverse", rerun + [back]), ("advance", [advance])]
        if carried:
            branches += [("restore", restore), ("snapshot", self.push(carried, loop)),
                         ("drop", self.pop(carried, loop))]
        chain = []
        for kind, body in reversed(branches):
            test = gast.Compare(left=name(names["action"]), ops=[gast.Eq()], comparators=[const(kind)])
            chain = body if not chain and kind == "drop" else [at(gast.If(test=test, body=body, orelse=chain), loop)]
        target = gast.Tuple(elts=[name(names[k], store=True) for k in ("action", "lo", "hi")], ctx=gast.Store())
        actions = call(self.namer.helper(SCHEDULE), name(names["steps"]), const(self.snapshots))
        return [at(gast.For(target=target, iter=actions, body=chain, orelse=[], type_comment=None), loop)] + \
            self.pop(carried, loop)

    # ---- shared ------------------------------------------------------------------------
    def push(self, carried, origin):
        return [expr_stmt(call(self.namer.stack + ".append", name(v)), origin) for v in carried]

    def pop(self, carried, origin):
        return [assign(v, call(self.namer.stack + ".pop"), origin) for v in reversed(carried)]

    def count_trip(self, names, origin):
        steps = names["steps"]
        return assign(steps, gast.BinOp(left=name(steps), op=gast.Add(), right=const(1)), origin)

    def limit(self, loop, back, lo, hi, names):
        """The recording `loop` and its backward loop `back` made to run over trips lo..hi-1."""
        part = _range_part(names, name(lo) if isinstance(lo, str) else lo, hi)
        iterated = loop.iter
        loop.iter = copy.deepcopy(part)
        back.iter = _substituted(back.iter, iterated, part)


def _drop_repeated(block, callees, lists):
    """`block` (a loop, an if) without its `print(...)` statements and its appends to `lists`, at
    any depth: a trip run again printed and appended that the first time."""
    for field in ("body", "orelse"):
        kept = [s for s in getattr(block, field) if not printed(s, callees) and not (pushed(s) and pushed(s)[0] in lists)]
        for s in kept:
            if isinstance(s, (gast.If, gast.For, gast.While)):
                _drop_repeated(s, callees, lists)
        setattr(block, field, kept or ([gast.Pass()] if field == "body" else []))


def _range_part(names, lo, hi):
    """`_range1[lo:hi]`: trips lo..hi-1 of the loop (a range of its indices)."""
    return gast.Subscript(value=name(names["range"]), slice=gast.Slice(lower=copy.deepcopy(lo),
                                                                      upper=copy.deepcopy(hi), step=None),
                          ctx=gast.Load())


def loop_inputs(loop) -> set:
    """The names `loop` reads and does not assign (what running it again needs as it was; not an
    array it writes into, which a loop checkpointed reads nowhere: `_writes_repeatable`)."""
    written_into = {subscript_write(s).value.id for s in walk_statements(loop.body) if subscript_write(s) is not None}
    return (_reads(loop.iter) | {n.id for s in walk_statements(loop.body) for n in name_nodes(s)
                                 if isinstance(n.ctx, gast.Load)}) - assigned_names(loop.body) - {loop.target.id} - written_into


def carried_names(loop, start_count=None) -> list:
    """What the snapshot of the recording `loop` holds: the names a trip may read before it assigns
    them, among those the loop assigns (not its trip counter, which counts from 0 again)."""
    counter = {start_count.targets[0].id} if start_count is not None else set()
    return sorted((upward_exposed(loop.body, {loop.target.id}) & assigned_names(loop.body)) - counter)


def _substituted(node, old, new):
    """`node` with every subtree equal to `old` replaced by a copy of `new`."""
    wanted = gast.dump(old)

    class Swap(gast.NodeTransformer):
        def visit(self, n):
            if isinstance(n, gast.AST) and gast.dump(n) == wanted:
                return copy.deepcopy(new)
            return super().visit(n)
    return Swap().visit(node)


def _replace(stmts, by):
    """`stmts` with each statement whose id is a key of `by` replaced by `by[id]` (a list), at any
    depth."""
    out = []
    for s in stmts:
        if id(s) in by:
            out += by[id(s)]
            continue
        if isinstance(s, (gast.If, gast.For, gast.While)):
            s.body, s.orelse = _replace(s.body, by), _replace(s.orelse, by)
        out.append(s)
    return out


def upward_exposed(stmts, defined) -> set:
    """The names some path through `stmts` reads before it assigns them (`defined` is assigned
    already; it is updated in place with what every path through `stmts` assigns). A name assigned
    in one branch of an `if` only, or in a loop (which may run no trip), is not assigned after it."""
    out = set()
    for s in stmts:
        if isinstance(s, gast.If):
            out |= _reads(s.test) - defined
            first, second = set(defined), set(defined)
            out |= upward_exposed(s.body, first) | upward_exposed(s.orelse, second)
            defined |= first & second
        elif isinstance(s, (gast.For, gast.While)):
            head = s.iter if isinstance(s, gast.For) else s.test
            out |= _reads(head) - defined
            inner = set(defined) | ({s.target.id} if isinstance(s, gast.For) and isinstance(s.target, gast.Name)
                                    else set())
            out |= upward_exposed(s.body, inner)
        else:
            out |= _reads(s) - defined
            if isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Name):
                out |= {s.target.id} - defined
            defined |= {n.id for n in name_nodes(s) if isinstance(n.ctx, gast.Store)}
    return out


def _reads(node) -> set:
    return {n.id for n in name_nodes(node) if isinstance(n.ctx, gast.Load)}
