"""Run autograd's own test suite against s2s, and print what passes and why the rest fails.

Not part of the default `pytest` run (an opt-in, like tests/differential.py). From the
repository root, in the environment s2s is installed in (scipy installed too)::

    python tests/autograd_suite.py --git-dir /path/to/autograd/.git          # tests/ of HEAD
    python tests/autograd_suite.py /path/to/autograd-checkout --out report.md
    python tests/autograd_suite.py --git-dir DIR -k test_numpy.py --timeout 60 --keep

It copies autograd's tests/ into a temporary folder and rewrites their imports so they run
against s2s: `autograd.numpy` -> `numpy`, `autograd.scipy.X` -> `scipy.X`,
`from autograd import grad, ...` -> s2s's functions of that meaning (tests/autograd_shim),
`autograd.test_util.check_grads` -> our own `check_grads` (tests/autograd_shim/checks.py:
s2s.vjp, s2s.jvp and both again on the generated code, against central finite
differences, with autograd's signature `check_grads(fun, argnum=0, modes=["fwd", "rev"],
order=2)`). autograd's extension API and internals become stand-ins that make a test "not
applicable" with a reason, and so do whole files and tests listed in NOT_APPLICABLE and a
refusal of complex numbers (s2s refuses them by design). Then it runs pytest on them (one
process, no -x, a SIGALRM time limit per test: --timeout, default 60 s) and prints, per
file, passed / failed / errored / skipped / not applicable, then the failures grouped by
cause (the class of the S2SError message, a wrong value, a crash and where it happened),
most frequent first, and the not-applicable tests with their reasons. Deterministic: the
directions of the checks come from a generator seeded per call. `--json FILE` keeps the
raw results (one JSON line per test), `--junit FILE` pytest's junit XML, and `--baseline FILE`
(such a JSON file from an earlier run) adds the tests that pass now and did not then, and the reverse.

`--self-check` only shows that our check_grads fails on a derivative that is wrong at first
or at second order; `--lambdas-as-defs` is a look-ahead that rewrites `f = lambda x: e`
statements as `def`s. The tables are made by tests/autograd_shim/report.py.

`--s2s DIR` measures another checkout of s2s (e.g. the main branch) without installing it:
its three code folders are linked into one `s2s` package that goes first on the path
(nothing is written into DIR); with `--s2s-rev REV`, its commit REV rather than its work tree.
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from autograd_shim.report import changes, load, table  # noqa: E402

# Whole files and single tests that exercise autograd itself, not differentiation.
NOT_APPLICABLE = {
    "test_vspaces.py": "autograd's vector spaces (autograd.core.vspace): internals",
    "test_tests.py": "tests autograd's check_grads with autograd's primitive/defvjp",
    "test_numpy.py::test_numpy_version": "autograd.numpy's version attribute",
    "test_wrappers.py::test_wrapped_name_and_docs": "names and docstrings of autograd's wrappers",
    "test_wrappers.py::test_custom_where_dtypes": "autograd.numpy's own np.where wrapper, no derivative",
    "test_wrappers.py::test_custom_where": "autograd.numpy's own np.where wrapper, no derivative",
    "test_numpy.py::test_scalar_array_box_attributes": "autograd boxes a Python float as a 0-d array (x.shape)",
    "test_graphs.py::test_assignment_raises_error": "expects autograd's refusal of `A[i] = b`; s2s differentiates it",
    **{f"test_scipy.py::{name}": "autograd's convolve has `axes`/`dot_axes` arguments scipy.signal.convolve has not"
       for name in ("test_convolve_generalization", "test_convolve_ignore", "test_convolve_ignore_dot")},
}

# Source edits beyond imports (each keeps the line count): a test file that builds autograd's
# API from its internals gets s2s's function instead.
PATCHES = {
    "test_core.py": [("@unary_to_nary\ndef grad(fun, x):\n    vjp, _ = make_vjp(fun, x)\n    return vjp(1.0)\n",
                      "from autograd_shim import grad  # autograd_suite: autograd built grad from core.make_vjp\n")],
}

# Names autograd_shim binds to s2s's own functions: `argnum=` becomes `wrt=` where they are called.
S2S_NAMES = {"grad", "value_and_grad", "jacobian", "hessian", "elementwise_grad"}
# Names of autograd's public API that tests/autograd_shim defines (everything else is "not applicable").
API_MODULES = {"autograd", "autograd.builtins", "autograd.differential_operators", "autograd.tracer", "autograd.misc"}
SHIM_NAMES = {"grad", "value_and_grad", "jacobian", "hessian", "elementwise_grad", "grad_and_aux", "deriv",
              "make_jvp", "make_vjp", "make_hvp", "hessian_tensor_product", "hessian_vector_product",
              "tensor_jacobian_product", "vector_jacobian_product", "isinstance", "list", "tuple", "dict", "isbox",
              "flatten"}


# ---- getting and rewriting the tests ----------------------------------------------------------------

def extract(args, dest: pathlib.Path) -> str:
    """Copy autograd's tests/ into dest; return a description of where they came from."""
    if args.git_dir:
        data = subprocess.run(["git", "-C", args.git_dir, "archive", args.rev, "tests"], check=True,
                              capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(dest.parent, filter="data")
        return f"{args.git_dir} at {args.rev} ({_short(args.git_dir, args.rev)})"
    src = pathlib.Path(args.checkout)
    src = src / "tests" if (src / "tests").is_dir() else src
    shutil.copytree(src, dest)
    return str(src)


def _module_spec(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _import_text(node) -> list[str]:
    """The statements that replace one import of autograd (empty: leave it alone)."""
    out = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            name = alias.name
            if name != "autograd" and not name.startswith("autograd."):
                out.append(f"import {name}" + (f" as {alias.asname}" if alias.asname else ""))
                continue
            plain = name.removeprefix("autograd.")
            if name == "autograd" or alias.asname is None:
                if plain.startswith("scipy."):
                    out.append(f"import {plain}")
                out.append("from autograd_shim import autograd_namespace as autograd")
            elif plain.split(".")[0] in ("numpy", "scipy"):
                if _module_spec(plain):
                    out.append(f"import {plain} as {alias.asname}")
                else:
                    parent, _, last = plain.rpartition(".")
                    out.append(f"from {parent} import {last} as {alias.asname}")
            else:
                out.append(f"from autograd_shim import not_applicable as _na; {alias.asname} = _na({name!r})")
        return out
    module = node.module or ""
    if node.level or (module != "autograd" and not module.startswith("autograd.")):
        return []
    plain = module.removeprefix("autograd").lstrip(".")
    names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
    if plain.split(".")[0] in ("numpy", "scipy"):
        return [f"from {plain} import {names}"]
    if module == "autograd.test_util":
        return [f"from autograd_shim.checks import {names}"]
    ours, missing = [], []
    for a in node.names:
        only = {"autograd.tracer": {"isbox"}, "autograd.misc": {"flatten"}}.get(module, SHIM_NAMES)
        if module in API_MODULES and a.name in SHIM_NAMES & only:
            ours.append(a.name + (f" as {a.asname}" if a.asname else ""))
        else:
            missing.append(f"{a.asname or a.name} = _na({module + '.' + a.name!r})")
    if missing:
        ours.insert(0, "not_applicable as _na")
    return [f"from autograd_shim import {', '.join(ours)}"] + missing


def _lambda_def(node) -> list[str]:
    """`f = lambda x: e` as `def f(x): return e` (the look-ahead of --lambdas-as-defs)."""
    if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Lambda)):
        return [f"def {node.targets[0].id}({ast.unparse(node.value.args)}): return {ast.unparse(node.value.body)}"]
    return []


