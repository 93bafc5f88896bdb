"""Logical flows of logical switch datapaths: every stage of ovn-northd(8),
"Logical Switch Datapaths", ingress tables 0-26 and egress tables 0-9.

build(model, table, ctx) adds the flows of every switch to TABLE (an
lflow.LflowTable).  ACLs, QoS and load balancers live in acl.py and lb.py.
"""

from pyovn.northd import acl as acl_mod
from pyovn.northd import addresses as addr
from pyovn.northd import copp as copp_mod
from pyovn.northd import lb as lb_mod
from pyovn.northd import mcast as mcast_mod
from pyovn.northd import lr_model
from pyovn.northd import validate
from pyovn.northd.model import opt
from pyovn.northd.stages import S
from pyovn.openflow import layout

MC_FLOOD = layout.MC_FLOOD[0]
MC_FLOOD_L2 = layout.MC_FLOOD_L2[0]
MC_UNKNOWN = layout.MC_UNKNOWN[0]
MC_MROUTER_FLOOD = layout.MC_MROUTER_FLOOD[0]
MC_STATIC = layout.MC_STATIC[0]

ND_MLD = "nd || nd_rs || nd_ra || mldv1 || mldv2"


class Context:
    """Global inputs of the flow builders."""

    def __init__(self, options, problems, svc_monitor_mac="", meters=None):
        self.options = options
        self.problems = problems
        self.svc_monitor_mac = svc_monitor_mac
        self.default_acl_drop = options.get("default_acl_drop") == "true"
        self.ignore_lsp_down = options.get("ignore_lsp_down", "true") == "true"
        self.meters = meters or {}
        self.names = validate.Names()
        self.svc_status = {}        # (ip, port, proto, lport) -> Service_Monitor status
        self.svc_src_ips = {}       # switch -> health check source addresses


def q(name):
    """A port name as a quoted string of the flow language."""
    return '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')


def build(model, table, ctx):
    ctx.model = model
    ctx.service_monitors, ctx.svc_src_ips = lb_mod.service_monitors(model, ctx)
    for dp in model.switches:
        if dp.key is None:
            continue
        build_switch(model, dp, table, ctx)


