"""The OpenFlow flow model: matches, actions, flows, group and meter mods.

Everything here is a frozen, hashable value, so desired and installed flow
tables are plain sets/dicts that can be diffed.  Every object renders
itself in ovs-ofctl syntax with str(), e.g.

    Flow(table=8, priority=100, match=Match.of(reg14=1, metadata=2),
         actions=(Resubmit(table=9),))
    -> "table=8, priority=100, reg14=0x1,metadata=0x2 actions=resubmit(,9)"

Field names are OVS names (ovs-fields(7)); aliases such as dl_src or
NXM_OF_ETH_SRC are accepted and normalised to the canonical name.  Values
are Python ints (MACs and IP addresses too).  Pure: no I/O.
"""

import ipaddress
from dataclasses import dataclass, field as dc_field

from pyovn.openflow import fields as _fields


class ModelError(ValueError):
    """A value that cannot be represented (unknown field, value too wide)."""


class MatchConflict(ModelError):
    """Two constraints on the same bits that no packet can satisfy."""


def field_info(name):
    info = _fields.lookup(name)
    if info is None:
        raise ModelError("unknown OpenFlow field %s" % name)
    return info


def _all_ones(width):
    return (1 << width) - 1


# ---------------------------------------------------------------------------
# Value formatting
# ---------------------------------------------------------------------------

_CT_STATE_BITS = [(0x01, "new"), (0x02, "est"), (0x04, "rel"), (0x08, "rpl"),
                  (0x10, "inv"), (0x20, "trk"), (0x40, "snat"), (0x80, "dnat")]

_FRAG_NAMES = {(0, 1): "no", (1, 1): "yes", (1, 3): "first", (3, 3): "later",
               (1, 2): "not_later"}
_FRAG_NAMES_REV = {v: k for k, v in _FRAG_NAMES.items()}

PORT_NAMES = {0xfff8: "IN_PORT", 0xfff9: "TABLE", 0xfffa: "NORMAL",
              0xfffb: "FLOOD", 0xfffc: "ALL", 0xfffd: "CONTROLLER",
              0xfffe: "LOCAL", 0xffff: "NONE"}
PORT_NUMBERS = {v: k for k, v in PORT_NAMES.items()}


def fmt_hex(v):
    return "0" if v == 0 else "0x%x" % v


def fmt_mac(v):
    b = v.to_bytes(6, "big")
    return ":".join("%02x" % x for x in b)


def _prefix_len(mask, width):
    """Prefix length if MASK is a CIDR mask of WIDTH bits, else None."""
    inv = _all_ones(width) ^ mask
    if inv & (inv + 1):
        return None
    return width - inv.bit_length()


def fmt_value(info, value, mask=None):
    """VALUE[/MASK] of field INFO, the way ovs-ofctl writes it."""
    width = info.width
    if mask is not None and width and mask == _all_ones(width):
        mask = None
    kind = info.kind
    if kind == "mac":
        s = fmt_mac(value)
        return s if mask is None else s + "/" + fmt_mac(mask)
    if kind in ("ipv4", "ipv6"):
        cls = ipaddress.IPv4Address if kind == "ipv4" else ipaddress.IPv6Address
        s = str(cls(value))
        if mask is None:
            return s
        plen = _prefix_len(mask, width)
        return s + "/" + (str(plen) if plen is not None else str(cls(mask)))
    if kind == "ct_state":
        if mask is None:
            mask = 0xff
        parts = []
        for bit, name in _CT_STATE_BITS:
            if mask & bit:
                parts.append(("+" if value & bit else "-") + name)
        rest = mask & ~0xff
        if rest or not parts:
            return fmt_hex(value) + ("/" + fmt_hex(mask) if mask else "")
        return "".join(parts)
    if kind == "frag":
        name = _FRAG_NAMES.get((value, 3 if mask is None else mask))
        if name:
            return name
    if kind == "port" and mask is None and value in PORT_NAMES:
        return PORT_NAMES[value]
    if kind in ("dec", "port") and mask is None:
        return "%d" % value
    if mask is None:
        return fmt_hex(value)
    return fmt_hex(value) + "/" + fmt_hex(mask)


