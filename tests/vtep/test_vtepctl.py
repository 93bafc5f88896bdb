"""pyovn vtep-ctl against a real ovsdb-server with the hardware_vtep
schema: golden output with per-tunnel keys and levels, errors that write
nothing, and the C vtep-ctl reading what pyovn wrote."""

import io
import re
import shutil
import subprocess

import pytest

from pyovn.ctl import vtepctl


@pytest.fixture
def vtepdb(ovsdb):
    return ovsdb("vtep")


def ctl(db, *args):
    """Runs pyovn vtep-ctl in-process; returns (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    status = vtepctl.main(["--db=" + db.remote] + list(args), stdout=out,
                          stderr=err)
    return status, out.getvalue(), err.getvalue()


def ok(db, *args):
    status, out, err = ctl(db, *args)
    assert status == 0, err
    assert err == ""
    return out


def fails(db, *args):
    status, out, err = ctl(db, *args)
    assert status == 1
    assert out == ""
    return err


def test_ps_port_ls_bindings(vtepdb):
    ok(vtepdb, "add-ps", "ps1", "--", "add-port", "ps1", "p1", "--",
       "add-port", "ps1", "p0", "--", "add-ls", "ls1", "--", "add-ls", "ls0",
       "--", "bind-ls", "ps1", "p1", "10", "ls1", "--",
       "bind-ls", "ps1", "p1", "0", "ls0", "--", "add-ps", "ps0")
    assert ok(vtepdb, "list-ps") == "ps0\nps1\n"
    assert ok(vtepdb, "list-ports", "ps1") == "p0\np1\n"
    assert ok(vtepdb, "list-ls") == "ls0\nls1\n"
    assert ok(vtepdb, "list-bindings", "ps1", "p1") == "0000 ls0\n0010 ls1\n"
    assert ctl(vtepdb, "ps-exists", "ps1")[0] == 0
    assert ctl(vtepdb, "ps-exists", "nope") == (2, "", "")
    assert ctl(vtepdb, "ls-exists", "ls1")[0] == 0
    assert ctl(vtepdb, "ls-exists", "nope")[0] == 2
    ok(vtepdb, "unbind-ls", "ps1", "p1", "10")
    assert ok(vtepdb, "list-bindings", "ps1", "p1") == "0000 ls0\n"
    ok(vtepdb, "del-port", "p0")
    assert ok(vtepdb, "list-ports", "ps1") == "p1\n"
    ok(vtepdb, "del-port", "ps1", "p1")
    assert ok(vtepdb, "list-ports", "ps1") == ""
    ok(vtepdb, "del-ps", "ps1")
    assert ok(vtepdb, "list-ps") == "ps0\n"
    ok(vtepdb, "del-ls", "ls1")
    assert ok(vtepdb, "list-ls") == "ls0\n"


def test_may_exist_if_exists(vtepdb):
    ok(vtepdb, "add-ps", "ps1", "--", "add-ls", "ls1", "--", "add-lr", "lr1")
    assert "already exists" in fails(vtepdb, "add-ps", "ps1")
    ok(vtepdb, "--may-exist", "add-ps", "ps1")
    ok(vtepdb, "--may-exist", "add-ls", "ls1")
    ok(vtepdb, "--may-exist", "add-lr", "lr1")
    assert "no physical switch named zz" in fails(vtepdb, "del-ps", "zz")
    ok(vtepdb, "--if-exists", "del-ps", "zz")
    ok(vtepdb, "--if-exists", "del-ls", "zz")
    ok(vtepdb, "--if-exists", "del-lr", "zz")
    ok(vtepdb, "--if-exists", "del-port", "zz")


def test_lr_and_replication_mode(vtepdb):
    ok(vtepdb, "add-lr", "lr2", "--", "add-lr", "lr1", "--", "add-ls", "ls")
    assert ok(vtepdb, "list-lr") == "lr1\nlr2\n"
    assert ctl(vtepdb, "lr-exists", "lr3")[0] == 2
    ok(vtepdb, "del-lr", "lr2")
    assert ok(vtepdb, "list-lr") == "lr1\n"
    assert ok(vtepdb, "get-replication-mode", "ls") == "\n"
    ok(vtepdb, "set-replication-mode", "ls", "source_node")
    assert ok(vtepdb, "get-replication-mode", "ls") == "source_node\n"
    err = fails(vtepdb, "set-replication-mode", "ls", "flood")
    assert "flood: invalid replication mode" in err
    assert ok(vtepdb, "get-replication-mode", "ls") == "source_node\n"


GOLDEN_REMOTE = """\
ucast-mac-remote
  00:00:00:00:00:01 -> vxlan_over_ipv4/10.0.0.1
  00:00:00:00:00:02 -> vxlan_over_ipv4/10.0.0.2 100
  00:00:00:00:00:03 -> vxlan_over_ipv4/10.0.0.2 100 level1
  00:00:00:00:00:04 -> vxlan_over_ipv4/10.0.0.2 200 level1

