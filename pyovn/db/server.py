"""Creating and running databases on the real ovsdb-server.

A DbServer is one ovsdb-server process that pyovn started, serving one
database, reachable on a unix socket in its run directory (and on TCP or SSL
when asked).  stop() stops only that process.

Three shapes of deployment are built from DbServers:

    DbServer / start_server   a standalone database file
    Cluster / start_cluster   an N-member Raft cluster on loopback TCP
                              (ovsdb-tool create-cluster / join-cluster)
    relay=REMOTE              an ovsdb-server relay (relay:DBNAME:REMOTE) in
                              front of a standalone database or a cluster

Network ports: a server's client port is chosen by the kernel (ptcp:0 /
pssl:0) and read back from the server's log, so it can never clash.  Raft
ports have to be written into the database file before the server starts;
they are taken from the kernel's free ports just before use and each
member's joining is checked (cluster/status).
"""

import os
import re
import socket
import time

from pyovn.db import schemas
from pyovn.util import proc

DEFAULT_NAMES = {"nb": "ovnnb_db", "sb": "ovnsb_db", "ic-nb": "ovn_ic_nb_db",
                 "ic-sb": "ovn_ic_sb_db", "vtep": "vtep", "vswitch": "db"}

_LISTENING = re.compile(r"\|socket_util\|INFO\|0:127\.0\.0\.1: listening on port (\d+)")


class DbError(RuntimeError):
    """Creating or starting a database failed; the message says why."""


def create_db(db_path, kind):
    """Creates a standalone database file of schema KIND at DB_PATH unless
    one exists already."""
    if not os.path.exists(db_path):
        proc.run([proc.which("ovsdb-tool"), "create", db_path, schemas.path(kind)])
    return db_path


def free_port():
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_size(logfile):
    try:
        return os.path.getsize(logfile)
    except OSError:
        return 0


def _read_listening_port(logfile, pid, offset=0, timeout=10.0):
    """The port the server reports listening on, in what it logged after
    OFFSET (earlier runs' lines are kept in the same log)."""
    def port():
        if not proc.pid_alive(pid):
            raise DbError("ovsdb-server exited while starting; see %s" % logfile)
        try:
            with open(logfile) as f:
                f.seek(offset)
                m = _LISTENING.search(f.read())
        except OSError:
            return None
        return int(m.group(1)) if m else None
    return proc.wait_for(port, timeout, what="ovsdb-server to listen (%s)" % logfile)


