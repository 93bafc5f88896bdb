"""pyovn nbctl: logical routers, router ports, gateway chassis, static
routes, NAT, routing policies and HA chassis groups (ovn-nbctl(8)
"Logical Router Commands" ... "HA Chassis Group commands")."""

import json

from pyovn.ctl import nb_common as nb
from pyovn.ctl import validate as v
from pyovn.ctl.base import Registry
from pyovn.ctl.errors import CtlError
from pyovn.ctl.nb_switch import _check_add_dup, _check_state
from pyovn.ctl.values import is_uuid


def format_string(s):
    """Quoted as ovn-nbctl show quotes strings."""
    return json.dumps(s)

REGISTRY = Registry()
command = REGISTRY.command

NAT_TYPES = ("snat", "dnat", "dnat_and_snat")
POLICY_ACTIONS = ("allow", "drop", "reroute")


# -- routers --------------------------------------------------------------

@command("lr-add", "[ROUTER]", args=(0, 1),
         options=("--may-exist", "--add-duplicate"), validate=_check_add_dup)
def lr_add(ctx):
    """Creates a logical router."""
    nb.add_datapath(ctx, "Logical_Router", nb.lr, "router")


@command("lr-del", "ROUTER", args=(1, 1), options=("--if-exists",))
def lr_del(ctx):
    """Deletes a logical router (and its ports, routes, NATs, policies)."""
    nb.delete_datapath(nb.lr(ctx, ctx.args[0], must_exist=not ctx.has("--if-exists")))


@command("lr-list", "", args=(0, 0), mode="ro")
def lr_list(ctx):
    """Lists the logical routers."""
    for r in sorted(ctx.rows("Logical_Router"), key=lambda r: (r.name, str(r.uuid))):
        ctx.writeln(nb.label(r))


# -- router ports ---------------------------------------------------------

def _split_lrp_args(args):
    """ROUTER PORT MAC NETWORK... [peer=PEER] -> (networks, peer)."""
    nets, peer = [], None
    for a in args[3:]:
        if a.startswith("peer="):
            if peer is not None:
                raise CtlError("%s: peer may be given only once" % a)
            peer = a[5:]
            if not peer:
                raise CtlError("%s: argument does not end in \"=\" followed "
                               "by a value." % a)
        elif peer is not None:
            raise CtlError("%s: networks must come before peer=" % a)
        else:
            nets.append(a)
    if not nets:
        raise CtlError("'lrp-add' requires at least one network")
    return nets, peer


def _check_lrp_add(inv):
    v.mac(inv.args[2])
    nets, _ = _split_lrp_args(inv.args)
    for n in nets:
        if "/" in n:
            v.network(n)
        else:
            v.ip(n)


@command("lrp-add", "ROUTER PORT MAC NETWORK... [peer=PEER]", args=(4, None),
         options=("--may-exist",), validate=_check_lrp_add)
def lrp_add(ctx):
    """Creates a logical router port."""
    router = nb.lr(ctx, ctx.args[0])
    name, mac = ctx.args[1], v.mac(ctx.args[2])
    nets, peer = _split_lrp_args(ctx.args)
    existing = nb.lrp(ctx, name, must_exist=False)
    if existing is not None:
        if not ctx.has("--may-exist"):
            raise CtlError("%s: a port with this name already exists" % name)
        owner = nb.router_of_port(ctx, existing)
        if owner.uuid != router.uuid:
            raise CtlError("%s: port already exists but in router %s"
                           % (name, owner.name or owner.uuid))
        if existing.mac != mac:
            raise CtlError("%s: port already exists with mac %s"
                           % (name, existing.mac))
        if sorted(existing.networks) != sorted(nets):
            raise CtlError("%s: port already exists with different network"
                           % name)
        if (nb.opt1(existing.peer) or None) != peer:
            raise CtlError("%s: port already exists with mismatching peer"
                           % name)
        return
    port = ctx.insert("Logical_Router_Port")
    port.name = name
    nb.remember(ctx, "Logical_Router_Port", port)
    port.mac = mac
    port.networks = nets
    if peer is not None:
        port.peer = peer
    ctx.add_to(router, "ports", port)
    nb.set_owner(ctx, "Logical_Router", port, router)


