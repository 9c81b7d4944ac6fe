"""Derivatives specialised to what their arguments are, generated when they are called.

A gradient (`s2s.grad`, `s2s.value_and_grad`) of a function whose parameters are all positional
keeps, beside its general code, code for two kinds of call:

- every argument a Python float (an int, outside `wrt`): code for numbers
  (`transforms.scalars`), made at the first such call and dispatched with one type test per
  argument;
- any other call: code for the shapes and dtypes of its arrays and the types of its other
  arguments (`transforms.known_shapes`), kept in a table keyed on that signature, as `jax.jit`
  keys its compiled code. It is made at the second call with a signature (the first runs the
  general code): making it costs about what making the general code did, which a signature
  called once would not win back. A derivative keeps at most `ForShapes.LIMIT` signatures;
  calls with others run the general code, as do calls for which specialised code cannot be made, and every
  call when the environment variable ``S2S_SPECIALISE`` is ``0`` (to tell whether a problem is in
  the specialised code). The first signature whose code is called at once gets a test of its
  own in the wrapper, ahead of building the key (`s2s.guards`).

The argument-checking wrapper (`s2s.calling.checked`) does the dispatch.
"""
from __future__ import annotations

import os
import warnings


from .calling import inline_guard, inline_numbers, passes_as_it_is
from .driver import generate
from .errors import S2SError, SpecialisationWarning
from .transforms.callees import still_bound
from .transforms.known_values import TreeKey, describe_key, signature_key


def _same_sources(general, make):
    """`make()`, code made from the sources the general code was made from; the general code where
    it cannot be made (an internal error warns, `SpecialisationWarning`), or where what it reads
    has changed since (a helper redefined in a notebook, a file edited): a derivative keeps
    computing what it computed when it was returned."""
    if not still_bound(general.bindings):
        return general
    try:
        made = make()
    except S2SError:
        return general
    except Exception as error:   # a bug: the general code computes the same
        warnings.warn(SpecialisationWarning(
            f"s2s could not make the code for these arguments ({type(error).__name__}: {error}); the general "
            "code runs instead. This is a bug in s2s: please report it."), stacklevel=2)
        return general
    # (it may read more: the shapes of what a helper returns are read from the helper's source)
    return made if set(general.read) <= set(made.read) and still_bound(made.bindings) else general


class ForNumbers:
    """The derivative for calls in which every argument is a Python float (or, outside `wrt`, an
    int): generated the first time one is made, then called directly through `slot`. Where it
    cannot be generated, the general derivative serves."""

    def __init__(self, func, names, single, mode, optimize, general, checkpoint=None):
        self.func, self.names, self.single, self.mode, self.optimize = func, names, single, mode, optimize
        self.general, self.checkpoint = general, checkpoint
        self.generated = None
        self.slot = [self.first_call]
        self.wrapper = None   # the function s2s.grad returned, which inlines the code once made

    def first_call(self, *args):
        self.generate()
        return self.slot[0](*args)

    def generate(self):
        if self.generated is None and os.environ.get("S2S_SPECIALISE") == "0":
            self.generated = self.general
            self.slot[0] = self.general.function
        if self.generated is None:
            self.generated = _same_sources(self.general, lambda: generate(
                self.func, self.names, self.single, self.mode, self.optimize, numbers=True,
                checkpoint=self.checkpoint))
            self.slot[0] = self.generated.function
            if self.wrapper is not None:
                source = next(src for _, src, fn in self.generated.functions if fn is self.generated.function)
                inline_numbers(self.wrapper, self.generated.function, source)
        return self.generated


class ForShapes:
    """Derivatives for the signatures of the calls made so far (see the module's docstring).
    `table` maps a signature to the function to call; `first_call` makes it for a new one. `fast`
    holds the signatures of `table` whose calls the wrapper need not check (`passes_as_it_is`):
    it calls them at once."""

    LIMIT = 8

    def __init__(self, func, names, params, single, mode, optimize, general, checkpoint=None):
        self.func, self.names, self.params, self.single, self.mode = func, names, params, single, mode
        self.optimize, self.checkpoint = optimize, checkpoint
        self.general = general   # its Generated
        self.table: dict = {}
        self.fast: dict = {}
        self.made: dict = {}     # signature -> its Generated
        self.seen: set = set()   # signatures called once, with no code of their own yet
        self.differentiated = [p in names for p in params]
        self.slot = (self.fast, self.lookup)
        self.wrapper = None   # the function s2s.grad returned, which tests the first of `fast` itself

    def lookup(self, key):
        which = self.table.get(key)
        return which if which is not None else self.first_call(key)

    def keep(self, key, function, made=None):
        # a tree's gradient has its types where the code unrolled it (`transforms.unroll_trees`)
        trees = {p for p, k in zip(self.params, key) if type(k) is TreeKey and p in self.names}
        self.table[key] = function
        if passes_as_it_is(key, self.differentiated) and trees <= (made.unrolled if made is not None else set()):
            self.fast[key] = function
            if self.wrapper is not None:
                inline_guard(self.wrapper, key, function)
        return function

    def first_call(self, key, now=False):
        """The derivative for the signature `key`: at its first call the general one, at its second
        one made for it now (`now`: made at once)."""
        like = dict(zip(self.params, map(describe_key, key)))
        if len(self.table) >= self.LIMIT or not any(like.values()) or os.environ.get("S2S_SPECIALISE") == "0":
            return self.keep(key, self.general.function)
        if key not in self.seen and not now:   # a signature called once may never be called again
            self.seen.add(key)
            return self.general.function
        made = _same_sources(self.general, lambda: generate(self.func, self.names, self.single, self.mode,
                                                            self.optimize, like=like, checkpoint=self.checkpoint))
        self.made[key] = made
        return self.keep(key, made.function, made)

    def for_arguments(self, args):
        """The Generated that runs for a call with `args` (making it if needed)."""
        key = signature_key(args)
        if key not in self.table:
            self.first_call(key, now=True)
        return self.made.get(key, self.general)
