"""In-place writes and aliasing (issue 9, classes 1, 2 and 4): each program is either
differentiated exactly -- reverse, forward and second order checked against central
finite differences of the plain function -- or refused when the derivative is built,
with the line and the names involved."""
import dataclasses
import inspect

import numpy as np
import pytest

import s2s

X = np.array([0.3, -0.7, 1.1, 0.5])
W = np.array([[0.3, 1.3], [2.3, -0.4]])


def _fd(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[k] = eps
        g[k] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def check_exact(f, x, reverse_twice=True):
    """grad, jvp and hvp of `f` at `x` against central differences (f may write into its argument)."""
    plain = lambda z: f(z.copy())  # noqa: E731
    v = np.linspace(0.3, -0.4, x.size).reshape(x.shape)
    expected = _fd(plain, x)
    np.testing.assert_allclose(s2s.grad(f)(x.copy()), expected, rtol=1e-6, atol=1e-7)
    value, tangent = s2s.jvp(f)(x.copy(), v)
    np.testing.assert_allclose(value, plain(x), rtol=1e-12)
    np.testing.assert_allclose(tangent, np.sum(expected * v), rtol=1e-6, atol=1e-7)
    hessian_v = _fd(lambda z: np.sum(_fd(plain, z, 1e-5) * v), x, 1e-4)
    np.testing.assert_allclose(s2s.hvp(f)(x.copy(), v), hessian_v, rtol=1e-4, atol=1e-4)
    if reverse_twice:
        np.testing.assert_allclose(s2s.jacobian(s2s.grad(f))(x.copy()) @ v, hessian_v, rtol=1e-4, atol=1e-4)


def check_refused(f, *words, line_text):
    """grad, jvp and hvp of `f` all raise S2SError at the line holding `line_text`, naming `words`."""
    lines, first = inspect.getsourcelines(f)
    line = first + next(i for i, text in enumerate(lines) if line_text in text)
    for make in (s2s.grad, s2s.jvp, s2s.hvp):
        with pytest.raises(s2s.S2SError) as info:
            make(f)
        message = str(info.value)
        assert f"test_aliasing_soundness.py:{line}:" in message, message
        for word in words:
            assert f"`{word}`" in message, message
        assert "hint:" in message and "copy" in message, message


# ---- 1. augmented assignment on arrays, and writes through views --------------------------
def aug_through_view(x):
    y = x.copy()
    v = y[1:]
    v *= 3.0
    return np.sum(y ** 2)


def aug_on_alias(x):
    y = x.copy()
    z = y
    y += 2 * x
    return np.sum(z * x)


def write_through_view(x):
    y = x.copy()
    v = y[1:]
    v[0] = 1.0
    return np.sum(y ** 2)


def write_base_read_view(x):
    y = x * 2.0
    v = y[::2]
    y[0] = 5.0
    return np.sum(v * x[:2])


def aug_through_transpose(x):
    m = np.outer(x, x)
    v = m.T
    v += 1.0
    return np.sum(m * m)


@pytest.mark.parametrize("f, words, text", [
    (aug_through_view, ("v", "y"), "v *= 3.0"),
    (aug_on_alias, ("y", "z"), "y += 2 * x"),
    (write_through_view, ("v", "y"), "v[0] = 1.0"),
    (write_base_read_view, ("y", "v"), "y[0] = 5.0"),
    (aug_through_transpose, ("v", "m"), "v += 1.0"),
])
def test_in_place_write_seen_by_another_name_is_refused(f, words, text):
    check_refused(f, *words, line_text=text)


def view_made_before_the_write_in_the_loop(x):   # `new = x.copy()` is new, but a view of it is read
    new = x.copy()
    head = new[:2]
    for i in range(1, 3):
        new[i] = x[i] * 2.0
    return np.sum(head * x[:2]) + np.sum(new)


def alias_made_in_the_loop(x):   # at the second trip, `old` is `new`
    new = x.copy()
    old = x
    for i in range(1, 3):
        new[i] = old[i] * 2.0
        old = new
    return np.sum(old * x)


@pytest.mark.parametrize("f, words, text", [
    (view_made_before_the_write_in_the_loop, ("new", "head"), "new[i] = x[i] * 2.0"),
    (alias_made_in_the_loop, ("new",), "new[i] = old[i] * 2.0"),
])
def test_a_new_array_shared_before_its_write_is_refused(f, words, text):
    check_refused(f, *words, line_text=text)


def heat_step(x):   # a Jacobi step: a copy filled in a loop, then bound to the old name
    new = x.copy()
    for i in range(1, 3):
        new[i] = x[i] + 0.25 * (x[i - 1] - 2 * x[i] + x[i + 1])
    x = new
    return np.sum(x ** 2 * np.arange(4.0))


def heat_steps(x):   # ... in a time loop: each step's copy is new when it is written
    u = x * 1.0
    for t in range(3):
        new = np.zeros(4)
        new[0], new[3] = u[0], u[3]
        for i in range(1, 3):
            new[i] = u[i] + 0.25 * (u[i - 1] - 2 * u[i] + u[i + 1]) * u[i]
        u = new
    return np.sum(u ** 2)


@pytest.mark.parametrize("f", [heat_step, heat_steps])
def test_a_new_array_filled_then_bound_to_the_old_name_is_exact(f):
    # refused before: "`new` is modified in place here, but `x` shares its memory and is read later"
    # (`x = new` after the loop was taken to hold at the writes in it)
    check_exact(f, X)


def aug_unshared_array(x):
    y = x * 2.0
    y += x ** 2
    y *= x
    return np.sum(y)


def aug_parameter(x):
    x += 1.0
    x *= x
    return np.sum(x ** 2)


def aug_view_base_dead(x):
    y = x * 1.5
    v = y[1:]
    v *= 3.0
    return np.sum(v ** 2)


def aug_number(x):
    s = np.sum(x ** 2)
    t = s
    s += np.sum(x * 3.0)
    s *= 0.5
    return s * np.sum(x) + t


def aug_alias_rebound_first(x):
    y = x * 2.0
    z = y
    y = y * x
    return np.sum(z * y)


@pytest.mark.parametrize("f", [aug_unshared_array, aug_parameter, aug_view_base_dead, aug_number,
                               aug_alias_rebound_first])
def test_augmented_assignment_without_a_live_alias_is_exact(f):
    check_exact(f, X)


def aug_alias_of_parameter(x):
    y = x
    y += 2.0
    return np.sum(y * x)


def test_augmented_alias_of_a_number_is_exact_and_of_an_array_raises():
    """`y = x; y += 2.0` rebinds `y` when x is a number; on an array NumPy changes x too:
    the derivative raises when it finds out (the type of a parameter is known only then)."""
    d = s2s.grad(aug_alias_of_parameter)(0.7)
    assert d == pytest.approx(2 * 0.7 + 2.0)
    _, t = s2s.jvp(aug_alias_of_parameter)(0.7, 1.0)
    assert t == pytest.approx(2 * 0.7 + 2.0)
    assert s2s.hvp(aug_alias_of_parameter)(0.7, 1.0) == pytest.approx(2.0)
    for run in (lambda: s2s.grad(aug_alias_of_parameter)(X.copy()),
                lambda: s2s.jvp(aug_alias_of_parameter)(X.copy(), X.copy()),
                lambda: s2s.hvp(aug_alias_of_parameter)(X.copy(), X.copy())):
        with pytest.raises(s2s.InPlaceWriteError, match=r"test_aliasing_soundness.py:\d+:\d+: `y \+= \.\.\.` changes `y`"):
            run()


# ---- 3. functions and methods that return views --------------------------------------------
def einsum_view(w):
    w = w.copy()
    v = np.einsum('ij->ji', w)
    w[0] = 5.0
    return np.sum(v * w)


def moveaxis_view(w):
    w = w.copy()
    v = np.moveaxis(w, 0, 1)
    w[0, 0] = 5.0
    return np.sum(v * w)


def rot90_view(w):
    w = w.copy()
    v = np.rot90(w)
    w[1] = 0.5
    return np.sum(v * w)


def diag_view(w):
    w = w.copy()
    v = np.diag(w)
    w[0, 0] = 2.0
    return np.sum(v * v)


def permute_view(w):
    w = w.copy()
    v = np.permute_dims(w)
    w[0, 0] = 2.0
    return np.sum(v * v)


def swapaxes_method_view(w):
    w = w.copy()
    v = w.swapaxes(0, 1)
    w[0, 0] = 2.0
    return np.sum(v * v)


def atleast_view(w):
    w = w.copy()
    v = np.atleast_2d(w)
    w[0, 0] = 2.0
    return np.sum(v * v)


@pytest.mark.parametrize("f", [einsum_view, moveaxis_view, rot90_view, diag_view, permute_view,
                               swapaxes_method_view, atleast_view])
def test_a_view_made_by_a_function_or_method_is_known(f):
    check_refused(f, "w", "v", line_text="w[")


# ---- 4. the message names variables, not modules ------------------------------------------
def transpose_message(w):
    V = w.copy()
    v = np.transpose(V)
    V[0] = 1.0
    return np.sum(v)


def test_message_names_the_view_not_the_module():
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(transpose_message)
    assert "`V` is modified in place here, but `v` shares its memory" in str(info.value)
    assert "`np`" not in str(info.value)


# ---- 2. helpers that write into an argument ---------------------------------------------------
def zero_first(a):
    a[0] = 0.0


def zero_first_returned(a):
    a[0] = 0.0
    return a


def scale_tail(a):
    tail = a[1:]
    tail *= 2.0
    return np.sum(a)


def through_another(a, k):
    if k > 0:
        zero_first(a)
    return k


def countdown(a, n):
    if n > 0:
        a[n] = 0.5 * a[n]
        countdown_again(a, n - 1)


def countdown_again(a, n):
    countdown(a, n)


def copies_first(a):
    a = a.copy()
    a[0] = 0.0
    a *= 2.0
    return a


def helper_statement(x):
    y = x.copy()
    zero_first(y)
    return np.sum(y ** 2)


def helper_rebinding(x):
    y = x * 2.0
    y = zero_first_returned(y)
    return np.sum(y ** 2)


def helper_view_and_augmented(x):
    y = x * 2.0
    s = scale_tail(y)
    return s * np.sum(y)


def helper_through_another(x):
    y = x + 1.0
    through_another(y, 2)
    return np.sum(y * x)


def helper_mutually_recursive(x):
    y = x + 1.0
    countdown(y, 3)
    return np.sum(y * x)


@pytest.mark.parametrize("f, callee, param, text", [
    (helper_statement, "zero_first", "a", "zero_first(y)"),
    (helper_rebinding, "zero_first_returned", "a", "zero_first_returned(y)"),
    (helper_through_another, "through_another", "a", "through_another(y, 2)"),
    (helper_mutually_recursive, "countdown", "a", "countdown(y, 3)"),
])
def test_a_helper_writing_into_its_argument_is_refused_at_the_call(f, callee, param, text):
    lines, first = inspect.getsourcelines(globals()[callee])
    for make in (s2s.grad, s2s.jvp, s2s.hvp):
        with pytest.raises(s2s.S2SError) as info:
            make(f)
        message = str(info.value)
        line = inspect.getsourcelines(f)[1] + next(i for i, t in enumerate(inspect.getsourcelines(f)[0]) if text in t)
        assert f"test_aliasing_soundness.py:{line}:" in message, message
        assert f"`{callee}` writes into its argument `{param}` in place (test_aliasing_soundness.py:" in message
        assert "return the new array" in message


def helper_copies_first(x):
    y = x * 2.0
    z = copies_first(y)
    return np.sum(z * y)


def test_a_helper_that_copies_its_argument_first_is_exact():
    check_exact(helper_copies_first, X)


def test_a_helper_writing_with_augmented_assignment_is_checked_when_called():
    """`tail *= 2.0` on a slice of the argument writes into it when it is an array (a list's
    slice is a new list): the derivative checks the argument when it runs."""
    for run in (lambda: s2s.grad(helper_view_and_augmented)(X.copy()),
                lambda: s2s.jvp(helper_view_and_augmented)(X.copy(), X.copy()),
                lambda: s2s.hvp(helper_view_and_augmented)(X.copy(), X.copy())):
        with pytest.raises(s2s.InPlaceWriteError, match=r"`scale_tail` changes its argument `a` in place .*here the array `y`"):
            run()


# ---- 5. list and tuple operators: concatenation and repetition ------------------------------
def list_repeated(x):
    items = [x] * 3
    return np.sum(items[0] * items[2] + items[1])


def list_repeated_left(x):
    items = 2 * [x, x ** 2]
    return np.sum(items[1] * items[2] * items[3])


def list_concatenated(x):
    items = [x, 2 * x] + [x ** 2]
    return np.sum(items[1] * items[2])


def tuple_concatenated(x):
    pair = (x, np.sin(x))
    both = pair + (x * 3.0,)
    return np.sum(both[1] * both[2])


def stacked_repetition(x):
    return np.sum(np.stack([x] * 4) ** 2 * np.arange(4.0)[:, None])


def comprehension_concatenated(x):
    items = [x * k for k in range(3)] + [x]
    more = items * 2
    return np.sum(more[4] * more[3] + more[1] ** 2)


@pytest.mark.parametrize("f", [list_repeated, list_repeated_left, list_concatenated, tuple_concatenated,
                               stacked_repetition])
def test_list_operators_are_exact(f):
    check_exact(f, X)


def test_list_operators_on_a_comprehension_are_exact():
    # reverse over reverse of a comprehension's loop is issue 9 class 13 (another fix)
    check_exact(comprehension_concatenated, X, reverse_twice=False)


@pytest.mark.parametrize("f", [list_repeated, list_concatenated, tuple_concatenated])
def test_list_operators_grad_of_grad(f):
    x = 0.7
    second = (f(x + 1e-4) - 2 * f(x) + f(x - 1e-4)) / 1e-8
    assert s2s.grad(s2s.grad(f))(x) == pytest.approx(second, rel=1e-4, abs=1e-5)


def bump(a):
    a += 1.0
    return a * 2.0


def helper_bumps(x):
    y = x * 3.0
    z = bump(y)
    return np.sum(z * y)


def test_a_helper_adding_into_its_parameter_is_exact_on_numbers_and_checked_on_arrays():
    """`a += 1.0` rebinds a number but writes into an array the caller reads again."""
    x = 0.4
    expected = (helper_bumps(x + 1e-6) - helper_bumps(x - 1e-6)) / 2e-6
    assert s2s.grad(helper_bumps)(x) == pytest.approx(expected, rel=1e-6)
    assert s2s.jvp(helper_bumps)(x, 1.0)[1] == pytest.approx(expected, rel=1e-6)
    with pytest.raises(s2s.InPlaceWriteError, match=r"`bump` changes its argument `a` in place .*here the array `y`"):
        s2s.grad(helper_bumps)(X.copy())
    with pytest.raises(s2s.InPlaceWriteError, match=r"`bump` changes its argument `a` in place"):
        s2s.jvp(helper_bumps)(X.copy(), X.copy())


def _concatenate_parameters(xs, zs):
    ys = xs + zs
    return ys[0] * ys[2]


def _repeat_parameter(xs):
    ys = xs * 2
    return ys[0] * ys[2]


def _concatenate_a_parameter_with_itself(xs):
    ys = xs + xs
    return ys[0] * ys[2] + ys[1]


@pytest.mark.parametrize("func, args", [(_concatenate_parameters, ([0.5, 2.0], [3.0, 4.0])),
                                        (_repeat_parameter, ([0.5, 2.0],)),
                                        (_concatenate_a_parameter_with_itself, ([0.5, 2.0],))])
def test_list_operators_on_lists_s2s_cannot_see_are_refused_when_run(func, args):
    """`+` and `*` of parameters are arithmetic to s2s: lists reaching them raise in reverse
    mode rather than give a gradient of the wrong length; forward mode follows Python (its
    tangents are plain lists), so the jvp is right."""
    with pytest.raises(s2s.ListOperatorError, match="concatenates or repeats") as raised:
        s2s.grad(func, wrt=tuple(range(len(args))))(*args)
    assert isinstance(raised.value, TypeError)
    tangents = [[1.0] + [0.0] * (len(a) - 1) for a in args]
    value, tangent = s2s.jvp(func, wrt=tuple(range(len(args))))(*args, *tangents)
    h = 1e-6
    bumped = [[a[0] + h] + a[1:] for a in args]
    lowered = [[a[0] - h] + a[1:] for a in args]
    assert value == pytest.approx(func(*args))
    assert tangent == pytest.approx((func(*bumped) - func(*lowered)) / (2 * h), rel=1e-6)


# ---- a call to a user function shares memory with the arguments its result may be (its summary) --------

def _occlude(f, occlusion):
    return f * (1 - occlusion)


def _first_rows(a):
    return a[:2]


def fresh_result_of_a_helper(x):   # autograd's wing.py: a band set in place, then updated by a helper
    occlusion = x * 0.5
    band = np.zeros(4)
    band[1:3] = 1.0
    for _ in range(2):
        band = _occlude(band, occlusion)
    return np.sum(band * occlusion)


def view_returned_by_a_helper(x):
    y = x * 2.0
    rows = _first_rows(y)
    y[0] = 5.0
    return np.sum(rows * x[:2])


def test_a_helper_whose_result_is_new_does_not_share_its_arguments():
    check_exact(fresh_result_of_a_helper, X)


def test_a_helper_that_returns_a_view_still_shares():
    with pytest.raises(s2s.S2SError, match="`y` is modified in place here, but `rows` shares its memory"):
        s2s.grad(view_returned_by_a_helper)


# Found by the deep random-program profile (test_random_forward, --hypothesis-seed=424242): `v0` is
# np.tanh(a), a new array, but the effects summary of a list unpacked by position was per list, not
# per entry, so `v0 += a` counted as a write into `a`, and the call was refused when it ran
# (InPlaceWriteError). Summaries follow a list display's entries by position (transforms/parts.py).
def _unpacks_a_new_entry(a, b):
    t0 = [a, np.tanh(a)]
    w0, v0 = t0
    v0 += a
    return np.sum(v0)


def passes_x_to_a_helper_that_writes_a_new_entry(x):
    return _unpacks_a_new_entry(x, x)


def test_a_new_entry_unpacked_from_a_list_is_not_the_argument():
    x = np.array([0.0123, 0.0457, 0.0789])
    expected = (1 - np.tanh(x) ** 2) + 1.0   # d/dx sum(tanh(x) + x)
    np.testing.assert_allclose(s2s.grad(passes_x_to_a_helper_that_writes_a_new_entry)(x), expected, rtol=1e-12)
    v = np.array([0.5, -1.0, 2.0])
    value, tangent = s2s.jvp(passes_x_to_a_helper_that_writes_a_new_entry)(x, v)
    assert value == pytest.approx(np.sum(np.tanh(x) + x), rel=1e-12)
    assert tangent == pytest.approx(expected @ v, rel=1e-12)


def _unpacks_the_argument_itself(a, b):
    t0 = [np.tanh(a), a]
    w0, v0 = t0
    v0 += 1.0   # `v0` is `a`: the caller's array changes
    return np.sum(v0)


def passes_x_to_a_helper_that_writes_it_back(x):
    y = x * 2.0
    return _unpacks_the_argument_itself(y, x) + np.sum(y)


def test_the_argument_unpacked_from_a_list_is_still_the_argument():
    """The entry of the display that is `a` is followed too: `v0 += 1.0` writes into the caller's array."""
    y = X * 2.0
    _unpacks_the_argument_itself(y, X)
    np.testing.assert_array_equal(y, X * 2.0 + 1.0)   # what the derivative must not ignore
    for run in (lambda: s2s.grad(passes_x_to_a_helper_that_writes_it_back)(X.copy()),
                lambda: s2s.jvp(passes_x_to_a_helper_that_writes_it_back)(X.copy(), X.copy())):
        with pytest.raises(s2s.InPlaceWriteError,
                           match=r"`_unpacks_the_argument_itself` changes its argument `a` in place .*here the array `y`"):
            run()


def _extends_then_adds(a):
    t = []
    t.extend([a])
    v = t[0]
    v += 1.0   # `v` is `a`
    return np.sum(v)


def passes_x_to_a_helper_that_extends_a_list_with_it(x):
    y = x * 1.0
    return _extends_then_adds(y) + np.sum(y * y)


def test_a_list_holds_what_a_method_puts_into_it():
    """`t.extend([a])` (as `t.append(a)`) puts `a` into `t`: `t[0]` is `a`. The summary missed it,
    and the gradient was that of `sum(y + 1) + sum(y * y)`, not of `sum((y + 1) ** 2)`. (`extend` of
    what derivatives flow through is refused in the helper itself now: tests/test_in_place_calls.py.)"""
    y = X * 1.0
    _extends_then_adds(y)
    np.testing.assert_array_equal(y, X + 1.0)   # what the derivative must not ignore
    for run in (lambda: s2s.grad(passes_x_to_a_helper_that_extends_a_list_with_it)(X.copy()),
                lambda: s2s.jvp(passes_x_to_a_helper_that_extends_a_list_with_it)(X.copy(), X.copy())):
        with pytest.raises(s2s.S2SError, match=r"`_extends_then_adds` changes its argument `a` in place .*here the "
                                               r"array `y`|`\.extend\(\)` changes an array, list or dict in place"):
            run()


def _concatenates_then_adds(a):
    t = [1.0]
    t = t + [a]
    v = t[1]
    v += 1.0   # `v` is `a`
    return np.sum(v)


def _extends_with_plus_then_adds(a):
    t = [1.0]
    t += [a]
    v = t[1]
    v += 1.0   # `v` is `a`
    return np.sum(v)


def passes_x_to_a_helper_that_concatenates(x):
    y = x * 1.0
    return _concatenates_then_adds(y) + np.sum(y * y)


def passes_x_to_a_helper_that_extends_with_plus(x):
    y = x * 1.0
    return _extends_with_plus_then_adds(y) + np.sum(y * y)


def passes_a_dead_temporary_to_a_helper_that_concatenates(x):
    return _concatenates_then_adds(x * 2.0) + _extends_with_plus_then_adds(x ** 2) + np.sum(x)


@pytest.mark.parametrize("f, helper", [(passes_x_to_a_helper_that_concatenates, _concatenates_then_adds),
                                       (passes_x_to_a_helper_that_extends_with_plus, _extends_with_plus_then_adds)])
def test_a_list_concatenated_in_a_helper_holds_what_was_added(f, helper):
    """`t + [a]` and `t += [a]` on a list hold `a` itself: `t[1] += 1.0` writes into the caller's
    array. The summary was made before list operators were told from arithmetic, and the
    gradient was that of `sum(y + 1) + sum(y * y)`, not of `sum((y + 1) ** 2)`."""
    y = X * 1.0
    helper(y)
    np.testing.assert_array_equal(y, X + 1.0)   # what the derivative must not ignore
    for run in (lambda: s2s.grad(f)(X.copy()), lambda: s2s.jvp(f)(X.copy(), X.copy())):
        with pytest.raises(s2s.InPlaceWriteError,
                           match=rf"`{helper.__name__}` changes its argument `a` in place .*here the array `y`"):
            run()


def test_a_list_concatenated_in_a_helper_given_a_dead_argument_is_exact():
    check_exact(passes_a_dead_temporary_to_a_helper_that_concatenates, X)


@dataclasses.dataclass
class _Layer:
    w: object


def _bumps_the_weights(layer):
    v = layer.w
    v += 1.0   # on an array: the caller's `layer.w` changes
    return np.sum(v)


def bumps_a_field_then_reads_it(layer):
    return _bumps_the_weights(layer) + np.sum(layer.w * layer.w)


def test_a_helper_adding_into_a_field_of_its_argument_is_checked_when_called():
    """The check that runs with the call looked into tuples and dicts but not dataclasses: an
    array in a field passed, and the gradient was that of `sum(w + 1) + sum(w * w)`."""
    layer = _Layer(X.copy())
    _bumps_the_weights(layer)
    np.testing.assert_array_equal(layer.w, X + 1.0)   # what the derivative must not ignore
    for run in (lambda: s2s.grad(bumps_a_field_then_reads_it)(_Layer(X.copy())),
                lambda: s2s.jvp(bumps_a_field_then_reads_it)(_Layer(X.copy()), _Layer(X.copy()))):
        with pytest.raises(s2s.InPlaceWriteError, match=r"`_bumps_the_weights` changes its argument `layer` in place"):
            run()
    w = 0.7   # a number in the field: `v += 1.0` rebinds `v`, and the derivative is exact
    assert s2s.grad(bumps_a_field_then_reads_it)(_Layer(w)).w == pytest.approx(1.0 + 2.0 * w, rel=1e-12)
    value, tangent = s2s.jvp(bumps_a_field_then_reads_it)(_Layer(w), _Layer(0.5))
    assert (value, tangent) == (pytest.approx(w + 1.0 + w * w, rel=1e-12), pytest.approx(0.5 * (1.0 + 2.0 * w)))


def _adds_to_its_first_entry(xs):
    v = xs[0]
    v += 1.0   # writes into the array the list holds
    return np.sum(v)


def gives_a_dead_list_to_a_helper_it_does_not_differentiate(x):
    y = np.ones_like(x) * 2.0   # a constant: the call below is not differentiated, the helper runs as it is
    z = np.sum(y * x)            # whose adjoint reads `y`
    xs = [y]
    return _adds_to_its_first_entry(xs) + z


def test_the_copy_given_for_a_dead_argument_holds_copies_of_its_arrays():
    """`xs` is dead after the call, so the helper is given a copy; a copy of the list held the
    caller's `y`, which the helper changed before the backward pass read it (gradient 3, not 2)."""
    np.testing.assert_allclose(s2s.grad(gives_a_dead_list_to_a_helper_it_does_not_differentiate)(X.copy()),
                               np.full(X.shape, 2.0), rtol=1e-12)
    check_exact(gives_a_dead_list_to_a_helper_it_does_not_differentiate, X)


# Found by the deep random-program profile too: `v0 = b[0]` of a 1-D array is a number, so `v0 += ...`
# rebinds it; the summary said `v0` shares `b`, and an array passed as `b` was refused when the call
# ran. The summary now says the write goes into an entry of `b`, and the check that runs with the call
# asks whether b's entries can be written in place: the rows of a 2-D array, the arrays of a list can.
def _adds_to_an_entry(a, b):
    v0, v1 = (b[0] if a > 0.0 else a), a * 2.0
    for i0 in range(1, 3):
        v0 += np.sin(b[i0])
    return v0 * v1


def adds_to_a_number_read_from_an_entry(x):
    return _adds_to_an_entry(1.5, x) + np.sum(x)


def adds_to_a_number_read_from_a_list_of_numbers(x):
    return _adds_to_an_entry(1.5, [x[0], x[1] * 2.0, x[2]]) + np.sum(x)


def test_a_number_read_from_an_entry_and_updated_is_not_a_write_into_the_argument():
    # f(x) = 3 (x0 + sin x1 + sin x2) + sum(x)
    expected = 1.0 + 3.0 * np.array([1.0, np.cos(X[1]), np.cos(X[2]), 0.0])
    np.testing.assert_allclose(s2s.grad(adds_to_a_number_read_from_an_entry)(X.copy()), expected, rtol=1e-12)
    v = np.array([0.5, -1.0, 2.0, 0.25])
    value, tangent = s2s.jvp(adds_to_a_number_read_from_an_entry)(X.copy(), v)
    assert value == pytest.approx(3.0 * (X[0] + np.sin(X[1]) + np.sin(X[2])) + np.sum(X), rel=1e-12)
    assert tangent == pytest.approx(expected @ v, rel=1e-12)
    check_exact(adds_to_a_number_read_from_an_entry, X)


def test_a_number_read_from_a_list_of_numbers_and_updated_is_exact():
    check_exact(adds_to_a_number_read_from_a_list_of_numbers, X)


def adds_to_a_row_read_from_an_entry(x):
    b = np.stack([x, 2.0 * x, x ** 2])
    return np.sum(_adds_to_an_entry(1.5, b)) + np.sum(b)


def adds_to_an_array_read_from_a_list(x):
    b = [x * 1.0, 2.0 * x, x ** 2]
    return np.sum(_adds_to_an_entry(1.5, b)) + np.sum(b[0])


@pytest.mark.parametrize("f, rows", [(adds_to_a_row_read_from_an_entry, lambda x: np.stack([x, 2.0 * x, x ** 2])),
                                     (adds_to_an_array_read_from_a_list, lambda x: [x * 1.0, 2.0 * x, x ** 2])],
                         ids=["2-D array", "list of arrays"])
def test_an_array_read_from_an_entry_and_updated_is_still_refused(f, rows):
    """`b[0]` of a 2-D array is a view of its row, of a list of arrays the array itself: `v0 += ...`
    writes into the caller's `b`, which it reads after the call."""
    b = rows(X)
    _adds_to_an_entry(1.5, b)
    assert not np.array_equal(b[0], X)   # what the derivative must not ignore
    message = (r"`_adds_to_an_entry` changes its argument `b` in place with an augmented assignment on an entry "
               r"of it \(test_aliasing_soundness.py:\d+\), here `b`, whose entries are arrays or lists")
    for run in (lambda: s2s.grad(f)(X.copy()), lambda: s2s.jvp(f)(X.copy(), X.copy()),
                lambda: s2s.hvp(f)(X.copy(), X.copy())):
        with pytest.raises(s2s.InPlaceWriteError, match=message):
            run()


def _adds_to_a_reshaped_row(b):
    rows = b.reshape(2, -1)
    v0 = rows[0]
    v0 += 1.0
    return np.sum(v0)


def adds_to_a_row_of_a_reshaped_argument(x):
    return _adds_to_a_reshaped_row(x) + np.sum(x)


def test_an_entry_of_a_view_that_reshapes_the_argument_is_not_an_entry_of_the_argument():
    """`b` is 1-D, but `rows[0]` is a view of half of it, not a number: still refused."""
    for run in (lambda: s2s.grad(adds_to_a_row_of_a_reshaped_argument)(X.copy()),
                lambda: s2s.jvp(adds_to_a_row_of_a_reshaped_argument)(X.copy(), X.copy())):
        with pytest.raises(s2s.InPlaceWriteError,
                           match=r"`_adds_to_a_reshaped_row` changes its argument `b` in place with an augmented "
                                 r"assignment \(test_aliasing_soundness.py:\d+\), here the array `x`"):
            run()


# ---- a copy of a list holds the list's entries; a copy of an array of numbers holds numbers ----------

def _adds_to_an_entry_of_a_concatenation(xs, zs):
    ys = xs + zs
    v = ys[0]
    v += 1.0
    return np.sum(v)


def adds_to_an_entry_of_concatenated_lists(x):
    xs = [x * 1.0]
    r = _adds_to_an_entry_of_a_concatenation(xs, [x])
    return r + np.sum(xs[0] * xs[0])


def adds_to_a_row_of_a_sum_of_matrices(x):
    m = np.outer(x, x)
    r = _adds_to_an_entry_of_a_concatenation(m, m * 2.0)
    return r + np.sum(m * m)


def test_an_entry_of_a_concatenation_of_list_parameters_is_the_callers_array():
    """`ys = xs + zs` of lists holds the caller's arrays: `v += 1.0` on `ys[0]` changed the caller's
    `xs[0]`, and the jvp was silently wrong (4.42 where it is 9.02); reverse mode raised a TypeError."""
    xs = [X * 1.0]
    _adds_to_an_entry_of_a_concatenation(xs, [X])
    assert not np.array_equal(xs[0], X)   # what the derivative must not ignore
    message = (r"`_adds_to_an_entry_of_a_concatenation` writes in place into an entry of a copy of its argument "
               r"`xs` \(test_aliasing_soundness.py:\d+; .*\), here `xs`, whose entries are arrays or lists")
    for run in (lambda: s2s.grad(adds_to_an_entry_of_concatenated_lists)(X.copy()),
                lambda: s2s.jvp(adds_to_an_entry_of_concatenated_lists)(X.copy(), X.copy())):
        with pytest.raises(s2s.InPlaceWriteError, match=message):
            run()


def test_an_entry_of_a_sum_of_matrices_is_a_row_of_a_new_array():
    """The same helper given arrays: `m + n` is a new array, whose rows `+=` may change."""
    f = adds_to_a_row_of_a_sum_of_matrices
    h = 1e-6
    expected = np.array([(f(X + h * e) - f(X - h * e)) / (2 * h) for e in np.eye(len(X))])
    np.testing.assert_allclose(s2s.grad(f)(X.copy()), expected, rtol=1e-6, atol=1e-8)
    assert s2s.jvp(f)(X.copy(), np.ones(len(X)))[1] == pytest.approx(np.sum(expected), rel=1e-6)


# ---- the same in the differentiated function itself: a copy's entries are the list's entries -------

def adds_to_an_entry_of_a_copy(x):
    xs = [x * 1.0]
    ys = xs.copy()
    v = ys[0]
    v += 1.0              # writes into xs[0] too
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_an_entry_of_a_list_call(x):
    xs = [x * 1.0]
    ys = list(xs)
    v = ys[0]
    v += 1.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_an_entry_of_a_tuple_call(x):
    xs = [x * 1.0]
    ys = tuple(xs)
    v = ys[0]
    v += 1.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_an_entry_of_a_sorted_call(x):
    xs = [x * 1.0]
    ys = sorted(xs, key=len)
    v = ys[0]
    v += 1.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_a_value_of_a_copied_dict(x):
    d = {"a": x * 1.0}
    e = d.copy()
    v = e["a"]
    v += 1.0
    return np.sum(v) + np.sum(d["a"] ** 2)


def sets_into_an_entry_of_a_copy(x):
    xs = [x * 1.0]
    ys = xs.copy()
    v = ys[0]
    v[0] = 5.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def _returns_a_copy(a):
    return a.copy()


def adds_to_an_entry_of_a_copy_a_helper_returns(x):
    xs = [x * 1.0]
    ys = _returns_a_copy(xs)
    v = ys[0]
    v += 1.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_an_entry_of_a_list_read_through_its_copy(x):
    xs = [x * 1.0]
    zs = list(xs)         # holds xs[0], which the write changes
    v = xs[0]
    v += 1.0
    return np.sum(v) + np.sum(zs[0] ** 2)


def adds_to_an_entry_of_a_copied_parameter(xs):
    ys = xs.copy()
    v = ys[0]
    v += 1.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_an_entry_of_a_listed_parameter(xs):
    ys = list(xs)
    v = ys[0]
    v += 1.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_an_entry_of_a_sum_of_parameters(xs, zs):
    ys = xs + zs
    v = ys[0]
    v += 1.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_an_entry_of_a_repeated_parameter(xs):
    ys = xs * 2
    v = ys[0]
    v += 1.0
    return np.sum(v) + np.sum(xs[0] ** 2)


def adds_to_a_value_of_a_copied_dict_parameter(d):
    e = d.copy()
    v = e["a"]
    v += 1.0
    return np.sum(v) + np.sum(d["a"] ** 2)


_COPIED_HERE = [adds_to_an_entry_of_a_copy, adds_to_an_entry_of_a_list_call, adds_to_an_entry_of_a_tuple_call,
                adds_to_an_entry_of_a_sorted_call, adds_to_a_value_of_a_copied_dict, sets_into_an_entry_of_a_copy,
                adds_to_an_entry_of_a_copy_a_helper_returns, adds_to_an_entry_of_a_list_read_through_its_copy]


@pytest.mark.parametrize("f", _COPIED_HERE, ids=[f.__name__ for f in _COPIED_HERE])
def test_a_write_into_an_entry_of_a_copy_of_a_list_is_refused_when_run(f):
    """`ys = xs.copy()` (or `list(xs)`, ...) holds `xs`'s arrays: `v = ys[0]; v += 1.0` changes
    `xs[0]`, which is read later. grad and jvp were silently wrong (1.6 where the true gradient
    `1 + 2 * (x + 1)` is 3.6 at 0.3); now the check put before the copy raises, naming the write."""
    message = r"test_aliasing_soundness\.py:\d+:\d+: `v( \+=|\[\.\.\.\] =) \.\.\.` changes `v` in place, and what " \
              r"`v` is may be held by `(xs|d)` and by its copy `(ys|e|zs)`"
    for run in (lambda: s2s.grad(f)(X.copy()), lambda: s2s.jvp(f)(X.copy(), np.ones(len(X)))):
        with pytest.raises(s2s.InPlaceWriteError, match=message):
            run()


_COPIED_PARAMETERS = [
    (adds_to_an_entry_of_a_copied_parameter, lambda x: ([x],)),
    (adds_to_an_entry_of_a_listed_parameter, lambda x: ([x],)),
    (adds_to_an_entry_of_a_sum_of_parameters, lambda x: ([x], [x * 2.0])),
    (adds_to_an_entry_of_a_repeated_parameter, lambda x: ([x],)),
    (adds_to_a_value_of_a_copied_dict_parameter, lambda x: ({"a": x},)),
]


@pytest.mark.parametrize("f, args", _COPIED_PARAMETERS, ids=[f.__name__ for f, _ in _COPIED_PARAMETERS])
def test_a_write_into_an_entry_of_a_copy_of_a_list_parameter_is_refused_when_run(f, args):
    """The same with the list a parameter: only the argument says whether `xs.copy()` holds its
    arrays (a list) or numbers of its own (an array); the jvp was silently wrong (and grad too,
    but for `xs + zs` and `xs * 2`, which raised ListOperatorError)."""
    message = r"test_aliasing_soundness\.py:\d+:\d+: `v \+= \.\.\.` changes `v` in place, and what `v` is may be " \
              r"held by `(xs|d)`"
    tangents = ([np.ones(len(X))] if isinstance(args(X)[0], list) else {"a": np.ones(len(X))},)
    for run in (lambda: s2s.grad(f)(*args(X.copy())), lambda: s2s.jvp(f)(*args(X.copy()), *tangents)):
        with pytest.raises(s2s.InPlaceWriteError, match=message):
            run()


def test_a_copy_of_a_parameter_that_is_an_array_of_numbers_stays_exact():
    """Given an array, `xs.copy()` and `xs + zs` hold numbers of their own: `v += 1.0` on a row of
    the copy of a matrix changes nothing `xs` is, and the check passes."""
    m = np.outer(X, X) + 1.0
    for f, args, tangents in ((adds_to_an_entry_of_a_copied_parameter, (m,), (np.ones_like(m),)),
                              (adds_to_an_entry_of_a_sum_of_parameters, (m, m * 2.0), (np.ones_like(m),)),
                              (adds_to_an_entry_of_a_copied_parameter, (X,), (np.ones(len(X)),))):
        expected = _fd(lambda a: f(a, *(b.copy() for b in args[1:])), args[0])
        np.testing.assert_allclose(s2s.grad(f)(*(a.copy() for a in args)), expected, rtol=1e-6, atol=1e-8)
        derivative = s2s.jvp(f)(*(a.copy() for a in args), *tangents)[1]
        assert derivative == pytest.approx(np.sum(expected), rel=1e-6)


def copies_an_array_then_adds(x):
    y = x.copy()
    y += 1.0
    return np.sum(y * y) + np.sum(x ** 2)


def copies_an_array_then_sets(x):
    y = x.copy()
    y[0] = x[1] * 3.0
    return np.sum(y * y) + np.sum(x ** 2)


def adds_to_a_row_of_a_sum_of_arrays(x):
    m = np.outer(x, x)
    s = m + m
    r = s[0]
    r += 1.0
    return np.sum(r * r) + np.sum(m * m)


def adds_to_an_entry_of_arithmetic(x):
    y = x * 2.0
    v = y[1]
    v += 1.0
    return v * x[0] + np.sum(y) + np.sum(x ** 2)


def list_copies_never_written(x):
    xs = [x, x * 2.0]
    ys = list(xs)
    zs = xs.copy()
    return np.sum(ys[1] * zs[0]) + np.sum(xs[0])


_ARRAY_COPIES = [copies_an_array_then_adds, copies_an_array_then_sets, adds_to_a_row_of_a_sum_of_arrays,
                 adds_to_an_entry_of_arithmetic, list_copies_never_written]


@pytest.mark.parametrize("f", _ARRAY_COPIES, ids=[f.__name__ for f in _ARRAY_COPIES])
def test_writes_into_copies_of_arrays_stay_exact(f):
    expected = _fd(f, X)
    np.testing.assert_allclose(s2s.grad(f)(X.copy()), expected, rtol=1e-6, atol=1e-8)
    assert s2s.jvp(f)(X.copy(), np.ones(len(X)))[1] == pytest.approx(np.sum(expected), rel=1e-6)


# Found by the deep random-program profile (test_random_forward, --hypothesis-seed=1103): `a + a[0]`
# counted as a copy holding an entry of `a` whatever `a` is, so a write into a dict value made from it
# was refused when the derivative was built; for an array `a` it is a new array of numbers. It is a
# copy holding `a`'s entries only where they are lists, which the check at the call asks.
def _writes_into_a_value_made_from_an_entry(a, b):
    d0 = {"wt": a * 1.0, "bias": a + (a + a[0]), "scale": a * 1.0}
    v0 = np.sin(a)
    d0["wt"] += np.sum(a)
    return v0 * b + d0["bias"]


def sum_of_a_value_made_from_an_entry(x):
    return np.sum(_writes_into_a_value_made_from_an_entry(x * 0.5, x))


def test_a_new_array_made_from_an_entry_is_not_the_argument():
    check_exact(sum_of_a_value_made_from_an_entry, X)


def _adds_to_an_entry_of_a_joined_entry(a):
    c = a[0] + []
    v = c[0]
    v += 1.0
    return np.sum(v)


def joins_a_list_entry_then_adds_in_place(x):
    a = [[x * 1.0, x * 2.0]]
    return _adds_to_an_entry_of_a_joined_entry(a) + np.sum(a[0][0] ** 2)


def test_a_list_joined_from_an_entry_holds_its_arrays():
    for run in (lambda: s2s.grad(joins_a_list_entry_then_adds_in_place)(X.copy()),
                lambda: s2s.jvp(joins_a_list_entry_then_adds_in_place)(X.copy(), X.copy())):
        with pytest.raises(s2s.InPlaceWriteError, match="augmented assignment on an entry"):
            run()


def puts_a_dict_into_a_dict_then_replaces_its_entry(x):
    y = {"k": x * 1.0}
    t = {}
    t["a"] = y
    y["k"] = x * 3.0   # t["a"] is y: t sees the new entry
    return np.sum(t["a"]["k"])


def puts_a_list_into_a_list_then_replaces_its_entry(x):
    y = [x * 1.0]
    t = [0.0] * 2
    t[0] = y
    y[0] = x * 3.0
    return np.sum(t[0][0])


@pytest.mark.parametrize("f", [puts_a_dict_into_a_dict_then_replaces_its_entry,
                               puts_a_list_into_a_list_then_replaces_its_entry])
def test_a_list_or_dict_holds_what_is_written_into_it(f):
    """`t["a"] = y` puts `y` itself into the dict `t` (an array would copy its numbers): a write
    into `y` afterwards changes what `t` holds. Sharing ignored such writes, and the gradient
    was that of `sum(x)` where the function is `sum(3 x)`."""
    np.testing.assert_allclose(f(X), np.sum(3.0 * X))   # what the derivative must not ignore
    with pytest.raises(s2s.UnsupportedError, match=r"`y` is modified in place here, but `t` may be it or hold it"):
        s2s.grad(f)(X.copy())


def keeps_a_running_sum_in_an_array(x):
    out = np.zeros(4)
    acc = np.zeros(2)
    for i in range(4):
        acc += x[i]      # in place; out[i] = acc copied the numbers
        out[i] = np.sum(acc)
    return np.sum(out * out)


def test_an_array_written_from_an_array_changed_later_is_exact():
    check_exact(keeps_a_running_sum_in_an_array, X)


TARGETS = np.array([0.5, -0.2])


def keeps_a_history_of_a_parameter_dict(w0):
    """SGD on a dict of parameters, keeping each step's weights in a list."""
    params = {"w": w0, "b": 0.0}
    history = [params["w"]]
    for step in range(4):
        p = np.tanh(W @ params["w"] + params["b"])
        params["w"] = params["w"] - 0.1 * (W.T @ (p - TARGETS))
        history.append(params["w"])
    return np.sum(history[-1] ** 2) + 0.1 * np.sum(history[0] * history[2])


def test_replacing_an_entry_leaves_what_was_read_from_it_alone():
    """`params["w"] = ...` rebinds the entry: `history` holds the arrays read from it before,
    which do not change. (Refused, as a write seen by `history`, when the dict's entries and
    what holds the dict were one class.)"""
    check_exact(keeps_a_history_of_a_parameter_dict, np.array([0.3, -0.4]))


def reads_an_entry_of_a_list_holding_the_dict(x):
    y = {"k": x * 1.0}
    u = [y]
    t = u[0]          # t is y
    y["k"] = x * 3.0
    return np.sum(t["k"])


def test_an_entry_of_what_holds_the_dict_may_be_the_dict():
    with pytest.raises(s2s.UnsupportedError, match=r"`y` is modified in place here, but `t` may be it or hold it"):
        s2s.grad(reads_an_entry_of_a_list_holding_the_dict)(X.copy())


@pytest.mark.parametrize("checkpoint", [None, True])
def test_the_differential_testers_seed_1504(checkpoint):
    """A dict's entry replaced in a loop, a list holding another entry read after it: it was
    refused (tests/corpus_issue14_seed1504.py); the list does not hold the dict."""
    import corpus_issue14_seed1504 as program
    x, y = np.array([0.0123, 0.0457, 0.0789]), np.array([0.0234, 0.0568, 0.0891])
    gx, gy = s2s.grad(program.f, wrt=(0, 1), checkpoint=checkpoint)(x, y, 1)
    np.testing.assert_array_equal(gx, np.zeros(3))   # f = sum(y)
    np.testing.assert_array_equal(gy, np.ones(3))


def reads_the_dict_through_an_alias_of_a_list_holding_it(x):
    y = {"k": x * 1.0}
    xs = [y]
    ys = xs
    v = ys[0]          # v is y: an entry of an alias of what holds it
    y["k"] = x * 3.0
    return np.sum(v["k"])


def test_an_entry_of_an_alias_of_what_holds_the_dict_may_be_the_dict():
    """Without counting aliases of what holds `y` as holding it, the gradient was that of sum(x)."""
    np.testing.assert_allclose(reads_the_dict_through_an_alias_of_a_list_holding_it(X), np.sum(3.0 * X))
    with pytest.raises(s2s.UnsupportedError, match=r"`y` is modified in place here, but `v` may be it or hold it"):
        s2s.grad(reads_the_dict_through_an_alias_of_a_list_holding_it)(X.copy())
