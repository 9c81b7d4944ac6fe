"""SciPy's linear algebra: triangular, banded and Cholesky solves, Cholesky, matrix functions (2-D matrices).

As in `s2s.rules.decompositions`, a function that reads one triangle of its
input (solve_triangular, cholesky, cho_factor, cho_solve) is a function of
that triangle only: the cotangent lands in it, the other triangle gets zero.
Arguments that overwrite an input (``overwrite_a=True``) are refused.
"""
import scipy.linalg

from .. import runtime
from . import nondiff, rule
from .decompositions import _T


def linalg(name, **kwargs):
    """Register `scipy.linalg.<name>`, named so in errors and documentation."""
    rule(getattr(scipy.linalg, name), name="scipy.linalg." + name, **kwargs)


_KEEP_A = {"overwrite_a": (False,)}
_KEEP_B = {"overwrite_b": (False,)}
_COLUMNS = "np.reshape({}, (np.shape(b)[0], -1))".format   # a vector b as one column, a matrix as it is


def outer(u, v):
    """u vᵀ for u and v shaped like b: vectors (an outer product) or matrices."""
    return f"{_COLUMNS(u)} @ np.transpose({_COLUMNS(v)})"


# ---- op(A) x = b with A triangular (op: A, or Aᵀ for trans 1, 'T', 2, 'C'): b gets op(A)⁻ᵀ g, A -b̄ xᵀ
# (or -x b̄ᵀ), in the triangle that is read (without its diagonal for unit_diagonal) --------------------
_PLAIN = "trans in (0, 'N')"
_READ = "(np.tril({0}, -1 if unit_diagonal else 0) if lower else np.triu({0}, 1 if unit_diagonal else 0))".format
_BB = f"scipy.linalg.solve_triangular(a, g, 1 if {_PLAIN} else 0, lower, unit_diagonal)"
linalg("solve_triangular", args="a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, check_finite=True",
       only=_KEEP_B, b=_BB, a="-" + _READ(f"{outer(_BB, 'ans')} if {_PLAIN} else {outer('ans', _BB)}"),
       jvp="scipy.linalg.solve_triangular(a, t_b, trans, lower, unit_diagonal) - scipy.linalg.solve_triangular("
           f"a, ({_READ('t_a')} if {_PLAIN} else {_T(_READ('t_a'))}) @ ans, trans, lower, unit_diagonal)")


# ---- Cholesky: A = L Lᵀ (lower) or Uᵀ U (upper, the default, U = Lᵀ), reading that triangle of A.
# dL = L Φ(L⁻¹ dS L⁻ᵀ), Φ = the lower triangle with its diagonal halved; cotangent ½ L⁻ᵀ (tril(X) + tril(X, -1)ᵀ) L⁻¹
# with X = Lᵀ g, put back into the lower triangle (off-diagonal entries twice: they stand for two of S).
def _chol_vjp(L, G):
    X, inv = f"{_T(L)} @ {G}", f"np.linalg.inv({L})"
    return f"np.tril({_T(inv)} @ (np.tril({X}) + {_T(f'np.tril({X}, -1)')}) @ {inv}) * (1 - 0.5 * np.eye(np.shape(a)[-1], dtype=a.dtype))"


def _chol_jvp(L, S):
    Y = f"np.linalg.inv({L}) @ {S} @ {_T(f'np.linalg.inv({L})')}"
    return f"{L} @ (np.tril({Y}) - 0.5 * np.triu(np.tril({Y})))"


_SYM_L, _SYM_U = f"(np.tril(t_a) + {_T('np.tril(t_a, -1)')})", f"(np.triu(t_a) + {_T('np.triu(t_a, 1)')})"


def _cholesky(g, factor):
    """(vjp, jvp) of the factor `factor` (an expression) with cotangent `g` (its triangle only)."""
    return (f"{_chol_vjp(factor, f'np.tril({g})')} if lower else {_T(_chol_vjp(_T(factor), _T(f'np.triu({g})')))}",
            f"{_chol_jvp(factor, _SYM_L)} if lower else {_T(_chol_jvp(_T(factor), _SYM_U))}")


_CHOL = _cholesky("g", "ans")
linalg("cholesky", args="a, lower=False, overwrite_a=False, check_finite=True", only=_KEEP_A, a=_CHOL[0], jvp=_CHOL[1])
# cho_factor returns (c, lower): c holds the factor in one triangle and, before SciPy 1.18, A's own entries
# in the other (zeros since).
_CF = _cholesky("g[0]", "(np.tril(ans[0]) if lower else np.triu(ans[0]))")
_OTHER = "(np.triu({0}, 1) if lower else np.tril({0}, -1))".format
nondiff(runtime.other_triangle_kept)
_KEPT = "other_triangle_kept(ans[0], a, lower)"   # SciPy 1.18 zeroes that triangle
linalg("cho_factor", args="a, lower=False, overwrite_a=False, check_finite=True", only=_KEEP_A,
       a=f"({_CF[0]}) + {_OTHER('g[0]')} * {_KEPT}", jvp=f"(({_CF[1]}) + {_OTHER('t_a')} * {_KEPT}, False)")