@command("lrp-del", "PORT", args=(1, 1), options=("--if-exists",))
def lrp_del(ctx):
    """Deletes a logical router port."""
    port = nb.lrp(ctx, ctx.args[0], must_exist=not ctx.has("--if-exists"))
    if port is None:
        return
    ctx.remove_from(nb.router_of_port(ctx, port), "ports", port)
    port.delete()


@command("lrp-list", "ROUTER", args=(1, 1), mode="ro")
def lrp_list(ctx):
    """Lists the ports of a logical router."""
    router = nb.lr(ctx, ctx.args[0])
    for p in sorted((p for p in router.ports if p is not None), key=lambda p: p.name):
        ctx.writeln(nb.label(p))


@command("lrp-set-enabled", "PORT STATE", args=(2, 2), validate=_check_state)
def lrp_set_enabled(ctx):
    """Sets the administrative state: enabled or disabled."""
    nb.lrp(ctx, ctx.args[0]).enabled = [ctx.args[1].lower() == "enabled"]


@command("lrp-get-enabled", "PORT", args=(1, 1), mode="ro")
def lrp_get_enabled(ctx):
    """Prints "enabled" or "disabled"."""
    en = nb.opt1(nb.lrp(ctx, ctx.args[0]).enabled)
    ctx.writeln("disabled" if en is False else "enabled")


def _check_redirect(inv):
    v.choice(inv.args[1], ("bridged", "overlay"), "redirect type")


@command("lrp-set-redirect-type", "PORT TYPE", args=(2, 2),
         validate=_check_redirect)
def lrp_set_redirect_type(ctx):
    """Sets options:redirect-type of a port (bridged or overlay)."""
    port = nb.lrp(ctx, ctx.args[0])
    ctx.verify(port, "options")
    opts = dict(port.options)
    opts["redirect-type"] = ctx.args[1]
    port.options = opts


@command("lrp-get-redirect-type", "PORT", args=(1, 1), mode="ro")
def lrp_get_redirect_type(ctx):
    """Prints the redirect type of a port (default overlay)."""
    ctx.writeln(nb.lrp(ctx, ctx.args[0]).options.get("redirect-type", "overlay"))


def _check_gw(inv):
    if len(inv.args) == 3:
        v.priority(inv.args[2])


@command("lrp-set-gateway-chassis", "PORT CHASSIS [PRIORITY]", args=(2, 3),
         validate=_check_gw)
def lrp_set_gateway_chassis(ctx):
    """Makes CHASSIS a gateway chassis of PORT with PRIORITY (default 0)."""
    port = nb.lrp(ctx, ctx.args[0])
    chassis = ctx.args[1]
    prio = int(ctx.args[2]) if len(ctx.args) == 3 else 0
    name = "%s-%s" % (port.name, chassis)
    for gc in port.gateway_chassis:
        if gc is not None and gc.name == name:
            gc.priority = prio
            return
    gc = ctx.insert("Gateway_Chassis")
    gc.name = name
    gc.chassis_name = chassis
    gc.priority = prio
    ctx.add_to(port, "gateway_chassis", gc)


@command("lrp-del-gateway-chassis", "PORT CHASSIS", args=(2, 2))
def lrp_del_gateway_chassis(ctx):
    """Removes CHASSIS from the gateway chassis of PORT."""
    port = nb.lrp(ctx, ctx.args[0])
    for gc in port.gateway_chassis:
        if gc is not None and gc.chassis_name == ctx.args[1]:
            ctx.remove_from(port, "gateway_chassis", gc)
            gc.delete()
            return
    raise CtlError("chassis %s is not added to logical port %s"
                   % (ctx.args[1], ctx.args[0]))


