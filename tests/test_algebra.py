"""Simplified adjoint arithmetic (issue 12, transforms/algebra.py, transforms/rational.py): in code
for known shapes and for numbers, the chain of statements that computes an adjoint is rewritten as
the expression a person writes (``d_x = 2.0 * x * y``, ``d_t = p - y``).

Three kinds of check, each with an oracle that is not the pass itself:
- the rational functions, against exact arithmetic on numbers;
- the pass, on random blocks of arithmetic with barriers, loops and calls: the block before and
  after the pass must compute the same values, shapes and types (the original code is the oracle);
- gradients through it, against analytic derivatives and central differences."""
import ast
import copy
import sys
from fractions import Fraction
from pathlib import Path

import gast
import numpy as np
import pytest
from hypothesis import given, strategies as st

import s2s
from oracles import numerical_grad
from s2s.transforms import rational as ra
from s2s.transforms.algebra import simplify_adjoint_arithmetic
from s2s.transforms.expressions import joined
from s2s.transforms.float_arrays import NUMBER, kind_of
from s2s.transforms.known_values import Known
from s2s.transforms.nodes import parse
from s2s.runtime import unmax


# ---- rational functions ------------------------------------------------------------------------

def _value(r, point):
    """The value of rational function `r` at `point` (atom -> Fraction)."""
    def poly(p):
        total = Fraction(0)
        for m, c in p.items():
            term = c
            for a, e in m:
                term *= point[a] ** e
            total += term
        return total
    num, factors = r
    out = poly(num)
    for f in factors:
        out /= poly(f)
    return out


def test_cancellation_leaves_what_a_person_writes():
    x, y = ra.atom(0), ra.atom(1)
    assert ra.div(ra.mul(x, y), x) == y
    difference = ra.add(ra.power(x, 2), ra.power(y, 2), -1)
    assert ra.div(difference, ra.add(x, y, -1)) == ra.add(x, y)
    p = x   # y / p - (1 - y) / (1 - p), times p (1 - p), is y - p
    one_minus_p = ra.add(ra.constant(1), p, -1)
    score = ra.add(ra.div(y, p), ra.div(ra.add(ra.constant(1), y, -1), one_minus_p), -1)
    assert ra.mul(score, ra.mul(p, one_minus_p)) == ra.add(y, p, -1)


@given(st.lists(st.sampled_from("+-*/^"), min_size=1, max_size=8),
       st.lists(st.integers(-4, 4).filter(bool), min_size=3, max_size=3))
def test_rational_arithmetic_is_exact(ops, values):
    point = {k: Fraction(v, 3) for k, v in enumerate(values)}
    try:
        r, expected = _apply(ops, point)
    except ra.TooLarge:   # past the bounds: the pass leaves such an expression as it is
        return
    assert _value(r, point) == expected


def _apply(ops, point):
    r, expected = ra.atom(0), point[0]
    for k, op in enumerate(ops):
        a = (k + 1) % 3
        other, v = ra.add(ra.atom(a), ra.constant(2)), point[a] + 2   # never zero at the point
        if op == "+":
            r, expected = ra.add(r, other), expected + v
        elif op == "-":
            r, expected = ra.add(r, other, -1), expected - v
        elif op == "*":
            r, expected = ra.mul(r, other), expected * v
        elif op == "/":
            r, expected = ra.div(r, other), expected / v
        else:
            r, expected = ra.mul(r, ra.neg(ra.power(ra.atom(a), -2))), expected * (-1 / point[a] ** 2)
    return r, expected


def test_expressions_past_the_bounds_are_refused():
    with pytest.raises(ra.TooLarge):
        ra.power(ra.atom(0), ra.MAX_EXPONENT + 1)
    with pytest.raises(ra.TooLarge):
        total = ra.constant(0)
        for k in range(ra.MAX_TERMS + 1):
            total = ra.add(total, ra.atom(k))


# ---- the pass on random blocks -------------------------------------------------------------------

KINDS = {"u": (3,), "v": (3,), "m": (2, 3), "s": NUMBER, "k": NUMBER}
FLOATS = {"u", "v", "m", "s"}   # k is an int
DIVISORS = ["u", "v", "m", "s", "k", "2.0", "3"]   # bounded away from zero at the point below


def _args():
    return (np.array([0.6, 1.1, 1.7]), np.array([1.3, 0.8, 1.9]), np.array([[0.9, 1.4, 0.7], [1.2, 1.8, 0.5]]),
            1.3, 2)