def build_switch(model, dp, t, ctx):
    ports = [p for p in dp.ports if p.key is not None]
    add = lambda *a, **kw: t.add(dp, *a, **kw)
    has_stateful = dp.has_stateful_acl or dp.has_lb_vip
    vlan_passthru = dp.other_config.get("vlan-passthru") == "true"

    # --- ingress 0/1: admission control and port security ---------------
    if not vlan_passthru:
        add(S.LS_IN_CHECK_PORT_SEC, 100, "vlan.present", "drop;")
    add(S.LS_IN_CHECK_PORT_SEC, 100, "eth.src[40]", "drop;")
    for p in ports:
        if not p.enabled:
            add(S.LS_IN_CHECK_PORT_SEC, 100, "inport == %s" % q(p.name),
                "reg0[15] = 1; next;", hint=p.row)
            continue
        if p.type == "vtep":
            add(S.LS_IN_CHECK_PORT_SEC, 70, "inport == %s" % q(p.name),
                "reg0[14] = 1; next(pipeline=ingress, table=%d);"
                % S.LS_IN_HAIRPIN.table, hint=p.row)
        queue = p.options.get("qdisc_queue_id")
        if queue:
            add(S.LS_IN_CHECK_PORT_SEC, 70, "inport == %s" % q(p.name),
                "set_queue(%s); reg0[15] = check_in_port_sec(); next;" % queue,
                hint=p.row)
    add(S.LS_IN_CHECK_PORT_SEC, 50, "1", "reg0[15] = check_in_port_sec(); next;")
    add(S.LS_IN_APPLY_PORT_SEC, 50, "reg0[15] == 1", "drop;")
    add(S.LS_IN_APPLY_PORT_SEC, 0, "1", "next;")

    # --- ingress 2/3: FDB lookup and learning ---------------------------
    for p in ports:
        if p.type == "" and p.has_unknown and not p.ps_raw and p.enabled:
            add(S.LS_IN_LOOKUP_FDB, 100, "inport == %s" % q(p.name),
                "reg0[11] = lookup_fdb(inport, eth.src); next;", hint=p.row)
            add(S.LS_IN_PUT_FDB, 100, "inport == %s && reg0[11] == 0" % q(p.name),
                "put_fdb(inport, eth.src); next;", hint=p.row)
    add(S.LS_IN_LOOKUP_FDB, 0, "1", "next;")
    add(S.LS_IN_PUT_FDB, 0, "1", "next;")

    # --- pre-ACL, pre-LB, pre-stateful (both pipelines) -------------------
    build_pre_acl(dp, ports, add, dp.has_stateful_acl, ctx)
    build_pre_lb(dp, ports, add, has_stateful, ctx)
    lb_mod.build_pre_stateful(dp, add, ctx)

    # --- ACL hints, ACLs, QoS, stateful ------------------------------------
    acl_mod.build(dp, ports, add, has_stateful, ctx)
    acl_mod.build_qos(dp, add, ctx)
    lb_mod.build(dp, add, ctx)
    for stage in (S.LS_IN_STATEFUL, S.LS_OUT_STATEFUL):
        add(stage, 100, "reg0[1] == 1 && reg0[13] == 0",
            "ct_commit { ct_mark.blocked = 0; }; next;")
        add(stage, 100, "reg0[1] == 1 && reg0[13] == 1",
            "ct_commit { ct_mark.blocked = 0; ct_label.label = reg3; }; next;")
        add(stage, 0, "1", "next;")

    # --- hairpin (vtep part; LB part in lb.py) ---------------------------
    if dp.vtep_ports:
        add(S.LS_IN_HAIRPIN, 1000, "reg0[14] == 1",
            "next(pipeline=ingress, table=%d);" % S.LS_IN_L2_LKUP.table)

    # --- ARP/ND responder, DHCP, DNS, external ports ---------------------
    build_arp_nd(dp, ports, add, ctx, vlan_passthru)
    lb_mod.build_svc_arp(dp, add, ctx, ctx.svc_src_ips)
    build_dhcp(dp, ports, add, ctx)
    build_dns(dp, add, ctx)
    build_external_ports(dp, ports, add, ctx)

    # --- L2 lookup and unknown ---------------------------------------------
    build_l2(model, dp, ports, add, ctx)

    # --- egress port security --------------------------------------------
    add(S.LS_OUT_CHECK_PORT_SEC, 100, "eth.mcast", "reg0[15] = 0; next;")
    add(S.LS_OUT_CHECK_PORT_SEC, 0, "1", "reg0[15] = check_out_port_sec(); next;")
    for p in ports:
        queue = p.options.get("qdisc_queue_id")
        if queue and p.type == "localnet":
            add(S.LS_OUT_APPLY_PORT_SEC, 100, "outport == %s" % q(p.name),
                "set_queue(%s); output;" % queue, hint=p.row)
    add(S.LS_OUT_APPLY_PORT_SEC, 50, "reg0[15] == 1", "drop;")
    add(S.LS_OUT_APPLY_PORT_SEC, 0, "1", "output;")


def _skip_ct_ports(dp, ports):
    """Router and localnet ports, whose traffic skips conntrack."""
    return [p for p in ports if p.type in ("router", "localnet")]


def build_pre_acl(dp, ports, add, has_stateful, ctx):
    for stage, direction, fld in ((S.LS_IN_PRE_ACL, "inport", "eth.dst"),
                                  (S.LS_OUT_PRE_ACL, "outport", "eth.src")):
        add(stage, 0, "1", "next;")
        add(stage, 110, "%s == $svc_monitor_mac" % fld, "next;")
        if has_stateful:
            for p in _skip_ct_ports(dp, ports):
                add(stage, 110, "ip && %s == %s" % (direction, q(p.name)), "next;",
                    hint=p.row)
            add(stage, 110, "eth.mcast", "next;")
            add(stage, 110, ND_MLD + " || (udp && udp.src == 546 && udp.dst == 547)",
                "next;")
            add(stage, 100, "ip", "reg0[0] = 1; next;")


def build_pre_lb(dp, ports, add, has_stateful, ctx):
    for stage, direction, fld in ((S.LS_IN_PRE_LB, "inport", "eth.dst"),
                                  (S.LS_OUT_PRE_LB, "outport", "eth.src")):
        add(stage, 0, "1", "next;")
        add(stage, 110, "eth.mcast", "next;")
        add(stage, 110, ND_MLD, "next;")
        add(stage, 110, "%s == $svc_monitor_mac" % fld, "next;")
        add(stage, 110, "reg0[16] == 1", "next;")
        for p in ports:
            # Router ports always skip conntrack here; localnet ports only
            # when no load balancer needs to see their traffic.
            if p.type == "router" or (p.type == "localnet" and not dp.has_lb_vip):
                action = "next;"
                if stage is S.LS_OUT_PRE_LB and not dp.has_stateful_acl:
                    action = "ct_clear; next;"
                add(stage, 110, "ip && %s == %s" % (direction, q(p.name)), action,
                    hint=p.row)
        if dp.has_lb_vip:
            add(stage, 100, "ip", "reg0[2] = 1; next;")


