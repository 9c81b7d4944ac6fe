"""Parameter trees: nested lists, tuples, dicts, namedtuples and dataclasses of arrays.

A parameter may be a tree (`[(W1, b1), (W2, b2)]`, `{"w": w, "b": b}`, a
namedtuple, a dataclass, nested). Inside generated code the cotangent of a
tree is built from `s2s.runtime`'s containers (a list of cotangents, a dict
of a dataclass's fields, ...); `plain` gives the user a gradient of the
argument's own type and structure instead, so that code written for the
parameters (an optimiser, `tree_map`-style helpers) accepts the gradients::

    >>> params = [(np.ones((2, 3)), np.zeros(3))]
    >>> type(s2s.grad(loss)(params)), type(s2s.grad(loss)(params)[0])
    (<class 'list'>, <class 'tuple'>)

`tree_flatten` / `tree_unflatten` take a tree apart into its leaves (in a
fixed order: list and tuple order, dict keys in insertion order, dataclass
fields in declaration order) and put it back; `flatten` gives one flat
float vector and the function that rebuilds the tree from such a vector
(autograd's `flatten`). `flatten` may be called in differentiated code
(`flat, _ = flatten(params)` in an L2 penalty): its rule sends the vector's
cotangent back to the leaves.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import linecache
from typing import Any, Callable, Iterable

import numpy as np

from .runtime import CotangentDict, CotangentList, CotangentTuple, _is_dataclass, ravel, unflatten_into

__all__ = ["plain", "tree_flatten", "tree_unflatten", "flatten", "flatten_func"]

_COTANGENTS = (CotangentList, CotangentTuple, CotangentDict)


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def plain(g: Any, like: Any) -> Any:
    """The cotangent `g` of `like` as a tree of `like`'s own types: lists are lists, tuples
    tuples, namedtuples and dataclasses of their own class, dicts of their own class."""
    if _is_dataclass(like):
        out = copy.copy(like)
        for f in dataclasses.fields(like):
            value = g[f.name] if isinstance(g, dict) else getattr(g, f.name)
            object.__setattr__(out, f.name, plain(value, getattr(like, f.name)))  # frozen ones too
        return out
    if isinstance(like, dict) and isinstance(g, dict):
        items = [(k, plain(g[k], v)) for k, v in like.items()]
        return dict(items) if type(like) is dict or isinstance(like, CotangentDict) else _rebuilt(like, items)
    if isinstance(like, (list, tuple)) and isinstance(g, (list, tuple)) and len(g) == len(like):
        items = [plain(gi, li) for gi, li in zip(g, like)]
        if _is_namedtuple(like):
            return type(like)(*items)
        return items if isinstance(like, list) else tuple(items)
    if isinstance(like, (list, tuple)) and isinstance(g, np.ndarray) and g.shape[:1] == (len(like),):
        items = [plain(gi, li) for gi, li in zip(g, like)]   # np.array(xs) of a list xs: a list back
        return type(like)(*items) if _is_namedtuple(like) else items if isinstance(like, list) else tuple(items)
    if isinstance(like, float) and isinstance(g, (np.floating, np.ndarray)) and np.ndim(g) == 0:
        return float(g)
    if isinstance(g, _COTANGENTS):  # no argument to follow (a seed's shape): lists, tuples and dicts
        return plain(g, g)
    return g


def _rebuilt(like, items):
    """A dict of `like`'s class (an OrderedDict, a defaultdict) with `items`, or a dict."""
    try:
        out = copy.copy(like)
        out.clear()
        out.update(items)
        return out
    except Exception:  # a mapping that cannot be copied or cleared: a plain dict
        return dict(items)


def needs_plain(g: Any, like: Any = None) -> bool:
    """Is `g` (a gradient as generated code returns it) a container of cotangents, or an array
    for an argument `like` that is a list or tuple?"""
    return isinstance(g, _COTANGENTS) or _is_dataclass(g) or isinstance(like, (list, tuple))


@dataclasses.dataclass(frozen=True)
class TreeDef:
    """The structure of a tree without its leaves (what `tree_unflatten` fills in)."""
    kind: str            # "leaf", "list", "tuple", "namedtuple", "dict", "dataclass"
    node: object         # the class (namedtuple, dict subclass, dataclass) or None
    keys: tuple          # dict keys or dataclass field names
    children: tuple      # TreeDef per child
    like: object = dataclasses.field(default=None, compare=False)  # a dataclass instance to copy

    def __repr__(self):
        return f"TreeDef({self.kind}, {len(self.children)} children)" if self.kind != "leaf" else "*"