@st.composite
def _expression(draw, names, depth=0):
    if depth >= 3 or draw(st.integers(0, 2)) == 0:   # (rows of m, and u moved, are atoms too)
        return draw(st.sampled_from(names + ["0.5", "2.0", "3", "-1.5", "1", "m[1]", "m[i - 1]", "np.roll(u, 1)"]))
    op = draw(st.sampled_from(["+", "-", "*", "/", "**", "neg"]))
    left = draw(_expression(names, depth + 1))
    if op == "neg":
        return f"-({left})"
    if op == "**":
        return f"{draw(st.sampled_from(DIVISORS[:5]))} ** {draw(st.sampled_from([2, 3, -1]))}"
    right = draw(st.sampled_from(DIVISORS)) if op == "/" else draw(_expression(names, depth + 1))
    return f"({left}) {op} ({right})"


def _kind(value):
    return NUMBER if np.ndim(value) == 0 else np.shape(value)


@st.composite
def _block(draw):
    """A function of u, v, m, s, k: arithmetic assigned to adjoints (d_*) and primal temporaries
    (t_*), with element writes, calls and a loop among them; names are kept to one kind each."""
    lines, kinds, names = ["d_s0 = 0.25", "i = 1"], {**KINDS, "d_s0": NUMBER, "i": NUMBER}, [*KINDS, "d_s0"]
    env = {**dict(zip(["u", "v", "m", "s", "k"], _args())), "d_s0": 0.25, "i": 1}
    count = draw(st.integers(3, 12))
    loop_at = draw(st.integers(0, count)) if draw(st.booleans()) else None
    indent = ""
    for i in range(count):
        if i == loop_at:
            lines.append("for i in range(2):")
            indent = "    "
        what = draw(st.sampled_from(["adjoint"] * 5 + ["temporary", "write", "call", "sum", "rebind", "axis", "shift"]))
        if what == "write":
            lines.append(f"{indent}{draw(st.sampled_from(['u[0]', 'm[1, 2]']))} = "
                         f"{draw(st.sampled_from(['s', 'd_s0', 'k * 0.5']))}")
            continue
        if what == "rebind":   # a statement that stays assigns what earlier values read
            lines.append(f"{indent}{draw(st.sampled_from(['u = np.roll(u, 1)', 'm = m * 1.5', 'i = 0']))}")
            continue
        expr = draw(_expression(names))
        value = eval(expr, {"np": np}, {**env, "i": 1})
        if what == "shift":   # the adjoint of a log-softmax of m's rows less their maximum: d_sm is zero
            lines += [f"{indent}{line}" for line in _shifted(f"({expr}) * m", draw)]
            kinds.update(SHIFTED)
            env["d_sx"] = np.ones((2, 3))
            names = names if "d_sx" in names else names + ["d_sx"]
            continue
        if what == "call":
            expr, value = f"np.sin({expr})", np.sin(value)
        if what == "sum" and np.ndim(value):   # a sum of terms that differ by number factors (or not)
            expr, value = f"({expr}).sum()", float(np.sum(value))
        if what == "axis" and np.ndim(value) == 2:   # a sum over one axis, kept as 1 (2-d names: (2, 3), (2, 1), (1, 3))
            axis = draw(st.sampled_from([0, 1, -1]))
            expr, value = f"({expr}).sum(axis={axis}, keepdims=True)", np.sum(value, axis=axis, keepdims=True)
        if isinstance(value, int) and what != "temporary":
            expr, value = f"1.0 * ({expr})", float(value)
        kind = _kind(value)
        prefix = "t" if what == "temporary" else "d"
        target = f"{prefix}_{'s' if kind == NUMBER else '_'.join(map(str, kind))}_{draw(st.integers(0, 1))}"
        if kinds.get(target, kind) != kind or (target in env and type(env[target]) is not type(value)):
            continue
        kinds[target] = kind
        env[target] = value
        names = names if target in names else names + [target]
        lines.append(f"{indent}{target} = {expr}")
    if lines[-1].startswith("for "):
        lines.append("    pass")
    returned = [n for n in names if n not in KINDS and draw(st.booleans())] or [names[-1]]
    source = "def f(u, v, m, s, k):\n" + "".join(f"    {line}\n" for line in lines) \
        + f"    return ({', '.join(returned)},)\n"
    return source, kinds


