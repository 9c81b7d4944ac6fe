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
``-a``), ``zeros_like(x)``, ``np.zeros(shape)``, ``np.full(shape, g)``, or one of the two in-place
forms on an owned name -- until it is read anywhere its value could be kept (assigned to another name, passed to another call, pushed,
returned: anything but an operand of arithmetic or of these forms) or assigned otherwise.
Branches meet with the intersection, loops at the fixed point of their entry. The rule is
conservative: a name read in any other way is simply not updated in place.

Only code that runs is rewritten: when s2s differentiates generated code again (an hvp, a
gradient of a gradient), it reads the functional form, which `s2s.driver` keeps.
"""
from __future__ import annotations

import gast

from .nodes import call, name, walk


def inplace_adjoints(fn: gast.FunctionDef, helper) -> bool:
    """Rewrite `fn` in place as above; `helper(name)` spells a runtime helper. Returns whether
    anything changed."""
    rewriter = _Owned(helper)
    rewriter.block(fn.body, set(), rewrite=True)
    return rewriter.changed


class _Owned:
    def __init__(self, helper):
        self.helper = helper
        self.changed = False

    def block(self, stmts, owned, rewrite):
        """The names owned after `stmts`, given those owned before; with `rewrite`, the in-place
        forms replace the functional ones."""
        owned = set(owned)
        ahead = [set()]   # ahead[-1 - k]: the names statements after the k-th may update in place
        for s in reversed(stmts):
            ahead.append(ahead[-1] | self.written_into(s))
        for k, s in enumerate(stmts):
            if isinstance(s, gast.Assign):
                form = self.assign(s, owned, owned & ahead[len(stmts) - 1 - k])
                if form is not None and rewrite:
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
        if _np_call(value, ("zeros", "full")):   # np.zeros(shape), np.full(shape, g): a new array (code for
            fresh, kept = True, set()             # known shapes, transforms.known_shapes); g is copied in
        owned -= kept
        owned -= {n for t in s.targets for n in _names(t)}
        if fresh and plain:
            owned.add(target)
        return form

    def written_into(self, s) -> set:
        """The name `s` may update in place, if this pass turns it into an update: {v} or {}."""
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) \
                and self.in_place_form(s.value, s.targets[0].id) is not None:
            return {s.targets[0].id}
        return set()

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


def _np_call(node, names) -> bool:
    f = node.func if isinstance(node, gast.Call) else None
    return isinstance(f, gast.Attribute) and f.attr in names and _is(f.value, "np")


def _is(node, id_) -> bool:
    return isinstance(node, gast.Name) and node.id == id_


def _names(node) -> set:
    return {n.id for n in walk(node) if isinstance(n, gast.Name)}
