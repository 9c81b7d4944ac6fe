"""A progress line on stderr while a derivative takes long to generate.

Generating the derivative of a large program (many functions, long ones)
can take seconds. After `DELAY` seconds, `s2s grad` shows on stderr how many
functions are generated and how many are still to do, on one line that it
rewrites and clears at the end -- only when stderr is a terminal: in CI, a
pipe or a log file, it writes nothing.
"""
from __future__ import annotations

import os
import time

from s2s import driver

DELAY = 1.0   # seconds of generation before the line appears


def shows_progress(stream) -> bool:
    """Whether to show a progress line on `stream`: a terminal that can rewrite a line."""
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):   # no isatty, or a closed stream
        return False


class Progress:
    """`with Progress(sys.stderr, "s2s grad"):` around a generation: the line, when it is wanted."""

    def __init__(self, stream, what: str, clock=time.monotonic):
        self.stream, self.what, self.clock = stream, what, clock
        self.enabled = shows_progress(stream)
        self.shown = False
        self.start = clock()

    def __call__(self, done: int, todo: int) -> None:
        if not self.enabled or self.clock() - self.start < DELAY:
            return
        plural = "function" if done == 1 else "functions"
        self.stream.write(f"\r{self.what}: generating: {done} {plural} done, {todo} to do\x1b[K")
        self.stream.flush()
        self.shown = True

    def __enter__(self):
        driver.PROGRESS.append(self)
        return self

    def __exit__(self, *exc):
        driver.PROGRESS.remove(self)
        if self.shown:
            self.stream.write("\r\x1b[K")   # clear the line: what follows starts on a clean one
            self.stream.flush()
        return False
