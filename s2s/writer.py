"""Writer: the text astor writes for a generated function, written faster where that is safe.

astor writes any tree, at a price per node: a method looked up by name, a closure call per
piece of text, a precedence set on every child, a context manager per operator that may need
parentheses. For a long gradient that was most of the time of emitting it, with the conversion
of every gast node to an `ast` node that astor needs besides.

Most generated statements are one primitive operation on names and numbers (`_3 = _4 + b`,
`d_h = d_h * 0.5`, `_stack.append(h)`). `Writer` writes such a statement's line itself,
straight from the gast nodes, following astor's rules for exactly the nodes it accepts (the
same operator symbols and precedences, from astor's own tables, and its parentheses, numbers
and `None`); `_text` answers None for any other node, and the statement is then converted to
`ast` (`to_ast`) and written by astor, as before. Compound statements are converted
without their bodies (`_header`), so that each statement in a body again gets the fast path.
The text is byte for byte astor's: `tests/test_writer.py` compares both on generated code of
every kind.
"""
from __future__ import annotations

import ast
import math

import gast
from astor.code_gen import SourceGenerator
from astor.op_util import Precedence, precedence_data, symbol_data

from .transforms.nodes import child_fields

_GAST = gast.Assign.__module__   # the module of gast's node classes (those of `ast` are not in it)

# astor's precedence and symbol of each operator and node, for the gast class of that name
_PRECEDENCE = {getattr(gast, k.__name__): v for k, v in precedence_data.items()
               if k is not None and hasattr(gast, k.__name__)}
_SYMBOL = {getattr(gast, k.__name__): v for k, v in symbol_data.items()
           if k is not None and hasattr(gast, k.__name__)}
_CONSTANT, _SUBSCRIPT = _PRECEDENCE[gast.Constant], _PRECEDENCE[gast.Subscript]
_POW_LEFT, _POW_RIGHT = Precedence.Pow + 1, Precedence.PowRHS
_BLOCKS = ("body", "orelse", "finalbody", "handlers")


def _text(node, pp):
    """What astor writes for the expression `node` whose parent set its precedence to `pp`, or
    None for a node this function does not write."""
    kind = type(node)
    if kind is gast.Name:
        return node.id
    if kind is gast.Constant:   # (astor: numbers in `delimit`, other constants as `repr`)
        value = node.value
        if value is None:
            return "None"
        if type(value) in (int, bool) or type(value) is float and math.isfinite(value):
            return repr(value) if _CONSTANT >= pp else f"({value!r})"
        return None
    if kind is gast.BinOp:
        p = _PRECEDENCE.get(type(node.op))
        pow_ = type(node.op) is gast.Pow
        left = _text(node.left, _POW_LEFT if pow_ else p) if p is not None else None
        right = _text(node.right, _POW_RIGHT if pow_ else p + 1) if left is not None else None
        if right is None:
            return None
        text = f"{left} {_SYMBOL[type(node.op)]} {right}"
        return text if p >= pp else f"({text})"
    if kind is gast.Call:
        return _call(node)
    if kind is gast.Attribute:
        return _dotted(node)
    if kind is gast.UnaryOp:
        p = _PRECEDENCE.get(type(node.op))
        operand = _text(node.operand, p) if p is not None else None
        if operand is None:
            return None
        symbol = _SYMBOL[type(node.op)]
        text = f"{symbol} {operand}" if symbol.isalpha() else symbol + operand
        return text if p >= pp else f"({text})"
    if kind is gast.Compare:
        p = _PRECEDENCE.get(type(node.ops[0])) if node.ops else None
        parts = [_text(node.left, p + 1)] if p is not None else [None]
        for op, right in zip(node.ops, node.comparators):
            symbol = _SYMBOL.get(type(op))
            parts += [symbol, _text(right, p + 1)]
        if None in parts:
            return None
        text = parts[0] + "".join(f" {parts[k]} {parts[k + 1]}" for k in range(1, len(parts), 2))
        return text if p >= pp else f"({text})"
    if kind is gast.Subscript:
        value = node.value.id if type(node.value) is gast.Name else None
        index = _text(node.slice, _SUBSCRIPT) if value is not None else None
        return None if index is None else f"{value}[{index}]"
    return None


def _dotted(node):
    """`np.linalg.norm`: astor writes an attribute's value with no precedence (a name, or a dotted
    path, needs none)."""
    if type(node) is gast.Name:
        return node.id
    if type(node) is gast.Attribute:
        value = _dotted(node.value)
        return None if value is None else f"{value}.{node.attr}"
    return None


def _call(node):
    func = _dotted(node.func)
    if func is None:
        return None
    args, keywords = node.args, node.keywords
    p = Precedence.Comma if len(args) + len(keywords) > 1 else Precedence.call_one_arg
    parts = [None if type(a) is gast.Starred else _text(a, p) for a in args]
    for k in keywords:   # (`**options`: astor's)
        value = None if k.arg is None else _text(k.value, Precedence.Comma)
        parts.append(None if value is None else f"{k.arg}={value}")
    return None if None in parts else f"{func}({', '.join(parts)})"


def _target(node):
    """An assignment's target as astor writes it: a name, `y[i]`, `obj.attr`."""
    if type(node) is gast.Subscript:
        return _text(node, Precedence.highest)
    return _dotted(node)


def _line(node):
    """The text of the simple statement `node`, or None (astor writes it)."""
    kind = type(node)
    if kind is gast.Assign:
        targets = [_target(t) for t in node.targets]
        value = _text(node.value, _PRECEDENCE[gast.Assign]) if None not in targets else None
        return None if value is None else "".join(t + " = " for t in targets) + value
    if kind is gast.Expr:
        return _text(node.value, _PRECEDENCE[gast.Expr])
    if kind is gast.Return:
        if node.value is None:
            return "return"
        value = _text(node.value, _PRECEDENCE[gast.Return])
        return None if value is None else "return " + value
    return None


class Writer(SourceGenerator):
    """astor's SourceGenerator, fed gast statements: it writes the simple ones itself and hands
    the others to astor converted (see the module's docstring)."""

    def visit(self, node, *args):
        if type(node).__module__ != _GAST:   # an `ast` node: astor's
            return super().visit(node, *args)
        text = _line(node)
        if text is None:
            return super().visit(_header(node))
        self.newline(node)
        self.write(text)
        return None


def _header(node):
    """`to_ast(node)` but for the statements in its blocks (a body, an `else`, handlers), which stay
    gast for the writer to reach one by one. An `else` that is a lone `if` is converted too: astor
    writes it as `elif` only if it is an `ast.If`."""
    blocks = [(f, getattr(node, f)) for f in _BLOCKS if isinstance(getattr(node, f, None), list)]
    for field, _ in blocks:
        setattr(node, field, [])
    try:
        new = to_ast(node)
    finally:
        for field, value in blocks:
            setattr(node, field, value)
    for field, value in blocks:
        setattr(new, field, value)
    if type(new) is ast.If and len(new.orelse) == 1 and type(new.orelse[0]) is gast.If:
        new.orelse = [_header(new.orelse[0])]
    return new


def to_ast(node):
    """The Python `ast` tree of the gast tree `node`, for astor: what `gast.gast_to_ast` gives for the
    nodes generated code holds, faster (it was half the time of writing the source).
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
