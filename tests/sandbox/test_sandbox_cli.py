"""`pyovn sandbox` commands, each run as a new process (so everything
works from the state file), and the errors for bad input."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile

import pytest

from pyovn import packet
from pyovn.packet import pcap
from pyovn.sandbox import Sandbox, SandboxError
from pyovn.util import proc


def run(*args, check=True):
    p = subprocess.run([sys.executable, "-m", "pyovn.cli", "sandbox"] + list(args),
                       capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError("pyovn sandbox %s failed (%d): %s%s"
                             % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


@pytest.fixture
def sbdir():
    d = tempfile.mkdtemp(prefix="pyovn-sbx-")
    yield d
    Sandbox(d).down()
    shutil.rmtree(d, ignore_errors=True)


@pytest.mark.peer
def test_cli_up_vif_inject_received_status_shell_down(sbdir):
    """The issue's "done when": `pyovn sandbox up --chassis 3` with the C
    daemons delivers a packet from a VIF on chassis 1 to one on chassis 3
    across Geneve."""
    out = run("up", "--dir", sbdir, "--chassis", "3", "--debug-logs").stdout
    assert "sandbox up" in out and "OVN_NB_DB=unix:" in out
    st = run("status", "--dir", sbdir).stdout
    assert "14 of 14 processes running" in st and "hv3/controller" in st
    vswitchd = dict(Sandbox(sbdir).running())["hv1/ovs-vswitchd"]
    with open("/proc/%d/cmdline" % vswitchd, "rb") as f:
        assert b"-vvconn" in f.read().split(b"\0")

    shell = run("shell", "--dir", sbdir, "--chassis", "2", "-c",
                "echo $OVN_NB_DB $OVN_SB_DB $OVS_RUNDIR; ovs-vsctl br-exists br-int && echo ok")
    nb, sbdb, rundir, ok = shell.stdout.split()
    assert nb == "unix:" + os.path.join(sbdir, "ovn", "ovnnb_db.sock")
    assert sbdb.endswith("ovnsb_db.sock") and rundir == os.path.join(sbdir, "hv2")
    assert ok == "ok"

    # A VIF on each chassis, bound with the C ovn-nbctl (a test peer).
    nbctl = [proc.which("ovn-nbctl"), "--db=" + nb]
    proc.run(nbctl + ["ls-add", "sw", "--", "lsp-add", "sw", "a", "--",
                      "lsp-set-addresses", "a", "00:00:00:00:00:0a", "--",
                      "lsp-add", "sw", "b", "--", "lsp-set-addresses", "b", "00:00:00:00:00:0b"])
    run("add-vif", "--dir", sbdir, "hv1", "va", "a")
    run("add-vif", "--dir", sbdir, "3", "vb", "b")
    proc.run(nbctl + ["--wait=hv", "--timeout=30", "wait-until", "Logical_Switch_Port",
                      "a", "up=true", "--", "wait-until", "Logical_Switch_Port", "b", "up=true"])
    run("sync", "--dir", sbdir)

    desc = "eth(src=00:00:00:00:00:0a,dst=00:00:00:00:00:0b)/ip4(src=1.1.1.1,dst=1.1.1.2)/udp(src=1,dst=2)"
    assert "injected" in run("inject", "--dir", sbdir, "va", desc).stdout
    want = "eth(dst=00:00:00:00:00:0b,src=00:00:00:00:00:0a)/ip4(src=1.1.1.1,dst=1.1.1.2,ttl=64)/udp(src=1,dst=2)"
    assert run("received", "--dir", sbdir, "vb", "--wait", "1").stdout.splitlines() == [want]
    p = run("received", "--dir", sbdir, "vb", "--wait", "2", "--timeout", "0.3", check=False)
    assert p.returncode == 1 and "waiting for 2 packet(s) at VIF vb" in p.stderr
    assert run("received", "--dir", sbdir).stdout.splitlines() == ["vb: " + want]
    assert run("received", "--dir", sbdir, "--sent").stdout.splitlines() == ["va: " + want]
    wire = run("received", "--dir", sbdir, "--underlay", "hv1").stdout
    assert "/geneve(" in wire and want in wire
    assert "ip4(src=192.168.0.1,dst=192.168.0.3" in wire
    assert want in run("received", "--dir", sbdir, "--underlay", "hv3", "--tx").stdout

    pids = [pid for _, pid in Sandbox(sbdir).running()]
    assert len(pids) == 14
    assert "stopped 14 process(es)" in run("down", "--dir", sbdir).stdout
    assert not any(proc.pid_alive(p) for p in pids)
    assert run("status", "--dir", sbdir, check=False).returncode == 3


def test_down_after_a_crash_stops_the_rest_and_only_ours(sbdir):
    # OVS only (no OVN daemons), so this runs without the C peers.
    run("up", "--dir", sbdir, "--chassis", "2", "--northd", "none", "--controller", "none")
    sb = Sandbox(sbdir)
    running = dict(sb.running())
    assert len(running) == 8
    victim = running["hv1/ovs-vswitchd"]
    os.kill(victim, signal.SIGKILL)
    proc.wait_for(lambda: not proc.pid_alive(victim), 5, what="crash")
    # A bystander whose pid we write into a pidfile must survive `down`.
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        with open(os.path.join(sbdir, "hv1", "ovs-vswitchd.pid"), "w") as f:
            f.write("%d\n" % bystander.pid)
        st = run("status", "--dir", sbdir, check=False)
        assert st.returncode == 3 and "7 of 8 processes running" in st.stdout
        assert "stopped 7 process(es)" in run("down", "--dir", sbdir).stdout
        assert not any(proc.pid_alive(p) for n, p in running.items())
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_underlay_carries_frames_between_chassis_without_ovn(sbdir):
    """The wire itself: a frame sent out of hv1's br-phys arrives at the
    underlay switch and is delivered to hv2 (no OVN daemons)."""
    sb = Sandbox(sbdir).up(chassis=2, northd="none", controller="none")
    # Each chassis' start-up probe reached the underlay switch, which
    # dropped it; the sandbox hides probes from captures.
    raw = pcap.packets(os.path.join(sbdir, "underlay", "hv1-rx.pcap"))
    assert [packet.decode(f)["eth.type"] for f in raw] == [0x88b5]
    assert pcap.packets(os.path.join(sbdir, "underlay", "hv2-tx.pcap")) == []
    assert sb.underlay("hv1", "rx") == [] and sb.underlay("hv2", "tx") == []
    frame = "eth(src=aa:55:aa:55:00:01,dst=ff:ff:ff:ff:ff:ff)/arp(sha=aa:55:aa:55:00:01,spa=192.168.0.1,tpa=192.168.0.2)"
    # br-phys is a NORMAL bridge: a frame entering its internal port
    # leaves through ul0 onto the underlay.
    sb.appctl("hv1", "netdev-dummy/receive", "br-phys", packet.compose(frame).hex())
    got = proc.wait_for(lambda: [p for p in sb.underlay("hv2", "tx") if p.get("arp.spa") == "192.168.0.1"],
                        10, what="ARP on the underlay to hv2")
    assert got[0]["arp.tpa"] == "192.168.0.2"
    assert sb.underlay("hv1", "rx") == got


@pytest.mark.parametrize("args, message", [
    (["--chassis", "0"], "--chassis must be 1..250"),
    (["--encap", "gre"], "unknown encapsulation 'gre'"),
])
def test_up_refuses_bad_arguments(sbdir, args, message):
    p = run("up", "--dir", sbdir, *args, check=False)
    assert p.returncode == 1 and message in p.stderr
    assert os.listdir(sbdir) == []           # nothing created


def test_errors_are_clear(sbdir, tmp_path):
    (tmp_path / "precious").write_text("x")
    p = run("up", "--dir", str(tmp_path), check=False)
    assert p.returncode == 1 and "is not empty and holds no sandbox" in p.stderr
    assert (tmp_path / "precious").read_text() == "x"
    p = run("status", "--dir", sbdir, check=False)
    assert p.returncode == 1 and "no sandbox in" in p.stderr
    long_dir = os.path.join(sbdir, "x" * 90)
    with pytest.raises(SandboxError, match="too long for unix sockets"):
        Sandbox(long_dir).up(chassis=1, northd="none", controller="none")


def test_vif_and_packet_errors(sbdir):
    sb = Sandbox(sbdir).up(chassis=1, northd="none", controller="none")
    sb.add_vif("hv1", "v1", "lp1")
    with pytest.raises(SandboxError, match="VIF 'v1' exists already"):
        sb.add_vif(1, "v1", "lp1")
    with pytest.raises(SandboxError, match="no chassis 'hv9'"):
        sb.add_vif("hv9", "v2", "lp2")
    p = run("inject", "--dir", sbdir, "nosuch", "00", check=False)
    assert p.returncode == 1 and "no VIF 'nosuch'" in p.stderr
    p = run("inject", "--dir", sbdir, "v1", "eth(src=00:00:00:00:00:01,dst=2)", check=False)
    assert p.returncode == 1 and "eth: bad dst: '2' is not an Ethernet address" in p.stderr
    p = run("up", "--dir", sbdir, check=False)
    assert p.returncode == 1 and "already running" in p.stderr


@pytest.mark.parametrize("component", ["northd", "controller"])
def test_unbuilt_pyovn_daemon_is_named(sbdir, component, monkeypatch):
    """Asking for a pyovn daemon that a checkout does not have names it and
    starts nothing (both exist now, so the test hides one)."""
    from pyovn import cli
    from pyovn.sandbox.sandbox import Sandbox, SandboxError
    monkeypatch.setitem(cli.SUBCOMMANDS, component, ("pyovn.no_such_part:main", ""))
    with pytest.raises(SandboxError) as e:
        Sandbox(sbdir).up(**{component: "py"})
    assert "pyovn %s is not built yet" % component in str(e.value)
    assert os.listdir(sbdir) == []
