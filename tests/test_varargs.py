"""`*args` and `**kwargs` (issue 10): in the differentiated function and in helpers, calls with
`f(*xs)` and `f(**d)`, `zip(*pairs)` and `a, *rest = xs`, against values worked out by hand and
against autograd. The corpus cases in tests/corpus_issue10_varargs.py run in every mode in
tests/test_data.py; here: the API (which argument `wrt` names, keyword arguments, arities,
errors), the generated source, and the refusals."""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

import s2s


def star(*xs):
    return xs[0] * xs[1]


def kw(x, **opts):
    return x * opts["a"] ** 2


def mixed(x, *rest, scale=1.0, **opts):
    s = x * scale
    for r in rest:
        s = s + r * r * opts["w"]
    return s


def sum_sq(*xs):
    total = 0.0
    for x in xs:
        total = total + np.sum(x * x)
    return total


def test_wrt_counts_positional_arguments_into_args():
    assert s2s.grad(star)(2.0, 3.0) == 3.0   # wrt=0 is the first positional argument
    assert s2s.grad(star, wrt=(0, 1))(2.0, 3.0) == (3.0, 2.0)
    assert s2s.value_and_grad(star, wrt=1)(2.0, 3.0) == (6.0, 2.0)
    assert s2s.vjp(star, wrt=1)(2.0, 3.0, 2.0) == 4.0
    assert s2s.jvp(star, wrt=(0, 1))(2.0, 3.0, 1.0, 10.0) == (6.0, 23.0)
    assert s2s.grad(star, wrt="xs[1]")(2.0, 3.0) == 2.0


def test_matches_autograd_on_arrays():
    def f(*ws):
        return np.sum(np.tanh(ws[0] @ ws[1]) * ws[2])

    def f_autograd(*ws):
        return anp.sum(anp.tanh(anp.dot(ws[0], ws[1])) * ws[2])
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=2))
    ours = s2s.grad(f, wrt=(0, 1, 2))(*args)
    for k in range(3):
        np.testing.assert_allclose(ours[k], autograd.grad(f_autograd, k)(*args), rtol=1e-12)


def test_one_derivative_serves_every_arity():
    g = s2s.grad(sum_sq)
    assert g(1.5) == 3.0
    assert g(1.5, 2.0, 7.0) == 3.0
    np.testing.assert_allclose(s2s.grad(sum_sq, wrt=2)(1.0, 2.0, np.array([1.0, -2.0])), [2.0, -4.0])


def test_keyword_arguments_reach_kwargs_in_every_mode():
    assert s2s.grad(kw)(2.0, a=3.0) == 9.0
    assert s2s.grad(kw, wrt="opts")(2.0, a=3.0) == {"a": 12.0}
    assert s2s.value_and_grad(kw)(2.0, a=3.0) == (18.0, 9.0)
    assert s2s.vjp(kw)(2.0, 2.0, a=3.0) == 18.0
    assert s2s.jvp(kw)(2.0, 1.0, a=3.0) == (18.0, 9.0)
    assert s2s.hvp(kw)(2.0, 1.0, a=3.0) == 0.0
    assert s2s.hessian(kw)(2.0, a=3.0) == 0.0
    assert s2s.jacobian(kw)(2.0, a=3.0) == 9.0


def test_args_keyword_only_and_kwargs_together():
    g = s2s.grad(mixed, wrt=(0, 1, 2))
    assert g(1.0, 2.0, 3.0, scale=2.0, w=0.5) == (2.0, 2.0, 3.0)
    assert g(1.0, 2.0, 3.0, 4.0, w=1.0) == (1.0, 4.0, 6.0)
    assert s2s.jacobian(mixed, wrt=2)(1.0, 2.0, 3.0, scale=2.0, w=0.5) == 3.0
    h = s2s.hessian(mixed, wrt=(1, 2))(1.0, 2.0, 3.0, w=0.5)
    np.testing.assert_allclose(np.array(h, dtype=float), np.eye(2))


def test_second_order():
    assert s2s.grad(s2s.grad(star), wrt=1)(2.0, 3.0) == 1.0
    assert s2s.hvp(star, wrt=(0, 1))(2.0, 3.0, (1.0, 0.0)) == (0.0, 1.0)
    assert s2s.hessian(star, wrt=(0, 1))(2.0, 3.0) == ((0.0, 1.0), (1.0, 0.0))

    def cube(*xs):
        return xs[0] ** 3 * xs[1]
    assert s2s.grad(s2s.grad(cube))(2.0, 3.0) == pytest.approx(6 * 2.0 * 3.0)
    assert s2s.hvp(cube)(2.0, 3.0, 1.0) == pytest.approx(36.0)


