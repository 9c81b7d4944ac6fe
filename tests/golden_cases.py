"""Representative functions whose generated code is kept in tests/golden/.

A change to code generation shows up as a diff of those files: review it
like code. Regenerate with:  python tests/test_golden.py --update
"""
import numpy as np


def straight_line(x, y):
    return x * x * y + y + 2


def if_elif(x, y):
    if x > 1.0:
        z = x * y
    elif x > 0.0:
        z = np.sin(x) * y
    else:
        z = y
    return z * z


def for_loop(a, b):
    z = 0.0
    for i in range(100):
        z = a * np.cos(z + i) + z * np.sin(b - i)
    return z


def while_loop(x):
    k = 0
    s = x
    while k < 5:
        s = s * np.cos(s) + x
        k += 1
    return s


def with_break(x, n):
    s = x
    for i in range(n):
        s = np.sin(s) * x
        if s > 0.5:
            break
    return s


def with_continue(x, n):
    s = 0.0
    for i in range(n):
        if i % 2 == 1:
            continue
        s = s + x * i
    return s


def early_return(x):
    if x < 0:
        return -x * 3.0
    y = x * x
    return y + 1


def _affine(a, w):
    return np.tanh(a * w + 1.0)


def nested_calls(x, w):
    h = _affine(x, w)
    for i in range(3):
        h = _affine(h, w)
    return np.sum(h)


def _descend(a, depth):
    if depth <= 0:
        return a
    return _descend(np.sin(a) * 1.1, depth - 1)


def recursion(x):
    return _descend(x, 4) * x


def broadcasting(X, w, b):
    return np.sum((X * w + b) ** 2)


def mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2
    return np.mean((out - Y) ** 2)


def rnn(Wx, Wh, b, xs):
    h = np.zeros(Wh.shape[0])
    for x in xs:
        h = np.tanh(Wx @ x + Wh @ h + b)
    return 0.5 * np.sum(h * h)


def indexing_writes(x, a):
    y = np.zeros(len(x))
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = y[i - 1] * a + x[i]
    y[1:3] += x[:2]
    return np.sum(y * y)


def dict_parameters(params, x):
    h = np.tanh(params["W"] @ x + params["b"])
    return np.sum(h * h) * params["scale"]


def list_append_loop(x, w):
    hs = []
    h = x
    for k in range(3):
        h = np.tanh(w * h + k)
        hs.append(h)
    return sum(hs) + sum([np.sum(v * v) for v in hs])


def local_functions(x):
    sq = lambda t: t * t

    def damped(t, k=0.5):
        return k * np.sin(t)
    return np.sum(sq(x) + damped(x))


# name -> (function, wrt) for s2s.grad, or (function, wrt, mode) for s2s.jvp / s2s.hvp
def soundness(x, s):
    """Constructs whose exact derivative needs care (issue: no silently wrong derivative):
    a write with a repeated index (the last one wins), list repetition, a tuple entry
    never read (no cotangent, so no 0 * inf), and `s += ...` that rebinds a number but
    would write an array in place while `prev` still shares it (checked when it runs)."""
    y = x * 1.0
    y[[0, 0]] += s
    prev = s
    s += np.sum(y)
    pair = (np.sqrt(s - prev), 2.0)
    rows = [x] * 2
    return pair[1] * s + np.sum(rows[0] * rows[1])


import functools  # noqa: E402 -- here, so that the lines cited by the golden files above stay


def _apply(f, x):
    return f(x) * 2


def _shifted(a, x, b=1.0):
    return a * x + b


def function_values(w, x):
    """A lambda over `w` passed to a user function, a partial, and map: calls through function
    values are resolved when the code is generated, and become ordinary calls."""
    scaled = functools.partial(_shifted, w)
    ys = map(np.tanh, [x, scaled(x)])
    return np.sum(_apply(lambda t: w * np.sin(t), x)) + np.sum(sum(ys))


def element_loop(x):
    y = np.zeros_like(x)
    acc = 0.0
    for i in range(len(x)):
        acc = acc + np.sin(x[i])
        y[i] = acc
    return np.sum(y * y)


