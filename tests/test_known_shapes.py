"""Gradients called with arrays run code generated for their shapes and dtypes (issue 12):
`transforms.known_shapes` says which names hold values of one known shape, and reverse mode drops
the helpers that exist only because shapes were unknown (`unbroadcast` of a same-shaped
cotangent, `grad_seed` of a scalar, `matmul_grad_*` of known ranks). Each case is checked against
central differences through that code, at two signatures, and through the general code; the code
itself is read, and what cannot be known keeps its helpers."""
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import s2s
from oracles import numerical_grad
from s2s import api
from s2s.specialised import ForShapes


def mlp(W1, b1, W2, b2, X):
    h = np.tanh(X @ W1 + b1)
    return np.mean((h @ W2 + b2) ** 2)


def rnn(Wx, Wh, b, xs):
    h = np.zeros(Wh.shape[0])
    for x in xs:
        h = np.tanh(Wx @ x + Wh @ h + b)
    return 0.5 * np.sum(h * h)


def broadcasts(X, w, b):
    return np.sum((X * w + b) ** 2) + np.sum(np.mean(X, axis=0) * w)


def vectors(u, v, A):
    return (u @ A @ v) * np.sum(A @ v) + np.sum(u @ A) ** 2 + v @ v


def loop_and_branch(x, s):
    y = x.copy()
    for k in range(3):
        if np.sum(y) > 0:
            y = y * s + np.sin(y)
        else:
            y = y - s
    return np.sum(y * y)


def mixes_numbers(x, a):
    z = 0.0
    for i in range(4):
        z = a * np.cos(z + i) + np.sum(x) * z
    return z


def element_loop(x, a):
    y = np.zeros(x.shape[0])
    acc = 0.0
    for i in range(x.shape[0]):
        acc = acc * a + x[i]
        y[i] = acc
    return np.sum(y ** 2)


def gated_rnn(Wx, Wh, xs):
    h = np.zeros(Wh.shape[0])
    for x in xs:
        if x[0] > 0:   # some steps only: their outer products, batched, must be those steps'
            h = np.tanh(Wx @ x + Wh @ h)
        else:
            h = 0.5 * h
        if np.sum(h) > 3.0:
            break
    return np.sum(h ** 2)


CASES = [  # function, wrt, two signatures (a point for each)
    (mlp, (0, 1, 2, 3), lambda r: (r.normal(size=(4, 5)), r.normal(size=5), r.normal(size=(5, 2)), r.normal(size=2),
                                   r.normal(size=(3, 4))),
     lambda r: (r.normal(size=(2, 3)), r.normal(size=(1,)), r.normal(size=(3, 1)), r.normal(), r.normal(size=(6, 2)))),
    (rnn, (0, 1, 2), lambda r: (r.normal(size=(3, 2)), 0.5 * r.normal(size=(3, 3)), r.normal(size=3),
                                r.normal(size=(4, 2))),
     lambda r: (r.normal(size=(2, 1)), 0.5 * r.normal(size=(2, 2)), r.normal(size=(1,)), r.normal(size=(3, 1)))),
    (broadcasts, (1, 2), lambda r: (r.normal(size=(4, 3)), r.normal(size=3), r.normal()),
     lambda r: (r.normal(size=(4, 3)), r.normal(size=(1, 3)), r.normal(size=(4, 1)))),
    (vectors, (0, 1, 2), lambda r: (r.normal(size=3), r.normal(size=4), r.normal(size=(3, 4))),
     lambda r: (r.normal(size=2), r.normal(size=5), r.normal(size=(2, 5)))),
    (loop_and_branch, (0, 1), lambda r: (r.normal(size=5), 0.7), lambda r: (-np.abs(r.normal(size=(2, 2))), 0.3)),
    (mixes_numbers, (0, 1), lambda r: (0.1 * r.normal(size=3), 0.4), lambda r: (0.1 * r.normal(size=(2, 2)), 0.2)),
    (element_loop, (0, 1), lambda r: (r.normal(size=6), 0.5), lambda r: (r.normal(size=3), 0.9)),
    (gated_rnn, (0, 1), lambda r: (r.normal(size=(3, 2)), 0.5 * r.normal(size=(3, 3)), r.normal(size=(6, 2))),
     lambda r: (r.normal(size=(3, 2)), 0.5 * r.normal(size=(3, 3)), np.zeros((0, 2)))),   # no steps at all
]


