"""Batching: sums of outer products across a loop, as one matrix product after it.

A backward loop over an RNN's steps accumulates its weight gradients one outer product per step:

    for _ in range(_trips1):
        ...
        d_Wx = d_Wx + np.multiply.outer(d_1, x)

Written by hand, those steps keep the two factors and multiply once, after the loop (the sum of
the outer products of the rows of A and B is ``A.T @ B``, exactly, in real arithmetic):

    _rows1 = []
    _cols1 = []
    for _ in range(_trips1):
        ...
        _rows1.append(d_1)
        _cols1.append(x)
    if _rows1:
        d_Wx = d_Wx + np.array(_rows1).T @ np.array(_cols1)

One matrix product replaces a product and a sum of two arrays per step. Where one factor is a row
of an array at the step's index (``xs[t]`` in ``for t in reversed(range(a, b))``), the rows are
stacked in the order of the steps and that factor is the slice ``xs[a:b]``, not a list.

In code for known shapes the vectors' lengths are known (`transforms.specialise` puts them on its
mark), and over the indices of such a range (``b`` an int constant or ``len(xs)``) the rows and
columns go into arrays at the step's index, in the steps' order: no list of small arrays, no copy
of it stacked after the loop (the RNN's gradient used 2.5 times the memory of the hand-written
one, 1.7 times with the arrays):

    _rows1 = np.empty((50, 16))
    _cols1 = np.empty((50, 16))
    for t in reversed(range(50)):
        ...
        _rows1[t] = d_1
        _cols1[t] = h
    if len(_rows1):
        d_Wh = d_Wh + _rows1.T @ _cols1

The rewrite applies to an adjoint accumulated only there in the loop (nothing else in the loop
reads or writes it), whose outer product `transforms.specialise` made of two vectors (code for
known shapes marks those calls): factors of other ranks would not stack into rows; and to loops
that write into no array (`y[i] = v`, as the pops of recorded element writes do), since the rows
are read after the loop.
Outer products of one value share its rows, and a sum of that value (`d_b = d_b + d_1`, nothing
else in the loop reading `d_b`) is summed from them, where every statement of their block runs as
often as the others (no `break`, `continue` or `return` in it).
"""
from __future__ import annotations

import gast

from .nodes import assign, at, call, clone, const, expr_stmt, name, stored_names, subscript_write, walk, walk_statements
from .tapes import range_loop, trip_row

MARK = "s2s_vectors"   # set on an `np.multiply.outer(u, v)` call node whose operands are known vectors:
# True, or their lengths (u's, v's) where code for known shapes knows them


def vectors_outer(u, v):
    """`np.multiply.outer(u, v)` of two vectors, marked for this pass."""
    node = call("np.multiply.outer", u, v)
    setattr(node, MARK, True)
    return node


def batch_outer_products(stmts, namer, counter=None) -> list:
    """`stmts` with each loop's marked outer-product accumulations batched (innermost loops first)."""
    counter = counter if counter is not None else [0]
    out = []
    for s in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(s, field, None), list):
                setattr(s, field, batch_outer_products(getattr(s, field), namer, counter))
        if isinstance(s, (gast.For, gast.While)):
            before, after = _batch(s, namer, counter)
            out += before + [s] + after
        else:
            out.append(s)
    return out


def _batch(loop, namer, counter):
    before, after = [], []
    if any(subscript_write(t) is not None for t in walk_statements(loop.body + loop.orelse)):
        return before, after   # a row kept for after the loop could be written into before it is read
    uses: dict = {}
    for n in walk(loop):
        if isinstance(n, gast.Name):
            uses[n.id] = uses.get(n.id, 0) + 1
    for block in [loop.body, loop.orelse] + [getattr(s, f) for s in walk_statements(loop.body + loop.orelse)
                                              for f in ("body", "orelse") if isinstance(getattr(s, f, None), list)]:
        made_before, made_after = _batch_block(block, uses, namer, counter, loop)
        before += made_before
        after += made_after
    return before, after


class _Rows:
    """One list of rows kept in a block: the value appended (its `_origin`, None if it has none
    to share), the outer products (total, cols) and the sums (total) made of it."""

    def __init__(self, number, origin, length):
        self.number, self.origin, self.length = number, origin, length
        self.products, self.sums = [], []


