"""The public API: grad, value_and_grad, vjp, jvp, hvp, hessian, jacobian, source, differentiate."""
from __future__ import annotations

import functools
import importlib
import inspect
import itertools
import linecache
import types
import weakref
from typing import Any, Callable, Union

import numpy as np

from . import rules, runtime, varargs
from .calling import any_tree, checked, fixer, floats, screen, typed_like_inner
from .driver import generate, unwrap
from .errors import S2SError
from .specialised import ForNumbers, ForShapes
from .transforms.callees import still_bound

# (function, wrt, single, mode, optimize) -> (made function, the bindings it was generated under); an entry
# is used only while every name the generation resolved (callees, transitively, and closure cells) still
# names the same object: a helper redefined in a notebook cell makes `s2s.grad(f)` generate again.
Wrt = Union[int, str, tuple[Union[int, str], ...]]   # a parameter index or name, or a tuple of them

_CACHE: dict = {}
_SOURCES = weakref.WeakKeyDictionary()     # made function -> its generated source
_GENERATED = weakref.WeakKeyDictionary()   # made function -> the driver's Generated record (the command line writes it)


def _wrt_names(func, wrt) -> tuple[list[str], bool]:
    """`wrt` (index, name, or a tuple of them) as parameter names, and whether it was single."""
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        raise S2SError(f"cannot read the parameters of {func!r}: it is not a Python function") from None
    single = not isinstance(wrt, (tuple, list))
    names = []
    for w in ([wrt] if single else wrt):
        entry = varargs.entry(func, w)  # an entry of *args: `xs[1]`
        if entry is not None:
            names.append(entry)
        elif isinstance(w, int) and not isinstance(w, bool):
            if not -len(params) <= w < len(params):
                raise S2SError(f"wrt={w} is out of range: `{func.__name__}` has {len(params)} parameters {tuple(params)}")
            names.append(params[w])
        elif isinstance(w, str):
            if w not in params:
                raise S2SError(f"wrt={w!r} is not a parameter of `{func.__name__}`; its parameters are {tuple(params)}")
            names.append(w)
        else:
            raise S2SError(f"wrt must be a parameter index or name, or a tuple of them; got {w!r}")
    if not names:
        raise S2SError("wrt is empty: say which parameters to differentiate with respect to")
    if len(set(names)) != len(names):
        raise S2SError(f"wrt names a parameter twice: {tuple(names)}")
    return names, single


def _wrt(wrt, argnums, argnum=None):
    """`argnums` is JAX's name for `wrt`, `argnum` autograd's; give one of them."""
    given = [w for w in (argnums, argnum) if w is not None]
    if not given:
        return wrt
    if wrt != 0 or len(given) > 1:
        raise S2SError("give one of wrt=, argnums= and argnum= (its aliases)")
    return given[0]


def _target(func):
    """What `func` stands for: the plain function behind a wrapper, a primitive as a function."""
    return _as_function(unwrap(func))


def _make(func, wrt, mode, optimize, has_aux=False, entry=None, checkpoint=None):
    if mode == "jvp" and inspect.isfunction(func) and hasattr(func, "__s2s_output__") and not varargs.has_var(func):
        made = _make(unwrap(func), wrt, mode, optimize, has_aux, entry, checkpoint)
        typed = typed_like_inner(made, func.__s2s_output__, list(inspect.signature(func).parameters))
        _SOURCES[typed], _GENERATED[typed] = _SOURCES[made], _GENERATED[made]
        return typed
    func = unwrap(func)
    if inspect.ismethod(func):  # a bound method: the function, with its instance as the first argument
        made = _make_plain(unwrap(func.__func__), _method_wrt(func, wrt), mode, optimize, has_aux, type(func.__self__),
                           checkpoint=checkpoint)
        return types.MethodType(made, func.__self__)
    if isinstance(func, functools.partial):
        return _partial(func, wrt, mode, optimize, has_aux, checkpoint)
    owner = _defining_class(func)
    if owner is not None:
        return _per_class(func, owner, wrt, mode, optimize, has_aux, checkpoint)
    return _make_plain(func, wrt, mode, optimize, has_aux, entry=entry, checkpoint=checkpoint)


def _partial(p, wrt, mode, optimize, has_aux, checkpoint=None):
    """`functools.partial(f, *args, **keywords)`: the derivative of `f` with those arguments bound."""
    names, single = _wrt_names(p, wrt)
    made = _make(p.func, names[0] if single else tuple(names), mode, optimize, has_aux, checkpoint=checkpoint)
    n_directions = {"vjp": 1, "jvp": len(names)}.get(mode, 0)
    with_bound_arguments = _bind_then_call(made, _target(p.func), n_directions, p.args, p.keywords)
    with_bound_arguments.__signature__ = inspect.signature(p)
    _SOURCES[with_bound_arguments] = source(made)
    return with_bound_arguments


