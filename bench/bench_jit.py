"""s2s.jit against jax.jit (and s2s's Python code, and the hand-written gradient), per call and to
the first gradient, on every workload of bench_grad.py, in one process.

    python bench/bench_jit.py            # needs numba; jax.jit joins the table if jax is installed
    python bench/bench_jit.py --quick

Per call: best of `repeat` measurements of at least `min_time` seconds each, of the compiled code.
To the first gradient: s2s.grad + s2s.jit + the first call, against jax.jit's first call (which
traces and compiles); both libraries compile one small function first, so that neither row pays
the library's own start (importing LLVM, XLA) into the first workload. s2s.jit compiles in the
background and answers with s2s's Python code meanwhile (`s2s.jit_background`); `jit compiled s`
is the time until the compiled code runs (s2s.grad, s2s.jit, the first call and the wait for
Numba), and `(cached)` the same in a new process that finds this one's code in s2s.jit's disk
cache (a directory of this run's own), compiling in the foreground (``background=False``).
Issue 13's goal: s2s.jit faster than jax.jit per call on the scalar loop, the RNN and the stencil,
and a smaller time to the first gradient on every workload.

A benchmark, not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import s2s  # noqa: E402
from bench_grad import as_tuple, best_time, compare  # noqa: E402
from peers import as_numpy, available  # noqa: E402
from peers import gradient as peer_gradient  # noqa: E402
from workloads import WORKLOADS  # noqa: E402


def _square(x):
    return x * x


def _warm_s2s():
    """Numba's start, and s2s.jit's (its runtime), as jax.jit's start is warmed."""
    import numba
    numba.njit(lambda x: x * 2.0)(np.ones(2))
    s2s.jit(s2s.grad(_square), background=False)(1.0)


def _warm(peers):
    _warm_s2s()
    if "jax" in peers:
        jax, jnp = peers["jax"]
        jax.jit(lambda x: x * 2.0)(jnp.ones(2)).block_until_ready()


def row(w, peers, min_time, repeat):
    args = w.args()
    hand = w.hand_grad(*args)
    out = {"name": w.name, "hand": best_time(w.hand_grad, args, min_time, repeat), "notes": []}
    start = time.perf_counter()
    eager = s2s.grad(w.f, wrt=w.wrt)
    try:
        compiled = s2s.jit(eager)   # (in the background: the first calls run s2s's Python code)
        first = compiled(*args)
        out["jit first"] = time.perf_counter() - start
        got = compiled.wait()(*args)   # the compiled code's
        out["jit compiled"] = time.perf_counter() - start
    except s2s.S2SError as error:
        out["notes"].append(str(error).splitlines()[0])
        return out
    out["jit warm"] = _warm_start(w.name)
    for which, value in (("first call", first), ("compiled", got)):
        mismatch = compare(as_tuple(value, len(w.wrt)), hand, w.wrt)
        if mismatch:
            out["notes"].append(f"s2s.jit ({which}) MISMATCH {mismatch}")
    out["jit"] = best_time(compiled, args, min_time, repeat)
    eager(*args)
    out["s2s"] = best_time(eager, args, min_time, repeat)
    if "jax" in peers:
        try:
            g, peer_args, first = peer_gradient("jax", peers["jax"], w, args)
        except Exception as error:   # (a workload written for NumPy: `xs[0] = x0`)
            out["notes"].append(f"jax error: {type(error).__name__}: {str(error).splitlines()[0][:80]}")
            return out
        mismatch = compare(as_numpy(g(*peer_args)), hand, w.wrt)
        if mismatch:
            out["notes"].append(f"jax mismatch {mismatch}")
        out["jax"], out["jax first"] = best_time(g, peer_args, min_time, repeat), first
    return out


_WARM = """
import sys, time
sys.path[:0] = {paths!r}
import numpy as np, numba, s2s
from workloads import WORKLOADS
from bench_jit import _warm_s2s
_warm_s2s()
w = next(w for w in WORKLOADS if w.name == {name!r})
args = w.args()
start = time.perf_counter()
s2s.jit(s2s.grad(w.f, wrt=w.wrt), background=False)(*args)
print(time.perf_counter() - start)
"""


def _warm_start(name):
    """Seconds to the first compiled gradient in a new process that finds the code compiled by this
    one in s2s.jit's disk cache (after its imports and Numba's start, as for the cold figure)."""
    code = _WARM.format(paths=[str(HERE.parent), str(HERE)], name=name)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(done.stdout.split()[-1]) if done.returncode == 0 else None


def _cell(value, scale=1e6, digits=3):
    return "-" if value is None else f"{value * scale:.{digits}g}"


def _ratio(a, b):
    return "-" if a is None or b is None else f"{a / b:.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short measurements (0.02 s, 3 repeats)")
    args = parser.parse_args(argv)
    min_time, repeat = (0.02, 3) if args.quick else (0.2, 5)
    peers = {k: v for k, v in available().items() if k == "jax"}
    import numba
    print(f"numpy {np.__version__}; numba {numba.__version__}; jax: {'ok' if peers else 'not installed'}; "
          f"best of {repeat} x >= {min_time} s per measurement\n")
    _warm(peers)
    # a cache of this run's own: the first figures are compilations, the cached ones loads of them
    os.environ["S2S_CACHE_DIR"] = tempfile.mkdtemp(prefix="s2s-bench-jit-")
    rows = [row(w, peers, min_time, repeat) for w in WORKLOADS]
    print("| workload | hand µs | s2s µs | s2s.jit µs | jax.jit µs | jit/jax | jit/s2s | jit first s "
          "| jit compiled s | jit compiled s (cached) | jax first s | notes |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {_cell(r.get('hand'))} | {_cell(r.get('s2s'))} | {_cell(r.get('jit'))} | "
              f"{_cell(r.get('jax'))} | {_ratio(r.get('jit'), r.get('jax'))} | {_ratio(r.get('jit'), r.get('s2s'))} | "
              f"{_cell(r.get('jit first'), 1, 2)} | {_cell(r.get('jit compiled'), 1, 2)} | "
              f"{_cell(r.get('jit warm'), 1, 2)} | {_cell(r.get('jax first'), 1, 2)} "
              f"| {'; '.join(r['notes'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
