"""One benchmark deployment: NB and SB ovsdb-servers (pyovn.db.server,
pyovn's schemas) in a private run directory, and the daemons the benchmark
starts and stops in it.  Only processes started here are ever signalled,
by their own PID.

IMPLS says which programs make up each side: "py" is pyovn (`pyovn
northd`, `pyovn controller`, `pyovn nbctl`), "c" the C OVN 23.03 peers
(ovn-northd, ovn-controller, ovn-nbctl).  A side never borrows the other
side's programs.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

from pyovn.db import idl, server
from pyovn.util import proc

from bench.measure import proc_status

IMPL_NAMES = {"py": "pyovn", "c": "C"}


class NotReady(RuntimeError):
    """A daemon did not reach the state we wait for (it died, or timed
    out); the message says which and why."""


def pyovn_command():
    """How to run the `pyovn` command of this checkout."""
    script = os.path.join(os.path.dirname(sys.executable), "pyovn")
    if os.access(script, os.X_OK):
        return [script]
    return [sys.executable, "-m", "pyovn.cli"]


def pyovn_part_built(name):
    """True if `pyovn NAME` exists (its module imports)."""
    from pyovn import cli
    try:
        return cli.load(name) is not None
    except Exception:           # a half-written part: not usable either
        return False


def daemon_env(rundir):
    env = dict(os.environ)
    for var in ("OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVN_RUNDIR", "OVN_LOGDIR",
                "OVN_DBDIR"):
        env[var] = rundir
    for var in ("OVN_NB_DAEMON", "OVN_SB_DAEMON", "OVN_NB_DB", "OVN_SB_DB"):
        env.pop(var, None)
    return env


class Daemon:
    """A daemon started in the foreground (not --detach), so that its PID
    is the Popen's."""

    def __init__(self, name, argv, rundir, env=None):
        self.name = name
        self.argv = argv
        self.rundir = rundir
        self.env = env or daemon_env(rundir)
        self.popen = None

    def start(self):
        out = open(os.path.join(self.rundir, self.name + ".stdout"), "ab")
        try:
            self.popen = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                          env=self.env, cwd=self.rundir,
                                          start_new_session=True)
        finally:
            out.close()
        return self

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def status(self):
        return proc_status(self.pid) if self.alive() else {}

    def stop(self, timeout=10.0):
        if not self.alive():
            self.popen = None
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            try:
                os.kill(self.popen.pid, sig)
                self.popen.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
        self.popen = None

    def tail(self, n=5):
        """The last lines of its log, to say why it failed."""
        for name in (self.name + ".log", self.name + ".stdout"):
            path = os.path.join(self.rundir, name)
            try:
                with open(path) as f:
                    lines = [l.rstrip() for l in f if l.strip()]
            except OSError:
                continue
            if lines:
                return "\n".join(lines[-n:])
        return ""


