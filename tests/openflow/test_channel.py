"""The OpenFlow channel against a real ovs-vswitchd (dummy datapath)."""

import pytest

from pyovn.openflow import model as M
from pyovn.openflow.channel import Channel, ChannelError
from pyovn.openflow.codec import messages as W
from pyovn.openflow.codec import model_wire as MW
from pyovn.openflow.testing import normalize_flow

IP = M.Match.of(eth_type=0x0800)
IP6 = M.Match.of(eth_type=0x86dd)
REG = M.Subfield


def mf(table, match, *actions, priority=100, cookie=0):
    return M.Flow(table, priority, match, tuple(actions), cookie)


# One flow per action kind (and a variety of match fields).
FLOWS = [
    mf(0, M.Match.of(in_port=1), M.SetField("reg14", 1), M.SetField("metadata", 5),
       M.Resubmit(table=8), cookie=0xabc),
    mf(0, M.Match.of(in_port=2, vlan_tci=(0x1005, 0x1fff)), M.PopVlan(),
       M.Resubmit(port=1, table=8)),
    mf(8, M.Match.of(reg14=1, metadata=5, eth_src=0x505400000001), M.Output(2)),
    mf(8, M.Match.of(reg14=1, metadata=5, eth_src=(0x010000000000, 0x010000000000)),
       M.PushVlan(), M.SetField("vlan_vid", 0x1007), M.Output(1)),
    mf(9, IP.with_field("ip_src", 0x0a000000, 0xffffff00), M.DecTtl(),
       M.SetField("eth_dst", 0x0a0000000002), M.Load(1, REG("reg10", 3, 1)),
       M.Move(REG("reg14", 0, 15), REG("tun_metadata0", 16, 15))),
    mf(10, IP, M.Ct(zone=REG("reg13", 0, 16), table=11)),
    mf(10, IP6, M.Ct(commit=True, zone=5, exec_=(M.SetField("ct_mark", 2, 2),
                                                 M.SetField("ct_label", 1 << 96, 1 << 96)))),
    mf(11, IP.with_field("ct_state", 0x21, 0x21),
       M.Ct(commit=True, zone=REG("reg11", 0, 16),
            nat=M.Nat("src", "172.16.0.1", "172.16.0.9", 1000, 2000, ("random",)))),
    mf(11, IP.with_field("ct_state", 0x22, 0x22), M.Ct(nat=M.Nat(), table=12,
                                                       zone=REG("reg12", 0, 16))),
    mf(12, M.Match.of(ct_mark=(1, 1), ct_label=(2, 2)), M.CtClear(), M.Resubmit(table=13)),
    mf(13, M.Match.of(reg0=3), M.Conjunction(7, 1, 2)),
    mf(13, M.Match.of(reg1=4), M.Conjunction(7, 2, 2)),
    mf(13, M.Match.of(conj_id=7), M.Resubmit(table=14)),
    mf(14, M.Match.of(reg15=9), M.Controller(userdata=b"\x00\x00\x00\x01\x02", pause=True,
                                              meter_id=1)),
    mf(14, M.Match.of(reg15=10), M.Controller(userdata=b"\x00\x00\x00\x0b", max_len=128)),
    mf(15, M.Match.of(reg14=3), M.Learn(66, (
        M.LearnSpec("match", dst=REG("reg14", 0, 16), src=REG("reg14", 0, 16)),
        M.LearnSpec("match", dst=REG("eth_type"), value=0x800),
        M.LearnSpec("load", dst=REG("eth_dst"), src=REG("eth_src")),
        M.LearnSpec("load", dst=REG("reg10", 6, 1), value=1)), priority=50, cookie=5,
        hard_timeout=30)),
    mf(16, M.Match.of(reg15=1), M.Group(1)),
    mf(16, M.Match.of(reg15=2), M.Meter(1), M.Output(1)),
    mf(17, M.Match.of(), M.Clone((M.SetField("reg0", 1), M.Resubmit(table=18))),
       M.CheckPktLarger(1500, REG("reg0", 4, 1)), priority=0),
    mf(18, M.Match.of(pkt_mark=7), M.Note(b"pyovn!"), M.SetQueue(3), M.Output(1)),
    mf(18, M.Match.of(tun_id=0x10), M.Sample(65535, 1, 2, 3), M.Exit()),
    mf(19, M.Match.of(tun_metadata0=(0x10002, 0x7fffffff), tun_id=5), M.Output(0xfff8)),
    mf(19, IP.with_field("nw_proto", 6).with_field("tcp_dst", 80).with_field("ip_frag", 0, 1),
       M.Output(0xfffd)),
    mf(20, IP6.with_field("nw_proto", 58).with_field("icmpv6_type", 135)
       .with_field("nd_target", 1), M.Resubmit(table=21)),
    mf(20, M.Match.of(eth_type=0x806, arp_op=1, arp_tpa=0x0a000001), M.Resubmit(table=21)),
    mf(21, M.Match.of(xxreg0=(1 << 96, 1 << 96)), M.Resubmit(table=22)),
    mf(22, M.Match.of(reg3=1), M.Push(REG("reg14")), M.Pop(REG("reg15")),
       M.Output(REG("reg15", 0, 16))),
]
GROUP = M.GroupMod(1, "select", (M.Bucket((M.Output(1),), weight=100),
                                 M.Bucket((M.Output(2),), weight=100)))
