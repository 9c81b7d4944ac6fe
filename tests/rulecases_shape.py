"""Rule cases for s2s/rules (shape family); the helpers and conventions are in rulecases.py."""
import numpy as np  # noqa: F401

import rulecases
from rulecases import ANY, NONZERO, POS, SHAPES, BROADCAST, Domain, _rng, _shape_id, add, apart, draw_pair  # noqa: F401
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


def np_conj(x, w): return np.sum(np.conj(x) * w)
def np_conjugate(x, w): return np.sum(np.conjugate(x) * w)
def np_real(x, w): return np.sum(np.real(x) * w)


for _fn in (np_deg2rad, np_radians, np_rad2deg, np_degrees, np_sinc, np_conj, np_conjugate, np_real):
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


# ---- axes --------------------------------------------------------------------------------------------------

def np_swapaxes(x, axis1, axis2, w): return np.sum(np.swapaxes(x, axis1, axis2) * w)
def meth_swapaxes(x, w): return np.sum(x.swapaxes(0, -1) * w)
def np_moveaxis(x, source, destination, w): return np.sum(np.moveaxis(x, source, destination) * w)


for _shape, _a1, _a2 in [((2, 3), 0, 1), ((2, 3), 1, 1), ((2, 3, 4), 0, -1), ((2, 3, 4), -2, 2)]:
    add(np_swapaxes, ANY.draw(_shape), _a1, _a2, wrt=(0,), tag=_tag(_shape, _a1, _a2))
for _shape in [(2, 3), (2, 3, 4)]:
    add(meth_swapaxes, ANY.draw(_shape))
for _shape, _src, _dst in [((2, 3), 0, 1), ((2, 3, 4), 0, -1), ((2, 3, 4), -1, 0), ((2, 3, 4), (0, 1), (2, 0))]:
    add(np_moveaxis, ANY.draw(_shape), _src, _dst, wrt=(0,), tag=_tag(_shape, _src, _dst))


# ---- reshapes ----------------------------------------------------------------------------------------------

def np_expand_dims(x, axis, w): return np.sum(np.expand_dims(x, axis) * w)
def np_squeeze(x, axis, w): return np.sum(np.squeeze(x, axis) * w)
def np_squeeze_plain(x, w): return np.sum(np.squeeze(x) * w)
def meth_squeeze(x, w): return np.sum(x.squeeze(axis=0) * w)
def np_atleast_1d(x, w): return np.sum(np.atleast_1d(x) * w)
def np_atleast_2d(x, w): return np.sum(np.atleast_2d(x) * w)
def np_atleast_3d(x, w): return np.sum(np.atleast_3d(x) * w)
def np_broadcast_to(x, shape, w): return np.sum(np.broadcast_to(x, shape) * w)


for _shape, _axis in [((), 0), ((3,), 0), ((3,), -1), ((2, 3), 1), ((2, 3), (0, 2)), ((2, 3), (-1, 0))]:
    add(np_expand_dims, ANY.draw(_shape), _axis, wrt=(0,), tag=_tag(_shape, _axis))
for _shape, _axis in [((1, 3, 1), None), ((1, 3, 1), 0), ((1, 3, 1), -1), ((1, 3, 1), (0, 2)), ((2, 1), 1)]:
    add(np_squeeze, ANY.draw(_shape), _axis, wrt=(0,), tag=_tag(_shape, _axis))
add(np_squeeze_plain, ANY.draw((1, 3)))
add(np_squeeze_plain, ANY.draw(()))
add(meth_squeeze, ANY.draw((1, 2, 1)))
for _fn in (np_atleast_1d, np_atleast_2d, np_atleast_3d):
    for _shape in [(), (3,), (2, 3)]:
        add(_fn, ANY.draw(_shape))
for _shape, _to in [((3,), (2, 3)), ((2, 1), (2, 3)), ((), (3,)), ((1, 3), (4, 2, 3)), ((2, 3), (2, 3))]:
    add(np_broadcast_to, ANY.draw(_shape), _to, wrt=(0,), tag=_tag(_shape, _to))


