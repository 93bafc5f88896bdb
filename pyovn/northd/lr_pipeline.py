"""Logical flows of logical router datapaths: ovn-northd(8), "Logical
Router Datapaths", ingress tables 0-21 and egress tables 0-6.

build(model, table, ctx) adds the flows of every router to TABLE.  This
file holds admission, neighbor lookup/learning, IP input, routing (connected
and static routes, ECMP, route tables), policies, ARP resolution, gateway
redirect, ARP request and delivery; NAT and load balancing stages are in
lr_nat.py.  lr_model.prepare() must have run on the model.
"""

import functools
import ipaddress

from pyovn.northd import addresses as addr
from pyovn.northd import lr_model
from pyovn.northd import lr_nat
from pyovn.northd import validate
from pyovn.northd.stages import S


def q(name):
    return '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')


def resident(p):
    """' && is_chassis_resident("cr-P")' for a DGP, '' otherwise."""
    cr = getattr(p, "cr_port", None)
    return ' && is_chassis_resident(%s)' % q(cr.name) if cr is not None else ""


@functools.lru_cache(maxsize=65536)
def _text(ip):
    """str() of an address, cached (ipaddress formats IPv6 slowly)."""
    return str(ip)


def braces(items):
    return "{%s}" % ", ".join(_text(i) for i in items)


def one_or_set(items):
    items = [_text(i) for i in items]
    return items[0] if len(items) == 1 else "{%s}" % ", ".join(items)


ARP_REPLY = ("eth.dst = eth.src; eth.src = %s; arp.op = 2; /* ARP reply */ "
             "arp.tha = arp.sha; arp.sha = %s; arp.tpa <-> arp.spa; "
             "outport = inport; flags.loopback = 1; output;")
NA_REPLY = ("nd_na_router { eth.src = %s; ip6.src = nd.target; nd.tll = %s; "
            "outport = inport; flags.loopback = 1; output; };")
XREG_MAC = "xreg0[0..47]"


def build(model, table, ctx):
    for dp in model.routers:
        if dp.key is None:
            continue
        build_router(model, dp, table, ctx)


def _ports(dp):
    return [p for p in dp.ports if p.key is not None and p.lrp_networks is not None]


def build_router(model, dp, t, ctx):
    add = functools.partial(t.add, dp)   # keeps the caller as the flow source
    ports = _ports(dp)
    # A disabled port admits and delivers nothing; its other flows stay
    # (as in 23.03), they are unreachable without admission.
    enabled = [p for p in ports if p.enabled]
    build_admission(dp, enabled, add)
    build_neighbor(dp, ports, add, ctx)
    build_ip_input(dp, ports, add, ctx)
    lr_nat.build(model, dp, ports, add, ctx)
    for stage in (S.LR_IN_ECMP_STATEFUL, S.LR_OUT_POST_SNAT):
        add(stage, 0, "1", "next;")
    build_nd_ra(dp, ports, add, ctx)
    build_pkt_len(dp, ports, add, ctx)
    build_routing(dp, ports, add, ctx)
    build_policies(dp, ports, add, ctx)
    build_arp_resolve(model, dp, ports, add, ctx)
    build_gw_redirect(dp, enabled, add, ctx)
    build_arp_request(dp, enabled, add, ctx)
    relay = dp.options.get("mcast_relay") == "true"
    for p in enabled:
        add(S.LR_OUT_DELIVERY, 100, "outport == %s" % q(p.name), "output;", hint=p.row)
        if relay:
            # Relayed multicast leaves with the router port's MAC.
            add(S.LR_OUT_DELIVERY, 110, "(ip4.mcast || ip6.mcast) && outport == %s"
                % q(p.name), "eth.src = %s; output;" % p.lrp_networks.mac, hint=p.row)
    add(S.LR_OUT_DELIVERY, 0, "1", "drop;")


# --- ingress 0: admission ---------------------------------------------------
def build_admission(dp, ports, add):
    st = S.LR_IN_ADMISSION
    add(st, 100, "vlan.present || eth.src[40]", "drop;")
    for p in ports:
        mac = p.lrp_networks.mac
        act = "%s%s = %s; next;" % (_pkt_larger(dp, p), XREG_MAC, mac)
        m_mc = "eth.mcast && inport == %s" % q(p.name)
        m_uc = "eth.dst == %s && inport == %s%s" % (mac, q(p.name), resident(p))
        add(st, 50, m_mc, act, hint=p.row)
        add(st, 50, m_uc, act, hint=p.row)
        bypass = p.options.get("gateway_mtu_bypass")
        if bypass and gateway_mtu(dp, p):
            plain = "%s = %s; next;" % (XREG_MAC, mac)
            add(st, 55, "%s && (%s)" % (m_mc, bypass), plain, hint=p.row)
            add(st, 55, "%s && (%s)" % (m_uc, bypass), plain, hint=p.row)
    for n in dp.nats:
        if n.distributed and n.gateway_port is not None:
            g = n.gateway_port
            add(st, 50, "eth.dst == %s && inport == %s && is_chassis_resident(%s)"
                % (n.external_mac, q(g.name), q(n.logical_port)),
                "%s = %s; next;" % (XREG_MAC, g.lrp_networks.mac), hint=g.row)
    add(st, 0, "1", "drop;")