def parse_value(info, text):
    """Inverse of fmt_value: (value, mask or None)."""
    kind = info.kind
    text = text.strip()
    if kind == "ct_state" and text and text[0] in "+-":
        value = mask = 0
        names = {n: b for b, n in _CT_STATE_BITS}
        i = 0
        while i < len(text):
            sign = text[i]
            j = i + 1
            while j < len(text) and text[j] not in "+-":
                j += 1
            bit = names.get(text[i + 1:j])
            if sign not in "+-" or bit is None:
                raise ModelError("bad ct_state %s" % text)
            mask |= bit
            if sign == "+":
                value |= bit
            i = j
        return value, mask
    if kind == "frag" and text in _FRAG_NAMES_REV:
        return _FRAG_NAMES_REV[text]
    if kind == "port" and text in PORT_NUMBERS:
        return PORT_NUMBERS[text], None
    vtext, _, mtext = text.partition("/")
    if kind == "mac":
        def mac(s):
            parts = s.split(":")
            if len(parts) != 6:
                raise ModelError("bad Ethernet address %s" % s)
            return int("".join("%02x" % int(p, 16) for p in parts), 16)
        return mac(vtext), (mac(mtext) if mtext else None)
    if kind in ("ipv4", "ipv6"):
        cls = ipaddress.IPv4Address if kind == "ipv4" else ipaddress.IPv6Address
        try:
            value = int(cls(vtext))
            if not mtext:
                return value, None
            if mtext.isdigit():
                plen = int(mtext)
                mask = _all_ones(info.width) ^ _all_ones(info.width - plen)
            else:
                mask = int(cls(mtext))
        except ValueError as e:
            raise ModelError(str(e)) from None
        return value, mask
    try:
        value = int(vtext, 0)
        mask = int(mtext, 0) if mtext else None
    except ValueError:
        raise ModelError("bad value %s for field %s" % (text, info.name)) from None
    return value, mask


# ---------------------------------------------------------------------------
# Match
# ---------------------------------------------------------------------------

# Order in which fields are written, following ovs-ofctl's own order
# (metadata-ish fields, conntrack, tunnel, registers, then L2 to L4).
_ORDER_PREFIX = ["skb_priority", "pkt_mark", "recirc_id", "dp_hash", "conj_id",
                 "ct_state", "ct_zone", "ct_mark", "ct_label", "ct_nw_src",
                 "ct_nw_dst", "ct_ipv6_src", "ct_ipv6_dst", "ct_nw_proto",
                 "ct_tp_src", "ct_tp_dst"]
_PROTOCOL_POS = len(_ORDER_PREFIX)     # the protocol keyword goes here
_ORDER_PREFIX += ["reg%d" % i for i in range(16)]
_ORDER_PREFIX += ["tun_id", "tun_src", "tun_dst", "tun_ipv6_src",
                  "tun_ipv6_dst", "tun_flags"]
_ORDER_PREFIX += ["tun_metadata%d" % i for i in range(64)]
_ORDER_PREFIX += ["metadata", "in_port", "in_port_oxm", "actset_output",
                  "packet_type", "vlan_tci", "vlan_vid", "vlan_pcp", "eth_src",
                  "eth_dst", "eth_type", "mpls_label", "mpls_tc", "mpls_bos",
                  "mpls_ttl", "ip_src", "ip_dst", "arp_spa", "arp_tpa",
                  "ipv6_src", "ipv6_dst", "ipv6_label", "nw_proto", "nw_tos",
                  "ip_dscp", "nw_ecn", "nw_ttl", "ip_frag", "arp_op",
                  "arp_sha", "arp_tha", "tcp_flags", "tcp_src", "tcp_dst",
                  "udp_src", "udp_dst", "sctp_src", "sctp_dst", "icmp_type",
                  "icmp_code", "icmpv6_type", "icmpv6_code", "nd_target",
                  "nd_sll", "nd_tll", "nd_reserved", "nd_options_type"]
