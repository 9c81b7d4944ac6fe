"""Derivatives of NumPy code evaluated on dask arrays (issue 14): lazy, quiet, and right.

Each function below is ordinary NumPy code. Called on chunked dask arrays, its gradient (and
value_and_grad, vjp, jvp, hvp) must

- be a dask array itself, not computed: no dask computation runs while it is made (a dask
  callback counts them), and a full reduction gives a 0-d dask array;
- raise no warning (dask warns, and computes, where a NumPy function it does not implement
  is called on its arrays);
- equal, once computed (threaded scheduler), the derivative of the same function at the same
  point in NumPy arrays, which is checked here against central differences (`tests.oracles`).

Every derivative is called twice: the second call runs the code s2s makes for the arguments'
types at a signature's second call (`s2s.specialised`).
"""
import contextlib
import warnings

import numpy as np
import pytest

import s2s
from oracles import numerical_grad

da = pytest.importorskip("dask.array")
from dask.callbacks import Callback  # noqa: E402


# ---- the functions (module level: s2s reads their source) ----

def elementwise(x):
    return np.sum(np.sin(x) * np.exp(x) + x ** 2 / (1 + x * x) - np.tanh(x) * np.log1p(x * x))


def reductions(x):
    return (np.sum(np.mean(x, axis=0, keepdims=True) ** 2) + np.max(x) + np.sum(np.var(x, axis=1))
            + np.std(x) + np.sum(np.min(x, axis=1, keepdims=True) * x) + x.mean() * x.sum(axis=0)[1])


def products(x, w):
    return np.sum(np.tanh(x @ w)) + np.dot(np.dot(x.T, x @ w), w) + np.sum(x.T @ x)


def broadcasting(x, b):
    return np.sum((x + b) * b - x / (1 + b * b)) + np.sum(x * b[0, 1:3].sum())


def indexing(x):
    return (np.sum(x[1:4, ::2] ** 2) + x[0, 1] * x[2, 3] + np.sum(np.sin(x[:, -1]))
            + np.sum(x[[0, 2]] * x[np.array([3, 5])]) + np.sum(x[..., 1:] * x[..., :-1]))


def where(x):
    return np.sum(np.where(x > 0, x, 0.1 * x) * np.maximum(x, 0.5) + np.abs(x) * np.clip(x, -0.5, 0.5))


def joining(x):
    both = np.concatenate([x, 2 * x ** 2], axis=1)
    pairs = np.stack([x, x * x], axis=-1) * np.cos(x)[..., None]
    return np.sum(both ** 2) + np.sum(pairs) + np.sum(np.vstack([x, x]).T @ np.hstack([x[:, 0], x[:, 1]]))


def recurrence(x, w):
    h = x[0]
    for t in range(1, 4):
        h = np.tanh(h * w + x[t])
    return np.sum(h * h)


def logistic_loss(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, -y * z)) + 0.01 * np.sum(w * w)


def elementwise_out(x):
    return np.sin(x) * x + np.mean(x, axis=0)


rng = np.random.default_rng(14)
X = rng.standard_normal((6, 4))
W = rng.standard_normal(4)
B = rng.standard_normal((1, 4))
Y = np.sign(rng.standard_normal(6))

CASES = {   # name: (function, NumPy arguments, wrt)
    "elementwise": (elementwise, (X,), 0),
    "reductions": (reductions, (X,), 0),
    "products": (products, (X, W), (0, 1)),
    "broadcasting": (broadcasting, (X, B), (0, 1)),
    "indexing": (indexing, (X,), 0),
    "where": (where, (X,), 0),
    "joining": (joining, (X,), 0),
    "recurrence": (recurrence, (X, W), (0, 1)),
    "logistic_loss": (logistic_loss, (W, X, Y), (0, 1)),
}


# ---- helpers ----

