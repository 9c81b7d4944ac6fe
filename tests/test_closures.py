"""Closures: a free variable comes from the function's cell, never from a global or builtin of its name.

Python resolves a name in a function as: locals, then the closure's cells,
then the function's globals, then builtins. Generated code must read the
same objects, for values and for the functions it calls, in reverse mode,
forward mode and second order. Oracles: derivatives by hand and central
differences of the plain functions.
"""
import numpy as np
import pytest

import s2s
from oracles import numerical_grad

c = 1.0      # shadowed by the factories' `c`
ord = 5.0    # a global that shadows a builtin, itself shadowed by a closure variable
k = -7.0     # shadowed by helper_factory's `k`

X = np.array([0.3, -1.2, 2.0])
V = np.array([1.0, 0.5, -2.0])


def make(c):
    def s(x):
        return np.sum(c * x ** 2)
    return s


def make_ord(ord):
    def s(x):
        return np.sum(ord * np.sin(x))
    return s


def make_abs(abs):
    def s(x):
        return np.sum(abs(x) * x)
    return s


def helper_factory(k):
    def h(x):
        return k * np.sin(x)
    return h


h = helper_factory(2.0)   # a module-level helper that is a closure


def calls_closure_helper(x):
    return np.sum(h(x) * x)


def make_caller(a):
    inner = helper_factory(a + 1.0)

    def f(x):
        return np.sum(inner(x) ** 2) + a * np.sum(x)
    return f


def outer(a):
    def middle(b):
        def inner(x):
            return np.sum(a * b * np.cos(x))
        return inner
    return middle


def make_recursive(c):
    def r(x, n):
        if n == 0:
            return c * x
        return np.sin(r(x, n - 1))
    return r


def with_setter(c):
    def s(x):
        return c * x ** 3

    def set_c(value):
        nonlocal c
        c = value
    return s, set_c


def _directional(f, x, v, eps=1e-6):
    return (f(x + eps * v) - f(x - eps * v)) / (2 * eps)


def _check_all_modes(f, grad_by_hand, hess_by_hand):
    """grad, jvp and hvp of scalar-valued `f` at X against hand-derived values and central differences."""
    np.testing.assert_allclose(s2s.grad(f)(X), grad_by_hand(X), rtol=1e-12)
    np.testing.assert_allclose(numerical_grad(f, [X], 0), grad_by_hand(X), rtol=1e-6)  # the hand formula itself
    value, tangent = s2s.jvp(f)(X, V)
    assert value == pytest.approx(f(X), rel=1e-12)
    assert tangent == pytest.approx(_directional(f, X, V), rel=1e-6)
    np.testing.assert_allclose(s2s.hvp(f)(X, V), hess_by_hand(X) @ V, rtol=1e-10, atol=1e-12)


def test_a_free_variable_is_read_from_the_cell_not_from_the_global_of_its_name():
    _check_all_modes(make(3.0), lambda x: 6.0 * x, lambda x: 6.0 * np.eye(3))


def test_a_free_variable_named_like_a_builtin_is_the_cells_value():
    _check_all_modes(make_ord(3.0), lambda x: 3.0 * np.cos(x), lambda x: np.diag(-3.0 * np.sin(x)))


def test_a_function_in_a_cell_named_like_a_builtin_is_the_one_called():
    def by_hand(x):
        return np.cos(x) * x + np.sin(x)
    _check_all_modes(make_abs(np.sin), by_hand, lambda x: np.diag(2 * np.cos(x) - x * np.sin(x)))


def test_two_closures_of_one_factory_keep_their_own_values():
    s3, s5 = make(3.0), make(5.0)
    assert s3.__code__ is s5.__code__
    for f, cc in ((s3, 3.0), (s5, 5.0), (s3, 3.0)):
        _check_all_modes(f, lambda x, cc=cc: 2 * cc * x, lambda x, cc=cc: 2 * cc * np.eye(3))
    assert s2s.source(s2s.grad(s3)) == s2s.source(s2s.grad(s5))  # the same code, no value or id baked in


