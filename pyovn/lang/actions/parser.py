"""The actions parser: a list of `action;` statements, dispatched by name
through the registry (base.REGISTRY / RESULT_REGISTRY).

Grammar (ovn-sb(5), Logical_Flow actions):

    actions   := (action ';')*
    action    := field '=' (constant | field | NAME '(' ... ')')
               | field '<->' field
               | NAME [args] [ '{' actions '}' ]
"""

from pyovn.lang.errors import LangError
from pyovn.lang.lexer import Lexer, tokenize
from pyovn.lang.parse import parse_constant, parse_field
from pyovn.lang.actions import base

MAX_DEPTH = 16


class ActionParser:
    def __init__(self, text, pctx, tokens=None):
        self.text = text
        masked, self.hyphens = mask_hyphens(text)
        if tokens is None:
            tokens = tokenize(masked)
        if pctx.templates is not None and any(t.type == "TEMPLATE" for t in tokens):
            text = expand_templates(text, tokens, pctx.templates)
            self.text = text
            masked, self.hyphens = mask_hyphens(text)
            tokens = tokenize(masked)
        self.lexer = Lexer(text, tokens)
        self.pctx = pctx
        self.symtab = pctx.symtab
        self.prereqs = []
        self.scope = "default"
        self.depth = 0

    # --- token helpers -----------------------------------------------------
    @property
    def token(self):
        return self.lexer.token

    def advance(self):
        return self.lexer.advance()

    def match(self, type):
        return self.lexer.match(type)

    def match_id(self, name):
        return self.lexer.match_id(name)

    def is_id(self, name=None):
        t = self.lexer.token
        return t.type == "ID" and (name is None or t.s == name)

    def expect(self, type, what=None):
        return self.lexer.expect(type, what)

    def syntax_error(self, expecting=None, token=None):
        return self.lexer.syntax_error(expecting, token)

    def error(self, message, token=None):
        return LangError(message, (token or self.lexer.token).pos)

    def hyphen_before(self, tok):
        """Whether a range hyphen (`1-3000') precedes TOK."""
        prev = self.lexer.tokens[self.lexer.index - 1] if self.lexer.index else None
        start = prev.end if prev is not None else 0
        return any(start <= h < tok.pos for h in self.hyphens)

    def add_prereq(self, text):
        if text and text not in self.prereqs:
            self.prereqs.append(text)

    # --- top level -----------------------------------------------------------
    def parse(self):
        acts = self.parse_list(None)
        return acts

    def parse_list(self, closing):
        """Parses `action;`... up to end of input (CLOSING None) or the
        CLOSING token (not consumed)."""
        acts = []
        while True:
            t = self.token
            if closing is None and t.type == "END":
                break
            if closing is not None and t.type == closing:
                break
            if t.type == "END":
                raise self.syntax_error("expecting `%s'" % closing)
            if t.type == "ID" and t.s == "drop" and self.lexer.lookahead().type == ";":
                # `drop;' stands alone: it is the empty action list.
                if acts:
                    raise self.syntax_error("expecting action")
                self.advance()
                self.advance()
                if self.token.type not in ("END", closing):
                    raise self.syntax_error("expecting end of input")
                break
            a = self.parse_action(len(acts))
            if not self.match(";"):
                raise self.syntax_error("expecting `;'")
            acts.append(a)
        return acts

    def parse_action(self, index):
        t = self.token
        if t.type != "ID":
            raise self.syntax_error()
        la = self.lexer.lookahead()
        if la.type in ("=", "<->", "[") and t.s in self.symtab:
            return self.parse_assignment()
        cls = base.REGISTRY.get(t.s)
        if cls is None or (t.s == "drop" and index > 0):
            raise self.syntax_error("expecting action")
        self.advance()
        return cls.parse(self, t)

    def parse_assignment(self):
        from pyovn.lang.actions import assign
        dst = self.lvalue()
        t = self.token
        if self.match("="):
            rt = self.token
            if (rt.type == "ID" and self.lexer.lookahead().type == "("
                    and rt.s in base.RESULT_REGISTRY):
                self.advance()
                return base.RESULT_REGISTRY[rt.s].parse_result(self, rt, dst)
            if rt.type == "ID":
                src = self.field()
                return assign.Move.make(self, dst, src, t)
            return assign.Load.make(self, dst, rt)
        if self.match("<->"):
            src = self.field()
            return assign.Exchange.make(self, dst, src, t)
        raise self.syntax_error("expecting `=' or `<->'")

    # --- fields ------------------------------------------------------------
    def field(self, add_prereqs=True):
        """Parses a field reference; returns base.Field."""
        t = self.token
        if t.type != "ID" or t.s not in self.symtab:
            raise self.syntax_error("expecting field name")
        ref = parse_field(self.lexer, self.symtab)
        sym = ref.sym
        if sym.kind == "predicate":
            raise LangError("Predicate symbol %s used where lvalue required."
                            % sym.name, t.pos)
        if add_prereqs:
            self.add_symbol_prereqs(sym)
        f = base.make_field(self.symtab, sym, ref.ofs, ref.width, ref.sliced)
        return f

    def add_symbol_prereqs(self, sym):
        while sym is not None:
            self.add_prereq(sym.prereqs)
            sym = self.symtab.get(sym.parent) if sym.kind == "subfield" else None

    def lvalue(self, scope=None):
        t = self.token
        f = self.field()
        self.check_writable(f, t)
        return f

    def check_writable(self, f, tok):
        sym = self.symtab.get(f.name)
        ws = sym.write_scope
        ok = ws is not None and (ws == self.scope or
                                 (ws == "default" and self.scope == "default"))
        if not ok:
            raise LangError("Field %s is not modifiable." % f.name, tok.pos)

    def string_field(self):
        t = self.token
        f = self.field()
        if not f.string:
            raise LangError("Cannot use numeric field %s where string field is "
                            "required." % f.name, t.pos)
        return f

    def numeric_field(self, width=None):
        t = self.token
        f = self.field()
        if f.string:
            raise LangError("Cannot use string field %s where numeric field is "
                            "required." % f.name, t.pos)
        if f.ovn_only:
            raise LangError("Field %s can only be written, not read." % f.name, t.pos)
        if width is not None and f.width != width:
            raise LangError("Cannot use %d-bit field %s where %d-bit field is "
                            "required." % (f.width, f.describe(), width), t.pos)
        return f

    # --- constants ---------------------------------------------------------
    def constant(self):
        return parse_constant(self.lexer)

    def integer(self, lo=0, hi=None, what="integer"):
        t = self.token
        if t.type != "INTEGER" or t.mask is not None:
            raise self.syntax_error("expecting %s" % what)
        if t.value < lo or (hi is not None and t.value > hi):
            raise self.syntax_error("expecting %s" % what)
        self.advance()
        return t.value

    def string(self, what="string"):
        t = self.token
        if t.type != "STRING":
            raise self.syntax_error("expecting %s" % what)
        self.advance()
        return t.s

    # --- nesting -------------------------------------------------------------
    def nested(self, scope=None, keep_prereqs=False):
        """Parses `{ actions }` and returns the action list.  Unless
        KEEP_PREREQS, prerequisites of the nested actions are dropped
        (they apply to a new packet, not the one matched)."""
        t = self.token
        self.expect("{")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LangError("Actions nested too deeply.", t.pos)
        saved = (self.prereqs, self.scope)
        if not keep_prereqs:
            self.prereqs = []
        if scope is not None:
            self.scope = scope
        try:
            acts = self.parse_list("}")
        finally:
            inner = self.prereqs
            self.prereqs, self.scope = saved
            self.depth -= 1
        if keep_prereqs:
            for pr in inner:
                self.add_prereq(pr)
        self.expect("}")
        return tuple(acts)