def rewrite(text: str, filename: str, lambdas_as_defs: bool = False) -> str:
    """autograd's test source with its imports of autograd replaced; line numbers kept."""
    for old, new in PATCHES.get(filename, []):
        if old in text:
            text = text.replace(old, new + "\n" * (old.count("\n") - new.count("\n")))
        else:
            print(f"autograd_suite: warning: the patch of {filename} no longer applies", file=sys.stderr)
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    s2s_names = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module in API_MODULES for a in node.names if a.name in S2S_NAMES}
    renames = sorted(((kw.lineno, kw.col_offset) for node in ast.walk(tree)
                      if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in s2s_names
                      for kw in node.keywords if kw.arg == "argnum"), reverse=True)
    for line, col in renames:  # `grad(f, argnum=1)` -> `grad(f, wrt=1)`: s2s's name of the keyword
        text_line = lines[line - 1]
        lines[line - 1] = text_line[:col] + "wrt" + text_line[col + len("argnum"):]
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            stmts = _import_text(node)
            ours = isinstance(node, ast.ImportFrom) or any(a.name.split(".")[0] == "autograd" for a in node.names)
            if stmts and ours:
                edits.append((node.lineno, node.end_lineno, node.col_offset, stmts))
        elif lambdas_as_defs and _lambda_def(node):
            edits.append((node.lineno, node.end_lineno, node.col_offset, _lambda_def(node)))
    for first, last, col, stmts in sorted(edits, reverse=True):
        new = [" " * col + "; ".join(stmts) + "  # autograd_suite\n"] + ["\n"] * (last - first)
        lines[first - 1:last] = new
    return "".join(lines)


