"""pytest plugin of `tests/autograd_suite.py`: a per-test time limit, and one JSON line per result.

Loaded with `-p autograd_shim.plugin`. Environment: AGSUITE_RESULTS (the JSON-lines file
to append to), AGSUITE_TIMEOUT (seconds per test, SIGALRM; 0 for none).

Each line: nodeid, file, outcome (passed / failed / error / skipped / n/a), cause (a
message class, e.g. "no derivative rule for `…`"), detail (what fills it, e.g.
"np.fft.fft"), message (the first line of the exception), where (in the test, inside s2s
while generating, in generated code or s2s.runtime while running), checks (first-order
checks that passed before the end) and seconds.
"""
from __future__ import annotations

import json
import os
import re
import signal

import pytest

import s2s
import s2s.transforms

from . import NotApplicable
from .checks import CHECKS, WrongDerivative, WrongStructure

_S2S_DIRS = tuple(os.path.dirname(m.__file__) + os.sep for m in (s2s, s2s.transforms))
_RUNTIME = os.path.join(os.path.dirname(s2s.__file__), "runtime.py")
COMPLEX = "complex numbers: s2s refuses them by design (SPEC 6)"
FFT = "np.fft: no derivative rules in s2s (autograd differentiates its complex outputs)"


_FILE = [""]  # the file of the test running


def _fft_rules() -> bool:
    """Has s2s a rule for any np.fft function?"""
    import numpy as np
    from s2s.rules import lookup

    return any(lookup(getattr(np.fft, name)) for name in ("fft", "ifft", "rfft", "irfft", "fft2", "fftn"))


def _in_numpy(dotted: str) -> bool:
    """Does `np.linalg.T` (say) name something in NumPy (autograd.numpy.linalg has T and _dot)?"""
    import numpy as np

    obj = np
    for part in dotted.split(".")[1:]:
        if not hasattr(obj, part):
            return False
        obj = getattr(obj, part)
    return True


class TestTimeout(Exception):
    """The test ran past AGSUITE_TIMEOUT seconds."""


def _first_line(exc) -> str:
    text = exc.message if isinstance(exc, s2s.S2SError) else str(exc)
    return (text.strip().splitlines() or [""])[0][:300]


def _template(message: str) -> tuple[str, str]:
    """A message with its `quoted` specifics replaced by `…`, and the specifics."""
    quoted = re.findall(r"`([^`]*)`", message)
    return re.sub(r"`[^`]*`", "`…`", message), ", ".join(quoted)


def _where(tb) -> str:
    files = []
    while tb is not None:
        files.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    if any(f.startswith("<s2s ") and not f.startswith("<s2s call") for f in files) or _RUNTIME in files:
        return "running generated code"
    if any(f.startswith(_S2S_DIRS) for f in files):
        return "inside s2s, generating"
    return "in the test"


def classify(exc, tb) -> dict:
    """outcome ("failed" or "n/a"), cause, detail and where of an exception a test raised."""
    message = _first_line(exc)
    out = {"outcome": "failed", "message": message, "exc_type": type(exc).__name__, "where": _where(tb)}
    if isinstance(exc, NotApplicable):
        return {**out, "outcome": "n/a", "cause": message, "detail": ""}
    refused = re.search(r"real values only|complex value|complex dtype", message)
    if isinstance(exc, s2s.ComplexArgumentError) or isinstance(exc, s2s.S2SError) and refused:
        return {**out, "outcome": "n/a", "cause": COMPLEX, "detail": message}
    if isinstance(exc, s2s.S2SError):
        cause, detail = _template(message)
        fft = detail.startswith("np.fft.") or _FILE[0] == "test_fft.py" and not _fft_rules()
        if fft and isinstance(exc, s2s.NoRuleError):
            return {**out, "outcome": "n/a", "cause": FFT, "detail": detail}
        if isinstance(exc, s2s.NoRuleError) and detail.startswith("np.") and not _in_numpy(detail):
            return {**out, "outcome": "n/a", "cause": "autograd.numpy's own function, not in numpy", "detail": detail}
        if "lambda" in message:
            cause, detail = "lambda: " + cause, ""
        return {**out, "cause": f"{type(exc).__name__}: {cause}", "detail": detail}
    if isinstance(exc, WrongDerivative):
        return {**out, "cause": "wrong value (s2s differs from finite differences)",
                "detail": f"{exc.mode}, order {exc.order}"}
    if isinstance(exc, (WrongDerivative, WrongStructure)):
        out["where"] = "check_grads"
    if isinstance(exc, WrongStructure):
        return {**out, "cause": "wrong structure (a derivative's tree or shapes differ from its argument's)",
                "detail": message[:160]}
    if isinstance(exc, TestTimeout):
        return {**out, "cause": "timeout", "detail": ""}
    missing = re.match(r"module '(numpy|scipy)[\w.]*' has no attribute '(\w+)'", message)
    if isinstance(exc, AttributeError) and missing:
        return {**out, "outcome": "n/a", "cause": f"autograd.{missing[1]}'s own function, not in {missing[1]}",
                "detail": missing[2]}
    if isinstance(exc, AssertionError):
        return {**out, "cause": "assertion in the test (a value the test compares)", "detail": message[:120]}
    text = re.sub(r"\((N,? ?)+\)", "(…)", re.sub(r"\b\d+\b", "N", message))  # numbers and shapes
    return {**out, "cause": f"{type(exc).__name__} ({out['where']}): {_template(text)[0][:90]}", "detail": ""}


def _write(record):
    path = os.environ.get("AGSUITE_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, sort_keys=True) + "\n")


def _on_alarm(signum, frame):
    raise TestTimeout(f"ran past {os.environ.get('AGSUITE_TIMEOUT')} s")


def pytest_runtest_setup(item):
    reason = json.loads(os.environ.get("AGSUITE_NA", "{}")).get(item.nodeid.split("[")[0])
    if reason:
        raise NotApplicable(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    seconds = float(os.environ.get("AGSUITE_TIMEOUT", "0") or 0)
    CHECKS[0] = 0
    if seconds > 0:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if seconds > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    _FILE[0] = item.nodeid.split("::")[0]
    record = {"nodeid": item.nodeid, "file": item.nodeid.split("::")[0], "phase": call.when,
              "seconds": round(call.duration, 3), "checks": CHECKS[0]}
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _write({**record, "outcome": "skipped", "cause": reason.removeprefix("Skipped: "), "detail": ""})
    elif report.failed:
        info = classify(call.excinfo.value, call.excinfo.tb)
        if call.when == "teardown" and info["outcome"] == "failed":
            info["outcome"] = "error"
        _write({**record, **info})
    elif call.when == "call":
        _write({**record, "outcome": "passed", "cause": "", "detail": ""})


def pytest_collectreport(report):
    if report.failed:
        text = str(report.longrepr)
        lines = [ln for ln in text.splitlines() if ln.startswith("E ")]
        message = lines[-1][1:].strip() if lines else text.strip().splitlines()[-1]
        na = "NotApplicable" in text
        _write({"nodeid": report.nodeid, "file": report.nodeid.split("::")[0], "phase": "collect",
                "outcome": "n/a" if na else "error", "cause": message if na else "collection error",
                "detail": "" if na else message[:200], "message": message, "seconds": 0, "checks": 0})
