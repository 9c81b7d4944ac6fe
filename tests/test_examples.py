"""The worked examples run, and their own checks hold."""
import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name, tmp_path):
    result = subprocess.run([sys.executable, str(EXAMPLES / name)], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_newton_cg_converges_faster_than_gradient_descent(tmp_path):
    out = run("newton_cg.py", tmp_path)
    assert float(re.search(r"max \|p_cg - solve\(hessian, g\)\| = (\S+)", out).group(1)) < 1e-10
    newton, descent = map(int, re.search(r"1e-08 of Newton's final loss: Newton-CG (\d+) steps, gradient descent (\d+)",
                                         out).groups())
    assert newton < 10 < descent


def test_gauss_newton_products_match_the_formed_matrix(tmp_path):
    out = run("gauss_newton.py", tmp_path)
    assert float(re.search(r"max relative error over the vectors: (\S+)", out).group(1)) < 1e-10
    assert "G positive semidefinite (smallest eigenvalue >= -1e-10): True" in out