_LEAF = TreeDef("leaf", None, (), ())


def tree_flatten(tree: Any) -> tuple[list, TreeDef]:
    """(leaves, treedef): the leaves of `tree` in a fixed order, and its structure.

        >>> leaves, treedef = s2s.tree_flatten({"w": [1.0, 2.0], "b": 3.0})
        >>> leaves
        [1.0, 2.0, 3.0]
    """
    leaves: list = []

    def walk(x):
        if _is_dataclass(x):
            names = tuple(f.name for f in dataclasses.fields(x))
            return TreeDef("dataclass", type(x), names, tuple(walk(getattr(x, n)) for n in names), x)
        if isinstance(x, dict):
            keys = tuple(x)
            return TreeDef("dict", type(x), keys, tuple(walk(x[k]) for k in keys))
        if _is_namedtuple(x):
            return TreeDef("namedtuple", type(x), (), tuple(walk(v) for v in x))
        if isinstance(x, (list, tuple)):
            return TreeDef("list" if isinstance(x, list) else "tuple", None, (), tuple(walk(v) for v in x))
        leaves.append(x)
        return _LEAF
    return leaves, walk(tree)


def tree_unflatten(treedef: TreeDef, leaves: Iterable) -> Any:
    """The tree of structure `treedef` with `leaves` (in `tree_flatten`'s order).

        >>> leaves, treedef = s2s.tree_flatten({"w": [1.0, 2.0], "b": 3.0})
        >>> s2s.tree_unflatten(treedef, [4.0, 5.0, 6.0])
        {'w': [4.0, 5.0], 'b': 6.0}
    """
    it = iter(leaves)

    def build(d):
        if d.kind == "leaf":
            return next(it)
        items = [build(c) for c in d.children]
        if d.kind == "list":
            return items
        if d.kind == "tuple":
            return tuple(items)
        if d.kind == "namedtuple":
            return d.node(*items)
        if d.kind == "dict":
            return dict(zip(d.keys, items)) if d.node is dict else _rebuilt(d.node(), zip(d.keys, items))
        out = copy.copy(d.like)
        for k, v in zip(d.keys, items):
            object.__setattr__(out, k, v)
        return out
    tree = build(treedef)
    if next(it, None) is not None:
        raise ValueError("tree_unflatten was given more leaves than the tree has")
    return tree


def flatten(tree: Any) -> tuple[np.ndarray, Callable[[np.ndarray], Any]]:
    """(vector, unflatten): the leaves of `tree` raveled into one float vector, and the function
    that turns such a vector back into a tree of the same structure, shapes and dtypes.
    It may be called inside differentiated code (an L2 penalty on all parameters).

        >>> vector, unflatten = s2s.flatten([np.ones(2), 3.0])
        >>> vector
        array([1., 1., 3.])
        >>> unflatten(np.zeros(3))
        [array([0., 0.]), 0.0]
    """
    return ravel(tree), functools.partial(unflatten_into, tree)   # a rule: unflatten differentiates


def flatten_func(func: Callable[..., Any], example: Any) -> tuple[Callable[..., Any], Callable[[np.ndarray], Any],
                                                                  np.ndarray]:
    """autograd's `flatten_func`: (flat_func, unflatten, vector) where `flat_func(vector, *rest)`
    is `func(unflatten(vector), *rest)` and `vector, unflatten = flatten(example)`.
    `flat_func` is a one-line Python function s2s reads, so `s2s.grad(flat_func)` is the gradient
    with respect to the vector.

        >>> flat_loss, unflatten, vector = s2s.flatten_func(lambda p: np.sum(p[0] ** 2) * p[1], [np.ones(2), 3.0])
        >>> s2s.grad(flat_loss)(vector)
        array([6., 6., 2.])
    """
    vector, unflatten = flatten(example)
    namespace = {"func": func, "unflatten": unflatten}
    name = getattr(func, "__name__", "func").replace("<lambda>", "lambda")
    filename = f"<s2s flatten_func of {name}>"
    text = (f"def flat_{name}(vector, *rest):\n"
            f"    return func(unflatten(vector), *rest)\n")
    exec(compile(text, filename, "exec"), namespace)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    return namespace[f"flat_{name}"], unflatten, vector
