"""Checkpointed loops (`checkpoint=True` or a number of snapshots): the same derivatives, less recorded.

Each program's gradient is checked against central finite differences, and against the
gradient without checkpointing (they run the same operations, so they agree to rounding);
hvp against finite differences of the gradient. What is recorded is measured by the length
the stack reaches.
"""
import math

import numpy as np
import pytest

import s2s
from s2s.runtime import checkpoint_every, checkpoint_schedule
from tests.oracles import numerical_grad


def scalar_loop(a, b):
    z = 0.0
    for i in range(40):
        z = a * np.cos(z + i) + z * np.sin(b - i)
    return z


def rnn(W, xs):
    h = np.zeros(W.shape[0])
    for x in xs:
        h = np.tanh(W @ h + x)
    return np.sum(h * h)


def with_break(x, n):
    s = x
    for i in range(n):
        s = np.sin(s) * x + 0.1
        if s > 0.9:
            break
    return s


def with_continue_and_branches(x, n):
    s = x
    t = 1.0
    for i in range(n):
        if i % 3 == 0:
            continue
        if s > 0:
            s = s * np.cos(x) + t
        else:
            s = s - x * x
        t = 0.5 * t + s * 0.01
    return s + t


def nested(x, m):
    s = x
    for i in range(m):
        for j in range(3):
            s = np.sin(s + j) * x
        s = s + 0.1 * i
    return s


def carried_from_last_trip(x):
    total = 0.0
    for i in range(9):
        if i > 0:
            total = total + prev * x
        prev = np.sin(x + i)
    return total


def helper_step(h, w):
    for k in range(3):
        h = np.tanh(w * h + k)
    return h


def calls_helper(w, h0):
    h = h0
    for t in range(12):
        h = helper_step(h, w)
    return np.sum(h)


def inside_while(x):
    s = x
    n = 0
    while n < 3:
        for i in range(5):
            s = s * np.cos(s + i) + x
        n = n + 1
    return s


def in_branch(x, flag):
    s = x
    if flag:
        for i in range(7):
            s = np.exp(-s * s) + x
    return s


def writes_in_place(x):
    y = np.zeros(6)
    acc = 1.0
    for i in range(6):
        acc = acc * x[i] + 0.5
        y[i] = acc
    return np.sum(y * y)


def appends(x):
    hs = []
    h = x
    for i in range(6):
        h = np.sin(h) + x
        hs.append(h)
    return np.sum(np.array(hs))


def written_into_after(x):
    s = x * 1.0
    acc = np.zeros(3)
    for i in range(6):
        if i < 2:
            s = s + np.sin(x * i)
        t = np.exp(s)
        acc = acc + t * t
    s[0] = 100.0   # the object the last snapshots hold: the last trips did not rebind s
    return np.sum(acc) + np.sum(s)


rng = np.random.default_rng(7)
W = rng.normal(size=(4, 4)) * 0.5
XS = rng.normal(size=(25, 4))
CASES = [
    (scalar_loop, (0.3, 0.7), (0, 1)),
    (rnn, (W, XS), (0,)),
    (with_break, (0.4, 30), (0,)),
    (with_break, (0.1, 30), (0,)),
    (with_continue_and_branches, (0.3, 17), (0,)),
    (nested, (0.5, 11), (0,)),
    (carried_from_last_trip, (0.4,), (0,)),
    (calls_helper, (0.7, rng.normal(size=3)), (0, 1)),
    (inside_while, (0.2,), (0,)),
    (in_branch, (0.3, True), (0,)),
    (in_branch, (0.3, False), (0,)),
    (writes_in_place, (rng.normal(size=6),), (0,)),
    (appends, (0.3,), (0,)),
    (written_into_after, (np.array([0.3, -0.2, 0.5]),), (0,)),
]


def _id(case):
    return f"{case[0].__name__}-{case[1][-1] if not isinstance(case[1][-1], np.ndarray) else 'arr'}"


