"""Small functions for the Python and NumPy data constructs of SPEC §7: writes into
arrays, containers, dicts, comprehensions, lambdas. tests/test_data.py checks each
in both modes against finite differences."""
import numpy as np


# ---- writes into arrays ---------------------------------------------------------------------

def fill_in_loop(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i] ** 2
    return np.sum(y * np.cos(y))


def write_slices(x):
    y = np.ones(4)
    y[1] = x[0] * x[1]
    y[2:] = np.sin(x[1:3])
    y[::3] *= x[2]
    return np.sum(y * y)


def write_columns(x, w):
    m = np.zeros((3, 2))
    m[:, 0] = x
    m[:, 1] = x ** 2
    m[1, :] += w
    return np.sum(np.tanh(m @ w))


def augmented_slice(x):
    y = x * 1.0
    y[1:3] += x[:2] * 2.0
    y[-1] -= y[0]
    return np.sum(y ** 2)


def recurrence(x, a):
    y = np.zeros(len(x))
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = y[i - 1] * a + x[i]
    return np.sum(y ** 2)


def read_before_overwrite(x):
    y = x * 2.0
    s = np.sum(y * y)
    y[0] = 0.0
    y[1] = y[2] * s
    return s + np.sum(y * x)


def masked_write(x):
    y = x * 1.5
    y[x < 0] = 0.0
    return np.sum(y * y)


def repeated_index_write(x):
    """``y[[1, 1]] = v``: NumPy keeps the last value written at 1; the first gets no cotangent."""
    y = np.zeros(3)
    y[[1, 1]] = x[:2] * x[2]
    return np.sum(y * np.array([1.0, 2.0, 3.0])) + np.sum(y * y)


def repeated_index_add(x):
    """``x[[0, 0]] += v`` reads, adds and writes once: element 0 gets one ``v``, not two."""
    y = x * 1.0
    y[[0, 0]] += x[1] * x[2]
    return np.sum(y ** 2)


def repeated_index_array(x, s):
    """An index array computed at run time, a broadcast scalar, and rows of a matrix."""
    idx = np.array([2, 0, 2])
    y = x * 1.0
    y[idx] = s * x[1]
    m = np.outer(x, x)
    m[[0, 0], [1, 1]] = x[:2] ** 2
    m[:, [2, 2]] = m[:, :2] * s
    return np.sum(y * y) + np.sum(np.sin(m))


def write_into_parameter(x):
    x[0] = x[1] * 3.0
    return np.sum(x * x)


def tuple_of_writes(x):
    y = np.zeros(2)
    y[0], y[1] = x[1], x[0] * x[1]
    return np.sum(y ** 3)


def outer_in_loops(x):
    n = len(x)
    a = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            a[i, j] = x[i] * x[j] + (i == j)
    return np.sum(a @ x)


def broadcast_write(x, s):
    y = np.zeros((2, 3))
    y[:] = s
    y[1] = y[1] * x
    return np.sum(y ** 2)


def rows_in_loop(x, w):
    h = np.zeros((3, len(x)))
    h[0] = x
    for t in range(1, 3):
        h[t] = np.tanh(h[t - 1] * w)
    return np.sum(h[-1])


def write_in_branch(x):
    y = x * 1.0
    for i in range(len(x)):
        if x[i] > 0:
            y[i] = x[i] * x[i]
        else:
            y[i] = -x[i]
    return np.sum(y) * y[0]


# ---- containers -------------------------------------------------------------------------------

