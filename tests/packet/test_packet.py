"""Composing, decoding and pcap reading: pure Python, checked against
hand-computed bytes, round trips and Open vSwitch's own pcap output."""

import struct

import pytest
from hypothesis import given, settings, strategies as st

from pyovn import packet
from pyovn.packet import PacketError, pcap

ETH = "eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03)"
ICMP = ETH + "/ip4(src=10.0.0.1,dst=10.0.0.3,ttl=64)/icmp4(type=8,id=1,seq=1)/payload(text=hello)"


def test_icmp4_bytes_match_hand_computed():
    data = packet.compose(ICMP)
    # Checked byte by byte: IPv4 header checksum 0x66d9, ICMP checksum 0xb42b.
    assert data.hex() == ("505400000003505400000001" "0800"
                          "4500002100000000400166d90a0000010a000003"
                          "0800b42b00010001" "68656c6c6f")


def test_decode_fields_and_summary_round_trip():
    data = packet.compose(ICMP)
    p = packet.decode(data)
    assert [layer.name for layer in p.layers] == ["eth", "ip4", "icmp4", "payload"]
    assert p["eth.type"] == 0x0800
    assert p["ip4.ttl"] == 64 and p["ip4.proto"] == 1 and p["ip4.len"] == 33
    assert p["icmp4.type"] == 8 and p["icmp4.seq"] == 1
    assert p["payload.hex"] == b"hello".hex()
    assert "csum" not in p.summary()        # correct checksums are derived
    assert packet.compose(p.summary()) == data
    assert not p.errors


def test_bad_checksum_is_kept_and_shown():
    data = bytearray(packet.compose(ICMP))
    data[24] ^= 0xff                        # IPv4 header checksum
    p = packet.decode(bytes(data))
    assert "csum=0x99d9" in p.summary()
    assert packet.compose(p.summary()) == bytes(data)


@pytest.mark.parametrize("desc", [
    ETH + "/arp(op=1,sha=50:54:00:00:00:01,spa=10.0.0.1,tpa=10.0.0.3)",
    ETH + "/arp(op=2,sha=50:54:00:00:00:01,spa=10.0.0.1,tha=50:54:00:00:00:03,tpa=10.0.0.3,pad=000000)",
    ETH + "/vlan(vid=100,pcp=3)/ip4(src=1.2.3.4,dst=5.6.7.8,ttl=3,df=1,id=77)/udp(src=53,dst=1024)/payload(hex=0102)",
    ETH + "/ip4(src=1.2.3.4,dst=5.6.7.8,opts=01010101)/tcp(src=80,dst=1000,seq=7,ack=9,flags=SA,win=100)",
    ETH + "/ip4(src=1.2.3.4,dst=5.6.7.8)/icmp4(type=3,code=1,rest=00000000)/payload(hex=4500)",
    ETH + "/ip6(src=fe80::1,dst=ff02::1:ff00:3,hlim=255)/nd_ns(target=fe80::3,sll=50:54:00:00:00:01)",
    ETH + "/ip6(src=fe80::3,dst=fe80::1,hlim=255)/nd_na(target=fe80::3,tll=50:54:00:00:00:03,solicited=1,override=1)",
    ETH + "/ip6(src=fe80::1,dst=ff02::2,hlim=255)/nd_rs(sll=50:54:00:00:00:01)",
    ETH + "/ip6(src=fe80::1,dst=ff02::1,hlim=255)/nd_ra(lifetime=0,managed=1,sll=50:54:00:00:00:01,opts=0304" + "00" * 30 + ")",
    ETH + "/ip6(src=2001:db8::1,dst=2001:db8::2,fl=5)/icmp6(type=128,id=3,seq=4)",
    ETH + "/ip6(src=2001:db8::1,dst=2001:db8::2)/udp(src=546,dst=547)",
    "eth(src=aa:55:aa:55:00:01,dst=aa:55:aa:55:00:03)/ip4(src=192.168.0.1,dst=192.168.0.3,df=1)"
    "/udp(src=4000)/geneve(vni=5,inport=2,outport=32768)/" + ICMP,
    "eth(src=aa:55:aa:55:00:01,dst=aa:55:aa:55:00:03)/ip4(src=192.168.0.1,dst=192.168.0.3)"
    "/udp(src=4000)/vxlan(vni=8193)/" + ICMP,
    "eth(src=aa:55:aa:55:00:01,dst=aa:55:aa:55:00:03)/ip4(src=192.168.0.1,dst=192.168.0.3)"
    "/tcp(src=4000,flags=PA)/stt(id=0x0000020002000001)/" + ICMP,
])
def test_round_trip(desc):
    data = packet.compose(desc)
    p = packet.decode(data)
    assert not p.errors, p.errors
    assert packet.compose(p.summary()) == data
    assert packet.decode(packet.compose(p.summary())) == p


def test_udp_and_icmp6_checksums_verify_under_pseudo_header():
    data = packet.compose(ETH + "/ip6(src=fe80::1,dst=fe80::2)/icmp6(type=128,id=1,seq=2)")
    # Summing the pseudo-header, the message and its checksum gives 0xffff.
    src, dst, msg = data[22:38], data[38:54], data[54:]
    pseudo = src + dst + struct.pack("!I3xB", len(msg), 58)
    assert packet.fields.checksum(pseudo + msg) == 0


