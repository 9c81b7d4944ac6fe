"""To-be-recorded analysis: which overwritten values the backward pass reads.

Reverse mode keeps one invariant: when the adjoint of a statement ``S`` runs,
every variable holds the value it had just after ``S`` ran forward. The
backward pass restores it by popping, at the end of the adjoint of an
assignment ``T``, the value ``T`` overwrote. ``T`` must push that value only
if some adjoint that runs *after* ``T``'s in the backward pass (the adjoint
of a statement before ``T``, in this iteration or an earlier one) reads it.

This is a forward "needed" dataflow over the primal code: ``N`` is the set
of variables whose current value some already-executed statement's adjoint
will read. Through an assignment ``T`` writing ``W`` and whose adjoint reads
``R``: record ``W & N``, then ``N = (N - W) | R``. At merges ``N`` is the
union; loops iterate to a fixed point. Nothing else is recorded.

An in-place write ``y[i] = v`` counts as writing ``y``: it pushes a copy of
the elements it overwrites, which its pop writes back; the pop needs ``y``
and the index, so once one write to ``y`` is recorded, every later one is.
Likewise ``xs.append(v)`` is undone (``xs.pop()``) where ``xs`` is needed,
and ``v = xs.pop()`` (``xs.append(v)``, before ``v`` is restored).

Inputs: the primal body, ``reads[stmt]`` (what the adjoint placed at the
mirror of the point after ``stmt`` reads; for an ``if`` its condition, for a
loop its trip count), ``branch_reads[(stmt, field)]`` (what is read at the
mirror of the start of an ``if`` branch or a loop body), and ``entry_reads`` (what the end of the
backward pass reads: the mirror of the function's entry).
"""
from __future__ import annotations

import gast

from .nodes import index_names, popped, pushed, subscript_write, target_names


def to_record(body, reads, branch_reads, entry_reads, index_loops=frozenset(), unread_writes=frozenset()):
    """Return {assignment: [names to push before it]}. `index_loops`: loops `for i in range(...)`
    whose backward loop sets `i` again at each trip (`reversed(range(...))`): `i` is not recorded.
    `unread_writes`: writes `y[i] = v` whose old values the backward pass does not read
    (`checkpoint_candidates.write_once`): not recorded, though `y` is read."""
    record: dict = {}

    def block(stmts, need):
        need = set(need)   # updated in place by the statements
        for s in stmts:
            need = stmt(s, need)
        return need

    def stmt(s, need):
        if pushed(s):  # xs.append(v): undone (xs.pop()) in the backward pass if xs is needed there
            xs = pushed(s)[0]
            if xs in need:
                record[s] = [xs]
            need |= reads.get(s, set())
            return need
        if isinstance(s, gast.Assign):
            if s in unread_writes:
                need |= reads.get(s, set())
                return need
            written = target_names(s)
            saved = [v for v in written if v in need]
            xs = popped(s.value)
            xs_needed = xs is not None and xs in need
            after = need
            after.difference_update(written)
            after |= reads.get(s, set())
            if xs_needed:  # v = xs.pop(): undone (xs.append(v)) where xs is needed
                saved.append(xs)
                after |= {xs} | set(written)
            if saved:
                record[s] = saved
                target = subscript_write(s)
                if target is not None:  # the pop writes the elements back: it needs y and the index
                    after |= {target.value.id} | index_names(target)
            return after
        if isinstance(s, gast.If):
            n1 = block(s.body, need | branch_reads.get((s, "body"), set()))
            n2 = block(s.orelse, need | branch_reads.get((s, "orelse"), set()))
            return n1 | n2 | reads.get(s, set())
        if isinstance(s, (gast.For, gast.While)):
            reset = set(target_names(s)) if s in index_loops else set()
            head = set(need) - reset   # (an outer loop's back edge: this loop sets its index again too)
            while True:
                after_body = block(s.body, head | branch_reads.get((s, "body"), set())) - reset
                new_head = (need | after_body) - reset
                if new_head == head:
                    break
                head = new_head
            if isinstance(s, gast.For):
                header = set(target_names(s))
                assert not header & head, f"loop targets read by the backward pass must be renamed first: {header & head}"
            return head | reads.get(s, set())
        return need

    block(body, set(entry_reads))
    return record


