"""put_arp / put_nd: learned neighbors -> southbound MAC_Binding.

The packet-in handler only queues (datapath key, port key, IP) -> MAC;
`flush()` (from the controller loop) writes the queue in one
transaction.  Deduplication: an existing row with the same MAC is left
alone (so chassis that learn the same binding write nothing); a changed
MAC updates the row in place.  The queue is bounded (MAX_PENDING, as
ovn-controller buffers at most 1000): beyond it new entries are dropped
and counted.  Rows carry `timestamp` (ms) on insert and update: ovn-northd
ages them by `mac_binding_age_threshold` (ovn-nb(5) Logical_Router
options).
"""

import ipaddress
import time

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl import pkt as P

MAX_PENDING = 1000


class Neighbors:
    def __init__(self):
        self.pending = {}          # (dp, port, ip-text) -> mac text
        self.n_dropped = 0
        self.n_written = 0

    def add(self, dp, port, ip, mac):
        key = (dp, port, ip)
        if key not in self.pending and len(self.pending) >= MAX_PENDING:
            self.n_dropped += 1
            return False
        self.pending[key] = mac
        return True

    def flush(self, sb, ports):
        """Writes the queue; PORTS(dp, port) -> Port_Binding row or None."""
        if not self.pending:
            return 0
        todo, self.pending = self.pending, {}
        rows = {}
        for mb in sb.rows("MAC_Binding"):
            rows[(mb.logical_port, mb.ip)] = mb
        writes = []
        for (dp, port, ip), mac in todo.items():
            pb = ports(dp, port)
            if pb is None:
                continue
            mb = rows.get((pb.logical_port, ip))
            if mb is not None and mb.mac == mac:
                continue
            writes.append((pb, ip, mac))
        if not writes:
            return 0
        ts = int(time.time() * 1000)

        def build(txn):
            current = {(mb.logical_port, mb.ip): mb for mb in sb.rows("MAC_Binding")}
            n = 0
            for pb, ip, mac in writes:
                mb = current.get((pb.logical_port, ip))
                if mb is not None:
                    if mb.mac == mac:
                        continue
                    mb.verify("mac")
                else:
                    mb = txn.insert(sb.tables["MAC_Binding"])
                    mb.logical_port = pb.logical_port
                    mb.ip = ip
                    mb.datapath = pb.datapath
                    current[(pb.logical_port, ip)] = mb
                mb.mac = mac
                mb.timestamp = ts
                n += 1
            return None if n else False
        try:
            sb.transact(build)
        except Exception:
            # E.g. another chassis inserted the same (logical_port, ip) in
            # the meantime (index violation): retry against the new replica.
            for (dp, port, ip), mac in todo.items():
                if len(self.pending) < MAX_PENDING:
                    self.pending.setdefault((dp, port, ip), mac)
            raise
        self.n_written += len(writes)
        return len(writes)


def handle_put_arp(pc, pin, payload):
    p = P.parse(pin.packet)
    ip = str(ipaddress.IPv4Address(ofio.reg(pin, 0)))
    pc.neighbors.add(pin.field("metadata", 0), ofio.reg(pin, 14), ip, P.mac_str(p.src))


def handle_put_nd(pc, pin, payload):
    p = P.parse(pin.packet)
    ip = str(ipaddress.IPv6Address(ofio.xxreg(pin, 0)))
    pc.neighbors.add(pin.field("metadata", 0), ofio.reg(pin, 14), ip, P.mac_str(p.src))
