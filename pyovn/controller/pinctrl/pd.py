"""IPv6 prefix delegation client (RFC 8415 / 3633) and handle_dhcpv6_reply.

A router port whose southbound options carry
`ipv6_prefix_delegation=true` (ovn-northd copies the NB Logical_Router_Port
option prefix_delegation) and that is served here (local datapath; its
chassisredirect port, if any, resident here) requests a prefix from the
delegating router on its link: SOLICIT with IA_PD every 5 s from the
port's link-local address to ff02::1:2; an ADVERTISE carrying an
IA Prefix is answered with a REQUEST to that server; the REPLY's prefix
is written to the port's southbound options as
`ipv6_ra_pd_list=<IAID>:<prefix>/<length>` (ovn-northd reports it in the
NB port's ipv6_prefix and advertises it).  At the IA's T1 (or half the
preferred lifetime) the solicitation starts again.

DHCPv6 messages reach pinctrl through handle_dhcpv6_reply (the router
pipeline sends it UDP 547 -> 546 packets to the port's addresses).  They
are parsed strictly: every option length checked, IA_PD at least 12
bytes, IA Prefix at least 25, a transaction id we did not send or a
server we did not choose is dropped."""

import random
import struct
import time

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P
from pyovn.controller.pinctrl.bfd import served
from pyovn.controller.pinctrl.dhcp import parse_v6_options
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.openflow import layout as L
from pyovn.openflow.codec import actions as A
from pyovn.openflow.codec import messages as W

SOLICIT, ADVERTISE, REQUEST, REPLY = 1, 2, 3, 7
O_CLIENTID, O_SERVERID, O_ELAPSED, O_IA_PD, O_IAPREFIX = 1, 2, 8, 25, 26
ALL_SERVERS = bytes.fromhex("ff020000000000000000000000010002")
RETRY = 5.0
IAID = 1


def lla(mac):
    eui = bytearray(mac[:3] + b"\xff\xfe" + mac[3:])
    eui[0] ^= 0x02
    return bytes.fromhex("fe80000000000000") + bytes(eui)


def _opt(code, data):
    return struct.pack("!HH", code, len(data)) + data


def parse_ia_pd(val):
    """(iaid, t1, t2, [(prefix, plen, preferred, valid)])."""
    if len(val) < 12:
        raise Drop("IA_PD option of %d bytes (at least 12)" % len(val))
    iaid, t1, t2 = struct.unpack_from("!III", val)
    out = []
    for code, sub in parse_v6_options(val[12:], "IA_PD"):
        if code == O_IAPREFIX:
            if len(sub) < 25:
                raise Drop("IA Prefix option of %d bytes (at least 25)" % len(sub))
            pref, valid, plen = struct.unpack_from("!IIB", sub)
            if plen > 128:
                raise Drop("IA Prefix length %d" % plen)
            out.append((sub[9:25], plen, pref, valid))
    return iaid, t1, t2, out


class Client:
    def __init__(self):
        self.state = SOLICIT
        self.xid = random.getrandbits(24).to_bytes(3, "big")
        self.server = None
        self.prefix = None
        self.next = 0.0
        self.reported = None


