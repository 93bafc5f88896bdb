"""The IDL layer on a real ovsdb-server: change tracking, indexes,
TRY_AGAIN retries, locks and row helpers."""

import pytest

from pyovn.db import idl, server


@pytest.fixture
def srv(rundir, started):
    s = server.start_server(rundir, "nb")
    started.append(s)
    return s


def add_switch(db, name, **external_ids):
    def build(txn):
        ls = txn.insert(db.tables["Logical_Switch"])
        ls.name = name
        ls.external_ids = external_ids
    db.transact(build)


def switch(db, name):
    return db.find_one("Logical_Switch", name=name)


def test_tracking_reports_inserted_updated_deleted(srv, client):
    writer = client(srv.remote, "nb")
    watcher = client(srv.remote, "nb")
    watcher.take_changes()                        # forget the initial load

    add_switch(writer, "a")
    add_switch(writer, "b")
    watcher.wait_until(lambda d: len(d.rows("Logical_Switch")) == 2)
    ch = watcher.take_changes()
    assert sorted(r.name for r in ch.inserted("Logical_Switch")) == ["a", "b"]
    assert ch.updated("Logical_Switch") == [] and ch.deleted("Logical_Switch") == []
    assert ch.tables == {"Logical_Switch"}

    writer.transact(lambda txn: setattr(switch(writer, "a"), "external_ids", {"k": "v"}))
    writer.transact(lambda txn: switch(writer, "b").delete())
    watcher.wait_until(lambda d: switch(d, "b") is None
                       and switch(d, "a").external_ids == {"k": "v"})
    ch = watcher.take_changes()
    assert [r.name for r in ch.updated("Logical_Switch")] == ["a"]
    assert ch.updated_columns("Logical_Switch", switch(watcher, "a")) == {"external_ids"}
    assert [r.name for r in ch.deleted("Logical_Switch")] == ["b"]
    assert ch.inserted("Logical_Switch") == []
    assert not watcher.take_changes()           # nothing new since


def test_tracking_coalesces_insert_then_delete(srv, client):
    writer = client(srv.remote, "nb")
    watcher = client(srv.remote, "nb")
    watcher.take_changes()
    add_switch(writer, "short-lived")
    watcher.wait_until(lambda d: switch(d, "short-lived"))
    writer.transact(lambda txn: switch(writer, "short-lived").delete())
    add_switch(writer, "stays")
    watcher.wait_until(lambda d: switch(d, "stays") and not switch(d, "short-lived"))
    ch = watcher.take_changes()
    assert [r.name for r in ch.inserted("Logical_Switch")] == ["stays"]
    assert ch.deleted("Logical_Switch") == []


def test_index_follows_inserts_updates_and_deletes(srv, client):
    writer = client(srv.remote, "nb")
    reader = client(srv.remote, "nb")
    by_name = reader.index("Logical_Switch", "name")
    assert reader.index("Logical_Switch", "name") is by_name
    add_switch(writer, "sw0", owner="x")
    add_switch(writer, "sw1", owner="x")
    reader.wait_until(lambda d: by_name.lookup("sw1"))
    assert [r.name for r in by_name.lookup("sw0")] == ["sw0"]
    assert by_name.lookup("nope") == []

    writer.transact(lambda txn: setattr(switch(writer, "sw0"), "name", "renamed"))
    reader.wait_until(lambda d: by_name.lookup("renamed"))
    assert by_name.lookup("sw0") == []
    writer.transact(lambda txn: switch(writer, "sw1").delete())
    reader.wait_until(lambda d: not by_name.lookup("sw1"))
    assert reader.lookup("Logical_Switch", name="renamed")[0].external_ids == {"owner": "x"}

    # Map-valued and multi-column keys work too.
    by_both = reader.index("Logical_Switch", "name", "external_ids")
    assert len(by_both.lookup("renamed", {"owner": "x"})) == 1
    assert by_both.lookup("renamed", {"owner": "y"}) == []
    with pytest.raises(ValueError, match="needs 2 values"):
        by_both.lookup("renamed")
    with pytest.raises(KeyError, match="no column"):
        reader.index("Logical_Switch", "no_such_column")


def test_lookup_without_index_scans(nb):
    add_switch(nb, "s", a="1")
    nb.wait_until(lambda d: d.rows("Logical_Switch"))
    assert nb.lookup_one("Logical_Switch", external_ids={"a": "1"}).name == "s"
    assert nb.lookup("Logical_Switch", name="other") == []


