"""The namespace generated code runs in (s2s/load.py): the builtins it reads are its own names
(a lookup through the fallback to the user's module cost half a microsecond), except where the
user's module or a closure gives that name a value of its own: then that value is what it reads."""
import numpy as np

import s2s
from oracles import numerical_grad

max = np.maximum   # noqa: A001  (this module's `max` is NumPy's, elementwise)


def clipped(x):
    return np.sum(max(x, 0.5) * x)


def looped(x):
    t = 0.0
    for k in range(len(x)):
        t = t + abs(x[k]) * float(k)
    return t


def test_a_module_global_named_like_a_builtin_is_what_the_generated_code_calls():
    x = np.array([0.2, 0.7, 1.3])
    np.testing.assert_allclose(s2s.grad(clipped)(x), np.where(x > 0.5, 2.0 * x, 0.5), rtol=1e-15)
    assert "max" not in s2s.grad(clipped).__s2s_function__.__globals__.keys()


def test_the_builtins_generated_code_reads_are_its_own_names():
    x = np.array([0.2, -0.7, 1.3])
    g = s2s.grad(looped)
    np.testing.assert_allclose(g(x), numerical_grad(looped, [x], 0), rtol=1e-7)
    own = g.__s2s_function__.__globals__.keys()
    assert {"range", "len", "abs", "float"} <= set(own)
