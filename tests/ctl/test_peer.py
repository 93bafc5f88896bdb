"""Peer comparison: the same commands through C ovn-nbctl / ovn-sbctl and
through pyovn nbctl / sbctl, each on its own fresh database (from pyovn's
schemas), must leave equal rows in every table (UUIDs aside, references
followed)."""

import io
import shutil

import pytest

from pyovn.ctl import nbctl, sbctl
from .peer import canonical_dump, diff_dumps, run_c

pytestmark = pytest.mark.peer

NB_SCENARIOS = {
    "switches": [
        ["ls-add", "sw0"], ["ls-add", "sw1"], ["ls-add"],
        ["--may-exist", "ls-add", "sw0"],
        ["--add-duplicate", "ls-add", "sw1"],
        ["lsp-add", "sw0", "p1"], ["lsp-add", "sw0", "p2"],
        ["lsp-add", "sw0", "c1", "p1", "5"],
        ["lsp-add", "sw0", "c2", "p1", "0"],
        ["--may-exist", "lsp-add", "sw0", "p1"],
        ["lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1 fd00::1",
         "unknown"],
        ["lsp-set-addresses", "p2", "dynamic"],
        ["lsp-add", "sw0", "p4"],
        ["lsp-set-addresses", "p4", "00:00:00:00:00:04 dynamic"],
        ["lsp-add", "sw0", "p5"],
        ["lsp-set-addresses", "p5", "dynamic 10.0.0.55 fd00::55"],
        ["lsp-set-port-security", "p1", "00:00:00:00:00:01 10.0.0.1/24"],
        ["lsp-set-enabled", "p1", "disabled"],
        ["lsp-set-enabled", "p2", "enabled"],
        ["lsp-set-type", "p2", "localnet"],
        ["lsp-set-options", "p2", "network_name=phys", "foo=bar"],
        ["lsp-add", "sw0", "p3"], ["lsp-del", "p3"],
        ["--if-exists", "lsp-del", "nonexistent"],
        ["ls-add", "sw9"], ["ls-del", "sw9"],
    ],
    "acls_pgs": [
        ["ls-add", "sw0"], ["lsp-add", "sw0", "p1"], ["lsp-add", "sw0", "p2"],
        ["acl-add", "sw0", "from-lport", "100", "ip4", "allow-related"],
        ["--log", "--name=n1", "--severity=alert", "acl-add", "sw0",
         "to-lport", "200", "ip4.src == 10.0.0.1", "drop"],
        ["--log", "acl-add", "sw0", "to-lport", "300", "tcp", "reject"],
        ["--meter=m1", "--label=1234", "--apply-after-lb", "acl-add", "sw0",
         "from-lport", "400", "udp", "allow"],
        ["--may-exist", "acl-add", "sw0", "from-lport", "100", "ip4",
         "allow-related"],
        ["acl-add", "sw0", "from-lport", "50", "arp", "allow-stateless"],
        ["acl-del", "sw0", "from-lport", "50", "arp"],
        ["pg-add", "pg1", "p1", "p2"], ["pg-add", "pg2"],
        ["pg-set-ports", "pg2", "p2"],
        ["acl-add", "pg1", "to-lport", "1000", "outport == @pg1 && ip4",
         "drop"],
        ["--type=port-group", "acl-add", "pg2", "from-lport", "10", "ip",
         "allow"],
        ["pg-add", "pg3"], ["pg-del", "pg3"],
        ["ls-add", "sw1"],
        ["acl-add", "sw1", "to-lport", "1", "ip", "drop"],
        ["acl-add", "sw1", "to-lport", "2", "ip6", "drop"],
        ["acl-del", "sw1"],
    ],
    "routers": [
        ["lr-add", "r0"], ["lr-add", "r1"], ["--may-exist", "lr-add", "r0"],
        ["lrp-add", "r0", "rp0", "00:00:00:00:ff:01", "10.0.0.1/24",
         "fd00::1/64"],
        ["lrp-add", "r0", "rp1", "00:00:00:00:ff:02", "20.0.0.1/24",
         "peer=rp2"],
        ["lrp-add", "r1", "rp2", "00:00:00:00:ff:03", "20.0.0.2/24",
         "peer=rp1"],
        ["--may-exist", "lrp-add", "r0", "rp0", "00:00:00:00:ff:01",
         "10.0.0.1/24", "fd00::1/64"],
        ["lrp-set-enabled", "rp1", "disabled"],
        ["lrp-set-gateway-chassis", "rp0", "ch1", "20"],
        ["lrp-set-gateway-chassis", "rp0", "ch2"],
        ["lrp-set-gateway-chassis", "rp0", "ch2", "5"],
        ["lrp-set-gateway-chassis", "rp0", "ch3", "1"],
        ["lrp-del-gateway-chassis", "rp0", "ch3"],
        ["lrp-set-redirect-type", "rp0", "bridged"],
        ["lrp-add", "r1", "rp9", "00:00:00:00:ff:09", "30.0.0.1/24"],
        ["lrp-del", "rp9"],
        ["lr-add", "r9"], ["lr-del", "r9"],
        ["ls-add", "sw0"], ["lsp-add", "sw0", "sw0-r0"],
        ["lsp-set-type", "sw0-r0", "router"],
        ["lsp-set-addresses", "sw0-r0", "router"],
        ["lsp-set-options", "sw0-r0", "router-port=rp0"],
    ],
    "routes": [
        ["lr-add", "r0"],
        ["lrp-add", "r0", "rp0", "00:00:00:00:ff:01", "10.0.0.1/24"],
        ["lr-route-add", "r0", "192.168.0.0/16", "10.0.0.5"],
        ["lr-route-add", "r0", "10.2.0.7/24", "10.0.0.6"],
        ["lr-route-add", "r0", "10.3.0.1/32", "10.0.0.6", "rp0"],
        ["lr-route-add", "r0", "0.0.0.0/0", "10.0.0.254"],
        ["lr-route-add", "r0", "fd00:1::/64", "fd00::2"],
        ["--policy=src-ip", "lr-route-add", "r0", "10.4.0.0/24",
         "10.0.0.7"],
        ["--ecmp", "lr-route-add", "r0", "10.5.0.0/24", "10.0.0.8"],
        ["--ecmp", "lr-route-add", "r0", "10.5.0.0/24", "10.0.0.9"],
        ["--ecmp-symmetric-reply", "lr-route-add", "r0", "10.6.0.0/24",
         "10.0.0.10", "rp0"],
        ["--may-exist", "lr-route-add", "r0", "192.168.0.0/16",
         "10.0.0.11"],
        ["--route-table=rt1", "lr-route-add", "r0", "10.7.0.0/16",
         "10.0.0.5"],
        ["lr-route-add", "r0", "10.8.0.0/16", "discard"],
        ["--bfd", "lr-route-add", "r0", "10.9.0.0/16", "10.0.0.12", "rp0"],
        ["lr-route-add", "r0", "10.10.0.0/16", "10.0.0.13"],
        ["lr-route-del", "r0", "10.10.0.0/16"],
        ["lr-route-del", "r0", "10.5.0.0/24", "10.0.0.9"],
        ["--if-exists", "lr-route-del", "r0", "10.99.0.0/16"],
    ],
    "nat_policies": [
        ["lr-add", "r0"], ["ls-add", "sw0"], ["lsp-add", "sw0", "vm1"],
        ["lrp-add", "r0", "rp0", "00:00:00:00:ff:01", "172.16.0.1/24"],
        ["lr-nat-add", "r0", "snat", "172.16.0.100", "10.0.0.0/24"],
        ["lr-nat-add", "r0", "dnat", "172.16.0.101", "10.0.0.5"],
        ["lr-nat-add", "r0", "dnat_and_snat", "172.16.0.102", "10.0.0.6",
         "vm1", "00:00:00:01:02:03"],
        ["--stateless", "lr-nat-add", "r0", "dnat_and_snat",
         "172.16.0.103", "10.0.0.7"],
        ["--portrange", "lr-nat-add", "r0", "snat", "172.16.0.104",
         "10.1.0.0/24", "1000-2000"],
        ["--may-exist", "lr-nat-add", "r0", "snat", "172.16.0.100",
         "10.0.0.0/24"],
        ["lr-nat-add", "r0", "snat", "172.16.0.105", "10.2.0.1/24"],
        ["lr-nat-del", "r0", "snat", "10.2.0.0/24"],
        ["lr-nat-add", "r0", "dnat", "172.16.0.106", "10.0.0.9"],
        ["lr-nat-del", "r0", "dnat", "172.16.0.106"],
        ["lr-policy-add", "r0", "100", "ip4.src == 10.0.0.0/24", "drop"],
        ["lr-policy-add", "r0", "200", "ip4.dst == 10.1.0.0/24", "reroute",
         "10.0.0.2,10.0.0.3"],
        ["lr-policy-add", "r0", "300", "ip4", "allow", "pkt_mark=5"],
        ["lr-policy-add", "r0", "400", "ip6", "reroute", "fd00::5",
         "pkt_mark=7"],
        ["--may-exist", "lr-policy-add", "r0", "100",
         "ip4.src == 10.0.0.0/24", "drop"],
        ["lr-policy-add", "r0", "500", "tcp", "drop"],
        ["lr-policy-del", "r0", "500"],
    ],
    "lbs_dhcp_ha": [
        ["ls-add", "sw0"], ["lr-add", "r0"],
        ["lb-add", "lb0", "30.0.0.10:80", "192.168.10.10:80,192.168.10.20:80",
         "udp"],
        ["lb-add", "lb1", "30.0.0.11", "10.0.0.1,10.0.0.2"],
        ["lb-add", "lb0", "30.0.0.12:8080", "192.168.10.30:80"],
        ["lb-add", "lb2", "[fd00::10]:80", "[fd00::1]:8080,[fd00::2]:8080"],
        ["--reject", "lb-add", "lb3", "30.0.0.13:53", "10.0.0.3:53", "udp"],
        ["--event", "lb-add", "lb4", "30.0.0.14", "10.0.0.4"],
        ["lb-add", "lb5", "30.0.0.15", "10.0.0.5"],
        ["lb-del", "lb5"], ["lb-del", "lb0", "30.0.0.12:8080"],
        ["ls-lb-add", "sw0", "lb0"], ["ls-lb-add", "sw0", "lb1"],
        ["--may-exist", "ls-lb-add", "sw0", "lb0"],
        ["ls-lb-del", "sw0", "lb1"],
        ["lr-lb-add", "r0", "lb1"], ["lr-lb-add", "r0", "lb2"],
        ["lr-lb-del", "r0", "lb2"],
        ["ha-chassis-group-add", "g1"], ["ha-chassis-group-add", "g2"],
        ["ha-chassis-group-add-chassis", "g1", "ch1", "10"],
        ["ha-chassis-group-add-chassis", "g1", "ch2", "20"],
        ["ha-chassis-group-add-chassis", "g1", "ch1", "30"],
        ["ha-chassis-group-add-chassis", "g2", "ch3", "5"],
        ["ha-chassis-group-remove-chassis", "g1", "ch2"],
        ["ha-chassis-group-add", "g3"], ["ha-chassis-group-del", "g3"],
        ["dhcp-options-create", "10.0.0.0/24", "name=d1"],
        ["dhcp-options-create", "fd00::/64"],
    ],
    "qos_meters_conn": [
        ["ls-add", "sw0"],
        ["qos-add", "sw0", "from-lport", "100", "ip4", "dscp=10"],
        ["qos-add", "sw0", "to-lport", "200", "udp", "rate=1000",
         "burst=100"],
        ["qos-add", "sw0", "to-lport", "300", "tcp", "rate=500", "dscp=4"],
        ["--may-exist", "qos-add", "sw0", "from-lport", "100", "ip4",
         "dscp=10"],
        ["qos-add", "sw0", "to-lport", "400", "ip6", "dscp=1"],
        ["qos-del", "sw0", "to-lport", "400", "ip6"],
        ["meter-add", "m1", "drop", "100", "kbps"],
        ["meter-add", "m2", "drop", "10", "pktps", "20"],
        ["--fair", "meter-add", "m3", "drop", "5", "kbps"],
        ["meter-add", "m4", "drop", "5", "kbps"], ["meter-del", "m4"],
        ["set-connection", "ptcp:6641:127.0.0.1", "punix:/tmp/x.sock"],
        ["--inactivity-probe=30000", "set-connection", "ptcp:6642"],
        ["set-ssl", "/k.pem", "/c.pem", "/ca.pem"],
        ["--bootstrap", "set-ssl", "/k2.pem", "/c2.pem", "/ca2.pem",
         "TLSv1.2", "HIGH"],
    ],
    "chained": [
        # everything in one transaction: later commands see earlier rows
        ["ls-add", "sw0", "--", "lsp-add", "sw0", "p1", "--",
         "lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1", "--",
         "lsp-add", "sw0", "p2", "--", "lsp-set-type", "p2", "router", "--",
         "lsp-set-options", "p2", "router-port=rp0", "--",
         "lsp-set-addresses", "p2", "router", "--",
         "lr-add", "r0", "--",
         "lrp-add", "r0", "rp0", "00:00:00:00:ff:01", "10.0.0.254/24", "--",
         "lrp-set-gateway-chassis", "rp0", "hv1", "3", "--",
         "lr-route-add", "r0", "0.0.0.0/0", "10.0.0.1", "--",
         "lr-nat-add", "r0", "snat", "1.1.1.1", "10.0.0.0/24", "--",
         "pg-add", "pg1", "p1", "--",
         "acl-add", "pg1", "to-lport", "1001", "outport == @pg1", "drop",
         "--", "lb-add", "lb0", "10.9.9.9:80", "10.0.0.1:8080", "--",
         "ls-lb-add", "sw0", "lb0", "--",
         "ha-chassis-group-add", "g", "--",
         "ha-chassis-group-add-chassis", "g", "hv1", "1"],
        ["ls-del", "sw0", "--", "ls-add", "sw0"], ["lsp-add", "sw0", "p1"],
        ["lsp-del", "p1", "--", "lsp-add", "sw0", "p1", "--",
         "lsp-set-addresses", "p1", "00:00:00:00:00:09"],
        ["lr-route-del", "r0", "--", "lr-route-add", "r0", "10.0.0.0/8",
         "10.0.0.1"],
    ],
    "misc": [
        ["ls-add", "sw0"], ["lsp-add", "sw0", "p1"], ["lsp-add", "sw0", "p2"],
        ["lr-add", "r0"],
        ["lrp-add", "r0", "rp0", "00:00:00:00:ff:01", "10.0.0.1/24"],
        ["lrp-set-options", "rp0", "gateway_mtu=1400", "foo=bar"],
        ["mirror-add", "m1", "gre", "7", "from-lport", "192.168.1.1"],
        ["mirror-add", "m2", "erspan", "8", "to-lport", "fd00::9"],
        ["mirror-add", "m3", "gre", "9", "to-lport", "192.168.1.3"],
        ["lsp-attach-mirror", "p1", "m1"], ["lsp-attach-mirror", "p1", "m2"],
        ["lsp-detach-mirror", "p1", "m2"], ["mirror-del", "m3"],
        ["fwd-group-add", "fg1", "sw0", "10.0.0.100", "00:00:00:00:00:99",
         "p1", "p2"],
        ["--liveness", "fwd-group-add", "fg2", "sw0", "10.0.0.101",
         "00:00:00:00:00:98", "p2"],
        ["fwd-group-del", "fg2"],
        ["copp-add", "c1", "arp", "m-arp"], ["copp-add", "c1", "bfd", "m-bfd"],
        ["copp-add", "c1", "dns", "m-dns"], ["copp-del", "c1", "dns"],
        ["copp-add", "c2", "igmp", "m-igmp"],
        ["ls-copp-add", "c1", "sw0"], ["lr-copp-add", "c2", "r0"],
        ["static-mac-binding-add", "rp0", "10.0.0.50", "00:00:00:00:50:50"],
        ["static-mac-binding-add", "rp0", "10.0.0.51", "00:00:00:00:50:51"],
        ["--may-exist", "static-mac-binding-add", "rp0", "10.0.0.51",
         "00:00:00:00:50:52"],
        ["static-mac-binding-add", "rp0", "10.0.0.52", "00:00:00:00:50:53"],
        ["static-mac-binding-del", "rp0", "10.0.0.52"],
    ],
    "generic": [
        ["ls-add", "sw0"],
        ["set", "Logical_Switch", "sw0", "external_ids:neutron=abc",
         "other_config:subnet=10.0.0.0/24"],
        ["add", "Logical_Switch", "sw0", "external_ids", "k2=v2"],
        ["remove", "Logical_Switch", "sw0", "external_ids", "neutron"],
        ["--", "--id=@p", "create", "Logical_Switch_Port", "name=pp",
         "type=localport", "--", "add", "Logical_Switch", "sw0", "ports",
         "@p"],
        ["set", "Logical_Switch_Port", "pp",
         'addresses="00:00:00:00:00:05 10.0.0.5"', "tag_request=7"],
        ["create", "Address_Set", "name=as1",
         "addresses=10.0.0.1,10.0.0.2"],
        ["add", "Address_Set", "as1", "addresses", '"10.0.0.3"'],
        ["remove", "Address_Set", "as1", "addresses", '"10.0.0.1"'],
        ["create", "Address_Set", "name=as2"],
        ["destroy", "Address_Set", "as2"],
        ["set", "NB_Global", ".", "options:foo=bar"],
        ["clear", "Logical_Switch_Port", "pp", "tag_request"],
        ["--id=@b", "create", "Meter_Band", "action=drop", "rate=10", "--",
         "create", "Meter", "name=m1", "unit=pktps", "bands=@b"],
        ["get", "Logical_Switch", "sw0", "external_ids:k2"],
        ["list", "Logical_Switch"],
        ["--columns=name", "find", "Logical_Switch_Port", "type=localport"],
    ],
}


