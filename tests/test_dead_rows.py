"""Rows nobody reads again (issue 12, transforms/dead_rows.py, transforms/inplace.py): in code for
known shapes, a backward loop does not zero the cotangent row of a trajectory `xs[t + 1] = ...`
that no later step reads, and reads that row without copying it.

Oracles: for the pass, the functional code before it (the same values, or the statement kept);
for gradients, central differences."""
import numpy as np
import pytest

import s2s
from oracles import numerical_grad
from s2s.runtime import setindex, unindex
from s2s.transforms.dead_rows import drop_dead_rows
from s2s.transforms.nodes import parse

import gast

SHAPES = {"d_xs": (6, 3)}

TRAJECTORY = """def f(d_xs, xs, k):
    d_k = 0.0
    for t in reversed(range(5)):
        d_4 = d_xs[t + 1]
        d_xs = setindex(d_xs, t + 1, 0.0)
        d_6 = d_4 * (1.0 - k * np.cos(xs[t]))
        d_k = d_k - np.vdot(d_4, np.sin(xs[t]))
        d_xs = d_xs + unindex(d_6, xs, t)
    d_x0 = d_xs[0]
    d_xs = setindex(d_xs, 0, 0.0)
    return d_x0, d_k
"""

ELEMENTS = """def f(d_xs, xs, k):
    d_acc = 0.0
    d_x = np.zeros(6)
    for i in reversed(range(6)):
        d_acc = d_acc + d_xs[i, 0] * k
        d_xs = setindex(d_xs, i, 0.0)
        d_x = d_x + unindex(d_acc * np.cos(xs[i, 0]), d_x, i)
    return d_x
"""

KEPT = {
    # a later trip reads a row this one zeroed: xs[t + 2] was read by the step
    "row_ahead": TRAJECTORY.replace("d_6 = d_4 * (", "d_6 = d_xs[t + 2] * (")
                           .replace("range(5)", "range(4)"),
    # the same trip adds to the row after zeroing it (the step read xs[t + 1] too): no later step reads
    # it here, but the pass does not follow a row once it is added to
    "row_again": TRAJECTORY.replace("d_xs = d_xs + unindex(d_6, xs, t)", "d_xs = d_xs + unindex(d_6, xs, t + 1)"),
    # the whole array is the gradient of an argument
    "whole": TRAJECTORY.replace("d_x0 = d_xs[0]", "d_x0 = d_xs"),
    # a row the loop zeroed, read after it
    "row_after": TRAJECTORY.replace("d_x0 = d_xs[0]", "d_x0 = d_xs[1]"),
    # a loop counting up: a later trip reads the row the one before zeroed
    "counting_up": TRAJECTORY.replace("reversed(range(5))", "range(5)"),
    # an index that may be negative: t + 1 and t can name one row
    "negative": TRAJECTORY.replace("reversed(range(5))", "reversed(range(-1, 5))"),
    # the row read again in the same trip, after it is zeroed, in arithmetic
    "element_again": ELEMENTS.replace("        d_x = d_x + unindex(d_acc", "        d_acc = d_acc - 2.0 * d_xs[i, 0]\n"
                                      "        d_x = d_x + unindex(d_acc"),
    # the whole array read with a row
    "element_and_whole": ELEMENTS.replace("d_xs[i, 0] * k", "d_xs[i, 0] * np.sum(d_xs)"),
}


def _run(source, args):
    namespace = {"np": np, "setindex": setindex, "unindex": unindex}
    exec(source, namespace)
    return namespace["f"](*args)


def _dropped(source):
    fn = drop_dead_rows(parse(source).body[0], lambda n: n, SHAPES)
    import astor
    return astor.to_source(gast.gast_to_ast(fn))


def _args():
    rng = np.random.default_rng(3)
    return rng.normal(size=(6, 3)), rng.normal(size=(6, 3)), 0.7


def test_a_zeroed_row_no_later_step_reads_is_not_zeroed():
    text = _dropped(TRAJECTORY)
    assert "setindex(d_xs, t + 1, 0.0)" not in text, text
    for want, got in zip(_run(TRAJECTORY, _args()), _run(text, _args())):
        np.testing.assert_allclose(got, want, rtol=1e-15)


