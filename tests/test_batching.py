"""transforms/batching.py on backward loops written by hand: outer products of one value share
its rows, a sum of that value becomes a sum of the rows, and nothing is shared across a statement
that rebinds the value, writes into an array, or may leave the block. Each case runs the loop
before and after the pass and compares (the pass only reorders exact real arithmetic)."""
import ast

import gast
import numpy as np
import pytest

import s2s
from oracles import numerical_grad
from s2s.naming import Namer
from s2s.transforms.batching import MARK, batch_outer_products, vectors_outer
from s2s.transforms.nodes import parse, rewrite

T, N, M = 5, 3, 4


def _loop(body: str, header="for t in range(T):", lengths=None):
    """The loop `header` over `body`, its `outer(u, v)` calls marked as vector outer products (of
    vectors of these `lengths`, where code for known shapes knows them)."""
    tree = parse(f"{header}\n" + "".join(f"    {line}\n" for line in body.strip().splitlines()))
    def mark(node):
        if isinstance(node.func, gast.Name) and node.func.id == "outer":
            node = vectors_outer(*node.args)
            if lengths is not None:
                setattr(node, MARK, lengths)
        return node
    return [rewrite(s, {gast.Call: mark}) for s in tree.body]


def _run(stmts):
    rng = np.random.default_rng(7)
    env = {"np": np, "T": T, "t": 0, "gs": rng.normal(size=(T, N)), "hs": rng.normal(size=(T, M)), "xs": rng.normal(size=(T, M)),
           "d_W": np.zeros((N, M)), "d_V": np.zeros((N, M)), "d_b": np.zeros(N), "d_c": 0.5, "w": np.ones(N)}
    code = ast.unparse(ast.fix_missing_locations(ast.Module(body=gast.gast_to_ast(gast.Module(body=stmts, type_ignores=[])).body,
                                                            type_ignores=[])))
    exec(code, env)
    return code, {k: env[k] for k in ("d_W", "d_V", "d_b", "d_c", "w")}


def _batched(body, header="for t in range(T):", lengths=None):
    return _run(batch_outer_products(_loop(body, header, lengths), Namer()))


def _same(body, header="for t in range(T):", lengths=None):
    code, after = _batched(body, header, lengths)
    _, before = _run(_loop(body, header))
    for k in before:
        np.testing.assert_allclose(after[k], before[k], rtol=1e-12, atol=1e-14, err_msg=k)
    return code


def test_one_value_through_copies_gives_one_list_of_rows_and_its_sum():
    code = _same("""
d_1 = gs[t] * 2.0
d_2 = d_1
d_b = d_b + d_1
d_W = d_W + outer(d_2, hs[t])
d_V = d_V + outer(d_1, xs[t])
""")
    assert code.count(".append(d_") == 1 and "d_b = d_b + _stacked1.sum(axis=0)" in code


def test_a_value_rebound_between_is_another_value():
    code = _same("""
d_1 = gs[t] * 2.0
d_W = d_W + outer(d_1, hs[t])
d_1 = d_1 * 3.0
d_V = d_V + outer(d_1, xs[t])
d_c = d_c + d_1
""")
    assert code.count(".append(d_1)") == 2   # two lists of rows
    assert "_stacked2.sum(axis=0)" in code   # the sum is of the second value's rows


@pytest.mark.parametrize("between", ["d_1[0] = 0.0", "w[0] = d_1[0]"])
def test_a_loop_that_writes_into_an_array_is_not_batched(between):
    code = _same(f"""
d_1 = gs[t] * 2.0
d_W = d_W + outer(d_1, hs[t])
{between}
d_V = d_V + outer(d_1, xs[t])
d_b = d_b + d_1
""")
    assert "append" not in code and code.count("np.multiply.outer") == 2


def test_a_block_that_may_be_left_shares_nothing():
    code = _same("""
d_1 = gs[t] * 2.0
d_W = d_W + outer(d_1, hs[t])
if gs[t][0] > 0.0:
    continue
d_V = d_V + outer(d_1, xs[t])
d_b = d_b + d_1
""")
    assert code.count(".append(d_1)") == 2 and "d_b = d_b + d_1" in code


def test_a_sum_read_elsewhere_in_the_loop_stays():
    code = _same("""
d_1 = gs[t] * d_c
d_c = d_c + d_1
d_W = d_W + outer(d_1, hs[t])
""")
    assert "d_c = d_c + d_1" in code


BACKWARD = """
d_1 = gs[t] * 2.0
d_W = d_W + outer(d_1, hs[t] * 2.0)
d_V = d_V + outer(d_1, xs[t])
d_b = d_b + d_1
"""


