"""Fixtures for northd tests: real NB and SB ovsdb-servers, a small NB
writer on python-ovs (no C tools), and a pyovn northd daemon."""

import pytest

from pyovn.db.idl import Database

from northd_testlib import Nb, NorthdProc


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


