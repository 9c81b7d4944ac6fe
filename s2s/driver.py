"""Generation: run the pipeline over a function and every user function it calls.

parse -> fence -> structure -> normal form -> activity -> reverse -> assemble
-> optimise -> emit -> load, once per (function, wrt, mode, optimize); the
result is cached. A call from differentiated code to another user function
with active arguments queues that function for split-mode generation
(`fwd_g`/`bwd_g`), once per set of active parameters, so recursion works.
"""
from __future__ import annotations

import ast
import builtins
import copy
import dataclasses
import gc
import inspect
import linecache
import re
import types
import weakref

import gast
import numpy as np

from . import __version__, runtime
from .errors import Location, S2SError, UnsupportedError
from .emit import function_source
from .load import _Namespace, cells_of, load
from .naming import _MAX_STYLES, Namer
from .parsing import parse_function
from .rules import _BY_FUNCTION, _BY_METHOD
from .trees import flatten
from .transforms import assemble
from .transforms.activity import activity
from .transforms.algebra import specialised_simplifier
from .transforms.dead_rows import drop_dead_rows
from .transforms.renest import renest
from .transforms.float_arrays import float_arrays
from .transforms.batching import batch_outer_products
from .transforms.tapes import record_in_tapes
from .transforms.tree_callees import inline_helpers, inline_tree_callees
from .transforms.unroll_trees import builtin_names, unroll_trees
from .transforms.versions import versions_in_blocks
from .transforms.super_calls import super_calls
from .transforms.specialise import fills_in_arithmetic, scalar_fills
from .transforms.known_shapes import known_shapes
from .transforms.known_values import Known, KnownTree, describe
from .transforms.scalars import python_scalars
from .transforms.shared_reads import share_reads
from .transforms.complex_values import refuse_complex
from .transforms.aliasing import check_writes
from .transforms.callees import Callees, first_param, library_of, public_name, resolve
from .transforms.checkpoint_candidates import deterministic
from .transforms.differentiable import check_differentiable, refuse_bool_output
from .transforms.effects import RETURNS, WRITES_FIRST, check_calls, written_parameters
from .transforms.fence import fence
from .transforms.generators import generators
from .transforms.list_operators import list_operators
from .transforms.mutations import check_mutations
from .transforms.function_values import function_values
from .transforms.local_functions import local_functions
from .transforms.forward import forward
from .transforms.inplace import inplace_adjoints
from .transforms.nodes import call, clone, const, expr_stmt, name_nodes, param_names, stack_names, stored_names, walk
from .transforms.nodes import name as name_node
from .transforms.normal_form import normal_form
from .transforms.packing import NO_DERIVATIVE, RuleSignature
from .transforms.optimize import optimize as optimize_pass
from .transforms.reverse import UserCall, reverse
from .transforms.structure import structure

_PURE_NAMES = set(runtime.__all__) | {"len", "range", "float", "int", "abs", "slice", "tuple", "list"}
# Builtins that s2s recognises by name in user code, and that the code it generates calls.
_RECOGNISED = ("range", "enumerate", "zip", "reversed")   # `for v in zip(xs, ys)`: loops over an index
_EMITTED = ("range", "reversed", "len", "min", "slice", "list", "isinstance")
# runtime helpers that passes put into user code (list_operators, packing, concatenators, function_values)
_INSERTED = ("concat", "repeat", "as_tuple", "as_list", "transposed", "unstarred", "padded", "keeps_default",
             "nothing_left", "keywords_in", "copy_of", "deep_copy_of", "iterated", "column", "joined_dtype", "first",
             "unindex", "built", "replaced")
_SCIPY_PURE = ("special", "stats", "linalg")   # the SciPy modules rules call (their functions have no effects)


@dataclasses.dataclass
class Generated:
    """What one generation produced.

    `source` is the module as `s2s.source` shows it and as it runs in-process
    (helpers imported from `s2s.runtime`); `functions` are its generated
    functions, loaded, with their sources, from which `s2s.standalone` writes
    a module that runs without s2s; `functional` the sources s2s reads to
    differentiate them again (without the in-place updates of `transforms.inplace`); `read` are the user functions whose
    source was read, which the written module's source hash covers.
    """
    source: str
    function: object
    entry: str
    summary: str = ""                              # `grad_f: gradient of f (model.py) with respect to x.`
    functions: list = dataclasses.field(default_factory=list)  # (name, source, loaded function)
    read: tuple = ()                               # (file name, qualified name, source text)
    bindings: tuple = ()                           # (scopes, name, object) the generation resolved a name to
    functional: dict = dataclasses.field(default_factory=dict)  # name -> its source before `transforms.inplace`
    stack: str = "_stack"                          # the name of the list the functions record values on
    like: dict | None = None                       # parameter -> Known: the arguments code for known shapes is for
    unrolled: frozenset = frozenset()              # parameters (trees) whose loops it unrolled (`unroll_trees`)


# Every loaded generated function -> the generation it came from, so that code
# generated from generated code (hvp: jvp of grad) can find its sources.
ORIGINS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
# Called with (functions generated, functions queued) as each generated function is finished:
# the `s2s` command's progress line (cli/progress.py).
PROGRESS: list = []


def unwrap(func):
    """The plain function behind a `@differentiate` wrapper (a bound method stays bound)."""
    if inspect.ismethod(func):
        inner = unwrap(func.__func__)
        return func if inner is func.__func__ else types.MethodType(inner, func.__self__)
    return getattr(func, "__s2s_function__", func)


def _parse(func):
    """`parse_function`, reading generated code from the generation that made it.

    Generated functions of one name (`grad_f` with respect to `x`, and with
    respect to `y`) share a file name, `<s2s grad_f>`, in `linecache`, where
    the last one loaded wins; generated code cites that file name, so it
    stays, and the right source is put back before it is read.
    """
    origin = ORIGINS.get(func) if inspect.isfunction(func) else None  # a builtin: parse_function says why not
    source = None
    if origin is not None:
        source = next(origin.functional.get(name, src) for name, src, fn in origin.functions if fn is func)
        filename = func.__code__.co_filename
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    fn, info = parse_function(func, source)
    names = {n.id for n in name_nodes(fn)}
    return generators(fn, info, next(f"_yielded{k or ''}" for k in range(len(names) + 1)
                                     if f"_yielded{k or ''}" not in names)), info


