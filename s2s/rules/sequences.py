"""Sequences along an axis: differences, convolutions and polynomials.

`np.diff` and `np.convolve` are linear in each argument: their cotangents are
the transposed maps (`undiff`; a convolution's transpose is a correlation with
the other argument, of the cotangent padded to the full-mode length).
"""
import numpy as np

from . import rule

rule(np.diff, args="a, n=1, axis=-1", a="undiff(g, n, axis)", jvp="np.diff(t_a, n, axis)")

# convolve(a, v) = correlate(a, v[::-1]) (real inputs); the cotangent of one argument is the full-length
# cotangent correlated with the other ('valid' gives that argument's length).
_FULL = "np.pad(g, convolve_pad(a, v, mode))"
rule(np.convolve, args="a, v, mode='full'",
     a=f"np.correlate({_FULL}, v, 'valid')", v=f"np.correlate({_FULL}, a, 'valid')",
     jvp="np.convolve(t_a, v, mode) + np.convolve(a, t_v, mode)")
rule(np.correlate, args="a, v, mode='valid'",
     a=f"np.convolve({_FULL}, v, 'valid')", v=f"np.correlate({_FULL}, a, 'valid')[::-1]",
     jvp="np.correlate(t_a, v, mode) + np.correlate(a, t_v, mode)")

# p[0] x^(N-1) + ... + p[N-1]: linear in p; in x, the derivative polynomial (coefficients p[k] (N-1-k)).
_DP = "[p[k] * (len(p) - 1 - k) for k in range(len(p) - 1)]"
rule(np.polyval, args="p, x",
     p="uncast(np.array([np.sum(g * x ** (len(p) - 1 - k)) for k in range(len(p))]), p)",
     x=f"g * np.polyval({_DP}, x)",
     jvp=f"np.polyval(t_p, x) + t_x * np.polyval({_DP}, x)")
