"""Load balancers on logical switches (ovn-northd(8) ingress tables 6 and
11-16): VIP parsing, pre-stateful DNAT of established traffic, the LB stage
with affinity, reject on empty backends, and hairpinning."""

import ipaddress

from pyovn.northd import copp as copp_mod
from pyovn.northd.model import opt
from pyovn.northd.stages import S


class VipError(ValueError):
    pass


def parse_endpoint(text):
    """"1.2.3.4", "1.2.3.4:80", "[fd00::1]:80", "fd00::1" -> (ip, port or None)."""
    text = text.strip()
    try:
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else None
            return ipaddress.IPv6Address(host), port
        if text.count(":") == 1:
            host, port = text.split(":")
            return ipaddress.IPv4Address(host), int(port)
        return ipaddress.ip_address(text), None
    except ValueError:
        raise VipError("'%s' is not an IP address with optional port" % text)


def fmt_endpoint(ip, port):
    if port is None:
        return str(ip)
    if ip.version == 6:
        return "[%s]:%d" % (ip, port)
    return "%s:%d" % (ip, port)


def parse_mapping(text):
    """ip_port_mappings value "LPORT:SRC_IP" (or "LPORT:[SRC_IP6]") ->
    (logical port, source ip text)."""
    lport, sep, src = text.partition(":")
    if not sep or not lport or not src:
        raise VipError("ip_port_mappings value '%s' is not LPORT:SOURCE_IP" % text)
    src = src.strip("[]")
    try:
        ipaddress.ip_address(src)
    except ValueError:
        raise VipError("ip_port_mappings value '%s': '%s' is not an IP address"
                       % (text, src))
    return lport, src


class Vip:
    def __init__(self, lb, key, value):
        self.lb = lb
        self.key = key
        self.ip, self.port = parse_endpoint(key)
        self.backends = []
        for b in [x for x in value.split(",") if x.strip()]:
            ip, port = parse_endpoint(b)
            if ip.version != self.ip.version:
                raise VipError("backend '%s' is not of the VIP's address family" % b)
            self.backends.append((ip, port))
        self.proto = opt(lb.protocol, "tcp") or "tcp"
        self.v = "ip4" if self.ip.version == 4 else "ip6"
        self.health_check = next((hc for hc in getattr(lb, "health_check", [])
                                  if hc.vip == key), None)

    def monitored(self):
        """[(backend ip, port, logical port, source ip)] of the backends a
        health check watches (those with an ip_port_mappings entry)."""
        if self.health_check is None or self.port is None:
            return []
        out = []
        mappings = dict(self.lb.ip_port_mappings)
        for ip, port in self.backends:
            text = mappings.get(str(ip))
            if text is None or port is None:
                continue
            lport, src = parse_mapping(text)
            out.append((ip, port, lport, src))
        return out

    def live_backends(self, status):
        """The backends to balance to: with a health check, those whose
        Service_Monitor status (STATUS: key -> status) is online or not yet
        known."""
        if self.health_check is None:
            return self.backends
        try:
            watched = {(str(ip), port): lport for ip, port, lport, _ in self.monitored()}
        except VipError:
            return self.backends
        out = []
        for ip, port in self.backends:
            lport = watched.get((str(ip), port))
            if lport is not None and status.get((str(ip), port, self.proto, lport)) \
                    in ("offline", "error"):
                continue
            out.append((ip, port))
        return out

    @property
    def backends_text(self):
        return ",".join(fmt_endpoint(ip, port) for ip, port in self.backends)


def router_lbs(dp, ctx):
    """With NB_Global options:install_ls_lb_from_router=true, the load
    balancers of the routers connected to switch DP (their VIP flows are
    installed on the switch too)."""
    if ctx.options.get("install_ls_lb_from_router") != "true":
        return []
    out = []
    for p in dp.router_ports:
        if p.peer is None:
            continue
        row = p.peer.dp.row
        lbs = list(row.load_balancer)
        for grp in getattr(row, "load_balancer_group", []):
            lbs.extend(grp.load_balancer)
        out.extend(lb for lb in lbs if lb not in dp.lbs and lb not in out)
    return out


def vips_of(dp, ctx, with_router=False):
    out = []
    lbs = list(dp.lbs) + (router_lbs(dp, ctx) if with_router else [])
    for lb in lbs:
        for key, value in sorted(lb.vips.items()):
            try:
                out.append(Vip(lb, key, value))
            except VipError as e:
                ctx.problems.report("Load_Balancer", lb.uuid, "vips",
                                    "%s; VIP '%s' skipped" % (e, key))
    return out


