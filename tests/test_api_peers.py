"""The API of the peers: argnums=, has_aux=, elementwise_grad, bound methods, lambdas and closures
built at run time -- each derivative checked against finite differences or an analytic value."""
import dataclasses

import numpy as np
import pytest

import s2s
from oracles import numerical_grad


def loss_with_aux(w, x):
    pred = np.tanh(x @ w)
    loss = np.sum(pred ** 2)
    return loss, {"pred": pred, "n": len(x)}


def two_args(a, b):
    return a * b ** 3


W = np.array([0.3, -0.2, 0.5])
X = np.random.default_rng(0).standard_normal((4, 3))


def test_argnums_is_an_alias_of_wrt():
    assert np.isclose(s2s.grad(two_args, argnums=1)(2.0, 1.5), 3 * 2.0 * 1.5 ** 2)
    ga, gb = s2s.grad(two_args, argnums=(0, 1))(2.0, 1.5)
    assert np.isclose(ga, 1.5 ** 3) and np.isclose(gb, 3 * 2.0 * 1.5 ** 2)
    assert np.isclose(s2s.jvp(two_args, argnums=1)(2.0, 1.5, 1.0)[1], 3 * 2.0 * 1.5 ** 2)
    with pytest.raises(s2s.S2SError, match="give one of"):
        s2s.grad(two_args, wrt=1, argnums=1)


def test_has_aux_returns_the_gradient_and_the_aux():
    g, aux = s2s.grad(loss_with_aux, has_aux=True)(W, X)
    assert np.allclose(g, numerical_grad(lambda w, x: loss_with_aux(w, x)[0], (W, X), 0), rtol=1e-6)
    assert np.allclose(aux["pred"], np.tanh(X @ W)) and aux["n"] == 4


def test_value_and_grad_with_has_aux():
    (value, aux), g = s2s.value_and_grad(loss_with_aux, has_aux=True)(W, X)
    assert np.isclose(value, loss_with_aux(W, X)[0])
    assert np.allclose(aux["pred"], np.tanh(X @ W))
    assert np.allclose(g, numerical_grad(lambda w, x: loss_with_aux(w, x)[0], (W, X), 0), rtol=1e-6)


def test_has_aux_with_a_loop_and_a_tuple_wrt():
    def f(w, x):
        h = x
        for _ in range(3):
            h = np.sin(h * w)
        return np.sum(h), h
    (gw, gx), aux = s2s.grad(f, wrt=(0, 1), has_aux=True)(W, X)
    assert np.allclose(gw, numerical_grad(lambda w, x: f(w, x)[0], (W, X), 0), rtol=1e-5)
    assert np.allclose(gx, numerical_grad(lambda w, x: f(w, x)[0], (W, X), 1), rtol=1e-5)
    assert np.allclose(aux, f(W, X)[1])


def test_has_aux_needs_a_pair():
    def f(x):
        return x * 2.0
    with pytest.raises(Exception):
        s2s.grad(f, has_aux=True)(1.0)


def test_elementwise_grad_is_the_derivative_of_each_entry():
    def f(x):
        return np.tanh(x) * x
    x = np.linspace(-2.0, 2.0, 7)
    expected = (1 - np.tanh(x) ** 2) * x + np.tanh(x)
    assert np.allclose(s2s.elementwise_grad(f)(x), expected)
    assert np.isclose(s2s.elementwise_grad(f)(0.5), expected[0] * 0 + (1 - np.tanh(0.5) ** 2) * 0.5 + np.tanh(0.5))


class Model:
    def __init__(self, scale):
        self.scale = scale

    def forward(self, w, x):
        return np.tanh(x @ w) * self.scale

    def penalty(self, w):
        return 0.1 * np.sum(w ** 2)

    def loss(self, w, x):
        return np.sum(self.forward(w, x) ** 2) + self.penalty(w)


class Scaled(Model):
    def penalty(self, w):   # a subclass: its own method is the one called
        return np.sum(w ** 4)


def test_grad_of_a_bound_method_calls_the_methods_of_self():
    for model in (Model(2.0), Scaled(2.0)):
        g = s2s.grad(model.loss)(W, X)
        assert np.allclose(g, numerical_grad(model.loss, (W, X), 0), rtol=1e-6)
        gx = s2s.grad(model.loss, wrt=1)(W, X)
        assert np.allclose(gx, numerical_grad(model.loss, (W, X), 1), rtol=1e-6)


