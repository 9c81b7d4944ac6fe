"""Functions s2s must reject at generation time (tests/test_errors.py)."""
import numpy as np

import s2s

COUNTER = 0


def uses_global(x):
    global COUNTER
    COUNTER = 1
    return x


def nested_def_in_branch(x):
    if x > 0:
        def half(t):
            return t * 0.5
        return half(x)
    return x


def apply(f, x):
    return f(x)


def lambda_in_list(x):
    fs = [lambda t: t * x, np.sin]
    return np.sum(apply(fs[0], x))


def local_function_as_value(x):
    sq = lambda t: t * t
    pair = (sq, x)
    return np.sum(apply(pair[0], x))


def recursive_local_function(x):
    def fact(n):
        return 1.0 if n <= 1 else n * fact(n - 1)
    return x * fact(3)


def uses_nonlocal(x):
    y = x

    def inner():
        nonlocal y
        y = 2.0
    return y


def uses_yield(x):
    # A generator is differentiated as the list of what it yields; one that is sent values is not.
    sent = yield x
    yield sent


def uses_try(x):
    try:
        y = x * 2
    except ValueError:
        y = x
    return y


def uses_with(x):
    with open("f") as fh:
        y = x
    return y


def uses_eval(x):
    return eval("x * 2")


def uses_exec(x):
    exec("y = 1")
    return x


def uses_class(x):
    class A:
        pass
    return x


async def uses_async(x):
    return x


def uses_del(x):
    y = x
    del y
    return x


def nested_subscript_write(x):
    y = np.zeros((3, 2))
    y[0][1] = x
    return np.sum(y)


def view_read_after_write(x):
    y = np.zeros(3)
    first = y[0:2]
    y[0] = x
    return np.sum(first) * x


def alias_read_after_write(x):
    y = np.zeros(3)
    z = y
    y[1] = x
    return np.sum(z * x)


def swap_rows(x):
    m = np.ones((2, 2)) * x
    m[0], m[1] = m[1], m[0]
    return np.sum(m)


class Opaque:
    """A callable object: no source to read and no rule."""

    def __call__(self, x):
        return x * 2


opaque = Opaque()


def calls_opaque(x):
    return opaque(x) * x


def calls_builtin_without_rule(x):
    return np.sum(np.fft.rfft(x) * 2.0)


def calls_helper_with_bad_code(x):
    return _bad_helper(x) + x


def _bad_helper(x):
    try:
        return x
    finally:
        pass


class Point:
    """An object whose fields s2s cannot differentiate through."""

    def __init__(self, w):
        self.w = w


def reads_field(p):
    return p.w * 3.0


def reads_real(x):
    return x.real * 2.0


def reads_flat(x):
    return x.flat[1] * 2.0


def calls_unknown_method(x):
    return x.conj() * 2.0


# ---- issue 10, item 6: hints name what the user can write ----------------------------------------

class Layer:
    def forward_pass(self, x):
        return np.tanh(x)


LAYER = Layer()


def calls_method_of_parameter(layer, x):
    return np.sum(layer.forward_pass(x))


def calls_bound_method_of_global(x):
    return np.sum(LAYER.forward_pass(x))


def calls_fft(x):
    return np.sum(np.fft.fft(x).real)


def local_lambda_without_rule(x):
    f = lambda t: t.conj() * t
    return np.sum(f(x))


def returns_a_bool(x):
    close = np.allclose(x, x * 3.0 / 3.0)
    return close


def _two_parameters(a, b=1.0):
    return a * b


def calls_helper_with_too_many_arguments(x):
    return np.sum(_two_parameters(x, 2.0, 3.0))


def calls_undefined_function(x):
    return np.sum(undefined_function(x))  # noqa: F821


def _decorate(f):
    def inner(t):
        return f(t)
    return inner


@_decorate
def _decorated(x):
    return x * 2.0


def calls_decorated_helper(x):
    return np.sum(_decorated(x))


_scale_lambda = lambda t, k=2.0: t * k  # noqa: E731


def calls_lambda_with_a_wrong_keyword(x):
    return np.sum(_scale_lambda(x, c=3.0))



@s2s.rule(x="g * opaque(x)")  # its derivative calls a callable object s2s has no rule for
def _rule_through_opaque(x):
    return np.sin(x)


def second_order_through_opaque_rule(x):
    y = x * 2.0
    return np.sum(_rule_through_opaque(y) ** 2)
