"""Rule cases for the helpers of records made in differentiated code (s2s/runtime_records.py) and of
quantiles (s2s/runtime_quantiles.py); the helpers and conventions are in rulecases.py."""
import collections
import dataclasses

import numpy as np

from rulecases import ANY, _rng, add
from s2s import runtime as rt

_Pair = collections.namedtuple("_Pair", "a b")


@dataclasses.dataclass
class _Fields:
    a: np.ndarray
    b: float


def rt_built(x, y, w):   # a namedtuple and a dataclass made, their fields read
    p, d = rt.built(_Pair, (x * y, y)), rt.built(_Fields, (x, y * y))
    return np.sum(rt.field(p, "a") * w) * rt.field(d, "b") + np.sum(rt.field(d, "a") * w) * rt.field(p, "b")


def rt_fields_of(x, y, w):
    a, b = rt.fields_of(rt.as_fields((x, y), _Fields), _Fields)
    return np.sum(a * w) * b + np.sum(rt.fields_of(rt.as_fields((x * y, x), _Pair), _Pair)[1] * w)


def rt_field_tangent(x, y, w):
    t = rt.field_tangent(rt.as_fields((x * x, y), _Pair), rt.built(_Pair, (x, y)), "a")
    return np.sum(t * w) * y


def rt_replaced(x, y, w):
    p = rt.replaced(rt.built(_Pair, (x, y)), ("b",), (y * y,))
    d = rt.replaced(rt.built(_Fields, (x, y)), ("a", "b"), (x * y, y + 1.0))
    return np.sum(rt.field(p, "a") * w) * rt.field(p, "b") + np.sum(rt.field(d, "a") * w) * rt.field(d, "b")


def rt_unreplaced(x, y, w):
    a, b = rt.unreplaced(rt.as_fields((x * y, x * x), _Pair), rt.built(_Pair, (x, y)), ("b",))
    return np.sum(a * w) + np.sum(b * w)


def rt_replaced_parts(x, y, w):
    p = rt.built(_Pair, (x, y))
    (a,) = rt.replaced_parts(rt.as_fields((x * y, y), _Pair), p, ("a",))
    c = rt.parts_in((x * x,), p, ("a",))
    return np.sum(a * w) + np.sum(c[0] * w) * y


def rt_quantile_cotangent(c, x, w):
    return np.sum(rt.quantile_cotangent(c, x, [0.2, 0.7], 0, False) * w)


def rt_quantile_tangent(t, x, w):
    return np.sum(rt.quantile_tangent(t, x, 0.4, 1, True) * w)


for _fn in (rt_built, rt_fields_of, rt_field_tangent, rt_replaced, rt_unreplaced, rt_replaced_parts):
    add(_fn, ANY.draw((3,)), float(_rng.uniform(0.5, 1.5)))
_distinct = _rng.permutation(np.linspace(-1.0, 1.0, 12)).reshape(3, 4)   # (no ties: the weights are constant)
add(rt_quantile_cotangent, ANY.draw((2, 4)), _distinct, wrt=(0,))
add(rt_quantile_tangent, ANY.draw((3, 4)), _distinct, wrt=(0,))