def _bind_then_call(made, func, n_directions: int, args=(), keywords=None):
    """`made` (a derivative of `func` that takes func's parameters, then `n_directions` seeds or
    tangents) called as people call it: the directions are the last positional arguments, and
    func's parameters before them may be passed by keyword or left to their defaults."""
    signature = inspect.signature(func)
    keywords = keywords or {}

    @functools.wraps(made)
    def with_bound_arguments(*given, **kwargs):
        positional, directions, named = _directions_last(signature, (*args, *given), {**keywords, **kwargs},
                                                         n_directions)
        return made(*positional, *directions, **named)
    return with_bound_arguments


def _directions_last(signature, given, kwargs, n_directions: int):
    """(func's positional arguments with defaults applied, the last `n_directions` of `given`,
    func's keyword-only arguments) of a call of a derivative of func."""
    by_name = {k: v for k, v in kwargs.items() if k not in signature.parameters}   # a tangent `t_x=...`
    cut = len(given) - (n_directions - len(by_name))
    bound = signature.bind(*given[:cut], **{k: v for k, v in kwargs.items() if k not in by_name})
    bound.apply_defaults()
    keyword_only = {name for name, p in signature.parameters.items() if p.kind is p.KEYWORD_ONLY}
    return ([v for k, v in bound.arguments.items() if k not in keyword_only], given[cut:],
            {**{k: v for k, v in bound.arguments.items() if k in keyword_only}, **by_name})


def _defining_class(func):
    """The class (at module level) whose body defines `func` with a first parameter `self`, or None."""
    parts = getattr(func, "__qualname__", "").split(".")
    if len(parts) != 2 or not inspect.isfunction(func) or next(iter(inspect.signature(func).parameters), "") != "self":
        return None
    owner = getattr(func, "__globals__", {}).get(parts[0])
    return owner if isinstance(owner, type) and vars(owner).get(parts[1]) is func else None


def _per_class(func, owner, wrt, mode, optimize, has_aux, checkpoint=None):
    """`Class.method` differentiated with `self.other(...)` resolved in the class of the `self` it is
    called with: generated for `owner` (the code `s2s.source` shows), and again per other class."""
    made = _make_plain(func, wrt, mode, optimize, has_aux, owner, checkpoint=checkpoint)
    first = next(iter(inspect.signature(func).parameters))

    @functools.wraps(made)
    def per_class(*args, **kwargs):
        instance = args[0] if args else kwargs.get(first)
        if type(instance) is owner:
            return made(*args, **kwargs)
        return _make_plain(func, wrt, mode, optimize, has_aux, type(instance), checkpoint=checkpoint)(*args, **kwargs)
    per_class.__s2s_function__ = unwrap(made)
    _SOURCES[per_class] = _SOURCES[made]
    _GENERATED[per_class] = _GENERATED[made]
    return per_class


def _method_wrt(method, wrt):
    """`wrt` of a bound method (its parameters after `self`) as `wrt` of its function."""
    names, single = _wrt_names(method, wrt)
    return names[0] if single else tuple(names)


def _has_positional_defaults(func) -> bool:
    return any(p.default is not p.empty and p.kind is not p.KEYWORD_ONLY
               for p in inspect.signature(func).parameters.values())


_PRIMITIVES: dict = {}   # a primitive with a rule (np.sin) -> the Python function that calls it


def _as_function(func):
    """A primitive with a derivative rule (`np.sin`, `np.linalg.det`, a SciPy function, a function
    registered with `s2s.rule`) as a one-line Python function that calls it, whose source s2s
    reads; else `func`."""
    if not callable(func) or inspect.ismethod(func) or isinstance(func, functools.partial):
        return func
    rules.load_optional()   # SciPy's, if the program imported SciPy
    rule = rules.lookup(func)
    if rule is None or rule.nondiff or func in _PRIMITIVES:
        return _PRIMITIVES.get(func, func)
    # out= is never differentiated. A parameter the rule covers for some constants only is a parameter
    # all the same (callers pass it, by position too): each covered value calls with that constant, others raise.
    params = [p for p in rule.signature.parameters.values() if p.name != "out"]
    only = [p.name for p in params if p.name in rule.only and p.default is not p.empty]
    signature = rule.signature.replace(parameters=params)
    name = getattr(func, "__name__", "primitive")
    filename = f"<s2s primitive {rule.name}>"
    namespace = {"primitive": func, "__name__": "s2s.primitives", "np": np}
    path = rule.name if _names(rule.name, namespace, func) else "primitive"   # `np.sin(x)` reads best

    def call(values):
        return ", ".join(f"{p.name}={values[p.name]!r}" if p.name in values
                         else p.name if p.default is p.empty and p.kind is not p.KEYWORD_ONLY else f"{p.name}={p.name}"
                         for p in params)
    body = ""
    for values in itertools.product(*(rule.only[p] for p in only)):
        test = " and ".join(f"{p} is {v!r}" if v is None or isinstance(v, bool) else f"{p} == {v!r}"
                            for p, v in zip(only, values))
        body += f"    if {test}:\n        return {path}({call(dict(zip(only, values)))})\n" if only else ""
    if only:
        covered = ", ".join(f"{p} in {tuple(rule.only[p])!r}" for p in only)
        body += f"    raise ValueError({f's2s differentiates {rule.name} only with {covered}'!r})\n"
    else:
        body = f"    return {path}({call({})})\n"
    text = f"def {name}{signature}:\n{body}"
    try:
        exec(compile(text, filename, "exec"), namespace)
    except SyntaxError:  # a default without a source form: not offered
        return func
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    _PRIMITIVES[func] = namespace[name]
    return _PRIMITIVES[func]


