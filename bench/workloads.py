"""Benchmark workloads: functions to differentiate and their hand-written gradients.

Each entry of ``WORKLOADS`` is a :class:`Workload` with

- ``name``      -- short identifier printed in tables;
- ``f``         -- a plain module-level ``def`` (s2s reads it with
  ``inspect.getsource``), using only ``np`` (``math`` would be allowed too);
- ``wrt``       -- tuple of the parameter names differentiated;
- ``args()``    -- deterministic inputs (``np.random.default_rng(0)``);
- ``hand_grad`` -- the gradient written by hand: same arguments as ``f``,
  returns a tuple of gradients in ``wrt`` order, each shaped like its
  argument (for a list of tuples of arrays, a list of tuples of arrays).

Conventions for the hand-written gradients, so that "s2s / hand" measures
the cost of automatic differentiation and nothing else:

- the forward pass computes exactly what ``f`` computes, with the same NumPy
  primitives (``np.cos`` on a float stays ``np.cos``, not ``math.cos``),
  keeping the intermediate values the backward pass needs;
- the backward pass is what a careful person writes: known simplifications
  are used (``sigmoid' = p (1 - p)``, ``tanh' = 1 - tanh**2``), values are
  reused rather than recomputed, and weight gradients that do not depend on
  the recurrence are accumulated with one matrix product after the loop.

The functions ``f_*`` carry comments rather than docstrings so that their
bodies contain nothing but the computation being differentiated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One benchmark case: a function, what to differentiate, inputs and a reference gradient."""

    name: str
    f: Callable
    wrt: tuple[str, ...]
    args: Callable[[], tuple]
    hand_grad: Callable
    # Values the hand-written gradient keeps from step to step for its backward pass
    # (its tape), counted from the code below; straight-line gradients keep none
    # beyond their local variables, which s2s keeps the same way.
    hand_records: int = 0


# ---------------------------------------------------------------------------
# poly: f(x, y) = x*x*y + y + 2
# ---------------------------------------------------------------------------

# Scalar polynomial from the course: x^2 y + y + 2.
def f_poly(x, y):
    return x * x * y + y + 2


def hand_poly(x, y):
    """d/dx = 2xy, d/dy = x^2 + 1."""
    return 2.0 * x * y, x * x + 1.0


