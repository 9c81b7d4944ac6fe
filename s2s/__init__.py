"""s2s: source-to-source automatic differentiation for Python and NumPy.

    >>> import s2s
    >>> df = s2s.grad(f)          # generated Python source, compiled
    >>> print(s2s.source(df))     # read it, step through it, commit it
"""
__version__ = "0.1.0"

from . import rules  # noqa: E402  (registers the built-in rules)
from .api import (Differentiated, differentiate, elementwise_grad, grad, hessian, hvp, jacobian, jvp,  # noqa: E402
                  source, value_and_grad, vjp)
from .errors import (BoolOutputError, ComplexArgumentError, IntegerArgumentError, NoRuleError, S2SError,  # noqa: E402
                     SourceError, UnsupportedError)
from .rules import nondiff, rule  # noqa: E402
from .runtime import InPlaceWriteError, OutputShapeError, stop_gradient  # noqa: E402
from .trees import flatten, flatten_func, tree_flatten, tree_unflatten  # noqa: E402
from .checking import check_grads  # noqa: E402

hessian_vector_product = hvp   # autograd's name for it

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "jacobian", "elementwise_grad", "source",
           "differentiate", "Differentiated", "rule", "nondiff", "tree_flatten", "tree_unflatten", "flatten", "flatten_func", "check_grads",
           "hessian_vector_product",
           "stop_gradient", "S2SError", "UnsupportedError", "NoRuleError", "SourceError", "IntegerArgumentError",
           "ComplexArgumentError", "BoolOutputError", "InPlaceWriteError", "OutputShapeError"]
