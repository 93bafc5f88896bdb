"""What the emulator should build for one Physical_Switch, computed from
the hardware_vtep database alone (pure: no I/O, no OVS).

For every logical switch bound to a port of the switch there is one
LsPlan: its OVS bridge, its physical bindings, its tunnel ports and the
forwarding decisions (remote unicast MACs, the BUM targets per level).

Tunnel ports are identified by (remote IP, VNI).  The VNI of a locator is
its own tunnel_key when it has one (the key-per-tunnel model and relay
tunnels), else the logical switch's tunnel_key.  Its level is
tunnel_level, empty meaning level0.
"""

LEVEL0 = "level0"
LEVEL1 = "level1"
UNKNOWN_DST = "unknown-dst"


class TunnelPlan:
    def __init__(self, ip, key, level):
        self.ip = ip
        self.key = key
        self.level = level
        self.service_node = False     # in unknown-dst of a service_node LS
        self.locator = None           # a Physical_Locator row for it

    @property
    def ident(self):
        return (self.ip, self.key)

    def __repr__(self):
        return "<Tunnel %s key %s %s>" % (self.ip, self.key, self.level)


class LsPlan:
    def __init__(self, name, uuid, key, mode, bridge):
        self.name = name
        self.uuid = uuid
        self.key = key                 # LS tunnel_key or None
        self.mode = mode               # "service_node" or "source_node"
        self.bridge = bridge
        self.bindings = []             # (physical port name, vlan)
        self.tunnels = {}              # (ip, key) -> TunnelPlan
        self.ucast_remote = {}         # MAC -> (ip, key)
        self.mcast_remote = {}         # MAC -> [(ip, key)] (not unknown-dst)
        self.unknown_dst = []          # [(ip, key)] of Mcast_Macs_Remote
        self.relays = []               # [(ip, key)] level1 tunnels

    def level0_flood(self, healthy=lambda ident: True):
        """The level0 tunnels BUM goes to: all unknown-dst level0 locators
        (source_node) or one of them (service_node: the first healthy one
        in address order, or the first if none is known healthy)."""
        level0 = sorted(i for i in self.unknown_dst
                        if self.tunnels[i].level == LEVEL0)
        if self.mode == "source_node" or not level0:
            return level0
        for ident in level0:
            if healthy(ident):
                return [ident]
        return level0[:1]


def ls_bridge_name(ps_name, ls_name):
    return "%s_%s" % (ps_name, ls_name)


def patch_names(ps_name, port, vlan):
    """(PS-side, LS-side) names of the patch pair of binding PORT/VLAN."""
    base = "%s.%s.%d" % (ps_name, port, vlan)
    return base + "-p", base + "-l"


def tunnel_port_name(ps_name, ip, key):
    return "%s.vx.%s.%d" % (ps_name, ip, key)


def _locator(row, ls_key):
    key = row.tunnel_key[0] if row.tunnel_key else ls_key
    level = row.tunnel_level[0] if row.tunnel_level else LEVEL0
    return row.dst_ip, key, level


def compute(db, ps_name, tunnel_ip, warn=lambda msg: None):
    """Returns {ls name: LsPlan} for the Physical_Switch PS_NAME of the
    hardware_vtep replica DB (a pyovn.db.idl.Database).  TUNNEL_IP is the
    switch's own tunnel address (locators pointing at it are not tunnels).
    WARN(msg) is called for configuration that cannot be honoured."""
    ps = db.find_one("Physical_Switch", name=ps_name)
    if ps is None:
        return {}
    plans = {}
    for port in sorted(ps.ports, key=lambda p: p.name):
        for vlan, ls in sorted(port.vlan_bindings.items()):
            if ls is None:
                continue
            plan = plans.get(ls.name)
            if plan is None:
                plan = plans[ls.name] = LsPlan(
                    ls.name, ls.uuid,
                    ls.tunnel_key[0] if ls.tunnel_key else None,
                    ls.replication_mode[0] if ls.replication_mode
                    else "service_node",
                    ls_bridge_name(ps_name, ls.name))
            plan.bindings.append((port.name, vlan))
    by_uuid = {p.uuid: p for p in plans.values()}
    owner = {}                       # (ip, key) -> LS name, across the PS

    def tunnel(plan, loc_row):
        ip, key, level = _locator(loc_row, plan.key)
        if ip == tunnel_ip:
            return None
        if key is None:
            warn("logical switch %s: locator %s has no tunnel key and the "
                 "switch has none either; ignored" % (plan.name, ip))
            return None
        ident = (ip, key)
        other = owner.setdefault(ident, plan.name)
        if other != plan.name:
            warn("logical switch %s: tunnel to %s with key %d is already "
                 "used by logical switch %s; ignored" % (plan.name, ip, key,
                                                         other))
            return None
        t = plan.tunnels.get(ident)
        if t is None:
            t = plan.tunnels[ident] = TunnelPlan(ip, key, level)
            t.locator = loc_row
        elif t.level != level:
            if LEVEL1 in (t.level, level):
                warn("logical switch %s: tunnel to %s key %d is both level0 "
                     "and level1; treated as level1" % (plan.name, ip, key))
                t.level = LEVEL1
        return ident

    def ordered(table):
        # Deterministic: when two switches claim one tunnel, the first
        # by name keeps it.
        return sorted(db.rows(table), key=lambda r: (
            r.logical_switch.name if r.logical_switch else "", r.MAC))

    for row in ordered("Ucast_Macs_Remote"):
        plan = by_uuid.get(row.logical_switch.uuid) if row.logical_switch \
            else None
        if plan is None or row.locator is None:
            continue
        ident = tunnel(plan, row.locator)
        if ident:
            plan.ucast_remote[row.MAC.lower()] = ident
    for row in ordered("Mcast_Macs_Remote"):
        plan = by_uuid.get(row.logical_switch.uuid) if row.logical_switch \
            else None
        if plan is None or row.locator_set is None:
            continue
        idents = [i for i in (tunnel(plan, l) for l in
                              row.locator_set.locators) if i]
        if row.MAC == UNKNOWN_DST:
            plan.unknown_dst = sorted(set(plan.unknown_dst) | set(idents))
        else:
            plan.mcast_remote[row.MAC.lower()] = sorted(set(idents))
    for plan in plans.values():
        plan.relays = sorted(i for i, t in plan.tunnels.items()
                             if t.level == LEVEL1)
        if plan.mode == "service_node":
            for i in plan.unknown_dst:
                if plan.tunnels[i].level == LEVEL0:
                    plan.tunnels[i].service_node = True
    return plans
