"""s2s.writer writes the text astor writes, byte for byte: on random statements built node by node
(operators of every precedence, negative and odd constants, calls, subscripts, what it hands to
astor), and on the code s2s generates for the golden cases, the course workloads, random
programs, and their second derivatives."""
import ast
import random
import sys
from pathlib import Path

import astor
import gast
import numpy as np
import pytest

import s2s
from s2s import api, driver, emit
from s2s.transforms.nodes import clone
from s2s.writer import Writer, to_ast

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "bench"))
import proggen  # noqa: E402
from golden_cases import CASES  # noqa: E402
from workloads import WORKLOADS  # noqa: E402


def astor_text(fn):
    """The text of the gast function `fn` as astor writes all of it (what emit did before Writer)."""
    tree = ast.Module(body=[to_ast(clone(fn))], type_ignores=[])
    return astor.to_source(tree, indent_with="    ", pretty_source="".join)


def writer_text(fn):
    tree = ast.Module(body=[clone(fn)], type_ignores=[])
    return astor.to_source(tree, indent_with="    ", pretty_source="".join, source_generator_class=Writer)


# ---- random statements -----------------------------------------------------------------
_BINOPS = [gast.Add, gast.Sub, gast.Mult, gast.MatMult, gast.Div, gast.Mod, gast.Pow, gast.LShift, gast.RShift,
           gast.BitOr, gast.BitXor, gast.BitAnd, gast.FloorDiv]
_UNARY = [gast.Invert, gast.Not, gast.UAdd, gast.USub]
_COMPARE = [gast.Eq, gast.NotEq, gast.Lt, gast.LtE, gast.Gt, gast.GtE, gast.Is, gast.IsNot, gast.In, gast.NotIn]
_CONSTANTS = [0, 1, -1, 2, 10 ** 30, 0.5, -2.5, -0.0, 1e-300, 1e300, float("inf"), float("-inf"), float("nan"),
              True, False, None, "text", "two\nlines", b"b", 1j, -2 + 3j, Ellipsis, np.float64(1.5)]


def _name(rng, store=False):
    return gast.Name(id=rng.choice(["x", "y", "_1", "d_x", "np"]), ctx=gast.Store() if store else gast.Load(),
                     annotation=None, type_comment=None)


