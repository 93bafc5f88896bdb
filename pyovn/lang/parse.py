"""Parser for match expressions (ovn-sb(5), Logical_Flow match column).

    parse(text, symtab=None) -> Expr

The result references symbols as written (subfields and predicates are
expanded later by annotate).  `!` is pushed down to the leaves while
parsing, which is also how the nominal-field rules are checked: a nominal
field may only be tested for equality taking enclosing `!` into account,
and a nominal predicate only positively.

Grammar (precedence from high to low: (), relational, !, && and ||):

    expr     := not ('&&' not)* | not ('||' not)*
    not      := '!' not | primary
    primary  := '(' expr ')'
              | 'is_chassis_resident' '(' STRING ')'
              | field [relop cset]
              | cset relop field [relop cset]      (range: x < f < y)
              | '0' | '1'
    field    := ID ['[' INT ['..' INT] ']']
    cset     := constant | '{' [constant (','? constant)*] '}'
    constant := INTEGER | STRING | $set | @group | ^template
"""

from pyovn.lang.errors import LangError
from pyovn.lang.expr import (NEGATE, RELOPS, REVERSE, FALSE, TRUE, Bool, Cmp,
                             Condition, SetRef, make_and, make_or)
from pyovn.lang.lexer import Lexer, tokenize
from pyovn.lang.symtab import default_symtab

MAX_DEPTH = 64


class FieldRef:
    """A parsed field reference: bits ofs..ofs+width-1 of `sym`."""
    __slots__ = ("sym", "ofs", "width", "sliced", "pos", "text")

    def __init__(self, sym, ofs, width, sliced, pos, text):
        self.sym = sym
        self.ofs = ofs
        self.width = width
        self.sliced = sliced
        self.pos = pos
        self.text = text


class ConstItem:
    """One constant of a constant set: kind "int" (value, mask, fmt), "str"
    (value) or a reference "$", "@", "^" (value = name)."""
    __slots__ = ("kind", "value", "mask", "fmt", "pos")

    def __init__(self, kind, value, mask=None, fmt=None, pos=None):
        self.kind = kind
        self.value = value
        self.mask = mask
        self.fmt = fmt
        self.pos = pos


def _describe(field):
    return field.text


def parse_field(lexer, symtab):
    """Parses a field reference (used by the actions parser too)."""
    tok = lexer.token
    if tok.type != "ID":
        raise lexer.syntax_error("expecting field name")
    sym = symtab.lookup(tok.s)
    if sym is None:
        raise LangError("Unknown field `%s'." % tok.s, tok.pos)
    lexer.advance()
    if lexer.token.type != "[":
        return FieldRef(sym, 0, sym.width, False, tok.pos, sym.name)
    if sym.is_string:
        raise LangError("Cannot select subfield of string field %s." % sym.name,
                        lexer.token.pos)
    if sym.is_predicate:
        raise LangError("Cannot select subfield of predicate %s." % sym.name,
                        lexer.token.pos)
    if sym.level == "nominal":
        raise LangError("Cannot select subfield of nominal field %s." % sym.name,
                        lexer.token.pos)
    lexer.advance()
    lo = _slice_index(lexer)
    hi = lo
    if lexer.match(".."):
        hi = _slice_index(lexer)
    if lexer.token.type != "]":
        raise lexer.syntax_error("expecting `]'")
    end = lexer.advance().end
    if lo > hi:
        raise LangError("Invalid bit range %d to %d." % (lo, hi), tok.pos)
    if hi >= sym.width:
        raise LangError("Cannot select bits %d to %d of %d-bit field %s."
                        % (lo, hi, sym.width, sym.name), tok.pos)
    return FieldRef(sym, lo, hi - lo + 1, True, tok.pos, lexer.text[tok.pos:end])


def _slice_index(lexer):
    tok = lexer.token
    if tok.type != "INTEGER" or tok.mask is not None or tok.fmt not in ("dec", "hex"):
        raise lexer.syntax_error("expecting small integer")
    if tok.value > 1000:
        raise LangError("Bit index %d is too large." % tok.value, tok.pos)
    lexer.advance()
    return tok.value


def parse_constant(lexer):
    tok = lexer.token
    if tok.type == "INTEGER":
        lexer.advance()
        return ConstItem("int", tok.value, tok.mask, tok.fmt, tok.pos)
    if tok.type == "STRING":
        lexer.advance()
        return ConstItem("str", tok.s, pos=tok.pos)
    if tok.type in ("MACRO", "PORT_GROUP", "TEMPLATE"):
        lexer.advance()
        kind = {"MACRO": "$", "PORT_GROUP": "@", "TEMPLATE": "^"}[tok.type]
        return ConstItem(kind, tok.s, pos=tok.pos)
    raise lexer.syntax_error("expecting constant")


def parse_constant_set(lexer):
    """Returns (list of ConstItem, is_braced)."""
    if lexer.match("{"):
        items = []
        while not lexer.match("}"):
            if lexer.at_end():
                raise lexer.syntax_error("expecting `}'")
            items.append(parse_constant(lexer))
            lexer.match(",")
        return items, True
    return [parse_constant(lexer)], False


