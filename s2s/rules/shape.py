"""Shape operations: transpose, reshape, roll."""
import numpy as np

from . import rule

rule(np.transpose, args="a, axes=None", elementwise=False,
     a="untranspose(g, axes)", jvp="np.transpose(t_a, axes)")
rule(method="transpose", args="a, *axes", elementwise=False,
     a="untranspose(g, axes)", jvp="t_a.transpose(*axes)")
rule(attribute="T", args="a", elementwise=False, a="g.T", jvp="t_a.T")
rule(np.reshape, args="a, shape=None, order='C', *, newshape=None, copy=None", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.reshape(t_a, np.shape(ans))")
rule(method="reshape", args="a, *shape, order='C'", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.reshape(t_a, np.shape(ans))")
rule(np.roll, args="a, shift, axis=None", elementwise=False, keeps_shape=True,
     a="np.roll(g, np.negative(shift), axis)", jvp="np.roll(t_a, shift, axis)")
rule(np.ravel, args="a, order='C'", method="ravel", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.ravel(t_a)")
rule(method="flatten", args="a, order='C'", elementwise=False, a="np.reshape(g, np.shape(a))", jvp="t_a.flatten()")
