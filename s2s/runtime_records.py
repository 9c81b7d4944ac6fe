"""Runtime helpers for namedtuples and dataclasses made or changed in differentiated code
(``State(pos=x, vel=v)``, ``state._replace(pos=p)``, ``dataclasses.replace(s, t=1.0)``), which
`s2s.runtime` exports (it imports them from here, last; `s2s.standalone` copies them as it copies its
own). Normal form writes those calls as `built(cls, values)` and `replaced(obj, names, values)`.

The cotangent of such a record is that of a tree: a tuple by field index (a namedtuple), a dict by
field name (a dataclass); so is the tangent of one made here, whose `+` adds field by field. The
others are linear in their first argument and come in adjoint pairs (`fields_of` and `as_fields`,
`replaced_parts` and `parts_in`; `unreplaced` is its own adjoint), each with a rule in
`s2s.rules.runtime_helpers`, so that every order is differentiated.
"""
import dataclasses
import inspect

from .runtime import CotangentDict, CotangentTuple, S2SError, field, field_key, zeros_like


def plain_dataclass(cls) -> bool:
    """Is `cls` a dataclass whose `__init__` only stores its arguments, all of them fields, by
    position or name (the one `dataclasses` writes: no `__post_init__`, no keyword-only field)?"""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)) or hasattr(cls, "__post_init__"):
        return False
    init = cls.__dict__.get("__init__")
    if getattr(getattr(init, "__code__", None), "co_filename", None) != "<string>":
        return False
    params = list(inspect.signature(cls).parameters.values())
    return [p.name for p in params] == [f.name for f in dataclasses.fields(cls)] \
        and all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)


def _names(cls):
    """The fields that `cls(*values)` takes, in order."""
    return cls._fields if issubclass(cls, tuple) else tuple(f.name for f in dataclasses.fields(cls))


def built(cls, values):
    """`cls(*values)`: a namedtuple or a dataclass made from its fields' values."""
    return cls(*values)


def fields_of(c, cls):
    """The cotangents of the fields' values `built(cls, values)` was given, from the cotangent `c` of
    what it made (a tuple by index, a dict by name)."""
    return tuple(c) if issubclass(cls, tuple) else tuple(c[n] for n in _names(cls))


def as_fields(c, cls):
    """`fields_of`'s adjoint: the cotangent (or tangent) of a record of `cls` from its fields' `c`."""
    return CotangentTuple(c) if issubclass(cls, tuple) else CotangentDict(zip(_names(cls), c))


def field_tangent(t, obj, name):
    """The tangent of `obj.name` from `obj`'s tangent `t`: a record like `obj` (a tangent given by the
    caller), or one in its cotangent's form (made here: a tuple by index, a dict by name)."""
    if isinstance(t, dict) or isinstance(t, tuple) and not hasattr(t, "_fields"):
        return t[field_key(obj, name)]
    return field(t, name)


def replaced(obj, names, values):
    """`obj._replace(**changes)` of a namedtuple, `dataclasses.replace(obj, **changes)` of a
    dataclass, the fields `names` given `values`."""
    changes = dict(zip(names, values))
    if isinstance(obj, tuple):
        return obj._replace(**changes)
    if not plain_dataclass(type(obj)):   # (its __post_init__ may change what it is given)
        raise S2SError(f"s2s differentiates dataclasses.replace of a dataclass whose __init__ only stores its "
                       f"fields; {type(obj).__name__} has a __post_init__ or an __init__ of its own")
    return dataclasses.replace(obj, **changes)


def _entries(c, obj):
    """The entries of `c`, a cotangent or tangent of the record `obj`, by their keys there."""
    if isinstance(c, dict):
        return dict(c)
    if isinstance(c, tuple):
        return dict(enumerate(c))
    return {n: getattr(c, n) for n in _names(type(c))}   # (a dataclass given as a tangent)


def _like(obj, entries):
    return CotangentTuple(entries[k] for k in range(len(obj))) if isinstance(obj, tuple) else CotangentDict(entries)


def unreplaced(c, obj, names):
    """The cotangent of `obj` in `replaced(obj, names, values)`, from the result's `c`: `c` with the
    fields `names` zero (they came from `values`)."""
    keys = {field_key(obj, n) for n in names}
    return _like(obj, {k: zeros_like(v) if k in keys else v for k, v in _entries(c, obj).items()})


def replaced_parts(c, obj, names):
    """The cotangents of `values` in `replaced(obj, names, values)`: the result's `c` at those fields."""
    entries = _entries(c, obj)
    return tuple(entries[field_key(obj, n)] for n in names)


def parts_in(c, obj, names):
    """`replaced_parts`' adjoint: a cotangent of `obj` that is `c`'s parts at the fields `names` and
    zero elsewhere."""
    entries = _entries(zeros_like(obj), obj)
    for n, v in zip(names, c):
        entries[field_key(obj, n)] = v
    return _like(obj, entries)
