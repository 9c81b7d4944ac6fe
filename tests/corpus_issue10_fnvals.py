"""Functions as values inside differentiated code (issue 10, item 1): functions passed to user
functions, lambdas over differentiated values, map, functools.partial, factories, function defaults
and nested s2s.grad. Run in every mode by tests/test_data.py; refusals by tests/test_function_values.py."""
import functools

import numpy as np

import othermodule
import s2s

_X = np.array([0.3, -0.7, 1.2])


def apply(f, x):
    return f(x) * 2


def apply_twice(f, x):
    return apply(f, f(x))


def fv_ufunc_argument(x):
    return np.sum(apply(np.sin, x))


def twice(t):
    return t * t


def fv_module_function_argument(x):
    return np.sum(apply(twice, x) * x)


def fv_lambda_over_active(w, x):
    return np.sum(apply(lambda t: w * t, x))


def fv_local_def_argument(x):
    def cube(t):
        return t ** 3
    return np.sum(apply_twice(cube, x))


def fv_passed_on(x):
    return np.sum(apply_twice(np.tanh, x) + apply(lambda t: t * x[0], x))


def fv_map(x):
    return sum(map(np.sin, [x, x * 2]))[1]


def fv_map_lambda_two_lists(x):
    return np.sum(sum(map(lambda a, b: a * b, [x, x ** 2], [np.cos(x), x])))


def fv_map_in_loop(x):
    total = 0.0
    for y in map(np.exp, [x[0], x[1] * x[2]]):
        total = total + y
    return total


def pw(a, x, p=2.0):
    return a * x ** 2 + p * np.sin(x)


def fv_partial(x):
    f = functools.partial(pw, 3.0)
    return np.sum(f(x))


def fv_partial_keywords(x):
    a = x[0]
    f = functools.partial(pw, a, p=3.0)
    a = 10.0  # the partial keeps the value it was made with
    return np.sum(f(x)) + a


def fv_partial_mapped(x):
    return np.sum(sum(map(functools.partial(pw, x[1]), [x, 2 * x])))


def make(a):
    return lambda x: a * np.sin(x)


def fv_factory_lambda(x):
    h = make(3.0)
    return np.sum(h(x))


def make_over(c):
    d = c * c

    def s(t):
        return d * t + c
    return s


def fv_factory_over_active(x):
    h = make_over(x[0])
    g = make_over(2.0)
    return np.sum(h(x) * g(x))


def layer(x, act=np.tanh):
    return act(x)


def fv_default_function(x):
    return np.sum(layer(x) + layer(x, act=np.sin))


def inner(x):
    return np.sum(x ** 3)


def fv_nested_grad(x):
    gx = s2s.grad(inner)(x)
    return np.sum(gx ** 2)


def fv_nested_grad_named(x):
    g = s2s.value_and_grad(inner)
    value, gx = g(x * 2)
    return value + np.sum(np.sin(gx))


ISSUE_10_FNVALS = [  # (function, argument sets, wrt)
    (fv_ufunc_argument, [(_X,)], 0),
    (fv_module_function_argument, [(_X,)], 0),
    (fv_lambda_over_active, [(0.7, _X)], (0, 1)),
    (fv_local_def_argument, [(_X,)], 0),
    (fv_passed_on, [(_X,)], 0),
    (fv_map, [(_X,)], 0),
    (fv_map_lambda_two_lists, [(_X,)], 0),
    (fv_map_in_loop, [(_X,)], 0),
    (fv_partial, [(_X,)], 0),
    (fv_partial_keywords, [(_X,)], 0),
    (fv_partial_mapped, [(_X,)], 0),
    (fv_factory_lambda, [(_X,)], 0),
    (fv_factory_over_active, [(_X,)], 0),
    (fv_default_function, [(_X,)], 0),
    (fv_nested_grad, [(_X,)], 0),
    (fv_nested_grad_named, [(_X,)], 0),
]


# ---- refused in every mode, at the user's line --------------------------------------------

def fv_chosen_by_branch(x):
    if x[0] > 0:
        f = np.sin
    else:
        f = np.cos
    return np.sum(f(x))


def fv_from_a_list(x):
    total = 0.0
    for f in [np.sin, np.cos]:
        total = total + np.sum(f(x))
    return total


def fv_lambda_stored(x):
    fs = [lambda t: t * x]
    return np.sum(fs[0](x))


def rec(f, x, n):
    if n == 0:
        return x
    return rec(f, f(x), n - 1)


def fv_recursion_through_argument(x):
    return np.sum(rec(np.sin, x, 2))


def fv_function_returned(x):
    h = make(x[0])
    return h


def fv_map_iterator_reused(x):
    m = map(np.sin, [x, x])
    total = 0.0
    for k in range(2):
        total = total + np.sum(sum(m))
    return total


def fv_map_read_twice(x):
    m = map(np.sin, [x, x])
    return np.sum(sum(m)) + np.sum(sum(m))


def fv_map_inside_zip(x):
    total = 0.0
    for a, b in zip(map(np.sin, [x, x]), [x, x]):
        total = total + np.sum(a * b)
    return total


def fv_grad_of_local(x):
    g = s2s.grad(lambda t: np.sum(t * x))
    return np.sum(g(x))


def fv_grad_of_local_calling_local(x):
    def h(t):
        return t * x
    def inner(y):
        return h(y) * y
    return s2s.grad(inner)(x[0]) * x


def fv_grad_of_enclosing_lambda(x):   # autograd's test_enclosing_scope_ref
    inner_fun = lambda y: x * y
    return x * s2s.grad(inner_fun)(2.0)


