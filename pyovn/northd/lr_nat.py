"""NAT and load balancing on logical routers: ovn-northd(8) ingress
unSNAT, defrag, LB affinity, DNAT; egress check-DNAT-local, unDNAT,
post-unDNAT, SNAT, egress loop; plus the ARP replies and ARP resolution
entries for NAT external addresses.

Two flavours, as in 23.03:
  * gateway routers (options:chassis): conntrack in the router's zones,
    ct_snat / ct_dnat;
  * routers with distributed gateway ports: NAT happens on the DGP's
    gateway chassis (is_chassis_resident("cr-<dgp>")), or, for
    dnat_and_snat rules with external_mac + logical_port (distributed
    floating IPs), on the chassis of that logical port, in the common zone
    (ct_snat_in_czone / ct_dnat_in_czone).
"""

from pyovn.northd.stages import S


def q(name):
    return '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')


def _res(n):
    """The residency clause of a NAT rule on a DGP router."""
    if n.distributed:
        return "is_chassis_resident(%s)" % q(n.logical_port)
    return "is_chassis_resident(%s)" % q(n.gateway_port.cr_port.name)


def _nats(dp):
    """NAT rules that apply: all on a gateway router, those with a gateway
    port on a DGP router, none elsewhere."""
    if dp.is_gw_router:
        return list(dp.nats)
    return [n for n in dp.nats if n.gateway_port is not None]


def _lb_vips(dp):
    """[(lb row, vip ip text, port or None, proto, backends text)], checked
    by lr_model.parse_lb_vips()."""
    return dp.lb_vips


def _lb_applies(dp):
    return dp.is_gw_router or bool(dp.dgps)


def _force_snat_ips(dp, key, ctx):
    """{"ip4"/"ip6": address} from router option KEY (dnat_force_snat_ip,
    lb_force_snat_ip); bad addresses are reported and ignored."""
    import ipaddress
    out = {}
    text = dp.options.get(key)
    if not text or text == "router":
        return out
    for word in text.split():
        try:
            ip = ipaddress.ip_address(word)
        except ValueError:
            ctx.problems.report("Logical_Router", dp.uuid, "options:" + key,
                                "'%s' is not an IP address; ignored" % word)
            continue
        out.setdefault("ip4" if ip.version == 4 else "ip6", ip)
    return out


def _ext_ips(n):
    """' && ip4.dst == $set' (allowed_ext_ips) or ' && ip4.dst != $set'
    (exempted_ext_ips) for a SNAT rule."""
    if n.allowed is not None:
        return " && %s.dst == $%s" % (n.v, n.allowed.name)
    if n.exempted is not None:
        return " && %s.dst != $%s" % (n.v, n.exempted.name)
    return ""


def _range(n):
    return "," + n.external_port_range if n.external_port_range else ""


