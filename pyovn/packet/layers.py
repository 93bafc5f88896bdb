"""One class per protocol header: its fields, how to encode it in front of a
payload, and how to decode it from bytes.

Every header lists its fields once (name, kind, default); composing and
decoding both work from that list, so a decoded packet's summary composes
back to the same bytes.  A field whose default is DERIVED is computed when
composing (lengths, checksums, next-protocol numbers) and left out of a
summary when the decoded value equals what would be computed.
"""

import struct

from pyovn.packet import tunnel
from pyovn.packet.fields import (
    BOOL, HEX, IP4, Kind, IP6, MAC, TEXT, U3, U8, U12, U13, U16, U20,
    U24, U32, U64, X16, PacketError, checksum, ip4_bytes, ip6_bytes,
    ip4_str, ip6_str, mac_bytes, mac_str, parse_hex, pseudo_header_sum)

DERIVED = object()      # default of a field computed when composing
REQUIRED = object()     # default of a field that must be given


class Field:
    def __init__(self, name, kind, default=0, always=False):
        self.name = name
        self.kind = kind
        self.default = default
        self.always = always        # shown in summaries even when default


class Header:
    name = None
    fields = ()
    doc = ""
    # (field name, {next layer name: value}): the field that says what
    # follows, filled in from the next layer when composing.
    next_field = None
    next_map = {}

    def field(self, name):
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def fill(self, given):
        """Typed values from GIVEN (text or Python values), defaults added.
        DERIVED fields not given are None."""
        values = {}
        for key, raw in given.items():
            f = self.field(key)
            if f is None:
                raise PacketError("%s: unknown field '%s' (fields: %s)"
                                  % (self.name, key,
                                     ", ".join(x.name for x in self.fields)))
            try:
                values[key] = f.kind.parse(raw)
            except PacketError as e:
                raise PacketError("%s: bad %s: %s" % (self.name, key, e))
        for f in self.fields:
            if f.name in values:
                continue
            if f.default is REQUIRED:
                raise PacketError("%s: missing field '%s'" % (self.name, f.name))
            values[f.name] = None if f.default is DERIVED else f.default
        return values

    def next_value(self, values, nxt):
        """The next-protocol field's value when composing before NXT."""
        v = values.get(self.next_field)
        if v is not None:
            return v
        if nxt in self.next_map:
            return self.next_map[nxt]
        raise PacketError("%s: give %s= (the next layer is %s)"
                          % (self.name, self.next_field, nxt or "missing"))

    def next_name(self, value):
        for name, v in self.next_map.items():
            if v == value:
                return name
        return None

    # Subclasses: encode(values, payload, nxt, prev) -> bytes (header +
    # payload); decode(data, prev) -> (values, auto, rest, next_name).
    def encode(self, values, payload, nxt, prev):
        raise NotImplementedError

    def decode(self, data, prev):
        raise NotImplementedError


def _need(name, data, n):
    if len(data) < n:
        raise PacketError("%s: truncated (%d bytes, header needs %d)"
                          % (name, len(data), n))


class Eth(Header):
    name = "eth"
    doc = "Ethernet II"
    fields = (Field("dst", MAC, REQUIRED, True), Field("src", MAC, REQUIRED, True),
              Field("type", X16, DERIVED))
    next_field = "type"
    next_map = {"ip4": 0x0800, "arp": 0x0806, "ip6": 0x86dd, "vlan": 0x8100}

    def encode(self, v, payload, nxt, prev):
        return (mac_bytes(v["dst"]) + mac_bytes(v["src"])
                + struct.pack("!H", self.next_value(v, nxt)) + payload)

    def decode(self, data, prev):
        _need(self.name, data, 14)
        v = {"dst": mac_str(data[0:6]), "src": mac_str(data[6:12]),
             "type": struct.unpack("!H", data[12:14])[0]}
        nxt = self.next_name(v["type"])
        return v, {"type"} if nxt else set(), data[14:], nxt


