"""A read-only snapshot of the southbound database, shaped for tracing.

    view = SbView.connect("unix:/run/ovn/ovnsb_db.sock")
    view.datapath("sw0")          -> Datapath (by NB name, name2, NB UUID
                                     or SB Datapath_Binding UUID)
    view.port("sw0-port1")        -> Port
    view.flows(dp, "ingress", 3)  -> [Flow] highest priority first

Logical flows that belong to a Logical_DP_Group are listed under every
datapath of the group.  Everything else the tracer asks for (MAC bindings,
FDB entries, port security, address sets, port groups, chassis) is
answered here from the same snapshot, so a trace is one consistent view.
"""

import ipaddress
import re
from dataclasses import dataclass, field

from pyovn.db.idl import Database

TABLES = ("Logical_Flow", "Logical_DP_Group", "Datapath_Binding", "Port_Binding",
          "Multicast_Group", "MAC_Binding", "FDB", "Address_Set", "Port_Group",
          "Chassis", "Encap", "Chassis_Template_Var", "Gateway_Chassis",
          "HA_Chassis_Group", "HA_Chassis")


def _opt(v):
    """python-ovs gives optional columns as a list of 0 or 1 element."""
    if isinstance(v, list):
        return v[0] if v else None
    return v


@dataclass
class Datapath:
    uuid: str
    key: int
    name: str
    name2: str = ""
    nb_uuid: str = ""
    is_router: bool = False
    ports: dict = field(default_factory=dict)        # name -> Port
    mcgroups: dict = field(default_factory=dict)     # name -> Multicast group
    is_gateway_router: bool = False

    def display(self, friendly=True):
        """As ovn-trace names a datapath: name2 or name (a trailing UUID
        cut to 6 digits), or the NB UUID with --no-friendly-names."""
        if not friendly:
            return self.nb_uuid or self.uuid
        return shorten_uuid(self.name2 or self.name)


@dataclass
class Port:
    name: str
    key: int
    dp: Datapath
    type: str = ""
    peer: str = ""
    chassis: str = ""               # Chassis name it is bound to ("" if none)
    mac: list = field(default_factory=list)
    port_security: list = field(default_factory=list)
    friendly: str = ""
    options: dict = field(default_factory=dict)
    uuid: str = ""

    def display(self, friendly=True):
        """external_ids:name or the name (a trailing UUID cut to 6 digits);
        the name itself with --no-friendly-names."""
        return shorten_uuid(self.friendly or self.name) if friendly else self.name


@dataclass
class McGroup:
    name: str
    key: int
    dp: Datapath
    ports: list = field(default_factory=list)       # [port name]


@dataclass
class Flow:
    uuid: str
    pipeline: str
    table: int
    priority: int
    match: str
    actions: str
    stage: str = ""
    source: str = ""
    stage_hint: str = ""

    @property
    def cookie(self):
        return int(self.uuid.replace("-", "")[:8], 16)


