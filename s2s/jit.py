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
import os
import re
from typing import Any, Callable

import gast
import numpy as np

from .errors import JitError, Location
from .jit_background import Build
from .parsing import SourceInfo
from .transforms.nodes import parse
from .driver import ORIGINS
from .emit import function_source
from .load import _names, source_filename
from . import jit_cache
from .transforms.fusion import fuse
from .transforms.loop_nests import loop_nests
from .transforms.numba_form import numba_form

_ndarray = np.ndarray
_INSTALL = "install Numba: pip install 's2s[jit]' (or pip install numba scipy)"


def _numba():
    try:
        import numba
    except ImportError:
        raise JitError("s2s.jit needs Numba, which is not installed", hint=_INSTALL) from None
    return numba


def jit(func: Callable[..., Any], *, cache: bool = True, background: bool | None = None) -> Callable[..., Any]:
    """`func` compiled by Numba: a derivative s2s made (`s2s.grad(f)`, `s2s.vjp(f)`, `s2s.jvp(f)`,
    `s2s.hvp(f)`, ...) or a plain function. The result is called as `func` is, with numbers and
    NumPy arrays; it is compiled for the argument types of its first call with them. Raises
    `s2s.JitError` for what it cannot compile (see the module's docstring). With `cache` (the
    default), compiled code is kept on disk for the next process (`s2s.jit_cache`).

    With `background` (the default, unless the environment variable ``S2S_JIT_BACKGROUND`` is
    ``0``), Numba compiles in a thread of its own while the calls run `func` itself, until the
    compiled code is ready (`s2s.jit_background`); `.wait()` waits for it. With
    ``background=False``, the first call with new argument types compiles, then runs.

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
        return _Compiled(numba.njit(plain), plain.__name__, None, None, plain, background=_background(background))
    source, namespace = _numba_module(generated, numba, cache=cache)
    compiled = _Compiled(namespace[generated.entry], generated.entry, source, api._own(func), func,
                         api._SHAPES.get(api._own(func)), api._NUMBERS.get(api._own(func)), cache,
                         _background(background))
    api._SOURCES[compiled] = source
    return compiled


def _background(background) -> bool:
    return os.environ.get("S2S_JIT_BACKGROUND") != "0" if background is None else bool(background)


class _Compiled:
    """A compiled function: calls go to Numba's dispatcher; an error of Numba's becomes a JitError
    (compilation happens at the first call with new argument types).

    A gradient with code for known shapes and for numbers (`s2s.specialised`: s2s.grad and
    s2s.value_and_grad of functions with positional parameters) compiles, for each signature
    (the shapes and dtypes of the arrays, the types of the rest), the code s2s makes for it, as
    jax.jit compiles per shape: it has fewer helpers, so Numba compiles it sooner and fuses more
    of it, and its element-wise array expressions are loops (`transforms.loop_nests`). Past
    `ForShapes.LIMIT` signatures, or where such code cannot be made, the general code serves
    (compiled once per Numba type).

    In the background (see `jit`), each dispatcher compiles for the types of the first call that
    reaches it while `original` answers; then it is `ready`, and calls with other types compile
    at once, as Numba's dispatchers do."""

    def __init__(self, dispatcher, name, source, made, original, shapes=None, numbers=None, cache=False,
                 background=False):
        self.dispatcher, self.__name__, self.source, self.made = dispatcher, name, source, made
        self.__wrapped__ = original
        self.__doc__ = getattr(original, "__doc__", None)
        self.params = list(inspect.signature(original).parameters) if made is not None else []
        self.screened: set = set()   # signatures of calls with other arguments, which passed `screen`
        self.hvp = getattr(original, "__s2s_hvp__", None)   # an hvp: is its `wrt` single
        self.shapes, self.numbers, self.cache = shapes, numbers, cache
        self.table: dict = {}        # signature -> (dispatcher, the source it compiles)
        self.for_floats = None       # the dispatcher for calls with Python floats only, once known
        self.background = background
        self.builds: dict = {}       # dispatcher -> jit_background.Build, while it compiles
        self.ready: set = set()      # dispatchers that compiled (or failed to) in the background

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

    def for_signature(self, args):
        """(dispatcher, source) for a call with `args`: the code made for their signature, compiled
        at the first call with it."""
        key = _key(args)
        found = self.table.get(key)
        if found is None:
            found = self.table[key] = self.specialised(args)
        return found

    def specialised(self, args):
        general = (self.dispatcher, self.source)
        if len(self.table) >= self.shapes.LIMIT:
            return general
        if all(type(a) is float or type(a) is int and p not in self.shapes.names
               for p, a in zip(self.params, args)):
            made = self.numbers.generate()   # every argument a Python number: the code for numbers
        else:
            made = self.shapes.for_arguments(args)
        if made is self.shapes.general:
            return general
        try:
            source, namespace = _numba_module(made, _numba(), cache=self.cache)
        except JitError:   # (what the general code has a compiled form of and this code not)
            return general
        return namespace[made.entry], source

    def source_for(self, args) -> str:
        """The source compiled for calls with arguments like `args` (see `s2s.source`)."""
        return self.for_signature(tuple(args))[1] if self.shapes is not None else self.source

    def __call__(self, *args):
        dispatcher = self.dispatcher
        if self.made is not None:
            floats = True
            for a in args:   # (the common cases at the cost of a test or two per argument)
                if type(a) is not float:
                    floats = False
                    if not (type(a) is _ndarray and a.dtype.kind == "f" and a.ndim):
                        self.screen(args)
                        break
            if self.shapes is not None:
                if floats and self.for_floats is not None:
                    dispatcher = self.for_floats
                else:
                    dispatcher = self.for_signature(args)[0]
                    if floats:
                        self.for_floats = dispatcher
        try:
            return self.run(dispatcher, args)
        except Exception as error:
            if not (isinstance(error, _numba().core.errors.NumbaError) or _compiling(error)):
                raise
            if dispatcher is not self.dispatcher and not dispatcher.signatures:
                # the code made for this signature does not compile: the general code may
                self.table[_key(args)] = (self.dispatcher, self.source)
                self.for_floats = None
                return self(*args)
            raise _explain(error, self.__name__) from None

    def run(self, dispatcher, args):
        if self.hvp is None:
            call = args
        else:
            *primal, v = args   # hvp: the jvp of the gradient along v; its tangent
            call = (*primal, *((v,) if self.hvp else v))
        if self.background and dispatcher not in self.ready:
            build = self.builds.get(dispatcher)
            if build is None:   # (answered before Numba starts: it would share the interpreter with it)
                answer = self.__wrapped__(*args)
                self.builds[dispatcher] = Build(_numba(), dispatcher, call, self.__name__, args)
                return answer
            if not build.done():
                return self.__wrapped__(*args)   # the Python code s2s made, while Numba compiles
            del self.builds[dispatcher]
            self.ready.add(dispatcher)
            build.result()
        return dispatcher(*call) if self.hvp is None else dispatcher(*call)[1]

    def wait(self):
        """Wait until the calls made so far have compiled code to run: each compilation in the
        background ends, and is taken up by a call with its arguments (where the code for a
        signature does not compile, the general code is compiled for it, and waited for too).
        Raises a JitError for what cannot be compiled. Returns this function."""
        while self.builds:
            for build in list(self.builds.values()):
                build.wait()
            for build in list(self.builds.values()):
                self(*build.args)
        return self

    def __repr__(self):
        return f"<s2s.jit {self.__name__}>"