def param_names_of(func) -> list[str]:
    try:
        return list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return []


def _user_names(fn: gast.FunctionDef) -> set[str]:
    names = {n.id for n in name_nodes(fn)}
    return names | set(param_names(fn)) | {fn.name}


def _list_then_array(fn):
    """A list built by appends and then bound to what is made of it (``outs = np.stack(outs)``) is
    two values, a list and an array, whose cotangents are a list and an array: where the name is
    assigned again, the new value takes a new name (`versions_in_blocks`)."""
    stacks = stack_names(fn.body)
    if stacks:
        versions_in_blocks(fn, {n.id for n in walk(fn) if isinstance(n, gast.Name)} | set(param_names(fn)), stacks)


def _signatures(func, fn, info):
    """(`signature_of(call)`, `lookup(path)`) for normal form: the signature of the user function
    `call` (in `func`, parsed as `fn`) calls, or None (see `transforms.packing`); the object a
    name or attribute path names (see `transforms.concatenators`)."""
    callees = Callees(func, set(param_names(fn)) | stored_names(fn), info)

    def signature_of(call):
        callee = callees.classify_call(call)
        if callee.kind == "nondiff":
            return NO_DERIVATIVE
        if callee.kind == "rule" and callee.receiver is None and callee.rule.signature is not None:
            params = callee.rule.signature.parameters
            return RuleSignature(callee.rule.signature, {
                p: params[p].default for p, allowed in callee.rule.only.items()
                if p in params and any(params[p].default is v or params[p].default == v for v in allowed)},
                _defaults_hold(callee.rule.signature, callee.obj))
        return inspect.signature(unwrap(callee.obj)) if callee.kind == "user" else None
    return signature_of, callees.lookup


def _defaults_hold(described, func) -> bool:
    """Are the defaults of a rule's signature (`described`) those of the function it describes, so
    that passing one is the same as leaving it out? Not for np.einsum (`*operands`), nor for a
    function whose signature Python cannot read (a ufunc) and whose rule has defaults."""
    ours = list(described.parameters.values())
    if all(p.default is p.empty for p in ours):
        return True
    try:
        real = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return False
    if len(real) < len(ours):
        return False
    for p, q in zip(ours, real):
        if p.name != q.name or p.kind != q.kind or (p.default is p.empty) != (q.default is q.empty):
            return False
        if p.default is not p.empty and not (p.default is q.default or type(p.default) is type(q.default)
                                              and p.default == q.default):
            return False
    return True


def _strip_own_decorator(fn, func, info=None):
    kept = []
    for d in fn.decorator_list:
        root = d.func if isinstance(d, gast.Call) else d
        label = root.attr if isinstance(root, gast.Attribute) else getattr(root, "id", "")
        static = isinstance(d, gast.Name) and d.id == "staticmethod" and \
            func.__globals__.get("staticmethod", staticmethod) is staticmethod   # (the function is the plain one)
        if label != "differentiate" and not static:
            kept.append(d)
    if kept:
        raise UnsupportedError(f"`{func.__name__}` has a decorator s2s does not know; s2s reads the undecorated source",
                               info.location(kept[0]) if info else None, "differentiate the undecorated function")
    fn.decorator_list = []
    return fn


def _refuse_library(func):
    """A library's function (SciPy's) is not read as user code: a rule says how to differentiate it."""
    library = library_of(func)
    if library:
        name = public_name(func) or func.__qualname__
        raise UnsupportedError(f"`{name}` is a function of {library}, whose source s2s does not read", None,
                               f"register a rule for it: `s2s.rule({name}, {first_param(func)}=\"g * ...\")` (see s2s.rules)")


