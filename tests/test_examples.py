"""The worked examples run, and their own checks hold."""
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import s2s

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name, tmp_path):
    result = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_newton_cg_converges_faster_than_gradient_descent(tmp_path):
    out = run("newton_cg.py", tmp_path)
    assert float(re.search(r"max \|p_cg - solve\(hessian, g\)\| = (\S+)", out).group(1)) < 1e-10
    newton, descent = map(int, re.search(r"1e-08 of Newton's final loss: Newton-CG (\d+) steps, gradient descent (\d+)",
                                         out).groups())
    assert newton < 10 < descent


def test_gauss_newton_products_match_the_formed_matrix(tmp_path):
    out = run("gauss_newton.py", tmp_path)
    assert float(re.search(r"max relative error over the vectors: (\S+)", out).group(1)) < 1e-10
    assert "G positive semidefinite (smallest eigenvalue >= -1e-10): True" in out


# ---------------------------------------------------------------------------------------------------------------
# autograd's end-to-end examples, rewritten for s2s with only their imports changed (examples/neural_net.py, ...).
# Each runs at its small size; its gradient -- made by the `grad` / `value_and_grad` the example itself imports --
# is checked against central differences along random directions, and its own claim (training helps) is checked.
# The check_* functions use only what the example module provides, so the same checks run on a copy of the
# examples whose imports are swapped back to autograd (how the programs and these checks were validated).