@command("lrp-get-gateway-chassis", "PORT", args=(1, 1), mode="ro")
def lrp_get_gateway_chassis(ctx):
    """Lists the gateway chassis of PORT by priority."""
    port = nb.lrp(ctx, ctx.args[0])
    gcs = sorted((g for g in port.gateway_chassis if g is not None),
                 key=lambda g: (-g.priority, g.name))
    for g in gcs:
        ctx.writeln("%s %5d" % (g.name, g.priority))


# -- static routes ------------------------------------------------------------

def _check_route_add(inv):
    if inv.has("--policy"):
        v.choice(inv.opt("--policy"), ("dst-ip", "src-ip"), "--policy")
    prefix = inv.args[1]
    try:
        v.ip_or_prefix(prefix)
    except CtlError:
        raise CtlError("bad prefix argument: %s" % prefix)
    nexthop = inv.args[2]
    if nexthop != "discard":
        a = v.ip(nexthop)
        if a.version != v.ip_or_prefix(prefix)[0].version:
            raise CtlError("bad nexthop argument: %s (address family differs "
                           "from prefix %s)" % (nexthop, prefix))
    elif inv.has("--bfd"):
        raise CtlError("BFD is not supported for discard routes")
    if inv.has("--bfd") and inv.opt("--bfd") is not True and \
            not is_uuid(inv.opt("--bfd")):
        raise CtlError("%s: --bfd value must be a BFD row UUID" % inv.opt("--bfd"))


def _route_table(ctx):
    return ctx.opt("--route-table", "") or ""


@command("lr-route-add", "ROUTER PREFIX NEXTHOP [PORT]", args=(3, 4),
         options=("--may-exist", "--policy=", "--ecmp", "--ecmp-symmetric-reply",
                  "--bfd", "--route-table="),
         validate=_check_route_add)
def lr_route_add(ctx):
    """Adds a static route."""
    router = nb.lr(ctx, ctx.args[0])
    prefix = v.normalize_prefix(ctx.args[1])
    nexthop = ctx.args[2] if ctx.args[2] == "discard" else str(v.ip(ctx.args[2]))
    port = ctx.args[3] if len(ctx.args) == 4 else None
    if port is not None:
        nb.lrp(ctx, port)
    policy = ctx.opt("--policy")
    ecmp = ctx.has("--ecmp") or ctx.has("--ecmp-symmetric-reply")
    table = _route_table(ctx)
    ctx.verify(router, "static_routes")
    route = None
    for r in router.static_routes:
        if r is None or r.ip_prefix != prefix or r.route_table != table:
            continue
        if (nb.opt1(r.policy) or "dst-ip") != (policy or "dst-ip"):
            continue
        if ecmp:
            if r.nexthop == nexthop and (nb.opt1(r.output_port) or None) == port:
                if ctx.has("--may-exist"):
                    return
                raise CtlError("duplicate nexthop for the same ECMP route")
            continue
        if not ctx.has("--may-exist"):
            raise CtlError("duplicate prefix: %s (policy: %s). Use option "
                           "--ecmp to allow this for ECMP routing."
                           % (prefix, policy or "dst-ip"))
        route = r
    if route is None:
        route = ctx.insert("Logical_Router_Static_Route")
        route.ip_prefix = prefix
        if policy:
            route.policy = policy
        if table:
            route.route_table = table
        if ctx.has("--ecmp-symmetric-reply"):
            route.options = {"ecmp_symmetric_reply": "true"}
        ctx.add_to(router, "static_routes", route)
    route.nexthop = nexthop
    route.output_port = [port] if port else []
    if ctx.has("--bfd"):
        route.bfd = [_route_bfd(ctx, nexthop, port)]