def _batch_block(block, uses, namer, counter, loop):
    """Rewrite the accumulations of one block of `loop` (in place); the statements to put before
    and after the loop. In a block left only at its end, outer products of one value (`d_1`
    with `h`, then with `x`, also through copies `d_5 = d_1`) share its list of rows, and a sum of
    that value (`d_b = d_b + d_1`) becomes a sum of those rows after the loop."""
    plain = not any(isinstance(t, (gast.Break, gast.Continue, gast.Return))
                    for t in walk_statements(block))   # (each statement of it runs as often as any other)
    trips = _trips(loop, block)   # (index, count, first): rows written at `index - first` of arrays
    before, kept, replace = [], [], {}
    for k, s in enumerate(block):
        found = _accumulation(s)
        if found is None or uses.get(found[0], 0) != 2:   # read or written elsewhere in the loop
            continue
        total, u, v, lengths = found
        counter[0] += 1
        origin = _origin(block, k, u.id) if plain and type(u) is gast.Name else None
        rows = next((r for r in kept if origin is not None and r.origin == origin), None)
        replace[k] = []
        if rows is None:
            rows = _Rows(counter[0], origin, lengths[0] if lengths and trips else None)
            kept.append(rows)
            before.append(_kept(namer.numbered("rows", rows.number), rows.length, trips, loop))
            replace[k].append(_keep(namer.numbered("rows", rows.number), u, rows.length, trips, s))
        v = _read_row(block, k, v, trips) if plain else v   # (`h = _tape1[t]`, then h: that row)
        # (the columns in an array where the rows are, but a row of an array at the index: a list
        # that `_rows_in_order` finds to be a slice of that array)
        length = lengths[1] if lengths and rows.length is not None and not _row_at(v, trips) else None
        cols = namer.numbered("cols", counter[0])
        before.append(_kept(cols, length, trips, loop))
        replace[k].append(_keep(cols, v, length, trips, s))
        rows.products.append((total, cols, length is None))
    for k, s in enumerate(block):
        found = _vector_sum(s) if plain and k not in replace else None
        if found is None or uses.get(found[0], 0) != 2:
            continue
        origin = _origin(block, k, found[1])
        rows = next((r for r in kept if r.origin == origin), None)
        if rows is not None:
            replace[k] = []
            rows.sums.append(found[0])
    block[:] = [t for k, s in enumerate(block) for t in replace.get(k, [s])]
    after = []
    rows_of = _rows_in_order(loop, block)   # {cols list: the rows of an array it holds, in order}
    block[:] = [s for s in block if (_appended(s) or (None,))[0] not in rows_of]   # (no list needed)
    before = [s for s in before if s.targets[0].id not in rows_of]
    for rows in kept:
        stacked = namer.numbered("stacked", rows.number)
        listed = rows.length is None
        # rows in an array are in the order of the steps; in a list, backwards, unless stacked in
        # that order for a slice of an array at the index (`_rows_in_order`)
        forward = not listed or any(cols in rows_of for _, cols, _ in rows.products)
        rows_name = name(namer.numbered("rows", rows.number))
        body = [assign(stacked, call("np.array", _in_order(rows_name, forward)), loop)] if listed else []
        stacked = stacked if listed else rows_name.id   # (an array of rows is read as it is)
        body += [assign(total, gast.BinOp(left=name(total), op=gast.Add(), right=call(
            gast.Attribute(value=name(stacked), attr="sum", ctx=gast.Load()),
            keywords=[gast.keyword(arg="axis", value=const(0))])), loop) for total in rows.sums]
        body += [assign(total, gast.BinOp(left=name(total), op=gast.Add(), right=gast.BinOp(
            left=gast.Attribute(value=name(stacked), attr="T", ctx=gast.Load()), op=gast.MatMult(),
            right=rows_of[cols] if cols in rows_of else call("np.array", _in_order(name(cols), forward))
            if cols_listed else name(cols))), loop)
            for total, cols, cols_listed in rows.products]
        test = rows_name if listed else call("len", rows_name)
        after.append(at(gast.If(test=test, body=body, orelse=[]), loop))
    return before, after


def _read_row(block, k, value, trips):
    """``xs[t]`` where `value`, at statement `k` of `block`, is a name that holds the row of an
    array at the trips' index read earlier in the block (``h = xs[t]``: a tape's row, `transforms.tapes`),
    else `value`."""
    if trips is None or type(value) is not gast.Name:
        return value
    _, j = _origin(block, k, value.id)
    read = block[j].value if j >= 0 and isinstance(block[j], gast.Assign) else None
    if not _row_at(read, trips) or read.value.id in {n for t in block for n in stored_names(t)}:
        return value   # (read again later, the array must hold what it held)
    return clone(read)


def _row_at(value, trips) -> bool:
    """Is `value` a row of an array at the trips' index (``xs[t]``)?"""
    return trips is not None and isinstance(value, gast.Subscript) and isinstance(value.value, gast.Name) \
        and isinstance(value.slice, gast.Name) and value.slice.id == trips[0]


def _trips(loop, block):
    """(index, count, first) where `block`, the whole body of `loop`, runs once for each of the
    indices `first, ..., first + count - 1` of ``for index in reversed(range(first, b))`` to its end
    (`tapes.range_loop`): a value kept at each trip can go to row ``index - first`` of an array
    of `count` rows, in the order of the steps. Else None."""
    found = range_loop(loop, reverse=True) if block is loop.body else None
    return found[:3] if found is not None else None


