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


def _weighted_keys(params, x):
    s = 0.0
    for name in params:
        s = s * 2.0 + len(name) * np.sum(x ** 2)
    return s


def loop_over_dict_in_a_helper(params, x):
    return _weighted_keys(params, x) * np.sum(x)


def loop_over_a_set(keys, x):
    """Python iterates a set in its own order: refused when the derivative runs (TypeError)."""
    s = 0.0
    for k in keys:
        s = s * 2.0 + k * np.sum(x)
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


def _add_to_first(pair):
    a, b = pair
    a += b
    return a * b


def helper_adds_to_a_number_entry(x):
    """The entry is a number: `a += b` rebinds it, and the derivative is exact."""
    s = np.sum(x * x)
    return _add_to_first((s, np.sum(np.sin(x)))) + s


def helper_writes_through_an_unpacked_entry(x):
    z = x * 1.0
    pair = [z, x]
    return _scale_unpacked(pair) + np.sum(z)


def _adds_to_an_entry(a, b):
    v0, v1 = (b[0] if a > 0.0 else a), a * 2.0
    for i0 in range(1, 3):
        v0 += np.sin(b[i0])
    return v0 * v1


def helper_adds_to_a_number_read_from_an_entry(x):
    """`b[0]` of a 1-D array is a number: `v0 += ...` rebinds it, and the derivative is exact."""
    return _adds_to_an_entry(1.5, x) + np.sum(x)


def helper_adds_to_a_row_read_from_an_entry(x):
    b = np.stack([x, 2.0 * x, x ** 2])  # `b[0]` is a view of the first row: `v0 += ...` writes into `b`
    return np.sum(_adds_to_an_entry(1.5, b)) + np.sum(b)

# ---- a list changed by a method while another name is (or holds) it --------------------------

def alias_then_append(x):
    xs = [x]
    k = xs
    xs.append(x * 3.0)
    return np.sum(sum(k))


def alias_then_append_last(x):
    xs = [x]
    k = xs
    xs.append(x * 3.0)
    return np.sum(k[-1])


def held_then_extended(x):
    xs = [x]
    pair = (xs, 2.0)
    xs.extend([x * 3.0, np.sin(x)])
    return np.sum(sum(pair[0])) * pair[1]


def alias_then_insert(x):
    xs = [x]
    k = xs
    xs.insert(0, x * 3.0)
    return np.sum(k[0])


def alias_then_pop(x):
    xs = [x, x * 3.0]
    k = xs
    v = xs.pop()
    return np.sum(sum(k)) + np.sum(v)


def append_through_an_element(x):
    rows = [[x], [x * 2.0]]
    first = rows[0]
    first.append(np.sin(x))
    return np.sum(sum(rows[0]))


def dict_alias_then_update(x):
    d = {"a": x}
    e = d
    d.update({"a": x * 3.0})
    return np.sum(e["a"])


def copies_then_append(x):
    """Copies and elements taken before the change keep their values: nothing to refuse."""
    h = x * 1.0
    hs = [h]
    last = hs[-1]
    before = list(hs)
    longer = hs + [h * 2.0]
    for i in range(2):
        h = np.tanh(h)
        hs.append(h)
    return np.sum(sum(hs)) + np.sum(last * sum(before)) + np.sum(sum(longer) ** 2)


# ---- a helper writing into an entry of a copy of a list parameter --------------------------------
# A copy of a list (`xs.copy()`, `list(xs)`, `xs + zs`, `xs * 2`, `d.copy()`) is a new list holding
# the caller's arrays: `v = ys[0]; v += 1.0` changes the caller's `xs[0]`. The summaries saw the copy
# as sharing nothing with `xs`, and the gradients were silently wrong. A copy of an array of numbers
# holds numbers of its own: nothing to refuse there.

def _adds_to_a_copied_entry(xs):
    ys = xs.copy()
    v = ys[0]
    v += 1.0
    return np.sum(v)


def helper_adds_to_an_entry_of_a_copied_list(x):
    xs = [x * 1.0]
    r = _adds_to_a_copied_entry(xs)
    return r + np.sum(xs[0] ** 2)


