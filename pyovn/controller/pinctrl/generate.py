"""Packet-generating controller actions: arp {}, nd_ns {}, nd_na {},
nd_na_router {}, icmp4 {}, icmp4_error {}, icmp6 {}, icmp6_error {},
tcp_reset {}, sctp_abort {}, reject {}, and the paused icmp4.frag_mtu /
icmp6.frag_mtu assignments inside them.

Each handler builds the packet ovn-sb(5) describes from the packet-in,
then sends it back with a packet-out that reloads the logical metadata
and runs the nested actions (the payload of the controller action).
"""

import struct

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P
from pyovn.controller.pinctrl.pkt import Drop

ICMP4_DATA = 8          # RFC 1122 3.2.2: IP header + first 8 data octets
ICMP6_MAX = 1280        # RFC 4443 2.4 (c): the error fits the IPv6 minimum MTU
ALL_NODES = bytes.fromhex("ff020000000000000000000000000001")
ND_ROUTER, ND_SOLICITED, ND_OVERRIDE = 0x80000000, 0x40000000, 0x20000000


def _vlan(p):
    return p.vlan


def build_arp(p):
    P.require(p, "an IPv4 packet", p.ip_version == 4)
    arp = struct.pack("!HHBBH", 1, P.ETH_IP4, 6, 4, 1) + p.src + p.ip_src + P.ZERO_MAC + p.ip_dst
    return P.eth(p.dst, p.src, P.ETH_ARP, arp, p.vlan)


def build_nd_ns(p):
    P.require(p, "an IPv6 packet", p.ip_version == 6)
    sn, sn_mac = P.solicited_node(p.ip_dst)
    body = b"\0" * 4 + p.ip_dst + bytes([1, 1]) + p.src
    return P.eth(sn_mac, p.src, P.ETH_IP6,
                 P.ip6(p.ip_src, sn, P.PROTO_ICMP6, P.icmp6(p.ip_src, sn, 135, 0, body)),
                 p.vlan)


def ns_target(p):
    P.require(p, "an IPv6 packet", p.ip_version == 6)
    P.require(p, "an ICMPv6 packet", p.proto == P.PROTO_ICMP6)
    P.need(p.data[:p.l4_end], p.l4, 24, "neighbor solicitation")
    P.require(p, "a neighbor solicitation", p.data[p.l4] == 135)
    return p.data[p.l4 + 8:p.l4 + 24]


def build_nd_na(p, router=False):
    target = ns_target(p)
    flags = ND_OVERRIDE | (ND_ROUTER if router else 0)
    if p.ip_src == b"\0" * 16:          # duplicate address detection
        dst = ALL_NODES
    else:
        dst = p.ip_src
        flags |= ND_SOLICITED
    body = struct.pack("!I", flags) + target + bytes([2, 1]) + p.dst
    return P.eth(p.src, p.dst, P.ETH_IP6,
                 P.ip6(target, dst, P.PROTO_ICMP6, P.icmp6(target, dst, 136, 0, body)), p.vlan)


def build_icmp4(p, loopback=False, code=1):
    P.require(p, "an IPv4 packet", p.ip_version == 4)
    ihl = p.l4 - p.l3
    orig = p.data[p.l3:min(p.l3_end, p.l4 + ICMP4_DATA)]
    assert len(orig) >= ihl
    msg = P.icmp4(3, code, b"\0" * 4, orig)
    src, dst = (p.ip_dst, p.ip_src) if loopback else (p.ip_src, p.ip_dst)
    tos = p.data[p.l3 + 1]
    e_src, e_dst = (p.dst, p.src) if loopback else (p.src, p.dst)
    return P.eth(e_dst, e_src, P.ETH_IP4, P.ip4(src, dst, P.PROTO_ICMP4, msg, 255, tos), p.vlan)


def build_icmp6(p, loopback=False, code=1):
    P.require(p, "an IPv6 packet", p.ip_version == 6)
    room = ICMP6_MAX - 40 - 8
    orig = p.data[p.l3:p.l3_end][:room]
    src, dst = (p.ip_dst, p.ip_src) if loopback else (p.ip_src, p.ip_dst)
    msg = P.icmp6(src, dst, 1, code, b"\0" * 4 + orig)
    e_src, e_dst = (p.dst, p.src) if loopback else (p.src, p.dst)
    return P.eth(e_dst, e_src, P.ETH_IP6, P.ip6(src, dst, P.PROTO_ICMP6, msg), p.vlan)


TCP_FIN, TCP_SYN, TCP_RST, TCP_ACK = 0x01, 0x02, 0x04, 0x10


def build_tcp_reset(p, loopback=False):
    P.require(p, "a TCP packet", p.proto == P.PROTO_TCP and p.l4 is not None)
    d = p.data[:p.l4_end]
    P.need(d, p.l4, 20, "TCP header")
    sport, dport, seq, ack, off_flags = struct.unpack_from("!HHIIH", d, p.l4)
    doff = (off_flags >> 12) * 4
    if doff < 20 or p.l4 + doff > len(d):
        raise Drop("TCP data offset %d does not fit the %d bytes of the segment"
                   % (doff, len(d) - p.l4))
    flags = off_flags & 0x1ff
    if flags & TCP_ACK:
        n_seq, n_ack, n_flags = ack, 0, TCP_RST
    else:
        seg_len = len(d) - p.l4 - doff + (1 if flags & TCP_SYN else 0) \
            + (1 if flags & TCP_FIN else 0)
        n_seq, n_ack, n_flags = 0, (seq + seg_len) & 0xffffffff, TCP_RST | TCP_ACK
    src, dst = (p.ip_dst, p.ip_src) if loopback else (p.ip_src, p.ip_dst)
    sp, dp = (dport, sport) if loopback else (sport, dport)
    seg = struct.pack("!HHIIHHHH", sp, dp, n_seq, n_ack, (5 << 12) | n_flags, 0, 0, 0)
    seg = P.with_l4_csum(p.ip_version, src, dst, P.PROTO_TCP, seg, 16)
    e_src, e_dst = (p.dst, p.src) if loopback else (p.src, p.dst)
    et = P.ETH_IP4 if p.ip_version == 4 else P.ETH_IP6
    return P.eth(e_dst, e_src, et, P.ip(p.ip_version, src, dst, P.PROTO_TCP, seg), p.vlan)


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82f63b78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC32C = _crc32c_table()


