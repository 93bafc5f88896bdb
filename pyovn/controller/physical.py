"""Physical flows (ovn-architecture(7), "Architectural Physical Life Cycle
of a Packet"): table 0 (physical to logical), the output tables (remote,
local, loopback check), save-inport (64) and logical to physical (65).
Pure: inputs are the LocalState of binding.py and plain dicts; the result
is a list of pyovn.openflow.model.Flow."""

from pyovn.controller import ctzones
from pyovn.openflow import layout as L
from pyovn.openflow.model import (CtClear, Clone, Flow, Match, Move, Output, Pop,
                                  PopVlan, Push, PushVlan, Resubmit, SetField,
                                  Subfield)

P_DEFAULT = 0
P_PORT = 100
P_CIF = 150
P_HIGH = 150

VLAN_CFI = 0x1000


def _sf(field, v, mask=None):
    return SetField(field, v, mask)


def _zone_loads(zone, dp_zones):
    acts = []
    if zone:
        acts.append(_sf(L.LOG_CT_ZONE, zone))
    dnat, snat = dp_zones
    if dnat:
        acts.append(_sf(L.LOG_DNAT_ZONE, dnat))
    if snat:
        acts.append(_sf(L.LOG_SNAT_ZONE, snat))
    return acts


def tunnel_encode(encap, dp_key, outport, ofport):
    """Actions that put the logical metadata in the tunnel key and output."""
    if encap == "geneve":
        return [_sf("tun_id", dp_key, 0xffffff),
                _sf("tun_metadata0", outport),
                Move(Subfield(L.LOG_INPORT, 0, 15), Subfield("tun_metadata0", 16, 15)),
                Output(ofport)]
    if encap == "stt":
        return [_sf("tun_id", (outport << 24) | dp_key, (1 << 40) - 1),
                Move(Subfield(L.LOG_INPORT, 0, 15), Subfield("tun_id", 40, 15)),
                Output(ofport)]
    # VXLAN: 12-bit datapath, outport low 11 bits in 12..22 and its
    # multicast bit (15) in bit 23.
    vni = (dp_key & 0xfff) | ((outport & 0x7ff) << 12) | (((outport >> 15) & 1) << 23)
    return [_sf("tun_id", vni, 0xffffff), Output(ofport)]


def tunnel_decode(encap):
    if encap == "geneve":
        return [Move(Subfield("tun_id", 0, 24), Subfield(L.LOG_DATAPATH, 0, 24)),
                Move(Subfield("tun_metadata0", 16, 15), Subfield(L.LOG_INPORT, 0, 15)),
                Move(Subfield("tun_metadata0", 0, 16), Subfield(L.LOG_OUTPORT, 0, 16))]
    if encap == "stt":
        return [Move(Subfield("tun_id", 0, 24), Subfield(L.LOG_DATAPATH, 0, 24)),
                Move(Subfield("tun_id", 40, 15), Subfield(L.LOG_INPORT, 0, 15)),
                Move(Subfield("tun_id", 24, 16), Subfield(L.LOG_OUTPORT, 0, 16))]
    return [Move(Subfield("tun_id", 0, 12), Subfield(L.LOG_DATAPATH, 0, 12)),
            Move(Subfield("tun_id", 12, 11), Subfield(L.LOG_OUTPORT, 0, 11)),
            Move(Subfield("tun_id", 23, 1), Subfield(L.LOG_OUTPORT, 15, 1))]


def _clear_regs():
    return [_sf("reg%d" % i, 0) for i in range(10)]


def ramp_encode(dp_key, ofport):
    """To a VTEP gateway (ramp switch): VNI = datapath key, nothing else."""
    return [_sf("tun_id", dp_key, 0xffffff), Output(ofport)]