def _names(path, namespace, func) -> bool:
    """Does the dotted `path` (`np.sin`, `scipy.special.gammaln`) name `func`? Its root module is
    imported into `namespace` if so."""
    root, *rest = path.split(".")
    try:
        obj = namespace.get(root) or importlib.import_module(root)
        for part in rest:
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError):
        return False
    if obj is func:
        namespace[root] = namespace.get(root) or importlib.import_module(root)
        return True
    return False


def _make_plain(func, wrt, mode, optimize, has_aux=False, self_class=None, entry=None, checkpoint=None):
    """`entry`: (kind, name) that name the generated function `<kind>_<name>` (hvp's `hvp_f`);
    `checkpoint`: see `grad`."""
    checkpoint = _checkpoint(checkpoint)
    func = _as_function(func)
    if not callable(func):
        raise S2SError(f"expected a function, got {func!r}")
    names, single = _wrt_names(func, wrt)
    key = (func, tuple(names), single, mode, bool(optimize), bool(has_aux), self_class, entry, checkpoint)
    cached = _CACHE.get(key)
    if cached is not None and still_bound(cached[1]):
        return cached[0]
    generated = generate(func, names, single, mode, bool(optimize), has_aux=has_aux, self_class=self_class,
                         entry=entry, checkpoint=checkpoint)
    own = set(inspect.signature(func).parameters)
    directions = [p for p in inspect.signature(generated.function).parameters if p not in own]  # seed, tangents
    numbers = shapes = None
    if mode in ("grad", "value_and_grad") and not (has_aux or self_class or entry) and _plain_positional(func):
        numbers = ForNumbers(func, names, single, mode, bool(optimize), generated, checkpoint)
        shapes = ForShapes(func, names, list(inspect.signature(func).parameters), single, mode, bool(optimize),
                           generated, checkpoint)
    made = (varargs.wrap(generated.function, func, names, single, mode) if varargs.has_star(func)
            else checked(generated.function, func.__name__, names, single, mode, directions, has_aux,
                         numbers and numbers.slot, shapes and shapes.slot))
    if directions and _has_positional_defaults(func) and not varargs.has_star(func):
        made = _bind_then_call(made, func, len(directions))
    _CACHE[key] = (made, generated.bindings)
    for f in (made, generated.function):
        _SOURCES[f] = generated.source
        _GENERATED[f] = generated
    if numbers is not None:
        numbers.wrapper = shapes.wrapper = made if hasattr(made, "__s2s_inline__") else None
        _NUMBERS[made] = numbers
        _SHAPES[made] = shapes
    return made


def _checkpoint(checkpoint):
    """`checkpoint` of `grad` and co., checked: None (no checkpointing), "sqrt" (True: about sqrt(n)
    snapshots), or a number of snapshots. (Not True itself: in a cache key, True would be 1.)"""
    if checkpoint is None or checkpoint is False:
        return None
    if checkpoint is True:
        return "sqrt"
    if isinstance(checkpoint, (int, np.integer)) and not isinstance(checkpoint, bool) and checkpoint >= 1:
        return int(checkpoint)
    raise S2SError(f"checkpoint= takes True or a number of snapshots (1 or more), not {checkpoint!r}")


def _plain_positional(func) -> bool:
    """Does `func` take positional parameters only (no *args, keyword-only or **kwargs)?"""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return False
    return bool(params) and all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


_NUMBERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # a derivative -> its `ForNumbers`
_SHAPES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()    # a derivative -> its `ForShapes`


