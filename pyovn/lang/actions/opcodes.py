"""Controller action opcodes, declared once.

OVN puts a 32-bit opcode (plus 4 pad bytes) at the start of the userdata
of every controller() action it generates, followed by an opcode-specific
payload.  The packet-in handler (pinctrl) dispatches on it.  The numbers
are OVN 23.03's, so flow dumps read the same as on C chassis.
"""

ARP = 0x00                 # arp { ... }            nested actions
PUT_ARP = 0x01             # put_arp(port, ip, mac) reg14/reg0/eth.src
PUT_DHCP_OPTS = 0x02       # put_dhcp_opts(...)     result hdr + options, pause
ND_NA = 0x03               # nd_na { ... }          nested actions
PUT_ND = 0x04              # put_nd(port, ip, mac)  reg14/xxreg0/eth.src
PUT_DHCPV6_OPTS = 0x05     # put_dhcpv6_opts(...)   result hdr + options, pause
DNS_LOOKUP = 0x06          # dns_lookup()           result hdr, pause
LOG = 0x07                 # log(...)               verdict, severity, name
PUT_ND_RA_OPTS = 0x08      # put_nd_ra_opts(...)    result hdr + RA, pause
ND_NS = 0x09               # nd_ns { ... }          nested actions
ICMP = 0x0a                # icmp4 { } / icmp6 { }  nested actions
TCP_RESET = 0x0b           # tcp_reset { ... }
ND_NA_ROUTER = 0x0c        # nd_na_router { ... }
PUT_ICMP4_FRAG_MTU = 0x0d    # icmp4.frag_mtu = N      be16 MTU, pause
ICMP4_ERROR = 0x0e         # icmp4_error { ... }
EVENT = 0x0f               # trigger_event(...)     event type + TLVs
IGMP = 0x10                # igmp
BIND_VPORT = 0x11          # bind_vport(V, P)       vport key
HANDLE_SVC_CHECK = 0x12    # handle_svc_check(P)
DHCP6_SERVER = 0x13        # handle_dhcpv6_reply
ICMP6_ERROR = 0x14         # icmp6_error { ... }
PUT_ICMP6_FRAG_MTU = 0x15    # icmp6.frag_mtu = N      be32 MTU, pause
REJECT = 0x16              # reject { ... }
BFD_MSG = 0x17             # handle_bfd_msg()
SCTP_ABORT = 0x18          # sctp_abort { ... }
PUT_FDB = 0x19             # put_fdb(P, mac)

NAMES = {v: k.lower() for k, v in dict(globals()).items()
         if k.isupper() and isinstance(v, int)}


def split_userdata(data):
    """(opcode, payload) of the userdata of an OVN controller() action,
    as the packet-in handler receives it.  Raises ValueError if DATA is
    too short to be one."""
    if len(data) < 8:
        raise ValueError("controller userdata of %d bytes is too short" % len(data))
    return int.from_bytes(data[:4], "big"), bytes(data[8:])


def split_result(payload):
    """For the result actions (put_dhcp_opts, put_dhcpv6_opts, dns_lookup,
    put_nd_ra_opts): (OVS field name, bit offset, rest of PAYLOAD) of the
    1-bit result the handler must set before resuming the packet."""
    from pyovn.openflow import fields as F
    if len(payload) < 8:
        raise ValueError("result header of %d bytes is too short" % len(payload))
    hdr = int.from_bytes(payload[:4], "big")
    cls, number = hdr >> 16, (hdr >> 9) & 0x7f
    for info in F.FIELDS.values():
        for name_num in (info.nxm, info.oxm):
            if name_num and name_num[1] == number:
                for prefix, c in F.HEADER_CLASS.items():
                    if c == cls and name_num[0].startswith(prefix + "_"):
                        return info.name, int.from_bytes(payload[4:8], "big"), \
                            bytes(payload[8:])
    raise ValueError("unknown field header 0x%08x" % hdr)