def _port_is_down(p, ctx):
    if ctx.ignore_lsp_down:
        return False
    return p.up is False and p.type not in ("router", "localport")


def build_arp_nd(dp, ports, add, ctx, vlan_passthru):
    stage = S.LS_IN_ARP_RSP
    add(stage, 0, "1", "next;")
    for p in ports:
        if p.type == "localnet":
            add(stage, 100, "inport == %s" % q(p.name), "next;", hint=p.row)
    for p in ports:
        if p.type == "virtual":
            vip = p.options.get("virtual-ip")
            parents = p.options.get("virtual-parents", "")
            if not vip:
                continue
            try:
                vip_ip = addr.IPAddr(vip)
            except addr.AddressError as e:
                ctx.problems.report("Logical_Switch_Port", p.uuid, "options:virtual-ip",
                                    str(e))
                continue
            for parent in [x.strip() for x in parents.split(",") if x.strip()]:
                if vip_ip.version == 4:
                    match = ("inport == %s && ((arp.op == 1 && arp.spa == %s && "
                             "arp.tpa == %s) || (arp.op == 2 && arp.spa == %s))"
                             % (q(parent), vip, vip, vip))
                else:
                    sn = addr.solicited_node(vip_ip.addr)
                    match = ("inport == %s && ((nd_ns && ip6.dst == {%s, %s} && "
                             "nd.target == %s) || (nd_na && nd.target == %s))"
                             % (q(parent), vip, sn, vip, vip))
                add(stage, 100, match, "bind_vport(%s, inport); next;" % q(p.name),
                    hint=p.row)
    for fg in dp.fwd_groups:
        try:
            mac = addr.parse_mac(fg.vmac)
            addr.IPAddr(fg.vip)
        except addr.AddressError as e:
            ctx.problems.report("Forwarding_Group", fg.uuid, "vip/vmac", str(e))
            continue
        add(stage, 50, "arp.tpa == %s && arp.op == 1" % fg.vip,
            "eth.dst = eth.src; eth.src = %s; arp.op = 2; /* ARP reply */ "
            "arp.tha = arp.sha; arp.sha = %s; arp.tpa = arp.spa; arp.spa = %s; "
            "outport = inport; flags.loopback = 1; output;" % (mac, mac, fg.vip),
            hint=fg)
    if vlan_passthru:
        return
    for p in ports:
        if p.type in ("virtual", "external", "localnet", "vtep"):
            continue
        if p.has_unknown and p.type != "router":
            continue
        if _port_is_down(p, ctx):
            continue
        for a in p.lsp_addrs:
            for ip in a.ipv4:
                add(stage, 100, "arp.tpa == %s && arp.op == 1 && inport == %s"
                    % (ip, q(p.name)), "next;", hint=p.row)
                add(stage, 50, "arp.tpa == %s && arp.op == 1" % ip,
                    "eth.dst = eth.src; eth.src = %s; arp.op = 2; /* ARP reply */ "
                    "arp.tha = arp.sha; arp.sha = %s; arp.tpa = arp.spa; "
                    "arp.spa = %s; outport = inport; flags.loopback = 1; output;"
                    % (a.mac, a.mac, ip), hint=p.row)
            for ip in a.ipv6:
                sn = addr.solicited_node(ip.addr)
                base = ("nd_ns && ip6.dst == {%s, %s} && nd.target == %s"
                        % (ip, sn, ip))
                add(stage, 100, base + " && inport == %s" % q(p.name), "next;",
                    hint=p.row)
                na = "nd_na_router" if p.type == "router" else "nd_na"
                add(stage, 50, base,
                    "%s { eth.src = %s; ip6.src = %s; nd.target = %s; nd.tll = %s; "
                    "outport = inport; flags.loopback = 1; output; };"
                    % (na, a.mac, ip, ip, a.mac), hint=p.row)
        if p.type == "router":
            proxy = p.options.get("arp_proxy")
            if proxy and p.peer is not None and p.peer.lrp_networks:
                mac = p.peer.lrp_networks.mac
                for ip in proxy.replace(",", " ").split():
                    add(stage, 50, "arp.tpa == %s && arp.op == 1" % ip,
                        "eth.dst = eth.src; eth.src = %s; arp.op = 2; /* ARP reply */ "
                        "arp.tha = arp.sha; arp.sha = %s; arp.tpa = arp.spa; "
                        "arp.spa = %s; outport = inport; flags.loopback = 1; output;"
                        % (mac, mac, ip), hint=p.row)


