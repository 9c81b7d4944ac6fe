"""User functions named like s2s's runtime helpers and derivative functions (tests/test_higher_order.py).

Generated code calls the runtime helpers by other names here (`s2s_unbroadcast`), and
code generated from that code mentions both names, at every level of nesting.
"""
import numpy as np


def unbroadcast(a, b):
    return a * b


def zeros_like(a):
    return a + 1.0


def grad_seed(a):
    return 2.0 * a


def square(a):
    return a * a


def bwd_square(a):  # the name s2s would give square's backward sweep
    return a + 100.0


def calls_square(x):
    return square(x) * bwd_square(2.0)


def broadcast_sum(x, y):
    """x (n,), y (m, n): sum_j x_j sum_i y_ij^2 + sum_j sin(x_j) sum_i (y_ij + 1)."""
    return np.sum(x * unbroadcast(y, y)) + np.sum(np.sin(x) * zeros_like(y))


def quartic(x):
    return x ** 4 * unbroadcast(2.0, 3.0) + grad_seed(x)
