"""Temporaries read once, written back into the expression that reads them (issue 12,
transforms/renest.py), in code for known shapes and for numbers.

The oracle for each case is the code before the pass: it must compute the same values; the cases
where folding would change them keep their temporary."""
import copy

import astor
import gast
import numpy as np
import pytest

import s2s
from s2s.transforms.nodes import parse
from s2s.transforms.renest import renest


def _pure(call):
    f = call.func
    return not (isinstance(f, gast.Attribute) and f.attr in ("append", "pop", "normal"))


def _renested(source):
    fn = renest(parse(source).body[0], lambda n: n.startswith("_") and n[1:].isdigit(), _pure)
    return astor.to_source(gast.gast_to_ast(fn))


def _run(source, args):
    namespace = {"np": np}
    exec(source, namespace)
    return namespace["f"](*copy.deepcopy(args))


ARGS = (np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -0.75]), 3)

FOLDED = {
    "chain": ("def f(a, b, n):\n"
              "    _3 = a @ b\n"
              "    _2 = _3 + n\n"
              "    _1 = np.tanh(_2)\n"
              "    p = 0.5 * _1\n"
              "    return p\n", "p = 0.5 * np.tanh(a @ b + n)"),
    "past_names": ("def f(a, b, n):\n"
                   "    _1 = a * 2.0\n"
                   "    c = b + 1.0\n"
                   "    d = _1 * c\n"
                   "    return d\n", "d = a * 2.0 * c"),
    "if_test": ("def f(a, b, n):\n"
                "    _1 = np.sum(a) > 0\n"
                "    if _1:\n"
                "        return a\n"
                "    return b\n", "if np.sum(a) > 0:"),
    "index": ("def f(a, b, n):\n"
              "    _1 = n - 1\n"
              "    a[_1] = 2.0\n"
              "    return a\n", "a[n - 1] = 2.0"),
}

KEPT = {
    "read_twice": "def f(a, b, n):\n    _1 = a * 2.0\n    c = _1 + b\n    return c * _1\n",
    "rebound": "def f(a, b, n):\n    _1 = a * 2.0\n    a = a + 1.0\n    c = _1 + a\n    return c\n",
    "element_written": "def f(a, b, n):\n    _1 = a * 2.0\n    a[0] = 5.0\n    c = _1 + a\n    return c\n",
    "pushed_between": ("def f(a, b, n):\n    _s = []\n    _1 = a * 2.0\n    _s.append(a)\n"
                       "    a = _s.pop() + 1.0\n    c = _1 + b\n    return c, a\n"),
    "while_test": ("def f(a, b, n):\n    i = 0\n    _1 = n * 2\n    while i < _1:\n"
                   "        i = i + 1\n    return a * i\n"),
    "impure_value": "def f(a, b, n):\n    _1 = np.random.normal()\n    c = a * 2.0\n    d = _1 + c\n    return d * 0.0\n",
    "other_block": "def f(a, b, n):\n    _1 = a * 2.0\n    for i in range(n):\n        b = b + _1\n    return b\n",
}


@pytest.mark.parametrize("case", sorted(FOLDED))
def test_a_temporary_read_once_goes_into_its_reader(case):
    source, line = FOLDED[case]
    text = _renested(source)
    assert line in text and "_1" not in text, text
    for a, b in zip(np.atleast_1d(_run(source, ARGS)), np.atleast_1d(_run(text, ARGS))):
        np.testing.assert_array_equal(b, a)


@pytest.mark.parametrize("case", sorted(KEPT))
def test_a_temporary_stays_where_moving_it_could_change_a_value(case):
    source = KEPT[case]
    text = _renested(source)
    assert "_1 = " in text, text
    if case in ("rebound", "element_written"):   # (moved, it would read another value)
        moved = source.replace("    _1 = a * 2.0\n", "").replace("c = _1 + a", "c = a * 2.0 + a")
        assert not np.array_equal(_run(source, ARGS), _run(moved, ARGS))


def logistic(w, X, y):
    p = 0.5 * (np.tanh((X @ w) / 2) + 1)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_code_for_known_shapes_reads_as_written():
    rng = np.random.default_rng(0)
    w, X, y = rng.normal(size=3), rng.normal(size=(20, 3)), (rng.random(20) > 0.5) * 1.0
    text = s2s.source(s2s.grad(logistic), like=(w, X, y))
    assert "p = 0.5 * (np.tanh(X @ w / 2) + 1)" in text, text
    g = s2s.grad(logistic)
    p = 0.5 * (np.tanh((X @ w) / 2) + 1)
    for _ in range(2):   # the general code, then the code for these shapes
        np.testing.assert_allclose(g(w, X, y), X.T @ (p - y), rtol=1e-12)
