"""Known shapes: the shape and dtype of each name, when the arguments' are known.

A derivative called with arrays of one shape and dtype runs code generated for them (see
`s2s.api`; the CLI's ``--like``): there, most of the helpers that exist because shapes are
unknown when code is generated can go. ``unbroadcast(d_1, _3)`` of a cotangent already shaped
like ``_3`` is ``d_1``, and ``_3`` need not be recorded for its shape; ``matmul_grad_b(g, X, w)``
of a matrix and a vector is ``g @ X``; a scalar output's seed is ``1.0``.

This pass says, given `Known` values for the parameters, which names of a function in normal form
hold a value of one known shape and dtype *wherever they are read*: every assignment to the
name gives that same shape and dtype (flow-insensitive, iterated to a fixed point, so a name
assigned in a loop is known only if every pass gives the same). The primitives it knows are few
and their shapes exact: arithmetic and comparisons (broadcasting), elementwise rules, ``@`` and
``np.dot`` of vectors and matrices, reductions over constant axes (SciPy's ``logsumexp`` too), ``np.zeros``-like makers of
a constant shape (ints, and tuples of them, from an array's ``.shape`` too), ``.T``, keeps-shape rules (``np.roll``), indexing by an int or constant
slices, and the index of a ``range`` loop. Anything else is unknown, which is always safe: the
generic code stays.
"""
from __future__ import annotations

import itertools
import math
import operator
import warnings

import gast
import numpy as np

from s2s import runtime

from .callees import call_arguments
from .known_values import Const, Known, KnownTree
from .nodes import name_nodes, param_names, subscript_write, target_names, walk, walk_statements


_F8 = np.dtype(float)
_INT = Known((), np.dtype(int), True)
_TOP = object()   # a name whose assignments disagree, or that nothing here can describe

_ARITHMETIC = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
               gast.Div: operator.truediv, gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod,
               gast.Pow: operator.pow}
_FOLDED = {gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul, gast.FloorDiv: operator.floordiv}
_REDUCTIONS = {np.sum, np.prod, np.mean, np.max, np.min, np.amax, np.amin, np.std, np.var}
_MAKERS = {np.zeros, np.ones, np.empty}
_LIKE_MAKERS = {np.zeros_like, np.ones_like, np.empty_like}
_SIZES = {len: lambda k: k.shape[0], np.shape: lambda k: k.shape, np.ndim: lambda k: k.ndim,
          np.size: lambda k: math.prod(k.shape), runtime.size_of: lambda k: math.prod(k.shape)}


def known_shapes(fn, callees, given: dict, result_of=None) -> dict:
    """{name: Known} for the names of `fn` (normal form) whose shape and dtype are the same
    wherever they are read, given the parameters' (`given`; a parameter not in it is unknown).
    `result_of(function, args, kwargs)`: the Known a user function returns for arguments of these
    Knowns (None for unknown ones), or None."""
    env: dict = {p: given.get(p) or _TOP for p in param_names(fn)}
    statements = list(walk_statements(fn.body))
    for s in statements:   # what cannot be described, once and for all
        for n in _escapes(s):
            env[n] = _TOP
    assigned = {n for s in statements if isinstance(s, (gast.Assign, gast.For)) for n in target_names(s)}
    changed = True
    while changed:
        changed = False
        for s in statements:
            try:
                found = list(_assigned(s, env, callees, assigned, result_of))
            except _NotYet:   # it reads a name no assignment has described yet: a later round
                continue
            for target, value in found:
                old = env.get(target)
                new = (value or _TOP) if old is None else _join(old, value)
                if new is not old and new != old:
                    env[target] = new
                    changed = True
    return {n: (_INT if isinstance(v, Const) and type(v.value) is int else v) for n, v in env.items()
            if isinstance(v, Known) or isinstance(v, Const) and type(v.value) is int}


def _join(old, new):
    if old == new:
        return old
    if isinstance(old, Known) and isinstance(new, Known):
        return old.join(new) or _TOP
    if _is_int(old) and _is_int(new):
        return _INT   # two ints, fixed or not: an int
    return _TOP


def _is_int(v) -> bool:
    return v == _INT or isinstance(v, Const) and type(v.value) is int


class _NotYet(Exception):
    """A name read is assigned somewhere, but no assignment to it has been described yet."""


def _escapes(s):
    """Names a statement may change in ways this pass does not follow: an attribute or a method
    of theirs assigned or called (``x.shape = ...``, ``x.resize(...)``), a tuple unpacked into them."""
    if isinstance(s, gast.Assign):
        t = s.targets[0]
        if isinstance(t, gast.Attribute):
            yield from (n.id for n in name_nodes(t))
        elif not isinstance(t, (gast.Name, gast.Subscript)) and _unpacked(s) is None:
            yield from target_names(s)
    elif isinstance(s, gast.Expr):
        for n in walk(s.value):
            if isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute):
                yield from (m.id for m in name_nodes(n.func.value))
    elif not isinstance(s, (gast.For, gast.If, gast.While, gast.Return, gast.Pass, gast.Break, gast.Continue)):
        for n in walk(s):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store):
                yield n.id


