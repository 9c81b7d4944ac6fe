"""Float arrays of known shape: which names of generated code for known shapes hold a float64
array of a known shape (or a real number) wherever they are read, for `transforms.inplace`.

Before and after: a generated function, unchanged; `known` says what the primal names hold
(`transforms.known_shapes`). A name qualifies when every assignment to it makes such an array:
``np.zeros(shape)``, ``np.full(shape, v)`` of a float or of such an array, arithmetic of such
arrays and numbers (``+ - * /``, broadcasting; ``@`` of one or two axes, a constant power),
``np.roll`` of one, its transpose ``.T``, a view by ints, full slices and new axes (``r[:, None]``),
an elementwise function of one (``np.cos``), the sum of one (``e.sum()``, ``np.sum(e)``: a
number; over an int ``axis=``, with ``keepdims`` or not), and s2s's helpers on one (`setindex`,
`set_at`, `add_at`; `unindex(g, x, i)` and `unmax(g, x, ...)` are shaped like `x`). Anything else (another call, a
parameter, an unpacking, a loop target) leaves the name
out: the analysis is flow-insensitive and says nothing it cannot show for every path.

Also here: which names are `range` loop indices (always a Python int), and which indices hold
only those and integer constants (so they never name an element twice).
"""
from __future__ import annotations

import gast
import numpy as np

from .nodes import name_nodes, param_names, walk_statements

NUMBER = "number"

# Elementwise functions that give a float64 of a real's shape, for an int too (never an int), and
# never raise: `np.cos(x)` is such an array, or a number, where `x` is.
ELEMENTWISE = ("sin", "cos", "tan", "exp", "log", "tanh", "sinh", "cosh", "sqrt", "arctan", "arcsin", "arccos",
               "arcsinh", "log1p", "expm1", "log2", "log10", "exp2")


def array_shape(k):
    """The shape of a float64 array of known shape, else None."""
    if k is not None and k.python is False and k.dtype == np.dtype(float) and k.ndim \
            and all(type(n) is int for n in k.shape):
        return tuple(k.shape)
    return None


def float_arrays(fn, helper, known) -> dict:
    """{name: shape} of the names (not primal ones, which `known` describes) that hold a float64
    array of that shape wherever they are read: every assignment to them makes one; and {name:
    NUMBER} of those that hold a real number (`d_out = 1.0`). Found as the
    greatest fixed point (a name assigned from itself, `d = d + g`, is such an array if its other
    assignments make one)."""
    defs: dict = {}
    other = set(param_names(fn))
    for s in walk_statements(fn.body):
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            defs.setdefault(s.targets[0].id, []).append(s.value)
        elif isinstance(s, (gast.Assign, gast.AugAssign, gast.For)):
            for t in (s.targets if isinstance(s, gast.Assign) else [s.target]):
                other |= _stored(t)
    kinds = {v: None for v in defs if v not in known and v not in other}   # None: not decided yet
    changed = True
    while changed:
        changed = False
        for v in kinds:
            if kinds[v] is False:
                continue
            found = {kind_of(value, kinds, known, helper) for value in defs[v]} - {None}
            kind = found.pop() if len(found) == 1 else (False if found else None)
            if kind != kinds[v]:
                kinds[v], changed = kind, True
    return {v: kind for v, kind in kinds.items() if kind}


