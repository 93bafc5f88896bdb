"""Fixtures for the tracer: an SB written by C ovn-northd 23.03 (a test-only
peer) for a small topology with two switches, a router, port security,
an ACL, a load balancer and two chassis the ports are bound to."""

import shutil
import subprocess

import pytest

from pyovn.trace.sbdata import SbView

NEEDED = ("ovn-northd", "ovn-nbctl", "ovn-sbctl")

# port name, switch, MAC, IP, port security?
VIFS = [
    ("lp11", "ls1", "00:00:00:00:01:11", "192.168.1.11", True),
    ("lp12", "ls1", "00:00:00:00:01:12", "192.168.1.12", True),
    ("lp13", "ls1", "00:00:00:00:01:13", "192.168.1.13", False),
    ("lp21", "ls2", "00:00:00:00:02:21", "192.168.2.21", True),
]
BINDINGS = {"lp11": "hv1", "lp12": "hv1", "lp13": "hv2", "lp21": "hv2"}


def nbctl(nb, *args):
    subprocess.run(["ovn-nbctl", "--db=" + nb.remote, *args], check=True,
                   capture_output=True, text=True)


def sbctl(sb, *args):
    subprocess.run(["ovn-sbctl", "--db=" + sb.remote, *args], check=True,
                   capture_output=True, text=True)


def build_topology(nb):
    cmds = []

    def add(*a):
        cmds.extend(list(a) + ["--"])
    add("ls-add", "ls1")
    add("ls-add", "ls2")
    for name, ls, mac, ip, ps in VIFS:
        add("lsp-add", ls, name)
        add("lsp-set-addresses", name, "%s %s" % (mac, ip))
        if ps:
            add("lsp-set-port-security", name, "%s %s" % (mac, ip))
    add("lr-add", "lr1")
    add("lrp-add", "lr1", "lrp1", "00:00:00:00:ff:01", "192.168.1.1/24")
    add("lrp-add", "lr1", "lrp2", "00:00:00:00:ff:02", "192.168.2.1/24")
    for ls, lrp in (("ls1", "lrp1"), ("ls2", "lrp2")):
        port = "%s-lr1" % ls
        add("lsp-add", ls, port)
        add("lsp-set-type", port, "router")
        add("lsp-set-addresses", port, "router")
        add("lsp-set-options", port, "router-port=%s" % lrp)
    add("acl-add", "ls1", "from-lport", "1000", "ip4 && tcp.dst == 23", "drop")
    # A friendly name, as OpenStack sets them (Port_Binding external_ids:name).
    add("set", "Logical_Switch_Port", "lp12", 'external_ids:"neutron:port_name"=web1')
    add("lb-add", "lb1", "10.0.0.100:80", "192.168.2.21:8080", "tcp")
    add("ls-lb-add", "ls1", "lb1")
    nbctl(nb, *cmds[:-1])


