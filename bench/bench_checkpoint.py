"""Memory and time of a long recurrence's gradient, with and without checkpointing.

The workload: a 256-wide tanh recurrence `h = tanh(W @ h + x_t)` over T = 2000 steps, and its
gradient with respect to W. Without checkpointing the backward pass keeps what every step
recorded; with `checkpoint=True` it keeps about sqrt(T) snapshots of `h` and one segment's
records, and runs each segment forward again; with `checkpoint=k`, at most k snapshots and one
step's records, on the binomial schedule (each step runs forward a few more times). Printed, per variant: the peak of memory
allocated during one gradient call above what was allocated before it (tracemalloc, in a run
of its own), the median time of a call (without tracemalloc), and both as ratios to the plain
gradient. The goal: at least 8x less memory for at most 3x the time. The same for the recurrence
keeping its trajectory (`hs[t] = h`, an array of T x N the function itself allocates).

    python bench/bench_checkpoint.py [--steps T] [--width N] [--repeat R]
"""
from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np

import s2s


def recurrence(W, xs):
    h = np.zeros(W.shape[0])
    for x in xs:
        h = np.tanh(W @ h + x)
    return np.sum(h * h)


def trajectory(W, xs):
    """The same recurrence keeping every state, as a simulation keeps its trajectory."""
    hs = np.zeros((xs.shape[0], W.shape[0]))
    h = np.zeros(W.shape[0])
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
        hs[t] = h
    return np.sum(hs * hs)


def peak_bytes(g, args) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    g(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def seconds(g, args, repeat) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        g(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    W = rng.normal(size=(opts.width, opts.width)) / np.sqrt(opts.width)
    xs = rng.normal(size=(opts.steps, opts.width))
    variants = [("plain", {}), ("checkpoint=True", {"checkpoint": True}), ("checkpoint=45", {"checkpoint": 45}),
                ("checkpoint=8", {"checkpoint": 8})]
    for f, what in ((recurrence, "tanh recurrence"), (trajectory, "tanh recurrence keeping its trajectory")):
        made = {label: s2s.grad(f, **options) for label, options in variants}
        reference = made["plain"](W, xs)
        for label, g in made.items():   # (also the first call of each, out of the timings)
            assert np.allclose(g(W, xs), reference, rtol=1e-9, atol=1e-12), label
        forward = seconds(f, (W, xs), opts.repeat)
        print(f"\n{what}, {opts.steps} steps, width {opts.width}; function alone {forward * 1e3:.1f} ms")
        print("| variant | peak memory MB | memory / plain | time ms | time / plain | gradient / function |")
        print("|---|---|---|---|---|---|")
        base_peak = base_time = None
        for label, g in made.items():
            peak = peak_bytes(g, (W, xs))
            t = seconds(g, (W, xs), opts.repeat)
            base_peak, base_time = base_peak or peak, base_time or t
            print(f"| {label} | {peak / 2**20:.2f} | {peak / base_peak:.3f} (1/{base_peak / peak:.1f}) | "
                  f"{t * 1e3:.1f} | {t / base_time:.2f} | {t / forward:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