def _apply_py(module, remote, argv):
    out, err = io.StringIO(), io.StringIO()
    rc = module.PROGRAM.main(["--db=" + remote] + argv, stdout=out, stderr=err)
    return rc, out.getvalue(), err.getvalue()


def _compare(ovsdb, kind, c_prog, module, commands):
    if shutil.which(c_prog) is None:
        pytest.skip("%s (C peer) is not installed" % c_prog)
    c_db = ovsdb(kind, name="c_" + kind)
    py_db = ovsdb(kind, name="py_" + kind)
    for argv in commands:
        crc, cout, cerr = run_c(c_prog, c_db.remote, argv)
        prc, pout, perr = _apply_py(module, py_db.remote, argv)
        assert crc == 0, "C %s %s failed: %s" % (c_prog, argv, cerr)
        assert prc == 0, "pyovn %s failed: %s" % (argv, perr)
    a = canonical_dump(c_db.remote, kind)
    b = canonical_dump(py_db.remote, kind)
    assert a == b, diff_dumps(a, b)
    return a


@pytest.mark.parametrize("scenario", sorted(NB_SCENARIOS))
def test_nbctl_rows_equal_c_ovn_nbctl(ovsdb, scenario):
    dump = _compare(ovsdb, "nb", "ovn-nbctl", nbctl, NB_SCENARIOS[scenario])
    # The scenario really wrote something.
    assert sum(len(rows) for rows in dump.values()) > 1