class _Generation:
    def __init__(self, namer, entry=None, has_aux=False, self_class=None, numbers=False, like=None):
        self.namer = namer
        self.entry = entry
        self.numbers = numbers   # the entry's parameters are all numbers (Python floats): code for them
        self.like = like         # parameter -> Known: code for arguments of those shapes and dtypes
        self.checkpoint = None   # "sqrt" or a number of snapshots: loops are checkpointed (reverse modes)
        self.deterministic_of: dict = {}   # user function -> does it compute the same again (checkpointing)
        self.prepared: dict = {}  # function -> its normal form, read early for the shapes it returns
        self.parsed: dict = {}    # function -> (tree, info) parsed already, to be prepared once
        self.known = None         # in code for known shapes, what the entry's names hold (Known)
        self.unrolled = {}        # its parameters whose trees `unroll_trees` made names of: their displays
        self.scalars = ()         # in code for numbers, the entry's names that hold numbers
        self.wrt = ()             # the entry's differentiated parameters
        self.returns: dict = {}   # (function, Knowns of its arguments) -> Known of its result, or None
        self.aux_pending = entry if has_aux else None  # the entry, whose result is (value, aux), until read
        self.aux = None        # the name of aux in the entry's normal form
        self.self_classes: dict = {}   # a method -> the class of its `self` (resolves `self.method(...)`)
        if self_class is not None:
            self.self_classes[entry] = self_class
        self.done: dict = {}
        self.queue: list = []
        self.functions: list = []   # (name, gast function, info, globals, closure cells)
        self.user_names: set = set()
        self.taken: set = set()
        self.read: list = []   # (file name, qualified name, source text), in the order read
        self.callees: list = []   # every function's Callees: the names they resolved are bindings
        self.summaries: dict = {}      # user function -> parameters it writes into (see `effects`)
        self.summaries_done: set = set()
        self.summaries_round: set = set()
        self.summaries_grew = False
        self.made: dict = {}        # user function -> {name: function s2s made for `s2s.grad(...)` in it}
        self.made_names: dict = {}  # id of a made function -> the name generated code calls it by
        self.shared = 0   # temporaries made for calls a statement repeats (transforms/cse.py)
        self.spaces: dict = {}      # user function -> the namespace its generated code runs in

    def parse_user(self, func):
        """A user function's source, read to be inlined where it is given a function."""
        _refuse_library(func)
        fn, info = _parse(func)
        _strip_own_decorator(fn, func, info)
        origin = ORIGINS.get(func)
        self.read.extend(origin.read if origin is not None else
                         [(info.filename, func.__qualname__, inspect.getsource(func))])
        self.user_names |= _user_names(fn)
        return fn, info

    def binder(self, func):
        """The function that names, for `func`'s generated code, a derivative made inside it (nested
        `s2s.grad`), or a function or module that a function inlined into it reads."""
        def bind(made, hint, exact=False):
            if exact:  # a name an inlined function reads, which `func` does not name: that name, if free
                bound = self.made.setdefault(func, {})
                if hint in self.taken or bound.get(hint, made) is not made:
                    return None
                bound[hint] = made
                return hint
            if id(made) not in self.made_names:
                candidate, k = hint, 2
                while candidate in self.taken or candidate in self.namer.user_names:
                    candidate, k = f"{hint}_{k}", k + 1
                self.taken.add(candidate)
                self.made_names[id(made)] = candidate
            self.made.setdefault(func, {})[self.made_names[id(made)]] = made
            return self.made_names[id(made)]
        return bind

    def namespace(self, func):
        """The globals `func`'s generated code runs with: its own, and the derivatives it made."""
        if func not in self.made:
            return func.__globals__
        if func not in self.spaces:
            space = _Namespace(func.__globals__)
            space.update(self.made[func])
            space["__name__"] = func.__globals__.get("__name__")
            self.spaces[func] = space
        return self.spaces[func]

    def prepare(self, func):
        if func in self.prepared:   # read once already, for the shapes it returns (`result_known`)
            fn, info, callees = self.prepared.pop(func)
            return fn, info, callees
        _refuse_library(func)
        fn, info = self.parsed.pop(func, None) or _parse(func)
        origin = ORIGINS.get(func)
        if origin is not None:  # generated code: what it was generated from is what was read
            self.read.extend(origin.read)
        else:
            self.read.append((info.filename, func.__qualname__, info.text or inspect.getsource(func)))
        _strip_own_decorator(fn, func, info)
        fence(fn, info)
        _check_builtin_names(fn, info, func)
        fn = super_calls(fn, func, self.self_classes.get(func), stored_names(fn), self.self_classes.setdefault)
        _list_then_array(fn)
        if func is self.entry and self.like and any(isinstance(k, KnownTree) for k in self.like.values()):
            fn, self.unrolled = self.unroll(func, fn) or (fn, {})
        if func is self.entry and self.like:   # its helpers' code for known shapes too
            fn = self.inline(func, fn)
        self.user_names |= _user_names(fn)
        fn, helpers = local_functions(fn, info, self.namer)
        fn, lookups = function_values(fn, info, func, self.namer, helpers, self.parse_user, self.binder(func))
        self.callees += lookups
        fn = structure(fn, self.namer)
        fn = normal_form(fn, self.namer, info, helpers, *_signatures(func, fn, info))
        fn = list_operators(fn, self.namer.helper)
        if func is self.aux_pending:  # the entry only: a recursive call returns the pair
            fn, self.aux = _split_aux(fn, self.namer, info)
            self.aux_pending = None
        local_names = set(param_names(fn)) | stored_names(fn)
        callees = Callees(func, local_names, info, self.self_classes.get(func))
        callees.on_method = self.self_classes.setdefault
        self.callees.append(callees)
        callees.helpers = {self.namer.helper(h): getattr(runtime, h) for h in _INSERTED}
        callees.helpers.update(self.made.get(func, {}))
        fn = share_reads(fn, self.namer.is_temp, callees)
        if not info.generated:  # s2s's own code restores what it overwrites before any view is read
            check_writes(fn, info, callees, self.namer.is_temp, self.namer.helper, self.effects)
            check_mutations(fn, info, callees, self.namer.is_temp)
            check_calls(fn, info, callees, self.effects, self.namer)
        return fn, info, callees

    def inline(self, func, fn):
        """The entry `fn` (of `func`) with the calls of functions of its module that can be inlined
        (`tree_callees.inline_helpers`) inlined."""
        resolve, parse, _, harmless, writes = self._inlining(func)
        return inline_helpers(fn, resolve, parse, {n.id for n in walk(fn) if isinstance(n, gast.Name)}
                              | set(param_names(fn)), harmless, writes)

    def unroll(self, func, fn):
        """`unroll_trees` of the entry `fn` (of `func`), the functions of its module it passes a tree
        to inlined: (fn, {parameter: display}), or None."""
        trees = {p: k for p, k in self.like.items() if isinstance(k, KnownTree)}
        resolve, parse, pure, harmless, writes = self._inlining(func)
        return unroll_trees(fn, trees, builtin_names(func, stored_names(fn)),
                            lambda fn, names, taken: inline_tree_callees(fn, names, resolve, parse, taken, harmless,
                                                                         writes), pure)

    def _inlining(self, func):
        """(resolve, parse, pure, harmless, writes) for inlining functions of `func`'s module into it."""
        free = set(func.__code__.co_freevars)

        def resolve(n):
            return None if n in free else func.__globals__.get(n, getattr(builtins, n, None))

        def parse(callee):
            if not inspect.isfunction(callee) or callee.__globals__ is not func.__globals__ or callee.__closure__ \
                    or callee.__code__.co_filename != func.__code__.co_filename or callee in ORIGINS:
                return None   # (its names mean what they mean in the entry's module; its lines are the file's)
            if callee in _BY_FUNCTION:
                return None   # (its rule says what its derivative is: `s2s.rule(f, ...)`, `s2s.nondiff(f)`)
            try:
                callee_fn, callee_info = self.parse_user(callee)
                fence(callee_fn, callee_info)
            except S2SError:
                return None
            return callee_fn

        def called(call):
            f, path = call.func, []
            while isinstance(f, gast.Attribute):
                path.append(f.attr)
                f = f.value
            obj = resolve(f.id) if isinstance(f, gast.Name) else None
            for attr in reversed(path):
                obj = getattr(obj, attr, None)
            return obj

        def pure(call):   # a NumPy function (or s2s.flatten) keeps no list it is given
            obj = called(call)
            return obj is flatten or isinstance(obj, np.ufunc) or inspect.isfunction(obj) and (
                obj.__module__ or "").split(".")[0] == "numpy"

        def writes(call):   # may write into an argument in place (`np.copyto(a, b)`, `out=a`)
            return any(k.arg == "out" for k in call.keywords) or any(called(call) is w for w in WRITES_FIRST)

        def harmless(call):   # changes nothing, and sees nothing but its arguments
            obj = called(call)
            if any(k.arg is None for k in call.keywords) or obj is None or writes(call) \
                    or any(isinstance(n, gast.Lambda) for n in walk(call)) or any(obj is c for c in _NUMPY_CALLERS):
                return False   # (a function it is given could do anything)
            module = getattr(obj, "__module__", None) or ""
            if obj is flatten or any(obj is b for b in _HARMLESS_BUILTINS):
                return True
            return isinstance(obj, np.ufunc) or module.split(".")[0] == "numpy" and not module.startswith("numpy.random")

        return resolve, parse, pure, harmless, writes

    def effects(self, func):
        """{parameter: line} of the parameters the user function `func` may write into in
        place (`transforms.effects`). Recursive functions: every summary starts empty and the
        summaries are recomputed until none grows."""
        func = unwrap(func)
        if func not in self.summaries_done:
            while True:
                self.summaries_round, self.summaries_grew = set(), False
                self._effects(func)
                if not self.summaries_grew:
                    break
            self.summaries_done |= self.summaries_round
        return self.summaries.get(func, {RETURNS: frozenset()})

    def _effects(self, func):
        func = unwrap(func)
        if func in self.summaries_done or func in self.summaries_round:
            return self.summaries.get(func, {RETURNS: frozenset()})
        self.summaries_round.add(func)
        try:
            for style in range(self.namer.style, _MAX_STYLES):
                fn, info = _parse(func)
                _strip_own_decorator(fn, func, info)
                fence(fn, info)
                namer = Namer(_user_names(fn), style)  # its own names: nothing here is emitted
                fn, helpers = local_functions(fn, info, namer)
                fn, _ = function_values(fn, info, func, namer, helpers, self.parse_user)
                fn = normal_form(structure(fn, namer), namer, info, helpers, *_signatures(func, fn, info))
                fn = list_operators(fn, namer.helper)   # as `prepare`: `t + [a]` holds `a`
                if not namer.collides():  # (generated code has names such as `_1`: its temporaries take others)
                    break
        except S2SError:  # not read here: differentiating it (if it is) says why
            return {RETURNS: frozenset(param_names_of(func))}
        callees = Callees(func, set(param_names(fn)) | stored_names(fn), None, self.self_classes.get(func))
        callees.on_method = self.self_classes.setdefault
        callees.helpers = {namer.helper(h): getattr(runtime, h) for h in _INSERTED}
        summary = written_parameters(fn, callees, self._effects)
        if summary != self.summaries.get(func, {RETURNS: frozenset()}):
            self.summaries[func] = summary
            self.summaries_grew = True
        return summary

    def unique(self, kind, fname):
        candidate = self.namer.function(kind, fname, self.taken)
        self.taken.add(candidate)
        return candidate

    def _bind(self, g, args, kwargs, act, zero=()):
        sig = inspect.signature(g)
        try:
            bound = sig.bind(*args, **{k: v for k, v in kwargs.items() if k not in ("*", "**")}).arguments
        except TypeError as exc:
            raise UnsupportedError(f"cannot match this call to `{g.__name__}{sig}`: {exc}") from None
        for p in sig.parameters.values():  # *rest and **opts get one name each (see `transforms.packing`)
            given = kwargs.get({p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind))
            if given is not None:
                bound[p.name] = given
        active = [p for p in sig.parameters if isinstance(bound.get(p), gast.Name)
                  and act.is_active(bound[p].id) and bound[p].id not in zero]
        return bound, active

    def derive_call(self, g, args, kwargs, stmt, act):
        """Reverse mode: the fwd_g/bwd_g pair for this call's active arguments."""
        g = unwrap(g)
        bound, active = self._bind(g, args, kwargs, act)
        key = ("split", g, tuple(active))
        if key not in self.done:
            self.done[key] = (self.unique("fwd", g.__name__), self.unique("bwd", g.__name__))
            self.queue.append(key)
        fwd, bwd = self.done[key]
        return UserCall(fwd, bwd, [bound[p] for p in active], active)

    def derive_jvp_call(self, g, args, kwargs, stmt, act, zero):
        """Forward mode: jvp_g for this call's arguments with non-zero tangents."""
        g = unwrap(g)
        bound, active = self._bind(g, args, kwargs, act, zero)
        key = ("jvp", g, tuple(active))
        if key not in self.done:
            self.done[key] = (self.unique("jvp", g.__name__), None)
            self.queue.append(key)
        return UserCall(self.done[key][0], None, [bound[p] for p in active], active)

    def analyse(self, func, wrt):
        fn, info, callees = self.prepare(func)
        act = activity(fn, wrt, callees)
        check_differentiable(fn, info, act, callees)  # the same refusals in both modes
        if func is self.entry:
            refuse_bool_output(fn, info, callees)
        refuse_complex(fn, act, callees, info)
        return fn, info, callees, act

    def sweeps(self, func, wrt):
        fn, info, callees, act = self.analyse(func, wrt)
        numbers = python_scalars(fn, callees, param_names(fn)) if func is self.entry and self.numbers else ()
        known = known_shapes(fn, callees, self.like, self.result_known) if func is self.entry and self.like else None
        if func is self.entry:
            self.known = known   # (its running code writes some adjoint elements directly: transforms.inplace)
            self.scalars = numbers
        sweeps = reverse(fn, info, self.namer, act, callees, self.derive_call, wrt, numbers, known, self.checkpoint,
                         self.deterministic)
        if known:   # a sum's cotangent as a number (or a smaller array) where arithmetic broadcasts
            # it; outer products of vectors over a loop: one product
            sweeps.backward = scalar_fills(sweeps.backward, known, {self.namer.adjoint(p) for p in wrt})
            sweeps.backward = fills_in_arithmetic(sweeps.backward, known)
            if not self.checkpoint:   # what a loop over a range records, in an array per name
                record_in_tapes(sweeps.forward, sweeps.backward, known, self.namer.stack, self.namer)
            sweeps.backward = batch_outer_products(sweeps.backward, self.namer)
        return sweeps, info

    def deterministic(self, g) -> bool:
        """Does a call of user function `g` compute the same values each time from the same
        arguments (`checkpoint.deterministic` of its body, recursively)? A checkpointed loop that
        calls it runs again. Its normal form is kept for its derivative."""
        g = unwrap(g)
        if g in self.deterministic_of:
            return self.deterministic_of[g]
        self.deterministic_of[g] = True   # (a recursive call: as the rest of its body)
        try:
            if g not in self.prepared:
                self.prepared[g] = self.prepare(g)
            fn, _, callees = self.prepared[g]
            found = deterministic(fn.body, callees, self.deterministic)
        except S2SError:
            found = False
        self.deterministic_of[g] = found
        return found

    def result_known(self, g, args, kwargs, depth=0):
        """The Known of what the user function `g` returns for arguments of the Knowns `args` and
        `kwargs` (None where unknown), or None: `known_shapes` of its normal form. Its normal form is
        kept for its derivative."""
        try:
            bound = inspect.signature(g).bind(*args, **kwargs)
        except (TypeError, ValueError):
            return None
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in inspect.signature(g).parameters.values()):
            return None
        bound.apply_defaults()
        given = {p: (v if isinstance(v, Known) or v is None else describe(v)) for p, v in bound.arguments.items()}
        key = (g, tuple(sorted(given.items(), key=lambda kv: kv[0])))
        if key in self.returns:
            return self.returns[key]
        self.returns[key] = None   # a recursive call: unknown
        if len(self.returns) > 64:
            return None
        try:
            if g not in self.prepared:
                fn, info, callees = self.prepare(g)
                self.prepared[g] = (fn, info, callees)
            fn, _, callees = self.prepared[g]
            ret = fn.body[-1] if fn.body else None
            if not (isinstance(ret, gast.Return) and isinstance(ret.value, gast.Name)):
                return None
            known = known_shapes(fn, callees, given, self.result_known)
        except S2SError:
            return None   # reported when its derivative is made
        self.returns[key] = known.get(ret.value.id)
        return self.returns[key]

    def tangents(self, func, wrt):
        fn, info, callees, act = self.analyse(func, wrt)
        return forward(fn, info, self.namer, act, callees, self.derive_jvp_call, wrt), info

    def finish(self, fn, info, func, optimize, specialised=False):
        """`specialised`: `fn` is the entry's reverse-mode code for known shapes or for numbers."""
        if optimize:
            namer = self.namer

            def derivative_name(n):
                return n in namer.given and n.startswith((namer.adjoint_prefix, namer.tangent_prefix))
            def fresh_name():
                self.shared += 1
                return namer.numbered("e", self.shared)
            simplify = None
            if specialised and (self.known or self.scalars):
                simplify = specialised_simplifier(namer.helper, derivative_name, _pure_call, self.known, self.scalars,
                                                  set(param_names(fn)) & set(self.wrt))
            if specialised and self.known:
                simplify = _then_dead_rows(simplify, namer.helper, self.known)
            fn = optimize_pass(fn, _pure_call, derivative_name, fresh_name, simplify)
            if simplify is not None:   # (code for known shapes or for numbers)
                fn = renest(fn, namer.is_temp, _pure_call)
        cells = cells_of(func)
        fn, cells = _bound_defaults(fn, func, cells)
        self.functions.append((fn.name, fn, info, self.namespace(func), cells))
        for report in PROGRESS:
            report(len(self.functions), len(self.queue))

    def drain(self, optimize):
        while self.queue:
            key = self.queue.pop(0)
            kind, g, active = key
            if kind == "jvp":
                tangents, info = self.tangents(g, list(active))
                fn = assemble.jvp(tangents, self.namer, self.done[key][0], active,
                                  f"Value and tangent of {g.__name__} ({info.filename}) along {', '.join(active)}.",
                                  callee=True)
                self.finish(fn, info, g, optimize)
                continue
            fwd, bwd = self.done[key]
            sweeps, info = self.sweeps(g, list(active))
            where = g.__name__ if info.generated else f"{g.__name__} ({info.filename})"
            wrt_text = ", ".join(active)
            f_fn, b_fn = assemble.split(
                sweeps, self.namer, fwd, bwd, active,
                f"Forward sweep of {where}: its value, and what {bwd} needs.",
                f"Backward sweep of {where}: cotangents of {wrt_text}.")
            self.finish(f_fn, info, g, optimize)
            self.finish(b_fn, info, g, optimize)


