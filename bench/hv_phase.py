"""One simulated hypervisor "hv1" on a deployment: ovsdb-server (Open_vSwitch
schema), ovs-vswitchd on the dummy datapath, and the controller of the
deployment's implementation (C ovn-controller, or `pyovn controller`).

Measured (see docs/bench.md): cold start until Chassis_Private.nb_cfg
acknowledges a freshly bumped nb_cfg, then `nbctl --wait=hv sync`;
OpenFlow flows on br-int; binding P-1 VIFs of ls0 in one ovs-vsctl
transaction until `--wait=hv sync` returns; binding one more VIF, and
`lsp-add` + `lsp-set-addresses`, each with --wait=hv; a restart with the
VIFs bound; controller CPU and VmHWM; ovs-vswitchd VmHWM.
"""

import os
import time

from pyovn.db import idl, server
from pyovn.util import proc

from bench.deploy import Daemon, NotReady, daemon_env, pyovn_command
from bench.measure import proc_status
from bench.northd_phase import INC_OPS

CHASSIS = "hv1"


class Hypervisor:
    def __init__(self, dep, impl):
        self.dep = dep
        self.impl = impl
        self.dir = os.path.join(dep.rundir, "hv")
        os.makedirs(self.dir, exist_ok=True)
        self.env = daemon_env(self.dir)
        self.db = None
        self.vswitchd = None
        self.controller = None
        self._sbmon = None

    def vsctl(self, *args):
        return proc.run([proc.which("ovs-vsctl"), "--db=" + self.db.remote, "--timeout=120"]
                        + list(args), env=self.env, timeout=180)

    def start_switch(self):
        self.db = server.start_server(self.dir, "vswitch")
        self.vsctl("--no-wait", "init")
        self.vsctl("--no-wait", "add-br", "br-int", "--",
                   "set", "Bridge", "br-int", "datapath_type=dummy", "fail-mode=secure",
                   "other-config:disable-in-band=true", "--",
                   "set", "Open_vSwitch", ".",
                   "external_ids:system-id=" + CHASSIS,
                   "external_ids:hostname=" + CHASSIS,
                   "external_ids:ovn-remote=" + self.dep.sb.remote,
                   "external_ids:ovn-encap-type=geneve",
                   "external_ids:ovn-encap-ip=127.0.0.1",
                   "external_ids:ovn-bridge-datapath-type=dummy")
        argv = [proc.which("ovs-vswitchd"), "--enable-dummy=system", "--disable-system",
                "--disable-system-route",
                "--unixctl=" + os.path.join(self.dir, "ovs-vswitchd.ctl"),
                "--pidfile=" + os.path.join(self.dir, "ovs-vswitchd.pid"),
                "--log-file=" + os.path.join(self.dir, "ovs-vswitchd.log"),
                "-vconsole:off", self.db.remote]
        self.vswitchd = Daemon("ovs-vswitchd", argv, self.dir, self.env).start()
        mgmt = os.path.join(self.dir, "br-int.mgmt")
        proc.wait_for(lambda: os.path.exists(mgmt), 30, what="br-int.mgmt")

    def start_controller(self):
        prog = (pyovn_command() + ["controller"]) if self.impl == "py" else \
            [proc.which("ovn-controller")]
        argv = prog + [self.db.remote,
                       "--pidfile=" + os.path.join(self.dir, "ovn-controller.pid"),
                       "--log-file=" + os.path.join(self.dir, "ovn-controller.log"),
                       "-vconsole:off"]
        self.controller = Daemon("ovn-controller", argv, self.dir, self.env).start()
        return self.controller

    def flow_count(self):
        out = proc.run([proc.which("ovs-ofctl"), "dump-aggregate",
                        "unix:" + os.path.join(self.dir, "br-int.mgmt")],
                       env=self.env, timeout=600)
        for tok in out.split():
            if tok.startswith("flow_count="):
                return int(tok.split("=", 1)[1])
        return None

    def sb_monitor(self):
        if self._sbmon is None:
            self._sbmon = idl.Database(self.dep.sb.remote, "sb", tables={
                "Chassis_Private": ["name", "nb_cfg"]}).sync()
        return self._sbmon

    def cold_start(self, timeout):
        """Bumps nb_cfg, waits for northd, starts the controller and waits
        for its acknowledgement.  Returns the seconds from exec to ack."""
        target = self.dep.bump_nb_cfg()
        self.dep.wait_cfg("sb_cfg", target, timeout, [self.dep.northd])
        sb = self.sb_monitor()
        t0 = time.perf_counter()
        ctl = self.start_controller()
        self.dep._wait(sb, lambda d: any(r.name == CHASSIS and r.nb_cfg >= target
                                         for r in d.rows("Chassis_Private")),
                       timeout, [ctl, self.vswitchd, self.dep.northd],
                       "Chassis_Private %s nb_cfg >= %d" % (CHASSIS, target))
        return time.perf_counter() - t0

    def wait_hv(self):
        return self.dep.run_nbctl(self.impl, ["sync"], wait="hv")

    def stop(self):
        if self._sbmon is not None:
            self._sbmon.close()
        for d in (self.controller, self.vswitchd):
            if d is not None:
                d.stop()
        if self.db is not None:
            self.db.stop()


