"""Creating and running databases on the real ovsdb-server.

A DbServer is one ovsdb-server process that pyovn started, serving one
database file, reachable on a unix socket in its run directory (and on TCP
when asked).  stop() stops only that process.
"""

import os

from pyovn.db import schemas
from pyovn.util import proc


def create_db(db_path, kind):
    """Creates a standalone database file of schema KIND at DB_PATH unless
    one exists already."""
    if not os.path.exists(db_path):
        proc.run([proc.which("ovsdb-tool"), "create", db_path, schemas.path(kind)])
    return db_path


class DbServer:
    def __init__(self, rundir, name, kind, db_path=None, tcp_port=None,
                 extra_remotes=(), extra_args=()):
        self.rundir = os.path.abspath(rundir)
        self.name = name
        self.kind = kind
        self.db_path = db_path or os.path.join(self.rundir, name + ".db")
        self.sock = os.path.join(self.rundir, name + ".sock")
        self.pidfile = os.path.join(self.rundir, name + ".pid")
        self.ctl = os.path.join(self.rundir, name + ".ctl")
        self.logfile = os.path.join(self.rundir, name + ".log")
        self.tcp_port = tcp_port
        self.extra_remotes = list(extra_remotes)
        self.extra_args = list(extra_args)
        self.pid = None

    @property
    def remote(self):
        """The connection string clients use."""
        return "unix:" + self.sock

    @property
    def tcp_remote(self):
        return "tcp:127.0.0.1:%d" % self.tcp_port if self.tcp_port else None

    def start(self):
        os.makedirs(self.rundir, exist_ok=True)
        create_db(self.db_path, self.kind)
        cmd = [proc.which("ovsdb-server"), "--detach", "--no-chdir",
               "--pidfile=" + self.pidfile, "--log-file=" + self.logfile,
               "--unixctl=" + self.ctl, "--remote=punix:" + self.sock,
               "-vconsole:off"]
        if self.tcp_port:
            cmd.append("--remote=ptcp:%d:127.0.0.1" % self.tcp_port)
        cmd += ["--remote=" + r for r in self.extra_remotes]
        cmd += self.extra_args
        cmd.append(self.db_path)
        proc.run(cmd)
        self.pid = proc.read_pidfile(self.pidfile)
        return self

    def is_running(self):
        return proc.pid_alive(self.pid or proc.read_pidfile(self.pidfile))

    def appctl(self, *args):
        return proc.run([proc.which("ovs-appctl"), "-t", self.ctl] + list(args))

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


def start_server(rundir, kind, name=None, **kwargs):
    """Creates (if needed) and starts a database of KIND in RUNDIR."""
    name = name or {"nb": "ovnnb_db", "sb": "ovnsb_db", "ic-nb": "ovn_ic_nb_db",
                    "ic-sb": "ovn_ic_sb_db", "vtep": "vtep",
                    "vswitch": "db"}.get(kind, kind)
    return DbServer(rundir, name, kind, **kwargs).start()
