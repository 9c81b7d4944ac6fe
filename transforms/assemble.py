"""Assemble: turn `Sweeps` into derivative functions.

Joint form, for the function the user asked about (one function, forward
then backward)::

    def grad_f(x, y):                     def vjp_f(x, y, d_out):
        <forward sweep>                       <forward sweep>
        d_out = grad_seed(_out)               <backward sweep>
        <backward sweep>                      return d_x, d_y
        return d_x, d_y

Forward form (``jvp_f``): the primal with its tangents, returning the value
and the output's tangent; one tangent parameter per ``wrt`` argument, after
all of f's (keyword-only, defaults kept, for a callee's ``jvp_g``).

Split form, for user functions called from differentiated code: ``fwd_g``
runs the forward sweep and returns the value with what the backward sweep
needs; ``bwd_g`` takes that and the output's cotangent::

    def fwd_g(a, n):                      def bwd_g(_saved, d_out):
        <forward sweep>                       _stack, a = _saved
        return _out, (_stack, a)              <backward sweep>
                                              return d_a
"""
from __future__ import annotations

import copy

import gast

from .nodes import assign, call, const, mark_adjoint, name


def _function(fname, args, body, doc):
    doc_stmt = gast.Expr(value=const(doc))
    return gast.FunctionDef(name=fname, args=args, body=[doc_stmt] + body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])


def _gradients(sweeps, namer, wrt, trees=None):
    def one(p):
        if p in (trees or {}):   # a tree of arrays unrolled (`unroll_trees`): its leaves' adjoints
            display = copy.deepcopy(trees[p])
            for n in (n for n in gast.walk(display) if isinstance(n, (gast.List, gast.Tuple, gast.Dict))):
                field = "values" if isinstance(n, gast.Dict) else "elts"
                setattr(n, field, [leaf(e.id) if isinstance(e, gast.Name) else e for e in getattr(n, field)])
            return display
        return name(namer.adjoint(p)) if p not in sweeps.zero_at_end and p in sweeps.active_wrt \
            else call(namer.helper("zeros_like"), name(p))

    # a leaf is assigned once, by the unpacking at the top, whose adjoint is the sweep's last: its
    # adjoint is not zero there where the sweep assigns it anywhere (a branch's other path, or a
    # loop that may not run, has it made zeros before)
    assigned = {n.id for s in (trees and sweeps.backward or ()) for n in gast.walk(s)
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}

    def leaf(v):
        d = namer.adjoint(v)
        return name(d) if d in assigned else call(namer.helper("zeros_like"), name(v))

    def entry(p):  # `xs[1]`: an entry of `*xs` (see `s2s.varargs`)
        base, k = p[:-1].split("[")
        whole = one(base)
        if isinstance(whole, gast.Call):
            return call(namer.helper("zeros_like"), gast.Subscript(value=name(base), slice=const(int(k)), ctx=gast.Load()))
        return gast.Subscript(value=whole, slice=const(int(k)), ctx=gast.Load())
    return [entry(p) if p.endswith("]") else one(p) for p in wrt]


def _directions(args, extra):
    """Add the parameters `extra` (a seed, tangents) after `args`'s own: positional, or
    keyword-only after a `*args`."""
    if args.vararg is not None:
        args.kwonlyargs = args.kwonlyargs + extra
        args.kw_defaults = args.kw_defaults + [None] * len(extra)
    else:
        args.defaults = []
        args.args = args.args + extra


def _stack_init(sweeps, namer):
    return [assign(namer.stack, gast.List(elts=[], ctx=gast.Load()))] if sweeps.uses_stack else []


