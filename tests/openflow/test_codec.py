"""Codec round trips (encode -> decode) for every message and action, and
a cross-check of each encoding with `ovs-ofctl ofp-print` (OVS's own
decoder): it must decode without error and print what we meant."""

import ipaddress
import struct

import pytest

from pyovn.openflow import codec
from pyovn.openflow import model as M
from pyovn.openflow.codec import Act, LearnSpec
from pyovn.openflow.codec import messages as W
from pyovn.openflow.codec import model_wire as MW
from pyovn.util import proc


def ip(s):
    return int(ipaddress.ip_address(s))


def ofp_print(msg):
    out = proc.run([proc.which("ovs-ofctl"), "ofp-print", msg.encode(0x42).hex()])
    assert "decode error" not in out, out
    return out


def roundtrip(msg):
    data = msg.encode(0x42)
    back = codec.decode(data)
    assert back == msg, (back, msg)
    assert back.xid == 0x42
    assert back.encode(0x42) == data
    return back


# (action, text ovs-ofctl ofp-print shows for it, prerequisite match)
ACTIONS = [
    (Act("output", port=3), "output:3", []),
    (Act("output", port=W.OFPP_CONTROLLER, max_len=0xffff), "CONTROLLER:65535", []),
    (Act("group", group_id=7), "group:7", []),
    (Act("meter", meter_id=2), "meter:2", []),
    (Act("set_queue", queue_id=4), "set_queue:4", []),
    (Act("push_vlan", ethertype=0x8100), "push_vlan:0x8100", []),
    (Act("pop_vlan"), "pop_vlan", [("vlan_tci", 0x1000, 0x1000)]),
    (Act("dec_ttl"), "dec_ttl", [("eth_type", 0x800, None)]),
    (Act("set_field", field="reg15", value=9), "set_field:0x9->reg15", []),
    (Act("set_field", field="eth_dst", value=0x0a0000000001),
     "set_field:0a:00:00:00:00:01->eth_dst", []),
    (Act("set_field", field="pkt_mark", value=1, mask=1), "set_field:0x1/0x1->pkt_mark", []),
    (Act("set_field", field="ip_dst", value=ip("10.0.0.1")), "set_field:10.0.0.1->ip_dst",
     [("eth_type", 0x800, None)]),
    (Act("set_field", field="tun_metadata0", value=0x10002),
     "set_field:0x10002->tun_metadata0", []),
    (Act("copy_field", src="reg14", src_ofs=0, dst="reg15", dst_ofs=0, n_bits=16),
     "move:NXM_NX_REG14[0..15]->NXM_NX_REG15[0..15]", []),
    (Act("copy_field", src="reg14", src_ofs=0, dst="tun_metadata0", dst_ofs=16, n_bits=15),
     "move:NXM_NX_REG14[0..14]->NXM_NX_TUN_METADATA0[16..30]", []),
    (Act("resubmit", table=8), "resubmit(,8)", []),
    (Act("resubmit", port=5), "resubmit:5", []),
    (Act("resubmit", port=5, table=9), "resubmit(5,9)", []),
    (Act("resubmit", table=9, ct=True), "resubmit(,9,ct)",
     [("eth_type", 0x800, None), ("ct_state", 0x20, 0x30)]),
    (Act("ct", commit=True, zone_field=("reg13", 0, 16), table=10, actions=[
        Act("nat", mode="src", ip_min=ip("1.2.3.4"), ip_max=ip("1.2.3.9"),
            port_min=100, port_max=200, random=True),
        Act("set_field", field="ct_mark", value=2, mask=2)]),
     "ct(commit,table=10,zone=NXM_NX_REG13[0..15],nat(src=1.2.3.4-1.2.3.9:100-200,random),exec(set_field:0x2/0x2->ct_mark))",
     [("eth_type", 0x800, None)]),
    (Act("ct", zone=5), "ct(zone=5)", [("eth_type", 0x800, None)]),
    (Act("ct", force=True, commit=True, alg=21), "ct(commit,force,alg=ftp)",
     [("eth_type", 0x800, None), ("nw_proto", 6, None)]),
    (Act("ct", actions=[Act("nat")]), "ct(nat)", [("eth_type", 0x800, None)]),
    (Act("ct", commit=True, actions=[Act("nat", mode="dst", ipv6=True, ip_min=ip("fd00::1"))]),
     "ct(commit,nat(dst=fd00::1))", [("eth_type", 0x86dd, None)]),
    (Act("ct_clear"), "ct_clear", []),
    (Act("conjunction", id=7, clause=2, n_clauses=3), "conjunction(7,2/3)", []),
    (Act("controller", userdata=b"\x00\x00\x00\x01abc", pause=True, meter_id=5),
     "controller(userdata=00.00.00.01.61.62.63,pause,meter_id=5)", []),
    (Act("controller", max_len=128, reason=0, controller_id=3),
     "controller(reason=no_match,max_len=128,id=3)", []),
    (Act("learn", table=66, priority=100, cookie=5, idle_timeout=10, specs=[
        LearnSpec("match", 16, src_field="reg14", dst_field="reg14"),
        LearnSpec("load", 48, src_value=0x112233445566, dst_field="eth_dst"),
        LearnSpec("load", 1, src_value=1, dst_field="reg10", dst_ofs=6),
        LearnSpec("output", 16, src_field="in_port")]),
     "learn(table=66,idle_timeout=10,priority=100,cookie=0x5,NXM_NX_REG14[0..15],"
     "load:0x112233445566->NXM_OF_ETH_DST[],load:0x1->NXM_NX_REG10[6],output:NXM_OF_IN_PORT[])", []),
    (Act("clone", actions=[Act("set_field", field="reg0", value=1), Act("resubmit", table=5)]),
     "clone(set_field:0x1->reg0,resubmit(,5))", []),
    (Act("check_pkt_larger", pkt_len=1500, dst="reg0", dst_ofs=1),
     "check_pkt_larger(1500)->NXM_NX_REG0[1]", []),
    (Act("note", data=b"\x01\x02\x03\x04\x05\x06"), "note:01.02.03.04.05.06", []),
    (Act("sample", probability=100, collector_set_id=1, obs_domain_id=2, obs_point_id=3),
     "sample(probability=100,collector_set_id=1,obs_domain_id=2,obs_point_id=3)", []),
    (Act("sample", probability=9, collector_set_id=1, obs_domain_id=2, obs_point_id=3,
         sampling_port=4),
     "sample(probability=9,collector_set_id=1,obs_domain_id=2,obs_point_id=3,sampling_port=4)", []),
    (Act("exit"), "exit", []),
    (Act("stack_push", field="reg14", ofs=0, n_bits=16), "push:NXM_NX_REG14[0..15]", []),
    (Act("stack_pop", field="reg14", ofs=0, n_bits=16), "pop:NXM_NX_REG14[0..15]", []),
    (Act("output_reg", field="reg15", ofs=0, n_bits=16), "output:NXM_NX_REG15[0..15]", []),
]


