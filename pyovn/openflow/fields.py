"""OpenFlow/NXM fields of Open vSwitch 3.1, declared once.

The facts (names, widths, display formats, NXM/OXM header names and
numbers, read-only access) come from ovs-fields(7).  Families of numbered
fields (reg0-15, xreg0-7, xxreg0-3, tun_metadata0-63) are expanded here.

FieldInfo.kind is the display format: "hex", "dec", "mac", "ipv4",
"ipv6", "port", "ct_state", "frag", "tcp_flags", "tun_flags",
"packet_type".
"""

from dataclasses import dataclass

# Header classes of the NXM/OXM name prefixes (ovs-fields(7), "Field Format").
HEADER_CLASS = {
    "NXM_OF": 0x0000,
    "NXM_NX": 0x0001,
    "OXM_OF_PKT": 0x8001,
    "OXM_OF": 0x8000,
    "ONFOXM_ET": 0xffff,    # experimenter 0x4f4e4600
    "NXOXM_ET": 0xffff,     # experimenter 0x00002320
    "NXOXM_NSH": 0xffff,    # experimenter 0x005ad650
    "ERICOXM_OF": 0x1000,
}


@dataclass(frozen=True)
class FieldInfo:
    name: str                 # OVS canonical name, e.g. "eth_src"
    aliases: tuple            # other accepted names, e.g. ("dl_src",)
    width: int                # bits; tun_metadataN: 992 (variable, up to 124 bytes)
    kind: str
    maskable: bool
    read_only: bool
    oxm: tuple                # (name, number) or None
    nxm: tuple                # (name, number) or None

    @property
    def header_name(self):
        """Name OVS uses when printing a subfield (e.g. NXM_NX_REG0)."""
        if self.nxm:
            return self.nxm[0]
        if self.oxm:
            return self.oxm[0]
        return self.name


_KIND = {"hexadecimal": "hex", "decimal": "dec", "Ethernet": "mac",
         "IPv4": "ipv4", "IPv6": "ipv6", "OpenFlow 1.0 port": "port",
         "OpenFlow 1.1+ port": "port", "ct state": "ct_state", "frag": "frag",
         "TCP flags": "tcp_flags", "tunnel flags": "tun_flags",
         "packet type": "packet_type"}

