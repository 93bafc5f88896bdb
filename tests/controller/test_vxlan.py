"""VXLAN between pyovn controllers: 12-bit datapath + 12-bit egress port
in the VNI, unicast and flooding."""

import pytest

from pyovn.packet import tunnel
from tests.controller.helpers import (arp_request, icmp, is_icmp_seq, nbctl, switch,
                                      tool, vsctl)

pytestmark = pytest.mark.peer


def test_vxlan_unicast_and_flood(sandbox_factory):
    sb = sandbox_factory(chassis=3, encap="vxlan", northd="c", controller="py")
    assert vsctl(sb, "hv1", "get", "Interface", "ovn-hv2-0", "type").strip() == "vxlan"
    switch(sb, "sw0", [1, 2, 3])
    for i in (1, 2, 3):
        sb.add_vif("hv%d" % i, "vif%d" % i, "p%d" % i)
        sb.wait_port_up("p%d" % i)
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif1", icmp(1, 3, seq=1))
    sb.wait_received("vif3", match=is_icmp_seq(1))
    outer = [p for p in sb.underlay("hv1") if p.inner is not None and "seq=1)" in p.summary()]
    assert outer and "vxlan" in outer[0].summary()
    dp_key = int(tool(sb, "ovn-sbctl", "--bare", "--columns=tunnel_key", "list",
                      "Datapath_Binding").strip())
    vni = outer[0].get("vxlan.vni")
    p3_key = int(tool(sb, "ovn-sbctl", "--bare", "--columns=tunnel_key", "find",
                      "Port_Binding", "logical_port=p3").strip())
    assert tunnel.vxlan_decode(vni) == (dp_key, p3_key)
    sb.inject("vif2", arp_request(2, "10.0.0.99"))
    sb.wait_received("vif1", match=lambda p: "tpa=10.0.0.99" in p.summary())
    sb.wait_received("vif3", match=lambda p: "tpa=10.0.0.99" in p.summary())