@pytest.mark.parametrize("act,text,prereq", ACTIONS, ids=[a[1][:40] for a in ACTIONS])
def test_action_roundtrip_and_ovs_decodes_it(act, text, prereq):
    fm = W.FlowMod(table=1, priority=10, match=prereq, actions=[act])
    roundtrip(fm)
    out = ofp_print(fm)
    assert "actions=" + text in out


def test_reg_load_is_a_masked_set_field():
    fm = W.FlowMod(actions=[Act("reg_load", field="reg10", ofs=3, n_bits=2, value=3)])
    back = codec.decode(fm.encode(1))
    assert back.actions == [Act("set_field", field="reg10", value=0x18, mask=0x18)]
    assert "set_field:0x18/0x18->reg10" in ofp_print(fm)


MATCHES = [
    ([("reg0", 5, 0xff)], "reg0=0x5/0xff"),
    ([("reg15", 0x8000, None)], "reg15=0x8000"),
    ([("metadata", 7, None)], "metadata=0x7"),
    ([("xreg4", 5, None)], "reg8=0,reg9=0x5"),
    ([("xxreg1", 1 << 100, None)], "reg4=0x10,reg5=0,reg6=0,reg7=0"),
    ([("tun_id", 5, None)], "tun_id=0x5"),
    ([("tun_metadata0", 0x2, 0xffff)], "tun_metadata0=0x2"),   # ofp-print has no TLV map
    ([("tun_metadata0", 0x10002, None)], "tun_metadata0=0x10002"),
    ([("ct_state", 0x21, 0x21)], "ct_state=+new+trk"),
    ([("ct_mark", 1, 1)], "ct_mark=0x1/0x1"),
    ([("ct_label", 5, 5)], "ct_label=0x5/0x5"),
    ([("ct_zone", 3, None)], "ct_zone=3"),
    ([("pkt_mark", 1, None)], "pkt_mark=0x1"),
    ([("conj_id", 9, None)], "conj_id=9"),
    ([("in_port", 4, None)], "in_port=4"),
    ([("eth_src", 0x0a0000000001, None), ("eth_dst", 0x010000000000, 0x010000000000)],
     "dl_src=0a:00:00:00:00:01,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00"),
    ([("vlan_tci", 0x1000, 0x1000)], "vlan_tci=0x1000/0x1000"),
    ([("ip_src", ip("10.0.0.0"), 0xffffff00), ("eth_type", 0x800, None)], "ip,nw_src=10.0.0.0/24"),
    ([("eth_type", 0x800, None), ("nw_proto", 6, None), ("tcp_dst", 80, None)], "tcp,tp_dst=80"),
    ([("eth_type", 0x800, None), ("nw_proto", 17, None), ("udp_src", 67, None)], "udp,tp_src=67"),
    ([("eth_type", 0x800, None), ("nw_proto", 132, None), ("sctp_dst", 9, None)], "sctp,tp_dst=9"),
    ([("eth_type", 0x800, None), ("nw_proto", 1, None), ("icmp_type", 3, None),
      ("icmp_code", 4, None)], "icmp,icmp_type=3,icmp_code=4"),
    ([("eth_type", 0x800, None), ("nw_ttl", 1, None), ("ip_frag", 1, 1)], "ip,nw_ttl=1,nw_frag=yes"),
    ([("eth_type", 0x806, None), ("arp_op", 1, None), ("arp_tpa", ip("10.0.0.1"), None),
      ("arp_sha", 1, None)], "arp,arp_tpa=10.0.0.1,arp_op=1,arp_sha=00:00:00:00:00:01"),
    ([("eth_type", 0x86dd, None), ("nw_proto", 58, None), ("icmpv6_type", 135, None),
      ("nd_target", ip("fe80::1"), None), ("nd_sll", 3, None)],
     "icmp6,icmp_type=135,nd_target=fe80::1,nd_sll=00:00:00:00:00:03"),
    ([("eth_type", 0x86dd, None), ("ipv6_src", ip("fd00::"), (2**128 - 1) ^ (2**64 - 1))],
     "ipv6,ipv6_src=fd00::/64"),
]