def build(model, dp, ports, add, ctx):
    nats = _nats(dp)
    vips = _lb_vips(dp) if _lb_applies(dp) else []
    st_unsnat, st_defrag, st_dnat = S.LR_IN_UNSNAT, S.LR_IN_DEFRAG, S.LR_IN_DNAT
    st_chk, st_undnat, st_pundnat = S.LR_OUT_CHK_DNAT_LOCAL, S.LR_OUT_UNDNAT, \
        S.LR_OUT_POST_UNDNAT
    st_snat, st_loop = S.LR_OUT_SNAT, S.LR_OUT_EGR_LOOP

    if nats:
        add(st_chk, 50, "ip && ct_mark.natted == 1", "reg9[4] = 1; next;")
    force_dnat = {}
    force_lb = {}
    if dp.is_gw_router:
        force_dnat = _force_snat_ips(dp, "dnat_force_snat_ip", ctx)
        for v, ip in sorted(force_dnat.items()):
            add(st_unsnat, 110, "%s && %s.dst == %s" % (v, v, ip), "ct_snat;")
            add(st_snat, 100, "flags.force_snat_for_dnat == 1 && %s" % v,
                "ct_snat(%s);" % ip)
        force_lb = _force_snat_ips(dp, "lb_force_snat_ip", ctx)
        for v, ip in sorted(force_lb.items()):
            add(st_unsnat, 110, "%s && %s.dst == %s" % (v, v, ip), "ct_snat;")
            add(st_snat, 100, "flags.force_snat_for_lb == 1 && %s" % v,
                "ct_snat(%s);" % ip)
    for n in nats:
        v, ext, lip = n.v, n.external_ip, n.logical_ip_text
        if dp.is_gw_router:
            fd = "flags.force_snat_for_dnat = 1; " if v in force_dnat else ""
            if n.type in ("snat", "dnat_and_snat"):
                add(st_unsnat, 90, "ip && %s.dst == %s" % (v, ext),
                    "next;" if n.stateless else "ct_snat;", hint=n.row)
            if n.type in ("dnat", "dnat_and_snat"):
                add(st_dnat, 100, "ip && %s.dst == %s" % (v, ext),
                    "%sflags.loopback = 1; %s" % (fd, "%s.dst=%s; next;" % (v, lip)
                                                 if n.stateless else "ct_dnat(%s);" % lip),
                    hint=n.row)
            if n.type in ("snat", "dnat_and_snat"):
                if n.stateless:
                    add(st_snat, n.logical_ip.prefixlen + 1, "ip && %s.src == %s" % (v, lip),
                        "%s.src=%s; next;" % (v, ext), hint=n.row)
                    continue
                if n.exempted is not None:
                    add(st_snat, n.logical_ip.prefixlen + 2,
                        "ip && %s.src == %s && %s.dst == $%s" % (v, lip, v, n.exempted.name),
                        "next;", hint=n.row)
                add(st_snat, n.logical_ip.prefixlen + 1,
                    "ip && %s.src == %s%s && (!ct.trk || !ct.rpl)"
                    % (v, lip, _ext_ips(n) if n.allowed is not None else ""),
                    "ct_snat(%s%s);" % (ext, _range(n)), hint=n.row)
            continue
        g = n.gateway_port
        gname = q(g.name)
        res = _res(n)
        cr_res = " && " + res if not n.distributed else ""
        add(st_chk, 50, "ip && %s.dst == %s && %s" % (v, ext, res), "reg9[4] = 1; next;",
            hint=n.row)
        add(st_loop, 100, "%s.dst == %s && outport == %s && %s" % (v, ext, gname, res),
            "clone { ct_clear; inport = outport; outport = \"\"; eth.dst <-> eth.src; "
            "flags = 0; flags.loopback = 1; flags.use_snat_zone = reg9[4]; reg0 = 0; "
            "reg1 = 0; reg2 = 0; reg3 = 0; reg4 = 0; reg5 = 0; reg6 = 0; reg7 = 0; "
            "reg8 = 0; reg9 = 0; reg9[0] = 1; next(pipeline=ingress, table=0); };",
            hint=n.row)
        if n.stateless:
            add(st_unsnat, 100, "ip && %s.dst == %s && inport == %s && "
                "flags.loopback == 0%s" % (v, ext, gname, cr_res), "next;", hint=n.row)
            add(st_snat, n.logical_ip.prefixlen + 1 + 128,
                "ip && %s.src == %s && outport == %s && %s" % (v, lip, gname, res),
                "%s%s.src=%s; next;" % ("eth.src = %s; " % n.external_mac
                                        if n.distributed else "", v, ext), hint=n.row)
            add(st_dnat, 100, "ip && %s.dst == %s && inport == %s%s" % (v, ext, gname,
                                                                     cr_res),
                "%s.dst=%s; next;" % (v, lip), hint=n.row)
            add(st_undnat, 100, "ip && %s.src == %s && outport == %s%s"
                % (v, lip, gname, cr_res), "%snext;" % ("eth.src = %s; " % n.external_mac
                                                     if n.distributed else ""),
                hint=n.row)
            continue
        if n.type in ("snat", "dnat_and_snat"):
            base = "ip && %s.dst == %s && inport == %s" % (v, ext, gname)
            add(st_unsnat, 100, base + " && flags.loopback == 0" + cr_res,
                "ct_snat_in_czone;", hint=n.row)
            add(st_unsnat, 100, base + " && flags.loopback == 1 && "
                "flags.use_snat_zone == 1" + cr_res, "ct_snat;", hint=n.row)
            mac = "eth.src = %s; " % n.external_mac if n.distributed else ""
            prio = n.logical_ip.prefixlen + 1 + 128
            sbase = "ip && %s.src == %s && outport == %s && %s%s" % (
                v, lip, gname, res, _ext_ips(n) if n.allowed is not None else "")
            if n.exempted is not None:
                add(st_snat, prio + 2, "%s && %s.dst == $%s" % (sbase, v, n.exempted.name),
                    "next;", hint=n.row)
            add(st_snat, prio, sbase, "%sct_snat_in_czone(%s%s);" % (mac, ext, _range(n)),
                hint=n.row)
            add(st_snat, prio + 1, sbase + " && reg9[4] == 1",
                "%sreg9[4] = 0; ct_snat(%s%s);" % (mac, ext, _range(n)), hint=n.row)
        if n.type in ("dnat", "dnat_and_snat"):
            dm = "ip && %s.dst == %s && inport == %s%s" % (v, ext, gname, cr_res)
            if n.exempted is not None:
                add(st_dnat, 102, "%s && %s.src == $%s" % (dm, v, n.exempted.name),
                    "next;", hint=n.row)
            elif n.allowed is not None:
                dm += " && %s.src == $%s" % (v, n.allowed.name)
            add(st_dnat, 100, dm, "ct_dnat_in_czone(%s);" % lip, hint=n.row)
            mac = "eth.src = %s; " % n.external_mac if n.distributed else ""
            add(st_undnat, 100, "ip && %s.src == %s && outport == %s%s"
                % (v, lip, gname, cr_res), "%sct_dnat_in_czone;" % mac, hint=n.row)

    if dp.is_gw_router and (nats or vips):
        add(st_undnat, 100, "nd || nd_rs || nd_ra", "next;")
        add(st_undnat, 50, "ip", "flags.loopback = 1; ct_dnat;")
        add(st_pundnat, 50, "ip && ct.new", "ct_commit { } ; next; ")
    if vips:
        for flag, mark in (("force_snat_for_lb", "force_snat"),
                           ("skip_snat_for_lb", "skip_snat")):
            add(st_dnat, 70, "ct.est && !ct.rel && !ct.new && ct_mark.natted && "
                "ct_mark.%s == 1" % mark, "flags.%s = 1; next;" % flag)
            add(st_dnat, 70, "ct.rel && !ct.est && !ct.new && ct_mark.%s == 1" % mark,
                "flags.%s = 1; ct_commit_nat;" % flag)
        add(st_dnat, 50, "ct.est && !ct.rel && !ct.new && ct_mark.natted", "next;")
        add(st_dnat, 50, "ct.rel && !ct.est && !ct.new", "ct_commit_nat;")
    # On a DGP router, LB traffic is handled on the gateway chassis.
    gw_res = [""] if dp.is_gw_router else \
        [" && is_chassis_resident(%s)" % q(g.cr_port.name) for g in dp.dgps]
    if any(lb.options.get("skip_snat") == "true" for lb, *_ in vips):
        add(st_snat, 120, "flags.skip_snat_for_lb == 1 && ip", "next;")
    for lb, vip, port, proto, backends in vips:
        v = "ip6" if ":" in vip else "ip4"
        add(st_defrag, 100, "ip && %s.dst == %s" % (v, vip), "ct_dnat;", hint=lb)
        if not backends.strip():
            if lb.options.get("reject") == "true":
                m = "ct.new && !ct.rel && %s && %s.dst == %s" % (v, v, vip)
                if port:
                    m += " && %s && %s.dst == %s" % (proto, proto, port)
                add(st_dnat, 120 if port else 110, m,
                    "reg0 = 0; reject { outport <-> inport; "
                    "next(pipeline=egress,table=%d);};" % S.LR_OUT_SNAT.table, hint=lb)
            continue
        skip = lb.options.get("skip_snat") == "true"
        force = not skip and v in force_lb
        pre = "flags.skip_snat_for_lb = 1; " if skip else \
            "flags.force_snat_for_lb = 1; " if force else ""
        lb_act = "%sct_lb_mark(backends=%s%s);" % (
            pre, backends, "; skip_snat" if skip else "; force_snat" if force else "")
        for res in gw_res:
            if port:
                add(st_dnat, 120, "ct.new && !ct.rel && %s && %s.dst == %s && %s && "
                    "%s.dst == %s%s" % (v, v, vip, proto, proto, port, res), lb_act,
                    hint=lb)
            else:
                add(st_dnat, 110, "ct.new && !ct.rel && %s && %s.dst == %s%s"
                    % (v, v, vip, res), lb_act, hint=lb)
        _affinity(lb, v, vip, port, proto, backends, pre, add)
        if dp.is_gw_router:
            continue
        terms = []
        for b in backends.split(","):
            b = b.strip()
            if not b:
                continue
            if b.startswith("["):
                bip, _, bport = b[1:].partition("]")
                bport = bport[1:]
            elif port and ":" in b:
                bip, bport = b.rsplit(":", 1)
            else:
                bip, bport = b, None
            bv = "ip6" if ":" in bip else "ip4"
            if bport and port:
                terms.append("(%s.src == %s && %s.src == %s)" % (bv, bip, proto, bport))
            else:
                terms.append("(%s.src == %s)" % (bv, bip))
        if not terms:
            continue
        for g in dp.dgps:
            add(st_undnat, 120, "%s && (%s) && outport == %s && is_chassis_resident(%s)"
                % (v, " || ".join(terms), q(g.name), q(g.cr_port.name)),
                "ct_dnat_in_czone;", hint=lb)

    for stage in (st_unsnat, st_defrag, S.LR_IN_LB_AFF_CHECK, st_dnat,
                  S.LR_IN_LB_AFF_LEARN, st_undnat, st_pundnat, st_snat, st_loop):
        add(stage, 0, "1", "next;")
    add(st_chk, 0, "1", "reg9[4] = 0; next;")
    add(st_snat, 120, "nd_ns", "next;")


