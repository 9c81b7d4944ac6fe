"""Property test: gradients with respect to a list of (W, b) tuples, as autograd's models take
their parameters, in random programs that read it the ways such models do -- loops over it or a
slice of it, `enumerate`, a range over its length, an entry at a constant (negative) index,
unpacked or indexed again, passed to a function of the module -- against the complex step, which is exact to rounding for these
programs (tanh, sin, cos, products and sums). Each gradient is called three times: the general
code, then twice the code for the shapes of the arguments, the list's with its loops unrolled
(`transforms.unroll_trees`) where they can be. Example count: the Hypothesis profile
(tests/conftest.py)."""
import importlib.util

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import s2s

READS = [
    "for W, b in params{part}:\n        h = np.tanh(h @ W + b)",
    "W, b = params[{k}]\n    h = np.sin(h @ W) + b",
    "for k in range(len(params){less}):\n        W, b = params[k]\n        h = h + 0.1 * np.cos(h @ W + b)",
    "acc = 0.0\n    for W, b in params:\n        acc = acc + np.sum(W * W) + np.sum(b)\n    total = total + 0.01 * acc",
    "last = params[{k}]\n    h = h * 0.5 + np.tanh(h @ last[0]) * np.sum(last[1])",
    "for i, (W, b) in enumerate(params{part}):\n        h = h + (i + 1.0) * 0.1 * np.tanh(h @ W + b)",
    "for W, b in reversed(params{part}):\n        h = np.tanh(h @ W.T + b)",
    "h = h + 0.05 * np.sum([np.sum(b * b) for W, b in params{part}])",
    "for W, b in params{part}:\n        if np.sum(b) > 50.0:\n            break\n        h = np.cos(h @ W) * b",
    "for layer in params{part}:\n        h = h + 0.1 * np.sin(h @ layer[0]) + layer[1]",
    "h = forward(params, h)",
    "total = total + penalty(params)",
    "total = total + 0.01 * weighted(params, h)",
    "total = total + 0.01 * np.sum(h) + penalty(params)",   # (helpers after calls of their statement)
    "total = total + np.mean(forward(params, h)) + 0.01 * weighted(params, h)",
    "h = scaled_forward(h=h, params=params{part}, scale=0.5)",   # (keywords, defaults left)
    "h = scaled_forward(params, h, 2.0, shift=(0.25, -0.5))",
]
HELPERS = """

def forward(params, h):
    for W, b in params:
        h = np.tanh(h @ W + b)
    return h


def penalty(params):
    return 0.01 * sum(np.sum(W * W) for W, b in params)


def weighted(params, h):
    return np.sum(h) * sum(np.sum(b) for W, b in params)


def scaled_forward(params, h, scale=1.0, *, shift=(0.0, 0.1)):
    for W, b in params:
        h = np.tanh(scale * (h @ W) + b + shift[1])
    return h
"""
PARTS = ["", "[:-1]", "[1:]", "[::-1]", "[:2]"]


@st.composite
def programs(draw):
    reads = []
    for _ in range(draw(st.integers(1, 4))):
        template = draw(st.sampled_from(READS))
        reads.append(template.format(part=draw(st.sampled_from(PARTS)), k=draw(st.sampled_from([0, 1, -1, -2])),
                                     less=draw(st.sampled_from(["", " - 1"]))))
    body = "\n    ".join(reads)
    return (f"import numpy as np\n{HELPERS}\n\ndef f(params, x):\n    h = x\n    total = 0.0\n    {body}\n"
            f"    return total + np.sum(h * h)\n")


@pytest.fixture(scope="module")
def progdir(tmp_path_factory):
    return tmp_path_factory.mktemp("random_trees")


def load(source, directory, k):
    path = directory / f"tree_program_{k}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def complex_step(f, params, rest, key, j, h=1e-30):
    """d f(params, *rest) / d params[key][j] (a list's or a dict's layer), entry by entry, by the
    complex step."""
    leaf = params[key][j]
    out = np.zeros(leaf.shape)
    for index in np.ndindex(leaf.shape):
        stepped = leaf.astype(complex)
        stepped[index] += 1j * h
        moved = dict(params) if isinstance(params, dict) else list(params)
        moved[key] = tuple(stepped if i == j else e for i, e in enumerate(params[key]))
        out[index] = f(moved, *rest).imag / h
    return out


_count = [0]


