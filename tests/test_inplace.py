"""In-place adjoints (issue 12, transforms/inplace.py): element writes and reads in loops update the
adjoint arrays the generated code owns where they are (`set_at`, `add_at`), so that the gradient of
an element loop is linear in its length; what s2s differentiates again is the functional form.
Every derivative here is checked against central differences."""
import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def running(x):
    y = np.zeros_like(x)
    acc = 0.0
    for i in range(len(x)):
        acc = acc + np.sin(x[i])
        y[i] = acc
    return np.sum(y * y)


def rows(x):
    """Row writes of a matrix: `d_y[i]` is a view of a row, read after the row's adjoint is zeroed."""
    y = np.zeros((3, 2))
    for i in range(3):
        y[i] = x * (i + 1.0) + y[i - 1] * 0.5
    return np.sum(y * y) + np.sum(y[1] * x)


def repeated_index(x):
    y = x * 1.0
    idx = [0, 0, 2]
    y[idx] = y[idx] * 2.0 + x[idx]
    return np.sum(y ** 2) + np.sum(x[idx] * y[1])


def into_a_list(x):
    """Element writes whose values also go into a list (the list's cotangent holds arrays)."""
    y = np.zeros_like(x)
    kept = []
    for i in range(len(x)):
        y[i] = np.cos(x[i]) * (i + 1.0)
        kept.append(y * 1.0)
    return np.sum(kept[-1] * kept[0]) + np.sum(y * y)


CASES = [running, rows, repeated_index, into_a_list]


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_in_place_adjoints_give_the_gradient_of_finite_differences(f):
    x = np.array([0.3, -0.7, 1.1])
    if f is rows:
        x = x[:2]
    np.testing.assert_allclose(s2s.grad(f)(x.copy()), numerical_grad(f, [x.copy()], 0), rtol=1e-6, atol=1e-8)
    v = np.linspace(1.0, -1.0, x.size)
    value, tangent = s2s.jvp(f)(x.copy(), v)
    assert tangent == pytest.approx(numerical_grad(f, [x.copy()], 0) @ v, rel=1e-6)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_second_order_reads_the_functional_form(f):
    x = np.array([0.3, -0.7, 1.1])
    if f is rows:
        x = x[:2]
    v = np.linspace(1.0, -1.0, x.size)
    g = s2s.grad(f)
    eps = 1e-5
    numeric = (g(x + eps * v) - g(x - eps * v)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(f)(x.copy(), v), numeric, rtol=1e-5, atol=1e-8)

    def norm_of_gradient(x):
        return np.sum(g(x) ** 2)
    np.testing.assert_allclose(s2s.grad(norm_of_gradient)(x.copy()), numerical_grad(norm_of_gradient, [x], 0),
                               rtol=1e-5, atol=1e-7)


def test_the_element_loop_updates_its_adjoints_in_place():
    text = s2s.source(s2s.grad(running))
    assert "d_y = set_at(d_y, i, 0.0)" in text and "d_x = add_at(d_x, x, i, " in text
    assert "setindex" not in text and "unindex" not in text
    text = s2s.source(s2s.grad(rows))
    assert "copy_of(d_y[i])" in text   # the row is read, then zeroed in place: a copy, not a view


def gather(x, js):
    """Reads at indices from an integer array, some twice: `d_x[j] += g` is right only because the
    loop adds one element at a time; the index is not a range index, so `add_at` stays."""
    total = 0.0
    for k in range(len(js)):
        total = total + np.sin(x[js[k]]) * (k + 1.0)
    return total


def picks(x, js):
    """Reads at an integer array that names an element twice: its cotangents must add up (`np.add.at`),
    which `d_x[js] += g` would not do."""
    total = 0.0
    for k in range(2):
        total = total + np.sum(np.sin(x[js]) * (k + 1.0))
    return total