def fv_grad_of_enclosing_def(x):
    scale = 3.0
    def inner(y):
        return scale * np.sin(x * y) ** 2
    g = s2s.grad(inner)
    return g(x) + g(2.0 * x)


def fv_grad_of_local_on_a_tuple(x):   # autograd's test_nested_higher_order
    def inner_fun(y):
        return y[0] * y[1]
    return np.sum(np.sin(np.array(s2s.grad(inner_fun)((x, x)))))


def fv_called_before_bound(x):
    total = 0.0
    for k in range(2):
        if k > 0:
            total = total + np.sum(f(x))  # noqa: F821 -- bound below, in the trip before
        f = functools.partial(pw, 2.0)  # noqa: F841
    return total


def rec_local(x):
    def walk(f, t, n):
        return t if n == 0 else walk(f, f(t), n - 1)
    return np.sum(walk(np.sin, x, 2))


def fv_other_module_value(x):
    return np.sum(othermodule.apply_scaled(np.sin, x))


def apply_param(x, f):
    return np.sum(f(x))


def _defaults_bound_in_a_loop():   # autograd's test_plain_numpy_reductions_on_box
    made = []
    for reduction in (np.sum, np.prod, np.max):
        def fv_default_from_a_loop(a, _r=reduction):
            return _r(np.exp(a) * _X)
        made.append(fv_default_from_a_loop)
    return made


fv_default_sum, fv_default_prod, fv_default_max = _defaults_bound_in_a_loop()


ISSUE_10_FNVALS_REFUSED = [
    (apply_param, "is a parameter of `apply_param` that holds a function", "return np.sum(f(x))"),
    (fv_other_module_value, "`SCALE` in it means something else", "return np.sum(othermodule.apply_scaled(np.sin, x))"),  # (function, text the error says, text of the line it points at)
    (fv_chosen_by_branch, "assigned elsewhere too", "f = np.sin"),
    (fv_from_a_list, "`f` holds a function that s2s cannot know", "total = total + np.sum(f(x))"),
    (fv_lambda_stored, "used as a value", "fs = [lambda t: t * x]"),
    (fv_recursion_through_argument, "calls itself through a function argument", "return rec(f, f(x), n - 1)"),
    (fv_function_returned, "used as a value", "return h"),
    (fv_map_iterator_reused, "iterator made by map", "total = total + np.sum(sum(m))"),
    (fv_map_read_twice, "read more than once", "m = map(np.sin, [x, x])"),
    (fv_map_inside_zip, "map inside what a for loop iterates over", "for a, b in zip(map(np.sin, [x, x]), [x, x]):"),
    (fv_grad_of_local_calling_local, "calls the local function `h`", "return s2s.grad(inner)(x[0]) * x"),
    (fv_called_before_bound, "is called here before the function",
     "total = total + np.sum(f(x))  # noqa: F821 -- bound below, in the trip before"),
    (rec_local, "calls itself", "def walk(f, t, n):"),
]


def fv_local_def_given_functions(w, x):
    act = np.tanh

    def layer(f, t, k=2.0):
        return k * act(f(t))
    return np.sum(layer(np.sin, x) + layer(lambda s: w * s, x, k=0.5))


def apply_local(f, x):
    def twice(t):
        return f(f(t))
    return twice(x) + x


def fv_local_function_of_an_inlined_function(w, x):
    return np.sum(apply_local(lambda t: w * np.sin(t), x))


def fv_map_lazy_in_loop(x):
    z = x * 1.0
    total = 0.0
    for y in map(lambda t: t * z[0], [x[1], x[2]]):  # Python calls the lambda as the loop runs
        z[0] = z[0] + y
        total = total + y
    return total + np.sum(z)


def fv_map_bound_then_list_grows(x):
    xs = [x, x * 2]
    m = map(np.sin, xs)
    xs.append(x * 3)  # the map, lazy, sees this element too
    return np.sum(sum(m))


def fv_other_module(w, x):
    return np.sum(othermodule.apply_squashed(lambda t: w * t, x))


def layer_sum(x, act=np.tanh):
    return np.sum(act(x) * x)


def make_funs(scale):
    shift = scale * 0.5

    def predict(w, x):
        return np.tanh(w * x + shift)

    def loss(w, x):
        return np.sum((predict(w, x) - scale) ** 2)
    return predict, loss


def fv_factory_of_two_functions(w, x):
    predict, loss = make_funs(w[0])
    return loss(w, x) + np.sum(predict(x, w))


ISSUE_10_FNVALS += [
    (fv_factory_of_two_functions, [(_X, _X[::-1].copy())], (0, 1)),
    (layer_sum, [(_X, np.tanh)], 0),  # jvp and hvp take every parameter
    (fv_other_module, [(0.7, _X)], (0, 1)),
    (fv_map_lazy_in_loop, [(_X,)], 0),
    (fv_map_bound_then_list_grows, [(_X,)], 0),
    (fv_local_def_given_functions, [(0.7, _X)], (0, 1)),
    (fv_local_function_of_an_inlined_function, [(0.7, _X)], (0, 1)),
    (fv_grad_of_local, [(_X,)], 0),
    (fv_grad_of_enclosing_lambda, [(1.3,)], 0),
    (fv_grad_of_enclosing_def, [(1.3,), (-0.4,)], 0),
    (fv_grad_of_local_on_a_tuple, [(1.3,)], 0),
    (fv_default_sum, [(0.7,)], 0),
    (fv_default_prod, [(0.7,)], 0),
    (fv_default_max, [(0.7,)], 0),
]
