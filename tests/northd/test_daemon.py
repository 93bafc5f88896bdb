"""pyovn northd as a daemon against real ovsdb-servers: rows written,
UUIDs stable across recompute and restart, the nb_cfg protocol, bad input,
active/standby and the appctl commands."""

import subprocess
import time

import pytest

from pyovn.db.idl import Database
from pyovn.util import proc

from northd_testlib import wait_sb_synced


def flows_by_uuid(sb):
    return {str(f.uuid): (f.external_ids.get("stage-name"), f.priority, f.match,
                          f.actions) for f in sb.rows("Logical_Flow")}


def new_chassis(sb, txn, name, encap="geneve"):
    e = txn.insert(sb.tables["Encap"])
    e.type = encap
    e.ip = "192.0.2.1"
    e.chassis_name = name
    ch = txn.insert(sb.tables["Chassis"])
    ch.name = name
    ch.hostname = name
    ch.encaps = [e]
    return ch


def sb_rows(sb, table):
    sb.run()
    return sb.rows(table)


def test_switch_rows_written(nb, sb, northd):
    nd = northd()
    ls = nb.ls("sw0")
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01 10.0.0.1"])
    nb.lsp("sw0", "p2", ["00:00:00:00:00:02 10.0.0.2"], port_security=["00:00:00:00:00:02"])
    nb.lsp("sw0", "p3", ["unknown"])
    wait_sb_synced(nb)
    sb.wait_until(lambda db: len(db.rows("Port_Binding")) == 3)
    dps = sb_rows(sb, "Datapath_Binding")
    assert len(dps) == 1
    assert dps[0].external_ids == {"logical-switch": str(ls), "name": "sw0"}
    assert 1 <= dps[0].tunnel_key <= 16711680
    pbs = {pb.logical_port: pb for pb in sb_rows(sb, "Port_Binding")}
    assert set(pbs) == {"p1", "p2", "p3"}
    assert len({pb.tunnel_key for pb in pbs.values()}) == 3
    assert pbs["p2"].port_security == ["00:00:00:00:00:02"]
    assert pbs["p1"].mac == ["00:00:00:00:00:01 10.0.0.1"]
    mcs = {mc.name: mc for mc in sb_rows(sb, "Multicast_Group")}
    assert mcs["_MC_flood"].tunnel_key == 32768
    assert {p.logical_port for p in mcs["_MC_flood"].ports} == {"p1", "p2", "p3"}
    assert {p.logical_port for p in mcs["_MC_unknown"].ports} == {"p3"}
    flows = flows_by_uuid(sb).values()
    assert ("ls_in_l2_lkup", 50, "eth.dst == 00:00:00:00:00:01",
            'outport = "p1"; output;') in flows
    assert ("ls_in_l2_unknown", 50, 'outport == "none"',
            'outport = "_MC_unknown"; output;') in flows
    g = sb_rows(sb, "SB_Global")[0]
    assert g.options["mac_prefix"] and g.options["svc_monitor_mac"]
    # RBAC role exactly as ovn-architecture(7) states.
    role = sb_rows(sb, "RBAC_Role")[0]
    assert role.name == "ovn-controller"
    pb_perm = role.permissions["Port_Binding"]
    assert pb_perm.update == ["chassis"] and pb_perm.insert_delete is False
    ch_perm = role.permissions["Chassis"]
    assert ch_perm.authorization == ["name"]
    assert sorted(ch_perm.update) == ["encaps", "external_ids", "nb_cfg",
                                      "vtep_logical_switches"]
    assert nd.appctl("status") == "Status: active"


def test_uuids_stable_across_recompute_and_restart(nb, sb, northd):
    nd = northd()
    nb.ls("sw0")
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01 10.0.0.1"])
    nb.acl("sw0", "to-lport", 1000, "ip4 && tcp.dst == 22", "allow-related")
    wait_sb_synced(nb)
    sb.run()
    before = flows_by_uuid(sb)
    pb_before = {str(r.uuid) for r in sb.rows("Port_Binding")}
    dp_before = {str(r.uuid) for r in sb.rows("Datapath_Binding")}
    assert len(before) > 50
    nd.appctl("inc-engine/recompute")
    wait_sb_synced(nb)
    nd.stop()
    nd2 = northd("northd2")
    wait_sb_synced(nb)
    sb.run()
    assert flows_by_uuid(sb) == before
    assert {str(r.uuid) for r in sb.rows("Port_Binding")} == pb_before
    assert {str(r.uuid) for r in sb.rows("Datapath_Binding")} == dp_before
    # A change touches only the flows it has to.
    nb.lsp("sw0", "p2", ["00:00:00:00:00:02 10.0.0.2"])
    wait_sb_synced(nb)
    sb.run()
    after = flows_by_uuid(sb)
    kept = set(before) & set(after)
    assert len(kept) >= len(before) - 2
    assert any(v[2] == "eth.dst == 00:00:00:00:00:02" for v in after.values())


