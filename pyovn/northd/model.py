"""Model objects northd computes from the northbound database: logical
datapaths (switches and routers) and their ports, with addresses parsed and
cross references (router port peers) resolved.  Builders take these, never
IDL rows of the SB; they read NB rows only through these objects.

build(nb, problems) -> Model.  NB is anything with rows(table) returning
row objects whose attributes are the columns (python-ovs Row objects, or
the plain objects tests make).
"""

from pyovn.northd import addresses as addr


def opt(value, default=None):
    """An optional OVSDB column (a list of 0 or 1 values) as a value."""
    if isinstance(value, list):
        return value[0] if value else default
    return value if value is not None else default


class Snapshot:
    """The columns of an NB row read once (python-ovs converts a column on
    every attribute access).  Keeps .uuid and .row."""

    def __init__(self, row, columns):
        self.row = row
        self.uuid = row.uuid
        for c in columns:
            setattr(self, c, getattr(row, c))


ACL_COLUMNS = ("direction", "priority", "match", "action", "log", "name", "severity",
               "meter", "label", "options")

def acl_view(row):
    return Snapshot(row, ACL_COLUMNS)


def uuid_of(row):
    return str(row.uuid)


def as_bool(text, default=False):
    if text is None:
        return default
    return str(text).lower() == "true"


class Port:
    """A logical switch port (nbsp) or a logical router port (nbrp)."""

    def __init__(self, dp, row, kind):
        self.dp = dp
        self.row = row
        self.kind = kind                 # "lsp" or "lrp"
        self.name = row.name
        self.uuid = uuid_of(row)
        self.key = None                  # tunnel key, assigned later
        self.peer = None                 # Port across a patch
        self.options = dict(row.options)
        self.external_ids = dict(row.external_ids)
        if kind == "lsp":
            self.type = row.type or ""
            self.enabled = opt(row.enabled, True) is not False
            self.addresses_raw = list(row.addresses)
            self.ps_raw = list(row.port_security)
            self.tag = opt(row.tag)
            self.tag_request = opt(row.tag_request)
            self.parent_name = opt(row.parent_name)
            self.dynamic_addresses = opt(row.dynamic_addresses)
            self.up = opt(row.up)
            self.dhcpv4 = opt(row.dhcpv4_options)
            self.dhcpv6 = opt(row.dhcpv6_options)
        else:
            self.type = "router"
            self.enabled = opt(row.enabled, True) is not False
            self.mac = row.mac
            self.networks = list(row.networks)
        self.dynamic_request = None  # words of a "dynamic" addresses entry
        self.new_dynamic_addresses = None   # what IPAM assigned (written to NB)
        self.lsp_addrs = []          # LportAddresses of "MAC IP..." entries
        self.ps_addrs = []           # LportAddresses of port_security
        self.has_unknown = False
        self.is_router_addr = False  # addresses contains "router"
        self.lrp_networks = None     # LportAddresses for router ports

    def __repr__(self):
        return "<Port %s %s>" % (self.kind, self.name)

    @property
    def is_vif(self):
        return self.kind == "lsp" and self.type in ("", "virtual")

    @property
    def is_enabled(self):
        return self.enabled


class Datapath:
    def __init__(self, row, kind):
        self.row = row
        self.kind = kind                 # "ls" or "lr"
        self.uuid = uuid_of(row)
        self.name = row.name
        self.key = None
        self.ports = []
        self.other_config = dict(getattr(row, "other_config", {}) or {})
        self.options = dict(getattr(row, "options", {}) or {})
        self.external_ids = dict(row.external_ids)
        self.acls = []
        self.lbs = []
        self.qos = []
        self.dns = []
        self.fwd_groups = []
        self.router_ports = []           # switch ports of type router
        self.localnet_ports = []
        self.vtep_ports = []
        self.has_unknown = False
        self.has_stateful_acl = False
        self.has_acls = False
        self.has_lb_vip = False
        self.port_groups = []
        self.pg_acls = {}                # port group uuid -> ACL Snapshots

    def __repr__(self):
        return "<Datapath %s %s>" % (self.kind, self.name)

    @property
    def display_name(self):
        return self.name or self.uuid


class Model:
    def __init__(self):
        self.switches = []
        self.routers = []
        self.ports = {}                  # name -> Port (both kinds)
        self.nb_global = None
        self.options = {}
        self.port_groups = []
        self.pg_acls = {}                # port group uuid -> ACL Snapshots
        self.address_sets = []
        self.lbs = {}
        self.meters = {}

    @property
    def datapaths(self):
        return self.switches + self.routers


def _sorted(rows):
    return sorted(rows, key=lambda r: (getattr(r, "name", "") or "", str(r.uuid)))


