"""Gradient-based hyperparameter optimization: the validation loss differentiated through SGD training.

The training loop is ordinary code, so its result is a differentiable
function of the step size and the L2 penalty: `train` runs minibatch SGD
with momentum on a regularised logistic regression, `grad(training_loss)`
giving the steps; `hypergradient = grad(validation_loss)` differentiates
the loss on held-out data through every step of that loop (a gradient of
code that itself calls a gradient), and the hyperparameters are then tuned
with Adam (Maclaurin, Duvenaud and Adams, "Gradient-based hyperparameter
optimization through reversible learning", 2015). The data is synthetic:
many features, few training examples, so the penalty matters.

Run:  python examples/hyperparameter_optimization.py [--small]
"""
import sys

import numpy as np
import numpy.random as npr

from optimizers import adam
from s2s import grad


def sigmoid(x):
    return 0.5 * (np.tanh(x / 2.0) + 1.0)


def logistic_predictions(weights, inputs):
    # Outputs probability of a label being true according to logistic model.
    return sigmoid(np.dot(inputs, weights))


def log_likelihood(weights, inputs, targets):
    preds = logistic_predictions(weights, inputs)
    label_probabilities = preds * targets + (1 - preds) * (1 - targets)
    return np.sum(np.log(label_probabilities))


def training_loss(weights, inputs, targets, log_l2_penalty):
    return -log_likelihood(weights, inputs, targets) + np.exp(log_l2_penalty) * np.sum(weights**2)


# The gradient that training follows.
training_gradient = grad(training_loss)


def train(hypers, init_weights, inputs, targets, num_iters, batch_size=5, mass=0.9):
    """Stochastic gradient descent with momentum, on minibatches taken in turn;
    hypers = [log step size, log L2 penalty]."""
    step_size = np.exp(hypers[0])
    num_batches = len(targets) // batch_size
    weights = init_weights
    velocity = np.zeros(len(weights))
    for i in range(num_iters):
        batch = i % num_batches
        idx = slice(batch * batch_size, (batch + 1) * batch_size)
        g = training_gradient(weights, inputs[idx], targets[idx], hypers[1])
        velocity = mass * velocity - (1.0 - mass) * g
        weights = weights + step_size * velocity
    return weights


def validation_loss(hypers, init_weights, train_data, valid_data, num_iters):
    """Mean negative log-likelihood on held-out data of the weights that training ends with."""
    train_inputs, train_targets = train_data
    valid_inputs, valid_targets = valid_data
    weights = train(hypers, init_weights, train_inputs, train_targets, num_iters)
    return -log_likelihood(weights, valid_inputs, valid_targets) / len(valid_targets)


# The gradient of the validation loss with respect to the hyperparameters, through all of training.
hypergradient = grad(validation_loss)


def build_toy_dataset(num_features, num_train, num_valid, noise=0.5, rs=None):
    rs = rs if rs is not None else npr.RandomState(0)
    true_weights = np.zeros(num_features)
    true_weights[:3] = [2.0, -2.0, 1.5]     # only a few features matter
    inputs = rs.randn(num_train + num_valid, num_features)
    targets = (np.dot(inputs, true_weights) + noise * rs.randn(num_train + num_valid) > 0).astype(float)
    return (inputs[:num_train], targets[:num_train]), (inputs[num_train:], targets[num_train:])


def main(small=False):
    """Tune; return (validation_loss, hypergradient, init_hypers, extra arguments, final hypers, losses)."""
    num_features = 20 if small else 50
    num_iters = 20 if small else 100
    train_data, valid_data = build_toy_dataset(num_features, num_train=20 if small else 40, num_valid=200)
    init_weights = np.zeros(num_features)
    init_hypers = np.array([np.log(1.0), np.log(0.01)])     # step size 1, L2 penalty 0.01
    args = (init_weights, train_data, valid_data, num_iters)

    losses = []

    def meta_objective_grad(hypers, meta_iter):
        return hypergradient(hypers, *args)

    def callback(hypers, meta_iter, g):
        if meta_iter % 5 == 0:
            losses.append(validation_loss(hypers, *args))
            print(f"meta-iteration {meta_iter:3d}: step size {np.exp(hypers[0]):.4f}, "
                  f"L2 penalty {np.exp(hypers[1]):.4f}, validation loss {losses[-1]:.4f}")

    print("Tuning the step size and the L2 penalty by gradient descent on the validation loss...")
    final_hypers = adam(meta_objective_grad, init_hypers, step_size=0.2, num_iters=20 if small else 100,
                        callback=callback)
    losses.append(validation_loss(final_hypers, *args))
    print(f"final: step size {np.exp(final_hypers[0]):.4f}, L2 penalty {np.exp(final_hypers[1]):.4f}, "
          f"validation loss {losses[-1]:.4f}")
    return validation_loss, hypergradient, init_hypers, args, final_hypers, losses


if __name__ == "__main__":
    main(small="--small" in sys.argv[1:])
