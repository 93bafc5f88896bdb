"""Controller life cycle: restart keeps forwarding (flows stay installed,
nothing cleared before the new state is ready), `exit --restart` leaves
the chassis registered, a graceful `exit` removes it."""

import os

import pytest

from pyovn.util import proc
from tests.controller.helpers import (ctl_appctl, icmp, is_icmp_seq, nbctl, ofctl_flows,
                                      sbctl, switch)

pytestmark = pytest.mark.peer


def _pid(sb, chassis):
    return proc.read_pidfile(os.path.join(sb.chassis(chassis)["rundir"], "ovn-controller.pid"))


def _wait_gone(pid):
    proc.wait_for(lambda: not os.path.exists("/proc/%d" % pid), 20,
                  what="controller %d to exit" % pid)


def test_restart_keeps_forwarding_and_exit_cleans_up(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    switch(sb, "sw0", [1, 2, 3])
    for i in (1, 2, 3):
        sb.add_vif("hv%d" % i, "vif%d" % i, "p%d" % i)
        sb.wait_port_up("p%d" % i)
    nbctl(sb, "--wait=hv", "sync")
    sb.inject("vif1", icmp(1, 2, seq=1))
    sb.wait_received("vif2", match=is_icmp_seq(1))

    # exit --restart on hv1: the chassis stays, its flows keep forwarding.
    pid = _pid(sb, "hv1")
    ctl_appctl(sb, "hv1", "exit", "--restart")
    _wait_gone(pid)
    assert "hv1" in sbctl(sb, "--bare", "--columns=name", "list", "Chassis")
    for seq in range(2, 6):
        sb.inject("vif1", icmp(1, 2, seq=seq))
        sb.inject("vif2", icmp(2, 1, seq=seq))
    # Start it again and keep sending while it starts up.
    sb._start_controller(sb.chassis("hv1"), "py")
    for seq in range(6, 16):
        sb.inject("vif1", icmp(1, 2, seq=seq))
        sb.inject("vif2", icmp(2, 1, seq=seq))
    nbctl(sb, "--wait=hv", "sync")
    for seq in range(16, 19):
        sb.inject("vif1", icmp(1, 2, seq=seq))
        sb.inject("vif2", icmp(2, 1, seq=seq))
    # No packet lost in either direction.
    got2 = sb.wait_received("vif2", count=18, match=lambda p: p.get("icmp4.type") == 8
                            and p.get("eth.src") is not None)
    got1 = sb.wait_received("vif1", count=17, match=lambda p: p.get("icmp4.type") == 8)
    assert sorted(p.get("icmp4.seq") for p in got2) == list(range(1, 19))
    assert sorted(p.get("icmp4.seq") for p in got1) == list(range(2, 19))
    log = open(os.path.join(sb.chassis("hv1")["rundir"], "ovn-controller.log")).read()
    assert "read back" in log

    # A graceful exit on hv3 removes its chassis rows and releases p3.
    pid = _pid(sb, "hv3")
    ctl_appctl(sb, "hv3", "exit")
    _wait_gone(pid)
    db = sb.sb_db()
    db.wait_until(lambda d: "hv3" not in {c.name for c in d.rows("Chassis")}, timeout=10)
    assert "hv3" not in sbctl(sb, "--bare", "--columns=name", "list", "Chassis_Private")
    assert "hv3" not in sbctl(sb, "--bare", "--columns=chassis_name", "list", "Encap")
    assert sbctl(sb, "--bare", "--columns=chassis", "find", "Port_Binding",
                 "logical_port=p3").strip() == ""
    # The other chassis drop their tunnel to hv3.
    proc.wait_for(lambda: "ovn-hv3-0" not in sb.vsctl("hv1", "list-ports", "br-int"), 10,
                  what="tunnel to hv3 removed on hv1")


def _outage(sb_env, seconds):
    import time
    from pyovn.db.server import DbServer
    sb, flows_before = sb_env
    srv = DbServer(sb.paths.ovn, "ovnsb_db", "sb")
    srv.stop()
    deadline = time.monotonic() + seconds
    seq = 10
    while True:
        seq += 1
        sb.inject("vif1", icmp(1, 2, seq=seq))
        sb.wait_received("vif2", match=is_icmp_seq(seq))
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert ofctl_flows(sb, "hv1") == flows_before
    srv.start()
    return seq


def _sb_outage_setup(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="c", controller="py")
    switch(sb, "sw0", [1, 2, 3])
    for i in (1, 2):
        sb.add_vif("hv%d" % i, "vif%d" % i, "p%d" % i)
        sb.wait_port_up("p%d" % i)
    nbctl(sb, "--wait=hv", "sync")
    return sb, ofctl_flows(sb, "hv1")


def _after_outage(sb, seq):
    # Back to normal: new ports bind and --wait=hv works again.
    sb.add_vif("hv3", "vif3", "p3")
    sb.wait_port_up("p3", timeout=30)
    nbctl(sb, "--wait=hv", "--timeout=30", "sync")
    sb.inject("vif1", icmp(1, 3, seq=seq + 1))
    sb.wait_received("vif3", match=is_icmp_seq(seq + 1))
    assert ctl_appctl(sb, "hv1", "connection-status").strip() == "connected"


def test_southbound_outage_flows_unchanged(sandbox_factory):
    sb, before = _sb_outage_setup(sandbox_factory)
    seq = _outage((sb, before), 3)
    _after_outage(sb, seq)


@pytest.mark.slow
def test_southbound_outage_30s(sandbox_factory):
    sb, before = _sb_outage_setup(sandbox_factory)
    seq = _outage((sb, before), 30)
    _after_outage(sb, seq)
