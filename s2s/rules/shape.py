"""Shape operations: transposes, reshapes, flips, tiling, indexing by position, casts.

Each is linear in its array, so its reverse part applies the transposed map to
``g`` (often the same operation undone) and its forward part applies the
operation itself to the tangent. Joining and splitting are in `joining`.
"""
import numpy as np

from . import rule

# ---- axes ---------------------------------------------------------------------------------
rule(np.transpose, args="a, axes=None", elementwise=False,
     a="untranspose(g, axes)", jvp="np.transpose(t_a, axes)")
rule(method="transpose", args="a, *axes", elementwise=False,
     a="untranspose(g, axes)", jvp="t_a.transpose(*axes)")
rule(attribute="T", args="a", elementwise=False, a="g.T", jvp="t_a.T")
rule(np.swapaxes, args="a, axis1, axis2", method="swapaxes", elementwise=False,
     a="np.swapaxes(g, axis1, axis2)", jvp="np.swapaxes(t_a, axis1, axis2)")
rule(np.moveaxis, args="a, source, destination", elementwise=False,
     a="np.moveaxis(g, destination, source)", jvp="np.moveaxis(t_a, source, destination)")
# rollaxis(a, axis, start) is moveaxis(a, axis, d): d is start (start + ndim if negative), less one after axis.
_START = "(start + np.ndim(a) * (start < 0))"
rule(np.rollaxis, args="a, axis, start=0", elementwise=False,
     a=f"np.moveaxis(g, {_START} - (axis % np.ndim(a) < {_START}), axis)", jvp="np.rollaxis(t_a, axis, start)")

