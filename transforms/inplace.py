"""In place: adjoint arrays the generated code owns are updated where they are, not copied.

Functional adjoint code copies a whole array to change one element: ``d_y = setindex(d_y, i,
0.0)`` after ``y[i] = v``, ``d_x = d_x + unindex(g, x, i)`` after ``v = x[i]``. In a loop over the
elements that is O(n) per step and O(n²) in all. Where nothing else can see the array, the same
effect is had in place::

    d_y = setindex(d_y, i, 0.0)          ->   d_y = set_at(d_y, i, 0.0)
    d_x = d_x + unindex(g, x, i)         ->   d_x = add_at(d_x, x, i, g)
    d_3 = d_y[i]                         ->   d_3 = copy_of(d_y[i])   (d_y is updated in place below)

`set_at` and `add_at` (s2s.runtime) write into an ndarray (of a float dtype, for a plain array
`x`) and return it; for anything else (a list's cotangent, a number) they compute what the
functional form computes. Forward mode's ``t_y = setindex(t_y, i, t_v)`` gets `set_at` too.

Owned: a name is owned after an assignment that makes a new object -- arithmetic (``a + b``,
``-a``), ``zeros_like(x)``, ``np.zeros(shape)``, ``np.full(shape, g)``, ``np.roll(x, k)``, or
one of the two in-place forms on an owned name -- until it is read anywhere its value could be
kept (assigned to another name, passed to another call, pushed, returned: anything but an
operand of arithmetic or of these forms) or assigned otherwise. Branches meet with the
intersection, loops at the fixed point of their entry. The rule is conservative: a name read in
any other way is simply not updated in place. A sum into a name that is not owned,
``d_x = d_x + unindex(g, x, i)``, becomes ``d_x = added_at(d_x, x, i, g)``: the same new value,
which for the cotangent of a list, tuple or dict is made without zeros for its other entries.

Only code that runs is rewritten: when s2s differentiates generated code again (an hvp, a
gradient of a gradient), it reads the functional form, which `s2s.driver` keeps.

In code for known shapes (`known`: what `transforms.known_shapes` says of the primal names), the
two calls become plain statements where they would take their fast path anyway, which is most of
the cost of an element loop's backward step::

    d_y = set_at(d_y, i, 0.0)            ->   d_y[i] = 0.0
    d_x = add_at(d_x, x, i, g)           ->   d_x[i] += g

that is, where the adjoint is a float64 array of a known shape (every assignment to it makes one:
``np.zeros(shape)``, arithmetic of such arrays and numbers, these two calls on it) and, for
`add_at`, `x` is a float64 array of that shape and the index holds only `range` loop indices,
integer constants and slices of them (so no element is named twice).
"""
from __future__ import annotations

import gast

from .float_arrays import (NUMBER, array_shape, float_arrays, index_plus, kind_of, loop_indices, nonnegative_indices,
                           np_call, simple_index)
from .nodes import ADJOINT, call, is_adjoint, load_counts, name, name_nodes


def inplace_adjoints(fn: gast.FunctionDef, helper, known=None) -> bool:
    """Rewrite `fn` in place as above; `helper(name)` spells a runtime helper; `known`: name ->
    Known in code for known shapes. Returns whether anything changed."""
    shapes = float_arrays(fn, helper, known) if known else {}
    rewriter = _Owned(helper, shapes, known, load_counts(fn), nonnegative_indices(fn))
    rewriter.block(fn.body, set(), rewrite=True)
    if rewriter.augmented:
        _replace(fn.body, _augmented(rewriter.augmented))
    if rewriter.changed and known:
        _replace(fn.body, _direct_form(helper, shapes, known, loop_indices(fn)))
    entries = []
    _replace(fn.body, _entry_sums(helper, entries))
    return rewriter.changed or bool(entries)


_AUGMENT = object()   # `d = d + e` becomes `d += e`


