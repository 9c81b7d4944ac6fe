"""Parts: which part of a parameter a name of a function may share memory with.

`effects` follows the names of a function statement by statement to the
parameters whose memory they may share, to say which parameters the function
may write into; this module is what it says about one name (a `Value`). A
value is a set of `Part`s, each naming a parameter and how much of it:

- ``ITSELF``: the name may be the parameter, a slice of it, or another object
  holding by position what it holds (``p``, ``p[1:]``, ``iterated(p)``,
  which a loop over ``p`` indexes);
- ``ENTRY``: the name shares memory with nothing of the parameter but what
  an entry of it holds. An entry is ``p[i]`` with ``i`` a number or a string
  (``p[0]``, ``p[i, 1:]``, ``p["w"]``) or a target of unpacking ``p``; what
  is made from one (a slice, a view, an entry of it) is one too. The entries
  of a 1-D array of numbers are numbers, which nothing writes into; those of
  a 2-D array are views of its rows, those of a list its items;
- ``ANY``: it may share the parameter's memory in some other way (a view that
  reshapes it, a field of it, a list holding it);
- ``COPY``: a new list, tuple or dict holding what the parameter's entries
  are (``list(p)``, ``sorted(p)``): a write into the copy itself changes
  nothing of the parameter, a write into an entry of it changes an entry of
  the parameter (``v = list(p)[0]; v += 1.0`` changes ``p[0]``);
- ``COPY_IF_LISTED``: ``p.copy()``, ``p + q``, ``p * 2``: a new array of
  numbers where the parameter is an array (of numbers), a ``COPY`` where it
  is a list, a tuple or a dict. Its entries are ``ENTRY_IF_LISTED``: an
  entry of the parameter where it is a list, tuple or dict, nothing of it
  where it is an array (a check when the call runs asks which);
- ``HOLDS_ANY``: a new object holding what may share the parameter's memory
  in any way: ``u + w`` or ``list(u)`` of a ``u`` that is ``ANY`` (a view of
  an array made by ``p[idx]``, ``p.T * 2.0``, is a new array). A copy of an
  ``ENTRY`` is a ``COPY``, of an ``ENTRY_IF_LISTED`` a ``COPY_IF_LISTED``: a
  write into the object of any copy changes nothing of the parameter.

A list or tuple made by a display (``t = [a, np.tanh(a)]``) is a `Display`,
one value per entry: unpacking it (``w, v = t``) or indexing it with a
number gives the value of that entry (its own object is new); anything else
sees it as a list holding its entries.
"""
from __future__ import annotations

from typing import NamedTuple, Union

import gast

ITSELF, ENTRY, ANY = "itself", "entry", "any"
COPY, COPY_IF_LISTED, ENTRY_IF_LISTED, HOLDS_ANY = "copy", "copy if listed", "entry if listed", "holds any"
COPIES = (COPY, COPY_IF_LISTED, HOLDS_ANY)   # new objects
# what a result that may share memory with a part is (`held`), an entry of it (`entry`), a copy of it (`copied`)
_HELD = {ITSELF: ANY, COPY: ENTRY, COPY_IF_LISTED: ENTRY_IF_LISTED, HOLDS_ANY: ANY}
_ENTRY = {ITSELF: ENTRY, COPY: ENTRY, COPY_IF_LISTED: ENTRY_IF_LISTED, HOLDS_ANY: ANY}
_COPIED = {ENTRY: COPY, ENTRY_IF_LISTED: COPY_IF_LISTED, ANY: HOLDS_ANY}
_NESTING = 4   # displays nested deeper than this are seen as one list (loops then reach a fixed point)


class Part(NamedTuple):
    param: str
    how: str   # ITSELF, ENTRY or ANY


class Display(NamedTuple):
    """A list or tuple display: the value of each entry."""
    entries: tuple


Value = Union[frozenset, Display]   # a set of Parts, or a Display
NOTHING: frozenset = frozenset()


def parameter(p) -> Value:
    return frozenset({Part(p, ITSELF)})


def display(entries) -> Value:
    entries = tuple(entries)
    if _depth(entries) > _NESTING:
        return held(Display(entries))
    return Display(entries)


