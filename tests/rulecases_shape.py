"""Rule cases for s2s/rules (shape family); the helpers and conventions are in rulecases.py."""
import numpy as np  # noqa: F401

import rulecases
from rulecases import ANY, NONZERO, POS, SHAPES, BROADCAST, Domain, _shape_id, add, apart, draw_pair  # noqa: F401
from s2s import runtime as rt


def _tag(*parts):
    return ",".join(_shape_id(p) if isinstance(p, tuple) and all(isinstance(n, int) for n in p) else str(p)
                    for p in parts).replace(" ", "")


# ---- NumPy elementwise, one argument -----------------------------------------------------------------------

def np_deg2rad(x, w): return np.sum(np.deg2rad(x) * w)
def np_radians(x, w): return np.sum(np.radians(x) * w)
def np_rad2deg(x, w): return np.sum(np.rad2deg(x) * w)
def np_degrees(x, w): return np.sum(np.degrees(x) * w)
def np_sinc(x, w): return np.sum(np.sinc(x) * w)


for _fn in (np_deg2rad, np_radians, np_rad2deg, np_degrees, np_sinc):
    for _shape in SHAPES:
        add(_fn, ANY.draw(_shape))
add(np_sinc, np.array([0.0, 0.4, -1.3]), tag="3,at-zero")   # sinc is smooth at 0: derivative 0 there
add(np_sinc, 0.0, tag="float,at-zero")


# ---- NumPy elementwise, two arguments (with broadcasting) --------------------------------------------------

def np_logaddexp2(x, y, w): return np.sum(np.logaddexp2(x, y) * w)
def np_float_power(x, y, w): return np.sum(np.float_power(x, y) * w)
def np_fmax(x, y, w): return np.sum(np.fmax(x, y) * w)
def np_fmin(x, y, w): return np.sum(np.fmin(x, y) * w)
def np_copysign(x, y, w): return np.sum(np.copysign(x, y) * w)
def np_copysign_const(x, w): return np.sum(np.copysign(x, -1.0) * w)


for _fn, _dx, _dy, _ok in [(np_logaddexp2, ANY, ANY, None), (np_float_power, POS, ANY, None),
                           (np_fmax, ANY, ANY, apart), (np_fmin, ANY, ANY, apart),
                           (np_copysign, NONZERO, NONZERO, None)]:
    for _shapes in BROADCAST:
        add(_fn, *draw_pair(_shapes, _dx, _dy, _ok))
for _shape in SHAPES:
    add(np_copysign_const, NONZERO.draw(_shape))
# A NaN loses in fmax and fmin: the other argument gets the whole cotangent (NaN where y > 0).
def np_fmax_nan(x, y, w): return np.sum(np.fmax(x, np.where(y > 0, np.nan, y)) * w)
def np_fmin_nan(x, y, w): return np.sum(np.fmin(np.where(y > 0, np.nan, y), x) * w)


for _fn in (np_fmax_nan, np_fmin_nan):
    for _shapes in [((2, 3), (2, 3)), ((3,), (2, 3)), ((2, 3), (3,))]:
        add(_fn, *draw_pair(_shapes, ANY, NONZERO, apart))


# ---- clip: inputs away from the bounds, where clip is smooth -----------------------------------------------

def np_clip(x, lo, hi, w): return np.sum(np.clip(x, lo, hi) * w)
def np_clip_min_only(x, w): return np.sum(np.clip(x, -0.5, None) * w)
def np_clip_max_only(x, hi, w): return np.sum(np.clip(x, None, hi) * w)
def np_clip_keywords(x, w): return np.sum(np.clip(x, a_min=-0.6, a_max=0.8) * w)
def meth_clip(x, w): return np.sum(x.clip(-0.5, 0.7) * w)
def meth_clip_keyword(x, lo, w): return np.sum(x.clip(min=lo) * w)


def _away(shape, *bounds):
    """An input at least 0.1 from every bound, where clip is smooth."""
    ok = lambda x, _: all(np.min(np.abs(np.subtract(x, b))) > 0.1 for b in bounds)  # noqa: E731
    return draw_pair((shape, ()), ANY, ANY, ok)[0]


