"""Issue 10, the Python language: what the generated code for dict methods, sorted and reversed
looks like, and that it runs as Python does on the containers a user may pass (the derivatives
themselves are checked in every mode by tests/test_data.py on tests/corpus_issue10_language.py)."""
import numpy as np
import pytest

import corpus_issue10_language as c
import s2s
from oracles import assert_grads_close

X = np.array([0.3, -0.7, 1.2])


def _code(g):
    """The generated source without its comments (which cite the user's lines) and docstrings."""
    lines = [ln for ln in s2s.source(g).splitlines() if not ln.lstrip().startswith(("#", '"""'))]
    return "\n".join(lines)


def test_items_loop_reads_values_by_key():
    """`for k, v in d.items()` is a loop over the keys with `v = d[k]`: no list of pairs is built."""
    code = _code(s2s.grad(c.dict_items_loop))
    assert "d.keys()" in code and "v = d[k]" in code and ".items()" not in code


def test_reversed_is_a_reversed_slice():
    code = _code(s2s.grad(c.reversed_list))
    assert "[::-1]" in code and "reversed(xs)" not in code   # (the backward loop runs reversed(range(...)))


@pytest.mark.parametrize("params", [dict(c._P), {"b": c._P["b"], "W": c._P["W"]}], ids=["W-first", "b-first"])
def test_dict_parameter_in_any_key_order(params):
    grads = s2s.grad(c.params_iterated, wrt=0)(params, X)
    assert list(grads) == list(params)
    for k in params:
        assert_grads_close(lambda v: c.params_iterated({**params, k: v}, X), (grads[k],), (params[k],), (0,))


def test_sorted_follows_the_permutation_of_a_tuple_and_a_list():
    def f(xs):
        ys = sorted(xs, reverse=True)
        return ys[0] * 3.0 + ys[1] ** 2 - ys[2]
    for xs in ([0.3, -0.7, 1.2], (0.3, -0.7, 1.2)):
        g = s2s.grad(f)(xs)
        assert isinstance(g, type(xs))
        assert np.allclose(g, [2 * 0.3, -1.0, 3.0])


def test_list_of_a_dict_is_its_keys():
    def f(x):
        d = {"b": x * 2.0, "a": x * x}
        ks = list(d)
        return d[ks[0]] * d[ks[1]]
    assert s2s.grad(f)(0.5) == pytest.approx(6 * 0.5 ** 2)
    assert s2s.jvp(f)(0.5, 1.0)[1] == pytest.approx(6 * 0.5 ** 2)


def test_a_shadowed_reversed_is_refused():
    """s2s rewrites `reversed(xs)` by its name: a local `reversed` is refused rather than taken for the builtin."""
    def f(x):
        reversed = lambda t: t * 2.0  # noqa: E731
        return np.sum(reversed(x))
    with pytest.raises(s2s.S2SError, match="`reversed` is a local variable here"):
        s2s.grad(f)


def test_a_name_bound_to_a_list_is_not_taken_for_a_dict():
    def f(x):
        d = {"a": x}
        d = [x, x * 2.0]
        s = 0.0
        for v in d:
            s = s + np.sum(v ** 2)
        return s
    assert np.allclose(s2s.grad(f)(X), 10.0 * X)
