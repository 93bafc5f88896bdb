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
    add("lb-add", "lb1", "10.0.0.100:80", "192.168.2.21:8080", "tcp")
    add("ls-lb-add", "ls1", "lb1")
    nbctl(nb, *cmds[:-1])


@pytest.fixture(scope="module")
def c_sb(tmp_path_factory):
    """(nb, sb, SbView) with C ovn-northd's flows; module-scoped for speed."""
    for prog in NEEDED:
        if shutil.which(prog) is None:
            pytest.skip("%s (test-only peer) is not installed" % prog)
    from pyovn.db import server
    import tempfile
    rundir = tempfile.mkdtemp(prefix="pyovn-tr-")
    nb = server.start_server(rundir, "nb")
    sb = server.start_server(rundir, "sb")
    northd = subprocess.Popen(
        ["ovn-northd", "--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote,
         "--log-file=%s/northd.log" % rundir, "-vconsole:off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        build_topology(nb)
        sbctl(sb, "chassis-add", "hv1", "geneve", "127.0.0.11")
        sbctl(sb, "chassis-add", "hv2", "geneve", "127.0.0.12")
        subprocess.run(["ovn-nbctl", "--db=" + nb.remote, "--timeout=60",
                        "--wait=sb", "sync"], check=True, capture_output=True)
        for port, ch in BINDINGS.items():
            sbctl(sb, "lsp-bind", port, ch)
        yield nb, sb, SbView.connect(sb.remote)
    finally:
        northd.terminate()
        northd.wait(timeout=30)
        sb.stop()
        nb.stop()
