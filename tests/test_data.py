"""Writes into arrays, containers, dicts, comprehensions and lambdas (tests/corpus_data.py),
in reverse mode, forward mode and second order, against finite differences of the function."""
import numpy as np
import pytest

import corpus_data as c
import corpus_issue10_language as c10l
import corpus_issue10_fnvals
import corpus_issue10_varargs as c10_varargs
import corpus_issue10_nprules
import corpus_issue10_fluid as c10_fluid
import corpus_issue10_soundness as c10s
import corpus_issue10_numpy2 as c10_numpy2
import s2s
from oracles import assert_grads_close

RNG = np.random.default_rng(5)


def _v(*shape):
    return RNG.normal(size=shape)


CASES = [
    (c.fill_in_loop, [(_v(4),)], 0),
    (c.write_slices, [(_v(3),)], 0),
    (c.write_columns, [(_v(3), _v(2))], (0, 1)),
    (c.augmented_slice, [(_v(4),)], 0),
    (c.recurrence, [(_v(5), 0.7)], (0, 1)),
    (c.read_before_overwrite, [(_v(3),)], 0),
    (c.masked_write, [(np.array([0.5, -1.0, 2.0, -0.3]),)], 0),
    (c.repeated_index_write, [(_v(3),)], 0),
    (c.repeated_index_add, [(_v(3),)], 0),
    (c.repeated_index_array, [(_v(3), 0.8)], (0, 1)),
    (c.write_into_parameter, [(_v(3),)], 0),
    (c.tuple_of_writes, [(_v(2),)], 0),
    (c.outer_in_loops, [(_v(3),)], 0),
    (c.broadcast_write, [(_v(3), 0.8)], (0, 1)),
    (c.rows_in_loop, [(_v(4), _v(4))], (0, 1)),
    (c.write_in_branch, [(np.array([0.5, -1.0, 2.0]),)], 0),
    (c.dict_of_parameters, [({"W": _v(2, 3), "b": _v(2), "scale": 1.5}, _v(3))], 0),
    (c.write_into_dict, [({"W": _v(2, 3), "b": _v(2)}, _v(3))], (0, 1)),
    (c.enumerate_loop, [(_v(4),)], 0),
    (c.zip_loop, [(_v(3), _v(4))], (0, 1)),
    (c.listed_zip, [(_v(3), _v(3))], (0, 1)),
    (c.loops_that_only_count, [(_v(5),)], 0),
    (c.stacked_under_its_name, [(_v(3),)], 0),
    (c.loop_over_pairs, [(0.3, 0.8)], (0, 1)),
    (c.list_comprehension, [(_v(4),)], 0),
    (c.generator_in_sum, [(_v(2), _v(3))], (0, 1)),
    (c.appended_then_summed, [(_v(3),)], 0),
    (c.builtins_pow_max, [(0.7, -0.4), (0.3, 0.9)], (0, 1)),
    (c.max_of_several, [(0.7, -0.4), (0.3, 0.9), (-1.2, 0.1)], (0, 1)),
    (c.lambdas_and_closures, [(_v(3), _v(3))], (0, 1)),
    (c.nested_def, [(np.array([0.2, 0.5, -0.3]),), (np.array([1.5, 2.0, 1.0]),)], 0),
    (c.floor_mod_pow, [(np.array([0.2, 0.9, 2.0]),)], 0),
    # found by the random program generator
    (c.inactive_loop_reads_written_array, [(_v(3), 0.7)], (0, 1)),
    (c.recorded_write_at_loop_index, [(_v(3),)], 0),
    (c.write_array_into_itself, [(_v(3), _v(3))], (0, 1)),
    (c.early_return_after_write, [(_v(3), 0.7), (np.array([2.0, 4.0, 3.0]), 0.7)], (0, 1),
     pytest.mark.xfail(strict=True, raises=s2s.UnsupportedError,
                       reason="aliasing: `_out = z[0]` of an early return in a loop counts as live across the "
                              "write in the next trip (_live_after_writes over structure's _returned flag)")),
    (c.dict_entry_write_with_shared_value, [(_v(3), _v(3))], (0, 1)),
    (c.loop_variable_reused, [(_v(3), _v(3))], (0, 1),
     pytest.mark.xfail(strict=True, raises=s2s.UnsupportedError,
                       reason="aliasing: sharing classes are per name over the whole function, so a loop "
                              "variable over x and later over z puts x and z in one class")),
]
CASES += c.ISSUE_9_CASES  # found by the differential tester (issue 9)
CASES += c10l.ISSUE_10_LANGUAGE  # dict methods, sorted, reversed, masks, defaults (issue 10)
CASES += corpus_issue10_fnvals.ISSUE_10_FNVALS  # functions as values (issue 10)
CASES += c10_varargs.ISSUE_10_VARARGS  # *args, **kwargs, f(*xs), zip(*pairs), a, *rest = xs (issue 10)
CASES += corpus_issue10_nprules.ISSUE_10_NUMPY  # NumPy functions of issue 10
CASES += c10_fluid.ISSUE_10_FLUID  # a helper's `y += e` on an argument dead after the call (issue 10)
CASES += c10s.ISSUE_10_SOUNDNESS  # derivatives that were silently wrong (issue 10)
CASES += c10_numpy2.ISSUE_10_NUMPY2  # np.einsum's sublist form, np.r_, np.c_, sorted with a key (issue 10)
try:  # SciPy is optional: its programs run where it imports
    import scipy  # noqa: F401
