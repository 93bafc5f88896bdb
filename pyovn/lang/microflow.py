"""The microflow: the field values of one packet plus its logical metadata.

Shared by evaluate (does a match expression hold?), the actions
interpreter (which writes fields) and the tracer.

Integer fields are stored by the OpenFlow field that holds them (so arp.op
and rarp.op are the same storage, and reg0 is bits 96..127 of xxreg0);
logical ports are stored by name under "inport" and "outport".  Reading
an unset field gives 0 (or "" for a port).

    mf = Microflow()
    mf.set("ip4.src", 0x0a000001)      # any field or subfield symbol name
    mf.get("reg0")                      # bits of xxreg0
    mf.set("inport", "lp1")
    Microflow.parse("eth.type=0x800, ip4.src=10.0.0.1, inport=\"lp1\"")
"""

from pyovn.lang.errors import LangError
from pyovn.lang.lexer import Lexer, format_string, format_value
from pyovn.lang.parse import parse_field
from pyovn.lang.symtab import default_symtab

def _reg_home(name):
    """For the logical registers reg0-reg9 and xreg0-xreg3, which are bits
    of xxreg0/1 (and xreg4) in this model: (container field, bit offset,
    width).  Else None."""
    if name.startswith("reg") and name[3:].isdigit():
        n = int(name[3:])
        if n < 8:
            return "xxreg%d" % (n // 4), 32 * (3 - n % 4), 32
        if n < 10:
            return "xreg4", 32 * (1 - n % 2), 32
    elif name.startswith("xreg") and name[4:].isdigit():
        n = int(name[4:])
        if n < 4:
            return "xxreg%d" % (n // 2), 64 * (1 - n % 2), 64
    return None


class _Fields(dict):
    """OpenFlow field values.  Writing reg0-reg9 or xreg0-xreg3 (as OpenFlow
    actions do) updates the bits of the xxreg/xreg that holds them, so
    every view of a register stays the same value."""

    def __setitem__(self, name, value):
        home = _reg_home(name)
        if home is None:
            dict.__setitem__(self, name, value)
            return
        field, shift, width = home
        full = (1 << width) - 1
        old = dict.get(self, field, 0)
        dict.__setitem__(self, field, (old & ~(full << shift))
                         | ((value & full) << shift))

    def __getitem__(self, name):
        home = _reg_home(name)
        if home is None:
            return dict.__getitem__(self, name)
        field, shift, width = home
        return (dict.get(self, field, 0) >> shift) & ((1 << width) - 1)

    def get(self, name, default=None):
        if _reg_home(name) is not None:
            return self[name]
        return dict.get(self, name, default)


class Microflow:
    def __init__(self, ints=None, strings=None, symtab=None):
        self.symtab = symtab or default_symtab()
        self.ints = _Fields()               # OpenFlow field name -> int
        for name, value in (ints or {}).items():
            self.ints[name] = value
        self.strings = dict(strings or {})  # "inport"/"outport" -> port name

    def copy(self):
        return Microflow(self.ints, self.strings, self.symtab)

    def _sym(self, name):
        sym = self.symtab.lookup(name) if isinstance(name, str) else name
        if sym is None:
            raise LangError("Unknown field `%s'." % name)
        return sym

    # --- symbol-level access -------------------------------------------------

    def get(self, name, ofs=0, width=None):
        """Value of field/subfield NAME (optionally bits ofs..ofs+width-1 of
        it); for string fields, the port name."""
        sym = self._sym(name)
        if sym.is_string:
            return self.strings.get(sym.name, "")
        if sym.kind == "predicate":
            from pyovn.lang.evaluate import evaluate
            from pyovn.lang.parse import parse_cached
            return int(evaluate(parse_cached(sym.expansion, self.symtab), self))
        base, bofs = self.symtab.base(sym)
        if base.kind == "ovn":
            value = self.ints.get("ovn:" + base.name, 0)
        else:
            value = self.ints.get(base.ovs_field, 0)
        width = sym.width if width is None else width
        return (value >> (bofs + ofs)) & ((1 << width) - 1)

    def set(self, name, value, ofs=0, width=None):
        sym = self._sym(name)
        if sym.is_string:
            if not isinstance(value, str):
                raise LangError("String field %s needs a string value." % sym.name)
            self.strings[sym.name] = value
            return
        if sym.kind == "predicate":
            raise LangError("Predicate symbol %s used where lvalue required."
                            % sym.name)
        if not isinstance(value, int):
            raise LangError("Integer field %s needs an integer value." % sym.name)
        base, bofs = self.symtab.base(sym)
        width = sym.width if width is None else width
        key = "ovn:" + base.name if base.kind == "ovn" else base.ovs_field
        shift = bofs + ofs
        mask = ((1 << width) - 1) << shift
        old = self.ints.get(key, 0)
        self.ints[key] = (old & ~mask) | ((value << shift) & mask)

    # --- OpenFlow-level access -------------------------------------------------

    def ovs_value(self, field, lookup_port=None):
        """Value of OpenFlow field FIELD as the controller's flows see it:
        reg0-9 are carved out of xxreg0/1 and xreg4, and the logical port
        registers hold the ports' tunnel keys (through LOOKUP_PORT)."""
        if _reg_home(field) is not None:
            return self.ints[field]
        if field.startswith("reg"):
            for sname in ("inport", "outport"):
                sym = self.symtab.lookup(sname)
                if sym.ovs_field == field:
                    port = self.strings.get(sname, "")
                    key = lookup_port(port) if (lookup_port and port
                                                and port != "none") else None
                    return key or 0
        return self.ints.get(field, 0)

    def set_ovs_value(self, field, value):
        """Sets OpenFlow field FIELD (reg0-9 land in their xxreg/xreg)."""
        self.ints[field] = value

    # --- text form ------------------------------------------------------------

    @classmethod
    def parse(cls, text, symtab=None):
        """Parses `field=value, field=value, ...` (any field or subfield;
        ports as quoted strings)."""
        mf = cls(symtab=symtab)
        lexer = Lexer(text)
        while not lexer.at_end():
            field = parse_field(lexer, mf.symtab)
            if not lexer.match("="):
                if not lexer.match("=="):
                    raise lexer.syntax_error("expecting `='")
            tok = lexer.token
            if field.sym.kind == "predicate":
                raise LangError("Predicate symbol %s used where lvalue required."
                                % field.sym.name, field.pos)
            if tok.type == "STRING":
                if not field.sym.is_string:
                    raise LangError("Integer field %s is not compatible with "
                                    "string constant." % field.text, tok.pos)
                mf.set(field.sym, tok.s)
            elif tok.type == "INTEGER" and tok.mask is None:
                if field.sym.is_string:
                    raise LangError("String field %s is not compatible with "
                                    "integer constant." % field.text, tok.pos)
                if tok.value.bit_length() > field.width:
                    raise LangError("%d-bit constant is not compatible with "
                                    "%d-bit field %s." % (tok.value.bit_length(),
                                                          field.width, field.text),
                                    tok.pos)
                mf.set(field.sym, tok.value, field.ofs, field.width)
            else:
                raise lexer.syntax_error("expecting unmasked constant")
            lexer.advance()
            if not lexer.match(","):
                lexer.match("&&")
        return mf

    def format(self):
        parts = []
        for name in sorted(self.strings):
            parts.append("%s=%s" % (name, format_string(self.strings[name])))
        by_ovs = {}
        for sym in self.symtab:
            if sym.kind == "field" and sym.ovs_field not in by_ovs:
                by_ovs[sym.ovs_field] = sym
        for key in sorted(self.ints):
            value = self.ints[key]
            if not value:
                continue
            sym = by_ovs.get(key)
            if sym is None:
                parts.append("%s=%#x" % (key, value))
            else:
                parts.append("%s=%s" % (sym.name, format_value(value, sym.fmt)))
        return ", ".join(parts)

    def __repr__(self):
        return "Microflow(%s)" % self.format()