def _const_width(item):
    bits = item.value.bit_length()
    if item.mask is not None:
        bits = max(bits, item.mask.bit_length())
    return bits


def make_comparison(field, relop, items, negated, braced=False, relop_pos=None):
    """Builds the expression for FIELD RELOP ITEMS under NEGATED enclosing
    `!` operators, checking types, widths and the nominal-field rules.
    Raises LangError."""
    sym = field.sym
    eff = NEGATE[relop] if negated else relop
    pos = field.pos
    if sym.kind == "ovn":
        raise LangError("Field %s can only be written by actions, not matched."
                        % sym.name, pos)
    if sym.is_string:
        if relop not in ("==", "!="):
            raise LangError("Only == and != operators may be used with string "
                            "field %s." % sym.name, relop_pos if relop_pos is not None else pos)
        if eff != "==":
            raise LangError("Nominal field %s may only be tested for equality "
                            "(taking enclosing `!' operators into account)."
                            % sym.name, pos)
    elif sym.is_predicate:
        if relop not in ("==", "!="):
            raise LangError("Only == and != operators may be used with "
                            "predicate %s." % sym.name, pos)
    elif sym.level == "nominal":
        if relop not in ("==", "!="):
            raise LangError("Only == and != operators may be used with nominal "
                            "field %s." % sym.name, pos)
        if eff != "==":
            raise LangError("Nominal field %s may only be tested for equality "
                            "(taking enclosing `!' operators into account)."
                            % sym.name, pos)
    if relop not in ("==", "!=") and (braced or len(items) != 1):
        raise LangError("Only == and != operators may be used with a set of "
                        "constants.", pos)

    leaves = []
    for item in items:
        if item.kind in ("$", "@", "^"):
            if relop not in ("==", "!="):
                raise LangError("Only == and != operators may be used with "
                                "%s%s." % (item.kind, item.value), item.pos)
            if item.kind == "@" and not sym.is_string:
                raise LangError("Port group @%s can only be compared with a "
                                "string field, not %s." % (item.value, sym.name),
                                item.pos)
            if item.kind == "$" and sym.is_string:
                raise LangError("Address set $%s cannot be compared with string "
                                "field %s." % (item.value, sym.name), item.pos)
            leaves.append(SetRef(sym, field.ofs, field.width, eff, item.kind,
                                 item.value, item.pos))
            continue
        if sym.is_string:
            if item.kind != "str":
                raise LangError("String field %s is not compatible with integer "
                                "constant." % sym.name, item.pos)
            leaves.append(Cmp(sym, eff, item.value, None))
            continue
        if item.kind != "int":
            raise LangError("Integer field %s is not compatible with string "
                            "constant." % field.text, item.pos)
        if item.mask is not None and relop not in ("==", "!="):
            raise LangError(
                "Only == and != operators may be used with masked constants.  "
                "Consider using subfields instead (e.g. eth.src[0..15] > 0x1111 "
                "in place of eth.src > 00:00:00:00:11:11/00:00:00:00:ff:ff).",
                item.pos)
        bits = _const_width(item)
        if bits > field.width:
            raise LangError("%d-bit constant is not compatible with %d-bit field "
                            "%s." % (bits, field.width, field.text), item.pos)
        if sym.is_predicate and item.mask is not None:
            raise LangError("Predicate %s may only be compared with 0 or 1."
                            % sym.name, item.pos)
        full = (1 << field.width) - 1
        mask = full if item.mask is None else item.mask
        value = item.value & mask
        op = eff
        if op == "!=" and mask == 1:
            # One-bit tests are kept positive: x != 1 is x == 0.
            op, value = "==", value ^ 1
        cmp = Cmp(sym, op, value << field.ofs, mask << field.ofs)
        if sym.is_predicate and sym.level == "nominal":
            positive = (eff == "==") == (item.value == 1)
            if not positive:
                raise LangError(
                    "Nominal predicate %s may only be tested positively, e.g. "
                    "`%s' or `%s == 1' but not `!%s' or `%s == 0'."
                    % ((sym.name,) * 5), pos)
        leaves.append(cmp)
    if eff == "!=":
        return make_and(leaves)
    if eff == "==":
        return make_or(leaves)
    return leaves[0]


