"""pyovn trace over an SB written by C ovn-northd 23.03: expected verdicts,
and the same microflows traced by C ovn-trace (test-only peer) reach the
same final verdicts (output ports, rewritten fields, drops)."""

import io
import re
import shutil
import subprocess

import pytest

from pyovn.trace import main as trace_main
from pyovn.trace.sbdata import SbView
from pyovn.trace.tracer import Tracer
from pyovn.trace.uflow import parse_microflow

pytestmark = pytest.mark.peer

L2 = ('inport == "lp11" && eth.src == 00:00:00:00:01:11 && '
      'eth.dst == 00:00:00:00:01:12 && ip4.src == 192.168.1.11 && '
      'ip4.dst == 192.168.1.12 && ip.ttl == 64 && tcp.dst == 80')
BCAST = ('inport == "lp11" && eth.src == 00:00:00:00:01:11 && '
         'eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && '
         'arp.sha == 00:00:00:00:01:11 && arp.spa == 192.168.1.11 && '
         'arp.tpa == 192.168.1.99')
SPOOF = ('inport == "lp11" && eth.src == 00:00:00:00:01:99 && '
         'eth.dst == 00:00:00:00:01:12')
SPOOF_IP = ('inport == "lp11" && eth.src == 00:00:00:00:01:11 && '
            'eth.dst == 00:00:00:00:01:12 && ip4.src == 10.9.9.9 && '
            'ip4.dst == 192.168.1.12 && ip.ttl == 64 && udp.dst == 53')
ACL = L2.replace("tcp.dst == 80", "tcp.dst == 23")
ROUTED = ('inport == "lp11" && eth.src == 00:00:00:00:01:11 && '
          'eth.dst == 00:00:00:00:ff:01 && ip4.src == 192.168.1.11 && '
          'ip4.dst == 192.168.2.21 && ip.ttl == 64 && tcp.dst == 80')
LB = ('inport == "lp11" && eth.src == 00:00:00:00:01:11 && '
      'eth.dst == 00:00:00:00:ff:01 && ip4.src == 192.168.1.11 && '
      'ip4.dst == 10.0.0.100 && ip.ttl == 64 && tcp.dst == 80')
UNKNOWN_DST = L2.replace("eth.dst == 00:00:00:00:01:12", "eth.dst == 00:00:00:00:77:77")

ALL = [L2, BCAST, SPOOF, SPOOF_IP, ACL, ROUTED, LB, UNKNOWN_DST]


def trace(view, text, **kw):
    return Tracer(view, **kw).trace(view.port(parse_microflow(text).strings["inport"]).dp,
                                    parse_microflow(text))


def outputs(res):
    return sorted(v.port for v in res.verdicts if v.kind == "output")


def test_l2_unicast(c_sb):
    _, _, view = c_sb
    res = trace(view, L2)
    assert outputs(res) == ["lp12"]
    out = [v for v in res.verdicts if v.kind == "output"][0]
    assert out.chassis == "hv1" and not out.tunnel_from
    assert out.changes == ()


def test_broadcast_branches_per_member(c_sb):
    _, _, view = c_sb
    res = trace(view, BCAST)
    # Every member of _MC_flood but the inport itself; the router port
    # answers ARP only for its own address, so it also gets a copy.
    assert "lp12" in outputs(res) and "lp13" in outputs(res)
    assert "lp11" not in outputs(res)
    branch = [n for n in res.root.walk() if n.kind == "branch" and n.info.get("mcgroup")]
    assert branch and branch[0].info["mcgroup"] == "_MC_flood"
    egress = [n for n in branch[0].children if n.kind == "pipeline"]
    assert len(egress) >= 2
    # lp13 is bound to hv2: delivering there is a tunnel hop from hv1.
    hop = [v for v in res.verdicts if v.kind == "output" and v.port == "lp13"][0]
    assert hop.chassis == "hv2" and hop.tunnel_from == "hv1"


@pytest.mark.parametrize("flow", [SPOOF, SPOOF_IP], ids=["mac", "ip"])
def test_port_security_drop(c_sb, flow):
    _, _, view = c_sb
    res = trace(view, flow)
    assert outputs(res) == []
    assert all(v.kind == "drop" for v in res.verdicts)
    # Dropped in the ingress port security stages of ls1.
    stages = [n.info["stage"] for n in res.root.walk() if n.kind == "flow"]
    assert stages[-1] == "ls_in_apply_port_sec"
    assert res.verdicts[0].reason.startswith('port security of inport "lp11"')
    assert any(n.text.startswith("/* drop: port security") for n in res.root.walk())