def build(nb, problems):
    m = Model()
    globals_ = nb.rows("NB_Global")
    m.nb_global = globals_[0] if globals_ else None
    m.options = dict(m.nb_global.options) if m.nb_global else {}
    for meter in nb.rows("Meter"):
        m.meters[meter.name] = meter

    for ls in _sorted(nb.rows("Logical_Switch")):
        dp = Datapath(ls, "ls")
        m.switches.append(dp)
        for row in sorted(ls.ports, key=lambda r: r.name):
            _add_port(m, dp, row, "lsp", problems)
        dp.acls = [acl_view(a) for a in ls.acls]
        dp.qos = list(ls.qos_rules)
        dp.dns = list(ls.dns_records)
        dp.fwd_groups = list(getattr(ls, "forwarding_groups", []))
        dp.lbs = list(ls.load_balancer)
        for grp in getattr(ls, "load_balancer_group", []):
            dp.lbs.extend(grp.load_balancer)
    for lr in _sorted(nb.rows("Logical_Router")):
        if opt(lr.enabled, True) is False:
            continue
        dp = Datapath(lr, "lr")
        m.routers.append(dp)
        for row in sorted(lr.ports, key=lambda r: r.name):
            _add_port(m, dp, row, "lrp", problems)

    # Router ports first: switch ports of type router copy their networks.
    for p in sorted(m.ports.values(), key=lambda x: x.kind != "lrp"):
        _parse_port(m, p, problems)

    ls_by_port = {p.uuid: p.dp for p in m.ports.values() if p.kind == "lsp"}
    for pg in _sorted(nb.rows("Port_Group")):
        m.port_groups.append(pg)
        m.pg_acls[str(pg.uuid)] = [acl_view(a) for a in pg.acls]
        for lsp in pg.ports:
            dp = ls_by_port.get(str(lsp.uuid))
            if dp is not None and pg not in dp.port_groups:
                dp.port_groups.append(pg)
    m.address_sets = _sorted(nb.rows("Address_Set"))

    for dp in m.switches:
        for p in dp.ports:
            if p.type == "router":
                dp.router_ports.append(p)
            elif p.type == "localnet":
                dp.localnet_ports.append(p)
            elif p.type == "vtep":
                dp.vtep_ports.append(p)
            if p.has_unknown and p.type in ("", "virtual", "localnet", "l2gateway",
                                            "external", "vtep", "remote") \
                    and p.enabled:
                dp.has_unknown = True
        acls = list(dp.acls)
        for pg in dp.port_groups:
            acls.extend(m.pg_acls[str(pg.uuid)])
        dp.all_acls = acls
        dp.has_acls = bool(acls)
        dp.has_stateful_acl = any(a.action == "allow-related" for a in acls)
        dp.has_lb_vip = any(lb.vips for lb in dp.lbs)
    return m


def _add_port(m, dp, row, kind, problems):
    table = "Logical_Switch_Port" if kind == "lsp" else "Logical_Router_Port"
    if row.name in m.ports:
        other = m.ports[row.name]
        problems.report(table, row.uuid, "name",
                        "duplicate logical port name '%s' (also used by %s in %s); "
                        "port ignored" % (row.name, other.uuid, other.dp.display_name))
        return
    p = Port(dp, row, kind)
    m.ports[p.name] = p
    dp.ports.append(p)


def _parse_port(m, p, problems):
    if p.kind == "lrp":
        try:
            p.lrp_networks = addr.parse_router_networks(p.mac, p.networks)
        except addr.AddressError as e:
            problems.report("Logical_Router_Port", p.uuid, "mac/networks", str(e))
            p.lrp_networks = None
        peer_name = opt(p.row.peer)
        if peer_name:
            peer = m.ports.get(peer_name)
            if peer is not None and peer.kind == "lrp":
                p.peer = peer
        return
    table = "Logical_Switch_Port"
    entries = list(p.addresses_raw)
    for entry in entries:
        words = entry.split()
        if entry == "unknown":
            p.has_unknown = True
            continue
        if entry == "router":
            p.is_router_addr = True
            continue
        if not words:
            continue
        if words[0] == "dynamic" or (len(words) > 1 and words[1] == "dynamic"):
            # Resolved by ipam.assign() once every static address is known.
            if p.dynamic_request is None:
                p.dynamic_request = words
            continue
        errs = []
        try:
            p.lsp_addrs.append(addr.parse_lport_addresses(entry, errors=errs))
            for e in errs:
                problems.report(table, p.uuid, "addresses",
                                "entry '%s': %s; rest of the entry ignored" % (entry, e))
        except addr.AddressError as e:
            problems.report(table, p.uuid, "addresses",
                            "bad entry '%s': %s; entry ignored" % (entry, e))
    for entry in p.ps_raw:
        try:
            p.ps_addrs.append(addr.parse_lport_addresses(entry, allow_prefix=True))
        except addr.AddressError as e:
            problems.report(table, p.uuid, "port_security",
                            "bad entry '%s': %s; entry ignored" % (entry, e))
    if p.type == "router":
        rp_name = p.options.get("router-port")
        peer = m.ports.get(rp_name) if rp_name else None
        if rp_name and (peer is None or peer.kind != "lrp"):
            problems.report(table, p.uuid, "options:router-port",
                            "router port '%s' does not exist" % rp_name)
        elif peer is not None:
            p.peer = peer
            peer.peer = p
            if p.is_router_addr and peer.lrp_networks:
                p.lsp_addrs.append(peer.lrp_networks)
