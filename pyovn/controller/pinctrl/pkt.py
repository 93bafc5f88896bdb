"""Strict packet parsing and building for pinctrl.

Every handler starts from `parse(data)`, which checks each header it
reads against the bytes actually present: a truncated header, an IPv4
total length or IPv6 payload length that claims more than the frame
holds, or an impossible header length raises `Drop`.  The dispatcher
logs the drop (rate-limited) and sends nothing back.  Builders refuse to
build what cannot be encoded (an IPv6 payload above 65535 bytes, ...).
"""

import ipaddress
import struct

ETH_ARP = 0x0806
ETH_IP4 = 0x0800
ETH_IP6 = 0x86dd
VLAN_TPIDS = (0x8100, 0x88a8)
PROTO_ICMP4, PROTO_TCP, PROTO_UDP, PROTO_ICMP6, PROTO_SCTP = 1, 6, 17, 58, 132
BROADCAST = b"\xff" * 6
ZERO_MAC = b"\0" * 6


class Drop(Exception):
    """The packet is malformed (or not what the action expects): drop it.
    The message says what is wrong."""


def need(data, off, n, what):
    if off < 0 or off + n > len(data):
        raise Drop("truncated %s: need %d bytes at offset %d, packet has %d"
                   % (what, n, off, len(data)))


class Parsed:
    """A decoded frame.  Offsets index `data`; l4 ends at `l4_end` (the end
    the IP header claims, checked to be inside the frame)."""

    def __init__(self, data):
        self.data = bytes(data)
        self.dst = self.src = b""
        self.vlan = b""             # the 4-byte 802.1Q tag, if any
        self.eth_type = None
        self.l3 = None
        self.arp = None
        self.ip_version = None
        self.ip_src = self.ip_dst = None     # bytes (4 or 16)
        self.proto = None
        self.ttl = None
        self.frag_off = 0
        self.l4 = None
        self.l4_end = None

    @property
    def l3_end(self):
        return self.l4_end if self.l4_end is not None else len(self.data)

    def l4_bytes(self):
        return self.data[self.l4:self.l4_end]

    def ip_packet(self):
        """The IP datagram (header + payload) as the IP header delimits it."""
        return self.data[self.l3:self.l3_end]


def parse(data):
    p = Parsed(data)
    d = p.data
    need(d, 0, 14, "Ethernet header")
    p.dst, p.src = d[0:6], d[6:12]
    off = 12
    et = struct.unpack_from("!H", d, off)[0]
    if et in VLAN_TPIDS:
        need(d, off, 8, "VLAN header")
        p.vlan = d[off:off + 4]
        off += 4
        et = struct.unpack_from("!H", d, off)[0]
    off += 2
    p.eth_type = et
    p.l3 = off
    if et == ETH_ARP:
        need(d, off, 28, "ARP header")
        htype, ptype, hlen, plen, op = struct.unpack_from("!HHBBH", d, off)
        if (htype, ptype, hlen, plen) != (1, ETH_IP4, 6, 4):
            raise Drop("ARP for hardware %d / protocol 0x%04x with lengths %d/%d is not "
                       "Ethernet/IPv4" % (htype, ptype, hlen, plen))
        p.arp = {"op": op, "sha": d[off + 8:off + 14], "spa": d[off + 14:off + 18],
                 "tha": d[off + 18:off + 24], "tpa": d[off + 24:off + 28]}
    elif et == ETH_IP4:
        need(d, off, 20, "IPv4 header")
        vihl, _tos, tot, _id, frag, ttl, proto = struct.unpack_from("!BBHHHBB", d, off)
        ihl = (vihl & 0xf) * 4
        if vihl >> 4 != 4:
            raise Drop("IPv4 header with version %d" % (vihl >> 4))
        if ihl < 20:
            raise Drop("IPv4 header length %d is below 20" % ihl)
        need(d, off, ihl, "IPv4 header with options")
        if tot < ihl:
            raise Drop("IPv4 total length %d is below its header length %d" % (tot, ihl))
        if off + tot > len(d):
            raise Drop("IPv4 total length %d exceeds the %d bytes present"
                       % (tot, len(d) - off))
        p.ip_version = 4
        p.ttl, p.proto, p.frag_off = ttl, proto, frag
        p.ip_src, p.ip_dst = d[off + 12:off + 16], d[off + 16:off + 20]
        p.l4, p.l4_end = off + ihl, off + tot
    elif et == ETH_IP6:
        need(d, off, 40, "IPv6 header")
        vtc, plen, nxt, hlim = struct.unpack_from("!IHBB", d, off)
        if vtc >> 28 != 6:
            raise Drop("IPv6 header with version %d" % (vtc >> 28))
        if off + 40 + plen > len(d):
            raise Drop("IPv6 payload length %d exceeds the %d bytes present"
                       % (plen, len(d) - off - 40))
        p.ip_version = 6
        p.ttl, p.proto = hlim, nxt
        p.ip_src, p.ip_dst = d[off + 8:off + 24], d[off + 24:off + 40]
        p.l4, p.l4_end = off + 40, off + 40 + plen
    return p


