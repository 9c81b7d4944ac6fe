"""docs/rules.md is generated from the rule registry by docs/make_rules.py: it must be current."""
import importlib.util
import pathlib

import numpy as np
import pytest

GENERATOR = pathlib.Path(__file__).resolve().parents[1] / "docs" / "make_rules.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_rules", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rules_md_is_current():
    pytest.importorskip("scipy", reason="docs/rules.md lists SciPy's rules, which register only where it imports")
    if hasattr(np, "trapz"):
        pytest.skip("docs/rules.md is made with NumPy 2.4 or newer: older NumPy also has np.trapz, and its rule")
    make_rules = _generator()
    assert make_rules.OUT.read_text(encoding="utf-8") == make_rules.render(), \
        "docs/rules.md is stale: run `python docs/make_rules.py`"


def test_rules_md_lists_builtin_rules_only():
    """Rules registered by tests (user rules) are left out; built-in families are all there."""
    import s2s

    @s2s.rule(x="g * 3.0 * x * x")
    def cube_for_docs_test(x):
        return x ** 3

    text = _generator().render()
    assert "cube_for_docs_test" not in text
    for heading in ("## Reductions over axes", "## Linear algebra", "## Shape operations"):
        assert heading in text
    assert "`np.linalg.norm`" in text and "`.prod()`" in text and "`x @ y`" in text
