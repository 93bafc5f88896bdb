"""The sandbox end to end with the C ovn-northd and ovn-controller as
test peers: packets from a VIF on chassis 1 reach a VIF on chassis 3
through a real tunnel across the dummy underlay."""

import pytest

from pyovn import packet
from pyovn.db.idl import Database
from pyovn.packet import tunnel
from pyovn.util import proc

pytestmark = pytest.mark.peer

MAC1, IP1 = "50:54:00:00:00:01", "10.0.0.1"
MAC3, IP3 = "50:54:00:00:00:03", "10.0.0.3"


def make_switch(sb):
    """Logical switch sw0 with ports p1 and p3, written with the IDL."""
    nb = sb.nb_db()

    def build(txn):
        ports = []
        for name, mac, ip in (("p1", MAC1, IP1), ("p3", MAC3, IP3)):
            lsp = txn.insert(nb.tables["Logical_Switch_Port"])
            lsp.name = name
            lsp.addresses = ["%s %s" % (mac, ip)]
            ports.append(lsp)
        ls = txn.insert(nb.tables["Logical_Switch"])
        ls.name = "sw0"
        ls.ports = ports
    nb.transact(build)


def bind_and_wait(sb):
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv3", "vif3", "p3")
    assert sb.wait_port_up("p1") == "hv1"
    assert sb.wait_port_up("p3") == "hv3"
    sb.wait_hv()


def tunnel_keys(sb):
    db = Database(sb.sb_remote, "sb").sync()
    try:
        dp = db.find_one("Datapath_Binding", external_ids={"name": "sw0"}) or \
            [d for d in db.rows("Datapath_Binding")][0]
        keys = {pb.logical_port: pb.tunnel_key for pb in db.rows("Port_Binding")}
        return dp.tunnel_key, keys
    finally:
        db.close()


@pytest.mark.parametrize("encap", ["geneve", "vxlan"])
def test_packet_crosses_tunnel_from_chassis1_to_chassis3(sandbox_factory, encap):
    sb = sandbox_factory(chassis=3, encap=encap, northd="c", controller="c")
    make_switch(sb)
    bind_and_wait(sb)

    sent = sb.inject("vif1", "eth(src=%s,dst=%s)/ip4(src=%s,dst=%s,ttl=64)/"
                             "icmp4(type=8,id=7,seq=1)/payload(text=ping)"
                     % (MAC1, MAC3, IP1, IP3))
    got = sb.wait_received("vif3", match=lambda p: p.get("icmp4.id") == 7)
    assert got[0] == packet.decode(sent)
    assert got[0].data == sent
    assert sb.sent("vif1")[0].data == sent

    # On the underlay wire: the same frame, encapsulated between the
    # br-phys addresses of hv1 and hv3, carrying OVN's metadata.
    dp_key, port_keys = tunnel_keys(sb)
    wire = [p for p in sb.underlay("hv1", "rx") if p.inner is not None
            and p.inner.get("icmp4.id") == 7]
    assert len(wire) == 1, [str(p) for p in sb.underlay("hv1", "rx")]
    outer = wire[0]
    assert outer["ip4.src"] == "192.168.0.1" and outer["ip4.dst"] == "192.168.0.3"
    assert outer["eth.src"] == "aa:55:aa:55:00:01" and outer["eth.dst"] == "aa:55:aa:55:00:03"
    assert outer.inner == packet.decode(sent)
    if encap == "geneve":
        assert outer["udp.dst"] == 6081
        assert outer["geneve.vni"] == dp_key
        assert (outer["geneve.inport"], outer["geneve.outport"]) == (port_keys["p1"],
                                                                     port_keys["p3"])
    else:
        assert outer["udp.dst"] == 4789
        assert tunnel.vxlan_decode(outer["vxlan.vni"]) == (dp_key, port_keys["p3"])
    # Delivered to hv3 by the underlay switch, and not to hv2's VIFs (none).
    assert any(p.inner == packet.decode(sent) for p in sb.underlay("hv3", "tx"))

    # And back: a UDP reply from chassis 3 to chassis 1.
    reply = sb.inject("vif3", "eth(src=%s,dst=%s)/ip4(src=%s,dst=%s)/udp(src=53,dst=3333)"
                              % (MAC3, MAC1, IP3, IP1))
    back = sb.wait_received("vif1", match=lambda p: p.get("udp.dst") == 3333)
    assert back[0].data == reply


def test_down_stops_every_process_of_the_sandbox(sandbox_factory):
    sb = sandbox_factory(chassis=2, northd="c", controller="c")
    pids = [pid for _, pid in sb.running()]
    # NB, SB, underlay (db + vswitchd), 2 x (db + vswitchd + controller), northd
    assert len(pids) == 11
    assert all(p["running"] for p in sb.status())
    stopped = sb.down()
    assert sorted(pid for _, pid in stopped) == sorted(pids)
    assert not any(proc.pid_alive(pid) for pid in pids)
    assert not any(p["running"] for p in sb.status())
    assert sb.down() == []                  # again: nothing left to stop


