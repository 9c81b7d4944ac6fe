"""Dicts and iteration orders in normal form: dict methods, `reversed`, and what a loop iterates over.

Normal form (`transforms.normal_form`) calls these to rewrite, before it flattens them, the
constructs of Python's container protocol into constructs it already handles (indexing,
comprehensions, ``if``), so that both modes differentiate them without rules of their own.

Before: an expression or a ``for`` loop of a structured function, whose dict receivers are
names (normal form makes them atoms first). After, with ``d`` a dict:

- ``d.get(k, dflt)`` is ``d[k] if k in d else dflt`` (``dflt`` is None when omitted);
- ``d.values()`` is ``[d[k] for k in list(d.keys())]``, ``d.items()`` the list of ``(k, d[k])``;
  ``d.keys()`` stays (its result carries no derivative);
- ``reversed(xs)`` is ``xs[::-1]`` (lists, tuples, arrays and ranges alike);
- ``dict(k=v)``, ``dict([("k", v)])`` and ``dict({"k": v}, j=w)`` are dict displays;
- ``for k, v in d.items()``, ``for v in d.values()``, ``for k in d.keys()`` and ``for k in d``
  (where ``d`` is known to be a dict), also under ``sorted(...)`` or ``reversed(...)``, become
  ``for k in <the keys, as a list>: v = d[k]``: the values are read by key, so the derivative
  flows through indexing;
- ``for k in xs`` whose body reads ``xs[k]`` (``xs`` may be a dict parameter) is ``for k in list(xs)``,
  which is what Python iterates over for a dict and for a sequence alike.

A view bound to a name (``vs = d.values()``) is refused where the dict is written in the
function: the list s2s makes would not see the write, where Python's view does.
"""
from __future__ import annotations

import gast

from .nodes import assign, call, const, name, walk

METHODS = ("get", "items", "values", "keys")


def mapping_names(fn) -> set[str]:
    """Names known to hold a dict: bound to a dict display or `dict(...)`, the receiver of
    `.items()`, `.keys()`, `.values()` or `.get()`, or indexed with a string constant."""
    found = set()
    nodes = list(walk(fn))
    for node in nodes:
        if isinstance(node, gast.Assign) and isinstance(node.value, gast.Dict) or \
                isinstance(node, gast.Assign) and _is_call(node.value, "dict"):
            found |= {t.id for t in node.targets if isinstance(t, gast.Name)}
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr in METHODS \
                and isinstance(node.func.value, gast.Name):
            found.add(node.func.value.id)
        if isinstance(node, gast.Subscript) and isinstance(node.value, gast.Name) \
                and isinstance(node.slice, gast.Constant) and isinstance(node.slice.value, str):
            found.add(node.value.id)
    sequences = {t.id for node in nodes if isinstance(node, gast.Assign)
                 and isinstance(node.value, (gast.List, gast.Tuple, gast.ListComp)) for t in node.targets
                 if isinstance(t, gast.Name)}
    return found - sequences  # a name bound to a list somewhere is not taken for a dict


def is_method_call(node) -> bool:
    """Is `node` a call `<expression>.get(k[, default])`, `.values()` or `.items()` that `method_call` rewrites?"""
    if not (isinstance(node.func, gast.Attribute) and not node.keywords
            and not any(isinstance(a, gast.Starred) for a in node.args)):
        return False
    return (node.func.attr == "get" and 1 <= len(node.args) <= 2) or (node.func.attr in ("values", "items")
                                                                    and not node.args)


def method_call(node, receiver, args, fresh):
    """The rewrite of the dict method call `node` (receiver and arguments already atoms), or None
    for `.keys()` and anything that is not a dict method call s2s rewrites; `fresh()` a new name."""
    attr = node.func.attr
    if attr == "get" and 1 <= len(args) <= 2 and not node.keywords:
        default = args[1] if len(args) == 2 else const(None)
        return gast.IfExp(test=gast.Compare(left=args[0], ops=[gast.In()], comparators=[_load(receiver)]),
                          body=_item(receiver, args[0]), orelse=default)
    if attr in ("values", "items") and not args and not node.keywords:
        k = name(fresh())
        elt = _item(receiver, k) if attr == "values" else gast.Tuple(elts=[k, _item(receiver, k)], ctx=gast.Load())
        return _comprehension(elt, k, keys_list(receiver))
    return None