def grad(func: Callable[..., Any], wrt: Wrt = 0, *, optimize: bool = True, has_aux: bool = False,
         argnums: Wrt | None = None, argnum: Wrt | None = None,
         checkpoint: bool | int | None = None) -> Callable[..., Any]:
    """The gradient of scalar-valued `func` with respect to `wrt`, as generated code.

    Returns a function with `func`'s parameters that returns one gradient
    (a single `wrt`) or a tuple of them (a tuple `wrt`), each shaped like its
    argument: a 0-d array gets a 0-d array, a Python float a float, and a
    tree (lists, tuples, dicts, namedtuples, dataclasses, nested) a tree of
    the same types and structure.

        >>> df = s2s.grad(lambda x: np.sum(np.sin(x)))
        >>> df(np.zeros(3))
        array([1., 1., 1.])

    `argnums=` is an alias of `wrt` (as in JAX). With `has_aux=True`, `func`
    returns `(value, aux)`; the value is differentiated and the derivative
    returns `(gradient, aux)`. A bound method (`s2s.grad(model.loss)`) is
    differentiated with respect to its parameters after `self`; calls to
    other methods of `self` are differentiated too.

    The returned function checks its `wrt` arguments before the generated
    code runs (see `s2s.calling`): an integer or bool there (`3`,
    `np.arange(3)`, or one inside a list, tuple or dict) raises
    `IntegerArgumentError` (an `S2SError` and a `TypeError`) naming the
    parameter -- pass a float instead (`3.0`, `x.astype(float)`).
    `s2s.source` shows the generated code it calls.

    `checkpoint=True` trades time for memory in loops: each `for` loop (not
    inside a loop checkpointed already) keeps about sqrt(n) snapshots of what it
    carries from trip to trip instead of the records of all its n trips, and
    the backward pass runs it forward again a segment at a time (about one
    more run of the loop). `checkpoint=k` keeps at most k snapshots and one
    trip's records, on revolve's binomial schedule (each trip runs a few more
    times). The gradient is the same; see "Checkpointed loops" in
    docs/reading-generated-code.md for the code and what is left out.

    Generation is cached per (function, options). Each call of `grad`
    checks that every name the generation resolved (the functions `func`
    calls, transitively, in their globals, modules or closure cells) still
    names the same object, and generates again if not: a helper redefined
    in a notebook cell is differentiated anew. A derivative returned
    earlier keeps the functions it was generated with; values that are not
    called (globals, closure variables) are read when the derivative runs.
    """
    return _make(func, _wrt(wrt, argnums, argnum), "grad", optimize, has_aux, checkpoint=checkpoint)


def value_and_grad(func: Callable[..., Any], wrt: Wrt = 0, *, optimize: bool = True, has_aux: bool = False,
                   argnums: Wrt | None = None, argnum: Wrt | None = None,
                   checkpoint: bool | int | None = None) -> Callable[..., tuple[Any, Any]]:
    """Like `grad`, returning `(value, gradient)`; arguments and `checkpoint` are as in `grad`.

    With `has_aux=True`, `func` returns `(value, aux)` and this returns `((value, aux), gradient)`.

        >>> s2s.value_and_grad(lambda x: x ** 2)(3.0)
        (9.0, 6.0)
    """
    return _make(func, _wrt(wrt, argnums, argnum), "value_and_grad", optimize, has_aux, checkpoint=checkpoint)


def vjp(func: Callable[..., Any], wrt: Wrt = 0, *, optimize: bool = True, argnums: Wrt | None = None,
        argnum: Wrt | None = None, checkpoint: bool | int | None = None) -> Callable[..., Any]:
    """`g(*args, seed)`: the cotangent(s) of `wrt` given a `seed` shaped like `func`'s output.

    Arguments and `checkpoint` are as in `grad`; an integer seed is converted to float.

        >>> s2s.vjp(lambda x: x * x)(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
        array([2., 4.])
    """
    return _make(func, _wrt(wrt, argnums, argnum), "vjp", optimize, checkpoint=checkpoint)


def elementwise_grad(func: Callable[..., Any], wrt: Wrt = 0, *, optimize: bool = True, argnums: Wrt | None = None,
                     argnum: Wrt | None = None) -> Callable[..., Any]:
    """autograd's `elementwise_grad`: the vjp of `func` with a seed of ones shaped like its output,
    which is the derivative of each output entry when output entry i depends on input entry i only.

        >>> s2s.elementwise_grad(lambda x: np.tanh(x))(np.zeros(3))
        array([1., 1., 1.])

    It is a one-line Python function s2s can read, so it differentiates again:
    `s2s.elementwise_grad(s2s.elementwise_grad(np.tanh))` is the second derivative.
    """
    backward = vjp(func, wrt, optimize=optimize, argnums=argnums, argnum=argnum)
    target = _target(func)
    params = [p for p in inspect.signature(target).parameters.values()]
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params) \
            or not inspect.isfunction(target):
        def elementwise_gradient(*args, **kwargs):   # *args or keywords: not read again
            out = target(*args, **kwargs)
            return backward(*args, np.ones_like(out, dtype=np.result_type(out, 1.0)), **kwargs)
        made = elementwise_gradient
    else:   # (defaults too: `swish(x, beta=1.5)`)
        made = _readable("elementwise_grad", target, [p.name for p in params],
                         "    return backward({args}, np.ones_like(func({args}), dtype=float))\n",
                         {"backward": backward}, {p.name: p.default for p in params if p.default is not p.empty})
    _SOURCES[made] = source(backward)
    return made


