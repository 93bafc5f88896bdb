"""--verify, --ovs and detrace on a real deployment: a 2-chassis sandbox
with C ovn-northd and C ovn-controllers (test-only peers) on real
ovs-vswitchd.  One sandbox for the module (it takes a few seconds)."""

import io
import os
import shutil
import subprocess
import tempfile

import pytest

from pyovn.sandbox.sandbox import Sandbox
from pyovn.trace import detrace, verify
from pyovn.trace import main as trace_main
from pyovn.trace.sbdata import SbView
from pyovn.trace.tracer import Tracer
from pyovn.trace.uflow import parse_microflow
from pyovn.util import proc

pytestmark = pytest.mark.peer

ROUTED = ('inport == "lp11" && eth.src == 00:00:00:00:01:11 && '
          'eth.dst == 00:00:00:00:ff:01 && ip4.src == 192.168.1.11 && '
          'ip4.dst == 192.168.2.21 && ip.ttl == 64 && tcp.dst == 80')
L2 = ('inport == "lp11" && eth.src == 00:00:00:00:01:11 && '
      'eth.dst == 00:00:00:00:01:12 && ip4.src == 192.168.1.11 && '
      'ip4.dst == 192.168.1.12 && ip.ttl == 64 && udp.dst == 53')


@pytest.fixture(scope="module")
def sbx():
    for prog in ("ovn-northd", "ovn-controller", "ovn-nbctl"):
        if shutil.which(prog) is None:
            pytest.skip("%s (test-only peer) is not installed" % prog)
    root = tempfile.mkdtemp(prefix="pyovn-trv-")
    s = Sandbox(root)
    try:
        s.up(chassis=2, northd="c", controller="c")

        def nbctl(*a):
            subprocess.run(["ovn-nbctl", "--db=" + s.nb_remote, *a], check=True,
                           capture_output=True)
        cmds = ["ls-add", "ls1", "--", "ls-add", "ls2"]
        for port, ls, mac, ip in (("lp11", "ls1", "00:00:00:00:01:11", "192.168.1.11"),
                                  ("lp12", "ls1", "00:00:00:00:01:12", "192.168.1.12"),
                                  ("lp13", "ls1", "00:00:00:00:01:13", "192.168.1.13"),
                                  ("lp21", "ls2", "00:00:00:00:02:21", "192.168.2.21")):
            cmds += ["--", "lsp-add", ls, port, "--", "lsp-set-addresses", port,
                     "%s %s" % (mac, ip)]
        cmds += ["--", "lr-add", "lr1",
                 "--", "lrp-add", "lr1", "lrp1", "00:00:00:00:ff:01", "192.168.1.1/24",
                 "--", "lrp-add", "lr1", "lrp2", "00:00:00:00:ff:02", "192.168.2.1/24"]
        for ls, lrp in (("ls1", "lrp1"), ("ls2", "lrp2")):
            p = ls + "-lr1"
            cmds += ["--", "lsp-add", ls, p, "--", "lsp-set-type", p, "router",
                     "--", "lsp-set-addresses", p, "router",
                     "--", "lsp-set-options", p, "router-port=" + lrp]
        # lp13 only takes ssh: ls1 becomes stateful (conntrack in both
        # pipelines), which --verify must replay with the same ct states.
        cmds += ["--", "acl-add", "ls1", "to-lport", "1002",
                 'outport == "lp13" && ip4 && tcp.dst == 22', "allow-related",
                 "--", "acl-add", "ls1", "to-lport", "1001",
                 'outport == "lp13" && ip4', "drop"]
        nbctl(*cmds)
        s.add_vif("hv1", "vif11", "lp11")
        s.add_vif("hv1", "vif12", "lp12")
        s.add_vif("hv2", "vif21", "lp21")
        s.add_vif("hv2", "vif13", "lp13")
        for p in ("lp11", "lp12", "lp13", "lp21"):
            s.wait_port_up(p)
        s.wait_hv()
        yield s
    finally:
        s.down()
        leftovers = s.running()
        shutil.rmtree(root, ignore_errors=True)
        assert not leftovers


def run_verify(s, flow):
    view = SbView.connect(s.sb_remote)
    mf = parse_microflow(flow)
    res = Tracer(view).trace(view.port("lp11").dp, mf)
    out = io.StringIO()
    agree, traces = verify.verify(view, verify.Verifier(s, view), mf, res, [], out)
    return agree, out.getvalue(), traces


def ofctl(s, chassis, *args):
    return proc.run([proc.which("ovs-ofctl"), *args], env={**os.environ, **s.env(chassis)})


def test_verify_agrees_local_and_across_tunnel(sbx):
    agree, text, traces = run_verify(sbx, L2)
    assert agree, text
    assert 'delivers to "lp12" on hv1' in text
    assert len(traces) == 1
    agree, text, traces = run_verify(sbx, ROUTED)
    assert agree, text
    assert "verify: tunnel hv1 -> hv2" in text and "tun_metadata0=" in text
    assert 'delivers to "lp21" on hv2' in text
    assert [t.chassis for t in traces] == ["hv1", "hv2"]
    # The packet that crossed the tunnel carries the router's rewrites.
    assert "nw_ttl=63" in traces[1].flow and "dl_src=00:00:00:00:ff:02" in traces[1].flow


