"""Lexer for the OVN logical flow language (ovn-sb(5), Logical_Flow).

`tokenize(text)` turns a string into a list of Token objects ending with an
END token, or raises LangError with the offset of the first bad character.
`Lexer(text)` wraps that list as a cursor with the helpers both parsers
(expressions and actions) use: `match`, `expect`, `syntax_error`, ...

Token types are strings: "END", "ID", "STRING", "INTEGER", "MACRO"
($address_set), "PORT_GROUP" (@port_group), "TEMPLATE" (^template_var) and,
for operators and punctuation, the literal text itself: "(", ")", "{", "}",
"[", "]", ",", ";", ":", "=", "==", "!=", "<", "<=", ">", ">=", "!", "&&",
"||", "..", "<->", "--".

INTEGER tokens carry `value`, `mask` (None when unmasked) and `fmt`, the
form they were written in: "dec", "hex", "ipv4", "ipv6" or "eth".
"""

import ipaddress
import json
import re

from pyovn.lang.errors import LangError

INTEGER_FORMATS = ("dec", "hex", "ipv4", "ipv6", "eth")

# Multi-character operators first, so that "<=" wins over "<".
_OPERATORS = ["<->", "==", "!=", "<=", ">=", "&&", "||", "..", "--",
              "(", ")", "{", "}", "[", "]", ",", ";", ":", "=", "<", ">", "!"]

_OPERATOR_RE = re.compile("|".join(re.escape(op) for op in _OPERATORS))
_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_ID_START = re.compile(r"[A-Za-z_]")
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_HEXRUN = re.compile(r"[0-9A-Fa-f:]*")
_MAC = re.compile(r"[0-9A-Fa-f]{1,2}(?::[0-9A-Fa-f]{1,2}){5}(?![0-9A-Za-z_:.])")
_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV4_TAIL = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_HEX = re.compile(r"0[xX]([0-9A-Fa-f]*)")
_DEC = re.compile(r"[0-9]+")
_WORDCHAR = re.compile(r"[A-Za-z0-9_]")

MAX_INT_BITS = 128


class Token:
    __slots__ = ("type", "pos", "end", "s", "value", "mask", "fmt")

    def __init__(self, type, pos, end, s=None, value=None, mask=None, fmt=None):
        self.type = type
        self.pos = pos          # offset of the first character
        self.end = end          # offset just past the last character
        self.s = s              # name or string contents
        self.value = value      # INTEGER: value
        self.mask = mask        # INTEGER: mask or None
        self.fmt = fmt          # INTEGER: one of INTEGER_FORMATS

    def __repr__(self):
        return "Token(%s, %r)" % (self.type, format_token(self))


# --- canonical formatting of constants --------------------------------------

def format_mac(value):
    return ":".join("%02x" % ((value >> (8 * i)) & 0xff) for i in range(5, -1, -1))


def format_ipv4(value):
    return str(ipaddress.IPv4Address(value))


def format_ipv6(value):
    addr = ipaddress.IPv6Address(value)
    if addr.ipv4_mapped is not None:
        # Same text on every Python version.
        return "::ffff:%s" % addr.ipv4_mapped
    return str(addr)


def prefix_len(mask, width):
    """Returns N if MASK is the CIDR mask of an N-bit prefix of a WIDTH-bit
    value, else None."""
    inv = ~mask & ((1 << width) - 1)
    if inv & (inv + 1):
        return None
    return width - inv.bit_length()


def format_value(value, fmt):
    if fmt == "eth":
        return format_mac(value)
    if fmt == "ipv4":
        return format_ipv4(value)
    if fmt == "ipv6":
        return format_ipv6(value)
    if fmt == "hex":
        return "%#x" % value
    return "%d" % value


def format_masked(value, mask, fmt):
    """Formats an integer constant with an optional mask in FMT."""
    text = format_value(value, fmt)
    if mask is None:
        return text
    if fmt in ("ipv4", "ipv6"):
        plen = prefix_len(mask, 32 if fmt == "ipv4" else 128)
        if plen is not None:
            return "%s/%d" % (text, plen)
    return "%s/%s" % (text, format_value(mask, fmt))


