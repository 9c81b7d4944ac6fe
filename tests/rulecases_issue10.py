"""Rule cases for the NumPy functions of issue 10 (autograd's test suite): remainder, gradient, rollaxis,
svd, eig, partition, complex parts of real input, splits, select, nan_to_num, matrix norms, cross with
axes, products with a Python float, reductions of lists, interp, trapezoid, diff with prepend/append, pad
modes, power and cumprod at zeros; conventions in rulecases.py. `SECOND_ORDER` names the case functions
whose Hessian-vector products test_rules.py also checks, forward over reverse (hvp), and for those in
`REVERSE_TWICE` also reverse over reverse (vjp of grad): generating both for every function would
cost the default run a few seconds more."""
import numpy as np  # noqa: F401

from s2s import runtime as rt
from rulecases import (ANY, NONZERO, POS, Domain, _rng, _shape_id, add, draw_pair, mod_smooth,  # noqa: F401
                       same_draws_on_every_numpy)


def _tag(*parts, **named):
    shown = [_shape_id(p) if isinstance(p, tuple) and all(isinstance(n, int) for n in p) else str(p) for p in parts]
    shown += [f"{k}={v}" for k, v in named.items()]
    return ",".join(shown).replace(" ", "")


# ---------------------------------------------------------------------------------------------
# Second order: Hessian-vector products against mixed second differences of the function itself
# ---------------------------------------------------------------------------------------------

SECOND_ORDER: list = []   # case functions whose second derivatives are checked too
REVERSE_TWICE: list = []  # ... also in reverse over reverse


def second(*fns, reverse_twice=False):
    SECOND_ORDER.extend(fns)
    if reverse_twice:
        REVERSE_TWICE.extend(fns)


def mixed_second_differences(f, args, wrt, vs, h=2e-4):
    """d/dx_i <grad f, v> for every entry of every argument in `wrt`: central mixed second differences of
    `f` along the direction `vs` (one per argument in `wrt`) and each coordinate, at steps h and h / 2
    combined (Richardson) to cancel the h² error."""
    coarse = _mixed_differences(f, args, wrt, vs, h)
    fine = _mixed_differences(f, args, wrt, vs, h / 2)
    return [(4 * b - a) / 3 for a, b in zip(coarse, fine)]


def _mixed_differences(f, args, wrt, vs, h):
    scale = max([1.0] + [float(np.max(np.abs(args[i]))) for i in wrt])
    h = h * scale

    def at(sv, i, idx, se):
        moved = list(args)
        for j, v in zip(wrt, vs):
            moved[j] = args[j] + sv * h * v
        if isinstance(args[i], float):
            moved[i] = moved[i] + se * h
        else:
            moved[i] = np.array(moved[i], dtype=float)
            moved[i][idx] += se * h
        return f(*moved)

    out = []
    for i in wrt:
        hv = np.zeros(np.shape(args[i]))
        for idx in np.ndindex(np.shape(args[i])):
            hv[idx] = (at(1, i, idx, 1) - at(1, i, idx, -1) - at(-1, i, idx, 1) + at(-1, i, idx, -1)) / (4 * h * h)
        out.append(float(hv) if isinstance(args[i], float) else hv)
    return out


def second_order_params():
    """The cases of the functions in `SECOND_ORDER`, as pytest parameters."""
    from rulecases import CASES
    return [c.param() for c in CASES if c.fn in SECOND_ORDER]


