"""Small functions, one per construct of SPEC §7 that reverse mode covers.

Each is differentiated by tests/test_language.py and checked against finite
differences at several points (both branches of every `if`, loops that break
early and that run to the end).
"""
import math

import numpy as np

import othermodule
import s2s
from othermodule import scaled_sine


def straight(x, y):
    z = x * y + np.sin(x)
    w = z / (1.0 + y * y)
    return w - x


def branches(x, y):
    if x > 1.0:
        z = x * y
    elif x > 0.0:
        z = np.sin(x) * y
    else:
        z = y
    return z * z


def nested_if(x, y):
    if x > 0:
        if y > 0:
            r = x * y
        else:
            r = x - y
    else:
        r = np.cos(x) * y
    return r * x


def conditional_expression(x):
    y = x * x if x > 0 else -x
    return y * 3.0


def and_or_not(x, y):
    if x > 0 and y > 0 or not x < 5:
        return x * y
    return x + y


def for_range(x, n):
    s = x
    for i in range(1, n, 2):
        s = s * np.cos(s) + x * i
    return s


def for_over_array(x):
    s = 0.0
    for v in x:
        s = s + np.sin(v) * v
    return s


def for_over_list(a, b):
    s = 0.0
    for w in [a, b, a * b]:
        s = s + w * w
    return s


def while_loop(x):
    k = 0
    s = x
    while k < 5:
        s = s * np.cos(s) + x
        k += 1
    return s


def break_and_continue(x, n):
    s = 0.0
    for i in range(n):
        if i % 2 == 1:
            continue
        s = s + x * i
        if s > 10.0:
            break
        s = np.sin(s) + x
    return s


def while_break(x):
    s = x
    while True:
        s = s * 1.7 + 0.1
        if s > 3.0:
            break
    return s * x


def early_return(x):
    if x < 0:
        return -x * 3.0
    y = x * x
    return y + 1


def return_in_loop(x):
    for i in range(10):
        x = x * 1.5
        if x > 5.0:
            return x * 2.0
    return x


def return_in_nested_loop(x):
    for i in range(4):
        for j in range(4):
            x = x * 1.2 + 0.1
            if x > 4.0:
                return np.sin(x) * x
    return x


def augmented(x):
    y = x
    y += 2.0
    y *= x
    y -= 1.0
    y /= 3.0
    y **= 2
    return y


def tuples(x, y):
    a, b = x, y
    a, b = b, a * 2.0
    p = (a, b)
    c, d = p
    return c * d


def _pair(x):
    return x * 2.0, x * x


def tuple_from_call(x):
    u, v = _pair(x)
    return u + v


def _scale(a, b):
    return a * np.exp(b)


def calls_in_loop(x, y):
    t = _scale(x, y)
    for i in range(3):
        t = _scale(t, 0.1 * y)
    return t


def _inner(a):
    return np.tanh(a) * a


def _outer(a, k=2.0):
    return _inner(a * k) + a


def nested_calls_with_keywords(x):
    return _outer(x, k=3.0) + _outer(x)


def _descend(a, depth):
    if depth <= 0:
        return a
    return _descend(np.sin(a) * 1.1, depth - 1)


def recursion(x):
    return _descend(x, 4) * x


def broadcasting(x, b):
    return np.sum((x + b) ** 2 * b)


def math_module(x):
    return math.exp(math.sin(x)) + math.sqrt(x) + math.log(x) + math.tanh(x) + math.atan2(x, 2.0)


def not_differentiable_calls(x):
    n = len(x)
    k = int(np.argmax(x))
    z = np.zeros_like(x)
    return np.sum(x * x) / n + x[k] + np.sum(z) + float(np.shape(x)[0])


def stop_gradient(x):
    return x * s2s.stop_gradient(x)


def numpy_mix(x, y):
    a = np.where(x > y, x * y, np.maximum(x, 2 * y))
    b = np.sum(np.mean(np.outer(x, y), axis=0) ** 2)
    return np.sum(a) + b + np.sum(np.sqrt(np.abs(x) + 1.0))


def matrices(A, v):
    return np.sum(np.dot(A, v) ** 2) + np.sum(A.T @ A) + np.sum(np.transpose(A).reshape(-1) * 2.0)


def unused_argument(x, y):
    return np.sum(x * 2.0)


def constant_output(x):
    return 3.0


def parameter_reassigned(x):
    x = x * 2.0
    x = np.sin(x)
    return x


def keyword_default(x, scale=2.0):
    return x * scale


def constant_call_then_active(x):
    v = _descend(0.5, 1)  # no active argument: a constant
    v += x
    return v * x


def overwritten_in_loop(x, y, n):
    for i in range(n):
        y = x
    z = y
    return z * 1.0


def iterable_rebound_in_loop(x, y):
    v = np.sin(x)
    for e in v:
        v = v * y + e
    return np.sum(v)


def scalar_broadcast_then_sum(x, y):
    return np.sum(y + x) + np.sum(x * y) + np.mean(-x + y)


def _overwrite_in_loop(a, b):
    for i in range(2):
        b = a
    return b


def loop_zeroes_an_adjoint(x, y):
    return _overwrite_in_loop(0.5, y) * x + _overwrite_in_loop(x, y)


def calls_imported_function(x):
    from_other = othermodule.scaled_sine(x * 2.0)
    return from_other * x + scaled_sine(x)


def broadcast_scalar_then_reduce(x, y):
    return np.sin(np.sum(y - x)) + np.sum(np.exp(-x + y) * 0.1)


def return_array_sum_in_loop(x, n):
    for i in range(n):
        x = x * 1.5
        if np.sum(x) > 2.0:
            return np.sum(np.cos(x))
    return np.sum(x * x)


def break_in_nested_loop(x, y):
    v = y + 0.5
    for i in range(2):
        for e in x:
            if e > -10.0:
                v = v * 0.5
                break
            v = 0.5
    return v * np.sum(x)


def overwritten_in_both_branches(x, y):
    y = 0.5 if np.sum(x) > 0.0 else 0.25
    return y * np.sum(x)
