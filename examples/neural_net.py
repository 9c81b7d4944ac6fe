"""A multi-layer perceptron for classification of MNIST-like digits, trained with Adam.

autograd's examples/neural_net.py with its imports changed to s2s: the
parameters are a list of (weights, biases) tuples, `grad(objective)` is
taken of a closure defined in `main`, and `adam` (examples/optimizers.py)
steps the list of tuples. The data is synthetic (random "images" whose
label is the argmax of a fixed random linear map), so nothing is downloaded.

Run:  python examples/neural_net.py [--small]
"""
import itertools
import sys

import numpy as np
import numpy.random as npr
from scipy.special import logsumexp

from optimizers import adam
from s2s import flatten, grad


def load_mnist(num_pixels=784, num_train=1000, num_test=200, num_classes=10):
    """Random stand-in for MNIST: (N, train_images, train_labels, test_images, test_labels), one-hot labels."""
    rs = npr.RandomState(1)
    teacher = rs.randn(num_pixels, num_classes)
    images = rs.randn(num_train + num_test, num_pixels)
    labels = np.eye(num_classes)[np.argmax(images @ teacher, axis=1)]
    return num_train, images[:num_train], labels[:num_train], images[num_train:], labels[num_train:]


def init_random_params(scale, layer_sizes, rs=None):
    """Build a list of (weights, biases) tuples,
    one for each layer in the net."""
    rs = rs if rs is not None else npr.RandomState(0)
    return [
        (
            scale * rs.randn(m, n),  # weight matrix
            scale * rs.randn(n),
        )  # bias vector
        for m, n in itertools.pairwise(layer_sizes)
    ]


def neural_net_predict(params, inputs):
    """Implements a deep neural network for classification.
    params is a list of (weights, bias) tuples.
    inputs is an (N x D) matrix.
    returns normalized class log-probabilities."""
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - logsumexp(outputs, axis=1, keepdims=True)


def l2_norm(params):
    """Computes l2 norm of params by flattening them into a vector."""
    flattened, _ = flatten(params)
    return np.dot(flattened, flattened)


def log_posterior(params, inputs, targets, L2_reg):
    log_prior = -L2_reg * l2_norm(params)
    log_lik = np.sum(neural_net_predict(params, inputs) * targets)
    return log_prior + log_lik


def accuracy(params, inputs, targets):
    target_class = np.argmax(targets, axis=1)
    predicted_class = np.argmax(neural_net_predict(params, inputs), axis=1)
    return np.mean(predicted_class == target_class)


def main(small=False):
    """Train; return (objective, objective_grad, init_params, optimized_params, accuracies per epoch)."""
    # Model parameters
    layer_sizes = [25, 10, 8, 4] if small else [784, 200, 100, 10]
    L2_reg = 1.0

    # Training parameters
    param_scale = 0.1
    batch_size = 50 if small else 256
    num_epochs = 6 if small else 5
    step_size = 0.03 if small else 0.001

    print("Loading training data...")
    N, train_images, train_labels, test_images, test_labels = load_mnist(
        layer_sizes[0], 300 if small else 10000, 100 if small else 2000, layer_sizes[-1])

    init_params = init_random_params(param_scale, layer_sizes)

    num_batches = int(np.ceil(len(train_images) / batch_size))

    def batch_indices(iter):
        idx = iter % num_batches
        return slice(idx * batch_size, (idx + 1) * batch_size)

    # Define training objective
    def objective(params, iter):
        idx = batch_indices(iter)
        return -log_posterior(params, train_images[idx], train_labels[idx], L2_reg)

    # Get gradient of objective using s2s.
    objective_grad = grad(objective)

    print("     Epoch     |    Train accuracy  |       Test accuracy  ")
    accuracies = []

    def print_perf(params, iter, gradient):
        if iter % num_batches == 0:
            train_acc = accuracy(params, train_images, train_labels)
            test_acc = accuracy(params, test_images, test_labels)
            accuracies.append((train_acc, test_acc))
            print(f"{iter // num_batches:15}|{train_acc:20}|{test_acc:20}")

    # The optimizers provided can optimize lists, tuples, or dicts of parameters.
    optimized_params = adam(
        objective_grad,
        init_params,
        step_size=step_size,
        num_iters=num_epochs * num_batches,
        callback=print_perf,
    )
    final = (accuracy(optimized_params, train_images, train_labels), accuracy(optimized_params, test_images, test_labels))
    print(f"{'final':>15}|{final[0]:20}|{final[1]:20}")
    accuracies.append(final)
    return objective, objective_grad, init_params, optimized_params, accuracies


if __name__ == "__main__":
    main(small="--small" in sys.argv[1:])
