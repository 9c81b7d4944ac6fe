"""The thin layer between a user's call and the generated code it runs.

What `s2s.grad` (and `value_and_grad`, `vjp`, `jvp`) returns is a small
function with exactly the generated function's signature, so wrong arguments
fail as they would on the original. Before the generated code runs it looks
at the arguments differentiated with respect to, and nothing else:

- an integer or boolean value (a Python `int` or `bool`, a NumPy integer or
  bool scalar, an integer or bool array, or such a value inside a list,
  tuple or dict) raises `IntegerArgumentError`: derivatives are taken at
  floating-point values, and an integer point would silently give integer
  arithmetic or a derivative of the wrong type;
- a complex value (a Python or NumPy complex, a complex array, or one inside
  a list, tuple or dict) raises `ComplexArgumentError`: s2s differentiates
  real values only. Complex arrays and numbers are refused in the other
  arguments too (one type test each; not inside containers), as they could
  enter the differentiated computation, and as seeds and tangents;
- a 0-d array makes its gradient a 0-d array too: NumPy turns most
  operations on 0-d arrays into NumPy scalars, so the generated code
  returns one (reverse mode only; a tangent has the type of the output);
- a tree (lists, tuples, dicts, namedtuples, dataclasses) gets a gradient
  of its own types and structure (`s2s.trees.plain`): the containers of
  cotangents that generated code builds never reach the user.

Seeds (`vjp`) and tangents (`jvp`, `hvp`) are directions, not points: an
integer one is converted to float (`1` -> `1.0`, an int array -> float64).

An array of another library (dask, CuPy: one NumPy's functions hand over
through `__array_function__`) is checked by its dtype as an ndarray is, and
passed on as it is: never converted to a NumPy array, nor computed.

A Python float argument costs one `type(x) is float` test; any other value
one call of `screen`. The generated code itself is unchanged, and `unwrap`
(`__s2s_function__`) gives it back, so `s2s.grad(s2s.grad(f))`
differentiates the generated code, not this layer.
"""
from __future__ import annotations

import ast
import inspect

import numpy as np

from .errors import ComplexArgumentError, IntegerArgumentError, S2SError
from .guards import READS as GUARD_READS, guard
from .load import source_filename
from .runtime import foreign_array
from .transforms.known_values import TREES, ComplexTree, TreeKey, array_of_key, tree_key
from .trees import needs_plain, plain

_INTEGER_KINDS = "iub"   # NumPy dtype kinds: signed, unsigned, bool
_FLOATING = frozenset({float, np.float64, np.float32, np.float16})  # scalar types that pass as they are


def screen(value, name: str, fname: str) -> bool:
    """Raise `IntegerArgumentError` if `value` (argument `name` of `fname`) is an integer or
    bool, or holds one; return whether it is a 0-d array."""
    _check(value, name, name, fname)
    return type(value) is np.ndarray and value.ndim == 0


def _check(value, where, name, fname):
    if isinstance(value, float):  # NumPy float64 too
        return
    if _is_array(value):
        if isinstance(value, np.matrix):   # (its `*` is a matrix product, its `**` a matrix power)
            raise S2SError(f"`{fname}` was given an np.matrix for `{name}`" + ("" if where == name else f" at `{where}`")
                           + ": s2s differentiates arrays, whose `*` multiplies entry by entry",
                           hint=f"pass `np.asarray({where})` (and write `@` for matrix products)")
        if value.dtype.kind in _INTEGER_KINDS:
            raise _integer_error(value, where, name, fname)
        if value.dtype.kind == "c":
            raise complex_error(value, where, name, fname)
    elif isinstance(value, (int, np.integer, np.bool_)):  # bool is an int
        raise _integer_error(value, where, name, fname)
    elif isinstance(value, (complex, np.complexfloating)):
        raise complex_error(value, where, name, fname)
    elif isinstance(value, (list, tuple, dict)):
        for key, item in (value.items() if isinstance(value, dict) else enumerate(value)):
            if not isinstance(item, float):
                _check(item, f"{where}[{key!r}]", name, fname)


def _integer_error(value, where, name, fname):
    if _is_array(value):
        what, fix = f"an array of dtype {value.dtype}", f"pass `{where}.astype(float)`"
    else:
        kind = type(value).__name__ if type(value) in (int, bool) else f"numpy.{type(value).__name__}"
        plain = value.item() if isinstance(value, np.generic) else value
        what, fix = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} ({plain!r})", f"pass a float, e.g. `{float(value)!r}`"
    inside = "" if where == name else f" holds {what} at `{where}`"
    message = (f"cannot differentiate `{fname}` with respect to `{name}`: "
               + (f"`{name}`{inside}" if inside else f"it is {what}")
               + "; derivatives are taken at floating-point values")
    return IntegerArgumentError(message, hint=f"{fix} instead")