@pytest.mark.parametrize("match,text", MATCHES, ids=[m[1][:40] for m in MATCHES])
def test_match_roundtrip_and_ovs_decodes_it(match, text):
    fm = W.FlowMod(table=3, priority=7, cookie=0xabc, match=match)
    back = roundtrip(fm)
    assert back.match == codec.fields.ordered(match)
    out = ofp_print(fm)
    assert text in out


def test_prerequisites_are_put_first():
    fm = W.FlowMod(match=[("arp_op", 1, None), ("eth_type", 0x806, None)])
    assert [n for n, _v, _m in fm.match] == ["eth_type", "arp_op"]
    assert "arp,arp_op=1" in ofp_print(fm)


MESSAGES = [
    (W.Hello(), "version bitmap: 0x06"),
    (W.EchoRequest(b"ping"), "OFPT_ECHO_REQUEST"),
    (W.EchoReply(b"ping"), "OFPT_ECHO_REPLY"),
    (W.FeaturesRequest(), "OFPT_FEATURES_REQUEST"),
    (W.FeaturesReply(5, 0, 254, 0x4f), "dpid:0000000000000005"),
    (W.SetConfig(0, 0xffff), "miss_send_len=65535"),
    (W.BarrierRequest(), "OFPT_BARRIER_REQUEST"),
    (W.BarrierReply(), "OFPT_BARRIER_REPLY"),
    (W.FlowMod(command=W.OFPFC_MODIFY_STRICT, table=4, priority=9, match=[("reg14", 1, None)],
               actions=[Act("output", port=1)]), "MOD_STRICT table:4 priority=9,reg14=0x1 actions=output:1"),
    (W.FlowMod(command=W.OFPFC_DELETE_STRICT, table=4, priority=9, match=[("reg14", 1, None)]),
     "DEL_STRICT table:4 priority=9,reg14=0x1"),
    (W.FlowMod(command=W.OFPFC_DELETE, table=W.OFPTT_ALL), "DEL"),
    (W.GroupMod(W.OFPGC_ADD, W.OFPGT_SELECT, 1, [W.Bucket([Act("output", port=1)], weight=100),
                                                W.Bucket([Act("output", port=2)])],
                selection_method="hash", fields=["ip_src", "ip_dst"]),
     "ADD group_id=1,type=select,selection_method=hash,fields(ip_src,ip_dst),"
     "bucket=bucket_id:0,weight:100,actions=output:1,bucket=bucket_id:1,weight:100,actions=output:2"),
    (W.GroupMod(W.OFPGC_ADD, W.OFPGT_SELECT, 3, [W.Bucket([Act("output", port=1)])],
                selection_method="dp_hash", selection_method_param=1 << 32),
     "selection_method=dp_hash,selection_method_param=4294967296"),
    (W.GroupMod(W.OFPGC_MODIFY, W.OFPGT_FF, 2, [W.Bucket([Act("output", port=1)], watch_port=1)]),
     "MOD group_id=2,type=ff,bucket=bucket_id:0,watch_port:1,actions=output:1"),
    (W.GroupMod(W.OFPGC_DELETE, W.OFPGT_ALL, 2), "DEL group_id=2"),
    (W.MeterMod(W.OFPMC_ADD, W.OFPMF_PKTPS | W.OFPMF_BURST, 1, [W.Band(W.OFPMBT_DROP, 10, 20)]),
     "ADD meter=1 pktps burst bands=\ntype=drop rate=10 burst_size=20"),
    (W.MeterMod(W.OFPMC_DELETE, 0, 1), "DEL meter=1"),
    (W.BundleControl(1, W.OFPBCT_OPEN_REQUEST, W.OFPBF_ATOMIC), "type=OPEN_REQUEST flags=atomic"),
    (W.BundleControl(1, W.OFPBCT_COMMIT_REPLY, W.OFPBF_ATOMIC | W.OFPBF_ORDERED),
     "type=COMMIT_REPLY flags=atomic ordered"),
    (W.BundleAdd(1, W.FlowMod(table=1, actions=[Act("output", port=1)]), W.OFPBF_ATOMIC),
     "ADD table:1 actions=output:1"),
    (W.PacketOut(b"\xff" * 14, [Act("resubmit", table=0)], in_port=5,
                 match=[("reg14", 3, None), ("metadata", 1, None)]),
     "in_port=5 actions=resubmit(,0) data_len=14"),
    (W.PacketIn2(b"\xff" * 14, 14, None, 3, 5, 1,
                 [("reg14", 3, None), ("metadata", 1, None)], b"\x00\x01"),
     "table_id=3 cookie=0x5 total_len=14 reg14=0x3,metadata=0x1 (via action)"),
    (W.SetPacketInFormat(), "format=nxt_packet_in2"),
    (W.TlvTableMod(W.NXTTMC_ADD, [W.TlvMapping(0x102, 0x80, 4, 0)]), "0x102  0x80       4  tun_metadata0"),
    (W.TlvTableMod(W.NXTTMC_CLEAR, []), "CLEAR"),
    (W.TlvTableRequest(), "NXT_TLV_TABLE_REQUEST"),
    (W.TlvTableReply(256, 64, [W.TlvMapping(0x102, 0x80, 4, 0)]), "max option space=256 max fields=64"),
    (W.FlowStatsRequest(table=8, match=[("reg14", 1, None)]), "table=8 reg14=0x1"),
    (W.GroupDescRequest(), "OFPST_GROUP_DESC request"),
    (W.MeterConfigRequest(), "OFPST_METER_CONFIG request"),
    (W.Error(2, 4, W.FlowMod().encode(9)), "OFPBAC_BAD_OUT_PORT"),
    (W.CtFlushZone(5), "NXT_CT_FLUSH_ZONE (OF1.5) (xid=0x42): zone_id=5"),
]


