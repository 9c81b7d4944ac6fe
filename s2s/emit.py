"""Emit: generated gast functions -> Python source, with comments that cite the source.

astor writes the code (through `writer.Writer`, which writes the simple statements itself, as
astor would); comments are added here, from each statement's
`lineno` and whether it belongs to the backward pass: ``# <line>  (file:N)``
above the forward statements that came from one source line, and
``# grad of: <line>  (file:N)`` above the adjoint statements of that line. In code s2s wrote and
differentiates again (second order), a statement cites the user's line that its own comment cites.
Output is deterministic: it depends only on the source and the options.
"""
from __future__ import annotations

import ast
import re

import astor
import gast

from .transforms.nodes import is_adjoint
from .writer import Writer

_MARK = "__s2s_comment__"


def function_source(fn: gast.FunctionDef, info) -> str:
    """Source of one generated function, with comments citing `info`'s lines."""
    _comment(fn, info)
    tree = ast.Module(body=[fn], type_ignores=[])   # (`Writer` converts what astor writes)
    text = astor.to_source(tree, indent_with="    ", pretty_source=_pretty, source_generator_class=Writer)
    return _comments_to_text(text)


def _pretty(source):
    return "".join(source)


def _comment(fn, info):
    cited: dict = {}   # line -> its comment (a line has many statements: each of its adjoints)

    def cite(line):
        text = cited.get(line)
        if text is None:
            text = cited[line] = _cite(info, line)
        return text

    def block(stmts, header_line=None):
        out = []
        previous = (header_line, None)
        for s in stmts:
            if isinstance(s, gast.If) and not s.body and s.orelse:  # `if c: pass / else: B` reads `if not c: B`
                s.test, s.body, s.orelse = gast.UnaryOp(op=gast.Not(), operand=s.test), s.orelse, []
            line = getattr(s, "lineno", None)
            if isinstance(getattr(s, "body", None), list):
                s.body = block(s.body, line) or [gast.Pass()]
            if isinstance(getattr(s, "orelse", None), list) and s.orelse:
                s.orelse = block(s.orelse, line) or [gast.Pass()]
            text = cite(line) if line and line != header_line and not isinstance(s, gast.Pass) else ""
            key = (text or line, is_adjoint(s))
            if line and key != previous and line != header_line and not isinstance(s, gast.Pass):
                if text:
                    prefix = "grad of: " if is_adjoint(s) else ""
                    out.append(gast.Expr(value=gast.Name(id=f"{_MARK}{prefix}{text}", ctx=gast.Load(),
                                                         annotation=None, type_comment=None)))
                previous = key
            out.append(s)
        return out
    fn.body = block(fn.body)


def _cite(info, line) -> str:
    if info.generated:   # code s2s wrote, differentiated again: the user's line its own comment cites
        return _origin(info, line)
    text = info.line(line).strip()
    if not text or text.startswith(("def ", "@")):
        return ""
    if len(text) > 70:
        text = text[:67] + "..."
    return f"{text}    ({info.filename}:{line})"


_CITED = re.compile(r"^# (.*\(([^()]+):(\d+)\))$")


def _origin(info, line) -> str:
    """The comment that heads the statement at `line` in generated code (`grad of: <line>  (file:N)`),
    which cites the user's line the statement came from; "" if none does (a line s2s added). That
    comment is above it at its own indentation, with only its siblings (and what they hold) between:
    a comment inside an earlier loop's body heads that body, not what follows the loop, and the
    first statement of a block without a comment of its own has none (its header's is the block's)."""
    indent = _indentation(info.line(line))
    for k in range(line - 1, 0, -1):
        raw = info.line(k)
        text = raw.strip()
        if not text:
            continue
        depth = _indentation(raw)
        if text.startswith("def ") or depth < indent:
            return ""
        if depth == indent:
            match = _CITED.match(text)
            if match:
                return match.group(1)
    return ""


def _indentation(text: str) -> int:
    return len(text) - len(text.lstrip())


def _comments_to_text(text: str) -> str:
    out = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(_MARK):
            out.append(f"{line[:len(line) - len(stripped)]}# {stripped[len(_MARK):]}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"