def _check(f, wrt, args, grads):
    for k, g in zip(wrt, grads):
        assert np.shape(g) == np.shape(args[k])
        np.testing.assert_allclose(g, numerical_grad(f, list(args), k), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, wrt, first, second", CASES, ids=[c[0].__name__ for c in CASES])
def test_code_for_known_shapes_gives_the_gradient_of_finite_differences(f, wrt, first, second):
    g = s2s.grad(f, wrt=wrt)
    rng = np.random.default_rng(0)
    points = [first(rng), second(rng), first(rng)]   # two signatures, then the first again
    for args in points:
        for _ in range(2):   # the general code, then (at the second call) the code for these shapes
            _check(f, wrt, args, g(*args))
            value, grads = s2s.value_and_grad(f, wrt=wrt)(*args)
            assert value == f(*args)
            _check(f, wrt, args, grads)
    assert len(api._SHAPES[g].made) == 2   # one specialised derivative per signature


@pytest.mark.parametrize("f, wrt, first, second", CASES, ids=[c[0].__name__ for c in CASES])
def test_general_code_gives_the_same_gradient(f, wrt, first, second, monkeypatch):
    args = first(np.random.default_rng(1))
    monkeypatch.setenv("S2S_SPECIALISE", "0")
    api._CACHE.clear()   # a derivative made now keeps its general code for every call
    try:
        g = s2s.grad(f, wrt=wrt)
        _check(f, wrt, args, g(*args))
        assert not api._SHAPES[g].made
    finally:
        api._CACHE.clear()


def test_the_specialised_code_reads_as_a_person_writes_it():
    W1, b1, W2, b2, X = CASES[0][2](np.random.default_rng(0))
    text = s2s.source(s2s.grad(mlp, wrt=(0, 1, 2, 3)), like=(W1, b1, W2, b2, X))
    for helper in ("unbroadcast", "grad_seed", "matmul_grad", "unsum", "np.size", "np.full"):
        assert helper not in text
    for line in ("d_b2 = d_4.sum(axis=0)", "d_h = d_4 @ W2.T", "d_W2 = h.T @ d_4",
                 "d_b1 = d_1.sum(axis=0)", "d_W1 = X.T @ d_1",
                 "d_4 = 0.3333333333333333 * (h @ W2 + b2)"):   # 2 (the square's) / 6 (the mean's): one number
        assert line in text, line
    general = s2s.source(s2s.grad(mlp, wrt=(0, 1, 2, 3)))
    assert "unbroadcast(" in general and "grad_seed(" in general


def nll(t, y):
    p = 0.5 * (np.tanh(t / 2) + 1)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def sum_then_scale(x, w):
    c = x * 2.0
    return np.sum(w * x + c)


def test_a_sums_cotangent_passed_on_by_a_copy_stays_a_number_only_where_products_broadcast_it():
    rng = np.random.default_rng(3)
    t, y = rng.normal(size=7), (rng.uniform(size=7) < 0.5).astype(float)
    g = s2s.grad(nll, wrt=0)
    assert "np.full" not in s2s.source(g, like=(t, y))   # both terms of the sum reach products with y
    for _ in range(2):   # general code, then the code for these shapes
        np.testing.assert_allclose(g(t, y), numerical_grad(nll, [t, y], 0), rtol=1e-6, atol=1e-8)
    x, w = rng.normal(size=5), rng.normal(size=5)
    h = s2s.grad(sum_then_scale, wrt=0)
    assert "np.full" in s2s.source(h, like=(x, w))   # `c`'s cotangent is read by `* 2.0`: it stays an array
    for _ in range(2):
        np.testing.assert_allclose(h(x, w), w + 2.0, rtol=1e-12)


def test_what_is_recorded_only_for_its_shape_is_not_recorded():
    Wx, Wh, b, xs = CASES[1][2](np.random.default_rng(0))
    text = s2s.source(s2s.grad(rnn, wrt=(0, 1, 2)), like=(Wx, Wh, b, xs))
    assert text.count("_tape1[_3] = h") == 1 and "_stack" not in text   # h, in a tape (transforms/tapes.py);
    # not Wx @ x nor Wh @ h, once read for their shapes, nor x = xs[k], read again (transforms/recompute.py)
    assert s2s.source(s2s.grad(rnn, wrt=(0, 1, 2))).count("_stack.append(") == 3


def test_outer_products_over_a_loop_are_one_product_after_it():
    Wx, Wh, b, xs = CASES[1][2](np.random.default_rng(0))
    text = s2s.source(s2s.grad(rnn, wrt=(0, 1, 2)), like=(Wx, Wh, b, xs))
    assert "np.multiply.outer" not in text and "np.outer" not in text
    # d_1 is the row of both products (one array of rows, written at the steps' indices), and d_b
    # its sum over the steps
    assert "_rows1 = np.empty((len(_4), 3))" in text and text.count("_rows1[_3] = d_") == 1
    assert "_rows2" not in text and "d_b += " not in text and ".append(d_" not in text
    assert "d_Wx = d_Wx + _rows1.T @ _4" in text and "d_b = d_b + _rows1.sum(axis=0)" in text   # (xs: no copy)
    assert "d_Wh = d_Wh + _rows1.T @ _tape1[:len(_4)]" in text and "_cols" not in text   # (h's rows: its tape)


def damped(x0, k):
    xs = np.zeros((6, x0.shape[0]))
    xs[0] = x0
    for t in range(5):   # `0.05 * k` is a number; its cotangent, an array until summed
        xs[t + 1] = xs[t] - 0.05 * k * np.sin(xs[t])
    return np.sum(xs[-1] ** 2)


def test_a_number_broadcast_against_an_array_sums_its_cotangent_as_a_person_does():
    rng = np.random.default_rng(4)
    args = (rng.normal(size=4), 0.8)
    g = s2s.grad(damped, wrt=(0, 1))
    text = s2s.source(g, like=args)
    assert "unbroadcast(" not in text and "d_k = d_k - 0.05 * np.vdot(d_4, np.sin(xs[t]))" in text
    for _ in range(2):   # general code, then the code for these shapes
        _check(damped, (0, 1), args, g(*args))
    assert isinstance(g(*args)[1], float)


def test_a_cotangent_summed_back_over_axes_of_length_one_keeps_them():
    # (4, 3) summed back to w (1, 3) and b (4, 1); the values: CASES' second signature of `broadcasts`
    text = s2s.source(s2s.grad(broadcasts, wrt=(1, 2)), like=(np.ones((4, 3)), np.ones((1, 3)), np.ones((4, 1))))
    assert "unbroadcast(" not in text
    assert ".sum(axis=1, keepdims=True)" in text and ".sum(axis=0, keepdims=True)" in text


def test_shapes_that_are_not_known_keep_their_helpers():
    # a value of data-dependent shape: unknown
    def picks(x, w):
        y = x[x > 0]
        return np.sum(y * w[0])
    x, w = np.array([1.0, -2.0, 3.0]), np.array([0.5, 2.0])
    g = s2s.grad(picks, wrt=1)
    np.testing.assert_allclose(g(x, w), [4.0, 0.0])


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_float32_keeps_its_type_and_matrices_are_refused():
    x32 = np.ones((3, 2), dtype=np.float32)
    grads = s2s.grad(broadcasts, wrt=(0, 1, 2))(x32, np.ones(2, dtype=np.float32), np.float32(0.5))
    assert [np.asarray(g).dtype for g in grads] == [np.float32] * 3
    m = np.matrix([[1.0, 2.0], [3.0, 4.0]])   # (its `*` is a matrix product: the gradient had the type, not the value)
    for _ in range(2):
        with pytest.raises(s2s.S2SError, match="np.matrix"):
            s2s.grad(squares)(m)
    assert not api._SHAPES[s2s.grad(squares)].made


def squares(x):
    return np.sum(x * x)


def squares_too(x):
    return np.sum(x * x)


def test_a_derivative_keeps_at_most_limit_signatures():
    g = s2s.grad(squares_too)
    for n in range(1, ForShapes.LIMIT + 4):
        x = np.arange(float(n))
        np.testing.assert_allclose(g(x), 2 * x)
        assert len(api._SHAPES[g].made) == min(n - 1, ForShapes.LIMIT)   # made at a signature's second call
        np.testing.assert_allclose(g(x), 2 * x)
    assert len(api._SHAPES[g].made) == ForShapes.LIMIT


def test_source_like_needs_one_argument_per_parameter():
    with pytest.raises(s2s.S2SError, match="one argument per parameter"):
        s2s.source(s2s.grad(mlp), like=(np.ones(2),))
    with pytest.raises(s2s.S2SError, match="no code for known shapes"):
        s2s.source(s2s.jvp(mlp), like=(np.ones(2),))


MODULE = textwrap.dedent("""
    import numpy as np

    def loss(w, b, X):
        return np.sum(np.tanh(X @ w + b) ** 2)
""")


def _cli(tmp_path, *words):
    return subprocess.run([sys.executable, "-m", "s2s.cli.main", *words], capture_output=True, text=True,
                          cwd=tmp_path)


def test_the_cli_writes_code_for_given_shapes_that_checks_its_arguments(tmp_path):
    (tmp_path / "model.py").write_text(MODULE)
    out = _cli(tmp_path, "grad", "model.py:loss", "--wrt", "w,b", "--shape", "w=3", "--shape", "b=",
               "--like", "X=np.ones((5, 3))", "-o", "grad_loss.py")
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "grad_loss.py").read_text()
    assert "expect_like(w, 'w', (3,), 'float64')" in text and "expect_like(b, 'b', None, 'float')" in text
    assert "unbroadcast" not in text and "--shape w=3 --shape b= --like 'X=np.ones((5, 3))'" in text
    assert _cli(tmp_path, "grad", "model.py:loss", "--wrt", "w,b", "--shape", "w=3", "--shape", "b=",
                "--like", "X=np.ones((5, 3))", "-o", "grad_loss.py", "--check").returncode == 0
    check = textwrap.dedent("""
        import numpy as np, s2s, grad_loss, model
        rng = np.random.default_rng(0)
        w, X = rng.normal(size=3), rng.normal(size=(5, 3))
        d_w, d_b = grad_loss.grad_loss(w, 0.3, X)
        e_w, e_b = s2s.grad(model.loss, wrt=(0, 1))(w, 0.3, X)
        assert np.allclose(d_w, e_w) and np.isclose(d_b, e_b)
        try:
            grad_loss.grad_loss(np.ones(4), 0.3, np.ones((5, 4)))
        except TypeError as e:
            print(type(e).__name__, e)
    """)
    run = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ArgumentShapeError this code was generated for w = a float64 array of shape (3,)")