def build_dhcp(dp, ports, add, ctx):
    add(S.LS_IN_DHCP_OPTIONS, 0, "1", "next;")
    add(S.LS_IN_DHCP_RESPONSE, 0, "1", "next;")
    for p in ports:
        if not p.enabled or p.type not in ("", "external"):
            continue
        if p.type == "external" and (not dp.localnet_ports or
                                     not p.row.ha_chassis_group):
            continue        # answered only by the chassis that hosts it
        if p.dhcpv4 is not None:
            for a in p.lsp_addrs:
                if _dhcpv4_flows(dp, p, a, add, ctx):
                    break
        if p.dhcpv6 is not None:
            for a in p.lsp_addrs:
                if _dhcpv6_flows(dp, p, a, add, ctx):
                    break


DHCPV4_RESPONSE_ONLY = ("server_mac",)


def dhcpv4_server(p):
    """(server_id, server_mac, options) of P's DHCPv4 options, or None."""
    opts = dict(p.dhcpv4.options)
    if not all(opts.get(k) for k in ("server_id", "server_mac", "lease_time")):
        return None
    return opts


def _dhcpv4_flows(dp, p, a, add, ctx):
    opts = dhcpv4_server(p)
    if opts is None:
        return False
    try:
        cidr = addr.IPAddr(p.dhcpv4.cidr)
    except addr.AddressError as e:
        ctx.problems.report("DHCP_Options", p.dhcpv4.uuid, "cidr", str(e))
        return False
    if cidr.version != 4:
        return False
    ip = next((i for i in a.ipv4 if i.addr in cidr.network), None)
    if ip is None:
        return False
    opts.setdefault("netmask", str(cidr.network.netmask))
    server_id = opts["server_id"]
    server_mac = opts["server_mac"]
    body = ", ".join("%s = %s" % (k, v) for k, v in sorted(opts.items())
                     if k not in DHCPV4_RESPONSE_ONLY)
    action = "reg0[3] = put_dhcp_opts(offerip = %s, %s); next;" % (ip, body)
    for inport, post in _dhcp_inports(dp, p):
        pre = 'inport == %s && eth.src == %s' % (q(inport), a.mac)
        meter = copp_mod.meter(dp, ctx, "dhcpv4-opts")
        add(S.LS_IN_DHCP_OPTIONS, 100, pre + " && ip4.src == 0.0.0.0 && "
            "ip4.dst == 255.255.255.255 && udp.src == 68 && udp.dst == 67" + post, action,
            hint=p.row, meter=meter)
        add(S.LS_IN_DHCP_OPTIONS, 100, pre + " && ip4.src == %s && "
            "ip4.dst == {%s, 255.255.255.255} && udp.src == 68 && udp.dst == 67"
            % (ip, server_id) + post, action, hint=p.row, meter=meter)
        add(S.LS_IN_DHCP_RESPONSE, 100, pre + " && ip4 && udp.src == 68 && "
            "udp.dst == 67 && reg0[3]" + post,
            "eth.dst = eth.src; eth.src = %s; ip4.src = %s; udp.src = 67; udp.dst = 68; "
            "outport = inport; flags.loopback = 1; output;" % (server_mac, server_id),
            hint=p.row)
    return True


def _dhcp_inports(dp, p):
    """(inport, match suffix): a VIF asks itself; an external port's
    requests arrive through the localnet ports and are answered only on the
    chassis where the port is resident."""
    if p.type != "external":
        return [(p.name, "")]
    return [(ln.name, " && is_chassis_resident(%s)" % q(p.name))
            for ln in dp.localnet_ports]


