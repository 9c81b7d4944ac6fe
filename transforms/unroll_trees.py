"""Unroll trees: a list of parameters of known structure becomes names of its own.

Code for known shapes (`s2s.specialised`) is made for the arguments of a call. Where one of
them is a list or tuple of float64 arrays, or of tuples of them (`KnownTree`), as autograd's
models keep their parameters (``[(W1, b1), (W2, b2)]``), or a dict of such by strings, as
JAX's do, this pass rewrites the entry's parsed tree, before normal form, so that its arrays are
names of their own::

    (params_0_0, params_0_1), (params_1_0, params_1_1) = params
    p_W1 = p["W1"]

and every other read of the parameter is the display of them. Then, where they are constant:

- ``display[k]`` and ``display[a:b]`` are an entry and a shorter display, ``len(display)`` a number;
  a dict's ``p["W1"]`` its entry, and ``p.items()``, ``p.keys()``, ``p.values()`` the list of
  them (iterated or measured only, as the view is);
- ``for W, b in display:`` (or ``reversed(display)``; ``for k in p`` over a dict's keys),
  ``for k, (W, b) in enumerate(display):`` and ``for k in range(n):``
  whose body indexes a display by ``k`` are unrolled: each copy of the body reads the entry
  (or ``k``) in place of the loop's names, which are assigned the last entry after it;
- ``[e for W, b in display]`` is the display of ``e`` for each entry (``sum(e for ...)`` the
  sum that `sum` computes of that list, ``0 + e0 + e1 + ...``).

A function of the user's that the list is passed to (``neural_net_predict(params, inputs)``) is
inlined first (`tree_callees`). The loops over layers become straight-line code on arrays of
known shapes, which the passes after it specialise as they do any other: no container of
cotangents, no `add_at`.

It is exact only because the list is the same list, with the same entries, all along: the
parameter is never assigned nor written into, nor read by a local function or lambda; its entries are tuples
(immutable); what remains of a list's display after the rewrite is only iterated, indexed,
unpacked, measured (`len`, `enumerate`, `zip`, `reversed`) or given to a NumPy function (or
`s2s.flatten`), never kept, passed to another function or returned, through which the list
could be changed; and no display is compared by identity, which would tell it from the
argument. Otherwise the pass changes nothing and returns None: the code stays general for that
list. A loop is unrolled only without ``break`` or ``continue`` of its own and without a local
function or lambda in its body, and where its names are not assigned in the body (else each
copy assigns them first).
"""
from __future__ import annotations

import builtins
import copy

import gast

from .known_values import KnownTree
from .nodes import assign, const, name, walk
from .versions import versions

_MARK = "s2s_display"          # the attribute that marks a display of a tree's leaves
_VIEW = "s2s_view"             # ... and one that stands for a dict's `.items()`, `.keys()`, `.values()`
_UNROLLED = "s2s_unrolled"     # ... and the list an unrolled comprehension made
_MEASURES = ("len", "enumerate", "zip", "reversed")   # builtins that read a list without keeping it
_BUDGET = 4000                 # statements the unrolled copies may add to a function


