"""Flow generation on southbound snapshots (a real ovsdb-server with the
SB schema, rows written through the IDL), and the pure helpers."""

import pytest

from pyovn.controller import binding, config, ctzones, lflow, physical, portsec
from pyovn.db.idl import Database
from pyovn.openflow import layout as L


def _sb(ovsdb):
    srv = ovsdb("sb")
    return Database(srv.remote, "sb").sync()


def _populate(db, flows):
    """One switch (key 5) with VIF lp1 (key 1) bound to hv1 and lp2 on hv2,
    and FLOWS: [(stage, table, priority, match, actions)]."""
    def build(txn):
        ch = {}
        for i, n in enumerate(("hv1", "hv2")):
            e = txn.insert(db.tables["Encap"])
            e.type = "geneve"
            e.ip = "192.168.0.%d" % (i + 1)
            e.chassis_name = n
            c = txn.insert(db.tables["Chassis"])
            c.name = n
            c.hostname = n
            c.encaps = [e]
            ch[n] = c
        dp = txn.insert(db.tables["Datapath_Binding"])
        dp.tunnel_key = 5
        dp.external_ids = {"logical-switch": "x", "name": "sw0"}
        for name, key, c in (("lp1", 1, "hv1"), ("lp2", 2, "hv2")):
            pb = txn.insert(db.tables["Port_Binding"])
            pb.logical_port = name
            pb.tunnel_key = key
            pb.datapath = dp
            pb.chassis = [ch[c]]
        for stage, table, prio, match, actions in flows:
            lf = txn.insert(db.tables["Logical_Flow"])
            lf.logical_datapath = [dp]
            lf.pipeline = "ingress" if "_in_" in stage else "egress"
            lf.table_id = table
            lf.priority = prio
            lf.match = match
            lf.actions = actions
            lf.external_ids = {"stage-name": stage}
    db.transact(build)
    db.wait_until(lambda d: len(d.rows("Logical_Flow")) == len(flows))


def _state(db):
    return binding.compute(db, "hv1", {"lp1": (None, 7)})


def test_logical_flows_translate_with_cookie_and_metadata(ovsdb):
    db = _sb(ovsdb)
    _populate(db, [("ls_in_l2_lkup", 27, 50, 'eth.dst == 50:54:00:00:00:02',
                    'outport = "lp2"; output;')])
    st = _state(db)
    assert st.claims == {"lp1": "main"} and len(st.local_dps) == 1
    logs = []
    flows, groups, meters = lflow.Translator(logs.append).build(db, st, "hv1")
    lf = db.rows("Logical_Flow")[0]
    mine = [f for f in flows if f.table == L.ingress_table(27)]
    assert len(mine) == 1
    f = mine[0]
    assert f.cookie == lf.uuid.int >> 96
    assert "metadata=0x5" in str(f) and "dl_dst=50:54:00:00:00:02" in str(f)
    assert "set_field:0x2->reg15" in str(f) and "resubmit(,37)" in str(f)
    assert not logs


def test_bad_acl_flow_fails_closed_and_is_logged_once(ovsdb):
    db = _sb(ovsdb)
    _populate(db, [
        ("ls_in_acl", 8, 2001, 'ip4.src == $no_such_set', 'drop;'),
        ("ls_in_l2_lkup", 27, 50, 'eth.dst == 50:54:00:00:00:02 && bogus.field == 1',
         'output;'),
        ("ls_in_acl", 8, 1, '1', 'next;')])
    st = _state(db)
    logs = []
    tr = lflow.Translator(logs.append)
    flows, _, _ = tr.build(db, st, "hv1")
    tr.build(db, st, "hv1")                     # logged once, not per recompute
    assert len(logs) == 2
    bad_acl = [r for r in db.rows("Logical_Flow") if r.priority == 2001][0]
    assert any(str(bad_acl.uuid) in m and "fails closed" in m for m in logs)
    assert any("bogus.field" in m and "fails closed" not in m for m in logs)
    table = L.ingress_table(8)
    closed = [f for f in flows if f.table == table and f.priority == lflow.FAIL_CLOSED_PRIORITY]
    assert len(closed) == 1 and closed[0].actions == () and "metadata=0x5" in str(closed[0])
    # The non-ACL bad flow has no fail-closed drop in its table.
    assert not [f for f in flows if f.table == L.ingress_table(27)
                and f.priority == lflow.FAIL_CLOSED_PRIORITY]


