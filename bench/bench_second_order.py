"""Forward mode and second order against first order, on the MLP and the RNN.

Prints, per workload: jvp time / forward time, and hvp time / gradient time.
The literature's bound for both is a small constant (about 2 to 4).

    python bench/bench_second_order.py [--quick]
"""
from __future__ import annotations

import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import s2s  # noqa: E402
from workloads import WORKLOADS  # noqa: E402


def best(fn, args, min_time):
    timer = timeit.Timer(lambda: fn(*args))
    number, _ = timer.autorange()
    number = max(1, int(number * min_time / 0.2))
    return min(timer.repeat(repeat=5, number=number)) / number


def main(argv=None) -> int:
    min_time = 0.02 if "--quick" in (argv or sys.argv[1:]) else 0.2
    print("| workload | wrt | forward µs | jvp µs | jvp/forward | grad µs | hvp µs | hvp/grad |")
    print("|---|---|---|---|---|---|---|---|")
    for w in WORKLOADS:
        if w.name not in ("mlp", "rnn"):
            continue
        args = w.args()
        wrt = w.wrt[0]
        position = list(__import__("inspect").signature(w.f).parameters).index(wrt)
        v = np.random.default_rng(1).normal(size=np.shape(args[position]))
        forward, jvp = best(w.f, args, min_time), best(s2s.jvp(w.f, wrt=wrt), args + (v,), min_time)
        grad, hvp = best(s2s.grad(w.f, wrt=wrt), args, min_time), best(s2s.hvp(w.f, wrt=wrt), args + (v,), min_time)
        print(f"| {w.name} | {wrt} | {forward * 1e6:.0f} | {jvp * 1e6:.0f} | {jvp / forward:.2f} | "
              f"{grad * 1e6:.0f} | {hvp * 1e6:.0f} | {hvp / grad:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