SHIFTED = {"t_sm": (2, 1), "t_se": (2, 3), "t_ss": (2, 1), "d_sl": (2, 3), "d_sm": (2, 1), "d_sq": (2, 1),
           "d_sr": (2, 3), "d_sx": (2, 3)}


def _shifted(cotangent, draw):
    """The lines of a log-softmax's adjoint (`cotangent` that of its value) through the maximum it
    subtracts; maybe with an element write of m among them, after which d_sm is not zero."""
    lines = ["t_sm = m.max(axis=1, keepdims=True)", "t_se = np.exp(m - t_sm)", "t_ss = t_se.sum(axis=1, keepdims=True)",
             f"d_sl = {cotangent}", "d_sm = (-d_sl).sum(axis=1, keepdims=True)",
             "d_sq = (-d_sl / t_ss).sum(axis=1, keepdims=True)", "d_sr = d_sq * t_se",
             "d_sm = d_sm + (-d_sr).sum(axis=1, keepdims=True)", "d_sx = d_sl + d_sr",
             "d_sx = d_sx + unmax(d_sm, m, t_sm, 1, True)"]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(1, len(lines) - 1)), "m[1, 2] = 2.5")
    return lines


def _run(tree, args=None):
    module = ast.fix_missing_locations(ast.Module(body=[gast.gast_to_ast(tree)], type_ignores=[]))
    namespace = {"np": np, "unmax": unmax}
    exec(compile(module, "<block>", "exec"), namespace)
    with np.errstate(all="ignore"):
        return namespace["f"](*copy.deepcopy(_args() if args is None else args))


def _pure(call):
    return True   # only np.sin, np.roll and sums are called


def _kind_of(kinds):
    """The kinds of `m[i - 1]` (i an int) and `np.roll(u, 1)`, as code for known shapes finds them."""
    ints = {"i": Known((), np.dtype(int), True)}
    return lambda node: kind_of(node, kinds, ints, lambda n: "s2s_" + n)


@given(_block())
def test_the_pass_computes_what_the_block_computed(block):
    source, kinds = block
    tree = parse(source).body[0]
    try:
        before = _run(tree)
    except (ZeroDivisionError, OverflowError):
        return
    simplified = simplify_adjoint_arithmetic(copy.deepcopy(tree), kinds, lambda n: n in FLOATS or n.startswith("d_"),
                                             lambda n: n.startswith("d_"), _pure, _kind_of(kinds), frozenset({"unmax"}))
    after = _run(simplified)
    for a, b in zip(before, after):
        assert np.shape(a) == np.shape(b) and isinstance(a, float) == isinstance(b, float), source
        scale = 1.0 + np.max(np.abs(a)) if np.all(np.isfinite(a)) else 1.0
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9 * scale, err_msg=source)


def _simplified(source, kinds):
    tree = simplify_adjoint_arithmetic(parse(source).body[0], kinds, lambda n: True,
                                       lambda n: n.startswith("d_"), _pure)
    return ast.unparse(gast.gast_to_ast(tree))


def test_nothing_is_expanded_across_an_element_write():
    text = _simplified("def f(u, d_out):\n"
                       "    d_a = d_out * u\n"
                       "    d_b = d_a * 2.0\n"
                       "    u[0] = 5.0\n"
                       "    d_c = d_b * u\n"
                       "    return d_c\n", {"u": (3,), "d_out": NUMBER, "d_a": (3,), "d_b": (3,), "d_c": (3,)})
    assert "d_b = 2.0 * d_out * u" in text, text   # d_a is gone
    assert "d_c = u * d_b" in text, text   # u before the write is not u after it


def test_no_name_stands_for_terms_across_an_element_write():
    source = ("def f(u, v, d_out):\n"
              "    t = u + v\n"
              "    {}\n"
              "    d_c = u + v + d_out\n"
              "    return d_c, t\n")
    kinds = {"u": (3,), "v": (3,), "t": (3,), "d_out": NUMBER, "d_c": (3,)}
    assert "d_c = d_out + t" in _simplified(source.format("pass"), kinds)   # t holds u + v
    text = _simplified(source.format("u[0] = 5.0"), kinds)
    assert "d_out + t" not in text, text   # t holds u + v as u was before the write


def test_kinds_broadcast():
    assert joined((3,), (2, 3)) == joined((2, 3), (3,)) == (2, 3)
    assert joined((2, 1), (3,)) == (2, 3) and joined(NUMBER, (3,)) == joined((3,), NUMBER) == (3,)


