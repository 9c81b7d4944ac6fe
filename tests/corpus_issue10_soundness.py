"""Issue 10, soundness: derivatives that were silently wrong. tests/test_data.py runs
ISSUE_10_SOUNDNESS in reverse mode, forward mode and second order against finite differences;
ISSUE_10_SOUNDNESS_REFUSED must be refused when the derivative is built, in every mode, at the
user's line."""
import numpy as np

_X = np.array([0.3, -0.7, 1.2])


# ---- a for loop over a parameter that may be a dict: Python iterates its keys ----------------

def loop_over_dict_keys(params, x):
    """Nothing here shows `params` is a dict: the loop must iterate its keys, in their order."""
    s = 0.0
    for k in params:
        s = s * 2.0 + k * np.sum(x ** 2)
    return s


def loop_over_string_keys(params, x):
    s = 0.0
    for name in params:
        s = s * 1.5 + len(name) * np.sum(np.sin(x))
    return s


def loop_over_list_parameter(xs, x):
    s = 0.0
    for v in xs:
        s = s * 2.0 + np.sum(v * x)
    return s


def loop_over_array_rows(m, x):
    s = 0.0
    for row in m:
        s = s + np.sum(np.tanh(row * x))
    return s


def enumerate_dict(params, x):
    s = 0.0
    for i, k in enumerate(params):
        s = s + (i + 1.0) * k * np.sum(x * x)
    return s


# ---- a helper writing in place through an entry of a container parameter ---------------------

def _scale_first(arrs):
    a = arrs[0]
    a *= 2.0  # in place on an array: the caller's `z` changes
    return np.sum(a)


def helper_writes_through_an_entry(x):
    z = x * 1.0
    y = x * 1.0
    return _scale_first((z, y)) + np.sum(z)


def _scale_unpacked(arrs):
    a, b = arrs
    a *= 2.0
    return np.sum(a * b)


def helper_writes_through_an_unpacked_entry(x):
    z = x * 1.0
    pair = [z, x]
    return _scale_unpacked(pair) + np.sum(z)

ISSUE_10_SOUNDNESS = [
    (loop_over_dict_keys, [({1: 0.5, 0: -1.0, 3: 2.0}, _X)], 1),
    (loop_over_string_keys, [({"ab": 1.0, "c": 2.0}, _X)], 1),
    (loop_over_list_parameter, [([_X * 2.0, np.cos(_X)], _X), ((_X * 2.0, np.cos(_X)), _X)], (0, 1)),
    (loop_over_array_rows, [(np.array([[0.3, 0.1, -0.4], [1.1, -0.5, 0.2]]), _X)], (0, 1)),
    (enumerate_dict, [({2: 0.5, 1: -1.0}, _X)], 1),
]

ISSUE_10_SOUNDNESS_REFUSED = [
    (helper_writes_through_an_entry, [(_X,)]),  # `a *= 2.0` on `arrs[0]` writes the caller's array
    (helper_writes_through_an_unpacked_entry, [(_X,)]),
]