def test_nb_cfg_protocol(nb, sb, northd):
    northd()
    nb.ls("sw0")
    want = wait_sb_synced(nb)
    g = nb.global_()
    assert g.sb_cfg == want
    assert g.sb_cfg_timestamp > 0 and g.nb_cfg_timestamp > 0
    # No chassis: hv_cfg follows.
    nb.db.wait_until(lambda db: db.rows("NB_Global")[0].hv_cfg >= want)
    sb.wait_until(lambda db: db.rows("SB_Global")[0].nb_cfg >= want)
    # A chassis that has not caught up holds hv_cfg back.
    def add_chassis(txn):
        ch = new_chassis(sb, txn, "hv1")
        cp = txn.insert(sb.tables["Chassis_Private"])
        cp.name = "hv1"
        cp.chassis = [ch]
        cp.nb_cfg = want
        cp.nb_cfg_timestamp = 12345
    sb.transact(add_chassis)
    want2 = wait_sb_synced(nb)
    time.sleep(0.3)
    assert nb.global_().hv_cfg == want
    def ack(txn):
        cp = sb.rows("Chassis_Private")[0]
        cp.nb_cfg = want2
        cp.nb_cfg_timestamp = 23456
    sb.transact(ack)
    nb.db.wait_until(lambda db: db.rows("NB_Global")[0].hv_cfg == want2)
    assert nb.global_().hv_cfg_timestamp == 23456
    # ipsec follows NB_Global.
    def ipsec(txn):
        nb.db.rows("NB_Global")[0].ipsec = True
    nb.db.transact(ipsec)
    sb.wait_until(lambda db: db.rows("SB_Global")[0].ipsec is True)


def test_lsp_up_follows_binding(nb, sb, northd):
    northd()
    nb.ls("sw0")
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01"])
    wait_sb_synced(nb)
    sb.wait_until(lambda db: db.rows("Port_Binding"))
    def bind(txn):
        ch = new_chassis(sb, txn, "hv1")
        pb = sb.rows("Port_Binding")[0]
        pb.chassis = [ch]
        pb.up = [True]
    sb.transact(bind)
    nb.db.wait_until(lambda db: db.find_one("Logical_Switch_Port", name="p1").up == [True])


def test_bad_drop_acl_fails_closed_and_others_written(nb, sb, northd):
    nd = northd()
    nb.ls("sw0")
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01 10.0.0.1"])
    nb.lsp("sw0", "p2", ["00:00:00:00:00:02 10.0.0.2"])
    nb.pg("pg1", ["p1"])
    bad_drop = nb.pg_acl("pg1", "to-lport", 1001, "outport == @pg1 && ip4.src == ((", "drop")
    bad_allow = nb.acl("sw0", "from-lport", 1002, "ip4 &&& tcp", "allow")
    nb.acl("sw0", "from-lport", 900, "ip4.src == 10.0.0.9", "drop")
    wait_sb_synced(nb)
    sb.run()
    flows = {v for v in flows_by_uuid(sb).values()}
    # Fail closed: a drop of everything to pg1's ports at the ACL's priority.
    assert ("ls_out_acl", 2001, "outport == @pg1", "/* drop */") in flows
    # The bad allow is skipped, the good drop is there.
    assert not any("&&&" in v[2] for v in flows)
    assert ("ls_in_acl", 1900, "ip4.src == 10.0.0.9", "/* drop */") in flows
    log = nd.log_text()
    assert str(bad_drop) in log and "failing closed" in log
    assert str(bad_allow) in log and "skipped" in log
    # Logged once, not on every recompute.
    wait_sb_synced(nb)
    assert nd.log_text().count(str(bad_drop)) == 1


