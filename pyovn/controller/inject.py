"""`inject-pkt MICROFLOW`: builds the packet a microflow describes (an
expression in the logical flow language, as for ovn-trace, e.g.
`inport=="p1" && eth.src==50:54:00:00:00:01 && eth.dst==... && ip4.src==...
&& ip4.dst==... && icmp4.type==8`) and sends it into the logical ingress
pipeline of the inport's datapath with an OpenFlow packet-out, as if the
port had sent it."""

import ipaddress

from pyovn.controller import ctzones
from pyovn.lang.errors import LangError
from pyovn.openflow import layout as L
from pyovn.openflow.codec.messages import PacketOut
from pyovn.openflow.codec.model_wire import actions_to_wire
from pyovn.openflow.model import Resubmit, SetField
from pyovn.packet import compose


class InjectError(ValueError):
    pass


def _mac(v):
    return ":".join("%02x" % b for b in v.to_bytes(6, "big"))


def packet_from_microflow(mf):
    """Packet bytes from a pyovn.lang Microflow."""
    layers = [("eth", {"src": _mac(mf.get("eth.src")), "dst": _mac(mf.get("eth.dst"))})]
    if mf.get("vlan.present"):
        layers.append(("vlan", {"vid": mf.get("vlan.vid")}))
    et = mf.get("eth.type")
    ttl = mf.get("ip.ttl") or 64
    if et == 0x0806:
        layers.append(("arp", {"op": mf.get("arp.op") or 1, "sha": _mac(mf.get("arp.sha")),
                               "spa": str(ipaddress.IPv4Address(mf.get("arp.spa"))),
                               "tha": _mac(mf.get("arp.tha")),
                               "tpa": str(ipaddress.IPv4Address(mf.get("arp.tpa")))}))
    elif et in (0x0800, 0x86dd):
        v6 = et == 0x86dd
        if v6:
            layers.append(("ip6", {"src": str(ipaddress.IPv6Address(mf.get("ip6.src"))),
                                   "dst": str(ipaddress.IPv6Address(mf.get("ip6.dst"))),
                                   "hlim": ttl}))
        else:
            layers.append(("ip4", {"src": str(ipaddress.IPv4Address(mf.get("ip4.src"))),
                                   "dst": str(ipaddress.IPv4Address(mf.get("ip4.dst"))),
                                   "ttl": ttl}))
        proto = mf.get("ip.proto")
        if proto == 6:
            layers.append(("tcp", {"src": mf.get("tcp.src"), "dst": mf.get("tcp.dst")}))
        elif proto == 17:
            layers.append(("udp", {"src": mf.get("udp.src"), "dst": mf.get("udp.dst")}))
        elif proto == 1 and not v6:
            layers.append(("icmp4", {"type": mf.get("icmp4.type"), "code": mf.get("icmp4.code")}))
        elif proto == 58 and v6:
            layers.append(("icmp6", {"type": mf.get("icmp6.type"), "code": mf.get("icmp6.code")}))
    elif et:
        raise InjectError("cannot build a packet of Ethernet type 0x%04x" % et)
    return compose(layers)


def build(text, state, zones):
    """(PacketOut message, inport name) for microflow TEXT."""
    from pyovn.trace.uflow import parse_microflow
    try:
        mf = parse_microflow(text)
    except LangError as e:
        raise InjectError("bad microflow: %s" % e)
    inport = mf.get("inport")
    if not inport:
        raise InjectError("the microflow must name its inport (inport == \"PORT\")")
    if state is None or inport not in state.ports:
        raise InjectError("unknown logical port %s" % inport)
    p = state.ports[inport]
    if p.dp.uuid not in state.local_dps:
        raise InjectError("logical port %s is not on a datapath of this chassis" % inport)
    data = packet_from_microflow(mf)
    acts = []
    for reg, name in ((L.LOG_CT_ZONE, inport), (L.LOG_DNAT_ZONE, ctzones.dnat_name(p.dp)),
                      (L.LOG_SNAT_ZONE, ctzones.snat_name(p.dp))):
        if zones.get(name):
            acts.append(SetField(reg, zones[name]))
    acts += [SetField(L.LOG_DATAPATH, p.dp.tunnel_key), SetField(L.LOG_INPORT, p.key),
             Resubmit(table=L.LOG_INGRESS_PIPELINE)]
    return PacketOut(data=data, actions=actions_to_wire(acts)), inport