def test_verify_flood_checks_every_member(sbx):
    flood = ('inport == "lp11" && eth.src == 00:00:00:00:01:11 && '
             'eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && '
             'arp.sha == 00:00:00:00:01:11 && arp.spa == 192.168.1.11 && '
             'arp.tpa == 192.168.1.99')
    agree, text, traces = run_verify(sbx, flood)
    assert agree, text
    assert 'the path to "lp12"' in text and 'the path to "lp13"' in text
    assert 'delivers to "lp12" on hv1' in text and 'delivers to "lp13" on hv2' in text
    assert "verify: all 2 paths agree" in text
    assert sorted({t.chassis for t in traces}) == ["hv1", "hv2"]


@pytest.mark.parametrize("port,delivered", [(22, True), (23, False)])
def test_verify_with_conntrack(sbx, port, delivered):
    flow = L2.replace("00:00:00:00:01:12", "00:00:00:00:01:13").replace(
        "192.168.1.12", "192.168.1.13").replace("udp.dst == 53", "tcp.dst == %d" % port)
    view = SbView.connect(sbx.sb_remote)
    mf = parse_microflow(flow)
    res = Tracer(view, ["new", "new"]).trace(view.port("lp11").dp, mf)
    assert [n for n, _ in res.ct_log] == ["ct_next", "ct_next"]
    out = io.StringIO()
    agree, traces = verify.verify(view, verify.Verifier(sbx, view), mf, res,
                                  [], out)
    text = out.getvalue()
    assert agree, text
    if delivered:
        assert 'delivers to "lp13" on hv2' in text
    else:
        assert "both drop (ACL" in text
    # The datapath recirculated through conntrack as often as the logical
    # trace did (ingress ACL on hv1, egress ACL on hv2).
    assert sum(t.n_ct for t in traces) == 2
    assert [t.chassis for t in traces] == ["hv1", "hv2"]


def test_verify_drop_agrees(sbx):
    # No port has this MAC and ls1 has no "unknown" port: both drop.
    agree, text, _ = run_verify(sbx, L2.replace("00:00:00:00:01:12", "00:00:00:00:77:77"))
    assert agree, text
    assert "verify: agree: both drop" in text


def test_ovs_option_shows_openflow_flows(sbx, capsys):
    assert trace_main.main(["--db", sbx.sb_remote, "--sandbox", sbx.root, "--ovs=hv1",
                            L2]) == 0
    out = capsys.readouterr().out
    # Each logical flow is followed by its OpenFlow flows (table 8 + N) for
    # the flow's datapath.
    lines = out.splitlines()
    i = next(n for n, l in enumerate(lines) if "ls_in_l2_lkup" in l)
    assert lines[i + 1].strip().startswith("* table=33,")
    assert "dl_dst=00:00:00:00:01:12" in lines[i + 1]
    key = SbView.connect(sbx.sb_remote).datapath("ls1").key
    flows = [l for l in lines if l.strip().startswith("* ")]
    assert flows and all("metadata=%#x" % key in l or "metadata" not in l for l in flows)
    # Outside a sandbox shell, a bridge name alone cannot be reached.
    assert trace_main.main(["--db", sbx.sb_remote, "--ovs=nosuchbridge", L2]) == 1
    assert "--ovs" in capsys.readouterr().err


def test_detrace_on_real_dump(sbx):
    view = SbView.connect(sbx.sb_remote)
    dump = ofctl(sbx, "hv1", "dump-flows", "br-int", "table=33")
    out = io.StringIO()
    detrace.annotate(view, io.StringIO(dump), out)
    text = out.getvalue()
    assert "ls_in_l2_lkup" in text and '* Logical datapath: "ls1"' in text
    assert 'Port "lp12" (type "", datapath "ls1") bound to chassis "hv1"' in text


def test_detrace_on_real_ofproto_trace(sbx):
    view = SbView.connect(sbx.sb_remote)
    ofport = verify.Verifier(sbx, view)._ofport("hv1", 'external_ids:iface-id="lp11"')
    text = sbx.appctl("hv1", "ofproto/trace", "br-int",
                      verify.of_flow(parse_microflow(L2), ofport))
    out = io.StringIO()
    detrace.annotate(view, io.StringIO(text), out, no_repeat=True)
    annotated = out.getvalue()
    assert "ls_in_l2_lkup" in annotated and "ls_out_apply_port_sec" in annotated
    # Physical flows name their Port_Binding (table 0: the VIF of lp11).
    assert 'Port_Binding "lp11"' in annotated


def test_verify_points_at_removed_flow(sbx):
    # lr_in_arp_resolve (logical table 17 = OpenFlow 25) on hv1: the
    # flow that resolves 192.168.2.21's MAC.
    view = SbView.connect(sbx.sb_remote)
    key, lrp2 = view.datapath("lr1").key, view.port("lrp2").key
    # ovn-controller may still be settling and put the flow back (it
    # re-sends flows whose desired state changes), so delete again if the
    # datapath still agrees.
    for _ in range(3):
        ofctl(sbx, "hv1", "del-flows", "br-int",
              "table=25,reg0=0xc0a80215,reg15=%#x,metadata=%#x" % (lrp2, key))
        agree, text, _ = run_verify(sbx, ROUTED)
        if not agree:
            break
    assert not agree, text + ofctl(sbx, "hv1", "dump-flows", "br-int", "table=25")
    lines = [l for l in text.splitlines() if l.startswith("DIVERGES")]
    assert len(lines) == 1
    assert "lr1 ingress table 17 (lr_in_arp_resolve)" in lines[0]
    assert "OpenFlow table 25 on hv1 hit" in lines[0]
    # The flows before it still agree.
    assert "lr_in_ip_routing" in text.split("DIVERGES")[0]
    # The CLI exits 3 on divergence.
    assert trace_main.main(["--db", sbx.sb_remote, "--minimal", "--verify",
                            "--sandbox", sbx.root, ROUTED]) == 3
