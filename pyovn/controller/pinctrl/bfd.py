"""BFD to static-route next hops (southbound BFD table, RFC 5880).

For each BFD row whose `logical_port` (a router port) is served here —
its datapath is local and, when the port has a chassisredirect port
`cr-<port>`, that one is resident here — this chassis runs one
asynchronous-mode session from the port's address in `dst_ip`'s subnet
to `dst_ip`, UDP source port `src_port`, destination 3784, our
discriminator `disc`.  Control packets go out every `min_tx` ms while Up
and at least every second otherwise; `handle_bfd_msg` receives the
peer's.  State machine as RFC 5880 6.8.6 (Down -> Init -> Up, AdminDown
and Down from the peer take us Down); the detection time
`detect_mult` x max(our `min_rx`, the peer's desired tx) without a packet
takes an Up/Init session Down.  `status` is written when it changes.

Received control packets are checked before use (RFC 5880 6.8.6): UDP
payload at least 24 bytes, version 1, the length field at least 24 and
not beyond the payload, non-zero detect multiplier and discriminator, no
multipoint bit, a zero "your discriminator" only in Down/AdminDown.
"""

import ipaddress
import struct
import time

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.openflow import layout as L
from pyovn.openflow.codec import actions as A
from pyovn.openflow.codec import messages as W

BFD_PORT = 3784
ADMIN_DOWN, DOWN, INIT, UP = 0, 1, 2, 3
NAMES = {ADMIN_DOWN: "admin_down", DOWN: "down", INIT: "init", UP: "up"}
SLOW_TX_MS = 1000


def parse_control(body):
    """dict of a BFD control packet (the UDP payload); raises Drop."""
    if len(body) < 24:
        raise Drop("BFD control packet of %d bytes (at least 24)" % len(body))
    vd, sf, mult, length, my, your, tx, rx, echo = struct.unpack_from("!BBBBIIIII", body)
    if vd >> 5 != 1:
        raise Drop("BFD version %d" % (vd >> 5))
    if length < 24 or length > len(body):
        raise Drop("BFD length field %d with %d bytes present" % (length, len(body)))
    if mult == 0:
        raise Drop("BFD detect multiplier 0")
    if sf & 0x01:
        raise Drop("BFD multipoint bit set")
    if my == 0:
        raise Drop("BFD my discriminator 0")
    state = sf >> 6
    if your == 0 and state not in (DOWN, ADMIN_DOWN):
        raise Drop("BFD your discriminator 0 in state %s" % NAMES[state])
    return {"state": state, "mult": mult, "my": my, "your": your, "tx": tx, "rx": rx}


def control(state, mult, my, your, min_tx_us, min_rx_us, diag=0):
    return struct.pack("!BBBBIIIII", (1 << 5) | diag, state << 6, mult, 24, my, your,
                       min_tx_us, min_rx_us, 0)


class Session:
    def __init__(self):
        self.state = DOWN
        self.remote_disc = 0
        self.remote_tx_us = 0
        self.last_rx = None
        self.next_tx = 0.0


def _key(row):
    return (row.logical_port, row.dst_ip, row.src_port, row.disc)


