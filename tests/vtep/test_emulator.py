"""pyovn vtep on real ovs-vswitchd: the two-cloud case of the seed.

Cloud A: gateway VTEP "gwa" with logical switch ls1 (VNI 1), bare-metal
ports a1 (untagged) and a2 (VLAN 5), and a hypervisor-like VTEP "hva"
(its ls1, port h1) reached over a level0 tunnel with VNI 1.
Cloud B: gateway VTEP "gwb" with ls2 (VNI 2), bare-metal b1 (untagged)
and b2 (VLAN 9), and two hypervisor-like VTEPs "hvb" and "hvc" (their ls2,
ports k1 and m1) on level0 tunnels: VNI 2 (the logical switch's) to hvb,
VNI 22 (a per-tunnel key) to hvc.
gwa and gwb are joined by one relay tunnel, VNI 100, level1.

Every VTEP is a pyovn vtep daemon with its own hardware_vtep database;
frames are injected on dummy ports and captured with pcap.
"""

import pytest

from pyovn.db.idl import Database
from pyovn.util import proc

from .conftest import count, frame, wait_ready

BCAST = "ff:ff:ff:ff:ff:ff"
MAC_A1 = "00:00:00:00:0a:01"
MAC_B1 = "00:00:00:00:0b:01"
MAC_H1 = "00:00:00:00:0c:01"


def _bind(v, ls, key, bindings, remotes):
    """Creates LS (VNI KEY) on V, binds BINDINGS [(port, vlan)], and adds
    unknown-dst REMOTES [(ip, key, level)] (key/level None = LS key, level0)."""
    args = ["add-ls", ls, "--", "set", "Logical_Switch", ls,
            "tunnel_key=%d" % key]
    for port, vlan in bindings:
        args += ["--", "bind-ls", v.name, port, str(vlan), ls]
    for ip, rkey, level in remotes:
        loc = [ip] + ([str(rkey)] if rkey is not None else []) + \
            ([level] if level else [])
        args += ["--", "add-mcast-remote", ls, "unknown-dst"] + loc
    v.vtepctl(*args)


@pytest.fixture
def clouds(lab):
    gwa = lab.add_vtep("gwa", ["a1", "a2"])
    gwb = lab.add_vtep("gwb", ["b1", "b2"])
    hva = lab.add_vtep("hva", ["h1"])
    hvb = lab.add_vtep("hvb", ["k1"])
    hvc = lab.add_vtep("hvc", ["m1"])
    _bind(gwa, "ls1", 1, [("a1", 0), ("a2", 5)],
          [(hva.ip, None, None), (gwb.ip, 100, "level1")])
    _bind(gwb, "ls2", 2, [("b1", 0), ("b2", 9)],
          [(hvb.ip, None, None), (hvc.ip, 22, None),
           (gwa.ip, 100, "level1")])
    _bind(hva, "ls1", 1, [("h1", 0)], [(gwa.ip, None, None)])
    _bind(hvb, "ls2", 2, [("k1", 0)], [(gwb.ip, None, None)])
    _bind(hvc, "ls2", 2, [("m1", 0)], [(gwb.ip, 22, None)])
    for v in lab.vteps:
        v.start()
    wait_ready(*lab.vteps)
    return lab


ALL_PORTS = [("gwa", "a1"), ("gwa", "a2"), ("gwb", "b1"), ("gwb", "b2"),
             ("hva", "h1"), ("hvb", "k1"), ("hvc", "m1")]


def deliveries(lab, marker):
    by_name = {v.name: v for v in lab.vteps}
    return {port: count(by_name[vt], port, marker) for vt, port in ALL_PORTS}


def expect_deliveries(lab, marker, expect, what):
    """Waits until the frames with MARKER were delivered as EXPECT says
    (port -> number of copies), then asserts it (showing what arrived)."""
    try:
        proc.wait_for(lambda: deliveries(lab, marker) == expect, 10,
                      what=what)
    except TimeoutError:
        pass
    assert deliveries(lab, marker) == expect