def gateway_mtu(dp, p):
    """P's options:gateway_mtu as an int if it applies (a DGP, or a port of
    a gateway router), else None."""
    text = p.options.get("gateway_mtu")
    if not text or (p.cr_port is None and not dp.is_gw_router):
        return None
    try:
        mtu = int(text)
    except ValueError:
        return None
    return mtu if mtu > 0 else None


def _pkt_larger(dp, p):
    mtu = gateway_mtu(dp, p)
    return "reg9[1] = check_pkt_larger(%d); " % (mtu + 14) if mtu else ""


def _frag_needed(p, v, mtu):
    """The ICMP error sent back through P for a packet larger than MTU."""
    nets = p.lrp_networks
    if v == "ip4":
        return ("icmp4_error {reg9[0] = 1; reg9[1] = 0; eth.dst = %s; ip4.dst = ip4.src; "
                "ip4.src = %s; ip.ttl = 255; icmp4.type = 3; /* Destination Unreachable. "
                "*/ icmp4.code = 4; /* Frag Needed and DF was Set. */ icmp4.frag_mtu = %d; "
                "next(pipeline=ingress, table=0); };" % (nets.mac, nets.ipv4[0].addr, mtu))
    return ("icmp6_error {reg9[0] = 1; reg9[1] = 0; eth.dst = %s; ip6.dst = ip6.src; "
            "ip6.src = %s; ip.ttl = 255; icmp6.type = 2; /* Packet Too Big. */ "
            "icmp6.code = 0; icmp6.frag_mtu = %d; next(pipeline=ingress, table=0); };"
            % (nets.mac, nets.ipv6[0].addr, mtu))


def build_pkt_len(dp, ports, add, ctx):
    """Ingress 18/19 (and IP input 150): gateway_mtu enforcement."""
    for g in ports:
        mtu = gateway_mtu(dp, g)
        text = g.options.get("gateway_mtu")
        if text and not mtu and (g.cr_port is not None or dp.is_gw_router):
            ctx.problems.report("Logical_Router_Port", g.uuid, "options:gateway_mtu",
                                "'%s' is not a positive integer; ignored" % text)
        if not mtu:
            continue
        add(S.LR_IN_CHK_PKT_LEN, 50, "outport == %s" % q(g.name),
            "reg9[1] = check_pkt_larger(%d); next;" % (mtu + 14), hint=g.row)
        bypass = g.options.get("gateway_mtu_bypass")
        if bypass:
            add(S.LR_IN_CHK_PKT_LEN, 55, "outport == %s && (%s)" % (q(g.name), bypass),
                "next;", hint=g.row)
        for v in ("ip4", "ip6"):
            if v == "ip4" and not g.lrp_networks.ipv4:
                continue
            add(S.LR_IN_IP_INPUT, 150, "inport == %s && %s && reg9[1] && reg9[0] == 0"
                % (q(g.name), v), _frag_needed(g, v, mtu), hint=g.row)
        for p in ports:
            if p is g:
                continue
            for v in ("ip4", "ip6"):
                if v == "ip4" and not p.lrp_networks.ipv4:
                    continue
                add(S.LR_IN_LARGER_PKTS, 150, "inport == %s && outport == %s && %s && "
                    "reg9[1] && reg9[0] == 0" % (q(p.name), q(g.name), v),
                    _frag_needed(p, v, mtu), hint=p.row)
    add(S.LR_IN_CHK_PKT_LEN, 0, "1", "next;")
    add(S.LR_IN_LARGER_PKTS, 0, "1", "next;")


# --- ingress 10/11: IPv6 ND router advertisements -----------------------
def ra_configs(p):
    return dict(getattr(p.row, "ipv6_ra_configs", {}) or {})