SB_COMMANDS = [
    ["chassis-add", "ch1", "geneve", "192.168.0.1"],
    ["chassis-add", "ch2", "geneve,vxlan", "192.168.0.2"],
    ["--may-exist", "chassis-add", "ch1", "geneve", "192.168.0.1"],
    ["chassis-add", "ch3", "stt", "192.168.0.3"],
    ["chassis-del", "ch3"],
    ["--if-exists", "chassis-del", "nope"],
    ["set", "SB_Global", ".", "options:foo=bar"],
    ["set-connection", "ptcp:6642"],
    ["set-ssl", "/k.pem", "/c.pem", "/ca.pem"],
    ["--", "--id=@dp", "create", "Datapath_Binding", "tunnel_key=1",
     "external_ids:name=sw0", "--", "create", "Port_Binding",
     "logical_port=lp1", "datapath=@dp", "tunnel_key=1", "--", "create",
     "Port_Binding", "logical_port=lp2", "datapath=@dp", "tunnel_key=2"],
    ["lsp-bind", "lp1", "ch1"],
    ["lsp-bind", "lp2", "ch2"],
    ["lsp-unbind", "lp2"],
    ["--if-exists", "lsp-unbind", "lp2"],
]


def test_sbctl_rows_equal_c_ovn_sbctl(ovsdb):
    dump = _compare(ovsdb, "sb", "ovn-sbctl", sbctl, SB_COMMANDS)
    assert len(dump["Chassis"]) == 2


