"""Port security (ovn-nb(5) Logical_Switch_Port port_security, carried in
Port_Binding.port_security): the tables that check_in_port_sec() and
check_out_port_sec() consult (CHK_IN_PORT_SEC 73, CHK_IN_PORT_SEC_ND 74,
CHK_OUT_PORT_SEC 75).  A flow that "fails" the packet sets the
MLF_CHECK_PORT_SEC flag; the logical pipeline then drops it.  A port
with port security gets a catch-all failing flow, so anything not
explicitly allowed is refused (fail closed).  Only local ports get flows:
the checks run where the port is."""

import ipaddress

from pyovn.openflow import layout as L
from pyovn.openflow.model import Flow, Match, Resubmit, SetField

FAIL = (SetField(L.LOG_FLAGS, L.MLF_CHECK_PORT_SEC, L.MLF_CHECK_PORT_SEC),)
PASS = (SetField(L.LOG_FLAGS, 0, L.MLF_CHECK_PORT_SEC),)
ETH_IP, ETH_IP6, ETH_ARP = 0x0800, 0x86dd, 0x0806


class PortSecError(ValueError):
    pass


def parse_entry(text):
    """'MAC [IP[/PLEN]...]' -> (mac int, [IPv4Network], [IPv6Network])."""
    parts = text.split()
    if not parts:
        raise PortSecError("empty port_security entry")
    try:
        mac_parts = parts[0].split(":")
        if len(mac_parts) != 6:
            raise ValueError
        mac = int("".join("%02x" % int(x, 16) for x in mac_parts), 16)
    except ValueError:
        raise PortSecError("port_security %r: bad Ethernet address %r" % (text, parts[0]))
    v4, v6 = [], []
    for a in parts[1:]:
        try:
            n = ipaddress.ip_network(a, strict=False)
        except ValueError:
            raise PortSecError("port_security %r: bad IP address %r" % (text, a))
        (v4 if n.version == 4 else v6).append(n)
    return mac, v4, v6


def _lla(mac):
    """The IPv6 link-local address derived from MAC (EUI-64)."""
    b = bytearray(mac.to_bytes(6, "big"))
    b[0] ^= 2
    eui = bytes(b[:3]) + b"\xff\xfe" + bytes(b[3:])
    return ipaddress.IPv6Network((int.from_bytes(b"\xfe\x80" + b"\x00" * 6 + eui, "big"), 128))


def _net(field, n, m):
    full = (1 << n.max_prefixlen) - 1
    return m.with_field(field, int(n.network_address), int(n.netmask) & full)