def generate(func, wrt: list[str], single: bool, mode: str, optimize: bool, *, has_aux: bool = False,
             self_class=None, entry=None, numbers: bool = False, like=None, guard: bool = False,
             checkpoint=None) -> Generated:
    """Generate, emit and load the derivative of `func` (see s2s.api). `has_aux`: `func` returns
    (value, aux); `self_class`: the class of `func`'s first argument (a bound method's instance);
    `entry`: (kind, name) for the entry function's name `<kind>_<name>` (else `<mode>_<func>`);
    `numbers`: code for calls in which every parameter is a Python float (reverse modes);
    `like`: parameter -> `Known`, code for arguments of those shapes and dtypes (reverse modes);
    `guard`: that code first checks that its arguments are such (for a module the CLI writes);
    `checkpoint`: "sqrt" or a number of snapshots, to checkpoint loops (transforms/checkpoint.py).

    Python's cyclic garbage collector is paused meanwhile: the passes make and drop millions of
    small AST nodes, and its collections, which scan every live node, took a third of the time
    for a long function and grew faster than its length. The few cycles a generation leaves
    (classes made inside functions) are collected once it resumes."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return _generate(func, wrt, single, mode, optimize, has_aux, self_class, entry, numbers, like, guard,
                         checkpoint)
    finally:
        if paused:
            gc.enable()


def _generate(func, wrt, single, mode, optimize, has_aux, self_class, entry, numbers, like, guard,
              checkpoint=None) -> Generated:
    func = unwrap(func)
    style = 0
    parsed = _parse(func)
    user_names = _user_names(parsed[0])  # callees' names are added as they are read
    while True:
        namer = Namer(user_names, style)
        gen = _Generation(namer, func, has_aux, self_class, numbers, like)
        if parsed is not None:   # the first attempt prepares the tree read for the names (a pass changes it)
            gen.parsed[func], parsed = parsed, None
        gen.guard = guard
        gen.checkpoint = checkpoint
        try:
            entry_fn = _generate_entry(gen, namer, func, wrt, single, mode, optimize, entry)
        except S2SError as error:
            if namer.collides() or namer.given & gen.user_names:  # a name collision first: try again
                user_names, style = _next_try(user_names, gen.user_names, namer, style)
                continue
            _at_users_line(error)
            raise
        if not (namer.collides() or namer.given & gen.user_names):  # no name collides
            break
        user_names, style = _next_try(user_names, gen.user_names, namer, style)
    entry, entry_named = entry_fn.name, entry
    info = gen.functions[0][2]
    ordered = [gen.functions[0]] + gen.functions[1:]
    # what runs updates the adjoint arrays it owns in place (transforms/inplace.py); what s2s reads
    # when it differentiates this code again is the functional form
    running, stored = [], []
    functional_forms = {namer.helper("setindex"), namer.helper("unindex")}
    for k, (_, fn, _, _, _) in enumerate(ordered):
        names = name_nodes(fn)   # (one walk: the functions are long)
        stored.append({n.id for n in names if isinstance(n.ctx, (gast.Store, gast.Param))})
        known = gen.known if k == 0 else None   # the entry's, in code for known shapes
        copy = clone(fn) if known or any(n.id in functional_forms for n in names) else None
        running.append(copy if copy is not None and inplace_adjoints(copy, namer.helper, known) else None)
    functional = [function_source(fn, info) for _, fn, info, _, _ in ordered]
    sources = [(name, function_source(copy, info) if copy is not None else text, glb, cells)
               for (name, _, info, glb, cells), copy, text in zip(ordered, running, functional)]
    summary = f"{entry}: {_lower_first(_describe(mode, func, info, wrt, entry_named))}"
    called = {text: _mentioned(text) for text in {src for _, src, _, _ in sources} | set(functional)}   # (once each)
    runs = set().union(*(called[src] for _, src, _, _ in sources))
    header = _header(func, info, summary, "".join(src for _, src, _, _ in sources), namer, runs)
    module = header + "".join("\n\n" + src for _, src, _, _ in sources)
    for (_, fn, info, _, _), (_, src, glb, cells), local_names in zip(ordered, sources, stored):
        _check_emitted_builtins(fn, src, info, glb, cells, local_names, called[src])
    made = load(_imports(module + "".join(functional), namer, runs.union(*(called[t] for t in functional))),
                sources)   # helpers of both forms: s2s reads one
    bindings = {key: b for c in gen.callees for key, b in c.bindings.items()}
    generated = Generated(module, made[entry], entry, summary,
                          [(name, src, made[name]) for name, src, _, _ in sources], tuple(dict.fromkeys(gen.read)),
                          tuple(bindings.values()), {name: text for (name, _, _, _), text in zip(sources, functional)},
                          namer.stack, like, frozenset(gen.unrolled))
    for fn in made.values():
        ORIGINS[fn] = generated
    return generated


def _at_users_line(error):
    """An error at a line of generated code (a second derivative refused) is moved to the user's line
    that code came from: the nearest comment above it cites that line (`# grad of: ...    (model.py:12)`)."""
    where = error.location
    seen = 0
    while where is not None and where.filename.startswith("<s2s ") and seen < 10:
        seen += 1
        lines = linecache.getlines(where.filename)
        cited = None
        for text in reversed(lines[:where.line]):
            found = re.search(r"^\s*# (?:grad of: )?(.*?)\s{4}\((.+):(\d+)\)\s*$", text)
            if found:
                cited = Location(found.group(2), int(found.group(3)), 0, found.group(1))
                break
        if cited is None:
            return
        if seen == 1:
            error.message += f" (in the code s2s generated from this line: {where})"
        where = cited
    if seen:
        error.location = where
        error.args = (error.render(),)


def _next_try(user_names, seen, namer, style):
    """After a collision: the same naming style, now knowing the callees' names (`_` in a helper
    gives its loops another name), unless those were known and the style itself collides."""
    if (seen - user_names) & namer.given and not namer.collides():
        return user_names | seen, style
    return user_names | seen, style + 1


def _shadowing(name, local_names, globals_, cells):
    """What a builtin `name` is instead, in a function's scope: "a local variable", ..., or None."""
    builtin = getattr(builtins, name)
    if name in local_names:
        return "a local variable"
    if name in cells:
        return None if resolve((cells[name],), name) is builtin else "a variable of the enclosing function"
    found = resolve((globals_, vars(builtins)), name)
    return None if found is builtin else "a global of its module"


