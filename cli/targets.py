"""The command line as a source of errors, and its TARGET (`path/to/file.py:func` or `package.module.func`).

Problems with the command line itself are reported like problems in a file:
`<command line>:1:COL: error: …`, where COL counts into the command as
typed (``s2s grad …``, quoted as a shell would), with the line and a caret.
A module that raises while it is imported is reported at the raising line
of the user's file, taken from the traceback; the traceback itself is not
printed.
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import difflib
import functools
import importlib
import importlib.util
import inspect
import os
import shlex
import sys
import sysconfig
import traceback

from s2s.errors import Location, S2SError

COMMAND_LINE = "<command line>"
_IMPORTABLE = "run s2s where the package can be imported, or name a file: path/to/file.py:func"


class CommandLine:
    """The words after `s2s`, and where each one sits in the command as typed."""

    def __init__(self, argv: list[str]):
        self.argv = list(argv)
        self.text = shlex.join(["s2s", *self.argv])
        self.starts = []
        at = len("s2s") + 1
        for word in self.argv:
            quoted = shlex.quote(word)
            self.starts.append(at + (1 if quoted != word and "'" not in word else 0))
            at += len(quoted) + 1

    def location(self, index: int | None = None, offset: int = 0) -> Location:
        if index is None:
            col = 0
        elif index < len(self.starts):
            col = self.starts[index] + offset
        else:  # something missing at the end
            col = len(self.text) + 1
        return Location(COMMAND_LINE, 1, col, self.text)

    def find(self, value: str, flags: tuple = ()) -> tuple[int | None, int]:
        """(index of the word, offset in it) where `value` was given, after one of `flags` if any."""
        for i in range(len(self.argv) - 1, -1, -1):
            word = self.argv[i]
            if flags:
                if word in flags and i + 1 < len(self.argv) and self.argv[i + 1] == value:
                    return i + 1, 0
                for flag in flags:
                    if word == f"{flag}={value}" or (not flag.startswith("--") and word == flag + value):
                        return i, len(word) - len(value)
            elif word == value:
                return i, 0
        return None, 0

    def error(self, message: str, value: str | None = None, flags: tuple = (), offset: int = 0, hint=None):
        index, start = self.find(value, flags) if value is not None else (None, 0)
        return S2SError(message, self.location(index, start + offset), hint)


def display_path(path: str) -> str:
    """A path as a message shows it: relative to the working directory when it is under it."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(os.pardir):
            return relative
    return path


@dataclasses.dataclass
class Target:
    """What TARGET names: the function, and whether it is a method looked up on its class (its first
    parameter is then the instance, and the default --wrt is the parameter after it)."""
    func: object
    method: bool = False
    owner: object = None   # the class a method was looked up on


def resolve_target(target: str, cmd: CommandLine) -> Target:
    """The function TARGET names: `path/to/file.py:func`, `path/to/file.py:Class.method`,
    `package.module:func` or `package.module.func` (also `package.module.Class.method`). What the
    module prints while it is imported goes to stderr."""
    with stdout_to_stderr():
        if ":" in target:
            where, _, qualname = target.rpartition(":")
            if not qualname:
                raise cmd.error(f"no function after ':' in {target}: write {where}:FUNC", target, offset=len(target))
            if _is_module_name(where) and not where.endswith(".py") and not os.path.exists(where):
                module = _import_module(where, target, cmd)
            else:
                module = _import_file(where, target, cmd)
            return _attribute(module, module.__name__, qualname, len(where) + 1, target, cmd)
        if target.endswith(".py") or os.sep in target or "/" in target or os.path.isfile(target):
            raise _file_without_function(target, cmd)
        parts = target.split(".")
        if len(parts) < 2 or not all(p.isidentifier() for p in parts):
            raise cmd.error("give the function to differentiate as path/to/file.py:func or package.module.func",
                            target)
        missing = None
        for cut in range(len(parts) - 1, 0, -1):   # package.module.func, then package.module.Class.method
            module_name = ".".join(parts[:cut])
            try:
                module = _import_module(module_name, target, cmd, quiet=True)
            except ModuleNotFoundError as exc:
                missing = missing or exc
                if exc.name == module_name and cut > 1:
                    continue
                raise cmd.error(f"no module named {missing.name!r}", target, hint=_IMPORTABLE) from None
            qualname = ".".join(parts[cut:])
            if missing is not None and not hasattr(module, parts[cut]):
                raise cmd.error(f"no module named {missing.name!r}", target, hint=_IMPORTABLE)
            return _attribute(module, module_name, qualname, len(module_name) + 1, target, cmd)
        raise AssertionError("unreachable")   # pragma: no cover


