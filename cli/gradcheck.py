"""`s2s check`: the generated derivative against numerical derivatives of the original function.

At each point (seeded random ones, or the ones given with `--at`) the
gradient s2s generates is compared, entry by entry, with central finite
differences of the user's own function, evaluated in float64 -- an oracle
that owes nothing to s2s. A function with an array output is reduced to a
scalar by a seeded random projection, and its vjp is checked.

Where the function also takes complex input (it evaluates without error and
returns a complex value), the complex step gives a derivative free of
cancellation error. It is wrong for code that uses abs, max or comparisons,
so it is shown only where it agrees with finite differences; the verdict
always comes from finite differences.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import inspect
import math
import warnings

import numpy as np

import s2s
from s2s.errors import S2SError

from .targets import CommandLine, definition, raised_in_user_code

MAX_ENTRIES = 64     # entries of one argument compared per point; larger arguments are sampled
STEP = 1e-6          # finite-difference step, relative to max(1, |x|)
COMPLEX_STEP = 1e-20


@dataclasses.dataclass
class Worst:
    error: float = 0.0
    where: str = ""


def parse_shapes(specs: list[str], params: list[str], cmd: CommandLine) -> dict:
    """`--shape x=3,4` (repeatable) -> {"x": (3, 4)}; `x=` is a Python float."""
    shapes = {}
    for spec in specs:
        name, eq, dims = spec.partition("=")
        name = name.strip()
        if not eq or name not in params:
            raise cmd.error(f"--shape takes NAME=DIMS with NAME one of {', '.join(params)}, got {spec!r}", spec,
                            ("--shape",), hint="for example --shape x=3,4")
        try:
            shapes[name] = tuple(int(d) for d in dims.replace("(", "").replace(")", "").split(",") if d.strip())
        except ValueError:
            raise cmd.error(f"--shape {name}: dimensions must be whole numbers separated by commas, got {dims!r}",
                            spec, ("--shape",), offset=len(name) + 1) from None
    return shapes


def parse_point(text: str, func, module_globals: dict, cmd: CommandLine, option: str = "--at") -> dict:
    """`--at "x=np.ones(3), y=2.0"` (or `option`): arguments as in a call, evaluated with np, math and the
    module's names."""
    params = list(inspect.signature(func).parameters)
    try:
        call = ast.parse(f"f({text})", mode="eval").body
    except SyntaxError as exc:
        raise cmd.error(f"{option}: {exc.msg}: write arguments as in a call, e.g. \"x=np.ones(3), y=2.0\"", text,
                        (option,), offset=max((exc.offset or 3) - 3, 0)) from None
    if not isinstance(call, ast.Call):
        raise cmd.error(f"{option}: write arguments as in a call, e.g. \"x=np.ones(3), y=2.0\"", text, (option,))
    namespace = dict(module_globals)
    namespace.update(np=np, numpy=np, math=math)
    given = [(params[i] if i < len(params) else None, node, node) for i, node in enumerate(call.args)]
    given += [(kw.arg, kw, kw.value) for kw in call.keywords]
    point = {}
    for name, where, node in given:
        offset = max(where.col_offset - 2, 0)
        if name is None or name not in params:
            raise cmd.error(f"{option}: {func.__name__} has no parameter {name!r}; its parameters are {', '.join(params)}"
                            if name else f"{option}: {func.__name__} takes only {len(params)} arguments",
                            text, (option,), offset=offset)
        if name in point:
            raise cmd.error(f"{option}: {name} is given twice", text, (option,), offset=offset)
        try:
            point[name] = eval(compile(ast.Expression(node), f"<{option}>", "eval"), namespace)  # noqa: S307
        except Exception as exc:  # noqa: BLE001 -- the user's expression
            raise cmd.error(f"{option}: cannot evaluate {ast.unparse(node)!r}: {type(exc).__name__}: {exc}",
                            text, (option,), offset=offset) from None
    return point


def _copy(args):
    return [copy.deepcopy(a) for a in args]


