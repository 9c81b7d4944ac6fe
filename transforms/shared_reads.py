"""Shared reads: a part of an array read twice, with nothing between that may change it, is read once.

Part of preparing a function, after `normal_form`. Before: a statement that reads ``xs[t]``
three times flattens into three temporaries holding the same view. After: the first one stays,
the others are gone, and what read them reads it::

    xs[t + 1] = xs[t] - k * np.sin(xs[t])        _2 = xs[t]             _2 = xs[t]
                                                 _5 = xs[t]       ->    _4 = np.sin(_2)
                                                 _4 = np.sin(_5)        ...

as a person writes ``x = xs[t]`` once. The derivative follows: one ``d_xs[t] += ...`` where there
were as many as reads (each a read, an addition and a write of part of ``d_xs``), and one view.

Shared: assignments of one block to temporaries, each assigned nowhere else, of one subscript
read ``a[i, 1:n]`` (atoms as indices), where every statement between them assigns a name that is
neither ``a`` nor an index, from arithmetic, a comparison, a read, a display or a NumPy function
that writes nothing (no ``out=``; not ``np.copyto``, ``np.put``, ..., ``np.random``, ``ufunc.at``).
Anything else (a call of the user's or a method, a write in place -- ``y += e`` too, which changes
every array that shares ``y``'s memory -- a loop or a branch) ends what is shared. Two reads of one subscript then give the same object, which the first read already
gave: nothing the program can observe changes, except that the object is one.
"""
from __future__ import annotations

import collections

import gast

from s2s.errors import UnsupportedError

from .nodes import augmented, loaded_names, walk

# NumPy functions that write into an argument, and the ufunc methods that do
_WRITERS = {"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis", "shuffle"}
_ARRAY_ATTRIBUTES = {"T", "shape", "ndim", "size", "dtype", "real", "imag"}


def share_reads(fn: gast.FunctionDef, is_temp, callees) -> gast.FunctionDef:
    """`fn` (normal form) with repeated reads shared (see above). `is_temp(name)`: a temporary of
    the normal form; `callees`: what its calls call (`transforms.callees`)."""
    assigned = collections.Counter(n.id for n in walk(fn) if isinstance(n, gast.Name)
                                   and isinstance(n.ctx, (gast.Store, gast.Param, gast.Del)))
    same: dict = {}   # temporary dropped -> the one read instead
    fn.body = _Block(assigned, is_temp, callees, same).run(fn.body)
    if same:
        for n in walk(fn):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id in same:
                n.id = same[n.id]
    return fn


class _Block:
    def __init__(self, assigned, is_temp, callees, same):
        self.assigned, self.is_temp, self.callees, self.same = assigned, is_temp, callees, same

    def run(self, stmts):
        out = []
        read: dict = {}   # gast.dump of a subscript read -> (its temporary, the names it reads)
        for s in stmts:
            self.rename(s)
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    setattr(s, field, self.run(getattr(s, field)))
            target = s.targets[0].id if isinstance(s, gast.Assign) and len(s.targets) == 1 \
                and isinstance(s.targets[0], gast.Name) else None
            if target is None or augmented(s):   # (`y = _1` of `y += e` writes into y, and what shares it)
                read.clear()
                out.append(s)
                continue
            if self.shareable(target, s.value):
                key = gast.dump(s.value)
                if key in read:
                    self.same[target] = read[key][0]
                    continue   # the statement goes: what reads `target` reads the first one
                read[key] = (target, loaded_names(s.value))
            elif not self.writes_nothing(s.value):
                read.clear()
            for key in [k for k, (t, names) in read.items() if target in names and t != target]:
                del read[key]   # `target` rebinds the array or an index
            out.append(s)
        return out

    def rename(self, s):
        """Read, in `s` (not in its blocks, which `run` visits), the temporaries kept for those dropped."""
        if not self.same:
            return
        parts = [s] if not hasattr(s, "body") else [getattr(s, f) for f in ("test", "iter", "target")
                                                     if getattr(s, f, None) is not None]
        for part in parts:
            for n in walk(part):
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id in self.same:
                    n.id = self.same[n.id]

    def shareable(self, target, value) -> bool:
        """A read `a[i, 1:n]` of atoms into a temporary assigned nowhere else?"""
        return (isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) and self.is_temp(target)
                and self.assigned[target] == 1 and all(_atomic(p) for p in _parts(value.slice)))

    def writes_nothing(self, value) -> bool:
        """Does evaluating `value` (a primitive) leave every array as it was?"""
        if isinstance(value, (gast.Name, gast.Constant, gast.BinOp, gast.UnaryOp, gast.Compare,
                              gast.Tuple, gast.List, gast.Dict)):
            return True
        if isinstance(value, gast.Subscript):
            return True
        if isinstance(value, gast.Attribute):
            return value.attr in _ARRAY_ATTRIBUTES
        if isinstance(value, gast.Call):
            return self.numpy_reader(value)
        return False

    def numpy_reader(self, call) -> bool:
        """A call of a NumPy function that writes into none of its arguments?"""
        if any(k.arg in ("out", None) for k in call.keywords) or isinstance(call.func, gast.Attribute) \
                and call.func.attr in ("at", "append", "pop"):
            return False
        try:
            callee = self.callees.classify_call(call)
        except UnsupportedError:   # (refused where it is differentiated, not here)
            return False
        obj = callee.obj
        module = getattr(obj, "__module__", None) or ""
        return (callee.kind in ("rule", "nondiff") and callee.receiver is None and obj is not None
                and module.split(".")[0] == "numpy" and not module.startswith("numpy.random")
                and getattr(obj, "__name__", "") not in _WRITERS)


def _parts(index):
    return index.elts if isinstance(index, gast.Tuple) else [index]


def _atomic(part) -> bool:
    if isinstance(part, gast.Slice):
        return all(p is None or isinstance(p, (gast.Name, gast.Constant)) for p in (part.lower, part.upper, part.step))
    return isinstance(part, (gast.Name, gast.Constant))