def _readable(kind, target, params, body, names, defaults=None):
    """`def <kind>_<target>(params): body` as a Python function s2s can read, so that what it
    makes differentiates again (`func` in `body` is `target`, `{args}` its parameters).
    `defaults`: {parameter: default} of the last parameters."""
    name = "lambda" if target.__name__ == "<lambda>" else target.__name__
    args = ", ".join(params)
    defaults = defaults or {}
    header = ", ".join(f"{p}=__s2s_default_{p}" if p in defaults else p for p in params)
    filename = f"<s2s {kind} of {name}>"
    text = f"def {kind}_{name}({header}):\n" + body.replace("{args}", args)
    namespace = {"func": target, "np": np, "__name__": f"s2s.{kind}", **names,
                 **{f"__s2s_default_{p}": d for p, d in defaults.items()}}
    exec(compile(text, filename, "exec"), namespace)
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    return namespace[f"{kind}_{name}"]


def jvp(func: Callable[..., Any], wrt: Wrt = 0, *, optimize: bool = True, argnums: Wrt | None = None,
        argnum: Wrt | None = None) -> Callable[..., tuple[Any, Any]]:
    """`g(*args, *tangents) -> (value, output tangent)`: forward mode, one tangent per `wrt` argument.

    Arguments are checked as in `grad`; integer tangents are directions, not
    points, and are converted to float. The output tangent has the type of
    the output (NumPy gives a scalar for most operations on 0-d arrays).

        >>> s2s.jvp(lambda x, y: x * y, wrt=("x", "y"))(2.0, 3.0, 1.0, 0.0)
        (6.0, 3.0)
    """
    return _make(func, _wrt(wrt, argnums, argnum), "jvp", optimize)


def hvp(func: Callable[..., Any], wrt: Wrt = 0, *, optimize: bool = True,
        checkpoint: bool | int | None = None) -> Callable[..., Any]:
    """`g(*args, v) -> H @ v`: forward mode over the generated gradient; H is never formed.

    With a tuple `wrt`, `v` and the result are tuples (one block per argument),
    each shaped like its argument. Arguments are checked as in `grad`; an
    integer `v` is converted to float. `s2s.hessian_vector_product` is the same
    function (autograd's name). `checkpoint` checkpoints the gradient's loops,
    as in `grad`, and so the memory of forward mode over it.

        >>> s2s.hvp(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
        array([6., 0.])
    """
    if isinstance(func, functools.partial):
        names, single = _wrt_names(func, wrt)
        made = hvp(func.func, names[0] if single else tuple(names), optimize=optimize, checkpoint=checkpoint)
        bound = _bind_then_call(made, _target(func.func), 1, func.args, func.keywords)
        bound.__signature__ = inspect.signature(func)
        _SOURCES[bound], _GENERATED[bound] = _SOURCES[made], _GENERATED[made]
        return bound
    names, single = _wrt_names(_target(func), wrt)
    key = (_target(func), tuple(names), single, "hvp", bool(optimize), _checkpoint(checkpoint))
    gradient = grad(func, wrt, optimize=optimize, checkpoint=checkpoint)  # the same object while its bindings hold
    cached = _CACHE.get(key)
    if (cached is None or cached[1] is not gradient) and varargs.has_var(unwrap(func)):
        _CACHE[key] = cached = (_hvp_varargs(func, names, single, gradient, optimize), gradient)
    if cached is None or cached[1] is not gradient:
        tangent = _make(gradient, tuple(names), "jvp", optimize, entry=("hvp", _target(func).__name__))
        run = unwrap(tangent)  # the generated code: the arguments are screened here, as f's
        params = [name for name, p in inspect.signature(_target(func)).parameters.items()
                  if p.kind is not p.KEYWORD_ONLY]
        n_params, fname = len(params), _target(func).__name__
        where = [(params.index(p), p) for p in names]
        fix = fixer("grad", single)

        signature = inspect.signature(_target(func))

        def hessian_vector_product(*args, **kwargs):
            named = {}
            if kwargs or len(args) != n_params + 1:
                if not args:
                    raise TypeError(f"hvp of {fname} takes its arguments, then a vector")
                primal, (v,), named = _directions_last(signature, args, kwargs, 1)
            else:
                *primal, v = args
            zero_d = [primal[i] if screen(primal[i], p, fname) else None for i, p in where]
            v = floats(v)
            vs = (v,) if single else tuple(v)
            out = run(*primal, *vs, **named)[1]
            if any(a is not None for a in zero_d) or any_tree(out):
                return fix(out, zero_d, [primal[i] for i, _ in where])
            return out
        hessian_vector_product.__name__ = f"hvp_{_target(func).__name__}"
        hessian_vector_product.__s2s_hvp__ = single   # (s2s.jit calls the jvp and keeps its tangent)
        plain = list(signature.parameters.values())
        if inspect.isfunction(_target(func)) and all(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty
                                                     for p in plain):
            vector = next(v for v in ("v", "v_", "vector", "__s2s_v") if v not in params)
            # what s2s reads where the hvp is differentiated again (third order): the generated code itself
            hessian_vector_product.__s2s_function__ = _readable(
                "hvp", _target(func), params + [vector],
                f"    return run({', '.join(params)}, {vector if single else '*' + vector})[1]\n", {"run": run})
        _CACHE[key] = cached = (hessian_vector_product, gradient)
        _SOURCES[hessian_vector_product] = _SOURCES[_own(tangent)]
        _GENERATED[hessian_vector_product] = _GENERATED[_own(tangent)]
    return cached[0]