def maybe_undefined(body, params, pushes, branch_reads=None, loop_reads=None):
    """Names the recording code may touch before any assignment, and the names
    definitely assigned at the end.

    Pushes (`pushes[stmt]`, before `stmt`), reads at a branch's start
    (`branch_reads[(if, field)]`) and reads at a loop's exit
    (`loop_reads[loop]`: zeros materialised for the backward loop) may meet a
    name no path has assigned yet; those names start as None. Where that
    happens the value read is never used: every use of an adjoint of ``v``
    lies on a path that assigned ``v``.

    Definite assignment: loops may run zero times and branches may not run,
    so a name counts as assigned only if every path assigns it.
    """
    undefined: set = set()
    branch_reads = branch_reads or {}
    loop_reads = loop_reads or {}

    def block(stmts, outer, assigned):
        """`assigned` (the names `stmts` assign, updated in place) after `stmts`, within blocks
        whose names assigned before them are the sets `outer`: nothing is copied at a branch or a
        loop (a copy of every name assigned so far, at each, grew with the square of the length)."""
        for s in stmts:
            stmt(s, outer, assigned)
        return assigned

    def unassigned(names, outer, assigned):
        return (v for v in names if v not in assigned and not any(v in o for o in outer))

    def stmt(s, outer, assigned):
        if isinstance(s, gast.Assign):
            undefined.update(unassigned(pushes.get(s, ()), outer, assigned))
            assigned.update(target_names(s))
        elif isinstance(s, gast.If):
            for field in ("body", "orelse"):
                undefined.update(unassigned(branch_reads.get((s, field), ()), outer, assigned))
            within = outer + [assigned]
            assigned |= block(s.body, within, set()) & block(s.orelse, within, set())
        elif isinstance(s, (gast.For, gast.While)):
            undefined.update(unassigned(loop_reads.get(s, ()), outer, assigned))
            inner = set(target_names(s)) if isinstance(s, gast.For) else set()
            undefined.update(unassigned(branch_reads.get((s, "body"), ()), outer + [assigned], inner))
            block(s.body, outer + [assigned], inner)

    final = block(body, [], set(params))
    return undefined, final


def recorded_after(body, record, reads, branch_reads, entry_reads):
    """{name: (assignment, statement, field)}: the names to push *after* their assignment, at the
    end of the block `getattr(statement, field)` (a loop's body, or a branch of an `if`), and pop
    at the start of that block's backward counterpart, instead of pushing the value an assignment
    overwrites (which, the first time, is no value: the name would start as None).

    A name qualifies where that is the same thing: the one assignment in the function that
    assigns it is recorded and stands directly in such a block, which always runs to its end
    once it starts (no `break`, `continue` or `return` of its own; a loop without `else`), and the
    backward pass reads the name only in the adjoints of that assignment and of the statements
    after it in the block (so never before its pop, nor after the backward block, where the value
    it held before the assignment would be wanted). Pushing at the end of the block keeps the one
    stack's pushes and pops in mirror order. `reads`, `branch_reads`, `entry_reads`: as for
    `to_record`, with aliases."""
    assigned: dict = {}
    for s in _statements(body):
        for v in written(s):
            assigned[v] = assigned.get(v, 0) + 1
    readers: dict = {}   # name -> the statements (or branches' statements) whose adjoints read it
    for s, names in reads.items():
        for v in names:
            readers.setdefault(v, []).append(s)
    for (s, _), names in branch_reads.items():
        for v in names:
            readers.setdefault(v, []).append(s)
    for s in record:   # a recorded write's pop puts the old elements back at its index
        target = subscript_write(s)
        if target is not None:
            for v in index_names(target):
                readers.setdefault(v, []).append(s)
    found: dict = {}
    for owner, field in _blocks(body):
        block = getattr(owner, field)
        for k, s in enumerate(block):
            if not isinstance(s, gast.Assign) or subscript_write(s) is not None or popped(s.value):
                continue
            after = {id(t) for t in _statements(block[k:])}
            for v in record.get(s, ()):
                if assigned.get(v) == 1 and v in target_names(s) and v not in entry_reads \
                        and all(id(r) in after for r in readers.get(v, ())):
                    found[v] = (s, owner, field)
    return found


def _blocks(body):
    """(statement, field) of the loop bodies and `if` branches that run to their end once they start."""
    for s in _statements(body):
        if isinstance(s, (gast.For, gast.While)) and not s.orelse and not _leaves_early(s.body):
            yield s, "body"
        elif isinstance(s, gast.If):
            yield from ((s, field) for field in ("body", "orelse") if not _leaves_early(getattr(s, field)))


def _statements(stmts):
    for s in stmts:
        yield s
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                yield from _statements(getattr(s, field))


def written(s):
    """The names statement `s` itself assigns or changes: its targets, a loop's, and the list an
    append or a pop changes."""
    if pushed(s):  # xs.append(v) and v = xs.pop() change xs
        return [pushed(s)[0]]
    if isinstance(s, gast.Assign):
        return target_names(s) + ([popped(s.value)] if popped(s.value) else [])
    if isinstance(s, gast.For):
        return target_names(s)
    return []


def _leaves_early(stmts) -> bool:
    """Does a statement of `stmts` (not of a loop nested in them) break, continue or return?"""
    for s in stmts:
        if isinstance(s, (gast.Break, gast.Continue, gast.Return)):
            return True
        if isinstance(s, gast.If) and _leaves_early(s.body + s.orelse):
            return True
        if isinstance(s, (gast.For, gast.While)) and any(isinstance(t, gast.Return) for t in _statements(s.body)):
            return True
    return False