NA_REPLY = ("nd_na { eth.src = %s; ip6.src = nd.target; nd.tll = %s; "
            "outport = inport; flags.loopback = 1; output; };")
ARP_REPLY = ("eth.dst = eth.src; eth.src = %s; arp.op = 2; /* ARP reply */ "
             "arp.tha = arp.sha; arp.sha = %s; arp.tpa <-> arp.spa; "
             "outport = inport; flags.loopback = 1; output;")


def lb_vip_set_name(dp, v):
    """The SB Address_Set holding router DP's LB VIPs of family V."""
    return "_rtr_lb_%d_%s" % (dp.key, v)


def lb_vip_sets(dp):
    """{address set name: [VIPs]} for DP's load balancers."""
    if not _lb_applies(dp):
        return {}
    out = {}
    # As 23.03: the VIPs of load balancers attached to the router itself
    # (those reached through a load_balancer_group get no ARP/ND replies).
    direct = {str(lb.uuid) for lb in getattr(dp.row, "load_balancer", []) or []}
    for _lb, vip, _port, _proto, _b in _lb_vips(dp):
        if str(_lb.uuid) not in direct:
            continue
        v = "ip6" if ":" in vip else "ip4"
        out.setdefault(lb_vip_set_name(dp, v), [])
        if vip not in out[lb_vip_set_name(dp, v)]:
            out[lb_vip_set_name(dp, v)].append(vip)
    return out