LAYERS = textwrap.dedent("""
    import numpy as np

    def loss(params, X):
        h = X
        for W, b in params:
            h = np.tanh(h @ W + b)
        return np.sum(h ** 2)
""")


def test_the_cli_writes_code_for_a_list_of_layers_that_checks_it(tmp_path):
    (tmp_path / "layers.py").write_text(LAYERS)
    like = "params=[(np.ones((3, 4)), np.ones(4)), (np.ones((4, 2)), np.ones(2))], X=np.ones((5, 3))"
    out = _cli(tmp_path, "grad", "layers.py:loss", "--like", like, "-o", "grad_layers.py")
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "grad_layers.py").read_text()
    assert "expect_tree_like(params, 'params', [((3, 4), (4,)), ((4, 2), (2,))])" in text
    body = re.search(r"^def grad_loss.*?(?=^\S)", text + "\nend", re.S | re.M).group(0)
    assert "for " not in body and "import s2s" not in text   # (the loop unrolled; NumPy only)
    check = textwrap.dedent("""
        import numpy as np, grad_layers, layers
        rng = np.random.default_rng(0)
        params = [(rng.normal(size=(3, 4)), rng.normal(size=4)), (rng.normal(size=(4, 2)), rng.normal(size=2))]
        X = rng.normal(size=(5, 3))
        got = grad_layers.grad_loss(params, X)
        assert type(got) is list and all(type(layer) is tuple for layer in got)
        for i, layer in enumerate(params):
            for j, leaf in enumerate(layer):
                for k in np.ndindex(leaf.shape):
                    e = np.zeros(leaf.shape)
                    e[k] = 1e-6
                    def at(v):
                        moved = [list(p) for p in params]
                        moved[i][j] = leaf + v * e
                        return layers.loss([tuple(p) for p in moved], X)
                    assert abs(got[i][j][k] - (at(1) - at(-1)) / 2e-6) < 1e-6
        try:
            grad_layers.grad_loss(params[:1], X)
        except TypeError as e:
            print(type(e).__name__, e)
    """)
    run = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ArgumentShapeError this code was generated for params = a list of float64 arrays")


