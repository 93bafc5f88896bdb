"""Database values in the syntax of the OVS ctl tools (ovs-vsctl(8),
"Database Values"): parsing command-line text into values of a column's
type, and printing values the way ovs-vsctl / ovn-nbctl print them.

    integer  42          real     1.5        boolean  true | false
    string   abc or "JSON-quoted text" (quotes needed for anything but
             letters, digits, '_', '-', '.', and for true/false/UUIDs)
    uuid     f81d4fae-7dec-11d0-a765-00a0c91e6bf6 or @name
    set      a,b  or  [a, b]  or  []        map  k=v,k2=v2  or  {k=v}  or {}

Parsing yields python-ovs Datum objects (checked against the column's
constraints: enums, ranges, lengths, set sizes) so that nothing invalid
ever reaches a transaction.
"""

import json
import re
import sys
import uuid as uuidlib

import ovs.db.data as data
import ovs.db.error
import ovs.db.types as types

from pyovn.ctl.errors import CtlError

# Characters that end an unquoted token (same set as the OVS ctl tools).
_DELIMS = set(':=, []{}!<>')
UUID_RE = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
                     r'[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')


def is_uuid(text):
    return bool(UUID_RE.match(text))


class _Scanner:
    def __init__(self, text):
        self.s = text
        self.i = 0

    def skip_ws(self):
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def peek(self):
        self.skip_ws()
        return self.s[self.i] if self.i < len(self.s) else ""

    def at_end(self):
        return self.peek() == ""

    def take(self, ch):
        if self.peek() == ch:
            self.i += 1
            return True
        return False

    def token(self):
        """Returns (text, was_quoted) of the next token."""
        self.skip_ws()
        if self.i < len(self.s) and self.s[self.i] == '"':
            dec = json.JSONDecoder()
            try:
                value, end = dec.raw_decode(self.s, self.i)
            except ValueError:
                raise CtlError("%s: unterminated or malformed quoted string"
                               % self.s)
            self.i = end
            return value, True
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in _DELIMS \
                and not self.s[self.i].isspace():
            self.i += 1
        if start == self.i:
            raise CtlError("%s: syntax error at '%s'" % (self.s, self.s[start:]
                                                         or "end of input"))
        return self.s[start:self.i], False

    def rest(self):
        return self.s[self.i:]


def parse_atom_text(base, text, quoted, symbols=None):
    """Converts one token into a python-ovs Atom of BaseType BASE."""
    t = base.type
    try:
        if t == types.StringType:
            value = text
        elif quoted:
            raise CtlError('"%s": quoted value where a %s is expected'
                           % (text, t.to_string()))
        elif t == types.IntegerType:
            try:
                value = int(text, 10)
            except ValueError:
                raise CtlError('"%s" is not a valid integer' % text)
        elif t == types.RealType:
            try:
                value = float(text)
            except ValueError:
                raise CtlError('"%s" is not a valid real number' % text)
        elif t == types.BooleanType:
            if text in ("true", "false"):
                value = text == "true"
            else:
                raise CtlError('"%s" is not a valid boolean (use "true" or '
                               '"false")' % text)
        elif t == types.UuidType:
            if text.startswith("@"):
                if symbols is None:
                    raise CtlError("%s: @names are not allowed here" % text)
                value = symbols.reference(text)
            elif is_uuid(text):
                value = uuidlib.UUID(text)
            else:
                raise CtlError('"%s" is not a valid UUID' % text)
        else:
            raise CtlError("unsupported type %s" % t)
        atom = data.Atom(t, value)
        atom.check_constraints(base)
        return atom
    except ovs.db.error.Error as e:
        raise CtlError(str(e.msg if hasattr(e, "msg") else e))


def parse_atom(base, text, symbols=None):
    """Parses TEXT (one whole atom) of BaseType BASE."""
    sc = _Scanner(text)
    if base.type == types.StringType and not text.lstrip().startswith('"'):
        # A bare string atom as a whole argument may hold any characters
        # except that it must not be empty.
        if text == "":
            raise CtlError('empty string must be written as ""')
        return parse_atom_text(base, text, False, symbols)
    tok, quoted = sc.token()
    if not sc.at_end():
        raise CtlError('%s: trailing garbage after "%s"' % (text, tok))
    return parse_atom_text(base, tok, quoted, symbols)


def parse_datum(type_, text, symbols=None):
    """Parses TEXT as a whole value of Type TYPE_; returns a Datum."""
    sc = _Scanner(text)
    values = {}
    is_map = type_.is_map()
    if type_.n_max == 1 and not is_map and not text.strip().startswith("["):
        # A scalar (or optional scalar) column.
        if text.strip() == "":
            if type_.n_min == 0:
                return data.Datum(type_, {})
            raise CtlError("%s: a value is required" % text)
        atom = parse_atom(type_.key, text, symbols)
        return data.Datum(type_, {atom: None})
    opener, closer = ("{", "}") if is_map else ("[", "]")
    bracketed = sc.take(opener)
    while not sc.at_end():
        if bracketed and sc.peek() == closer:
            break
        tok, q = sc.token()
        key = parse_atom_text(type_.key, tok, q, symbols)
        if is_map:
            if not sc.take("="):
                raise CtlError('%s: missing "=" after map key "%s"'
                               % (text, tok))
            vtok, vq = sc.token()
            value = parse_atom_text(type_.value, vtok, vq, symbols)
            if key in values:
                raise CtlError("%s: map contains duplicate key %s"
                               % (text, key.to_string()))
            values[key] = value
        else:
            if key in values:
                raise CtlError("%s: set contains duplicate value %s"
                               % (text, key.to_string()))
            values[key] = None
        sc.take(",")
    if bracketed and not sc.take(closer):
        raise CtlError('%s: missing "%s"' % (text, closer))
    if not sc.at_end():
        raise CtlError("%s: trailing garbage: %s" % (text, sc.rest()))
    return check_size(type_, data.Datum(type_, values), text)


