"""The emulator's plan (model.compute on a real hardware_vtep database)
and its flow tables (pure), checked flow by flow for the split horizon."""

import io

import pytest

from pyovn.ctl import vtepctl
from pyovn.db.idl import Database
from pyovn.vtep import flows, model


def ctl(db, *args):
    out, err = io.StringIO(), io.StringIO()
    assert vtepctl.main(["--db=" + db.remote] + list(args), stdout=out,
                        stderr=err) == 0, err.getvalue()


@pytest.fixture
def vtepdb(ovsdb):
    db = ovsdb("vtep")
    ctl(db, "add-ps", "ps", "--", "add-port", "ps", "p1", "--",
        "add-port", "ps", "p2", "--", "add-ls", "ls1", "--", "set",
        "Logical_Switch", "ls1", "tunnel_key=1", "--", "add-ls", "ls2", "--",
        "bind-ls", "ps", "p1", "0", "ls1", "--", "bind-ls", "ps", "p2", "7",
        "ls1", "--", "bind-ls", "ps", "p2", "8", "ls2")
    return db


def plans_of(server, tunnel_ip="10.0.0.1"):
    db = Database(server.remote, "vtep").sync()
    warnings = []
    try:
        return model.compute(db, "ps", tunnel_ip, warnings.append), warnings
    finally:
        db.close()


def test_plan_tunnels_keys_levels(vtepdb):
    ctl(vtepdb, "add-mcast-remote", "ls1", "unknown-dst", "10.0.0.2", "--",
        "add-mcast-remote", "ls1", "unknown-dst", "10.0.0.3", "--",
        "add-mcast-remote", "ls1", "unknown-dst", "10.0.0.9", "100",
        "level1", "--",
        "add-ucast-remote", "ls1", "00:00:00:00:00:02", "10.0.0.2", "--",
        "add-ucast-remote", "ls1", "00:00:00:00:00:05", "10.0.0.5", "55",
        "--", "add-ucast-remote", "ls1", "00:00:00:00:00:01", "10.0.0.1",
        "--", "add-mcast-remote", "ls1", "01:00:5e:00:00:01", "10.0.0.3")
    plans, warnings = plans_of(vtepdb)
    assert sorted(plans) == ["ls1", "ls2"]
    p = plans["ls1"]
    assert p.bridge == "ps_ls1" and p.key == 1 and p.mode == "service_node"
    assert p.bindings == [("p1", 0), ("p2", 7)]
    assert {i: t.level for i, t in p.tunnels.items()} == {
        ("10.0.0.2", 1): "level0", ("10.0.0.3", 1): "level0",
        ("10.0.0.9", 100): "level1", ("10.0.0.5", 55): "level0"}
    # Our own tunnel IP is not a tunnel.
    assert "00:00:00:00:00:01" not in p.ucast_remote
    assert p.ucast_remote["00:00:00:00:00:05"] == ("10.0.0.5", 55)
    assert p.relays == [("10.0.0.9", 100)]
    assert p.level0_flood() == [("10.0.0.2", 1)]
    assert p.level0_flood(lambda i: i != ("10.0.0.2", 1)) == \
        [("10.0.0.3", 1)]
    assert p.mcast_remote == {"01:00:5e:00:00:01": [("10.0.0.3", 1)]}
    assert warnings == []
    # ls2 has no key: a locator without its own key cannot be used.
    ctl(vtepdb, "add-ucast-remote", "ls2", "00:00:00:00:00:07", "10.0.0.7")
    plans, warnings = plans_of(vtepdb)
    assert plans["ls2"].tunnels == {}
    assert warnings == ["logical switch ls2: locator 10.0.0.7 has no tunnel "
                        "key and the switch has none either; ignored"]


def test_plan_same_tunnel_claimed_twice(vtepdb):
    ctl(vtepdb, "add-ucast-remote", "ls1", "00:00:00:00:00:02", "10.0.0.2",
        "100", "--", "add-ucast-remote", "ls2", "00:00:00:00:00:03",
        "10.0.0.2", "100", "level1")
    plans, warnings = plans_of(vtepdb)
    assert list(plans["ls1"].tunnels) == [("10.0.0.2", 100)]
    assert plans["ls2"].tunnels == {}
    assert warnings == ["logical switch ls2: tunnel to 10.0.0.2 with key 100 "
                        "is already used by logical switch ls1; ignored"]


