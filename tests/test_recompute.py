"""A loop's backward sweep computes cheap temporaries again instead of recording them
(transforms/recompute.py, issue 12): fewer values pushed per trip, the same gradients. Each case
is checked against central differences, through the general code and the code for known shapes;
what must not be computed again (an operand assigned in between, a branch in between, a
function that writes into arrays) is read in the generated code. A loop that keeps its state in
an array (`xs[t + 1] = f(xs[t])`) records nothing of it: its adjoints read the array."""
import numpy as np
import pytest

import s2s
from oracles import general_code, numerical_grad


def scalar_loop(a, b):
    z = 0.0
    for i in range(20):
        z = a * np.cos(z + i) + z * np.sin(b - i)
    return z


def reaction_diffusion(u0, c):
    u = u0
    for step in range(4):
        lap = np.roll(u, 1) + np.roll(u, -1) - 2 * u
        u = u + c * lap - 0.01 * u * u * u
    return np.sum(u * u)


def reassigned_between(x, a):
    s = x
    for k in range(3):
        t = s * a          # t's operand s is assigned again before t's adjoint reads it
        s = np.sin(s)
        s = s * t
    return np.sum(s)


def branch_between(x, a):
    s = x
    for k in range(3):
        t = s * a
        if np.sum(s) > 0:
            s = s + 1.0
        s = np.tanh(t * s)
    return np.sum(s)


def writes_into_arrays(x, a):
    y = x.copy()
    for k in range(3):
        t = y * a
        y[0] = 2.0 * y[1]
        y = np.sin(t) * y
    return np.sum(y)


def state_in_its_trajectory(x0, k):
    xs = np.zeros((9, x0.shape[0]))
    xs[0] = x0
    for t in range(8):
        xs[t + 1] = xs[t] - 0.1 * k * np.sin(xs[t]) + 0.05 * np.roll(xs[t], 1)
    return np.sum(xs ** 2) + np.sum(np.cos(xs[-1]))


def keeps_its_trajectory(x0, k):
    traj = np.zeros((8, x0.shape[0]))
    x = x0
    for t in range(8):
        x = x - 0.1 * k * np.sin(x)
        traj[t] = x
    return np.sum(traj * traj)


def trajectory_twice(x0, k):
    """The loop runs twice over one array (inside another loop): the second run overwrites the
    first's elements, which the first run's adjoints read."""
    xs = np.zeros((5, x0.shape[0]))
    xs[0] = x0
    total = 0.0
    for r in range(2):
        for t in range(4):
            xs[t + 1] = np.sin(xs[t]) * k + 0.1 * r
        total = total + np.sum(xs * xs)
    return total


CASES = [(scalar_loop, (0, 1), (0.3, 0.4)),
         (reaction_diffusion, (0, 1), (np.linspace(-1.0, 1.0, 6), 0.2)),
         (reassigned_between, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7)),
         (branch_between, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7)),
         (writes_into_arrays, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7)),
         (state_in_its_trajectory, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7)),
         (keeps_its_trajectory, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7)),
         (trajectory_twice, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7))]