_ORDER = {name: i for i, name in enumerate(_ORDER_PREFIX)}

# Names ovs-ofctl uses when it prints a match (the older ones).
_MATCH_NAMES = {"eth_src": "dl_src", "eth_dst": "dl_dst", "eth_type": "dl_type",
                "ip_src": "nw_src", "ip_dst": "nw_dst", "ip_frag": "nw_frag",
                "tcp_src": "tp_src", "tcp_dst": "tp_dst", "udp_src": "tp_src",
                "udp_dst": "tp_dst", "sctp_src": "tp_src", "sctp_dst": "tp_dst",
                "icmpv6_type": "icmp_type", "icmpv6_code": "icmp_code"}

# (eth_type, nw_proto or None) -> ovs-ofctl protocol keyword.
_PROTOCOLS = {(0x0800, None): "ip", (0x86dd, None): "ipv6", (0x0806, None): "arp",
              (0x8035, None): "rarp", (0x0800, 1): "icmp", (0x86dd, 58): "icmp6",
              (0x0800, 6): "tcp", (0x86dd, 6): "tcp6", (0x0800, 17): "udp",
              (0x86dd, 17): "udp6", (0x0800, 132): "sctp", (0x86dd, 132): "sctp6"}
_PROTOCOLS_REV = {v: k for k, v in _PROTOCOLS.items()}


def _sort_key(name):
    return (_ORDER.get(name, len(_ORDER)), name)


