"""Linear algebra: products, contractions, traces and diagonals."""
import numpy as np

from .. import runtime
from . import rule

rule(np.matmul, args="x, y", elementwise=False,
     x="matmul_grad_a(g, x, y)", y="matmul_grad_b(g, x, y)", jvp="t_x @ y + x @ t_y")
rule(np.dot, args="a, b", method="dot", elementwise=False,
     a="dot_grad_a(g, a, b)", b="dot_grad_b(g, a, b)", jvp="np.dot(t_a, b) + np.dot(a, t_b)")
rule(np.outer, args="a, b, out=None", elementwise=False,
     a="np.reshape(g @ np.ravel(b), np.shape(a))", b="np.reshape(np.ravel(a) @ g, np.shape(b))",
     jvp="np.outer(t_a, b) + np.outer(a, t_b)")
rule(np.vdot, args="a, b", a="np.reshape(g * b, np.shape(a))", b="np.reshape(g * a, np.shape(b))",
     jvp="np.vdot(t_a, b) + np.vdot(a, t_b)")

# Contractions are einsums: the cotangent of an operand is an einsum of g with the others (`einsum_grad`).
rule(np.inner, args="a, b",
     a="einsum_grad(g, tensordot_subscripts(a, b, (-1, -1)), 0, a, b)",
     b="einsum_grad(g, tensordot_subscripts(a, b, (-1, -1)), 1, a, b)", jvp="np.inner(t_a, b) + np.inner(a, t_b)")
rule(np.tensordot, args="a, b, axes=2",
     a="einsum_grad(g, tensordot_subscripts(a, b, axes), 0, a, b)",
     b="einsum_grad(g, tensordot_subscripts(a, b, axes), 1, a, b)",
     jvp="np.tensordot(t_a, b, axes) + np.tensordot(a, t_b, axes)")
# kron(a, b) split as (a0, b0, a1, b1, ...) is the einsum 'ab,cd->acbd' (for matrices).
# Operands of different ranks are padded with 1s in front (as NumPy does).
_KRON_OPERANDS = "np.reshape(a, kron_padding(a, b)), np.reshape(b, kron_padding(b, a))"
rule(np.kron, args="a, b",
     a=f"np.reshape(einsum_grad(np.reshape(g, kron_shape(a, b)), kron_subscripts(a, b), 0, {_KRON_OPERANDS}), "
       "np.shape(a))",
     b=f"np.reshape(einsum_grad(np.reshape(g, kron_shape(a, b)), kron_subscripts(a, b), 1, {_KRON_OPERANDS}), "
       "np.shape(b))",
     jvp="np.kron(t_a, b) + np.kron(a, t_b)")
_OPERANDS = ("subscripts",) + tuple("abcdef")  # np.einsum with up to six operands (three in the sublist form)
# In the sublist form, np.einsum(a, [0, 1], b, [1, 2], [0, 2]), `subscripts` is the first operand: its
# cotangent is operand -1's (`einsum_grad`); a string never carries one.
_EINSUM = dict(args="subscripts, a, b=None, c=None, d=None, e=None, f=None, *, optimize=False",
               jvp=" + ".join("einsum_of(" + ", ".join(f"t_{q}" if q == p else q for q in _OPERANDS) + ")"
                              for p in _OPERANDS),
               **{p: f"einsum_grad(g, subscripts, {k}, a, b, c, d, e, f)" for k, p in enumerate(_OPERANDS, -1)})
rule(np.einsum, **_EINSUM)
rule(runtime.einsum_of, **_EINSUM)

# Traces and diagonals: the cotangent goes back onto the diagonal (`undiagonal`).
_DIAG = "a, offset=0, axis1=0, axis2=1"
rule(np.diagonal, args=_DIAG, method="diagonal",
     a="undiagonal(g, a, offset, axis1, axis2)", jvp="np.diagonal(t_a, offset, axis1, axis2)")
rule(np.trace, args=_DIAG + ", dtype=None, out=None", method="trace",
     a="undiagonal(unsum(g, np.diagonal(a, offset, axis1, axis2), -1), a, offset, axis1, axis2)",
     jvp="np.trace(t_a, offset, axis1, axis2)")
rule(np.diag, args="v, k=0", v="np.diag(g, k) if np.ndim(v) == 1 else undiagonal(g, v, k)", jvp="np.diag(t_v, k)")

# 3-vectors along axisa, axisb of a, b (axisc of the output; `axis` sets all three):
# <g, a × b> = <a, b × g> = <b, g × a>, summed over broadcast axes with the vectors along the last axis.
_AXIS = "({} if axis is None else axis)".format
_A, _B, _C = _AXIS("axisa"), _AXIS("axisb"), _AXIS("axisc")
rule(np.cross, args="a, b, axisa=-1, axisb=-1, axisc=-1, axis=None",
     a=f"np.moveaxis(unbroadcast(np.cross(b, g, {_B}, {_C}, -1), np.moveaxis(a, {_A}, -1)), -1, {_A})",
     b=f"np.moveaxis(unbroadcast(np.cross(g, a, {_C}, {_A}, -1), np.moveaxis(b, {_B}, -1)), -1, {_B})",
     jvp="np.cross(t_a, b, axisa, axisb, axisc, axis) + np.cross(a, t_b, axisa, axisb, axisc, axis)")

# A chain of products: array i gets matmul's cotangent in (left @ arrays[i]) @ right, with left and right
# the products before and after it (`chain_product`, whose rule is this one: any order of derivative).
MULTI_DOT = dict(
    args="arrays",
    arrays="[g if len(arrays) == 1 else "
           "matmul_grad_a(g, arrays[0], chain_product(arrays[1:])) if i == 0 else "
           "matmul_grad_b(g, chain_product(arrays[:i]), arrays[i]) if i == len(arrays) - 1 else "
           "matmul_grad_b(matmul_grad_a(g, chain_product(arrays[:i + 1]), chain_product(arrays[i + 1:])), "
           "chain_product(arrays[:i]), arrays[i]) for i in range(len(arrays))]",
    jvp="sum([chain_product(list(arrays[:i]) + [t_arrays[i]] + list(arrays[i + 1:])) for i in range(len(arrays))])")
rule(np.linalg.multi_dot, args="arrays, *, out=None", arrays=MULTI_DOT["arrays"], jvp=MULTI_DOT["jvp"])