def build_nd_ra(dp, ports, add, ctx):
    for p in ports:
        cfg = ra_configs(p)
        mode = cfg.get("address_mode")
        if mode not in ("slaac", "dhcpv6_stateful", "dhcpv6_stateless"):
            continue
        nets = p.lrp_networks
        lla = nets.ipv6[-1].addr
        opts = ['addr_mode = "%s"' % mode, "slla = %s" % nets.mac]
        if cfg.get("mtu"):
            opts.append("mtu = %s" % cfg["mtu"])
        prf = cfg.get("router_preference", "MEDIUM").upper()
        if prf in ("HIGH", "LOW"):
            opts.append('router_preference = "%s"' % prf)
        prefixes = [ip.network_str for ip in nets.ipv6[:-1]]
        if mode != "dhcpv6_stateful":
            opts.extend("prefix = %s" % pf for pf in prefixes)
        if not prefixes and mode != "dhcpv6_stateful":
            continue
        add(S.LR_IN_ND_RA_OPTIONS, 50, "inport == %s && ip6.dst == ff02::2 && nd_rs"
            % q(p.name), "reg0[5] = put_nd_ra_opts(%s); next;" % ", ".join(opts),
            hint=p.row)
        add(S.LR_IN_ND_RA_RESPONSE, 50, "inport == %s && ip6.dst == ff02::2 && nd_ra && "
            "reg0[5]" % q(p.name),
            "eth.dst = eth.src; eth.src = %s; ip6.dst = ip6.src; ip6.src = %s; "
            "outport = inport; flags.loopback = 1; output;" % (nets.mac, lla), hint=p.row)
    add(S.LR_IN_ND_RA_OPTIONS, 0, "1", "next;")
    add(S.LR_IN_ND_RA_RESPONSE, 0, "1", "next;")


# --- ingress 1/2: neighbor lookup and learning -------------------------------
def build_neighbor(dp, ports, add, ctx):
    lk, ln = S.LR_IN_LOOKUP_NEIGHBOR, S.LR_IN_LEARN_NEIGHBOR
    # always_learn_from_arp_request=false: learn from a request only if it
    # targets the router or the sender is already known (reg9[3]).
    always = dp.options.get("always_learn_from_arp_request", "true") != "false"
    known, arp_ip, nd_ip = "", "", ""
    if not always:
        known = " reg9[3] = 1;"
        arp_ip = " reg9[3] = lookup_arp_ip(inport, arp.spa);"
        nd_ip = " reg9[3] = lookup_nd_ip(inport, ip6.src);"
    add(lk, 100, "arp.op == 2",
        "reg9[2] = lookup_arp(inport, arp.spa, arp.sha);%s next;" % known)
    for p in ports:
        for ip in p.lrp_networks.ipv4:
            add(lk, 100, "inport == %s && arp.spa == %s && arp.op == 1%s"
                % (q(p.name), ip.network_str, resident(p)),
                "reg9[2] = lookup_arp(inport, arp.spa, arp.sha);%s next;" % arp_ip,
                hint=p.row)
            if not always:
                add(lk, 110, "inport == %s && arp.spa == %s && arp.tpa == %s && "
                    "arp.op == 1%s" % (q(p.name), ip.network_str, ip.addr, resident(p)),
                    "reg9[2] = lookup_arp(inport, arp.spa, arp.sha); reg9[3] = 1; next;",
                    hint=p.row)
    add(lk, 100, "nd_na",
        "reg9[2] = lookup_nd(inport, nd.target, nd.tll);%s next;" % known)
    add(lk, 100, "nd_ns",
        "reg9[2] = lookup_nd(inport, ip6.src, nd.sll);%s next;" % nd_ip)
    if not always:
        add(lk, 110, "nd_na && ip6.src == fe80::/10 && ip6.dst == ff00::/8",
            "reg9[2] = lookup_nd(inport, ip6.src, nd.tll); "
            "reg9[3] = lookup_nd_ip(inport, ip6.src); next;")
    add(lk, 0, "1", "reg9[2] = 1; next;")
    add(ln, 100, "reg9[2] == 1" if always else "reg9[2] == 1 || reg9[3] == 0", "next;")
    add(ln, 95, "nd_na && nd.tll == 0", "put_nd(inport, nd.target, eth.src); next;")
    add(ln, 95, "nd_ns && (ip6.src == 0 || nd.sll == 0)", "next;")
    add(ln, 90, "arp", "put_arp(inport, arp.spa, arp.sha); next;")
    add(ln, 90, "nd_na", "put_nd(inport, nd.target, nd.tll); next;")
    add(ln, 90, "nd_ns", "put_nd(inport, ip6.src, nd.sll); next;")
    add(ln, 0, "1", "drop;")


# --- ingress 3: IP input ----------------------------------------------------
MARTIANS = ("ip4.src_mcast ||ip4.src == 255.255.255.255 || ip4.src == 127.0.0.0/8 || "
            "ip4.dst == 127.0.0.0/8 || ip4.src == 0.0.0.0/8 || ip4.dst == 0.0.0.0/8")


