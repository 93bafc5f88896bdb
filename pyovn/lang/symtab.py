"""The symbol table of the logical flow language: every field, subfield and
predicate of ovn-sb(5) for OVN 23.03, declared once.

A Symbol is one of:

  kind "field"     an integer field backed by an OpenFlow/NXM field
                   (`ovs_field`, e.g. "eth_src"), `width` bits wide;
  kind "string"    inport/outport: compared against logical port names,
                   carried in a register as the port's tunnel key;
  kind "subfield"  bits `ofs`..`ofs+width-1` of another symbol `parent`
                   (e.g. vlan.vid = vlan.tci[0..11], reg0 = xxreg0[96..127]);
  kind "predicate" shorthand for a Boolean expression (`expansion`);
  kind "ovn"       an OVN-only field that actions may write but matches
                   cannot read (icmp4.frag_mtu, icmp6.frag_mtu).

`level` is "ordinal" (bits individually addressable: all relational
operators and slices), "nominal" (equality only, no slices) or "boolean"
(predicates over ordinal fields only).  `prereqs` is an expression string
that every use implies.  `write_scope` is None for read-only symbols,
"default" for symbols any assignment may write and "ct_commit" for
ct_mark/ct_label, writable only inside ct_commit { }.  `must_crossproduct`
fields are never split across the dimensions of a conjunctive match
(OpenFlow needs them in every flow as prerequisites).

The register layout (which OpenFlow register holds inport, outport and the
logical flags) comes from pyovn.openflow.layout.
"""

import re

from pyovn.openflow import layout

FORMATS = ("dec", "hex", "eth", "ipv4", "ipv6")


class Symbol:
    __slots__ = ("name", "kind", "width", "level", "prereqs", "expansion",
                 "parent", "ofs", "ovs_field", "fmt", "write_scope",
                 "must_crossproduct")

    def __init__(self, name, kind, width, level, prereqs=None, expansion=None,
                 parent=None, ofs=0, ovs_field=None, fmt="dec",
                 write_scope="default", must_crossproduct=False):
        self.name = name
        self.kind = kind
        self.width = width
        self.level = level
        self.prereqs = prereqs
        self.expansion = expansion
        self.parent = parent
        self.ofs = ofs
        self.ovs_field = ovs_field
        self.fmt = fmt
        self.write_scope = write_scope
        self.must_crossproduct = must_crossproduct

    @property
    def is_string(self):
        return self.kind == "string"

    @property
    def is_predicate(self):
        return self.kind == "predicate"

    @property
    def writable(self):
        return self.write_scope is not None

    def __repr__(self):
        return "Symbol(%s)" % self.name


class Symtab:
    """A table of symbols by name.  `base(sym)` follows subfields down to
    the field that holds the bits and returns (field_symbol, bit_offset)."""

    def __init__(self):
        self.symbols = {}

    def __contains__(self, name):
        return name in self.symbols

    def __iter__(self):
        return iter(self.symbols.values())

    def get(self, name):
        return self.symbols.get(name)

    def lookup(self, name):
        return self.symbols.get(name)

    def _add(self, sym):
        assert sym.name not in self.symbols, sym.name
        self.symbols[sym.name] = sym
        return sym

    def add_field(self, name, ovs_field, width, prereqs=None, maskable=True,
                  fmt="dec", write_scope="default", must_crossproduct=False):
        return self._add(Symbol(name, "field", width,
                                "ordinal" if maskable else "nominal",
                                prereqs=prereqs, ovs_field=ovs_field, fmt=fmt,
                                write_scope=write_scope,
                                must_crossproduct=must_crossproduct))

    def add_string(self, name, ovs_field, prereqs=None):
        return self._add(Symbol(name, "string", 0, "nominal", prereqs=prereqs,
                                ovs_field=ovs_field, fmt="string"))

    def add_subfield(self, name, expansion, prereqs=None, write_scope="default",
                     fmt=None):
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_.]*)\[(\d+)(?:\.\.(\d+))?\]",
                         expansion)
        assert m, expansion
        parent = self.symbols[m.group(1)]
        lo = int(m.group(2))
        hi = int(m.group(3)) if m.group(3) is not None else lo
        assert parent.level == "ordinal" and hi < parent.width, name
        if write_scope == "default" and parent.write_scope != "default":
            write_scope = parent.write_scope
        return self._add(Symbol(name, "subfield", hi - lo + 1, "ordinal",
                                prereqs=prereqs, expansion=expansion,
                                parent=parent.name, ofs=lo,
                                fmt=fmt or ("hex" if hi > lo else "dec"),
                                write_scope=write_scope))

    def add_predicate(self, name, expansion, prereqs=None):
        level = "nominal" if self._mentions_nominal(expansion) else "boolean"
        return self._add(Symbol(name, "predicate", 1, level, prereqs=prereqs,
                                expansion=expansion, write_scope=None))

    def add_ovn_field(self, name, width):
        return self._add(Symbol(name, "ovn", width, "ordinal", fmt="dec"))

    def _mentions_nominal(self, expansion):
        for word in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", expansion):
            sym = self.symbols.get(word)
            if sym is not None and sym.level == "nominal":
                return True
        return False

    def base(self, sym):
        """Returns (field symbol, offset of SYM's bit 0 in that field)."""
        ofs = 0
        while sym.kind == "subfield":
            ofs += sym.ofs
            sym = self.symbols[sym.parent]
        return sym, ofs


