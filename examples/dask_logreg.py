"""Logistic regression on a dataset larger than a worker's memory, on a dask.distributed cluster.

The loss below is ordinary NumPy code, written for NumPy arrays. s2s.value_and_grad writes its
gradient as ordinary NumPy code too, and that code only calls NumPy functions, which hand dask
arrays to dask (NEP 18, NEP 13): called with the parameters `w` in NumPy and the data `X`, `y` in
chunked dask arrays, it returns the loss and the gradient as lazy dask arrays, a graph that one
`dask.compute` runs chunk by chunk on the cluster's workers. Nothing here is parallel by hand.

The data are made lazily by `dask.array.random` (a fixed seed per chunk), so each step makes the
chunks again on the workers as it reads them: with `--big` the dataset (8,000,000 x 25 floats,
1.6 GB) is larger than the memory of each of the two workers (600 MiB), and than both together.

Run:  python examples/dask_logreg.py            (200,000 x 20, 20 steps: seconds)
      python examples/dask_logreg.py --big      (8,000,000 x 25, 1.6 GB, 10 steps: minutes)
      python examples/dask_logreg.py --workers 1
"""
import sys
import time

import numpy as np

import s2s


def loss(w, X, y):
    """Mean logistic loss of the labels y (+1 or -1) under the scores X @ w, with a small L2 penalty."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, -y * z)) + 1e-4 * np.sum(w * w)


def dataset(rows, features, chunk_rows, seed=0):
    """(X, y, w_true): standard normal features in chunks of `chunk_rows` rows, made lazily, and the
    labels of a linear model with noise."""
    import dask.array as da

    w_true = np.random.default_rng(seed).standard_normal(features)
    rng = da.random.default_rng(seed + 1)
    X = rng.standard_normal((rows, features), chunks=(chunk_rows, features))
    noise = rng.standard_normal(rows, chunks=chunk_rows)
    y = da.where(X @ w_true + noise > 0, 1.0, -1.0)
    return X, y, w_true


def train(value_and_grad, X, y, steps, step_size, quiet=False):
    """Gradient descent from zero; returns (w, the loss before each step)."""
    import dask

    w = np.zeros(X.shape[1])
    losses = []
    for step in range(steps):
        start = time.perf_counter()
        value, gradient = value_and_grad(w, X, y)          # lazy: a dask graph over the chunks
        value, gradient = dask.compute(value, gradient)    # one pass over the data, on the workers
        losses.append(float(value))
        w = w - step_size * gradient
        if not quiet:
            print(f"step {step:3d}  loss {value:.6f}  |gradient| {np.linalg.norm(gradient):.2e}  "
                  f"{time.perf_counter() - start:6.2f} s")
    return w, losses


SIZES = {   # rows, features, rows per chunk, steps, worker memory
    "small": (20_000, 8, 5_000, 6, "1GiB"),
    "default": (200_000, 20, 50_000, 20, "1GiB"),
    "big": (8_000_000, 25, 250_000, 10, "600MiB"),
}


def main(size="default", workers=2, processes=True, quiet=False):
    """Train on a LocalCluster of `workers` workers; returns (value_and_grad, X, y, w_true, w, losses)."""
    from dask.distributed import Client, LocalCluster

    rows, features, chunk_rows, steps, memory = SIZES[size]
    X, y, w_true = dataset(rows, features, chunk_rows)
    value_and_grad = s2s.value_and_grad(loss)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, memory_limit=memory,
                      dashboard_address=None) as cluster, Client(cluster):
        if not quiet:
            print(f"{rows:,} x {features} float64 = {X.nbytes / 2 ** 20:,.0f} MiB in {X.npartitions} chunks, "
                  f"{workers} workers of {memory} each")
        start = time.perf_counter()
        w, losses = train(value_and_grad, X, y, steps, step_size=4.0, quiet=quiet)
        elapsed = time.perf_counter() - start
    cosine = w @ w_true / (np.linalg.norm(w) * np.linalg.norm(w_true))
    if not quiet:
        print(f"{steps} steps in {elapsed:.1f} s; loss {losses[0]:.4f} -> {losses[-1]:.4f}; "
              f"cosine(w, w_true) = {cosine:.4f}")
    return value_and_grad, X, y, w_true, w, losses


if __name__ == "__main__":
    arguments = sys.argv[1:]
    count = int(arguments[arguments.index("--workers") + 1]) if "--workers" in arguments else 2
    main("big" if "--big" in arguments else "small" if "--small" in arguments else "default", workers=count)