@pytest.mark.parametrize("msg,text", MESSAGES, ids=[type(m[0]).__name__ + str(i) for i, m in enumerate(MESSAGES)])
def test_message_roundtrip_and_ovs_decodes_it(msg, text):
    roundtrip(msg)
    assert text in ofp_print(msg)


def test_multipart_replies_roundtrip():
    fs = W.FlowStats(8, 100, [("reg14", 1, None)], [Act("resubmit", table=9)], cookie=5,
                     packet_count=3, byte_count=180, duration=10)
    roundtrip(W.FlowStatsReply([fs, W.FlowStats(0, 0)], flags=W.OFPMPF_MORE))
    g = W.GroupMod(W.OFPGC_ADD, W.OFPGT_ALL, 4, [W.Bucket([Act("output", port=1)])])
    roundtrip(W.GroupDescReply([g]))
    m = W.MeterMod(W.OFPMC_ADD, W.OFPMF_KBPS, 2, [W.Band(W.OFPMBT_DROP, 1000, 0)])
    roundtrip(W.MeterConfigReply([m]))


def test_one_undecodable_flow_does_not_hide_the_others():
    good = W.FlowStats(8, 100, [("reg14", 1, None)], [Act("resubmit", table=9)])
    bad = bytearray(good.encode(codec.fields.DEFAULT_CONTEXT))
    bad[-8:-6] = b"\x7f\x7f"       # an unknown action subtype
    body = struct.pack("!HH4x", W.OFPMP_FLOW_DESC, 0) + bytes(bad) + \
        good.encode(codec.fields.DEFAULT_CONTEXT)
    reply = codec.decode(struct.pack("!BBHI", 6, W.OFPT_MULTIPART_REPLY, 8 + len(body), 1) + body)
    assert isinstance(reply.flows[0], W.UndecodableFlow) and reply.flows[1] == good
    assert "unknown Nicira action subtype" in reply.flows[0].error
    with pytest.raises(codec.CodecError, match="undecodable flow in table 8"):
        MW.flow_from_stats(reply.flows[0])