class _Owned:
    def __init__(self, helper, shapes=None, known=None, loads=None, nonnegative=frozenset()):
        self.helper = helper
        self.changed = False
        self.loads = loads or {}   # name -> how many times the function reads it
        self.nonnegative = nonnegative   # `range` loop indices that are never negative
        self.shapes, self.known = shapes or {}, known or {}   # code for known shapes (see `float_arrays`)
        self.augmented: set = set()   # ids of the assignments `d = d + e` to write as `d += e`

    def block(self, stmts, owned, rewrite):
        """The names owned after `stmts`, given those owned before; with `rewrite`, the in-place
        forms replace the functional ones."""
        owned = set(owned)
        ahead = [set()]   # ahead[-1 - k]: the names statements after the k-th may update in place
        for s in reversed(stmts):
            ahead.append(ahead[-1] | self.written_into(s))
        for k, s in enumerate(stmts):
            if isinstance(s, gast.Assign):
                if self.row_apart(s, stmts[k + 1:]):   # `t = d_y[i]`, read while d_y changes elsewhere
                    owned -= {s.targets[0].id}
                    continue
                form = self.assign(s, owned, owned & ahead[len(stmts) - 1 - k])
                if form is _AUGMENT and rewrite:
                    self.augmented.add(id(s))
                    self.changed = True
                elif form is not None and rewrite:
                    s.value = form   # the statement keeps its line and marks (`grad of:` comments)
                    self.changed = True
            elif isinstance(s, gast.If):
                then = self.block(s.body, owned, rewrite)
                other = self.block(s.orelse, owned, rewrite)
                owned = then & other
            elif isinstance(s, (gast.For, gast.While)):
                if isinstance(s, gast.For):
                    owned -= _names(s.iter) | _names(s.target)
                start = set(owned)
                while True:   # ownership at the loop's entry: a fixed point over its back edge
                    end = self.block(s.body, start, rewrite=False)
                    if start <= end:
                        break
                    start &= end
                owned = self.block(s.body, start, rewrite) & start
            else:   # an expression statement (a push, a pop), a return: what it reads may be kept
                owned -= _names(s)
        return owned

    def assign(self, s, owned, later):
        """Update `owned` for the assignment `s`; return the form of its value that lets the names
        owned here be updated in place (`later`: those this block updates in place further on)."""
        plain = len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
        target = s.targets[0].id if plain else None
        value = s.value
        form = self.in_place_form(value, target) if target in owned else None
        if form is None and target in owned and self.accumulates(value, target):
            owned.add(target)   # updated where it is: still owned
            return _AUGMENT
        if form is None and plain and isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) \
                and value.value.id in later and value.value.id not in _names(value.slice) | {target}:
            # `t = d_y[i]` before d_y[i] is zeroed in place: a row of d_y would be a view; take a copy
            form = call(self.helper("copy_of"), value)
        if form is not None:
            value = form
        # arithmetic makes a new object, and whatever it reads, even through calls, it only reads;
        # these helpers make new objects too, reading (not keeping) the arguments named here
        fresh = isinstance(value, (gast.BinOp, gast.UnaryOp, gast.Compare))
        kept = set() if fresh else _names(value)
        for which, read in (("zeros_like", 0), ("copy_of", 0), ("unindex", 1), ("setindex", 0),
                            ("set_at", 0), ("add_at", 1)):
            if self.is_call(value, which) and len(value.args) > read:
                fresh = True
                kept = set().union(*(_names(a) for i, a in enumerate(value.args) if i != read and (
                    which not in ("set_at", "add_at") or i > 1)))
                if which in ("set_at", "add_at"):   # the target is updated, not kept elsewhere
                    kept -= {target}
        if np_call(value, ("zeros", "full", "roll")):   # np.zeros(shape), np.full(shape, g): a new array (code
            fresh, kept = True, set()                     # for known shapes); g is copied in; np.roll copies
        owned -= kept
        owned -= {n for t in s.targets for n in _names(t)}
        if fresh and plain:
            owned.add(target)
        return form

    def row_apart(self, s, after) -> bool:
        """Is `s` `t = d_y[i]` where what follows in the block updates d_y in place only at rows
        other than i (``d_y[i - 1]``, `i` a never negative loop index plus a constant), and reads
        `t` only as an operand of arithmetic (read nowhere else in the function)? Then `t` may be
        that row itself, no copy, and d_y stays owned: the row does not change while `t` is read."""
        if not (len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Subscript)
                and isinstance(s.value.value, gast.Name)):
            return False
        t, d, row = s.targets[0].id, s.value.value.id, _row(s.value.slice, self.nonnegative)
        if row is None or t == d or row[0] == t:
            return False
        reads = 0
        for later in after:
            if not isinstance(later, gast.Assign):
                if {t, d, row[0]} & _names(later):
                    return False
                continue
            stored = {n.id for target in later.targets for n in name_nodes(target)}
            if row[0] in stored or t in stored:
                return False
            if t in _names(later.value):
                if not isinstance(later.value, (gast.BinOp, gast.UnaryOp)):
                    return False
                reads += sum(1 for n in name_nodes(later.value) if n.id == t)
            if d in stored:
                if not (len(later.targets) == 1 and _is(later.targets[0], d)):
                    return False
                form = self.in_place_form(later.value, d)
                if form is None:
                    if self.accumulates(later.value, d):   # (d_y += e: every row)
                        return False
                    continue   # (d_y is another array now)
                written = _row(form.args[2] if form.func.id == self.helper("add_at") else form.args[1],
                               self.nonnegative)
                if written is None or written[0] != row[0] or written[1] == row[1]:
                    return False
        return reads == self.loads.get(t, 0)

    def written_into(self, s) -> set:
        """The name `s` may update in place, if this pass turns it into an update: {v} or {}."""
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) \
                and (self.in_place_form(s.value, s.targets[0].id) is not None
                     or self.accumulates(s.value, s.targets[0].id)):
            return {s.targets[0].id}
        return set()

    def accumulates(self, value, target) -> bool:
        """Code for known shapes: is `value` `target + e` (or -, *, /) where `target` is a float64
        array of a known shape and `e` one of that shape or a number? Then `target += e` is the
        same sum, written where the array is (NumPy computes `e`, even a view of the target, first)."""
        shape = self.shapes.get(target)
        return isinstance(shape, tuple) and isinstance(value, gast.BinOp) and type(value.op) in _UPDATES \
            and _is(value.left, target) and kind_of(value.right, self.shapes, self.known, self.helper) in (shape, NUMBER)

    def in_place_form(self, value, target):
        """`setindex(t, i, c)` or `t + unindex(g, x, i)` on the target `t`: the in-place call, or None."""
        if self.is_call(value, "setindex") and len(value.args) == 3 and _is(value.args[0], target) \
                and target not in _names(value.args[1]) | _names(value.args[2]):
            return call(self.helper("set_at"), name(target), value.args[1], value.args[2])
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and _is(value.left, target):
            part = value.right
            if self.is_call(part, "unindex") and len(part.args) == 3 and target not in _names(part):
                g, x, index = part.args
                return call(self.helper("add_at"), name(target), x, index, g)
        return None

    def is_call(self, node, which) -> bool:
        return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) \
            and node.func.id == self.helper(which) and not node.keywords


