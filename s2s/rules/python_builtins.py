"""Python's differentiable built-in functions: sum, pow, and max / min of two numbers."""
from . import rule

# sum(xs, start): each element gets the output's cotangent, summed back to its own shape.
rule(sum, args="iterable, /, start=0", elementwise=False,
     iterable="spread(g, iterable)", start="unbroadcast(g, start)", jvp="sum(t_iterable) + t_start")
rule(pow, args="x, y, mod=None", x="g * y * x ** (y - (y != 0))",  # at x = 0 as np.power
    y="g * ans * np.log(x + (x == 0), dtype=np.result_type(ans))")
# max(a, b) and min(a, b) of numbers; at a tie each gets half (as np.maximum).
rule(max, args="a, b", a="g * ((a > b) + 0.5 * (a == b))", b="g * ((b > a) + 0.5 * (a == b))")
rule(min, args="a, b", a="g * ((a < b) + 0.5 * (a == b))", b="g * ((b < a) + 0.5 * (a == b))")