READ_COMMANDS = [
    ["show"], ["show", "sw0"], ["show", "r0"], ["ls-list"], ["lr-list"],
    ["lsp-list", "sw0"], ["lrp-list", "r0"], ["acl-list", "sw0"],
    ["acl-list", "pg1"], ["lr-route-list", "r0"], ["lr-nat-list", "r0"],
    ["lr-policy-list", "r0"], ["lb-list"], ["ls-lb-list", "sw0"],
    ["lr-lb-list", "r0"], ["lsp-get-addresses", "p1"],
    ["lsp-get-port-security", "p1"], ["lsp-get-up", "p1"],
    ["lsp-get-enabled", "p1"], ["lsp-get-type", "p1"],
    ["lsp-get-options", "p1"], ["lsp-get-parent", "c1"],
    ["lsp-get-tag", "c1"], ["lsp-get-ls", "p1"], ["lrp-get-enabled", "rp0"],
    ["lrp-get-gateway-chassis", "rp0"], ["lrp-get-redirect-type", "rp0"],
    ["ha-chassis-group-list"], ["dhcp-options-list"],
    ["list", "Logical_Switch_Port", "p1"],
    ["--columns=name,addresses", "find", "Logical_Switch_Port",
     "name=p1"],
    ["--bare", "--columns=name", "list", "Logical_Router"],
    ["-f", "table", "--columns=name,type", "list", "Logical_Switch_Port",
     "p1"],
    ["get", "Logical_Router_Port", "rp0", "networks", "mac"],
    ["get", "NB_Global", ".", "nb_cfg"],
    ["qos-list", "sw0"], ["meter-list"], ["get-connection"], ["get-ssl"],
    ["mirror-list"], ["fwd-group-list"], ["fwd-group-list", "sw0"],
    ["--bare", "--columns=name", "find", "Logical_Switch_Port",
     "tag_request>=3"],
    ["--bare", "--columns=name", "find", "Logical_Switch_Port",
     "tag_request<3"],
    ["--bare", "--columns=name", "find", "Logical_Switch_Port",
     'addresses{>=}"00:00:00:00:00:01 10.0.0.1"'],
    ["--bare", "--columns=name", "find", "Logical_Switch_Port",
     "options:a=b"],
    ["--bare", "--columns=name", "find", "Logical_Switch_Port",
     "options:a!=c"],
    ["--bare", "--columns=name", "find", "Logical_Switch_Port",
     "options{!=}a=b"],
    ["--bare", "--columns=name,priority", "find", "ACL", "priority{in}200"],
    ["--bare", "--columns=name", "find", "Logical_Switch_Port",
     "type{not-in}router"],
    ["--format=json", "--columns=name,tag_request,options", "list",
     "Logical_Switch_Port", "c1"],
    ["--format=csv", "--columns=name,networks", "list",
     "Logical_Router_Port"],
    ["--data=bare", "--format=table", "--columns=name,networks", "list",
     "Logical_Router_Port"],
    ["--no-headings", "--columns=name", "list", "Logical_Router"],
    ["--oneline", "lsp-list", "sw0", "--", "lr-list"],
    ["get", "Logical_Switch_Port", "p1", "options:a", "_uuid"],
    ["copp-list", "c1"], ["static-mac-binding-list"],
]


