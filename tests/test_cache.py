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
from s2s.parsing import parse_function

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


def edit(path, old, new):
    """Edit the module's file in place, as an editor does while the module stays imported."""
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


def module_file(m, tmp):
    return tmp / (m.__name__ + ".py")


def test_a_function_whose_file_was_edited_after_it_was_defined_is_refused(module):
    m, tmp = module
    path = module_file(m, tmp)
    edit(path, "def helper(x):\n    return np.sin(x)", "# moved\n\n\ndef helper(x):\n    return np.cos(x)")
    with pytest.raises(s2s.SourceError, match=r"`f` \(.*, line \d+\) is not the code its file holds now"):
        s2s.grad(m.f)   # `f`'s first line is now helper's body: it would differentiate another function
    importlib.reload(m)   # what the hint says: `f` and `helper` are the file's again
    np.testing.assert_allclose(s2s.grad(m.f)(X), -np.sin(X))


def test_a_helper_edited_on_its_own_lines_is_refused(module):
    m, tmp = module
    edit(module_file(m, tmp), "return np.sin(x)", "return np.tan(x)")   # `f`'s lines are as they were
    with pytest.raises(s2s.SourceError, match=r"`helper` .* is not the code its file holds now"):
        s2s.grad(m.f)(X)


def test_functions_whose_own_lines_are_unchanged_are_read_as_they_are(module):
    m, tmp = module
    edit(module_file(m, tmp), "def through_middle(x):\n    return np.sum(middle(x))",
         "def through_middle(x):\n    return np.sum(middle(x) ** 2)")   # below `f`: its lines stay
    g = s2s.grad(m.f)
    for _ in range(3):
        np.testing.assert_allclose(g(X), np.cos(X))


def test_a_derivative_made_before_the_edit_keeps_its_code(module):
    m, tmp = module
    g = s2s.grad(m.f)
    np.testing.assert_allclose(g(X), np.cos(X))
    edit(module_file(m, tmp), "return np.sin(x)", "return np.tan(x)")
    for _ in range(3):   # the code for these shapes, made at the second call, cannot be: the general code runs
        np.testing.assert_allclose(g(X), np.cos(X))


SHAPES_OF_CODE = '''\
from __future__ import annotations

import functools

import numpy as np
from numpy import sin


def nan_guard(x):
    return np.sum(np.where(np.isnan(x), float("nan"), x) * 2.0)


def annotated(x: np.ndarray) -> float:
    def inner(t: np.ndarray) -> np.ndarray:
        return t * t
    return np.sum(inner(x))


def closure(k):
    def f(x):
        return np.sum(sin(x) * k)
    return f


@functools.lru_cache(maxsize=None)
def cached_scale(n):
    return float(n)


def through_cached(x):
    return np.sum(x ** 3) * cached_scale(1)


class Base:
    def energy(self, x):
        return np.sum(x * x)


class Model(Base):
    def __init__(self):
        self.__scale = 3.0

    def energy(self, x):
        for _ in range(2):
            x = x + 0.0
        return np.sum(x * x) * self.__scale

    def with_super(self, x):
        return super().energy(x) * self.__scale
'''


def test_functions_read_from_unchanged_files_are_never_taken_for_edited_ones(tmp_path):
    path = tmp_path / "s2s_shapes_of_code.py"
    path.write_text(SHAPES_OF_CODE)
    sys.path.insert(0, str(tmp_path))
    try:
        m = importlib.import_module("s2s_shapes_of_code")
        np.testing.assert_allclose(s2s.grad(m.nan_guard)(X), 2.0 * np.ones(3))
        np.testing.assert_allclose(s2s.grad(m.annotated)(X), 2 * X)
        np.testing.assert_allclose(s2s.grad(m.closure(2.0))(X), 2.0 * np.cos(X))
        np.testing.assert_allclose(s2s.grad(m.through_cached)(X), 3 * X ** 2)
        model = m.Model()
        np.testing.assert_allclose(s2s.grad(model.energy)(X), 6 * X)
        assert parse_function(m.Model.with_super)[0].name == "with_super"   # (`__class__`, a free name)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("s2s_shapes_of_code", None)


def test_a_lambda_whose_line_was_edited_is_refused(tmp_path):
    path = tmp_path / "s2s_edited_lambda.py"
    path.write_text("import numpy as np\n\nscaled = lambda x: np.sum(x * 2.0)\n")
    sys.path.insert(0, str(tmp_path))
    try:
        m = importlib.import_module("s2s_edited_lambda")
        path.write_text("import numpy as np\n\nscaled = lambda x: np.sum(x * 3.0)\n")   # the same names
        with pytest.raises(s2s.SourceError, match="is not the code its file holds now"):
            s2s.grad(m.scaled)
        importlib.reload(m)
        np.testing.assert_allclose(s2s.grad(m.scaled)(X), 3.0 * np.ones(3))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("s2s_edited_lambda", None)
