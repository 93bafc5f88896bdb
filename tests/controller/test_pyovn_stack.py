"""The pyovn controller under pyovn northd, configured with pyovn nbctl:
no C OVN program involved (3 chassis, Geneve)."""

import sys

from pyovn.util import proc
from tests.controller.helpers import icmp, is_icmp_seq


def pnbctl(sb, *args):
    return proc.run([sys.executable, "-m", "pyovn.cli", "nbctl"] + list(args), env=sb.env())


def test_l2_and_router_all_pyovn(sandbox_factory):
    sb = sandbox_factory(chassis=3, northd="py", controller="py")
    pnbctl(sb, "ls-add", "sw0",
           "--", "lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", "50:54:00:00:00:01 10.0.0.1",
           "--", "lsp-add", "sw0", "p3", "--", "lsp-set-addresses", "p3", "50:54:00:00:00:03 10.0.0.3",
           "--", "lr-add", "lr0",
           "--", "lrp-add", "lr0", "lrp0", "00:00:00:00:ff:01", "10.0.0.254/24",
           "--", "lsp-add", "sw0", "sw0-lr0", "--", "lsp-set-type", "sw0-lr0", "router",
           "--", "lsp-set-addresses", "sw0-lr0", "router",
           "--", "lsp-set-options", "sw0-lr0", "router-port=lrp0",
           "--", "lrp-add", "lr0", "lrp1", "00:00:00:00:ff:02", "10.0.1.254/24",
           "--", "ls-add", "sw1",
           "--", "lsp-add", "sw1", "sw1-lr0", "--", "lsp-set-type", "sw1-lr0", "router",
           "--", "lsp-set-addresses", "sw1-lr0", "router",
           "--", "lsp-set-options", "sw1-lr0", "router-port=lrp1",
           "--", "lsp-add", "sw1", "q1", "--", "lsp-set-addresses", "q1",
           "50:54:00:00:01:01 10.0.1.1")
    sb.add_vif("hv1", "vif1", "p1")
    sb.add_vif("hv3", "vif3", "p3")
    sb.add_vif("hv2", "vifq1", "q1")
    for p in ("p1", "p3", "q1"):
        sb.wait_port_up(p)
    sb.wait_hv()
    sb.inject("vif1", icmp(1, 3, seq=1))
    sb.wait_received("vif3", match=is_icmp_seq(1))
    sb.inject("vif1", "eth(src=50:54:00:00:00:01,dst=00:00:00:00:ff:01)/"
              "ip4(src=10.0.0.1,dst=10.0.1.1)/icmp4(type=8,id=1,seq=2)")
    p = sb.wait_received("vifq1", match=is_icmp_seq(2))[0]
    assert "ttl=63" in p.summary() and "src=00:00:00:00:ff:02" in p.summary()
