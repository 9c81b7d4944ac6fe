"""Loop nests: element-wise array expressions as explicit loops, in code for known shapes (`s2s.jit`).

Before: a generated function in Numba form, fused (`transforms.fusion`), made for arguments of
known shapes and dtypes (`given`: parameter -> `Known`), as `s2s.jit` compiles it per signature:

    lap = roll_along(u, 1, 0) + roll_along(u, -1, 0) - 4 * u

After: each element-wise expression over float64 arrays of one shape (or broadcast to it) and
numbers -- arithmetic (`+ - * /`, `**` of a constant int >= 0), NumPy's float ufuncs, and
`roll_along` with constant shift and axis -- is computed by a loop nest into a fresh array:

    lap = np.empty((64, 64))
    for _i0 in range(64):
        for _i1 in range(64):
            lap[_i0, _i1] = u[_i0 - 1 if _i0 >= 1 else _i0 + 63, _i1] + u[...] - 4 * u[_i0, _i1]

Each array is read at the element the array operation reads: its own index, 0 along an axis it
is broadcast along, the index shifted (cyclically) along a rolled axis. Where the expression is
the value of `x = ...`, the nest writes `x` (or a fresh name, then `x = it`, where it reads `x`);
inside another expression (`(d_u * lap).sum()`), a fresh name it is replaced by. What the
expression reads that is not element-wise (`Wx @ h`, `np.sum(v)`) is computed before the nest,
as it was, into a fresh name.

Why: Numba compiles a chain of array statements (in a loop especially) into code several times
slower than the same loops, and compiles it slower too: the 10-step stencil's gradient ran 1.6 ms
as array statements against 0.2 ms as loops, and compiled in 5.5 s against 2.4 s.

Exact: each element is the same scalar operations on the same elements in the same order as
Numba's kernel of the array expression (which follows NumPy's error model: `/` is `np.divide`
here, which gives inf or nan on a zero where Python's `/` would raise). A statement is left as
it is unless all it calls is NumPy, the helpers in `pure` and methods that write into no array
(nothing else runs between what the nest reads and what it replaces). (With Intel's SVML
installed, Numba may vectorise either form with other math functions; not here.)

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
from .nodes import ADJOINT, assign, at, call, const, is_adjoint, name, walk, walk_statements

_F8 = np.dtype(float)
_NUMBER = {np.dtype(int): Known((), np.dtype(int), True), _F8: Known((), _F8, True)}
_UFUNCS = frozenset(getattr(np, n) for n in (
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "square", "absolute", "fabs",
    "negative", "sign", "arctan2", "hypot", "maximum", "minimum", "fmax", "fmin"))
_ARITHMETIC = (gast.Add, gast.Sub, gast.Mult, gast.Div, gast.Pow)
_METHODS = {"append", "pop", "sum", "mean", "copy", "reshape", "dot"}   # (of lists and arrays: write into no array)
_UNKNOWN = object()   # a name whose assignments disagree, or that this pass cannot describe


def loop_nests(fn: gast.FunctionDef, given: dict, pure: set, roll: str) -> gast.FunctionDef:
    """`fn` with its element-wise array expressions as loop nests (see the module's docstring);
    `pure`: the helpers that have no effect but their result; `roll`: the name `roll_along` has."""
    taken = {n.id for n in walk(fn) if isinstance(n, gast.Name)}
    nests = _Nests(_kinds(fn, given, roll), pure, roll, taken)
    fn.body = nests.block(fn.body)
    return fn


# ---- kinds: what each name holds -----------------------------------------------------------

class _Later(Exception):
    """An expression reads a name that an assignment will describe, but none has yet."""


def _kinds(fn, given, roll) -> dict:
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
        return _NUMBER[_F8]
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
            elif isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name) and _int(n.slice) == -1:
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
            kinds = [_kind(name(v), env, assigned, roll) for v in sorted(names)]
            kind = kinds[0]
            for k in kinds[1:]:
                kind = kind if k == kind else _join(kind, k)
            return [(stores[0], kind)]
        kind = _kind(value, env, assigned, roll)
    except _Later:
        return []
    return [(stores[0], _UNKNOWN if kind is None else kind)]


def _popped_from(value):
    """The list `v = xs.pop()` or `v = xs[-1]` reads, else None."""
    if isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "pop" \
            and isinstance(value.func.value, gast.Name) and not value.args:
        return value.func.value.id
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and _int(value.slice) == -1:
        return value.value.id
    return None


def _kind(node, env, assigned, roll):
    """The Known of what the expression `node` computes, or None where this pass cannot say."""
    def of(n):
        return _kind(n, env, assigned, roll)

    if isinstance(node, gast.Constant):
        return _NUMBER.get(np.dtype(type(node.value))) if type(node.value) in (int, float) else None
    if isinstance(node, gast.Name):
        k = env.get(node.id)
        if k is None and node.id in assigned:
            raise _Later(node.id)
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
        return Known(base.shape[::-1], base.dtype) if node.attr == "T" and _array(base) else None
    if isinstance(node, gast.Subscript):
        base = of(node.value)
        indices = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
        if not _array(base) or len(indices) > base.ndim:
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
    if isinstance(func, gast.Name) and func.id == roll and len(args) == 3 and None not in map(_int, args[1:]):
        k = of(args[0])
        return k if _array(k) and -k.ndim <= _int(args[2]) < k.ndim else None
    if isinstance(func, gast.Attribute) and func.attr == "sum" and not args:   # x.sum()
        k = of(func.value)
        return _NUMBER[_F8] if _array(k) and k.dtype == _F8 else None
    numpy = _numpy(func)
    if numpy in _UFUNCS and len(args) == numpy.nin:
        return _arithmetic(None, [of(a) for a in args])
    if numpy is np.sum and len(args) == 1:
        k = of(args[0])
        return _NUMBER[_F8] if _array(k) and k.dtype == _F8 else None
    if numpy in (np.zeros, np.ones, np.empty) and len(args) == 1:
        shape = _shape(args[0])
        return Known(shape, _F8) if shape else None
    if numpy in (np.zeros_like, np.ones_like, np.empty_like) and len(args) == 1:
        k = of(args[0])
        return k if _array(k) else None
    return None


def _numpy_path(func) -> bool:
    """Is `func` an attribute of NumPy's (`np.sum`, `np.multiply.outer`)?"""
    while isinstance(func, gast.Attribute):
        func = func.value
    return isinstance(func, gast.Name) and func.id == "np"


def _numpy(func):
    """The NumPy function `np.f` names, else None."""
    if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and func.value.id == "np":
        return getattr(np, func.attr, None)
    return None


def _arithmetic(op, parts):
    """The kind of an element-wise operation (`op`; None: a float ufunc) of `parts`: a float64
    array of their broadcast shape where any is one (every array float64), or a number."""
    if any(p is None or p.dtype.kind not in "if" or (not p.python and p.dtype != _F8 and p.ndim) for p in parts):
        return None
    arrays = [p for p in parts if _array(p)]
    if not arrays:
        if any(not p.python for p in parts):
            return None   # (a NumPy scalar: its own dtype rules)
        floats = op is None or isinstance(op, (gast.Div, gast.Pow)) or any(p.dtype == _F8 for p in parts)
        return _NUMBER[_F8] if floats else (_NUMBER[np.dtype(int)] if isinstance(op, _ARITHMETIC) else None)
    if not (op is None or isinstance(op, _ARITHMETIC)) or any(not p.python and not p.ndim for p in parts):
        return None
    try:
        return Known(tuple(np.broadcast_shapes(*[p.shape for p in arrays])), _F8)
    except ValueError:
        return None


def _matmul(a, b):
    if not (_array(a) and _array(b) and a.dtype == b.dtype == _F8 and a.ndim <= 2 and b.ndim <= 2
            and a.shape[-1] == b.shape[0]):
        return None
    shape = a.shape[:-1] + b.shape[1:]
    return Known(shape, _F8) if shape else _NUMBER[_F8]


def _array(k) -> bool:
    return k is not None and not k.python and k.ndim > 0


def _int(node):
    """The int constant `node` is (`-1` too), else None."""
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        k = _int(node.operand)
        return None if k is None else -k
    return node.value if isinstance(node, gast.Constant) and type(node.value) is int else None


def _shape(node):
    """The constant shape `node` gives a maker (`(3, 4)`, `(3,)`, `3`), else None."""
    parts = node.elts if isinstance(node, gast.Tuple) else [node]
    shape = tuple(_int(p) for p in parts)
    return shape if None not in shape and all(n >= 0 for n in shape) else None


# ---- the nests ---------------------------------------------------------------------------------

class _Nests:
    def __init__(self, kinds, pure, roll, taken):
        self.kinds, self.pure, self.roll, self.taken = kinds, pure | {roll}, roll, taken
        self.indices = []   # the loop variables, one per axis: `_i0`, `_i1`, ...

    def block(self, stmts):
        out = []
        for s in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    setattr(s, field, self.block(getattr(s, field)))
            out += self.statement(s) if isinstance(s, (gast.Assign, gast.Expr, gast.Return)) else [s]
        return out

    def statement(self, s):
        """`s`, with what its element-wise expressions need computed before it, or `[s]`."""
        if not self.only_pure(s):
            return [s]
        before = []
        target = s.targets[0].id if isinstance(s, gast.Assign) and len(s.targets) == 1 \
            and isinstance(s.targets[0], gast.Name) else None
        if target is not None and self.elementwise(s.value):
            return self.nest(s.value, target, s)
        s.value = self.replaced(s.value, before, s)
        return before + [s]

    def replaced(self, node, before, origin):
        """`node` with its largest element-wise parts replaced by arrays their nests (appended to
        `before`) compute."""
        if node is None:
            return node
        if self.elementwise(node):
            fresh = self.fresh("_e")
            self.kinds[fresh] = self.kind(node)
            before += self.nest(node, fresh, origin)
            return name(fresh)
        for field, value in gast.iter_fields(node):
            if isinstance(value, list):
                setattr(node, field, [self.replaced(v, before, origin) if isinstance(v, gast.expr) else v
                                      for v in value])
            elif isinstance(value, gast.expr):
                setattr(node, field, self.replaced(value, before, origin))
        return node

    def nest(self, value, target, origin):
        """`target = value` (element-wise): the statements that compute it in a loop nest."""
        shape = self.kind(value).shape
        before = []
        axes = [name(i) for i in self.loop_variables(len(shape))]
        element = self.element(value, axes, before, origin)
        written = target
        if any(isinstance(n, gast.Name) and n.id == target for n in walk(element)):
            written = self.fresh(f"_{target.lstrip('_')}_new")   # (it reads the array it replaces)
        index = axes[0] if len(axes) == 1 else gast.Tuple(elts=axes, ctx=gast.Load())
        write = assign(gast.Subscript(value=name(written), slice=index, ctx=gast.Store()), element)
        loop = write
        for axis, n in reversed(list(zip(axes, shape))):
            loop = gast.For(target=name(axis.id, store=True), iter=call("range", const(n)), body=[loop],
                            orelse=[], type_comment=None)
        made = [assign(written, call("np.empty", gast.Tuple(elts=[const(n) for n in shape], ctx=gast.Load()))), loop]
        if written != target:
            self.kinds[written] = Known(shape, _F8)
            made.append(assign(target, name(written)))
        for s in before + made:
            at(s, origin)
            for n in walk_statements([s]):
                setattr(n, ADJOINT, is_adjoint(origin))
        return before + made

    def element(self, node, index, before, origin):
        """The scalar expression for the element `index` (one expression per axis of `node`'s
        shape) of the element-wise `node`; what it reads that is not element-wise is computed
        into fresh names in `before`."""
        kind = self.kind(node)
        if not _array(kind):
            if isinstance(node, (gast.Name, gast.Constant)) or not any(
                    isinstance(n, (gast.Call, gast.Subscript, gast.Attribute)) for n in walk(node)):
                return node
            return name(self.computed(node, kind, before, origin))   # (once, not once per element)
        if not self.elementwise(node):
            base = node.id if isinstance(node, gast.Name) else self.computed(node, kind, before, origin)
            return gast.Subscript(value=name(base), slice=index[0] if len(index) == 1 else gast.Tuple(
                elts=index, ctx=gast.Load()), ctx=gast.Load())
        shape = kind.shape
        if isinstance(node, gast.BinOp):
            left = self.element(node.left, _broadcast(index, shape, self.kind(node.left)), before, origin)
            right = self.element(node.right, _broadcast(index, shape, self.kind(node.right)), before, origin)
            if isinstance(node.op, gast.Div) and not (isinstance(right, gast.Constant) and right.value):
                return call("np.divide", left, right)   # (NumPy's error model: no ZeroDivisionError)
            return gast.BinOp(left=left, op=node.op, right=right)
        if isinstance(node, gast.UnaryOp):
            return gast.UnaryOp(op=node.op, operand=self.element(node.operand, index, before, origin))
        if isinstance(node.func, gast.Name) and node.func.id == self.roll:   # roll_along(x, shift, axis)
            axis = _int(node.args[2]) % len(shape)
            n = shape[axis]
            shifted = list(index)
            shifted[axis] = _cyclic(index[axis], _int(node.args[1]) % n if n else 0, n)
            return self.element(node.args[0], shifted, before, origin)
        return call(node.func, *[self.element(a, _broadcast(index, shape, self.kind(a)), before, origin)
                                 for a in node.args])

    def computed(self, node, kind, before, origin):
        """A fresh name for `node`'s value, computed (its own element-wise parts in nests) before."""
        fresh = self.fresh("_v")
        self.kinds[fresh] = kind
        value = self.replaced(node, before, origin)
        before.append(assign(fresh, value))
        return fresh

    def elementwise(self, node) -> bool:
        """Is `node` an operation a loop nest computes element by element, of float64 arrays?"""
        kind = self.kind(node)
        if not _array(kind) or kind.dtype != _F8:
            return False
        if isinstance(node, gast.BinOp):
            if isinstance(node.op, gast.Pow):
                exponent = _int(node.right)
                return exponent is not None and exponent >= 0 and _array(self.kind(node.left))
            return isinstance(node.op, _ARITHMETIC)
        if isinstance(node, gast.UnaryOp):
            return True
        if isinstance(node, gast.Call):
            return isinstance(node.func, gast.Name) and node.func.id == self.roll or _numpy(node.func) in _UFUNCS
        return False

    def kind(self, node):
        try:
            return _kind(node, self.kinds, set(), self.roll)
        except _Later:   # (not raised: no name is "assigned later" here)
            return None

    def only_pure(self, s) -> bool:
        """Does `s` call nothing but NumPy, the helpers in `pure` and methods that change no array?"""
        for n in walk(s):
            if isinstance(n, gast.Call) and not (isinstance(n.func, gast.Name) and n.func.id in self.pure
                                                 or isinstance(n.func, gast.Attribute) and _numpy_path(n.func)
                                                 or isinstance(n.func, gast.Attribute) and n.func.attr in _METHODS):
                return False
        return True

    def loop_variables(self, ndim):
        while len(self.indices) < ndim:
            self.indices.append(self.fresh(f"_i{len(self.indices)}"))
        return self.indices[:ndim]

    def fresh(self, base):
        candidate, k = base, 1
        while candidate in self.taken:
            k += 1
            candidate = f"{base}{k}"
        self.taken.add(candidate)
        return candidate


def _broadcast(index, shape, kind):
    """The index into a part of `kind` of the element `index` of a result of `shape`: its last
    axes, 0 along an axis of length 1 that the part is broadcast along."""
    if not _array(kind):
        return []
    lead = len(shape) - kind.ndim
    return [const(0) if n == 1 and shape[lead + k] != 1 else index[lead + k] for k, n in enumerate(kind.shape)]


def _cyclic(i, s, n):
    """The index `(i - s) mod n` (for `i` in range(n)) without a modulo: `i - s if i >= s else i + (n - s)`."""
    if s == 0:
        return i
    return gast.IfExp(test=gast.Compare(left=i, ops=[gast.GtE()], comparators=[const(s)]),
                      body=gast.BinOp(left=i, op=gast.Sub(), right=const(s)),
                      orelse=gast.BinOp(left=i, op=gast.Add(), right=const(n - s)))