# A x = b with A = F Fᵀ (lower) or Fᵀ F (upper), F the factor triangle of c: b gets b̄ = A⁻¹ g, A gets
# -b̄ xᵀ, and F gets (Ā + Āᵀ) F (lower) or F (Ā + Āᵀ) (upper), in its triangle.
_C, _LOW = "c_and_lower[0]", "c_and_lower[1]"
_F = f"(np.tril({_C}) if {_LOW} else np.triu({_C}))"
_BC = "scipy.linalg.cho_solve(c_and_lower, g)"
_SYM = f"(-{outer(_BC, 'ans')} - {outer('ans', _BC)})"   # Ā + Āᵀ
_DF = f"(np.tril(t_c_and_lower[0]) if {_LOW} else np.triu(t_c_and_lower[0]))"
linalg("cho_solve", args="c_and_lower, b, overwrite_b=False, check_finite=True", only=_KEEP_B, b=_BC,
       c_and_lower=f"(np.tril({_SYM} @ {_F}) if {_LOW} else np.triu({_F} @ {_SYM}), False)",
       jvp="scipy.linalg.cho_solve(c_and_lower, t_b) - scipy.linalg.cho_solve(c_and_lower, "
           f"({_DF} @ {_T(_F)} + {_F} @ {_T(_DF)} if {_LOW} else {_T(_DF)} @ {_F} + {_T(_F)} @ {_DF}) @ ans)")

# ---- general solve, inverse and determinant: as NumPy's (s2s.rules.decompositions). assume_a None lets
# SciPy pick a solver from A's structure; the result is A⁻¹ b all the same.
_GENERAL = {"assume_a": (None, "gen", "general"), "transposed": (False,), **_KEEP_A, **_KEEP_B}
linalg("solve", args="a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True, assume_a=None, "
       "transposed=False", only=_GENERAL,
       a=f"-matmul_grad_a(np.linalg.solve({_T('a')}, g), a, ans)", b=f"unbroadcast(np.linalg.solve({_T('a')}, g), b)",
       jvp="np.linalg.solve(a, t_b) - np.linalg.solve(a, t_a @ ans)")
linalg("inv", args="a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False",
       only={"assume_a": (None, "gen", "general"), **_KEEP_A}, a=f"-{_T('ans')} @ g @ {_T('ans')}",
       jvp="-(ans @ t_a @ ans)")
linalg("det", args="a, overwrite_a=False, check_finite=True", only=_KEEP_A,
       a=f"np.reshape(g * ans, np.shape(ans) + (1, 1)) * np.linalg.inv({_T('a')})",
       jvp="ans * np.trace(np.linalg.solve(a, t_a), axis1=-2, axis2=-1)")

# ---- matrix functions. expm: the upper right block of expm([[A, E], [0, A]]) is Dexpm(A)[E]; the cotangent
# is Dexpm(Aᵀ)[g]. sqrtm: X² = A, so X dX + dX X = dA, a Sylvester equation (whose rule is below).
_BLOCK = "np.concatenate([np.concatenate([{0}, {1}], -1), np.concatenate([np.zeros_like({0}), {0}], -1)], -2)".format
_UPPER_RIGHT = "{}[..., :np.shape(A)[-1], np.shape(A)[-1]:]".format
linalg("expm", args="A", A=_UPPER_RIGHT(f"scipy.linalg.expm({_BLOCK(_T('A'), 'g')})"),
       jvp=_UPPER_RIGHT(f"scipy.linalg.expm({_BLOCK('A', 't_A')})"))
# A real matrix with a negative eigenvalue has a complex root, which `real_root` refuses when run.
rule(runtime.real_root, args="x", elementwise=False, x="g", jvp="t_x")
linalg("sqrtm", args="A", A=f"scipy.linalg.solve_sylvester({_T('real_root(ans)')}, {_T('real_root(ans)')}, g)",
       jvp="scipy.linalg.solve_sylvester(real_root(ans), real_root(ans), t_A)")
# A X + X B = Q:  Q gets Q̄ = the solution of Aᵀ Y + Y Bᵀ = g;  A gets -Q̄ Xᵀ, B gets -Xᵀ Q̄.
_QB = f"scipy.linalg.solve_sylvester({_T('a')}, {_T('b')}, g)"
linalg("solve_sylvester", args="a, b, q", q=_QB, a=f"-{_QB} @ {_T('ans')}", b=f"-{_T('ans')} @ {_QB}",
       jvp="scipy.linalg.solve_sylvester(a, b, t_q) - scipy.linalg.solve_sylvester(a, b, t_a @ ans) "
           "- scipy.linalg.solve_sylvester(a, b, ans @ t_b)")

# ---- banded A x = b, A held in solve_banded's layout ab (`band_matrix` reads A from it, `band_of` writes a
# matrix into it: each other's adjoint). b gets b̄ = A⁻ᵀ g, a banded solve with Aᵀ (its lower and upper
# bandwidths swapped); ab gets the band of -b̄ xᵀ.
rule(runtime.band_matrix, args="ab, l_and_u", ab="band_of(g, l_and_u)", jvp="band_matrix(t_ab, l_and_u)")
rule(runtime.band_of, args="a, l_and_u", a="band_matrix(g, l_and_u)", jvp="band_of(t_a, l_and_u)")
_BAND = "pass the numbers of lower and upper diagonals as constants"
_BBAND = ("scipy.linalg.solve_banded(l_and_u[::-1], band_of(np.transpose(band_matrix(ab, l_and_u)), l_and_u[::-1]), "
          "g)")
linalg("solve_banded", args="l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True",
       only={"overwrite_ab": (False,), **_KEEP_B}, constant={"l_and_u": _BAND},
       b=_BBAND, ab=f"-band_of({outer(_BBAND, 'ans')}, l_and_u)",
       jvp="scipy.linalg.solve_banded(l_and_u, ab, t_b) "
           "- scipy.linalg.solve_banded(l_and_u, ab, band_matrix(t_ab, l_and_u) @ ans)")
