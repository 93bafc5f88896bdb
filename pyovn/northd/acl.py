"""ACL hints, ACLs (before and after load balancing) and QoS of logical
switches (ovn-northd(8), ingress tables 7, 8, 9, 10, 17 and egress 3-6).

Every match copied from the NB is checked by validate.py first.  A bad
allow ACL is skipped (that only allows less); a bad drop or reject ACL
fails closed: it becomes a drop of everything in its direction on its port
group (or switch) at its priority, and both are logged once.
"""

from pyovn.northd import copp as copp_mod
from pyovn.northd import validate
from pyovn.northd.model import opt
from pyovn.northd.stages import S

ACL_PRIO_OFFSET = 1000
ND_MLD_ACL = "nd || nd_ra || nd_rs || mldv1 || mldv2"


def _stages(acl):
    after_lb = acl.options.get("apply-after-lb") == "true" if hasattr(acl, "options") \
        else False
    if acl.direction == "from-lport":
        return (S.LS_IN_ACL_AFTER_LB if after_lb else S.LS_IN_ACL), S.LS_IN_PRE_ACL
    return S.LS_OUT_ACL, S.LS_OUT_PRE_ACL


def _log(acl, verdict, ctx):
    if not acl.log:
        return ""
    parts = []
    name = opt(acl.name)
    if name:
        parts.append('name="%s"' % name)
    parts.append("severity=%s" % (opt(acl.severity) or "info"))
    parts.append("verdict=%s" % verdict)
    meter = opt(acl.meter)
    if meter and meter in ctx.meters:
        parts.append('meter="%s"' % meter)
    return "log(%s); " % ", ".join(parts)


def _reject(stage):
    if stage.pipeline == "ingress":
        nxt = "next(pipeline=egress,table=%d);" % S.LS_OUT_QOS_MARK.table
    else:
        nxt = "next(pipeline=ingress,table=%d);" % S.LS_IN_L2_LKUP.table
    return ("reg0 = 0; reject { /* eth.dst <-> eth.src; ip.dst <-> ip.src; "
            "is implicit. */ outport <-> inport; %s };" % nxt)


def _owner(acl, pg):
    """(table, scope match) that a fail-closed drop of ACL covers."""
    port_field = "inport" if acl.direction == "from-lport" else "outport"
    if pg is not None:
        return "%s == @%s" % (port_field, pg.name)
    return "1"


def acls_of(dp, model):
    """(acl, port group or None) for every ACL that applies to DP."""
    out = [(a, None) for a in dp.acls]
    for pg in dp.port_groups:
        out.extend((a, pg) for a in model.pg_acls[str(pg.uuid)])
    return out