def build_pre_stateful(dp, add, ctx):
    for stage in (S.LS_IN_PRE_STATEFUL, S.LS_OUT_PRE_STATEFUL):
        add(stage, 0, "1", "next;")
        add(stage, 110, "reg0[2] == 1", "ct_lb_mark;")
        add(stage, 100, "reg0[0] == 1", "ct_next;")
    for vip in vips_of(dp, ctx, with_router=True):
        reg = "reg1" if vip.ip.version == 4 else "xxreg1"
        match = "reg0[2] == 1 && %s.dst == %s" % (vip.v, vip.ip)
        action = "%s = %s; " % (reg, vip.ip)
        if vip.port is not None:
            match += " && %s.dst == %d" % (vip.proto, vip.port)
            action += "reg2[0..15] = %d; " % vip.port
        add(S.LS_IN_PRE_STATEFUL, 120, match, action + "ct_lb_mark;", hint=vip.lb)


def build(dp, add, ctx):
    for stage in (S.LS_IN_LB_AFF_CHECK, S.LS_IN_LB, S.LS_IN_LB_AFF_LEARN,
                  S.LS_IN_PRE_HAIRPIN, S.LS_IN_NAT_HAIRPIN, S.LS_IN_HAIRPIN):
        add(stage, 0, "1", "next;")
    vips = vips_of(dp, ctx, with_router=True)
    for vip in vips:
        lb = vip.lb
        match = "ct.new && %s.dst == %s" % (vip.v, vip.ip)
        prio = 110
        if vip.port is not None:
            match += " && %s.dst == %d" % (vip.proto, vip.port)
            prio = 120
        reject = lb.options.get("reject") == "true"
        backends = vip.live_backends(ctx.svc_status)
        if len(backends) != len(vip.backends):
            vip.backends = backends
        if not vip.backends:
            if reject:
                add(S.LS_IN_LB, prio, match,
                    "reg0 = 0; reject { outport <-> inport; "
                    "next(pipeline=egress,table=%d);};" % S.LS_OUT_QOS_MARK.table,
                    hint=lb, meter=copp_mod.meter(dp, ctx, "reject"))
            else:
                if ctx.options.get("controller_event") == "true":
                    _empty_lb_event(dp, vip, add, ctx)
                add(S.LS_IN_LB, prio, match, "drop;", hint=lb)
            continue
        hash_fields = lb.selection_fields if hasattr(lb, "selection_fields") else []
        args = "backends=%s" % vip.backends_text
        if hash_fields:
            args += "; hash_fields=\"%s\"" % ",".join(sorted(hash_fields))
        add(S.LS_IN_LB, prio, match, "reg0[1] = 0; ct_lb_mark(%s);" % args, hint=lb)
        _affinity(vip, add)
    if any(v.lb in dp.lbs for v in vips):      # hairpin: the switch's own LBs
        add(S.LS_IN_PRE_HAIRPIN, 100, "ip && ct.trk",
            "reg0[6] = chk_lb_hairpin(); reg0[12] = chk_lb_hairpin_reply(); next;")
        add(S.LS_IN_NAT_HAIRPIN, 100, "ip && ct.new && ct.trk && reg0[6] == 1",
            "ct_snat_to_vip; next;")
        add(S.LS_IN_NAT_HAIRPIN, 100, "ip && ct.est && ct.trk && reg0[6] == 1",
            "ct_snat;")
        add(S.LS_IN_NAT_HAIRPIN, 90, "ip && reg0[12] == 1", "ct_snat;")
        add(S.LS_IN_HAIRPIN, 1, "(reg0[6] == 1 || reg0[12] == 1)",
            "eth.dst <-> eth.src; outport = inport; flags.loopback = 1; output;")