def test_bum_from_physical_port_flooded_by_level(clouds):
    """source_node in cloud B: a broadcast from bare-metal a1 reaches every
    other port of both clouds exactly once, and never comes back."""
    gwa, gwb = clouds.vteps[0], clouds.vteps[1]
    gwb.vtepctl("set-replication-mode", "ls2", "source_node")
    wait_ready(*clouds.vteps, expect={"gwb": ["source_node"]})
    gwa.send("a1", frame(BCAST, MAC_A1, "bum-a1"))
    expect = {"a1": 0, "a2": 1, "b1": 1, "b2": 1, "h1": 1, "k1": 1, "m1": 1}
    expect_deliveries(clouds, "bum-a1", expect, "broadcast from a1 everywhere once")
    # VLAN bindings: a2 gets tag 5, b2 tag 9, untagged ports no tag.
    a2 = [d for d in gwa.received("a2") if b"bum-a1" in d][0]
    assert a2[12:16] == b"\x81\x00\x00\x05"
    b2 = [d for d in gwb.received("b2") if b"bum-a1" in d][0]
    assert b2[12:16] == b"\x81\x00\x00\x09"
    b1 = [d for d in gwb.received("b1") if b"bum-a1" in d][0]
    assert b1[12:14] == b"\x88\xb5"


def test_bum_from_level0_tunnel_not_sent_back_to_level0(clouds):
    """A broadcast from hypervisor port h1 enters gwa on a level0 tunnel:
    gwa gives it to its physical ports and the relay, not back to level0."""
    hva = clouds.vteps[2]
    gwb = clouds.vteps[1]
    gwb.vtepctl("set-replication-mode", "ls2", "source_node")
    wait_ready(*clouds.vteps, expect={"gwb": ["source_node"]})
    hva.send("h1", frame(BCAST, MAC_H1, "bum-h1"))
    expect = {"a1": 1, "a2": 1, "b1": 1, "b2": 1, "h1": 0, "k1": 1, "m1": 1}
    expect_deliveries(clouds, "bum-h1", expect, "broadcast from h1 everywhere once")


def test_bum_from_relay_service_node_mode_picks_one(clouds):
    """service_node (the default) in cloud B: BUM arriving over the relay
    goes to ONE of the unknown-dst hypervisors (the first in address
    order: hvb), plus gwb's physical ports; never to another relay."""
    gwa = clouds.vteps[0]
    gwa.send("a2", frame(BCAST, MAC_A1, "bum-svc", vlan=5))
    expect = {"a1": 1, "a2": 0, "b1": 1, "b2": 1, "h1": 1, "k1": 1, "m1": 0}
    expect_deliveries(clouds, "bum-svc", expect, "service-node replication")
    # gwb runs BFD toward its service nodes and reports it in Tunnel rows.
    db = Database(clouds.vteps[1].db.remote, "vtep").sync()
    try:
        def bfd_reported(db):
            ps = db.find_one("Physical_Switch", name="gwb")
            status = {t.remote.dst_ip: t.bfd_status for t in ps.tunnels}
            return all(status.get(v.ip, {}).get("enabled") == "true"
                       for v in clouds.vteps[3:5])
        db.wait_until(bfd_reported, timeout=15)
        ps = db.find_one("Physical_Switch", name="gwb")
        remotes = sorted((t.remote.dst_ip, tuple(t.remote.tunnel_key),
                          tuple(t.remote.tunnel_level)) for t in ps.tunnels)
        assert remotes == sorted([
            (clouds.vteps[3].ip, (), ()), (clouds.vteps[4].ip, (22,), ()),
            (gwa.ip, (100,), ("level1",))])
    finally:
        db.close()


