"""ofctrl against a real ovs-vswitchd: diffing, bundles, read-back after
reconnects and restarts, wait-before-clear, nb_cfg-style completion."""

import ovs.poller
import ovs.timeval

from pyovn.openflow import model as M
from pyovn.openflow.channel import ChannelError
from pyovn.openflow.ofctrl import Ofctrl
from pyovn.openflow.testing import normalize_flow


def run_until(ofc, pred, timeout=10.0, what="condition"):
    deadline = ovs.timeval.msec() + timeout * 1000
    while True:
        ofc.run()
        if pred():
            return
        if ovs.timeval.msec() > deadline:
            raise ChannelError("timed out waiting for %s (state %s)" % (what, ofc.state))
        p = ovs.poller.Poller()
        ofc.wait(p)
        p.timer_wait(200)
        p.block()


def sync(ofc, timeout=10.0):
    run_until(ofc, ofc.up_to_date, timeout, "desired state installed")


def flow(table, prio, port, out, cookie=0):
    return M.Flow(table, prio, M.Match.of(in_port=port), (M.Output(out),), cookie)


def texts(flows):
    return sorted(normalize_flow(str(f)) for f in flows)


def packets(sw, match):
    for line in sw.ofctl("dump-flows", "br-int", match).splitlines():
        if "n_packets=" in line:
            return int(line.split("n_packets=")[1].split(",")[0])
    return None


ETH = "50540000000250540000000108000000"     # dst, src, a made-up ethertype


def make(sw, **kw):
    return Ofctrl("unix:" + sw.mgmt("br-int"), **kw)


def test_desired_state_is_installed_and_acknowledged(br_int):
    sw = br_int
    ofc = make(sw)
    a, b = flow(0, 100, 1, 2), flow(0, 100, 2, 1)
    g = M.GroupMod(1, "all", (M.Bucket((M.Output(1),)), M.Bucket((M.Output(2),))))
    mt = M.MeterMod(1, "pktps", bands=(M.MeterBand("drop", 10),))
    c = M.Flow(1, 10, M.Match.of(reg0=1), (M.Meter(1), M.Group(1)))
    ofc.put([a, b, c], [g], [mt], cfg=7)
    assert ofc.installed_cfg is None
    sync(ofc)
    assert ofc.installed_cfg == 7
    assert sw.dump_flows() == texts([a, b, c])
    assert len(sw.dump_groups()) == 1 and len(sw.dump_meters()) >= 1
    # Removing everything removes groups and meters too.
    ofc.put([], [], [], cfg=8)
    sync(ofc)
    assert ofc.installed_cfg == 8
    assert sw.dump_flows() == [] and sw.dump_groups() == []
    ofc.close()


def test_only_changes_are_sent(br_int):
    sw = br_int
    ofc = make(sw)
    keep = flow(0, 100, 1, 2)
    change = flow(0, 90, 2, 1)
    drop = flow(0, 80, 3, 1)
    ofc.put([keep, change, drop], cfg=1)
    sync(ofc)
    sw.receive("p1", ETH)            # counts on `keep`
    run_until(ofc, lambda: packets(sw, "in_port=1") == 1, what="packet counted")
    mods = ofc.n_flow_mods
    changed = flow(0, 90, 2, 2)
    new = flow(0, 70, 4, 1)
    ofc.put([keep, changed, new], cfg=2)
    sync(ofc)
    assert ofc.n_flow_mods - mods == 3          # modify, add, delete
    assert sw.dump_flows() == texts([keep, changed, new])
    assert packets(sw, "in_port=1") == 1        # `keep` was not touched
    # Putting the same state again sends nothing but still acknowledges.
    bundles = ofc.n_bundles
    ofc.put([keep, changed, new], cfg=3)
    sync(ofc)
    assert ofc.n_bundles == bundles and ofc.installed_cfg == 3
    # A cookie change replaces the flow.
    ofc.put([keep, changed, flow(0, 70, 4, 1, cookie=0x99)], cfg=4)
    sync(ofc)
    assert "cookie=0x99,priority=70,in_port=4 actions=output:1" in sw.dump_flows()
    ofc.close()