@dataclass(frozen=True)
class Match:
    """A conjunction of (field, value, mask) constraints.

    `fields` is a tuple of (name, value, mask) in canonical order; mask is
    None for an exact match.  Build with Match.of(...) or m.with_field(...).
    """
    fields: tuple = ()

    @classmethod
    def of(cls, *pairs, **kwargs):
        """Match.of(reg14=1, metadata=(2, 0xff)) or
        Match.of(("eth_src", 0x0a0000000001), ...)."""
        m = cls()
        items = list(pairs) + list(kwargs.items())
        for item in items:
            if len(item) == 3:
                name, value, mask = item
            else:
                name, v = item
                value, mask = v if isinstance(v, tuple) else (v, None)
            m = m.with_field(name, value, mask)
        return m

    def with_field(self, name, value, mask=None):
        """A new Match that also requires NAME & MASK == VALUE & MASK.
        Constraints on the same field are merged; raises MatchConflict if
        they contradict each other."""
        info = field_info(name)
        name = info.name
        full = _all_ones(info.width)
        if mask is None:
            mask = full
        if value < 0 or value > full or mask < 0 or mask > full:
            raise ModelError("value 0x%x/0x%x too wide for %d-bit field %s"
                             % (value, mask, info.width, name))
        value &= mask
        if name.startswith(("xreg", "xxreg")):
            # OVS keeps these as 32-bit registers, the first one holding
            # the most significant bits; so do we, so that matches compare
            # equal to what the switch reports.
            n_regs = info.width // 32
            first = int(name.lstrip("x").replace("reg", "")) * n_regs
            m = self
            for i in range(n_regs):
                shift = 32 * (n_regs - 1 - i)
                rm = (mask >> shift) & 0xffffffff
                if rm:
                    m = m.with_field("reg%d" % (first + i),
                                     (value >> shift) & rm, rm)
            return m
        d = {n: (v, m if m is not None else _all_ones(field_info(n).width))
             for n, v, m in self.fields}
        if name in d:
            ov, om = d[name]
            common = om & mask
            if (ov & common) != (value & common):
                raise MatchConflict("conflicting constraints on %s" % name)
            value, mask = ov | value, om | mask
        if mask == 0:
            d.pop(name, None)
        else:
            d[name] = (value, mask)
        out = []
        for n in sorted(d, key=_sort_key):
            v, m = d[n]
            out.append((n, v, None if m == _all_ones(field_info(n).width) else m))
        return Match(tuple(out))

    def get(self, name):
        """(value, mask or None) for field NAME, or None if unconstrained."""
        name = field_info(name).name
        for n, v, m in self.fields:
            if n == name:
                return v, m
        return None

    def as_dict(self):
        return {n: (v, m) for n, v, m in self.fields}

    def __len__(self):
        return len(self.fields)

    def __str__(self):
        parts = []
        d = {n: (v, m) for n, v, m in self.fields}
        skip = set()
        proto_kw = None
        et = d.get("eth_type")
        if et and et[1] is None:
            proto = d.get("nw_proto")
            key = (et[0], proto[0] if proto and proto[1] is None else None)
            kw = _PROTOCOLS.get(key) or _PROTOCOLS.get((et[0], None))
            if kw:
                proto_kw = kw
                skip.add("eth_type")
                if _PROTOCOLS_REV[kw][1] is not None:
                    skip.add("nw_proto")
        for n, v, m in self.fields:
            if proto_kw and _sort_key(n)[0] >= _PROTOCOL_POS:
                parts.append(proto_kw)
                proto_kw = None
            if n in skip:
                continue
            info = field_info(n)
            parts.append("%s=%s" % (_MATCH_NAMES.get(n, n), fmt_value(info, v, m)))
        if proto_kw:
            parts.append(proto_kw)
        return ",".join(parts)

    @classmethod
    def parse(cls, text):
        """Parses ovs-ofctl match syntax ("ip,reg14=0x1,nw_src=10.0.0.0/8").
        tp_src/tp_dst and icmp_type/icmp_code are resolved with the
        protocol given earlier in the same match."""
        m = cls()
        proto = None
        for item in [x.strip() for x in text.split(",") if x.strip()]:
            if "=" not in item:
                if item not in _PROTOCOLS_REV:
                    raise ModelError("unknown protocol keyword %s" % item)
                et, p = _PROTOCOLS_REV[item]
                m = m.with_field("eth_type", et)
                if p is not None:
                    m = m.with_field("nw_proto", p)
                proto = item
                continue
            name, _, vtext = item.partition("=")
            name = name.strip()
            if name in ("tp_src", "tp_dst"):
                base = {"udp": "udp", "udp6": "udp", "sctp": "sctp",
                        "sctp6": "sctp"}.get(proto, "tcp")
                name = base + name[2:]
            elif name in ("icmp_type", "icmp_code") and proto == "icmp6":
                name = "icmpv6" + name[4:]
            info = field_info(name)
            value, mask = parse_value(info, vtext)
            m = m.with_field(info.name, value, mask)
        return m


# ---------------------------------------------------------------------------
# Subfields
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Subfield:
    """Bits [ofs, ofs + n_bits) of an OpenFlow field."""
    field: str
    ofs: int = 0
    n_bits: int = None

    def __post_init__(self):
        info = field_info(self.field)
        object.__setattr__(self, "field", info.name)
        if self.n_bits is None:
            object.__setattr__(self, "n_bits", info.width - self.ofs)
        if self.ofs < 0 or self.n_bits <= 0 or self.ofs + self.n_bits > info.width:
            raise ModelError("bits %d..%d out of range for %d-bit field %s"
                             % (self.ofs, self.ofs + self.n_bits - 1,
                                info.width, info.name))

    @property
    def info(self):
        return field_info(self.field)

    @property
    def whole(self):
        return self.ofs == 0 and self.n_bits == self.info.width

    @property
    def mask(self):
        return _all_ones(self.n_bits) << self.ofs

    def __str__(self):
        name = self.info.header_name
        if self.whole:
            return name + "[]"
        if self.n_bits == 1:
            return "%s[%d]" % (name, self.ofs)
        return "%s[%d..%d]" % (name, self.ofs, self.ofs + self.n_bits - 1)

    @classmethod
    def parse(cls, text):
        """Parses NAME[], NAME[N], NAME[A..B] or a bare NAME."""
        text = text.strip()
        name, br, rest = text.partition("[")
        if not br:
            return cls(name)
        if not rest.endswith("]"):
            raise ModelError("bad subfield %s" % text)
        rest = rest[:-1]
        if not rest:
            return cls(name)
        a, dots, b = rest.partition("..")
        a = int(a)
        b = int(b) if dots else a
        return cls(name, a, b - a + 1)


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------