def test_the_cli_refuses_what_it_cannot_specialise_to(tmp_path):
    (tmp_path / "model.py").write_text(MODULE)
    out = _cli(tmp_path, "grad", "model.py:loss", "--like", "X=[1.0, 2.0]")
    assert out.returncode == 2 and "not to this list" in out.stderr
    out = _cli(tmp_path, "grad", "model.py:loss", "--like", "z=np.ones(3)")
    assert out.returncode == 2 and "has no parameter 'z'" in out.stderr


def _outer_helper(x):
    return _inner_helper(x) * 2.0


def _inner_helper(x):
    return np.sin(x)


def _calls_nested_helpers(x, y):
    return np.sum(_outer_helper(x) * y) + np.sum(np.tanh(y))


def test_code_for_known_shapes_reads_the_helpers_the_general_code_read():
    x, y = np.linspace(0.1, 0.9, 4), np.linspace(-1.0, 1.0, 4)
    g = s2s.grad(_calls_nested_helpers, wrt=(0, 1))
    for _ in range(2):
        _check(_calls_nested_helpers, (0, 1), (x, y), g(x, y))
    assert len(api._SHAPES[g].made) == 1 and api._SHAPES[g].made[next(iter(api._SHAPES[g].made))] \
        is not api._GENERATED[g]   # made, not the general code kept
    assert "unbroadcast(" not in s2s.source(g, like=(x, y)).split("def fwd_")[0]