def format_string(s):
    return json.dumps(s, ensure_ascii=False)


def format_token(tok):
    t = tok.type
    if t == "ID":
        return tok.s
    if t == "STRING":
        return format_string(tok.s)
    if t == "INTEGER":
        return format_masked(tok.value, tok.mask, tok.fmt)
    if t == "MACRO":
        return "$" + tok.s
    if t == "PORT_GROUP":
        return "@" + tok.s
    if t == "TEMPLATE":
        return "^" + tok.s
    if t == "END":
        return ""
    return t


# --- scanning ----------------------------------------------------------------

def _bits_of(fmt):
    return {"ipv4": 32, "ipv6": 128, "eth": 48}.get(fmt)


def _scan_string(text, pos):
    """Scans a JSON-style quoted string starting at TEXT[POS] == '"'.
    Returns (contents, end)."""
    i = pos + 1
    out = []
    n = len(text)
    while True:
        if i >= n:
            raise LangError("Input ends inside quoted string.", pos)
        c = text[i]
        if c == '"':
            return "".join(out), i + 1
        if c == "\\":
            if i + 1 >= n:
                raise LangError("Input ends inside quoted string.", pos)
            e = text[i + 1]
            simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f",
                      "n": "\n", "r": "\r", "t": "\t"}
            if e in simple:
                out.append(simple[e])
                i += 2
                continue
            if e == "u":
                code, i = _scan_u(text, i)
                if 0xd800 <= code < 0xdc00:
                    if text[i:i + 2] != "\\u":
                        raise LangError("Malformed UTF-16 surrogate pair in "
                                        "quoted string.", i)
                    low, i = _scan_u(text, i)
                    if not 0xdc00 <= low < 0xe000:
                        raise LangError("Malformed UTF-16 surrogate pair in "
                                        "quoted string.", i)
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                elif 0xdc00 <= code < 0xe000:
                    raise LangError("Malformed UTF-16 surrogate pair in "
                                    "quoted string.", i)
                out.append(chr(code))
                continue
            raise LangError("Bad escape `\\%s' in quoted string." % e, i)
        out.append(c)
        i += 1


def _scan_u(text, i):
    digits = text[i + 2:i + 6]
    if len(digits) != 4 or not re.fullmatch(r"[0-9A-Fa-f]{4}", digits):
        raise LangError("Malformed \\u escape in quoted string.", i)
    return int(digits, 16), i + 6


def _scan_constant(text, pos):
    """Scans one integer constant (no mask).  Returns (value, fmt, end)."""
    # MAC address.
    m = _MAC.match(text, pos)
    if m:
        value = int("".join(p.rjust(2, "0") for p in m.group(0).split(":")), 16)
        return value, "eth", m.end()
    # IPv6 address: a run of hex digits and colons containing a colon,
    # optionally followed by a dotted quad.
    run = _HEXRUN.match(text, pos).group(0)
    if ":" in run:
        end = pos + len(run)
        if text[end:end + 1] == "." and text[end:end + 2] != "..":
            # Embedded dotted quad ("::ffff:1.2.3.4") after the last colon.
            last = pos + run.rindex(":") + 1
            t = _IPV4_TAIL.match(text, last)
            if t:
                end = t.end()
        candidate = text[pos:end]
        if end < len(text) and _WORDCHAR.match(text[end]):
            raise LangError("Invalid numeric constant.", pos)
        try:
            return int(ipaddress.IPv6Address(candidate)), "ipv6", end
        except ValueError:
            raise LangError("Invalid numeric constant `%s'." % candidate, pos)
    # IPv4 dotted quad.
    m = _IPV4.match(text, pos)
    if m:
        if m.end() < len(text) and (_WORDCHAR.match(text[m.end()])
                                    or text[m.end()] == "."
                                    and text[m.end():m.end() + 2] != ".."):
            raise LangError("Invalid numeric constant.", pos)
        try:
            return int(ipaddress.IPv4Address(m.group(0))), "ipv4", m.end()
        except ValueError:
            raise LangError("Invalid IPv4 address `%s'." % m.group(0), pos)
    # Hexadecimal.
    m = _HEX.match(text, pos)
    if m:
        digits = m.group(1)
        if not digits or (m.end() < len(text) and _WORDCHAR.match(text[m.end()])):
            raise LangError("Invalid syntax in hexadecimal constant.", pos)
        value = int(digits, 16)
        if value.bit_length() > MAX_INT_BITS:
            raise LangError("Hexadecimal constant requires more than %d bits."
                            % MAX_INT_BITS, pos)
        return value, "hex", m.end()
    # Decimal.
    m = _DEC.match(text, pos)
    if m:
        digits = m.group(0)
        if m.end() < len(text) and _WORDCHAR.match(text[m.end()]):
            raise LangError("Invalid numeric constant.", pos)
        if len(digits) > 1 and digits[0] == "0":
            raise LangError("Decimal constants must not have leading zeros.", pos)
        value = int(digits)
        if value >= 1 << 64:
            raise LangError("Decimal constants must be less than 2**64.", pos)
        return value, "dec", m.end()
    raise LangError("Invalid numeric constant.", pos)