def _key(args) -> tuple:
    """The signature of a call: (shape, dtype) of each array, the type of anything else."""
    return tuple([(a.shape, a.dtype) if type(a) is _ndarray else type(a) for a in args])


def numba_sources(generated) -> tuple[list, dict]:
    """The sources of `generated`'s functions in Numba form (`transforms.numba_form`, then
    `transforms.fusion`; code for known shapes, `transforms.loop_nests`), as
    (name, source, loaded function) in `generated.functions`' order, and {helper: the name they
    call it by} of the helpers that form calls which the code they were made from does not."""
    texts = [(name, generated.functional.get(name, src), fn) for name, src, fn in generated.functions]
    infos, fns = [], []
    for name, text, _ in texts:
        infos.append(SourceInfo(f"<s2s {name}>", tuple(text.splitlines(True)), name, text))
        fns += [n for n in parse(text).body if isinstance(n, gast.FunctionDef)]
    loaded = {name: fn for name, _, fn in texts}

    def params_of(called):
        """The parameters of a generated function the code calls (of this generation or another)."""
        value = loaded.get(called)
        for fn in loaded.values():
            if value is None:
                value = dict.get(fn.__globals__, called)   # (its own names: generated functions are)
        if inspect.isfunction(value) and (called in loaded or value in ORIGINS):
            return list(inspect.signature(value).parameters)
        return None
    fns, aliases = numba_form(fns, generated.stack, params_of)
    pure = set(aliases.values()) | {n for _, _, fn in texts for n in fn.__code__.co_names
                                    if _helper(dict.get(fn.__globals__, n))}
    fns = [fuse(fn, pure) for fn in fns]
    if generated.like:   # code for known shapes: its element-wise array expressions as loops
        fns = [loop_nests(fn, generated.like, pure, aliases["roll_along"]) if fn.name == generated.entry else fn
               for fn in fns]
    sources = [(name, function_source(fn, info), loaded) for (name, _, loaded), fn, info in zip(texts, fns, infos)]
    return sources, {h: alias for h, alias in aliases.items() if any(f"{alias}(" in src for _, src, _ in sources)}


