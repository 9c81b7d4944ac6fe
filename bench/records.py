"""How many values s2s's gradients record, next to what a hand-written gradient keeps.

Runs each workload's generated gradient (the code s2s runs for the workload's arguments: code
for numbers, or for the shapes of its arrays) once with its ``_stack`` replaced by
a list that counts pushes, and prints, per workload: the values s2s pushed,
the values the hand-written gradient keeps on its tape (``hand_records`` in
workloads.py), and their ratio.

    python bench/records.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import s2s  # noqa: E402
from workloads import WORKLOADS  # noqa: E402


class CountingList(list):
    """A list that counts every append made to any instance."""
    pushes = 0

    def append(self, value):
        CountingList.pushes += 1
        super().append(value)


def pushes_per_call(w) -> int:
    g = s2s.grad(w.f, wrt=w.wrt)
    args = w.args()
    # the code that runs for these arguments: for numbers, or for the arrays' shapes (s2s.source's like=)
    source = s2s.source(g, like=args).replace("_stack = []", "_stack = CountingList()")
    raw = g.__s2s_function__   # the generated function (g is the wrapper that checks arguments)
    namespace = type(raw.__globals__)(raw.__globals__.fallback)  # same user globals, fresh definitions
    namespace["CountingList"] = CountingList
    exec(compile(source, "<counting>", "exec"), namespace)
    CountingList.pushes = 0
    namespace[g.__name__](*args)
    return CountingList.pushes


def main() -> int:
    print("| workload | s2s records | hand-written keeps | s2s / hand |")
    print("|---|---|---|---|")
    for w in WORKLOADS:
        n = pushes_per_call(w)
        ratio = "-" if not w.hand_records else f"{n / w.hand_records:.2f}"
        print(f"| {w.name} | {n} | {w.hand_records} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
