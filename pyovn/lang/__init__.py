"""The OVN logical flow language (ovn-sb(5), table Logical_Flow).

The small API northd, the controller and the tracer call; each pass is
also usable alone (pyovn.lang.parse, .annotate, .simplify, .normalize,
.matches, .evaluate) and from the command line (`pyovn lang ...`).

    parse_expr(text)                    -> Expr (raises LangError)
    annotate_expr(text, context)        -> annotated Expr (raises LangError)
    compile_match(text, context, conj_id_base=1)
                                        -> ([FlowMatch], n_conj_ids_used)
    check_match(text, context=None)     -> None, or the error text
    evaluate_match(text, microflow, context=None) -> bool

`context` is a pyovn.lang.context.Context (address sets, port groups,
template variables, port tunnel keys, resident ports); None means an empty
one.  Every failure is a LangError; nothing else escapes.
"""

from pyovn.lang.context import Context
from pyovn.lang.errors import LangError
from pyovn.lang.microflow import Microflow

__all__ = ["LangError", "Context", "Microflow", "parse_expr", "annotate_expr",
           "compile_match", "check_match", "evaluate_match"]


def parse_expr(text, symtab=None, context=None):
    """Parses TEXT; with CONTEXT, ^template variables it knows are
    expanded lexically (anywhere, as in OVN), the rest stay references."""
    from pyovn.lang.parse import parse
    return parse(text, symtab,
                 context.lookup_template if context is not None else None)


def annotate_expr(text, context=None, symtab=None):
    from pyovn.lang.annotate import annotate
    return annotate(parse_expr(text, symtab, context), symtab, context)


def compile_match(text, context=None, conj_id_base=1, conjunctive=True,
                  symtab=None):
    """Compiles match TEXT to OpenFlow matches (see pyovn.lang.matches)."""
    from pyovn.lang.matches import to_matches
    return to_matches(annotate_expr(text, context, symtab), context,
                      conj_id_base=conj_id_base, conjunctive=conjunctive)


def check_match(text, context=None, symtab=None):
    """Validates match TEXT the way northd needs: syntax, symbols, types,
    and, when CONTEXT is given, references and normalization.  Returns None
    if it is good, else the error message."""
    from pyovn.lang.normalize import conjunctions
    try:
        expr = parse_expr(text, symtab)
        if context is not None:
            from pyovn.lang.annotate import annotate
            conjunctions(annotate(expr, symtab, context))
    except LangError as e:
        return str(e)
    return None


def evaluate_match(text, microflow, context=None, symtab=None):
    """Does match TEXT (with its prerequisites) hold for MICROFLOW?"""
    from pyovn.lang.evaluate import evaluate
    return evaluate(annotate_expr(text, context, symtab), microflow, context)
