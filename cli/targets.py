"""The command line as a source of errors, and its TARGET (`path/to/file.py:func` or `package.module.func`).

Problems with the command line itself are reported like problems in a file:
`<command line>:1:COL: error: …`, where COL counts into the command as
typed (``s2s grad …``, quoted as a shell would), with the line and a caret.
A module that raises while it is imported is reported at the raising line
of the user's file, taken from the traceback; the traceback itself is not
printed.
"""
from __future__ import annotations

import difflib
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


def resolve_target(target: str, cmd: CommandLine):
    """The function TARGET names, its module, and the module's name."""
    if ":" in target:
        path, _, func_name = target.rpartition(":")
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
        name_offset = len(path) + 1
    else:
        module_name, _, func_name = target.rpartition(".")
        if not module_name or not func_name:
            raise cmd.error("give the function to differentiate as path/to/file.py:func or package.module.func",
                            target)
        if os.getcwd() not in sys.path and "" not in sys.path:
            sys.path.insert(0, os.getcwd())  # as `python -m` would: modules of the working directory
        try:
            module = _run_import(lambda: importlib.import_module(module_name), module_name)
        except ModuleNotFoundError as exc:
            raise cmd.error(f"no module named {exc.name!r}", target,
                            hint="run s2s where the package can be imported, or name a file: path/to/file.py:func")
        name_offset = len(module_name) + 1
    func = getattr(module, func_name, None)
    if func is None:
        candidates = [n for n, v in vars(module).items() if inspect.isfunction(v)]
        close = difflib.get_close_matches(func_name, candidates, n=1)
        raise cmd.error(f"module {module_name} has no function {func_name!r}", target, offset=name_offset,
                        hint=f"did you mean {close[0]!r}?" if close else None)
    if not callable(func):
        raise cmd.error(f"{func_name!r} in module {module_name} is not a function", target, offset=name_offset)
    return func


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


def _library_dirs() -> tuple:
    dirs = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs.add(os.path.dirname(os.path.abspath(inspect.getfile(S2SError))))   # s2s/
    dirs.add(os.path.dirname(os.path.abspath(__file__)))                    # cli/
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
