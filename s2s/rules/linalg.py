"""Linear algebra (matrix products)."""
import numpy as np

from . import rule

rule(np.matmul, args="x, y", elementwise=False,
     x="matmul_grad_a(g, x, y)", y="matmul_grad_b(g, x, y)", jvp="t_x @ y + x @ t_y")
rule(np.dot, args="a, b", method="dot", elementwise=False,
     a="dot_grad_a(g, a, b)", b="dot_grad_b(g, a, b)", jvp="np.dot(t_a, b) + np.dot(a, t_b)")
rule(np.outer, args="a, b, out=None", elementwise=False,
     a="np.reshape(g @ np.ravel(b), np.shape(a))", b="np.reshape(np.ravel(a) @ g, np.shape(b))",
     jvp="np.outer(t_a, b) + np.outer(a, t_b)")
