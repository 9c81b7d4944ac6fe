"""A loop's backward sweep computes cheap temporaries again instead of recording them
(transforms/recompute.py, issue 12): fewer values pushed per trip, the same gradients. Each case
is checked against central differences, through the general code and the code for known shapes;
what must not be computed again (an operand assigned in between, a branch in between, a
function that writes into arrays) is read in the generated code."""
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


CASES = [(scalar_loop, (0, 1), (0.3, 0.4)),
         (reaction_diffusion, (0, 1), (np.linspace(-1.0, 1.0, 6), 0.2)),
         (reassigned_between, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7)),
         (branch_between, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7)),
         (writes_into_arrays, (0, 1), (np.array([0.3, -0.2, 0.5]), 0.7))]


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


def test_what_cannot_be_computed_again_is_recorded():
    assert "_stack.append(t)" in s2s.source(s2s.grad(reassigned_between, wrt=(0, 1)))
    assert "_stack.append(t)" in s2s.source(s2s.grad(writes_into_arrays, wrt=(0, 1)))
