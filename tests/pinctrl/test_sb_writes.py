"""pinctrl's southbound writes on a real ovsdb-server: MAC_Binding
deduplication between chassis, FDB, Controller_Event."""

from pyovn.controller.pinctrl import events, fdb, neighbor
from pyovn.db.idl import Database


def _setup(remote):
    db = Database(remote, "sb")
    db.sync()

    def build(txn):
        dp = txn.insert(db.tables["Datapath_Binding"])
        dp.tunnel_key = 3
        pb = txn.insert(db.tables["Port_Binding"])
        pb.logical_port, pb.datapath, pb.tunnel_key = "lrp1", dp, 2
        e = txn.insert(db.tables["Encap"])
        e.type, e.ip, e.chassis_name = "geneve", "192.168.0.1", "hv1"
        ch = txn.insert(db.tables["Chassis"])
        ch.name, ch.hostname, ch.encaps = "hv1", "hv1", [e]
    db.transact(build)
    db.sync()
    return db


def _ports(db):
    def port(dp, key):
        for pb in db.rows("Port_Binding"):
            if pb.datapath.tunnel_key == dp and pb.tunnel_key == key:
                return pb
        return None
    return port


def test_mac_binding_written_once_across_chassis(ovsdb):
    srv = ovsdb("sb")
    a = _setup(srv.remote)
    b = Database(srv.remote, "sb")
    b.sync()
    na, nb = neighbor.Neighbors(), neighbor.Neighbors()
    na.add(3, 2, "10.0.1.5", "50:54:00:00:01:05")
    nb.add(3, 2, "10.0.1.5", "50:54:00:00:01:05")
    assert na.flush(a, _ports(a)) == 1
    b.wait_until(lambda d: d.rows("MAC_Binding"), 5)
    assert nb.flush(b, _ports(b)) == 0          # the other chassis' row is the same
    rows = b.rows("MAC_Binding")
    assert len(rows) == 1 and rows[0].timestamp > 0
    uuid = rows[0].uuid
    # The MAC moved: the row is updated in place.
    nb.add(3, 2, "10.0.1.5", "50:54:00:00:01:99")
    assert nb.flush(b, _ports(b)) == 1
    a.wait_until(lambda d: [r for r in d.rows("MAC_Binding") if r.mac == "50:54:00:00:01:99"], 5)
    assert [r.uuid for r in a.rows("MAC_Binding")] == [uuid]
    # An unknown port key writes nothing.
    na.add(3, 9, "10.0.1.6", "50:54:00:00:01:06")
    assert na.flush(a, _ports(a)) == 0


def test_fdb_and_events(ovsdb):
    srv = ovsdb("sb")
    db = _setup(srv.remote)
    f = fdb.Fdb()
    f.add(3, "50:54:00:00:01:05", 2)
    assert f.flush(db) == 1
    f.add(3, "50:54:00:00:01:05", 2)
    assert f.flush(db) == 0
    f.add(3, "50:54:00:00:01:05", 4)                # moved
    assert f.flush(db) == 1
    db.sync()
    assert [(r.dp_key, r.mac, r.port_key) for r in db.rows("FDB")] == \
        [(3, "50:54:00:00:01:05", 4)]
    ev = events.Events()
    info = {"vip": "10.0.0.100:80", "protocol": "tcp",
            "load_balancer": "9a4c3f40-8c1b-4a4e-a53c-6a0d9e3bd2a1"}
    ev.add("empty_lb_backends", info)
    assert ev.flush(db, "hv1") == 1
    db.sync()
    assert not ev.add("empty_lb_backends", info)     # reported and still there
    rows = db.rows("Controller_Event")
    assert len(rows) == 1 and dict(rows[0].event_info) == info
    assert rows[0].chassis[0].name == "hv1" and rows[0].seq_num == 1
    # The CMS deletes it: the next occurrence is reported again.
    db.transact(lambda txn: rows[0].delete())
    db.sync()
    ev.flush(db, "hv1")
    assert ev.add("empty_lb_backends", info)
    assert ev.flush(db, "hv1") == 1
