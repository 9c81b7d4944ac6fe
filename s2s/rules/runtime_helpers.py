"""The helpers of `s2s.runtime` that generated code calls: their own rules, so that
generated code can be differentiated again (higher order).

Most helpers are linear in their first argument, the cotangent ``c``; their
adjoint in ``c`` is the transposed linear map. The helpers' parameter for the
cotangent is called ``c`` here because ``g`` is the template's name for the
cotangent of the helper's own output.
"""
from .. import runtime as rt
from . import nondiff, rule
from .elementwise import SELECT
from .linalg import MULTI_DOT

nondiff(rt.grad_seed, rt.size_of, rt.checkpoint_every, rt.checkpoint_schedule, rt.zeros_like, rt.rebinds, rt.passed_as_value, rt.entries_passed_as_value,
        rt.copied_entries_passed_as_value, rt.field_key, rt.keywords_in, rt.keeps_default, rt.nothing_left, rt.unit_vectors, rt.svd_identity, rt.eig_identity, rt.matrix_axes)

# A tree raveled into one vector (`s2s.flatten`, in an L2 penalty) and back: each the other's adjoint.
rule(rt.ravel, args="tree", elementwise=False, tree="unravel(g, tree)", jvp="ravel(t_tree)")
rule(rt.unravel, args="c, like", elementwise=False, c="ravel(g)", jvp="unravel(t_c, like)")

# `p.w` of a namedtuple or dataclass parameter (a tree): its cotangent is the tree's, zero but at the field.
rule(rt.field, args="obj, name", elementwise=False, obj="unindex(g, obj, field_key(obj, name))",
     jvp="field_tangent(t_obj, obj, name)")
rule(rt.field_tangent, args="t, obj, name", elementwise=False, t="unindex(g, obj, field_key(obj, name))",
     jvp="field_tangent(t_t, obj, name)")
# a namedtuple or a dataclass made (`State(x, v)`) or changed (`s._replace(x=y)`) here (s2s/runtime_records.py)
rule(rt.built, args="cls, values", elementwise=False, values="fields_of(g, cls)", jvp="as_fields(t_values, cls)")
rule(rt.fields_of, args="c, cls", elementwise=False, c="as_fields(g, cls)", jvp="fields_of(t_c, cls)")
rule(rt.as_fields, args="c, cls", elementwise=False, c="fields_of(g, cls)", jvp="as_fields(t_c, cls)")
rule(rt.replaced, args="obj, names, values", elementwise=False, obj="unreplaced(g, obj, names)",
     values="replaced_parts(g, obj, names)", jvp="unreplaced(t_obj, obj, names) + parts_in(t_values, obj, names)")
rule(rt.unreplaced, args="c, obj, names", elementwise=False, c="unreplaced(g, obj, names)",
     jvp="unreplaced(t_c, obj, names)")
rule(rt.replaced_parts, args="c, obj, names", elementwise=False, c="parts_in(g, obj, names)",
     jvp="replaced_parts(t_c, obj, names)")
rule(rt.parts_in, args="c, obj, names", elementwise=False, c="replaced_parts(g, obj, names)",
     jvp="parts_in(t_c, obj, names)")

# `a + b` and `a * n` of lists and tuples (made calls by `transforms.list_operators`).
rule(rt.concat, args="a, b", elementwise=False, a="head(g, a)", b="tail(g, a, b)",
     jvp="concat(t_a, zeros_like(b)) + concat(zeros_like(a), t_b)")
rule(rt.repeat, args="a, n", elementwise=False, a="unrepeat_list(g, a)", jvp="repeat(t_a, n)")
rule(rt.head, args="c, a", elementwise=False, c="concat(g, zeros_like(c)[len(a):])", jvp="head(t_c, a)")
rule(rt.tail, args="c, a, b", elementwise=False, c="concat(zeros_like(c)[:len(a)], g)", jvp="tail(t_c, a, b)")
rule(rt.unrepeat_list, args="c, a", elementwise=False, c="repeat(g, len(c) // max(len(a), 1))", jvp="unrepeat_list(t_c, a)")

