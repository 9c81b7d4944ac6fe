"""Load: compile generated source with the original functions' globals.

Each generated function runs in a namespace of its own that holds what the
generated module imports (``np``, the runtime helpers) and its sibling
derivatives, and falls back -- live, at every lookup -- to the globals of
the user function it was derived from. So the derivative sees what the
original sees, including globals rebound after generation, and nothing is
added to the user's module.
"""
from __future__ import annotations

import linecache

import numpy as np

from .errors import S2SError


class _Namespace(dict):
    """Globals for generated code: own names first, then the user module's, live."""

    def __init__(self, fallback: dict):
        super().__init__()
        self.fallback = fallback

    def __missing__(self, key):
        return self.fallback[key]


def load(header: str, functions: list) -> dict:
    """Run `header` (imports) and each (source, user globals) pair; return {name: function}.

    `functions` is a list of (name, source, globals). Functions from one user
    module share one namespace.
    """
    spaces: dict = {}
    made: dict = {}
    for fname, source, user_globals in functions:
        key = id(user_globals)
        if key not in spaces:
            for alias, module in (("np", np),):
                if alias in user_globals and user_globals[alias] is not module:
                    raise S2SError(f"the name `{alias}` in {user_globals.get('__name__')} is not NumPy; "
                                   "s2s's generated code uses `np` for NumPy",
                                   hint="import numpy as np in that module, or rename your `np`")
            ns = _Namespace(user_globals)
            ns["__name__"] = f"s2s_generated.{user_globals.get('__name__', 'module')}"
            exec(compile(header, "<s2s header>", "exec"), ns)
            spaces[key] = ns
        filename = f"<s2s {fname}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), spaces[key])
        made[fname] = spaces[key][fname]
    for ns in spaces.values():
        for fname, fn in made.items():
            ns.setdefault(fname, fn)
    return made