def test_duplicate_and_dangling_names(nb, sb, northd):
    nd = northd()
    nb.ls("sw0")
    nb.ls("sw1")
    nb.lsp("sw0", "dup", ["00:00:00:00:00:01"])
    nb.lr("r0")
    dup2 = nb.lrp("r0", "dup", "00:00:00:00:00:02", ["10.0.0.1/24"])
    nb.lsp("sw1", "rp", ["router"], type="router", options={"router-port": "nowhere"})
    nb.lsp("sw1", "ok", ["00:00:00:00:00:03 10.0.0.3"])
    wait_sb_synced(nb)
    sb.run()
    names = sorted(pb.logical_port for pb in sb.rows("Port_Binding"))
    assert names == ["dup", "ok", "rp"]
    log = nd.log_text()
    assert str(dup2) in log and "duplicate logical port name" in log
    assert "router port 'nowhere' does not exist" in log
    assert nd.appctl("status") == "Status: active"


def test_tunnel_keys_requested_and_vxlan(nb, sb, northd):
    northd()
    nb.ls("sw0", other_config={"requested-tnl-key": "4000"})
    nb.lsp("sw0", "p1", [], options={"requested-tnl-key": "77"})
    wait_sb_synced(nb)
    sb.run()
    assert sb.rows("Datapath_Binding")[0].tunnel_key == 4000
    assert sb.rows("Port_Binding")[0].tunnel_key == 77
    # With a VXLAN chassis, keys above 4095 are not accepted.
    def vx(txn):
        new_chassis(sb, txn, "hv1", encap="vxlan")
    sb.transact(vx)
    nb.set("Logical_Switch", "sw0", other_config={"requested-tnl-key": "5000"})
    wait_sb_synced(nb)
    sb.run()
    assert sb.rows("Datapath_Binding")[0].tunnel_key == 4000
    assert sb.rows("SB_Global")[0].options["max_tunid"] == "4095"


def test_mac_binding_cleanup(nb, sb, northd):
    northd()
    nb.ls("sw0")
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01"])
    wait_sb_synced(nb)
    sb.wait_until(lambda db: db.rows("Datapath_Binding"))
    def mb(txn):
        row = txn.insert(sb.tables["MAC_Binding"])
        row.logical_port = "p1"
        row.ip = "10.0.0.9"
        row.mac = "00:00:00:00:00:09"
        row.datapath = sb.rows("Datapath_Binding")[0]
    sb.transact(mb)
    nb.delete("Logical_Switch", "sw0")
    wait_sb_synced(nb)
    sb.run()
    assert sb.rows("MAC_Binding") == []
    assert sb.rows("Datapath_Binding") == []


def test_pause_resume_and_standby_takeover(nb, sb, northd):
    a = northd("a")
    nb.ls("sw0")
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01"])
    wait_sb_synced(nb)
    b = northd("b")
    proc.wait_for(lambda: b.appctl("status") == "Status: standby", 10, what="standby")
    assert a.appctl("status") == "Status: active"
    assert a.appctl("is-paused") == "false"
    sb.run()
    before = flows_by_uuid(sb)
    a.appctl("pause")
    assert a.appctl("is-paused") == "true"
    assert a.appctl("status") == "Status: paused"
    proc.wait_for(lambda: b.appctl("status") == "Status: active", 10, what="b active")
    a.appctl("resume")
    proc.wait_for(lambda: a.appctl("status") == "Status: standby", 10, what="a standby")
    # kill -9 the active one: the standby takes over, rows keep their UUIDs.
    b.kill9()
    proc.wait_for(lambda: a.appctl("status") == "Status: active", 10, what="a active")
    nb.lsp("sw0", "p2", ["00:00:00:00:00:02"])
    wait_sb_synced(nb)
    sb.run()
    after = flows_by_uuid(sb)
    assert len(set(before) & set(after)) >= len(before) - 2


