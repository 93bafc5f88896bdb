"""pyovn controller-vtep: the eight steps of "Life Cycle of a VTEP
gateway", each checked in both databases.  The C ovn-northd compiles the
northbound database (test-only peer); the C ovn-nbctl / ovn-sbctl play the
CMS and a hypervisor's ovn-controller (chassis registration, port
binding)."""

import os
import shutil
import sys

import pytest

from pyovn.db.idl import Database
from pyovn.util import proc

pytestmark = pytest.mark.peer

HV_IP = "192.168.0.10"
HV2_IP = "192.168.0.11"
PS_IP = "192.168.0.2"


def need(prog):
    path = shutil.which(prog)
    if path is None:
        pytest.skip("%s not installed" % prog)
    return path


class Env:
    def __init__(self, rundir, ovsdb):
        self.rundir = rundir
        self.nb = ovsdb("nb")
        self.sb = ovsdb("sb")
        self.vtep = ovsdb("vtep")
        self.northd_pid = os.path.join(rundir, "ovn-northd.pid")
        proc.run([need("ovn-northd"), "--detach", "--no-chdir",
                  "--pidfile=" + self.northd_pid,
                  "--log-file=%s/ovn-northd.log" % rundir,
                  "--unixctl=%s/ovn-northd.ctl" % rundir,
                  "--ovnnb-db=" + self.nb.remote,
                  "--ovnsb-db=" + self.sb.remote])
        self.cv_pid = None

    def nbctl(self, *args):
        return proc.run([need("ovn-nbctl"), "--db=" + self.nb.remote]
                        + list(args))

    def sbctl(self, *args):
        return proc.run([need("ovn-sbctl"), "--db=" + self.sb.remote]
                        + list(args))

    def vtepctl(self, *args):
        import io
        from pyovn.ctl import vtepctl
        out, err = io.StringIO(), io.StringIO()
        assert vtepctl.main(["--db=" + self.vtep.remote] + list(args),
                            stdout=out, stderr=err) == 0, err.getvalue()
        return out.getvalue()

    @property
    def ctl(self):
        return os.path.join(self.rundir, "cv.ctl")

    def start_cv(self):
        pidfile = os.path.join(self.rundir, "cv.pid")
        proc.run([sys.executable, "-m", "pyovn.cli", "controller-vtep",
                  "--detach", "--no-chdir", "--pidfile=" + pidfile,
                  "--log-file=%s/cv.log" % self.rundir, "--unixctl=" + self.ctl,
                  "-vconsole:off", "--vtep-db=" + self.vtep.remote,
                  "--ovnsb-db=" + self.sb.remote],
                 env=dict(os.environ, OVN_RUNDIR=self.rundir,
                          OVS_RUNDIR=self.rundir))
        self.cv_pid = proc.read_pidfile(pidfile)

    def exit_cv(self):
        proc.run([need("ovs-appctl"), "-t", self.ctl, "exit"])
        proc.wait_for(lambda: not proc.pid_alive(self.cv_pid), 10,
                      what="controller-vtep to exit")
        self.cv_pid = None

    def stop(self):
        if self.cv_pid:
            proc.stop_pid(self.cv_pid)
        proc.stop_pid(proc.read_pidfile(self.northd_pid))

    def log(self):
        with open(os.path.join(self.rundir, "cv.log")) as f:
            return f.read()


@pytest.fixture
def env(rundir, ovsdb):
    e = Env(rundir, ovsdb)
    yield e
    e.stop()


def wait_db(db_server, kind, predicate, what):
    db = Database(db_server.remote, kind).sync()
    try:
        return db.wait_until(predicate, timeout=15)
    except TimeoutError:
        raise AssertionError("timed out waiting for " + what)
    finally:
        db.close()


def chassis(db, name):
    return db.find_one("Chassis", name=name)


