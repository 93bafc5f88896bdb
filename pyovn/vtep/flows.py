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
           with an idle timeout (ageing); a miss sends
           the frame to the emulator (packet-in), which records the MAC
  table 3  destination lookup: local MACs -> their physical port; remote
           MACs -> their tunnel, with split horizon (never level0 to
           level0, never level1 to level1); anything else -> table 4
  table 4  BUM flooding by source:
             physical -> other physical ports, level0 tunnels per the
                         replication mode, every level1 relay
             level0   -> physical ports and level1 relays
             level1   -> physical ports and level0 tunnels per the mode

Installation: each bridge has one pyovn.openflow.ofctrl.Ofctrl, a
persistent OpenFlow connection to its management socket that diffs the
desired table against what the switch has and sends the difference as one
atomic bundle; learned (timed) flows are left alone.  Packet-ins reach
the emulator on the logical switch bridges' connections, and the learned
table is read back with flow stats requests to notice aged-out MACs.
"""

from pyovn.openflow.model import (Controller, Flow, Learn, LearnSpec, Load,
                                  Match, Output, PopVlan, PushVlan, Resubmit,
                                  SetField, Subfield)
from pyovn.vtep import model

T_CLASSIFY, T_LEARN, T_LOOKUP, T_FLOOD = 0, 2, 3, 4
SRC_PHYSICAL, SRC_LEVEL0, SRC_LEVEL1 = 0, 1, 2
LEARN_COOKIE = 0x7674657000000001
SRC_REG = Subfield("reg0")
VLAN_CFI = 0x1000


def mac_int(mac):
    return int(mac.replace(":", ""), 16)


def ps_bridge_flows(bindings):
    """BINDINGS: [(physical ofport, vlan, patch ofport)]."""
    flows = [Flow(0, 0)]
    for phys, vlan, patch in bindings:
        if vlan:
            flows.append(Flow(0, 100, Match.of(in_port=phys, vlan_tci=(
                VLAN_CFI | vlan, 0x1fff)), (PopVlan(), Output(patch))))
            flows.append(Flow(0, 100, Match.of(in_port=patch), (
                PushVlan(0x8100), SetField("vlan_vid", VLAN_CFI | vlan),
                Output(phys))))
        else:
            flows.append(Flow(0, 100, Match.of(in_port=phys,
                                               vlan_tci=(0, 0x1fff)),
                              (Output(patch),)))
            flows.append(Flow(0, 100, Match.of(in_port=patch),
                              (Output(phys),)))
    return flows


def _outputs(ports):
    return tuple(Output(p) for p in ports)


def ls_bridge_flows(plan, ports, local_macs, mac_age, healthy):
    """The desired flows of logical switch bridge PLAN.BRIDGE.

    PORTS maps ("patch", port, vlan) and ("tunnel", ip, key) to ofports;
    LOCAL_MACS maps MAC -> ofport of the physical binding it was learned
    on; HEALTHY(ident) tells whether a service node's tunnel is up."""
    phys = sorted(p for k, p in ports.items() if k[0] == "patch")
    tport = {k[1:]: p for k, p in ports.items() if k[0] == "tunnel"}
    level0_flood = [tport[i] for i in plan.level0_flood(healthy) if i in tport]
    relays = [tport[i] for i in plan.relays if i in tport]
    learn = Learn(table=T_LEARN, idle_timeout=mac_age, priority=100,
                  cookie=LEARN_COOKIE, specs=(
                      LearnSpec("match", Subfield("in_port"),
                                Subfield("in_port")),
                      LearnSpec("match", Subfield("eth_src"),
                                Subfield("eth_src"))))
    flows = [Flow(T_CLASSIFY, 0),
             Flow(T_LEARN, 0, actions=(Controller(max_len=128),)),
             Flow(T_LOOKUP, 0, actions=(Resubmit(table=T_FLOOD),)),
             Flow(T_FLOOD, 0)]
    for p in phys:
        flows.append(Flow(T_CLASSIFY, 100, Match.of(in_port=p), (
            Load(SRC_PHYSICAL, SRC_REG), Resubmit(table=T_LEARN), learn,
            Resubmit(table=T_LOOKUP))))
    for ident, p in sorted(tport.items()):
        src = SRC_LEVEL1 if plan.tunnels[ident].level == model.LEVEL1 \
            else SRC_LEVEL0
        flows.append(Flow(T_CLASSIFY, 100, Match.of(in_port=p), (
            Load(src, SRC_REG), Resubmit(table=T_LOOKUP))))

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
        flows.append(Flow(T_LOOKUP, 200, Match.of(eth_dst=mac_int(mac)),
                          (Output(p),)))
    for mac, ident in sorted(plan.ucast_remote.items()):
        if mac in local_macs or ident not in tport:
            continue
        flows.append(Flow(T_LOOKUP, 140, Match.of(eth_dst=mac_int(mac))))
        for src in (SRC_PHYSICAL, SRC_LEVEL0, SRC_LEVEL1):
            if allowed(src, ident):
                flows.append(Flow(T_LOOKUP, 150, Match.of(
                    reg0=src, eth_dst=mac_int(mac)), (Output(tport[ident]),)))
    # BUM.
    targets = {
        SRC_PHYSICAL: phys + level0_flood + relays,
        SRC_LEVEL0: phys + relays,
        SRC_LEVEL1: phys + level0_flood,
    }
    for src, outs in targets.items():
        flows.append(Flow(T_FLOOD, 100, Match.of(reg0=src), _outputs(outs)))
    # Known multicast groups: physical ports plus the group's tunnels,
    # with the same split horizon.
    for mac, idents in sorted(plan.mcast_remote.items()):
        for src in (SRC_PHYSICAL, SRC_LEVEL0, SRC_LEVEL1):
            outs = phys + [tport[i] for i in idents
                           if i in tport and allowed(src, i)]
            flows.append(Flow(T_LOOKUP, 120, Match.of(
                reg0=src, eth_dst=mac_int(mac)), _outputs(outs)))
    return flows


def learned_pairs(flow_stats):
    """{(in_port, MAC)} of the learned flows among FLOW_STATS (codec
    FlowStats of table T_LEARN)."""
    out = set()
    for f in flow_stats:
        if f.cookie != LEARN_COOKIE:
            continue
        fields = {name: value for name, value, _ in f.match}
        if "in_port" in fields and "eth_src" in fields:
            mac = ":".join("%02x" % b for b in
                           fields["eth_src"].to_bytes(6, "big"))
            out.add((fields["in_port"], mac))
    return out
