"""Property tests for forward mode and second order on random programs (see proggen.py).

- jvp against the finite-difference gradient: the tangent along (u, w) equals
  <grad_x, u> + <grad_y, w>, with finite differences as the oracle;
- the adjoint identity between the two modes, <jvp(u), s> = <u, vjp(s)>;
- hvp (forward over reverse) against central differences of the gradient,
  at points where differences with two step sizes agree.
"""
import os

import numpy as np
import pytest
from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st

import corpus_data
import differential
import proggen
import proggen_hazards
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
        value = proggen.evaluate(module.f, args)   # nan where f overflows, or math.cos of an inf raises
        assume(np.isfinite(value) and abs(value) < 1e6)
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


# ---- issue 9: programs with hazards (proggen_hazards.py): right, or refused when built ----------

HAZARDS = tuple(os.environ["S2S_HAZARDS"].split(",")) if os.environ.get("S2S_HAZARDS") else tuple(proggen_hazards.HAZARDS)


def _hazard(progdir, data, modes):
    program = data.draw(proggen_hazards.programs(HAZARDS), label="program")
    args = data.draw(proggen.inputs_for(program), label="inputs (x, y, n)")
    note(f"--- program ---\n{program.source}--- inputs ---\nx, y, n = {args!r}")
    module = proggen.load_program(program.source, progdir)
    directions = [_direction(data, a) for a in args[:2]]
    outcomes = {}
    try:
        for mode in modes:
            outcomes[mode] = differential.check(module.f, args, mode, directions, refuse_ok=True)
            event(f"{mode}: {outcomes[mode]}")
    except differential.Finding as exc:
        pytest.fail(f"{exc}\n--- program ---\n{program.source}")
    finally:
        proggen.unload(module)
    return outcomes


@differential.hazard_settings()
@given(data=st.data())
def test_hazard_program_jvp_is_right_or_refused_like_grad(progdir, data):
    """jvp matches finite differences or is refused when built, and exactly when grad is refused:
    the two modes accept the same language (SPEC section 6)."""
    outcomes = _hazard(progdir, data, ("jvp", "grad"))
    refused = {m for m, o in outcomes.items() if o == "refused"}
    assert refused in (set(), {"jvp", "grad"}), f"only {sorted(refused)} refused the program"


@differential.hazard_settings()
@given(data=st.data())
def test_hazard_program_second_order_is_right_or_refused(progdir, data):
    """hvp, and grad(grad(f)) for a float x, against second differences of f (or refused when built)."""
    _hazard(progdir, data, ("hvp", "gradgrad"))


@pytest.mark.parametrize("func, args", corpus_data.ISSUE_9_SECOND_ORDER,
                         ids=[f.__name__ for f, *_ in corpus_data.ISSUE_9_SECOND_ORDER])
def test_issue_9_second_order_cases(func, args):
    """grad(grad(f)) of the cases the differential tester found, against second differences of f."""
    h = 1e-4
    expected = (func(args[0] + h, *args[1:]) - 2 * func(*args) + func(args[0] - h, *args[1:])) / h ** 2
    got = s2s.grad(s2s.grad(func, wrt=0), wrt=0)(*args)
    assert float(got) == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("func, args", corpus_data.ISSUE_9_SAME_LANGUAGE,
                         ids=[f.__name__ for f, *_ in corpus_data.ISSUE_9_SAME_LANGUAGE])
def test_issue_9_modes_accept_the_same_language(func, args):
    """What one mode refuses, every mode refuses (SPEC section 6)."""
    refused = set()
    for name, transform in (("grad", s2s.grad), ("jvp", s2s.jvp), ("hvp", s2s.hvp)):
        try:
            transform(func, wrt=0)
        except s2s.S2SError:
            refused.add(name)
    assert refused in (set(), {"grad", "jvp", "hvp"}), f"only {sorted(refused)} refused {func.__name__}"