def complex_error(value, where, name, fname):
    what = f"an array of dtype {value.dtype}" if _is_array(value) else f"a complex number ({value!r})"
    inside = "" if where == name else f" at `{where}`"
    return ComplexArgumentError(f"`{fname}` was given {what} for `{name}`{inside}; s2s differentiates real values "
                                f"only (complex differentiation is not supported yet)",
                                hint="pass real arrays, e.g. the real and imaginary parts as separate float arguments")


def no_complex(value, name, fname, where=None):
    """Raise `ComplexArgumentError` if `value` (a non-wrt argument `name`) is a complex number or
    array, or a list, tuple or dict that holds one."""
    where = where or name
    if isinstance(value, (complex, np.complexfloating)) or _is_array(value) and value.dtype.kind == "c":
        raise complex_error(value, where, name, fname)
    if isinstance(value, np.matrix):
        _check(value, where, name, fname)
    if isinstance(value, (list, tuple, dict)):
        for k, v in (value.items() if isinstance(value, dict) else enumerate(value)):
            no_complex(v, name, fname, f"{where}[{k!r}]")


def floats(value, name="the direction", fname=""):
    """A seed or tangent with integers (anywhere in lists, tuples and dicts) as floats; complex ones raise."""
    if isinstance(value, (complex, np.complexfloating)) or _is_array(value) and value.dtype.kind == "c":
        raise complex_error(value, name, name, fname)
    if _is_array(value):
        return value.astype(float) if value.dtype.kind in _INTEGER_KINDS else value
    if isinstance(value, float):
        return value
    if isinstance(value, (int, np.integer, np.bool_)):
        return float(value)
    if isinstance(value, dict):
        return type(value)((k, floats(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        items = [floats(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    return value


def _is_array(value):
    """A NumPy array, or an array of another library."""
    return isinstance(value, np.ndarray) or foreign_array(value)


def as_0d(gradient, argument):
    """`gradient` as a 0-d array like the 0-d array `argument` (NumPy gave a scalar)."""
    if type(gradient) is np.ndarray:
        return gradient
    return np.asarray(gradient, argument.dtype if argument.dtype.kind == "f" else None)


def fixer(mode: str, single: bool, has_aux: bool = False):
    """The function `fix(out, zero_d, args)` that gives each gradient in a result of `mode` the
    0-d shape of its argument (`zero_d`: the argument where it is a 0-d array, else None), and
    the type and structure of its argument where that is a tree (`s2s.trees.plain`)."""
    def one(g, zero, arg):
        if zero is not None:
            return as_0d(g, zero)
        return plain(g, arg) if needs_plain(g, arg) else g

    def gradients(out, zero_d, args):
        if single:
            return one(out, zero_d[0], args[0])
        return tuple(one(g, z, a) for g, z, a in zip(out, zero_d, args))
    if mode == "jvp":
        return lambda out, zero_d, args: (out[0], plain(out[1], out[0])) if needs_plain(out[1]) else out
    if mode == "value_and_grad":
        return lambda out, zero_d, args: (out[0], gradients(out[1], zero_d, args))
    if has_aux:  # grad and vjp: (gradients, aux)
        return lambda out, zero_d, args: (gradients(out[0], zero_d, args), out[1])
    return gradients


def gradient_part(mode: str, has_aux: bool) -> str:
    """Where the gradients are in the result of a generated function of `mode`, as an index suffix."""
    return "[1]" if mode in ("value_and_grad", "jvp") else "[0]" if has_aux else ""


def typed_like_inner(made, fix_output, inner):
    """`made`, a jvp of a derivative s2s made (whose parameters are `inner`), with its value typed
    as that derivative returns it (a list for a list argument, a float for a float: its
    `__s2s_output__`, `fix_output`), and its tangent typed like that value."""
    outer = inspect.signature(made)

    def typed(*args, **kwargs):
        value, tangent = made(*args, **kwargs)
        bound = outer.bind(*args, **kwargs)
        bound.apply_defaults()
        fixed = fix_output(value, {p: bound.arguments[p] for p in inner})
        if fixed is value:
            return value, tangent
        if type(fixed) is np.ndarray and fixed.ndim == 0:
            return fixed, as_0d(tangent, fixed)
        return fixed, plain(tangent, fixed)
    typed.__signature__ = outer
    for attribute in ("__name__", "__qualname__", "__doc__", "__module__", "__s2s_function__"):
        setattr(typed, attribute, getattr(made, attribute))
    return typed


def any_tree(out) -> bool:
    """Does `out` (one gradient, or a tuple of them) hold a container of cotangents? Arrays and
    numbers are answered first: asking whether an array is a dataclass took a microsecond."""
    kind = out.__class__
    if kind in _LEAVES:
        return False
    if kind is tuple:
        for g in out:   # (a loop: a generator's `any` cost half a microsecond)
            if g.__class__ not in _LEAVES and needs_plain(g):
                return True
        return False
    return needs_plain(out)


_LEAVES = frozenset({np.ndarray, float, int, np.float64, np.float32, np.float16, np.longdouble})


def _signature_text(made):
    """`made`'s parameter list as source (defaults read from `__s2s_defaults`), and the
    arguments of a call that passes each parameter on."""
    params, call, defaults = [], [], {}
    star = False
    ps = list(inspect.signature(made).parameters.values())
    last_positional_only = max((i for i, p in enumerate(ps) if p.kind is p.POSITIONAL_ONLY), default=None)
    for i, p in enumerate(ps):
        text = p.name
        if p.kind is p.VAR_POSITIONAL:
            text, star = "*" + p.name, True
        elif p.kind is p.VAR_KEYWORD:
            text = "**" + p.name
        elif p.kind is p.KEYWORD_ONLY and not star:
            params.append("*")
            star = True
        call.append(f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else text)
        if p.default is not p.empty:
            defaults[p.name] = p.default
            text += f"=__s2s_defaults[{p.name!r}]"
        params.append(text)
        if i == last_positional_only:
            params.append("/")
    return params, call, defaults


def passes_as_it_is(key, differentiated) -> bool:
    """Does a call whose signature is `key` (`known_values.signature_key`) pass `checked`'s checks with nothing to do? Every differentiated argument (`differentiated`:
    a bool per argument) a float or a float64 array of one or more axes, no other one complex nor an
    array of another library (its type says nothing of its dtype)."""
    for k, wrt in zip(key, differentiated):
        if type(k) is TreeKey:   # float64 arrays of one or more axes (its gradient's types: `ForShapes.keep`)
            continue
        array = array_of_key(k)
        if array is not None:
            if (array[1] != np.dtype(float) or array[0] == ()) if wrt else array[1].kind == "c":
                return False
        elif k not in _FLOATING if wrt else (k is complex or k is ComplexTree or issubclass(k, np.complexfloating)
                                               or hasattr(k, "__array_function__")):
            return False
    return True


def checked(made, fname: str, wrt: list[str], single: bool, mode: str, directions: list[str] = (),
            has_aux: bool = False, numbers=None, shapes=None):
    """A function with `made`'s signature that screens the `wrt` arguments (`fname` names the
    function differentiated), converts integer `directions` (seeds, tangents) to float,
    gives 0-d arrays 0-d gradients (not in "jvp" mode), and calls `made`. `numbers`: a one-entry
    list holding the derivative to call instead when every `wrt` argument is a Python float and
    every other one a Python float or int. `shapes`: a table {signature: derivative} of code for
    arguments of known shapes and dtypes (see `s2s.api`), for signatures that pass the checks as they
    are (`passes_as_it_is`), and a function that gives the derivative for any other signature (the
    general one where none is made)."""
    params, call, defaults = _signature_text(made)
    call_text = f"__s2s_made({', '.join(call)})"
    first = []
    part = gradient_part(mode, has_aux)
    if shapes is not None:   # the signature (`known_values.signature_key`)
        key = "".join(f"{c}.shape if __s2s_type({c}) is __s2s_ndarray and {c}.dtype is __s2s_f8 else ({c}.shape, {c}.dtype) "
                      f"if __s2s_type({c}) is __s2s_ndarray else __s2s_tree_key({c}) if __s2s_type({c}) in __s2s_trees "
                      f"else __s2s_type({c}), " for c in call)
        call_text = f"__s2s_which({', '.join(call)})"
        # signatures that pass the checks below as they are (`passes_as_it_is`) are called at once:
        # their differentiated arguments are floats and float64 arrays, whose gradients are no trees
        first = [f"    __s2s_key = ({key})",
                 "    __s2s_which = __s2s_shaped[0].get(__s2s_key)",
                 "    if __s2s_which is not None:",
                 f"        return {call_text}",
                 "    __s2s_which = __s2s_shaped[1](__s2s_key)"]
    every = " and ".join(f"__s2s_type({c}) is __s2s_float" if c in wrt else f"__s2s_type({c}) in __s2s_number_types" for c in call)
    numbers_call = [f"        return __s2s_numbers[0]({', '.join(call)})"]
    # Inline fast paths: a float (Python or NumPy) or a float64 array costs a test or two and no call.
    body = [f"    if __s2s_type({d}) not in __s2s_floating and not (__s2s_type({d}) is __s2s_ndarray and {d}.dtype is __s2s_f8):\n"
            f"        {d} = __s2s_floats({d}, {d!r}, {fname!r})" for d in directions]
    others = [p.name for p in inspect.signature(made).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
              and p.name not in wrt and p.name not in directions]
    body += [f"    if __s2s_type({o}) is __s2s_complex or __s2s_type({o}) is __s2s_ndarray and {o}.dtype.kind == 'c' "
             f"or __s2s_isinstance({o}, __s2s_np.complexfloating) or __s2s_type({o}) not in __s2s_plain "
             f"and __s2s_foreign({o}) and {o}.dtype.kind == 'c' "
             f"or __s2s_type({o}) in __s2s_trees and __s2s_tree_key({o}) is __s2s_complex_tree "
             f"or __s2s_isinstance({o}, __s2s_np.matrix):\n"
             f"        __s2s_no_complex({o}, {o!r}, {fname!r})"
             for o in others]
    tests = [f"(False if __s2s_type({w}) in __s2s_floating else {w}.ndim == 0 if __s2s_type({w}) is __s2s_ndarray and "
             f"{w}.dtype is __s2s_f8 else __s2s_screen({w}, {w!r}, {fname!r}))" for w in wrt]
    if mode == "jvp":
        body += [f"    {t}" for t in tests]
        body += [f"    __s2s_out = {call_text}",
                 "    if __s2s_any_tree(__s2s_out[1]):",
                 "        return __s2s_fix(__s2s_out, (), ())",
                 "    return __s2s_out"]
    else:  # __s2s_z<k>: is wrt argument k a 0-d array
        zero_d = "".join(f"{w} if __s2s_z{k} else None, " for k, w in enumerate(wrt))
        body += [f"    __s2s_z{k} = {t}" for k, t in enumerate(tests)]
        body += [f"    __s2s_out = {call_text}",
                 f"    if {' or '.join(f'__s2s_z{k}' for k in range(len(wrt)))} or __s2s_any_tree(__s2s_out{part})"
                 + "".join(f" or __s2s_type({w}) is __s2s_list or __s2s_type({w}) is __s2s_tuple" for w in wrt) + ":",
                 f"        return __s2s_fix(__s2s_out, ({zero_d}), ({''.join(w + ', ' for w in wrt)}))",
                 "    return __s2s_out"]
    # what the wrapper reads are globals of its own namespace (a plain dict, whose lookups Python
    # caches; no cells to copy at each call), and once the code for numbers is inlined
    # (`inline_numbers`), what that code reads
    # (builtins too, by names of their own: a parameter may be called `type` or `float`)
    namespace: dict = {"__s2s_type": type, "__s2s_isinstance": isinstance, "__s2s_float": float, "__s2s_list": list,
                       "__s2s_tuple": tuple, "__s2s_complex": complex, **GUARD_READS, "__s2s_np": np, "__s2s_floating": _FLOATING, "__s2s_no_complex": no_complex,
                       "__s2s_any_tree": any_tree, "__s2s_number_types": (float, int), "__s2s_numbers": numbers,
                       "__s2s_made": made, "__s2s_screen": screen, "__s2s_floats": floats,
                       "__s2s_fix": fixer(mode, single, has_aux), "__s2s_defaults": defaults, "__s2s_shaped": shapes,
                       "__s2s_ndarray": np.ndarray, "__s2s_f8": np.dtype(float),
                       "__s2s_plain": frozenset({np.ndarray, float, int, np.float64, np.float32}), "__s2s_foreign": foreign_array,
                       "__s2s_tree_key": tree_key, "__s2s_trees": TREES, "__s2s_complex_tree": ComplexTree}

    # the branches that go first (`inline_numbers`, `inline_guard` make them the code's own)
    branches = {"numbers": [f"    if {every}:"] + numbers_call if numbers is not None else [], "guard": []}

    def make():
        lines = branches["numbers"] + branches["guard"] + first + body
        source = f"def {made.__name__}({', '.join(params)}):\n" + "\n".join(lines) + "\n"
        exec(compile(source, source_filename(f"call {made.__name__}", source), "exec"), namespace)   # pdb lists it
        return namespace.pop(made.__name__)

    wrapper = make()
    if numbers is not None or shapes is not None:
        wrapper.__s2s_inline__ = (namespace, make, branches, every, call)
    wrapper.__qualname__ = made.__qualname__
    wrapper.__doc__ = made.__doc__
    wrapper.__module__ = made.__module__
    wrapper.__s2s_function__ = made
    if mode != "jvp":
        wrapper.__s2s_output__ = _output_fixer(made, wrt, fixer(mode, single, has_aux), part)
    return wrapper


def _output_fixer(made, wrt, fix, part):
    """`fix_output(out, arguments)`: what the wrapper of `made` returns when the generated `made`
    returns `out` for these arguments (a dict by parameter name). Code that differentiates `made`
    again (a jvp of a vjp) gives its value, and its tangent, the same types (`s2s.trees.plain`)."""
    at = {"[0]": 0, "[1]": 1}.get(part)

    def fix_output(out, arguments):
        points = [arguments[w] for w in wrt]
        zero_d = [p if type(p) is np.ndarray and p.ndim == 0 else None for p in points]
        if any(z is not None for z in zero_d) or any(type(p) in (list, tuple) for p in points) \
                or any_tree(out if at is None else out[at]):
            return fix(out, zero_d, points)
        return out
    return fix_output


def inline_numbers(wrapper, function, source: str) -> bool:
    """Make the code for numbers `function` (whose text is `source`) the body of the wrapper's
    first branch, `if type(x) is float and ...:`, instead of a call of it: a call of a Python
    function costs about as much as the whole gradient of `x * x * y`. Done where that code reads
    no global but those s2s put in its namespace (NumPy, its helpers, builtins, other generated
    functions: they are never rebound; a user's global is read live, so such code stays a call),
    has the wrapper's parameters, and its text can be moved (no string over several lines, no name
    of the wrapper's own). Then the wrapper's code is swapped for the new one.
    Returns whether it was."""
    namespace, make, branches, every, _ = getattr(wrapper, "__s2s_inline__", (None,) * 5)
    found = _movable(function, source)
    if make is None or not branches["numbers"] or found is None:
        return False
    lines, reads = found
    params = list(inspect.signature(wrapper).parameters)
    own = function.__globals__
    if list(inspect.signature(function).parameters) != params or wrapper.__name__ in reads \
            or not all(dict.__contains__(own, n) for n in reads):
        return False
    namespace.update({n: dict.__getitem__(own, n) for n in reads})
    branches["numbers"] = [f"    if {every}:"] + lines
    wrapper.__code__ = make().__code__
    return True


def inline_guard(wrapper, key, function) -> bool:
    """Give the wrapper a branch of its own for the signature `key`, whose derivative `function` it
    calls at once (`specialised.ForShapes.keep`): where the arguments pass its guard
    (`s2s.guards`), it calls `function` without building their key. Done for one signature, the
    first (a loop calls one); where the key has no exact guard, not at all. Returns whether it was."""
    namespace, make, branches, _, call = getattr(wrapper, "__s2s_inline__", (None,) * 5)
    if make is None or branches["guard"] or not all(c.isidentifier() for c in call):
        return False
    found = guard(key, call)
    if found is None:
        return False
    test, constants = found
    namespace.update(constants, __s2s_guarded=function)
    branches["guard"] = [f"    if {test}:", f"        return __s2s_guarded({', '.join(call)})"]
    wrapper.__code__ = make().__code__
    return True


def _movable(function, source):
    """(the body of `function`'s source, indented for the wrapper's branch, and the global names it
    reads), or None where it cannot be moved (see `inline_numbers`)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if len(defs) != 1 or function.__code__.co_freevars:
        return None
    fn = defs[0]
    docstring = ast.get_docstring(fn, clean=False) is not None
    body = fn.body[1:] if docstring else fn.body
    if not body:
        return None
    local, read = {a.arg for a in fn.args.args}, set()
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, (ast.Global, ast.Nonlocal, ast.Yield, ast.YieldFrom, ast.Lambda, ast.FunctionDef,
                             ast.ClassDef, ast.comprehension)):
            return None   # (other scopes, or names not the function's own)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
            return None   # (its lines would be indented too)
        if isinstance(node, ast.Name):
            if node.id.startswith("__s2s_"):
                return None
            (read if isinstance(node.ctx, ast.Load) else local).add(node.id)
    all_lines = source.splitlines()
    start = body[0].lineno - 1
    while start > 0 and all_lines[start - 1].strip().startswith("#"):   # its comment
        start -= 1
    lines = ["    " + line if line.strip() else "" for line in all_lines[start:fn.end_lineno]]
    if not isinstance(body[-1], ast.Return):
        lines.append("        return None")
    return lines, read - local