def args_poly():
    """Two Python floats."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=2)
    return float(x), float(y)


# ---------------------------------------------------------------------------
# poly3: f(x1, x2, x3) = 3 (x1^2 + x2 x3)
# ---------------------------------------------------------------------------

# Scalar polynomial in three variables.
def f_poly3(x1, x2, x3):
    return 3 * (x1 ** 2 + x2 * x3)


def hand_poly3(x1, x2, x3):
    """d/dx1 = 6 x1, d/dx2 = 3 x3, d/dx3 = 3 x2."""
    return 6.0 * x1, 3.0 * x3, 3.0 * x2


def args_poly3():
    """Three Python floats."""
    rng = np.random.default_rng(0)
    x1, x2, x3 = rng.normal(size=3)
    return float(x1), float(x2), float(x3)


# ---------------------------------------------------------------------------
# sin_sq: f(x) = sin(x^2)
# ---------------------------------------------------------------------------

# Composition of an elementwise function with a power, on a float.
def f_sin_sq(x):
    return np.sin(x ** 2)


def hand_sin_sq(x):
    """d/dx = cos(x^2) * 2x."""
    return (np.cos(x ** 2) * (2.0 * x),)


def args_sin_sq():
    """One Python float."""
    rng = np.random.default_rng(0)
    return (float(rng.normal()),)


# ---------------------------------------------------------------------------
# cos_sin: f(x1, x2) = cos(sin(x1 x2))
# ---------------------------------------------------------------------------

# Nested elementwise functions of a product.
def f_cos_sin(x1, x2):
    return np.cos(np.sin(x1 * x2))


def hand_cos_sin(x1, x2):
    """Chain rule: d/dt cos(sin t) = -sin(sin t) cos t, with t = x1 x2."""
    t = x1 * x2
    s = np.sin(t)
    dt = -np.sin(s) * np.cos(t)
    return dt * x2, dt * x1


def args_cos_sin():
    """Two Python floats."""
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=2)
    return float(x1), float(x2)


# ---------------------------------------------------------------------------
# loop: 100 steps of a scalar recurrence
# ---------------------------------------------------------------------------

# Scalar recurrence z <- a cos(z + i) + z sin(b - i), 100 steps.
def f_loop(a, b):
    z = 0.0
    for i in range(100):
        z = a * np.cos(z + i) + z * np.sin(b - i)
    return z


def hand_loop(a, b):
    """Forward keeps (z_i, cos(z_i + i), sin(b - i)) per step; backward runs the steps in reverse.

    With c_i = cos(z_i + i) and s_i = sin(b - i):
    dz_{i+1}/da = c_i, dz_{i+1}/db = z_i cos(b - i),
    dz_{i+1}/dz_i = -a sin(z_i + i) + s_i.
    """
    z = 0.0
    tape = []
    for i in range(100):
        c = np.cos(z + i)
        s = np.sin(b - i)
        tape.append((z, c, s))
        z = a * c + z * s
    ga = 0.0
    gb = 0.0
    gz = 1.0
    for i in range(99, -1, -1):
        z, c, s = tape[i]
        ga += gz * c
        gb += gz * z * np.cos(b - i)
        gz = gz * (s - a * np.sin(z + i))
    return ga, gb


def args_loop():
    """Two Python floats in a range where the recurrence is contracting (well-conditioned)."""
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.2, 0.5, size=2)
    return float(a), float(b)


# ---------------------------------------------------------------------------
# logreg: logistic-regression negative log-likelihood, tanh-based sigmoid
# ---------------------------------------------------------------------------

# NLL of logistic regression; sigmoid(t) = (tanh(t/2) + 1) / 2 written inline.
def f_logreg(w, b, X, y):
    p = 0.5 * (np.tanh((X @ w + b) / 2) + 1)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def hand_logreg(w, b, X, y):
    """d NLL / d logits = p - y (sigmoid' = p (1 - p) cancels the log terms)."""
    p = 0.5 * (np.tanh((X @ w + b) / 2) + 1)
    g = p - y
    return X.T @ g, float(np.sum(g))


def args_logreg():
    """w (10,), b float, X (200, 10), y (200,) in {0, 1} drawn from the model."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 10))
    w_true = rng.normal(size=10)
    y = (rng.uniform(size=200) < 1 / (1 + np.exp(-X @ w_true))).astype(np.float64)
    w = 0.1 * rng.normal(size=10)
    b = 0.1
    return w, b, X, y


# ---------------------------------------------------------------------------
# mlp: two-layer tanh MLP, mean squared error
# ---------------------------------------------------------------------------

# 20 -> 32 (tanh) -> 5 network, MSE against Y.
def f_mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - Y) ** 2)


def hand_mlp(W1, b1, W2, b2, X, Y):
    """Standard backpropagation; tanh' = 1 - h^2 reuses the stored activations."""
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    gout = (2.0 / out.size) * (out - Y)
    gW2 = h.T @ gout
    gb2 = gout.sum(axis=0)
    gpre = (gout @ W2.T) * (1.0 - h * h)
    gW1 = X.T @ gpre
    gb1 = gpre.sum(axis=0)
    return gW1, gb1, gW2, gb2


def args_mlp():
    """W1 (20, 32), b1 (32,), W2 (32, 5), b2 (5,), X (64, 20), Y (64, 5)."""
    rng = np.random.default_rng(0)
    W1 = rng.normal(size=(20, 32)) / np.sqrt(20)
    b1 = 0.1 * rng.normal(size=32)
    W2 = rng.normal(size=(32, 5)) / np.sqrt(32)
    b2 = 0.1 * rng.normal(size=5)
    X = rng.normal(size=(64, 20))
    Y = rng.normal(size=(64, 5))
    return W1, b1, W2, b2, X, Y


# ---------------------------------------------------------------------------
# mlp_dict: the mlp with its parameters in a dict, as JAX's examples keep them
# ---------------------------------------------------------------------------

def f_mlp_dict(p, X, Y):
    h = np.tanh(X @ p["W1"] + p["b1"])
    out = h @ p["W2"] + p["b2"]
    return np.mean((out - Y) ** 2)


def hand_mlp_dict(p, X, Y):
    """`hand_mlp`, on the dict; returns ``({"W1": ..., "b1": ..., "W2": ..., "b2": ...},)``."""
    gW1, gb1, gW2, gb2 = hand_mlp(p["W1"], p["b1"], p["W2"], p["b2"], X, Y)
    return ({"W1": gW1, "b1": gb1, "W2": gW2, "b2": gb2},)


def args_mlp_dict():
    """`args_mlp`'s arrays, the parameters in a dict."""
    W1, b1, W2, b2, X, Y = args_mlp()
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, Y


# ---------------------------------------------------------------------------
# mlp_tree: three-layer MLP with its parameters in a list of (W, b), cross-entropy
# ---------------------------------------------------------------------------

# 20 -> 32 (tanh) -> 16 (tanh) -> 5 network written as autograd's examples write one: the
# parameters are a list of (W, b) tuples, the loss the mean softmax cross-entropy against
# one-hot Y (log-softmax with the row maximum subtracted) plus an L2 penalty on the weights.
def f_mlp_tree(params, X, Y):
    h = X
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    outputs = h @ W + b
    m = np.max(outputs, axis=1, keepdims=True)
    logp = outputs - np.log(np.sum(np.exp(outputs - m), axis=1, keepdims=True)) - m
    penalty = 0.0
    for W, b in params:
        penalty += np.sum(W * W)
    return -np.mean(np.sum(Y * logp, axis=1)) + 0.001 * penalty


def hand_mlp_tree(params, X, Y):
    """Backpropagation through the stored activations; returns ``([(gW, gb), ...],)``.

    With one-hot rows of Y, d loss / d outputs = (softmax(outputs) - Y) / batch; the
    penalty adds 0.002 W to each weight gradient, and tanh' = 1 - h^2 reuses the activations.
    """
    hs = [X]
    for W, b in params[:-1]:
        hs.append(np.tanh(hs[-1] @ W + b))
    W, b = params[-1]
    outputs = hs[-1] @ W + b
    e = np.exp(outputs - np.max(outputs, axis=1, keepdims=True))
    g = (e / np.sum(e, axis=1, keepdims=True) - Y) / X.shape[0]
    grads = [None] * len(params)
    for k in range(len(params) - 1, -1, -1):
        W, b = params[k]
        h = hs[k]
        grads[k] = (h.T @ g + 0.002 * W, g.sum(axis=0))
        if k > 0:
            g = (g @ W.T) * (1.0 - h * h)
    return (grads,)


def args_mlp_tree():
    """params [(W (20, 32), b (32,)), (W (32, 16), b (16,)), (W (16, 5), b (5,))], X (64, 20), one-hot Y (64, 5)."""
    rng = np.random.default_rng(0)
    sizes = [20, 32, 16, 5]
    params = [(rng.normal(size=(m, n)) / np.sqrt(m), 0.1 * rng.normal(size=n))
              for m, n in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(64, 20))
    Y = np.eye(5)[rng.integers(0, 5, size=64)]
    return params, X, Y


# ---------------------------------------------------------------------------
# rnn: tanh RNN over 50 steps, loss 0.5 |h_T|^2
# ---------------------------------------------------------------------------

# Elman RNN, hidden size 16, input size 8, 50 steps.
def f_rnn(Wx, Wh, b, xs):
    h = np.zeros(16)
    for t in range(50):
        h = np.tanh(Wx @ xs[t] + Wh @ h + b)
    return 0.5 * np.sum(h * h)


def hand_rnn(Wx, Wh, b, xs):
    """Backpropagation through time.

    The forward stores every hidden state in one (51, 16) array. The backward
    loop only carries the recurrence gh <- Wh^T (gh * (1 - h^2)); the
    pre-activation gradients of all steps are collected in one array so the
    weight gradients are three matrix products after the loop.
    """
    T, n = 50, b.shape[0]
    H = np.zeros((T + 1, n))
    for t in range(T):
        H[t + 1] = np.tanh(Wx @ xs[t] + Wh @ H[t] + b)
    G = np.empty((T, n))
    gh = H[T]
    for t in range(T - 1, -1, -1):
        ga = gh * (1.0 - H[t + 1] * H[t + 1])
        G[t] = ga
        gh = Wh.T @ ga
    return G.T @ xs, G.T @ H[:T], G.sum(axis=0)


def args_rnn():
    """Wx (16, 8), Wh (16, 16) with spectral scale < 1, b (16,), xs (50, 8)."""
    rng = np.random.default_rng(0)
    Wx = rng.normal(size=(16, 8)) / np.sqrt(8)
    Wh = 0.5 * rng.normal(size=(16, 16)) / np.sqrt(16)
    b = 0.1 * rng.normal(size=16)
    xs = rng.normal(size=(50, 8))
    return Wx, Wh, b, xs


# ---------------------------------------------------------------------------
# stencil: 64x64 periodic diffusion with a cubic reaction term, 10 steps
# ---------------------------------------------------------------------------

# Explicit diffusion-reaction step u <- u + c lap(u) - 0.01 u^3 on a torus.
def f_stencil(u0, c):
    u = u0
    for step in range(10):
        lap = (np.roll(u, 1, axis=0) + np.roll(u, -1, axis=0)
               + np.roll(u, 1, axis=1) + np.roll(u, -1, axis=1) - 4 * u)
        u = u + c * lap - 0.01 * u * u * u
    return np.sum(u * u)


def _laplacian(u):
    """Five-point periodic Laplacian (self-adjoint, so it is also its own transpose)."""
    return (np.roll(u, 1, axis=0) + np.roll(u, -1, axis=0)
            + np.roll(u, 1, axis=1) + np.roll(u, -1, axis=1) - 4 * u)


def hand_stencil(u0, c):
    """Forward stores (u_k, lap_k); backward applies the transposed step.

    For u' = u + c L u - 0.01 u^3 with symmetric L:
    gu = gu' + c L gu' - 0.03 u^2 gu',  gc += <gu', L u>.
    """
    u = u0
    tape = []
    for step in range(10):
        lap = _laplacian(u)
        tape.append((u, lap))
        u = u + c * lap - 0.01 * u * u * u
    gu = 2.0 * u
    gc = 0.0
    for step in range(9, -1, -1):
        u, lap = tape[step]
        gc += float(np.vdot(gu, lap))
        gu = gu + c * _laplacian(gu) - 0.03 * (u * u) * gu
    return gu, gc


def args_stencil():
    """u0 (64, 64) smooth-ish random field, diffusion coefficient c = 0.1 (stable: c * 8 < 2)."""
    rng = np.random.default_rng(0)
    u0 = rng.normal(size=(64, 64))
    return u0, 0.1


# ---------------------------------------------------------------------------
# trajectory: 16 coupled nonlinear oscillators, 200 Euler steps, every state kept
# ---------------------------------------------------------------------------

# A simulation as people write one: the state lives in the trajectory array, each step reads
# the row the step before wrote. The trajectory is the tape: a hand-written gradient keeps
# nothing else.
def f_trajectory(x0, k):
    xs = np.zeros((201, x0.shape[0]))
    xs[0] = x0
    for t in range(200):
        xs[t + 1] = xs[t] - 0.05 * k * np.sin(xs[t]) + 0.02 * (np.roll(xs[t], 1) - xs[t])
    return np.sum(xs[-1] ** 2) + 0.01 * np.sum(xs * xs)


def hand_trajectory(x0, k):
    """Backward through the steps, reading the trajectory the forward pass filled.

    For x' = x - 0.05 k sin(x) + 0.02 (R x - x), R the cyclic shift (R^T shifts back):
    gx = gx' - 0.05 k cos(x) gx' + 0.02 (R^T gx' - gx'),  gk -= 0.05 <gx', sin(x)>.
    """
    xs = np.zeros((201, x0.shape[0]))
    xs[0] = x0
    for t in range(200):
        xs[t + 1] = xs[t] - 0.05 * k * np.sin(xs[t]) + 0.02 * (np.roll(xs[t], 1) - xs[t])
    g = 0.02 * xs
    g[-1] += 2.0 * xs[-1]
    gk = 0.0
    for t in range(199, -1, -1):
        gn, x = g[t + 1], xs[t]
        gk -= 0.05 * float(np.dot(gn, np.sin(x)))
        g[t] += gn - 0.05 * k * np.cos(x) * gn + 0.02 * (np.roll(gn, -1) - gn)
    return g[0], gk


def args_trajectory():
    rng = np.random.default_rng(0)
    return rng.normal(size=16), 0.8


WORKLOADS: list[Workload] = [
    Workload("poly", f_poly, ("x", "y"), args_poly, hand_poly),
    Workload("poly3", f_poly3, ("x1", "x2", "x3"), args_poly3, hand_poly3),
    Workload("sin_sq", f_sin_sq, ("x",), args_sin_sq, hand_sin_sq),
    Workload("cos_sin", f_cos_sin, ("x1", "x2"), args_cos_sin, hand_cos_sin),
    Workload("loop", f_loop, ("a", "b"), args_loop, hand_loop, hand_records=300),
    Workload("logreg", f_logreg, ("w", "b"), args_logreg, hand_logreg),
    Workload("mlp", f_mlp, ("W1", "b1", "W2", "b2"), args_mlp, hand_mlp),
    Workload("mlp_dict", f_mlp_dict, ("p",), args_mlp_dict, hand_mlp_dict),
    Workload("mlp_tree", f_mlp_tree, ("params",), args_mlp_tree, hand_mlp_tree, hand_records=2),
    Workload("rnn", f_rnn, ("Wx", "Wh", "b"), args_rnn, hand_rnn, hand_records=51),
    Workload("stencil", f_stencil, ("u0", "c"), args_stencil, hand_stencil, hand_records=20),
    Workload("trajectory", f_trajectory, ("x0", "k"), args_trajectory, hand_trajectory),
]
