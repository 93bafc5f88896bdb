"""pyovn.openflow.model: matches, actions and flows render in ovs-ofctl
syntax that ovs-ofctl itself accepts, and compare/hash by value."""

import shutil
import subprocess

import pytest

from pyovn.openflow.model import (
    Bucket, CheckPktLarger, Clone, Conjunction, Controller, Ct, CtClear,
    DecTtl, Flow, Group, GroupMod, Learn, LearnSpec, Load, Match,
    MatchConflict, Meter, MeterBand, MeterMod, ModelError, Move, Nat, Note,
    Output, Pop, PopVlan, Push, PushVlan, Resubmit, Sample, SetField,
    SetQueue, Subfield)


def sample_flow():
    return Flow(8, 100,
                Match.of(reg14=1, metadata=2, eth_type=0x800, nw_proto=6,
                         tcp_dst=80, dl_src=0x0a0000000001,
                         ip_src=(0x0a000000, 0xff000000),
                         ct_state=(0x21, 0x23)),
                (SetField("reg15", 5),
                 SetField.of_subfield(0, Subfield("reg10", 6, 1)),
                 Move(Subfield("reg10", 6, 1), Subfield("xxreg0", 96, 1)),
                 Ct(commit=True, zone=Subfield("reg13", 0, 16), table=19,
                    nat=Nat("dst", "192.168.1.2")),
                 Controller(b"\0" * 8, pause=True),
                 Resubmit(table=9), Output(0xfff8)),
                cookie=0x1234)


def test_match_renders_like_ovs_ofctl():
    f = sample_flow()
    assert str(f.match) == ("ct_state=+new-est+trk,tcp,reg14=0x1,metadata=0x2,"
                            "dl_src=0a:00:00:00:00:01,nw_src=10.0.0.0/8,tp_dst=80")
    assert "set_field:0/0x40->reg10" in f.to_ofctl()
    assert "move:NXM_NX_REG10[6]->NXM_NX_XXREG0[96]" in f.to_ofctl()
    assert "ct(commit,table=19,zone=NXM_NX_REG13[0..15],nat(dst=192.168.1.2))" in f.to_ofctl()


@pytest.mark.parametrize("text", [
    "ip,reg14=0x1,metadata=0x2,nw_src=10.0.0.0/8",
    "arp,dl_dst=00:00:00:00:00:02,arp_spa=1.2.3.4,arp_op=1",
    "icmp6,ipv6_src=::2,nw_ttl=3,nw_frag=later,icmp_type=135,nd_target=::1",
    "udp,reg0=0x5/0xff,tp_src=68,tp_dst=67",
    "ct_state=-new+est+trk,ct_mark=0x2/0x2,ipv6,metadata=0x3",
    "conj_id=7,metadata=0x1",
    "reg10=0/0x40,in_port=LOCAL",
])
def test_match_parse_format_roundtrip(text):
    m = Match.parse(text)
    assert str(m) == text
    assert Match.parse(str(m)) == m


def test_match_merge_and_conflict():
    m = Match.of(reg0=(0x1, 0x1)).with_field("reg0", 0x2, 0x2)
    assert m.get("reg0") == (0x3, 0x3)
    with pytest.raises(MatchConflict):
        m.with_field("reg0", 0, 0x1)
    # aliases normalise
    assert Match.of(dl_src=1) == Match.of(eth_src=1)
    # wide registers are kept as 32-bit registers, high word first
    assert str(Match.of(xreg0=(1 << 32) | 5)) == "reg0=0x1,reg1=0x5"
    assert Match.of(xxreg0=(7, 0xff)).get("reg3") == (7, 0xff)
    with pytest.raises(ModelError):
        Match.of(reg0=1 << 32)
    with pytest.raises(ModelError):
        Match.of(nosuchfield=1)


def test_subfields():
    assert str(Subfield("reg0")) == "NXM_NX_REG0[]"
    assert str(Subfield("metadata", 0, 16)) == "OXM_OF_METADATA[0..15]"
    assert str(Subfield("dl_src", 40, 1)) == "NXM_OF_ETH_SRC[40]"
    assert Subfield.parse("NXM_NX_REG13[0..15]") == Subfield("reg13", 0, 16)
    with pytest.raises(ModelError):
        Subfield("reg0", 30, 4)


def test_flows_are_hashable_values():
    a, b = sample_flow(), sample_flow()
    assert a == b and hash(a) == hash(b)
    assert len({a, b}) == 1
    c = Flow(a.table, a.priority, a.match, (DecTtl(),))
    assert c.key == a.key and c != a


