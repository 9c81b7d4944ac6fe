"""Property test: s2s reverse-mode gradients of random programs vs finite differences.

Each example is a small generated module (see ``proggen.py``) defining
``f(x, y, n)`` and maybe helpers, written to a real file so that s2s can read
its source.  ``s2s.grad(f, wrt=(0, 1))`` must accept it (an ``S2SError`` is a
failure: everything generated is in the supported language) and its gradient
must match central finite differences, with each argument's shape and float64
dtype, without changing the inputs, and without hanging.  Points where finite
differences cannot be trusted (near a kink or a branch switch, huge or
non-finite values) are rejected with ``assume``; ``--hypothesis-show-statistics``
counts them.

Example count comes from the Hypothesis profile (tests/conftest.py):
``S2S_HYPOTHESIS_PROFILE=deep pytest tests/test_random_programs.py``.
"""

import os

import numpy as np
import pytest
from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st

import differential
import proggen
import proggen_hazards
import s2s

RTOL = 1e-4
ATOL = 1e-6
FD_NOISE = 2.0
TIME_LIMIT = 30  # seconds, for s2s.grad and for one call of the gradient; f takes milliseconds
_TooSlow, _time_limit = differential._TooSlow, differential.time_limit  # a hang becomes a failure
WRT = (0, 1)


@pytest.fixture(scope="module")
def progdir(tmp_path_factory):
    return tmp_path_factory.mktemp("random_programs")


def _copy(a):
    return a.copy() if isinstance(a, np.ndarray) else a


def _check_gradient_type(g, arg, i, source):
    where = f"gradient {i} of\n{source}"
    if isinstance(arg, np.ndarray):
        assert isinstance(g, np.ndarray), f"expected an array, got {type(g).__name__}: {where}"
        assert g.shape == arg.shape, f"shape {g.shape} != {arg.shape}: {where}"
        assert g.dtype == np.float64, f"dtype {g.dtype} != float64: {where}"
    else:
        ok = isinstance(g, (float, np.floating)) or (isinstance(g, np.ndarray) and g.shape == ())
        assert ok, f"expected a float (or 0-d array) for a float argument, got {g!r}: {where}"
        assert np.asarray(g).dtype == np.float64, f"dtype {np.asarray(g).dtype} != float64: {where}"


@given(data=st.data())
def test_random_program_gradient_matches_finite_differences(progdir, data):
    program = data.draw(proggen.programs(), label="program")
    x, y, n = data.draw(proggen.inputs_for(program), label="inputs (x, y, n)")
    source = program.source
    note(f"--- program ---\n{source}--- inputs ---\nx = {x!r}\ny = {y!r}\nn = {n!r}")

    module = proggen.load_program(source, progdir)
    try:
        f = module.f
        try:
            with _time_limit(TIME_LIMIT):
                df = s2s.grad(f, wrt=WRT)
        except s2s.S2SError as exc:
            pytest.fail(f"s2s rejected a program in the supported language:\n{exc}\n--- program ---\n{source}")
        except _TooSlow:
            pytest.fail(f"s2s.grad took more than {TIME_LIMIT} s\n--- program ---\n{source}")

        args = (x, y, n)
        try:
            value, expected, noise = proggen.fd_gradient(f, args, WRT)
        except proggen.Unreliable as exc:
            note(f"rejected: {exc}")
            event(f"rejected: {exc.args[0].split(' for ')[0].split(' ')[0]}")  # --hypothesis-show-statistics
            assume(False)

        # the first call runs the general code; the second, the code s2s makes for these shapes
        for which in ("general code", "code for these shapes"):
            call_args = tuple(_copy(a) for a in args)
            try:
                with _time_limit(TIME_LIMIT), np.errstate(all="ignore"):
                    got = df(*call_args)
            except _TooSlow:
                pytest.fail(f"the gradient did not return within {TIME_LIMIT} s (f takes milliseconds)\n"
                            f"--- program ---\n{source}")
            for before, after in zip(args, call_args):
                assert np.array_equal(before, after), f"s2s's gradient changed its inputs:\n{source}"

            assert isinstance(got, tuple) and len(got) == len(WRT), f"expected a tuple of {len(WRT)}, got {got!r}"
            for i, (g, e, err) in enumerate(zip(got, expected, noise)):
                _check_gradient_type(g, args[i], i, source)
                g, e = np.asarray(g, dtype=float), np.asarray(e, dtype=float)
                # FD_NOISE * err covers the rounding error of the finite differences
                # where f's intermediate values are large
                tol = ATOL + RTOL * np.abs(e) + FD_NOISE * np.asarray(err)
                assert np.all(np.abs(g - e) <= tol), (
                    f"gradient wrt {'xy'[i]} (argument {i}) is wrong ({which})\n"
                    f"  s2s:                {g!r}\n  finite differences: {e!r}\n"
                    f"  |difference|:       {np.abs(g - e)!r}\n  tolerance:          {tol!r}\n"
                    f"x = {x!r}, y = {y!r}, n = {n!r}, f(x, y, n) = {value!r}\n--- program ---\n{source}"
                )
    finally:
        proggen.unload(module)