@pytest.mark.parametrize("f", CASES + [gather, picks], ids=lambda f: f.__name__)
def test_code_for_known_shapes_gives_the_gradient_of_finite_differences(f):
    x = np.array([0.3, -0.7, 1.1])
    if f is rows:
        x = x[:2]
    args = [x, np.array([2, 0, 2, 1])] if f in (gather, picks) else [x]
    g = s2s.grad(f)
    for _ in range(3):   # the general code, then the code for these shapes (made at the second call)
        np.testing.assert_allclose(g(*[a.copy() for a in args]), numerical_grad(f, args, 0), rtol=1e-6, atol=1e-8)
    x32 = x.astype(np.float32)   # float32: not a float64 array of known shape, the helpers stay
    for _ in range(2):
        assert g(*([x32] + args[1:])).dtype == np.float32
    assert "set_at(" in s2s.source(g, like=[x32] + args[1:]) or "add_at(" in s2s.source(g, like=[x32] + args[1:])


def rewritten(x):
    y = np.ones_like(x)
    for i in range(len(x)):
        y[i] = y[i] * 0.5 + np.sin(x[i])   # (the adjoint of y[i] before the write: read after it is cleared)
    return np.sum(y * y)


def test_in_code_for_known_shapes_the_element_loop_writes_its_adjoints_directly():
    x = np.linspace(-1.0, 1.0, 5)
    text = s2s.source(s2s.grad(running), like=(x,))
    assert "d_x[i] += d_" in text and "set_at" not in text and "add_at" not in text
    assert "d_y[i] = 0.0" not in text   # (no later trip reads d_y[i]: transforms/dead_rows.py)
    text = s2s.source(s2s.grad(rewritten), like=(x,))
    assert "d_y[i] = 0.0" in text and "d_y[i] += " in text and "set_at" not in text, text
    g = s2s.grad(rewritten)
    for _ in range(2):   # the general code, then the code for this shape
        np.testing.assert_allclose(g(x.copy()), numerical_grad(rewritten, [x], 0), rtol=1e-6)
    text = s2s.source(s2s.grad(gather), like=(x, np.array([2, 0, 2])))
    assert "d_x = add_at(d_x, x, " in text   # x[js[k]]: not a range index


def diffusion(u0, c):
    u = u0
    for _ in range(4):
        lap = np.roll(u, 1, axis=0) + np.roll(u, -1, axis=1) - 2 * u
        u = u + c * lap - 0.01 * u ** 3
    return np.sum(u * u)


def shared(x, w):
    """An adjoint summed from arithmetic (one expression, `transforms.algebra`) and from a roll's
    adjoint, which is no arithmetic: that one is added in place, `d_y += np.roll(...)`."""
    y = x * 2.0
    z = y + np.roll(y, 1) * w
    a = y @ w
    return np.sum(z * y) + a * 3.0


@pytest.mark.parametrize("f", [diffusion, shared], ids=lambda f: f.__name__)
def test_in_code_for_known_shapes_sums_into_an_adjoint_are_written_into_it(f):
    rng = np.random.default_rng(5)
    args = [rng.normal(size=(5, 4)), 0.2] if f is diffusion else [rng.normal(size=4), rng.normal(size=4)]
    g = s2s.grad(f, wrt=0)
    for _ in range(3):   # the general code, then the code for these shapes
        np.testing.assert_allclose(g(*args), numerical_grad(f, args, 0), rtol=1e-6, atol=1e-8)
    text = s2s.source(g, like=args)
    assert "d_u += " in text if f is diffusion else "d_y += " in text
    assert "+= " not in s2s.source(g)   # the general code: shapes are not known, no update in place
    v = rng.normal(size=np.shape(args[0]))
    eps = 1e-5
    numeric = (g(args[0] + eps * v, *args[1:]) - g(args[0] - eps * v, *args[1:])) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(f, wrt=0)(*args, v), numeric, rtol=1e-5, atol=1e-7)