def _route_bfd(ctx, nexthop, port):
    val = ctx.opt("--bfd")
    if val is not True:
        row = ctx.get_row("BFD", val, must_exist=False)
        if row is None:
            raise CtlError("no entry found in the BFD table for %s" % val)
        return row
    for b in ctx.rows("BFD"):
        if b.dst_ip == nexthop:
            return b
    if not port:
        raise CtlError("no BFD session for %s: give the output port so one "
                       "can be created" % nexthop)
    b = ctx.insert("BFD")
    b.dst_ip = nexthop
    b.logical_port = port
    return b


def _check_route_del(inv):
    if inv.has("--policy"):
        v.choice(inv.opt("--policy"), ("dst-ip", "src-ip"), "--policy")
    if len(inv.args) >= 2:
        try:
            v.ip_or_prefix(inv.args[1])
        except CtlError:
            raise CtlError("bad prefix argument: %s" % inv.args[1])
    if len(inv.args) >= 3 and inv.args[2] != "discard":
        v.ip(inv.args[2])


@command("lr-route-del", "ROUTER [PREFIX [NEXTHOP [PORT]]]", args=(1, 4),
         options=("--if-exists", "--policy=", "--route-table="),
         validate=_check_route_del)
def lr_route_del(ctx):
    """Deletes the matching static routes."""
    router = nb.lr(ctx, ctx.args[0])
    prefix = v.normalize_prefix(ctx.args[1]) if len(ctx.args) > 1 else None
    nexthop = None
    if len(ctx.args) > 2:
        nexthop = ctx.args[2] if ctx.args[2] == "discard" else str(v.ip(ctx.args[2]))
    port = ctx.args[3] if len(ctx.args) > 3 else None
    policy = ctx.opt("--policy")
    ctx.verify(router, "static_routes")
    keep, gone = [], 0
    for r in router.static_routes:
        if r is None:
            continue
        match = ((prefix is None or r.ip_prefix == prefix) and
                 (nexthop is None or r.nexthop == nexthop) and
                 (port is None or nb.opt1(r.output_port) == port) and
                 (policy is None or (nb.opt1(r.policy) or "dst-ip") == policy) and
                 (not ctx.has("--route-table") or r.route_table == _route_table(ctx)))
        if match:
            gone += 1
        else:
            keep.append(r)
    if not gone and len(ctx.args) > 1 and not ctx.has("--if-exists"):
        raise CtlError("no matching route: policy '%s', prefix '%s', nexthop "
                       "'%s', output_port '%s'." % (policy or "any", prefix,
                                                    nexthop or "", port or ""))
    router.static_routes = keep


@command("lr-route-list", "ROUTER", args=(1, 1), mode="ro")
def lr_route_list(ctx):
    """Lists the static routes of a router."""
    router = nb.lr(ctx, ctx.args[0])
    routes = [r for r in router.static_routes if r is not None]
    for fam, title in ((4, "IPv4 Routes"), (6, "IPv6 Routes")):
        sel = [r for r in routes if (":" in r.ip_prefix) == (fam == 6)]
        if not sel:
            continue
        if fam == 6 and any(":" not in r.ip_prefix for r in routes):
            ctx.writeln("")
        ctx.writeln(title)
        tables = sorted(set(r.route_table for r in sel))
        for i, t in enumerate(tables):
            if i:
                ctx.writeln("")
            ctx.writeln("Route Table %s:" % (t or "<main>"))
            rows = [r for r in sel if r.route_table == t]
            rows.sort(key=lambda r: (-_plen(r.ip_prefix), r.ip_prefix, r.nexthop))
            for r in rows:
                policy = nb.opt1(r.policy) or "dst-ip"
                line = "%25s %25s %s" % (r.ip_prefix, r.nexthop, policy)
                if nb.opt1(r.output_port):
                    line += " %s" % nb.opt1(r.output_port)
                if sum(1 for o in rows if o.ip_prefix == r.ip_prefix and
                       (nb.opt1(o.policy) or "dst-ip") == policy) > 1:
                    line += " ecmp"
                if r.options.get("ecmp_symmetric_reply") == "true":
                    line += " ecmp-symmetric-reply"
                if r.bfd:
                    line += " bfd"
                ctx.writeln(line)