# ---- flips and triangles -----------------------------------------------------------------------------------

def np_flip(x, axis, w): return np.sum(np.flip(x, axis) * w)
def np_flip_plain(x, w): return np.sum(np.flip(x) * w)
def np_fliplr(x, w): return np.sum(np.fliplr(x) * w)
def np_flipud(x, w): return np.sum(np.flipud(x) * w)
def np_triu(x, k, w): return np.sum(np.triu(x, k) * w)
def np_tril(x, k, w): return np.sum(np.tril(x, k) * w)
def np_triu_plain(x, w): return np.sum(np.triu(x) * w)
def np_tril_keyword(x, w): return np.sum(np.tril(x, k=-1) * w)


for _shape, _axis in [((4,), 0), ((2, 3), 1), ((2, 3), -2), ((2, 3, 4), (0, 2)), ((2, 3, 4), None)]:
    add(np_flip, ANY.draw(_shape), _axis, wrt=(0,), tag=_tag(_shape, _axis))
for _shape in [(4,), (2, 3)]:
    add(np_flip_plain, ANY.draw(_shape))
    add(np_flipud, ANY.draw(_shape))
add(np_fliplr, ANY.draw((2, 3)))
add(np_fliplr, ANY.draw((2, 3, 2)))
for _fn in (np_triu, np_tril):
    for _shape, _k in [((3, 3), 0), ((3, 4), 1), ((4, 3), -1), ((2, 3, 3), 0), ((3,), 0)]:
        add(_fn, ANY.draw(_shape), _k, wrt=(0,), tag=_tag(_shape, _k))
add(np_triu_plain, ANY.draw((3, 3)))
add(np_tril_keyword, ANY.draw((3, 4)))


# ---- copies of entries: tile, repeat, take, pad ------------------------------------------------------------

def np_tile(x, reps, w): return np.sum(np.tile(x, reps) * w)
def np_repeat(x, repeats, axis, w): return np.sum(np.repeat(x, repeats, axis) * w)
def np_repeat_plain(x, w): return np.sum(np.repeat(x, 3) * w)
def meth_repeat(x, w): return np.sum(x.repeat(2, axis=-1) * w)
def np_take(x, indices, axis, w): return np.sum(np.take(x, indices, axis) * w)
def np_take_plain(x, w): return np.sum(np.take(x, [3, 0, 3]) * w)
def np_take_mode(x, w): return np.sum(np.take(x, [5, -1, 2], axis=0, mode="wrap") * w)
def meth_take(x, w): return np.sum(x.take([1, 1, 0], axis=1) * w)
def np_pad(x, pad_width, w): return np.sum(np.pad(x, pad_width) * w)
def np_pad_value(x, value, w): return np.sum(np.pad(x, ((1, 0), (2, 1)), mode="constant", constant_values=value) * w)


for _shape, _reps in [((), 3), ((3,), 2), ((3,), (2, 1)), ((2, 3), (2,)), ((2, 3), (1, 2)), ((2, 3), (2, 1, 2))]:
    add(np_tile, ANY.draw(_shape), _reps, wrt=(0,), tag=_tag(_shape, _reps))
for _shape, _repeats, _axis in [((3,), 2, None), ((2, 3), 2, None), ((2, 3), [1, 0, 2], 1), ((2, 3), 3, -2),
                                ((3,), [2, 1, 3], 0), ((2, 3), [1, 2, 0, 1, 1, 3], None)]:
    add(np_repeat, ANY.draw(_shape), _repeats, _axis, wrt=(0,), tag=_tag(_shape, _repeats, _axis))
