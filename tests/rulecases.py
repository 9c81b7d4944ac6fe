"""Cases for tests/test_rules.py: one small function per primitive, inputs, and a finite-difference oracle.

Every case function applies one primitive (or one form of it: a method, an
operator, an axis, a rank combination) and reduces to a scalar with a random
weight ``w``, its last parameter::

    def np_exp(x, w):
        return np.sum(np.exp(x) * w)

The weight has the primitive's output shape (found by running the function
once with a probe in place of ``w``), so the output's cotangent is an arbitrary
array, not ones, and a rule that drops or misplaces ``g`` is caught, the way
autograd's ``check_grads`` checks VJPs against random vectors.

An input shape of ``()`` means a Python float; other shapes are float64
arrays. Inputs come from one seeded generator, so the table is the same on
every run. ``KNOWN_BUGS`` marks the cases where s2s is wrong today (strict
xfail: fixing the bug makes the case pass, and then the entry must go).

The functions must be ``def``s in this file: s2s reads their source.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import dataclasses
import inspect
import math
import operator
import textwrap

import numpy as np
import pytest

import s2s

from s2s import S2SError
from s2s.rules import BINOPS, UNARYOPS

STEP = 1e-6     # central differences: h = STEP * max(1, |x|)
RTOL = 1e-5
ATOL = 1e-7

_rng = np.random.default_rng(20240601)


@contextlib.contextmanager
def same_draws_on_every_numpy():
    """Around cases that exist on some NumPy versions only (a function NumPy removed): the generator is
    put back after them, so that every other case draws the same values whatever the NumPy version
    (the values decide how well conditioned a case is, and so its finite differences)."""
    state = _rng.bit_generator.state
    try:
        yield
    finally:
        _rng.bit_generator.state = state


# ---------------------------------------------------------------------------------------------
# Finite differences
# ---------------------------------------------------------------------------------------------

def _with(args, i, value):
    return args[:i] + (value,) + args[i + 1:]


def numeric_grad(f, args, i):
    """Central-difference gradient of scalar `f(*args)` with respect to `args[i]`."""
    x = args[i]
    if isinstance(x, float):
        h = STEP * max(1.0, abs(x))
        up, down = x + h, x - h
        return (f(*_with(args, i, up)) - f(*_with(args, i, down))) / (up - down)
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        h = STEP * max(1.0, abs(x[idx]))
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        out[idx] = (f(*_with(args, i, up)) - f(*_with(args, i, down))) / (up[idx] - down[idx])
    return out


# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Domain:
    """Uniform on [lo, hi]; `signed` draws the magnitude from [lo, hi] with a random sign (away from 0)."""
    lo: float
    hi: float
    signed: bool = False

    def draw(self, shape):
        v = _rng.uniform(self.lo, self.hi, size=shape)
        if self.signed:
            v = v * _rng.choice([-1.0, 1.0], size=shape)
        return float(v) if shape == () else v


ANY = Domain(-2.0, 2.0)
POS = Domain(0.5, 3.0)
NONZERO = Domain(0.5, 2.0, signed=True)
UNIT = Domain(-0.9, 0.9)           # arcsin, arccos, arctanh
GT1 = Domain(1.2, 3.0)             # arccosh
TRIG = Domain(-1.2, 1.2)           # tan
LOG1P = Domain(-0.5, 2.0)


def draw_pair(shapes, dx, dy, ok=None):
    """Two inputs; redraw until `ok(x, y)` (e.g. away from ties or discontinuities)."""
    for _ in range(1000):
        x, y = dx.draw(shapes[0]), dy.draw(shapes[1])
        if ok is None or ok(x, y):
            return x, y
    raise AssertionError(f"could not draw inputs for {shapes}")


def apart(x, y):
    """maximum/minimum: no near-ties, so the function is smooth at the point."""
    return np.min(np.abs(np.subtract(x, y))) > 0.1


def mod_smooth(x, y):
    """x % y: x / y well away from an integer, so the point is not near a jump."""
    frac = np.mod(np.divide(x, y), 1.0)
    return np.all((frac > 0.1) & (frac < 0.9))


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------

class _ShapeProbe:
    """Stands in for `w` once, to learn the shape of what `w` multiplies."""
    __array_ufunc__ = None   # ndarray * probe defers to probe.__rmul__
    shape = None

    def __rmul__(self, other):
        self.shape = np.shape(other)
        return 0.0

    __mul__ = __rmul__


def weight_for(fn, args):
    probe = _ShapeProbe()
    fn(*args, probe)
    assert probe.shape is not None, f"{fn.__name__} must end with `... * w`"
    return float(_rng.standard_normal()) if probe.shape == () else _rng.standard_normal(probe.shape)


@dataclasses.dataclass
class Case:
    id: str
    fn: object
    args: tuple          # including the weight, last
    wrt: tuple

    def param(self):
        return pytest.param(self, id=self.id, marks=_marks(self.id))


CASES: list[Case] = []


def _shape_id(shape):
    return "float" if shape == () else "x".join(map(str, shape))


def add(fn, *args, wrt=None, tag=None):
    """Register a case: `fn(*args, w)`; differentiate w.r.t. the float/array arguments by default."""
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(args) if isinstance(a, (float, np.ndarray)) and not _is_bool(a))
    if tag is None:
        tag = ",".join(_shape_id(np.shape(a)) for a in args)
    args = tuple(args) + (weight_for(fn, args),)
    CASES.append(Case(f"{fn.__name__}[{tag}]", fn, args, tuple(wrt)))


def _is_bool(a):
    return np.asarray(a).dtype == bool


SHAPES = [(), (3,), (2, 3)]
BROADCAST = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)),
             ((2, 1), (1, 3)), ((2, 3), ()), ((), (2, 3))]


# ---- NumPy elementwise, one argument ------------------------------------------------------------

def np_exp(x, w): return np.sum(np.exp(x) * w)
def np_exp2(x, w): return np.sum(np.exp2(x) * w)
def np_expm1(x, w): return np.sum(np.expm1(x) * w)
def np_log(x, w): return np.sum(np.log(x) * w)
def np_log2(x, w): return np.sum(np.log2(x) * w)
def np_log10(x, w): return np.sum(np.log10(x) * w)
def np_log1p(x, w): return np.sum(np.log1p(x) * w)
def np_sqrt(x, w): return np.sum(np.sqrt(x) * w)
def np_cbrt(x, w): return np.sum(np.cbrt(x) * w)
def np_square(x, w): return np.sum(np.square(x) * w)
def np_reciprocal(x, w): return np.sum(np.reciprocal(x) * w)
def np_sin(x, w): return np.sum(np.sin(x) * w)
def np_cos(x, w): return np.sum(np.cos(x) * w)
def np_tan(x, w): return np.sum(np.tan(x) * w)
def np_arcsin(x, w): return np.sum(np.arcsin(x) * w)
def np_arccos(x, w): return np.sum(np.arccos(x) * w)
def np_arctan(x, w): return np.sum(np.arctan(x) * w)
def np_sinh(x, w): return np.sum(np.sinh(x) * w)
def np_cosh(x, w): return np.sum(np.cosh(x) * w)
def np_tanh(x, w): return np.sum(np.tanh(x) * w)
def np_arcsinh(x, w): return np.sum(np.arcsinh(x) * w)
def np_arccosh(x, w): return np.sum(np.arccosh(x) * w)
def np_arctanh(x, w): return np.sum(np.arctanh(x) * w)
def np_negative(x, w): return np.sum(np.negative(x) * w)
def np_positive(x, w): return np.sum(np.positive(x) * w)
def np_absolute(x, w): return np.sum(np.absolute(x) * w)
def np_abs(x, w): return np.sum(np.abs(x) * w)
def np_fabs(x, w): return np.sum(np.fabs(x) * w)


UNARY = [
    (np_exp, ANY), (np_exp2, ANY), (np_expm1, ANY), (np_log, POS), (np_log2, POS), (np_log10, POS),
    (np_log1p, LOG1P), (np_sqrt, POS), (np_cbrt, NONZERO), (np_square, ANY), (np_reciprocal, NONZERO),
    (np_sin, ANY), (np_cos, ANY), (np_tan, TRIG), (np_arcsin, UNIT), (np_arccos, UNIT), (np_arctan, ANY),
    (np_sinh, ANY), (np_cosh, ANY), (np_tanh, ANY), (np_arcsinh, ANY), (np_arccosh, GT1),
    (np_arctanh, UNIT), (np_negative, ANY), (np_positive, ANY), (np_absolute, NONZERO), (np_abs, NONZERO),
    (np_fabs, NONZERO),
]
for _fn, _dom in UNARY:
    for _shape in SHAPES:
        add(_fn, _dom.draw(_shape))


# ---- NumPy elementwise, two arguments (with broadcasting) -----------------------------------------

def np_add(x, y, w): return np.sum(np.add(x, y) * w)
def np_subtract(x, y, w): return np.sum(np.subtract(x, y) * w)
def np_multiply(x, y, w): return np.sum(np.multiply(x, y) * w)
def np_divide(x, y, w): return np.sum(np.divide(x, y) * w)
def np_power(x, y, w): return np.sum(np.power(x, y) * w)
def np_arctan2(x, y, w): return np.sum(np.arctan2(x, y) * w)
def np_hypot(x, y, w): return np.sum(np.hypot(x, y) * w)
def np_logaddexp(x, y, w): return np.sum(np.logaddexp(x, y) * w)
def np_maximum(x, y, w): return np.sum(np.maximum(x, y) * w)
def np_minimum(x, y, w): return np.sum(np.minimum(x, y) * w)

# ---- Python operators -------------------------------------------------------------------------------

def op_add(x, y, w): return np.sum((x + y) * w)
def op_sub(x, y, w): return np.sum((x - y) * w)
def op_mul(x, y, w): return np.sum((x * y) * w)
def op_truediv(x, y, w): return np.sum((x / y) * w)
def op_pow(x, y, w): return np.sum((x ** y) * w)
def op_mod(x, y, w): return np.sum((x % y) * w)


BINARY = [
    # (function, domain of x, domain of y, acceptance test)
    (np_add, ANY, ANY, None), (np_subtract, ANY, ANY, None), (np_multiply, ANY, ANY, None),
    (np_divide, ANY, NONZERO, None), (np_power, POS, ANY, None),
    (np_arctan2, NONZERO, ANY, None),  # atan2(x1, x2): x1 away from 0 keeps clear of the branch cut
    (np_hypot, NONZERO, NONZERO, None), (np_logaddexp, ANY, ANY, None),
    (np_maximum, ANY, ANY, apart), (np_minimum, ANY, ANY, apart),
    (op_add, ANY, ANY, None), (op_sub, ANY, ANY, None), (op_mul, ANY, ANY, None),
    (op_truediv, ANY, NONZERO, None), (op_pow, POS, ANY, None), (op_mod, Domain(-4.0, 4.0), NONZERO, mod_smooth),
]
for _fn, _dx, _dy, _ok in BINARY:
    for _shapes in BROADCAST:
        add(_fn, *draw_pair(_shapes, _dx, _dy, _ok))


# Broadcasting against an intermediate result (not a parameter): the intermediate's cotangent must
# still be summed back to its own shape.
def bc_temp_unary(x, y, w): return np.sum((x + np.sin(y)) * w)
def bc_temp_scalar(x, y, w): return np.sum((x * (y / 2.0)) * w)
def bc_temp_both(x, y, w): return np.sum((np.exp(x) - np.cos(y)) * w)
def bc_temp_where(x, y, w): return np.sum(np.where(x > 0, x, -y) * w)


for _fn in (bc_temp_unary, bc_temp_scalar, bc_temp_both, bc_temp_where):
    for _shapes in [((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 1), (1, 3)), ((2, 3), ())]:
        add(_fn, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))


# Operators with a constant on one side, unary operators.
def op_pow_int(x, w): return np.sum(x ** 3 * w)
def op_pow_neg(x, w): return np.sum(x ** -2 * w)
def op_pow_half(x, w): return np.sum(x ** 2.5 * w)
def op_rpow(x, w): return np.sum(2.0 ** x * w)
def op_rdiv(x, w): return np.sum(1.5 / x * w)
def op_rsub(x, w): return np.sum((1.0 - x) * w)
def op_mod_const(x, w): return np.sum((x % 1.5) * w)
def op_rmod(x, w): return np.sum((7.0 % x) * w)
def op_neg(x, w): return np.sum(-x * w)
def op_pos(x, w): return np.sum(+x * w)
def op_neg_expr(x, y, w): return np.sum(-(x * y) * w)


for _shape in SHAPES:
    add(op_pow_int, ANY.draw(_shape))
    add(op_pow_neg, NONZERO.draw(_shape))
    add(op_pow_half, POS.draw(_shape))
    add(op_rpow, ANY.draw(_shape))
    add(op_rdiv, NONZERO.draw(_shape))
    add(op_rsub, ANY.draw(_shape))
    add(op_mod_const, draw_pair((_shape, ()), Domain(-4.0, 4.0), Domain(1.5, 1.5), mod_smooth)[0])
    add(op_rmod, draw_pair(((), _shape), Domain(7.0, 7.0), Domain(0.7, 3.0), mod_smooth)[1])
    add(op_neg, ANY.draw(_shape))
    add(op_pos, ANY.draw(_shape))
add(op_neg_expr, ANY.draw((2, 3)), ANY.draw((3,)))


# ---- where ------------------------------------------------------------------------------------------

def np_where(c, x, y, w): return np.sum(np.where(c, x, y) * w)
def np_where_cmp(x, y, w): return np.sum(np.where(x > y, x * y, y / 2.0) * w)


for _cs, _xs, _ys in [((2, 3), (2, 3), (2, 3)), ((2, 3), (3,), ()), ((3,), (2, 3), (2, 1)),
                      ((2, 1), (), (1, 3)), ((), (3,), (3,))]:
    _c = _rng.uniform(size=_cs) > 0.5 if _cs else True
    add(np_where, _c, ANY.draw(_xs), ANY.draw(_ys))
for _shapes in [((3,), (3,)), ((2, 3), (3,)), ((), (2, 3))]:
    add(np_where_cmp, *draw_pair(_shapes, ANY, ANY, apart))


# ---- builtins: float(), abs() -------------------------------------------------------------------------

def b_float(x, w): return float(x) * w
def b_float_of_sum(x, w): return float(np.sum(x * x)) * w
def b_abs(x, w): return np.sum(abs(x) * w)


add(b_float, ANY.draw(()))
add(b_float_of_sum, ANY.draw((2, 3)))
for _shape in SHAPES:
    add(b_abs, NONZERO.draw(_shape))


# ---- math module, on Python floats ----------------------------------------------------------------------

def m_exp(x, w): return math.exp(x) * w
def m_expm1(x, w): return math.expm1(x) * w
def m_log(x, w): return math.log(x) * w
def m_log2(x, w): return math.log2(x) * w
def m_log10(x, w): return math.log10(x) * w
def m_log1p(x, w): return math.log1p(x) * w
def m_sqrt(x, w): return math.sqrt(x) * w
def m_sin(x, w): return math.sin(x) * w
def m_cos(x, w): return math.cos(x) * w
def m_tan(x, w): return math.tan(x) * w
def m_asin(x, w): return math.asin(x) * w
def m_acos(x, w): return math.acos(x) * w
def m_atan(x, w): return math.atan(x) * w
def m_sinh(x, w): return math.sinh(x) * w
def m_cosh(x, w): return math.cosh(x) * w
def m_tanh(x, w): return math.tanh(x) * w
def m_asinh(x, w): return math.asinh(x) * w
def m_acosh(x, w): return math.acosh(x) * w
def m_atanh(x, w): return math.atanh(x) * w
def m_fabs(x, w): return math.fabs(x) * w
def m_erf(x, w): return math.erf(x) * w
def m_erfc(x, w): return math.erfc(x) * w
def m_pow(x, y, w): return math.pow(x, y) * w
def m_atan2(x, y, w): return math.atan2(x, y) * w
def m_hypot(x, y, w): return math.hypot(x, y) * w
def m_log_base(x, w): return math.log(x, 2.0) * w
def m_sin_of_array_sum(x, w): return math.sin(np.sum(x)) * w   # np.float64 into math, back to an array


for _fn, _dom in [(m_exp, ANY), (m_expm1, ANY), (m_log, POS), (m_log2, POS), (m_log10, POS), (m_log1p, LOG1P),
                  (m_sqrt, POS), (m_sin, ANY), (m_cos, ANY), (m_tan, TRIG), (m_asin, UNIT), (m_acos, UNIT),
                  (m_atan, ANY), (m_sinh, ANY), (m_cosh, ANY), (m_tanh, ANY), (m_asinh, ANY), (m_acosh, GT1),
                  (m_atanh, UNIT), (m_fabs, NONZERO), (m_erf, ANY), (m_erfc, ANY), (m_log_base, POS)]:
    for _i in range(2):
        add(_fn, _dom.draw(()), tag=f"float{_i}")
for _fn, _dx, _dy in [(m_pow, POS, ANY), (m_atan2, NONZERO, ANY), (m_hypot, NONZERO, NONZERO)]:
    for _i in range(2):
        add(_fn, _dx.draw(()), _dy.draw(()), tag=f"float{_i}")
add(m_sin_of_array_sum, ANY.draw((2, 3)))


# ---- reductions ---------------------------------------------------------------------------------------

def red_sum(x, axis, keepdims, w): return np.sum(np.sum(x, axis=axis, keepdims=keepdims) * w)
def red_mean(x, axis, keepdims, w): return np.sum(np.mean(x, axis=axis, keepdims=keepdims) * w)
def red_sum_plain(x, w): return np.sum(np.sum(x) * w)
def red_mean_plain(x, w): return np.sum(np.mean(x) * w)
def red_sum_positional(x, w): return np.sum(np.sum(x, 1) * w)
def red_mean_positional(x, w): return np.sum(np.mean(x, -1, keepdims=True) * w)
def meth_sum(x, w): return np.sum(x.sum() * w)
def meth_sum_axis0(x, w): return np.sum(x.sum(axis=0) * w)
def meth_sum_positional(x, w): return np.sum(x.sum(1) * w)
def meth_sum_keepdims(x, w): return np.sum(x.sum(axis=-1, keepdims=True) * w)
def meth_mean(x, w): return np.sum(x.mean() * w)
def meth_mean_axis(x, w): return np.sum(x.mean(axis=0) * w)
def meth_mean_tuple_keepdims(x, w): return np.sum(x.mean(axis=(0, 1), keepdims=True) * w)


_AXES = {(): [None], (4,): [None, 0, -1], (2, 3): [None, 0, 1, -1, (0, 1)], (2, 3, 4): [None, (0, 2), -2, (1,)]}
for _fn in (red_sum, red_mean):
    for _shape, _axes in _AXES.items():
        for _axis in _axes:
            for _keep in (False, True):
                add(_fn, ANY.draw(_shape), _axis, _keep, wrt=(0,),
                    tag=f"{_shape_id(_shape)},axis={_axis},keepdims={_keep}".replace(" ", ""))
for _fn in (red_sum_plain, red_mean_plain):
    for _shape in SHAPES:
        add(_fn, ANY.draw(_shape))
for _fn in (red_sum_positional, red_mean_positional, meth_sum, meth_sum_axis0, meth_sum_positional,
            meth_sum_keepdims, meth_mean, meth_mean_axis, meth_mean_tuple_keepdims):
    add(_fn, ANY.draw((2, 3)))
add(meth_sum, ANY.draw((3,)))
add(meth_mean, ANY.draw((2, 3, 4)))


# ---- matmul and dot ------------------------------------------------------------------------------------

def np_matmul(x, y, w): return np.sum(np.matmul(x, y) * w)
def op_matmul(x, y, w): return np.sum((x @ y) * w)
def np_dot(x, y, w): return np.sum(np.dot(x, y) * w)
def meth_dot(x, y, w): return np.sum(x.dot(y) * w)


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)),
                 ((2, 2, 3), (2, 3, 4)), ((2, 3), (2, 3, 4)), ((1, 2, 3), (2, 3, 4)), ((2, 2, 3), (3,)),
                 ((3,), (2, 3, 4))]
DOT_SHAPES = [((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
              ((2, 2, 3), (3, 4)), ((2, 2, 3), (3,)), ((2, 3), (2, 3, 4)), ((2, 2, 3), (2, 3, 4))]
def np_outer(x, y, w): return np.sum(np.outer(x, y) * w)


OUTER_SHAPES = [((3,), (4,)), ((2, 3), (2,)), ((3,), (2, 2)), ((), (3,)), ((3,), ())]
for _shapes in OUTER_SHAPES:
    add(np_outer, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))
for _fn in (np_matmul, op_matmul):
    for _shapes in MATMUL_SHAPES:
        add(_fn, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))
for _shapes in DOT_SHAPES:
    add(np_dot, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))
    if _shapes[0] != ():
        add(meth_dot, ANY.draw(_shapes[0]), ANY.draw(_shapes[1]))


# ---- transpose, reshape, roll ------------------------------------------------------------------------------

def np_transpose(x, w): return np.sum(np.transpose(x) * w)
def np_transpose_axes(x, axes, w): return np.sum(np.transpose(x, axes) * w)
def np_transpose_literal(x, w): return np.sum(np.transpose(x, (2, 0, 1)) * w)
def np_transpose_keyword(x, w): return np.sum(np.transpose(x, axes=[1, 0]) * w)
def meth_transpose(x, w): return np.sum(x.transpose() * w)
def meth_transpose_tuple(x, w): return np.sum(x.transpose((1, 2, 0)) * w)
def meth_transpose_varargs(x, w): return np.sum(x.transpose(1, 0) * w)
def attr_T(x, w): return np.sum(x.T * w)
def np_reshape(x, w): return np.sum(np.reshape(x, (3, 2)) * w)
def np_reshape_flat(x, w): return np.sum(np.reshape(x, -1) * w)
def np_reshape_keyword(x, w): return np.sum(np.reshape(x, shape=(3, -1)) * w)
def meth_reshape_int(x, w): return np.sum(x.reshape(6) * w)
def meth_reshape_tuple(x, w): return np.sum(x.reshape((3, 2)) * w)
def meth_reshape_varargs(x, w): return np.sum(x.reshape(3, 2) * w)
def meth_reshape_infer(x, w): return np.sum(x.reshape(-1, 2) * w)
def np_roll(x, shift, axis, w): return np.sum(np.roll(x, shift, axis) * w)
def np_roll_literal(x, w): return np.sum(np.roll(x, 2) * w)
def np_roll_keyword(x, w): return np.sum(np.roll(x, -1, axis=1) * w)
def np_roll_tuple(x, w): return np.sum(np.roll(x, (1, 2), axis=(0, 1)) * w)


for _shape in [(3,), (2, 3), (2, 3, 4)]:
    add(np_transpose, ANY.draw(_shape))
    add(meth_transpose, ANY.draw(_shape))
    add(attr_T, ANY.draw(_shape))
for _shape, _axes in [((2, 3), (1, 0)), ((2, 3), (0, 1)), ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (1, 2, 0)),
                      ((2, 3, 4), None), ((2, 3, 4), (-1, 0, 1))]:
    add(np_transpose_axes, ANY.draw(_shape), _axes, wrt=(0,), tag=f"{_shape_id(_shape)},axes={_axes}".replace(" ", ""))
add(np_transpose_literal, ANY.draw((2, 3, 4)))
add(np_transpose_keyword, ANY.draw((2, 3)))
add(meth_transpose_tuple, ANY.draw((2, 3, 4)))
add(meth_transpose_varargs, ANY.draw((2, 3)))
for _fn in (np_reshape, np_reshape_flat, meth_reshape_int, meth_reshape_tuple, meth_reshape_varargs,
            meth_reshape_infer):
    add(_fn, ANY.draw((2, 3)))
_x = ANY.draw((2, 3))
if np.lib.NumpyVersion(np.__version__) >= "2.1.0":   # np.reshape's `shape=` keyword is NumPy 2.1's
    add(np_reshape_keyword, _x)
else:
    _rng.standard_normal((3, 2))   # the weight `add` would draw: the cases after it are the same on every NumPy
add(np_reshape, ANY.draw((6,)))
add(meth_reshape_int, ANY.draw((3, 2)))
for _shape, _shift, _axis in [((5,), 2, None), ((5,), -1, 0), ((2, 3), 1, None), ((2, 3), 1, 0), ((2, 3), -2, 1),
                              ((2, 3), 4, -1), ((2, 3, 4), 1, 2)]:
    add(np_roll, ANY.draw(_shape), _shift, _axis, wrt=(0,),
        tag=f"{_shape_id(_shape)},shift={_shift},axis={_axis}")
add(np_roll_literal, ANY.draw((2, 3)))
add(np_roll_keyword, ANY.draw((2, 3)))
add(np_roll_tuple, ANY.draw((2, 3)))


# ---- indexing (reads) ----------------------------------------------------------------------------------------

def idx_int(x, w): return np.sum(x[1] * w)
def idx_negative(x, w): return np.sum(x[-1] * w)
def idx_slice(x, w): return np.sum(x[1:3] * w)
def idx_reverse(x, w): return np.sum(x[::-1] * w)
def idx_column(x, w): return np.sum(x[:, 0] * w)
def idx_element(x, w): return np.sum(x[1, 2] * w)
def idx_list(x, w): return np.sum(x[[0, 2]] * w)
def idx_list_repeated(x, w): return np.sum(x[[0, 0, 2]] * w)
def idx_ellipsis(x, w): return np.sum(x[..., 1] * w)
def idx_slices_2d(x, w): return np.sum(x[1:, ::2] * w)
def idx_mask(x, w): return np.sum(x[x > 0] * w)
def idx_variable(x, i, w): return np.sum(x[i] * w)
def idx_twice(x, w): return np.sum(x[1] * x[1] * x[0] * w)   # one element read several times


for _fn, _shapes in [(idx_int, [(4,), (3, 4)]), (idx_negative, [(4,), (3, 4)]), (idx_slice, [(4,), (3, 4)]),
                     (idx_reverse, [(4,), (3, 4)]), (idx_column, [(3, 4)]), (idx_element, [(3, 4)]),
                     (idx_list, [(4,), (3, 4)]), (idx_list_repeated, [(4,), (3, 4)]),
                     (idx_ellipsis, [(3, 4), (2, 3, 4)]), (idx_slices_2d, [(3, 4)]), (idx_mask, [(2, 3)]),
                     (idx_twice, [(4,), (3, 4)])]:
    for _shape in _shapes:
        add(_fn, NONZERO.draw(_shape))
add(idx_variable, ANY.draw((4,)), 2, wrt=(0,), tag="4,i=2")
add(idx_variable, ANY.draw((3, 4)), (2, 1), wrt=(0,), tag="3x4,i=(2,1)")
add(idx_variable, ANY.draw((3, 4)), slice(0, 2), wrt=(0,), tag="3x4,i=0:2")


# ---- non-differentiable functions beside a differentiable remainder -------------------------------------------

def nd_len(x, w): return np.sum(x * x / len(x) * w)
def nd_argmax(x, w): return np.sum(x[np.argmax(x)] * x * w)
def nd_argmin_method(x, w): return np.sum(x[x.argmin()] * x * w)
def nd_zeros_like(x, w): return np.sum((np.zeros_like(x) + np.ones_like(x) + x) * x * w)
def nd_shape_attribute(x, w): return np.sum((x * x.shape[0] + x.size * x) * w)
def nd_shape_function(x, w): return np.sum(x * (np.shape(x)[-1] + np.ndim(x) + np.size(x)) * w)
def nd_int(x, w): return np.sum(x * int(10.0 * x[0]) * w)
def nd_sign(x, w): return np.sum(x * np.sign(x) * w)
def nd_floor(x, w): return np.sum((x * np.floor(x) + np.round(x) * x) * w)
def nd_floordiv(x, w): return np.sum((x // 0.7 + x) * x * w)
def nd_compare(x, w): return np.sum(x * (x > 0) * np.greater(x, 0.5) * w)
def nd_argsort(x, w): return np.sum(x[np.argsort(x)] * np.arange(len(x)) * w)
def nd_loop_range(x, w):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * x[i] * (i + 1)
    return s * w
def nd_round_math(x, w): return x * round(x) * math.floor(x) * w


for _fn in (nd_len, nd_argmax, nd_argmin_method, nd_zeros_like, nd_shape_attribute, nd_shape_function, nd_sign,
            nd_compare, nd_argsort, nd_loop_range):
    add(_fn, NONZERO.draw((5,)))
add(nd_zeros_like, ANY.draw((2, 3)))
add(nd_int, np.array([0.33, -1.27, 0.81, 1.55]))     # 10 * x[0] well away from an integer
add(nd_floor, np.array([0.33, -1.27, 0.81, 1.85]))   # away from integers and half-integers
add(nd_round_math, 2.3)
add(nd_floordiv, np.array([0.33, -1.27, 0.81, 1.85]))   # x / 0.7 away from integers


# ---------------------------------------------------------------------------------------------
# Known s2s bugs (strict xfail: when one is fixed, its case passes and its entry must be removed)
# ---------------------------------------------------------------------------------------------

# case id -> (reason, exception type or None for a wrong value)
KNOWN_BUGS: dict = {}


def _marks(case_id):
    if case_id not in KNOWN_BUGS:
        return ()
    reason, raises = KNOWN_BUGS[case_id]
    return (pytest.mark.xfail(strict=True, reason=reason, raises=raises),)


def params():
    ids = [c.id for c in CASES]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"duplicate case ids: {sorted(duplicates)}"
    unknown = set(KNOWN_BUGS) - set(ids)
    assert not unknown, f"KNOWN_BUGS names cases that do not exist: {sorted(unknown)}"
    return [c.param() for c in CASES]


# ---------------------------------------------------------------------------------------------
# Which primitives a case function uses (read from its source, independently of s2s)
# ---------------------------------------------------------------------------------------------

_BINOPS = {cls.__name__: f for cls, f in BINOPS.items()}
_UNARYOPS = {cls.__name__: f for cls, f in UNARYOPS.items()}


def _resolve(node, namespace):
    """The object a dotted name (`np.linalg.norm`, `abs`) refers to, or None for a local's attribute."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    if node.id in namespace:
        obj = namespace[node.id]
    elif hasattr(builtins, node.id):
        obj = getattr(builtins, node.id)
    else:
        return None
    for part in reversed(parts):
        obj = getattr(obj, part)
    return obj


