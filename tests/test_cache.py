"""Cached derivatives follow redefinitions of the functions they were generated from.

Re-running a notebook cell executes a new `def helper` into the module's
globals: every transform of a function that calls `helper` (directly or
through another function) must differentiate the new one. Oracles:
derivatives by hand of the old and the new helper.
"""
import importlib
import sys

import numpy as np
import pytest

import s2s

MODULE = '''\
import numpy as np

import s2s
import {name}_lib as lib


def helper(x):
    return np.sin(x)


def middle(x):
    return helper(x) * 2.0


def f(x):
    return np.sum(helper(x))


def through_middle(x):
    return np.sum(middle(x))


def through_attribute(x):
    return np.sum(lib.curve(x))


@s2s.differentiate
def decorated(x):
    return np.sum(helper(x))
'''
LIB = '''\
def curve(x):
    return x * x
'''
X = np.array([0.3, -1.2, 2.0])
V = np.array([1.0, 0.5, -2.0])


@pytest.fixture
def module(tmp_path, request):
    name = f"s2s_cache_{request.node.name}"
    (tmp_path / f"{name}.py").write_text(MODULE.format(name=name))
    (tmp_path / f"{name}_lib.py").write_text(LIB)
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(name), tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)
        sys.modules.pop(f"{name}_lib", None)


def run_cell(namespace, path, source):
    """What re-running a notebook cell does: execute new definitions into the module's globals."""
    path.write_text(source)
    exec(compile(source, str(path), "exec"), namespace)


CUBE = "def helper(x):\n    return x ** 3\n"


def test_every_transform_sees_a_redefined_helper(module):
    m, tmp = module
    before = {"grad": s2s.grad(m.f), "value_and_grad": s2s.value_and_grad(m.f), "jvp": s2s.jvp(m.f),
              "hvp": s2s.hvp(m.f), "vjp": s2s.vjp(m.f), "decorated": m.decorated.grad}
    np.testing.assert_allclose(before["grad"](X), np.cos(X))
    np.testing.assert_allclose(before["hvp"](X, V), -np.sin(X) * V)
    np.testing.assert_allclose(m.decorated.grad(X), np.cos(X))
    assert s2s.grad(m.f) is before["grad"]   # nothing changed: the cached derivative is kept
    assert s2s.hvp(m.f) is before["hvp"]

    run_cell(vars(m), tmp / "cell.py", CUBE)
    np.testing.assert_allclose(s2s.grad(m.f)(X), 3 * X ** 2)
    value, gradient = s2s.value_and_grad(m.f)(X)
    assert value == pytest.approx(np.sum(X ** 3)) and np.allclose(gradient, 3 * X ** 2)
    assert s2s.jvp(m.f)(X, V)[1] == pytest.approx(np.sum(3 * X ** 2 * V))
    np.testing.assert_allclose(s2s.hvp(m.f)(X, V), 6 * X * V)
    np.testing.assert_allclose(s2s.hessian(m.f)(X), np.diag(6 * X))
    np.testing.assert_allclose(s2s.vjp(m.f)(X, 1.0), 3 * X ** 2)
    np.testing.assert_allclose(m.decorated.grad(X), 3 * X ** 2)
    assert "x ** 3" in m.decorated.source and "(cell.py:2)" in m.decorated.source
    np.testing.assert_allclose(s2s.grad(s2s.grad(lambda_free(m)))(0.4), 6 * 0.4)
    now = {"decorated": m.decorated.grad, **{mode: getattr(s2s, mode)(m.f) for mode in before if mode != "decorated"}}
    assert all(now[mode] is not before[mode] for mode in before)   # each was generated again
    np.testing.assert_allclose(before["grad"](X), np.cos(X))   # what was returned before is left as it was


def lambda_free(m):
    return m.helper   # a function of the cell, differentiated directly


def test_a_helper_called_through_another_function(module):
    m, tmp = module
    np.testing.assert_allclose(s2s.grad(m.through_middle)(X), 2 * np.cos(X))
    run_cell(vars(m), tmp / "cell.py", CUBE)
    np.testing.assert_allclose(s2s.grad(m.through_middle)(X), 6 * X ** 2)
    np.testing.assert_allclose(s2s.hvp(m.through_middle)(X, V), 12 * X * V)


def test_a_helper_replaced_in_another_module(module):
    m, tmp = module
    np.testing.assert_allclose(s2s.grad(m.through_attribute)(X), 2 * X)
    run_cell(vars(m.lib), tmp / "cell.py", "import numpy as np\ndef curve(x):\n    return np.exp(x)\n")
    np.testing.assert_allclose(s2s.grad(m.through_attribute)(X), np.exp(X))
    assert s2s.jvp(m.through_attribute)(X, V)[1] == pytest.approx(np.sum(np.exp(X) * V))


def test_a_global_that_starts_shadowing_a_builtin(module):
    m, tmp = module
    run_cell(vars(m), tmp / "cell.py", "import numpy as np\ndef g(x):\n    return np.sum(abs(x) * 2.0)\n")
    np.testing.assert_allclose(s2s.grad(m.g)(X), 2 * np.sign(X))
    run_cell(vars(m), tmp / "cell2.py", "import numpy as np\ndef abs(x):\n    return np.sin(x)\n")
    np.testing.assert_allclose(s2s.grad(m.g)(X), 2 * np.cos(X))


def test_the_second_order_source_follows_the_new_helper(module):
    m, tmp = module
    gradient = s2s.grad(m.f)
    run_cell(vars(m), tmp / "cell.py", CUBE)
    renewed = s2s.grad(m.f)
    assert renewed is not gradient
    assert "x ** 3" not in s2s.source(gradient) and "x ** 3" in s2s.source(renewed)
    assert "jvp_bwd_helper" in s2s.source(s2s.hvp(m.f))
    np.testing.assert_allclose(s2s.jvp(renewed)(X, V)[1], 6 * X * V)


def test_a_rule_registered_again_replaces_the_one_a_derivative_was_made_with(module):
    m, tmp = module
    run_cell(vars(m), tmp / "cell.py", "import numpy as np\ndef soft(x):\n    return np.log1p(np.exp(x))\n\n"
             "def uses_soft(x):\n    return np.sum(soft(x))\n")
    s2s.rule(m.soft, x="g * 2.0", elementwise=True)   # a wrong rule, as a first attempt might be
    np.testing.assert_allclose(s2s.grad(m.uses_soft)(X), 2.0 * np.ones(3))
    s2s.rule(m.soft, x="g / (1.0 + np.exp(-x))", elementwise=True)   # the cell defining it, fixed and run again
    sigmoid = 1.0 / (1.0 + np.exp(-X))
    np.testing.assert_allclose(s2s.grad(m.uses_soft)(X), sigmoid)
    assert s2s.jvp(m.uses_soft)(X, V)[1] == pytest.approx(np.sum(sigmoid * V))


def test_a_derivative_made_before_a_redefinition_stays_itself_to_second_order(module):
    m, tmp = module
    old = s2s.grad(m.f)
    run_cell(vars(m), tmp / "cell.py", CUBE)
    new = s2s.grad(m.f)
    for _ in range(2):   # alternately: each reads its own generated source (ORIGINS), whatever linecache last held
        assert s2s.grad(old)(0.4) == pytest.approx(-np.sin(0.4), rel=1e-12)
        assert s2s.grad(new)(0.4) == pytest.approx(6 * 0.4, rel=1e-12)
        np.testing.assert_allclose(s2s.jvp(old)(X, V)[1], -np.sin(X) * V)
    assert "np.sin" in s2s.source(old) and "x ** 3" in s2s.source(new)
