"""Our stand-ins for `autograd.test_util`: the same names and signatures, checking s2s.

``check_grads(fun, argnum=0, modes=("fwd", "rev"), order=2)(*args, **kwargs)`` checks
s2s's derivatives of ``fun`` with respect to argument(s) ``argnum`` at ``args``
against central finite differences, as autograd's does for autograd:

- ``rev``: ``s2s.vjp`` with a random seed ``u`` shaped like the output, paired with a
  random direction ``v`` shaped like the argument(s): ``<v, vjp(u)>`` must equal
  ``<u, (f(x + e v/2) - f(x - e v/2)) / e>``;
- ``fwd``: ``s2s.jvp`` with tangent ``v``: its output tangent must equal the finite
  difference along ``v`` (compared through a random inner product), and its value
  must be ``f(x)``;
- ``order=2``: the same first-order checks of the function ``s2s.vjp`` made (with
  respect to the argument(s) and the seed) and of the one ``s2s.jvp`` made (with
  respect to the argument(s) and the tangent(s); its output is the pair
  ``(value, tangent)``): s2s differentiates its own generated code.

Arguments are trees (floats, arrays, lists, tuples, dicts). Random directions come
from a private generator seeded per call, so a run is deterministic. A function
that is not a Python ``def`` (``np.sin``, ``scipy.stats.norm.pdf``, a
``functools.partial``) is given to s2s as a one-line ``def`` that calls it, with the
keyword arguments of the call written in when they are constants (``axis=0``):
s2s differentiates source, and this is the smallest source that says "this call".
"""
from __future__ import annotations

import inspect
import itertools
import linecache

import numpy as np

import s2s

TOL = 1e-6   # absolute and relative tolerance on one inner product (autograd's)
EPS = 1e-6   # central-difference step along a random direction (autograd's)
SEED = 0
CHECKS = [0]  # first-order checks that passed in the current test (the plugin resets it)


class WrongDerivative(AssertionError):
    """s2s returned a derivative that differs from finite differences."""

    def __init__(self, mode: str, order: int, name: str, exact, numeric):
        self.mode, self.order = mode, order
        super().__init__(f"{mode} check (derivative order {order}) of {name} failed: "
                         f"s2s gives {exact!r}, finite differences {numeric!r}")


class WrongStructure(AssertionError):
    """s2s returned a derivative whose tree or shapes differ from its argument's (or output's)."""


def scalar_close(a, b) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(a) + abs(b))


# ---- trees of floats and arrays ------------------------------------------------------------------