def _assigned(s, env, callees, assigned, result_of):
    """(name, Known or None) for what `s` assigns; None where the value cannot be described."""
    if isinstance(s, gast.Assign) and subscript_write(s) is None:
        if len(s.targets) == 1 and isinstance(s.targets[0], gast.Name):
            yield s.targets[0].id, _value(s.value, env, callees, assigned, result_of)
        elif _unpacked(s) is not None:   # `a, b = t`: the entries of a `KnownTree`
            names, source = _unpacked(s)
            tree = env.get(source)
            if tree is None and source in assigned:
                raise _NotYet(source)
            entries = tree.entries if isinstance(tree, KnownTree) and len(tree.entries) == len(names) \
                else (None,) * len(names)
            yield from zip(names, entries)
    elif isinstance(s, gast.For):
        element = None
        it = s.iter
        if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "range" \
                and callees.lookup(it.func) is range:
            element = Known((), np.dtype(int), True)
        elif isinstance(it, gast.Name) and isinstance(env.get(it.id), Known) and env[it.id].ndim > 0 \
                and not env[it.id].python:
            k = env[it.id]
            element = Known(k.shape[1:], k.dtype)
        for n in target_names(s):
            yield n, element if isinstance(s.target, gast.Name) else None


def _unpacked(s):
    """(the names, the name unpacked) of ``a, b = t``, or None."""
    t = s.targets[0] if len(s.targets) == 1 else None
    if isinstance(t, (gast.Tuple, gast.List)) and isinstance(s.value, gast.Name) \
            and all(isinstance(e, gast.Name) for e in t.elts):
        return [e.id for e in t.elts], s.value.id
    return None


def _value(value, env, callees, assigned, result_of):
    """The Known (or Const) of a normal-form value, or None if it is unknown."""
    def fixed(node):
        """The Const of `node`, or None (a constant literal is one too)."""
        if isinstance(node, gast.Constant) and type(node.value) is int:
            return Const(node.value)
        if isinstance(node, gast.Name):
            v = env.get(node.id)
            if v is None and node.id in assigned:
                raise _NotYet(node.id)
            return v if isinstance(v, Const) else None
        return None

    def of(node):
        if isinstance(node, gast.Constant) and type(node.value) in (int, float, bool):
            return Known((), np.dtype(type(node.value)), True)
        if isinstance(node, gast.Name):
            v = env.get(node.id)
            if v is None and node.id in assigned:
                raise _NotYet(node.id)
            if isinstance(v, Const):
                return _INT if type(v.value) is int else None
            return v if isinstance(v, Known) else None
        return None

    if isinstance(value, gast.Name) and isinstance(env.get(value.id), Const):
        return env[value.id]
    if isinstance(value, (gast.Name, gast.Constant)):
        return of(value)
    if isinstance(value, gast.BinOp):
        a, b = fixed(value.left), fixed(value.right)
        op = _FOLDED.get(type(value.op))
        if a is not None and b is not None and op is not None and type(a.value) is type(b.value) is int:
            try:
                return Const(op(a.value, b.value))
            except ArithmeticError:
                return None
        left, right = of(value.left), of(value.right)
        if left is None or right is None:
            return None
        if isinstance(value.op, gast.MatMult):
            return _matmul(left, right)
        op = _ARITHMETIC.get(type(value.op))
        if op is None or (isinstance(value.op, gast.Pow) and left.dtype.kind in "biu" and right.dtype.kind in "biu"):
            return None   # an int to an int power: an int or a float, by the exponent's sign
        return _elementwise(op, [left, right])
    if isinstance(value, gast.UnaryOp):
        operand = of(value.operand)
        if operand is None:
            return None
        if isinstance(value.op, gast.Not):
            return Known((), np.dtype(bool), True)
        return _elementwise(operator.neg if isinstance(value.op, gast.USub) else operator.pos, [operand])
    if isinstance(value, gast.Compare):
        if any(isinstance(op, (gast.In, gast.NotIn, gast.Is, gast.IsNot)) for op in value.ops) \
                or len(value.ops) != 1:
            return None
        parts = [of(value.left), of(value.comparators[0])]
        return None if None in parts else _elementwise(operator.lt, parts)
    if isinstance(value, gast.Attribute):
        base = of(value.value)
        if base is None or base.python is not False:
            return None
        if value.attr == "T":
            return Known(base.shape[::-1], base.dtype)
        if value.attr in ("shape", "ndim", "size"):
            return Const({"shape": base.shape, "ndim": base.ndim, "size": math.prod(base.shape)}[value.attr])
        return None
    if isinstance(value, gast.Tuple):   # a shape made of ints: `(201, n)` with `n = x.shape[0]`
        parts = [fixed(e) for e in value.elts]
        return Const(tuple(p.value for p in parts)) if all(p is not None and type(p.value) is int
                                                           for p in parts) else None
    if isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) \
            and isinstance(env.get(value.value.id), KnownTree):   # `params[0]`, `p["W1"]`
        return _entry(env[value.value.id], _constant_or_none(value.slice))
    if isinstance(value, gast.Subscript):
        base = fixed(value.value)
        if base is not None and isinstance(base.value, tuple):
            k = _constant_or_none(value.slice)
            return Const(base.value[k]) if type(k) is int and -len(base.value) <= k < len(base.value) else None
        base = of(value.value)
        return None if base is None or base.python is not False else _subscript(base, value.slice, of)
    if isinstance(value, gast.Call) and not any(isinstance(a, gast.Starred) for a in value.args):
        return _call(value, of, fixed, callees, result_of)
    return None


