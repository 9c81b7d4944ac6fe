"""What `s2s.jit` compiles of the random programs of tests/proggen.py, and why it refuses the rest.

    python bench/jit_survey.py [START END] [--timeout S] [-v]

Program `seed` (START <= seed < END, default 0..199: the sample the deep profile of
tests/test_jit.py takes) is differentiated with respect to (x, y), its gradient run as s2s runs it
(eager) and compiled by `s2s.jit`, and the program put in one bucket: `agree` (the compiled
gradient equals the eager one to 1e-9), `refused: <reason>` (a JitError, its reason with the
program's own names left out), `WRONG` (another number: a bug), `error: <type>` (another
exception of the compiled code; the same exception as the eager code's counts as agreeing),
`s2s refuses` / `eager fails` (nothing to compile or compare), `timeout`. One line per program as it
finishes, then the counts. Not a test: it exits 0.
"""
from __future__ import annotations

import argparse
import collections
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))
import proggen  # noqa: E402
import s2s  # noqa: E402


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _reason(error) -> str:
    """A JitError's reason, without the names and numbers of one program."""
    text = str(error).splitlines()[0]
    found = re.search(r"calls the helper `(\w+)`", text)
    if found:
        return f"helper `{found.group(1)}`"
    return _normalised(text)


def _normalised(text) -> str:
    text = re.sub(r"^.*?: error: ", "", text)
    text = re.sub(r"^(Numba cannot compile|s2s.jit cannot compile) `?\w+`?( yet)?: ", "", text)
    text = re.sub(r"; it comes from .*| \(line \d+ of that code\)", "", text)
    text = re.sub(r"No implementation of function Function\(<(?:built-in )?function (\w+)[^>]*>\) found for "
                  r"signature: ?(?:\w+)?", r"no \1 for ", text)
    text = re.sub(r"0x[0-9a-f]+", "0x.", text)
    text = re.sub(r"`\w+`", "`.`", text)
    text = re.sub(r"'\w+'", "'.'", text)
    return text[:120]


def _same(got, want) -> bool:
    got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if np.shape(g) != np.shape(w):
            return False
        if not np.allclose(g, w, rtol=1e-9, atol=1e-12, equal_nan=True):
            return False
    return True


def survey_one(seed, directory, timeout):
    """(bucket, detail) of program `seed`."""
    program = proggen.random_program(seed)
    args = proggen.random_inputs(seed, program)
    module = proggen.load_program(program.source, directory)
    signal.alarm(timeout)
    try:
        try:
            eager = s2s.grad(module.f, wrt=(0, 1))
        except s2s.S2SError as error:
            return "s2s refuses", str(error).splitlines()[0][:120]
        with np.errstate(all="ignore"):
            try:
                want = eager(*args)
            except Exception as error:   # the compiled code must fail the same way
                want = error
            try:
                got = s2s.jit(eager, background=False)(*args)
            except s2s.JitError as error:
                return f"refused: {_reason(error)}", ""
            except _Timeout:
                raise
            except Exception as error:
                if isinstance(want, Exception) and type(error) is type(want):
                    return "agree", f"both raise {type(error).__name__}"
                return f"error: {type(error).__name__}", str(error).splitlines()[0][:160]
        if isinstance(want, Exception):
            return "eager fails", f"{type(want).__name__}: {want}"[:160]
        if _same(got, want):
            return "agree", ""
        return "WRONG", f"compiled {got!r} eager {want!r}"[:300]
    except _Timeout:
        return "timeout", f"> {timeout} s"
    finally:
        signal.alarm(0)
        proggen.unload(module)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("start", type=int, nargs="?", default=0)
    parser.add_argument("end", type=int, nargs="?", default=200)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per program")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each program's details")
    options = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    counts: collections.Counter = collections.Counter()
    begun = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        for seed in range(options.start, options.end):
            t0 = time.perf_counter()
            bucket, detail = survey_one(seed, directory, options.timeout)
            counts[bucket] += 1
            line = f"{seed:4d} {time.perf_counter() - t0:6.1f}s  {bucket}"
            print(line + (f"  -- {detail}" if detail and (options.verbose or not bucket.startswith(("agree", "refused")))
                          else ""), flush=True)
    print(f"\n{options.end - options.start} programs in {time.perf_counter() - begun:.0f} s")
    groups = collections.Counter()
    for bucket, n in counts.items():
        groups[bucket.split(":")[0]] += n
    for group, n in groups.most_common():
        print(f"{n:5d}  {group}")
    print()
    for bucket, n in counts.most_common():
        if bucket.startswith(("refused", "error")):
            print(f"{n:5d}  {bucket}")


if __name__ == "__main__":
    main()