# (name, aliases, width, format, maskable, read_only, oxm, nxm), from ovs-fields(7)
_RAW = [
    ('conj_id', (), 32, 'decimal', False, True, None, ('NXM_NX_CONJ_ID', 37)),
    ('tun_id', ('tunnel_id',), 64, 'hexadecimal', True, False, ('OXM_OF_TUNNEL_ID', 38), ('NXM_NX_TUN_ID', 16)),
    ('tun_src', (), 32, 'IPv4', True, False, None, ('NXM_NX_TUN_IPV4_SRC', 31)),
    ('tun_dst', (), 32, 'IPv4', True, False, None, ('NXM_NX_TUN_IPV4_DST', 32)),
    ('tun_ipv6_src', (), 128, 'IPv6', True, False, None, ('NXM_NX_TUN_IPV6_SRC', 109)),
    ('tun_ipv6_dst', (), 128, 'IPv6', True, False, None, ('NXM_NX_TUN_IPV6_DST', 110)),
    ('tun_gbp_id', (), 16, 'decimal', True, False, None, ('NXM_NX_TUN_GBP_ID', 38)),
    ('tun_gbp_flags', (), 8, 'hexadecimal', True, False, None, ('NXM_NX_TUN_GBP_FLAGS', 39)),
    ('tun_erspan_ver', (), 8, 'decimal', True, False, None, ('NXOXM_ET_ERSPAN_VER', 12)),
    ('tun_erspan_idx', (), 32, 'hexadecimal', True, False, None, ('NXOXM_ET_ERSPAN_IDX', 11)),
    ('tun_erspan_dir', (), 8, 'decimal', True, False, None, ('NXOXM_ET_ERSPAN_DIR', 13)),
    ('tun_erspan_hwid', (), 8, 'hexadecimal', True, False, None, ('NXOXM_ET_ERSPAN_HWID', 14)),
    ('tun_gtpu_flags', (), 8, 'hexadecimal', True, True, None, ('NXOXM_ET_GTPU_FLAGS', 15)),
    ('tun_gtpu_msgtype', (), 8, 'decimal', True, True, None, ('NXOXM_ET_GTPU_MSGTYPE', 16)),
    ('tun_metadata0', (), None, 'hexadecimal', True, False, None, ('NXM_NX_TUN_METADATA0', 40)),
    ('tun_flags', (), 16, 'tunnel flags', True, False, None, ('NXM_NX_TUN_FLAGS', 104)),
    ('in_port', (), 16, 'OpenFlow 1.0 port', False, False, None, ('NXM_OF_IN_PORT', 0)),
    ('in_port_oxm', (), 32, 'OpenFlow 1.1+ port', False, False, ('OXM_OF_IN_PORT', 0), None),
    ('skb_priority', (), 32, 'hexadecimal', False, True, None, None),
    ('pkt_mark', (), 32, 'hexadecimal', True, False, None, ('NXM_NX_PKT_MARK', 33)),
    ('actset_output', (), 32, 'OpenFlow 1.1+ port', False, True, ('ONFOXM_ET_ACTSET_OUTPUT', 43), None),
    ('packet_type', (), 32, 'packet type', False, True, ('OXM_OF_PACKET_TYPE', 44), None),
    ('ct_state', (), 32, 'ct state', True, True, None, ('NXM_NX_CT_STATE', 105)),
    ('ct_zone', (), 16, 'hexadecimal', False, True, None, ('NXM_NX_CT_ZONE', 106)),
    ('ct_mark', (), 32, 'hexadecimal', True, False, None, ('NXM_NX_CT_MARK', 107)),
    ('ct_label', (), 128, 'hexadecimal', True, False, None, ('NXM_NX_CT_LABEL', 108)),
    ('ct_nw_src', (), 32, 'IPv4', True, True, None, ('NXM_NX_CT_NW_SRC', 120)),
    ('ct_nw_dst', (), 32, 'IPv4', True, True, None, ('NXM_NX_CT_NW_DST', 121)),
    ('ct_ipv6_src', (), 128, 'IPv6', True, True, None, ('NXM_NX_CT_IPV6_SRC', 122)),
    ('ct_ipv6_dst', (), 128, 'IPv6', True, True, None, ('NXM_NX_CT_IPV6_DST', 123)),
    ('ct_nw_proto', (), 8, 'decimal', False, True, None, ('NXM_NX_CT_NW_PROTO', 119)),
    ('ct_tp_src', (), 16, 'decimal', True, True, None, ('NXM_NX_CT_TP_SRC', 124)),
    ('ct_tp_dst', (), 16, 'decimal', True, True, None, ('NXM_NX_CT_TP_DST', 125)),
    ('metadata', (), 64, 'hexadecimal', True, False, ('OXM_OF_METADATA', 2), None),
    ('reg0', (), 32, 'hexadecimal', True, False, None, ('NXM_NX_REG0', 0)),
    ('xreg0', (), 64, 'hexadecimal', True, False, ('OXM_OF_PKT_REG0', 0), None),
    ('xxreg0', (), 128, 'hexadecimal', True, False, None, ('NXM_NX_XXREG0', 111)),
    ('eth_src', ('dl_src',), 48, 'Ethernet', True, False, ('OXM_OF_ETH_SRC', 4), ('NXM_OF_ETH_SRC', 2)),
    ('eth_dst', ('dl_dst',), 48, 'Ethernet', True, False, ('OXM_OF_ETH_DST', 3), ('NXM_OF_ETH_DST', 1)),
    ('eth_type', ('dl_type',), 16, 'hexadecimal', False, True, ('OXM_OF_ETH_TYPE', 5), ('NXM_OF_ETH_TYPE', 3)),
    ('vlan_vid', (), 16, 'decimal', True, False, ('OXM_OF_VLAN_VID', 6), None),
    ('vlan_pcp', (), 8, 'decimal', False, False, ('OXM_OF_VLAN_PCP', 7), None),
    ('vlan_tci', (), 16, 'hexadecimal', True, False, None, ('NXM_OF_VLAN_TCI', 4)),
    ('mpls_label', (), 32, 'decimal', False, False, ('OXM_OF_MPLS_LABEL', 34), None),
    ('mpls_tc', (), 8, 'decimal', False, False, ('OXM_OF_MPLS_TC', 35), None),
    ('mpls_bos', (), 8, 'decimal', False, True, ('OXM_OF_MPLS_BOS', 36), None),
    ('mpls_ttl', (), 8, 'decimal', False, False, None, ('NXM_NX_MPLS_TTL', 30)),
    ('ip_src', ('nw_src',), 32, 'IPv4', True, False, ('OXM_OF_IPV4_SRC', 11), ('NXM_OF_IP_SRC', 7)),
    ('ip_dst', ('nw_dst',), 32, 'IPv4', True, False, ('OXM_OF_IPV4_DST', 12), ('NXM_OF_IP_DST', 8)),
    ('ipv6_src', (), 128, 'IPv6', True, False, ('OXM_OF_IPV6_SRC', 26), ('NXM_NX_IPV6_SRC', 19)),
    ('ipv6_dst', (), 128, 'IPv6', True, False, ('OXM_OF_IPV6_DST', 27), ('NXM_NX_IPV6_DST', 20)),
    ('ipv6_label', (), 32, 'hexadecimal', True, False, ('OXM_OF_IPV6_FLABEL', 28), ('NXM_NX_IPV6_LABEL', 27)),
    ('nw_proto', ('ip_proto',), 8, 'decimal', False, True, ('OXM_OF_IP_PROTO', 10), ('NXM_OF_IP_PROTO', 6)),
    ('nw_ttl', (), 8, 'decimal', False, False, None, ('NXM_NX_IP_TTL', 29)),
    ('ip_frag', ('nw_frag',), 8, 'frag', True, True, None, ('NXM_NX_IP_FRAG', 26)),
    ('nw_tos', (), 8, 'decimal', False, False, None, ('NXM_OF_IP_TOS', 5)),
    ('ip_dscp', (), 8, 'decimal', False, False, ('OXM_OF_IP_DSCP', 8), None),
    ('nw_ecn', ('ip_ecn',), 8, 'decimal', False, False, ('OXM_OF_IP_ECN', 9), ('NXM_NX_IP_ECN', 28)),
    ('arp_op', (), 16, 'decimal', False, False, ('OXM_OF_ARP_OP', 21), ('NXM_OF_ARP_OP', 15)),
    ('arp_spa', (), 32, 'IPv4', True, False, ('OXM_OF_ARP_SPA', 22), ('NXM_OF_ARP_SPA', 16)),
    ('arp_tpa', (), 32, 'IPv4', True, False, ('OXM_OF_ARP_TPA', 23), ('NXM_OF_ARP_TPA', 17)),
    ('arp_sha', (), 48, 'Ethernet', True, False, ('OXM_OF_ARP_SHA', 24), ('NXM_NX_ARP_SHA', 17)),
    ('arp_tha', (), 48, 'Ethernet', True, False, ('OXM_OF_ARP_THA', 25), ('NXM_NX_ARP_THA', 18)),
    ('nsh_flags', (), 8, 'decimal', True, False, None, ('NXOXM_NSH_FLAGS', 1)),
    ('nsh_ttl', (), 8, 'decimal', False, False, None, ('NXOXM_NSH_TTL', 10)),
    ('nsh_mdtype', (), 8, 'decimal', False, True, None, ('NXOXM_NSH_MDTYPE', 2)),
    ('nsh_np', (), 8, 'decimal', False, True, None, ('NXOXM_NSH_NP', 3)),
    ('nsh_spi', ('nsp',), 32, 'hexadecimal', False, False, None, ('NXOXM_NSH_SPI', 4)),
    ('nsh_si', ('nsi',), 8, 'decimal', False, False, None, ('NXOXM_NSH_SI', 5)),
    ('nsh_c1', ('nshc1',), 32, 'hexadecimal', True, False, None, ('NXOXM_NSH_C1', 6)),
    ('nsh_c2', ('nshc2',), 32, 'hexadecimal', True, False, None, ('NXOXM_NSH_C2', 7)),
    ('nsh_c3', ('nshc3',), 32, 'hexadecimal', True, False, None, ('NXOXM_NSH_C3', 8)),
    ('nsh_c4', ('nshc4',), 32, 'hexadecimal', True, False, None, ('NXOXM_NSH_C4', 9)),
    ('tcp_src', ('tp_src',), 16, 'decimal', True, False, ('OXM_OF_TCP_SRC', 13), ('NXM_OF_TCP_SRC', 9)),
    ('tcp_dst', ('tp_dst',), 16, 'decimal', True, False, ('OXM_OF_TCP_DST', 14), ('NXM_OF_TCP_DST', 10)),
    ('tcp_flags', (), 16, 'TCP flags', True, True, ('ONFOXM_ET_TCP_FLAGS', 42), ('NXM_NX_TCP_FLAGS', 34)),
    ('udp_src', (), 16, 'decimal', True, False, ('OXM_OF_UDP_SRC', 15), ('NXM_OF_UDP_SRC', 11)),
    ('udp_dst', (), 16, 'decimal', True, False, ('OXM_OF_UDP_DST', 16), ('NXM_OF_UDP_DST', 12)),
    ('sctp_src', (), 16, 'decimal', True, False, ('OXM_OF_SCTP_SRC', 17), None),
    ('sctp_dst', (), 16, 'decimal', True, False, ('OXM_OF_SCTP_DST', 18), None),
    ('icmp_type', (), 8, 'decimal', False, False, ('OXM_OF_ICMPV4_TYPE', 19), ('NXM_OF_ICMP_TYPE', 13)),
    ('icmp_code', (), 8, 'decimal', False, False, ('OXM_OF_ICMPV4_CODE', 20), ('NXM_OF_ICMP_CODE', 14)),
    ('icmpv6_type', (), 8, 'decimal', False, False, ('OXM_OF_ICMPV6_TYPE', 29), ('NXM_NX_ICMPV6_TYPE', 21)),
    ('icmpv6_code', (), 8, 'decimal', False, False, ('OXM_OF_ICMPV6_CODE', 30), ('NXM_NX_ICMPV6_CODE', 22)),
    ('nd_target', (), 128, 'IPv6', True, False, ('OXM_OF_IPV6_ND_TARGET', 31), ('NXM_NX_ND_TARGET', 23)),
    ('nd_sll', (), 48, 'Ethernet', True, False, ('OXM_OF_IPV6_ND_SLL', 32), ('NXM_NX_ND_SLL', 24)),
    ('nd_tll', (), 48, 'Ethernet', True, False, ('OXM_OF_IPV6_ND_TLL', 33), ('NXM_NX_ND_TLL', 25)),
    ('nd_reserved', (), 32, 'decimal', False, False, None, ('ERICOXM_OF_ICMPV6_ND_RESERVED', 1)),
    ('nd_options_type', (), 8, 'decimal', False, False, None, ('ERICOXM_OF_ICMPV6_ND_OPTIONS_TYPE', 2)),
]