def test_nbctl_read_commands_print_what_c_ovn_nbctl_prints(ovsdb):
    """Output of the read-only commands on one database built by C
    ovn-nbctl (orderings that C leaves to hash order are compared sorted)."""
    if shutil.which("ovn-nbctl") is None:
        pytest.skip("ovn-nbctl (C peer) is not installed")
    db = ovsdb("nb")
    for argv in [
            ["ls-add", "sw0"], ["lsp-add", "sw0", "p1"],
            ["lsp-add", "sw0", "c1", "p1", "3"],
            ["lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1"],
            ["lsp-set-port-security", "p1", "00:00:00:00:00:01 10.0.0.1"],
            ["lsp-set-options", "p1", "a=b"],
            ["lr-add", "r0"],
            ["lrp-add", "r0", "rp0", "00:00:00:00:ff:01", "10.0.0.254/24",
             "fd00::1/64"],
            ["lrp-set-gateway-chassis", "rp0", "hv1", "10"],
            ["lr-route-add", "r0", "10.1.0.0/16", "10.0.0.2"],
            ["lr-route-add", "r0", "10.2.0.1", "10.0.0.3", "rp0"],
            ["lr-route-add", "r0", "fd01::/64", "fd00::2"],
            ["lr-nat-add", "r0", "snat", "1.1.1.1", "10.0.0.0/24"],
            ["lr-nat-add", "r0", "dnat_and_snat", "1.1.1.2", "10.0.0.1",
             "p1", "00:00:00:00:01:01"],
            ["lr-policy-add", "r0", "100", "ip4.src == 10.0.0.0/24", "drop"],
            ["acl-add", "sw0", "from-lport", "100", "ip4", "allow-related"],
            ["pg-add", "pg1", "p1"],
            ["acl-add", "pg1", "to-lport", "200", "ip", "drop"],
            ["lb-add", "lb0", "30.0.0.10:80", "10.0.0.1:80", "udp"],
            ["ls-lb-add", "sw0", "lb0"], ["lr-lb-add", "r0", "lb0"],
            ["ha-chassis-group-add", "g1"],
            ["ha-chassis-group-add-chassis", "g1", "hv1", "5"],
            ["ha-chassis-group-add-chassis", "g1", "hv2", "7"],
            ["lr-policy-add", "r0", "200", "ip4.dst == 10.9.0.0/16",
             "reroute", "10.0.0.7,10.0.0.8", "pkt_mark=3"],
            ["lr-policy-add", "r0", "50", "ip6", "allow"],
            ["--ecmp-symmetric-reply", "lr-route-add", "r0", "10.3.0.0/24",
             "10.0.0.9", "rp0"],
            ["--ecmp", "lr-route-add", "r0", "10.3.0.0/24", "10.0.0.10"],
            ["--policy=src-ip", "lr-route-add", "r0", "10.4.0.0/24",
             "10.0.0.11"],
            ["--route-table=t1", "lr-route-add", "r0", "0.0.0.0/0",
             "10.0.0.12"],
            ["--log", "--name=web", "--severity=notice", "--meter=m",
             "acl-add", "sw0", "to-lport", "300", "tcp.dst == 80",
             "allow"],
            ["--apply-after-lb", "acl-add", "sw0", "from-lport", "1",
             "arp", "drop"],
            ["lb-add", "lb0", "30.0.0.11:443", "10.0.0.1:443,10.0.0.2:443"],
            ["lb-add", "lb1", "30.0.0.12", "10.0.0.3"],
            ["--stateless", "lr-nat-add", "r0", "dnat_and_snat", "1.1.1.3",
             "10.0.0.3"],
            ["--portrange", "lr-nat-add", "r0", "snat", "1.1.1.4",
             "10.0.5.0/24", "100-200"],
            ["lrp-set-redirect-type", "rp0", "bridged"],
            ["lsp-set-enabled", "p1", "disabled"],
            ["qos-add", "sw0", "from-lport", "100", "ip4", "dscp=10"],
            ["qos-add", "sw0", "to-lport", "200", "udp", "rate=1000",
             "burst=100", "dscp=3"],
            ["meter-add", "m1", "drop", "100", "kbps"],
            ["--fair", "meter-add", "m2", "drop", "10", "pktps", "20"],
            ["set-connection", "ptcp:6641", "punix:/tmp/x.sock"],
            ["set-ssl", "/k.pem", "/c.pem", "/ca.pem"],
            ["mirror-add", "mir1", "gre", "7", "from-lport", "192.168.1.1"],
            ["mirror-add", "mir2", "erspan", "8", "to-lport", "fd00::9"],
            ["lsp-add", "sw0", "p2"],
            ["fwd-group-add", "fg1", "sw0", "10.0.0.100",
             "00:00:00:00:00:99", "p1", "p2"],
            ["copp-add", "c1", "arp", "m-arp"],
            ["copp-add", "c1", "bfd", "m-bfd"],
            ["static-mac-binding-add", "rp0", "10.0.0.50",
             "00:00:00:00:50:50"]]:
        rc, _, err = run_c("ovn-nbctl", db.remote, argv)
        assert rc == 0, err
    mismatches = []
    for argv in READ_COMMANDS:
        rc, c_out, c_err = run_c("ovn-nbctl", db.remote, argv)
        assert rc == 0, (argv, c_err)
        prc, p_out, p_err = _apply_py(nbctl, db.remote, argv)
        assert prc == 0, (argv, p_err)
        if ("find" in argv or "list" in argv) and "--oneline" not in argv:
            # records come in hash order in C: compare them as sets
            c_out = sorted(r.strip("\n") for r in c_out.split("\n\n"))
            p_out = sorted(r.strip("\n") for r in p_out.split("\n\n"))
        if p_out != c_out:
            mismatches.append("%s:\n--- C\n%s\n--- pyovn\n%s" % (
                " ".join(argv), c_out, p_out))
    assert not mismatches, "\n".join(mismatches)