def test_unicast_across_the_relay(clouds):
    """MACs learned in one cloud, published as remote MACs on the relay
    locator in the other (what an NVC does), are reachable across, and
    unicast is not flooded."""
    gwa, gwb = clouds.vteps[0], clouds.vteps[1]
    gwb.send("b1", frame(BCAST, MAC_B1, "learn-b1"))
    gwa.send("a1", frame(BCAST, MAC_A1, "learn-a1"))
    proc.wait_for(lambda: MAC_B1 in gwb.vtepctl("list-local-macs", "ls2")
                  and MAC_A1 in gwa.vtepctl("list-local-macs", "ls1"), 10,
                  what="MACs learned into Ucast_Macs_Local")
    assert gwb.vtepctl("list-local-macs", "ls2").startswith(
        "ucast-mac-local\n  %s -> vxlan_over_ipv4/%s\n" % (MAC_B1, gwb.ip))
    gwa.vtepctl("add-ucast-remote", "ls1", MAC_B1, gwb.ip, "100", "level1")
    gwb.vtepctl("add-ucast-remote", "ls2", MAC_A1, gwa.ip, "100", "level1")
    wait_ready(*clouds.vteps)
    gwa.send("a1", frame(MAC_B1, MAC_A1, "uni-a1-b1"))
    gwb.send("b1", frame(MAC_A1, MAC_B1, "uni-b1-a1"))
    proc.wait_for(lambda: count(gwb, "b1", "uni-a1-b1") == 1 and
                  count(gwa, "a1", "uni-b1-a1") == 1, 10,
                  what="unicast across the relay")
    d = deliveries(clouds, "uni-a1-b1")
    assert d == {"a1": 0, "a2": 0, "b1": 1, "b2": 0, "h1": 0, "k1": 0,
                 "m1": 0}


def test_logical_binding_stats(clouds):
    gwa = clouds.vteps[0]
    gwa.send("a1", frame(BCAST, MAC_A1, "stats"))
    db = Database(gwa.db.remote, "vtep").sync()
    try:
        def stats(db):
            out = {}
            for port in db.rows("Physical_Port"):
                for vlan, s in port.vlan_stats.items():
                    out[(port.name, vlan)] = (s.packets_from_local,
                                              s.packets_to_local)
            return out
        db.wait_until(lambda db: stats(db).get(("a1", 0), (0, 0))[0] >= 1
                      and stats(db).get(("a2", 5), (0, 0))[1] >= 1,
                      timeout=30)
        assert set(stats(db)) == {("a1", 0), ("a2", 5)}
    finally:
        db.close()


def test_mac_ageing(lab):
    v = lab.add_vtep("age", ["g1", "g2"])
    _bind(v, "ls9", 9, [("g1", 0), ("g2", 0)], [])
    v.start(mac_age=1)
    wait_ready(v)
    v.send("g1", frame(BCAST, "00:00:00:00:0d:01", "age"))
    proc.wait_for(lambda: "00:00:00:00:0d:01" in v.vtepctl(
        "list-local-macs", "ls9"), 10, what="MAC learned")
    # Learned, a unicast to it goes to g1 only... and then it ages out.
    proc.wait_for(lambda: "00:00:00:00:0d:01" not in v.vtepctl(
        "list-local-macs", "ls9"), 20, what="MAC aged out")


def test_bad_configuration_logged_and_skipped(lab):
    """A locator without any key (LS without tunnel_key) is skipped with a
    warning; the rest of the switch keeps working."""
    v = lab.add_vtep("bad", ["x1", "x2"])
    v.vtepctl("add-ls", "lsk", "--", "bind-ls", "bad", "x1", "0", "lsk",
              "--", "bind-ls", "bad", "x2", "0", "lsk", "--",
              "add-mcast-remote", "lsk", "unknown-dst", "10.9.9.9")
    v.start()
    wait_ready(v)
    v.send("x1", frame(BCAST, "00:00:00:00:0e:01", "nokey"))
    proc.wait_for(lambda: count(v, "x2", "nokey") == 1, 10,
                  what="local flooding despite the bad locator")
    log = open("%s/bad.vtep.log" % lab.rundir).read()
    assert "locator 10.9.9.9 has no tunnel key" in log