def all_actions():
    return [
        Output(5), Output(Subfield("reg15")), Output(0xfffe),
        Resubmit(table=40), Resubmit(port=3, table=1),
        SetField("eth_dst", 0xffffffffffff), (SetField("ip_dst", 0x0a000001), "ip"),
        (SetField("ipv6_src", 1), "ipv6"), (SetField("tcp_dst", 80), "tcp"),
        SetField("reg10", 0, 0x40),
        Load(1, Subfield("reg0", 3, 1)),
        Move(Subfield("reg14"), Subfield("reg15")),
        Push(Subfield("reg0")), Pop(Subfield("eth_dst")),
        PushVlan(), (PopVlan(), "vlan_tci=0x1000/0x1000"), (DecTtl(), "ip"), CtClear(),
        (Ct(), "ip"),
        (Ct(commit=True, zone=5, exec_=(SetField("ct_mark", 1), SetField("ct_label", 2, 6))), "ip"),
        (Ct(commit=True, zone=Subfield("reg11", 0, 16), table=12,
            nat=Nat("src", "10.0.0.1", "10.0.0.9", 1000, 2000, ("random",))), "ip"),
        (Ct(table=9, zone=Subfield("reg13", 0, 16), nat=Nat()), "ip"),
        (Ct(commit=True, alg="ftp", zone=1), "tcp"),
        Conjunction(3, 1, 2),
        Controller(bytes(range(12)), pause=True, meter_id=4),
        Controller(b"\0\0\0\1\0\0\0\0"),
        (Learn(78, (LearnSpec("match", Subfield("metadata"), Subfield("metadata")),
                   LearnSpec("match", Subfield("eth_type"), value=0x800),
                   LearnSpec("match", Subfield("ip_src"), Subfield("ip_src")),
                   LearnSpec("load", Subfield("reg10", 14, 1), value=1)),
              idle_timeout=60, delete_learned=True, cookie=0xabc), "ip"),
        Group(3), Meter(2), Clone((SetField("reg15", 1), Resubmit(table=40))),
        CheckPktLarger(1500, Subfield("reg0", 6, 1)), Note(b"\x01\x02"),
        (Ct(commit=True, zone=1, nat=Nat("dst", "fd00::1", port_min=80)), "ipv6"),
        SetQueue(10), Sample(65535, 1, 2, 3),
    ]


@pytest.mark.skipif(not shutil.which("ovs-ofctl"), reason="needs ovs-ofctl")
def test_ovs_ofctl_accepts_every_action():
    flows = []
    for a in all_actions():
        a, proto = a if isinstance(a, tuple) else (a, "")
        match = Match.parse(proto).with_field("reg14", 1)
        flows.append(Flow(10, 5, match, (a,)).to_ofctl())
    flows.append(sample_flow().to_ofctl())
    flows.append(Flow(0, 0).to_ofctl())
    for text in flows:
        r = subprocess.run(["ovs-ofctl", "-O", "OpenFlow15", "parse-flow", text],
                           capture_output=True, text=True)
        assert r.returncode == 0, (text, r.stderr)


@pytest.mark.skipif(not shutil.which("ovs-ofctl"), reason="needs ovs-ofctl")
def test_group_and_meter_text():
    g = GroupMod(1, "select", (Bucket((Ct(commit=True, nat=Nat("dst", "10.0.0.2")),),
                                      bucket_id=0, weight=100),
                               Bucket((Resubmit(table=9),), bucket_id=1, weight=100)),
                 selection_method="hash", fields=("ip_src", "tp_src"))
    assert str(g).startswith("group_id=1,type=select,selection_method=hash,"
                             "fields(ip_src,tp_src),bucket=bucket_id:0,weight:100,")
    assert g.body() == GroupMod(7, g.type, g.buckets, g.selection_method, g.fields).body()
    m = MeterMod(1, "pktps", burst=True, bands=(MeterBand("drop", 10, 20),))
    assert str(m) == "meter=1,pktps,burst,bands=type=drop,rate=10,burst_size=20"
    for grp in (g, GroupMod(2, "select", g.buckets, "dp_hash", (), 1 << 32)):
        r = subprocess.run(["ovs-ofctl", "-O", "OpenFlow15", "parse-group", str(grp)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    assert "selection_method_param=4294967296" in str(
        GroupMod(2, "select", g.buckets, "dp_hash", (), 1 << 32))
    assert str(DecTtl(ids=())) == "dec_ttl()" and str(DecTtl()) == "dec_ttl"