def _unreach(v, ip, proto, code):
    if proto == "sctp":
        return "sctp_abort {eth.dst <-> eth.src; %s.dst <-> %s.src; next; };" % (v, v)
    if proto == "tcp":
        return "tcp_reset {eth.dst <-> eth.src; %s.dst <-> %s.src; next; };" % (v, v)
    icmp = "icmp4" if v == "ip4" else "icmp6"
    typ = 3 if v == "ip4" else 1
    return ("%s {eth.dst <-> eth.src; %s.dst <-> %s.src; ip.ttl = 255; "
            "%s.type = %d; %s.code = %d; next; };" % (icmp, v, v, icmp, typ, icmp, code))


def build_ip_input(dp, ports, add, ctx):
    st = S.LR_IN_IP_INPUT
    # Unreachable replies only on distributed routers without gateways.
    no_unreach = dp.is_gw_router or bool(dp.dgps)
    snat_ips = set()
    if dp.is_gw_router:
        snat_ips = {n.external_ip for n in dp.nats if n.type in ("snat", "dnat_and_snat")}
    add(st, 100, MARTIANS, "drop;")
    for p in ports:
        nets = p.lrp_networks
        hint = p.row
        if nets.ipv4:
            srcs = []
            for ip in nets.ipv4:
                srcs += [ip.addr, ip.bcast]
            add(st, 100, "ip4.src == %s && reg9[0] == 0" % braces(srcs), "drop;",
                hint=hint)
        for ip in nets.ipv6:
            add(st, 100, "ip6.dst == %s && udp.src == 547 && udp.dst == 546" % ip,
                "reg0 = 0; handle_dhcpv6_reply;", hint=hint)
        rcr = lr_model.reside_cr(p)
        arp_res = resident(p) if len(dp.dgps) <= 1 else ""
        if rcr is not None:
            arp_res = " && is_chassis_resident(%s)" % q(rcr.name)
        for ip in nets.ipv4:
            add(st, 90, "inport == %s && arp.op == 1 && arp.tpa == %s && arp.spa == %s%s"
                % (q(p.name), ip, ip.network_str, arp_res),
                ARP_REPLY % (XREG_MAC, XREG_MAC), hint=hint)
        for ip in nets.ipv6:
            add(st, 90, "inport == %s && ip6.dst == {%s, %s} && nd_ns && nd.target == %s%s"
                % (q(p.name), ip, addr.solicited_node(ip.addr), ip, resident(p)),
                NA_REPLY % (XREG_MAC, XREG_MAC), hint=hint)
        if nets.ipv4:
            add(st, 90, "ip4.dst == %s && icmp4.type == 8 && icmp4.code == 0"
                % one_or_set(nets.ipv4),
                "ip4.dst <-> ip4.src; ip.ttl = 255; icmp4.type = 0; "
                "flags.loopback = 1; next; ", hint=hint)
        add(st, 90, "ip6.dst == %s && icmp6.type == 128 && icmp6.code == 0"
            % one_or_set(nets.ipv6),
            "ip6.dst <-> ip6.src; ip.ttl = 255; icmp6.type = 129; "
            "flags.loopback = 1; next; ", hint=hint)
        if not no_unreach:
            for v, ips, code in (("ip4", nets.ipv4, (3, 2)), ("ip6", nets.ipv6, (4, 3))):
                for ip in ips:
                    base = "%s && %s.dst == %s && !ip.later_frag" % (v, v, ip)
                    for proto in ("sctp", "tcp", "udp"):
                        add(st, 80, base + " && " + proto,
                            _unreach(v, ip, proto, code[0]), hint=hint)
                    add(st, 70, base, _unreach(v, ip, None, code[1]), hint=hint)
        v4 = [ip.addr for ip in nets.ipv4 if ip.addr not in snat_ips]
        if v4:
            add(st, 60, "ip4.dst == %s" % braces(v4), "drop;", hint=hint)
        v6 = [ip.addr for ip in nets.ipv6 if ip.addr not in snat_ips]
        if v6:
            add(st, 60, "ip6.dst == %s" % braces(v6), "drop;", hint=hint)
        # TTL exceeded in transit.
        for ip in nets.ipv4:
            if p.cr_port is not None:
                swap = "ip4.dst <-> ip4.src "
            else:
                swap = "ip4.dst = ip4.src; ip4.src = %s " % ip
            add(st, 31, "inport == %s && ip4 && ip.ttl == {0, 1} && !ip.later_frag"
                % q(p.name),
                "icmp4 {eth.dst <-> eth.src; icmp4.type = 11; /* Time exceeded */ "
                "icmp4.code = 0; /* TTL exceeded in transit */ %s; ip.ttl = 254; "
                "outport = %s; flags.loopback = 1; output; };" % (swap, q(p.name)),
                hint=hint)
        for ip in nets.ipv6[:-1]:
            if p.cr_port is not None:
                swap = "ip6.dst <-> ip6.src "
            else:
                swap = "ip6.dst = ip6.src; ip6.src = %s " % ip
            add(st, 31, "inport == %s && ip6 && ip6.src == %s && ip.ttl == {0, 1} && "
                "!ip.later_frag" % (q(p.name), ip.network_str),
                "icmp6 {eth.dst <-> eth.src; %s; "
                "ip.ttl = 254; icmp6.type = 3; /* Time exceeded */ icmp6.code = 0; "
                "/* TTL exceeded in transit */ outport = %s; flags.loopback = 1; "
                "output; };" % (swap, q(p.name)), hint=hint)
    for p in ports:
        if p.name not in getattr(dp, "bfd_ports", ()):
            continue
        nets = p.lrp_networks
        for v, ips in (("ip4", nets.ipv4), ("ip6", nets.ipv6)):
            if not ips:
                continue
            add(st, 110, "%s.dst == %s && udp.dst == 3784" % (v, one_or_set(
                ip.addr for ip in ips)), "handle_bfd_msg(); ", hint=p.row)
            add(st, 110, "%s.src == %s && udp.dst == 3784" % (v, one_or_set(
                ip.addr for ip in ips)), "next; ", hint=p.row)
    lr_nat.build_nat_arp(dp, ports, add, ctx)
    add(st, 85, "arp || nd", "drop;")
    add(st, 84, "nd_rs || nd_ra", "next;")
    add(st, 83, "ip6.mcast_rsvd", "drop;")
    relay = dp.options.get("mcast_relay") == "true"
    add(st, 82, "ip4.mcast || ip6.mcast", "next;" if relay else "drop;")
    add(st, 50, "eth.bcast", "drop;")
    add(st, 32, "ip.ttl == {0, 1} && !ip.later_frag && (ip4.mcast || ip6.mcast)", "drop;")
    add(st, 30, "ip.ttl == {0, 1}", "drop;")
    add(st, 0, "1", "next;")