except ImportError:
    pass
else:
    import corpus_issue10_scipy
    import corpus_issue10_scipy2
    CASES += corpus_issue10_scipy.ISSUE_10_SCIPY
    import corpus_issue10_frozen
    CASES += corpus_issue10_frozen.ISSUE_10_FROZEN  # frozen distributions: norm(m, s).logpdf(x)
    CASES += corpus_issue10_scipy2.ISSUE_10_SCIPY2  # the SciPy functions of autograd's tests (issue 10, item 4)
# a case may end with marks (xfail for known bugs: fixing one flips its test)
PARAMS = [pytest.param(f, args, wrt, id=f"{f.__name__}-{k}", marks=marks)
          for f, argsets, wrt, *marks in CASES for k, args in enumerate(argsets)]


def _copies(args):
    """Fresh copies of the arguments (some cases write into their parameters or dicts)."""
    def copy(a):
        if isinstance(a, dict):
            return {k: copy(v) for k, v in a.items()}
        return np.array(a) if isinstance(a, np.ndarray) else a
    return tuple(copy(a) for a in args)


def _wrt(wrt):
    return wrt if isinstance(wrt, tuple) else (wrt,)


# Dict arguments are flattened into their entries, so the oracles see only floats and arrays.
def _flatten(args, wrt):
    """(leaves, where): the differentiated arguments' entries and, per leaf, (argument, key or None)."""
    leaves, where = [], []
    for i in wrt:
        if isinstance(args[i], dict):
            for k, v in args[i].items():
                leaves.append(v)
                where.append((i, k))
        else:
            leaves.append(args[i])
            where.append((i, None))
    return leaves, where


def _rebuild(args, where, leaves):
    args = list(_copies(args))
    for (i, k), v in zip(where, leaves):
        if k is None:
            args[i] = v
        else:
            args[i][k] = v
    return args


def _flat_function(func, args, where):
    return lambda *leaves: func(*_rebuild(args, where, leaves))


def _flat_gradient(grads, wrt, where):
    grads = dict(zip(wrt, grads if isinstance(grads, tuple) and len(wrt) > 1 else (grads,)))
    return tuple(grads[i] if k is None else grads[i][k] for i, k in where)


def _directions(leaves):
    return [RNG.normal(size=np.shape(v)) if np.ndim(v) else float(RNG.normal()) for v in leaves]


def _tangent_args(args, wrt, where, us):
    """The tangents in s2s's form: one per differentiated argument, a dict for a dict."""
    out = {i: ({} if isinstance(args[i], dict) else None) for i in wrt}
    for (i, k), u in zip(where, us):
        if k is None:
            out[i] = u
        else:
            out[i][k] = u
    return [out[i] for i in wrt]


def _along(f, leaves, us, s):
    return f(*[v + s * u for v, u in zip(leaves, us)])