def test_dec_ttl_with_controller_ids():
    fm = W.FlowMod(match=[("eth_type", 0x800, None)], actions=[Act("dec_ttl", ids=(1, 2))])
    roundtrip(fm)
    assert "dec_ttl(1,2)" in ofp_print(fm)
    fm = W.FlowMod(match=[("eth_type", 0x800, None)], actions=[Act("dec_ttl", ids=())])
    roundtrip(fm)
    assert "actions=dec_ttl()" in ofp_print(fm)
    assert MW.actions_from_wire(codec.decode(fm.encode(1)).actions) == (M.DecTtl(ids=()),)


def test_resume_carries_continuation_back():
    pin = W.PacketIn2(b"\x01" * 20, table_id=9, cookie=7, reason=1,
                      metadata=[("reg14", 2, None)], userdata=b"\x00\x01",
                      continuation=b"\x00\x00\x00\x08abcd")
    pin = codec.decode(pin.encode(3))
    res = pin.resume(packet=b"\x02" * 20)
    back = roundtrip(res)
    assert isinstance(back, W.Resume)
    assert back.continuation == pin.continuation and back.packet == b"\x02" * 20
    assert pin.field("reg14") == 2
    with pytest.raises(codec.CodecError, match="no continuation"):
        W.PacketIn2(b"x").resume()


def test_error_is_readable():
    err = codec.decode(W.Error(5, 2, W.FlowMod(table=3).encode(77)).encode(77))
    assert err.text() == "OFPET_FLOW_MOD_FAILED.BAD_TABLE_ID in reply to FlowMod (type 14, xid 0x4d)"
    exp = codec.decode(W.Error(0xffff, 3, b"", experimenter=0x2320).encode(1))
    assert "experimenter=0x2320" in exp.text()


