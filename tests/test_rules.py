"""Every derivative rule, in both modes, against central finite differences (an oracle
independent of s2s).

The cases (one small function per primitive and form, several shapes each)
and the finite-difference helper are in ``rulecases.py`` and the
``rulecases_<family>.py`` files it imports. Each case differentiates
``f(*args, w)`` with ``s2s.grad`` and compares every gradient with central
differences of the original function, after checking it has its argument's
shape (a scalar for a Python float). In forward mode, ``s2s.jvp`` along a
random direction is compared with the central difference along that direction.

The coverage tests read the case functions' source (not s2s) to see which
primitives they apply, and fail when a registered differentiable rule has no
case: adding a rule means adding a case here.
"""
import inspect

import numpy as np
import pytest

import rulecases
import rulecases_issue10
import s2s
from oracles import general_code
from s2s.rules import _BY_ATTRIBUTE, _BY_METHOD, all_rules


@pytest.mark.parametrize("case", rulecases.params())
def test_rule_matches_finite_differences(case):
    df = s2s.grad(case.fn, wrt=case.wrt)
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in case.args)
    df(*args)   # the code for these arguments' shapes is made at the second call with them
    gradient = df(*args)
    for before, after in zip(case.args, args):
        assert np.array_equal(before, after), "the gradient changed its inputs"
    problems = rulecases.check_gradient(case, gradient)
    assert not problems, (f"{case.id}: " + "\n".join(problems) + "\n--- generated ---\n" + s2s.source(df))


@pytest.mark.parametrize("case", rulecases.params())
def test_rule_general_code_matches_finite_differences(case):
    """The same, through the code for any shapes (what runs at the first call with a signature, and
    once a gradient has seen many, and what `s2s grad` writes without --like); the test above runs
    the code made for the arguments' shapes."""
    df = s2s.grad(case.fn, wrt=case.wrt)
    with general_code(df):
        gradient = df(*case.args)
    problems = rulecases.check_gradient(case, gradient)
    assert not problems, (f"{case.id}: " + "\n".join(problems) + "\n--- generated ---\n" + s2s.source(df))


@pytest.mark.parametrize("case", rulecases.params())
def test_rule_jvp_matches_finite_differences(case):
    df = s2s.jvp(case.fn, wrt=case.wrt)
    tangents = rulecases.directions(case)
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in case.args)
    value, tangent = df(*args, *tangents)
    for before, after in zip(case.args, args):
        assert np.array_equal(before, after), "the jvp changed its inputs"
    problems = rulecases.check_tangent(case, tangents, value, tangent)
    assert not problems, (f"{case.id}: " + "\n".join(problems) + "\n--- generated ---\n" + s2s.source(df))


@pytest.mark.parametrize("case", rulecases_issue10.second_order_params())
def test_rule_second_order_matches_second_differences(case):
    """Hessian-vector products, forward over reverse (hvp), some also reverse over reverse (vjp of grad)."""
    problems = rulecases_issue10.check_second(case)
    assert not problems, f"{case.id}: " + "\n".join(problems)


def _differentiable(rule):
    """A built-in rule (users' rules, registered by other tests, are not this file's business)."""
    return bool(rule.vjps) and not rule.nondiff and rule.origin.startswith("s2s.")


def test_every_differentiable_function_rule_has_a_case():
    functions, _, _ = rulecases.covered()
    missing = [r.name for r in all_rules()
               if _differentiable(r) and r.fn is not None
               and not any(r.fn is f or (inspect.ismethod(f) and r.fn == f) for f in functions)]  # norm.logpdf
    assert not missing, f"differentiable rules without a case in tests/rulecases.py: {missing}"


def test_every_differentiable_method_and_attribute_rule_has_a_case():
    _, methods, attributes = rulecases.covered()
    missing = [f".{m}()" for m, r in _BY_METHOD.items() if _differentiable(r) and m not in methods]
    missing += [f".{a}" for a, r in _BY_ATTRIBUTE.items() if _differentiable(r) and a not in attributes]
    assert not missing, f"differentiable method/attribute rules without a case in tests/rulecases.py: {missing}"