def test_life_cycle_of_a_vtep_gateway(env):
    # The OVN side: a logical network with a VM port bound on hypervisor
    # hv1 and a vtep port toward VTEP logical switch vls1 on ps1.
    env.nbctl("ls-add", "net1", "--", "lsp-add", "net1", "vm1", "--",
              "lsp-set-addresses", "vm1", "00:00:00:00:00:01 10.0.0.1", "--",
              "lsp-add", "net1", "gw1", "--", "lsp-set-type", "gw1", "vtep",
              "--", "lsp-set-options", "gw1", "vtep-physical-switch=ps1",
              "vtep-logical-switch=vls1", "--",
              "lsp-set-addresses", "gw1", "unknown")
    env.sbctl("chassis-add", "hv1", "vxlan", HV_IP)
    env.sbctl("chassis-add", "hv2", "vxlan", HV2_IP)
    wait_db(env.sb, "sb", lambda db: db.find_one("Port_Binding",
                                                 logical_port="vm1"),
            "northd to create the port bindings")
    env.sbctl("lsp-bind", "vm1", "hv1")
    # The VTEP side.
    env.vtepctl("add-ps", "ps1", "--", "set", "Physical_Switch", "ps1",
                "tunnel_ips=" + PS_IP, "--", "add-port", "ps1", "p1", "--",
                "add-ls", "vls1", "--", "bind-ls", "ps1", "p1", "0", "vls1")
    # A relay locator written by someone else must survive.
    env.vtepctl("add-mcast-remote", "vls1", "unknown-dst", "10.9.0.1", "100",
                "level1")
    env.start_cv()

    # 1. Chassis with a vxlan encap on the tunnel IP; 2. its VTEP switches.
    def registered(db):
        c = chassis(db, "ps1")
        return c is not None and [(e.type, e.ip) for e in c.encaps] == \
            [("vxlan", PS_IP)] and c.vtep_logical_switches == ["vls1"] and \
            c.other_config.get("is-vtep") == "true"
    wait_db(env.sb, "sb", registered, "chassis ps1")

    # 3. The vtep port binding is bound to it.
    def bound(db):
        pb = db.find_one("Port_Binding", logical_port="gw1")
        return pb is not None and pb.chassis and pb.chassis[0].name == "ps1"
    wait_db(env.sb, "sb", bound, "gw1 bound to ps1")
    sb = Database(env.sb.remote, "sb").sync()
    dp_key = sb.find_one("Port_Binding", logical_port="gw1").datapath \
        .tunnel_key
    sb.close()

    # 4. tunnel key; 5. the VM's MAC at hv1; 6. unknown-dst at every
    # hypervisor, the relay kept.
    def vtep_done(db):
        ls = db.find_one("Logical_Switch", name="vls1")
        return ls is not None and ls.tunnel_key == [dp_key] and \
            "00:00:00:00:00:01 -> vxlan_over_ipv4/%s" % HV_IP in \
            env.vtepctl("list-remote-macs", "vls1")
    wait_db(env.vtep, "vtep", vtep_done, "VTEP tunnel key and MACs")
    assert env.vtepctl("list-remote-macs", "vls1") == (
        "ucast-mac-remote\n"
        "  00:00:00:00:00:01 -> vxlan_over_ipv4/%s\n\n"
        "mcast-mac-remote\n"
        "  unknown-dst -> vxlan_over_ipv4/10.9.0.1 100 level1\n"
        "  unknown-dst -> vxlan_over_ipv4/%s\n"
        "  unknown-dst -> vxlan_over_ipv4/%s\n\n" % (HV_IP, HV_IP, HV2_IP))

    # A VM moving to hv2 moves its remote MAC.
    env.sbctl("lsp-unbind", "vm1", "--", "lsp-bind", "vm1", "hv2")
    wait_db(env.vtep, "vtep", lambda db: "00:00:00:00:00:01 -> "
            "vxlan_over_ipv4/%s\n" % HV2_IP in env.vtepctl(
                "list-remote-macs", "vls1"), "MAC moved to hv2")

    # 7. The same VTEP logical switch bound to a second OVN network.
    env.nbctl("ls-add", "net2", "--", "lsp-add", "net2", "gw2", "--",
              "lsp-set-type", "gw2", "vtep", "--", "lsp-set-options", "gw2",
              "vtep-physical-switch=ps1", "vtep-logical-switch=vls1")
    proc.wait_for(lambda: "bound to 2 OVN logical networks" in env.log(), 15,
                  what="the warning")
    sb = Database(env.sb.remote, "sb").sync()
    gw2 = sb.find_one("Port_Binding", logical_port="gw2")
    assert gw2 is not None and not gw2.chassis   # the first network wins
    sb.close()

    # 8a. Unregistering the switch: chassis and bindings go.
    env.vtepctl("del-ps", "ps1")

    def gone(db):
        pb = db.find_one("Port_Binding", logical_port="gw1")
        return chassis(db, "ps1") is None and not pb.chassis
    wait_db(env.sb, "sb", gone, "chassis ps1 removed")
    assert wait_db(env.vtep, "vtep", lambda db: db.find_one(
        "Logical_Switch", name="vls1").tunnel_key == [], "key cleared")


def test_exit_cleans_both_databases(env):
    env.nbctl("ls-add", "net1", "--", "lsp-add", "net1", "vm1", "--",
              "lsp-set-addresses", "vm1", "00:00:00:00:00:01", "--",
              "lsp-add", "net1", "gw1", "--", "lsp-set-type", "gw1", "vtep",
              "--", "lsp-set-options", "gw1", "vtep-physical-switch=ps1",
              "vtep-logical-switch=vls1")
    env.sbctl("chassis-add", "hv1", "vxlan", HV_IP)
    wait_db(env.sb, "sb", lambda db: db.find_one("Port_Binding",
                                                 logical_port="vm1"),
            "northd")
    env.sbctl("lsp-bind", "vm1", "hv1")
    env.vtepctl("add-ps", "ps1", "--", "set", "Physical_Switch", "ps1",
                "tunnel_ips=" + PS_IP, "--", "add-port", "ps1", "p1", "--",
                "add-ls", "vls1", "--", "bind-ls", "ps1", "p1", "0", "vls1")
    env.start_cv()
    wait_db(env.vtep, "vtep", lambda db: "00:00:00:00:00:01" in env.vtepctl(
        "list-remote-macs", "vls1"), "MACs written")
    env.exit_cv()
    sb = Database(env.sb.remote, "sb").sync()
    try:
        assert chassis(sb, "ps1") is None
        assert chassis(sb, "hv1") is not None          # not ours
        assert not sb.find_one("Port_Binding", logical_port="gw1").chassis
    finally:
        sb.close()
    assert env.vtepctl("list-remote-macs", "vls1") == \
        "ucast-mac-remote\n\nmcast-mac-remote\n\n"
    assert env.vtepctl("get", "Logical_Switch", "vls1", "tunnel_key") == "[]\n"