@pytest.mark.parametrize("data,what", [
    (b"\x06\x0e\x00", "truncated OpenFlow header"),
    (b"\x06\x0e\x00\x10\x00\x00\x00\x01", "length field"),
    (W.FlowMod(match=[("reg0", 1, None)]).encode(1)[:50] + b"\x00\x40"
     + W.FlowMod(match=[("reg0", 1, None)]).encode(1)[52:], "ofp_match length 64"),
    (b"\x06\x0e\x00\x0c\x00\x00\x00\x01abcd", "truncated"),
    (W.FlowMod(actions=[Act("output", port=1)]).encode(1)[:-16] + b"\x00\x00\x00\x03" + b"\0" * 12, "bad length"),
])
def test_malformed_input_is_a_clear_codec_error(data, what):
    with pytest.raises(codec.CodecError, match=what):
        codec.decode(data)


def test_encoding_errors_name_the_problem():
    with pytest.raises(codec.CodecError, match="unknown field"):
        W.FlowMod(match=[("no_such_field", 1, None)]).encode(1)
    with pytest.raises(codec.CodecError, match="does not fit"):
        W.FlowMod(match=[("reg0", 1 << 40, None)]).encode(1)
    with pytest.raises(codec.CodecError, match="cannot be masked"):
        W.FlowMod(match=[("ct_zone", 1, 1)]).encode(1)
    with pytest.raises(codec.CodecError, match="out of range"):
        W.FlowMod(actions=[Act("copy_field", src="reg0", src_ofs=20, dst="reg1",
                               dst_ofs=0, n_bits=16)]).encode(1)
    with pytest.raises(codec.CodecError, match="bad clause"):
        W.FlowMod(actions=[Act("conjunction", id=1, clause=3, n_clauses=2)]).encode(1)


# --- model <-> wire ---------------------------------------------------------

MODEL_ACTIONS = [
    M.Output(3), M.Output(0xfffd), M.Resubmit(table=9), M.Resubmit(port=4, table=2),
    M.SetField("reg15", 4), M.SetField("ct_label", 1, 1),
    M.Move(M.Subfield("reg14", 0, 15), M.Subfield("tun_metadata0", 16, 15)),
    M.PushVlan(), M.PopVlan(), M.DecTtl(), M.DecTtl(ids=()), M.DecTtl(ids=(0, 3)),
    M.Ct(commit=True, zone=M.Subfield("reg13", 0, 16), table=8,
         nat=M.Nat("src", "10.0.0.1", "10.0.0.9", 1000, 2000, ("random",)),
         exec_=(M.SetField("ct_mark", 2, 2),)),
    M.Ct(zone=7, alg="ftp"), M.Ct(nat=M.Nat()),
    M.CtClear(), M.Conjunction(5, 1, 2),
    M.Controller(userdata=b"\x00\x00\x00\x17", pause=True, meter_id=3),
    M.Learn(66, (M.LearnSpec("match", dst=M.Subfield("reg14", 0, 16), src=M.Subfield("reg14", 0, 16)),
                 M.LearnSpec("load", dst=M.Subfield("eth_dst"), value=0x0a0000000001)),
            priority=50, cookie=3, delete_learned=True),
    M.Group(3), M.Meter(4), M.Clone((M.SetField("reg0", 1), M.Resubmit(table=5))),
    M.CheckPktLarger(1500, M.Subfield("reg0", 1, 1)), M.Note(b"abcdef"),
    M.SetQueue(5), M.Sample(100, 1, 2, 3), M.Sample(100, 1, 2, 3, 4), M.Exit(),
    M.Push(M.Subfield("reg14")), M.Pop(M.Subfield("reg14", 0, 16)),
    M.Output(M.Subfield("reg15", 0, 16)),
]


@pytest.mark.parametrize("action", MODEL_ACTIONS, ids=[str(a)[:40] for a in MODEL_ACTIONS])
def test_model_actions_survive_the_wire(action):
    wire = MW.actions_to_wire([action])
    fm = W.FlowMod(actions=wire)
    back = codec.decode(fm.encode(1))
    assert MW.actions_from_wire(back.actions) == (action,)