add(np_repeat_plain, ANY.draw((2, 2)))
add(np_repeat_plain, ANY.draw(()))
add(meth_repeat, ANY.draw((2, 3)))
for _shape, _indices, _axis in [((5,), [0, 2, 2, 4], None), ((3, 4), [1, 1, 0], 1), ((3, 4), [2, -1], -2),
                                ((3, 4), 2, 0), ((2, 3), np.array([[0, 5], [5, 5]]), None),
                                ((2, 3, 4), np.array([[0, 1], [2, 2]]), 1)]:
    add(np_take, ANY.draw(_shape), _indices, _axis, wrt=(0,), tag=_tag(_shape, _indices, _axis))
add(np_take_plain, ANY.draw((2, 3)))
add(np_take_mode, ANY.draw((4, 2)))
add(meth_take, ANY.draw((2, 3)))
for _shape, _width in [((3,), 1), ((3,), (2, 0)), ((2, 3), ((1, 0), (2, 1))), ((2, 3), (1, 2)), ((2, 3), ((0, 1),)),
                       ((2, 1, 3), 2)]:
    add(np_pad, ANY.draw(_shape), _width, wrt=(0,), tag=_tag(_shape, _width))
add(np_pad_value, ANY.draw((2, 3)), 0.7)


# ---- copies and casts --------------------------------------------------------------------------------------

def np_copy(x, w): return np.sum(np.copy(x) * w)
def meth_copy(x, w): return np.sum(x.copy() * w)
def meth_astype(x, w): return np.sum(x.astype(np.float64) * w)
def meth_astype_builtin(x, w): return np.sum(np.sin(x).astype(float) * w)
# A cast to int is piecewise constant: its derivative is zero (10 x is drawn away from integers).
def meth_astype_int(x, w): return np.sum(x * w) + np.sum((x * 10.0).astype(int) * w)


for _shape in SHAPES[1:]:
    add(np_copy, ANY.draw(_shape))
    add(meth_copy, ANY.draw(_shape))
    add(meth_astype, ANY.draw(_shape))
    add(meth_astype_builtin, ANY.draw(_shape))
add(np_copy, ANY.draw(()))
add(meth_astype_int, np.array([0.33, -1.27, 0.81, 1.55]))


# ---- np.array and np.asarray of lists, tuples and arrays ---------------------------------------------------

def np_array_of_elements(x, w): return np.sum(np.array([x[0], 2.0 * x[1]]) * w)
def np_array_nested(a, b, c, w): return np.sum(np.array([[a, b], [c, 1.0]]) * w)
def np_array_of_arrays(x, y, w): return np.sum(np.array([[x, y], [y * y, x]]) * w)
def np_array_tuple(x, y, w): return np.sum(np.array((x, 2.0 * y)) * w)
def np_array_copy(x, w): return np.sum(np.array(x) * w)
def np_array_dtype(x, w): return np.sum(np.array(x, dtype=np.float64) * w)
def np_array_ndmin(x, w): return np.sum(np.array([x[0], x[1]], ndmin=3) * w)
def np_array_int(x, w): return np.sum(x * w) + np.sum(np.array(x * 10.0, dtype=int) * w)
def np_asarray(x, w): return np.sum(np.asarray(x) * w)
def np_asarray_list(a, b, w): return np.sum(np.asarray([a, b * b]) * w)


add(np_array_of_elements, ANY.draw((3,)))
add(np_array_of_elements, ANY.draw((2, 3)))
add(np_array_nested, ANY.draw(()), ANY.draw(()), ANY.draw(()))
add(np_array_of_arrays, ANY.draw((3,)), ANY.draw((3,)))
add(np_array_tuple, ANY.draw((2, 3)), ANY.draw((2, 3)))
add(np_array_tuple, ANY.draw(()), ANY.draw(()))
for _shape in [(), (3,), (2, 3)]:
    add(np_array_copy, ANY.draw(_shape))
    add(np_asarray, ANY.draw(_shape))
add(np_array_dtype, ANY.draw((2, 3)))
add(np_array_ndmin, ANY.draw((3,)))
add(np_array_int, np.array([0.33, -1.27, 0.81, 1.55]))
add(np_asarray_list, ANY.draw(()), ANY.draw(()))
add(np_asarray_list, ANY.draw((2,)), ANY.draw((2,)))


