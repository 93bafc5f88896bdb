"""log(...): the ACL log line, as ovn-controller writes it (module
acl_log): name, verdict, severity, direction, then the packet in
ovs-ofctl's flow format is replaced by pyovn's packet summary."""

from pyovn.controller.pinctrl import pkt as P
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.lang.actions import misc
from pyovn.openflow import layout as L

VERDICTS = {v: k for k, v in misc.LOG_VERDICTS.items()}
SEVERITIES = {v: k for k, v in misc.LOG_SEVERITIES.items()}


def describe(p):
    if p.arp is not None:
        return "arp,dl_src=%s,dl_dst=%s,arp_spa=%s,arp_tpa=%s,arp_op=%d" % (
            P.mac_str(p.src), P.mac_str(p.dst), P.ip_str(p.arp["spa"]),
            P.ip_str(p.arp["tpa"]), p.arp["op"])
    if p.ip_version is None:
        return "dl_src=%s,dl_dst=%s,dl_type=0x%04x" % (P.mac_str(p.src), P.mac_str(p.dst),
                                                       p.eth_type)
    proto = {1: "icmp", 6: "tcp", 17: "udp", 58: "icmp6", 132: "sctp"}.get(
        p.proto, "ip" if p.ip_version == 4 else "ipv6")
    if p.ip_version == 6 and proto in ("tcp", "udp", "sctp"):
        proto += "6"
    nw = "nw" if p.ip_version == 4 else "ipv6"
    text = "%s,dl_src=%s,dl_dst=%s,%s_src=%s,%s_dst=%s,nw_ttl=%d" % (
        proto, P.mac_str(p.src), P.mac_str(p.dst), nw, P.ip_str(p.ip_src), nw,
        P.ip_str(p.ip_dst), p.ttl)
    d = p.data[:p.l4_end]
    if p.proto in (6, 17, 132) and p.l4 + 4 <= len(d):
        text += ",tp_src=%d,tp_dst=%d" % (int.from_bytes(d[p.l4:p.l4 + 2], "big"),
                                         int.from_bytes(d[p.l4 + 2:p.l4 + 4], "big"))
    elif p.proto in (1, 58) and p.l4 + 2 <= len(d):
        k = "icmp" if p.proto == 1 else "icmpv6"
        text += ",%s_type=%d,%s_code=%d" % (k, d[p.l4], k, d[p.l4 + 1])
    return text


def handle_log(pc, pin, payload):
    if len(payload) < 2:
        raise Drop("log payload of %d bytes" % len(payload))
    verdict = VERDICTS.get(payload[0], "unknown")
    severity = SEVERITIES.get(payload[1], "info")
    name = payload[2:].decode(errors="replace") or "<unnamed>"
    table = pin.table_id if pin.table_id is not None else 0
    direction = "to-lport" if table >= L.LOG_EGRESS_PIPELINE else "from-lport"
    line = 'name="%s", verdict=%s, severity=%s, direction=%s: %s' % (
        name, verdict, severity, direction, describe(P.parse(pin.packet)))
    if pc.acl_rl.allow():
        log = {"alert": pc.vlog.err, "warning": pc.vlog.warn}.get(severity, pc.vlog.info)
        log("acl_log: " + line)
    pc.acl_lines.append(line)
    del pc.acl_lines[:-100]