def _build():
    t = Symtab()

    # Logical ports: string fields carried as tunnel keys in registers.
    t.add_string("inport", layout.LOG_INPORT)
    t.add_string("outport", layout.LOG_OUTPORT)

    # Logical registers reg0-9.  The expression language only handles
    # overlapping fields as subfields, so xxreg0/1 are the real fields,
    # xreg0-3 and reg0-7 are subfields of them, and reg8/reg9 are subfields
    # of xreg4.  xxreg0 overlays reg0..reg3 with reg0 most significant.
    n_regs = len(layout.LOG_REGS)
    for xx in range(n_regs // 4):
        t.add_field("xxreg%d" % xx, layout.LOG_XXREGS[xx], 128, fmt="hex")
    for x in range(n_regs // 2):
        if x // 2 < n_regs // 4:
            lo = 64 * (1 - x % 2)
            t.add_subfield("xreg%d" % x, "xxreg%d[%d..%d]" % (x // 2, lo, lo + 63),
                           fmt="hex")
        else:
            t.add_field("xreg%d" % x, "xreg%d" % x, 64, fmt="hex")
    for r in range(n_regs):
        if r // 4 < n_regs // 4:
            lo = 32 * (3 - r % 4)
            t.add_subfield("reg%d" % r, "xxreg%d[%d..%d]" % (r // 4, lo, lo + 31),
                           fmt="hex")
        else:
            lo = 32 * (1 - r % 2)
            t.add_subfield("reg%d" % r, "xreg%d[%d..%d]" % (r // 2, lo, lo + 31),
                           fmt="hex")

    # Logical flags.
    t.add_field("flags", layout.LOG_FLAGS, 32, fmt="hex")
    for name, bit in (("loopback", layout.MLF_ALLOW_LOOPBACK_BIT),
                      ("force_snat_for_dnat", layout.MLF_FORCE_SNAT_FOR_DNAT_BIT),
                      ("force_snat_for_lb", layout.MLF_FORCE_SNAT_FOR_LB_BIT),
                      ("skip_snat_for_lb", layout.MLF_SKIP_SNAT_FOR_LB_BIT),
                      ("use_snat_zone", layout.MLF_USE_SNAT_ZONE)):
        t.add_subfield("flags." + name, "flags[%d]" % bit)

    # Connection tracking.  Bits of ct_mark and ct_label as OVN 23.03 uses them.
    t.add_field("ct_mark", "ct_mark", 32, fmt="hex", write_scope="ct_commit")
    for name, exp in (("blocked", "ct_mark[0]"), ("natted", "ct_mark[1]"),
                      ("skip_snat", "ct_mark[2]"), ("force_snat", "ct_mark[3]"),
                      ("ecmp_reply_port", "ct_mark[16..31]")):
        t.add_subfield("ct_mark." + name, exp, write_scope="ct_commit",
                       fmt="dec" if name == "ecmp_reply_port" else None)
    t.add_field("ct_label", "ct_label", 128, fmt="hex", write_scope="ct_commit")
    for name, exp, fmt in (("blocked", "ct_label[0]", None),
                           ("natted", "ct_label[1]", None),
                           ("skip_snat", "ct_label[2]", None),
                           ("force_snat", "ct_label[3]", None),
                           ("ecmp_reply_eth", "ct_label[32..79]", "eth"),
                           ("ecmp_reply_port", "ct_label[80..95]", "dec"),
                           ("label", "ct_label[96..127]", "hex")):
        t.add_subfield("ct_label." + name, exp, write_scope="ct_commit", fmt=fmt)
    t.add_field("ct_state", "ct_state", 32, fmt="hex", write_scope=None)
    # ct_state bits (ovs-fields(7)): new 0, est 1, rel 2, rpl 3, inv 4,
    # trk 5, snat 6, dnat 7.  Every bit but ct.trk requires ct.trk.
    for name, bit in (("new", 0), ("est", 1), ("rel", 2), ("rpl", 3),
                      ("inv", 4), ("trk", 5), ("snat", 6), ("dnat", 7)):
        t.add_subfield("ct." + name, "ct_state[%d]" % bit,
                       prereqs=None if name == "trk" else "ct.trk")

    # Ethernet.
    t.add_field("eth.src", "eth_src", 48, fmt="eth")
    t.add_field("eth.dst", "eth_dst", 48, fmt="eth")
    t.add_field("eth.type", "eth_type", 16, maskable=False, fmt="hex",
                write_scope=None, must_crossproduct=True)
    t.add_predicate("eth.bcast", "eth.dst == ff:ff:ff:ff:ff:ff")
    t.add_subfield("eth.mcast", "eth.dst[40]")
    t.add_predicate("eth.mcastv6", "eth.dst[32..47] == 0x3333")

    # VLAN.
    t.add_field("vlan.tci", "vlan_tci", 16, fmt="hex")
    t.add_predicate("vlan.present", "vlan.tci[12]")
    t.add_subfield("vlan.pcp", "vlan.tci[13..15]", prereqs="vlan.present", fmt="dec")
    t.add_subfield("vlan.vid", "vlan.tci[0..11]", prereqs="vlan.present", fmt="dec")

    # IP.
    t.add_predicate("ip4", "eth.type == 0x800")
    t.add_predicate("ip6", "eth.type == 0x86dd")
    t.add_predicate("ip", "ip4 || ip6")
    t.add_field("ip.proto", "nw_proto", 8, "ip", maskable=False,
                write_scope=None, must_crossproduct=True)
    t.add_field("ip.dscp", "ip_dscp", 6, "ip", maskable=False)
    t.add_field("ip.ecn", "nw_ecn", 2, "ip", maskable=False)
    t.add_field("ip.ttl", "nw_ttl", 8, "ip", maskable=False)

    t.add_field("ip4.src", "ip_src", 32, "ip4", fmt="ipv4")
    t.add_field("ip4.dst", "ip_dst", 32, "ip4", fmt="ipv4")
    t.add_predicate("ip4.src_mcast", "ip4.src[28..31] == 0xe")
    t.add_predicate("ip4.mcast", "eth.mcast && ip4.dst[28..31] == 0xe")

    t.add_predicate("icmp4", "ip4 && ip.proto == 1")
    t.add_field("icmp4.type", "icmp_type", 8, "icmp4", maskable=False)
    t.add_field("icmp4.code", "icmp_code", 8, "icmp4", maskable=False)

    t.add_predicate("igmp", "ip4 && ip.proto == 2")     # 23.03 (later: ip4.mcast)

    t.add_field("ip6.src", "ipv6_src", 128, "ip6", fmt="ipv6")
    t.add_field("ip6.dst", "ipv6_dst", 128, "ip6", fmt="ipv6")
    t.add_field("ip6.label", "ipv6_label", 20, "ip6", fmt="hex")

    # Predefined IPv6 multicast groups (RFC 4291, 2.7.1).
    t.add_predicate("ip6.mcast_rsvd",
                    "ip6.dst[116..127] == 0xff0 && ip6.dst[0..111] == 0x0")
    t.add_predicate("ip6.mcast_all_nodes", "ip6.dst == ff01::1 || ip6.dst == ff02::1")
    t.add_predicate("ip6.mcast_all_rtrs",
                    "ip6.dst == ff01::2 || ip6.dst == ff02::2 || ip6.dst == ff05::2")
    t.add_predicate("ip6.mcast_sol_node", "ip6.dst == ff02::1:ff00:0000/104")
    t.add_predicate("ip6.mcast_flood",
                    "eth.mcastv6 && (ip6.mcast_rsvd || ip6.mcast_all_nodes || "
                    "ip6.mcast_all_rtrs || ip6.mcast_sol_node)")
    t.add_predicate("ip6.mcast", "eth.mcastv6 && ip6.dst[120..127] == 0xff")

    t.add_predicate("icmp6", "ip6 && ip.proto == 58")
    t.add_field("icmp6.type", "icmpv6_type", 8, "icmp6", maskable=False,
                must_crossproduct=True)
    t.add_field("icmp6.code", "icmpv6_code", 8, "icmp6", maskable=False,
                must_crossproduct=True)
    t.add_predicate("icmp", "icmp4 || icmp6")

    t.add_field("ip.frag", "ip_frag", 2, "ip", fmt="hex", write_scope=None)
    t.add_predicate("ip.is_frag", "ip.frag[0]")
    t.add_predicate("ip.later_frag", "ip.frag[1]")
    t.add_predicate("ip.first_frag", "ip.is_frag && !ip.later_frag")

    # ARP and RARP (same OpenFlow fields).
    t.add_predicate("arp", "eth.type == 0x806")
    t.add_field("arp.op", "arp_op", 16, "arp", maskable=False)
    t.add_field("arp.spa", "arp_spa", 32, "arp", fmt="ipv4")
    t.add_field("arp.sha", "arp_sha", 48, "arp", fmt="eth")
    t.add_field("arp.tpa", "arp_tpa", 32, "arp", fmt="ipv4")
    t.add_field("arp.tha", "arp_tha", 48, "arp", fmt="eth")
    t.add_predicate("rarp", "eth.type == 0x8035")
    t.add_field("rarp.op", "arp_op", 16, "rarp", maskable=False)
    t.add_field("rarp.spa", "arp_spa", 32, "rarp", fmt="ipv4")
    t.add_field("rarp.sha", "arp_sha", 48, "rarp", fmt="eth")
    t.add_field("rarp.tpa", "arp_tpa", 32, "rarp", fmt="ipv4")
    t.add_field("rarp.tha", "arp_tha", 48, "rarp", fmt="eth")

    # Neighbour discovery.
    t.add_predicate("nd", "icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255")
    t.add_predicate("nd_ns", "icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255")
    t.add_predicate("nd_na", "icmp6.type == 136 && icmp6.code == 0 && ip.ttl == 255")
    t.add_predicate("nd_rs", "icmp6.type == 133 && icmp6.code == 0 && ip.ttl == 255")
    t.add_predicate("nd_ra", "icmp6.type == 134 && icmp6.code == 0 && ip.ttl == 255")
    t.add_field("nd.target", "nd_target", 128, "nd", fmt="ipv6")
    t.add_field("nd.sll", "nd_sll", 48, "nd_ns", fmt="eth")
    t.add_field("nd.tll", "nd_tll", 48, "nd_na", fmt="eth")

    # MLD (RFC 2710, RFC 3810).
    # (In 23.03 neither checks eth.mcastv6; later releases added that.)
    t.add_predicate("mldv1", "ip6.src == fe80::/10 && icmp6.type == {130, 131, 132}")
    t.add_predicate("mldv2", "ip6.dst == ff02::16 && icmp6.type == 143")

    # Transport.
    t.add_predicate("tcp", "ip.proto == 6")
    t.add_field("tcp.src", "tcp_src", 16, "tcp")
    t.add_field("tcp.dst", "tcp_dst", 16, "tcp")
    t.add_field("tcp.flags", "tcp_flags", 12, "tcp", fmt="hex", write_scope=None)
    t.add_predicate("udp", "ip.proto == 17")
    t.add_field("udp.src", "udp_src", 16, "udp")
    t.add_field("udp.dst", "udp_dst", 16, "udp")
    t.add_predicate("sctp", "ip.proto == 132")
    t.add_field("sctp.src", "sctp_src", 16, "sctp")
    t.add_field("sctp.dst", "sctp_dst", 16, "sctp")

    t.add_field("pkt.mark", "pkt_mark", 32, fmt="hex")

    # Fields OVN writes from actions that OpenFlow cannot express.
    t.add_ovn_field("icmp4.frag_mtu", 16)
    t.add_ovn_field("icmp6.frag_mtu", 32)
    return t


SYMTAB = _build()


def default_symtab():
    """The OVN 23.03 symbol table (shared, do not modify)."""
    return SYMTAB
