"""Issue 10, the Python-language part: dict methods, sorted, reversed, boolean masks and
defaults of local functions, as people write them. tests/test_data.py runs ISSUE_10_LANGUAGE in
reverse mode, forward mode and second order against finite differences; ISSUE_10_LANGUAGE_REFUSED
must be refused when the derivative is built, in every mode, at the user's line."""
import math

import numpy as np

_X = np.array([0.3, -0.7, 1.2])
_P = {"W": np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.6]]), "b": np.array([0.1, -0.4])}


# ---- dicts: .get, .items, .values, .keys, len, in -------------------------------------------

def dict_get(x):
    d = {"a": x * 2.0, "b": np.sin(x)}
    return np.sum(d.get("a") * d.get("b"))


def dict_copied(x):   # the tangent of `d.copy()` was np.copy of a dict (IndexError in forward mode)
    d = {"a": x, "b": 2.0 * x}
    e = d.copy()
    return np.sum(e["a"] * e["b"] + np.cos(e["a"]))


def dict_get_default(x):
    d = {"a": x * 2.0}
    scale = d.get("scale", -0.5)
    return np.sum(d.get("a", 1.0) * d.get("c", x)) * scale


def dict_get_missing_is_none(x):
    d = {"a": x * 2.0}
    extra = d.get("bias")
    y = d["a"] * x
    if extra is not None:
        y = y + extra
    return np.sum(y)


def dict_items_loop(x):
    d = {"a": x * 2.0, "b": np.sin(x)}
    s = 0.0
    for k, v in d.items():
        s = s * 1.5 + np.sum(v * v) * len(k)
    return s


def dict_values_sum(x):
    d = {"a": x * 2.0, "b": np.sin(x), "c": x ** 3}
    return np.sum(sum(d.values()) ** 2)


def dict_keys_loop(x):
    d = {"a": x * 2.0, "b": np.sin(x)}
    s = 0.0
    for k in d.keys():
        s = s * 2.0 + np.sum(d[k] ** 2)
    return s


def dict_iterated(x):
    d = {"a": x * 2.0, "b": np.sin(x)}
    s = 0.0
    for k in d:
        s = s * 2.0 + np.sum(d[k])
    return s ** 2


def dict_len_and_in(x):
    d = {"a": x * 2.0, "b": np.sin(x)}
    s = np.sum(x) * len(d)
    if "a" in d and "z" not in d.keys():
        s = s + np.sum(d["a"] ** 2)
    return s


def dict_comprehensions(x):
    d = {"a": x * 2.0, "b": np.sin(x), "c": np.cos(x)}
    squares = [np.sum(v ** 2) for v in d.values()]
    named = [np.sum(v) * len(k) for k, v in d.items() if k != "b"]
    return sum(squares) + sum(named) ** 2


def params_items(params, x):
    """A dict parameter (autograd style): its entries read by key in a loop over items."""
    total = 0.0
    for name, value in params.items():
        total = total + np.sum(np.tanh(value)) * (2.0 if name == "W" else 1.0)
    return total + np.sum(params["W"] @ x + params.get("b", 0.0))


def params_values_and_keys(params, x):
    reg = sum([np.sum(v ** 2) for v in params.values()])
    n = 0
    for k in params.keys():
        n = n + 1
    return reg / n + np.sum(np.tanh(params["W"] @ x + params["b"]))


def params_iterated(params, x):
    """`for k in params` over a dict parameter, reading params[k]: Python iterates the keys."""
    total = 0.0
    for k in params:
        total = total + np.sum(np.sin(params[k])) * (1.5 if k == "b" else 1.0)
    return total * np.sum(x ** 2)


def permutation_loop(x):
    """`for i in order: ... order[i]` on a list of ints: its elements, as Python iterates them."""
    order = [2, 0, 1]
    s = 0.0
    for i in order:
        s = s * 2.0 + x[order[i]] * x[i]
    return s


def items_as_list(x):
    d = {"b": x * 2.0, "a": np.sin(x)}
    pairs = list(d.items())
    first_key, first = pairs[0]
    return np.sum(first * pairs[1][1]) * len(first_key)


# ---- sorted ----------------------------------------------------------------------------------

