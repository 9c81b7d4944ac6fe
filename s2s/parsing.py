"""Reading a function's source: `inspect.getsource` -> `gast.parse`.

The parsed `FunctionDef` has line numbers of the *file* (not of the snippet),
so every later pass can cite the original line. `SourceInfo` keeps what the
error messages and the generated comments need: a short file name (never an
absolute path, so output is the same on every machine) and the file's lines.
"""
from __future__ import annotations

import dataclasses
import inspect
import os
import textwrap

import gast

from .errors import Location, SourceError


@dataclasses.dataclass(frozen=True)
class SourceInfo:
    filename: str          # base name only: generated code must not depend on the machine
    lines: tuple[str, ...]  # the whole file, for citing lines
    qualname: str

    def line(self, lineno: int) -> str:
        if 1 <= lineno <= len(self.lines):
            return self.lines[lineno - 1].rstrip("\n")
        return ""

    def location(self, node) -> Location:
        lineno = getattr(node, "lineno", 0) or 0
        col = getattr(node, "col_offset", 0) or 0
        return Location(self.filename, lineno, col, self.line(lineno))


def parse_function(func) -> tuple[gast.FunctionDef, SourceInfo]:
    """Parse `func`'s source into a gast FunctionDef with file line numbers."""
    name = getattr(func, "__qualname__", repr(func))
    if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
        raise SourceError(f"`{name}` is an async function; s2s differentiates plain functions only")
    if not inspect.isfunction(func):
        raise SourceError(
            f"cannot read the source of {name!r}: it is not a Python function",
            hint="differentiate a function defined with `def` in a file, or register a rule for it with @s2s.rule",
        )
    try:
        lines, first = inspect.getsourcelines(func)
        filename = inspect.getsourcefile(func) or "<unknown>"
        file_lines = tuple(inspect.getsourcelines(inspect.getmodule(func))[0]) if inspect.getmodule(func) else tuple(lines)
    except (OSError, TypeError) as exc:
        raise SourceError(
            f"cannot read the source of `{name}` ({exc})",
            hint="s2s needs the function's source: define it in a file (not at an interactive prompt), or register a rule with @s2s.rule",
        ) from None
    if len(file_lines) < first - 1 + len(lines):
        file_lines = ("\n",) * (first - 1) + tuple(lines)
    source = textwrap.dedent("".join(lines))
    try:
        module = gast.parse(source)
    except SyntaxError as exc:
        raise SourceError(f"cannot parse the source of `{name}`: {exc.msg}") from None
    defs = [n for n in module.body if isinstance(n, (gast.FunctionDef, gast.AsyncFunctionDef))]
    if len(defs) != 1:
        raise SourceError(
            f"cannot read the source of `{name}`: it is not a single `def` (a lambda?)",
            hint="write the function with `def` at module level",
        )
    fn = defs[0]
    indent = len(lines[0]) - len(lines[0].lstrip())
    for node in gast.walk(fn):
        if hasattr(node, "lineno") and node.lineno is not None:
            node.lineno += first - 1
            if getattr(node, "col_offset", None) is not None:
                node.col_offset += indent
        if hasattr(node, "end_lineno") and node.end_lineno is not None:
            node.end_lineno += first - 1
    info = SourceInfo(os.path.basename(filename), file_lines, name)
    if isinstance(fn, gast.AsyncFunctionDef):
        raise SourceError(f"`{name}` is an async function; s2s differentiates plain functions only", info.location(fn))
    return fn, info