def _helper(value) -> bool:
    """Is `value` a runtime helper with a Numba form (which has no effect but its result)?"""
    from . import jit_runtime
    return inspect.isfunction(value) and value.__module__ == "s2s.runtime" and value.__name__ in jit_runtime.HELPERS


def _numba_module(generated, numba, done=None, cache=False):
    """The Numba form of `generated`'s functions as one module's text, and the namespace it runs
    in, where each of its functions is compiled. `done`: the generations (by id) and user functions
    compiled so far for this call of s2s.jit (code generated from generated code calls the other's
    functions). `cache`: keep the compiled code on disk (`s2s.jit_cache`) where that is safe."""
    done = {} if done is None else done
    if id(generated) in done:
        return done[id(generated)]
    texts, called = numba_sources(generated)
    namespace, helpers = _namespace(texts, called, numba, done, cache)
    imports = ", ".join(h if h == alias else f"{h} as {alias}" for alias, h in sorted(helpers.items()))
    module = (f"# s2s.jit: the code of {generated.entry}, in the form Numba compiles.\n"
              "import numpy as np\n" + (f"from s2s.jit_runtime import {imports}\n" if imports else "")
              + "".join("\n\n" + src for _, src, _ in texts))
    own = {name for name, _, _ in texts}
    digest = jit_cache.key(module, namespace, own) if cache else None
    made = jit_cache.module(digest, module, namespace) if digest is not None else None
    if made is not None:
        namespace = made.__dict__
        _LABELS[os.path.abspath(made.__file__)] = f"<s2s jit {generated.entry}>"
        if not namespace.get("__s2s_compiled__"):   # (not loaded by an earlier s2s.jit of this process)
            for name in own:
                namespace[name] = numba.njit(cache=True)(namespace[name])
            namespace["__s2s_compiled__"] = True
    else:
        exec(compile(module, source_filename(f"jit {generated.entry}", module), "exec"), namespace)
        for name in own:
            namespace[name] = numba.njit(namespace[name])
    done[id(generated)] = module, namespace
    return module, namespace