# --- ingress 12-14: routing -------------------------------------------------
def _prefix_text(net):
    return "%s/%d" % (net.network_address, net.prefixlen)


def _route_action(v, nexthop, src_ip, mac, port, ttl=True):
    reg0, reg1 = ("reg0", "reg1") if v == "ip4" else ("xxreg0", "xxreg1")
    return ("%sreg8[0..15] = 0; %s = %s; %s = %s; eth.src = %s; outport = %s; "
            "flags.loopback = 1; next;"
            % ("ip.ttl--; " if ttl else "", reg0, nexthop, reg1, src_ip, mac, q(port.name)))


def build_routing(dp, ports, add, ctx):
    pre, st, ecmp = S.LR_IN_IP_ROUTING_PRE, S.LR_IN_IP_ROUTING, S.LR_IN_IP_ROUTING_ECMP
    # Route tables: one non-zero id per table name, in name order.
    tables = sorted({r.route_table for r in dp.routes if r.route_table} |
                    {p.options.get("route_table") for p in ports
                     if p.options.get("route_table")})
    rtb_id = {name: i + 1 for i, name in enumerate(tables)}
    for p in ports:
        rt = p.options.get("route_table")
        if rt:
            add(pre, 100, "inport == %s" % q(p.name), "reg7 = %d; next;" % rtb_id[rt],
                hint=p.row)
    add(pre, 0, "1", "reg7 = 0; next;")
    add(st, 10550, "nd_rs || nd_ra", "drop;")
    if dp.options.get("mcast_relay") == "true":
        # Multicast relay without IGMP groups or flooding ports: unregistered
        # multicast is dropped here (not routed as unicast).
        add(st, 10450, "ip4.mcast || ip6.mcast", "drop;")
    # Connected routes.
    for p in ports:
        nets = p.lrp_networks
        bfd = p.name in getattr(dp, "bfd_ports", ())
        for ip in nets.ipv4:
            m = "ip4.dst == %s" % ip.network_str
            add(st, ip.plen * 3 + 2, m,
                _route_action("ip4", "ip4.dst", ip.addr, nets.mac, p), hint=p.row)
            if bfd:   # BFD packets to the neighbor keep their TTL
                add(st, ip.plen * 3 + 3, m + " && udp.dst == 3784",
                    _route_action("ip4", "ip4.dst", ip.addr, nets.mac, p, ttl=False),
                    hint=p.row)
        for ip in nets.ipv6:
            m = "ip6.dst == %s" % ip.network_str
            if ip.addr.is_link_local:
                m = "inport == %s && %s" % (q(p.name), m)
            add(st, ip.plen * 3 + 2, m,
                _route_action("ip6", "ip6.dst", ip.addr, nets.mac, p), hint=p.row)
            if bfd:
                add(st, ip.plen * 3 + 3, m + " && udp.dst == 3784",
                    _route_action("ip6", "ip6.dst", ip.addr, nets.mac, p, ttl=False),
                    hint=p.row)
    # Static routes, grouped for ECMP by (table, policy, prefix).
    groups = {}
    for r in dp.routes:
        groups.setdefault((r.route_table, r.policy, r.prefix), []).append(r)
    gid = 0
    for (rtable, policy, prefix), routes in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2]))):
        v = "ip4" if prefix.version == 4 else "ip6"
        fld = "%s.%s" % (v, "src" if policy == "src-ip" else "dst")
        prio = prefix.prefixlen * 3 + (0 if policy == "src-ip" else 1)
        match = "%s == %s" % (fld, _prefix_text(prefix))
        if policy != "src-ip":
            match = "reg7 == %d && %s" % (rtb_id.get(rtable, 0), match)
        if len(routes) == 1:
            r = routes[0]
            if r.nexthop is None:       # discard
                add(st, prio, match, "drop;", hint=r.row)
                continue
            src = lr_model.port_addr_for(r.out_port, r.nexthop)
            if src is None:
                continue
            add(st, prio, match, _route_action(v, r.nexthop, src.addr,
                                               r.out_port.lrp_networks.mac, r.out_port),
                hint=r.row)
            continue
        gid += 1
        members = sorted((r for r in routes if r.nexthop is not None),
                         key=lambda r: int(r.nexthop))
        add(st, prio, match, "ip.ttl--; flags.loopback = 1; reg8[0..15] = %d; "
            "reg8[16..31] = select(%s);" % (gid, ", ".join(str(i + 1) for i in
                                                          range(len(members)))))
        if dp.is_gw_router and any(r.ecmp_symmetric_reply for r in members):
            _ecmp_symmetric(dp, v, prefix, match, members, add)
        for i, r in enumerate(members):
            src = lr_model.port_addr_for(r.out_port, r.nexthop)
            reg0, reg1 = ("reg0", "reg1") if v == "ip4" else ("xxreg0", "xxreg1")
            add(ecmp, 100, "reg8[0..15] == %d && reg8[16..31] == %d" % (gid, i + 1),
                "%s = %s; %s = %s; eth.src = %s; outport = %s; next;"
                % (reg0, r.nexthop, reg1, src.addr, r.out_port.lrp_networks.mac,
                   q(r.out_port.name)), hint=r.row)
    add(st, 0, "1", "drop;")
    add(ecmp, 150, "reg8[0..15] == 0", "next;")
    add(ecmp, 0, "1", "drop;")


