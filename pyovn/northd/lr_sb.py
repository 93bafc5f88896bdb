"""SB rows for router gateways (part 2 of northd): HA_Chassis_Group and
HA_Chassis rows for distributed gateway ports, and the router-specific
Port_Binding columns sb_core leaves generic.

build(model, view, desired, problems) runs after
sb_core.build_port_bindings() and edits the desired Port_Binding rows:

  * the DGP's patch binding gets options:chassis-redirect-port=cr-<lrp>;
  * the chassisredirect binding cr-<lrp> references an HA_Chassis_Group
    (name = the LRP's name for gateway_chassis rows or
    options:redirect-chassis, the NB group's name for ha_chassis_group),
    whose HA_Chassis rows carry the priorities; ovn-controller binds cr-<lrp>
    on the highest-priority live chassis of the group;
  * options:redirect-type=bridged is copied to the cr binding;
  * on switches with a localnet port, the peer switch's router port gets nat_addresses (gateway ARPs) for the
    NAT external addresses and the LRP's own networks, each with the
    is_chassis_resident() condition of the chassis that answers for them.

HA_Chassis rows are keyed by (chassis name, priority) and shared between
groups that want the same pair (a non-root row may be referenced from
several groups), so a recompute never churns them.
"""

from pyovn.northd import lr_model
from pyovn.northd import lr_nat
from pyovn.northd.sync import Ref


def build(m, view, d, problems):
    pbs = d.tables.get("Port_Binding", {})
    for dp in m.routers:
        if dp.key is None:
            continue
        for p in getattr(dp, "dgps", []):
            cr = p.cr_port
            pb = pbs.get(p.name)
            crb = pbs.get(cr.name)
            if pb is None or crb is None:
                continue
            pb["options"] = dict(pb["options"], **{"chassis-redirect-port": cr.name})
            members, gname = _members(p)
            refs = []
            for ch_name, prio in members:
                key = (ch_name, prio)
                ch = view.chassis.get(ch_name)
                refs.append(d.add("HA_Chassis", key, priority=prio,
                                  chassis=[ch] if ch is not None else [],
                                  external_ids={"chassis-name": ch_name}))
            if not refs:
                problems.report("Logical_Router_Port", p.uuid, "ha_chassis_group",
                                "distributed gateway port has no gateway chassis; "
                                "%s is never bound" % cr.name)
            d.add("HA_Chassis_Group", gname, name=gname, ha_chassis=refs,
                  ref_chassis=ref_chassis(dp, view), external_ids={})
            crb["ha_chassis_group"] = [Ref("HA_Chassis_Group", gname)]
            crb["gateway_chassis"] = []
            opts = {"distributed-port": p.name}
            if p.options.get("redirect-type") == "bridged":
                opts["redirect-type"] = "bridged"
            if not any(n.distributed for n in dp.nats) and \
                    p.options.get("redirect-type") != "bridged":
                # Every packet for the DGP goes to the gateway chassis.
                opts["always-redirect"] = "true"
            crb["options"] = opts
        for p in dp.ports:
            pb = pbs.get(p.name)
            if pb is not None and p.lrp_networks is not None:
                ra = ra_options(p)
                if ra:
                    pb["options"] = dict(pb["options"], **ra)
    # Address sets of router LB VIPs (the routers' ARP replies use them).
    for dp in m.routers:
        if dp.key is None:
            continue
        for name, vips in sorted(lr_nat.lb_vip_sets(dp).items()):
            d.add("Address_Set", name, name=name, addresses=vips)
    # Gateway ARPs: the peers of DGPs, and of gateway router ports on
    # switches with a localnet port.
    for sw in m.switches:
        if sw.key is None:
            continue
        for lsp in sw.router_ports:
            lrp = lsp.peer
            pb = pbs.get(lsp.name)
            if pb is None or lrp is None or lrp.lrp_networks is None:
                continue
            if getattr(lrp, "cr_port", None) is None and \
                    not (lrp.dp.is_gw_router and sw.localnet_ports):
                rcr = lr_model.reside_cr(lrp)
                own = [str(ip.addr) for ip in lrp.lrp_networks.ipv4]
                if rcr is not None and own and sw.localnet_ports:
                    # reside-on-redirect-chassis: the gateway chassis
                    # announces the port's addresses.
                    pb["nat_addresses"] = ['%s %s is_chassis_resident("%s")'
                                           % (lrp.lrp_networks.mac, " ".join(own),
                                              rcr.name)]
                continue
            pb["nat_addresses"] = nat_addresses(lsp, lrp)