def branch_copies(x, w, flag):
    """In a branch, `b = a + x` passes d_b on as copies (d_a = d_b, d_x = d_b: one array); after the
    branch, `d_x = d_x + d_a * w` must not write into that array, which d_a still names."""
    a = x * w
    if flag > 0:
        b = a + x
    else:
        b = a * 2.0 + x
    return np.sum(b * b)


def test_an_adjoint_that_shares_its_array_with_another_is_not_updated_in_place():
    rng = np.random.default_rng(7)
    for flag in (1.0, -1.0):
        args = [rng.normal(size=3), rng.normal(size=3), flag]
        g = s2s.grad(branch_copies, wrt=(0, 1))
        for _ in range(3):   # the general code, then the code for these shapes
            for got, expected in zip(g(*args), [numerical_grad(branch_copies, args, k) for k in (0, 1)]):
                np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["one_loop", "nested", "two_writes"])
@pytest.mark.parametrize("checkpoint", [None, True])
def test_an_element_overwritten_in_a_range_loop_is_restored_at_its_own_trip(name, checkpoint):
    import corpus_issue12_seed1511 as corpus
    f = getattr(corpus, name)
    x, y = 0.3, np.array([-1.851681, 0.0568, 0.0891])
    g = s2s.grad(f, wrt=(0, 1), checkpoint=checkpoint)
    for _ in range(2):   # general code, then code for these shapes
        for k, got in enumerate(g(x, y)):
            np.testing.assert_allclose(got, numerical_grad(f, [x, y], k), rtol=1e-6, atol=1e-9)
    hx = s2s.hvp(f, wrt=0)(x, y, 1.0)
    eps = 1e-5
    fd = (s2s.grad(f, wrt=0)(x + eps, y) - s2s.grad(f, wrt=0)(x - eps, y)) / (2 * eps)
    np.testing.assert_allclose(hx, fd, rtol=1e-5, atol=1e-8)


def test_the_seed_1511_program_has_the_gradient_of_finite_differences():
    import corpus_issue12_seed1511 as corpus
    x, y, n = 0.0135, np.array([-1.851681, 0.0568, 0.0891]), 1
    got = s2s.grad(corpus.f, wrt=(0, 1))(x, y, n)
    for k in (0, 1):
        np.testing.assert_allclose(got[k], numerical_grad(corpus.f, [x, y, n], k), rtol=1e-6, atol=1e-9)


def smoothed(u):
    p = u * 1.0
    for _ in range(4):
        p = (np.roll(p, 1) + np.roll(p, -1)) / 2.0 + 0.1 * u
    return np.sum(p * p)


def test_a_rolled_cotangent_is_a_new_array_summed_into_in_place():
    u = np.linspace(-1.0, 1.0, 6)
    text = s2s.source(s2s.grad(smoothed), like=(u,))
    assert "d_p = np.roll(" in text and "d_p += np.roll(" in text, text   # (np.roll copies: d_p owns it)
    g = s2s.grad(smoothed)
    for _ in range(2):   # the general code, then the code for this shape
        np.testing.assert_allclose(g(u.copy()), numerical_grad(smoothed, [u], 0), rtol=1e-6)


def layers(params, x):
    """autograd's way: a list of (weights, bias) tuples, read one entry per trip."""
    for W, b in params:
        x = np.tanh(x @ W + b)
    return np.sum(x * x)


def named(params, x):
    """A dict of parameters read by key in a loop, and a slice of a list."""
    for key in ("a", "b"):
        x = np.sin(x * params[key])
    return np.sum(x) + sum(params["c"][1:])