def _test_names(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]


def prepare(tests: pathlib.Path, lambdas_as_defs: bool = False) -> list[dict]:
    """Rewrite every .py file of `tests` in place; set aside the not-applicable files. Returns
    the records of the tests of those files."""
    records = []
    for path in sorted(tests.glob("*.py")):
        reason = NOT_APPLICABLE.get(path.name)
        if reason:
            for name in _test_names(path):
                records.append({"nodeid": f"{path.name}::{name}", "file": path.name, "outcome": "n/a",
                                "cause": reason, "detail": "", "message": "", "seconds": 0, "checks": 0})
            path.rename(path.with_suffix(".py.not_applicable"))
            continue
        path.write_text(rewrite(path.read_text(encoding="utf-8"), path.name, lambdas_as_defs), encoding="utf-8")
    return records


def _short(git_dir, rev) -> str:
    return subprocess.run(["git", "-C", git_dir, "rev-parse", "--short", rev], check=True, capture_output=True,
                          text=True).stdout.strip()


def link_s2s(root: pathlib.Path, dest: pathlib.Path) -> None:
    """dest/s2s: the package as pyproject.toml maps it (s2s/, transforms/ -> s2s.transforms, cli/ -> s2s.cli)."""
    pkg = dest / "s2s"
    pkg.mkdir(parents=True)
    for item in (root / "s2s").iterdir():
        if item.name != "__pycache__":
            (pkg / item.name).symlink_to(item.resolve())
    (pkg / "transforms").symlink_to((root / "transforms").resolve())
    (pkg / "cli").symlink_to((root / "cli").resolve())


# ---- running ------------------------------------------------------------------------------------------

