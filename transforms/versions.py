"""Versions: a name assigned again in straight-line code takes a new name.

`known_shapes` knows the shape of a name only where every assignment to it agrees. Code written
for one shape per name reads so; an unrolled loop (`unroll_trees`) does not: ``h`` is assigned
once per layer, each time of another shape. This pass, on a parsed function body before normal
form, gives each assignment at the body's top level after the first its own name (``h``, then
``h_1``, ``h_2``), and every read the name it reads then. It is exact where no other path can
read the name: names assigned in a loop or branch, augmented or annotated, written into, or read
in another scope keep theirs.
"""
from __future__ import annotations

import gast

from .nodes import walk


def versions(body, taken, params) -> list:
    """`body` (in place) with the names assigned again at its top level renamed, as above.
    `taken`: the names in use (grows); `params`: the function's, assigned already."""
    kept = set()
    for s in body:
        for node in walk(s):
            if isinstance(node, (gast.For, gast.While, gast.If)):
                kept |= {n.id for part in (node.body, node.orelse) for t in part for n in walk(t)
                         if isinstance(n, gast.Name) and not isinstance(n.ctx, gast.Load)}
                if isinstance(node, gast.For):
                    kept |= {n.id for n in walk(node.target) if isinstance(n, gast.Name)}
            elif isinstance(node, (gast.AugAssign, gast.AnnAssign)):
                kept |= {n.id for n in walk(node.target) if isinstance(n, gast.Name)}
            elif isinstance(node, gast.Assign):
                kept |= {n.id for t in node.targets if not isinstance(t, (gast.Name, gast.Tuple, gast.List))
                         for n in walk(t) if isinstance(n, gast.Name)}
            elif isinstance(node, (gast.Lambda, gast.FunctionDef, gast.comprehension)):
                kept |= {n.id for n in walk(node) if isinstance(n, gast.Name)}
    current, seen = {}, set(params)
    for s in body:
        for n in walk(s):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id in current:
                n.id = current[n.id]
        if isinstance(s, gast.Assign):
            for n in (n for t in s.targets for n in walk(t)):
                if not isinstance(n, gast.Name) or n.id in kept:
                    continue
                original = n.id
                if original in seen:
                    k = 1
                    while f"{original}_{k}" in taken:
                        k += 1
                    taken.add(f"{original}_{k}")
                    current[original] = n.id = f"{original}_{k}"
                seen.add(original)
    return body