rule(rt.unbroadcast, args="c, x", elementwise=False, c="rebroadcast(g, c)", jvp="unbroadcast(t_c, x)")
rule(rt.rebroadcast, args="c, y", elementwise=False, c="unbroadcast(g, c)", jvp="rebroadcast(t_c, y)")
rule(rt.unsum, args="c, x, axis=None, keepdims=False", elementwise=False,
     c="np.sum(g, axis=axis, keepdims=keepdims)", jvp="unsum(t_c, x, axis, keepdims)")
rule(rt.unindex, args="c, x, index", elementwise=False, c="g[index]", jvp="unindex(t_c, x, index)")
rule(rt.untranspose, args="c, axes", elementwise=False, c="retranspose(g, axes)", jvp="untranspose(t_c, axes)")
rule(rt.retranspose, args="c, axes", elementwise=False, c="untranspose(g, axes)", jvp="retranspose(t_c, axes)")
rule(rt.add, args="a, b", elementwise=False, a="g", b="g", jvp="t_a + t_b")  # terms are summed with add()
rule(rt.unpacked, args="x, parts", elementwise=False, parts="tuple(g)", jvp="unpacked(x, t_parts)")   # x: its type
rule(rt.select_of, **SELECT)   # np.select made of np.where: the same rule
rule(rt.lower_factor, args="L", elementwise=False, L="g", jvp="lower_factor(t_L)")   # the identity, on NumPy's factor

# c @ b.T and a.T @ c, for every combination of ranks: bilinear in (c, b) and (c, a).
rule(rt.matmul_grad_a, args="c, a, b", elementwise=False,
     c="g @ b", b="matmul_grad_b(c, g, b)", jvp="matmul_grad_a(t_c, a, b) + matmul_grad_a(c, a, t_b)")
rule(rt.matmul_grad_b, args="c, a, b", elementwise=False,
     c="a @ g", a="matmul_grad_a(c, a, g)", jvp="matmul_grad_b(t_c, a, b) + matmul_grad_b(c, t_a, b)")
rule(rt.unmax, args="c, x, ans, axis=None, keepdims=False", elementwise=False,
     c="max_tangent(g, x, ans, axis, keepdims)", jvp="unmax(t_c, x, ans, axis, keepdims)")
rule(rt.max_tangent, args="c, x, ans, axis=None, keepdims=False", elementwise=False,
     c="unmax(g, x, ans, axis, keepdims)", jvp="max_tangent(t_c, x, ans, axis, keepdims)")

# The functional write `a[index] = v` (adjoints of in-place writes) and the saved copy.
rule(rt.setindex, args="a, index, v", elementwise=False, a="setindex(g, index, 0.0)",
     v="unbroadcast(last_write(g, index), v)", jvp="setindex(t_a, index, 0.0) + setindex(zeros_like(a), index, t_v)")
rule(rt.last_write, args="c, index", elementwise=False, c="setindex(zeros_like(c), index, g)",
     jvp="last_write(t_c, index)")
rule(rt.copy_of, args="x", elementwise=False, x="g", jvp="copy_of(t_x)")
rule(rt.deep_copy_of, args="x", elementwise=False, x="g", jvp="deep_copy_of(t_x)")
rule(rt.copied, args="x", elementwise=False, x="g", jvp="copied(t_x)")

# ---- reductions and linear algebra ----

nondiff(rt.tensordot_subscripts, rt.kron_subscripts, rt.kron_shape, rt.kron_padding, rt.norm_order)
rule(rt.undiagonal, args="c, x, offset=0, axis1=0, axis2=1",
     c="np.diagonal(g, offset, axis1, axis2)", jvp="undiagonal(t_c, x, offset, axis1, axis2)")

# prod_grad(x, axis, dirs) is the gradient of a derivative of np.prod along `dirs`: one more derivative
# is one more direction (the derivatives of a product are symmetric in their directions).
rule(rt.prod_grad, args="x, axis=None, dirs=()",
     x="prod_grad(x, axis, (g,) + tuple(dirs))",
     dirs="[prod_grad(x, axis, (g,) + tuple(dirs[:r]) + tuple(dirs[r + 1:])) for r in range(len(dirs))]",
     jvp="prod_grad(x, axis, (t_x,) + tuple(dirs)) + "
         "sum([prod_grad(x, axis, tuple(dirs[:r]) + (t_dirs[r],) + tuple(dirs[r + 1:])) for r in range(len(dirs))])")