def test_a_module_level_helper_that_is_a_closure():
    def by_hand(x):
        return 2.0 * (np.cos(x) * x + np.sin(x))

    def hess(x):
        return np.diag(2.0 * (2 * np.cos(x) - x * np.sin(x)))
    _check_all_modes(calls_closure_helper, by_hand, hess)


def test_a_closure_calling_another_closure():
    f = make_caller(0.5)   # inner(x) = 1.5 sin(x)

    def by_hand(x):
        return 2 * 1.5 ** 2 * np.sin(x) * np.cos(x) + 0.5

    def hess(x):
        return np.diag(2 * 1.5 ** 2 * np.cos(2 * x))
    _check_all_modes(f, by_hand, hess)


def test_a_nested_factory_reads_both_enclosing_scopes():
    f = outer(2.0)(-1.5)
    _check_all_modes(f, lambda x: 3.0 * np.sin(x), lambda x: np.diag(3.0 * np.cos(x)))


def test_a_recursive_closure_and_grad_of_grad():
    r = make_recursive(0.7)
    x = 0.9
    d = s2s.grad(r)(x, 2)
    assert d == pytest.approx(numerical_grad(lambda v: r(v, 2), [x], 0), rel=1e-7)
    s = make(3.0)
    assert s2s.grad(s2s.grad(s))(1.7) == pytest.approx(6.0, rel=1e-12)


def test_a_rebound_nonlocal_is_read_when_the_derivative_runs():
    s, set_c = with_setter(2.0)
    d = s2s.grad(s)
    assert d(1.5) == pytest.approx(3 * 2.0 * 1.5 ** 2)
    set_c(-4.0)   # the original now computes -4 x^3; so does its derivative, without regenerating
    assert d(1.5) == pytest.approx(3 * -4.0 * 1.5 ** 2)
    assert s2s.jvp(s)(1.5, 1.0)[1] == pytest.approx(3 * -4.0 * 1.5 ** 2)


def test_a_cell_empty_at_generation_is_read_when_it_runs():
    def factory():
        def s(x):
            return late * np.sum(x)
        d = s2s.grad(s)
        with pytest.raises(NameError, match="late"):   # as s(X) itself would
            d(X)
        late = 4.0
        return d
    np.testing.assert_allclose(factory()(X), 4.0 * np.ones(3))


def test_a_function_in_an_empty_cell_is_refused_when_the_derivative_is_made():
    def factory():
        def s(x):
            return np.sum(later(x))
        message = "`later` is a variable of the function enclosing `s` that has no value yet"
        with pytest.raises(s2s.S2SError, match=message):
            s2s.grad(s)
        with pytest.raises(s2s.S2SError, match=message):
            s2s.jvp(s)

        def later(x):
            return x * 3.0
        return s
    np.testing.assert_allclose(s2s.grad(factory())(X), 3.0 * np.ones(3))


def test_a_function_rebound_in_a_cell_is_seen_by_the_next_grad():
    def factory():
        def helper(x):
            return np.sin(x)

        def f(x):
            return np.sum(helper(x))

        def replace(new):
            nonlocal helper
            helper = new
        return f, replace
    f, replace = factory()
    np.testing.assert_allclose(s2s.grad(f)(X), np.cos(X))

    def cube(x):
        return x ** 3
    replace(cube)
    np.testing.assert_allclose(s2s.grad(f)(X), 3 * X ** 2)
    np.testing.assert_allclose(s2s.hvp(f)(X, V), 6 * X * V)
    assert s2s.jvp(f)(X, V)[1] == pytest.approx(np.sum(3 * X ** 2 * V))


def test_a_written_module_refuses_a_closures_free_variable():
    from s2s.standalone import render
    for made in (s2s.grad(calls_closure_helper), s2s.jvp(calls_closure_helper), s2s.hvp(calls_closure_helper)):
        with pytest.raises(s2s.S2SError, match="closure and reads its free variable `k`"):
            render(s2s.api.generated(made), command="s2s grad test_closures.py:calls_closure_helper")