def flows_for_port(dp_key, key, entries):
    out = []
    add = out.append
    pin = Match.of(metadata=dp_key, reg14=key)
    pout = Match.of(metadata=dp_key, reg15=key)
    add(Flow(L.CHK_IN_PORT_SEC, 80, pin, FAIL))
    add(Flow(L.CHK_OUT_PORT_SEC, 80, pout, FAIL))
    any_v4 = any(e[1] for e in entries)
    # ARP and ND go through the ND table.
    add(Flow(L.CHK_IN_PORT_SEC, 95, pin.with_field("eth_type", ETH_ARP),
             (Resubmit(table=L.CHK_IN_PORT_SEC_ND),)))
    add(Flow(L.CHK_IN_PORT_SEC_ND, 80, pin.with_field("eth_type", ETH_ARP), FAIL))
    nd = pin.with_field("eth_type", ETH_IP6).with_field("nw_proto", 58).with_field("nw_ttl", 255)
    for t in (135, 136):
        add(Flow(L.CHK_IN_PORT_SEC, 95, nd.with_field("icmpv6_type", t).with_field("icmpv6_code", 0),
                 (Resubmit(table=L.CHK_IN_PORT_SEC_ND),)))
    add(Flow(L.CHK_IN_PORT_SEC_ND, 80, nd.with_field("icmpv6_type", 136), FAIL))
    add(Flow(L.CHK_IN_PORT_SEC_ND, 80, nd.with_field("icmpv6_type", 135), PASS))
    for mac, v4, v6 in entries:
        m_in = pin.with_field("eth_src", mac)
        m_out = pout.with_field("eth_dst", mac)
        if not v4 and not v6:
            add(Flow(L.CHK_IN_PORT_SEC, 90, m_in, PASS))
            add(Flow(L.CHK_OUT_PORT_SEC, 85, m_out, PASS))
        else:
            add(Flow(L.CHK_OUT_PORT_SEC, 85, m_out, PASS))
            add(Flow(L.CHK_OUT_PORT_SEC, 90, m_out.with_field("eth_type", ETH_IP), FAIL))
            add(Flow(L.CHK_OUT_PORT_SEC, 90, m_out.with_field("eth_type", ETH_IP6), FAIL))
        arp = m_in.with_field("eth_type", ETH_ARP).with_field("arp_sha", mac)
        if any_v4 and v4:
            for n in v4:
                add(Flow(L.CHK_IN_PORT_SEC_ND, 90, _net("arp_spa", n, arp), PASS))
        elif not any_v4:
            add(Flow(L.CHK_IN_PORT_SEC_ND, 90, arp, PASS))
        ip4 = m_in.with_field("eth_type", ETH_IP)
        o4 = m_out.with_field("eth_type", ETH_IP)
        for n in v4:
            add(Flow(L.CHK_IN_PORT_SEC, 90, _net("ip_src", n, ip4), PASS))
            add(Flow(L.CHK_OUT_PORT_SEC, 95, _net("ip_dst", n, o4), PASS))
        if v4:
            dhcp = (ip4.with_field("nw_proto", 17).with_field("ip_src", 0)
                    .with_field("ip_dst", 0xffffffff).with_field("udp_src", 68)
                    .with_field("udp_dst", 67))
            add(Flow(L.CHK_IN_PORT_SEC, 90, dhcp, PASS))
            add(Flow(L.CHK_OUT_PORT_SEC, 95, o4.with_field("ip_dst", 0xffffffff), PASS))
            add(Flow(L.CHK_OUT_PORT_SEC, 95, o4.with_field("ip_dst", 0xe0000000, 0xf0000000), PASS))
        ip6 = m_in.with_field("eth_type", ETH_IP6)
        o6 = m_out.with_field("eth_type", ETH_IP6)
        if v6:
            for n in v6 + [_lla(mac)]:
                add(Flow(L.CHK_IN_PORT_SEC, 90, _net("ipv6_src", n, ip6), PASS))
                add(Flow(L.CHK_OUT_PORT_SEC, 95, _net("ipv6_dst", n, o6), PASS))
            add(Flow(L.CHK_IN_PORT_SEC, 90, ip6.with_field("ipv6_src", 0), PASS))   # DAD
            add(Flow(L.CHK_OUT_PORT_SEC, 95, o6.with_field("ipv6_dst", 0xff << 120, 0xff << 120), PASS))
        for t, fld in ((135, "nd_sll"), (136, "nd_tll")):
            base = (m_in.with_field("eth_type", ETH_IP6).with_field("nw_proto", 58)
                    .with_field("nw_ttl", 255).with_field("icmpv6_type", t)
                    .with_field("icmpv6_code", 0))
            for ll in (0, mac):
                add(Flow(L.CHK_IN_PORT_SEC_ND, 90, base.with_field(fld, ll), PASS))
    return out


def build(st, log):
    """Flows for every local port with port_security."""
    flows = {}
    for p in st.ports.values():
        if p.dp.uuid not in st.local_dps or p.row is None:
            continue
        if not (p.ofport or p.name in st.claims):
            continue
        ps = list(getattr(p.row, "port_security", []) or [])
        if not ps:
            continue
        entries = []
        for text in ps:
            try:
                entries.append(parse_entry(text))
            except PortSecError as e:
                log("port %s: %s (entry ignored; the port stays restricted)" % (p.name, e))
        for f in flows_for_port(p.dp.tunnel_key, p.key, entries):
            flows[f.key] = f
    return list(flows.values())