def _hvp_varargs(func, names, single, gradient, optimize):
    """hvp of a function with *args or **kwargs (see `s2s.varargs`)."""
    tangent = jvp(gradient, tuple(names), optimize=optimize)
    made = varargs.hvp(unwrap(func), names, single, tangent)
    _SOURCES[made] = _SOURCES[tangent]
    _GENERATED[made] = _GENERATED[tangent]
    return made


def _wrt_values(func, names, args, kwargs):
    """The arguments `names` (from `_wrt_names`) in the call `func(*args, **kwargs)`; without
    *args or **kwargs, every parameter is passed positionally (hvp, hessian, jacobian)."""
    func = _target(func)
    if varargs.has_var(func):
        return varargs.values(func, names, args, kwargs)
    bound = inspect.signature(func).bind(*args, **kwargs)   # (by name, or left to its default, too)
    bound.apply_defaults()
    return [bound.arguments[p] for p in names]


def _arrays_or_numbers(values, names, what):
    """Refuse a tree (list, tuple, dict, record) among the arguments `values` a Hessian or a
    Jacobian is taken with respect to: its blocks are made entry by entry of an array."""
    for v, p in zip(values, names):
        if isinstance(v, (list, tuple, dict)) or runtime._is_dataclass(v):
            raise S2SError(f"s2s.{what} is taken with respect to arrays and numbers, but `{p}` is a "
                           f"{type(v).__name__}", hint=f"take it with respect to one vector: "
                           f"`flat_f, unflatten, v = s2s.flatten_func(f, {p})`, then s2s.{what}(flat_f)(v, ...); "
                           "or use s2s.hvp, which takes trees")


def _name_of(func) -> str:
    """A name for what is made of `func` (a `functools.partial` has none of its own)."""
    target = _target(func)
    return getattr(target, "__name__", None) or getattr(getattr(target, "func", None), "__name__", "func")


def hessian(func: Callable[..., Any], wrt: Wrt = 0, *, optimize: bool = True) -> Callable[..., Any]:
    """`H(*args)`: a float for a scalar argument, (n, n) for an (n,) argument; nested
    blocks `H[i][j]` for a tuple `wrt`. Built from Hessian-vector products.

        >>> s2s.hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 2.0]))
        array([[4., 2.],
               [2., 0.]])
    """
    names, single = _wrt_names(_target(func), wrt)
    product = hvp(func, tuple(names), optimize=optimize)

    def full_hessian(*args, **kwargs):
        values = _wrt_values(func, names, args, kwargs)
        _arrays_or_numbers(values, names, "hessian")
        shapes = [np.shape(a) for a in values]
        columns = []  # columns[j][k]: d grad / d (argument j, entry k), per argument i
        for j, shape in enumerate(shapes):
            per_entry = []
            for k in np.ndindex(shape):   # (directions in the arguments' own float dtypes: float32 stays)
                v = [np.zeros(s, dtype=np.result_type(a, 1.0)) if s else 0.0 for a, s in zip(values, shapes)]
                if shape:
                    v[j][k] = 1.0
                else:
                    v[j] = 1.0
                per_entry.append(product(*args, tuple(v), **kwargs))
            columns.append(per_entry)
        blocks = [[_block(columns[j], i, shapes[i], shapes[j]) for j in range(len(names))]
                  for i in range(len(names))]
        return blocks[0][0] if single else tuple(tuple(row) for row in blocks)
    full_hessian.__name__ = f"hessian_{_name_of(func)}"
    _SOURCES[full_hessian] = _SOURCES[_own(product)]  # columns are Hessian-vector products
    return full_hessian


def _block(column_products, i, shape_i, shape_j):
    """H[i][j] from the products H @ e_k for the entries k of argument j."""
    parts = [p[i] for p in column_products]   # (in argument i's type: a float, a float32 array)
    if not shape_j:
        return parts[0]
    stacked = np.stack(parts, axis=-1)  # (*shape_i, n_j)
    return stacked.reshape(tuple(shape_i) + tuple(shape_j))


