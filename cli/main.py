"""The `s2s` command: derivative code to read, commit next to the model, and check in CI.

    s2s grad  TARGET [--wrt a,b] [--jit] [-o FILE] [--check] [--force]
    s2s jvp   TARGET [--wrt a]   [--jit] [-o FILE] [--check] [--force]
    s2s hvp   TARGET [--wrt a]   [--jit] [-o FILE] [--check] [--force]
    s2s check TARGET [--wrt a,b] [--seed N] [--points N] [--shape x=3,4] [--at "x=np.ones(3)"] [--tol T]
    s2s --version

TARGET is path/to/file.py:func, path/to/file.py:Class.method (the default
--wrt of a method is its parameter after self), package.module:func or
package.module.func. grad, jvp and hvp write a standalone module
(`s2s.standalone`): it runs with NumPy and the target's own module, without
s2s. Without -o it goes to stdout, and only it: what the target's module
prints while it is imported goes to stderr. -o never overwrites a file s2s
reads (the target's module, a module it imports), not even with --force.
Generation that takes more than a second shows a progress line on stderr
when stderr is a terminal (cli/progress.py).

Exit status: 0 success, 1 a check failed (a stale FILE, or a derivative
that disagrees with finite differences), 2 bad input -- one message in
`file:line:col: error: …` form, never a traceback; problems with the
command itself are located in it as `<command line>:1:COL`. 3 is an
internal error of s2s (a bug: please report). 130: interrupted (Ctrl-C), one
line, and a FILE being written is left as it was. 141: stdout was closed
before the module was written (a pipe into `head`), silently.
"""
from __future__ import annotations

import argparse
import inspect
import os
import re
import shlex
import sys
import traceback

EXAMPLES = {
    "grad": """examples:
  s2s grad examples/course.py:loop --wrt a,b                     print the gradient module
  s2s grad examples/course.py:loop --wrt a,b -o grad_loop.py     write it (atomically)
  s2s grad examples/course.py:loop --wrt a,b -o grad_loop.py --check
                                            exit 1 with a diff if grad_loop.py is stale (for CI)
  s2s grad mypackage.model.loss --wrt W,b                        a function of an importable module
  s2s grad examples/course.py:loop --wrt a,b --jit -o grad_loop.py
                                            functions compiled by Numba (numba.njit, cached on disk)""",
    "jvp": """examples:
  s2s jvp examples/course.py:poly --wrt x,y      jvp_poly(x, y, t_x, t_y) -> (value, tangent)
  s2s jvp examples/course.py:poly -o jvp_poly.py --check""",
    "hvp": """examples:
  s2s hvp examples/course.py:logistic_nll --wrt w,b -o hvp_nll.py
      hvp_logistic_nll(w, b, X, y, tt_w, tt_b) -> (gradient, H @ (tt_w, tt_b))""",
    "check": """points:
  by default, --points random points from --seed: each parameter gets values of random sign and
  magnitude in [0.5, 1.5), a Python float unless --shape gives its shape; a parameter that is not
  differentiated keeps its default value. --at gives a point instead, as the arguments of a call,
  evaluated with np, math and the target module's names; parameters it leaves out are random.

examples:
  s2s check examples/course.py:loop --wrt a,b
  s2s check examples/course.py:mlp_loss --wrt W1,b1 --shape W1=3,4 --shape b1=4 --shape W2=4,2 \\
            --shape b2=2 --shape X=5,3 --shape Y=5,2
  s2s check examples/course.py:poly --wrt x,y --at "x=3.0, y=4.0" --at "2.0, -1.0"
  s2s check model.py:loss --at "W=np.ones((3, 4)), X=DATA"   (DATA: a name of model.py)""",
}

