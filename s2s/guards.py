"""Guards: a test, written as Python, that a call's arguments have one given signature.

The wrapper (`s2s.calling.checked`) chooses the code for a call by its signature
(`known_values.signature_key`): it builds the key, a tuple of shapes, types and trees' `TreeKey`s,
then hashes it and compares it with the table's. For a dict of four arrays that was 3 us a call.
The first signature whose code the wrapper calls at once gets a branch of its own ahead of that:
`guard(key, names)` is an expression over the parameters `names` that is true exactly where
`signature_key` of the arguments equals `key`. It compares types, dtypes and shapes with
constants, in the order `signature_key` looks at them, so nothing is built or hashed
(JAX's and TorchDynamo's caches call such tests guards).
"""
from __future__ import annotations

import numpy as np

from .transforms.known_values import TREES, ComplexTree, TreeKey

# what a guard reads besides its constants (the wrapper's namespace holds them)
READS = {"__s2s_type": type, "__s2s_len": len, "__s2s_tuple": tuple, "__s2s_map": map, "__s2s_dict": dict,
         "__s2s_ndarray": np.ndarray, "__s2s_f8": np.dtype(float)}


def guard(key, names) -> tuple[str, dict] | None:
    """(the expression, the constants it reads by name) for the signature `key` of a call with
    the parameters `names`; None where an entry has no exact test (a list, tuple or dict that
    is no tree: `tree_key` gave its type)."""
    constants: dict = {}
    parts = []
    for name, entry in zip(names, key, strict=True):
        text = _argument(name, entry, constants)
        if text is None:
            return None
        parts.append(text)
    return " and ".join(parts), constants


def _constant(value, constants) -> str:
    name = f"__s2s_g{len(constants)}"
    constants[name] = value
    return name


def _shape(shape):
    """`shape` as source, if it is a tuple of Python ints (as `ndarray.shape` is)."""
    return repr(shape) if type(shape) is tuple and all(type(n) is int for n in shape) else None


def _argument(name, entry, constants):
    """The test of one argument, as `signature_key` keys it (by `type`)."""
    if type(entry) is TreeKey:
        return _tree(name, entry, constants)
    if type(entry) is tuple:
        if len(entry) == 2 and isinstance(entry[1], np.dtype):   # an ndarray of another dtype
            shape = _shape(entry[0])
            return None if shape is None else (
                f"__s2s_type({name}) is __s2s_ndarray and {name}.dtype is not __s2s_f8 "
                f"and {name}.dtype == {_constant(entry[1], constants)} and {name}.shape == {shape}")
        shape = _shape(entry)   # a float64 ndarray
        return None if shape is None else (
            f"__s2s_type({name}) is __s2s_ndarray and {name}.dtype is __s2s_f8 and {name}.shape == {shape}")
    if isinstance(entry, type) and entry not in TREES and entry is not np.ndarray and entry is not ComplexTree:
        return f"__s2s_type({name}) is {_constant(entry, constants)}"
    return None


def _tree(name, entry, constants):
    """The test that `tree_key` of the argument `name` is the `TreeKey` `entry`."""
    kind, entries = entry[0], entry[1]
    if kind is dict:
        keys = entry[2]
        if not all(type(k) is str for k in keys):
            return None
        tests = [f"__s2s_type({name}) is __s2s_dict", f"__s2s_len({name}) == {len(keys)}",
                 f"__s2s_tuple({name}) == {_constant(tuple(keys), constants)}",
                 f"__s2s_tuple(__s2s_map(__s2s_type, {name})) == {_constant((str,) * len(keys), constants)}"]
        values = [f"{name}[{k!r}]" for k in keys]
    else:
        tests = [f"__s2s_type({name}) is {_constant(kind, constants)}", f"__s2s_len({name}) == {len(entries)}"]
        values = [f"{name}[{i}]" for i in range(len(entries))]
    for value, inner in zip(values, entries, strict=True):
        text = _entry(value, inner, constants)
        if text is None:
            return None
        tests.append(text)
    return " and ".join(tests)


def _entry(value, entry, constants):
    """The test of an entry of a tree, as `tree_key` looks at it (by `__class__`): a float64
    array of one or more axes (its shape), or a tuple of such entries."""
    if type(entry) is not tuple or not entry:
        return None
    if all(type(n) is int for n in entry):
        return (f"{value}.__class__ is __s2s_ndarray and {value}.dtype is __s2s_f8 "
                f"and {value}.shape == {_shape(entry)}")
    tests = [f"{value}.__class__ is __s2s_tuple", f"__s2s_len({value}) == {len(entry)}"]
    for i, inner in enumerate(entry):
        text = _entry(f"{value}[{i}]", inner, constants)
        if text is None:
            return None
        tests.append(text)
    return " and ".join(tests)
