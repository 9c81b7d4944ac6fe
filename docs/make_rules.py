"""Write docs/rules.md: every primitive s2s differentiates, read from the rule registry.

    python docs/make_rules.py           # (re)write docs/rules.md
    python docs/make_rules.py --check   # exit 1 if docs/rules.md is stale

Only built-in rules are listed (registered by a module under ``s2s.``), grouped
by the family module that registers them, under the first line of its docstring.
"""
from __future__ import annotations

import argparse
import operator
import pathlib
import sys

import numpy as np

OUT = pathlib.Path(__file__).with_name("rules.md")

_OPERATORS = {operator.add: "x + y", operator.sub: "x - y", operator.mul: "x * y", operator.truediv: "x / y",
              operator.pow: "x ** y", operator.mod: "x % y", operator.floordiv: "x // y", operator.matmul: "x @ y",
              operator.neg: "-x", operator.pos: "+x", operator.not_: "not x", operator.getitem: "x[i]",
              operator.and_: "x & y", operator.or_: "x | y", operator.xor: "x ^ y", operator.lshift: "x << y",
              operator.rshift: "x >> y", operator.invert: "~x"}


def entries():
    """[(family module, kind, name, rule)] of the built-in rules, in a stable order."""
    from s2s import rules
    try:  # SciPy's rules register once SciPy is imported (scipy.signal's once it is)
        import scipy  # noqa: F401
        import scipy.signal  # noqa: F401
    except ImportError:
        pass
    rules.load_optional()
    out = []
    for fn, rule in rules._BY_FUNCTION.items():
        name = _OPERATORS.get(fn) if isinstance(fn, type(operator.add)) and fn in _OPERATORS else rule.name
        out.append((rule.origin, "function", name or rule.name, rule))
    out += [(r.origin, "method", f".{m}()", r) for m, r in rules._BY_METHOD.items()]
    out += [(r.origin, "attribute", f".{a}", r) for a, r in rules._BY_ATTRIBUTE.items()]
    kinds = {"function": 0, "method": 1, "attribute": 2}
    return sorted((e for e in out if e[0].startswith("s2s.")), key=lambda e: (_scipy(e[0]), e[0], kinds[e[1]], e[2]))


def _scipy(family):
    """Is `family` one of SciPy's (listed last, in a section of their own)?"""
    return family.startswith("s2s.rules.scipy_")


def _reverse(rule):
    return bool(rule.vjps) and not rule.nondiff


def _forward(rule):
    return _reverse(rule) and bool(rule.jvp_terms())


def _cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def _template(rule):
    if rule.nondiff:
        return ""
    lines = [f"{p}: `{_cell(t)}`" for p, t in rule.source.items()]
    lines += [f"refused: `{p}` carrying a derivative" for p in rule.constant]
    lines += [f"only `{p}` = " + " or ".join(f"`{v!r}`" for v in values) for p, values in rule.only.items()]
    return "<br>".join(lines)


SCIPY = """## SciPy

SciPy is optional: these rules are registered when `import scipy` succeeds (those of
`scipy.signal` once it is imported; s2s itself never needs SciPy). Generated code that uses one imports the SciPy module it calls (`import scipy.special`).
The densities of `scipy.stats` are methods of its distribution objects (`norm.logpdf(x, loc=m,
scale=s)`, `stats.t.pdf(x, df)`); frozen distributions (`norm(m, s).logpdf(x)`) are not covered.
A SciPy function without a rule here is refused at your call, with the `s2s.rule(...)` to register."""