def primitives(fn):
    """(functions, method names, attribute names) that `fn`'s source applies."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    params = {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    namespace = {k: v for k, v in fn.__globals__.items() if k not in params | stored}
    functions, methods, attributes = [], set(), set()
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            functions.append(_BINOPS[type(node.op).__name__])
        elif isinstance(node, ast.UnaryOp):
            functions.append(_UNARYOPS[type(node.op).__name__])
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            functions.append(operator.getitem)
        elif isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Load):
            obj = _resolve(node, namespace)
            if obj is not None and not isinstance(obj, type(np)):
                functions.append(obj)
            elif obj is None and isinstance(node, ast.Attribute):
                (methods if id(node) in called else attributes).add(node.attr)
    return functions, methods, attributes


def covered():
    """Union of `primitives` over every case function."""
    functions, methods, attributes = [], set(), set()
    for fn in {id(c.fn): c.fn for c in CASES}.values():
        f, m, a = primitives(fn)
        functions += f
        methods |= m
        attributes |= a
    return functions, methods, attributes


def directions(case):
    """One seeded random tangent per differentiated argument, shaped like it."""
    rng = np.random.default_rng(sum(map(ord, case.id)))  # seeded by the id: the same on every run
    return tuple(float(rng.standard_normal()) if isinstance(case.args[i], float)
                 else rng.standard_normal(np.shape(case.args[i])) for i in case.wrt)


def numeric_directional(f, args, wrt, tangents):
    """Central difference of `f(*args)` along `tangents` (one per argument index in `wrt`)."""
    scale = max([1.0] + [float(np.max(np.abs(args[i]))) for i in wrt])
    h = STEP * scale

    def shifted(sign):
        moved = list(args)
        for i, t in zip(wrt, tangents):
            moved[i] = args[i] + sign * h * t
        return f(*moved)
    return (shifted(1.0) - shifted(-1.0)) / (2 * h)


def check_tangent(case, tangents, value, tangent):
    """Compare s2s's (value, output tangent) with the function and a central difference."""
    problems = []
    expected_value = case.fn(*case.args)
    if not np.allclose(value, expected_value, rtol=1e-12, atol=1e-12):
        problems.append(f"value: s2s {value!r}, function {expected_value!r}")
    if np.shape(tangent) != np.shape(expected_value):
        return problems + [f"tangent: expected shape {np.shape(expected_value)}, got {tangent!r}"]
    expected = numeric_directional(case.fn, case.args, case.wrt, tangents)
    if not np.allclose(tangent, expected, rtol=RTOL, atol=ATOL * 10):
        problems.append(f"tangent:\n  s2s:                {tangent!r}\n  finite differences: {expected!r}")
    return problems


