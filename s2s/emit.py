"""Emit: generated gast functions -> Python source, with comments that cite the source.

astor writes the code; comments are added here, from each statement's
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

from .transforms.nodes import child_fields, is_adjoint

_MARK = "__s2s_comment__"


def function_source(fn: gast.FunctionDef, info) -> str:
    """Source of one generated function, with comments citing `info`'s lines."""
    _comment(fn, info)
    tree = ast.Module(body=[to_ast(fn)], type_ignores=[])
    text = astor.to_source(tree, indent_with="    ", pretty_source=_pretty)
    return _comments_to_text(text)


def to_ast(node):
    """The Python `ast` tree of the gast tree `node`: what `gast.gast_to_ast` gives for the nodes
    generated code holds, faster (it was half the time of writing the source).
    Each node becomes the `ast` class of its name with the fields that class has in this Python;
    a parameter (a gast `Name`) becomes an `ast.arg`, and an exception handler's name a string."""
    kind = type(node)
    shared = _CONTEXTS_AND_OPERATORS.get(kind)
    if shared is not None:   # `Load()`, `Add()`: nodes without fields, one of each serves every tree
        return shared
    if kind is gast.arguments:
        return ast.arguments(posonlyargs=[_arg(a) for a in node.posonlyargs], args=[_arg(a) for a in node.args],
                             vararg=_arg(node.vararg), kwonlyargs=[_arg(a) for a in node.kwonlyargs],
                             kw_defaults=_many(node.kw_defaults), kwarg=_arg(node.kwarg),
                             defaults=_many(node.defaults))
    target, children, absent = _AST_CLASSES.get(kind) or _ast_class(kind)
    new = target.__new__(target)
    fields = new.__dict__
    fields.update(node.__dict__)   # fields, the location, and any annotation of a pass (unread)
    for field in children:
        value = fields.get(field)
        if type(value) is list:
            fields[field] = _many(value)
        elif value is not None:
            fields[field] = to_ast(value)
    for field in absent:   # (a field this Python's ast has and gast's node not)
        fields.setdefault(field, None)
    if kind is gast.ExceptHandler and node.name is not None:
        new.name = node.name.id
    return new


def _many(nodes):
    return [None if n is None else to_ast(n) for n in nodes]


def _arg(param):
    if param is None:
        return None
    annotation = None if param.annotation is None else to_ast(param.annotation)
    new = ast.arg(arg=param.id, annotation=annotation, type_comment=None)
    return ast.copy_location(new, param) if getattr(param, "lineno", None) is not None else new


_AST_CLASSES: dict = {}
_CONTEXTS_AND_OPERATORS = {getattr(gast, c.__name__): c() for c in
                           (ast.Load, ast.Store, ast.Del, ast.Add, ast.Sub, ast.Mult, ast.MatMult, ast.Div, ast.Mod,
                            ast.Pow, ast.LShift, ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.FloorDiv,
                            ast.Invert, ast.Not, ast.UAdd, ast.USub, ast.And, ast.Or, ast.Eq, ast.NotEq, ast.Lt,
                            ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn)}


def _ast_class(kind):
    """The `ast` class of the gast class `kind`, the fields that may hold nodes (`nodes.walk`'s,
    and contexts and operators), and those the `ast` class has and `kind` not."""
    target = getattr(ast, kind.__name__)
    children = tuple(f for f in kind._fields if f in ("ctx", "op", "ops") or f in child_fields(kind))
    if kind is gast.ExceptHandler:
        children = tuple(f for f in children if f != "name")
    _AST_CLASSES[kind] = target, children, tuple(f for f in target._fields if f not in kind._fields)
    return _AST_CLASSES[kind]


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