class Vlan(Header):
    name = "vlan"
    doc = "802.1Q tag (the Ethernet type before it is tpid)"
    fields = (Field("vid", U12, REQUIRED, True), Field("pcp", U3), Field("dei", BOOL, False),
              Field("type", X16, DERIVED))
    next_field = "type"
    next_map = Eth.next_map

    def encode(self, v, payload, nxt, prev):
        tci = (v["pcp"] << 13) | (int(v["dei"]) << 12) | v["vid"]
        return struct.pack("!HH", tci, self.next_value(v, nxt)) + payload

    def decode(self, data, prev):
        _need(self.name, data, 4)
        tci, typ = struct.unpack("!HH", data[:4])
        v = {"vid": tci & 0xfff, "pcp": tci >> 13, "dei": bool(tci & 0x1000), "type": typ}
        nxt = self.next_name(typ)
        return v, {"type"} if nxt else set(), data[4:], nxt


class Arp(Header):
    name = "arp"
    doc = "ARP for IPv4 over Ethernet (op 1 request, 2 reply)"
    fields = (Field("op", U16, 1, True), Field("sha", MAC, REQUIRED, True),
              Field("spa", IP4, REQUIRED, True), Field("tha", MAC, "00:00:00:00:00:00", True),
              Field("tpa", IP4, REQUIRED, True), Field("pad", HEX, ""))

    def encode(self, v, payload, nxt, prev):
        return (struct.pack("!HHBBH", 1, 0x0800, 6, 4, v["op"]) + mac_bytes(v["sha"])
                + ip4_bytes(v["spa"]) + mac_bytes(v["tha"]) + ip4_bytes(v["tpa"])
                + payload + parse_hex(v["pad"]))

    def decode(self, data, prev):
        _need(self.name, data, 28)
        htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", data[:8])
        if (htype, ptype, hlen, plen) != (1, 0x0800, 6, 4):
            raise PacketError("arp: not Ethernet/IPv4 (htype %d ptype 0x%04x)" % (htype, ptype))
        v = {"op": op, "sha": mac_str(data[8:14]), "spa": ip4_str(data[14:18]),
             "tha": mac_str(data[18:24]), "tpa": ip4_str(data[24:28]), "pad": data[28:].hex()}
        return v, set(), b"", None


IPPROTO = {"icmp4": 1, "tcp": 6, "udp": 17, "icmp6": 58, "nd_ns": 58, "nd_na": 58,
           "nd_rs": 58, "nd_ra": 58}


class Ip4(Header):
    name = "ip4"
    doc = "IPv4 (pad = bytes after the datagram, e.g. Ethernet padding)"
    fields = (Field("src", IP4, REQUIRED, True), Field("dst", IP4, REQUIRED, True),
              Field("ttl", U8, 64, True), Field("tos", U8), Field("id", U16),
              Field("df", BOOL, False), Field("mf", BOOL, False), Field("frag", U13),
              Field("proto", U8, DERIVED), Field("len", U16, DERIVED),
              Field("csum", X16, DERIVED), Field("opts", HEX, ""), Field("pad", HEX, ""))
    next_field = "proto"
    next_map = {"icmp4": 1, "tcp": 6, "udp": 17}

    def encode(self, v, payload, nxt, prev):
        opts = parse_hex(v["opts"])
        if len(opts) % 4:
            raise PacketError("ip4: opts must be a multiple of 4 bytes")
        ihl = 5 + len(opts) // 4
        total = v["len"] if v["len"] is not None else ihl * 4 + len(payload)
        flags = (0x4000 if v["df"] else 0) | (0x2000 if v["mf"] else 0) | v["frag"]
        hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, v["tos"], total, v["id"], flags,
                          v["ttl"], self.next_value(v, nxt), 0,
                          ip4_bytes(v["src"]), ip4_bytes(v["dst"])) + opts
        csum = v["csum"] if v["csum"] is not None else checksum(hdr)
        hdr = hdr[:10] + struct.pack("!H", csum) + hdr[12:]
        return hdr + payload + parse_hex(v["pad"])

    def decode(self, data, prev):
        _need(self.name, data, 20)
        vihl, tos, total, ident, flags, ttl, proto, csum = struct.unpack("!BBHHHBBH", data[:12])
        if vihl >> 4 != 4:
            raise PacketError("ip4: version is %d, not 4" % (vihl >> 4))
        ihl = (vihl & 15) * 4
        if ihl < 20 or len(data) < ihl or total < ihl or total > len(data):
            raise PacketError("ip4: bad header or total length (ihl %d, len %d, %d bytes)"
                              % (ihl, total, len(data)))
        hdr = data[:ihl]
        v = {"src": ip4_str(data[12:16]), "dst": ip4_str(data[16:20]), "ttl": ttl,
             "tos": tos, "id": ident, "df": bool(flags & 0x4000), "mf": bool(flags & 0x2000),
             "frag": flags & 0x1fff, "proto": proto, "len": total, "csum": csum,
             "opts": data[20:ihl].hex(), "pad": data[total:].hex()}
        auto = {"len"}
        if checksum(hdr[:10] + b"\0\0" + hdr[12:]) == csum:
            auto.add("csum")
        nxt = self.next_name(proto) if not (v["frag"] or v["mf"]) else None
        if nxt:
            auto.add("proto")
        return v, auto, data[ihl:total], nxt