def _affinity(vip, add):
    try:
        timeout = int(vip.lb.options.get("affinity_timeout", "0"))
    except ValueError:
        timeout = 0
    if timeout <= 0 or vip.port is None:
        return
    v4 = vip.ip.version == 4
    vreg = "reg1" if v4 else "xxreg1"
    breg = "reg4" if v4 else "xxreg0"
    fam = "ip4" if v4 else "ip6"
    vmatch = "ct.new && %s && %s == %s && reg2[0..15] == %d" % (fam, vreg, vip.ip,
                                                                vip.port)
    add(S.LS_IN_LB_AFF_CHECK, 100, vmatch, "reg9[6] = chk_lb_aff(); next;", hint=vip.lb)
    for ip, port in vip.backends:
        bport = port if port is not None else vip.port
        add(S.LS_IN_LB, 150,
            "reg9[6] == 1 && ct.new && %s && %s == %s && reg8[0..15] == %d"
            % (fam, breg, ip, bport),
            "reg0[1] = 0; %s = %s; reg2[0..15] = %d; ct_lb_mark(backends=%s);"
            % (vreg, vip.ip, vip.port, fmt_endpoint(ip, port)), hint=vip.lb)
        add(S.LS_IN_LB_AFF_LEARN, 100,
            "reg9[6] == 0 && %s && %s.dst == %s && %s.dst == %d"
            % (vmatch.replace("ct.new", "ct.new", 1), fam, ip, vip.proto, bport),
            'commit_lb_aff(vip = "%s", backend = "%s", proto = %s, timeout = %d); '
            '/* drop */' % (fmt_endpoint(vip.ip, vip.port), fmt_endpoint(ip, port),
                            vip.proto, timeout), hint=vip.lb)


def service_monitors(model, ctx):
    """{(ip, port, proto, lport): (src ip, options)} for every monitored LB
    backend of every switch, and {switch: set of source ips} for the ARP/ND
    responder (on the switch of the monitored port)."""
    monitors = {}
    src_ips = {}
    for dp in model.switches:
        for vip in vips_of(dp, ctx):
            if vip.health_check is None:
                continue
            if vip.proto not in ("tcp", "udp"):
                ctx.problems.report("Load_Balancer", vip.lb.uuid, "health_check",
                                    "health checks support tcp and udp, not %s"
                                    % vip.proto)
                continue
            try:
                watched = vip.monitored()
            except VipError as e:
                ctx.problems.report("Load_Balancer", vip.lb.uuid, "ip_port_mappings",
                                    str(e))
                continue
            for ip, port, lport, src in watched:
                p = model.ports.get(lport)
                if p is None or p.kind != "lsp":
                    ctx.problems.report("Load_Balancer", vip.lb.uuid, "ip_port_mappings",
                                        "logical port '%s' does not exist" % lport)
                    continue
                monitors[(str(ip), port, vip.proto, lport)] = (
                    src, dict(vip.health_check.options))
                src_ips.setdefault(p.dp, set()).add(src)
    return monitors, src_ips


def build_svc_arp(dp, add, ctx, src_ips):
    """ARP/ND replies for the health checks' source addresses."""
    mac = ctx.svc_monitor_mac
    for src in sorted(src_ips.get(dp, ())):
        ip = ipaddress.ip_address(src)
        if ip.version == 4:
            add(S.LS_IN_ARP_RSP, 110, "arp.tpa == %s && arp.op == 1" % src,
                "eth.dst = eth.src; eth.src = %s; arp.op = 2; /* ARP reply */ "
                "arp.tha = arp.sha; arp.sha = %s; arp.tpa = arp.spa; arp.spa = %s; "
                "outport = inport; flags.loopback = 1; output;" % (mac, mac, src))
        else:
            add(S.LS_IN_ARP_RSP, 110, "nd_ns && nd.target == %s" % src,
                "nd_na { eth.dst = eth.src; eth.src = %s; ip6.src = %s; "
                "nd.target = %s; nd.tll = %s; outport = inport; flags.loopback = 1; "
                "output; };" % (mac, src, src, mac))


def _empty_lb_event(dp, vip, add, ctx):
    """Pre-LB priority 130: tell ovn-controller (controller_event) that a
    VIP without backends was hit."""
    match = "%s.dst == %s" % (vip.v, vip.ip)
    if vip.port is not None:
        match += " && %s && %s.dst == %d" % (vip.proto, vip.proto, vip.port)
    meter = copp_mod.meter(dp, ctx, "event-elb") or \
        ("event-elb" if "event-elb" in ctx.meters else None)
    add(S.LS_IN_PRE_LB, 130, match,
        'trigger_event(event = "empty_lb_backends", vip = "%s", protocol = "%s", '
        'load_balancer = "%s");' % (vip.key, vip.proto, vip.lb.uuid), hint=vip.lb,
        meter=meter)
