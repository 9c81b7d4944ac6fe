"""Generated code for representative functions, compared byte for byte with tests/golden/.

Regenerate after an intended change, then read the diff:
    python tests/test_golden.py --update
"""
import sys
from pathlib import Path

import pytest

import s2s

sys.path.insert(0, str(Path(__file__).resolve().parent))
from golden_cases import CASES  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "golden"


def generated(name):
    func, wrt, *rest = CASES[name]
    mode = rest[0] if rest else "grad"
    like = rest[1] if len(rest) > 1 else None
    options = rest[2] if len(rest) > 2 else {}   # checkpoint=
    transform = {"grad": s2s.grad, "jvp": s2s.jvp, "hvp": s2s.hvp}[mode]
    if like is not None:   # code for arguments of these shapes
        return s2s.source(transform(func, wrt=wrt, **options), like=like())
    return s2s.source(transform(func, wrt=wrt, **options))


@pytest.mark.parametrize("name", sorted(CASES))
def test_generated_code_matches_golden_file(name):
    expected = (GOLDEN / f"{name}.py").read_text()
    assert generated(name) == expected, f"generated code changed: run `python tests/test_golden.py --update` and review"


def test_every_golden_file_has_a_case():
    assert sorted(p.stem for p in GOLDEN.glob("*.py")) == sorted(CASES)


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_golden.py --update")
    GOLDEN.mkdir(exist_ok=True)
    for name in sorted(CASES):
        (GOLDEN / f"{name}.py").write_text(generated(name))
        print(f"wrote tests/golden/{name}.py")
