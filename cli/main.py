"""`s2s grad TARGET`: print the generated derivative module."""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="s2s", description="Source-to-source automatic differentiation.")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grad", help="print the gradient of a function as Python source",
                       description="Example: s2s grad examples/course.py:loop")
    g.add_argument("target", help="path/to/file.py:func or package.module.func")
    g.add_argument("--wrt", default=None, help="comma-separated parameter names (default: the first)")
    args = parser.parse_args(argv)
    from .targets import resolve_target
    import s2s
    try:
        func = resolve_target(args.target)
        wrt = tuple(args.wrt.split(",")) if args.wrt and "," in args.wrt else (args.wrt or 0)
        df = s2s.grad(func, wrt=wrt)
    except s2s.S2SError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    sys.stdout.write(s2s.source(df))
    return 0


if __name__ == "__main__":
    sys.exit(main())
