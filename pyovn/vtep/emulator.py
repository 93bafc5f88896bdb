"""The VTEP emulator for one Physical_Switch: keeps Open vSwitch in line
with the hardware_vtep database and reports back into it.

One round (Emulator.run) does, in order:
  1. plan   model.compute(): bound logical switches, tunnels, MACs
  2. OVS    vswitch.reconcile(): LS bridges, patch and tunnel ports
  3. flows  flows.*_flows() handed to each bridge's Ofctrl (one
            persistent OpenFlow connection per bridge, atomic bundles)
  5. VTEP   Physical_Port rows for the bridge's ports, Ucast_Macs_Local
            (learned MACs), Mcast_Macs_Local unknown-dst (this switch's
            tunnel IP), Tunnel rows with BFD, Logical_Binding_Stats

MAC learning: the bridge learns (port, MAC) into table 2 with an idle
timeout; the first frame of an unknown source also reaches the emulator as
a packet-in, which adds the MAC.  Every few seconds the emulator reads the
learned flows back (flow stats): a MAC whose flow idled out has aged.
"""

import time

import ovs.vlog

from pyovn.openflow import channel as ofchannel
from pyovn.openflow.codec import messages as ofmsg
from pyovn.openflow.ofctrl import Ofctrl
from pyovn.vtep import flows as flowmod
from pyovn.vtep import model
from pyovn.vtep.vswitch import (BridgeSpec, VSwitch, patch_port,
                                tunnel_port)

vlog = ovs.vlog.Vlog("vtep")

ENCAP = "vxlan_over_ipv4"
STATS_INTERVAL = 5.0
RETRY_INTERVAL = 0.2