class SbView:
    def __init__(self):
        self.datapaths = {}          # SB uuid -> Datapath
        self.by_key = {}             # tunnel key -> Datapath
        self.ports = {}              # name -> Port
        self.flows = {}              # (dp uuid, pipeline, table) -> [Flow]
        self.all_flows = {}          # uuid -> (Flow, [Datapath])
        self.mac_bindings = {}       # (port, ip text) -> mac text
        self.fdb = {}                # (dp key, mac int) -> port key
        self.address_sets = {}
        self.port_groups = {}
        self.chassis = {}            # name -> {"hostname", "encaps"}
        self.templates = {}          # chassis name -> {var: value}

    # -- loading ----------------------------------------------------------------
    @classmethod
    def connect(cls, remote, timeout=10.0):
        check_remote(remote)
        db = Database(remote, "sb", tables={t: None for t in TABLES})
        try:
            db.sync(timeout)
            return cls.from_db(db)
        finally:
            db.close()

    @classmethod
    def from_db(cls, db):
        v = cls()
        v._load(db)
        return v

    def _load(self, db):
        chassis_by_uuid = {}
        for ch in db.rows("Chassis"):
            encaps = [(e.type, e.ip) for e in ch.encaps]
            self.chassis[ch.name] = {"hostname": ch.hostname, "encaps": encaps}
            chassis_by_uuid[ch.uuid] = ch.name
        for dpb in db.rows("Datapath_Binding"):
            ext = dict(dpb.external_ids)
            is_router = "logical-router" in ext
            dp = Datapath(str(dpb.uuid), dpb.tunnel_key,
                          ext.get("name", str(dpb.uuid)), ext.get("name2", ""),
                          ext.get("logical-router") or ext.get("logical-switch", ""),
                          is_router)
            self.datapaths[dp.uuid] = dp
            self.by_key[dp.key] = dp
        for pb in db.rows("Port_Binding"):
            dp = self.datapaths.get(str(_opt(pb.datapath).uuid)) if _opt(pb.datapath) else None
            if dp is None:
                continue
            ch = _opt(pb.chassis)
            opts = dict(pb.options)
            port = Port(pb.logical_port, pb.tunnel_key, dp, pb.type,
                        opts.get("peer", ""), ch.name if ch is not None else "",
                        list(pb.mac), list(pb.port_security),
                        dict(pb.external_ids).get("name", ""), opts, str(pb.uuid))
            if pb.type == "l3gateway":
                dp.is_gateway_router = True
                if not port.chassis:
                    port.chassis = opts.get("l3gateway-chassis", "")
            elif pb.type == "chassisredirect" and not port.chassis:
                # Not claimed yet: the configured gateway of highest priority.
                port.chassis = _configured_gateway(pb)
            self.ports[port.name] = port
            dp.ports[port.name] = port
        for mg in db.rows("Multicast_Group"):
            dp = _opt(mg.datapath)
            dp = self.datapaths.get(str(dp.uuid)) if dp is not None else None
            if dp is None:
                continue
            dp.mcgroups[mg.name] = McGroup(
                mg.name, mg.tunnel_key, dp,
                # By name: the order ovn-trace visits them in.
                sorted(p.logical_port for p in mg.ports))
        groups = {str(g.uuid): [self.datapaths[str(d.uuid)] for d in g.datapaths
                                if str(d.uuid) in self.datapaths]
                  for g in db.rows("Logical_DP_Group")}
        for lf in db.rows("Logical_Flow"):
            ext = dict(lf.external_ids)
            fl = Flow(str(lf.uuid), lf.pipeline, lf.table_id, lf.priority,
                      lf.match, lf.actions, ext.get("stage-name", ""),
                      ext.get("source", ""), ext.get("stage-hint", ""))
            dps = []
            one = _opt(lf.logical_datapath)
            if one is not None and str(one.uuid) in self.datapaths:
                dps.append(self.datapaths[str(one.uuid)])
            grp = _opt(lf.logical_dp_group)
            if grp is not None:
                dps.extend(groups.get(str(grp.uuid), []))
            self.all_flows[fl.uuid] = (fl, dps)
            for dp in dps:
                self.flows.setdefault((dp.uuid, fl.pipeline, fl.table), []).append(fl)
        for lst in self.flows.values():
            # Highest priority first; overlapping flows of equal priority
            # are undefined in OpenFlow: take them in ovn-trace's order
            # (higher UUID first) so the two tools agree.
            lst.sort(key=lambda f: f.uuid, reverse=True)
            lst.sort(key=lambda f: -f.priority)
        for mb in db.rows("MAC_Binding"):
            self.mac_bindings[(mb.logical_port, _norm_ip(mb.ip))] = mb.mac
        for e in db.rows("FDB"):
            try:
                self.fdb[(e.dp_key, _mac_int(e.mac))] = e.port_key
            except ValueError:
                continue
        for a in db.rows("Address_Set"):
            self.address_sets[a.name] = sorted(a.addresses)
        for g in db.rows("Port_Group"):
            self.port_groups[g.name] = sorted(g.ports)
        for t in db.rows("Chassis_Template_Var"):
            self.templates[t.chassis] = dict(t.variables)

    # -- lookups ------------------------------------------------------------------
    def datapath(self, name):
        """Datapath by NB name, name2, NB UUID or SB UUID; None if unknown;
        raises ValueError if a name is ambiguous."""
        found = [dp for dp in self.datapaths.values()
                 if name in (dp.uuid, dp.nb_uuid, dp.name, dp.name2)]
        if len(found) > 1:
            exact = [dp for dp in found if name in (dp.uuid, dp.nb_uuid)]
            if len(exact) == 1:
                return exact[0]
            raise ValueError("%s: ambiguous datapath name" % name)
        return found[0] if found else None

    def port(self, name):
        return self.ports.get(name)

    def find_port(self, name):
        """A port by logical_port, by external_ids:name, or by a prefix
        (4+ hex digits) of its Port_Binding UUID or of a UUID name, as
        ovn-trace accepts them.  None if unknown; ValueError if several
        match."""
        if name in self.ports:
            return self.ports[name]
        found = [p for p in self.ports.values() if p.friendly and p.friendly == name]
        if not found and _UUID_PREFIX.match(name) and len(name.replace("-", "")) >= 4:
            found = [p for p in self.ports.values()
                     if p.uuid.startswith(name) or p.name.startswith(name)
                     and _UUID_RE.match(p.name)]
        if len(found) > 1:
            raise ValueError('name "%s" matches several ports: %s'
                             % (name, ", ".join(sorted(p.name for p in found))))
        return found[0] if found else None

    def table(self, dp, pipeline, table):
        return self.flows.get((dp.uuid, pipeline, table), [])

    def n_tables(self, dp, pipeline):
        keys = [t for (u, p, t) in self.flows if u == dp.uuid and p == pipeline]
        return max(keys) + 1 if keys else 0

    def flow_by_cookie(self, cookie):
        """[(Flow, [Datapath])] whose UUID starts with the 32-bit COOKIE."""
        prefix = "%08x" % (cookie & 0xffffffff)
        return [v for u, v in self.all_flows.items() if u.startswith(prefix)]

    def port_keys(self, dp):
        """Port and multicast group name -> tunnel key, for DP's flows."""
        keys = {n: p.key for n, p in dp.ports.items()}
        keys.update({n: g.key for n, g in dp.mcgroups.items()})
        return keys

    def mac_binding(self, port, ip):
        return self.mac_bindings.get((port, _norm_ip(ip)))

    def port_by_key(self, dp, key):
        for p in dp.ports.values():
            if p.key == key:
                return p
        return None

    def chassis_name(self, name):
        info = self.chassis.get(name)
        return info["hostname"] if info and info["hostname"] else name


