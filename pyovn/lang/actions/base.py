"""The Action base class, the registry of action names, field references
and the shared helpers every action's parser and encoder uses.

An action class declares the names it is written with:

    names          statement form:        `next;`, `ct_commit { ... };`
    result_names   result-assignment form: `reg0[0] = lookup_arp(...);`

and implements

    parse(p, tok)            (classmethod) p is the ActionParser positioned
                             after the name token TOK; returns an instance.
                             Result actions get parse_result(p, tok, dst).
    format()                 canonical text without the trailing `;'
    encode(ec)               list of pyovn.openflow.model actions
    interpret(it)            effect on a microflow (see interpret.py)

Instances are frozen dataclasses, so parse trees compare by value.
"""

from dataclasses import dataclass

from pyovn.lang.errors import LangError
from pyovn.lang.lexer import format_masked, format_string
from pyovn.openflow import fields as of_fields
from pyovn.openflow import model as of

REGISTRY = {}
RESULT_REGISTRY = {}


def register(cls):
    """Class decorator: declares CLS under its names, once."""
    for name in cls.names:
        assert name not in REGISTRY, name
        REGISTRY[name] = cls
    for name in cls.result_names:
        assert name not in RESULT_REGISTRY, name
        RESULT_REGISTRY[name] = cls
    return cls


class Action:
    names = ()
    result_names = ()

    def format(self):
        raise NotImplementedError

    def encode(self, ec):
        raise NotImplementedError

    def interpret(self, it):
        it.unsupported(self)

    def __str__(self):
        return self.format() + ";"

    def nested_lists(self):
        """Nested action lists (for walking the tree)."""
        return ()


# ---------------------------------------------------------------------------
# Field references
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """A reference to bits ofs..ofs+width-1 of logical field `name`, with
    the OpenFlow subfield that holds them (`ovs`, None for OVN-only
    fields).  `string` for inport/outport."""
    name: str
    ofs: int
    width: int
    sliced: bool
    ovs: of.Subfield = None
    string: bool = False
    ovn_only: bool = False

    def format(self):
        if not self.sliced:
            return self.name
        if self.width == 1:
            return "%s[%d]" % (self.name, self.ofs)
        return "%s[%d..%d]" % (self.name, self.ofs, self.ofs + self.width - 1)

    def describe(self):
        """As OVN's type errors write a field: name[lo..hi]."""
        if self.string:
            return self.name
        return "%s[%d..%d]" % (self.name, self.ofs, self.ofs + self.width - 1)

    __str__ = format


_FIELD_CACHE = {}


def make_field(symtab, sym, ofs, width, sliced):
    """Field for symbol SYM bits ofs..ofs+width-1."""
    key = (id(symtab), sym.name, ofs, width, sliced)
    f = _FIELD_CACHE.get(key)
    if f is None:
        if len(_FIELD_CACHE) > 10000:
            _FIELD_CACHE.clear()
        f = _FIELD_CACHE[key] = _make_field(symtab, sym, ofs, width, sliced)
    return f


def _make_field(symtab, sym, ofs, width, sliced):
    if sym.kind == "string":
        return Field(sym.name, 0, 32, False, of.Subfield(sym.ovs_field), True)
    if sym.kind == "ovn":
        return Field(sym.name, ofs, width, sliced, None, False, True)
    base, bofs = symtab.base(sym)
    return Field(sym.name, ofs, width, sliced,
                 of.Subfield(base.ovs_field, bofs + ofs, width))


def ovs_subfield(name, ofs=0, n_bits=None):
    return of.Subfield(name, ofs, n_bits)


# OpenFlow registers OVN's tables use for action arguments.
REG_INPORT = of.Subfield("reg14")
REG_OUTPORT = of.Subfield("reg15")
REG_FLAGS = "reg10"


def nxm_header(sub):
    """The 4-byte NXM/OXM header of SUB's field (no mask), as OVN puts the
    result field of a controller action in its userdata."""
    info = sub.info
    hdr = info.nxm or info.oxm
    name, number = hdr
    cls = None
    for prefix, value in sorted(of_fields.HEADER_CLASS.items(),
                                key=lambda kv: -len(kv[0])):
        if name.startswith(prefix + "_"):
            cls = value
            break
    length = (info.width + 7) // 8
    return ((cls << 16) | (number << 9) | length).to_bytes(4, "big")


def result_header(sub):
    """NXM header + bit offset of a 1-bit result field (8 bytes)."""
    return nxm_header(sub) + sub.ofs.to_bytes(4, "big")


# ---------------------------------------------------------------------------
# Argument marshalling (`setup args`/`restore args`): copy action arguments
# into the registers a helper table expects, saving what was there.
# ---------------------------------------------------------------------------

def with_args(args, body):
    """ARGS: list of (dst Subfield, src Subfield).  Returns the actions
    that save each dst whose src differs, load the srcs, run BODY and
    restore the saved dsts."""
    moved = [(d, s) for d, s in args if d != s]
    out = [of.Push(d) for d, s in moved]
    out += [of.Push(s) for d, s in reversed(moved)]
    out += [of.Pop(d) for d, s in moved]
    out += list(body)
    out += [of.Pop(d) for d, s in reversed(moved)]
    return out


def check_result_bit(p, dst, tok, width=1):
    """Checks that result field DST has WIDTH bits."""
    if dst.string:
        raise LangError("Cannot use string field %s where numeric field is "
                        "required." % dst.name, tok.pos)
    if dst.width != width:
        raise LangError("Cannot use %d-bit field %s where %d-bit field is "
                        "required." % (dst.width, dst.describe(), width, ), tok.pos)


def flag_check(flag_bit, table, dst):
    """Clear logical flag bit, resubmit to TABLE, copy the bit to DST."""
    return [of.SetField(REG_FLAGS, 0, 1 << flag_bit),
            of.Resubmit(table=table),
            of.Move(of.Subfield(REG_FLAGS, flag_bit, 1), dst.ovs)]


def format_constant(value, mask, fmt):
    if fmt == "string":
        return format_string(value)
    return format_masked(value, mask, fmt)


def controller(opcode, payload=b"", pause=False, ec=None, meter_id=None):
    """controller() carrying OVN's action header (opcode, 4 pad bytes)
    and PAYLOAD in userdata."""
    userdata = opcode.to_bytes(4, "big") + b"\0" * 4 + payload
    if meter_id is None and ec is not None:
        meter_id = ec.ctrl_meter_id
    return of.Controller(userdata=userdata, pause=pause, meter_id=meter_id)