REFUSED = """## What s2s refuses

Each of these raises `S2SError` when the derivative is built (or, for arguments, when it is
called), never a silently wrong or zero derivative:

- a call with a differentiated argument to a function with no rule here (and no readable
  source); a non-differentiable entry above is one whose result cannot carry a derivative
  (integers, booleans, shapes, indices, dtypes, values that do not depend on the inputs, or
  piecewise constant functions, whose derivative is zero almost everywhere);
- a differentiated argument in a parameter a rule has no derivative for ("refused" above: the
  `ord` of a norm, the `ddof` of var and std, the `initial` of max and min), and a keyword outside the values a rule covers ("only" above: `np.pad`
  modes other than `'constant'`, `np.linspace(retstep=True)`, `np.linalg.cholesky(upper=True)`,
  `np.linalg.pinv(hermitian=True)`, `where=` of max and min); `out=` on any function;
- indexing a module's object with differentiated values (`np.r_[a, b]` and `np.c_[a, b]` are
  the joins they stand for, `np.concatenate` of the items made 1-d, or columns; with a string
  directive, `np.r_['0,2', a, b]`, they are refused: use `np.concatenate`, `np.stack`,
  `np.column_stack`);
- a derivative of a function that returns a bool (`np.allclose(x, y)`, `x > 0`):
  `BoolOutputError`, also a `TypeError`;
- complex values: a complex literal, or a global or closure variable holding complex numbers,
  that enters the differentiated computation (`UnsupportedError`); a complex number or array
  passed as any argument, seed or tangent (`ComplexArgumentError`, also a `TypeError`).
  A cast to a complex dtype (`x.astype(complex)`) raises `TypeError` when the derivative runs.
  Complex differentiation is not designed yet.

At points where a derivative has no finite formula but the function is locally constant or at
the tip of a cone, s2s gives 0: `np.std` of one entry (or of equal entries), `hypot` at zero,
`power(0, y)` in `y` and `x ** 0` in `x` (as autograd and JAX), and `np.linalg.norm` at zero (the
least-norm subgradient; autograd and JAX give NaN there). A container entry that is never read
gets no cotangent at all, so what it holds cannot turn a zero into NaN.

Also refused when the derivative is built: a write in place (`y[i] = v`, `y += v` on an array)
while another name sharing the array's memory is read later, and a call to a function of yours
that writes into its argument. Where `y += v` may rebind a number or write an array, the
derivative checks when it runs (`s2s.InPlaceWriteError`), unless the helper's argument is
dead after the call: then the helper is given a copy, and the derivative is exact.
"""


def counts(rows):
    """{label: (reverse, forward)} and the number of non-differentiable entries."""
    def numpy_fn(kind, name):
        return kind == "function" and name.startswith("np.") and name.count(".") <= 2 and not name.startswith("np.fft")
    groups = {
        "NumPy functions (`np.*`, `np.linalg.*`)": lambda kind, name: numpy_fn(kind, name),
        "array methods": lambda kind, name: kind == "method",
        "array attributes": lambda kind, name: kind == "attribute",
        "`math` functions": lambda kind, name: kind == "function" and name.startswith("math."),
        "SciPy functions (`scipy.special`, `scipy.stats`, `scipy.linalg`, `scipy.signal`), if installed":
            lambda kind, name: kind == "function" and name.startswith("scipy."),
    }
    table = {label: (sum(_reverse(r) for _, k, n, r in rows if pick(k, n)),
                     sum(_forward(r) for _, k, n, r in rows if pick(k, n))) for label, pick in groups.items()}
    return table, sum(r.nondiff for *_, r in rows)


def _heading(module):
    """The first line of the module's docstring (carried on to the end of its sentence), without the
    final period, in Markdown."""
    doc = (module.__doc__ or module.__name__).strip()
    first = doc.splitlines()[0]
    if not first.endswith("."):
        paragraph = " ".join(doc.split("\n\n")[0].split())
        end = paragraph.find(". ", len(first))
        first = paragraph if end < 0 else paragraph[:end + 1]
    return first.removesuffix(".").replace("``", "`")


def render() -> str:
    rows = entries()
    table, nondiff = counts(rows)
    lines = ["# Supported functions", "",
             "<!-- Generated by `python docs/make_rules.py` from the rule registry (s2s/rules). Do not edit. -->", "",
             "What s2s differentiates out of the box: each primitive's reverse (VJP) and forward (JVP)",
             "rule, written once in `s2s/rules` (see `s2s.rule`). In a template, `g` is the output's",
             "cotangent, `ans` the output, and each parameter name the argument passed for it. Functions",
             "marked non-differentiable run in derivative code but carry no derivative.", "",
             "| | reverse | forward |", "|---|---:|---:|"]
    lines += [f"| {label} | {rev} | {fwd} |" for label, (rev, fwd) in table.items()]
    lines += [f"| non-differentiable (functions, methods, attributes) | {nondiff} | |", ""]
    import importlib
    families = list(dict.fromkeys(origin for origin, *_ in rows))
    for family in families:
        level = "###" if _scipy(family) else "##"
        if _scipy(family) and not any(_scipy(f) for f in families[:families.index(family)]):
            lines += SCIPY.splitlines() + [""]   # the first SciPy family opens their section
        lines += [f"{level} {_heading(importlib.import_module(family))}", "", f"`{family}`", "",
                  "| name | reverse | forward | non-differentiable | reverse template |", "|---|:-:|:-:|:-:|---|"]
        for _, kind, name, rule in (e for e in rows if e[0] == family):
            lines.append(f"| `{_cell(name)}` | {'✓' if _reverse(rule) else ''} | {'✓' if _forward(rule) else ''} "
                         f"| {'non-differentiable' if rule.nondiff else ''} | {_template(rule)} |")
        lines.append("")
    return "\n".join(lines) + "\n" + REFUSED


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/rules.md is stale; write nothing")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale: run `python docs/make_rules.py`", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