class Ip6(Header):
    name = "ip6"
    doc = "IPv6 (no extension headers are interpreted)"
    fields = (Field("src", IP6, REQUIRED, True), Field("dst", IP6, REQUIRED, True),
              Field("hlim", U8, 64, True), Field("tc", U8), Field("fl", U20),
              Field("nh", U8, DERIVED), Field("plen", U16, DERIVED), Field("pad", HEX, ""))
    next_field = "nh"
    next_map = {"tcp": 6, "udp": 17, "icmp6": 58, "nd_ns": 58, "nd_na": 58,
                "nd_rs": 58, "nd_ra": 58}

    def encode(self, v, payload, nxt, prev):
        plen = v["plen"] if v["plen"] is not None else len(payload)
        first = (6 << 28) | (v["tc"] << 20) | v["fl"]
        return (struct.pack("!IHBB", first, plen, self.next_value(v, nxt), v["hlim"])
                + ip6_bytes(v["src"]) + ip6_bytes(v["dst"]) + payload + parse_hex(v["pad"]))

    def decode(self, data, prev):
        _need(self.name, data, 40)
        first, plen, nh, hlim = struct.unpack("!IHBB", data[:8])
        if first >> 28 != 6:
            raise PacketError("ip6: version is %d, not 6" % (first >> 28))
        if 40 + plen > len(data):
            raise PacketError("ip6: payload length %d exceeds the %d bytes present"
                              % (plen, len(data) - 40))
        v = {"src": ip6_str(data[8:24]), "dst": ip6_str(data[24:40]), "hlim": hlim,
             "tc": (first >> 20) & 0xff, "fl": first & 0xfffff, "nh": nh, "plen": plen,
             "pad": data[40 + plen:].hex()}
        nxt = {6: "tcp", 17: "udp", 58: "icmp6"}.get(nh)
        return v, {"plen", "nh"} if nxt else {"plen"}, data[40:40 + plen], nxt


def _l4_checksum(name, prev, proto, segment):
    """Checksum of an L4 SEGMENT (checksum field zeroed) under PREV's
    pseudo-header; PREV is (layer name, values) of the enclosing IP header."""
    if prev is None or prev[0] not in ("ip4", "ip6"):
        if proto == 58:
            raise PacketError("%s: must follow ip6 (its checksum covers the IPv6 header)" % name)
        raise PacketError("%s: must follow ip4 or ip6 (its checksum covers the IP header)" % name)
    pv = prev[1]
    pack = ip4_bytes if prev[0] == "ip4" else ip6_bytes
    return checksum(segment, pseudo_header_sum(pack(pv["src"]), pack(pv["dst"]),
                                               proto, len(segment)))