def _check_builtin_names(fn, info, func):
    """Refuse `for v in zip(...)` (enumerate, range) where that name is not the builtin, which s2s assumes."""
    local_names = stored_names(fn)
    cells = cells_of(func)
    for node in walk(fn):
        if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) and node.func.id in _RECOGNISED:
            what = _shadowing(node.func.id, local_names, func.__globals__, cells)
            if what is not None:
                raise UnsupportedError(f"`{node.func.id}` is {what} here, not the builtin `{node.func.id}`, "
                                       "which s2s recognises by its name", info.location(node.func),
                                       f"rename your `{node.func.id}`")


def _check_emitted_builtins(fn, source, info, globals_, cells, local_names, mentioned):
    """Refuse generated code calling a builtin (`range`, `len`) that its scope binds to something else
    (`local_names`: the names `fn` assigns; `mentioned`: `_mentioned(source)`)."""
    for module in ("np", "math"):   # (the generated code's `np.cos(...)`: NumPy, whatever the user's names)
        if re.search(rf"(?<![\w.]){module}\.", source) and module in local_names:   # (a cell: checked elsewhere)
            stores = [n for n in name_nodes(fn) if n.id == module and getattr(n, "lineno", None)]
            raise UnsupportedError(f"`{fn.name}`, generated from `{info.qualname}` ({info.filename}), calls "
                                   f"`{module}.` functions ({'NumPy' if module == 'np' else 'the math module'}), "
                                   f"but `{module}` is a parameter or variable there",
                                   info.location(stores[0]) if stores else None, f"rename that `{module}`")
    for builtin in _EMITTED:
        if builtin in mentioned:
            what = _shadowing(builtin, local_names, globals_, cells)
            if what is not None:
                stores = [n for n in name_nodes(fn) if n.id == builtin
                          and isinstance(n.ctx, gast.Store) and getattr(n, "lineno", None)]
                raise UnsupportedError(f"`{fn.name}`, generated from `{info.qualname}` ({info.filename}), calls the "
                                       f"builtin `{builtin}`, but `{builtin}` is {what} there",
                                       info.location(stores[0]) if stores else None, f"rename that `{builtin}`")