def dict_of_parameters(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    out = {"h": h, "total": np.sum(h)}
    return out["total"] * params["scale"]


def write_into_dict(params, x):
    params["b"] = params["b"] * 2.0
    return np.sum(params["W"] @ x * params["b"])


def enumerate_loop(xs):
    s = 0.0
    for i, x in enumerate(xs):
        s = s + (i + 1) * np.sin(x)
    return s


def zip_loop(xs, ys):
    s = 0.0
    for k, (x, y) in enumerate(zip(xs, ys), 1):
        s = s + k * x * y
    return s


def listed_zip(ws, x):
    """``list(zip(...))`` and ``list(enumerate(...))`` kept, then iterated and indexed (was: no rule for `zip`)."""
    layers = list(zip(ws, ws[::-1], x))
    s = 0.0
    for k, (w, v, u) in list(enumerate(layers)):
        s = s + (k + 1.0) * np.sin(w * v) * u
    return s + layers[0][2] * len(layers)


def stacked_under_its_name(xs):
    """A list of appends bound again to the array made of it, at the top level and in a loop."""
    total = 0.0
    for k in range(2):
        hs = []
        for x in xs:
            hs.append(np.tanh(x * (k + 1.0)))
        hs = np.stack(hs)
        total = total + np.sum(hs ** 2)
    outs = []
    for x in xs:
        outs.append(x * x)
    outs = np.array(outs)
    return total + np.sum(np.cos(outs))


def loops_that_only_count(x):
    """Loops whose bodies do nothing but whose names are read after them: forward mode dropped
    the loop (its derivative read x[0], where x[3] is right, with no error); reverse mode's
    NameError where nothing bound the names before."""
    i = 0
    for i in range(len(x) - 1):
        pass
    for k in range(2):
        for j in range(3):
            continue
    return x[i] ** 2 + x[k + j] * x[0]


def loop_over_pairs(a, b):
    pairs = [(a, b), (b, a * 2.0)]
    s = 0.0
    for u, v in pairs:
        s = s + u * np.cos(v)
    return s


# ---- comprehensions, Python built-ins, lambdas and nested functions ---------------------------

def list_comprehension(x):
    squares = [x[i] ** 2 for i in range(len(x)) if i != 1]
    return sum(squares) + np.sum(np.array([np.sin(v) for v in x]))


def generator_in_sum(x, y):
    return sum(x[i] * y[j] for i in range(2) for j in range(3) if i <= j)


def appended_then_summed(x):
    ys = []
    for i in range(3):
        ys.append(x * (i + 1))
    ys.append(ys[-1] * ys[0])
    return np.sum(sum(ys)) + np.sum(ys[1])


def builtins_pow_max(x, y):
    return pow(x, 3) + max(x, y) * min(x * 2.0, y) + pow(abs(y), 1.5)


def max_of_several(x, y):
    """``max`` and ``min`` of more than two numbers (was: refused, no rule for three arguments)."""
    return max(x * x, y, x + 0.25, -y) * min(y, 1.5, x - y, x * y)


SCALE = 2.5


def lambdas_and_closures(x, y):
    offset = np.sum(y)
    sq = lambda t: t * t
    shifted = lambda t, k=1.0: (t + offset) * k * SCALE
    return np.sum(sq(x) + shifted(x, k=0.5) + shifted(y))


def nested_def(x):
    def soft(t, n=3):
        s = t
        for _ in range(n):
            if np.sum(s) > 4.0:
                return s * 0.5
            s = s * np.cos(s) + t
        return s
    return np.sum(soft(x) * soft(x * 0.3, n=2))


def floor_mod_pow(x):
    return np.sum(x % 1.5 + (x // 0.7) * x + x ** 2 + x ** 0.5)

# ---- found by the random program generator (tests/proggen.py) ---------------------------------

def inactive_loop_reads_written_array(x, a):
    """An inner loop that only reads z (its values unused) records what it overwrites,
    since the temporary it binds to ``z[j]`` shares z's memory: the backward pass
    must pop it too."""
    z = np.zeros(3)
    for i in range(1, 3):
        for j in range(2):
            w = z[j] ** 2
        z[i] = z[i - 1] * 0.5 + a * x[i]
    return np.sum(z)


def recorded_write_at_loop_index(x):
    """``z[i] = ...`` recorded (later adjoints read z) in a loop over i: its pop needs i."""
    z = np.ones(3)
    for i in range(1, 3):
        z[i] = z[i - 1] * 0.5 + np.mean(np.cos(z))
        v = np.tanh(z * np.sum(x))
    return np.sum(v)


def write_array_into_itself(x, w):
    """``z[::-1] = z`` reverses z in place: the adjoint must read d_z[::-1] before clearing it."""
    z = x * w
    z[::-1] = z
    return np.sum(z * np.arange(3.0))


def early_return_after_write(x, a):
    """``return z[0]`` in a loop that writes z: s2s takes the result (``_out``, a
    subscript of z) to be live across the write in the next trip."""
    z = np.zeros(3)
    for i in range(3):
        z[i] = a * z[i - 1] + x[i]
        if z[i] > 5.0:
            return z[0]
    return np.sum(z * z)


def dict_entry_write_with_shared_value(x, y):
    """Writing ``d["c"]`` rebinds an entry: ``y``, held by the dict, is not changed."""
    d = {"w": x * 0.5, "c": y}
    d["c"] = d["c"] * 2.0
    return np.sum(d["w"] * d["c"]) + np.sum(y)


def loop_variable_reused(x, y):
    """The same loop variable over x, then over z: z and x share no memory."""
    z = np.zeros(3)
    for e in x:
        z[1:] = e * y[1:]
    for e in z:
        z[0] = z[0] + e
    return np.sum(z * x)


# =============================================================================================
# ---- issue 9: found by the differential tester (tests/differential.py, tests/proggen_hazards.py)
# Minimised by hand from random programs; each was silently wrong or crashed inside s2s.  Now each
# is right in every mode (ISSUE_9_CASES: tests/test_data.py checks reverse mode, forward mode and
# second order; ISSUE_9_SECOND_ORDER: grad of grad, tests/test_random_forward.py), or refused:
# when the derivative is built (ISSUE_9_REFUSED) or, for `y += e` where y may be a number, when it
# runs on an array another name shares (ISSUE_9_REFUSED_WHEN_RUN), both in tests/test_data.py.
# ISSUE_9_SAME_LANGUAGE: grad, jvp and hvp all build or all refuse.
# =============================================================================================

import math as _math  # noqa: E402
from dataclasses import dataclass as _dataclass  # noqa: E402,F401

import pytest as _pytest  # noqa: E402

from s2s import S2SError as _S2SError  # noqa: E402


# class 1: writes through views and aliases

def i9_slice_view_write(x):
    y = x * 1.0
    v = y[:2]
    v -= 1.5
    return np.sum(np.sin(y))


def i9_alias_then_augment(x):
    y = x * 1.0
    z = y
    y += np.cos(x[2])
    return np.sum(z * z)


def i9_transpose_view_write(x):
    m = np.outer(x, np.array([1.0, -0.5]))
    v = m.T
    v += 1.5
    return np.sum(np.sin(m))


def i9_reshape_view_write(x):
    m = np.outer(x, np.array([1.0, -0.5]))
    v = m.reshape(6)
    v -= x[0]
    return np.sum(np.sin(m))


def i9_ravel_view_write(x):
    m = np.outer(x, np.array([1.0, -0.5]))
    v = m.ravel()
    v *= 2.0
    return np.sum(m * m)


def i9_einsum_view_write(x):
    y = x * 1.0
    v = np.einsum('i->i', y)
    v[0] = 2.0 * x[1]
    return np.sum(y * y)


def i9_newaxis_view_write(x):
    y = x * 1.0
    v = y[None]
    v *= 0.5
    return np.sum(y * y)


def i9_squeeze_view_write(x):
    y = x * 1.0
    v = np.squeeze(y[None])
    v *= 0.5
    return np.sum(y * y)


def i9_real_view_write(x):
    y = x * 1.0
    v = y.real
    v += x
    return np.sum(y * y)


def i9_base_write_then_transpose_read(x):
    m = np.outer(x, np.array([1.0, -0.5]))
    v = m.T
    m -= x[0]
    return np.sum(v * v)


# class 2: helpers that write into an argument

def i9_set_first(a):
    a[0] = a[1] * 2.0


def i9_scale_in_place(a, s):
    a *= s


def i9_double_entry(d):
    d["w"] = d["w"] * 2.0


def i9_mutating_helper(x):
    y = x * 1.0
    i9_set_first(y)
    return np.sum(y * y)


def i9_mutating_helper_augmented(x):
    y = x * 1.0
    i9_scale_in_place(y, 3.0)
    return np.sum(y * y)


def i9_mutating_helper_dict(x):
    d = {"w": x * 1.0}
    i9_double_entry(d)
    return np.sum(d["w"] * x)


# class 3: repeated indices in a write

def i9_repeated_index_assign(x):
    y = x * 1.0
    y[[1, 1]] = x[:2] * 2.0
    return np.sum(y * y)


def i9_repeated_index_add(x):
    y = x * 1.0
    y[[0, 0]] += x[2]
    return np.sum(y * y)


def i9_repeated_index_scale(x):
    y = x * 1.0
    y[[2, 2]] *= 1.5
    return np.sum(y * y)


# class 4: list and tuple operators

def i9_list_repeat(x):
    t = [x[0]] * 3
    return t[0] * t[-1] + t[1]


def i9_list_repeat_left(x):
    t = 2 * [x[0], x[1]]
    return sum(t) * x[2]


def i9_tuple_repeat(x):
    t = (x[0],) * 3
    return t[0] * t[1] * t[2]


def i9_list_of_arrays_repeat(x):
    t = [x] * 2
    return np.sum(np.array(t) ** 2)


def i9_list_repeat_stacked(x):
    t = [x[1]] * 2
    return np.sum(np.stack(t) ** 2)


def i9_list_extend_augmented(x):
    t = [x[0], x[1]]
    t += [x[2]]
    return t[0] * t[2]


def i9_list_repeat_then_extend(x):
    t = [x[0], x[1]] * 2
    t += [x[2]]
    return np.sum(np.array(t) ** 2)


def i9_list_concat_constant_repeat(x):
    t = [x[0]] + [1.5] * 2
    return t[0] * t[-1] + t[1]


def i9_list_repeat_of_floats(a):
    t = [a, a * 2.0] * 2
    return np.sum(np.array(t) ** 2)


def i9_list_repeat_then_extend_floats(a, b):
    t = [a, b] * 2
    t += [b]
    return np.sum(np.array(t) ** 2)


# class 5: closures made by factories

def i9_make_scaled_sin(c):
    return lambda t: c * np.sin(t)


def i9_factory_closure_over_active(x):
    g = i9_make_scaled_sin(np.tanh(x[0]))
    return g(0.3) + x[1]


def i9_factory_closure_over_constant(x):
    g = i9_make_square(3.0)
    return np.sum(g(x))


def i9_local_function_negative_default(x):
    def g(t, k=-0.5):
        return k * t * t + t
    return np.sum(g(x))


# class 6: functions treated as constants

def i9_full(x):
    return np.sum(np.full(3, x[0]) * x)


def i9_full_like(x):
    return np.sum(np.full_like(x, x[0]) * x)


def i9_linspace(x):
    return np.sum(np.linspace(x[0], x[1], 3) ** 2)


def i9_r_(x):
    return np.sum(np.r_[x[0], x[1]] ** 2)


def i9_c_(x):
    return np.sum(np.c_[x, x] ** 2)


def i9_einsum_sublists(x):
    return np.einsum(np.outer(x, x), (0, 1), (1, 0))[0, 1]


# class 7: eigh reads one triangle

def i9_eigh_nonsymmetric(x):
    m = np.outer(x, np.tanh(x + 0.5)) + np.diag([3.0, 5.0, 7.0])
    return np.sum(np.linalg.eigh(m)[0] * np.array([1.0, 2.0, 3.0]))


def i9_eigh_upper(x):
    m = np.outer(x, np.tanh(x + 0.5)) + np.diag([3.0, 5.0, 7.0])
    return np.sum(np.linalg.eigh(m, UPLO='U')[0] * np.array([1.0, 2.0, 3.0]))


# class 8: NaN where the derivative exists

def i9_std_of_one(x):
    return np.std(x[:1]) + x[1]


def i9_power_of_zero(x):
    return np.power(0.0, x[0] * x[0] + 1.0) + x[1]


def i9_pow_operator_of_zero(x):
    return 0.0 ** (x[0] * x[0] + 0.5) + x[1]


def i9_math_hypot_at_zero(x):
    return _math.hypot(0.0 * x[0], 0.0 * x[0]) + x[1]


def i9_np_hypot_at_zero(x):
    return np.sum(np.hypot(x * 0.0, x * 0.0)) + x[1]


def i9_unused_tuple_entry(x):
    pair = (np.sqrt(x[0] - x[0]), 2.0)
    return pair[1] * x[0]


def i9_unused_dict_entry(x):
    d = {"a": np.sqrt(x - x), "b": x[0] * 2.0}
    return d["b"] * x[1]


def i9_math_hypot_at_zero_float(a):
    return _math.hypot(0.0 * a, 0.0 * a) + a


# class 9: attributes forward mode takes as constants (reverse mode refuses); modes that
# accept different programs

def i9_imag_attribute(x):
    y = x * 2.0
    return np.sum(y.imag + y)


def i9_dead_eigvalsh(x):
    m = np.outer(x, x) + np.eye(3)
    s = np.sum(np.linalg.eigvalsh(m))
    s = np.sin(x[0])
    return s


def i9_real_attribute(x):
    y = x * 2.0
    return np.sum(y.real * y)


def i9_flat_attribute(x):
    y = x * 2.0
    return y.flat[1] * y[0]


# class 10: complex values

def i9_complex_abs(x):
    return np.sum(np.abs(x * (1 + 2j)) ** 2)


def i9_complex_exp_abs(x):
    return np.sum(np.abs(np.exp(1j * x)) * x)


def i9_complex_abs_shift(x):
    return np.sum(np.abs(x + 1j))


def i9_complex_real(x):
    return np.sum((x * (2 - 1j)).real)


def i9_complex_imag(x):
    return np.sum((x * 1j).imag * x)


# class 13: crashes inside s2s

def i9_bitand_condition(x):
    r = x[0] * 1.0
    if (x[0] > 0.0) & (x[1] < 0.5):
        r = r * x[1]
    return r


def i9_bitor_condition(x):
    r = x[0] * 1.0
    if (x[0] > 0.5) | (x[1] < 0.5):
        r = r * x[1]
    return r


def i9_lambda_only_in_condition(x):
    sq = lambda u: u * u  # noqa: E731
    r = x[0] * 1.0
    if sq(x[1]) > 0.25:
        r = r + x[1] * x[0]
    return r


def i9_dict_entry_added_after_rebinding(x):
    d = {"a": x * 1.0}
    d["a"] = d["a"] * 2.0
    d["k"] = np.tanh(x[0])
    return d["k"] * np.sum(d["a"])


def i9_fill_loop(a):
    w = np.zeros(3)
    for i in range(3):
        w[i] = a + i
    return np.sum(w * w)


def i9_untaken_return_in_nested_loops(x, y):
    for e in y:
        for i in range(1, 3):
            if np.tanh(0.5) > 1.5:
                return e
    return x ** 3 * np.sum(y)


def i9_early_return_in_loop(s):
    for i in range(2):
        if s < 0:
            return 0.0
    v = s * np.ones(3)
    return np.sum(v * v)


def i9_scale_then_rebind_parameter(a, b):
    v = 1.5
    v *= a
    a = np.sqrt(b * b + 1.0)
    return v


def i9_helper_rebinds_used_parameter(x, y):
    return i9_scale_then_rebind_parameter(x, y) + x


def i9_make_square(c):
    def s(t):
        return c * t ** 2
    return s


def i9_dead_closure_call(x):
    g = i9_make_square(0.25)
    s = np.sum(g(x))
    s = np.sin(x[0])
    return s


def i9_min_into_parameter(a, b):
    b = np.minimum(a, b)
    return a + b


def i9_helper_rebinds_parameter(x, y):
    return i9_min_into_parameter(np.tanh(x), y)


_X9 = np.array([0.3, -0.7, 1.1])

ISSUE_9_CASES = [  # right in every mode now; the comment says what was wrong
    (i9_repeated_index_assign, [(_X9,)], 0),  # class 3: `y[[1, 1]] = v` keeps the last write
    (i9_repeated_index_add, [(_X9,)], 0),  # class 3: `y[[0, 0]] += s` adds once
    (i9_repeated_index_scale, [(_X9,)], 0),  # class 3: `y[[2, 2]] *= c` scales once
    (i9_list_repeat, [(_X9,)], 0),  # class 4: `[s] * 3` is arithmetic in reverse mode
    (i9_list_repeat_left, [(_X9,)], 0),  # class 4: `2 * [s, t]`
    (i9_tuple_repeat, [(_X9,)], 0),  # class 4: `(s,) * 3`
    (i9_list_of_arrays_repeat, [(_X9,)], 0),  # class 4: `[x] * 2` then np.array
    (i9_list_repeat_stacked, [(_X9,)], 0),  # class 4: `[s] * 2` then np.stack
    (i9_list_extend_augmented, [(_X9,)], 0),  # class 4: `t += [s]` extends the list
    (i9_list_repeat_then_extend, [(_X9,)], 0),  # class 4: `[s, t] * 2` then `+= [u]`
    (i9_list_concat_constant_repeat, [(_X9,)], 0),  # class 4: `[s] + [1.5] * 2`: jvp IndexError, hvp wrong
    (i9_list_repeat_of_floats, [(0.7,)], 0),  # class 4: `[a, 2a] * 2` of floats: half the gradient
    # class 4: `[a, b] * 2; t += [b]`: jvp and hvp crash (broadcast (4,) (5,))
    (i9_list_repeat_then_extend_floats, [(0.7, -0.4)], 0),
    # class 5: over-strict: the default `k=-0.5` is 'not a constant'
    (i9_local_function_negative_default, [(_X9,)], 0),
    (i9_full, [(_X9,)], 0),  # class 6: np.full's fill value
    (i9_full_like, [(_X9,)], 0),  # class 6: np.full_like's fill value
    (i9_linspace, [(_X9,)], 0),  # class 6: np.linspace's ends
    (i9_eigh_nonsymmetric, [(_X9,)], 0),  # class 7: eigh reads the lower triangle only
    (i9_eigh_upper, [(_X9,)], 0),  # class 7: eigh(UPLO='U') reads the upper triangle only
    (i9_std_of_one, [(_X9,)], 0),  # class 8: np.std of one element gives NaN
    (i9_power_of_zero, [(_X9,)], 0),  # class 8: np.power(0.0, y) gives NaN; hvp refuses np.result_type
    (i9_pow_operator_of_zero, [(_X9,)], 0),  # class 8: 0.0 ** y gives NaN; hvp refuses np.result_type
    (i9_math_hypot_at_zero, [(_X9,)], 0),  # class 8: math.hypot(0, 0) gives NaN
    (i9_math_hypot_at_zero_float, [(0.7,)], 0),  # class 8: math.hypot(0.0, 0.0) of floats: ZeroDivisionError
    (i9_np_hypot_at_zero, [(_X9,)], 0),  # class 8: np.hypot(0, 0) gives NaN
    (i9_unused_tuple_entry, [(_X9,)], 0),  # class 8: an unused tuple entry np.sqrt(0) gives NaN
    (i9_unused_dict_entry, [(_X9,)], 0),  # class 8: an unused dict entry np.sqrt(0) gives NaN
    (i9_bitand_condition, [(_X9,)], 0),  # class 13: `&` of comparisons: KeyError gast.BitAnd
    (i9_bitor_condition, [(_X9,)], 0),  # class 13: `|` of comparisons: KeyError gast.BitOr
    (i9_lambda_only_in_condition, [(_X9,)], 0),  # class 13: a lambda used only in an `if`: NameError
    (i9_dict_entry_added_after_rebinding, [(_X9,)], 0),  # class 13: `d['k'] = ...` after `d['a'] = ...`: KeyError
    (i9_factory_closure_over_constant, [(_X9,)], 0),  # was over-strict: a closure a factory returned, called here
]

# (function, arguments): refused with S2SError when grad, jvp and hvp are built
ISSUE_9_REFUSED = [  # (np.r_, np.c_ and einsum's sublists, once here, are differentiated: corpus_issue10_numpy2.py)
    (i9_transpose_view_write, [(_X9,)]),  # class 1: a write through `m.T` is dropped
    (i9_reshape_view_write, [(_X9,)]),  # class 1: a write through `m.reshape(6)` is dropped
    (i9_ravel_view_write, [(_X9,)]),  # class 1: a write through `m.ravel()` is dropped
    (i9_einsum_view_write, [(_X9,)]),  # class 1: a write through `np.einsum('i->i', y)` is dropped
    (i9_base_write_then_transpose_read, [(_X9,)]),  # class 1: `v = m.T` read after `m -= ...`
    (i9_mutating_helper, [(_X9,)]),  # class 2: `a[0] = ...` in a helper is ignored
    (i9_mutating_helper_dict, [(_X9,)]),  # class 2: `d['w'] = ...` in a helper is ignored
    (i9_real_attribute, [(_X9,)]),  # class 9: jvp takes `.real` as constant, grad refuses
    (i9_flat_attribute, [(_X9,)]),  # class 9: jvp takes `.flat[1]` as constant, grad refuses
    (i9_complex_abs, [(_X9,)]),  # class 10: np.abs(x * (1 + 2j)) ** 2
    (i9_complex_exp_abs, [(_X9,)]),  # class 10: a complex gradient of np.abs(np.exp(1j * x))
    (i9_complex_abs_shift, [(_X9,)]),  # class 10: a complex gradient of np.abs(x + 1j)
    (i9_complex_real, [(_X9,)]),  # class 10: jvp gives 0 for (x * (2 - 1j)).real, grad refuses
    (i9_complex_imag, [(_X9,)]),  # class 10: jvp halves (x * 1j).imag * x, grad refuses
]

# (function, arguments): `y += e` where y may be a number (so s2s cannot tell statically whether it writes
# in place) and another name shares y: the derivative checks when it runs, and raises ValueError for an array
ISSUE_9_REFUSED_WHEN_RUN = [
    (i9_slice_view_write, [(_X9,)]),  # class 1: a write through `v = y[:2]` is dropped
    (i9_alias_then_augment, [(_X9,)]),  # class 1: `z = y; y += ...` changes z too
    (i9_newaxis_view_write, [(_X9,)]),  # class 1: a write through `y[None]` is dropped
    (i9_squeeze_view_write, [(_X9,)]),  # class 1: a write through `np.squeeze(y[None])` is dropped
    (i9_real_view_write, [(_X9,)]),  # class 1: a write through `y.real` is dropped
    (i9_mutating_helper_augmented, [(_X9,)]),  # class 2: `a *= s` in a helper is ignored
]

# (function, arguments): grad(grad(f)) against second differences (tests/test_random_forward.py)
ISSUE_9_SECOND_ORDER = [
    # class 13: grad of grad of a helper that rebinds a parameter after using it: TypeError (None + float)
    (i9_helper_rebinds_used_parameter, (-0.72, -0.52)),
    # class 13: grad of grad of a never-taken return in nested loops: TypeError on numpy.bool
    (i9_untaken_return_in_nested_loops, (-0.69, np.array([0.35, -1.25, 1.55]))),
    (i9_early_return_in_loop, (0.7,)),  # class 12: grad of grad through an early return in a loop: 12, not 6
    (i9_list_repeat_of_floats, (0.7,)),  # class 4: grad of grad of `[a, 2a] * 2`: ValueError (reshape)
    (i9_list_repeat_then_extend_floats, (0.7, -0.4)),  # class 4: grad of grad: ValueError (reshape)
    (i9_fill_loop, (0.7,)),  # class 13: grad of grad of a fill loop: AssertionError (loop targets ...)
    # class 13: grad of grad of a helper that rebinds a parameter to np.minimum: IndexError (pop)
    (i9_helper_rebinds_parameter, (-1.64, -1.03)),
]

# (function, arguments): grad, jvp and hvp must all be built or all refuse (tests/test_random_forward.py)
ISSUE_9_SAME_LANGUAGE = [
    (i9_imag_attribute, (_X9,)),  # class 9: grad and hvp refuse `.imag`, jvp accepts it
    (i9_dead_closure_call, (_X9,)),  # class 9: jvp refuses a dead call of a factory's closure that grad accepts
    (i9_dead_eigvalsh, (_X9,)),  # class 9: jvp refuses a dead np.linalg.eigvalsh that grad and hvp accept
    (i9_power_of_zero, (_X9,)),  # class 13: hvp refuses np.result_type in grad's code; grad and jvp are built
]


def i9_mutating_helper_on_a_view(x):
    """A call statement keeps its arguments whole: `h(y[1:])` writes into y."""
    y = x * 1.0
    i9_set_first(y[1:])
    return np.sum(y * y)


ISSUE_9_REFUSED.append((i9_mutating_helper_on_a_view, [(_X9,)]))  # found by the deep differential run


def i9_guard_reads_a_loop_target(x):
    """`v += 1.0` on a float: the run-time check reads the names that may share v, and the loop
    target i is one of them before any loop has assigned it (found by the deep differential run:
    UnboundLocalError in the generated code)."""
    v = x
    v += 1.0
    w = x * 0.5
    for j in range(3):
        for i in range(1, j + 1):
            w = (i if i > x else x)
    return v * w + x


ISSUE_9_CASES.append((i9_guard_reads_a_loop_target, [(0.4,), (1.7,)], 0))


def i9_dead_einsum_sublists(x):
    """einsum's sublist form feeds a value that is overwritten: the refusal must not depend on
    a mode's zero tracking (found by the deep differential run: jvp refused, grad built)."""
    k = np.einsum(x * 1.0, (0,), ())
    r = np.sum(k * np.cos(k))
    r, s = np.sum(x * x), 1.0
    return r + s


ISSUE_9_SAME_LANGUAGE.append((i9_dead_einsum_sublists, (_X9,)))
ISSUE_9_CASES.append((i9_factory_closure_over_active, [(_X9,)], 0))  # class 5, now inlined (issue 10)


def i9_list_rebound_to_an_array(x):
    """A name bound to a list, then to an array: its `*` and `+` are arithmetic, not repetition."""
    z = [x[0], x[1]]
    z = np.array(z)
    return np.sum(np.sin(z * 2.0 + z))


def i9_tuple_or_array(x):
    """A name that is a tuple on one path and an array on the other."""
    z = (x[0], x[1])
    if x[2] > 0:
        z = x[:2] * 1.0
    w = z + z
    return np.sum(np.sin(np.asarray(w) * 3.0))


ISSUE_9_CASES.append((i9_list_rebound_to_an_array, [(_X9,)], 0))
ISSUE_9_CASES.append((i9_tuple_or_array, [(_X9,)], 0))
