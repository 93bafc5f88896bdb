"""pyovn nbctl verbs against a real ovsdb-server: the rows they write and
what they print."""

import os
import subprocess
import sys
import time

import pytest

from pyovn.db.idl import Database


def one(rows, **match):
    found = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, rows)
    return found[0]


def test_switch_and_ports(nbctl):
    nbctl("ls-add", "sw0", "--", "lsp-add", "sw0", "p1", "--",
          "lsp-add", "sw0", "c1", "p1", "7", "--",
          "lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1", "unknown",
          "--", "lsp-set-port-security", "p1", "00:00:00:00:00:01 10.0.0.1",
          "--", "lsp-set-type", "p1", "localport", "--",
          "lsp-set-options", "p1", "a=b", "--", "lsp-set-enabled", "p1",
          "disabled")
    d = nbctl.dump()
    sw = one(d["Logical_Switch"], name="sw0")
    assert sorted(p.name for p in sw["ports"]) == ["c1", "p1"]
    p1 = one(d["Logical_Switch_Port"], name="p1")
    assert sorted(p1["addresses"]) == ["00:00:00:00:00:01 10.0.0.1", "unknown"]
    assert p1["port_security"] == ["00:00:00:00:00:01 10.0.0.1"]
    assert p1["type"] == "localport"
    assert p1["options"] == {"a": "b"}
    assert p1["enabled"] == [False]
    c1 = one(d["Logical_Switch_Port"], name="c1")
    assert c1["parent_name"] == ["p1"] and c1["tag_request"] == [7]
    # and the getters read them back
    assert nbctl("lsp-get-addresses", "p1") == \
        "00:00:00:00:00:01 10.0.0.1\nunknown\n"
    assert nbctl("lsp-get-type", "p1") == "localport\n"
    assert nbctl("lsp-get-enabled", "p1") == "disabled\n"
    assert nbctl("lsp-get-up", "p1") == "down\n"
    assert nbctl("lsp-get-parent", "c1") == "p1\n"
    assert nbctl("lsp-get-tag", "c1") == ""
    assert nbctl("lsp-get-options", "p1") == "a=b\n"
    assert nbctl("lsp-get-ls", "p1").endswith(" (sw0)\n")
    assert nbctl("lsp-list", "sw0").endswith("(p1)\n")
    # may-exist is quiet, and checks what it can
    nbctl("--may-exist", "lsp-add", "sw0", "p1")
    assert "parent" in nbctl.fails("--may-exist", "lsp-add", "sw0", "p1",
                                   "c9", "3")
    nbctl("lsp-del", "c1")
    assert [r["name"] for r in nbctl.rows("Logical_Switch_Port")] == ["p1"]
    nbctl("ls-del", "sw0")
    assert nbctl.rows("Logical_Switch") == []
    assert nbctl.rows("Logical_Switch_Port") == []


def test_duplicate_ip_on_switch_refused(nbctl):
    nbctl("ls-add", "sw0", "--", "lsp-add", "sw0", "a", "--",
          "lsp-add", "sw0", "b", "--",
          "lsp-set-addresses", "a", "00:00:00:00:00:01 10.0.0.1")
    err = nbctl.fails("lsp-set-addresses", "b", "00:00:00:00:00:02 10.0.0.1")
    assert "duplicate IPv4 address '10.0.0.1'" in err
    assert one(nbctl.rows("Logical_Switch_Port"), name="b")["addresses"] == []


def test_init_creates_nb_global_once(nbctl):
    nbctl("init")
    nbctl("init")
    assert len(nbctl.rows("NB_Global")) == 1