def _expand(row):
    name, aliases, width, fmt, maskable, ro, oxm, nxm = row
    def numbered(base, count, first_num, hdr_prefix, in_oxm):
        for i in range(count):
            hdr = ("%s%d" % (hdr_prefix, i), first_num + i)
            yield ("%s%d" % (base, i), (), width, fmt, maskable, ro,
                   hdr if in_oxm else None, None if in_oxm else hdr)
    if name == "reg0":
        yield from numbered("reg", 16, 0, "NXM_NX_REG", False)
    elif name == "xreg0":
        yield from numbered("xreg", 8, 0, "OXM_OF_PKT_REG", True)
    elif name == "xxreg0":
        yield from numbered("xxreg", 4, 111, "NXM_NX_XXREG", False)
    elif name == "tun_metadata0":
        for i in range(64):
            yield ("tun_metadata%d" % i, (), 992, fmt, maskable, ro, None,
                   ("NXM_NX_TUN_METADATA%d" % i, 40 + i))
    else:
        yield row


FIELDS = {}
_BY_ANY_NAME = {}
for _row in _RAW:
    for _name, _aliases, _width, _fmt, _maskable, _ro, _oxm, _nxm in _expand(_row):
        _info = FieldInfo(_name, tuple(_aliases), _width, _KIND[_fmt], _maskable,
                          _ro, _oxm, _nxm)
        FIELDS[_name] = _info
        for _n in (_name,) + tuple(_aliases):
            _BY_ANY_NAME[_n] = _info
        for _hdr in (_oxm, _nxm):
            if _hdr:
                _BY_ANY_NAME[_hdr[0]] = _info
