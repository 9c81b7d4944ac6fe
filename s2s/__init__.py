"""s2s: source-to-source automatic differentiation for Python and NumPy.

    >>> import s2s
    >>> df = s2s.grad(f)          # generated Python source, compiled
    >>> print(s2s.source(df))     # read it, step through it, commit it
"""
import importlib.machinery as _machinery
import os as _os
import sys as _sys

__version__ = "0.1.0"   # the one place: pyproject.toml reads it (dynamic version)


class _CloneFinder:
    """Finds s2s.transforms and s2s.cli in a clone, where they are the folders transforms/ and cli/.

    pyproject.toml maps those top-level folders to the two subpackages; an
    installed wheel has them inside s2s/. When this s2s/ is a clone's -- it
    sits beside transforms/ and cli/, and is what `python -m pytest` or
    `python -c "import s2s"` imports from the clone's root -- this finder gives
    the clone's transforms/ and cli/ for those two names (and nothing else), so
    the working tree is imported whole, and is what runs and is tested.
    """

    SUBPACKAGES = {"s2s.transforms": "transforms", "s2s.cli": "cli"}

    def __init__(self, root: str):
        self.root = root
        self.package = _os.path.join(root, "s2s")

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.SUBPACKAGES or self.package not in map(_os.path.abspath, path or ()):
            return None   # not a subpackage of this clone's s2s
        return _machinery.PathFinder.find_spec(fullname, [self.root])


def _clone_layout() -> None:
    here = _os.path.dirname(_os.path.abspath(__file__))
    root = _os.path.dirname(here)
    if _os.path.isdir(_os.path.join(here, "transforms")):
        return   # an installed copy: its subpackages are inside it
    if all(_os.path.isfile(_os.path.join(root, sub, "__init__.py")) for sub in ("transforms", "cli")):
        if not any(isinstance(f, _CloneFinder) and f.root == root for f in _sys.meta_path):
            _sys.meta_path.insert(0, _CloneFinder(root))   # before an editable install's finder of another clone


_clone_layout()

from . import rules  # noqa: E402  (registers the built-in rules)
from .api import (Differentiated, differentiate, elementwise_grad, grad, hessian, hvp, jacobian, jvp,  # noqa: E402
                  source, value_and_grad, vjp)
from .errors import (BoolOutputError, ComplexArgumentError, IntegerArgumentError, JitError, NoRuleError,  # noqa: E402
                     S2SError, SourceError, UnsupportedError)
from .rules import nondiff, rule  # noqa: E402
from .runtime import (ArgumentShapeError, ComplexValueError, ForeignArrayError, InPlaceWriteError,  # noqa: E402
                      ListOperatorError, OutputShapeError, UndefinedDerivativeError, stop_gradient)
from .trees import flatten, flatten_func, tree_flatten, tree_unflatten  # noqa: E402
from .checking import check_grads  # noqa: E402
from .jit import jit  # noqa: E402

hessian_vector_product = hvp   # autograd's name for it

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "hvp", "hessian", "jacobian", "elementwise_grad", "source",
           "differentiate", "Differentiated", "rule", "nondiff", "tree_flatten", "tree_unflatten", "flatten", "flatten_func", "check_grads",
           "hessian_vector_product",
           "stop_gradient", "S2SError", "UnsupportedError", "NoRuleError", "SourceError", "IntegerArgumentError",
           "ComplexArgumentError", "BoolOutputError", "InPlaceWriteError", "OutputShapeError", "ArgumentShapeError",
           "ComplexValueError", "UndefinedDerivativeError", "ListOperatorError", "ForeignArrayError"]