OVERWRITTEN = """def f(u, d_out):
    d_a = d_out * 2.0
    u[0] = 1.0
    d_b = d_a * u
    d_a = d_out * 3.0
    d_c = d_b * d_a / d_a
    return d_c, d_a
"""   # d_c is not d_a * u: d_a no longer holds 2.0 * d_out there

CARRIED = """def f(u, d_out):
    d_a = d_out * u
    d_s = d_out * u
    for i in range(3):
        d_s = d_s + d_a
        d_a = d_a * u
    return (d_s,)
"""   # d_a is read by the loop's next pass: its update stays


REASSIGNED = """def f(u, d_out):
    d_a = d_out * np.cos(u)
    u = u * 2.0
    d_b = d_a * 3.0
    return d_b, u
"""   # d_b is not 3.0 * d_out * np.cos(u): u is another array there


MAYBE = """def f(u, d_out):
    d_a = d_out * u
    d_b = d_out * u
    if d_out > 2.0:
        d_a = d_out * u * 2.0
    for i in range(0):
        d_b = d_out * u * 3.0
    return d_a, d_b
"""   # a branch not taken, a loop run no time: d_a and d_b keep the values before them


ALIASED = """def f(u, d_out):
    d_a = u * (u / u)
    u[0] = d_out
    return (d_a,)
"""   # d_a is not u: that array changes after (differential tester, deep profile, seed 31337)


@pytest.mark.parametrize("source", [OVERWRITTEN, CARRIED, REASSIGNED, MAYBE, ALIASED],
                         ids=["overwritten", "carried", "reassigned", "maybe", "aliased"])
def test_names_read_later_keep_their_values(source):
    kinds = {"u": (3,), "d_out": NUMBER, "d_a": (3,), "d_b": (3,), "d_c": (3,), "d_s": (3,)}
    if source is OVERWRITTEN:
        kinds["d_a"] = NUMBER
    tree = parse(source).body[0]
    before = _run(tree, (np.array([0.5, 2.0, 3.0]), 1.5))
    after = _run(simplify_adjoint_arithmetic(copy.deepcopy(tree), kinds, lambda n: True,
                                             lambda n: n.startswith("d_"), _pure), (np.array([0.5, 2.0, 3.0]), 1.5))
    for a, b in zip(before, after):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_a_call_is_an_atom_and_is_not_made_twice():
    kinds = {"u": (3,), "d_out": NUMBER, "d_a": (3,), "d_b": (3,), "d_c": (3,)}
    once = _simplified("def f(u, d_out):\n"
                       "    d_a = d_out * np.cos(u)\n"
                       "    d_b = d_a * 2.0\n"
                       "    return d_b\n", kinds)
    assert "d_b = 2.0 * d_out * np.cos(u)" in once and "d_a" not in once, once
    shared = _simplified("def f(u, d_out):\n"
                         "    d_a = d_out * np.cos(u)\n"
                         "    d_b = d_a * u\n"
                         "    d_c = d_a * 2.0\n"
                         "    d_e = d_out * u + d_out * u\n"
                         "    return d_b, d_c, d_e\n", {**kinds, "d_e": (3,)})
    assert shared.count("np.cos") == 1, shared   # read twice: kept, not computed twice
    assert "d_e = 2.0 * d_out * u" in shared, shared   # and the rest is simplified


def test_a_rewrite_that_would_change_a_shape_is_not_made():
    text = _simplified("def f(x, d_out):\n"
                       "    d_2 = d_out / x\n"
                       "    d_x = d_out * x / x\n"
                       "    d_x = d_x + d_2 * x\n"
                       "    return d_x\n", {"x": (3,), "d_out": NUMBER, "d_2": (3,), "d_x": (3,)})
    assert "d_x = d_x + d_2 * x" in text, text   # 2.0 * d_out would be a number, not an array of 3


ROWS = {"m": (2, 3), "u": (3,), "s": NUMBER, "d_out": (3,), "d_a": (3,), "d_b": (3,), "d_s": NUMBER, "d_u": (3,),
        "d_3": (3,)}