def build_rich_topology(nb):
    """Distributed router with a gateway port (SNAT, dnat_and_snat, LB),
    a gateway router, port groups with ACLs, IPv6, a localnet port."""
    c = []

    def add(*a):
        c.extend(list(a) + ["--"])
    for ls in ("sw0", "sw1", "public"):
        add("ls-add", ls)
    for n, ls, mac, ip in (("vm1", "sw0", "50:54:00:00:00:01", "10.0.0.3 fd00::3"),
                           ("vm2", "sw0", "50:54:00:00:00:02", "10.0.0.4 fd00::4"),
                           ("vm3", "sw1", "50:54:00:00:00:03", "20.0.0.3")):
        add("lsp-add", ls, n)
        add("lsp-set-addresses", n, "%s %s" % (mac, ip))
    add("lr-add", "lr0")
    add("lrp-add", "lr0", "lr0-sw0", "00:00:00:00:ff:01", "10.0.0.1/24", "fd00::1/64")
    add("lrp-add", "lr0", "lr0-sw1", "00:00:00:00:ff:02", "20.0.0.1/24")
    add("lrp-add", "lr0", "lr0-public", "00:00:20:20:12:13", "172.168.0.100/24")
    for ls, lrp in (("sw0", "lr0-sw0"), ("sw1", "lr0-sw1"), ("public", "lr0-public")):
        p = ls + "-lr0"
        add("lsp-add", ls, p)
        add("lsp-set-type", p, "router")
        add("lsp-set-addresses", p, "router")
        add("lsp-set-options", p, "router-port=" + lrp)
    add("lsp-add", "public", "ln-public")
    add("lsp-set-type", "ln-public", "localnet")
    add("lsp-set-addresses", "ln-public", "unknown")
    add("lsp-set-options", "ln-public", "network_name=physnet1")
    add("lrp-set-gateway-chassis", "lr0-public", "hv1", "10")
    add("lr-nat-add", "lr0", "snat", "172.168.0.100", "10.0.0.0/24")
    add("lr-nat-add", "lr0", "dnat_and_snat", "172.168.0.110", "10.0.0.3")
    add("pg-add", "pg1", "vm1", "vm2")
    add("acl-add", "pg1", "to-lport", "1002", "outport == @pg1 && ip4 && tcp.dst == 22",
        "allow-related")
    add("acl-add", "pg1", "to-lport", "1001", "outport == @pg1 && ip4", "drop")
    add("acl-add", "sw1", "from-lport", "1000", "ip4 && udp", "allow-related")
    add("lb-add", "lb0", "10.0.0.100:80", "10.0.0.3:8080,10.0.0.4:8080", "tcp")
    add("ls-lb-add", "sw0", "lb0")
    add("lr-lb-add", "lr0", "lb0")
    add("lr-add", "gw1")
    add("set", "Logical_Router", "gw1", "options:chassis=hv2")
    add("lrp-add", "gw1", "gw1-sw1", "00:00:00:00:ee:01", "20.0.0.254/24")
    add("lsp-add", "sw1", "sw1-gw1")
    add("lsp-set-type", "sw1-gw1", "router")
    add("lsp-set-addresses", "sw1-gw1", "router")
    add("lsp-set-options", "sw1-gw1", "router-port=gw1-sw1")
    add("lr-nat-add", "gw1", "snat", "20.0.0.254", "30.0.0.0/24")
    nbctl(nb, *c[:-1])


def _c_northd_sb(build, bindings, northd_cmd=("ovn-northd",)):
    for prog in NEEDED:
        if shutil.which(prog) is None:
            pytest.skip("%s (test-only peer) is not installed" % prog)
    from pyovn.db import server
    import tempfile
    rundir = tempfile.mkdtemp(prefix="pyovn-tr-")
    nb = server.start_server(rundir, "nb")
    sb = server.start_server(rundir, "sb")
    northd = subprocess.Popen(
        list(northd_cmd) + ["--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote,
         "--log-file=%s/northd.log" % rundir, "-vconsole:off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        build(nb)
        sbctl(sb, "chassis-add", "hv1", "geneve", "127.0.0.11")
        sbctl(sb, "chassis-add", "hv2", "geneve", "127.0.0.12")
        subprocess.run(["ovn-nbctl", "--db=" + nb.remote, "--timeout=60",
                        "--wait=sb", "sync"], check=True, capture_output=True)
        for port, ch in bindings.items():
            sbctl(sb, "lsp-bind", port, ch)
        yield nb, sb, SbView.connect(sb.remote)
    finally:
        northd.terminate()
        northd.wait(timeout=30)
        sb.stop()
        nb.stop()


@pytest.fixture(scope="module")
def py_sb():
    """Like c_sb, but the SB is written by pyovn northd."""
    import sys
    yield from _c_northd_sb(build_topology, BINDINGS,
                            (sys.executable, "-m", "pyovn.cli", "northd"))


@pytest.fixture(scope="module")
def py_rich():
    """Like c_rich, but the SB is written by pyovn northd."""
    import sys
    yield from _c_northd_sb(build_rich_topology, {"vm1": "hv1", "vm2": "hv2",
                                                  "vm3": "hv2"},
                            (sys.executable, "-m", "pyovn.cli", "northd"))


@pytest.fixture(scope="module")
def c_rich():
    """Like c_sb, for build_rich_topology."""
    yield from _c_northd_sb(build_rich_topology, {"vm1": "hv1", "vm2": "hv2",
                                                  "vm3": "hv2"})


@pytest.fixture(scope="module")
def c_sb():
    """(nb, sb, SbView) with C ovn-northd's flows; module-scoped for speed."""
    yield from _c_northd_sb(build_topology, BINDINGS)