def test_model_load_becomes_a_masked_set_field():
    wire = MW.actions_to_wire([M.Load(1, M.Subfield("reg10", 3, 1))])
    back = codec.decode(W.FlowMod(actions=wire).encode(1))
    assert MW.actions_from_wire(back.actions) == (M.SetField("reg10", 8, 8),)


def test_model_flow_group_meter_to_messages():
    f = M.Flow(8, 100, M.Match.of(reg14=1, metadata=2), (M.Resubmit(table=9),), cookie=0x12)
    out = ofp_print(MW.flow_mod(f))
    assert "ADD table:8 priority=100,reg14=0x1,metadata=0x2 cookie:0x12 actions=resubmit(,9)" in out
    back = codec.decode(MW.flow_mod(f).encode(1))
    assert M.Flow(back.table, back.priority, MW.match_from_wire(back.match),
                  MW.actions_from_wire(back.actions), back.cookie) == f
    g = M.GroupMod(1, "select", (M.Bucket((M.Output(1),), weight=50),), "dp_hash")
    assert "type=select,selection_method=dp_hash,bucket=bucket_id:0,weight:50,actions=output:1" \
        in ofp_print(MW.group_mod(g))
    assert MW.group_from_wire(codec.decode(MW.group_mod(g).encode(1))) == \
        M.GroupMod(1, "select", (M.Bucket((M.Output(1),), bucket_id=0, weight=50),), "dp_hash")
    m = M.MeterMod(3, "pktps", burst=True, bands=(M.MeterBand("drop", 10, 5),))
    assert "ADD meter=3 pktps burst" in ofp_print(MW.meter_mod(m))
    assert MW.meter_from_wire(codec.decode(MW.meter_mod(m).encode(1))) == m
    with pytest.raises(codec.CodecError, match="limit"):
        MW.actions_to_wire([M.Learn(1, limit=5)])


# --- fuzzing: whatever arrives, decode() returns a message or raises
# CodecError; nothing else escapes. ----------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_SAMPLES = [m.encode(5) for m, _t in MESSAGES] + [
    W.FlowMod(table=1, match=p, actions=[a]).encode(5) for a, _t, p in ACTIONS]


def _decode_or_codec_error(data):
    try:
        codec.decode(data)
    except codec.CodecError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_SAMPLES), st.data())
def test_fuzz_mutated_messages(sample, data):
    buf = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(buf) - 1))
        buf[i] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(8, len(buf)))
    buf = buf[:cut]
    buf[2:4] = len(buf).to_bytes(2, "big")
    _decode_or_codec_error(bytes(buf))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.binary(max_size=120))
def test_fuzz_random_bodies(mtype, body):
    data = bytes([6, mtype]) + (8 + len(body)).to_bytes(2, "big") + b"\0\0\0\1" + body
    _decode_or_codec_error(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["reg0", "reg3", "reg14", "reg15", "metadata", "xreg4",
                                 "xxreg1", "eth_src", "ip_src", "ct_state", "ct_label",
                                 "vlan_vid", "vlan_pcp", "tcp_dst", "in_port", "pkt_mark",
                                 "tun_id", "ct_zone"]), max_size=6),
       st.data())
def test_fast_match_from_wire_equals_match_of(names, data):
    fields = []
    for n in names:
        width = {"xreg4": 64, "xxreg1": 128}.get(n) or M.field_info(n).width
        v = data.draw(st.integers(0, (1 << width) - 1))
        maskable = M.field_info(n).maskable
        m = data.draw(st.one_of(st.none(), st.integers(0, (1 << width) - 1))) if maskable else None
        fields.append((n, v, m))
    try:
        slow = M.Match.of(*[(("vlan_tci", v & 0x1fff, 0x1fff if m is None else m & 0x1fff)
                              if n == "vlan_vid" else
                              ("vlan_tci", (v & 7) << 13, 0xe000) if n == "vlan_pcp"
                              else (n, v, m)) for n, v, m in fields])
    except M.ModelError:
        with pytest.raises(M.ModelError):
            MW.match_from_wire(fields)
        return
    assert MW.match_from_wire(fields) == slow