LOWER, UPPER = Domain(-1.0, -0.2), Domain(0.2, 1.0)
# (np.clip makes a Python-float `a` a float64 array, so its output is float64 even with float32 bounds.)
for _xs, _ls, _hs in [((), (), ()), ((3,), (), ()), ((2, 3), (), ()), ((2, 3), (3,), (2, 1)), ((3,), (2, 3), ()),
                      ((3,), (3,), (3,))]:
    _lo, _hi = LOWER.draw(_ls), UPPER.draw(_hs)
    add(np_clip, _away(_xs, _lo, _hi), _lo, _hi)
for _shape in [(3,), (2, 3)]:
    _lo, _hi = LOWER.draw(_shape), UPPER.draw(_shape)
    add(np_clip_min_only, _away(_shape, -0.5))
    add(np_clip_max_only, _away(_shape, _hi), _hi)
    add(np_clip_keywords, _away(_shape, -0.6, 0.8))
    add(meth_clip, _away(_shape, -0.5, 0.7))
    add(meth_clip_keyword, _away(_shape, _lo), _lo)


# ---- existing elementwise functions: broadcasting between higher ranks -------------------------------------

for _fn, _dx, _dy, _ok in rulecases.BINARY:
    for _shapes in [((2, 1, 3), (4, 1)), ((4, 1), (2, 1, 3)), ((1, 3), (2, 1, 1))]:
        add(_fn, *draw_pair(_shapes, _dx, _dy, _ok))


# ---- runtime helpers of shape operations (only their differentiable first arguments are perturbed) ---------

def rt_uncast(c, x, w): return np.sum(rt.uncast(c, x) * w)
def rt_uncast_int(c, x, w): return np.sum(c * w) + np.sum(rt.uncast(c, x, int) * w)
def rt_unarray(c, w):
    pair, row = rt.unarray(c, [(1.0, 2.0), np.zeros(2)])
    a, b = pair
    return a * b + np.sum(row * w)
def rt_unconcatenate(c, w):
    p, q = rt.unconcatenate(c, (np.zeros((2, 1), c.dtype), np.zeros(4, c.dtype)), 1)
    return np.sum(p * p) + np.sum(q * w)
def rt_reconcatenate(a, b, w): return np.sum(rt.reconcatenate([a, b], np.zeros((2, 3)), 1) * w)
def rt_reconcatenate_none(a, b, w): return np.sum(rt.reconcatenate((a, b), np.zeros(5), None) * w)
def rt_untile(c, w): return np.sum(rt.untile(c, np.zeros(3), (2, 1)) * w)
def rt_untake(c, w): return np.sum(rt.untake(c, np.zeros((3, 4), c.dtype), [1, 1, 0], 1) * w)
def rt_unrepeat(c, w): return np.sum(rt.unrepeat(c, np.zeros((2, 3), c.dtype), [1, 0, 2], 1) * w)
def rt_unpad(c, w): return np.sum(rt.unpad(c, ((1, 0), (0, 2))) * w)
def rt_repad(c, w): return np.sum(rt.repad(c, 1) * w)


add(rt_uncast, ANY.draw((2, 3)), ANY.draw((2, 3)), wrt=(0,))
add(rt_uncast_int, ANY.draw((3,)), ANY.draw((3,)), wrt=(0,))
add(rt_unarray, ANY.draw((2, 2)))
add(rt_unconcatenate, ANY.draw((2, 3)))
add(rt_reconcatenate, ANY.draw((2, 1)), ANY.draw((4,)))
add(rt_reconcatenate_none, ANY.draw((2, 1)), ANY.draw((3,)))
add(rt_untile, ANY.draw((2, 3)))
add(rt_untake, ANY.draw((3, 3)))
add(rt_unrepeat, ANY.draw((2, 3)))
add(rt_unpad, ANY.draw((3, 5)))
add(rt_repad, ANY.draw((2, 3)))