def check_second(case):
    """Problems of s2s's Hessian-vector products (hvp: forward over reverse; vjp of grad: reverse over
    reverse) against mixed second differences; [] if none."""
    import s2s
    vs = tuple(v * 0.5 for v in __import__("rulecases").directions(case))
    expected = mixed_second_differences(case.fn, case.args, case.wrt, vs)
    wrt = case.wrt if len(case.wrt) > 1 else case.wrt[0]
    direction = vs if len(case.wrt) > 1 else vs[0]
    results = [("hvp", s2s.hvp(case.fn, wrt=wrt)(*case.args, direction))]
    if case.fn in REVERSE_TWICE:
        results.append(("vjp of grad", s2s.vjp(s2s.grad(case.fn, wrt=wrt), wrt=wrt)(*case.args, direction)))
    problems = []
    for name, got in results:
        got = got if len(case.wrt) > 1 else (got,)
        for g, e, i in zip(got, expected, case.wrt):
            if np.shape(g) != np.shape(e) or not np.allclose(g, e, rtol=1e-5, atol=1e-6):
                problems.append(f"{name}, argument {i}:\n  s2s:                {np.asarray(g)!r}\n"
                                f"  second differences: {np.asarray(e)!r}")
    return problems


# ---- remainder, mod, fmod as functions ---------------------------------------------------------------------

def np_remainder(x, y, w): return np.sum(np.remainder(x, y) * w)
def np_mod(x, y, w): return np.sum(np.mod(x, y) * w)
def np_fmod(x, y, w): return np.sum(np.fmod(x, y) * w)


for _fn in (np_remainder, np_mod, np_fmod):
    for _shapes in [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), ())]:
        add(_fn, *draw_pair(_shapes, Domain(-4.0, 4.0), NONZERO, mod_smooth))

second(np_remainder, np_fmod)


# ---- rollaxis: a permutation of the axes -------------------------------------------------------------------

def np_rollaxis(x, axis, start, w): return np.sum(np.rollaxis(x, axis, start) * w)


for _axis, _start in [(2, 0), (0, 3), (1, 3), (-1, 1), (0, -1), (1, 1), (2, 2)]:
    add(np_rollaxis, ANY.draw((2, 3, 4)), _axis, _start, wrt=(0,), tag=_tag(axis=_axis, start=_start))


# ---- partition, sort ------------------------------------------------------------------------------------------

def np_partition(x, kth, axis, w): return np.sum(np.partition(x, kth, axis) * w)
def np_sort_none(x, w): return np.sum(np.sort(x, axis=None) * w)


for _shape, _kth, _axis in [((6,), 2, -1), ((6,), (1, 4), 0), ((3, 5), 2, 1), ((4, 3), 1, 0), ((3, 4), 0, None)]:
    add(np_partition, np.reshape(_rng.permutation(np.prod(_shape)), _shape) * 0.3 + ANY.draw(_shape) * 0.1,
        _kth, _axis, wrt=(0,), tag=_tag(_shape, kth=_kth, axis=_axis))
add(np_sort_none, np.reshape(_rng.permutation(6), (2, 3)) * 0.5 + ANY.draw((2, 3)) * 0.1)
second(np_partition)


# ---- parts of complex numbers, of real input ---------------------------------------------------------------

def np_real_if_close(x, w): return np.sum(np.real_if_close(x) * x * w)
def np_imag(x, w): return np.sum((np.imag(x) + x) * x * w)
def np_angle(x, w): return np.sum((np.angle(x) + x) * x * w)
def np_real_x(x, w): return np.sum(np.real(x * x) * w)
def np_array_elements_and_numbers(x, w): return np.sum(np.array([x[0], 2.0 * x[1], 3.0]) * x * w)
def np_array_arrays_and_numbers(x, y, w): return np.sum(np.array([x, 2.0 * y, np.ones(3)]) * w)


for _fn in (np_real_if_close, np_imag, np_angle, np_real_x):
    add(_fn, NONZERO.draw((2, 3)))
    add(_fn, NONZERO.draw(()))
add(np_array_elements_and_numbers, ANY.draw((3,)))
add(np_array_arrays_and_numbers, ANY.draw((3,)), ANY.draw((3,)))


# ---- splits ------------------------------------------------------------------------------------------------------

def np_vsplit(x, w): return np.sum(np.vsplit(x, 2)[1] * w)
def np_hsplit(x, w):
    a, b, c = np.hsplit(x, [1, 2])
    return np.sum(a * c * w)
