"""pyovn trace over an SB written by pyovn northd (same topology as the C
ovn-northd tests): the expected verdicts, and the same text as C
ovn-trace 23.03 reading that SB."""

import io
import shutil
import subprocess

import pytest

from pyovn.trace import main as trace_main
from test_trace_c_northd import (ACL, ALL, BCAST, CHASSIS_REMARK, L2, ROUTED, SPOOF,
                                 SPOOF_IP, outputs, trace)

pytestmark = pytest.mark.peer


def test_verdicts(py_sb):
    _, _, view = py_sb
    assert outputs(trace(view, L2)) == ["lp12"]
    assert outputs(trace(view, BCAST)) == ["lp12", "lp13"]
    for flow in (SPOOF, SPOOF_IP, ACL):
        res = trace(view, flow)
        assert outputs(res) == [] and res.verdicts
    res = trace(view, ROUTED)
    assert outputs(res) == ["lp21"]
    assert {"ip.ttl--;", "eth.src = 00:00:00:00:ff:02;",
            "eth.dst = 00:00:00:00:02:21;"} <= set(res.verdicts[0].changes)
    assert res.verdicts[0].tunnel_from == "hv1" and res.verdicts[0].chassis == "hv2"


@pytest.mark.skipif(shutil.which("ovn-trace") is None,
                    reason="ovn-trace (test-only peer) is not installed")
@pytest.mark.parametrize("form", ["--detailed", "--minimal"])
@pytest.mark.parametrize("flow", ALL, ids=["l2", "bcast", "spoof", "spoof_ip", "acl",
                                           "routed", "lb", "unknown"])
def test_same_text_as_c_ovn_trace(py_sb, flow, form):
    _, sb, view = py_sb
    c = subprocess.run(["ovn-trace", "--db=" + sb.remote, form, flow],
                       capture_output=True, text=True, check=True).stdout
    buf = io.StringIO()
    opts = trace_main.parse_args([form, flow])
    trace_main.run_trace(view, opts, opts.args, buf)
    mine = [l for l in buf.getvalue().splitlines() if not CHASSIS_REMARK.match(l)]
    assert mine == c.splitlines()
