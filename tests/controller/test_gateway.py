"""Gateways on the pyovn controller: a distributed gateway port
(chassisredirect bound to the highest-priority gateway chassis) and a
gateway router (l3gateway), both with traffic going through the gateway
chassis."""

import pytest

from pyovn.util import proc
from tests.controller.helpers import is_icmp_seq, nbctl, sbctl, switch

pytestmark = pytest.mark.peer


def _chassis_of(sb, lport):
    uuid = sbctl(sb, "--bare", "--columns=chassis", "find", "Port_Binding",
                 "logical_port=%s" % lport).strip()
    if not uuid:
        return None
    return sbctl(sb, "--bare", "--columns=name", "list", "Chassis", uuid).strip()


def _ping(src_mac, dst_mac, src_ip, dst_ip, seq):
    return ("eth(src=%s,dst=%s)/ip4(src=%s,dst=%s)/icmp4(type=8,id=9,seq=%d)"
            % (src_mac, dst_mac, src_ip, dst_ip, seq))


def _via(sb, chassis, seq):
    """CHASSIS put the packet with icmp seq SEQ in a tunnel."""
    return any(p.inner is not None and "seq=%d)" % seq in p.summary()
               for p in sb.underlay(chassis))


def test_dgp_and_gateway_router(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    switch(sb, "sw0", [1])
    nbctl(sb, "lr-add", "lr0",
          "--", "lrp-add", "lr0", "lrp0", "00:00:00:00:ff:01", "10.0.0.254/24",
          "--", "lsp-add", "sw0", "sw0-lr0", "--", "lsp-set-type", "sw0-lr0", "router",
          "--", "lsp-set-addresses", "sw0-lr0", "router",
          "--", "lsp-set-options", "sw0-lr0", "router-port=lrp0",
          "--", "lrp-add", "lr0", "lrp-ext", "00:00:00:00:ff:02", "10.0.2.254/24",
          "--", "ls-add", "ext",
          "--", "lsp-add", "ext", "ext-lr0", "--", "lsp-set-type", "ext-lr0", "router",
          "--", "lsp-set-addresses", "ext-lr0", "router",
          "--", "lsp-set-options", "ext-lr0", "router-port=lrp-ext",
          "--", "lsp-add", "ext", "e1", "--", "lsp-set-addresses", "e1",
          "50:54:00:00:02:01 10.0.2.1")
    nbctl(sb, "lrp-set-gateway-chassis", "lrp-ext", "hv2", "20")
    nbctl(sb, "lrp-set-gateway-chassis", "lrp-ext", "hv3", "10")
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv3", "vife1", "e1")
    sb.wait_port_up("p1")
    sb.wait_port_up("e1")
    nbctl(sb, "--wait=hv", "sync")
    sb.sb_db().wait_until(lambda d: _chassis_of(sb, "cr-lrp-ext") == "hv2", timeout=20)
    sb.inject("vif1", _ping("50:54:00:00:00:01", "00:00:00:00:ff:01", "10.0.0.1", "10.0.2.1", 1))
    p = sb.wait_received("vife1", match=is_icmp_seq(1))[0]
    assert "ttl=63" in p.summary()
    # Redirected: hv1 tunneled it to hv2, which sent it on to hv3.
    assert _via(sb, "hv1", 1) and _via(sb, "hv2", 1)
    # The gateway moves to hv3 when hv2 leaves the list.
    nbctl(sb, "lrp-del-gateway-chassis", "lrp-ext", "hv2")
    sb.sb_db().wait_until(lambda d: _chassis_of(sb, "cr-lrp-ext") == "hv3", timeout=20)
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif1", _ping("50:54:00:00:00:01", "00:00:00:00:ff:01", "10.0.0.1", "10.0.2.1", 2))
    sb.wait_received("vife1", match=is_icmp_seq(2))
    assert not _via(sb, "hv2", 2)

    # Gateway router on hv2 between sw0 and sw-gw (q1 on hv3).
    switch(sb, "swgw", [])
    nbctl(sb, "lr-add", "gw", "--", "set", "Logical_Router", "gw", "options:chassis=hv2",
          "--", "lrp-add", "gw", "gw0", "00:00:00:00:ee:01", "10.0.0.253/24",
          "--", "lsp-add", "sw0", "sw0-gw", "--", "lsp-set-type", "sw0-gw", "router",
          "--", "lsp-set-addresses", "sw0-gw", "router",
          "--", "lsp-set-options", "sw0-gw", "router-port=gw0",
          "--", "lrp-add", "gw", "gw1", "00:00:00:00:ee:02", "10.0.3.254/24",
          "--", "lsp-add", "swgw", "swgw-gw", "--", "lsp-set-type", "swgw-gw", "router",
          "--", "lsp-set-addresses", "swgw-gw", "router",
          "--", "lsp-set-options", "swgw-gw", "router-port=gw1",
          "--", "lsp-add", "swgw", "q1", "--", "lsp-set-addresses", "q1",
          "50:54:00:00:03:01 10.0.3.1")
    sb.add_vif("hv3", "vifq1", "q1")
    sb.wait_port_up("q1")
    nbctl(sb, "--wait=hv", "sync")
    assert _chassis_of(sb, "gw0") == "hv2" or _chassis_of(sb, "sw0-gw") == "hv2"
    sb.inject("vif1", _ping("50:54:00:00:00:01", "00:00:00:00:ee:01", "10.0.0.1", "10.0.3.1", 3))
    p = sb.wait_received("vifq1", match=is_icmp_seq(3))[0]
    assert "ttl=63" in p.summary()
    assert _via(sb, "hv1", 3) and _via(sb, "hv2", 3)


def test_ha_gateway_failover_with_bfd(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    switch(sb, "sw0", [1])
    nbctl(sb, "lr-add", "lr0",
          "--", "lrp-add", "lr0", "lrp0", "00:00:00:00:ff:01", "10.0.0.254/24",
          "--", "lsp-add", "sw0", "sw0-lr0", "--", "lsp-set-type", "sw0-lr0", "router",
          "--", "lsp-set-addresses", "sw0-lr0", "router",
          "--", "lsp-set-options", "sw0-lr0", "router-port=lrp0",
          "--", "lrp-add", "lr0", "lrp-ext", "00:00:00:00:ff:02", "10.0.2.254/24",
          "--", "ls-add", "ext",
          "--", "lsp-add", "ext", "ext-lr0", "--", "lsp-set-type", "ext-lr0", "router",
          "--", "lsp-set-addresses", "ext-lr0", "router",
          "--", "lsp-set-options", "ext-lr0", "router-port=lrp-ext",
          "--", "lsp-add", "ext", "e1", "--", "lsp-set-addresses", "e1",
          "50:54:00:00:02:01 10.0.2.1",
          "--", "lrp-set-gateway-chassis", "lrp-ext", "hv2", "20",
          "--", "lrp-set-gateway-chassis", "lrp-ext", "hv3", "10")
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv1", "vife1", "e1")
    sb.wait_port_up("p1")
    sb.wait_port_up("e1")
    nbctl(sb, "--wait=hv", "sync")
    db = sb.sb_db()
    db.wait_until(lambda d: _chassis_of(sb, "cr-lrp-ext") == "hv2", timeout=20)
    # BFD runs on the tunnels between the gateways and the chassis using them.
    for a, b in (("hv1", "hv2"), ("hv1", "hv3"), ("hv2", "hv3")):
        proc.wait_for(lambda: "state=up" in sb.vsctl(a, "get", "Interface", "ovn-%s-0" % b,
                                                     "bfd_status"), 20,
                      what="BFD up between %s and %s" % (a, b))
    sb.inject("vif1", _ping("50:54:00:00:00:01", "00:00:00:00:ff:01", "10.0.0.1", "10.0.2.1", 1))
    sb.wait_received("vife1", match=is_icmp_seq(1))
    assert _via(sb, "hv1", 1) and _via(sb, "hv2", 1)
    # hv2's switch dies: BFD notices, hv3 takes the gateway over.
    sb.appctl("hv2", "exit")
    db.wait_until(lambda d: _chassis_of(sb, "cr-lrp-ext") == "hv3", timeout=30)
    proc.wait_for(lambda: "state=down" in sb.vsctl("hv1", "get", "Interface", "ovn-hv2-0",
                                                   "bfd_status"), 20, what="hv1 sees hv2 down")
    nbctl(sb, "--wait=sb", "sync")

    def delivered(seq):
        sb.inject("vif1", _ping("50:54:00:00:00:01", "00:00:00:00:ff:01", "10.0.0.1",
                                "10.0.2.1", seq))
        try:
            sb.wait_received("vife1", match=is_icmp_seq(seq), timeout=2)
            return True
        except Exception:
            return False
    seqs = iter(range(2, 40))
    proc.wait_for(lambda: delivered(next(seqs)), 30, what="traffic through hv3")
    assert _via(sb, "hv3", max(p.get("icmp4.seq") for p in sb.received("vife1")))
    # hv2's controller, cut off from its switch, does not take it back.
    assert _chassis_of(sb, "cr-lrp-ext") == "hv3"
    log = open(sb.chassis("hv2")["rundir"] + "/ovn-controller.log").read()
    assert log.count("claiming port cr-lrp-ext") == 1