def require(p, what, ok):
    if not ok:
        raise Drop("not %s" % what)


def udp_payload(p):
    """(sport, dport, payload) of a UDP packet, its length checked."""
    require(p, "a UDP packet", p.proto == PROTO_UDP and p.l4 is not None)
    d = p.data
    need(d[:p.l4_end], p.l4, 8, "UDP header")
    sport, dport, ulen = struct.unpack_from("!HHH", d, p.l4)
    if ulen < 8 or p.l4 + ulen > p.l4_end:
        raise Drop("UDP length %d does not fit the %d bytes of the IP payload"
                   % (ulen, p.l4_end - p.l4))
    return sport, dport, d[p.l4 + 8:p.l4 + ulen]


# --- checksums and builders -----------------------------------------------------

def csum(data, start=0):
    if len(data) % 2:
        data += b"\0"
    s = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def pseudo(version, src, dst, proto, length):
    if version == 4:
        return src + dst + struct.pack("!BBH", 0, proto, length)
    return src + dst + struct.pack("!IxxxB", length, proto)


def l4_csum(version, src, dst, proto, segment):
    c = csum(pseudo(version, src, dst, proto, len(segment)) + segment)
    if proto == PROTO_UDP and c == 0:
        c = 0xffff
    return c


def eth(dst, src, eth_type, payload, vlan=b""):
    return bytes(dst) + bytes(src) + bytes(vlan) + struct.pack("!H", eth_type) + payload


def ip4(src, dst, proto, payload, ttl=255, tos=0, ident=0):
    total = 20 + len(payload)
    if total > 0xffff:
        raise ValueError("IPv4 datagram of %d bytes is too long" % total)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, tos, total, ident, 0, ttl, proto, 0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ip6(src, dst, nxt, payload, hlim=255, tc_flow=0):
    if len(payload) > 0xffff:
        raise ValueError("IPv6 payload of %d bytes does not fit the 16-bit payload length"
                         % len(payload))
    return struct.pack("!IHBB", (6 << 28) | tc_flow, len(payload), nxt, hlim) + src + dst + payload


def ip(version, src, dst, proto, payload, ttl=255):
    return (ip4 if version == 4 else ip6)(src, dst, proto, payload, ttl)


def with_l4_csum(version, src, dst, proto, segment, csum_off):
    seg = bytearray(segment)
    seg[csum_off:csum_off + 2] = b"\0\0"
    c = l4_csum(version, src, dst, proto, bytes(seg))
    seg[csum_off:csum_off + 2] = struct.pack("!H", c)
    return bytes(seg)


def icmp4(type_, code, rest, data=b""):
    msg = struct.pack("!BBH", type_, code, 0) + rest + data
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def icmp6(src, dst, type_, code, body):
    msg = struct.pack("!BBH", type_, code, 0) + body
    return with_l4_csum(6, src, dst, PROTO_ICMP6, msg, 2)


def udp(version, src, dst, sport, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return with_l4_csum(version, src, dst, PROTO_UDP, seg, 6)


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def mac_bytes(text):
    parts = text.split(":")
    if len(parts) != 6:
        raise ValueError("bad Ethernet address %r" % text)
    return bytes(int(x, 16) for x in parts)


def ip_str(b):
    return str(ipaddress.ip_address(bytes(b)))


def solicited_node(addr):
    """(IPv6 solicited-node multicast address, its Ethernet address)."""
    sn = bytes.fromhex("ff0200000000000000000001ff") + bytes(addr[13:16])
    return sn, b"\x33\x33" + sn[12:16]


def replace_udp_payload(p, payload):
    """P with its UDP payload replaced by PAYLOAD: same Ethernet header,
    same IP addresses, TTL and ports; lengths and checksums recomputed."""
    sport, dport, _ = udp_payload(p)
    seg = udp(p.ip_version, p.ip_src, p.ip_dst, sport, dport, payload)
    if p.ip_version == 4:
        tos = p.data[p.l3 + 1]
        l3 = ip4(p.ip_src, p.ip_dst, PROTO_UDP, seg, p.ttl, tos)
        et = ETH_IP4
    else:
        l3 = ip6(p.ip_src, p.ip_dst, PROTO_UDP, seg, p.ttl)
        et = ETH_IP6
    return eth(p.dst, p.src, et, l3, p.vlan)