def test_reconnect_reads_back_and_sends_nothing_when_in_sync(br_int):
    sw = br_int
    ofc = make(sw)
    flows = [flow(0, 100, 1, 2), M.Flow(3, 5, M.Match.of(reg14=1, vlan_tci=(0x1005, 0x1fff)),
                                        (M.Load(1, M.Subfield("reg10", 0, 1)),
                                         M.Resubmit(table=4)))]
    ofc.put(flows, cfg=1)
    sync(ofc)
    sw.receive("p1", ETH)
    run_until(ofc, lambda: packets(sw, "in_port=1") == 1, what="packet counted")
    mods = ofc.n_flow_mods
    before = sw.dump_flows()
    assert len(before) == 2
    ofc.channel.force_reconnect()
    assert sw.dump_flows() == before              # nothing cleared
    ofc.put(flows, cfg=2)
    sync(ofc, 20)
    assert ofc.installed_cfg == 2
    assert ofc.n_flow_mods == mods                # read back: already in sync
    assert packets(sw, "in_port=1") == 1          # same flow, counters kept
    assert sw.dump_flows() == before
    ofc.close()


def test_restart_replaces_stale_flows_only_when_the_new_state_is_ready(br_int):
    sw = br_int
    old = make(sw)
    stale, kept = flow(0, 100, 1, 2), flow(0, 90, 2, 1)
    old.put([stale, kept], cfg=1)
    sync(old)
    old.close()

    # A new ofctrl (a restarted controller) that waits before clearing.
    new = make(sw, wait_before_clear_ms=1500)
    fresh = flow(0, 80, 3, 1)
    new.put([kept, fresh], cfg=5)
    run_until(new, lambda: new.state == "sync", what="read back")
    new.run()
    assert sw.dump_flows() == texts([stale, kept])   # still the old flows
    assert new.n_bundles == 0 and not new.up_to_date()  # holding back
    sync(new)
    assert new.n_bundles == 1
    assert sw.dump_flows() == texts([kept, fresh])
    assert new.installed_cfg == 5
    new.close()


def test_flows_the_switch_rejects_are_left_out_and_logged(br_int):
    sw = br_int
    ofc = make(sw)
    good = flow(0, 100, 1, 2)
    bad = M.Flow(0, 50, M.Match.of(in_port=2), (M.Group(4242),))    # no such group
    ofc.put([good, bad], cfg=1)
    sync(ofc)
    assert sw.dump_flows() == texts([good])
    assert bad.key in ofc.rejected
    assert any("4242" in e or "BAD_OUT_GROUP" in e for e in ofc.errors), ofc.errors
    assert ofc.installed_cfg == 1
    ofc.close()


def test_flows_survive_a_switch_restart_and_are_reinstalled(br_int):
    sw = br_int
    ofc = make(sw)
    f = flow(0, 100, 1, 2)
    ofc.put([f], cfg=1)
    sync(ofc)
    sw.stop_vswitchd()
    sw.start_vswitchd()
    # A restarted vswitchd starts with an empty table: ofctrl notices by
    # reading back and installs the desired state again.
    run_until(ofc, lambda: ofc.state == "sync" and ofc.up_to_date()
              and sw.dump_flows() == texts([f]), 30, "flows back after restart")
    ofc.close()


def test_learned_flows_are_left_alone_after_a_reconnect(br_int):
    sw = br_int
    ofc = make(sw)
    learner = M.Flow(0, 100, M.Match.of(in_port=1), (
        M.Learn(66, (M.LearnSpec("match", dst=M.Subfield("eth_dst"), src=M.Subfield("eth_src")),
                     M.LearnSpec("load", dst=M.Subfield("reg15"), value=1)),
                idle_timeout=300, priority=10),
        M.Output(2)))
    ofc.put([learner], cfg=1)
    sync(ofc)
    sw.receive("p1", ETH)
    run_until(ofc, lambda: len(sw.dump_flows(table=66)) == 1, what="a learned flow")
    ofc.channel.force_reconnect()
    extra = flow(0, 90, 2, 1)
    ofc.put([learner, extra], cfg=2)
    sync(ofc, 20)
    assert len(sw.dump_flows(table=66)) == 1        # still there
    assert ofc.installed_cfg == 2
    ofc.close()


