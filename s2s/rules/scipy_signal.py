"""SciPy's signal processing: `scipy.signal.convolve` of two arrays of one rank (any rank).

The output of each mode is a window of the 'full' convolution (shape in1 + in2 - 1):
its cotangent padded with zeros to that shape (`signal_pad`) is the full output's,
whose cotangent in one operand is the 'valid' convolution of it with the other
operand flipped along every axis. Written with scipy.signal.convolve itself, so the
derivative differentiates again. The mode may be a value computed when run (SciPy
refuses one it does not know before the derivative code runs).
"""
import scipy.signal

from . import rule

_FULL = "np.pad(g, signal_pad(in1, in2, mode))"
rule(scipy.signal.convolve, args="in1, in2, mode='full', method='auto'", name="scipy.signal.convolve",
     in1=f"scipy.signal.convolve({_FULL}, np.flip(in2), 'valid', method)",
     in2=f"scipy.signal.convolve({_FULL}, np.flip(in1), 'valid', method)",
     jvp="scipy.signal.convolve(t_in1, in2, mode, method) + scipy.signal.convolve(in1, t_in2, mode, method)")
