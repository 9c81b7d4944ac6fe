"""The one place that decides what generated names look like.

Convention (documented for readers of generated code):

=====================  ==========================  ===========================
what                   name                        example
=====================  ==========================  ===========================
user variable          unchanged                   ``z``
temporary              ``_`` + number              ``_3``
value returned         ``_out`` (if not a name)    ``_out``
adjoint of ``v``       ``d_`` + v                  ``d_z``, ``d_3``, ``d_out``
tangent of ``v``       ``t_`` + v                  ``t_z``, ``t_3``
if condition           ``_cond`` + number          ``_cond1``
loop trip count        ``_trips`` + number         ``_trips1``
loop index copy        ``_it`` + number            ``_it1``
stack of records       ``_stack``                  ``_stack.append(z)``
record of a call       ``_saved`` + number         ``_saved1``
results of a call      ``_r`` + number             ``_r1, _r2 = bwd_g(...)``
derivative functions   kind + ``_`` + function     ``grad_f``, ``fwd_g``, ``bwd_g``
=====================  ==========================  ===========================

Temporaries and their adjoints drop the leading underscore (``_3`` ->
``d_3``, ``_out`` -> ``d_out``); adjoints of user names that start with
``_`` keep it (``_x`` -> ``d__x``).

A generated name never collides with a user name: `Namer` records every
name it hands out, and generation is retried with the next style (``d_``
becomes ``dd_``, ``ddd_``, then ``d4_``, ``d5_``...; ``_`` temporaries become
``_t``, ``_tt``...) until none of them is a name the user's functions
mention, and no two names derive the same one. There is no last style:
code generated from generated code (``grad(grad(grad(f)))``, hvp) mentions
the names of the generation before it, so each level of nesting may need
the next style. A temporary whose bare name is a user name keeps its
underscore (``_out`` -> ``d__out`` beside a user's ``out``).

Runtime helpers and derivative functions do not depend on the style: they
take the first of their candidate names that no user function mentions. A
helper keeps its name (``zeros_like``), else ``s2s_zeros_like``, else
``s2s_zeros_like_2``, ``s2s_zeros_like_3``... -- so a user's own
``zeros_like`` is fine, and so is the second generation of such code,
which mentions both ``zeros_like`` and ``s2s_zeros_like`` (the driver
treats every ``s2s_`` name as a pure call).
"""
from __future__ import annotations

import re

_MAX_STYLES = 32   # a guard against a retry loop that never ends, not a limit on nesting


def style_prefixes(k: int) -> tuple[str, str, str]:
    """(adjoint prefix, tangent prefix, temporary prefix) of naming style `k` (0, 1, 2, ...)."""
    rank = "d" * (k + 1) if k < 3 else f"d{k + 1}"
    return rank + "_", rank.replace("d", "t") + "_", "_" + "t" * k


_TEMP = r"(\d+|out|value|saved\d*|cond\d+|trips\d+|it\d+|r\d+|stack|returned|i)"


class Namer:
    """Names for one generation run (a function and everything it calls)."""

    def __init__(self, user_names: set[str] = frozenset(), style: int = 0):
        if style >= _MAX_STYLES:
            raise RuntimeError("s2s ran out of naming styles; please report this")
        self.user_names = frozenset(user_names)
        self.style = style
        self.adjoint_prefix, self.tangent_prefix, self.temp_prefix = style_prefixes(style)
        self.given: set[str] = set()
        self.derived: dict[str, set[str]] = {}   # derived name -> the names it was derived from
        self._temp = re.compile(re.escape(self.temp_prefix) + _TEMP)
        self._made: dict = {}   # (prefix, name) -> its adjoint or tangent, as `_derived` made it

    def _give(self, name: str) -> str:
        self.given.add(name)
        return name

    def collides(self) -> bool:
        """Does a generated name equal a user name, or two names derive the same one (the
        temporary `_out` and a user's `out` both giving `d_out`)?"""
        return bool(self.given & self.user_names) or any(
            len(sources) > 1 for sources in self.derived.values())

    # -- temporaries ---------------------------------------------------------------
    def temp(self, k: int) -> str:
        return self._give(f"{self.temp_prefix}{k}")

    def special(self, what: str) -> str:
        """`_out`, `_value`, `_stack`, `_saved`, `_returned`."""
        return self._give(self.temp_prefix + what)

    def numbered(self, what: str, k: int) -> str:
        """`_cond1`, `_trips1`, `_saved1`, `_it1`, `_r1`."""
        return self._give(f"{self.temp_prefix}{what}{k}")

    def is_temp(self, name: str) -> bool:
        return self._temp.fullmatch(name) is not None

    @property
    def out(self) -> str:
        return self.special("out")

    @property
    def stack(self) -> str:
        return self.special("stack")

    @property
    def returned(self) -> str:
        return self.special("returned")

    def cond(self, k: int) -> str:
        return self.numbered("cond", k)

    @property
    def ignored(self) -> str:
        return self._give("_" if "_" not in self.user_names else self.temp_prefix + "i")

    # -- adjoints and tangents -----------------------------------------------------
    def _derived(self, prefix: str, name: str) -> str:
        """`prefix` + the name's bare part. Made once per name: the passes ask for the adjoint of
        a name at each of its uses (the user names and the prefixes are fixed, and what is
        recorded, in `given` and `derived`, only grows)."""
        made = self._made.get((prefix, name))
        if made is not None:
            return made
        bare = name[len(self.temp_prefix):]
        if self.is_temp(name) and bare not in self.user_names:
            derived = prefix + bare
        else:  # a user name, or `_out` beside a user's `out`: the whole name (`d__out`)
            derived = prefix + name
        self.derived.setdefault(derived, set()).add(name)
        self._made[prefix, name] = derived
        return self._give(derived)

    def adjoint(self, name: str) -> str:
        return self._derived(self.adjoint_prefix, name)

    def tangent(self, name: str) -> str:
        return self._derived(self.tangent_prefix, name)

    # -- runtime helpers and generated functions ------------------------------------
    def helper(self, name: str) -> str:
        """The name generated code calls runtime helper `name` by: `name`, else `s2s_name`,
        else `s2s_name_2`, ... -- the first that no user function mentions."""
        candidate, k = name, 1
        while candidate in self.user_names:
            candidate = "s2s_" + name if k == 1 else f"s2s_{name}_{k}"
            k += 1
        return self._give(candidate)

    def function(self, kind: str, fname: str, taken=frozenset()) -> str:
        """`grad_f`, `fwd_g`; else `fwd_g_2`, `fwd_g_3`... -- the first that is neither a user
        name nor in `taken` (the generated functions named so far)."""
        fname = "lambda" if fname == "<lambda>" else fname
        candidate, k = f"{kind}_{fname}", 2
        while candidate in taken or candidate in self.user_names:
            candidate, k = f"{kind}_{fname}_{k}", k + 1
        return self._give(candidate)