def stored_view(fn):
    """The first `v = d.values()` (or items) whose dict `d` is written in `fn`, else None (`d.keys()` stays a view)."""
    nodes = list(walk(fn))
    written = {t.value.id for node in nodes if isinstance(node, (gast.Assign, gast.AugAssign))
               for t in (node.targets if isinstance(node, gast.Assign) else [node.target])
               if isinstance(t, gast.Subscript) and isinstance(t.value, gast.Name)}
    written |= {node.func.value.id for node in nodes if isinstance(node, gast.Call)
                and isinstance(node.func, gast.Attribute) and isinstance(node.func.value, gast.Name)
                and node.func.attr in ("update", "pop", "popitem", "setdefault", "clear")}
    for node in nodes:
        if isinstance(node, gast.Assign) and isinstance(node.value, gast.Call) \
                and isinstance(node.value.func, gast.Attribute) and node.value.func.attr in ("items", "values") \
                and isinstance(node.value.func.value, gast.Name) and node.value.func.value.id in written:
            return node.value
    return None


def keys_list(receiver):
    """`list(d.keys())`: the keys of `d` as a list, which carries no derivative."""
    return call(name("list"), call(gast.Attribute(value=_load(receiver), attr="keys", ctx=gast.Load())))


def dict_call(node):
    """`dict(k=v)`, `dict([("k", v), ...], k=v)` or `dict({"k": v}, k=v)`, with string constants as
    keys, as the dict display `{"k": v, ...}`; None for any other call."""
    if not isinstance(node, gast.Call) or len(node.args) > 1 or any(k.arg is None for k in node.keywords):
        return None
    keys, values = [], []
    if node.args:
        given = node.args[0]
        if isinstance(given, gast.Dict) and all(_string(k) for k in given.keys):
            keys, values = list(given.keys), list(given.values)
        elif isinstance(given, (gast.List, gast.Tuple)) and all(
                isinstance(e, (gast.Tuple, gast.List)) and len(e.elts) == 2 and _string(e.elts[0]) for e in given.elts):
            keys, values = [e.elts[0] for e in given.elts], [e.elts[1] for e in given.elts]
        else:
            return None
    keys += [const(k.arg) for k in node.keywords]
    values += [k.value for k in node.keywords]
    return gast.Dict(keys=keys, values=values)


def _string(node) -> bool:
    return isinstance(node, gast.Constant) and isinstance(node.value, str)


def reversed_call(node):
    """`reversed(xs)` as `xs[::-1]`, or None if `node` is not such a call."""
    if _is_call(node, "reversed") and len(node.args) == 1 and not node.keywords:
        return gast.Subscript(value=node.args[0], slice=gast.Slice(None, None, const(-1)), ctx=gast.Load())
    return None


def listed_pairs(node, fresh=None):
    """`list(zip(xs, ys))` (or of `enumerate(xs)`) as the comprehension that makes the same list,
    ``[(a, b) for a, b in zip(xs, ys)]``, whose loop normal form differentiates; None if `node`
    is not such a call. `fresh()`: a new variable name (the comprehension's own); without it,
    only whether `node` is one (True)."""
    if not (_is_call(node, "list") and len(node.args) == 1 and not node.keywords):
        return None
    inner = node.args[0]
    if not (_is_call(inner, "zip") or _is_call(inner, "enumerate")) or inner.keywords \
            or any(isinstance(a, gast.Starred) for a in inner.args):
        return None
    width = len(inner.args) if inner.func.id == "zip" else 2
    if width == 0 or inner.func.id == "enumerate" and len(inner.args) != 1:
        return None
    if fresh is None:
        return True
    names = [fresh() for _ in range(width)]
    target = gast.Tuple(elts=[gast.Name(id=n, ctx=gast.Store(), annotation=None, type_comment=None) for n in names],
                        ctx=gast.Store())
    element = gast.Tuple(elts=[gast.Name(id=n, ctx=gast.Load(), annotation=None, type_comment=None) for n in names],
                         ctx=gast.Load())
    return gast.ListComp(elt=element, generators=[gast.comprehension(target=target, iter=inner, ifs=[], is_async=0)])


