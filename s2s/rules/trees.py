"""Parameter trees (`s2s.trees`): `flatten` in differentiated code, as in an L2 penalty
(`flat, _ = flatten(params)`). Its value is (vector, unflatten): the vector is linear in the leaves."""
from .. import runtime, trees
from . import rule

rule(trees.flatten, args="tree", elementwise=False, tree="unravel(g[0], tree)", jvp="(ravel(t_tree), None)")
# unflatten(v) is `functools.partial(unflatten_into, like)`: linear in v (function_values expands the partial)
rule(runtime.unflatten_into, args="like, v", elementwise=False, constant={"like": "flatten a constant tree"},
     v="ravel_like(g, like)", jvp="unflatten_into(like, t_v)")
rule(runtime.ravel_like, args="c, like", elementwise=False, constant={"like": "ravel a constant tree"},
     c="unravel(g, like)", jvp="ravel_like(t_c, like)")