def _same_values(source, text, args):
    before, after = _run(parse(source).body[0], args), _run(parse(text).body[0], args)
    for a, b in zip(before, after):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_rows_and_sums_are_atoms_and_number_factors_leave_the_sum():
    source = ("def f(m, u, s, d_out):\n"
              "    d_a = -d_out * m[0]\n"
              "    d_b = d_a * s\n"
              "    d_s = (d_b * 0.5).sum()\n"
              "    return d_s,\n")
    text = _simplified(source, ROWS)
    assert "d_s = -0.5 * s * np.vdot(d_out, m[0])" in text and "d_a" not in text, text   # (two of one shape)
    _same_values(source, text, (np.arange(6.0).reshape(2, 3), np.ones(3), 1.5, np.array([0.5, -1.0, 2.0])))
    three = _simplified(source.replace("d_b = d_a * s", "d_b = d_a * u * s"), ROWS)
    assert "d_s = -0.5 * s * (d_out * m[0] * u).sum()" in three, three
    broadcast = _simplified(source.replace("m[0]", "m").replace("d_a = ", "d_a2 = ").replace("d_a *", "d_a2 *"),
                            {**ROWS, "d_a2": (2, 3), "d_b": (2, 3)})
    assert "d_s = -0.5 * s * (d_out * m).sum()" in broadcast, broadcast   # (np.vdot would not broadcast)


def test_a_sum_whose_terms_cancel_keeps_the_shape_they_broadcast_to():
    """``(m + (u - m)).sum()`` sums u broadcast over m's (2, 3), twice ``u.sum()``."""
    source = "def f(m, u, d_out):\n    d_s = (-(m + (u - m))).sum()\n    return (d_s,)\n"
    text = _simplified(source, {"m": (2, 3), "u": (3,), "d_out": NUMBER, "d_s": NUMBER})
    m, u = _args()[2], _args()[0]
    _same_values(source, text, (m, u, 1.0))


def test_terms_of_a_sum_that_differ_by_arrays_stay_one_sum():
    source = ("def f(m, u, s, d_out):\n"
              "    d_a = d_out * m[0] + u\n"
              "    d_s = (d_a * 2.0).sum()\n"
              "    return d_s,\n")
    text = _simplified(source, ROWS)
    assert "(d_a * 2.0).sum()" in text, text   # (two sums would cost more than one)


def test_a_row_is_written_alone_only_where_it_was_alone():
    source = ("def f(m, u, s, d_out):\n"
              "    d_a = 2.0 * m[0] - m[0]\n"
              "    d_b = d_a * 3.0\n"
              "    return d_a, d_b\n")
    text = _simplified(source, ROWS)
    assert "d_a = m[0]\n" not in text, text   # a view of m: an update of d_a in place would change m


def test_a_moved_array_added_to_an_adjoint_is_added_on_its_own():
    source = ("def f(m, u, s, d_out):\n"
              "    d_3 = d_out * 0.1\n"
              "    d_u = d_out * 2.0\n"
              "    d_u = d_u + d_3 * 3.0\n"
              "    d_u = d_u + np.roll(d_3, 1)\n"
              "    return d_u,\n")
    text = _simplified(source, ROWS)
    assert "d_u = 2.3 * d_out\n    d_u = d_u + np.roll(d_3, 1)" in text, text   # (made an update in place)
    _same_values(source, text, (np.zeros((2, 3)), np.ones(3), 1.5, np.array([0.5, -1.0, 2.0])))


def test_an_earlier_product_stands_for_the_same_product_later():
    source = ("def f(m, u, s, d_out):\n"
              "    d_a = s * d_out\n"
              "    d_b = -(s * d_out)\n"
              "    d_u = d_out * s * 2.0 + d_out\n"
              "    return d_a, d_b, d_u\n")
    text = _simplified(source, ROWS)
    assert "d_b = -d_a" in text, text   # (one product, not two)
    assert "d_u = d_out * (2.0 * s + 1.0)" in text, text   # (where the numbers are cheaper, not d_a)
    _same_values(source, text, (np.zeros((2, 3)), np.ones(3), 1.5, np.array([0.5, -1.0, 2.0])))


def test_a_value_read_before_a_statement_that_rebinds_what_it_reads_is_not_moved_past_it():
    source = ("def f(m, u, s, d_out):\n"
              "    d_a = d_out * m[0]\n"
              "    m = m * 2.0\n"
              "    d_b = d_a * 3.0\n"
              "    d_u = d_out * 2.0 + d_out\n"
              "    return d_b, m, d_u\n")
    text = _simplified(source, ROWS)
    assert "d_a = d_out * m[0]" in text, text   # m[0] after the statement is another row
    assert "d_u = 3.0 * d_out" in text, text    # and the rest of the block is simplified
    _same_values(source, text, (np.arange(6.0).reshape(2, 3), np.ones(3), 1.5, np.array([0.5, -1.0, 2.0])))


