"""Builders for the SB core: SB_Global options, Datapath_Binding,
Port_Binding, Multicast_Group, Address_Set, Port_Group, RBAC.

Pure functions: (model, a view of the current SB keys, problems) -> rows
added to a sync.Desired.  Nothing here touches a database.
"""

import random

from pyovn.northd import keys as tk
from pyovn.northd.model import opt
from pyovn.northd import sync
from pyovn.northd.sync import Ref
from pyovn.openflow import layout

NORTHD_INTERNAL_VERSION = "23.03.1-20.27.0-70.6"


class SbView:
    """What the builders need to know about the current SB: keys already
    handed out (so they stay stable) and whether VXLAN is in use."""

    def __init__(self, dp_keys=None, port_keys=None, vxlan=False,
                 chassis_names=None, options=None):
        self.dp_keys = dp_keys or {}            # nb uuid -> key
        self.port_keys = port_keys or {}        # port name -> (dp nb uuid, key)
        self.vxlan = vxlan
        self.chassis = chassis_names or {}      # name or hostname -> Chassis row
        self.options = options or {}
        self.svc_status = {}                    # Service_Monitor key -> status
        self.port_chassis = {}                  # port name -> Chassis row (bound)

    @classmethod
    def from_sb(cls, sb):
        from pyovn.northd.sync import dp_nb_uuid
        dp_by_uuid = {}
        dp_keys = {}
        for row in sb.rows("Datapath_Binding"):
            nb = dp_nb_uuid(row)
            if nb:
                dp_keys[nb] = row.tunnel_key
                dp_by_uuid[str(row.uuid)] = nb
        port_keys = {}
        port_chassis = {}
        for row in sb.rows("Port_Binding"):
            nb = dp_by_uuid.get(str(row.datapath.uuid)) if row.datapath else None
            port_keys[row.logical_port] = (nb, row.tunnel_key)
            if row.chassis:
                port_chassis[row.logical_port] = row.chassis[0]
        vxlan = False
        chassis = {}
        for ch in sb.rows("Chassis"):
            chassis[ch.name] = ch
            if ch.hostname:
                chassis.setdefault(ch.hostname, ch)
            for enc in ch.encaps:
                if enc.type == "vxlan":
                    vxlan = True
        sbg = sb.rows("SB_Global")
        options = dict(sbg[0].options) if sbg else {}
        view = cls(dp_keys, port_keys, vxlan, chassis, options)
        view.port_chassis = port_chassis
        for sm in sb.rows("Service_Monitor"):
            status = sm.status[0] if sm.status else None
            view.svc_status[(sm.ip, sm.port, sm.protocol[0] if sm.protocol else "tcp",
                             sm.logical_port)] = status
        return view


def random_mac_prefix():
    b = [random.randint(0, 255) for _ in range(3)]
    b[0] &= 0xfe                      # unicast
    b[0] |= 0x02                      # locally administered
    return "%02x:%02x:%02x" % tuple(b)


def random_mac():
    b = [random.randint(0, 255) for _ in range(6)]
    b[0] = (b[0] & 0xfe) | 0x02
    return ":".join("%02x" % x for x in b)


def nb_global_options(model, view):
    """The NB_Global options northd maintains itself (mac_prefix and
    svc_monitor_mac are generated once and then kept).  Returns the full
    desired options map."""
    opts = dict(model.options)
    if not opts.get("mac_prefix") or opts.get("mac_prefix") == "00:00:00":
        opts["mac_prefix"] = view.options.get("mac_prefix") or random_mac_prefix()
    if not opts.get("svc_monitor_mac"):
        opts["svc_monitor_mac"] = view.options.get("svc_monitor_mac") or random_mac()
    opts["max_tunid"] = str(tk.MAX_DP_VXLAN_KEY if view.vxlan else tk.MAX_DP_KEY_LOCAL)
    opts["northd_internal_version"] = NORTHD_INTERNAL_VERSION
    return opts