def _plen(prefix):
    a, plen = v.ip_or_prefix(prefix)
    return a.max_prefixlen if plen is None else plen


# -- NAT ------------------------------------------------------------------------

def _check_nat_add(inv):
    args = list(inv.args)
    typ = v.choice(args[1], NAT_TYPES, "NAT type")
    v.ip(args[2])
    if typ == "snat":
        try:
            v.ip_or_prefix(args[3])
        except CtlError:
            raise CtlError("%s: should be an IPv4/IPv6 address or network"
                           % args[3])
    else:
        v.ip(args[3])
    if v.ip(args[2]).version != v.ip_or_prefix(args[3])[0].version:
        raise CtlError("%s, %s: external and logical IP address families "
                       "differ" % (args[2], args[3]))
    rest = args[4:]
    if inv.has("--portrange"):
        if not rest:
            raise CtlError("--portrange requires a port range argument")
        v.port_range(rest[-1])
        rest = rest[:-1]
    if rest:
        if len(rest) != 2:
            raise CtlError("lr-nat-add: logical port and external MAC must "
                           "be given together")
        if typ != "dnat_and_snat":
            raise CtlError("logical_port and external_mac are only valid "
                           "for dnat_and_snat")
        v.mac(rest[1])
    if inv.has("--stateless") and typ != "dnat_and_snat":
        raise CtlError("stateless is only applicable to dnat_and_snat type "
                       "NAT rules")


@command("lr-nat-add",
         "ROUTER TYPE EXTERNAL_IP LOGICAL_IP [LOGICAL_PORT EXTERNAL_MAC] "
         "[EXTERNAL_PORT_RANGE]", args=(4, 7),
         options=("--may-exist", "--stateless", "--portrange",
                  "--gateway-port="),
         validate=_check_nat_add)
def lr_nat_add(ctx):
    """Adds a NAT rule to a router."""
    router = nb.lr(ctx, ctx.args[0])
    typ = ctx.args[1]
    ext_ip = str(v.ip(ctx.args[2]))
    log_ip = v.normalize_prefix(ctx.args[3]) if typ == "snat" \
        else str(v.ip(ctx.args[3]))
    rest = ctx.args[4:]
    port_range = ""
    if ctx.has("--portrange"):
        port_range = rest[-1]
        rest = rest[:-1]
    lport, emac = (rest[0], v.mac(rest[1])) if rest else (None, None)
    if lport is not None:
        nb.lsp(ctx, lport)
    gw_port = None
    if ctx.has("--gateway-port"):
        gw_port = nb.lrp(ctx, ctx.opt("--gateway-port"))
        if not any(p is not None and p.uuid == gw_port.uuid for p in router.ports):
            raise CtlError("%s: not a port of router %s"
                           % (gw_port.name, ctx.args[0]))
    stateless = ctx.has("--stateless")
    ctx.verify(router, "nat")
    for n in router.nat:
        if n is None:
            continue
        same_gw = (nb.opt1(n.gateway_port) is None and gw_port is None) or (
            gw_port is not None and nb.opt1(n.gateway_port) is not None and
            nb.opt1(n.gateway_port).uuid == gw_port.uuid)
        if n.type == typ and n.external_ip == ext_ip and \
                n.logical_ip == log_ip and same_gw:
            if not ctx.has("--may-exist"):
                raise CtlError("%s, %s: a NAT with this external_ip and "
                               "logical_ip already exists" % (ext_ip, log_ip))
            if lport is not None:
                n.logical_port = lport
                n.external_mac = emac
            return
        if not same_gw:
            continue
        if typ != "snat" and n.type != "snat" and n.external_ip == ext_ip:
            if n.logical_ip != log_ip or stateless or \
                    n.options.get("stateless") == "true":
                raise CtlError("%s, %s: external IP is already used by "
                               "another NAT rule" % (ext_ip, log_ip))
        if typ == "snat" and n.type == "snat" and n.logical_ip == log_ip:
            raise CtlError("a NAT with this type (snat) and logical_ip (%s) "
                           "already exists" % log_ip)
    nat = ctx.insert("NAT")
    nat.type = typ
    nat.external_ip = ext_ip
    nat.logical_ip = log_ip
    if lport is not None:
        nat.logical_port = lport
        nat.external_mac = emac
    if port_range:
        nat.external_port_range = port_range
    if gw_port is not None:
        nat.gateway_port = gw_port
    nat.options = {"stateless": "true" if stateless else "false"}
    ctx.add_to(router, "nat", nat)