def _dhcpv6_flows(dp, p, a, add, ctx):
    opts = dict(p.dhcpv6.options)
    server_id = opts.get("server_id")
    if not server_id:
        return False
    try:
        smac = addr.parse_mac(server_id)
        cidr = addr.IPAddr(p.dhcpv6.cidr)
    except addr.AddressError as e:
        ctx.problems.report("DHCP_Options", p.dhcpv6.uuid, "options/cidr", str(e))
        return False
    if cidr.version != 6:
        return False
    ip = next((i for i in a.ipv6 if i.addr in cidr.network), None)
    if ip is None:
        return False
    lla = addr.ipv6_lla(smac)
    stateless = opts.pop("dhcpv6_stateless", None) == "true"
    body = ", ".join("%s = %s" % (k, v) for k, v in sorted(opts.items()))
    if stateless:
        action = "reg0[3] = put_dhcpv6_opts(%s); next;" % body
    else:
        action = "reg0[3] = put_dhcpv6_opts(ia_addr = %s, %s); next;" % (ip, body)
    for inport, post in _dhcp_inports(dp, p):
        match = ('inport == %s && eth.src == %s && ip6.dst == ff02::1:2 && '
                 'udp.src == 546 && udp.dst == 547' % (q(inport), a.mac))
        add(S.LS_IN_DHCP_OPTIONS, 100, match + post, action, hint=p.row,
            meter=copp_mod.meter(dp, ctx, "dhcpv6-opts"))
        add(S.LS_IN_DHCP_RESPONSE, 100, match + " && reg0[3]" + post,
            "eth.dst = eth.src; eth.src = %s; ip6.dst = ip6.src; ip6.src = %s; "
            "udp.src = 547; udp.dst = 546; outport = inport; flags.loopback = 1; "
            "output;" % (smac, lla), hint=p.row)
    return True


def dp_has_dns(dp):
    return any(d.records for d in dp.dns)


def build_dns(dp, add, ctx):
    add(S.LS_IN_DNS_LOOKUP, 0, "1", "next;")
    add(S.LS_IN_DNS_RESPONSE, 0, "1", "next;")
    if not dp_has_dns(dp):
        return
    add(S.LS_IN_DNS_LOOKUP, 100, "udp.dst == 53", "reg0[4] = dns_lookup(); next;",
        meter=copp_mod.meter(dp, ctx, "dns"))
    for v in ("ip4", "ip6"):
        add(S.LS_IN_DNS_RESPONSE, 100, "udp.dst == 53 && reg0[4]",
            "eth.dst <-> eth.src; %s.src <-> %s.dst; udp.dst = udp.src; udp.src = 53; "
            "outport = inport; flags.loopback = 1; output;" % (v, v))


def build_external_ports(dp, ports, add, ctx):
    add(S.LS_IN_EXTERNAL_PORT, 0, "1", "next;")
    if not dp.localnet_ports:
        return
    for p in ports:
        if p.type != "external" or not p.enabled:
            continue
        for rp in dp.router_ports:
            # The router port's addresses as the switch port lists them
            # ("router" stands for the peer's networks, link-local included).
            for rnets in rp.lsp_addrs:
                _external_port_flows(dp, p, rp, rnets, add)


def _external_port_flows(dp, p, rp, rnets, add):
    res = "!is_chassis_resident(%s)" % q(p.name)
    for ln in dp.localnet_ports:
        for a in p.lsp_addrs:
            pre = "inport == %s && eth.src == %s" % (q(ln.name), a.mac)
            for ip in rnets.ipv4:
                add(S.LS_IN_EXTERNAL_PORT, 100, "%s && %s && arp.tpa == %s && arp.op == 1"
                    % (pre, res, ip), "drop;", hint=p.row)
            for ip in rnets.ipv6:
                add(S.LS_IN_EXTERNAL_PORT, 100, "%s && %s && nd_ns && ip6.dst == {%s, %s} "
                    "&& nd.target == %s" % (pre, res, ip, addr.solicited_node(ip.addr), ip),
                    "drop;", hint=p.row)
            add(S.LS_IN_EXTERNAL_PORT, 100, "%s && eth.dst == %s && %s"
                % (pre, rnets.mac, res), "drop;", hint=p.row)