# ---- gradients through it --------------------------------------------------------------------------

def poly(x, y):
    return x * x * y + y + 2


def differences(x, y):
    return x - y - 2.0 * (x / y - y / x)


def squares(x, y):
    return (x + y) ** 2 - (x - y) ** 2 + x * y * y / x


def scaled(x, n):
    return x * x * n - n


def test_gradients_for_numbers_match_the_analytic_ones():
    x, y = 0.7, -1.3
    cases = [(poly, (2 * x * y, x * x + 1)),
             (differences, (1 - 2.0 * (1 / y + y / x ** 2), -1 - 2.0 * (-x / y ** 2 - 1 / x))),
             (squares, (4 * y + y * y / x - y * y / x, 4 * x + 2 * y))]
    for f, expected in cases:
        g = s2s.grad(f, wrt=(0, 1))
        for _ in range(2):   # the general code, then the code for numbers (made at the second call)
            got = g(x, y)
            assert all(type(d) is float for d in got)
            np.testing.assert_allclose(got, expected, rtol=1e-12)


def cancelling(x, y):
    return x * y - y * (x + 1.0)


def test_an_adjoint_that_cancels_to_a_constant_keeps_its_sign():
    g = s2s.grad(cancelling, wrt=(0, 1))
    assert [g(0.5, 2.0) for _ in range(2)] == [(0.0, -1.0)] * 2
    assert "d_y = -1.0" in s2s.source(g, numbers=True)


def test_an_int_argument_does_not_make_the_gradient_an_int():
    g = s2s.grad(scaled)
    for _ in range(2):
        d = g(1.5, 3)
        assert type(d) is float and d == 9.0


def sin_of_square(x):
    return np.sin(x ** 2)


def test_code_for_numbers_reads_as_written_by_hand():
    text = s2s.source(s2s.grad(squares, wrt=(0, 1)), numbers=True)
    assert "d_x = 4.0 * y" in text and "d_y = 4.0 * x + 2.0 * y" in text, text
    text = s2s.source(s2s.grad(sin_of_square), numbers=True)
    assert "d_x = 2.0 * x * np.cos(x ** 2)" in text, text
    g = s2s.grad(sin_of_square)
    assert [g(0.8) for _ in range(2)] == pytest.approx([2 * 0.8 * np.cos(0.64)] * 2, rel=1e-14)


def logistic_loss(w, X, y):
    t = X @ w
    p = 0.5 * (np.tanh(0.5 * t) + 1.0)
    return -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def cubic_diffusion(u):
    for _ in range(3):
        u = u + 0.1 * (np.roll(u, 1) + np.roll(u, -1) - 2.0 * u) - 0.01 * u * u * u
    return np.sum(u * u)


def element_writes(x):
    y = x * 2.0
    a = y * x
    y[0] = 5.0
    b = y * x
    return np.sum(a * b)


def test_the_logistic_loss_gradient_is_p_minus_y():
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(20, 3)), (rng.random(20) > 0.5) * 1.0, rng.normal(size=3)
    text = s2s.source(s2s.grad(logistic_loss), like=(w, X, y))
    assert "d_t = p - y" in text and "np.log" not in text.split("def ")[1], text
    g = s2s.grad(logistic_loss)
    for _ in range(2):
        np.testing.assert_allclose(g(w, X, y), numerical_grad(logistic_loss, [w, X, y], 0), rtol=1e-6)


def test_three_equal_terms_are_one():
    u = np.linspace(-1.0, 1.0, 8)
    text = s2s.source(s2s.grad(cubic_diffusion), like=(u,))
    assert "0.03 * u * u" in text, text
    g = s2s.grad(cubic_diffusion)
    for _ in range(2):
        np.testing.assert_allclose(g(u.copy()), numerical_grad(cubic_diffusion, [u], 0), rtol=1e-6)
    v = np.cos(np.arange(8.0))
    eps = 1e-5
    numeric = (g(u + eps * v) - g(u - eps * v)) / (2 * eps)   # the simplified code, differentiated again
    np.testing.assert_allclose(s2s.hvp(cubic_diffusion)(u.copy(), v), numeric, rtol=1e-5, atol=1e-8)


def test_element_writes_end_what_is_simplified_together():
    x = np.array([1.0, 2.0, 3.0])
    g = s2s.grad(element_writes)
    expected = np.array([30.0, 128.0, 432.0])   # 10 x0^3 + 4 x1^4 + 4 x2^4, differentiated
    for _ in range(2):
        np.testing.assert_allclose(g(x.copy()), expected, rtol=1e-12)