def jacobian(func: Callable[..., Any], wrt: Wrt = 0, *, optimize: bool = True) -> Callable[..., Any]:
    """`J(*args)`: the Jacobian of `func`'s output with respect to one argument, shaped
    output shape + argument shape. Forward mode when the argument is smaller than the
    output, reverse mode (one vjp per output entry) otherwise.

        >>> s2s.jacobian(lambda x: np.sin(x))(np.zeros(2))
        array([[1., 0.],
               [0., 1.]])
    """
    if isinstance(wrt, (tuple, list)):
        return lambda *args: tuple(jacobian(func, w, optimize=optimize)(*args) for w in wrt)
    forward = jvp(func, wrt, optimize=optimize)
    backward = vjp(func, wrt, optimize=optimize)
    names, _ = _wrt_names(_target(func), wrt)
    target = _target(func)
    params = list(inspect.signature(target).parameters.values())
    if inspect.isfunction(target) and all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                                          and p.default is p.empty for p in params):
        made = _readable("jacobian", target, [p.name for p in params], (
            "    out = func({args})\n"
            "    inputs = unit_vectors({w})\n"
            "    if len(inputs) <= np.size(out):   # forward mode: one column per input entry\n"
            "        columns = [forward({args}, e)[1] for e in inputs]\n"
            "        return np.reshape(np.stack(columns, -1), np.shape(out) + np.shape({w}))\n"
            "    rows = [backward({args}, e) for e in unit_vectors(out)]   # reverse mode: one row per output entry\n"
            "    return np.reshape(np.stack(rows), np.shape(out) + np.shape({w}))\n").replace("{w}", names[0]),
            {"forward": forward, "backward": backward, "unit_vectors": runtime.unit_vectors})
        _SOURCES[made] = (f"# s2s.jacobian calls the first function for inputs no larger than the output,\n"
                          f"# the second otherwise.\n\n{source(forward)}\n\n{source(backward)}")
        return made

    def full_jacobian(*args, **kwargs):
        x = _wrt_values(func, names, args, kwargs)[0]
        _arrays_or_numbers([x], names, "jacobian")
        out = _target(func)(*args, **kwargs)
        in_shape, out_shape = np.shape(x), np.shape(out)
        if np.size(x) <= np.size(out):
            cols = [np.asarray(forward(*args, e, **kwargs)[1]) for e in runtime.unit_vectors(x)]
            return np.stack(cols, axis=-1).reshape(out_shape + in_shape) if cols else \
                np.zeros(out_shape + in_shape, dtype=np.result_type(out, 1.0))
        rows = [np.asarray(backward(*args, e, **kwargs)) for e in runtime.unit_vectors(out)]
        return np.stack(rows).reshape(out_shape + in_shape)
    full_jacobian.__name__ = f"jacobian_{_name_of(func)}"
    _SOURCES[full_jacobian] = (f"# s2s.jacobian runs the first module for inputs no larger than the output,\n"
                               f"# the second otherwise.\n\n{source(forward)}\n\n{source(backward)}")
    return full_jacobian


def _own(func):
    """The function behind a bound method (what `_SOURCES` and `_GENERATED` know)."""
    return func.__func__ if inspect.ismethod(func) else func


def source(func: Callable[..., Any], *, numbers: bool = False, like: tuple | None = None) -> str:
    """The generated source of a function made by s2s, exactly as it runs
    (`print(s2s.source(s2s.grad(f)))`). Raises `S2SError` for a function s2s did not make.

    A gradient (`s2s.grad`, `s2s.value_and_grad`) of a function whose parameters are all
    positional runs other code when every argument is a Python number (a float for those
    differentiated, a float or an int for the others): code for numbers, with no helper for
    broadcasting and a seed of `1.0`, generated at the first such call.
    `numbers=True` shows that code (generating it if needed). Called with other arguments, it runs
    code for their shapes and dtypes (the types of those that are not arrays: the arrays inside a
    list, tuple or dict of parameters are not known to that code), made at the second call with
    them: `like=args`, a tuple of such arguments, shows that code (making it if needed).
    Of a function `s2s.jit` compiled, it shows the code compiled (for those arguments).

        >>> def f(x):
        ...     return x * x
        >>> print(s2s.source(s2s.grad(f)))
        # Generated by s2s ... from ...:f. Do not edit.
        ...
        def grad_f(x):
            \"\"\"Gradient of f (...) with respect to x.\"\"\"
            # return x * x    (...)
            _out = x * x
            d_out = grad_seed(_out)
            # grad of: return x * x    (...)
            d_x = d_out * x
            d_x = d_x + d_out * x
            return d_x
        <BLANKLINE>
    """
    target = _own(func)
    if isinstance(func, Differentiated):
        target = func.grad
    if (numbers or like is not None) and hasattr(target, "source_for"):   # s2s.jit's: the code compiled for them
        params = target.params
        return target.source_for(tuple(like) if like is not None else (1.0,) * len(params))
    if numbers:
        if target not in _NUMBERS:
            raise _no_code_for(func, "numbers")
        return _NUMBERS[target].generate().source
    if like is not None:
        if target not in _SHAPES:
            raise _no_code_for(func, "known shapes")
        shapes = _SHAPES[target]
        if len(like) != len(shapes.params):
            raise S2SError(f"like= takes one argument per parameter of {shapes.func.__name__} "
                           f"({', '.join(shapes.params)}), got {len(like)}")
        if all(type(a) in (float, int) for a in like):   # what runs is the code for numbers
            return _NUMBERS[target].generate().source
        return shapes.for_arguments(tuple(like)).source
    try:
        return _SOURCES[target]
    except (KeyError, TypeError):
        raise S2SError(f"{func!r} was not generated by s2s; s2s.source shows derivative code made by "
                       "s2s.grad, s2s.value_and_grad or s2s.vjp") from None