def unroll_trees(fn: gast.FunctionDef, trees: dict, builtin, inline=None, pure=None):
    """(`fn` (parsed, fenced) with its parameters `trees` ({name: KnownTree}) unrolled as above,
    {parameter unrolled: the display of its leaves' names}), or None where that is not exact.
    `builtin(name)`: does `name` mean Python's builtin in `fn`? `inline(fn, trees, taken)`: `fn`
    with the functions of the user's it passes a tree to inlined (`tree_callees`), or None;
    `pure(call)`: does the function `call` calls (a NumPy function) keep no list it is given?"""
    params = [a.id for a in fn.args.args + fn.args.kwonlyargs]
    taken = {n.id for n in walk(fn) if isinstance(n, gast.Name)} | set(params)
    fn = copy.deepcopy(fn)
    if inline is not None:
        fn = inline(fn, {p for p in trees if p in params}, taken)
        if fn is None:
            return None
    trees = {p: t for p, t in trees.items() if p in params and _usable(fn, p)}
    if not trees:
        return None
    leaves, unpacks = {}, []
    for p, tree in trees.items():
        statements, display = _leaf_names(p, tree, taken)
        leaves[p] = display
        unpacks += [assign(target, value, origin=fn) for target, value in statements]
    rewriter = _Rewriter(leaves, builtin)
    body = rewriter.statements(fn.body)
    if rewriter.added > _BUDGET or not _displays_contained(body, builtin, pure or (lambda call: False)):
        return None
    body = versions(body, taken, set(params))
    docstring = 1 if body and isinstance(body[0], gast.Expr) and isinstance(body[0].value, gast.Constant) else 0
    fn.body = body[:docstring] + unpacks + body[docstring:]
    return fn, {p: copy.deepcopy(display) for p, display in leaves.items()}


def _usable(fn, p) -> bool:
    """Is parameter `p` never assigned nor written into (``p[0] = ...``), and not read by a local
    function or lambda?"""
    for node in walk(fn):
        if isinstance(node, gast.Name) and node.id == p and not isinstance(node.ctx, gast.Load) \
                and node not in fn.args.args + fn.args.kwonlyargs:
            return False
        if isinstance(node, gast.Subscript) and not isinstance(node.ctx, gast.Load):
            root = node
            while isinstance(root, (gast.Subscript, gast.Attribute)):
                root = root.value
            if isinstance(root, gast.Name) and root.id == p:
                return False
        if isinstance(node, (gast.FunctionDef, gast.Lambda)) and node is not fn \
                and any(isinstance(n, gast.Name) and n.id == p for n in walk(node)):
            return False
    return True


def _leaf_names(p, tree, taken):
    """(target, value) of the assignments that unpack `p` into a name per leaf (``params_0_1``,
    ``p_W1`` for ``p["W1"]``), and the display of those names."""
    def fresh(path):
        base = "_".join([p, *(str(k) if str(k).isidentifier() or type(k) is int else str(i)
                              for i, k in enumerate(path))])
        while base in taken:
            base += "_"
        taken.add(base)
        return base

    def build(t, path, store):
        elts = [build(e, path + (k,), store) if isinstance(e, KnownTree) else name(names[path + (k,)], store)
                for k, e in zip(t.keys or range(len(t.entries)), t.entries)]
        if t.kind is dict:
            return gast.Dict(keys=[const(k) for k in t.keys], values=elts)
        kind = gast.List if t.kind is list and not store else gast.Tuple
        return kind(elts=elts, ctx=gast.Store() if store else gast.Load())

    names = {path: fresh(path) for path, _ in tree.leaves()}
    if tree.kind is dict:   # a dict cannot be unpacked: an entry at a time (`p_W1 = p["W1"]`)
        statements = [(build(e, (k,), True) if isinstance(e, KnownTree) else name(names[(k,)], True),
                       gast.Subscript(value=name(p), slice=const(k), ctx=gast.Load()))
                      for k, e in zip(tree.keys, tree.entries)]
    else:
        statements = [(build(tree, (), True), name(p))]
    return statements, _marked(build(tree, (), False))


def _marked(node):
    for n in walk(node):
        if isinstance(n, (gast.List, gast.Tuple, gast.Dict)):
            setattr(n, _MARK, True)
    return node


def _is_display(node) -> bool:
    """A display of a list or tuple of a tree's leaves (not a dict's, nor a view of one: `_iterated`)."""
    return isinstance(node, (gast.List, gast.Tuple)) and getattr(node, _MARK, False) and not getattr(node, _VIEW, False)


def _is_dict(node) -> bool:
    return isinstance(node, gast.Dict) and getattr(node, _MARK, False)


def _iterated(node):
    """The entries iterating a display gives (a dict's keys, a view's entries), or None."""
    if _is_dict(node):
        return [const(k.value) for k in node.keys]
    if isinstance(node, (gast.List, gast.Tuple)) and getattr(node, _MARK, False):
        return list(node.elts)
    return None