def joint(sweeps, namer, fname, wrt, single, mode, doc, aux=None, trees=None):
    """`grad_f`, `value_and_grad_f` or `vjp_f` (mode) as one function; with `aux` (the name of
    the second half of f's result, `has_aux=True`): `(gradients, aux)`, `((value, aux), gradients)`.
    `trees`: {parameter: the display of its leaves' names} where the code unrolled its loops."""
    args = copy.deepcopy(sweeps.params)
    seed = namer.adjoint(sweeps.out)
    body = list(sweeps.inits) + _stack_init(sweeps, namer) + list(sweeps.forward)
    value = sweeps.out
    if mode == "value_and_grad" and sweeps.mutated:  # the backward pass may write into the value
        value = namer.special("value")
        body.append(assign(value, call(namer.helper("copy_of"), name(sweeps.out))))
    elif mode == "value_and_grad" and sweeps.out in sweeps.restored:
        value = namer.special("value")
        body.append(assign(value, name(sweeps.out)))
    if aux is not None and (sweeps.mutated or aux in sweeps.restored):  # the backward pass may change it
        kept = namer.special("aux_value")
        body.append(assign(kept, call(namer.helper("copy_of"), name(aux))))
        aux = kept
    if mode == "vjp":  # all of f's parameters, then the seed: no defaults
        _directions(args, [gast.Name(id=seed, ctx=gast.Param(), annotation=None, type_comment=None)])
    else:
        body.append(assign(seed, const(1.0) if sweeps.scalar_out else call(namer.helper("grad_seed"),
                                                                              name(sweeps.out))))
    body += mark_adjoint(list(sweeps.backward))
    grads = _gradients(sweeps, namer, wrt, trees)
    result = grads[0] if single else gast.Tuple(elts=grads, ctx=gast.Load())
    if mode == "value_and_grad":
        value_part = name(value) if aux is None else gast.Tuple(elts=[name(value), name(aux)], ctx=gast.Load())
        result = gast.Tuple(elts=[value_part, result], ctx=gast.Load())
    elif aux is not None:
        result = gast.Tuple(elts=[result, name(aux)], ctx=gast.Load())
    body.append(gast.Return(value=result))
    return _function(fname, args, body, doc)


def split(sweeps, namer, fwd_name, bwd_name, wrt, fwd_doc, bwd_doc):
    """`fwd_g` and `bwd_g` for a user function called from differentiated code."""
    saved = ([namer.stack] if sweeps.uses_stack else []) + [v for v in sweeps.saved if v != namer.stack]
    record = gast.Tuple(elts=[name(v) for v in saved], ctx=gast.Load())
    fwd_body = list(sweeps.inits) + list(sweeps.saved_inits) + _stack_init(sweeps, namer) + list(sweeps.forward)
    fwd_body.append(gast.Return(value=gast.Tuple(elts=[name(sweeps.out), record], ctx=gast.Load())))
    fwd = _function(fwd_name, copy.deepcopy(sweeps.params), fwd_body, fwd_doc)

    saved_param = namer.special("saved")
    seed = namer.adjoint(sweeps.out)
    bwd_args = gast.arguments(args=[gast.Name(id=saved_param, ctx=gast.Param(), annotation=None, type_comment=None),
                                    gast.Name(id=seed, ctx=gast.Param(), annotation=None, type_comment=None)],
                              posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    bwd_body = []
    if saved:
        bwd_body.append(assign(gast.Tuple(elts=[name(v, store=True) for v in saved], ctx=gast.Store()),
                               name(saved_param)))
    if sweeps.uses_stack:  # popped from a copy: what fwd_g saved stays whole (bwd_g may run again, or be differentiated)
        bwd_body.append(assign(namer.stack, call(namer.helper("copy_of"), name(namer.stack))))
    bwd_body += mark_adjoint(list(sweeps.backward))
    grads = _gradients(sweeps, namer, wrt)
    bwd_body.append(gast.Return(value=grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())))
    bwd = _function(bwd_name, bwd_args, bwd_body, bwd_doc)
    return fwd, bwd


def jvp(tangents, namer, fname, wrt, doc, callee=False):
    """`jvp_f(x, y, t_x)` -> (value, tangent of the value)."""
    args = copy.deepcopy(tangents.params)
    extra = [gast.Name(id=namer.tangent(p), ctx=gast.Param(), annotation=None, type_comment=None) for p in wrt]
    if callee:
        args.kwonlyargs = args.kwonlyargs + extra
        args.kw_defaults = args.kw_defaults + [None] * len(extra)
    else:
        _directions(args, extra)
    out_tangent = (call(namer.helper("zeros_like"), name(tangents.out)) if tangents.out_is_zero
                   else name(namer.tangent(tangents.out)))
    body = list(tangents.body) + [gast.Return(value=gast.Tuple(elts=[name(tangents.out), out_tangent],
                                                               ctx=gast.Load()))]
    return _function(fname, args, body, doc)
