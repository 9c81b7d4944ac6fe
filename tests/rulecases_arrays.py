"""Rule cases for s2s/rules/no_derivative.py: arrays made from values (full, full_like, linspace,
arange), heaviside and math.copysign; conventions in rulecases.py."""
import math  # noqa: F401

import numpy as np  # noqa: F401

from rulecases import ANY, NONZERO, _shape_id, add


def _tag(*parts):
    return ",".join(_shape_id(p) if isinstance(p, tuple) else str(p) for p in parts).replace(" ", "")


# The fill value, a scalar or an array broadcast to the shape, is differentiable.
def np_full(x, w): return np.sum(np.full((2, 3), x) * x * w)
def np_full_element(x, w): return np.sum(np.full((3,), x[0]) * x * w)
def np_full_row(x, w): return np.sum(np.full((2, 3), x) * w)
def np_full_like(x, w): return np.sum(np.full_like(x, x[0]) * x * w)
def np_full_like_keyword(x, y, w): return np.sum(np.full_like(x, fill_value=y) * x * w)
def np_full_like_int(x, w): return np.sum(np.full_like(np.arange(3), x) * x * w)   # integer: constant


add(np_full, ANY.draw(()))
add(np_full_element, ANY.draw((3,)))
add(np_full_row, ANY.draw((3,)))
add(np_full_like, ANY.draw((3,)))
add(np_full_like, ANY.draw((2, 3)))
add(np_full_like_keyword, ANY.draw((2, 3)), ANY.draw(()))
add(np_full_like_keyword, ANY.draw((2, 3)), ANY.draw((3,)))
add(np_full_like_int, NONZERO.draw(()))


# linspace is linear in start and stop (arrays too, along any axis); arange in start and step.
def np_linspace(x, y, w): return np.sum(np.linspace(x, y, 5) * w)
def np_linspace_options(x, y, num, endpoint, axis, w): return np.sum(np.linspace(x, y, num, endpoint, axis=axis) * w)
def np_linspace_of_elements(x, w): return np.sum(np.linspace(x[0], x[1], 4) * x[2] * w)
def np_arange(x, y, w): return np.sum(np.arange(x, 3.0, y) * w)
def np_arange_stop(x, w): return np.sum(np.arange(x) * x * w)   # one argument: the stop (length only)
def np_arange_start(x, w): return np.sum(np.arange(x, 2.0) * w)


add(np_linspace, ANY.draw(()), ANY.draw(()))
for _sx, _sy, _num, _endpoint, _axis in [((), (), 1, True, 0), ((), (), 4, False, 0), ((3,), (3,), 4, True, 0),
                                          ((3,), (), 3, True, -1), ((2, 3), (3,), 3, False, 1), ((), (2,), 2, True, 1)]:
    add(np_linspace_options, ANY.draw(_sx), ANY.draw(_sy), _num, _endpoint, _axis, wrt=(0, 1),
        tag=_tag(_sx, _sy, _num, _endpoint, _axis))
add(np_linspace_of_elements, ANY.draw((3,)))
add(np_arange, -1.3, 0.7)
add(np_arange_stop, 3.4)
add(np_arange_start, -0.6)


# heaviside(x, h): h where x == 0, constant elsewhere; copysign(x, y) = |x| sign(y).
def np_heaviside(x, y, w): return np.sum(np.heaviside(np.round(x), y) * w)
def m_copysign(x, y, w): return math.copysign(x, y) * w


for _shape in [(), (4,), (2, 3)]:
    add(np_heaviside, np.round(ANY.draw(_shape) * 2.0) / 2.0 + 0.1, ANY.draw(_shape))   # some round to 0
for _x, _y in [(0.7, -1.2), (-0.4, 2.0), (-1.1, -0.3)]:
    add(m_copysign, _x, _y, tag=f"{_x},{_y}")
