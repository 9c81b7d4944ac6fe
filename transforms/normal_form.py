"""Normal form: one primitive operation per assignment.

Before: a structured ``FunctionDef`` (see `structure`).

After, the body holds only:

- ``v = p`` where ``p`` is a *primitive* whose operands are atoms (names or
  constants): a name or constant (a copy), ``a op b``, ``-a``, ``f(a, k=b)``,
  ``a[i, 1:n]``, ``a.T``, ``(a, b)``, ``[a, b]``, ``{"k": a}``, a comparison, or ``not a``;
- ``a, b = t`` (unpacking a name);
- ``y[i, 1:n] = a``: a write of an atom into part of the array ``y`` (atoms as
  indices); ``y[i] += a`` is a read, the operation and a write;
- ``if c:`` where ``c`` is a fresh name assigned just before from the
  original test, which is kept whole (it is never differentiated);
- ``for i in range(...)`` (iterating over anything else is made explicit:
  ``for k in range(len(xs)): v = xs[k]``; ``enumerate`` and ``zip`` become
  indexing too, and tuple targets unpack ``xs[k]``; over a parameter, or an entry
  or attribute of one, which may be a dict, ``xs`` is ``iterated(xs)``: a dict's
  keys, else ``xs`` itself), and ``while <test>:``;
- ``break`` at a block's tail, expression statements that call something
  (``print(x)``), ``raise``/``assert``, and one final ``return v``.

A call to a local function (a nested ``def`` or a lambda, see
`local_functions`, or a function specialised by `function_values`) is
replaced by the function's body. The helpers listed in a helper's
``s2s_nested`` read its variables (a local function of an inlined user
function): they are inlined with that helper's names made fresh too.

``np.r_[a, b]`` and ``np.c_[a, b]`` become the joins they stand for (`concatenators`).
``x += y`` becomes ``x = x + y`` (marked `augmented`: on an array it writes
``x`` in place); ``y = a if c else b`` becomes an ``if``;
a list comprehension (or generator expression) becomes a loop appending to a
new list;
``a or b`` and ``a and b`` in values become ``if``s too. A primitive never
reads the name it assigns (``x = x * y`` becomes ``_1 = x * y; x = _1``), so
the adjoint of every assignment can read its inputs and its output.
Every new statement carries the line of the statement it came from.
"""
from __future__ import annotations

import copy
import dataclasses
import inspect

import gast
import numpy as np

from s2s.errors import UnsupportedError

from . import containers, records
from .concatenators import joined
from .packing import display, pack, parameters, unstar
from .nodes import AUGMENTED, ENTRY_AUGMENTED, assign, at, call, const, is_atom, name, name_nodes, param_names, popped, walk


def normal_form(fn: gast.FunctionDef, namer, info, helpers=None, signature_of=None, lookup=None) -> gast.FunctionDef:
    """`helpers`: the local functions to inline where called (see `local_functions`);
    `signature_of(call)`: the signature of the user function a call calls, or None (see `packing`);
    `lookup(path)`: the object a name or attribute path names (`np.r_`: see `concatenators`)."""
    return _Flattener(fn, namer, info, helpers or {}, signature_of or (lambda node: None),
                      lookup or (lambda node: None)).run()