class PrefixDelegation:
    def __init__(self):
        self.clients = {}
        self.n_sent = 0

    def ports(self, sb, st):
        return [pb for pb in sb.rows("Port_Binding")
                if pb.options.get("ipv6_prefix_delegation") == "true"
                and served(sb, st, pb.logical_port)]

    def run(self, pc, sb, st, now=None):
        now = time.monotonic() if now is None else now
        pbs = {pb.logical_port: pb for pb in self.ports(sb, st)}
        for name in list(self.clients):
            if name not in pbs:
                del self.clients[name]
        writes = []
        for name, pb in pbs.items():
            c = self.clients.setdefault(name, Client())
            if c.state in (SOLICIT, REQUEST) and now >= c.next:
                try:
                    self.send(pc, pb, c)
                except ValueError as e:
                    pc.warn_once("pinctrl: prefix delegation on %s: %s" % (name, e))
                c.next = now + RETRY
            elif c.state == REPLY and now >= c.next:
                c.state, c.server, c.xid = SOLICIT, None, random.getrandbits(24).to_bytes(3, "big")
            if c.prefix is not None:
                want = "%d:%s/%d" % (IAID, P.ip_str(c.prefix[0]), c.prefix[1])
                if pb.options.get("ipv6_ra_pd_list") != want:
                    writes.append((pb, want))
        if writes:
            def build(txn):
                for pb, want in writes:
                    opts = dict(pb.options)
                    opts["ipv6_ra_pd_list"] = want
                    pb.options = opts
            sb.transact(build)

    def send(self, pc, pb, c):
        words = (list(pb.mac) or [""])[0].split()
        if not words:
            raise ValueError("the port has no MAC address")
        mac = P.mac_bytes(words[0])
        src = lla(mac)
        duid = struct.pack("!HH", 3, 1) + mac
        body = bytearray([c.state]) + c.xid + _opt(O_CLIENTID, duid) + _opt(O_ELAPSED, b"\0\0")
        ia_sub = b""
        if c.state == REQUEST:
            body += _opt(O_SERVERID, c.server)
            pfx, plen = c.offer
            ia_sub = _opt(O_IAPREFIX, struct.pack("!IIB", 0, 0, plen) + pfx)
        body += _opt(O_IA_PD, struct.pack("!III", IAID, 0, 0) + ia_sub)
        seg = P.udp(6, src, ALL_SERVERS, 546, 547, bytes(body))
        frame = P.eth(bytes.fromhex("333300010002"), mac, P.ETH_IP6,
                      P.ip6(src, ALL_SERVERS, P.PROTO_UDP, seg, 1))
        pc.send(W.PacketOut(data=frame, in_port=A.OFPP_CONTROLLER, actions=[
            A.Act("set_field", field=L.LOG_DATAPATH, value=pb.datapath.tunnel_key),
            A.Act("set_field", field=L.LOG_OUTPORT, value=pb.tunnel_key),
            A.Act("resubmit", table=L.LOCAL_OUTPUT)]))
        self.n_sent += 1

    def receive(self, name, mtype, xid, opts, now):
        c = self.clients.get(name)
        if c is None or xid != c.xid:
            raise Drop("DHCPv6 message with a transaction id we did not send")
        d = dict(opts)
        if O_IA_PD not in d or O_SERVERID not in d:
            raise Drop("DHCPv6 %d without IA_PD or Server Identifier" % mtype)
        iaid, t1, t2, prefixes = parse_ia_pd(d[O_IA_PD])
        if not prefixes:
            raise Drop("DHCPv6 IA_PD without a prefix")
        pfx, plen, pref, valid = prefixes[0]
        if mtype == ADVERTISE and c.state == SOLICIT:
            c.state, c.server, c.offer, c.next = REQUEST, d[O_SERVERID], (pfx, plen), 0.0
        elif mtype == REPLY and c.state == REQUEST:
            if d[O_SERVERID] != c.server:
                raise Drop("DHCPv6 REPLY from a server we did not choose")
            c.state, c.prefix = REPLY, (pfx, plen)
            renew = t1 or (pref // 2 if pref != 0xffffffff else 0) or 3600
            c.next = now + renew
        else:
            raise Drop("unexpected DHCPv6 message type %d" % mtype)


def handle_dhcpv6_reply(pc, pin, payload):
    p = P.parse(pin.packet)
    sport, dport, body = P.udp_payload(p)
    if (sport, dport) != (547, 546) or len(body) < 4:
        raise Drop("not a DHCPv6 server message")
    opts = parse_v6_options(body[4:], "DHCPv6 reply", request=False)
    port = pc.port(pin.field("metadata", 0), ofio.reg(pin, 14))
    if port is None:
        raise Drop("DHCPv6 reply on an unknown port")
    pc.pd.receive(port.logical_port, body[0], body[1:4], opts, time.monotonic())