def _entry(tree, k):
    """The entry of a `KnownTree` at the constant `k` (an int, or a dict's key), or None."""
    if tree.kind is dict:
        return tree.entries[tree.keys.index(k)] if k in tree.keys else None
    return tree.entries[k] if type(k) is int and -len(tree.entries) <= k < len(tree.entries) else None


def _elementwise(op, parts):
    """The Known of `op` (elementwise) on `parts`: the broadcast shape, and the dtype `op` gives
    0-d values of those kinds (every combination, where a part may be a Python or a NumPy number:
    they must agree)."""
    try:
        shape = np.broadcast_shapes(*[p.shape for p in parts])
        found = set()
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            for values in itertools.product(*[p.dummies() for p in parts]):
                found.add(_result(op(*values), shape))
    except Exception:   # noqa: BLE001 -- an operation these kinds do not allow: unknown
        return None
    if len(found) == 1:
        return found.pop()
    kinds = {(k.shape, k.dtype) for k in found if k is not None}
    return Known(shape, _F8, None) if None not in found and kinds == {((), _F8)} else None


def _result(result, shape):
    if type(result) in (float, int, bool):
        return Known((), np.dtype(type(result)), True) if shape == () else None
    dtype = getattr(result, "dtype", None)
    if dtype is None or dtype.kind not in "biuf":
        return None
    return Known(tuple(shape), dtype)


def _matmul(a, b):
    if a.python is not False or b.python is not False or a.ndim not in (1, 2) or b.ndim not in (1, 2) or a.shape[-1] != b.shape[0]:
        return None
    shape = a.shape[:-1] + b.shape[1:]
    return Known(shape, np.result_type(a.dtype, b.dtype))


def element(known: dict, array: str, index):
    """The Known of `array[index]` (an index of ints and constant slices), or None."""
    base = known.get(array)
    if base is None or base.python is not False:
        return None

    def of(node):
        if isinstance(node, gast.Constant) and type(node.value) is int:
            return Known((), np.dtype(int), True)
        return known.get(node.id) if isinstance(node, gast.Name) else None
    return _subscript(base, index, of)


def _subscript(base, index, of):
    """The Known of `base[index]` for an index of ints and constant slices."""
    parts = index.elts if isinstance(index, gast.Tuple) else [index]
    if len(parts) > base.ndim:
        return None
    shape = []
    for n, p in zip(base.shape, parts):
        if isinstance(p, gast.Slice):
            bounds = [p.lower, p.upper, p.step]
            if not all(b is None or (isinstance(b, gast.Constant) and type(b.value) is int) for b in bounds):
                return None
            if p.step is not None and p.step.value == 0:
                return None
            shape.append(len(range(*slice(*[None if b is None else b.value for b in bounds]).indices(n))))
            continue
        k = of(p)
        if k is None or k.shape != () or k.dtype.kind not in "iu":
            return None   # any int drops its axis (its range is checked when the code runs)
    return Known(tuple(shape) + tuple(base.shape[len(parts):]), base.dtype)