def _keys_if_dict(node):
    """What iterating `node` gives, as what the loop iterates over: a dict's display is its keys
    (Python iterates a dict's keys; the display would be indexed by position)."""
    return _marked(gast.Tuple(elts=_iterated(node), ctx=gast.Load())) if _is_dict(node) else node


def _constant_int(node):
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


class _Expressions(gast.NodeTransformer):
    """Reads of the trees as displays, and what is constant of them folded (bottom up)."""

    def __init__(self, leaves, builtin, bound=None):
        self.leaves, self.builtin = leaves, builtin
        self.bound = bound or {}   # loop names unrolled: name -> what each copy reads for it

    def visit_Name(self, node):
        if isinstance(node.ctx, gast.Load):
            if node.id in self.bound:
                return copy.deepcopy(self.bound[node.id])
            if node.id in self.leaves:
                return copy.deepcopy(self.leaves[node.id])
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if _is_dict(node.value) and isinstance(node.ctx, gast.Load) and isinstance(node.slice, gast.Constant):
            keys = [k.value for k in node.value.keys]
            return node.value.values[keys.index(node.slice.value)] if node.slice.value in keys else node
        if not _is_display(node.value) or not isinstance(node.ctx, gast.Load):
            return node
        elts = node.value.elts
        k = _constant_int(node.slice)
        if k is not None:
            return elts[k] if -len(elts) <= k < len(elts) else node
        if isinstance(node.slice, gast.Slice):
            bounds = [None if b is None else _constant_int(b) for b in (node.slice.lower, node.slice.upper, node.slice.step)]
            if all(b is not None or part is None
                   for b, part in zip(bounds, (node.slice.lower, node.slice.upper, node.slice.step))) and bounds[2] != 0:
                return _marked(type(node.value)(elts=elts[slice(*bounds)], ctx=gast.Load()))
        return node

    def visit_Call(self, node):
        if isinstance(node.func, gast.Name) and node.func.id == "sum" and self.builtin("sum") and len(node.args) == 1 \
                and isinstance(node.args[0], gast.GeneratorExp) and not node.keywords:   # the same sum of a list
            node.args[0] = gast.ListComp(elt=node.args[0].elt, generators=node.args[0].generators)
        self.generic_visit(node)
        if isinstance(node.func, gast.Name) and node.func.id == "sum" and self.builtin("sum") and len(node.args) == 1 \
                and isinstance(node.args[0], gast.List) and getattr(node.args[0], _UNROLLED, False) and not node.keywords:
            total = const(0)   # (what `sum` computes: 0 + e0 + e1 + ..., whose shapes are known)
            for e in node.args[0].elts:
                total = gast.BinOp(left=total, op=gast.Add(), right=e)
            return total
        if isinstance(node.func, gast.Name) and node.func.id == "len" and self.builtin("len") \
                and len(node.args) == 1 and not node.keywords and _iterated(node.args[0]) is not None:
            return const(len(_iterated(node.args[0])))
        if isinstance(node.func, gast.Attribute) and _is_dict(node.func.value) and not node.args \
                and not node.keywords and node.func.attr in ("items", "keys", "values"):
            d = node.func.value   # a view: iterated or measured, as the view is (`_displays_contained`)
            entries = {"keys": [const(k.value) for k in d.keys], "values": d.values,
                       "items": [_marked(gast.Tuple(elts=[const(k.value), v], ctx=gast.Load()))
                                 for k, v in zip(d.keys, d.values)]}[node.func.attr]
            view = gast.List(elts=entries, ctx=gast.Load())
            setattr(view, _MARK, True)
            setattr(view, _VIEW, True)
            return view
        return node

    def visit_comprehension(self, node):
        self.generic_visit(node)
        node.iter = _keys_if_dict(node.iter)
        return node

    def visit_ListComp(self, node):
        self.generic_visit(node)
        if len(node.generators) != 1:
            return node
        gen = node.generators[0]
        if gen.ifs or gen.is_async or _iterated(gen.iter) is None or _assigns(node.elt):
            return node
        made = []
        for entry in _iterated(gen.iter):
            bound = _bind(gen.target, entry)
            if bound is None:
                return node
            made.append(_Expressions(self.leaves, self.builtin, {**self.bound, **bound}).visit(copy.deepcopy(node.elt)))
        out = gast.List(elts=made, ctx=gast.Load())
        setattr(out, _UNROLLED, True)
        return out


