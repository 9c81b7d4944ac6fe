"""Matrix functions and decompositions: inverse, solve, determinants, Cholesky, eigh, svd, eig.

Batched matrices (the last two axes) work where NumPy batches. Cholesky, eigh
and eigvalsh read one triangle of their input (the lower one, or the upper one
for ``UPLO='U'``) and take the matrix to be symmetric: they are functions of
that triangle only. Their derivatives are those of the function NumPy
computes, for any perturbation of the input: the formulas below are for the
symmetric matrix S that is read, and the cotangent of S lands in the read
triangle (an off-diagonal entry stands for two entries of S, so it gets both
of their cotangents; the diagonal once), the other triangle gets zero.
"""
import numpy as np

from . import rule

_T = "np.swapaxes({}, -1, -2)".format  # transpose of a (stack of) matrices
_LOWER = "{} in ('L', 'l')".format


def _read(x, uplo="'L'"):
    """The symmetric matrix NumPy reads from `x` (a tangent): its `uplo` triangle, mirrored."""
    lower = f"(np.tril({x}) + {_T(f'np.tril({x}, -1)')})"
    return lower if uplo == "'L'" else f"({lower} if {_LOWER(uplo)} else np.triu({x}) + {_T(f'np.triu({x}, 1)')})"


def _unread(g, uplo="'L'"):
    """The adjoint of `_read` at a symmetric cotangent `g` of the matrix read: onto the read triangle,
    off the diagonal twice (the upper triangle of a symmetric g is the transposed lower one)."""
    lower = f"np.tril({g}) * (2 - np.eye(np.shape(a)[-1], dtype=a.dtype))"
    return lower if uplo == "'L'" else f"np.swapaxes({lower}, -1, -1 if {_LOWER(uplo)} else -2)"


rule(np.linalg.inv, args="a", a=f"-{_T('ans')} @ g @ {_T('ans')}", jvp="-(ans @ t_a @ ans)")
# x = a⁻¹ b (b a vector, or a stack of matrices): b gets a⁻ᵀ g, a gets -(a⁻ᵀ g) xᵀ.
rule(np.linalg.solve, args="a, b",
     a=f"-matmul_grad_a(np.linalg.solve({_T('a')}, g), a, ans)",
     b=f"unbroadcast(np.linalg.solve({_T('a')}, g), b)",
     jvp="np.linalg.solve(a, t_b) - np.linalg.solve(a, t_a @ ans)")
# d det = det tr(a⁻¹ da);  d log|det| = tr(a⁻¹ da).
rule(np.linalg.det, args="a",
     a=f"np.reshape(g * ans, np.shape(ans) + (1, 1)) * np.linalg.inv({_T('a')})",
     jvp="ans * np.trace(np.linalg.solve(a, t_a), axis1=-2, axis2=-1)")
rule(np.linalg.slogdet, args="a",
     a=f"np.reshape(g[1], np.shape(ans[1]) + (1, 1)) * np.linalg.inv({_T('a')})",
     jvp="(np.zeros_like(ans[0]), np.trace(np.linalg.solve(a, t_a), axis1=-2, axis2=-1))")

# a = L Lᵀ:  dL = L Φ(L⁻¹ da L⁻ᵀ), Φ = the lower triangle with the diagonal halved; the cotangent
# L⁻ᵀ Φ(Lᵀ g) L⁻¹, symmetrized: ½ L⁻ᵀ (tril(X) + tril(X, -1)ᵀ) L⁻¹ with X = Lᵀ g. (`lower_factor(ans)`
# is ans, checked to be the lower factor: dask's np.linalg.cholesky gives the upper one.)
_X = f"{_T('ans')} @ g"
_LI = "np.linalg.inv(lower_factor(ans))"
_Y = f"{_LI} @ {_read('t_a')} @ {_T(_LI)}"
rule(np.linalg.cholesky, args="a, *, upper=False", only={"upper": (False,)},
     a=_unread(f"0.5 * {_T(_LI)} @ (np.tril({_X}) + {_T(f'np.tril({_X}, -1)')}) @ {_LI}"),
     jvp=f"ans @ (np.tril({_Y}) - 0.5 * np.triu(np.tril({_Y})))")