def test_generated_code_keeps_the_signature():
    assert "def grad_star(*xs):" in s2s.source(s2s.grad(star, wrt=(0, 1)))
    assert "return d_xs[0], d_xs[1]" in s2s.source(s2s.grad(star, wrt=(0, 1)))
    assert "def vjp_star(*xs, d_out):" in s2s.source(s2s.vjp(star))
    assert "def jvp_star(*xs, t_xs):" in s2s.source(s2s.jvp(star))
    assert "def grad_mixed(x, *rest, scale=1.0, **opts):" in s2s.source(s2s.grad(mixed))


def _helper(*args, **kwargs):
    return args[0] * args[1] * kwargs["k"]


def calls_helper(x, y):
    return _helper(x, y, k=y)


def test_calls_pack_args_and_kwargs_readably():
    assert s2s.grad(calls_helper, wrt=(0, 1))(2.0, 3.0) == (9.0, 12.0)
    text = s2s.source(s2s.grad(calls_helper, wrt=(0, 1)))
    assert "_1 = x, y\n" in text and "_2 = {'k': y}\n" in text
    assert "fwd__helper(*_1, **_2)" in text and "def fwd__helper(*args, **kwargs):" in text


def test_wrong_arguments_raise_type_errors_that_name_the_parameter():
    with pytest.raises(TypeError, match=r"`xs\[2\]`"):
        s2s.grad(star, wrt=2)(1.0, 2.0)
    with pytest.raises(TypeError, match="'x'"):
        s2s.grad(mixed)(scale=1.0)
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        s2s.grad(mixed)(1.0, 2.0, w=1.0, x=5.0)
    with pytest.raises(TypeError, match="seed"):
        s2s.vjp(star)()


def test_integer_entries_of_args():
    assert s2s.grad(star)(2.0, 3) == 3.0   # xs[1] is not differentiated: it may be an integer
    with pytest.raises(s2s.IntegerArgumentError, match=r"xs\[1\]"):
        s2s.grad(star, wrt=1)(2.0, 3)


def test_a_negative_wrt_with_args_is_refused():
    with pytest.raises(s2s.S2SError, match="negative"):
        s2s.grad(star, wrt=-1)
    with pytest.raises(s2s.S2SError, match="an entry of it"):
        s2s.jvp(star, wrt=("xs", 0))


def test_zip_star_and_starred_assignment_by_hand():
    def unzip(p, q):
        pairs = [(p, q), (q * 2.0, p * p)]
        a, b = zip(*pairs)
        first, *rest = pairs
        return a[0] * b[1] + first[1] * rest[0][0]
    # a = (p, 2q), b = (q, p^2): p * p^2 + q * 2q
    assert s2s.grad(unzip, wrt=(0, 1))(1.5, 2.0) == (3 * 1.5 ** 2, 4 * 2.0)
    assert s2s.hvp(unzip, wrt=(0, 1))(1.5, 2.0, (1.0, 0.0)) == (6 * 1.5, 0.0)


def test_starred_unpacking_too_short_raises_as_python():
    def f(x):
        a, *b, c = [x]
        return a * c
    with pytest.raises(ValueError, match="not enough values to unpack"):
        s2s.grad(f)(1.0)


def _kwhelp(x, scale=1.0, shift=0.0):
    return x * scale + shift


def kw_fills_parameters(x, y):
    d = {"scale": x, "shift": y * y}
    return _kwhelp(x, **d)


def kw_fills_some(x):
    d = {"shift": x}
    return _kwhelp(x, **d)


def kw_unexpected(x):
    d = {"scale": x, "zz": 1.0}
    return _kwhelp(x, **d)


def test_double_star_fills_named_parameters_or_defaults():
    assert s2s.grad(kw_fills_parameters, wrt=(0, 1))(3.0, 2.0) == (6.0, 4.0)
    assert s2s.jvp(kw_fills_parameters, wrt=(0, 1))(3.0, 2.0, 1.0, 1.0) == (13.0, 10.0)
    assert s2s.hvp(kw_fills_parameters, wrt=(0, 1))(3.0, 2.0, (1.0, 1.0)) == (2.0, 2.0)
    assert s2s.grad(kw_fills_some)(3.0) == 2.0   # scale keeps its default
    with pytest.raises(TypeError, match="unexpected keyword argument 'zz'"):
        s2s.grad(kw_unexpected)(1.0)


