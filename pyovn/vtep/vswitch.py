"""The Open_vSwitch side of the emulator, through the IDL (no ovs-vsctl):
the logical switch bridges, their patch and tunnel ports, and the patch
ports on the Physical_Switch bridge.

Everything the emulator creates carries external_ids:pyovn-vtep=PS-NAME,
so several emulators can share one ovs-vswitchd and each one only ever
changes or removes its own rows.  Port numbers are requested
(Interface.ofport_request) so flows can name them before ovs-vswitchd
has created the ports.
"""

import ovs.vlog

vlog = ovs.vlog.Vlog("vtep_vswitch")

OWNER = "pyovn-vtep"
PS_PATCH_BASE = 30000     # ofports of our patch ports on the PS bridge

TABLES = {
    "Open_vSwitch": ["bridges"],
    "Bridge": ["name", "ports", "datapath_type", "fail_mode",
               "external_ids"],
    "Port": ["name", "interfaces", "external_ids"],
    "Interface": ["name", "type", "options", "ofport", "ofport_request",
                  "bfd", "bfd_status", "statistics", "external_ids"],
}


class PortSpec:
    def __init__(self, name, type_, options, bfd=None):
        self.name = name
        self.type = type_
        self.options = dict(options)
        self.bfd = dict(bfd or {})
        self.ofport = None        # requested port number


class BridgeSpec:
    def __init__(self, name, datapath_type):
        self.name = name
        self.datapath_type = datapath_type
        self.ports = {}           # name -> PortSpec