def test_acl_drop(c_sb):
    _, _, view = c_sb
    res = trace(view, ACL)
    assert outputs(res) == []
    assert res.verdicts and all(v.kind == "drop" for v in res.verdicts)
    flows = [n for n in res.root.walk() if n.kind == "flow"]
    assert flows[-1].info["stage"] == "ls_in_acl"
    assert "tcp.dst == 23" in flows[-1].text
    # The reason names the NB ACL behind the flow (its UUID prefix).
    nb = c_sb[0]
    acl = subprocess.run(["ovn-nbctl", "--db=" + nb.remote, "--bare", "--columns=_uuid",
                          "list", "ACL"], capture_output=True, text=True).stdout.split()
    assert res.verdicts[0].reason.startswith("ACL (northbound %s)" % acl[0][:8])


def test_routed_ttl_and_macs(c_sb):
    _, _, view = c_sb
    res = trace(view, ROUTED)
    assert outputs(res) == ["lp21"]
    v = res.verdicts[0]
    assert "ip.ttl--;" in v.changes
    assert "eth.src = 00:00:00:00:ff:02;" in v.changes
    assert "eth.dst = 00:00:00:00:02:21;" in v.changes
    dps = [n.info["dp"] for n in res.root.walk() if n.kind == "pipeline"]
    assert dps == ["ls1", "ls1", "lr1", "lr1", "ls2", "ls2"]
    assert v.chassis == "hv2" and v.tunnel_from == "hv1"


def test_load_balancer_backend_and_ct_flags(c_sb):
    _, _, view = c_sb
    res = trace(view, LB, ct_flags=["trk,new", "trk,new", "trk,new"])
    assert outputs(res) == ["lp21"]
    assert "ip4.dst = 192.168.2.21;" in res.verdicts[0].changes
    assert "tcp.dst = 8080;" in res.verdicts[0].changes
    labels = [n.text for n in res.root.walk() if n.kind == "branch" and n.info.get("ct")]
    # Flags given: no "default" remark, as ovn-trace.
    assert labels[:2] == ["ct_lb", "ct_lb"]
    # Without --ct the connection is established: the VIP is not balanced.
    res = trace(view, LB)
    assert outputs(res) == [] and "default (use --ct to customize)" in str(
        [n.text for n in res.root.walk()])


def test_unknown_destination_goes_nowhere(c_sb):
    _, _, view = c_sb
    res = trace(view, UNKNOWN_DST)
    assert outputs(res) == []


def test_cli_forms_and_errors(c_sb, capsys):
    _, sb, _ = c_sb
    assert trace_main.main(["--db", sb.remote, "--all", ROUTED]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# tcp,reg14=")
    assert "ingress(dp=\"lr1\", inport=\"lrp1\")" in out
    assert re.search(r"^13\. lr_in_ip_routing \(northd\.c:\d+\): ip4\.dst == "
                     r"192\.168\.2\.0/24, priority \d+, uuid [0-9a-f]{8}$", out, re.M)
    assert "# Summary trace." in out and "# Minimal trace." in out
    assert 'output("lp21");' in out
    assert trace_main.main(["--db", sb.remote, 'inport == "nope"']) == 1
    assert "unknown logical port" in capsys.readouterr().err
    assert trace_main.main(["--db", sb.remote, "ls2", L2]) == 1
    assert "not on datapath" in capsys.readouterr().err
    assert trace_main.main(["--db", sb.remote, "--ct=bogus", L2]) == 1
    assert "unknown connection tracking flag" in capsys.readouterr().err


# -- differential against C ovn-trace ---------------------------------------

def _minimal_verdicts(text):
    """(sorted output ports, set of packet rewrites) of minimal output,
    ignoring register writes (C ovn-trace lists a few) and ct blocks."""
    outs, changes = [], set()
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r'output\("([^"]+)"\);', line)
        if m:
            outs.append(m.group(1))
        elif re.match(r"(ip\.ttl--|[a-z0-9]+\.[a-z.]+ = .*);$", line):
            changes.add(line)
    return sorted(outs), changes


@pytest.mark.skipif(shutil.which("ovn-trace") is None,
                    reason="ovn-trace (test-only peer) is not installed")
@pytest.mark.parametrize("flow", ALL, ids=["l2", "bcast", "spoof", "spoof_ip", "acl",
                                           "routed", "lb", "unknown"])
