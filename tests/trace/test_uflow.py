"""The MICROFLOW argument (no databases needed)."""

import pytest

from pyovn.lang.errors import LangError
from pyovn.trace.tracer import format_ct_state, parse_ct_flags
from pyovn.trace.uflow import ovs_flow_text, parse_microflow


def test_fields_and_prerequisites_are_pinned():
    mf = parse_microflow('inport == "p1" && ip4.src == 10.0.0.1 && tcp.dst == 80 '
                         '&& eth.dst == ff:ff:ff:ff:ff:ff && ip.ttl == 64')
    assert mf.strings["inport"] == "p1"
    assert mf.get("eth.type") == 0x800 and mf.get("ip.proto") == 6
    assert mf.get("ip4.src") == 0x0a000001 and mf.get("tcp.dst") == 80
    assert ovs_flow_text(mf) == (
        "tcp,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=ff:ff:ff:ff:ff:ff,"
        "nw_src=10.0.0.1,nw_dst=0.0.0.0,nw_tos=0,nw_ecn=0,nw_ttl=64,nw_frag=no,"
        "tp_src=0,tp_dst=80,tcp_flags=0")


def test_subfields_combine():
    mf = parse_microflow('inport == "p1" && reg0[0..3] == 1 && reg0[4..7] == 2')
    assert mf.get("reg0") == 0x21


def test_arp_and_ipv6_flow_text():
    mf = parse_microflow('inport == "p" && arp.op == 2 && arp.spa == 1.2.3.4 && '
                         'arp.sha == 00:00:00:00:00:01')
    assert ovs_flow_text(mf).startswith("arp,vlan_tci=0x0000,")
    assert "arp_op=2" in ovs_flow_text(mf) and "arp_sha=00:00:00:00:00:01" in ovs_flow_text(mf)
    mf = parse_microflow('inport == "p" && ip6.dst == fd00::1 && icmp6.type == 128')
    text = ovs_flow_text(mf)
    assert text.startswith("icmp6,") and "ipv6_dst=fd00::1" in text and "icmp_type=128" in text


@pytest.mark.parametrize("text,message", [
    ('inport == "p" && tcp.src == 80', "Constraints are ambiguous"),
    ('inport == "p" && ip4 && tcp.src > 1024', "Constraints are ambiguous"),
    ('inport == "p" && ip4 && ip6', "Constraints are contradictory."),
    ('inport == "p" && inport == "q"', "Constraints are contradictory."),
    ('inport == "p" && ip4.src == 1.1.1.1 && ip4.src == 1.1.1.2',
     "Constraints are contradictory."),
    ('eth.src == 00:00:00:00:00:01', "must specify an inport"),
    ('inport == "p" && nosuchfield == 1', "nosuchfield"),
    ('inport == ', "Syntax error"),
])
def test_bad_microflows_are_rejected(text, message):
    with pytest.raises(LangError) as e:
        parse_microflow(text)
    assert message in str(e.value)


def test_ct_flags():
    assert format_ct_state(parse_ct_flags("new")) == "new|trk"
    assert format_ct_state(parse_ct_flags("est,rpl dnat")) == "est|rpl|dnat|trk"
    with pytest.raises(ValueError) as e:
        parse_ct_flags("est,bogus")
    assert "bogus" in str(e.value)
