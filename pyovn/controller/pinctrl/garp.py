"""Gratuitous ARP / RARP on localnet networks.

On every local datapath with a localnet port that is wired here (the
patch pair exists), this chassis announces:

* the addresses of its own VIFs on that switch (Port_Binding.mac
  "MAC IP..."): a gratuitous ARP request per IPv4 address, a RARP when
  the entry has no IPv4 address, so the physical network learns where
  they are;
* the NAT and router addresses of Port_Binding.nat_addresses entries
  ("MAC IP... [is_chassis_resident(\"PORT\")]") on that switch: only
  when PORT is resident here (the active gateway), or for an l3gateway
  port bound to this chassis when the entry names no port.

Each announcement goes out 5 times with doubling intervals (0, 1, 3, 7,
15 s after it appears, as ovn-controller's 1..16 s back-off), then stops;
an announcement that disappears and comes back (a gateway failover)
starts again.  Packets go to the localnet port through the switch's
egress pipeline (packet-out: metadata, inport = the announcing port,
outport = the localnet port, resubmit to the local output table).
"""

import ipaddress
import re
import struct
import time

from pyovn.controller.pinctrl import pkt as P
from pyovn.openflow import layout as L
from pyovn.openflow.codec import actions as A
from pyovn.openflow.codec import messages as W

BACKOFF = (1, 2, 4, 8)          # seconds between the 5 announcements
ETH_RARP = 0x8035
_RESIDENT = re.compile(r'is_chassis_resident\("?([^")]+)"?\)')


def garp(mac, ip):
    arp = struct.pack("!HHBBH", 1, P.ETH_IP4, 6, 4, 1) + mac + ip + P.ZERO_MAC + ip
    return P.eth(P.BROADCAST, mac, P.ETH_ARP, arp)


def rarp(mac):
    body = struct.pack("!HHBBH", 1, P.ETH_IP4, 6, 4, 3) + mac + b"\0" * 4 + mac + b"\0" * 4
    return P.eth(P.BROADCAST, mac, ETH_RARP, body)


def parse_entry(text):
    """(MAC bytes, [IPv4 bytes], resident port or None); raises ValueError."""
    port = None
    m = _RESIDENT.search(text)
    if m:
        port = m.group(1)
        text = text[:m.start()]
    words = text.split()
    if not words:
        raise ValueError("empty address entry")
    mac = P.mac_bytes(words[0])
    ips = []
    for w in words[1:]:
        a = ipaddress.ip_address(w.split("/")[0])
        if a.version == 4:
            ips.append(a.packed)
    return mac, ips, port


def wanted(sb, st, chassis_name, localnets, warn):
    """{(dp key, announcing port key, localnet port key, frame)} to announce."""
    out = set()
    by_dp = {}
    for pb in sb.rows("Port_Binding"):
        by_dp.setdefault(pb.datapath.uuid, []).append(pb)
    for dp_uuid, dp in st.local_dps.items():
        pbs = by_dp.get(dp_uuid, [])
        lns = [pb for pb in pbs if pb.type == "localnet" and pb.logical_port in localnets]
        if not lns:
            continue
        ln = lns[0]
        for pb in pbs:
            entries = []
            if pb.type in ("", "virtual") and st.claims.get(pb.logical_port) == "main":
                entries += [(e, False) for e in pb.mac if e not in ("unknown", "router")]
            entries += [(e, True) for e in getattr(pb, "nat_addresses", [])]
            for text, is_nat in entries:
                try:
                    mac, ips, port = parse_entry(text)
                except ValueError as e:
                    warn("pinctrl: %s: bad address %r: %s" % (pb.logical_port, text, e))
                    continue
                if is_nat:
                    if port is not None:
                        if port not in st.resident:
                            continue
                    elif not (pb.type == "l3gateway"
                              and pb.options.get("l3gateway-chassis") == chassis_name):
                        continue
                frames = [garp(mac, ip) for ip in ips] or [rarp(mac)]
                for f in frames:
                    out.add((dp.tunnel_key, pb.tunnel_key, ln.tunnel_key, f))
    return out


class Announcer:
    def __init__(self):
        self.state = {}          # key -> (n sent, next due)
        self.n_sent = 0

    def run(self, pc, keys, now=None):
        now = time.monotonic() if now is None else now
        for k in list(self.state):
            if k not in keys:
                del self.state[k]
        for k in keys:
            n, due = self.state.get(k, (0, now))
            if n > len(BACKOFF) or due > now:
                continue
            dp, inport, ln, frame = k
            acts = [A.Act("set_field", field=L.LOG_DATAPATH, value=dp),
                    A.Act("set_field", field=L.LOG_INPORT, value=inport),
                    A.Act("set_field", field=L.LOG_OUTPORT, value=ln),
                    A.Act("resubmit", table=L.LOCAL_OUTPUT)]
            pc.send(W.PacketOut(data=frame, actions=acts, in_port=A.OFPP_CONTROLLER))
            self.n_sent += 1
            nxt = now + BACKOFF[n] if n < len(BACKOFF) else float("inf")
            self.state[k] = (n + 1, nxt)

    def timeout(self, now=None):
        dues = [d for n, d in self.state.values() if d != float("inf")]
        if not dues:
            return None
        now = time.monotonic() if now is None else now
        return max(0.0, min(dues) - now)
