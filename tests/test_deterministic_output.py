"""The code s2s writes is the same in every process: Python orders a set of strings by their
hashes, which change from process to process (PYTHONHASHSEED), so nothing s2s writes may follow
such an order. `s2s grad --check` compares a committed module with the code written again."""
import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import s2s, corpus_hash_order as c
print(s2s.source(s2s.grad(c.f, wrt=(0, 1))))
print(s2s.source(s2s.hvp(c.f, wrt=0)))
"""


def written(hash_seed, tmp_path):
    env = dict(os.environ, PYTHONHASHSEED=str(hash_seed), S2S_CACHE_DIR=str(tmp_path / f"cache{hash_seed}"))
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(tests=str(TESTS))], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_code_written_does_not_depend_on_the_order_of_strings_hashes(tmp_path):
    first = written(1, tmp_path)   # (these two seeds put the program's checks in two orders)
    assert "copied_entries_passed_as_value(_1" in first
    assert written(5, tmp_path) == first