def assign_keys(model, view, problems):
    """Gives every datapath and port its tunnel key (stable across runs)."""
    hi = tk.MAX_DP_VXLAN_KEY if view.vxlan else tk.MAX_DP_KEY_LOCAL
    alloc = tk.KeyAllocator(1, hi, "datapath")
    pending = []
    # Requested keys first, then keys already in the SB, then new ones.
    for dp in model.datapaths:
        conf = dp.other_config if dp.kind == "ls" else dp.options
        req = tk.parse_key(conf.get("requested-tnl-key"))
        if req is not None:
            if alloc.reserve(req):
                dp.key = req
                continue
            table = "Logical_Switch" if dp.kind == "ls" else "Logical_Router"
            problems.report(table, dp.uuid, "requested-tnl-key",
                            "requested tunnel key %d is out of range 1..%d or in use"
                            % (req, hi))
    for dp in model.datapaths:
        if dp.key is None and alloc.reserve(view.dp_keys.get(dp.uuid)):
            dp.key = view.dp_keys[dp.uuid]
    for dp in model.datapaths:
        if dp.key is None:
            pending.append(dp)
    for dp in pending:
        try:
            dp.key = alloc.allocate()
        except tk.KeyExhausted as e:
            table = "Logical_Switch" if dp.kind == "ls" else "Logical_Router"
            problems.report(table, dp.uuid, "tunnel_key",
                            "%s; datapath '%s' not created" % (e, dp.display_name),
                            level="err")
    phi = tk.MAX_PORT_VXLAN_KEY if view.vxlan else tk.MAX_PORT_KEY
    for dp in model.datapaths:
        if dp.key is None:
            continue
        palloc = tk.KeyAllocator(1, phi, "port")
        ports = [p for p in dp.ports]
        if dp.kind == "lr":
            ports += getattr(dp, "cr_ports", [])
        for p in ports:
            req = tk.parse_key(p.options.get("requested-tnl-key"))
            if req is not None:
                if palloc.reserve(req):
                    p.key = req
                else:
                    problems.report("Logical_Switch_Port" if p.kind == "lsp"
                                    else "Logical_Router_Port", p.uuid,
                                    "options:requested-tnl-key",
                                    "requested tunnel key %d is out of range 1..%d "
                                    "or in use" % (req, phi))
        for p in ports:
            if p.key is None:
                old = view.port_keys.get(p.name)
                if old and old[0] == dp.uuid and palloc.reserve(old[1]):
                    p.key = old[1]
        for p in ports:
            if p.key is None:
                try:
                    p.key = palloc.allocate()
                except tk.KeyExhausted as e:
                    problems.report("Logical_Switch_Port" if p.kind == "lsp"
                                    else "Logical_Router_Port", p.uuid, "tunnel_key",
                                    "%s in datapath '%s'; port not bound"
                                    % (e, dp.display_name), level="err")


def build_datapaths(model, desired):
    for dp in model.datapaths:
        if dp.key is None:
            continue
        ids = {"logical-switch" if dp.kind == "ls" else "logical-router": dp.uuid}
        if dp.name:
            ids["name"] = dp.name
        name2 = dp.external_ids.get("neutron:network_name") if dp.kind == "ls" \
            else dp.external_ids.get("neutron:router_name")
        if name2:
            ids["name2"] = name2
        if dp.kind == "ls" and dp.other_config.get("interconn-ts"):
            ids["interconn-ts"] = dp.other_config["interconn-ts"]
        desired.add("Datapath_Binding", dp.uuid, tunnel_key=dp.key, external_ids=ids)


def dp_ref(dp):
    return Ref("Datapath_Binding", dp.uuid)


def build_port_bindings(model, view, desired, problems):
    for dp in model.datapaths:
        if dp.key is None:
            continue
        for p in dp.ports:
            if p.key is None:
                continue
            if p.kind == "lsp":
                cols = _lsp_binding(model, view, p, problems)
            else:
                cols = _lrp_binding(model, p)
            cols["logical_port"] = p.name
            # ovn-controller only reports "up" if northd initialized it.
            cols[sync.INSERT_ONLY] = {"up": [False]}
            cols["datapath"] = dp_ref(dp)
            cols["tunnel_key"] = p.key
            if p.kind == "lsp" and p.type == "external":
                cols["ha_chassis_group"] = _ha_group(view, desired, p)
            desired.add("Port_Binding", p.name, **cols)
        for cr in getattr(dp, "cr_ports", []):
            if cr.key is None:
                continue
            desired.add("Port_Binding", cr.name, logical_port=cr.name,
                        datapath=dp_ref(dp),
                        tunnel_key=cr.key, type="chassisredirect",
                        options={"distributed-port": cr.base.name},
                        mac=[_lrp_mac(cr.base)], external_ids={})


