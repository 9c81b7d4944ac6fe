"""Derivatives specialised to what their arguments are, generated when first called.

A gradient (`s2s.grad`, `s2s.value_and_grad`) of a function whose parameters are all positional
keeps, beside its general code, code for two kinds of call, made the first time one happens:

- every argument a Python float (an int, outside `wrt`): code for numbers
  (`transforms.scalars`), dispatched with one type test per argument;
- any other call: code for the shapes and dtypes of its arrays and the types of its other
  arguments (`transforms.known_shapes`), kept in a table keyed on that signature, as `jax.jit`
  keys its compiled code. A derivative keeps at most `ForShapes.LIMIT` signatures; calls with
  others run the general code, as do calls for which specialised code cannot be made, and every
  call when the environment variable ``S2S_SPECIALISE`` is ``0`` (to tell whether a problem is in
  the specialised code).

The argument-checking wrapper (`s2s.calling.checked`) does the dispatch.
"""
from __future__ import annotations

import os

import numpy as np

from .driver import generate
from .errors import S2SError
from .transforms.known_shapes import describe_key


class ForNumbers:
    """The derivative for calls in which every argument is a Python float (or, outside `wrt`, an
    int): generated the first time one is made, then called directly through `slot`. Where it
    cannot be generated, the general derivative serves."""

    def __init__(self, func, names, single, mode, optimize, general):
        self.func, self.names, self.single, self.mode, self.optimize = func, names, single, mode, optimize
        self.general = general
        self.generated = None
        self.slot = [self.first_call]

    def first_call(self, *args):
        self.generate()
        return self.slot[0](*args)

    def generate(self):
        if self.generated is None and os.environ.get("S2S_SPECIALISE") == "0":
            self.generated = self.general
            self.slot[0] = self.general.function
        if self.generated is None:
            try:
                self.generated = generate(self.func, self.names, self.single, self.mode, self.optimize,
                                          numbers=True)
                self.slot[0] = self.generated.function
            except S2SError:
                self.generated = self.general
                self.slot[0] = self.general.function
        return self.generated


class ForShapes:
    """Derivatives for the signatures of the calls made so far (see the module's docstring).
    `table` maps a signature to the function to call; `first_call` makes it for a new one."""

    LIMIT = 8

    def __init__(self, func, names, params, single, mode, optimize, general):
        self.func, self.names, self.params, self.single, self.mode = func, names, params, single, mode
        self.optimize = optimize
        self.general = general   # its Generated
        self.table: dict = {}
        self.made: dict = {}     # signature -> its Generated
        self.slot = (self.table, self.first_call)

    def first_call(self, key):
        """The derivative for the signature `key`, made now (or the general one)."""
        like = dict(zip(self.params, map(describe_key, key)))
        if len(self.table) >= self.LIMIT or not any(like.values()) or os.environ.get("S2S_SPECIALISE") == "0":
            self.table[key] = self.general.function
            return self.general.function
        try:
            made = generate(self.func, self.names, self.single, self.mode, self.optimize, like=like)
        except S2SError:
            made = self.general
        self.made[key] = made
        self.table[key] = made.function
        return made.function

    def for_arguments(self, args):
        """The Generated that runs for a call with `args` (making it if needed)."""
        key = tuple((a.shape, a.dtype) if type(a) is np.ndarray else type(a) for a in args)
        if key not in self.table:
            self.first_call(key)
        return self.made.get(key, self.general)