def check_gradient(case, gradient):
    """Compare s2s's gradient tuple with central differences; return a list of problems."""
    problems = []
    assert isinstance(gradient, tuple) and len(gradient) == len(case.wrt), f"expected a tuple of {len(case.wrt)}"
    for g, i in zip(gradient, case.wrt):
        arg = case.args[i]
        if isinstance(arg, np.ndarray):
            if not isinstance(g, np.ndarray) or g.shape != arg.shape:
                problems.append(f"gradient {i}: expected an array of shape {arg.shape}, got {g!r}")
                continue
        elif np.shape(g) != ():
            problems.append(f"gradient {i}: expected a scalar for a float argument, got {g!r}")
            continue
        expected = numeric_grad(case.fn, case.args, i)
        if not np.allclose(g, expected, rtol=RTOL, atol=ATOL):
            problems.append(f"gradient {i}:\n  s2s:                {np.asarray(g)!r}\n"
                            f"  finite differences: {np.asarray(expected)!r}")
    return problems



# ---------------------------------------------------------------------------------------------
# Runtime helpers: generated code calls them, so their rules make generated code differentiable
# again. Only the differentiable arguments are perturbed (the others give shapes or axes).
# ---------------------------------------------------------------------------------------------
from s2s import runtime as rt  # noqa: E402