def _ha_group(view, desired, p):
    """The SB HA_Chassis_Group of an external port's NB ha_chassis_group
    (ovn-controller binds the port on its highest-priority live chassis)."""
    group = opt(p.row.ha_chassis_group)
    if group is None:
        return []
    refs = []
    for hc in sorted(group.ha_chassis, key=lambda h: (-h.priority, h.chassis_name)):
        ch = view.chassis.get(hc.chassis_name)
        refs.append(desired.add("HA_Chassis", (hc.chassis_name, hc.priority),
                                priority=hc.priority, chassis=[ch] if ch is not None else [],
                                external_ids={"chassis-name": hc.chassis_name}))
    desired.add("HA_Chassis_Group", group.name, name=group.name, ha_chassis=refs,
                external_ids={})
    return [Ref("HA_Chassis_Group", group.name)]


def _lrp_mac(p):
    return " ".join([p.mac] + sorted(p.networks))


def _lrp_binding(model, p):
    opts = {}
    if p.peer is not None:
        opts["peer"] = p.peer.name
    chassis = p.dp.options.get("chassis")
    ptype = "patch"
    if chassis:
        ptype = "l3gateway"
        opts["l3gateway-chassis"] = chassis
    ids = {}
    return dict(type=ptype, options=opts, mac=[_lrp_mac(p)], external_ids=ids,
                parent_port=[], tag=[], port_security=[], nat_addresses=[])


def _lsp_binding(model, view, p, problems):
    opts = {}
    ptype = p.type
    nat_addresses = []
    if p.type == "router":
        peer = p.peer
        if peer is not None and peer.dp.options.get("chassis"):
            ptype = "l3gateway"
            opts["l3gateway-chassis"] = peer.dp.options["chassis"]
        else:
            ptype = "patch"
        if peer is not None:
            opts["peer"] = peer.name
        nat = p.options.get("nat-addresses")
        if nat and nat != "router":
            nat_addresses = [nat]
        elif nat == "router" and peer is not None:
            nat_addresses = _router_nat_addresses(peer)
    else:
        opts = dict(p.options)
        if p.dp.other_config.get("vlan-passthru") == "true":
            opts["vlan-passthru"] = "true"
    cols = dict(type=ptype, options=opts, mac=list(p.addresses_raw),
                port_security=list(p.ps_raw), external_ids=dict(p.external_ids),
                nat_addresses=nat_addresses)
    if p.parent_name:
        cols["parent_port"] = [p.parent_name]
    else:
        cols["parent_port"] = []
    tag = p.tag
    if not tag and p.type == "localnet" and p.tag_request:
        tag = p.tag_request       # a localnet port's VLAN (as 23.03)
    cols["tag"] = [tag] if tag else []
    req = p.options.get("requested-chassis")
    req_ch = []
    if req and p.type in ("", "virtual", "external", "localport"):
        first = req.split(",")[0]
        ch = view.chassis.get(first)
        if ch is not None:
            req_ch = [ch]
    cols["requested_chassis"] = req_ch
    return cols


def _router_nat_addresses(lrp):
    r = lrp.dp
    ips = []
    for nat in sorted(r.row.nat, key=lambda n: n.external_ip):
        if nat.external_ip not in ips:
            ips.append(nat.external_ip)
    if not ips:
        return []
    text = " ".join([lrp.mac] + ips)
    cr = getattr(lrp, "cr_port", None)
    if cr is not None:
        text += ' is_chassis_resident("%s")' % cr.name
    return [text]


