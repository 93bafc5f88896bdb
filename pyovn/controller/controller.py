"""The controller's main loop step: configuration -> southbound presence
-> binding -> OVS ports and conntrack zones -> desired flows -> ofctrl ->
acknowledgements (Port_Binding.up, ovn-installed, nb_cfg).

Every step recomputes from the replicas (the databases are the inputs of
one computation); writes are made only when something differs, so a
quiet system sends nothing."""

import socket
import time

from pyovn.controller import (binding, chassis, config, ctzones, lflow, monitor,
                              ovsports, physical, portsec)
from pyovn.controller.pinctrl import Pinctrl
from pyovn.db.idl import Database, value
from pyovn.openflow.ofctrl import Ofctrl

UNSETTLED_MAX_S = 5
OVS_TABLES = {"Open_vSwitch": None, "Bridge": None, "Port": None, "Interface": None}


def now_ms():
    return int(time.time() * 1000)


class Controller:
    def __init__(self, ovs_remote, ovs_rundir, vlog):
        self.vlog = vlog
        self.ovs_rundir = ovs_rundir
        self.ovs = Database(ovs_remote, "vswitch", tables=OVS_TABLES)
        self.sb = None
        self.sb_remote = None
        self.sb_probe = None
        self.ofc = None
        self.ofc_bridge = None
        self.cfg = config.Config()
        self.paused = False
        self.force = True
        self.seen = None
        self.seq = 0
        self.port_seq = {}         # lport -> seq of the first desired state with its flows
        self.zones = None
        self.state = None
        self.translator = lflow.Translator(self._warn_once)
        self.logged = set()
        self.n_flows = 0
        self.last_error = None
        self.registered = False
        self.cond_expect = 0
        self.unsettled_since = None
        self.pinctrl = Pinctrl(vlog)       # packet-ins (pinctrl hook)
        self.pinctrl.attach(self)

    # -- helpers ---------------------------------------------------------------
    def _warn_once(self, text):
        if text not in self.logged:
            self.logged.add(text)
            self.vlog.warn(text)

    def waiters(self):
        out = [self.ovs]
        if self.sb is not None:
            out.append(self.sb)
        if self.ofc is not None:
            out.append(self.ofc)
        out.append(self.pinctrl)
        out.append(self)
        return out

    def _seqnos(self):
        return (self.ovs.change_seqno,
                self.sb.change_seqno if self.sb is not None else None,
                self.sb.idl.cond_seqno if self.sb is not None else None)

    def wait(self, poller):
        """Wakes the loop when a replica changed after the last computation
        read it (e.g. while one of our transactions ran the IDL), and when
        waiting for monitor conditions times out."""
        if self.seen is not None and not self.paused and self.cfg.complete \
                and self.sb_ready() and self._seqnos() != self.seen:
            poller.immediate_wake()
        if self.unsettled_since is not None:
            left = UNSETTLED_MAX_S - (time.monotonic() - self.unsettled_since)
            poller.timer_wait(max(1, int(left * 1000) + 10))

    def sb_ready(self):
        return (self.sb is not None and self.sb.is_connected()
                and self.sb.idl.has_ever_connected() and self.sb.change_seqno)

    def bridge(self):
        return self.ovs.find_one("Bridge", name=self.cfg.bridge)

    # -- the step ----------------------------------------------------------------
    def run(self):
        self.ovs.run()
        if self.sb is not None:
            self.sb.run()
        if self.ofc is not None:
            self.ofc.run()
        if self.paused:
            return
        try:
            self._step()
            self.last_error = None
        except Exception as e:      # keep serving; say what went wrong once
            text = "%s: %s" % (type(e).__name__, e)
            if text != self.last_error:
                self.vlog.err("processing failed: %s" % text)
                import traceback
                self.vlog.dbg(traceback.format_exc())
            self.last_error = text
        self.pinctrl.run()
        if self.ofc is not None:
            self.ofc.run()
            # ofctrl may have just seen its barrier reply: acknowledge now,
            # nothing else might wake the loop.
            try:
                self._ack()
            except Exception as e:
                self.vlog.err("acknowledging failed: %s" % e)

    def _step(self):
        roots = self.ovs.rows("Open_vSwitch")
        if not roots:
            return
        root = roots[0]
        cfg = config.parse(dict(root.external_ids), socket.gethostname())
        for e in cfg.errors:
            self._warn_once(e)
        if not cfg.system_id:
            self._warn_once("external_ids:system-id is not set in the Open_vSwitch table")
        if cfg != self.cfg:
            self.force = True
        self.cfg = cfg
        self._connect_sb(cfg)
        if self.ovs.is_connected():
            config.ensure_bridge(self.ovs, cfg.bridge)
        br = self.bridge()
        if br is None:
            return
        if self.ofc is None or self.ofc_bridge != cfg.bridge:
            if self.ofc is not None:
                self.ofc.close()
            target = "unix:%s/%s.mgmt" % (self.ovs_rundir, cfg.bridge)
            self.ofc = Ofctrl(target, wait_before_clear_ms=cfg.wait_before_clear,
                              on_packet_in=self.pinctrl.packet_in)
            self.ofc_bridge = cfg.bridge
        if self.zones is None:
            self.zones = ctzones.read(dict(br.external_ids))
        if not cfg.complete or not self.sb_ready():
            self._ack()
            return
        iface_types = list(root.iface_types)
        if not chassis.in_sync(self.sb, cfg, iface_types):
            chassis.register(self.sb, cfg, iface_types)
            self.vlog.info("registered chassis %s" % cfg.system_id)
        self.registered = True
        seen = self._seqnos()
        valve = (self.unsettled_since is not None
                 and time.monotonic() - self.unsettled_since > UNSETTLED_MAX_S)
        if seen == self.seen and not self.force and not valve:
            self._ack()
            return
        self.force = False
        # The replicas this computation reads.  Anything the IDLs process
        # later (also inside our own transactions, which run the IDL and
        # consume the server's messages) makes wait() wake the loop again.
        self.seen = seen
        me = chassis.find(self.sb, cfg.system_id)
        ifaces = {}
        for port in br.ports:
            for iface in port.interfaces:
                lp = iface.external_ids.get("iface-id")
                if lp:
                    ifaces[lp] = (iface, value(iface, "ofport") if (value(iface, "ofport") or 0) > 0 else None)
        tun_now = ovsports.current_tunnels(self.ovs, br)

        def alive(name):
            t = tun_now.get(name)
            return t is None or ovsports.bfd_alive(t[1])
        sessions = [t[1] for t in tun_now.values() if dict(t[1].bfd)]
        self_alive = self.ofc.is_connected() and (
            not sessions or any(ovsports.bfd_alive(i) for i in sessions))
        st = binding.compute(self.sb, cfg.system_id, ifaces, cfg.hostname, alive, self_alive)
        for w in st.warnings:
            self._warn_once(w)
        writes = binding.bind_writes(self.sb, st, me)
        if writes and self.sb.is_connected():
            for pb, col, _ in writes:
                if col == "chassis":
                    self.vlog.info("%s port %s" % ("claiming" if st.claims.get(pb.logical_port)
                                                   else "releasing", pb.logical_port))

            def build(txn):
                for pb, col, val in binding.bind_writes(self.sb, st, chassis.find(self.sb, cfg.system_id)):
                    setattr(pb, col, val)
            self.sb.transact(build)
        self.state = st
        # Conntrack zones and OVS ports.
        wanted = set()
        for p in st.ports.values():
            if p.dp.uuid in st.local_dps and (p.ofport and p.type in ("", "virtual", "localport")
                                              or p.type == "localnet"):
                wanted.add(p.name)
        for dp in st.local_dps.values():
            wanted.add(ctzones.dnat_name(dp))
            wanted.add(ctzones.snat_name(dp))
        self.zones = ctzones.assign(self.zones, wanted)
        ct_ids = ctzones.external_ids(dict(br.external_ids), self.zones)
        tunnels = ovsports.desired_tunnels(self.sb, cfg)
        localnets = ovsports.localnet_pairs(st, cfg)
        if self.ovs.is_connected():
            bfd = binding.bfd_targets(self.sb, cfg.system_id, st.local_dps)
            ovsports.sync(self.ovs, cfg, br, tunnels, localnets, ct_ids, bfd)
            br = self.bridge()
        # Flows.
        ofp = ovsports.ofports(br)
        tun_of = {}
        cur = ovsports.current_tunnels(self.ovs, br)
        for name, (t, ip, csum) in tunnels.items():
            have = cur.get(name)
            if have and have[1].name in ofp:
                tun_of[name] = (t, ofp[have[1].name])
        ln_of = {ln: ofp[ovsports.patch_names(ln, cfg.bridge)[0]] for ln in localnets
                 if ovsports.patch_names(ln, cfg.bridge)[0] in ofp}
        mgroups = []
        for mg in self.sb.rows("Multicast_Group"):
            dp = value(mg, "datapath")
            if dp is not None:
                mgroups.append((dp, mg.name, mg.tunnel_key,
                                [p.logical_port for p in mg.ports]))
        vteps = {c.name for c in self.sb.rows("Chassis") if ovsports.is_vtep(c)}
        flows = physical.build(st, tun_of, self.zones, ln_of, mgroups, vteps)
        lflows, groups, meters = self.translator.build(self.sb, st, cfg.system_id)
        flows += lflows
        flows += portsec.build(st, self._warn_once)
        self.n_flows = len(flows)
        self.seq += 1
        glob = self.sb.rows("SB_Global")
        nb_cfg = glob[0].nb_cfg if glob else 0
        # Narrow (or widen) what the server sends us to the local datapaths.
        self.cond_expect = monitor.apply(
            self.sb.idl, monitor.conditions(st, me, set(ifaces), self.sb.rows("Logical_DP_Group"),
                                            cfg.monitor_all))
        settled = self.sb.idl.cond_seqno >= self.cond_expect
        if settled:
            self.unsettled_since = None
        else:
            if self.unsettled_since is None:
                self.unsettled_since = time.monotonic()
            elif time.monotonic() - self.unsettled_since > UNSETTLED_MAX_S:
                # The server never confirmed the new conditions: go on
                # with what we have rather than stall forever.
                self._warn_once("southbound monitor conditions not confirmed after %ds "
                                "(condition seqno %d, expected %d); proceeding"
                                % (UNSETTLED_MAX_S, self.sb.idl.cond_seqno, self.cond_expect))
                settled = True
                self.unsettled_since = None
        if not settled:
            # The replica is still catching up with new conditions: this
            # state may miss rows (a restarted controller would replace a
            # full, working flow table with a partial one).  Wait for it.
            return
        for name in st.claims:
            if settled:
                self.port_seq.setdefault(name, self.seq)
        for name in list(self.port_seq):
            if name not in st.claims:
                del self.port_seq[name]
        self.ofc.put(flows, groups, meters, cfg=(self.seq, nb_cfg))
        self._ack()

    # -- acknowledgements ----------------------------------------------------------
    def _ack(self):
        if self.ofc is None or self.state is None or not self.sb_ready():
            return
        inst = self.ofc.installed_cfg
        if inst is None:
            return
        seq, nb_cfg = inst
        st = self.state
        if nb_cfg is None:
            return
        ts = now_ms()
        # Port_Binding.up and Interface ovn-installed.
        up_ports = {n for n, s in self.port_seq.items() if s <= seq}
        pbs = []
        for n in up_ports:
            pb = self.sb.lookup_one("Port_Binding", logical_port=n)
            if pb is not None and st.claims.get(n) == "main" and value(pb, "up") is not True \
                    and value(pb, "chassis") is not None \
                    and value(pb, "chassis").name == self.cfg.system_id:
                pbs.append(pb)
        if pbs:
            def build_up(txn):
                for pb in pbs:
                    pb.up = [True]
            self.sb.transact(build_up)
        iface_writes = []
        br = self.bridge()
        if br is not None:
            for port in br.ports:
                for iface in port.interfaces:
                    lp = iface.external_ids.get("iface-id")
                    if not lp:
                        continue
                    inst_now = iface.external_ids.get("ovn-installed") == "true"
                    want = lp in up_ports and st.vif_ifaces.get(lp) is iface
                    if want and not inst_now:
                        ids = dict(iface.external_ids)
                        ids["ovn-installed"] = "true"
                        ids["ovn-installed-ts"] = str(ts)
                        iface_writes.append((iface, ids))
                    elif not want and inst_now and lp not in st.claims:
                        ids = {k: v for k, v in iface.external_ids.items()
                               if k not in ("ovn-installed", "ovn-installed-ts")}
                        iface_writes.append((iface, ids))
        priv = self.sb.lookup_one("Chassis_Private", name=self.cfg.system_id)
        bump = priv is not None and priv.nb_cfg != nb_cfg
        if bump:
            def build_cfg(txn):
                p = self.sb.lookup_one("Chassis_Private", name=self.cfg.system_id)
                if p is None:
                    return False
                p.nb_cfg = nb_cfg
                p.nb_cfg_timestamp = ts
            self.sb.transact(build_cfg)
        if br is not None and (iface_writes or br.external_ids.get("ovn-nb-cfg") != str(nb_cfg)) \
                and self.ovs.is_connected():
            def build_ovs(txn):
                for iface, ids in iface_writes:
                    iface.external_ids = ids
                b = self.bridge()
                if b is not None and b.external_ids.get("ovn-nb-cfg") != str(nb_cfg):
                    ids = dict(b.external_ids)
                    ids["ovn-nb-cfg"] = str(nb_cfg)
                    ids["ovn-nb-cfg-ts"] = str(ts)
                    b.external_ids = ids
            self.ovs.transact(build_ovs)

    # -- southbound connection -------------------------------------------------------
    def _connect_sb(self, cfg):
        if cfg.remote == self.sb_remote and cfg.probe_interval == self.sb_probe:
            return
        if self.sb is not None:
            self.sb.close()
            self.sb = None
        self.sb_remote = cfg.remote
        self.sb_probe = cfg.probe_interval
        if not cfg.remote:
            return
        try:
            self.sb = Database(cfg.remote, "sb", probe_interval=cfg.probe_interval)
        except ValueError as e:
            self._warn_once("external_ids:ovn-remote: %s" % e)
            self.sb = None
            return
        if not cfg.monitor_all:
            monitor.apply(self.sb.idl, monitor.conditions(
                None, None, self._iface_ids(cfg), [], False))
        for t, c in (("Port_Binding", "logical_port"),
                     ("Chassis", "name"), ("Chassis_Private", "name")):
            self.sb.index(t, c)
        self.force = True
        self.vlog.info("connecting to southbound database %s" % cfg.remote)

    def _iface_ids(self, cfg):
        br = self.ovs.find_one("Bridge", name=cfg.bridge)
        out = set()
        if br is not None:
            for port in br.ports:
                for iface in port.interfaces:
                    if iface.external_ids.get("iface-id"):
                        out.add(iface.external_ids["iface-id"])
        return out

    # -- exit ----------------------------------------------------------------------
    def cleanup(self):
        """Graceful exit: remove the chassis from the southbound DB."""
        if self.sb_ready() and self.cfg.system_id and self.registered:
            try:
                chassis.unregister(self.sb, self.cfg.system_id)
                self.vlog.info("removed chassis %s from the southbound database"
                               % self.cfg.system_id)
            except Exception as e:
                self.vlog.err("could not remove chassis %s: %s" % (self.cfg.system_id, e))

    def close(self):
        if self.ofc is not None:
            self.ofc.close()
        if self.sb is not None:
            self.sb.close()
        self.ovs.close()
