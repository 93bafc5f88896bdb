"""`pyovn db`: create, start, stop and inspect OVN databases on the real
ovsdb-server.

    pyovn db start nb|sb|ic-nb|ic-sb|vtep [--cluster N] [--relay] [--ssl]
                   [--rundir DIR]
    pyovn db stop [KIND...] [--remove] [--rundir DIR]
    pyovn db status [KIND...] [--rundir DIR]

`start` prints the connection string clients use (one line, so that
`export OVN_NB_DB=$(pyovn db start nb)` works).  What it started is recorded
in DIR/pyovn-db.json; `stop` and `status` act only on what is recorded there.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

from pyovn.db import pki as pki_mod
from pyovn.db import schemas
from pyovn.db import server
from pyovn.util import proc

KINDS = ("nb", "sb", "ic-nb", "ic-sb", "vtep")
STATE_FILE = "pyovn-db.json"


class UsageError(Exception):
    pass


def default_rundir():
    """OVN_RUNDIR if set, else a private directory under the temp dir (unix
    socket paths must stay short)."""
    return os.environ.get("OVN_RUNDIR") or os.path.join(
        tempfile.gettempdir(), "pyovn-db-%d" % os.getuid())


# -- the state file -------------------------------------------------------------

def _state_path(rundir):
    return os.path.join(rundir, STATE_FILE)


def load_state(rundir):
    try:
        with open(_state_path(rundir)) as f:
            state = json.load(f)
    except FileNotFoundError:
        return {"deployments": {}}
    except (OSError, ValueError) as e:
        raise UsageError("cannot read %s: %s" % (_state_path(rundir), e))
    state.setdefault("deployments", {})
    return state


def save_state(rundir, state):
    path = _state_path(rundir)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


# -- start ----------------------------------------------------------------------

def _ours(entry):
    """Servers of a recorded deployment still running as the process we
    started (the pidfile still names the pid we recorded)."""
    alive = []
    for srv in entry["servers"]:
        pid = srv.get("pid")
        if pid and proc.read_pidfile(srv["pidfile"]) == pid and proc.pid_alive(pid):
            alive.append(srv)
    return alive


def start(rundir, kind, cluster=None, relay=False, ssl=False):
    """Starts a deployment of KIND; returns its state entry."""
    if kind not in KINDS:
        raise UsageError("unknown database '%s' (expected one of: %s)"
                         % (kind, ", ".join(KINDS)))
    if cluster is not None and cluster < 1:
        raise UsageError("--cluster needs a member count of at least 1 (got %d)"
                         % cluster)
    os.makedirs(rundir, exist_ok=True)
    state = load_state(rundir)
    old = state["deployments"].get(kind)
    shape = {"cluster": cluster, "relay": bool(relay), "ssl": bool(ssl)}
    addresses = None
    if old:
        if _ours(old):
            raise UsageError("%s is already running in %s (connection string %s); "
                             "'pyovn db stop %s' first" % (kind, rundir, old["remote"], kind))
        if old["shape"].get("cluster") != cluster:
            raise UsageError(
                "%s in %s was a %s before; its files are kept: start it the same "
                "way, or remove them with 'pyovn db stop --remove %s'"
                % (kind, rundir, _shape_text(old["shape"]), kind))
        addresses = old.get("raft")

    tls = pki_mod.Pki(rundir).ensure("server", "client") if ssl else None
    started = []
    try:
        if cluster:
            backend = server.Cluster(rundir, kind, cluster, ssl=tls, addresses=addresses)
            started.append(backend)
            backend.start()
            servers = list(backend.members)
            remote = backend.remote
            unix_remote = backend.unix_remote
        else:
            backend = server.DbServer(rundir, server.DEFAULT_NAMES[kind], kind,
                                      tcp_port=0, ssl=tls)
            started.append(backend)
            backend.start()
            servers = [backend]
            remote = backend.ssl_remote if ssl else backend.remote
            unix_remote = backend.remote
        backend_remote = remote
        if relay:
            r = server.DbServer(rundir, server.DEFAULT_NAMES[kind] + "-relay", kind,
                                relay=backend.remote,
                                tcp_port=0, ssl=tls)
            started.append(r)
            r.start()
            servers.append(r)
            remote = r.ssl_remote if ssl else (r.tcp_remote if cluster else r.remote)
            unix_remote = r.remote
    except BaseException:
        for s in started:
            s.stop()
        raise

    entry = {"kind": kind, "db_name": schemas.DB_NAMES[kind], "shape": shape,
             "remote": remote, "unix_remote": unix_remote,
             "backend_remote": backend_remote,
             "servers": [s.describe() for s in servers]}
    if cluster:
        entry["raft"] = [m.raft_address for m in backend.members]
    if tls:
        key, cert, ca = tls.client_files()
        entry["ssl"] = {"private_key": key, "certificate": cert, "ca_cert": ca}
    state["deployments"][kind] = entry
    save_state(rundir, state)
    return entry


def _shape_text(shape):
    parts = ["%d-member cluster" % shape["cluster"] if shape.get("cluster")
             else "standalone database"]
    if shape.get("relay"):
        parts.append("with relay")
    if shape.get("ssl"):
        parts.append("with SSL")
    return " ".join(parts)


# -- stop / status -------------------------------------------------------------

def stop(rundir, kinds=None, remove=False):
    """Stops what `start` recorded (all kinds, or KINDS).  Returns the kinds
    stopped.  With REMOVE, also deletes their database files."""
    state = load_state(rundir)
    deployments = state["deployments"]
    for k in kinds or []:
        if k not in deployments:
            raise UsageError("no %s database was started in %s" % (k, rundir))
    done = []
    for kind in list(kinds or deployments):
        entry = deployments[kind]
        for srv in _ours(entry):
            server.DbServer(rundir, srv["name"], kind).stop()
        for srv in entry["servers"]:
            srv["pid"] = None
        if remove:
            for srv in entry["servers"]:
                for f in (srv.get("db"), srv.get("log"), srv.get("pidfile")):
                    if f and os.path.exists(f):
                        os.unlink(f)
            del deployments[kind]
        done.append(kind)
    if remove and not deployments and os.path.isdir(os.path.join(rundir, "pki")):
        shutil.rmtree(os.path.join(rundir, "pki"))
    save_state(rundir, state)
    return done


def status(rundir, kinds=None, out=None):
    out = out or sys.stdout
    state = load_state(rundir)
    deployments = state["deployments"]
    if not deployments:
        out.write("no databases started in %s\n" % rundir)
        return 1
    rc = 0
    for kind in kinds or sorted(deployments):
        entry = deployments.get(kind)
        if entry is None:
            out.write("%s: not started in %s\n" % (kind, rundir))
            rc = 1
            continue
        alive = {s["name"] for s in _ours(entry)}
        out.write("%s (%s), %s: %s\n" % (kind, entry["db_name"],
                                         _shape_text(entry["shape"]), entry["remote"]))
        for srv in entry["servers"]:
            what = "running, pid %d" % srv["pid"] if srv["name"] in alive else "stopped"
            extra = ""
            if srv["name"] in alive and srv.get("raft"):
                try:
                    st = server.DbServer(rundir, srv["name"], kind).cluster_status()
                    extra = ", raft %s %s" % (st.get("Role", "?"), srv["raft"])
                except proc.ProcError:
                    extra = ", raft status unavailable"
            if srv.get("relay"):
                extra = ", relay of %s" % srv["relay"]
            remotes = [r for r in (srv["remote"], srv.get("tcp_remote"),
                                   srv.get("ssl_remote")) if r]
            out.write("  %s: %s%s; %s\n" % (srv["name"], what, extra, " ".join(remotes)))
        if entry.get("ssl"):
            s = entry["ssl"]
            out.write("  client SSL: --private-key=%s --certificate=%s --ca-cert=%s\n"
                      % (s["private_key"], s["certificate"], s["ca_cert"]))
        if len(alive) != len(entry["servers"]):
            rc = 1
    return rc


# -- command line ---------------------------------------------------------------

def _parser():
    p = argparse.ArgumentParser(
        prog="pyovn db",
        description="Create and run OVN databases on ovsdb-server.")
    p.add_argument("--rundir", default=None,
                   help="directory for databases, sockets, logs and the state file "
                        "(default: $OVN_RUNDIR, else %s)" % default_rundir())
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    s = sub.add_parser("start", help="create (if needed) and start a database; "
                                     "prints its connection string")
    s.add_argument("kind", metavar="KIND", help="one of: " + ", ".join(KINDS))
    s.add_argument("--cluster", type=int, metavar="N",
                   help="an N-member Raft cluster on loopback TCP")
    s.add_argument("--relay", action="store_true",
                   help="put an ovsdb-server relay in front; print its remote")
    s.add_argument("--ssl", action="store_true",
                   help="serve SSL, with ovs-pki certificates made in RUNDIR/pki")
    s.add_argument("--rundir", default=argparse.SUPPRESS)
    t = sub.add_parser("stop", help="stop databases that 'start' started")
    t.add_argument("kinds", nargs="*", metavar="KIND")
    t.add_argument("--remove", action="store_true",
                   help="also delete their database files")
    t.add_argument("--rundir", default=argparse.SUPPRESS)
    u = sub.add_parser("status", help="show what 'start' started and whether it runs")
    u.add_argument("kinds", nargs="*", metavar="KIND")
    u.add_argument("--rundir", default=argparse.SUPPRESS)
    return p


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return e.code or 0
    if not args.command:
        parser.print_help()
        return 2
    rundir = os.path.abspath(args.rundir or default_rundir())
    try:
        if args.command == "start":
            entry = start(rundir, args.kind, cluster=args.cluster,
                          relay=args.relay, ssl=args.ssl)
            print(entry["remote"])
            if entry.get("ssl"):
                s = entry["ssl"]
                sys.stderr.write("pyovn db: client SSL files: --private-key=%s "
                                 "--certificate=%s --ca-cert=%s\n"
                                 % (s["private_key"], s["certificate"], s["ca_cert"]))
            return 0
        if args.command == "stop":
            for kind in stop(rundir, args.kinds, remove=args.remove):
                print("stopped %s" % kind)
            return 0
        return status(rundir, args.kinds)
    except (UsageError, server.DbError, proc.ProcError, TimeoutError) as e:
        sys.stderr.write("pyovn db: %s\n" % e)
        return 1