def _generate_entry(gen, namer, func, wrt, single, mode, optimize, named=None):
    """One attempt with one naming style: the entry function and everything it calls."""
    entry = gen.unique(*(named or (mode, func.__name__)))
    params = list(dict.fromkeys(w.split("[")[0] for w in wrt))  # `xs[1]`, an entry of `*xs`: `xs` is differentiated
    if mode == "jvp":
        tangents, info = gen.tangents(func, params)
        entry_fn = assemble.jvp(tangents, namer, entry, params, _describe(mode, func, info, wrt, named))
    else:
        sweeps, info = gen.sweeps(func, params)
        entry_fn = assemble.joint(sweeps, namer, entry, wrt, single, mode, _describe(mode, func, info, wrt), gen.aux,
                                  gen.unrolled)
        if gen.like and gen.guard:
            _guard_arguments(entry_fn, gen.like, namer)
    gen.wrt = wrt
    gen.finish(entry_fn, info, func, optimize, specialised=mode != "jvp")
    gen.drain(optimize)
    return entry_fn


def _guard_arguments(fn, like, namer):
    """Code for arguments of known shapes first checks its arguments are such (`expect_like`)."""
    guards = []
    for p, k in like.items():
        if isinstance(k, KnownTree):   # its structure: the arrays' shapes, in lists and tuples as it is
            guards.append(expr_stmt(call(namer.helper("expect_tree_like"), name_node(p), const(p),
                                         _structure(k)), fn))
            continue
        if k is None:
            continue
        shape = const(None) if k.python else gast.Tuple(elts=[const(n) for n in k.shape], ctx=gast.Load())
        kind = type(k.dtype.type(1).item()).__name__ if k.python else k.dtype.name
        guards.append(expr_stmt(call(namer.helper("expect_like"), name_node(p), const(p), shape, const(kind)), fn))
    docstring = 1 if fn.body and isinstance(fn.body[0], gast.Expr) and isinstance(fn.body[0].value, gast.Constant) else 0
    fn.body[docstring:docstring] = guards