def test_an_adjoint_a_branch_may_assign_keeps_its_value_before_it():
    import corpus_issue12_seed787 as program
    x, y = np.array([-1.62, -0.17, 0.37]), np.array([1.24, 0.49, 0.95])
    g = s2s.grad(program.f, wrt=(0, 1))
    for _ in range(2):   # the general code, then the code for these shapes
        dx, dy = g(x.copy(), y.copy(), 1)
        np.testing.assert_allclose(dx, numerical_grad(program.f, [x, y, 1], 0), atol=1e-8)
        np.testing.assert_allclose(dy, numerical_grad(program.f, [x, y, 1], 1), atol=1e-8)


def bernoulli_nll(p, y):
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_a_constant_comes_after_the_terms_a_person_writes_first():
    rng = np.random.default_rng(0)
    p, y = rng.uniform(0.1, 0.9, 20), (rng.random(20) > 0.5) * 1.0
    text = s2s.source(s2s.grad(bernoulli_nll), like=(p, y))
    assert "d_p = (y - p) / (p - 1.0) / p" in text, text
    g = s2s.grad(bernoulli_nll)
    for _ in range(2):
        np.testing.assert_allclose(g(p, y), numerical_grad(bernoulli_nll, [p, y], 0), rtol=1e-6)


def test_a_helper_is_inlined_into_code_for_known_shapes():
    """course.logistic_nll calls its `sigmoid(t)`: inlined, the log-likelihood's gradient is p - y."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    import course
    rng = np.random.default_rng(0)
    X, y, w = rng.normal(size=(20, 3)), (rng.random(20) > 0.5) * 1.0, rng.normal(size=3)
    text = s2s.source(s2s.grad(course.logistic_nll, wrt=(0, 1)), like=(w, 0.1, X, y))
    assert "d_t = sigmoid_out - y" in text and "def fwd_sigmoid" not in text, text
    g = s2s.grad(course.logistic_nll, wrt=(0, 1))
    for _ in range(2):
        dw, db = g(w, 0.1, X, y)
        np.testing.assert_allclose(dw, numerical_grad(course.logistic_nll, [w, 0.1, X, y], 0), rtol=1e-6)
        assert db == pytest.approx(numerical_grad(course.logistic_nll, [w, 0.1, X, y], 1), rel=1e-6)


# ---- sums over one axis ----------------------------------------------------------------------------

def log_softmax_loss(Z, Y):
    """Cross-entropy of soft labels Y against the log-softmax of Z, shifted by its row maximum."""
    m = np.max(Z, axis=1, keepdims=True)
    logp = Z - np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True)) - m
    return -np.mean(np.sum(Y * logp, axis=1))


def softmax_score(Z, W):
    e = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return np.sum(W * (e / e.sum(axis=1, keepdims=True)))


def logsumexp_rows(Z, w):
    m = np.max(Z, axis=-1, keepdims=True)
    return np.sum(w * (m + np.log(np.sum(np.exp(Z - m), axis=-1, keepdims=True))))


def shifted_by_max(Z):
    return np.sum(np.sin(Z - np.max(Z, axis=1, keepdims=True)))


def _softmax(Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_the_shift_by_the_row_maximum_cancels_over_the_reals():
    """The cotangent of the maximum a log-softmax, softmax or logsumexp subtracts sums to zero over
    each row: its path is dropped (no `unmax`), the gradient is the analytic one."""
    rng = np.random.default_rng(1)
    Z, Y, W, w = rng.normal(size=(6, 4)), rng.random((6, 4)), rng.normal(size=(6, 4)), rng.normal(size=(6, 1))
    Z[2, 1] = Z[2, 3] = Z[2].max() + 0.5   # a tie: the maximum is not differentiable there, the function is
    P = _softmax(Z)
    cases = [(log_softmax_loss, (Z, Y), (P * Y.sum(axis=1, keepdims=True) - Y) / 6),
             (softmax_score, (Z, W), P * (W - np.sum(W * P, axis=1, keepdims=True))),
             (logsumexp_rows, (Z, w), w * P)]
    for f, args, expected in cases:
        text = s2s.source(s2s.grad(f), like=args)
        assert "unmax" not in text and "grad of: m = " not in text, text   # (no line cites the maximum)
        g = s2s.grad(f)
        for _ in range(3):
            np.testing.assert_allclose(g(*args), expected, rtol=1e-10, atol=1e-12)
    V = rng.normal(size=Z.shape)   # the simplified code differentiated again
    eps = 1e-5
    g = s2s.grad(log_softmax_loss)
    numeric = (g(Z + eps * V, Y) - g(Z - eps * V, Y)) / (2 * eps)
    np.testing.assert_allclose(s2s.hvp(log_softmax_loss)(Z, Y, V), numeric, rtol=1e-5, atol=1e-8)


def test_a_shift_that_does_not_cancel_keeps_its_path():
    Z = np.random.default_rng(2).normal(size=(5, 3))
    text = s2s.source(s2s.grad(shifted_by_max), like=(Z,))
    assert "unmax" in text, text
    g = s2s.grad(shifted_by_max)
    for _ in range(3):
        np.testing.assert_allclose(g(Z), numerical_grad(shifted_by_max, [Z], 0), rtol=1e-6, atol=1e-9)


def test_a_sum_over_an_axis_reads_no_value_from_before_an_element_write():
    """A value kept as a name (it calls np.sin, and two statements read it) is not expanded into a
    sum after an element write to what it read: there, d_s is not zero, and its unmax stays."""
    source = ("def f(m, u, d_out):\n"
              "    d_y = m * d_out\n"
              "    d_a = np.sin(m) * d_out\n"
              "    d_b = d_a * 2.0\n"
              "    d_c = d_a * 3.0\n"
              "    m[0, 0] = 5.0\n"
              "    d_s = (d_a * m).sum(axis=1, keepdims=True) - d_out * (np.sin(m) * m).sum(axis=1, keepdims=True)\n"
              "    d_y = d_y + unmax(d_s, m, m.max(axis=1, keepdims=True), 1, True)\n"
              "    return (d_b, d_c, d_y)\n")
    kinds = {"m": (2, 3), "u": (3,), "d_out": NUMBER, "d_a": (2, 3), "d_b": (2, 3), "d_c": (2, 3), "d_s": (2, 1),
             "d_y": (2, 3)}
    tree = simplify_adjoint_arithmetic(parse(source).body[0], kinds, lambda n: True, lambda n: n.startswith("d_"),
                                       _pure, _kind_of(kinds), frozenset({"unmax"}))
    assert "unmax" in ast.unparse(gast.gast_to_ast(tree))
    args = (_args()[2], _args()[0], 1.5)
    for a, b in zip(_run(parse(source).body[0], args), _run(tree, args)):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_kinds_of_views_transposes_fills_and_sums_over_an_axis():
    kinds = {"a": (4, 3), "r": (4,), "d": (4, 1)}

    def kind(text):
        return kind_of(gast.parse(text).body[0].value, kinds, {}, lambda n: n)

    assert kind("a.T") == (3, 4) and kind("r[:, None]") == (4, 1) and kind("r[None, :]") == (1, 4)
    assert kind("a[:, 0]") == (4,) and kind("a + d") == (4, 3) and kind("a + r") is False
    assert kind("a.sum(axis=1, keepdims=True)") == (4, 1) and kind("np.sum(a, axis=-2)") == (3,)
    assert kind("a.sum(axis=2)") is False and kind("a.sum(axis=0, keepdims=k)") is False
    assert kind("np.full((2, 3), 0.5)") == (2, 3) and kind("np.full((2, 3), 0.5 * d_0)") is False  # (d_0: unknown)
    assert kind("np.full((2, 3), 2)") is False   # an int fill makes an int array
    assert kind("unmax(d, a, d, 1, True)") == (4, 3)


def test_a_product_of_an_earlier_value_stays_a_product():
    source = ("def f(m, u, s, d_out):\n"   # d_u = 0.2 * (u - d_out) * (1 - u * u), expanded by the chain
              "    d_a = u - d_out\n"
              "    d_3 = d_a * 0.1\n"
              "    d_b = d_3 + d_3\n"
              "    d_u = d_b - d_b * u * u\n"
              "    return d_a, d_u\n")
    text = _simplified(source, ROWS)
    assert "d_u = d_a * (0.2 - 0.2 * u * u)" in text, text   # (not u * (u * (...)) + 0.2 * d_a)
    _same_values(source, text, (np.zeros((2, 3)), np.array([0.3, -1.0, 2.0]), 1.5, np.array([0.5, -1.0, 2.0])))