def test_router_ports_routes_nat_policies(nbctl):
    nbctl("lr-add", "r0", "--", "lrp-add", "r0", "rp0", "00:00:00:00:FF:01",
          "10.0.0.1/24", "fd00::1/64", "peer=rpx", "--",
          "lr-route-add", "r0", "10.1.0.9/16", "10.0.0.2", "--",
          "lr-nat-add", "r0", "snat", "1.1.1.1", "10.0.0.0/24", "--",
          "lr-policy-add", "r0", "10", "ip4.src == 10.0.0.0/24", "reroute",
          "10.0.0.3,10.0.0.4", "--",
          "lrp-set-gateway-chassis", "rp0", "hv1", "5")
    d = nbctl.dump()
    rp = one(d["Logical_Router_Port"], name="rp0")
    assert rp["mac"] == "00:00:00:00:ff:01"
    assert sorted(rp["networks"]) == ["10.0.0.1/24", "fd00::1/64"]
    assert rp["peer"] == ["rpx"]
    assert [g.name for g in rp["gateway_chassis"]] == ["rp0-hv1"]
    route = one(d["Logical_Router_Static_Route"])
    assert route["ip_prefix"] == "10.1.0.0/16" and route["nexthop"] == "10.0.0.2"
    nat = one(d["NAT"])
    assert (nat["type"], nat["external_ip"], nat["logical_ip"]) == \
        ("snat", "1.1.1.1", "10.0.0.0/24")
    pol = one(d["Logical_Router_Policy"])
    assert sorted(pol["nexthops"]) == ["10.0.0.3", "10.0.0.4"]
    out = nbctl("lr-route-list", "r0")
    assert "10.1.0.0/16" in out and "10.0.0.2 dst-ip" in out
    assert "snat" in nbctl("lr-nat-list", "r0")
    assert "reroute" in nbctl("lr-policy-list", "r0")
    assert nbctl("lrp-get-gateway-chassis", "rp0") == "rp0-hv1     5\n"
    assert "duplicate prefix" in nbctl.fails(
        "lr-route-add", "r0", "10.1.0.0/16", "10.0.0.5")
    nbctl("lr-route-del", "r0", "10.1.0.0/16")
    nbctl("lr-nat-del", "r0")
    nbctl("lr-policy-del", "r0")
    d = nbctl.dump()
    assert d["Logical_Router_Static_Route"] == [] and d["NAT"] == [] \
        and d["Logical_Router_Policy"] == []
    nbctl("lr-del", "r0")
    assert nbctl.dump()["Logical_Router_Port"] == []


def test_acls_on_switch_and_port_group(nbctl):
    nbctl("ls-add", "sw0", "--", "lsp-add", "sw0", "p1", "--",
          "pg-add", "pg1", "p1", "--",
          "acl-add", "sw0", "to-lport", "100", "ip4 && tcp.dst == 80",
          "allow-related", "--",
          "--log", "--severity=warning", "acl-add", "pg1", "from-lport",
          "200", "inport == @pg1", "drop")
    d = nbctl.dump()
    assert len(one(d["Logical_Switch"], name="sw0")["acls"]) == 1
    assert len(one(d["Port_Group"], name="pg1")["acls"]) == 1
    assert one(d["ACL"], priority=200)["severity"] == ["warning"]
    assert nbctl("acl-list", "sw0") == \
        "  to-lport   100 (ip4 && tcp.dst == 80) allow-related\n"
    assert "log(severity=warning)" in nbctl("acl-list", "pg1")
    assert "Same ACL" in nbctl.fails("acl-add", "sw0", "to-lport", "100",
                                     "ip4 && tcp.dst == 80", "drop")
    nbctl("acl-del", "sw0", "to-lport", "100", "ip4 && tcp.dst == 80")
    assert nbctl("acl-list", "sw0") == ""
    nbctl("pg-del", "pg1")
    assert nbctl.rows("ACL") == []


def test_load_balancers(nbctl):
    nbctl("ls-add", "sw0", "--", "lr-add", "r0", "--",
          "lb-add", "lb0", "10.0.0.10:80", "10.0.1.1:8080,10.0.1.2:8080",
          "--", "lb-add", "lb0", "[fd00::10]:80", "[fd00::1]:8080", "--",
          "ls-lb-add", "sw0", "lb0", "--", "lr-lb-add", "r0", "lb0")
    lb = one(nbctl.rows("Load_Balancer"), name="lb0")
    assert lb["vips"] == {"10.0.0.10:80": "10.0.1.1:8080,10.0.1.2:8080",
                          "[fd00::10]:80": "[fd00::1]:8080"}
    assert lb["protocol"] == ["tcp"]
    assert "10.0.0.10:80" in nbctl("ls-lb-list", "sw0")
    nbctl("lb-del", "lb0", "10.0.0.10:80")
    assert list(one(nbctl.rows("Load_Balancer"))["vips"]) == ["[fd00::10]:80"]
    nbctl("lr-lb-del", "r0")
    assert one(nbctl.rows("Logical_Router"))["load_balancer"] == []
    nbctl("lb-del", "lb0")
    assert nbctl.rows("Load_Balancer") == []
    assert one(nbctl.rows("Logical_Switch"))["load_balancer"] == []