class VSwitch:
    def __init__(self, db, ps_name):
        self.db = db
        self.ps_name = ps_name

    # -- reading ---------------------------------------------------------------
    def bridge(self, name):
        return self.db.find_one("Bridge", name=name)

    def ps_bridge(self):
        return self.bridge(self.ps_name)

    def physical_ports(self):
        """{port name: Interface row} of the operator's ports on the PS
        bridge (not ours, not the bridge's own internal port)."""
        br = self.ps_bridge()
        out = {}
        if br is None:
            return out
        for port in br.ports:
            if port.external_ids.get(OWNER) or port.name == br.name:
                continue
            if port.interfaces:
                out[port.name] = port.interfaces[0]
        return out

    def owned_ports(self, bridge_row):
        return {p.name: p for p in bridge_row.ports
                if p.external_ids.get(OWNER) == self.ps_name}

    def interface(self, name):
        return self.db.find_one("Interface", name=name)

    def owned_bridges(self):
        return {b.name: b for b in self.db.rows("Bridge")
                if b.external_ids.get(OWNER) == self.ps_name}

    @staticmethod
    def ofport_of(iface):
        if iface is None:
            return None
        if iface.ofport and iface.ofport[0] > 0:
            return iface.ofport[0]
        return None

    def assign_ofports(self, bridge_specs, ps_patches):
        """Gives every port a stable requested number: the one it already
        has in the database, else the lowest free one."""
        def existing(name):
            iface = self.interface(name)
            if iface is not None and iface.ofport_request:
                return iface.ofport_request[0]
            return None

        for spec in bridge_specs.values():
            used = set()
            for p in spec.ports.values():
                p.ofport = existing(p.name)
                if p.ofport:
                    used.add(p.ofport)
            n = 1
            for name in sorted(spec.ports):
                p = spec.ports[name]
                if p.ofport is None:
                    while n in used:
                        n += 1
                    p.ofport = n
                    used.add(n)
        used = set()
        for p in ps_patches.values():
            p.ofport = existing(p.name)
            if p.ofport:
                used.add(p.ofport)
        n = PS_PATCH_BASE
        for name in sorted(ps_patches):
            p = ps_patches[name]
            if p.ofport is None:
                while n in used:
                    n += 1
                p.ofport = n
                used.add(n)

    # -- writing ---------------------------------------------------------------
    def reconcile(self, bridge_specs, ps_patches):
        """Makes the database hold exactly BRIDGE_SPECS (our logical switch
        bridges) and PS_PATCHES (our ports on the PS bridge).  Returns True
        if a transaction was committed."""
        if not self._differs(bridge_specs, ps_patches):
            return False

        def build(txn):
            ovs_row = self.db.rows("Open_vSwitch")[0]
            bridges = list(ovs_row.bridges)
            owned = self.owned_bridges()
            for name, row in owned.items():
                if name not in bridge_specs:
                    vlog.info("removing bridge %s" % name)
                    for port in row.ports:
                        for iface in port.interfaces:
                            iface.delete()
                        port.delete()
                    bridges = [b for b in bridges if b.uuid != row.uuid]
                    row.delete()
            for name, spec in bridge_specs.items():
                row = owned.get(name)
                if row is None:
                    vlog.info("creating bridge %s" % name)
                    row = txn.insert(self.db.tables["Bridge"])
                    row.name = name
                    row.external_ids = {OWNER: self.ps_name}
                    row.ports = []
                    bridges.append(row)
                    current = {}
                else:
                    current = self.owned_ports(row)
                row.datapath_type = spec.datapath_type
                row.fail_mode = ["secure"]
                self._sync_ports(txn, row, current, spec.ports,
                                 internal=name)
            ovs_row.bridges = bridges
            ps = self.ps_bridge()
            if ps is not None:
                self._sync_ports(txn, ps, self.owned_ports(ps), ps_patches)
            return True

        self.db.transact(build)
        return True

    def _sync_ports(self, txn, bridge_row, current, wanted, internal=None):
        ports = list(bridge_row.ports)
        for name, port in current.items():
            if name not in wanted and name != internal:
                for iface in port.interfaces:
                    iface.delete()
                ports = [p for p in ports if p.uuid != port.uuid]
                port.delete()
        names = {p.name for p in ports}
        if internal and internal not in names:
            port = txn.insert(self.db.tables["Port"])
            iface = txn.insert(self.db.tables["Interface"])
            iface.name = internal
            iface.type = "internal"
            port.name = internal
            port.interfaces = [iface]
            port.external_ids = {OWNER: self.ps_name}
            ports.append(port)
        for name, spec in wanted.items():
            port = current.get(name)
            if port is None:
                port = txn.insert(self.db.tables["Port"])
                iface = txn.insert(self.db.tables["Interface"])
                port.name = name
                port.interfaces = [iface]
                port.external_ids = {OWNER: self.ps_name}
                iface.name = name
                ports.append(port)
            else:
                iface = port.interfaces[0]
            if iface._data is None or not _iface_matches(iface, spec):
                iface.type = spec.type
                iface.options = spec.options
                iface.ofport_request = [spec.ofport]
                iface.bfd = spec.bfd
        bridge_row.ports = ports

    def _differs(self, bridge_specs, ps_patches):
        owned = self.owned_bridges()
        if set(owned) != set(bridge_specs):
            return True
        for name, spec in bridge_specs.items():
            row = owned[name]
            if row.datapath_type != spec.datapath_type or \
                    row.fail_mode != ["secure"]:
                return True
            if self._ports_differ(row, spec.ports, internal=name):
                return True
        ps = self.ps_bridge()
        if ps is not None and self._ports_differ(ps, ps_patches):
            return True
        return False

    def _ports_differ(self, bridge_row, wanted, internal=None):
        current = self.owned_ports(bridge_row)
        names = set(current)
        if internal:
            if internal not in {p.name for p in bridge_row.ports}:
                return True
            names.discard(internal)
        if names != set(wanted):
            return True
        for name, spec in wanted.items():
            port = current[name]
            if not port.interfaces or not _iface_matches(port.interfaces[0],
                                                          spec):
                return True
        return False


def _iface_matches(iface, spec):
    return (iface.type == spec.type and iface.options == spec.options
            and iface.ofport_request == [spec.ofport]
            and iface.bfd == spec.bfd)


def patch_port(name, peer):
    return PortSpec(name, "patch", {"peer": peer})


def tunnel_port(name, ip, key, bfd, extra_options=None):
    options = dict(extra_options or {})
    options.update({"remote_ip": ip, "key": str(key)})
    return PortSpec(name, "vxlan", options, bfd)