def np_dsplit(x, w): return np.sum(np.dsplit(x, 2)[0] * w)
def np_array_split(x, w): return np.sum(np.array_split(x, 3)[2] * w)


add(np_vsplit, ANY.draw((4, 3)))
add(np_hsplit, ANY.draw((2, 4)))
add(np_hsplit, ANY.draw((4,)))
add(np_dsplit, ANY.draw((2, 2, 4)))
add(np_array_split, ANY.draw((7,)))
second(np_hsplit)


# ---- select, nan_to_num ------------------------------------------------------------------------------------------

def np_select(x, y, w): return np.sum(np.select([x > 0.5, x < -0.5], [x * y, y], 2.0) * w)
def np_select_default(x, y, w): return np.sum(np.select([x > 0], [x * x], default=y) * w)


for _sx, _sy in [((6,), (6,)), ((2, 3), (3,)), ((2, 3), ())]:
    add(np_select, ANY.draw(_sx), ANY.draw(_sy))
    add(np_select_default, ANY.draw(_sx), ANY.draw(_sy))
second(np_select, reverse_twice=True)


def np_nan_to_num(x, w): return np.sum(np.sin(np.nan_to_num(x + np.array([0.0, np.nan, np.inf, -np.inf]))) * w)
def np_nan_to_num_values(x, w): return np.sum(np.nan_to_num(x * x, nan=1.0, posinf=2.0) * w)


add(np_nan_to_num, ANY.draw((4,)))
add(np_nan_to_num_values, ANY.draw((2, 3)))
second(np_nan_to_num)


# ---- row_stack, cross with axes --------------------------------------------------------------------------------

def np_row_stack(x, y, w): return np.sum(np.row_stack([x, y]) * w)
def np_cross_axes(x, y, axisa, axisb, axisc, w): return np.sum(np.cross(x, y, axisa, axisb, axisc) * w)
def np_cross_axis(x, y, w): return np.sum(np.cross(x, y, axis=0) * w)


with same_draws_on_every_numpy():
    if hasattr(np, "row_stack"):   # removed in NumPy 2.4
        add(np_row_stack, ANY.draw((3,)), ANY.draw((2, 3)))
for _sx, _sy, _axes in [((3, 2), (2, 3), (0, 1, -1)), ((2, 3), (3,), (-1, 0, 0)), ((4, 3, 2), (3, 2), (1, 0, 1))]:
    add(np_cross_axes, ANY.draw(_sx), ANY.draw(_sy), *_axes, wrt=(0, 1), tag=_tag(_sx, _sy, axes=_axes))
add(np_cross_axis, ANY.draw((3, 2)), ANY.draw((3, 2)))
second(np_cross_axes)


# ---- products with a Python float ------------------------------------------------------------------------------

def np_kron_float(x, y, w): return np.sum(np.kron(x, y) * w)
def np_tensordot_float(x, y, w): return np.sum(np.tensordot(x, y, 0) * w)
def np_inner_float(x, y, w): return np.sum(np.inner(x, y) * w)
def np_outer_float(x, y, w): return np.sum(np.outer(x, y) * w)
def np_dot_float(x, y, w): return np.sum(np.dot(x, y) * w)


for _fn in (np_kron_float, np_tensordot_float, np_inner_float, np_outer_float, np_dot_float):
    add(_fn, ANY.draw(()), ANY.draw((2, 3)), tag="float,2x3")
    add(_fn, ANY.draw((3,)), ANY.draw(()), tag="3,float")
    add(_fn, ANY.draw(()), ANY.draw(()), tag="float,float")
second(np_kron_float)


def np_kron_ranks(x, y, w): return np.sum(np.kron(x, y) ** 2 * w)   # operands of different ranks (autograd's test_kron)


for _sx, _sy in [((2, 2), (3,)), ((3,), (2, 2)), ((2, 1), (3,)), ((), (2, 2))]:
    add(np_kron_ranks, ANY.draw(_sx), ANY.draw(_sy))