def test_dhcp_options_and_ha_groups(nbctl):
    uuid = nbctl("dhcp-options-create", "10.0.0.0/24", "k=v").strip()
    nbctl("dhcp-options-set-options", uuid, "lease_time=3600",
          "router=10.0.0.1")
    assert nbctl("dhcp-options-get-options", uuid) == \
        "lease_time=3600\nrouter=10.0.0.1\n"
    assert nbctl("dhcp-options-list") == uuid + "\n"
    nbctl("ls-add", "sw0", "--", "lsp-add", "sw0", "p1", "--",
          "lsp-set-dhcpv4-options", "p1", uuid)
    assert nbctl("lsp-get-dhcpv4-options", "p1") == "%s (10.0.0.0/24)\n" % uuid
    nbctl("dhcp-options-del", uuid)
    assert nbctl.rows("DHCP_Options") == []
    nbctl("ha-chassis-group-add", "g", "--",
          "ha-chassis-group-add-chassis", "g", "hv1", "10", "--",
          "ha-chassis-group-add-chassis", "g", "hv2", "20")
    out = nbctl("ha-chassis-group-list")
    assert "(hv1)" in out and "priority 20" in out
    nbctl("ha-chassis-group-remove-chassis", "g", "hv1")
    assert [r["chassis_name"] for r in nbctl.rows("HA_Chassis")] == ["hv2"]


def test_show(nbctl):
    nbctl("ls-add", "sw0", "--", "lsp-add", "sw0", "p1", "--",
          "lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1", "--",
          "lr-add", "r0", "--", "lrp-add", "r0", "rp0", "00:00:00:00:ff:01",
          "10.0.0.254/24")
    out = nbctl("show")
    assert "switch " in out and "(sw0)" in out
    assert '        addresses: ["00:00:00:00:00:01 10.0.0.1"]\n' in out
    assert '        networks: ["10.0.0.254/24"]\n' in out
    assert "router" not in nbctl("show", "sw0")


def test_generic_commands(nbctl):
    nbctl("ls-add", "sw0")
    nbctl("set", "Logical_Switch", "sw0", "external_ids:a=1",
          'other_config={"x"="y z", k=v}')
    assert nbctl("get", "Logical_Switch", "sw0", "external_ids:a") == '"1"\n'
    assert nbctl("get", "Logical_Switch", "sw0", "other_config") == \
        '{k=v, x="y z"}\n'
    nbctl("add", "Logical_Switch", "sw0", "external_ids", "b=2")
    nbctl("remove", "Logical_Switch", "sw0", "external_ids", "a")
    assert one(nbctl.rows("Logical_Switch"))["external_ids"] == {"b": "2"}
    nbctl("clear", "Logical_Switch", "sw0", "other_config")
    # create with @name, referenced in the same transaction
    uuid = nbctl("--id=@p", "create", "Logical_Switch_Port", "name=lp",
                 "--", "add", "Logical_Switch", "sw0", "ports", "@p").strip()
    assert nbctl("get", "Logical_Switch_Port", uuid, "name") == "lp\n"
    # record by abbreviated UUID
    assert nbctl("get", "Logical_Switch_Port", uuid[:8], "name") == "lp\n"
    out = nbctl("--columns=name,type", "list", "Logical_Switch_Port")
    assert out == 'name                : lp\ntype                : ""\n'
    assert nbctl("--bare", "--columns=name", "find", "Logical_Switch",
                 "external_ids:b=2") == "sw0\n"
    assert nbctl("--bare", "--columns=name", "find", "Logical_Switch",
                 "external_ids:b=3") == ""
    table = nbctl("--format=table", "--columns=name,external_ids", "list",
                  "Logical_Switch")
    assert table.splitlines() == ["name external_ids", "---- ------------",
                                  "sw0  {b=\"2\"}"]
    csv = nbctl("--format=csv", "--columns=name", "list", "Logical_Switch")
    assert csv == "name\nsw0\n"
    nbctl("destroy", "Logical_Switch", "sw0")
    assert nbctl.rows("Logical_Switch") == []
    assert nbctl("--if-exists", "get", "Logical_Switch", "sw0", "name") == ""