def _leaves(x):
    if isinstance(x, dict):
        return [leaf for k in x for leaf in _leaves(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in _leaves(item)]
    return [x]


def _rebuild(template, leaves):
    """A tree shaped like `template` holding the next values of the iterator `leaves`."""
    if isinstance(template, dict):
        return type(template)((k, _rebuild(template[k], leaves)) for k in template)
    if isinstance(template, (list, tuple)):
        items = [_rebuild(item, leaves) for item in template]
        return type(template)(*items) if hasattr(template, "_fields") else type(template)(items)
    return next(leaves)


def _map(fn, *trees):
    columns = zip(*(_leaves(t) for t in trees))
    return _rebuild(trees[0], iter([fn(*c) for c in columns]))


def _randn_like(x, rng):
    def one(leaf):
        shape = np.shape(leaf)
        return rng.randn(*shape) if shape else float(rng.randn())
    return _map(one, x)


def _inner(a, b, error=AssertionError) -> float:
    """The inner product of two trees of the same structure (else `error`)."""
    la, lb = _leaves(a), _leaves(b)
    if len(la) != len(lb):
        raise error(f"tree mismatch: {_structure(a)} against {_structure(b)}")
    total = 0.0
    for p, q in zip(la, lb):
        if p is None or q is None:
            raise error(f"a derivative is None where a value was expected ({p!r}, {q!r})")
        if np.shape(p) != np.shape(q):
            raise error(f"shape mismatch: {np.shape(p)} against {np.shape(q)}")
        total += float(np.sum(np.real(np.asarray(p, dtype=complex) * np.asarray(q, dtype=complex)))
                       if np.iscomplexobj(p) or np.iscomplexobj(q) else np.sum(np.asarray(p, float) * np.asarray(q, float)))
    return total


def _structure(tree) -> str:
    """`(list[float, float], array(3,))`: a tree's containers and leaf shapes."""
    if isinstance(tree, dict):
        return "{" + ", ".join(f"{k!r}: {_structure(v)}" for k, v in tree.items()) + "}"
    if isinstance(tree, (list, tuple)):
        inner = ", ".join(_structure(v) for v in tree)
        return f"{type(tree).__name__}[{inner}]" if isinstance(tree, list) else f"({inner})"
    return f"array{np.shape(tree)}" if isinstance(tree, np.ndarray) else type(tree).__name__


def check_equivalent(x, y):
    """Same tree, same shapes, equal values (through a random inner product, as autograd)."""
    lx, ly = _leaves(x), _leaves(y)
    assert len(lx) == len(ly), f"tree mismatch:\nx: {x!r}\ny: {y!r}"
    for p, q in zip(lx, ly):
        assert np.shape(p) == np.shape(q), f"shape mismatch: {np.shape(p)} against {np.shape(q)}"
    v = _randn_like(x, np.random.RandomState(SEED))
    assert scalar_close(_inner(x, v), _inner(y, v)), f"value mismatch:\nx: {x!r}\ny: {y!r}"


# ---- the function s2s differentiates --------------------------------------------------------------

_SEARCHED = ("numpy", "numpy.linalg", "numpy.fft", "math", "operator", "scipy.special", "scipy.stats",
             "scipy.linalg", "scipy.signal", "scipy.integrate")
_ALIASES = {"numpy": "np"}


def _spelling(obj):
    """How source would name `obj` (`np.sin`, `scipy.stats.norm.pdf`), or None."""
    import importlib

    target, method = obj, None
    if inspect.ismethod(obj) and not inspect.isclass(obj.__self__):
        target, method = obj.__self__, obj.__name__
    for module_name in _SEARCHED:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name, value in vars(module).items():
            if value is target and not name.startswith("_"):
                text = f"{_ALIASES.get(module_name, module_name)}.{name}"
                return text + (f".{method}" if method else "")
    return None


_LITERALS = (type(None), bool, int, str)
_DEFS: dict = {}  # (source, id of the callee when it is not named by a module) -> (def, callee)


def _literal(value) -> bool:
    if isinstance(value, tuple):
        return all(_literal(v) for v in value)
    return isinstance(value, _LITERALS) and not isinstance(value, np.generic)


def _as_def(fun, args, kwargs, argnum):
    """A one-line Python `def` calling the non-Python callable `fun` as this call does.

    Returns (function, positional arguments, keyword arguments, argnum); constant
    keyword arguments and string positional arguments outside `argnum` are written in."""
    import importlib

    wrt = set(argnum) if isinstance(argnum, (tuple, list)) else {argnum}
    spelling = _spelling(fun)
    namespace = {"np": np}
    if spelling is None:
        spelling = "_callee"
        namespace["_callee"] = fun
    elif spelling.startswith("scipy."):
        importlib.import_module(".".join(spelling.split(".")[:2]))  # scipy.special: loaded, an attribute of scipy
        namespace["scipy"] = importlib.import_module("scipy")
    elif not spelling.startswith("np."):
        namespace[spelling.split(".")[0]] = importlib.import_module(spelling.split(".")[0])
    params, call, new_args, positions = [], [], [], {}
    for i, a in enumerate(args):
        if isinstance(a, str) and i not in wrt:
            call.append(repr(a))
            continue
        positions[i] = len(params)
        params.append(f"x{i}")
        call.append(f"x{i}")
        new_args.append(a)
    for k, v in kwargs.items():
        if _literal(v):
            call.append(f"{k}={v!r}")
        else:
            params.append(k)
            call.append(f"{k}={k}")
            new_args.append(v)
    label = spelling.split(".")[-1] if spelling != "_callee" else getattr(fun, "__name__", "callee")
    name = "call_" + "".join(c if c.isalnum() else "_" for c in label)
    source = f"def {name}({', '.join(params)}):\n    return {spelling}({', '.join(call)})\n"
    key = (source, id(fun) if spelling == "_callee" else None)
    if key not in _DEFS:  # one def per call shape, so s2s's cache serves the next call
        filename = f"<autograd_suite {name} {len(_DEFS)}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
        _DEFS[key] = (namespace[name], fun)
    new_argnum = tuple(positions[i] for i in argnum) if isinstance(argnum, (tuple, list)) else positions[argnum]
    return _DEFS[key][0], new_args, {}, new_argnum


def _has_star(fun) -> bool:
    params = inspect.signature(fun).parameters.values()
    return any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)


