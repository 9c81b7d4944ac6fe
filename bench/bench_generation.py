"""Generation time: how long s2s takes to write a derivative, against the size of the function.

    python bench/bench_generation.py                    # 250, 500, 1000, 2000 and 4000 lines
    python bench/bench_generation.py --lines 500 2000 --hvp --profile 2000

Each function is written out as a module in a temporary folder (s2s reads source) and is what a
long model or simulation looks like: straight-line array arithmetic with NumPy calls, reductions,
an `if` on a value every few dozen lines and a short loop now and then, all chained so that
every line is differentiated. The time is that of `s2s.grad(f)` (and with `--hvp`, of
`s2s.hvp(f)`) on a function s2s has not seen, in this process, median of `--repeat` runs; the
next column is milliseconds per source line, which is flat when generation is linear; the last, the
time of the derivative's first call with arrays (a gradient's makes its code for their shapes then,
see s2s.specialised). Issue 12's
bar: linear, at most about 1 ms per line, a 2000-line gradient in at most 4 s. `--profile N`
prints the 25 most expensive functions (cumulative) of generating the N-line gradient.

A benchmark, not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import cProfile
import importlib.util
import pathlib
import pstats
import statistics
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import s2s  # noqa: E402

_STEPS = [
    "h = np.tanh(W @ h + b) * 0.5 + h * 0.5",
    "a = np.sum(h * h) * 0.01 + a",
    "h = h - 0.1 * np.mean(h) + np.sin(h) * 0.01",
    "z = np.exp(-h * h) + np.log1p(h * h)",
    "h = h + 0.05 * z / (1.0 + np.abs(z))",
    "a = a + np.dot(h, z) * 0.001",
    "m = np.maximum(h, 0.0) + 0.1 * np.minimum(h, 0.0)",
    "h = 0.9 * h + 0.1 * m",
]


def source(lines: int) -> str:
    """The text of a module with one function `f(W, b, h0)` of about `lines` lines."""
    body = ["h = h0", "a = 0.0", "z = h0", "m = h0"]
    k = 0
    while len(body) < lines - 1:
        if k % 40 == 39:
            body += ["if a > 1e3:", "    h = h * 0.5", "else:", "    h = h + 0.001 * a"]
        elif k % 60 == 59:
            body += ["for _ in range(2):", "    h = np.tanh(h) + 0.01 * h"]
        else:
            body.append(_STEPS[k % len(_STEPS)])
        k += 1
    body.append("return a + np.sum(h * z)")
    return "import numpy as np\n\n\ndef f(W, b, h0):\n" + "".join(f"    {line}\n" for line in body)


def load(text: str, folder: pathlib.Path, tag: str):
    path = folder / f"gen_{tag}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


def timed(make, lines: int, folder: pathlib.Path, repeat: int):
    """Median seconds of making the derivative, and of its first call (for a gradient called with
    arrays, that call makes the code for their shapes: see s2s.specialised)."""
    times, first = [], []
    n = 4
    W, b, h0 = np.eye(n) * 0.5, np.zeros(n), np.linspace(-1.0, 1.0, n)
    for r in range(repeat):
        f = load(source(lines), folder, f"{lines}_{make.__name__}_{r}")
        start = time.perf_counter()
        made = make(f)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        made(W, b, h0) if make is s2s.grad else made(W, b, h0, np.ones((n, n)))   # the code it wrote runs
        first.append(time.perf_counter() - start)
    return statistics.median(times), statistics.median(first)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[250, 500, 1000, 2000, 4000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--hvp", action="store_true", help="also time s2s.hvp")
    parser.add_argument("--profile", type=int, metavar="N", help="profile generating the N-line gradient")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        sys.path.insert(0, tmp)
        if args.profile:
            f = load(source(args.profile), folder, "profiled")
            profile = cProfile.Profile()
            profile.runcall(s2s.grad, f)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return 0
        makes = [s2s.grad] + ([s2s.hvp] if args.hvp else [])
        print("| lines | " + " | ".join(f"{m.__name__} s | {m.__name__} ms/line | first call s" for m in makes) + " |")
        print("|---:|" + "---:|---:|---:|" * len(makes))
        for lines in args.lines:
            cells = []
            for make in makes:
                seconds, first = timed(make, lines, folder, args.repeat)
                cells += [f"{seconds:.2f}", f"{1000 * seconds / lines:.2f}", f"{first:.2f}"]
            print(f"| {lines} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