def chunked(a):
    """`a` as a dask array of about two chunks per axis."""
    return da.from_array(a, chunks=tuple(max(1, (n + 1) // 2) for n in a.shape))


@contextlib.contextmanager
def lazily():
    """No warning, and no dask computation, inside."""
    computations = []
    with warnings.catch_warnings(), Callback(start=lambda dsk: computations.append(dsk)):
        warnings.simplefilter("error")
        yield
    assert not computations, "a dask computation ran while the derivative was made"


def computed(value):
    assert isinstance(value, da.Array), f"not a dask array: {type(value).__name__}"
    return value.compute(scheduler="threads")


def as_tuple(g, wrt):
    return g if isinstance(wrt, tuple) else (g,)


def numpy_gradient(f, args, wrt):
    """s2s's gradient of `f` in NumPy arrays, checked against central differences."""
    g = as_tuple(s2s.grad(f, wrt)(*args), wrt)
    for i, gi in zip(wrt if isinstance(wrt, tuple) else (wrt,), g):
        np.testing.assert_allclose(gi, numerical_grad(f, args, i), rtol=1e-6, atol=1e-8)
    return g


# ---- gradients ----

@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_of_dask_arrays_is_lazy_and_equals_numpys(name):
    f, args, wrt = CASES[name]
    expected = numpy_gradient(f, args, wrt)
    grad = s2s.grad(f, wrt)
    lazy = [chunked(a) for a in args]
    for _ in range(2):   # the general code, then the code made for these arguments' types
        with lazily():
            g = as_tuple(grad(*lazy), wrt)
        for gi, ei, i in zip(g, expected, wrt if isinstance(wrt, tuple) else (wrt,)):
            assert gi.shape == args[i].shape and gi.dtype == args[i].dtype
            np.testing.assert_allclose(computed(gi), ei, rtol=1e-12, atol=1e-12)


def test_value_and_grad_give_a_0d_dask_value():
    lazy = chunked(X)
    with lazily():
        value, g = s2s.value_and_grad(reductions)(lazy)
    assert value.shape == ()
    np.testing.assert_allclose(computed(value), reductions(X), rtol=1e-12)
    np.testing.assert_allclose(computed(g), numpy_gradient(reductions, (X,), 0)[0], rtol=1e-12)


def test_numpy_parameters_and_dask_data_give_a_dask_gradient():
    """The usual split: small parameters in NumPy, the data in dask; the gradient is lazy."""
    expected = numpy_gradient(logistic_loss, (W, X, Y), 0)[0]
    grad = s2s.grad(logistic_loss)
    for _ in range(3):
        with lazily():
            g = grad(W, chunked(X), chunked(Y))
        np.testing.assert_allclose(computed(g), expected, rtol=1e-12)


def test_float32_dask_arguments_keep_float32():
    x = X.astype(np.float32)
    with lazily():
        g = s2s.grad(elementwise)(chunked(x))
    assert g.dtype == np.float32
    np.testing.assert_allclose(computed(g), numpy_gradient(elementwise, (X,), 0)[0], rtol=1e-4)


# ---- vjp, jvp, hvp ----

def test_vjp_of_an_array_output():
    seed = rng.standard_normal(X.shape)
    expected = s2s.vjp(elementwise_out)(X, seed)
    # the oracle: <seed, f(x)> has gradient vjp(x, seed)
    np.testing.assert_allclose(expected, numerical_grad(lambda x: np.sum(seed * elementwise_out(x)), (X,), 0),
                               rtol=1e-6, atol=1e-8)
    with lazily():
        g = s2s.vjp(elementwise_out)(chunked(X), chunked(seed))
        ones = s2s.elementwise_grad(elementwise_out)(chunked(X))   # the vjp of a seed of ones
    np.testing.assert_allclose(computed(g), expected, rtol=1e-12)
    np.testing.assert_allclose(computed(ones), numerical_grad(lambda x: np.sum(elementwise_out(x)), (X,), 0),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["elementwise", "reductions", "recurrence", "logistic_loss"])
def test_jvp_is_lazy_and_equals_the_directional_derivative(name):
    f, args, _ = CASES[name]
    tangent = rng.standard_normal(args[0].shape)
    eps = 1e-6
    rest = list(args[1:])
    expected = (f(args[0] + eps * tangent, *rest) - f(args[0] - eps * tangent, *rest)) / (2 * eps)
    with lazily():
        value, t = s2s.jvp(f)(*map(chunked, args), chunked(tangent))
    np.testing.assert_allclose(computed(value), f(*args), rtol=1e-12)
    np.testing.assert_allclose(computed(t), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["elementwise", "logistic_loss", "recurrence"])
def test_hvp_is_lazy_and_equals_differences_of_the_gradient(name):
    f, args, _ = CASES[name]
    v = rng.standard_normal(args[0].shape)
    eps = 1e-6
    grad = s2s.grad(f)
    rest = list(args[1:])
    expected = (grad(args[0] + eps * v, *rest) - grad(args[0] - eps * v, *rest)) / (2 * eps)
    np.testing.assert_allclose(grad(*args), numerical_grad(f, args, 0), rtol=1e-6, atol=1e-8)
    with lazily():
        hv = s2s.hvp(f)(*map(chunked, args), chunked(v))
    np.testing.assert_allclose(computed(hv), expected, rtol=1e-5, atol=1e-7)


# ---- what is refused, rather than computed wrong or in NumPy ----

def test_integer_and_complex_dask_arguments_are_refused():
    with pytest.raises(s2s.IntegerArgumentError):
        s2s.grad(elementwise)(da.arange(6, chunks=3))
    with pytest.raises(s2s.ComplexArgumentError):
        s2s.grad(elementwise)(chunked(X).astype(complex))
    with pytest.raises(s2s.ComplexArgumentError):
        s2s.grad(logistic_loss)(W, chunked(X), chunked(Y).astype(complex))


def repeated_read(x):
    return np.sum(x[[0, 0, 1]] ** 2)


def test_an_entry_read_twice_through_an_index_array_raises_on_dask():
    """dask cannot add a cotangent at repeated indices (it has no `np.add.at`): an S2SError that
    names the helper, never a wrong gradient. NumPy's gradient of the same read is right."""
    np.testing.assert_allclose(s2s.grad(repeated_read)(X), numerical_grad(repeated_read, (X,), 0), atol=1e-8)
    with pytest.raises(s2s.S2SError, match="unindex"):
        s2s.grad(repeated_read)(chunked(X))


def two_selects(x, y):
    return np.sum(np.select([x > 0.5, x < -0.5], [x * y, y], 2.0) * y)


def test_select_is_right_on_dask():
    """dask names every result of its np.select "select", so two in one graph are taken for one: the
    rules of np.select make theirs of np.where (`select_of`), and the gradient stays right."""
    x, y = X[:, 0] * 2, X[:, 1]
    expected = numpy_gradient(two_selects, (x, y), (0, 1))
    with lazily():
        g = s2s.grad(two_selects, (0, 1))(chunked(x), chunked(y))
    for gi, ei in zip(g, expected):
        np.testing.assert_allclose(computed(gi), ei, rtol=1e-12)


def cholesky_logdet(b):
    a = b @ b.T + 4.0 * np.eye(4)
    return 2.0 * np.sum(np.log(np.diagonal(np.linalg.cholesky(a))))


def test_cholesky_of_dask_arrays_is_refused():
    """dask's np.linalg.cholesky gives the upper triangular factor where NumPy's gives the lower one:
    NumPy's rule would be wrong there, so s2s raises (and is right on NumPy arrays)."""
    b = X[:4]
    np.testing.assert_allclose(s2s.grad(cholesky_logdet)(b), numerical_grad(cholesky_logdet, (b,), 0), rtol=1e-6)
    with pytest.raises(s2s.S2SError, match="lower_factor"):
        s2s.grad(cholesky_logdet)(da.from_array(b, chunks=2))
