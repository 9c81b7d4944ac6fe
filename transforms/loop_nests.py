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

What each name holds comes from `transforms.array_kinds`.
"""
from __future__ import annotations

import gast

from .array_kinds import (ARITHMETIC, F8, UFUNCS, Later, int_constant, is_array, kind_of, kinds, numpy_function,
                          numpy_path)
from .known_values import Known
from .nodes import ADJOINT, assign, at, call, const, is_adjoint, name, walk, walk_statements

_METHODS = {"append", "pop", "sum", "mean", "copy", "reshape", "dot"}   # (of lists and arrays: write into no array)


def loop_nests(fn: gast.FunctionDef, given: dict, pure: set, roll: str) -> gast.FunctionDef:
    """`fn` with its element-wise array expressions as loop nests (see the module's docstring);
    `pure`: the helpers that have no effect but their result; `roll`: the name `roll_along` has."""
    taken = {n.id for n in walk(fn) if isinstance(n, gast.Name)}
    nests = _Nests(kinds(fn, given, roll), pure, roll, taken)
    fn.body = nests.block(fn.body)
    return fn


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
            self.kinds[written] = Known(shape, F8)
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
        if not is_array(kind):
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
            axis = int_constant(node.args[2]) % len(shape)
            n = shape[axis]
            shifted = list(index)
            shifted[axis] = _cyclic(index[axis], int_constant(node.args[1]) % n if n else 0, n)
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
        if not is_array(kind) or kind.dtype != F8:
            return False
        if isinstance(node, gast.BinOp):
            if isinstance(node.op, gast.Pow):
                exponent = int_constant(node.right)
                return exponent is not None and exponent >= 0 and is_array(self.kind(node.left))
            return isinstance(node.op, ARITHMETIC)
        if isinstance(node, gast.UnaryOp):
            return True
        if isinstance(node, gast.Call):
            return isinstance(node.func, gast.Name) and node.func.id == self.roll or numpy_function(node.func) in UFUNCS
        return False

    def kind(self, node):
        try:
            return kind_of(node, self.kinds, set(), self.roll)
        except Later:   # (not raised: no name is "assigned later" here)
            return None

    def only_pure(self, s) -> bool:
        """Does `s` call nothing but NumPy, the helpers in `pure` and methods that change no array?"""
        for n in walk(s):
            if isinstance(n, gast.Call) and not (isinstance(n.func, gast.Name) and n.func.id in self.pure
                                                 or isinstance(n.func, gast.Attribute) and numpy_path(n.func)
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
    if not is_array(kind):
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
