"""Python's differentiable built-in functions: sum, pow, sorted, list, tuple, and max / min of two numbers."""
from . import nondiff_method, rule

# d.keys(): a dict's keys carry no derivative (loops over a dict's items iterate over them).
nondiff_method("keys")

# sum(xs, start): each element gets the output's cotangent, summed back to its own shape.
rule(sum, args="iterable, /, start=0", elementwise=False,
     iterable="spread(g, iterable)", start="unbroadcast(g, start)", jvp="sum(t_iterable) + t_start")
rule(pow, args="x, y, mod=None", x="g * y * x ** (y - (y != 0))",  # at x = 0, and for y, as np.power
    y="np.where(g == 0, 0.0, g * ans * np.log(x + (x == 0), dtype=np.result_type(ans)))")
# sorted(xs, key=k) permutes the elements: each cotangent goes back to the element it came from. The
# order is piecewise constant in the values (a tie is either order: the derivative is one-sided there),
# whatever the key compares, so the key carries no derivative.
rule(sorted, args="iterable, /, *, key=None, reverse=False", elementwise=False,
     iterable="unsort(g, iterable, reverse, key)", jvp="resort(t_iterable, iterable, reverse, key)")
# list(xs) and tuple(xs) of a list, tuple, array or dict (its keys): the elements, in another container.
rule(list, args="iterable=(), /", elementwise=False, iterable="unlist(g, iterable)", jvp="relist(t_iterable, iterable)")
rule(tuple, args="iterable=(), /", elementwise=False, iterable="unlist(g, iterable)",
     jvp="relist(t_iterable, iterable, tuple)")
# max(a, b) and min(a, b) of numbers; at a tie each gets half (as np.maximum).
rule(max, args="a, b", a="g * ((a > b) + 0.5 * (a == b))", b="g * ((b > a) + 0.5 * (a == b))")
rule(min, args="a, b", a="g * ((a < b) + 0.5 * (a == b))", b="g * ((b < a) + 0.5 * (a == b))")