METER = M.MeterMod(1, "pktps", bands=(M.MeterBand("drop", 100),))


def connect(sw, **kw):
    ch = Channel("unix:" + sw.mgmt("br-int"), **kw)
    ch.wait_connected()
    return ch


def map_geneve(ch):
    ch.send(W.TlvTableMod(W.NXTTMC_ADD, [W.TlvMapping(0x102, 0x80, 4, 0)]))
    ch.barrier()


def bundle(ch, msgs, bid=1):
    """Sends MSGS as one atomic bundle; returns the errors received."""
    errors = []
    flags = W.OFPBF_ATOMIC | W.OFPBF_ORDERED
    ch.request(W.BundleControl(bid, W.OFPBCT_OPEN_REQUEST, flags))
    for m in msgs:
        ch.send(W.BundleAdd(bid, m, flags),
                lambda r: errors.append(r) if isinstance(r, W.Error) else None)
    try:
        reply = ch.request(W.BundleControl(bid, W.OFPBCT_COMMIT_REQUEST, flags))
        assert reply.type == W.OFPBCT_COMMIT_REPLY
    except ChannelError as e:
        errors.append(str(e))
    ch.barrier()
    return errors


def test_every_action_kind_installs_as_ovs_ofctl_would(br_int):
    sw = br_int
    ch = connect(sw)
    map_geneve(ch)
    ch.send(MW.meter_mod(METER))
    ch.send(MW.group_mod(GROUP))
    assert bundle(ch, [MW.flow_mod(f) for f in FLOWS]) == []

    # The same flows through ovs-ofctl's own parser, on a reference bridge.
    sw.add_bridge("br-ref")
    try:
        sw.ofctl("add-tlv-map", "br-ref", "{class=0x102,type=0x80,len=4}->tun_metadata0")
        sw.ofctl("add-meter", "br-ref", str(METER))
        sw.ofctl("add-group", "br-ref", str(GROUP))
        for f in FLOWS:
            sw.ofctl("add-flow", "br-ref", f.to_ofctl())
        assert sw.dump_flows("br-int") == sw.dump_flows("br-ref")
        assert len(sw.dump_flows("br-int")) == len(FLOWS)
        assert sw.dump_groups("br-int") == sw.dump_groups("br-ref")
    finally:
        sw.del_bridge("br-ref")
    ch.close()


def test_flow_stats_read_back_the_model_flows(br_int):
    ch = connect(br_int)
    map_geneve(ch)
    ch.send(MW.meter_mod(METER))
    ch.send(MW.group_mod(GROUP))
    assert bundle(ch, [MW.flow_mod(f) for f in FLOWS]) == []
    back = {MW.flow_from_stats(fs) for fs in ch.dump_flows()}
    # Loads come back as the masked set_field OpenFlow 1.5 carries.
    want = {MW.normal_flow(f) for f in FLOWS}
    assert any(f not in back for f in FLOWS)     # a load did change form
    assert back == want
    assert [MW.group_from_wire(g) for g in ch.dump_groups()] == [MW.normal_group(GROUP)]
    assert [MW.meter_from_wire(m) for m in ch.dump_meters()] == [METER]
    ch.close()


def test_a_failing_bundle_is_rolled_back_as_a_whole(br_int):
    sw = br_int
    ch = connect(sw)
    good = mf(0, M.Match.of(in_port=1), M.Output(2))
    assert bundle(ch, [MW.flow_mod(good)]) == []
    before = sw.dump_flows()
    new = mf(0, M.Match.of(in_port=2), M.Output(1))
    bad = mf(1, M.Match.of(reg0=1), M.Group(4242))      # no such group
    errors = bundle(ch, [MW.flow_mod(good, W.OFPFC_DELETE_STRICT), MW.flow_mod(new),
                         MW.flow_mod(bad)], bid=2)
    texts = [e.text() if isinstance(e, W.Error) else e for e in errors]
    assert any("BAD_OUT_GROUP" in t or "OFPET_BAD_ACTION" in t for t in texts), texts
    assert any("BUNDLE_FAILED" in t or "MSG_FAILED" in t for t in texts), texts
    assert sw.dump_flows() == before
    ch.close()


