"""Functions as values inside differentiated code (issue 10): what s2s cannot resolve when it
generates code is refused in every mode at the user's line; what it resolves is checked in every
mode against finite differences by tests/test_data.py (tests/corpus_issue10_fnvals.py)."""
import re

import numpy as np
import pytest

import corpus_issue10_fnvals as c
import s2s
from s2s import standalone
from oracles import numerical_grad

TRANSFORMS = {"grad": s2s.grad, "jvp": s2s.jvp, "hvp": s2s.hvp, "grad_of_grad": lambda f: s2s.grad(s2s.grad(f))}


@pytest.mark.parametrize("func, message, line", c.ISSUE_10_FNVALS_REFUSED,
                         ids=[f.__name__ for f, _, _ in c.ISSUE_10_FNVALS_REFUSED])
@pytest.mark.parametrize("mode", TRANSFORMS)
def test_a_function_value_s2s_cannot_resolve_is_refused_at_its_line(func, message, line, mode):
    with pytest.raises(s2s.S2SError) as error:
        TRANSFORMS[mode](func)
    text = str(error.value)
    assert re.match(r"corpus_issue10_fnvals\.py:\d+:\d+: error: ", text), text
    assert message in text
    assert text.splitlines()[1].strip() == line


def test_generated_code_calls_the_functions_directly():
    """No call through a variable is left: `functools.partial(pw, 3.0)(x)` is `pw(3.0, x)`, `apply(np.sin, x)`
    calls np.sin, map is a loop."""
    for func in (c.fv_partial, c.fv_ufunc_argument, c.fv_map):
        code = [line for line in s2s.source(s2s.grad(func)).splitlines() if not line.strip().startswith("#")]
        assert not [line for line in code if re.search(r"functools|\bmap\(|\bf\(", line)], code
    assert "np.sin(" in s2s.source(s2s.grad(c.fv_ufunc_argument))


def test_nested_grad_calls_the_made_gradient():
    x = np.array([0.4, -1.1, 0.8])
    value, gradient = s2s.value_and_grad(c.fv_nested_grad)(x)
    assert value == pytest.approx(np.sum((3 * x ** 2) ** 2))
    np.testing.assert_allclose(gradient, 36 * x ** 3, rtol=1e-12)
    np.testing.assert_allclose(numerical_grad(c.fv_nested_grad, [x], 0), 36 * x ** 3, rtol=1e-6)
    assert "grad_inner" in s2s.source(s2s.grad(c.fv_nested_grad))


def _cubed(t):
    return t ** 3


def test_a_function_argument_redefined_later_is_differentiated_anew():
    """The function given to `apply` is resolved when the derivative is made, and the derivative
    is made again once the name means another function (a notebook cell run again)."""
    x = np.array([0.5, -0.2])
    np.testing.assert_allclose(s2s.grad(c.fv_module_function_argument)(x), 6 * x ** 2, rtol=1e-12)
    saved = c.twice
    c.twice = _cubed  # a redefinition, as a notebook cell run again makes it
    try:
        np.testing.assert_allclose(s2s.grad(c.fv_module_function_argument)(x), 8 * x ** 3, rtol=1e-12)
    finally:
        c.twice = saved


@pytest.mark.parametrize("func", [c.fv_nested_grad, c.fv_partial, c.fv_factory_over_active])
def test_a_module_written_for_the_command_line_runs_without_s2s(func):
    """A derivative made inside the code (`s2s.grad(inner)`) is copied into the module, as hvp's are."""
    text = standalone.render(s2s.api.generated(s2s.grad(func)), command="s2s grad")
    assert not [line for line in text.splitlines() if line.startswith(("import s2s", "from s2s"))]
    namespace: dict = {}
    exec(compile(text, "written.py", "exec"), namespace)
    x = np.array([0.4, -1.1, 0.8])
    np.testing.assert_allclose(namespace[f"grad_{func.__name__}"](x), numerical_grad(func, [x], 0), rtol=1e-6)


@pytest.mark.parametrize("mode", ["grad", "jvp", "hvp"])
def test_a_function_default_of_the_differentiated_function_is_checked_when_it_runs(mode):
    """`layer_sum(x, act=np.tanh)` is differentiated for np.tanh; given another `act`, the
    derivative raises instead of differentiating np.tanh."""
    x = np.array([0.4, -1.1, 0.8])
    made = TRANSFORMS[mode](c.layer_sum)
    direction = () if mode == "grad" else (np.ones(3),)
    made(x, np.tanh, *direction)
    with pytest.raises(TypeError, match="calls np.tanh for `act`, its default"):
        made(x, np.sin, *direction)


def _loss_with_builtin_names(w, iter, map):
    """Parameters named like builtins (autograd's examples call the step `iter`) are values, not functions."""
    i = min(iter, 2)
    return np.sum(w ** 2) * i * map


def test_a_parameter_named_like_a_builtin_function_is_a_value():
    w = np.array([1.0, -2.0])
    assert np.allclose(s2s.grad(_loss_with_builtin_names)(w, 3, 0.5), 2 * w * 2 * 0.5)
