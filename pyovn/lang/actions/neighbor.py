"""Neighbour and FDB actions: get_arp, put_arp, lookup_arp, lookup_arp_ip,
get_nd, put_nd, lookup_nd, lookup_nd_ip, put_fdb, get_fdb, lookup_fdb.

The helper tables (MAC_BINDING, MAC_LOOKUP, GET_FDB, LOOKUP_FDB) and
pinctrl expect their arguments in fixed registers; the arguments are
copied there around the lookup (base.with_args) and restored after.
"""

from dataclasses import dataclass

from pyovn.lang.errors import LangError
from pyovn.lang.actions import base, opcodes
from pyovn.openflow import layout
from pyovn.openflow import model as of

REG0 = of.Subfield("reg0")
XXREG0 = of.Subfield("xxreg0")
XXREG1 = of.Subfield("xxreg1")
ETH_SRC = of.Subfield("eth_src")
ETH_DST = of.Subfield("eth_dst")


def _args(p, kinds):
    """Parses `(` fields `)`: KINDS is a list of "port" or a bit width."""
    p.expect("(")
    out = []
    for i, k in enumerate(kinds):
        if i:
            p.expect(",")
        out.append(p.string_field() if k == "port" else p.numeric_field(k))
    p.expect(")")
    return tuple(out)


class _Neighbor(base.Action):
    """Common parse/format for f(port, ip[, mac])."""
    kinds = ()

    def format_args(self):
        return ", ".join(f.format() for f in self.args)

    def format(self):
        return "%s(%s)" % (self.names[0], self.format_args())


def _get_class(name, ip_width, ip_reg):
    @base.register
    @dataclass(frozen=True)
    class C(_Neighbor):
        """get_arp(P, A) / get_nd(P, A): eth.dst from the MAC binding table."""
        names = (name,)
        args: tuple

        @classmethod
        def parse(cls, p, tok):
            return cls(_args(p, ["port", ip_width]))

        def encode(self, ec):
            port, ip = self.args
            return base.with_args(
                [(base.REG_OUTPORT, port.ovs), (ip_reg, ip.ovs)],
                [of.SetField("eth_dst", 0), of.Resubmit(table=layout.MAC_BINDING)])

        def interpret(self, it):
            port, ip = self.args
            mac = it.lookup("mac_binding", port=it.get(port.ovs), ip=it.get(ip.ovs))
            it.set(ETH_DST, mac or 0)
    C.__name__ = C.__qualname__ = name.title().replace("_", "")
    return C


def _put_class(name, ip_width, ip_reg, opcode):
    @base.register
    @dataclass(frozen=True)
    class C(_Neighbor):
        """put_arp(P, A, E) / put_nd(P, A, E): learn a MAC binding."""
        names = (name,)
        args: tuple

        @classmethod
        def parse(cls, p, tok):
            return cls(_args(p, ["port", ip_width, 48]))

        def encode(self, ec):
            port, ip, mac = self.args
            return base.with_args(
                [(base.REG_INPORT, port.ovs), (ip_reg, ip.ovs), (ETH_SRC, mac.ovs)],
                [base.controller(opcode, b"", False, ec)])

        def interpret(self, it):
            port, ip, mac = self.args
            it.effect("controller", name=name, port=it.get(port.ovs),
                      ip=it.get(ip.ovs), mac=it.get(mac.ovs))
    C.__name__ = C.__qualname__ = name.title().replace("_", "")
    return C


def _lookup_class(name, ip_width, ip_reg, with_mac):
    @base.register
    @dataclass(frozen=True)
    class C(_Neighbor):
        """dst = lookup_arp(P, A, E) / lookup_nd(...): is the binding known?
        The _ip variants only check the IP (MAC_BINDING table)."""
        result_names = (name,)
        dst: base.Field
        args: tuple

        @classmethod
        def parse_result(cls, p, tok, dst):
            kinds = ["port", ip_width] + ([48] if with_mac else [])
            base.check_result_bit(p, dst, tok)
            args = _args(p, kinds)
            return cls(dst, args)

        def format(self):
            return "%s = %s(%s)" % (self.dst.format(), name, self.format_args())

        def encode(self, ec):
            check = base.flag_check(layout.MLF_LOOKUP_MAC_BIT, None, self.dst)
            if with_mac:
                port, ip, mac = self.args
                check[1] = of.Resubmit(table=layout.MAC_LOOKUP)
                return base.with_args(
                    [(base.REG_INPORT, port.ovs), (ip_reg, ip.ovs),
                     (ETH_SRC, mac.ovs)], check)
            port, ip = self.args
            check[1] = of.Resubmit(table=layout.MAC_BINDING)
            return base.with_args(
                [(base.REG_OUTPORT, port.ovs), (ip_reg, ip.ovs)],
                [of.Push(ETH_DST)] + check + [of.Pop(ETH_DST)])

        def interpret(self, it):
            vals = {("port", "ip", "mac")[i]: it.get(f.ovs)
                    for i, f in enumerate(self.args)}
            found = it.lookup(name, **vals)
            it.set(self.dst.ovs, 1 if found else 0)
    C.__name__ = C.__qualname__ = name.title().replace("_", "")
    return C