def _is_module_name(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def _import_file(path, target, cmd):
    if not os.path.isfile(path):
        raise cmd.error(f"no such file: {path}", target)
    module_name = os.path.splitext(os.path.basename(path))[0]
    directory = os.path.dirname(os.path.abspath(path))
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None:
        raise cmd.error(f"cannot import {path}: not a Python file", target)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    _run_import(lambda: spec.loader.exec_module(module), module_name)
    return module


def _import_module(module_name, target, cmd, quiet=False):
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())  # as `python -m` would: modules of the working directory
    try:
        return _run_import(lambda: importlib.import_module(module_name), module_name)
    except ModuleNotFoundError as exc:
        if quiet:
            raise
        raise cmd.error(f"no module named {exc.name!r}", target, hint=_IMPORTABLE) from None


def _attribute(module, module_name, qualname, offset, target, cmd) -> Target:
    """`qualname` (`func` or `Class.method`) in `module`; `offset`: where it starts in TARGET."""
    names = qualname.split(".")
    starts = [offset + sum(len(n) + 1 for n in names[:i]) for i in range(len(names))]
    owner, owner_text, method, obj = module, f"module {module_name}", False, module
    for name, start in zip(names, starts):
        if not name.isidentifier():
            raise cmd.error(f"{name!r} is not a Python name: write TARGET as path/to/file.py:func, "
                            "path/to/file.py:Class.method or package.module.func", target, offset=start)
        if owner is None:
            raise cmd.error(f"{obj.__name__!r} is a function: there is nothing to look up in it", target,
                            offset=start)
        obj = getattr(owner, name, None)
        if obj is None:
            if owner is module:
                candidates = [n for n, v in vars(owner).items() if inspect.isfunction(v) or inspect.isclass(v)]
            else:
                candidates = [n for n in vars(owner) if not n.startswith("__")]
            close = difflib.get_close_matches(name, candidates, n=1)
            raise cmd.error(f"{owner_text} has no {'function' if owner is module else 'attribute'} {name!r}",
                            target, offset=start, hint=f"did you mean {close[0]!r}?" if close else None)
        method = inspect.isclass(owner) and inspect.isfunction(obj) and \
            not isinstance(inspect.getattr_static(owner, name, None), staticmethod)
        owner_class = owner if method else None
        if inspect.isclass(obj):
            owner, owner_text = obj, f"class {obj.__name__}"
        elif inspect.ismodule(obj):
            owner, owner_text = obj, f"module {obj.__name__}"
        else:
            owner = None
    last, start = names[-1], starts[-1]
    if inspect.isclass(obj):
        methods = [n for n, v in vars(obj).items() if inspect.isfunction(v) and not n.startswith("__")]
        example = f"{target}.{methods[0] if methods else 'method'}"
        raise cmd.error(f"{last!r} in {module_name} is a class, not a function: name one of its methods, "
                        f"e.g. {example}", target, offset=start,
                        hint=f"its methods: {', '.join(methods)}" if methods else None)
    if inspect.ismodule(obj):
        raise cmd.error(f"{last!r} is a module, not a function: name a function in it", target, offset=start)
    if not callable(obj):
        raise cmd.error(f"{last!r} in {module_name} is not a function", target, offset=start)
    return Target(obj, method, owner_class)