TOP_EXAMPLES = """examples:
  s2s grad examples/course.py:loop --wrt a,b                  print the gradient as a Python module
  s2s grad examples/course.py:loop --wrt a,b -o grad_loop.py  write it next to the model, to commit
  s2s grad examples/course.py:loop --wrt a,b -o grad_loop.py --check    in CI: is it up to date?
  s2s check examples/course.py:loop --wrt a,b                 compare with finite differences

TARGET is path/to/file.py:func, path/to/file.py:Class.method, package.module:func or
package.module.func. Exit status: 0 success, 1 check failed (stale file or wrong derivative),
2 bad input (message in file:line:col: error: ... form), 3 an internal error of s2s (a bug:
please report it), 130 interrupted (Ctrl-C), 141 stdout closed early (| head)."""

DESCRIPTIONS = {
    "grad": "Generate the gradient of TARGET (a scalar function) as a standalone Python module.",
    "jvp": "Generate forward mode (a Jacobian-vector product) of TARGET as a standalone Python module.",
    "hvp": "Generate Hessian-vector products of TARGET (forward mode over its gradient) as a standalone module.",
    "check": "Check the derivative s2s generates for TARGET against finite differences of TARGET itself.",
}


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the `<command line>:1:COL: error: …` form (exit status 2)."""

    command_line = None

    def error(self, message):
        raise _UsageError(message, self.format_usage().strip())


class _UsageError(Exception):
    def __init__(self, message, usage):
        super().__init__(message)
        self.message, self.usage = message, usage


def build_parser() -> argparse.ArgumentParser:
    import s2s
    parser = _Parser(prog="s2s", description="Source-to-source automatic differentiation for Python and NumPy.",
                     epilog=TOP_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"s2s {s2s.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{grad,jvp,hvp,check}", parser_class=_Parser)
    for name in ("grad", "jvp", "hvp", "check"):
        p = sub.add_parser(name, help=DESCRIPTIONS[name], description=DESCRIPTIONS[name], epilog=EXAMPLES[name],
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("target", metavar="TARGET", help="path/to/file.py:func, path/to/file.py:Class.method, "
                                                         "package.module:func or package.module.func")
        p.add_argument("--wrt", metavar="A,B", default=None,
                       help="comma-separated parameter names (or indices) to differentiate with respect to "
                            "(default: the first parameter; of a method, the first after self)")
        if name == "check":
            p.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the random points (default 0)")
            p.add_argument("--points", type=int, default=3, metavar="N", help="how many random points (default 3)")
            p.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                           help="shape of a parameter's random values, e.g. x=3,4 (repeatable; default: a float)")
            p.add_argument("--at", action="append", default=[], metavar="ARGS",
                           help='a point, as call arguments: "x=np.ones(3), y=2.0" (repeatable; replaces the '
                                'random points)')
            p.add_argument("--tol", type=float, default=1e-5, metavar="T",
                           help="largest relative error accepted (default 1e-5)")
        else:
            if name == "grad":
                p.add_argument("--shape", action="append", default=[], metavar="NAME=DIMS",
                               help="write code specialised to a float64 array of this shape, e.g. x=3,4 "
                                    "(x= for a Python float; repeatable)")
                p.add_argument("--like", action="append", default=[], metavar="ARGS",
                               help='write code specialised to the shapes and dtypes of these arguments, given '
                                    'as in a call: "x=np.ones(3), n=2" (repeatable)')
            if name in ("grad", "hvp"):
                p.add_argument("--checkpoint", nargs="?", const=True, default=None, type=_snapshots, metavar="N",
                               help="checkpoint loops: keep about sqrt(n) snapshots of an n-trip loop instead of "
                                    "recording every trip, and run each segment again backward (less memory, "
                                    "about one more run of the loop); with =N, at most N snapshots and one "
                                    "trip's records (revolve's binomial schedule)")
            p.add_argument("--jit", action="store_true",
                           help="write the functions in the form Numba compiles, decorated with numba.njit "
                                "(cache=True); the module then needs numba")
            p.add_argument("-o", "--output", metavar="FILE", default=None,
                           help="write the module to FILE (atomically) instead of printing it")
            p.add_argument("--check", action="store_true",
                           help="write nothing: exit 0 if FILE is what would be generated now, 1 with a diff if not")
            p.add_argument("--force", action="store_true",
                           help="overwrite FILE even if s2s did not write it (never a file s2s reads)")
    return parser


def _snapshots(text):
    """--checkpoint's N: a number of snapshots, 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"takes a number of snapshots (1 or more), as in --checkpoint=8, "
                                         f"or nothing; not {text!r}")
    return int(text)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    sys.dont_write_bytecode = True  # leave no __pycache__ next to the user's model
    from .targets import CommandLine
    cmd = CommandLine(argv)
    import s2s
    try:
        try:
            args = build_parser().parse_args(argv)
        except _UsageError as exc:
            raise _usage_error(cmd, exc) from None
        if args.command == "check":
            return _check(args, cmd)
        return _generate(args, cmd)
    except s2s.S2SError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    except KeyboardInterrupt:   # Ctrl-C: one line; -o writes through a temporary file, so FILE is untouched
        print("s2s: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:     # stdout's reader stopped reading (`s2s grad ... | head`): as SIGPIPE would
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # nothing left to flush at exit
        except (OSError, ValueError):
            pass
        return 141
    except Exception:  # noqa: BLE001 -- a bug in s2s, not the user's mistake
        traceback.print_exc()
        print("s2s: internal error: this is a bug in s2s; please report it with the command and the traceback above",
              file=sys.stderr)
        return 3


def _usage_error(cmd, exc):
    """argparse's complaint, located at the word it is about when there is one."""
    import s2s
    index = None
    for i, word in enumerate(cmd.argv):
        if word.split("=")[0] in exc.message.replace(",", " ").replace(":", " ").split() or f"'{word}'" in exc.message:
            index = i
            break
    if index is None and "required" in exc.message:
        index = len(cmd.argv)  # what is missing goes at the end
    return s2s.S2SError(exc.message, cmd.location(index), exc.usage)


def _wrt(args, func, cmd, method=False):
    """--wrt as s2s.grad takes it: a name or index, or a tuple of them; and its canonical text.
    A method's default is the parameter after its instance."""
    if args.wrt is None:
        params = list(inspect.signature(func).parameters) if method else []
        return (params[1], None) if len(params) > 1 else (0, None)
    params = list(inspect.signature(func).parameters)
    star = next((i for i, p in enumerate(inspect.signature(func).parameters.values())
                 if p.kind is p.VAR_POSITIONAL), None)   # f(*xs): an index from it on, or `xs[k]`, is an entry
    names = []
    offset = 0
    for part in args.wrt.split(","):
        word = part.strip()
        if not word:
            raise cmd.error("--wrt: empty name; separate parameter names with commas, e.g. --wrt a,b",
                            args.wrt, ("--wrt",), offset=offset)
        if word.lstrip("-").isdigit():
            index = int(word)
            if not -len(params) <= index < len(params) and not (star is not None and index >= star):
                raise cmd.error(f"--wrt: {func.__name__} has {len(params)} parameters ({', '.join(params)}); "
                                f"there is no parameter {index}", args.wrt, ("--wrt",), offset=offset)
            word_value = index
        elif word in params:
            word_value = word
        elif star is not None and re.fullmatch(rf"{re.escape(params[star])}\[\d+\]", word):
            word_value = word
        else:
            raise cmd.error(f"--wrt: {word!r} is not a parameter of {func.__name__}({', '.join(params)})",
                            args.wrt, ("--wrt",), offset=offset + part.index(word))
        names.append(word_value)
        offset += len(part) + 1
    resolved = [(params[n] if n < len(params) and n != star else f"{params[star]}[{n - star}]")
                if isinstance(n, int) else n for n in names]
    if len(set(resolved)) != len(resolved):
        raise cmd.error(f"--wrt names a parameter twice: {args.wrt}", args.wrt, ("--wrt",))
    wrt = tuple(names) if "," in args.wrt else names[0]
    return wrt, ",".join(str(n) for n in names)


def _path_as_typed(path: str) -> str:
    """A path for the header's command: relative as typed (normalised), never absolute."""
    return os.path.normpath(os.path.relpath(path) if os.path.isabs(path) else path)


def canonical_command(args, wrt_text) -> str:
    target = args.target
    if ":" in target:
        path, _, name = target.rpartition(":")
        target = f"{_path_as_typed(path)}:{name}"
    words = ["s2s", args.command, target]
    if wrt_text is not None:
        words += ["--wrt", wrt_text]
    for spec in getattr(args, "shape", None) or ():
        words += ["--shape", spec]
    for spec in getattr(args, "like", None) or ():
        words += ["--like", spec]
    checkpoint = getattr(args, "checkpoint", None)
    if checkpoint is not None:
        words.append("--checkpoint" if checkpoint is True else f"--checkpoint={checkpoint}")
    if getattr(args, "jit", False):
        words.append("--jit")
    if getattr(args, "output", None):
        words += ["-o", _path_as_typed(args.output)]
    return shlex.join(words)


def _generate(args, cmd) -> int:
    import s2s
    from s2s import api, standalone

    from . import files
    from .targets import resolve_target
    if args.check and not args.output:
        raise cmd.error("--check needs -o FILE: it compares FILE with what would be generated now", "--check",
                        hint=f"s2s {args.command} TARGET -o FILE --check")
    from .progress import Progress
    from .targets import stdout_to_stderr
    target = resolve_target(args.target, cmd)
    func = target.func
    if args.output:
        what = files.source_overwritten(args.output, func)
        if what is not None:
            raise cmd.error(f"-o {args.output} is {what}, which s2s reads: s2s never overwrites a file it reads, "
                            f"not even with --force", args.output, ("-o", "--output"),
                            hint=f"write the derivative to another file, e.g. -o {args.command}_{func.__name__}.py")
    wrt, wrt_text = _wrt(args, func, cmd, target.method)
    like = _like(args, func, cmd)
    if like and target.method:
        flag = "--shape" if getattr(args, "shape", None) else "--like"
        raise cmd.error(f"{flag} writes code for known shapes of a function, and {args.target} is a method (its "
                        f"object's attributes are read when it runs)", flag,
                        hint="leave out --shape and --like for a method, or write the gradient of a module-level "
                             "function that takes the arrays as arguments")
    checkpoint = getattr(args, "checkpoint", None)
    if checkpoint is not None and like:
        raise cmd.error("--checkpoint writes code for any shapes: it does not combine with --shape or --like",
                        "--checkpoint", hint="drop --shape/--like, or --checkpoint")
    options = {} if checkpoint is None else {"checkpoint": checkpoint}
    with stdout_to_stderr(), Progress(sys.stderr, f"s2s {args.command}"):
        made = {"grad": s2s.grad, "jvp": s2s.jvp, "hvp": s2s.hvp}[args.command](func, wrt=wrt, **options)
        generated = api.generated(made) if not like else api.specialised(made, like)
    command = canonical_command(args, wrt_text)
    summary = _hvp_summary(func, generated, wrt) if args.command == "hvp" else None
    try:
        text = standalone.render(generated, command=command, summary=summary, jit=args.jit)
    except s2s.JitError as error:   # (Numba is not needed to write the module)
        raise cmd.error(error.message, "--jit", hint=error.hint) from None
    if not args.output:
        sys.stdout.write(text)
        return 0
    if args.check:
        fresh, message, diff = files.check(args.output, text, command)
        sys.stdout.write(diff)
        print(message, file=sys.stderr)
        return 0 if fresh else 1
    if files.write(args.output, text, args.force):
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(f"{args.output}: up to date", file=sys.stderr)
    return 0


def _like(args, func, cmd) -> dict:
    """{parameter: Known} from --shape and --like (later ones win), or {} for general code."""
    import numpy as np

    from s2s.driver import unwrap
    from s2s.transforms.known_values import Known, TreeKey, describe, describe_key, tree_key

    from . import gradcheck
    if not (getattr(args, "shape", None) or getattr(args, "like", None)):
        return {}
    func = unwrap(func)
    params = list(inspect.signature(func).parameters)
    like = {}
    for name, dims in gradcheck.parse_shapes(args.shape, params, cmd).items():
        like[name] = Known((), np.dtype(float), True) if dims == () else Known(dims, np.dtype(float))
    for text in args.like:
        for name, value in gradcheck.parse_point(text, func, func.__globals__, cmd, option="--like").items():
            known = describe(value)
            if known is None and type(value) in (list, tuple, dict) and type(tree_key(value)) is TreeKey:
                known = describe_key(tree_key(value))   # a list or dict of float64 arrays (or of tuples of them)
            if known is None:
                raise cmd.error(f"--like {name}: s2s specialises code to NumPy arrays and scalars, Python "
                                f"numbers, and lists, tuples or dicts of float64 arrays (or of tuples of them), not to "
                                f"this {type(value).__name__}", text, ("--like",),
                                hint="leave that argument out: its code stays general")
            like[name] = known
    return like


def _hvp_summary(func, generated, wrt) -> str:
    names = [wrt] if not isinstance(wrt, tuple) else list(wrt)
    params = list(inspect.signature(func).parameters)
    names = [params[n] if isinstance(n, int) else n for n in names]
    entry = generated.function
    entry_params = list(inspect.signature(entry).parameters)
    tangents = entry_params[len(params):]
    filename = generated.read[0][0]
    v = tangents[0] if len(tangents) == 1 else f"({', '.join(tangents)})"
    return (f"{generated.entry}({', '.join(entry_params)}) returns (gradient, H @ {v}) of {func.__name__} "
            f"({filename}) in {', '.join(names)}: Hessian-vector products by forward mode over the gradient.")


def _check(args, cmd) -> int:
    import numpy as np

    import s2s
    from s2s.driver import unwrap

    from . import gradcheck
    from .targets import resolve_target
    from .progress import Progress
    target = resolve_target(args.target, cmd)
    func = unwrap(target.func)
    wrt, _ = _wrt(args, func, cmd, target.method)
    params = list(inspect.signature(func).parameters)
    names = [params[n] if isinstance(n, int) else n for n in (wrt if isinstance(wrt, tuple) else (wrt,))]
    if args.points < 1:
        raise cmd.error("--points must be at least 1", str(args.points), ("--points",))
    shapes = gradcheck.parse_shapes(args.shape, params, cmd)
    rng = np.random.default_rng(args.seed)
    module_globals = func.__globals__
    with Progress(sys.stderr, "s2s check"):
        s2s.grad(func, wrt=tuple(names))  # unsupported code is reported before any evaluation
    instance = _instance(target, params, names)
    if args.at:
        points = []
        for text in args.at:
            point = gradcheck.parse_point(text, func, module_globals, cmd)
            points += gradcheck.random_points(func, names, shapes, 1, rng, fixed={**instance, **point})
        where = f"{len(points)} given point{'s' if len(points) > 1 else ''}"
    else:
        points = gradcheck.random_points(func, names, shapes, args.points, rng, fixed=instance)
        where = f"{len(points)} random point{'s' if len(points) > 1 else ''} (seed {args.seed})"
    filename = os.path.basename(inspect.getsourcefile(func) or "?")
    print(f"s2s check: {func.__name__} ({filename}) with respect to {', '.join(names)}, at {where}\n"
          f"largest relative error of the derivative s2s generates, against:")
    agree = gradcheck.check(func, names, points, args.tol, rng, sys.stdout)
    if agree:
        print(f"ok: agrees with finite differences within {args.tol:g}")
        return 0
    print(f"mismatch: disagrees with finite differences (tolerance {args.tol:g})")
    return 1


def _instance(target, params, names) -> dict:
    """A method checked through its class is called on `Class()` unless --at gives its `self`
    (or --wrt differentiates it); a class that needs arguments leaves it to --at."""
    if not target.method or params[0] in names:
        return {}
    try:
        return {params[0]: target.owner()}
    except Exception:  # noqa: BLE001 -- its constructor needs arguments: --at "self=Model(...)"
        return {}


if __name__ == "__main__":
    sys.exit(main())
