"""Small builders and queries for gast nodes, shared by the passes."""
from __future__ import annotations

import ast

import gast


def name(id_: str, store: bool = False) -> gast.Name:
    node = _NEW(gast.Name)   # (gast's constructors check their arguments: three times slower)
    node.id, node.ctx, node.annotation, node.type_comment = id_, _STORE if store else _LOAD, None, None
    return node


def const(value) -> gast.Constant:
    node = _NEW(gast.Constant)
    node.value, node.kind = value, None
    return node


_NEW = gast.AST.__new__
_LOAD, _STORE = gast.Load(), gast.Store()   # (contexts have no fields: one serves every node)


def assign(target, value, origin=None) -> gast.Assign:
    if isinstance(target, str):
        target = name(target, store=True)
    return at(gast.Assign(targets=[target], value=value, type_comment=None), origin)


def call(func, *args, keywords=()) -> gast.Call:
    if isinstance(func, str):
        func = dotted(func)
    return gast.Call(func=func, args=[name(a) if isinstance(a, str) else a for a in args], keywords=list(keywords))


def dotted(path: str):
    """`np.linalg.norm` as an expression."""
    parts = path.split(".")
    node = name(parts[0])
    for part in parts[1:]:
        node = gast.Attribute(value=node, attr=part, ctx=gast.Load())
    return node


def walk(node):
    """Every node of the tree `node` but expression contexts and operators (`Load`, `Add`: no pass
    looks for those, and they were a third of the nodes), in the order of `ast.walk` (breadth
    first), several times faster: the passes walk whole functions often, and `ast.walk` goes
    through two generators per node and looks into every field (here, only those that may hold
    nodes: `child_fields`)."""
    todo = [node]
    push, extend, fields_of, name_class = todo.append, todo.extend, _CHILD_FIELDS.get, gast.Name
    for n in todo:   # (a list read while it grows: breadth first)
        kind = type(n)
        if kind is name_class:
            try:   # (a Name has one child field, a parameter's annotation: mostly nothing to look into)
                bare = n.annotation is None
            except AttributeError:
                bare = True
            if bare:
                yield n
                continue
        fields = fields_of(kind)
        if fields is None:
            fields = child_fields(kind)
        for field in fields:
            value = getattr(n, field, None)
            if type(value) is list:
                extend(filter(None, value))   # (nodes are true; a dict display's `**` key is None)
            elif value is not None:
                push(value)
        yield n


def name_nodes(node) -> list:
    """Every `Name` node of the tree `node`, in the order `walk` yields them. Most walks look
    for names only (what a statement reads or writes); this one builds the list in one loop,
    without resuming a generator and testing the type of every node at the caller (a third
    of the time of such a walk)."""
    todo, found = [node], []
    push, extend, keep, fields_of, name_class = todo.append, todo.extend, found.append, _CHILD_FIELDS.get, gast.Name
    for n in todo:
        kind = type(n)
        if kind is name_class:
            keep(n)
            try:   # (as in `walk`)
                if n.annotation is None:
                    continue
            except AttributeError:
                continue
        fields = fields_of(kind)
        if fields is None:
            fields = child_fields(kind)
        for field in fields:
            value = getattr(n, field, None)
            if type(value) is list:
                extend(filter(None, value))
            elif value is not None:
                push(value)
    return found


_CHILD_FIELDS: dict = {}   # node class -> the fields `walk` looks into
# fields that never hold a node: names, flags, contexts, operators (a `Name` is a parameter too)
_LEAF_FIELDS = {"ctx", "op", "ops", "id", "attr", "arg", "asname", "conversion", "is_async", "kind", "kwd_attrs",
                "level", "lineno", "module", "simple", "tag", "type_comment", "nl", "rest", "str"}


def child_fields(kind) -> tuple:
    """The fields of the gast class `kind` that `walk` looks into."""
    known = _CHILD_FIELDS.get(kind)
    if known is not None:
        return known
    leaves = _LEAF_FIELDS | ({"value"} if kind is gast.Constant else set()) | (
        set() if kind is gast.ExceptHandler else {"name"}) | (set() if kind in (gast.Import, gast.ImportFrom) else {"names"})
    _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in leaves)
    return _CHILD_FIELDS[kind]


def rewrite(node, after: dict):
    """`node` with every subtree rewritten bottom-up: each node's children first, then the node
    replaced by `after[type(node)](node)` where `after` has its type. What `gast.NodeTransformer`
    with `generic_visit` first does, several times faster (no method lookup per node; only the
    fields `walk` looks into, so `after` never sees a context or an operator)."""
    fields = _CHILD_FIELDS.get(type(node))
    for field in child_fields(type(node)) if fields is None else fields:
        value = getattr(node, field, None)
        if type(value) is list:
            for k, item in enumerate(value):
                if item is not None:
                    value[k] = rewrite(item, after)
        elif value is not None:
            setattr(node, field, rewrite(value, after))
    how = after.get(type(node))
    return node if how is None else how(node)


