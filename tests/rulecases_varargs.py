"""Rule cases for the runtime helpers behind `*xs`, `zip(*pairs)` and `a, *rest = xs`
(transforms/packing.py); conventions in rulecases.py."""
import numpy as np  # noqa: F401

from rulecases import ANY, add
from s2s import runtime as rt


def rt_as_tuple(a, b, w): return np.sum(rt.as_tuple([a, b * a])[1] * w)
def rt_as_list(a, b, w): return np.sum(rt.as_list((a, b * a))[1] * w)
def rt_like(a, b, w): return np.sum(rt.like((a, b * a), [a, b])[1] * w)
def rt_transposed(a, b, w): return np.sum(rt.transposed([(a, b), (b * a, a)])[1][0] * w)
def rt_untransposed(a, b, w): return np.sum(rt.untransposed(((a, b * a), (b, a)), [(a, b), (b, a)])[1][0] * w)
def rt_unstarred(a, b, w): return np.sum(rt.unstarred([a, b, a * b], 1, 1)[1][0] * w)
def rt_padded(a, b, w): return np.sum((rt.padded([a, b * a], 4, (2.0, None))[1] + rt.padded([a], 2, (1.0,))[1] * b) * w)
def rt_unpadded(a, b, w): return np.sum(rt.unpadded((a, b * a, 1.0), [a, b])[1] * w)
def rt_restarred(a, b, w): return np.sum(rt.restarred((a, [b, a * b], b), [a, a, a, b], 1, 1)[2] * w)


for _fn in (rt_as_tuple, rt_as_list, rt_like, rt_transposed, rt_untransposed, rt_unstarred, rt_restarred, rt_padded,
            rt_unpadded):
    add(_fn, ANY.draw((3,)), ANY.draw((3,)))


# the unflatten of s2s.flatten (`functools.partial(unflatten_into, like)`) and the adjoint of unravel
def rt_unflatten_into(v, w): return np.sum(rt.unflatten_into([np.ones(2), (0.5, np.ones((1, 2)))], v)[1][1] * w) \
    + np.sum(np.sin(v) * rt.unflatten_into([np.ones(2), (0.5, np.ones((1, 2)))], v)[1][0])
def rt_ravel_like(a, b, w): return np.sum(rt.ravel_like([a, (b * a, b)], [np.ones(2), (np.ones(2), np.ones(2))]) * np.sin(a[0]) * w)


add(rt_unflatten_into, ANY.draw((5,)))
add(rt_ravel_like, ANY.draw((2,)), ANY.draw((2,)))