def kind_of(node, kinds, known, helper):
    """A float64 array's shape, NUMBER (a real 0-d value), None (not decided yet), or False."""
    if isinstance(node, gast.Constant):
        return NUMBER if type(node.value) in (int, float) else False
    if isinstance(node, gast.Name):
        if node.id in known:
            k = known[node.id]
            real = k is not None and (k.dtype.kind in "biu" or k.dtype.kind == "f" and k.dtype.itemsize <= 8)
            if real and not k.shape:   # (no longdouble: it would make the sum a longdouble)
                return NUMBER
            return array_shape(k) or False
        return kinds.get(node.id, False)
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return kind_of(node.operand, kinds, known, helper)
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Pow) and isinstance(node.right, gast.Constant) \
            and type(node.right.value) in (int, float):   # (an array to a constant power keeps its shape)
        return kind_of(node.left, kinds, known, helper)
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.MatMult):
        return _matmul(kind_of(node.left, kinds, known, helper), kind_of(node.right, kinds, known, helper))
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div)):
        left, right = kind_of(node.left, kinds, known, helper), kind_of(node.right, kinds, known, helper)
        if left is False or right is False:
            return False
        if left is None or right is None:   # not decided yet: a shape is what the sum would have
            other = left if right is None else right
            return other if isinstance(other, tuple) else None
        if left == right or right == NUMBER:
            return left
        if left == NUMBER:
            return right
        try:
            return tuple(np.broadcast_shapes(left, right))
        except ValueError:
            return False
    if isinstance(node, gast.Subscript):   # an element or a row of a float64 array, by ints
        base = kind_of(node.value, kinds, known, helper)
        parts = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        if not isinstance(base, tuple):
            return None if base is None else False
        if len(parts) <= len(base) and all(_an_int(p, known) for p in parts):
            return base[len(parts):] or NUMBER
        return _axes_taken(base, parts, known)
    if isinstance(node, gast.Attribute) and node.attr == "T":   # the transpose
        base = kind_of(node.value, kinds, known, helper)
        return base[::-1] if isinstance(base, tuple) else base if base is None else False
    if isinstance(node, gast.Call) and _axis_of_sum(node) is not None:   # e.sum(axis=k), np.sum(e, axis=k, keepdims=True)
        summed, axis, keep = _axis_of_sum(node)
        kind = kind_of(summed, kinds, known, helper)
        if not isinstance(kind, tuple):
            return kind if kind is None else False
        if not -len(kind) <= axis < len(kind):
            return False
        axis %= len(kind)
        return kind[:axis] + ((1,) if keep else ()) + kind[axis + 1:] or NUMBER
    if isinstance(node, gast.Call) and not node.keywords:
        f = node.func
        if isinstance(f, gast.Name) and f.id == helper("copy_of") and len(node.args) == 1:
            return kind_of(node.args[0], kinds, known, helper)
        if isinstance(f, gast.Name) and f.id in (helper("set_at"), helper("add_at"), helper("setindex")) \
                and node.args:   # (a copy of a float64 array, or that array updated)
            kind = kind_of(node.args[0], kinds, known, helper)
            return kind if kind != NUMBER else False
        if isinstance(f, gast.Name) and f.id == helper("unindex") and len(node.args) == 3:   # zeros like x
            kind = kind_of(node.args[1], kinds, known, helper)
            return kind if kind != NUMBER else False
        if np_call(node, ("roll",)) and node.args:   # the same values, moved
            return kind_of(node.args[0], kinds, known, helper)
        summed = node.args[0] if np_call(node, ("sum",)) and len(node.args) == 1 else \
            f.value if isinstance(f, gast.Attribute) and f.attr == "sum" and not node.args else None
        if summed is not None:   # a float64 array's sum: a float64
            kind = kind_of(summed, kinds, known, helper)
            return NUMBER if isinstance(kind, tuple) else kind if kind is None else False
        if np_call(node, ELEMENTWISE) and len(node.args) == 1:
            return kind_of(node.args[0], kinds, known, helper)
        if np_call(node, ("zeros",)) and len(node.args) == 1 and _int_tuple(node.args[0]):
            return tuple(e.value for e in node.args[0].elts)
        if np_call(node, ("full",)) and len(node.args) == 2 and _int_tuple(node.args[0]):
            shape, fill = tuple(e.value for e in node.args[0].elts), kind_of(node.args[1], kinds, known, helper)
            if fill is None:
                return None
            if fill == NUMBER and _a_float(node.args[1]) or isinstance(fill, tuple) and _broadcasts_to(fill, shape):
                return shape   # (a float fill, or a float64 array's: a float64 array)
            return False
        if isinstance(f, gast.Name) and f.id == helper("unmax") and len(node.args) >= 2:   # g where x is extreme
            kind, g = kind_of(node.args[1], kinds, known, helper), kind_of(node.args[0], kinds, known, helper)
            return False if g is False or kind == NUMBER else kind
    return False


def _broadcasts_to(kind, shape) -> bool:
    try:
        return np.broadcast_shapes(kind, shape) == shape
    except ValueError:
        return False


def _int_tuple(node) -> bool:
    return isinstance(node, gast.Tuple) and bool(node.elts) and all(
        isinstance(e, gast.Constant) and type(e.value) is int for e in node.elts)


def _a_float(node) -> bool:
    """Does the arithmetic `node` surely give a float: a float constant is one of its operands?"""
    if isinstance(node, gast.Constant):
        return type(node.value) is float
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        return _a_float(node.operand)
    return isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.Div)) \
        and (_a_float(node.left) or _a_float(node.right))


def _axes_taken(base, parts, known):
    """The shape of ``x[...]`` of an array of shape `base` by full slices (``:``), ints and None
    (``x[:, None]``), else False."""
    shape, at = [], 0
    for p in parts:
        if isinstance(p, gast.Constant) and p.value is None:
            shape.append(1)
            continue
        if at >= len(base):
            return False
        if isinstance(p, gast.Slice) and p.lower is None and p.upper is None and p.step is None:
            shape.append(base[at])
        elif not _an_int(p, known):
            return False
        at += 1
    return tuple(shape) + tuple(base[at:]) or NUMBER


def _axis_of_sum(node):
    """(e, k, keepdims) of ``e.sum(axis=k)`` or ``np.sum(e, axis=k)`` (``keepdims=True`` or not), k
    an int constant, else None."""
    words = {k.arg: k.value for k in node.keywords}
    axis, keep = int_constant(words.get("axis")), words.get("keepdims", gast.Constant(value=False, kind=None))
    if not words or set(words) - {"axis", "keepdims"} or axis is None \
            or not isinstance(keep, gast.Constant) or type(keep.value) is not bool:
        return None
    f = node.func
    if np_call(node, ("sum",)):
        return (node.args[0], axis, keep.value) if len(node.args) == 1 else None
    if isinstance(f, gast.Attribute) and f.attr == "sum" and not node.args:
        return f.value, axis, keep.value
    return None