def build(dp, ports, add, has_stateful, ctx):
    acls = acls_of(dp, ctx.model)
    any_acl = bool(acls) or dp.has_lb_vip
    for stage in (S.LS_IN_ACL_HINT, S.LS_OUT_ACL_HINT):
        if not any_acl:
            add(stage, 65535, "1", "next;")
            continue
        add(stage, 0, "1", "next;")
        if not has_stateful:
            continue
        add(stage, 7, "ct.new && !ct.est", "reg0[7] = 1; reg0[9] = 1; next;")
        add(stage, 6, "!ct.new && ct.est && !ct.rpl && ct_mark.blocked == 1",
            "reg0[7] = 1; reg0[9] = 1; next;")
        add(stage, 5, "!ct.trk", "reg0[8] = 1; reg0[9] = 1; next;")
        add(stage, 4, "!ct.new && ct.est && !ct.rpl && ct_mark.blocked == 0",
            "reg0[8] = 1; reg0[10] = 1; next;")
        add(stage, 3, "!ct.est", "reg0[9] = 1; next;")
        add(stage, 2, "ct.est && ct_mark.blocked == 1", "reg0[9] = 1; next;")
        add(stage, 1, "ct.est && ct_mark.blocked == 0", "reg0[10] = 1; next;")

    default = "drop;" if ctx.default_acl_drop else "next;"
    for stage in (S.LS_IN_ACL, S.LS_OUT_ACL):
        ingress = stage is S.LS_IN_ACL
        if not any_acl:
            add(stage, 65535, "1", "next;")
        else:
            add(stage, 0, "1", default)
        add(stage, 65532, ND_MLD_ACL, "next;")
        if has_stateful:
            if ctx.default_acl_drop:
                add(stage, 1, "ip && !ct.est", "drop;")
            else:
                add(stage, 1, "ip && !ct.est", "reg0[1] = 1; next;")
            add(stage, 1, "ip && ct.est && ct_mark.blocked == 1", "reg0[1] = 1; next;")
            add(stage, 65532, "ct.inv || (ct.est && ct.rpl && ct_mark.blocked == 1)",
                "drop;")
            add(stage, 65532, "ct.est && !ct.rel && !ct.new && !ct.inv && ct.rpl && "
                "ct_mark.blocked == 0",
                "reg0[9] = 0; reg0[10] = 0; reg0[17] = 1; next;" if ingress
                else "next;")
            add(stage, 65532, "!ct.est && ct.rel && !ct.new && !ct.inv && "
                "ct_mark.blocked == 0",
                "reg0[17] = 1; ct_commit_nat;" if ingress else "ct_commit_nat;")
        if any_acl:
            fld = "eth.dst" if ingress else "eth.src"
            add(stage, 34000, "%s == $svc_monitor_mac" % fld, "next;")
    add(S.LS_IN_ACL_AFTER_LB, 0, "1", "next;")
    add(S.LS_IN_ACL_AFTER_LB, 65532, ND_MLD_ACL, "next;")
    if has_stateful:
        add(S.LS_IN_ACL_AFTER_LB, 65532, "reg0[17] == 1", "next;")

    _build_dhcp_dns_allow(dp, ports, add, has_stateful)

    for acl, pg in acls:
        _build_acl(dp, acl, pg, add, has_stateful, ctx)


def _build_dhcp_dns_allow(dp, ports, add, has_stateful):
    from pyovn.northd import ls_pipeline as lsp
    from pyovn.northd import addresses as addr
    act = "ct_commit; next;" if has_stateful else "next;"
    for p in ports:
        if not p.enabled or p.type != "":
            continue
        if p.dhcpv4 is not None:
            opts = lsp.dhcpv4_server(p)
            if opts and any(a.ipv4 for a in p.lsp_addrs):
                add(S.LS_OUT_ACL, 34000,
                    'outport == %s && eth.src == %s && ip4.src == %s && udp && '
                    'udp.src == 67 && udp.dst == 68'
                    % (lsp.q(p.name), opts["server_mac"], opts["server_id"]), act,
                    hint=p.row)
        if p.dhcpv6 is not None:
            sid = p.dhcpv6.options.get("server_id")
            try:
                smac = addr.parse_mac(sid) if sid else None
            except addr.AddressError:
                smac = None
            if smac and any(a.ipv6 for a in p.lsp_addrs):
                add(S.LS_OUT_ACL, 34000,
                    'outport == %s && eth.src == %s && ip6.src == %s && udp && '
                    'udp.src == 547 && udp.dst == 546'
                    % (lsp.q(p.name), smac, addr.ipv6_lla(smac)), act, hint=p.row)
    if lsp.dp_has_dns(dp):
        add(S.LS_OUT_ACL, 34000, "udp.src == 53", act)