# einsum_grad(y, subscripts, k, operands) is multilinear in y and the operands other than operand k (which
# gives only its shape): <G, einsum_grad(y, s, k, ops)> = <y, einsum(s, ops with operand k := G)>. In the
# sublist form (np.einsum(a, [0, 1], b, [1, 2])) `subscripts` is an operand too, number -1.
_EINSUM_ARGS = ("subscripts",) + tuple("abcdef")


def _operands(k, new, then=None):
    """`subscripts, a, ..., f` of a template with argument number `k` (-1 is `subscripts`, 0 is a; a name or an
    index template) replaced by `new`; `then` (the operand number of einsum_grad) goes after `subscripts`."""
    args = [f"{new} if {k} == {i} else {p}" if not isinstance(k, int) else (new if k == i else p)
            for i, p in enumerate(_EINSUM_ARGS, -1)]
    return ", ".join(args[:1] + ([] if then is None else [str(then)]) + args[1:])


rule(rt.einsum_grad, args="y, subscripts, k, a, b=None, c=None, d=None, e=None, f=None",
     y=f"einsum_of({_operands('k', 'g')})",
     **{p: f"zeros_like({p}) if k == {i} else einsum_grad(y, {_operands('k', 'g', i)})"
        for i, p in enumerate(_EINSUM_ARGS, -1)},
     jvp=" + ".join(["einsum_grad(t_y, subscripts, k, a, b, c, d, e, f)"]
                    + [f"(zeros_like({p}) if k == {i} else einsum_grad(y, {_operands(i, 't_' + p, 'k')}))"
                       for i, p in enumerate(_EINSUM_ARGS, -1)]))

# ---- shape operations: each helper is linear in c; its adjoint is its partner -------------
nondiff(rt.joined_dtype)   # np.r_ and np.c_, as `transforms.concatenators` spells them
nondiff(rt.first)          # sorted(xs, key=f) of a local f, as `transforms.function_values` spells it
rule(rt.column, args="x", elementwise=False, x="uncast(np.reshape(g, np.shape(x)), x)", jvp="column(t_x)")
rule(rt.uncast, args="c, x, dtype=float", elementwise=False, c="uncast(g, c, dtype)", jvp="uncast(t_c, x, dtype)")
rule(rt.unarray, args="c, x", elementwise=False,
     c="uncast(np.reshape(np.array(g), np.shape(c)), c)", jvp="unarray(t_c, x)")
rule(rt.unconcatenate, args="c, arrays, axis=0", elementwise=False,
     c="reconcatenate(g, c, axis)", jvp="unconcatenate(t_c, arrays, axis)")
rule(rt.reconcatenate, args="parts, c, axis=0", elementwise=False,
     parts="unconcatenate(g, parts, axis)", jvp="reconcatenate(t_parts, c, axis)")
rule(rt.untile, args="c, a, reps", elementwise=False, c="np.tile(g, reps)", jvp="untile(t_c, a, reps)")
rule(rt.untake, args="c, a, indices, axis=None, mode='raise'", elementwise=False,
     c="np.take(g, indices, axis, mode=mode)", jvp="untake(t_c, a, indices, axis, mode)")
rule(rt.unrepeat, args="c, a, repeats, axis=None", elementwise=False,
     c="np.repeat(g, repeats, axis)", jvp="unrepeat(t_c, a, repeats, axis)")
rule(rt.unpad, args="c, pad_width, mode='constant'", elementwise=False,
     c="repad(g, pad_width, mode)", jvp="unpad(t_c, pad_width, mode)")
rule(rt.repad, args="c, pad_width, mode='constant'", elementwise=False,
     c="unpad(g, pad_width, mode)", jvp="repad(t_c, pad_width, mode)")