mcast-mac-remote
  unknown-dst -> vxlan_over_ipv4/10.0.0.1
  unknown-dst -> vxlan_over_ipv4/10.0.0.2 100 level1
  unknown-dst -> vxlan_over_ipv4/10.0.0.3

"""

GOLDEN_LOCAL = """\
ucast-mac-local
  00:00:00:00:00:11 -> vxlan_over_ipv4/10.0.0.9
  00:00:00:00:00:12 -> vxlan_over_ipv4/10.0.0.9 7 level1

mcast-mac-local
  01:00:5e:00:00:01 -> vxlan_over_ipv4/10.0.0.9
  unknown-dst -> vxlan_over_ipv4/10.0.0.9 7

"""


def _populate_macs(db):
    ok(db, "add-ls", "ls1", "--",
       "add-ucast-remote", "ls1", "00:00:00:00:00:01", "10.0.0.1", "--",
       "add-ucast-remote", "ls1", "00:00:00:00:00:02", "vxlan_over_ipv4",
       "10.0.0.2", "100", "--",
       "add-ucast-remote", "ls1", "00:00:00:00:00:03", "10.0.0.2", "100",
       "level1", "--",
       "add-ucast-remote", "ls1", "00:00:00:00:00:04", "vxlan_over_ipv4",
       "10.0.0.2", "200", "level1", "--",
       "add-mcast-remote", "ls1", "unknown-dst", "10.0.0.1", "--",
       "add-mcast-remote", "ls1", "unknown-dst", "10.0.0.3", "--",
       "add-mcast-remote", "ls1", "unknown-dst", "10.0.0.2", "100", "level1")
    ok(db, "add-ucast-local", "ls1", "00:00:00:00:00:11", "10.0.0.9")
    ok(db, "add-ucast-local", "ls1", "00:00:00:00:00:12", "10.0.0.9", "7",
       "level1")
    ok(db, "add-mcast-local", "ls1", "01:00:5e:00:00:01", "10.0.0.9", "level0")
    ok(db, "add-mcast-local", "ls1", "unknown-dst", "10.0.0.9", "7")


def test_mac_golden_output_with_keys_and_levels(vtepdb):
    _populate_macs(vtepdb)
    assert ok(vtepdb, "list-remote-macs", "ls1") == GOLDEN_REMOTE
    assert ok(vtepdb, "list-local-macs", "ls1") == GOLDEN_LOCAL


def _locators(db):
    out = ok(db, "--format=csv", "--no-headings", "--columns="
             "dst_ip,tunnel_key,tunnel_level", "list", "Physical_Locator")
    return sorted(out.splitlines())


def test_locators_distinct_by_full_tuple_and_reused(vtepdb):
    _populate_macs(vtepdb)
    # One IP carries several keys and levels: one locator per tuple.
    # "level0" is stored as the empty level, so 10.0.0.9 (ucast, no key)
    # and 10.0.0.9 level0 (mcast) are the same locator.
    from pyovn.db.idl import Database
    db = Database(vtepdb.remote, "vtep").sync()
    keys = sorted((r.dst_ip, tuple(r.tunnel_key), tuple(r.tunnel_level))
                  for r in db.rows("Physical_Locator"))
    db.close()
    assert keys == [
        ("10.0.0.1", (), ()),
        ("10.0.0.2", (100,), ()),
        ("10.0.0.2", (100,), ("level1",)),
        ("10.0.0.2", (200,), ("level1",)),
        ("10.0.0.3", (), ()),
        ("10.0.0.9", (), ()),
        ("10.0.0.9", (7,), ()),
        ("10.0.0.9", (7,), ("level1",)),
    ]


def test_mac_delete_and_clear(vtepdb):
    _populate_macs(vtepdb)
    ok(vtepdb, "del-mcast-remote", "ls1", "unknown-dst", "10.0.0.2", "100",
       "level1")
    ok(vtepdb, "del-ucast-remote", "ls1", "00:00:00:00:00:04")
    out = ok(vtepdb, "list-remote-macs", "ls1")
    assert "10.0.0.2 200" not in out
    assert "unknown-dst -> vxlan_over_ipv4/10.0.0.2" not in out
    assert "00:00:00:00:00:03 -> vxlan_over_ipv4/10.0.0.2 100 level1" in out
    # Deleting with a different level than the entry's is a no-op.
    ok(vtepdb, "del-mcast-remote", "ls1", "unknown-dst", "10.0.0.1", "level1")
    assert "unknown-dst -> vxlan_over_ipv4/10.0.0.1\n" in ok(
        vtepdb, "list-remote-macs", "ls1")
    ok(vtepdb, "clear-remote-macs", "ls1")
    assert ok(vtepdb, "list-remote-macs", "ls1") == \
        "ucast-mac-remote\n\nmcast-mac-remote\n\n"
    assert ok(vtepdb, "list-local-macs", "ls1") == GOLDEN_LOCAL
    ok(vtepdb, "del-ucast-local", "ls1", "00:00:00:00:00:12", "--",
       "clear-local-macs", "ls1")
    assert ok(vtepdb, "list-local-macs", "ls1") == \
        "ucast-mac-local\n\nmcast-mac-local\n\n"


def test_ucast_readd_replaces_locator(vtepdb):
    ok(vtepdb, "add-ls", "ls1")
    ok(vtepdb, "add-ucast-remote", "ls1", "00:00:00:00:00:01", "10.0.0.1")
    ok(vtepdb, "add-ucast-remote", "ls1", "00:00:00:00:00:01", "10.0.0.5",
       "9", "level1")
    assert ok(vtepdb, "list-remote-macs", "ls1").splitlines()[1] == \
        "  00:00:00:00:00:01 -> vxlan_over_ipv4/10.0.0.5 9 level1"


@pytest.mark.parametrize("args,message", [
    (["ls1", "00:00:00:00:00:01", "10.0.0.1", "16777216"],
     "16777216: tunnel key out of range (0 to 16777215)"),
    (["ls1", "00:00:00:00:00:01", "10.0.0.1", "-1"],
     "-1: tunnel key out of range"),
    (["ls1", "00:00:00:00:00:01", "10.0.0.1", "abc"],
     "abc: invalid tunnel key"),
    (["ls1", "00:00:00:00:00:01", "10.0.0.1", "5", "level2"],
     "level2: invalid tunnel level (expected level0 or level1)"),
    (["ls1", "00:00:00:00:00:01", "gre", "10.0.0.1"],
     "unknown encapsulation 'gre'"),
    (["ls1", "00:00:00:00:00:01", "10.0.0.300"],
     "10.0.0.300: invalid IP address"),
    (["ls1", "zz:00:00:00:00:01", "10.0.0.1"], "invalid MAC address"),
    (["ls1", "00:00:00:00:00:01", "vxlan_over_ipv4", "10.0.0.1", "5",
      "level1", "x"],
     "takes at most 6 arguments"),
    (["ls1", "00:00:00:00:00:01"], "requires at least 3 arguments"),
])
def test_bad_locator_arguments_refused_nothing_written(vtepdb, args, message):
    ok(vtepdb, "add-ls", "ls1")
    err = fails(vtepdb, "add-ls", "ls2", "--", "add-ucast-remote", *args)
    assert message in err
    assert ok(vtepdb, "list-ls") == "ls1\n"
    assert ok(vtepdb, "list-remote-macs", "ls1") == \
        "ucast-mac-remote\n\nmcast-mac-remote\n\n"


def test_errors_name_the_missing_object(vtepdb):
    assert "no logical switch named nols" in fails(
        vtepdb, "add-ucast-remote", "nols", "00:00:00:00:00:01", "10.0.0.1")
    ok(vtepdb, "add-ps", "ps1")
    assert "physical switch ps1 has no port named p9" in fails(
        vtepdb, "add-ls", "ls", "--", "bind-ls", "ps1", "p9", "0", "ls")
    assert ok(vtepdb, "list-ls") == ""
    ok(vtepdb, "add-port", "ps1", "p1", "--", "add-ls", "ls")
    assert "4096: invalid VLAN" in fails(vtepdb, "bind-ls", "ps1", "p1",
                                         "4096", "ls")


def test_managers(vtepdb):
    assert ok(vtepdb, "get-manager") == ""
    ok(vtepdb, "set-manager", "ptcp:6640", "pssl:6641")
    assert ok(vtepdb, "get-manager") == "pssl:6641\nptcp:6640\n"
    ok(vtepdb, "set-manager", "tcp:127.0.0.1:6640")
    assert ok(vtepdb, "get-manager") == "tcp:127.0.0.1:6640\n"
    ok(vtepdb, "del-manager")
    assert ok(vtepdb, "get-manager") == ""


def test_del_ls_takes_its_macs_and_bindings(vtepdb):
    ok(vtepdb, "add-ps", "ps1", "--", "add-port", "ps1", "p1", "--",
       "add-ls", "ls1", "--", "bind-ls", "ps1", "p1", "5", "ls1")
    _populate_macs_ls = ["add-ucast-remote", "ls1", "00:00:00:00:00:01",
                         "10.0.0.1"]
    ok(vtepdb, *_populate_macs_ls)
    ok(vtepdb, "del-ls", "ls1")
    assert ok(vtepdb, "list-bindings", "ps1", "p1") == ""
    assert ok(vtepdb, "list-ls") == ""


def test_generic_database_commands(vtepdb):
    ok(vtepdb, "add-ls", "ls1")
    ok(vtepdb, "set", "Logical_Switch", "ls1", "tunnel_key=5",
       "description=blue")
    assert ok(vtepdb, "get", "Logical_Switch", "ls1", "tunnel_key") == "5\n"
    assert ok(vtepdb, "--bare", "--columns=name", "find", "Logical_Switch",
              "tunnel_key=5") == "ls1\n"


@pytest.mark.peer
def test_c_vtep_ctl_reads_what_pyovn_wrote(vtepdb):
    c_ctl = shutil.which("vtep-ctl")
    if c_ctl is None:
        pytest.skip("C vtep-ctl not installed")
    _populate_macs(vtepdb)
    ok(vtepdb, "add-ps", "ps1", "--", "add-port", "ps1", "p1", "--",
       "bind-ls", "ps1", "p1", "7", "ls1")

    def c(*args):
        return subprocess.run([c_ctl, "--db=" + vtepdb.remote] + list(args),
                              capture_output=True, text=True, check=True,
                              timeout=30).stdout

    assert c("list-ls") == "ls1\n"
    assert c("list-ps") == "ps1\n"
    assert c("list-bindings", "ps1", "p1") == "0007 ls1\n"
    # The C tool knows no levels and collapses keys: every locator shows
    # as its IP alone, one line per locator of the MAC.
    assert c("list-remote-macs", "ls1") == """\