def _row(index, nonnegative):
    """(i, c) where `index` is `i + c` (or `i`), `i` in `nonnegative` and c >= 0 an int; else None."""
    found = index_plus(index)
    return found if found is not None and found[0] in nonnegative else None


def _is(node, id_) -> bool:
    return isinstance(node, gast.Name) and node.id == id_


def _names(node) -> set:
    return {n.id for n in name_nodes(node)}


# ---- code for known shapes: the statements the two calls stand for -------------------------
_UPDATES = (gast.Add, gast.Sub, gast.Mult, gast.Div)


def _replace(stmts, new_of):
    """Each statement `s` in `stmts` (nested blocks too) for which `new_of(s)` gives one is replaced
    by it, with its line and its mark (a `grad of:` comment cites it)."""
    for k, s in enumerate(stmts):
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                _replace(getattr(s, field), new_of)
        new = new_of(s)
        if new is not None:
            gast.copy_location(new, s)
            setattr(new, ADJOINT, is_adjoint(s))
            stmts[k] = new


def _augmented(ids):
    """`d = d + e` -> `d += e` for the assignments in `ids`."""
    def new_of(s):
        if id(s) in ids:
            return gast.AugAssign(target=name(s.targets[0].id, store=True), op=s.value.op, value=s.value.right)
        return None
    return new_of


def _direct_form(helper, shapes, known, indices):
    """`d = set_at(d, i, c)` -> `d[i] = c`, `d = add_at(d, x, i, g)` -> `d[i] += g` (see above)."""
    def new_of(s):
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
                and isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Name) and not s.value.keywords):
            return None
        d, args = s.targets[0].id, s.value.args
        if not (args and _is(args[0], d) and isinstance(shapes.get(d), tuple)):
            return None
        if s.value.func.id == helper("set_at") and len(args) == 3:
            return gast.Assign(targets=[_element(d, args[1])], value=args[2], type_comment=None)
        if s.value.func.id == helper("add_at") and len(args) == 4 and isinstance(args[1], gast.Name) \
                and array_shape(known.get(args[1].id)) == shapes[d] and simple_index(args[2], indices):
            return gast.AugAssign(target=_element(d, args[2]), op=gast.Add(), value=args[3])
        return None
    return new_of


def _entry_sums(helper, found):
    """`d = d + unindex(g, x, i)` that stays (`d` is not owned) -> `d = added_at(d, x, i, g)`: the
    same sum, which for the cotangent of a list, tuple or dict (a list of layers' parameters read
    by `W, b = params[-1]`) makes no zeros for the other entries. Each one is appended to `found`."""
    def new_of(s):
        if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)
                and isinstance(s.value, gast.BinOp) and isinstance(s.value.op, gast.Add)):
            return None
        d, part = s.targets[0].id, s.value.right
        if not (_is(s.value.left, d) and isinstance(part, gast.Call) and isinstance(part.func, gast.Name)
                and part.func.id == helper("unindex") and len(part.args) == 3 and not part.keywords
                and d not in _names(part)):
            return None
        g, x, index = part.args
        found.append(s)
        return gast.Assign(targets=[name(d, store=True)], value=call(helper("added_at"), name(d), x, index, g),
                           type_comment=None)
    return new_of


def _element(d, index):
    return gast.Subscript(value=name(d), slice=index, ctx=gast.Store())
