"""Load-balancer health checks (southbound Service_Monitor).

The chassis that binds a monitor's `logical_port` probes the service:
every `options:interval` seconds (default 5) a TCP SYN, or a UDP
datagram, from `src_mac`/`src_ip` to `ip`:`port`, sent to the port
through the switch's egress pipeline (packet-out: outport = the port,
local output table).  Replies come back as handle_svc_check packet-ins
(ovn-northd sends every packet to the service monitor MAC there):

* TCP SYN+ACK: success (a RST closes the half-open connection);
  TCP RST: failure (nothing listens);
* UDP: an ICMP port unreachable quoting the probe is a failure; no
  answer within `options:timeout` (default 20 s) a success;
* TCP: no answer within the timeout is a failure.

`options:success_count` consecutive successes (default 1) make the
service `online`, `options:failure_count` failures (default 1)
`offline`; `status` is written only when it changes.  A monitor whose
columns cannot be used (not IPv4, bad MAC) is logged once and set to
`error`."""

import ipaddress
import random
import struct
import time

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P
from pyovn.controller.pinctrl.generate import TCP_ACK, TCP_RST, TCP_SYN
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.openflow import layout as L
from pyovn.openflow.codec import actions as A
from pyovn.openflow.codec import messages as W


def _opt(row, name, default):
    try:
        return max(1, int(row.options.get(name, default)))
    except ValueError:
        return default


class Monitor:
    def __init__(self, key):
        self.key = key                   # (logical_port, ip, port, protocol)
        self.next_probe = 0.0
        self.waiting_since = None        # a probe is out
        self.sport = random.randint(32768, 60999)
        self.seq = random.randint(0, 0xffffffff)
        self.n_success = 0
        self.n_fail = 0
        self.status = None               # what we want written
        self.error = None


class Monitors:
    def __init__(self):
        self.mons = {}
        self.n_probes = 0

    @staticmethod
    def key(row):
        return (row.logical_port, row.ip, row.port, (list(row.protocol) or ["tcp"])[0])

    def run(self, pc, sb, st, now=None):
        now = time.monotonic() if now is None else now
        rows = {}
        for row in sb.rows("Service_Monitor"):
            if st.claims.get(row.logical_port) == "main":
                rows[self.key(row)] = row
        for k in list(self.mons):
            if k not in rows:
                del self.mons[k]
        writes = []
        for k, row in rows.items():
            m = self.mons.get(k)
            if m is None:
                m = self.mons[k] = Monitor(k)
            interval, timeout = _opt(row, "interval", 5), _opt(row, "timeout", 20)
            if m.waiting_since is not None and now - m.waiting_since >= timeout:
                m.waiting_since = None
                self.result(m, row, k[3] == "udp")      # UDP: silence is success
            if m.waiting_since is None and now >= m.next_probe:
                try:
                    self.probe(pc, sb, row, m)
                    m.waiting_since = now
                except ValueError as e:
                    if m.error != str(e):
                        m.error = str(e)
                        pc.vlog.warn("pinctrl: service monitor %s %s:%s: %s"
                                     % (row.logical_port, row.ip, row.port, e))
                    m.status = "error"
                m.next_probe = now + interval
            if m.status is not None and (list(row.status) or [None])[0] != m.status:
                writes.append((row, m.status))
        if writes:
            def build(txn):
                for row, status in writes:
                    row.status = [status]
            sb.transact(build)

    def result(self, m, row, ok):
        if ok:
            m.n_success, m.n_fail = m.n_success + 1, 0
            if m.n_success >= _opt(row, "success_count", 1):
                m.status = "online"
        else:
            m.n_fail, m.n_success = m.n_fail + 1, 0
            if m.n_fail >= _opt(row, "failure_count", 1):
                m.status = "offline"

    def probe(self, pc, sb, row, m):
        src_mac = P.mac_bytes(row.src_mac)
        try:
            src = ipaddress.IPv4Address(row.src_ip).packed
            dst = ipaddress.IPv4Address(row.ip).packed
        except ValueError:
            raise ValueError("only IPv4 services are monitored")
        pb = [r for r in sb.rows("Port_Binding") if r.logical_port == row.logical_port]
        if not pb:
            raise ValueError("no port %s" % row.logical_port)
        pb = pb[0]
        dst_mac = None
        for entry in pb.mac:
            words = entry.split()
            if row.ip in words[1:]:
                dst_mac = P.mac_bytes(words[0])
        if dst_mac is None:
            raise ValueError("port %s has no address %s" % (row.logical_port, row.ip))
        if m.key[3] == "udp":
            l4 = P.udp(4, src, dst, m.sport, row.port, b"")
            proto = P.PROTO_UDP
        else:
            seg = struct.pack("!HHIIHHHH", m.sport, row.port, m.seq, 0,
                              (5 << 12) | TCP_SYN, 65160, 0, 0)
            l4 = P.with_l4_csum(4, src, dst, P.PROTO_TCP, seg, 16)
            proto = P.PROTO_TCP
        frame = P.eth(dst_mac, src_mac, P.ETH_IP4, P.ip4(src, dst, proto, l4, 64))
        pc.send(W.PacketOut(data=frame, in_port=A.OFPP_CONTROLLER, actions=[
            A.Act("set_field", field=L.LOG_DATAPATH, value=pb.datapath.tunnel_key),
            A.Act("set_field", field=L.LOG_OUTPORT, value=pb.tunnel_key),
            A.Act("resubmit", table=L.LOCAL_OUTPUT)]))
        self.n_probes += 1

    def find(self, port, ip, l4port, proto):
        m = self.mons.get((port, ip, l4port, proto))
        return m if m is not None and m.waiting_since is not None else None