def _expr(rng, depth):
    if depth <= 0 or rng.random() < 0.25:
        return _name(rng) if rng.random() < 0.6 else gast.Constant(value=rng.choice(_CONSTANTS), kind=None)
    d = depth - 1
    kind = rng.randrange(11)
    if kind < 3:
        return gast.BinOp(left=_expr(rng, d), op=rng.choice(_BINOPS)(), right=_expr(rng, d))
    if kind == 3:
        return gast.UnaryOp(op=rng.choice(_UNARY)(), operand=_expr(rng, d))
    if kind == 4:
        n = rng.randint(1, 2)
        return gast.Compare(left=_expr(rng, d), ops=[rng.choice(_COMPARE)() for _ in range(n)],
                            comparators=[_expr(rng, d) for _ in range(n)])
    if kind == 5:
        func = _name(rng) if rng.random() < 0.5 else gast.Attribute(value=_name(rng), attr="sum", ctx=gast.Load())
        if rng.random() < 0.1:
            func = _expr(rng, d)
        args = [_expr(rng, d) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.1:
            args.append(gast.Starred(value=_name(rng), ctx=gast.Load()))
        keywords = [gast.keyword(arg=rng.choice(["axis", None]) if rng.random() < 0.2 else "axis",
                                 value=_expr(rng, d)) for _ in range(rng.randint(0, 2))]
        return gast.Call(func=func, args=args, keywords=keywords)
    if kind == 6:
        value = _name(rng) if rng.random() < 0.7 else _expr(rng, d)
        return gast.Attribute(value=value, attr="T", ctx=gast.Load())
    if kind == 7:
        index = _expr(rng, d) if rng.random() < 0.7 else gast.Slice(lower=None, upper=_expr(rng, d), step=None)
        value = _name(rng) if rng.random() < 0.7 else _expr(rng, d)
        return gast.Subscript(value=value, slice=index, ctx=gast.Load())
    if kind == 8:
        return gast.IfExp(test=_expr(rng, d), body=_expr(rng, d), orelse=_expr(rng, d))
    if kind == 9:
        return gast.BoolOp(op=rng.choice([gast.And, gast.Or])(), values=[_expr(rng, d), _expr(rng, d)])
    return gast.Tuple(elts=[_expr(rng, d) for _ in range(rng.randint(0, 2))], ctx=gast.Load())


def _statement(rng, depth):
    kind = rng.randrange(9)
    if kind < 4:
        target = _name(rng, store=True)
        if rng.random() < 0.2:
            target = gast.Subscript(value=_name(rng), slice=_expr(rng, 1), ctx=gast.Store())
        elif rng.random() < 0.1:
            target = gast.Tuple(elts=[_name(rng, store=True), _name(rng, store=True)], ctx=gast.Store())
        return gast.Assign(targets=[target], value=_expr(rng, 3), type_comment=None)
    if kind == 4:
        return gast.Expr(value=_expr(rng, 3))
    if kind == 5:
        return gast.Return(value=_expr(rng, 2) if rng.random() < 0.8 else None)
    if kind == 6 and depth > 0:
        orelse = [] if rng.random() < 0.3 else (
            [_statement(rng, depth - 1)] if rng.random() < 0.5 else [gast.If(
                test=_expr(rng, 1), body=_block(rng, depth - 1), orelse=_block(rng, depth - 1))])
        return gast.If(test=_expr(rng, 2), body=_block(rng, depth - 1), orelse=orelse)
    if kind == 7 and depth > 0:
        return gast.For(target=_name(rng, store=True), iter=_expr(rng, 2), body=_block(rng, depth - 1), orelse=[],
                        type_comment=None)
    return gast.Pass()


def _block(rng, depth):
    return [_statement(rng, depth) for _ in range(rng.randint(1, 3))]


def _function(body):
    params = gast.arguments(args=[gast.Name(id="x", ctx=gast.Param(), annotation=None, type_comment=None)],
                            posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    return gast.FunctionDef(name="f", args=params, body=body, decorator_list=[], returns=None, type_comment=None,
                            type_params=[])


@pytest.mark.parametrize("seed", range(40))
def test_random_statements_are_written_as_astor_writes_them(seed):
    rng = random.Random(seed)
    docstring = gast.Expr(value=gast.Constant(value="Docstring.", kind=None))
    fn = _function([docstring] + [_statement(rng, 2) for _ in range(60)])
    assert writer_text(fn) == astor_text(fn)


def _snapshot(fn):
    """Each node's attributes, as the objects they hold (and a list's items)."""
    return [(n, sorted((k, id(v), [id(x) for x in v] if isinstance(v, list) else None) for k, v in vars(n).items()))
            for n in gast.walk(fn)]


def test_the_writer_leaves_the_tree_as_it_was():
    rng = random.Random(7)
    fn = _function([_statement(rng, 2) for _ in range(40)])
    before = _snapshot(fn)
    astor.to_source(ast.Module(body=[fn], type_ignores=[]), source_generator_class=Writer)
    assert _snapshot(fn) == before


# ---- generated code --------------------------------------------------------------------
@pytest.fixture
def compared(monkeypatch):
    """Every function s2s emits is written by both, and must read the same; returns the count."""
    count = []
    real = emit.function_source

    def both(fn, info):
        expected = emit._comments_to_text(astor_text(_commented(fn, info)))
        text = real(fn, info)
        assert text == expected
        count.append(fn.name)
        return text
    monkeypatch.setattr(driver, "function_source", both)
    monkeypatch.setattr(api, "_CACHE", {})   # (made afresh, not found in the cache of another test)
    return count


def _commented(fn, info):
    copy = clone(fn)
    emit._comment(copy, info)
    return copy


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_code_is_written_as_astor_writes_it(compared, name):
    func, wrt, *rest = CASES[name]
    mode = rest[0] if rest else "grad"
    like = rest[1] if len(rest) > 1 else None
    made = {"grad": s2s.grad, "jvp": s2s.jvp, "hvp": s2s.hvp}[mode](func, wrt=wrt)
    s2s.source(made, like=like()) if like is not None else s2s.source(made)
    assert compared


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_workload_code_and_its_second_derivative_are_written_as_astor_writes_them(compared, workload):
    s2s.grad(workload.f, wrt=workload.wrt)
    s2s.hvp(workload.f, wrt=workload.wrt[0])
    assert len(compared) >= 2


@pytest.mark.parametrize("seed", range(12))
def test_random_program_code_is_written_as_astor_writes_it(compared, tmp_path, seed):
    program = proggen.random_program(seed)
    module = proggen.load_program(program.source, tmp_path)
    try:
        s2s.grad(module.f, wrt=(0, 1))
        s2s.jvp(module.f, wrt=0)
    except s2s.S2SError:
        pass   # (a program s2s refuses: what it wrote before refusing was compared)
    finally:
        proggen.unload(module)
    assert compared