def rt_unbroadcast(c, x, w): return np.sum(rt.unbroadcast(c, x) * w)
def rt_rebroadcast(c, y, w): return np.sum(rt.rebroadcast(c, y) * w)
def rt_unsum_axis0(c, x, w): return np.sum(rt.unsum(c, x, 0, False) * w)
def rt_unsum_all(c, x, w): return np.sum(rt.unsum(c, x, None, False) * w)
def rt_unsum_keep1(c, x, w): return np.sum(rt.unsum(c, x, 1, True) * w)
def rt_unindex_row(c, x, w): return np.sum(rt.unindex(c, x, 1) * w)
def rt_unindex_slice(c, x, w): return np.sum(rt.unindex(c, x, slice(1, 3, None)) * w)
def rt_untranspose(c, w): return np.sum(rt.untranspose(c, (1, 2, 0)) * w)
def rt_untranspose_none(c, w): return np.sum(rt.untranspose(c, None) * w)
def rt_retranspose(c, w): return np.sum(rt.retranspose(c, (1, 2, 0)) * w)
def rt_add(a, b, w): return np.sum(rt.add(a, b) * w)
def rt_unpacked(a, b, x, w): return np.sum(rt.unpacked(x, (a, b)) * w)
def rt_unpacked_tuple(a, b, w): return np.sum(rt.unpacked((a, b), (a * b, b))[0] * w)
def rt_field(a, b, w): return np.sum(rt.field({"a": a, "b": b}, "a") * w * b)
def rt_ravel(a, b, w): return np.sum(rt.ravel([a, (b, a)]) * w)
def rt_unravel(c, x, y, w): return np.sum(rt.ravel(rt.unravel(c, [x, (y,)])) * np.sin(c) * w)
def trees_flatten(a, b, w): return np.sum(s2s.flatten({"a": a, "b": [b]})[0] * w)
def rt_matmul_grad_a(c, a, b, w): return np.sum(rt.matmul_grad_a(c, a, b) * w)
def rt_matmul_grad_b(c, a, b, w): return np.sum(rt.matmul_grad_b(c, a, b) * w)


