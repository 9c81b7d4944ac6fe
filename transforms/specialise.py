"""Specialise: a rule's derivative, written for any shapes, made plain for the known ones.

Rules are written once for every shape: ``matmul_grad_b(g, a, b)`` looks at the ranks of ``a`` and
``b`` when it runs, ``np.size(a)`` asks for a size. Where `transforms.known_shapes` knows them,
the instantiated template becomes what a person writes:

    matmul_grad_a(g, a, b)   ->  g @ b.T            (a, b matrices)
                             ->  np.multiply.outer(g, b)   (a matrix, b a vector)
                             ->  b @ g               (a vector, b a matrix)
                             ->  g * b               (two vectors)
    matmul_grad_b(g, a, b)   ->  a.T @ g, g @ a, np.multiply.outer(a, g), g * a
    dot_grad_a, dot_grad_b   ->  the same (`np.dot` of vectors and matrices is `@`)
    np.size(a), size_of(a)   ->  its size, a constant
    unsum(g, x, None, False) ->  np.full(x's shape, g)   (x a float64 array), and then just g
    unsum(g, x, 1, False)    ->  np.full(x's shape, g[:, None]), and then that
                                 where every product that reads it has a factor of that shape
                                 (`scalar_fills`, on the backward sweep)

Each form is what the helper computes for those shapes (see `s2s.runtime`).
"""
from __future__ import annotations

import math

import gast
import numpy as np

from .batching import MARK, vectors_outer
from .nodes import call, const, walk_statements


def specialise(expr, known: dict, helper):
    """`expr` (an instantiated template) with the helper calls whose branch the known shapes of
    their arguments decide replaced by that branch. `helper(name)`: a runtime helper's name in
    the generated code."""
    if not known:
        return expr
    # (`np.dot` of vectors and matrices is `@`: `dot_grad_a` calls `matmul_grad_a` for those ranks)
    forms = {helper("matmul_grad_a"): _matmul_grad_a, helper("matmul_grad_b"): _matmul_grad_b,
             helper("dot_grad_a"): _matmul_grad_a, helper("dot_grad_b"): _matmul_grad_b}
    unsum, sizes = helper("unsum"), helper("size_of")

    def rank(node):
        k = known.get(node.id) if isinstance(node, gast.Name) else None
        return None if k is None or k.python else k.ndim

    def rewrite(node):
        if isinstance(node, gast.Call) and not node.keywords:
            node.args = [rewrite(a) for a in node.args]
            f = node.func
            if isinstance(f, gast.Name) and f.id in forms and len(node.args) == 3:
                g, a, b = node.args
                form = forms[f.id](g, a, b, rank(a), rank(b))
                if getattr(form, MARK, False):   # the two vectors' lengths: those of the matrix
                    matrix = a if f.id in (helper("matmul_grad_a"), helper("dot_grad_a")) else b
                    setattr(form, MARK, known[matrix.id].shape)
                return form if form is not None else node
            if isinstance(f, gast.Name) and f.id == unsum and len(node.args) == 4 and isinstance(node.args[1], gast.Name):
                k = known.get(node.args[1].id)   # the cotangent of a sum: x's shape, filled
                axes, keepdims = _axes(node.args[2]), _constants(node.args[3:])[0]
                if k is not None and k.python is False and k.ndim and k.dtype == np.dtype(float) \
                        and keepdims in (True, False) and (axes is None or all(-k.ndim <= a < k.ndim for a in axes)):
                    g = node.args[0]
                    if axes is not None and not keepdims:   # the sum's axes back, of length one
                        axes = {a % k.ndim for a in axes}   # (`g[:, None]`: `np.expand_dims(g, 1)`, as a view)
                        g = gast.Subscript(value=g, slice=gast.Tuple(elts=[
                            const(None) if a in axes else gast.Slice(lower=None, upper=None, step=None)
                            for a in range(k.ndim)], ctx=gast.Load()), ctx=gast.Load())
                    if axes is not None or isinstance(node.args[2], gast.Constant) and node.args[2].value is None:
                        return call("np.full", gast.Tuple(elts=[const(n) for n in k.shape], ctx=gast.Load()), g)
            if (_is_np(f, "size") or isinstance(f, gast.Name) and f.id == sizes) and len(node.args) == 1 and isinstance(node.args[0], gast.Name):
                k = known.get(node.args[0].id)
                if k is not None:
                    return const(math.prod(k.shape))
            return node
        for field, value in gast.iter_fields(node):
            if isinstance(value, gast.AST):
                setattr(node, field, rewrite(value))
            elif isinstance(value, list):
                setattr(node, field, [rewrite(v) if isinstance(v, gast.AST) else v for v in value])
        return node

    return rewrite(expr)