def build(st, tunnels, zones, localnet_ofports, mcast_groups, vteps=()):
    """ST: binding.LocalState.  TUNNELS: {chassis: (encap, ofport)}.
    VTEPS: names of VTEP gateway chassis (ramp switches).
    ZONES: {name: zone}.  LOCALNET_OFPORTS: {ln port: ofport of its
    patch-br-int-to-<ln>}.  MCAST_GROUPS: [(dp row, name, key, [port names])]."""
    flows = []
    add = flows.append

    def dpz(dp):
        return zones.get(ctzones.dnat_name(dp)), zones.get(ctzones.snat_name(dp))

    # --- fixed flows -----------------------------------------------------
    add(Flow(L.PHY_TO_LOG, P_DEFAULT))
    add(Flow(L.OUTPUT_LARGE_PKT_DETECT, P_DEFAULT, actions=(Resubmit(table=L.REMOTE_OUTPUT),)))
    add(Flow(L.OUTPUT_LARGE_PKT_PROCESS, P_DEFAULT, actions=(Resubmit(table=L.REMOTE_OUTPUT),)))
    add(Flow(L.REMOTE_OUTPUT, P_HIGH, Match.of(reg10=(L.MLF_LOCAL_ONLY, L.MLF_LOCAL_ONLY)),
             (Resubmit(table=L.LOCAL_OUTPUT),)))
    add(Flow(L.REMOTE_OUTPUT, P_HIGH,
             Match.of(reg10=(L.MLF_RCV_FROM_RAMP, L.MLF_RCV_FROM_RAMP | L.MLF_ALLOW_LOOPBACK)),
             (Resubmit(table=L.LOCAL_OUTPUT),)))
    add(Flow(L.REMOTE_OUTPUT, P_DEFAULT, actions=(Resubmit(table=L.LOCAL_OUTPUT),)))
    add(Flow(L.LOCAL_OUTPUT, P_DEFAULT))
    add(Flow(L.CHECK_LOOPBACK, P_DEFAULT,
             actions=tuple(_clear_regs()) + (Resubmit(table=L.LOG_EGRESS_PIPELINE),)))
    add(Flow(L.SAVE_INPORT, P_DEFAULT, actions=(Resubmit(table=L.LOG_TO_PHY),)))
    add(Flow(L.LOG_TO_PHY, P_DEFAULT))

    # --- tunnels: table 0 ------------------------------------------------
    for chassis, (encap, ofport) in sorted(tunnels.items()):
        if chassis in vteps:
            continue
        add(Flow(L.PHY_TO_LOG, P_PORT, Match.of(in_port=ofport),
                 tuple(tunnel_decode(encap)) + (Resubmit(table=L.LOCAL_OUTPUT),)))

    localnet_of_dp = {}
    for p in st.ports.values():
        if p.type == "localnet" and p.dp.uuid in st.local_dps and p.name in localnet_ofports:
            localnet_of_dp[p.dp.uuid] = p

    def local_delivery(p, ofport, tag):
        """Flows of a port delivered to OFPORT on this chassis."""
        md = p.dp.tunnel_key
        m = Match.of(metadata=md, reg15=p.key)
        zone = zones.get(p.name)
        # table 0
        if tag is not None and p.type != "localnet":
            m0 = Match.of(in_port=ofport, vlan_vid=(VLAN_CFI | tag))
            pre, prio = [PopVlan()], P_CIF
        elif tag is not None:
            m0 = Match.of(in_port=ofport, vlan_vid=(VLAN_CFI | tag))
            pre, prio = [PopVlan()], P_CIF
        elif p.type == "localnet":
            m0 = Match.of(in_port=ofport, vlan_tci=(0, VLAN_CFI))
            pre, prio = [], P_PORT
        else:
            m0 = Match.of(in_port=ofport)
            pre, prio = [], P_PORT
        acts = pre + _zone_loads(zone, dpz(p.dp)) + [
            _sf(L.LOG_DATAPATH, md), _sf(L.LOG_INPORT, p.key)]
        if p.type == "localport":
            acts.append(_sf(L.LOG_FLAGS, L.MLF_LOCALPORT, L.MLF_LOCALPORT))
        if p.type != "virtual":
            # (a virtual port's packets enter as its parent's)
            add(Flow(L.PHY_TO_LOG, prio, m0,
                     tuple(acts) + (Resubmit(table=L.LOG_INGRESS_PIPELINE),)))
        # table 40: local output
        add(Flow(L.LOCAL_OUTPUT, P_PORT, m,
                 tuple(_zone_loads(zone, dpz(p.dp))) + (Resubmit(table=L.CHECK_LOOPBACK),)))
        loopback_and_out(p, m)
        out = [Output(ofport)]
        if tag is not None:
            out = [PushVlan(), _sf("vlan_vid", VLAN_CFI | tag), Output(ofport), PopVlan()]
        add(Flow(L.LOG_TO_PHY, P_PORT, m, tuple(out)))

    def loopback_and_out(p, m):
        add(Flow(L.CHECK_LOOPBACK, P_PORT,
                 m.with_field(L.LOG_INPORT, p.key).with_field(L.LOG_FLAGS, 0, L.MLF_ALLOW_LOOPBACK)))
        add(Flow(L.SAVE_INPORT, P_PORT,
                 m.with_field(L.LOG_FLAGS, L.MLF_ALLOW_LOOPBACK, L.MLF_ALLOW_LOOPBACK),
                 (Push(Subfield("in_port")), _sf("in_port", 0),
                  Resubmit(table=L.LOG_TO_PHY), Pop(Subfield("in_port")))))

    def to_remote(p, chassis):
        md = p.dp.tunnel_key
        m = Match.of(metadata=md, reg15=p.key)
        ln = localnet_of_dp.get(p.dp.uuid)
        if ln is not None and p.type not in ("chassisredirect",):
            # Remote ports of a switch with a localnet port are reached
            # through the physical network.
            add(Flow(L.LOCAL_OUTPUT, P_PORT, m,
                     (_sf(L.LOG_OUTPORT, ln.key), Resubmit(table=L.LOCAL_OUTPUT))))
            return
        t = tunnels.get(chassis)
        if t is None:
            return
        if chassis in vteps:
            add(Flow(L.REMOTE_OUTPUT, P_PORT, m, tuple(ramp_encode(md, t[1]))))
            return
        add(Flow(L.REMOTE_OUTPUT, P_PORT, m, tuple(tunnel_encode(t[0], md, p.key, t[1]))))

    def patch_to_peer(p):
        peer = st.ports.get(p.peer or "")
        if peer is None or peer.dp.uuid not in st.local_dps:
            return
        md = p.dp.tunnel_key
        m = Match.of(metadata=md, reg15=p.key)
        add(Flow(L.LOCAL_OUTPUT, P_PORT, m, (Resubmit(table=L.CHECK_LOOPBACK),)))
        loopback_and_out(p, m)
        dn, sn = dpz(peer.dp)
        inner = [CtClear(), _sf(L.LOG_DNAT_ZONE, dn or 0), _sf(L.LOG_SNAT_ZONE, sn or 0),
                 _sf(L.LOG_CT_ZONE, 0), _sf(L.LOG_FLAGS, 0), _sf(L.LOG_DATAPATH, peer.dp.tunnel_key),
                 _sf(L.LOG_INPORT, peer.key), _sf(L.LOG_OUTPORT, 0)] + _clear_regs() + [
                 _sf("in_port", 0), Resubmit(table=L.LOG_INGRESS_PIPELINE)]
        add(Flow(L.LOG_TO_PHY, P_PORT, m, (Clone(tuple(inner)),)))

    for p in sorted(st.ports.values(), key=lambda p: (p.dp.tunnel_key, p.key)):
        if p.dp.uuid not in st.local_dps:
            continue
        t = p.type
        md = p.dp.tunnel_key
        if t in ("", "virtual", "localport"):
            if p.ofport:
                local_delivery(p, p.ofport, p.tag)
            elif t != "localport" and p.chassis:
                to_remote(p, p.chassis)
            if t == "localport":
                # localport traffic never leaves the chassis
                add(Flow(L.REMOTE_OUTPUT, P_HIGH, Match.of(metadata=md, reg14=p.key),
                         (Resubmit(table=L.LOCAL_OUTPUT),)))
        elif t == "localnet":
            of = localnet_ofports.get(p.name)
            if of:
                local_delivery(p, of, p.tag)
        elif t == "patch":
            patch_to_peer(p)
        elif t == "l3gateway":
            if p.local:
                patch_to_peer(p)
            elif p.chassis:
                to_remote(p, p.chassis)
        elif t == "chassisredirect":
            m = Match.of(metadata=md, reg15=p.key)
            if p.local:
                dist = st.ports.get(p.row.options.get("distributed-port", ""))
                if dist is not None:
                    add(Flow(L.LOCAL_OUTPUT, P_PORT, m,
                             (_sf(L.LOG_OUTPORT, dist.key), Resubmit(table=L.LOCAL_OUTPUT))))
            elif p.chassis:
                to_remote(p, p.chassis)
        elif t == "vtep" and p.chassis:
            to_remote(p, p.chassis)
            tv = tunnels.get(p.chassis)
            if tv is not None and p.chassis in vteps:
                # From the ramp switch: no ports in the tunnel key; the
                # packet enters as the vtep port and goes through the
                # ingress pipeline, then is delivered locally only.
                add(Flow(L.PHY_TO_LOG, P_PORT, Match.of(in_port=tv[1], tun_id=md),
                         (_sf(L.LOG_DATAPATH, md), _sf(L.LOG_INPORT, p.key),
                          _sf(L.LOG_FLAGS, L.MLF_RCV_FROM_RAMP, L.MLF_RCV_FROM_RAMP),
                          Resubmit(table=L.LOG_INGRESS_PIPELINE))))
        elif t == "l2gateway" and p.local:
            of = localnet_ofports.get(p.name)
            if of:
                local_delivery(p, of, None)

    # --- multicast groups ------------------------------------------------
    for dp, name, key, members in mcast_groups:
        if dp.uuid not in st.local_dps:
            continue
        md = dp.tunnel_key
        m = Match.of(metadata=md, reg15=key)
        local_acts, remote_acts, remotes = [], [], set()
        for pname in members:
            p = st.ports.get(pname)
            if p is None:
                continue
            if p.type in ("", "virtual", "localport", "localnet") and \
                    (p.ofport or (p.type == "localnet" and p.name in localnet_ofports)):
                if p.type == "localnet":
                    # Output to the physical network happens once, on the
                    # chassis where the packet entered the pipeline.
                    remote_acts += [_sf(L.LOG_OUTPORT, p.key), Resubmit(table=L.CHECK_LOOPBACK)]
                else:
                    z = zones.get(p.name)
                    if z:
                        local_acts.append(_sf(L.LOG_CT_ZONE, z))
                    local_acts += [_sf(L.LOG_OUTPORT, p.key), Resubmit(table=L.CHECK_LOOPBACK)]
            elif p.type == "patch" or (p.type == "l3gateway" and p.local):
                remote_acts += [_sf(L.LOG_OUTPORT, p.key), Resubmit(table=L.CHECK_LOOPBACK)]
            elif p.type == "chassisredirect" and p.local:
                remote_acts += [_sf(L.LOG_OUTPORT, p.key), Resubmit(table=L.LOCAL_OUTPUT)]
            elif p.chassis and p.type != "localport":
                remotes.add(p.chassis)
        if local_acts:
            add(Flow(L.LOCAL_OUTPUT, P_PORT, m,
                     tuple(local_acts) + (_sf(L.LOG_OUTPORT, key),)))
        tun = []
        if dp.uuid not in localnet_of_dp:
            for ch in sorted(remotes):
                t = tunnels.get(ch)
                if t and ch in vteps:
                    tun += ramp_encode(md, t[1])
                elif t:
                    tun += tunnel_encode(t[0], md, key, t[1])
        if tun or remote_acts:
            acts = tun + remote_acts
            if remote_acts:
                acts.append(_sf(L.LOG_OUTPORT, key))
            acts.append(Resubmit(table=L.LOCAL_OUTPUT))
            add(Flow(L.REMOTE_OUTPUT, P_PORT, m, tuple(acts)))
    return flows