def _members(p):
    """[(chassis name, priority)] and the group name of DGP P."""
    if p.ha_group is not None:
        return ([(h.chassis_name, h.priority) for h in p.ha_group.ha_chassis],
                p.ha_group.name)
    if p.gateway_chassis:
        return [(g.chassis_name, g.priority) for g in p.gateway_chassis], p.name
    return [(p.redirect_chassis, 0)], p.name


def nat_addresses(lsp, lrp):
    """The gateway-ARP entries of router-type switch port LSP."""
    opt = lsp.options.get("nat-addresses")
    out = []
    cr = getattr(lrp, "cr_port", None)
    res = ' is_chassis_resident("%s")' % cr.name if cr is not None else ""
    if opt and opt != "router":
        return [opt]
    if opt == "router":
        dist = []
        central = []
        for n in lrp.dp.nats:
            if n.external_ip.version != 4:
                continue
            if n.gateway_port is not None and n.gateway_port is not lrp:
                continue
            if n.distributed and cr is not None:
                dist.append('%s %s is_chassis_resident("%s")'
                            % (n.external_mac, n.external_ip, n.logical_port))
            elif str(n.external_ip) not in central:
                central.append(str(n.external_ip))
        out.extend(dist)
        if central:
            central.sort(key=lambda t: tuple(int(x) for x in t.split(".")))
            out.append("%s %s%s" % (lrp.lrp_networks.mac, " ".join(central), res))
    own = [str(ip.addr) for ip in lrp.lrp_networks.ipv4]
    if own:
        out.append("%s %s%s" % (lrp.lrp_networks.mac, " ".join(own), res))
    return sorted(out)


def ra_options(p):
    """Port_Binding options for periodic router advertisements
    (ipv6_ra_configs:send_periodic=true), read by ovn-controller."""
    cfg = dict(getattr(p.row, "ipv6_ra_configs", {}) or {})
    if cfg.get("send_periodic") != "true":
        return {}
    nets = p.lrp_networks
    try:
        max_i = int(cfg.get("max_interval", 600))
        min_i = int(cfg.get("min_interval", max_i // 3))
    except ValueError:
        return {}
    out = {"ipv6_ra_send_periodic": "true",
           "ipv6_ra_max_interval": str(max_i),
           "ipv6_ra_min_interval": str(min_i),
           "ipv6_ra_address_mode": cfg.get("address_mode", "slaac"),
           "ipv6_ra_prefixes": " ".join(ip.network_str for ip in nets.ipv6[:-1]),
           "ipv6_ra_prf": cfg.get("router_preference", "MEDIUM").upper(),
           "ipv6_ra_src_addr": str(nets.ipv6[-1].addr),
           "ipv6_ra_src_eth": nets.mac}
    if cfg.get("mtu"):
        out["ipv6_ra_mtu"] = cfg["mtu"]
    return out


def ref_chassis(router, view):
    """Chassis with ports bound in the logical network of ROUTER (the
    switches and routers reachable through patch ports): ovn-controller
    runs BFD from them to the gateway chassis to pick the active one."""
    seen = {router}
    todo = [router]
    found = {}
    while todo:
        dp = todo.pop()
        for p in dp.ports:
            ch = getattr(view, "port_chassis", {}).get(p.name)
            if ch is not None and p.kind == "lsp" and p.type not in ("router", "localnet"):
                found[ch.name] = ch
            peer = p.peer
            if peer is not None and peer.dp not in seen:
                seen.add(peer.dp)
                todo.append(peer.dp)
    return [found[k] for k in sorted(found)]