def _check_nat_del(inv):
    if len(inv.args) >= 2:
        v.choice(inv.args[1], NAT_TYPES, "NAT type")
    if len(inv.args) >= 3:
        try:
            v.ip_or_prefix(inv.args[2])
        except CtlError:
            raise CtlError("%s: Invalid IP address or CIDR" % inv.args[2])


@command("lr-nat-del", "ROUTER [TYPE [IP] [GATEWAY_PORT]]", args=(1, 4),
         options=("--if-exists",), validate=_check_nat_del)
def lr_nat_del(ctx):
    """Deletes NAT rules of a router."""
    router = nb.lr(ctx, ctx.args[0])
    typ = ctx.args[1] if len(ctx.args) > 1 else None
    ip = v.normalize_prefix(ctx.args[2]) if len(ctx.args) > 2 else None
    gw = ctx.args[3] if len(ctx.args) > 3 else None
    ctx.verify(router, "nat")
    keep, gone = [], 0
    for n in router.nat:
        if n is None:
            continue
        key = n.logical_ip if n.type == "snat" else n.external_ip
        gwp = nb.opt1(n.gateway_port)
        match = ((typ is None or n.type == typ) and
                 (ip is None or key == ip) and
                 (gw is None or (gwp is not None and gw in (gwp.name, str(gwp.uuid)))))
        if match:
            gone += 1
        else:
            keep.append(n)
    if not gone and ip is not None and gw is not None and \
            not ctx.has("--if-exists"):
        raise CtlError("%s: no matching NAT with the type (%s) and "
                       "gateway_port (%s) was found" % (ctx.args[2], typ, gw))
    router.nat = keep


@command("lr-nat-list", "ROUTER", args=(1, 1), mode="ro")
def lr_nat_list(ctx):
    """Lists the NAT rules of a router."""
    router = nb.lr(ctx, ctx.args[0])
    nats = sorted((n for n in router.nat if n is not None),
                  key=lambda n: (n.type, n.external_ip, n.logical_ip))
    if not nats:
        return
    ctx.writeln("%-17.13s%-22.18s%-19.15s%-17.13s%-20.16s%-21.17s%s"
                % ("TYPE", "GATEWAY_PORT", "EXTERNAL_IP", "EXTERNAL_PORT",
                   "LOGICAL_IP", "EXTERNAL_MAC", "LOGICAL_PORT"))
    for n in nats:
        gw = nb.opt1(n.gateway_port)
        line = "%-17.13s%-22.18s%-19.15s%-17.13s%-20.16s%-21.17s%s" % (
            n.type, gw.name if gw is not None else "", n.external_ip,
            n.external_port_range, n.logical_ip,
            nb.opt1(n.external_mac) or "", nb.opt1(n.logical_port) or "")
        ctx.writeln(line.rstrip())


# -- routing policies -----------------------------------------------------------

def _split_policy_args(args):
    """ROUTER PRIORITY MATCH ACTION [NEXTHOP[,NEXTHOP]...] [KEY=VALUE]..."""
    rest = args[4:]
    nexthops = []
    if args[3] == "reroute":
        if not rest or "=" in rest[0]:
            raise CtlError("Nexthop is required when action is reroute.")
        nexthops = [n for n in rest[0].split(",") if n]
        rest = rest[1:]
    opts = {}
    for a in rest:
        k, val = v.key_value(a)
        if k == "pkt_mark":
            v.integer(val, 1, 4294967295, "pkt_mark")
        opts[k] = val
    return nexthops, opts


