"""Array kinds: what each name of a generated function in Numba form holds, for `loop_nests`.

Shapes: a flow-insensitive pass, as `transforms.known_shapes` but over this form (fused
expressions, stacks): a name has a kind where every assignment gives it the same -- a parameter's
`Known`, an element-wise value, `@`, `.T`, entries by int, makers of a constant shape, sums, and a
pop from a list that holds the values of names of one kind. Anything else is unknown, which is
always safe: its statement stays as it was.
"""
from __future__ import annotations

import gast
import numpy as np

from .known_values import Known
from .nodes import name, walk, walk_statements

F8 = np.dtype(float)
_NUMBER = {np.dtype(int): Known((), np.dtype(int), True), F8: Known((), F8, True)}
UFUNCS = frozenset(getattr(np, n) for n in (
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "square", "absolute", "fabs",
    "negative", "sign", "arctan2", "hypot", "maximum", "minimum", "fmax", "fmin"))
ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)
_UNKNOWN = object()   # a name whose assignments disagree, or that this pass cannot describe


class Later(Exception):
    """An expression reads a name that an assignment will describe, but none has yet."""


def kinds(fn, given, roll) -> dict:
    """{name: Known} of the names of `fn` each assignment of which gives one kind."""
    statements = list(walk_statements(fn.body))
    held = _list_contents(fn, statements)
    env = {p.id: given.get(p.id) or _UNKNOWN for p in fn.args.args + fn.args.kwonlyargs}
    for p in fn.args.posonlyargs + [fn.args.vararg, fn.args.kwarg]:
        if p is not None:
            env[p.id] = _UNKNOWN
    assigned = set()
    for s in statements:
        for n in walk(s.target if isinstance(s, gast.For) else s):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                assigned.add(n.id)
    changed = True
    while changed:
        changed = False
        for s in statements:
            for target, kind in _assigned(s, env, assigned, held, roll):
                old = env.get(target)
                new = kind if old is None else old if old == kind else _join(old, kind)
                if new is not old:
                    env[target] = new
                    changed = True
    return {v: k for v, k in env.items() if isinstance(k, Known)}


def _join(a, b):
    if a is _UNKNOWN or b is _UNKNOWN:
        return _UNKNOWN
    if a.python and b.python and a.shape == b.shape == ():   # an int and a float: a number (Numba: a float)
        return _NUMBER[F8]
    return _UNKNOWN


def _list_contents(fn, statements) -> dict:
    """{list: the names appended to it}, for the lists (stacks) that are made empty here, have only
    names appended, and are otherwise only popped, read at [-1], counted or tested for emptiness."""
    held: dict = {}
    uses: dict = {}   # name -> how many of its reads and writes are among those

    def use(node):
        uses[node.id] = uses.get(node.id, 0) + 1
    for s in statements:
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) \
                and isinstance(s.value, gast.List) and not s.value.elts:
            use(s.targets[0])
        if isinstance(s, (gast.If, gast.While)) and isinstance(s.test, gast.Name):
            use(s.test)
        for n in walk(s.test if isinstance(s, (gast.If, gast.While)) else s.iter if isinstance(s, gast.For) else s):
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute) and isinstance(n.func.value, gast.Name) \
                    and (n.func.attr == "pop" and not n.args or n.func.attr == "append" and len(n.args) == 1):
                use(n.func.value)
                if n.args:
                    held.setdefault(n.func.value.id, set()).add(n.args[0].id if isinstance(n.args[0], gast.Name)
                                                                else None)
            elif isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name) and int_constant(n.slice) == -1:
                use(n.value)
            elif isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id == "len" \
                    and len(n.args) == 1 and isinstance(n.args[0], gast.Name):
                use(n.args[0])
    every: dict = {}
    for n in walk(fn):
        if isinstance(n, gast.Name):
            every[n.id] = every.get(n.id, 0) + 1
    return {k: v for k, v in held.items() if None not in v and uses.get(k) == every.get(k)}


def _assigned(s, env, assigned, held, roll):
    """(name, kind) for each name `s` binds (nothing yet for a value that reads a name no
    assignment has described yet)."""
    if isinstance(s, gast.For):
        it = s.iter
        counts = isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "range"
        targets = [n.id for n in walk(s.target) if isinstance(n, gast.Name)]
        return [(t, _NUMBER[np.dtype(int)] if counts and isinstance(s.target, gast.Name) else _UNKNOWN)
                for t in targets]
    if isinstance(s, (gast.If, gast.While)):
        return []
    stores = [n.id for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)]
    if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)):
        return [(v, _UNKNOWN) for v in stores]
    value = s.value
    source = _popped_from(value)
    try:
        if source is not None:   # a pop from a stack: what was pushed
            names = held.get(source)
            if not names:
                return [(stores[0], _UNKNOWN)]
            kinds = [kind_of(name(v), env, assigned, roll) for v in sorted(names)]
            kind = kinds[0]
            for k in kinds[1:]:
                kind = kind if k == kind else _join(kind, k)
            return [(stores[0], kind)]
        kind = kind_of(value, env, assigned, roll)
    except Later:
        return []
    return [(stores[0], _UNKNOWN if kind is None else kind)]