class Udp(Header):
    name = "udp"
    doc = "UDP (dst defaults to 6081 before geneve, 4789 before vxlan)"
    fields = (Field("src", U16, 0, True), Field("dst", U16, DERIVED, True),
              Field("len", U16, DERIVED), Field("csum", X16, DERIVED))
    next_field = "dst"
    next_map = {"geneve": 6081, "vxlan": 4789}

    def encode(self, v, payload, nxt, prev):
        dst = v["dst"] if v["dst"] is not None else self.next_map.get(nxt)
        if dst is None:
            raise PacketError("udp: missing field 'dst'")
        length = v["len"] if v["len"] is not None else 8 + len(payload)
        seg = struct.pack("!HHHH", v["src"], dst, length, 0) + payload
        csum = v["csum"]
        if csum is None:
            csum = _l4_checksum("udp", prev, 17, seg) or 0xffff
        return seg[:6] + struct.pack("!H", csum) + seg[8:]

    def decode(self, data, prev):
        _need(self.name, data, 8)
        src, dst, length, csum = struct.unpack("!HHHH", data[:8])
        v = {"src": src, "dst": dst, "len": length, "csum": csum}
        auto = set()
        if length == len(data):
            auto.add("len")
        if prev and prev[0] in ("ip4", "ip6"):
            try:
                want = _l4_checksum("udp", prev, 17, data[:6] + b"\0\0" + data[8:]) or 0xffff
            except PacketError:
                want = None
            if want == csum:
                auto.add("csum")
        nxt = self.next_name(dst)
        return v, auto, data[8:], nxt


TCP_FLAGS = "FSRPAUEC"      # bit 0 (FIN) .. bit 7 (CWR)


def _tcp_flags_parse(text):
    if isinstance(text, int):
        return "".join(c for i, c in enumerate(TCP_FLAGS) if text & (1 << i))
    s = str(text).upper()
    if s.startswith("0X") or s.isdigit():
        return _tcp_flags_parse(int(s, 0) & 0xff)
    bad = [c for c in s if c not in TCP_FLAGS]
    if bad:
        raise PacketError("'%s' is not TCP flags (letters from %s)" % (text, TCP_FLAGS))
    return "".join(c for c in TCP_FLAGS if c in s)


TCP_FLAGS_KIND = Kind("tcpflags", _tcp_flags_parse, str)