def handle_svc_check(pc, pin, payload):
    p = P.parse(pin.packet)
    P.require(p, "an IPv4 packet", p.ip_version == 4)
    inport = pc.port(pin.field("metadata", 0), ofio.reg(pin, 14))
    if inport is None:
        raise Drop("service monitor reply from an unknown port")
    d = p.data[:p.l4_end]
    mons = pc.svc
    rows = {Monitors.key(r): r for r in pc.sb.rows("Service_Monitor")} if pc.sb else {}
    if p.proto == P.PROTO_TCP:
        P.need(d, p.l4, 20, "TCP header")
        sport, dport, seq, ack, off_flags = struct.unpack_from("!HHIIH", d, p.l4)
        m = mons.find(inport.logical_port, P.ip_str(p.ip_src), sport, "tcp")
        if m is None or dport != m.sport:
            raise Drop("TCP segment that answers no health check probe")
        flags = off_flags & 0x1ff
        row = rows.get(m.key)
        m.waiting_since = None
        if flags & TCP_SYN and flags & TCP_ACK and ack == (m.seq + 1) & 0xffffffff:
            mons.result(m, row, True)
            # Close the half-open connection.
            rst = struct.pack("!HHIIHHHH", dport, sport, ack, 0, (5 << 12) | TCP_RST, 0, 0, 0)
            rst = P.with_l4_csum(4, p.ip_dst, p.ip_src, P.PROTO_TCP, rst, 16)
            pc.send(W.PacketOut(data=P.eth(p.src, p.dst, P.ETH_IP4,
                                           P.ip4(p.ip_dst, p.ip_src, P.PROTO_TCP, rst, 64)),
                                in_port=A.OFPP_CONTROLLER, actions=[
                A.Act("set_field", field=L.LOG_DATAPATH, value=pin.field("metadata", 0)),
                A.Act("set_field", field=L.LOG_OUTPORT, value=ofio.reg(pin, 14)),
                A.Act("resubmit", table=L.LOCAL_OUTPUT)]))
        else:
            mons.result(m, row, False)
        m.sport = random.randint(32768, 60999)
    elif p.proto == P.PROTO_ICMP4:
        P.need(d, p.l4, 8 + 20 + 8, "ICMP error quoting a UDP probe")
        if d[p.l4] != 3:
            raise Drop("ICMP type %d is no health check answer" % d[p.l4])
        q = p.l4 + 8
        ihl = (d[q] & 0xf) * 4
        P.need(d, q, ihl + 4, "quoted IP header")
        if d[q + 9] != P.PROTO_UDP:
            raise Drop("ICMP error quoting a non-UDP packet")
        qdst = P.ip_str(d[q + 16:q + 20])
        qsport, qdport = struct.unpack_from("!HH", d, q + ihl)
        m = mons.find(inport.logical_port, qdst, qdport, "udp")
        if m is None or qsport != m.sport:
            raise Drop("ICMP error that answers no health check probe")
        m.waiting_since = None
        mons.result(m, rows.get(m.key), False)
    else:
        raise Drop("IP protocol %d is no health check answer" % p.proto)
