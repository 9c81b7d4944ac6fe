"""Property tests for forward mode and second order on random programs (see proggen.py).

- jvp against the finite-difference gradient: the tangent along (u, w) equals
  <grad_x, u> + <grad_y, w>, with finite differences as the oracle;
- the adjoint identity between the two modes, <jvp(u), s> = <u, vjp(s)>;
- hvp (forward over reverse) against central differences of the gradient,
  at points where differences with two step sizes agree.
"""
import numpy as np
import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

import proggen
import s2s

WRT = (0, 1)


@pytest.fixture(scope="module")
def progdir(tmp_path_factory):
    return tmp_path_factory.mktemp("random_forward")


def _draw(data, progdir):
    program = data.draw(proggen.programs(), label="program")
    x, y, n = data.draw(proggen.inputs_for(program), label="inputs (x, y, n)")
    note(f"--- program ---\n{program.source}--- inputs ---\nx = {x!r}\ny = {y!r}\nn = {n!r}")
    return program, proggen.load_program(program.source, progdir), (x, y, n)


def _direction(data, a):
    values = data.draw(st.lists(st.floats(-1, 1), min_size=np.size(a), max_size=np.size(a)), label="direction")
    return np.array(values).reshape(np.shape(a)) if isinstance(a, np.ndarray) else float(values[0])


@given(data=st.data())
def test_jvp_matches_finite_difference_gradient(progdir, data):
    program, module, args = _draw(data, progdir)
    try:
        try:
            value, expected, noise = proggen.fd_gradient(module.f, args, WRT)
        except proggen.Unreliable:
            assume(False)
        us = [_direction(data, args[i]) for i in WRT]
        with np.errstate(all="ignore"):
            got_value, tangent = s2s.jvp(module.f, wrt=WRT)(*args, *us)
        directional = sum(float(np.sum(np.asarray(e) * u)) for e, u in zip(expected, us))
        tol = 1e-6 + 1e-4 * abs(directional) + 2.0 * sum(float(np.sum(np.abs(err))) for err in noise)
        assert abs(float(tangent) - directional) <= tol, (tangent, directional, program.source)
        assert got_value == pytest.approx(value, rel=1e-12, abs=1e-12)
    finally:
        proggen.unload(module)


@given(data=st.data())
def test_adjoint_identity_between_forward_and_reverse(progdir, data):
    program, module, args = _draw(data, progdir)
    try:
        us = [_direction(data, args[i]) for i in WRT]
        seed = data.draw(st.floats(-2, 2), label="seed")
        with np.errstate(all="ignore"):
            value, tangent = s2s.jvp(module.f, wrt=WRT)(*args, *us)
            cotangents = s2s.vjp(module.f, wrt=WRT)(*args, seed)
        assume(np.isfinite(value) and abs(value) < 1e6)
        left = float(tangent) * seed
        right = sum(float(np.sum(np.asarray(c) * u)) for c, u in zip(cotangents, us))
        assert left == pytest.approx(right, rel=1e-9, abs=1e-9), program.source
    finally:
        proggen.unload(module)


@given(data=st.data())
def test_hvp_matches_differences_of_the_gradient(progdir, data):
    program, module, args = _draw(data, progdir)
    try:
        v = _direction(data, args[0])
        with np.errstate(all="ignore"):
            gradient = s2s.grad(module.f, wrt=0)
            try:
                value, _, _ = proggen.fd_gradient(module.f, args, WRT)  # rejects kinks and huge values
            except proggen.Unreliable:
                assume(False)

            def central(h):
                return (np.asarray(gradient(args[0] + h * v, *args[1:]), dtype=float)
                        - np.asarray(gradient(args[0] - h * v, *args[1:]), dtype=float)) / (2 * h)
            small, large = central(1e-5), central(1e-4)
            got = np.asarray(s2s.hvp(module.f, wrt=0)(*args, v), dtype=float)
        assume(np.all(np.isfinite(small)) and np.allclose(small, large, rtol=1e-3, atol=1e-5))
        np.testing.assert_allclose(got, small, rtol=1e-4, atol=1e-5, err_msg=program.source)
    finally:
        proggen.unload(module)
