"""Shared subexpressions (transforms/cse.py): a call a statement repeats is computed once, only
where that cannot change what the code does. End to end, the gradient stays right (against
finite differences); on small functions, what is shared and what is not."""
import ast
import textwrap

import gast
import numpy as np
from scipy.stats import multivariate_normal as mvn

import s2s
from oracles import numerical_grad
from s2s.driver import _pure_call
from s2s.transforms.cse import share_subexpressions


def shared(source):
    fn = gast.parse(textwrap.dedent(source)).body[0]
    names = iter(f"_e{k}" for k in range(1, 100))
    fn = share_subexpressions(fn, _pure_call, lambda: next(names))
    return ast.unparse(gast.gast_to_ast(fn))


def test_a_repeated_call_is_computed_once_innermost_first():
    text = shared("""
        def f(L, g, c, m):
            d = np.linalg.inv(L) @ g + np.linalg.inv(L).T
            e = mvn_cov(c, mvn_dim(m, c)) * mvn_cov(c, mvn_dim(m, c))
    """)
    assert text.count("np.linalg.inv(L)") == 1 and "d = _e1 @ g + _e1.T" in text
    assert "_e2 = mvn_dim(m, c)" in text and "_e3 = mvn_cov(c, _e2)" in text and "e = _e3 * _e3" in text


def test_calls_evaluated_only_sometimes_are_not_hoisted():
    text = shared("""
        def f(m, x):
            a = np.log(x) if m is None else np.log(x) + m
            b = (m is not None and np.sum(x)) or np.sum(x)
    """)
    assert "_e" not in text


def test_new_objects_random_draws_and_unknown_calls_are_not_shared():
    text = shared("""
        def f(x, n):
            a = np.zeros(n) + np.zeros(n)
            b = np.random.normal(size=n) - np.random.normal(size=n)
            c = user_function(x) * user_function(x)
            d = copy_of(x) + copy_of(x)
    """)
    assert "_e" not in text


def logpdf_sum(x, mean, cov):
    return np.sum(mvn.logpdf(x, mean, cov))


def test_the_gradient_of_a_rule_that_repeats_calls_reads_them_once_and_is_right():
    x = np.array([[0.3, -0.2], [0.1, 0.4], [1.0, -1.0]])
    mean, cov = np.array([0.1, 0.0]), np.array([[2.0, 0.3], [0.3, 1.5]])
    grad = s2s.grad(logpdf_sum, wrt=2)
    text = s2s.source(grad)
    d_cov = next(line for line in text.splitlines() if line.strip().startswith("d_cov ="))
    assert " mvn_cov(" not in d_cov and "(mvn_cov(" not in d_cov and d_cov.count("_e") >= 2
    np.testing.assert_allclose(grad(x, mean, cov), numerical_grad(logpdf_sum, [x, mean, cov], 2), rtol=1e-6,
                               atol=1e-8)