# nw_tos/ip_dscp/nw_ecn have fewer meaningful bits than ovs-fields lists.
FIELDS["ip_dscp"] = _BY_ANY_NAME["ip_dscp"] = FieldInfo(
    "ip_dscp", (), 6, "dec", False, False, ("OXM_OF_IP_DSCP", 8), None)
FIELDS["nw_ecn"] = _BY_ANY_NAME["nw_ecn"] = _BY_ANY_NAME["ip_ecn"] = FieldInfo(
    "nw_ecn", ("ip_ecn",), 2, "dec", False, False, ("OXM_OF_IP_ECN", 9),
    ("NXM_NX_IP_ECN", 28))
FIELDS["ipv6_label"] = _BY_ANY_NAME["ipv6_label"] = FieldInfo(
    "ipv6_label", (), 20, "hex", True, False, ("OXM_OF_IPV6_FLABEL", 28),
    ("NXM_NX_IPV6_LABEL", 27))
FIELDS["vlan_vid"] = _BY_ANY_NAME["vlan_vid"] = FieldInfo(
    "vlan_vid", (), 13, "dec", True, False, ("OXM_OF_VLAN_VID", 6), None)
FIELDS["vlan_pcp"] = _BY_ANY_NAME["vlan_pcp"] = FieldInfo(
    "vlan_pcp", (), 3, "dec", False, False, ("OXM_OF_VLAN_PCP", 7), None)


def lookup(name):
    """FieldInfo for any OVS name of a field (canonical, alias or NXM/OXM
    header name), or None."""
    return _BY_ANY_NAME.get(name)
