"""Reverse and forward mode accept exactly the same language (SPEC §6): every
program the reverse-mode tests see refused is refused by jvp too, with the same
message, and an unknown attribute of an active value is never a constant."""
import numpy as np
import pytest

import s2s
import unsupported as u
from test_errors import REJECTED

TRANSFORMS = {"jvp": s2s.jvp, "hvp": s2s.hvp, "grad of grad": lambda f: s2s.grad(s2s.grad(f))}


@pytest.mark.parametrize("mode", list(TRANSFORMS))
@pytest.mark.parametrize("func, what, where, line", REJECTED, ids=[r[0].__name__ for r in REJECTED])
def test_every_reverse_refusal_is_a_refusal_in_every_mode(func, what, where, line, mode):
    with pytest.raises(s2s.S2SError) as reverse_error:
        s2s.grad(func)
    with pytest.raises(s2s.S2SError) as other_error:
        TRANSFORMS[mode](func)
    assert type(other_error.value) is type(reverse_error.value)
    assert str(other_error.value) == str(reverse_error.value)


def test_a_field_of_an_object_that_is_not_a_namedtuple_or_dataclass_is_refused_in_both_modes():
    class Params:  # `.w` could be a property computed from anything: only fields of trees are differentiated
        w = 2.0
    with pytest.raises(TypeError, match="namedtuple or a dataclass"):
        s2s.grad(u.reads_field)(Params())
    with pytest.raises(TypeError, match="namedtuple or a dataclass"):
        s2s.jvp(u.reads_field)(Params(), Params())


def test_an_unknown_attribute_read_after_its_value_is_dead_is_still_refused():
    def f(x):
        y = x.real   # activity is flow-insensitive: y is active, whatever happens to d_y
        y = x * 2.0
        return y
    for make in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.NoRuleError, match="attribute `.real`"):
            make(f)


def test_known_attributes_still_work_in_both_modes():
    def f(x):
        return np.sum(x.T * x.shape[0])
    x = np.arange(6.0).reshape(2, 3)
    assert np.allclose(s2s.grad(f)(x), 2.0)
    assert np.isclose(s2s.jvp(f)(x, np.ones_like(x))[1], 12.0)