def build_nat_arp(dp, ports, add, ctx):
    """IP input: ARP replies for NAT external addresses and LB VIPs."""
    st = S.LR_IN_IP_INPUT
    sets = lb_vip_sets(dp)
    if lb_vip_set_name(dp, "ip4") in sets:
        for p in ports:
            cr = getattr(p, "cr_port", None)
            res = " && is_chassis_resident(%s)" % q(cr.name) if cr is not None else ""
            add(st, 90, "inport == %s && arp.op == 1 && arp.tpa == $%s%s"
                % (q(p.name), lb_vip_set_name(dp, "ip4"), res),
                ARP_REPLY % ("xreg0[0..47]", "xreg0[0..47]"), hint=p.row)
    if lb_vip_set_name(dp, "ip6") in sets:
        for p in ports:
            cr = getattr(p, "cr_port", None)
            res = " && is_chassis_resident(%s)" % q(cr.name) if cr is not None else ""
            add(st, 90, "inport == %s && nd_ns && nd.target == $%s%s"
                % (q(p.name), lb_vip_set_name(dp, "ip6"), res),
                NA_REPLY % ("xreg0[0..47]", "xreg0[0..47]"), hint=p.row)
    for n in _nats(dp):
        if n.external_ip.version != 4:
            from pyovn.northd import addresses as addr
            ext = n.external_ip
            ns = "ip6.dst == {%s, %s} && nd_ns && nd.target == %s" % (
                ext, addr.solicited_node(ext), ext)
            add(st, 90, ns, NA_REPLY % ("xreg0[0..47]", "xreg0[0..47]"), hint=n.row)
            if dp.is_gw_router:
                continue
            g = q(n.gateway_port.name)
            mac = n.external_mac if n.distributed else "xreg0[0..47]"
            add(st, 92, "inport == %s && %s && %s" % (g, ns, _res(n)),
                NA_REPLY % (mac, mac), hint=n.row)
            add(st, 91, "inport == %s && %s" % (g, ns), "drop;", hint=n.row)
            if n.type == "snat":
                add(st, 120, "inport == %s && ip6.src == %s" % (g, ext), "next;",
                    hint=n.row)
            continue
        ext = n.external_ip
        add(st, 90, "arp.op == 1 && arp.tpa == %s" % ext,
            ARP_REPLY % ("xreg0[0..47]", "xreg0[0..47]"), hint=n.row)
        if dp.is_gw_router:
            continue
        g = q(n.gateway_port.name)
        mac = n.external_mac if n.distributed else "xreg0[0..47]"
        add(st, 92, "inport == %s && arp.op == 1 && arp.tpa == %s && %s"
            % (g, ext, _res(n)), ARP_REPLY % (mac, mac), hint=n.row)
        add(st, 91, "inport == %s && arp.op == 1 && arp.tpa == %s" % (g, ext), "drop;",
            hint=n.row)
        if n.type == "snat":
            add(st, 120, "inport == %s && ip4.src == %s" % (g, ext), "next;", hint=n.row)