def check_remote(remote):
    """Fails at once (OSError) for a unix: remote whose socket does not
    exist, instead of waiting for the connection to time out."""
    import os
    paths = [r.strip()[5:] for r in remote.split(",") if r.strip().startswith("unix:")]
    if paths and len(paths) == len(remote.split(",")) and \
            not any(os.path.exists(p) for p in paths):
        raise OSError("%s: no such socket (is the database running?)" % paths[0])


def _configured_gateway(pb):
    """Chassis name of PB's highest-priority Gateway_Chassis or HA_Chassis."""
    best = None
    for gc in getattr(pb, "gateway_chassis", []) or []:
        if best is None or gc.priority > best[0]:
            best = (gc.priority, gc.chassis_name)
    group = _opt(getattr(pb, "ha_chassis_group", None))
    if group is not None:
        for hc in group.ha_chassis:
            ch = _opt(hc.chassis)
            if ch is not None and (best is None or hc.priority > best[0]):
                best = (hc.priority, ch.name)
    return best[1] if best else ""


_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_UUID_PREFIX = re.compile(r"^[0-9a-f-]+$")
_TRAILING_UUID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def shorten_uuid(name):
    """NAME with a trailing UUID cut to its first 6 digits (OpenStack names
    like "neutron-5f1c...")."""
    m = _TRAILING_UUID.search(name)
    return name[:m.start() + 6] if m else name


def _norm_ip(text):
    try:
        return str(ipaddress.ip_address(str(text)))
    except ValueError:
        return str(text)


def _mac_int(text):
    parts = str(text).split(":")
    if len(parts) != 6:
        raise ValueError(text)
    return int("".join("%02x" % int(p, 16) for p in parts), 16)


def mac_text(value):
    return ":".join("%02x" % ((value >> (8 * i)) & 0xff) for i in range(5, -1, -1))


def ip_text(value, v6=False):
    return str(ipaddress.IPv6Address(value) if v6 else ipaddress.IPv4Address(value))
