"""Numba form: generated functions rewritten so that Numba can type them (`s2s.jit`).

Before: functions s2s generated, in their functional form (no in-place adjoint updates), as
s2s.source shows them: one list `_stack` holds every value recorded for the backward sweep, of
whatever type; a name recorded in a loop but first assigned inside it starts as `None` (so that
there is something to push at the first iteration); loops run backwards as
`for i in reversed(range(...))`.

After: the same computation, in code Numba compiles:

- one stack per recorded name, `_stack_z` for `z` (`_stack_y_at` for the elements of `y` that
  an element write overwrote): each holds values of one type. The split is exact because the
  backward sweep pops every name from the one stack exactly where it was pushed in reverse (the
  reverse pass pairs each push with a pop into the same place); restricted to one name, the one
  stack's pops are that name's stack's pops.
- a name that starts as `None` (Numba gives a name one type) loses the `None`:
  - where every assignment of it is right after its push (and what a forward sweep saves for its
    backward sweep), it is pushed after it is assigned instead of before: the stack holds every
    value it had, in order, and where its value was popped back the top is dropped and the name
    reads the new top -- what it held before that assignment. (Had it another assignment, the new
    top would not be that value: a trip counter reset to 0 after its push once gave wrong
    gradients this way.)
  - a trip counter (only ever 0, counted up, or popped) starts at 0;
  - any other one keeps its push before its assignment: the first push records a value never
    read, where the Python code records None;
  - unless `zeros_like` reads it (None: "no value on this path"): then it stays None, and is
    refused.
- `reversed(range(a, b, s))` becomes the equivalent `range(...)` counting down (`s` a constant);
  a checkpointed loop's segment `_range1[a:b]` becomes `range_part(_range1, a, b)`, and `reversed`
  of any other range `reversed_range(...)` (helpers: Numba slices and reverses no range).
- calls of generated functions pass their arguments by position (Numba has no keyword-only
  parameters); `np.roll(x, k, axis=a)`, which Numba has no form of, calls the helper
  `roll_along(x, k, a)`, and `np.array(rows)` of a list the code builds (`rows = []`, then
  `rows.append(v)`: the rows of outer products batched after a loop, `transforms.batching`),
  which Numba types only for a list of numbers, calls `stack_rows(rows)` (`rows[::-1]` too);
  `x.sum(axis=0)` and `np.sum(x, axis=0)`, which take Numba seconds to compile, call
  `sum_rows(x)`; `np.vdot(u, v)`, which Numba has for vectors only, is `np.sum(u * v)`.

Anything else about the stacks that this does not recognise is refused with an S2SError
(`JitError`) naming the statement: better no compiled code than wrong compiled code.
"""
from __future__ import annotations

import gast

from s2s.errors import JitError
from .nodes import assign, at, call, const, expr_stmt, name, walk

HELPERS = ("roll_along", "stack_rows", "sum_rows", "range_part", "reversed_range")   # the helpers (of
# `s2s.jit_runtime`) this form calls