def test_transaction_retries_on_try_again(srv, client):
    """Two clients race to increment a counter with verify(): the loser's
    first commit gets TRY_AGAIN, and transact() rebuilds it on the new
    value, so no increment is lost."""
    a = client(srv.remote, "nb")
    b = client(srv.remote, "nb")
    add_switch(a, "counter", n="0")
    b.wait_until(lambda d: switch(d, "counter"))
    attempts = []

    def increment(db):
        def build(txn):
            row = switch(db, "counter")
            row.verify("external_ids")
            ids = row.external_ids
            ids["n"] = str(int(ids["n"]) + 1)
            row.external_ids = ids
        return build

    def a_build(txn):
        attempts.append(switch(a, "counter").external_ids["n"])
        increment(a)(txn)
        if len(attempts) == 1:
            b.transact(increment(b))        # B wins the race
    a.transact(a_build)
    assert attempts == ["0", "1"]           # A was rebuilt on B's result
    assert a.wait_until(lambda d: switch(d, "counter").external_ids["n"] == "2")


def test_transaction_error_is_reported(nb):
    def build(txn):
        pg = txn.insert(nb.tables["Port_Group"])     # name is indexed
        pg.name = "dup"
        pg2 = txn.insert(nb.tables["Port_Group"])
        pg2.name = "dup"
    with pytest.raises(idl.TxnError, match="constraint violation"):
        nb.transact(build)


def test_lock_held_by_one_client(srv, client):
    first = client(srv.remote, "nb")
    second = client(srv.remote, "nb")
    first.set_lock("ovn_northd")
    first.wait_until(lambda d: d.has_lock)
    second.set_lock("ovn_northd")
    second.wait_until(lambda d: d.is_lock_contended)
    assert not second.has_lock and second.lock_name == "ovn_northd"
    with pytest.raises(idl.TxnError, match="does not hold lock 'ovn_northd'"):
        add_switch(second, "refused")
    add_switch(first, "allowed")
    first.close()                          # the holder goes away
    second.wait_until(lambda d: d.has_lock)
    add_switch(second, "now-allowed")
    assert sorted(r.name for r in second.wait_until(
        lambda d: len(d.rows("Logical_Switch")) == 2 and d.rows("Logical_Switch"))) \
        == ["allowed", "now-allowed"]


def test_value_helper_for_optional_columns(nb):
    def build(txn):
        lsp = txn.insert(nb.tables["Logical_Switch_Port"])
        lsp.name = "p1"
        lsp.tag_request = 7
        lsp2 = txn.insert(nb.tables["Logical_Switch_Port"])
        lsp2.name = "p2"
        ls = txn.insert(nb.tables["Logical_Switch"])   # ports need a switch
        ls.ports = [lsp, lsp2]
    nb.transact(build)
    p1, p2 = (nb.wait_until(lambda d: d.lookup_one("Logical_Switch_Port", name=n))
              for n in ("p1", "p2"))
    assert p1.tag_request == [7]                  # python-ovs' own form
    assert idl.value(p1, "tag_request") == 7
    assert idl.value(p2, "tag_request") is None
    assert idl.value(p2, "enabled", True) is True
    assert idl.value(p1, "name") == "p1"          # non-optional: as is
    assert idl.value(p1, "addresses") == []       # sets stay lists
    assert nb.get("Logical_Switch_Port", str(p1.uuid)) is p1
    assert nb.get("Logical_Switch_Port", "not-a-uuid") is None


def test_ssl_remote_needs_certificates(rundir, monkeypatch):
    import ovs.stream
    monkeypatch.setattr(ovs.stream.Stream, "_SSL_private_key_file", None)
    with pytest.raises(ValueError, match="SSL remote but no private key"):
        idl.Database("ssl:127.0.0.1:1", "nb")
    with pytest.raises(ValueError, match="needs a private key, a certificate"):
        idl.Database("ssl:127.0.0.1:1", "nb", ssl_key="k")


def test_tracking_and_indexes_across_a_server_restart(srv, client):
    """The server restarts with changes made while it was down: the client
    reloads its replica, and tracking and indexes still tell the truth."""
    import subprocess
    writer = client(srv.remote, "nb")
    add_switch(writer, "a")
    add_switch(writer, "b")
    writer.close()
    watcher = client(srv.remote, "nb")
    by_name = watcher.index("Logical_Switch", "name")
    watcher.wait_until(lambda d: len(d.rows("Logical_Switch")) == 2)
    watcher.take_changes()

    srv.stop()
    subprocess.run(["ovsdb-tool", "transact", srv.db_path,
                    '["OVN_Northbound",'
                    ' {"op": "delete", "table": "Logical_Switch", "where": [["name", "==", "b"]]},'
                    ' {"op": "insert", "table": "Logical_Switch", "row": {"name": "c"}}]'],
                   check=True, capture_output=True)
    srv.start()
    watcher.wait_until(lambda d: switch(d, "c") and not switch(d, "b"), timeout=30)
    ch = watcher.take_changes()
    assert [r.name for r in ch.inserted("Logical_Switch")] == ["c"]
    assert [r.name for r in ch.deleted("Logical_Switch")] == ["b"]
    assert "a" not in [r.name for r in ch.deleted("Logical_Switch")]
    assert by_name.lookup("b") == [] and [r.name for r in by_name.lookup("c")] == ["c"]
    assert [r.name for r in by_name.lookup("a")] == ["a"]
