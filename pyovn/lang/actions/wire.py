"""OpenFlow 1.5 wire encoding of nested actions (arp { }, icmp4 { }, ...).

OVN carries the actions of a packet-generating action in the userdata of
its controller() action, encoded as OpenFlow 1.5 actions, so that pinctrl
can send the generated packet back with exactly those actions
(packet-out).  The encoding itself belongs to the OpenFlow codec
(pyovn.openflow.codec); this module only maps model actions onto it.

Interface used: pyovn.openflow.codec.model_wire.actions_to_wire(actions)
-> [Act] and pyovn.openflow.codec.actions.encode_actions([Act]) -> bytes;
a local mapping onto Act is the fallback when model_wire is missing.
"""

import ipaddress

from pyovn.lang.errors import LangError
from pyovn.openflow import model as of


def _act(kind, **args):
    from pyovn.openflow.codec.actions import Act
    return Act(kind, **args)


def _to_acts(actions):
    out = []
    for a in actions:
        if isinstance(a, of.SetField):
            out.append(_act("set_field", field=a.field, value=a.value, mask=a.mask))
        elif isinstance(a, of.Resubmit):
            out.append(_act("resubmit", port=a.port, table=a.table, ct=a.ct))
        elif isinstance(a, (of.Push, of.Pop)):
            sub = a.src if isinstance(a, of.Push) else a.dst
            out.append(_act("stack_push" if isinstance(a, of.Push) else "stack_pop",
                            field=sub.field, ofs=sub.ofs, n_bits=sub.n_bits))
        elif isinstance(a, of.Move):
            out.append(_act("move", src=a.src.field, src_ofs=a.src.ofs,
                            dst=a.dst.field, dst_ofs=a.dst.ofs,
                            n_bits=a.src.n_bits))
        elif isinstance(a, of.Output) and isinstance(a.port, int):
            out.append(_act("output", port=a.port))
        elif isinstance(a, of.DecTtl):
            out.append(_act("dec_ttl"))
        elif isinstance(a, of.CtClear):
            out.append(_act("ct_clear"))
        elif isinstance(a, of.Note):
            out.append(_act("note", data=a.data))
        elif isinstance(a, of.Group):
            out.append(_act("group", group_id=a.group_id))
        elif isinstance(a, of.Meter):
            out.append(_act("meter", meter_id=a.meter_id))
        elif isinstance(a, of.SetQueue):
            out.append(_act("set_queue", queue_id=a.queue_id))
        elif isinstance(a, of.Controller):
            out.append(_act("controller", userdata=a.userdata, pause=a.pause,
                            meter_id=a.meter_id))
        elif isinstance(a, of.Clone):
            out.append(_act("clone", actions=_to_acts(a.actions)))
        elif isinstance(a, of.CheckPktLarger):
            out.append(_act("check_pkt_larger", pkt_len=a.pkt_len,
                            dst=a.dst.field, dst_ofs=a.dst.ofs))
        elif isinstance(a, of.Ct):
            zone = zone_field = None
            if isinstance(a.zone, of.Subfield):
                zone_field = (a.zone.field, a.zone.ofs, a.zone.n_bits)
            else:
                zone = a.zone
            inner = []
            if a.nat is not None:
                n = a.nat
                ipv6 = bool(n.addr_min and ":" in n.addr_min)
                conv = (lambda x: int(ipaddress.ip_address(x)) if x else None)
                inner.append(_act("nat", mode=n.kind, ip_min=conv(n.addr_min),
                                  ip_max=conv(n.addr_max), ipv6=ipv6,
                                  port_min=n.port_min, port_max=n.port_max,
                                  random="random" in n.flags,
                                  hash="hash" in n.flags,
                                  persistent="persistent" in n.flags))
            inner += _to_acts(a.exec_)
            out.append(_act("ct", commit=a.commit, force=a.force, zone=zone,
                            zone_field=zone_field, table=a.table,
                            actions=inner))
        else:
            raise LangError("Action %s cannot be used inside nested actions "
                            "of a controller action." % a)
    return out


def encode_nested(actions):
    """Bytes of ACTIONS in OpenFlow 1.5 wire format."""
    if not actions:
        return b""
    try:
        from pyovn.openflow.codec import model_wire
        to_acts = getattr(model_wire, "actions_to_wire", _to_acts)
    except ImportError:
        to_acts = _to_acts
    try:
        from pyovn.openflow.codec.actions import encode_actions
        return encode_actions(to_acts(list(actions)))
    except LangError:
        raise
    except Exception as e:     # the codec's own errors
        raise LangError("Cannot encode nested actions: %s" % e) from None
