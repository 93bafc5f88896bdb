"""Bad arguments: one clear error naming what is wrong, on stderr, exit
status 1, and nothing written -- not even by the good commands joined to
the bad one with "--"."""

import pytest

from .peer import canonical_dump

SETUP = [
    "ls-add sw0", "lsp-add sw0 p1", "lsp-set-addresses p1 00:00:00:00:00:01",
    "lr-add r0", "lrp-add r0 rp0 00:00:00:00:ff:01 10.0.0.1/24",
    "pg-add pg1 p1", "lb-add lb0 30.0.0.1:80 10.0.0.2:80",
    "ha-chassis-group-add g1",
]

# (arguments, text the error must contain)
BAD = [
    (["lr-nat-add", "r0", "snat", "10.0.0.300", "10.0.0.0/24"],
     "10.0.0.300: invalid IPv4 address"),
    (["lr-nat-add", "r0", "dnat", "1.1.1.1", "10.0.0.0/24"],
     "10.0.0.0/24"),
    (["lr-nat-add", "r0", "fullnat", "1.1.1.1", "10.0.0.1"],
     "fullnat: NAT type must be one of"),
    (["lr-nat-add", "r0", "dnat_and_snat", "1.1.1.1", "10.0.0.1", "p1",
      "00:00:00:00:00:zz"], "00:00:00:00:00:zz: invalid MAC address"),
    (["--portrange", "lr-nat-add", "r0", "snat", "1.1.1.1", "10.0.0.0/24",
      "2000-1000"], "2000-1000: invalid port range"),
    (["--portrange", "lr-nat-add", "r0", "snat", "1.1.1.1", "10.0.0.0/24",
      "70000"], "70000: invalid port range"),
    (["--stateless", "lr-nat-add", "r0", "snat", "1.1.1.1", "10.0.0.0/24"],
     "stateless"),
    (["lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.300"],
     "10.0.0.300: invalid IPv4 address"),
    (["lsp-set-addresses", "p1", "zz:00:00:00:00:01"],
     "zz:00:00:00:00:01: invalid address format"),
    (["lsp-set-port-security", "p1", "00:00:00:00:00:01 10.0.0.1/40"],
     "40: invalid prefix length"),
    (["lrp-add", "r0", "rp1", "00:00:00:00:ff:02", "10.0.0.256/24"],
     "10.0.0.256: invalid IPv4 address"),
    (["lrp-add", "r0", "rp1", "00:00:00:00:ff", "10.1.0.1/24"],
     "00:00:00:00:ff: invalid MAC address"),
    (["lrp-add", "r0", "rp1", "00:00:00:00:ff:02", "10.1.0.1/33"],
     "33: invalid prefix length"),
    (["lrp-add", "r0", "rp1", "00:00:00:00:ff:02", "10.1.0.1/24", "peer="],
     'peer=: argument does not end in "=" followed by a value'),
    (["lr-route-add", "r0", "10.9.0.0/16", "10.0.0.2", "nosuchport"],
     "nosuchport: port name not found"),
    (["lsp-set-port-security", "p1", "garbage"],
     "garbage: invalid port security entry"),
    (["lr-route-add", "r0", "10.0.0.0/33", "10.0.0.2"],
     "bad prefix argument: 10.0.0.0/33"),
    (["lr-route-add", "r0", "10.9.0.0/16", "10.0.0.999"],
     "10.0.0.999: invalid IPv4 address"),
    (["lr-route-add", "r0", "10.9.0.0/16", "fd00::1"],
     "bad nexthop argument: fd00::1"),
    (["--policy=foo", "lr-route-add", "r0", "10.9.0.0/16", "10.0.0.2"],
     "foo: --policy must be one of"),
    (["acl-add", "sw0", "from-lport", "40000", "ip", "drop"],
     "40000: priority must be between 0 and 32767"),
    (["acl-add", "sw0", "from-lport", "-1", "ip", "drop"],
     "-1: priority must be"),
    (["acl-add", "sw0", "sideways", "100", "ip", "drop"],
     "sideways: direction must be one of"),
    (["acl-add", "sw0", "from-lport", "100", "ip", "permit"],
     "permit: verdict must be one of"),
    (["acl-add", "sw0", "from-lport", "100", "ip4.frobnicate == 1", "drop"],
     "ip4.frobnicate == 1: invalid match"),
    (["acl-add", "sw0", "from-lport", "100", "ip4.src == ", "drop"],
     "invalid match"),
    (["--severity=loud", "acl-add", "sw0", "from-lport", "100", "ip",
      "drop"], "loud: severity must be one of"),
    (["lr-policy-add", "r0", "100", "ip4", "reroute"],
     "Nexthop is required when action is reroute"),
    (["lr-policy-add", "r0", "100", "ip4", "reroute", "10.0.0.300"],
     "10.0.0.300: invalid IPv4 address"),
    (["lr-policy-add", "r0", "100", "ip4 &&", "drop"], "invalid match"),
    (["lr-policy-add", "r0", "99999", "ip4", "drop"],
     "99999: priority must be"),
    (["lsp-add", "sw0", "c1", "p1", "5000"],
     "5000: invalid tag (must be in range 0 to 4095)"),
    (["lsp-add", "sw0", "p1"], "p1: a port with this name already exists"),
    (["lsp-add", "nosuch", "p9"], "nosuch: switch name not found"),
    (["ls-add", "sw0"], "sw0: a switch with this name already exists"),
    (["lsp-set-type", "p1", "bogus"], "'bogus' is unrecognized"),
    (["lsp-set-enabled", "p1", "maybe"], "maybe: state must be one of"),
    (["lsp-set-options", "p1", "novalue"],
     "novalue: argument must be of the form KEY=VALUE"),
    (["lb-add", "lb1", "30.0.0.300:80", "10.0.0.2:80"],
     "30.0.0.300: invalid IPv4 address"),
    (["lb-add", "lb1", "30.0.0.3:99999", "10.0.0.2:80"],
     "99999: invalid port number"),
    (["lb-add", "lb1", "30.0.0.3:80", "fd00::2"],
     "IP address family of backend differs"),
    (["lb-add", "lb1", "30.0.0.3", "10.0.0.2", "udp"],
     "Protocol is unnecessary"),
    (["lb-add", "lb0", "30.0.0.1:80", "10.0.0.3:80"],
     "a load balancer with this vip (30.0.0.1:80) already exists"),
    (["lrp-set-gateway-chassis", "rp0", "ch1", "40000"],
     "40000: priority must be"),
    (["ha-chassis-group-add-chassis", "g1", "ch1", "x"],
     "x: priority must be"),
    (["dhcp-options-create", "10.0.0.0/99"], "99: invalid prefix length"),
    (["dhcp-options-create", "garbage"], "garbage: invalid IP address"),
    (["set", "Logical_Switch_Port", "p1", "tag_request=5000"],
     "5000"),
    (["set", "Logical_Switch_Port", "p1", "enabled=maybe"],
     "maybe"),
    (["set", "Logical_Switch", "sw0", "nosuchcolumn=1"],
     "does not contain a column whose name matches \"nosuchcolumn\""),
    (["set", "Nosuchtable", "sw0", "name=x"], 'unknown table "Nosuchtable"'),
    (["set", "Logical_Switch", "nosuch", "name=x"],
     'no row "nosuch" in table Logical_Switch'),
    (["create", "ACL", "direction=up", "priority=1", "match=ip",
      "action=drop"], "up"),
    (["no-such-command"], "unknown command 'no-such-command'"),
    (["ls-add", "a", "b"], "'ls-add' command takes at most 1 arguments"),
    (["lsp-add", "sw0"], "'lsp-add' command requires at least 2 arguments"),
    (["--bogus", "ls-add", "x"], "'ls-add' command has no '--bogus' option"),
]