def _check_policy_add(inv):
    v.priority(inv.args[1])
    v.check_match(inv.args[2])
    v.choice(inv.args[3], POLICY_ACTIONS, "action")
    nexthops, _ = _split_policy_args(inv.args)
    fams = {v.ip(n).version for n in nexthops}
    if len(fams) > 1:
        raise CtlError("%s: nexthops must all be of one address family"
                       % ",".join(nexthops))


@command("lr-policy-add",
         "ROUTER PRIORITY MATCH ACTION [NEXTHOP[,NEXTHOP,...]] [KEY=VALUE]...",
         args=(4, None), options=("--may-exist",), validate=_check_policy_add)
def lr_policy_add(ctx):
    """Adds a routing policy."""
    router = nb.lr(ctx, ctx.args[0])
    prio, match, action = int(ctx.args[1]), ctx.args[2], ctx.args[3]
    nexthops, opts = _split_policy_args(ctx.args)
    ctx.verify(router, "policies")
    for p in router.policies:
        if p is not None and p.priority == prio and p.match == match:
            if ctx.has("--may-exist"):
                return
            raise CtlError("Same routing policy already existed on the "
                           "logical router %s." % ctx.args[0])
    pol = ctx.insert("Logical_Router_Policy")
    pol.priority = prio
    pol.match = match
    pol.action = action
    if nexthops:
        pol.nexthops = [str(v.ip(n)) for n in nexthops]
    if opts:
        pol.options = opts
    ctx.add_to(router, "policies", pol)


def _check_policy_del(inv):
    if len(inv.args) >= 2 and not is_uuid(inv.args[1]):
        v.priority(inv.args[1])
    if len(inv.args) == 3 and is_uuid(inv.args[1]):
        raise CtlError("a match may not be given with a policy UUID")


@command("lr-policy-del", "ROUTER [{PRIORITY | UUID} [MATCH]]", args=(1, 3),
         options=("--if-exists",), validate=_check_policy_del)
def lr_policy_del(ctx):
    """Deletes routing policies."""
    router = nb.lr(ctx, ctx.args[0])
    ctx.verify(router, "policies")
    pols = [p for p in router.policies if p is not None]
    if len(ctx.args) == 1:
        router.policies = []
        return
    if is_uuid(ctx.args[1]):
        keep = [p for p in pols if str(p.uuid) != ctx.args[1]]
        if len(keep) == len(pols) and not ctx.has("--if-exists"):
            raise CtlError("Logical router policy uuid is not found.")
        router.policies = keep
        return
    prio = int(ctx.args[1])
    match = ctx.args[2] if len(ctx.args) == 3 else None
    keep = [p for p in pols if not (p.priority == prio and
                                    (match is None or p.match == match))]
    if len(keep) == len(pols) and match is not None and \
            not ctx.has("--if-exists"):
        raise CtlError("Logical router policy is not found.")
    router.policies = keep


@command("lr-policy-list", "ROUTER", args=(1, 1), mode="ro")
def lr_policy_list(ctx):
    """Lists the routing policies of a router."""
    router = nb.lr(ctx, ctx.args[0])
    pols = sorted((p for p in router.policies if p is not None),
                  key=lambda p: (-p.priority, p.match))
    if not pols:
        return
    ctx.writeln("Routing Policies")
    for p in pols:
        line = "%10d %50s %15s" % (p.priority, p.match, p.action)
        if p.nexthops:
            hops = sorted(p.nexthops)
            line += " %25s" % hops[0] + "".join(", %s" % h for h in hops[1:])
        elif nb.opt1(p.nexthop):
            line += " %25s" % nb.opt1(p.nexthop)
        if p.options:
            line += " " * 15 + ",".join("%s=%s" % kv for kv in sorted(p.options.items()))
        ctx.writeln(line)


# -- HA chassis groups --------------------------------------------------------

