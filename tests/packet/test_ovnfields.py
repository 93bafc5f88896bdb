"""Decoded packets as OVN logical-flow field values, and the OVN tunnel
key read back from an underlay capture."""

import pytest

from pyovn import packet
from pyovn.packet import tunnel

ETH = "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03)"


def fields(desc):
    return packet.ovn_fields(packet.decode(packet.compose(desc)))


def test_ip4_tcp_fields():
    f = fields(ETH + "/vlan(vid=10,pcp=5)/ip4(src=10.0.0.1,dst=10.0.0.3,ttl=9,tos=0xb9)"
               "/tcp(src=80,dst=1024,flags=SA)")
    assert f == {"eth.src": 0x505400000001, "eth.dst": 0x505400000003, "eth.type": 0x0800,
                 "vlan.tci": (5 << 13) | 0x1000 | 10,
                 "ip4.src": 0x0a000001, "ip4.dst": 0x0a000003, "ip.proto": 6, "ip.ttl": 9,
                 "ip.dscp": 0xb9 >> 2, "ip.ecn": 1,
                 "tcp.src": 80, "tcp.dst": 1024, "tcp.flags": 0x12}


def test_arp_and_nd_fields():
    f = fields(ETH + "/arp(op=2,sha=50:54:00:00:00:01,spa=10.0.0.1,tha=50:54:00:00:00:03,tpa=10.0.0.3)")
    assert (f["eth.type"], f["arp.op"], f["arp.spa"], f["arp.tha"]) == (
        0x0806, 2, 0x0a000001, 0x505400000003)
    f = fields(ETH + "/ip6(src=fe80::1,dst=ff02::1:ff00:3,hlim=255)"
               "/nd_ns(target=fe80::3,sll=50:54:00:00:00:01)")
    assert f["icmp6.type"] == 135 and f["ip.ttl"] == 255 and f["ip.proto"] == 58
    assert f["nd.target"] == (0xfe80 << 112) | 3 and f["nd.sll"] == 0x505400000001
    assert "nd.tll" not in f


@pytest.mark.parametrize("encap, key", [
    ("udp(src=1)/geneve(vni=5,inport=2,outport=3)", (5, 2, 3)),
    ("udp(src=1)/vxlan(vni=%d)" % tunnel.vxlan_vni(5, 3), (5, None, 3)),
    ("tcp(src=1)/stt(id=%d)" % tunnel.stt_tunnel_id(5, 2, 3), (5, 2, 3)),
])
def test_tunnel_key_and_outer_fields(encap, key):
    p = packet.decode(packet.compose(
        "eth(src=aa:55:aa:55:00:01,dst=aa:55:aa:55:00:03)/ip4(src=192.168.0.1,dst=192.168.0.3)/"
        + encap + "/" + ETH + "/ip4(src=10.0.0.1,dst=10.0.0.3)/udp(src=7,dst=8)"))
    assert packet.tunnel_key(p) == key
    assert packet.ovn_fields(p)["ip4.src"] == 0xc0a80001       # the outer frame only
    assert packet.ovn_fields(p.inner)["udp.dst"] == 8
    assert packet.tunnel_key(packet.decode(packet.compose(ETH + "/ip4(src=1.1.1.1,dst=2.2.2.2)"
                                                          "/udp(src=1,dst=2)"))) is None
