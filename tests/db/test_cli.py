"""`pyovn db start|stop|status`."""

import json
import os

import pytest

from pyovn import cli as pyovn_cli
from pyovn.db import cli, idl, server
from pyovn.util import proc


@pytest.fixture
def db(rundir, capsys):
    """db(args...) runs `pyovn db --rundir RUNDIR args...` and returns
    (exit status, stdout, stderr); everything started is stopped at the end."""
    def run(*args):
        rc = pyovn_cli.main(["db", "--rundir", rundir] + list(args))
        out, err = capsys.readouterr()
        return rc, out, err
    yield run
    if os.path.exists(os.path.join(rundir, cli.STATE_FILE)):
        cli.stop(rundir)


def write_and_read(remote, kind="nb", name="ls0", **ssl):
    a = idl.Database(remote, kind, **ssl).sync()
    try:
        def build(txn):
            ls = txn.insert(a.tables["Logical_Switch" if kind == "nb" else "Address_Set"])
            ls.name = name
        a.transact(build)
        table = "Logical_Switch" if kind == "nb" else "Address_Set"
        return sorted(r.name for r in a.wait_until(lambda d: d.rows(table)))
    finally:
        a.close()


def pids(rundir):
    with open(os.path.join(rundir, cli.STATE_FILE)) as f:
        state = json.load(f)
    return [s["pid"] for e in state["deployments"].values() for s in e["servers"]]


def test_start_status_stop_standalone(db, rundir):
    rc, out, _ = db("start", "nb")
    assert rc == 0
    remote = out.strip()
    assert remote == "unix:" + os.path.join(rundir, "ovnnb_db.sock")
    assert write_and_read(remote) == ["ls0"]

    rc, out, _ = db("status")
    assert rc == 0
    assert "nb (OVN_Northbound), standalone database: " + remote in out
    assert "ovnnb_db: running, pid" in out

    rc, out, err = db("start", "nb")
    assert rc == 1 and "nb is already running" in err

    (pid,) = pids(rundir)
    rc, out, _ = db("stop")
    assert rc == 0 and out == "stopped nb\n"
    assert not proc.pid_alive(pid)
    rc, out, _ = db("status")
    assert rc == 1 and "ovnnb_db: stopped" in out

    # Started again: the same database file, nothing lost.
    rc, out, _ = db("start", "nb")
    assert rc == 0 and write_and_read(out.strip(), name="ls1") == ["ls0", "ls1"]


def test_stop_leaves_other_servers_alone(db, rundir, started):
    other = server.start_server(rundir, "sb", name="not-pyovn-db")
    started.append(other)
    assert db("start", "nb")[0] == 0
    assert db("stop")[0] == 0
    assert other.is_running()


def test_cluster_with_relay(db, rundir):
    rc, out, _ = db("start", "sb", "--cluster", "3", "--relay")
    assert rc == 0
    remote = out.strip()
    assert remote.startswith("tcp:127.0.0.1:") and "," not in remote   # the relay
    assert write_and_read(remote, "sb", "as0") == ["as0"]
    rc, out, _ = db("status", "sb")
    assert rc == 0
    assert out.count("raft leader") == 1 and out.count("raft follower") == 2
    assert "ovnsb_db-relay: running" in out
    with open(os.path.join(rundir, cli.STATE_FILE)) as f:
        entry = json.load(f)["deployments"]["sb"]
    members = entry["backend_remote"].split(",")
    assert len(members) == 3
    assert write_and_read(entry["backend_remote"], "sb", "as1") == ["as0", "as1"]

    # Stopped and started again the same way: same cluster, same data.
    assert db("stop", "sb")[0] == 0
    rc, out, err = db("start", "sb", "--cluster", "3", "--relay")
    assert rc == 0, err
    assert write_and_read(out.strip(), "sb", "as2") == ["as0", "as1", "as2"]
    # A different shape is refused while the old files exist...
    assert db("stop", "sb")[0] == 0
    rc, _, err = db("start", "sb")
    assert rc == 1 and "3-member cluster" in err and "--remove" in err
    # ...until they are removed.
    assert db("stop", "--remove", "sb")[0] == 0
    assert not any(f.startswith("ovnsb_db") and f.endswith(".db") for f in os.listdir(rundir))
    rc, out, _ = db("start", "sb")
    assert rc == 0 and write_and_read(out.strip(), "sb", "fresh") == ["fresh"]


def test_cluster_prints_member_list(db):
    rc, out, _ = db("start", "nb", "--cluster", "3")
    assert rc == 0
    members = out.strip().split(",")
    assert len(members) == 3 and all(m.startswith("tcp:127.0.0.1:") for m in members)
    assert write_and_read(out.strip()) == ["ls0"]


def test_ssl(db, rundir):
    rc, out, err = db("start", "ic-sb", "--ssl")
    assert rc == 0
    remote = out.strip()
    assert remote.startswith("ssl:127.0.0.1:")
    pki = os.path.join(rundir, "pki")
    assert "--private-key=%s/client-privkey.pem" % pki in err
    files = dict(ssl_key=os.path.join(pki, "client-privkey.pem"),
                 ssl_cert=os.path.join(pki, "client-cert.pem"),
                 ssl_ca_cert=os.path.join(pki, "cacert.pem"))
    a = idl.Database(remote, "ic-sb", **files).sync()
    try:
        a.transact(lambda txn: setattr(txn.insert(a.tables["Availability_Zone"]),
                                       "name", "az1"))
        assert [r.name for r in a.wait_until(lambda d: d.rows("Availability_Zone"))] == ["az1"]
    finally:
        a.close()


@pytest.mark.parametrize("args,message", [
    (["start", "frob"], "unknown database 'frob'"),
    (["start", "nb", "--cluster", "0"], "at least 1"),
    (["stop", "vtep"], "no vtep database was started"),
])
def test_bad_arguments(db, args, message):
    rc, out, err = db(*args)
    assert rc != 0 and message in err and out == ""


def test_help(db):
    rc, out, _ = db("--help")
    assert rc == 0 and "start" in out and "status" in out
    rc, out, _ = db("start", "--help")
    assert rc == 0 and "--cluster" in out and "--relay" in out and "--ssl" in out
