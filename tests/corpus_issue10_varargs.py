"""Issue 10, `*args` and `**kwargs`: corpus cases that tests/test_data.py runs in reverse mode,
forward mode and second order against finite differences (ISSUE_10_VARARGS, as ISSUE_9_CASES).

A positional `wrt` index past `*xs` names an entry of it (wrt=0 of `star(*xs)` is xs[0]).
Functions that take `**kwargs` at the top are tested in tests/test_varargs.py (these cases
are called positionally).
"""
import numpy as np

_RNG = np.random.default_rng(10)
_A, _B, _C = (_RNG.normal(size=3) for _ in range(3))


# *args in the differentiated function
def v_star(*xs):
    return np.sum(xs[0] * np.sin(xs[1]))


def v_sum_of_squares(*xs):
    total = 0.0
    for x in xs:
        total = total + np.sum(x * x)
    return total


def v_mixed(x, *rest):
    s = np.sum(x * x)
    for k, r in enumerate(rest):
        s = s + (k + 1.0) * np.sum(np.cos(r) * x)
    return s


def v_unpack_args(*args):
    a, b = args
    return np.sum(a * np.exp(b))


# *args and **kwargs in helpers called from differentiated code
def _v_helper(*args, **kwargs):
    return np.sum(args[0] * args[1]) * kwargs["k"]


def v_calls_helper(x, y):
    return _v_helper(x, np.sin(y), k=np.sum(y))


def _v_passes(x, **opts):
    return _v_scaled(x, **opts)


def _v_scaled(x, **kw):
    return np.sum(x * kw["a"]) + np.sum(kw["a"] ** 2)


def v_keywords_through(x, y):
    return _v_passes(x, a=y * 2.0)


def _v_first_times_rest(first, *rest):
    out = first
    for r in rest:
        out = out * r
    return np.sum(out)


def v_explicit_and_starred(x, y):
    ys = [y, x * y]
    return _v_first_times_rest(x, np.cos(x), *ys)


# f(*xs): into *args, and into named parameters
def _v_star2(*xs):
    return xs[0] * xs[1]


def v_callstar(x):
    xs = [x, x * 2.0]
    return np.sum(_v_star2(*xs))


def _v_two(a, b):
    return np.sum(a * np.sin(b))


def v_params_star(w, b):
    params = [w * 2.0, b]
    return _v_two(*params)


# zip(*pairs) and starred assignment
def v_unzip(p, q):
    pairs = [(p, q), (q * 2.0, np.sin(p))]
    a, b = zip(*pairs)
    first, *rest = pairs
    return np.sum(a[0] * b[1]) + np.sum(first[1] * rest[0][0])


def v_zip_loop(p, q):
    pairs = [(p, q), (np.cos(q), p * q)]
    total = 0.0
    for a, b in zip(*pairs):
        total = total + np.sum(a * b)
    return total


def v_starred_middle(x, y):
    xs = [x, y, x * y, np.sin(y)]
    head, *middle, last = xs
    return np.sum(head * last) + np.sum(middle[0] * middle[1])


def v_starred_loop_target(x, y):
    rows = [(x, y, x * y), (y, x, np.cos(x))]
    total = 0.0
    for a, *bc in rows:
        total = total + np.sum(a * bc[0] * bc[1])
    return total


def v_starred_display(x, y):
    parts = [x, y * 2.0]
    ys = [np.sin(x), *parts, y]
    z = x.reshape((*x.shape[:-1], 3, -1))
    t = (*parts,)
    return np.sum(ys[0] * ys[2] * ys[3]) + np.sum(z[0, 1] * t[1][:2])


def v_nondiff_star(x):
    bounds = (1, 3)
    s = 0.0
    for i in range(*bounds):
        s = s + x[i] * x[i]
    return s * len(*[x])


def _v_affine(x, scale=1.0, shift=0.0):
    return np.sum(x * scale + shift)


def v_double_star(x, y):
    opts = {"scale": np.sin(y)}
    return _v_affine(x, **opts) + _v_affine(y, **{"shift": x * y})


# autograd's examples: rnn.py's concat_and_multiply(weights, *args), gmm.py's zip(*unpack(params))
def _v_concat_and_multiply(weights, *args):
    cat_state = np.hstack(args + (np.ones((args[0].shape[0], 1)),))
    return np.dot(cat_state, weights)


def v_rnn_step(w, x, h):
    return np.sum(np.tanh(_v_concat_and_multiply(w, x, h)))


def _v_unpack_gmm(params):
    lp = params["lp"]
    return lp - np.log(np.sum(np.exp(lp))), params["means"], params["tri"]


def v_gmm_zip_star(params, data):
    lls = []
    for lp, mean, tri in zip(*_v_unpack_gmm(params)):
        cov = np.dot(tri.T, tri)
        d = data - mean
        lls.append(lp - 0.5 * np.sum(d * np.dot(d, cov), axis=1))
    return np.sum(np.vstack(lls))


_GMM = {"lp": _RNG.normal(size=3), "means": _RNG.normal(size=(3, 2)), "tri": _RNG.normal(size=(3, 2, 2))}

ISSUE_10_VARARGS = [
    (v_rnn_step, [(_RNG.normal(size=(5, 2)), _RNG.normal(size=(3, 2)), _RNG.normal(size=(3, 2)))], (0, 1, 2)),
    (v_gmm_zip_star, [(_GMM, _RNG.normal(size=(4, 2)))], 0),
    (v_star, [(_A, _B)], (0, 1)),
    (v_star, [(_A, 0.3)], 1),
    (v_sum_of_squares, [(_A, _B, 0.7)], (0, 2)),
    (v_mixed, [(_A, _B, _C)], (0, 1, 2)),
    (v_unpack_args, [(_A, _B)], (0, 1)),
    (v_calls_helper, [(_A, _B)], (0, 1)),
    (v_keywords_through, [(_A, _B)], (0, 1)),
    (v_explicit_and_starred, [(_A, _B)], (0, 1)),
    (v_callstar, [(_A,)], 0),
    (v_params_star, [(_A, _B)], (0, 1)),
    (v_unzip, [(_A, _B)], (0, 1)),
    (v_zip_loop, [(_A, _B)], (0, 1)),
    (v_starred_middle, [(_A, _B)], (0, 1)),
    (v_starred_loop_target, [(_A, _B)], (0, 1)),
    (v_double_star, [(_A, _B)], (0, 1)),
    (v_nondiff_star, [(_RNG.normal(size=4),)], 0),
    (v_starred_display, [(_RNG.normal(size=6), _RNG.normal(size=6))], (0, 1)),
]