@given(source=programs(), seed=st.integers(0, 2 ** 16))
def test_gradients_with_respect_to_a_list_of_layers_are_those_of_the_complex_step(source, seed, progdir):
    _count[0] += 1
    f = load(source, progdir, _count[0]).f
    rng = np.random.default_rng(seed)
    params = [(0.5 * rng.normal(size=(3, 3)), 0.5 * rng.normal(size=3)) for _ in range(rng.integers(2, 5))]
    x = rng.normal(size=(2, 3))
    g = s2s.grad(f)
    for _ in range(3):
        got = g(params, x)
        assert type(got) is list and all(type(layer) is tuple and len(layer) == 2 for layer in got), source
        for i in range(len(params)):
            for j in range(2):
                np.testing.assert_allclose(got[i][j], complex_step(f, params, (x,), i, j), rtol=1e-9, atol=1e-12,
                                           err_msg=source)


# -- a dict of layers, by name, as JAX's examples keep them -------------------------------------

DICT_READS = [
    "for k in p:\n        W, b = p[k]\n        h = np.tanh(h @ W + b)",
    "for k, (W, b) in p.items():\n        h = h + 0.1 * np.sin(h @ W) * b",
    "total = total + 0.01 * sum(np.sum(W * W) + np.sum(b) for W, b in p.values())",
    "W, b = p['{key}']\n    h = np.cos(h @ W.T) + b",
    "h = h * (1.0 + 0.1 * len(p))",
    "for k in list(p):\n        h = h + 0.05 * np.tanh(h @ p[k][0])",
    "h = forward(list(p.values()), h)",
]


@st.composite
def dict_programs(draw):
    reads = [draw(st.sampled_from(DICT_READS)).format(key=draw(st.sampled_from(["l0", "l1"])))
             for _ in range(draw(st.integers(1, 4)))]
    body = "\n    ".join(reads)
    return (f"import numpy as np\n{HELPERS}\n\ndef f(p, x):\n    h = x\n    total = 0.0\n    {body}\n"
            f"    return total + np.sum(h * h)\n")


@given(source=dict_programs(), seed=st.integers(0, 2 ** 16))
def test_gradients_with_respect_to_a_dict_of_layers_are_those_of_the_complex_step(source, seed, progdir):
    _count[0] += 1
    f = load(source, progdir, _count[0]).f
    rng = np.random.default_rng(seed)
    p = {f"l{k}": (0.5 * rng.normal(size=(3, 3)), 0.5 * rng.normal(size=3)) for k in range(rng.integers(2, 4))}
    x = rng.normal(size=(2, 3))
    g = s2s.grad(f)
    for _ in range(3):
        got = g(p, x)
        assert type(got) is dict and list(got) == list(p), source
        for key in p:
            for j in range(2):
                np.testing.assert_allclose(got[key][j], complex_step(f, p, (x,), key, j), rtol=1e-9, atol=1e-12,
                                           err_msg=source)


# -- chains of layers of random widths: each unrolled layer of another shape --------------------

ACTIVATIONS = ["np.tanh", "np.sin", "np.cos"]
LOSSES = ["np.sum(h * h)", "np.mean(np.log(np.sum(np.exp(h), axis=1, keepdims=True)))",
          "np.sum(h * y) + np.sum(h ** 3)", "np.sum(np.mean(h, axis=0) ** 2)"]
CHAINS = {
    "list": "for W, b in params:\n        h = {act}(h @ W + b)",
    "indexed": "for k in range(len(params)):\n        h = {act}(h @ params[k][0] + params[k][1])",
    "dict": "for name in params:\n        W, b = params[name]\n        h = {act}(h @ W + b)",
}


@st.composite
def chains(draw):
    widths = [draw(st.integers(1, 4)) for _ in range(draw(st.integers(2, 5)))]
    kind = draw(st.sampled_from(sorted(CHAINS)))
    body = CHAINS[kind].format(act=draw(st.sampled_from(ACTIVATIONS)))
    loss = draw(st.sampled_from(LOSSES))
    source = (f"import numpy as np\n\n\ndef f(params, x, y):\n    h = x\n    {body}\n"
              f"    return {loss}\n")
    return source, kind, widths


@given(case=chains(), seed=st.integers(0, 2 ** 16))
def test_chains_of_layers_of_random_widths_against_the_complex_step(case, seed, progdir):
    source, kind, widths = case
    _count[0] += 1
    f = load(source, progdir, _count[0]).f
    rng = np.random.default_rng(seed)
    layers = [(0.5 * rng.normal(size=(m, n)), 0.5 * rng.normal(size=n)) for m, n in zip(widths[:-1], widths[1:])]
    params = {f"l{k}": layer for k, layer in enumerate(layers)} if kind == "dict" else layers
    x, y = rng.normal(size=(3, widths[0])), rng.normal(size=(3, widths[-1]))
    g = s2s.grad(f)
    for _ in range(3):
        got = g(params, x, y)
        for k, key in enumerate(params if kind == "dict" else range(len(layers))):
            for j in range(2):
                np.testing.assert_allclose(got[key][j], complex_step(f, params, (x, y), key, j), rtol=1e-9,
                                           atol=1e-12, err_msg=source)
