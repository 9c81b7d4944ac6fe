"""NumPy idioms of autograd's test suite that s2s refused (issue 10, items 5 and 6): tests/test_data.py
checks each program of ISSUE_10_NUMPY2 in reverse mode, forward mode and second order against
finite differences; ISSUE_10_NUMPY2_BOOL are functions whose output is a bool, refused in every
mode with an error that is also a TypeError (autograd's test_nograd)."""
import operator as op

import numpy as np

import corpus_data as c
import corpus_issue10_language as c10l
import s2s

_R = np.random.default_rng(1012)
_C = _R.standard_normal((2, 3))
_D = _R.standard_normal((4, 4, 3))
_E = _R.standard_normal((3, 4, 4))


# ---- np.r_ and np.c_: joins written as indexing ---------------------------------------------------

_K = _R.standard_normal((3, 2))
_K10 = _R.standard_normal(10)


def rc_r_basic(x):   # autograd's test_r_basic (an output that is an array: summed against weights)
    return np.sum(np.r_[x] * _K)


def rc_r_double_mixed(x):   # autograd's test_r_double, test_r_node_and_const and test_r_mixed
    b = np.r_[x, x] * np.r_[x, _K] + np.r_[x, _K, x][1:7]
    return np.sum(np.sin(b))


def rc_r_slicing(x):   # autograd's test_r_slicing: a slice of numbers is a range
    b = np.r_[x, _K10, 1:10]
    return np.sum(np.cos(b) * np.arange(b.size))


def rc_r_numbers_and_points(x):   # numbers (0-d), a step that counts points (0:1:4j)
    b = np.r_[x[0] * x[1], 2.0, x, 0:1:4j, 3:0:-1]
    return np.sum(b ** 3)


def rc_c_mixed(x):   # autograd's test_c_ and test_c_mixed; a vector stands as a column
    b = np.c_[x, _K, x, x[:, 1] ** 2]
    return np.sum(np.tanh(b) * np.arange(b.size).reshape(b.shape))


def rc_c_numbers_and_range(x):   # np.c_ of numbers (1x1 each) and of a range (a column)
    return np.sum(np.c_[x[0, 0], 2.0, x[1, 1] * x[0, 1]] ** 2) + np.sum(np.c_[x[:, 0], 0:3] ** 3)


# ---- np.einsum in its sublist form: operands and their axis labels alternate --------------------------

def e2_matmult(x):   # autograd's test_einsum2_matmult: the output sublist given
    return np.sum(np.sin(np.einsum(_C, [0, 1], x, [1, 2], [0, 2])))


def e2_implicit_output(x):   # no output sublist: the labels seen once, in increasing order
    return np.sum(np.einsum(x, [2, 0], x * x, [2, 1]) ** 2)


def e2_first_operand(x):   # the first argument is differentiated: it is an operand, not subscripts
    return np.sum(np.cos(np.einsum(x, [0, 1], _C.T, [1, 2], [2, 0])))


def e2_ellipsis_and_trace(x):   # `...` in sublists; a repeated label on one operand (a diagonal)
    y = np.einsum(_D, [Ellipsis, 1, 2], x, [2, 0], [Ellipsis, 1, 0])
    return np.sum(y ** 2) + np.einsum(x[:, :3] * x[:, 1:], [0, 0])


def e2_three_operands(x, sub):   # autograd's test_einsum2_three_args, with the sublists passed in
    return np.sum(np.tanh(np.einsum(_E, sub[0], x, sub[1], _D, sub[2], sub[3])))


ISSUE_10_NUMPY2 = [
    (rc_r_basic, [(_R.standard_normal((3, 2)),)], 0),
    (rc_r_double_mixed, [(_R.standard_normal((3, 2)),)], 0),
    (rc_r_slicing, [(_R.standard_normal(10),)], 0),
    (rc_r_numbers_and_points, [(_R.standard_normal(3),)], 0),
    (rc_c_mixed, [(_R.standard_normal((3, 2)),)], 0),
    (rc_c_numbers_and_range, [(_R.standard_normal((3, 2)),)], 0),
    (c.i9_r_, [(c._X9,)], 0),   # refused before issue 10 (ISSUE_9_REFUSED)
    (c.i9_c_, [(c._X9,)], 0),
    (c.i9_einsum_sublists, [(c._X9,)], 0),
    (e2_matmult, [(_R.standard_normal((3, 4)),)], 0),
    (e2_implicit_output, [(_R.standard_normal((3, 2)),)], 0),
    (e2_first_operand, [(_R.standard_normal((3, 3)),)], 0),
    (e2_ellipsis_and_trace, [(_R.standard_normal((3, 4)),)], 0),
    (e2_three_operands, [(_R.standard_normal((4, 4, 3)), ((0, 1, 2), (3, 1, 0), (3, 3, 0), (3, 2, 0)))], 0),
]