def example(name):
    """Import examples/<name>.py as the module `name` (the examples import each other by plain name)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return importlib.import_module(name)


def tree_map(f, *trees):
    """Apply f leafwise over lists, tuples (namedtuples too) and dicts of arrays."""
    first = trees[0]
    if isinstance(first, dict):
        assert all(isinstance(t, dict) and t.keys() == first.keys() for t in trees), [type(t) for t in trees]
        return {k: tree_map(f, *(t[k] for t in trees)) for k in first}
    if isinstance(first, (list, tuple)):
        assert all(type(t) is type(first) and len(t) == len(first) for t in trees), [type(t) for t in trees]
        items = [tree_map(f, *parts) for parts in zip(*trees)]
        return type(first)(*items) if hasattr(first, "_fields") else type(first)(items)
    return f(*trees)


def tree_sum(tree):
    if isinstance(tree, dict):
        return sum(tree_sum(v) for v in tree.values())
    if isinstance(tree, (list, tuple)):
        return sum(tree_sum(v) for v in tree)
    return float(tree)


def check_gradient(f, gradient, x, directions=3, eps=1e-6, rtol=1e-5, seed=0):
    """<gradient, d> against (f(x + eps d) - f(x - eps d)) / 2 eps on random directions d; the gradient has x's
    structure (a list of tuples gets a list of tuples, a dict a dict) and each leaf x's leaf's shape."""
    tree_map(lambda g, leaf: np.testing.assert_equal(np.shape(g), np.shape(leaf)), gradient, x)
    rng = np.random.default_rng(seed)
    for _ in range(directions):
        d = tree_map(lambda leaf: rng.standard_normal(np.shape(leaf)), x)
        plus = f(tree_map(lambda leaf, step: leaf + eps * step, x, d))
        minus = f(tree_map(lambda leaf, step: leaf - eps * step, x, d))
        numeric = (plus - minus) / (2 * eps)
        analytic = tree_sum(tree_map(lambda g, step: np.sum(g * step), gradient, d))
        assert abs(analytic - numeric) <= rtol * max(1.0, abs(numeric)), (analytic, numeric)


def check_optimizers(mod):
    # minimise sum (x - target)^2 over a tree; the gradient is written by hand (no differentiation here)
    target = {"a": [np.array([1.0, -2.0]), (3.0, np.full((2, 2), 0.5))], "b": np.array(-1.0)}
    start = tree_map(np.zeros_like, target)
    gradient = lambda x, i: tree_map(lambda xi, ti: 2 * (xi - ti), x, target)
    seen = []
    for optimize, options in [(mod.adam, dict(step_size=0.1, num_iters=300)), (mod.sgd, dict(step_size=0.5, num_iters=300)),
                              (mod.rmsprop, dict(step_size=0.01, num_iters=400))]:
        result = optimize(gradient, start, callback=lambda x, i, g: seen.append((x, g)), **options)
        tree_map(lambda r, t: np.testing.assert_allclose(r, t, atol=0.02), result, target)
    x, g = seen[-1]
    tree_map(lambda a, b: None, x, target)        # the callback sees trees of the structure of x
    tree_map(lambda a, b: None, g, target)
    vector, unflatten = mod.flatten(target)
    assert vector.shape == (8,)
    tree_map(lambda a, b: np.testing.assert_array_equal(a, b), unflatten(vector), target)


def test_optimizers_step_trees_of_arrays():
    check_optimizers(example("optimizers"))


def check_neural_net(mod):
    objective, objective_grad, init_params, optimized_params, accuracies = mod.main(small=True)
    assert type(init_params) is list and all(type(layer) is tuple for layer in init_params)
    for params in (init_params, optimized_params):
        for batch in (0, 3):
            check_gradient(lambda p: objective(p, batch), objective_grad(params, batch), params)
    first_train, first_test = accuracies[0]
    train, test = accuracies[-1]
    assert train > 0.7 and train > first_train + 0.3 and test > first_test + 0.2, accuracies


def test_neural_net_trained_with_adam_on_a_list_of_tuples():
    check_neural_net(example("neural_net"))


def check_recurrent(mod):
    training_loss, training_loss_grad, init_params, trained_params, losses = mod.main(small=True)
    assert type(init_params) is dict
    for params in (init_params, trained_params):
        check_gradient(lambda p: training_loss(p, 0), training_loss_grad(params, 0), params)
    assert losses[-1] < losses[0] - 2.0 and losses == sorted(losses, reverse=True), losses


def test_rnn_character_model():
    check_recurrent(example("rnn"))


def test_lstm_character_model():
    check_recurrent(example("lstm"))


def check_gaussian_process(mod):
    objective, predict, X, y, init_params, result, log_likelihoods = mod.main(small=True)
    objective_with_grad = mod.value_and_grad(objective)
    for params in (init_params, result.x):
        value, gradient = objective_with_grad(params)
        assert np.isclose(value, objective(params), rtol=1e-12)
        check_gradient(objective, gradient, params)
    assert np.linalg.norm(objective_with_grad(result.x)[1]) < 1e-3       # minimize converged: a stationary point
    assert -result.fun > -objective(init_params) + 5.0 and np.isclose(log_likelihoods[-1], -result.fun)
    mean, cov = predict(result.x, X, y, X)
    assert np.max(np.abs(mean - y)) < 0.3 and np.all(np.diag(cov) > 0)   # the posterior mean follows the data


def test_gaussian_process_with_scipy_stats():
    check_gaussian_process(example("gaussian_process"))


def check_black_box_svi(mod):
    objective, gradient, unpack_params, init_params, fitted_params, bounds = mod.main(small=True)
    # the objective draws fresh samples on every call from the RandomState in its closure: replay one draw
    rs = inspect.getclosurevars(objective).nonlocals["rs"]
    state = rs.get_state()

    def replayed(call):
        def at(params):
            rs.set_state(state)
            return call(params, 0)
        return at

    for params in (init_params, fitted_params):
        check_gradient(replayed(objective), replayed(gradient)(params), params)
    assert bounds[-1] > bounds[0] + 8.0, bounds
    mean, log_std = unpack_params(fitted_params)
    assert np.all(np.abs(mean) < 0.3) and np.all(np.abs(np.exp(log_std) - 0.6) < 0.3), (mean, log_std)


def test_black_box_variational_inference():
    check_black_box_svi(example("black_box_svi"))


def check_fluidsim(mod):
    objective, init_params, result, values = mod.main(small=True)
    objective_with_grad = mod.value_and_grad(objective)
    rng = np.random.default_rng(1)
    for params in (0.3 * rng.standard_normal(init_params.shape), result.x):   # at 0 every cell is on a kink
        value, gradient = objective_with_grad(params)
        assert np.isclose(value, objective(params), rtol=1e-12)
        check_gradient(objective, gradient, params)
    assert values[-1] < 0.5 * values[0] and np.isclose(values[-1], result.fun), values


def test_fluid_simulation_flow_is_optimised_towards_the_target():
    check_fluidsim(example("fluidsim"))


def check_hyperparameters(mod):
    validation_loss, hypergradient, init_hypers, args, final_hypers, losses = mod.main(small=True)
    for hypers in (init_hypers, final_hypers):
        check_gradient(lambda h: validation_loss(h, *args), hypergradient(hypers, *args), hypers, directions=4)
    assert losses[-1] < losses[0] - 0.1, losses


def test_hyperparameter_gradients_through_sgd_training():
    check_hyperparameters(example("hyperparameter_optimization"))


def test_hyperparameter_gradients_forward_mode():
    """s2s.jvp of the validation loss: forward mode over the generated training gradient, against differences."""
    mod = example("hyperparameter_optimization")
    train_data, valid_data = mod.build_toy_dataset(8, num_train=10, num_valid=20)   # two minibatches
    args = (np.zeros(8), train_data, valid_data, 5)
    hypers, direction, eps = np.array([np.log(0.2), np.log(0.01)]), np.array([1.0, -0.5]), 1e-6
    value, tangent = s2s.jvp(mod.validation_loss)(hypers, *args, direction)
    loss = lambda h: mod.validation_loss(h, *args)
    assert np.isclose(value, loss(hypers), rtol=1e-12)
    numeric = (loss(hypers + eps * direction) - loss(hypers - eps * direction)) / (2 * eps)
    assert abs(tangent - numeric) <= 1e-6 * max(1.0, abs(numeric)), (tangent, numeric)


def test_hypergradient_checkpointed_through_sgd():
    """examples/hypergradient.py over 200 steps: with and without checkpointing, the same hypergradient,
    which central differences confirm, and checkpointing keeps a fraction of the memory."""
    plain, checkpointed, fd, peak_plain, peak_checkpointed = example("hypergradient").main(steps=200)
    np.testing.assert_allclose(checkpointed, plain, rtol=1e-12, atol=0)
    np.testing.assert_allclose(plain, fd, rtol=1e-5, atol=1e-10)
    assert peak_checkpointed < peak_plain / 4, (peak_plain, peak_checkpointed)


def test_dask_logistic_regression_on_a_local_cluster():
    """examples/dask_logreg.py at its small size, on two in-process workers: the loss falls at every
    step, the lazy gradient equals NumPy's on the same data (central differences), and the weights
    found point along the model that made the labels."""
    pytest.importorskip("dask.array")
    pytest.importorskip("dask.distributed")
    mod = example("dask_logreg")
    value_and_grad, X, y, w_true, w, losses = mod.main("small", processes=False, quiet=True)
    assert losses == sorted(losses, reverse=True) and losses[-1] < losses[0] - 0.2, losses
    assert w @ w_true / (np.linalg.norm(w) * np.linalg.norm(w_true)) > 0.99
    Xn, yn = X[:500].compute(scheduler="sync"), y[:500].compute(scheduler="sync")
    value, g = value_and_grad(w, X[:500], y[:500])
    check_gradient(lambda p: mod.loss(p, Xn, yn), g.compute(scheduler="sync"), w)
    np.testing.assert_allclose(value.compute(scheduler="sync"), mod.loss(w, Xn, yn), rtol=1e-12)
