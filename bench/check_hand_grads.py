"""Check every hand-written gradient in ``workloads.py`` against central finite differences.

Run as ``python bench/check_hand_grads.py``. For each workload and each
argument in ``wrt`` (each array in it, for a list or tuple of arrays) it
perturbs every coordinate, forms the central difference
(f(x + h e_i) - f(x - h e_i)) / 2h, and prints the norm-wise relative error
||hand - fd|| / max(||hand||, ||fd||). It exits 1 if any error exceeds 1e-5,
or if a gradient has the wrong count, containers or shape.

This guards the benchmark baseline: s2s is compared against these
gradients, so they must be right. It is not a test of s2s.
"""

from __future__ import annotations

import inspect
import sys

import numpy as np

from trees import leaves, path_text, replaced, skeleton
from workloads import WORKLOADS, Workload

TOLERANCE = 1e-5
# Central differences balance truncation (~h^2) against rounding (~eps/h);
# eps^(1/3) is the step that minimises their sum.
STEP = np.finfo(np.float64).eps ** (1 / 3)


def _with_value(args: tuple, index: int, value) -> tuple:
    """Return a copy of ``args`` with position ``index`` replaced by ``value``."""
    return args[:index] + (value,) + args[index + 1:]


def finite_difference(f, x) -> np.ndarray | float:
    """Central-difference gradient of scalar ``f`` at ``x`` (an argument or a leaf of one).

    A Python float gives a float; an array gives an array of its shape, one
    coordinate at a time.
    """
    if np.ndim(x) == 0:
        h = STEP * max(1.0, abs(float(x)))
        return float(f(float(x) + h) - f(float(x) - h)) / (2 * h)
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        h = STEP * max(1.0, abs(x[i]))
        xp = x.copy()
        xp[i] += h
        xm = x.copy()
        xm[i] -= h
        grad[i] = (f(xp) - f(xm)) / (2 * h)
    return grad


def relative_error(got, want) -> float:
    """Norm-wise relative error; 0 when both are zero."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    scale = max(np.linalg.norm(got), np.linalg.norm(want))
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(got - want) / scale)


def check_workload(w: Workload) -> list[tuple[str, float | None, str]]:
    """Compare ``w.hand_grad`` with finite differences.

    Returns one ``(argument, relative error or None, problem)`` per ``wrt``
    entry, or per leaf of one that is a tree (``params[0][1]``); ``problem``
    is empty when the shapes agree.
    """
    params = list(inspect.signature(w.f).parameters)
    args = w.args()
    hand = w.hand_grad(*args)
    if not isinstance(hand, tuple) or len(hand) != len(w.wrt):
        return [("*", None, f"hand_grad must return a tuple of {len(w.wrt)} gradients")]
    results = []
    for name, g in zip(w.wrt, hand):
        index = params.index(name)
        x = args[index]
        if skeleton(g) != skeleton(x):
            results.append((name, None, f"containers {skeleton(g)!r} != argument's {skeleton(x)!r}"))
            continue
        for (path, g_leaf), (_, x_leaf) in zip(leaves(g), leaves(x)):
            label = name + path_text(path)
            if np.shape(g_leaf) != np.shape(x_leaf):
                problem = f"shape {np.shape(g_leaf)} != argument shape {np.shape(x_leaf)}"
                results.append((label, None, problem))
                continue
            fd = finite_difference(lambda v: w.f(*_with_value(args, index, replaced(x, path, v))), x_leaf)
            results.append((label, relative_error(g_leaf, fd), ""))
    return results


def main() -> int:
    """Check all workloads, print one line per (workload, argument), return the exit code."""
    failed = False
    print(f"{'workload':<10} {'arg':<12} {'rel. error':>11}")
    for w in WORKLOADS:
        for name, err, problem in check_workload(w):
            if err is None:
                print(f"{w.name:<10} {name:<12} {'-':>11}  FAIL: {problem}")
                failed = True
                continue
            bad = err > TOLERANCE
            failed |= bad
            print(f"{w.name:<10} {name:<12} {err:11.2e}{'  FAIL' if bad else ''}")
    print("FAILED" if failed else f"all hand-written gradients within {TOLERANCE:g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