def _takes_args_too(a, b, *rest):
    return a * b


def _kw_and_kwargs(x, scale=1.0, **kw):
    return x * scale


def _array_default(x, w=np.ones(2)):
    return np.sum(x * w)


def kw_may_fill_a_parameter(x):
    d = {"scale": x}
    return _kw_and_kwargs(x, **d)


def kw_leaves_an_array_default(x):
    d = {}
    return _array_default(x, **d)


def star_into_numpy(x):
    pair = [x, x * 2.0]
    return np.einsum("i,i", *pair)   # einsum takes *operands: s2s cannot bind them


def test_star_into_a_rule_binds_its_parameters():
    def f(x):
        pair = [x, x * 2.0]
        return np.sum(np.add(*pair))
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(s2s.grad(f)(x), [3.0, 3.0])
    assert s2s.jvp(f)(x, np.array([1.0, -2.0]))[1] == pytest.approx(-3.0)


def star_fills_named_and_args(x):
    xs = [x, x * 2.0, x * 3.0]
    return _takes_args_too(*xs)


def test_star_fills_named_parameters_and_args():
    assert s2s.grad(star_fills_named_and_args)(1.5) == pytest.approx(4 * 1.5)
    assert s2s.hvp(star_fills_named_and_args)(1.5, 1.0) == pytest.approx(4.0)


def star_then_more(x):
    xs = [x]
    return _kwhelp(*xs, x)


def kw_into_a_local_function(x):
    def h(a, scale=1.0, **opts):
        return a * scale
    d = {"scale": x}
    return h(x, **d)


@pytest.mark.parametrize("func, message", [
    (kw_may_fill_a_parameter, r"`\*\*d` may hold `scale`"),
    (kw_leaves_an_array_default, r"may leave `w` of `_array_default` at its default"),
    (star_into_numpy, r"`\*` or `\*\*` in a call to `np.einsum`"),
    (kw_into_a_local_function, r"`\*\*d` may hold `scale`, a parameter of `h`"),
    (star_then_more, r"positional arguments after a `\*` that fills parameters of `_kwhelp`"),
])
@pytest.mark.parametrize("transform", [s2s.grad, s2s.jvp, s2s.hvp], ids=["grad", "jvp", "hvp"])
def test_refused_when_built_with_the_line(func, message, transform):
    with pytest.raises(s2s.S2SError, match=r"test_varargs\.py:\d+:\d+: error: .*" + message):
        transform(func)


def locals_with_args_and_kwargs(x, y):
    """Local functions and a lambda taking *args and **kwargs, called with `*xs`, `**d`, extra
    positional and keyword arguments, and with none (an empty tuple and dict)."""
    def h(a, *rest, scale=1.0, **opts):
        total = a * scale
        for r in rest:
            total = total + r * opts.get("w", 1.0)
        return total

    def two(p, q):
        return p * q

    sym = lambda *args, **kw: kw.get("c", 2.0) * (args[0] + np.transpose(args[0]))
    xs = [y, y * y]
    d = {"w": 3.0}
    return (np.sum(h(x, *xs, scale=2.0, **d)) + np.sum(h(x, y, w=0.5)) + np.sum(h(x)) + np.sum(two(*xs))
            + np.sum(sym(np.outer(x, y), c=0.5)) + np.sum(sym(np.outer(y, y))))


def locals_with_args_and_kwargs_autograd(x, y):
    def h(a, *rest, scale=1.0, **opts):
        total = a * scale
        for r in rest:
            total = total + r * opts.get("w", 1.0)
        return total
    sym = lambda *args, **kw: kw.get("c", 2.0) * (args[0] + anp.transpose(args[0]))
    return (anp.sum(h(x, y, y * y, scale=2.0, w=3.0)) + anp.sum(h(x, y, w=0.5)) + anp.sum(h(x)) + anp.sum(y * y * y)
            + anp.sum(sym(anp.outer(x, y), c=0.5)) + anp.sum(sym(anp.outer(y, y))))


