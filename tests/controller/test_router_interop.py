"""A logical router between switches on different chassis (C ovn-northd
writes the router pipeline), and interop: pyovn controller on one chassis
beside C ovn-controllers in the same deployment."""

import pytest

from tests.controller.helpers import icmp, is_icmp_seq, nbctl, switch

pytestmark = pytest.mark.peer

RMAC0, RMAC1 = "00:00:00:00:ff:01", "00:00:00:00:ff:02"


def router(sb):
    nbctl(sb, "lr-add", "lr0",
          "--", "lrp-add", "lr0", "lrp0", RMAC0, "10.0.0.254/24",
          "--", "lsp-add", "sw0", "sw0-lr0", "--", "lsp-set-type", "sw0-lr0", "router",
          "--", "lsp-set-addresses", "sw0-lr0", "router",
          "--", "lsp-set-options", "sw0-lr0", "router-port=lrp0",
          "--", "lrp-add", "lr0", "lrp1", RMAC1, "10.0.1.254/24",
          "--", "ls-add", "sw1",
          "--", "lsp-add", "sw1", "sw1-lr0", "--", "lsp-set-type", "sw1-lr0", "router",
          "--", "lsp-set-addresses", "sw1-lr0", "router",
          "--", "lsp-set-options", "sw1-lr0", "router-port=lrp1",
          "--", "lsp-add", "sw1", "q1",
          "--", "lsp-set-addresses", "q1", "50:54:00:00:01:01 10.0.1.1")


def routed(src_idx, seq, dst_ip="10.0.1.1", src_ip=None):
    return ("eth(src=50:54:00:00:00:%02x,dst=%s)/ip4(src=%s,dst=%s)/icmp4(type=8,id=3,seq=%d)"
            % (src_idx, RMAC0, src_ip or "10.0.0.%d" % src_idx, dst_ip, seq))


def test_router_between_chassis(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    switch(sb, "sw0", [1, 2])
    router(sb)
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv3", "vifq1", "q1")
    sb.wait_port_up("p1")
    sb.wait_port_up("q1")
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif1", routed(1, 1))
    p = sb.wait_received("vifq1", match=is_icmp_seq(1))[0]
    # Routed: source MAC is the router port's, TTL decremented.
    assert "src=%s" % RMAC1 in p.summary()
    assert "ttl=63" in p.summary()
    # The reply comes back the other way.
    sb.inject("vifq1", "eth(src=50:54:00:00:01:01,dst=%s)/ip4(src=10.0.1.1,dst=10.0.0.1)/"
              "icmp4(type=0,id=3,seq=2)" % RMAC1)
    p = sb.wait_received("vif1", match=is_icmp_seq(2))[0]
    assert "ttl=63" in p.summary()
    # The router answers ARP for its own address (router pipeline on hv1).
    sb.inject("vif1", "eth(src=50:54:00:00:00:01,dst=ff:ff:ff:ff:ff:ff)/"
              "arp(op=1,sha=50:54:00:00:00:01,spa=10.0.0.1,tpa=10.0.0.254)")
    rep = sb.wait_received("vif1", match=lambda p: p.get("arp.op") == 2)[0]
    assert RMAC0 in rep.summary()


def test_interop_with_c_controller(sandbox_factory):
    # hv1: pyovn controller; hv2, hv3: C ovn-controller.
    sb = sandbox_factory(chassis=3, northd="c", controller="py,c,c")
    switch(sb, "sw0", [1, 2, 3])
    router(sb)
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv2", "vif2", "p2")
    sb.add_vif("hv3", "vifq1", "q1")
    for p in ("p1", "p2", "q1"):
        sb.wait_port_up(p)
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif1", icmp(1, 2, seq=1))            # py -> C
    sb.wait_received("vif2", match=is_icmp_seq(1))
    sb.inject("vif2", icmp(2, 1, seq=2))            # C -> py
    sb.wait_received("vif1", match=is_icmp_seq(2))
    sb.inject("vif1", routed(1, 3))                 # py -> router -> C chassis
    sb.wait_received("vifq1", match=is_icmp_seq(3))
    sb.inject("vifq1", "eth(src=50:54:00:00:01:01,dst=%s)/ip4(src=10.0.1.1,dst=10.0.0.1)/"
              "icmp4(type=0,id=3,seq=4)" % RMAC1)   # C chassis -> router -> py
    sb.wait_received("vif1", match=is_icmp_seq(4))
    # Broadcast from the C chassis reaches the pyovn one and vice versa.
    sb.inject("vif2", "eth(src=50:54:00:00:00:02,dst=ff:ff:ff:ff:ff:ff)/"
              "arp(op=1,sha=50:54:00:00:00:02,spa=10.0.0.2,tpa=10.0.0.77)")
    sb.wait_received("vif1", match=lambda p: "tpa=10.0.0.77" in p.summary())
