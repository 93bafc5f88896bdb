"""Fixtures shared by the whole suite.  Areas keep their own fixtures in
tests/<area>/conftest.py."""

import os
import tempfile

import pytest

from pyovn.db import server
from pyovn.sandbox.fixture import sandbox_factory  # noqa: F401  (pytest fixture)


@pytest.fixture
def rundir():
    """A short private directory (unix socket paths must stay < 108 bytes)."""
    d = tempfile.mkdtemp(prefix="pyovn-")
    yield d


@pytest.fixture
def ovsdb(rundir):
    """Factory: ovsdb(kind) starts a real ovsdb-server with a fresh database
    of that schema kind; all of them stop at the end of the test."""
    started = []

    def start(kind, name=None, **kwargs):
        srv = server.start_server(rundir, kind, name=name, **kwargs)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()