def test_routed_packet_is_rewritten_across_chassis(sandbox_factory):
    """Two switches and a router (written with the C ovn-nbctl, a test
    peer): a packet routed from hv1 to hv3 arrives with the router's MAC
    and its TTL decremented."""
    sb = sandbox_factory(chassis=3, northd="c", controller="c")
    nbctl = [proc.which("ovn-nbctl"), "--db=" + sb.nb_remote]
    proc.run(nbctl + [
        "lr-add", "lr0",
        "--", "lrp-add", "lr0", "lrp0", "00:00:00:00:ff:01", "10.0.0.254/24",
        "--", "lrp-add", "lr0", "lrp1", "00:00:00:00:ff:02", "10.0.1.254/24",
        "--", "ls-add", "sw0", "--", "ls-add", "sw1",
        "--", "lsp-add", "sw0", "sw0-lr0", "--", "lsp-set-type", "sw0-lr0", "router",
        "--", "lsp-set-addresses", "sw0-lr0", "router",
        "--", "lsp-set-options", "sw0-lr0", "router-port=lrp0",
        "--", "lsp-add", "sw1", "sw1-lr0", "--", "lsp-set-type", "sw1-lr0", "router",
        "--", "lsp-set-addresses", "sw1-lr0", "router",
        "--", "lsp-set-options", "sw1-lr0", "router-port=lrp1",
        "--", "lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", "%s %s" % (MAC1, IP1),
        "--", "lsp-add", "sw1", "p3", "--", "lsp-set-addresses", "p3",
        "%s 10.0.1.3" % MAC3])
    bind_and_wait(sb)

    sent = sb.inject("vif1", "eth(src=%s,dst=00:00:00:00:ff:01)/ip4(src=%s,dst=10.0.1.3,ttl=64)"
                             "/udp(src=1234,dst=5678)/payload(text=routed)" % (MAC1, IP1))
    got = sb.wait_received("vif3", match=lambda p: p.get("udp.dst") == 5678)[0]
    assert got["eth.src"] == "00:00:00:00:ff:02" and got["eth.dst"] == MAC3
    assert got["ip4.ttl"] == 63
    assert got["ip4.src"] == IP1 and got["ip4.dst"] == "10.0.1.3"
    assert got["payload.hex"] == b"routed".hex()
    # Everything but the rewritten fields is unchanged.
    expected = packet.decode(packet.compose(
        "eth(src=00:00:00:00:ff:02,dst=%s)/ip4(src=%s,dst=10.0.1.3,ttl=63)"
        "/udp(src=1234,dst=5678)/payload(text=routed)" % (MAC3, IP1)))
    assert got == expected
    assert sent != got.data


def test_stt_sandbox_configures_stt_tunnels(sandbox_factory):
    """STT is configured end to end (SB Encap, OVS tunnel ports); the
    userspace datapath cannot encapsulate it, so no traffic test."""
    sb = sandbox_factory(chassis=2, encap="stt", northd="c", controller="c")
    db = Database(sb.sb_remote, "sb").sync()
    try:
        encaps = {(e.type, e.ip, e.chassis_name) for e in db.rows("Encap")}
    finally:
        db.close()
    assert encaps == {("stt", "192.168.0.1", "hv1"), ("stt", "192.168.0.2", "hv2")}
    ports = proc.wait_for(lambda: sb.vsctl("hv1", "--bare", "--columns=options", "find",
                                           "Interface", "type=stt").split(), 10,
                          what="hv1's STT tunnel port")
    assert "remote_ip=192.168.0.2" in ports and "key=flow" in ports


def test_localnet_traffic_crosses_the_underlay_unencapsulated(sandbox_factory):
    """With a localnet port on physnet1 (mapped to br-phys on every
    chassis), the switch's traffic between chassis leaves through br-phys
    as a plain frame instead of a tunnel."""
    sb = sandbox_factory(chassis=3, northd="c", controller="c")
    nbctl = [proc.which("ovn-nbctl"), "--db=" + sb.nb_remote]
    proc.run(nbctl + [
        "ls-add", "sw0",
        "--", "lsp-add", "sw0", "ln", "--", "lsp-set-type", "ln", "localnet",
        "--", "lsp-set-addresses", "ln", "unknown",
        "--", "lsp-set-options", "ln", "network_name=physnet1",
        "--", "lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", "%s %s" % (MAC1, IP1),
        "--", "lsp-add", "sw0", "p3", "--", "lsp-set-addresses", "p3", "%s %s" % (MAC3, IP3)])
    bind_and_wait(sb)

    sent = sb.inject("vif1", "eth(src=%s,dst=%s)/ip4(src=%s,dst=%s)/udp(src=1,dst=4242)"
                     % (MAC1, MAC3, IP1, IP3))
    got = sb.wait_received("vif3", match=lambda p: p.get("udp.dst") == 4242)
    assert got[0].data == sent
    wire = sb.underlay("hv1", "rx")
    assert packet.decode(sent) in wire                        # the frame itself
    assert not any(p.inner is not None for p in wire)          # no tunnel