# ---- reshapes: the cotangent takes the input's shape back ---------------------------------
rule(np.reshape, args="a, shape=None, order='C', *, newshape=None, copy=None", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.reshape(t_a, np.shape(ans))")
rule(method="reshape", args="a, *shape, order='C'", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.reshape(t_a, np.shape(ans))")
rule(np.ravel, args="a, order='C'", method="ravel", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.ravel(t_a)")
rule(method="flatten", args="a, order='C'", elementwise=False, a="np.reshape(g, np.shape(a))", jvp="t_a.flatten()")
rule(method="item", args="a", elementwise=False, a="np.reshape(g, np.shape(a))",   # (of one element: a Python number)
     jvp="np.reshape(t_a, ()).item()")
rule(np.expand_dims, args="a, axis", elementwise=False, a="np.reshape(g, np.shape(a))", jvp="np.expand_dims(t_a, axis)")
rule(np.squeeze, args="a, axis=None", method="squeeze", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.squeeze(t_a, axis)")
for _fn in (np.atleast_1d, np.atleast_2d, np.atleast_3d):  # one array (several give a list)
    rule(_fn, args="a", elementwise=False, a="np.reshape(g, np.shape(a))", jvp=f"np.{_fn.__name__}(t_a)")
rule(np.broadcast_to, args="array, shape, subok=False", elementwise=False,
     array="unbroadcast(g, array)", jvp="np.broadcast_to(t_array, shape)")

# ---- moving entries around: the cotangent moves back ----------------------------------------
rule(np.roll, args="a, shift, axis=None", elementwise=False, keeps_shape=True,
     a="np.roll(g, np.negative(shift), axis)", jvp="np.roll(t_a, shift, axis)")
rule(np.flip, args="m, axis=None", elementwise=False, keeps_shape=True, m="np.flip(g, axis)", jvp="np.flip(t_m, axis)")
rule(np.rot90, args="m, k=1, axes=(0, 1)", elementwise=False, m="np.rot90(g, -k, axes)", jvp="np.rot90(t_m, k, axes)")
rule(np.fliplr, args="m", elementwise=False, keeps_shape=True, m="np.fliplr(g)", jvp="np.fliplr(t_m)")
rule(np.flipud, args="m", elementwise=False, keeps_shape=True, m="np.flipud(g)", jvp="np.flipud(t_m)")
# A 1-d m is broadcast to rows first: its cotangent sums them.
rule(np.triu, args="m, k=0", elementwise=False, m="unbroadcast(np.triu(g, k), m)", jvp="np.triu(t_m, k)")
rule(np.tril, args="m, k=0", elementwise=False, m="unbroadcast(np.tril(g, k), m)", jvp="np.tril(t_m, k)")

# ---- copies of entries: their cotangents are summed back ------------------------------------
rule(np.tile, args="A, reps", elementwise=False, A="untile(g, A, reps)", jvp="np.tile(t_A, reps)")
rule(np.repeat, args="a, repeats, axis=None", method="repeat", elementwise=False,
     a="unrepeat(g, a, repeats, axis)", jvp="np.repeat(t_a, repeats, axis)")
rule(np.take, args="a, indices, axis=None, out=None, mode='raise'", method="take", elementwise=False,
     a="untake(g, a, indices, axis, mode)", jvp="np.take(t_a, indices, axis, mode=mode)")
# Modes that copy entries (the others are refused; the helpers raise for a mode given as a variable); the
# padding value of mode='constant' is differentiable too.
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")
rule(np.pad, args="array, pad_width, mode='constant', *, constant_values=0", elementwise=False, only={"mode": _PAD_MODES},
     array="unpad(g, pad_width, mode)", constant_values="np.sum(g) - np.sum(unpad(g, pad_width, mode))",
     jvp="repad(t_array, pad_width, mode) + t_constant_values * (1.0 - repad(np.ones_like(array), pad_width, mode))")

# ---- copies and casts ---------------------------------------------------------------------------
rule(np.copy, args="a, order='K', subok=False", method="copy", elementwise=False, keeps_shape=True,
     a="g", jvp="copied(t_a)")   # (`d.copy()` of a dict has this method rule too)
# A cast to a float dtype passes the cotangent back in the input's dtype; a cast to an
# integer or bool dtype is piecewise constant, so its derivative is zero (see `uncast`).
rule(method="astype", args="a, dtype, order='K', casting='unsafe', subok=True, copy=True", elementwise=False,
     a="uncast(g, a, dtype)", jvp="uncast(t_a, ans, dtype)")
# np.array of nested lists and tuples of numbers and arrays: the cotangent has that nesting.
rule(np.array, args="object, dtype=None, *, copy=True, order='K', subok=False, ndmin=0, like=None",
     elementwise=False, object="unarray(uncast(g, ans, ans.dtype), object)",
     jvp="uncast(np.array(t_object, ndmin=ndmin), ans, ans.dtype)")
rule(np.asarray, args="a, dtype=None, order=None, *, device=None, copy=None, like=None", elementwise=False,
     a="unarray(uncast(g, ans, ans.dtype), a)", jvp="uncast(np.asarray(t_a), ans, ans.dtype)")

# ---- sorting and gathering along an axis: the cotangent goes back where each entry came from ----
# Sorting is a permutation that is locally constant (ties have measure zero).
rule(np.sort, args="a, axis=-1, kind=None, order=None, *, stable=None", elementwise=False,
     a="untake_along(g, a, np.argsort(a, axis), axis)", jvp="np.take_along_axis(t_a, np.argsort(a, axis), axis)")
# partition: the entries' places, read from the ranks of the output (the same entries, in another order).
_PLACES = "np.take_along_axis(np.argsort(a, axis), np.argsort(np.argsort(ans, axis), axis), axis)"
rule(np.partition, args="a, kth, axis=-1, kind='introselect', order=None", elementwise=False,
     a=f"untake_along(g, a, {_PLACES}, axis)", jvp=f"np.take_along_axis(t_a, {_PLACES}, axis)")
rule(np.take_along_axis, args="arr, indices, axis=-1", elementwise=False,
     arr="untake_along(g, arr, indices, axis)", jvp="np.take_along_axis(t_arr, indices, axis)")
