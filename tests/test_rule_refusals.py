"""Issue 9, classes 6-8 and 10: no call is silently treated as constant, rules follow what NumPy
computes, no NaN the function does not produce, and no complex value in a derivative.

Each derivative is checked against central differences of the plain function (reverse, forward
and second order); each refusal is an `S2SError` raised when the derivative is built, in both
modes, naming the function and the line.
"""
import math

import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def _fd_hessian_vector(f, x, v, h=1e-3):
    """Five-point difference of the (finite-difference) gradient along v."""
    def grad(k):
        return np.asarray(numerical_grad(f, (x + k * h * v,), 0))
    return (grad(-2) - 8 * grad(-1) + 8 * grad(1) - grad(2)) / (12 * h)


def check_all_modes(f, x, rtol=1e-5, atol=1e-7, second=True):
    """grad, jvp and (if `second`) hvp and grad of a scalar of the gradient, against finite differences."""
    expected = numerical_grad(f, (x,), 0)
    np.testing.assert_allclose(s2s.grad(f)(x), expected, rtol=rtol, atol=atol)
    v = np.linspace(0.3, 1.1, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 0.7
    _, tangent = s2s.jvp(f)(x, v)
    np.testing.assert_allclose(tangent, np.sum(expected * v), rtol=rtol, atol=atol)
    if second:   # forward over reverse, and reverse over reverse
        expected = _fd_hessian_vector(f, x, v)
        np.testing.assert_allclose(s2s.hvp(f)(x, v), expected, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(s2s.vjp(s2s.grad(f))(x, v), expected, rtol=1e-4, atol=1e-5)


def refused(f, *what):
    """Both modes refuse `f` when the derivative is built, with every string of `what` in the message."""
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.S2SError) as info:
            transform(f)
        text = str(info.value)
        assert "test_rule_refusals.py:" in text.splitlines()[0] and "hint: " in text, text
        for w in what:
            assert w in text, text


# ---- class 6: calls that were treated as constants -----------------------------------------------

def full_of_element(x): return np.sum(np.full((3,), x[0]) * x)
def full_like_of_element(x): return np.sum(np.full_like(x, x[0]) ** 2 * x)
def linspace_of_elements(x): return np.sum(np.linspace(x[0], x[1], 4) ** 2 * x[2])
def arange_from_element(x): return np.sum(np.arange(x[0], 3.0, x[1]) ** 2)
def heaviside_value(x): return np.sum(np.heaviside(x - x, x) * x)
def copysign_of(x): return math.copysign(x * x, -1.0) * x


@pytest.mark.parametrize("f", [full_of_element, full_like_of_element, linspace_of_elements, arange_from_element,
                               heaviside_value])
def test_array_makers_differentiate_their_values(f):
    check_all_modes(f, np.array([0.3, 0.5, 0.9]))


def test_copysign_differentiates_its_magnitude():
    check_all_modes(copysign_of, 0.7)


def r_of(x): return np.sum(np.r_[x, x] ** 2)
def c_of(x): return np.sum(np.c_[x, 2.0 * x] ** 2)
def r_constant(x): return np.sum(np.r_[0.0:1.0:3j] * x)
def einsum_sublists(x): return np.sum(np.einsum(x, (0, 1), (1, 0)) ** 2 * np.arange(9.0).reshape(3, 3))
def r_directive(x): return np.sum(np.r_['0,2', x, x] ** 2)
def c_directive(x): return np.sum(np.c_['r', x, x] ** 2)
def zip_as_value(x):
    pairs = zip(x, x)
    s = 0.0
    for a, b in pairs:
        s = s + a * b
    return s
def nextafter_of(x): return math.nextafter(x, 2.0) * x
def norm_of_active_order(x): return np.linalg.norm(x, ord=x[0] + 2.0)
def std_of_active_ddof(x): return np.std(x, ddof=x[0])
def linspace_retstep(x):
    samples, step = np.linspace(x[0], x[1], 4, retstep=True)
    return np.sum(samples) * step
def pad_linear_ramp(x): return np.sum(np.pad(x, 1, mode="linear_ramp") ** 2)
def pad_mode_variable(x, mode="edge"): return np.sum(np.pad(x, 1, mode=mode) ** 2)
def gradient_of_active_spacing(x): return np.sum(np.gradient(x * x, x[0]))
def interp_of_active_knots(x): return np.sum(np.interp(0.5, x, x * x))
def interp_periodic(x): return np.sum(np.interp(0.5, [0.0, 1.0, 2.0], x, period=2.0))
def nan_to_num_of_active_fill(x): return np.sum(np.nan_to_num(x, nan=x[0]))


@pytest.mark.parametrize("f, what", [
    (r_directive, ["`np.r_[...]` with a string directive", "np.concatenate"]), (c_directive, ["`np.c_[...]`"]),
    (zip_as_value, ["no derivative rule for `zip`"]), (nextafter_of, ["no derivative rule for `math.nextafter`"]),
    (norm_of_active_order, ["`np.linalg.norm`", "`ord`"]), (std_of_active_ddof, ["`np.std`", "`ddof`"]),
    (linspace_retstep, ["`np.linspace` only with retstep=False"]),
    (pad_linear_ramp, ["`np.pad` only with mode='constant' or mode='edge'"]), (pad_mode_variable, ["mode='constant'"]),
    (gradient_of_active_spacing, ["`np.gradient`", "`varargs`"]),
    (interp_of_active_knots, ["`np.interp`", "`xp`"]), (interp_periodic, ["`np.interp` only with period=None"]),
    (nan_to_num_of_active_fill, ["`np.nan_to_num`", "`nan`"]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_calls_without_a_derivative_are_refused(f, what):
    refused(f, *what)


def test_index_objects_on_constants_still_work():
    check_all_modes(r_constant, np.array([0.3, 0.5, 0.9]))


@pytest.mark.parametrize("f", [r_of, c_of, einsum_sublists], ids=lambda f: f.__name__)
def test_joins_by_indexing_and_einsum_sublists_differentiate(f):
    """np.r_ and np.c_ are the joins they stand for; np.einsum's sublist form has einsum's derivative (issue 10)."""
    check_all_modes(f, np.array([[0.3, 0.5, 0.9], [-0.4, 1.2, 0.1], [0.7, -0.8, 0.2]]))


# ---- class 7: rules follow what NumPy reads (one triangle), for any perturbation -------------------

_A = np.array([[3.1, 0.4, -0.7], [1.3, 4.2, 0.2], [-0.5, 0.9, 6.3]])   # not symmetric


def eigh_lower(a):
    vals, vecs = np.linalg.eigh(a)
    return np.sum(vals ** 2) + np.sum(vecs[:, 0] ** 2 * np.arange(3.0))
def eigh_upper(a):
    vals, vecs = np.linalg.eigh(a, UPLO="U")
    return np.sum(vals * np.arange(3.0)) + np.sum(vecs[:, 1] ** 2 * np.arange(3.0))
def eigvalsh_of(a): return np.sum(np.linalg.eigvalsh(a) ** 3)
def cholesky_of(a): return np.sum(np.linalg.cholesky(a) ** 3)
def cholesky_upper(a): return np.sum(np.linalg.cholesky(a, upper=True))
def pinv_hermitian(a): return np.sum(np.linalg.pinv(a, hermitian=True))


@pytest.mark.parametrize("f", [eigh_lower, eigh_upper, eigvalsh_of, cholesky_of])
def test_one_triangle_read_non_symmetric_input(f):
    check_all_modes(f, _A)
    lower = "U" not in f.__code__.co_consts
    untouched = np.triu(np.ones((3, 3)), 1) if lower else np.tril(np.ones((3, 3)), -1)
    assert np.all(s2s.grad(f)(_A)[untouched == 1] == 0.0)


@pytest.mark.parametrize("f, what", [(cholesky_upper, "only with upper=False"), (pinv_hermitian, "hermitian=False")],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_decomposition_keywords_outside_the_rules_are_refused(f, what):
    refused(f, what)


# ---- class 8: no NaN the function does not produce ---------------------------------------------------
# At these points the conventions of autograd and JAX hold (0 where the function is locally constant,
# or the least-norm subgradient 0 at the tip of a cone), which central differences also give.

def std_of_one(x): return np.std(x[:1]) * 3.0 + np.sum(x)
def nanstd_of_one(x): return np.nanstd(x[1:2]) + np.sum(x)
def std_of_equal(x): return np.sum(np.std(x - x, axis=0) + x)
def power_of_zero(y): return np.sum(np.power(0.0, y) + y)
def zero_to_the_zero(x): return np.sum(np.power(x - x, 0.0) * x + (x - x) ** 0 * x)
def operator_power_of_zero(y): return (0.0 ** y) * 2.0 + y
def math_power_of_zero(y): return math.pow(0.0, y) + y
def hypot_at_origin(x): return math.hypot(x * 0.0, x - x) + x
def np_hypot_at_origin(x): return np.sum(np.hypot(x - x, 0.0 * x)) + np.sum(x)
def norm_at_zero(x): return np.linalg.norm(x - x) + np.linalg.norm(x - x, axis=0, ord=3) + np.sum(x)
def norm_of_zero(x): return np.linalg.norm(x)
def unused_entry(t):
    pair = (np.sqrt(t - t), 2.0)
    return pair[1] * t
def unused_unpacked_entry(t):
    pair = (np.sqrt(t - t), 2.0 * t)
    a, b = pair
    return b * t
def unused_list_entry(t):
    parts = [np.sqrt(t - t), t * t, np.log(t - t)]
    return np.sum(parts[1] * parts[-2])


@pytest.mark.parametrize("f, x", [
    (std_of_one, np.array([0.3, 0.5, 0.9])), (nanstd_of_one, np.array([0.3, 0.5, 0.9])),
    (std_of_equal, np.array([[0.3, 0.5], [0.9, 1.2]])), (power_of_zero, np.array([0.3, 1.5, 2.0])),
    (zero_to_the_zero, np.array([0.3, -0.5])), (operator_power_of_zero, 1.5), (math_power_of_zero, 1.5),
    (hypot_at_origin, 0.4), (np_hypot_at_origin, np.array([0.3, 0.5])), (norm_at_zero, np.array([0.3, 0.5])),
    (norm_of_zero, np.zeros(3)), (unused_entry, 0.3), (unused_unpacked_entry, 0.3), (unused_list_entry, np.array([0.3, -0.4])),
], ids=lambda v: getattr(v, "__name__", ""))
def test_no_nan_where_the_derivative_exists(f, x):
    with np.errstate(all="ignore"):
        check_all_modes(f, x, second=f is not norm_of_zero)   # (the norm's second derivative is infinite at 0)


# ---- class 10: no complex value in a differentiated computation ---------------------------------------

PHASE = np.array([1.0 + 2.0j, -1.0j])


def complex_literal(x): return np.sum(np.abs(x * (1 + 2j)) ** 2)
def complex_through_a_name(x):
    c = 2.0j
    d = c * 3.0
    return np.sum(np.real(x * d))
def complex_global(x): return np.sum(np.abs(x * PHASE) ** 2)
def magnitude_of_a_complex_constant(x):
    m = abs(3.0 + 4.0j)   # a real number: allowed
    return np.sum(x * m)
def with_data(x, c): return np.sum(np.abs(x * c) ** 2)
def cast_to_complex(x): return np.sum(np.abs(x.astype(complex)) ** 2)


@pytest.mark.parametrize("f", [complex_literal, complex_through_a_name, complex_global])
def test_complex_constants_are_refused_when_the_derivative_is_built(f):
    refused(f, "a complex value enters the differentiated computation", "real values only")


def test_real_values_computed_from_complex_constants_are_fine():
    check_all_modes(magnitude_of_a_complex_constant, np.array([0.3, -0.5]))


def test_complex_arguments_are_refused_when_called():
    x, c = np.array([0.3, -0.5]), np.array([1.0 + 1.0j, 2.0])
    for call in (lambda: s2s.grad(with_data)(c, np.ones(2)), lambda: s2s.grad(with_data, wrt=1)(x, c),
                 lambda: s2s.jvp(with_data, wrt=1)(x, c, np.ones(2)), lambda: s2s.grad(with_data)(1.0 + 2.0j, 1.0)):
        with pytest.raises(s2s.ComplexArgumentError, match="real values only"):
            call()
    with pytest.raises(s2s.ComplexArgumentError, match="for `c`"):   # not differentiated, but it could enter
        s2s.grad(with_data)(x, c)
    with pytest.raises(s2s.ComplexArgumentError, match=r"for `xs` at `xs\[1\]`"):
        s2s.grad(lambda_free_sum)([0.3, 1.0j])
    with pytest.raises(s2s.ComplexArgumentError, match="real values only"):   # a complex tangent
        s2s.jvp(with_data)(x, np.ones(2), np.array([1.0j, 0.0]))
    assert isinstance(s2s.ComplexArgumentError("m"), (s2s.S2SError, TypeError))


def lambda_free_sum(xs): return xs[0] * xs[1]


def test_a_cast_to_complex_raises():
    with pytest.raises(TypeError, match="complex dtype"):
        s2s.grad(cast_to_complex)(np.array([0.3, -0.5]))


def max_with_initial(x): return np.max(x, initial=x[0] + 5.0)
def max_with_where(x): return np.max(x, where=x > 0, initial=0.0)
def nanprod_with_initial(x): return np.nanprod(x, initial=2.0)
def sum_into(x):
    buf = np.zeros(())
    return np.sum(x, out=buf)
def max_with_constant_initial(x): return np.max(x * x, initial=0.5) + np.min(x, initial=-5.0)


@pytest.mark.parametrize("f, what", [
    (max_with_initial, ["`np.max`", "`initial`"]), (max_with_where, ["`np.max` only with where=True"]),
    (nanprod_with_initial, ["only with initial=None"]), (sum_into, ["out=", "existing array"]),
], ids=lambda v: getattr(v, "__name__", ""))
def test_reduction_keywords_outside_the_rules_are_refused(f, what):
    refused(f, *what)


def test_reduction_with_a_constant_initial():
    check_all_modes(max_with_constant_initial, np.array([0.3, -0.9, 0.6]))
    check_all_modes(max_with_constant_initial, np.array([0.3, -0.2, 0.6]) * 0.5)   # initial wins the max


_B = np.eye(2) + 0.5


def einsum_sublists_constant_first(x): return np.sum(np.einsum(_B, [0, 1], x, [1, 2], [0, 2]) ** 2)


def test_einsum_sublists_behind_a_constant_differentiate():
    check_all_modes(einsum_sublists_constant_first, np.array([[0.3, -1.1], [0.8, 0.4]]))


def eig_sum(x): return np.sum(np.linalg.eig(x)[0] ** 2)
def eigvals_imaginary_part(x): return np.sum(np.imag(np.linalg.eigvals(x)) + np.angle(np.linalg.eigvals(x)))
def svd_full(x): return np.sum(np.linalg.svd(x)[0] ** 3)
def svd_full_values(x): return np.sum(np.linalg.svd(x, compute_uv=False) ** 3)


@pytest.mark.parametrize("transform", [s2s.grad, s2s.jvp], ids=["grad", "jvp"])
def test_decompositions_outside_their_derivatives_raise_when_run(transform):
    """eig with complex eigenvalues, and svd's U of a matrix that is not square with full_matrices=True
    (any basis of the extra columns would do): a ValueError that says so, never a wrong derivative."""
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])   # eigenvalues ±i
    args = (rotation, rotation) if transform is s2s.jvp else (rotation,)
    for f in (eig_sum, eigvals_imaginary_part):
        with pytest.raises(s2s.ComplexValueError, match="complex eigenvalues.*use np.linalg.eigh.*s2s.stop_gradient"):
            transform(f)(*args)
    wide = np.arange(6.0).reshape(2, 3) + np.eye(2, 3)
    args = (wide, wide) if transform is s2s.jvp else (wide,)
    with pytest.raises(ValueError, match="full_matrices=False"):
        transform(svd_full)(*args)
    transform(svd_full_values)(*args)   # the singular values alone (compute_uv=False) are fine