def _bind(target, entry):
    """{name: expression} that reading `target`'s names is, after ``target = entry``; None if
    `entry` does not unpack into `target` here."""
    if isinstance(target, gast.Name):
        return {target.id: entry}
    if isinstance(target, (gast.Tuple, gast.List)) and _is_display(entry) and len(target.elts) == len(entry.elts):
        bound = {}
        for t, e in zip(target.elts, entry.elts):
            inner = _bind(t, e)
            if inner is None or set(inner) & set(bound):
                return None
            bound.update(inner)
        return bound
    return None


def _assigns(node) -> set:
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}


def _own_jumps(body) -> bool:
    """Does `body` hold a break or continue of the loop it is the body of?"""
    for s in body:
        if isinstance(s, (gast.Break, gast.Continue)):
            return True
        if isinstance(s, gast.If) and (_own_jumps(s.body) or _own_jumps(s.orelse)):
            return True
        if isinstance(s, (gast.For, gast.While)) and _own_jumps(s.orelse):
            return True
    return False


class _Rewriter:
    def __init__(self, leaves, builtin):
        self.leaves, self.builtin = leaves, builtin
        self.added = 0

    def statements(self, body, bound=None) -> list:
        out = []
        for s in body:
            out.extend(self.statement(s, bound or {}))
        return out

    def statement(self, s, bound):
        expressions = _Expressions(self.leaves, self.builtin, bound)
        if isinstance(s, gast.For):
            s.iter = expressions.visit(s.iter)
            unrolled = self.unrolled(s, bound)
            if unrolled is not None:
                return unrolled
            s.iter, s.target = _keys_if_dict(s.iter), expressions.visit(s.target)
            s.body, s.orelse = self.statements(s.body, bound), self.statements(s.orelse, bound)
            return [s]
        for field in ("body", "orelse"):
            stmts = getattr(s, field, None)
            if isinstance(stmts, list):
                setattr(s, field, self.statements(stmts, bound))
        for field, value in gast.iter_fields(s):
            if field in ("body", "orelse"):
                continue
            if isinstance(value, gast.AST):
                setattr(s, field, expressions.visit(value))
            elif isinstance(value, list):
                setattr(s, field, [expressions.visit(v) if isinstance(v, gast.AST) else v for v in value])
        return [s]

    def unrolled(self, loop, bound):
        """The copies of `loop`'s body, one per entry, or None where it is not unrolled."""
        entries = self.entries(loop)
        if entries is None or _own_jumps(loop.body) \
                or any(isinstance(n, (gast.FunctionDef, gast.Lambda)) for s in loop.body for n in walk(s)):
            return None
        target, values = entries
        per_entry = [_bind(target, v) for v in values]
        if any(b is None for b in per_entry):
            return None
        written = {n for s in loop.body for n in _assigns(s)}
        substitute = not (set(per_entry[0]) & written) if per_entry else True
        self.added += len(values) * sum(1 for s in loop.body for n in walk(s) if isinstance(n, gast.stmt))
        if self.added > _BUDGET:
            return None
        out = []
        for b, value in zip(per_entry, values):
            if not substitute:
                out.append(assign(_store(target), value, origin=loop))
            out.extend(self.statements(copy.deepcopy(loop.body), {**bound, **b} if substitute else bound))
        if substitute and values:   # the loop's names hold the last entry after it
            out.append(assign(_store(target), copy.deepcopy(values[-1]), origin=loop))
        return out + self.statements(loop.orelse, bound)

    def entries(self, loop):
        """(target, the value of each trip) of a loop over a display, an enumeration of one or a
        range of constants whose body indexes a display by the loop's name; else None."""
        it, target = loop.iter, loop.target
        if _iterated(it) is not None:
            return target, _iterated(it)
        if not isinstance(it, gast.Call) or not isinstance(it.func, gast.Name) or it.keywords \
                or not self.builtin(it.func.id):
            return None
        if it.func.id == "reversed" and len(it.args) == 1 and _iterated(it.args[0]) is not None:
            return target, list(reversed(_iterated(it.args[0])))
        if it.func.id == "enumerate" and len(it.args) == 1 and _iterated(it.args[0]) is not None \
                and isinstance(target, (gast.Tuple, gast.List)) and len(target.elts) == 2:
            return target, [_marked(gast.Tuple(elts=[const(k), e], ctx=gast.Load()))
                            for k, e in enumerate(_iterated(it.args[0]))]
        if it.func.id == "range" and isinstance(target, gast.Name) and 1 <= len(it.args) <= 2:
            ends = [_constant_int(a) for a in it.args]
            if None in ends:
                return None
            start, stop = (0, ends[0]) if len(ends) == 1 else ends
            indexes_display = any(isinstance(n, gast.Subscript) and isinstance(n.slice, gast.Name)
                                  and n.slice.id == target.id and self.reads_display(n.value)
                                  for s in loop.body for n in walk(s))
            if indexes_display and 0 <= stop - start <= 32:
                return target, [const(k) for k in range(start, stop)]
        return None

    def reads_display(self, node) -> bool:
        return _is_display(node) or isinstance(node, gast.Name) and node.id in self.leaves


