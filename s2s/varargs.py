"""`*args` and `**kwargs` at the API: what a `wrt` index names, and the function a user calls.

Inside the pipeline `*xs` is a parameter that holds a tuple and `**opts` one
that holds a dict, so generated code keeps the signature of the function it
came from (`def grad_star(*xs)`). A positional `wrt` index at or past `*xs`
names an entry of it, written `xs[k]` (as autograd and JAX count: `wrt=0` of
`star(*xs)` is the first positional argument); a name `"xs[k]"` is accepted
too. The tuple `xs` is differentiated as a whole and the generated entry
function returns the entries asked for (`return d_xs[0]`).

A seed or tangent cannot follow `*xs` positionally in a `def`, so the
generated `vjp_f(*xs, d_out)` and `jvp_f(*xs, t_xs)` take them by keyword,
and `t_xs` is a tangent for the whole tuple. What `s2s.grad` (vjp, jvp, hvp)
returns takes f's arguments and then the seed, one tangent per `wrt` entry,
or the vector, positionally, as for any other function: the last positional
arguments are the directions; the tangent of an entry not differentiated is
zero. Wrong arguments raise the `TypeError` that binding them to f's
signature raises (it names the parameter), and a call with too few
positional arguments for an entry asked for names that entry.
"""
from __future__ import annotations

import inspect
import re

import numpy as np

from .calling import any_tree, fixer, floats, screen
from .errors import S2SError
from .runtime import zeros_like


def _star(func):
    """(index, name) of `func`'s `*args` parameter, or None."""
    for i, p in enumerate(inspect.signature(func).parameters.values()):
        if p.kind is p.VAR_POSITIONAL:
            return i, p.name
    return None


def has_star(func) -> bool:
    """Does `func` take `*args`?"""
    return _star(func) is not None


def has_var(func) -> bool:
    """Does `func` take `*args` or `**kwargs`?"""
    try:
        kinds = {p.kind for p in inspect.signature(func).parameters.values()}
    except (TypeError, ValueError):
        return False
    return bool(kinds & {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD})


def entry(func, w):
    """The `wrt` item `w` as `xs[k]` if it names entry k of `func`'s `*xs` (a positional index
    at or past `*xs`, or the text `"xs[k]"`), else None."""
    star = _star(func)
    if star is None:
        return None
    at, name = star
    if isinstance(w, int) and not isinstance(w, bool):
        if w < 0:
            raise S2SError(f"wrt={w}: `{func.__name__}` takes *{name}, so a negative index does not name one "
                           f"parameter; count from the first positional argument (wrt=0)")
        return f"{name}[{w - at}]" if w >= at else None
    if isinstance(w, str) and re.fullmatch(rf"{re.escape(name)}\[\d+\]", w):
        return w
    return None


def _parse(item):
    if item.endswith("]"):
        base, k = item[:-1].split("[")
        return base, int(k)
    return item, None


def values(func, items, args, kwargs):
    """The arguments the `wrt` items name, in a call `func(*args, **kwargs)`; a TypeError (naming
    the parameter) where the call does not bind or gives no value for an entry asked for."""
    sig = inspect.signature(func)
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError as exc:
        raise TypeError(f"{func.__name__}(): {exc}") from None
    bound.apply_defaults()
    out = []
    for item in items:
        base, k = _parse(item)
        if k is None:
            out.append(bound.arguments[base])
            continue
        rest = bound.arguments[base]
        if k >= len(rest):
            before = len(args) - len(rest)
            raise TypeError(f"{func.__name__}() is differentiated with respect to `{item}` (positional argument "
                            f"{before + k}), but got {len(args)} positional argument{'s' * (len(args) != 1)}")
        out.append(rest[k])
    return out