def _build_acl(dp, acl, pg, add, has_stateful, ctx):
    stage, pre_stage = _stages(acl)
    prio = acl.priority + ACL_PRIO_OFFSET
    reason = validate.check_match(acl.match, ctx.names)
    meter = opt(acl.meter)
    if meter and meter not in ctx.meters and acl.log:
        ctx.problems.report("ACL", acl.uuid, "meter",
                            "meter '%s' does not exist; logging without a meter" % meter)
    if reason is not None:
        where = ("port group %s" % pg.name) if pg is not None else \
            ("switch %s" % dp.display_name)
        if acl.action in ("drop", "reject"):
            ctx.problems.report("ACL", acl.uuid, "match",
                                "%s; failing closed: dropping all %s traffic of %s "
                                "at priority %d" % (reason, acl.direction, where,
                                                    acl.priority), level="err")
            add(stage, prio, _owner(acl, pg), "/* drop */", hint=acl)
        else:
            ctx.problems.report("ACL", acl.uuid, "match",
                                "%s; ACL (%s, %s) skipped" % (reason, acl.action, where))
        return
    match = acl.match
    label = opt(acl.label, 0) or 0
    if acl.action == "allow-stateless":
        add(pre_stage, prio, match, "reg0[16] = 1; next;", hint=acl)
        add(stage, prio, match, _log(acl, "allow", ctx) + "next;", hint=acl)
        return
    if acl.action in ("allow", "allow-related"):
        log = _log(acl, "allow", ctx)
        if not has_stateful:
            add(stage, prio, match, log + "next;", hint=acl)
            return
        lab = "reg0[13] = 1; reg3 = %d; " % label if label else ""
        if label and acl.log and acl.action == "allow-related" and \
                acl.options.get("log-related") == "true":
            _log_related(acl, label, log, add)
        add(stage, prio, "reg0[7] == 1 && (%s)" % match,
            "reg0[1] = 1; " + lab + log + "next;", hint=acl)
        add(stage, prio, "reg0[8] == 1 && (%s)" % match,
            ("reg0[1] = 1; " + lab if label else "") + log + "next;", hint=acl)
        return
    if acl.action in ("drop", "reject"):
        log = _log(acl, acl.action, ctx)
        meter = None
        if acl.action == "reject":
            verdict = _reject(stage)
            meter = copp_mod.meter(dp, ctx, "reject")
        else:
            verdict = "/* drop */"
        if not has_stateful:
            add(stage, prio, match, log + verdict, hint=acl, meter=meter)
            return
        if acl.action == "reject":
            m10 = "(reg0[10] == 1) && %s" % match
            m9 = "(reg0[9] == 1) && %s" % match
            a10 = log + "ct_commit { ct_mark.blocked = 1; };  " + verdict
        else:
            m10 = "reg0[10] == 1 && (%s)" % match
            m9 = "reg0[9] == 1 && (%s)" % match
            a10 = "ct_commit { ct_mark.blocked = 1; }; " + log + verdict
        add(stage, prio, m10, a10, hint=acl, meter=meter)
        add(stage, prio, m9, log + verdict, hint=acl, meter=meter)
        return
    ctx.problems.report("ACL", acl.uuid, "action", "unknown action '%s'" % acl.action)


def _log_related(acl, label, log, add):
    """options:log-related: log the replies and related traffic of the
    connections the ACL allowed (identified by its label), in the other
    direction's ACL stage, just above the flows that let them through."""
    stage = S.LS_IN_ACL if acl.direction == "to-lport" else S.LS_OUT_ACL
    for m in ("ct.est && !ct.rel && !ct.new && !ct.inv && ct.rpl && "
              "ct_mark.blocked == 0",
              "!ct.est && ct.rel && !ct.new && !ct.inv && ct_mark.blocked == 0"):
        add(stage, 65533, "%s && ct_label.label == %d" % (m, label), log + "next;",
            hint=acl)


def build_qos(dp, add, ctx):
    for stage in (S.LS_IN_QOS_MARK, S.LS_IN_QOS_METER, S.LS_OUT_QOS_MARK,
                  S.LS_OUT_QOS_METER):
        add(stage, 0, "1", "next;")
    for rule in dp.qos:
        reason = validate.check_match(rule.match, ctx.names)
        if reason is not None:
            ctx.problems.report("QoS", rule.uuid, "match", "%s; rule skipped" % reason)
            continue
        ingress = rule.direction == "from-lport"
        action = dict(rule.action)
        bw = dict(rule.bandwidth)
        if "dscp" in action:
            add(S.LS_IN_QOS_MARK if ingress else S.LS_OUT_QOS_MARK, rule.priority,
                rule.match, "ip.dscp = %d; next;" % action["dscp"], hint=rule)
        if "rate" in bw:
            if "burst" in bw:
                act = "set_meter(%d, %d); next;" % (bw["rate"], bw["burst"])
            else:
                act = "set_meter(%d); next;" % bw["rate"]
            add(S.LS_IN_QOS_METER if ingress else S.LS_OUT_QOS_METER, rule.priority,
                rule.match, act, hint=rule)
