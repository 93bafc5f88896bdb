"""IPv6 router advertisements.

put_nd_ra_opts: the action's payload is the result header followed by
the whole RA message (ICMPv6 header with a zero checksum, then the
options: source link-layer address, MTU, prefixes, RDNSS, DNSSL, route
information), as pyovn/lang/actions/services.py encodes it.  A router
solicitation is replaced by that RA (addresses left to the following
logical flows), checksum computed, result 1; anything else: result 0.

Periodic RAs: a router port whose southbound options carry
`ipv6_ra_send_periodic=true` (ovn-northd copies ipv6_ra_configs there)
gets an unsolicited RA to ff02::1 at a random interval between
`ipv6_ra_min_interval` and `ipv6_ra_max_interval` seconds (the first one
at once).  Each chassis sends it into the peer switch's pipeline as if it
came from the router port, with MLF_LOCAL_ONLY, so it reaches that
chassis' own ports only and nothing is duplicated across chassis.
"""

import ipaddress
import random
import struct
import time

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P
from pyovn.controller.pinctrl.dhcp import _result
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.lang.actions import dhcp_opts
from pyovn.openflow import layout as L
from pyovn.openflow.codec import actions as A
from pyovn.openflow.codec import messages as W

ALL_NODES = bytes.fromhex("ff020000000000000000000000000001")
ALL_NODES_MAC = bytes.fromhex("333300000001")
PRF = {"HIGH": 0x08, "MEDIUM": 0x00, "LOW": 0x18}
MODE_FLAGS = {"slaac": 0, "dhcpv6_stateful": 0x80, "dhcpv6_stateless": 0x40}


def handle_put_nd_ra_opts(pc, pin, payload):
    field, ofs, ra = _result(payload)
    if len(ra) < 16 or ra[0] != 134:
        raise Drop("put_nd_ra_opts payload is not a router advertisement")
    try:
        p = P.parse(pin.packet)
        P.require(p, "an ICMPv6 packet", p.ip_version == 6 and p.proto == P.PROTO_ICMP6)
        P.need(p.data[:p.l4_end], p.l4, 8, "router solicitation")
        P.require(p, "a router solicitation", p.data[p.l4] == 133)
    except Drop:
        pc.send(ofio.resume(pin, None, (field, ofs, 0)))
        raise
    msg = P.with_l4_csum(6, p.ip_src, p.ip_dst, P.PROTO_ICMP6, ra, 2)
    out = P.eth(p.dst, p.src, P.ETH_IP6, P.ip6(p.ip_src, p.ip_dst, P.PROTO_ICMP6, msg), p.vlan)
    pc.send(ofio.resume(pin, out, (field, ofs, 1)))


def build_periodic_ra(opts):
    """The RA packet (Ethernet frame) for a router port's options; raises
    ValueError naming a bad option."""
    mac = P.mac_bytes(opts["ipv6_ra_src_eth"])
    src = ipaddress.IPv6Address(opts["ipv6_ra_src_addr"]).packed
    mode = opts.get("ipv6_ra_address_mode", "slaac")
    if mode not in MODE_FLAGS:
        raise ValueError("ipv6_ra_address_mode %r" % mode)
    flags = MODE_FLAGS[mode] | PRF.get(opts.get("ipv6_ra_prf", "MEDIUM").upper(), 0)
    max_i = int(opts.get("ipv6_ra_max_interval", 600))
    lifetime = min(0xffff, max(3 * max_i, 1800)) if max_i else 1800
    body = bytearray(struct.pack("!BBHBBHII", 134, 0, 0, 255, flags, lifetime, 0, 0))
    body += bytes([1, 1]) + mac
    if opts.get("ipv6_ra_mtu"):
        body += struct.pack("!BBHI", 5, 1, 0, int(opts["ipv6_ra_mtu"]))
    pflags = 0x80 if mode == "dhcpv6_stateful" else 0xc0
    for pfx in opts.get("ipv6_ra_prefixes", "").split():
        net = ipaddress.IPv6Network(pfx, strict=False)
        body += struct.pack("!BBBBIII", 3, 4, net.prefixlen, pflags, 0xffffffff,
                            0xffffffff, 0) + net.network_address.packed
    rdnss = [ipaddress.IPv6Address(a).packed for a in
             opts.get("ipv6_ra_rdnss", "").replace(",", " ").split()]
    if rdnss:
        body += struct.pack("!BBHI", 25, 1 + 2 * len(rdnss), 0, 0xffffffff) + b"".join(rdnss)
    if opts.get("ipv6_ra_dnssl"):
        names = bytearray()
        for n in opts["ipv6_ra_dnssl"].split(","):
            if n.strip():
                dhcp_opts.encode_domain(n.strip(), names)
        names += b"\0" * ((-(8 + len(names))) % 8)
        body += struct.pack("!BBHI", 31, 1 + len(names) // 8, 0, 0xffffffff) + bytes(names)
    msg = P.with_l4_csum(6, src, ALL_NODES, P.PROTO_ICMP6, bytes(body), 2)
    return P.eth(ALL_NODES_MAC, mac, P.ETH_IP6, P.ip6(src, ALL_NODES, P.PROTO_ICMP6, msg))


class Periodic:
    """Per router port: next send time; sends due RAs."""

    def __init__(self):
        self.next = {}               # router port name -> monotonic deadline
        self.n_sent = 0
        self.bad = set()

    def targets(self, sb, local_dps):
        """[(router port row, peer switch port row)] to advertise here."""
        out = []
        pbs = {pb.logical_port: pb for pb in sb.rows("Port_Binding")}
        for pb in pbs.values():
            if pb.options.get("ipv6_ra_send_periodic") != "true" or pb.type != "patch":
                continue
            peer = pbs.get(pb.options.get("peer", ""))
            if peer is None or peer.datapath.uuid not in local_dps:
                continue
            out.append((pb, peer))
        return out

    def run(self, pc, sb, local_dps, now=None):
        now = time.monotonic() if now is None else now
        live = set()
        for rp, peer in self.targets(sb, local_dps):
            live.add(rp.logical_port)
            due = self.next.get(rp.logical_port)
            if due is not None and due > now:
                continue
            opts = dict(rp.options)
            try:
                frame = build_periodic_ra(opts)
                max_i = max(4, int(opts.get("ipv6_ra_max_interval", 600)))
                min_i = max(3, min(int(opts.get("ipv6_ra_min_interval", max_i // 3)), max_i))
            except (ValueError, KeyError) as e:
                if rp.logical_port not in self.bad:
                    self.bad.add(rp.logical_port)
                    pc.vlog.warn("pinctrl: periodic RA for %s: bad option: %s"
                                 % (rp.logical_port, e))
                self.next[rp.logical_port] = now + 60
                continue
            acts = [A.Act("set_field", field="metadata", value=peer.datapath.tunnel_key),
                    A.Act("set_field", field=L.LOG_INPORT, value=peer.tunnel_key),
                    A.Act("set_field", field=L.LOG_FLAGS, value=1 << L.MLF_LOCAL_ONLY_BIT),
                    A.Act("resubmit", table=L.LOG_INGRESS_PIPELINE)]
            pc.send(W.PacketOut(data=frame, actions=acts, in_port=A.OFPP_CONTROLLER))
            self.n_sent += 1
            self.next[rp.logical_port] = now + random.uniform(min_i, max_i)
        for name in list(self.next):
            if name not in live:
                del self.next[name]

    def timeout(self, now=None):
        """Seconds until the next RA is due (None: none scheduled)."""
        if not self.next:
            return None
        now = time.monotonic() if now is None else now
        return max(0.0, min(self.next.values()) - now)
