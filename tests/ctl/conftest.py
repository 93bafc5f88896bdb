"""Fixtures for the ctl tools: fresh NB / SB databases on a real
ovsdb-server and in-process runners of pyovn nbctl / sbctl."""

import io
import os
import subprocess

import pytest

from pyovn.db.idl import Database


class Ctl:
    """Runs one pyovn ctl tool in-process against one database."""

    def __init__(self, module, server, kind):
        self.module = module
        self.server = server
        self.remote = server.remote
        self.kind = kind

    def run(self, *argv):
        """Returns (status, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        rc = self.module.PROGRAM.main(["--db=" + self.remote] + list(argv),
                                      stdout=out, stderr=err)
        return rc, out.getvalue(), err.getvalue()

    def __call__(self, *argv):
        """Runs and expects success; returns stdout."""
        rc, out, err = self.run(*argv)
        assert rc == 0, "%s failed: %s" % (" ".join(argv), err)
        assert err == ""
        return out

    def fails(self, *argv):
        """Runs and expects failure; returns stderr."""
        rc, out, err = self.run(*argv)
        assert rc == 1, "%s should have failed, printed %r" % (argv, out)
        return err

    def dump(self):
        """The database contents: {table: [row dict]} read with ovsdb-client."""
        db = Database(self.remote, self.kind)
        try:
            db.sync()
            return {t: [dict((c, getattr(r, c)) for c in db.tables[t].columns)
                        for r in db.rows(t)] for t in db.tables}
        finally:
            db.close()

    def rows(self, table):
        return self.dump()[table]

    def raw_dump(self):
        return subprocess.run(["ovsdb-client", "dump", self.remote],
                              capture_output=True, text=True,
                              check=True).stdout


@pytest.fixture
def nbctl(ovsdb):
    from pyovn.ctl import nbctl as mod
    return Ctl(mod, ovsdb("nb"), "nb")


@pytest.fixture
def sbctl(ovsdb):
    from pyovn.ctl import sbctl as mod
    return Ctl(mod, ovsdb("sb"), "sb")
