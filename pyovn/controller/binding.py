"""Which logical ports live on this chassis (ovn-architecture(7), "Life
Cycle of a VIF", "Life Cycle of a Container Interface Inside a VM",
"Logical Routers and Logical Patch Ports"), and the datapaths reachable
from them.

`compute(sb, chassis_name, ifaces)` is a pure function of the southbound
replica and the local interfaces; it says what the chassis should claim
and release, and gives the physical and logical flow builders everything
they need (`LocalState`)."""

from dataclasses import dataclass, field

from pyovn.db.idl import value

VIF_TYPES = ("", "virtual")
KNOWN_TYPES = ("", "virtual", "patch", "localport", "localnet", "l2gateway",
               "l3gateway", "chassisredirect", "external", "vtep", "remote")


@dataclass
class Port:
    """What the flow builders need to know about one logical port."""
    name: str
    type: str
    key: int
    dp: object                 # Datapath_Binding row
    row: object = None
    ofport: int = None         # local OpenFlow port (VIF, CIF parent)
    tag: int = None            # CIF VLAN
    local: bool = False        # delivered on this chassis
    chassis: str = None        # chassis name when bound elsewhere
    peer: str = None           # patch / l3gateway peer port name
    network: str = None        # localnet / l2gateway network_name


@dataclass
class LocalState:
    chassis: str
    ports: dict = field(default_factory=dict)          # name -> Port
    local_dps: dict = field(default_factory=dict)      # uuid -> Datapath_Binding
    claims: dict = field(default_factory=dict)         # name -> "main"|"additional"
    resident: set = field(default_factory=set)         # is_chassis_resident() true
    related: set = field(default_factory=set)          # ports lflow tags may name
    vif_ifaces: dict = field(default_factory=dict)     # lport -> Interface row
    warnings: list = field(default_factory=list)

    def dp_ports(self, dp):
        return [p for p in self.ports.values() if p.dp == dp]


def requested_chassis(pb, sb):
    """The chassis names a port asks for, first = main: options
    requested-chassis (comma-separated names or hostnames) or the
    requested_chassis column."""
    names = [x.strip() for x in pb.options.get("requested-chassis", "").split(",")
             if x.strip()]
    if not names:
        rc = value(pb, "requested_chassis")
        if rc is not None:
            names = [rc.name]
    return names


def _me(name, chassis_name, hostname):
    return name in (chassis_name, hostname)


def active_gateway(pb, sb, alive=None):
    """Name of the chassis a chassisredirect or external port is bound to:
    the highest-priority Gateway_Chassis / HA_Chassis_Group member whose
    Chassis row exists and that ALIVE(name) says is up (BFD); when none is,
    the highest-priority one."""
    members = []
    for gc in pb.gateway_chassis:
        ch = value(gc, "chassis")
        if ch is not None:
            members.append((gc.priority, ch.name))
    grp = value(pb, "ha_chassis_group")
    if grp is not None:
        for hc in grp.ha_chassis:
            ch = value(hc, "chassis")
            if ch is not None:
                members.append((hc.priority, ch.name))
    if not members:
        return None
    members.sort(key=lambda m: (-m[0], m[1]))
    if alive is not None and len(members) > 1:
        for _, name in members:
            if alive(name):
                return name
    return members[0][1]


def bfd_targets(sb, chassis_name, local_dps=()):
    """Chassis this one must run BFD with: for every HA chassis group of
    two or more members, a member talks to the other members and to the
    group's ref_chassis; a chassis that uses the group (ref_chassis, or a
    local datapath has a port of the group) talks to the members."""
    out = set()
    used = set()
    for pb in sb.rows("Port_Binding"):
        g = value(pb, "ha_chassis_group")
        dp = value(pb, "datapath")
        if g is not None and dp is not None and dp.uuid in local_dps:
            used.add(g.uuid)
    for g in sb.rows("HA_Chassis_Group"):
        members = {value(h, "chassis").name for h in g.ha_chassis
                   if value(h, "chassis") is not None}
        if len(members) < 2:
            continue
        refs = {c.name for c in g.ref_chassis}
        if chassis_name in members:
            out |= members | refs
        elif chassis_name in refs or g.uuid in used:
            out |= members
    out.discard(chassis_name)
    return out


