"""What ovn-controller-vtep keeps true between OVN_Southbound and a
hardware_vtep database ("Life Cycle of a VTEP gateway" in
ovn-architecture(7)):

  1. every Physical_Switch is an SB Chassis (name = switch name,
     other_config:is-vtep=true) with a vxlan Encap on the switch's tunnel
     IP;
  2. Chassis.vtep_logical_switches lists the VTEP logical switches bound
     to a port of the switch;
  3. a Port_Binding of type "vtep" whose options name this switch
     (vtep-physical-switch) and a logical switch bound on it
     (vtep-logical-switch) is bound to the switch's Chassis;
  4. that VTEP Logical_Switch gets tunnel_key = the Datapath_Binding's
     tunnel_key;
  5. Ucast_Macs_Remote: every MAC of a port of that datapath bound on a
     hypervisor, at the hypervisor's vxlan locator;
  6. Mcast_Macs_Remote unknown-dst: every hypervisor (chassis with a vxlan
     encap that is not a VTEP gateway);
  7. one VTEP logical switch bound to two OVN datapaths: a warning, the
     first datapath (lowest tunnel key) wins;
  8. clean_all(): at exit, or for a switch no longer in the VTEP database,
     everything above is removed again.

Locators with their own tunnel_key or a tunnel_level (relay tunnels of
the explicit-tunnel-key extension) belong to whoever wrote them and are
left alone; the controller manages plain level0 locators only.

Rows this controller creates in the SB carry
external_ids:pyovn-controller-vtep=true.
"""

import ovs.vlog

vlog = ovs.vlog.Vlog("controller_vtep")

OWNER = "pyovn-controller-vtep"
ENCAP = "vxlan_over_ipv4"
UNKNOWN_DST = "unknown-dst"


def tunnel_ip(ps):
    return sorted(ps.tunnel_ips)[0] if ps.tunnel_ips else None


def bound_ls(ps):
    """Names of the VTEP logical switches bound on PS's ports."""
    names = set()
    for port in ps.ports:
        for ls in port.vlan_bindings.values():
            if ls is not None:
                names.add(ls.name)
    return sorted(names)


def _is_managed_locator(loc):
    return not loc.tunnel_key and not loc.tunnel_level


