"""Versions: a name assigned again in straight-line code takes a new name.

`known_shapes` knows the shape of a name only where every assignment to it agrees. Code written
for one shape per name reads so; an unrolled loop (`unroll_trees`) does not: ``h`` is assigned
once per layer, each time of another shape. This pass, on a parsed function body before normal
form, gives each assignment at the body's top level after the first its own name (``h``, then
``h_1``, ``h_2``), and every read the name it reads then. It is exact where no other path can
read the name: names assigned in a loop or branch, augmented or annotated, written into, or read
in another scope keep theirs.

`versions_in_blocks` does the same in every block of a function (its body, its loops' and
branches' bodies), for given names that a block has to itself: a list built by appends and then
bound to what is made of it (``outs = np.stack(outs)``, inside a loop too) is two values, a list
and an array, whose cotangents are a list and an array.
"""
from __future__ import annotations

import gast

from .nodes import walk


def versions(body, taken, params, only=None) -> list:
    """`body` (in place) with the names assigned again at its top level renamed, as above.
    `taken`: the names in use (grows); `params`: the function's, assigned already; `only`: the
    names to rename, if not all."""
    kept = set()
    for s in body:
        for node in walk(s):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Del):
                kept.add(node.id)   # (`del h` deletes the name it deletes)
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
            elif isinstance(node, gast.comprehension):   # (its targets are its own; what it reads, the block's)
                kept |= {n.id for n in walk(node.target) if isinstance(n, gast.Name)}
            elif isinstance(node, (gast.Lambda, gast.FunctionDef)):
                kept |= {n.id for n in walk(node) if isinstance(n, gast.Name)}
    current, seen = {}, set(params)
    for s in body:
        for n in walk(s):
            if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load) and n.id in current:
                n.id = current[n.id]
        if isinstance(s, gast.Assign):
            for n in (n for t in s.targets for n in walk(t)):
                if not isinstance(n, gast.Name) or n.id in kept or only is not None and n.id not in only:
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


def versions_in_blocks(fn, taken, only) -> None:
    """`versions` of the body of `fn` and of every loop's or branch's body in it (not of the
    functions it defines), in place, for the names of `only`; in a nested block, only for those
    the block has to itself: every occurrence of the name in `fn` is in it, and the first of its
    statements that mentions the name assigns it without reading it, so that no value of the name
    comes into the block from before it, nor goes out of it."""
    params = {a.id for a in fn.args.args + fn.args.kwonlyargs}
    versions(fn.body, taken, params, only)
    for block in _nested_blocks(fn.body):
        mentions = {}
        for n in (n for s in block for n in walk(s)):
            if isinstance(n, gast.Name) and n.id in only:
                mentions[n.id] = mentions.get(n.id, 0) + 1
        everywhere = {}
        for n in walk(fn):
            if isinstance(n, gast.Name) and n.id in mentions:
                everywhere[n.id] = everywhere.get(n.id, 0) + 1
        own = {v for v, k in mentions.items() if everywhere[v] == k and _first_assigns(block, v)}
        if own:
            versions(block, taken, set(), own)


def _nested_blocks(body):
    for s in body:
        if isinstance(s, (gast.For, gast.While, gast.If)):
            for part in (s.body, s.orelse):
                if part:
                    yield part
                    yield from _nested_blocks(part)


def _first_assigns(block, v) -> bool:
    """Is the first statement of `block` that mentions `v` an assignment of it that does not read it?"""
    for s in block:
        names = [n for n in walk(s) if isinstance(n, gast.Name) and n.id == v]
        if names:
            return isinstance(s, gast.Assign) and all(isinstance(n.ctx, gast.Store) for n in names) \
                and all(isinstance(t, (gast.Name, gast.Tuple, gast.List)) for t in s.targets)
    return False