def build_nat_arp_resolve(dp, add, ctx):
    st = S.LR_IN_ARP_RESOLVE
    nats = _nats(dp)
    if dp.is_gw_router:
        own = {ip.addr for p in dp.ports if p.lrp_networks for ip in p.lrp_networks.ipv4}
        snat = sorted({n.external_ip for n in nats if n.type in ("snat", "dnat_and_snat")
                       and n.external_ip in own})
        if snat:
            add(st, 2, "ip4.dst == {%s}" % ", ".join(str(i) for i in snat), "drop;")
        return
    for n in nats:
        g = n.gateway_port
        reg = "reg0" if n.v == "ip4" else "xxreg0"
        add(st, 150, "inport == %s && outport == %s && %s.dst == %s"
            % (q(g.name), q(g.name), n.v, n.external_ip), "drop;", hint=n.row)
        mac = n.external_mac if n.distributed else g.lrp_networks.mac
        add(st, 100, "outport == %s && %s == %s" % (q(g.name), reg, n.external_ip),
            "eth.dst = %s; next;" % mac, hint=n.row)


def _affinity(lb, v, vip, port, proto, backends, pre, add):
    """LB affinity (options:affinity_timeout): check, DNAT to the learned
    backend, learn."""
    try:
        timeout = int(lb.options.get("affinity_timeout", "0"))
    except ValueError:
        return
    if timeout <= 0:
        return
    reg_vip = "reg0" if v == "ip4" else "xxreg1"
    reg_be = "reg4" if v == "ip4" else "xxreg0"
    m = "ct.new && !ct.rel && %s && %s.dst == %s" % (v, v, vip)
    act = "%s = %s.dst; " % (reg_vip, v)
    if port:
        m += " && %s && %s.dst == %s" % (proto, proto, port)
        act += "reg9[16..31] = %s.dst; " % proto
    add(S.LR_IN_LB_AFF_CHECK, 100, m, act + "reg9[6] = chk_lb_aff(); next;", hint=lb)
    for b in backends.split(","):
        b = b.strip()
        if not b:
            continue
        if b.startswith("["):
            bip, _, bport = b[1:].partition("]")
            bport = bport[1:] or None
        elif port and b.count(":") == 1:
            bip, bport = b.split(":")
        else:
            bip, bport = b, None
        dm = "reg9[6] == 1 && ct.new && %s && %s == %s" % (v, reg_be, bip)
        if bport:
            dm += " && reg8[0..15] == %s" % bport
        add(S.LR_IN_DNAT, 150, dm, "%s = %s; %sct_lb_mark(backends=%s);"
            % (reg_vip, vip, pre, b), hint=lb)
        lm = "reg9[6] == 0 && ct.new && %s && %s == %s" % (v, reg_vip, vip)
        if port:
            lm += " && reg9[16..31] == %s" % port
        lm += " && %s.dst == %s" % (v, bip)
        if bport:
            lm += " && %s.dst == %s" % (proto, bport)
        vip_txt = ("[%s]" % vip if v == "ip6" else vip) + (":%s" % port if port else "")
        add(S.LR_IN_LB_AFF_LEARN, 100, lm,
            'commit_lb_aff(vip = "%s", backend = "%s", proto = %s, timeout = %d); '
            '/* drop */' % (vip_txt, b, proto, timeout), hint=lb)