@pytest.mark.parametrize("f, wrt, point", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradients_match_finite_differences(f, wrt, point):
    g = s2s.grad(f, wrt=wrt)
    for run in (lambda: (g(*point), g(*point))[1], lambda: _general(g, point)):   # (the second call: code
                                                                                   # for the shapes)
        grads = run()
        for k, d in zip(wrt, grads):
            np.testing.assert_allclose(d, numerical_grad(f, list(point), k), rtol=1e-6, atol=1e-8)
    # second order (hvp reads the code again): v . H v against a second difference of f along v
    x, rest = point[0], point[1:]
    v = np.linspace(0.5, 1.0, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 1.0
    vhv = np.sum(v * s2s.hvp(f, wrt=0)(x, *rest, v))
    h = 1e-4
    second = (f(x + h * v, *rest) - 2 * f(x, *rest) + f(x - h * v, *rest)) / h ** 2
    np.testing.assert_allclose(vhv, second, rtol=1e-4, atol=1e-5)


def _general(g, point):
    with general_code(g):
        return g(*point)


def test_a_scalar_loop_records_its_state_not_its_sums():
    text = s2s.source(s2s.grad(scalar_loop, wrt=(0, 1)))
    assert "np.sin(z + i)" in text and "np.cos(b - i)" in text
    assert "_stack.append(_3)" not in text and "_stack.append(_6)" not in text
    assert "_stack.append(_2)" in text   # np.cos(z + i) of a number: recorded, cheaper than a second cosine


def test_an_array_loop_records_what_a_person_keeps():
    u0 = np.linspace(-1.0, 1.0, 6)
    text = s2s.source(s2s.grad(reaction_diffusion, wrt=(0, 1)), like=(u0, 0.2))
    assert sorted(set(line.strip() for line in text.splitlines() if "_stack.append(" in line)) == [
        "_stack.append(lap)", "_stack.append(u)"]


@pytest.mark.parametrize("f", [state_in_its_trajectory, keeps_its_trajectory])
def test_a_simulation_keeping_its_trajectory_records_its_state_at_most(f):
    """The trajectory is the tape: a trip's adjoints read the rows earlier trips wrote, which no
    later trip overwrites; nothing else but the state a trip rebinds is recorded."""
    x0 = np.array([0.3, -0.2, 0.5])
    assert "copy_of(" not in s2s.source(s2s.grad(f, wrt=(0, 1)))   # (general code keeps `np.sin(x)`: it
    text = s2s.source(s2s.grad(f, wrt=(0, 1)), like=(x0, 0.7))     # may be a number's)
    pushed = sorted(set(line.strip() for line in text.splitlines() if "_stack.append(" in line))
    assert pushed == ([] if f is state_in_its_trajectory else ["_stack.append(x)"]), pushed


def test_what_cannot_be_computed_again_is_recorded():
    assert "_stack.append(t)" in s2s.source(s2s.grad(reassigned_between, wrt=(0, 1)))
    assert "_stack.append(t)" in s2s.source(s2s.grad(writes_into_arrays, wrt=(0, 1)))
    assert "_stack.append(copy_of(xs[" in s2s.source(s2s.grad(trajectory_twice, wrt=(0, 1)))


def nested_index_loops(x, y):
    s = 0.0
    for e0 in y:
        for i1 in range(len(y)):   # its index is read only inside it: set again by its backward loop
            s = s + np.sin(x * e0 * i1)
    return s


def range_loop_with_break(x, n):
    s = x
    for i in range(n):
        s = np.sin(s * (i + 1))
        if s < -0.5:
            break
    return s


def test_loops_over_indices_run_backward_over_the_same_indices():
    text = s2s.source(s2s.grad(scalar_loop, wrt=(0, 1)))
    assert "for i in reversed(range(20)):" in text and "_stack.append(i)" not in text
    text = s2s.source(s2s.grad(range_loop_with_break, wrt=0))
    assert "for i in reversed(range(n)[:_trips1]):" in text   # the indices it reached
    for x in (0.3, 1.7, -2.0):
        np.testing.assert_allclose(s2s.grad(range_loop_with_break, wrt=0)(x, 6),
                                   numerical_grad(range_loop_with_break, [x, 6], 0), rtol=1e-6)


def test_second_order_through_nested_index_loops():
    """The differential tester's seed 9017: the generated code's nested index loops, differentiated
    again, crashed (an inner loop's index reached the outer loop's head)."""
    y = np.array([0.3, -1.2, 0.5])
    dd = s2s.grad(s2s.grad(nested_index_loops, wrt=0), wrt=0)
    for x in (0.4, -0.9):
        h = 1e-4
        d = s2s.grad(nested_index_loops, wrt=0)
        second = (nested_index_loops(x + h, y) - 2 * nested_index_loops(x, y) + nested_index_loops(x - h, y)) / h ** 2
        np.testing.assert_allclose(dd(x, y), second, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(d(x, y), numerical_grad(nested_index_loops, [x, y], 0), rtol=1e-6)


def test_the_differential_testers_seed_9017_in_every_mode():
    import differential
    import corpus_issue12_seed9017 as program
    args = (0.27482085919163873, np.array([0.3251228238786571, -1.4559183344690427, -0.572101110151013]), 4)
    directions = differential.directions_for(args, np.random.default_rng(9017 + 10 ** 6))
    for mode in ("grad", "jvp", "hvp", "gradgrad"):
        assert differential.check(program.f, args, mode, directions, refuse_ok=True) in ("right", "refused",
                                                                                          "unreliable")