def test_lb_health_check_service_monitor(nb, sb, northd):
    northd()
    nb.ls("sw0")
    nb.lsp("sw0", "b1", ["00:00:00:00:00:01 10.0.0.1"])
    nb.lsp("sw0", "b2", ["00:00:00:00:00:02 10.0.0.2"])
    def lb(txn):     # the health check is not a root row: one transaction
        hc = txn.insert(nb.db.tables["Load_Balancer_Health_Check"])
        hc.vip = "10.0.0.100:80"
        hc.options = {"interval": "5"}
        row = txn.insert(nb.db.tables["Load_Balancer"])
        row.name = "lb"
        row.vips = {"10.0.0.100:80": "10.0.0.1:80,10.0.0.2:80"}
        row.protocol = ["tcp"]
        row.ip_port_mappings = {"10.0.0.1": "b1:10.0.0.254", "10.0.0.2": "b2:10.0.0.254"}
        row.health_check = [hc]
        nb._find("Logical_Switch", "sw0").addvalue("load_balancer", row.uuid)
    nb.db.transact(lb)
    wait_sb_synced(nb)
    sb.run()
    sms = {(m.ip, m.port, m.logical_port): m for m in sb.rows("Service_Monitor")}
    assert set(sms) == {("10.0.0.1", 80, "b1"), ("10.0.0.2", 80, "b2")}
    g = sb.rows("SB_Global")[0]
    assert all(m.src_ip == "10.0.0.254" and m.src_mac == g.options["svc_monitor_mac"]
               and m.options == {"interval": "5"} for m in sms.values())
    flows = flows_by_uuid(sb).values()
    assert ("ls_in_lb", 120, "ct.new && ip4.dst == 10.0.0.100 && tcp.dst == 80",
            "reg0[1] = 0; ct_lb_mark(backends=10.0.0.1:80,10.0.0.2:80);") in flows
    assert any(f[0] == "ls_in_arp_rsp" and f[1] == 110 and "10.0.0.254" in f[2]
               for f in flows)
    # The controller reports b2 offline: it leaves the LB, and the status stays.
    def offline(txn):
        sms[("10.0.0.2", 80, "b2")].status = ["offline"]
    sb.transact(offline)
    want = ("ls_in_lb", 120, "ct.new && ip4.dst == 10.0.0.100 && tcp.dst == 80",
            "reg0[1] = 0; ct_lb_mark(backends=10.0.0.1:80);")
    sb.wait_until(lambda db: want in flows_by_uuid(db).values())
    wait_sb_synced(nb)
    sb.run()
    assert [m.status for m in sb.rows("Service_Monitor") if m.logical_port == "b2"] == \
        [["offline"]]


def test_external_port_ha_chassis_group(nb, sb, northd):
    northd()
    nb.ls("sw0")
    nb.lsp("sw0", "ln", ["unknown"], type="localnet", options={"network_name": "phys"})
    def ext(txn):
        hc = txn.insert(nb.db.tables["HA_Chassis"])
        hc.chassis_name = "gw1"
        hc.priority = 20
        grp = txn.insert(nb.db.tables["HA_Chassis_Group"])
        grp.name = "ext-grp"
        grp.ha_chassis = [hc]
        lsp = txn.insert(nb.db.tables["Logical_Switch_Port"])
        lsp.name = "e1"
        lsp.type = "external"
        lsp.addresses = ["00:00:00:00:00:e1 10.0.0.50"]
        lsp.ha_chassis_group = [grp]
        nb._find("Logical_Switch", "sw0").addvalue("ports", lsp.uuid)
    nb.db.transact(ext)
    wait_sb_synced(nb)
    sb.run()
    pb = sb.find_one("Port_Binding", logical_port="e1")
    assert pb.type == "external"
    grp = pb.ha_chassis_group[0]
    assert grp.name == "ext-grp"
    assert [(h.priority, h.external_ids["chassis-name"]) for h in grp.ha_chassis] == \
        [(20, "gw1")]


