"""Python's arithmetic operators (``a + b``, ``a @ b``, ``x[i]``...)."""
import operator

from . import nondiff, rule

# ---- elementwise arithmetic ---------------------------------------------------------
rule(operator.add,     args="x, y", x="g",                    y="g")
rule(operator.sub,     args="x, y", x="g",                    y="-g")
rule(operator.mul,     args="x, y", x="g * y",                y="g * x")
rule(operator.truediv, args="x, y", x="g / y",                y="-g * ans / y")
rule(operator.pow,     args="x, y", x="g * y * x ** (y - (y != 0))",  # at x = 0, and for y, as np.power
     y="np.where(g == 0, 0.0, g * ans * np.log(x + (x == 0), dtype=np.result_type(ans)))")
rule(operator.mod,     args="x, y", x="g",                    y="-g * (x // y)")
rule(operator.neg,     args="x",    x="-g")
rule(operator.pos,     args="x",    x="g")
nondiff(operator.floordiv, operator.not_)
# bitwise operators take integers and booleans only (floats raise), so their results carry no derivative
nondiff(operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift, operator.invert)

# ---- matrix product and indexing ----------------------------------------------------
rule(operator.matmul, args="x, y", elementwise=False,
     x="matmul_grad_a(g, x, y)", y="matmul_grad_b(g, x, y)", jvp="t_x @ y + x @ t_y")
rule(operator.getitem, args="x, index", elementwise=False,
     x="unindex(g, x, index)", jvp="t_x[index]")