def _popped_from(value):
    """The list `v = xs.pop()` or `v = xs[-1]` reads, else None."""
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop" \
            and isinstance(value.func.value, gast.Name) and not value.args:
        return value.func.value.id
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and int_constant(value.slice) == -1:
        return value.value.id
    return None


def kind_of(node, env, assigned, roll):
    """The Known of what the expression `node` computes, or None where this pass cannot say."""
    def of(n):
        return kind_of(n, env, assigned, roll)

    if isinstance(node, gast.Constant):
        return _NUMBER.get(np.dtype(type(node.value))) if type(node.value) in (int, float) else None
    if isinstance(node, gast.Name):
        k = env.get(node.id)
        if k is None and node.id in assigned:
            raise Later(node.id)
        return k if isinstance(k, Known) else None
    if isinstance(node, gast.BinOp):
        left, right = of(node.left), of(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, gast.MatMult):
            return _matmul(left, right)
        return _arithmetic(node.op, [left, right])
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, (gast.USub, gast.UAdd)):
        operand = of(node.operand)
        return operand if operand is not None and operand.dtype.kind in "if" else None
    if isinstance(node, gast.Attribute):
        base = of(node.value)
        return Known(base.shape[::-1], base.dtype) if node.attr == "T" and is_array(base) else None
    if isinstance(node, gast.Subscript):
        base = of(node.value)
        indices = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        if not is_array(base) or len(indices) > base.ndim:
            return None
        for index in indices:
            k = of(index)
            if k is None or k.shape != () or k.dtype.kind != "i":
                return None
        if len(indices) == base.ndim:   # an entry: a number (to Numba, of the array's dtype)
            return _NUMBER.get(base.dtype)
        return Known(base.shape[len(indices):], base.dtype)
    if isinstance(node, gast.Call) and not node.keywords:
        return _called(node, of, roll)
    return None


def _called(node, of, roll):
    func, args = node.func, node.args
    if isinstance(func, gast.Name) and func.id == roll and len(args) == 3 and None not in map(int_constant, args[1:]):
        k = of(args[0])
        return k if is_array(k) and -k.ndim <= int_constant(args[2]) < k.ndim else None
    if isinstance(func, gast.Attribute) and func.attr == "sum" and not args:   # x.sum()
        k = of(func.value)
        return _NUMBER[F8] if is_array(k) and k.dtype == F8 else None
    numpy = numpy_function(func)
    if numpy in UFUNCS and len(args) == numpy.nin:
        return _arithmetic(None, [of(a) for a in args])
    if numpy is np.sum and len(args) == 1:
        k = of(args[0])
        return _NUMBER[F8] if is_array(k) and k.dtype == F8 else None
    if numpy in (np.zeros, np.ones, np.empty) and len(args) == 1:
        shape = _shape(args[0])
        return Known(shape, F8) if shape else None
    if numpy in (np.zeros_like, np.ones_like, np.empty_like) and len(args) == 1:
        k = of(args[0])
        return k if is_array(k) else None
    return None


def numpy_path(func) -> bool:
    """Is `func` an attribute of NumPy's (`np.sum`, `np.multiply.outer`)?"""
    while isinstance(func, gast.Attribute):
        func = func.value
    return isinstance(func, gast.Name) and func.id == "np"


def numpy_function(func):
    """The NumPy function `np.f` names, else None."""
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id == "np":
        return getattr(np, func.attr, None)
    return None


def _arithmetic(op, parts):
    """The kind of an element-wise operation (`op`; None: a float ufunc) of `parts`: a float64
    array of their broadcast shape where any is one (every array float64), or a number."""
    if any(p is None or p.dtype.kind not in "if" or (not p.python and p.dtype != F8 and p.ndim) for p in parts):
        return None
    arrays = [p for p in parts if is_array(p)]
    if not arrays:
        if any(not p.python for p in parts):
            return None   # (a NumPy scalar: its own dtype rules)
        floats = op is None or isinstance(op, (gast.Div, gast.Pow)) or any(p.dtype == F8 for p in parts)
        return _NUMBER[F8] if floats else (_NUMBER[np.dtype(int)] if isinstance(op, ARITHMETIC) else None)
    if not (op is None or isinstance(op, ARITHMETIC)) or any(not p.python and not p.ndim for p in parts):
        return None
    try:
        return Known(tuple(np.broadcast_shapes(*[p.shape for p in arrays])), F8)
    except ValueError:
        return None


def _matmul(a, b):
    if not (is_array(a) and is_array(b) and a.dtype == b.dtype == F8 and a.ndim <= 2 and b.ndim <= 2
            and a.shape[-1] == b.shape[0]):
        return None
    shape = a.shape[:-1] + b.shape[1:]
    return Known(shape, F8) if shape else _NUMBER[F8]


def is_array(k) -> bool:
    return k is not None and not k.python and k.ndim > 0


def int_constant(node):
    """The int constant `node` is (`-1` too), else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        k = int_constant(node.operand)
        return None if k is None else -k
    return node.value if isinstance(node, gast.Constant) and type(node.value) is int else None


def _shape(node):
    """The constant shape `node` gives a maker (`(3, 4)`, `(3,)`, `3`), else None."""
    parts = node.elts if isinstance(node, gast.Tuple) else [node]
    shape = tuple(int_constant(p) for p in parts)
    return shape if None not in shape and all(n >= 0 for n in shape) else None
