"""Resolve a command-line TARGET (`path/to/file.py:func` or `package.module.func`)."""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from s2s.errors import S2SError


def resolve_target(target: str):
    if ":" in target:
        path, _, func_name = target.rpartition(":")
        if not os.path.exists(path):
            raise S2SError(f"{path}: no such file")
        module_name = os.path.splitext(os.path.basename(path))[0]
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in sys.path:
            sys.path.insert(0, directory)
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    else:
        module_name, _, func_name = target.rpartition(".")
        if not module_name:
            raise S2SError(f"{target}: give a target as package.module.func or path/to/file.py:func")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise S2SError(f"{target}: cannot import module {module_name} ({exc})") from None
    func = getattr(module, func_name, None)
    if func is None:
        raise S2SError(f"{target}: module {module.__name__} has no function {func_name!r}")
    return func
