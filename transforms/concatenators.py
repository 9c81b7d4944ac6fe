"""`np.r_[...]` and `np.c_[...]`: NumPy's joins written as indexing, spelled as the calls they stand for.

Used by normal form, which flattens what this returns. ``np.r_[a, b, 1:4]`` joins its items along
the first axis, each made at least 1-d and a slice of numbers made a range; ``np.c_[a, b]`` joins
them along the last axis, each made at least 2-d with a vector standing as a column
(`s2s.runtime.column`). So (the dtype as NumPy picks it, a Python number being weak)::

    np.r_[a, b, 1:4]  ->  np.concatenate((np.atleast_1d(a), np.atleast_1d(b), np.arange(1, 4)), axis=0,
                                         dtype=joined_dtype(a, b, np.arange(1, 4)))
    np.c_[a, b]       ->  np.concatenate((column(a), column(b)), axis=-1, dtype=joined_dtype(a, b))

which have derivatives. A slice with a complex step (``0:1:5j``, five points) is a ``np.linspace``.
A string directive (``np.r_['0,2', a, b]``, ``np.c_['r', ...]``) is left as it is: indexing a
module's object is refused where what it indexes with carries a derivative (`differentiable`).
"""
from __future__ import annotations

import gast
import numpy as np

from .nodes import call, const

_JOINS = {"r_": (np.r_, 0, None), "c_": (np.c_, -1, "column")}   # attribute -> (object, axis, piece helper)


def joined(node: gast.Subscript, lookup, atom, helper):
    """The call `node` (`np.r_[...]` or `np.c_[...]`) stands for, or None. `lookup(path)`: the object a
    path names; `atom(expr)`: `expr` flattened to a name or constant; `helper(name)`: a runtime helper's name."""
    path = node.value
    if not isinstance(path, gast.Attribute) or path.attr not in _JOINS or lookup(path.value) is not np:
        return None
    obj, axis, piece_helper = _JOINS[path.attr]
    if lookup(path) is not obj:
        return None
    items = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
    if any(isinstance(i, gast.Constant) and isinstance(i.value, str) for i in items):
        return None

    def numpy(fname, *args, **keywords):
        return call(gast.Attribute(value=path.value, attr=fname, ctx=gast.Load()), *args,
                    keywords=[gast.keyword(arg=k, value=v) for k, v in keywords.items()])

    pieces, kinds = [], []
    for item in items:
        if isinstance(item, gast.Slice):
            start = atom(item.lower) if item.lower is not None else const(0)
            stop = atom(item.upper) if item.upper is not None else const(None)
            step = item.step
            if isinstance(step, gast.Constant) and isinstance(step.value, complex):
                value = atom(numpy("linspace", start, stop, const(int(abs(step.value)))))
            else:
                value = atom(numpy("arange", start, stop, *([atom(step)] if step is not None else [])))
            piece = value
        else:
            value = atom(item)
            piece = numpy("atleast_1d", value)
        pieces.append(piece if piece_helper is None else call(helper(piece_helper), value))
        kinds.append(value)
    keywords = {"axis": const(axis)}
    if len(items) > 1:
        keywords["dtype"] = call(helper("joined_dtype"), *kinds)
    return numpy("concatenate", gast.Tuple(elts=pieces, ctx=gast.Load()), **keywords)
