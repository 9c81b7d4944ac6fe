"""Recompute: cheap values a loop's backward sweep reads are computed again there, not recorded.

A loop body's temporaries are overwritten at every trip, so each one the backward sweep reads is
pushed at every trip. Where a temporary is one cheap operation whose operands still hold, where
its adjoint reads it, the values they held when it was computed, the backward sweep computes it
again instead, as a person writing the gradient by hand does (``np.sin(z + i)`` rather than a
stored ``_3``):

    _3 = z + i                           d_3 = -d_2 * np.sin(_3)        (reads _3: pushed per trip)
    _2 = np.cos(_3)               ->     d_3 = -d_2 * np.sin(z + i)     (reads z and i)

Cheap: an element or row ``xs[k]`` of a name the loop does not assign, at an index name or an
int (a loop over ``xs`` reads its rows so); arithmetic (``+ - * / **``, negation) of one or two
names or numbers; and an elementwise function of them (``np.sin(u)``) that makes an array, where
that is known (code for known shapes): for an array the record is the memory of the whole
array, for a number it is nearly free and computing a sine again costs more. Temporaries are
computed again, and names of the user's assigned once, from an element (``x = xs[k]``).

Which values the backward sweep reads is then decided as before, from the code it runs: the
operands are restored where it reads them (reverse mode's invariant), so the substitution is right
whatever else is recorded. It is worth it -- the heuristic, with no flag -- when the operands cost
no record of their own: constants, names the loop does not assign, names of the user's (a loop's
state, which its other adjoints read anyway), or temporaries that are recomputed the same way.
Each substitution trades one record per trip for one elementwise operation in the backward sweep.

It applies within one straight-line block: from the temporary's assignment up to the statement
whose adjoint reads it, every statement is a plain assignment of a name that calls no function of
the user's (nor gives NumPy an `out=`), and none assigns an operand. An array or list written in
place (`y[i] = v`, `xs.append(v)`) counts as assigned where it is written, so no such write falls
between; one outside is undone, where the adjoint reads the array, by the records of reverse
mode's invariant, and one into another name that shares the array's memory is refused
(`aliasing.check_writes`). Such an array is not free to read in the loop that writes it (its
reads could cost a record of each write).
"""
from __future__ import annotations

import bisect

import gast

from .nodes import clone, name_nodes, target_names, walk_statements

_CHEAP = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)
_DEPTH = 3


