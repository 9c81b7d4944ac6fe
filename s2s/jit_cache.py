"""The disk cache of `s2s.jit`: compiled code kept from one process to the next.

Numba keeps a function's machine code on disk (`numba.njit(cache=True)`) for a function defined in
a file, and finds it again by that file's name and time stamp. It does not look at the globals the
code read when it was compiled, which it froze into it as constants: had a constant of the user's
changed since, the cached code would compute with the old one. So s2s.jit writes the module it
compiles to a file whose name is a hash of

- its text (the code, in Numba form);
- what it reads besides: each global's value (a number, a string, a tuple of them, an array's
  dtype, shape and bytes, a module's name), and for a function the code object and, in turn,
  what that function reads -- a user's helper, or the functions of another generation;
- the versions of s2s, Numba, NumPy and Python, and the text of the compiled helpers
  (`s2s/jit_runtime*.py`);

so that code is found again only where it would compile to the same thing. A value the hash
cannot describe (an object, a dict, a class) turns the cache off for that module: it is compiled
in memory, as it would be without the cache. The files live in ``$S2S_CACHE_DIR/jit`` (default:
``~/.cache/s2s/jit``, or under ``$XDG_CACHE_HOME``); deleting them is always safe.

A module written this way is also importable by the name `module_name` gives, which Numba needs
to rebuild the globals of code it loads from its cache, and which makes a second `s2s.jit` of the
same code in one process reuse the functions compiled already.
"""
from __future__ import annotations

import builtins
import hashlib
import os
import pathlib
import sys
import types

import numpy as np

from .load import _names

_SCALARS = (bool, int, float, complex, str, bytes, type(None))
_salt: str | None = None


def directory() -> pathlib.Path:
    root = os.environ.get("S2S_CACHE_DIR")
    if root:
        return pathlib.Path(root) / "jit"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return pathlib.Path(base) / "s2s" / "jit"


def key(text: str, namespace: dict, own: set) -> str | None:
    """The hash naming the module `text` whose globals are `namespace` (less the names `own` it
    defines itself), or None where a global cannot be described."""
    parts = [_salt_text(), text]
    seen: set = set()
    for name in sorted(set(namespace) - own):
        described = describe(namespace[name], seen)
        if described is None:
            return None
        parts.append(f"{name}={described}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def module_name(digest: str) -> str:
    return f"_s2s_jit_{digest}"


def module(digest: str, text: str, namespace: dict):
    """The module of that digest: the one loaded already in this process, or one made now from
    its file (written if missing), whose globals are `namespace`; None where the file cannot be
    written (the caller compiles in memory)."""
    name = module_name(digest)
    found = sys.modules.get(name)
    if found is not None:
        return found
    path = directory() / f"{name}.py"
    try:
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(text)
            os.replace(partial, path)   # (another process may write the same file: whole, or not at all)
    except OSError:
        return None
    made = types.ModuleType(name)
    made.__dict__.update(namespace)
    made.__file__ = str(path)
    exec(compile(text, str(path), "exec"), made.__dict__)
    sys.modules[name] = made
    return made


def describe(value, seen: set) -> str | None:
    """A text that changes whenever `value` would compile differently, or None."""
    kind = type(value)
    if kind in _SCALARS:
        return f"{kind.__name__}:{value!r}"
    if isinstance(value, np.generic):
        return f"{value.dtype.str}:{value!r}"
    if kind is np.ndarray:
        return f"array:{value.dtype.str}:{value.shape}:{hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()}"
    if kind is tuple:
        parts = [describe(v, seen) for v in value]
        return None if None in parts else "(" + ",".join(parts) + ")"
    if isinstance(value, types.ModuleType):
        return f"module:{value.__name__}"
    if getattr(builtins, getattr(value, "__name__", "") or "", None) is value:   # range, len, float
        return f"builtin:{value.__name__}"
    if isinstance(value, (types.BuiltinFunctionType, np.ufunc)) or (
            callable(value) and str(getattr(value, "__module__", "")).partition(".")[0] in ("numpy", "math")):
        return f"library:{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', value.__name__)}"
    function = getattr(value, "py_func", value)   # a Numba dispatcher: the function it compiles
    if isinstance(function, types.FunctionType):
        if function.__module__ == "s2s.jit_runtime" or str(function.__module__).startswith("s2s.jit_runtime"):
            return f"helper:{function.__name__}"   # (their text is in the salt)
        if id(function) in seen:
            return f"function:{function.__qualname__}"   # (described where it was first met)
        seen.add(id(function))
        return _function(function, seen)
    return None


def _function(function, seen) -> str | None:
    parts = [f"function:{function.__qualname__}", _code(function.__code__)]
    for name in sorted(_names(function.__code__)):
        if name in function.__globals__:
            described = describe(function.__globals__[name], seen)
            if described is None:
                return None
            parts.append(f"{name}={described}")
    for cell in function.__closure__ or ():
        try:
            described = describe(cell.cell_contents, seen)
        except ValueError:   # an empty cell
            described = "empty"
        if described is None:
            return None
        parts.append(described)
    defaults = describe(tuple(function.__defaults__ or ()), seen)
    return None if defaults is None else "|".join(parts + [defaults])


def _code(code) -> str:
    consts = [_code(c) if isinstance(c, types.CodeType) else f"{type(c).__name__}:{c!r}" for c in code.co_consts]
    return f"{code.co_code.hex()}:{code.co_names}:{code.co_varnames}:{code.co_freevars}:[{','.join(consts)}]"


def _salt_text() -> str:
    """The versions, and the text of the compiled helpers: what the code compiles with."""
    global _salt
    if _salt is None:
        import numba
        from . import __version__
        here = pathlib.Path(__file__).resolve().parent
        helpers = "".join(p.read_text() for p in sorted(here.glob("jit_runtime*.py")))
        _salt = (f"s2s {__version__} numba {numba.__version__} numpy {np.__version__} "
                 f"python {sys.version} {hashlib.sha256(helpers.encode()).hexdigest()}")
    return _salt