def make_len(len):
    def s(x):
        t = 0.0
        for v in [x, 2.0 * x]:
            t = t + len * v
        return t
    return s


def make_zip(zip):
    def s(x):
        t = 0.0
        for u, v in zip(x, x):
            t = t + u * v
        return t
    return s


def make_range(range):
    def s(x):
        t = x
        while t < 10.0:
            t = t * 2.0
        return t * range
    return s


def local_len(x):
    len = 2.0
    t = 0.0
    for v in [x, 2.0 * x]:
        t = t + len * v
    return t


def make_isinstance(isinstance):
    def stacked(x):   # a list that a branch binds to its array: the code asks isinstance(outs, list)
        outs = []
        for t in range(3):
            outs.append(x * t)
        if x[0] > 0:
            outs = np.stack(outs)
        return np.sum(np.asarray(outs) ** 2) * isinstance(x, float)
    return stacked


def _np_as_a_parameter(x, np):   # (this module's NumPy is `np`; the parameter shadows it here)
    return x * x * np + x


def test_a_parameter_named_np_is_refused_where_the_generated_code_calls_numpy():
    # the generated code called `np.` functions on the parameter: AttributeError at the first call
    with pytest.raises(s2s.S2SError, match=r"calls `np.` functions \(NumPy\), but `np` is a parameter or variable"):
        s2s.grad(_np_as_a_parameter, wrt=(0, 1))(np.array([0.5, 1.0]), 2.0)


def test_a_builtin_that_s2s_relies_on_shadowed_by_a_closure_or_local_is_refused():
    with pytest.raises(s2s.S2SError, match="calls the builtin `isinstance`, but `isinstance` is a variable"):
        s2s.grad(make_isinstance(lambda a, b: 1.0))
    def pairs(a, b):
        return [a * 10.0, b]
    cases = [(make_len(2.0), "calls the builtin `len`, but `len` is a variable of the enclosing function"),
             (local_len, r"test_closures.py:\d+:5: error: `\w+_local_len`, generated from `local_len` "
                         r"\(test_closures.py\), calls the builtin `len`, but `len` is a local variable"),
             (make_zip(pairs), "`zip` is a variable of the enclosing function here, not the builtin `zip`")]
    for f, message in cases:
        for transform in (s2s.grad, s2s.jvp, s2s.hvp):
            with pytest.raises(s2s.S2SError, match=message):
                transform(f)
    with pytest.raises(s2s.S2SError, match="calls the builtin `range`, but `range` is a variable"):
        s2s.grad(make_range(3.0))   # its while loop is replayed with `range`
    value, tangent = s2s.jvp(make_range(3.0))(1.5, 1.0)   # forward mode calls no builtin
    assert (value, tangent) == (3.0 * 12.0, 3.0 * 8.0)