# ---- sorted with a key: a permutation, whatever the key compares -------------------------------------

def sk_items_values_keys(d):   # autograd's test_items_values_keys
    a, b = 0.0, 0.0
    for i, (k, v) in enumerate(sorted(d.items(), key=op.itemgetter(0))):
        a = a + np.sum(np.sin(v)) * (i + 1.0)
        b = b + np.sum(np.cos(v))
    for v in d.values():
        a = a + np.sum(np.sin(v))
    for k in sorted(d.keys()):
        a = a + np.sum(np.cos(d[k]))
    return a + b


def sk_by_len(x):   # a builtin key of constant results
    parts = [x[:3], x[3:4] * 2.0, x[4:] ** 2]
    return sum(np.sum(p) * (i + 1.0) for i, p in enumerate(sorted(parts, key=len)))


def sk_by_differentiated_value(x):   # a lambda comparing differentiated numbers: the derivative is permuted
    ys = sorted([x[0], x[1] * 2.0, x[2] ** 2], key=lambda v: -v)
    return ys[0] * 3.0 + ys[1] * ys[2]


def sk_by_local_function(x):   # a local def reading a closure value, reversed
    weights = {"a": 2.0, "b": 0.5, "c": 1.0}

    def weight(pair):
        return weights[pair[0]]
    pairs = [("a", x[0]), ("b", x[1] * x[2]), ("c", np.sin(x[2]))]
    out = 0.0
    for i, (name, value) in enumerate(sorted(pairs, key=weight, reverse=True)):
        out = out + (i + 1.0) * value ** 2
    return out



def sk_gradient_inside(d):   # autograd's test_items_values_keys, second part: a gradient of that gradient
    g = s2s.grad(sk_items_values_keys)(d)
    return np.sum(g["item_1"]) + np.sum(np.sin(g["item_1"])) + np.sum(np.sin(g["item_2"]))


ISSUE_10_NUMPY2 += [
    (sk_items_values_keys, [({"item_1": _R.standard_normal((2, 3)), "item_2": _R.standard_normal(4),
                              "item_X": _R.standard_normal((2, 2))},)], 0),
    (sk_gradient_inside, [({"item_1": _R.standard_normal((2, 3)), "item_2": _R.standard_normal(4),
                            "item_X": _R.standard_normal((2, 2))},)], 0),
    (c10l.sorted_with_key, [(c10l._X,)], 0),   # refused before (ISSUE_10_LANGUAGE_REFUSED)
    (sk_by_len, [(_R.standard_normal(7),)], 0),
    (sk_by_differentiated_value, [(np.array([0.3, -0.4, 1.1]),), (np.array([-0.9, 0.2, 0.5]),)], 0),
    (sk_by_local_function, [(_R.standard_normal(3),)], 0),
]


# ---- a bool output carries no derivative ------------------------------------------------------------

def bool_allclose(x):   # autograd's test_nograd
    return np.allclose(x, x * 3.0 / 3.0)


def bool_compare(x):   # an array of bools: its derivative is zero (autograd's test_eq ... test_gt)
    y = np.sum(x ** 2)
    return y > 1.0


def bool_either(x):
    if x[0] > 0:
        ok = np.array_equal(x, x)
    else:
        ok = np.isclose(x[1], 0.0)
    return ok


ISSUE_10_NUMPY2_BOOL = [bool_allclose, bool_either]


def rc_float32(x):   # a Python number is weak in np.r_'s dtype: float32 stays float32
    y = np.r_[x, 2.0, x[:1] * 3.0]
    return np.sum(y * y)