def _call(value, of, fixed, callees, result_of):
    callee = callees.classify_call(value)
    if callee.kind == "user" and result_of is not None and callee.receiver is None:
        args, kwargs = call_arguments(callee, value)
        if "*" in kwargs or "**" in kwargs:
            return None
        return result_of(callee.obj, [of(a) for a in args], {k: of(v) for k, v in kwargs.items()})
    if callee.kind not in ("rule", "nondiff") or callee.rule is None:
        return None
    rule = callee.rule
    if not rule.origin.startswith("s2s.rules"):
        return None   # a user's rule: its function is not called here
    args, kwargs = call_arguments(callee, value)
    if rule.fn in _MAKERS:   # registered without a signature (no derivative): np.zeros(shape, dtype)
        return _made(args, kwargs, fixed)
    if rule.fn in _LIKE_MAKERS and len(args) == 1 and set(kwargs) <= {"dtype"}:   # np.zeros_like(x)
        k = of(args[0])
        try:
            dtype = np.dtype(_constant(kwargs["dtype"])) if "dtype" in kwargs else k.dtype if k else None
        except (LookupError, TypeError):
            return None
        return Known(k.shape, dtype) if k is not None and k.python is False and dtype.kind in "biuf" else None
    if rule.fn in _SIZES and len(args) == 1 and not kwargs:   # len(x), np.shape(x), ...
        k = of(args[0])
        if k is None or k.python is not False or (rule.fn is len and k.ndim == 0):
            return None
        return Const(_SIZES[rule.fn](k))
    if rule.fn is runtime.iterated and len(args) == 1:   # `for v in xs` over an array iterates over it
        k = of(args[0])
        return k if k is not None and k.python is False and k.ndim else None
    try:
        bound = rule.bind(args, kwargs)
    except TypeError:
        return None
    fn = rule.fn

    def constant(name, default=None):
        node = bound.get(name)
        if node is None:
            return default
        return _constant(node)

    first = rule.params[0]
    try:
        if rule.elementwise:
            names = [p for p in rule.params if p in bound]
            if names != rule.params[:len(names)] or any(
                    isinstance(bound[p], gast.Constant) and type(bound[p].value) not in (int, float, bool)
                    for p in names):
                return None   # a keyword past a default, or a constant such as None: not followed
            parts = [of(bound[p]) for p in names]
            return None if None in parts else _elementwise(fn, parts)
        if rule.keeps_shape:
            k = of(bound[first])
            return Known(k.shape, k.dtype) if k is not None and k.python is False else None
        if fn in (np.matmul, np.dot) and len(bound) == 2:
            a, b = (of(bound[p]) for p in rule.params[:2])
            return None if a is None or b is None else _matmul(a, b)
        if fn in _REDUCTIONS:
            return _reduction(fn, of(bound[first]), constant)
        if _is_logsumexp(fn) and constant("b") is None and constant("return_sign", False) is False:
            return _reduction(fn, of(bound[first]), constant)
    except (LookupError, TypeError, ValueError):
        return None
    return None


def _constant_or_none(node):
    try:
        return _constant(node)
    except LookupError:
        return None


def _constant(node):
    """The value of a constant or a tuple of constants; LookupError for anything else."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.Tuple) and all(isinstance(e, gast.Constant) for e in node.elts):
        return tuple(e.value for e in node.elts)
    raise LookupError(node)


def _made(args, kwargs, fixed):
    """np.zeros(shape, dtype=float), np.ones, np.empty of a constant shape and no dtype or a constant one."""
    if set(kwargs) - {"shape", "dtype"} or len(args) > 2:
        return None
    given = dict(zip(("shape", "dtype"), args), **kwargs)
    try:
        shape = fixed(given["shape"]).value if fixed(given["shape"]) is not None else _constant(given["shape"])
        dtype = np.dtype(float if "dtype" not in given else _constant(given["dtype"]))
    except (LookupError, KeyError, TypeError):
        return None
    shape = (shape,) if type(shape) is int else shape
    if not (isinstance(shape, tuple) and all(type(n) is int and n >= 0 for n in shape)) or dtype.kind not in "biuf":
        return None
    return Known(shape, dtype)


def _is_logsumexp(fn) -> bool:
    """Is `fn` SciPy's `logsumexp` (a reduction, without weights; SciPy is not needed here)?"""
    return getattr(fn, "__name__", None) == "logsumexp" and (getattr(fn, "__module__", None) or "").startswith("scipy.")


def _reduction(fn, k, constant):
    if k is None or constant("out") is not None or constant("where", True) is not True:
        return None
    axis, keepdims = constant("axis"), constant("keepdims", False)
    if constant("dtype") is not None:
        return None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        result = fn(np.ones((1,) * k.ndim, k.dtype), axis=axis, keepdims=keepdims)
    axes = range(k.ndim) if axis is None else [a % k.ndim for a in ((axis,) if type(axis) is int else axis)]
    shape = tuple(1 if i in axes else n for i, n in enumerate(k.shape)) if keepdims else tuple(
        n for i, n in enumerate(k.shape) if i not in axes)
    return _result(result, shape) if k.python is False else None