def _no_code_for(func, what) -> S2SError:
    """The error for a derivative that has no code for numbers or known shapes, saying why."""
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    if inspect.ismethod(func):
        why = f"`{name}` is the gradient of a method, and code for {what} is made for functions only"
        hint = "differentiate a module-level function that takes the object's arrays as arguments, or leave out " \
               "--shape and --like (s2s.source without like=)"
    else:
        why = f"`{name}` has no code for {what}: only a gradient (s2s.grad, s2s.value_and_grad) of a function " \
              "whose parameters are all positional has"
        hint = "leave out --shape and --like (s2s.source without like= and numbers=)"
    return S2SError(why, hint=hint)


def specialised(func, like: dict):
    """The generation record of a gradient's code for arguments `like` ({parameter: Known}, see
    `transforms.known_shapes`) that first checks its arguments are such: what `s2s grad --like` writes."""
    shapes = _SHAPES.get(_own(func))
    if shapes is None:
        raise _no_code_for(func, "known shapes")
    return generate(shapes.func, shapes.names, shapes.single, shapes.mode, shapes.optimize, like=like, guard=True)


def generated(func):
    """The generation record (`s2s.driver.Generated`) behind a function made by grad,
    value_and_grad, vjp, jvp or hvp: what `s2s.standalone` writes as a module."""
    try:
        return _GENERATED[_own(func)]
    except (KeyError, TypeError):
        raise S2SError(f"{func!r} was not made by s2s.grad, s2s.value_and_grad, s2s.vjp, s2s.jvp or s2s.hvp") from None


class Differentiated:
    """A function that is still itself, with its derivatives one attribute away.

    Derivatives are generated on first use (when the module that defines the
    function and its helpers has finished loading), then cached. Made by
    `s2s.differentiate`.

        >>> @s2s.differentiate
        ... def square(x):
        ...     return x * x
        >>> square(3.0), square.grad(3.0), square.value_and_grad(3.0)
        (9.0, 6.0, (9.0, 6.0))
    """

    def __init__(self, func: Callable[..., Any], wrt: Wrt = 0):
        functools.update_wrapper(self, func)
        self.__s2s_function__ = func
        self._wrt = wrt

    def __call__(self, *args, **kwargs):
        return self.__s2s_function__(*args, **kwargs)

    def __get__(self, instance, owner=None):
        """A decorated method, read from an instance: its derivatives are the bound method's."""
        if instance is None:
            return self
        return Differentiated(types.MethodType(self.__s2s_function__, instance), self._wrt)

    @property
    def grad(self) -> Callable[..., Any]:
        """`s2s.grad` of the function, with the decorator's `wrt`."""
        return grad(self.__s2s_function__, self._wrt)

    @property
    def value_and_grad(self) -> Callable[..., tuple[Any, Any]]:
        """`s2s.value_and_grad` of the function, with the decorator's `wrt`."""
        return value_and_grad(self.__s2s_function__, self._wrt)

    @property
    def vjp(self) -> Callable[..., Any]:
        """`s2s.vjp` of the function, with the decorator's `wrt`."""
        return vjp(self.__s2s_function__, self._wrt)

    @property
    def source(self) -> str:
        """The generated source of the gradient (`s2s.source` of `.grad`)."""
        return source(self.grad)

    def __repr__(self):
        return f"<s2s.differentiate {self.__s2s_function__.__qualname__} wrt={self._wrt!r}>"


def differentiate(func: Callable[..., Any] | None = None, *,
                  wrt: Wrt = 0) -> Differentiated | Callable[[Callable[..., Any]], Differentiated]:
    """Decorator: `@differentiate` or `@differentiate(wrt=("w", "b"))`.

    The decorated function is called as before; its derivatives are the
    attributes `.grad`, `.value_and_grad` and `.vjp`, and `.source` is the
    gradient's generated code (see `Differentiated`).

        >>> @s2s.differentiate(wrt=("w", "b"))
        ... def loss(w, b, x):
        ...     return (w * x + b) ** 2
        >>> loss(2.0, 1.0, 3.0), loss.grad(2.0, 1.0, 3.0)
        (49.0, (42.0, 14.0))
    """
    if func is None:
        return lambda f: Differentiated(f, wrt)
    return Differentiated(func, wrt)
