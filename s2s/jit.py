"""`s2s.jit`: derivatives (and plain functions) compiled by Numba.

A derivative s2s made is plain Python over NumPy, so Numba can compile it -- once it is written in
the form Numba types (`transforms.numba_form`: one stack per recorded name, loops counting down,
no `None` placeholders) and its runtime helpers are ones Numba compiles (`s2s.jit_runtime`).
`s2s.jit(g)` writes that form of the code `g` runs (its functional form: no in-place updates),
which `s2s.source` shows, and compiles exactly that text with `numba.njit`: Numba specialises it
per argument types at the first call with them, as it does any function.

What the generated code reads besides NumPy and the helpers (a user's constant, a function it
calls without differentiating it) is read when the code is compiled, and a plain Python
function among those is compiled too: Numba treats globals as constants.

Errors are S2SErrors (`JitError`): without Numba, how to install it; code Numba cannot type, the
line of the code it could not type, the line of the user's source that line came from, and
Numba's reason in one line (never its whole report).
"""
from __future__ import annotations

import inspect
import re
import types
from typing import Any, Callable

import gast
import numpy as np

from .errors import JitError, Location
from .parsing import SourceInfo
from .transforms.nodes import parse
from .emit import function_source
from .load import source_filename
from .transforms.numba_form import numba_form

_ndarray = np.ndarray
_INSTALL = "install Numba: pip install 's2s[jit]' (or pip install numba)"


def _numba():
    try:
        import numba
    except ImportError:
        raise JitError("s2s.jit needs Numba, which is not installed", hint=_INSTALL) from None
    return numba