def _tangents_by_name(fun, args, wrt, names, vs):
    """{tangent name: value} for the jvp of a *xs function: `t_xs` is a tuple with one tangent
    per entry of xs (zeros where not differentiated), the tangent of a named parameter its own."""
    params = list(inspect.signature(fun).parameters.values())
    star_at = next(i for i, p in enumerate(params) if p.kind is p.VAR_POSITIONAL)
    per = dict(zip(wrt, vs))
    bases = list(dict.fromkeys(params[min(i, star_at)].name for i in wrt))
    out = {}
    for base, name in zip(bases, names):
        if base == params[star_at].name:
            out[name] = tuple(per.get(k, np.zeros_like(np.asarray(a, float)) if np.shape(a) else 0.0)
                              for k, a in enumerate(args) if k >= star_at)
        else:
            out[name] = per[next(i for i in wrt if params[i].name == base)]
    return out


def _python_function(fun) -> bool:
    return inspect.isfunction(getattr(fun, "__s2s_function__", fun))


def _bind(fun, args, kwargs):
    """`args`/`kwargs` as the positional list of `fun`'s parameters (defaults filled in) and
    the keyword-only rest, when `fun` has no `*args`/`**kwargs`; else as given."""
    sig = inspect.signature(fun)
    kinds = {p.kind for p in sig.parameters.values()}
    if inspect.Parameter.VAR_POSITIONAL in kinds or inspect.Parameter.VAR_KEYWORD in kinds:
        return list(args), dict(kwargs)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    positional, keyword = [], {}
    for name, p in sig.parameters.items():
        if p.kind is p.KEYWORD_ONLY:
            keyword[name] = bound.arguments[name]
        else:
            positional.append(bound.arguments[name])
    return positional, keyword


# ---- the checks -------------------------------------------------------------------------------------

def _directions(made, fun):
    own = set(inspect.signature(getattr(fun, "__s2s_function__", fun)).parameters)
    return [p for p in inspect.signature(made).parameters if p not in own]


def _point(args, kwargs, argnum):
    """The value(s) differentiated: argnum holds positions in `args` and names in `kwargs`."""
    def one(i):
        return kwargs[i] if isinstance(i, str) else args[i]
    return tuple(one(i) for i in argnum) if isinstance(argnum, tuple) else one(argnum)


def _at(fun, args, kwargs, argnum, x):
    new, named = list(args), dict(kwargs)
    for i, xi in zip(argnum, x) if isinstance(argnum, tuple) else [(argnum, x)]:
        if isinstance(i, str):
            named[i] = xi
        else:
            new[i] = xi
    return fun(*new, **named)


def _numeric_jvp(fun, args, kwargs, argnum, v):
    x = _point(args, kwargs, argnum)
    plus = _at(fun, args, kwargs, argnum, _map(lambda a, d: a + d * (EPS / 2), x, v))
    minus = _at(fun, args, kwargs, argnum, _map(lambda a, d: a - d * (EPS / 2), x, v))
    return _map(lambda p, m: (np.asarray(p, float) - np.asarray(m, float)) / EPS if np.shape(p) else (p - m) / EPS,
                plus, minus)


def _name(fun):
    return getattr(fun, "__name__", repr(fun))


def _check_rev(fun, args, kwargs, argnum, order, rng):
    made = s2s.vjp(fun, wrt=argnum)
    (seed,) = _directions(made, fun)
    y = fun(*args, **kwargs)
    x = _point(args, kwargs, argnum)
    u, v = _randn_like(y, rng), _randn_like(x, rng)
    cotangent = made(*args, **kwargs, **{seed: u})
    exact = _inner(v, cotangent, WrongStructure)
    numeric = _inner(u, _numeric_jvp(fun, args, kwargs, argnum, v))
    if not scalar_close(exact, numeric):
        raise WrongDerivative("rev (vjp)", order, _name(fun), exact, numeric)
    CHECKS[0] += 1
    return made, seed, u