second(np_kron_ranks, reverse_twice=True)


# ---- reductions of a Python list of arrays (and numbers) ------------------------------------------------------

def np_mean_list(x, y, w): return np.sum(np.mean([x, y * y, x * y], axis=0) * w)
def np_std_list(x, y, w): return np.std([x, y, x * y]) * w
def np_var_list(x, y, w): return np.sum(np.var([x, y * 2.0], axis=1) * w)
def np_norm_list(x, y, w): return np.linalg.norm([x, y]) * w
def np_sum_list(x, w): return np.sum([1.0, x * x, 2.0]) * w
def np_prod_list(x, y, w): return np.sum(np.prod([x, y, x + y], axis=0) * w)
def np_array_mixed(x, y, w): return np.sum(np.array([x, 2.0 * y, 3.0]) * w)
def np_sum_list_ints(x, y, w): return np.sum([1, x * y, 2]) * w


add(np_mean_list, ANY.draw((3,)), ANY.draw((3,)))
add(np_std_list, ANY.draw((2, 2)), ANY.draw((2, 2)))
add(np_var_list, ANY.draw((3,)), ANY.draw((3,)))
add(np_norm_list, ANY.draw((3,)), ANY.draw((3,)))
add(np_norm_list, ANY.draw(()), ANY.draw(()))
add(np_sum_list, ANY.draw(()))
add(np_prod_list, NONZERO.draw((3,)), NONZERO.draw((3,)))
add(np_array_mixed, ANY.draw(()), ANY.draw(()))
add(np_sum_list_ints, ANY.draw(()), ANY.draw(()))
second(np_mean_list, np_prod_list)


# ---- gradient: linear in f, along one or several axes, with spacing scalars or coordinates -----------------

def np_gradient(x, w): return np.sum(np.gradient(x) * w)
def np_gradient_spacing(x, w): return np.sum(np.gradient(x, 0.5, edge_order=2) * w)
def np_gradient_coordinates(x, w): return np.sum(np.gradient(x, np.array([0.0, 0.3, 1.0, 1.2, 2.0])) * w)
def np_gradient_axis(x, axis, edge_order, w): return np.sum(np.gradient(x, axis=axis, edge_order=edge_order) * w)
def np_gradient_all(x, w):
    gy, gx = np.gradient(x, 2.0, 0.5)
    return np.sum(gy * w) + np.sum(gx * gx * w)
def np_gradient_axes(x, w):
    a, b = np.gradient(x, 0.5, axis=(0, -1), edge_order=2)
    return np.sum((a + b * b) * w)
def np_gradient_squared(x, w): return np.sum(np.gradient(x * x, 0.7, axis=0) * w)
def rt_ungradient(c, f, w): return np.sum(rt.ungradient(c, f, (0.5,), None, 2) * w)
def rt_ungradient_axes(c, d, w): return np.sum(rt.ungradient([c, d.T], c, (), None, 1) * w)
def rt_regradient(c, w):
    a, b = rt.regradient(c, (2.0, np.array([0.0, 0.5, 1.5])), None, 2)
    return np.sum((a * a + b) * w)


add(np_gradient, ANY.draw((5,)))
add(np_gradient_spacing, ANY.draw((5,)))
add(np_gradient_coordinates, ANY.draw((5,)))
for _shape, _axis, _edge in [((4, 3), 0, 1), ((4, 3), -1, 2), ((3, 4, 3), 1, 1), ((3, 3, 4), -1, 2)]:
    add(np_gradient_axis, ANY.draw(_shape), _axis, _edge, wrt=(0,), tag=_tag(_shape, axis=_axis, edge=_edge))
add(np_gradient_all, ANY.draw((3, 4)))
add(np_gradient_axes, ANY.draw((3, 2, 4)))
add(rt_ungradient, ANY.draw((5,)), ANY.draw((5,)), wrt=(0,))
add(rt_ungradient_axes, ANY.draw((2, 3)), ANY.draw((3, 2)), wrt=(0, 1))
add(rt_regradient, ANY.draw((3, 3)))
add(np_gradient_squared, ANY.draw((4, 2)))
second(np_gradient_all, rt_ungradient, rt_regradient)


