"""Field actions: `dst = constant;`, `dst = src;`, `dst <-> src;`,
`ip.ttl--;`, `push(f);`, `pop(f);`."""

from dataclasses import dataclass

from pyovn.lang.errors import LangError
from pyovn.lang.lexer import format_masked, format_string
from pyovn.lang.actions import base, opcodes
from pyovn.openflow import model as of


def _const_bits(value, mask):
    bits = value.bit_length()
    if mask is not None:
        bits = max(bits, mask.bit_length())
    return bits


@dataclass(frozen=True)
class Load(base.Action):
    """dst = constant;  (value/mask/fmt for integers, string for ports)."""
    dst: base.Field
    value: object
    mask: int = None
    fmt: str = "dec"

    @classmethod
    def make(cls, p, dst, tok):
        item = p.constant()
        if item.kind in ("$", "@", "^"):
            raise p.syntax_error("expecting constant", tok)
        if dst.string:
            if item.kind != "str":
                raise LangError("String field %s is not compatible with integer "
                                "constant." % dst.name, item.pos)
            return cls(dst, item.value, None, "string")
        if item.kind != "int":
            raise LangError("Integer field %s is not compatible with string "
                            "constant." % dst.name, item.pos)
        bits = _const_bits(item.value, item.mask)
        if bits > dst.width:
            raise LangError("%d-bit constant is not compatible with %d-bit field "
                            "%s." % (bits, dst.width, dst.format()), item.pos)
        mask = item.mask
        value = item.value if mask is None else item.value & mask
        return cls(dst, value, mask, item.fmt)

    def format(self):
        if self.fmt == "string":
            return "%s = %s" % (self.dst.format(), format_string(self.value))
        return "%s = %s" % (self.dst.format(), format_masked(self.value, self.mask, self.fmt))

    def encode(self, ec):
        d = self.dst
        if d.string:
            key = ec.lookup_port(self.value) if self.value else 0
            return [of.SetField(d.ovs.field, key or 0)]
        if d.ovn_only:
            return [encode_ovn_field(d.name, self.value)]
        full = (1 << d.width) - 1
        mask = full if self.mask is None else self.mask
        sub = d.ovs
        if sub.whole and mask == full:
            return [of.SetField(sub.field, self.value)]
        return [of.SetField(sub.field, self.value << sub.ofs, mask << sub.ofs)]

    def interpret(self, it):
        d = self.dst
        if d.string:
            it.set_port(d, self.value)
        elif d.ovn_only:
            it.set_ovn_field(d.name, self.value)
        else:
            full = (1 << d.width) - 1
            mask = full if self.mask is None else self.mask
            old = it.get(d.ovs)
            it.set(d.ovs, (old & ~mask) | (self.value & mask))
        it.effect("set", text=self.format())


def encode_ovn_field(name, value):
    """icmp4.frag_mtu / icmp6.frag_mtu: OpenFlow has no such field.  As in
    OVN 23.03, setting one is a paused controller action (opcodes
    PUT_ICMP4_FRAG_MTU / PUT_ICMP6_FRAG_MTU, the MTU as 16 / 32 bits);
    inside icmp4_error { } it runs on the generated packet, so pinctrl
    writes the MTU into it and resumes."""
    if name == "icmp4.frag_mtu":
        opcode, data = opcodes.PUT_ICMP4_FRAG_MTU, value.to_bytes(2, "big")
    elif name == "icmp6.frag_mtu":
        opcode, data = opcodes.PUT_ICMP6_FRAG_MTU, value.to_bytes(4, "big")
    else:
        raise LangError("Field %s cannot be encoded." % name)
    return base.controller(opcode, data, pause=True)


def _check_pair(dst, src, tok, verb):
    if dst.string != src.string:
        if verb == "assign":
            a, b = ((src, dst) if src.string else (src, dst))
            raise LangError("Can't assign %s field (%s) to %s field (%s)."
                            % ("string" if src.string else "integer", src.name,
                               "string" if dst.string else "integer", dst.name),
                            tok.pos)
        raise LangError("Can't exchange %s field (%s) with %s field (%s)."
                        % ("string" if dst.string else "integer", dst.name,
                           "string" if src.string else "integer", src.name),
                        tok.pos)
    if src.ovn_only:
        raise LangError("Field %s can only be written, not read." % src.name, tok.pos)
    if not dst.string and dst.width != src.width:
        if verb == "assign":
            raise LangError("Can't assign %d-bit value to %d-bit destination."
                            % (src.width, dst.width), tok.pos)
        raise LangError("Can't exchange %d-bit field with %d-bit field."
                        % (dst.width, src.width), tok.pos)
    if dst.ovn_only:
        raise LangError("Field %s can only be assigned a constant." % dst.name,
                        tok.pos)