def run_pytest(work: pathlib.Path, tests: pathlib.Path, args, results: pathlib.Path) -> int:
    env = dict(os.environ)
    paths = [str(HERE), str(tests)]
    if args.s2s:
        root = pathlib.Path(args.s2s)
        if args.s2s_rev:  # the committed tree, not the work tree: a snapshot by git archive
            args.s2s_rev = _short(args.s2s, args.s2s_rev)  # the commit, fixed now (a branch may move during the run)
            data = subprocess.run(["git", "-C", args.s2s, "archive", args.s2s_rev, "s2s", "transforms", "cli"],
                                  check=True, capture_output=True).stdout
            root = work / "s2s_src"
            with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                tar.extractall(root, filter="data")
        link_s2s(root, work / "s2s_link")
        paths.insert(0, str(work / "s2s_link"))
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")  # write nothing into that checkout
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["AGSUITE_RESULTS"] = str(results)
    env["AGSUITE_TIMEOUT"] = str(args.timeout)
    env["AGSUITE_NA"] = json.dumps({k: v for k, v in NOT_APPLICABLE.items() if "::" in k})
    env["PYTHONHASHSEED"] = "0"
    cmd = [sys.executable, "-m", "pytest", "-p", "autograd_shim.plugin", "-p", "no:cacheprovider",
           "-o", "addopts=", "-q", "--no-header", "-rN", "--tb=no", "-W", "ignore", f"--rootdir={tests}"]
    if args.junit:
        cmd.append(f"--junitxml={os.path.abspath(args.junit)}")
    if args.k:
        cmd += ["-k", args.k]
    cmd += args.pytest_args
    proc = subprocess.run(cmd, cwd=tests, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if args.verbose:
        print(proc.stdout)
    return proc.returncode


SELF_CHECK = '''
import numpy as np
import pytest
import s2s
from autograd_shim.checks import WrongDerivative, check_grads


@s2s.rule(x="g * 2.001", jvp="t_x * 2.001")            # wrong: twice(x) = 2 x
def twice(x):
    return x * 2.0


@s2s.rule(x="g * twice(x)", jvp="t_x * twice(x)")      # right at first order; wrong at second (twice's)
def square(x):
    return x * x


def f_first(x):
    return twice(x) + 1.0


def f_second(x):
    return square(x) + 1.0


def f_right(x):
    return np.sin(x) * x


def test_catches_first_order():
    for mode in ("rev", "fwd"):
        with pytest.raises(WrongDerivative, match=mode):
            check_grads(f_first, modes=[mode], order=1)(0.7)


def test_catches_second_order_only():
    for mode in ("rev", "fwd"):
        check_grads(f_second, modes=[mode], order=1)(0.7)
        with pytest.raises(WrongDerivative, match="order 2"):
            check_grads(f_second, modes=[mode])(0.7)


def test_passes_a_right_derivative():
    check_grads(f_right)(0.7)
    check_grads(f_right)(np.linspace(-1.0, 1.0, 5))
'''


def self_check() -> int:
    """Does our check_grads catch a wrong derivative at first and at second order, and pass a right one?"""
    with tempfile.TemporaryDirectory(prefix="autograd_suite_check_") as tmp:
        pathlib.Path(tmp, "test_shim_self_check.py").write_text(SELF_CHECK, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
                               "--tb=short", f"--rootdir={tmp}", tmp], env=env, cwd=tmp).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkout", nargs="?", help="an autograd checkout (or its tests/ folder)")
    parser.add_argument("--git-dir", help="a git directory of autograd; its tests/ at --rev are used")
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--out", help="also write the table to this Markdown file")
    parser.add_argument("--json", help="also write the results, one JSON line per test")
    parser.add_argument("--junit", help="also write pytest's junit XML")
    parser.add_argument("--baseline", help="a --json file of an earlier run: list the tests that changed")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test (default 60)")
    parser.add_argument("-k", help="pytest -k expression (e.g. a file name: -k test_numpy.py)")
    parser.add_argument("--s2s", help="measure this s2s checkout instead of the installed s2s")
    parser.add_argument("--s2s-rev", help="with --s2s: measure this commit of that checkout (git archive)")
    parser.add_argument("--keep", action="store_true", help="keep (and name) the temporary folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pytest's output")
    parser.add_argument("--lambdas-as-defs", action="store_true",
                        help="look-ahead: rewrite `f = lambda x: e` statements as `def f(x): return e`")
    parser.add_argument("--self-check", action="store_true",
                        help="only check that the shim's check_grads catches wrong derivatives")
    args, extra = parser.parse_known_args(argv)
    args.pytest_args = extra  # options this script does not know go to pytest (e.g. --maxfail=5)
    if args.self_check:
        return self_check()
    if bool(args.checkout) == bool(args.git_dir):
        parser.error("give an autograd checkout or --git-dir (one of them)")
    start = time.perf_counter()
    work = pathlib.Path(tempfile.mkdtemp(prefix="autograd_suite_"))
    try:
        tests = work / "tests"
        source = extract(args, tests)
        static = [r for r in prepare(tests, args.lambdas_as_defs) if not args.k or r["file"] in args.k]
        results = work / "results.jsonl"
        run_pytest(work, tests, args, results)
        records = load(results, static)
        if args.s2s:
            source += f"; s2s from {args.s2s}" + (f" at {args.s2s_rev}" if args.s2s_rev else " (its work tree)")
        if args.lambdas_as_defs:
            source += " (look-ahead: `f = lambda ...` statements rewritten as `def`s)"
        text = table(records, source, time.perf_counter() - start)
        if args.baseline:
            text += changes(records, pathlib.Path(args.baseline))
        print(text)
        if args.out:
            pathlib.Path(args.out).write_text(text, encoding="utf-8")
        if args.json:
            pathlib.Path(args.json).write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records),
                                               encoding="utf-8")
        if args.keep:
            print(f"rewritten tests kept in {tests}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
