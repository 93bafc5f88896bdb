"""Evaluation of an expression against a microflow (for tracing).

    evaluate(expr, microflow, context=None) -> bool

Works on an expression at any stage: parsed (subfields and predicates are
read through the microflow; prerequisites are not implied), annotated,
simplified or normalized.  Unresolved $sets, @groups and ^templates are
resolved through CONTEXT; is_chassis_resident() asks CONTEXT (unknown
chassis: false).
"""

from pyovn.lang.context import EMPTY
from pyovn.lang.errors import LangError
from pyovn.lang.expr import And, Bool, Cmp, Condition, Or, SetRef


def _compare(x, relop, value):
    if relop == "==":
        return x == value
    if relop == "!=":
        return x != value
    if relop == "<":
        return x < value
    if relop == "<=":
        return x <= value
    if relop == ">":
        return x > value
    if relop == ">=":
        return x >= value
    raise LangError("Unknown relational operator %s." % relop)


def evaluate(expr, microflow, context=None):
    context = context or EMPTY
    if isinstance(expr, Bool):
        return expr.value
    if isinstance(expr, And):
        return all(evaluate(c, microflow, context) for c in expr.children)
    if isinstance(expr, Or):
        return any(evaluate(c, microflow, context) for c in expr.children)
    if isinstance(expr, Cmp):
        sym = expr.sym
        if expr.mask is None:
            return _compare(microflow.get(sym), expr.relop, expr.value)
        return _compare(microflow.get(sym) & expr.mask, expr.relop, expr.value)
    if isinstance(expr, Condition):
        resident = bool(context.is_chassis_resident(expr.port))
        return resident != expr.negated_
    if isinstance(expr, SetRef):
        from pyovn.lang.annotate import _Annotator
        resolved = _Annotator(microflow.symtab, context).resolve(expr)
        return evaluate(resolved, microflow, context)
    raise TypeError(expr)