def crc32c(data):
    c = 0xffffffff
    for b in data:
        c = _CRC32C[(c ^ b) & 0xff] ^ (c >> 8)
    return c ^ 0xffffffff


def build_sctp_abort(p, loopback=False):
    P.require(p, "an SCTP packet", p.proto == P.PROTO_SCTP and p.l4 is not None)
    d = p.data[:p.l4_end]
    P.need(d, p.l4, 16, "SCTP common header and chunk")
    sport, dport, vtag = struct.unpack_from("!HHI", d, p.l4)
    ctype, _cflags, clen = struct.unpack_from("!BBH", d, p.l4 + 12)
    if clen < 4 or p.l4 + 12 + clen > len(d):
        raise Drop("SCTP chunk length %d does not fit the packet" % clen)
    if ctype == 1:                   # INIT: answer with its initiate tag
        P.need(d, p.l4 + 12, 8, "SCTP INIT chunk")
        tag, tbit = struct.unpack_from("!I", d, p.l4 + 16)[0], 0
    else:
        tag, tbit = vtag, 1
    sp, dp = (dport, sport) if loopback else (sport, dport)
    seg = bytearray(struct.pack("!HHII", sp, dp, tag, 0) + struct.pack("!BBH", 6, tbit, 4))
    c = crc32c(bytes(seg))
    seg[8:12] = struct.pack("<I", c)
    src, dst = (p.ip_dst, p.ip_src) if loopback else (p.ip_src, p.ip_dst)
    e_src, e_dst = (p.dst, p.src) if loopback else (p.src, p.dst)
    et = P.ETH_IP4 if p.ip_version == 4 else P.ETH_IP6
    return P.eth(e_dst, e_src, et, P.ip(p.ip_version, src, dst, P.PROTO_SCTP, bytes(seg)),
                 p.vlan)


def build_reject(p):
    """TCP -> RST, SCTP -> ABORT, otherwise ICMP port unreachable; source
    and destination swapped (reject is implicitly a reply)."""
    if p.ip_version is None:
        raise Drop("reject needs an IP packet")
    if p.proto == P.PROTO_TCP:
        return build_tcp_reset(p, loopback=True)
    if p.proto == P.PROTO_SCTP:
        return build_sctp_abort(p, loopback=True)
    if p.ip_version == 4:
        return build_icmp4(p, loopback=True, code=3)
    return build_icmp6(p, loopback=True, code=4)


def set_frag_mtu(p, mtu, version):
    """The packet with the MTU field of its ICMP 'need to fragment' /
    'packet too big' header set to MTU, checksum updated."""
    P.require(p, "an ICMP packet", p.ip_version == version and p.proto in (1, 58))
    d = bytearray(p.data)
    P.need(bytes(d[:p.l4_end]), p.l4, 8, "ICMP header")
    if version == 4:
        d[p.l4 + 4:p.l4 + 8] = struct.pack("!HH", 0, mtu & 0xffff)
        d[p.l4 + 2:p.l4 + 4] = b"\0\0"
        d[p.l4 + 2:p.l4 + 4] = struct.pack("!H", P.csum(bytes(d[p.l4:p.l4_end])))
    else:
        d[p.l4 + 4:p.l4 + 8] = struct.pack("!I", mtu)
        seg = P.with_l4_csum(6, p.ip_src, p.ip_dst, P.PROTO_ICMP6, bytes(d[p.l4:p.l4_end]), 2)
        d[p.l4:p.l4_end] = seg
    return bytes(d)


BUILDERS = {
    "arp": build_arp,
    "nd_ns": build_nd_ns,
    "nd_na": build_nd_na,
    "nd_na_router": lambda p: build_nd_na(p, router=True),
    "icmp": None,                # by IP version
    "icmp4_error": build_icmp4,
    "icmp6_error": build_icmp6,
    "tcp_reset": build_tcp_reset,
    "sctp_abort": build_sctp_abort,
    "reject": build_reject,
}


def build_icmp(p):
    if p.ip_version == 4:
        return build_icmp4(p)
    if p.ip_version == 6:
        return build_icmp6(p)
    raise Drop("icmp4/icmp6 need an IP packet")


BUILDERS["icmp"] = build_icmp


def handler(kind):
    build = BUILDERS[kind]

    def handle(pc, pin, payload):
        p = P.parse(pin.packet)
        pc.send(ofio.packet_out(pin, build(p), payload))
    handle.__name__ = "handle_" + kind
    return handle


def handle_frag_mtu(version):
    def handle(pc, pin, payload):
        n = 2 if version == 4 else 4
        if len(payload) < n:
            raise Drop("frag_mtu payload of %d bytes" % len(payload))
        mtu = int.from_bytes(payload[:n], "big")
        p = P.parse(pin.packet)
        pc.send(ofio.resume(pin, set_frag_mtu(p, mtu, version)))
    return handle