class Controller:
    def __init__(self, vtep, sb):
        self.vtep = vtep
        self.sb = sb
        self._warned = set()

    def warn_once(self, msg):
        if msg not in self._warned:
            self._warned.add(msg)
            vlog.warn(msg)

    # -- desired state ------------------------------------------------------------
    def switches(self):
        return {ps.name: ps for ps in self.vtep.rows("Physical_Switch")}

    def vtep_chassis_names(self, switches):
        names = set(switches)
        names |= {c.name for c in self.sb.rows("Chassis")
                  if c.external_ids.get(OWNER) == "true"}
        return names

    def ls_datapaths(self, switches):
        """{VTEP logical switch name: Datapath_Binding row}, from the vtep
        Port_Bindings of registered switches that have that logical switch
        bound (step 4 and the warning of step 7)."""
        bound = {name: set(bound_ls(ps)) for name, ps in switches.items()}
        claims = {}
        for pb in self.sb.rows("Port_Binding"):
            if pb.type != "vtep" or pb.datapath is None:
                continue
            ps = pb.options.get("vtep-physical-switch")
            ls = pb.options.get("vtep-logical-switch")
            if ps in bound and ls in bound[ps]:
                claims.setdefault(ls, {})[pb.datapath.uuid] = pb.datapath
        out = {}
        for ls, dps in claims.items():
            ordered = sorted(dps.values(), key=lambda d: d.tunnel_key)
            if len(ordered) > 1:
                self.warn_once(
                    "VTEP logical switch %s is bound to %d OVN logical "
                    "networks (datapath keys %s); only %d is used"
                    % (ls, len(ordered), ", ".join(str(d.tunnel_key)
                                                  for d in ordered),
                       ordered[0].tunnel_key))
            out[ls] = ordered[0]
        return out

    # -- SB side -------------------------------------------------------------------
    def sync_sb(self, switches, clean=False):
        """Steps 1-3 (and their undoing when CLEAN, or for switches that
        are gone)."""
        want = {} if clean else switches
        ls_dp = {} if clean else self.ls_datapaths(switches)
        vtep_names = self.vtep_chassis_names(switches)

        def build(txn):
            changed = False
            chassis = {c.name: c for c in self.sb.rows("Chassis")}
            for name, row in chassis.items():
                if row.external_ids.get(OWNER) == "true" and name not in want:
                    vlog.info("removing chassis %s" % name)
                    for e in row.encaps:
                        e.delete()
                    row.delete()
                    changed = True
            for name, ps in sorted(want.items()):
                ip = tunnel_ip(ps)
                row = chassis.get(name)
                if row is not None and row.external_ids.get(OWNER) != "true":
                    self.warn_once("chassis %s exists and is not a VTEP "
                                   "gateway chassis; physical switch %s "
                                   "ignored" % (name, name))
                    continue
                if row is None:
                    vlog.info("registering physical switch %s as a chassis"
                              % name)
                    row = txn.insert(self.sb.tables["Chassis"])
                    row.name = name
                    row.hostname = name
                    row.external_ids = {OWNER: "true"}
                    # ovn-controller sends a VTEP chassis plain VXLAN
                    # (VNI = datapath key) only when it knows it is one.
                    row.other_config = {"is-vtep": "true"}
                    row.encaps = []
                    row.vtep_logical_switches = []
                    have_encaps = []
                    have_ls = []
                    chassis[name] = row
                    changed = True
                else:
                    have_encaps = [(e.type, e.ip) for e in row.encaps]
                    have_ls = list(row.vtep_logical_switches)
                want_encaps = [("vxlan", ip)] if ip else []
                if have_encaps != want_encaps:
                    if row._data is not None:
                        for e in row.encaps:
                            e.delete()
                    encaps = []
                    for type_, eip in want_encaps:
                        e = txn.insert(self.sb.tables["Encap"])
                        e.type = type_
                        e.ip = eip
                        e.chassis_name = name
                        e.options = {"csum": "false"}
                        encaps.append(e)
                    row.encaps = encaps
                    changed = True
                ls_names = bound_ls(ps)
                if have_ls != ls_names:
                    row.vtep_logical_switches = ls_names
                    changed = True
            # Step 3: vtep Port_Bindings.
            new_chassis = {}
            for name in want:
                c = chassis.get(name)
                new_chassis[name] = c
            for pb in self.sb.rows("Port_Binding"):
                if pb.type != "vtep":
                    continue
                ps = pb.options.get("vtep-physical-switch")
                ls = pb.options.get("vtep-logical-switch")
                target = None
                if ps in want and ls in ls_dp and pb.datapath is not None \
                        and ls_dp[ls].uuid == pb.datapath.uuid:
                    target = new_chassis.get(ps)
                current = pb.chassis[0] if pb.chassis else None
                if target is not None:
                    if current is None or current.uuid != target.uuid:
                        vlog.info("binding %s to chassis %s"
                                  % (pb.logical_port, ps))
                        pb.chassis = [target]
                        changed = True
                elif current is not None and current.name in vtep_names:
                    vlog.info("unbinding %s" % pb.logical_port)
                    pb.chassis = []
                    changed = True
            return changed

        self._transact(self.sb, build)

    # -- VTEP side -------------------------------------------------------------------
    def hypervisors(self, vtep_names):
        """{chassis name: vxlan IP} of the chassis that are not VTEP
        gateways and have a vxlan encap."""
        out = {}
        for c in self.sb.rows("Chassis"):
            if c.name in vtep_names or c.external_ids.get(OWNER) == "true":
                continue
            ips = sorted(e.ip for e in c.encaps if e.type == "vxlan")
            if ips:
                out[c.name] = ips[0]
        return out

    def desired_macs(self, ls_dp, vtep_names):
        """{ls name: {MAC: hypervisor IP}} (step 5)."""
        hvs = self.hypervisors(vtep_names)
        by_dp = {dp.uuid: ls for ls, dp in ls_dp.items()}
        out = {ls: {} for ls in ls_dp}
        for pb in self.sb.rows("Port_Binding"):
            if pb.datapath is None or pb.datapath.uuid not in by_dp:
                continue
            if not pb.chassis or pb.chassis[0] is None:
                continue
            ip = hvs.get(pb.chassis[0].name)
            if ip is None:
                continue
            for entry in pb.mac:
                words = entry.split()
                if words and _is_mac(words[0]):
                    out[by_dp[pb.datapath.uuid]][words[0].lower()] = ip
        return out

    def sync_vtep(self, switches, clean=False):
        """Steps 4-6 (and their undoing)."""
        ls_dp = {} if clean else self.ls_datapaths(switches)
        vtep_names = self.vtep_chassis_names(switches)
        macs = self.desired_macs(ls_dp, vtep_names)
        hv_ips = sorted(set(self.hypervisors(vtep_names).values()))

        def build(txn):
            changed = False
            locs = {}

            def locator(ip):
                if ip in locs:
                    return locs[ip]
                for row in self.vtep.rows("Physical_Locator"):
                    if row.dst_ip == ip and row.encapsulation_type == ENCAP \
                            and _is_managed_locator(row):
                        locs[ip] = row
                        return row
                row = txn.insert(self.vtep.tables["Physical_Locator"])
                row.encapsulation_type = ENCAP
                row.dst_ip = ip
                row.tunnel_key = []
                row.tunnel_level = []
                locs[ip] = row
                return row

            for ls in self.vtep.rows("Logical_Switch"):
                dp = ls_dp.get(ls.name)
                managed = self._managed_ls(ls)
                if dp is None and not managed:
                    continue
                # Step 4.
                key = [dp.tunnel_key] if dp is not None else []
                if list(ls.tunnel_key) != key:
                    ls.tunnel_key = key
                    changed = True
                other = dict(ls.other_config)
                if dp is not None and other.get(OWNER) != "true":
                    other[OWNER] = "true"
                    ls.other_config = other
                    changed = True
                elif dp is None and OWNER in other:
                    del other[OWNER]
                    ls.other_config = other
                    changed = True
                # Step 5.
                want = macs.get(ls.name, {})
                for row in self.vtep.rows("Ucast_Macs_Remote"):
                    if row.logical_switch is None or \
                            row.logical_switch.uuid != ls.uuid or \
                            row.locator is None or \
                            not _is_managed_locator(row.locator):
                        continue
                    mac = row.MAC.lower()
                    if want.get(mac) == row.locator.dst_ip:
                        want = {k: v for k, v in want.items() if k != mac}
                    else:
                        row.delete()
                        changed = True
                for mac, ip in sorted(want.items()):
                    row = txn.insert(self.vtep.tables["Ucast_Macs_Remote"])
                    row.MAC = mac
                    row.logical_switch = ls
                    row.locator = locator(ip)
                    changed = True
                # Step 6.
                changed |= self._sync_unknown_dst(txn, ls, hv_ips if dp
                                                  is not None else [],
                                                  locator)
            return changed

        self._transact(self.vtep, build)

    def _managed_ls(self, ls):
        return ls.other_config.get(OWNER) == "true"

    def _sync_unknown_dst(self, txn, ls, hv_ips, locator):
        row = None
        for r in self.vtep.rows("Mcast_Macs_Remote"):
            if r.MAC == UNKNOWN_DST and r.logical_switch is not None and \
                    r.logical_switch.uuid == ls.uuid:
                row = r
                break
        current = list(row.locator_set.locators) if row is not None and \
            row.locator_set is not None else []
        kept = [l for l in current if not _is_managed_locator(l)]
        have = sorted(l.dst_ip for l in current if _is_managed_locator(l))
        if have == hv_ips:
            return False
        new = kept + [locator(ip) for ip in hv_ips]
        if not new:
            if row is not None:
                row.delete()
            return row is not None
        pls = txn.insert(self.vtep.tables["Physical_Locator_Set"])
        pls.locators = new
        if row is None:
            row = txn.insert(self.vtep.tables["Mcast_Macs_Remote"])
            row.MAC = UNKNOWN_DST
            row.logical_switch = ls
        row.locator_set = pls
        return True

    # -- driver ----------------------------------------------------------------------
    def run(self):
        switches = self.switches()
        self.sync_sb(switches)
        self.sync_vtep(switches)

    def clean_all(self):
        """Step 8: removes every trace of this controller from both
        databases."""
        switches = self.switches()
        self.sync_sb(switches, clean=True)
        self.sync_vtep(switches, clean=True)

    @staticmethod
    def _transact(db, build):
        try:
            db.transact(lambda txn: True if build(txn) else False)
        except Exception as e:        # logged; the next round retries
            vlog.warn("transaction on %s failed: %s" % (db.remote, e))


def _is_mac(text):
    parts = text.split(":")
    return len(parts) == 6 and all(len(p) == 2 and
                                   all(c in "0123456789abcdefABCDEF"
                                       for c in p) for p in parts)