class Recompute:
    """Which temporaries the adjoint of a statement may compute again; see the module's docstring."""

    def __init__(self, body, is_temp, callees, containers, known=None, indices=frozenset()):
        self.callees, self.containers, self.is_temp = callees, containers, is_temp
        self.known = known or {}
        self.indices = set(indices)   # indices of loops whose backward loop sets them again: free
        self.defs: dict = {}       # temporary -> (block id, index, value)
        self.where: dict = {}      # id(statement) -> (block id, index)
        self.writes: dict = {}     # block id -> {name: sorted indices of the statements writing it}
        self.plain: dict = {}      # block id -> indices of statements that are not plain assignments
        self.in_loop: dict = {}    # block id -> names assigned in the innermost loop around the block
        counts: dict = {}
        for s in walk_statements(body):
            for n in _changed(s):
                counts[n] = counts.get(n, 0) + 1
        self._index(body, None, is_temp, counts)

    def _index(self, block, loop_names, is_temp, counts):
        bid = id(block)
        writes: dict = {}
        plain = []
        for k, s in enumerate(block):
            self.where[id(s)] = (bid, k)
            for inner in walk_statements([s]):
                for n in _changed(inner):
                    writes.setdefault(n, []).append(k)
            if not self._plain(s):
                plain.append(k)
            if loop_names is not None and isinstance(s, gast.Assign) and len(s.targets) == 1 \
                    and isinstance(s.targets[0], gast.Name) and counts.get(s.targets[0].id) == 1 \
                    and (self._cheap(s.value, s.targets[0].id) if is_temp(s.targets[0].id)
                         else self._element(s.value, loop_names)):
                self.defs[s.targets[0].id] = (bid, k, s.value)
            for field in ("body", "orelse"):
                inner = getattr(s, field, None)
                if isinstance(inner, list):
                    names = loop_names
                    if isinstance(s, (gast.For, gast.While)):
                        names = {n for t in walk_statements(s.body + s.orelse) for n in _changed(t)} | set(_changed(s))
                    self._index(inner, names, is_temp, counts)
        self.writes[bid] = writes
        self.plain[bid] = plain
        self.in_loop[bid] = loop_names or set()

    def _plain(self, s) -> bool:
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)):
            return False
        value = s.value
        return not (isinstance(value, gast.Call) and (self.callees.classify_call(value).kind not in ("rule", "nondiff")
                                                      or any(k.arg == "out" for k in value.keywords)))

    def _element(self, value, loop_names) -> bool:
        """`xs[k]`: an element (or row) of a name the loop does not assign, at an index name or int."""
        return isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) \
            and value.value.id not in loop_names and (
                isinstance(value.slice, gast.Name) or (isinstance(value.slice, gast.Constant)
                                                       and type(value.slice.value) is int))

    def _cheap(self, value, t) -> bool:
        """One arithmetic operation of names and numbers, or an elementwise function of them that
        makes an array (known to: code for known shapes); a function of numbers (`np.sin(z + i)` in
        a scalar loop) costs more time to compute again than its record does."""
        if self._element(value, ()):
            return True
        if isinstance(value, gast.BinOp):
            parts = [value.left, value.right] if isinstance(value.op, _CHEAP) else None
        elif isinstance(value, gast.UnaryOp):
            parts = [value.operand] if isinstance(value.op, gast.USub) else None
        elif isinstance(value, gast.Call) and not value.keywords and 1 <= len(value.args) <= 2:
            callee = self.callees.classify_call(value)
            k = self.known.get(t)
            elementwise = callee.kind == "rule" and callee.rule.elementwise and callee.receiver is None \
                and k is not None and k.ndim > 0
            parts = value.args if elementwise and callee.rule.origin.startswith("s2s.rules") else None
        else:
            parts = None
        return parts is not None and all(
            (isinstance(p, gast.Name) and p.id not in self.containers)
            or (isinstance(p, gast.Constant) and type(p.value) in (int, float)) for p in parts)

    def wanted(self, names, s) -> bool:
        """May `substitute` change the adjoint code of `s`, whose Name nodes are `names`?"""
        return bool(self.defs) and id(s) in self.where and any(n.id in self.defs for n in names)

    def substitute(self, code, s):
        """The adjoint code `code` of statement `s`, with the temporaries it may compute again
        replaced by their values (in place)."""
        if not self.defs or id(s) not in self.where:
            return code
        bid, k = self.where[id(s)]
        targets = set(target_names(s)) if isinstance(s, gast.Assign) else set()

        def rewrite(node, depth):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                value = self._value_at(node.id, bid, k, targets, depth)
                return rewrite(clone(value), depth + 1) if value is not None else node
            for field, value in gast.iter_fields(node):
                if isinstance(value, gast.AST):
                    setattr(node, field, rewrite(value, depth))
                elif isinstance(value, list):
                    setattr(node, field, [rewrite(v, depth) if isinstance(v, gast.AST) else v for v in value])
            return node

        for st in code:
            if isinstance(st, gast.Assign):
                st.value = rewrite(st.value, 0)
        return code

    def _value_at(self, t, bid, k, targets, depth):
        """The value of temporary `t` if the adjoint at index `k` of block `bid` may compute it again."""
        found = self.defs.get(t)
        if found is None or depth >= _DEPTH or found[0] != bid or found[1] > k:
            return None
        j, value = found[1], found[2]
        plain = self.plain[bid]
        if bisect.bisect_right(plain, k - 1) - bisect.bisect_right(plain, j) > 0:
            return None   # a loop, a branch or a call of the user's in between
        writes = self.writes[bid]
        for n in _operands(value):
            if n in targets or any(j < p < k for p in writes.get(n, ())):
                return None   # assigned since: it no longer holds that value
            if not self._free(n, bid, k, targets, depth):
                return None
        return value

    def _free(self, n, bid, k, targets, depth) -> bool:
        """Does reading `n` here cost no record of its own (see the module's docstring)?"""
        if n not in self.in_loop[bid] or not self.is_temp(n) or n in self.indices:
            return True   # loop-invariant, a name of the user's (a loop's state), or a loop's index
        return self._value_at(n, bid, k, targets, depth + 1) is not None


def _changed(s) -> list:
    """Names the statement `s` (not what it holds) may change: those an assignment or a loop's
    header assigns, the array or list `y[i] = v` writes into, and every name a call statement
    reads (`xs.append(v)`, `a.fill(0.0)`, `print(a)`: its receiver or an argument may change)."""
    if isinstance(s, (gast.Assign, gast.For)):
        return target_names(s)
    if isinstance(s, gast.Expr):
        return [n.id for n in name_nodes(s)]
    return []


def _operands(value):
    if isinstance(value, gast.Subscript):
        parts = [value.value, value.slice]
    else:
        parts = [value.left, value.right] if isinstance(value, gast.BinOp) else [value.operand] if isinstance(
            value, gast.UnaryOp) else value.args
    return [p.id for p in parts if isinstance(p, gast.Name)]