class Bfd:
    def __init__(self):
        self.sessions = {}
        self.n_tx = 0

    def receive(self, row, pkt_info, now):
        s = self.sessions.get(_key(row))
        if s is None:
            return
        if pkt_info["your"] and pkt_info["your"] != row.disc:
            raise Drop("BFD your discriminator %d is not ours (%d)" % (pkt_info["your"], row.disc))
        s.remote_disc, s.remote_tx_us, s.last_rx = pkt_info["my"], pkt_info["tx"], now
        rs = pkt_info["state"]
        if rs == ADMIN_DOWN:
            s.state = DOWN
        elif s.state == DOWN:
            if rs == DOWN:
                s.state = INIT
            elif rs == INIT:
                s.state = UP
        elif s.state == INIT:
            if rs in (INIT, UP):
                s.state = UP
        elif s.state == UP and rs == DOWN:
            s.state = DOWN

    def run(self, pc, sb, st, now=None):
        now = time.monotonic() if now is None else now
        rows = {_key(r): r for r in sb.rows("BFD") if served(sb, st, r.logical_port)}
        for k in list(self.sessions):
            if k not in rows:
                del self.sessions[k]
        writes = []
        for k, row in rows.items():
            s = self.sessions.setdefault(k, Session())
            if s.state in (UP, INIT) and s.last_rx is not None:
                detect = row.detect_mult * max(row.min_rx * 1000, s.remote_tx_us) / 1e6
                if now - s.last_rx > detect:
                    s.state, s.remote_disc = DOWN, 0
            if now >= s.next_tx:
                try:
                    self.send(pc, sb, row, s)
                except ValueError as e:
                    pc.warn_once("pinctrl: BFD %s -> %s: %s" % (row.logical_port, row.dst_ip, e))
                interval = row.min_tx if s.state == UP else max(row.min_tx, SLOW_TX_MS)
                s.next_tx = now + interval / 1000.0
            if (list(row.status) or [None])[0] != NAMES[s.state]:
                writes.append((row, NAMES[s.state]))
        if writes:
            def build(txn):
                for row, status in writes:
                    row.status = status
            sb.transact(build)

    def send(self, pc, sb, row, s):
        pb = [p for p in sb.rows("Port_Binding") if p.logical_port == row.logical_port]
        if not pb:
            raise ValueError("no port binding")
        pb = pb[0]
        dst = ipaddress.ip_address(row.dst_ip)
        mac = src = None
        for entry in pb.mac:
            words = entry.split()
            for w in words[1:]:
                net = ipaddress.ip_interface(w)
                if net.version == dst.version and dst in net.network:
                    mac, src = P.mac_bytes(words[0]), net.ip
        if src is None:
            raise ValueError("the port has no address in %s's subnet" % row.dst_ip)
        dmac = b"\xff" * 6
        for mb in sb.rows("MAC_Binding"):
            if mb.logical_port == row.logical_port and mb.ip == row.dst_ip:
                dmac = P.mac_bytes(mb.mac)
        ctl = control(s.state, row.detect_mult, row.disc, s.remote_disc,
                      row.min_tx * 1000 if s.state == UP else max(row.min_tx, SLOW_TX_MS) * 1000,
                      row.min_rx * 1000)
        seg = P.udp(dst.version, src.packed, dst.packed, row.src_port, BFD_PORT, ctl)
        l3 = P.ip(dst.version, src.packed, dst.packed, P.PROTO_UDP, seg, 255)
        frame = P.eth(dmac, mac, P.ETH_IP4 if dst.version == 4 else P.ETH_IP6, l3)
        pc.send(W.PacketOut(data=frame, in_port=A.OFPP_CONTROLLER, actions=[
            A.Act("set_field", field=L.LOG_DATAPATH, value=pb.datapath.tunnel_key),
            A.Act("set_field", field=L.LOG_OUTPORT, value=pb.tunnel_key),
            A.Act("resubmit", table=L.LOCAL_OUTPUT)]))
        self.n_tx += 1

    def timeout(self, now=None):
        if not self.sessions:
            return None
        now = time.monotonic() if now is None else now
        return max(0.0, min(s.next_tx for s in self.sessions.values()) - now)


def served(sb, st, port):
    pbs = [p for p in sb.rows("Port_Binding") if p.logical_port == port]
    if not pbs or pbs[0].datapath.uuid not in st.local_dps:
        return False
    cr = "cr-" + port
    if any(p.logical_port == cr for p in sb.rows("Port_Binding")):
        return cr in st.resident
    return True


def handle_bfd_msg(pc, pin, payload):
    p = P.parse(pin.packet)
    _sp, dport, body = P.udp_payload(p)
    if dport != BFD_PORT:
        raise Drop("BFD message to UDP port %d" % dport)
    info = parse_control(body)
    if pc.sb is None:
        return
    inport = pc.port(pin.field("metadata", 0), ofio.reg(pin, 14))
    src = P.ip_str(p.ip_src)
    for row in pc.sb.rows("BFD"):
        if row.dst_ip == src and inport is not None and row.logical_port == inport.logical_port:
            pc.bfd.receive(row, info, time.monotonic())
            return
    raise Drop("BFD message from %s matches no BFD session" % src)