@dataclass(frozen=True)
class Move(base.Action):
    """dst = src;"""
    dst: base.Field
    src: base.Field

    @classmethod
    def make(cls, p, dst, src, tok):
        _check_pair(dst, src, tok, "assign")
        return cls(dst, src)

    def format(self):
        return "%s = %s" % (self.dst.format(), self.src.format())

    def encode(self, ec):
        return [of.Move(self.src.ovs, self.dst.ovs)]

    def interpret(self, it):
        if self.dst.string:
            it.set_port(self.dst, it.get_port(self.src))
        else:
            it.set(self.dst.ovs, it.get(self.src.ovs))
        it.effect("set", text=self.format())


@dataclass(frozen=True)
class Exchange(base.Action):
    """a <-> b;"""
    a: base.Field
    b: base.Field

    @classmethod
    def make(cls, p, a, b, tok):
        p.check_writable(b, tok)
        _check_pair(a, b, tok, "exchange")
        return cls(a, b)

    def format(self):
        return "%s <-> %s" % (self.a.format(), self.b.format())

    def encode(self, ec):
        return [of.Push(self.b.ovs), of.Push(self.a.ovs),
                of.Pop(self.b.ovs), of.Pop(self.a.ovs)]

    def interpret(self, it):
        # Same order as the switch (push b, push a, pop b, pop a), so that
        # overlapping fields end up the same.
        if self.a.string:
            va, vb = it.get_port(self.a), it.get_port(self.b)
            it.set_port(self.b, va)
            it.set_port(self.a, vb)
        else:
            va, vb = it.get(self.a.ovs), it.get(self.b.ovs)
            it.set(self.b.ovs, va)
            it.set(self.a.ovs, vb)
        it.effect("set", text=self.format())


@base.register
@dataclass(frozen=True)
class DecTtl(base.Action):
    """ip.ttl--;"""
    names = ("ip.ttl",)

    @classmethod
    def parse(cls, p, tok):
        p.expect("--")
        p.add_prereq("ip")
        return cls()

    def format(self):
        return "ip.ttl--"

    def encode(self, ec):
        # No controller ids: a packet whose TTL runs out is dropped here;
        # the logical pipeline generates ICMP time exceeded itself.
        return [of.DecTtl(ids=())]

    def interpret(self, it):
        sub = of.Subfield("nw_ttl")
        ttl = it.get(sub)
        if ttl <= 1:
            it.effect("drop", reason="ip.ttl-- on TTL %d" % ttl)
            it.stop()
            return
        it.set(sub, ttl - 1)
        it.effect("set", text="ip.ttl-- (ip.ttl = %d)" % (ttl - 1))


@base.register
@dataclass(frozen=True)
class Push(base.Action):
    names = ("push",)
    field: base.Field

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        f = p.field()
        if f.string or f.ovn_only:
            raise p.error("Cannot push field %s." % f.name, tok)
        p.expect(")")
        return cls(f)

    def format(self):
        return "push(%s)" % self.field.format()

    def encode(self, ec):
        return [of.Push(self.field.ovs)]

    def interpret(self, it):
        it.stack.append(it.get(self.field.ovs))


@base.register
@dataclass(frozen=True)
class Pop(base.Action):
    names = ("pop",)
    field: base.Field

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        t = p.token
        f = p.lvalue()
        if f.string or f.ovn_only:
            raise p.error("Cannot pop into field %s." % f.name, t)
        p.expect(")")
        return cls(f)

    def format(self):
        return "pop(%s)" % self.field.format()

    def encode(self, ec):
        return [of.Pop(self.field.ovs)]

    def interpret(self, it):
        if not it.stack:
            it.effect("error", text="pop from empty stack")
            return
        it.set(self.field.ovs, it.stack.pop() & ((1 << self.field.width) - 1))
