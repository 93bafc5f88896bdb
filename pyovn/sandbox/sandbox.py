"""A whole OVN deployment in one directory: NB and SB databases, northd,
N chassis (each its own ovsdb-server, ovs-vswitchd on the dummy datapath
and controller) and an underlay that carries their tunnels.

The underlay is one more ovs-vswitchd with a learning bridge; each
chassis' br-phys has a dummy port whose netdev stream connects to a
listening port of that bridge over a unix socket.  OVS's userspace tunnel
code really encapsulates (Geneve, VXLAN, STT) between the chassis'
br-phys addresses, so every tunnelled packet crosses the underlay and is
captured there (DIR/underlay/hvN-rx.pcap).

    sb = Sandbox("/tmp/sbx")
    sb.up(chassis=3)
    sb.add_vif("hv1", "vif1", "lsp1")
    sb.inject("vif1", "eth(...)/ip4(...)/udp(...)")
    sb.received("vif3")     # decoded packets delivered to vif3
    sb.down()
"""

import json
import os
import shutil
import sys

from pyovn import packet as pkt
from pyovn.db import server
from pyovn.sandbox import layout, procs
from pyovn.sandbox.procs import SandboxError
from pyovn.util import proc

COMPONENT_CHOICES = ("c", "py", "none")


def _is_probe(frame):
    return frame[12:14] == layout.PROBE_ETHERTYPE.to_bytes(2, "big")


def controller_per_chassis(controller, n):
    """CONTROLLER is one choice for every chassis ("py") or one per chassis,
    comma-separated ("py,c,c"): chassis i runs the i-th."""
    impls = controller.split(",") if isinstance(controller, str) else list(controller)
    if len(impls) == 1:
        return impls * n
    if len(impls) != n:
        raise SandboxError("--controller lists %d choices for %d chassis" % (len(impls), n))
    return impls