ucast-mac-remote
  00:00:00:00:00:01 -> vxlan_over_ipv4/10.0.0.1
  00:00:00:00:00:02 -> vxlan_over_ipv4/10.0.0.2
  00:00:00:00:00:03 -> vxlan_over_ipv4/10.0.0.2
  00:00:00:00:00:04 -> vxlan_over_ipv4/10.0.0.2

mcast-mac-remote
  unknown-dst -> vxlan_over_ipv4/10.0.0.1
  unknown-dst -> vxlan_over_ipv4/10.0.0.2
  unknown-dst -> vxlan_over_ipv4/10.0.0.3

"""


def test_generic_list_sees_rows_of_the_same_invocation(vtepdb):
    out = ok(vtepdb, "add-ls", "ls1", "--", "add-ps", "ps1", "--",
             "list", "Logical_Switch", "--", "--columns=name,ports", "list",
             "Physical_Switch")
    assert "name                : ls1" in out
    assert re.search(r"name +: ps1\nports +: \[\]\n", out)


@pytest.mark.peer
def test_pyovn_reads_what_c_vtep_ctl_wrote(vtepdb):
    c_ctl = shutil.which("vtep-ctl")
    if c_ctl is None:
        pytest.skip("C vtep-ctl not installed")

    def c(*args):
        return subprocess.run([c_ctl, "--db=" + vtepdb.remote] + list(args),
                              capture_output=True, text=True, check=True,
                              timeout=30).stdout

    c("add-ps", "ps1", "--", "add-port", "ps1", "p1", "--", "add-ls", "ls1",
      "--", "bind-ls", "ps1", "p1", "3", "ls1", "--",
      "add-ucast-remote", "ls1", "00:00:00:00:00:01", "10.0.0.1", "--",
      "add-mcast-remote", "ls1", "unknown-dst", "10.0.0.2", "--",
      "add-ucast-local", "ls1", "00:00:00:00:00:02", "10.0.0.3")
    for cmd in (["list-ps"], ["list-ls"], ["list-bindings", "ps1", "p1"],
                ["list-remote-macs", "ls1"], ["list-local-macs", "ls1"],
                ["list-ports", "ps1"]):
        assert ok(vtepdb, *cmd) == c(*cmd), cmd
    # And pyovn reuses the C tool's locator for the same tuple.
    ok(vtepdb, "add-ucast-remote", "ls1", "00:00:00:00:00:09", "10.0.0.1")
    from pyovn.db.idl import Database
    db = Database(vtepdb.remote, "vtep").sync()
    try:
        assert len([r for r in db.rows("Physical_Locator")
                    if r.dst_ip == "10.0.0.1"]) == 1
    finally:
        db.close()