def _ecmp_symmetric(dp, v, prefix, match, members, add):
    """ECMP symmetric reply (gateway routers): remember in conntrack which
    port and MAC a connection came in from and send replies back there."""
    prefix_txt = _prefix_text(prefix)
    add(S.LR_IN_DEFRAG, 100, match, "reg9[5] = chk_ecmp_nh(); ct_next;")
    seen = []
    for r in members:
        p = r.out_port
        if p in seen or p.key is None:
            continue
        seen.append(p)
        src = lr_model.port_addr_for(p, r.nexthop)
        inm = "inport == %s && %s.src == %s" % (q(p.name), v, prefix_txt)
        add(S.LR_IN_DEFRAG, 100, inm, "reg9[5] = chk_ecmp_nh_mac(); ct_next;", hint=r.row)
        commit = ("ct_commit { ct_label.ecmp_reply_eth = eth.src;  "
                  "ct_mark.ecmp_reply_port = %d;}; commit_ecmp_nh(ipv6 = %s, proto = %%s); "
                  "next;" % (p.key, "true" if v == "ip6" else "false"))
        for proto in ("sctp", "tcp", "udp"):
            add(S.LR_IN_ECMP_STATEFUL, 100, "%s && (ct.new && !ct.est) && %s"
                % (inm, proto), commit % proto, hint=r.row)
            add(S.LR_IN_ECMP_STATEFUL, 100, "%s && (!ct.rpl && ct.est) && %s && "
                "reg9[5] == 0" % (inm, proto), commit % proto, hint=r.row)
        rpl = "ct.rpl && reg9[5] == 1 && ct_mark.ecmp_reply_port == %d" % p.key
        add(S.LR_IN_IP_ROUTING, 10300, "%s && %s" % (rpl, match),
            "ip.ttl--; flags.loopback = 1; eth.src = %s; %s = %s; outport = %s; next;"
            % (p.lrp_networks.mac, "reg1" if v == "ip4" else "xxreg1", src.addr,
               q(p.name)), hint=r.row)
        add(S.LR_IN_ARP_RESOLVE, 200, rpl, "push(xxreg1); xxreg1 = ct_label; "
            "eth.dst = xxreg1[32..79]; pop(xxreg1); next;", hint=r.row)
        add(S.LR_IN_POLICY, 65535, rpl, "next;", hint=r.row)