# a = V diag(w) Vᵀ:  dw = diag(Vᵀ da V), dV = V (F ∘ Vᵀ da V) with F_ij = 1 / (w_j - w_i) off the
# diagonal and 0 on it (E / (E² + I) with E_ij = w_j - w_i); the cotangent is symmetrized.
_W, _V = "ans[0]", "ans[1]"
_E = f"({_W}[..., None, :] - {_W}[..., :, None])"
_F = f"({_E} / ({_E} * {_E} + np.eye(np.shape(a)[-1], dtype=a.dtype)))"
_VGV = f"{_T(_V)} @ g[1]"
_VAV = f"({_T(_V)} @ {_read('t_a', 'UPLO')} @ {_V})"
rule(np.linalg.eigh, args="a, UPLO='L'",
     a=_unread(f"{_V} @ (g[0][..., None] * np.eye(np.shape(a)[-1], dtype=a.dtype) + 0.5 * {_F} * ({_VGV} - {_T(_VGV)})) "
               f"@ {_T(_V)}", "UPLO"),
     jvp=f"(np.diagonal({_VAV}, axis1=-2, axis2=-1), {_V} @ ({_F} * {_VAV}))")
# eigvalsh: the eigenvalues of eigh, dw = diag(Vᵀ dS V) (V from eigh, which differentiates again).
_VS = "np.linalg.eigh(a, UPLO)[1]"
rule(np.linalg.eigvalsh, args="a, UPLO='L'",
     a=_unread(f"{_VS} @ (g[..., :, None] * {_T(_VS)})", "UPLO"),
     jvp=f"np.diagonal({_T(_VS)} @ {_read('t_a', 'UPLO')} @ {_VS}, axis1=-2, axis2=-1)")

# For a matrix function f given by a power series (or an inverse), f([[A, E], [0, A]]) = [[f(A), Df(A)[E]],
# [0, f(A)]]: the tangent is the upper right block, and the cotangent Df(Aᵀ)[g] likewise. Integer n of
# either sign; written with matrix_power itself, so it differentiates again.
_BLOCK = "np.concatenate([np.concatenate([{0}, {1}], -1), np.concatenate([np.zeros_like({0}), {0}], -1)], -2)".format
_UPPER_RIGHT = "{}[..., :np.shape(a)[-1], np.shape(a)[-1]:]".format
rule(np.linalg.matrix_power, args="a, n",
     a=_UPPER_RIGHT(f"np.linalg.matrix_power({_BLOCK(_T('a'), 'g')}, n)"),
     jvp=_UPPER_RIGHT(f"np.linalg.matrix_power({_BLOCK('a', 't_a')}, n)"))

# Full-rank a (m x n), X = a⁺:  dX = -X da X + X Xᵀ daᵀ (I - a X) + (I - X a) daᵀ Xᵀ X  (Golub and Pereyra).
_G, _X = _T("g"), _T("ans")
_DA = _T("t_a")
# hermitian=True reads one triangle (through eigh): refused.
rule(np.linalg.pinv, args="a, rcond=None, hermitian=False, *, rtol=None", only={"hermitian": (False,)},
     a=f"-{_X} @ g @ {_X} + ({_G} - a @ ans @ {_G}) @ ans @ {_X} + {_X} @ ans @ ({_G} - {_G} @ ans @ a)",
     jvp=f"-ans @ t_a @ ans + ans @ {_X} @ ({_DA} - {_DA} @ a @ ans) + ({_DA} - ans @ a @ {_DA}) @ {_X} @ ans")