def test_ipam_dynamic_addresses(nb, sb, northd):
    northd()
    nb.ls("sw0", other_config={"subnet": "192.168.1.0/24",
                               "exclude_ips": "192.168.1.2..192.168.1.4",
                               "ipv6_prefix": "fd00:1::"})
    nb.lsp("sw0", "static", ["0a:00:00:00:00:01 192.168.1.1"])
    nb.lsp("sw0", "d1", ["dynamic"])
    nb.lsp("sw0", "d2", ["0a:00:00:00:00:aa dynamic"])
    nb.lsp("sw0", "d3", ["dynamic 192.168.1.77"])
    wait_sb_synced(nb)
    nb.db.run()
    dyn = {n: nb.db.find_one("Logical_Switch_Port", name=n).dynamic_addresses
           for n in ("static", "d1", "d2", "d3")}
    prefix = nb.global_().options["mac_prefix"]
    assert dyn["static"] == []
    mac1, ip1, ip61 = dyn["d1"][0].split()
    assert mac1.startswith(prefix + ":")
    assert ip1 == "192.168.1.5"           # .0 never, .1 static, .2-.4 excluded
    assert ip61.startswith("fd00:1::") and "ff:fe" in ip61
    mac2, ip2, _ = dyn["d2"][0].split()
    assert mac2 == "0a:00:00:00:00:aa" and ip2 == "192.168.1.6"
    assert dyn["d3"][0].split()[1] == "192.168.1.77"
    # The assigned addresses are used like static ones (L2 lookup, ARP).
    sb.run()
    flows = flows_by_uuid(sb).values()
    assert ("ls_in_l2_lkup", 50, "eth.dst == %s" % mac1, 'outport = "d1"; output;') in flows
    assert any(f[0] == "ls_in_arp_rsp" and "arp.tpa == 192.168.1.5 " in f[2] for f in flows)
    # Stable: another change does not move them.
    nb.lsp("sw0", "d4", ["dynamic"])
    wait_sb_synced(nb)
    nb.db.run()
    assert nb.db.find_one("Logical_Switch_Port", name="d1").dynamic_addresses == dyn["d1"]
    assert nb.db.find_one("Logical_Switch_Port", name="d4").dynamic_addresses[0].split()[1] \
        == "192.168.1.7"


def test_igmp_snooping_groups(nb, sb, northd):
    northd()
    nb.ls("sw0", other_config={"mcast_snoop": "true", "mcast_idle_timeout": "100"})
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01 10.0.0.1"])
    nb.lsp("sw0", "p2", ["00:00:00:00:00:02 10.0.0.2"])
    nb.lsp("sw0", "p3", ["00:00:00:00:00:03 10.0.0.3"], options={"mcast_flood": "true"})
    nb.ls("sw1")
    wait_sb_synced(nb)
    sb.run()
    ipm = {m.datapath.external_ids["name"]: m for m in sb.rows("IP_Multicast")}
    assert ipm["sw0"].enabled == [True] and ipm["sw1"].enabled == [False]
    assert ipm["sw0"].idle_timeout == [100] and ipm["sw0"].query_interval == [50]
    assert ipm["sw0"].querier == [True] and ipm["sw0"].table_size == [2048]
    # A controller learns a group on p1 (as ovn-controller writes IGMP_Group).
    def learn(txn):
        ch = new_chassis(sb, txn, "hv1")
        g = txn.insert(sb.tables["IGMP_Group"])
        g.address = "239.1.1.1"
        g.datapath = [d for d in sb.rows("Datapath_Binding")
                      if d.external_ids["name"] == "sw0"]
        g.chassis = [ch]
        g.ports = [sb.find_one("Port_Binding", logical_port="p1")]
    sb.transact(learn)
    sb.wait_until(lambda db: db.find_one("Multicast_Group", name="239.1.1.1"))
    mc = sb.find_one("Multicast_Group", name="239.1.1.1")
    assert mc.tunnel_key >= 32774
    assert sorted(p.logical_port for p in mc.ports) == ["p1", "p3"]   # + mcast_flood
    flows = flows_by_uuid(sb).values()
    assert ("ls_in_l2_lkup", 90, "ip4.mcast && ip4.dst == 239.1.1.1",
            'outport = "239.1.1.1"; output;') in flows
    key = mc.tunnel_key
    wait_sb_synced(nb)
    sb.run()
    assert sb.find_one("Multicast_Group", name="239.1.1.1").tunnel_key == key