def sorted_keys(x):
    d = {"b": x * 2.0, "a": np.sin(x), "c": x ** 2}
    s = 0.0
    for k in sorted(d):
        s = s * 2.0 + np.sum(d[k])
    return s


def sorted_items(x):
    d = {"b": x * 2.0, "a": np.sin(x), "c": x ** 2}
    s = 0.0
    for k, v in sorted(d.items(), reverse=True):
        s = s * 2.0 + np.sum(v)
    return s


def sorted_items_as_value(x):
    d = {"b": x[0] * 2.0, "a": np.sin(x[1]), "c": x[2]}
    pairs = sorted(d.items())
    return pairs[0][1] * 3.0 + pairs[1][1] ** 2 - pairs[2][1] * pairs[0][1]


def sorted_numbers(x):
    """Sorting differentiable numbers: the gradient follows the permutation."""
    ys = sorted([x[0], x[1] * 2.0, x[2]])
    return ys[0] * 1.0 + ys[1] * 2.0 + ys[2] ** 2


def sorted_array_reverse(x):
    ys = sorted(x * 2.0, reverse=True)
    return ys[0] * 3.0 + ys[1] ** 2 - ys[2] * ys[0]


def sorted_dict_values(x):
    d = {"b": x[0] * 2.0, "a": np.sin(x[1]), "c": x[2]}
    ys = sorted(d.values())
    return ys[0] * 3.0 + ys[1] ** 2 - ys[2] * ys[0]


# ---- reversed --------------------------------------------------------------------------------

def reversed_range(x):
    s = 0.0
    for i in reversed(range(len(x))):
        s = s * 2.0 + x[i]
    return s ** 2


def reversed_range_step(x):
    s = 0.0
    for i in reversed(range(0, 3, 2)):
        s = s * 2.0 + x[i] ** 2
    return s


def reversed_list(x):
    xs = [x[0], x[1] * 2.0, np.sin(x[2])]
    s = 0.0
    for v in reversed(xs):
        s = s * 2.0 + v
    return s ** 2


def reversed_tuple_comprehension(x):
    t = (x[0], x[1] * x[2], np.cos(x[2]))
    return sum([v * (i + 1.0) for i, v in enumerate(reversed(t))]) ** 2


def reversed_array(x):
    s = 0.0
    for v in reversed(x):
        s = s * 2.0 + v
    return s ** 2


def reversed_as_value(x):
    ys = list(reversed(x * 2.0))
    return ys[0] * 3.0 + ys[1] ** 2 - ys[2]


def reversed_items(x):
    d = {"b": x * 2.0, "a": np.sin(x), "c": x ** 2}
    s = 0.0
    for k, v in reversed(d.items()):
        s = s * 2.0 + np.sum(v)
    return s


# ---- boolean masks: &, |, ^, ~ ---------------------------------------------------------------

def mask_and(x):
    b = x * 0.5
    return np.sum(np.where((x > 0) & (b < 1), x ** 2, np.sin(x)))


def mask_or_xor_not(x):
    m = ~((x > 0) ^ (x > 1)) | (x < -0.5)
    return np.sum(np.where(m, x ** 3, x) * (m | False))


def mask_as_weight(x):
    m = ~(x > 0)
    m &= x < 1.0
    return np.sum(np.where(m, x, 2.0 * x) * m + x * x)


def mask_on_booleans(x):
    s = np.sum(x)
    a = s > 0
    b = s < 2
    if (a & b) ^ (not a) or ~a == -1:
        return s * s
    return s


# ---- defaults of local functions and helpers ---------------------------------------------------

def _helper_with_defaults(t, a=-1, b=-0.5, c=2 * np.pi, e=1e-3 / 2, shape=(1, 2), n=None):
    if n is None:
        return np.sin(c * t) * a + b * t * t + e * t * len(shape)
    return t


def helper_defaults(x):
    return np.sum(_helper_with_defaults(x)) + np.sum(_helper_with_defaults(x, b=-2.0, n=None))


def local_def_defaults(x):
    def g(t, a=-1, b=-0.5, c=2 * np.pi, e=1e-3 / 2, shape=(1, 2), n=None, s=-math.pi / 2):
        return np.sin(c * t + s) * a + b * t * t + e * t * len(shape) if n is None else t
    return np.sum(g(x)) + np.sum(g(x, a=2))