def clone(node, name=None):
    """A deep copy of the gast tree `node` (a node, a list of them, or a leaf value), much faster
    than `copy.deepcopy`; `name(n)`, if given, may return what a `Name` n becomes (None: a copy).
    Contexts and operators (no fields) are shared, as `to_ast` shares them."""
    kind = type(node)
    if kind is list:
        return [clone(n, name) for n in node]
    if not isinstance(node, gast.AST):
        return node
    if name is not None and kind is gast.Name:
        replaced = name(node)
        if replaced is not None:
            return replaced
    new = _NEW(kind)
    fields = new.__dict__
    fields.update(node.__dict__)   # location, and any annotation a pass put on the node
    plan = _CHILD_FIELDS.get(kind)
    for field in child_fields(kind) if plan is None else plan:
        value = fields.get(field)
        if type(value) is list:
            fields[field] = [None if v is None else clone(v, name) for v in value]
        elif value is not None:
            fields[field] = clone(value, name)
    return new


def expr_stmt(value, origin=None) -> gast.Expr:
    return at(gast.Expr(value=value), origin)


def at(node, origin):
    """Give `node` (and every child without a line) the source line of `origin`."""
    line = getattr(origin, "lineno", None) if origin is not None else None
    col = getattr(origin, "col_offset", 0) if origin is not None else 0
    for n in walk(node):
        if isinstance(n, (gast.stmt, gast.expr)) and getattr(n, "lineno", None) is None:
            n.lineno, n.col_offset = line, col
    node.lineno, node.col_offset = line, col
    return node


def is_atom(node) -> bool:
    return isinstance(node, (gast.Name, gast.Constant))


def load_counts(nodes) -> dict:
    """{name: how many times the tree `nodes` (a node, or a list of them) reads it}."""
    counts: dict = {}
    for node in nodes if isinstance(nodes, list) else [nodes]:
        for n in name_nodes(node):
            if type(n.ctx) is gast.Load:
                counts[n.id] = counts.get(n.id, 0) + 1
    return counts


def loaded_names(node) -> set[str]:
    return {n.id for n in name_nodes(node) if type(n.ctx) is gast.Load}


def stored_names(node) -> set[str]:
    return {n.id for n in name_nodes(node) if type(n.ctx) in (gast.Store, gast.Param)}


def target_names(stmt) -> list[str]:
    """Names an assignment (or a for loop's header) writes; for `y[i] = v`, just `y`."""
    written = subscript_write(stmt)
    if written is not None:
        return [written.value.id]
    targets = stmt.targets if isinstance(stmt, gast.Assign) else [stmt.target]
    if len(targets) == 1 and type(targets[0]) is gast.Name:
        return [targets[0].id]
    out = []
    for t in targets:
        out += [n.id for n in name_nodes(t)]
    return out


def subscript_write(stmt):
    """The target `y[i]` of the normal-form write `y[i] = v`, else None."""
    if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
        return stmt.targets[0]
    return None


def index_names(subscript) -> set[str]:
    """Names the index of `y[...]` reads."""
    return {n.id for n in name_nodes(subscript.slice)}


def param_names(fn: gast.FunctionDef) -> list[str]:
    """Every parameter, `*args` (a tuple) and `**kwargs` (a dict) included."""
    a = fn.args
    return [p.id for p in a.posonlyargs + a.args + [a.vararg] + a.kwonlyargs + [a.kwarg] if p is not None]


def walk_statements(stmts):
    """Every statement in `stmts`, depth first, in source order. (Only a class with a `body` or an
    `orelse` field is asked for one: asking an `Assign`, which has neither, raised and caught an
    AttributeError per statement, most of the time of this walk.)"""
    for s in stmts:
        yield s
        fields = _BLOCK_FIELDS.get(type(s))
        if fields is None:
            fields = _BLOCK_FIELDS[type(s)] = tuple(f for f in ("body", "orelse")
                                                    if f in getattr(type(s), "_fields", ()))
        for field in fields:
            value = getattr(s, field, None)
            if isinstance(value, list):
                yield from walk_statements(value)


_BLOCK_FIELDS: dict = {}   # statement class -> its fields among `body` and `orelse`


# ---- the two annotations ---------------------------------------------------------------
# Which statements belong to the backward pass: emission writes `# grad of: <line>` above
# backward statements and `# <line>` above forward ones. And which `y = _1` come from
# `y += e` (an in-place write when `y` is an array; see `aliasing.check_writes`). These
# flags are the only things passes attach to nodes besides lineno.
ADJOINT = "s2s_adjoint"
AUGMENTED = "s2s_augmented"
ENTRY_AUGMENTED = "s2s_entry_augmented"   # on `_1 = _2 + v` of `y[i] += v`: y's name (`_2` is the entry)


