"""Writing a generated module safely (`-o FILE`) and checking that one is up to date (`--check`).

A write goes to a temporary file in FILE's directory, then `os.replace`s
FILE in one step, so FILE is either the old bytes or the new ones, never a
mix; any failure before the rename leaves FILE untouched. A file that does
not start with s2s's header was not written by s2s and is not overwritten
without `--force`, and a file that s2s reads (the target's module, or any
module of the user's it imports) is never overwritten, not even with
`--force`.
"""
from __future__ import annotations

import difflib
import os
import tempfile

from s2s.errors import Location, S2SError
from s2s.standalone import MARK

from .targets import display_path


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise S2SError(f"{path} is a directory", Location(display_path(path), 1, 0)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise S2SError(f"cannot read {path}: {exc}", Location(display_path(path), 1, 0)) from None


def files_read(func) -> dict:
    """{path: what it is} for the files s2s reads to generate `func`'s derivative: the file of its
    module, and of every module of the user's that is loaded (the target's module imports them; the
    functions it calls are read from them)."""
    import inspect
    import sys

    from .targets import _is_user_file
    read = {}
    try:
        read[inspect.getsourcefile(func)] = f"the source of {func.__qualname__}"
    except TypeError:
        pass
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if filename and _is_user_file(filename) and filename not in read:
            read[filename] = f"the source of module {name}"
    return read


def source_overwritten(path: str, func) -> str | None:
    """What `path` is, if it is a file s2s reads for `func` (-o must never overwrite it), else None."""
    if not os.path.exists(path):
        return None
    for filename, what in files_read(func).items():
        try:
            if filename and os.path.samefile(path, filename):
                return what
        except OSError:
            continue
    return None


def write(path: str, text: str, force: bool) -> bool:
    """Replace `path` by `text` atomically; False if it already held exactly `text`."""
    old = _read(path)
    where = Location(display_path(path), 1, 0)
    if old == text:
        return False
    if old is not None and not old.startswith(MARK) and not force:
        raise S2SError(f"{path} was not written by s2s (it has no s2s header); refusing to overwrite it", where,
                       "choose another file, or pass --force to overwrite it")
    directory = os.path.dirname(path) or "."
    try:
        mode = os.stat(path).st_mode & 0o7777 if old is not None else _default_mode()
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    except OSError as exc:
        raise S2SError(f"cannot write {path}: {exc.strerror or exc}", where) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise S2SError(f"cannot write {path}: {exc.strerror or exc}", where) from None
        raise
    return True


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check(path: str, text: str, command: str) -> tuple[bool, str, str]:
    """Whether `path` holds exactly `text`: (up to date, message, unified diff)."""
    old = _read(path)
    shown = display_path(path)
    if old is None:
        return False, f"{shown}:1:1: error: {path} does not exist; generate it with: {command}", ""
    if old == text:
        return True, f"{shown}: up to date", ""
    old_lines, new_lines = old.splitlines(True), text.splitlines(True)
    first = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b),
                 min(len(old_lines), len(new_lines)))
    diff = "".join(difflib.unified_diff(old_lines, new_lines, f"{shown} (on disk)", f"{shown} (generated now)"))
    message = (f"{shown}:{first + 1}:1: error: {path} is stale: it is not what s2s generates now "
               f"(diff on stdout); regenerate it with: {command}")
    return False, message, diff
