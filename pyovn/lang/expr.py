"""Expression trees of the logical flow language, and their canonical text.

Nodes (all immutable; `key()` gives a hashable identity):

  Bool(value)                      the constants 1 (true) and 0 (false)
  Cmp(sym, relop, value, mask)     integer test (F & mask) RELOP value, where
                                   F is the value of symbol `sym`, and value
                                   has no bits outside mask; or, for string
                                   symbols, F RELOP value with mask None
  SetRef(sym, ofs, width, relop, kind, name)
                                   an unresolved `$address_set`,
                                   `@port_group` or `^template` constant set,
                                   compared against bits ofs..ofs+width-1
  Condition(port, negated)         is_chassis_resident("port")
  And(children), Or(children)

Negation never appears as a node: the parser pushes `!` down to the
leaves (De Morgan, flipped relational operators).
"""

from pyovn.lang.lexer import format_masked, format_string, format_value

RELOPS = ("==", "!=", "<", "<=", ">", ">=")
NEGATE = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
REVERSE = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


class Expr:
    __slots__ = ()

    def __eq__(self, other):
        return type(self) is type(other) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __str__(self):
        return format_expr(self)

    def __repr__(self):
        return "<%s %s>" % (type(self).__name__, format_expr(self))


class Bool(Expr):
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = bool(value)

    def key(self):
        return ("bool", self.value)


TRUE = Bool(True)
FALSE = Bool(False)


class Cmp(Expr):
    __slots__ = ("sym", "relop", "value", "mask")

    def __init__(self, sym, relop, value, mask=None):
        self.sym = sym
        self.relop = relop
        self.value = value
        self.mask = mask

    def key(self):
        return ("cmp", self.sym.name, self.relop, self.value, self.mask)

    def negated(self):
        return Cmp(self.sym, NEGATE[self.relop], self.value, self.mask)


class SetRef(Expr):
    __slots__ = ("sym", "ofs", "width", "relop", "kind", "name", "pos")

    def __init__(self, sym, ofs, width, relop, kind, name, pos=None):
        self.sym = sym
        self.ofs = ofs
        self.width = width
        self.relop = relop
        self.kind = kind        # "$", "@" or "^"
        self.name = name
        self.pos = pos

    def key(self):
        return ("set", self.sym.name, self.ofs, self.width, self.relop,
                self.kind, self.name)

    def negated(self):
        return SetRef(self.sym, self.ofs, self.width, NEGATE[self.relop],
                      self.kind, self.name, self.pos)


class Condition(Expr):
    __slots__ = ("port", "negated_", "pos")

    def __init__(self, port, negated=False, pos=None):
        self.port = port
        self.negated_ = negated
        self.pos = pos

    def key(self):
        return ("cond", self.port, self.negated_)

    def negated(self):
        return Condition(self.port, not self.negated_, self.pos)


class And(Expr):
    __slots__ = ("children",)

    def __init__(self, children):
        self.children = tuple(children)

    def key(self):
        return ("and",) + tuple(c.key() for c in self.children)


class Or(Expr):
    __slots__ = ("children",)

    def __init__(self, children):
        self.children = tuple(children)

    def key(self):
        return ("or",) + tuple(c.key() for c in self.children)


def make_and(children):
    children = list(children)
    if not children:
        return TRUE
    if len(children) == 1:
        return children[0]
    return And(children)


def make_or(children):
    children = list(children)
    if not children:
        return FALSE
    if len(children) == 1:
        return children[0]
    return Or(children)


def negate(expr):
    """Returns the negation of EXPR, pushed down to the leaves."""
    if isinstance(expr, Bool):
        return Bool(not expr.value)
    if isinstance(expr, (Cmp, SetRef, Condition)):
        return expr.negated()
    if isinstance(expr, And):
        return Or([negate(c) for c in expr.children])
    if isinstance(expr, Or):
        return And([negate(c) for c in expr.children])
    raise TypeError(expr)


# --- formatting --------------------------------------------------------------

def _contiguous(mask):
    """Returns (lo, hi) if MASK's 1-bits are contiguous, else None."""
    if mask == 0:
        return None
    lo = (mask & -mask).bit_length() - 1
    shifted = mask >> lo
    if shifted & (shifted + 1):
        return None
    return lo, lo + shifted.bit_length() - 1


def format_cmp(cmp):
    sym = cmp.sym
    if cmp.mask is None:
        return "%s %s %s" % (sym.name, cmp.relop, format_string(cmp.value))
    width = sym.width
    full = (1 << width) - 1
    relop, value, mask = cmp.relop, cmp.value, cmp.mask
    if width == 1 and mask == 1 and relop in ("==", "!="):
        positive = (relop == "==") == (value == 1)
        return sym.name if positive else "!" + sym.name
    fmt = sym.fmt
    if mask == full:
        return "%s %s %s" % (sym.name, relop, format_value(value, fmt))
    span = _contiguous(mask)
    if relop in ("==", "!=") and fmt in ("eth", "ipv4", "ipv6"):
        return "%s %s %s" % (sym.name, relop, format_masked(value, mask, fmt))
    if span is not None:
        lo, hi = span
        v = value >> lo
        if lo == hi:
            if relop in ("==", "!="):
                positive = (relop == "==") == (v == 1)
                return ("%s[%d]" % (sym.name, lo) if positive
                        else "!%s[%d]" % (sym.name, lo))
            return "%s[%d] %s %d" % (sym.name, lo, relop, v)
        sfmt = "dec" if fmt == "dec" else "hex"
        return "%s[%d..%d] %s %s" % (sym.name, lo, hi, relop,
                                      format_value(v, sfmt))
    sfmt = fmt if fmt in ("eth", "ipv4", "ipv6") else "hex"
    return "%s %s %s" % (sym.name, relop, format_masked(value, mask, sfmt))


def _format_setref(ref):
    name = ref.sym.name
    if ref.ofs != 0 or (ref.sym.width and ref.width != ref.sym.width):
        if ref.width == 1:
            name = "%s[%d]" % (name, ref.ofs)
        else:
            name = "%s[%d..%d]" % (name, ref.ofs, ref.ofs + ref.width - 1)
    return "%s %s %s%s" % (name, ref.relop, ref.kind, ref.name)


def format_expr(expr, parent=None):
    if isinstance(expr, Bool):
        return "1" if expr.value else "0"
    if isinstance(expr, Cmp):
        return format_cmp(expr)
    if isinstance(expr, SetRef):
        return _format_setref(expr)
    if isinstance(expr, Condition):
        return "%sis_chassis_resident(%s)" % ("!" if expr.negated_ else "",
                                              format_string(expr.port))
    if isinstance(expr, (And, Or)):
        op = " && " if isinstance(expr, And) else " || "
        text = op.join(format_expr(c, expr) for c in expr.children)
        if parent is not None:
            text = "(" + text + ")"
        return text
    raise TypeError(expr)