def test_groups_and_meters_are_modified_and_read_back_in_sync(br_int):
    sw = br_int
    ofc = make(sw)
    g1 = M.GroupMod(1, "select", (M.Bucket((M.Output(1),)), M.Bucket((M.Output(2),))),
                    "dp_hash", selection_method_param=1 << 32)
    g2 = M.GroupMod(2, "select", (M.Bucket((M.SetField("reg0", 1), M.Output(1)), weight=50),),
                    "hash", ("ip_src", "ip_dst"))
    m1 = M.MeterMod(1, "kbps", bands=(M.MeterBand("drop", 1000),))
    m2 = M.MeterMod(2, "pktps", burst=True, bands=(M.MeterBand("drop", 10, 20),))
    uses = M.Flow(0, 10, M.Match.of(in_port=1), (M.Meter(1), M.Group(1)))
    ofc.put([uses], [g1, g2], [m1, m2], cfg=1)
    sync(ofc)
    assert "selection_method=hash,fields(ip_src,ip_dst)" in " ".join(sw.dump_groups())
    assert "selection_method=dp_hash,selection_method_param=4294967296" in \
        " ".join(sw.dump_groups())
    # Change a bucket and a band: modified in place, the flow stays.
    g1b = M.GroupMod(1, "select", (M.Bucket((M.Output(2),)),), "dp_hash",
                     selection_method_param=1 << 32)
    m1b = M.MeterMod(1, "kbps", bands=(M.MeterBand("drop", 2000),))
    mods = ofc.n_flow_mods
    ofc.put([uses], [g1b, g2], [m1b, m2], cfg=2)
    sync(ofc)
    assert ofc.n_flow_mods == mods
    groups = " ".join(sw.dump_groups())
    assert "group_id=1" in groups and "output:1" not in groups.split("group_id=2")[0]
    assert "rate=2000" in " ".join(sw.dump_meters())
    # After a reconnect, the read-back state equals the desired one.
    bundles = ofc.n_bundles
    meter_mods = ofc.channel.stats["MeterMod"]
    ofc.channel.force_reconnect()
    ofc.put([uses], [g1b, g2], [m1b, m2], cfg=3)
    sync(ofc, 20)
    assert ofc.n_bundles == bundles, (ofc.installed_groups, ofc.installed_meters)
    assert ofc.channel.stats["MeterMod"] == meter_mods, ofc.installed_meters
    assert ofc.installed_cfg == 3
    ofc.close()


def test_an_unchanged_put_is_acknowledged_without_a_round_trip(br_int):
    sw = br_int
    ofc = make(sw)
    flows = [flow(0, 100, 1, 2)]
    ofc.put(flows, cfg=1)
    sync(ofc)
    sent = sum(ofc.channel.stats.values())
    ofc.put(list(flows), cfg=2)
    assert ofc.up_to_date() and ofc.installed_cfg == 2
    assert sum(ofc.channel.stats.values()) == sent
    # A changed one is not acknowledged before the switch has it.
    ofc.put(flows + [flow(0, 90, 2, 1)], cfg=3)
    assert not ofc.up_to_date() and ofc.installed_cfg == 2
    sync(ofc)
    assert ofc.installed_cfg == 3
    ofc.close()


def test_a_flow_that_cannot_be_encoded_is_logged_and_skipped(br_int):
    sw = br_int
    ofc = make(sw)
    good = flow(0, 100, 1, 2)
    bad = M.Flow(0, 50, M.Match.of(in_port=2), (M.Learn(5, limit=3),))   # needs learn2
    ofc.put([good, bad], cfg=1)
    sync(ofc)
    assert sw.dump_flows() == texts([good])
    assert bad.key in ofc.rejected and "limit" in ofc.rejected[bad.key]
    assert ofc.installed_cfg == 1
    ofc.close()


def test_geneve_option_is_mapped_to_tun_metadata0(br_int):
    sw = br_int
    ofc = make(sw)
    f = M.Flow(0, 100, M.Match.of(tun_metadata0=(0x10002, 0x7fffffff)), (M.Output(1),))
    ofc.put([f], cfg=1)
    sync(ofc)
    assert "0x102  0x80       4  tun_metadata0" in sw.ofctl("dump-tlv-map", "br-int")
    assert "tun_metadata0=0x10002/0x7fffffff" in sw.dump_flows()[0]
    assert not ofc.channel._pending        # nothing left waiting for a reply
    ofc.close()
