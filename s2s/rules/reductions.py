"""Reductions over axes (``np.sum``, ``x.mean(axis=0)``...)."""
import numpy as np

from . import rule

_SUM = "a, axis=None, dtype=None, out=None, keepdims=False"

rule(np.sum,  args=_SUM, method="sum", a="unsum(g, a, axis, keepdims)",
     jvp="np.sum(t_a, axis, keepdims=keepdims)")
rule(np.mean, args=_SUM, method="mean", a="unsum(g * (np.size(ans) / np.size(a)), a, axis, keepdims)",
     jvp="np.mean(t_a, axis, keepdims=keepdims)")
