"""Errors raised by s2s.

Every error s2s raises is an `S2SError`. Errors about user code carry a
`Location` and render as::

    model.py:12:8: error: `try` is not supported
        y = try_something(x)
            ^
    hint: move the try/except outside the differentiated function

which is also the one-line-first form the command line prints.
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Location:
    """A place in user source: file name, 1-based line, 0-based column, line text."""

    filename: str
    line: int
    col: int
    text: str = ""

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.col + 1}"


class S2SError(Exception):
    """Base class of every error raised by s2s."""

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None):
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.location}: error: {self.message}" if self.location else f"error: {self.message}"
        lines = [head]
        if self.location and self.location.text:
            text = self.location.text.rstrip("\n")
            stripped = text.lstrip()
            indent = len(text) - len(stripped)
            lines.append("    " + stripped)
            lines.append("    " + " " * max(self.location.col - indent, 0) + "^")
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class UnsupportedError(S2SError):
    """User code uses a construct s2s does not differentiate."""


class NoRuleError(S2SError):
    """A differentiable value flows into a call that has no derivative rule."""


class SourceError(S2SError):
    """The source of a function cannot be read or parsed."""


class RuleError(S2SError):
    """A derivative rule is malformed."""


class ComplexArgumentError(S2SError, TypeError):
    """A complex value was passed to a derivative: s2s differentiates real values only (SPEC §6).

    Also a `TypeError`, as `IntegerArgumentError`.
    """


class IntegerArgumentError(S2SError, TypeError):
    """A derivative was asked for with respect to an integer or boolean argument.

    Also a `TypeError`: like any argument of the wrong kind (section 6 of the spec).
    """


class BoolOutputError(S2SError, TypeError):
    """A derivative was asked of a function whose output is a bool (`np.allclose(x, y)`, `x > 0`): a
    bool carries no derivative.

    Also a `TypeError`, as `IntegerArgumentError` (autograd and JAX raise one).
    """


class JitError(S2SError):
    """`s2s.jit` cannot compile a function: Numba is not installed, Numba cannot type a line of the
    code (the error names that line, and the user's line it came from), or the generated code uses
    something that has no compiled form yet."""


class SpecialisationWarning(UserWarning):
    """Code for the arguments of a call (numbers, known shapes) could not be made because of an
    internal error: the general code, made already, runs instead and computes the same derivative.
    A bug in s2s: please report it. (s2s's own tests make it an error.)"""
