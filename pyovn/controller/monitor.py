"""Conditional monitoring of the southbound database (ovn-controller(8),
ovn-monitor-all): unless external_ids:ovn-monitor-all=true, the
controller asks the server only for the rows of the datapaths local to
the chassis, the ports it binds or whose interfaces are here, and the
patch-like ports it needs to find further local datapaths.  Tables not
listed here are replicated whole (they are small or chassis-wide)."""

CONDITIONED = ("Port_Binding", "Logical_Flow", "Multicast_Group", "MAC_Binding",
               "Static_MAC_Binding", "FDB")

ALWAYS_PB_TYPES = ("patch", "l3gateway", "chassisredirect", "external", "localnet")


def _uuid(u):
    return ["uuid", str(u)]


def conditions(st, me, iface_ids, dp_groups, monitor_all):
    """{table: condition} for python-ovs Idl.cond_change."""
    if monitor_all:
        return {t: [True] for t in CONDITIONED}
    dps = sorted(st.local_dps) if st is not None else []
    keys = sorted(st.local_dps[u].tunnel_key for u in dps) if st is not None else []
    pb = [["type", "==", t] for t in ALWAYS_PB_TYPES]
    pb += [["logical_port", "==", n] for n in sorted(iface_ids)]
    if me is not None:
        pb.append(["chassis", "==", _uuid(me.uuid)])
    pb += [["datapath", "==", _uuid(u)] for u in dps]
    lf = [["logical_datapath", "==", _uuid(u)] for u in dps]
    local = set(dps)
    lf += [["logical_dp_group", "==", _uuid(g.uuid)] for g in dp_groups
           if any(d.uuid in local for d in g.datapaths)]
    per_dp = [["datapath", "==", _uuid(u)] for u in dps]
    return {
        "Port_Binding": pb,
        "Logical_Flow": lf,
        "Multicast_Group": per_dp,
        "MAC_Binding": per_dp,
        "Static_MAC_Binding": list(per_dp),
        "FDB": [["dp_key", "==", k] for k in keys],
    }


def apply(idl, conds):
    """Sets the conditions; returns the condition seqno at which the
    replica reflects them.  (Computed here: python-ovs 4.0's cond_change()
    return value counts an in-flight request that is not there, tests
    `condition_state.request`, a method, so it asks for one reply too
    many.)"""
    for table, cond in conds.items():
        if table in idl.tables:
            idl.cond_change(table, cond or [False])
    states = [t.condition_state for t in idl.tables.values()]
    in_flight = any(cs.requested is not None for cs in states)
    queued = any(cs.new is not None for cs in states)
    # Each monitor_cond_change reply bumps cond_seqno by one; a queued
    # change is sent after the in-flight one is answered.
    return idl.cond_seqno + int(in_flight) + int(queued)
