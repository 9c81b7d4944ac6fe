"""Known values: what `transforms.known_shapes` says of a name, and of a run-time argument.

`Known` is a value's shape and dtype, and whether it is a Python number; `Const` a value fixed by
the arguments' shapes (``x.shape``, ``len(x)``); `KnownTree` a list or tuple of float64 arrays, or
of tuples of them, as autograd's models keep their parameters (``[(W1, b1), (W2, b2)]``).
`describe` gives the `Known` of an argument when a derivative is called (`s2s.specialised` keys
its table on it) or given to ``s2s grad --like``.
"""
from __future__ import annotations

import dataclasses

import numpy as np

_F8 = np.dtype(float)


@dataclasses.dataclass(frozen=True)
class Known:
    """A value's shape and dtype; `python`: True for a Python number, False for a NumPy array or
    scalar, None for either (a name assigned both, as ``z = 0.0`` and then ``z = a * np.cos(z)``)."""

    shape: tuple
    dtype: np.dtype
    python: bool | None = False

    def join(self, other):
        """What a name assigned both `self` and `other` holds, or None."""
        if self == other:
            return self
        if isinstance(other, Known) and (self.shape, self.dtype) == (other.shape, other.dtype) == ((), _F8):
            return Known((), _F8, None)
        return None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def dummies(self):
        """Values of this kind (both, if it may be a Python number or a NumPy one), 0-d."""
        python = [self.dtype.type(1).item()] if self.python in (True, None) else []
        return python + ([np.ones((), self.dtype)] if self.python in (False, None) else [])

    def text(self) -> str:
        if self.python:
            return type(self.dtype.type(1).item()).__name__
        return f"{self.dtype.name}{list(self.shape)}" + ("" if self.python is False else " or float")


@dataclasses.dataclass(frozen=True)
class KnownTree:
    """A list, tuple or dict (`kind`) of known entries: each a float64 array of one or more axes
    (a `Known`) or a tuple of such (a `KnownTree`); a dict's `keys` are strings, in its order. Its
    structure and shapes are fixed by the argument, its entries are not (`transforms.unroll_trees`)."""

    kind: type
    entries: tuple
    keys: tuple = ()

    def leaves(self, path=()):
        """(path of indices and keys, Known) of each array, in order."""
        for i, entry in zip(self.keys or range(len(self.entries)), self.entries):
            if isinstance(entry, KnownTree):
                yield from entry.leaves(path + (i,))
            else:
                yield path + (i,), entry


@dataclasses.dataclass(frozen=True)
class Const:
    """A value fixed by the arguments' shapes: `x.shape`, `len(x)`, `x.shape[0]`, and ints made of them."""

    value: object


def describe(value):
    """The `Known` of a run-time value, or None (containers, subclasses of ndarray, objects)."""
    kind = type(value)
    if kind in (float, int, bool):
        return Known((), np.dtype(kind), True)
    if kind is np.ndarray and value.dtype.kind in "biuf":
        return Known(value.shape, value.dtype)
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return Known((), value.dtype)
    return None


_F8_DTYPE = np.dtype(float)


def signature_key(args) -> tuple:
    """The signature of a call as `s2s.calling`'s wrapper builds it, one entry per argument: the
    shape of a float64 ndarray, ``(shape, dtype)`` of another ndarray, the `TreeKey` of a list or
    tuple, else the value's type."""
    return tuple(a.shape if type(a) is np.ndarray and a.dtype is _F8_DTYPE else
                 (a.shape, a.dtype) if type(a) is np.ndarray else
                 tree_key(a) if type(a) in TREES else type(a) for a in args)


TREES = frozenset({list, tuple, dict})   # the types `tree_key` looks into


class TreeKey(tuple):
    """The signature entry of a `KnownTree`: (its type, an entry per entry: an array's shape, a
    tuple's entries). (A tuple of its own type: never taken for an array's shape.)"""


_TREE_WIDTH, _TREE_DEPTH = 32, 3   # larger lists are data, not parameters: keyed by their type