def _check_fwd(fun, args, kwargs, argnum, order, rng):
    made = s2s.jvp(fun, wrt=argnum)
    tangents = _directions(made, fun)
    x = _point(args, kwargs, argnum)
    v = _randn_like(x, rng)
    vs = v if isinstance(argnum, tuple) else (v,)
    if _has_star(fun):  # one tangent per wrt entry, positionally (by name, `t_xs` is one for the whole *xs)
        value, tangent = made(*args, *vs, **kwargs)
    else:
        value, tangent = made(*args, **kwargs, **dict(zip(tangents, vs)))
    expected = fun(*args, **kwargs)
    for p, q in zip(_leaves(value), _leaves(expected)):
        if np.shape(p) != np.shape(q) or not np.allclose(p, q, rtol=TOL, atol=TOL, equal_nan=True):
            raise WrongDerivative("fwd (jvp) value", order, _name(fun), value, expected)
    numeric = _numeric_jvp(fun, args, kwargs, argnum, v)
    w = _randn_like(numeric, rng)
    if not scalar_close(_inner(tangent, w, WrongStructure), _inner(numeric, w)):
        raise WrongDerivative("fwd (jvp)", order, _name(fun), tangent, numeric)
    CHECKS[0] += 1
    return made, tangents, vs


def _check(fun, args, kwargs, argnum, modes, order, depth, rng):
    if isinstance(argnum, list):
        argnum = tuple(argnum)
    if not _python_function(fun):
        fun, args, kwargs, argnum = _as_def(fun, args, kwargs, argnum)
    else:
        args, kwargs = _bind(fun, args, kwargs)
    wrt = argnum if isinstance(argnum, tuple) else (argnum,)
    # The directions of a derivative follow f's parameters; after a *args they are keyword-only,
    # so they are passed, and differentiated, by name.
    by_name = _has_star(fun)
    if "fwd" in modes:
        made, tangents, vs = _check_fwd(fun, args, kwargs, argnum, depth, rng)
        if order > 1:
            if by_name:
                named = _tangents_by_name(fun, args, wrt, tangents, vs)
                _check(made, list(args), {**kwargs, **named}, wrt + tuple(named), modes, order - 1, depth + 1, rng)
            else:
                inner = list(args) + list(vs)
                positions = wrt + tuple(range(len(args), len(args) + len(vs)))
                _check(made, inner, kwargs, positions, modes, order - 1, depth + 1, rng)
    if "rev" in modes:
        made, seed, u = _check_rev(fun, args, kwargs, argnum, depth, rng)
        if order > 1:
            if by_name:
                _check(made, list(args), {**kwargs, seed: u}, wrt + (seed,), modes, order - 1, depth + 1, rng)
            else:
                _check(made, list(args) + [u], kwargs, wrt + (len(args),), modes, order - 1, depth + 1, rng)


def check_grads(fun, argnum=0, modes=None, order=2):
    """autograd's signature: `check_grads(fun, argnum=0, modes=["fwd", "rev"], order=2)(*args, **kwargs)`."""
    modes = ("fwd", "rev") if modes is None else tuple(modes)
    assert all(m in ("fwd", "rev") for m in modes), modes

    def checker(*args, **kwargs):
        _check(fun, list(args), dict(kwargs), argnum, modes, order, 1, np.random.RandomState(SEED))
    checker.__name__ = f"check_grads_of_{_name(fun)}"
    return checker


def combo_check(fun, *args, **kwargs):
    """check_grads at every combination of the given argument and keyword values."""
    def combos(*arg_values, **kwarg_values):
        keys = list(kwarg_values)
        for point in itertools.product(*arg_values):
            for values in itertools.product(*(kwarg_values[k] for k in keys)):
                check_grads(fun, *args, **kwargs)(*point, **dict(zip(keys, values)))
    return combos
