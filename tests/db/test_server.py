"""Real ovsdb-servers started by pyovn.db.server: every database kind, a
Raft cluster that survives losing its leader, a relay, SSL."""

import os
import subprocess

import pytest

from pyovn.db import idl, pki, server

# kind -> a root table with a string "name"-like column to write.
SAMPLE = {"nb": ("Logical_Switch", "name"),
          "sb": ("Address_Set", "name"),
          "ic-nb": ("Transit_Switch", "name"),
          "ic-sb": ("Availability_Zone", "name"),
          "vtep": ("Logical_Switch", "name")}


def insert(db, table, column, value):
    def build(txn):
        row = txn.insert(db.tables[table])
        setattr(row, column, value)
    return db.transact(build)


def names(db, table, column="name"):
    return sorted(getattr(r, column) for r in db.rows(table))


@pytest.mark.parametrize("kind", sorted(SAMPLE))
def test_each_kind_starts_and_accepts_a_transaction(kind, rundir, started, client):
    srv = server.start_server(rundir, kind, tcp_port=0)
    started.append(srv)
    assert srv.is_running()
    assert srv.tcp_port and srv.tcp_remote == "tcp:127.0.0.1:%d" % srv.tcp_port
    table, column = SAMPLE[kind]
    writer = client(srv.remote, kind)
    insert(writer, table, column, "x-" + kind)
    reader = client(srv.tcp_remote, kind)       # a second client, over TCP
    assert reader.wait_until(lambda d: names(d, table, column)) == ["x-" + kind]
    srv.stop()
    assert not srv.is_running()


def test_starting_a_running_server_again_is_refused(rundir, started):
    srv = server.start_server(rundir, "nb")
    started.append(srv)
    with pytest.raises(server.DbError, match="already running"):
        server.start_server(rundir, "nb")


def test_cluster_write_and_leader_failover(rundir, started, client):
    cluster = server.start_cluster(rundir, "nb", 3)
    started.append(cluster)
    members = cluster.remote.split(",")
    assert len(members) == 3 and all(m.startswith("tcp:127.0.0.1:") for m in members)
    # Every member has its own database file, joined into one cluster.
    statuses = [m.cluster_status() for m in cluster.members]
    assert len({s["Cluster ID"] for s in statuses}) == 1
    assert sorted(s["Role"] for s in statuses) == ["follower", "follower", "leader"]

    db = client(cluster.remote, "nb")
    insert(db, "Logical_Switch", "name", "before")
    leader = cluster.leader()
    leader.kill()
    # The same client, with the member list, keeps working.
    insert(db, "Logical_Switch", "name", "after")
    survivors = [m for m in cluster.members if m is not leader]
    new_leader = cluster.wait_for_leader()
    assert new_leader in survivors
    for m in survivors:     # both writes are in every surviving member
        other = client(m.remote, "nb")
        assert other.wait_until(
            lambda d: names(d, "Logical_Switch") == ["after", "before"])


def test_relay_serves_reads_and_forwards_writes(rundir, started, client):
    backend = server.start_server(rundir, "sb")
    started.append(backend)
    relay = server.start_relay(rundir, "sb", backend.remote)
    started.append(relay)
    assert "relay:OVN_Southbound:" in " ".join(relay.command())
    direct = client(backend.remote, "sb")
    via_relay = client(relay.tcp_remote, "sb")
    insert(direct, "Address_Set", "name", "written-to-backend")
    assert via_relay.wait_until(lambda d: names(d, "Address_Set")) == ["written-to-backend"]
    insert(via_relay, "Address_Set", "name", "written-via-relay")
    assert direct.wait_until(
        lambda d: names(d, "Address_Set") == ["written-to-backend", "written-via-relay"])
    # The relay keeps no database file of its own.
    assert not os.path.exists(relay.db_path)


def test_relay_in_front_of_cluster(rundir, started, client):
    cluster = server.start_cluster(rundir, "sb", 3)
    started.append(cluster)
    relay = server.start_relay(rundir, "sb", cluster.remote)
    started.append(relay)
    via_relay = client(relay.remote, "sb")
    insert(via_relay, "Address_Set", "name", "as1")
    member = client(cluster.members[2].remote, "sb")
    assert member.wait_until(lambda d: names(d, "Address_Set")) == ["as1"]


def test_ssl_with_generated_certificates(rundir, started, client):
    certs = pki.Pki(rundir).ensure("server", "client")
    for f in (certs.cacert, certs.key("server"), certs.cert("server"),
              certs.key("client"), certs.cert("client")):
        assert os.path.getsize(f) > 0
    srv = server.start_server(rundir, "nb", ssl=certs)
    started.append(srv)
    assert srv.net_remote.startswith("ssl:127.0.0.1:")
    key, cert, ca = certs.client_files()
    db = client(srv.ssl_remote, "nb", ssl_key=key, ssl_cert=cert, ssl_ca_cert=ca)
    insert(db, "Logical_Switch", "name", "over-ssl")
    plain = client(srv.remote, "nb")
    assert plain.wait_until(lambda d: names(d, "Logical_Switch")) == ["over-ssl"]
    # The port really speaks SSL: a plain TCP client gets nothing from it,
    # an SSL client with the client certificate does.
    port = srv.ssl_port
    plain_tcp = subprocess.run(["ovsdb-client", "--timeout=5", "list-dbs",
                                "tcp:127.0.0.1:%d" % port], capture_output=True, text=True)
    assert plain_tcp.returncode != 0
    ssl_cli = subprocess.run(["ovsdb-client", "--timeout=5", "--private-key=" + key,
                              "--certificate=" + cert, "--ca-cert=" + ca, "list-dbs",
                              srv.ssl_remote], capture_output=True, text=True)
    assert "OVN_Northbound" in ssl_cli.stdout.split()


def test_ssl_cluster(rundir, started, client):
    certs = pki.Pki(rundir).ensure("server", "client")
    cluster = server.start_cluster(rundir, "sb", 3, ssl=certs)
    started.append(cluster)
    assert all(r.startswith("ssl:") for r in cluster.remote.split(","))
    db = client(cluster.remote, "sb", ssl_key=certs.key("client"),
                ssl_cert=certs.cert("client"), ssl_ca_cert=certs.cacert)
    insert(db, "Address_Set", "name", "secure")
    assert client(cluster.members[0].remote, "sb").wait_until(
        lambda d: names(d, "Address_Set")) == ["secure"]


def test_bad_remote_is_refused():
    with pytest.raises(ValueError, match="not a database remote"):
        idl.Database("http://example", "nb")
    with pytest.raises(ValueError, match="empty"):
        idl.Database(" , ", "nb")


def test_leader_only_client_talks_to_the_leader(rundir, started, client):
    cluster = server.start_cluster(rundir, "nb", 3)
    started.append(cluster)
    leader = cluster.leader()
    # Member list in an order that puts the leader last.
    members = [m for m in cluster.members if m is not leader] + [leader]
    db = client(",".join(m.tcp_remote for m in members), "nb", leader_only=True)
    db.wait_until(lambda d: d.is_connected())
    assert db.session_name() == leader.tcp_remote
    insert(db, "Logical_Switch", "name", "via-leader")
    follower = client(members[0].remote, "nb")
    assert follower.wait_until(lambda d: names(d, "Logical_Switch")) == ["via-leader"]