def tree_key(value, _ndarray=np.ndarray, _f8=_F8_DTYPE):
    """The `TreeKey` of a list or tuple of float64 arrays of one or more axes, or of tuples of
    them (`_TREE_DEPTH` levels at most, `_TREE_WIDTH` entries each), or of a dict of such by
    strings, else its type. (The wrapper computes it at every call: one pass, no call per array.)"""
    if value.__class__ is dict:
        if not value or len(value) > _TREE_WIDTH:
            return ComplexTree if holds_complex(value) else dict
        keys, entries = [], []
        for k, v in value.items():
            kind = v.__class__
            if k.__class__ is not str:
                return ComplexTree if holds_complex(value) else dict
            if kind is _ndarray:
                shape = v.shape
                if not shape or v.dtype is not _f8:
                    return ComplexTree if holds_complex(value) else dict
                entries.append(shape)
            elif kind is tuple:
                inner = _entries(v, 2)
                if inner is None:
                    return ComplexTree if holds_complex(value) else dict
                entries.append(inner)
            else:
                return ComplexTree if holds_complex(value) else dict
            keys.append(k)
        return TreeKey((dict, tuple(entries), tuple(keys)))
    entries = _entries(value, 1)
    if entries is None:   # (one that holds a complex value: `ComplexTree`, which the wrapper refuses)
        return ComplexTree if holds_complex(value) else type(value)
    return TreeKey((type(value), entries))


class ComplexTree:
    """The signature key of a list, tuple or dict that holds a complex number or array: the wrapper
    refuses it (`calling.no_complex`), so no code is chosen by it and no guard tests it."""


def holds_complex(value, depth=0) -> bool:
    """Does the list, tuple or dict `value` hold a complex number or array (a few levels down)?"""
    if depth > 4:
        return False
    for v in (value.values() if isinstance(value, dict) else value):
        if isinstance(v, (complex, np.complexfloating)) or isinstance(v, np.ndarray) and v.dtype.kind == "c":
            return True
        if isinstance(v, (list, tuple, dict)) and holds_complex(v, depth + 1):
            return True
    return False


def _entries(value, depth, _ndarray=np.ndarray, _f8=_F8_DTYPE):
    """An array's shape or a tuple's entries, for each entry of `value`; None if one is neither.
    (The wrapper calls it at every call: NumPy's names are bound once, not looked up per entry.)"""
    if not value or len(value) > _TREE_WIDTH or depth > _TREE_DEPTH:
        return None
    keys = []
    for v in value:
        kind = v.__class__
        if kind is _ndarray:
            shape = v.shape
            if not shape or v.dtype is not _f8:   # (a 0-d array: no shape)
                return None
            keys.append(shape)
        elif kind is tuple:
            inner = _entries(v, depth + 1)
            if inner is None:
                return None
            keys.append(inner)
        else:
            return None
    return tuple(keys)


def array_of_key(key):
    """``(shape, dtype)`` of a signature entry that stands for an ndarray, else None."""
    if type(key) is not tuple:
        return None
    if len(key) == 2 and isinstance(key[1], np.dtype):
        return key
    return key, _F8_DTYPE   # a float64 array's: its shape (a tuple of ints)


def _known_tree(kind, entries):
    """The `KnownTree` of a `TreeKey`'s entries: a shape (ints) is an array's, else a tuple's."""
    return KnownTree(kind, tuple(Known(e, _F8_DTYPE) if all(type(n) is int for n in e) else _known_tree(tuple, e)
                                 for e in entries))


def describe_key(key):
    """The `Known` (`KnownTree`) of an entry of a signature key (`signature_key`)."""
    if type(key) is TreeKey:
        tree = _known_tree(key[0], key[1])
        return dataclasses.replace(tree, keys=key[2]) if key[0] is dict else tree
    array = array_of_key(key)
    if array is not None:
        shape, dtype = array
        return Known(shape, dtype) if dtype.kind in "biuf" else None
    if key in (float, int, bool):
        return Known((), np.dtype(key), True)
    if isinstance(key, type) and issubclass(key, np.generic) and np.dtype(key).kind in "biuf":
        return Known((), np.dtype(key))
    return None
