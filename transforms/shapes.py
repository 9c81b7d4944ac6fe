"""Shape facts for reverse mode: Python scalars, containers, same shapes, broadcast cotangents.

`range_indices`: names that only ever hold a ``range`` loop index (a Python
int). `containers`: names holding tuples or lists; `dicts`: names holding dicts;
`lists`: lists built by appends that hold a list wherever they are assigned;
`lazy_temporaries`:
temporaries whose cotangent may keep a broadcast shape. `same_shapes`:
which variables provably have the same shape as another.

Same shapes:

Within one straight-line block, ``t = op(x, ...)`` gives ``t`` the shape of
``x`` when ``op`` is a copy, a negation, an elementwise operation whose
other operands are scalars or already of ``x``'s shape, or a rule marked
``keeps_shape`` (``np.roll``). Each variable maps to a *representative*: the
earliest variable of its shape class still holding the value it had.
Assigning a variable removes it (and everything it represents) from the
map; a nested block removes every name it assigns, and starts empty.

Reverse mode uses this to skip summing a cotangent back over broadcast axes
when the two shapes are provably equal, and to read a shape from a variable
it reads anyway, so that nothing is recorded only for its shape.
"""
from __future__ import annotations

import gast

from s2s import rules

from .callees import call_arguments
from .nodes import NameMap, name_nodes, subscript_write, target_names, walk_statements


def same_shapes(body, callees, scalars) -> dict:
    """{assignment: {name: representative}} valid right after each assignment, for the names the
    assignment reads or writes (the ones its derivative asks about)."""
    after: dict = {}

    def is_scalar(node):
        return isinstance(node, gast.Constant) or (isinstance(node, gast.Name) and node.id in scalars)

    def shape_source(value, rep):
        """The representative whose shape `value` has, or None."""
        def of(node):
            return rep.get(node.id, node.id) if isinstance(node, gast.Name) else None

        if isinstance(value, gast.Name):
            return of(value)
        if isinstance(value, gast.UnaryOp) and not isinstance(value.op, gast.Not):
            return of(value.operand)
        operands, rule = None, None
        if isinstance(value, gast.BinOp):
            if isinstance(value.op, gast.Add) and isinstance(value.left, gast.Name) and isinstance(
                    value.right, gast.Name) and value.left.id == value.right.id:
                return None  # `xs + xs` doubles a list's length: let its adjoint check the shape
            rule = rules.lookup(rules.BINOPS[type(value.op)])
            operands = [value.left, value.right]
        elif isinstance(value, gast.Call):
            callee = callees.classify_call(value)
            if callee.kind != "rule":
                return None
            rule = callee.rule
            args, kwargs = call_arguments(callee, value)
            try:
                bound = rule.bind(args, kwargs)
            except TypeError:
                return None
            if rule.keeps_shape:
                return of(bound[rule.params[0]])
            operands = [bound[p] for p in rule.params if p in bound]
        if rule is None or not rule.elementwise:
            return None
        classes = {of(o) for o in operands if not is_scalar(o)}
        return classes.pop() if len(classes) == 1 and None not in classes else None

    def block(stmts):
        rep = NameMap()
        for s in stmts:
            if isinstance(s, gast.Assign) and subscript_write(s) is not None:
                after[s] = rep.about(s)  # y[i] = v keeps y's shape
            elif isinstance(s, gast.Assign):
                written = set(target_names(s))
                plain = len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)   # not `a, = pair`
                source = shape_source(s.value, rep) if plain else None
                rep.forget(written)
                if source is not None and source not in written:
                    rep.put(next(iter(written)), source)
                after[s] = rep.about(s)
            elif isinstance(s, (gast.If, gast.For, gast.While)):
                rep.forget({n.id for n in name_nodes(s) if isinstance(n.ctx, gast.Store)})
                for field in ("body", "orelse"):
                    block(getattr(s, field))
        return after

    return block(body)


def range_indices(fn):
    """Names only ever assigned as the index of a `for ... in range(...)`: Python ints."""
    counts: dict = {}
    for s in walk_statements(fn.body):
        for n in _written(s):
            counts[n] = counts.get(n, 0) + (1 if not isinstance(s, gast.For) else 0)
    return {s.target.id for s in walk_statements(fn.body)
            if isinstance(s, gast.For) and counts.get(s.target.id, 0) == 0}