def rt_setindex_row(a, v, w): return np.sum(rt.setindex(a, 1, v) * w)
def rt_setindex_slice(a, v, w): return np.sum(rt.setindex(a, (slice(None), slice(0, 2, None)), v) * w)
def rt_copy_of(x, w): return np.sum(rt.copy_of(x) * w)
def rt_deep_copy_of(x, w): return np.sum(rt.deep_copy_of(x) * w)
def rt_copied(x, w): return np.sum(rt.copied(x) * w)
def rt_setindex_repeated(a, v, w): return np.sum(rt.setindex(a, ([0, 2, 0], [1, 1, 1]), v) * w)
def rt_last_write(c, w): return np.sum(rt.last_write(c, (slice(None), [1, 3, 1])) * w)
def rt_select_of(x, y, w): return np.sum(rt.select_of([x > 0.5, x < -0.5], [x * y, y], 2.0 * y) * w)
def rt_lower_factor(b, w): return np.sum(rt.lower_factor(np.tril(b)) * w)


add(rt_setindex_row, ANY.draw((3, 4)), ANY.draw((4,)))
add(rt_setindex_row, ANY.draw((3, 4)), ANY.draw(()))
add(rt_setindex_slice, ANY.draw((3, 4)), ANY.draw((3, 2)))
add(rt_setindex_slice, ANY.draw((3, 4)), ANY.draw((2,)))
add(rt_setindex_repeated, ANY.draw((3, 4)), ANY.draw((3,)))
add(rt_setindex_repeated, ANY.draw((3, 4)), ANY.draw(()))
add(rt_last_write, ANY.draw((2, 4)))
add(rt_copy_of, ANY.draw((2, 3)))
add(rt_copy_of, ANY.draw(()))
add(rt_deep_copy_of, ANY.draw((2, 3)))
add(rt_deep_copy_of, ANY.draw(()))
add(rt_copied, ANY.draw((2, 3)))
add(rt_select_of, ANY.draw((6,)), ANY.draw((6,)))
add(rt_lower_factor, ANY.draw((3, 3)))
for _c, _x in (((2, 3), (3,)), ((2, 3), (2, 1)), ((), (3,)), ((3,), (3,))):
    add(rt_unbroadcast, ANY.draw(_c), ANY.draw(_x), wrt=(0,))
