"""pyovn controller on 3 chassis under C ovn-northd: registration, VIF
binding, L2 across Geneve tunnels, flooding, --wait=hv."""

import pytest

from pyovn.util import proc

from pyovn.openflow import layout as L
from tests.controller.helpers import (IP, arp_request, ctl_appctl, icmp,
                                      is_icmp_seq, nbctl, ofctl_flows, sbctl,
                                      switch, vsctl)

pytestmark = pytest.mark.peer


def _rows(sb, table, cols):
    out = sbctl(sb, "--bare", "--columns=" + cols, "list", table)
    return [blk.split("\n") for blk in out.strip().split("\n\n") if blk.strip()]


def test_l2_geneve_three_chassis(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    # Chassis, Encap and Chassis_Private rows for every chassis.
    names = sorted(r[0] for r in _rows(sb, "Chassis", "name"))
    assert names == ["hv1", "hv2", "hv3"]
    encaps = sorted(tuple(r) for r in _rows(sb, "Encap", "chassis_name,type,ip"))
    assert encaps == [("hv%d" % i, "geneve", "192.168.0.%d" % i) for i in (1, 2, 3)]
    assert sorted(r[0] for r in _rows(sb, "Chassis_Private", "name")) == names
    # One tunnel per remote chassis, named ovn-<chassis>-0.
    ports = vsctl(sb, "hv1", "--bare", "--columns=name,type,options", "list", "Interface")
    assert "ovn-hv2-0" in ports and "ovn-hv3-0" in ports
    opts = vsctl(sb, "hv1", "get", "Interface", "ovn-hv3-0", "options")
    assert "192.168.0.3" in opts and "key=flow" in opts and 'csum="true"' in opts
    assert vsctl(sb, "hv1", "get", "Interface", "ovn-hv3-0", "type").strip() == "geneve"

    switch(sb, "sw0", [1, 2, 3, 4])
    for i in (1, 2, 3):
        sb.add_vif("hv%d" % i, "vif%d" % i, "p%d" % i)
    for i in (1, 2, 3):
        assert sb.wait_port_up("p%d" % i) == "hv%d" % i
    # --wait=hv with the C ovn-nbctl returns, and then the flows are in.
    nbctl(sb, "--wait=hv", "--timeout=30", "sync")
    cfg = nbctl(sb, "get", "NB_Global", ".", "nb_cfg").strip()
    for i in (1, 2, 3):
        ext = vsctl(sb, "hv%d" % i, "get", "Interface", "vif%d" % i, "external_ids")
        assert 'ovn-installed="true"' in ext
        assert vsctl(sb, "hv%d" % i, "get", "Bridge", "br-int",
                     "external_ids:ovn-nb-cfg").strip().strip('"') == cfg
    # Local port flows are present on hv1 (table 0 and table 65).
    t0 = ofctl_flows(sb, "hv1", L.PHY_TO_LOG)
    assert any("reg14" in f or "set_field:0x" in f for f in t0)

    # Unicast hv1 -> hv3, through Geneve.
    sb.inject("vif1", icmp(1, 3, seq=1))
    got = sb.wait_received("vif3", match=is_icmp_seq(1))
    assert got[0].get("eth.src") is not None
    under = [p for p in sb.underlay("hv1") if p.inner is not None]
    assert any("geneve" in p.summary() and "outport=" in p.summary() for p in under)
    # Broadcast reaches every other VIF, not the sender.
    sb.inject("vif2", arp_request(2, IP % 9))
    for v in ("vif1", "vif3"):
        sb.wait_received(v, match=lambda p: p.get("arp.tpa") is not None)
    assert not [p for p in sb.received("vif2") if p.get("arp.tpa") is not None]
    # Unknown unicast is flooded when the switch has an "unknown" port:
    # p4 (unbound) accepts unknown addresses.
    nbctl(sb, "lsp-set-addresses", "p4", "unknown")
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif1", icmp(1, 3, seq=2, dst_mac="50:54:00:00:00:99"))
    # Nothing bound for p4, so no VIF sees it, but it must not loop or
    # crash; a second bound VIF with unknown gets it:
    sb.add_vif("hv2", "vif5", "p5")
    nbctl(sb, "lsp-add", "sw0", "p5", "--", "lsp-set-addresses", "p5", "unknown")
    sb.wait_port_up("p5")
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif1", icmp(1, 3, seq=3, dst_mac="50:54:00:00:00:99"))
    sb.wait_received("vif5", match=is_icmp_seq(3))
    assert not [p for p in sb.received("vif3") if p.get("icmp4.seq") == 3]

    # appctl
    assert ctl_appctl(sb, "hv1", "connection-status").strip() == "connected"
    zones = ctl_appctl(sb, "hv1", "ct-zone-list")
    assert "p1 " in zones
    assert "p1" in ctl_appctl(sb, "hv1", "debug/dump-local-bindings")
    ext = vsctl(sb, "hv1", "get", "Bridge", "br-int", "external_ids")
    assert "ct-zone-p1" in ext
    ctl_appctl(sb, "hv1", "debug/pause")
    assert ctl_appctl(sb, "hv1", "debug/status").strip() == "paused"
    ctl_appctl(sb, "hv1", "debug/resume")
    assert ctl_appctl(sb, "hv1", "debug/status").strip() == "running"
    ctl_appctl(sb, "hv1", "recompute")
    # inject-pkt: a packet described by a microflow enters p1's pipeline.
    ctl_appctl(sb, "hv1", "inject-pkt",
               'inport == "p1" && eth.src == 50:54:00:00:00:01 && eth.dst == 50:54:00:00:00:03'
               ' && ip4.src == 10.0.0.1 && ip4.dst == 10.0.0.3 && ip.ttl == 32'
               ' && icmp4.type == 8')
    sb.wait_received("vif3", match=lambda p: p.get("ip4.ttl") == 32)
    with pytest.raises(proc.ProcError, match="unknown logical port nope"):
        ctl_appctl(sb, "hv1", "inject-pkt", 'inport == "nope" && eth.src == 1')

    # Release: the VIF goes away, the binding is cleared.
    vsctl(sb, "hv3", "del-port", "br-int", "vif3")
    sb.sb_db().wait_until(
        lambda d: not [pb for pb in d.rows("Port_Binding")
                       if pb.logical_port == "p3" and pb.chassis], timeout=20)


def test_configuration_changes_apply_live(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    db = sb.sb_db()

    def encaps_of(name):
        out = sbctl(sb, "--bare", "--columns=type", "find", "Encap", "chassis_name=%s" % name)
        return sorted(out.split())
    # A second encapsulation type: two Encap rows.
    vsctl(sb, "hv1", "set", "Open_vSwitch", ".", "external_ids:ovn-encap-type=geneve,vxlan")
    db.wait_until(lambda d: encaps_of("hv1") == ["geneve", "vxlan"], timeout=20)
    # A new encap IP moves the tunnels other chassis have to hv1.
    sb.appctl("hv1", "netdev-dummy/ip4addr", "br-phys", "192.168.0.11/24")
    vsctl(sb, "hv1", "set", "Open_vSwitch", ".", "external_ids:ovn-encap-ip=192.168.0.11")
    proc.wait_for(lambda: "192.168.0.11" in vsctl(sb, "hv2", "get", "Interface", "ovn-hv1-0",
                                                  "options"), 20,
                  what="hv2's tunnel to hv1 to follow the new encap IP")
    # Bridge mappings and cms options are reflected in Chassis.other_config.
    vsctl(sb, "hv1", "set", "Open_vSwitch", ".", "external_ids:ovn-cms-options=enable-chassis-as-gw")
    db.wait_until(lambda d: "enable-chassis-as-gw" in sbctl(
        sb, "get", "Chassis", "hv1", "other_config:ovn-cms-options"), timeout=20)
    # Transport zones: hv3 in zone "a", hv1 in "b" -> no tunnel between them.
    vsctl(sb, "hv3", "set", "Open_vSwitch", ".", "external_ids:ovn-transport-zones=a")
    vsctl(sb, "hv1", "set", "Open_vSwitch", ".", "external_ids:ovn-transport-zones=b")
    proc.wait_for(lambda: "ovn-hv3-0" not in vsctl(sb, "hv1", "list-ports", "br-int"), 20,
                  what="tunnel across transport zones removed")
    assert "ovn-hv2-0" in vsctl(sb, "hv1", "list-ports", "br-int")
    vsctl(sb, "hv1", "set", "Open_vSwitch", ".", "external_ids:ovn-monitor-all=true")
    db.wait_until(lambda d: sbctl(sb, "get", "Chassis", "hv1",
                                  "other_config:ovn-monitor-all").strip() == '"true"', timeout=20)
    # A bad value is logged, not fatal.
    vsctl(sb, "hv1", "set", "Open_vSwitch", ".", "external_ids:ovn-remote-probe-interval=abc")
    assert ctl_appctl(sb, "hv1", "debug/status").strip() == "running"
    logfile = sb.chassis("hv1")["rundir"] + "/ovn-controller.log"
    proc.wait_for(lambda: "ovn-remote-probe-interval" in open(logfile).read(), 10,
                  what="the bad probe interval logged")