# Singular values and vectors, a = U diag(s) Vᵀ (reduced; full_matrices=True only for square matrices:
# `svd_identity` raises otherwise). With dP = Uᵀ da V and F_ij = 1 / (s_j² - s_i²) off the diagonal:
# ds = diag(dP), dU = U (F ∘ (dP S + S dPᵀ)) + (I - U Uᵀ) da V S⁻¹, dV = V (F ∘ (S dP + dPᵀ S)) + (I - V Vᵀ) daᵀ U S⁻¹.
_I = "svd_identity(a, full_matrices, compute_uv)"
_U, _S, _VT, _V = "ans[0]", "ans[1]", "ans[2]", _T("ans[2]")
_SV_E = f"({_S}[..., None, :] ** 2 - {_S}[..., :, None] ** 2)"
_SV_F = f"((1.0 - {_I}) / ({_SV_E} + {_I}))"
_UGU, _VGV = f"({_T(_U)} @ g[0])", f"({_VT} @ {_T('g[2]')})"
_CORE = (f"{_SV_F} * ({_UGU} - {_T(_UGU)}) * {_S}[..., None, :] + {_I} * g[1][..., :, None] "
         f"+ {_S}[..., :, None] * ({_SV_F} * ({_VGV} - {_T(_VGV)}))")
_DP = f"({_T(_U)} @ t_a @ {_V})"
_REDUCED = "np.linalg.svd(a, full_matrices=False)"  # U and V for the singular values alone
_DU = f"{_U} @ ({_SV_F} * ({_DP} * {_S}[..., None, :] + {_S}[..., :, None] * {_T(_DP)})) + (t_a @ {_V} - {_U} @ {_DP}) / {_S}[..., None, :]"
_DV = (f"{_V} @ ({_SV_F} * ({_S}[..., :, None] * {_DP} + {_T(_DP)} * {_S}[..., None, :])) "
       f"+ ({_T('t_a')} @ {_U} - {_V} @ {_T(_DP)}) / {_S}[..., None, :]")
_V_REDUCED = _T(f"{_REDUCED}[2]")
rule(np.linalg.svd, args="a, full_matrices=True, compute_uv=True, hermitian=False", only={"hermitian": (False,)},
     a=f"{_U} @ ({_CORE}) @ {_VT} + ((g[0] - {_U} @ {_UGU}) / {_S}[..., None, :]) @ {_VT} "
       f"+ {_U} @ ((g[2] - (g[2] @ {_V}) @ {_VT}) / {_S}[..., :, None]) if compute_uv else "
       f"({_REDUCED}[0] * g[..., None, :]) @ {_REDUCED}[2]",
     jvp=f"({_DU}, np.diagonal({_DP}, axis1=-2, axis2=-1), {_T(_DV)}) "
         f"if compute_uv else np.sum({_REDUCED}[0] * (t_a @ {_V_REDUCED}), -2)")

# Eigenvalues and eigenvectors of a general matrix whose eigenvalues are real (`eig_identity` raises for
# complex ones), a = V diag(w) V⁻¹ with columns of unit norm. With C = V⁻¹ da V and F_ij = 1 / (w_j - w_i):
# dw = diag(C), dV = P(V (F ∘ C)), P removing from each column its component along that column of V.
_W, _VE = "ans[0]", "ans[1]"
_EI = f"eig_identity({_W})"
_EF = f"((1.0 - {_EI}) / ({_W}[..., None, :] - {_W}[..., :, None] + {_EI}))"
_C = f"(np.linalg.solve({_VE}, t_a @ {_VE}))"
_PROJ = "({0} - {1} * np.sum({1} * ({0}), -2, keepdims=True))".format
rule(np.linalg.eig, args="a",
     a=f"np.linalg.solve({_T(_VE)}, ({_EI} * g[0][..., None, :] + {_EF} * ({_T(_VE)} @ {_PROJ('g[1]', _VE)})) @ {_T(_VE)})",
     jvp=f"(np.diagonal({_C}, axis1=-2, axis2=-1), {_PROJ(f'{_VE} @ ({_EF} * {_C})', _VE)})")
_VA = "np.linalg.eig(a)[1]"
rule(np.linalg.eigvals, args="a",
     a=f"np.linalg.solve({_T(_VA)}, (eig_identity(ans) * g[..., None, :]) @ {_T(_VA)})",
     jvp=f"np.diagonal(eig_identity(ans) @ np.linalg.solve({_VA}, t_a @ {_VA}), axis1=-2, axis2=-1)")
