"""Random programs against autograd, an independent oracle (see differential.py).

The same generated source runs a second time with ``np`` bound to
``autograd.numpy`` (programs that do not run under autograd, e.g. those that
write into arrays, are skipped with ``assume``).  s2s's gradient (reverse),
jvp (forward), hvp (forward over reverse) and, for a float x, grad of grad
must match autograd's; where the two disagree, central differences of the
plain function decide (autograd has its own conventions at some points).

- ``proggen``'s programs are in the supported language: s2s must accept them.
- ``proggen_hazards``' programs (issue 9) may be refused with ``S2SError``
  when the derivative is built; otherwise they must be right.  Classes where
  autograd's conventions differ from the true derivative (``singular``,
  ``linalg``) are left to the finite-difference tests.

``S2S_HYPOTHESIS_PROFILE=deep`` runs many more examples; ``S2S_HAZARDS=views,lists``
restricts the hazard classes.
"""
import os

import numpy as np
import pytest
from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st

import differential
import proggen
import proggen_hazards

pytest.importorskip("autograd")

AUTOGRAD_HAZARDS = tuple(h for h in proggen_hazards.HAZARDS if h not in ("singular", "linalg"))
HAZARDS = tuple(os.environ["S2S_HAZARDS"].split(",")) if os.environ.get("S2S_HAZARDS") else AUTOGRAD_HAZARDS


@pytest.fixture(scope="module")
def progdir(tmp_path_factory):
    return tmp_path_factory.mktemp("random_autograd")


def _direction(data, a):
    values = data.draw(st.lists(st.floats(-1, 1), min_size=np.size(a), max_size=np.size(a)), label="direction")
    return np.array(values).reshape(np.shape(a)) if isinstance(a, np.ndarray) else float(values[0])


def _run(progdir, data, strategy, refuse_ok, modes=differential.MODES):
    program = data.draw(strategy, label="program")
    args = data.draw(proggen.inputs_for(program), label="inputs (x, y, n)")
    note(f"--- program ---\n{program.source}--- inputs ---\nx, y, n = {args!r}")
    module = proggen.load_program(program.source, progdir)
    try:
        af = differential.autograd_version(program.source, module.__file__, args)
        event("runs under autograd" if af else "does not run under autograd")
        assume(af is not None)
        directions = [_direction(data, a) for a in args[:2]]
        for mode in modes:
            try:
                outcome = differential.check(module.f, args, mode, directions, refuse_ok=refuse_ok, af=af)
            except differential.Finding as exc:
                pytest.fail(f"{exc}\n--- program ---\n{program.source}--- inputs ---\nx, y, n = {args!r}")
            event(f"{mode}: {outcome}")
    finally:
        proggen.unload(module)


@settings(max_examples=max(5, settings.default.max_examples // 8))
@given(data=st.data())
def test_programs_match_autograd(progdir, data):
    _run(progdir, data, proggen.programs(), refuse_ok=False, modes=("grad", "jvp", "hvp"))


@differential.hazard_settings(fraction=8)
@given(data=st.data())
def test_programs_grad_of_grad_match_autograd(progdir, data):
    _run(progdir, data, proggen.programs(), refuse_ok=False, modes=("gradgrad",))


@differential.hazard_settings()
@given(data=st.data())
def test_hazard_programs_match_autograd_or_are_refused(progdir, data):
    _run(progdir, data, proggen_hazards.programs(HAZARDS), refuse_ok=True)