def test_same_verdicts_as_c_ovn_trace(c_sb, flow):
    _, sb, view = c_sb
    c = subprocess.run(["ovn-trace", "--db=" + sb.remote, "--minimal", flow],
                       capture_output=True, text=True, check=True).stdout
    buf = io.StringIO()

    class Opts:
        ct, lb_dst, select_id, friendly = [], None, None, True
        all = detailed = summary = False
        minimal = True
        ovs = None
    trace_main.run_trace(view, Opts, [flow], buf)
    assert _minimal_verdicts(buf.getvalue()) == _minimal_verdicts(c)
    # The OpenFlow rendering of the microflow starts the same way.
    assert buf.getvalue().split(",")[0] == c.split(",")[0]


# pyovn's own remarks (chassis of a delivery, tunnel hops, drop reasons).
CHASSIS_REMARK = re.compile(r'^\s*/\* ("[^"]+" is bound to chassis|tunnel hop from|'
                            r'"[^"]+" is not bound to any chassis|drop: )')


@pytest.mark.skipif(shutil.which("ovn-trace") is None,
                    reason="ovn-trace (test-only peer) is not installed")
@pytest.mark.parametrize("form", ["--detailed", "--summary", "--minimal", "--all"])
@pytest.mark.parametrize("flow", ALL, ids=["l2", "bcast", "spoof", "spoof_ip", "acl",
                                           "routed", "lb", "unknown"])
def test_same_text_as_c_ovn_trace(c_sb, flow, form):
    """Output identical to C ovn-trace 23.03's, but for pyovn's remarks
    naming the chassis (an addition)."""
    _, sb, view = c_sb
    c = subprocess.run(["ovn-trace", "--db=" + sb.remote, form, flow],
                       capture_output=True, text=True, check=True).stdout
    buf = io.StringIO()
    opts = trace_main.parse_args([form, flow])
    trace_main.run_trace(view, opts, opts.args, buf)
    mine = [l for l in buf.getvalue().splitlines() if not CHASSIS_REMARK.match(l)]
    assert mine == c.splitlines()


@pytest.mark.skipif(shutil.which("ovn-trace") is None,
                    reason="ovn-trace (test-only peer) is not installed")
def test_friendly_names(c_sb):
    nb, sb, view = c_sb
    out = io.StringIO()
    opts = trace_main.parse_args(["--summary", L2])
    trace_main.run_trace(view, opts, opts.args, out)
    assert '/* output to "web1", type "" */;' in out.getvalue()
    assert 'outport = "web1";' in out.getvalue()
    out = io.StringIO()
    opts = trace_main.parse_args(["--summary", "--no-friendly-names", L2])
    trace_main.run_trace(view, opts, opts.args, out)
    text = out.getvalue()
    assert '/* output to "lp12", type "" */;' in text and "web1" not in text
    # Datapaths are shown by their northbound UUID, as ovn-trace does.
    ls1 = subprocess.run(["ovn-nbctl", "--db=" + nb.remote, "get", "Logical_Switch",
                          "ls1", "_uuid"], capture_output=True, text=True).stdout.strip()
    assert 'ingress(dp="%s", inport="lp11")' % ls1 in text
    c = subprocess.run(["ovn-trace", "--db=" + sb.remote, "--summary",
                        "--no-friendly-names", L2], capture_output=True, text=True,
                       check=True).stdout
    assert [l for l in text.splitlines() if not CHASSIS_REMARK.match(l)] == c.splitlines()
    # A Port_Binding UUID prefix (or the friendly name) works as inport too.
    out = io.StringIO()
    flow = L2.replace('"lp11"', '"%s"' % view.port("lp11").uuid[:8])
    opts = trace_main.parse_args(["--minimal", flow])
    trace_main.run_trace(view, opts, opts.args, out)
    assert 'output("web1");' in out.getvalue()
    assert view.find_port("web1").name == "lp12"
    assert view.find_port(view.port("lp13").uuid[:6]).name == "lp13"


def test_view_reads_dp_groups(c_sb):
    _, sb, view = c_sb
    # C northd shares identical flows between switches through
    # Logical_DP_Group: both switches must see the shared table-0 flows.
    ls1, ls2 = view.datapath("ls1"), view.datapath("ls2")
    shared = {f.uuid for f in view.table(ls1, "ingress", 0)} & \
        {f.uuid for f in view.table(ls2, "ingress", 0)}
    assert shared
    assert isinstance(SbView.connect(sb.remote).datapath("lr1").key, int)