def wrap(made, func, items, single, mode):
    """What `s2s.grad` (value_and_grad, vjp, jvp) returns for a `func` with `*args` (see the module)."""
    fname = func.__name__
    whole = [i for i in items if any(j.startswith(i + "[") for j in items)]
    if whole:
        raise S2SError(f"wrt names `{whole[0]}` and an entry of it; ask for the whole tuple or for its entries")
    own = set(inspect.signature(func).parameters)
    directions = [p for p in inspect.signature(made).parameters if p not in own]  # the seed, or tangents per base
    bases = list(dict.fromkeys(_parse(i)[0] for i in items))
    count = {"vjp": 1, "jvp": len(items)}.get(mode, 0)
    fix = fixer(mode, single)
    params = inspect.signature(func).parameters.values()
    star_at, star_name = _star(func) if _star(func) else (None, None)
    # the seed of an s2s-made vjp (`vjp_f(*xs, d_out)`), not the tangent of its *xs (`t_xs`, a tuple)
    required = [p.name for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty
                and not p.name.endswith("_" + str(star_name))] \
        if (getattr(func, "__module__", None) or "").startswith("s2s_generated") else []

    def derivative(*args, **kwargs):
        given = ()
        by_name = {d: kwargs[d] for d in directions if d in kwargs}   # `d_out=u`, `t_xs=v`: given by name
        if by_name:
            kwargs = {k: v for k, v in kwargs.items() if k not in by_name}
            for d, v in by_name.items():   # the tangent of *xs is a tuple, one per entry, never an array
                if d.endswith("_" + str(star_name)) and not isinstance(v, (tuple, list)):
                    raise TypeError(f"{made.__name__}(): `{d}` is the tangent of the tuple *{star_name}: give a "
                                    f"tuple with one tangent per entry, or the tangents positionally")
        if count and not by_name:
            if len(args) < count:
                raise TypeError(f"{made.__name__}() takes the arguments of {fname}, then "
                                f"{'the seed' if mode == 'vjp' else f'{count} tangent(s)'}; got {len(args)} "
                                f"positional argument{'s' * (len(args) != 1)}")
            args, given = args[:len(args) - count], args[len(args) - count:]
        if required and star_at is not None and len(args) > star_at:
            # `vjp_f(*xs, d_out)`, made by s2s, called as its own wrapper is: the seed last, positionally
            missing = [p for p in required if p not in kwargs]
            if missing and len(args) - star_at >= len(missing):
                kwargs = {**kwargs, **dict(zip(missing, args[len(args) - len(missing):]))}
                args = args[:len(args) - len(missing)]
        points = values(func, items, args, kwargs)
        zero_d = [v if screen(v, item, fname) else None for v, item in zip(points, items)]
        extra = {}
        if by_name:
            extra = {d: floats(v, d, fname) for d, v in by_name.items()}
        elif mode == "vjp":
            extra[directions[0]] = floats(given[0], directions[0], fname)
        elif mode == "jvp":
            per = {item: floats(t, f"the tangent of {item}", fname) for item, t in zip(items, given)}
            star = _star(func)
            rest = values(func, [star[1]], args, kwargs)[0] if star else ()
            for base, t in zip(bases, directions):
                extra[t] = per[base] if base in per else tuple(
                    per[f"{base}[{k}]"] if f"{base}[{k}]" in per else zeros_like(v)
                    for k, v in enumerate(rest))
        out = made(*args, **kwargs, **extra)
        if mode == "jvp" and not any_tree(out[1]) or mode != "jvp" and all(z is None for z in zero_d) \
                and not any_tree(out[1] if mode == "value_and_grad" else out):
            return out
        return fix(out, zero_d, points)

    derivative.__name__ = made.__name__
    derivative.__qualname__ = made.__qualname__
    derivative.__doc__ = made.__doc__
    derivative.__module__ = made.__module__
    derivative.__signature__ = inspect.signature(made)
    derivative.__s2s_function__ = made
    return derivative


def hvp(func, items, single, tangent):
    """`g(*args, v, **kwargs) -> H @ v` for a `func` with `*args` or `**kwargs`, from `tangent`, the
    jvp of its gradient along the same `items`."""
    fix = fixer("grad", single)

    def hessian_vector_product(*args, **kwargs):
        if not args:
            raise TypeError(f"hvp of {func.__name__} takes its arguments and then a vector; got no positional argument")
        *primal, v = args
        v = floats(v)
        vs = (v,) if single else tuple(v)
        if len(vs) != len(items):
            raise TypeError(f"hvp of {func.__name__} with respect to {tuple(items)} takes a tuple of "
                            f"{len(items)} vectors, got {len(vs)}")
        out = tangent(*primal, *vs, **kwargs)[1]
        points = values(func, items, primal, kwargs)
        zero_d = [a if type(a) is np.ndarray and a.ndim == 0 else None for a in points]
        return fix(out, zero_d, points) if any(a is not None for a in zero_d) or any_tree(out) else out
    hessian_vector_product.__name__ = f"hvp_{func.__name__}"
    return hessian_vector_product