def int_constant(node):
    """The int `node` spells (``1``, ``-1``), else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        value = int_constant(node.operand)
        return None if value is None else -value
    return node.value if isinstance(node, gast.Constant) and type(node.value) is int else None


def _an_int(node, known) -> bool:
    """Does `node` surely hold one int (an int constant, a name known to, arithmetic of those)?"""
    if isinstance(node, gast.Constant):
        return type(node.value) is int
    if isinstance(node, gast.Name):
        k = known.get(node.id)
        return k is not None and k.shape == () and k.dtype.kind in "iu"
    return isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Add, gast.Sub, gast.Mult, gast.FloorDiv)) \
        and _an_int(node.left, known) and _an_int(node.right, known)


def _stored(target) -> set:
    """The names an assignment to `target` binds (`a, b`; not `i` in `y[i]`, which it reads)."""
    return {n.id for n in name_nodes(target) if isinstance(n.ctx, gast.Store)}


def _matmul(a, b):
    """The kind of `a @ b` for float64 arrays of the kinds `a` and `b` (of one or two axes)."""
    if a is False or b is False or a == NUMBER or b == NUMBER:
        return False
    if a is None or b is None:
        return None
    if not (1 <= len(a) <= 2 and 1 <= len(b) <= 2) or a[-1] != b[0]:
        return False
    shape = a[:-1] + b[1:]
    return shape or NUMBER


def loop_indices(fn) -> set:
    """Names assigned only as the target of `for i in range(...)` (or its `reversed`, or a slice of
    those): each holds a Python int. (`shapes.range_indices` takes every loop for a `range` loop, as
    normal form makes them; here, where an index that may repeat an element would make `d[i] += g`
    wrong, what is iterated is checked.)"""
    targets, other = set(), set()
    for s in walk_statements(fn.body):
        if isinstance(s, gast.For) and isinstance(s.target, gast.Name) and _counts(s.iter):
            targets.add(s.target.id)
        elif isinstance(s, (gast.Assign, gast.AugAssign, gast.For)):
            for t in (s.targets if isinstance(s, gast.Assign) else [s.target]):
                other |= _stored(t)
    return targets - other - set(param_names(fn))


def nonnegative_indices(fn) -> set:
    """The `loop_indices` whose every loop is over `range(...)` or `reversed(range(...))` that
    starts at an int constant of 0 or more (so the index is never negative)."""
    indices = loop_indices(fn)
    for s in walk_statements(fn.body):
        if isinstance(s, gast.For) and isinstance(s.target, gast.Name) and s.target.id in indices \
                and not _from_zero_up(s.iter):
            indices.discard(s.target.id)
    return indices


def _from_zero_up(it) -> bool:
    if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "reversed" and len(it.args) == 1:
        it = it.args[0]
    start = range_start(it)
    return start is not None and start >= 0


def range_start(it):
    """The first index of `range(...)` (`it`) where it is an int constant, else None."""
    if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "range"
            and 1 <= len(it.args) <= 3 and not it.keywords):
        return None
    if len(it.args) == 1:
        return 0
    start = it.args[0]
    return start.value if isinstance(start, gast.Constant) and type(start.value) is int else None


def index_plus(index):
    """(i, c) where `index` is the name `i` plus an int constant c >= 0 (``t + 1``, or ``t``), else None."""
    if isinstance(index, gast.Name):
        return index.id, 0
    if isinstance(index, gast.BinOp) and isinstance(index.op, gast.Add) and isinstance(index.left, gast.Name) \
            and isinstance(index.right, gast.Constant) and type(index.right.value) is int and index.right.value >= 0:
        return index.left.id, index.right.value
    return None


def _counts(it) -> bool:
    """Is `it` `range(...)`, `reversed(range(...))`, or a slice of one?"""
    if isinstance(it, gast.Subscript) and isinstance(it.slice, gast.Slice):
        return _counts(it.value)
    if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and not it.keywords:
        if it.func.id == "range":
            return True
        return it.func.id == "reversed" and len(it.args) == 1 and _counts(it.args[0])
    return False


def simple_index(index, indices) -> bool:
    """Does `index` hold only range indices, integer constants and slices of them (and None)?"""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    for p in parts:
        if isinstance(p, gast.Call) and isinstance(p.func, gast.Name) and p.func.id == "slice":
            if not all(simple_index(a, indices) or (isinstance(a, gast.Constant) and a.value is None)
                       for a in p.args):
                return False
        elif not (isinstance(p, gast.Name) and p.id in indices
                  or isinstance(p, gast.Constant) and type(p.value) is int):
            return False
    return True


def np_call(node, names) -> bool:
    """Is `node` a call `np.<one of names>(...)`?"""
    f = node.func if isinstance(node, gast.Call) else None
    return isinstance(f, gast.Attribute) and f.attr in names and isinstance(f.value, gast.Name) and f.value.id == "np"