@pytest.mark.parametrize("func, args, wrt", PARAMS)
def test_gradient_matches_finite_differences(func, args, wrt):
    wrt_ = _wrt(wrt)
    grads = s2s.grad(func, wrt=wrt)(*_copies(args))
    leaves, where = _flatten(args, wrt_)
    flat = _flat_gradient(grads, wrt_, where)
    assert_grads_close(_flat_function(func, args, where), flat, tuple(leaves), tuple(range(len(leaves))),
                       rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("func, args, wrt", PARAMS)
def test_jvp_matches_directional_finite_differences(func, args, wrt):
    wrt = _wrt(wrt)
    leaves, where = _flatten(args, wrt)
    us = _directions(leaves)
    value, tangent = s2s.jvp(func, wrt=wrt)(*_copies(args), *_tangent_args(args, wrt, where, us))
    f, h = _flat_function(func, args, where), 1e-6
    assert value == pytest.approx(f(*leaves), rel=1e-12)
    expected = (_along(f, leaves, us, h) - _along(f, leaves, us, -h)) / (2 * h)
    assert tangent == pytest.approx(expected, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("func, args, wrt", PARAMS)
def test_curvature_along_a_direction(func, args, wrt):
    """<v, H v> from s2s.hvp against the second central difference of f along v."""
    i = _wrt(wrt)[0]
    leaves, where = _flatten(args, (i,))
    us = _directions(leaves)
    v = _tangent_args(args, (i,), where, us)[0]
    hv = s2s.hvp(func, wrt=i)(*_copies(args), v)
    hv_leaves = _flat_gradient(hv, (i,), where)
    f, h = _flat_function(func, args, where), 1e-4
    expected = (_along(f, leaves, us, h) - 2 * f(*leaves) + _along(f, leaves, us, -h)) / h ** 2
    assert sum(np.sum(a * u) for a, u in zip(hv_leaves, us)) == pytest.approx(expected, rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("func, args", c.ISSUE_9_REFUSED, ids=[f.__name__ for f, _ in c.ISSUE_9_REFUSED])
@pytest.mark.parametrize("transform", [s2s.grad, s2s.jvp, s2s.hvp, lambda f: s2s.grad(s2s.grad(f))],
                         ids=["grad", "jvp", "hvp", "grad_of_grad"])
def test_refused_when_the_derivative_is_built(func, args, transform):
    """Constructs s2s cannot differentiate exactly are refused at generation, in every mode,
    with the location of the user's line."""
    with pytest.raises(s2s.S2SError, match=r"corpus_data\.py:\d+:\d+: error: "):
        transform(func)


@pytest.mark.parametrize("func, args", c10l.ISSUE_10_LANGUAGE_REFUSED,
                         ids=[f.__name__ for f, _ in c10l.ISSUE_10_LANGUAGE_REFUSED])
@pytest.mark.parametrize("transform", [s2s.grad, s2s.jvp, s2s.hvp, lambda f: s2s.grad(s2s.grad(f))],
                         ids=["grad", "jvp", "hvp", "grad_of_grad"])
def test_issue10_language_refused_when_the_derivative_is_built(func, args, transform):
    with pytest.raises(s2s.S2SError, match=r"corpus_issue10_language\.py:\d+:\d+: error: "):
        transform(func)


@pytest.mark.parametrize("func, args", c.ISSUE_9_REFUSED_WHEN_RUN, ids=[f.__name__ for f, _ in c.ISSUE_9_REFUSED_WHEN_RUN])
def test_in_place_write_seen_by_an_alias_is_refused_when_run(func, args):
    """`y += e` may rebind a number or write an array in place: where another name shares y,
    the derivative raises when it runs on an array, in every mode, rather than give a wrong value."""
    x = args[0][0]
    for run in (lambda: s2s.grad(func)(x.copy()), lambda: s2s.jvp(func)(x.copy(), np.ones_like(x)),
                lambda: s2s.hvp(func)(x.copy(), np.ones_like(x))):
        with pytest.raises(s2s.InPlaceWriteError, match="in place"):
            run()


@pytest.mark.parametrize("func, x", c10_fluid.ISSUE_10_FLUID_SECOND_ORDER,
                         ids=[f.__name__ for f, _ in c10_fluid.ISSUE_10_FLUID_SECOND_ORDER])
def test_issue10_fluid_grad_of_grad(func, x):
    """A helper's `y += e` on a dead argument, differentiated twice in reverse mode."""
    h = 1e-4
    second = (func(x + h) - 2 * func(x) + func(x - h)) / h ** 2
    assert s2s.grad(s2s.grad(func))(x) == pytest.approx(second, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("func, why", c10_fluid.ISSUE_10_FLUID_REFUSED_WHEN_RUN,
                         ids=[f.__name__ for f, _ in c10_fluid.ISSUE_10_FLUID_REFUSED_WHEN_RUN])
def test_issue10_fluid_write_seen_after_the_call_is_refused_when_run(func, why):
    """A helper's `y += e` on an argument that is read after the call (or shares memory with
    a name that is): on arrays the derivative raises when it runs, in every mode, and says why."""
    x = c10_fluid._A
    for run in (lambda: s2s.grad(func)(x.copy()), lambda: s2s.jvp(func)(x.copy(), np.ones_like(x)),
                lambda: s2s.hvp(func)(x.copy(), np.ones_like(x))):
        with pytest.raises(s2s.InPlaceWriteError, match="changes its argument .* in place") as info:
            run()
        assert why in str(info.value)


@pytest.mark.parametrize("func", c10_fluid.ISSUE_10_FLUID_REFUSED_WHEN_BUILT,
                         ids=[f.__name__ for f in c10_fluid.ISSUE_10_FLUID_REFUSED_WHEN_BUILT])
def test_issue10_fluid_a_helper_changing_a_global_is_refused_when_built(func):
    for make in (s2s.grad, s2s.jvp, s2s.hvp):
        with pytest.raises(s2s.S2SError, match=r"changes `_KEPT`, a variable of its module .* in place"):
            make(func)


@pytest.mark.parametrize("func, args", c10s.ISSUE_10_SOUNDNESS_REFUSED,
                         ids=[f.__name__ for f, _ in c10s.ISSUE_10_SOUNDNESS_REFUSED])
@pytest.mark.parametrize("transform", [s2s.grad, s2s.jvp, s2s.hvp, lambda f: s2s.grad(s2s.grad(f))],
                         ids=["grad", "jvp", "hvp", "grad_of_grad"])
def test_issue10_soundness_refused_when_the_derivative_is_built(func, args, transform):
    with pytest.raises(s2s.S2SError, match=r"corpus_issue10_soundness\.py:\d+:\d+: error: "):
        transform(func)


@pytest.mark.parametrize("func, args", c10s.ISSUE_10_SOUNDNESS_REFUSED_WHEN_RUN,
                         ids=[f.__name__ for f, _ in c10s.ISSUE_10_SOUNDNESS_REFUSED_WHEN_RUN])
def test_callee_writing_through_an_entry_is_refused_when_run(func, args):
    x = args[0][0]
    for run in (lambda: s2s.grad(func)(x.copy()), lambda: s2s.jvp(func)(x.copy(), np.ones_like(x)),
                lambda: s2s.hvp(func)(x.copy(), np.ones_like(x))):
        with pytest.raises(s2s.InPlaceWriteError, match=r"corpus_issue10_soundness\.py:\d+:\d+: .* in place"):
            run()


def test_a_loop_over_a_set_parameter_is_refused_when_run():
    """`for k in keys` iterates by position (a dict by its keys): a set has no positions."""
    for run in (lambda: s2s.grad(c10s.loop_over_a_set, wrt=1)({1.0, 2.0}, c10s._X),
                lambda: s2s.jvp(c10s.loop_over_a_set, wrt=1)({1.0, 2.0}, c10s._X, c10s._X),
                lambda: s2s.hvp(c10s.loop_over_a_set, wrt=1)({1.0, 2.0}, c10s._X, c10s._X)):
        with pytest.raises(TypeError, match="iterates a for loop by position, which a set does not have"):
            run()


@pytest.mark.parametrize("func", c10_numpy2.ISSUE_10_NUMPY2_BOOL, ids=[f.__name__ for f in c10_numpy2.ISSUE_10_NUMPY2_BOOL])
@pytest.mark.parametrize("transform", [s2s.grad, s2s.jvp, s2s.hvp, s2s.vjp], ids=["grad", "jvp", "hvp", "vjp"])
def test_a_bool_output_is_refused_as_a_type_error(func, transform):
    """autograd's test_nograd: a derivative of a function returning a bool raises a TypeError, at generation."""
    with pytest.raises(s2s.BoolOutputError, match=r"corpus_issue10_numpy2\.py:\d+:\d+: error: .* returns a bool") as caught:
        transform(func)
    assert isinstance(caught.value, TypeError)


@pytest.mark.parametrize("x", [np.array([0.3, 1.2]), np.array([0.1, -0.2])])
def test_a_comparison_output_has_a_zero_derivative(x):
    """A comparison is piecewise constant: its derivative is zero away from the threshold (the
    analytic value; autograd's test_eq ... test_gt expect the same)."""
    np.testing.assert_array_equal(s2s.grad(c10_numpy2.bool_compare)(x), np.zeros(2))
    assert s2s.jvp(c10_numpy2.bool_compare)(x, np.ones(2))[1] == 0.0


def test_r_keeps_numpys_dtype():
    """np.r_[x, 2.0] of a float32 x is float32 (NumPy's weak Python numbers), and so is its gradient."""
    x = np.array([0.5, -1.25, 2.0], dtype=np.float32)
    value, grad = s2s.value_and_grad(c10_numpy2.rc_float32)(x)
    assert value == c10_numpy2.rc_float32(x) and np.asarray(value).dtype == np.float32
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, 2 * x + np.array([2 * 9 * x[0], 0, 0]), rtol=1e-6)