GetArp = _get_class("get_arp", 32, REG0)
GetNd = _get_class("get_nd", 128, XXREG0)
PutArp = _put_class("put_arp", 32, REG0, opcodes.PUT_ARP)
PutNd = _put_class("put_nd", 128, XXREG0, opcodes.PUT_ND)
LookupArp = _lookup_class("lookup_arp", 32, REG0, True)
LookupArpIp = _lookup_class("lookup_arp_ip", 32, REG0, False)
LookupNd = _lookup_class("lookup_nd", 128, XXREG0, True)
LookupNdIp = _lookup_class("lookup_nd_ip", 128, XXREG0, False)


@base.register
@dataclass(frozen=True)
class PutFdb(_Neighbor):
    """put_fdb(P, E): learn MAC E on port P."""
    names = ("put_fdb",)
    args: tuple

    @classmethod
    def parse(cls, p, tok):
        return cls(_args(p, ["port", 48]))

    def encode(self, ec):
        port, mac = self.args
        return base.with_args([(base.REG_INPORT, port.ovs), (ETH_SRC, mac.ovs)],
                              [base.controller(opcodes.PUT_FDB, b"", False, ec)])

    def interpret(self, it):
        port, mac = self.args
        it.effect("controller", name="put_fdb", port=it.get(port.ovs),
                  mac=it.get(mac.ovs))


@base.register
@dataclass(frozen=True)
class GetFdb(base.Action):
    """P = get_fdb(E): the port that learned MAC E (0 if none)."""
    result_names = ("get_fdb",)
    dst: base.Field
    mac: base.Field

    @classmethod
    def parse_result(cls, p, tok, dst):
        if not dst.string and dst.width != 32:
            raise LangError("Cannot use %d-bit field %s where 32-bit field is "
                            "required." % (dst.width, dst.describe()), tok.pos)
        (mac,) = _args(p, [48])
        return cls(dst, mac)

    def format(self):
        return "%s = get_fdb(%s)" % (self.dst.format(), self.mac.format())

    def encode(self, ec):
        out = base.with_args([(ETH_DST, self.mac.ovs)],
                             [of.SetField("reg15", 0),
                              of.Resubmit(table=layout.GET_FDB)])
        if self.dst.ovs != base.REG_OUTPORT:
            out.append(of.Move(base.REG_OUTPORT, self.dst.ovs))
        return out

    def interpret(self, it):
        key = it.lookup("get_fdb", mac=it.get(self.mac.ovs)) or 0
        it.set(self.dst.ovs, key)


@base.register
@dataclass(frozen=True)
class LookupFdb(base.Action):
    """R = lookup_fdb(P, E): was MAC E learned on port P?"""
    result_names = ("lookup_fdb",)
    dst: base.Field
    args: tuple

    @classmethod
    def parse_result(cls, p, tok, dst):
        base.check_result_bit(p, dst, tok)
        args = _args(p, ["port", 48])
        return cls(dst, args)

    def format(self):
        return "%s = lookup_fdb(%s)" % (self.dst.format(),
                                        ", ".join(f.format() for f in self.args))

    def encode(self, ec):
        port, mac = self.args
        body = [of.SetField(base.REG_FLAGS, 0, 1 << layout.MLF_LOOKUP_FDB_BIT),
                of.Resubmit(table=layout.LOOKUP_FDB)]
        out = base.with_args([(base.REG_INPORT, port.ovs), (ETH_SRC, mac.ovs)], body)
        out.append(of.Move(of.Subfield(base.REG_FLAGS, layout.MLF_LOOKUP_FDB_BIT, 1),
                           self.dst.ovs))
        return out

    def interpret(self, it):
        port, mac = self.args
        found = it.lookup("lookup_fdb", port=it.get(port.ovs), mac=it.get(mac.ovs))
        it.set(self.dst.ovs, 1 if found else 0)