def numba_form(fns: list, stack: str, params_of) -> tuple[list, dict]:
    """The functions `fns` (gast FunctionDefs generated together: a forward sweep and the
    backward sweep that pops what it pushed) in Numba form, and {helper: the name they call it
    by} for the `HELPERS` (another name where the code has the helper's); `stack` is the name of
    their stack. `params_of(name)`: the parameters of the generated function `name` calls, in
    order (None for any other function): Numba has no keyword-only parameters, so those become
    positional."""
    for fn in fns:
        for node in walk(fn):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) \
                    and node.func.id.endswith("checkpoint_schedule"):
                raise JitError("s2s.jit does not compile derivatives checkpointed with a number of snapshots "
                               "yet (checkpoint=k, --checkpoint=k): their backward pass follows a schedule "
                               "this form does not write",
                               hint="compile the derivative made with checkpoint=True, or run this one uncompiled")
    taken = {n.id for fn in fns for n in walk(fn) if isinstance(n, gast.Name)} | {fn.name for fn in fns}
    aliases = {h: _fresh(h, taken) for h in HELPERS}
    keys: dict = {}   # (name, is element) -> its stack's name, in order of first push
    for fn in fns:
        for s in walk(fn):
            key = _pushed_key(s, stack) if isinstance(s, gast.Expr) else None
            if key is not None and key not in keys:
                keys[key] = _fresh(f"{stack}_{key[0]}" + ("_at" if key[1] else ""), taken)
    placeholders = {v for fn in fns for v in _none_placeholders(fn)}
    # what assigns each name, in each function that records it (the names of another function
    # are other variables; a forward sweep and its backward sweep share their stacks)
    stores: dict = {}
    for fn in fns:
        recorded = {k[0] for k in keys if not k[1]} & _stack_names_used(fn, stack) | _none_placeholders(fn)
        for v, kinds in _stores([fn], stack).items():
            if v in recorded:
                stores.setdefault(v, set()).update(kinds)
    for fn in fns:   # a trip counter starts at 0 as well as None: its count is what is pushed
        _count_from_zero(fn, {v for v in placeholders if stores.get(v, set()) <= {"zero", "count", "pop",
                                                                                     "placeholder", "saved"}})
    # None means "no value on this path" where `zeros_like` reads it: such a name keeps it (and is refused)
    zeros_read = _zeros_read(fns)
    late = {k for k in keys if not k[1] and k[0] in placeholders and k[0] not in zeros_read
            and stores[k[0]] <= {"after push", "pop", "placeholder", "saved"}}
    # Any other placeholder is dropped where only a push reads what it held: the first push then
    # records a value that is never read (Numba gives the name its one type), where the Python
    # code records None.
    unread = {k[0] for k in keys if not k[1]} - {k[0] for k in late} - zeros_read
    for fn in fns:
        fn.body = [s for s in fn.body if not (isinstance(s, gast.Assign) and len(s.targets) == 1
                                              and _target_id(s.targets[0]) in unread & placeholders
                                              and _is_const(s.value, None))]
    for fn in fns:
        _positional(fn, params_of)
    return [_Rewrite(stack, keys, late, aliases).function(fn) for fn in fns], aliases


def _stores(fns, stack) -> dict:
    """{name: the kinds of statement that assign it}: "placeholder" (`v = None` at the top),
    "pop" (`v = stack.pop()`), "saved" (`stack, v = _saved`: the values a forward sweep left),
    "after push" (an assignment right after pushes of `v`), "zero" (`v = 0`), "count" (`v = v + 1`),
    or "other". A name pushed after its assignment (late) must be assigned nowhere else: the one
    stack must hold every value it had."""
    kinds: dict = {}

    def block(stmts, top):
        pushed = set()
        for s in stmts:
            key = _pushed_key(s, stack) if isinstance(s, gast.Expr) else None
            if key is not None:
                pushed.add(key[0])
                continue
            target = _target_id(s.targets[0]) if isinstance(s, gast.Assign) and len(s.targets) == 1 else None
            for v in _own_stores(s):
                kinds.setdefault(v, set()).add(
                    "placeholder" if top and target == v and _is_const(s.value, None) else
                    "pop" if _popped_key(s, stack) is not None else
                    "saved" if stack in _assigned_names(s) else   # a backward sweep unpacks what its forward saved
                    "zero" if target == v and isinstance(s.value, gast.Constant) and s.value.value == 0 else
                    "after push" if v in pushed and isinstance(s, gast.Assign) else
                    "count" if target == v and _plus_one(s.value, v) else "other")
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    block(getattr(s, field), False)
            pushed = set()
    for fn in fns:
        block(fn.body, True)
    return kinds


def _own_stores(s) -> set:
    """The names statement `s` itself binds (a loop's target; not what its body binds)."""
    if isinstance(s, gast.For):
        return {n.id for n in walk(s.target) if isinstance(n, gast.Name)}
    if isinstance(s, (gast.If, gast.While)):
        return set()
    return {n.id for n in walk(s) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


def _stack_names_used(fn, stack) -> set:
    """The names `fn` pushes on `stack`, pops from it, or unpacks with it (a backward sweep)."""
    out = set()
    for s in walk(fn):
        key = _pushed_key(s, stack) if isinstance(s, gast.Expr) else _popped_key(s, stack)
        if key is not None:
            out.add(key[0])
        elif isinstance(s, gast.Assign) and stack in _assigned_names(s):
            out |= _assigned_names(s)
    return out


def _zeros_read(fns) -> set:
    """The names passed to a `zeros_like` (under any alias)."""
    return {a.id for fn in fns for n in walk(fn) if isinstance(n, gast.Call) and isinstance(n.func, gast.Name)
            and n.func.id.endswith("zeros_like") for a in n.args if isinstance(a, gast.Name)}


def _plus_one(value, v) -> bool:
    return isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) and _target_id(value.left) == v \
        and isinstance(value.right, gast.Constant) and value.right.value == 1


