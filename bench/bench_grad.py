"""Time s2s gradients against hand-written NumPy gradients (and autograd, jax.jit, PyTorch, if installed).

Run as ``python bench/bench_grad.py [--quick]``. For every workload in
``workloads.py`` it

1. generates the s2s gradient once, ``s2s.grad(f, wrt=w.wrt)`` (the
   generation time is reported, never included in the timings);
2. checks it against the hand-written gradient (same shapes and
   ``np.allclose`` with ``rtol=1e-6``; for a gradient with respect to a list
   or tuple of arrays, the same containers and each array in turn) and marks
   any mismatch;
3. times the forward ``f``, the hand-written gradient, the s2s gradient and
   the peers that import here (autograd, jax.jit, PyTorch: see peers.py), in
   the same process, on the same function, as the
   best of several ``timeit`` repeats of enough loops to last ``MIN_TIME``;
   s2s's gradient runs the code it makes for the arguments' types and shapes
   (code for numbers, code for known shapes); "code" times that code called
   directly, as ``s2s grad --like`` writes it (without its argument checks):
   s2s/hand over code/hand is what choosing it by the arguments' types costs;
   "general" times the code for any shapes (``S2S_SPECIALISE=0``), which is
   what ran before that code existed;
4. measures the peak memory of one gradient call (tracemalloc), s2s over hand;
5. prints one markdown table row; a peer that cannot take the workload as it
   is written (PyTorch, given a list of arrays) shows ``n/a``.

s2s is optional here: if ``import s2s`` fails or generation/calling raises
for a workload, that row shows the error and the run goes on.

This is a benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import sys
import time
import timeit
import tracemalloc

import numpy as np

from peers import NAMES as PEERS
from peers import as_numpy, available as available_peers
from peers import NotApplicable
from peers import gradient as peer_gradient
from trees import leaves, path_text, skeleton
from workloads import WORKLOADS, Workload

RTOL = 1e-6


# ---------------------------------------------------------------------------
# optional competitors
# ---------------------------------------------------------------------------

def load_s2s():
    """Import s2s; return ``(module, None)`` or ``(None, error message)``.

    An installed s2s is preferred; otherwise the repository root (parent of
    ``bench/``) is put on ``sys.path`` so a source checkout works too.
    """
    try:
        import s2s
        if hasattr(s2s, "grad"):
            return s2s, None
    except Exception:
        pass
    for name in [m for m in sys.modules if m == "s2s" or m.startswith("s2s.")]:
        del sys.modules[name]
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        import s2s
    except Exception as exc:  # s2s is being written concurrently: report, don't crash
        return None, f"import s2s failed: {type(exc).__name__}: {exc}"
    if not hasattr(s2s, "grad"):
        return None, "s2s has no grad() yet"
    return s2s, None


# ---------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------

def best_time(fn, args: tuple, min_time: float, repeat: int) -> float:
    """Best time of one call ``fn(*args)`` in seconds.

    The loop count grows (1, 2, 5, 10, 20, ...) until one measurement lasts
    at least ``min_time``; then ``repeat`` measurements are taken and the
    fastest per-call time is returned (the minimum is the least noisy
    estimate of the cost itself).
    """
    timer = timeit.Timer(lambda: fn(*args))
    number = 1
    while True:
        for factor in (1, 2, 5):
            n = number * factor
            if timer.timeit(n) >= min_time:
                return min(timer.repeat(repeat=repeat, number=n)) / n
        number *= 10


def as_tuple(grads, n: int) -> tuple:
    """Normalise a gradient result to a tuple (a single ``wrt`` may give a bare gradient)."""
    if n == 1 and not isinstance(grads, tuple):
        return (grads,)
    return tuple(grads)


def compare(got: tuple, want: tuple, wrt: tuple[str, ...]) -> str:
    """Return '' if ``got`` matches ``want``, else what differs: the same containers (a gradient
    with respect to a list of tuples is a list of tuples), and leaf by leaf the same shape and
    ``np.allclose``."""
    if len(got) != len(want):
        return f"{len(got)} gradients, expected {len(want)}"
    for name, g, h in zip(wrt, got, want):
        if skeleton(g) != skeleton(h):
            return f"d/d{name}: containers {skeleton(g)!r} != {skeleton(h)!r}"
        wanted = dict(leaves(h))   # by path: a peer's dict may hold its keys in another order (JAX sorts them)
        for path, g_leaf in leaves(g):
            mismatch = compare_leaf(g_leaf, wanted[path])
            if mismatch:
                return f"d/d{name}{path_text(path)}: {mismatch}"
    return ""


def compare_leaf(g, h) -> str:
    """Return '' if the array or number ``g`` has ``h``'s shape and is allclose to it, else what differs."""
    if np.shape(g) != np.shape(h):
        return f"shape {np.shape(g)} != {np.shape(h)}"
    if not np.allclose(g, h, rtol=RTOL):
        err = np.max(np.abs(np.asarray(g) - h)) / max(np.max(np.abs(h)), 1e-300)
        return f"max rel. diff {err:.1e}"
    return ""