def _inactive_helper(n):
    return np.ones(n) * 0.5


def _calls_an_inactive_helper(x):
    c = _inactive_helper(3)   # not differentiated (no derivative flows through it)
    return np.sum(np.tanh(x) * c)


def test_a_helper_read_only_for_its_shapes_keeps_the_code_for_known_shapes():
    x = np.linspace(-1.0, 1.0, 3)
    g = s2s.grad(_calls_an_inactive_helper)
    for _ in range(2):
        np.testing.assert_allclose(g(x), 0.5 * (1 - np.tanh(x) ** 2))
    made = api._SHAPES[g].made
    assert len(made) == 1 and next(iter(made.values())) is not api._GENERATED[g]


def scaled_norm(x, c):
    return np.sum((x * c) ** 2)


def test_a_traceback_shows_the_lines_of_the_code_that_ran():
    g = s2s.grad(scaled_norm)
    x = np.array([1.0, -2.0, 0.5])
    g(x, 3.0), g(x, 3.0)   # code for this signature is made, beside the general code
    for _ in range(2):   # a list: the general code, where x * c fails as it does in scaled_norm
        with pytest.raises(TypeError) as failed:
            g([1.0, 2.0], 1.0)
        assert str(failed.traceback[-1].statement).strip() == "_2 = x * c"


