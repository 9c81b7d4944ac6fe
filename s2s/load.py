"""Load: compile generated source with the original functions' globals.

Each generated function runs in a namespace of its own that holds what the
generated module imports (``np``, the runtime helpers) and its sibling
derivatives, and falls back -- live, at every lookup -- to the globals of
the user function it was derived from. So the derivative sees what the
original sees, including globals rebound after generation, and nothing is
added to the user's module.

A closure's free variables resolve as in Python: code generated from a
function with closure cells runs in a `_Closure` namespace that reads those
cells (live, so a `nonlocal` rebound later is seen as the original sees it)
before the globals, and raises NameError for an empty cell instead of
falling through to a global or builtin of the same name. No value is copied
and no name is made up, so two closures of one factory get two namespaces
and the code stays byte-identical.

A builtin the code reads (`range`, `len`, `abs`) and neither the user's globals nor the cells
bind is put in the namespace when the code is loaded: Python finds a name missing from a
namespace that is not a plain dict by calling `__missing__` and catching its KeyError before it
looks in the builtins, which made each such lookup about half a microsecond. That builtin is the
one s2s resolved the call to when it differentiated it; a global of that name defined later is not
seen (as a function rebound later is not: the derivative is that of the code it read).
"""
from __future__ import annotations

import builtins
import linecache
import math
import sys
import types

import numpy as np

from .errors import S2SError


class _Namespace(dict):
    """Globals for generated code: own names first, then the user module's, live."""

    def __init__(self, fallback: dict):
        super().__init__()
        self.fallback = fallback

    def __missing__(self, key):
        return self.fallback[key]


class _Closure(_Namespace):
    """Globals for code generated from a closure: own names, then its cells, then the user module's."""

    def __init__(self, fallback: dict, cells: dict):
        super().__init__(fallback)
        self.cells = cells

    def __missing__(self, key):
        cell = self.cells.get(key)
        if cell is None:
            return self.fallback[key]
        try:
            return cell.cell_contents
        except ValueError:
            raise NameError(f"cannot access free variable {key!r} where it is not associated with a value "
                            "in enclosing scope") from None


def cells_of(func) -> dict:
    """{free variable: cell} of a function (empty for a function that is not a closure)."""
    return dict(zip(func.__code__.co_freevars, func.__closure__ or ()))


def _contents(cell):
    try:
        return cell.cell_contents
    except ValueError:
        return None


def source_filename(label: str, source: str) -> str:
    """`<s2s grad_f>` (`label`: `grad_f`), or `<s2s grad_f #2>`... where another source of that
    name is loaded already (code for known shapes beside the general code, a function of that name
    in another module), entered in `linecache` so that a traceback shows the lines that ran."""
    lines, filename, k = source.splitlines(True), f"<s2s {label}>", 1
    while filename in linecache.cache and linecache.cache[filename][2] != lines:
        k += 1
        filename = f"<s2s {label} #{k}>"
    linecache.cache[filename] = (len(source), None, lines, filename)
    return filename


def load(header: str, functions: list) -> dict:
    """Run `header` (imports) and each (source, user globals, cells) entry; return {name: function}.

    `functions` is a list of (name, source, globals, cells). Functions from
    one user module and one set of closure cells share one namespace.
    """
    spaces: dict = {}
    made: dict = {}
    for fname, source, user_globals, cells in functions:
        key = (id(user_globals),) + tuple((name, id(cell)) for name, cell in cells.items())
        if key not in spaces:
            imported = [(a, m) for a, m in (("np", np), ("math", math)) if f"import {m.__name__}" in header]
            if "import scipy." in header:  # SciPy's rules call scipy.special... (imported by then)
                imported.append(("scipy", sys.modules["scipy"]))
            for alias, module in imported:   # the header binds them in the namespace, before the user's
                if alias in user_globals and user_globals[alias] is not module:
                    raise S2SError(f"the name `{alias}` in {user_globals.get('__name__')} is not {module.__name__}; "
                                   f"s2s's generated code uses `{alias}` for {module.__name__}",
                                   hint=f"import {module.__name__} as {alias} in that module, or rename your `{alias}`")
                if alias in cells and _contents(cells[alias]) is not module:
                    raise S2SError(f"`{fname}` is generated from a closure over a variable `{alias}` that is not "
                                   f"{module.__name__}; s2s's generated code uses `{alias}` for {module.__name__}",
                                   hint="rename that variable of the enclosing function")
            ns = _Closure(user_globals, cells) if cells else _Namespace(user_globals)
            ns["__name__"] = f"s2s_generated.{user_globals.get('__name__', 'module')}"
            exec(compile(header, "<s2s header>", "exec"), ns)
            spaces[key] = ns
        filename = source_filename(fname, source)
        code = compile(source, filename, "exec")
        bind_builtins(spaces[key], code, user_globals, cells)
        exec(code, spaces[key])
        made[fname] = spaces[key][fname]
    for ns in spaces.values():
        for fname, fn in made.items():
            ns.setdefault(fname, fn)
    return made


def bind_builtins(ns, code, user_globals, cells):
    """Put in `ns` the builtins that `code` (or code nested in it) may read and that nothing
    else binds (see the module's docstring)."""
    for name in _names(code):
        if name not in ns and name not in cells and hasattr(builtins, name) and not _binds(user_globals, name):
            ns[name] = getattr(builtins, name)


def _binds(space, name) -> bool:
    """Does `space` (a module's globals, or the namespace of generated code, differentiated
    again: its own names, then its fallbacks) give `name` a value of its own?"""
    try:
        space[name]
    except KeyError:
        return False
    except NameError:   # a closure's cell without a value: the name is the cell's, not a builtin
        return True
    return True


def _names(code) -> set:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names
