"""Every construct of tests/corpus.py, differentiated and checked against finite differences."""
import numpy as np
import pytest

import corpus as c
import s2s
from oracles import assert_grads_close

RNG = np.random.default_rng(7)
V3 = RNG.normal(size=3)
W3 = RNG.normal(size=3)

CASES = [
    (c.straight, [(0.7, 1.3), (-2.0, 0.1)], (0, 1)),
    (c.branches, [(1.5, 2.0), (0.5, 2.0), (-0.5, 2.0)], (0, 1)),
    (c.nested_if, [(0.5, 0.3), (0.5, -0.3), (-0.5, 0.3)], (0, 1)),
    (c.conditional_expression, [(0.8,), (-0.8,)], 0),
    (c.and_or_not, [(1.0, 2.0), (-1.0, 2.0), (6.0, -1.0)], (0, 1)),
    (c.for_range, [(0.3, 6), (0.3, 1)], 0),
    (c.for_over_array, [(V3,)], 0),
    (c.for_over_list, [(0.6, 1.5)], (0, 1)),
    (c.while_loop, [(0.3,)], 0),
    (c.break_and_continue, [(0.7, 6), (2.3, 6), (0.7, 0)], 0),
    (c.while_break, [(0.2,), (4.0,)], 0),
    (c.early_return, [(-0.7,), (1.2,)], 0),
    (c.return_in_loop, [(0.3,), (0.01,)], 0),
    (c.return_in_nested_loop, [(0.5,), (0.01,)], 0),
    (c.augmented, [(0.7,), (-1.3,)], 0),
    (c.tuples, [(0.6, 1.5)], (0, 1)),
    (c.tuple_from_call, [(0.6,)], 0),
    (c.calls_in_loop, [(0.3, 0.4), (-0.3, 1.4)], (0, 1)),
    (c.nested_calls_with_keywords, [(0.4,)], 0),
    (c.recursion, [(0.6,)], 0),
    (c.broadcasting, [(RNG.normal(size=(3, 4)), RNG.normal(size=4)),
                      (RNG.normal(size=(3, 4)), RNG.normal(size=(3, 1))),
                      (RNG.normal(size=(3, 4)), 0.7)], (0, 1)),
    (c.math_module, [(0.7,)], 0),
    (c.not_differentiable_calls, [(V3,)], 0),
    (c.numpy_mix, [(V3, W3)], (0, 1)),
    (c.matrices, [(RNG.normal(size=(3, 4)), RNG.normal(size=4))], (0, 1)),
    (c.parameter_reassigned, [(0.3,), (-2.0,)], 0),
    (c.keyword_default, [(0.3,)], 0),
    (c.constant_call_then_active, [(0.3,)], 0),
    (c.overwritten_in_loop, [(0.3, 0.7, 2), (0.3, 0.7, 0)], (0, 1)),
    (c.iterable_rebound_in_loop, [(V3, 0.7)], (0, 1)),
    (c.scalar_broadcast_then_sum, [(0.5, V3), (V3, 0.5)], (0, 1)),
    (c.loop_zeroes_an_adjoint, [(0.3, 0.7)], (0, 1)),
    (c.calls_imported_function, [(0.3,), (-1.2,)], 0),
    (c.broadcast_scalar_then_reduce, [(0.3, V3)], (0, 1)),
    (c.break_in_nested_loop, [(V3, 0.3)], (0, 1)),
    (c.overwritten_in_both_branches, [(V3, 0.3)], (0, 1)),
]


@pytest.mark.parametrize("func, args, wrt", [
    pytest.param(f, args, wrt, id=f"{f.__name__}-{k}") for f, argsets, wrt in CASES for k, args in enumerate(argsets)])
def test_gradient_matches_finite_differences(func, args, wrt):
    grads = s2s.grad(func, wrt=wrt)(*args)
    assert_grads_close(func, grads, args, wrt, rtol=1e-6, atol=1e-8)


def test_stop_gradient_blocks_one_factor():
    assert s2s.grad(c.stop_gradient)(3.0) == 3.0


def test_unused_argument_gets_zeros_of_its_shape():
    dx, dy = s2s.grad(c.unused_argument, wrt=(0, 1))(V3, np.ones((2, 2)))
    np.testing.assert_array_equal(dx, 2.0 * np.ones(3))
    np.testing.assert_array_equal(dy, np.zeros((2, 2)))


def test_constant_output_has_zero_gradient():
    assert s2s.grad(c.constant_output)(2.5) == 0.0
    np.testing.assert_array_equal(s2s.grad(c.constant_output)(V3), np.zeros(3))


def test_float32_stays_float32():
    x = np.linspace(0.1, 1.0, 4, dtype=np.float32)
    y = np.linspace(-1.0, 1.0, 4, dtype=np.float32)
    dx, dy = s2s.grad(c.numpy_mix, wrt=(0, 1))(x, y)
    assert dx.dtype == np.float32 and dy.dtype == np.float32
    dx64, dy64 = s2s.grad(c.numpy_mix, wrt=(0, 1))(x.astype(float), y.astype(float))
    np.testing.assert_allclose(dx, dx64, rtol=1e-5)


def test_python_float_gets_a_scalar():
    g = s2s.grad(c.straight)(0.7, 1.3)
    assert np.ndim(g) == 0 and isinstance(float(g), float)


def _draws_one_it_does_not_use(x):
    unused = np.random.randn()   # noqa: F841 -- a draw: the draws after it depend on it
    eps = np.random.randn(3)
    return np.sum(x * eps)


def test_a_random_draw_whose_value_is_unused_still_runs():
    """The generated code keeps every draw f makes, so that with the same seed it draws what f
    draws (the optimiser took np.random.randn() for a pure call and removed the unused one)."""
    x = np.array([0.5, -1.0, 2.0])
    np.random.seed(0)
    g = s2s.grad(_draws_one_it_does_not_use)(x)
    np.random.seed(0)
    np.random.randn()
    np.testing.assert_array_equal(g, np.random.randn(3))


def test_a_key_written_into_a_dict_made_here_writes_no_argument():
    import corpus_issue14_seed1406 as program
    x, y = 0.7, 1.3
    g = s2s.grad(program.f, wrt=(0, 1))(x, y, 1)
    np.testing.assert_allclose(g, (2.0 * y, 2.0 * x), rtol=1e-12)   # f = 2 x y


def _replaces_an_entry_of_a_dict_it_makes(a):
    d = {"w": a, "b": a * 2.0}
    d["w"] = a * 3.0
    return np.sum(d["w"] * d["b"])


def _passes_its_argument_to_a_function_making_a_dict(a):
    return _replaces_an_entry_of_a_dict_it_makes(a) + np.sum(np.sin(a))


def _sets_an_entry_of_its_argument(p, a):
    p["w"] = a * 3.0
    return np.sum(p["w"])


def _calls_sets_an_entry(a):
    d = {"w": a}
    return _sets_an_entry_of_its_argument(d, a) + np.sum(d["w"])


def test_an_entry_replaced_in_a_dict_made_here_leaves_the_array_it_held_alone():
    a = np.array([0.3, -1.2, 2.0])
    g = s2s.grad(_passes_its_argument_to_a_function_making_a_dict)(a)
    np.testing.assert_allclose(g, 12.0 * a + np.cos(a), rtol=1e-12)   # sum(6 a^2) + sum(sin a)


def test_a_key_written_into_a_dict_it_is_given_is_still_refused():
    with pytest.raises(s2s.UnsupportedError, match="writes into its argument `p`"):
        s2s.grad(_calls_sets_an_entry)(np.array([0.3, -1.2]))
