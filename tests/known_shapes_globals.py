"""Functions whose helpers, inlined into code for known shapes, read globals named as the names
inlining makes (`s_1` for a second `s`, `x_1` for `x` assigned again, `<helper>_out` for a
helper's value): the new names took them (wrong gradients from the second call on, or errors).
Checked by tests/test_known_shapes.py."""
import numpy as np

s_1 = 3.0
x_1 = np.array([2.0, 2.0, 2.0])
x_2 = 3.0
helper_out = 0.5


def _sine_scaled(z):
    s = np.sin(z)   # (the caller has an `s` too: this one is renamed)
    return s * s_1


def local_named_as_a_global(x):
    s = np.sum(x)
    return np.sum(_sine_scaled(x)) + s


def _scaled(z):
    return z * x_1


def version_named_as_a_global(x):
    y = np.sin(x)
    x = _scaled(y)   # (the second `x`)
    return np.sum(x * x)


def _shifted(z):
    return z * 2.0 + x_2


def versions_named_as_globals(x):
    x = np.sin(x)
    x = _shifted(x)
    x = x * x
    return np.sum(x)


def helper(z):
    return np.tanh(z) * helper_out


def value_named_as_a_global(x):
    return np.sum(helper(x) ** 2)