@pytest.mark.parametrize("checkpoint", [True, 1, 3])
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_gradient_matches_finite_differences_and_plain(case, checkpoint):
    f, args, wrt = case
    wrt = wrt if len(wrt) > 1 else wrt[0]
    df = s2s.grad(f, wrt, checkpoint=checkpoint)
    plain = s2s.grad(f, wrt)(*args)
    for _ in range(2):   # the general code, then the code made for these shapes
        got = df(*args)
        for g, p, i in zip(*(v if isinstance(v, tuple) else (v,) for v in (got, plain, wrt if isinstance(wrt, tuple)
                                                                             else (wrt,)))):
            np.testing.assert_allclose(g, numerical_grad(f, args, i), rtol=1e-5, atol=1e-8)
            np.testing.assert_allclose(g, p, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in (scalar_loop, rnn, nested, with_break)],
                         ids=lambda c: c[0].__name__)
def test_value_and_grad_and_vjp(case):
    f, args, wrt = case
    value, g = s2s.value_and_grad(f, wrt[0], checkpoint=True)(*args)
    assert value == f(*args)
    np.testing.assert_allclose(s2s.vjp(f, wrt[0], checkpoint=2)(*args, 2.0), 2 * g, rtol=1e-12)
    np.testing.assert_allclose(g, numerical_grad(f, args, wrt[0]), rtol=1e-5, atol=1e-8)


def _fd_hvp(f, args, i, v, eps=1e-5):
    g = s2s.grad(f, i)
    plus, minus = list(args), list(args)
    plus[i], minus[i] = args[i] + eps * v, args[i] - eps * v
    return (g(*plus) - g(*minus)) / (2 * eps)