@settings(max_examples=max(10, settings.default.max_examples // 4))
@given(data=st.data(), checkpoint=st.sampled_from([True, 1, 2, 3]))
def test_checkpointed_gradient_matches_finite_differences(progdir, data, checkpoint):
    """The same programs with their loops checkpointed (`checkpoint=`): the gradient is the one
    finite differences give, and the one without checkpointing."""
    program = data.draw(proggen.programs(), label="program")
    args = data.draw(proggen.inputs_for(program), label="inputs (x, y, n)")
    note(f"--- program ---\n{program.source}--- inputs ---\nx, y, n = {args!r}\ncheckpoint={checkpoint!r}")
    module = proggen.load_program(program.source, progdir)
    try:
        try:
            value, expected, noise = proggen.fd_gradient(module.f, args, WRT)
        except proggen.Unreliable:
            assume(False)
        df = s2s.grad(module.f, wrt=WRT, checkpoint=checkpoint)
        with _time_limit(TIME_LIMIT), np.errstate(all="ignore"):
            plain = s2s.grad(module.f, wrt=WRT)(*tuple(_copy(a) for a in args))
        for which in ("general code", "code for these shapes"):
            with _time_limit(TIME_LIMIT), np.errstate(all="ignore"):
                got = df(*tuple(_copy(a) for a in args))
            for i, (g, p, e, err) in enumerate(zip(got, plain, expected, noise)):
                _check_gradient_type(g, args[i], i, program.source)
                g, p, e = (np.asarray(v, dtype=float) for v in (g, p, e))
                tol = ATOL + RTOL * np.abs(e) + FD_NOISE * np.asarray(err)
                assert np.all(np.abs(g - e) <= tol), (f"checkpointed gradient {i} is wrong ({which})\n  s2s: {g!r}\n"
                                                      f"  finite differences: {e!r}\n{program.source}")
                np.testing.assert_allclose(g, p, rtol=1e-7, atol=1e-10, err_msg=program.source)
    finally:
        proggen.unload(module)


@settings(max_examples=max(10, settings.default.max_examples // 4))
@given(data=st.data())
def test_reading_a_view_after_a_write_is_rejected(progdir, data):
    """The same programs, but f reads a view of an array after writing into it:
    s2s must refuse them (both modes) rather than give a wrong derivative."""
    program = data.draw(proggen.programs(stale_view=True), label="program")
    assume("# stale:" in program.source)
    note(f"--- program ---\n{program.source}")
    module = proggen.load_program(program.source, progdir)
    try:
        with pytest.raises(s2s.UnsupportedError, match="modified in place"):
            s2s.grad(module.f, wrt=WRT)
        with pytest.raises(s2s.UnsupportedError, match="modified in place"):
            s2s.jvp(module.f, wrt=WRT)
    finally:
        proggen.unload(module)


# ---- issue 9: programs with hazards (proggen_hazards.py): right, or refused when built ----------

HAZARDS = tuple(os.environ["S2S_HAZARDS"].split(",")) if os.environ.get("S2S_HAZARDS") else tuple(proggen_hazards.HAZARDS)


@differential.hazard_settings()
@given(data=st.data())
def test_hazard_program_gradient_is_right_or_refused(progdir, data):
    """Views and aliases, mutating helpers, repeated indices, list operators, closures,
    attributes, complex constants, singular points ...: s2s's gradient matches finite
    differences, or s2s raises S2SError when it is built. ``S2S_HAZARDS=views,lists``
    restricts the classes."""
    program = data.draw(proggen_hazards.programs(HAZARDS), label="program")
    args = data.draw(proggen.inputs_for(program), label="inputs (x, y, n)")
    note(f"--- program ---\n{program.source}--- inputs ---\nx, y, n = {args!r}")
    module = proggen.load_program(program.source, progdir)
    try:
        outcome = differential.check(module.f, args, "grad", None, refuse_ok=True)
    except differential.Finding as exc:
        pytest.fail(f"{exc}\n--- program ---\n{program.source}")
    finally:
        proggen.unload(module)
    event(f"grad: {outcome}")


@differential.hazard_settings()
@given(data=st.data(), checkpoint=st.sampled_from([True, 2]), mode=st.sampled_from(["grad", "hvp"]))
def test_hazard_program_checkpointed_is_right_or_refused(progdir, data, checkpoint, mode):
    """The hazard programs with their loops checkpointed: a gradient (and hvp) that matches finite
    differences, or S2SError when it is built."""
    program = data.draw(proggen_hazards.programs(HAZARDS), label="program")
    args = data.draw(proggen.inputs_for(program), label="inputs (x, y, n)")
    directions = differential.directions_for(args, np.random.default_rng(0))
    note(f"--- program ---\n{program.source}--- inputs ---\nx, y, n = {args!r}\ncheckpoint={checkpoint!r}")
    module = proggen.load_program(program.source, progdir)
    try:
        outcome = differential.check(module.f, args, mode, directions, refuse_ok=True, checkpoint=checkpoint)
    except differential.Finding as exc:
        pytest.fail(f"{exc}\n--- program ---\n{program.source}")
    finally:
        proggen.unload(module)
    event(f"{mode}: {outcome}")
