"""Arguments and gradients that are trees: lists, tuples and dicts of arrays, nested.

A workload may take its parameters as a tree (``[(W1, b1), (W2, b2)]``), and its gradient is a
tree of the same containers. The benchmark compares, converts and perturbs such values a leaf
(an array or a number) at a time; these functions walk them. The bench does not import s2s's
own tree code: it runs, and reports, where s2s does not import.
"""
from __future__ import annotations

CONTAINERS = (list, tuple, dict)


def _rebuilt(tree, items):
    """A container of `tree`'s type holding `items` (its values, in order)."""
    if isinstance(tree, dict):
        return type(tree)(zip(tree.keys(), items))
    if hasattr(tree, "_fields"):   # a namedtuple takes its fields as arguments
        return type(tree)(*items)
    return type(tree)(items)


def _entries(tree):
    """(key, value) of each entry of the container `tree`: dict keys or list/tuple positions."""
    return list(tree.items()) if isinstance(tree, dict) else list(enumerate(tree))


def tree_map(fn, tree):
    """`tree` with every leaf `x` replaced by `fn(x)`, in containers of the same types."""
    if not isinstance(tree, CONTAINERS):
        return fn(tree)
    return _rebuilt(tree, [tree_map(fn, value) for _, value in _entries(tree)])


def skeleton(tree):
    """`tree` with every leaf replaced by None: equal for two trees of the same containers."""
    return tree_map(lambda _: None, tree)


def leaves(tree, path: tuple = ()) -> list:
    """``(path, leaf)`` for every leaf of `tree`, in order; a path is the keys from the root
    (``()`` for a tree that is one leaf)."""
    if not isinstance(tree, CONTAINERS):
        return [(path, tree)]
    return [item for key, value in _entries(tree) for item in leaves(value, path + (key,))]


def replaced(tree, path: tuple, value):
    """A copy of `tree` with the leaf at `path` replaced by `value` (only the containers along
    `path` are copied)."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    return _rebuilt(tree, [replaced(v, rest, value) if k == key else v for k, v in _entries(tree)])


def path_text(path: tuple) -> str:
    """A path as Python indexing: ``(0, 1)`` -> ``[0][1]``; ``()`` -> ``''``."""
    return "".join(f"[{key!r}]" for key in path)