@contextlib.contextmanager
def _quiet():
    """NumPy floating-point warnings and complex-to-real casts are expected while probing."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _random_value(shape, rng, positive):
    magnitude = rng.uniform(0.5, 1.5, size=shape)
    if not positive:
        magnitude = magnitude * rng.choice([-1.0, 1.0], size=shape)
    return float(magnitude) if shape is None else magnitude


def random_points(func, wrt, shapes, count, rng, fixed=None):
    """`count` points. A parameter in `fixed` (from --at) keeps its value; one not in `wrt` that has
    a default keeps its default; the others get values of random sign and magnitude in [0.5, 1.5)
    (shaped by --shape, else a Python float). Where the function fails or is not finite at such a
    point, all-positive values are tried instead."""
    fixed = fixed or {}
    points = []
    for _ in range(count):
        for positive in (False, True):
            point = {}
            for name, p in inspect.signature(func).parameters.items():
                if name in fixed:
                    point[name] = fixed[name]
                elif name in wrt or p.default is inspect.Parameter.empty:
                    point[name] = _random_value(shapes.get(name), rng, positive)
            try:
                with _quiet():
                    out = func(*_arguments(func, _copy_point(point)))
            except Exception as exc:  # noqa: BLE001 -- whatever the user's function raises
                if positive:
                    error = raised_in_user_code(exc, f"{func.__name__} raised at a random point ({_show(point)}):")
                    error.hint = "give shapes with --shape NAME=DIMS, or values with --at \"NAME=...\""
                    raise error from None
                continue
            if _finite(out):
                break
            if positive:
                raise S2SError(f"{func.__name__} is not finite at the random point ({_show(point)})",
                               definition(func), hint="give a point with --at \"NAME=...\", or shapes with --shape NAME=DIMS")
        points.append(point)
    return points


def _copy_point(point):
    return {k: copy.deepcopy(v) for k, v in point.items()}


def _finite(value) -> bool:
    try:
        return bool(np.all(np.isfinite(value)))
    except TypeError:
        return True


def _arguments(func, point):
    args = []
    for name, p in inspect.signature(func).parameters.items():
        if name in point:
            args.append(point[name])
        elif p.default is not inspect.Parameter.empty:
            args.append(p.default)
        else:
            raise S2SError(f"no value for {name}: give it with --at \"{name}=...\"")
    return args


def _show(point) -> str:
    def one(v):
        if isinstance(v, (list, tuple, dict)):   # (a tree: its arrays' shapes may differ)
            return f"{type(v).__name__} of {len(v)}"
        if np.ndim(v) == 0:
            return f"{float(np.real(v)):.6g}" if isinstance(v, (float, np.floating)) else repr(v)
        return f"array of shape {np.shape(v)}"
    return ", ".join(f"{k}={one(v)}" for k, v in point.items())


def check(func, wrt: list[str], points: list[dict], tol: float, rng, out):
    """Compare at every point; print a report to `out`; True when all agree within `tol`."""
    params = list(inspect.signature(func).parameters)
    worst = {p: Worst() for p in wrt}
    worst_cs = {p: Worst() for p in wrt}
    complex_ok = {p: True for p in wrt}   # consistent with finite differences wherever it applied
    complex_used = {p: False for p in wrt}
    projected = False
    with _quiet():  # NumPy warnings at probe points are expected
        for k, point in enumerate(points):
            args = _arguments(func, point)
            try:
                value = func(*_copy(args))
            except Exception as exc:  # noqa: BLE001
                raise raised_in_user_code(exc, f"{func.__name__} raised at point {k + 1} ({_show(point)}):") from None
            if not _finite(value):
                raise S2SError(f"{func.__name__} is not finite at point {k + 1} ({_show(point)})",
                               definition(func), hint="check at a point where it is: --at \"NAME=...\"")
            if np.ndim(value) == 0:
                weights = None
                derivative = s2s.grad(func, wrt=tuple(wrt))(*_copy(args))
            else:
                weights = rng.standard_normal(np.shape(value))
                projected = True
                derivative = s2s.vjp(func, wrt=tuple(wrt))(*_copy(args), weights)

            def scalar(*a):
                v = func(*a)
                return v if weights is None else np.sum(weights * v)

            f0 = abs(complex(scalar(*_copy(args))))
            for p, g in zip(wrt, derivative):
                i = params.index(p)
                try:
                    fd, cs, g_entries, where = _numerical_tree(scalar, args, i, g, rng)
                except Exception as exc:  # noqa: BLE001 -- the user's function, at a nearby point
                    raise raised_in_user_code(exc, f"{func.__name__} raised near point {k + 1} ({_show(point)}):") \
                        from None
                scale = max(np.max(np.abs(g_entries), initial=0.0), np.max(np.abs(fd), initial=0.0),
                            1e-4 * max(1.0, f0))
                error = np.nan_to_num(np.abs(g_entries - fd) / scale, nan=np.inf)  # NaN: a mismatch
                if error.size and error.max() > worst[p].error:
                    j = int(np.argmax(error))
                    worst[p] = Worst(float(error.max()), f"point {k + 1} ({_show(point)}), entry {where[j]}: "
                                     f"s2s {g_entries[j]:.10g}, finite differences {fd[j]:.10g}")
                if cs is not None:
                    complex_used[p] = True
                    if error.size and np.max(np.abs(cs - fd)) / scale > tol:
                        complex_ok[p] = False
                    else:
                        e = float(np.max(np.abs(g_entries - cs) / max(scale, np.max(np.abs(cs), initial=0.0))))
                        worst_cs[p].error = max(worst_cs[p].error, e)
    width = max(len(p) for p in wrt + ["argument"])
    print(f"  {'argument':<{width}}  finite differences  complex step", file=out)
    agree = True
    notes = []
    for p in wrt:
        ok = worst[p].error <= tol
        agree &= ok
        if not complex_used[p]:
            cs_text = "n/a"
        elif not complex_ok[p]:
            cs_text = "unreliable"
            notes.append(f"  {p}: the complex step disagrees with finite differences (abs, max or a comparison?); "
                         "it is not used")
        else:
            cs_text = f"{worst_cs[p].error:.1e}"
        print(f"  {p:<{width}}  {worst[p].error:<18.1e}  {cs_text:<12}  {'ok' if ok else 'MISMATCH'}", file=out)
        if not ok:
            notes.append(f"  {p}: worst at {worst[p].where}")
    if projected:
        notes.append("  (the output is an array: the vjp along a seeded random vector is checked)")
    for note in notes:
        print(note, file=out)
    return agree


class _Field(str):
    """A step of a path in a tree that is a dataclass field (`.w`), not a key or an index (`['w']`)."""


def _is_tree(x) -> bool:
    return isinstance(x, (dict, list, tuple)) or (dataclasses.is_dataclass(x) and not isinstance(x, type))


def _leaves(x, path=()):
    """(path, leaf) for each number or array in a tree of dicts, lists, tuples and dataclasses."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        for f in dataclasses.fields(x):
            yield from _leaves(getattr(x, f.name), path + (_Field(f.name),))
    elif isinstance(x, dict):
        for k in x:
            yield from _leaves(x[k], path + (k,))
    elif isinstance(x, (list, tuple)):
        for k, v in enumerate(x):
            yield from _leaves(v, path + (k,))
    else:
        yield path, x


