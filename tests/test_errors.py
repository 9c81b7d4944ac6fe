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
    (u.uses_yield, "yield", "uses_yield", "sent = yield x"),
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
    (u.calls_bound_method_of_global, "no derivative rule for `LAYER.forward_pass`", "calls_bound_method_of_global",
     "return np.sum(LAYER.forward_pass(x))"),
    (u.calls_fft, "no derivative rule for `np.fft.fft`", "calls_fft", "return np.sum(np.fft.fft(x).real)"),
    (u.local_lambda_without_rule, "no derivative rule for `.conj()`", "local_lambda_without_rule",
     "f = lambda t: t.conj() * t"),
    (u.returns_a_bool, "`returns_a_bool` returns a bool", "returns_a_bool", "close = np.allclose(x, x * 3.0 / 3.0)"),
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
    with pytest.raises(s2s.S2SError, match=r"unsupported\.py:\d+:1: error: .*async") as info:
        s2s.grad(u.uses_async)
    assert info.value.location.text.startswith("async def uses_async(")


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


# Issue 10, item 6: a hint is something the user can write: the function or method named as s2s.rule
# takes it, or a call s2s can read; never a label such as `s2s.rule(.forward_pass(), ...)`.
HINTS = [
    (u.calls_unknown_method, 0, ['use `np.conj(...)`', 's2s.rule(method="conj", args="self", self="g * ...")']),
    (u.calls_method_of_parameter, 1, ['s2s.rule(method="forward_pass", args="self, x", x="g * ...")',
                                      "module-level function"]),
    (u.calls_bound_method_of_global, 0, ["`Layer.forward_pass(LAYER, ...)`"]),
    (u.calls_fft, 0, ['s2s.rule(np.fft.fft, a="g * ...")']),
    (u.calls_opaque, 0, ['s2s.rule(opaque, x="g * ...")']),
]


@pytest.mark.parametrize("func, wrt, wanted", HINTS, ids=[h[0].__name__ for h in HINTS])
@pytest.mark.parametrize("transform", [s2s.grad, s2s.jvp], ids=["grad", "jvp"])
def test_hint_names_what_to_write(func, wrt, wanted, transform):
    with pytest.raises(s2s.NoRuleError) as info:
        transform(func, wrt=wrt)
    hint = info.value.hint
    assert "s2s.rule(." not in hint and "()," not in hint
    for text in wanted:
        assert text in hint


def test_bound_method_hint_works():
    """What the hint for `LAYER.forward_pass(x)` says to write is differentiated."""
    def through_class(x):
        return np.sum(u.Layer.forward_pass(u.LAYER, x))
    x = np.array([0.3, -0.7])
    assert np.allclose(s2s.grad(through_class)(x), 1 - np.tanh(x) ** 2)


def test_error_in_a_lambda_names_the_lambda_line():
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(u.local_lambda_without_rule)
    loc = info.value.location
    with open(u.__file__) as fh:
        line = fh.read().splitlines()[loc.line - 1]
    assert line.strip() == "f = lambda t: t.conj() * t" and line[loc.col:].startswith("t.conj()")


# Issue 10, item 6: errors about calls name the user's line, and what is wrong there.
AT_THE_USERS_LINE = [
    (u.calls_helper_with_too_many_arguments, "does not match `_two_parameters(a, b=1.0)`: too many positional",
     "return np.sum(_two_parameters(x, 2.0, 3.0))"),
    (u.calls_undefined_function, "`undefined_function` is not defined", "return np.sum(undefined_function(x))"),
    (u.calls_decorated_helper, "`_decorated` has a decorator s2s does not know", "@_decorate"),
]


@pytest.mark.parametrize("func, what, line", AT_THE_USERS_LINE, ids=[r[0].__name__ for r in AT_THE_USERS_LINE])
@pytest.mark.parametrize("transform", [s2s.grad, s2s.jvp, s2s.hvp], ids=["grad", "jvp", "hvp"])
def test_call_errors_name_the_users_line(func, what, line, transform):
    with pytest.raises(s2s.S2SError) as info:
        transform(func)
    err = info.value
    assert what in err.message
    assert err.location is not None and err.location.filename == "unsupported.py"
    assert err.location.text.strip().startswith(line)


def test_error_about_a_module_lambda_says_which_lambda():
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(u.calls_lambda_with_a_wrong_keyword)
    err = info.value
    assert re.search(r"`lambda t, k=2\.0` \(unsupported\.py:\d+\)", err.message), err.message
    assert err.location.text.strip() == "return np.sum(_scale_lambda(x, c=3.0))"


@pytest.mark.parametrize("transform", [s2s.hvp, lambda f: s2s.grad(s2s.grad(f))], ids=["hvp", "grad_of_grad"])
def test_second_order_refusal_names_the_users_line(transform):
    """A second derivative refused in the code s2s generated names the user's line it came from."""
    s2s.grad(u.second_order_through_opaque_rule)  # the first derivative is made
    with pytest.raises(s2s.NoRuleError) as info:
        transform(u.second_order_through_opaque_rule)
    err = info.value
    assert err.location.filename == "unsupported.py"
    assert err.location.text == "return np.sum(_rule_through_opaque(y) ** 2)"
    assert "no derivative rule for `opaque`" in err.message and "<s2s grad_second_order_through_opaque_rule>" in err.message
    assert str(err).startswith(f"unsupported.py:{err.location.line}:1: error: ")
