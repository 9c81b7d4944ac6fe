"""Time examples/dask_logreg.py's training on a dask.distributed LocalCluster of 1 and of 2 workers.

Each worker is a process with one thread; the data are made lazily on the workers at every step
(`dask.array.random`), so a step is one pass over them: make the chunks, the loss and the gradient
(s2s.value_and_grad of the NumPy loss), summed over the chunks. One step is run first and not
timed (the cluster warms up, s2s makes the derivative). Prints a markdown table; a benchmark, not
a test: numbers vary with the machine and its load.

Run:  python bench/bench_dask.py [--rows 2000000] [--features 20] [--chunk 100000] [--steps 5]
"""
import argparse
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "examples"))
import dask_logreg  # noqa: E402

import s2s  # noqa: E402


def step_times(workers, X, y, steps, memory):
    """Seconds per training step on a LocalCluster of `workers` single-threaded worker processes."""
    from dask.distributed import Client, LocalCluster

    value_and_grad = s2s.value_and_grad(dask_logreg.loss)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory,
                      dashboard_address=None) as cluster, Client(cluster):
        dask_logreg.train(value_and_grad, X, y, 1, step_size=4.0, quiet=True)   # warm-up, not timed
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            dask_logreg.train(value_and_grad, X, y, 1, step_size=4.0, quiet=True)
            times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--chunk", type=int, default=100_000, help="rows per chunk")
    parser.add_argument("--steps", type=int, default=5, help="timed steps per cluster")
    parser.add_argument("--memory", default="1GiB", help="memory limit of each worker")
    args = parser.parse_args()
    X, y, _ = dask_logreg.dataset(args.rows, args.features, args.chunk)
    print(f"logistic regression, {args.rows:,} x {args.features} float64 ({X.nbytes / 2 ** 20:,.0f} MiB) in "
          f"{X.npartitions} chunks, made lazily; median of {args.steps} steps (one warm-up step first)\n")
    print("| workers | s / step (median) | min | max | speed-up |")
    print("|---:|---:|---:|---:|---:|")
    base = None
    for workers in (1, 2):
        times = step_times(workers, X, y, args.steps, args.memory)
        median = statistics.median(times)
        base = base or median
        print(f"| {workers} | {median:.3f} | {min(times):.3f} | {max(times):.3f} | {base / median:.2f} |")


if __name__ == "__main__":
    main()