def run(dep, impl, res, n_ports, reps, timeout, log):
    """Measures into RES (a NorthdResult).  The pyovn side is skipped, with
    a note, while `pyovn controller` does not exist."""
    from bench.deploy import pyovn_part_built
    if impl == "py" and not pyovn_part_built("controller"):
        res.notes.append("pyovn controller is not built yet: the hypervisor "
                         "figures of the pyovn column are not measured")
        return
    if not res.northd_ok:
        res.notes.append("hypervisor skipped: this deployment's northd does not work")
        return
    hv = Hypervisor(dep, impl)
    try:
        hv.start_switch()
        t_ack = hv.cold_start(timeout)
        log("controller acknowledged nb_cfg %.3fs after exec; nbctl --wait=hv sync"
            % t_ack)
        res.put("hv_ack", t_ack)
        t0 = time.perf_counter()
        hv.wait_hv()
        res.put("hv_ack_sync", t_ack + time.perf_counter() - t0)
        res.put("hv_flows", hv.flow_count())
        log("--wait=hv sync returned; %s flows on br-int" % res.metrics["hv_flows"].median)
        nbind = max(0, n_ports - 1)
        if nbind:
            cmd = ["--no-wait"]
            for j in range(nbind):
                cmd += ["--", "add-port", "br-int", "vif%d" % j, "--", "set", "Interface",
                        "vif%d" % j, "type=dummy", "external_ids:iface-id=ls0-p%d" % j]
            t0 = time.perf_counter()
            hv.vsctl(*cmd)
            hv.wait_hv()
            res.put("hv_bind_all", time.perf_counter() - t0)
            res.put("hv_flows_bound", hv.flow_count())
        if nbind < n_ports:
            bind = []
            for _ in range(reps):
                t0 = time.perf_counter()
                hv.vsctl("--no-wait", "add-port", "br-int", "vifx", "--", "set", "Interface",
                         "vifx", "type=dummy", "external_ids:iface-id=ls0-p%d" % nbind)
                hv.wait_hv()
                bind.append(time.perf_counter() - t0)
                hv.vsctl("--no-wait", "del-port", "br-int", "vifx")
                hv.wait_hv()
            res.put("hv_bind1", bind)
        lsp = []
        for _ in range(reps):
            lsp.append(dep.run_nbctl(impl, INC_OPS["lsp_add"], wait="hv"))
            dep.run_nbctl(impl, INC_OPS["lsp_del"], wait="hv")
        res.put("hv_lsp_add", lsp)
        restarts, cpu, hwm = [], [], []
        for _ in range(reps):
            hv.controller.stop()
            restarts.append(hv.cold_start(timeout))
            st = hv.controller.status()
            cpu.append(st.get("cpu_s"))
            hwm.append(st.get("VmHWM"))
        res.put("hv_restart", restarts)
        res.put("hv_restart_cpu", cpu)
        res.put("hv_hwm", hwm)
        res.put("hv_vswitchd_hwm", proc_status(hv.vswitchd.pid).get("VmHWM"))
        log("hypervisor done")
    except (NotReady, proc.ProcError, TimeoutError) as e:
        res.notes.append("hypervisor (%s controller) stopped: %s"
                         % ("pyovn" if impl == "py" else "C", e))
        log(res.notes[-1])
    finally:
        hv.stop()
