"""The Python API of SPEC §3."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import apifuncs as a
import s2s
from oracles import assert_grads_close, numerical_grad

RNG = np.random.default_rng(3)
W, B, X = RNG.normal(size=3), 0.2, RNG.normal(size=(4, 3))


def test_wrt_by_index_name_and_tuple():
    by_index = s2s.grad(a.model, wrt=0)(W, B, X)
    by_name = s2s.grad(a.model, wrt="w")(W, B, X)
    np.testing.assert_array_equal(by_index, by_name)
    both = s2s.grad(a.model, wrt=("b", 0))(W, B, X)
    assert isinstance(both, tuple) and len(both) == 2
    assert_grads_close(a.model, both, (W, B, X), (1, 0))


def test_value_and_grad():
    value, grad = s2s.value_and_grad(a.model, wrt=(0, 1))(W, B, X)
    assert value == pytest.approx(a.model(W, B, X), rel=1e-15)
    assert_grads_close(a.model, grad, (W, B, X), (0, 1))


def test_vjp_takes_the_seed_after_all_arguments():
    x = RNG.normal(size=4)
    seed = RNG.normal(size=4)
    cot = s2s.vjp(a.vector_valued)(x, seed)
    np.testing.assert_allclose(cot, seed * 2.0 * np.cos(x), rtol=1e-14)


def test_grad_of_vector_output_is_a_clear_error():
    with pytest.raises(TypeError, match="returns a scalar"):
        s2s.grad(a.vector_valued)(np.ones(3))


def test_differentiate_bare_and_with_wrt():
    assert a.decorated(0.5) == pytest.approx(np.sin(0.5) * 0.5)
    assert a.decorated.grad(0.5) == pytest.approx(np.cos(0.5) * 0.5 + np.sin(0.5))
    x = RNG.normal(size=3)
    dw, db = a.decorated_wrt.grad(0.3, 0.1, x)
    assert dw == pytest.approx(np.sum(2 * (x * 0.3 + 0.1) * x))
    assert db == pytest.approx(np.sum(2 * (x * 0.3 + 0.1)))
    value, _ = a.decorated.value_and_grad(0.5)
    assert value == a.decorated(0.5)
    assert "def grad_decorated(x):" in a.decorated.source
    assert "differentiate" not in a.decorated.source


def test_differentiate_resolves_helpers_defined_after_it():
    assert a.uses_helper_defined_later.grad(3.0) == 12.0


def test_a_decorated_function_called_by_another_is_differentiated_through():
    # it was refused: "no derivative rule for `decorated_wrt`, and s2s cannot read its source"
    x = RNG.normal(size=3)
    g = s2s.grad(a.calls_decorated, wrt=(0, 1))
    for _ in range(3):
        assert_grads_close(a.calls_decorated, g(0.3, 0.1, x), (0.3, 0.1, x), (0, 1))
    model, w = a.Scaled(3.0), RNG.normal(size=3)
    np.testing.assert_allclose(s2s.grad(model.loss)(w), 6.0 * w + 1.0)


def test_hessians_and_jacobians_of_partials_defaults_keywords_and_float32():
    import functools
    m = np.array([0.3, -0.2])
    # with respect to a parameter left to its default, or given by name (IndexError before)
    assert s2s.hessian(a.free_energy, wrt="beta")(m) == pytest.approx(6 * 1.5 * np.sum(m ** 2), rel=1e-12)
    assert s2s.hessian(a.free_energy, wrt="beta")(m, beta=2.0) == pytest.approx(12 * np.sum(m ** 2), rel=1e-12)
    np.testing.assert_allclose(s2s.jacobian(a.free_energy, wrt="beta")(m, beta=2.0),
                               numerical_grad(lambda b: a.free_energy(m, b), [2.0], 0), rtol=1e-6)
    # of a functools.partial (AttributeError: no __name__, before)
    fixed = functools.partial(a.free_energy, beta=2.0)
    np.testing.assert_allclose(s2s.hessian(fixed)(m), np.diag(2 * 2.0 ** 3 - 2.0 * np.sin(m)), rtol=1e-12)
    np.testing.assert_allclose(s2s.jacobian(fixed)(m), 2 * 2.0 ** 3 * m + 2.0 * np.cos(m), rtol=1e-12)
    # float32 stays float32, as in grad and hvp
    m32 = m.astype(np.float32)
    assert s2s.hessian(a.free_energy)(m32).dtype == np.float32
    assert s2s.jacobian(np.sin)(m32).dtype == np.float32
    assert type(s2s.hessian(a.free_energy, wrt="beta")(m32, np.float32(1.5))) is np.float32


def test_hessians_and_jacobians_of_trees_are_refused_with_the_way_round():
    ps, w = (np.array([1.0, 2.0]), 0.5), np.ones(2)
    with pytest.raises(s2s.S2SError, match=r"s2s.hessian is taken with respect to arrays and numbers, but `ps` is a tuple"):
        s2s.hessian(a.pair_energy)(ps, w)
    with pytest.raises(s2s.S2SError, match=r"s2s.jacobian is made of arrays and numbers"):
        s2s.jacobian(a.pair_energy)(ps, w)
    np.testing.assert_allclose(s2s.hvp(a.pair_energy)(ps, w, (np.array([1.0, 0.0]), 0.0))[0], [1.0, 0.0])


def test_user_rule_registered_with_the_public_decorator():
    x = RNG.normal(size=3)
    g = s2s.grad(a.uses_user_rule)(x)
    np.testing.assert_allclose(g, numerical_grad(a.uses_user_rule, (x,), 0), rtol=1e-6)
    assert "3 * x ** 2" in s2s.source(s2s.grad(a.uses_user_rule))  # the rule's own expression, inlined


def test_generation_is_cached():
    assert s2s.grad(a.model, wrt=(0, 1)) is s2s.grad(a.model, wrt=(0, 1))
    assert s2s.grad(a.model) is not s2s.grad(a.model, optimize=False)


def test_unoptimized_code_gives_the_same_gradient():
    np.testing.assert_allclose(s2s.grad(a.model, optimize=False)(W, B, X), s2s.grad(a.model)(W, B, X), rtol=1e-14)


def test_source_shows_header_and_citations():
    text = s2s.source(s2s.grad(a.model, wrt=(0, 1)))
    assert text.startswith("# Generated by s2s")
    assert "with respect to w, b" in text
    assert "# grad of: return np.sum(np.tanh(x @ w + b) ** 2)    (apifuncs.py:8)" in text
    with pytest.raises(s2s.S2SError):
        s2s.source(a.model)


def test_generated_function_checks_its_arguments_like_the_original():
    g = s2s.grad(a.model)
    with pytest.raises(TypeError, match="x"):
        g(W, B)
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        g(W, B, X, z=1)
    np.testing.assert_array_equal(g(W, b=B, x=X), g(W, B, X))


def test_generated_source_is_deterministic_across_processes(tmp_path):
    code = ("import sys; sys.path.insert(0, 'tests'); import s2s, apifuncs; "
            "print(s2s.source(s2s.grad(apifuncs.model, wrt=(0, 1))), end='')")
    root = Path(__file__).resolve().parents[1]
    code = code.replace("'tests'", repr(str(root / "tests")))
    runs = [subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                           env={"PYTHONHASHSEED": seed, "PATH": "", "PYTHONPATH": str(root)})
            for seed in ("1", "2")]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stdout == s2s.source(s2s.grad(a.model, wrt=(0, 1)))


def test_stop_gradient_is_the_identity():
    assert s2s.stop_gradient(3.0) == 3.0


@pytest.mark.parametrize("value, what, fix", [
    (3, "an int (3)", "3.0"),
    (True, "a bool (True)", "1.0"),
    (np.int64(3), "a numpy.int64 (3)", "3.0"),
    (np.arange(3), "an array of dtype int64", "x.astype(float)"),
    (np.array([True, False, True]), "an array of dtype bool", "x.astype(float)"),
])
def test_integer_wrt_argument_is_a_clear_error(value, what, fix):
    for make in (s2s.grad, s2s.value_and_grad, s2s.jacobian, s2s.hessian):
        with pytest.raises(s2s.IntegerArgumentError) as caught:
            make(a.power_sum)(value, 3)
        text = str(caught.value)
        assert "`power_sum` with respect to `x`" in text and what in text and fix in text, text
        assert isinstance(caught.value, s2s.S2SError) and isinstance(caught.value, TypeError)
    for call in (lambda: s2s.vjp(a.power_sum)(value, 3, 1.0), lambda: s2s.jvp(a.power_sum)(value, 3, 1.0),
                 lambda: s2s.hvp(a.power_sum)(value, 3, 1.0), lambda: s2s.grad(a.power_sum)(x=value, n=3)):
        with pytest.raises(s2s.IntegerArgumentError, match="with respect to `x`"):
            call()


def test_integer_inside_a_container_argument_names_where():
    with pytest.raises(s2s.IntegerArgumentError, match=r"`params\['b'\]\[0\]`") as caught:
        s2s.grad(a.params_loss)({"w": np.ones(2), "b": [2]}, np.ones(2))
    assert "2.0" in str(caught.value)
    with pytest.raises(s2s.IntegerArgumentError, match=r"params\['w'\].astype\(float\)"):
        s2s.grad(a.params_loss)({"w": np.arange(2), "b": [2.0]}, np.ones(2))
    grads = s2s.grad(a.params_loss)({"w": np.ones(2), "b": [2.0]}, np.array([1.0, 3.0]))
    np.testing.assert_allclose(grads["w"], [1.0, 3.0])
    assert grads["b"][0] == pytest.approx(4.0)


def test_decorated_function_checks_its_wrt_arguments():
    with pytest.raises(s2s.IntegerArgumentError, match="`decorated` with respect to `x`"):
        a.decorated.grad(2)
    assert a.decorated(2) == pytest.approx(np.sin(2) * 2)  # still the plain function


def test_integer_arguments_not_differentiated_and_integer_directions_are_fine():
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2s.grad(a.power_sum)(x, 3), 3 * x ** 2)  # n is an int: not in wrt
    value, tangent = s2s.jvp(a.power_sum)(x, 3, np.array([1, 0]))  # an int tangent becomes float
    assert tangent == pytest.approx(3.0) and isinstance(tangent, float)
    np.testing.assert_allclose(s2s.vjp(a.power_sum)(x, 3, 2), 6 * x ** 2)  # an int seed too
    np.testing.assert_allclose(s2s.hvp(a.power_sum)(x, 3, np.array([0, 1])), [0.0, 12.0])


def test_checked_functions_keep_source_and_higher_order():
    g = s2s.grad(a.power_sum)
    assert "def grad_power_sum(x, n):" in s2s.source(g)
    assert s2s.grad(s2s.grad(a.power_sum))(2.0, 3) == pytest.approx(12.0)  # d/dx 3x^2
    assert s2s.jvp(s2s.grad(a.power_sum))(2.0, 3, 1.0)[1] == pytest.approx(12.0)
    with pytest.raises(s2s.IntegerArgumentError):
        s2s.grad(s2s.grad(a.power_sum))(2, 3)