# --- ingress 15/16: policies ------------------------------------------------
def build_policies(dp, ports, add, ctx):
    st, ecmp = S.LR_IN_POLICY, S.LR_IN_POLICY_ECMP
    gid = 0
    for row in getattr(dp, "policies", []):
        reason = validate.check_match(row.match, ctx.names)
        if reason:
            ctx.problems.report("Logical_Router_Policy", row.uuid, "match",
                                "%s; policy ignored" % reason)
            continue
        mark = row.options.get("pkt_mark")
        mark_act = ""
        if mark and row.action != "drop":
            try:
                if int(mark) < 0 or int(mark) > 0xffffffff:
                    raise ValueError
                mark_act = "pkt.mark = %d; " % int(mark)
            except ValueError:
                ctx.problems.report("Logical_Router_Policy", row.uuid,
                                    "options:pkt_mark", "'%s' is not a 32-bit number; "
                                    "mark ignored" % mark)
        if row.action == "drop":
            add(st, row.priority, row.match, "drop;", hint=row)
        elif row.action == "allow":
            add(st, row.priority, row.match, "%sreg8[0..15] = 0; next;" % mark_act,
                hint=row)
        elif row.action == "reroute":
            hops = list(row.nexthops) or ([row.nexthop[0]] if getattr(row, "nexthop", [])
                                          else [])
            resolved = []
            for h in hops:
                try:
                    ip = ipaddress.ip_address(h)
                except ValueError:
                    resolved = None
                    break
                p = lr_model.find_port_for(dp, ip)
                if p is None:
                    resolved = None
                    break
                resolved.append((ip, p, lr_model.port_addr_for(p, ip)))
            if not resolved:
                ctx.problems.report("Logical_Router_Policy", row.uuid, "nexthops",
                                    "next hops %s are not all IP addresses on a network "
                                    "of router '%s'; policy ignored"
                                    % (",".join(hops), dp.display_name))
                continue
            if len(resolved) == 1:
                ip, p, src = resolved[0]
                reg0, reg1 = ("reg0", "reg1") if ip.version == 4 else ("xxreg0", "xxreg1")
                add(st, row.priority, row.match,
                    "%s%s = %s; %s = %s; eth.src = %s; outport = %s; flags.loopback = 1; "
                    "reg8[0..15] = 0; next;" % (mark_act, reg0, ip, reg1, src.addr,
                                                p.lrp_networks.mac, q(p.name)), hint=row)
                continue
            gid += 1
            add(st, row.priority, row.match, "reg8[0..15] = %d; reg8[16..31] = "
                "select(%s);" % (gid, ", ".join(str(i + 1) for i in
                                                          range(len(resolved)))), hint=row)
            for i, (ip, p, src) in enumerate(resolved):
                reg0, reg1 = ("reg0", "reg1") if ip.version == 4 else ("xxreg0", "xxreg1")
                add(ecmp, 100, "reg8[0..15] == %d && reg8[16..31] == %d" % (gid, i + 1),
                    "%s%s = %s; %s = %s; eth.src = %s; outport = %s; flags.loopback = 1; "
                    "next;" % (mark_act, reg0, ip, reg1, src.addr, p.lrp_networks.mac,
                               q(p.name)), hint=row)
        else:
            ctx.problems.report("Logical_Router_Policy", row.uuid, "action",
                                "unknown action '%s'; policy ignored" % row.action)
    add(st, 0, "1", "reg8[0..15] = 0; next;")
    add(ecmp, 150, "reg8[0..15] == 0", "next;")
    add(ecmp, 0, "1", "drop;")