def lambda_defaults(x):
    g = lambda t, c=2 * np.pi, k=-0.5: np.sin(c * t) * k
    return np.sum(g(x)) + np.sum(g(x, 1.0))


ISSUE_10_LANGUAGE = [
    (dict_get, [(_X,)], 0),
    (dict_copied, [(_X,)], 0),
    (dict_get_default, [(_X,)], 0),
    (dict_get_missing_is_none, [(_X,)], 0),
    (dict_items_loop, [(_X,)], 0),
    (dict_values_sum, [(_X,)], 0),
    (dict_keys_loop, [(_X,)], 0),
    (dict_iterated, [(_X,)], 0),
    (dict_len_and_in, [(_X,)], 0),
    (dict_comprehensions, [(_X,)], 0),
    (params_items, [(_P, _X)], (0, 1)),
    (params_values_and_keys, [(_P, _X)], (0, 1)),
    (params_iterated, [(_P, _X)], (0, 1)),
    (permutation_loop, [(_X,)], 0),
    (items_as_list, [(_X,)], 0),
    (sorted_keys, [(_X,)], 0),
    (sorted_items, [(_X,)], 0),
    (sorted_items_as_value, [(_X,)], 0),
    (sorted_numbers, [(_X,), (np.array([2.0, -0.3, 0.1]),)], 0),
    (sorted_array_reverse, [(_X,)], 0),
    (sorted_dict_values, [(_X,)], 0),
    (reversed_range, [(_X,)], 0),
    (reversed_range_step, [(_X,)], 0),
    (reversed_list, [(_X,)], 0),
    (reversed_tuple_comprehension, [(_X,)], 0),
    (reversed_array, [(_X,)], 0),
    (reversed_as_value, [(_X,)], 0),
    (reversed_items, [(_X,)], 0),
    (mask_and, [(np.array([0.3, -0.7, 1.2, 2.5]),)], 0),
    (mask_or_xor_not, [(np.array([0.3, -0.7, 1.2, 2.5, -0.2]),)], 0),
    (mask_as_weight, [(np.array([0.3, -0.7, 1.2, 2.5]),)], 0),
    (mask_on_booleans, [(_X,), (np.array([-0.3, -0.7, 0.2]),), (np.array([3.0, 0.7, 1.2]),)], 0),
    (helper_defaults, [(_X,)], 0),
    (local_def_defaults, [(_X,)], 0),
    (lambda_defaults, [(_X,)], 0),
]


# ---- refused when the derivative is built ------------------------------------------------------

def sorted_with_key(x):
    ys = sorted([x[0], x[1] * 2.0, x[2]], key=abs)
    return ys[0] * 2.0 + ys[1]


def stored_view_of_written_dict(x):
    d = {"a": x * 2.0, "b": np.sin(x)}
    vs = d.values()
    d["a"] = x * 3.0
    return np.sum(sum(vs))


def local_default_reads_a_local(x):
    scale = 2.0

    def g(t, c=scale):
        return t * c
    return np.sum(g(x))


def dict_from_pairs_and_keywords(x):   # autograd's test_make_dict
    d = dict([("a", x)], b=np.sin(x))
    e = dict({"c": x * 2.0}, a=d["b"])
    return np.sum(d["a"] * d["b"] + e["c"] * e["a"] + dict(w=x)["w"])


make_dict = dict   # autograd's tests call its own dict under another name


def dict_under_another_name(x):
    d = make_dict([("a", x)], b=x * 2.0)
    return np.sum(d["a"] * d["b"])


ISSUE_10_LANGUAGE += [
    (dict_from_pairs_and_keywords, [(_X,), (0.4,)], 0),
    (dict_under_another_name, [(_X,)], 0),
]


ISSUE_10_LANGUAGE_REFUSED = [
    (stored_view_of_written_dict, [(_X,)]),  # a view kept in a name would not see d["a"] = ...
    (local_default_reads_a_local, [(_X,)]),  # Python reads `scale` when `g` is defined; s2s inlines calls
]