def _structure(tree):
    """The display of a `KnownTree`'s structure: its arrays' shapes, in its lists, tuples and dicts."""
    elts = [_structure(e) if isinstance(e, KnownTree) else gast.Tuple(elts=[const(n) for n in e.shape], ctx=gast.Load())
            for e in tree.entries]
    if tree.kind is dict:
        return gast.Dict(keys=[const(k) for k in tree.keys], values=elts)
    return (gast.List if tree.kind is list else gast.Tuple)(elts=elts, ctx=gast.Load())


def _bound_defaults(fn, func, cells):
    """A default that reads a name the function's module does not have (`def acq(x, y=y)` inside
    another function: Python evaluated `y` there, once), or one whose expression no longer gives
    the value Python computed when it defined the function (`t=TEMP`, and `TEMP` rebound since),
    becomes that value, bound in the generated code's namespace like a closure's cell."""
    values = dict(func.__kwdefaults__ or {})
    params = [p for p in inspect.signature(func).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    values.update({p.name: v for p, v in zip(params[len(params) - len(func.__defaults__ or ()):],
                                             func.__defaults__ or ())})
    a = fn.args
    positional = a.posonlyargs + a.args
    pairs = list(zip(positional[len(positional) - len(a.defaults):], range(len(a.defaults)), ["p"] * len(a.defaults)))
    pairs += [(p, k, "k") for k, p in enumerate(a.kwonlyargs) if a.kw_defaults[k] is not None]
    bound = dict(cells)
    for param, k, kind in pairs:
        node = a.defaults[k] if kind == "p" else a.kw_defaults[k]
        free = {n.id for n in name_nodes(node)} - set(func.__globals__) - set(dir(builtins))
        if param.id in values and (free or name_nodes(node) and not _gives(node, func.__globals__, values[param.id])):
            slot = f"__s2s_default_{param.id}"
            bound[slot] = types.CellType(values[param.id])
            new = gast.Name(id=slot, ctx=gast.Load(), annotation=None, type_comment=None)
            if kind == "p":
                a.defaults[k] = new
            else:
                a.kw_defaults[k] = new
    return fn, bound


def _gives(node, namespace, value) -> bool:
    """Does the default expression `node` evaluate, in the function's module now, to `value`
    (the same object, or an equal number, string, tuple or array)? (The generated code evaluates
    it again when it is loaded.)"""
    try:
        expression = ast.fix_missing_locations(ast.Expression(body=gast.gast_to_ast(copy.deepcopy(node))))
        now = eval(compile(expression, "<s2s default>", "eval"), dict(namespace))   # noqa: S307
        if now is value:
            return True
        if type(now) is not type(value):
            return False
        if type(value) is np.ndarray:
            return now.shape == value.shape and now.dtype == value.dtype and bool(
                np.array_equal(now, value, equal_nan=True))
        return type(value) in (int, float, complex, bool, str, bytes, tuple) and bool(now == value)
    except Exception:   # noqa: BLE001 -- it cannot be evaluated or compared again: the value is bound
        return False


def _split_aux(fn, namer, info):
    """`return r` -> `value = r[0]; aux = r[1]; return value`: the function's result is (value, aux)."""
    ret = fn.body[-1]
    if not (isinstance(ret, gast.Return) and isinstance(ret.value, gast.Name)):
        raise UnsupportedError("with has_aux=True the function must return a pair (value, aux)", info.location(fn))
    pair, value, aux = ret.value.id, namer.special("loss"), namer.special("aux")
    read = [gast.Assign(targets=[gast.Name(id=target, ctx=gast.Store(), annotation=None, type_comment=None)],
                        value=gast.Subscript(value=gast.Name(id=pair, ctx=gast.Load(), annotation=None,
                                                             type_comment=None),
                                             slice=gast.Constant(value=k, kind=None), ctx=gast.Load()))
            for k, target in enumerate((value, aux))]
    for s in read:
        gast.copy_location(s, ret)
    fn.body[-1:] = read + [gast.copy_location(gast.Return(value=gast.Name(id=value, ctx=gast.Load(), annotation=None,
                                                                          type_comment=None)), ret)]
    return fn, aux


def _describe(mode, func, info, wrt, named=None):
    if named and named[0] == "hvp":   # the jvp of a gradient
        return (f"Gradient of {named[1]} and its derivative along the vector: the Hessian-vector product "
                f"(forward mode over {func.__name__}), with respect to {', '.join(wrt)}.")
    where = "" if info.generated else f" ({info.filename})"   # code s2s wrote has no file to name
    if mode == "jvp":
        return f"Value and Jacobian-vector product of {func.__name__}{where} along {', '.join(wrt)}."
    what = {"grad": "Gradient", "value_and_grad": "Value and gradient", "vjp": "Vector-Jacobian product"}[mode]
    return f"{what} of {func.__name__}{where} with respect to {', '.join(wrt)}."


def _source_of(func, info) -> str:
    """`file.py:f`, what the derivative is generated from; for code s2s wrote (a second derivative),
    the user's function it was generated from, as its own header says."""
    origin = ORIGINS.get(func) if inspect.isfunction(func) else None
    if origin is not None:
        match = re.match(r"# Generated by s2s \S+ from (.+?)(?: \(through .*\))?\. Do not edit\.", origin.source)
        if match:
            return f"{match.group(1)} (through {func.__name__})"
    return f"{info.filename}:{func.__name__}"


def _header(func, info, summary, body, namer, mentioned):
    lines = [f"# Generated by s2s {__version__} from {_source_of(func, info)}. Do not edit.", f"# {summary}"]
    return "\n".join(lines) + "\n" + _imports(body, namer, mentioned)


def _lower_first(text):
    return text[:1].lower() + text[1:]


def _imports(body, namer, mentioned):
    """The import lines of a module with the functions `body` (`mentioned`: `_mentioned(body)`)."""
    lines = ["import numpy as np"]
    if "math." in body:
        lines.insert(0, "import math")
    if "scipy." in body:   # (the search is slow on a long module)
        lines += [f"import scipy.{sub}" for sub in sorted(set(re.findall(r"(?<![\w.])scipy\.(\w+)\.\w", body)))]
    helpers = [h for h in runtime.__all__ if namer.helper(h) in mentioned]
    if helpers:
        names = ", ".join(h if namer.helper(h) == h else f"{h} as {namer.helper(h)}" for h in helpers)
        lines.append(f"from s2s.runtime import {names}")
    return "\n".join(lines) + "\n"


def _mentioned(text) -> set:
    """The names `text` calls, or passes as an argument (`key=first`, `unsort(g, xs, False, first)`)."""
    return set(re.findall(r"(?<![\w.])(\w+)\(", text)) | set(re.findall(r"(?:key=|, )(\w+)(?=[,)])", text))


def _then_dead_rows(simplify, helper, known):
    """`simplify`, then `transforms.dead_rows` (code for known shapes)."""
    def both(fn):
        fn = simplify(fn)
        return drop_dead_rows(fn, helper, float_arrays(fn, helper, known))
    return both


# (for `transforms.tree_callees`: calls that change nothing and see nothing but their arguments)
_HARMLESS_BUILTINS = (len, range, abs, float, int, min, max, sum, zip, enumerate, reversed, tuple, list)
_NUMPY_CALLERS = (np.apply_along_axis, np.apply_over_axes, np.vectorize, np.frompyfunc, np.piecewise, np.fromfunction)


def _pure_call(node) -> bool:
    func = node.func
    if isinstance(func, gast.Name):
        return func.id in _PURE_NAMES or func.id.startswith("s2s_")
    if isinstance(func, gast.Attribute):
        root, path = func, []
        while isinstance(root, gast.Attribute):
            root, path = root.value, [root.attr] + path
        if isinstance(root, gast.Name) and root.id == "np" and path[0] == "random":
            return False   # a draw changes the generator's state: the draws after it depend on it
        if isinstance(root, gast.Name) and (root.id in ("np", "math") or root.id == "scipy" and path[0] in _SCIPY_PURE):
            return True
        return func.attr in _BY_METHOD and func.attr not in ("append", "pop")
    return False