def _scan_integer(text, pos):
    """Scans an integer constant with an optional /mask.  Returns a Token."""
    value, fmt, end = _scan_constant(text, pos)
    mask = None
    if end < len(text) and text[end] == "/" and text[end + 1:end + 2] not in ("/", "*"):
        mpos = end + 1
        if mpos >= len(text) or not (text[mpos].isalnum() or text[mpos] == ":"):
            raise LangError("Integer constant expected after `/'.", mpos)
        mvalue, mfmt, end = _scan_constant(text, mpos)
        width = _bits_of(fmt)
        if fmt in ("ipv4", "ipv6") and mfmt == "dec":
            if mvalue > width:
                raise LangError("Invalid CIDR prefix length %d for %s address "
                                "(at most %d)." % (mvalue, "IPv4" if fmt == "ipv4"
                                                  else "IPv6", width), mpos)
            mask = ((1 << width) - 1) ^ ((1 << (width - mvalue)) - 1)
        elif fmt == mfmt or (fmt in ("dec", "hex") and mfmt in ("dec", "hex")):
            mask = mvalue
        else:
            raise LangError("Value and mask have incompatible formats.", mpos)
        if value & ~mask:
            raise LangError("Value contains unmasked 1-bits.", pos)
    return Token("INTEGER", pos, end, value=value, mask=mask, fmt=fmt)