@pytest.mark.parametrize("f, args", [(rnn, (W, XS[:9])), (scalar_loop, (0.3, 0.7)), (nested, (0.5, 6)),
                                     (with_break, (0.4, 30))], ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("checkpoint", [True, 3])
def test_hvp_of_checkpointed_gradient(f, args, checkpoint):
    v = rng.normal(size=np.shape(args[0])) if np.ndim(args[0]) else 1.0
    got = s2s.hvp(f, 0, checkpoint=checkpoint)(*args, v)
    np.testing.assert_allclose(got, _fd_hvp(f, args, 0, v), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got, s2s.hvp(f, 0)(*args, v), rtol=1e-10, atol=1e-12)


def _most_recorded(df, args):
    """The largest number of values the generated code's stack held at once."""
    most = [0]

    class Stack(list):
        def append(self, v):
            super().append(v)
            most[0] = max(most[0], len(self))
    generated = s2s.api._GENERATED[df]
    namespace = dict(generated.function.__globals__, Stack=Stack)
    text = s2s.source(df)
    assert text.count("_stack = []") == 1
    exec(compile(text.replace("_stack = []", "_stack = Stack()"), "<counted>", "exec"), namespace)
    namespace[generated.entry](*args)
    return most[0]


def test_records_fall_to_about_sqrt_of_trips_or_the_snapshots_asked_for():
    xs = rng.normal(size=(400, 4))
    plain = _most_recorded(s2s.grad(rnn), (W, xs))
    every = _most_recorded(s2s.grad(rnn, checkpoint=True), (W, xs))
    per_trip = plain / 400
    assert plain >= 400
    assert every <= 20 + 20 * per_trip + 2          # sqrt(400) snapshots, one segment of 20 trips
    for k in (1, 4, 10):                            # k snapshots and one trip's records
        assert _most_recorded(s2s.grad(rnn, checkpoint=k), (W, xs[:60])) <= k + per_trip + 1


def _replayed(trips, snapshots):
    """Runs `checkpoint_schedule(trips, snapshots)` on a model of the loop: (most snapshots held,
    trips run forward again); asserts that each action finds the state it needs and that every
    trip is reversed once, last first."""
    snaps, state, order, runs, most = [0], trips, [], 0, 1
    for action, lo, hi in checkpoint_schedule(trips, snapshots):
        if action == "restore":
            state = snaps[-1]
        elif action == "snapshot":
            assert state == lo
            snaps.append(state)
            most = max(most, len(snaps))
        elif action == "drop":
            assert snaps[-1] == lo
            snaps.pop()
        else:
            assert state == lo and hi > lo, (action, lo, hi, state)
            runs += hi - lo
            if action == "reverse":
                order += list(range(hi - 1, lo - 1, -1))
                continue
            state = hi
    assert order == list(range(trips - 1, -1, -1)) and snaps == [0]
    return most, runs


@pytest.mark.parametrize("trips", [0, 1, 2, 3, 10, 100, 2000])
@pytest.mark.parametrize("snapshots", [1, 2, 3, 10, 45])
def test_checkpoint_schedule_is_binomial(trips, snapshots):
    if trips == 2000 and snapshots < 3:
        pytest.skip("quadratic: each trip from the start again")
    most, runs = _replayed(trips, snapshots)
    assert most <= snapshots
    free = snapshots - 1   # (the first snapshot holds the loop's start)
    repeats = 0
    while free and math.comb(free + repeats, free) < trips:
        repeats += 1
    if free:   # revolve's bound: each trip runs at most `repeats` more times
        assert runs <= (repeats + 1) * trips
    else:
        assert runs == trips * (trips + 1) // 2


@pytest.mark.parametrize("trips", [0, 1, 2, 100, 101, 2000])
def test_checkpoint_every_is_about_the_square_root(trips):
    every = checkpoint_every(trips)
    taken = math.ceil(trips / every)
    assert taken <= math.isqrt(max(trips, 1)) + 1 and every <= math.isqrt(max(trips, 1)) + 2


def test_loop_shape_is_readable():
    text = s2s.source(s2s.grad(scalar_loop, checkpoint=True))
    assert "for _start1 in reversed(range(0, _steps1, _every1)):" in text
    assert "_every1 = checkpoint_every(len(_range1))" in text
    assert s2s.grad(scalar_loop, checkpoint=True) is not s2s.grad(scalar_loop, checkpoint=1)   # (True == 1)
    text = s2s.source(s2s.grad(scalar_loop, checkpoint=5))
    assert "for _action1, _lo1, _hi1 in checkpoint_schedule(_steps1, 5):" in text


@pytest.mark.parametrize("bad", [0, -2, 1.5, "sqrt"])
def test_bad_checkpoint_is_refused(bad):
    with pytest.raises(s2s.S2SError, match="checkpoint= takes True or a number of snapshots"):
        s2s.grad(scalar_loop, checkpoint=bad)


def inputs_overwritten_after(x, n):
    c = n * 0.5
    s = 1.0
    for i in range(8):
        t = np.exp(x + c * 0.1 * i)
        s = s * t + 0.1
    c = 7.0
    return s * 2.0 + c


def test_what_the_loop_reads_is_kept_when_overwritten_after_it():
    """The backward pass of the loop reads t, not c (which is not differentiated); running the loop
    again reads c, which the statement after the loop overwrites: c must be recorded for it."""
    for checkpoint in (True, 2):
        g = s2s.grad(inputs_overwritten_after, checkpoint=checkpoint)(0.3, 3)
        np.testing.assert_allclose(g, numerical_grad(inputs_overwritten_after, (0.3, 3), 0), rtol=1e-6)


def inner_of_a_writing_loop(x):
    y = np.zeros(4)
    s = x
    for k in range(4):
        for j in range(6):
            s = np.sin(s + j * x) + 0.5 * s
        y[k] = s + 0.5 * y[k - 1]   # (y[-1] at the first trip, the last element: not run again)
    return np.sum(y * y)


@pytest.mark.parametrize("checkpoint", [True, 2])
@pytest.mark.parametrize("f", [inside_while, inner_of_a_writing_loop])
def test_a_loop_inside_another_is_checkpointed_each_trip(f, checkpoint):
    text = s2s.source(s2s.grad(f, checkpoint=checkpoint))
    assert "checkpoint_every(" in text or "checkpoint_schedule(" in text
    args = (0.3,)
    g = s2s.grad(f, checkpoint=checkpoint)(*args)
    np.testing.assert_allclose(g, numerical_grad(f, args, 0), rtol=1e-6)
    np.testing.assert_allclose(s2s.hvp(f, checkpoint=checkpoint)(*args, 1.0), _fd_hvp(f, args, 0, 1.0), rtol=1e-5)


def noisy_step(s, x):
    return np.sin(s) * x + 0.1 * np.random.randn() * s


def draws_noise(x):
    s = x
    for i in range(9):
        eps = np.random.randn()
        s = np.sin(s) * x + 0.1 * eps * s
    return s


def draws_noise_in_a_helper(x):
    s = x
    for i in range(9):
        s = noisy_step(s, x)
    return s


def prints(x):
    s = x
    for i in range(4):
        s = np.sin(s) * x
        print("trip", i)
    return s


@pytest.mark.parametrize("f", [draws_noise, draws_noise_in_a_helper])
def test_a_loop_that_draws_random_numbers_is_not_run_again(f):
    """Running it again would draw other numbers: it is recorded as without checkpointing."""
    g = s2s.grad(f, checkpoint=True)
    assert "checkpoint_every" not in s2s.source(g)

    def seeded(x):
        np.random.seed(3)
        return f(x)
    np.random.seed(3)
    np.testing.assert_allclose(g(0.4), numerical_grad(seeded, (0.4,), 0), rtol=1e-6)


def test_a_checkpointed_loop_prints_once(capsys):
    for checkpoint in (True, 2):
        g = s2s.grad(prints, checkpoint=checkpoint)
        assert "checkpoint_" in s2s.source(g)
        capsys.readouterr()
        got = g(0.4)
        assert capsys.readouterr().out == "".join(f"trip {i}\n" for i in range(4))
        np.testing.assert_allclose(got, numerical_grad(prints, (0.4,), 0), rtol=1e-6)


@pytest.mark.parametrize("checkpoint", [True, 3])
@pytest.mark.parametrize("f, args", [(with_break, (0.4, 30)), (nested, (0.5, 6)), (carried_from_last_trip, (0.4,))],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_second_order_reverse_over_a_checkpointed_gradient(f, args, checkpoint):
    got = s2s.grad(s2s.grad(f, checkpoint=checkpoint))(*args)
    np.testing.assert_allclose(got, numerical_grad(s2s.grad(f), args, 0, eps=1e-5), rtol=1e-5, atol=1e-8)


def trajectory(x0, k):
    """A simulation that keeps its trajectory: each trip writes its own row, which it never reads."""
    traj = np.zeros((31, x0.shape[0]))
    traj[0] = x0
    x = x0
    for t in range(30):
        x = x - 0.1 * k * np.sin(x) + 0.05 * np.roll(x, 1)
        traj[t + 1, :] = x
    return np.sum(traj ** 2) + np.sum(np.cos(traj[-1]))


def state_in_its_trajectory(x0, k):
    """A simulation whose state is the trajectory: each trip reads the row the trip before wrote."""
    traj = np.zeros((31, x0.shape[0]))
    traj[0] = x0
    for t in range(30):
        traj[t + 1] = traj[t] - 0.1 * k * np.sin(traj[t]) + 0.05 * np.roll(traj[t], 1)
    return np.sum(traj ** 2)


def leapfrog(x0, k):
    """Two steps back: trip t reads rows t and t - 1, writes row t + 1."""
    x = np.zeros((25, x0.shape[0]))
    x[0] = x0
    x[1] = x0 * 1.01
    for t in range(1, 24):
        x[t + 1] = 2.0 * x[t] - x[t - 1] - 0.01 * k * np.sin(x[t])
    return np.sum(x[-1] ** 2) + np.sum(np.cos(x))


def trajectory_returned(x0):
    out = np.zeros((12, 3))
    x = x0
    for t in range(12):
        x = np.sin(x) * 0.9 + 0.1 * x0
        out[t] = x
    return out


@pytest.mark.parametrize("checkpoint", [True, 1, 3])
@pytest.mark.parametrize("f", [trajectory, state_in_its_trajectory, leapfrog])
def test_a_loop_writing_its_own_rows_is_checkpointed(f, checkpoint):
    x0, k = rng.normal(size=3), 0.7
    df = s2s.grad(f, (0, 1), checkpoint=checkpoint)
    assert "checkpoint_" in s2s.source(df)
    plain = s2s.grad(f, (0, 1))(x0, k)
    for _ in range(2):   # the general code, then the code made for these shapes
        got = df(x0, k)
        for i in (0, 1):
            np.testing.assert_allclose(got[i], numerical_grad(f, (x0, k), i), rtol=1e-6, atol=1e-9)
            np.testing.assert_allclose(got[i], plain[i], rtol=1e-10, atol=1e-12)
    v = rng.normal(size=3)
    np.testing.assert_allclose(s2s.hvp(f, 0, checkpoint=checkpoint)(x0, k, v), _fd_hvp(f, (x0, k), 0, v),
                               rtol=1e-5, atol=1e-7)


def test_records_of_a_loop_writing_its_rows_fall_to_about_sqrt_of_trips():
    x0 = rng.normal(size=3)
    plain = _most_recorded(s2s.grad(trajectory), (x0, 0.7))
    every = _most_recorded(s2s.grad(trajectory, checkpoint=True), (x0, 0.7))
    assert plain >= 30 and every <= plain / 2


def changes_the_trajectory_it_gets(x0):
    out = trajectory_returned(x0)
    out[0] = out[0] * 2.0 + out[5]   # (the helper's backward runs its loop again, after this)
    return np.sum(out * out)


@pytest.mark.parametrize("checkpoint", [True, 2])
def test_the_array_a_checkpointed_loop_writes_may_be_returned(checkpoint):
    x0, ct = rng.normal(size=3), rng.normal(size=(12, 3))
    df = s2s.vjp(trajectory_returned, 0, checkpoint=checkpoint)
    assert "checkpoint_" in s2s.source(df)

    def f(x):
        return np.sum(trajectory_returned(x) * ct)
    np.testing.assert_allclose(df(x0, ct), numerical_grad(f, (x0,), 0), rtol=1e-6, atol=1e-9)
    value, g = s2s.value_and_grad(changes_the_trajectory_it_gets, checkpoint=checkpoint)(x0)
    assert value == changes_the_trajectory_it_gets(x0)
    np.testing.assert_allclose(g, numerical_grad(changes_the_trajectory_it_gets, (x0,), 0), rtol=1e-6, atol=1e-9)


def reads_ahead(x0, k):
    traj = x0 * np.ones(21)
    for t in range(20):
        traj[t] = traj[t + 1] - 0.1 * k * np.sin(traj[t + 1])   # a trip run again would read its own write
    return np.sum(traj ** 2)


def reads_the_whole_array(x):
    y = np.zeros(6)
    s = x
    for i in range(6):
        s = np.sin(s) * x + 0.01 * np.sum(y)
        y[i] = s
    return np.sum(y * y)


def writes_one_element_again(x):
    y = np.zeros(2)
    s = x
    for i in range(8):
        s = np.sin(s) + 0.3 * x
        y[0] = s
    return np.sum(y) * s


def writes_an_element_from_the_end(x):
    y = np.zeros(4)
    s = x
    for i in range(8):
        s = np.cos(s) * x
        y[i - 4] = s   # y[-4]..y[-1], then y[0]..y[3]: each element twice
    return np.sum(y * y)


def doubles_what_it_reads(x):
    y = x * np.ones(6)
    s = x
    for i in range(6):
        s = np.sin(s) * x
        y[i] = y[i] * s   # a trip run again would read what it wrote
    return np.sum(y * y)


def read_before_the_loop(x):
    y = x * np.ones(5)
    first = np.sum(y * y)
    s = x
    for i in range(5):
        s = np.sin(s) * x
        y[i] = s
    return first + np.sum(y)


@pytest.mark.parametrize("f", [reads_ahead, reads_the_whole_array, writes_one_element_again,
                               writes_an_element_from_the_end, doubles_what_it_reads, read_before_the_loop])
def test_a_loop_whose_writes_a_run_again_could_change_is_recorded(f):
    """Such a loop is recorded as without checkpointing, and its derivative is exact."""
    args = (0.4, 0.7)[:f.__code__.co_argcount]
    g = s2s.grad(f, checkpoint=True)
    assert "checkpoint_" not in s2s.source(g)
    np.testing.assert_allclose(g(*args), numerical_grad(f, args, 0), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("checkpoint", [True, 2])
def test_hvp_through_a_helper_whose_loop_is_checkpointed(checkpoint):
    """Seed 1501: the helper's forward sweep saves its loop's range; forward mode made a zero
    tangent of it as if it were an array."""
    from tests import corpus_issue14_seed1501 as program
    x, y, n = 0.0135, np.array([0.0234, 0.0568, 0.0891]), 1
    got = s2s.hvp(program.f, 0, checkpoint=checkpoint)(x, y, n, 1.0)
    np.testing.assert_allclose(got, _fd_hvp(program.f, (x, y, n), 0, 1.0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got, s2s.hvp(program.f, 0)(x, y, n, 1.0), rtol=1e-10, atol=1e-12)


def rnn_states(W, xs):
    h = np.zeros(W.shape[0])
    hs = [h]
    for x in xs:
        h = np.tanh(W @ h + x)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2) + np.sum(hs[3] * hs[-1])


def reads_its_list(x):
    hs = [x]
    for i in range(6):
        hs.append(np.sin(hs[-1]) * x + 0.1)   # a trip run again would read the last trip's
    return sum(hs)


@pytest.mark.parametrize("checkpoint", [True, 1, 3])
def test_a_loop_appending_to_a_list_is_checkpointed(checkpoint):
    """A trip run again does not append: the list holds what it appended; the backward sweep
    takes each trip's element off, last first."""
    df = s2s.grad(rnn_states, checkpoint=checkpoint)
    text = s2s.source(df)
    appends = [line for line in text.splitlines() if line.strip() == "hs.append(h)"]
    assert "checkpoint_" in text and len(appends) == 1   # the first run's (neither the segments' nor advances')
    for _ in range(2):
        np.testing.assert_allclose(df(W, XS), numerical_grad(rnn_states, (W, XS), 0), rtol=1e-6, atol=1e-9)
    v = rng.normal(size=W.shape)
    np.testing.assert_allclose(s2s.hvp(rnn_states, 0, checkpoint=checkpoint)(W, XS[:8], v),
                               _fd_hvp(rnn_states, (W, XS[:8]), 0, v), rtol=1e-5, atol=1e-7)


def test_a_loop_reading_the_list_it_appends_to_is_recorded():
    g = s2s.grad(reads_its_list, checkpoint=True)
    assert "checkpoint_" not in s2s.source(g)
    np.testing.assert_allclose(g(0.4), numerical_grad(reads_its_list, (0.4,), 0), rtol=1e-6)


@pytest.mark.parametrize("checkpoint", [True, 2])
def test_hvp_slices_the_tangent_of_a_checkpointed_loops_range(checkpoint):
    """Seed 1506: the range's zero tangent must slice and index as the range does."""
    from tests import corpus_issue14_seed1506 as program
    x, y = np.array([0.0123, 0.0457, 0.0789]), np.array([0.0234, 0.0568, 0.0891])
    v = np.array([1.0, -0.5, 0.25])
    got = s2s.hvp(program.f, 0, checkpoint=checkpoint)(x, y, 1, v)
    np.testing.assert_allclose(got, s2s.hvp(program.f, 0)(x, y, 1, v), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got, _fd_hvp(program.f, (x, y, 1), 0, v), rtol=1e-5, atol=1e-7)


def reads_the_length_of_its_list(x):
    hs = [x]
    s = x
    for i in range(6):
        s = np.sin(s) * x + 0.1 * len(hs) * s   # the length each trip saw: a run again would see all
        hs.append(s)
    return sum(hs)


def test_a_loop_reading_the_length_of_the_list_it_appends_to_is_recorded():
    """An array keeps its shape when written into; a list grows with each append: `len(hs)` is a
    value the trip read (checkpointed, the gradient was 15.6 for 4.94)."""
    for checkpoint in (True, 2):
        g = s2s.grad(reads_the_length_of_its_list, checkpoint=checkpoint)
        assert "checkpoint_" not in s2s.source(g)
        np.testing.assert_allclose(g(0.4), numerical_grad(reads_the_length_of_its_list, (0.4,), 0), rtol=1e-6)


@pytest.mark.parametrize("case", CASES + [(trajectory, (np.array([0.3, -0.2, 0.5]), 0.8), (0, 1))], ids=_id)
def test_jit_compiles_checkpointed_gradients_or_refuses_them(case, monkeypatch):
    """Compiled, a checkpointed gradient gives what it gives uncompiled (its segments run over
    parts of ranges: `range_part`, `reversed_range`), or s2s.jit says why it cannot compile it."""
    pytest.importorskip("numba")
    monkeypatch.setenv("S2S_JIT_BACKGROUND", "0")   # (the compiled code is what is checked)
    f, args, wrt = case
    eager = s2s.grad(f, wrt=wrt, checkpoint=True)
    try:
        compiled = s2s.jit(eager, cache=False)
        for _ in range(2):   # the general code, then the code for these shapes
            got = compiled(*args)
    except s2s.JitError as error:   # (what Numba cannot type in this function's code)
        assert "does not compile derivatives checkpointed" not in str(error)
        assert f not in (scalar_loop, rnn, nested, inside_while, writes_in_place, trajectory), str(error)
        return
    want = eager(*args)
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_jit_says_it_does_not_compile_the_binomial_schedule_yet():
    pytest.importorskip("numba")
    with pytest.raises(s2s.JitError, match=r"checkpointed with a number of snapshots yet \(checkpoint=k"):
        s2s.jit(s2s.grad(scalar_loop, checkpoint=3))(0.3, 0.7)