class Action:
    """Base of all OpenFlow actions.  Subclasses are frozen dataclasses
    with __str__ in ovs-ofctl syntax."""


def format_actions(actions):
    """ovs-ofctl text of a sequence of actions ("drop" when empty)."""
    if not actions:
        return "drop"
    return ",".join(str(a) for a in actions)


@dataclass(frozen=True)
class Output(Action):
    """output:PORT, PORT an OpenFlow port number, a reserved name
    ("IN_PORT", "LOCAL", ...) or a Subfield holding the port."""
    port: object

    def __str__(self):
        if isinstance(self.port, Subfield):
            return "output:%s" % self.port
        if isinstance(self.port, int):
            if self.port in PORT_NAMES:
                return PORT_NAMES[self.port]
            return "output:%d" % self.port
        return "output:%s" % self.port


@dataclass(frozen=True)
class Resubmit(Action):
    table: int = None
    port: object = None     # None = in_port
    ct: bool = False

    def __str__(self):
        port = "" if self.port is None else str(self.port)
        table = "" if self.table is None else str(self.table)
        return "resubmit(%s,%s%s)" % (port, table, ",ct" if self.ct else "")


@dataclass(frozen=True)
class SetField(Action):
    """set_field:VALUE[/MASK]->FIELD"""
    field: str
    value: int
    mask: int = None

    def __post_init__(self):
        info = field_info(self.field)
        object.__setattr__(self, "field", info.name)
        full = _all_ones(info.width)
        if self.mask == full:
            object.__setattr__(self, "mask", None)
        if self.value < 0 or self.value > full or (self.mask or 0) > full:
            raise ModelError("value too wide for field %s" % info.name)
        if self.mask is not None:
            object.__setattr__(self, "value", self.value & self.mask)

    def __str__(self):
        info = field_info(self.field)
        if info.kind in ("dec", "port", "ct_state", "frag") and self.mask is not None:
            val = fmt_hex(self.value) + "/" + fmt_hex(self.mask)
        else:
            val = fmt_value(info, self.value, self.mask)
        return "set_field:%s->%s" % (val, info.name)

    @classmethod
    def of_subfield(cls, value, dst):
        """set_field writing VALUE into Subfield DST (a masked set_field
        unless DST is the whole field)."""
        if value < 0 or value >= (1 << dst.n_bits):
            raise ModelError("value 0x%x too wide for %d bits" % (value, dst.n_bits))
        return cls(dst.field, value << dst.ofs, None if dst.whole else dst.mask)


@dataclass(frozen=True)
class Load(Action):
    """load:VALUE->DST (NXAST_REG_LOAD)."""
    value: int
    dst: Subfield

    def __str__(self):
        return "load:%s->%s" % (fmt_hex(self.value), self.dst)


@dataclass(frozen=True)
class Move(Action):
    src: Subfield
    dst: Subfield

    def __post_init__(self):
        if self.src.n_bits != self.dst.n_bits:
            raise ModelError("move between %d-bit %s and %d-bit %s"
                             % (self.src.n_bits, self.src, self.dst.n_bits, self.dst))

    def __str__(self):
        return "move:%s->%s" % (self.src, self.dst)


@dataclass(frozen=True)
class Push(Action):
    src: Subfield

    def __str__(self):
        return "push:%s" % self.src


@dataclass(frozen=True)
class Pop(Action):
    dst: Subfield

    def __str__(self):
        return "pop:%s" % self.dst


@dataclass(frozen=True)
class PushVlan(Action):
    ethertype: int = 0x8100

    def __str__(self):
        return "push_vlan:0x%04x" % self.ethertype


