"""End to end: an OVN VM on a hypervisor (the C ovn-controller, test-only
peer) talks to a bare-metal port behind a pyovn-emulated VTEP, with pyovn
controller-vtep in between (and, for interop, the C ovn-controller-vtep
driving the pyovn emulator) and the C ovn-northd compiling the NB.

One ovs-vswitchd carries the hypervisor's br-int and the VTEP's bridges
(the lab of conftest.py); the VXLAN between them is real OVS userspace
tunnelling over the lab's underlay."""

import os
import shutil
import sys

import pytest

from pyovn.db.idl import Database
from pyovn.util import proc

from .conftest import count, frame, wait_ready

pytestmark = pytest.mark.peer

BCAST = "ff:ff:ff:ff:ff:ff"
VM_MAC = "00:00:00:00:01:01"
BM_MAC = "00:00:00:00:02:01"
HV_IP = "10.0.99.1"
HV_HWADDR = "aa:55:aa:55:00:99"


def need(prog):
    path = shutil.which(prog)
    if path is None:
        pytest.skip("%s not installed" % prog)
    return path


@pytest.fixture(params=["pyovn", "C"])
def deployment(request, lab):
    rundir = lab.rundir
    nb = lab.ovsdb("nb")
    sb = lab.ovsdb("sb")
    pids = []

    def daemon(cmd, pidfile, env=None):
        proc.run(cmd, env=env)
        pids.append(proc.read_pidfile(pidfile))

    # The VTEP gateway with one bare-metal port.
    gw = lab.add_vtep("ps1", ["bm1"])
    gw.vtepctl("add-ls", "vls1", "--", "bind-ls", "ps1", "bm1", "0", "vls1")

    lab.add_hypervisor_underlay(gw, HV_IP, HV_HWADDR)

    # OVN: northd, the logical network, the hypervisor's ovn-controller.
    daemon([need("ovn-northd"), "--detach", "--no-chdir",
            "--pidfile=%s/ovn-northd.pid" % rundir,
            "--log-file=%s/ovn-northd.log" % rundir,
            "--unixctl=%s/ovn-northd.ctl" % rundir,
            "--ovnnb-db=" + nb.remote, "--ovnsb-db=" + sb.remote],
           "%s/ovn-northd.pid" % rundir)
    proc.run([need("ovn-nbctl"), "--db=" + nb.remote,
              "ls-add", "net1", "--", "lsp-add", "net1", "vm1", "--",
              "lsp-set-addresses", "vm1", VM_MAC + " 10.1.0.1", "--",
              "lsp-add", "net1", "gw1", "--", "lsp-set-type", "gw1", "vtep",
              "--", "lsp-set-options", "gw1", "vtep-physical-switch=ps1",
              "vtep-logical-switch=vls1", "--",
              "lsp-set-addresses", "gw1", "unknown"])
    lab.vsctl("set", "Open_vSwitch", ".", "external_ids:system-id=hv1",
              "external_ids:ovn-remote=" + sb.remote,
              "external_ids:ovn-encap-type=vxlan",
              "external_ids:ovn-encap-ip=" + HV_IP,
              "external_ids:ovn-bridge-datapath-type=dummy")
    lab.vsctl("add-br", "br-int", "--", "set", "bridge", "br-int",
              "datapath_type=dummy", "fail-mode=secure", "--",
              "add-port", "br-int", "vm1", "--", "set", "interface", "vm1",
              "type=dummy", "external_ids:iface-id=vm1",
              "options:tx_pcap=%s/vm1.pcap" % rundir,
              "options:rxq_pcap=%s/vm1.rx.pcap" % rundir)
    env = dict(os.environ, OVS_RUNDIR=rundir, OVN_RUNDIR=rundir)
    daemon([need("ovn-controller"), "--detach", "--no-chdir",
            "--pidfile=%s/ovn-controller.pid" % rundir,
            "--log-file=%s/ovn-controller.log" % rundir,
            lab.ovs.remote], "%s/ovn-controller.pid" % rundir, env=env)
    # The gateway's controller: pyovn's, or the C one driving pyovn's
    # emulator (interop).
    if request.param == "pyovn":
        cv = [sys.executable, "-m", "pyovn.cli", "controller-vtep",
              "--unixctl=%s/cv.ctl" % rundir, "-vconsole:off"]
    else:
        cv = [need("ovn-controller-vtep")]
    daemon(cv + ["--detach", "--no-chdir", "--pidfile=%s/cv.pid" % rundir,
                 "--log-file=%s/cv.log" % rundir,
                 "--vtep-db=" + gw.db.remote, "--ovnsb-db=" + sb.remote],
           "%s/cv.pid" % rundir, env=env)
    gw.start()

    sbdb = Database(sb.remote, "sb").sync()

    def ready(db):
        pb = {p.logical_port: p for p in db.rows("Port_Binding")}
        return ("vm1" in pb and pb["vm1"].chassis and "gw1" in pb
                and pb["gw1"].chassis and pb["gw1"].chassis[0].name == "ps1")
    sbdb.wait_until(ready, timeout=30)
    dp_key = sbdb.find_one("Port_Binding", logical_port="gw1").datapath \
        .tunnel_key
    sbdb.close()
    proc.wait_for(lambda: VM_MAC in gw.vtepctl("list-remote-macs", "vls1"),
                  30, what="controller-vtep to publish the VM's MAC")
    wait_ready(gw, expect={"ps1": ["tunnel %s key %d" % (HV_IP, dp_key)]})
    proc.wait_for(lambda: "ovn-installed" in lab.vsctl(
        "get", "Interface", "vm1", "external_ids"), 30,
        what="ovn-controller to install vm1")
    yield lab, gw
    for pid in reversed(pids):
        proc.stop_pid(pid)