class DbServer:
    """One ovsdb-server.

    TCP_PORT: None for no TCP remote, 0 for a port chosen by the kernel
    (read back into .tcp_port), or a port number.  SSL: a pyovn.db.pki.Pki;
    then the network remote is SSL (pssl) instead of TCP, on SSL_PORT (0 or
    None: chosen by the kernel).  RELAY: the remote of the database this
    server relays (no database file is created).  DB_PATH may name a file
    created beforehand (a Raft member's)."""

    def __init__(self, rundir, name, kind, db_path=None, tcp_port=None,
                 extra_remotes=(), extra_args=(), ssl=None, ssl_port=None,
                 relay=None):
        self.rundir = os.path.abspath(rundir)
        self.name = name
        self.kind = kind
        self.db_path = db_path or os.path.join(self.rundir, name + ".db")
        self.sock = os.path.join(self.rundir, name + ".sock")
        self.pidfile = os.path.join(self.rundir, name + ".pid")
        self.ctl = os.path.join(self.rundir, name + ".ctl")
        self.logfile = os.path.join(self.rundir, name + ".log")
        self.tcp_port = tcp_port
        self.ssl = ssl
        self.ssl_port = ssl_port if ssl is not None else None
        self.relay = relay
        self.extra_remotes = list(extra_remotes)
        self.extra_args = list(extra_args)
        self.pid = None

    @property
    def db_name(self):
        return schemas.DB_NAMES[self.kind]

    @property
    def remote(self):
        """The connection string clients on this machine use."""
        return "unix:" + self.sock

    @property
    def tcp_remote(self):
        return "tcp:127.0.0.1:%d" % self.tcp_port if self.tcp_port else None

    @property
    def ssl_remote(self):
        return "ssl:127.0.0.1:%d" % self.ssl_port if self.ssl_port else None

    @property
    def net_remote(self):
        """The SSL remote if there is one, else the TCP one, else the unix
        socket."""
        return self.ssl_remote or self.tcp_remote or self.remote

    def _prepare(self):
        if self.relay is None:
            create_db(self.db_path, self.kind)

    def command(self):
        cmd = [proc.which("ovsdb-server"), "--detach", "--no-chdir",
               "--pidfile=" + self.pidfile, "--log-file=" + self.logfile,
               "--unixctl=" + self.ctl, "--remote=punix:" + self.sock,
               "-vconsole:off"]
        if self.ssl is not None:
            cmd += self.ssl.server_args()
            cmd.append("--remote=pssl:%d:127.0.0.1" % (self.ssl_port or 0))
        elif self.tcp_port is not None:
            cmd.append("--remote=ptcp:%d:127.0.0.1" % self.tcp_port)
        cmd += ["--remote=" + r for r in self.extra_remotes]
        cmd += self.extra_args
        if self.relay is not None:
            cmd.append("relay:%s:%s" % (self.db_name, self.relay))
        else:
            cmd.append(self.db_path)
        return cmd

    def start(self):
        os.makedirs(self.rundir, exist_ok=True)
        if self.is_running():
            raise DbError("%s is already running (pid %d, %s)"
                          % (self.name, self.pid or proc.read_pidfile(self.pidfile),
                             self.pidfile))
        self._prepare()
        offset = _log_size(self.logfile)
        proc.run(self.command())
        self.pid = proc.read_pidfile(self.pidfile)
        if self.ssl is not None and not self.ssl_port:
            self.ssl_port = _read_listening_port(self.logfile, self.pid, offset)
        elif self.ssl is None and self.tcp_port == 0:
            self.tcp_port = _read_listening_port(self.logfile, self.pid, offset)
        return self

    def is_running(self):
        return proc.pid_alive(self.pid or proc.read_pidfile(self.pidfile))

    def appctl(self, *args):
        return proc.run([proc.which("ovs-appctl"), "-t", self.ctl] + list(args))

    def cluster_status(self):
        """Parsed `cluster/status` of a Raft member: {"Role": "leader", ...}."""
        out = self.appctl("cluster/status", self.db_name)
        status = {}
        for line in out.splitlines():
            key, sep, value = line.partition(": ")
            if sep and not line.startswith(" "):
                status[key.strip()] = value.strip()
        return status

    def stop(self):
        pid = self.pid or proc.read_pidfile(self.pidfile)
        if not proc.pid_alive(pid):
            return
        try:
            self.appctl("exit")
            proc.wait_for(lambda: not proc.pid_alive(pid), 5.0,
                          what="ovsdb-server %s to exit" % self.name)
        except (proc.ProcError, TimeoutError):
            proc.stop_pid(pid)

    def kill(self):
        """Stops the process abruptly (SIGKILL), as a crash would."""
        pid = self.pid or proc.read_pidfile(self.pidfile)
        if proc.pid_alive(pid):
            os.kill(pid, 9)
            proc.wait_for(lambda: not proc.pid_alive(pid), 5.0,
                          what="ovsdb-server %s to die" % self.name)

    def describe(self):
        """What the state file records about this server."""
        return {"name": self.name, "kind": self.kind, "pid": self.pid,
                "pidfile": self.pidfile, "ctl": self.ctl, "log": self.logfile,
                "db": None if self.relay else self.db_path,
                "remote": self.remote, "tcp_remote": self.tcp_remote,
                "ssl_remote": self.ssl_remote, "relay": self.relay}