def test_an_element_added_to_a_sum_is_not_zeroed_when_no_later_trip_reads_it():
    text = _dropped(ELEMENTS)
    assert "setindex" not in text, text
    np.testing.assert_allclose(_run(text, _args()), _run(ELEMENTS, _args()), rtol=1e-15)


@pytest.mark.parametrize("case", sorted(KEPT))
def test_a_zeroed_row_something_may_read_stays_zeroed(case):
    source = KEPT[case]
    zeroing = "setindex(d_xs, i, 0.0)" if case.startswith("element") else "setindex(d_xs, t + 1, 0.0)"
    assert zeroing in _dropped(source)
    if case in ("row_ahead", "whole", "row_after", "element_again", "element_and_whole"):   # (dropping it
        without = source.replace(f"        d_xs = {zeroing}\n", "")                   # would change the values)
        assert any(not np.allclose(a, b) for a, b in zip(_run(source, _args()), _run(without, _args())))


# ---- gradients ------------------------------------------------------------------------------------

def trajectory(x0, k):
    xs = np.zeros((7, x0.shape[0]))
    xs[0] = x0
    for t in range(6):
        xs[t + 1] = xs[t] - 0.1 * k * np.sin(xs[t]) + 0.05 * (np.roll(xs[t], 1) - xs[t])
    return np.sum(xs[-1] ** 2) + 0.1 * np.sum(xs * xs)


def overwritten(init, k):   # rows 1.. of `init` are overwritten: their gradient is zero
    xs = init * 1.0
    for t in range(4):
        xs[t + 1] = xs[t] * k + np.sin(xs[t])
    return np.sum(xs * xs)


def reads_its_row(x0, k):   # each step reads the row it writes
    xs = np.ones((5, x0.shape[0]))
    xs[0] = x0
    for t in range(4):
        xs[t + 1] = xs[t + 1] * 0.5 + k * np.sin(xs[t])
    return np.sum(xs[-1] * xs[2])


def two_steps(x0, k):   # a recurrence over two rows
    xs = np.zeros((6, x0.shape[0]))
    xs[0] = x0
    xs[1] = 0.5 * x0
    for t in range(4):
        xs[t + 2] = xs[t + 1] - 0.1 * k * xs[t] * xs[t]
    return np.sum(xs[-1] ** 2) + np.sum(xs[3])


CASES = {"trajectory": (trajectory, lambda r: r.normal(size=4)),
         "overwritten": (overwritten, lambda r: r.normal(size=(5, 3))),
         "reads_its_row": (reads_its_row, lambda r: r.normal(size=3)),
         "two_steps": (two_steps, lambda r: r.normal(size=3))}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_with_rows_not_zeroed_match_finite_differences(case):
    f, first = CASES[case]
    args = (first(np.random.default_rng(5)), 0.8)
    g = s2s.grad(f, wrt=(0, 1))
    for _ in range(2):   # the general code, then the code for these shapes
        dx, dk = g(args[0].copy(), args[1])
        np.testing.assert_allclose(dx, numerical_grad(f, list(args), 0), rtol=1e-6, atol=1e-8)
        assert dk == pytest.approx(numerical_grad(f, list(args), 1), rel=1e-6)
    if case == "overwritten":
        assert np.all(g(*args)[0][1:] == 0.0)


def test_the_trajectory_reads_its_rows_as_a_person_does():
    text = s2s.source(s2s.grad(trajectory, wrt=(0, 1)), like=(np.ones(4), 0.8))
    backward = text.split("reversed(range(6))")[1]
    assert "d_xs[t + 1] = 0.0" not in backward and "copy_of" not in backward, backward
    assert "d_4 = d_xs[t + 1]" in backward, backward
    kept = s2s.source(s2s.grad(reads_its_row, wrt=(0, 1)), like=(np.ones(3), 0.8))
    assert "d_xs[t + 1] = 0.0" in kept and "copy_of(d_xs[t + 1])" in kept, kept   # (read after it is written)