def test_a_module_global_shadowing_a_builtin_the_code_calls_is_refused(tmp_path, monkeypatch):
    (tmp_path / "s2s_shadows_range.py").write_text(
        "range = 3.0\n\ndef w(x):\n    t = x\n    while t < 10.0:\n        t = t * 2.0\n    return t\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import s2s_shadows_range as m
    with pytest.raises(s2s.S2SError, match="`range` is a global of its module"):
        s2s.grad(m.w)


def test_a_module_global_shadowing_reversed_is_refused_where_the_backward_loop_calls_it(tmp_path, monkeypatch):
    (tmp_path / "s2s_shadows_reversed.py").write_text(
        "import numpy as np\n\nreversed = list\n\n\ndef w(x):\n    t = 0.0\n    for i in range(3):\n"
        "        t = t + np.sin(x[i]) * i\n    return t\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import s2s_shadows_reversed as m
    with pytest.raises(s2s.S2SError, match="`reversed` is a global of its module"):
        s2s.grad(m.w)


def test_the_command_line_refuses_a_callee_closure(tmp_path, monkeypatch, capsys):
    from s2s.cli.main import main
    (tmp_path / "uses_closure.py").write_text(
        "import numpy as np\n\nk = 1.0\n\n\ndef make(k):\n    def h(x):\n        return k * np.sin(x)\n    return h\n\n\n"
        "h = make(2.0)\n\n\ndef f(x):\n    return np.sum(h(x))\n")
    monkeypatch.chdir(tmp_path)
    for command in ("grad", "jvp", "hvp"):
        assert main([command, "uses_closure.py:f"]) == 2
        assert "is generated from a closure and reads its free variable `k`" in capsys.readouterr().err


def make_np(np):
    def s(x):
        return np.sum(x * x)
    return s


def test_a_closure_variable_np_that_is_not_numpy_is_refused():
    import types
    fake = types.SimpleNamespace(sum=np.sum)
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.S2SError, match="closure over a variable `np` that is not numpy"):
            transform(make_np(fake))
    np.testing.assert_allclose(s2s.grad(make_np(np))(X), 2 * X)   # NumPy itself is fine


def test_a_default_read_from_the_enclosing_function_is_the_value_python_evaluated():
    """autograd's bayesian_optimization: `def acquisition_function(xstar, y=y)` inside a function."""
    def outer(y):
        def acq(x, y=y):
            return np.sum(x * y) ** 2
        return s2s.value_and_grad(lambda x: -acq(x))(np.ones(2))
    y = np.array([1.0, 2.0])
    value, g = outer(y)
    assert value == pytest.approx(-9.0) and np.allclose(g, -2 * 3.0 * y)


def log_term(v):   # a module function of the name a local function below has
    return None


def terms_logged_by_a_local_function(w):
    terms = []

    def log_term(v):
        terms.append(v)
    log_term(np.sum(w ** 2))   # called for what it does, its value dropped
    log_term(3.0 * np.sum(w))
    return sum(terms)


def test_a_local_function_called_as_a_statement_is_inlined_as_where_its_value_is_kept():
    w = np.array([1.0, -2.0])
    g = s2s.grad(terms_logged_by_a_local_function)
    for _ in range(3):   # (it was a bare call of the module's `log_term`: zeros, no error)
        np.testing.assert_allclose(g(w), 2 * w + 3.0)
    assert s2s.jvp(terms_logged_by_a_local_function)(w, np.array([1.0, 0.5]))[1] == pytest.approx(
        np.dot(2 * w + 3.0, [1.0, 0.5]))


TEMPERATURE = 1.0


def tempered(z, t=TEMPERATURE):   # t is 1.0: Python evaluated the default here, once
    return np.exp(z / t)


def tempered_loss(z):
    return np.sum(tempered(z))


def tempered_scale(z, t=TEMPERATURE * 2.0, shift=np.zeros(2)):
    return np.sum(np.exp(z / t) + shift)


TEMPERATURE = 5.0   # rebound after the definitions (a later cell, a sweep)


def test_a_default_whose_names_were_rebound_since_is_the_value_python_evaluated(tmp_path, monkeypatch, capsys):
    z = np.array([0.5, -1.0])
    for _ in range(3):   # general code, code for these shapes, then that code at once
        np.testing.assert_allclose(s2s.grad(tempered_loss)(z), np.exp(z))
        np.testing.assert_allclose(s2s.grad(tempered_scale)(z), np.exp(z / 2.0) / 2.0)
    assert s2s.grad(tempered_loss)(0.5) == pytest.approx(np.exp(0.5))   # code for numbers
    assert "shift=np.zeros(2)" in s2s.source(s2s.grad(tempered_scale))   # (it gives the value still: kept)
    from s2s.cli.main import main
    (tmp_path / "rebound_default.py").write_text(
        "import numpy as np\n\nT = 1.0\n\n\ndef f(z, t=T):\n    return np.sum(np.exp(z / t))\n\n\nT = 5.0\n")
    monkeypatch.chdir(tmp_path)
    assert main(["grad", "rebound_default.py:f"]) == 2   # a module would evaluate `T` again: refused
    assert "the default of `t` in `grad_f` is the value Python computed" in capsys.readouterr().err
