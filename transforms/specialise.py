"""Specialise: a rule's derivative, written for any shapes, made plain for the known ones.

Rules are written once for every shape: ``matmul_grad_b(g, a, b)`` looks at the ranks of ``a`` and
``b`` when it runs, ``np.size(a)`` asks for a size. Where `transforms.known_shapes` knows them,
the instantiated template becomes what a person writes:

    matmul_grad_a(g, a, b)   ->  g @ b.T            (a, b matrices)
                             ->  np.multiply.outer(g, b)   (a matrix, b a vector)
                             ->  b @ g               (a vector, b a matrix)
                             ->  g * b               (two vectors)
    matmul_grad_b(g, a, b)   ->  a.T @ g, g @ a, np.multiply.outer(a, g), g * a
    np.size(a)               ->  its size, a constant
    unsum(g, x, None, False) ->  np.full(x's shape, g)   (x a float64 array)

Each form is what the helper computes for those shapes (see `s2s.runtime`).
"""
from __future__ import annotations

import math

import gast
import numpy as np

from .batching import vectors_outer
from .nodes import call, const


def specialise(expr, known: dict, helper):
    """`expr` (an instantiated template) with the helper calls whose branch the known shapes of
    their arguments decide replaced by that branch. `helper(name)`: a runtime helper's name in
    the generated code."""
    if not known:
        return expr
    forms = {helper("matmul_grad_a"): _matmul_grad_a, helper("matmul_grad_b"): _matmul_grad_b}
    unsum = helper("unsum")

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
                return form if form is not None else node
            if isinstance(f, gast.Name) and f.id == unsum and len(node.args) == 4 and _constants(node.args[2:]) == [
                    None, False] and isinstance(node.args[1], gast.Name):
                k = known.get(node.args[1].id)   # the cotangent of a sum of all of x: x's shape, filled
                if k is not None and k.python is False and k.ndim and k.dtype == np.dtype(float):
                    return call("np.full", gast.Tuple(elts=[const(n) for n in k.shape], ctx=gast.Load()),
                                node.args[0])
            if _is_np(f, "size") and len(node.args) == 1 and isinstance(node.args[0], gast.Name):
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

