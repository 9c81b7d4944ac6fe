"""Reductions over axes (``np.sum``, ``x.mean(axis=0)``...)."""
import numpy as np

from . import rule

_SUM = "a, axis=None, dtype=None, out=None, keepdims=False"

rule(np.sum,  args=_SUM, method="sum", a="unsum(g, a, axis, keepdims)",
     jvp="np.sum(t_a, axis, keepdims=keepdims)")
rule(np.mean, args=_SUM, method="mean", a="unsum(g * (np.size(ans) / np.size(a)), a, axis, keepdims)",
     jvp="np.mean(t_a, axis, keepdims=keepdims)")

# The cotangent goes to the extreme entries, split evenly between ties (as autograd and JAX do).
_MAX = "a, axis=None, out=None, keepdims=False, initial=None, where=True"
for _fn, _method in ((np.max, "max"), (np.min, "min"), (np.amax, None), (np.amin, None)):
    rule(_fn, args=_MAX, method=_method, a="unmax(g, a, ans, axis, keepdims)",
         jvp="max_tangent(t_a, a, ans, axis, keepdims)")
