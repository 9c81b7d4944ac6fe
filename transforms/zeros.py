"""The names whose derivative is known to be zero at a point of a sweep, kept by their complement.

Reverse mode tracks which adjoints are known to be zero (`transforms.reverse`). At the start
almost every active name is such, and the set stays about as large as the function: a set of the
zero ones, copied at every block and merged at every branch, grew with the square of a long
function's length. Those that may be non-zero are few (the adjoints live at that point), so
`Zeros` keeps them, within the fixed set of active names, and answers as the set of the zero
ones would.
"""
from __future__ import annotations


class Zeros:
    """The active names (of the frozenset `active`) but `nonzero`, as a set: `in`, `discard`,
    `|=` (names made zero), `&` (zero on both paths), `-` (a plain set: zero here, not there),
    `==` and `copy`."""

    __slots__ = ("active", "nonzero")

    def __init__(self, active: frozenset, nonzero=()):
        self.active = active
        self.nonzero = set(nonzero)

    def __contains__(self, v) -> bool:
        return v in self.active and v not in self.nonzero

    def discard(self, v):
        if v in self.active:
            self.nonzero.add(v)

    def __ior__(self, names):
        """Every one of `names` (active names) is zero now."""
        self.nonzero.difference_update(names)
        return self

    def __and__(self, other: Zeros) -> Zeros:
        return Zeros(self.active, self.nonzero | other.nonzero)

    def __sub__(self, other: Zeros) -> set:
        return other.nonzero - self.nonzero

    def __eq__(self, other) -> bool:
        return isinstance(other, Zeros) and self.active == other.active and self.nonzero == other.nonzero

    __hash__ = None

    def copy(self) -> Zeros:
        return Zeros(self.active, self.nonzero)

    def __repr__(self):
        return f"Zeros(all {len(self.active)} active names but {sorted(self.nonzero)})"