def _file_without_function(path, cmd):
    """`s2s grad model.py`: a file, but which function?"""
    functions = []
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        functions = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        pass
    if not os.path.isfile(path):
        return cmd.error(f"no such file: {path}; and TARGET names a function: path/to/file.py:func", path)
    example = f"{path}:{functions[0] if functions else 'func'}"
    return cmd.error(f"{path} names a file, not a function: add the function after a colon, e.g. {example}", path,
                     offset=len(path), hint=f"functions in {path}: {', '.join(functions)}" if functions else None)


@contextlib.contextmanager
def stdout_to_stderr():
    """What the user's code prints (while its module is imported, or while a derivative is generated)
    goes to stderr, so that stdout carries only what s2s writes there: the generated module. Python's
    sys.stdout and file descriptor 1 (C code, subprocesses) both."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
        os.dup2(2, 1)
    except OSError:   # no descriptor 1 or 2 (a closed stream): Python's own stream is redirected still
        saved = None
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        try:
            sys.stderr.flush()
        finally:
            if saved is not None:
                os.dup2(saved, 1)
                os.close(saved)


def _run_import(run, module_name):
    """Run an import; an exception raised by the user's code becomes one located S2SError."""
    try:
        return run()
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise  # the module itself is missing: the command line's problem
        raise raised_in_user_code(exc, f"importing {module_name} raised") from None
    except SyntaxError as exc:
        text = exc.text or ""
        location = Location(display_path(exc.filename or "<unknown>"), exc.lineno or 1,
                            max((exc.offset or 1) - 1, 0), text)
        raise S2SError(f"{exc.msg} (while importing {module_name})", location) from None
    except Exception as exc:  # noqa: BLE001 -- whatever the user's module raises
        raise raised_in_user_code(exc, f"importing {module_name} raised") from None


def raised_in_user_code(exc: BaseException, what: str) -> S2SError:
    """`exc` as an error at the innermost line of user code in its traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _is_user_file(f.filename)]
    message = f"{what} {type(exc).__name__}: {exc}" if str(exc) else f"{what} {type(exc).__name__}"
    if not frames:
        return S2SError(message)
    frame = frames[-1]
    text = frame.line or ""  # stripped: re-read the line so that the caret sits under the right column
    try:
        with open(frame.filename, encoding="utf-8") as f:
            text = f.read().splitlines()[frame.lineno - 1]
    except (OSError, IndexError, UnicodeDecodeError):
        pass
    col = frame.colno if getattr(frame, "colno", None) is not None else len(text) - len(text.lstrip())
    return S2SError(message, Location(display_path(frame.filename), frame.lineno, col, text))


@functools.lru_cache(maxsize=None)
def _library_dirs() -> tuple:
    dirs = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs.add(os.path.dirname(os.path.abspath(inspect.getfile(S2SError))))   # s2s/
    dirs.add(os.path.dirname(os.path.abspath(__file__)))                    # cli/
    dirs.add(os.path.dirname(os.path.abspath(importlib.import_module("s2s.transforms").__file__)))
    return tuple(os.path.join(d, "") for d in dirs)


def _is_user_file(filename: str) -> bool:
    """Whether a traceback frame is in the user's code (not Python's, a library's or s2s's)."""
    return not filename.startswith("<") and not os.path.abspath(filename).startswith(_library_dirs())


def definition(func) -> Location:
    """Where `func` is defined: for errors about the function as a whole."""
    try:
        lines, first = inspect.getsourcelines(func)
        path = inspect.getsourcefile(func)
    except (OSError, TypeError):
        return None
    text = lines[0].rstrip("\n")
    return Location(display_path(path), first, len(text) - len(text.lstrip()), text)