def _at(x, path):
    for k in path:
        x = getattr(x, k) if isinstance(k, _Field) else x[k]
    return x


def _with_leaf(x, path, leaf):
    """A copy of the tree `x` with the leaf at `path` replaced."""
    if not path:
        return leaf
    k, rest = path[0], path[1:]
    if isinstance(k, _Field):
        out = copy.copy(x)
        object.__setattr__(out, k, _with_leaf(getattr(x, k), rest, leaf))   # a frozen dataclass too
        return out
    if isinstance(x, dict):
        return {**x, k: _with_leaf(x[k], rest, leaf)}
    items = [_with_leaf(v, rest, leaf) if j == k else v for j, v in enumerate(x)]
    return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)


def _label(path) -> str:
    return "".join(f".{k}" if isinstance(k, _Field) else f"[{k!r}]" for k in path)


def _numerical_tree(scalar, args, i, g, rng):
    """`_numerical` for each leaf of a tree argument (a dict, list, tuple or dataclass of arrays), its
    entries named by their path in the tree."""
    if not _is_tree(args[i]):
        return _numerical(scalar, args, i, g, rng)
    parts = []
    for path, leaf in _leaves(args[i]):
        def at_leaf(*a, path=path):
            a = list(a)
            a[i] = _with_leaf(args[i], path, a[i])
            return scalar(*a)
        leaf_args = list(args)
        leaf_args[i] = leaf
        fd, cs, g_entries, where = _numerical(at_leaf, leaf_args, i, _at(g, path), rng)
        label = _label(path)
        parts.append((fd, cs, g_entries, [label + w if w != "()" else label for w in where]))
    complex_applies = all(cs is not None for _, cs, _, _ in parts)
    return (np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]) if complex_applies and parts else None,
            np.concatenate([p[2] for p in parts]), [w for p in parts for w in p[3]])


def _numerical(scalar, args, i, g, rng):
    """Central differences (and the complex step where it applies) of `scalar` in argument `i`."""
    x = args[i]
    shape = np.shape(x)
    indices = list(np.ndindex(shape)) if shape else [()]
    if len(indices) > MAX_ENTRIES:
        chosen = rng.choice(len(indices), size=MAX_ENTRIES, replace=False)
        indices = [indices[j] for j in sorted(chosen)]
    g = np.asarray(g, dtype=complex if np.iscomplexobj(g) else float)
    base = np.asarray(x, dtype=float)
    fd, cs = [], []
    complex_applies = True
    for index in indices:
        h = STEP * max(1.0, abs(float(base[index])))
        values = []
        for sign in (1.0, -1.0):
            shifted = _copy(args)
            shifted[i] = _shift(x, base, index, sign * h)
            values.append(scalar(*shifted))
        fd.append(float(np.real(values[0] - values[1])) / (2 * h))
        if complex_applies:
            shifted = _copy(args)
            shifted[i] = _shift(x, base.astype(complex), index, 1j * COMPLEX_STEP)
            try:
                value = scalar(*shifted)
            except Exception:  # noqa: BLE001 -- math.sin(complex), int(complex), ...
                value = None
            if value is None or not np.iscomplexobj(value):
                complex_applies = False
            else:
                cs.append(float(np.imag(value)) / COMPLEX_STEP)
    g_entries = np.array([float(np.real(g[index])) if g.shape else float(np.real(g)) for index in indices])
    where = [str(index) if index else "()" for index in indices]
    return np.array(fd), (np.array(cs) if complex_applies else None), g_entries, where


def _shift(x, base, index, delta):
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return (float(x) if not np.iscomplexobj(base) else complex(x)) + delta
    y = base.copy()
    y[index] += delta
    return y