def _kept(keep, length, trips, origin):
    """`keep = []`, or `keep = np.empty((count, length))` for rows written at the trips' indices."""
    if length is None or trips is None:
        return assign(keep, gast.List(elts=[], ctx=gast.Load()), origin)
    return assign(keep, call("np.empty", gast.Tuple(elts=[clone(trips[1]), const(length)], ctx=gast.Load())), origin)


def _keep(keep, value, length, trips, origin):
    """`keep.append(value)`, or `keep[index - first] = value`."""
    if length is None or trips is None:
        return _append(keep, value, origin)
    index, _, first = trips
    return at(gast.Assign(targets=[gast.Subscript(value=name(keep), slice=trip_row(index, first), ctx=gast.Store())],
                          value=value, type_comment=None), origin)


def _rows_in_order(loop, block) -> dict:
    """{cols: ``xs[a:b]``} for the lists `cols` that `block` (the whole body of a loop over
    ``reversed(range(a, b))``, left only at its end) appends ``xs[t]`` to at each trip, `t` the loop's
    index: in the order the trips ran, backwards, they are the rows ``xs[a:b]``, which is no copy.
    `a` is an int constant of 0 or more (or absent); neither `xs`, nor `t`, nor what `b` reads is
    assigned in the loop."""
    found = range_loop(loop, reverse=True, counted=False) if block is loop.body else None
    if found is None:
        return {}
    bounds = found[3]
    assigned = {n for t in walk_statements(block) for n in stored_names(t)}
    t = loop.target.id
    out = {}
    for s in block:
        value = _appended(s)
        if value is not None and isinstance(value[1], gast.Subscript) and isinstance(value[1].value, gast.Name) \
                and isinstance(value[1].slice, gast.Name) and value[1].slice.id == t \
                and value[1].value.id not in assigned:
            xs = value[1].value.id
            lower, upper = (None, bounds[0]) if len(bounds) == 1 else bounds
            whole = lower is None and isinstance(upper, gast.Call) and isinstance(upper.func, gast.Name) \
                and upper.func.id == "len" and len(upper.args) == 1 and _is_name(upper.args[0], xs)
            out[value[0]] = name(xs) if whole else gast.Subscript(   # (xs[:len(xs)] is xs)
                value=name(xs), ctx=gast.Load(), slice=gast.Slice(lower=lower, upper=upper, step=None))
    return out


def _is_name(node, id_) -> bool:
    return isinstance(node, gast.Name) and node.id == id_


def _appended(s):
    """(list, value) if `s` is `list.append(value)`, else None."""
    if isinstance(s, gast.Expr) and isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Attribute) \
            and s.value.func.attr == "append" and isinstance(s.value.func.value, gast.Name) and len(s.value.args) == 1:
        return s.value.func.value.id, s.value.args[0]
    return None


def _in_order(rows, forward):
    """The list `rows`, reversed where it is stacked in the order of the trips (`_rows_in_order`)."""
    if not forward:
        return rows
    return gast.Subscript(value=rows, ctx=gast.Load(), slice=gast.Slice(lower=None, upper=None, step=const(-1)))


def _origin(block, k, v):
    """Where the value that `v` holds at statement `k` of `block` was made: (name, index of the
    statement that assigned it; -1, before the block), through copies (`d_5 = d_1`). Two reads
    with one origin read one value in a loop that writes into no array (see `_batch`)."""
    for j in range(k - 1, -1, -1):
        s = block[j]
        if v in stored_names(s):
            if type(s) is gast.Assign and type(s.targets[0]) is gast.Name and type(s.value) is gast.Name:
                v = s.value.id
                continue
            return v, j
    return v, -1


def _append(rows, value, origin):
    return expr_stmt(call(gast.Attribute(value=name(rows), attr="append", ctx=gast.Load()), value), origin)


def _vector_sum(s):
    """(X, u) if `s` is `X = X + u` with `u` another name, else None."""
    if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and type(s.targets[0]) is gast.Name
            and type(s.value) is gast.BinOp and type(s.value.op) is gast.Add and type(s.value.left) is gast.Name
            and type(s.value.right) is gast.Name and s.value.left.id == s.targets[0].id != s.value.right.id):
        return None
    return s.targets[0].id, s.value.right.id


def _accumulation(s):
    """(X, u, v, lengths) if `s` is `X = X + np.multiply.outer(u, v)` with the call marked (the
    vectors' lengths, or None), else None."""
    if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name)):
        return None
    value, total = s.value, s.targets[0].id
    if not (isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and isinstance(value.left, gast.Name)
            and value.left.id == total and getattr(value.right, MARK, False)):
        return None
    u, v = value.right.args
    if any(isinstance(n, gast.Name) and n.id == total for part in (u, v) for n in walk(part)):
        return None
    lengths = getattr(value.right, MARK)   # (the vectors' lengths, where code for known shapes knows them)
    return total, u, v, lengths if isinstance(lengths, tuple) else None