def test_errors_are_reported_readably(br_int):
    ch = connect(br_int)
    with pytest.raises(ChannelError, match="OFPET_FLOW_MOD_FAILED.BAD_TABLE_ID"):
        ch.request(W.FlowMod(table=255, actions=[]))   # 255 = all tables: not for add
    # The connection is still usable.
    ch.barrier()
    ch.close()


def udp_packet(src_mac="505400000001", dst_mac="505400000002"):
    ip = bytes.fromhex("4500001c0001000040110000" "0a000001" "0a000002")
    udp = bytes.fromhex("0035003500080000")
    return bytes.fromhex(dst_mac + src_mac + "0800") + ip + udp


def test_packet_in_with_pause_is_resumed(br_int):
    sw = br_int
    pins = []
    ch = connect(sw, on_packet_in=pins.append,
                 on_connect=lambda c: (c.send(W.SetConfig(0, 0xffff)),
                                       c.send(W.SetPacketInFormat())))
    ch.wait_connected()
    flows = [
        mf(0, M.Match.of(in_port=1), M.SetField("reg14", 7),
           M.Controller(userdata=b"\x00\x00\x00\x2a", pause=True),
           M.SetField("reg15", 3), M.Resubmit(table=1)),
        mf(1, M.Match.of(reg14=7, reg15=3), M.Output(2)),
    ]
    assert bundle(ch, [MW.flow_mod(f) for f in flows]) == []
    sw.receive("p1", udp_packet().hex())
    ch.run_until(lambda: pins, 10, "packet-in")
    pin = pins[0]
    assert pin.userdata == b"\x00\x00\x00\x2a"
    assert pin.continuation is not None
    assert pin.field("reg14") == 7 and pin.table_id == 0
    assert pin.packet[:12] == udp_packet()[:12]

    def table1_packets():
        return [line for line in sw.ofctl("dump-flows", "br-int", "table=1").splitlines()
                if "n_packets=1" in line]
    assert not table1_packets()          # paused: not yet further
    ch.send(pin.resume())
    ch.barrier()
    ch.run_until(table1_packets, 10, "resumed packet to reach table 1")
    ch.close()


def test_reconnect_keeps_flows_and_channel_recovers(br_int):
    sw = br_int
    ch = connect(sw)
    f = mf(0, M.Match.of(in_port=1), M.Output(2))
    ch.send(MW.flow_mod(f))
    ch.barrier()
    seq = ch.connection_seqno
    ch.force_reconnect()
    assert not ch.is_connected()
    assert sw.dump_flows() == [normalize_flow(str(f))]
    ch.wait_connected(15)
    assert ch.connection_seqno > seq
    assert [MW.flow_from_stats(x) for x in ch.dump_flows()] == [f]
    ch.close()


def test_switch_restart_is_survived(br_int):
    sw = br_int
    ch = connect(sw, max_backoff_ms=500)
    sw.stop_vswitchd()
    with pytest.raises(ChannelError):
        ch.request(W.BarrierRequest(), timeout=2)
    sw.start_vswitchd()
    ch.wait_connected(20)
    ch.barrier()
    ch.close()


def test_packet_out_runs_the_pipeline_with_its_metadata(br_int):
    sw = br_int
    ch = connect(sw)
    flows = [mf(0, M.Match.of(reg14=5, metadata=9), M.Output(2)),
             mf(0, M.Match.of(), M.Controller(), priority=0)]
    assert bundle(ch, [MW.flow_mod(f) for f in flows]) == []
    ch.send(W.PacketOut(udp_packet(), MW.actions_to_wire([M.Resubmit(table=0)]),
                        match=[("reg14", 5, None), ("metadata", 9, None)]))
    ch.barrier()

    def counted():
        out = sw.ofctl("dump-flows", "br-int", "reg14=5")
        return "n_packets=1" in out
    ch.run_until(counted, 10, "packet-out to hit the reg14=5 flow")
    ch.close()


