"""`pyovn trace --detach`: answers `trace` over its control socket, reports
bad requests as errors and keeps serving, exits on `exit`."""

import os
import subprocess
import sys

import pytest

from pyovn.daemon import appctl
from pyovn.util import proc
from test_trace_c_northd import L2, ROUTED

pytestmark = pytest.mark.peer


def test_daemon_answers_trace(c_sb, tmp_path):
    _, sb, _ = c_sb
    env = dict(os.environ, OVN_RUNDIR=str(tmp_path), OVS_RUNDIR=str(tmp_path))
    pidfile = tmp_path / "ovn-trace.pid"
    subprocess.run([sys.executable, "-m", "pyovn.cli", "trace", "--detach",
                    "--db=" + sb.remote, "--pidfile=%s" % pidfile,
                    "--log-file=%s" % (tmp_path / "trace.log"), "-vconsole:off"],
                   env=env, check=True, timeout=60)
    pid = proc.read_pidfile(str(pidfile))
    assert pid
    ctl = str(tmp_path / ("ovn-trace.%d.ctl" % pid))
    try:
        err, out = appctl.call(ctl, "trace", ["--minimal", ROUTED])
        assert err is None, err
        assert 'output("lp21");' in out and "ip.ttl--;" in out
        err, out = appctl.call(ctl, "trace", ['inport == "nosuchport"'])
        assert out is None and "unknown logical port" in err
        err, out = appctl.call(ctl, "trace", ["--summary", L2])
        assert err is None and 'egress(dp="ls1", inport="lp11", outport="web1") {' in out
    finally:
        appctl.call(ctl, "exit")
        proc.wait_for(lambda: not os.path.exists(str(pidfile)) or
                      proc.read_pidfile(str(pidfile)) is None,
                      timeout=20, what="pyovn trace daemon to exit")
