"""Unsupported code is rejected when the derivative is generated, with a location,
the source line, a caret and a hint (SPEC §6)."""
import re

import numpy as np
import pytest

import s2s
import unsupported as u

REJECTED = [
    (u.uses_global, "global", "uses_global", "global COUNTER"),
    (u.uses_nonlocal, "`nonlocal`", "uses_nonlocal", "nonlocal y"),
    (u.nested_def_in_branch, "top level", "nested_def_in_branch", "def half(t):"),
    (u.lambda_in_list, "used as a value", "lambda_in_list", "fs = [lambda t: t * x, np.sin]"),
    (u.local_function_as_value, "used as a value", "local_function_as_value", "pair = (sq, x)"),
    (u.recursive_local_function, "calls itself", "recursive_local_function", "def fact(n):"),
    (u.uses_yield, "yield", "uses_yield", "yield x"),
    (u.uses_try, "`try`", "uses_try", "try:"),
    (u.uses_with, "`with`", "uses_with", 'with open("f") as fh:'),
    (u.uses_eval, "`eval()`", "uses_eval", 'return eval("x * 2")'),
    (u.uses_exec, "`exec()`", "uses_exec", 'exec("y = 1")'),
    (u.uses_class, "class", "uses_class", "class A:"),
    (u.uses_del, "`del`", "uses_del", "del y"),
    (u.nested_subscript_write, "subscript of an expression", "nested_subscript_write", "y[0][1] = x"),
    (u.view_read_after_write, "`first` shares its memory", "view_read_after_write", "y[0] = x"),
    (u.alias_read_after_write, "`z` shares its memory", "alias_read_after_write", "y[1] = x"),
    (u.swap_rows, "read earlier in this statement", "swap_rows", "m[0], m[1] = m[1], m[0]"),
    (u.calls_opaque, "no derivative rule for `opaque`", "calls_opaque", "return opaque(x) * x"),
    (u.calls_builtin_without_rule, "no derivative rule for `np.fft.rfft`", "calls_builtin_without_rule",
     "return np.sum(np.fft.rfft(x) * 2.0)"),
    (u.calls_helper_with_bad_code, "`try`", "_bad_helper", "try:"),
    (u.reads_real, "the attribute `.real`", "reads_real", "return x.real * 2.0"),
    (u.reads_flat, "the attribute `.flat`", "reads_flat", "return x.flat[1] * 2.0"),
    (u.calls_unknown_method, "no derivative rule for `.conj()`", "calls_unknown_method", "return x.conj() * 2.0"),
]


@pytest.mark.parametrize("func, what, where, line", REJECTED, ids=[r[0].__name__ for r in REJECTED])
def test_rejected_at_generation_with_location_caret_and_hint(func, what, where, line):
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(func)
    text = str(info.value)
    first, source_line, caret, *rest = text.splitlines()
    assert re.match(r"unsupported\.py:\d+:\d+: error: ", first), first
    assert what in first
    assert source_line.strip() == line
    assert caret.strip() == "^"
    assert rest and rest[-1].startswith("hint: ")
    err = info.value
    assert err.location.filename == "unsupported.py"
    with open(u.__file__) as fh:
        assert fh.read().splitlines()[err.location.line - 1].strip() == line


def test_no_rule_error_shows_how_to_register():
    with pytest.raises(s2s.NoRuleError) as info:
        s2s.grad(u.calls_opaque)
    assert "s2s.rule" in str(info.value)


def test_async_function_is_rejected():
    with pytest.raises(s2s.S2SError, match="async"):
        s2s.grad(u.uses_async)


def test_builtin_without_a_rule_and_lambda_without_source_are_rejected():
    with pytest.raises(s2s.S2SError, match="not a Python function"):
        s2s.grad(np.isfinite)   # np.sin has a rule: s2s.grad(np.sin) works
    square = eval("lambda x: x * x")  # no source file behind it
    with pytest.raises(s2s.S2SError, match="cannot read the source"):
        s2s.grad(square)


def test_bad_wrt():
    with pytest.raises(s2s.S2SError, match="out of range"):
        s2s.grad(u.uses_try, wrt=3)
    with pytest.raises(s2s.S2SError, match="not a parameter"):
        s2s.grad(u.uses_try, wrt="y")


def test_every_error_is_an_s2s_error():
    for cls in (s2s.UnsupportedError, s2s.NoRuleError, s2s.SourceError):
        assert issubclass(cls, s2s.S2SError)
