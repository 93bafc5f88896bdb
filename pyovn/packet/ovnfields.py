"""A decoded packet as OVN logical-flow field values, for the evaluator
and the tracer (pyovn.lang.microflow): {"eth.src": int, "ip4.dst": int,
"ip.ttl": int, "tcp.flags": int, ...}, named as in ovn-sb(5)'s logical
flow language.  Only the outermost frame (before any tunnel header) is
described; use Packet.inner for what a tunnel carries."""

import ipaddress

from pyovn.packet.decode import TUNNELS
from pyovn.packet.layers import TCP_FLAGS

VLAN_CFI = 0x1000        # OVS marks a present 802.1Q tag with this TCI bit


def _mac(text):
    return int(text.replace(":", ""), 16)


def _ip(text):
    return int(ipaddress.ip_address(text))


def ovn_fields(packet):
    """{logical field name: integer value} for PACKET (a decoded Packet)."""
    out = {}
    for layer in packet.layers:
        v, name = layer.values, layer.name
        if name in TUNNELS:
            break
        if name == "eth":
            out["eth.src"], out["eth.dst"] = _mac(v["src"]), _mac(v["dst"])
            out["eth.type"] = v["type"]
        elif name == "vlan":
            if "vlan.tci" not in out:          # OVN sees the outer tag
                out["vlan.tci"] = (v["pcp"] << 13) | VLAN_CFI | v["vid"]
            out["eth.type"] = v["type"]
        elif name == "arp":
            out.update({"arp.op": v["op"], "arp.sha": _mac(v["sha"]), "arp.spa": _ip(v["spa"]),
                        "arp.tha": _mac(v["tha"]), "arp.tpa": _ip(v["tpa"])})
        elif name == "ip4":
            out.update({"ip4.src": _ip(v["src"]), "ip4.dst": _ip(v["dst"]), "ip.proto": v["proto"],
                        "ip.ttl": v["ttl"], "ip.dscp": v["tos"] >> 2, "ip.ecn": v["tos"] & 3})
            if v["mf"] or v["frag"]:
                out["ip.later_frag" if v["frag"] else "ip.first_frag"] = 1
        elif name == "ip6":
            out.update({"ip6.src": _ip(v["src"]), "ip6.dst": _ip(v["dst"]), "ip.proto": v["nh"],
                        "ip.ttl": v["hlim"], "ip.dscp": v["tc"] >> 2, "ip.ecn": v["tc"] & 3,
                        "ip6.label": v["fl"]})
        elif name == "icmp4":
            out["icmp4.type"], out["icmp4.code"] = v["type"], v["code"]
        elif name == "icmp6":
            out["icmp6.type"], out["icmp6.code"] = v["type"], v["code"]
        elif name in ("nd_ns", "nd_na", "nd_rs", "nd_ra"):
            out["icmp6.type"] = {"nd_rs": 133, "nd_ra": 134, "nd_ns": 135, "nd_na": 136}[name]
            out["icmp6.code"] = 0
            if "target" in v:
                out["nd.target"] = _ip(v["target"])
            if v.get("sll"):
                out["nd.sll"] = _mac(v["sll"])
            if v.get("tll"):
                out["nd.tll"] = _mac(v["tll"])
        elif name == "tcp":
            out.update({"tcp.src": v["src"], "tcp.dst": v["dst"],
                        "tcp.flags": sum(1 << TCP_FLAGS.index(c) for c in v["flags"])})
        elif name == "udp":
            out["udp.src"], out["udp.dst"] = v["src"], v["dst"]
    return out


def tunnel_key(packet):
    """(datapath, inport, outport) that OVN put in the outermost tunnel
    header of PACKET (an underlay capture), or None without one.  inport
    is None for VXLAN, which does not carry it."""
    from pyovn.packet import tunnel
    for layer in packet.layers:
        v = layer.values
        if layer.name == "geneve":
            return v["vni"], v["inport"], v["outport"]
        if layer.name == "vxlan":
            dp, outport = tunnel.vxlan_decode(v["vni"])
            return dp, None, outport
        if layer.name == "stt":
            return tunnel.stt_decode(v["id"])
    return None
