"""Fixtures for northd tests: real NB and SB ovsdb-servers, a small NB
writer on python-ovs (no C tools), and a pyovn northd daemon."""

import os
import subprocess
import sys

import pytest

from pyovn.db.idl import Database
from pyovn.util import proc


from northd_testlib import Nb  # noqa: E402


@pytest.fixture
def dbs(ovsdb):
    nb = ovsdb("nb")
    sb = ovsdb("sb")
    return nb, sb


@pytest.fixture
def nb(dbs):
    w = Nb(dbs[0].remote)
    yield w
    w.db.close()


@pytest.fixture
def sb(dbs):
    db = Database(dbs[1].remote, "sb").sync()
    yield db
    db.close()


class NorthdProc:
    def __init__(self, rundir, nb_remote, sb_remote, name="northd", extra=()):
        self.rundir = rundir
        self.ctl = os.path.join(rundir, name + ".ctl")
        self.log = os.path.join(rundir, name + ".log")
        self.pidfile = os.path.join(rundir, name + ".pid")
        cmd = [sys.executable, "-m", "pyovn.cli", "northd",
               "--ovnnb-db=" + nb_remote, "--ovnsb-db=" + sb_remote,
               "--unixctl=" + self.ctl, "--log-file=" + self.log,
               "--pidfile=" + self.pidfile, "-vconsole:off"] + list(extra)
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
        proc.wait_for(lambda: os.path.exists(self.ctl), 10, what="northd control socket")

    def appctl(self, *args):
        return subprocess.run(["ovs-appctl", "-t", self.ctl] + list(args),
                              capture_output=True, text=True, timeout=10).stdout.strip()

    def log_text(self):
        with open(self.log) as f:
            return f.read()

    def kill9(self):
        self.p.kill()
        self.p.wait(5)

    def stop(self):
        if self.p.poll() is None:
            try:
                self.appctl("exit")
                self.p.wait(5)
            except Exception:
                self.p.kill()
                self.p.wait(5)


@pytest.fixture
def northd(dbs, rundir):
    started = []

    def start(name="northd", extra=()):
        n = NorthdProc(rundir, dbs[0].remote, dbs[1].remote, name, extra)
        started.append(n)
        return n
    yield start
    for n in started:
        n.stop()