@dataclass(frozen=True)
class PopVlan(Action):
    def __str__(self):
        return "pop_vlan"


@dataclass(frozen=True)
class DecTtl(Action):
    """dec_ttl; with `ids` (a tuple of controller ids, possibly empty) it is
    dec_ttl(ID,...): C OVN writes dec_ttl() -- no packet-in when the TTL
    runs out."""
    ids: tuple = None

    def __str__(self):
        if self.ids is None:
            return "dec_ttl"
        return "dec_ttl(%s)" % ",".join(str(i) for i in self.ids)


@dataclass(frozen=True)
class Nat(Action):
    """nat(...) inside ct(): kind "src", "dst" or None (plain "nat", which
    un-NATs an existing connection); addresses as text ("10.0.0.1",
    "10.0.0.1-10.0.0.9", "fd00::1"); ports (min, max) or None; flags a
    tuple of "random", "persistent", "hash"."""
    kind: str = None
    addr_min: str = None
    addr_max: str = None
    port_min: int = None
    port_max: int = None
    flags: tuple = ()

    def __str__(self):
        if self.kind is None:
            return "nat"
        s = "nat(%s" % self.kind
        if self.addr_min:
            def ip(a):
                return "[%s]" % a if ":" in a and self.port_min is not None else a
            s += "=" + ip(self.addr_min)
            if self.addr_max and self.addr_max != self.addr_min:
                s += "-" + ip(self.addr_max)
            if self.port_min is not None:
                s += ":%d" % self.port_min
                if self.port_max is not None and self.port_max != self.port_min:
                    s += "-%d" % self.port_max
        for f in self.flags:
            s += "," + f
        return s + ")"


@dataclass(frozen=True)
class Ct(Action):
    """ct(commit, force, table=, zone=, exec(...), alg=, nat(...))."""
    commit: bool = False
    force: bool = False
    table: int = None
    zone: object = None          # int (immediate) or Subfield
    exec_: tuple = ()            # actions (set_field on ct_mark/ct_label)
    alg: str = None              # "ftp", "tftp"
    nat: Nat = None

    def __str__(self):
        parts = []
        if self.commit:
            parts.append("commit")
        if self.force:
            parts.append("force")
        if self.table is not None:
            parts.append("table=%d" % self.table)
        if self.zone is not None:
            parts.append("zone=%s" % self.zone)
        if self.nat is not None:
            parts.append(str(self.nat))
        if self.exec_:
            parts.append("exec(%s)" % ",".join(str(a) for a in self.exec_))
        if self.alg:
            parts.append("alg=%s" % self.alg)
        return "ct(%s)" % ",".join(parts)


@dataclass(frozen=True)
class CtClear(Action):
    def __str__(self):
        return "ct_clear"


@dataclass(frozen=True)
class Conjunction(Action):
    """conjunction(ID, CLAUSE/N_CLAUSES), CLAUSE counted from 1."""
    id: int
    clause: int
    n_clauses: int

    def __str__(self):
        return "conjunction(%d,%d/%d)" % (self.id, self.clause, self.n_clauses)


@dataclass(frozen=True)
class Controller(Action):
    """controller(...) in its NXAST_CONTROLLER2 form.  OVN puts an opcode
    and its payload in `userdata`; with `pause` the packet comes back as a
    continuation (NXT_PACKET_IN2) that the handler resumes (NXT_RESUME)."""
    userdata: bytes = b""
    pause: bool = False
    reason: str = None           # None = "action"
    max_len: int = None
    controller_id: int = 0
    meter_id: int = None

    def __str__(self):
        parts = []
        if self.reason and self.reason != "action":
            parts.append("reason=%s" % self.reason)
        if self.max_len is not None:
            parts.append("max_len=%d" % self.max_len)
        if self.controller_id:
            parts.append("id=%d" % self.controller_id)
        if self.userdata:
            parts.append("userdata=" + ".".join("%02x" % b for b in self.userdata))
        if self.pause:
            parts.append("pause")
        if self.meter_id is not None:
            parts.append("meter_id=%d" % self.meter_id)
        return "controller(%s)" % ",".join(parts)