# ---- interp, trapezoid -------------------------------------------------------------------------------------------

_XP = np.array([-1.5, -0.4, 0.3, 1.1, 2.0])


def np_interp(x, fp, w): return np.sum(np.interp(x, _XP, fp) * w)
def np_interp_ends(x, fp, left, right, w): return np.sum(np.interp(x, _XP, fp, left, right) * w)
def np_interp_squared(x, fp, w): return np.sum(np.interp(x * x, _XP, fp * fp) * w)
def rt_uninterp(c, x, w): return np.sum(rt.uninterp(c, x, _XP) * w)
def rt_uninterp_ends(c, x, w): return np.sum(rt.uninterp(c * c, x, _XP, 1.0, 2.0) * w)


def _between_knots(shape):
    x = Domain(-2.0, 2.5).draw(shape)
    while np.min(np.abs(np.subtract.outer(x, _XP))) < 0.05:
        x = Domain(-2.0, 2.5).draw(shape)
    return x


add(np_interp, _between_knots((6,)), ANY.draw((5,)))
add(np_interp, _between_knots(()), ANY.draw((5,)))
add(np_interp, _between_knots((2, 3)), ANY.draw((5,)))
add(np_interp_ends, _between_knots((6,)), ANY.draw((5,)), ANY.draw(()), ANY.draw(()))
add(np_interp_squared, _between_knots((4,)) / 1.5, ANY.draw((5,)))
add(rt_uninterp, ANY.draw((6,)), _between_knots((6,)), wrt=(0, 1))
add(rt_uninterp_ends, ANY.draw((2, 3)), _between_knots((2, 3)), wrt=(0, 1))
second(np_interp_squared, rt_uninterp_ends)


def np_trapezoid(y, w): return np.trapezoid(y) * w
def np_trapezoid_x(y, x, w): return np.sum(np.trapezoid(y, x, axis=0) * w)
def np_trapezoid_dx(y, dx, w): return np.sum(np.trapezoid(y, dx=dx) * w)
def np_trapezoid_x_nd(y, x, w): return np.sum(np.trapezoid(y * y, x) * w)
def rt_along(x, y, w): return np.sum(rt.along(x * x, y, 0) * y * w)


if hasattr(np, "trapezoid"):   # NumPy 2.0 and later
    add(np_trapezoid, ANY.draw((5,)))
    add(np_trapezoid_x, ANY.draw((4, 2)), np.cumsum(POS.draw((4,))))
    add(np_trapezoid_x, ANY.draw((4,)), np.cumsum(POS.draw((4,))))
    add(np_trapezoid_dx, ANY.draw((2, 4)), POS.draw(()))
    add(np_trapezoid_x_nd, ANY.draw((2, 4)), np.cumsum(POS.draw((2, 4)), axis=1))
    add(rt_along, ANY.draw((3,)), ANY.draw((3, 2)), wrt=(0,))
    second(np_trapezoid_dx, np_trapezoid_x_nd, rt_along)


def np_trapz(y, x, w): return np.sum(np.trapz(y, x) * w)


with same_draws_on_every_numpy():
    if hasattr(np, "trapz"):   # removed in NumPy 2.4
        add(np_trapz, ANY.draw((2, 4)), np.cumsum(POS.draw((4,))))


# ---- diff with prepend / append -----------------------------------------------------------------------------

def np_diff_ends(x, p, a, w): return np.sum(np.diff(x, 1, 0, p, a) * w)
def rt_with_ends(x, p, a, w): return np.sum(rt.with_ends(x, p, a, 0) * w)
def np_diff_prepend(x, w): return np.sum(np.diff(x, n=2, prepend=0.5) * w)
def np_diff_append(x, y, w): return np.sum(np.diff(x, axis=-1, append=y) * w)


