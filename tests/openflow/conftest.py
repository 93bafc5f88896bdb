"""Fixtures for the OpenFlow tests: a real ovs-vswitchd (dummy datapath)
per test module, and a fresh br-int per test."""

import shutil
import tempfile

import pytest

from pyovn.openflow.testing import Switch


@pytest.fixture(scope="module")
def switch():
    d = tempfile.mkdtemp(prefix="pyovn-of-")
    sw = Switch(d).start()
    yield sw
    sw.stop()
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def br_int(switch):
    """br-int on SWITCH with dummy ports p1 (ofport 1) and p2 (ofport 2)."""
    switch.add_bridge("br-int")
    switch.add_port("br-int", "p1", 1)
    switch.add_port("br-int", "p2", 2)
    yield switch
    switch.del_bridge("br-int")
