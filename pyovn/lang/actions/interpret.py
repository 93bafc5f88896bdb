"""Interpreting actions on a microflow, for the tracer.

The Interpreter works on OpenFlow field values (the microflow's view as
the controller lays it out: reg14 = inport key, metadata = datapath, ...):
`flow` is either a dict {OVS field name: int} or an object with
get_field(name) -> int and set_field(name, value) (pyovn.lang.microflow's
Microflow).  Each action updates the flow and appends Effects:

    set        text                 a field was written
    next       pipeline, table      continue in that logical table
    output                          logical output (outport)
    drop       [reason]
    ct         kind, zone, ...      conntrack: the tracer decides the
                                    ct_state of the recirculated packet
    controller opcode, name, [effects]   packet-in to pinctrl; for actions
                                    with nested actions, the effects of the
                                    generated packet
    clone      effects              a copy of the packet
    lookup     name, args           a helper table lookup (MAC binding,
                                    FDB, port security, ...) whose result
                                    the tracer supplies
    group      kind, buckets        select among buckets
    other      text                 everything without packet effect

The interpreter stops at drop (and after actions that end processing).
"""

from dataclasses import dataclass, field


@dataclass
class Effect:
    kind: str
    args: dict = field(default_factory=dict)

    def __str__(self):
        if not self.args:
            return self.kind
        parts = []
        for k, v in self.args.items():
            if k == "effects":
                v = "{%s}" % "; ".join(str(e) for e in v)
            parts.append("%s=%s" % (k, v))
        return "%s(%s)" % (self.kind, ", ".join(parts))


class Interpreter:
    def __init__(self, flow=None, ports=None, pipeline="ingress", table_id=0,
                 lookup=None):
        self.flow = flow if flow is not None else {}
        self.ports = dict(ports or {})
        self.pipeline = pipeline
        self.table_id = table_id
        self.lookup_fn = lookup
        self.effects = []
        self.stack = []
        self.stopped = False
        self.ovn_fields = {}

    # --- flow access ---------------------------------------------------------
    @property
    def _microflow(self):
        """pyovn.lang.microflow.Microflow: integers by OpenFlow field in
        `ints`, logical ports by name in `strings`."""
        return hasattr(self.flow, "ints") and hasattr(self.flow, "strings")

    _PORT_REGS = {"reg14": "inport", "reg15": "outport"}

    def _read(self, name):
        if self._microflow:
            if name in self._PORT_REGS:
                port = self.flow.strings.get(self._PORT_REGS[name], "")
                return self.ports.get(port, 0) if port else 0
            return self.flow.ovs_value(name)
        if hasattr(self.flow, "get_field"):
            return self.flow.get_field(name) or 0
        return self.flow.get(name, 0)

    def _write(self, name, value):
        if self._microflow:
            if name in self._PORT_REGS:
                self.flow.strings[self._PORT_REGS[name]] = \
                    self.port_name(value) or ("" if not value else str(value))
            else:
                self.flow.ints[name] = value
        elif hasattr(self.flow, "set_field"):
            self.flow.set_field(name, value)
        else:
            self.flow[name] = value

    def get(self, sub):
        return (self._read(sub.field) >> sub.ofs) & ((1 << sub.n_bits) - 1)

    def set(self, sub, value):
        old = self._read(sub.field)
        new = (old & ~sub.mask) | ((value << sub.ofs) & sub.mask)
        self._write(sub.field, new)

    def set_port(self, fld, name):
        if self._microflow:
            self.flow.strings[fld.name] = name
            return
        key = self.ports.get(name, 0) if name else 0
        self.set(fld.ovs, key)

    def get_port(self, fld):
        """Name of the port in string field FLD (or its key if unknown)."""
        if self._microflow:
            return self.flow.strings.get(fld.name, "")
        key = self.get(fld.ovs)
        return self.port_name(key) or key

    def set_ovn_field(self, name, value):
        self.ovn_fields[name] = value
        if self._microflow:
            self.flow.ints["ovn:" + name] = value

    def port_name(self, key):
        for n, k in self.ports.items():
            if k == key:
                return n
        return None

    # --- effects -------------------------------------------------------------
    def effect(self, effect_kind, **args):
        e = Effect(effect_kind, args)
        self.effects.append(e)
        return e

    def stop(self):
        self.stopped = True

    def unsupported(self, action):
        self.effect("other", text=action.format())

    def lookup(self, name, **args):
        """Records a helper-table lookup; returns the tracer's answer (via
        the `lookup` callback) or None."""
        self.effect("lookup", name=name, **args)
        if self.lookup_fn is not None:
            return self.lookup_fn(name, args, self)
        return None

    def copy(self):
        flow = (self.flow.copy() if hasattr(self.flow, "copy") else dict(self.flow))
        sub = Interpreter(flow, self.ports, self.pipeline, self.table_id,
                          self.lookup_fn)
        sub.stack = list(self.stack)
        return sub

    def fork(self, actions):
        """Runs ACTIONS on a copy of the packet; returns its effects."""
        sub = self.copy()
        sub.run(actions)
        return sub.effects

    def run(self, actions):
        for a in actions:
            if self.stopped:
                break
            a.interpret(self)
        return self.effects