def test_meters_forwarding_groups_and_empty_lb(nb, sb, northd):
    nd = northd()
    nb.ls("sw0")
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01 10.0.0.1"])
    nb.lsp("sw0", "p2", ["00:00:00:00:00:02 10.0.0.2"])
    def objs(txn):
        band = txn.insert(nb.db.tables["Meter_Band"])
        band.action = "drop"
        band.rate = 10
        band.burst_size = 5
        m = txn.insert(nb.db.tables["Meter"])
        m.name = "acl-log"
        m.unit = "pktps"
        m.bands = [band]
        fg = txn.insert(nb.db.tables["Forwarding_Group"])
        fg.name = "fg"
        fg.vip = "10.0.0.50"
        fg.vmac = "00:00:00:00:00:50"
        fg.child_port = ["p1", "p2"]
        fg.liveness = True
        lb = txn.insert(nb.db.tables["Load_Balancer"])
        lb.name = "empty"
        lb.vips = {"10.0.0.60:80": ""}
        lb.protocol = ["tcp"]
        ls = nb._find("Logical_Switch", "sw0")
        ls.addvalue("forwarding_groups", fg.uuid)
        ls.addvalue("load_balancer", lb.uuid)
    nb.db.transact(objs)
    nb.acl("sw0", "from-lport", 100, "icmp4", "drop", log=True, meter=["acl-log"])
    typo = nb.acl("sw0", "from-lport", 101, "udp", "drop", log=True, meter=["acl-lgo"])
    wait_sb_synced(nb)
    sb.run()
    m = sb.find_one("Meter", name="acl-log")
    assert m.unit == "pktps"
    assert [(b.action, b.rate, b.burst_size) for b in m.bands] == [("drop", 10, 5)]
    flows = flows_by_uuid(sb).values()
    assert ("ls_in_l2_lkup", 50, "eth.dst == 00:00:00:00:00:50",
            'fwd_group(liveness="true",childports="p1","p2");') in flows
    assert any(f[0] == "ls_in_arp_rsp" and f[2] == "arp.tpa == 10.0.0.50 && arp.op == 1"
               for f in flows)
    assert ("ls_in_lb", 120, "ct.new && ip4.dst == 10.0.0.60 && tcp.dst == 80",
            "drop;") in flows
    assert any('meter="acl-log"' in f[3] for f in flows if f[0] == "ls_in_acl")
    # A meter that does not exist: the ACL still applies, logged without it.
    typo_flows = [f for f in flows if f[0] == "ls_in_acl" and f[1] == 1101]
    assert len(typo_flows) == 2 and all(
        "log(severity=info, verdict=drop);" in f[3] and "/* drop */" in f[3]
        and "meter" not in f[3] for f in typo_flows)
    assert str(typo) in nd.log_text() and "acl-lgo" in nd.log_text()


def test_appctl_compat_commands(nb, sb, northd):
    nd = northd()
    nb.ls("sw0")
    wait_sb_synced(nb)
    assert nd.appctl("get-n-threads") == "1"
    assert nd.appctl("set-n-threads", "4") == ""
    out = subprocess.run(["ovs-appctl", "-t", nd.ctl, "set-n-threads", "0"],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "invalid n_threads" in out.stderr
    nd.appctl("sb-cluster-state-reset")
    nd.appctl("nb-cluster-state-reset")
    nb.lsp("sw0", "p1", ["00:00:00:00:00:01"])
    wait_sb_synced(nb)          # still serving after the reconnects
    sb.run()
    assert sb.find_one("Port_Binding", logical_port="p1") is not None
    stats = nd.appctl("inc-engine/show-stats")
    assert "lflows:" in stats and "recompute:" in stats


def test_container_port_tags(nb, sb, northd):
    northd()
    nb.ls("sw0")
    nb.lsp("sw0", "vm", ["00:00:00:00:00:01 10.0.0.1"])
    nb.lsp("sw0", "c1", ["00:00:00:00:00:02 10.0.0.2"], parent_name=["vm"], tag_request=[0])
    nb.lsp("sw0", "c2", ["00:00:00:00:00:03 10.0.0.3"], parent_name=["vm"], tag_request=[0])
    nb.lsp("sw0", "c3", ["00:00:00:00:00:04 10.0.0.4"], parent_name=["vm"], tag_request=[7])
    wait_sb_synced(nb)
    nb.db.wait_until(lambda db: all(db.find_one("Logical_Switch_Port", name=n).tag
                                    for n in ("c1", "c2", "c3")))
    tags = {n: nb.db.find_one("Logical_Switch_Port", name=n).tag[0] for n in ("c1", "c2", "c3")}
    assert tags["c3"] == 7 and sorted([tags["c1"], tags["c2"]]) == [1, 2]
    sb.wait_until(lambda db: all(db.find_one("Port_Binding", logical_port=n) is not None
                                 and db.find_one("Port_Binding", logical_port=n).tag == [t]
                                 for n, t in tags.items()))
    pb = sb.find_one("Port_Binding", logical_port="c1")
    assert pb.parent_port == ["vm"]