def test_local_functions_take_args_and_kwargs_in_every_mode():
    rng = np.random.default_rng(1)
    x, y, v, w = (rng.normal(size=3) for _ in range(4))
    expected = [autograd.grad(locals_with_args_and_kwargs_autograd, k)(x, y) for k in (0, 1)]
    ours = s2s.grad(locals_with_args_and_kwargs, wrt=(0, 1))(x, y)
    for a, b in zip(ours, expected):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    value, tangent = s2s.jvp(locals_with_args_and_kwargs, wrt=(0, 1))(x, y, v, w)
    assert value == pytest.approx(locals_with_args_and_kwargs_autograd(x, y))
    assert tangent == pytest.approx(expected[0] @ v + expected[1] @ w)
    hess_v = autograd.grad(lambda t: autograd.grad(locals_with_args_and_kwargs_autograd, 1)(x, t) @ w)(y)
    np.testing.assert_allclose(s2s.hvp(locals_with_args_and_kwargs, wrt=1)(x, y, w), hess_v, rtol=1e-10)


# An entry taken out of `zip(*pairs)`, `a, *rest = xs`, `(*xs,)` or `xs + ys` is the array itself:
# `y += 1.0` on it changes what the container holds. Where `y` may be a number the derivative checks
# when it runs (as for any `y += e`), and raises rather than differentiate a copy.
def alias_through_zip(x):
    pairs = [(x * 1.0, x * 2.0)]
    a, b = zip(*pairs)
    a0 = a[0]
    a0 += 1.0
    return np.sum(a0 * pairs[0][0])


def alias_through_starred_target(x):
    xs = [x * 1.0, x * 2.0]
    first, *rest = xs
    first += 1.0
    return np.sum(first * xs[0])


def alias_through_display(x):
    xs = [x * 1.0, x * 2.0]
    t = (*xs,)
    u = t[0]
    u += 1.0
    return np.sum(u * xs[0])


def alias_through_list_plus(x):
    xs = [x * 1.0]
    c = xs + [x * 2.0]
    u = c[0]
    u += 1.0
    return np.sum(u * xs[0])


@pytest.mark.parametrize("func", [alias_through_zip, alias_through_starred_target, alias_through_display,
                                  alias_through_list_plus])
def test_in_place_write_into_an_entry_is_refused_when_run(func):
    x = np.array([1.0, 2.0])
    for run in (lambda: s2s.grad(func)(x.copy()), lambda: s2s.jvp(func)(x.copy(), np.ones(2)),
                lambda: s2s.hvp(func)(x.copy(), np.ones(2))):
        with pytest.raises(s2s.InPlaceWriteError, match="in place"):
            run()
    assert s2s.grad(func)(1.5) == pytest.approx(2 * 1.5 + 1.0)   # on a float `+=` rebinds: (x + 1) * x


def _star_rows(*xs):
    return np.sum(np.tanh(xs[0]) * xs[0][0])


def test_jvp_of_a_jvp_of_a_star_function_does_not_take_a_tangent_for_its_tuple():
    """jvp(jvp(f)) for f(*xs): the inner tangent is a tuple (t_xs); an array given in its place
    positionally would be indexed as one (a silently wrong derivative): it is refused."""
    x, t = np.array([0.3, -0.5, 1.0]), np.array([1.0, 2.0, -1.0])
    twice = s2s.jvp(s2s.jvp(_star_rows))
    with pytest.raises(TypeError, match="t_xs"):
        twice(x, t, t)


def test_jvp_of_a_vjp_of_a_star_function_takes_the_seed_last():
    x, t, h = np.array([0.3, -0.5, 1.0]), np.array([1.0, 2.0, -1.0]), 1e-6
    backward = s2s.vjp(_star_rows)
    expected = (backward(x + h * t, 1.0) - backward(x - h * t, 1.0)) / (2 * h)
    np.testing.assert_allclose(s2s.jvp(backward)(x, 1.0, t)[1], expected, rtol=1e-6, atol=1e-8)


def test_the_tangent_of_the_star_tuple_given_by_name_must_be_a_tuple():
    x, t = np.array([0.3, -0.5, 1.0]), np.array([1.0, 2.0, -1.0])
    forward = s2s.jvp(_star_rows)
    with pytest.raises(TypeError, match="tangent of the tuple"):
        forward(x, t_xs=t)
    assert forward(x, t_xs=(t,))[1] == pytest.approx(forward(x, t)[1], rel=1e-12)


def star_then_a_keyword(x, y):
    xs = [x, 3.0]
    return _kwhelp(*xs, shift=y * y)   # xs fills x and scale; shift by name


def test_star_fills_the_parameters_before_one_passed_by_keyword():
    assert s2s.grad(star_then_a_keyword, wrt=(0, 1))(2.0, 1.5) == (3.0, 3.0)
    assert s2s.jvp(star_then_a_keyword, wrt=(0, 1))(2.0, 1.5, 1.0, 1.0) == (2.0 * 3.0 + 2.25, 6.0)
