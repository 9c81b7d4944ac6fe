"""s2s.jit: derivatives compiled by Numba give the derivative (complex step, analytic values),
the same numbers as the code s2s runs without it, and clear errors for what they cannot compile.
Correctness only: nothing here is timed."""
import builtins
import inspect
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import s2s
from s2s import standalone
from oracles import assert_grads_close, complex_step_grad, numerical_grad

numba = pytest.importorskip("numba")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import course  # noqa: E402
import test_cli  # noqa: E402  (its model, with a stencil)

RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def _cache_directory(tmp_path_factory, monkeypatch):
    """Compiled code kept on disk goes to a directory of this session's, not the user's cache; the
    first call compiles (what these tests check is the compiled code), except where a test says."""
    monkeypatch.setenv("S2S_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "s2s-cache"))
    monkeypatch.setenv("S2S_JIT_BACKGROUND", "0")


def _close(got, want, rtol=1e-10):
    got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-12)


COURSE = [
    (course.poly, (3.0, 4.0), (0, 1)),
    (course.poly3, (2.0, 3.0, 4.0), (0, 1, 2)),
    (course.sin_square, (3.0,), 0),
    (course.cos_sin, (0.4, 1.3), (0, 1)),
    (course.loop, (1.3, 0.7), (0, 1)),
    (course.logistic_nll, (RNG.normal(size=4), 0.3, RNG.normal(size=(30, 4)), (RNG.random(30) > 0.5) * 1.0), (0, 1)),
    (course.mlp_loss, (RNG.normal(size=(4, 6)), RNG.normal(size=6), RNG.normal(size=(6, 3)), RNG.normal(size=3),
                       RNG.normal(size=(5, 4)), RNG.normal(size=(5, 3))), (0, 1, 2, 3)),
    (course.rnn_loss, (RNG.normal(size=(5, 3)) * 0.5, RNG.normal(size=(5, 5)) * 0.3, RNG.normal(size=5),
                       RNG.normal(size=(6, 3))), (0, 1, 2)),
    (course.stencil, (RNG.normal(size=(8, 8)), 0.1), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", COURSE, ids=[c[0].__name__ for c in COURSE])
def test_course_gradients_compiled(f, args, wrt):
    eager = s2s.grad(f, wrt=wrt)
    compiled = s2s.jit(eager)
    got = compiled(*args)
    exact = "math." not in inspect.getsource(f)   # (math.sin takes no complex step)
    assert_grads_close(f, got if isinstance(wrt, tuple) else (got,), args, wrt if isinstance(wrt, tuple) else (wrt,),
                       oracle=complex_step_grad if exact else numerical_grad, rtol=1e-9 if exact else 1e-6)
    _close(got, eager(*args))
    # what ran is the code made for these arguments, compiled: not the general code it falls back to
    (dispatcher, source), = compiled.table.values()
    assert dispatcher is not compiled.dispatcher and dispatcher.signatures
    assert source == s2s.source(compiled, like=args) != s2s.source(compiled)
    if f is course.rnn_loss:   # (the rows of its outer products, written into an array at the steps' indices)
        assert "_rows1 = np.empty((len(" in source and "_rows1 = np.empty((len(" in s2s.source(eager, like=args)
        assert "sum_rows(_rows1)" in source and "stack_rows(" not in source
        written = standalone.render(compiled.shapes.for_arguments(args), command="s2s grad ...", jit=True)
        assert "_rows1 = np.empty((len(" in written and "sum_rows(_rows1)" in written
    if f is course.stencil:   # its element-wise statements as loop nests, its rolls as shifted indices
        assert "for _i1 in range(8):" in source and "roll_along(" not in source


def test_scalar_loop_by_hand():
    g = s2s.jit(s2s.grad(course.sin_square))
    assert g(3.0) == pytest.approx(6 * math.cos(9), rel=1e-14)
    assert type(g(3.0)) is float


def _branchy(x, n):
    s = 0.0
    for i in range(n):
        if i % 2 == 0:
            t = np.sin(x * i)      # first assigned in the loop, on some iterations: recorded after it is
            s = s + t * t
        else:
            s = s * 0.5 + x
    return s


def _stepped(x):
    z = x
    for i in range(1, 10, 3):   # counted down as range(7, 0, -3)
        z = z * x + i
    for i in range(9, 0, -4):
        z = np.sin(z) * i
    return z


def _while(x):
    z = x
    k = 0
    while z < 10.0 and k < 50:
        z = z * 1.5 + np.cos(z)
        k += 1
    return z * x


def _nested_trips(x, n):
    s = x
    k = 0
    while k < n:
        k += 1
        for i in range(5):   # its trip count, pushed at each outer step, differs from step to step
            s = np.sin(s) * 1.1 + x
            if i >= k:
                break
    return s


def _scaled_entry(x):
    z = np.sin(x)
    v = z[1] * 1.0
    v *= 0.5          # checked at run time not to write into z (compiled: decided by the types)
    return np.sum(z) + v * v


def _helper(z, k):
    for _ in range(k):
        z = np.tanh(z) * 1.1 + z
    return z


def _calls_helper(x):
    return np.sum(_helper(x * 2.0, 3) * _helper(x, 2))


def _array_loop(x, w):
    h = x
    for i in range(4):
        a = w @ h        # a loop-local array, recorded
        h = np.tanh(a) + 0.5 * h
    return np.sum(h * h)


CASES = [
    (_branchy, (0.7, 5), 0),
    (_stepped, (0.3,), 0),
    (_while, (1.2,), 0),
    (_nested_trips, (0.3, 3), 0),   # was silently wrong: the counts pushed were the counters' zeros
    (_scaled_entry, (RNG.normal(size=3),), 0),
    (_calls_helper, (RNG.normal(size=4),), 0),
    (_array_loop, (RNG.normal(size=3), RNG.normal(size=(3, 3)) * 0.5), (0, 1)),
]


@pytest.mark.parametrize("f, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_recorded_loops_compiled(f, args, wrt):
    eager = s2s.grad(f, wrt=wrt)
    got = s2s.jit(eager)(*args)
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    exact = f is not _while   # (a comparison takes no complex step)
    assert_grads_close(f, got if isinstance(wrt, tuple) else (got,), args, wrts,
                       oracle=complex_step_grad if exact else numerical_grad, rtol=1e-9 if exact else 1e-6)
    _close(got, eager(*args))


def test_run_time_checks_of_in_place_writes_compile():
    text = s2s.source(s2s.jit(s2s.grad(_scaled_entry)))
    assert "copied_entries_passed_as_value(" in text and "entries_passed_as_value(" in text


def test_source_shows_the_compiled_code():
    g = s2s.jit(s2s.grad(_branchy))
    text = s2s.source(g)
    assert "reversed" not in text and "_stack = []" not in text and "= None" not in text
    assert "_stack_t.append(t)" in text and "(test_jit.py:" in text
    compile(text, "<jit>", "exec")


def _broadcast_loss(W, b, X):
    return np.sum(np.tanh(X @ W + b) ** 2)


def test_code_for_each_signature_is_compiled(monkeypatch):
    """A gradient compiles, per signature, the code s2s makes for those shapes (no broadcasting
    helpers); past the limit of signatures, the general code; all of them right."""
    monkeypatch.setattr(s2s.specialised.ForShapes, "LIMIT", 2)
    g = s2s.jit(s2s.grad(_broadcast_loss, wrt=(0, 1)))
    assert "unbroadcast(" in s2s.source(g)
    calls = [(RNG.normal(size=(3, 2)), RNG.normal(size=2), RNG.normal(size=(4, 3))),
             (RNG.normal(size=(2, 2)), RNG.normal(size=2), RNG.normal(size=(5, 2))),
             (RNG.normal(size=(3, 1)), RNG.normal(size=1), RNG.normal(size=(2, 3)))]
    for args in calls:
        got = g(*args)
        assert_grads_close(_broadcast_loss, got, args, (0, 1), oracle=complex_step_grad, rtol=1e-9)
    assert "unbroadcast(" not in s2s.source(g, like=calls[0]) and "(test_jit.py:" in s2s.source(g, like=calls[0])
    assert s2s.source(g, like=calls[2]) == s2s.source(g)   # the third signature: the general code
    numbers = s2s.jit(s2s.grad(course.sin_square))   # d/dx sin(x^2): code for a float
    _close(numbers(1.5), 3.0 * np.cos(2.25))
    assert "grad_seed" in s2s.source(numbers) and "grad_seed" not in s2s.source(numbers, numbers=True)


def test_code_for_a_signature_that_does_not_compile_falls_back_to_the_general_code(monkeypatch):
    jit_module = __import__("importlib").import_module("s2s.jit")
    real = jit_module._numba_module
    g = s2s.grad(_broadcast_loss, wrt=(0, 1))
    general = s2s.source(s2s.jit(g))

    def broken(made, numba_module, done=None, cache=False):   # code made for the signature: Numba cannot type it
        source, namespace = real(made, numba_module, done, cache)
        if source == general:
            return source, namespace
        return source, {made.entry: numba.njit(lambda W, b, X: object())}
    monkeypatch.setattr(jit_module, "_numba_module", broken)
    args = (RNG.normal(size=(3, 2)), RNG.normal(size=2), RNG.normal(size=(4, 3)))
    assert_grads_close(_broadcast_loss, s2s.jit(g)(*args), args, (0, 1), oracle=complex_step_grad, rtol=1e-9)


def test_other_derivatives_compiled():
    x, v = RNG.normal(size=3), RNG.normal(size=3)

    def f(x):
        return np.sum(np.sin(x) * x ** 2)

    grad = np.cos(x) * x ** 2 + 2 * x * np.sin(x)
    hess = np.diag(2 * np.sin(x) + 4 * x * np.cos(x) - x ** 2 * np.sin(x))
    _close(s2s.jit(s2s.hvp(f))(x, v), hess @ v)
    _close(s2s.jit(s2s.jvp(f))(x, v), (f(x), grad @ v))

    def two(x, y):
        return np.sum(x * x * y)
    y, w = RNG.normal(size=3), RNG.normal(size=3)
    _close(s2s.jit(s2s.hvp(two, wrt=(0, 1)))(x, y, (v, w)), (2 * y * v + 2 * x * w, 2 * x * v))

    def g(x):
        return np.sin(x) * x

    _close(s2s.jit(s2s.vjp(g))(x, v), (np.cos(x) * x + np.sin(x)) * v)
    _close(s2s.jit(s2s.value_and_grad(f))(x), (f(x), grad))


def _recurrence(x):
    s = x
    for k in range(4):
        s = s * np.cos(s) + x   # np.cos(s) is recorded at each step
    return np.sum(s)


def test_hessian_vector_product_of_a_recording_loop_compiled():
    x, v = RNG.normal(size=3) * 0.5, RNG.normal(size=3)
    got = s2s.jit(s2s.hvp(_recurrence))(x, v)

    def along_v(y, step=1e-5):   # the derivative along v, by central differences (complex y too)
        return (_recurrence(y + step * v) - _recurrence(y - step * v)) / (2 * step)
    _close(got, complex_step_grad(along_v, (x,), 0), rtol=1e-7)
    assert "= None" not in s2s.source(s2s.hvp(_recurrence))


def _inner(a):
    return a * 2.0


def _outer(a):
    return _inner(a) + 1.0


def _calls_plain(x):
    k = _outer(3.0)   # no derivative flows through k: a call the code makes as it is
    return np.sum(x * k)


def test_user_functions_the_code_calls_are_compiled_with_what_they_call():
    g = s2s.jit(s2s.grad(_calls_plain))
    _close(g(np.ones(3)), np.full(3, 7.0))


def test_stop_gradient_compiles():
    g = s2s.jit(s2s.grad(lambda x: np.sum(x * s2s.stop_gradient(x))))
    _close(g(np.array([1.0, -2.0])), np.array([1.0, -2.0]))


def test_roll_along_is_np_roll():
    from s2s.jit_runtime import roll_along

    @numba.njit
    def roll(x, shift, axis):
        return roll_along(x, shift, axis)
    u, cube = RNG.normal(size=(5, 7)), RNG.normal(size=(3, 4, 5))
    for x in (u, u[:, ::2], u[1], cube[:, 1:, ::2], np.zeros((0, 3))):   # (each layout compiles anew)
        for axis in range(-x.ndim, x.ndim):
            for shift in (0, 1, -1, 3, -8, 12):
                np.testing.assert_array_equal(roll(x, shift, axis), np.roll(x, shift, axis=axis))
    with pytest.raises(ValueError, match="out of bounds"):
        roll(u[1], 1, 1)
    for x in (u, u[1]):   # no axis: the flattened array, rolled
        for shift in (1, -3):
            np.testing.assert_array_equal(roll(x, shift, None), np.roll(x, shift))


def _rolls_flat(x, k):   # np.roll without an axis; its adjoint rolls back with axis None
    return np.sum((x - k * np.roll(x, 1)) ** 2)


def test_a_roll_without_an_axis_compiles():
    x = RNG.normal(size=(3, 4))
    eager = s2s.grad(_rolls_flat, wrt=(0, 1))
    g = s2s.jit(eager)
    for _ in range(2):   # the general code, then the code for these shapes
        _close(g(x, 0.7), eager(x, 0.7))
    assert_grads_close(_rolls_flat, g(x, 0.7), (x, 0.7), (0, 1), rtol=1e-6)


@pytest.mark.filterwarnings("ignore::numba.core.errors.NumbaPendingDeprecationWarning")   # (a list argument)
def test_stack_rows_is_np_array_of_a_list():
    from s2s.jit_runtime import stack_rows

    @numba.njit
    def stack(rows):
        return stack_rows(rows)
    rows = [RNG.normal(size=3) for _ in range(4)]
    np.testing.assert_array_equal(stack(rows), np.array(rows))
    with pytest.raises(ValueError, match="rows differ in shape"):
        stack(rows + [np.ones(2)])
    block = RNG.normal(size=(4, 6))
    views = [block[:3, ::2], block[1:, 1::2]]   # (not contiguous)
    np.testing.assert_array_equal(stack(views), np.array(views))
    assert stack([1.0, 2.5]).tolist() == [1.0, 2.5]


def test_sum_rows_is_sum_along_the_first_axis():
    from s2s.jit_runtime import sum_rows

    @numba.njit
    def rows(x):
        return sum_rows(x)
    for x in (RNG.normal(size=(5, 4, 6))[:, ::2], np.zeros((0, 4, 6))[:, ::2]):   # (one type: one compile)
        np.testing.assert_allclose(rows(x), x.sum(axis=0), rtol=1e-14)
        assert rows(x).shape == (2, 6)


_ELEMENTWISE = """
def steps(u, w, c, k):
    v = u
    for _ in range(3):
        v = v + c * (roll_along(v, 1, 0) - 2.0 * v + roll_along(v, -2, 1)) / (1.0 + w * w) - v ** 3 / k
        v = np.tanh(v) * np.exp(-w) + np.maximum(v, 0.5) * (v * w).sum() * 1e-3
    return v, u / w, -(w - 1.0), v * 2.0 + v ** -2
"""


def test_elementwise_expressions_as_loop_nests_give_the_same_bits():
    """Loops for known shapes compute what Numba's array expressions do, bit for bit: rolls,
    broadcasting, `/` by zero (inf, as NumPy), numbers; NumPy itself is the oracle of the values."""
    import ast
    import gast
    from s2s.jit_runtime import roll_along
    from s2s.transforms.known_values import Known
    from s2s.transforms.loop_nests import loop_nests
    from s2s.transforms.nodes import parse
    given = {"u": Known((5, 4), np.dtype(float)), "w": Known((4,), np.dtype(float)),
             "c": Known((), np.dtype(float), True), "k": Known((), np.dtype(int), True)}
    nested = ast.unparse(gast.gast_to_ast(loop_nests(parse(_ELEMENTWISE).body[0], given, set(), "roll_along")))
    assert "roll_along" not in nested and nested.count("for _i0 in range(5)") == 5 and "range(4)" in nested
    assert "np.divide(" in nested and "_v2 = v ** (-2)" in nested   # (a negative power: as it was)
    forms = []
    for text in (_ELEMENTWISE, nested):
        space = {"np": np, "roll_along": roll_along}
        exec(text, space)
        forms.append(numba.njit(space["steps"]))
    u, w = RNG.normal(size=(5, 4)), np.array([0.5, 0.0, -1.5, 2.0])
    arrays, loops = forms[0](u, w, 0.1, 3), forms[1](u, w, 0.1, 3)
    for a, b in zip(arrays, loops):
        np.testing.assert_array_equal(a, b)
    space = {"np": np, "roll_along": lambda x, shift, axis: np.roll(x, shift, axis=axis)}
    exec(_ELEMENTWISE, space)
    with np.errstate(divide="ignore"):
        for a, b in zip(space["steps"](u, w, 0.1, 3), loops):
            np.testing.assert_allclose(b, a, rtol=1e-12)


def test_plain_function():
    def f(x, n):
        s = 0.0
        for i in range(n):
            s += x[i] * i
        return s
    assert s2s.jit(f)(np.arange(4.0), 4) == 14.0


def test_trees_and_0d_arrays_are_refused_clearly():
    g = s2s.jit(s2s.grad(lambda xs: np.sum(np.sin(xs))))
    with pytest.raises(s2s.JitError, match="numbers and NumPy arrays; `xs` is a list"):
        g([1.0, 2.0])
    with pytest.raises(s2s.JitError, match=r"`xs` is a 0-d array\nhint: pass float\(xs\) instead"):
        g(np.array(1.0))
    _close(g(np.array([1.0, 2.0])), np.cos([1.0, 2.0]))


def test_integer_argument_is_refused_as_without_jit():
    g = s2s.jit(s2s.grad(course.sin_square))
    with pytest.raises(s2s.IntegerArgumentError):
        g(3)


def _uses_einsum(x):
    return np.sum(np.einsum("i,i->i", x, x))


def test_helpers_without_a_compiled_form_are_refused_when_compiled():
    with pytest.raises(s2s.JitError, match="calls the helper `einsum_grad`, which has no compiled form"):
        s2s.jit(s2s.grad(_uses_einsum))


# ---- the run-time checks of in-place writes, compiled ------------------------------------------

def _halves(x, c, k):
    buf = x * c
    w = buf[:2] if k == 0 else buf[::-1][:2]   # beside v = buf[2:], or overlapping it backwards
    v = buf[2:]
    v += c * w               # checked at run time: `w`, read later, must not see the write
    return np.sum(v * v * w)


def test_in_place_addition_checked_as_numpy_bounds_memory():
    eager = s2s.grad(_halves, wrt=(0, 1))
    assert "rebinds(v, (w,)" in s2s.source(eager)
    g = s2s.jit(eager)
    x = RNG.normal(size=4)
    got = g(x, 0.3, 0)   # apart: differentiated as `v = v + c * w`, exactly
    assert_grads_close(lambda x, c: _halves(x, c, 0), got, (x, 0.3), (0, 1), oracle=complex_step_grad, rtol=1e-9)
    _close(got, eager(x, 0.3, 0))
    with pytest.raises(s2s.InPlaceWriteError) as compiled:   # overlapping: refused as without s2s.jit
        g(x, 0.3, 1)
    with pytest.raises(s2s.InPlaceWriteError) as plain:
        eager(x, 0.3, 1)
    assert str(compiled.value) == str(plain.value)


def test_may_share_memory_is_numpys_bounds_test():
    from s2s.jit_runtime_checks import _may_share
    a = np.arange(24.0).reshape(4, 6)
    ints = np.arange(6, dtype=np.int32)
    views = [a, a.T, a[::2, ::-3], a[1:3, 2:4], a[:, 2], a[3, 4:], a[0, :0], a.reshape(-1)[4:7], ints[::-2]]
    for u in views:
        for v in views:   # (the compiled test of the pair; `is`: the Python helper's test first)
            assert _may_share.py_func(u, v) == (u is v or np.may_share_memory(u, v)), (u, v)


def _bump(a, e):
    a += e          # writes into an array: s2s gives it a copy where the caller's name is dead
    return a * a


def _bumps(x, y):
    z = x[1:]       # a view of x, which the copy leaves as it is
    w = x[:3] * 2.0  # an array of its own
    return np.sum(_bump(z, y)) + np.sum(_bump(w, y))


def test_callee_writing_into_its_argument_gets_a_copy_compiled():
    eager = s2s.grad(_bumps, wrt=(0, 1))
    assert "deep_copy_of(z)" in s2s.source(eager) and "deep_copy_of(w)" in s2s.source(eager)
    x, y = RNG.normal(size=4), RNG.normal(size=3)
    before = x.copy()
    got = s2s.jit(eager)(x, y)
    np.testing.assert_array_equal(x, before)
    # (`_bumps` itself writes into x; `a += e` takes no complex step in a real `a`)
    assert_grads_close(lambda x, y: _bumps(x.copy(), y), got, (x, y), (0, 1), rtol=1e-6)
    _close(got, eager(x, y))


def _masked(x, y):
    z = x * 1.0
    q = x < 0.0
    z[q] = (y * x)[q]       # a boolean mask: setindex, last_write
    z[z > 0.5] = y[0]
    return np.sum(np.sin(z) * z) + np.sum(x[x > -0.5] * y[1]) + np.minimum(x[2], 1.5) * y[2]


def _masked_matrix(x):
    return np.sum(x[x > 0.0])


def test_boolean_masks_compiled():
    eager = s2s.grad(_masked, wrt=(0, 1))
    x, y = np.array([-1.2, 0.3, 0.9, -0.2, 1.4]), RNG.normal(size=5)
    got = s2s.jit(eager)(x, y)
    assert_grads_close(_masked, got, (x, y), (0, 1), rtol=1e-6)
    _close(got, eager(x, y))
    with pytest.raises(s2s.JitError, match=r"Numba failed with AssertionError; it comes from test_jit.py:\d+: "
                                           r"`return np.sum\(x\[x > 0.0\]\)`"):
        s2s.jit(s2s.grad(_masked_matrix))(np.ones((2, 3)))   # (Numba's indexing takes masks of one axis)


def _keeps_rows(x):
    return np.sum(np.tanh(x.T @ x) * x[0])


def _keeps_dims(x):
    return np.sum(np.cumsum(x * x, axis=0))   # its adjoint sums with keepdims=True, which Numba lacks


def test_what_numba_cannot_type_names_the_users_line():
    g = s2s.jit(s2s.grad(_keeps_dims))
    with pytest.raises(s2s.JitError) as info:
        g(np.ones((2, 3)))
    text = str(info.value)
    assert text.startswith("<s2s jit grad__keeps_dims>:") and "Numba cannot compile `grad__keeps_dims`" in text
    assert "it comes from test_jit.py:" in text and "keepdims=True" in text
    assert "\x1b[" not in text and "During:" not in text


def _compiled_ran(g) -> bool:
    return bool(g.ready) and not g.builds and all(d.signatures for d in g.ready)


def test_in_the_background_the_first_calls_answer_with_python_then_the_compiled_code(monkeypatch):
    monkeypatch.delenv("S2S_JIT_BACKGROUND")   # the default
    eager = s2s.grad(_keeps_rows, wrt=0)
    x = RNG.normal(size=(4, 3))
    g = s2s.jit(eager)
    first = g(x)
    assert g.builds and not g.ready   # Numba is compiling; s2s's Python code answered
    _close(first, eager(x))
    assert g.wait() is g
    got = g(x)
    assert _compiled_ran(g)
    assert_grads_close(_keeps_rows, got, (x,), 0, rtol=1e-6)
    _close(got, first)
    plain = s2s.jit(_keeps_rows)   # a plain function too
    assert plain(x) == _keeps_rows(x) and plain.wait()(x) == pytest.approx(_keeps_rows(x))
    assert _compiled_ran(plain)


def test_in_the_background_what_numba_cannot_type_is_raised_once_it_has_tried():
    eager = s2s.grad(_keeps_dims)
    g = s2s.jit(eager, background=True)
    x = np.ones((2, 3))
    _close(g(x), eager(x))   # s2s's Python code, right
    with pytest.raises(s2s.JitError) as info:
        g.wait()   # (the code for these shapes, then the general code, are tried)
    assert "Numba cannot compile `grad__keeps_dims`" in str(info.value) and "keepdims=True" in str(info.value)


def test_without_scipy_numbas_matrix_products_say_how_to_get_it():
    from s2s.jit import _explain
    error = _explain(ImportError("scipy 0.16+ is required for linear algebra"), "grad_loss")
    assert isinstance(error, s2s.JitError) and "matrix products need SciPy" in str(error)
    assert "pip install 's2s[jit]'" in str(error)


def test_without_numba_says_how_to_get_it(monkeypatch):
    real_import = builtins.__import__

    def no_numba(name, *args, **kwargs):
        if name == "numba" or name.startswith("numba."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_numba)
    with pytest.raises(s2s.JitError, match=r"pip install 's2s\[jit\]'"):
        s2s.jit(s2s.grad(course.sin_square))


# ---- the command line: s2s grad ... --jit ----------------------------------------------------

MODEL = test_cli.MODEL + '''

def rolled(u, c):
    for _ in range(3):
        u = u + c * (np.roll(u, 1, axis=0) - u)
    return np.sum(u * u)


def stops_early(x):
    s = x
    for i in range(5):
        s = np.sin(s) * x
        if s > 0.5:
            break
    return s


def _half_of(k):
    return 0.5 * k


def n_steps():
    return int(_half_of(4.0))   # a function the compiled code calls, calling another


def shared(u, c, k):
    v = u * c
    w = v if k > 0 else u       # may be v: `v += ...` is checked at run time
    for _ in range(n_steps()):
        v += c * w
    return np.sum(v * w)
'''


def _s2s(*args, cwd):
    return subprocess.run([sys.executable, "-m", "s2s.cli.main", *args], cwd=cwd, capture_output=True, text=True)


def test_written_jit_modules_run_with_numba_and_without_s2s(tmp_path):
    (tmp_path / "clim.py").write_text(MODEL)
    for command, target, out in (("grad", "clim.py:model", "grad_clim.py"), ("jvp", "clim.py:model", "jvp_clim.py"),
                                 ("grad", "clim.py:rolled", "grad_rolled.py"), ("grad", "clim.py:shared", "grad_shared.py")):
        result = _s2s(command, target, "--wrt", "x,y" if "model" in target else "u,c", "--jit", "-o", out,
                      cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    text = (tmp_path / "grad_clim.py").read_text()
    assert "# Regenerate: s2s grad clim.py:model --wrt x,y --jit -o grad_clim.py\n" in text
    assert "@numba.njit\ndef grad_model(x, y):" in text and "\nn_terms = njit_with_callees(n_terms)\n" in text
    shared = (tmp_path / "grad_shared.py").read_text()
    assert "@overload(rebinds)" in shared and "\nn_steps = njit_with_callees(n_steps)\n" in shared
    assert "not cached on disk" in text   # (Numba's cache would keep SCALE as it was)
    assert "@numba.njit(cache=True)\ndef grad_rolled(u, c):" in (tmp_path / "grad_rolled.py").read_text()
    assert "@overload(unbroadcast)" in text and "reversed(" not in text
    fresh = _s2s("grad", "clim.py:model", "--wrt", "x,y", "--jit", "-o", "grad_clim.py", "--check", cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    script = textwrap.dedent("""\
        import sys
        import numpy as np
        sys.modules["s2s"] = None          # s2s cannot be imported here
        import grad_clim, jvp_clim, grad_rolled, grad_shared
        print(grad_clim.grad_model(1.5, 2.0))
        print(jvp_clim.jvp_model(1.5, 2.0, 1.0, 0.5)[1])
        u = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
        d_u, d_c = grad_rolled.grad_rolled(u, 0.3)
        print(repr(d_u.tolist()), d_c)
        u = np.array([0.5, -1.0, 2.0])
        d_u, d_c = grad_shared.grad_shared(u, 0.3, 0)
        print(repr(d_u.tolist()), d_c)
        try:
            grad_shared.grad_shared(u, 0.3, 1)   # v is w: refused
        except Exception as error:
            print(type(error).__name__, str(error).startswith("clim.py:"))
        """)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    x, y = 1.5, 2.0
    assert eval(lines[0]) == pytest.approx((4 * x * y, 2 * (x * x + 3.0)))
    assert float(lines[1]) == pytest.approx(4 * x * y * 1.0 + 2 * (x * x + 3.0) * 0.5)
    namespace = {}
    exec(compile(MODEL, str(tmp_path / "clim.py"), "exec"), namespace)
    u = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    d_u, d_c = eval(lines[2].rsplit("]", 1)[0] + "]"), float(lines[2].rsplit(" ", 1)[1])
    assert_grads_close(namespace["rolled"], (np.array(d_u), d_c), (u, 0.3), (0, 1), oracle=complex_step_grad, rtol=1e-9)
    u = np.array([0.5, -1.0, 2.0])   # v = 3 c u after two steps: the gradient of 3 c |u|^2
    _close((np.array(eval(lines[3].rsplit("]", 1)[0] + "]")), float(lines[3].rsplit(" ", 1)[1])),
           (6 * 0.3 * u, 3 * np.sum(u * u)))
    assert lines[4] == "InPlaceWriteError True"


def test_what_cannot_be_written_for_numba_exits_2_naming_the_option(tmp_path):
    (tmp_path / "clim.py").write_text(MODEL)
    hvp = _s2s("hvp", "clim.py:stops_early", "--jit", cwd=tmp_path)   # (a record that starts as None)
    assert hvp.returncode == 2 and hvp.stdout == ""
    assert hvp.stderr.startswith("<command line>:1:") and "cannot compile this generated code yet" in hvp.stderr


def test_a_checkpointed_jit_module_runs_without_s2s(tmp_path):
    (tmp_path / "clim.py").write_text(MODEL)
    result = _s2s("grad", "clim.py:rolled", "--wrt", "u,c", "--checkpoint", "--jit", "-o", "grad_rolled.py",
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "grad_rolled.py").read_text()
    assert "range_part(_range1, _start1, _start1 + _every1)" in text and "@overload(range_part)" in text
    script = textwrap.dedent("""\
        import sys
        import numpy as np
        sys.modules["s2s"] = None          # s2s cannot be imported here
        import grad_rolled
        d_u, d_c = grad_rolled.grad_rolled(np.linspace(-1.0, 1.0, 12).reshape(4, 3), 0.3)
        print(repr(d_u.tolist()))
        print(repr(float(d_c)))
        """)
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    namespace: dict = {}
    exec(compile(MODEL, str(tmp_path / "clim.py"), "exec"), namespace)
    rolled = namespace["rolled"]
    u = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    first, second = done.stdout.splitlines()
    d_u, d_c = np.array(eval(first)), float(second)
    np.testing.assert_allclose(d_u, numerical_grad(rolled, [u, 0.3], 0), rtol=1e-6)
    np.testing.assert_allclose(d_c, numerical_grad(rolled, [u, 0.3], 1), rtol=1e-6)


def test_jit_module_for_known_shapes_refuses_other_arguments(tmp_path):
    """--jit with --shape: code for those shapes, compiled (its element-wise statements as loops),
    whose guards refuse an argument of another shape, rank or dtype with ArgumentShapeError."""
    (tmp_path / "clim.py").write_text(MODEL)
    result = _s2s("grad", "clim.py:rolled", "--wrt", "u", "--shape", "u=4,3", "--shape", "c=", "--jit",
                  "-o", "grad_rolled.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "grad_rolled.py").read_text()
    assert "expect_like(u, 'u', (4, 3), 'float64')" in text and "for _i0 in range(4):" in text
    script = textwrap.dedent("""\
        import sys
        import numpy as np
        sys.modules["s2s"] = None
        import grad_rolled
        u = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
        print(repr(grad_rolled.grad_rolled(u, 0.3).tolist()))
        for bad in (np.ones((3, 4)), np.ones(12), np.ones((4, 3), dtype=np.float32)):
            try:
                grad_rolled.grad_rolled(bad, 0.3)
            except Exception as error:
                print(type(error).__name__)
        """)
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", script], cwd=tmp_path, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    namespace = {}
    exec(compile(MODEL, str(tmp_path / "clim.py"), "exec"), namespace)
    u = np.linspace(-1.0, 1.0, 12).reshape(4, 3)
    assert_grads_close(namespace["rolled"], np.array(eval(lines[0])), (u, 0.3), 0, oracle=complex_step_grad,
                       rtol=1e-9)
    assert lines[1:] == ["ArgumentShapeError"] * 3


# ---- a sample of the random programs ---------------------------------------------------------

def test_random_programs_compiled_are_right_or_refused(tmp_path):
    """Each random program's gradient is compiled and agrees with finite differences (and the
    Python code), or s2s.jit refuses it with a JitError: never another error, never a different
    number. Programs s2s itself refuses, and points where finite differences are unreliable, are
    left out; some programs must compile. By default, programs 0 to 7 (three of them compile; a
    program takes about two seconds); the deep profile (S2S_HYPOTHESIS_PROFILE=deep) takes
    programs 0 to 199."""
    import proggen
    compiled = 0
    for seed in range(200) if os.environ.get("S2S_HYPOTHESIS_PROFILE") == "deep" else range(8):
        program = proggen.random_program(seed)
        args = proggen.random_inputs(seed, program)
        module = proggen.load_program(program.source, tmp_path)
        try:
            eager = s2s.grad(module.f, wrt=(0, 1))
        except s2s.S2SError:
            continue
        try:
            got = s2s.jit(eager)(*args)
        except s2s.JitError:
            continue
        finally:
            proggen.unload(module)
        compiled += 1
        _close(got, eager(*args), rtol=1e-9)
        try:
            _, expected, noise = proggen.fd_gradient(module.f, args, (0, 1))
        except proggen.Unreliable:
            continue
        for g, e, err in zip(got, expected, noise):
            np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6 + 2 * np.max(err), err_msg=program.source)
    assert compiled >= 2


# ---- compiled code kept on disk --------------------------------------------------------------

_CACHED = """
import os, sys
import numpy as np
import s2s
sys.path.insert(0, os.getcwd())
import model
g = s2s.jit(s2s.grad(model.loss))
print(float(g(np.array([0.5, -1.0, 2.0]))[0]))
print(sum(sum(d.stats.cache_hits.values()) for d, _ in g.table.values()))
"""


def _run_cached(tmp_path, scale):
    (tmp_path / "model.py").write_text(textwrap.dedent(f"""
        import numpy as np
        SCALE = {scale}

        def _factor():
            return SCALE   # read by a function the compiled code calls as it is

        def loss(x):
            return np.sum(np.sin(x) * x) * _factor()
        """))
    env = dict(os.environ, S2S_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", _CACHED], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    value, hits = done.stdout.split()
    return float(value), int(hits)


def test_compiled_code_is_kept_for_the_next_process_while_what_it_read_is_unchanged(tmp_path):
    """The second process loads the first one's code; once a constant read by a function of the
    user's that the code calls has changed, it compiles again (Numba froze the old value in)."""
    x0 = 0.5
    first, hits = _run_cached(tmp_path, 2.0)
    assert hits == 0 and first == pytest.approx(2.0 * (np.cos(x0) * x0 + np.sin(x0)), rel=1e-12)
    again, hits = _run_cached(tmp_path, 2.0)
    assert hits > 0 and again == first
    changed, hits = _run_cached(tmp_path, 3.0)
    assert hits == 0 and changed == pytest.approx(1.5 * first, rel=1e-12)


class _Settings:
    rate = 0.5


def test_code_that_reads_what_the_cache_cannot_describe_is_compiled_in_memory(monkeypatch, tmp_path):
    monkeypatch.setenv("S2S_CACHE_DIR", str(tmp_path))
    g = s2s.jit(s2s.grad(course.sin_square), cache=False)
    _close(g(1.5), 3.0 * np.cos(2.25))
    assert not (tmp_path / "jit").exists()
    from s2s import jit_cache
    assert jit_cache.describe(_Settings(), set()) is None and jit_cache.describe({"a": 1.0}, set()) is None
    assert jit_cache.describe(np.ones(2), set()) != jit_cache.describe(np.array([1.0, 2.0]), set())
    assert jit_cache.describe(range, set()) == "builtin:range" and jit_cache.describe(len, set()) is not None