def test_signatures_called_without_checks_are_only_those_that_pass_them():
    from s2s.calling import passes_as_it_is
    f8 = np.dtype(float)
    assert passes_as_it_is((((3,), f8), float), [True, False])
    assert passes_as_it_is(((3,), float), [True, False])   # (a float64 array's entry: its shape)
    assert not passes_as_it_is(((), float), [True, False])
    assert passes_as_it_is((((3,), f8), ((3,), np.dtype(int))), [True, False])   # ints are data here
    assert not passes_as_it_is((((), f8), float), [True, False])                 # a 0-d gradient is 0-d
    assert not passes_as_it_is((((3,), np.dtype(np.float32)), float), [True, False])
    assert not passes_as_it_is((((3,), np.dtype(int)), float), [True, False])
    assert not passes_as_it_is((((3,), f8), complex), [True, False])
    assert not passes_as_it_is((((3,), f8), ((3,), np.dtype(complex))), [True, False])
    assert not passes_as_it_is((list, float), [True, False])

    g, vg = s2s.grad(scaled_norm), s2s.value_and_grad(scaled_norm)
    x = np.array([1.0, -2.0, 0.5])
    for _ in range(3):   # general code, then the code for this signature, then that code at once
        np.testing.assert_allclose(g(x, 3.0), 18.0 * x)
        value, grad = vg(x, 3.0)
        assert value == pytest.approx(9.0 * np.sum(x * x)) and np.allclose(grad, 18.0 * x)
    assert api._SHAPES[g].fast and api._SHAPES[vg].fast
    for _ in range(2):   # other signatures still get their checks
        zero_d = g(np.array(2.0), 3.0)
        assert type(zero_d) is np.ndarray and zero_d.shape == () and zero_d == 36.0
        assert g(x.astype(np.float32), 3.0).dtype == np.float32
        with pytest.raises(s2s.IntegerArgumentError):
            g(np.arange(3), 3.0)
        with pytest.raises(s2s.ComplexArgumentError):
            g(x, 3.0j)


def test_an_internal_error_making_code_for_these_shapes_warns_and_runs_the_general_code(monkeypatch):
    from s2s import specialised
    from s2s.errors import SpecialisationWarning

    def broken(*args, like=None, **kwargs):
        if like:
            raise AttributeError("a bug")
        return generate(*args, like=like, **kwargs)
    generate = specialised.generate
    monkeypatch.setattr(specialised, "generate", broken)
    g = s2s.grad(cubes)
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(g(x), 3 * x ** 2)   # the general code
    with pytest.warns(SpecialisationWarning, match="AttributeError: a bug"):
        np.testing.assert_allclose(g(x), 3 * x ** 2)   # code for these shapes could not be made: the general code
    np.testing.assert_allclose(g(x), 3 * x ** 2)


def cubes(x):
    return np.sum(x ** 3)


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _attention(Q, K, V):
    A = _softmax(Q @ K.T / np.sqrt(Q.shape[1]))
    return np.sum((A @ V) ** 2)


def _scale_into(a, k):   # writes into what it is given: s2s copies it for the call
    a *= k
    return a


def _twice(x):   # two returns: not inlined
    if np.sum(x) > 100.0:
        return x
    return 2.0 * x


def _mixed_helpers(x, y):
    u = _scale_into(x * 1.0, 3.0)
    v = _twice(y) if np.sum(y) > -100.0 else y   # (a conditional call: not inlined either)
    return np.sum(_softmax(u) * v) + np.sum(_twice(u))


def test_helpers_are_inlined_into_code_for_known_shapes():
    rng = np.random.default_rng(4)
    Q, K, V = rng.normal(size=(5, 3)), rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    g = s2s.grad(_attention, wrt=(0, 1, 2))
    for _ in range(3):
        _check(_attention, (0, 1, 2), (Q, K, V), g(Q, K, V))
    text = s2s.source(g, like=(Q, K, V))
    assert "_softmax_out" in text and "def fwd__softmax" not in text, text
    assert "unmax" not in text and "unbroadcast" not in text, text   # (its maximum's path cancels)


def test_helpers_that_write_in_place_or_may_not_run_stay_calls():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    g = s2s.grad(_mixed_helpers, wrt=(0, 1))
    for _ in range(3):
        _check(lambda x, y: _mixed_helpers(x.copy(), y), (0, 1), (x, y), g(x.copy(), y))
    text = s2s.source(g, like=(x, y))
    assert "_softmax_out" in text and "def fwd__scale_into" in text and "def fwd__twice" in text, text


