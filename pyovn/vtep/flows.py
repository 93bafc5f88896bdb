"""The emulator's OpenFlow tables, declared once, and how they get into
the bridges.

Physical_Switch bridge (the operator's bridge named PS-NAME):
  table 0  physical port + VLAN -> strip the tag, out the binding's patch
           port; patch port -> push the binding's tag, out the physical
           port.  Everything else is dropped.

Logical switch bridge (one per bound logical switch), reg0 = where the
frame came from (SRC_PHYSICAL, SRC_LEVEL0, SRC_LEVEL1):
  table 0  classify the in_port; frames from physical ports also go
           through table 2 (MAC learning) first
  table 2  learned (in_port, eth_src) pairs, written by the learn action
           with an idle timeout (ageing) and send_flow_rem; a miss sends
           the frame to the emulator (packet-in), which records the MAC
  table 3  destination lookup: local MACs -> their physical port; remote
           MACs -> their tunnel, with split horizon (never level0 to
           level0, never level1 to level1); anything else -> table 4
  table 4  BUM flooding by source:
             physical -> other physical ports, level0 tunnels per the
                         replication mode, every level1 relay
             level0   -> physical ports and level1 relays
             level1   -> physical ports and level0 tunnels per the mode

Installation (interim until pyovn/openflow has its channel): the desired
table is diffed against what this emulator last installed, and the
difference goes in ONE `ovs-ofctl --bundle add-flows` transaction per
bridge (delete_strict + add lines on stdin); the learned flows of table 2
are never touched by it.  Nothing is read back from ovs-ofctl.
"""

import ovs.vlog

from pyovn.util import proc
from pyovn.vtep import model

vlog = ovs.vlog.Vlog("vtep_flows")

T_CLASSIFY, T_LEARN, T_LOOKUP, T_FLOOD = 0, 2, 3, 4
SRC_PHYSICAL, SRC_LEVEL0, SRC_LEVEL1 = 0, 1, 2
LEARN_COOKIE = 0x7674657000000001
SRC_REG = "NXM_NX_REG0[]"


class Flow(tuple):
    """(table, priority, match, actions); match and actions in ovs-ofctl
    syntax."""

    def __new__(cls, table, priority, match, actions):
        return super().__new__(cls, (table, priority, match, actions))

    def key(self):
        table, prio, match, _ = self
        return "table=%d,priority=%d%s" % (table, prio,
                                           "," + match if match else "")

    def add_line(self):
        return "add %s actions=%s" % (self.key(), self[3])

    def del_line(self):
        return "delete_strict %s" % self.key()


def ps_bridge_flows(bindings):
    """BINDINGS: [(physical ofport, vlan, patch ofport)]."""
    flows = [Flow(0, 0, "", "drop")]
    for phys, vlan, patch in bindings:
        if vlan:
            flows.append(Flow(0, 100, "in_port=%d,dl_vlan=%d" % (phys, vlan),
                              "strip_vlan,output:%d" % patch))
            flows.append(Flow(0, 100, "in_port=%d" % patch,
                              "mod_vlan_vid:%d,output:%d" % (vlan, phys)))
        else:
            flows.append(Flow(0, 100, "in_port=%d,vlan_tci=0x0000/0x1fff"
                              % phys, "output:%d" % patch))
            flows.append(Flow(0, 100, "in_port=%d" % patch,
                              "output:%d" % phys))
    return flows


def _outputs(ports):
    return ",".join("output:%d" % p for p in ports)


