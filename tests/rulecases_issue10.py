"""Rule cases for the NumPy functions of issue 10 (autograd's test suite): remainder, gradient, rollaxis,
svd, eig, partition, complex parts of real input, splits, select, nan_to_num, matrix norms, cross with
axes, products with a Python float, reductions of lists, interp, trapezoid, diff with prepend/append, pad
modes, power and cumprod at zeros; conventions in rulecases.py. `SECOND_ORDER` names the case functions
whose Hessian-vector products test_rules.py also checks (forward over reverse and reverse over reverse)."""
import numpy as np  # noqa: F401

from rulecases import ANY, NONZERO, POS, Domain, _rng, _shape_id, add, draw_pair, mod_smooth  # noqa: F401


def _tag(*parts, **named):
    shown = [_shape_id(p) if isinstance(p, tuple) and all(isinstance(n, int) for n in p) else str(p) for p in parts]
    shown += [f"{k}={v}" for k, v in named.items()]
    return ",".join(shown).replace(" ", "")


# ---------------------------------------------------------------------------------------------
# Second order: Hessian-vector products against mixed second differences of the function itself
# ---------------------------------------------------------------------------------------------

SECOND_ORDER: list = []   # case functions whose second derivatives are checked too


def second(*fns):
    SECOND_ORDER.extend(fns)


def mixed_second_differences(f, args, wrt, vs, h=1e-4):
    """d/dx_i <grad f, v> for every entry of every argument in `wrt`: central mixed second differences of
    `f` along the direction `vs` (one per argument in `wrt`) and each coordinate."""
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
    got_hvp = s2s.hvp(case.fn, wrt=wrt)(*case.args, vs if len(case.wrt) > 1 else vs[0])
    got_rr = s2s.vjp(s2s.grad(case.fn, wrt=wrt), wrt=wrt)(*case.args, vs if len(case.wrt) > 1 else vs[0])
    problems = []
    for name, got in (("hvp", got_hvp), ("vjp of grad", got_rr)):
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


for _fn in (np_real_if_close, np_imag, np_angle, np_real_x):
    add(_fn, NONZERO.draw((2, 3)))
    add(_fn, NONZERO.draw(()))


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
second(np_select)


def np_nan_to_num(x, w): return np.sum(np.sin(np.nan_to_num(x + np.array([0.0, np.nan, np.inf, -np.inf]))) * w)
def np_nan_to_num_values(x, w): return np.sum(np.nan_to_num(x * x, nan=1.0, posinf=2.0) * w)


add(np_nan_to_num, ANY.draw((4,)))
add(np_nan_to_num_values, ANY.draw((2, 3)))
second(np_nan_to_num)


# ---- row_stack, cross with axes --------------------------------------------------------------------------------

def np_row_stack(x, y, w): return np.sum(np.row_stack([x, y]) * w)
def np_cross_axes(x, y, axisa, axisb, axisc, w): return np.sum(np.cross(x, y, axisa, axisb, axisc) * w)
def np_cross_axis(x, y, w): return np.sum(np.cross(x, y, axis=0) * w)


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
second(np_kron_float, np_inner_float)


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
second(np_mean_list, np_std_list, np_prod_list)


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
second(np_pad_wide, np_pad_squared)


# ---- power in the exponent (second order), cumprod at zeros, sum with a dtype ----------------------------------

def np_power_exponent(x, y, w): return np.sum(np.power(x, y) * w)
def op_pow_exponent(x, y, w): return np.sum(x ** (y * y) * w)
def np_sum_dtype(x, w): return np.sum(x * x, dtype=np.float64) * w
def np_sum_dtype_axis(x, w): return np.sum(np.sum(x * x, axis=0, dtype=float) * w)


add(np_power_exponent, POS.draw((3,)), ANY.draw((3,)))
add(np_power_exponent, np.array([0.0, 1.3, 0.0]), np.array([2.5, 0.7, 3.0]), wrt=(1,), tag="3,3,at-zero")
add(op_pow_exponent, POS.draw((2, 3)), ANY.draw((3,)))
add(np_sum_dtype, ANY.draw((2, 3)))
add(np_sum_dtype_axis, ANY.draw((2, 3)))
second(np_power_exponent, op_pow_exponent)
