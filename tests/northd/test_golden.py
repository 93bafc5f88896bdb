"""Golden NB -> SB fixtures for the logical switch pipeline, one file per
stage group (tests/northd/golden/*.txt).

The NB below is written into a real ovsdb-server; northd's builders run on
it (no SB needed) and every flow of the group's stages must equal the
fixture, line for line.  The fixtures were checked against ovn-northd(8)
stage by stage and are identical to what C ovn-northd 23.03 writes for the
same NB (test_peer_c.py checks that equality on a larger topology).

Regenerate after an intended change with PYOVN_REGEN_GOLDEN=1 and review
the diff.
"""

import os

import pytest

from pyovn.northd import engine, sb_core
from pyovn.northd.log import Problems

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")

GROUPS = {
    "port_security": ["ls_in_check_port_sec", "ls_in_apply_port_sec",
                      "ls_out_check_port_sec", "ls_out_apply_port_sec"],
    "fdb": ["ls_in_lookup_fdb", "ls_in_put_fdb"],
    "pre_stateful": ["ls_in_pre_acl", "ls_in_pre_lb", "ls_in_pre_stateful",
                     "ls_out_pre_acl", "ls_out_pre_lb", "ls_out_pre_stateful"],
    "acl": ["ls_in_acl_hint", "ls_in_acl", "ls_in_acl_after_lb", "ls_in_stateful",
            "ls_out_acl_hint", "ls_out_acl", "ls_out_stateful"],
    "qos": ["ls_in_qos_mark", "ls_in_qos_meter", "ls_out_qos_mark", "ls_out_qos_meter"],
    "lb": ["ls_in_lb_aff_check", "ls_in_lb", "ls_in_lb_aff_learn", "ls_in_pre_hairpin",
           "ls_in_nat_hairpin", "ls_in_hairpin"],
    "arp_nd": ["ls_in_arp_rsp"],
    "dhcp_dns": ["ls_in_dhcp_options", "ls_in_dhcp_response", "ls_in_dns_lookup",
                 "ls_in_dns_response"],
    "external": ["ls_in_external_port"],
    "l2": ["ls_in_l2_lkup", "ls_in_l2_unknown"],
}


def build_nb(nb):
    db = nb.db
    # sw0: VIFs with and without port security, an "unknown" port, a
    # disabled port, a localnet port, a router port, an external port.
    nb.ls("sw0")
    nb.lsp("sw0", "a", ["00:00:00:00:00:0a 10.0.0.10 fd00::a"],
           port_security=["00:00:00:00:00:0a 10.0.0.10 fd00::a"])
    nb.lsp("sw0", "b", ["00:00:00:00:00:0b 10.0.0.11"])
    nb.lsp("sw0", "u", ["unknown"])
    nb.lsp("sw0", "off", ["00:00:00:00:00:0c 10.0.0.12"], enabled=[False])
    nb.lsp("sw0", "ln", ["unknown"], type="localnet",
           options={"network_name": "phys", "qdisc_queue_id": "3"})
    nb.lsp("sw0", "ext", ["00:00:00:00:00:0e 10.0.0.14"], type="external")
    nb.lr("r0")
    nb.lrp("r0", "r0-sw0", "00:00:00:00:ff:00", ["10.0.0.1/24"])
    nb.lsp("sw0", "sw0-r0", ["router"], type="router", options={"router-port": "r0-sw0"})
    # ACLs of every kind: on the switch and on a port group.
    nb.pg("pg_web", ["a", "b"])
    nb.pg_acl("pg_web", "to-lport", 1000, "outport == @pg_web && ip4 && tcp.dst == 80",
              "allow-related")
    nb.pg_acl("pg_web", "to-lport", 900, "outport == @pg_web && ip4", "drop", log=True,
              name=["web-drop"], severity=["warning"])
    nb.acl("sw0", "from-lport", 800, "ip4.dst == 10.0.0.99", "reject")
    nb.acl("sw0", "from-lport", 700, "ip4.src == 10.0.0.98", "allow-stateless")
    nb.acl("sw0", "from-lport", 600, "ip4.dst == 10.0.0.97", "drop",
           options={"apply-after-lb": "true"})
    nb.acl("sw0", "to-lport", 500, "icmp4", "allow", label=42)
    # QoS, a load balancer (with affinity), DHCPv4 for "a", DNS.
    qos = nb._insert("QoS", ("Logical_Switch", "sw0"), "qos_rules",
                     direction="from-lport", priority=100,
                     match="ip4.src == 10.0.0.10", action={"dscp": 10})
    nb._insert("QoS", ("Logical_Switch", "sw0"), "qos_rules",
               direction="to-lport", priority=101, match="ip4.dst == 10.0.0.11",
               bandwidth={"rate": 1000, "burst": 100})
    nb._insert("Load_Balancer", ("Logical_Switch", "sw0"), "load_balancer",
               name="lb1", vips={"10.0.0.100:80": "10.0.0.10:8080,10.0.0.11:8080"},
               protocol=["tcp"], options={"affinity_timeout": "30"})
    dhcp = nb._insert("DHCP_Options", cidr="10.0.0.0/24",
                      options={"server_id": "10.0.0.1", "server_mac": "00:00:00:00:ff:00",
                               "lease_time": "3600", "router": "10.0.0.1"})
    nb.set("Logical_Switch_Port", "a", dhcpv4_options=[db.row("DHCP_Options", dhcp)])
    nb._insert("DNS", ("Logical_Switch", "sw0"), "dns_records",
               records={"a.example.org": "10.0.0.10"})
    # sw1: plain switch, no ACLs, no LB (the defaults of every stage).
    nb.ls("sw1")
    nb.lsp("sw1", "c", ["00:00:00:00:01:0c 10.0.1.12"])


def render(flows):
    return "".join("%s %s %d (%s) (%s)\n" % f for f in sorted(flows))


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    from pyovn.db.server import start_server
    import tempfile
    from northd_testlib import Nb
    d = tempfile.mkdtemp(prefix="pyovn-golden-")
    srv = start_server(d, "nb")
    nb = Nb(srv.remote)
    try:
        build_nb(nb)
        nb.db.run()
        problems = Problems()
        r = engine.compute(nb.db, sb_core.SbView(), problems)
        yield r, problems
    finally:
        nb.db.close()
        srv.stop()


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_golden(group, computed):
    r, problems = computed
    stages = set(GROUPS[group])
    flows = [(dp.name, f.stage.name, f.priority, f.match, f.actions)
             for f in r.lflows for dp in f.datapaths if f.stage.name in stages]
    text = render(flows)
    path = os.path.join(GOLDEN, group + ".txt")
    if os.environ.get("PYOVN_REGEN_GOLDEN"):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        expected = f.read()
    assert text == expected
    # Every stage of the group has at least its default flow on both switches.
    for dp in ("sw0", "sw1"):
        assert {s for (d, s, _, _, _) in flows if d == dp} == stages, (dp, group)


def test_golden_topology_is_clean(computed):
    r, problems = computed
    assert problems.flush() == {}