def _count_from_zero(fn, counters):
    """`_trips1 = None` -> `_trips1 = 0` for the counters (names only ever 0, counted up, or popped)."""
    for s in fn.body:
        if isinstance(s, gast.Assign) and len(s.targets) == 1 and _target_id(s.targets[0]) in counters \
                and _is_const(s.value, None):
            s.value = const(0)


def _positional(fn, params_of):
    """`fn`'s keyword-only parameters (a jvp's tangents: `jvp_g(x, *, t_x)`) after its others, and
    calls of generated functions with keywords as calls by position."""
    args = fn.args
    if args.kwonlyargs:
        if any(d is not None for d in args.kw_defaults) or args.vararg or args.kwarg:
            raise _unknown(fn, f"`{fn.name}` has keyword-only parameters with defaults, or *args")
        args.args, args.kwonlyargs, args.kw_defaults = args.args + args.kwonlyargs, [], []
    for node in walk(fn):
        if not (isinstance(node, gast.Call) and node.keywords and isinstance(node.func, gast.Name)):
            continue
        params = params_of(node.func.id)
        if params is None:
            continue
        given = dict(zip(params, node.args))
        given.update({kw.arg: kw.value for kw in node.keywords})
        if None in given or set(given) != set(params):
            raise _unknown(node, f"a call of `{node.func.id}` that does not give each of its parameters once")
        node.args, node.keywords = [given[p] for p in params], []


def _fresh(candidate, taken):
    base, k = candidate, 2
    while candidate in taken:
        candidate, k = f"{base}{k}", k + 1
    taken.add(candidate)
    return candidate


def _pushed_key(s, stack):
    """(name, element?) that `s`, a `stack.append(v)` or `stack.append(copy_of(y[i]))`, records."""
    value = s.value
    if not (isinstance(value, gast.Call) and _is_method(value.func, stack, "append") and len(value.args) == 1):
        return None
    arg = value.args[0]
    if isinstance(arg, gast.Name):
        return (arg.id, False)
    if isinstance(arg, gast.Call) and len(arg.args) == 1 and isinstance(arg.args[0], gast.Subscript) \
            and isinstance(arg.args[0].value, gast.Name):
        return (arg.args[0].value.id, True)
    return None


def _popped_key(s, stack):
    """(name, element?) that `s`, a `v = stack.pop()` or `y[i] = stack.pop()`, restores."""
    if not (isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.value, gast.Call)
            and _is_method(s.value.func, stack, "pop") and not s.value.args):
        return None
    target = s.targets[0]
    if isinstance(target, gast.Name):
        return (target.id, False)
    if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
        return (target.value.id, True)
    return None


def _is_method(func, owner, method):
    return isinstance(func, gast.Attribute) and func.attr == method and isinstance(func.value, gast.Name) \
        and func.value.id == owner


def _none_placeholders(fn) -> set:
    return {s.targets[0].id for s in fn.body if isinstance(s, gast.Assign) and len(s.targets) == 1
            and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Constant) and s.value.value is None}


