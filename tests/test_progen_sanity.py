"""Deterministic checks of the random-program generator and its FD oracle.

They do not use s2s: a broken generator must show up here, not as a
confusing failure (or a silently weak test) in test_random_programs.py.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import proggen

SEEDS = range(200)


@pytest.fixture(scope="module")
def progdir(tmp_path_factory):
    return tmp_path_factory.mktemp("progen_sanity")


def test_generation_is_deterministic():
    for seed in range(20):
        assert proggen.random_program(seed).source == proggen.random_program(seed).source


def test_generated_programs_compile_run_and_are_smooth(progdir):
    unreliable = 0
    for seed in SEEDS:
        program = proggen.random_program(seed)
        compile(program.source, f"<seed {seed}>", "exec")
        module = proggen.load_program(program.source, progdir)
        try:
            args = proggen.random_inputs(seed, program)
            before = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
            with np.errstate(all="ignore"):
                value = module.f(*args)
            assert np.shape(value) == (), f"seed {seed}: f returned shape {np.shape(value)}\n{program.source}"
            for a, b in zip(before, args):
                assert np.array_equal(a, b), f"seed {seed}: f changed its inputs\n{program.source}"
            try:
                _, grads, _ = proggen.fd_gradient(module.f, args, (0, 1))
            except proggen.Unreliable:
                unreliable += 1
                continue
            for g, a in zip(grads, args):
                assert np.shape(g) == np.shape(a)
                assert np.all(np.isfinite(g))
        finally:
            proggen.unload(module)
    # the test rejects these points; if many are rejected the test is weak
    assert unreliable <= len(SEEDS) // 20, f"{unreliable} of {len(SEEDS)} points rejected"


def test_generator_covers_the_language():
    sources = [proggen.random_program(seed).source for seed in SEEDS]
    f_bodies = [s[s.index("def f(") :] for s in sources]
    features = {
        "if": r"^\s*if ",
        "elif": r"^\s*elif ",
        "else": r"^\s*else:",
        "for range": r"for i\d+ in range\(",
        "range(1, n)": r"range\(1, ",
        "range(0, n, 2)": r"range\(0, \w+, 2\)",
        "for over array": r"for e\d+ in ",
        "while": r"^\s*while k\d+ < ",
        "break": r"^\s*break$",
        "continue": r"^\s*continue$",
        "and/or/not": r"\b(and|or|not)\b",
        "+=": r" \+= ",
        "*=": r" \*= ",
        "tuple assignment": r"^\s*\w+, \w+ = \S",
        "conditional expression": r"\(.* if .* else .*\)",
        "np.where": r"np\.where\(",
        "np.maximum/minimum": r"np\.(maximum|minimum)\(",
        "math": r"math\.(sin|cos|exp)\(",
        "np.exp": r"np\.exp\(",
        "sqrt/log": r"np\.(sqrt|log)\(",
        "reductions": r"np\.(sum|mean)\(",
        "power": r"\*\* [23]",
        "division": r" / ",
        "helpers": r"^def h2\(",
        "recursive helper": r"^def r\(",
        # writes into arrays, enumerate/zip, dicts
        "np.zeros(3)": r"^\s*z\d+ = np\.zeros\(3\)$",
        "np.ones(3)": r"^\s*z\d+ = np\.ones\(3\)$",
        "np.zeros(len(.))": r"= np\.zeros\(len\(\w+\)\)$",
        "x * 1.0": r"^\s*z\d+ = \w+ \* 1\.0$",
        ".copy()": r"^\s*z\d+ = \w+\.copy\(\)$",
        "matrix": r"^\s*m\d+ = np\.(zeros|ones)\(\(2, 3\)\)$",
        "write at a constant index": r"^\s*z\d+\[(-1|\d)\] = ",
        "write at a loop index": r"^\s*z\d+\[i\d+\] (=|\+=) ",
        "recurrence": r"^\s*z(\d+)\[i(\d+)\] (=|\+=) z\1\[i\2 - 1\]",
        "i % 3": r"\[\w+ % 3\]",
        "write of a slice with a step": r"^\s*z\d+\[[-\d]*:[-\d]*:-?\d\] = ",
        "+= on a slice": r"^\s*z\d+\[[-\d]*:[-\d:]*\] \+= ",
        "-= on a slice": r"^\s*z\d+\[[-\d]*:[-\d:]*\] -= ",
        "*= on a slice": r"^\s*z\d+\[[-\d]*:[-\d:]*\] \*= ",
        "scalar broadcast into a slice": r"^\s*z\d+\[[-\d]*:[-\d:]*\] = (-?\d\.\d|np\.(sin|cos|tanh)\([a-z]\))$",
        "shifted slice": r"^\s*z\d+\[[-\d:]+\] = [a-z]\w*\[[-\d:]+\]",
        "masked write": r"^\s*z(\d+)\[z\1 [<>] ",
        "mask of another array": r"^\s*z\d+\[[xy] [<>] ",
        "mask name": r"^\s*z\d+\[q\d+\] = .*\[q\d+\]$",
        "matrix column": r"^\s*m\d+\[:, ",
        "matrix row": r"^\s*m\d+\[[^],:]+(, :)?\] ",
        "write in a loop or branch": r"^\s{12,}z\d+\[",
        "read at a loop index": r"\b[xy]\[i\d+\]",
        "enumerate": r"^\s*for i\d+, e\d+ in enumerate\(",
        "enumerate(xs, 1)": r"in enumerate\(\w+, 1\)",
        "zip": r"^\s*for e\d+, e\d+ in zip\(",
        "enumerate(zip(...))": r"^\s*for i\d+, \(e\d+, e\d+\) in enumerate\(zip\(",
        "dict": r'^\s*d\d+ = \{"\w+": ',
        "dict read": r'\bd\d+\["\w+"\]',
        "dict write": r'^\s*d\d+\["\w+"\] = ',
        "dict +=": r'^\s*d\d+\["\w+"\] \+= ',
        "list appended in a loop": r"^\s*hs\d+\.append\(",
        "list read where appended": r"^\s*hs(\d+)\.append\(.*hs\1\[-1\]\)$",
        "length of a list where appended": r"^\s*hs(\d+)\.append\(.*len\(hs\1\)\)$",
    }
    for name, pattern in features.items():
        assert any(re.search(pattern, s, re.M) for s in sources), f"generator never produced {name}"
    for name, pattern in {
        "helper call in f": r"\bh[12]\(",
        "recursive call in f": r"\br\(",
        "early return in f": r"^\s{8,}return ",
    }.items():
        assert any(re.search(pattern, s, re.M) for s in f_bodies), f"f never had {name}"
    kinds = {(p.x_kind, p.y_kind) for p in map(proggen.random_program, SEEDS)}
    assert kinds == {("S", "S"), ("S", "A"), ("A", "S"), ("A", "A")}


@settings(max_examples=25, derandomize=True, database=None)
@given(data=st.data())
def test_hypothesis_strategies_produce_runnable_programs(tmp_path_factory, data):
    program = data.draw(proggen.programs())
    x, y, n = data.draw(proggen.inputs_for(program))
    assert isinstance(n, int) and 1 <= n <= 4
    for v, kind in ((x, program.x_kind), (y, program.y_kind)):
        if kind == "A":
            assert isinstance(v, np.ndarray) and v.shape == (3,) and v.dtype == np.float64
        else:
            assert isinstance(v, float)
    module = proggen.load_program(program.source, tmp_path_factory.getbasetemp())
    try:
        with np.errstate(all="ignore"):
            value = module.f(x, y, n)
        assert np.shape(value) == ()
    finally:
        proggen.unload(module)


def test_fd_oracle_on_known_gradients(progdir):
    source = "import numpy as np\n\n\ndef f(x, y, n):\n    return np.sum(x * y) + y ** 2\n"
    module = proggen.load_program(source, progdir)
    try:
        x = np.array([0.3, -1.2, 2.0])
        value, (gx, gy), (nx, ny) = proggen.fd_gradient(module.f, (x, 0.7, 1), (0, 1))
        assert value == pytest.approx(np.sum(x * 0.7) + 0.49)
        np.testing.assert_allclose(gx, [0.7, 0.7, 0.7], rtol=1e-7)
        assert isinstance(gy, float) and gy == pytest.approx(np.sum(x) + 1.4, rel=1e-7)
        assert np.shape(nx) == (3,) and isinstance(ny, float)
        assert np.all(np.asarray(nx) < 1e-6) and ny < 1e-6
    finally:
        proggen.unload(module)


@pytest.mark.parametrize(
    "body",
    [
        "return np.sum(np.maximum(x, 0.5))",  # kink exactly at the point
        "return np.sum(x) if x[0] > 0.5 + 1e-7 else 0.0",  # branch switch within a step
        "return np.sum(np.exp(x * 1000.0))",  # huge value
    ],
)
def test_fd_oracle_rejects_untrustworthy_points(progdir, body):
    module = proggen.load_program(f"import numpy as np\n\n\ndef f(x, y, n):\n    {body}\n", progdir)
    try:
        with pytest.raises(proggen.Unreliable):
            proggen.fd_gradient(module.f, (np.array([0.5, 0.2, -0.1]), 1.0, 1), (0,))
    finally:
        proggen.unload(module)


# ---- the hazard generator (proggen_hazards.py) and the differential checks (differential.py) ----

HAZARD_PATTERNS = {
    "views": r"^\s*hv\d+ = .*hb\d+",
    "mutating": r"^\s*(hs\d+ = )?mut_\w+\(",
    "repeated": r"^\s*hb\d+\[(\[|np\.array\(\[)(\d), \2",
    "lists": r"^\s*hl\d+ = .*(\] \* |\* \[|\) \* |\] \+ \[)",
    "closures": r"^\s*(hg\d+ = make_|def hg\d+\()",
    "attributes": r"(\.(real|imag|flat|T|w|b)\b)",
    "complex": r"\dj\b",
    "singular": r"np\.std|np\.var|np\.power\(0\.0|0\.0 \*\*|hypot|np\.sqrt\(.* - |np\.maximum|np\.abs",
    "constructors": r"np\.(full|full_like|linspace|r_|c_|einsum)\b",
    "linalg": r"np\.linalg\.",
    "crashers": r"\) [&|] \(|^\s*hq\d+ = lambda|\bhd\d+\[\"k\"\]",
}


def test_hazard_generation_is_deterministic_and_covers_each_class():
    import proggen_hazards

    assert set(HAZARD_PATTERNS) == set(proggen_hazards.HAZARDS)
    for cls, pattern in HAZARD_PATTERNS.items():
        sources = [proggen_hazards.random_program(seed, (cls,)).source for seed in range(15)]
        assert sources[3] == proggen_hazards.random_program(3, (cls,)).source
        hits = sum(bool(re.search(pattern, s, re.M)) for s in sources)
        assert hits >= 10, f"only {hits} of 15 programs with hazard class {cls!r} show it"
        assert all(re.search(r"\bhr0\b", s[s.index("def f("):]) for s in sources)


def test_hazard_programs_compile_run_and_are_smooth(progdir):
    import proggen_hazards

    unreliable = total = 0
    for cls in proggen_hazards.HAZARDS:
        for seed in range(12):
            program = proggen_hazards.random_program(seed, (cls,))
            module = proggen.load_program(program.source, progdir)
            total += 1
            try:
                args = proggen.random_inputs(seed, program)
                before = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
                with np.errstate(all="ignore"):
                    value = module.f(*args)
                assert np.shape(value) == () and np.isrealobj(value), f"{cls} seed {seed}:\n{program.source}"
                for a, b in zip(before, args):
                    assert np.array_equal(a, b), f"{cls} seed {seed}: f changed its inputs\n{program.source}"
                try:
                    proggen.fd_gradient(module.f, args, (0, 1))
                except proggen.Unreliable:
                    unreliable += 1
            finally:
                proggen.unload(module)
    assert unreliable <= total // 10, f"{unreliable} of {total} points rejected"


def test_autograd_runs_many_plain_programs(progdir):
    """The autograd oracle must not be vacuous: a good share of plain programs run under it."""
    pytest.importorskip("autograd")
    import differential

    runs = 0
    for seed in range(30):
        program = proggen.random_program(seed)
        module = proggen.load_program(program.source, progdir)
        try:
            args = proggen.random_inputs(seed, program)
            runs += differential.autograd_version(program.source, module.__file__, args) is not None
        finally:
            proggen.unload(module)
    assert runs >= 8, f"only {runs} of 30 programs run under autograd"


@pytest.mark.parametrize("mode", ["grad", "jvp", "hvp", "gradgrad"])
def test_differential_check_reports_wrong_numbers_and_crashes(progdir, monkeypatch, mode):
    """check() must fail on a wrong derivative and on a crash, and accept a refusal only when allowed."""
    import differential
    import s2s

    source = "import numpy as np\n\n\ndef f(x, y, n):\n    return np.sin(x) * y + y ** 3\n"
    module = proggen.load_program(source, progdir)
    args, directions = (0.4, 0.7, 1), [0.3, -0.8]
    try:
        assert differential.check(module.f, args, mode, directions, refuse_ok=False) == "right"
        real = differential._build

        def off_by_some(mode_, f):
            g = real(mode_, f)

            def wrong(*a):
                out = g(*a)
                if mode_ == "jvp":
                    return out[0], out[1] * 1.01
                return tuple(v * 1.01 for v in out) if isinstance(out, tuple) else out * 1.01
            return wrong

        monkeypatch.setattr(differential, "_build", off_by_some)
        with pytest.raises(differential.Finding, match="wrong"):
            differential.check(module.f, args, mode, directions, refuse_ok=True)

        def crash(mode_, f):
            raise KeyError("inside s2s")
        monkeypatch.setattr(differential, "_build", crash)
        with pytest.raises(differential.Finding, match="crashed"):
            differential.check(module.f, args, mode, directions, refuse_ok=True)

        def refuse(mode_, f):
            raise s2s.UnsupportedError("not supported")
        monkeypatch.setattr(differential, "_build", refuse)
        assert differential.check(module.f, args, mode, directions, refuse_ok=True) == "refused"
        with pytest.raises(differential.Finding, match="refused"):
            differential.check(module.f, args, mode, directions, refuse_ok=False)
    finally:
        proggen.unload(module)
