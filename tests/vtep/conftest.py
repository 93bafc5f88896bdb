"""A small VTEP lab on real Open vSwitch: one ovs-vswitchd (dummy
datapath), its Open_vSwitch database, and any number of emulated VTEPs,
each with its own hardware_vtep database, Physical_Switch bridge with
dummy "bare-metal" ports (pcap capture), an underlay bridge with its own
tunnel IP, and a `pyovn vtep` daemon.

Underlay: every VTEP's underlay bridge is patched to one hub bridge
(static flows by destination MAC), has its IP on the dummy netdev, a /32 route to every
other VTEP selected by the VTEP's packet mark (its VXLAN ports get
egress_pkt_mark through `pyovn vtep --tunnel-option`: routes are global
to ovs-vswitchd) and static tunnel neighbours, so VXLAN is really encapsulated
and decapsulated by OVS's userspace tunnel code between the VTEPs.
"""

import io
import os
import sys

import pytest

from pyovn.ctl import vtepctl
from pyovn.packet import pcap
from pyovn.util import proc


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def frame(dst, src, marker, vlan=None):
    """An Ethernet frame with a recognisable payload MARKER (str)."""
    tag = b""
    if vlan is not None:
        tag = b"\x81\x00" + vlan.to_bytes(2, "big")
    payload = marker.encode().ljust(46, b".")
    return mac_bytes(dst) + mac_bytes(src) + tag + b"\x88\xb5" + payload


class Vtep:
    def __init__(self, lab, name, index, ports):
        # PORTS: names of the bare-metal ports; unique in the whole lab
        # (interface names are global to ovs-vswitchd).
        self.lab = lab
        self.name = name                      # PS name and OVS bridge
        self.ip = "10.0.%d.1" % index
        self.hwaddr = "aa:55:aa:55:00:%02x" % index
        self.ul = "ul%d" % index
        self.ports = ports
        self.index = index
        self.db = lab.ovsdb("vtep", name="vtep-" + name)
        self.pid = None

    def pcap_path(self, port):
        return os.path.join(self.lab.rundir, "%s-%s.pcap" % (self.name, port))

    def vtepctl(self, *args):
        out, err = io.StringIO(), io.StringIO()
        status = vtepctl.main(["--db=" + self.db.remote] + list(args),
                              stdout=out, stderr=err)
        assert status == 0, err.getvalue()
        return out.getvalue()

    def start(self, mac_age=300):
        rundir = self.lab.rundir
        cmd = [sys.executable, "-m", "pyovn.cli", "vtep", "--detach",
               "--no-chdir", "--pidfile=%s/%s.vtep.pid" % (rundir, self.name),
               "--log-file=%s/%s.vtep.log" % (rundir, self.name),
               "--unixctl=%s/%s.vtep.ctl" % (rundir, self.name),
               "-vconsole:off", "-vfile:dbg",
               "--vtep-db=" + self.db.remote,
               "--ovs-db=" + self.lab.ovs.remote,
               "--ovs-rundir=" + rundir, "--mac-age=%d" % mac_age,
               # One ovs-vswitchd carries every VTEP of the lab: the mark
               # selects this VTEP's underlay route (and source address).
               "--tunnel-option=egress_pkt_mark=%d" % self.index, self.name]
        env = dict(os.environ, OVS_RUNDIR=rundir, OVS_LOGDIR=rundir)
        proc.run(cmd, env=env)
        self.pid = proc.read_pidfile("%s/%s.vtep.pid" % (rundir, self.name))
        assert proc.pid_alive(self.pid)

    def stop(self):
        if self.pid:
            proc.stop_pid(self.pid)
            self.pid = None

    def appctl(self, *args):
        return proc.run([proc.which("ovs-appctl"), "-t",
                         "%s/%s.vtep.ctl" % (self.lab.rundir, self.name)]
                        + list(args))

    def send(self, port, data):
        self.lab.vs_appctl("netdev-dummy/receive", port, data.hex())

    def received(self, port):
        return [r.data for r in pcap.read(self.pcap_path(port))]