def prereq_expression(prereqs):
    """Joins prerequisite expressions into one (None when there are none)."""
    if not prereqs:
        return None
    if len(prereqs) == 1:
        return prereqs[0]
    return " && ".join("(%s)" % p for p in prereqs)


def expand_templates(text, tokens, templates):
    """TEXT with each ^name replaced by its value (errors name unknown
    variables).  Offsets after an expansion refer to the expanded text."""
    out = []
    last = 0
    for t in tokens:
        if t.type == "TEMPLATE":
            value = templates.get(t.s)
            if value is None:
                raise LangError("Unknown template variable `%s'." % t.s, t.pos)
            out.append(text[last:t.pos])
            out.append(value)
            last = t.end
    out.append(text[last:])
    return "".join(out)


def mask_hyphens(text):
    """Port ranges (`ct_dnat(10.0.0.1, 1000-2000)') use a hyphen, which the
    shared lexer only knows as part of `--'.  Returns TEXT with each
    hyphen that follows a digit (outside strings and comments) replaced by
    a space, and the set of their offsets; offsets of everything else are
    unchanged."""
    if "-" not in text:
        return text, set()
    out = list(text)
    hyphens = set()
    i, n = 0, len(text)
    quote = False
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == '"':
                quote = False
        elif c == '"':
            quote = True
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        elif c == "-" and not text.startswith("--", i) and i > 0 \
                and text[i - 1] != "-" and text[:i].rstrip()[-1:].isdigit():
            out[i] = " "
            hyphens.add(i)
        i += 1
    return "".join(out), hyphens