def held(value) -> frozenset:
    """The parts of what `value` holds or is, seen together: those of a result that may share its memory."""
    if isinstance(value, Display):
        return frozenset(Part(p.param, _HELD.get(p.how, p.how)) for e in value.entries for p in held(e))
    return frozenset(Part(p.param, _HELD.get(p.how, p.how)) for p in value)


def own(value) -> frozenset:
    """The parts a write into the object of value `value` may change (a display's object is new,
    but what it holds is counted too; a copy's object is new)."""
    return held(value) if isinstance(value, Display) else frozenset(p for p in value if p.how not in COPIES)


def entry(value) -> Value:
    """The value of an entry of `value`, at a position not known."""
    if isinstance(value, Display):
        return join(*value.entries) if value.entries else NOTHING
    return frozenset(Part(p.param, _ENTRY.get(p.how, p.how)) for p in value)


def copied(value, listed=True) -> Value:
    """The value of a new object holding what the entries of `value` are: ``list(u)``
    (`listed`), or ``u.copy()``, ``u + w``, ``u * 2`` (not `listed`: a new array of numbers
    where `u` is an array)."""
    if isinstance(value, Display):   # (a list, tuple or dict: its copy holds the same entries)
        return value
    made = {**_COPIED, ITSELF: COPY if listed else COPY_IF_LISTED}
    if not listed:   # `a[0] + w`: a new array of numbers unless the entry is itself a list
        made[ENTRY] = COPY_IF_LISTED
    return frozenset(Part(p.param, made.get(p.how, p.how)) for p in value)


def viewed(value) -> frozenset:
    """The value of a view of an object of value `value` (``u.T``, ``u.reshape(...)``), or of
    the list of value `value` after something is put into it at a position not known: as
    `held`, but a copy stays one (the object is still new)."""
    if isinstance(value, Display):
        return held(value)
    return frozenset(p if p.how in COPIES else Part(p.param, _HELD.get(p.how, p.how)) for p in value)


def entry_at(value, key, numbers) -> Value:
    """The value of ``u[key]`` where ``u`` has the value `value`; `numbers`: names that hold numbers."""
    keys = key.elts if isinstance(key, gast.Tuple) else [key]
    slices = [isinstance(k, gast.Slice) for k in keys]
    position = _constant(key)
    if isinstance(value, Display) and isinstance(position, int) and -len(value.entries) <= position < len(
            value.entries):
        return value.entries[position]
    if not all(slices) and all(s or _entry_key(k, numbers) for k, s in zip(keys, slices)):
        return entry(value)
    if isinstance(value, frozenset) and all(slices):
        return value   # a slice of `p` holds by position what `p` holds
    return held(value)


def join(*values) -> Value:
    """What a name that may have any of `values` has."""
    values = [v for v in values if v is not None]
    if not values:
        return NOTHING
    first = values[0]
    if all(isinstance(v, Display) and len(v.entries) == len(first.entries) for v in values):
        return Display(tuple(join(*column) for column in zip(*(v.entries for v in values))))
    return frozenset().union(*(held(v) if isinstance(v, Display) else v for v in values))


def unpack(target, value, bind):
    """Call ``bind(name, value)`` for each name the unpacking ``target = <value>`` assigns."""
    if isinstance(target, gast.Name):
        bind(target.id, value)
    elif isinstance(target, gast.Starred):
        unpack(target.value, held(entry(value)), bind)
    elif isinstance(target, (gast.Tuple, gast.List)):
        positional = isinstance(value, Display) and len(value.entries) == len(target.elts) and not any(
            isinstance(t, gast.Starred) for t in target.elts)
        for k, t in enumerate(target.elts):
            unpack(t, value.entries[k] if positional else entry(value), bind)


def parameters(value) -> set:
    """The parameters `value` may share memory with."""
    return {p.param for p in held(value)}


def _entry_key(node, numbers) -> bool:
    """Does the index `node` pick an entry (a number or a string: never None, `...` or a slice object)?"""
    value = _constant(node)
    if type(value) in (int, str):
        return True
    return isinstance(node, gast.Name) and node.id in numbers


def _constant(node):
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub) and isinstance(node.operand, gast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


def _depth(entries) -> int:
    return 1 + max((_depth(e.entries) for e in entries if isinstance(e, Display)), default=0)