class RaftMember(DbServer):
    """A member of a Raft cluster; its database file is created by
    create-cluster (the first member) or join-cluster (the others)."""

    def __init__(self, rundir, name, kind, raft_address, join=None, **kwargs):
        super().__init__(rundir, name, kind, **kwargs)
        self.raft_address = raft_address
        self.join = join

    def _prepare(self):
        if os.path.exists(self.db_path):
            return
        tool = proc.which("ovsdb-tool")
        if self.join is None:
            proc.run([tool, "create-cluster", self.db_path,
                      schemas.path(self.kind), self.raft_address])
        else:
            proc.run([tool, "join-cluster", self.db_path, self.db_name,
                      self.raft_address] + list(self.join))

    def describe(self):
        d = super().describe()
        d["raft"] = self.raft_address
        return d


class Cluster:
    """An N-member Raft cluster of one database on loopback TCP.  Each
    member also listens for clients on its own unix socket and a TCP (or,
    with SSL, an SSL) port; .remote is the comma-separated member list."""

    def __init__(self, rundir, kind, n, name=None, ssl=None, addresses=None):
        """ADDRESSES: the members' Raft addresses when restarting a cluster
        whose files exist already; new ones are chosen otherwise."""
        if n < 1:
            raise DbError("a cluster needs at least 1 member (got %d)" % n)
        if addresses is not None and len(addresses) != n:
            raise DbError("%d Raft addresses given for %d members"
                          % (len(addresses), n))
        self.rundir = os.path.abspath(rundir)
        self.kind = kind
        self.name = name or DEFAULT_NAMES.get(kind, kind)
        self.members = []
        first = None
        for i in range(1, n + 1):
            address = (addresses[i - 1] if addresses
                       else "tcp:127.0.0.1:%d" % free_port())
            m = RaftMember(self.rundir, "%s-%d" % (self.name, i), kind, address,
                           join=None if first is None else [first],
                           tcp_port=0, ssl=ssl)
            first = first or address
            self.members.append(m)

    @property
    def db_name(self):
        return schemas.DB_NAMES[self.kind]

    @property
    def remote(self):
        """Client connection string: every member's network remote."""
        return ",".join(m.net_remote for m in self.members)

    @property
    def unix_remote(self):
        return ",".join(m.remote for m in self.members)

    def start(self, timeout=30.0):
        for m in self.members:
            m.start()
        deadline = time.monotonic() + timeout
        for m in self.members:
            proc.wait_for(lambda: self._joined(m), max(1.0, deadline - time.monotonic()),
                          what="%s to join the cluster" % m.name)
        self.wait_for_leader(max(1.0, deadline - time.monotonic()))
        return self

    @staticmethod
    def _joined(member):
        try:
            return member.cluster_status().get("Status") == "cluster member"
        except proc.ProcError:
            return False

    def leader(self):
        """The member that is leader now, or None."""
        for m in self.members:
            if not m.is_running():
                continue
            try:
                if m.cluster_status().get("Role") == "leader":
                    return m
            except proc.ProcError:
                continue
        return None

    def wait_for_leader(self, timeout=15.0):
        return proc.wait_for(self.leader, timeout, what="a cluster leader")

    def is_running(self):
        return any(m.is_running() for m in self.members)

    def stop(self):
        for m in self.members:
            m.stop()


def start_server(rundir, kind, name=None, **kwargs):
    """Creates (if needed) and starts a database of KIND in RUNDIR."""
    name = name or DEFAULT_NAMES.get(kind, kind)
    return DbServer(rundir, name, kind, **kwargs).start()


def start_cluster(rundir, kind, n, name=None, ssl=None):
    """Creates and starts an N-member Raft cluster of KIND in RUNDIR."""
    return Cluster(rundir, kind, n, name=name, ssl=ssl).start()


def start_relay(rundir, kind, remote, name=None, tcp_port=0, ssl=None):
    """Starts an ovsdb-server relay of database KIND served at REMOTE."""
    name = name or DEFAULT_NAMES.get(kind, kind) + "-relay"
    return DbServer(rundir, name, kind, relay=remote, tcp_port=tcp_port,
                    ssl=ssl).start()