def tokenize(text, lookup_template=None):
    """Returns the list of tokens of TEXT, ending with an END token.

    With LOOKUP_TEMPLATE (a function from a template variable name to its
    value text, or None when unknown), `^name` is replaced by the tokens of
    its value, as OVN does lexically; those tokens carry the position of
    the `^name` they replace.  Unknown or unresolved variables stay
    TEMPLATE tokens."""
    if not isinstance(text, str):
        raise LangError("Input is not a string.", 0)
    tokens = []
    pos = 0
    n = len(text)
    while True:
        # Skip white space and comments.
        while pos < n:
            c = text[pos]
            if c in " \t\n\r\f\v":
                pos = _SPACE.match(text, pos).end()
            elif text.startswith("//", pos):
                nl = text.find("\n", pos)
                pos = n if nl < 0 else nl + 1
            elif text.startswith("/*", pos):
                close = text.find("*/", pos + 2)
                nl = text.find("\n", pos + 2)
                if close < 0 or (0 <= nl < close):
                    raise LangError("`/*' without matching `*/'.", pos)
                pos = close + 2
            else:
                break
        if pos >= n:
            tokens.append(Token("END", n, n))
            return tokens
        c = text[pos]
        if c == '"':
            s, end = _scan_string(text, pos)
            tokens.append(Token("STRING", pos, end, s=s))
            pos = end
            continue
        if c in "$@^":
            m = _ID.match(text, pos + 1)
            kind = {"$": "MACRO", "@": "PORT_GROUP", "^": "TEMPLATE"}[c]
            if not m:
                raise LangError("`%s' must be followed by a valid identifier." % c, pos)
            value = lookup_template(m.group(0)) if (kind == "TEMPLATE"
                                                     and lookup_template) else None
            if value is None:
                tokens.append(Token(kind, pos, m.end(), s=m.group(0)))
            else:
                try:
                    sub = tokenize(value)
                except LangError as e:
                    raise LangError("Invalid value `%s' of template variable "
                                    "^%s: %s" % (value, m.group(0), e.message), pos)
                for t in sub[:-1]:
                    t.pos, t.end = pos, m.end()
                    tokens.append(t)
            pos = m.end()
            continue
        if c.isdigit() or (c == ":" and text.startswith("::", pos)):
            tok = _scan_integer(text, pos)
            tokens.append(tok)
            pos = tok.end
            continue
        if _ID_START.match(c):
            # Identifiers may look like the start of a MAC or IPv6 address
            # ("fe80::1", "aa:bb:cc:dd:ee:ff").
            run = _HEXRUN.match(text, pos).group(0)
            if "::" in run or run.count(":") >= 2 or _MAC.match(text, pos):
                tok = _scan_integer(text, pos)
                tokens.append(tok)
                pos = tok.end
                continue
            m = _ID.match(text, pos)
            tokens.append(Token("ID", pos, m.end(), s=m.group(0)))
            pos = m.end()
            continue
        m = _OPERATOR_RE.match(text, pos)
        if m:
            op = m.group(0)
            tokens.append(Token(op, pos, pos + len(op)))
            pos += len(op)
        else:
            if c == "/":
                raise LangError("`/' is only valid as part of `//' or `/*'.", pos)
            if c == "&":
                raise LangError("`&' is only valid as part of `&&'.", pos)
            if c == "|":
                raise LangError("`|' is only valid as part of `||'.", pos)
            if c == ".":
                raise LangError("`.' is only valid as part of `..' or a number.", pos)
            if c == "-":
                raise LangError("`-' is only valid as part of `--'.", pos)
            if c.isprintable():
                raise LangError("Invalid character `%s' in input." % c, pos)
            raise LangError("Invalid character U+%04X in input." % ord(c), pos)


class Lexer:
    """A cursor over the tokens of one string, shared by the expression and
    action parsers."""

    def __init__(self, text, tokens=None, lookup_template=None):
        self.text = text
        self.tokens = tokens if tokens is not None else tokenize(text, lookup_template)
        self.index = 0

    @property
    def token(self):
        return self.tokens[self.index]

    def lookahead(self, n=1):
        i = min(self.index + n, len(self.tokens) - 1)
        return self.tokens[i]

    def advance(self):
        tok = self.tokens[self.index]
        if tok.type != "END":
            self.index += 1
        return tok

    def at_end(self):
        return self.token.type == "END"

    def is_type(self, type):
        return self.token.type == type

    def is_id(self, name):
        return self.token.type == "ID" and self.token.s == name

    def match(self, type):
        """Consumes the current token if it has TYPE; returns whether it did."""
        if self.token.type == type:
            self.advance()
            return True
        return False

    def match_id(self, name):
        if self.is_id(name):
            self.advance()
            return True
        return False

    def expect(self, type, what=None):
        """Consumes a token of TYPE or raises a syntax error."""
        if self.token.type != type:
            raise self.syntax_error("expecting %s" % (what or "`%s'" % type))
        return self.advance()

    def expect_id(self, name):
        if not self.match_id(name):
            raise self.syntax_error("expecting `%s'" % name)

    def syntax_error(self, expecting=None, token=None):
        """Returns (does not raise) a LangError for the current token."""
        tok = token or self.token
        if tok.type == "END":
            where = "Syntax error at end of input"
        else:
            where = "Syntax error at `%s'" % self.text[tok.pos:tok.end]
        if expecting:
            where += " " + expecting
        return LangError(where + ".", tok.pos)

    def error(self, message, token=None):
        return LangError(message, (token or self.token).pos)