class _Flattener:
    def __init__(self, fn, namer, info, helpers, signature_of, lookup):
        self.fn, self.namer, self.info = fn, namer, info
        self.helpers = helpers
        self.signature_of = signature_of
        self.lookup = lookup
        self.inlining: list = []
        self.temps = getattr(fn, "s2s_temps", 0)  # temporaries `function_values` already made
        self.conds = 0
        self.origin = fn
        self.locals = set(param_names(fn)) | {
            n.id for n in name_nodes(fn) if isinstance(n.ctx, gast.Store)}
        self.mappings = containers.mapping_names(fn)
        self.params = set(param_names(fn))

    def run(self):
        view = containers.stored_view(self.fn)
        if view is not None:
            self.fail(view, f"`.{view.func.attr}()` of a dict that this function writes into is kept in a variable: "
                            "s2s makes it a list, which would not see the writes", "call list() on it where you read it")
        self.fn.body = self.block(self.fn.body)
        return self.fn

    # ---- names -------------------------------------------------------------------------
    def temp(self) -> str:
        self.temps += 1
        return self.namer.temp(self.temps)

    def cond(self) -> str:
        self.conds += 1
        return self.namer.cond(self.conds)

    def fail(self, node, message, hint=None):
        raise UnsupportedError(message, self.info.location(node), hint)

    # ---- statements --------------------------------------------------------------------
    def block(self, stmts):
        out = []
        for s in stmts:
            self.origin = s
            out += self.stmt(s)
        return out

    def stmt(self, s):
        out: list = []
        if isinstance(s, gast.Assign):
            value = s.value
            first, *others = s.targets
            self.assign_to(first, value, out)
            for other in others:
                self.assign_to(other, _load(first), out)
        elif isinstance(s, gast.AugAssign) and isinstance(s.target, gast.Subscript):
            # y[i] += v: the index once, then a read, the operation and a write
            target = gast.Subscript(value=_load(s.target.value), slice=self.index(s.target.slice, out),
                                    ctx=gast.Store())
            current = gast.Subscript(value=_load(target.value), slice=target.slice, ctx=gast.Load())
            start = len(out)
            self.assign_to(target, gast.BinOp(left=current, op=s.op, right=s.value), out)
            if isinstance(target.value, gast.Name):   # (on an array entry of a list, NumPy changes the entry itself)
                for made in reversed(out[start:]):
                    if isinstance(made, gast.Assign) and isinstance(made.value, gast.BinOp) \
                            and isinstance(made.value.op, type(s.op)) and isinstance(made.value.left, gast.Name):
                        setattr(made, ENTRY_AUGMENTED, target.value.id)
                        break
        elif isinstance(s, gast.AugAssign):
            if not isinstance(s.target, gast.Name):
                self.fail(s, "augmented assignment to this target is not supported")
            self.assign_to(s.target, gast.BinOp(left=name(s.target.id), op=s.op, right=s.value), out)
            setattr(out[-1], AUGMENTED, _SYMBOLS.get(type(s.op), "op") + "=")  # on an array, NumPy changes y itself
        elif isinstance(s, gast.AnnAssign):
            if s.value is not None:
                self.assign_to(s.target, s.value, out)
        elif isinstance(s, gast.Expr) and self.scattered(s.value) is not None:
            out += self.stmt(self.scattered(s.value))
        elif isinstance(s, gast.Expr):
            if isinstance(s.value, gast.Call) and isinstance(s.value.func, gast.Attribute) \
                    and not self.is_module_path(s.value.func):  # xs.append(x * 2): a method with effects
                prim = self.primitive(s.value, out)
                if popped(prim):  # xs.pop(): the popped value is kept, so that both modes can undo it
                    out.append(assign(self.temp(), prim, s))
                else:
                    out.append(at(gast.Expr(value=prim), s))
            elif self.calls_helper(s.value):   # a local function called for what it does (`log(v)`): inlined
                self.assign_to(name(self.temp(), store=True), s.value, out)   # as where its value is kept
            elif isinstance(s.value, gast.Call):
                out.append(s)
        elif isinstance(s, gast.If):
            written = {n.id for b in s.body + s.orelse for n in name_nodes(b)
                       if isinstance(n.ctx, gast.Store)}
            if isinstance(s.test, gast.Name) and s.test.id not in written:
                c = s.test.id  # still holds the test's value after the if
            else:
                c = self.cond()
                self.assign_test(c, s.test, out)
            out.append(at(gast.If(test=name(c), body=self.block(s.body), orelse=self.block(s.orelse)), s))
        elif isinstance(s, gast.For):
            out += self.for_loop(s)
        elif isinstance(s, gast.While) and self.calls_helper(s.test):
            # the test inlines statements: computed before the loop and again at the end of its body
            c = self.cond()
            self.assign_test(c, copy.deepcopy(s.test), out)
            body = self.block(s.body)
            self.origin = s
            self.assign_test(c, s.test, body)
            out.append(at(gast.While(test=name(c), body=body, orelse=[]), s))
        elif isinstance(s, gast.While):
            out.append(at(gast.While(test=s.test, body=self.block(s.body), orelse=[]), s))
        elif isinstance(s, gast.Return):
            value = s.value if s.value is not None else const(None)
            if isinstance(value, gast.Name):
                out.append(s)
            else:
                self.assign_to(name(self.namer.out, store=True), value, out)
                out.append(at(gast.Return(value=name(self.namer.out)), s))
        elif isinstance(s, (gast.Break, gast.Raise, gast.Assert)):
            out.append(s)
        elif isinstance(s, (gast.Pass, gast.Continue)):
            pass
        else:
            self.fail(s, f"`{type(s).__name__}` statements are not supported")
        return out

    def for_loop(self, s):
        out = []
        it = s.iter
        if _is_range(it) and isinstance(s.target, gast.Name):
            self.origin = s
            body = self.block(s.body)
            out.append(at(gast.For(target=s.target, iter=it, body=body, orelse=[], type_comment=None), s))
            return out
        # for x in xs / enumerate(xs) / zip(xs, ys): a loop over an index k, and x = xs[k] ...
        written = {n.id for b in s.body for n in name_nodes(b) if isinstance(n.ctx, gast.Store)}
        keyed = containers.loop_over_keys(s, self.mappings, written, self.temp)  # for k, v in d.items(): ...
        if keyed is not None:
            return self.for_loop(keyed)
        k = self.temp()
        length, element = self.elements(it, name(k), written, out)
        self.origin = s
        prefix: list = []
        self.assign_to(s.target, element, prefix)
        body = prefix + self.block(s.body)
        out.append(at(gast.For(target=name(k, store=True), iter=call("range", length), body=body, orelse=[],
                               type_comment=None), s))
        return out

    def elements(self, it, k, written, out):
        """(length, element at index k) of what a for loop iterates over, as expressions of atoms."""
        if isinstance(it, gast.Call) and isinstance(it.func, gast.Name) and it.func.id in ("enumerate", "zip") \
                and it.func.id not in self.locals and not any(isinstance(a, gast.Starred) for a in it.args):
            if it.func.id == "enumerate":
                if len(it.args) != 1 and not (len(it.args) == 2 and not it.keywords):
                    self.fail(it, "this use of enumerate is not supported", "write enumerate(xs) or enumerate(xs, start)")
                start = it.args[1] if len(it.args) == 2 else next((kw.value for kw in it.keywords if kw.arg == "start"), None)
                length, element = self.elements(it.args[0], k, written, out)
                index = k if start is None else gast.BinOp(left=k, op=gast.Add(), right=self.atom(start, out))
                return length, gast.Tuple(elts=[index, element], ctx=gast.Load())
            if it.keywords or not it.args:
                self.fail(it, "zip with keywords or without arguments is not supported", "write zip(xs, ys)")
            parts = [self.elements(a, k, written, out) for a in it.args]
            length = parts[0][0] if len(parts) == 1 else call("min", *[p[0] for p in parts])
            return length, gast.Tuple(elts=[p[1] for p in parts], ctx=gast.Load())
        if _is_range(it):
            xs = self.atom(it, out)  # a range object, indexed like a list
        else:
            xs = self.atom(it, out)
            if self.may_be_a_dict(it):  # Python iterates a dict's keys: iterated(xs) is them, else xs
                xs = self.atom(call(self.namer.helper("iterated"), xs), out)
            if isinstance(xs, gast.Name) and xs.id in written:  # Python iterates the object the loop started with
                snapshot = self.temp()
                out.append(assign(snapshot, xs, self.origin))
                xs = name(snapshot)
        return call("len", _load(xs)), gast.Subscript(value=_load(xs), slice=k, ctx=gast.Load())

    def may_be_a_dict(self, it) -> bool:
        """Is `it` (what a for loop iterates over) a parameter or an entry or attribute of one,
        whose type nothing here shows (a local bound to a list display is a sequence)?"""
        if isinstance(it, gast.Name):
            return it.id in self.params and it.id not in self.mappings
        return isinstance(it, gast.Attribute) or isinstance(it, gast.Subscript) and not isinstance(it.slice, gast.Slice)

    def calls_helper(self, node) -> bool:
        return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Name) and n.func.id in self.helpers
                   for n in walk(node))

    def assign_test(self, c, test, out):
        """`c = test`: a test is not differentiated and stays whole, unless it calls a local
        function, which must be inlined."""
        if self.calls_helper(test):
            self.assign_name(c, test, out)
        else:
            out.append(assign(c, test, self.origin))

    def assign_to(self, target, value, out):
        if isinstance(target, gast.Name):
            self.assign_name(target.id, value, out)
        elif isinstance(target, (gast.Tuple, gast.List)):
            self.unpack(target, value, out)
        elif isinstance(target, gast.Subscript):  # y[i] = v: a write of one atom into y
            value = self.atom(value, out)
            index = self.index(target.slice, out)
            out.append(assign(gast.Subscript(value=_load(target.value), slice=index, ctx=gast.Store()), value,
                              self.origin))
        else:
            self.fail(target, f"assigning to `{type(target).__name__}` is not supported")

    def assign_name(self, target: str, value, out):
        if isinstance(value, gast.IfExp):
            c = self.cond()
            self.assign_test(c, value.test, out)
            then, other = [], []
            self.assign_name(target, value.body, then)
            self.assign_name(target, value.orelse, other)
            out.append(at(gast.If(test=name(c), body=then, orelse=other), self.origin))
            return
        if isinstance(value, gast.BoolOp):
            self.assign_name(target, self.boolop_as_ifexp(value, out), out)
            return
        prim = self.primitive(value, out)
        if isinstance(prim, gast.Name) and prim.id == target:
            return
        if not isinstance(prim, (gast.Name, gast.Constant)) and target in _operand_names(prim):
            t = self.temp()
            out.append(assign(t, prim, self.origin))
            prim = name(t)
        out.append(assign(target, prim, self.origin))

    def unpack(self, target, value, out):
        if any(isinstance(e, gast.Starred) for e in target.elts):  # a, *rest = xs
            target, value = unstar(self, target, value, out)
        elts = target.elts
        if isinstance(value, (gast.Tuple, gast.List)) and len(value.elts) == len(elts):
            stored = {n.id for e in elts for n in name_nodes(e)}
            read = {n.id for v in value.elts for n in name_nodes(v)}
            if not stored & read:  # no element reads a target: assign them one by one
                for e, v in zip(elts, value.elts):
                    self.assign_to(e, v, out)
                return
            atoms = [self.atom(v, out) for v in value.elts]
            written = {n.id for e in elts for n in name_nodes(e)}
            for i, a in enumerate(atoms):
                if isinstance(a, gast.Name) and a.id in written:
                    t = self.temp()
                    out.append(assign(t, a, self.origin))
                    atoms[i] = name(t)
            for e, a in zip(elts, atoms):
                self.assign_to(e, a, out)
            return
        if any(isinstance(e, gast.Subscript) for e in elts):  # y[0], y[1] = t: one element at a time
            source = self.atom(value, out)
            for k, e in enumerate(elts):
                self.assign_to(e, gast.Subscript(value=_load(source), slice=const(k), ctx=gast.Load()), out)
            return
        source = self.atom(value, out)
        names = []
        nested = []
        for e in elts:
            if isinstance(e, gast.Name):
                names.append(name(e.id, store=True))
            elif isinstance(e, (gast.Tuple, gast.List)):
                t = self.temp()
                names.append(name(t, store=True))
                nested.append((e, t))
            else:
                self.fail(e, "unpacking into this target is not supported")
        out.append(assign(gast.Tuple(elts=names, ctx=gast.Store()), _load(source), self.origin))
        for e, t in nested:
            self.unpack(e, name(t), out)

    def boolop_as_ifexp(self, node, out):
        value = node.values[0]
        for other in node.values[1:]:
            a = self.atom(value, out)
            if isinstance(node.op, gast.Or):
                value = gast.IfExp(test=_load(a), body=_load(a), orelse=other)
            else:
                value = gast.IfExp(test=_load(a), body=other, orelse=_load(a))
        return value

    # ---- expressions -------------------------------------------------------------------
    def atom(self, node, out):
        """Flatten `node` to a name or constant, emitting assignments for its parts."""
        if is_atom(node):
            return node
        if _negative_number(node):
            return const(-node.operand.value)
        if isinstance(node, (gast.ListComp, gast.GeneratorExp)):
            return self.comprehension(node, out)
        t = self.temp()
        self.assign_name(t, node, out)
        return name(t)

    def primitive(self, node, out):
        """Flatten the operands of `node`, returning one primitive operation
        (which keeps `node`'s line and column, for error messages)."""
        result = self._primitive(node, out)
        if result is not node and getattr(node, "lineno", None) is not None:
            result.lineno, result.col_offset = node.lineno, node.col_offset
        return result

    def _primitive(self, node, out):
        if is_atom(node):
            return node
        if isinstance(node, gast.BinOp):
            return gast.BinOp(left=self.atom(node.left, out), op=node.op, right=self.atom(node.right, out))
        if _negative_number(node):
            return const(-node.operand.value)
        if isinstance(node, gast.UnaryOp):
            return gast.UnaryOp(op=node.op, operand=self.atom(node.operand, out))
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id in self.helpers:
            return self.inline(node, out)
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id not in self.locals \
                and self.lookup(node.func) is dict and containers.dict_call(node) is not None:
            return self.atom(containers.dict_call(node), out)  # dict(a=x): {'a': x} (under any name)
        if isinstance(node, gast.Call) and containers.listed_pairs(node) and not {"list", "zip", "enumerate"} & self.locals \
                and self.lookup(node.func) is list and self.lookup(node.args[0].func) in (zip, enumerate):
            return self.comprehension(containers.listed_pairs(node, self.temp), out)   # list(zip(xs, ys))
        if isinstance(node, gast.Call) and containers.reversed_call(node) is not None and "reversed" not in self.locals:
            return self._primitive(containers.reversed_call(node), out)  # reversed(xs): xs[::-1]
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and len(node.args) > 2 \
                and not node.keywords and not any(isinstance(a, gast.Starred) for a in node.args) \
                and self.lookup(node.func) in (max, min):   # max(a, b, c): max(max(a, b), c), the same first maximum
            nested = node.args[0]
            for a in node.args[1:]:
                nested = gast.Call(func=name(node.func.id), args=[nested, a], keywords=[])
            return self._primitive(nested, out)
        if isinstance(node, gast.Call):
            made = self.record_call(node)   # State(x, v), s._replace(x=y): `built`, `replaced`
            if made is not None:
                return self._primitive(made, out)
        if isinstance(node, gast.Call) and containers.is_method_call(node) and not self.is_module_path(node.func):
            receiver, args = self.atom(node.func.value, out), [self.atom(a, out) for a in node.args]
            return self._primitive(containers.method_call(node, receiver, args, self.temp), out)  # d.get(k): d[k] ...
        if isinstance(node, gast.Call):
            packed = pack(self, node, out, self.signature_of(node))  # *xs, **d, and calls to f(*args, **kwargs)
            if packed is not None:
                return packed
            return gast.Call(func=self.callee(node.func, out), args=[self.atom(a, out) for a in node.args],
                             keywords=[gast.keyword(arg=k.arg, value=self.atom(k.value, out)) for k in node.keywords])
        if isinstance(node, gast.Subscript) and self.is_module_path(node.value):  # np.r_[a, b]: np.concatenate(...)
            call_ = joined(node, self.lookup, lambda e: self.atom(e, out), self.namer.helper)
            if call_ is not None:
                return self._primitive(call_, out)
        if isinstance(node, gast.Subscript):  # (a module's object indexed, `np.r_[a, 'c']`, keeps its path)
            value = node.value if isinstance(node.value, gast.Attribute) and self.is_module_path(node.value) \
                else self.atom(node.value, out)
            return gast.Subscript(value=value, slice=self.index(node.slice, out), ctx=gast.Load())
        if isinstance(node, gast.Attribute):
            if self.is_module_path(node):
                return node
            return gast.Attribute(value=self.atom(node.value, out), attr=node.attr, ctx=gast.Load())
        if isinstance(node, (gast.Tuple, gast.List)) and any(isinstance(e, gast.Starred) for e in node.elts):
            return display(self, node, out)  # (*shape, 2), [x, *xs]
        if isinstance(node, (gast.Tuple, gast.List)):
            return type(node)(elts=[self.atom(e, out) for e in node.elts], ctx=gast.Load())
        if isinstance(node, gast.Dict):
            return gast.Dict(keys=node.keys, values=[self.atom(v, out) for v in node.values])
        if isinstance(node, gast.Compare):
            return gast.Compare(left=self.atom(node.left, out), ops=node.ops,
                                comparators=[self.atom(c, out) for c in node.comparators])
        if isinstance(node, (gast.IfExp, gast.BoolOp)):
            return name(self.atom(node, out).id)
        if isinstance(node, (gast.ListComp, gast.GeneratorExp)):
            return self.comprehension(node, out)
        if isinstance(node, gast.JoinedStr):
            return node
        self.fail(node, f"`{type(node).__name__}` expressions are not supported")

    def record_call(self, node):
        """`node` as `records` writes a namedtuple or dataclass made or changed, or None."""
        if records.is_replace_method(node):
            return None if self.is_module_path(node.func) else records.replaced(node, node.func.value, self.namer.helper)
        obj = self.lookup(node.func)
        if obj is dataclasses.replace:
            return records.replaced(node, None, self.namer.helper)
        return records.built(node, obj, self.namer.helper) if records.record_class(obj) else None

    def comprehension(self, node, out):
        """`[e for v in xs if c]` (or a generator expression, made a list): a list built by a
        loop, `_1 = []; for v in xs: if c: _1.append(e)`. The comprehension's variables get
        fresh names, as they live in their own scope in Python; the first iterable is read
        in the enclosing scope."""
        result = self.temp()
        self.locals.add(result)
        out.append(assign(result, gast.List(elts=[], ctx=gast.Load()), self.origin))
        renames = {n.id: self.temp() for g in node.generators for n in name_nodes(g.target)}
        self.locals |= set(renames.values())
        first_iter = node.generators[0].iter
        node = _Rename(renames, keep=first_iter).visit(node)
        body = [at(gast.Expr(value=call(result + ".append", node.elt)), self.origin)]
        for g in reversed(node.generators):
            for condition in reversed(g.ifs):
                body = [at(gast.If(test=condition, body=body, orelse=[]), self.origin)]
            body = [at(gast.For(target=g.target, iter=g.iter, body=body, orelse=[], type_comment=None), self.origin)]
        origin = self.origin
        out += self.block(body)
        self.origin = origin
        return name(result)

    def inline(self, call_node, out):
        """A call to a local function: its arguments bound to fresh names, then its body
        with its own names made fresh; the returned value stands for the call."""
        helper = copy.deepcopy(self.helpers[call_node.func.id])
        bound = self.bind(helper, call_node, out)
        own = set(bound) | {n.id for n in name_nodes(helper) if isinstance(n.ctx, gast.Store)}
        fresh = {v: self.temp() for v in sorted(own)}
        self.locals |= set(fresh.values())
        fresh.update(self.nested(helper, fresh))
        for p, value in bound.items():
            self.assign_name(fresh[p], value, out)
        body = _Rename(fresh, keep=None).visit(gast.Module(body=helper.body, type_ignores=[])).body
        *stmts, ret = body
        origin = self.origin
        self.inlining.append(helper.name)
        out += self.block(stmts)
        self.inlining.pop()
        self.origin = origin
        value = ret.value if ret.value is not None else const(None)
        return self.primitive(value, out)

    def bind(self, helper, call_node, out) -> dict:
        """{parameter: the expression it is bound to} for a call of a local function. A call with
        `*xs` or `**d`, or to a function with *args or **kwargs, is bound by `pack` first (as a call
        to a user function is): *args then gets a name holding a tuple, **kwargs one holding a dict."""
        a = helper.args
        params = [p.id for p in a.posonlyargs + a.args]
        defaults = dict(zip(params[len(params) - len(a.defaults):], a.defaults))
        defaults.update({p.id: d for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
        keyword_names = [p.id for p in a.args + a.kwonlyargs]
        packed = pack(self, call_node, out, _signature(a, defaults)) or call_node
        plain = [x for x in packed.args if not isinstance(x, gast.Starred)]
        if len(plain) > len(params):
            self.fail(call_node, f"`{helper.name}` takes {len(params)} positional arguments, "
                                 f"but {len(plain)} were given")
        bound = dict(zip(params, plain))
        for k in packed.keywords:
            if k.arg is None:
                continue
            if k.arg not in keyword_names or k.arg in bound:
                self.fail(call_node, f"`{helper.name}` got an unexpected or repeated argument `{k.arg}`")
            bound[k.arg] = k.value
        for p in params + [p.id for p in a.kwonlyargs]:
            if p not in bound:
                if p not in defaults:
                    self.fail(call_node, f"`{helper.name}` is missing the argument `{p}`")
                bound[p] = defaults[p]
        if a.vararg is not None:
            bound[a.vararg.id] = next((x.value for x in packed.args if isinstance(x, gast.Starred)),
                                      gast.Tuple(elts=[], ctx=gast.Load()))
        if a.kwarg is not None:
            bound[a.kwarg.id] = next((k.value for k in packed.keywords if k.arg is None), gast.Dict(keys=[], values=[]))
        return bound

    def nested(self, helper, fresh):
        """Copies of the helpers nested in `helper` that read its variables by their fresh names:
        {old helper name: copy's name}."""
        names, todo = [], list(getattr(helper, "s2s_nested", ()))
        while todo:
            n = todo.pop()
            if n not in names:
                names.append(n)
                todo += getattr(self.helpers[n], "s2s_nested", ())
        copies = {n: f"{n}/{self.temps}" for n in names}
        for n in names:
            helper = self.helpers[n]
            own = set(param_names(helper)) | {v.id for v in walk(helper) if isinstance(v, gast.Name)
                                              and isinstance(v.ctx, gast.Store)}
            mapping = {k: v for k, v in {**fresh, **copies}.items() if k not in own}  # its free names only
            nested = _Rename(mapping, keep=None).visit(copy.deepcopy(helper))
            nested.s2s_nested = []
            self.helpers[copies[n]] = nested
        return copies

    def callee(self, func, out):
        if isinstance(func, gast.Name) or self.is_module_path(func):
            return func
        if isinstance(func, gast.Attribute):  # a method: flatten the object it is called on
            return gast.Attribute(value=self.atom(func.value, out), attr=func.attr, ctx=gast.Load())
        self.fail(func, "calling the result of an expression is not supported", "assign the function to a name first")

    def scattered(self, value):
        """``np.add.at(a, i, v)`` (``np.subtract.at``) on a name `a`, as the augmented assignment
        ``a += unindex(v, a, i)``: the same values added in place at `i`, repeated indices
        summed, and the checks of ``a += ...`` (no other name may see `a` change). None for
        anything else."""
        if not (isinstance(value, gast.Call) and isinstance(value.func, gast.Attribute) and value.func.attr == "at"
                and len(value.args) == 3 and not value.keywords and isinstance(value.args[0], gast.Name)):
            return None
        ufunc = getattr(self.lookup(value.func), "__self__", None)
        if ufunc is not np.add and ufunc is not np.subtract:
            return None
        a, index, v = value.args
        if ufunc is np.subtract:
            v = gast.UnaryOp(op=gast.USub(), operand=v)
        added = call(self.namer.helper("unindex"), v, name(a.id), index)
        return at(gast.AugAssign(target=name(a.id, store=True), op=gast.Add(), value=added), value)

    def is_module_path(self, node) -> bool:
        """`np.linalg.norm`, `math.pi`: an attribute path rooted at a non-local name."""
        while isinstance(node, gast.Attribute):
            node = node.value
        return isinstance(node, gast.Name) and node.id not in self.locals

    def index(self, node, out):
        if isinstance(node, gast.Slice):
            return gast.Slice(*(None if part is None else self.atom(part, out)
                                for part in (node.lower, node.upper, node.step)))
        if isinstance(node, gast.Tuple) and any(isinstance(e, gast.Starred) for e in node.elts):
            return self.atom(node, out)  # x[*idx]: x[(*idx,)]
        if isinstance(node, gast.Tuple):
            return gast.Tuple(elts=[self.index(e, out) for e in node.elts], ctx=gast.Load())
        if isinstance(node, gast.Constant) and node.value is Ellipsis:
            return node
        return self.atom(node, out)


def _signature(a, defaults) -> inspect.Signature:
    """The signature of a local function with arguments `a` (gast), for `pack`: a default is its
    value where it is a literal, else a marker (`pack` refuses to write such a default itself)."""
    def default(p):
        d = defaults.get(p, inspect.Parameter.empty)
        return d.value if isinstance(d, gast.Constant) else d if d is inspect.Parameter.empty else _Computed
    return parameters([p.id for p in a.posonlyargs], [p.id for p in a.args], a.vararg and a.vararg.id,
                      [p.id for p in a.kwonlyargs], a.kwarg and a.kwarg.id, default)


class _Computed:
    """The default of a local function's parameter that is an expression (`2 * np.pi`)."""


class _Rename(gast.NodeTransformer):
    """Rename names (loads and stores) except inside the subtree `keep`."""

    def __init__(self, mapping, keep):
        self.mapping, self.keep = mapping, keep

    def visit(self, node):
        if node is self.keep:
            return node
        return super().visit(node)

    def visit_Name(self, node):
        if node.id in self.mapping:
            return gast.Name(id=self.mapping[node.id], ctx=node.ctx, annotation=None, type_comment=None)
        return node


_SYMBOLS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.FloorDiv: "//", gast.Mod: "%",
            gast.Pow: "**", gast.MatMult: "@", gast.BitAnd: "&", gast.BitOr: "|", gast.BitXor: "^",
            gast.LShift: "<<", gast.RShift: ">>"}


def _negative_number(node) -> bool:
    return (isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub)
            and isinstance(node.operand, gast.Constant) and type(node.operand.value) in (int, float, complex))


def _is_range(node) -> bool:
    return isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id == "range"


def _load(node):
    if isinstance(node, gast.Name):
        return name(node.id)
    return node


def _operand_names(prim) -> set[str]:
    return {n.id for n in name_nodes(prim)}
