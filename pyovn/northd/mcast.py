"""IP multicast snooping on logical switches (ovn-nb(5) "IP Multicast
Snooping Options", ovn-sb(5) IP_Multicast and IGMP_Group):

* one SB IP_Multicast row per switch, the snooping/querier configuration
  ovn-controller applies;
* the IGMP_Group rows controllers learn are aggregated per switch and
  group address into a Multicast_Group named after the address (keys from
  32774 up, stable), which also contains the ports with
  options:mcast_flood=true;
* priority-90 L2 lookup flows send registered groups' traffic there (and to
  _MC_mrouter_flood when a connected router relays multicast).
"""

from pyovn.northd.stages import S
from pyovn.northd.sync import Ref
from pyovn.openflow import layout

MC_KEY_MAX = 65535


def read_sb(sb):
    """(learnt, keys): {(dp nb uuid, address): set of port names} from
    IGMP_Group, and the tunnel keys existing Multicast_Group rows use."""
    from pyovn.northd.sync import dp_nb_uuid
    learnt = {}
    for g in sb.rows("IGMP_Group"):
        if not g.datapath:
            continue
        dp = dp_nb_uuid(g.datapath[0])
        if dp is None:
            continue
        ports = learnt.setdefault((dp, g.address), set())
        for pb in g.ports:
            ports.add(pb.logical_port)
    keys = {}
    for mc in sb.rows("Multicast_Group"):
        keys[(dp_nb_uuid(mc.datapath), mc.name)] = mc.tunnel_key
    return learnt, keys


def _int(conf, key, default, lo, hi):
    try:
        v = int(conf.get(key, default))
    except ValueError:
        return default
    return min(max(v, lo), hi)


def build_sb(model, desired, learnt, keys):
    """IP_Multicast rows and the IGMP multicast groups.  Returns
    {switch: [group address]} for the flows."""
    groups = {}
    for dp in model.switches:
        if dp.key is None:
            continue
        oc = dp.other_config
        snoop = oc.get("mcast_snoop") == "true"
        idle = _int(oc, "mcast_idle_timeout", 300, 15, 3600)
        desired.add("IP_Multicast", dp.uuid, datapath=Ref("Datapath_Binding", dp.uuid),
                    enabled=[snoop],
                    querier=[oc.get("mcast_querier", "true") == "true"],
                    eth_src=oc.get("mcast_eth_src", ""),
                    ip4_src=oc.get("mcast_ip4_src", ""),
                    ip6_src=oc.get("mcast_ip6_src", ""),
                    table_size=[_int(oc, "mcast_table_size", 2048, 1, 32766)],
                    idle_timeout=[idle],
                    query_interval=[_int(oc, "mcast_query_interval", idle // 2, 1, 3600)],
                    query_max_resp=[_int(oc, "mcast_query_max_response", 1, 1, 10)],
                    _insert_only={"seq_no": 0})
        if not snoop:
            continue
        names = {p.name for p in dp.ports if p.key is not None}
        static = sorted(p.name for p in dp.ports
                        if p.key is not None and p.options.get("mcast_flood") == "true")
        used = {k for (d, _), k in keys.items() if d == dp.uuid}
        mine = sorted(a for (d, a) in learnt if d == dp.uuid)
        nxt = layout.MC_IP_MCAST_MIN
        for address in mine:
            ports = sorted((learnt[(dp.uuid, address)] & names) | set(static))
            if not ports:
                continue
            key = keys.get((dp.uuid, address))
            if key is None:
                while nxt in used and nxt <= MC_KEY_MAX:
                    nxt += 1
                if nxt > MC_KEY_MAX:
                    continue
                key = nxt
                used.add(key)
            desired.add("Multicast_Group", (dp.uuid, address),
                        datapath=Ref("Datapath_Binding", dp.uuid), name=address,
                        tunnel_key=key, ports=[Ref("Port_Binding", n) for n in ports])
            groups.setdefault(dp, []).append(address)
    return groups


def build_flows(dp, add, groups, relay):
    for address in groups.get(dp, []):
        fam = "ip6" if ":" in address else "ip4"
        action = ""
        if relay:
            action = 'clone { outport = "%s"; output; }; ' % layout.MC_MROUTER_FLOOD[0]
        add(S.LS_IN_L2_LKUP, 90, "%s.mcast && %s.dst == %s" % (fam, fam, address),
            action + 'outport = "%s"; output;' % address)
