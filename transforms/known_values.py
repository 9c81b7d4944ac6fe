"""Known values: what `transforms.known_shapes` says of a name, and of a run-time argument.

`Known` is a value's shape and dtype, and whether it is a Python number; `Const` a value fixed by
the arguments' shapes (``x.shape``, ``len(x)``). `describe` gives the `Known` of an argument when a
derivative is called (`s2s.specialised` keys its table on it) or given to ``s2s grad --like``.
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
    shape of a float64 ndarray, ``(shape, dtype)`` of another ndarray, else the value's type."""
    return tuple(a.shape if type(a) is np.ndarray and a.dtype is _F8_DTYPE else
                 (a.shape, a.dtype) if type(a) is np.ndarray else type(a) for a in args)


def array_of_key(key):
    """``(shape, dtype)`` of a signature entry that stands for an ndarray, else None."""
    if type(key) is not tuple:
        return None
    if len(key) == 2 and isinstance(key[1], np.dtype):
        return key
    return key, _F8_DTYPE   # a float64 array's: its shape (a tuple of ints)


def describe_key(key):
    """The `Known` of an entry of a signature key (`signature_key`)."""
    array = array_of_key(key)
    if array is not None:
        shape, dtype = array
        return Known(shape, dtype) if dtype.kind in "biuf" else None
    if key in (float, int, bool):
        return Known((), np.dtype(key), True)
    if isinstance(key, type) and issubclass(key, np.generic) and np.dtype(key).kind in "biuf":
        return Known((), np.dtype(key))
    return None