for _c, _y in (((3,), (2, 3)), ((2, 1), (2, 3)), ((3,), ())):
    add(rt_rebroadcast, ANY.draw(_c), ANY.draw(_y), wrt=(0,))
add(rt_unsum_axis0, ANY.draw((3,)), ANY.draw((2, 3)), wrt=(0,))
add(rt_unsum_all, ANY.draw(()), ANY.draw((2, 3)), wrt=(0,))
add(rt_unsum_keep1, ANY.draw((2, 1)), ANY.draw((2, 3)), wrt=(0,))
add(rt_unindex_row, ANY.draw((3,)), ANY.draw((4, 3)), wrt=(0,))
add(rt_unindex_slice, ANY.draw((2, 3)), ANY.draw((4, 3)), wrt=(0,))
add(rt_untranspose, ANY.draw((2, 3, 4)))
add(rt_untranspose_none, ANY.draw((2, 3)))
add(rt_retranspose, ANY.draw((2, 3, 4)))
add(rt_add, ANY.draw((3,)), ANY.draw((3,)))
add(rt_unpacked, ANY.draw((3,)), ANY.draw((3,)), ANY.draw((2, 3)), wrt=(0, 1))
add(rt_unpacked_tuple, ANY.draw((3,)), ANY.draw((3,)))
add(rt_field, ANY.draw((3,)), ANY.draw((3,)))
add(rt_ravel, ANY.draw((3,)), ANY.draw((2, 2)))
add(rt_unravel, ANY.draw((5,)), ANY.draw((2, 2)), ANY.draw(()), wrt=(0,))
add(trees_flatten, ANY.draw((2,)), ANY.draw((3,)))
for _a, _b, _c in (((2, 3), (3, 4), (2, 4)), ((2, 3), (3,), (2,)), ((3,), (3, 4), (4,)), ((3,), (3,), ())):
    add(rt_matmul_grad_a, ANY.draw(_c), ANY.draw(_a), ANY.draw(_b), wrt=(0, 2))
    add(rt_matmul_grad_b, ANY.draw(_c), ANY.draw(_a), ANY.draw(_b), wrt=(0, 1))


