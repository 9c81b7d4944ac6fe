"""Element loops: the gradient of a loop that reads `x[i]` and writes `y[i]` one element at a time,
against the function itself, as n grows.

    python bench/bench_element_loop.py                 # n = 2**11 ... 2**16
    python bench/bench_element_loop.py --max-exp 14

The function is a running sum written element by element (`acc = acc + sin(x[i]); y[i] = acc`),
as people write recurrences and simulations. A gradient that costs a constant times the function
at every n is linear; issue 12's bar is at most 5x the function. The backward loop updates the
adjoint arrays in place (`transforms/inplace.py`): with `set_at`/`add_at` in the general code, and,
in the code `s2s.grad` makes for the arguments' shapes at its second call (what is timed here), as
the statements `d_y[i] = 0.0` and `d_x[i] += g`. Also printed: a hand-written O(n) gradient of the
same function (cumulative sums, no loop).

A benchmark, not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import s2s  # noqa: E402


def running(x):
    y = np.zeros_like(x)
    acc = 0.0
    for i in range(len(x)):
        acc = acc + np.sin(x[i])
        y[i] = acc
    return np.sum(y * y)


def hand_running(x):
    """y = cumsum(sin x); f = sum y^2: d f / d x_k = cos(x_k) * sum_{i >= k} 2 y_i."""
    y = np.cumsum(np.sin(x))
    return np.cos(x) * np.cumsum((2 * y)[::-1])[::-1]


def best(fn, *args, budget=0.3):
    """The best of a few runs, within about `budget` seconds."""
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < budget and len(times) < 20):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-exp", type=int, default=11)
    parser.add_argument("--max-exp", type=int, default=16)
    args = parser.parse_args(argv)
    grad = s2s.grad(running)
    x = np.linspace(-1.0, 1.0, 8)
    assert np.allclose(grad(x), hand_running(x))
    print("| n | f ms | s2s grad ms | grad / f | hand grad ms |")
    print("|---:|---:|---:|---:|---:|")
    for e in range(args.min_exp, args.max_exp + 1):
        x = np.linspace(-1.0, 1.0, 2 ** e)
        f_time, g_time, h_time = best(running, x), best(grad, x), best(hand_running, x)
        print(f"| 2^{e} | {1e3 * f_time:.2f} | {1e3 * g_time:.2f} | {g_time / f_time:.1f} | {1e3 * h_time:.3f} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