class Lab:
    def __init__(self, rundir, ovsdb):
        self.rundir = rundir
        self.ovsdb = ovsdb
        self.vteps = []
        self.underlays = []
        self.env = dict(os.environ, OVS_RUNDIR=rundir, OVS_LOGDIR=rundir,
                        OVS_DBDIR=rundir)
        self.ovs = ovsdb("vswitch", name="conf")
        self.vsctl("--no-wait", "init")
        self.vs_pidfile = os.path.join(rundir, "ovs-vswitchd.pid")
        self.vs_ctl = os.path.join(rundir, "ovs-vswitchd.ctl")
        proc.run([proc.which("ovs-vswitchd"), "--detach", "--no-chdir",
                  "--pidfile=" + self.vs_pidfile,
                  "--log-file=%s/ovs-vswitchd.log" % rundir,
                  "--unixctl=" + self.vs_ctl, "--enable-dummy=system",
                  "--disable-system", "-vconsole:off", self.ovs.remote],
                 env=self.env)
        self.vsctl("add-br", "hub", "--", "set", "bridge", "hub",
                   "datapath_type=dummy", "fail-mode=secure")

    def attach_underlay(self, ul, hwaddr):
        """Patches underlay bridge UL to the hub and makes the hub deliver
        frames for HWADDR to it only.  (A learning hub would flood frames
        to MACs it has not seen yet to every underlay; with no local_ip on
        the tunnel ports every VTEP would then decapsulate them, and
        frames would arrive twice.)"""
        self.vsctl("--", "add-port", ul, ul + "-hub", "--", "set",
                   "interface", ul + "-hub", "type=patch",
                   "options:peer=hub-" + ul,
                   "--", "add-port", "hub", "hub-" + ul, "--", "set",
                   "interface", "hub-" + ul, "type=patch",
                   "options:peer=" + ul + "-hub",
                   "--", "set", "interface", "hub-" + ul,
                   "ofport_request=%d" % (len(self.underlays) + 1))
        self.underlays.append(ul)
        port = len(self.underlays)
        proc.run([proc.which("ovs-ofctl"), "add-flow",
                  "unix:%s/hub.mgmt" % self.rundir,
                  "dl_dst=%s,actions=output:%d" % (hwaddr, port)])

    def add_hypervisor_underlay(self, gw, ip, hwaddr, ul="ulhv"):
        """A hypervisor's underlay: bridge UL with address IP on the hub,
        and routes and static neighbours both ways between it and VTEP GW
        (the hypervisor's side without a packet mark: ovn-controller's
        tunnels set none)."""
        self.vsctl("add-br", ul, "--", "set", "bridge", ul,
                   "datapath_type=dummy", "other-config:hwaddr=" + hwaddr)
        self.attach_underlay(ul, hwaddr)
        self.vs_appctl("netdev-dummy/ip4addr", ul, ip + "/16")
        self.vs_appctl("ovs/route/add", gw.ip + "/32", ul)
        self.vs_appctl("tnl/neigh/set", ul, gw.ip, gw.hwaddr)
        self.vs_appctl("ovs/route/add", ip + "/32", gw.ul, "pkt_mark=%d" % gw.index)
        self.vs_appctl("tnl/neigh/set", gw.ul, ip, hwaddr)

    def vsctl(self, *args):
        return proc.run([proc.which("ovs-vsctl"), "--timeout=30",
                         "--db=" + self.ovs.remote] + list(args),
                        env=self.env)

    def vs_appctl(self, *args):
        return proc.run([proc.which("ovs-appctl"), "-t", self.vs_ctl]
                        + list(args))

    def add_vtep(self, name, ports):
        index = len(self.vteps) + 1
        v = Vtep(self, name, index, ports)
        cmds = ["add-br", v.ul, "--", "set", "bridge", v.ul,
                "datapath_type=dummy", "other-config:hwaddr=" + v.hwaddr,
                "--", "add-br", name, "--", "set", "bridge", name,
                "datapath_type=dummy"]
        for port in ports:
            cmds += ["--", "add-port", name, port, "--", "set", "interface",
                     port, "type=dummy", "options:tx_pcap=" + v.pcap_path(port),
                     "options:rxq_pcap=%s.rx" % v.pcap_path(port)]
        self.vsctl(*cmds)
        self.attach_underlay(v.ul, v.hwaddr)
        self.vs_appctl("netdev-dummy/ip4addr", v.ul, v.ip + "/16")
        for other in self.vteps:
            self.vs_appctl("ovs/route/add", other.ip + "/32", v.ul,
                           "pkt_mark=%d" % v.index)
            self.vs_appctl("ovs/route/add", v.ip + "/32", other.ul,
                           "pkt_mark=%d" % other.index)
            self.vs_appctl("tnl/neigh/set", v.ul, other.ip, other.hwaddr)
            self.vs_appctl("tnl/neigh/set", other.ul, v.ip, v.hwaddr)
        args = ["add-ps", name, "--", "set", "Physical_Switch", name,
                "tunnel_ips=" + v.ip]
        for port in ports:
            args += ["--", "add-port", name, port]
        v.vtepctl(*args)
        self.vteps.append(v)
        return v

    def stop(self):
        for v in self.vteps:
            v.stop()
        pid = proc.read_pidfile(self.vs_pidfile)
        if proc.pid_alive(pid):
            try:
                self.vs_appctl("exit")
                proc.wait_for(lambda: not proc.pid_alive(pid), 10,
                              what="ovs-vswitchd to exit")
            except (proc.ProcError, TimeoutError):
                proc.stop_pid(pid)


@pytest.fixture
def lab(rundir, ovsdb):
    lab = Lab(rundir, ovsdb)
    yield lab
    lab.stop()


def wait_ready(*vteps, expect=()):
    """Waits until every VTEP daemon has installed its flows, its logical
    switch bridges are connected to it, and its `vtep/show` contains each
    string of EXPECT; then makes ovs-vswitchd revalidate its datapath flows
    so that injected packets see the new tables."""
    def ready():
        for v in vteps:
            try:
                out = v.appctl("vtep/show")
            except proc.ProcError:
                return False
            if "flows: installed" not in out or "not connected" in out:
                return False
            if v.name in dict(expect):
                if any(s not in out for s in dict(expect)[v.name]):
                    return False
        return True

    proc.wait_for(ready, 30, what="VTEP emulators to be ready")
    vteps[0].lab.vs_appctl("revalidator/purge")


def count(v, port, marker):
    """How many frames with payload MARKER port PORT of VTEP V sent out."""
    return sum(1 for data in v.received(port) if marker.encode() in data)
