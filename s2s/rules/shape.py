"""Shape operations: transpose, reshape, roll."""
import numpy as np

from . import rule

rule(np.transpose, args="a, axes=None", method="transpose", elementwise=False,
     a="np.transpose(g, None if axes is None else np.argsort(axes))", jvp="np.transpose(t_a, axes)")
rule(attribute="T", args="a", elementwise=False, a="g.T", jvp="t_a.T")
rule(np.reshape, args="a, shape=None, order='C', *, newshape=None, copy=None", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.reshape(t_a, np.shape(ans))")
rule(method="reshape", args="a, *shape, order='C'", elementwise=False,
     a="np.reshape(g, np.shape(a))", jvp="np.reshape(t_a, np.shape(ans))")
rule(np.roll, args="a, shift, axis=None", elementwise=False,
     a="np.roll(g, -shift, axis)", jvp="np.roll(t_a, shift, axis)")
