"""IGMP / MLD snooping: the `igmp` action -> southbound IGMP_Group.

Reports (IGMPv1/v2/v3, MLDv1/v2) join the reporting logical port to the
group; leaves (IGMPv2 leave, MLDv1 done, v3/v2 records changing to
INCLUDE with no source) remove it.  Only on datapaths whose IP_Multicast
row has `enabled`.  Memberships expire after `idle_timeout` seconds
(default 300) without a report, and at most `table_size` groups (default
2048) are kept per datapath.  `run()` keeps this chassis' IGMP_Group rows
(address, datapath, chassis, ports) equal to the memberships learned
here; ovn-northd turns them into multicast groups (and relays them on
routers with mcast_relay).

Querier: with `querier` and `eth_src`/`ip4_src` set, an IGMPv3 general
query to 224.0.0.1 goes to the switch's local ports every
`query_interval` seconds (default idle_timeout / 2), with max response
time `query_max_resp` (default 1 s).
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

PROTO_IGMP = 2
IGMP_QUERY, V1_REPORT, V2_REPORT, V2_LEAVE, V3_REPORT = 0x11, 0x12, 0x16, 0x17, 0x22
MLD_QUERY, MLD1_REPORT, MLD1_DONE, MLD2_REPORT = 130, 131, 132, 143
IS_INCLUDE, IS_EXCLUDE, TO_INCLUDE, TO_EXCLUDE, ALLOW, BLOCK = 1, 2, 3, 4, 5, 6
DEF_IDLE, DEF_TABLE = 300, 2048


def _records(d, off, end, addr_len):
    """[(record type, group bytes, n sources)] of a v3 / MLDv2 report."""
    out = []
    P.need(d[:end], off, 4, "report header")
    n = struct.unpack_from("!H", d, off + 2)[0]
    i = off + 4
    for _ in range(n):
        P.need(d[:end], i, 4 + addr_len, "group record")
        rtype, aux, nsrc = struct.unpack_from("!BBH", d, i)
        group = d[i + 4:i + 4 + addr_len]
        size = 4 + addr_len + nsrc * addr_len + aux * 4
        P.need(d[:end], i, size, "group record sources")
        out.append((rtype, group, nsrc))
        i += size
    return out


def _joins_leaves(recs):
    joins, leaves = [], []
    for rtype, group, nsrc in recs:
        if rtype in (IS_EXCLUDE, TO_EXCLUDE) or (rtype in (IS_INCLUDE, ALLOW) and nsrc):
            joins.append(group)
        elif rtype in (TO_INCLUDE, IS_INCLUDE) and nsrc == 0:
            leaves.append(group)
    return joins, leaves


def parse(p):
    """(joined groups, left groups) as address strings."""
    d = p.data
    if p.ip_version == 4:
        P.require(p, "an IGMP packet", p.proto == PROTO_IGMP)
        P.need(d[:p.l4_end], p.l4, 8, "IGMP message")
        t = d[p.l4]
        grp = d[p.l4 + 4:p.l4 + 8]
        if t in (V1_REPORT, V2_REPORT):
            joins, leaves = [grp], []
        elif t == V2_LEAVE:
            joins, leaves = [], [grp]
        elif t == V3_REPORT:
            joins, leaves = _joins_leaves(_records(d, p.l4 + 4, p.l4_end, 4))
        elif t == IGMP_QUERY:
            return [], []
        else:
            raise Drop("IGMP type 0x%02x" % t)
    elif p.ip_version == 6:
        nxt, off = p.proto, p.l4
        if nxt == 0:                       # hop-by-hop options (router alert)
            P.need(d[:p.l4_end], off, 8, "IPv6 hop-by-hop header")
            nxt, hlen = d[off], (d[off + 1] + 1) * 8
            P.need(d[:p.l4_end], off, hlen, "IPv6 hop-by-hop header")
            off += hlen
        P.require(p, "an MLD packet", nxt == P.PROTO_ICMP6)
        P.need(d[:p.l4_end], off, 8, "MLD message")
        t = d[off]
        if t in (MLD1_REPORT, MLD1_DONE):
            P.need(d[:p.l4_end], off, 24, "MLDv1 message")
            grp = d[off + 8:off + 24]
            joins, leaves = ([grp], []) if t == MLD1_REPORT else ([], [grp])
        elif t == MLD2_REPORT:
            joins, leaves = _joins_leaves(_records(d, off + 4, p.l4_end, 16))
        elif t == MLD_QUERY:
            return [], []
        else:
            raise Drop("MLD type %d" % t)
    else:
        raise Drop("igmp needs an IP packet")
    def ok(g):
        a = ipaddress.ip_address(bytes(g))
        return a.is_multicast and not (a.version == 4 and a in ipaddress.ip_network("224.0.0.0/24"))
    return ([str(ipaddress.ip_address(bytes(g))) for g in joins if ok(g)],
            [str(ipaddress.ip_address(bytes(g))) for g in leaves if ok(g)])


def _ipmc(sb, dp_uuid):
    for r in sb.rows("IP_Multicast"):
        if r.datapath is not None and getattr(r.datapath, "uuid", None) == dp_uuid:
            return r
    return None


def _int(col, default):
    return col[0] if col else default


class Snooping:
    def __init__(self):
        self.groups = {}             # (dp uuid, address) -> {port name: expiry}
        self.dirty = False
        self.next_query = {}         # dp uuid -> monotonic time
        self.n_queries = 0

    def learn(self, sb, dp, port, joins, leaves, now):
        ipmc = _ipmc(sb, dp.uuid)
        if ipmc is None or not _int(ipmc.enabled, False):
            return
        idle = _int(ipmc.idle_timeout, DEF_IDLE)
        limit = _int(ipmc.table_size, DEF_TABLE)
        for g in joins:
            key = (dp.uuid, g)
            if key not in self.groups:
                if sum(1 for k in self.groups if k[0] == dp.uuid) >= limit:
                    continue
                self.groups[key] = {}
            if port not in self.groups[key]:
                self.dirty = True
            self.groups[key][port] = now + idle
        for g in leaves:
            m = self.groups.get((dp.uuid, g))
            if m and m.pop(port, None) is not None:
                self.dirty = True
                if not m:
                    del self.groups[(dp.uuid, g)]

    def run(self, pc, sb, chassis_name, local_dps, now=None):
        now = time.monotonic() if now is None else now
        for key in list(self.groups):
            m = self.groups[key]
            for port in [p for p, exp in m.items() if exp <= now]:
                del m[port]
                self.dirty = True
            if not m:
                del self.groups[key]
        self._sync(sb, chassis_name)
        self._query(pc, sb, local_dps, now)

    def _sync(self, sb, chassis_name):
        ch = [c for c in sb.rows("Chassis") if c.name == chassis_name]
        if not ch:
            return
        ch = ch[0]
        mine = {}
        for r in sb.rows("IGMP_Group"):
            if r.chassis and r.chassis[0].uuid == ch.uuid and r.datapath:
                mine[(r.datapath[0].uuid, r.address)] = r
        pbs = {pb.logical_port: pb for pb in sb.rows("Port_Binding")}
        want = {k: sorted(pbs[p].uuid for p in m if p in pbs) for k, m in self.groups.items()}
        have = {k: sorted(p.uuid for p in r.ports) for k, r in mine.items()}
        if want == have:
            self.dirty = False
            return
        dps = {dp.uuid: dp for dp in sb.rows("Datapath_Binding")}

        def build(txn):
            cur = {}
            for r in sb.rows("IGMP_Group"):
                if r.chassis and r.chassis[0].uuid == ch.uuid and r.datapath:
                    cur[(r.datapath[0].uuid, r.address)] = r
            for k, r in cur.items():
                if k not in self.groups:
                    r.delete()
            for (dpu, addr), m in self.groups.items():
                if dpu not in dps:
                    continue
                r = cur.get((dpu, addr))
                if r is None:
                    r = txn.insert(sb.tables["IGMP_Group"])
                    r.address, r.datapath, r.chassis = addr, [dps[dpu]], [ch]
                r.ports = [pbs[p] for p in m if p in pbs]
        sb.transact(build)
        self.dirty = False

    def _query(self, pc, sb, local_dps, now):
        for r in sb.rows("IP_Multicast"):
            dp = r.datapath
            if dp is None or dp.uuid not in local_dps:
                continue
            if not (_int(r.enabled, False) and _int(r.querier, True) and r.eth_src and r.ip4_src):
                continue
            if self.next_query.get(dp.uuid, 0) > now:
                continue
            idle = _int(r.idle_timeout, DEF_IDLE)
            interval = _int(r.query_interval, max(1, idle // 2))
            self.next_query[dp.uuid] = now + interval
            try:
                frame = query_frame(r.eth_src, r.ip4_src, _int(r.query_max_resp, 1))
            except ValueError as e:
                pc.warn_once("pinctrl: IP_Multicast querier: %s" % e)
                continue
            mc = [g for g in sb.rows("Multicast_Group")
                  if g.name == "_MC_flood" and g.datapath.uuid == dp.uuid]
            if not mc:
                continue
            pc.send(W.PacketOut(data=frame, in_port=A.OFPP_CONTROLLER, actions=[
                A.Act("set_field", field=L.LOG_DATAPATH, value=dp.tunnel_key),
                A.Act("set_field", field=L.LOG_OUTPORT, value=mc[0].tunnel_key),
                A.Act("set_field", field=L.LOG_FLAGS, value=1 << L.MLF_LOCAL_ONLY_BIT),
                A.Act("resubmit", table=L.OUTPUT_LARGE_PKT_DETECT)]))
            self.n_queries += 1

    def timeout(self, now=None):
        if not self.next_query and not self.groups:
            return None
        now = time.monotonic() if now is None else now
        t = [d for d in self.next_query.values()]
        t += [min(m.values()) for m in self.groups.values() if m]
        return max(0.0, min(t) - now) if t else None


def query_frame(eth_src, ip4_src, max_resp):
    """IGMPv3 general query to 224.0.0.1 (TTL 1, router alert)."""
    mac = P.mac_bytes(eth_src)
    src = ipaddress.IPv4Address(ip4_src).packed
    dst = bytes([224, 0, 0, 1])
    code = min(max_resp * 10, 127)
    msg = bytearray(struct.pack("!BBHIBBH", IGMP_QUERY, code, 0, 0, 2, 125, 0))
    msg[2:4] = struct.pack("!H", P.csum(bytes(msg)))
    opts = b"\x94\x04\x00\x00"           # router alert
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x46, 0xc0, 24 + len(msg), 0, 0, 1,
                                PROTO_IGMP, 0, src, dst) + opts)
    hdr[10:12] = struct.pack("!H", P.csum(bytes(hdr)))
    return P.eth(bytes.fromhex("01005e000001"), mac, P.ETH_IP4, bytes(hdr) + bytes(msg))


def handle_igmp(pc, pin, payload):
    p = P.parse(pin.packet)
    joins, leaves = parse(p)
    if not (joins or leaves) or pc.sb is None:
        return
    dp = pc.datapath(pin.field("metadata", 0))
    port = pc.port(pin.field("metadata", 0), ofio.reg(pin, 14))
    if dp is None or port is None:
        raise Drop("igmp from an unknown datapath or port")
    pc.igmp.learn(pc.sb, dp, port.logical_port, joins, leaves, time.monotonic())
