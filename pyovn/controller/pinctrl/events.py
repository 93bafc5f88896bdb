"""trigger_event -> southbound Controller_Event, and bind_vport.

trigger_event's payload (pyovn/lang/actions/misc.py) is the event type
(4 bytes) and TLVs (type 2 bytes, length 2 bytes, value).  Each distinct
event is reported once: a Controller_Event row with event_type,
event_info (vip, protocol, load_balancer), this chassis and a sequence
number; it is reported again only after the CMS deleted the row.  The
number of events waiting to be written is bounded."""

import struct

from pyovn.controller.pinctrl import ofio
from pyovn.controller.pinctrl.pkt import Drop
from pyovn.lang.actions import misc

MAX_PENDING = 100
_TYPES = {code: (name, {v: k for k, v in tlvs.items()})
          for name, (code, tlvs, _meter) in misc.EVENTS.items()}


def parse_event(payload):
    if len(payload) < 4:
        raise Drop("trigger_event payload of %d bytes" % len(payload))
    code = struct.unpack_from("!I", payload)[0]
    if code not in _TYPES:
        raise Drop("unknown controller event type %d" % code)
    name, tlv_names = _TYPES[code]
    info, i = {}, 4
    while i < len(payload):
        if i + 4 > len(payload):
            raise Drop("trigger_event option header truncated")
        t, n = struct.unpack_from("!HH", payload, i)
        if i + 4 + n > len(payload):
            raise Drop("trigger_event option %d claims %d bytes" % (t, n))
        if t not in tlv_names:
            raise Drop("unknown %s option %d" % (name, t))
        info[tlv_names[t]] = payload[i + 4:i + 4 + n].decode(errors="replace")
        i += 4 + n
    return name, info


class Events:
    def __init__(self):
        self.pending = []
        self.reported = set()        # (type, sorted info) written and still present

    def add(self, name, info):
        key = (name, tuple(sorted(info.items())))
        if key in self.reported or key in self.pending or len(self.pending) >= MAX_PENDING:
            return False
        self.pending.append(key)
        return True

    def flush(self, sb, chassis_name):
        present = {(r.event_type, tuple(sorted(r.event_info.items())))
                   for r in sb.rows("Controller_Event")}
        self.reported &= present
        if not self.pending:
            return 0
        todo, self.pending = [k for k in self.pending if k not in present], []
        if not todo:
            return 0

        def build(txn):
            ch = [c for c in sb.rows("Chassis") if c.name == chassis_name]
            seq = max([r.seq_num for r in sb.rows("Controller_Event")] or [0])
            for name, info in todo:
                seq += 1
                r = txn.insert(sb.tables["Controller_Event"])
                r.event_type = name
                r.event_info = dict(info)
                r.chassis = ch[:1]
                r.seq_num = seq
        sb.transact(build)
        self.reported.update(todo)
        return len(todo)


def handle_event(pc, pin, payload):
    pc.events.add(*parse_event(payload))


def handle_bind_vport(pc, pin, payload):
    """bind_vport(V, P): the virtual port V (key in the payload) now lives
    behind parent P (reg14): Port_Binding.virtual_parent = P."""
    if len(payload) < 4:
        raise Drop("bind_vport payload of %d bytes" % len(payload))
    dp = pin.field("metadata", 0)
    vkey = struct.unpack_from("!I", payload)[0]
    vport, parent = pc.port(dp, vkey), pc.port(dp, ofio.reg(pin, 14))
    if vport is None or parent is None:
        raise Drop("bind_vport: no port with key %d or %d on datapath %d"
                   % (vkey, ofio.reg(pin, 14), dp))
    if vport.type != "virtual":
        raise Drop("bind_vport: port %s is not virtual" % vport.logical_port)
    pc.vports[vport.logical_port] = parent.logical_port


def flush_vports(pc, sb):
    if not pc.vports:
        return
    todo, pc.vports = pc.vports, {}

    def build(txn):
        n = 0
        for v, parent in todo.items():
            rows = [r for r in sb.rows("Port_Binding") if r.logical_port == v]
            if rows and list(rows[0].virtual_parent) != [parent]:
                rows[0].virtual_parent = [parent]
                n += 1
        return None if n else False
    sb.transact(build)
