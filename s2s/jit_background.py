"""Compiling in the background: the first gradient at once, the compiled code once it is ready.

Numba takes one to a few seconds to compile a derivative of array code (its type inference, then
LLVM); jax.jit takes a fraction of that. A derivative s2s made does not need to wait: its Python
code is at hand and computes the same values. So `s2s.jit` (unless told ``background=False``)
starts Numba on the argument types of a call in a thread of its own, answers that call and the
next ones with the Python code s2s made, and calls the compiled code from the first call after
Numba is done. A failure to compile is raised, as a JitError, by that call.

Numba compiles with its own lock held, so compiling here never races with a compilation the
program starts; while it runs, the program's Python code shares the interpreter with it.
"""
from __future__ import annotations

import threading


class Build:
    """Numba compiling `dispatcher` for the types of `call` (as `numba.typeof` gives them, which is
    what a call with them would compile for), in a daemon thread; `args`: the arguments of the
    call of the compiled function that started it."""

    def __init__(self, numba, dispatcher, call, label: str, args=()):
        self.args = args
        types = tuple(numba.typeof(a) for a in call)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._compile, args=(dispatcher, types),
                                       name=f"s2s.jit {label}", daemon=True)
        self.thread.start()

    def _compile(self, dispatcher, types):
        try:
            dispatcher.compile(types)
        except BaseException as error:   # raised in the caller's thread, by `result`
            self.error = error

    def done(self) -> bool:
        return not self.thread.is_alive()

    def wait(self):
        self.thread.join()

    def result(self):
        """Raise what compiling raised, if anything (the compiled code is the dispatcher's)."""
        if self.error is not None:
            error, self.error = self.error, None
            raise error