# ---------------------------------------------------------------------------------------------
# max / min reductions (inputs drawn without ties: the cotangent goes to the extreme entry),
# ravel, flatten and item
# ---------------------------------------------------------------------------------------------
def np_max_all(x, w): return np.max(x) * w
def np_max_axis0(x, w): return np.sum(np.max(x, axis=0) * w)
def np_min_axis1_keep(x, w): return np.sum(np.min(x, axis=1, keepdims=True) * w)
def np_amax_neg1(x, w): return np.sum(np.amax(x, axis=-1) * w)
def np_amin_all(x, w): return np.amin(x) * w
def meth_max(x, w): return np.sum(x.max(axis=1) * w)
def meth_min(x, w): return x.min() * w
def np_ravel(x, w): return np.sum(np.ravel(x) * w)
def meth_ravel(x, w): return np.sum(x.ravel() * w)
def meth_flatten(x, w): return np.sum(x.flatten() * w)
def meth_item(x, w): return np.sin(np.sum(x * x).item()) * w + x[1:2].item() ** 3 * w
def rt_unmax(c, x, w): return np.sum(rt.unmax(c, x, np.max(x, axis=0), 0, False) * w)
def rt_max_tangent(t, x, w): return np.sum(rt.max_tangent(t, x, np.max(x, axis=1), 1, False) * w)


def _distinct(shape):
    """Entries at least 0.1 apart, so that no max or min is near a tie."""
    values = np.linspace(-1.0, 1.0, int(np.prod(shape)))
    return _rng.permutation(values).reshape(shape)


for _fn in (np_max_all, np_max_axis0, np_min_axis1_keep, np_amax_neg1, np_amin_all, meth_max, meth_min):
    add(_fn, _distinct((3, 4)))
for _fn in (np_ravel, meth_ravel, meth_flatten):
    add(_fn, ANY.draw((2, 3)))
add(meth_item, ANY.draw((3,)))
add(rt_unmax, ANY.draw((4,)), _distinct((3, 4)), wrt=(0,))
add(rt_max_tangent, ANY.draw((3, 4)), _distinct((3, 4)), wrt=(0,))


# ---------------------------------------------------------------------------------------------
# Families kept in their own files (they register with `add` when imported)
# ---------------------------------------------------------------------------------------------
import rulecases_arrays  # noqa: E402,F401
import rulecases_linalg  # noqa: E402,F401
import rulecases_sequences  # noqa: E402,F401
import rulecases_varargs  # noqa: E402,F401
import rulecases_shape  # noqa: E402,F401
import rulecases_issue10  # noqa: E402,F401
import rulecases_records  # noqa: E402,F401

try:  # SciPy is optional: its rules (and their cases) exist only where it imports
    import scipy  # noqa: F401
except ImportError:
    rulecases_scipy = None
else:
    import rulecases_scipy  # noqa: E402,F401