# ---- joining and splitting ---------------------------------------------------------------------------------

def np_concatenate(x, y, w): return np.sum(np.concatenate([x, y]) * w)
def np_concatenate_axis(x, y, axis, w): return np.sum(np.concatenate((x, y), axis) * w)
def np_concatenate_none(x, y, w): return np.sum(np.concatenate([x, y], axis=None) * w)
def np_concatenate_three(x, y, w): return np.sum(np.concatenate([x, np.ones(2), 2.0 * y]) * w)
def np_stack(x, y, axis, w): return np.sum(np.stack([x, y], axis) * w)
def np_stack_plain(x, y, w): return np.sum(np.stack((x, y, x * y)) * w)
def np_hstack(x, y, w): return np.sum(np.hstack([x, y]) * w)
def np_vstack(x, y, w): return np.sum(np.vstack([x, y]) * w)
def np_column_stack(x, y, w): return np.sum(np.column_stack((x, y)) * w)
def np_split_both(x, w):
    a, b = np.split(x, 2)
    return np.sum((a * 2.0 - b * b) * w)
def np_split_one(x, w):
    a, b, c = np.split(x, [1, 3], axis=1)
    return np.sum(c * w)
def np_split_indexed(x, w): return np.sum(np.split(x, 3, axis=-1)[1] * w)
def np_array_split(x, w):
    a, b = np.array_split(x, 2)
    return np.sum((a[:2] * b) * w)
def np_array_split_axis(x, w): return np.sum(np.array_split(x, [1], axis=1)[1] * w)


for _xs, _ys in [((2,), (3,)), ((2, 3), (1, 3))]:
    add(np_concatenate, ANY.draw(_xs), ANY.draw(_ys))
for _xs, _ys, _axis in [((2, 3), (2, 4), 1), ((2, 3), (4, 3), -2), ((2, 3, 1), (2, 3, 2), -1), ((3,), (2,), 0)]:
    add(np_concatenate_axis, ANY.draw(_xs), ANY.draw(_ys), _axis, wrt=(0, 1), tag=_tag(_xs, _ys, _axis))
add(np_concatenate_none, ANY.draw((2, 3)), ANY.draw((4,)))
add(np_concatenate_three, ANY.draw((3,)), ANY.draw((2,)))
for _shape, _axis in [((3,), 0), ((3,), -1), ((2, 3), 1), ((2, 3), -1), ((2, 3), 2), ((), 0)]:
    add(np_stack, ANY.draw(_shape), ANY.draw(_shape), _axis, wrt=(0, 1), tag=_tag(_shape, _shape, _axis))
add(np_stack_plain, ANY.draw((2, 3)), ANY.draw((2, 3)))
for _xs, _ys in [((2,), (3,)), ((2, 1), (2, 3)), ((2, 1, 2), (2, 3, 2)), ((), ())]:
    add(np_hstack, ANY.draw(_xs), ANY.draw(_ys))
for _xs, _ys in [((3,), (3,)), ((3,), (2, 3)), ((2, 3), (1, 3)), ((), ())]:
    add(np_vstack, ANY.draw(_xs), ANY.draw(_ys))
for _xs, _ys in [((3,), (3,)), ((3,), (3, 2)), ((3, 2), (3, 1))]:
    add(np_column_stack, ANY.draw(_xs), ANY.draw(_ys))
add(np_split_both, ANY.draw((4,)))
add(np_split_both, ANY.draw((2, 3)))
add(np_split_one, ANY.draw((2, 4)))
add(np_split_indexed, ANY.draw((2, 6)))
add(np_array_split, ANY.draw((5,)))
add(np_array_split_axis, ANY.draw((2, 3)))


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


# ---- rot90, sort, take_along_axis ---------------------------------------------------------------------------