def test_physical_flows_for_local_and_remote_ports(ovsdb):
    db = _sb(ovsdb)
    _populate(db, [])
    st = _state(db)
    dp = list(st.local_dps.values())[0]
    zones = ctzones.assign({}, {"lp1", ctzones.dnat_name(dp), ctzones.snat_name(dp)})
    flows = physical.build(st, {"hv2": ("geneve", 3)}, zones, {}, [])
    text = "\n".join(str(f) for f in flows)
    assert "table=0, priority=100,in_port=7 actions=set_field:0x%x->reg13" % zones["lp1"] in text
    assert "table=65, priority=100,reg15=0x1,metadata=0x5 actions=output:7" in text
    remote = [str(f) for f in flows if f.table == L.REMOTE_OUTPUT and "reg15=0x2" in str(f)]
    assert remote == ["table=39, priority=100,reg15=0x2,metadata=0x5 actions="
                      "set_field:0x5/0xffffff->tun_id,set_field:0x2->tun_metadata0,"
                      "move:NXM_NX_REG14[0..14]->NXM_NX_TUN_METADATA0[16..30],output:3"]
    # Tunnel arrival decodes the Geneve metadata and goes to local output.
    assert any(f.table == 0 and "in_port=3" in str(f) and "resubmit(,40)" in str(f)
               for f in flows)


def test_requested_chassis_list(ovsdb):
    db = _sb(ovsdb)
    _populate(db, [])

    def req(txn):
        pb = db.find_one("Port_Binding", logical_port="lp1")
        pb.options = {"requested-chassis": "hv2,hv1"}
    db.transact(req)
    db.wait_until(lambda d: d.find_one("Port_Binding", logical_port="lp1").options)
    st = binding.compute(db, "hv1", {"lp1": (None, 7)})
    assert st.claims == {"lp1": "additional"}
    st = binding.compute(db, "hv3", {"lp1": (None, 7)})
    assert st.claims == {} and st.warnings


def test_config_parse_and_errors():
    c = config.parse({"system-id": "hv1", "ovn-remote": "unix:/x", "ovn-encap-type": "geneve,vxlan,gre",
                      "ovn-encap-ip": "1.2.3.4", "ovn-bridge-mappings": "phys:br-phys,bad",
                      "ovn-remote-probe-interval": "abc", "ovn-monitor-all": "true"})
    assert c.encap_types == ("geneve", "vxlan") and c.complete and c.monitor_all
    assert c.mapping("phys") == "br-phys" and c.bridge == "br-int"
    assert len(c.errors) == 3 and any("gre" in e for e in c.errors)


def test_ct_zones_keep_existing_assignments():
    cur = ctzones.read({"ct-zone-a": "5", "ct-zone-b": "1", "other": "x", "ct-zone-bad": "z"})
    assert cur == {"a": 5, "b": 1}
    z = ctzones.assign(cur, {"a", "c", "d"})
    assert z["a"] == 5 and sorted([z["c"], z["d"]]) == [1, 2]
    ids = ctzones.external_ids({"other": "x", "ct-zone-b": "1"}, z)
    assert ids["other"] == "x" and "ct-zone-b" not in ids and ids["ct-zone-a"] == "5"


def test_port_security_entries():
    mac, v4, v6 = portsec.parse_entry("50:54:00:00:00:01 10.0.0.1 fd00::1/64")
    assert mac == 0x505400000001 and str(v4[0]) == "10.0.0.1/32" and v6[0].prefixlen == 64
    with pytest.raises(portsec.PortSecError, match="bad IP address"):
        portsec.parse_entry("50:54:00:00:00:01 10.0.0.300")
    flows = portsec.flows_for_port(5, 1, [(mac, v4, [])])
    fail_all = [f for f in flows if f.table == L.CHK_IN_PORT_SEC and f.priority == 80]
    assert len(fail_all) == 1 and "0x1000/0x1000->reg10" in str(fail_all[0])