class Deployment:
    """NB + SB databases and a northd of one implementation (IMPL)."""

    def __init__(self, rundir, impl):
        self.rundir = rundir
        self.impl = impl
        os.makedirs(rundir, exist_ok=True)
        self.nb = None
        self.sb = None
        self.northd = None
        self._nbmon = None
        # nbctl's --timeout: how long a --wait may take.
        self.client_timeout = 600

    # -- databases ------------------------------------------------------------
    def start_nb(self, from_file=None):
        """Starts the NB server, on a copy of FROM_FILE if given."""
        if from_file:
            shutil.copyfile(from_file, os.path.join(self.rundir, "nb.db"))
        self.nb = server.DbServer(self.rundir, "nb", "nb").start()
        return self.nb

    def fresh_sb(self):
        """Stops the SB server (if running) and starts it on an empty
        database."""
        if self.sb is not None:
            self.sb.stop()
        path = os.path.join(self.rundir, "sb.db")
        if os.path.exists(path):
            os.unlink(path)
        self.sb = server.DbServer(self.rundir, "sb", "sb").start()
        return self.sb

    def nb_monitor(self):
        """A client of NB that watches NB_Global's cfg columns."""
        if self._nbmon is None:
            self._nbmon = idl.Database(self.nb.remote, "nb", tables={
                "NB_Global": ["nb_cfg", "sb_cfg", "hv_cfg"]}).sync()
        return self._nbmon

    def bump_nb_cfg(self):
        """Increments NB_Global.nb_cfg; returns the new value."""
        db = self.nb_monitor()
        db.wait_until(lambda d: d.rows("NB_Global"), timeout=30)
        box = {}

        def build(txn):
            # python-ovs only sends an increment along with other changes:
            # write the next value, conditional on the one read.
            row = db.rows("NB_Global")[0]
            row.verify("nb_cfg")
            box["value"] = row.nb_cfg + 1
            row.nb_cfg = box["value"]
        db.transact(build)
        return box["value"]

    def wait_cfg(self, column, target, timeout, daemons):
        """Waits until NB_Global.COLUMN >= TARGET while DAEMONS run."""
        db = self.nb_monitor()
        self._wait(db, lambda d: any(getattr(r, column) >= target
                                     for r in d.rows("NB_Global")),
                   timeout, daemons, "NB_Global.%s >= %d" % (column, target))

    @staticmethod
    def _wait(db, predicate, timeout, daemons, what):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if db.wait_until(predicate, timeout=0.5):
                    return
            except TimeoutError:
                pass
            for d in daemons:
                if not d.alive():
                    raise NotReady("%s exited while waiting for %s:\n%s"
                                   % (d.name, what, d.tail()))
            if time.monotonic() > deadline:
                raise NotReady("%s: no %s within %gs" % (
                    ", ".join(d.name for d in daemons), what, timeout))

    # -- northd --------------------------------------------------------------------
    def northd_argv(self):
        prog = (pyovn_command() + ["northd"]) if self.impl == "py" else \
            [proc.which("ovn-northd")]
        return prog + ["--ovnnb-db=" + self.nb.remote, "--ovnsb-db=" + self.sb.remote,
                       "--unixctl=" + os.path.join(self.rundir, "northd.ctl"),
                       "--pidfile=" + os.path.join(self.rundir, "northd.pid"),
                       "--log-file=" + os.path.join(self.rundir, "northd.log"),
                       "-vconsole:off"]

    def start_northd(self):
        self.stop_northd()
        self.northd = Daemon("northd", self.northd_argv(), self.rundir).start()
        return self.northd

    def stop_northd(self):
        if self.northd is not None:
            self.northd.stop()

    # -- clients --------------------------------------------------------------------
    def nbctl_argv(self, client):
        """The one-shot nbctl of CLIENT ("py" or "c")."""
        prog = (pyovn_command() + ["nbctl"]) if client == "py" else \
            [proc.which("ovn-nbctl")]
        return prog + ["--db=" + self.nb.remote, "--timeout=%d" % self.client_timeout]

    def run_nbctl(self, client, args, wait="sb"):
        """Runs one nbctl command line; returns its wall-clock seconds."""
        argv = self.nbctl_argv(client) + (["--wait=" + wait] if wait else []) + list(args)
        t0 = time.perf_counter()
        r = subprocess.run(argv, capture_output=True, text=True,
                           timeout=self.client_timeout + 60,
                           env=daemon_env(self.rundir), cwd=self.rundir)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            raise NotReady("%s failed (exit %d): %s" % (" ".join(argv), r.returncode,
                                                       (r.stderr or r.stdout).strip()))
        return dt

    # -- the end -------------------------------------------------------------------
    def stop(self):
        self.stop_northd()
        if self._nbmon is not None:
            self._nbmon.close()
            self._nbmon = None
        for srv in (self.sb, self.nb):
            if srv is not None:
                srv.stop()