def check_size(type_, datum, text):
    n = len(datum.values)
    if n < type_.n_min:
        raise CtlError("%s: a value is required" % (text or '""'))
    if n > type_.n_max:
        raise CtlError("%s: %d values given but at most %s allowed"
                       % (text, n, type_.n_max))
    return datum


def parse_elements(type_, text, symbols=None):
    """Parses TEXT as elements (for add/remove): a set of keys, or a map of
    pairs; the size limits of the column are not applied."""
    loose = types.Type(type_.key, type_.value, 0, sys.maxsize)
    return parse_datum(loose, text, symbols)


def parse_column_key_value(text, allow_ops=False):
    """Splits 'column[:key][OP value]' into (column, key_token, op, value).
    KEY_TOKEN is (text, quoted) or None; OP and VALUE are None when absent."""
    m = re.match(r'\s*([A-Za-z0-9_-]+)', text)
    if not m:
        raise CtlError("%s: missing column name" % text)
    column = m.group(1)
    sc = _Scanner(text)
    sc.i = m.end()
    key = None
    if sc.peek() == ":":
        sc.i += 1
        key = sc.token()
    rest = text[sc.i:]
    if rest.strip() == "":
        return column, key, None, None
    ops = ["{not-in}", "{in}", "{!=}", "{<=}", "{>=}", "{=}", "{<}", "{>}",
           "!=", "<=", ">=", "=", "<", ">"] if allow_ops else ["="]
    for op in ops:
        if rest.startswith(op):
            return column, key, op, rest[len(op):]
    raise CtlError('%s: argument does not end in "=" followed by a value'
                   % text if not allow_ops else
                   "%s: missing operator or value" % text)


# -- formatting --------------------------------------------------------------

def datum_of(row, column):
    """The current value of ROW's COLUMN (with this transaction's changes)
    as a Datum."""
    if column == "_uuid":
        return data.Datum(types.Type(types.BaseType(types.UuidType)),
                          {data.Atom(types.UuidType, row.uuid): None})
    col = row._table.columns[column]
    value = getattr(row, column)
    return datum_from_python(col.type, value)


def _to_uuid(v):
    if hasattr(v, "uuid") and not isinstance(v, uuidlib.UUID):
        return v.uuid
    return v


def datum_from_python(type_, value):
    if type_.is_map():
        value = {_to_uuid(k): _to_uuid(v) for k, v in value.items()
                 if k is not None and v is not None}
    elif isinstance(value, (list, tuple, set, frozenset)):
        value = [_to_uuid(v) for v in value if v is not None]
    else:
        value = _to_uuid(value)
    return data.Datum.from_python(type_, value, lambda x: x)


def to_python(datum, idl_table=None, uuid_to_row=None):
    """Converts a Datum parsed from the command line into what python-ovs
    row assignment takes (references stay uuid.UUID)."""
    if datum.type.is_map():
        return {k.value: v.value for k, v in datum.values.items()}
    vals = [k.value for k in sorted(datum.values)]
    if datum.type.n_max == 1 and datum.type.n_min == 1:
        return vals[0]
    return vals


def _needs_quotes(s):
    if not s or not (s[0].isascii() and (s[0].isalpha() or s[0] == "_")):
        return True
    if any(not (c.isascii() and (c.isalnum() or c in "_-.")) for c in s):
        return True
    return s in ("true", "false") or is_uuid(s)


def format_atom(atom, bare=False):
    """One atom as the OVS ctl tools print it."""
    if atom.type == types.StringType:
        if bare or not _needs_quotes(atom.value):
            return atom.value
        return json.dumps(atom.value, ensure_ascii=False)
    return atom.to_string()


def format_datum(datum, bare=False):
    """A whole value: scalars alone, sets as [a, b], maps as {k=v, k2=v2};
    BARE drops the brackets and quotes and separates items by spaces."""
    keys = sorted(datum.values)
    is_map = datum.type.is_map()
    items = []
    for k in keys:
        s = format_atom(k, bare)
        if is_map:
            s += "=" + format_atom(datum.values[k], bare)
        items.append(s)
    if bare:
        return " ".join(items)
    if datum.type.n_max > 1 or not keys:
        if is_map:
            return "{" + ", ".join(items) + "}"
        return "[" + ", ".join(items) + "]"
    return items[0]


def format_string(s):
    """A string as ovs-vsctl prints a string atom (quoted when needed)."""
    return format_atom(data.Atom(types.StringType, s))