# Python's sum: spread(c, xs) gives every element c; its adjoint sums them back.
rule(rt.spread, args="c, xs", elementwise=False, c="unspread(g, c)", jvp="spread(t_c, xs)")
rule(rt.unspread, args="gs, c", elementwise=False, gs="spread(g, gs)", jvp="unspread(t_gs, c)")

# ---- order statistics, chains of products and sequences ----
nondiff(rt.median_weights, rt.convolve_pad, rt.quantile_weights)
rule(rt.quantile_cotangent, args="c, a, q, axis=None, keepdims=False", elementwise=False,   # (linear in c; a and
     c="quantile_tangent(g, a, q, axis, keepdims)", jvp="quantile_cotangent(t_c, a, q, axis, keepdims)")  # q: weights)
rule(rt.quantile_tangent, args="c, a, q, axis=None, keepdims=False", elementwise=False,
     c="quantile_cotangent(g, a, q, axis, keepdims)", jvp="quantile_tangent(t_c, a, q, axis, keepdims)")
rule(rt.untake_along, args="c, arr, indices, axis=-1", elementwise=False,
     c="np.take_along_axis(g, indices, axis)", jvp="untake_along(t_c, arr, indices, axis)")
rule(rt.chain_product, **MULTI_DOT)
rule(rt.unsort, args="c, xs, reverse=False, key=None", elementwise=False, c="resort(g, xs, reverse, key)",
     jvp="unsort(t_c, xs, reverse, key)")
rule(rt.resort, args="c, xs, reverse=False, key=None", elementwise=False, c="unsort(g, xs, reverse, key)",
     jvp="resort(t_c, xs, reverse, key)")
rule(rt.unlist, args="c, xs", elementwise=False, c="relist(g, c)", jvp="unlist(t_c, xs)")
rule(rt.relist, args="c, xs, kind=list", elementwise=False, c="unlist(g, c)", jvp="relist(t_c, xs, kind)")
# `for v in xs` of a parameter: xs, or a dict's keys (transforms/normal_form.py)
rule(rt.iterated, args="xs", elementwise=False, xs="uniterated(g, xs)", jvp="reiterated(t_xs, xs)")
rule(rt.uniterated, args="c, xs", elementwise=False, c="reiterated(g, xs)", jvp="uniterated(t_c, xs)")
rule(rt.reiterated, args="c, xs", elementwise=False, c="uniterated(g, xs)", jvp="reiterated(t_c, xs)")
rule(rt.undiff, args="c, n=1, axis=-1", elementwise=False, c="np.diff(g, n, axis)", jvp="undiff(t_c, n, axis)")

# `*rest` receiving `*xs`, and `zip(*pairs)` (see transforms/packing.py): linear maps of containers.
rule(rt.as_tuple, args="xs", elementwise=False, xs="like(g, xs)", jvp="as_tuple(t_xs)")
rule(rt.as_list, args="xs", elementwise=False, xs="like(g, xs)", jvp="as_list(t_xs)")
rule(rt.like, args="c, xs", elementwise=False, c="as_tuple(g)", jvp="like(t_c, xs)")
rule(rt.transposed, args="xs", elementwise=False, xs="untransposed(g, xs)", jvp="transposed(t_xs)")
rule(rt.untransposed, args="c, xs", elementwise=False, c="transposed(g)", jvp="untransposed(t_c, xs)")
rule(rt.unstarred, args="xs, before, after", elementwise=False, xs="restarred(g, xs, before, after)",
     jvp="unstarred(t_xs, before, after)")
rule(rt.padded, args="xs, n, defaults", elementwise=False, constant={"defaults": "defaults are constants"},
     xs="unpadded(g, xs)", jvp="padded(t_xs, n, zeros_like(defaults))")   # a default's tangent is zero
rule(rt.unpadded, args="c, xs", elementwise=False, c="concat(g, zeros_like(c)[len(xs):])",
     jvp="unpadded(t_c, xs)")
rule(rt.restarred, args="c, xs, before, after", elementwise=False, c="unstarred(g, before, after)",
     jvp="restarred(t_c, xs, before, after)")
