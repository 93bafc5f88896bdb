"""Interop: the flows, groups and meters C ovn-controller installs on br-int
decode into the model and, sent back through our codec to another bridge,
give the very same `ovs-ofctl dump-flows`."""

import os
import shutil
import tempfile

import pytest

from pyovn.db import server
from pyovn.openflow.channel import Channel
from pyovn.openflow.codec import messages as W
from pyovn.openflow.codec import model_wire as MW
from pyovn.openflow.testing import Switch
from pyovn.util import proc

pytestmark = pytest.mark.peer


def _daemon(rundir, prog, *args):
    """Starts C daemon PROG; returns its pidfile.  Its control socket is
    <rundir>/<prog>.<pid>.ctl (OVN_RUNDIR)."""
    name = os.path.basename(prog)
    pidfile = "%s/%s.pid" % (rundir, name)
    proc.run([proc.which(prog), "--detach", "--no-chdir", "-vconsole:off",
              "--pidfile=" + pidfile, "--log-file=%s/%s.log" % (rundir, name)]
             + list(args),
             env=dict(os.environ, OVS_RUNDIR=rundir, OVN_RUNDIR=rundir))
    return pidfile


@pytest.fixture
def ovn(tmp_path_factory):
    d = tempfile.mkdtemp(prefix="pyovn-ofp-")
    sw = Switch(d).start()
    nb = server.start_server(d, "nb")
    sb = server.start_server(d, "sb")
    ctls = [_daemon(d, "ovn-northd", "--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote)]
    sw.vsctl("set", "open", ".", "external_ids:system-id=hv1",
             "external_ids:ovn-remote=" + sb.remote, "external_ids:ovn-encap-type=geneve",
             "external_ids:ovn-encap-ip=127.0.0.1")
    sw.add_bridge("br-int")
    sw.add_port("br-int", "vif1", 1)
    sw.vsctl("set", "interface", "vif1", "external_ids:iface-id=lsp1")
    ctls.append(_daemon(d, "ovn-controller", sw.db_remote))

    def nbctl(*args):
        return proc.run([proc.which("ovn-nbctl"), "--db=" + nb.remote] + list(args))

    def sbctl(*args):
        return proc.run([proc.which("ovn-sbctl"), "--db=" + sb.remote] + list(args))
    yield sw, nbctl, sbctl
    for pidfile in ctls:
        proc.stop_pid(proc.read_pidfile(pidfile))
    nb.stop()
    sb.stop()
    sw.stop()
    shutil.rmtree(d, ignore_errors=True)


def test_c_ovn_controller_flows_roundtrip_through_our_codec(ovn):
    sw, nbctl, sbctl = ovn
    nbctl("ls-add", "ls1", "--", "lsp-add", "ls1", "lsp1", "--",
          "lsp-set-addresses", "lsp1", "50:54:00:00:00:01 10.0.0.1",
          "--", "lsp-add", "ls1", "lsp2", "--", "lsp-set-addresses", "lsp2", "unknown",
          "--", "lr-add", "lr1", "--", "lrp-add", "lr1", "lrp1", "00:00:00:00:ff:01",
          "10.0.0.254/24", "--", "lsp-add", "ls1", "ls1-lr1", "--",
          "lsp-set-type", "ls1-lr1", "router", "--", "lsp-set-addresses", "ls1-lr1",
          "router", "--", "lsp-set-options", "ls1-lr1", "router-port=lrp1",
          "--", "acl-add", "ls1", "from-lport", "1000", "ip4 && tcp.dst == 22",
          "allow-related",
          "--", "lb-add", "lb1", "172.16.0.10:80", "10.0.0.1:8080,10.0.0.2:8080", "--",
          "ls-lb-add", "ls1", "lb1")
    proc.wait_for(lambda: "hv1" in sbctl("--bare", "--columns=chassis", "find",
                                         "port_binding", "logical_port=lsp1")
                  or sbctl("--bare", "--columns=chassis", "find", "port_binding",
                           "logical_port=lsp1").strip(), 30, what="lsp1 bound")
    nbctl("--wait=hv", "--timeout=30", "sync")
    ch = Channel("unix:" + sw.mgmt("br-int"))
    ch.wait_connected()
    tlv = ch.request(W.TlvTableRequest())
    stats = ch.dump_flows()
    assert len(stats) > 200
    flows = [MW.flow_from_stats(fs) for fs in stats]
    groups = [MW.group_from_wire(g) for g in ch.dump_groups()]
    meters = [MW.meter_from_wire(m) for m in ch.dump_meters()]
    ch.close()

    sw.add_bridge("br-ref")
    ref = Channel("unix:" + sw.mgmt("br-ref"))
    ref.wait_connected()
    if tlv.mappings:
        ref.send(W.TlvTableMod(W.NXTTMC_ADD, tlv.mappings))
    for m in meters:
        ref.send(MW.meter_mod(m))
    for g in groups:
        ref.send(MW.group_mod(g))
    ref.barrier()
    bid = 7
    flags = W.OFPBF_ATOMIC
    ref.request(W.BundleControl(bid, W.OFPBCT_OPEN_REQUEST, flags))
    errors = []
    for f in flows:
        ref.send(W.BundleAdd(bid, MW.flow_mod(f), flags),
                 lambda r: errors.append(r) if isinstance(r, W.Error) else None)
    ref.request(W.BundleControl(bid, W.OFPBCT_COMMIT_REQUEST, flags))
    ref.barrier()
    assert errors == []
    assert sw.dump_flows("br-ref") == sw.dump_flows("br-int")
    assert sw.dump_groups("br-ref") == sw.dump_groups("br-int")
    ref.close()
