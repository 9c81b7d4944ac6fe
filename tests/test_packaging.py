"""Packaging: what a clone, an install and the test suite import, the version's one source, the declared
Python and NumPy versions.

The fast tests run by default. The slow ones (`S2S_SLOW=1 pytest tests/test_packaging.py`, several
minutes, they need the package index) clone the repository into a temporary folder, run the README's
set-up commands there in a fresh virtual environment, then install a wheel built from the clone and
use it outside the clone.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import s2s

try:
    import tomllib
except ModuleNotFoundError:   # Python 3.10 has no TOML reader: the tests of pyproject.toml's contents skip
    tomllib = None

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text()) if tomllib else None
NEEDS_TOML = pytest.mark.skipif(tomllib is None, reason="reading pyproject.toml needs Python 3.11's tomllib")
SLOW = pytest.mark.skipif(not os.environ.get("S2S_SLOW"), reason="slow: set S2S_SLOW=1 to run")

IMPORTS = ("import json, s2s, s2s.transforms, s2s.cli.main; "
           "print(json.dumps([s2s.__file__, s2s.transforms.__file__, s2s.cli.__file__, s2s.__version__]))")


def _imported(python, cwd, env=None):
    """Where `python`, run in `cwd`, finds s2s, s2s.transforms and s2s.cli, and s2s's version."""
    import json
    env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONPATH"}
    done = subprocess.run([python, "-c", IMPORTS], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    s2s_file, transforms_file, cli_file, version = json.loads(done.stdout)
    return Path(s2s_file).parent, Path(transforms_file).parent, Path(cli_file).parent, version


def test_the_suite_tests_the_working_tree():
    import s2s.cli
    import s2s.transforms
    assert Path(s2s.__file__).parent == ROOT / "s2s"
    assert Path(s2s.transforms.__file__).parent == ROOT / "transforms"
    assert Path(s2s.cli.__file__).parent == ROOT / "cli"
    assert os.environ["PYTHONPATH"].split(os.pathsep)[0] == str(ROOT)   # the subprocesses tests start too


def test_import_s2s_from_a_clone_root_is_that_clone_whole_whatever_is_installed(tmp_path):
    # `python -c` and `python -m pytest` in the root put the root first on sys.path: its s2s/ must find
    # transforms/ and cli/ beside it (an installed s2s has them inside, and is not what runs here) --
    # also in another clone, while this one may be what is installed (editable).
    for folder in ("s2s", "transforms", "cli"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    assert _imported(sys.executable, tmp_path)[:3] == (tmp_path / "s2s", tmp_path / "transforms", tmp_path / "cli")


def test_python_m_pytest_collects_from_the_clone_root():   # which imports the clone's s2s: see above
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-p", "no:cacheprovider",
                           "tests/test_packaging.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0 and re.search(r"\d+ tests? collected", done.stdout), done.stdout + done.stderr


@NEEDS_TOML
def test_the_version_has_one_source():
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "s2s.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", s2s.__version__)
    assert f"## {s2s.__version__}" in (ROOT / "CHANGELOG.md").read_text()


@NEEDS_TOML
def test_python_3_10_to_3_13_are_declared():
    project = PYPROJECT["project"]
    assert project["requires-python"] == ">=3.10"
    declared = {c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert declared == {"3.10", "3.11", "3.12", "3.13"}


@NEEDS_TOML
def test_numpy_floor_script_tests_the_declared_floor_and_the_newest():
    (numpy,) = [d for d in PYPROJECT["project"]["dependencies"] if re.match(r"numpy\b", d)]
    floor = re.fullmatch(r"numpy>=(\d+\.\d+)(\.\d+)?", numpy)
    assert floor, numpy
    done = subprocess.run(["bash", str(ROOT / ".ci" / "numpy-floor"), "--print"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [f"numpy=={floor[1]}.*", numpy]


def _venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "S2S_SLOW", "PYTHONHOME")}
    env.update(VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return venv / "bin" / "python", env


def _readme_commands():
    """The shell commands of the README's set-up section (its first ```sh block), comments dropped."""
    setup = (ROOT / "README.md").read_text().split("## Set up", 1)[1]
    block = re.search(r"```sh\n(.*?)```", setup, re.S)[1]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def _sh(command, cwd, env):
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@SLOW
def test_readme_set_up_in_a_fresh_clone_and_a_wheel_built_from_it(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    python, env = _venv(tmp_path)
    commands = _readme_commands()
    assert len(commands) == 2 and "pytest" in commands[1]
    first = _sh(commands[0], clone, env)                          # install, print a gradient
    assert "\n# Generated by s2s" in first.stdout and "def grad_loop(a, b):" in first.stdout   # after pip's lines
    second = _sh(commands[1], clone, env)                         # install the test tools, run the suite
    assert re.search(r"\d+ passed", second.stdout) and " failed" not in second.stdout
    assert _imported(str(python), clone, env)[:3] == (clone / "s2s", clone / "transforms", clone / "cli")

    # A wheel built from the clone, installed (not editable): it works outside the clone, and in the clone
    # the working tree is what the tests import.
    _sh(f"pip install --quiet --no-deps --force-reinstall {shlex.quote(str(clone))}", tmp_path, env)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    where, transforms, cli, version = _imported(str(python), outside, env)
    site = where.parent
    assert (where, transforms, cli) == (site / "s2s", site / "s2s" / "transforms", site / "s2s" / "cli")
    assert "site-packages" in str(site) and version == s2s.__version__
    assert _sh("s2s --version", outside, env).stdout == f"s2s {s2s.__version__}\n"
    grad = _sh(f"s2s grad {shlex.quote(str(clone / 'examples' / 'course.py'))}:poly --wrt x,y", outside, env)
    namespace = {}
    exec(grad.stdout, namespace)
    assert namespace["grad_poly"](3.0, 4.0) == (24.0, 10.0)
    (clone / "s2s" / "edited_here.py").write_text("EDITED = True\n")   # an edit, tested without reinstalling
    (clone / "tests" / "test_edit.py").write_text("def test_edit():\n    from s2s.edited_here import EDITED\n"
                                                  "    assert EDITED\n")
    for runner in ("pytest", "python -m pytest"):
        done = _sh(f"{runner} -p no:cacheprovider tests/test_edit.py tests/test_packaging.py", clone, env)
        assert re.search(r"\d+ passed", done.stdout) and " failed" not in done.stdout