def np_rot90(x, k, axes, w): return np.sum(np.rot90(x, k, axes) * w)
def np_rot90_plain(x, w): return np.sum(np.rot90(x) * w)
def np_sort(x, axis, w): return np.sum(np.sort(x, axis) * w)
def np_sort_plain(x, w): return np.sum(np.sort(x) * w)
def np_sort_twice(x, w): return np.sum(np.sort(x * x, axis=None) * w)   # x * x: entries drawn with distinct squares
def np_take_along_axis(x, indices, axis, w): return np.sum(np.take_along_axis(x, indices, axis) * w)
def np_take_along_sorted(x, w): return np.sum(np.take_along_axis(x, np.argsort(x, axis=0), axis=0) * w)
def rt_untake_along(c, w):
    return np.sum(rt.untake_along(c, np.zeros((3, 4), c.dtype), np.array([[0, 0], [3, 1], [2, 2]]), 1) * w)


def _distinct(shape):
    """Entries at least 0.1 apart (no near-ties in a sort), of either sign."""
    return _rng.permutation(np.linspace(-1.3, 1.3, int(np.prod(shape)))).reshape(shape)


for _shape, _k, _axes in [((2, 3), 1, (0, 1)), ((2, 3), 2, (0, 1)), ((2, 3), -1, (1, 0)), ((2, 3, 4), 3, (0, 2)),
                          ((2, 3, 4), 1, (-1, 1)), ((2, 3), 4, (0, 1))]:
    add(np_rot90, ANY.draw(_shape), _k, _axes, wrt=(0,), tag=_tag(_shape, _k, _axes))
add(np_rot90_plain, ANY.draw((3, 2)))
for _shape, _axis in [((5,), -1), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1), ((3, 4), None)]:
    add(np_sort, _distinct(_shape), _axis, wrt=(0,), tag=_tag(_shape, _axis))
add(np_sort_plain, _distinct((2, 4)))
add(np_sort_twice, _distinct((2, 3)) + 2.0)
for _shape, _indices, _axis in [((3, 4), np.array([[0, 3], [1, 1], [2, 0]]), 1), ((3, 4), np.array([[2, 0, 0, 1]]), 0),
                                ((2, 3), np.array([5, 0, 0, 3]), None), ((2, 3, 2), np.array([[[1, 0]], [[2, 2]]]), 1)]:
    add(np_take_along_axis, ANY.draw(_shape), _indices, _axis, wrt=(0,), tag=_tag(_shape, _indices.shape, _axis))
add(np_take_along_sorted, _distinct((3, 2)))
add(rt_untake_along, ANY.draw((3, 2)))


# ---- dstack, append ---------------------------------------------------------------------------------------

def np_dstack(x, y, w): return np.sum(np.dstack([x, y]) * w)
def np_append(x, y, w): return np.sum(np.append(x, y) * w)
def np_append_axis(x, y, axis, w): return np.sum(np.append(x, y, axis) * w)
def np_append_constant(x, w): return np.sum(np.append(x, [1.0, 2.0], axis=None) * w)
def np_append_to_constant(y, w): return np.sum(np.append(np.ones((2, 2), y.dtype), y, axis=0) * w)


for _xs, _ys in [((3,), (3,)), ((2, 3), (2, 3)), ((2, 3, 1), (2, 3, 2)), ((), ())]:
    add(np_dstack, ANY.draw(_xs), ANY.draw(_ys))
for _xs, _ys in [((3,), (2,)), ((2, 3), (4,)), ((2, 3), ()), ((), (2, 2))]:
    add(np_append, ANY.draw(_xs), ANY.draw(_ys))
for _xs, _ys, _axis in [((2, 3), (2, 1), 1), ((2, 3), (1, 3), 0), ((2, 3), (4, 3), -2), ((2, 1, 2), (2, 3, 2), 1)]:
    add(np_append_axis, ANY.draw(_xs), ANY.draw(_ys), _axis, wrt=(0, 1), tag=_tag(_xs, _ys, _axis))
add(np_append_constant, ANY.draw((2, 2)))
add(np_append_to_constant, ANY.draw((1, 2)))