# --- ingress 17: ARP resolution ---------------------------------------------
def build_arp_resolve(model, dp, ports, add, ctx):
    st = S.LR_IN_ARP_RESOLVE
    add(st, 500, "ip4.mcast || ip6.mcast", "next;")
    for p in ports:
        peer = p.peer
        if peer is not None and peer.kind == "lrp" and peer.lrp_networks is not None:
            # Router-to-router patch (LRP peer): the peer's addresses.  The
            # missing space in "reg0==" is 23.03's text, kept for equality.
            a = peer.lrp_networks
            if a.ipv4:
                add(st, 100, "outport == %s && reg0== %s"
                    % (q(p.name), one_or_set(ip.addr for ip in a.ipv4)),
                    "eth.dst = %s; next;" % a.mac, hint=p.row)
            add(st, 100, "outport == %s && xxreg0 == %s"
                % (q(p.name), one_or_set(ip.addr for ip in a.ipv6)),
                "eth.dst = %s; next;" % a.mac, hint=p.row)
            continue
        if peer is None or peer.kind != "lsp":
            continue
        sw = peer.dp
        for lsp in sw.ports:
            if lsp is peer or lsp.key is None:
                continue
            if lsp.type == "router":
                other = lsp.peer
                if other is None or other.lrp_networks is None or other.dp is dp:
                    continue
                entries = [other.lrp_networks]
            else:
                if not lsp.enabled:
                    continue
                entries = lsp.lsp_addrs
            if lsp.type == "router":
                # Another router's addresses: one flow per family.
                a = entries[0]
                if a.ipv4:
                    add(st, 100, "outport == %s && reg0 == %s"
                        % (q(p.name), one_or_set(ip.addr for ip in a.ipv4)),
                        "eth.dst = %s; next;" % a.mac, hint=lsp.row)
                add(st, 100, "outport == %s && xxreg0 == %s"
                    % (q(p.name), one_or_set(ip.addr for ip in a.ipv6)),
                    "eth.dst = %s; next;" % a.mac, hint=lsp.row)
                continue
            for a in entries:
                for ip in a.ipv4:
                    add(st, 100, "outport == %s && reg0 == %s" % (q(p.name), ip.addr),
                        "eth.dst = %s; next;" % a.mac, hint=lsp.row)
                for ip in a.ipv6:
                    add(st, 100, "outport == %s && xxreg0 == %s" % (q(p.name), ip.addr),
                        "eth.dst = %s; next;" % a.mac, hint=lsp.row)
    for p in ports:
        if p.cr_port is not None and p.options.get("redirect-type") == "bridged":
            # Bridged redirect: off the gateway chassis, frames for the DGP
            # leave through the localnet port toward the router MAC.
            add(st, 50, "outport == %s && !is_chassis_resident(%s)"
                % (q(p.name), q(p.cr_port.name)),
                "eth.dst = %s; next;" % p.lrp_networks.mac, hint=p.row)
    lr_nat.build_nat_arp_resolve(dp, add, ctx)
    add(st, 1, "ip4", "get_arp(outport, reg0); next;")
    add(st, 1, "ip6", "get_nd(outport, xxreg0); next;")
    add(st, 0, "1", "drop;")


# --- ingress 20: gateway redirect -------------------------------------------
def build_gw_redirect(dp, ports, add, ctx):
    st = S.LR_IN_GW_REDIRECT
    for p in ports:
        if p.cr_port is None:
            continue
        add(st, 50, "outport == %s" % q(p.name),
            "outport = %s; next;" % q(p.cr_port.name), hint=p.row)
    for n in dp.nats:
        if n.distributed and n.gateway_port is not None:
            add(st, 100, "%s.src == %s && outport == %s && is_chassis_resident(%s)"
                % (n.v, n.logical_ip_text, q(n.gateway_port.name), q(n.logical_port)),
                "eth.src = %s; %s = %s; next;"
                % (n.external_mac, "reg1" if n.v == "ip4" else "xxreg1", n.external_ip),
                hint=n.row)
    add(st, 0, "1", "next;")


# --- ingress 21: ARP request ------------------------------------------------
def build_arp_request(dp, ports, add, ctx):
    st = S.LR_IN_ARP_REQUEST
    add(st, 100, "eth.dst == 00:00:00:00:00:00 && ip4",
        "arp { eth.dst = ff:ff:ff:ff:ff:ff; arp.spa = reg1; arp.tpa = reg0; "
        "arp.op = 1; output; };")
    add(st, 100, "eth.dst == 00:00:00:00:00:00 && ip6",
        "nd_ns { nd.target = xxreg0; output; };")
    for r in dp.routes:
        if r.nexthop is None or r.nexthop.version != 6:
            continue
        sn = addr.solicited_node(r.nexthop)
        b = sn.packed
        mac = "33:33:%02x:%02x:%02x:%02x" % (b[12], b[13], b[14], b[15])
        add(st, 200, "eth.dst == 00:00:00:00:00:00 && ip6 && xxreg0 == %s" % r.nexthop,
            "nd_ns { eth.dst = %s; ip6.dst = %s; nd.target = %s; output; };"
            % (mac, sn, r.nexthop), hint=r.row)
    add(st, 0, "1", "output;")