@dataclass(frozen=True)
class LearnSpec:
    """One flow_mod_spec of learn(): kind "match" (DST from SRC, or DST ==
    VALUE), "load" (VALUE or SRC -> DST) or "output" (SRC)."""
    kind: str
    dst: Subfield = None
    src: Subfield = None
    value: int = None

    def __str__(self):
        if self.kind == "match":
            if self.value is not None:
                info = self.dst.info
                if self.dst.whole:
                    return "%s=%s" % (info.name, fmt_value(info, self.value))
                return "%s=%s" % (self.dst, fmt_hex(self.value))
            if self.src == self.dst:
                return str(self.dst)
            return "%s=%s" % (self.dst, self.src)
        if self.kind == "load":
            src = fmt_hex(self.value) if self.value is not None else str(self.src)
            return "load:%s->%s" % (src, self.dst)
        if self.kind == "output":
            return "output:%s" % self.src
        raise ModelError("bad learn spec kind %s" % self.kind)


@dataclass(frozen=True)
class Learn(Action):
    table: int
    specs: tuple = ()
    idle_timeout: int = 0
    hard_timeout: int = 0
    priority: int = None
    cookie: int = 0
    delete_learned: bool = False
    limit: int = 0

    def __str__(self):
        parts = ["table=%d" % self.table]
        if self.idle_timeout:
            parts.append("idle_timeout=%d" % self.idle_timeout)
        if self.hard_timeout:
            parts.append("hard_timeout=%d" % self.hard_timeout)
        if self.priority is not None:
            parts.append("priority=%d" % self.priority)
        if self.delete_learned:
            parts.append("delete_learned")
        if self.cookie:
            parts.append("cookie=%s" % fmt_hex(self.cookie))
        if self.limit:
            parts.append("limit=%d" % self.limit)
        parts += [str(s) for s in self.specs]
        return "learn(%s)" % ",".join(parts)


@dataclass(frozen=True)
class Group(Action):
    group_id: int

    def __str__(self):
        return "group:%d" % self.group_id


@dataclass(frozen=True)
class Meter(Action):
    meter_id: int

    def __str__(self):
        return "meter:%d" % self.meter_id


@dataclass(frozen=True)
class Clone(Action):
    actions: tuple = ()

    def __str__(self):
        return "clone(%s)" % ",".join(str(a) for a in self.actions)


@dataclass(frozen=True)
class CheckPktLarger(Action):
    pkt_len: int
    dst: Subfield

    def __str__(self):
        return "check_pkt_larger(%d)->%s" % (self.pkt_len, self.dst)


@dataclass(frozen=True)
class Note(Action):
    data: bytes = b""

    def __str__(self):
        return "note:" + ".".join("%02x" % b for b in self.data)


@dataclass(frozen=True)
class SetQueue(Action):
    queue_id: int

    def __str__(self):
        return "set_queue:%d" % self.queue_id


@dataclass(frozen=True)
class Sample(Action):
    probability: int
    collector_set_id: int = 0
    obs_domain_id: int = 0
    obs_point_id: int = 0
    sampling_port: int = None

    def __str__(self):
        s = ("sample(probability=%d,collector_set_id=%d,obs_domain_id=%d,"
             "obs_point_id=%d" % (self.probability, self.collector_set_id,
                                  self.obs_domain_id, self.obs_point_id))
        if self.sampling_port is not None:
            s += ",sampling_port=%d" % self.sampling_port
        return s + ")"


@dataclass(frozen=True)
class Exit(Action):
    def __str__(self):
        return "exit"