def one_line(exc: BaseException, limit: int = 100) -> str:
    """An exception as one short table-safe line."""
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    text = text.replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def peak_bytes(fn, args) -> int:
    """Peak memory NumPy and Python allocate during one call `fn(*args)` (tracemalloc)."""
    fn(*args)   # warm: anything made at the first call is not counted
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def written_code(s2s, g, args):
    """The code `g` runs for `args` (code for numbers where every argument is a Python number, else
    code for their shapes: `s2s.source`), loaded on its own: what `s2s grad --like` writes, without
    the checks of its arguments. Called directly, it costs what the code costs; `g` also tests the
    types (and shapes) of its arguments to choose it."""
    numbers = all(type(a) in (float, int) for a in args)
    text = s2s.source(g, numbers=True) if numbers else s2s.source(g, like=args)
    namespace: dict = {}
    exec(compile(text, "<s2s code>", "exec"), namespace)
    return namespace[re.search(r"^def (\w+)", text, re.M).group(1)]


@contextlib.contextmanager
def general_code(s2s):
    """Gradients made within run s2s's general code for every call, not the code made for the
    shapes of their arguments (the environment variable S2S_SPECIALISE=0)."""
    from s2s import api
    before = os.environ.get("S2S_SPECIALISE")
    os.environ["S2S_SPECIALISE"] = "0"
    api._CACHE.clear()
    try:
        yield
    finally:
        api._CACHE.clear()
        if before is None:
            del os.environ["S2S_SPECIALISE"]
        else:
            os.environ["S2S_SPECIALISE"] = before


def bench_workload(w: Workload, s2s, s2s_error, peers: dict, min_time: float, repeat: int) -> dict:
    """Measure one workload; return a dict of times (seconds), gen time and notes."""
    args = w.args()
    row = {"name": w.name, "notes": []}
    row["forward"] = best_time(w.f, args, min_time, repeat)
    hand = w.hand_grad(*args)
    row["hand"] = best_time(w.hand_grad, args, min_time, repeat)

    if s2s is None:
        row["notes"].append(s2s_error)
    else:
        try:
            start = time.perf_counter()
            g = s2s.grad(w.f, wrt=w.wrt)
            row["gen"] = time.perf_counter() - start
            g(*args)   # the second call with these arguments makes the code for their shapes
            mismatch = compare(as_tuple(g(*args), len(w.wrt)), hand, w.wrt)
            if mismatch:
                row["s2s_wrong"] = True
                row["notes"].append(f"s2s MISMATCH {mismatch}")
            row["s2s"] = best_time(g, args, min_time, repeat)
            row["code"] = best_time(written_code(s2s, g, args), args, min_time, repeat)
            hand_peak = peak_bytes(w.hand_grad, args)
            if hand_peak >= 1024:   # (numbers: a few Python objects, too few bytes to compare)
                row["memory"] = peak_bytes(g, args) / hand_peak
            with general_code(s2s):   # the code for any shapes: what ran for arrays before issue 12
                general = s2s.grad(w.f, wrt=w.wrt)
                row["general"] = best_time(general, args, min_time, repeat)
        except Exception as exc:
            row["notes"].append(f"s2s error: {one_line(exc)}")

    for peer, modules in peers.items():
        try:
            g, peer_args, first = peer_gradient(peer, modules, w, args)
            mismatch = compare(as_numpy(g(*peer_args)), hand, w.wrt)
            if mismatch:
                row["notes"].append(f"{peer} mismatch {mismatch}")
            row[peer] = best_time(g, peer_args, min_time, repeat)
            row[f"{peer} first"] = first
        except NotApplicable as exc:
            row[f"{peer} n/a"] = True
            row["notes"].append(f"{peer} n/a: {exc}")
        except Exception as exc:
            row["notes"].append(f"{peer} error: {one_line(exc)}")
    return row