def scalar_fills(stmts, known: dict, kept=frozenset()) -> list:
    """`d = np.full(shape, s)` (the cotangent of a sum, in code for known shapes) as `d = s`, where
    every read of `d` is a factor of a product (``*``, ``/``) that has a factor known to be a float64
    array of that same shape: the product broadcasts `s` to exactly the values and shape the full
    array gave, without making it. `stmts`: the backward sweep (in place); `kept`: names read after
    it (the gradients it returns)."""
    fills = {}
    for st in walk_statements(stmts):
        if isinstance(st, gast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], gast.Name):
            v = st.value
            if _is_np(getattr(v, "func", None), "full") and len(v.args) == 2 and not v.keywords \
                    and isinstance(v.args[0], gast.Tuple):
                shape = tuple(e.value for e in v.args[0].elts if isinstance(e, gast.Constant))
                fills.setdefault(st.targets[0].id, []).append((st, shape))
    if not fills:
        return stmts
    # a copy `a = d` (a sum's cotangent passed on, before copy propagation) holds the same fill:
    # its reads are the fill's reads
    root = {d: d for d, found in fills.items() if len(found) == 1}
    copies = set()
    grew = True
    while grew:
        grew = False
        for st in walk_statements(stmts):
            if isinstance(st, gast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], gast.Name) \
                    and isinstance(st.value, gast.Name) and st.value.id in root and st.targets[0].id not in root:
                root[st.targets[0].id] = root[st.value.id]
                copies.add(st)
                grew = True
    ok = {d for d in root.values() if d not in kept}
    ok -= {root[a] for a in root if a in kept}
    read_as_factor = set()
    for st in walk_statements(stmts):
        for node, factors in _products(st):
            for d in [root[f.id] for f in factors if isinstance(f, gast.Name) and f.id in root]:
                shape = fills[d][0][1]
                if not any(_shaped(f, known, shape) for f in factors):
                    ok.discard(d)
                read_as_factor.add(d)
        if st in copies:
            continue
        for n in gast.walk(st):   # any other read of d (or of a copy of it)
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id in root and not _as_factor(st, n):
                ok.discard(root[n.id])
    for d in ok & read_as_factor:
        st = fills[d][0][0]
        st.value = st.value.args[1]
    return stmts


def fills_in_arithmetic(stmts, known: dict) -> list:
    """`np.full(shape, v)` read in elementwise arithmetic (``a - np.full((64, 4), m)``, a rule's
    cotangent spread over a sum's axes) as `v`, where the arithmetic has another operand known to
    be a float64 array of that shape: it broadcasts `v` to the same values. `stmts`: the backward
    sweep (in place)."""
    def operands(node, out):
        if isinstance(node, gast.BinOp) and isinstance(node.op, _ELEMENTWISE):
            for side in ("left", "right"):
                child = getattr(node, side)
                if isinstance(child, gast.BinOp) and isinstance(child.op, _ELEMENTWISE):
                    operands(child, out)
                else:
                    out.append((node, side, child))
        return out

    def visit(node, inside):   # (inner arithmetic first: `np.exp(a - np.full(...))` has a's shape either way)
        arithmetic = isinstance(node, gast.BinOp) and isinstance(node.op, _ELEMENTWISE)
        for child in gast.iter_child_nodes(node):
            visit(child, arithmetic)
        if arithmetic and not inside:
            found = operands(node, [])
            shaped = [o for _, _, o in found if _fill_shape(o) is None]   # (not another fill: one is kept)
            for parent, side, child in found:
                shape = _fill_shape(child)
                if shape is not None and any(_shaped(o, known, shape) for o in shaped):
                    setattr(parent, side, child.args[1])
    for st in walk_statements(stmts):
        if not isinstance(st, (gast.If, gast.For, gast.While)):
            visit(st, False)
    return stmts


_ELEMENTWISE = (gast.Add, gast.Sub, gast.Mult, gast.Div)