def test_geneve_ovn_option_decoded_into_ports():
    p = packet.decode(packet.compose(
        "eth(src=aa:55:aa:55:00:01,dst=aa:55:aa:55:00:03)/ip4(src=192.168.0.1,dst=192.168.0.3)"
        "/udp(src=4000)/geneve(vni=7,inport=3,outport=4)/" + ICMP))
    assert p["udp.dst"] == 6081
    assert p["geneve.vni"] == 7 and p["geneve.inport"] == 3 and p["geneve.outport"] == 4
    assert p["geneve.critical"] is True          # type 0x80 is a critical option
    assert p["inner.ip4.dst"] == "10.0.0.3"
    assert p.inner.summary() == packet.decode(packet.compose(ICMP)).summary()


def test_keyword_and_list_forms_and_hex():
    a = packet.compose(ICMP)
    b = packet.compose(eth=dict(src="50:54:00:00:00:01", dst="50:54:00:00:00:03"),
                       ip4=dict(src="10.0.0.1", dst="10.0.0.3"),
                       icmp4=dict(type=8, id=1, seq=1), payload=dict(text="hello"))
    c = packet.compose([("eth", {"src": "50:54:00:00:00:01", "dst": "50:54:00:00:00:03"}),
                        ("ip4", {"src": "10.0.0.1", "dst": "10.0.0.3"}),
                        ("icmp4", {"type": "8", "id": "1", "seq": "0x1"}),
                        ("payload", {"hex": "68656c6c6f"})])
    assert a == b == c == packet.compose(a.hex()) == packet.compose("0x" + a.hex())


@pytest.mark.parametrize("desc, message", [
    (ETH + "/ip4(src=10.0.0.300,dst=10.0.0.1)", "ip4: bad src: '10.0.0.300' is not an IPv4 address"),
    ("eth(src=50:54:00:00:00:01)", "eth: missing field 'dst'"),
    (ETH + "/ip4(src=1.1.1.1,dst=2.2.2.2,ttl=300)", "ip4: bad ttl: 300 does not fit in 8 bits"),
    (ETH + "/ipx(a=1)", "unknown layer 'ipx'"),
    (ETH + "/ip4(src=1.1.1.1,dst=2.2.2.2,color=red)", "ip4: unknown field 'color'"),
    (ETH + "/icmp6(type=128)", "icmp6: must follow ip6"),
    (ETH + "/ip4(src=1.1.1.1,dst=2.2.2.2", "ip4: missing ')'"),
    ("eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:03) ip4", "expected '/' between layers"),
    (ETH, "eth: give type="),
    (ETH + "/tcp(src=1,dst=2,flags=SX)", "is not TCP flags"),
    ("", "empty packet description"),
])
def test_bad_descriptions_are_refused_with_clear_errors(desc, message):
    with pytest.raises(PacketError) as e:
        packet.compose(desc)
    assert message in str(e.value)


def test_truncated_and_garbage_bytes_decode_without_raising():
    data = packet.compose(ICMP)
    p = packet.decode(data[:20])
    assert p.errors and "ip4: truncated" in p.errors[0]
    assert p.layers[-1].name == "payload"
    assert packet.compose(p.summary()) == data[:20]


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=200))
def test_decoder_never_crashes_and_summaries_compose_back(data):
    p = packet.decode(data)
    if len(data) >= 14:
        assert packet.compose(p.summary()) == data


@settings(max_examples=100, deadline=None)
@given(ttl=st.integers(0, 255), sport=st.integers(0, 65535), dport=st.integers(0, 65535),
       body=st.binary(max_size=64), vid=st.integers(0, 4095))
def test_composed_udp_round_trips(ttl, sport, dport, body, vid):
    desc = (ETH + "/vlan(vid=%d)/ip4(src=10.1.2.3,dst=10.3.2.1,ttl=%d)/udp(src=%d,dst=%d)"
            "/payload(hex=%s)" % (vid, ttl, sport, dport, body.hex()))
    data = packet.compose(desc)
    p = packet.decode(data)
    assert (p["vlan.vid"], p["ip4.ttl"], p["udp.src"]) == (vid, ttl, sport)
    assert packet.compose(p.summary()) == data


def test_pcap_write_read_and_truncated_tail(tmp_path):
    frames = [packet.compose(ICMP), bytes(range(60))]
    path = str(tmp_path / "x.pcap")
    pcap.write(path, frames)
    assert pcap.packets(path) == frames
    with open(path, "ab") as f:         # a record OVS is still writing
        f.write(struct.pack("<IIII", 0, 0, 100, 100) + b"\0" * 10)
    assert pcap.packets(path) == frames
    assert pcap.packets(str(tmp_path / "missing.pcap")) == []
    (tmp_path / "bad.pcap").write_bytes(b"not a pcap file at all, really")
    with pytest.raises(PacketError, match="not a pcap file"):
        pcap.read(str(tmp_path / "bad.pcap"))