# ---------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------

def _us(seconds) -> str:
    """Seconds as microseconds (about three significant figures), or '-' when missing."""
    if seconds is None:
        return "-"
    us = seconds * 1e6
    return f"{us:.0f}" if us >= 100 else f"{us:.3g}"


def _ratio(a, b) -> str:
    """a / b with two decimals, or '-' when either is missing."""
    return "-" if a is None or b is None else f"{a / b:.2f}"


def print_table(rows: list[dict], peers) -> None:
    """Print the results as a markdown table, then geometric means of the ratios."""
    head = ["workload", "forward µs", "hand µs", "s2s µs", "s2s/hand", "code/hand", "s2s/forward", "general µs",
            "general/hand", "memory s2s/hand"]
    for peer in peers:
        head += [f"{peer} µs", f"s2s/{peer}"] + ([f"{peer} first ms"] if peer == "jax" else [])
    head += ["gen ms", "notes"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        s2s_t = r.get("s2s")
        cells = [r["name"], _us(r["forward"]), _us(r["hand"]), _us(s2s_t),
                 _ratio(s2s_t, r["hand"]), _ratio(r.get("code"), r["hand"]), _ratio(s2s_t, r["forward"]),
                 _us(r.get("general")),
                 _ratio(r.get("general"), r["hand"]), "-" if "memory" not in r else f"{r['memory']:.2f}"]
        for peer in peers:
            cells += (["n/a", "n/a"] if r.get(f"{peer} n/a") else [_us(r.get(peer)), _ratio(s2s_t, r.get(peer))])
            if peer == "jax":
                cells.append("-" if f"{peer} first" not in r else f"{r[peer + ' first'] * 1e3:.0f}")
        cells += ["-" if "gen" not in r else f"{r['gen'] * 1e3:.1f}", "; ".join(r["notes"])]
        print("| " + " | ".join(cells) + " |")

    print()
    correct = [r for r in rows if r.get("s2s") and not r.get("s2s_wrong")]
    for label, num, denom in (("s2s/hand", "s2s", "hand"), ("s2s/forward", "s2s", "forward"),
                              ("general code/hand", "general", "hand"), *((f"s2s/{p}", "s2s", p) for p in peers)):
        ratios = [r[num] / r[denom] for r in correct if r.get(denom) and r.get(num)]
        if ratios:
            geomean = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
            print(f"geometric mean {label}: {geomean:.2f} over {len(ratios)} workloads "
                  "(rows with a wrong s2s gradient left out)")


def main(argv=None) -> int:
    """Parse options, run every workload, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="short measurements (0.02 s, 3 repeats) for a fast sanity run")
    opts = parser.parse_args(argv)
    min_time, repeat = (0.02, 3) if opts.quick else (0.2, 5)

    s2s, s2s_error = load_s2s()
    found = available_peers()
    print(f"numpy {np.__version__}; s2s: {'ok' if s2s else s2s_error}; "
          + "".join(f"{p}: {'ok' if p in found else 'not installed'}; " for p in PEERS) +
          f"best of {repeat} x >= {min_time} s per measurement\n")
    rows = [bench_workload(w, s2s, s2s_error, found, min_time, repeat) for w in WORKLOADS]
    print_table(rows, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