def vm_received(lab, marker):
    from pyovn.packet import pcap
    return sum(1 for r in pcap.read("%s/vm1.pcap" % lab.rundir)
               if marker.encode() in r.data)


def send_vm(lab, data):
    lab.vs_appctl("netdev-dummy/receive", "vm1", data.hex())


def test_vm_and_bare_metal(deployment):
    lab, gw = deployment
    # Broadcast from the bare-metal port reaches the VM (and teaches the
    # VTEP the bare-metal MAC).
    gw.send("bm1", frame(BCAST, BM_MAC, "bm-bcast"))
    proc.wait_for(lambda: vm_received(lab, "bm-bcast") == 1, 20,
                  what="bare-metal broadcast at the VM")
    # Unicast bare metal -> VM (Ucast_Macs_Remote from controller-vtep).
    gw.send("bm1", frame(VM_MAC, BM_MAC, "bm-to-vm"))
    proc.wait_for(lambda: vm_received(lab, "bm-to-vm") == 1, 20,
                  what="unicast bare metal -> VM")
    # Unicast VM -> bare metal (OVN: unknown MAC -> the vtep port).
    send_vm(lab, frame(BM_MAC, VM_MAC, "vm-to-bm"))
    proc.wait_for(lambda: count(gw, "bm1", "vm-to-bm") == 1, 20,
                  what="unicast VM -> bare metal")
    # Unknown unicast and broadcast from the VM.
    send_vm(lab, frame("00:00:00:00:09:09", VM_MAC, "vm-unknown"))
    send_vm(lab, frame(BCAST, VM_MAC, "vm-bcast"))
    proc.wait_for(lambda: count(gw, "bm1", "vm-unknown") == 1 and
                  count(gw, "bm1", "vm-bcast") == 1, 20,
                  what="unknown unicast and broadcast from the VM")
    # Nothing came back to its sender, nothing arrived twice.
    assert vm_received(lab, "vm-bcast") == 0
    assert count(gw, "bm1", "bm-bcast") == 0
    assert vm_received(lab, "bm-bcast") == 1
    assert count(gw, "bm1", "vm-to-bm") == 1


@pytest.mark.parametrize("deployment", ["pyovn"], indirect=True)
def test_vm_to_another_cloud_over_the_relay(deployment):
    """The seed's diagram with OVN on one side: the OVN network (VNI =
    its datapath key) reaches bare metal behind a VTEP of another cloud
    (logical switch VNI 2) over the relay tunnel, VNI 100, level1.
    controller-vtep keeps the relay locator that the cloud interconnect
    wrote next to its own hypervisor locators."""
    lab, gw = deployment
    gwb = lab.add_vtep("gwb", ["bm9"])
    gwb.vtepctl("add-ls", "ls2", "--", "set", "Logical_Switch", "ls2",
                "tunnel_key=2", "--", "bind-ls", "gwb", "bm9", "0", "ls2",
                "--", "add-mcast-remote", "ls2", "unknown-dst", gw.ip, "100",
                "level1")
    gw.vtepctl("add-mcast-remote", "vls1", "unknown-dst", gwb.ip, "100",
               "level1")
    gwb.start()
    wait_ready(gw, gwb, expect={"ps1": ["tunnel %s key 100 level1" % gwb.ip],
                                "gwb": ["tunnel %s key 100 level1" % gw.ip]})
    # The relay locator survives controller-vtep's updates.
    assert "unknown-dst -> vxlan_over_ipv4/%s 100 level1" % gwb.ip in \
        gw.vtepctl("list-remote-macs", "vls1")
    far = "00:00:00:00:03:01"
    # Broadcast and unknown unicast from the VM reach the other cloud once.
    send_vm(lab, frame(BCAST, VM_MAC, "vm-far-bcast"))
    send_vm(lab, frame(far, VM_MAC, "vm-far-uni"))
    proc.wait_for(lambda: count(gwb, "bm9", "vm-far-bcast") == 1 and
                  count(gwb, "bm9", "vm-far-uni") == 1, 20,
                  what="VM frames in the other cloud")
    # From the other cloud's bare metal to the VM: flooded to the relay in
    # cloud B, then unicast to the hypervisor by ps1's remote MAC.
    gwb.send("bm9", frame(VM_MAC, far, "far-to-vm"))
    proc.wait_for(lambda: vm_received(lab, "far-to-vm") == 1, 20,
                  what="the other cloud's frame at the VM")
    assert count(gw, "bm1", "far-to-vm") == 0
    assert count(gw, "bm1", "vm-far-uni") == 1      # unknown: flooded
    # Exactly once everywhere: no loop, no duplicate across the clouds.
    assert count(gwb, "bm9", "vm-far-bcast") == 1
    assert count(gw, "bm1", "vm-far-bcast") == 1
    assert vm_received(lab, "vm-far-bcast") == 0