def _softmax_on(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _leaky(x, W, b, slope=0.01, *, shift=(0.0, 0.5)):
    h = x @ W + b + shift[1]
    return np.maximum(h, slope * h)


def _with_keywords(W, b, x):
    h = _leaky(x, b=b, W=W)   # keywords out of order, the defaults
    out = _leaky(h, W.T, b[:3], slope=0.2, shift=(1.0, -0.25))
    return np.sum(_softmax_on(out, axis=0) * out) + np.sum(_softmax_on(h) ** 2)


def _applied(x, W, ws=np.ones(3)):   # a default that is an object: the call stays
    return np.tanh(x @ W) * ws


def _with_object_defaults(W, x):
    return np.sum(_applied(x, W) ** 2)


def test_helpers_called_with_keywords_and_defaults_are_inlined():
    rng = np.random.default_rng(6)
    W, b, x = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3))
    g = s2s.grad(_with_keywords, wrt=(0, 1))
    for _ in range(3):
        _check(_with_keywords, (0, 1), (W, b, x), g(W, b, x))
    text = s2s.source(g, like=(W, b, x))
    assert "def fwd_" not in text and "_leaky_out_1" in text and "_softmax_on_out_1" in text, text
    assert "axis=0" in text and "0.2 *" in text and "0.01 *" in text, text   # the numbers themselves
    g = s2s.grad(_with_object_defaults)
    W3 = rng.normal(size=(3, 3))
    for _ in range(3):
        _check(_with_object_defaults, (0,), (W3, x), [g(W3, x)])
    assert "def fwd__applied" in s2s.source(g, like=(W3, x))


def _centred_square(x, mu=0.0):
    return (x - mu) ** 2


def _argument_named_as_a_default(theta):
    mu = theta[:2]   # the caller's name is the callee's parameter left to its default
    return np.sum(_centred_square(mu) * theta[2])


def test_an_argument_named_as_a_parameter_left_to_its_default():
    # inlining renamed x to the caller's `mu`, then put the default 0.0 for every `mu`: the
    # code for known shapes computed (0.0 - 0.0) ** 2 and its gradient was zero, with no error
    theta = np.array([0.5, -0.3, 2.0])
    g = s2s.grad(_argument_named_as_a_default)
    for _ in range(3):
        np.testing.assert_allclose(g(theta), [2 * 0.5 * 2.0, 2 * -0.3 * 2.0, 0.5 ** 2 + 0.3 ** 2])
    assert "def fwd_" not in s2s.source(g, like=(theta,))   # (still inlined)


@pytest.mark.parametrize("name", ["local_named_as_a_global", "version_named_as_a_global",
                                  "versions_named_as_globals", "value_named_as_a_global"])
def test_names_made_by_inlining_do_not_take_the_helpers_globals(name):
    import known_shapes_globals as m
    f = getattr(m, name)
    x = np.array([0.3, -0.4, 1.1])
    expected = numerical_grad(f, [x], 0)
    g = s2s.grad(f)
    for _ in range(3):   # (the code for known shapes, from the second call, read the wrong values)
        np.testing.assert_allclose(g(x), expected, rtol=1e-6, atol=1e-8)


def _scaled_by_an_entry(x, ds):
    return np.sum(np.abs(x * ds[0]) ** 2)


def test_a_complex_array_inside_a_list_that_is_not_differentiated_is_refused_at_every_call():
    # the direct one was refused; inside a list or dict, the derivative of |x c|^2 came out wrong
    x, c = np.array([0.5, -1.0]), np.array([1.0 + 2.0j, 0.5 - 1.0j])
    g = s2s.grad(_scaled_by_an_entry)
    np.testing.assert_allclose(g(x, [np.abs(c)]), 2 * x * np.abs(c) ** 2)   # (a real list first)
    for ds in ([c], (c,), [np.abs(c), [1j]], {"0": c}):
        for _ in range(2):
            with pytest.raises(s2s.ComplexArgumentError, match=r"for `ds` at `ds\["):
                g(x, ds)


def _squares(x, w):
    return np.sum(x * x * w)


def test_an_np_matrix_is_refused_with_the_way_round():
    # its * is a matrix product: the derivative taken as for an array was wrong, with no error
    m = np.matrix([[1.0, 2.0], [3.0, 4.0]])
    g = s2s.grad(_squares)
    for args in ((m, 1.0), (np.asarray(m), m)):
        with pytest.raises(s2s.S2SError, match=r"(?s)np.matrix .* pass `np.asarray"):
            g(*args)
    np.testing.assert_allclose(g(np.asarray(m), 1.0), 2 * np.asarray(m))