@command("ha-chassis-group-add", "GROUP", args=(1, 1))
def ha_chassis_group_add(ctx):
    """Creates an HA chassis group."""
    if nb.ha_group(ctx, ctx.args[0], must_exist=False) is not None:
        raise CtlError("%s: an HA chassis group with this name already exists"
                       % ctx.args[0])
    g = ctx.insert("HA_Chassis_Group")
    g.name = ctx.args[0]
    nb.remember(ctx, "HA_Chassis_Group", g)


@command("ha-chassis-group-del", "GROUP", args=(1, 1))
def ha_chassis_group_del(ctx):
    """Deletes an HA chassis group."""
    nb.ha_group(ctx, ctx.args[0]).delete()


@command("ha-chassis-group-list", "", args=(0, 0), mode="ro")
def ha_chassis_group_list(ctx):
    """Lists the HA chassis groups with their chassis."""
    for g in sorted(ctx.rows("HA_Chassis_Group"), key=lambda g: g.name):
        ctx.writeln(nb.label(g))
        for c in sorted((c for c in g.ha_chassis if c is not None),
                        key=lambda c: c.uuid):
            ctx.writeln("    %s (%s)" % (c.uuid, c.chassis_name))
            ctx.writeln("    priority %d" % c.priority)
            ctx.writeln("")
        ctx.writeln("")


def _check_ha_add(inv):
    v.priority(inv.args[2])


@command("ha-chassis-group-add-chassis", "GROUP CHASSIS PRIORITY", args=(3, 3),
         validate=_check_ha_add)
def ha_chassis_group_add_chassis(ctx):
    """Adds CHASSIS to GROUP with PRIORITY (or updates its priority)."""
    g = nb.ha_group(ctx, ctx.args[0])
    prio = int(ctx.args[2])
    for c in g.ha_chassis:
        if c is not None and c.chassis_name == ctx.args[1]:
            c.priority = prio
            return
    c = ctx.insert("HA_Chassis")
    c.chassis_name = ctx.args[1]
    c.priority = prio
    ctx.add_to(g, "ha_chassis", c)


@command("ha-chassis-group-remove-chassis", "GROUP CHASSIS", args=(2, 2))
def ha_chassis_group_remove_chassis(ctx):
    """Removes CHASSIS from GROUP."""
    g = nb.ha_group(ctx, ctx.args[0])
    for c in g.ha_chassis:
        if c is not None and c.chassis_name == ctx.args[1]:
            ctx.remove_from(g, "ha_chassis", c)
            c.delete()
            return
    raise CtlError("%s: ha chassis not found in %s HA chassis group"
                   % (ctx.args[1], ctx.args[0]))


def show_router(ctx, r):
    """The router part of "show"."""
    out = ["router %s (%s)\n" % (r.uuid, r.name)]
    for p in sorted((p for p in r.ports if p is not None), key=lambda p: p.uuid):
        out.append("    port %s\n" % p.name)
        out.append("        mac: %s\n" % format_string(p.mac))
        out.append("        networks: [%s]\n" % ", ".join(
            format_string(n) for n in sorted(p.networks)))
        gcs = sorted((g for g in p.gateway_chassis if g is not None),
                     key=lambda g: (-g.priority, g.name))
        if gcs:
            out.append("        gateway chassis: [%s]\n"
                       % " ".join(g.chassis_name for g in gcs))
        peer = nb.opt1(p.peer)
        if peer:
            out.append("        peer: %s\n" % peer)
    for n in sorted((n for n in r.nat if n is not None), key=lambda n: str(n.uuid)):
        out.append("    nat %s\n" % n.uuid)
        out.append("        external ip: %s\n" % format_string(n.external_ip))
        if n.external_port_range:
            out.append("        external port(s): %s\n"
                       % format_string(n.external_port_range))
        out.append("        logical ip: %s\n" % format_string(n.logical_ip))
        out.append("        type: %s\n" % format_string(n.type))
    return "".join(out)