def test_many_flows_in_one_bundle(br_int):
    sw = br_int
    ch = connect(sw)
    flows = [mf(30 + i % 10, M.Match.of(reg14=i, metadata=i % 7), M.SetField("reg15", i),
                M.Resubmit(table=50)) for i in range(5000)]
    assert bundle(ch, [MW.flow_mod(f) for f in flows]) == []
    assert len(ch.dump_flows()) == 5000
    ch.close()


# Flows written the way ovs-ofctl users (and C ovn-controller dumps) write
# them: what OVS encodes for these must decode into the model and encode
# back to the very same flows.
OFCTL_FLOWS = """\
table=0,priority=100,in_port=1 actions=load:0x1->NXM_NX_REG13[],load:0x2->NXM_NX_REG11[],load:0x3->OXM_OF_METADATA[],load:0x1->NXM_NX_REG14[],resubmit(,8)
table=0,priority=150,in_port=2,dl_vlan=5 actions=strip_vlan,load:0x2->NXM_NX_REG14[],resubmit(,8)
table=8,priority=50,reg14=0x1,metadata=0x3,dl_src=50:54:00:00:00:01 actions=resubmit(,9)
table=8,priority=100,metadata=0x3,vlan_tci=0x1000/0x1000 actions=drop
table=9,priority=90,ip,metadata=0x3,nw_src=10.0.0.0/24 actions=move:NXM_NX_REG14[0..14]->NXM_NX_TUN_METADATA0[16..30],mod_dl_dst:0a:00:00:00:00:01,dec_ttl,resubmit(,10)
table=10,priority=100,ct_state=-trk,ip,metadata=0x3 actions=ct(table=11,zone=NXM_NX_REG13[0..15])
table=11,priority=100,ct_state=+new+trk,ip,metadata=0x3 actions=ct(commit,zone=NXM_NX_REG13[0..15],exec(load:0x1->NXM_NX_CT_MARK[1],load:0x5->NXM_NX_CT_LABEL[96..127]))
table=11,priority=100,ct_state=+new+trk,tcp,metadata=0x3,nw_dst=172.16.0.10,tp_dst=80 actions=ct(commit,table=12,zone=NXM_NX_REG11[0..15],nat(dst=10.0.0.5:8080))
table=12,priority=100,ct_state=+est+trk,ip,metadata=0x3 actions=ct(table=13,zone=NXM_NX_REG12[0..15],nat)
table=12,priority=90,ip,metadata=0x3 actions=ct(commit,zone=NXM_NX_REG12[0..15],nat(src=172.16.0.1-172.16.0.9:1000-2000,random))
table=13,priority=100,ip,reg0=0x1/0x1,metadata=0x3 actions=conjunction(100,1/2)
table=13,priority=100,ip,reg1=0x2,metadata=0x3 actions=conjunction(100,2/2)
table=13,priority=100,conj_id=100,ip,metadata=0x3 actions=load:0x1->NXM_NX_XXREG0[97],resubmit(,14)
table=14,priority=100,arp,metadata=0x3,arp_op=1 actions=controller(userdata=00.00.00.00.00.00.00.00.00.19.00.10.80.00.2a.16.00.00.00.00.00.00.00.00.00.04.00.00.00.01.ff.ff,pause,meter_id=1)
table=14,priority=90,udp,metadata=0x3,tp_src=68,tp_dst=67 actions=controller(userdata=00.00.00.02.00.00.00.00.00.01.de.10.00.00.00.63.0a.00.00.01,pause)
table=15,priority=100,ip,metadata=0x3 actions=check_pkt_larger(1500)->NXM_NX_REG9[1],resubmit(,16)
table=16,priority=100,reg15=0x8000,metadata=0x3 actions=clone(load:0x1->NXM_NX_REG15[],resubmit(,41)),load:0x2->NXM_NX_REG15[],resubmit(,41)
table=16,priority=50,reg15=0x1,metadata=0x3 actions=group:1
table=17,priority=100,ip,metadata=0x3 actions=learn(table=78,idle_timeout=60,delete_learned,cookie=0xf8cb4ef1,OXM_OF_METADATA[],eth_type=0x800,NXM_OF_IP_SRC[],ip_dst=172.16.0.10,nw_proto=6,tcp_dst=80,load:0x1->NXM_NX_REG10[14],load:0xa000005->NXM_NX_REG4[],load:0x1f90->NXM_NX_REG8[0..15])
table=37,priority=150,reg10=0x2/0x2,metadata=0x3 actions=resubmit(,38)
table=39,priority=100,reg15=0x2,metadata=0x3 actions=load:0x3->NXM_NX_TUN_ID[0..23],set_field:0x20000/0xffff0000->tun_metadata0,move:NXM_NX_REG14[0..14]->NXM_NX_TUN_METADATA0[16..30],output:1
table=40,priority=100,reg15=0x1,metadata=0x3 actions=load:0x1->NXM_NX_REG13[],resubmit(,41)
table=41,priority=100,reg10=0/0x1,reg14=0x1,reg15=0x1,metadata=0x3 actions=drop
table=42,priority=100,ipv6,metadata=0x3,ipv6_src=fe80::/64 actions=ct_clear,resubmit(,43)
table=43,priority=100,icmp6,metadata=0x3,nw_ttl=255,icmp_type=135,icmp_code=0 actions=push:NXM_NX_REG14[],push:NXM_NX_REG15[],pop:NXM_NX_REG15[],pop:NXM_NX_REG14[],resubmit(,44)
table=65,priority=100,reg15=0x1,metadata=0x3 actions=output:2
table=65,priority=100,reg15=0x3,metadata=0x3 actions=mod_vlan_vid:5,output:1,strip_vlan
table=66,priority=100,reg0=0xa000001,reg15=0x2,metadata=0x3 actions=mod_dl_dst:50:54:00:00:00:02,load:0x1->NXM_NX_REG10[6]
table=70,priority=100,ip,ct_mark=0x2/0x2 actions=ct(commit,zone=NXM_NX_REG12[0..15],nat(src=172.16.0.1))
table=71,priority=100,metadata=0x3,dl_dst=50:54:00:00:00:03 actions=load:0x3->NXM_NX_REG15[],note:00.01.02,sample(probability=65535,collector_set_id=1,obs_domain_id=2,obs_point_id=3),output:NXM_NX_REG15[0..15]
"""


