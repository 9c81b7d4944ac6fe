"""The course examples: small functions whose gradients are known by hand.

Try:  s2s grad examples/course.py:loop --wrt a,b
"""
import math

import numpy as np


def poly(x, y):
    """f(3, 4) = 42; gradient (24, 10)."""
    return x * x * y + y + 2


def poly3(x1, x2, x3):
    """At (2, 3, 4) the gradient is (12, 12, 9)."""
    return 3 * (x1 ** 2 + x2 * x3)


def sin_square(x):
    """d/dx sin(x^2) = 2x cos(x^2); at 3 it is 6 cos 9."""
    return math.sin(x ** 2)


def cos_sin(x1, x2):
    return np.cos(np.sin(x1 * x2))


def loop(a, b):
    """A loop whose every step reads the last: the gradient needs its history."""
    z = 0.0
    for i in range(100):
        z = a * np.cos(z + i) + z * np.sin(b - i)
    return z


def sigmoid(t):
    return 0.5 * (np.tanh(t / 2) + 1)


def logistic_nll(w, b, X, y):
    """Negative log-likelihood of logistic regression, with a tanh-based sigmoid."""
    p = sigmoid(X @ w + b)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def mlp_loss(W1, b1, W2, b2, X, Y):
    """A two-layer tanh network with a mean squared error."""
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - Y) ** 2)


def rnn_loss(Wx, Wh, b, xs):
    """A tanh RNN over the rows of xs; the loss is half the squared final state."""
    h = np.zeros(Wh.shape[0])
    for x in xs:
        h = np.tanh(Wx @ x + Wh @ h + b)
    return 0.5 * np.sum(h * h)


def stencil(u, c):
    """Ten steps of a mildly nonlinear diffusion on a periodic 2-D grid."""
    for step in range(10):
        lap = np.roll(u, 1, axis=0) + np.roll(u, -1, axis=0) + np.roll(u, 1, axis=1) + np.roll(u, -1, axis=1) - 4 * u
        u = u + c * lap - 0.01 * u * u * u
    return np.sum(u * u)