def trajectory(x0, k):
    """A simulation keeping its states: each step reads the row the step before wrote, three
    times (one read, one cotangent added to it per step)."""
    xs = np.zeros((11, x0.shape[0]))
    xs[0] = x0
    for t in range(10):
        xs[t + 1] = xs[t] - 0.05 * k * np.sin(xs[t]) + 0.02 * (np.roll(xs[t], 1) - xs[t])
    return np.sum(xs[-1] ** 2)


CASES = {
    "jvp_for_loop": (for_loop, (0, 1), "jvp"),
    "jvp_if_elif": (if_elif, (0, 1), "jvp"),
    "hvp_while_loop": (while_loop, 0, "hvp"),
    "hvp_if_elif": (if_elif, 0, "hvp"),
    "straight_line": (straight_line, (0, 1)),
    "if_elif": (if_elif, (0, 1)),
    "for_loop": (for_loop, (0, 1)),
    "while_loop": (while_loop, 0),
    "with_break": (with_break, 0),
    "with_continue": (with_continue, 0),
    "early_return": (early_return, 0),
    "nested_calls": (nested_calls, (0, 1)),
    "recursion": (recursion, 0),
    "broadcasting": (broadcasting, (1, 2)),
    "mlp": (mlp, (0, 1, 2, 3)),
    "rnn": (rnn, (0, 1, 2)),
    "indexing_writes": (indexing_writes, (0, 1)),
    "jvp_indexing_writes": (indexing_writes, (0, 1), "jvp"),
    "dict_parameters": (dict_parameters, 0),
    "list_append_loop": (list_append_loop, (0, 1)),
    "local_functions": (local_functions, 0),
    "function_values": (function_values, (0, 1)),
    "soundness": (soundness, (0, 1)),
    "jvp_soundness": (soundness, (0, 1), "jvp"),
    # code for arguments of known shapes (what s2s.grad runs for them; s2s grad --like writes it)
    "like_mlp": (mlp, (0, 1, 2, 3), "grad", lambda: (np.ones((20, 32)), np.ones(32), np.ones((32, 5)), np.ones(5),
                                                     np.ones((64, 20)), np.ones((64, 5)))),
    "like_rnn": (rnn, (0, 1, 2), "grad", lambda: (np.ones((16, 8)), np.ones((16, 16)), np.ones(16), np.ones((50, 8)))),
    "like_broadcasting": (broadcasting, (1, 2), "grad", lambda: (np.ones((4, 3)), np.ones(3), 0.5)),
    "like_for_loop": (for_loop, (0, 1), "grad", lambda: (np.float64(0.3), 0.2)),
    "element_loop": (element_loop, 0),
    "checkpoint_rnn": (rnn, (0, 1, 2), "grad", None, {"checkpoint": True}),
    "checkpoint_with_break": (with_break, 0, "grad", None, {"checkpoint": 4}),
    "like_element_loop": (element_loop, 0, "grad", lambda: (np.ones(8),)),
    "trajectory": (trajectory, (0, 1)),
    "like_trajectory": (trajectory, (0, 1), "grad", lambda: (np.ones(4), 0.8)),
}


def predict(layers, x):
    for W, b in layers:
        x = np.tanh(x @ W + b)
    return x


def list_of_layers(layers, x, y):   # autograd's examples: a list of (W, b), a helper given it
    out = predict(layers, x)
    penalty = sum(np.sum(W * W) for W, b in layers)
    return np.mean((out - y) ** 2) + 0.01 * penalty


# code for known shapes of a list of layers and of a dict of arrays (transforms/unroll_trees.py)
CASES["like_list_of_layers"] = (list_of_layers, 0, "grad", lambda: (
    [(np.ones((3, 4)), np.ones(4)), (np.ones((4, 2)), np.ones(2))], np.ones((5, 3)), np.ones((5, 2))))
CASES["like_dict_parameters"] = (dict_parameters, 0, "grad", lambda: (
    {"W": np.ones((4, 3)), "b": np.ones(4), "scale": np.ones(1)}, np.ones(3)))