def test_flows_added_by_ovs_ofctl_decode_and_reencode_identically(br_int):
    sw = br_int
    ch = connect(sw)
    sw.ofctl("add-tlv-map", "br-int", "{class=0x102,type=0x80,len=4}->tun_metadata0")
    sw.ofctl("add-meter", "br-int", "meter=1,pktps,bands=type=drop,rate=100")
    sw.ofctl("add-group", "br-int", "group_id=1,type=all,bucket=output:1")
    for line in OFCTL_FLOWS.splitlines():
        sw.ofctl("add-flow", "br-int", line)
    decoded = [MW.flow_from_stats(fs) for fs in ch.dump_flows()]
    assert len(decoded) == len(OFCTL_FLOWS.splitlines())
    sw.add_bridge("br-ref")
    try:
        sw.ofctl("add-tlv-map", "br-ref", "{class=0x102,type=0x80,len=4}->tun_metadata0")
        sw.ofctl("add-meter", "br-ref", "meter=1,pktps,bands=type=drop,rate=100")
        sw.ofctl("add-group", "br-ref", "group_id=1,type=all,bucket=output:1")
        ref = Channel("unix:" + sw.mgmt("br-ref"))
        ref.wait_connected()
        assert bundle(ref, [MW.flow_mod(f) for f in decoded]) == []
        assert sw.dump_flows("br-ref") == sw.dump_flows("br-int")
        ref.close()
    finally:
        sw.del_bridge("br-ref")
    ch.close()


def test_idle_connection_is_probed_and_kept(br_int):
    ch = connect(br_int, probe_interval_ms=1000)
    seq = ch.connection_seqno
    ch.run_until(lambda: ch.stats["EchoRequest"] >= 2, 15, "two inactivity probes")
    assert ch.is_connected() and ch.connection_seqno == seq
    ch.close()


def test_ct_flush_zone_is_accepted(br_int):
    ch = connect(br_int)
    errors = []
    ch.send(W.CtFlushZone(5), errors.append)
    ch.barrier()
    assert errors == []
    with pytest.raises(ChannelError, match="Error|OFPET"):
        ch.request(W.FlowMod(command=W.OFPFC_ADD, table=0,
                             actions=MW.actions_to_wire([M.Group(999)])))
    ch.close()


def test_every_match_field_reads_back_equal(br_int):
    """Each match of the codec tests, installed on the switch, reads back
    as the same model Match."""
    import test_codec as TC
    ch = connect(br_int)
    map_geneve(ch)
    want = {}
    msgs = []
    for i, (match, _text) in enumerate(TC.MATCHES):
        f = W.FlowMod(table=40, priority=1000 + i, match=match, actions=[])
        msgs.append(f)
        want[1000 + i] = M.Match.of(*match)
    assert bundle(ch, msgs) == []
    got = {fs.priority: MW.match_from_wire(fs.match) for fs in ch.dump_flows(table=40)}
    assert got == want
    ch.close()
