"""Normalization of an expression to disjunctive normal form.

    normalize(expr, limit=DEFAULT_LIMIT) -> Expr
    conjunctions(expr, limit=DEFAULT_LIMIT) -> [Conj]

The input is annotated (it is simplified first).  The output is an OR of
conjunctions; each conjunction ANDs, per field, either one masked equality
test or a set of alternatives on that same field (an OR of tests on one
field is kept as a set, not multiplied out, so that `ip4.src == $big &&
tcp.dst == {80, 443}` stays one conjunction that conjunctive matches can
implement), plus is_chassis_resident() conditions.

Tests on the same field inside one conjunction are merged (and dropped as
contradictory when they disagree).  If the DNF would need more than LIMIT
conjunctions (or LIMIT pairwise merges of alternatives), a LangError says
so instead of exhausting memory.
"""

from pyovn.lang.errors import LangError
from pyovn.lang.expr import (FALSE, TRUE, And, Bool, Cmp, Condition, Or,
                             make_and, make_or)
from pyovn.lang.simplify import simplify

DEFAULT_LIMIT = 10000


class Conj:
    """One conjunction: {field name: (symbol, frozenset of alternatives)}
    and a frozenset of (port, negated) conditions.  An integer alternative
    is (value, mask); a string alternative is the port name."""
    __slots__ = ("fields", "conds")

    def __init__(self, fields=None, conds=frozenset()):
        self.fields = fields or {}
        self.conds = conds

    def key(self):
        return (tuple(sorted((k, v[1]) for k, v in self.fields.items())),
                self.conds)

    def is_true(self):
        return not self.fields and not self.conds


def _merge_alt(a, b):
    """AND of two alternatives on one field; None if contradictory."""
    if isinstance(a, str):
        return a if a == b else None
    va, ma = a
    vb, mb = b
    if (va ^ vb) & ma & mb:
        return None
    return (va | vb, ma | mb)


ABSORB_MAX = 4096


def _absorb(alts):
    """Drops integer alternatives that a more general one already covers
    ((v1, m1) covers (v2, m2) when m1 is a subset of m2 and v2 agrees with
    v1 on m1), so that chains of != stay small."""
    if len(alts) < 2 or len(alts) > ABSORB_MAX:
        return frozenset(alts)
    if any(isinstance(a, str) for a in alts):
        return frozenset(alts)
    kept = []
    for v, m in sorted(alts, key=lambda vm: (bin(vm[1]).count("1"), vm[1], vm[0])):
        if not any((m1 & m) == m1 and (v & m1) == v1 for v1, m1 in kept):
            kept.append((v, m))
    return frozenset(kept)


def _and_conj(a, b, limit):
    fields = dict(a.fields)
    for name, (sym, alts) in b.fields.items():
        if name in fields:
            mine = fields[name][1]
            if len(mine) * len(alts) > limit:
                raise _too_complex(limit)
            merged = set()
            for x in mine:
                for y in alts:
                    m = _merge_alt(x, y)
                    if m is not None:
                        merged.add(m)
            if not merged:
                return None
            fields[name] = (sym, _absorb(merged))
        else:
            fields[name] = (sym, alts)
    conds = a.conds | b.conds
    for port, neg in conds:
        if (port, not neg) in conds:
            return None
    return Conj(fields, conds)


def _too_complex(limit):
    return LangError("Expression too complex: its normal form would exceed "
                     "%d terms." % limit)


def _dedupe(conjs):
    seen = set()
    out = []
    for c in conjs:
        k = c.key()
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def _or(lists, limit):
    single = {}         # field -> index in out of the single-field conj
    out = []
    for conjs in lists:
        for c in conjs:
            if c.is_true():
                return [Conj()]
            if len(c.fields) == 1 and not c.conds:
                (name, (sym, alts)), = c.fields.items()
                if name in single:
                    i = single[name]
                    prev = out[i].fields[name][1]
                    out[i] = Conj({name: (sym, _absorb(prev | alts))})
                    continue
                single[name] = len(out)
            out.append(c)
    out = _dedupe(out)
    if len(out) > limit:
        raise _too_complex(limit)
    return out


def _dnf(expr, limit):
    if isinstance(expr, Bool):
        return [Conj()] if expr.value else []
    if isinstance(expr, Cmp):
        if expr.mask is None:
            alt = expr.value
        else:
            alt = (expr.value, expr.mask)
        return [Conj({expr.sym.name: (expr.sym, frozenset([alt]))})]
    if isinstance(expr, Condition):
        return [Conj(conds=frozenset([(expr.port, expr.negated_)]))]
    if isinstance(expr, Or):
        return _or([_dnf(c, limit) for c in expr.children], limit)
    if isinstance(expr, And):
        acc = [Conj()]
        for child in expr.children:
            sub = _dnf(child, limit)
            if len(acc) * len(sub) > limit:
                raise _too_complex(limit)
            nxt = []
            for a in acc:
                for b in sub:
                    c = _and_conj(a, b, limit)
                    if c is not None:
                        nxt.append(c)
            acc = _or([nxt], limit)
            if not acc:
                return []
        return acc
    raise TypeError(expr)


def conjunctions(expr, limit=DEFAULT_LIMIT):
    """Returns the normal form of annotated EXPR as a list of Conj."""
    return _dnf(simplify(expr), limit)


def _alt_sort_key(alt):
    if isinstance(alt, str):
        return (0, alt)
    return (1, alt[1], alt[0])


def conj_to_expr(conj):
    terms = []
    for name in sorted(conj.fields):
        sym, alts = conj.fields[name]
        cmps = []
        for alt in sorted(alts, key=_alt_sort_key):
            if isinstance(alt, str):
                cmps.append(Cmp(sym, "==", alt, None))
            else:
                cmps.append(Cmp(sym, "==", alt[0], alt[1]))
        terms.append(make_or(cmps))
    for port, neg in sorted(conj.conds):
        terms.append(Condition(port, neg))
    return make_and(terms)


def conjs_to_expr(conjs):
    return make_or(conj_to_expr(c) for c in conjs)


def normalize(expr, limit=DEFAULT_LIMIT):
    """Returns annotated EXPR in normal form (see the module comment)."""
    return conjs_to_expr(conjunctions(expr, limit))