add(np_diff_ends, ANY.draw((4, 2)), ANY.draw((1, 2)), ANY.draw(()))
add(rt_with_ends, ANY.draw((3, 2)), ANY.draw(()), ANY.draw((2, 2)))
add(np_diff_ends, ANY.draw((3,)), ANY.draw(()), ANY.draw((2,)))
add(np_diff_prepend, ANY.draw((2, 4)))
add(np_diff_append, ANY.draw((2, 3)), ANY.draw((2, 2)))
second(np_diff_ends, reverse_twice=True)



# ---- svd, eig ------------------------------------------------------------------------------------------------

def np_svd(x, w): return np.sum(np.linalg.svd(x, full_matrices=False)[1] * w)
def np_svd_u(x, w):
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    return np.sum(u * u[..., :1] * w)   # u's sign is fixed by NumPy, column by column: u * u[:, :1] is not
def np_svd_all(x, w):
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    return np.sum((u * s[..., None, :]) @ (vt * vt[..., :1, :]) * w)
def np_svd_values(x, w): return np.sum(np.linalg.svd(x, compute_uv=False) * w)
def np_svd_square(x, w):
    u, s, vt = np.linalg.svd(x)
    return np.sum((u * u[..., :1]) @ (vt * s[..., :, None]) * w)


def _separated(shape):
    """A matrix (or stack) with singular values well apart and away from zero."""
    m, n = shape[-2:]
    k = min(m, n)
    q1 = np.linalg.qr(_rng.standard_normal(shape[:-2] + (m, m)))[0][..., :k]
    q2 = np.linalg.qr(_rng.standard_normal(shape[:-2] + (n, n)))[0][..., :k]
    return (q1 * np.linspace(1.0, 2.5, k)) @ np.swapaxes(q2, -1, -2)


for _shape in [(3, 3), (4, 2), (2, 4), (2, 3, 2)]:
    add(np_svd, _separated(_shape))
    add(np_svd_u, _separated(_shape))
    add(np_svd_all, _separated(_shape))
    add(np_svd_values, _separated(_shape))
add(np_svd_square, _separated((3, 3)))
second(np_svd_values)
second(np_svd_all, reverse_twice=True)


def np_eig(x, w):
    e, v = np.linalg.eig(x)
    return np.sum((e[..., None, :] + v * v[..., :1, :]) * w)  # each column's sign is NumPy's
def np_eigvals(x, w): return np.sum(np.linalg.eigvals(x) * w)


def _real_eigen(shape):
    """A matrix with real eigenvalues well apart: V diag(1, 2, ...) V⁻¹."""
    n = shape[-1]
    v = 0.2 * np.clip(_rng.standard_normal(shape), -2.0, 2.0) + np.eye(n)   # entries of v - I at most 0.4: well conditioned
    return (v * np.arange(1.0, n + 1.0)) @ np.linalg.inv(v)


for _shape in [(3, 3), (2, 3, 3)]:
    add(np_eig, _real_eigen(_shape))
    add(np_eigvals, _real_eigen(_shape))
second(np_eig, reverse_twice=True)


# ---- matrix norms ------------------------------------------------------------------------------------------------

def np_norm_matrix(x, ord, w): return np.linalg.norm(x, ord) * w
def np_norm_matrix_axes(x, ord, axis, keepdims, w): return np.sum(np.linalg.norm(x, ord, axis, keepdims) * w)


def _clear_norms(shape):
    """Rows and columns with absolute sums well apart, singular values well apart."""
    x = _separated(shape)
    return x + np.reshape(np.arange(np.prod(shape)), shape) * 0.35


for _ord in ["nuc", "fro", 2, -2, 1, -1, np.inf, -np.inf]:
    add(np_norm_matrix, _clear_norms((3, 4)), _ord, wrt=(0,), tag=_tag((3, 4), ord=_ord))
    add(np_norm_matrix_axes, _clear_norms((2, 3, 4)), _ord, (2, 0), False, wrt=(0,),
        tag=_tag((2, 3, 4), ord=_ord, axis=(2, 0)))
    add(np_norm_matrix_axes, _clear_norms((3, 2, 4)), _ord, (-2, -1), True, wrt=(0,),
        tag=_tag((3, 2, 4), ord=_ord, axis=(-2, -1), keepdims=True))
