"""Rule cases for s2s/rules/sequences.py (diff, convolve, correlate, polyval); conventions in rulecases.py."""
import numpy as np  # noqa: F401

from rulecases import ANY, _shape_id, add
from s2s import runtime as rt


def _tag(*parts):
    return ",".join(_shape_id(p) if isinstance(p, tuple) else str(p) for p in parts).replace(" ", "")


def np_diff(x, n, axis, w): return np.sum(np.diff(x, n, axis) * w)
def np_diff_plain(x, w): return np.sum(np.diff(x) * w)
def np_diff_keywords(x, w): return np.sum(np.diff(x, n=2, axis=0) * w)
def rt_undiff(c, w): return np.sum(rt.undiff(c, 2, 0) * w)


for _shape, _n, _axis in [((5,), 1, -1), ((5,), 2, 0), ((5,), 0, -1), ((5,), 4, 0), ((3, 4), 1, 0), ((3, 4), 3, 1),
                          ((2, 3, 4), 2, -2)]:
    add(np_diff, ANY.draw(_shape), _n, _axis, wrt=(0,), tag=_tag(_shape, _n, _axis))
add(np_diff_plain, ANY.draw((2, 4)))
add(np_diff_keywords, ANY.draw((4, 2)))
add(rt_undiff, ANY.draw((2, 3)))


def np_convolve(x, y, mode, w): return np.sum(np.convolve(x, y, mode) * w)
def np_convolve_plain(x, y, w): return np.sum(np.convolve(x, y) * w)
def np_correlate(x, y, mode, w): return np.sum(np.correlate(x, y, mode) * w)
def np_correlate_plain(x, y, w): return np.sum(np.correlate(x, y) * w)
def np_convolve_same_input(x, w): return np.sum(np.convolve(x, x, mode="same") * w)


for _m, _n in [(5, 3), (3, 5), (4, 4), (1, 3), (2, 2), (6, 1)]:
    for _mode in ("full", "valid", "same"):
        for _fn in (np_convolve, np_correlate):
            add(_fn, ANY.draw((_m,)), ANY.draw((_n,)), _mode, wrt=(0, 1), tag=_tag((_m,), (_n,), _mode))
add(np_convolve_plain, ANY.draw((4,)), ANY.draw((3,)))
add(np_correlate_plain, ANY.draw((5,)), ANY.draw((2,)))
add(np_convolve_same_input, ANY.draw((4,)))


def np_polyval(p, x, w): return np.sum(np.polyval(p, x) * w)
def np_polyval_list(x, w): return np.sum(np.polyval([1.5, -2.0, 0.5], x) * w)


for _p, _x in [((3,), ()), ((3,), (4,)), ((5,), (2, 3)), ((1,), (3,)), ((2,), ())]:
    add(np_polyval, ANY.draw(_p), ANY.draw(_x))
add(np_polyval_list, ANY.draw((3,)))
