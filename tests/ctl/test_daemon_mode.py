"""Daemon mode: `pyovn nbctl --detach` keeps a replica and runs commands
sent by clients that find it through OVN_NB_DAEMON or -u."""

import os
import subprocess
import sys

import pytest

from pyovn.util import proc


def _pyovn():
    exe = os.path.join(os.path.dirname(sys.executable), "pyovn")
    if not os.path.exists(exe):
        pytest.skip("console script not installed")
    return exe


def test_nbctl_daemon_runs_commands_for_clients(nbctl, rundir):
    exe = _pyovn()
    env = dict(os.environ, OVN_RUNDIR=rundir)
    env.pop("OVN_NB_DAEMON", None)
    p = subprocess.run([exe, "nbctl", "--db=" + nbctl.remote, "--pidfile",
                        "--detach", "--log-file=%s/nbctl.log" % rundir],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    ctl = p.stdout.strip()
    pidfile = os.path.join(rundir, "ovn-nbctl.pid")
    pid = proc.read_pidfile(pidfile)
    try:
        assert pid and ctl == os.path.join(rundir, "ovn-nbctl.%d.ctl" % pid)
        assert p.stderr == ""
        cenv = dict(env, OVN_NB_DAEMON=ctl)

        def client(*argv):
            return subprocess.run([exe, "nbctl"] + list(argv), env=cenv,
                                  capture_output=True, text=True, timeout=60)
        r = client("ls-add", "sw0", "--", "lsp-add", "sw0", "p1")
        assert r.returncode == 0, r.stderr
        # the rows are really in the database
        assert [row["name"] for row in nbctl.rows("Logical_Switch_Port")] \
            == ["p1"]
        r = client("lsp-list", "sw0")
        assert r.stdout.endswith("(p1)\n")
        # errors come back as errors, and nothing is written
        r = client("ls-add", "sw1", "--", "lr-nat-add", "r", "snat",
                   "10.0.0.300", "10.0.0.0/24")
        assert r.returncode == 1
        assert r.stderr == "pyovn nbctl: 10.0.0.300: invalid IPv4 address\n"
        assert len(nbctl.rows("Logical_Switch")) == 1
        # a change made by someone else is seen by the daemon's replica
        nbctl("ls-add", "other")
        r = client("ls-list")
        assert "(other)" in r.stdout
        # -u instead of the environment variable
        r = subprocess.run([exe, "nbctl", "-u", ctl, "--bare", "--columns=name",
                            "find", "Logical_Switch", "name=other"], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.stdout == "other\n", r.stderr
        subprocess.run(["ovs-appctl", "-t", ctl, "exit"], check=True,
                       timeout=30)
        proc.wait_for(lambda: not proc.pid_alive(pid), 10,
                      what="nbctl daemon to exit")
    finally:
        if proc.pid_alive(pid):
            proc.stop_pid(pid)


def test_client_without_daemon_is_a_clear_error(tmp_path):
    from pyovn.ctl import nbctl
    import io
    out, err = io.StringIO(), io.StringIO()
    rc = nbctl.PROGRAM.main(["-u", str(tmp_path / "none.ctl"), "ls-list"],
                            stdout=out, stderr=err)
    assert rc == 1 and "cannot connect to daemon" in err.getvalue()