def test_list_record_format_is_aligned(nbctl):
    nbctl("ls-add", "sw0")
    out = nbctl("list", "Logical_Switch", "sw0")
    lines = out.splitlines()
    assert lines[0].startswith("_uuid ")
    # every "name : value" line has its colon in the same column
    assert len({l.index(" : ") for l in lines}) == 1
    assert "name                : sw0" in lines


def test_dry_run_writes_nothing(nbctl):
    nbctl("--dry-run", "ls-add", "sw0")
    assert nbctl.rows("Logical_Switch") == []


def test_oneline(nbctl):
    nbctl("ls-add", "a", "--", "ls-add", "b")
    out = nbctl("--oneline", "ls-list", "--", "ls-add", "c")
    lines = out.split("\n")
    assert lines[0].count("\\n") == 1 and lines[1] == "" and len(lines) == 3


def test_wait_until_waits_for_another_client(nbctl):
    script = [sys.executable, "-c",
              "import sys; from pyovn.ctl import nbctl; "
              "sys.exit(nbctl.main(sys.argv[1:]))",
              "--db=" + nbctl.remote, "-t", "30", "wait-until",
              "Logical_Switch", "late", "--", "get", "Logical_Switch",
              "late", "external_ids:k"]
    p = subprocess.Popen(script, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        # It connects and blocks; meanwhile the switch appears.
        db = Database(nbctl.remote, "nb").sync()
        assert p.poll() is None
        nbctl("ls-add", "late", "--", "set", "Logical_Switch", "late",
              "external_ids:k=v")
        out, err = p.communicate(timeout=30)
        db.close()
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert out == "v\n"


def test_wait_sb_waits_for_sb_cfg(nbctl):
    """--wait=sb bumps nb_cfg and returns only once sb_cfg catches up
    (this test plays ovn-northd's part)."""
    nbctl("init")
    p = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pyovn.ctl import nbctl; "
         "sys.exit(nbctl.main(sys.argv[1:]))", "--db=" + nbctl.remote,
         "--wait=sb", "-t", "30", "ls-add", "sw0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = Database(nbctl.remote, "nb").sync()
    try:
        db.wait_until(lambda d: d.rows("NB_Global")[0].nb_cfg == 1, 30)
        assert p.poll() is None        # still waiting for northd
        assert db.find("Logical_Switch", name="sw0")

        def bump(txn):
            db.rows("NB_Global")[0].sb_cfg = 1
        db.transact(bump)
        out, err = p.communicate(timeout=30)
    finally:
        db.close()
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err


def test_console_script_and_environment(nbctl, tmp_path):
    exe = os.path.join(os.path.dirname(sys.executable), "pyovn")
    if not os.path.exists(exe):
        pytest.skip("console script not installed")
    env = dict(os.environ, OVN_NB_DB=nbctl.remote)
    p = subprocess.run([exe, "nbctl", "ls-add", "viaenv"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([exe, "nbctl", "ls-list"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.stdout.endswith("(viaenv)\n")
    p = subprocess.run([exe, "nbctl", "lr-nat-add", "x", "snat",
                        "10.0.0.300", "10.0.0.0/24"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert p.stderr == "pyovn nbctl: 10.0.0.300: invalid IPv4 address\n"
    p = subprocess.run([exe, "nbctl", "--help"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0 and "lr-nat-add" in p.stdout


def test_default_db_from_ovn_rundir(monkeypatch, tmp_path):
    from pyovn.ctl import nbctl, sbctl
    monkeypatch.delenv("OVN_NB_DB", raising=False)
    monkeypatch.setenv("OVN_RUNDIR", str(tmp_path))
    assert nbctl.PROGRAM.default_db() == "unix:%s/ovnnb_db.sock" % tmp_path
    assert sbctl.PROGRAM.default_db() == "unix:%s/ovnsb_db.sock" % tmp_path
    monkeypatch.setenv("OVN_NB_DB", "tcp:127.0.0.1:6641")
    assert nbctl.PROGRAM.default_db() == "tcp:127.0.0.1:6641"


def test_later_commands_see_earlier_ones_in_one_invocation(nbctl):
    """Unlike C ovn-nbctl, --may-exist sees a route added earlier in the
    same invocation, and a switch deleted earlier frees its port names."""
    nbctl("lr-add", "r0", "--", "lr-route-add", "r0", "10.0.0.0/8",
          "10.0.0.1", "--", "--may-exist", "lr-route-add", "r0",
          "10.0.0.0/8", "10.0.0.2")
    routes = nbctl.rows("Logical_Router_Static_Route")
    assert [r["nexthop"] for r in routes] == ["10.0.0.2"]
    nbctl("ls-add", "sw0", "--", "lsp-add", "sw0", "p1")
    nbctl("ls-del", "sw0", "--", "ls-add", "sw0", "--", "lsp-add", "sw0", "p1")
    assert [r["name"] for r in nbctl.rows("Logical_Switch_Port")] == ["p1"]
    assert len(one(nbctl.rows("Logical_Switch"), name="sw0")["ports"]) == 1


def test_short_options_and_env_options(nbctl, monkeypatch):
    nbctl("ls-add", "sw0")
    assert nbctl("-t5", "-fcsv", "--columns=name", "list",
                 "Logical_Switch") == "name\nsw0\n"
    assert nbctl("-t", "5", "-f", "csv", "--columns=name", "list",
                 "Logical_Switch") == "name\nsw0\n"
    monkeypatch.setenv("OVN_NBCTL_OPTIONS", "--format=csv --no-headings")
    assert nbctl("--columns=name", "list", "Logical_Switch") == "sw0\n"


def test_large_invocation_with_adds_deletes_and_generic_commands(nbctl):
    """Hundreds of commands in one transaction on rows the transaction
    itself created: later commands see every earlier change, including
    ones made by the generic commands."""
    argv = ["ls-add", "big"]
    for i in range(400):
        argv += ["--", "lsp-add", "big", "p%d" % i, "--",
                 "lsp-set-addresses", "p%d" % i,
                 "00:00:00:00:%02x:%02x 10.1.%d.%d" % (i // 256, i % 256,
                                                      i // 200, i % 200 + 1)]
    for i in range(0, 400, 2):
        argv += ["--", "lsp-del", "p%d" % i]
    argv += ["--", "set", "Logical_Switch", "big", "external_ids:k=v",
             "--", "lsp-add", "big", "p0", "--",
             "lsp-set-addresses", "p0", "00:00:00:00:00:00 10.1.0.1"]
    nbctl(*argv)
    ls = one(nbctl.rows("Logical_Switch"), name="big")
    names = sorted(p.name for p in ls["ports"])
    assert len(names) == 201 and "p0" in names and "p2" not in names
    assert ls["external_ids"] == {"k": "v"}
    assert len(nbctl.rows("Logical_Switch_Port")) == 201
    # the address of deleted p0 was freed for the new p0; p1's is taken
    err = nbctl.fails("lsp-add", "big", "q", "--", "lsp-set-addresses", "q",
                      "00:00:00:00:09:09 10.1.0.2")
    assert "duplicate IPv4 address '10.1.0.2' found on logical switch port " \
        "'p1'" in err


def test_add_delete_add_on_a_new_row_in_one_invocation(nbctl):
    nbctl("lr-add", "r1", "--", "lr-route-add", "r1", "10.0.0.0/8", "1.1.1.1",
          "--", "lr-route-del", "r1", "10.0.0.0/8", "--",
          "lr-route-add", "r1", "10.1.0.0/16", "1.1.1.2", "--",
          "lr-policy-add", "r1", "10", "ip4", "drop", "--",
          "lr-policy-del", "r1", "--", "lr-policy-add", "r1", "20", "ip6",
          "drop")
    r = one(nbctl.rows("Logical_Router"), name="r1")
    assert [x.ip_prefix for x in r["static_routes"]] == ["10.1.0.0/16"]
    assert [x.priority for x in r["policies"]] == [20]