def build_multicast_groups(model, desired):
    """_MC_flood, _MC_flood_l2, _MC_unknown, _MC_mrouter_flood, _MC_static."""
    for dp in model.switches:
        if dp.key is None:
            continue
        groups = {layout.MC_FLOOD: [], layout.MC_FLOOD_L2: [], layout.MC_UNKNOWN: [],
                  layout.MC_MROUTER_FLOOD: [], layout.MC_STATIC: []}
        for p in dp.ports:
            if p.key is None or not p.enabled:
                continue
            ref = Ref("Port_Binding", p.name)
            groups[layout.MC_FLOOD].append(ref)
            if p.type != "router":
                groups[layout.MC_FLOOD_L2].append(ref)
            if p.has_unknown:
                groups[layout.MC_UNKNOWN].append(ref)
            if p.type == "router" and p.peer is not None and \
                    p.peer.dp.options.get("mcast_relay") == "true":
                groups[layout.MC_MROUTER_FLOOD].append(ref)
            if p.options.get("mcast_flood") == "true":
                groups[layout.MC_STATIC].append(ref)
        for (name, key), ports in groups.items():
            if not ports and (name, key) != layout.MC_FLOOD and \
                    (name, key) != layout.MC_FLOOD_L2:
                continue
            desired.add("Multicast_Group", (dp.uuid, name), datapath=dp_ref(dp),
                        name=name, tunnel_key=key, ports=ports)


    # Routers relaying multicast: _MC_static holds their ports with
    # options:mcast_flood=true.
    for dp in model.routers:
        if dp.key is None or dp.options.get("mcast_relay") != "true":
            continue
        ports = [Ref("Port_Binding", p.name) for p in dp.ports
                 if p.key is not None and p.options.get("mcast_flood") == "true"]
        if ports:
            name, key = layout.MC_STATIC
            desired.add("Multicast_Group", (dp.uuid, name), datapath=dp_ref(dp),
                        name=name, tunnel_key=key, ports=ports)


def port_group_addresses(model, pg):
    v4, v6 = [], []
    for lsp in pg.ports:
        p = model.ports.get(lsp.name)
        if p is None or p.kind != "lsp":
            continue
        for a in p.lsp_addrs:
            if p.type == "router":
                continue
            v4.extend(str(ip.addr) for ip in a.ipv4)
            v6.extend(str(ip.addr) for ip in a.ipv6)
    return sorted(set(v4)), sorted(set(v6))


def build_address_sets(model, desired, svc_monitor_mac):
    desired.add("Address_Set", "svc_monitor_mac", name="svc_monitor_mac",
                addresses=[svc_monitor_mac])
    for aset in model.address_sets:
        desired.add("Address_Set", aset.name, name=aset.name,
                    addresses=list(aset.addresses))
    for pg in model.port_groups:
        v4, v6 = port_group_addresses(model, pg)
        desired.add("Address_Set", pg.name + "_ip4", name=pg.name + "_ip4", addresses=v4)
        desired.add("Address_Set", pg.name + "_ip6", name=pg.name + "_ip6", addresses=v6)


def build_port_groups(model, desired):
    """SB Port_Group "<datapath key>_<name>" per switch the group spans."""
    for pg in model.port_groups:
        per_dp = {}
        for lsp in pg.ports:
            p = model.ports.get(lsp.name)
            if p is None or p.kind != "lsp" or p.dp.key is None:
                continue
            per_dp.setdefault(p.dp, []).append(p.name)
        for dp, names in per_dp.items():
            name = "%d_%s" % (dp.key, pg.name)
            desired.add("Port_Group", name, name=name, ports=sorted(names))


# ovn-architecture(7), "Role-Based Access Controls for the Southbound DB".
RBAC_PERMISSIONS = {
    "Chassis": (["name"], True, ["nb_cfg", "external_ids", "encaps",
                                 "vtep_logical_switches"]),
    "Encap": (["chassis_name"], True, ["type", "options", "ip"]),
    "Port_Binding": ([], False, ["chassis"]),
    "MAC_Binding": ([], True, ["logical_port", "ip", "mac", "datapath"]),
    "IGMP_Group": ([], True, ["address", "chassis", "datapath", "ports"]),
}


def build_rbac(desired):
    perms = {}
    for table, (auth, insdel, update) in RBAC_PERMISSIONS.items():
        perms[table] = desired.add("RBAC_Permission", table, table=table,
                                   authorization=auth, insert_delete=insdel,
                                   update=update)
    desired.add("RBAC_Role", "ovn-controller", name="ovn-controller",
                permissions=perms)


def build_service_monitors(monitors, svc_monitor_mac, desired):
    """Service_Monitor rows for LB health checks; ovn-controller owns
    their status column."""
    for (ip, port, proto, lport), (src, options) in sorted(monitors.items()):
        desired.add("Service_Monitor", (ip, port, proto, lport), ip=ip, port=port,
                    protocol=[proto], logical_port=lport, src_ip=src,
                    src_mac=svc_monitor_mac, options=options, external_ids={})
