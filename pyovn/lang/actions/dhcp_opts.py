"""DHCPv4 and DHCPv6 options understood by put_dhcp_opts and
put_dhcpv6_opts, declared once: name -> (code, type).

The names are those of ovn-nb(5) DHCP_Options options; the codes are the
DHCP option codes (RFC 2132 and successors, RFC 8415 for DHCPv6); codes
0 (offerip) and 253 (next_server) are OVN's own pseudo-options that
pinctrl turns into yiaddr and siaddr.

Types:
    ipv4        one or more IPv4 addresses ({a, b} for several)
    ipv6        one or more IPv6 addresses
    mac         an Ethernet address
    bool        0 or 1
    uint8/uint16/uint32
    str         a string
    host_id     a string or an IPv4 address
    domains     comma-separated domain names, RFC 1035 encoded with
                compression (option 119)
    domain      one domain name, RFC 1035 encoded (DHCPv6 fqdn)
    static_routes  {prefix/len, gateway, ...} (RFC 3442)
"""

DHCP_OFFERIP = "offerip"
DHCP_NEXT_SERVER = "next_server"

DHCPV4_OPTS = {
    "offerip": (0, "ipv4"),
    "netmask": (1, "ipv4"),
    "router": (3, "ipv4"),
    "dns_server": (6, "ipv4"),
    "log_server": (7, "ipv4"),
    "lpr_server": (9, "ipv4"),
    "hostname": (12, "str"),
    "domain_name": (15, "str"),
    "swap_server": (16, "ipv4"),
    "ip_forward_enable": (19, "bool"),
    "policy_filter": (21, "ipv4"),
    "default_ttl": (23, "uint8"),
    "mtu": (26, "uint16"),
    "broadcast_address": (28, "ipv4"),
    "router_discovery": (31, "bool"),
    "router_solicitation": (32, "ipv4"),
    "arp_cache_timeout": (35, "uint32"),
    "ethernet_encap": (36, "bool"),
    "tcp_ttl": (37, "uint8"),
    "tcp_keepalive_interval": (38, "uint32"),
    "nis_server": (41, "ipv4"),
    "ntp_server": (42, "ipv4"),
    "netbios_name_server": (44, "ipv4"),
    "netbios_node_type": (46, "uint8"),
    "lease_time": (51, "uint32"),
    "server_id": (54, "ipv4"),
    "T1": (58, "uint32"),
    "T2": (59, "uint32"),
    "tftp_server": (66, "host_id"),
    "bootfile_name": (67, "str"),
    "domain_search_list": (119, "domains"),
    "classless_static_route": (121, "static_routes"),
    "tftp_server_address": (150, "ipv4"),
    "path_prefix": (210, "str"),
    "ms_classless_static_route": (249, "static_routes"),
    "wpad": (252, "str"),
    "next_server": (253, "ipv4"),
    "bootfile_name_alt": (254, "str"),
}

# Options pinctrl needs first, in this order, whatever order they were
# written in (offerip is not a real option, the boot options must come
# before the rest).
DHCPV4_FIRST = ("offerip", "bootfile_name", "bootfile_name_alt", "next_server")

DHCPV6_OPTS = {
    "server_id": (2, "mac"),
    "ia_addr": (5, "ipv6"),
    "dns_server": (23, "ipv6"),
    "domain_search": (24, "str"),
    "fqdn": (39, "domain"),
    "bootfile_name": (59, "str"),
    "bootfile_name_alt": (254, "str"),
}

STRING_TYPES = ("str", "domains", "domain")
NUMERIC_TYPES = ("ipv4", "ipv6", "mac", "bool", "uint8", "uint16", "uint32",
                 "static_routes")

UINT_BYTES = {"bool": 1, "uint8": 1, "uint16": 2, "uint32": 4}


def encode_domain(name, out, offsets=None):
    """Appends domain NAME in RFC 1035 form to bytearray OUT; with OFFSETS
    (suffix -> offset in OUT), uses and records compression pointers."""
    labels = [x for x in name.strip().strip(".").split(".") if x]
    for i in range(len(labels)):
        suffix = ".".join(labels[i:]).lower()
        if offsets is not None:
            if suffix in offsets and offsets[suffix] < 0x3fff:
                out += (0xc000 | offsets[suffix]).to_bytes(2, "big")
                return
            offsets[suffix] = len(out)
        label = labels[i].encode()
        if len(label) > 63:
            raise ValueError("domain label %r is longer than 63 bytes" % labels[i])
        out.append(len(label))
        out += label
    out.append(0)


def encode_domain_list(text):
    out = bytearray()
    offsets = {}
    for name in text.split(","):
        if name.strip():
            encode_domain(name, out, offsets)
    return bytes(out)