# ---------------------------------------------------------------------------
# Flows, groups, meters
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Flow:
    table: int
    priority: int
    match: Match = dc_field(default_factory=Match)
    actions: tuple = ()
    cookie: int = 0
    idle_timeout: int = 0
    hard_timeout: int = 0

    @property
    def key(self):
        """What identifies a flow in an OpenFlow table."""
        return (self.table, self.priority, self.match)

    def __str__(self):
        head = "table=%d, priority=%d" % (self.table, self.priority)
        if self.cookie:
            head = "cookie=%s, " % fmt_hex(self.cookie) + head
        if self.idle_timeout:
            head += ", idle_timeout=%d" % self.idle_timeout
        if self.hard_timeout:
            head += ", hard_timeout=%d" % self.hard_timeout
        m = str(self.match)
        return "%s%s actions=%s" % (head, "," + m if m else "",
                                    format_actions(self.actions))

    def to_ofctl(self):
        """The flow in `ovs-ofctl add-flow` syntax (no spaces)."""
        parts = []
        if self.cookie:
            parts.append("cookie=%s" % fmt_hex(self.cookie))
        parts += ["table=%d" % self.table, "priority=%d" % self.priority]
        if self.idle_timeout:
            parts.append("idle_timeout=%d" % self.idle_timeout)
        if self.hard_timeout:
            parts.append("hard_timeout=%d" % self.hard_timeout)
        m = str(self.match)
        if m:
            parts.append(m)
        return ",".join(parts) + " actions=" + format_actions(self.actions)


@dataclass(frozen=True)
class Bucket:
    actions: tuple = ()
    bucket_id: int = None
    weight: int = None
    watch_port: int = None

    def __str__(self):
        parts = []
        if self.bucket_id is not None:
            parts.append("bucket_id:%d" % self.bucket_id)
        if self.weight is not None:
            parts.append("weight:%d" % self.weight)
        if self.watch_port is not None:
            parts.append("watch_port:%d" % self.watch_port)
        parts.append("actions=" + format_actions(self.actions))
        return "bucket=" + ",".join(parts)


@dataclass(frozen=True)
class GroupMod:
    """A group description (add-group syntax).  type: "select", "all",
    "indirect", "ff"; selection_method "dp_hash" or "hash" with `fields`
    (OVS field names) for hash; selection_method_param (for dp_hash, the
    hash algorithm in the upper 32 bits: 1 << 32 = symmetric L4)."""
    group_id: int
    type: str = "select"
    buckets: tuple = ()
    selection_method: str = None
    fields: tuple = ()
    selection_method_param: int = None

    def __str__(self):
        s = "group_id=%d,type=%s" % (self.group_id, self.type)
        if self.selection_method:
            s += ",selection_method=%s" % self.selection_method
        if self.selection_method_param is not None:
            s += ",selection_method_param=%d" % self.selection_method_param
        if self.fields:
            s += ",fields(%s)" % ",".join(self.fields)
        for b in self.buckets:
            s += "," + str(b)
        return s

    def body(self):
        """Everything but the group id: what two users of a group must
        share to share the group."""
        return str(GroupMod(0, self.type, self.buckets, self.selection_method,
                            self.fields, self.selection_method_param)
                   ).split(",", 1)[1]


@dataclass(frozen=True)
class MeterBand:
    type: str = "drop"
    rate: int = 0
    burst_size: int = 0

    def __str__(self):
        s = "type=%s,rate=%d" % (self.type, self.rate)
        if self.burst_size:
            s += ",burst_size=%d" % self.burst_size
        return s


@dataclass(frozen=True)
class MeterMod:
    """A meter description (add-meter syntax).  unit "kbps" or "pktps"."""
    meter_id: int
    unit: str = "kbps"
    burst: bool = False
    stats: bool = False
    bands: tuple = ()

    def __str__(self):
        s = "meter=%d,%s" % (self.meter_id, self.unit)
        if self.burst:
            s += ",burst"
        if self.stats:
            s += ",stats"
        s += ",bands=" + " ".join(str(b) for b in self.bands)
        return s

    def body(self):
        return str(MeterMod(0, self.unit, self.burst, self.stats,
                            self.bands)).split(",", 1)[1]