def test_jvp_and_hvp_of_a_bound_method():
    model = Scaled(1.5)
    v = np.array([1.0, -1.0, 0.5])
    value, tangent = s2s.jvp(model.loss)(W, X, v)
    assert np.isclose(value, model.loss(W, X))
    assert np.isclose(tangent, numerical_grad(model.loss, (W, X), 0) @ v, rtol=1e-6)
    df = s2s.grad(model.loss)
    eps = 1e-5
    numeric = (df(W + eps * v, X) - df(W - eps * v, X)) / (2 * eps)
    assert np.allclose(s2s.hvp(model.loss)(W, X, v), numeric, rtol=1e-5, atol=1e-7)


def test_a_bound_method_reads_attributes_of_its_instance_when_it_runs():
    model = Model(2.0)
    g = s2s.grad(model.loss)
    model.scale = 3.0
    assert np.allclose(g(W, X), numerical_grad(model.loss, (W, X), 0), rtol=1e-6)


def make_scaled_sine(a):
    return lambda x: a * np.sin(x)


def test_grad_of_a_lambda_and_of_a_lambda_made_by_a_factory():
    assert s2s.grad(lambda x: x ** 3)(2.0) == pytest.approx(12.0)
    g = make_scaled_sine(2.5)
    assert s2s.grad(g)(0.3) == pytest.approx(2.5 * np.cos(0.3))
    h = make_scaled_sine(-1.0)
    assert s2s.grad(h)(0.3) == pytest.approx(-np.cos(0.3))
    assert s2s.jvp(g)(0.3, 2.0)[1] == pytest.approx(2 * 2.5 * np.cos(0.3))
    assert s2s.hvp(g)(0.3, 1.0) == pytest.approx(-2.5 * np.sin(0.3))


def test_lambdas_on_one_line_are_told_apart_by_their_parameters():
    f, g = (lambda x: x ** 2), (lambda y: y ** 3)
    assert s2s.grad(f)(2.0) == pytest.approx(4.0)
    assert s2s.grad(g)(2.0) == pytest.approx(12.0)


def test_lambdas_on_one_line_that_look_alike_are_refused():
    f, g = (lambda x: x ** 2), (lambda x: x ** 3)
    with pytest.raises(s2s.SourceError, match="2 lambdas on line"):
        s2s.grad(f)


def test_a_primitive_with_a_rule_is_differentiated_directly():
    assert s2s.grad(np.sin)(0.5) == pytest.approx(np.cos(0.5))
    assert np.allclose(s2s.elementwise_grad(np.tanh)(np.linspace(-1, 1, 5)), 1 - np.tanh(np.linspace(-1, 1, 5)) ** 2)
    assert np.allclose(s2s.grad(np.sum)(np.ones((2, 3))), np.ones((2, 3)))
    assert s2s.grad(np.hypot, wrt=1)(3.0, 4.0) == pytest.approx(0.8)
    a = np.array([[2.0, 1.0], [0.5, 3.0]])
    assert np.allclose(s2s.grad(np.linalg.det)(a), np.linalg.det(a) * np.linalg.inv(a).T)
    assert s2s.hvp(np.sin)(0.5, 1.0) == pytest.approx(-np.sin(0.5))
    assert "np.sin(x)" in s2s.source(s2s.grad(np.sin))


def test_an_unbound_method_resolves_methods_of_self_in_the_class_it_is_called_with():
    dloss = s2s.grad(Model.loss, wrt=1)
    for model in (Model(2.0), Scaled(2.0), Model(0.5)):   # Scaled overrides `penalty`
        assert np.allclose(dloss(model, W, X), numerical_grad(model.loss, (W, X), 0), rtol=1e-6)
    assert "def grad_loss(self, w, x)" in s2s.source(dloss)


@dataclasses.dataclass
class Linear:
    w: np.ndarray
    b: float

    def predict(self, x):
        return x @ self.w + self.b

    def loss(self, x):
        return np.sum(self.predict(x) ** 2)


