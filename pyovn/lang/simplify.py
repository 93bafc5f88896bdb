"""Simplification of an annotated expression.

    simplify(expr) -> Expr

  - `!=` and the ordering operators (<, <=, >, >=) on integer fields become
    disjunctions of masked equality tests, which is all OpenFlow can match:
      f != v        -> OR over the bits of the mask: f[i] == !v[i]
      f < v         -> OR over the 1-bits i of v: bits above i equal v's
                       and f[i] == 0 (similarly <=, >, >=);
  - tests with an empty mask fold to constants;
  - nested ANDs and ORs are flattened, constants folded, duplicates
    dropped.

The result has only `==` tests (plus string `==` and conditions).
"""

from pyovn.lang.errors import LangError
from pyovn.lang.expr import (FALSE, TRUE, And, Bool, Cmp, Condition, Or,
                             SetRef, make_and, make_or)


def _bits_high_to_low(mask):
    bits = []
    while mask:
        top = mask.bit_length() - 1
        bits.append(top)
        mask &= ~(1 << top)
    return bits


def expand_cmp(cmp):
    """Returns an expression of `==` tests equivalent to CMP."""
    sym, relop, value, mask = cmp.sym, cmp.relop, cmp.value, cmp.mask
    if mask is None:                                   # string field
        if relop != "==":
            raise LangError("String field %s may only be tested for equality."
                            % sym.name)
        return cmp
    if mask == 0:
        return Bool({"==": True, "!=": False, "<": False, "<=": True,
                     ">": False, ">=": True}[relop])
    if relop == "==":
        return cmp
    if relop == "!=":
        return make_or(Cmp(sym, "==", (~value) & (1 << i), 1 << i)
                       for i in _bits_high_to_low(mask))
    terms = []
    high = 0
    for i in _bits_high_to_low(mask):
        bit = 1 << i
        if relop in ("<", "<=") and value & bit:
            terms.append(Cmp(sym, "==", value & high, high | bit))
        elif relop in (">", ">=") and not value & bit:
            terms.append(Cmp(sym, "==", (value & high) | bit, high | bit))
        high |= bit
    if relop in ("<=", ">="):
        terms.append(Cmp(sym, "==", value, mask))
    return make_or(terms)


def simplify(expr):
    if isinstance(expr, Bool):
        return expr
    if isinstance(expr, Condition):
        return expr
    if isinstance(expr, Cmp):
        if expr.sym.kind not in ("field", "string"):
            raise LangError("Expression must be annotated before it is "
                            "simplified (found %s)." % expr.sym.name)
        return expand_cmp(expr)
    if isinstance(expr, SetRef):
        raise LangError("Expression must be annotated before it is simplified "
                        "(found %s%s)." % (expr.kind, expr.name))
    if isinstance(expr, And):
        out = []
        seen = set()
        for c in expr.children:
            c = simplify(c)
            parts = c.children if isinstance(c, And) else (c,)
            for p in parts:
                if isinstance(p, Bool):
                    if not p.value:
                        return FALSE
                    continue
                k = p.key()
                if k not in seen:
                    seen.add(k)
                    out.append(p)
        return make_and(out)
    if isinstance(expr, Or):
        out = []
        seen = set()
        for c in expr.children:
            c = simplify(c)
            parts = c.children if isinstance(c, Or) else (c,)
            for p in parts:
                if isinstance(p, Bool):
                    if p.value:
                        return TRUE
                    continue
                k = p.key()
                if k not in seen:
                    seen.add(k)
                    out.append(p)
        return make_or(out)
    raise TypeError(expr)