def test_wait_sb_with_c_northd(ovsdb, rundir):
    """--wait=sb returns once the real ovn-northd has brought the SB up to
    date: the new switch's Datapath_Binding is there when nbctl exits."""
    import os
    import subprocess
    from pyovn.db.idl import Database
    from pyovn.util import proc
    if shutil.which("ovn-northd") is None:
        pytest.skip("ovn-northd (C peer) is not installed")
    nb = ovsdb("nb")
    sb = ovsdb("sb")
    pidfile = os.path.join(rundir, "ovn-northd.pid")
    subprocess.run(["ovn-northd", "--detach", "--no-chdir",
                    "--pidfile=" + pidfile, "--ovnnb-db=" + nb.remote,
                    "--ovnsb-db=" + sb.remote,
                    "--log-file=" + os.path.join(rundir, "northd.log"),
                    "--unixctl=" + os.path.join(rundir, "northd.ctl"),
                    "-vconsole:off"], check=True, timeout=30)
    pid = proc.read_pidfile(pidfile)
    try:
        rc, out, err = _apply_py(nbctl, nb.remote,
                                 ["--wait=sb", "-t", "60", "ls-add", "sw0"])
        assert rc == 0, err
        db = Database(sb.remote, "sb").sync()
        try:
            names = [d.external_ids.get("name")
                     for d in db.rows("Datapath_Binding")]
        finally:
            db.close()
        assert names == ["sw0"]
        # Nothing changed: no wait, and still success.
        rc, out, err = _apply_py(nbctl, nb.remote,
                                 ["--wait=sb", "-t", "60", "ls-list"])
        assert rc == 0 and out.endswith("(sw0)\n")
        # sync forces a round trip through northd.
        rc, out, err = _apply_py(nbctl, nb.remote,
                                 ["--wait=sb", "-t", "60", "sync"])
        assert rc == 0, err
        db = Database(nb.remote, "nb").sync()
        try:
            g = db.rows("NB_Global")[0]
            assert g.nb_cfg == 2 and g.sb_cfg == 2
        finally:
            db.close()
    finally:
        proc.stop_pid(pid)