@pytest.mark.parametrize("header, rows", [("for t in reversed(range(T)):", "xs[:T]"),
                                          ("for t in reversed(range(1, T)):", "xs[1:T]")])
def test_the_rows_of_an_array_at_the_steps_index_are_a_slice_of_it(header, rows):
    code = _same(BACKWARD, header)
    assert f"d_V = d_V + _stacked1.T @ {rows}" in code and ".append(xs[t])" not in code, code
    assert "np.array(_rows1[::-1])" in code and "np.array(_cols1[::-1])" in code, code   # (in the steps' order)


@pytest.mark.parametrize("header, body", [
    ("for t in reversed(range(-1, T - 1)):", BACKWARD),   # xs[-1] is the last row; xs[-1:T - 1] is not
    ("for t in range(T):", BACKWARD),   # (the steps in the rows' order: the list stays, as it always did)
    ("for t in reversed(range(T)):", BACKWARD + "if gs[t][0] > 0.5:\n    break\n"),   # (not every step)
])
def test_rows_that_may_not_be_a_slice_stay_a_list(header, body):
    code = _same(body, header)
    assert ".append(xs[t])" in code, code


def test_a_while_loop_is_batched_with_lists():   # (deep seed 1524 crashed here: a while loop has no iterable)
    code = _same(BACKWARD + "t = t + 1\n", "while t < T:")
    assert ".append(xs[t])" in code and "np.multiply.outer" not in code, code


def test_the_seed_1524_program_has_its_checkpointed_gradient():
    import corpus_issue12_seed1524 as corpus
    g = s2s.grad(corpus.f, wrt=(0, 1), checkpoint=True)
    for _ in range(2):   # the general code, then the code for these shapes (which crashed)
        dx, dy = g(*(a.copy() if isinstance(a, np.ndarray) else a for a in corpus.ARGS))
        np.testing.assert_allclose(dx, numerical_grad(corpus.f, list(corpus.ARGS), 0), atol=1e-8)
        np.testing.assert_allclose(dy, numerical_grad(corpus.f, list(corpus.ARGS), 1), atol=1e-8)


@pytest.mark.parametrize("header, count, row", [("for t in reversed(range(5)):", "5", "t"),
                                                ("for t in reversed(range(1, 5)):", "4", "t - 1"),
                                                ("for t in reversed(range(len(xs))):", "len(xs)", "t")])
def test_rows_of_known_lengths_at_the_steps_indices_go_into_arrays(header, count, row):
    """Code for known shapes knows the vectors' lengths: over the indices of a range, the rows and
    columns are written into arrays at the step's index (in the steps' order: no list of small
    arrays, no copy of it stacked), and a row of an array at the index is still a slice of it."""
    code = _same(BACKWARD, header, lengths=(N, M))
    assert f"_rows1 = np.empty(({count}, {N}))" in code and f"_rows1[{row}] = d_1" in code, code
    assert f"_cols1 = np.empty(({count}, {M}))" in code and f"_cols1[{row}] = hs[t] * 2.0" in code, code
    assert "d_W = d_W + _rows1.T @ _cols1" in code and "d_b = d_b + _rows1.sum(axis=0)" in code, code
    assert "d_V = d_V + _rows1.T @ xs" in code and ".append(" not in code and "np.array(" not in code, code


@pytest.mark.parametrize("header, body", [
    ("for t in reversed(range(T)):", BACKWARD),   # (a count that is no constant nor a len: a list)
    ("for t in range(5):", BACKWARD),   # (not over the indices backwards)
    ("for t in reversed(range(5)):", BACKWARD + "if gs[t][0] > 0.5:\n    break\n"),   # (not every step)
])
def test_rows_of_known_lengths_stay_a_list_where_the_steps_indices_may_not_be_rows(header, body):
    code = _same(body, header, lengths=(N, M))
    assert "np.empty(" not in code and "_rows1.append(d_1)" in code, code


def test_a_row_read_earlier_is_that_arrays_slice_unless_the_array_is_assigned_in_the_loop():
    read = "x = hs[t]\nd_1 = gs[t] * 2.0\nd_W = d_W + outer(d_1, x)\n"
    code = _same(read, "for t in reversed(range(5)):", lengths=(N, M))
    assert "d_W = d_W + _rows1.T @ hs[:5]" in code and "_cols" not in code, code   # (a tape's rows, too)
    code = _same(read + "hs = hs * 0.5\n", "for t in reversed(range(5)):", lengths=(N, M))
    assert "_cols1[t] = x" in code and "hs[:5]" not in code, code