def _plan():
    p = model.LsPlan("ls", None, 1, "source_node", "br")
    for ip, key, level in (("a", 1, "level0"), ("b", 1, "level0"),
                           ("r", 100, "level1"), ("s", 200, "level1")):
        p.tunnels[(ip, key)] = model.TunnelPlan(ip, key, level)
    p.unknown_dst = [("a", 1), ("b", 1), ("r", 100)]
    p.relays = [("r", 100), ("s", 200)]
    p.ucast_remote = {"00:00:00:00:00:0a": ("a", 1),
                      "00:00:00:00:00:0f": ("r", 100)}
    p.mcast_remote = {"01:00:00:00:00:01": [("b", 1), ("s", 200)]}
    return p


PORTS = {("patch", "p1", 0): 1, ("patch", "p2", 0): 2, ("tunnel", "a", 1): 11,
         ("tunnel", "b", 1): 12, ("tunnel", "r", 100): 13,
         ("tunnel", "s", 200): 14}


def _table(flowlist):
    return {(f.table, f.priority, str(f.match)): ",".join(
        str(a) for a in f.actions) or "drop" for f in flowlist}


def test_flood_split_horizon_source_node():
    p = _plan()
    p.ucast_remote.pop("00:00:00:00:00:0f")
    t = _table(flows.ls_bridge_flows(p, PORTS, {}, 300, lambda i: True))
    assert t[(4, 100, "reg0=0")] == \
        "output:1,output:2,output:11,output:12,output:13,output:14"
    assert t[(4, 100, "reg0=0x1")] == "output:1,output:2,output:13,output:14"
    assert t[(4, 100, "reg0=0x2")] == "output:1,output:2,output:11,output:12"


def test_flood_service_node_picks_first_healthy():
    p = _plan()
    p.mode = "service_node"
    p.ucast_remote.pop("00:00:00:00:00:0f")
    t = _table(flows.ls_bridge_flows(p, PORTS, {}, 300,
                                     lambda i: i != ("a", 1)))
    assert t[(4, 100, "reg0=0")] == \
        "output:1,output:2,output:12,output:13,output:14"
    assert t[(4, 100, "reg0=0x2")] == "output:1,output:2,output:12"


def test_unicast_and_multicast_split_horizon():
    p = _plan()
    p.ucast_remote = {"00:00:00:00:00:0a": ("a", 1)}
    t = _table(flows.ls_bridge_flows(p, PORTS, {"00:00:00:00:00:01": 1}, 300,
                                     lambda i: True))
    # Remote MAC behind level0 tunnel a: from physical or a relay, not
    # from another level0 tunnel.
    assert t[(3, 150, "reg0=0,dl_dst=00:00:00:00:00:0a")] == "output:11"
    assert t[(3, 150, "reg0=0x2,dl_dst=00:00:00:00:00:0a")] == "output:11"
    assert (3, 150, "reg0=0x1,dl_dst=00:00:00:00:00:0a") not in t
    assert t[(3, 140, "dl_dst=00:00:00:00:00:0a")] == "drop"
    # Local MAC wins.
    assert t[(3, 200, "dl_dst=00:00:00:00:00:01")] == "output:1"
    # Known group: level0 b and level1 s, with the horizon per source.
    g = "dl_dst=01:00:00:00:00:01"
    assert t[(3, 120, "reg0=0," + g)] == "output:1,output:2,output:12,output:14"
    assert t[(3, 120, "reg0=0x1," + g)] == "output:1,output:2,output:14"
    assert t[(3, 120, "reg0=0x2," + g)] == "output:1,output:2,output:12"


def test_ps_bridge_vlan_flows():
    t = _table(flows.ps_bridge_flows([(1, 5, 30000), (2, 0, 30001)]))
    assert t[(0, 100, "in_port=1,vlan_tci=0x1005/0x1fff")] == \
        "pop_vlan,output:30000"
    assert t[(0, 100, "in_port=30000")] == \
        "push_vlan:0x8100,set_field:4101->vlan_vid,output:1"
    assert t[(0, 100, "in_port=2,vlan_tci=0/0x1fff")] == "output:30001"
    assert t[(0, 0, "")] == "drop"