class _Rewrite:
    def __init__(self, stack, keys, late, aliases):
        self.stack, self.keys, self.late, self.aliases = stack, keys, late, aliases
        self.late_names = {k[0] for k in late}
        self.lists: set = set()   # the names the function being rewritten binds to a list display

    def function(self, fn):
        self.lists = {s.targets[0].id for s in walk(fn) if isinstance(s, gast.Assign) and len(s.targets) == 1
                      and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.List)}
        fn.body = [s for s in self.block(fn.body) if not self.placeholder(s)]
        for v in _none_placeholders(fn):   # Numba types a name once: None, then a number or an array, is two
            raise _unknown(next(s for s in fn.body if isinstance(s, gast.Assign) and _target_id(s.targets[0]) == v),
                           f"`{v}` starts as None and holds a value on another path (Numba gives a name one type)")
        for node in walk(fn):
            if isinstance(node, gast.Name) and node.id == self.stack:
                raise _unknown(node, f"it uses its stack `{self.stack}` in a way s2s.jit does not know")
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == "reversed":
                raise _unknown(node, "`reversed` of something other than a range with a constant step")
        return fn

    def placeholder(self, s):
        """Is `s` the `v = None` that a late name `v` no longer needs?"""
        return isinstance(s, gast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], gast.Name) \
            and s.targets[0].id in self.late_names and isinstance(s.value, gast.Constant) and s.value.value is None

    def block(self, stmts):
        out = []
        late = []   # late names' pushes: they go after the statement that follows, which assigns the names
        for s in stmts:
            for field in ("body", "orelse"):
                if isinstance(getattr(s, field, None), list):
                    setattr(s, field, self.block(getattr(s, field)))
            key = _pushed_key(s, self.stack) if isinstance(s, gast.Expr) else None
            if key in self.late:
                late.append(key)
                continue
            if late:
                assigned = _assigned_names(s)
                missing = [k[0] for k in late if k[0] not in assigned]
                if missing:
                    raise _unknown(s, f"`{missing[0]}` is recorded where it is not assigned")
                out += self.statement(s, None)
                out += [expr_stmt(call(self.keys[k] + ".append", name(k[0])), s) for k in late]
                late = []
                continue
            out += self.statement(s, key)
        if late:
            raise _unknown(stmts[-1], f"`{late[0][0]}` is recorded at the end of a block")
        return out

    def statement(self, s, pushed_key):
        if pushed_key is not None:
            s.value.func.value.id = self.keys[pushed_key]
            return [s]
        key = _popped_key(s, self.stack)
        if key is not None:
            if key not in self.keys:
                raise _unknown(s, f"`{key[0]}` is popped but never pushed")
            own = self.keys[key]
            if key not in self.late:
                s.value.func.value.id = own
                return [s]
            # drop this assignment's value: the name reads the one before it, if any
            top = gast.Subscript(value=name(own), slice=const(-1), ctx=gast.Load())
            test = gast.Compare(left=call("len", name(own)), ops=[gast.Gt()], comparators=[const(0)])
            return [expr_stmt(call(own + ".pop"), s), at(gast.If(test=test, body=[assign(key[0], top, s)], orelse=[]), s)]
        if isinstance(s, gast.Assign) and [_target_id(t) for t in s.targets] == [self.stack]:
            return [assign(own, self.stack_value(s, own), s) for own in self.keys.values()]
        if isinstance(s, gast.For):
            s.iter = _counting_down(s.iter, self.aliases)
        for node in walk(s):
            if isinstance(node, gast.Tuple):   # `(_stack, a)`, saved by a forward sweep for its backward sweep
                node.elts = [e for old in node.elts for e in self.entries(old)]
        _numpy_calls(s, self.aliases, self.lists)
        return [s]

    def stack_value(self, s, own):
        """What `own` starts as where the stack is assigned: `[]`, or `copy_of(_stack)`."""
        value = s.value
        if isinstance(value, gast.List) and not value.elts:
            return gast.List(elts=[], ctx=gast.Load())
        if isinstance(value, gast.Call) and len(value.args) == 1 and _target_id(value.args[0]) == self.stack:
            return call(value.func, name(own))
        raise _unknown(s, f"its stack `{self.stack}` is assigned something s2s.jit does not know")

    def entries(self, e):
        if isinstance(e, gast.Name) and e.id == self.stack:
            return [name(k, store=isinstance(e.ctx, gast.Store)) for k in self.keys.values()]
        return [e]


def _assigned_names(s) -> set:
    """The names an assignment `a = ...` or `a, b = ...` binds (none, for any other statement)."""
    if not isinstance(s, gast.Assign):
        return set()
    return {n.id for t in s.targets for n in ([t] if isinstance(t, gast.Name) else getattr(t, "elts", []))
            if isinstance(n, gast.Name)}


def _target_id(node):
    return node.id if isinstance(node, gast.Name) else None


def _unsliced(node):
    """`rows` of ``rows[::-1]`` (a list's rows in the other order, `transforms.batching`), else `node`."""
    return node.value if isinstance(node, gast.Subscript) and isinstance(node.slice, gast.Slice) else node


def _unknown(node, what):
    return JitError(f"s2s.jit cannot compile this generated code yet: {what} "
                    f"(line {getattr(node, 'lineno', '?')} of that code)")


