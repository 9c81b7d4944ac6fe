"""Batching: sums of outer products across a loop, as one matrix product after it.

A backward loop over an RNN's steps accumulates its weight gradients one outer product per step:

    for _ in range(_trips1):
        ...
        d_Wx = d_Wx + np.multiply.outer(d_1, x)

Written by hand, those steps keep the two factors and multiply once, after the loop (the sum of
the outer products of the rows of A and B is ``A.T @ B``, exactly, in real arithmetic):

    _rows1 = []
    _cols1 = []
    for _ in range(_trips1):
        ...
        _rows1.append(d_1)
        _cols1.append(x)
    if _rows1:
        d_Wx = d_Wx + np.array(_rows1).T @ np.array(_cols1)

One matrix product replaces a product and a sum of two arrays per step. The rewrite applies to an
adjoint accumulated only there in the loop (nothing else in the loop reads or writes it), whose
outer product `transforms.specialise` made of two vectors (code for known shapes marks those
calls): factors of other ranks would not stack into rows.
"""
from __future__ import annotations

import gast

from .nodes import assign, at, call, expr_stmt, name, walk, walk_statements

MARK = "s2s_vectors"   # set on an `np.multiply.outer(u, v)` call node whose operands are known vectors


def vectors_outer(u, v):
    """`np.multiply.outer(u, v)` of two vectors, marked for this pass."""
    node = call("np.multiply.outer", u, v)
    setattr(node, MARK, True)
    return node


def batch_outer_products(stmts, namer, counter=None) -> list:
    """`stmts` with each loop's marked outer-product accumulations batched (innermost loops first)."""
    counter = counter if counter is not None else [0]
    out = []
    for s in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, batch_outer_products(getattr(s, field), namer, counter))
        if isinstance(s, (gast.For, gast.While)):
            before, after = _batch(s, namer, counter)
            out += before + [s] + after
        else:
            out.append(s)
    return out


def _batch(loop, namer, counter):
    before, after = [], []
    uses: dict = {}
    for n in walk(loop):
        if isinstance(n, gast.Name):
            uses[n.id] = uses.get(n.id, 0) + 1
    for block in [loop.body, loop.orelse] + [getattr(s, f) for s in walk_statements(loop.body + loop.orelse)
                                              for f in ("body", "orelse") if isinstance(getattr(s, f, None), list)]:
        for k, s in enumerate(block):
            found = _accumulation(s)
            if found is None or uses.get(found[0], 0) != 2:   # read or written elsewhere in the loop
                continue
            total, u, v = found
            counter[0] += 1
            rows, cols = namer.numbered("rows", counter[0]), namer.numbered("cols", counter[0])
            block[k:k + 1] = [expr_stmt(call(gast.Attribute(value=name(rows), attr="append", ctx=gast.Load()), u), s),
                              expr_stmt(call(gast.Attribute(value=name(cols), attr="append", ctx=gast.Load()), v), s)]
            before += [assign(rows, gast.List(elts=[], ctx=gast.Load()), loop),
                       assign(cols, gast.List(elts=[], ctx=gast.Load()), loop)]
            product = gast.BinOp(left=gast.Attribute(value=call("np.array", name(rows)), attr="T", ctx=gast.Load()),
                                 op=gast.MatMult(), right=call("np.array", name(cols)))
            summed = assign(total, gast.BinOp(left=name(total), op=gast.Add(), right=product), loop)
            after.append(at(gast.If(test=name(rows), body=[summed], orelse=[]), loop))
    return before, after


def _accumulation(s):
    """(X, u, v) if `s` is `X = X + np.multiply.outer(u, v)` with the call marked, else None."""
    if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)):
        return None
    value, total = s.value, s.targets[0].id
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and isinstance(value.left, gast.Name)
            and value.left.id == total and getattr(value.right, MARK, False)):
        return None
    u, v = value.right.args
    if any(isinstance(n, gast.Name) and n.id == total for part in (u, v) for n in walk(part)):
        return None
    return total, u, v
