"""Control actions: drop, next, output, clone, and the small ones that map
to a single OpenFlow action (set_queue, set_meter, check_pkt_larger,
ct_snat_to_vip)."""

from dataclasses import dataclass

from pyovn.lang.errors import LangError
from pyovn.lang.actions import base
from pyovn.lang.actions.context import PIPELINES
from pyovn.openflow import layout
from pyovn.openflow import model as of


@base.register
@dataclass(frozen=True)
class Drop(base.Action):
    names = ("drop",)

    @classmethod
    def parse(cls, p, tok):
        return cls()

    def format(self):
        return "drop"

    def encode(self, ec):
        return []

    def interpret(self, it):
        it.effect("drop")
        it.stop()


@base.register
@dataclass(frozen=True)
class Next(base.Action):
    """next; next(N); next(pipeline=P, table=N).  `pipeline` and `table`
    are resolved at parse time; `cur_pipeline`/`cur_table` remember the
    flow's own position for the canonical format."""
    names = ("next",)
    pipeline: str
    table: int
    cur_pipeline: str = "ingress"
    cur_table: int = 0

    @classmethod
    def parse(cls, p, tok):
        ctx = p.pctx
        pipeline = ctx.pipeline
        table = ctx.table_id + 1
        if p.match("("):
            t = p.token
            if t.type == "INTEGER":
                table = p.integer(0, None, "table number")
            else:
                seen = False
                while True:
                    if p.match_id("pipeline"):
                        p.expect("=")
                        pt = p.token
                        if pt.type != "ID" or pt.s not in PIPELINES:
                            raise p.syntax_error("expecting \"ingress\" or \"egress\"")
                        pipeline = pt.s
                        p.advance()
                    elif p.match_id("table"):
                        p.expect("=")
                        table = p.integer(0, None, "table number")
                    else:
                        raise p.syntax_error("expecting \"pipeline\" or \"table\"")
                    seen = True
                    if not p.match(","):
                        break
                assert seen
            p.expect(")")
        if table >= ctx.n_tables:
            raise LangError("\"next\" action cannot advance beyond table %d."
                            % (ctx.n_tables - 1), tok.pos)
        return cls(pipeline, table, ctx.pipeline, ctx.table_id)

    def format(self):
        if self.pipeline == self.cur_pipeline:
            if self.table == self.cur_table + 1:
                return "next"
            return "next(%d)" % self.table
        return "next(pipeline=%s, table=%d)" % (self.pipeline, self.table)

    def encode(self, ec):
        return [of.Resubmit(table=ec.logical_table(self.pipeline, self.table))]

    def interpret(self, it):
        it.effect("next", pipeline=self.pipeline, table=self.table)


@base.register
@dataclass(frozen=True)
class Output(base.Action):
    names = ("output",)

    @classmethod
    def parse(cls, p, tok):
        return cls()

    def format(self):
        return "output"

    def encode(self, ec):
        return [of.Resubmit(table=ec.output_table)]

    def interpret(self, it):
        it.effect("output", outport=it.get_port(OUTPORT))


@base.register
@dataclass(frozen=True)
class Clone(base.Action):
    """clone { actions };  runs the nested actions on a copy of the
    packet; the original continues with the original fields."""
    names = ("clone",)
    actions: tuple = ()

    @classmethod
    def parse(cls, p, tok):
        return cls(p.nested(keep_prereqs=True))

    def nested_lists(self):
        return (self.actions,)

    def format(self):
        return "clone { %s}" % "".join(str(a) + " " for a in self.actions)

    def encode(self, ec):
        return [of.Clone(tuple(encode_list(self.actions, ec)))]

    def interpret(self, it):
        it.effect("clone", effects=it.fork(self.actions))


@base.register
@dataclass(frozen=True)
class SetQueue(base.Action):
    names = ("set_queue",)
    queue_id: int

    MAX_QUEUE = 61440

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        t = p.token
        q = p.integer(0, None, "queue ID")
        if q > cls.MAX_QUEUE:
            raise LangError("Queue ID %d for set_queue is not in valid range 0 to "
                            "%d." % (q, cls.MAX_QUEUE), t.pos)
        p.expect(")")
        return cls(q)

    def format(self):
        return "set_queue(%d)" % self.queue_id

    def encode(self, ec):
        return [of.SetQueue(self.queue_id)]

    def interpret(self, it):
        it.effect("other", text="set_queue %d" % self.queue_id)


@base.register
@dataclass(frozen=True)
class SetMeter(base.Action):
    """set_meter(rate[, burst]) in kbps; one meter per distinct pair."""
    names = ("set_meter",)
    rate: int
    burst: int = 0

    @classmethod
    def parse(cls, p, tok):
        p.expect("(")
        t = p.token
        rate = p.integer(0, 0xffffffff, "rate")
        if rate == 0:
            raise LangError("Rate %d for set_meter is not in valid." % rate, t.pos)
        burst = 0
        if p.match(","):
            burst = p.integer(0, 0xffffffff, "burst")
        p.expect(")")
        return cls(rate, burst)

    def format(self):
        if self.burst:
            return "set_meter(%d, %d)" % (self.rate, self.burst)
        return "set_meter(%d)" % self.rate

    def encode(self, ec):
        band = of.MeterBand("drop", self.rate, self.burst)
        mid = ec.meters.alloc(of.MeterMod(0, "kbps", burst=bool(self.burst),
                                          stats=True, bands=(band,)))
        return [of.Meter(mid)]

    def interpret(self, it):
        it.effect("other", text=self.format())


@base.register
@dataclass(frozen=True)
class CheckPktLarger(base.Action):
    """dst = check_pkt_larger(L);  dst is 1 bit."""
    result_names = ("check_pkt_larger",)
    dst: base.Field
    length: int

    @classmethod
    def parse_result(cls, p, tok, dst):
        base.check_result_bit(p, dst, tok)
        p.expect("(")
        n = p.integer(0, 0xffff, "`;'")
        p.expect(")")
        return cls(dst, n)

    def format(self):
        return "%s = check_pkt_larger(%d)" % (self.dst.format(), self.length)

    def encode(self, ec):
        return [of.CheckPktLarger(self.length, self.dst.ovs)]

    def interpret(self, it):
        size = it.lookup("check_pkt_larger", length=self.length)
        it.set(self.dst.ovs, 1 if size and size > self.length else 0)


@base.register
@dataclass(frozen=True)
class CtSnatToVip(base.Action):
    names = ("ct_snat_to_vip",)

    @classmethod
    def parse(cls, p, tok):
        return cls()

    def format(self):
        return "ct_snat_to_vip"

    def encode(self, ec):
        return [of.Resubmit(table=layout.CT_SNAT_HAIRPIN)]

    def interpret(self, it):
        it.lookup("ct_snat_to_vip")


OUTPORT = base.Field("outport", 0, 32, False, base.REG_OUTPORT, True)


def encode_list(actions, ec):
    out = []
    for a in actions:
        out.extend(a.encode(ec))
    return out