def compute(sb, chassis_name, ifaces, hostname=None, alive=None, self_alive=True):
    """IFACES: {iface-id: (Interface row, ofport)} for br-int's interfaces.
    ALIVE(chassis name): the BFD view of gateway liveness (None: all alive)."""
    st = LocalState(chassis=chassis_name)
    rows = sb.rows("Port_Binding")
    by_name = {pb.logical_port: pb for pb in rows}
    for pb in rows:
        dp = value(pb, "datapath")
        if dp is None:
            continue
        p = Port(pb.logical_port, pb.type, pb.tunnel_key, dp, pb)
        st.ports[p.name] = p
        if pb.type not in KNOWN_TYPES:
            st.warnings.append("port %s: unknown type %r, ignored"
                               % (p.name, pb.type))
            continue
        bound = value(pb, "chassis")
        if bound is not None and bound.name != chassis_name:
            p.chassis = bound.name
        t = pb.type
        if t == "virtual":
            # Bound where its current parent (virtual_parent, written by
            # pinctrl's bind_vport) is; delivered through the parent's port.
            vparent = value(pb, "virtual_parent")
            piface = ifaces.get(vparent) if vparent else None
            if piface is not None and piface[1]:
                p.ofport = piface[1]
                p.peer = vparent
                st.claims[p.name] = "main"
        elif t in VIF_TYPES:
            parent = value(pb, "parent_port")
            iface = ifaces.get(p.name)
            if parent:
                piface = ifaces.get(parent)
                tag = value(pb, "tag")
                if piface is not None and tag is not None and piface[1]:
                    p.ofport, p.tag = piface[1], tag
            elif iface is not None and iface[1]:
                p.ofport = iface[1]
                st.vif_ifaces[p.name] = iface[0]
            if p.ofport:
                req = requested_chassis(pb, sb)
                if not req or _me(req[0], chassis_name, hostname):
                    st.claims[p.name] = "main"
                elif any(_me(r, chassis_name, hostname) for r in req[1:]):
                    st.claims[p.name] = "additional"
                else:
                    p.ofport = None
                    st.warnings.append("port %s: requested chassis %s, not this one"
                                       % (p.name, ",".join(req)))
        elif t == "localport":
            iface = ifaces.get(p.name)
            if iface is not None and iface[1]:
                p.ofport = iface[1]
                st.vif_ifaces[p.name] = iface[0]
            p.local = True
            p.chassis = None
        elif t == "patch":
            p.local = True
            p.chassis = None
            p.peer = pb.options.get("peer")
        elif t == "l3gateway":
            p.peer = pb.options.get("peer")
            if pb.options.get("l3gateway-chassis") == chassis_name:
                st.claims[p.name] = "main"
            elif p.chassis is None:
                p.chassis = pb.options.get("l3gateway-chassis")
        elif t == "l2gateway":
            p.network = pb.options.get("network_name")
            if pb.options.get("l2gateway-chassis") == chassis_name:
                st.claims[p.name] = "main"
        elif t == "localnet":
            p.network = pb.options.get("network_name")
            p.tag = value(pb, "tag")
            p.local = True
            p.chassis = None
        elif t in ("chassisredirect", "external"):
            # This chassis counts itself out when it cannot forward (no
            # OpenFlow connection to its switch) or has lost every BFD
            # session: the next gateway takes over instead of both.
            active = active_gateway(
                pb, sb, (lambda n: self_alive if n == chassis_name else alive(n))
                if alive else None)
            if active == chassis_name:
                st.claims[p.name] = "main"
                p.chassis = None
            else:
                p.chassis = active
        if p.name in st.claims:
            p.local = True
            p.chassis = None
    # Datapaths: those of local ports, then across patch ports.
    seeds = [p for p in st.ports.values()
             if p.name in st.claims or (p.type == "localport" and p.ofport)]
    todo = [p.dp for p in seeds]
    by_dp = {}
    for pb in rows:
        d = value(pb, "datapath")
        if d is not None:
            by_dp.setdefault(d.uuid, []).append(pb)
    while todo:
        dp = todo.pop()
        if dp.uuid in st.local_dps:
            continue
        st.local_dps[dp.uuid] = dp
        for pb in by_dp.get(dp.uuid, ()):
            if pb.type in ("patch", "l3gateway") and (
                    pb.type == "patch" or pb.logical_port in st.claims):
                peer = by_name.get(pb.options.get("peer", ""))
                if peer is not None and value(peer, "datapath") is not None:
                    todo.append(value(peer, "datapath"))
    for p in st.ports.values():
        if p.local and (p.ofport or p.name in st.claims or p.type in ("patch", "localnet")):
            st.resident.add(p.name)
        if p.type or p.name in st.claims or p.ofport:
            st.related.add(p.name)
    # Patch and localnet ports exist everywhere but are not "resident"
    # in the is_chassis_resident() sense.
    st.resident -= {p.name for p in st.ports.values() if p.type in ("patch", "localnet")}
    return st


def bind_writes(sb, st, chassis_row):
    """[(Port_Binding, column, new value)] that make the SB agree with ST:
    claims of local ports, releases of ports no longer here."""
    out = []
    for pb in sb.rows("Port_Binding"):
        claim = st.claims.get(pb.logical_port)
        cur = value(pb, "chassis")
        add = list(pb.additional_chassis)
        if claim == "main" and cur != chassis_row:
            out.append((pb, "chassis", [chassis_row]))
        elif claim == "additional" and chassis_row not in add:
            out.append((pb, "additional_chassis", add + [chassis_row]))
        if claim != "main" and cur == chassis_row:
            out.append((pb, "chassis", []))
            out.append((pb, "up", [False]))
        if claim != "additional" and chassis_row in add:
            out.append((pb, "additional_chassis", [c for c in add if c != chassis_row]))
    return out
