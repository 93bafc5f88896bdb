"""Ramp-switch VXLAN: an OVN VM behind the pyovn controller talks to a
bare-metal port behind a VTEP gateway (pyovn's VTEP emulator driven by
pyovn controller-vtep), C ovn-northd compiling the NB.  Reuses the VTEP
area's lab (one ovs-vswitchd, real userspace VXLAN)."""

import os
import sys

import pytest

from pyovn.db.idl import Database
from pyovn.util import proc
from tests.vtep.conftest import count, frame, lab, wait_ready  # noqa: F401 (fixture)

pytestmark = pytest.mark.peer

BCAST = "ff:ff:ff:ff:ff:ff"
VM_MAC = "00:00:00:00:01:01"
BM_MAC = "00:00:00:00:02:01"
HV_IP = "10.0.99.1"
HV_HWADDR = "aa:55:aa:55:00:99"


def test_vm_and_bare_metal_through_ramp_switch(lab):  # noqa: F811
    rundir = lab.rundir
    nb = lab.ovsdb("nb")
    sb = lab.ovsdb("sb")
    pids = []

    def daemon(cmd, pidfile, env=None):
        proc.run(cmd, env=env)
        pids.append(proc.read_pidfile(pidfile))

    gw = lab.add_vtep("ps1", ["bm1"])
    gw.vtepctl("add-ls", "vls1", "--", "bind-ls", "ps1", "bm1", "0", "vls1")
    lab.add_hypervisor_underlay(gw, HV_IP, HV_HWADDR)
    try:
        daemon([proc.which("ovn-northd"), "--detach", "--no-chdir",
                "--pidfile=%s/ovn-northd.pid" % rundir,
                "--log-file=%s/ovn-northd.log" % rundir,
                "--unixctl=%s/ovn-northd.ctl" % rundir,
                "--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote],
               "%s/ovn-northd.pid" % rundir)
        proc.run([proc.which("ovn-nbctl"), "--db=" + nb.remote,
                  "ls-add", "net1", "--", "lsp-add", "net1", "vm1", "--",
                  "lsp-set-addresses", "vm1", VM_MAC + " 10.1.0.1", "--",
                  "lsp-add", "net1", "gw1", "--", "lsp-set-type", "gw1", "vtep",
                  "--", "lsp-set-options", "gw1", "vtep-physical-switch=ps1",
                  "vtep-logical-switch=vls1", "--",
                  "lsp-set-addresses", "gw1", "unknown"])
        lab.vsctl("set", "Open_vSwitch", ".", "external_ids:system-id=hv1",
                  "external_ids:ovn-remote=" + sb.remote,
                  "external_ids:ovn-encap-type=geneve,vxlan",
                  "external_ids:ovn-encap-ip=" + HV_IP)
        lab.vsctl("add-br", "br-int", "--", "set", "bridge", "br-int",
                  "datapath_type=dummy", "fail-mode=secure", "--",
                  "add-port", "br-int", "vm1", "--", "set", "interface", "vm1",
                  "type=dummy", "external_ids:iface-id=vm1",
                  "options:tx_pcap=%s/vm1.pcap" % rundir,
                  "options:rxq_pcap=%s/vm1.rx.pcap" % rundir)
        env = dict(os.environ, OVS_RUNDIR=rundir, OVN_RUNDIR=rundir)
        daemon([sys.executable, "-m", "pyovn.cli", "controller", "--detach", "--no-chdir",
                "--pidfile=%s/ovn-controller.pid" % rundir,
                "--log-file=%s/ovn-controller.log" % rundir, "-vconsole:off",
                lab.ovs.remote], "%s/ovn-controller.pid" % rundir, env=env)
        daemon([sys.executable, "-m", "pyovn.cli", "controller-vtep",
                "--unixctl=%s/cv.ctl" % rundir, "-vconsole:off", "--detach", "--no-chdir",
                "--pidfile=%s/cv.pid" % rundir, "--log-file=%s/cv.log" % rundir,
                "--vtep-db=" + gw.db.remote, "--ovnsb-db=" + sb.remote],
               "%s/cv.pid" % rundir, env=env)
        gw.start()
        sbdb = Database(sb.remote, "sb").sync()

        def ready(db):
            pb = {p.logical_port: p for p in db.rows("Port_Binding")}
            return ("vm1" in pb and pb["vm1"].chassis and "gw1" in pb
                    and pb["gw1"].chassis and pb["gw1"].chassis[0].name == "ps1")
        sbdb.wait_until(ready, timeout=30)
        dp_key = sbdb.find_one("Port_Binding", logical_port="gw1").datapath.tunnel_key
        sbdb.close()
        proc.wait_for(lambda: VM_MAC in gw.vtepctl("list-remote-macs", "vls1"), 30,
                      what="controller-vtep to publish the VM's MAC")
        wait_ready(gw, expect={"ps1": ["tunnel %s key %d" % (HV_IP, dp_key)]})
        proc.wait_for(lambda: "ovn-installed" in lab.vsctl(
            "get", "Interface", "vm1", "external_ids"), 30, what="vm1 installed")
        # The tunnel to the VTEP is VXLAN (hypervisors would use Geneve).
        assert lab.vsctl("get", "Interface", "ovn-ps1-0", "type").strip() == "vxlan"

        def vm_received(marker):
            from pyovn.packet import pcap
            return sum(1 for r in pcap.read("%s/vm1.pcap" % rundir) if marker.encode() in r.data)

        def send_vm(data):
            lab.vs_appctl("netdev-dummy/receive", "vm1", data.hex())
        gw.send("bm1", frame(BCAST, BM_MAC, "bm-bcast"))
        proc.wait_for(lambda: vm_received("bm-bcast") == 1, 20, what="bare-metal broadcast")
        gw.send("bm1", frame(VM_MAC, BM_MAC, "bm-to-vm"))
        proc.wait_for(lambda: vm_received("bm-to-vm") == 1, 20, what="bare metal -> VM")
        send_vm(frame(BM_MAC, VM_MAC, "vm-to-bm"))
        proc.wait_for(lambda: count(gw, "bm1", "vm-to-bm") == 1, 20, what="VM -> bare metal")
        send_vm(frame(BCAST, VM_MAC, "vm-bcast"))
        proc.wait_for(lambda: count(gw, "bm1", "vm-bcast") == 1, 20, what="VM broadcast")
        assert vm_received("vm-bcast") == 0
        assert count(gw, "bm1", "bm-bcast") == 0
        assert vm_received("bm-bcast") == 1
    finally:
        for pid in reversed(pids):
            proc.stop_pid(pid)