# ---------------------------------------------------------------------------------------------
# Python's built-in sum, pow, max and min (and the helpers behind sum)
# ---------------------------------------------------------------------------------------------
def py_sum_list(x, y, w): return np.sum(sum([x, y * 2.0]) * w)
def py_sum_rows(x, w): return np.sum(sum(x) * w)
def py_sum_start(x, y, w): return np.sum(sum([x, x * x], y) * w)
def py_pow(x, y, w): return pow(x, y) * w
def py_max(a, b, w): return max(a, b) * w
def py_min(a, b, w): return min(a * 2.0, b) * w
def rt_spread(c, x, y, w): return np.sum(rt.spread(c, [x, y])[1] * w) + np.sum(rt.spread(c, [x, y])[0] * w)
def rt_spread_array(c, x, w): return np.sum(rt.spread(c, x) * w)
def rt_unspread(a, b, c, w): return np.sum(rt.unspread([a, b], c) * w)
def rt_concat(x, y, w): return np.sum(rt.concat([x, y], [x * y])[2] * w + rt.concat([x], [y])[0])
def rt_repeat(x, y, w): return np.sum(rt.repeat([x, y * x], 2)[3] * rt.repeat([x, y * x], 2)[0] * w)
def rt_head(a, b, w): return np.sum(rt.head([a, b, a * b], [a, b])[1] * a * w)
def rt_tail(a, b, w): return np.sum(rt.tail([a, b, a * b], [a], [b, b])[1] * b * w)
def rt_unrepeat_list(a, b, w): return np.sum(rt.unrepeat_list([a, b, a * b, b], [a, b])[0] * b * w)


for _x, _y in (((3,), (3,)), ((2, 3), (3,)), ((), (2,))):
    add(py_sum_list, ANY.draw(_x), ANY.draw(_y))
add(py_sum_rows, ANY.draw((4, 3)))
add(py_sum_start, ANY.draw((3,)), ANY.draw(()))
add(py_pow, POS.draw(()), ANY.draw(()))
add(py_max, 0.3, -0.8)
add(py_max, -0.3, 0.8, tag="b-larger")
add(py_min, 0.3, 0.2)
add(rt_spread, ANY.draw((3,)), ANY.draw((3,)), ANY.draw(()), wrt=(0,))
add(rt_spread_array, ANY.draw((3,)), ANY.draw((2, 3)), wrt=(0,))
add(rt_unspread, ANY.draw((2, 3)), ANY.draw((3,)), ANY.draw((2, 3)), wrt=(0, 1))
for _fn in (rt_concat, rt_repeat, rt_head, rt_tail, rt_unrepeat_list):
    add(_fn, ANY.draw((3,)), ANY.draw((3,)))


# sorted, list and tuple (and the helpers behind them): the elements, permuted or in another container
def py_sorted(x, w): return np.sum(np.array(sorted(x * 2.0)) * w)
def py_sorted_reverse(a, b, w): return (sorted([a, b * b, a * b], reverse=True)[0] + sorted([a, b])[1] ** 2) * w
def py_sorted_dict_keys(x, w): return (len(sorted({"b": x, "a": x * x})) * x) * w  # keys only
def py_list(x, w): return np.sum(np.array(list(x[::-1])) * w)
def py_tuple(a, b, w): return (tuple([a * b, b])[0] + tuple((a, b))[1] ** 2) * w
def rt_unsort(c, x, w): return np.sum(np.array(rt.unsort([c[0], c[1] * c[2], c[2]], x)) * w)
def rt_resort(c, x, w): return np.sum(np.array(rt.resort(c, x, True)) * w)
def rt_unlist(c, x, w): return np.sum(np.array(rt.unlist([c[0], c[1] * c[2], c[2]], x)) * w)
def rt_relist(c, x, w): return np.sum(np.array(rt.relist(c * c, x, tuple)) * w)
def rt_iterated(c, x, w): return np.sum((rt.iterated(c * x)[1] + rt.iterated([c, x])[0] * len(rt.iterated({"a": c}))) * w)
def rt_uniterated(c, x, w): return np.sum(rt.uniterated(c * c, x) * w)  # a dict's keys: tests/corpus_issue10_soundness.py
def rt_reiterated(c, x, w): return np.sum(rt.reiterated(c * c, x) * w)


add(py_sorted, np.array([0.3, -1.2, 0.7, 2.0]))
add(py_sorted_reverse, 0.4, -0.9)
add(py_sorted_dict_keys, 0.4)
add(py_list, ANY.draw((3,)))
add(py_tuple, 0.4, -0.9)
for _fn in (rt_unsort, rt_resort, rt_unlist, rt_relist, rt_iterated, rt_uniterated, rt_reiterated):
    add(_fn, ANY.draw((3,)), np.array([0.3, -1.2, 0.7]), wrt=(0,))


# ---- more of the math module -------------------------------------------------------------------
def m_cbrt(x, w): return math.cbrt(x) * w
def m_exp2(x, w): return math.exp2(x) * w
def m_degrees(x, w): return math.degrees(x) * w
def m_radians(x, w): return math.radians(x) * w
def m_ldexp(x, w): return math.ldexp(x, 3) * w
def m_fmod(x, y, w): return math.fmod(x, y) * w
def m_remainder(x, y, w): return math.remainder(x, y) * w
def m_fsum(x, y, w): return math.fsum([x, y * y, x * y]) * w


for _fn, _dom in [(m_degrees, ANY), (m_radians, ANY), (m_ldexp, ANY)]:
    add(_fn, _dom.draw(()))
if hasattr(math, "cbrt"):  # Python 3.11 and later
    add(m_cbrt, NONZERO.draw(()))
    add(m_exp2, ANY.draw(()))
add(m_fmod, 2.3, 0.7)       # 2.3 / 0.7 = 3.29: away from the jumps at integers
add(m_fmod, -2.3, 0.7, tag="negative")
add(m_remainder, 2.3, 0.7)  # away from the jumps at half-integers
add(m_fsum, ANY.draw(()), ANY.draw(()))


def numeric_second(f, args, wrt, u, v):
    """uᵀ H v of scalar `f(*args)` over the arguments in `wrt` (one tangent each in `u` and `v`),
    by central second differences of `f` itself."""
    h = 3e-5 * max([1.0] + [float(np.max(np.abs(args[i]))) for i in wrt])

    def at(a, b):
        moved = list(args)
        for i, s, t in zip(wrt, u, v):
            moved[i] = args[i] + a * h * s + b * h * t
        return f(*moved)
    return (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h)
