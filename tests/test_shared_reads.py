"""Shared reads (transforms/shared_reads.py): a part of an array a statement reads twice is read
once, unless something between may change the array. On small functions in normal form, what is
shared and what is not; end to end, the derivatives stay right (against finite differences)."""
import ast
import re
import textwrap

import gast
import numpy as np

import s2s
from oracles import numerical_grad
from s2s.transforms.callees import Callees
from s2s.transforms.nodes import AUGMENTED, stored_names
from s2s.transforms.shared_reads import share_reads


def shared(source, augmented_at=None):
    """A function of this module's names (`source`, in normal form, temporaries named `_<n>`)
    after the pass, as text; `augmented_at`: the index of a statement to mark as normal form marks
    the `y = _1` of `y += e`."""
    fn = gast.parse(textwrap.dedent(source)).body[0]
    if augmented_at is not None:
        setattr(fn.body[augmented_at], AUGMENTED, "+=")
    callees = Callees(user_bump, stored_names(fn) | {a.id for a in fn.args.args})
    fn = share_reads(fn, lambda n: n.startswith("_") and n[1:].isdigit(), callees)
    return ast.unparse(gast.gast_to_ast(fn))


READS_TWICE = """
def reads_twice(xs, t, k):
    _1 = xs[t]
    _2 = np.sin(_1)
    _3 = k * _2
    _4 = xs[t]
    _5 = _4 - _3
    _6 = xs[1:t]
    _7 = xs[1:t]
    return _5 + _6[0] * _7[1]
"""


def test_a_read_repeated_with_nothing_between_that_writes_is_read_once():
    text = shared(READS_TWICE)
    assert text.count("xs[t]") == 1 and "_5 = _1 - _3" in text
    assert text.count("xs[1:t]") == 1 and "_6[0] * _6[1]" in text


def user_bump(y):
    y[0] = y[0] + 1.0
    return 0.0


WRITES_BETWEEN = """
def writes_between(xs, t, out, z):
    _1 = xs[t]
    _2 = np.copyto(xs, z)         # writes into xs
    _3 = xs[t]
    _4 = np.multiply(_3, 2.0, out=out)
    _5 = xs[t]
    _6 = user_bump(xs)
    _7 = xs[t]
    _8 = xs.sort()
    _9 = xs[t]
    xs[0] = _9
    _10 = xs[t]
    t = _10
    _11 = xs[t]
    return _1 + _3 + _5 + _7 + _9 + _10 + _11
"""


def aliased_update(x):
    y = x * 1.0
    z = y
    s = y[0] * 3.0
    z += x   # changes y too
    t = y[0] * 2.0
    return s * t


def test_an_augmented_assignment_ends_what_is_shared():
    text = shared("""
        def f(y, z, x):
            _1 = y[0]
            _2 = z + x
            z = _2
            _3 = y[0]
            return _1 * _3
    """, augmented_at=2)   # `z = _2`: what normal form makes of `z += x`, which writes into z
    assert text.count("y[0]") == 2
    assert shared(text).count("y[0]") == 1   # (unmarked, a plain rebinding of z)
    x = np.array([0.5, 2.0])
    try:
        got = s2s.grad(aliased_update)(x)
    except s2s.S2SError:
        return   # refused: the write into what y shares is checked when the code runs
    eps = 1e-6
    want = [(aliased_update(x + e) - aliased_update(x - e)) / (2 * eps) for e in np.eye(2) * eps]
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_nothing_that_may_write_the_array_or_rebind_an_index_is_crossed():
    text = shared(WRITES_BETWEEN)
    assert text.count("= xs[t]") == 7   # each read after a write, a call of the user's, a method, `out=`
                                        # or a new `t` reads again


BRANCHES = """
def branches(xs, t, c):
    _1 = xs[t]
    if c:
        _2 = xs[t]
    else:
        _2b = 0.0
    _3 = xs[t]
    for i in range(3):
        _4 = xs[t]
        _5 = xs[t]
    return _1 + _3 + _5
"""


def test_blocks_are_shared_within_and_a_branch_or_loop_ends_what_is_shared():
    text = shared(BRANCHES)
    assert text.count("= xs[t]") == 4 and "return _1 + _3 + _4" in text


def trajectory(x0, k):
    xs = np.zeros((7, x0.shape[0]))
    xs[0] = x0
    for t in range(6):
        xs[t + 1] = xs[t] - 0.05 * k * np.sin(xs[t]) + 0.02 * (np.roll(xs[t], 1) - xs[t])
    return np.sum(xs[-1] ** 2) + 0.1 * np.sum(xs * xs)


def test_the_derivatives_of_a_statement_reading_one_row_three_times_are_right():
    rng = np.random.default_rng(5)
    x0, k = rng.normal(size=4), 0.7
    g = s2s.grad(trajectory, wrt=(0, 1))
    text = s2s.source(g)
    loop = text[text.index("for t in range(6)"):text.index("return np.sum")]
    assert len(re.findall(r"^ +_\d+ = xs\[t\]$", loop, re.M)) == 1
    for _ in range(2):   # the general code, then the code for these shapes
        d_x0, d_k = g(x0, k)
        np.testing.assert_allclose(d_x0, numerical_grad(trajectory, [x0, k], 0), rtol=1e-6)
        np.testing.assert_allclose(d_k, numerical_grad(trajectory, [x0, k], 1), rtol=1e-6)
    like = s2s.source(g, like=(x0, k))
    assert like.count("d_xs[t] +=") == 1   # one cotangent for the row, summed where it is:
    assert not re.search(r"(d_\d+) = \1 \+", like)   # `d_6 += ...`, a row's cotangent of known shape
    dx, dk = rng.normal(size=4), 0.3
    _, tangent = s2s.jvp(trajectory, wrt=(0, 1))(x0, k, dx, dk)
    eps = 1e-6
    fd = (trajectory(x0 + eps * dx, k + eps * dk) - trajectory(x0 - eps * dx, k - eps * dk)) / (2 * eps)
    np.testing.assert_allclose(tangent, fd, rtol=1e-6)