def _adds_to_an_entry_of_a_list_call(xs):
    ys = list(xs)
    v = ys[0]
    v += 1.0
    return np.sum(v)


def helper_adds_to_an_entry_of_a_list_call(x):
    xs = [x * 1.0]
    r = _adds_to_an_entry_of_a_list_call(xs)
    return r + np.sum(xs[0] ** 2)


def _adds_to_an_entry_of_a_concatenation(xs, zs):
    ys = xs + zs
    v = ys[0]
    v += 1.0
    return np.sum(v)


def helper_adds_to_an_entry_of_a_concatenation(x):
    xs = [x * 1.0]
    r = _adds_to_an_entry_of_a_concatenation(xs, [x])
    return r + np.sum(xs[0] * xs[0])


def _adds_to_an_entry_of_a_repetition(xs):
    ys = xs * 2
    v = ys[1]
    v += 1.0
    return np.sum(v)


def helper_adds_to_an_entry_of_a_repeated_list(x):
    xs = [x * 1.0]
    r = _adds_to_an_entry_of_a_repetition(xs)
    return r + np.sum(xs[0] ** 2)


def _adds_to_a_copied_value(d):
    e = d.copy()
    v = e["w"]
    v += 1.0
    return np.sum(v)


def helper_adds_to_a_value_of_a_copied_dict(x):
    d = {"w": x * 1.0}
    r = _adds_to_a_copied_value(d)
    return r + np.sum(d["w"] ** 2)


def _sets_a_copied_entry(xs):
    ys = xs.copy()
    r = ys[0]
    r[0] = 5.0
    return np.sum(r)


def helper_sets_an_entry_of_a_copied_list(x):
    xs = [x * 1.0]
    r = _sets_a_copied_entry(xs)
    return r + np.sum(xs[0] ** 2)


def _copy_of(xs):
    return xs.copy()


def _adds_to_an_entry_of_a_returned_copy(xs):
    ys = _copy_of(xs)
    v = ys[0]
    v += 1.0
    return np.sum(v)


def helper_adds_to_an_entry_of_a_copy_a_helper_returns(x):
    xs = [x * 1.0]
    r = _adds_to_an_entry_of_a_returned_copy(xs)
    return r + np.sum(xs[0] ** 2)


def _sets_an_entry_of_a_list_call(xs):
    ys = list(xs)
    r = ys[0]
    r[0] = 5.0
    return np.sum(r)


def helper_sets_an_entry_of_a_list_call(x):
    xs = [x * 1.0]
    r = _sets_an_entry_of_a_list_call(xs)
    return r + np.sum(xs[0] ** 2)


def helper_adds_to_a_copied_entry_of_a_list_not_read_again(x):
    """`xs` is dead after the call: the helper is given a copy of it and of what it holds."""
    xs = [x * 1.0]
    return _adds_to_a_copied_entry(xs) + np.sum(x ** 2)


def _sets_a_copied_row(m):
    c = m.copy()
    r = c[1]
    r[0] = 3.0
    return np.sum(r * r)


def _adds_to_a_row_of_a_sum(m, n):
    s = m + n
    r = s[0]
    r += 1.0
    return np.sum(r * r)


def helper_writes_into_rows_of_copies_of_a_matrix(x):
    """The copy of an array of numbers (`m.copy()`, `m + n`) holds numbers of its own."""
    m = np.outer(x, x)
    return _sets_a_copied_row(m) + _adds_to_a_row_of_a_sum(m, m) + np.sum(m * m)


def _adds_to_arithmetic_of_an_entry_and_a_view(params, idx):
    w = params[0]
    z = w * 2.0           # a new array: `+=` on it changes nothing of `params`
    z += 1.0
    t = params[1].T[idx] * 3.0   # (a fancy index of a view: a new array too)
    t += z[idx]
    return np.sum(t * t) + np.sum(z)