def jit(func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` compiled by Numba: a derivative s2s made (`s2s.grad(f)`, `s2s.vjp(f)`, `s2s.jvp(f)`,
    `s2s.hvp(f)`, ...) or a plain function. The result is called as `func` is, with numbers and
    NumPy arrays; it is compiled for the argument types of its first call with them. Raises
    `s2s.JitError` for what it cannot compile (see the module's docstring).

        >>> g = s2s.jit(s2s.grad(lambda x: np.sum(np.sin(x) * x)))
        >>> g(np.array([0.0, 1.0]))
        array([0.        , 1.38177329])
        >>> print(s2s.source(g))      # the code Numba compiled
        # s2s.jit: the code of grad_lambda, in the form Numba compiles.
        import numpy as np
        ...
    """
    numba = _numba()
    from . import api
    generated = api._GENERATED.get(api._own(func))
    if generated is None:
        plain = getattr(func, "__s2s_function__", func)   # `@s2s.differentiate` keeps the function
        if not inspect.isfunction(plain):
            raise JitError(f"s2s.jit compiles Python functions and what s2s made from them, not {func!r}")
        return _Compiled(numba.njit(plain), plain.__name__, None, None, plain)
    source, entry = _numba_module(generated, numba)
    compiled = _Compiled(entry, generated.entry, source, api._own(func), func)
    api._SOURCES[compiled] = source
    return compiled


class _Compiled:
    """A compiled function: calls go to Numba's dispatcher; an error of Numba's becomes a JitError
    (compilation happens at the first call with new argument types)."""

    def __init__(self, dispatcher, name, source, made, original):
        self.dispatcher, self.__name__, self.source, self.made = dispatcher, name, source, made
        self.__wrapped__ = original
        self.__doc__ = getattr(original, "__doc__", None)
        self.params = list(inspect.signature(original).parameters) if made is not None else []
        self.screened: set = set()   # signatures of calls with other arguments, which passed `screen`
        self.hvp = getattr(original, "__s2s_hvp__", None)   # an hvp: is its `wrt` single

    def screen(self, args):
        """Calls with arguments other than floats and float arrays go to the code s2s made first,
        once per signature: it refuses what it refuses (an int to differentiate). What it takes
        and the compiled code does not (a list, a dict), is refused here."""
        key = tuple((a.dtype, a.ndim) if type(a) is _ndarray else type(a) for a in args)
        if key in self.screened:
            return
        self.made(*args)
        for p, a in zip(self.params, args):
            if type(a) is _ndarray and a.ndim == 0:
                raise JitError(f"s2s.jit compiles calls with numbers and arrays of one axis or more; `{p}` is a "
                               "0-d array", hint=f"pass float({p}) instead")
            if not (type(a) in (float, int, bool) or type(a) is _ndarray and a.dtype.kind in "fiub"):
                raise JitError(f"s2s.jit compiles calls with numbers and NumPy arrays; `{p}` is a "
                               f"{type(a).__name__}", hint="call the derivative without s2s.jit for trees "
                               "(lists, dicts, dataclasses)")
        self.screened.add(key)

    def __call__(self, *args):
        if self.made is not None:
            for a in args:   # (the common case at the cost of a test per argument)
                if type(a) is not float and not (type(a) is _ndarray and a.dtype.kind == "f" and a.ndim):
                    self.screen(args)
                    break
        try:
            if self.hvp is None:
                return self.dispatcher(*args)
            *primal, v = args   # hvp: the jvp of the gradient along v; its tangent
            return self.dispatcher(*primal, *((v,) if self.hvp else v))[1]
        except _numba().core.errors.NumbaError as error:
            raise _explain(error, self.__name__) from None

    def __repr__(self):
        return f"<s2s.jit {self.__name__}>"


def _numba_module(generated, numba):
    """The Numba form of `generated`'s functions as one module's text, and its entry compiled."""
    texts = [(name, generated.functional.get(name, src), fn) for name, src, fn in generated.functions]
    infos, fns = [], []
    for name, text, _ in texts:
        infos.append(SourceInfo(f"<s2s {name}>", tuple(text.splitlines(True)), name, text))
        fns += [n for n in parse(text).body if isinstance(n, gast.FunctionDef)]
    fns, roll = numba_form(fns, generated.stack)
    sources = [function_source(fn, info) for fn, info in zip(fns, infos)]
    namespace, helpers = _namespace(texts, sources, roll, numba)
    imports = ", ".join(h if h == alias else f"{h} as {alias}" for alias, h in sorted(helpers.items()))
    module = (f"# s2s.jit: the code of {generated.entry}, in the form Numba compiles.\n"
              "import numpy as np\n" + (f"from s2s.jit_runtime import {imports}\n" if imports else "")
              + "".join("\n\n" + s for s in sources))
    exec(compile(module, source_filename(f"jit {generated.entry}", module), "exec"), namespace)
    for name, _, _ in texts:
        namespace[name] = numba.njit(namespace[name])
    return module, namespace[generated.entry]


def _namespace(texts, sources, roll, numba) -> tuple[dict, dict]:
    """The globals of the compiled code -- what the generated functions read, as they read it now
    (their namespaces fall back to the user's module and cells), with Numba's forms of the runtime's
    helpers, and plain functions compiled too -- and {name: helper} of the helpers it calls."""
    from . import jit_runtime
    own = {name for name, _, _ in texts}
    namespace: dict = {}
    helpers = {roll: "roll_along"} if any(f"{roll}(" in s for s in sources) else {}
    for (name, _, fn), source in zip(texts, sources):
        for read in _names(compile(source, "<s2s>", "exec")) - own - set(namespace) - {roll}:
            try:
                value = fn.__globals__[read]
            except KeyError:
                continue   # a builtin (Numba knows those it compiles) or a name no path reads
            if getattr(value, "__module__", None) == "s2s.runtime" and inspect.isfunction(value):
                if value.__name__ not in jit_runtime.HELPERS:
                    raise JitError(f"s2s.jit cannot compile `{name}` yet: its code calls the helper "
                                   f"`{value.__name__}`, which has no compiled form", hint="run it without s2s.jit")
                helpers[read] = value.__name__
                value = jit_runtime.HELPERS[value.__name__]
            elif inspect.isfunction(value):
                value = numba.njit(value)
            namespace[read] = value
    namespace.update({alias: jit_runtime.HELPERS[h] for alias, h in helpers.items()})
    return namespace, helpers


def _names(code) -> set:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_AT = re.compile(r'File "(<s2s [^"]+>)", line (\d+)')
_CITED = re.compile(r"^\s*# (?:grad of: )?(.*?)\s{4}\((.+):(\d+)\)\s*$")


def _explain(error, name) -> JitError:
    """Numba's error as a JitError: its reason in one line, the line of the compiled code it is
    about, and the user's line that code came from."""
    import linecache
    text = _ANSI.sub("", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    reason = next((line for line in lines[1:] if not line.startswith(("During:", "File ", "<source elided>"))),
                  lines[0] if lines else type(error).__name__)
    where = _AT.findall(text)
    location, cited = None, ""
    if where:
        filename, line = where[-1][0], int(where[-1][1])
        code_lines = linecache.getlines(filename)
        location = Location(filename, line, 0, code_lines[line - 1] if line <= len(code_lines) else "")
        for above in reversed(code_lines[:line]):
            found = _CITED.match(above)
            if found:
                cited = f"; it comes from {found.group(2)}:{found.group(3)}: `{found.group(1)}`"
                break
    return JitError(f"Numba cannot compile `{name}`: {reason}{cited}", location,
                    hint="run it without s2s.jit, or write that line with what Numba supports "
                         "(https://numba.readthedocs.io/en/stable/reference/numpysupported.html)")