class Sandbox:
    def __init__(self, root):
        self.paths = layout.Paths(root)
        self.root = self.paths.root
        self.state = self._load()
        self._sb_idl = None
        self._nb_idl = None

    # -- state ------------------------------------------------------------
    def _load(self):
        try:
            with open(self.paths.state) as f:
                return json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise SandboxError("%s: unreadable state file: %s" % (self.paths.state, e))

    def _save(self):
        tmp = self.paths.state + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=2, sort_keys=True)
        os.replace(tmp, self.paths.state)

    def _require_state(self):
        if self.state is None:
            raise SandboxError("no sandbox in %s (run 'pyovn sandbox up' first)" % self.root)
        return self.state

    @property
    def nb_remote(self):
        return self._require_state()["nb_remote"]

    @property
    def sb_remote(self):
        return self._require_state()["sb_remote"]

    def chassis_names(self):
        return [c["name"] for c in self._require_state()["chassis"]]

    def chassis(self, name):
        """The state record of chassis NAME ("hv2", or its number)."""
        if isinstance(name, int) or str(name).isdigit():
            name = layout.chassis_name(int(name))
        for c in self._require_state()["chassis"]:
            if c["name"] == name:
                return c
        raise SandboxError("no chassis '%s' in this sandbox (chassis: %s)"
                           % (name, ", ".join(self.chassis_names())))

    def running(self):
        """[(process name, pid)] of this sandbox's live processes."""
        out = []
        for e in (self.state or {}).get("processes", []):
            pid = proc.read_pidfile(e["pidfile"])
            if pid and procs.is_ours(pid, self.root):
                out.append((e["name"], pid))
        return out

    # -- up -----------------------------------------------------------------
    def up(self, chassis=3, encap="geneve", northd="c", controller="c", timeout=30.0,
           debug_logs=False):
        """Builds and starts the deployment; on any failure stops what it
        started and raises (SandboxError, ProcError naming the program
        that failed, or TimeoutError naming what did not happen).
        DEBUG_LOGS makes every ovs-vswitchd log its OpenFlow traffic and
        datapath decisions (-vvconn -vofproto_dpif), as OVN's test suite
        does; off by default because it slows large deployments."""
        self._check_args(chassis, encap, northd, controller)
        if self.state is not None and self.running():
            raise SandboxError("a sandbox is already running in %s "
                               "(run 'pyovn sandbox down' first)" % self.root)
        self._clean_old()
        os.makedirs(self.root, exist_ok=True)
        self.state = {"version": 1, "root": self.root, "encap": encap, "northd": northd,
                      "controller": controller, "debug_logs": bool(debug_logs),
                      "processes": [], "chassis": [], "vifs": {}}
        self._save()
        try:
            self._start_central()
            self._start_underlay()
            for i in range(1, chassis + 1):
                self._start_chassis(i, encap)
            self._connect_underlay(timeout)
            self._init_globals()
            if northd != "none":
                self._start_northd(northd)
            impls = controller_per_chassis(controller, chassis)
            for c, impl in zip(self.state["chassis"], impls):
                if impl != "none":
                    self._start_controller(c, impl)
            if any(i != "none" for i in impls):
                self.wait_chassis_registered(timeout)
            self.check_alive()
        except BaseException:
            self.down()
            raise
        return self

    def _clean_old(self):
        """Removes what an earlier, stopped sandbox left in the directory
        (databases, logs, pcaps).  A non-empty directory that is not a
        sandbox is refused, never emptied."""
        if self.state is None:
            if os.path.isdir(self.root) and os.listdir(self.root):
                raise SandboxError("%s is not empty and holds no sandbox; choose an "
                                   "empty or new directory" % self.root)
            return
        for name in os.listdir(self.root):
            if layout.is_own_subdir(name):
                shutil.rmtree(os.path.join(self.root, name), ignore_errors=True)
        os.unlink(self.paths.state)
        self.state = None

    def _check_args(self, chassis, encap, northd, controller):
        if not isinstance(chassis, int) or not 1 <= chassis <= layout.MAX_CHASSIS:
            raise SandboxError("--chassis must be 1..%d, not %r" % (layout.MAX_CHASSIS, chassis))
        for e in encap.split(","):
            if e not in layout.ENCAPS:
                raise SandboxError("unknown encapsulation '%s' (choose from %s)"
                                   % (e, ", ".join(layout.ENCAPS)))
        for what, v in [("northd", northd)] + [
                ("controller", c) for c in set(controller_per_chassis(controller, chassis))]:
            if v not in COMPONENT_CHOICES:
                raise SandboxError("--%s must be one of %s, not '%s'"
                                   % (what, ", ".join(COMPONENT_CHOICES), v))
            if v == "py":
                procs.pyovn_command(what)       # raises if not built yet
        if len(self.paths.longest_socket()) > layout.SOCKET_PATH_MAX:
            raise SandboxError("sandbox directory %s is too long for unix sockets "
                               "(keep it under ~%d characters)"
                               % (self.root, layout.SOCKET_PATH_MAX - 25))

    def _record(self, name, prog, rundir, pidfile, log=None):
        entry = {"name": name, "prog": prog, "rundir": rundir, "pidfile": pidfile, "pid": None,
                 "log": log or os.path.join(rundir, prog + ".log")}
        self.state["processes"].append(entry)
        self._save()
        return entry

    def _start_db(self, rundir, kind, name, label):
        srv = server.DbServer(rundir, name, kind)
        entry = self._record(label, "ovsdb-server", rundir, srv.pidfile, srv.logfile)
        srv.start()
        entry["pid"] = srv.pid
        self._save()
        return srv

    def _start_central(self):
        d = self.paths.ovn
        nb = self._start_db(d, "nb", "ovnnb_db", "ovn/ovsdb-server-nb")
        sb = self._start_db(d, "sb", "ovnsb_db", "ovn/ovsdb-server-sb")
        self.state["nb_remote"] = nb.remote
        self.state["sb_remote"] = sb.remote
        self._save()

    def _init_globals(self):
        """Creates the NB_Global and SB_Global rows, as `ovn-nbctl init` and
        `ovn-sbctl init` do, before any daemon starts: ovn-controller
        23.03 crashes when it connects to a SB without SB_Global (which
        northd would create only a moment later)."""
        from pyovn.db.idl import Database
        for remote, kind, table in ((self.state["nb_remote"], "nb", "NB_Global"),
                                    (self.state["sb_remote"], "sb", "SB_Global")):
            db = Database(remote, kind, tables={table: None})

            def insert_if_missing(txn):
                if db.rows(table):
                    return False            # nothing to do
                txn.insert(db.tables[table])
            try:
                db.sync()
                db.transact(insert_if_missing)
            finally:
                db.close()

    def _start_vswitch(self, rundir, label):
        """ovsdb-server + ovs-vswitchd (dummy datapath) in RUNDIR."""
        db = self._start_db(rundir, "vswitch", "db", label + "/ovsdb-server")
        proc.run([proc.which("ovs-vsctl"), "--db=" + db.remote, "--no-wait", "init"])
        entry = self._record(label + "/ovs-vswitchd", "ovs-vswitchd", rundir,
                             os.path.join(rundir, "ovs-vswitchd.pid"))
        cmd = (procs.c_command("ovs-vswitchd") + ["--enable-dummy=system", "--disable-system"]
               + procs.common_args(rundir, "ovs-vswitchd")
               + (["-vvconn", "-vofproto_dpif"] if self.state["debug_logs"] else [])
               + [db.remote])
        procs.start(entry, cmd, rundir)
        self._save()
        return db.remote

    def _start_underlay(self):
        d = self.paths.underlay
        remote = self._start_vswitch(d, "underlay")
        self.state["underlay"] = {"rundir": d, "db": remote}
        self._save()
        self._vsctl(remote, "add-br", layout.UNDERLAY_BRIDGE)
        proc.run([proc.which("ovs-ofctl"), "add-flow",
                  "unix:" + os.path.join(d, layout.UNDERLAY_BRIDGE + ".mgmt"),
                  "priority=65535,dl_type=0x%04x,actions=drop" % layout.PROBE_ETHERTYPE])

    def _start_chassis(self, index, encap):
        name = layout.chassis_name(index)
        d = self.paths.chassis(name)
        remote = self._start_vswitch(d, name)
        rec = {"name": name, "index": index, "rundir": d, "db": remote,
               "ip": layout.chassis_ip(index), "mac": layout.chassis_mac(index)}
        self.state["chassis"].append(rec)
        self._save()
        ul = self.state["underlay"]["db"]
        port = name
        self._vsctl(ul, "add-port", layout.UNDERLAY_BRIDGE, port, "--", "set", "Interface", port,
                    "options:pstream=punix:" + self.paths.underlay_socket(name),
                    "options:rxq_pcap=" + self.paths.underlay_pcap(name, "rx"),
                    "options:tx_pcap=" + self.paths.underlay_pcap(name, "tx"))
        self._vsctl(remote,
                    "add-br", layout.PHYS_BRIDGE, "--",
                    "set", "Bridge", layout.PHYS_BRIDGE, "other-config:hwaddr=" + rec["mac"], "--",
                    "add-port", layout.PHYS_BRIDGE, layout.PHYS_PORT, "--",
                    "set", "Interface", layout.PHYS_PORT,
                    "options:stream=unix:" + self.paths.underlay_socket(name))
        cidr = "%s/%d" % (rec["ip"], layout.UNDERLAY_PREFIX)
        self.appctl(name, "netdev-dummy/ip4addr", layout.PHYS_BRIDGE, cidr)
        self.appctl(name, "ovs/route/add", cidr, layout.PHYS_BRIDGE)
        self._vsctl(remote,
                    "set", "Open_vSwitch", ".",
                    "external-ids:system-id=" + name,
                    "external-ids:hostname=" + name,
                    "external-ids:ovn-remote=" + self.state["sb_remote"],
                    "external-ids:ovn-encap-type=" + encap,
                    "external-ids:ovn-encap-ip=" + rec["ip"],
                    "external-ids:ovn-bridge-mappings=%s:%s" % (layout.PHYSNET,
                                                                 layout.PHYS_BRIDGE), "--",
                    "add-br", layout.INT_BRIDGE, "--",
                    "set", "Bridge", layout.INT_BRIDGE, "fail-mode=secure",
                    "other-config:disable-in-band=true")

    def _connect_underlay(self, timeout):
        """Waits until every chassis' wire is up at both ends (its stream
        is connected, and a probe frame it sends reaches the underlay
        switch), then gives each br-phys static neighbours (dummy bridges
        answer no ARP)."""
        for c in self.state["chassis"]:
            proc.wait_for(lambda: "connected" in self.appctl(
                c["name"], "netdev-dummy/conn-state", layout.PHYS_PORT),
                timeout, interval=0.05, what="%s underlay link" % c["name"])
            probe = pkt.compose([("eth", {"src": c["mac"], "dst": "ff:ff:ff:ff:ff:ff",
                                          "type": layout.PROBE_ETHERTYPE}),
                                 ("payload", {"text": "pyovn sandbox probe"})])
            self.appctl(c["name"], "netdev-dummy/receive", layout.PHYS_BRIDGE, probe.hex())
        for c in self.state["chassis"]:
            rx = self.paths.underlay_pcap(c["name"], "rx")
            proc.wait_for(lambda: any(_is_probe(f) for f in pkt.pcap.packets(rx)),
                          timeout, interval=0.02,
                          what="%s's probe at the underlay switch" % c["name"])
        for c in self.state["chassis"]:
            for peer in self.state["chassis"]:
                if peer is not c:
                    self.appctl(c["name"], "tnl/neigh/set", layout.PHYS_BRIDGE,
                                peer["ip"], peer["mac"])

    def _start_northd(self, impl):
        d = self.paths.ovn
        entry = self._record("ovn/northd", "ovn-northd", d, os.path.join(d, "ovn-northd.pid"))
        base = procs.c_command("ovn-northd") if impl == "c" else procs.pyovn_command("northd")
        cmd = base + procs.common_args(d, "ovn-northd") + [
            "--ovnnb-db=" + self.state["nb_remote"], "--ovnsb-db=" + self.state["sb_remote"]]
        procs.start(entry, cmd, d)
        self._save()

    def _start_controller(self, c, impl):
        d = c["rundir"]
        entry = self._record(c["name"] + "/controller", "ovn-controller", d,
                             os.path.join(d, "ovn-controller.pid"))
        base = (procs.c_command("ovn-controller") if impl == "c"
                else procs.pyovn_command("controller"))
        cmd = base + procs.common_args(d, "ovn-controller") + [c["db"]]
        procs.start(entry, cmd, d)
        self._save()

    # -- down / status ----------------------------------------------------------
    # -- the databases ----------------------------------------------------
    def nb_db(self):
        """A python-ovs IDL on the NB database (kept open)."""
        if self._nb_idl is None:
            from pyovn.db.idl import Database
            self._nb_idl = Database(self.nb_remote, "nb")
            self._nb_idl.sync()
        return self._nb_idl

    def wait_hv(self, timeout=30.0):
        """What `ovn-nbctl --wait=hv sync` does: bumps NB_Global.nb_cfg and
        waits until northd and every chassis report having caught up
        (NB_Global.hv_cfg), so flows for everything written before are
        installed everywhere."""
        db = self.nb_db()
        db.wait_until(lambda d: d.rows("NB_Global"), timeout)
        target = {}

        def bump(txn):
            g = db.rows("NB_Global")[0]
            target["cfg"] = g.nb_cfg + 1
            g.nb_cfg = target["cfg"]
        db.transact(bump)
        try:
            db.wait_until(lambda d: d.rows("NB_Global")[0].hv_cfg >= target["cfg"], timeout)
        except TimeoutError:
            raise TimeoutError("chassis did not catch up with nb_cfg %d within %.0fs "
                               "(are northd and the controllers running?)"
                               % (target["cfg"], timeout))

    def down(self):
        """Stops this sandbox's processes (found by pidfile, checked to be
        ours); returns [(name, pid)] stopped.  Safe to run again."""
        for attr in ("_sb_idl", "_nb_idl"):
            if getattr(self, attr) is not None:
                getattr(self, attr).close()
                setattr(self, attr, None)
        if self.state is None:
            return []
        entries = self.state.get("processes", [])
        # Controllers and northd first, then switches, databases last.
        order = {"ovn-controller": 0, "ovn-northd": 1, "ovs-vswitchd": 2, "ovsdb-server": 3}
        stopped = []
        for rank in range(4):
            group = [e for e in entries if order.get(e["prog"], 0) == rank]
            stopped += procs.stop_all(group, self.root)
        self.state["stopped"] = True
        self._save()
        return stopped

    def dead(self):
        """[(process name, log file)] of processes that should run but do not."""
        out = []
        for e in (self.state or {}).get("processes", []):
            pid = proc.read_pidfile(e["pidfile"]) or e.get("pid")
            if not (pid and procs.is_ours(pid, self.root)):
                out.append((e["name"], e["log"]))
        return out

    def check_alive(self):
        """Raises SandboxError naming each process that died (and its log)."""
        dead = self.dead()
        if dead:
            raise SandboxError("not running: %s" % "; ".join(
                "%s (see %s)" % d for d in dead))

    def status(self):
        """[{name, pid, running}] for each process of the sandbox."""
        out = []
        for e in self._require_state()["processes"]:
            pid = proc.read_pidfile(e["pidfile"])
            out.append({"name": e["name"], "pid": pid or e.get("pid"),
                        "running": bool(pid and procs.is_ours(pid, self.root))})
        return out

    # -- talking to the chassis ---------------------------------------------
    def _vsctl(self, remote, *args):
        return proc.run([proc.which("ovs-vsctl"), "--db=" + remote, "--timeout=30"] + list(args))

    def vsctl(self, chassis, *args):
        """Runs ovs-vsctl against CHASSIS' database."""
        return self._vsctl(self.chassis(chassis)["db"], *args)

    def vswitchd_ctl(self, chassis):
        rundir = (self.paths.underlay if chassis == "underlay"
                  else self.chassis(chassis)["rundir"])
        pid = proc.read_pidfile(os.path.join(rundir, "ovs-vswitchd.pid"))
        if not pid:
            raise SandboxError("ovs-vswitchd of %s is not running" % chassis)
        return procs.ctl_path(rundir, "ovs-vswitchd", pid)

    def appctl(self, chassis, *args):
        """Runs an ovs-appctl command on CHASSIS' ovs-vswitchd."""
        return proc.run([proc.which("ovs-appctl"), "-t", self.vswitchd_ctl(chassis)]
                        + list(args))

    def env(self, chassis=None):
        """Environment for a shell in the sandbox: OVN_NB_DB, OVN_SB_DB and
        the OVS/OVN directories of CHASSIS (default: the first)."""
        st = self._require_state()
        c = self.chassis(chassis or st["chassis"][0]["name"]) if st["chassis"] else None
        env = procs.daemon_env(c["rundir"] if c else self.paths.ovn)
        env["OVN_NB_DB"] = st["nb_remote"]
        env["OVN_SB_DB"] = st["sb_remote"]
        env["PYOVN_SANDBOX"] = self.root
        bindir = os.path.dirname(sys.executable)
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        return env

    # -- VIFs and packets -----------------------------------------------------
    def add_vif(self, chassis, name, iface_id, mac=None):
        """Adds dummy interface NAME on CHASSIS' br-int, bound to logical
        port IFACE_ID, with pcap captures in the chassis directory."""
        st = self._require_state()
        c = self.chassis(chassis)
        if name in st["vifs"]:
            raise SandboxError("VIF '%s' exists already (on %s)" % (name, st["vifs"][name]["chassis"]))
        if not name or len(name) > 15 or "/" in name:
            raise SandboxError("VIF name '%s' must be 1..15 characters without '/'" % name)
        tx = self.paths.vif_pcap(c["name"], name, "tx")
        rx = self.paths.vif_pcap(c["name"], name, "rx")
        args = ["add-port", layout.INT_BRIDGE, name, "--", "set", "Interface", name,
                "external-ids:iface-id=" + iface_id, "options:tx_pcap=" + tx,
                "options:rxq_pcap=" + rx]
        if mac:
            args.append("external-ids:attached-mac=" + pkt.fields.mac_str(pkt.fields.mac_bytes(mac)))
        self.vsctl(c["name"], *args)
        st["vifs"][name] = {"chassis": c["name"], "iface_id": iface_id, "tx_pcap": tx,
                            "rx_pcap": rx}
        self._save()
        return st["vifs"][name]

    def vif(self, name):
        try:
            return self._require_state()["vifs"][name]
        except KeyError:
            raise SandboxError("no VIF '%s' in this sandbox (VIFs: %s)"
                               % (name, ", ".join(sorted(self.state["vifs"])) or "none"))

    def inject(self, vif, packet):
        """Sends PACKET (bytes, hex, or a description) into OVS as if VIF's
        VM sent it.  Returns the bytes sent."""
        v = self.vif(vif)
        data = pkt.compose(packet)
        self.appctl(v["chassis"], "netdev-dummy/receive", vif, data.hex())
        return data

    def received(self, vif):
        """The packets OVS delivered to VIF so far, decoded."""
        return [pkt.decode(d) for d in pkt.pcap.packets(self.vif(vif)["tx_pcap"])]

    def sent(self, vif):
        """The packets injected at VIF so far, decoded."""
        return [pkt.decode(d) for d in pkt.pcap.packets(self.vif(vif)["rx_pcap"])]

    def underlay(self, chassis, direction="rx"):
        """What crossed the underlay wire of CHASSIS: "rx" = sent by the
        chassis, "tx" = delivered to it.  Decoded outer packets."""
        if direction not in ("rx", "tx"):
            raise SandboxError("direction must be rx or tx, not '%s'" % direction)
        name = self.chassis(chassis)["name"]
        return [pkt.decode(d) for d in pkt.pcap.packets(self.paths.underlay_pcap(name, direction))
                if not _is_probe(d)]

    def wait_received(self, vif, count=1, match=None, timeout=10.0):
        """Polls until VIF has received COUNT packets (that satisfy MATCH, a
        function of a decoded Packet, if given); returns them."""
        def ready():
            got = [p for p in self.received(vif) if match is None or match(p)]
            return got if len(got) >= count else None
        return proc.wait_for(ready, timeout, interval=0.05,
                             what="%d packet(s) at VIF %s" % (count, vif))

    # -- southbound -----------------------------------------------------------
    def sb_db(self):
        """A python-ovs IDL on the SB database (kept open)."""
        if self._sb_idl is None:
            from pyovn.db.idl import Database
            self._sb_idl = Database(self.sb_remote, "sb",
                                    tables={"Chassis": ["name", "encaps"],
                                            "Port_Binding": ["logical_port", "chassis", "up"]})
            self._sb_idl.sync()
        return self._sb_idl

    def wait_chassis_registered(self, timeout=30.0):
        want = set(self.chassis_names())
        db = self.sb_db()
        db.wait_until(lambda d: want <= {c.name for c in d.rows("Chassis")}, timeout)

    def wait_port_up(self, logical_port, timeout=30.0):
        """Waits until the SB Port_Binding of LOGICAL_PORT is bound to a
        chassis and up; returns the chassis name."""
        db = self.sb_db()

        def up(d):
            for pb in d.find("Port_Binding", logical_port=logical_port):
                if pb.chassis and pb.up == [True]:
                    return pb.chassis[0].name
            return None
        try:
            return db.wait_until(up, timeout)
        except TimeoutError:
            dead = "; ".join("%s died (see %s)" % d for d in self.dead())
            raise TimeoutError("logical port %s not up within %.0fs%s"
                               % (logical_port, timeout, ": " + dead if dead else ""))