def _setup(nbctl):
    argv = []
    for line in SETUP:
        argv += ["--"] + line.split()
    nbctl(*argv)


@pytest.mark.parametrize("argv,message", BAD,
                         ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_argument_refused_and_nothing_written(nbctl, argv, message):
    _setup(nbctl)
    before = canonical_dump(nbctl.remote, "nb")
    # A good command first, then the bad one: the transaction is all or
    # nothing.
    rc, out, err = nbctl.run("ls-add", "good-switch", "--", *argv)
    assert rc == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("pyovn nbctl: ")
    assert message in lines[0], err
    assert canonical_dump(nbctl.remote, "nb") == before


def test_bad_global_option_writes_nothing(nbctl):
    _setup(nbctl)
    before = canonical_dump(nbctl.remote, "nb")
    err = nbctl.fails("--timeout=abc", "ls-add", "x")
    assert "abc" in err
    err = nbctl.fails("--wait=forever", "ls-add", "x")
    assert "argument to --wait must be" in err
    err = nbctl.fails("--format=fancy", "ls-add", "x")
    assert "fancy: unknown table format" in err
    assert canonical_dump(nbctl.remote, "nb") == before


def test_unreachable_database_is_a_clear_error(tmp_path):
    from pyovn.ctl import nbctl
    import io
    out, err = io.StringIO(), io.StringIO()
    # No --timeout: it must still fail at once, as ovn-nbctl does.
    rc = nbctl.PROGRAM.main(["--db=unix:%s/none.sock" % tmp_path, "ls-list"],
                            stdout=out, stderr=err)
    assert rc == 1
    assert err.getvalue() == ("pyovn nbctl: unix:%s/none.sock: database "
                              "connection failed (No such file or "
                              "directory)\n" % tmp_path)