def _counting_down(it, aliases):
    """`reversed(range(...))` as a range counting down; a part of a range (`_range1[a:b]`, the
    segment of a checkpointed loop) as `range_part(_range1, a, b)`, and `reversed` of anything else
    as `reversed_range(...)`: ranges Numba iterates."""
    if isinstance(it, gast.Subscript) and isinstance(it.slice, gast.Slice) and it.slice.step is None:
        lo, hi = it.slice.lower or const(0), it.slice.upper or call("len", it.value)
        return call(aliases["range_part"], it.value, lo, hi)
    if not (isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id == "reversed"
            and len(it.args) == 1 and not it.keywords):
        return it
    inner = it.args[0]
    if not (isinstance(inner, gast.Call) and isinstance(inner.func, gast.Name) and inner.func.id == "range"
            and not inner.keywords and 1 <= len(inner.args) <= 3):
        return call(aliases["reversed_range"], _counting_down(inner, aliases))
    args = inner.args
    start, stop = (const(0), args[0]) if len(args) == 1 else (args[0], args[1])
    step = args[2] if len(args) == 3 else const(1)
    if not (isinstance(step, gast.Constant) and type(step.value) is int and step.value != 0):
        return call(aliases["reversed_range"], inner)
    k = step.value
    if k == 1:   # range(start, stop) backwards: stop - 1 down to start
        return call("range", _plus(stop, -1), _plus(start, -1), const(-1))
    if k > 0:    # the last of start, start + k, ... below stop
        last = gast.BinOp(left=start, op=gast.Add(), right=gast.BinOp(
            left=gast.BinOp(left=_plus(gast.BinOp(left=stop, op=gast.Sub(), right=start), -1), op=gast.FloorDiv(),
                            right=const(k)), op=gast.Mult(), right=const(k)))
        return call("range", last, _plus(start, -1), const(-k))
    last = gast.BinOp(left=start, op=gast.Sub(), right=gast.BinOp(
        left=gast.BinOp(left=_plus(gast.BinOp(left=start, op=gast.Sub(), right=stop), -1), op=gast.FloorDiv(),
                        right=const(-k)), op=gast.Mult(), right=const(-k)))
    return call("range", last, _plus(start, 1), const(-k))


def _plus(node, k):
    """`node + k` (folded where `node` is an int constant)."""
    if isinstance(node, gast.Constant) and type(node.value) is int:
        return const(node.value + k)
    return gast.BinOp(left=node, op=gast.Add() if k > 0 else gast.Sub(), right=const(abs(k)))


def _numpy_calls(s, aliases, lists):
    """Calls of NumPy in the forms Numba has: `np.roll(x, k, axis=a)` -> `roll_along(x, k, a)`;
    `np.array(rows)`, `rows` one of `lists` -> `stack_rows(rows)`; `np.sum(x, None,
    keepdims=False)` -> `np.sum(x)` (also `np.mean`), and an axis by keyword; `np.sum(x, axis=0)`
    and `x.sum(axis=0)` -> `sum_rows(x)`; `np.vdot(u, v)` -> `np.sum(u * v)`."""
    for node in walk(s):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute) and node.func.attr == "sum" \
                and not node.args and _axis_zero(node.keywords):   # x.sum(axis=0)
            node.func, node.args, node.keywords = name(aliases["sum_rows"]), [node.func.value], []
            continue
        if not (isinstance(node, gast.Call) and isinstance(node.func, gast.Attribute)
                and isinstance(node.func.value, gast.Name) and node.func.value.id == "np"):
            continue
        if node.func.attr == "roll":
            axis = [kw.value for kw in node.keywords if kw.arg == "axis"]
            if len(node.args) == 3 or axis:
                node.func = name(aliases["roll_along"])
                node.args = node.args[:2] + (axis or node.args[2:])
                node.keywords = []
        elif node.func.attr == "array" and not node.keywords and len(node.args) == 1 \
                and _target_id(_unsliced(node.args[0])) in lists:
            node.func = name(aliases["stack_rows"])
        elif node.func.attr == "vdot" and len(node.args) == 2 and not node.keywords:   # (Numba's: 1-d only)
            node.func.attr, node.args = "sum", [gast.BinOp(left=node.args[0], op=gast.Mult(), right=node.args[1])]
        elif node.func.attr in ("sum", "mean"):
            node.keywords = [kw for kw in node.keywords if not (kw.arg == "keepdims" and _is_const(kw.value, False))]
            if len(node.args) == 2:
                axis = node.args.pop()
                if not _is_const(axis, None):
                    node.keywords.insert(0, gast.keyword(arg="axis", value=axis))
            node.keywords = [kw for kw in node.keywords if not (kw.arg == "axis" and _is_const(kw.value, None))]
            if node.func.attr == "sum" and len(node.args) == 1 and _axis_zero(node.keywords):
                node.func, node.keywords = name(aliases["sum_rows"]), []


def _axis_zero(keywords) -> bool:
    """Are `keywords` just `axis=0`?"""
    return len(keywords) == 1 and keywords[0].arg == "axis" and isinstance(keywords[0].value, gast.Constant) \
        and type(keywords[0].value.value) is int and keywords[0].value.value == 0


def _is_const(node, value):
    return isinstance(node, gast.Constant) and node.value is value
