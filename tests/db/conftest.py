"""Fixtures of the db tests: databases, clusters, relays and clients that
all stop at the end of the test."""

import pytest

from pyovn.db import idl, server


@pytest.fixture
def started():
    """A list to put servers, clusters and Database clients in; everything
    in it is stopped / closed at the end of the test."""
    things = []
    yield things
    for t in reversed(things):
        if isinstance(t, idl.Database):
            t.close()
        else:
            t.stop()


@pytest.fixture
def client(started):
    """client(remote, kind, **kw) -> a synced idl.Database."""
    def make(remote, kind, **kwargs):
        db = idl.Database(remote, kind, **kwargs)
        started.append(db)
        return db.sync()
    return make


@pytest.fixture
def nb(rundir, started, client):
    """A standalone NB database and a client of it."""
    srv = server.start_server(rundir, "nb")
    started.append(srv)
    return client(srv.remote, "nb")