def loop_over_keys(loop, mappings, written, fresh):
    """`for` over a dict's items, values or keys (possibly under sorted/reversed) as a loop over
    its keys that reads each value by key; None if `loop` is not one. `written` are the names the
    loop's body assigns (a dict rebound in the body keeps Python's iteration of the old one:
    those are left to the general path), `fresh()` a new variable name."""
    it, order = loop.iter, None
    if getattr(loop, "s2s_keyed", False):  # made here
        return None
    if _is_call(it, "sorted") and len(it.args) == 1 and all(k.arg == "reverse" for k in it.keywords):
        it, order = it.args[0], "sorted"
    elif _is_call(it, "reversed") and len(it.args) == 1 and not it.keywords:
        it, order = it.args[0], "reversed"
    kind, d = None, None
    if isinstance(it, gast.Call) and isinstance(it.func, gast.Attribute) and it.func.attr in ("items", "values", "keys") \
            and isinstance(it.func.value, gast.Name) and not it.args and not it.keywords:
        kind, d = it.func.attr, it.func.value
    elif isinstance(it, gast.Name) and it.id in mappings:
        kind, d = "keys", it
    elif order is None and isinstance(it, gast.Name) and isinstance(loop.target, gast.Name) \
            and _indexed_by(loop.body, it.id, loop.target.id):
        # `for k in d: ... d[k]`: d may be a dict (a parameter); list(d) is its keys, or a list's elements
        new = gast.For(target=loop.target, iter=call(name("list"), _load(it)), body=loop.body, orelse=[],
                       type_comment=None)
        return _made(new, loop)
    if kind is None or (d.id in written and kind != "keys") or (order == "sorted" and kind == "values"):
        return None  # sorted(d.values()) sorts numbers: the general path (the rule for sorted)
    keys = keys_list(d)
    if order == "sorted":
        keys = gast.Call(func=name("sorted"), args=[keys.args[0]], keywords=loop.iter.keywords)
    elif order == "reversed":
        keys = gast.Subscript(value=keys, slice=gast.Slice(None, None, const(-1)), ctx=gast.Load())
    target, prefix = loop.target, []
    if kind == "items" and isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == 2 \
            and isinstance(target.elts[0], gast.Name):
        k = target.elts[0]
        prefix = [assign(target.elts[1], _item(d, _load(k)), loop)]
        target = k
    elif kind != "keys":
        k = fresh()
        value = _item(d, name(k)) if kind == "values" else gast.Tuple(elts=[name(k), _item(d, name(k))], ctx=gast.Load())
        prefix = [assign(target, value, loop)]
        target = name(k, store=True)
    return _made(gast.For(target=target, iter=keys, body=prefix + loop.body, orelse=[], type_comment=None), loop)


def _made(new, loop):
    new.lineno, new.col_offset = loop.lineno, loop.col_offset
    new.s2s_keyed = True
    return new


def _indexed_by(body, container, key) -> bool:
    """Does `body` read `container[key]`?"""
    return any(isinstance(n, gast.Subscript) and isinstance(n.value, gast.Name) and n.value.id == container
               and isinstance(n.slice, gast.Name) and n.slice.id == key for b in body for n in walk(b))


def _comprehension(elt, k, keys):
    target = gast.Name(id=k.id, ctx=gast.Store(), annotation=None, type_comment=None)
    return gast.ListComp(elt=elt, generators=[gast.comprehension(target=target, iter=keys, ifs=[], is_async=0)])


def _item(d, k):
    return gast.Subscript(value=_load(d), slice=k, ctx=gast.Load())


def _is_call(node, fname) -> bool:
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == fname


def _load(node):
    return name(node.id) if isinstance(node, gast.Name) else node