def helper_adds_to_arithmetic_of_entries_of_a_list(x):
    params = [np.outer(x, x), np.outer(x, x ** 2)]
    return _adds_to_arithmetic_of_an_entry_and_a_view(params, np.array([2, 0])) + np.sum(params[0] * params[1])


# ---- x ** p with a constant p at a negative x: the exponent's part must not be 0 * NaN ---------

def _scaled_power(a, x, p):
    return a * x ** p


def power_through_a_helper(x):
    return np.sum(_scaled_power(1.5, x, 2.0)) + np.sum(np.power(x, 3.0) * x)


def builtin_pow_through_a_helper(x):
    return np.sum(_scaled_power(0.5, x, 3)) + pow(x[1], 2.0) * x[0]


ISSUE_10_SOUNDNESS = [
    (power_through_a_helper, [(_X,)], 0),
    (builtin_pow_through_a_helper, [(_X,)], 0),
    (helper_adds_to_a_number_entry, [(_X,)], 0),
    (helper_adds_to_a_number_read_from_an_entry, [(_X,)], 0),
    (copies_then_append, [(_X,)], 0),
    (loop_over_dict_keys, [({1: 0.5, 0: -1.0, 3: 2.0}, _X)], 1),
    (loop_over_string_keys, [({"ab": 1.0, "c": 2.0}, _X)], 1),
    (loop_over_list_parameter, [([_X * 2.0, np.cos(_X)], _X), ((_X * 2.0, np.cos(_X)), _X)], (0, 1)),
    (loop_over_array_rows, [(np.array([[0.3, 0.1, -0.4], [1.1, -0.5, 0.2]]), _X)], (0, 1)),
    (enumerate_dict, [({2: 0.5, 1: -1.0}, _X)], 1),
    (loop_over_dict_in_a_helper, [({"bb": 0.5, "a": -1.0}, _X)], 1),
    (helper_adds_to_a_copied_entry_of_a_list_not_read_again, [(_X,)], 0),
    (helper_writes_into_rows_of_copies_of_a_matrix, [(_X,)], 0),
    (helper_adds_to_arithmetic_of_entries_of_a_list, [(_X,)], 0),
]

# `a *= 2.0` on an entry of a tuple or list argument writes the caller's array: the derivative
# raises `InPlaceWriteError` when it runs on one (a number entry is rebound, which is exact); so
# does `v0 += e` on `v0 = b[0]`, a row of a 2-D `b` (on a 1-D `b`, a number, it is exact)
ISSUE_10_SOUNDNESS_REFUSED_WHEN_RUN = [
    (helper_writes_through_an_entry, [(_X,)]),
    (helper_writes_through_an_unpacked_entry, [(_X,)]),
    (helper_adds_to_a_row_read_from_an_entry, [(_X,)]),
    # the entries of a copy of a list are the list's entries (they were silently wrong)
    (helper_adds_to_an_entry_of_a_copied_list, [(_X,)]),
    (helper_adds_to_an_entry_of_a_list_call, [(_X,)]),
    (helper_adds_to_an_entry_of_a_concatenation, [(_X,)]),  # its reverse mode: a TypeError
    (helper_adds_to_an_entry_of_a_repeated_list, [(_X,)]),
    (helper_adds_to_a_value_of_a_copied_dict, [(_X,)]),
    (helper_sets_an_entry_of_a_copied_list, [(_X,)]),   # `xs.copy()` of an array would hold numbers
    (helper_adds_to_an_entry_of_a_copy_a_helper_returns, [(_X,)]),
]

ISSUE_10_SOUNDNESS_REFUSED = [
    (alias_then_append, [(_X,)]),  # `k` is the list `xs`: it sees the append
    (alias_then_append_last, [(_X,)]),
    (held_then_extended, [(_X,)]),
    (alias_then_insert, [(_X,)]),
    (alias_then_pop, [(_X,)]),
    (append_through_an_element, [(_X,)]),
    (dict_alias_then_update, [(_X,)]),
    (helper_sets_an_entry_of_a_list_call, [(_X,)]),  # `list(xs)[0]` is `xs[0]`, whatever `xs` is
]
