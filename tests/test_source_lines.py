"""Reading a function's lines (`s2s.parsing`): the end of a `def` is found by its indentation, not
by tokenizing the file; where a line of a string or within brackets ends it early, that text does
not parse and `inspect.getblock` finds it. Either way the lines are those `inspect.getsourcelines`
gives, which is the oracle here."""
import importlib.util
import inspect
import textwrap

import pytest

from s2s.parsing import _def_lines, parse_function

MODULE = '''
import functools


def deco(f):
    @functools.wraps(f)
    def wrapper(*args):
        return f(*args)
    return wrapper


@deco
@functools.lru_cache(
    maxsize=None,
)
def decorated(x):
    return x * 2.0
    # a comment at the end of the body


def black_style(
    x,
    y=1.0,
):
    return x * y


def string_at_column_0(x):
    s = """
text at column 0
"""
    return x + len(s)


def brackets_at_column_0(x):
    y = (x +
1.0)
    return y


def one_liner(x): return x * 3.0
def after_one_liner(x):
    return x


class Model:
    def method(self, x):
        # a comment
        return x * 2.0

    @staticmethod
    def static(x):
        return x


def tabs(x):
\treturn x
'''


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("source_lines") / "tricky.py"
    path.write_text(MODULE)
    spec = importlib.util.spec_from_file_location("tricky", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


NAMES = ["decorated", "black_style", "string_at_column_0", "brackets_at_column_0", "one_liner", "after_one_liner",
         "Model.method", "Model.static", "tabs"]


@pytest.mark.parametrize("qualname", NAMES)
def test_the_lines_read_are_those_inspect_gives(module, qualname):
    f = module
    for part in qualname.split("."):
        f = getattr(f, part)
    f = inspect.unwrap(f)
    fn, info = parse_function(f)
    assert info.text == "".join(inspect.getsourcelines(f)[0])
    assert fn.name == f.__name__


def test_indentation_alone_ends_the_common_defs_where_tokenizing_would():
    lines = textwrap.dedent(MODULE).splitlines(True)
    start = lines.index("def black_style(\n")
    assert "".join(_def_lines(lines, start)) == "def black_style(\n    x,\n    y=1.0,\n):\n    return x * y\n"
    start = lines.index("def string_at_column_0(x):\n")   # (too early: parse_function asks getblock)
    assert _def_lines(lines, start)[-1] == '    s = """\n'
    assert _def_lines(lines, lines.index("def tabs(x):\n")) is None