class Tcp(Header):
    name = "tcp"
    doc = "TCP (flags as letters F S R P A U E C; dst 7471 carries stt)"
    fields = (Field("src", U16, 0, True), Field("dst", U16, DERIVED, True),
              Field("seq", U32), Field("ack", U32), Field("flags", TCP_FLAGS_KIND, "", True),
              Field("win", U16, 65535), Field("urg", U16), Field("opts", HEX, ""),
              Field("csum", X16, DERIVED))
    next_field = "dst"
    next_map = {"stt": 7471}

    def encode(self, v, payload, nxt, prev):
        dst = v["dst"] if v["dst"] is not None else self.next_map.get(nxt)
        if dst is None:
            raise PacketError("tcp: missing field 'dst'")
        opts = parse_hex(v["opts"])
        if len(opts) % 4:
            raise PacketError("tcp: opts must be a multiple of 4 bytes")
        flags = sum(1 << TCP_FLAGS.index(c) for c in v["flags"])
        off = (5 + len(opts) // 4) << 12
        seg = struct.pack("!HHIIHHHH", v["src"], dst, v["seq"], v["ack"], off | flags,
                          v["win"], 0, v["urg"]) + opts + payload
        csum = v["csum"] if v["csum"] is not None else _l4_checksum("tcp", prev, 6, seg)
        return seg[:16] + struct.pack("!H", csum) + seg[18:]

    def decode(self, data, prev):
        _need(self.name, data, 20)
        src, dst, seq, ack, offflags, win, csum, urg = struct.unpack("!HHIIHHHH", data[:20])
        hlen = (offflags >> 12) * 4
        if hlen < 20 or hlen > len(data):
            raise PacketError("tcp: bad data offset %d" % hlen)
        v = {"src": src, "dst": dst, "seq": seq, "ack": ack,
             "flags": _tcp_flags_parse(offflags & 0xff), "win": win, "urg": urg,
             "opts": data[20:hlen].hex(), "csum": csum}
        auto = set()
        try:
            if _l4_checksum("tcp", prev, 6, data[:16] + b"\0\0" + data[18:]) == csum:
                auto.add("csum")
        except PacketError:
            pass
        return v, auto, data[hlen:], self.next_name(dst)


ICMP4_ECHO_TYPES = (0, 8, 13, 14, 15, 16)


class Icmp4(Header):
    name = "icmp4"
    doc = "ICMPv4; echo types (0, 8) use id and seq, others rest (4 bytes)"
    fields = (Field("type", U8, 8, True), Field("code", U8, 0, True), Field("id", U16),
              Field("seq", U16), Field("rest", HEX, "00000000"), Field("csum", X16, DERIVED))

    def encode(self, v, payload, nxt, prev):
        if v["type"] in ICMP4_ECHO_TYPES:
            rest = struct.pack("!HH", v["id"], v["seq"])
        else:
            rest = parse_hex(v["rest"])
            if len(rest) != 4:
                raise PacketError("icmp4: rest must be 4 bytes")
        msg = struct.pack("!BBH", v["type"], v["code"], 0) + rest + payload
        csum = v["csum"] if v["csum"] is not None else checksum(msg)
        return msg[:2] + struct.pack("!H", csum) + msg[4:]

    def decode(self, data, prev):
        _need(self.name, data, 8)
        typ, code, csum = struct.unpack("!BBH", data[:4])
        v = {"type": typ, "code": code, "csum": csum, "id": 0, "seq": 0, "rest": "00000000"}
        if typ in ICMP4_ECHO_TYPES:
            v["id"], v["seq"] = struct.unpack("!HH", data[4:8])
        else:
            v["rest"] = data[4:8].hex()
        auto = {"csum"} if checksum(data[:2] + b"\0\0" + data[4:]) == csum else set()
        return v, auto, data[8:], None


def _nd_opt(typ, mac):
    return struct.pack("!BB", typ, 1) + mac_bytes(mac)


def _nd_split(name, data, want):
    """Splits ND options DATA: returns (mac of the leading option of type
    WANT or None, remaining options as hex)."""
    if len(data) >= 8 and data[0] == want and data[1] == 1:
        return mac_str(data[2:8]), data[8:].hex()
    return None, data.hex()


class _Icmp6Base(Header):
    icmp_type = None

    def _finish(self, v, body, payload, prev):
        msg = struct.pack("!BBH", self.type_of(v), v.get("code", 0), 0) + body + payload
        csum = v["csum"] if v["csum"] is not None else _l4_checksum(self.name, prev, 58, msg)
        return msg[:2] + struct.pack("!H", csum) + msg[4:]

    def type_of(self, v):
        return self.icmp_type

    def _auto(self, data, prev, csum):
        try:
            ok = _l4_checksum(self.name, prev, 58, data[:2] + b"\0\0" + data[4:]) == csum
        except PacketError:
            ok = False
        return {"csum"} if ok else set()


class Icmp6(_Icmp6Base):
    name = "icmp6"
    doc = "ICMPv6; echo types (128, 129) use id and seq, others rest (4 bytes)"
    fields = (Field("type", U8, 128, True), Field("code", U8, 0, True), Field("id", U16),
              Field("seq", U16), Field("rest", HEX, "00000000"), Field("csum", X16, DERIVED))

    def type_of(self, v):
        return v["type"]

    def encode(self, v, payload, nxt, prev):
        if v["type"] in (128, 129):
            body = struct.pack("!HH", v["id"], v["seq"])
        else:
            body = parse_hex(v["rest"])
            if len(body) != 4:
                raise PacketError("icmp6: rest must be 4 bytes")
        return self._finish(v, body, payload, prev)

    def decode(self, data, prev):
        _need(self.name, data, 8)
        typ, code, csum = struct.unpack("!BBH", data[:4])
        v = {"type": typ, "code": code, "csum": csum, "id": 0, "seq": 0, "rest": "00000000"}
        if typ in (128, 129):
            v["id"], v["seq"] = struct.unpack("!HH", data[4:8])
        else:
            v["rest"] = data[4:8].hex()
        return v, self._auto(data, prev, csum), data[8:], None


class NdNs(_Icmp6Base):
    name = "nd_ns"
    icmp_type = 135
    doc = "ICMPv6 neighbor solicitation (sll = source link-layer address option)"
    fields = (Field("target", IP6, REQUIRED, True), Field("sll", MAC, None, True),
              Field("opts", HEX, ""), Field("csum", X16, DERIVED))
    opt_field, opt_type = "sll", 1

    def _head(self, v):
        return b"\0\0\0\0" + ip6_bytes(v["target"])

    def encode(self, v, payload, nxt, prev):
        opts = (_nd_opt(self.opt_type, v[self.opt_field]) if v[self.opt_field] else b"")
        return self._finish(v, self._head(v) + opts + parse_hex(v["opts"]), payload, prev)

    def _decode_head(self, data, v):
        v["target"] = ip6_str(data[8:24])
        return 24

    def decode(self, data, prev):
        _need(self.name, data, 8)
        csum = struct.unpack("!H", data[2:4])[0]
        v = {"csum": csum}
        off = self._decode_head(data, v)
        _need(self.name, data, off)
        v[self.opt_field], v["opts"] = _nd_split(self.name, data[off:], self.opt_type)
        return v, self._auto(data, prev, csum), b"", None


class NdNa(NdNs):
    name = "nd_na"
    icmp_type = 136
    doc = "ICMPv6 neighbor advertisement (tll = target link-layer address option)"
    fields = (Field("target", IP6, REQUIRED, True), Field("tll", MAC, None, True),
              Field("router", BOOL, False), Field("solicited", BOOL, False),
              Field("override", BOOL, False), Field("opts", HEX, ""), Field("csum", X16, DERIVED))
    opt_field, opt_type = "tll", 2

    def _head(self, v):
        flags = (v["router"] << 31) | (v["solicited"] << 30) | (v["override"] << 29)
        return struct.pack("!I", flags) + ip6_bytes(v["target"])

    def _decode_head(self, data, v):
        _need(self.name, data, 24)
        flags = struct.unpack("!I", data[4:8])[0]
        v.update(router=bool(flags >> 31 & 1), solicited=bool(flags >> 30 & 1),
                 override=bool(flags >> 29 & 1), target=ip6_str(data[8:24]))
        return 24


class NdRs(NdNs):
    name = "nd_rs"
    icmp_type = 133
    doc = "ICMPv6 router solicitation"
    fields = (Field("sll", MAC, None, True), Field("opts", HEX, ""), Field("csum", X16, DERIVED))

    def _head(self, v):
        return b"\0\0\0\0"

    def _decode_head(self, data, v):
        return 8


class NdRa(NdNs):
    name = "nd_ra"
    icmp_type = 134
    doc = "ICMPv6 router advertisement (other options, e.g. prefix, as opts hex)"
    fields = (Field("hop_limit", U8, 255), Field("managed", BOOL, False),
              Field("other", BOOL, False), Field("lifetime", U16, 1800),
              Field("reachable", U32), Field("retrans", U32), Field("sll", MAC, None, True),
              Field("opts", HEX, ""), Field("csum", X16, DERIVED))

    def _head(self, v):
        flags = (v["managed"] << 7) | (v["other"] << 6)
        return struct.pack("!BBHII", v["hop_limit"], flags, v["lifetime"],
                           v["reachable"], v["retrans"])

    def _decode_head(self, data, v):
        _need(self.name, data, 16)
        hl, flags, life, reach, retr = struct.unpack("!BBHII", data[4:16])
        v.update(hop_limit=hl, managed=bool(flags & 0x80), other=bool(flags & 0x40),
                 lifetime=life, reachable=reach, retrans=retr)
        return 16


ND_BY_TYPE = {133: "nd_rs", 134: "nd_ra", 135: "nd_ns", 136: "nd_na"}


class Geneve(Header):
    name = "geneve"
    doc = ("Geneve (RFC 8926); inport/outport make OVN's option (class 0x0102 "
           "type 0x80), opts holds any other options as raw TLV hex")
    fields = (Field("vni", U24, REQUIRED, True), Field("inport", U16, None, True),
              Field("outport", U16, None, True), Field("opts", HEX, ""),
              Field("oam", BOOL, False), Field("critical", BOOL, DERIVED),
              Field("proto", X16, DERIVED))
    next_field = "proto"
    next_map = {"eth": 0x6558}

    def encode(self, v, payload, nxt, prev):
        opts = b""
        if v["inport"] is not None or v["outport"] is not None:
            opts = tunnel.geneve_ovn_option(v["inport"] or 0, v["outport"] or 0)
        opts += parse_hex(v["opts"])
        if len(opts) % 4 or len(opts) > 252:
            raise PacketError("geneve: options must be a multiple of 4 bytes, at most 252")
        crit = v["critical"]
        if crit is None:
            crit = any(o[1] & 0x80 for o in tunnel.geneve_options(opts))
        first = ((len(opts) // 4) << 8) | (0x80 if v["oam"] else 0) | (0x40 if crit else 0)
        hdr = struct.pack("!HHI", first, self.next_value(v, nxt), v["vni"] << 8)
        return hdr + opts + payload

    def decode(self, data, prev):
        _need(self.name, data, 8)
        first, proto, vni = struct.unpack("!HHI", data[:8])
        ver, optlen = first >> 14, (first >> 8) & 0x3f
        if ver != 0:
            raise PacketError("geneve: version %d" % ver)
        _need(self.name, data, 8 + optlen * 4)
        opts = data[8:8 + optlen * 4]
        options = tunnel.geneve_options(opts)
        v = {"vni": vni >> 8, "oam": bool(first & 0x80), "critical": bool(first & 0x40),
             "proto": proto, "inport": None, "outport": None, "opts": opts.hex()}
        if options and options[0][:2] == (tunnel.GENEVE_OPT_CLASS, tunnel.GENEVE_OPT_TYPE) \
                and len(options[0][2]) == 4:
            v["inport"], v["outport"] = tunnel.geneve_ovn_decode(options[0][2])
            v["opts"] = opts[8:].hex()
        auto = set()
        if v["critical"] == any(o[1] & 0x80 for o in options):
            auto.add("critical")
        nxt = self.next_name(proto)
        if nxt:
            auto.add("proto")
        return v, auto, data[8 + optlen * 4:], nxt


class Vxlan(Header):
    name = "vxlan"
    doc = "VXLAN (RFC 7348); the inner frame is Ethernet"
    fields = (Field("vni", U24, REQUIRED, True), Field("flags", U8, 0x08))

    def encode(self, v, payload, nxt, prev):
        return struct.pack("!II", v["flags"] << 24, v["vni"] << 8) + payload

    def decode(self, data, prev):
        _need(self.name, data, 8)
        a, b = struct.unpack("!II", data[:8])
        return {"flags": a >> 24, "vni": b >> 8}, set(), data[8:], "eth"


class Stt(Header):
    name = "stt"
    doc = "STT frame header (first segment; the TCP header before it is the outer one)"
    fields = (Field("id", U64, REQUIRED, True), Field("flags", U8), Field("l4off", U8),
              Field("mss", U16), Field("vlan", U16))

    def encode(self, v, payload, nxt, prev):
        return struct.pack("!BBBBHHQH", 0, v["flags"], v["l4off"], 0, v["mss"],
                           v["vlan"], v["id"], 0) + payload

    def decode(self, data, prev):
        _need(self.name, data, 18)
        ver, flags, l4off, _, mss, vlan, ident, _ = struct.unpack("!BBBBHHQH", data[:18])
        if ver != 0:
            raise PacketError("stt: version %d" % ver)
        v = {"id": ident, "flags": flags, "l4off": l4off, "mss": mss, "vlan": vlan}
        return v, set(), data[18:], "eth"


class Payload(Header):
    name = "payload"
    doc = "bytes after the last header: hex=... or text=\"...\""
    fields = (Field("hex", HEX, ""), Field("text", TEXT, ""))

    def encode(self, v, payload, nxt, prev):
        return parse_hex(v["hex"]) + v["text"].encode() + payload

    def decode(self, data, prev):
        return {"hex": data.hex(), "text": ""}, {"text"}, b"", None


HEADERS = {h.name: h for h in (Eth(), Vlan(), Arp(), Ip4(), Ip6(), Icmp4(), Icmp6(),
                               NdNs(), NdNa(), NdRs(), NdRa(), Udp(), Tcp(), Geneve(),
                               Vxlan(), Stt(), Payload())}


def header(name):
    try:
        return HEADERS[name]
    except KeyError:
        raise PacketError("unknown layer '%s' (layers: %s)" % (name, ", ".join(HEADERS)))
