"""Hypergradients through 1,000 steps of SGD, with and without checkpointing.

`validation_loss(hypers, ...)` trains a logistic regression by minibatch SGD for 1,000 steps,
starting from weights `exp(hypers[1]) * direction` with step size `exp(hypers[0])`, and returns
the loss on held-out data. Its gradient with respect to the two hyperparameters (the log step
size and the log scale of the initial weights) is a gradient through the whole of training.

Reverse mode keeps what every step of training recorded until the backward pass reads it, so
its memory grows with the number of steps. `s2s.grad(validation_loss, checkpoint=True)` keeps
about sqrt(1000) snapshots of the weights instead and trains each segment of steps again in the
backward pass. This prints the peak memory (tracemalloc) and time of both, that they agree, and
a finite-difference check of the hypergradient.

Run:  python examples/hypergradient.py [--steps N]
"""
import sys
import time
import tracemalloc

import numpy as np

import s2s


def sigmoid(z):
    return 0.5 * (np.tanh(z / 2.0) + 1.0)


def loss(weights, inputs, targets):
    """Mean negative log-likelihood of a logistic regression, with a small L2 penalty."""
    p = sigmoid(inputs @ weights)
    likelihoods = p * targets + (1.0 - p) * (1.0 - targets)
    return -np.mean(np.log(likelihoods)) + 1e-3 * np.sum(weights * weights)


training_gradient = s2s.grad(loss)


def validation_loss(hypers, direction, inputs, targets, valid_inputs, valid_targets, steps, batch_size=50):
    step_size = np.exp(hypers[0])
    weights = np.exp(hypers[1]) * direction
    batches = len(targets) // batch_size
    for step in range(steps):
        k = step % batches
        rows = slice(k * batch_size, (k + 1) * batch_size)
        weights = weights - step_size * training_gradient(weights, inputs[rows], targets[rows])
    return loss(weights, valid_inputs, valid_targets)


def dataset(features=200, train=1000, valid=500, seed=0):
    rng = np.random.default_rng(seed)
    true_weights = rng.normal(size=features) * (rng.random(features) < 0.1)
    inputs = rng.normal(size=(train + valid, features))
    targets = (inputs @ true_weights + 0.5 * rng.normal(size=train + valid) > 0).astype(float)
    direction = rng.normal(size=features) / np.sqrt(features)
    return direction, inputs[:train], targets[:train], inputs[train:], targets[train:]


def measured(hypergradient, args):
    """(gradient, peak memory in MB above what was allocated before the call, seconds)."""
    hypergradient(*args)   # (generation, and the code for these shapes, out of the measurement)
    start = time.perf_counter()
    hypergradient(*args)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    g = hypergradient(*args)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return g, peak / 2**20, seconds


def main(steps=1000):
    hypers = np.array([np.log(0.5), np.log(0.1)])   # step size 0.5, initial weights 0.1 * direction
    args = (hypers, *dataset(), steps)
    print(f"validation loss after {steps} SGD steps: {validation_loss(*args):.6f}")
    results = {}
    for label, options in (("plain", {}), ("checkpoint=True", {"checkpoint": True})):
        g, peak, seconds = measured(s2s.grad(validation_loss, **options), args)
        results[label] = (g, peak, seconds)
        print(f"{label:16s} hypergradient {g}  peak memory {peak:7.2f} MB  time {seconds:6.3f} s")
    (plain, peak0, t0), (checkpointed, peak1, t1) = results.values()
    print(f"checkpointing: {peak0 / peak1:.1f}x less memory, {t1 / t0:.2f}x the time; "
          f"largest difference {np.max(np.abs(plain - checkpointed)):.1e}")
    eps = 1e-5
    fd = [(validation_loss(hypers + eps * e, *args[1:]) - validation_loss(hypers - eps * e, *args[1:])) / (2 * eps)
          for e in np.eye(2)]
    print(f"finite differences: {np.array(fd)}")
    return plain, checkpointed, np.array(fd), peak0, peak1


if __name__ == "__main__":
    main(int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else 1000)