def _fill_shape(node):
    """The shape of ``np.full((constants), v)``, else None."""
    if isinstance(node, gast.Call) and _is_np(node.func, "full") and len(node.args) == 2 and not node.keywords \
            and isinstance(node.args[0], gast.Tuple) and all(isinstance(e, gast.Constant) for e in node.args[0].elts):
        return tuple(e.value for e in node.args[0].elts)
    return None


def _shaped(node, known, shape) -> bool:
    """Is `node` a float64 array of `shape`: a name known to be one, one to a constant power, or
    elementwise arithmetic or a NumPy function of one argument (``np.exp(a - m)``) that broadcasts
    such names and numbers to it?"""
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Pow) and not any(
            isinstance(n, gast.Name) for n in gast.walk(node.right)):
        node = node.left
    k = known.get(node.id) if isinstance(node, gast.Name) else None
    if k is not None:
        return k.python is False and k.shape == shape and k.dtype == np.dtype(float)
    return _float_shape(node, known) == shape


_ELEMENTWISE_CALLS = frozenset({"exp", "log", "tanh", "sin", "cos", "sqrt", "abs", "negative", "square"})


def _float_shape(node, known):
    """The shape of a float64 value computed elementwise from names of known shapes and numbers,
    or None."""
    if isinstance(node, gast.Constant) and type(node.value) in (int, float):
        return ()
    if isinstance(node, gast.Name):
        k = known.get(node.id)
        return k.shape if k is not None and k.dtype in (np.dtype(float), np.dtype(int)) else None
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        return _float_shape(node.operand, known)
    if _fill_shape(node) is not None:
        return _fill_shape(node)
    if isinstance(node, gast.BinOp) and isinstance(node.op, _ELEMENTWISE):
        a, b = _float_shape(node.left, known), _float_shape(node.right, known)
        try:
            return None if a is None or b is None else np.broadcast_shapes(a, b)
        except ValueError:
            return None
    if isinstance(node, gast.Call) and not node.keywords and len(node.args) == 1 \
            and any(_is_np(node.func, f) for f in _ELEMENTWISE_CALLS):
        return _float_shape(node.args[0], known)
    return None


def _factors(node):
    """The operands of a product tree, divisors included (``a * b / c``: a, b and c all broadcast
    to the product's shape, and each element is computed from theirs alone)."""
    if isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div)):
        return _factors(node.left) + _factors(node.right)
    return [node]


def _products(st):
    """(product node, its factors) for the maximal products in statement `st`."""
    out = []

    def visit(node, inside):
        is_product = isinstance(node, gast.BinOp) and isinstance(node.op, (gast.Mult, gast.Div))
        if is_product and not inside:
            out.append((node, _factors(node)))
        for child in gast.iter_child_nodes(node):
            visit(child, is_product)
    visit(st, False)
    return out


def _as_factor(st, name_node) -> bool:
    """Is this read of a name one factor of a maximal product in `st`?"""
    return any(any(f is name_node for f in factors) for _, factors in _products(st))


def _axes(node):
    """The ints of a constant axis or tuple of axes, or None (for ``None`` too)."""
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return [node.value]
    if isinstance(node, gast.Tuple) and node.elts and all(isinstance(e, gast.Constant) and type(e.value) is int
                                                          for e in node.elts):
        return [e.value for e in node.elts]
    return None


def _constants(nodes):
    return [n.value if isinstance(n, gast.Constant) else n for n in nodes]


def _is_np(func, attr):
    return (isinstance(func, gast.Attribute) and func.attr == attr and isinstance(func.value, gast.Name)
            and func.value.id == "np")


def _t(node):
    return gast.Attribute(value=node, attr="T", ctx=gast.Load())


def _matmul(a, b):
    return gast.BinOp(left=a, op=gast.MatMult(), right=b)


def _mul(a, b):
    return gast.BinOp(left=a, op=gast.Mult(), right=b)


def _matmul_grad_a(g, a, b, na, nb):
    if (na, nb) == (2, 2):
        return _matmul(g, _t(b))
    if (na, nb) == (2, 1):
        return vectors_outer(g, b)
    if (na, nb) == (1, 2):
        return _matmul(b, g)
    if (na, nb) == (1, 1):
        return _mul(g, b)
    return None


def _matmul_grad_b(g, a, b, na, nb):
    if (na, nb) == (2, 2):
        return _matmul(_t(a), g)
    if (na, nb) == (2, 1):
        return _matmul(g, a)
    if (na, nb) == (1, 2):
        return vectors_outer(a, g)
    if (na, nb) == (1, 1):
        return _mul(g, a)
    return None

