"""Every logical pipeline stage of OVN 23.03, declared once.

A stage is (datapath type, pipeline, table number, name).  The names are the
values ovn-northd writes into Logical_Flow external_ids:stage-name and the
table numbers are Logical_Flow.table_id; both are wire-visible (ovn-trace,
ovn-sbctl lflow-list and ovn-controller read them), so they are exactly
23.03's (ovn-northd(8), "LOGICAL FLOW TABLE STRUCTURE").
"""

import collections

SWITCH = "ls"
ROUTER = "lr"
INGRESS = "ingress"
EGRESS = "egress"

Stage = collections.namedtuple("Stage", "dp_type pipeline table name")

_LAYOUT = {
    (SWITCH, INGRESS): [
        "check_port_sec", "apply_port_sec", "lookup_fdb", "put_fdb",
        "pre_acl", "pre_lb", "pre_stateful", "acl_hint", "acl",
        "qos_mark", "qos_meter", "lb_aff_check", "lb", "lb_aff_learn",
        "pre_hairpin", "nat_hairpin", "hairpin", "acl_after_lb", "stateful",
        "arp_rsp", "dhcp_options", "dhcp_response", "dns_lookup",
        "dns_response", "external_port", "l2_lkup", "l2_unknown",
    ],
    (SWITCH, EGRESS): [
        "pre_acl", "pre_lb", "pre_stateful", "acl_hint", "acl",
        "qos_mark", "qos_meter", "stateful", "check_port_sec",
        "apply_port_sec",
    ],
    (ROUTER, INGRESS): [
        "admission", "lookup_neighbor", "learn_neighbor", "ip_input",
        "unsnat", "defrag", "lb_aff_check", "dnat", "lb_aff_learn",
        "ecmp_stateful", "nd_ra_options", "nd_ra_response",
        "ip_routing_pre", "ip_routing", "ip_routing_ecmp", "policy",
        "policy_ecmp", "arp_resolve", "chk_pkt_len", "larger_pkts",
        "gw_redirect", "arp_request",
    ],
    (ROUTER, EGRESS): [
        "chk_dnat_local", "undnat", "post_undnat", "snat", "post_snat",
        "egr_loop", "delivery",
    ],
}

ALL = []
BY_NAME = {}
for (_dp, _pipe), _names in _LAYOUT.items():
    for _i, _n in enumerate(_names):
        _s = Stage(_dp, _pipe, _i, "%s_%s_%s" % (_dp, "in" if _pipe == INGRESS else "out", _n))
        ALL.append(_s)
        BY_NAME[_s.name] = _s


def stage(name):
    """The Stage called NAME (e.g. "ls_in_acl"); KeyError if unknown."""
    return BY_NAME[name]


def stages_of(dp_type, pipeline):
    return [s for s in ALL if s.dp_type == dp_type and s.pipeline == pipeline]


class _Names:
    """Attribute access to stages: S.LS_IN_ACL -> Stage."""

    def __getattr__(self, attr):
        try:
            return BY_NAME[attr.lower()]
        except KeyError:
            raise AttributeError(attr)


S = _Names()

# --- Register bits the switch pipeline uses (23.03's REGBIT_* names) -------
REGBIT_CONNTRACK_DEFRAG = "reg0[0]"
REGBIT_CONNTRACK_COMMIT = "reg0[1]"
REGBIT_CONNTRACK_NAT = "reg0[2]"
REGBIT_DHCP_OPTS_RESULT = "reg0[3]"
REGBIT_DNS_LOOKUP_RESULT = "reg0[4]"
REGBIT_ND_RA_OPTS_RESULT = "reg0[5]"
REGBIT_HAIRPIN = "reg0[6]"
REGBIT_ACL_HINT_ALLOW_NEW = "reg0[7]"
REGBIT_ACL_HINT_ALLOW = "reg0[8]"
REGBIT_ACL_HINT_DROP = "reg0[9]"
REGBIT_ACL_HINT_BLOCK = "reg0[10]"
REGBIT_LKUP_FDB = "reg0[11]"
REGBIT_HAIRPIN_REPLY = "reg0[12]"
REGBIT_ACL_LABEL = "reg0[13]"
REGBIT_FROM_RAMP = "reg0[14]"
REGBIT_PORT_SEC_DROP = "reg0[15]"
REGBIT_ACL_STATELESS = "reg0[16]"
REGBIT_ACL_HINT_ALLOW_REL = "reg0[17]"
REG_LB_AFF_BACKEND_IP4 = "reg4"
REG_LB_AFF_MATCH_PORT = "reg8[0..15]"
REGBIT_KNOWN_LB_SESSION = "reg9[6]"
REG_LABEL = "reg3"
REG_ORIG_DIP_IPV4 = "reg1"
REG_ORIG_DIP_IPV6 = "xxreg1"
REG_ORIG_TP_DPORT = "reg2[0..15]"

# Logical flags as the language names them (flags.* in ovn-sb(5)).
FLAGBIT_NOT_VXLAN = "flags[1] == 0"