class Emulator:
    def __init__(self, ps_name, vtep_db, ovs_db, ovs_rundir,
                 mac_age=300, tunnel_options=None):
        self.ps_name = ps_name
        self.vtep = vtep_db
        self.ovs = ovs_db
        self.vswitch = VSwitch(ovs_db, ps_name)
        self.ovs_rundir = ovs_rundir
        self.mac_age = mac_age
        self.tunnel_options = dict(tunnel_options or {})
        self.plans = {}
        self.ofctrls = {}           # bridge -> Ofctrl
        self._last_put = {}         # bridge -> frozenset of flows
        self.learned = {}           # ls name -> {mac: physical binding ofport}
        self.learned_at = {}        # (ls name, mac) -> monotonic time
        self.next_age_check = 0.0
        self.bridge_ls = {}         # bridge -> ls name
        self.retry = False          # a round failed: run again soon
        self.dirty = True
        self.next_stats = 0.0
        self._warned = set()
        self._cleaned_local = False

    # -- helpers -----------------------------------------------------------------
    def warn_once(self, msg):
        if msg not in self._warned:
            self._warned.add(msg)
            vlog.warn(msg)

    def tunnel_ip(self):
        ps = self.vtep.find_one("Physical_Switch", name=self.ps_name)
        if ps is None or not ps.tunnel_ips:
            return None
        return sorted(ps.tunnel_ips)[0]

    def _healthy(self, plan):
        def healthy(ident):
            iface = self.vswitch.interface(model.tunnel_port_name(
                self.ps_name, *ident))
            if iface is None or iface.bfd.get("enable") != "true":
                return True
            return iface.bfd_status.get("state") == "up"
        return healthy

    # -- one round ---------------------------------------------------------------
    def run(self):
        self.retry = False
        if not self.vtep.find_one("Physical_Switch", name=self.ps_name):
            self.warn_once("no Physical_Switch named %s in the VTEP database"
                           % self.ps_name)
            return
        ps_bridge = self.vswitch.ps_bridge()
        if ps_bridge is None:
            self.warn_once("no bridge named %s in Open vSwitch"
                           % self.ps_name)
            return
        tunnel_ip = self.tunnel_ip()
        self.plans = model.compute(self.vtep, self.ps_name, tunnel_ip,
                                   self.warn_once)
        phys = self.vswitch.physical_ports()
        for plan in self.plans.values():
            for port, vlan in list(plan.bindings):
                if port not in phys:
                    self.warn_once("logical switch %s: port %s is not on "
                                   "bridge %s; binding ignored"
                                   % (plan.name, port, self.ps_name))
                    plan.bindings.remove((port, vlan))
        specs, ps_patches, port_keys = self._specs(ps_bridge)
        self.vswitch.assign_ofports(specs, ps_patches)
        self.vswitch.reconcile(specs, ps_patches)
        self._sync_ofctrls(specs)
        self._sync_flows(specs, ps_patches, port_keys, phys)
        self._sync_vtep(phys, tunnel_ip)
        self.dirty = False

    def _specs(self, ps_bridge):
        specs = {}
        ps_patches = {}
        port_keys = {}                # bridge -> {port key: port name}
        dp_type = ps_bridge.datapath_type
        for plan in self.plans.values():
            br = plan.bridge
            spec = specs[br] = BridgeSpec(br, dp_type)
            keys = port_keys[br] = {}
            for port, vlan in plan.bindings:
                ps_side, ls_side = model.patch_names(self.ps_name, port, vlan)
                spec.ports[ls_side] = patch_port(ls_side, ps_side)
                ps_patches[ps_side] = patch_port(ps_side, ls_side)
                keys[("patch", port, vlan)] = ls_side
            for ident, t in plan.tunnels.items():
                name = model.tunnel_port_name(self.ps_name, *ident)
                spec.ports[name] = tunnel_port(name, t.ip, t.key,
                                               self._bfd_config(t),
                                               self.tunnel_options)
                keys[("tunnel",) + ident] = name
            self.bridge_ls[br] = plan.name
        return specs, ps_patches, port_keys

    def _bfd_config(self, t):
        params = {}
        tunnel = self._tunnel_row(t)
        if tunnel is not None:
            params = dict(tunnel.bfd_params)
        enable = params.pop("enable", None)
        if enable is None:
            enable = "true" if t.service_node else None
        if enable != "true":
            return {}
        bfd = {"enable": "true"}
        for k in ("min_rx", "min_tx", "decay_min_rx", "forwarding_if_rx",
                  "cpath_down", "check_tnl_key"):
            if k in params:
                bfd[k] = params[k]
        return bfd

    def _tunnel_row(self, t):
        ps = self.vtep.find_one("Physical_Switch", name=self.ps_name)
        for tunnel in ps.tunnels if ps else []:
            if tunnel.remote is not None and t.locator is not None and \
                    tunnel.remote.uuid == t.locator.uuid:
                return tunnel
        return None

    def _sync_ofctrls(self, specs):
        wanted = set(specs) | {self.ps_name}
        for br in list(self.ofctrls):
            if br not in wanted:
                self.ofctrls.pop(br).close()
                self._last_put.pop(br, None)
                ls = self.bridge_ls.pop(br, None)
                if ls is not None and ls not in self.plans:
                    # Unbound: its bridge (and learned table) is gone.
                    for mac in self.learned.pop(ls, {}):
                        self.learned_at.pop((ls, mac), None)
        for br in wanted:
            if br not in self.ofctrls:
                handler = None
                if br != self.ps_name:
                    handler = (lambda msg, br=br: self._on_packet_in(br, msg))
                self.ofctrls[br] = Ofctrl(
                    ofchannel.bridge_target(self.ovs_rundir, br),
                    on_packet_in=handler, tlv_mappings=())

    def _sync_flows(self, specs, ps_patches, port_keys, phys):
        bindings = []
        for plan in self.plans.values():
            for port, vlan in plan.bindings:
                ofport = self.vswitch.ofport_of(phys.get(port))
                if ofport is None:
                    continue        # not created yet; the IDL will tell
                ps_side, _ = model.patch_names(self.ps_name, port, vlan)
                bindings.append((ofport, vlan, ps_patches[ps_side].ofport))
        self._put(self.ps_name, flowmod.ps_bridge_flows(bindings))
        for plan in self.plans.values():
            spec = specs[plan.bridge]
            ports = {k: spec.ports[name].ofport
                     for k, name in port_keys[plan.bridge].items()}
            local = {mac: p for mac, p in
                     self.learned.get(plan.name, {}).items()
                     if p in ports.values()}
            self._put(plan.bridge, flowmod.ls_bridge_flows(
                plan, ports, local, self.mac_age, self._healthy(plan)))

    def _put(self, bridge, flows):
        """Hands FLOWS to BRIDGE's Ofctrl, only when they changed (a put
        restarts the wait for the switch's acknowledgement)."""
        desired = frozenset(flows)
        if self._last_put.get(bridge) != desired:
            self._last_put[bridge] = desired
            self.ofctrls[bridge].put(flows)

    def flows_installed(self):
        return all(o.up_to_date() for o in self.ofctrls.values())

    # -- MAC learning ------------------------------------------------------------
    def _on_packet_in(self, bridge, msg):
        ls = self.bridge_ls.get(bridge)
        if ls is None or msg.table_id != flowmod.T_LEARN:
            return
        in_port = None
        for name, value, _ in msg.metadata:
            if name == "in_port":
                in_port = value
        data = msg.packet
        if len(data) < 14 or in_port is None:
            return
        src = data[6:12]
        if src[0] & 1:
            return                      # never learn a multicast source
        mac = ":".join("%02x" % b for b in src)
        macs = self.learned.setdefault(ls, {})
        self.learned_at[(ls, mac)] = time.monotonic()
        if macs.get(mac) != in_port:
            vlog.info("%s: learned %s on port %d" % (ls, mac, in_port))
            macs[mac] = in_port
            self.dirty = True

    def _check_ageing(self):
        """Asks every logical switch bridge for its learned flows; a MAC
        learned before the request whose flow is gone has aged out, a
        learned flow for an unknown MAC is adopted."""
        now = time.monotonic()
        if now < self.next_age_check:
            return
        self.next_age_check = now + min(5.0, max(0.5, self.mac_age / 2.0))
        for br, ls in self.bridge_ls.items():
            ofc = self.ofctrls.get(br)
            if ofc is None or not ofc.is_connected():
                continue
            ofc.channel.send(ofmsg.FlowStatsRequest(table=flowmod.T_LEARN),
                             lambda reply, ls=ls, sent=now:
                             self._on_learned_flows(ls, sent, reply))

    def _on_learned_flows(self, ls, sent, reply):
        if reply is None or isinstance(reply, ofmsg.Error):
            return
        pairs = flowmod.learned_pairs(f for part in reply for f in part.flows)
        macs = self.learned.setdefault(ls, {})
        # A learned flow this emulator does not know (after a restart) is
        # a live MAC: adopt it.
        for port, mac in sorted(pairs):
            if mac not in macs:
                vlog.info("%s: found %s learned on port %d" % (ls, mac, port))
                macs[mac] = port
                self.learned_at[(ls, mac)] = sent
                self.dirty = True
        for mac, port in list(macs.items()):
            if (port, mac) not in pairs and \
                    self.learned_at.get((ls, mac), 0) < sent:
                vlog.info("%s: %s aged out" % (ls, mac))
                del macs[mac]
                self.learned_at.pop((ls, mac), None)
                self.dirty = True

    # -- the VTEP database -------------------------------------------------------
    def _sync_vtep(self, phys, tunnel_ip):
        now = time.monotonic()
        stats_due = now >= self.next_stats
        if stats_due:
            self.next_stats = now + STATS_INTERVAL
        if not (self.dirty or stats_due):
            return
        # The builder writes only what differs from the replica, so a round
        # with nothing to change commits an empty transaction (no-op).

        def build(txn):
            ps = self.vtep.find_one("Physical_Switch", name=self.ps_name)
            if ps is None:
                return False
            loc_cache = {}

            def locator(ip, key=None, level=None, template=None):
                ident = (ip, key, level)
                if ident in loc_cache:
                    return loc_cache[ident]
                for row in self.vtep.rows("Physical_Locator"):
                    if row.dst_ip == ip and row.encapsulation_type == ENCAP \
                            and list(row.tunnel_key) == ([] if key is None
                                                         else [key]) \
                            and list(row.tunnel_level) == ([] if level is None
                                                           else [level]):
                        loc_cache[ident] = row
                        return row
                row = txn.insert(self.vtep.tables["Physical_Locator"])
                row.encapsulation_type = ENCAP
                row.dst_ip = ip
                row.tunnel_key = [] if key is None else [key]
                row.tunnel_level = [] if level is None else [level]
                loc_cache[ident] = row
                return row

            self._write_ports(txn, ps, phys)
            if tunnel_ip:
                self._write_local_macs(txn, locator(tunnel_ip), tunnel_ip)
                self._write_tunnels(txn, ps, locator(tunnel_ip))
            self._write_stats(txn, ps)
            return True

        try:
            self.vtep.transact(build)
        except Exception as e:       # keep serving; next round retries
            vlog.warn("VTEP database update failed: %s" % e)

    def _write_ports(self, txn, ps, phys):
        have = {p.name for p in ps.ports}
        missing = sorted(set(phys) - have)
        if not missing:
            return
        ports = list(ps.ports)
        for name in missing:
            row = txn.insert(self.vtep.tables["Physical_Port"])
            row.name = name
            ports.append(row)
            vlog.info("added Physical_Port %s" % name)
        ps.verify("ports")
        ps.ports = ports

    def _write_local_macs(self, txn, own, own_ip):
        ls_rows = {r.name: r for r in self.vtep.rows("Logical_Switch")}
        # Unicast: exactly the learned MACs of the bound switches.
        want = {}
        for ls_name, macs in self.learned.items():
            if ls_name in self.plans and ls_name in ls_rows:
                for mac in macs:
                    want[(ls_name, mac)] = ls_rows[ls_name]
        for row in self.vtep.rows("Ucast_Macs_Local"):
            if row.locator is None or row.locator.dst_ip != own_ip:
                continue
            ls = row.logical_switch
            key = (ls.name if ls else None, row.MAC)
            if key in want:
                del want[key]
            elif ls is None or ls.name in ls_rows:
                row.delete()
        for (ls_name, mac), ls_row in sorted(want.items()):
            row = txn.insert(self.vtep.tables["Ucast_Macs_Local"])
            row.MAC = mac
            row.logical_switch = ls_row
            row.locator = own
        # unknown-dst: BUM for a bound switch may be sent to this VTEP.
        have = {}
        for row in self.vtep.rows("Mcast_Macs_Local"):
            if row.MAC == model.UNKNOWN_DST and row.logical_switch:
                have[row.logical_switch.name] = row
        for ls_name in self.plans:
            if ls_name not in ls_rows:
                continue
            row = have.get(ls_name)
            if row is not None and row.locator_set is not None and \
                    own._data is not None and \
                    [l.uuid for l in row.locator_set.locators] == [own.uuid]:
                continue
            pls = txn.insert(self.vtep.tables["Physical_Locator_Set"])
            pls.locators = [own]
            if row is None:
                row = txn.insert(self.vtep.tables["Mcast_Macs_Local"])
                row.MAC = model.UNKNOWN_DST
                row.logical_switch = ls_rows[ls_name]
            row.locator_set = pls
        for ls_name, row in have.items():
            if ls_name not in self.plans and row.locator_set is not None and \
                    own._data is not None and \
                    [l.uuid for l in row.locator_set.locators] == [own.uuid]:
                row.delete()

    def _write_tunnels(self, txn, ps, own):
        wanted = {}
        for plan in self.plans.values():
            for ident, t in plan.tunnels.items():
                if t.locator is not None:
                    wanted[t.locator.uuid] = (t, ident)
        tunnels = []
        changed = False
        for tunnel in ps.tunnels:
            remote = tunnel.remote
            if remote is None or remote.uuid not in wanted:
                changed = True
                continue
            t, ident = wanted.pop(remote.uuid)
            tunnels.append(tunnel)
            self._write_bfd_status(tunnel, ident)
        for uuid, (t, ident) in wanted.items():
            row = txn.insert(self.vtep.tables["Tunnel"])
            row.local = own
            row.remote = t.locator
            tunnels.append(row)
            changed = True
        if changed:
            ps.verify("tunnels")
            ps.tunnels = tunnels

    def _write_bfd_status(self, tunnel, ident):
        iface = self.vswitch.interface(model.tunnel_port_name(self.ps_name,
                                                              *ident))
        status = {}
        if iface is not None and iface.bfd.get("enable") == "true":
            status = dict(iface.bfd_status)
            status.setdefault("enabled", "true")
        if tunnel.bfd_status != status:
            tunnel.bfd_status = status

    def _write_stats(self, txn, ps):
        bound = {}
        for plan in self.plans.values():
            for port, vlan in plan.bindings:
                bound[(port, vlan)] = model.patch_names(self.ps_name, port,
                                                        vlan)[1]
        for port in ps.ports:
            stats = dict(port.vlan_stats)
            changed = False
            for vlan in list(stats):
                if (port.name, vlan) not in bound:
                    del stats[vlan]
                    changed = True
            for vlan in port.vlan_bindings:
                name = bound.get((port.name, vlan))
                if name is None:
                    continue
                row = stats.get(vlan)
                if row is None:
                    row = txn.insert(self.vtep.tables["Logical_Binding_Stats"])
                    stats[vlan] = row
                    changed = True
                    current = {}
                else:
                    current = {c: getattr(row, c) for c in
                               ("packets_from_local", "bytes_from_local",
                                "packets_to_local", "bytes_to_local")}
                iface = self.vswitch.interface(name)
                s = iface.statistics if iface is not None else {}
                # The LS-side patch port receives what the physical port
                # sent into the logical switch and transmits what goes out
                # to it.
                new = {"packets_from_local": s.get("rx_packets", 0),
                       "bytes_from_local": s.get("rx_bytes", 0),
                       "packets_to_local": s.get("tx_packets", 0),
                       "bytes_to_local": s.get("tx_bytes", 0)}
                if new != current:
                    for c, v in new.items():
                        setattr(row, c, v)
            if changed:
                port.vlan_stats = stats

    # -- the poll loop ---------------------------------------------------------
    def run_openflow(self):
        for ofc in list(self.ofctrls.values()):
            ofc.run()
        self._check_ageing()

    def wait(self, poller):
        for ofc in self.ofctrls.values():
            ofc.wait(poller)
        if self.retry:
            poller.timer_wait(int(RETRY_INTERVAL * 1000))
        now = time.monotonic()
        delay = max(0, min(self.next_stats, self.next_age_check) - now)
        poller.timer_wait(int(delay * 1000) + 1)

    def cleanup(self):
        """At exit: nothing is removed from OVS (like ovs-vtep, a restart
        picks the bridges up again); the OpenFlow connections are closed."""
        for ofc in self.ofctrls.values():
            ofc.close()
        self.ofctrls = {}