def test_a_loop_over_a_list_of_parameters_adds_each_entrys_cotangent_alone():
    rng = np.random.default_rng(3)
    params = [(rng.normal(size=(3, 4)), rng.normal(size=4)), (rng.normal(size=(4, 2)), rng.normal(size=2))]
    x = rng.normal(size=(5, 3))
    got = s2s.grad(layers)(params, x)
    flat = np.concatenate([a.ravel() for layer in params for a in layer])

    def of_flat(v):
        out, k = [], 0
        for W, b in params:
            out.append((v[k:k + W.size].reshape(W.shape), v[k + W.size:k + W.size + b.size]))
            k += W.size + b.size
        return layers(out, x)
    expected = numerical_grad(of_flat, [flat], 0)
    np.testing.assert_allclose(np.concatenate([a.ravel() for layer in got for a in layer]), expected, rtol=1e-6)
    params = {"a": rng.normal(size=3), "b": rng.normal(size=3), "c": [0.5, -1.0, 2.0]}
    got = s2s.grad(named)(params, rng.normal(size=3))
    assert list(got["c"]) == [0.0, 1.0, 1.0]


def test_add_at_into_a_container_makes_no_cotangent_of_the_other_entries():
    """`add_at` on the cotangent of a list, tuple or dict adds at one entry and keeps the others as
    they are: making zeros for every other entry (each a layer's weights) at every trip made a loop
    over a list of parameters quadratic in their number."""
    from s2s.runtime import add_at, unindex, zeros_like
    params = [(np.ones((3, 2)), np.ones(2)), (np.ones((2, 1)), np.ones(1)), (np.ones((1, 1)), np.ones(1))]
    g = (np.full((2, 1), 2.0), np.full(1, 3.0))
    for index in (1, -2, slice(1, 2)):
        d = zeros_like(params)
        expected = d + unindex([g] if isinstance(index, slice) else g, params, index)
        out = add_at(d, params, index, [g] if isinstance(index, slice) else g)
        assert out[0] is d[0] and out[2] is d[2]
        for a, b in zip(out, expected):
            for u, v in zip(a, b):
                np.testing.assert_array_equal(u, v)
    tree = {"w": np.ones(3), "c": 2.0}
    d = zeros_like(tree)
    out = add_at(d, tree, "c", 1.5)
    assert out["w"] is d["w"] and out["c"] == 1.5 and d["c"] == 0.0


def penalised(params, x):
    """The last layer read on its own (`W, b = params[-1]`), then a loop over every layer: the
    backward sweep adds the last layer's cotangent into the list's that the loop's made, which is
    not owned."""
    W, b = params[-1]
    value = np.sum(np.tanh(x @ W + b) ** 2)
    penalty = 0.0
    for W, b in params:
        penalty = penalty + np.sum(W * W)
    return value + 0.1 * penalty


def test_a_sum_into_a_cotangent_seen_elsewhere_adds_at_one_entry_as_a_new_value():
    rng = np.random.default_rng(4)
    params = [(rng.normal(size=(3, 3)), rng.normal(size=3)), (rng.normal(size=(3, 2)), rng.normal(size=2))]
    x = rng.normal(size=(4, 3))
    g = s2s.grad(penalised)
    assert "d_params = added_at(d_params, params, -1, " in s2s.source(g)
    got = g(params, x)
    for k, (W, b) in enumerate(params):
        for j, leaf in enumerate((W, b)):
            def of_leaf(v, k=k, j=j):
                layers = [list(layer) for layer in params]
                layers[k][j] = v
                return penalised([tuple(layer) for layer in layers], x)
            np.testing.assert_allclose(got[k][j], numerical_grad(of_leaf, [leaf], 0), rtol=1e-6, atol=1e-9)
    from s2s.runtime import added_at, unindex, zeros_like
    d = zeros_like(params)
    out = added_at(d, params, -1, (np.ones((3, 2)), np.ones(2)))
    assert out is not d and out[0] is d[0] and np.all(d[1][0] == 0.0) and np.all(out[1][0] == 1.0)
    y = np.ones(3)
    np.testing.assert_array_equal(added_at(np.zeros(3), y, 1, 2.0), np.zeros(3) + unindex(2.0, y, 1))
