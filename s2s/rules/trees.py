"""Parameter trees (`s2s.trees`): `flatten` in differentiated code, as in an L2 penalty
(`flat, _ = flatten(params)`). Its value is (vector, unflatten): the vector is linear in the leaves."""
from .. import trees
from . import rule

rule(trees.flatten, args="tree", elementwise=False, tree="unravel(g[0], tree)", jvp="(ravel(t_tree), None)")
