"""Runtime helpers for the rules of SciPy's banded solves, matrix square roots and n-dimensional convolution that
`s2s.runtime` exports (it imports them from here; `s2s.standalone` copies them as it copies
its own). Each depends on NumPy only; `band_matrix` and `band_of` are linear and each other's
adjoint, and `real_root` is the identity on what it lets through, with rules in `s2s.rules.scipy_linalg`.
"""
import numpy as np

from .runtime_sequences import ComplexValueError


def band_matrix(ab, l_and_u):
    """The n x n matrix `scipy.linalg.solve_banded(l_and_u, ab, b)` solves with: A[i, j] = ab[u + i - j, j]
    within the band, zero outside (the corners of `ab` outside the matrix are not read)."""
    lower, upper = l_and_u
    n = np.shape(ab)[-1]
    rows, cols = np.indices((n, n))
    inside = (rows - cols <= lower) & (cols - rows <= upper)
    return np.where(inside, np.asarray(ab)[np.clip(upper + rows - cols, 0, lower + upper), cols], 0.0)


def band_of(a, l_and_u):
    """The band of the matrix `a` in solve_banded's layout: ab[u + i - j, j] = a[i, j], zero in the
    corners of `ab` that lie outside the matrix. The adjoint of `band_matrix`."""
    lower, upper = l_and_u
    n = np.shape(a)[-1]
    rows, cols = np.indices((lower + upper + 1, n))
    i = rows - upper + cols
    inside = (i >= 0) & (i < n)
    return np.where(inside, np.asarray(a)[np.clip(i, 0, n - 1), cols], 0.0)


def real_root(x):
    """`x`, the result of `scipy.linalg.sqrtm`; raises ComplexValueError if it is complex, which s2s does not
    differentiate."""
    if np.iscomplexobj(x):
        raise ComplexValueError("scipy.linalg.sqrtm returned a complex square root here (the matrix has negative "
                         "eigenvalues): s2s differentiates real values only; differentiate the square root of a "
                         "matrix whose eigenvalues are positive (e.g. a covariance)")
    return x


def signal_pad(in1, in2, mode):
    """[(before, after)] per axis: the zeros around the output of `scipy.signal.convolve(in1, in2, mode)`
    that give the output of mode 'full' (shape in1 + in2 - 1). 'valid' keeps the middle (the
    smaller operand's size minus one off each end), 'same' in1's size, centred as SciPy centres it."""
    out = []
    for n, m in zip(np.shape(in1), np.shape(in2)):
        cut = {"full": 0, "valid": 2 * (min(n, m) - 1), "same": m - 1}[mode]
        before = {"full": 0, "valid": min(n, m) - 1, "same": (m - 1) // 2}[mode]
        out.append((before, cut - before))
    return out or 0   # 0-d operands: nothing to pad (np.pad takes no empty list)


def other_triangle_kept(c, a, lower):
    """1.0 if `scipy.linalg.cho_factor(a, lower)` left `a`'s own entries in the triangle of `c` that does
    not hold the factor (SciPy before 1.18), 0.0 if it zeroed them (SciPy 1.18): whether that triangle's
    cotangent flows back to `a`."""
    other = np.triu if lower else np.tril
    k = 1 if lower else -1
    return 1.0 if np.array_equal(other(c, k), other(a, k)) and np.any(other(a, k)) else 0.0