class Parser:
    def __init__(self, lexer, symtab):
        self.lexer = lexer
        self.symtab = symtab
        self.depth = 0

    def parse(self):
        expr = self.parse_expr(False)
        if not self.lexer.at_end():
            raise self.lexer.syntax_error("expecting end of input")
        return expr

    def parse_expr(self, negated):
        lx = self.lexer
        first = self.parse_not(negated)
        op = None
        items = [first]
        while lx.token.type in ("&&", "||"):
            if op is not None and lx.token.type != op:
                raise LangError("&& and || must be parenthesized when used "
                                "together.", lx.token.pos)
            op = lx.advance().type
            items.append(self.parse_not(negated))
        if op is None:
            return first
        if (op == "&&") != negated:
            return make_and(items)
        return make_or(items)

    def parse_not(self, negated):
        lx = self.lexer
        if lx.token.type == "!":
            lx.advance()
            start = lx.token
            self._enter(start)
            expr, relational = self.parse_primary_or_not(not negated)
            self.depth -= 1
            if relational:
                raise LangError("Missing parentheses around operand of !.",
                                start.pos)
            return expr
        expr, _ = self.parse_primary(negated)
        return expr

    def parse_primary_or_not(self, negated):
        if self.lexer.token.type == "!":
            return self.parse_not(negated), False
        return self.parse_primary(negated)

    def _enter(self, tok):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LangError("Parentheses nested too deeply.", tok.pos)

    def parse_primary(self, negated):
        """Returns (expr, was_relational)."""
        lx = self.lexer
        tok = lx.token
        if tok.type == "(":
            lx.advance()
            self._enter(tok)
            expr = self.parse_expr(negated)
            self.depth -= 1
            if not lx.match(")"):
                raise lx.syntax_error("expecting `)'")
            return expr, False
        if tok.type == "ID" and tok.s == "is_chassis_resident" \
                and lx.lookahead().type == "(":
            lx.advance()
            lx.advance()
            port = lx.token
            if port.type != "STRING":
                raise lx.syntax_error("expecting quoted string")
            lx.advance()
            if not lx.match(")"):
                raise lx.syntax_error("expecting `)'")
            return Condition(port.s, negated, tok.pos), False
        if tok.type == "ID":
            field = parse_field(lx, self.symtab)
            if lx.token.type in RELOPS:
                rtok = lx.advance()
                items, braced = parse_constant_set(lx)
                if lx.token.type in RELOPS:
                    raise LangError(
                        "Range expressions must have the form `x < field < y' "
                        "or `x > field > y', with each `<' optionally replaced "
                        "by `<=' or `>' by `>=').", lx.token.pos)
                return make_comparison(field, rtok.type, items, negated, braced,
                                       rtok.pos), True
            if field.width != 1:
                if field.sym.is_string:
                    raise LangError("String field %s must be compared with a "
                                    "string constant." % field.sym.name, field.pos)
                raise LangError("Explicit `!= 0' is required for inequality "
                                "test of multibit field against 0.", field.pos)
            item = ConstItem("int", 1, None, "dec", field.pos)
            return make_comparison(field, "==", [item], negated), False
        if tok.type in ("INTEGER", "STRING", "MACRO", "PORT_GROUP", "TEMPLATE", "{"):
            items, braced = parse_constant_set(lx)
            if lx.token.type not in RELOPS:
                if (not braced and len(items) == 1 and items[0].kind == "int"
                        and items[0].mask is None and items[0].value in (0, 1)):
                    return Bool(bool(items[0].value) != negated), False
                raise lx.syntax_error("expecting relational operator")
            r1 = lx.advance()
            field = parse_field(lx, self.symtab)
            if lx.token.type not in RELOPS:
                return make_comparison(field, REVERSE[r1.type], items, negated,
                                       braced, r1.pos), True
            r2 = lx.advance()
            items2, braced2 = parse_constant_set(lx)
            less = ("<", "<=")
            more = (">", ">=")
            if not ((r1.type in less and r2.type in less)
                    or (r1.type in more and r2.type in more)):
                raise LangError(
                    "Range expressions must have the form `x < field < y' or "
                    "`x > field > y', with each `<' optionally replaced by `<=' "
                    "or `>' by `>=').", r1.pos)
            a = make_comparison(field, REVERSE[r1.type], items, negated, braced,
                                r1.pos)
            b = make_comparison(field, r2.type, items2, negated, braced2, r2.pos)
            return (make_or([a, b]) if negated else make_and([a, b])), True
        raise lx.syntax_error("expecting field name or constant")


def parse(text, symtab=None, lookup_template=None):
    """Parses match expression TEXT.  Returns an Expr; raises LangError.
    LOOKUP_TEMPLATE (name -> value text or None) expands ^templates
    lexically; without it they stay references for annotate to resolve.
    Expressions are immutable, so results for the same text (without
    templates) are shared: logical flows repeat the same matches across
    datapaths."""
    symtab = symtab or default_symtab()
    if lookup_template is None and isinstance(text, str) and "^" not in text:
        key = (id(symtab), text)
        hit = _recent.get(key)
        if hit is not None:
            return hit
        expr = Parser(Lexer(text), symtab).parse()
        if len(_recent) >= _RECENT_MAX:
            _recent.clear()
        _recent[key] = expr
        return expr
    lexer = Lexer(text, lookup_template=lookup_template)
    return Parser(lexer, symtab).parse()


_RECENT_MAX = 50000
_recent = {}


_cache = {}


def parse_cached(text, symtab):
    """Parses symbol expansions and prerequisites once per symbol table."""
    key = (id(symtab), text)
    expr = _cache.get(key)
    if expr is None:
        expr = parse(text, symtab)
        _cache[key] = expr
    return expr


__all__ = ["parse", "parse_field", "parse_constant", "parse_constant_set",
           "make_comparison", "FieldRef", "ConstItem", "Parser", "TRUE", "FALSE",
           "tokenize"]
