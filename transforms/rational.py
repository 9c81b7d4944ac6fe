"""Rational functions of numbered atoms with exact coefficients, for `transforms.algebra`.

A polynomial is a dict {monomial: Fraction}; a monomial is a sorted tuple of (atom, exponent)
pairs, ``()`` for the constant term; an atom is an int. A rational function is a pair (numerator,
factors): the denominator is the product of the factors, each a monic polynomial (leading
coefficient 1 in lexicographic order of the atoms), so a constant denominator is always folded
into the numerator and equal factors compare equal.

Every operation cancels what it can: a factor of the denominator that divides the numerator
exactly (multivariate division by one polynomial: when it divides, the leading term of what is
left is always divisible by its leading term) is divided out. That is what turns
``y / p - (1 - y) / (1 - p)`` times ``p * (1 - p)`` into ``y - p``. Nothing is factored: a
factor that divides the numerator only in part stays.

Coefficients are `Fraction`s of the literals' exact binary values, so ``0.01 * 3`` is kept
exactly and rounded once, when it is written out. Size is bounded: `TooLarge` is raised for a
polynomial of more than `MAX_TERMS` terms, an exponent above `MAX_EXPONENT`, or more than
`MAX_FACTORS` factors, and the caller leaves that expression alone.
"""
from __future__ import annotations

from fractions import Fraction

MAX_TERMS = 48
MAX_EXPONENT = 8
MAX_FACTORS = 6


class TooLarge(Exception):
    """An expression grew past the bounds above."""


ONE: tuple = ()   # the constant monomial


def atom(k: int):
    return {((k, 1),): Fraction(1)}, ()


def constant(value):
    c = Fraction(value)
    return ({ONE: c} if c else {}), ()


def mono_mul(a, b):
    if not a:
        return b
    if not b:
        return a
    out = dict(a)
    for k, e in b:
        out[k] = out.get(k, 0) + e
        if out[k] > MAX_EXPONENT:
            raise TooLarge
    return tuple(sorted(out.items()))


def _mono_div(a, b):
    """a / b if b divides a, else None."""
    out = dict(a)
    for k, e in b:
        if out.get(k, 0) < e:
            return None
        out[k] -= e
    return tuple(sorted((k, e) for k, e in out.items() if e))


def _key(m, width):
    """Lexicographic order of monomials: the exponent of atom 0 first, then atom 1, ..."""
    dense = [0] * width
    for k, e in m:
        dense[k] = e
    return dense


def leading(p):
    width = 1 + max((k for m in p for k, _ in m), default=0)
    return max(p, key=lambda m: _key(m, width))


def _check(p):
    if len(p) > MAX_TERMS:
        raise TooLarge
    return p


def padd(a, b, scale=Fraction(1)):
    """a + scale * b."""
    out = dict(a)
    for m, c in b.items():
        v = out.get(m, 0) + scale * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return _check(out)


def pmul(a, b):
    out: dict = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = mono_mul(ma, mb)
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
        _check(out)
    return out


def pscale(p, c):
    return {m: v * c for m, v in p.items()} if c else {}


def exact_quotient(p, d):
    """p / d when d divides p exactly, else None."""
    lead = leading(d)
    lc = d[lead]
    q: dict = {}
    r = dict(p)
    while r:
        m = leading(r)
        t = _mono_div(m, lead)
        if t is None:
            return None
        c = r[m] / lc
        q[t] = q.get(t, 0) + c
        r = padd(r, pmul({t: c}, d), Fraction(-1))
    return q


def _monic(p):
    lc = p[leading(p)]
    return lc, pscale(p, 1 / lc)


def _cancel(num, factors):
    if not num:
        return {}, ()
    kept = []
    for f in factors:
        q = exact_quotient(num, f)
        if q is None:
            kept.append(f)
        else:
            num = q
    if len(kept) > MAX_FACTORS:
        raise TooLarge
    return num, tuple(kept)


def _without(factors, taken):
    """`factors` with one copy of each of `taken` removed."""
    rest = list(factors)
    for f in taken:
        rest.remove(f)
    return rest


def _product(polys):
    out = {ONE: Fraction(1)}
    for p in polys:
        out = pmul(out, p)
    return out


def add(a, b, scale=1):
    """a + scale * b (scale a number)."""
    (na, fa), (nb, fb) = a, b
    if fa == fb:
        return _cancel(padd(na, nb, Fraction(scale)), fa)
    common = list(fa)
    rest = list(fa)
    for f in fb:   # the least common multiple of the two factor lists
        if f in rest:
            rest.remove(f)
        else:
            common.append(f)
    num = padd(pmul(na, _product(_without(common, fa))), pmul(nb, _product(_without(common, fb))), Fraction(scale))
    return _cancel(num, tuple(common))


def neg(a):
    return pscale(a[0], Fraction(-1)), a[1]


def mul(a, b):
    return _cancel(pmul(a[0], b[0]), a[1] + b[1])


def div(a, b):
    """a / b; ZeroDivisionError if b is zero."""
    nb, fb = b
    if not nb:
        raise ZeroDivisionError
    num = pmul(a[0], _product(fb))
    if set(nb) == {ONE}:
        return _cancel(pscale(num, 1 / nb[ONE]), a[1])
    lc, monic = _monic(nb)
    return _cancel(pscale(num, 1 / lc), a[1] + (monic,))


def power(a, k: int):
    if abs(k) > MAX_EXPONENT:
        raise TooLarge
    out = constant(1)
    for _ in range(abs(k)):
        out = mul(out, a)
    return out if k >= 0 else div(constant(1), out)