second(np_norm_matrix)


# ---- pad modes ----------------------------------------------------------------------------------------------------

def np_pad_edge(x, w): return np.sum(np.pad(x, ((1, 2), (2, 1)), "edge") * w)
def np_pad_reflect(x, w): return np.sum(np.pad(x, ((1, 2), (2, 1)), "reflect") * w)
def np_pad_symmetric(x, w): return np.sum(np.pad(x, ((1, 2), (2, 1)), mode="symmetric") * w)
def np_pad_wrap(x, w): return np.sum(np.pad(x, ((1, 2), (2, 1)), "wrap") * w)
def np_pad_wide(x, w):   # wider than the array: reflections of reflections
    return np.sum((np.pad(x, 4, "reflect") + np.pad(x, 4, "symmetric") * np.pad(x, 5, "wrap")[1:-1]) * w)
def np_pad_squared(x, w): return np.sum(np.pad(x * x, (2, 1), "edge") ** 2 * w)
def np_pad_constant_values(x, c, w): return np.sum(np.pad(x, (2, 1), constant_values=c) * w)
def np_pad_constant_pairs(x, w): return np.sum(np.pad(x, 1, "constant", constant_values=((1.0, 2.0), (3.0, 4.0))) * w)


for _fn in (np_pad_edge, np_pad_reflect, np_pad_symmetric, np_pad_wrap):
    add(_fn, ANY.draw((3, 4)))
add(np_pad_wide, ANY.draw((3,)))
add(np_pad_squared, ANY.draw((2, 3)))
add(np_pad_constant_values, ANY.draw((3,)), ANY.draw(()))
add(np_pad_constant_pairs, ANY.draw((2, 3)))
second(np_pad_squared)


# ---- power in the exponent (second order), cumprod at zeros, sum with a dtype ----------------------------------

def np_power_exponent(x, y, w): return np.sum(np.power(x, y) * w)
def op_pow_exponent(x, y, w): return np.sum(x ** (y * y) * w)
def np_cumprod_zeros(x, w): return np.sum(np.cumprod(x) * w)
def np_cumprod_zeros_axis(x, w): return np.sum(np.cumprod(x, axis=1) * w)
def np_sum_dtype(x, w): return np.sum(x * x, dtype=np.float64) * w
def np_sum_dtype_axis(x, w): return np.sum(np.sum(x * x, axis=0, dtype=float) * w)


add(np_power_exponent, POS.draw((3,)), ANY.draw((3,)))
add(np_power_exponent, np.array([0.0, 1.3, 0.0]), np.array([2.5, 0.7, 3.0]), wrt=(1,), tag="3,3,at-zero")
add(op_pow_exponent, POS.draw((2, 3)), ANY.draw((3,)))
add(np_cumprod_zeros, np.array([0.7, 0.0, 1.3, -0.4]), tag="4,one-zero")
add(np_cumprod_zeros, np.array([0.0, 1.1, 0.0, -0.4, 0.9]), tag="5,two-zeros")
add(np_cumprod_zeros_axis, np.array([[0.5, 0.0, 1.2], [0.0, 0.0, 2.0]]), tag="2x3,zeros")
add(np_sum_dtype, ANY.draw((2, 3)))
add(np_sum_dtype_axis, ANY.draw((2, 3)))
second(np_power_exponent, np_cumprod_zeros, reverse_twice=True)


# ---- np.c_'s pieces: a number or a vector as a column (issue 10, numpy2) ----------------------------------
def rt_column(x, w): return np.sum(rt.column(x) * w)


for _shape in [(), (3,), (2, 3)]:
    add(rt_column, ANY.draw(_shape))
