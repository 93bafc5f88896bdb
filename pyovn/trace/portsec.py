"""Port security checks (ovn-nb(5) Logical_Switch_Port port_security),
answering check_in_port_sec() / check_out_port_sec() for the tracer.

Each entry of a port's port_security is `MAC [IP[/PLEN]...]`.  Ingress: the
packet's eth.src must be one of the MACs; when that entry lists addresses,
IPv4 packets must come from one of them (or 0.0.0.0 for DHCP discovery),
ARP must carry that MAC and one of the IPv4 addresses, and IPv6 packets
must come from one of the IPv6 addresses, the MAC's link-local address or
`::`.  Egress: eth.dst must be one of the MACs; with addresses, IPv4/IPv6
destinations must be one of them or a broadcast/multicast address.
"""

import ipaddress

from pyovn.trace.sbdata import _mac_int


def _entries(port):
    out = []
    for text in port.port_security:
        words = text.split()
        if not words:
            continue
        try:
            mac = _mac_int(words[0])
        except ValueError:
            continue
        nets = []
        for w in words[1:]:
            try:
                nets.append(ipaddress.ip_network(w, strict=False))
            except ValueError:
                continue
        out.append((mac, nets))
    return out


def _link_local(mac):
    b = mac.to_bytes(6, "big")
    eui = bytes([b[0] ^ 2]) + b[1:3] + b"\xff\xfe" + b[3:]
    return ipaddress.IPv6Address(b"\xfe\x80" + b"\0" * 6 + eui)


def _in(nets, addr):
    return any(addr in n for n in nets if n.version == addr.version)


def fails_in(port, mf):
    """True if MF, received on PORT, fails PORT's port security."""
    entries = _entries(port)
    if not entries:
        return False
    src = mf.get("eth.src")
    et = mf.get("eth.type")
    for mac, nets in entries:
        if mac != src:
            continue
        v4 = [n for n in nets if n.version == 4]
        v6 = [n for n in nets if n.version == 6]
        if et == 0x806 and v4:
            if mf.get("arp.sha") == mac and _in(v4, ipaddress.IPv4Address(mf.get("arp.spa"))):
                return False
            continue
        if et == 0x800 and v4:
            a = ipaddress.IPv4Address(mf.get("ip4.src"))
            if _in(v4, a) or int(a) == 0:
                return False
            continue
        if et == 0x86dd and v6:
            a = ipaddress.IPv6Address(mf.get("ip6.src"))
            if _in(v6, a) or a == _link_local(mac) or int(a) == 0:
                return False
            continue
        return False
    return True


def fails_out(port, mf):
    """True if MF, sent to PORT, fails PORT's port security."""
    entries = _entries(port)
    if not entries:
        return False
    dst = mf.get("eth.dst")
    et = mf.get("eth.type")
    for mac, nets in entries:
        if mac != dst:
            continue
        v4 = [n for n in nets if n.version == 4]
        v6 = [n for n in nets if n.version == 6]
        if et == 0x800 and v4:
            a = ipaddress.IPv4Address(mf.get("ip4.dst"))
            if _in(v4, a) or a.is_multicast or int(a) == 0xffffffff:
                return False
            continue
        if et == 0x86dd and v6:
            a = ipaddress.IPv6Address(mf.get("ip6.dst"))
            if _in(v6, a) or a.is_multicast or a == _link_local(mac):
                return False
            continue
        return False
    return True