def augmented(stmt) -> str:
    """`+=` (the operator) if `stmt` is the `y = _1` that normal form made of `y += e`, else ''."""
    return getattr(stmt, AUGMENTED, "")


def mark_adjoint(stmts):
    """Mark `stmts` (the backward sweep) as adjoints, but for the forward code in them that is
    marked already as not (a checkpointed loop's trips run again: transforms/checkpoint.py)."""
    for s in walk_statements(stmts):
        if getattr(s, ADJOINT, True):
            setattr(s, ADJOINT, True)
    return stmts


def is_adjoint(stmt) -> bool:
    return getattr(stmt, ADJOINT, False)


# ---- stacks: lists used with append and pop ------------------------------------------
def pushed(stmt):
    """(list, value) for the statement `xs.append(v)`, else None."""
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Call):
        func = stmt.value.func
        if (isinstance(func, gast.Attribute) and func.attr == "append" and isinstance(func.value, gast.Name)
                and len(stmt.value.args) == 1 and not stmt.value.keywords):
            return func.value.id, stmt.value.args[0]
    return None


def popped(value):
    """The list name for the expression `xs.pop()`, else None."""
    if isinstance(value, gast.Call) and not value.args and not value.keywords:
        func = value.func
        if isinstance(func, gast.Attribute) and func.attr == "pop" and isinstance(func.value, gast.Name):
            return func.value.id
    return None


def stack_names(stmts) -> set[str]:
    """Names used as stacks in `stmts`: pushed with append or popped with pop()."""
    names = set()
    for s in walk_statements(stmts):
        if pushed(s):
            names.add(pushed(s)[0])
        if isinstance(s, gast.Assign) and popped(s.value):
            names.add(popped(s.value))
    return names


class NameMap:
    """{name: name} for one straight-line block (a name and its same-shaped representative, a
    copy and its original) that forgets an entry when either name is assigned. It keeps, per
    value, the names mapped to it, so that forgetting costs what it drops: a pass over a block
    of n statements is linear, where rebuilding the dict per statement was quadratic."""

    def __init__(self):
        self.map: dict = {}
        self.members: dict = {}   # value -> the names mapped to it

    def __bool__(self):
        return bool(self.map)

    def __contains__(self, name):
        return name in self.map

    def __getitem__(self, name):
        return self.map[name]

    def get(self, name, default=None):
        return self.map.get(name, default)

    def put(self, name, value):
        self.forget([name])
        self.map[name] = value
        self.members.setdefault(value, set()).add(name)

    def forget(self, written):
        """Drop every entry whose name or value is in `written`."""
        for w in written:
            if w in self.map:
                self.members[self.map.pop(w)].discard(w)
            for k in self.members.pop(w, ()):
                self.map.pop(k, None)

    def about(self, s) -> dict:
        """The entries for the names the statement `s` mentions, as a dict."""
        return {n.id: self.map[n.id] for n in name_nodes(s) if n.id in self.map}


def parse(source: str, mode: str = "exec"):
    """`gast.parse(source, mode)`, with a direct per-class conversion from Python's `ast` (gast's own
    NodeTransformer was most of the time of reading a long function). The tree is the one gast
    gives: every node becomes the gast class of its name with gast's fields (a field this
    Python's `ast` lacks, such as `type_params` before 3.12, is empty), a parameter an `ast.arg`
    made a `Name` with the `Param` context, and an exception handler's name a `Name`."""
    return from_ast(ast.parse(source, mode=mode))


def from_ast(node):
    """The gast tree of the Python `ast` tree `node` (see `parse`)."""
    if isinstance(node, list):
        return [from_ast(n) for n in node]
    if not isinstance(node, ast.AST):
        return node
    kind = type(node)
    if kind is ast.Name:
        new = gast.Name(id=node.id, ctx=from_ast(node.ctx), annotation=None, type_comment=None)
    elif kind is ast.arg:
        new = gast.Name(id=node.arg, ctx=gast.Param(), annotation=from_ast(node.annotation),
                        type_comment=node.type_comment)
    else:
        target, fields = _GAST_CLASSES.get(kind) or _gast_class(kind)
        new = target.__new__(target)
        for field in fields:
            value = getattr(node, field, _ABSENT)
            if value is _ABSENT:
                value = [] if field in _LIST_FIELDS else None
            elif isinstance(value, (list, ast.AST)):
                value = from_ast(value)
            setattr(new, field, value)
        if kind is ast.ExceptHandler and node.name is not None:
            new.name = gast.Name(id=node.name, ctx=gast.Store(), annotation=None, type_comment=None)
    for attribute in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
        value = getattr(node, attribute, None)
        if value is not None:
            setattr(new, attribute, value)
    return new


_ABSENT = object()
_LIST_FIELDS = {"type_params"}
_GAST_CLASSES: dict = {}


def _gast_class(kind):
    target = getattr(gast, kind.__name__)
    _GAST_CLASSES[kind] = target, target._fields
    return _GAST_CLASSES[kind]

