"""Joining arrays and splitting them.

A join's cotangent is split back into one cotangent per part, each in its
part's shape (`unconcatenate`); a split's cotangent is a sequence, one per
piece (zeros for pieces that were not used), joined back.
"""
import numpy as np

from . import rule

_JOIN = "arrays, axis=0, out=None, *, dtype=None, casting='same_kind'"

rule(np.concatenate, args=_JOIN, elementwise=False,
     arrays="unconcatenate(g, arrays, axis)", jvp="np.concatenate(t_arrays, axis)")
rule(np.stack, args=_JOIN, elementwise=False, arrays="unconcatenate(g, arrays, axis)", jvp="np.stack(t_arrays, axis)")
# hstack joins 1-d parts along axis 0, others along axis 1; vstack and column_stack make parts 2-d first.
rule(np.hstack, args="tup, *, dtype=None, casting='same_kind'", elementwise=False,
     tup="unconcatenate(g, tup, 1 if np.ndim(g) > 1 else 0)", jvp="np.hstack(t_tup)")
rule(np.vstack, args="tup, *, dtype=None, casting='same_kind'", elementwise=False,
     tup="unconcatenate(g, tup, 0)", jvp="np.vstack(t_tup)")
if hasattr(np, "row_stack"):  # vstack's old name, removed in NumPy 2.4
    rule(np.row_stack, args="tup, *, dtype=None, casting='same_kind'", elementwise=False,
         tup="unconcatenate(g, tup, 0)", jvp="np.vstack(t_tup)")
rule(np.column_stack, args="tup", elementwise=False, tup="unconcatenate(g, tup, 1)", jvp="np.column_stack(t_tup)")

rule(np.split, args="ary, indices_or_sections, axis=0", elementwise=False,
     ary="np.concatenate(g, axis)", jvp="np.split(t_ary, indices_or_sections, axis)")
rule(np.array_split, args="ary, indices_or_sections, axis=0", elementwise=False,
     ary="np.concatenate(g, axis)", jvp="np.array_split(t_ary, indices_or_sections, axis)")
# vsplit, hsplit and dsplit split along axes 0, 1 (0 for a 1-d array) and 2.
rule(np.vsplit, args="ary, indices_or_sections", elementwise=False,
     ary="np.concatenate(g, 0)", jvp="np.vsplit(t_ary, indices_or_sections)")
rule(np.hsplit, args="ary, indices_or_sections", elementwise=False,
     ary="np.concatenate(g, 1 if np.ndim(ary) > 1 else 0)", jvp="np.hsplit(t_ary, indices_or_sections)")
rule(np.dsplit, args="ary, indices_or_sections", elementwise=False,
     ary="np.concatenate(g, 2)", jvp="np.dsplit(t_ary, indices_or_sections)")
# dstack joins along axis 2 after making parts 3-d; append joins two (flattened, for axis=None).
rule(np.dstack, args="tup", elementwise=False, tup="unconcatenate(g, tup, 2)", jvp="np.dstack(t_tup)")
rule(np.append, args="arr, values, axis=None", elementwise=False,
     arr="unconcatenate(g, (arr, values), axis)[0]", values="unconcatenate(g, (arr, values), axis)[1]",
     jvp="np.append(t_arr, zeros_like(values), axis) + np.append(zeros_like(arr), t_values, axis)")
