"""Programs in the style of autograd's test suite that use the NumPy functions of issue 10 (item 5)
together: tests/test_data.py checks each in reverse mode, forward mode and second order
(ISSUE_10_NUMPY). The single functions, form by form, are in tests/rulecases_issue10.py."""
import numpy as np

_R = np.random.default_rng(1010)
_A = _R.standard_normal((4, 3))
_B = _R.standard_normal(4)
_XP = np.array([-1.0, -0.3, 0.4, 1.2])
_HOLES = np.array([0.0, np.nan, np.inf, -np.inf])


def n10_gradient_axes(x):   # autograd's test_gradient, with axes and spacing
    gy, gx = np.gradient(x, 0.5, axis=(0, 1), edge_order=2)
    return np.sum(gx ** 2) + np.sum(np.sin(gy))


def n10_nan_to_num(x):   # autograd's test_nan_to_num
    return np.sum(np.sin(np.nan_to_num(x + _HOLES)))


def n10_nuclear_least_squares(x):
    return np.sum((_A @ x - _B[:, None]) ** 2) + np.linalg.norm(x, "nuc") + np.linalg.norm(x, 2) ** 2


def n10_eig_of_perturbed_diagonal(x):
    w, v = np.linalg.eig(np.diag(np.array([1.0, 2.0, 3.0])) + 0.2 * x)
    return np.sum(w ** 3) + np.sum((v * v[:1]) ** 2)


def n10_interp_and_trapezoid(x):
    values = np.interp(np.linspace(-0.9, 1.1, 6), _XP, x ** 2)
    points = np.cumsum(np.exp(x))
    return np.trapezoid(np.sin(values[:4]) * x, points) + np.sum(np.interp(x, _XP, np.cos(x)))


def n10_cumprod_with_zeros(x):
    return np.sum(np.cumprod(x * (x > 0)) * np.arange(1.0, 5.0)) + np.sum(np.cumprod(np.sin(x)))


def n10_pad_diff_select(x):
    padded = np.pad(x, (2, 3), "reflect")
    steps = np.diff(padded, prepend=x[0], append=np.array([1.0, x[1]]))
    return np.sum(np.select([steps > 0.5, steps < -0.5], [steps ** 2, np.sin(steps)], default=steps * x[2]))


def n10_lists_and_floats(x):
    parts = [x[:2], 2.0 * x[2:], x[1:3] * x[0]]
    return np.mean(parts) + np.std(parts) * np.linalg.norm(parts) + np.sum(np.kron(1.5, x) * np.inner(x, 0.5))


ISSUE_10_NUMPY = [
    (n10_gradient_axes, [(_R.standard_normal((4, 5)),)], 0),
    (n10_nan_to_num, [(_R.standard_normal(4),)], 0),
    (n10_nuclear_least_squares, [(_R.standard_normal((3, 2)) + np.eye(3, 2) * 2.0,)], 0),
    (n10_eig_of_perturbed_diagonal, [(_R.standard_normal((3, 3)),)], 0),
    (n10_interp_and_trapezoid, [(np.array([-0.7, 0.2, 0.9, -0.1]),)], 0),
    (n10_cumprod_with_zeros, [(np.array([0.8, -0.3, 1.1, 0.6]),), (np.array([0.7, 1.3, 0.4, 0.9]),)], 0),
    (n10_pad_diff_select, [(np.array([0.3, -0.9, 1.4, 0.1]),)], 0),
    (n10_lists_and_floats, [(_R.standard_normal(4),)], 0),
]