def build_l2(model, dp, ports, add, ctx):
    stage = S.LS_IN_L2_LKUP
    add(stage, 110, "eth.dst == $svc_monitor_mac && (tcp || icmp || icmp6)",
        "handle_svc_check(inport);", meter=copp_mod.meter(dp, ctx, "svc-monitor"))
    mcast_snoop = dp.other_config.get("mcast_snoop") == "true"
    if mcast_snoop:
        add(stage, 100, "igmp", "igmp;", meter=copp_mod.meter(dp, ctx, "igmp"))
        add(stage, 100, "mldv1 || mldv2", "igmp;", meter=copp_mod.meter(dp, ctx, "igmp"))
        add(stage, 85, "ip4.mcast && ip4.dst == 224.0.0.0/24",
            'outport = "%s"; output;' % MC_FLOOD_L2)
        add(stage, 85, "ip6.mcast_flood", 'outport = "%s"; output;' % MC_FLOOD)
        relay = any(p.type == "router" and p.peer is not None and
                    p.peer.dp.options.get("mcast_relay") == "true" for p in ports)
        mcast_mod.build_flows(dp, add, getattr(ctx, "igmp_groups", {}), relay)
        static = any(p.options.get("mcast_flood") == "true" for p in ports)
        flood_unreg = dp.other_config.get("mcast_flood_unregistered") == "true"
        if relay or static or flood_unreg:
            acts = []
            if relay:
                acts.append('clone { outport = "%s"; output; }; ' % MC_MROUTER_FLOOD)
            if flood_unreg:
                acts.append('outport ="%s"; output;' % MC_FLOOD)
            elif static:
                acts.append('outport ="%s"; output;' % MC_STATIC)
            # relay alone: only the clone to the routers (as 23.03 does).
            add(stage, 80, "ip4.mcast || ip6.mcast", "".join(acts))
        else:
            add(stage, 80, "ip4.mcast || ip6.mcast", "drop;")
    for p in ports:
        if p.type != "router" or p.peer is None or p.peer.lrp_networks is None:
            continue
        nets = p.peer.lrp_networks
        extra = lr_model.switch_extras(p)      # router NAT/LB/DGP (northd part 2)
        if len(dp.router_ports) == len(ports):
            # Only routers on this switch: nobody else to flood to.
            flood = 'outport = %s; output;' % q(p.name)
        else:
            flood = 'clone {outport = %s; output; }; outport = "%s"; output;' \
                    % (q(p.name), MC_FLOOD_L2)
        for ip in nets.ipv4 + extra.ipv4:
            add(stage, 80, "flags[1] == 0 && arp.op == 1 && arp.tpa == %s" % ip,
                flood, hint=p.row)
        for ip in nets.ipv6 + extra.ipv6:
            add(stage, 80, "flags[1] == 0 && nd_ns && nd.target == %s" % ip, flood,
                hint=p.row)
        if len(dp.router_ports) != len(ports):
            add(stage, 75, "eth.src == {%s} && (arp.op == 1 || rarp.op == 3 || nd_ns)"
                % ", ".join([nets.mac] + extra.macs), 'outport = "%s"; output;' % MC_FLOOD_L2, hint=p.row)
    add(stage, 70, "eth.mcast", 'outport = "%s"; output;' % MC_FLOOD)
    for p in ports:
        if p.type == "external":
            continue
        # A DGP's MACs only on their chassis (northd part 2).
        resident = lr_model.switch_extras(p).l2 if p.type == "router" else {}
        macs = []
        for a in p.lsp_addrs:
            if addr.mac_is_multicast(a.mac):
                continue
            macs.append(a.mac)
        macs += [m for m in resident if m not in macs]
        for mac in macs:
            action = 'outport = %s; output;' % q(p.name) if p.enabled else "drop;"
            add(stage, 50, "eth.dst == %s%s" % (mac, resident.get(mac, "")), action,
                hint=p.row)
    for fg in dp.fwd_groups:
        try:
            mac = addr.parse_mac(fg.vmac)
        except addr.AddressError:
            continue                      # reported with the ARP responder
        children = ",".join(q(c) for c in fg.child_port)
        live = 'liveness="true",' if fg.liveness else ""
        add(stage, 50, "eth.dst == %s" % mac, "fwd_group(%schildports=%s);"
            % (live, children), hint=fg)
    add(stage, 0, "1", "outport = get_fdb(eth.dst); next;")

    unk = S.LS_IN_L2_UNKNOWN
    if dp.has_unknown:
        add(unk, 50, 'outport == "none"', 'outport = "%s"; output;' % MC_UNKNOWN)
    else:
        add(unk, 50, 'outport == "none"', "drop;")
    for p in ports:
        if not p.enabled:
            add(unk, 50, "outport == %s" % q(p.name), "drop;", hint=p.row)
    add(unk, 0, "1", "output;")