def test_a_dataclass_instance_as_self_is_a_parameter_tree():
    model = Linear(W.copy(), 0.3)
    g = s2s.grad(Linear.loss)(model, X)
    assert type(g) is Linear
    eps = 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = eps
        numeric = (Linear(W + e, 0.3).loss(X) - Linear(W - e, 0.3).loss(X)) / (2 * eps)
        assert g.w[k] == pytest.approx(numeric, rel=1e-6)
    assert g.b == pytest.approx((Linear(W, 0.3 + eps).loss(X) - Linear(W, 0.3 - eps).loss(X)) / (2 * eps), rel=1e-6)


class Decorated:
    def __init__(self, k):
        self.k = k

    @s2s.differentiate
    def energy(self, x):
        return self.k * np.sum(x ** 2)


def test_a_decorated_method_is_differentiated_as_the_bound_method():
    obj = Decorated(3.0)
    x = np.array([1.0, -2.0])
    assert obj.energy(x) == pytest.approx(15.0)
    assert np.allclose(obj.energy.grad(x), 6.0 * x)
    value, g = obj.energy.value_and_grad(x)
    assert value == pytest.approx(15.0) and np.allclose(g, 6.0 * x)


def test_a_partial_is_differentiated_with_its_arguments_bound():
    import functools

    def f(a, x, power=2.0):
        return a * np.sum(x ** power)
    x = np.array([1.0, 2.0])
    g = s2s.grad(functools.partial(f, 3.0))
    assert np.allclose(g(x), 6.0 * x)
    assert np.allclose(s2s.grad(functools.partial(f, 3.0, power=3.0))(x), 9.0 * x ** 2)
    assert np.allclose(s2s.grad(functools.partial(f, power=3.0), wrt=1)(2.0, x), 6.0 * x ** 2)
    value, tangent = s2s.jvp(functools.partial(f, 3.0, power=3.0))(x, np.array([1.0, 0.0]))
    assert value == pytest.approx(27.0) and tangent == pytest.approx(9.0)
    assert np.allclose(s2s.vjp(functools.partial(f, 2.0))(x, 1.0), 4.0 * x)


def _tanh_by_exp(x):
    y = np.exp(-2.0 * x)
    return (1.0 - y) / (1.0 + y)


def test_elementwise_grad_differentiates_again_as_in_autograds_tanh_example():
    x = np.linspace(-2.0, 2.0, 5)
    t = np.tanh(x)
    egrad = s2s.elementwise_grad
    assert np.allclose(egrad(egrad(np.tanh))(x), -2 * t * (1 - t ** 2))
    d3 = egrad(egrad(egrad(_tanh_by_exp)))
    h = 1e-5
    numeric = (d3(x + h) - d3(x - h)) / (2 * h)   # the fourth derivative, by differences of the third
    assert np.allclose(egrad(d3)(x), numeric, rtol=1e-5, atol=1e-6)
    assert np.allclose(d3(x), (1 - t ** 2) * (6 * t ** 2 - 2))


def test_argnum_is_autograds_alias_of_wrt():
    assert np.isclose(s2s.grad(two_args, argnum=1)(2.0, 1.5), 3 * 2.0 * 1.5 ** 2)


def test_a_library_function_with_a_rule_and_a_one_entry_output_and_a_list_argument():
    scipy_special = pytest.importorskip("scipy.special")
    x = np.array([1.0, 2.0])
    assert np.allclose(s2s.grad(scipy_special.logsumexp)(x), np.exp(x) / np.sum(np.exp(x)))

    def one_entry(x):
        return np.sin(x) * 2
    assert np.allclose(s2s.grad(one_entry)(np.array([0.5])), [2 * np.cos(0.5)])

    def of_a_list(xs):
        return np.sum(np.array(xs) ** 2)
    assert s2s.grad(of_a_list)([1.0, 2.0]) == [2.0, 4.0]
    assert s2s.grad(of_a_list)((1.0, 2.0)) == (2.0, 4.0)

    def two_entries(x):
        return x * np.ones(2)
    with pytest.raises(s2s.OutputShapeError, match="returns a scalar"):
        s2s.grad(two_entries)(1.0)


def test_hessian_vector_product_is_autograds_name_of_hvp():
    def f(x):
        return np.sum(x ** 3)
    x, v = np.array([1.0, -2.0]), np.array([0.5, 1.0])
    assert np.allclose(s2s.hessian_vector_product(f)(x, v), 6 * x * v)