def ls_bridge_flows(plan, ports, local_macs, mac_age, healthy):
    """The desired flows of logical switch bridge PLAN.BRIDGE.

    PORTS maps ("patch", port, vlan) and ("tunnel", ip, key) to ofports;
    LOCAL_MACS maps MAC -> ofport of the physical binding it was learned
    on; HEALTHY(ident) tells whether a service node's tunnel is up."""
    phys = sorted(p for k, p in ports.items() if k[0] == "patch")
    tport = {k[1:]: p for k, p in ports.items() if k[0] == "tunnel"}
    level0_flood = [tport[i] for i in plan.level0_flood(healthy) if i in tport]
    relays = [tport[i] for i in plan.relays if i in tport]
    learn = ("learn(table=%d,idle_timeout=%d,priority=100,cookie=0x%x,"
             "send_flow_rem,NXM_OF_IN_PORT[],NXM_OF_ETH_SRC[])"
             % (T_LEARN, mac_age, LEARN_COOKIE))
    flows = [Flow(T_CLASSIFY, 0, "", "drop"),
             Flow(T_LEARN, 0, "", "controller(max_len=128)"),
             Flow(T_LOOKUP, 0, "", "resubmit(,%d)" % T_FLOOD),
             Flow(T_FLOOD, 0, "", "drop")]
    for p in phys:
        flows.append(Flow(T_CLASSIFY, 100, "in_port=%d" % p,
                          "load:%d->%s,resubmit(,%d),%s,resubmit(,%d)"
                          % (SRC_PHYSICAL, SRC_REG, T_LEARN, learn, T_LOOKUP)))
    for ident, p in sorted(tport.items()):
        src = SRC_LEVEL1 if plan.tunnels[ident].level == model.LEVEL1 \
            else SRC_LEVEL0
        flows.append(Flow(T_CLASSIFY, 100, "in_port=%d" % p,
                          "load:%d->%s,resubmit(,%d)" % (src, SRC_REG,
                                                         T_LOOKUP)))

    def allowed(src, ident):
        """Split horizon: may a frame from SRC leave on tunnel IDENT?"""
        level = plan.tunnels[ident].level
        if src == SRC_LEVEL0:
            return level == model.LEVEL1
        if src == SRC_LEVEL1:
            return level == model.LEVEL0
        return True

    # Local MACs first: a MAC seen on a physical port wins over a remote
    # entry for it.
    for mac, p in sorted(local_macs.items()):
        flows.append(Flow(T_LOOKUP, 200, "dl_dst=%s" % mac, "output:%d" % p))
    for mac, ident in sorted(plan.ucast_remote.items()):
        if mac in local_macs or ident not in tport:
            continue
        flows.append(Flow(T_LOOKUP, 140, "dl_dst=%s" % mac, "drop"))
        for src in (SRC_PHYSICAL, SRC_LEVEL0, SRC_LEVEL1):
            if allowed(src, ident):
                flows.append(Flow(T_LOOKUP, 150, "reg0=%d,dl_dst=%s"
                                  % (src, mac), "output:%d" % tport[ident]))
    # BUM.
    targets = {
        SRC_PHYSICAL: phys + level0_flood + relays,
        SRC_LEVEL0: phys + relays,
        SRC_LEVEL1: phys + level0_flood,
    }
    for src, outs in targets.items():
        flows.append(Flow(T_FLOOD, 100, "reg0=%d" % src,
                          _outputs(outs) if outs else "drop"))
    # Known multicast groups: physical ports plus the group's tunnels,
    # with the same split horizon.
    for mac, idents in sorted(plan.mcast_remote.items()):
        for src in (SRC_PHYSICAL, SRC_LEVEL0, SRC_LEVEL1):
            outs = phys + [tport[i] for i in idents
                           if i in tport and allowed(src, i)]
            flows.append(Flow(T_LOOKUP, 120, "reg0=%d,dl_dst=%s" % (src, mac),
                              _outputs(outs) if outs else "drop"))
    return flows


class FlowTable:
    """What this emulator has installed on one bridge, and the diff to a
    new desired table, applied as one bundle."""

    def __init__(self, bridge, mgmt):
        self.bridge = bridge
        self.mgmt = mgmt              # "unix:<rundir>/<bridge>.mgmt"
        self.installed = None         # {key: Flow}; None = unknown yet

    def sync(self, desired):
        """Installs DESIRED (a list of Flow).  Returns True when the bridge
        has them, False if it could not be reached (retry later)."""
        want = {f.key(): f for f in desired}
        if self.installed is None:
            # First contact: this emulator knows nothing of what is on the
            # bridge (a restart forgets the learned MACs too).
            lines = ["delete"] + [f.add_line() for f in want.values()]
        else:
            lines = [self.installed[k].del_line() for k in self.installed
                     if k not in want]
            lines += [f.add_line() for k, f in want.items()
                      if self.installed.get(k) != f]
        if not lines:
            return True
        try:
            proc.run([proc.which("ovs-ofctl"), "--bundle", "add-flows",
                      self.mgmt, "-"], input="\n".join(lines) + "\n",
                     timeout=30)
        except proc.ProcError as e:
            vlog.dbg("%s: flows not installed yet: %s" % (self.bridge, e))
            return False
        self.installed = want
        return True
