"""Databases created from pyovn's schemas work unchanged with the C OVN
tools (ovn-nbctl, ovn-sbctl, ovn-ic-nbctl, ovn-northd: test-only peers) and
with ovsdbapp, the library OpenStack's CMS plugins use."""

import shutil
import subprocess

import pytest

from pyovn.db import idl, server

pytestmark = pytest.mark.peer


def c_tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip("%s (C OVN peer) not installed" % name)
    return path


def ctl(tool, db, *args):
    p = subprocess.run([c_tool(tool), "--db=" + db, "--timeout=10"] + list(args),
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, "%s %s: %s" % (tool, " ".join(args), p.stderr)
    return p.stdout


def test_c_ovn_nbctl_on_pyovn_nb(rundir, started, client):
    srv = server.start_server(rundir, "nb")
    started.append(srv)
    ctl("ovn-nbctl", srv.remote, "ls-add", "sw0")
    ctl("ovn-nbctl", srv.remote, "lsp-add", "sw0", "sw0-p1")
    ctl("ovn-nbctl", srv.remote, "lsp-set-addresses", "sw0-p1", "00:00:00:00:00:01 10.0.0.11")
    ctl("ovn-nbctl", srv.remote, "lr-add", "lr0")
    ctl("ovn-nbctl", srv.remote, "lrp-add", "lr0", "lr0-sw0", "00:00:00:00:ff:01", "10.0.0.1/24")
    ctl("ovn-nbctl", srv.remote, "acl-add", "sw0", "to-lport", "1000", "ip4.src == 10.0.0.0/24",
        "allow-related")
    show = ctl("ovn-nbctl", srv.remote, "show")
    assert "switch" in show and "(sw0)" in show
    assert "port sw0-p1" in show and "addresses: [\"00:00:00:00:00:01 10.0.0.11\"]" in show
    assert "router" in show and "(lr0)" in show and "networks: [\"10.0.0.1/24\"]" in show
    # pyovn's IDL reads what the C tool wrote.
    db = client(srv.remote, "nb")
    ls = db.lookup_one("Logical_Switch", name="sw0")
    assert [p.name for p in ls.ports] == ["sw0-p1"]
    assert ls.ports[0].addresses == ["00:00:00:00:00:01 10.0.0.11"]
    assert [(a.direction, a.priority, a.action) for a in ls.acls] == \
        [("to-lport", 1000, "allow-related")]
    # And the C tool reads what pyovn's IDL writes.
    db.transact(lambda txn: setattr(ls, "external_ids", {"owner": "pyovn"}))
    assert ctl("ovn-nbctl", srv.remote, "get", "Logical_Switch", "sw0",
               "external_ids:owner").strip() == "pyovn"


def test_c_ovn_nbctl_on_pyovn_nb_cluster(rundir, started):
    cluster = server.start_cluster(rundir, "nb", 3)
    started.append(cluster)
    ctl("ovn-nbctl", cluster.remote, "ls-add", "sw-clustered")
    for m in cluster.members:
        out = ctl("ovn-nbctl", m.remote, "--no-leader-only", "ls-list")
        assert "(sw-clustered)" in out


def test_c_ovn_sbctl_and_ic_nbctl(rundir, started):
    sb = server.start_server(rundir, "sb")
    started.append(sb)
    ctl("ovn-sbctl", sb.remote, "chassis-add", "hv1", "geneve", "192.168.0.1")
    show = ctl("ovn-sbctl", sb.remote, "show")
    assert 'Chassis hv1' in show and 'ip: "192.168.0.1"' in show
    icnb = server.start_server(rundir, "ic-nb")
    started.append(icnb)
    ctl("ovn-ic-nbctl", icnb.remote, "ts-add", "ts1")
    assert "ts1" in ctl("ovn-ic-nbctl", icnb.remote, "ts-list") or \
        "ts1" in ctl("ovn-ic-nbctl", icnb.remote, "list", "Transit_Switch")


def test_c_ovn_northd_on_pyovn_databases(rundir, started, client):
    """The C ovn-northd accepts pyovn's NB and SB schemas: it compiles a
    switch into a Datapath_Binding and logical flows."""
    northd = c_tool("ovn-northd")
    nb = server.start_server(rundir, "nb")
    sb = server.start_server(rundir, "sb")
    started += [nb, sb]
    ctl("ovn-nbctl", nb.remote, "ls-add", "sw0")
    pidfile = rundir + "/ovn-northd.pid"
    subprocess.run([northd, "--detach", "--no-chdir", "--pidfile=" + pidfile,
                    "--log-file=" + rundir + "/ovn-northd.log",
                    "--unixctl=" + rundir + "/ovn-northd.ctl", "-vconsole:off",
                    "--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote],
                   check=True, timeout=30)
    try:
        db = client(sb.remote, "sb")
        dp = db.wait_until(lambda d: d.rows("Datapath_Binding"), timeout=20)
        assert dp[0].external_ids.get("name") == "sw0"
        assert db.wait_until(lambda d: d.rows("Logical_Flow"), timeout=20)
    finally:
        from pyovn.util import proc
        proc.stop_pid(proc.read_pidfile(pidfile))


def test_ovsdbapp_on_pyovn_nb_and_sb(rundir, started, client):
    connection = pytest.importorskip("ovsdbapp.backend.ovs_idl.connection")
    nb_impl = pytest.importorskip("ovsdbapp.schema.ovn_northbound.impl_idl")
    sb_impl = pytest.importorskip("ovsdbapp.schema.ovn_southbound.impl_idl")
    nb = server.start_server(rundir, "nb", tcp_port=0)
    sb = server.start_server(rundir, "sb", tcp_port=0)
    started += [nb, sb]

    conns = []
    try:
        nb_conn = connection.Connection(
            connection.OvsdbIdl.from_server(nb.tcp_remote, "OVN_Northbound"), timeout=10)
        conns.append(nb_conn)
        api = nb_impl.OvnNbApiIdlImpl(nb_conn)
        api.ls_add("sw-api").execute(check_error=True)
        api.lsp_add("sw-api", "port-api", addresses=["00:00:00:00:00:02"]).execute(
            check_error=True)
        with api.transaction(check_error=True) as txn:
            txn.add(api.lr_add("lr-api"))
            txn.add(api.lrp_add("lr-api", "lrp-api", "00:00:00:00:ff:02", ["10.1.0.1/24"]))
        assert api.ls_get("sw-api").execute(check_error=True).name == "sw-api"
        assert api.lsp_get("port-api").execute(check_error=True).addresses == \
            ["00:00:00:00:00:02"]

        sb_conn = connection.Connection(
            connection.OvsdbIdl.from_server(sb.tcp_remote, "OVN_Southbound"), timeout=10)
        conns.append(sb_conn)
        sapi = sb_impl.OvnSbApiIdlImpl(sb_conn)
        sapi.chassis_add("hv-api", ["geneve"], "192.168.1.1").execute(check_error=True)
        assert [c.name for c in sapi.chassis_list().execute(check_error=True)] == ["hv-api"]
    finally:
        for c in conns:
            c.stop()

    # What ovsdbapp wrote is what pyovn's IDL and C ovn-nbctl see.
    db = client(nb.remote, "nb")
    ls = db.lookup_one("Logical_Switch", name="sw-api")
    assert [p.name for p in ls.ports] == ["port-api"]
    lrp = db.lookup_one("Logical_Router_Port", name="lrp-api")
    assert lrp.networks == ["10.1.0.1/24"]
    assert "(lr-api)" in ctl("ovn-nbctl", nb.remote, "show")
