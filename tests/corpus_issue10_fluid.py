"""Issue 10, a helper's `y += e` on an argument the caller never reads again (autograd's
fluid simulation: `project` ends with `vx -= ...; vy -= ...; return vx, vy`).

ISSUE_10_FLUID: the argument is dead after the call, so the write changes nothing anyone
reads and the derivative of `y = y + e` is exact; tests/test_data.py runs these in reverse
mode, forward mode and second order (hvp) against finite differences; ISSUE_10_FLUID_SECOND_ORDER
(a float in, arrays inside) also in grad of grad.

ISSUE_10_FLUID_REFUSED_WHEN_RUN: the argument (or a name sharing its memory) is read after
the call; on arrays the derivative raises `InPlaceWriteError` when it runs, in every mode.
"""
import numpy as np

_RNG = np.random.default_rng(11)
_A, _B = _RNG.normal(size=(2, 4))
_W = np.linspace(0.5, 1.5, 4)


def _relax(vx, vy):
    """Subtract a smoothed difference of the two fields from both, in place (as fluidsim's `project`)."""
    p = 0.25 * (np.roll(vx, 1) - np.roll(vy, -1))
    vx -= 0.5 * (np.roll(p, -1) - p)
    vy -= 0.5 * (p - np.roll(p, 1))
    return vx, vy


def _move(f, vx, vy):
    return f * np.cos(vx) + 0.3 * np.sin(vy)


def fl_dead_in_loop(x, y):
    """fluidsim's `simulate`: the fields passed to `_relax` are made afresh in each trip."""
    vx, vy = x, y
    for t in range(3):
        vx_updated = _move(vx, vx, vy)
        vy_updated = _move(vy, vx, vy)
        vx, vy = _relax(vx_updated, vy_updated)
    return np.sum(vx * vy) + np.sum(vx ** 2)


def _bump(a, k):
    a *= k
    a += np.sin(a)
    return a


def fl_rebound_by_the_call(x):
    """`a = _bump(a, ...)`: the old `a` is dead, the new one is the result."""
    a = x * 1.5
    for t in range(2):
        a = _bump(a, 0.9)
    return np.sum(a * x)


def fl_keyword_argument(x, y):
    a = x * y
    b = _bump(k=np.cos(y), a=a)
    return np.sum(b * y)


def fl_backward_reads_the_argument(x):
    """`w` is read by the backward pass of `y = x * w` (a constant array): the helper, called
    as it is (nothing active goes in), writes into a copy of `w`, not into `w`."""
    w = np.cos(_W)
    y = x * w
    z = _bump(w, 2.0)
    return np.sum(y * y) + np.sum(z)


def fl_argument_recorded_before(x):
    """`a` is overwritten in the loop (its old values recorded for the backward pass, which
    reads them in `c = a * x`) and passed, dead, to the helper between two overwrites."""
    a = x
    total = 0.0
    for t in range(3):
        a = a * x + 0.1
        c = a * x
        b = _bump(a, 1.1)
        total = total + np.sum(b * c)
        a = np.sin(b) + x
    return total


def fl_constant_argument_in_loop(x):
    """As above with a constant `w` (the helper called as it is): the backward pass of
    `y = y * w` reads each trip's `w`, which the helper must not change."""
    y = x
    for t in range(3):
        w = np.cos(_W + t)
        y = y * w
        z = _bump(w, 2.0)
        y = y + z
    return np.sum(y * y)


def _outer(y, k):
    """Passes its parameter on, dead, to `_bump`: its callers are checked in turn."""
    z = _bump(y, k)
    return z * 2.0


def _outer_twice(y):
    u = _outer(y, 0.5)
    return _relax(u, u * 0.5)


def fl_nested_calls(x, y):
    a = x + y
    b = _outer(a, 1.2)
    c, d = _outer_twice(b * y)
    return np.sum(b * c) + np.sum(d)


def fl_scalar_dead_in_loop(s):
    return fl_dead_in_loop(s * _A, np.cos(s) * _B)


def fl_scalar_nested(s):
    return fl_nested_calls(s * _A, np.exp(0.3 * s) * _B)