def _namespace(texts, called, numba, done, cache=False) -> tuple[dict, dict]:
    """The globals of the compiled code -- what the generated functions read, as they read it now
    (their namespaces fall back to the user's module and cells), with Numba's forms of the runtime's
    helpers, generated functions of other generations in Numba form, and plain functions compiled
    too -- and {name: helper} of the helpers it calls (`called`: those of its Numba form,
    {helper: name})."""
    from . import jit_runtime
    own = {name for name, _, _ in texts}
    namespace: dict = {}
    helpers = {alias: h for h, alias in called.items()}
    for name, source, fn in texts:
        for read in _names(compile(source, "<s2s>", "exec")) - own - set(namespace) - set(helpers):
            try:
                value = fn.__globals__[read]
            except KeyError:
                continue   # a builtin (Numba knows those it compiles) or a name no path reads
            origin = ORIGINS.get(value) if inspect.isfunction(value) else None
            if origin is not None:
                value = _numba_module(origin, numba, done, cache)[1][value.__name__]
            elif getattr(value, "__module__", None) == "s2s.runtime" and inspect.isfunction(value):
                if value.__name__ not in jit_runtime.HELPERS:
                    raise JitError(f"s2s.jit cannot compile `{name}` yet: its code calls the helper "
                                   f"`{value.__name__}`, which has no compiled form", hint="run it without s2s.jit")
                helpers[read] = value.__name__
                value = jit_runtime.HELPERS[value.__name__]
            elif inspect.isfunction(value):   # (compiled with the user's functions it calls)
                value = jit_runtime.njit_with_callees(value, done)
            namespace[read] = value
    namespace.update({alias: jit_runtime.HELPERS[h] for alias, h in helpers.items()})
    return namespace, helpers


def _compiling(error) -> bool:
    """Was `error` raised by Numba while it compiled (an error of its own that is no NumbaError: an
    assertion of its lowering, on a boolean mask of two axes), not by the compiled code?"""
    from numba.core import compiler
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == compiler.__file__:
            return True
        tb = tb.tb_next
    return False


def _lowered_at(error) -> str:
    """`File "...", line n` of the statement Numba was compiling when `error` was raised, or ''."""
    tb, at = error.__traceback__, ""
    while tb is not None:
        loc = getattr(tb.tb_frame.f_locals.get("inst"), "loc", None)
        if loc is not None:
            at = f'File "{loc.filename}", line {loc.line}'
        tb = tb.tb_next
    return at


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_AT = re.compile(r'File "(<s2s [^"]+>|[^"]*_s2s_jit_[0-9a-f]+\.py)", line (\d+)')
_LABELS: dict = {}   # the file of a module kept on disk -> the name its code is shown by
_CITED = re.compile(r"^\s*# (?:grad of: )?(.*?)\s{4}\((.+):(\d+)\)\s*$")


def _explain(error, name) -> JitError:
    """Numba's error as a JitError: its reason in a line or two, the line of the compiled code it
    is about (the innermost, where a compiled function calls another), and the user's line that
    code came from."""
    import linecache
    if isinstance(error, ImportError) and "scipy" in str(error).lower():   # Numba's linear algebra
        return JitError(f"Numba cannot compile `{name}`: its matrix products need SciPy, which is not installed",
                        hint="install SciPy: pip install 's2s[jit]' (or pip install scipy)")
    text = _ANSI.sub("", str(error))
    if not isinstance(error, _numba().core.errors.NumbaError):   # Numba failed, without a reason of its own
        text = f"Numba failed with {type(error).__name__} {text}\n{_lowered_at(error)}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    noise = ("Failed in ", "During:", "File ", "<source elided>", "There are ", "- Of which", "^")
    reasons = [line for line in lines if not line.startswith(noise)]
    reason = reasons[0] if reasons else type(error).__name__
    if len(reasons) > 1 and reasons[1].startswith(">>>"):   # the signature it found no implementation for
        reason += " " + reasons[1][3:].strip()
    where = _AT.findall(text)
    location, cited = None, ""
    if where:
        filename, line = where[0][0], int(where[0][1])
        if not filename.startswith("<"):   # a module kept on disk (Numba names it relative to here)
            filename = os.path.abspath(filename)
        code_lines = linecache.getlines(filename)
        location = Location(_LABELS.get(filename, filename), line, 0,
                            code_lines[line - 1] if line <= len(code_lines) else "")
        for above in reversed(code_lines[:line]):
            found = _CITED.match(above)
            if found:
                cited = f"; it comes from {found.group(2)}:{found.group(3)}: `{found.group(1)}`"
                break
    return JitError(f"Numba cannot compile `{name}`: {reason}{cited}", location,
                    hint="run it without s2s.jit, or write that line with what Numba supports "
                         "(https://numba.readthedocs.io/en/stable/reference/numpysupported.html)")