def test_restart_adopts_learned_macs(lab):
    """After a restart the emulator finds the MACs the bridge still has in
    its learned table: unicast keeps going to the right port only."""
    v = lab.add_vtep("rst", ["r1", "r2", "r3"])
    _bind(v, "ls8", 8, [("r1", 0), ("r2", 0), ("r3", 0)], [])
    v.start()
    wait_ready(v)
    v.send("r1", frame(BCAST, "00:00:00:00:0f:01", "hello-r1"))
    proc.wait_for(lambda: "00:00:00:00:0f:01" in v.vtepctl(
        "list-local-macs", "ls8"), 10, what="MAC learned")
    v.stop()
    v.start()
    wait_ready(v, expect={"rst": ["learned 00:00:00:00:0f:01 on port"]})
    assert "00:00:00:00:0f:01" in v.vtepctl("list-local-macs", "ls8")
    v.send("r2", frame("00:00:00:00:0f:01", "00:00:00:00:0f:02", "to-r1"))
    proc.wait_for(lambda: count(v, "r1", "to-r1") == 1, 10,
                  what="unicast to the adopted MAC")
    assert count(v, "r3", "to-r1") == 0


def test_unbinding_removes_the_logical_switch_bridge(lab):
    v = lab.add_vtep("unb", ["u1", "u2"])
    _bind(v, "ls7", 7, [("u1", 0), ("u2", 0)], [])
    v.start()
    wait_ready(v, expect={"unb": ["logical switch ls7"]})
    assert "unb_ls7" in lab.vsctl("list-br").split()
    v.vtepctl("unbind-ls", "unb", "u1", "0", "--",
              "unbind-ls", "unb", "u2", "0")
    proc.wait_for(lambda: "unb_ls7" not in lab.vsctl("list-br").split(), 10,
                  what="the bridge of ls7 to go")
    ports = lab.vsctl("list-ports", "unb").split()
    assert sorted(ports) == ["u1", "u2"]        # patch ports gone too


def test_service_node_failover_by_bfd(clouds):
    """gwb runs BFD toward its service nodes hvb and hvc (which run it
    back toward gwb, their own service node).  When hvb's BFD goes down,
    BUM from the relay goes to hvc instead."""
    gwa, gwb, hvb = clouds.vteps[0], clouds.vteps[1], clouds.vteps[3]
    db = Database(gwb.db.remote, "vtep").sync()
    try:
        def states(db):
            ps = db.find_one("Physical_Switch", name="gwb")
            return {t.remote.dst_ip: t.bfd_status.get("state")
                    for t in ps.tunnels}
        db.wait_until(lambda db: states(db).get(hvb.ip) == "up" and
                      states(db).get(clouds.vteps[4].ip) == "up", timeout=30)
        gwa.send("a1", frame(BCAST, MAC_A1, "before-failover"))
        expect_deliveries(clouds, "before-failover", {
            "a1": 0, "a2": 1, "b1": 1, "b2": 1, "h1": 1, "k1": 1, "m1": 0},
            "BUM to service node hvb")
        # hvb stops BFD toward gwb (the NVC's bfd_params on hvb's Tunnel).
        hv = Database(hvb.db.remote, "vtep").sync()
        try:
            def disable(txn):
                ps = hv.find_one("Physical_Switch", name="hvb")
                for t in ps.tunnels:
                    t.bfd_params = {"enable": "false"}
                return True
            hv.wait_until(lambda d: d.find_one(
                "Physical_Switch", name="hvb").tunnels, timeout=10)
            hv.transact(disable)
        finally:
            hv.close()
        db.wait_until(lambda db: states(db).get(hvb.ip) != "up", timeout=30)
        wait_ready(*clouds.vteps)
        gwa.send("a1", frame(BCAST, MAC_A1, "after-failover"))
        expect_deliveries(clouds, "after-failover", {
            "a1": 0, "a2": 1, "b1": 1, "b2": 1, "h1": 1, "k1": 0, "m1": 1},
            "BUM to service node hvc")
    finally:
        db.close()
