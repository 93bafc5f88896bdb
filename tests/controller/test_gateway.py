"""Gateways on the pyovn controller: a distributed gateway port
(chassisredirect bound to the highest-priority gateway chassis) and a
gateway router (l3gateway), both with traffic going through the gateway
chassis."""

import pytest

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