@pytest.mark.parametrize("name", ["trapz", "row_stack"])
def test_functions_removed_from_numpy_have_rules_while_numpy_has_them(name):
    """np.trapz (removed in NumPy 2.4) and np.row_stack (deprecated in 2.0): their rule cases in
    tests/rulecases_issue10.py run only where the installed NumPy has them."""
    if not hasattr(np, name):
        pytest.skip(f"np.{name} is not in NumPy {np.__version__}")
    from s2s.rules import lookup
    assert lookup(getattr(np, name)) is not None


def test_coverage_reader_sees_primitives():
    """The source reader behind the coverage tests finds functions, operators, methods and attributes."""
    import operator
    functions, methods, attributes = rulecases.primitives(rulecases.op_neg_expr)
    assert any(f is np.sum for f in functions)
    assert any(f is operator.mul for f in functions) and any(f is operator.neg for f in functions)
    _, methods, _ = rulecases.primitives(rulecases.meth_sum_axis0)
    assert "sum" in methods
    _, _, attributes = rulecases.primitives(rulecases.attr_T)
    assert attributes == {"T"}


def test_finite_differences_helper():
    """The oracle itself, on a function with a known gradient."""
    x = np.array([[0.3, -1.2, 2.0], [1.5, 0.7, -0.4]])
    got = rulecases.numeric_grad(lambda a, b: np.sum(np.sin(a) * b), (x, 2.0), 0)
    np.testing.assert_allclose(got, 2.0 * np.cos(x), rtol=1e-8)
    got = rulecases.numeric_grad(lambda a, b: np.sum(np.sin(a) * b), (x, 2.0), 1)
    np.testing.assert_allclose(got, np.sum(np.sin(x)), rtol=1e-8)


def _float32(case):
    """The case with its float64 array inputs (the weight included) as float32."""
    return tuple(a.astype(np.float32) if isinstance(a, np.ndarray) and a.dtype == np.float64 else a
                 for a in case.args)


@pytest.mark.parametrize("case", rulecases.params())
def test_float32_inputs_give_float32_gradients(case):
    """No silent upcast: where the function itself computes in float32, a float32 array argument
    gets a float32 gradient, and a float32 tangent gives a float32 output tangent."""
    args = _float32(case)
    if not any(isinstance(args[i], np.ndarray) and args[i].dtype == np.float32 for i in case.wrt):
        pytest.skip("no float32 array argument")
    if np.asarray(case.fn(*args)).dtype != np.float32:
        pytest.skip("the function itself computes in float64 (NumPy promotes a Python float here)")
    gradient = s2s.grad(case.fn, wrt=case.wrt)(*args)
    wrong = [f"gradient {k}: {np.asarray(g).dtype}" for k, (g, i) in enumerate(zip(gradient, case.wrt))
             if isinstance(args[i], np.ndarray) and np.asarray(g).dtype != np.float32]
    tangents = tuple(np.float32(t) if isinstance(t, float) else t.astype(np.float32)
                     for t in rulecases.directions(case))
    value, tangent = s2s.jvp(case.fn, wrt=case.wrt)(*args, *tangents)
    if np.asarray(tangent).dtype != np.float32:
        wrong.append(f"tangent: {np.asarray(tangent).dtype}")
    assert not wrong, f"{case.id}: " + "; ".join(wrong)


_SCIPY_SECOND = rulecases.rulecases_scipy.SECOND_ORDER if rulecases.rulecases_scipy else []


@pytest.mark.skipif(rulecases.rulecases_scipy is None, reason="SciPy is not installed")
@pytest.mark.parametrize("case", [c.param() for c in _SCIPY_SECOND])
def test_scipy_rule_second_order(case):
    """uᵀ H v for SciPy's rules, forward over reverse (hvp) and, for some, reverse over reverse
    (vjp of the gradient), against second differences of the function."""
    u = rulecases.directions(case)
    v = tuple(np.cos(t) for t in u)  # another direction
    expected = rulecases.numeric_second(case.fn, case.args, case.wrt, u, v)
    results = [("hvp", s2s.hvp(case.fn, wrt=case.wrt)(*case.args, v))]
    if case.fn.__name__ in rulecases.rulecases_scipy.REVERSE_TWICE:
        results.append(("vjp of grad", s2s.vjp(s2s.grad(case.fn, wrt=case.wrt), wrt=case.wrt)(*case.args, v)))
    for name, got in results:
        total = sum(float(np.sum(a * b)) for a, b in zip(u, got))
        assert total == pytest.approx(expected, rel=1e-4, abs=1e-5), f"{case.id} ({name})"