def _store(target):
    target = copy.deepcopy(target)
    for n in walk(target):
        if hasattr(n, "ctx"):
            n.ctx = gast.Store()
    return target


def _displays_contained(body, builtin, pure) -> bool:
    """Is every list display left in `body` only iterated, indexed, unpacked or measured, and no
    display compared by identity?"""
    allowed = set()
    for s in body:
        for node in walk(s):
            if isinstance(node, gast.For) or isinstance(node, gast.comprehension):
                allowed.add(id(node.iter))
            elif isinstance(node, gast.Subscript):
                allowed.add(id(node.value))
            elif isinstance(node, gast.Assign) and all(isinstance(t, (gast.Tuple, gast.List)) for t in node.targets):
                allowed.add(id(node.value))
            elif isinstance(node, gast.Call) and (isinstance(node.func, gast.Name) and node.func.id in _MEASURES
                                                  and builtin(node.func.id) and not node.keywords or pure(node)):
                allowed.update(id(a) for a in node.args)
            elif isinstance(node, (gast.List, gast.Tuple)) and getattr(node, _MARK, False):
                allowed.update(id(e) for e in node.elts)   # a display's entries: inside it
            elif _is_dict(node):
                allowed.update(id(e) for e in node.values)
    for s in body:
        for node in walk(s):
            if (isinstance(node, (gast.List, gast.Dict)) and getattr(node, _MARK, False)) and id(node) not in allowed:
                return False   # (a tuple of arrays may go anywhere: no one can change it)
            if isinstance(node, gast.Subscript) and getattr(node.value, _VIEW, False):
                return False   # (a dict's view cannot be indexed)
            if isinstance(node, gast.Compare) and any(isinstance(op, (gast.Is, gast.IsNot)) for op in node.ops) \
                    and any(getattr(n, _MARK, False) for n in walk(node)):
                return False   # (a dict's display too)
    return True


def builtin_names(func, local_names) -> callable:
    """`builtin(name)` for `unroll_trees`: `name` is not a local, global or free name of `func`,
    and is one of Python's builtins."""
    free = set(func.__code__.co_freevars)
    return lambda n: n not in local_names and n not in free and n not in func.__globals__ and hasattr(builtins, n)