def lazy_temporaries(fn, namer, callees):
    """Temporaries whose adjoint may keep the broadcast shape of their one use.

    The cotangent of a temporary used once, and produced by an elementwise
    primitive, need not be summed back to the temporary's shape: summing over
    broadcast axes commutes with the elementwise adjoint that consumes it (its
    factors never vary along those axes), and that adjoint sums each of *its*
    contributions where needed. This saves a sum, and the record of the
    temporary that the sum would read for its shape. (The converse is not
    true: a cotangent *smaller* than its variable, a scalar standing for a
    broadcast, is never passed on: `y + x` would hand it to `x` unsummed.)
    """
    uses: dict = {}
    defs: dict = {}
    for s in walk_statements(fn.body):
        parts = [s.value] if isinstance(s, gast.Assign) else [getattr(s, f) for f in ("test", "iter", "value")
                                                             if getattr(s, f, None) is not None]
        for part in parts:
            for n in name_nodes(part):
                if isinstance(n.ctx, gast.Load):
                    uses[n.id] = uses.get(n.id, 0) + 1
        for t in _written(s):
            defs.setdefault(t, []).append(s)   # (a copy per definition was quadratic in their number)
    returned = {s.value.id for s in walk_statements(fn.body) if isinstance(s, gast.Return)
                and isinstance(s.value, gast.Name)}
    return {v for v, ds in defs.items()
            if namer.is_temp(v) and v not in returned and len(ds) == 1 and uses.get(v, 0) == 1
            and isinstance(ds[0], gast.Assign) and _elementwise(ds[0].value, callees)}


def _elementwise(value, callees) -> bool:
    if isinstance(value, gast.BinOp):
        return rules.lookup(rules.BINOPS[type(value.op)]).elementwise
    if isinstance(value, gast.UnaryOp):
        return True
    if isinstance(value, gast.Call):
        callee = callees.classify_call(value)
        return callee.kind == "rule" and callee.rule.elementwise
    return False


def containers(fn):
    """Names that hold tuples, lists or dicts (their adjoints are added with `add`)."""
    out = set()
    for s in walk_statements(fn.body):
        if isinstance(s, gast.Assign):
            if isinstance(s.value, (gast.Tuple, gast.List, gast.Dict)):
                out |= set(target_names(s))
            if isinstance(s.targets[0], gast.Tuple) and isinstance(s.value, gast.Name):
                out.add(s.value.id)
            for part in (s.value, s.targets[0]):  # params["W"]: a dict
                if isinstance(part, gast.Subscript) and isinstance(part.value, gast.Name) and isinstance(
                        part.slice, gast.Constant) and isinstance(part.slice.value, str):
                    out.add(part.value.id)
    return out


def lists(fn, stacks, list_helpers=()) -> set:
    """The names of `stacks` (lists built by appends) that hold a list wherever they are assigned:
    a list display, another such name, a slice of one, `list(...)`, `sorted(...)` or a helper of
    `list_helpers` (`concat`). The others may hold an array made of the list, where a branch binds
    it (``if c: xs = np.stack(xs)``), and their cotangent is a list only where they hold one."""
    assigned = {}
    for s in walk_statements(fn.body):
        if isinstance(s, (gast.Assign, gast.For)):
            value = s.value if isinstance(s, gast.Assign) and subscript_write(s) is None else None
            for v in target_names(s):
                if v in stacks:
                    assigned.setdefault(v, []).append(value)
    out, changed = set(stacks), True
    while changed:   # (a name assigned another: a list only if that one is)
        changed = False
        for v in list(out):
            if not all(_a_list(value, out, list_helpers) for value in assigned.get(v, ())):
                out.discard(v)
                changed = True
    return out


def _a_list(value, lists_, list_helpers) -> bool:
    if isinstance(value, gast.List):
        return True
    if isinstance(value, gast.Name):
        return value.id in lists_
    if isinstance(value, gast.Subscript):
        return isinstance(value.slice, gast.Slice) and isinstance(value.value, gast.Name) and value.value.id in lists_
    return isinstance(value, gast.Call) and isinstance(value.func, gast.Name) and (
        value.func.id in ("list", "sorted") or value.func.id in list_helpers)


def dicts(fn):
    """Names that hold dicts: assigned a dict display, or indexed with a string."""
    out = set()
    for s in walk_statements(fn.body):
        if isinstance(s, gast.Assign):
            if isinstance(s.value, gast.Dict):
                out |= set(target_names(s))
            for part in (s.value, s.targets[0]):
                if (isinstance(part, gast.Subscript) and isinstance(part.value, gast.Name)
                        and isinstance(part.slice, gast.Constant) and isinstance(part.slice.value, str)):
                    out.add(part.value.id)
    return out


def _written(s):
    if isinstance(s, (gast.Assign, gast.For)):
        return target_names(s)
    return []

