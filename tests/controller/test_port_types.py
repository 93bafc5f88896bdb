"""Port types on the pyovn controller (3 chassis, C ovn-northd): port
security, container interfaces (CIF VLANs), localport, localnet."""

import pytest

from tests.controller.helpers import (IP, MAC, icmp, is_icmp_seq, nbctl,
                                      ofctl_flows, switch, vsctl)

pytestmark = pytest.mark.peer


def _seqs(pkts):
    return {p.get("icmp4.seq") for p in pkts}


def test_port_security_cif_localport(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    switch(sb, "sw0", [1, 2, 3])
    nbctl(sb, "lsp-set-port-security", "p1", "%s %s" % (MAC % 1, IP % 1))
    # CIF c7 inside the VM of p2, VLAN 42.
    nbctl(sb, "lsp-add", "sw0", "c7", "p2", "42", "--",
          "lsp-set-addresses", "c7", "%s %s" % (MAC % 7, IP % 7))
    # localport lp9, present on hv1 and hv2.
    nbctl(sb, "lsp-add", "sw0", "lp9", "--", "lsp-set-type", "lp9", "localport", "--",
          "lsp-set-addresses", "lp9", "%s %s" % (MAC % 9, IP % 9))
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv2", "vif2", "p2")
    sb.add_vif("hv3", "vif3", "p3")
    sb.add_vif("hv1", "lp9a", "lp9")
    sb.add_vif("hv2", "lp9b", "lp9")
    for p in ("p1", "p2", "p3", "c7"):
        sb.wait_port_up(p)
    nbctl(sb, "--wait=hv", "sync")

    # Port security: a spoofed source IP or MAC is dropped, the real one passes.
    sb.inject("vif1", icmp(1, 3, seq=1, src_ip="10.0.0.66"))
    sb.inject("vif1", icmp(1, 3, seq=2).replace("src=%s," % (MAC % 1), "src=50:54:00:00:00:66,", 1))
    sb.inject("vif1", icmp(1, 3, seq=3))
    got = sb.wait_received("vif3", match=is_icmp_seq(3))
    assert _seqs(sb.received("vif3")) == {3}, got
    assert any("table=73" in f for f in ofctl_flows(sb, "hv1", 73))

    # A load balancer VIP (conntrack + select group): DNAT to p3.
    nbctl(sb, "lb-add", "lb0", "10.0.0.100:80", "%s:8080" % (IP % 3), "tcp")
    nbctl(sb, "ls-lb-add", "sw0", "lb0")
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif1", "eth(src=%s,dst=%s)/ip4(src=%s,dst=10.0.0.100)/tcp(src=1234,dst=80,flags=S)"
              % (MAC % 1, MAC % 3, IP % 1))
    p = sb.wait_received("vif3", match=lambda p: p.get("tcp.dst") == 8080)[0]
    assert "dst=%s," % (IP % 3) in p.summary()

    # CIF: delivered to the parent's VIF with VLAN 42 pushed ...
    sb.inject("vif1", icmp(1, 7, seq=4))
    p = sb.wait_received("vif2", match=is_icmp_seq(4))[0]
    assert "vlan(vid=42" in p.summary()
    # ... and tagged traffic from it enters as c7, untagged at the peer.
    sb.inject("vif2", "eth(src=%s,dst=%s)/vlan(vid=42)/ip4(src=%s,dst=%s)/icmp4(type=8,id=7,seq=5)"
              % (MAC % 7, MAC % 1, IP % 7, IP % 1))
    p = sb.wait_received("vif1", match=is_icmp_seq(5))[0]
    assert "vlan" not in p.summary()

    # localport: reached only on the sender's chassis, never tunneled.
    sb.inject("vif1", icmp(1, 9, seq=6))
    sb.wait_received("lp9a", match=is_icmp_seq(6))
    sb.inject("vif3", icmp(3, 9, seq=7))    # no localport on hv3: nowhere
    sb.inject("lp9b", icmp(9, 1, seq=8))    # from hv2's localport to hv1: dropped
    sb.inject("lp9b", icmp(9, 2, seq=9))    # to hv2's own VIF: delivered
    sb.wait_received("vif2", match=is_icmp_seq(9))
    assert 8 not in _seqs(sb.received("vif1"))
    assert 7 not in _seqs(sb.received("lp9a")) | _seqs(sb.received("lp9b"))
    assert 6 not in _seqs(sb.received("lp9b"))


def test_localnet_between_chassis(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    switch(sb, "pub", [1, 3])
    nbctl(sb, "lsp-add", "pub", "ln-pub", "--", "lsp-set-type", "ln-pub", "localnet", "--",
          "lsp-set-addresses", "ln-pub", "unknown", "--",
          "lsp-set-options", "ln-pub", "network_name=physnet1")
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv3", "vif3", "p3")
    sb.wait_port_up("p1")
    sb.wait_port_up("p3")
    nbctl(sb, "--wait=hv", "sync")
    # The patch ports to the provider bridge exist.
    assert "patch-br-int-to-ln-pub" in vsctl(sb, "hv1", "list-ports", "br-int")
    assert "patch-ln-pub-to-br-int" in vsctl(sb, "hv1", "list-ports", "br-phys")
    sb.inject("vif1", icmp(1, 3, seq=1))
    sb.wait_received("vif3", match=is_icmp_seq(1))
    # It crossed the underlay as a plain frame, not in a tunnel.
    plain = [p for p in sb.underlay("hv1") if p.get("icmp4.seq") == 1]
    assert plain and all("geneve" not in p.summary() for p in plain)
    sb.inject("vif3", icmp(3, 1, seq=2))
    sb.wait_received("vif1", match=is_icmp_seq(2))


def test_virtual_port_follows_its_parent(sandbox_factory):
    """A virtual port is bound where pinctrl's bind_vport saw its IP
    (virtual_parent); traffic to it goes to that parent's VIF."""
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    switch(sb, "sw0", [1, 2, 3])
    nbctl(sb, "lsp-add", "sw0", "vip", "--", "lsp-set-type", "vip", "virtual", "--",
          "lsp-set-addresses", "vip", "50:54:00:00:00:0a 10.0.0.10", "--",
          "lsp-set-options", "vip", "virtual-ip=10.0.0.10", "virtual-parents=p1,p2")
    for i in (1, 2, 3):
        sb.add_vif("hv%d" % i, "vif%d" % i, "p%d" % i)
        sb.wait_port_up("p%d" % i)
    nbctl(sb, "--wait=hv", "sync")
    # p2 (hv2) announces the virtual IP: gratuitous ARP from the VIP MAC.
    sb.inject("vif2", "eth(src=50:54:00:00:00:0a,dst=ff:ff:ff:ff:ff:ff)/"
              "arp(op=1,sha=50:54:00:00:00:0a,spa=10.0.0.10,tpa=10.0.0.10)")
    db = sb.sb_db()
    db.wait_until(lambda d: [pb for pb in d.rows("Port_Binding") if pb.logical_port == "vip"
                             and pb.chassis and pb.chassis[0].name == "hv2"], timeout=20)
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif3", "eth(src=%s,dst=50:54:00:00:00:0a)/ip4(src=%s,dst=10.0.0.10)/"
              "icmp4(type=8,id=7,seq=1)" % (MAC % 3, IP % 3))
    sb.wait_received("vif2", match=is_icmp_seq(1))
    assert 1 not in _seqs(sb.received("vif1"))