class _Stepper:
    """`self.m(a)` calls `m(self, a)`: the argument `a` goes to `y`, not to `self`."""
    def __init__(self, k):
        self.k = k

    def bump(self, y):
        y *= self.k
        return y

    def fl_method_dead(self, x):
        a = x * 2.0
        b = self.bump(a)
        return np.sum(b * x)

    def fl_method_read_after(self, x):
        a = x * 2.0
        b = self.bump(a)
        return np.sum(a * b)


fl_method_dead = _Stepper(1.5).fl_method_dead
fl_method_read_after = _Stepper(1.5).fl_method_read_after


ISSUE_10_FLUID = [
    (fl_method_dead, [(_A,)], 0),
    (fl_dead_in_loop, [(_A, _B)], (0, 1)),
    (fl_rebound_by_the_call, [(_A,)], 0),
    (fl_keyword_argument, [(_A, _B)], (0, 1)),
    (fl_backward_reads_the_argument, [(_A,)], 0),
    (fl_argument_recorded_before, [(_A,)], 0),
    (fl_constant_argument_in_loop, [(_A,)], 0),
    (fl_nested_calls, [(_A, _B)], (0, 1)),
]
# scalar to scalar through arrays: grad of grad against the second central difference
ISSUE_10_FLUID_SECOND_ORDER = [(fl_scalar_dead_in_loop, 0.7), (fl_scalar_nested, 0.4)]


# ---- refused: the write is seen -------------------------------------------------------------
def fl_read_after_the_call(x):
    a = x * 2.0
    b = _bump(a, 0.5)
    return np.sum(a * b)


def fl_read_in_the_next_trip(x):
    a = x * 2.0
    total = 0.0
    for t in range(2):
        b = _bump(a, 0.5)   # the next trip passes `a` again, changed by this one
        total = total + np.sum(b * x)
    return total


def fl_alias_read_after(x):
    a = x * 2.0
    view = a[1:]
    b = _bump(a, 0.5)
    return np.sum(view * b[1:])


def fl_alias_in_a_list(x):
    a = x * 2.0
    held = [a, x]
    b = _bump(a, 0.5)
    return np.sum(held[0] * b)


def fl_passed_twice(x):
    a = x * 2.0
    u, v = _relax(a, a)
    return np.sum(u * v)


def _outer_reads_after(y):
    z = _bump(y, 0.5)
    return z * y   # `y` is `z` now, in place


def fl_nested_read_inside(x):
    a = x * 2.0
    return np.sum(_outer_reads_after(a))


def _first_of(pair):
    a = pair[0]
    return _bump(a, 0.5)


def fl_entry_of_a_list(x):
    pair = [x * 2.0, x]
    b = _first_of(pair)
    return np.sum(b * pair[0])


_KEPT = {}


def _keep_then_bump(y):
    _KEPT["last"] = y   # a global now holds `y`, which the next line changes
    y += 1.0
    return y * 2.0


def fl_helper_keeps_its_argument(x):
    a = x * 2.0
    b = _keep_then_bump(a)
    return np.sum(b * _KEPT["last"])


def _keep(y):
    _KEPT["earlier"] = y


def fl_kept_by_an_earlier_call(x):
    a = x * 2.0
    _keep(a)   # a global holds `a` from here on
    b = _bump(a, 0.5)
    return np.sum(b * _KEPT["earlier"])


ISSUE_10_FLUID_REFUSED_WHEN_RUN = [
    (fl_read_after_the_call, "`a` is read after the call"),
    (fl_method_read_after, "`a` is read after the call"),
    (fl_read_in_the_next_trip, "`a` is read after the call"),
    (fl_alias_read_after, "`view` may share memory with `a` and is read after the call"),
    (fl_alias_in_a_list, "`held` may share memory with `a` and is read after the call"),
    (fl_passed_twice, "`a` is passed twice"),
    (fl_nested_read_inside, "`y` is read after the call"),
    (fl_entry_of_a_list, "`pair` is read after the call"),
]

# A helper that keeps its argument in a global dict changes that global in place: refused when the
# derivative is built (it was refused only when run, for the write into the argument it kept).
ISSUE_10_FLUID_REFUSED_WHEN_BUILT = [fl_helper_keeps_its_argument, fl_kept_by_an_earlier_call]
