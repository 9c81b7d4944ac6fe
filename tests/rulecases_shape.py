"""Rule cases for s2s/rules (shape family); the helpers and conventions are in rulecases.py."""
import numpy as np  # noqa: F401

import rulecases
from rulecases import ANY, NONZERO, POS, SHAPES, BROADCAST, Domain, _shape_id, add, apart, draw_pair  # noqa: F401
from s2s import runtime as rt


def _tag(*parts):
    return ",".join(_shape_id(p) if isinstance(p, tuple) and all(isinstance(n, int) for n in p) else str(p)
                    for p in parts).replace(" ", "")


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
