"""Complex values: refused where they enter the differentiated computation.

Before: a function in normal form and its activity. After: the same, known to
have no complex value known when the derivative is built (a complex literal, a
global or closure variable holding complex numbers, or a value computed from
one) in an active statement; otherwise `UnsupportedError` at that statement.
Complex differentiation is not designed yet (SPEC §6); complex arguments are
refused when the derivative is called (`s2s.calling`).
"""
from __future__ import annotations

import gast
import numpy as np

from s2s.errors import UnsupportedError

from .activity import Activity, diff_operands
from .callees import Callees
from .nodes import name_nodes, walk, walk_statements


_REAL_PARTS = {"abs", "absolute", "real", "imag", "angle"}  # calls and attributes that give real values


def refuse_complex(fn: gast.FunctionDef, act: Activity, callees: Callees, info) -> None:
    """Raise `UnsupportedError` where a complex value known when the derivative is built (a
    complex literal, a global or closure variable holding complex numbers, or a value computed
    from one) enters the active computation: complex differentiation is not designed yet (SPEC §6)."""
    def is_complex(obj):
        return isinstance(obj, (complex, np.complexfloating)) or isinstance(obj, np.ndarray) and obj.dtype.kind == "c"

    def complex_in(value):
        if isinstance(value, gast.Call) and _last_name(value.func) in _REAL_PARTS \
                or isinstance(value, gast.Attribute) and value.attr in ("real", "imag"):
            return None
        nodes = list(walk(value))
        counts = {id(c) for sl in nodes if type(sl) is gast.Slice for c in walk(sl)}
        for n in nodes:  # (a complex step in a slice is a count: np.r_[0.0:1.0:3j])
            if isinstance(n, gast.Constant) and isinstance(n.value, complex) and id(n) not in counts:
                return n
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and (
                    n.id in tainted or n.id not in callees.locals and is_complex(callees.lookup(n))):
                return n
        return None

    assigns = [s for s in walk_statements(fn.body) if isinstance(s, gast.Assign)]
    tainted: set = set()
    changed = True
    while changed:
        changed = False
        for s in assigns:
            targets = {n.id for t in s.targets for n in name_nodes(t)}
            if not targets <= tainted and complex_in(s.value) is not None:
                tainted |= targets
                changed = True
    if not tainted:   # (every value was looked at with nothing tainted, and none was complex)
        return
    for s in assigns:
        targets = [n.id for t in s.targets for n in name_nodes(t)]
        if any(act.is_active(t) for t in targets) and diff_operands(s.value, callees) & act.varied:
            where = complex_in(s.value)
            if where is not None:
                raise UnsupportedError("a complex value enters the differentiated computation here; s2s "
                                       "differentiates real values only (complex differentiation is not supported yet)",
                                       info.location(s.value), "keep complex numbers out of the computation "
                                       "that is differentiated, e.g. write it with real and imaginary parts as floats")


def _last_name(func) -> str:
    return func.attr if isinstance(func, gast.Attribute) else getattr(func, "id", "")
